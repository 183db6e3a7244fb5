//! `cargo xtask`: the project's tasks, in Rust so they run wherever cargo does.
//!
//! It shells out to `cargo` and never links the project's crates, so it
//! compiles in seconds. It must never hold logic the `headroom` binary needs.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

const TASKS: &[(&str, &str)] = &[
    ("build", "build the host and every plugin; copy plugins to target/plugins"),
    ("test", "build, then fmt check, clippy -D warnings, and every test (INSTA_UPDATE=no)"),
];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print_tasks();
            Ok(())
        }
        Some("build") => build(),
        Some("test") => test(),
        Some(other) => Err(format!("unknown task `{other}`; run `cargo xtask` to list tasks")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print_tasks() {
    println!("cargo xtask <task>\n\ntasks:");
    for (name, what) in TASKS {
        println!("  {name:<12} {what}");
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn cargo(args: &[&str]) -> Result {
    run(Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args(args))
}

fn run(command: &mut Command) -> Result {
    command.current_dir(workspace_root());
    eprintln!("xtask: running {command:?}");
    let status = command.status().map_err(|e| format!("cannot start {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}

fn build() -> Result {
    cargo(&["build", "--workspace"])
}

fn test() -> Result {
    build()?;
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    run(Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "--workspace"])
        .env("INSTA_UPDATE", "no"))
}
