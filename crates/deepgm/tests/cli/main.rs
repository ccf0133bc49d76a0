//! The `deepgm` program end to end: exit codes, messages, JSON output, determinism.

#[path = "../common/mod.rs"]
mod common;

mod bn;
mod cases;
mod cnn;
mod data;
mod general;
mod mrf;
mod rbm;
mod uai;
