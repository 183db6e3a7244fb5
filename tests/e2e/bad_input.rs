//! Bad input: every case ends in a clear error naming the file, key or
//! plugin, exit code 1, nothing on stdout, and no panic.

use std::fs;

use crate::support::{fails, fixture_alone, fixture_file, headroom, json, ok, plugin_file};

fn plan_with(args: &[&str]) -> String {
    let mut command = headroom();
    command.args(["plan", "leadgen-insurance"]).args(args);
    fails(&mut command)
}

#[test]
fn malformed_toml_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    fs::write(&file, "headroom = 0.3\n[tiers.api\nmin_units = 3\n").unwrap();
    let error = plan_with(&["--config", file.to_str().unwrap()]);
    assert!(error.contains("broken.toml"), "{error}");
    assert!(error.contains("line 2"), "{error}");
    assert!(error.contains("column"), "{error}");
}

#[test]
fn unknown_key_suggests_the_right_one() {
    let error = plan_with(&["--set", "tiers.api.min_unit=3"]);
    assert!(error.contains("unknown key `tiers.api.min_unit`"), "{error}");
    assert!(error.contains("did you mean `min_units`?"), "{error}");
    assert!(error.contains("--set tiers.api.min_unit=3"), "{error}");
    let error = plan_with(&["--set", "demand.peak_factr=2"]);
    assert!(error.contains("demand.peak_factr"), "{error}");
    assert!(error.contains("did you mean `peak_factor`?"), "{error}");
}

