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
//! - [`error`]: the shared, typed [`Error`] ([`ErrorKind`] to match on);
//! - [`params`]: the one convention for parameters, seeds and progress ([`params::Params`]);
//! - [`schedule`]: learning-rate schedules;
//! - [`numeric`]: the [`numeric::Float`] element type and stable sigmoid, softplus, log-sum-exp;
//! - [`claims`]: the source's claims as checks ([`claims::Claim`]); [`mnist_claims`]: those
//!   about the data.
//!
//! ```
//! use deepgm_core::mnist::{DataSource, Split};
//! use deepgm_core::{numeric, rng, Error, ErrorKind};
//! use rand::Rng;
//!
//! // The built-in digits, split as everywhere in deepgm: 1,500 to train on, 500 held out.
//! let train = DataSource::Embedded.load(Split::Train)?;
//! assert_eq!((train.len(), train.image_shape()), (1500, (28, 28)));
//! // One seed, one stream of numbers, on every platform.
//! let (a, b): (u64, u64) = (rng::seeded(7).random(), rng::seeded(7).random());
//! assert_eq!(a, b);
//! // Stable scalar functions shared by the model crates.
//! assert_eq!(numeric::sigmoid(1000.0f64), 1.0);
//! // Typed errors, matched by kind.
//! let err = Error::param("samples", 0, "at least 1");
//! assert_eq!(err.kind(), ErrorKind::InvalidParameter);
//! # Ok::<(), Error>(())
//! ```

pub mod atomic;
pub mod builtin;
pub mod claims;
pub mod error;
pub mod fetch;
pub mod idx;
pub mod image;
pub mod linalg;
pub mod memory;
pub mod mnist;
pub mod mnist_claims;
pub mod numeric;
pub mod parallel;
pub mod params;
pub mod progress;
pub mod rng;
pub mod schedule;
pub mod tensors;

pub use error::{Error, ErrorKind, Result};
