//! Graph queries: topological order, children, Markov blanket and d-separation, checked on
//! asia and against brute-force conditional independence on random small networks.

mod common;

use common::{for_each_assignment, joint, joint_sum};
use deepgm_bn::{embedded, Cpt, Network, Variable};
use proptest::prelude::*;

fn asia() -> Network {
    embedded::load("asia").unwrap()
}

fn ids(net: &Network, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| net.find(n).unwrap_or_else(|| panic!("{n}")))
        .collect()
}

#[test]
fn asia_topological_order_is_smallest_index_first() {
    let net = asia();
    assert_eq!(net.topological_order(), (0..8).collect::<Vec<_>>());
    let either = net.find("either").unwrap();
    assert_eq!(net.parents(either), ids(&net, &["lung", "tub"]).as_slice());
    assert_eq!(
        net.children(either),
        ids(&net, &["xray", "dysp"]).as_slice()
    );
}

#[test]
fn asia_markov_blankets() {
    let net = asia();
    let mut expected = ids(&net, &["lung", "tub", "xray", "dysp", "bronc"]);
    expected.sort();
    assert_eq!(net.markov_blanket(net.find("either").unwrap()), expected);
    let mut expected = ids(&net, &["smoke", "either", "tub"]);
    expected.sort();
    assert_eq!(net.markov_blanket(net.find("lung").unwrap()), expected);
    assert_eq!(
        net.markov_blanket(net.find("asia").unwrap()),
        ids(&net, &["tub"])
    );
}

#[test]
fn asia_d_separation() {
    let net = asia();
    let sep = |x: &[&str], y: &[&str], z: &[&str]| {
        net.d_separated(&ids(&net, x), &ids(&net, y), &ids(&net, z))
    };
    assert!(sep(&["smoke"], &["asia"], &[]));
    assert!(!sep(&["smoke"], &["asia"], &["dysp"])); // collider either, descendant dysp observed
    assert!(!sep(&["smoke"], &["asia"], &["either"]));
    assert!(!sep(&["smoke"], &["asia"], &["xray"]));
    assert!(sep(&["smoke"], &["asia"], &["lung", "xray"])); // lung blocks smoke's only route
    assert!(!sep(&["xray"], &["smoke"], &[]));
    assert!(sep(&["xray"], &["dysp"], &["either"]));
    assert!(!sep(&["xray"], &["dysp"], &["lung"]));
    assert!(sep(&["lung"], &["bronc"], &["smoke"]));
    assert!(!sep(&["lung"], &["bronc"], &["smoke", "dysp"]));
    assert!(sep(&["tub"], &["smoke", "bronc"], &[]));
    assert!(!sep(&["tub"], &["tub"], &[])); // a variable is not separated from itself
    assert!(sep(&["tub"], &["tub"], &["tub"])); // ... unless observed
    assert!(sep(&[], &["tub"], &[]));
}

/// A random DAG on `n` variables with cards in 2..=3, random tables, and a random numbering.
fn random_network(n: usize, seed: u64) -> Network {
    // A small deterministic generator so that proptest shrinks over (n, seed).
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state ^= state >> 33;
        state = state.wrapping_mul(0xff51afd7ed558ccd);
        state ^= state >> 33;
        state = state.wrapping_mul(0xc4ceb9fe1a85ec53);
        state ^= state >> 33;
        state
    };
    // Position k in a hidden order gets variable label perm[k].
    let mut perm: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        perm.swap(k, (next() % (k as u64 + 1)) as usize);
    }
    let variables: Vec<Variable> = (0..n)
        .map(|i| {
            Variable::new(
                format!("V{i}"),
                (0..2 + next() % 2).map(|s| format!("s{s}")),
            )
        })
        .collect();
    let mut cpts = Vec::new();
    for k in 0..n {
        let child = perm[k];
        let parents: Vec<usize> = (0..k)
            .filter(|_| next() % 100 < 45)
            .map(|j| perm[j])
            .collect();
        let mut cpt = Cpt::new(child, parents, Vec::new(), &variables);
        for _ in 0..cpt.n_rows() {
            let raw: Vec<f64> = (0..cpt.child_card)
                .map(|_| 0.05 + (next() % 1000) as f64 / 1000.0)
                .collect();
            let sum: f64 = raw.iter().sum();
            cpt.values.extend(raw.iter().map(|v| v / sum));
        }
        cpts.push(cpt);
    }
    Network::new("random", variables, cpts).expect("valid by construction")
}

