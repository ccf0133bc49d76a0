//! The `deepgm` command-line program: parses arguments, calls the libraries, prints.
//!
//! Exit codes: 0 success, 1 failure, 2 bad input or usage.

mod cli;
mod commands;
mod flags;
mod tour;
mod ui;

use std::process::ExitCode;

use clap::Parser;

// Training allocates and frees the same large buffers every minibatch; mimalloc reuses them
// without the system allocator's trips to the kernel.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_text(&err));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The error and its causes joined by ": ", leaving out a cause whose text the message before it
/// already ends with (deepgm's errors quote the operating system's message they wrap).
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.ends_with(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// 2 when the error is the user's input (a bad file, value or usage), 1 otherwise.
fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err.chain().any(|cause| {
        cause
            .downcast_ref::<deepgm_core::Error>()
            .is_some_and(deepgm_core::Error::is_bad_input)
    });
    if bad_input {
        2
    } else {
        1
    }
}
