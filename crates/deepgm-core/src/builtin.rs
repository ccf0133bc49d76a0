//! Data built into deepgm, so that every command and example runs without a download. Wherever a
//! command or function takes a file, `builtin:NAME` names one of these instead: the digits
//! (`builtin:mnist`, the same as the data location `embedded`), the horse picture (`builtin:horse`), and the
//! networks that `deepgm-bn` carries (`builtin:asia`, `builtin:alarm`).

use std::path::Path;

/// What prefixes a built-in name where a file name is expected.
pub const PREFIX: &str = "builtin:";

/// What kind of thing a built-in is, which says where it can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BuiltinKind {
    /// MNIST digits: wherever a data directory is taken.
    Digits,
    /// A black-and-white picture: wherever an input image is taken.
    Picture,
    /// A Bayesian network: wherever a network file is taken.
    Network,
}

impl BuiltinKind {
    /// The kind in a word (`digits`, `picture`, `network`).
    pub fn name(self) -> &'static str {
        match self {
            BuiltinKind::Digits => "digits",
            BuiltinKind::Picture => "picture",
            BuiltinKind::Network => "network",
        }
    }
}

/// One built-in data set, picture or network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// The name after [`PREFIX`] (lowercase).
    pub name: &'static str,
    /// Where it can be used.
    pub kind: BuiltinKind,
    /// What it is, in one line.
    pub description: &'static str,
}

/// Serialized as `{"name": "builtin:NAME", "kind": ..., "description": ...}`: the name a user types.
impl serde::Serialize for Builtin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Builtin", 3)?;
        s.serialize_field("name", &self.full_name())?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("description", self.description)?;
        s.end()
    }
}

impl Builtin {
    /// The full name, e.g. `builtin:horse`.
    pub fn full_name(&self) -> String {
        format!("{PREFIX}{}", self.name)
    }
}

/// The PNG bytes of the horse silhouette (400 x 328, white = +1; CC0; see `data/README.md`).
pub const HORSE_PNG: &[u8] = include_bytes!("../data/horse.png");

/// The built-ins this crate holds; `deepgm-bn` lists its networks in `deepgm_bn::embedded`.
pub const CORE_BUILTINS: &[Builtin] = &[
    Builtin {
        name: "mnist",
        kind: BuiltinKind::Digits,
        description: "the first 2,000 MNIST test digits (28 x 28, labels 0-9); also `embedded`",
    },
    Builtin {
        name: "horse",
        kind: BuiltinKind::Picture,
        description: "a black-and-white horse silhouette, 400 x 328 pixels (CC0)",
    },
];

/// The name after `builtin:` when `path` is written that way (case-insensitive prefix), e.g.
/// `Some("horse")` for `builtin:horse`; `None` for an ordinary path.
pub fn builtin_name(path: &Path) -> Option<&str> {
    let text = path.to_str()?;
    let head = text.get(..PREFIX.len())?;
    head.eq_ignore_ascii_case(PREFIX)
        .then(|| &text[PREFIX.len()..])
}

/// The names of the built-ins of `kind` among `list`, as `builtin:NAME`, comma-separated (for
/// error messages).
pub fn names_of(list: &[Builtin], kind: BuiltinKind) -> String {
    list.iter()
        .filter(|b| b.kind == kind)
        .map(Builtin::full_name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The bytes of the built-in picture called `name` (case-insensitive).
pub fn picture(name: &str) -> Option<&'static [u8]> {
    match name.to_ascii_lowercase().as_str() {
        "horse" => Some(HORSE_PNG),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_recognized_only_with_the_prefix() {
        assert_eq!(builtin_name(Path::new("builtin:horse")), Some("horse"));
        assert_eq!(builtin_name(Path::new("BUILTIN:asia")), Some("asia"));
        assert_eq!(builtin_name(Path::new("horse.png")), None);
        assert_eq!(builtin_name(Path::new("./builtin:horse")), None);
        assert_eq!(builtin_name(Path::new("built")), None);
    }

    #[test]
    fn every_core_picture_has_bytes() {
        for b in CORE_BUILTINS
            .iter()
            .filter(|b| b.kind == BuiltinKind::Picture)
        {
            assert!(picture(b.name).is_some(), "{}", b.name);
        }
        assert_eq!(
            names_of(CORE_BUILTINS, BuiltinKind::Picture),
            "builtin:horse"
        );
    }
}
