//! One module per subcommand family; each parses nothing and prints what the libraries return.

mod bn;
pub mod cnn;
mod data;
mod mrf;
pub mod rbm;

use crate::cli::{Cli, Command};
use crate::ui::Ui;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let ui = Ui {
        json: cli.json,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Tour(args) => crate::tour::run(&args, ui),
        Command::Data(cmd) => data::run(cmd, ui),
        Command::Mrf(cmd) => mrf::run(cmd, ui),
        Command::Rbm(cmd) => rbm::run(cmd, ui),
        Command::Cnn(cmd) => cnn::run(cmd, ui),
        Command::Bn(cmd) => bn::run(cmd, ui),
    }
}
