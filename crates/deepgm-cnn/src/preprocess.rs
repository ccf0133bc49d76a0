//! Turning any picture of a digit into an MNIST-like 28 x 28 image: grayscale, white digit on
//! black (inverted when the background is light), the digit's bounding box scaled to fit 20 x 20
//! and centred by its centre of mass, as MNIST was made.

use deepgm_core::{Error, Result};
use image::imageops::{resize, FilterType};
use image::{GrayImage, Luma};
use ndarray::Array2;

/// MNIST's image side.
pub const MNIST_SIDE: usize = 28;
/// The box MNIST fits each digit into.
const BOX: u32 = 20;

/// An MNIST-like 28 x 28 image (0 background, 255 ink) from a grayscale picture.
///
/// A picture that is already 28 x 28 on a dark background is returned unchanged.
///
/// # Errors
/// [`Error::InvalidParameter`] when the picture is blank (no ink to centre).
pub fn mnist_like(gray: &Array2<u8>) -> Result<Array2<u8>> {
    let (h, w) = gray.dim();
    let border: Vec<u8> = gray
        .indexed_iter()
        .filter(|((r, c), _)| *r == 0 || *c == 0 || *r + 1 == h || *c + 1 == w)
        .map(|(_, &v)| v)
        .collect();
    let border_mean =
        border.iter().map(|&v| f64::from(v)).sum::<f64>() / border.len().max(1) as f64;
    let ink = if border_mean > 127.0 {
        gray.mapv(|v| 255 - v)
    } else {
        gray.clone()
    };
    if (h, w) == (MNIST_SIDE, MNIST_SIDE) && border_mean <= 127.0 {
        return Ok(ink);
    }
    let max = ink.iter().copied().max().unwrap_or(0);
    let floor = ink.iter().copied().min().unwrap_or(0);
    if max <= floor.saturating_add(16) {
        return Err(Error::invalid(
            "image",
            "it is blank (no digit stands out from the background)",
        ));
    }
    // Remove the background level, then crop to the pixels that carry ink.
    let cut = floor + (max - floor) / 4;
    let ink = ink.mapv(|v| if v <= cut { 0 } else { v });
    let rows: Vec<usize> = (0..h)
        .filter(|&r| ink.row(r).iter().any(|&v| v > 0))
        .collect();
    let cols: Vec<usize> = (0..w)
        .filter(|&c| ink.column(c).iter().any(|&v| v > 0))
        .collect();
    let (r0, r1, c0, c1) = (
        rows[0],
        *rows.last().expect("ink"),
        cols[0],
        *cols.last().expect("ink"),
    );
    let (bh, bw) = (r1 - r0 + 1, c1 - c0 + 1);
    let crop = GrayImage::from_fn(bw as u32, bh as u32, |x, y| {
        Luma([ink[[r0 + y as usize, c0 + x as usize]]])
    });
    let scale = f64::from(BOX) / bh.max(bw) as f64;
    let (nw, nh) = (
        ((bw as f64 * scale).round() as u32).clamp(1, BOX),
        ((bh as f64 * scale).round() as u32).clamp(1, BOX),
    );
    let small = resize(&crop, nw, nh, FilterType::Triangle);
    // Centre of mass of the scaled digit goes to the image centre.
    let (mut mass, mut my, mut mx) = (0.0, 0.0, 0.0);
    for (x, y, p) in small.enumerate_pixels() {
        let v = f64::from(p[0]);
        mass += v;
        my += v * f64::from(y);
        mx += v * f64::from(x);
    }
    let (cy, cx) = if mass > 0.0 {
        (my / mass, mx / mass)
    } else {
        (f64::from(nh) / 2.0, f64::from(nw) / 2.0)
    };
    let max_off_y = (MNIST_SIDE as i64 - i64::from(nh)).max(0);
    let max_off_x = (MNIST_SIDE as i64 - i64::from(nw)).max(0);
    let off_y = ((MNIST_SIDE as f64 / 2.0 - cy).round() as i64).clamp(0, max_off_y);
    let off_x = ((MNIST_SIDE as f64 / 2.0 - cx).round() as i64).clamp(0, max_off_x);
    let mut out = Array2::zeros((MNIST_SIDE, MNIST_SIDE));
    for (x, y, p) in small.enumerate_pixels() {
        out[[
            (off_y + i64::from(y)) as usize,
            (off_x + i64::from(x)) as usize,
        ]] = p[0];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_digit_on_white_becomes_centred_white_on_black() {
        // A black bar in the top-left of a large white picture.
        let mut gray = Array2::from_elem((100, 80), 250u8);
        for r in 5..45 {
            for c in 5..15 {
                gray[[r, c]] = 10;
            }
        }
        let out = mnist_like(&gray).unwrap();
        assert_eq!(out.dim(), (28, 28));
        assert_eq!(out[[0, 0]], 0, "background is black");
        let ink: Vec<(usize, usize)> = out
            .indexed_iter()
            .filter(|(_, &v)| v > 128)
            .map(|(i, _)| i)
            .collect();
        let rows = ink.iter().map(|p| p.0);
        let (lo, hi) = (rows.clone().min().unwrap(), rows.max().unwrap());
        assert!(
            (18..=20).contains(&(hi - lo + 1)),
            "fits the 20-pixel box: {lo}..{hi}"
        );
        let mean_c = ink.iter().map(|p| p.1 as f64).sum::<f64>() / ink.len() as f64;
        assert!((mean_c - 13.5).abs() <= 1.0, "centred: {mean_c}");
    }

    #[test]
    fn mnist_sized_dark_background_is_unchanged_and_blank_is_an_error() {
        let digit = Array2::from_shape_fn((28, 28), |(r, c)| {
            if (8..20).contains(&r) && c == 14 {
                255
            } else {
                0
            }
        });
        assert_eq!(mnist_like(&digit).unwrap(), digit);
        assert!(mnist_like(&Array2::from_elem((30, 30), 200u8)).is_err());
    }
}
