//! `cargo xtask`: the project's tasks, in Rust so they run wherever cargo does.
//!
//! It shells out to `cargo` and to the built `headroom` binary and never
//! links the project's crates, so it compiles in seconds. It must never hold
//! logic the `headroom` binary needs: a task is a sequence of commands.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

const TASKS: &[(&str, &str)] = &[
    ("build", "build the host and every plugin (debug, or --release); copy plugins to target/plugins"),
    ("test", "build, then fmt check, clippy -D warnings, rustdoc -D warnings, every test with INSTA_UPDATE=no"),
    ("report", "build, then plan every profile into reports/<profile>.{md,json,csv,svg} (--observe [--prometheus URL] [--trend 28d]: and measure each profile with an [observe] section)"),
    (
        "snapshot",
        "run the tests and show every changed insta snapshot (`snapshot accept` takes those shown)",
    ),
    ("generate", "regenerate the committed generated files: schemas/{plan,audit,observe}.schema.json, share/man/man1/*.1, share/completions/ (bash, zsh, fish); `schema` is the same"),
    ("dist", "release build into target/dist/headroom-<version>-<target>.tar.gz"),
    (
        "new-plugin <name>",
        "scaffold plugins/<name> and config/<name>.toml, a profile that builds and loads",
    ),
    ("bench", "criterion benches and Python peers side by side, simulate, and `plan --all` as a cold process (--medians: print the last run's criterion medians)"),
];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print_tasks();
            Ok(())
        }
        Some("build") => build(rest.contains(&"--release")),
        Some("test") => test(),
        Some("report") => report(&rest),
        Some("snapshot") => snapshot(&rest),
        Some("generate" | "schema") => generate(),
        Some("dist") => dist(),
        Some("new-plugin") => new_plugin(&rest),
        Some("bench") if rest.contains(&"--medians") => {
            print_criterion_medians(std::time::UNIX_EPOCH);
            Ok(())
        }
        Some("bench") => bench(),
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
        println!("  {name:<20} {what}");
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf()
}

fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn cargo() -> Command {
    let mut command = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    command
}

fn run(command: &mut Command) -> Result {
    eprintln!("xtask: {}", describe(command));
    let status =
        command.status().map_err(|e| format!("cannot start {}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Package names of the plugins under plugins/, read from their manifests.
fn plugin_packages() -> Result<Vec<String>> {
    let mut names = Vec::new();
    let dir = root().join("plugins");
    let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let manifest = entry.path().join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest) else { continue };
        let name = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = \"").and_then(|r| r.strip_suffix('"')))
            .ok_or_else(|| format!("{}: no package name", manifest.display()))?;
        names.push(name.to_string());
    }
    names.sort();
    Ok(names)
}

fn library_file(package: &str) -> String {
    let stem = package.replace('-', "_");
    if cfg!(windows) {
        format!("{stem}{}", env::consts::DLL_SUFFIX)
    } else {
        format!("lib{stem}{}", env::consts::DLL_SUFFIX)
    }
}

/// Builds the workspace and copies the profile plugins (not the test
/// fixtures) into target/plugins, where `headroom` finds them.
fn build(release: bool) -> Result {
    let mut command = cargo();
    command.args(["build", "--workspace"]);
    if release {
        command.arg("--release");
    }
    run(&mut command)?;
    let profile_dir = target_dir().join(if release { "release" } else { "debug" });
    let plugins = target_dir().join("plugins");
    fs::create_dir_all(&plugins).map_err(|e| format!("{}: {e}", plugins.display()))?;
    // Start clean: a plugin removed from plugins/ must not linger.
    for entry in fs::read_dir(&plugins).map_err(|e| e.to_string())?.flatten() {
        let _ = fs::remove_file(entry.path());
    }
    for package in plugin_packages()? {
        let file = library_file(&package);
        let from = profile_dir.join(&file);
        fs::copy(&from, plugins.join(&file))
            .map_err(|e| format!("copy {}: {e}", from.display()))?;
    }
    Ok(())
}