/// The largest violation of `P(x,y,z) P(z) = P(x,z) P(y,z)` over all states.
fn independence_gap(net: &Network, x: &[usize], y: &[usize], z: &[usize]) -> f64 {
    use std::collections::HashMap;
    type States = Vec<usize>;
    let key = |s: &[usize], vs: &[usize]| vs.iter().map(|&v| s[v]).collect::<States>();
    let mut pxyz: HashMap<(States, States, States), f64> = HashMap::new();
    let mut pxz: HashMap<(States, States), f64> = HashMap::new();
    let mut pyz: HashMap<(States, States), f64> = HashMap::new();
    let mut pz: HashMap<States, f64> = HashMap::new();
    for_each_assignment(net, |s| {
        let p = joint(net, s);
        let (kx, ky, kz) = (key(s, x), key(s, y), key(s, z));
        *pxyz
            .entry((kx.clone(), ky.clone(), kz.clone()))
            .or_default() += p;
        *pxz.entry((kx, kz.clone())).or_default() += p;
        *pyz.entry((ky, kz.clone())).or_default() += p;
        *pz.entry(kz).or_default() += p;
    });
    pxyz.iter()
        .map(|((kx, ky, kz), &p)| {
            let lhs = p * pz[kz];
            let rhs = pxz[&(kx.clone(), kz.clone())] * pyz[&(ky.clone(), kz.clone())];
            (lhs - rhs).abs()
        })
        .fold(0.0, f64::max)
}

/// Splits the variables into disjoint X, Y, Z by a per-variable choice (0 = none).
fn split(n: usize, choice: &[u8]) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let pick = |c: u8| (0..n).filter(|&v| choice[v] == c).collect::<Vec<_>>();
    (pick(1), pick(2), pick(3))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn topological_order_is_a_permutation_respecting_arcs(n in 1usize..12, seed in any::<u64>()) {
        let net = random_network(n, seed);
        let order = net.topological_order();
        let mut position = vec![usize::MAX; n];
        for (k, &v) in order.iter().enumerate() {
            prop_assert_eq!(position[v], usize::MAX);
            position[v] = k;
        }
        for v in 0..n {
            for &p in net.parents(v) {
                prop_assert!(position[p] < position[v]);
                prop_assert!(net.children(p).contains(&v));
            }
            for &c in net.children(v) {
                prop_assert!(net.parents(c).contains(&v));
            }
            prop_assert!(net.children(v).windows(2).all(|w| w[0] < w[1]));
        }
        prop_assert_eq!(net.n_arcs(), (0..n).map(|v| net.children(v).len()).sum::<usize>());
    }

    #[test]
    fn the_joint_of_a_random_network_sums_to_one(n in 1usize..7, seed in any::<u64>()) {
        let net = random_network(n, seed);
        let sum = joint_sum(&net);
        prop_assert!((sum - 1.0).abs() < 1e-12, "{}", sum);
    }

    #[test]
    fn d_separation_agrees_with_conditional_independence(
        n in 2usize..6,
        seed in any::<u64>(),
        choice in proptest::collection::vec(0u8..4, 6),
    ) {
        let net = random_network(n, seed);
        let (x, y, z) = split(n, &choice);
        prop_assume!(!x.is_empty() && !y.is_empty());
        let gap = independence_gap(&net, &x, &y, &z);
        if net.d_separated(&x, &y, &z) {
            prop_assert!(gap < 1e-13, "d-separated but gap {}", gap);
            prop_assert!(net.d_separated(&y, &x, &z), "symmetry");
        } else {
            // Random tables are faithful to the graph (almost surely).
            prop_assert!(gap > 1e-10, "not d-separated but gap {}", gap);
        }
    }

    #[test]
    fn a_variable_is_separated_from_the_rest_by_its_markov_blanket(n in 2usize..7, seed in any::<u64>(), v in 0usize..7) {
        let net = random_network(n, seed);
        let v = v % n;
        let blanket = net.markov_blanket(v);
        let rest: Vec<usize> = (0..n).filter(|&u| u != v && !blanket.contains(&u)).collect();
        prop_assert!(net.d_separated(&[v], &rest, &blanket));
        if !rest.is_empty() {
            prop_assert!(independence_gap(&net, &[v], &rest, &blanket) < 1e-13);
        }
        // Every member of the blanket matters: dropping one from the conditioning set connects it.
        for &b in &blanket {
            let others: Vec<usize> = blanket.iter().copied().filter(|&u| u != b).collect();
            prop_assert!(!net.d_separated(&[v], &[b], &others));
        }
    }
}
