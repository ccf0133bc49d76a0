//! The network file formats, and loading and saving networks by file name: `.bif`, `.xml`,
//! `.xmlbif`, `.bifxml`, each optionally gzipped (`.gz`).
//!
//! - [`bif`]: BIF (the bnlearn repository's format): reader and writer;
//! - [`xmlbif`]: XMLBIF 0.3: reader and writer;
//! - [`load`], [`save`], [`parse_bytes`], [`to_text`]: by file name or [`FileFormat`].

pub mod bif;
pub mod xmlbif;

use std::io::{Read, Write};
use std::path::Path;

use deepgm_core::atomic::write_bytes_atomic;
use deepgm_core::{Error, Result};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::network::Network;

/// The largest decompressed file [`load`] accepts (1 GiB), so a hostile `.gz` cannot exhaust
/// memory.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A network file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// BIF text (see [`bif`]).
    Bif,
    /// XMLBIF 0.3 (see [`xmlbif`]).
    XmlBif,
}

/// The format a file name calls for, and whether it is gzipped: `.bif` -> BIF; `.xml`,
/// `.xmlbif`, `.bifxml` -> XMLBIF; each also with `.gz` appended. Case-insensitive. `None` for
/// other names.
pub fn format_of(path: &Path) -> Option<(FileFormat, bool)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (stem, gz) = match name.strip_suffix(".gz") {
        Some(stem) => (stem.to_string(), true),
        None => (name, false),
    };
    let ext = Path::new(&stem).extension()?.to_str()?.to_string();
    match ext.as_str() {
        "bif" => Some((FileFormat::Bif, gz)),
        "xml" | "xmlbif" | "bifxml" => Some((FileFormat::XmlBif, gz)),
        _ => None,
    }
}

/// Reads a network from `path`, by extension (see [`format_of`]). Whatever its name, a file that
/// starts with the gzip magic bytes is decompressed first; a file with an unknown extension is
/// read as XMLBIF when its text starts with `<`, as BIF otherwise. `builtin:asia` and
/// `builtin:alarm` read the networks built in ([`crate::embedded`]).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read or its gzip stream is corrupt;
/// [`Error::Format`] naming the file (with line and column) when its content is not a valid
/// network, or is larger than [`MAX_FILE_BYTES`] once decompressed; [`Error::NotFound`] for an
/// unknown `builtin:` name.
pub fn load(path: impl AsRef<Path>) -> Result<Network> {
    let path = path.as_ref();
    if let Some(name) = deepgm_core::builtin::builtin_name(path) {
        return crate::embedded::load(name);
    }
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let known = format_of(path);
    // gzip is recognized by its magic bytes too, so `alarm.bif` holding gzipped bytes reads.
    let gz = known.is_some_and(|(_, gz)| gz) || raw.starts_with(&GZIP_MAGIC);
    let bytes = if gz { gunzip(&raw, path)? } else { raw };
    let format = known.map(|(f, _)| f).unwrap_or_else(|| sniff(&bytes));
    parse_bytes(&bytes, format, path)
}

/// Parses a network from bytes in the given format; `source` names them in errors.
///
/// # Errors
/// As [`crate::parse_bif_bytes`] / [`crate::parse_xmlbif_bytes`].
pub fn parse_bytes(bytes: &[u8], format: FileFormat, source: impl AsRef<Path>) -> Result<Network> {
    match format {
        FileFormat::Bif => bif::parse_bif_bytes(bytes, source),
        FileFormat::XmlBif => xmlbif::parse_xmlbif_bytes(bytes, source),
    }
}

/// XMLBIF when the first non-whitespace character (after a byte-order mark) is `<`.
fn sniff(bytes: &[u8]) -> FileFormat {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => FileFormat::XmlBif,
        _ => FileFormat::Bif,
    }
}

fn gunzip(raw: &[u8], path: &Path) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    MultiGzDecoder::new(raw)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::io(path, e))?;
    if out.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::format(
            path,
            format!("the decompressed file is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    Ok(out)
}

/// The network as the text of `format`.
pub fn to_text(net: &Network, format: FileFormat) -> String {
    match format {
        FileFormat::Bif => bif::write_bif(net),
        FileFormat::XmlBif => xmlbif::write_xmlbif(net),
    }
}

/// Writes the network to `path` in the format its name calls for (see [`format_of`]),
/// gzipped for a `.gz` name; atomically (a temporary file renamed into place).
///
/// # Errors
/// [`Error::InvalidParameter`] (name `output`) when the name is not one of the known
/// extensions; [`Error::Io`] when writing fails.
pub fn save(net: &Network, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let (format, gz) = format_of(path).ok_or_else(|| {
        Error::invalid(
            "output",
            format!(
                "{}: expected a file name ending in .bif, .xml, .xmlbif or .bifxml (optionally .gz)",
                path.display()
            ),
        )
    })?;
    let text = to_text(net, format);
    if gz {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(text.as_bytes())
            .map_err(|e| Error::io(path, e))?;
        let bytes = encoder.finish().map_err(|e| Error::io(path, e))?;
        write_bytes_atomic(path, &bytes)
    } else {
        write_bytes_atomic(path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            format_of(Path::new("a/alarm.bif.gz")),
            Some((FileFormat::Bif, true))
        );
        assert_eq!(
            format_of(Path::new("x.BIF")),
            Some((FileFormat::Bif, false))
        );
        assert_eq!(
            format_of(Path::new("x.xml")),
            Some((FileFormat::XmlBif, false))
        );
        assert_eq!(
            format_of(Path::new("x.xmlbif.gz")),
            Some((FileFormat::XmlBif, true))
        );
        assert_eq!(
            format_of(Path::new("x.bifxml")),
            Some((FileFormat::XmlBif, false))
        );
        assert_eq!(format_of(Path::new("x.net")), None);
        assert_eq!(format_of(Path::new("gz")), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"  <?xml"), FileFormat::XmlBif);
        assert_eq!(sniff(b"network x {}"), FileFormat::Bif);
    }
}
