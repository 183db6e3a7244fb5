//! Layered configuration: each layer overrides the one before, and `headroom
//! config` says where every value came from. Plus the planner's monotonicity.

use std::fs;

use headroom::config::{self, Sources};
use headroom_plugin_api::host;
use proptest::prelude::*;

use crate::support::{headroom, json, ok, plugin_file};

fn api_units_at_6_months(plan: &serde_json::Value) -> u64 {
    plan["milestones"][2]["tiers"][0]["units"].as_u64().unwrap()
}

#[test]
fn each_layer_overrides_the_one_before() {
    // Defaults: 5,000 users / (250 x 0.8) = 25.
    let base = json(&ok(&["plan", "leadgen-insurance", "--format", "json"]));
    assert_eq!(api_units_at_6_months(&base), 25);

    // --config: 500 users a replica, and requests twice as fast (so the
    // latency target, 2,500 req/s x 8 ms = 20 Erlangs on 2 workers a
    // replica, needs 11): headroom binds at 5,000 / 400 = 12.5 → 13.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bigger.toml");
    fs::write(&file, "[tiers.api.instances.replica-2vcpu-4gb.capacity]\nconcurrent_users = 500\n[tiers.api.latency_targets.lead-search]\nservice_time = 0.008\n")
        .unwrap();
    let file = file.to_str().unwrap();
    let plan = json(&ok(&["plan", "leadgen-insurance", "--format", "json", "--config", file]));
    assert_eq!(api_units_at_6_months(&plan), 13);

    // Environment over --config: headroom 0.5 → 5,000 / 250 = 20.
    let output = headroom()
        .env("HEADROOM_HEADROOM", "0.5")
        .args(["plan", "leadgen-insurance", "--format", "json", "--config", file])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(api_units_at_6_months(&json(&String::from_utf8(output.stdout).unwrap())), 20);

    // --set over the environment: headroom 0.3 → 5,000 / 350 = 14.3 → 15.
    let output = headroom()
        .env("HEADROOM_HEADROOM", "0.5")
        .args([
            "plan",
            "leadgen-insurance",
            "--format",
            "json",
            "--config",
            file,
            "--set",
            "headroom=0.3",
        ])
        .output()
        .unwrap();
    assert_eq!(api_units_at_6_months(&json(&String::from_utf8(output.stdout).unwrap())), 15);
}

