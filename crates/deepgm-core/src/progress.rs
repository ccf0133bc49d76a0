//! Progress reporting without printing: long-running library calls report to a [`Progress`]
//! sink; the command-line program turns it into a progress bar, tests and libraries pass
//! [`NoProgress`].

/// A sink for progress of long work (sweeps, epochs, samples).
pub trait Progress: Sync {
    /// Announces the total amount of work, in the unit of the calling operation.
    fn start(&self, total: u64, label: &str);
    /// Reports that `done` more units have completed.
    fn advance(&self, done: u64);
    /// Reports a short status line (for example the current energy or loss).
    fn message(&self, _text: &str) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64, _label: &str) {}
    fn advance(&self, _done: u64) {}
}
