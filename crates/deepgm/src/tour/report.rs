//! The tour's report: sections of derivation steps, checks, tables and labelled pictures,
//! rendered as Markdown and HTML (formulas in MathML, a table of contents, pictures enlarged by
//! nearest neighbour so a reader can see each pixel).

use std::fmt::Write as _;
use std::path::Path;

use deepgm_core::atomic::write_bytes_atomic;
use deepgm_core::image::write_png;
use ndarray::{Array2, ArrayView2};

use super::derivations::{self, Problem};

/// One numerical check of a claim.
#[derive(serde::Serialize)]
pub struct Check {
    /// The claim, in words.
    pub claim: String,
    /// What was measured.
    pub measured: String,
    /// Whether the measurement supports the claim.
    pub passed: bool,
    /// The id of the derivation step the check confirms ([`derivations::step`]), if any.
    #[serde(skip)]
    pub step: Option<&'static str>,
}

/// A small table.
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One labelled picture of a [`Figure`], a PNG file beside the report.
pub struct Tile {
    /// File name inside the report directory.
    pub file: String,
    /// What the tile shows, printed under it.
    pub label: String,
}

/// A captioned group of labelled pictures, laid out in rows of `columns`.
pub struct Figure {
    pub caption: String,
    pub tiles: Vec<Tile>,
    pub columns: usize,
}

/// One section of the report (one of the four derivations, or the data).
#[derive(Default)]
pub struct Section {
    /// Anchor of the section in the HTML page (lowercase, no spaces).
    pub id: String,
    pub title: String,
    pub intro: String,
    /// The derivation whose steps the section shows before its checks.
    pub problem: Option<Problem>,
    pub checks: Vec<Check>,
    pub tables: Vec<Table>,
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    pub seconds: f64,
}

impl Section {
    /// Records a check that confirms no particular derivation step.
    pub fn check(&mut self, claim: impl Into<String>, measured: impl Into<String>, passed: bool) {
        self.checks.push(Check {
            claim: claim.into(),
            measured: measured.into(),
            passed,
            step: None,
        });
    }

    /// Records a check that confirms the derivation step `step` (an id of [`derivations`]).
    pub fn check_step(
        &mut self,
        step: &'static str,
        claim: impl Into<String>,
        measured: impl Into<String>,
        passed: bool,
    ) {
        debug_assert!(derivations::step(step).is_some(), "unknown step {step}");
        self.checks.push(Check {
            claim: claim.into(),
            measured: measured.into(),
            passed,
            step: Some(step),
        });
    }

    /// Records each claim a library checked, under the derivation step it confirms.
    pub fn claims(&mut self, claims: impl IntoIterator<Item = deepgm_core::claims::Claim>) {
        for claim in claims {
            match claim.step {
                Some(step) => {
                    self.check_step(step, claim.statement, claim.measured, claim.holds);
                }
                None => self.check(claim.statement, claim.measured, claim.holds),
            }
        }
    }

    pub fn failures(&self) -> usize {
        self.checks.iter().filter(|c| !c.passed).count()
    }
}

/// Writes each `(label, image)` as `{stem}-{i}.png` in `dir`, enlarged `scale` times by nearest
/// neighbour, and returns the figure that shows them with their labels.
pub fn tile_figure(
    dir: &Path,
    stem: &str,
    caption: impl Into<String>,
    images: &[(String, Array2<u8>)],
    scale: usize,
    columns: usize,
) -> deepgm_core::Result<Figure> {
    let mut tiles = Vec::with_capacity(images.len());
    for (i, (label, image)) in images.iter().enumerate() {
        let file = format!("{stem}-{i:02}.png");
        write_png(&dir.join(&file), &enlarge(image.view(), scale))?;
        tiles.push(Tile {
            file,
            label: label.clone(),
        });
    }
    Ok(Figure {
        caption: caption.into(),
        tiles,
        columns: columns.max(1),
    })
}

/// `image` with every pixel repeated `scale` times in each direction.
pub fn enlarge(image: ArrayView2<'_, u8>, scale: usize) -> Array2<u8> {
    let scale = scale.max(1);
    let (h, w) = image.dim();
    Array2::from_shape_fn((h * scale, w * scale), |(r, c)| {
        image[[r / scale, c / scale]]
    })
}

/// Values mapped to gray levels from their own minimum (black) to maximum (white).
pub fn stretch(values: ArrayView2<'_, f32>) -> Array2<u8> {
    let lo = values.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    values.mapv(|v| ((v - lo) / span * 255.0).round().clamp(0.0, 255.0) as u8)
}

fn verdict(passed: bool) -> &'static str {
    if passed {
        "pass"
    } else {
        "FAIL"
    }
}

