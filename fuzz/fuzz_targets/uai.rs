//! Any bytes given to the UAI reader give a model or an error, never a panic; a model that
//! reads also writes and reads back to the same model, and the same bytes read as evidence for
//! it give evidence or an error.
#![no_main]

use deepgm_bn::{parse_uai, parse_uai_bytes, parse_uai_evidence, write_uai};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = parse_uai_bytes(data, "fuzz.uai") {
        let again = parse_uai(&write_uai(&model), "again.uai").expect("written UAI reads back");
        assert_eq!(again, model);
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = parse_uai_evidence(text, &model, "fuzz.evid");
        }
    }
});
