//! Classifying pictures of digits with an MNIST network: each picture made MNIST-like
//! ([`mnist_like`]), standardized, and scored; a picture that cannot be read is reported and
//! the others are still classified.

use std::path::PathBuf;

use deepgm_core::image::read_gray;
use deepgm_core::{Error, Result};
use ndarray::{Array2, ArrayView1};
use serde::Serialize;

use crate::evaluate::probabilities;
use crate::images::standardize;
use crate::loss::predicted;
use crate::preprocess::{mnist_like, MNIST_SIDE};
use crate::sequential::Sequential;

/// The class of one picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The picture's file, as given.
    pub file: String,
    /// The most probable digit.
    pub digit: usize,
    /// The probability of each digit (softmax of the scores), summing to 1.
    pub probabilities: Vec<f64>,
}

/// A picture that could not be classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PictureError {
    /// The picture's file, as given.
    pub file: String,
    /// Why (the error's message, naming the file).
    pub error: String,
}

/// The classes of a list of pictures (the report of `deepgm cnn predict`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictReport {
    /// One per picture read, in the order given.
    pub predictions: Vec<Prediction>,
    /// One per picture that could not be read or holds no digit, in the order given.
    pub errors: Vec<PictureError>,
}

/// Checks that `model` takes MNIST's `1 x 28 x 28` inputs.
///
/// # Errors
/// [`Error::Shape`] otherwise.
pub fn check_mnist_model(model: &Sequential<f32>) -> Result<()> {
    if model.input_shape != [1, MNIST_SIDE, MNIST_SIDE] {
        return Err(Error::shape(
            "the model's input",
            model.input_shape,
            "1 x 28 x 28 (an MNIST model)",
        ));
    }
    Ok(())
}

/// Classifies the pictures (PNG or JPEG, any size; built-in names as
/// [`deepgm_core::image::read_gray`] takes) at `paths` with an MNIST `model`. A picture that
/// cannot be read, or is blank, goes to the report's `errors` and the others are classified.
///
/// # Errors
/// [`Error::Shape`] when `model` is not an MNIST model ([`check_mnist_model`]).
pub fn predict_files(model: &Sequential<f32>, paths: &[PathBuf]) -> Result<PredictReport> {
    check_mnist_model(model)?;
    let mut pictures: Vec<Array2<u8>> = Vec::new();
    let mut readable = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let digit = read_gray(path)
            .and_then(|gray| mnist_like(&gray).map_err(|e| Error::format(path, e.to_string())));
        match digit {
            Ok(digit) => {
                pictures.push(digit);
                readable.push(path);
            }
            Err(e) => errors.push(PictureError {
                file: path.display().to_string(),
                error: e.to_string(),
            }),
        }
    }
    let probs = if pictures.is_empty() {
        Vec::new()
    } else {
        probabilities(model.predict(standardize(&pictures)?.view()).view())
    };
    let predictions = readable
        .iter()
        .zip(probs)
        .map(|(path, p)| Prediction {
            file: path.display().to_string(),
            digit: predicted(ArrayView1::from(&p[..])),
            probabilities: p,
        })
        .collect();
    Ok(PredictReport {
        predictions,
        errors,
    })
}
