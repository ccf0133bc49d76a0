//! The one table from the libraries' parameter names to this program's flags.
//!
//! Libraries name their own parameters in errors (`samples`, `beta`, `learning_rate`); before an
//! error is printed, [`rename`] replaces such a name by the flag the user typed, using the table
//! of the command family that ran. Names not in a table (an input such as `dataset`) stay as the
//! library wrote them.

/// Which subcommand family ran: each has its own table, since one library name can be two
/// different flags in two families.
#[derive(Debug, Clone, Copy)]
pub enum Family {
    /// `deepgm tour`.
    Tour,
    /// `deepgm data ...`.
    Data,
    /// `deepgm mrf ...`.
    Mrf,
    /// `deepgm rbm ...`.
    Rbm,
    /// `deepgm cnn ...`.
    Cnn,
    /// `deepgm bn ...`.
    Bn,
}

/// Parameter names shared by every family.
const COMMON: &[(&str, &str)] = &[("seed", "--seed")];

const MRF: &[(&str, &str)] = &[
    ("flip", "--flip"),
    ("h", "--h"),
    ("beta", "--beta"),
    ("eta", "--eta"),
    ("max_sweeps", "--sweeps"),
    ("sweeps", "--sweeps"),
    ("temperature", "--temperature"),
    ("t_start", "--temperature"),
    ("t_end", "--final-temperature"),
];

const RBM: &[(&str, &str)] = &[
    ("hidden", "--hidden"),
    ("sampler", "--cd/--pcd"),
    ("batch", "--batch"),
    ("learning_rate", "--lr"),
    ("schedule", "--lr-decay"),
    ("final_momentum", "--momentum"),
    ("weight_decay", "--weight-decay"),
    ("ais_runs", "--ais-runs"),
    ("ais_betas", "--ais-betas"),
    ("chains", "--chains"),
    ("steps", "--steps"),
];

const CNN: &[(&str, &str)] = &[
    ("epochs", "--epochs"),
    ("batch_size", "--batch"),
    ("learning_rate", "--lr"),
    ("schedule", "--lr-factor"),
    ("momentum", "--momentum"),
    ("weight_decay", "--weight-decay"),
    ("maps", "--maps"),
    ("kernel", "--kernel"),
    ("stride", "--stride"),
    ("padding", "--padding"),
    ("pool", "--pool"),
    ("pool_stride", "--pool-stride"),
    ("digit", "--digit"),
];

const BN: &[(&str, &str)] = &[
    ("evidence", "--evidence"),
    ("targets", "--target"),
    ("samples", "--samples"),
    ("burn_in", "--burn-in"),
    ("max_memory", "--max-memory"),
    ("ess", "--ess"),
    ("max_indegree", "--max-indegree"),
    ("tabu_length", "--tabu"),
    ("restarts", "--restarts"),
    ("perturb", "--perturb"),
    ("tolerance", "--tolerance"),
    ("patience", "--patience"),
    ("whitelist", "--whitelist"),
    ("blacklist", "--blacklist"),
    ("start", "--start"),
];

fn table(family: Family) -> &'static [(&'static str, &'static str)] {
    match family {
        Family::Tour | Family::Data => &[],
        Family::Mrf => MRF,
        Family::Rbm => RBM,
        Family::Cnn => CNN,
        Family::Bn => BN,
    }
}

/// The flag of library parameter `name` in `family`, if it has one.
pub fn flag_for(family: Family, name: &str) -> Option<&'static str> {
    table(family)
        .iter()
        .chain(COMMON)
        .find(|(param, _)| *param == name)
        .map(|(_, flag)| *flag)
}

/// `err` with the parameter a library error is about ([`deepgm_core::Error::parameter`]: an
/// invalid parameter's name, or what sets an infeasible computation's budget), at any depth of
/// context, replaced by its flag in `family`.
pub fn rename(mut err: anyhow::Error, family: Family) -> anyhow::Error {
    let name = err
        .downcast_mut::<deepgm_core::Error>()
        .and_then(deepgm_core::Error::parameter_mut);
    if let Some(name) = name {
        if let Some(flag) = flag_for(family, name) {
            *name = flag.to_string();
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_become_flags_through_context() {
        use anyhow::Context;
        let err: anyhow::Result<()> =
            Err(deepgm_core::Error::param("seed", "x", "a number").into());
        let err = err.context("reading the options").unwrap_err();
        let text = format!("{:#}", rename(err, Family::Mrf));
        assert!(
            text.ends_with("invalid --seed x: expected a number"),
            "{text}"
        );
        let other = anyhow::Error::new(deepgm_core::Error::param("dataset", "", "rows"));
        assert_eq!(
            rename(other, Family::Bn).to_string(),
            "invalid dataset: rows"
        );
    }
}
