//! Every claim of problem 3 holds (the tour's checks, at its default seed).

use deepgm_core::claims::failures;

#[test]
fn every_claim_holds() {
    let claims = deepgm_rbm::claims(0).unwrap();
    assert_eq!(claims.len(), 4);
    let failed = failures(&claims);
    assert!(failed.is_empty(), "{failed:#?}");
}
