//! Output conventions shared by every subcommand: one JSON object on stdout with `--json`,
//! human text otherwise, progress bars on stderr only when it is a terminal and not `--quiet`.

use std::io::IsTerminal;

use deepgm_core::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How a command should talk to the user.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// Print one JSON object on stdout instead of text.
    pub json: bool,
    /// No progress bars and no informational text on stderr.
    pub quiet: bool,
}

impl Ui {
    /// Prints `value` as exactly one JSON object on stdout (pretty-printed, newline-terminated).
    pub fn print_json<T: serde::Serialize + ?Sized>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => print_line(&text),
            // Only a map with non-string keys fails; deepgm's reports have none.
            Err(err) => eprintln!("error: the JSON report could not be written: {err}"),
        }
    }

    /// Prints a line of human-readable output on stdout (skipped under `--json`).
    pub fn say(&self, text: impl AsRef<str>) {
        if !self.json {
            print_line(text.as_ref());
        }
    }

    /// Prints an informational note on stderr (skipped under `--quiet`).
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A progress bar drawn on stderr when it is a terminal and output is not quiet; hidden
    /// otherwise.
    pub fn progress(&self) -> Bar {
        let bar = if self.quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed} {msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        };
        Bar(bar)
    }
}

/// Writes a line to stdout; a closed pipe (`deepgm ... | head`) ends output quietly instead of
/// panicking.
fn print_line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// An indicatif progress bar seen through the libraries' [`Progress`] trait.
pub struct Bar(ProgressBar);

impl Bar {
    /// Prints a note on stderr (as [`Ui::note`]) on a line of its own above the bar, which is
    /// redrawn below it, so the note never runs into the bar's line.
    pub fn note(&self, ui: Ui, text: impl AsRef<str>) {
        self.0.suspend(|| ui.note(text));
    }
}

impl Progress for Bar {
    fn start(&self, total: u64, label: &str) {
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.set_prefix(label.to_string());
    }

    fn advance(&self, done: u64) {
        self.0.inc(done);
    }

    fn message(&self, text: &str) {
        self.0.set_message(text.to_string());
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// `"s"` unless `n` is 1, for "1 epoch" and "2 epochs".
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
