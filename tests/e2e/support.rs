//! Where the built binary, plugins and fixtures are, and how to run them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

fn target() -> PathBuf {
    std::env::var_os("HEADROOM_TEST_TARGET_DIR")
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR"))
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn built(path: PathBuf) -> PathBuf {
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask build` (or `cargo xtask test`) first",
        path.display()
    );
    path
}

/// The `headroom` binary `cargo xtask build` built.
pub fn binary() -> PathBuf {
    built(target().join("debug").join(format!("headroom{}", std::env::consts::EXE_SUFFIX)))
}

/// The directory of the real plugins.
pub fn plugin_dir() -> PathBuf {
    built(target().join("plugins"))
}

/// A plugin library by file stem, e.g. `headroom_profile_leadgen_insurance`.
pub fn plugin_file(stem: &str) -> PathBuf {
    built(plugin_dir().join(library(stem)))
}

/// A test fixture library by file stem.
pub fn fixture_file(stem: &str) -> PathBuf {
    built(target().join("debug").join(library(stem)))
}

/// A plugin directory holding the test fixture `stem` alone, so that it is
/// the one profile there.
pub fn fixture_alone(stem: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let library = fixture_file(stem);
    std::fs::copy(&library, dir.path().join(library.file_name().expect("a file")))
        .expect("the fixture copies");
    dir
}

fn library(stem: &str) -> String {
    let prefix = if cfg!(windows) { "" } else { "lib" };
    format!("{prefix}{stem}{}", std::env::consts::DLL_SUFFIX)
}

/// `headroom` with no HEADROOM_* from the environment of whoever runs the
/// tests (they would be configuration keys), and no arguments yet.
pub fn bare() -> Command {
    let mut command = Command::new(binary());
    command.current_dir(root());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HEADROOM_") {
            command.env_remove(key);
        }
    }
    command
}

/// The shipped config files, copied once into a directory of the test
/// run's own, so that a user's `config/<id>.calibrated.toml` (written by
/// `headroom calibrate`, never committed) cannot change what the tests see.
pub fn config_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for file in ["default.toml", "leadgen-insurance.toml", "hostel-complaints.toml"] {
            std::fs::copy(root().join("config").join(file), dir.path().join(file))
                .expect("config file");
        }
        dir
    })
    .path()
    .to_path_buf()
}

/// `headroom` with the real plugins and the shipped config.
pub fn headroom() -> Command {
    let mut command = bare();
    command.arg("--plugin-dir").arg(plugin_dir()).arg("--config-dir").arg(config_dir());
    command
}

/// Runs `headroom args…` and returns its output.
pub fn run(args: &[&str]) -> Output {
    headroom().args(args).output().expect("headroom runs")
}

/// Runs `headroom args…`, asserting success, and returns stdout.
pub fn ok(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "headroom {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// Runs `headroom args…`, asserting a clean failure: non-zero exit, no
/// stdout, no panic, and a `headroom: ` error. Returns stderr.
pub fn fails(command: &mut Command) -> String {
    let output = command.output().expect("headroom runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "expected failure, got success; stderr: {stderr}");
    assert_eq!(output.status.code(), Some(1), "exit code; stderr: {stderr}");
    assert!(
        output.stdout.is_empty(),
        "partial output on failure: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(!stderr.contains("RUST_BACKTRACE"), "a panic escaped: {stderr}");
    assert!(stderr.starts_with("headroom: "), "error lacks the prefix: {stderr}");
    stderr
}

/// Rounds every float in a JSON value to 6 significant decimals, so
/// snapshots do not hang on the last bit of a float.
pub fn rounded(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or_default();
            let r = (x * 1e6).round() / 1e6;
            serde_json::Number::from_f64(r).map(Value::Number).unwrap_or(Value::Null)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(rounded).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, rounded(v))).collect())
        }
        other => other,
    }
}

/// Parses JSON output and rounds it for a snapshot.
pub fn json(text: &str) -> serde_json::Value {
    rounded(serde_json::from_str(text).expect("valid JSON"))
}

/// Runs `headroom args…` with the real plugins and another config
/// directory, asserting success, and returns stdout.
pub fn ok_with_config_dir(config_dir: &Path, args: &[&str]) -> String {
    let output = bare()
        .arg("--plugin-dir")
        .arg(plugin_dir())
        .arg("--config-dir")
        .arg(config_dir)
        .args(args)
        .output()
        .expect("headroom runs");
    assert!(
        output.status.success(),
        "headroom {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// The ids `headroom profiles` lists, in its order.
pub fn profile_ids() -> Vec<String> {
    ok(&["profiles"])
        .lines()
        .filter_map(|line| line.split('\t').next())
        .map(str::to_string)
        .collect()
}
