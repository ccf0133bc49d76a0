//! Bad models and bad files are errors that say where and what: validation messages name the
//! variable and parent configuration, parse errors carry the line and column.

use deepgm_bn::{parse_bif, parse_xmlbif, Cpt, Network, Variable};
use deepgm_core::Error;

/// A -> X <- B with the given table for X (card 2, configurations a0b0, a0b1, a1b0, a1b1).
fn two_parents(x_values: Vec<f64>) -> deepgm_core::Result<Network> {
    let mut b = Network::builder("t");
    b.variable("A", ["a0", "a1"]);
    b.variable("B", ["b0", "b1"]);
    b.variable("X", ["x0", "x1"]);
    b.table("A", &[], vec![0.5, 0.5]);
    b.table("B", &[], vec![0.5, 0.5]);
    b.table("X", &["A", "B"], x_values);
    b.build()
}

fn message(result: deepgm_core::Result<Network>) -> String {
    let err = result.expect_err("expected an error");
    assert_eq!(err.parameter(), Some("network"), "{err}");
    err.to_string()
}

#[test]
fn a_row_not_summing_to_one_names_the_variable_and_parent_configuration() {
    let m = message(two_parents(vec![1.0, 0.0, 0.5, 0.5, 0.5, 0.25, 0.0, 1.0]));
    assert!(
        m.contains("'X'") && m.contains("A=a1, B=b0") && m.contains("sums to 0.75"),
        "{m}"
    );
    // A root names no configuration.
    let mut b = Network::builder("t");
    b.variable("R", ["r0", "r1"]);
    b.table("R", &[], vec![0.5, 0.6]);
    let m = message(b.build());
    assert!(
        m.contains("'R'") && m.contains("1.1") && !m.contains("configuration"),
        "{m}"
    );
}

#[test]
fn rows_within_the_tolerance_are_kept_exactly_as_given() {
    let off = 1.0 - 3e-7;
    let net = two_parents(vec![off, 0.0, 0.5, 0.5, 0.6, 0.4, 0.0, 1.0]).unwrap();
    assert_eq!(net.cpt(2).values[0], off, "not renormalized");
    assert!(two_parents(vec![1.0 - 2e-6, 0.0, 0.5, 0.5, 0.6, 0.4, 0.0, 1.0]).is_err());
}

#[test]
fn values_must_be_probabilities() {
    let m = message(two_parents(vec![1.5, -0.5, 0.5, 0.5, 0.6, 0.4, 0.0, 1.0]));
    assert!(
        m.contains("1.5") && m.contains("A=a0, B=b0") && m.contains("[0, 1]"),
        "{m}"
    );
    let m = message(two_parents(vec![
        f64::NAN,
        1.0,
        0.5,
        0.5,
        0.6,
        0.4,
        0.0,
        1.0,
    ]));
    assert!(m.contains("NaN"), "{m}");
}

#[test]
fn a_wrong_table_size_says_expected_and_found() {
    let m = message(two_parents(vec![0.5, 0.5, 0.5, 0.5, 0.5, 0.5]));
    assert!(
        m.contains("'X'") && m.contains("6 values, expected 8"),
        "{m}"
    );
}

#[test]
fn a_cycle_is_rejected_and_listed() {
    let vars = vec![
        Variable::new("A", ["0", "1"]),
        Variable::new("B", ["0", "1"]),
        Variable::new("C", ["0", "1"]),
    ];
    let row2 = vec![0.5; 4];
    let cpts = vec![
        Cpt::new(0, vec![2], row2.clone(), &vars),
        Cpt::new(1, vec![0], row2.clone(), &vars),
        Cpt::new(2, vec![1], row2, &vars),
    ];
    let m = message(Network::new("cyclic", vars, cpts));
    assert!(m.contains("cycle: B -> C -> A -> B"), "{m}");
}

