//! Networks built into the library, for examples, the tour and tests that must run without the
//! shared data directory. Both come from the bnlearn Bayesian network repository
//! (<https://www.bnlearn.com/bnrepository/>, CC BY-SA); see `data/README.md`.

use deepgm_core::builtin::{Builtin, BuiltinKind};
use deepgm_core::{Error, Result};

use crate::network::Network;

/// The BIF text of asia (Lauritzen and Spiegelhalter 1988): 8 binary variables, 8 arcs.
pub const ASIA: &str = include_str!("../data/asia.bif");

/// The BIF text of alarm (Beinlich et al. 1989): 37 variables, 46 arcs, 509 parameters.
pub const ALARM: &str = include_str!("../data/alarm.bif");

/// The names [`load`] accepts.
pub const NAMES: &[&str] = &["asia", "alarm"];

/// The built-in networks, named `builtin:asia` and `builtin:alarm` wherever a network file is
/// taken ([`crate::load`]).
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "asia",
        kind: BuiltinKind::Network,
        description: "asia (Lauritzen and Spiegelhalter 1988): 8 binary variables, 8 arcs",
    },
    Builtin {
        name: "alarm",
        kind: BuiltinKind::Network,
        description: "alarm (Beinlich et al. 1989): 37 variables, 46 arcs, 509 parameters",
    },
];

/// The BIF text of the built-in network called `name` (`asia` or `alarm`, case-insensitive).
pub fn text(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "asia" => Some(ASIA),
        "alarm" => Some(ALARM),
        _ => None,
    }
}

/// Parses the built-in network called `name` (see [`NAMES`]).
///
/// # Errors
/// [`Error::NotFound`] for another name.
pub fn load(name: &str) -> Result<Network> {
    let text = text(name).ok_or_else(|| Error::NotFound {
        message: format!(
            "no built-in network called '{name}' (built in: {})",
            deepgm_core::builtin::names_of(BUILTINS, BuiltinKind::Network)
        ),
    })?;
    crate::parse_bif(
        text,
        format!(
            "{}{}",
            deepgm_core::builtin::PREFIX,
            name.to_ascii_lowercase()
        ),
    )
}
