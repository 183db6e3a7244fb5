//! `headroom diff`: a change's effect on a plan, checked against the two
//! plans it compares and against the documents' own rules.

use crate::support::{fails, headroom, json, ok};

/// Both plans of lead-gen, without and with `set`, as JSON.
fn plans(set: &str) -> (serde_json::Value, serde_json::Value) {
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "leadgen-insurance", "--format", "json"];
        args.extend_from_slice(extra);
        json(&ok(&args))
    };
    (plan(&[]), plan(&["--set", set]))
}

#[test]
fn diff_shows_what_a_change_moves_and_nothing_else() {
    let set = "milestones.12-months.drivers.users=20000";
    let diff = json(&ok(&["diff", "leadgen-insurance", "--set", set, "--format", "json"]));
    assert_eq!(diff["change"], serde_json::json!([format!("--set {set}")]));
    // Every figure is the one the two plans give, side by side.
    let (before, after) = plans(set);
    let milestones = diff["milestones"].as_array().unwrap();
    assert_eq!(milestones.len(), before["milestones"].as_array().unwrap().len());
    for (m, (b, a)) in milestones.iter().zip(
        before["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .zip(after["milestones"].as_array().unwrap()),
    ) {
        assert_eq!(m["monthly_cost"]["before"], b["monthly_cost"]);
        assert_eq!(m["monthly_cost"]["after"], a["monthly_cost"]);
        for ((t, tb), ta) in m["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["tiers"].as_array().unwrap())
            .zip(a["tiers"].as_array().unwrap())
        {
            for field in ["units", "instance", "utilisation", "monthly_cost"] {
                assert_eq!(t[field]["before"], tb[field], "{} {}", m["key"], t["tier"]);
                assert_eq!(t[field]["after"], ta[field], "{} {}", m["key"], t["tier"]);
            }
        }
    }
    // Twice the users at 12 months is twice the API: 20,000 / (250 x 0.8)
    // = 100 replicas against 50, at $0.096 x 730 h each: $3,504 more.
    let year = &milestones[3];
    assert_eq!(year["drivers"]["users"], serde_json::json!({"before": 10000.0, "after": 20000.0}));
    let api = &year["tiers"][0];
    assert_eq!(
        (api["units"]["before"].as_u64(), api["units"]["after"].as_u64()),
        (Some(50), Some(100))
    );
    let added = api["monthly_cost"]["after"].as_f64().unwrap()
        - api["monthly_cost"]["before"].as_f64().unwrap();
    assert!((added - 50.0 * 0.096 * 730.0).abs() < 1e-6, "{added}");
    // The earlier milestones do not read the 12-month users: unchanged,
    // and the table says so.
    let table = ok(&["diff", "leadgen-insurance", "--set", set]);
    assert_eq!(table.matches("(no change)").count(), 3, "{table}");
    assert!(table.contains("users 10000 → 20000") && table.contains("50 → 100"), "{table}");
    // A --config file is a change as a --set is, named by its path; Markdown
    // gives the same rows as the table.
    let dir = tempfile::tempdir().unwrap();
    let layer = dir.path().join("growth.toml");
    std::fs::write(&layer, "[milestones.12-months.drivers]\nusers = 20000\n").unwrap();
    let path = layer.to_str().unwrap();
    let md = ok(&["diff", "leadgen-insurance", "--config", path, "--format", "md"]);
    assert!(
        md.starts_with(&format!("# leadgen-insurance: what `--config {path}` changes")),
        "{md}"
    );
    assert!(md.contains("| 12 Months | users 10000 → 20000 | api | 50 → 100 |"), "{md}");
    assert_eq!(md.matches("(no change)").count(), 3, "{md}");
    // More headroom: Postgres outgrows today's xlarge a month sooner. The
    // whole table pinned.
    let headroom = ok(&["diff", "leadgen-insurance", "--set", "headroom=0.3"]);
    insta::assert_snapshot!("diff_leadgen_headroom_0_3", headroom);
    assert!(headroom.contains("postgres month 7 → month 6"), "{headroom}");
    assert!(headroom.contains("api month 1 (as before)"), "{headroom}");
}

/// A second data replica today moves when the triggers on it fire: the
/// queue backlog, which today's one replica lets run away at month 4 (625
/// leads a minute against 500), holds until month 6, when 2 replicas serve
/// 1,000 a minute against 1,041.67 arriving; the figures are the two plans'
/// own, and over the same draws each side's simulation's.
#[test]
fn diff_shows_when_the_triggers_on_todays_deployment_fire() {
    let set = "tiers.data.current_units=2";
    let diff = json(&ok(&["diff", "leadgen-insurance", "--set", set, "--format", "json"]));
    let (before, after) = plans(set);
    let fires = |plan: &serde_json::Value, name: &str| {
        plan["triggers"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()
            ["fires_month"]
            .clone()
    };
    let triggers = diff["triggers"].as_array().unwrap();
    let names: Vec<&str> = triggers.iter().map(|t| t["name"].as_str().unwrap()).collect();
    // The IOPS trigger is watched, not read: it is not among them.
    assert_eq!(names, ["API CPU", "Queue Backlog", "Search Latency"]);
    for t in triggers {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["fires"]["before"], fires(&before, name), "{name}");
        assert_eq!(t["fires"]["after"], fires(&after, name), "{name}");
    }
    assert_eq!(
        (&triggers[1]["fires"]["before"], &triggers[1]["fires"]["after"]),
        (&serde_json::json!(4), &serde_json::json!(6))
    );
    let table = ok(&["diff", "leadgen-insurance", "--set", set]);
    assert!(table.contains("triggers on today's deployment fire: API CPU month 1 (as before); Queue Backlog month 4 → month 6;"), "{table}");
    // Over the same draws: each side's half and nine in ten, as each
    // simulation has them.
    let drawn = json(&ok(&[
        "diff",
        "leadgen-insurance",
        "--set",
        set,
        "--draws",
        "2000",
        "--format",
        "json",
    ]));
    let simulate = |extra: &[&str]| {
        let mut args = vec!["simulate", "leadgen-insurance", "--draws", "2000", "--format", "json"];
        args.extend_from_slice(extra);
        json(&ok(&args))
    };
    let (sim_before, sim_after) = (simulate(&[]), simulate(&["--set", set]));
    for t in drawn["uncertainty"]["triggers"].as_array().unwrap() {
        let odds = |sim: &serde_json::Value| {
            let s = sim["triggers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == t["name"])
                .unwrap()
                .clone();
            (s["half"].clone(), s["nine_in_ten"].clone())
        };
        assert_eq!(
            (t["half"]["before"].clone(), t["nine_in_ten"]["before"].clone()),
            odds(&sim_before),
            "{t}"
        );
        assert_eq!(
            (t["half"]["after"].clone(), t["nine_in_ten"]["after"].clone()),
            odds(&sim_after),
            "{t}"
        );
    }
    let queue = &drawn["uncertainty"]["triggers"][1];
    assert_eq!(queue["half"]["before"], 4);
    assert!(queue["half"]["after"].as_u64().unwrap() > 4, "{queue}");
}

/// A change of the discount alone moves the commitments and nothing
/// planned: at 40% off a replica pays committed when needed more than 60%
/// of the year, so the API's 15th (8 months of 12) is committed too; the
/// figures are the two plans' own.
#[test]
fn diff_shows_the_commitments_a_change_moves() {
    let set = "commitment.discount=0.4";
    let diff = json(&ok(&["diff", "leadgen-insurance", "--set", set, "--format", "json"]));
    let (before, after) = plans(set);
    let c = &diff["commitment"];
    let api = &c["tiers"][0];
    assert_eq!(
        (&api["tier"], &api["units"]["before"], &api["units"]["after"]),
        (&serde_json::json!("api"), &serde_json::json!(10), &serde_json::json!(15))
    );
    assert_eq!(c["cost"]["before"], before["commitment"]["cost"]);
    assert_eq!(c["cost"]["after"], after["commitment"]["cost"]);
    let text = ok(&["diff", "leadgen-insurance", "--set", set]);
    assert!(text.contains("commitments over the 12-month term: api 10 → 15; data 2 (as before); postgres 8 (as before); redis 1 (as before); the term's cost $38,280 → $34,525"), "{text}");
    // Every milestone as before: the table says so, row by row.
    assert!(text.lines().filter(|l| l.contains("(no change)")).count() == 4, "{text}");
    // A change that moves the plan moves the commitments with it.
    let text = ok(&["diff", "leadgen-insurance", "--set", "headroom=0.3"]);
    assert!(
        text.contains("api 10 → 12;") && text.contains("the term's cost $38,280 → $42,055"),
        "{text}"
    );
}

#[test]
fn diff_all_compares_every_profile() {
    let all = json(&ok(&["diff", "--all", "--set", "headroom=0.25", "--format", "json"]));
    let ids: Vec<&str> =
        all.as_array().unwrap().iter().map(|d| d["profile"].as_str().unwrap()).collect();
    assert_eq!(ids, crate::support::profile_ids());
    for (d, id) in all.as_array().unwrap().iter().zip(&ids) {
        assert_eq!(d, &json(&ok(&["diff", id, "--set", "headroom=0.25", "--format", "json"])));
    }
}

#[test]
fn diff_says_when_nothing_moves_and_refuses_no_change() {
    // The shipped headroom, set again: the same plan.
    let same = ok(&["diff", "leadgen-insurance", "--set", "headroom=0.2"]);
    assert!(same.contains("Nothing in the plan moves"), "{same}");
    let error = fails(headroom().args(["diff", "leadgen-insurance"]));
    assert!(error.contains("--set") && error.contains("--config"), "{error}");
    let error = fails(headroom().args(["diff", "leadgen-insurance", "--set", "headroon=0.3"]));
    assert!(error.contains("headroon"), "{error}");
    let error = fails(headroom().args(["diff", "no-such-profile", "--set", "headroom=0.3"]));
    assert!(error.contains("no-such-profile"), "{error}");
}

/// `diff --draws`: the Monte Carlo both ways over the same draws; each
/// milestone's cost bands are the ones `simulate` gives each configuration.
#[test]
fn diff_with_draws_compares_the_cost_bands_over_the_same_draws() {
    let simulate = |extra: &[&str]| {
        let mut args = vec!["simulate", "leadgen-insurance", "--draws", "2000", "--format", "json"];
        args.extend_from_slice(extra);
        json(&ok(&args))
    };
    let diff = json(&ok(&[
        "diff",
        "leadgen-insurance",
        "--set",
        "headroom=0.3",
        "--draws",
        "2000",
        "--format",
        "json",
    ]));
    let bands = &diff["uncertainty"];
    assert_eq!((bands["draws"].as_u64(), bands["seed"].as_u64()), (Some(2000), Some(42)));
    let (before, after) = (simulate(&[]), simulate(&["--set", "headroom=0.3"]));
    for (i, m) in bands["milestones"].as_array().unwrap().iter().enumerate() {
        assert_eq!(m["milestone"], before["milestones"][i]["name"]);
        assert_eq!(m["before"], before["milestones"][i]["monthly_cost"], "{m}");
        assert_eq!(m["after"], after["milestones"][i]["monthly_cost"], "{m}");
    }
    // The commitments over the draws, each side the simulation's own.
    let c = &bands["commitment"];
    for (side, sim) in [("before", &before), ("after", &after)] {
        assert_eq!(c["cost"][side], sim["commitment"]["cost"], "{side}");
        assert_eq!(c["tiers"][0]["units"][side], sim["commitment"]["tiers"][0]["units"], "{side}");
    }
    // A change to an uncertain input alone moves no plan, only the bands:
    // a peak factor that can reach 8 raises the 6-month P90.
    let wider = ok(&[
        "diff",
        "leadgen-insurance",
        "--set",
        "uncertainty.inputs.\"demand.peak_factor\".max=8",
        "--draws",
        "20000",
    ]);
    assert!(wider.contains("Nothing in the plan moves"), "{wider}");
    let six = wider.lines().find(|l| l.contains("6 Months")).unwrap();
    assert!(six.contains('+'), "the 6-month P90 rises: {six}");
    // `auto`: as many draws as settle the run without the change, the
    // same number with it; the bands are each configuration's at that count.
    let auto = json(&ok(&[
        "diff",
        "leadgen-insurance",
        "--set",
        "headroom=0.3",
        "--draws",
        "auto",
        "--format",
        "json",
    ]));
    let settled =
        json(&ok(&["simulate", "leadgen-insurance", "--draws", "auto", "--format", "json"]));
    let count = settled["draws"].as_u64().unwrap();
    assert_eq!(auto["uncertainty"]["draws"].as_u64(), Some(count), "{auto}");
    let after = json(&ok(&[
        "simulate",
        "leadgen-insurance",
        "--draws",
        &count.to_string(),
        "--set",
        "headroom=0.3",
        "--format",
        "json",
    ]));
    let twelve = &auto["uncertainty"]["milestones"][3];
    assert_eq!(twelve["before"], settled["milestones"][3]["monthly_cost"], "{twelve}");
    assert_eq!(twelve["after"], after["milestones"][3]["monthly_cost"], "{twelve}");
    // Without --draws there is no Monte Carlo in the answer.
    let plain =
        json(&ok(&["diff", "leadgen-insurance", "--set", "headroom=0.3", "--format", "json"]));
    assert!(plain.get("uncertainty").is_none());
}

#[test]
fn a_change_is_drawn_as_the_cost_it_adds_and_the_runways_it_moves() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("diff.svg");
    let chart_arg = chart.to_str().unwrap();
    ok(&["diff", "leadgen-insurance", "--set", "headroom=0.3", "--chart", chart_arg]);
    let svg = std::fs::read_to_string(&chart).unwrap();
    // 30% headroom: $1,291 more a month at month 12, and Postgres outgrows
    // today's database at month 6, not 7 (the table's own figures).
    assert!(svg.contains("+$1,291 a month at month 12"), "{svg}");
    assert!(svg.contains("postgres month 7 → 6"), "{svg}");
    assert!(!svg.contains("api month"), "api's runway did not move: {svg}");
    assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
    let error =
        fails(headroom().args(["diff", "--all", "--set", "headroom=0.3", "--chart", chart_arg]));
    assert!(error.contains("name the profile instead of --all"), "{error}");
}
