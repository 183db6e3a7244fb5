//! The plugin a new user starts from: `cargo xtask new-plugin` writes
//! `tests/fixtures/template` (xtask's own test holds the two equal), the
//! workspace builds it, and here it plans, explains and simulates, its
//! optional blocks taken in as a user would uncomment them.

use std::fs;

use crate::support::{bare, fixture_alone, json, root};

/// `headroom` with the template plugin alone and no config directory of
/// ours: what the plugin embeds is all it has.
fn template(args: &[&str], layer: Option<&str>) -> String {
    let plugins = fixture_alone("headroom_profile_template_probe");
    let config = tempfile::tempdir().unwrap();
    let mut command = bare();
    command.arg("--plugin-dir").arg(plugins.path()).arg("--config-dir").arg(config.path());
    command.args(args);
    if let Some(layer) = layer {
        let file = config.path().join("layer.toml");
        fs::write(&file, layer).unwrap();
        command.arg("--config").arg(file);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// The template's optional blocks, uncommented: every `# ` line below
/// "Optional" that reads as TOML (a table header or `key = value`).
fn optional_blocks() -> String {
    let config = root().join("tests/fixtures/template/config/template-probe.toml");
    let text = fs::read_to_string(config).unwrap();
    let optional = &text[text.find("# Optional").expect("the template has optional blocks")..];
    optional
        .lines()
        .filter_map(|line| line.strip_prefix("# "))
        .filter(|line| {
            line.starts_with('[')
                || line
                    .split_once(" = ")
                    .is_some_and(|(key, _)| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn the_new_plugin_template_plans_as_its_numbers_say() {
    // 1,000 users x 0.5 requests a second = 500 req/s over 100 x 0.8 = 80
    // usable a replica: 7 replicas; today 100 users need 1, the minimum 2.
    let plan = json(&template(&["plan", "template-probe", "--format", "json"], None));
    let units: Vec<u64> = plan["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["tiers"][0]["units"].as_u64().unwrap())
        .collect();
    assert_eq!(units, [2, 7]);
    assert_eq!(plan["milestones"][0]["tiers"][0]["latency_targets"], serde_json::json!([]));
    insta::assert_snapshot!("template_plan", template(&["plan", "template-probe"], None));
}

#[test]
fn the_new_plugin_templates_optional_blocks_work_uncommented() {
    let layer = optional_blocks();
    assert!(layer.contains("[tiers.app.latency_targets.p95]") && layer.contains("[uncertainty"));
    assert!(layer.contains("[[triggers]]"), "{layer}");
    // The observe block names the template's own driver, tier and load:
    // the configuration takes it (an unknown name would be refused).
    assert!(layer.contains("[observe.loads.app]"), "{layer}");
    let config = template(&["config", "template-probe"], Some(&layer));
    assert!(config.contains("observe.loads.app.requests_per_second"), "{config}");
    // The latency target: 500 req/s of 20 ms on 2 workers a replica is 10
    // Erlangs, 5 replicas' worth; the headroom's 7 meet the p95 of 0.3 s.
    let explain = template(&["explain", "template-probe", "app"], Some(&layer));
    assert!(explain.contains("latency target p95 of requests < 300 ms"), "{explain}");
    assert!(explain.contains("sized by headroom"), "{explain}");
    // The latency trigger on that queue: the p99 at plan is 0.0923 s today
    // (50 req/s on 4 workers) and 0.0932 s in 12 months (500 on 14); today's
    // 2 replicas fall behind in month 4 (400 users: 200 req/s of 20 ms, 4
    // Erlangs on 4 workers), their p99 0.144 s in month 3; their headroom
    // broke in month 3 (325 users: 162.5 req/s against 2 x 100 x 0.8).
    assert!(explain.contains("Response time (latency, \"p99 > 500 ms\"): read on the M/M/c queue of `app`'s latency target `p95` (0.02 s a request, 2 workers a unit), the plan keeps its p99 at or under 0.5 s at every milestone (at most 0.093 s). Today's deployment crosses it at month 4, a month after it breaks its headroom (month 3): too late to warn."), "{explain}");
    // The drawn users: a Monte Carlo, compiled and in full alike.
    let simulate = |extra: &[&str]| {
        let mut args = vec!["simulate", "template-probe", "--format", "json", "--draws", "500"];
        args.extend_from_slice(extra);
        template(&args, Some(&layer))
    };
    let (compiled, exact) = (simulate(&[]), simulate(&["--exact"]));
    assert_eq!(compiled, exact);
    let sim = json(&compiled);
    let last = &sim["milestones"][1]["tiers"][0]["units"];
    assert!(last["p50"].as_f64() < last["p99"].as_f64(), "the drawn users move the units: {sim}");
}