/// A Markdown table cell: pipes escaped so `p(h|v)` stays in one cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// "1.2 Title" for a step id, for the Markdown report.
fn step_label(id: &str) -> String {
    derivations::step(id)
        .map(|s| format!("{} {}", s.section, s.title))
        .unwrap_or_default()
}

/// Renders the report as Markdown.
pub fn markdown(sections: &[Section], header: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# deepgm tour\n\n{header}\n");
    let _ = writeln!(out, "Contents:\n");
    for s in sections {
        let _ = writeln!(out, "- {}", s.title);
    }
    out.push('\n');
    for s in sections {
        let _ = writeln!(out, "## {}\n\n{}\n", s.title, s.intro);
        if let Some(problem) = s.problem {
            let _ = writeln!(out, "### The derivation, step by step\n");
            for step in derivations::steps(problem) {
                let _ = writeln!(out, "- **{} {}.** {}", step.section, step.title, step.text);
            }
            out.push('\n');
        }
        if !s.checks.is_empty() {
            let steps = s.checks.iter().any(|c| c.step.is_some());
            let _ = if steps {
                writeln!(
                    out,
                    "| check | confirms | measured | result |\n|---|---|---|---|"
                )
            } else {
                writeln!(out, "| check | measured | result |\n|---|---|---|")
            };
            for c in &s.checks {
                let confirms = match c.step {
                    Some(id) => format!(" {} |", cell(&step_label(id))),
                    None if steps => " |".to_string(),
                    None => String::new(),
                };
                let _ = writeln!(
                    out,
                    "| {} |{confirms} {} | {} |",
                    cell(&c.claim),
                    cell(&c.measured),
                    verdict(c.passed)
                );
            }
            out.push('\n');
        }
        for t in &s.tables {
            let _ = writeln!(out, "{}\n", t.caption);
            let _ = writeln!(out, "| {} |", t.header.join(" | "));
            let _ = writeln!(out, "|{}", "---|".repeat(t.header.len()));
            for row in &t.rows {
                let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            out.push('\n');
        }
        for f in &s.figures {
            let _ = writeln!(out, "{}\n", f.caption);
            for row in f.tiles.chunks(f.columns) {
                let pictures: Vec<String> = row
                    .iter()
                    .map(|t| format!("![{}]({})", cell(&t.label), t.file))
                    .collect();
                let labels: Vec<String> = row.iter().map(|t| cell(&t.label)).collect();
                let _ = writeln!(out, "| {} |", pictures.join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(row.len()));
                let _ = writeln!(out, "| {} |\n", labels.join(" | "));
            }
        }
        for n in &s.notes {
            let _ = writeln!(out, "{n}\n");
        }
        let _ = writeln!(out, "_Section time: {:.2} s._\n", s.seconds);
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes `text` for HTML and turns each pair of backticks into a `<code>` element, so no
/// literal backtick reaches the page (a lone backtick becomes an apostrophe-like entity).
fn prose(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::with_capacity(escaped.len());
    let mut parts = escaped.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    let mut chunks = rest.chunks_exact(2);
    for pair in &mut chunks {
        let _ = write!(out, "<code>{}</code>{}", pair[0], pair[1]);
    }
    for lone in chunks.remainder() {
        let _ = write!(out, "&#x2018;{lone}");
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}\
.pass{color:#176b2c;font-weight:bold}.fail{color:#b00020;font-weight:bold}\
nav{background:#f5f5f5;padding:.5em 1.2em;border-radius:4px}\
ol.steps li{margin:.4em 0}math[display=block]{margin:.4em 0}\
.gallery{display:grid;gap:.6em;margin:.6em 0;justify-content:start}\
.gallery figure{margin:0;text-align:center}.gallery img{image-rendering:pixelated;border:1px solid #ccc;display:block;margin:0 auto;max-width:100%}\
.gallery figcaption{font-size:.85em}figure.group{margin:1em 0}figure.group>figcaption{margin-bottom:.4em}\
code{background:#f0f0f0;padding:0 .2em;border-radius:3px}";

/// Renders the report as a self-contained HTML page (pictures are files beside it).
pub fn html(sections: &[Section], header: &str) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>deepgm tour</title>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <style>{STYLE}</style>\n</head><body>\n<h1>deepgm tour</h1>\n"
    );
    let _ = writeln!(out, "<p>{}</p>", prose(header));
    out.push_str("<nav><h2>Contents</h2><ol>\n");
    for s in sections {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&s.id),
            escape(&s.title)
        );
    }
    out.push_str("</ol></nav>\n");
    for s in sections {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>\n<p>{}</p>",
            escape(&s.id),
            escape(&s.title),
            prose(&s.intro)
        );
        if let Some(problem) = s.problem {
            out.push_str("<h3>The derivation, step by step</h3>\n<ol class=\"steps\">\n");
            for step in derivations::steps(problem) {
                let _ = writeln!(
                    out,
                    "<li id=\"{}\"><strong>{} {}.</strong> {}</li>",
                    step.id,
                    step.section,
                    escape(step.title),
                    step.html
                );
            }
            out.push_str("</ol>\n");
        }
        if !s.checks.is_empty() {
            let steps = s.checks.iter().any(|c| c.step.is_some());
            let confirms_header = if steps { "<th>confirms</th>" } else { "" };
            let _ = writeln!(
                out,
                "<table><tr><th>check</th>{confirms_header}<th>measured</th><th>result</th></tr>"
            );
            for c in &s.checks {
                let class = if c.passed { "pass" } else { "fail" };
                let confirms = c
                    .step
                    .and_then(derivations::step)
                    .map(|st| {
                        format!(
                            "<td><a href=\"#{}\">{} {}</a></td>",
                            st.id,
                            st.section,
                            escape(st.title)
                        )
                    })
                    .unwrap_or_else(|| {
                        if steps {
                            "<td></td>".into()
                        } else {
                            String::new()
                        }
                    });
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td>{confirms}<td>{}</td><td class=\"{class}\">{}</td></tr>",
                    prose(&c.claim),
                    prose(&c.measured),
                    verdict(c.passed)
                );
            }
            out.push_str("</table>\n");
        }
        for t in &s.tables {
            let _ = writeln!(out, "<table><caption>{}</caption><tr>", prose(&t.caption));
            for h in &t.header {
                let _ = write!(out, "<th>{}</th>", prose(h));
            }
            out.push_str("</tr>\n");
            for row in &t.rows {
                out.push_str("<tr>");
                for cell in row {
                    let _ = write!(out, "<td>{}</td>", prose(cell));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
        for f in &s.figures {
            let _ = writeln!(
                out,
                "<figure class=\"group\"><figcaption>{}</figcaption>\
                 <div class=\"gallery\" style=\"grid-template-columns:repeat({},auto)\">",
                prose(&f.caption),
                f.columns
            );
            for t in &f.tiles {
                let _ = writeln!(
                    out,
                    "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                    escape(&t.file),
                    escape(&t.label),
                    prose(&t.label)
                );
            }
            out.push_str("</div></figure>\n");
        }
        for n in &s.notes {
            let _ = writeln!(out, "<p>{}</p>", prose(n));
        }
        let _ = writeln!(
            out,
            "<p><small>Section time: {:.2} s.</small></p>\n</section>",
            s.seconds
        );
    }
    out.push_str("</body></html>\n");
    out
}

/// Writes `report.md` and `index.html` into `dir`, atomically.
pub fn write(dir: &Path, sections: &[Section], header: &str) -> deepgm_core::Result<()> {
    write_bytes_atomic(
        &dir.join("report.md"),
        markdown(sections, header).as_bytes(),
    )?;
    write_bytes_atomic(&dir.join("index.html"), html(sections, header).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_in_checks_stay_inside_their_markdown_cell() {
        let mut s = Section {
            title: "t".into(),
            ..Default::default()
        };
        s.check("p(h|v) factorizes", "gap 1e-16", true);
        let md = markdown(&[s], "h");
        let row = md.lines().find(|l| l.contains("factorizes")).unwrap();
        assert_eq!(row.matches(" | ").count(), 2, "{row}");
        assert!(row.contains(r"p(h\|v)"));
    }

    #[test]
    fn backticks_become_code_elements() {
        assert_eq!(
            prose("run `deepgm tour` and `x<y`"),
            "run <code>deepgm tour</code> and <code>x&lt;y</code>"
        );
        assert!(!prose("a lone ` tick").contains('`'));
    }

    #[test]
    fn html_has_contents_steps_and_no_backticks() {
        let mut s = Section {
            id: "mrf".into(),
            title: "Ising".into(),
            intro: "uses `graph_cut`".into(),
            problem: Some(Problem::Mrf),
            ..Default::default()
        };
        let first = derivations::steps(Problem::Mrf)[0].id;
        s.check_step(first, "claim", "measured", true);
        let page = html(&[s], "made by `deepgm tour`");
        assert!(!page.contains('`'));
        assert!(page.contains("<nav>") && page.contains("href=\"#mrf\""));
        assert!(page.contains("<math"));
        assert!(page.contains(&format!("href=\"#{first}\"")));
        assert!(page.contains(&format!("<li id=\"{first}\"")));
    }

    #[test]
    fn enlarge_repeats_pixels() {
        let small = ndarray::array![[1u8, 2], [3, 4]];
        let big = enlarge(small.view(), 3);
        assert_eq!(big.dim(), (6, 6));
        assert_eq!(big[[2, 3]], 2);
        assert_eq!(big[[5, 5]], 4);
    }
}
