//! `deepgm bn learn-structure` and `deepgm bn score` end to end: results, lists, comparison,
//! and every kind of bad input named with exit code 2.

mod common;

use std::path::Path;

use common::{deepgm, json, stderr};

fn sample(dir: &Path, net: &str, n: usize) -> String {
    let csv = dir.join(format!("{}.csv", net.replace(':', "-")));
    let out = deepgm(&[
        "bn",
        "sample",
        net,
        "-n",
        &n.to_string(),
        "--seed",
        "2",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    csv.to_str().unwrap().to_string()
}

#[test]
fn learns_asia_and_compares_it_with_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let csv = sample(dir.path(), "builtin:asia", 50_000);
    let learned = dir.path().join("learned.bif");
    let out = deepgm(&[
        "bn",
        "learn-structure",
        "--data",
        &csv,
        "--compare",
        "builtin:asia",
        "-o",
        learned.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["compare"]["cpdag_shd"]["total"], 0, "{v}");
    assert!(v["score"].as_f64().unwrap() >= v["compare"]["score"].as_f64().unwrap() - 1e-6);
    assert!(v["families_scored"].as_u64().unwrap() > 0);
    // The written network has fitted tables and scores as reported.
    let out = deepgm(&[
        "bn",
        "score",
        learned.to_str().unwrap(),
        "--data",
        &csv,
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scored = json(&out)["score"].as_f64().unwrap();
    assert!((scored - v["score"].as_f64().unwrap()).abs() < 1e-6 * scored.abs());
}

#[test]
fn lists_start_graph_and_indegree_are_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let csv = sample(dir.path(), "builtin:asia", 5_000);
    let white = dir.path().join("white.txt");
    std::fs::write(&white, "# forced\nasia -> dysp\n").unwrap();
    let black = dir.path().join("black.txt");
    std::fs::write(&black, "smoke,lung\nlung -> smoke\n").unwrap();
    let out = deepgm(&[
        "bn",
        "learn-structure",
        "--data",
        &csv,
        "--whitelist",
        white.to_str().unwrap(),
        "--blacklist",
        black.to_str().unwrap(),
        "--max-indegree",
        "1",
        "--start",
        "builtin:asia",
        "-o",
        dir.path().join("out.xmlbif").to_str().unwrap(),
        "--json",
    ]);
    // asia's own graph has two parents for either and dysp: over the limit of 1.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--max-indegree"), "{}", stderr(&out));
    let out = deepgm(&[
        "bn",
        "learn-structure",
        "--data",
        &csv,
        "--whitelist",
        white.to_str().unwrap(),
        "--blacklist",
        black.to_str().unwrap(),
        "--max-indegree",
        "1",
        "-o",
        dir.path().join("out.xmlbif").to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let arcs: Vec<(String, String)> = json(&out)["arcs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a[0].as_str().unwrap().into(), a[1].as_str().unwrap().into()))
        .collect();
    assert!(arcs.contains(&("asia".into(), "dysp".into())), "{arcs:?}");
    assert!(!arcs
        .iter()
        .any(|(a, b)| (a == "smoke" && b == "lung") || (a == "lung" && b == "smoke")));
    let mut heads: Vec<&String> = arcs.iter().map(|(_, b)| b).collect();
    heads.sort();
    heads.dedup();
    assert_eq!(
        heads.len(),
        arcs.len(),
        "a variable has two parents: {arcs:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = sample(dir.path(), "builtin:alarm", 2_000);
    let run = |seed: &str, out: &str| {
        let path = dir.path().join(out);
        let o = deepgm(&[
            "bn",
            "learn-structure",
            "--data",
            &csv,
            "--restarts",
            "5",
            "--seed",
            seed,
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(path).unwrap()
    };
    assert_eq!(run("3", "a.bif"), run("3", "b.bif"));
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.bif");
    let out = out_path.to_str().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let learn = |data: &str, extra: &[&str]| {
        let mut args = vec!["bn", "learn-structure", "--data", data, "-o", out];
        args.extend_from_slice(extra);
        deepgm(&args)
    };
    let cases = [
        (write("empty.csv", ""), vec![], "the file is empty"),
        (
            write("one.csv", "A\nx\ny\n"),
            vec![],
            "at least two variables",
        ),
        (
            write("constant.csv", "A,B\nx,1\ny,1\nx,1\n"),
            vec![],
            "constant variable",
        ),
        (
            write("missing.csv", "A,B\nx,1\ny,2\nx,\n"),
            vec![],
            "missing.csv:4:2: B: missing value",
        ),
        (write("header.csv", "A,B\n"), vec![], "no rows"),
    ];
    for (data, extra, expected) in &cases {
        let o = learn(data, extra);
        assert_eq!(o.status.code(), Some(2), "{data}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{data}: {}", stderr(&o));
    }
    let good = write("good.csv", "A,B,C\nx,1,p\ny,2,q\nx,2,p\ny,1,q\n");
    let list = write("list.txt", "A -> D\n");
    let o = learn(&good, &["--whitelist", &list]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("list.txt:1: unknown variable \"D\""),
        "{}",
        stderr(&o)
    );
    let bad_line = write("bad.txt", "A B\n");
    let o = learn(&good, &["--blacklist", &bad_line]);
    assert!(stderr(&o).contains("expected FROM -> TO"), "{}", stderr(&o));
    let cyclic = write("cycle.txt", "A -> B\nB -> C\nC -> A\n");
    let o = learn(&good, &["--whitelist", &cyclic]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cycle"), "{}", stderr(&o));
    let o = learn(&good, &["--score", "bdeu", "--ess", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ess"), "{}", stderr(&o));
    let o = learn(&good, &["--compare", "builtin:asia"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no column"), "{}", stderr(&o));
}
