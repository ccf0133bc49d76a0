//! Learning-rate schedules, one meaning per name, shared by every trained model.

use serde::Serialize;

use crate::params::{check_finite, check_positive_real};
use crate::{Error, Result};

/// How the learning rate changes with the epoch `t` (0 for the first epoch).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LearningRateSchedule {
    /// `lr_t = lr` (the default).
    #[default]
    Constant,
    /// `lr_t = lr / (1 + decay t)`, with `decay >= 0`.
    InverseTime {
        /// Decay per epoch (0 is constant).
        decay: f64,
    },
    /// `lr_t = lr factor^t`, with `0 < factor <= 1`.
    Exponential {
        /// Factor per epoch (1 is constant).
        factor: f64,
    },
}

impl LearningRateSchedule {
    /// The learning rate of epoch `t` (0-based) given the base rate `lr`.
    pub fn rate(&self, lr: f64, t: usize) -> f64 {
        match *self {
            LearningRateSchedule::Constant => lr,
            LearningRateSchedule::InverseTime { decay } => lr / (1.0 + decay * t as f64),
            LearningRateSchedule::Exponential { factor } => lr * factor.powi(t as i32),
        }
    }

    /// Checks the schedule's constant; `name` is the parameter that holds the schedule.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `name` for a negative or non-finite decay, or a factor
    /// outside (0, 1].
    pub fn check(&self, name: &str) -> Result<()> {
        match *self {
            LearningRateSchedule::Constant => Ok(()),
            LearningRateSchedule::InverseTime { decay } => {
                check_finite(name, decay)?;
                if decay < 0.0 {
                    return Err(Error::param(name, decay, "a decay of at least 0"));
                }
                Ok(())
            }
            LearningRateSchedule::Exponential { factor } => {
                check_positive_real(name, factor)?;
                if factor > 1.0 {
                    return Err(Error::param(name, factor, "a factor in (0, 1]"));
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_their_formulas() {
        assert_eq!(LearningRateSchedule::Constant.rate(0.1, 7), 0.1);
        let inv = LearningRateSchedule::InverseTime { decay: 0.5 };
        assert!((inv.rate(0.1, 0) - 0.1).abs() < 1e-15);
        assert!((inv.rate(0.1, 2) - 0.05).abs() < 1e-15);
        let exp = LearningRateSchedule::Exponential { factor: 0.5 };
        assert!((exp.rate(0.1, 3) - 0.0125).abs() < 1e-15);
        assert!(inv.check("lr").is_ok() && exp.check("lr").is_ok());
        assert!(LearningRateSchedule::InverseTime { decay: -1.0 }
            .check("lr")
            .is_err());
        assert!(LearningRateSchedule::Exponential { factor: 1.5 }
            .check("lr")
            .is_err());
        assert!(LearningRateSchedule::Exponential { factor: 0.0 }
            .check("lr")
            .is_err());
    }
}
