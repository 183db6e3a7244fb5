//! `headroom simulate`: seeded, reproducible, converging, and strict.

use std::fs;

use crate::support::{bare, fails, fixture_alone, headroom, json, ok, plugin_dir};

fn simulate(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    json(&ok(&all))
}

#[test]
fn fixed_seed_snapshot() {
    let sim = simulate(&["leadgen-insurance", "--draws", "300", "--seed", "7"]);
    assert_eq!(sim["draws"], 300);
    insta::assert_json_snapshot!("leadgen_simulation", sim);
}

#[test]
fn the_same_seed_gives_the_same_answer_on_any_thread_count() {
    let run = |threads: &str| {
        let output = bare()
            .env("RAYON_NUM_THREADS", threads)
            .arg("--plugin-dir")
            .arg(plugin_dir())
            .arg("--config-dir")
            .arg(crate::support::config_dir())
            .args([
                "simulate",
                "leadgen-insurance",
                "--draws",
                "200",
                "--seed",
                "3",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        output.stdout
    };
    assert_eq!(run("1"), run("2"));
    let other_seed = simulate(&["leadgen-insurance", "--draws", "200", "--seed", "4"]);
    assert_ne!(json(&String::from_utf8(run("2")).unwrap()), other_seed);
}

fn with_layer(layer: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("uncertain.toml");
    fs::write(&file, layer).unwrap();
    let mut command = headroom();
    command.args(args).arg("--config").arg(&file);
    command.output().unwrap()
}

#[test]
fn quantiles_converge_to_the_exact_ones() {
    // Hostel, large deployment, users ~ Uniform(600, 1400): the backend needs
    // ceil(5 u / 800) instances, so P(units <= 6) = P(u <= 960) = 0.45,
    // P(units <= 7) = 0.65, P(units <= 8) = 0.85: the exact P50 is 7 and the
    // exact P90 and P99 are 9. With 4,000 draws the nearest-rank quantiles
    // land on them (the margins are 5 points, 6 standard errors).
    let layer = "[uncertainty.inputs.\"milestones.large.drivers.users\"]\ndistribution = \"uniform\"\nmin = 600\nmax = 1400\n";
    let output = with_layer(
        layer,
        &["simulate", "hostel-complaints", "--draws", "4000", "--format", "json"],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let sim: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let large = sim["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Large deployment")
        .unwrap();
    let backend = &large["tiers"][0];
    assert_eq!(
        (
            backend["units"]["p50"].as_f64(),
            backend["units"]["p90"].as_f64(),
            backend["units"]["p99"].as_f64()
        ),
        (Some(7.0), Some(9.0), Some(9.0)),
        "{backend}"
    );
    // With 8 draws the same seed is far from them.
    let output =
        with_layer(layer, &["simulate", "hostel-complaints", "--draws", "8", "--format", "json"]);
    let few: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let few_backend = &few["milestones"][4]["tiers"][0]["units"];
    assert_ne!(few_backend, &backend["units"], "8 draws should not already match: {few_backend}");
}

#[test]
fn each_quantile_comes_with_an_interval_that_narrows_as_the_draws_grow() {
    let run = |draws: &str| simulate(&["leadgen-insurance", "--draws", draws, "--seed", "11"]);
    let (few, many) = (run("2000"), run("32000"));
    let total = |sim: &serde_json::Value, q: &str| {
        let m = &sim["milestones"][3];
        let i = &m["monthly_cost_interval"][q];
        (
            m["monthly_cost"][q].as_f64().unwrap(),
            i["low"].as_f64().unwrap(),
            i["high"].as_f64().unwrap(),
        )
    };
    for sim in [&few, &many] {
        for q in ["p50", "p90", "p99"] {
            let (value, low, high) = total(sim, q);
            assert!(low <= value && value <= high, "{q}: {value} not in {low}..{high}");
        }
        let api = &sim["milestones"][3]["tiers"][0];
        for q in ["p50", "p90", "p99"] {
            let value = api["units"][q].as_f64().unwrap();
            let i = &api["units_interval"][q];
            assert!(
                i["low"].as_f64().unwrap() <= value && value <= i["high"].as_f64().unwrap(),
                "{api}"
            );
        }
    }
    // Sixteen times the draws: about a quarter of the width (1 / sqrt 16).
    let (_, low, high) = total(&few, "p50");
    let (many_p50, many_low, many_high) = total(&many, "p50");
    let ratio = (high - low) / (many_high - many_low);
    assert!((2.5..6.5).contains(&ratio), "{ratio}: {low}..{high} against {many_low}..{many_high}");
    // The larger run's median, a stand-in for the distribution's, lies
    // within the smaller run's interval.
    assert!(low <= many_p50 && many_p50 <= high, "{many_p50} not in {low}..{high}");
    // A share no draw reached is 0 with an upper end of Wilson's z^2 / (n + z^2).
    let month0 = &few["breach"][0];
    assert_eq!(month0["probability"].as_f64(), Some(0.0));
    let upper = month0["probability_interval"]["high"].as_f64().unwrap();
    let z2 = 1.959964f64.powi(2);
    assert!((upper - z2 / (2000.0 + z2)).abs() < 1e-6, "{upper}");
    let text = ok(&["simulate", "leadgen-insurance", "--draws", "2000", "--seed", "11"]);
    assert!(text.contains("How sure 2,000 draws are"), "{text}");
    assert!(
        text.contains("four times the draws halve each interval: --draws 8000 (or --draws auto)"),
        "{text}"
    );
}

#[test]
fn draws_auto_quadruples_the_draws_until_every_figure_settles() {
    let auto = simulate(&["leadgen-insurance", "--draws", "auto", "--seed", "5"]);
    let stages = auto["stages"].as_array().unwrap();
    let draws: Vec<u64> = stages.iter().map(|s| s["draws"].as_u64().unwrap()).collect();
    assert_eq!(draws[0], 1000, "{draws:?}");
    assert!(draws.windows(2).all(|w| w[1] == 4 * w[0]), "{draws:?}");
    assert_eq!(auto["draws"].as_u64(), draws.last().copied());
    // Every run before the last left a figure unsettled; the last none.
    let unsettled = |s: &serde_json::Value| s["unsettled"].as_array().unwrap().len();
    assert!(stages[..stages.len() - 1].iter().all(|s| unsettled(s) > 0), "{stages:?}");
    assert_eq!(unsettled(stages.last().unwrap()), 0, "{stages:?}");
    // The last run is the run of that many draws, whole.
    let count = draws.last().unwrap().to_string();
    let mut fixed = simulate(&["leadgen-insurance", "--draws", &count, "--seed", "5"]);
    fixed["stages"] = auto["stages"].clone();
    assert_eq!(fixed, auto);
    // What each settled figure's interval holds: within 1% (a unit), or
    // one step.
    for m in auto["milestones"].as_array().unwrap() {
        let cost = &m["monthly_cost"];
        for q in ["p50", "p90", "p99"] {
            let i = &m["monthly_cost_interval"][q];
            let value = cost[q].as_f64().unwrap();
            let near =
                |end: &serde_json::Value| (end.as_f64().unwrap() - value).abs() <= value / 100.0;
            assert!(
                near(&i["low"]) && near(&i["high"])
                    || i["steps"].as_u64().is_some_and(|steps| steps <= 1),
                "{m}"
            );
        }
    }
    // And each month's units, as the fan chart draws them.
    for month in auto["monthly"].as_array().unwrap() {
        for tier in month["tiers"].as_array().unwrap() {
            for q in ["p50", "p90", "p99"] {
                let (value, i) = (tier["units"][q].as_f64().unwrap(), &tier["units_interval"][q]);
                let tolerance = (value / 100.0).max(1.0);
                let near = |end: &serde_json::Value| {
                    end.as_f64().is_some_and(|end| (end - value).abs() <= tolerance)
                };
                let settled = near(&i["low"]) && near(&i["high"])
                    || i["steps"].as_u64().is_some_and(|steps| steps <= 1);
                assert!(settled, "month {} {tier}", month["month"]);
            }
        }
    }
    // And each trigger's chance of having fired by each month, within a
    // percentage point (the queue backlog's month 3, near a third, is what
    // the first runs leave open).
    for trigger in auto["triggers"].as_array().unwrap() {
        let intervals = trigger["fired_by_interval"].as_array().unwrap();
        for (share, i) in trigger["fired_by"].as_array().unwrap().iter().zip(intervals) {
            let share = share.as_f64().unwrap();
            let near = |end: &serde_json::Value| (end.as_f64().unwrap() - share).abs() <= 0.01;
            assert!(near(&i["low"]) && near(&i["high"]), "{trigger}");
        }
    }
    let first = stages[0]["unsettled"].as_array().unwrap();
    assert!(
        first.iter().any(|u| u.as_str().unwrap().starts_with("Queue Backlog fired by month 3")),
        "{first:?}"
    );
    let text = ok(&["simulate", "leadgen-insurance", "--draws", "auto", "--seed", "5"]);
    assert!(text.contains("draws chosen automatically: 1,000, 4,000"), "{text}");
    // It has said how far it went: no advice to draw more.
    assert!(!text.contains("four times the draws"), "{text}");
    let error = crate::support::run(&["simulate", "leadgen-insurance", "--draws", "many"]);
    assert!(String::from_utf8_lossy(&error.stderr).contains("neither a count of draws nor `auto`"));
    // In configuration, the same word or a count; anything else names its key.
    for (set, says) in [
        (r#"uncertainty.draws="many""#, r#"draws must be a count or "auto", got "many""#),
        ("uncertainty.draws=-5", r#"draws must be a count above zero or "auto", got -5"#),
    ] {
        let error = fails(headroom().args(["simulate", "leadgen-insurance", "--set", set]));
        assert!(error.contains("key `uncertainty.draws`") && error.contains(says), "{error}");
    }
}

#[test]
fn simulate_and_sensitivity_draw_their_charts_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (bands, odds, tornado) = (path("bands.svg"), path("odds.svg"), path("tornado.svg"));
    let triggers = path("triggers.svg");
    let text = ok(&[
        "simulate",
        "leadgen-insurance",
        "--draws",
        "500",
        "--chart",
        &bands,
        "--odds-chart",
        &odds,
        "--triggers-chart",
        &triggers,
    ]);
    // A line a trigger read on today's deployment, a dot on each at the
    // month the plan has it fire, at the share of the draws fired by then
    // (the queue backlog's month 4: 94% of these 500; at 100% the others').
    let triggers_svg = fs::read_to_string(&triggers).unwrap();
    assert_eq!(triggers_svg.matches("<polyline").count(), 3, "{triggers_svg}");
    assert_eq!(triggers_svg.matches("<circle").count(), 3, "{triggers_svg}");
    for name in ["API CPU", "Queue Backlog", "Search Latency"] {
        assert!(triggers_svg.contains(&format!(">{name}</text>")), "{triggers_svg}");
    }
    assert!(text.contains("Monte Carlo of 500 draws"), "{text}");
    let bands_svg = fs::read_to_string(&bands).unwrap();
    assert!(bands_svg.starts_with("<svg") && bands_svg.contains("units a month needs, 500 draws"));
    let odds_svg = fs::read_to_string(&odds).unwrap();
    assert!(odds_svg.contains("has broken its headroom)<"), "{odds_svg}");
    assert!(odds_svg.contains("by each month, over 500 draws"), "{odds_svg}");
    // A line and its 95% band (Wilson's) for any tier and each of the four.
    assert_eq!(odds_svg.matches("<polyline").count(), 5, "{odds_svg}");
    assert_eq!(odds_svg.matches("<polygon").count(), 5, "{odds_svg}");
    ok(&["sensitivity", "leadgen-insurance", "--chart", &tornado]);
    assert!(fs::read_to_string(&tornado).unwrap().starts_with("<svg"));
    // The hostel's sizes have no month-by-month runway: refused, and the
    // chart that could be drawn is not written either.
    let (hostel_bands, hostel_odds) = (path("hostel-bands.svg"), path("hostel-odds.svg"));
    let error = fails(headroom().args([
        "simulate",
        "hostel-complaints",
        "--chart",
        &hostel_bands,
        "--odds-chart",
        &hostel_odds,
    ]));
    assert!(
        error.contains("hostel-odds.svg") && error.contains("no month-by-month runway"),
        "{error}"
    );
    let hostel_triggers = path("hostel-triggers.svg");
    let error = fails(headroom().args([
        "simulate",
        "hostel-complaints",
        "--chart",
        &hostel_bands,
        "--triggers-chart",
        &hostel_triggers,
    ]));
    assert!(
        error.contains("hostel-triggers.svg")
            && error.contains("reads no trigger on today's deployment"),
        "{error}"
    );
    let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 4, "only the four charts asked for and drawn: {left:?}");
    // A chart that cannot be written names its own path, not a temporary one.
    let error = fails(headroom().args([
        "simulate",
        "leadgen-insurance",
        "--draws",
        "50",
        "--chart",
        &bands,
        "--odds-chart",
        &path("missing/odds.svg"),
    ]));
    assert!(error.contains("missing/odds.svg:") && !error.contains("svg.tmp"), "{error}");
    let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 4, "no temporary left behind: {left:?}");
}

#[test]
fn bad_uncertainty_is_refused_with_the_key() {
    let output = with_layer(
        "[uncertainty.inputs.\"tiers.api.instances.replica-2vcpu-4gb.capacity.concurent_users\"]\ndistribution = \"uniform\"\nmin = 1\nmax = 2\n",
        &["simulate", "leadgen-insurance", "--draws", "10"],
    );
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && error.contains("concurent_users"), "{error}");
    // A normal that reaches below zero gives a negative capacity in some draw.
    let output = with_layer(
        "[uncertainty.inputs.\"tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users\"]\ndistribution = \"normal\"\nmean = 10\nsd = 100\n",
        &["simulate", "leadgen-insurance", "--draws", "50"],
    );
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{error}");
    assert!(
        error.contains("draw") && error.contains("capacity must be finite and above zero"),
        "{error}"
    );
    let output = with_layer(
        "[uncertainty.inputs.\"demand.peak_factor\"]\ndistribution = \"triangular\"\nmin = 5\nmode = 1\nmax = 6\n",
        &["simulate", "leadgen-insurance", "--draws", "10"],
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("min <= mode <= max"));
    let error = fails(headroom().args(["simulate", "leadgen-insurance", "--draws", "0"]));
    assert!(error.contains("draws must lie between 1 and 5000000"), "{error}");
}

#[test]
fn a_profile_without_uncertainty_or_with_a_panicking_plugin_is_refused() {
    // The panicking fixture's configuration (tests/fixtures/minimal.toml)
    // has no [uncertainty]; alone in a plugin directory, it is the profile.
    let dir = fixture_alone("headroom_profile_fixture_panicking");
    let run = |extra: &[&str]| {
        let mut command = bare();
        command.arg("--plugin-dir").arg(dir.path()).args(["simulate", "fixture-panicking"]);
        command.args(extra);
        command.output().unwrap()
    };
    let output = run(&[]);
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && output.stdout.is_empty(), "{error}");
    assert!(error.contains("no uncertain inputs"), "{error}");
    // With an input to draw, the first chunk's one plugin call panics in the
    // plugin: an error naming it, on both paths.
    let layer = dir.path().join("uncertain.toml");
    fs::write(&layer, "[uncertainty.inputs.\"milestones.now.drivers.users\"]\ndistribution = \"uniform\"\nmin = 1\nmax = 2\n").unwrap();
    for exact in [false, true] {
        let mut extra = vec!["--config", layer.to_str().unwrap()];
        if exact {
            extra.push("--exact");
        }
        let output = run(&extra);
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && output.stdout.is_empty(), "{error}");
        assert!(error.contains("plugin `fixture-panicking` panicked"), "{error}");
    }
}

