//! Every claim of problem 2 (the tour's Bayesian-network checks) holds.

#[test]
fn every_claim_holds() {
    let claims = deepgm_bn::claims(0).unwrap();
    assert_eq!(claims.len(), 9);
    let failures = deepgm_core::claims::failures(&claims);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_sampling_claims_depend_on_the_seed_and_the_exact_ones_do_not() {
    let a = deepgm_bn::claims(0).unwrap();
    let b = deepgm_bn::claims(0).unwrap();
    let c = deepgm_bn::claims(1).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    for ((x, y), z) in a.iter().zip(&b).zip(&c) {
        assert_eq!(x.step, z.step);
        assert_eq!(x, y);
        let step = x.step.unwrap_or("");
        if !step.contains("sampling") && !step.contains("approximate") {
            assert_eq!(x, z, "{step}");
        }
    }
    assert!(deepgm_core::claims::failures(&c).is_empty());
}
