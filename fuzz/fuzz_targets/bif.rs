//! Any bytes given to the BIF reader give a network or an error, never a panic; a network that
//! reads also writes and reads back to the same network.
#![no_main]

use deepgm_bn::{parse_bif, parse_bif_bytes, write_bif};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(net) = parse_bif_bytes(data, "fuzz.bif") {
        let again = parse_bif(&write_bif(&net), "again.bif").expect("written BIF reads back");
        assert_eq!(again, net);
    }
});
