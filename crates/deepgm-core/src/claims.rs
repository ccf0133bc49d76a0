//! The source's claims as checks: each model crate's `claims()` runs them and returns one
//! [`Claim`] per check, so its tests assert them and the tour reports them without computing
//! anything itself.

use serde::Serialize;

/// One claim of the derivations, checked numerically.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// The id of the derivation step it confirms (a step of `docs/derivations.md`, for example
    /// `mrf-local-difference`).
    pub step: &'static str,
    /// The claim in words or symbols.
    pub statement: String,
    /// What was measured (sizes, largest gap, tolerance).
    pub measured: String,
    /// Whether the measurement confirms the claim.
    pub holds: bool,
}

impl Claim {
    /// A claim for `step`.
    pub fn new(
        step: &'static str,
        statement: impl Into<String>,
        measured: impl Into<String>,
        holds: bool,
    ) -> Self {
        Claim {
            step,
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
        .map(|c| format!("{}: {} ({})", c.step, c.statement, c.measured))
        .collect()
}
