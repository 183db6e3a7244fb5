//! The files the binary describes itself in (manual pages and shell
//! completions under `share/`) are committed; each must equal what the
//! binary prints now, and the completions must complete.

use std::fs;
use std::process::Command;

use crate::support::{bare, fails, ok, root};

#[test]
fn committed_completions_are_what_the_binary_prints() {
    for (shell, file) in
        [("bash", "headroom.bash"), ("zsh", "_headroom"), ("fish", "headroom.fish")]
    {
        let path = root().join("share/completions").join(file);
        let committed = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == ok(&["completions", shell]),
            "{} is stale: run `cargo xtask generate`",
            path.display()
        );
    }
}

#[test]
fn committed_manual_pages_are_what_the_binary_writes() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["man", "--out", dir.path().to_str().unwrap()]);
    let names = |dir: &std::path::Path| {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map(|entries| {
                entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let committed = root().join("share/man/man1");
    let written = names(dir.path());
    assert_eq!(names(&committed), written, "share/man/man1 is stale: run `cargo xtask generate`");
    // One page a command a user can type, the calc models included.
    for page in ["headroom.1", "headroom-simulate.1", "headroom-calc-erlang-c.1"] {
        assert!(written.iter().any(|name| name == page), "{page} missing: {written:?}");
    }
    for name in &written {
        assert!(
            fs::read(committed.join(name)).ok() == fs::read(dir.path().join(name)).ok(),
            "share/man/man1/{name} is stale: run `cargo xtask generate`"
        );
    }
    let page = fs::read_to_string(dir.path().join("headroom-simulate.1")).unwrap();
    assert!(page.contains(".TH headroom-simulate 1"), "{page}");
    assert!(page.contains("\\-\\-draws"), "{page}");
}

#[test]
fn bash_completes_commands_and_their_options() {
    let script = root().join("share/completions/headroom.bash");
    // What bash's programmable completion does on <TAB>: COMP_WORDS and
    // COMP_CWORD set, the function called, COMPREPLY read.
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}; _headroom headroom '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
            words.len() - 1,
            line.len(),
            words[words.len() - 1],
            words[words.len().saturating_sub(2)],
        );
        let output = Command::new("bash").arg("-c").arg(program).output().expect("bash runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let commands = complete("headroom si");
    assert!(commands.lines().any(|c| c == "simulate"), "{commands}");
    let options = complete("headroom simulate --dr");
    assert!(options.lines().any(|c| c == "--draws"), "{options}");
    let models = complete("headroom calc erl");
    assert!(models.lines().any(|c| c == "erlang-c"), "{models}");
}

#[test]
fn manual_pages_need_a_directory_that_exists() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let error = fails(bare().args(["man", "--out", missing.to_str().unwrap()]));
    assert!(error.contains("nowhere") && error.contains("not a directory"), "{error}");
}
