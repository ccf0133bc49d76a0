//! Every claim of problem 1 holds, as the tour reports them.

use deepgm_core::claims::failures;

#[test]
fn every_claim_holds() {
    let tour = deepgm_cnn::tour(0).unwrap();
    assert_eq!(tour.claims.len(), 5);
    let failed = failures(&tour.claims);
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(tour.training.epochs.len(), 5);
    assert_eq!(tour.held_out.len(), 500);
    assert_eq!(tour.output_sides.len(), 4);
    // Five networks, each with its parameter tensors and the input checked.
    assert_eq!(tour.gradient_checks.len(), 5 + 5 + 5 + 11 + 7);
}

#[test]
fn claims_are_reproducible_and_depend_on_the_seed() {
    let a = deepgm_cnn::claims(3).unwrap();
    assert_eq!(a, deepgm_cnn::claims(3).unwrap(), "same seed, same claims");
    assert_ne!(
        a,
        deepgm_cnn::claims(4).unwrap(),
        "another seed, other measurements"
    );
}
