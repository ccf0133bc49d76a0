//! The source's claims as checks: each model crate's `claims()` runs them and returns one
//! [`Claim`] per check, so its tests assert them and the tour reports them without computing
//! anything itself.

use serde::Serialize;

/// One claim, checked numerically: a step of the derivations, or an observation about the
/// data or a method's output that confirms no particular step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// The id of the derivation step it confirms (a step of `docs/derivations.md`, for example
    /// `mrf-local-difference`); `None` for an observation.
    pub step: Option<&'static str>,
    /// The claim in words or symbols.
    pub statement: String,
    /// What was measured (sizes, largest gap, tolerance).
    pub measured: String,
    /// Whether the measurement confirms the claim.
    pub holds: bool,
}

impl Claim {
    /// A claim confirming the derivation step `step`.
    pub fn new(
        step: &'static str,
        statement: impl Into<String>,
        measured: impl Into<String>,
        holds: bool,
    ) -> Self {
        Claim {
            step: Some(step),
            statement: statement.into(),
            measured: measured.into(),
            holds,
        }
    }

    /// An observation: a claim that confirms no particular derivation step.
    pub fn observation(
        statement: impl Into<String>,
        measured: impl Into<String>,
        holds: bool,
    ) -> Self {
        Claim {
            step: None,
            statement: statement.into(),
            measured: measured.into(),
            holds,
        }
    }
}

/// The claims in `claims` that do not hold, as `step: statement (measured)` lines.
pub fn failures(claims: &[Claim]) -> Vec<String> {
    claims
        .iter()
        .filter(|c| !c.holds)
        .map(|c| {
            format!(
                "{}: {} ({})",
                c.step.unwrap_or("observation"),
                c.statement,
                c.measured
            )
        })
        .collect()
}
