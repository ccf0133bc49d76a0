//! The entry points the Python binding calls: data checks, single updates, per-example
//! pseudo-log-likelihoods, binarization of probabilities.

use deepgm_core::progress::NoProgress;
use deepgm_core::ErrorKind;
use deepgm_rbm::*;
use ndarray::Array2;

fn data() -> Array2<f32> {
    Array2::from_shape_fn((20, 6), |(r, c)| {
        f32::from(u8::from((c < 3) == (r % 2 == 0)))
    })
}

fn params() -> TrainParams {
    TrainParams {
        hidden: 3,
        batch: 5,
        sampler: Sampler::Pcd(1),
        seed: 4,
        ..Default::default()
    }
}

#[test]
fn non_finite_data_is_refused_by_name() {
    let mut bad = data();
    bad[[2, 1]] = f32::NAN;
    let err = Trainer::new(bad.view(), params())
        .err()
        .expect("NaN refused");
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert_eq!(err.to_string(), "invalid data NaN: expected finite values");
    let trainer = Trainer::new(data().view(), params()).unwrap();
    bad[[2, 1]] = f32::INFINITY;
    let err = trainer.model().check_visible(bad.view()).unwrap_err();
    assert!(err.to_string().contains("inf"), "{err}");
    let err = Binarization::Sample
        .apply_probabilities(bad.view(), 0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
}

#[test]
fn update_is_one_step_and_keeps_the_epoch_count() {
    let x = data();
    let mut trainer = Trainer::new(x.view(), params()).unwrap();
    assert!(trainer.chains().is_none());
    let before = trainer.model().clone();
    let error = trainer.update(x.view()).unwrap();
    assert!(error.is_finite() && error >= 0.0);
    assert_ne!(&before, trainer.model());
    assert_eq!(trainer.epochs_done(), 0);
    assert_eq!(trainer.chains().unwrap().dim(), (20, 6));
    let err = trainer.update(x.slice(ndarray::s![.., ..4])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    let err = trainer.update(x.slice(ndarray::s![..0, ..])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
}

#[test]
fn pseudo_log_likelihoods_average_to_the_score() {
    let x = data();
    let mut trainer = Trainer::new(x.view(), params()).unwrap();
    trainer.epoch(x.view(), &NoProgress).unwrap();
    let values = pseudo_log_likelihoods(trainer.model(), x.view(), 9).unwrap();
    assert_eq!(values.len(), 20);
    assert!(values.iter().all(|&v| v <= 0.0));
    let params = ScoreParams {
        seed: 9,
        ..Default::default()
    };
    let report = score(trainer.model(), x.view(), None, &params, &NoProgress).unwrap();
    assert!((values.mean().unwrap() - report.pseudo_log_likelihood).abs() < 1e-12);
    assert_ne!(
        values,
        pseudo_log_likelihoods(trainer.model(), x.view(), 10).unwrap()
    );
}

#[test]
fn binarization_of_probabilities_and_names() {
    let p = Array2::from_elem((200, 50), 0.3f32);
    let sampled = Binarization::Sample
        .apply_probabilities(p.view(), 1)
        .unwrap();
    let mean = sampled.mean().unwrap();
    assert!((mean - 0.3).abs() < 0.02, "{mean}");
    assert_eq!(
        sampled,
        Binarization::Sample
            .apply_probabilities(p.view(), 1)
            .unwrap()
    );
    assert_ne!(
        sampled,
        Binarization::Sample
            .apply_probabilities(p.view(), 2)
            .unwrap()
    );
    let t = Binarization::Threshold
        .apply_probabilities(ndarray::array![[0.51f32, 0.5]].view(), 0)
        .unwrap();
    assert_eq!(t, ndarray::array![[1.0f32, 0.0]]);
    for mode in [
        Binarization::Sample,
        Binarization::Resample,
        Binarization::Threshold,
    ] {
        assert_eq!(Binarization::from_name(mode.name()).unwrap(), mode);
    }
    let err = Binarization::from_name("round").unwrap_err();
    assert_eq!(err.parameter(), Some("binarize"));
}

#[test]
fn absurd_sizes_and_empty_scores_are_refused() {
    let x = data();
    let huge = TrainParams {
        hidden: 1 << 62,
        ..params()
    };
    let err = Trainer::new(x.view(), huge).err().expect("refused");
    assert_eq!(err.kind(), ErrorKind::Infeasible);
    let trainer = Trainer::new(x.view(), params()).unwrap();
    let err = score(
        trainer.model(),
        x.slice(ndarray::s![..0, ..]),
        None,
        &ScoreParams::default(),
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(err.parameter(), Some("data"));
}
