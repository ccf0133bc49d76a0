//! Any bytes given to the image reader give a grayscale array or an error, never a panic.
#![no_main]

use std::path::Path;

use deepgm_core::image::{decode_gray, to_spins};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(gray) = decode_gray(data, Path::new("fuzz.png")) {
        assert!(gray.nrows() > 0 && gray.ncols() > 0);
        let spins = to_spins(&gray, 128);
        assert!(spins.iter().all(|&s| s == 1 || s == -1));
    }
});
