//! Helpers shared by the end-to-end tests of the `deepgm` program.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the built `deepgm` with `args` (and no `DEEPGM_DATA`), capturing its output.
pub fn deepgm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepgm"))
        .args(args)
        .env_remove("DEEPGM_DATA")
        .output()
        .expect("the deepgm binary runs")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output as the one JSON object it must be.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {}", stdout(o)))
}
