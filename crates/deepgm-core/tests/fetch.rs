//! `fetch` against an HTTP server on 127.0.0.1 started by the test: a good file, a corrupt file,
//! a connection cut mid-download, and a server that is gone.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use deepgm_core::fetch::{content_sha256, fetch, FetchOutcome, RemoteFile};
use deepgm_core::idx::{encode, IdxArray};

/// What the test server answers for one path.
#[derive(Clone)]
enum Reply {
    Body(Vec<u8>),
    /// Announces `Content-Length` of the full body but sends only half, then closes.
    CutShort(Vec<u8>),
}

/// Serves `routes` on an ephemeral 127.0.0.1 port until the process ends; returns the base URL.
fn serve(routes: HashMap<String, Reply>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let routes = Arc::clone(&routes);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let _ = match routes.get(&path) {
                    Some(Reply::Body(body)) => stream
                        .write_all(
                            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                                .as_bytes(),
                        )
                        .and_then(|_| stream.write_all(body)),
                    Some(Reply::CutShort(body)) => stream
                        .write_all(
                            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                                .as_bytes(),
                        )
                        .and_then(|_| stream.write_all(&body[..body.len() / 2])),
                    None => stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    ),
                };
            });
        }
    });
    format!("http://127.0.0.1:{port}/")
}

fn sample_file(seed: u8) -> Vec<u8> {
    encode(
        &IdxArray {
            magic: 2049,
            dims: vec![300],
            data: (0..300)
                .map(|i| ((i * 7 + seed as usize) % 10) as u8)
                .collect(),
        },
        true,
    )
}

fn remote(name: &str, good: &[u8]) -> RemoteFile {
    RemoteFile {
        name: name.to_string(),
        sha256: content_sha256(good, Path::new(name)).unwrap(),
    }
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const TIMEOUT: Duration = Duration::from_secs(5);

#[test]
fn good_file_is_downloaded_then_skipped() {
    let good = sample_file(1);
    let base = serve(HashMap::from([(
        "/a.gz".to_string(),
        Reply::Body(good.clone()),
    )]));
    let dir = tempfile::tempdir().unwrap();
    let files = [remote("a.gz", &good)];
    let outcomes = fetch(dir.path(), &[base.as_str()], &files, TIMEOUT, |_| {}).unwrap();
    assert!(
        matches!(&outcomes[0], FetchOutcome::Downloaded { bytes, .. } if *bytes == good.len() as u64)
    );
    assert_eq!(std::fs::read(dir.path().join("a.gz")).unwrap(), good);
    let again = fetch(dir.path(), &[base.as_str()], &files, TIMEOUT, |_| {}).unwrap();
    assert!(matches!(again[0], FetchOutcome::AlreadyValid { .. }));
}

#[test]
fn corrupt_mirror_falls_back_to_the_second() {
    let good = sample_file(2);
    let bad = sample_file(3);
    let corrupt = serve(HashMap::from([("/b.gz".to_string(), Reply::Body(bad))]));
    let healthy = serve(HashMap::from([(
        "/b.gz".to_string(),
        Reply::Body(good.clone()),
    )]));
    let dir = tempfile::tempdir().unwrap();
    let outcomes = fetch(
        dir.path(),
        &[corrupt.as_str(), healthy.as_str()],
        &[remote("b.gz", &good)],
        TIMEOUT,
        |_| {},
    )
    .unwrap();
    assert!(matches!(&outcomes[0], FetchOutcome::Downloaded { mirror, .. } if *mirror == healthy));
    assert_eq!(std::fs::read(dir.path().join("b.gz")).unwrap(), good);
}

#[test]
fn corrupt_everywhere_is_an_error_and_leaves_nothing() {
    let good = sample_file(4);
    let mut garbled = good.clone();
    let n = garbled.len();
    garbled[n - 9] ^= 0x55; // breaks the gzip CRC
    let base = serve(HashMap::from([
        ("/c.gz".to_string(), Reply::Body(garbled)),
        ("/d.gz".to_string(), Reply::CutShort(good.clone())),
    ]));
    let dir = tempfile::tempdir().unwrap();
    for name in ["c.gz", "d.gz"] {
        let err = fetch(
            dir.path(),
            &[base.as_str()],
            &[remote(name, &good)],
            TIMEOUT,
            |_| {},
        )
        .unwrap_err();
        assert_eq!(err.kind(), deepgm_core::ErrorKind::Network, "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    assert!(
        dir_names(dir.path()).is_empty(),
        "left behind: {:?}",
        dir_names(dir.path())
    );
}

#[test]
fn invalid_existing_file_is_replaced() {
    let good = sample_file(5);
    let base = serve(HashMap::from([(
        "/e.gz".to_string(),
        Reply::Body(good.clone()),
    )]));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("e.gz"), b"half a file").unwrap();
    let outcomes = fetch(
        dir.path(),
        &[base.as_str()],
        &[remote("e.gz", &good)],
        TIMEOUT,
        |_| {},
    )
    .unwrap();
    assert!(matches!(outcomes[0], FetchOutcome::Downloaded { .. }));
    assert_eq!(std::fs::read(dir.path().join("e.gz")).unwrap(), good);
}

#[test]
fn server_gone_is_an_error_and_leaves_nothing() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}/");
    let good = sample_file(6);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sub");
    let err = fetch(
        &target,
        &[base.as_str()],
        &[remote("f.gz", &good)],
        TIMEOUT,
        |_| {},
    )
    .unwrap_err();
    assert!(!err.is_bad_input());
    assert_eq!(err.kind(), deepgm_core::ErrorKind::Network, "{err}");
    assert!(err.to_string().contains("f.gz"), "{err}");
    // The directory the call created is removed again: nothing was fetched into it.
    assert!(!target.exists());
    assert!(dir_names(dir.path()).is_empty());
}
