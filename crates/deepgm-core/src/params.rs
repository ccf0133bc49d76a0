//! The one convention for an algorithm's parameters, seeds and progress.
//!
//! - Each algorithm has a params struct (`IcmParams`, `TrainParams`, ...) of plain, public,
//!   serializable fields with [`Default`]; the default of every field is stated in its doc.
//! - The struct implements [`Params`]: [`Params::check`] validates every field and names the
//!   first that cannot be used in an [`Error::InvalidParameter`],
//!   by its field name. The algorithm's entry point calls it once, before any work; callers (the
//!   command-line program, a Python binding) fill the struct in and never check it again.
//! - Randomness comes from `seed: u64` in the params, expanded by [`crate::rng::seeded`] (or
//!   [`crate::rng::stream`] per parallel chunk), so the same params give the same output.
//! - Every entry point that can run for more than a moment takes `progress: &dyn Progress`
//!   ([`crate::progress::NoProgress`] when nobody watches).
//! - Models with invariants (an Ising model's parameters, a network's tables) keep their fields
//!   private behind constructors that check them; params structs have no invariants of their own
//!   beyond what `check` enforces.
//! - Results are report structs that derive `serde::Serialize`, so a program's JSON output is a serialized report.
//!
//! ```
//! use deepgm_core::params::{check_positive, Params};
//! use deepgm_core::{Error, ErrorKind};
//!
//! /// Parameters of a made-up sampler.
//! #[derive(Debug, Clone, serde::Serialize)]
//! struct SamplerParams {
//!     /// Samples to draw; default 1,000.
//!     samples: usize,
//!     /// Seed of the generator; default 0.
//!     seed: u64,
//! }
//! impl Default for SamplerParams {
//!     fn default() -> Self {
//!         SamplerParams { samples: 1000, seed: 0 }
//!     }
//! }
//! impl Params for SamplerParams {
//!     fn check(&self) -> deepgm_core::Result<()> {
//!         check_positive("samples", self.samples)
//!     }
//! }
//! let bad = SamplerParams { samples: 0, ..Default::default() };
//! let err = bad.check().unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidParameter);
//! assert_eq!(err.parameter(), Some("samples"));
//! assert!(SamplerParams::default().check().is_ok());
//! ```

use crate::{Error, Result};

/// An algorithm's parameters: plain data, validated once by the algorithm's entry point.
pub trait Params {
    /// Checks every field; the error is an
    /// [`Error::InvalidParameter`] naming the first field that
    /// cannot be used, its value, and what would be accepted.
    fn check(&self) -> Result<()>;
}

/// `Ok` when the count `value` is at least 1, else an invalid-parameter error naming `name`.
pub fn check_positive(name: &str, value: usize) -> Result<()> {
    if value == 0 {
        Err(Error::param(name, value, "at least 1"))
    } else {
        Ok(())
    }
}

/// `Ok` when `value` is finite, else an invalid-parameter error naming `name`.
pub fn check_finite(name: &str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::param(name, value, "a finite number"))
    }
}

/// `Ok` when `value` is finite and greater than 0, else an invalid-parameter error naming `name`.
pub fn check_positive_real(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::param(name, value, "a finite number above 0"))
    }
}

/// `Ok` when `value` is in `[low, high]`, else an invalid-parameter error naming `name`.
pub fn check_in_range(name: &str, value: f64, low: f64, high: f64) -> Result<()> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(Error::param(
            name,
            value,
            format!("a number in [{low}, {high}]"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn checks_name_the_parameter() {
        assert!(check_positive("batch", 1).is_ok());
        let err = check_positive("batch", 0).unwrap_err();
        assert_eq!(err.parameter(), Some("batch"));
        assert_eq!(err.to_string(), "invalid batch 0: expected at least 1");
        assert!(check_finite("beta", f64::NAN).is_err());
        assert!(check_finite("beta", -3.0).is_ok());
        assert!(check_positive_real("learning_rate", 0.0).is_err());
        assert!(check_positive_real("learning_rate", 0.1).is_ok());
        let err = check_in_range("flip", 1.5, 0.0, 1.0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert_eq!(
            err.to_string(),
            "invalid flip 1.5: expected a number in [0, 1]"
        );
        assert!(check_in_range("flip", f64::NAN, 0.0, 1.0).is_err());
    }
}
