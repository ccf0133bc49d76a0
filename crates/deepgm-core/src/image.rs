//! Images: reading PNG and JPEG as grayscale, thresholding to {-1,+1} or {0,1}, writing arrays
//! back as PNG (atomically), and tiling many small images into one grid.

use std::io::Cursor;
use std::path::Path;

use ::image::codecs::png::{CompressionType, FilterType, PngEncoder};
use ::image::{ExtendedColorType, ImageEncoder, ImageFormat, ImageReader};
use ndarray::{Array2, ArrayView2};

use crate::atomic::write_atomic;
use crate::builtin;
use crate::error::{Error, Result};

/// Default threshold: a gray level at or above it is "on" (white, +1).
pub const DEFAULT_THRESHOLD: u8 = 128;

/// Largest image, in pixels, deepgm will decode (2^28 = 268 million, e.g. 16384 x 16384).
pub const MAX_PIXELS: u64 = 1 << 28;

/// Reads a PNG or JPEG file (format detected from the content) as 8-bit grayscale, shape
/// `(height, width)`. `builtin:horse` (see [`crate::builtin`]) reads the built-in picture.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] naming the file when it is not
/// a decodable PNG or JPEG, or has zero width or height; [`Error::NotFound`] for an unknown
/// `builtin:` name.
pub fn read_gray(path: &Path) -> Result<Array2<u8>> {
    if let Some(name) = builtin::builtin_name(path) {
        let bytes = builtin::picture(name).ok_or_else(|| Error::NotFound {
            message: format!(
                "no built-in picture called '{name}' (built in: {})",
                builtin::names_of(builtin::CORE_BUILTINS, builtin::BuiltinKind::Picture)
            ),
        })?;
        return decode_gray(bytes, path);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_gray(&bytes, path)
}

/// Decodes PNG or JPEG bytes as 8-bit grayscale, shape `(height, width)`. `path` names the
/// source in errors.
///
/// # Errors
/// [`Error::Format`] when the bytes are not a decodable PNG or JPEG, the image is larger than
/// [`MAX_PIXELS`], or it has zero width or height.
pub fn decode_gray(bytes: &[u8], path: &Path) -> Result<Array2<u8>> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::format(path, format!("cannot read image: {e}")))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg) => {}
        Some(other) => {
            return Err(Error::format(
                path,
                format!("unsupported image format {other:?}: expected PNG or JPEG"),
            ))
        }
        None => {
            return Err(Error::format(
                path,
                "not an image: expected a PNG or JPEG file",
            ))
        }
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| Error::format(path, format!("cannot read image header: {e}")))?;
    if width == 0 || height == 0 {
        return Err(Error::format(
            path,
            format!("image is {width} x {height} pixels: expected at least 1 x 1"),
        ));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::format(
            path,
            format!("image is {width} x {height} pixels: more than the {MAX_PIXELS} deepgm reads"),
        ));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::format(path, format!("cannot read image: {e}")))?;
    let decoded = reader
        .decode()
        .map_err(|e| Error::format(path, format!("cannot decode image: {e}")))?;
    let gray = decoded.into_luma8();
    let (w, h) = gray.dimensions();
    Ok(
        Array2::from_shape_vec((h as usize, w as usize), gray.into_raw())
            .expect("buffer size matches dimensions"),
    )
}

/// Thresholds gray levels to spins: `pixel >= threshold` gives +1 (white), otherwise -1.
pub fn to_spins(gray: &Array2<u8>, threshold: u8) -> Array2<i8> {
    gray.mapv(|p| if p >= threshold { 1 } else { -1 })
}

/// Thresholds gray levels to bits: `pixel >= threshold` gives 1, otherwise 0.
pub fn to_bits(gray: &Array2<u8>, threshold: u8) -> Array2<u8> {
    gray.mapv(|p| u8::from(p >= threshold))
}

/// Spins back to gray levels: +1 becomes 255 (white), -1 becomes 0 (black).
pub fn spins_to_gray(spins: &Array2<i8>) -> Array2<u8> {
    spins.mapv(|s| if s > 0 { 255 } else { 0 })
}

/// Values in [0, 1] to gray levels (clamped, rounded): 0 is black, 1 white.
pub fn unit_to_gray(values: ArrayView2<'_, f32>) -> Array2<u8> {
    values.mapv(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
}

/// Writes a grayscale array `(height, width)` as a PNG file, atomically.
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty array; [`Error::Io`] naming `path` on write failure.
pub fn write_png(path: &Path, gray: &Array2<u8>) -> Result<()> {
    let bytes = encode_png(gray)?;
    write_atomic(path, |w| {
        w.write_all(&bytes).map_err(|e| Error::io(path, e))
    })
}

/// The picture formats deepgm writes, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureFormat {
    /// PNG (lossless; the right choice for black-and-white images and grids).
    Png,
    /// JPEG at quality 95 (lossy: a black-and-white image comes back with gray edges).
    Jpeg,
}

