//! Any bytes given to the XMLBIF reader give a network or an error, never a panic; a network
//! that reads also writes and reads back to the same network.
#![no_main]

use deepgm_bn::{parse_xmlbif, parse_xmlbif_bytes, write_xmlbif};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(net) = parse_xmlbif_bytes(data, "fuzz.xml") {
        let again =
            parse_xmlbif(&write_xmlbif(&net), "again.xml").expect("written XMLBIF reads back");
        assert_eq!(again, net);
    }
});
