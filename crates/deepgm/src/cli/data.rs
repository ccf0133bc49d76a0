//! Grammar of `deepgm data ...`.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

/// `deepgm data ...`
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Validate the MNIST files in a directory; print the counts and label histogram of each split.
    #[command(
        after_help = "Examples:\n  deepgm data check data/mnist\n  deepgm data check embedded --json"
    )]
    Check {
        /// Directory holding the IDX files (.gz or raw), or `embedded`. Default: $DEEPGM_DATA,
        /// else ./data/mnist.
        #[arg(conflicts_with = "data")]
        dir: Option<PathBuf>,
        /// The same as DIR, spelled as the other commands spell it.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// List the data built into deepgm: digits, a picture and networks, each usable by name.
    #[command(
        after_help = "Each is named builtin:NAME wherever a file of its kind is taken.\n\n\
Examples:\n  deepgm data list\n  deepgm bn info builtin:asia\n  \
deepgm mrf noise builtin:horse -o noisy.png --flip 0.1"
    )]
    List,
    /// Download a dataset from public mirrors, verifying each file's SHA-256.
    #[command(after_help = "Example:\n  deepgm data fetch mnist data/mnist")]
    Fetch {
        /// Which dataset.
        dataset: Dataset,
        /// Destination directory. Default: $DEEPGM_DATA, else ./data/mnist.
        dir: Option<PathBuf>,
        /// Seconds to wait for a mirror to connect or send data.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
}

/// Datasets `deepgm data fetch` knows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Dataset {
    /// The MNIST handwritten digits (four gzipped IDX files, 11 MB).
    Mnist,
}