#[test]
fn an_unknown_choice_lists_the_known_ones_or_the_likely_one() {
    let key = r#"uncertainty.inputs."demand.peak_factor".distribution"#;
    let error = plan_with(&["--set", &format!(r#"{key}="triangle""#)]);
    assert!(
        error.contains(&format!("key `{key}`"))
            && error.contains("unknown choice `triangle`; did you mean `triangular`?"),
        "{error}"
    );
    let error = plan_with(&["--set", &format!(r#"{key}="weibull""#)]);
    assert!(
        error.contains(
            "unknown choice `weibull`; known: `normal`, `lognormal`, `triangular`, `uniform`, `empirical`"
        ),
        "{error}"
    );
}

#[test]
fn unknown_key_in_a_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("override.toml");
    fs::write(&file, "[tiers.api]\ncurrent_unit = 3\n").unwrap();
    let error = plan_with(&["--config", file.to_str().unwrap()]);
    assert!(error.contains("override.toml"), "{error}");
    assert!(error.contains("did you mean `current_units`?"), "{error}");
}

#[test]
fn wrong_type_names_the_key() {
    let error = plan_with(&["--set", "horizon_months=\"soon\""]);
    assert!(error.contains("horizon_months"), "{error}");
    assert!(error.contains("string"), "{error}");
}

#[test]
fn negative_zero_and_nan_capacities_are_refused() {
    let key = "tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users";
    for value in ["-250", "0", "nan", "inf"] {
        let error = plan_with(&["--set", &format!("{key}={value}")]);
        assert!(error.contains(key), "{value}: {error}");
        assert!(error.contains("capacity must be finite and above zero"), "{value}: {error}");
        assert!(error.contains(&format!("--set {key}={value}")), "names the layer: {error}");
    }
}

#[test]
fn a_bad_value_under_a_name_with_dots_names_its_file() {
    // An instance type named as its cloud names it, dots and all: the
    // error quotes that part of the key and finds the layer it came from
    // (a lookup split at every dot said "the configuration").
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bigger.toml");
    fs::write(
        &file,
        "[tiers.postgres]\nladder = [\"r6i-xlarge\", \"r6i-2xlarge\", \"r6i-4xlarge\", \"r6i-8xlarge\", \"db.r6i.16xlarge\"]\n\
         [tiers.postgres.instances.\"db.r6i.16xlarge\"]\nname = \"big\"\nhourly_price = 1.0\nvcpu = 64\nmemory_gb = 512\ncapacity.connections = -5\n",
    )
    .unwrap();
    let error = plan_with(&["--config", file.to_str().unwrap()]);
    assert!(
        error.contains(
            "key `tiers.postgres.instances.\"db.r6i.16xlarge\".capacity.connections` in "
        ),
        "{error}"
    );
    assert!(
        error.contains("bigger.toml: a capacity must be finite and above zero, got -5"),
        "{error}"
    );
}

#[test]
fn headroom_outside_zero_to_one_is_refused() {
    for value in ["1", "1.5", "-0.1", "nan"] {
        let error = plan_with(&["--set", &format!("headroom={value}")]);
        assert!(error.contains("key `headroom`"), "{value}: {error}");
        assert!(error.contains("must lie in [0, 1)"), "{value}: {error}");
    }
}

#[test]
fn a_horizon_past_a_century_is_refused_before_any_work() {
    // `--months 4000000000` once asked for 32 GB at once and aborted; a
    // plan keeps a row a month, so the horizon has a bound, said up front.
    let error = plan_with(&["--months", "4000000000"]);
    assert!(
        error
            .contains("months ahead (`--months`) must be at most 1200 (a century), got 4000000000"),
        "{error}"
    );
    let error = plan_with(&["--set", "horizon_months=1201"]);
    assert!(error.contains("key `horizon_months` in --set horizon_months=1201"), "{error}");
    assert!(error.contains("must be at most 1200 (a century of months), got 1201"), "{error}");
    for command in [["simulate", "leadgen-insurance"], ["explain", "leadgen-insurance"]] {
        let mut run = headroom();
        run.args(command).args(["--months", "1201"]);
        if command[0] == "explain" {
            run.arg("api");
        }
        assert!(fails(&mut run).contains("must be at most 1200 (a century), got 1201"));
    }
    // The help says the bound the library holds.
    let bound = format!("Months ahead, at most {}", headroom::plan::MAX_HORIZON_MONTHS);
    for command in ["plan", "explain", "simulate"] {
        assert!(ok(&[command, "--help"]).contains(&bound), "{command} --help");
    }
    // The bound itself plans: a row for each of months 0 to 1,200.
    let plan = json(&ok(&["plan", "leadgen-insurance", "--months", "1200", "--format", "json"]));
    assert_eq!(plan["monthly"].as_array().map(Vec::len), Some(1201));
}

#[test]
fn a_driver_grown_below_zero_is_named_with_its_month_and_a_way_out() {
    // Leads a day fall from 500,000 at month 6 to 200,000 at month 12: the
    // straight line on reaches 0 at month 16 and -50,000 at month 17 (the
    // plugin would otherwise be blamed for the negative load it maps).
    let fall = "milestones.12-months.drivers.leads_per_day=200000";
    let error = plan_with(&["--set", fall, "--months", "36"]);
    assert!(
        error.contains(
            "growth of driver `leads_per_day` gives -50000 at month 17; a driver must stay \
             finite and not negative: a piecewise-linear curve extends its last segment past \
             its last point, and this one falls; plan at most 16 months"
        ),
        "{error}"
    );
    ok(&["plan", "leadgen-insurance", "--set", fall, "--months", "16"]);
    // On a log-linear curve the same points never reach zero.
    ok(&[
        "plan",
        "leadgen-insurance",
        "--set",
        fall,
        "--set",
        "growth.curve=\"log-linear\"",
        "--months",
        "36",
    ]);
}

#[test]
fn a_tier_past_what_a_plan_counts_is_refused_not_printed() {
    // A capacity of 1e-12 users a replica: the kernel's count stops at
    // u32::MAX, and the plan used to print 4294967295 replicas at a
    // utilisation of 11,641,532% (and Postgres sized for their pools).
    let key = "tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users";
    let error = plan_with(&["--set", &format!("{key}=1e-12")]);
    assert!(
        error.contains(
            "tier `api` at milestone `current` needs 4294967295 units or more, past what a plan counts"
        ),
        "{error}"
    );
    let mut calc = headroom();
    calc.args(["calc", "headroom", "--load", "1e308", "--capacity", "1e-308"]);
    assert!(fails(&mut calc).contains("calc headroom: needs 4294967295 units or more"));
}

#[test]
fn negative_driver_and_price_are_refused() {
    let error = plan_with(&["--set", "milestones.current.drivers.users=-5"]);
    assert!(error.contains("milestones.current.drivers.users"), "{error}");
    let error = plan_with(&["--set", "tiers.redis.instances.r6g-xlarge-x6.hourly_price=-1"]);
    assert!(error.contains("hourly_price"), "{error}");
}

#[test]
fn unknown_profile_lists_the_known_ones() {
    let mut command = headroom();
    command.args(["plan", "nosuch"]);
    let error = fails(&mut command);
    assert!(error.contains("unknown profile `nosuch`"), "{error}");
    assert!(error.contains("hostel-complaints, leadgen-insurance"), "{error}");
}

fn headroom_in(dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(crate::support::binary());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HEADROOM_") {
            command.env_remove(key);
        }
    }
    command.arg("--plugin-dir").arg(dir).arg("--config-dir").arg(crate::support::config_dir());
    command
}

fn library_name(stem: &str) -> String {
    let prefix = if cfg!(windows) { "" } else { "lib" };
    format!("{prefix}{stem}{}", std::env::consts::DLL_SUFFIX)
}

#[test]
fn a_file_that_is_not_a_library_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join(library_name("headroom_profile_fake"));
    fs::write(&fake, "not a shared library").unwrap();
    let error = fails(headroom_in(dir.path()).arg("profiles"));
    assert!(error.contains("headroom_profile_fake"), "{error}");
    assert!(error.contains("is not a shared library"), "{error}");
}

#[test]
fn a_plugin_cut_short_is_named_not_a_crash() {
    // A plugin truncated (an interrupted copy) at any length: the dynamic
    // loader used to map its headers past the end and die of SIGBUS.
    let real = fs::read(plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    for keep in [10, 64, 1000, 50_000, real.len() / 2, real.len() - 1] {
        let dir = tempfile::tempdir().unwrap();
        let cut = dir.path().join(library_name("headroom_profile_cut"));
        fs::write(&cut, &real[..keep]).unwrap();
        let error = fails(headroom_in(dir.path()).arg("profiles"));
        assert!(error.contains("headroom_profile_cut"), "{keep}: {error}");
        assert!(error.contains("is not a shared library"), "{keep}: {error}");
    }
}

#[test]
fn a_plugin_of_another_abi_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(library_name("headroom_profile_fixture_future_abi"));
    fs::copy(fixture_file("headroom_profile_fixture_future_abi"), &file).unwrap();
    let error = fails(headroom_in(dir.path()).arg("profiles"));
    assert!(error.contains("headroom_profile_fixture_future_abi"), "{error}");
    assert!(error.contains("built against another plugin ABI (ABI v2)"), "{error}");
    assert!(error.contains("rebuild the plugin"), "{error}");
}

#[test]
fn a_missing_plugin_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let error = fails(headroom_in(&missing).arg("profiles"));
    assert!(error.contains("no-such-dir"), "{error}");
    assert!(error.contains("plugin directory"), "{error}");
}

#[test]
fn two_plugins_with_one_id_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let real = plugin_file("headroom_profile_leadgen_insurance");
    fs::copy(&real, dir.path().join(library_name("headroom_profile_leadgen_a"))).unwrap();
    fs::copy(&real, dir.path().join(library_name("headroom_profile_leadgen_b"))).unwrap();
    let error = fails(headroom_in(dir.path()).arg("profiles"));
    assert!(error.contains("two plugins declare profile `leadgen-insurance`"), "{error}");
    assert!(
        error.contains("headroom_profile_leadgen_a")
            && error.contains("headroom_profile_leadgen_b"),
        "{error}"
    );
}

