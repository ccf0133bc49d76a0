//! Any bytes given to the IDX/MNIST reader give a value or an error, never a panic.
#![no_main]

use std::path::Path;

use deepgm_core::idx;
use deepgm_core::mnist::Mnist;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.idx");
    if let Ok(array) = idx::decode(data.to_vec(), path) {
        // Round trip: what decodes re-encodes to a file that decodes to the same array.
        let again = idx::decode(idx::encode(&array, false), path).expect("re-encoded IDX decodes");
        assert_eq!(again, array);
        // The same bytes as both images and labels exercise the pairing checks.
        let _ = Mnist::from_idx(array.clone(), path, array, path);
    }
});
