//! The tour's report: sections of checks, tables and pictures, rendered as Markdown and HTML.

use std::fmt::Write as _;
use std::path::Path;

use deepgm_core::atomic::write_bytes_atomic;

/// One numerical check of a claim.
pub struct Check {
    /// The claim, in words.
    pub claim: String,
    /// What was measured.
    pub measured: String,
    /// Whether the measurement supports the claim.
    pub passed: bool,
}

/// A small table.
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A picture written next to the report.
pub struct Figure {
    /// File name inside the report directory.
    pub file: String,
    pub caption: String,
}

/// One section of the report (one seed problem, or the data).
#[derive(Default)]
pub struct Section {
    pub title: String,
    pub intro: String,
    pub checks: Vec<Check>,
    pub tables: Vec<Table>,
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    pub seconds: f64,
}

impl Section {
    pub fn check(&mut self, claim: impl Into<String>, measured: impl Into<String>, passed: bool) {
        self.checks.push(Check {
            claim: claim.into(),
            measured: measured.into(),
            passed,
        });
    }

    pub fn failures(&self) -> usize {
        self.checks.iter().filter(|c| !c.passed).count()
    }
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

/// Renders the report as Markdown.
pub fn markdown(sections: &[Section], header: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# deepgm tour\n\n{header}\n");
    for s in sections {
        let _ = writeln!(out, "## {}\n\n{}\n", s.title, s.intro);
        if !s.checks.is_empty() {
            let _ = writeln!(out, "| check | measured | result |\n|---|---|---|");
            for c in &s.checks {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
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
            let _ = writeln!(out, "![{}]({})\n\n*{}*\n", f.caption, f.file, f.caption);
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

/// Renders the report as a self-contained HTML page (pictures are files beside it).
pub fn html(sections: &[Section], header: &str) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>deepgm tour</title>\n\
         <style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;line-height:1.4}\
         table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left}\
         .pass{color:#176b2c;font-weight:bold}.fail{color:#b00020;font-weight:bold}\
         img{image-rendering:pixelated;max-width:100%;border:1px solid #ddd}figure{margin:1em 0}</style>\n\
         </head><body>\n<h1>deepgm tour</h1>\n",
    );
    let _ = writeln!(out, "<p>{}</p>", escape(header));
    for s in sections {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<p>{}</p>",
            escape(&s.title),
            escape(&s.intro)
        );
        if !s.checks.is_empty() {
            out.push_str("<table><tr><th>check</th><th>measured</th><th>result</th></tr>\n");
            for c in &s.checks {
                let class = if c.passed { "pass" } else { "fail" };
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
                    escape(&c.claim),
                    escape(&c.measured),
                    verdict(c.passed)
                );
            }
            out.push_str("</table>\n");
        }
        for t in &s.tables {
            let _ = writeln!(out, "<table><caption>{}</caption><tr>", escape(&t.caption));
            for h in &t.header {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
            out.push_str("</tr>\n");
            for row in &t.rows {
                out.push_str("<tr>");
                for cell in row {
                    let _ = write!(out, "<td>{}</td>", escape(cell));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
        for f in &s.figures {
            let _ = writeln!(
                out,
                "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                escape(&f.file),
                escape(&f.caption),
                escape(&f.caption)
            );
        }
        for n in &s.notes {
            let _ = writeln!(out, "<p>{}</p>", escape(n));
        }
        let _ = writeln!(
            out,
            "<p><small>Section time: {:.2} s.</small></p>",
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
}
