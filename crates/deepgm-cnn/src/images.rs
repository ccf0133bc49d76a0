//! Labelled images ready for a network: MNIST's standardization and the checks that a set fits
//! a model.

use deepgm_core::mnist::Mnist;
use deepgm_core::{Error, Result};
use ndarray::{s, Array2, Array4, ArrayView4};

use crate::sequential::Sequential;

/// Mean of the MNIST training pixels (after scaling to [0, 1]); inputs are standardized with it.
pub const MNIST_MEAN: f32 = 0.1307;
/// Standard deviation of the MNIST training pixels (after scaling to [0, 1]).
pub const MNIST_STD: f32 = 0.3081;

/// The input value of a pixel: `(v / 255 - MNIST_MEAN) / MNIST_STD` (the usual MNIST
/// preprocessing, `ToTensor` then `Normalize((0.1307,), (0.3081,))` in PyTorch).
pub fn normalize_pixel(v: u8) -> f32 {
    (f32::from(v) / 255.0 - MNIST_MEAN) / MNIST_STD
}

/// Labelled images ready for a network: `images` is `(N, 1, H, W)`, standardized.
#[derive(Debug, Clone)]
pub struct ImageSet {
    /// Standardized pixels, `(N, 1, H, W)`.
    pub images: Array4<f32>,
    /// Class labels, one per image.
    pub labels: Vec<u8>,
}

impl ImageSet {
    /// Standardizes MNIST digits with [`normalize_pixel`].
    pub fn from_mnist(mnist: &Mnist) -> Self {
        let (n, h, w) = mnist.images.dim();
        let images = mnist
            .images
            .mapv(normalize_pixel)
            .into_shape_with_order((n, 1, h, w))
            .expect("same element count");
        ImageSet {
            images,
            labels: mnist.labels.clone(),
        }
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Checks that there is at least one image (`empty` says what is missing otherwise) and
    /// that the set fits `model` ([`Self::check_fits`]).
    pub(crate) fn check_run(&self, model: &Sequential<f32>, empty: &str) -> Result<()> {
        if self.is_empty() {
            return Err(Error::invalid("data", empty));
        }
        self.check_fits(model)
    }

    /// Checks that the images fit `model` and every label is one of its classes.
    ///
    /// # Errors
    /// [`Error::Shape`] when the images are not the network's input shape;
    /// [`Error::InvalidParameter`] (name `data`) naming the first bad label or a label count
    /// that differs from the image count, or a value that is not finite ([`check_images`]).
    pub fn check_fits(&self, model: &Sequential<f32>) -> Result<()> {
        check_images(model, self.images.view())?;
        let n = self.images.dim().0;
        if n != self.labels.len() {
            return Err(Error::invalid(
                "data",
                format!(
                    "{n} images but {} labels: expected one each",
                    self.labels.len()
                ),
            ));
        }
        let classes = model.classes();
        if let Some((i, &y)) = self
            .labels
            .iter()
            .enumerate()
            .find(|(_, &y)| usize::from(y) >= classes)
        {
            return Err(Error::invalid(
                "data",
                format!("label {y} of image {i}: expected 0..{classes}"),
            ));
        }
        Ok(())
    }
}

/// Checks that `(N, C, H, W)` inputs fit `model`: one example is its input shape and every
/// value is finite.
///
/// # Errors
/// [`Error::Shape`] when the images are not the network's input shape;
/// [`Error::InvalidParameter`] (name `data`) naming the first value that is not finite.
pub fn check_images(model: &Sequential<f32>, images: ArrayView4<'_, f32>) -> Result<()> {
    let (_, c, h, w) = images.dim();
    if [c, h, w] != model.input_shape {
        return Err(Error::shape(
            "images",
            [c, h, w],
            format!("{:?}, the network's input", model.input_shape),
        ));
    }
    let per_image = (c * h * w).max(1);
    if let Some((i, v)) = images.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(
            "data",
            format!(
                "value {v} in image {}: expected finite inputs",
                i / per_image
            ),
        ));
    }
    Ok(())
}

/// Standardized `(n, 1, H, W)` inputs from `H x W` pictures (all of one size) with
/// [`normalize_pixel`].
///
/// # Errors
/// [`Error::Shape`] when the pictures differ in size.
pub fn standardize(pictures: &[Array2<u8>]) -> Result<Array4<f32>> {
    let (h, w) = pictures.first().map_or((0, 0), Array2::dim);
    let mut x = Array4::zeros((pictures.len(), 1, h, w));
    for (i, img) in pictures.iter().enumerate() {
        if img.dim() != (h, w) {
            return Err(Error::shape(
                format!("picture {i}"),
                img.dim(),
                format!("{h} x {w}, as the first"),
            ));
        }
        x.slice_mut(s![i, 0, .., ..])
            .assign(&img.mapv(normalize_pixel));
    }
    Ok(x)
}