/// The compiled model gives exactly what planning every draw in full gives.
fn compiled_matches_exact(profile: &str, layer: &str, extra: &[&str]) {
    let run = |exact: bool| {
        let mut args =
            vec!["simulate", profile, "--draws", "1500", "--seed", "11", "--format", "json"];
        args.extend_from_slice(extra);
        if exact {
            args.push("--exact");
        }
        let output = with_layer(layer, &args);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        output.stdout
    };
    let (compiled, exact) = (run(false), run(true));
    assert_eq!(String::from_utf8_lossy(&compiled), String::from_utf8_lossy(&exact));
    // And the draws did vary something.
    let sim: serde_json::Value = serde_json::from_slice(&compiled).unwrap();
    let spread = sim["milestones"].as_array().unwrap().iter().any(|m| {
        m["tiers"].as_array().unwrap().iter().any(|t| t["units"]["p50"] != t["units"]["p99"])
    });
    assert!(spread, "{sim}");
}

#[test]
fn compiled_model_matches_full_plans_on_leadgen() {
    // The shipped uncertainty: drivers, a demand parameter, a capacity;
    // a vertical ladder fed by fan-in, a latency target, runways.
    compiled_matches_exact("leadgen-insurance", "", &[]);
    // Prices and headroom drawn too, a USL tier, a shorter horizon.
    let layer = "\
[tiers.data.scalability]
sigma = 0.02
kappa = 0.0005
source = \"test\"
[uncertainty.inputs.\"headroom\"]
distribution = \"uniform\"
min = 0.1
max = 0.3
[uncertainty.inputs.\"tiers.postgres.instances.r6i-xlarge.hourly_price\"]
distribution = \"normal\"
mean = 0.5
sd = 0.05
[uncertainty.inputs.\"milestones.6-months.drivers.users\"]
distribution = \"triangular\"
min = 4000
mode = 5000
max = 7000
";
    compiled_matches_exact("leadgen-insurance", layer, &["--months", "9"]);
    // Growth itself drawn: a compound monthly rate, then a logistic ceiling.
    let compound = "\
[growth]
curve = \"compound-monthly\"
rates.users = 0.2
[uncertainty.inputs.\"growth.rates.users\"]
distribution = \"normal\"
mean = 0.2
sd = 0.05
";
    compiled_matches_exact("leadgen-insurance", compound, &[]);
    let logistic = "\
[growth]
curve = \"logistic\"
ceilings.users = 50000
ceilings.leads_per_day = 10000000
[uncertainty.inputs.\"growth.ceilings.users\"]
distribution = \"uniform\"
min = 40000
max = 60000
";
    compiled_matches_exact("leadgen-insurance", logistic, &["--months", "18"]);
    // Correlated inputs: the draws change, both paths still agree.
    let correlated = "\
[[uncertainty.correlations]]
between = [\"milestones.12-months.drivers.users\", \"milestones.12-months.drivers.leads_per_day\"]
rho = 0.9
";
    compiled_matches_exact("leadgen-insurance", correlated, &[]);
}

#[test]
fn compiled_model_matches_full_plans_where_upstream_units_alone_size_a_tier() {
    // Postgres is loaded by its replicas' connection pools alone: the
    // compiled model sizes it by the API and data units, once a pair.
    // Two such dimensions on the ladder, each rung a different mix:
    let two_dimensions = "\
[tiers.postgres]
fan_in.memory_gb.api = 0.5
fan_in.memory_gb.data = 1.5
[tiers.postgres.instances.r6i-xlarge]
capacity.memory_gb = 24
[tiers.postgres.instances.r6i-2xlarge]
capacity.memory_gb = 30
[tiers.postgres.instances.r6i-4xlarge]
capacity.memory_gb = 120
[tiers.postgres.instances.r6i-8xlarge]
capacity.memory_gb = 240
";
    compiled_matches_exact("leadgen-insurance", two_dimensions, &[]);
    // A minimum, a spare and two zones on top:
    let policy = "[tiers.postgres]\nzones = 2\nmin_units = 3\nredundancy = 1\n";
    compiled_matches_exact("leadgen-insurance", policy, &[]);
    // Data replicas by the thousand: API x data unit counts too many to
    // keep, so the tier is sized pass by pass instead.
    let many = format!(
        "{policy}[tiers.data.instances.replica-1vcpu-2gb]\ncapacity.leads_per_minute = 1\n"
    );
    compiled_matches_exact("leadgen-insurance", &many, &[]);
}

#[test]
fn compiled_model_matches_full_plans_on_triggers() {
    // Each trigger the draws read on today's deployment, where the model
    // takes its shortcuts: today's data replicas (3, one of them a spare)
    // drawn in capacity and on a USL curve, their queue read at its mean
    // depth on 2 workers a replica; Postgres, sized from its upstream
    // table, read for utilisation; the API's latency at its p99.
    let layer = "\
[tiers.data]
current_units = 3
redundancy = 1
[tiers.data.scalability]
sigma = 0.02
kappa = 0.0005
source = \"test\"
[uncertainty.inputs.\"tiers.data.instances.replica-1vcpu-2gb.capacity.leads_per_minute\"]
distribution = \"normal\"
mean = 500.0
sd = 60.0
[[triggers]]
name = \"PG connections\"
text = \"test\"
tier = \"postgres\"
kind = \"utilisation\"
threshold = 0.5
[[triggers]]
name = \"Lead queue\"
text = \"test\"
tier = \"data\"
kind = \"queue-depth\"
dimension = \"leads_per_minute\"
workers_per_unit = 2
threshold = 3
[[triggers]]
name = \"Search p99\"
text = \"test\"
tier = \"api\"
kind = \"latency\"
queue = \"lead-search\"
quantile = 0.99
threshold = 0.08
";
    compiled_matches_exact("leadgen-insurance", layer, &[]);
    let output = with_layer(
        layer,
        &["simulate", "leadgen-insurance", "--draws", "1500", "--format", "json"],
    );
    let sim: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> =
        sim["triggers"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    for name in ["PG connections", "Lead queue", "Search p99"] {
        assert!(names.contains(&name), "{names:?}");
    }
    // Each fires within the horizon in some draws and not yet in others.
    for odds in sim["triggers"].as_array().unwrap() {
        let fired = odds["fired_by"].as_array().unwrap();
        assert!(fired.iter().any(|p| p.as_f64().unwrap() > 0.0), "{odds}");
        assert!(fired[0].as_f64().unwrap() < 1.0, "{odds}");
    }
}

#[test]
fn compiled_model_matches_full_plans_with_two_latency_targets() {
    // A second latency target on the API, after §6's in key order, that
    // binds in many draws (20 ms requests: 100 Erlangs at 10,000 users,
    // where headroom gives about 50 replicas): the tier takes the most
    // either target or the headroom needs, draw by draw.
    let second = "[tiers.api.latency_targets.quote-p99]\nname = \"quote p99\"\nquantile = 0.99\nseconds = 0.25\narrivals = \"requests_per_second\"\nservice_time = 0.02\nworkers_per_unit = 2\n";
    compiled_matches_exact("leadgen-insurance", second, &[]);
    let api_month_12 = |layer: &str| {
        let args = [
            "simulate",
            "leadgen-insurance",
            "--draws",
            "1500",
            "--seed",
            "11",
            "--format",
            "json",
        ];
        let sim: serde_json::Value =
            serde_json::from_slice(&with_layer(layer, &args).stdout).unwrap();
        sim["monthly"][12]["tiers"][0]["units"].clone()
    };
    let (alone, with_second) = (api_month_12(""), api_month_12(second));
    assert!(with_second["p50"].as_f64() > alone["p50"].as_f64(), "{alone} {with_second}");
}

#[test]
fn correlated_users_and_leads_move_the_same_draws() {
    // At ρ = 0.99 a draw with many users has many leads: the costs of the
    // tiers each drives (API by users, data by leads) peak in the same
    // draws, so the total cost's P99 grows.
    let layer = "\
[[uncertainty.correlations]]
between = [\"milestones.12-months.drivers.users\", \"milestones.12-months.drivers.leads_per_day\"]
rho = 0.99
";
    let args = ["simulate", "leadgen-insurance", "--draws", "4000", "--format", "json"];
    let correlated = with_layer(layer, &args);
    assert!(correlated.status.success(), "{}", String::from_utf8_lossy(&correlated.stderr));
    let correlated: serde_json::Value = serde_json::from_slice(&correlated.stdout).unwrap();
    let independent = simulate(&["leadgen-insurance", "--draws", "4000"]);
    let p99 =
        |sim: &serde_json::Value| sim["milestones"][3]["monthly_cost"]["p99"].as_f64().unwrap();
    assert!(p99(&correlated) > p99(&independent), "{} vs {}", p99(&correlated), p99(&independent));
    assert_eq!(correlated["correlations"][0]["rho"], 0.99);
    assert!(independent.get("correlations").is_none());
    // A correlation that cannot be: refused, naming it.
    let output = with_layer(
        "[[uncertainty.correlations]]\nbetween = [\"demand.peak_factor\", \"demand.peak_factor\"]\nrho = 0.5\n",
        &["simulate", "leadgen-insurance"],
    );
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && output.stdout.is_empty(), "{error}");
    assert!(
        error.contains("uncertainty.correlations[0]") && error.contains("with itself"),
        "{error}"
    );
}

#[test]
fn compiled_model_matches_full_plans_on_hostel() {
    // Undated deployment sizes, two-dimension tiers, latency targets.
    let layer = "\
[uncertainty.inputs.\"milestones.large.drivers.users\"]
distribution = \"uniform\"
min = 600
max = 1400
[uncertainty.inputs.\"tiers.backend.instances.backend-4c-8gb.capacity.requests_per_minute\"]
distribution = \"lognormal\"
median = 1000
sigma = 0.2
[uncertainty.inputs.\"tiers.postgres.instances.postgres-15.capacity.connections\"]
distribution = \"empirical\"
samples = [80, 100, 120]
";
    compiled_matches_exact("hostel-complaints", layer, &[]);
    // A vertical ladder on two dimensions, each rung a different mix: a
    // row takes the first rung that holds both (the large deployment's
    // draws land on `postgres-deep` and on `postgres-big`).
    let ladder = "\
[tiers.postgres]
scaling = \"vertical\"
ladder = [\"postgres-15\", \"postgres-wide\", \"postgres-deep\", \"postgres-big\"]
[tiers.postgres.instances.postgres-wide]
name = \"more connections\"
hourly_price = 0.30
capacity.connections = 400
capacity.active_complaints = 12000
[tiers.postgres.instances.postgres-deep]
name = \"more rows\"
hourly_price = 0.40
capacity.connections = 450
capacity.active_complaints = 80000
[tiers.postgres.instances.postgres-big]
name = \"both\"
hourly_price = 0.90
capacity.connections = 800
capacity.active_complaints = 200000
[uncertainty.inputs.\"milestones.large.drivers.users\"]
distribution = \"uniform\"
min = 100
max = 4000
";
    compiled_matches_exact("hostel-complaints", ladder, &[]);
    // A latency target just past the service time's own median (0.1664 s
    // at no load): the draws of a row all need the minimum by load, and
    // the target raises some of them, not all.
    let tight = "[tiers.backend.latency_targets.listing]\nseconds = 0.1664\n";
    compiled_matches_exact("hostel-complaints", tight, &[]);
}

#[test]
fn a_negative_load_is_named_alike_by_the_plan_and_both_paths() {
    // The fixture's demand mapping turns negative past 1,000 users. The
    // later milestone is month 2's row too: the compiled model sizes that
    // row once, and must still name the milestone, as the planner does.
    let dir = fixture_alone("headroom_profile_fixture_negative_load");
    let run = |args: &[&str]| fails(bare().arg("--plugin-dir").arg(dir.path()).args(args));
    let layer = dir.path().join("later.toml");
    fs::write(&layer, "[milestones.later]\ndrivers.users = 1500\n").unwrap();
    let plan = run(&["plan", "fixture-negative-load", "--config", layer.to_str().unwrap()]);
    assert!(plan.contains("load app.users = -1500 at milestone `later`"), "{plan}");
    fs::write(&layer, "[uncertainty.inputs.\"milestones.later.drivers.users\"]\ndistribution = \"uniform\"\nmin = 100\nmax = 1100\n").unwrap();
    let named = |extra: &[&str]| {
        let mut args = vec!["simulate", "fixture-negative-load", "--draws", "600", "--config"];
        args.push(layer.to_str().unwrap());
        args.extend_from_slice(extra);
        run(&args)
    };
    let compiled = named(&[]);
    assert!(
        compiled.contains("of the Monte Carlo: demand mapping gave load app.users = -1"),
        "{compiled}"
    );
    assert!(compiled.contains("at milestone `later`; loads must be finite"), "{compiled}");
    // The same draw, load, value and place, word for word.
    assert_eq!(compiled, named(&["--exact"]));
}

#[test]
fn a_draw_whose_growth_falls_below_zero_is_named_alike_on_both_paths() {
    // Past month 12 the lead-gen curves extend their last segment; a draw
    // whose 12-month leads come out below month 6's falls, and by month 36
    // some draw's leads a day fall below zero. Both paths name the same
    // draw, driver, month and value, on one thread or two, and print
    // nothing.
    let compiled = fails_alike(&["--draws", "2000", "--months", "36"], None);
    assert!(
        compiled.contains("of the Monte Carlo: growth of driver `leads_per_day` gives -"),
        "{compiled}"
    );
    assert!(compiled.contains("a piecewise-linear curve extends its last segment"), "{compiled}");
}

#[test]
fn a_capacity_drawn_near_zero_is_sized_or_refused_alike_on_both_paths() {
    // API capacity ~ Normal(0.01, 0.001) users a replica: millions of
    // replicas, each needing more servers than the latency check keeps safe
    // rates for (it once kept a table as long as the units, per chunk):
    // both paths give the same numbers.
    let capacity = "[uncertainty.inputs.\"tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users\"]\ndistribution = \"normal\"\n";
    compiled_matches_exact(
        "leadgen-insurance",
        &format!("{capacity}mean = 0.01\nsd = 0.001\n"),
        &[],
    );
    // ~ Normal(3e-6, 4e-7): some draw's 12-month API needs more replicas
    // than a u32 counts. The compiled model aborted on a 34 GB table; now
    // both paths name the same draw, tier and row, and print nothing.
    let layer = format!("{capacity}mean = 3e-6\nsd = 4e-7\n");
    let compiled = fails_alike(&["--draws", "3000"], Some(&layer));
    assert!(
        compiled.contains("of the Monte Carlo: tier `api` at milestone `12-months` needs 4294967295 units or more"),
        "{compiled}"
    );
}

#[test]
fn a_run_the_compiled_model_declines_says_why() {
    // A drawn service time is not placed by the compiled model: every draw
    // is planned in full, tens of times slower, and the user is told which
    // input did it (on stderr; the document is the same either way).
    let layer = "[uncertainty.inputs.\"tiers.api.latency_targets.lead-search.service_time\"]\ndistribution = \"uniform\"\nmin = 0.012\nmax = 0.02\n";
    let output = with_layer(layer, &["simulate", "leadgen-insurance", "--draws", "300"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("headroom: note: each draw was planned in full")
            && stderr
                .contains("does not place `tiers.api.latency_targets.lead-search.service_time`"),
        "{stderr}"
    );
    // The shipped inputs are all placed: no note.
    let output = with_layer("", &["simulate", "leadgen-insurance", "--draws", "300"]);
    assert!(output.status.success() && output.stderr.is_empty(), "{output:?}");
}

/// The error of `headroom simulate leadgen-insurance args…` (under the
/// config layer `layer`, if any): compiled on two threads, compiled on one
/// and exact on two all fail in the same words, which it returns.
fn fails_alike(args: &[&str], layer: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("layer.toml");
    fs::write(&file, layer.unwrap_or_default()).unwrap();
    let run = |threads: &str, exact: bool| {
        let mut command = headroom();
        command.env("RAYON_NUM_THREADS", threads);
        command.args(["simulate", "leadgen-insurance"]).args(args);
        command.arg("--config").arg(&file);
        if exact {
            command.arg("--exact");
        }
        fails(&mut command)
    };
    let compiled = run("2", false);
    assert_eq!(compiled, run("1", false));
    assert_eq!(compiled, run("2", true));
    compiled
}

/// The errors of 2,000 draws of the negative-load fixture, alone in a
/// plugin directory, under the config layer `layer` with `seed`: compiled
/// and exact, on one thread and two.
fn failing_four_ways(layer: &str, seed: &str) -> Vec<String> {
    let dir = fixture_alone("headroom_profile_fixture_negative_load");
    let file = dir.path().join("layer.toml");
    fs::write(&file, layer).unwrap();
    [("1", false), ("2", false), ("1", true), ("2", true)]
        .iter()
        .map(|&(threads, exact)| {
            let mut command = bare();
            command.env("RAYON_NUM_THREADS", threads).arg("--plugin-dir").arg(dir.path());
            command.args(["simulate", "fixture-negative-load", "--draws", "2000"]);
            command.args(["--seed", seed, "--config"]).arg(&file);
            if exact {
                command.arg("--exact");
            }
            fails(&mut command)
        })
        .collect()
}

#[test]
fn the_first_failing_draw_is_named_whatever_fails_it_and_however_many_threads() {
    // Two ways for a draw to fail: `now`'s users drawn below zero (an input
    // out of range, refused before any plan) and `later`'s past 1,000 (the
    // fixture's negative load, met only once the plugin has run). With seed
    // 1, draw 8 is the first to fail, by its load, and draw 14 of the same
    // chunk fails by its input; the compiled model checks every input of a
    // chunk before calling the plugin, so it must look again at the draws
    // before 14. And a draw of a later chunk fails too: on two threads the
    // chunk that fails first in time need not be the first chunk.
    let layer = "[uncertainty.inputs.\"milestones.later.drivers.users\"]\ndistribution = \"uniform\"\nmin = 100\nmax = 1100\n\
         [uncertainty.inputs.\"milestones.now.drivers.users\"]\ndistribution = \"normal\"\nmean = 10\nsd = 5\n";
    let errors = failing_four_ways(layer, "1");
    assert!(
        errors[0]
            .contains("draw 8 of the Monte Carlo: demand mapping gave load app.users = -1091.03"),
        "{}",
        errors[0]
    );
    assert!(errors.iter().all(|e| *e == errors[0]), "{errors:#?}");
}

#[test]
fn a_plugin_that_fails_is_named_at_the_same_draw_on_both_paths() {
    // The fixture fails outright past 5,000 users and gives a negative load
    // between 1,000 and 5,000: `later`'s users drawn from samples where each
    // happens one draw in twenty. The compiled model calls the plugin once
    // for a chunk; when that call fails it must find the draw, and whether a
    // draw before it gave a negative load: the same words as planning each
    // draw in full, on one thread or two.
    let layer = "[uncertainty.inputs.\"milestones.later.drivers.users\"]\ndistribution = \"empirical\"\n\
         samples = [100, 200, 300, 400, 500, 600, 700, 800, 900, 100, 200, 300, 400, 500, 600, 700, 800, 900, 3000, 6000]\n";
    let mut kinds = (false, false);
    for seed in ["1", "2", "3", "4", "5", "6"] {
        let errors = failing_four_ways(layer, seed);
        assert!(errors.iter().all(|e| *e == errors[0]), "seed {seed}: {errors:#?}");
        assert!(errors[0].contains(" of the Monte Carlo: "), "{}", errors[0]);
        kinds.0 |= errors[0].contains("users is past what the fixture maps");
        kinds.1 |= errors[0].contains("demand mapping gave load app.users = -3000");
    }
    assert_eq!(kinds, (true, true), "both failures were met first in some seed");
}

#[test]
fn a_draw_out_of_range_is_named_alike_on_both_paths() {
    // A normal around 100 users with sd 500 goes negative in some draw: both
    // paths refuse it, naming the same draw and the key, and print nothing.
    let layer = "[uncertainty.inputs.\"milestones.6-months.drivers.users\"]\ndistribution = \"normal\"\nmean = 100\nsd = 500\n";
    let draw_named = |extra: &[&str]| {
        let mut args = vec!["simulate", "leadgen-insurance", "--draws", "2000"];
        args.extend_from_slice(extra);
        let output = with_layer(layer, &args);
        let error = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(output.status.code(), Some(1), "{error}");
        assert!(output.stdout.is_empty());
        assert!(error.contains("milestones.6-months.drivers.users"), "{error}");
        assert!(error.contains("must be finite and not negative"), "{error}");
        assert!(error.contains("draw ") && error.contains(" of the Monte Carlo"), "{error}");
        error
    };
    // Word for word: the draw's value is named as drawn, not as a key of
    // the layer that defined it.
    assert_eq!(draw_named(&[]), draw_named(&["--exact"]));
}

#[test]
fn csv_holds_what_json_holds() {
    let sim = simulate(&["leadgen-insurance", "--draws", "500"]);
    let text = ok(&["simulate", "leadgen-insurance", "--draws", "500", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let count = |section: &str| rows.iter().filter(|r| &r[1] == section).count();
    // 4 milestones x (4 tiers x 2 quantities + total); 13 months x 4 tiers x 2;
    // 13 months x (any + 4 tiers).
    assert_eq!((count("milestone"), count("month"), count("breach")), (36, 104, 65));
    let find = |section: &str, month: &str, tier: &str, quantity: &str| {
        rows.iter()
            .find(|r| &r[1] == section && &r[3] == month && &r[4] == tier && &r[5] == quantity)
            .unwrap_or_else(|| panic!("no {section} {month} {tier} {quantity}"))
            .clone()
    };
    let api12 = find("milestone", "12", "api", "units");
    let units = &sim["milestones"][3]["tiers"][0]["units"];
    assert_eq!(api12[8].parse::<f64>().unwrap(), units["p99"].as_f64().unwrap());
    let interval = &sim["milestones"][3]["tiers"][0]["units_interval"]["p99"];
    assert_eq!(api12[14].parse::<f64>().unwrap(), interval["low"].as_f64().unwrap());
    let any3 = find("breach", "3", "any", "broken");
    let wilson = &sim["breach"][3]["probability_interval"];
    // (`json` rounds to 6 significant digits; the CSV keeps every digit.)
    let low: f64 = any3[16].parse().unwrap();
    assert!((low - wilson["low"].as_f64().unwrap()).abs() < 1e-6, "{low} {wilson}");
    let postgres7 = find("breach", "7", "postgres", "broken");
    let p = sim["breach"][7]["by_tier"]["postgres"].as_f64().unwrap();
    assert_eq!(postgres7[9].parse::<f64>().unwrap(), p);
    let high: f64 = postgres7[17].parse().unwrap();
    let wilson = &sim["breach"][7]["by_tier_interval"]["postgres"];
    assert!((high - wilson["high"].as_f64().unwrap()).abs() < 1e-6, "{high} {wilson}");
    let cost9 = find("month", "9", "postgres", "monthly_cost");
    let band = &sim["monthly"][9]["tiers"][2]["monthly_cost"];
    assert_eq!(cost9[7].parse::<f64>().unwrap(), band["p90"].as_f64().unwrap());
}

/// Φ, the standard normal distribution function, by Abramowitz & Stegun's
/// 7.1.26 approximation of erf (error below 1.5e-7).
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    0.5 * (1.0 + erf.copysign(x))
}

#[test]
fn the_published_plans_coverage_is_the_share_worked_out_by_hand() {
    let sim =
        json(&ok(&["simulate", "leadgen-insurance", "--draws", "200000", "--format", "json"]));
    let cells = sim["published"].as_array().unwrap();
    let cell = |milestone: &str, tier: &str| {
        cells
            .iter()
            .find(|c| c["milestone"] == milestone && c["tier"] == tier)
            .unwrap_or_else(|| panic!("{milestone} {tier} in {sim}"))["covers"]
            .as_f64()
            .unwrap()
    };
    // §4's 50 API replicas at 12 months hold the draws with users at most
    // 50 x 0.8 x capacity = 40 C, users ~ LogNormal(ln 10,000, 0.25) and C ~
    // Normal(250, 20) apart: E[Φ(ln(40 C / 10,000) / 0.25)] over C, by
    // Simpson's rule over eight standard deviations either side. (The
    // latency target binds only where C passes 305, three in a thousand
    // draws, and then near 41 replicas: well inside the tolerance.)
    let (mean, sd, steps) = (250.0, 20.0, 2000);
    let (low, high) = (mean - 8.0 * sd, mean + 8.0 * sd);
    let h = (high - low) / f64::from(steps);
    let f = |c: f64| {
        let density =
            (-0.5 * ((c - mean) / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
        normal_cdf((40.0 * c / 10_000.0).ln() / 0.25) * density
    };
    let by_hand = (0..=steps)
        .map(|i| {
            let weight = if i == 0 || i == steps {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            weight * f(low + f64::from(i) * h)
        })
        .sum::<f64>()
        * h
        / 3.0;
    let covers = cell("12 Months", "api");
    // 200,000 draws: a standard error of 0.0011; the tolerance is 4.5 of them.
    assert!((covers - by_hand).abs() < 0.005, "covers {covers}, by hand {by_hand}");
    // Every cell agrees with the quantiles of the same draws: a bound at or
    // past the P99 covers at least 99%, one below the P50 under half.
    for cell in cells {
        let milestone = sim["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == cell["milestone"])
            .unwrap();
        let (bound, q) = match cell["column"].as_str().unwrap() {
            "units" => {
                let tier = milestone["tiers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["tier"] == cell["tier"])
                    .unwrap();
                (cell["published"].as_str().unwrap().parse::<f64>().unwrap(), &tier["units"])
            }
            "monthly_cost" => {
                let text = cell["published"].as_str().unwrap().replace(['$', ','], "");
                (text.parse::<f64>().unwrap(), &milestone["monthly_cost"])
            }
            _ => continue,
        };
        let covers = cell["covers"].as_f64().unwrap();
        if bound >= q["p99"].as_f64().unwrap() {
            assert!(covers >= 0.99, "{cell}");
        }
        if bound < q["p50"].as_f64().unwrap() {
            assert!(covers < 0.5, "{cell}");
        }
    }
}

/// A cell that is a lower bound, an open range ("10+", "1TB+") or a sharded
/// tier's instance, covers at least the draws its lower end holds: said as
/// "or more", unless that is every draw.
#[test]
fn an_open_or_sharded_published_cell_covers_at_least_its_lower_end() {
    let cell = |sim: &serde_json::Value, milestone: &str, tier: &str| {
        let cells = sim["published"].as_array().unwrap();
        let found = cells.iter().find(|c| c["milestone"] == milestone && c["tier"] == tier);
        found.unwrap_or_else(|| panic!("{milestone} {tier}")).clone()
    };
    // Lead-gen's 12-month "Sharded / r6i.8xl": one 8xlarge (6,400
    // connections, 5,120 usable) holds every draw, whose P99 needs one
    // 4xlarge (2,560 usable).
    let sim = simulate(&["leadgen-insurance", "--draws", "20000"]);
    let sharded = cell(&sim, "12 Months", "postgres");
    assert_eq!(
        (sharded["covers"].as_f64(), sharded["at_least"].as_bool()),
        (Some(1.0), Some(false))
    );
    // Hostel's large deployment (1,000 users, not drawn): its backend needs
    // 7 replicas in every draw, within "10+"; its storage 1,114 GB, past the
    // lower end of "1TB+" in every draw: none for sure, perhaps more.
    let sim = simulate(&["hostel-complaints", "--draws", "2000"]);
    let backend = cell(&sim, "Large deployment", "backend");
    assert_eq!(
        (backend["covers"].as_f64(), backend["at_least"].as_bool()),
        (Some(1.0), Some(false))
    );
    let storage = cell(&sim, "Large deployment", "storage");
    assert_eq!(
        (storage["covers"].as_f64(), storage["at_least"].as_bool()),
        (Some(0.0), Some(true))
    );
    let table = ok(&["simulate", "hostel-complaints", "--draws", "2000"]);
    let row = table.lines().find(|l| l.contains("1TB+")).unwrap();
    assert!(row.contains("0.0% or more"), "{row}");
}

#[test]
fn a_ladder_tiers_deployment_is_named_at_each_quantile() {
    // The same draws as the numpy peer's (BENCHMARKS.md): Postgres at 12
    // months climbs to r6i.2xlarge at the median and r6i.4xlarge at P90.
    let sim = simulate(&["leadgen-insurance", "--draws", "20000"]);
    let postgres_at = |m: usize| &sim["milestones"][m]["tiers"][2];
    let deployment = &postgres_at(3)["deployment"];
    assert_eq!(
        [&deployment["p50"], &deployment["p90"], &deployment["p99"]],
        ["1 x db.r6i.2xlarge", "1 x db.r6i.4xlarge", "1 x db.r6i.4xlarge"]
    );
    // Each deployment is what its cost says: units x the instance's price x
    // 730 hours, the cost's own quantile (cost grows with units, then size).
    let prices = [
        ("db.r6i.xlarge", 0.5),
        ("db.r6i.2xlarge", 1.0),
        ("db.r6i.4xlarge", 2.0),
        ("db.r6i.8xlarge", 4.0),
    ];
    let months = sim["monthly"].as_array().unwrap();
    let postgres_in = |month: usize| &months[month]["tiers"][2];
    let tiers = (0..4).map(postgres_at).chain((0..months.len()).map(postgres_in));
    for tier in tiers {
        for q in ["p50", "p90", "p99"] {
            let text = tier["deployment"][q].as_str().unwrap();
            let (units, name) = text.split_once(" x ").unwrap();
            let price = prices.iter().find(|(n, _)| *n == name).unwrap().1;
            let cost = units.parse::<f64>().unwrap() * price * 730.0;
            assert!((cost - tier["monthly_cost"][q].as_f64().unwrap()).abs() < 0.01, "{tier}");
        }
    }
    // Each month too, the same draws as the milestone that month is:
    // month 12's deployments are the 12-month milestone's.
    assert_eq!(postgres_in(12)["deployment"], postgres_at(3)["deployment"]);
    assert_eq!(postgres_in(6)["deployment"]["p99"], "1 x db.r6i.2xlarge");
    // How sure 20,000 draws are of them: the median's interval lies wholly
    // on r6i.2xlarge, and the P90's starts on r6i.4xlarge.
    let interval = &postgres_at(3)["deployment_interval"];
    assert_eq!(interval["p50"]["low"], "1 x db.r6i.2xlarge", "{interval}");
    assert_eq!(interval["p50"]["high"], "1 x db.r6i.2xlarge", "{interval}");
    assert_eq!(interval["p90"]["low"], "1 x db.r6i.4xlarge", "{interval}");
    // A tier of one size has none.
    assert!(sim["milestones"][3]["tiers"][0].get("deployment_interval").is_none());
    assert!(sim["milestones"][3]["tiers"][0].get("deployment").is_none());
    assert!(months[12]["tiers"][0].get("deployment").is_none());
}

/// `headroom sensitivity`: each input alone at its P10 and P90, the others
/// at their medians, worked by hand for lead-gen at 12 months. Users
/// LogNormal(10,000, 0.25): P10 7,258.67 and P90 13,776.62 (10,000
/// e^{∓0.25 x 1.2815516}) need 37 and 69 API replicas at 200 usable users
/// each, and Postgres steps from 2xlarge to 4xlarge (20 connections a
/// replica, 6 data replicas: 860 to 1,500 connections, against 1,280
/// usable on a 2xlarge): a swing of 32 x $70.08 + $730 =
/// $2,972.56. API capacity Normal(250, 20): P10 224.37 and P90 275.63 need
/// 56 and 46 replicas of the median 10,000 users.
#[test]
fn sensitivity_ranks_each_input_by_what_it_moves() {
    let s = json(&ok(&["sensitivity", "leadgen-insurance", "--format", "json"]));
    let inputs = s["inputs"].as_array().unwrap();
    let keys: Vec<&str> = inputs.iter().map(|i| i["input"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "milestones.12-months.drivers.users",
            "tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users",
            "demand.peak_factor",
            "milestones.12-months.drivers.leads_per_day"
        ]
    );
    let users = &inputs[0];
    assert!((users["low_value"].as_f64().unwrap() - 7_258.67).abs() < 0.01, "{users}");
    assert!((users["high_value"].as_f64().unwrap() - 13_776.62).abs() < 0.01, "{users}");
    assert_eq!(users["milestone"], "12 Months");
    let api_at =
        |side: &str, input: &serde_json::Value| input[side][3]["tiers"][0]["units"].clone();
    assert_eq!((api_at("low", users), api_at("high", users)), (37.into(), 69.into()));
    assert_eq!(users["high"][3]["tiers"][2]["instance"], "db.r6i.4xlarge");
    assert!((users["cost_swing"].as_f64().unwrap() - 2_972.56).abs() < 0.01, "{users}");
    let capacity = &inputs[1];
    assert_eq!((api_at("low", capacity), api_at("high", capacity)), (56.into(), 46.into()));
    assert!(capacity["cost_swing"].as_f64().unwrap() < 0.0, "more capacity costs less");
    // The medians' plan is the shipped plan's at 12 months (the lognormals'
    // medians are the document's figures; the capacity's mean is 250).
    assert_eq!(s["base"][3]["tiers"][0]["units"], 50);
    // Hostel's inputs each move their own milestone.
    let table = ok(&["sensitivity", "hostel-complaints"]);
    let medium = table.lines().find(|l| l.contains("milestones.medium.drivers.users")).unwrap();
    assert!(medium.contains("Medium deployment") && medium.contains("backend 2 → 4"), "{medium}");
    // Over a shorter horizon, only the milestones within it.
    let short =
        json(&ok(&["sensitivity", "leadgen-insurance", "--months", "3", "--format", "json"]));
    assert_eq!(short["base"].as_array().unwrap().len(), 2, "{short}");
    // Quantiles out of order: refused, naming them.
    let error = fails(headroom().args([
        "sensitivity",
        "leadgen-insurance",
        "--low",
        "0.9",
        "--high",
        "0.1",
    ]));
    assert!(error.contains("0 < low < high < 1, got low 0.9 and high 0.1"), "{error}");
}

/// Commitments over the draws. With every input held to a hair of the
/// plan's figure (and the API's capacity moved off a boundary where a hair
/// would split the draws), the Monte Carlo's tallies give the plan's own
/// commitments, unit for unit and dollar for dollar. With the shipped
/// spreads, 3 months' API sits on the boundary of 10 and 11 replicas
/// (2,000 users at exactly 200 a replica): half the draws need an 11th
/// there, so the 11th is needed 8.5 months of 12 on average, past the 70%
/// that 30% off asks, and it is committed, where the plan commits 10.
#[test]
fn commitments_over_the_draws_follow_the_plan_where_the_draws_do() {
    let narrow = "\
[tiers.api.instances.replica-2vcpu-4gb.capacity]
concurrent_users = 251
[uncertainty.inputs.\"milestones.12-months.drivers.users\"]
sigma = 1e-9
[uncertainty.inputs.\"milestones.12-months.drivers.leads_per_day\"]
sigma = 1e-9
[uncertainty.inputs.\"demand.peak_factor\"]
min = 2.999999
max = 3.000001
[uncertainty.inputs.\"tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users\"]
mean = 251
sd = 1e-9
";
    let run = |command: &str, extra: &[&str]| {
        let mut args = vec![command, "leadgen-insurance", "--format", "json"];
        args.extend_from_slice(extra);
        let output = with_layer(narrow, &args);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        json(&String::from_utf8(output.stdout).unwrap())
    };
    let plan = run("plan", &[]);
    let sim = run("simulate", &["--draws", "500"]);
    let (planned, drawn) = (&plan["commitment"]["tiers"], &sim["commitment"]["tiers"]);
    assert_eq!(planned.as_array().unwrap().len(), drawn.as_array().unwrap().len(), "{drawn}");
    for (p, d) in planned.as_array().unwrap().iter().zip(drawn.as_array().unwrap()) {
        assert_eq!(
            (&p["tier"], &p["instance_key"], &p["units"]),
            (&d["tier"], &d["instance_key"], &d["units"])
        );
        for field in ["on_demand_cost", "cost", "next_unit_use"] {
            let (a, b) = (p[field].as_f64().unwrap(), d[field].as_f64().unwrap());
            assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{field}: {p} against {d}");
        }
    }
    assert_eq!(plan["commitment"]["tiers"][0]["units"], 10);
    // Every trigger read on today's deployment fires in every draw at the
    // month the plan has it fire (API CPU and Search Latency month 1,
    // Queue Backlog month 4), and in none before.
    let odds = sim["triggers"].as_array().unwrap();
    let names: Vec<&str> = odds.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["API CPU", "Queue Backlog", "Search Latency"]);
    for odds in odds {
        let planned = plan["triggers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == odds["name"])
            .unwrap();
        let month = planned["fires_month"].as_u64().unwrap();
        assert_eq!(
            (&odds["planned_month"], &odds["half"], &odds["nine_in_ten"]),
            (&planned["fires_month"], &planned["fires_month"], &planned["fires_month"])
        );
        for (m, share) in odds["fired_by"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                share.as_f64().unwrap(),
                if m as u64 >= month { 1.0 } else { 0.0 },
                "{odds}"
            );
        }
    }
    assert_eq!(odds[1]["planned_month"], 4);
    // And each is judged against the headroom as the plan judges it: API
    // CPU and Search Latency the month the API breaks, the queue backlog a
    // month after the data replica does, in every draw.
    let judged = |t: &serde_json::Value| {
        [&t["ahead"], &t["same_month"], &t["too_late"]].map(|v| v.as_f64().unwrap())
    };
    assert_eq!(
        odds.iter().map(judged).collect::<Vec<_>>(),
        [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    );
    // So are their charts' bars, month by month.
    let out = tempfile::tempdir().unwrap();
    let (planned, drawn) = (out.path().join("p.svg"), out.path().join("d.svg"));
    run("plan", &["--commitment-chart", planned.to_str().unwrap()]);
    run("simulate", &["--draws", "500", "--commitment-chart", drawn.to_str().unwrap()]);
    let bars = |path: &std::path::Path| -> Vec<String> {
        let svg = fs::read_to_string(path).unwrap();
        svg.split("<title>")
            .skip(1)
            .map(|t| t.split("</title>").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(bars(&planned).len(), 12);
    assert_eq!(bars(&planned), bars(&drawn));
    let error = fails(headroom().args([
        "simulate",
        "hostel-complaints",
        "--draws",
        "100",
        "--commitment-chart",
        drawn.to_str().unwrap(),
    ]));
    assert!(error.contains("`hostel-complaints` prices no commitment"), "{error}");

    let shipped = simulate(&["leadgen-insurance", "--draws", "4000"]);
    let api = &shipped["commitment"]["tiers"][0];
    assert_eq!((&api["tier"], &api["units"]), (&serde_json::json!("api"), &serde_json::json!(11)));
    let used = api["last_unit_use"].as_f64().unwrap();
    assert!(used > 0.7 && (used - 8.5 / 12.0).abs() < 0.01, "{api}");
    // A drawn price: the costs would move draw by draw, and the run says so.
    let priced = "[uncertainty.inputs.\"tiers.redis.instances.r6g-xlarge-x6.hourly_price\"]\ndistribution = \"uniform\"\nmin = 2.0\nmax = 3.0\n";
    let output = with_layer(
        priced,
        &["simulate", "leadgen-insurance", "--draws", "200", "--format", "json"],
    );
    let sim = json(&String::from_utf8(output.stdout).unwrap());
    assert!(
        sim["commitment"]["note"].as_str().unwrap().starts_with("a price is drawn"),
        "{}",
        sim["commitment"]
    );
}
