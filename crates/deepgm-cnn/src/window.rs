//! The sliding-window output-size formula shared by convolution and pooling, and its errors.

use deepgm_core::{Error, Result};

/// Number of windows of side `window` at step `stride` along an axis of length `len` (padding
/// already included): `floor((len - window) / stride) + 1`. `layer` names the layer in errors
/// (`convolution`, `pooling`), `window_name` its window's field (`kernel`, `window`), and
/// `padded` says whether `len` includes zero padding.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `stride` or `window_name` when it is 0;
/// [`Error::Shape`] when the window is larger than the axis.
pub(crate) fn check_window(
    layer: &str,
    window_name: &str,
    len: usize,
    window: usize,
    stride: usize,
    padded: bool,
) -> Result<usize> {
    if stride == 0 {
        return Err(Error::param(
            "stride",
            0,
            format!("a {layer} stride of at least 1"),
        ));
    }
    if window == 0 {
        return Err(Error::param(
            window_name,
            0,
            format!("a {layer} {window_name} of at least 1"),
        ));
    }
    if window > len {
        return Err(Error::Shape {
            what: format!("{layer} {window_name}"),
            got: format!("{window} x {window}"),
            expected: format!(
                "at most the {}input side {len}",
                if padded { "padded " } else { "" }
            ),
        });
    }
    Ok((len - window) / stride + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepgm_core::ErrorKind;

    #[test]
    fn output_size_formula() {
        // floor((d-k)/s)+1, which differs from the source's (d-k+1)/s when s does not divide d-k+1.
        let size =
            |len, window, stride| check_window("c", "kernel", len, window, stride, false).unwrap();
        assert_eq!(size(28, 5, 1), 24);
        assert_eq!(size(10, 3, 2), 4); // source's (10-3+1)/2 = 4 agrees
        assert_eq!(size(11, 3, 2), 5); // source's (11-3+1)/2 = 4.5 does not
        assert_eq!(size(12, 5, 3), 3);
        assert_eq!(size(5, 5, 7), 1);
        let err = check_window("c", "kernel", 4, 5, 1, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Shape);
        let err = check_window("c", "kernel", 4, 2, 0, false).unwrap_err();
        assert_eq!(err.parameter(), Some("stride"));
        let err = check_window("c", "kernel", 4, 0, 1, false).unwrap_err();
        assert_eq!(err.parameter(), Some("kernel"));
    }
}
