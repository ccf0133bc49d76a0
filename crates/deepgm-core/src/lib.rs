//! deepgm-core: the foundation shared by deepgm's model crates.
//!
//! - [`idx`] and [`mnist`]: the MNIST digits in IDX format (raw or gzipped), validated, with the
//!   2,000-digit subset built in ([`mnist::Mnist::embedded`]);
//! - [`builtin`]: the data built in, named `builtin:NAME` where a file is taken;
//! - [`fetch`]: verified downloads from mirrors;
//! - [`image`]: PNG/JPEG in as grayscale, thresholding, PNG out, tiled grids;
//! - [`rng`]: the one seedable generator ([`rng::DeepRng`], Xoshiro256++);
//! - [`atomic`]: outputs written to a temporary file and renamed into place;
//! - [`progress`]: progress reporting without printing;
//! - [`parallel`]: rayon's worker threads started ahead of use;
//! - [`error`]: the shared [`Error`] type.
#![warn(missing_docs)]

pub mod atomic;
pub mod builtin;
pub mod error;
pub mod fetch;
pub mod idx;
pub mod image;
pub mod linalg;
pub mod mnist;
pub mod parallel;
pub mod progress;
pub mod rng;
pub mod tensors;

pub use error::{Error, Result};