#[test]
fn a_panicking_plugin_is_an_error_naming_it() {
    let dir = fixture_alone("headroom_profile_fixture_panicking");
    let error = fails(headroom_in(dir.path()).args(["plan", "fixture-panicking"]));
    assert!(error.contains("plugin `fixture-panicking` panicked"), "{error}");
    assert!(error.contains("always panics"), "{error}");
}

#[test]
fn a_failed_report_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("reports");
    let mut command = headroom();
    command.args(["report", "--out", dir.to_str().unwrap(), "--set", "headroom=2"]);
    fails(&mut command);
    assert!(
        !dir.exists() || fs::read_dir(&dir).unwrap().next().is_none(),
        "partial report written"
    );
}

#[test]
fn a_missing_config_file_is_named() {
    let error = plan_with(&["--config", "no/such/file.toml"]);
    assert!(error.contains("no/such/file.toml"), "{error}");
}

#[test]
fn an_unknown_environment_variable_is_named() {
    let mut command = headroom();
    command.env("HEADROOM_HEADROM", "0.3").args(["plan", "leadgen-insurance"]);
    let error = fails(&mut command);
    assert!(error.contains("unknown key `headrom`"), "{error}");
    assert!(error.contains("HEADROOM_"), "names the environment layer: {error}");
}

