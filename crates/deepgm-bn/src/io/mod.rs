//! The model file formats, and loading and saving models by file name: `.bif`, `.xml`,
//! `.xmlbif`, `.bifxml`, `.uai`, each optionally gzipped (`.gz`).
//!
//! - [`bif`]: BIF (the bnlearn repository's format): reader and writer;
//! - [`xmlbif`]: XMLBIF 0.3: reader and writer;
//! - [`uai`]: UAI (`MARKOV` and `BAYES` models, and `.evid` evidence files): reader and writer;
//! - [`load`], [`save`], [`parse_bytes`], [`to_text`]: a Bayesian [`Network`], by file name or
//!   [`FileFormat`];
//! - [`load_model`], [`save_model`], [`parse_model_bytes`], [`model_to_text`]: whatever the file
//!   holds, a Bayesian or a Markov network ([`Model`]). BIF and XMLBIF hold only Bayesian
//!   networks; UAI holds both.

pub mod bif;
pub mod uai;
pub mod xmlbif;

use std::io::{Read, Write};
use std::path::Path;

use deepgm_core::atomic::write_bytes_atomic;
use deepgm_core::{Error, Result};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::markov::Model;
use crate::network::Network;

/// The largest decompressed file [`load`] accepts (1 GiB), so a hostile `.gz` cannot exhaust
/// memory.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A model file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// BIF text (see [`bif`]).
    Bif,
    /// XMLBIF 0.3 (see [`xmlbif`]).
    XmlBif,
    /// UAI text, `MARKOV` or `BAYES` (see [`uai`]).
    Uai,
}

/// The format a file name calls for, and whether it is gzipped: `.bif` -> BIF; `.xml`,
/// `.xmlbif`, `.bifxml` -> XMLBIF; `.uai` -> UAI; each also with `.gz` appended.
/// Case-insensitive. `None` for other names.
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
        "uai" => Some((FileFormat::Uai, gz)),
        _ => None,
    }
}

/// Reads a Bayesian network from `path`, by extension (see [`format_of`]). Whatever its name, a
/// file that starts with the gzip magic bytes is decompressed first; a file with an unknown
/// extension is read as XMLBIF when its text starts with `<`, as UAI when it starts with
/// `MARKOV` or `BAYES`, as BIF otherwise. `builtin:asia` and `builtin:alarm` read the networks
/// built in ([`crate::embedded`]). A UAI `BAYES` file reads as a network; a UAI `MARKOV` file is
/// an error here ([`load_model`] reads it).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read or its gzip stream is corrupt;
/// [`Error::Format`] naming the file (with line and column) when its content is not a valid
/// network (or is a Markov network), or is larger than [`MAX_FILE_BYTES`] once decompressed;
/// [`Error::NotFound`] for an unknown `builtin:` name.
pub fn load(path: impl AsRef<Path>) -> Result<Network> {
    let path = path.as_ref();
    if let Some(name) = deepgm_core::builtin::builtin_name(path) {
        return crate::embedded::load(name);
    }
    let (bytes, format) = read_model_file(path)?;
    parse_bytes(&bytes, format, path)
}

/// Reads whatever model `path` holds, a Bayesian network (BIF, XMLBIF, UAI `BAYES`, a
/// `builtin:` name) or a Markov network (UAI `MARKOV`), as [`load`] finds the format.
///
/// # Errors
/// As [`load`], except that a Markov network is not an error.
///
/// ```
/// let model = deepgm_bn::io::load_model("builtin:asia").unwrap();
/// assert_eq!(model.kind(), "bayesian");
/// ```
pub fn load_model(path: impl AsRef<Path>) -> Result<Model> {
    let path = path.as_ref();
    if let Some(name) = deepgm_core::builtin::builtin_name(path) {
        return crate::embedded::load(name).map(Model::Bayesian);
    }
    let (bytes, format) = read_model_file(path)?;
    parse_model_bytes(&bytes, format, path)
}

/// A file's bytes, decompressed when gzipped (by name or by its magic bytes), and the format
/// its name (or, for an unknown extension, its text) calls for.
fn read_model_file(path: &Path) -> Result<(Vec<u8>, FileFormat)> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let known = format_of(path);
    // gzip is recognized by its magic bytes too, so `alarm.bif` holding gzipped bytes reads.
    let gz = known.is_some_and(|(_, gz)| gz) || raw.starts_with(&GZIP_MAGIC);
    let bytes = if gz { gunzip(&raw, path)? } else { raw };
    let format = known.map(|(f, _)| f).unwrap_or_else(|| sniff(&bytes));
    Ok((bytes, format))
}

/// A file's bytes, decompressed when they start with the gzip magic bytes (at most
/// [`MAX_FILE_BYTES`] once decompressed).
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if raw.starts_with(&GZIP_MAGIC) {
        gunzip(&raw, path)
    } else {
        Ok(raw)
    }
}

