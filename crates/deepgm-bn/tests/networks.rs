//! The shared bnlearn networks and the built-in ones: parsing, counts, round trips, the joint
//! summing to 1.

mod common;

use std::time::Instant;

use common::{assert_identical, joint_sum, shared_dir, SHARED};
use deepgm_bn::{embedded, load, parse_bif, parse_xmlbif, save, write_bif, write_xmlbif, Network};

fn load_shared(name: &str) -> Option<Network> {
    let dir = shared_dir()?;
    Some(load(dir.join(format!("{name}.bif.gz"))).unwrap_or_else(|e| panic!("{name}: {e}")))
}

#[test]
fn every_shared_network_parses_and_round_trips_through_bif_and_xmlbif() {
    let Some(dir) = shared_dir() else { return };
    for name in SHARED {
        let net =
            load(dir.join(format!("{name}.bif.gz"))).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(net.n_variables() > 0, "{name}");
        let bif = write_bif(&net);
        let again =
            parse_bif(&bif, format!("{name} (written)")).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_identical(&net, &again, &format!("{name} via BIF"));
        // Writing is deterministic: a second round gives the same text.
        assert_eq!(write_bif(&again), bif, "{name}");
        let xml = write_xmlbif(&net);
        let again = parse_xmlbif(&xml, format!("{name} (written)"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_identical(&net, &again, &format!("{name} via XMLBIF"));
    }
}

#[test]
fn counts_of_asia_alarm_and_munin() {
    let Some(asia) = load_shared("asia") else {
        return;
    };
    assert_eq!(
        (asia.n_variables(), asia.n_arcs(), asia.n_parameters()),
        (8, 8, 18)
    );
    assert_eq!(asia.max_in_degree(), 2);
    let alarm = load_shared("alarm").expect("present with asia");
    assert_eq!(
        (alarm.n_variables(), alarm.n_arcs(), alarm.n_parameters()),
        (37, 46, 509)
    );
    assert_eq!(alarm.max_in_degree(), 4);
    let munin = load_shared("munin").expect("present with asia");
    assert_eq!(munin.n_variables(), 1041);
    // bnlearn's page: munin has 1397 arcs and 80592 parameters.
    assert_eq!((munin.n_arcs(), munin.n_parameters()), (1397, 80592));
}

#[test]
fn published_counts_of_the_other_networks() {
    let Some(_) = shared_dir() else { return };
    // (variables, arcs, parameters), from the bnlearn repository's pages.
    let expected = [
        ("cancer", 5, 4, 10),
        ("earthquake", 5, 4, 10),
        ("survey", 6, 6, 21),
        ("sachs", 11, 17, 178),
        ("child", 20, 25, 230),
        ("insurance", 27, 52, 1008),
        ("water", 32, 66, 10083),
        ("mildew", 35, 46, 540150),
        ("barley", 48, 84, 114005),
        ("hailfinder", 56, 66, 2656),
    ];
    for (name, n, arcs, params) in expected {
        let net = load_shared(name).expect("shared dir present");
        assert_eq!(
            (net.n_variables(), net.n_arcs(), net.n_parameters()),
            (n, arcs, params),
            "{name}"
        );
    }
}

#[test]
fn munin_parses_quickly() {
    let Some(dir) = shared_dir() else { return };
    let text = String::from_utf8(
        std::io::Read::bytes(flate2::read::GzDecoder::new(
            std::fs::File::open(dir.join("munin.bif.gz")).unwrap(),
        ))
        .collect::<Result<Vec<u8>, _>>()
        .unwrap(),
    )
    .unwrap();
    let start = Instant::now();
    let net = parse_bif(&text, "munin.bif").unwrap();
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "munin: {} variables parsed in {:.1} ms",
        net.n_variables(),
        seconds * 1e3
    );
    // Generous, to hold in an unoptimized test build on a loaded machine; the release build is
    // far faster (see the crate's report).
    assert!(seconds < 5.0, "munin took {seconds} s");
}

#[test]
fn the_joint_sums_to_one_on_small_networks() {
    let mut nets: Vec<(String, Network)> =
        vec![("asia (embedded)".into(), embedded::load("asia").unwrap())];
    if shared_dir().is_some() {
        for name in ["asia", "cancer", "earthquake", "survey"] {
            nets.push((name.into(), load_shared(name).unwrap()));
        }
    }
    for (name, net) in nets {
        let sum = joint_sum(&net);
        assert!((sum - 1.0).abs() < 1e-12, "{name}: the joint sums to {sum}");
    }
}

#[test]
fn embedded_networks_match_the_shared_files() {
    let asia = embedded::load("asia").unwrap();
    let alarm = embedded::load("ALARM").unwrap();
    assert_eq!(
        (alarm.n_variables(), alarm.n_arcs(), alarm.n_parameters()),
        (37, 46, 509)
    );
    let err = embedded::load("munin").unwrap_err();
    assert!(matches!(err, deepgm_core::Error::NotFound { .. }), "{err}");
    assert!(
        err.to_string().contains("builtin:asia, builtin:alarm"),
        "{err}"
    );
    // The same networks by name wherever a file is read.
    assert_eq!(deepgm_bn::load("builtin:asia").unwrap(), asia);
    if let Some(shared) = load_shared("asia") {
        assert_identical(&asia, &shared, "embedded asia");
        assert_identical(&alarm, &load_shared("alarm").unwrap(), "embedded alarm");
    }
}

#[test]
fn save_and_load_every_supported_file_name() {
    let net = embedded::load("alarm").unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.bif", "a.bif.gz", "a.xml", "a.xmlbif", "a.bifxml.gz"] {
        let path = dir.path().join(name);
        save(&net, &path).unwrap();
        let again = load(&path).unwrap();
        assert_identical(&net, &again, name);
    }
    // Gzip is really used for .gz.
    let bytes = std::fs::read(dir.path().join("a.bif.gz")).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    // An unknown extension is refused on save, and sniffed on load.
    let err = save(&net, dir.path().join("a.txt")).unwrap_err();
    assert_eq!(err.parameter(), Some("output"), "{err}");
    assert!(
        err.is_bad_input() && err.to_string().contains("a.txt"),
        "{err}"
    );
    std::fs::copy(dir.path().join("a.xml"), dir.path().join("xml.txt")).unwrap();
    std::fs::copy(dir.path().join("a.bif.gz"), dir.path().join("gz.data")).unwrap();
    assert_identical(
        &net,
        &load(dir.path().join("xml.txt")).unwrap(),
        "sniffed XML",
    );
    assert_identical(
        &net,
        &load(dir.path().join("gz.data")).unwrap(),
        "sniffed gzip",
    );
    // A missing file is an I/O error naming it.
    let err = load(dir.path().join("missing.bif")).unwrap_err();
    assert!(
        matches!(err, deepgm_core::Error::Io { .. }) && err.to_string().contains("missing.bif")
    );
}
