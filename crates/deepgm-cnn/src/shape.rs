//! Shape checks shared by the layers: the sliding-window output-size formula and its errors.

use std::fmt;

/// A tensor or parameter shape that does not fit, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError(pub String);

impl ShapeError {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        ShapeError(message.into())
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShapeError {}

impl From<ShapeError> for deepgm_core::Error {
    fn from(e: ShapeError) -> Self {
        deepgm_core::Error::invalid("shape", e.0)
    }
}

/// Number of windows of side `window` at step `stride` along an axis of length `len` (padding
/// already included): `floor((len - window) / stride) + 1`.
///
/// # Errors
/// [`ShapeError`] when `stride` or `window` is 0 or `window > len`; `what` names the layer.
pub fn check_window(
    what: &str,
    len: usize,
    window: usize,
    stride: usize,
) -> Result<usize, ShapeError> {
    if stride == 0 {
        return Err(ShapeError::new(format!(
            "{what} stride 0: expected at least 1"
        )));
    }
    if window == 0 {
        return Err(ShapeError::new(format!(
            "{what} window 0: expected at least 1"
        )));
    }
    if window > len {
        return Err(ShapeError::new(format!(
            "{what} window {window} is larger than its input side {len}: expected at most {len}"
        )));
    }
    Ok((len - window) / stride + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_size_formula() {
        // floor((d-k)/s)+1, which differs from the source's (d-k+1)/s when s does not divide d-k+1.
        assert_eq!(check_window("c", 28, 5, 1), Ok(24));
        assert_eq!(check_window("c", 10, 3, 2), Ok(4)); // source's (10-3+1)/2 = 4 agrees
        assert_eq!(check_window("c", 11, 3, 2), Ok(5)); // source's (11-3+1)/2 = 4.5 does not
        assert_eq!(check_window("c", 12, 5, 3), Ok(3));
        assert_eq!(check_window("c", 5, 5, 7), Ok(1));
        assert!(check_window("c", 4, 5, 1).unwrap_err().0.contains("larger"));
        assert!(check_window("c", 4, 2, 0)
            .unwrap_err()
            .0
            .contains("stride 0"));
    }
}
