//! Rayon's worker threads, started ahead of the work that needs them.

/// Starts rayon's global worker threads now and returns at once, so the first parallel call
/// does not pay for creating them. A command that reads a file before its first parallel
/// step (a query after parsing a network) finds the threads ready; creating them inside the
/// first parallel call costs a few milliseconds on a fresh process, as much as a whole query
/// on a mid-sized network.
pub fn start_worker_threads() {
    rayon::spawn(|| {});
}