#[test]
fn bad_variables_are_rejected() {
    let one = |v: Variable| {
        let cpt = Cpt::new(
            0,
            vec![],
            vec![1.0 / v.states.len().max(1) as f64; v.states.len()],
            std::slice::from_ref(&v),
        );
        Network::new("t", vec![v], vec![cpt])
    };
    let m = message(one(Variable::new("A", ["x", "y", "x"])));
    assert!(m.contains("'A'") && m.contains("state 'x' twice"), "{m}");
    assert!(message(one(Variable::new("A", Vec::<String>::new()))).contains("no states"));
    assert!(message(one(Variable::new("", ["x"]))).contains("empty"));
    assert!(message(one(Variable::new(" A", ["x"]))).contains("whitespace"));
    assert!(message(one(Variable::new("A", ["x", "y "]))).contains("whitespace"));
    let vars = vec![Variable::new("A", ["x"]), Variable::new("A", ["y"])];
    let cpts = vec![
        Cpt::new(0, vec![], vec![1.0], &vars),
        Cpt::new(1, vec![], vec![1.0], &vars),
    ];
    assert!(message(Network::new("t", vars, cpts)).contains("two variables are called 'A'"));
}

#[test]
fn bad_table_structure_is_rejected() {
    let vars = vec![
        Variable::new("A", ["x", "y"]),
        Variable::new("B", ["x", "y"]),
    ];
    let root = |i| Cpt::new(i, vec![], vec![0.5, 0.5], &vars);
    let m = message(Network::new("t", vars.clone(), vec![root(0)]));
    assert!(m.contains("'B' has no table"), "{m}");
    let m = message(Network::new(
        "t",
        vars.clone(),
        vec![root(0), root(1), root(1)],
    ));
    assert!(m.contains("'B' has two tables"), "{m}");
    let m = message(Network::new(
        "t",
        vars.clone(),
        vec![root(0), Cpt::new(1, vec![1], vec![0.5; 4], &vars)],
    ));
    assert!(m.contains("its own parent"), "{m}");
    let m = message(Network::new(
        "t",
        vars.clone(),
        vec![root(0), Cpt::new(1, vec![0, 0], vec![0.5; 8], &vars)],
    ));
    assert!(m.contains("twice"), "{m}");
    let m = message(Network::new(
        "t",
        vars.clone(),
        vec![root(0), Cpt::new(1, vec![7], vec![0.5; 2], &vars)],
    ));
    assert!(m.contains("parent index 7"), "{m}");
    let mut wrong_card = root(1);
    wrong_card.child_card = 3;
    let m = message(Network::new("t", vars.clone(), vec![root(0), wrong_card]));
    assert!(m.contains("child_card 3"), "{m}");
    let mut b = Network::builder("t");
    b.variable("A", ["x"]);
    b.table("A", &["Nope"], vec![1.0]);
    assert!(message(b.build()).contains("unknown variable 'Nope'"));
}

/// A parse error's location and message, from the fields of an [`Error::Format`].
struct Located {
    line: u64,
    column: u64,
    message: String,
}

impl Located {
    /// Whether the error is at this line and column.
    fn at(&self, line: u64, column: u64) -> bool {
        (self.line, self.column) == (line, column)
    }

