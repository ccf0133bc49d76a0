//! Runs every shell example of the README as written, in order, in a fresh directory that holds
//! only what a fresh clone gives a newcomer (the `examples/` folder), so the README cannot drift
//! from what deepgm does. Examples that read the full MNIST from `data/mnist` run when the shared
//! data directory beside the repository has it (CI's does), and are listed as skipped otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (two levels above this crate).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// The shell commands of the README's `sh` blocks, in order: in a block with `$ ` prompts only
/// the prompted lines (the rest is output), otherwise every line but comments; a trailing
/// ` # comment` is cut.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut block: Option<Vec<&str>> = None;
    for line in readme.lines() {
        match (&mut block, line.trim_start()) {
            (None, l) if l.starts_with("```sh") => block = Some(Vec::new()),
            (Some(lines), l) if l.starts_with("```") => {
                let prompted = lines.iter().any(|l| l.starts_with("$ "));
                for l in lines.iter() {
                    let command = if prompted {
                        match l.strip_prefix("$ ") {
                            Some(c) => c,
                            None => continue,
                        }
                    } else {
                        l
                    };
                    let command = match command.find("  #") {
                        Some(i) => &command[..i],
                        None => command,
                    }
                    .trim();
                    if !command.is_empty() && !command.starts_with('#') {
                        commands.push(command.to_string());
                    }
                }
                block = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    commands
}

#[test]
fn the_parser_finds_prompted_and_plain_commands() {
    let text = "x\n```sh\n$ deepgm a\noutput\n$ deepgm b  # note\n```\n```sh\ndeepgm c   # why\n# comment\n```\n```rust\nlet x;\n```\n";
    assert_eq!(readme_commands(text), ["deepgm a", "deepgm b", "deepgm c"]);
}

/// Commands that set up (build, install, test) rather than use deepgm.
const SET_UP: &[&str] = &[
    "cargo ",
    "bash scripts/",
    "python3 -m venv",
    "pip ",
    ". ",
    "source ",
];

#[test]
fn every_readme_example_runs_as_written() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let commands = readme_commands(&readme);
    assert!(
        commands.len() >= 20,
        "found only {} commands",
        commands.len()
    );

    let work = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root.join("examples"), work.path().join("examples")).unwrap();
    let shared_mnist = root.join("../shared/data/mnist");
    let full_mnist = shared_mnist.join("train-images-idx3-ubyte.gz").is_file();
    if full_mnist {
        std::fs::create_dir(work.path().join("data")).unwrap();
        std::os::unix::fs::symlink(&shared_mnist, work.path().join("data/mnist")).unwrap();
    }
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_deepgm"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let (mut ran, mut skipped) = (0, Vec::new());
    for command in &commands {
        if SET_UP.iter().any(|prefix| command.starts_with(prefix)) {
            // Set-up commands: this test is itself built by cargo, and scripts/test installs
            // the Python package and runs the README's Python examples.
            skipped.push(format!("{command} (set-up)"));
            continue;
        }
        assert!(
            command.starts_with("deepgm "),
            "README example is not a deepgm command: {command}"
        );
        if command.contains("data/mnist") && !full_mnist {
            skipped.push(format!("{command} (needs the full MNIST in data/mnist)"));
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(work.path())
            .env("PATH", &path)
            .env_remove("DEEPGM_DATA")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README example failed: {command}\nexit {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    eprintln!("ran {ran} README examples; skipped {}:", skipped.len());
    for s in &skipped {
        eprintln!("  {s}");
    }
    assert!(ran >= 15, "only {ran} examples ran");
}
