//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use deepgm_bn::Network;

/// The shared bnlearn networks, `<repo root>/../shared/data/bif`, if present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bif");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; skipping the shared-network checks",
            dir.display()
        );
        None
    }
}

/// The 13 shared network names.
pub const SHARED: [&str; 13] = [
    "alarm",
    "asia",
    "barley",
    "cancer",
    "child",
    "earthquake",
    "hailfinder",
    "insurance",
    "mildew",
    "munin",
    "sachs",
    "survey",
    "water",
];

/// The path of a format fixture (written by pgmpy and pyAgrum, see `make_fixtures.py`).
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

/// Asserts that two networks are identical: names, properties, variables, states, parents and
/// every table value bit for bit.
pub fn assert_identical(a: &Network, b: &Network, what: &str) {
    assert_eq!(a.name(), b.name(), "{what}: network name");
    assert_eq!(a.properties(), b.properties(), "{what}: network properties");
    assert_eq!(a.variables(), b.variables(), "{what}: variables");
    for (ca, cb) in a.cpts().iter().zip(b.cpts()) {
        let name = &a.variable(ca.child).name;
        assert_eq!(ca.parents, cb.parents, "{what}: parents of {name}");
        assert_eq!(
            ca.values.len(),
            cb.values.len(),
            "{what}: table size of {name}"
        );
        for (k, (x, y)) in ca.values.iter().zip(&cb.values).enumerate() {
            assert_eq!(
                x.to_bits(),
                y.to_bits(),
                "{what}: value {k} of {name}: {x} vs {y}"
            );
        }
    }
    assert_eq!(a, b, "{what}");
}

/// The probability of a full assignment (`states[v]` for every variable v).
pub fn joint(net: &Network, states: &[usize]) -> f64 {
    net.cpts()
        .iter()
        .map(|cpt| {
            let parents: Vec<usize> = cpt.parents.iter().map(|&p| states[p]).collect();
            cpt.probability(&parents, states[cpt.child])
                .expect("states in range")
        })
        .product()
}

/// Calls `f` with every full assignment (odometer order, last variable fastest).
pub fn for_each_assignment(net: &Network, mut f: impl FnMut(&[usize])) {
    let cards: Vec<usize> = (0..net.n_variables()).map(|v| net.cardinality(v)).collect();
    let mut states = vec![0usize; cards.len()];
    loop {
        f(&states);
        let mut k = cards.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            states[k] += 1;
            if states[k] < cards[k] {
                break;
            }
            states[k] = 0;
        }
    }
}

/// The sum of the joint over every assignment, by brute-force enumeration.
pub fn joint_sum(net: &Network) -> f64 {
    let mut total = 0.0;
    for_each_assignment(net, |s| total += joint(net, s));
    total
}