    fn contains(&self, text: &str) -> bool {
        self.message.contains(text)
    }
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// A parse error, checked to be a Format error naming `source`, with a line and column.
fn located(result: deepgm_core::Result<Network>, source: &str) -> Located {
    match result {
        Err(Error::Format {
            path,
            line: Some(line),
            column: Some(column),
            message,
        }) => {
            assert_eq!(path.to_str(), Some(source));
            assert!(!message.starts_with("line "), "{message}");
            Located {
                line,
                column,
                message,
            }
        }
        other => panic!("expected a format error with a location, got {other:?}"),
    }
}

/// A BIF parse error of `text` read as `net.bif`.
fn bif_error(text: &str) -> Located {
    located(parse_bif(text, "net.bif"), "net.bif")
}

const A_AND_X: &str = "variable A {\n  type discrete [ 2 ] { a0, a1 };\n}\nvariable X {\n  type discrete [ 2 ] { x0, x1 };\n}\nprobability ( A ) {\n  table 0.5, 0.5;\n}\n";

#[test]
fn parse_errors_carry_line_and_column() {
    // A missing ';' after the values: found the closing brace on line 3.
    let m = bif_error("variable A {\n  type discrete [ 2 ] { a0, a1 };\n}\nprobability ( A ) {\n  table 0.5, 0.5\n}\n");
    assert!(m.at(6, 1), "{m}");
    assert!(
        m.contains("expected a number, ',' or ';'") && m.contains("found '}'"),
        "{m}"
    );

    // An unknown state in a row: at the state.
    let m = bif_error(&format!(
        "{A_AND_X}probability ( X | A ) {{\n  (a0) 0.1, 0.9;\n  (a2) 0.2, 0.8;\n}}\n"
    ));
    assert!(
        m.at(12, 4) && m.contains("'a2' is not a state of 'A'"),
        "{m}"
    );
    assert!(m.contains("expected one of: a0, a1"), "{m}");

    // A stray word at the top level.
    let m = bif_error("network x {\n}\n  varable A {");
    assert!(m.at(3, 3) && m.contains("found 'varable'"), "{m}");
    assert!(
        m.contains("expected 'network', 'variable' or 'probability'"),
        "{m}"
    );

    // Too few table values: at the first value.
    let m = bif_error("variable A { type discrete [ 3 ] { a, b, c }; }\nprobability ( A ) {\n    table 0.5, 0.5;\n}");
    assert!(m.at(3, 11) && m.contains("2 values, expected 3"), "{m}");

    // An unclosed comment: at its start.
    let m = bif_error("network x { }\n /* forever");
    assert!(m.at(2, 2) && m.contains("'*/'"), "{m}");

    // An unknown variable in a header: at its name.
    let m = bif_error(&format!(
        "{A_AND_X}probability ( X | Q ) {{ default 0.5, 0.5; }}"
    ));
    assert!(m.at(10, 19) && m.contains("unknown variable 'Q'"), "{m}");

    // A count that disagrees with the list of states: at the count.
    let m = bif_error("variable A {\n  type discrete [ 3 ] { a0, a1 };\n}");
    assert!(m.at(2, 19) && m.contains("[ 3 ] states but lists 2"), "{m}");

    // A duplicate state: at the second one.
    let m = bif_error("variable A {\n  type discrete [ 3 ] { a0, a1, a0 };\n}");
    assert!(m.at(2, 33) && m.contains("state 'a0' twice"), "{m}");

    // Wrong number of values in a row.
    let m = bif_error(&format!(
        "{A_AND_X}probability ( X | A ) {{\n  (a0) 0.1, 0.8, 0.1;\n  (a1) 0.2, 0.8;\n}}\n"
    ));
    assert!(m.at(11, 8) && m.contains("3 values, expected 2"), "{m}");
}

#[test]
fn model_errors_in_a_file_point_at_the_row_or_block() {
    // A bad row: at that row, naming the configuration.
    let m = bif_error(&format!(
        "{A_AND_X}probability ( X | A ) {{\n  (a0) 0.1, 0.9;\n  (a1) 0.25, 0.5;\n}}\n"
    ));
    assert!(
        m.at(12, 3) && m.contains("A=a1") && m.contains("sums to 0.75"),
        "{m}"
    );
    // A configuration with no row and no default: at the block.
    let m = bif_error(&format!(
        "{A_AND_X}probability ( X | A ) {{\n  (a1) 0.2, 0.8;\n}}\n"
    ));
    assert!(
        m.at(10, 1) && m.contains("no row for parent configuration A=a0"),
        "{m}"
    );
    // A cycle: at the block of a variable on it.
    let m = bif_error(
        "variable A { type discrete [ 1 ] { a }; }\nvariable B { type discrete [ 1 ] { b }; }\n\
         probability ( A | B ) { default 1; }\nprobability ( B | A ) { default 1; }",
    );
    assert!(m.contains("cycle") && (m.at(3, 1) || m.at(4, 1)), "{m}");
    // A variable without a table: at its declaration.
    let m = bif_error("variable A { type discrete [ 1 ] { a }; }\n  variable B { type discrete [ 1 ] { b }; }\nprobability ( A ) { table 1; }");
    assert!(
        m.at(2, 3) && m.contains("'B' has no probability block"),
        "{m}"
    );
    // Two declarations of a variable.
    let m = bif_error(
        "variable A { type discrete [ 1 ] { a }; }\nvariable A { type discrete [ 1 ] { a }; }",
    );
    assert!(
        m.at(2, 10) && m.contains("declared twice (first at line 1)"),
        "{m}"
    );
    // Two rows for one configuration.
    let m = bif_error(&format!(
        "{A_AND_X}probability ( X | A ) {{\n  (a0) 0.1, 0.9;\n  (a0) 0.2, 0.8;\n}}\n"
    ));
    assert!(
        m.at(12, 3) && m.contains("second row") && m.contains("line 11"),
        "{m}"
    );
    // A table mixed with rows.
    let m = bif_error(&format!(
        "{A_AND_X}probability ( X | A ) {{\n  (a0) 0.1, 0.9;\n  table 0.2, 0.8;\n}}\n"
    ));
    assert!(m.at(12, 3) && m.contains("mixes 'table'"), "{m}");
    // A non-discrete type.
    let m = bif_error("variable A { type continuous; }");
    assert!(m.at(1, 19) && m.contains("only discrete"), "{m}");
    // A huge declared table is refused before allocating it.
    let mut text = String::new();
    let mut parents = Vec::new();
    for i in 0..30 {
        text.push_str(&format!("variable P{i} {{ type discrete [ 2 ] {{ a, b }}; }} probability ( P{i} ) {{ table 0.5, 0.5; }}\n"));
        parents.push(format!("P{i}"));
    }
    text.push_str(&format!("variable X {{ type discrete [ 2 ] {{ a, b }}; }}\nprobability ( X | {} ) {{ default 0.5, 0.5; }}", parents.join(", ")));
    let m = bif_error(&text);
    assert!(m.at(32, 1) && m.contains("more than"), "{m}");
}

/// An XMLBIF parse error of `text` read as `net.xml`.
fn xml_error(text: &str) -> Located {
    located(parse_xmlbif(text, "net.xml"), "net.xml")
}

const XML_HEAD: &str = "<BIF VERSION=\"0.3\">\n<NETWORK>\n<NAME>t</NAME>\n\
    <VARIABLE TYPE=\"nature\"><NAME>A</NAME><OUTCOME>a0</OUTCOME><OUTCOME>a1</OUTCOME></VARIABLE>\n\
    <VARIABLE TYPE=\"nature\"><NAME>X</NAME><OUTCOME>x0</OUTCOME><OUTCOME>x1</OUTCOME></VARIABLE>\n\
    <DEFINITION><FOR>A</FOR><TABLE>0.5 0.5</TABLE></DEFINITION>\n";

#[test]
fn xmlbif_errors_name_the_element_and_position() {
    let m = xml_error(&format!("{XML_HEAD}<DEFINITION><FOR>X</FOR><GIVEN>A</GIVEN><TABLE>0.1 0.9 0.2</TABLE></DEFINITION>\n</NETWORK></BIF>"));
    assert!(
        m.at(7, 41)
            && m.contains("expected 4 values in the <TABLE> of 'X'")
            && m.contains("found 3"),
        "{m}"
    );
    let m = xml_error(&format!("{XML_HEAD}<DEFINITION><FOR>X</FOR><GIVEN>Q</GIVEN><TABLE>0.1 0.9</TABLE></DEFINITION>\n</NETWORK></BIF>"));
    assert!(
        m.at(7, 25) && m.contains("<GIVEN> names an unknown variable 'Q'"),
        "{m}"
    );
    let m = xml_error(&format!(
        "{XML_HEAD}<DEFINITION><GIVEN>A</GIVEN></DEFINITION>\n</NETWORK></BIF>"
    ));
    assert!(m.at(7, 1) && m.contains("expected a <FOR> element"), "{m}");
    let m = xml_error(&format!(
        "{XML_HEAD}<DEFINITION><FOR>X</FOR><TABLE>0.1 zero</TABLE></DEFINITION>\n</NETWORK></BIF>"
    ));
    assert!(m.contains("found 'zero'"), "{m}");
    let m = xml_error(&format!("{XML_HEAD}</NETWORK></BIF>"));
    assert!(
        m.at(5, 1) && m.contains("<DEFINITION> for variable 'X'"),
        "{m}"
    );
    let m = xml_error(&format!("{XML_HEAD}<DEFINITION><FOR>X</FOR><GIVEN>A</GIVEN><TABLE>0.1 0.9 0.25 0.5</TABLE></DEFINITION>\n</NETWORK></BIF>"));
    assert!(
        m.at(7, 1) && m.contains("A=a1") && m.contains("sums to 0.75"),
        "{m}"
    );
    let m = xml_error("<BIF>\n<NETWORK>\n<NAME>x</NAM>\n</NETWORK></BIF>");
    assert!((m.line == 3) && m.contains("malformed XML"), "{m}");
    let m = xml_error("<RDF></RDF>");
    assert!(
        m.contains("expected the root element <BIF>, found <RDF>"),
        "{m}"
    );
    let m = xml_error(
        "<BIF><NETWORK><VARIABLE TYPE=\"decision\"><NAME>D</NAME></VARIABLE></NETWORK></BIF>",
    );
    assert!(
        m.contains("TYPE=\"nature\"") && m.contains("decision"),
        "{m}"
    );
}
