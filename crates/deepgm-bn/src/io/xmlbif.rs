//! XMLBIF 0.3 (Cozman's XML interchange format, as pgmpy and pyAgrum write it).
//!
//! ```xml
//! <BIF VERSION="0.3">
//! <NETWORK>
//!   <NAME>asia</NAME>
//!   <PROPERTY>...</PROPERTY>
//!   <VARIABLE TYPE="nature">
//!     <NAME>tub</NAME>
//!     <OUTCOME>yes</OUTCOME>
//!     <OUTCOME>no</OUTCOME>
//!     <PROPERTY>...</PROPERTY>
//!   </VARIABLE>
//!   <DEFINITION>
//!     <FOR>tub</FOR>
//!     <GIVEN>asia</GIVEN>
//!     <TABLE>0.05 0.95 0.01 0.99</TABLE>
//!   </DEFINITION>
//! </NETWORK>
//! </BIF>
//! ```
//!
//! # The order of `TABLE` values
//! One row per configuration of the `GIVEN` variables (first `GIVEN` slowest), the `FOR`
//! variable's state varying fastest: exactly the [`Cpt`] layout. This is how pgmpy writes it
//! (`ravel` in Fortran order of its `(card, configurations)` array) and how pyAgrum writes it.
//!
//! # What the reader accepts
//! Element names in any letter case; `<PROBABILITY>` as an older name of `<DEFINITION>` and
//! `<VALUE>` of `<OUTCOME>`; values separated by whitespace or commas; comments, a document type
//! declaration and unknown elements (skipped); empty `<PROPERTY/>` elements (dropped). Names and
//! states are trimmed. Only `TYPE="nature"` variables (the default) are supported.
//!
//! # Errors
//! [`Error::Format`](deepgm_core::Error::Format) on the source with its `line` and `column`
//! (1-based), and a message saying what was found and expected (the element involved), for malformed XML too.

use std::fmt::Write as _;
use std::path::Path;

use deepgm_core::Result;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::network::{Cpt, Network, Variable};
use crate::text::{format_error, show};
use crate::MAX_TABLE_ENTRIES;

/// How deeply elements may nest (XMLBIF needs 4 levels).
const MAX_DEPTH: usize = 64;

/// A parsed element: its name, attributes, direct text and children.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
    /// Byte offset of its `<`.
    offset: usize,
}

impl Element {
    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    fn children_named<'s>(
        &'s self,
        names: &'s [&'s str],
    ) -> impl Iterator<Item = &'s Element> + 's {
        self.children
            .iter()
            .filter(move |c| names.iter().any(|n| c.is(n)))
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the XML into a tree of [`Element`]s; returns the root.
fn parse_tree(text: &str, source: &Path) -> Result<Element> {
    let at = |offset: usize, message: String| format_error(text, source, offset, &message);
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let offset = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            at(offset, format!("malformed XML: {e}"))
        })?;
        let open = |e: &quick_xml::events::BytesStart<'_>| -> Result<Element> {
            let mut attributes = Vec::new();
            for attr in e.attributes() {
                let attr =
                    attr.map_err(|err| at(offset, format!("malformed XML attribute: {err}")))?;
                let value = attr
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_err(|err| at(offset, format!("malformed XML attribute: {err}")))?;
                let key: &str = attr.key.as_ref();
                attributes.push((key.to_string(), value.into_owned()));
            }
            let qname = e.name();
            let name: &str = qname.as_ref();
            Ok(Element {
                name: name.to_string(),
                attributes,
                text: String::new(),
                children: Vec::new(),
                offset,
            })
        };
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(at(
                        offset,
                        format!("elements nested more than {MAX_DEPTH} deep"),
                    ));
                }
                stack.push(open(&e)?);
            }
            Event::Empty(e) => {
                let element = open(&e)?;
                attach(&mut stack, &mut root, element, text, source)?;
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| at(offset, "an unexpected closing tag".into()))?;
                attach(&mut stack, &mut root, element, text, source)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => return Err(at(offset, format!("unknown XML entity '&{};'", &*r))),
                    },
                    Err(e) => return Err(at(offset, format!("bad character reference: {e}"))),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(at(
                        text.len(),
                        format!("expected </{}>, found the end of the file", open.name),
                    ));
                }
                return root.ok_or_else(|| {
                    at(
                        0,
                        "expected an XML document with a <BIF> element, found none".into(),
                    )
                });
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
    text: &str,
    source: &Path,
) -> Result<()> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => {
            return Err(format_error(
                text,
                source,
                element.offset,
                &format!(
                    "expected one root element, found a second one <{}>",
                    element.name
                ),
            ))
        }
    }
    Ok(())
}