/// Parses a Bayesian network from bytes in the given format; `source` names them in errors.
///
/// # Errors
/// As [`crate::parse_bif_bytes`] / [`crate::parse_xmlbif_bytes`] / [`uai::parse_uai_bytes`];
/// also [`Error::Format`] when a UAI text holds a Markov network.
pub fn parse_bytes(bytes: &[u8], format: FileFormat, source: impl AsRef<Path>) -> Result<Network> {
    let source = source.as_ref();
    match format {
        FileFormat::Bif => bif::parse_bif_bytes(bytes, source),
        FileFormat::XmlBif => xmlbif::parse_xmlbif_bytes(bytes, source),
        FileFormat::Uai => uai::parse_uai_bytes(bytes, source)?.into_network(source),
    }
}

/// Parses whatever model the bytes hold in the given format; `source` names them in errors.
///
/// # Errors
/// As [`parse_bytes`], except that a Markov network is not an error.
pub fn parse_model_bytes(
    bytes: &[u8],
    format: FileFormat,
    source: impl AsRef<Path>,
) -> Result<Model> {
    match format {
        FileFormat::Uai => uai::parse_uai_bytes(bytes, source),
        _ => parse_bytes(bytes, format, source).map(Model::Bayesian),
    }
}

/// XMLBIF when the first non-whitespace character (after a byte-order mark) is `<`, UAI when
/// the first word is `MARKOV` or `BAYES` (any case), BIF otherwise.
fn sniff(bytes: &[u8]) -> FileFormat {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let rest = &bytes[start..];
    let word_end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let word = &rest[..word_end];
    if rest.first() == Some(&b'<') {
        FileFormat::XmlBif
    } else if word.eq_ignore_ascii_case(b"MARKOV") || word.eq_ignore_ascii_case(b"BAYES") {
        FileFormat::Uai
    } else {
        FileFormat::Bif
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

/// The network as the text of `format` (UAI: `BAYES`, names become indices).
pub fn to_text(net: &Network, format: FileFormat) -> String {
    match format {
        FileFormat::Bif => bif::write_bif(net),
        FileFormat::XmlBif => xmlbif::write_xmlbif(net),
        FileFormat::Uai => uai::write_uai_bayes(net),
    }
}

/// The model as the text of `format`.
///
/// # Errors
/// [`Error::InvalidParameter`] (name `output`) for a Markov network in BIF or XMLBIF, which
/// hold only Bayesian networks.
pub fn model_to_text(model: &Model, format: FileFormat) -> Result<String> {
    match (model, format) {
        (Model::Bayesian(net), _) => Ok(to_text(net, format)),
        (Model::Markov(net), FileFormat::Uai) => Ok(uai::write_uai_markov(net)),
        (Model::Markov(_), _) => Err(Error::invalid(
            "output",
            format!(
                "{} holds only Bayesian networks, and this is a Markov network: write it as UAI \
                 (a .uai file name)",
                match format {
                    FileFormat::Bif => "BIF",
                    _ => "XMLBIF",
                }
            ),
        )),
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
    let (format, gz) = output_format(path)?;
    write_text(&to_text(net, format), gz, path)
}

/// Writes the model to `path` in the format its name calls for, as [`save`] does.
///
/// # Errors
/// As [`save`]; also [`Error::InvalidParameter`] (name `output`) for a Markov network and a BIF
/// or XMLBIF name.
pub fn save_model(model: &Model, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let (format, gz) = output_format(path)?;
    write_text(&model_to_text(model, format)?, gz, path)
}

fn output_format(path: &Path) -> Result<(FileFormat, bool)> {
    format_of(path).ok_or_else(|| {
        Error::invalid(
            "output",
            format!(
                "{}: expected a file name ending in .bif, .xml, .xmlbif, .bifxml or .uai \
                 (optionally .gz)",
                path.display()
            ),
        )
    })
}

fn write_text(text: &str, gz: bool, path: &Path) -> Result<()> {
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
        assert_eq!(
            format_of(Path::new("Promedus_24.UAI.gz")),
            Some((FileFormat::Uai, true))
        );
        assert_eq!(format_of(Path::new("x.net")), None);
        assert_eq!(format_of(Path::new("gz")), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"  <?xml"), FileFormat::XmlBif);
        assert_eq!(sniff(b"network x {}"), FileFormat::Bif);
        assert_eq!(sniff(b"\nmarkov\n2"), FileFormat::Uai);
        assert_eq!(sniff(b"BAYES 1 2"), FileFormat::Uai);
        assert_eq!(sniff(b"BAYESIAN"), FileFormat::Bif);
    }
}
