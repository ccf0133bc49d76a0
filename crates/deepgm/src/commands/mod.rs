//! One module per subcommand family; each parses nothing and prints what the libraries return.

mod bn;
pub mod cnn;
mod data;
mod mrf;
pub mod rbm;

use crate::cli::{Cli, Command};
use crate::flags::{self, Family};
use crate::ui::Ui;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let ui = Ui {
        json: cli.json,
        quiet: cli.quiet,
    };
    let (family, result) = match cli.command {
        Command::Tour(args) => (Family::Tour, crate::tour::run(&args, ui)),
        Command::Data(cmd) => (Family::Data, data::run(cmd, ui)),
        Command::Mrf(cmd) => (Family::Mrf, mrf::run(cmd, ui)),
        Command::Rbm(cmd) => (Family::Rbm, rbm::run(cmd, ui)),
        Command::Cnn(cmd) => (Family::Cnn, cnn::run(cmd, ui)),
        Command::Bn(cmd) => (Family::Bn, bn::run(cmd, ui)),
    };
    result.map_err(|err| flags::rename(err, family))
}