/// JPEG quality [`write_image`] uses for `.jpg` and `.jpeg` names.
pub const JPEG_QUALITY: u8 = 95;

/// The format a file name calls for: `.png` -> PNG, `.jpg`/`.jpeg` -> JPEG (case-insensitive).
///
/// # Errors
/// [`Error::InvalidParameter`] (name `output`) for any other name, naming the file.
pub fn picture_format_of(path: &Path) -> Result<PictureFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => Ok(PictureFormat::Png),
        Some("jpg" | "jpeg") => Ok(PictureFormat::Jpeg),
        _ => Err(Error::invalid(
            "output",
            format!(
                "{}: expected a file name ending in .png, .jpg or .jpeg (the format follows the extension)",
                path.display()
            ),
        )),
    }
}

/// Writes a grayscale array `(height, width)` as the format `path`'s extension names (see
/// [`picture_format_of`]), atomically.
///
/// # Errors
/// As [`picture_format_of`] (checked before anything is written) and [`write_png`].
pub fn write_image(path: &Path, gray: &Array2<u8>) -> Result<()> {
    let bytes = match picture_format_of(path)? {
        PictureFormat::Png => encode_png(gray)?,
        PictureFormat::Jpeg => encode_jpeg(gray)?,
    };
    write_atomic(path, |w| {
        w.write_all(&bytes).map_err(|e| Error::io(path, e))
    })
}

/// Encodes a grayscale array `(height, width)` as JPEG bytes at [`JPEG_QUALITY`].
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty array or one larger than JPEG's 65,535 pixels a side.
pub fn encode_jpeg(gray: &Array2<u8>) -> Result<Vec<u8>> {
    let (h, w) = gray.dim();
    if h == 0 || w == 0 || h > 65_535 || w > 65_535 {
        return Err(Error::invalid(
            "image",
            format!("{w} x {h} pixels: JPEG holds 1 to 65,535 pixels a side"),
        ));
    }
    let standard = gray.as_standard_layout();
    let raw = standard.as_slice().expect("standard layout");
    let mut out = Vec::new();
    ::image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .write_image(raw, w as u32, h as u32, ExtendedColorType::L8)
        .map_err(|e| Error::invalid("image", format!("JPEG encoding failed: {e}")))?;
    Ok(out)
}

/// Encodes a grayscale array `(height, width)` as PNG bytes.
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty array or one too large for PNG.
pub fn encode_png(gray: &Array2<u8>) -> Result<Vec<u8>> {
    let (h, w) = gray.dim();
    if h == 0 || w == 0 {
        return Err(Error::invalid(
            "image",
            format!("{w} x {h} pixels: nothing to write"),
        ));
    }
    let too_big = || Error::invalid("image", format!("{w} x {h} pixels: too large for PNG"));
    let width = u32::try_from(w).map_err(|_| too_big())?;
    let height = u32::try_from(h).map_err(|_| too_big())?;
    let standard = gray.as_standard_layout();
    let raw = standard.as_slice().expect("standard layout");
    let mut out = Vec::new();
    // Fast deflate with the "Up" filter: the pictures deepgm writes (binary images, grids) repeat
    // from row to row, so this is within a few percent of the adaptive filter's size (38.8 kB
    // against 37.4 kB for a denoised 2048 x 2048 image) at a sixth of its time (0.9 ms, 5.8 ms).
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Up)
        .write_image(raw, width, height, ExtendedColorType::L8)
        .map_err(|e| Error::invalid("image", format!("PNG encoding failed: {e}")))?;
    Ok(out)
}

/// How [`tile_grid`] maps each tile's values to gray levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TileScale {
    /// Values are already in [0, 1] (probabilities, intensities).
    Unit,
    /// Each tile is stretched from its own minimum (black) to maximum (white): for filters.
    PerTile,
}