fn test() -> Result {
    build(false)?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // The API docs: a link to nothing, or to what a reader cannot see, fails.
    run(cargo()
        .args(["doc", "--workspace", "--no-deps", "--quiet"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    run(cargo()
        .args(["test", "--workspace"])
        .env("INSTA_UPDATE", "no")
        .env("HEADROOM_TEST_TARGET_DIR", target_dir()))
}

fn headroom_binary(release: bool) -> PathBuf {
    let name = format!("headroom{}", env::consts::EXE_SUFFIX);
    target_dir().join(if release { "release" } else { "debug" }).join(name)
}

/// `headroom report --out reports`, with any flags given after the task
/// (`cargo xtask report --observe --prometheus URL --trend 28d`).
fn report(args: &[&str]) -> Result {
    build(false)?;
    run(Command::new(headroom_binary(false))
        .current_dir(root())
        .args(["report", "--out", "reports"])
        .args(args)
        .env_remove("HEADROOM_PLUGIN_DIR"))
}

fn snapshot(args: &[&str]) -> Result {
    if args.first() == Some(&"accept") {
        // What the last review showed, and nothing else.
        let pending: Vec<PathBuf> = find_files(&root(), ".snap.new");
        if pending.is_empty() {
            return Err("no snapshot to accept: `cargo xtask snapshot` shows what changed".into());
        }
        for new in &pending {
            let old = new.with_extension("");
            fs::rename(new, &old).map_err(|e| format!("{}: {e}", new.display()))?;
            eprintln!("xtask: accepted {}", old.display());
        }
        eprintln!("xtask: read `git diff` before committing");
        return Ok(());
    }
    build(false)?;
    // Snapshots still pending from an earlier review would show twice.
    for stale in find_files(&root(), ".snap.new") {
        let _ = fs::remove_file(stale);
    }
    let mut command = cargo();
    command
        .args(["test", "--workspace"])
        .env("HEADROOM_TEST_TARGET_DIR", target_dir())
        .env("INSTA_UPDATE", "new")
        // Past a test's first changed snapshot, so that all show at once.
        .env("INSTA_FORCE_PASS", "1");
    // The review below is the point, not the tests' verdict.
    let _ = run(&mut command);
    let pending: Vec<PathBuf> = find_files(&root(), ".snap.new");
    if pending.is_empty() {
        eprintln!("xtask: no changed snapshots");
        return Ok(());
    }
    for new in &pending {
        let old = new.with_extension("");
        eprintln!("\n=== {} ===", old.display());
        // A snapshot never taken before shows whole, against nothing.
        let before = if old.exists() { old.clone() } else { PathBuf::from("/dev/null") };
        let _ = Command::new("diff").arg("-u").arg(&before).arg(new).status();
    }
    Err(format!(
        "{} changed snapshot(s) above; `cargo xtask snapshot accept` takes them (or `cargo insta review`)",
        pending.len()
    ))
}

fn find_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            found.extend(find_files(&path, suffix));
        } else if name.ends_with(suffix) {
            found.push(path);
        }
    }
    found
}

/// The files the `headroom` binary describes itself in, written where they
/// are committed; `tests/e2e` holds each equal to what the binary prints.
fn generate() -> Result {
    run(cargo().args(["build", "--package", "headroom-cli"]))?;
    let headroom = |args: &[&str]| {
        let output = Command::new(headroom_binary(false))
            .args(args)
            .output()
            .map_err(|e| format!("cannot run headroom: {e}"))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    };
    let write = |path: PathBuf, text: Vec<u8>| {
        fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| fs::write(&path, text))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("xtask: wrote {}", path.display());
        Ok::<_, String>(())
    };
    for kind in ["plan", "audit", "observe"] {
        write(root().join(format!("schemas/{kind}.schema.json")), headroom(&["schema", kind])?)?;
    }
    for (shell, file) in
        [("bash", "headroom.bash"), ("zsh", "_headroom"), ("fish", "headroom.fish")]
    {
        write(root().join("share/completions").join(file), headroom(&["completions", shell])?)?;
    }
    // A command since removed must not leave its page behind.
    let man = root().join("share/man/man1");
    let _ = fs::remove_dir_all(&man);
    fs::create_dir_all(&man).map_err(|e| format!("{}: {e}", man.display()))?;
    headroom(&["man", "--out", &man.to_string_lossy()])?;
    eprintln!("xtask: wrote {}", man.display());
    Ok(())
}