#[test]
fn a_latency_target_out_of_range_is_refused() {
    let error = plan_with(&["--set", "tiers.api.latency_targets.lead-search.quantile=1.5"]);
    assert!(error.contains("tiers.api.latency_targets.lead-search.quantile"), "{error}");
    let error =
        plan_with(&["--set", "tiers.api.latency_targets.lead-search.arrivals=request_per_second"]);
    assert!(error.contains("did you mean `requests_per_second`?"), "{error}");
    // A target under a key with dots, on a tier that climbs a ladder: the
    // key quoted as in TOML, and the file that set it named.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vertical.toml");
    fs::write(&file, "[tiers.postgres.latency_targets.\"p.95\"]\nname = \"x\"\nquantile = 0.9\nseconds = 1\narrivals = \"connections\"\nservice_time = 0.1\nworkers_per_unit = 1\n").unwrap();
    let error = plan_with(&["--config", file.to_str().unwrap()]);
    assert!(
        error.contains("key `tiers.postgres.latency_targets.\"p.95\"` in ")
            && error.contains("vertical.toml: latency targets apply to horizontal tiers only"),
        "{error}"
    );
    // The singular key of the schema before: a suggestion, not a silence.
    let error = plan_with(&["--set", "tiers.api.latency_target.seconds=1"]);
    assert!(error.contains("did you mean `latency_targets`?"), "{error}");
}

#[test]
fn a_latency_trigger_must_name_a_queue_the_tier_has() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trigger.toml");
    let trigger = "[[triggers]]\nname = \"t\"\ntier = \"api\"\nkind = \"latency\"\nqueue = \"lead-search\"\nquantile = 0.95\nthreshold = 1.5\ntext = \"t\"\n";
    for (from, to, expected) in [
        ("queue = \"lead-search\"", "queue = \"search\"", "key `triggers[0].queue` in"),
        (
            "queue = \"lead-search\"",
            "queue = \"search\"",
            "one of tier `api`'s latency targets (lead-search)",
        ),
        ("tier = \"api\"", "tier = \"data\"", "tier `data`'s latency targets (it has none)"),
        ("quantile = 0.95", "quantile = 95", "quantile must lie strictly between 0 and 1, got 95"),
        ("threshold = 1.5", "threshold = 0", "key `triggers[0].threshold` in"),
        (
            "kind = \"latency\"",
            "kind = \"monitor\"",
            "`queue` belongs to a trigger of kind \"latency\"",
        ),
    ] {
        fs::write(&file, trigger.replace(from, to)).unwrap();
        let error = plan_with(&["--config", file.to_str().unwrap()]);
        assert!(error.contains(expected) && error.contains("trigger.toml"), "{to}: {error}");
    }
}

#[test]
fn a_commitment_needs_a_discount_a_term_and_known_tiers() {
    for (set, expected) in [
        ("commitment.discount=1", "key `commitment.discount` in --set commitment.discount=1: a commitment's discount is a share off the on-demand price, strictly between 0 and 1, got 1"),
        ("commitment.discount=-0.3", "strictly between 0 and 1, got -0.3"),
        ("commitment.term_months=0", "key `commitment.term_months` in --set commitment.term_months=0: a term is at least one month"),
        ("commitment.tiers.postgress=0.4", "key `commitment.tiers.postgress` in --set commitment.tiers.postgress=0.4: unknown name `postgress`; did you mean `postgres`?"),
        ("commitment.tiers.redis=1", "a tier's discount lies in [0, 1) (0: the tier stays on demand), got 1"),
        ("commitment.discont=0.3", "did you mean `discount`?"),
    ] {
        let error = plan_with(&["--set", set]);
        assert!(error.contains(expected), "{set}: {error}");
    }
}

