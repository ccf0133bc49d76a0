//! The IDX file format (the container of MNIST), raw or gzip-compressed.
//!
//! Layout: a big-endian `u32` magic `0x0000_TTNN` (`TT` the element type, `NN` the number of
//! dimensions), then `NN` big-endian `u32` dimensions, then the elements in row-major order.
//! deepgm reads unsigned-byte data (`TT = 0x08`), which is what MNIST holds. Compression is
//! detected from the content (the gzip magic `1f 8b`), never from the file name.

use std::io::{Read, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// The IDX element-type code for unsigned bytes.
pub const TYPE_U8: u8 = 0x08;

/// Largest decompressed IDX file deepgm accepts (1 GiB): far above MNIST (47 MB), and a guard
/// against decompression bombs.
pub const MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;

/// An IDX array of unsigned bytes: its dimensions and its data in row-major order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The magic number as stored (e.g. 2051 for MNIST images, 2049 for labels).
    pub magic: u32,
    /// The dimensions, outermost first (e.g. `[60000, 28, 28]`).
    pub dims: Vec<usize>,
    /// `dims.iter().product()` bytes, row-major.
    pub data: Vec<u8>,
}

/// True when `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Decompresses `bytes` when they are gzip, else returns them unchanged. `path` is only used to
/// name the file in errors.
///
/// # Errors
/// [`Error::Format`] when the gzip stream is corrupt or decompresses to more than
/// [`MAX_DECOMPRESSED_BYTES`].
pub fn maybe_gunzip(bytes: Vec<u8>, path: &Path) -> Result<Vec<u8>> {
    if !is_gzip(&bytes) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(&bytes[..]);
    decoder
        .take(MAX_DECOMPRESSED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::format(path, format!("corrupt gzip data: {e}")))?;
    if out.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(Error::format(
            path,
            format!("decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes"),
        ));
    }
    Ok(out)
}

/// Parses an IDX file held in memory, raw or gzipped. `path` names the file in errors.
///
/// # Errors
/// [`Error::Format`] naming `path` when the header is short, the magic number is not an IDX
/// unsigned-byte magic, or the data length disagrees with the dimensions (truncated or
/// trailing bytes).
pub fn decode(bytes: Vec<u8>, path: &Path) -> Result<IdxArray> {
    let bytes = maybe_gunzip(bytes, path)?;
    if bytes.len() < 4 {
        return Err(Error::format(
            path,
            format!(
                "not an IDX file: {} bytes, too short for a header",
                bytes.len()
            ),
        ));
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != TYPE_U8 || bytes[3] == 0 {
        return Err(Error::format(
            path,
            format!(
                "wrong magic number {magic} (0x{magic:08x}): expected an IDX unsigned-byte magic \
                 such as 2051 (images) or 2049 (labels)"
            ),
        ));
    }
    let ndims = bytes[3] as usize;
    let header_len = 4 + 4 * ndims;
    if bytes.len() < header_len {
        return Err(Error::format(
            path,
            format!(
                "truncated header: {ndims} dimensions need {header_len} bytes, file holds {}",
                bytes.len()
            ),
        ));
    }
    let dims: Vec<usize> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n as u64 <= MAX_DECOMPRESSED_BYTES)
        .ok_or_else(|| Error::format(path, format!("dimensions {dims:?} are too large")))?;
    let actual = bytes.len() - header_len;
    if actual != expected {
        let what = if actual < expected {
            "truncated"
        } else {
            "trailing bytes"
        };
        return Err(Error::format(
            path,
            format!("{what}: dimensions {dims:?} need {expected} data bytes, file holds {actual}"),
        ));
    }
    let mut data = bytes;
    data.drain(..header_len);
    Ok(IdxArray { magic, dims, data })
}

/// Reads and parses an IDX file, raw or gzipped.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; otherwise as [`decode`].
pub fn read(path: &Path) -> Result<IdxArray> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode(bytes, path)
}

/// Serializes an array as IDX (unsigned bytes), gzip-compressed when `gzip` is true.
///
/// # Panics
/// Never for arrays built by [`decode`]; a caller-built array whose `data` length differs from
/// the product of `dims` is a programming error and is caught by a debug assertion.
pub fn encode(array: &IdxArray, gzip: bool) -> Vec<u8> {
    debug_assert_eq!(array.data.len(), array.dims.iter().product::<usize>());
    let mut raw = Vec::with_capacity(4 + 4 * array.dims.len() + array.data.len());
    raw.extend_from_slice(&[0, 0, TYPE_U8, array.dims.len() as u8]);
    for &d in &array.dims {
        raw.extend_from_slice(&(d as u32).to_be_bytes());
    }
    raw.extend_from_slice(&array.data);
    if !gzip {
        return raw;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(&raw)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> IdxArray {
        IdxArray {
            magic: 0x0803,
            dims: vec![2, 3, 2],
            data: (0..12).collect(),
        }
    }

    #[test]
    fn round_trip_raw_and_gzip() {
        for gzip in [false, true] {
            let bytes = encode(&sample(), gzip);
            assert_eq!(is_gzip(&bytes), gzip);
            assert_eq!(decode(bytes, Path::new("x")).unwrap(), sample());
        }
    }

    #[test]
    fn truncated_file_is_named() {
        let mut bytes = encode(&sample(), false);
        bytes.pop();
        let err = decode(bytes, Path::new("t10k-images")).unwrap_err();
        assert!(
            matches!(&err, Error::Format { path, message, .. }
                if path == Path::new("t10k-images") && message.contains("truncated")),
            "{err}"
        );
    }

    #[test]
    fn wrong_magic_is_named() {
        let mut bytes = encode(&sample(), false);
        bytes[2] = 0x0D; // float type
        let err = decode(bytes, Path::new("f")).unwrap_err();
        assert!(
            matches!(&err, Error::Format { path, message, .. }
                if path == Path::new("f") && message.contains("wrong magic number")),
            "{err}"
        );
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let mut bytes = encode(&sample(), true);
        let n = bytes.len();
        bytes[n / 2] ^= 0xff;
        bytes.truncate(n - 6);
        assert!(decode(bytes, Path::new("g")).is_err());
    }

    #[test]
    fn huge_dimensions_do_not_allocate() {
        let bytes = vec![
            0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 9,
        ];
        assert!(decode(bytes, Path::new("h")).is_err());
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(bytes, Path::new("p"));
        }
    }
}
