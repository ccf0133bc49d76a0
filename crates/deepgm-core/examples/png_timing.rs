//! Times PNG decoding and encoding of a picture: `cargo run --release -p deepgm-core --example png_timing -- FILE.png`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a PNG file");
    let t = Instant::now();
    let gray = deepgm_core::image::read_gray(path.as_ref()).expect("readable");
    println!("decode: {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
    for _ in 0..3 {
        let t = Instant::now();
        let bytes = deepgm_core::image::encode_png(&gray).expect("encodable");
        println!(
            "encode: {:.2} ms, {} bytes",
            t.elapsed().as_secs_f64() * 1e3,
            bytes.len()
        );
    }
}
