//! What the BIF reader accepts, on small inline texts and on files written by pgmpy and pyAgrum.

mod common;

use common::{assert_identical, fixture};
use deepgm_bn::{parse_bif, parse_xmlbif, write_bif, Network};

fn parse(text: &str) -> Network {
    parse_bif(text, "<test>").unwrap_or_else(|e| panic!("{e}"))
}

/// The rows of p(X | A, B) as pgmpy reads `table_order.bif`, in the model layout.
fn expected_x_rows() -> Vec<f64> {
    let text = std::fs::read_to_string(fixture("table_order_expected.txt")).unwrap();
    let mut values = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // Lines are (a, b) with A slowest, as the model's rows.
        assert_eq!(fields[0], format!("a{}", k / 3));
        assert_eq!(fields[1], format!("b{}", k % 3));
        values.push(fields[2].parse::<f64>().unwrap());
        values.push(fields[3].parse::<f64>().unwrap());
    }
    values
}

#[test]
fn table_on_a_child_lists_the_child_state_slowest_as_pgmpy_and_pyagrum_read_it() {
    let net = parse_bif(
        &std::fs::read_to_string(fixture("table_order.bif")).unwrap(),
        "t",
    )
    .unwrap();
    let x = net.find("X").unwrap();
    let a = net.find("A").unwrap();
    let b = net.find("B").unwrap();
    assert_eq!(net.parents(x), &[a, b]);
    let expected = expected_x_rows();
    assert_eq!(net.cpt(x).values, expected);
    // The file says `table 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.9, ...`: p(x0 | a1, b0) is the 4th.
    assert_eq!(net.cpt(x).probability(&[1, 0], 0), Some(0.4));

    // pgmpy's BIF writer (rows) and XMLBIF writer, and pyAgrum's writers, give the same model.
    let pgmpy_bif = parse_bif(
        &std::fs::read_to_string(fixture("table_order_pgmpy.bif")).unwrap(),
        "p",
    )
    .unwrap();
    assert_identical(&net, &pgmpy_bif, "pgmpy BIF");
    let pgmpy_xml = parse_xmlbif(
        &std::fs::read_to_string(fixture("table_order_pgmpy.xml")).unwrap(),
        "p",
    )
    .unwrap();
    assert_identical(&net, &pgmpy_xml, "pgmpy XMLBIF");
    // pyAgrum stores float32, so its files hold e.g. 0.10000000149011612 for 0.1; its XMLBIF
    // also carries properties (`fast = A{a0|a1}`).
    for file in ["table_order_pyagrum.bif", "table_order_pyagrum.bifxml"] {
        let net2 = deepgm_bn::load(fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (v1, v2) in net.variables().iter().zip(net2.variables()) {
            assert_eq!((&v1.name, &v1.states), (&v2.name, &v2.states), "{file}");
        }
        for (c1, c2) in net.cpts().iter().zip(net2.cpts()) {
            assert_eq!(c1.parents, c2.parents, "{file}");
            for (v1, v2) in c1.values.iter().zip(&c2.values) {
                assert!((v1 - v2).abs() < 1e-7, "{file}: {v1} vs {v2}");
            }
        }
    }
}

const HEADER: &str = "variable A { type discrete [ 2 ] { a0, a1 }; }\n\
                      variable B { type discrete [ 2 ] { b0, b1 }; }\n\
                      probability ( A ) { table 0.4, 0.6; }\n\
                      probability ( B ) { table 0.5, 0.5; }\n";

#[test]
fn one_row_per_configuration_equals_the_table_form() {
    let rows = parse(&format!(
        "{HEADER}variable X {{ type discrete [ 3 ] {{ x0, x1, x2 }}; }}\n\
         probability ( X | A, B ) {{\n\
           (a1, b1) 0.1, 0.1, 0.8;\n (a0, b0) 0.2, 0.3, 0.5;\n\
           (a0, b1) 0.6, 0.2, 0.2;\n (a1, b0) 0.0, 0.0, 1.0;\n}}"
    ));
    // The same with a table: child state slowest, configurations (a0b0, a0b1, a1b0, a1b1).
    let table = parse(&format!(
        "{HEADER}variable X {{ type discrete [ 3 ] {{ x0, x1, x2 }}; }}\n\
         probability ( X | A, B ) {{ table 0.2, 0.6, 0.0, 0.1,  0.3, 0.2, 0.0, 0.1,  0.5, 0.2, 1.0, 0.8; }}"
    ));
    assert_identical(&rows, &table, "rows vs table");
    let x = rows.find("X").unwrap();
    assert_eq!(rows.cpt(x).row(1), &[0.6, 0.2, 0.2]); // a0, b1
    assert_eq!(rows.cpt(x).row(3), &[0.1, 0.1, 0.8]); // a1, b1
}

#[test]
fn default_rows_fill_every_configuration_not_listed() {
    let net = parse(&format!(
        "{HEADER}variable X {{ type discrete [ 2 ] {{ x0, x1 }}; }}\n\
         probability ( X | A, B ) {{ (a1, b0) 0.9, 0.1; default 0.25, 0.75; (a0, b0) 1, 0; }}"
    ));
    let x = net.find("X").unwrap();
    assert_eq!(
        net.cpt(x).values,
        vec![1.0, 0.0, 0.25, 0.75, 0.9, 0.1, 0.25, 0.75]
    );
}

#[test]
fn comments_properties_and_free_layout() {
    let net = parse(
        "// a line comment\n/* a block\n comment */ network \"My net\" { property author = someone ; property \"x;y\" ; }\n\
         variable   rain/*inline*/{\n  type\tdiscrete[2]{yes no};\n  property position = (10, 20) ;\n  property label = \"it rains\";\n}\n\
         probability(rain){ // trailing\n table 0.2 0.8 ; } ;",
    );
    assert_eq!(net.name(), "My net");
    assert_eq!(net.properties(), ["author = someone", "x;y"]);
    let rain = net.variable(0);
    assert_eq!(rain.name, "rain");
    assert_eq!(rain.states, ["yes", "no"]);
    assert_eq!(
        rain.properties,
        ["position = (10, 20)", "label = \"it rains\""]
    );
    // Properties survive a round trip.
    assert_identical(&net, &parse(&write_bif(&net)), "round trip");
}

#[test]
fn quoted_names_and_odd_state_names() {
    let net = parse(
        "network unknown {}\n\
         variable \"blood pressure\" { type discrete [ 4 ] { \"<5\", \">=7.5\", 0_1, \"1e-3\" }; }\n\
         variable Age { type discrete [ 3 ] { 0-3_days, 12+, Asy/Patch }; }\n\
         variable \"say \\\"hi\\\"\" { type discrete [ 2 ] { \"a, b\", Transp. }; }\n\
         probability ( \"blood pressure\" | Age ) {\n\
           (0-3_days) 0.1, 0.2, 0.3, 0.4; (12+) 0.25 0.25 0.25 0.25; (Asy/Patch) 1e-3, 0.999, 0, 0.0;\n}\n\
         probability ( Age ) { table 0.5, 0.25, 0.25; }\n\
         probability ( \"say \\\"hi\\\"\" | \"blood pressure\" ) { (\">=7.5\") 0.5, 0.5; default 1.0, 0.0; }",
    );
    let bp = net.find("blood pressure").unwrap();
    assert_eq!(net.variable(bp).states, ["<5", ">=7.5", "0_1", "1e-3"]);
    assert_eq!(
        net.variable(net.find("Age").unwrap()).states,
        ["0-3_days", "12+", "Asy/Patch"]
    );
    let hi = net.find("say \"hi\"").unwrap();
    assert_eq!(net.variable(hi).states, ["a, b", "Transp."]);
    assert_eq!(
        net.cpt(hi).values,
        vec![1.0, 0.0, 0.5, 0.5, 1.0, 0.0, 1.0, 0.0]
    );
    assert_eq!(net.cpt(bp).row(2), &[1e-3, 0.999, 0.0, 0.0]);
    let written = write_bif(&net);
    assert!(
        written.contains("variable \"blood pressure\" {"),
        "{written}"
    );
    assert!(
        written.contains("{ 0-3_days, 12+, Asy/Patch }"),
        "{written}"
    );
    assert_identical(&net, &parse(&written), "round trip");
}

#[test]
fn keywords_in_any_case_and_old_style_headers() {
    let net = parse(
        "NETWORK n { }\nVariable A { TYPE Discrete [ 2 ] { a0, a1 }; }\n\
         variable X { type discrete [ 2 ] { x0, x1 }; }\n\
         Probability ( A ) { Table 0.5, 0.5; }\n\
         probability ( X A ) { DEFAULT 0.5, 0.5; }",
    );
    assert_eq!(net.parents(net.find("X").unwrap()), &[0]);
}

#[test]
fn blocks_in_any_order_and_a_missing_network_block() {
    let net = parse(
        "probability ( X | A ) { (a0) 0.1, 0.9; (a1) 0.2, 0.8; }\n\
         variable X { type discrete [ 2 ] { x0, x1 }; }\n\
         probability ( A ) { table 1, 0; }\n\
         variable A { type discrete [ 2 ] { a0, a1 }; }",
    );
    assert_eq!(net.name(), "unknown");
    // Variables are numbered in declaration order.
    assert_eq!(net.variable(0).name, "X");
    assert_eq!(net.parents(0), &[1]);
    assert_eq!(net.topological_order(), vec![1, 0]);
}

#[test]
fn bytes_with_a_bom_are_read_and_invalid_utf8_is_located() {
    let mut bytes =
        b"\xEF\xBB\xBFvariable A { type discrete [1] { a }; } probability (A) { table 1; }"
            .to_vec();
    let net = deepgm_bn::parse_bif_bytes(&bytes, "bom.bif").unwrap();
    assert_eq!(net.variable(0).states, ["a"]);
    bytes.extend_from_slice(b"\n  \xFF");
    let err = deepgm_bn::parse_bif_bytes(&bytes, "bad.bif").unwrap_err();
    assert!(
        matches!(&err, deepgm_core::Error::Format { path, line: Some(2), column: Some(3), message }
            if path.to_str() == Some("bad.bif") && message.contains("0xFF")),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("bad.bif:2:3: "), "{err}");
}

#[test]
fn tiny_and_huge_numbers_round_trip() {
    let net = parse(
        "variable A { type discrete [ 4 ] { a, b, c, d }; }\n\
         probability ( A ) { table 1e-300, 5e-324, 0.30000000000000004, 0.6999999999999999; }",
    );
    let written = write_bif(&net);
    assert!(written.contains("1e-300"), "{written}");
    assert_identical(&net, &parse(&written), "round trip");
}

#[test]
fn pgmpy_xmlbif_of_asia_matches_asia_by_name() {
    // pgmpy sorts the variables by name, so compare through names.
    let asia = deepgm_bn::embedded::load("asia").unwrap();
    let xml = deepgm_bn::load(fixture("asia_pgmpy.xml")).unwrap();
    assert_eq!(xml.n_variables(), 8);
    for v in 0..8 {
        let w = xml.find(&asia.variable(v).name).unwrap();
        assert_eq!(xml.variable(w).states, asia.variable(v).states);
        let parents = |net: &Network, i: usize| -> Vec<String> {
            net.parents(i)
                .iter()
                .map(|&p| net.variable(p).name.clone())
                .collect()
        };
        assert_eq!(parents(&xml, w), parents(&asia, v));
        assert_eq!(
            xml.cpt(w).values,
            asia.cpt(v).values,
            "{}",
            asia.variable(v).name
        );
    }
}