/// Tiles equally sized images into one grid picture with `cols` columns (rows as needed),
/// `padding` pixels of `background` gray between tiles and around the border. A tile with no
/// finite value (all NaN) is an empty slot, left as background.
/// `tiles` is a list of `(tile_height, tile_width)` views.
///
/// # Errors
/// [`Error::InvalidParameter`] when `tiles` is empty, `cols` is zero, or the tiles differ in shape.
pub fn tile_grid(
    tiles: &[ArrayView2<'_, f32>],
    cols: usize,
    padding: usize,
    background: u8,
    scale: TileScale,
) -> Result<Array2<u8>> {
    let first = tiles
        .first()
        .ok_or_else(|| Error::invalid("tiles", "no images to tile"))?;
    if cols == 0 {
        return Err(Error::invalid("columns", "0: expected at least 1"));
    }
    let (th, tw) = first.dim();
    if let Some((i, t)) = tiles.iter().enumerate().find(|(_, t)| t.dim() != (th, tw)) {
        return Err(Error::invalid(
            "tiles",
            format!(
                "tile {i} is {:?}, tile 0 is {:?}: all tiles must match",
                t.dim(),
                (th, tw)
            ),
        ));
    }
    let cols = cols.min(tiles.len());
    let rows = tiles.len().div_ceil(cols);
    let height = rows * th + (rows + 1) * padding;
    let width = cols * tw + (cols + 1) * padding;
    let mut canvas = Array2::from_elem((height, width), background);
    for (i, tile) in tiles.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let top = padding + r * (th + padding);
        let left = padding + c * (tw + padding);
        let (lo, hi) = match scale {
            TileScale::Unit => (0.0, 1.0),
            TileScale::PerTile => tile
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                }),
        };
        if tile.iter().all(|v| !v.is_finite()) {
            continue; // an empty slot: left as background
        }
        let span = if hi > lo { hi - lo } else { 1.0 };
        for ((y, x), &v) in tile.indexed_iter() {
            let unit = if v.is_finite() { (v - lo) / span } else { 0.0 };
            canvas[[top + y, left + x]] = (unit.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    }
    Ok(canvas)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn png_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        let gray = array![[0u8, 255, 17], [128, 127, 1]];
        write_png(&path, &gray).unwrap();
        assert_eq!(read_gray(&path).unwrap(), gray);
    }

    #[test]
    fn write_image_follows_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        let gray = Array2::from_shape_fn((16, 24), |(r, c)| ((r * 24 + c) % 256) as u8);
        let png = dir.path().join("a.PNG");
        write_image(&png, &gray).unwrap();
        assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
        let jpg = dir.path().join("a.jpg");
        write_image(&jpg, &gray).unwrap();
        let bytes = std::fs::read(&jpg).unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "not JPEG bytes");
        let back = read_gray(&jpg).unwrap();
        assert_eq!(back.dim(), gray.dim());
        let worst = back
            .iter()
            .zip(&gray)
            .map(|(&a, &b)| (i16::from(a) - i16::from(b)).abs())
            .max()
            .unwrap();
        assert!(worst <= 24, "JPEG at quality 95 off by {worst} gray levels");
        let gif = dir.path().join("a.gif");
        let err = write_image(&gif, &gray).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameter { name, .. } if name == "output"),
            "{err}"
        );
        assert!(!gif.exists());
    }

    #[test]
    fn builtin_horse_reads() {
        let horse = read_gray(Path::new("builtin:horse")).unwrap();
        assert_eq!(horse.dim(), (328, 400));
        let err = read_gray(Path::new("builtin:zebra")).unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        assert!(err.to_string().contains("builtin:horse"), "{err}");
    }

    #[test]
    fn threshold_convention() {
        let gray = array![[0u8, 127, 128, 255]];
        assert_eq!(to_spins(&gray, 128), array![[-1i8, -1, 1, 1]]);
        assert_eq!(to_bits(&gray, 128), array![[0u8, 0, 1, 1]]);
        assert_eq!(spins_to_gray(&array![[-1i8, 1]]), array![[0u8, 255]]);
    }

    #[test]
    fn jpeg_is_read_as_gray() {
        let img = ::image::RgbImage::from_pixel(8, 4, ::image::Rgb([200, 200, 200]));
        let mut bytes = Cursor::new(Vec::new());
        img.write_to(&mut bytes, ImageFormat::Jpeg).unwrap();
        let gray = decode_gray(bytes.get_ref(), Path::new("x.jpg")).unwrap();
        assert_eq!(gray.dim(), (4, 8));
        assert!(gray.iter().all(|&p| (195..=205).contains(&p)));
    }

    #[test]
    fn garbage_and_missing_files_are_clear_errors() {
        let err = decode_gray(b"hello world", Path::new("notes.txt")).unwrap_err();
        assert!(err.is_bad_input());
        assert!(
            matches!(&err, Error::Format { path, .. } if path == Path::new("notes.txt")),
            "{err}"
        );
        let err = read_gray(Path::new("/no/such/file.png")).unwrap_err();
        assert!(err.is_bad_input(), "{err}");
        assert!(
            matches!(&err, Error::Io { path, source } if path == Path::new("/no/such/file.png")
                && source.kind() == std::io::ErrorKind::NotFound),
            "{err}"
        );
    }

    #[test]
    fn grid_layout() {
        let a = Array2::from_elem((2, 3), 0.0f32);
        let b = Array2::from_elem((2, 3), 1.0f32);
        let grid = tile_grid(&[a.view(), b.view(), a.view()], 2, 1, 7, TileScale::Unit).unwrap();
        assert_eq!(grid.dim(), (2 * 2 + 3, 2 * 3 + 3));
        assert_eq!(grid[[0, 0]], 7);
        assert_eq!(grid[[1, 1]], 0);
        assert_eq!(grid[[1, 5]], 255);
        assert!(tile_grid(&[], 2, 1, 0, TileScale::Unit).is_err());
    }
}