/// Prints the median of every criterion bench run since `since`, read from
/// target/criterion/**/new/estimates.json (no JSON parser: xtask has no
/// dependencies, and the fields are found by name). Older results (benches
/// since renamed) are left out.
fn print_criterion_medians(since: std::time::SystemTime) {
    let mut lines = Vec::new();
    let mut pending = vec![target_dir().join("criterion")];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() || path.file_name().is_some_and(|n| n == "report") {
                continue;
            }
            let estimates = path.join("new/estimates.json");
            let fresh = fs::metadata(&estimates)
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified >= since);
            if !estimates.is_file() {
                pending.push(path);
                continue;
            }
            let (true, Ok(estimates), Ok(benchmark)) = (
                fresh,
                fs::read_to_string(&estimates),
                fs::read_to_string(path.join("new/benchmark.json")),
            ) else {
                continue;
            };
            if let (Some(name), Some(median)) = (
                json_string(&benchmark, "\"full_id\""),
                json_number(&estimates, "\"median\"", "\"point_estimate\""),
            ) {
                let (value, unit) = match median {
                    m if m >= 1e6 => (m / 1e6, "ms"),
                    m if m >= 1e3 => (m / 1e3, "µs"),
                    m => (m, "ns"),
                };
                lines.push(format!("  {name:<72} median {value:>9.2} {unit}"));
            }
        }
    }
    lines.sort();
    eprintln!("xtask: criterion medians\n{}", lines.join("\n"));
}

