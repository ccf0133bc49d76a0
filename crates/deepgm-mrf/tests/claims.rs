//! Every claim the tour reports for Ising-model denoising holds (the tour's own seed, 0).

use deepgm_core::claims::failures;

#[test]
fn every_claim_holds() {
    let tour = deepgm_mrf::tour(0).unwrap();
    assert_eq!(tour.claims.len(), 6);
    assert_eq!(tour.claims.iter().filter(|c| c.step.is_none()).count(), 1);
    let failed = failures(&tour.claims);
    assert!(
        failed.is_empty(),
        "claims that fail:\n{}",
        failed.join("\n")
    );
    assert!(
        tour.horse.removes_noise(),
        "input error {}; {:?}",
        tour.horse.noisy_error_rate,
        tour.horse
            .runs
            .iter()
            .map(|r| (r.result.report.method, r.error_rate))
            .collect::<Vec<_>>()
    );
    assert_eq!(tour.horse.runs.len(), 4);
    assert_eq!(tour.horse.clean.dim(), (328, 400));
}

#[test]
fn claims_are_reproducible_and_depend_on_the_seed() {
    let tour = deepgm_mrf::tour(1).unwrap();
    let failed = failures(&tour.claims);
    assert!(
        failed.is_empty(),
        "claims that fail:\n{}",
        failed.join("\n")
    );
    assert!(tour.horse.removes_noise());
    // No timing enters the claims' text, so equal seeds give equal claims.
    assert_eq!(deepgm_mrf::claims(1).unwrap(), tour.claims);
    assert_ne!(deepgm_mrf::claims(2).unwrap(), tour.claims);
}