#[test]
fn nested_and_profile_scoped_environment_variables() {
    // `__` nests; HEADROOM_<PROFILE>__ applies to that profile only, so
    // `plan --all` still works for the other.
    let output = headroom()
        .env("HEADROOM_LEADGEN_INSURANCE__TIERS__API__MIN_UNITS", "30")
        .args(["plan", "--all", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let plans: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let leadgen = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"]["id"] == "leadgen-insurance")
        .unwrap();
    assert_eq!(api_units_at_6_months(leadgen), 30);
}

#[test]
fn config_shows_only_the_keys_asked_for() {
    let text = ok(&[
        "config",
        "leadgen-insurance",
        "tiers.api.instances",
        "uncertainty.inputs.demand.peak_factor.max",
        "--set",
        "headroom=0.25",
    ]);
    let keys: Vec<&str> = text.lines().skip(1).map(|l| l.split(" = ").next().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users",
            "tiers.api.instances.replica-2vcpu-4gb.hourly_price",
            "tiers.api.instances.replica-2vcpu-4gb.memory_gb",
            "tiers.api.instances.replica-2vcpu-4gb.name",
            "tiers.api.instances.replica-2vcpu-4gb.vcpu",
            r#"uncertainty.inputs."demand.peak_factor".max"#,
        ],
        "{text}"
    );
    // A part holding dots may be quoted as TOML writes it, or not.
    let quoted =
        ok(&["config", "leadgen-insurance", r#"uncertainty.inputs."demand.peak_factor".max"#]);
    let last_key_and_value = |text: &str| {
        let line = text.lines().last().unwrap_or_default();
        line.split("  #").next().unwrap_or_default().trim().to_string()
    };
    assert_eq!(last_key_and_value(&quoted), last_key_and_value(&text), "{quoted}");
    let error = crate::support::fails(headroom().args([
        "config",
        "leadgen-insurance",
        "headroom",
        "tiers.api.instance",
    ]));
    assert!(
        error.contains("no key `tiers.api.instance` in the merged configuration; did you mean `tiers.api.instances`?"),
        "{error}"
    );
}

#[test]
fn config_shows_the_layer_of_every_value() {
    let text = ok(&["config", "leadgen-insurance", "--set", "headroom=0.25"]);
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no line for {key} in:\n{text}"))
            .to_string()
    };
    assert!(
        line("headroom").contains("= 0.25") && line("headroom").ends_with("# --set headroom=0.25")
    );
    assert!(
        line("tiers.api.current_units").ends_with("leadgen-insurance.toml"),
        "{}",
        line("tiers.api.current_units")
    );
    // Without a config directory, values come from the plugin's embedded defaults.
    let output = crate::support::bare()
        .arg("--plugin-dir")
        .arg(crate::support::plugin_dir())
        .arg("--config-dir")
        .arg(tempfile::tempdir().unwrap().path())
        .args(["config", "leadgen-insurance"])
        .current_dir(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("headroom = 0.2")
            && text.contains("# defaults of plugin `leadgen-insurance`"),
        "{text}"
    );
}

#[test]
fn a_layer_that_names_a_distribution_replaces_the_input_whole() {
    // The shipped API capacity is Normal(250, 20); a layer that draws it
    // from a uniform says nothing of `mean` and `sd`, which must not carry
    // over (they would be unknown keys of a uniform).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("uniform.toml");
    let input =
        "uncertainty.inputs.\"tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users\"";
    fs::write(&file, format!("[{input}]\ndistribution = \"uniform\"\nmin = 200\nmax = 300\n"))
        .unwrap();
    let file = file.to_str().unwrap();
    let sim = json(&ok(&[
        "simulate",
        "leadgen-insurance",
        "--draws",
        "300",
        "--format",
        "json",
        "--config",
        file,
    ]));
    let drawn = &sim["inputs"]["tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users"];
    assert_eq!(drawn, &serde_json::json!({"distribution": "uniform", "min": 200.0, "max": 300.0}));
    // `headroom config` quotes the input's key, and names the layer of
    // each of its values (a lookup by the dotted path used to miss it).
    let text = ok(&["config", "leadgen-insurance", "--config", file]);
    let line = format!("{input}.min = 200");
    let found = text.lines().find(|l| l.starts_with(&line)).unwrap_or_else(|| panic!("{text}"));
    assert!(found.ends_with("uniform.toml"), "{found}");
    let peak = "uncertainty.inputs.\"demand.peak_factor\".mode = 3.0";
    let found = text.lines().find(|l| l.starts_with(peak)).unwrap_or_else(|| panic!("{text}"));
    assert!(found.ends_with("leadgen-insurance.toml"), "{found}");
    // A layer that only adds a field merges into the input as any table
    // does, and a field the distribution does not take is named.
    fs::write(
        dir.path().join("uniform.toml"),
        "[uncertainty.inputs.\"demand.peak_factor\"]\nmean = 3\n",
    )
    .unwrap();
    let mut plan = headroom();
    plan.args(["plan", "leadgen-insurance", "--config", file]);
    let error = crate::support::fails(&mut plan);
    assert!(
        error.contains("unknown key `uncertainty.inputs.\"demand.peak_factor\".mean` in ")
            && error.contains("uniform.toml; expected one of: min, mode, max"),
        "{error}"
    );
}

#[test]
fn set_takes_a_quoted_part_of_a_key() {
    // An uncertain input's key holds dots: `--set` reads its key as TOML
    // does, so a quoted part stays one part (it was split at every dot).
    let set = "uncertainty.inputs.\"demand.peak_factor\".max=6";
    let sim = json(&ok(&[
        "simulate",
        "leadgen-insurance",
        "--draws",
        "200",
        "--format",
        "json",
        "--set",
        set,
    ]));
    assert_eq!(
        sim["inputs"]["demand.peak_factor"],
        serde_json::json!({"distribution": "triangular", "min": 2.0, "mode": 3.0, "max": 6.0})
    );
    let text = ok(&["config", "leadgen-insurance", "--set", set]);
    assert!(
        text.lines().any(|l| l.starts_with("uncertainty.inputs.\"demand.peak_factor\".max = 6")
            && l.ends_with(&format!("# --set {set}"))),
        "{text}"
    );
    // A plain string value still needs no quotes; a key that is not one is named.
    let text = ok(&["config", "leadgen-insurance", "--set", "tiers.api.name=My API"]);
    assert!(text.contains("tiers.api.name = \"My API\""), "{text}");
    let mut plan = headroom();
    plan.args(["plan", "leadgen-insurance", "--set", "tiers.api min_units=3"]);
    let error = crate::support::fails(&mut plan);
    assert!(error.contains("`tiers.api min_units` is not a key"), "{error}");
}

fn plan_with_growth(factor: f64) -> (Vec<u32>, f64) {
    let profile = host::load(&plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    let sets = vec![
        format!("milestones.12-months.drivers.users={}", 10_000.0 * factor),
        format!("milestones.12-months.drivers.leads_per_day={}", 1_000_000.0 * factor),
    ];
    let sources =
        Sources { config_dir: Some(crate::support::config_dir()), sets, ..Sources::default() };
    let layered = config::load(&profile, &sources).unwrap();
    let plan = headroom::plan::plan(&profile, &layered, None).unwrap();
    let last = plan.milestones.last().unwrap();
    (last.tiers.iter().map(|t| t.units).collect(), last.monthly_cost)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// More demand never yields fewer units on any tier, nor a lower cost.
    #[test]
    fn more_demand_never_fewer_units_or_lower_cost(a in 0.01f64..20.0, b in 0.01f64..20.0) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let (units_low, cost_low) = plan_with_growth(low);
        let (units_high, cost_high) = plan_with_growth(high);
        for (l, h) in units_low.iter().zip(&units_high) {
            prop_assert!(h >= l, "units {units_low:?} at x{low} vs {units_high:?} at x{high}");
        }
        prop_assert!(cost_high >= cost_low);
    }
}

#[test]
fn growth_curves_are_chosen_in_config() {
    let users_at = |plan: &serde_json::Value, month: usize| {
        plan["monthly"][month]["drivers"]["users"].as_f64().unwrap()
    };
    // Compound monthly, fitted from 500 to 10,000 over 12 months: month 6 is
    // 500 x 20^(1/2) = 2,236.07 (the 3- and 6-month milestones still hold as
    // milestones, but the curve between months is one rate).
    let plan = json(&ok(&[
        "plan",
        "leadgen-insurance",
        "--format",
        "json",
        "--set",
        "growth.curve=compound-monthly",
    ]));
    assert!((users_at(&plan, 6) - 2236.068).abs() < 1e-3, "{}", users_at(&plan, 6));
    // Logistic needs a ceiling per driver, and passes through the milestones.
    let plan = json(&ok(&[
        "plan",
        "leadgen-insurance",
        "--format",
        "json",
        "--set",
        "growth.curve=logistic",
        "--set",
        "growth.ceilings.users=20000",
        "--set",
        "growth.ceilings.leads_per_day=3000000",
    ]));
    assert_eq!(plan["growth_curve"], "logistic");
    assert!((users_at(&plan, 6) - 5000.0).abs() < 1e-6);
    assert!(
        users_at(&plan, 9) > 5000.0
            && users_at(&plan, 9) < 10000.0
            && (users_at(&plan, 9) - 7500.0).abs() > 1.0
    );
    let error = crate::support::fails(headroom().args([
        "plan",
        "leadgen-insurance",
        "--set",
        "growth.curve=logistic",
    ]));
    assert!(error.contains("growth.ceilings.users"), "{error}");
}