/// The string value of `key` in a flat JSON text (escapes not needed here:
/// bench names are plain text).
fn json_string(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = &rest[rest.find('"')? + 1..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The number of `key` inside the object of `within` in a JSON text.
fn json_number(text: &str, within: &str, key: &str) -> Option<f64> {
    let rest = &text[text.find(within)? + within.len()..];
    let rest = &rest[rest.find(key)? + key.len()..];
    rest.trim_start_matches([':', ' ']).split([',', '}']).next()?.trim().parse().ok()
}

fn host_target() -> Result<String> {
    let output =
        Command::new("rustc").arg("-vV").output().map_err(|e| format!("rustc -vV: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or_else(|| "rustc -vV printed no host".to_string())
}

fn dist() -> Result {
    build(true)?;
    let version = env!("CARGO_PKG_VERSION");
    let name = format!("headroom-{version}-{}", host_target()?);
    let dist = target_dir().join("dist");
    let stage = dist.join(&name);
    let _ = fs::remove_dir_all(&stage);
    fs::create_dir_all(stage.join("plugins")).map_err(|e| e.to_string())?;
    fs::create_dir_all(stage.join("config")).map_err(|e| e.to_string())?;
    let copy = |from: &Path, to: &Path| {
        fs::copy(from, to).map(|_| ()).map_err(|e| format!("copy {}: {e}", from.display()))
    };
    copy(
        &headroom_binary(true),
        &stage.join(headroom_binary(true).file_name().unwrap_or_default()),
    )?;
    for package in plugin_packages()? {
        let file = library_file(&package);
        copy(&target_dir().join("release").join(&file), &stage.join("plugins").join(&file))?;
    }
    for entry in fs::read_dir(root().join("config")).map_err(|e| e.to_string())?.flatten() {
        copy(&entry.path(), &stage.join("config").join(entry.file_name()))?;
    }
    for file in ["README.md", "ARCHITECTURE.md"] {
        copy(&root().join(file), &stage.join(file))?;
    }
    // The generated files, as committed: JSON schemas, manual pages and
    // shell completions (`share/` keeps the layout a package installs).
    for dir in ["schemas", "share/man/man1", "share/completions"] {
        fs::create_dir_all(stage.join(dir)).map_err(|e| e.to_string())?;
        for entry in fs::read_dir(root().join(dir)).map_err(|e| format!("{dir}: {e}"))?.flatten() {
            copy(&entry.path(), &stage.join(dir).join(entry.file_name()))?;
        }
    }
    let archive = dist.join(format!("{name}.tar.gz"));
    run(Command::new("tar").arg("-czf").arg(&archive).arg("-C").arg(&dist).arg(&name))?;
    eprintln!("xtask: wrote {}", archive.display());
    Ok(())
}

fn new_plugin(args: &[&str]) -> Result {
    let usage = "usage: cargo xtask new-plugin <name> [--into DIR] (lowercase letters, digits and dashes; DIR holds plugins/ and config/, the workspace by default)";
    let (name, into) = match args {
        [name] => (*name, root()),
        [name, "--into", dir] => (*name, root().join(dir)),
        _ => return Err(usage.into()),
    };
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        return Err(format!("plugin name `{name}`: use lowercase letters, digits and dashes, starting with a letter"));
    }
    let files = plugin_files(name);
    for (path, _) in &files {
        let path = into.join(path);
        if path.exists() {
            return Err(format!("{} already exists", path.display()));
        }
    }
    for (path, text) in &files {
        let path = into.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    eprintln!(
        "xtask: created plugins/{name} and config/{name}.toml; every TODO marks a decision of yours.\nxtask: next: `cargo xtask build && target/debug/headroom profiles`"
    );
    Ok(())
}

/// The files `new-plugin <name>` writes, by path below the workspace. The
/// fixture `tests/fixtures/template` is these files for `template-probe`,
/// which the workspace builds and the tests plan and simulate.
fn plugin_files(name: &str) -> [(PathBuf, String); 3] {
    let fill =
        |template: &str| template.replace("{{name}}", name).replace("{{type}}", &type_name(name));
    let dir = Path::new("plugins").join(name);
    [
        (dir.join("Cargo.toml"), fill(TEMPLATE_MANIFEST)),
        (dir.join("src").join("lib.rs"), fill(TEMPLATE_LIB)),
        (Path::new("config").join(format!("{name}.toml")), fill(TEMPLATE_CONFIG)),
    ]
}

fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

const TEMPLATE_MANIFEST: &str = r#"[package]
name = "headroom-profile-{{name}}"
description = "Headroom system profile: {{name}}"
version.workspace = true
edition.workspace = true
license.workspace = true
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
headroom-plugin-api.workspace = true
"#;

const TEMPLATE_LIB: &str = r#"//! System profile `{{name}}`.
//!
//! TODO: say which system this is and which document it encodes.
//! This crate holds the demand mapping only; every number lives in
//! `config/{{name}}.toml`, embedded at build time.

use headroom_plugin_api::{export_profile, Description, Driver, Load, SystemProfile};

/// The profile.
pub struct {{type}};

// TODO: the business drivers your growth plan gives per milestone.
const DRIVERS: &[Driver] = &[Driver { name: "users", unit: "users" }];

// TODO: the demand parameters your mapping reads from `[demand]`.
const PARAMETERS: &[&str] = &["requests_per_user_per_second"];

// TODO: the load each driver row puts on each tier's dimensions.
const LOADS: &[Load] = &[Load { tier: "app", dimension: "requests_per_second", unit: "req/s" }];

impl SystemProfile for {{type}} {
    const DESCRIPTION: Description = Description {
        id: "{{name}}",
        version: env!("CARGO_PKG_VERSION"),
        // TODO: the title of the source document.
        source: "TODO: source document",
        default_config: include_str!("../../../config/{{name}}.toml"),
        drivers: DRIVERS,
        parameters: PARAMETERS,
        loads: LOADS,
    };

    fn demand(parameters: &[f64], drivers: &[f64], loads: &mut [f64]) -> Result<(), String> {
        // TODO: your mapping from drivers to loads, one row at a time.
        let &[requests_per_user] = parameters else {
            return Err("expected 1 demand parameter".into());
        };
        let &[users] = drivers else {
            return Err("expected 1 driver".into());
        };
        loads.copy_from_slice(&[users * requests_per_user]);
        Ok(())
    }
}

export_profile!({{type}});
"#;

const TEMPLATE_CONFIG: &str = r#"# Profile `{{name}}`. TODO: name the source document. Give every value the section it
# came from, or mark it "assumption" and explain it in [assumptions].

headroom = 0.20             # TODO: section, or assumption
horizon_months = 12         # TODO: section, or assumption
milestone_order = ["today", "next-year"]
tier_order = ["app"]

[growth]
curve = "piecewise-linear"  # TODO: piecewise-linear, log-linear, compound-monthly or logistic

[milestones.today]
name = "Today"
month = 0
drivers.users = 100         # TODO: section

[milestones.next-year]
name = "In 12 months"
month = 12
drivers.users = 1000        # TODO: section

[demand]
requests_per_user_per_second = 0.5   # TODO: section, or assumption

[tiers.app]
name = "Application"
unit = "replica"
scaling = "horizontal"
min_units = 2               # TODO: section, or assumption
current_units = 2           # TODO: what runs today
ladder = ["replica"]

[tiers.app.instances.replica]
name = "replica (2 vCPU, 4 GB)"
hourly_price = 0.10                  # TODO: section, or assumption
capacity.requests_per_second = 100   # TODO: section (a load test), or assumption

[assumptions]
"demand.requests_per_user_per_second" = "TODO: why this default"

# Optional, each: uncomment a block (the hash and the space) to use it.
#
# A response-time target, sized as an M/M/c queue (Erlang C): the tier takes the most units its
# headroom or any of its targets needs. Add more under other keys.
# [tiers.app.latency_targets.p95]
# name = "p95 of requests < 300 ms"   # TODO: section
# quantile = 0.95                    # TODO: section (0.95 reads "p95")
# seconds = 0.3                       # TODO: section
# arrivals = "requests_per_second"    # a load of this tier
# service_time = 0.02                 # TODO: seconds one request takes on one worker
# workers_per_unit = 2                # TODO: workers (servers of the queue) in one unit, e.g. vCPUs
#
# A scaling trigger or alert of the document, checked against the plan and today's deployment:
# kind "utilisation" (threshold a fraction), "load" (with `dimension`), "latency" (with `queue`,
# the key of one of the tier's latency targets, and `quantile`; threshold in seconds),
# "queue-depth" (with `dimension`, a load whose items queue for the units' capacity on it,
# `workers_per_unit` and `quantile` of the number waiting; threshold in items) or
# "monitor" (reported, not modelled). Add more as further [[triggers]] blocks.
# [[triggers]]
# name = "Response time"
# tier = "app"
# kind = "latency"
# queue = "p95"                       # the latency target above: its arrivals, service and workers
# quantile = 0.99                     # TODO: section (0.99 reads "p99")
# threshold = 0.5                     # TODO: section (seconds)
# text = "p99 > 500 ms"               # TODO: the document's words
#
# Committed-use pricing (reserved instances, savings plans): the plan works out how many of each
# tier's units to commit to for the term, and what that saves.
# [commitment]
# discount = 0.3                      # TODO: section (share off the on-demand price)
# term_months = 12                    # TODO: section
#
# Inputs `headroom simulate` draws (normal, lognormal, triangular, uniform or empirical), by key.
# [uncertainty]
# draws = "auto"                      # or a count: "auto" runs until every P50 / P90 / P99 settles
# seed = 42
# [uncertainty.inputs."milestones.next-year.drivers.users"]
# distribution = "lognormal"          # TODO: why this spread
# median = 1000                      # TODO: section (the 12-month users above)
# sigma = 0.25                        # TODO: why this spread
#
# What `headroom observe` measures in Prometheus, each query giving one number; `--trend 28d`
# also fits each driver's growth to its history.
# [observe]
# prometheus = "http://prometheus:9090"   # TODO: your Prometheus
# [observe.drivers]
# users = 'sum(my_active_users)'          # TODO: PromQL for today's users
# [observe.loads.app]
# requests_per_second = 'sum(rate(http_requests_total{job="app"}[5m]))'   # TODO: PromQL
"#;

fn bench() -> Result {
    let started = std::time::SystemTime::now();
    // Release plugins in target/plugins, for the simulate bench and hyperfine.
    build(true)?;
    run(cargo().args(["bench", "--package", "headroom-kernel"]))?;
    run(cargo()
        .args(["bench", "--package", "headroom", "--bench", "simulate"])
        .env("HEADROOM_BENCH_PLUGINS", target_dir().join("plugins")))?;
    print_criterion_medians(started);
    // The peers, side by side: plain-Python Erlang C and scipy's curve_fit.
    for peers in
        ["crates/headroom-kernel/benches/peers.py", "crates/headroom/benches/peer_montecarlo.py"]
    {
        let mut python = Command::new("python3");
        python.arg(root().join(peers));
        if run(&mut python).is_err() {
            eprintln!("xtask: the Python peers need numpy and scipy: `pip install numpy scipy`");
        }
    }
    build(true)?;
    if Command::new("hyperfine").arg("--version").output().is_err() {
        return Err(
            "hyperfine not found: install it (Debian package `hyperfine`) to time whole processes"
                .into(),
        );
    }
    let plan_all = format!(
        "{} --plugin-dir {} plan --all --format json",
        headroom_binary(true).display(),
        target_dir().join("plugins").display()
    );
    // The Monte Carlo as a whole process: start-up, plugin load, config,
    // 1,000,000 draws and the JSON out.
    let simulate = format!(
        "{} --plugin-dir {} simulate leadgen-insurance --draws 1000000 --format json",
        headroom_binary(true).display(),
        target_dir().join("plugins").display()
    );
    run(Command::new("hyperfine")
        .current_dir(root())
        .args(["--warmup", "1", "--runs", "10", "-N", "--output", "null"])
        .arg(&simulate))?;
    let export = target_dir().join("bench-plan-all.json");
    run(Command::new("hyperfine")
        .current_dir(root())
        .args(["--warmup", "5", "--runs", "200", "-N", "--export-json"])
        .arg(&export)
        .arg(&plan_all)
        .arg("true"))?;
    // hyperfine's JSON lists each command's "median" in seconds.
    let text = fs::read_to_string(&export).map_err(|e| format!("{}: {e}", export.display()))?;
    let medians: Vec<f64> = text
        .split("\"median\":")
        .skip(1)
        .filter_map(|rest| rest.split([',', '}']).next()?.trim().parse().ok())
        .collect();
    if let [plan, nothing] = medians[..] {
        eprintln!(
            "xtask: median `headroom plan --all`: {:.2} ms; `true`: {:.2} ms; difference {:.2} ms",
            plan * 1e3,
            nothing * 1e3,
            (plan - nothing) * 1e3
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template fixture the workspace builds and the tests plan is what
    /// `new-plugin` writes today: a change to the template shows in its
    /// fixture, and so in the tests that build, plan and simulate it.
    #[test]
    fn the_template_fixture_is_what_new_plugin_writes() {
        let fixture = root().join("tests/fixtures/template");
        for (path, text) in plugin_files("template-probe") {
            let file = fixture.join(&path);
            let committed = fs::read_to_string(&file).unwrap_or_default();
            assert!(
                committed == text,
                "{} differs from the template: `cargo xtask new-plugin template-probe --into <an empty directory>`, then copy what it writes over tests/fixtures/template (the workspace needs the fixture to stay in place meanwhile)",
                file.display()
            );
        }
    }
}