/// Size units go on every rung of a ladder or none, and are whole and
/// above zero.
#[test]
fn size_units_cover_the_whole_ladder_at_one_price() {
    let key = "tiers.postgres.instances.r6i-2xlarge.size_units";
    for (set, expected) in [
        (
            format!("{key}=0"),
            format!(
                "key `{key}` in --set {key}=0: a size is a whole number of size units, at least 1"
            ),
        ),
        (format!("{key}=-16"), "size_units".to_string()),
    ] {
        let error = plan_with(&["--set", &set]);
        assert!(error.contains(&expected), "{set}: {error}");
    }
    // A rung added without them.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rung.toml");
    fs::write(&file, "[tiers.postgres]\nladder = [\"r6i-xlarge\", \"r6i-2xlarge\", \"r6i-4xlarge\", \"r6i-8xlarge\", \"r6i-12xlarge\"]\n[tiers.postgres.instances.r6i-12xlarge]\nname = \"db.r6i.12xlarge\"\nhourly_price = 6.0\ncapacity.connections = 9600\n").unwrap();
    let error = plan_with(&["--config", file.to_str().unwrap()]);
    assert!(
        error.contains("key `tiers.postgres.instances.r6i-12xlarge` in ")
            && error.contains("rung.toml: has no `size_units` where `r6i-xlarge` has: they go on every rung of the ladder or on none"),
        "{error}"
    );
}

#[test]
fn a_queue_depth_trigger_must_read_a_load_the_tier_serves() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("depth.toml");
    let trigger = "[[triggers]]\nname = \"q\"\ntier = \"data\"\nkind = \"queue-depth\"\ndimension = \"leads_per_minute\"\nquantile = 0.99\nthreshold = 5000\ntext = \"q\"\n";
    for (from, to, expected) in [
        (
            "dimension = \"leads_per_minute\"",
            "dimension = \"leads\"",
            "a queue-depth trigger needs `dimension`, a load the plugin puts on tier `data`",
        ),
        // The API carries requests a second, but its replicas have no
        // capacity in them to serve a queue at.
        (
            "tier = \"data\"\nkind = \"queue-depth\"\ndimension = \"leads_per_minute\"",
            "tier = \"api\"\nkind = \"queue-depth\"\ndimension = \"requests_per_second\"",
            "instance `replica-2vcpu-4gb` of tier `api` has none",
        ),
        ("quantile = 0.99", "quantile = 99", "quantile must lie strictly between 0 and 1, got 99"),
        ("threshold = 5000", "threshold = -1", "a count of items waiting, not negative"),
        ("quantile = 0.99", "workers_per_unit = 0", "key `triggers[0].workers_per_unit` in"),
        (
            "kind = \"queue-depth\"",
            "kind = \"monitor\"",
            "`quantile` belongs to a trigger of kind \"latency\" or \"queue-depth\"",
        ),
        (
            "kind = \"queue-depth\"\ndimension = \"leads_per_minute\"\nquantile = 0.99",
            "kind = \"load\"\ndimension = \"leads_per_minute\"\nworkers_per_unit = 2",
            "`workers_per_unit` belongs to a trigger of kind \"queue-depth\"",
        ),
    ] {
        fs::write(&file, trigger.replace(from, to)).unwrap();
        let error = plan_with(&["--config", file.to_str().unwrap()]);
        assert!(error.contains(expected) && error.contains("depth.toml"), "{to}: {error}");
    }
}

/// One entry of a list (a trigger, a published cell) cannot be set alone:
/// a layer replaces a list whole, and the error says how to change it.
#[test]
fn setting_one_entry_of_a_list_says_to_write_the_list() {
    for set in ["triggers[0].threshold=0.5", "triggers.0.threshold=0.5", "published.2.value=3"] {
        let error = plan_with(&["--set", set]);
        let list = set.split(['[', '.']).next().unwrap();
        assert!(
            error.contains(&format!("`{list}` is a list, which a layer replaces whole"))
                && error.contains(&format!("`[[{list}]]` blocks) and pass it with --config")),
            "{set}: {error}"
        );
    }
}

/// A distribution whose P10 leaves the input's range: the sensitivity run
/// names the input, the quantile and the value, and prints nothing else.
#[test]
fn a_sensitivity_run_out_of_range_names_the_input() {
    let key = "uncertainty.inputs.\"tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users\".sd=300";
    let error = fails(headroom().args(["sensitivity", "leadgen-insurance", "--set", key]));
    assert!(error.contains("the sensitivity run, an input at its P10: `tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users` is a capacity: a capacity must be finite and above zero, got -134.46"), "{error}");
}