/// Parses XMLBIF text; `source` names it in error messages.
///
/// # Errors
/// [`Error::Format`](deepgm_core::Error::Format) naming `source` with the line and column: for
/// malformed XML, a missing or misplaced element, an unknown variable, a table of the wrong size
/// or a bad number, and for a model that fails [`Network::new`]'s checks (pointing at the
/// variable's `<DEFINITION>`).
pub fn parse_xmlbif(text: &str, source: impl AsRef<Path>) -> Result<Network> {
    let source = source.as_ref();
    let at = |offset: usize, message: String| format_error(text, source, offset, &message);
    let root = parse_tree(text, source)?;
    let network = if root.is("NETWORK") {
        &root
    } else if root.is("BIF") {
        let mut networks = root.children_named(&["NETWORK"]);
        let network = networks.next().ok_or_else(|| {
            at(
                root.offset,
                "expected a <NETWORK> element inside <BIF>, found none".into(),
            )
        })?;
        if let Some(second) = networks.next() {
            return Err(at(
                second.offset,
                "expected one <NETWORK>, found a second one".into(),
            ));
        }
        network
    } else {
        return Err(at(
            root.offset,
            format!("expected the root element <BIF>, found <{}>", root.name),
        ));
    };
    let name = network
        .children_named(&["NAME"])
        .next()
        .map(|n| n.text.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    let properties = properties_of(network);

    // Variables.
    let mut variables = Vec::new();
    let mut declared_at = Vec::new();
    let mut index = std::collections::HashMap::new();
    for v in network.children_named(&["VARIABLE"]) {
        if let Some(kind) = v.attribute("TYPE") {
            if !kind.trim().eq_ignore_ascii_case("nature") {
                return Err(at(
                    v.offset,
                    format!("expected TYPE=\"nature\" on <VARIABLE> (decision and utility variables are not supported), found TYPE={}", show(kind)),
                ));
            }
        }
        let name = required_text(v, "NAME", "<VARIABLE>", text, source)?;
        let mut states: Vec<String> = Vec::new();
        for outcome in v.children_named(&["OUTCOME", "VALUE"]) {
            let state = outcome.text.trim();
            if state.is_empty() {
                return Err(at(outcome.offset, format!("expected a state name in <{}> of variable '{name}', found an empty element", outcome.name)));
            }
            if states.iter().any(|s| s == state) {
                return Err(at(
                    outcome.offset,
                    format!("variable '{name}' has the state '{state}' twice"),
                ));
            }
            states.push(state.to_string());
        }
        if states.is_empty() {
            return Err(at(
                v.offset,
                format!("expected <OUTCOME> elements in <VARIABLE> '{name}', found none"),
            ));
        }
        if index.insert(name.clone(), variables.len()).is_some() {
            return Err(at(v.offset, format!("variable '{name}' is declared twice")));
        }
        variables.push(Variable {
            name,
            states,
            properties: properties_of(v),
        });
        declared_at.push(v.offset);
    }

    // Tables.
    let mut defined_at: Vec<Option<usize>> = vec![None; variables.len()];
    let mut cpts = Vec::with_capacity(variables.len());
    for d in network.children_named(&["DEFINITION", "PROBABILITY"]) {
        let lookup = |element: &Element| -> Result<usize> {
            let name = element.text.trim();
            index.get(name).copied().ok_or_else(|| {
                at(
                    element.offset,
                    format!(
                        "<{}> names an unknown variable {} (expected the <NAME> of a <VARIABLE>)",
                        element.name,
                        show(name)
                    ),
                )
            })
        };
        let for_element = d.children_named(&["FOR"]).next().ok_or_else(|| {
            at(
                d.offset,
                format!("expected a <FOR> element in <{}>, found none", d.name),
            )
        })?;
        let child = lookup(for_element)?;
        let child_name = variables[child].name.clone();
        if defined_at[child].is_some() {
            return Err(at(
                d.offset,
                format!("a second <{}> for '{child_name}'", d.name),
            ));
        }
        let mut parents = Vec::new();
        for g in d.children_named(&["GIVEN"]) {
            let p = lookup(g)?;
            if p == child {
                return Err(at(
                    g.offset,
                    format!("variable '{child_name}' is <GIVEN> as its own parent"),
                ));
            }
            if parents.contains(&p) {
                return Err(at(
                    g.offset,
                    format!("<GIVEN> lists '{}' twice", variables[p].name),
                ));
            }
            parents.push(p);
        }
        let table = d.children_named(&["TABLE"]).next().ok_or_else(|| {
            at(
                d.offset,
                format!(
                    "expected a <TABLE> element in the <{}> of '{child_name}', found none",
                    d.name
                ),
            )
        })?;
        let mut cpt = Cpt::new(child, parents, Vec::new(), &variables);
        let total = cpt
            .parent_cards
            .iter()
            .try_fold(cpt.child_card, |acc, &c| acc.checked_mul(c))
            .filter(|&t| t <= MAX_TABLE_ENTRIES)
            .ok_or_else(|| at(d.offset, format!("the table of '{child_name}' would have more than {MAX_TABLE_ENTRIES} entries")))?;
        let mut values = Vec::with_capacity(total);
        for word in table
            .text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
        {
            let v: f64 = word.parse().map_err(|_| {
                at(
                    table.offset,
                    format!(
                        "expected numbers in the <TABLE> of '{child_name}', found {}",
                        show(word)
                    ),
                )
            })?;
            if values.len() == total {
                // Stop early on an oversized table without storing it all.
                values.push(v);
                break;
            }
            values.push(v);
        }
        if values.len() != total {
            let found = if values.len() > total {
                format!("more than {total}")
            } else {
                values.len().to_string()
            };
            return Err(at(
                table.offset,
                format!(
                    "expected {total} values in the <TABLE> of '{child_name}' ({} parent configurations x {} states), found {found}",
                    cpt.n_rows(),
                    cpt.child_card
                ),
            ));
        }
        cpt.values = values;
        defined_at[child] = Some(d.offset);
        cpts.push(cpt);
    }
    for (i, d) in defined_at.iter().enumerate() {
        if d.is_none() {
            return Err(at(
                declared_at[i],
                format!(
                    "expected a <DEFINITION> for variable '{}', found none",
                    variables[i].name
                ),
            ));
        }
    }
    Network::build(name, variables, cpts)
        .map(|net| net.with_properties(properties))
        .map_err(|e| {
            let offset = e
                .variable
                .and_then(|v| defined_at[v])
                .unwrap_or(network.offset);
            at(offset, e.message)
        })
}

/// The non-empty `<PROPERTY>` texts of an element, trimmed.
fn properties_of(element: &Element) -> Vec<String> {
    element
        .children_named(&["PROPERTY"])
        .map(|p| p.text.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The trimmed, non-empty text of the first `<tag>` child of `element`.
fn required_text(
    element: &Element,
    tag: &str,
    context: &str,
    text: &str,
    source: &Path,
) -> Result<String> {
    let tags = [tag];
    let child = element.children_named(&tags).next().ok_or_else(|| {
        format_error(
            text,
            source,
            element.offset,
            &format!("expected a <{tag}> element in {context}, found none"),
        )
    })?;
    let value = child.text.trim();
    if value.is_empty() {
        return Err(format_error(
            text,
            source,
            child.offset,
            &format!("expected a name in <{tag}>, found an empty element"),
        ));
    }
    Ok(value.to_string())
}

/// Parses XMLBIF from bytes: UTF-8, with an optional byte-order mark (see [`parse_xmlbif`]).
///
/// # Errors
/// As [`parse_xmlbif`]; also [`Error::Format`](deepgm_core::Error::Format) with the position of the first byte that is not
/// valid UTF-8.
pub fn parse_xmlbif_bytes(bytes: &[u8], source: impl AsRef<Path>) -> Result<Network> {
    let text = crate::text::utf8(bytes, source.as_ref())?;
    parse_xmlbif(text, source)
}

/// Escapes text for XML content; carriage returns as `&#13;`, since a reader turns a literal
/// one into a line feed.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = quick_xml::escape::escape(text);
    if escaped.contains('\r') {
        std::borrow::Cow::Owned(escaped.replace('\r', "&#13;"))
    } else {
        escaped
    }
}

/// The network as XMLBIF 0.3 text, laid out as pgmpy writes it (tables in the [`Cpt`] layout,
/// values in Rust's shortest round-trip form), so that writing then reading gives an identical
/// network.
pub fn write_xmlbif(net: &Network) -> String {
    let mut out = String::with_capacity(128 * net.n_variables() + 24 * net.n_parameters());
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<BIF VERSION=\"0.3\">\n<NETWORK>\n");
    // `write!` to a String cannot fail.
    let _ = writeln!(out, "  <NAME>{}</NAME>", escape(net.name()));
    for p in net.properties() {
        let _ = writeln!(out, "  <PROPERTY>{}</PROPERTY>", escape(p));
    }
    for v in net.variables() {
        out.push_str("  <VARIABLE TYPE=\"nature\">\n");
        let _ = writeln!(out, "    <NAME>{}</NAME>", escape(&v.name));
        for s in &v.states {
            let _ = writeln!(out, "    <OUTCOME>{}</OUTCOME>", escape(s));
        }
        for p in &v.properties {
            let _ = writeln!(out, "    <PROPERTY>{}</PROPERTY>", escape(p));
        }
        out.push_str("  </VARIABLE>\n");
    }
    for (i, cpt) in net.cpts().iter().enumerate() {
        out.push_str("  <DEFINITION>\n");
        let _ = writeln!(out, "    <FOR>{}</FOR>", escape(&net.variable(i).name));
        for &p in &cpt.parents {
            let _ = writeln!(out, "    <GIVEN>{}</GIVEN>", escape(&net.variable(p).name));
        }
        out.push_str("    <TABLE>");
        for (k, &v) in cpt.values.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(&super::bif::number(v));
        }
        out.push_str("</TABLE>\n  </DEFINITION>\n");
    }
    out.push_str("</NETWORK>\n</BIF>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepgm_core::Error;

    #[test]
    fn entities_comments_and_cdata_in_names() {
        let xml = "<?xml version=\"1.0\"?><!-- c --><BIF><NETWORK><NAME>n &amp; m</NAME>\
            <VARIABLE TYPE=\"nature\"><NAME>a&lt;b</NAME><OUTCOME><![CDATA[x&y]]></OUTCOME>\
            <OUTCOME>&#65;</OUTCOME><PROPERTY/></VARIABLE>\
            <DEFINITION><FOR>a&lt;b</FOR><TABLE>0.25, 0.75</TABLE></DEFINITION></NETWORK></BIF>";
        let net = parse_xmlbif(xml, "t.xml").unwrap();
        assert_eq!(net.name(), "n & m");
        assert_eq!(net.variable(0).name, "a<b");
        assert_eq!(net.variable(0).states, vec!["x&y", "A"]);
        assert!(net.variable(0).properties.is_empty());
        let again = parse_xmlbif(&write_xmlbif(&net), "t.xml").unwrap();
        assert_eq!(again, net);
    }

    #[test]
    fn unclosed_element_is_an_error_with_position() {
        let e = parse_xmlbif("<BIF>\n<NETWORK>", "t.xml").unwrap_err();
        assert!(
            matches!(&e, Error::Format { line: Some(2), message, .. } if message.contains("NETWORK")),
            "{e:?}"
        );
    }
}
