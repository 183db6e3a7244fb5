//! `headroom calc` and `headroom calibrate`: each model against independent
//! figures, real load-test files, and every bad input the issue names.

use std::fs;

use crate::support::{bare, fails, headroom, json, ok, ok_with_config_dir, plugin_dir, root};

/// A fixture's path relative to the workspace root, where the tests run
/// `headroom`, so outputs that name the file hold no machine path.
fn fixture(name: &str) -> String {
    assert!(root().join("tests/fixtures/loadtests").join(name).is_file(), "{name}");
    format!("tests/fixtures/loadtests/{name}")
}

fn calc(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["calc"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&ok(&all)).unwrap()
}

fn near(value: &serde_json::Value, expected: f64, tolerance: f64) -> bool {
    (value.as_f64().unwrap() - expected).abs() <= tolerance
}

#[test]
fn erlang_c_matches_the_exact_rational_oracle() {
    // tests/oracles/erlang_c.py: 360 calls per half hour, 240 s calls, 55 agents.
    let q = calc(&[
        "erlang-c",
        "--arrival-rate",
        "0.2",
        "--service-time",
        "240",
        "--servers",
        "55",
        "--wait-threshold",
        "15",
    ]);
    assert!(near(&q["utilisation"], 48.0 / 55.0, 1e-12));
    assert!(near(&q["p_wait"], 0.2387, 5e-5), "{q}");
    assert!(near(&q["mean_wait"], 8.1840, 5e-5), "{q}");
    assert!(near(&q["service_level"], 0.8459, 5e-5), "{q}");
}

#[test]
fn erlang_c_reports_the_depth_of_the_queue() {
    // tests/oracles/erlang_c.py, the birth-death chain summed in exact
    // arithmetic: 5 agents, one call a minute of 3 minutes: 0.354 wait on
    // average; more than 5 wait 1.1% of the time, more than 6 0.66%: the
    // p99 is 6.
    let q = calc(&[
        "erlang-c",
        "--arrival-rate",
        "0.0166666666666667",
        "--service-time",
        "180",
        "--servers",
        "5",
    ]);
    assert!(near(&q["mean_queue_length"], 0.354227, 5e-6), "{q}");
    assert_eq!(q["queue_length_p99"], 6, "{q}");
    assert!(q["queue_over_threshold"].is_null(), "not asked: {q}");
    // More than 4 waiting: 1.84% of the time (the oracle's 0.0183631).
    let q = calc(&[
        "erlang-c",
        "--arrival-rate",
        "0.0166666666666667",
        "--service-time",
        "180",
        "--servers",
        "5",
        "--queue-threshold",
        "4",
    ]);
    assert!(near(&q["queue_over_threshold"], 0.0183631, 5e-7), "{q}");
    let error = fails(headroom().args([
        "calc",
        "erlang-c",
        "--arrival-rate",
        "1",
        "--service-time",
        "1",
        "--servers",
        "5",
        "--queue-threshold",
        "-1",
    ]));
    assert!(
        error.contains("--queue-threshold must be a finite count of at least 0, got -1"),
        "{error}"
    );
}

#[test]
fn ggc_takes_the_variability_of_requests_into_account() {
    // `calc ggc` of `rate` arrivals a second and `seconds` a request, then `extra`.
    let ggc = |rate: &str, seconds: &str, extra: &[&str]| {
        let mut args = vec!["ggc", "--arrival-rate", rate, "--service-time", seconds];
        args.extend_from_slice(extra);
        calc(&args)
    };
    // One server, Poisson arrivals, constant service (M/D/1) at 80%: the
    // Pollaczek-Khinchine mean wait, rho S / (2 (1 - rho)) = 2 s, half of M/M/1's 4 s.
    let md1 = ggc("0.8", "1", &["--service-cv", "0", "--servers", "1"]);
    assert!(near(&md1["mean_wait"], 2.0, 1e-9), "{md1}");
    assert!(near(&md1["mm_c_mean_response"], 5.0, 1e-9), "{md1}");
    // Both coefficients 1: the M/M/c queue, as erlang-c answers it.
    let mmc =
        calc(&["erlang-c", "--arrival-rate", "100", "--service-time", "0.2", "--servers", "25"]);
    let same = ggc("100", "0.2", &["--service-cv", "1", "--servers", "25"]);
    assert!(near(&same["mean_response"], mmc["mean_response"].as_f64().unwrap(), 1e-12), "{same}");
    // A long tail (Cs = 2) waits 2.5 times as long; the fewest servers for
    // a mean response of 0.25 s are then 24, and 23 fall short.
    let found = ggc("100", "0.2", &["--service-cv", "2", "--target-mean-response", "0.25"]);
    assert_eq!(found["servers"], 24, "{found}");
    assert!(found["mean_response"].as_f64().unwrap() <= 0.25, "{found}");
    let fewer = ggc("100", "0.2", &["--service-cv", "2", "--servers", "23"]);
    assert!(fewer["mean_response"].as_f64().unwrap() > 0.25, "{fewer}");
    let refused = |extra: &[&str]| {
        let mut command = headroom();
        command.args(["calc", "ggc", "--arrival-rate", "0.8", "--service-time", "1"]).args(extra);
        fails(&mut command)
    };
    let error = refused(&["--service-cv", "1", "--target-mean-response", "0.5"]);
    assert!(error.contains("above the mean service time, 1 s, got 0.5"), "{error}");
    let error = refused(&["--service-cv", "-2", "--servers", "2"]);
    assert!(
        error.contains("service coefficient of variation must be finite and not negative"),
        "{error}"
    );
}

#[test]
fn erlang_b_reads_the_loss_table_both_ways() {
    // A pool of connections that refuses rather than queues: 50 requests/s
    // holding one for 100 ms offer 5 Erlangs. The Erlang B table's 1%
    // column (10 servers carry 4.461 Erlangs, 11 carry 5.160): 11 needed.
    let found = calc(&[
        "erlang-b",
        "--arrival-rate",
        "50",
        "--service-time",
        "0.1",
        "--target-blocking",
        "0.01",
    ]);
    assert_eq!(found["servers"], 11, "{found}");
    assert!(near(&found["blocking"], 0.008287, 5e-6), "{found}");
    assert!(near(&found["lost_rate"], 50.0 * 0.008287, 5e-4), "{found}");
    // Ten of them turn away 1.84%: the count just short of the target.
    let ten =
        calc(&["erlang-b", "--arrival-rate", "50", "--service-time", "0.1", "--servers", "10"]);
    assert!(near(&ten["blocking"], 0.018385, 5e-6), "{ten}");
    assert!(near(&ten["carried_load"], 5.0 * (1.0 - 0.018385), 5e-5), "{ten}");
    assert!(near(&ten["utilisation"], 5.0 * (1.0 - 0.018385) / 10.0, 5e-6), "{ten}");
    // A range: a row a count, each the single count's answer, blocking falling.
    let rows =
        calc(&["erlang-b", "--arrival-rate", "50", "--service-time", "0.1", "--servers", "8..12"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[2], ten);
    assert!(rows.windows(2).all(|w| w[1]["blocking"].as_f64() < w[0]["blocking"].as_f64()));
    for (args, says) in [
        (
            vec!["--servers", "10", "--target-blocking", "0.01"],
            "exactly one of --servers and --target-blocking",
        ),
        (
            vec!["--target-blocking", "1.5"],
            "--target-blocking must lie strictly between 0 and 1, got 1.5",
        ),
    ] {
        let error = fails(
            headroom()
                .args(["calc", "erlang-b", "--arrival-rate", "50", "--service-time", "0.1"])
                .args(args),
        );
        assert!(error.contains(says), "{error}");
    }
    let error = fails(headroom().args([
        "calc",
        "erlang-b",
        "--arrival-rate",
        "-1",
        "--service-time",
        "0.1",
        "--servers",
        "3",
    ]));
    assert!(error.contains("--arrival-rate must be finite and not negative, got -1"), "{error}");
}

#[test]
fn erlang_c_finds_the_fewest_servers_for_a_target() {
    let q = calc(&[
        "erlang-c",
        "--arrival-rate",
        "0.2",
        "--service-time",
        "240",
        "--target-service-level",
        "0.85",
        "--wait-threshold",
        "20",
    ]);
    assert_eq!(q["servers"], 55);
    // p95 of the response time at most 0.62 s for 100 req/s of 0.2 s work
    // (service alone has a p95 of 0.2 ln 20 = 0.599 s, so waits must be rare).
    let q = calc(&[
        "erlang-c",
        "--arrival-rate",
        "100",
        "--service-time",
        "0.2",
        "--target-p95",
        "0.62",
    ]);
    let servers = q["servers"].as_u64().unwrap();
    assert!(servers > 21, "more than the 21 that are merely stable: {q}");
    assert!(q["response_p95"].as_f64().unwrap() <= 0.62);
    let fewer = calc(&[
        "erlang-c",
        "--arrival-rate",
        "100",
        "--service-time",
        "0.2",
        "--servers",
        &(servers - 1).to_string(),
    ]);
    assert!(
        fewer["response_p95"].as_f64().unwrap() > 0.62,
        "one server fewer still meets it: {fewer}"
    );
}

#[test]
fn erlang_c_refuses_unstable_and_unreachable_questions() {
    let error = fails(headroom().args([
        "calc",
        "erlang-c",
        "--arrival-rate",
        "10",
        "--service-time",
        "1",
        "--servers",
        "10",
    ]));
    assert!(error.contains("unstable") && error.contains("11 servers make it stable"), "{error}");
    // An offered load no u32 of servers can take: said so, not "4294967295
    // servers make it stable"; and a huge or tiny number in a message is
    // printed short (it used to run to three hundred digits).
    let calc_fails = |args: &str| fails(headroom().arg("calc").args(args.split(' ')));
    let error = calc_fails("erlang-c --arrival-rate 1e300 --service-time 1 --servers 2");
    assert!(
        error.contains("unstable: 1e300 Erlangs offered to 2 servers is a utilisation of at least 100%; no server count makes it stable"),
        "{error}"
    );
    let error = calc_fails("erlang-c --arrival-rate 100 --service-time 0.2 --target-p95 1e-300");
    assert!(error.contains("is 0.599146 s, above the 1e-300 s target"), "{error}");
    let error = fails(headroom().args([
        "calc",
        "erlang-c",
        "--arrival-rate",
        "1",
        "--service-time",
        "1",
        "--target-p95",
        "0.5",
    ]));
    assert!(error.contains("cannot be met"), "{error}");
    let error = fails(headroom().args([
        "calc",
        "erlang-c",
        "--arrival-rate=-1",
        "--service-time",
        "1",
        "--servers",
        "2",
    ]));
    assert!(error.contains("arrival rate"), "{error}");
    let error =
        fails(headroom().args(["calc", "erlang-c", "--arrival-rate", "1", "--service-time", "1"]));
    assert!(error.contains("exactly one of --servers"), "{error}");
}

/// A question put wrongly is answered by the flag it broke, whatever its
/// sign (a negative number is a value, not an unknown flag), and never as a
/// target that "cannot be met".
#[test]
fn a_question_put_wrongly_names_its_flag() {
    for (args, expected) in [
        ("erlang-c --arrival-rate 10 --service-time 0.1 --target-p95 -1", "--target-p95 must be a finite time of at least 0 s, got -1"),
        ("erlang-c --arrival-rate 10 --service-time 0.1 --servers 3 --wait-threshold -1", "--wait-threshold must be a finite time of at least 0 s, got -1"),
        ("erlang-c --arrival-rate 10 --service-time 0.1 --servers 3 --wait-threshold NaN", "--wait-threshold must be a finite time of at least 0 s, got NaN"),
        ("erlang-c --arrival-rate 10 --service-time 0.1 --target-service-level 1 --wait-threshold 0", "--target-service-level must lie strictly between 0 and 1, got 1"),
        ("erlang-c --arrival-rate -5 --service-time 0.1 --servers 3", "arrival rate must be finite and not negative"),
        ("erlang-c --arrival-rate 10 --service-time 0.1 --servers 1", "unstable: 1 Erlang offered to 1 server is a utilisation of at least 100%; 2 servers make it stable"),
        ("erlang-c --arrival-rate 10 --service-time 0 --servers 3", "calc erlang-c: service time must be finite and above zero, got 0"),
        ("littles-law --throughput 200", "calc littles-law: Little's law needs exactly two of"),
        ("littles-law --concurrency 5 --response-time 0", "calc littles-law: response time must be finite and above zero, got 0"),
        ("headroom --load -5 --capacity 10", "calc headroom: load must be finite and not negative, got -5"),
        ("headroom --load 5 --capacity 0", "calc headroom: capacity must be finite and above zero, got 0"),
        ("headroom --load 5 --capacity 10 --headroom -0.1", "headroom must lie in [0, 1), got -0.1"),
    ] {
        let error = fails(headroom().arg("calc").args(args.split(' ')));
        assert!(error.contains(expected), "{args}: {error}");
        assert!(!error.contains("cannot be met") && !error.contains("dimension #"), "{args}: {error}");
    }
}

#[test]
fn usl_reproduces_the_published_specsdm91_fit() {
    // R usl package, tests/summary.Rout.save: σ 2.773e-02, κ 1.044e-04, λ 90.00, R² 0.9896.
    let fit = calc(&["usl", &fixture("specsdm91.csv")]);
    for (key, published) in [("sigma", 2.773e-2), ("kappa", 1.044e-4), ("lambda", 90.0)] {
        let value = fit[key].as_f64().unwrap();
        assert!(((value - published) / published).abs() < 0.01, "{key} {value} vs {published}");
    }
    assert!(near(&fit["r_squared"], 0.9896, 5e-5));
    let interval = fit["lambda_interval"].as_array().unwrap();
    assert!(interval[0].as_f64().unwrap() < 90.0 && interval[1].as_f64().unwrap() > 90.0);
}

#[test]
fn usl_reads_every_known_format() {
    let locust = calc(&["usl", &fixture("locust_stats_history.csv")]);
    assert_eq!(locust["points"], 6);
    assert!(locust["r_squared"].as_f64().unwrap() > 0.9, "{locust}");
    insta::assert_json_snapshot!("usl_locust", json(&locust.to_string()));
    // Real JMeter (record-jmeter.sh): thread groups of 1, 2, 4 and 8 threads;
    // the few samples taken while a group's threads stop are not levels.
    let jmeter = calc(&["usl", &fixture("jmeter.jtl")]);
    assert_eq!(jmeter["points"], 4);
    assert!(jmeter["r_squared"].as_f64().unwrap() > 0.95, "{jmeter}");
    // Real k6 runs (record-k6.sh): one summary export a VU level.
    let k6 = calc(&[
        "usl",
        &fixture("k6-summary-1.json"),
        &fixture("k6-summary-4.json"),
        &fixture("k6-summary-16.json"),
    ]);
    assert_eq!(k6["points"], 3);
    assert!(k6["sources"][0].as_str().unwrap().ends_with("(k6 summary JSON, 1 level)"), "{k6}");
    // The k6 JSON-lines stream steps 1, 2 and 4 VUs; one VU with 50 ms of
    // think time and ~12 ms of service makes about 16 requests a second.
    let stream = calc(&["usl", &fixture("k6-stream.json")]);
    assert_eq!(stream["points"], 3);
    let lambda = stream["lambda"].as_f64().unwrap();
    assert!(lambda > 12.0 && lambda < 20.0, "{stream}");
}

fn usl_error(contents: &str, name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    fs::write(&file, contents).unwrap();
    let error = fails(headroom().args(["calc", "usl", file.to_str().unwrap()]));
    assert!(error.contains(name), "the error names the file: {error}");
    error
}

#[test]
fn usl_refuses_bad_load_tests() {
    assert!(usl_error("", "empty.csv").contains("empty"));
    let error = usl_error("concurrency,throughput\n1,10\n2,19\n4", "truncated.csv");
    assert!(error.contains("line 4") && error.contains("truncated"), "{error}");
    let error = usl_error("when,what\n1,2\n", "other.csv");
    assert!(error.contains("unknown load-test format") && error.contains("Locust"), "{error}");
    let error = usl_error("concurrency,throughput\n1,10\n2,19\n2,20\n", "two-levels.csv");
    assert!(error.contains("at least 3 distinct concurrency levels; got 2"), "{error}");
    // A plain CSV's bad level is named by its line.
    let error = usl_error("concurrency,throughput\n1,10\n2,-19\n4,30\n", "negative.csv");
    assert!(
        error.contains("line 3: concurrency 2 and throughput -19")
            && error.contains("not negative"),
        "{error}"
    );
    let error = usl_error("concurrency,throughput\n1,10\n2,NaN\n4,30\n", "nan.csv");
    assert!(error.contains("line 3") && error.contains("finite"), "{error}");
    // Saved with `;` (a locale whose decimal mark is a comma): said so, not
    // "unknown format".
    let error = usl_error("concurrency;throughput\n1;10\n2;19\n4;35\n", "semicolons.csv");
    assert!(error.contains("separated by `;`") && error.contains("comma-separated"), "{error}");
    let error = usl_error("{\"metrics\": {\"vus\": {\"max\": 10}, \"http_r", "cut.json");
    assert!(error.contains("truncated"), "{error}");
}

#[test]
fn littles_law_and_headroom() {
    let l = calc(&["littles-law", "--throughput", "200", "--response-time", "0.25"]);
    assert_eq!(l["concurrency"], 50.0);
    let h = calc(&["headroom", "--load", "5000", "--capacity", "250", "--headroom", "0.2"]);
    assert_eq!(h["units"], 25);
    let error = fails(headroom().args([
        "calc",
        "headroom",
        "--load",
        "1",
        "--capacity",
        "1",
        "--headroom",
        "1",
    ]));
    assert!(error.contains("headroom must lie in [0, 1)"), "{error}");
}

#[test]
fn utilisation_law_answers_the_third_of_three() {
    // Lazowska et al. (1984), §3.2: 40 requests/s of 0.0225 s: 90% busy.
    let u = calc(&["utilisation-law", "--throughput", "40", "--service-time", "0.0225"]);
    assert!(near(&u["utilisation"], 0.9, 1e-12), "{u}");
    // 8 workers at 70% on 0.2 s requests complete 0.7 x 8 / 0.2 = 28 a second.
    let x = calc(&[
        "utilisation-law",
        "--utilisation",
        "0.7",
        "--service-time",
        "0.2",
        "--servers",
        "8",
    ]);
    assert!(near(&x["throughput"], 28.0, 1e-9), "{x}");
    // More work than one disk can do: how many can.
    let error = fails(headroom().args([
        "calc",
        "utilisation-law",
        "--throughput",
        "50",
        "--service-time",
        "0.0225",
    ]));
    assert!(error.contains("unstable") && error.contains("2 servers make it stable"), "{error}");
    let error = fails(headroom().args(["calc", "utilisation-law", "--throughput", "50"]));
    assert!(error.contains("exactly two"), "{error}");
    let error = fails(headroom().args([
        "calc",
        "utilisation-law",
        "--utilisation",
        "1.5",
        "--throughput",
        "5",
    ]));
    assert!(error.contains("utilisation") && error.contains("at most 1"), "{error}");
}

#[test]
fn calibrate_writes_a_layer_the_planner_uses() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    fs::create_dir(&config).unwrap();
    for file in ["default.toml", "leadgen-insurance.toml"] {
        fs::copy(root().join("config").join(file), config.join(file)).unwrap();
    }
    let with_config = |args: &[&str]| ok_with_config_dir(&config, args);
    let plan_before = json(&with_config(&["plan", "leadgen-insurance", "--format", "json"]));
    let locust = fixture("locust_stats_history.csv");
    let summary =
        with_config(&["calibrate", "leadgen-insurance", "api", &locust, "--as", "concurrency"]);
    assert!(summary.contains("concurrent_users"), "{summary}");
    let layer = fs::read_to_string(config.join("leadgen-insurance.calibrated.toml")).unwrap();
    assert!(layer.contains("locust_stats_history.csv"), "records its source: {layer}");
    let plan = json(&with_config(&["plan", "leadgen-insurance", "--format", "json"]));
    let capacity =
        plan["milestones"][0]["tiers"][0]["dimensions"][0]["capacity_per_unit"].as_f64().unwrap();
    let recorded = plan["calibrations"]["api"]["value"].as_f64().unwrap();
    assert_eq!(capacity, recorded, "the plan uses the calibrated capacity");
    assert_ne!(
        plan["milestones"][0]["tiers"][0]["units"],
        plan_before["milestones"][0]["tiers"][0]["units"]
    );
    // `headroom simulate` draws the calibrated capacity around the new
    // value, with the shipped spread (sd 20 on a mean of 250) kept relative
    // to it, not around the old 250 while every plan uses the new figure.
    let key = "tiers.api.instances.replica-2vcpu-4gb.capacity.concurrent_users";
    assert!(summary.contains(&format!("`headroom simulate` draws `{key}` as")), "{summary}");
    let args: Vec<&str> =
        "simulate leadgen-insurance --draws 300 --format json".split(' ').collect();
    let sim = json(&with_config(&args));
    let drawn = &sim["inputs"][key];
    assert_eq!(drawn["distribution"], "normal", "{drawn}");
    let (mean, sd) = (drawn["mean"].as_f64().unwrap(), drawn["sd"].as_f64().unwrap());
    assert!((mean - recorded).abs() < 1e-6 * recorded, "{mean} vs {recorded}");
    assert!((sd - recorded * 20.0 / 250.0).abs() < 1e-6 * recorded, "{sd}");
    // A load test that never saturated: the calibration's own error (not a
    // `calc` question's), and the layer as it was.
    let linear = dir.path().join("linear.csv");
    fs::write(&linear, "concurrency,throughput\n1,100\n2,200\n4,400\n8,800\n").unwrap();
    let mut command = crate::support::bare();
    command.arg("--plugin-dir").arg(crate::support::plugin_dir());
    command.arg("--config-dir").arg(&config).args(["calibrate", "leadgen-insurance", "api"]);
    let error = fails(command.arg(&linear));
    assert!(
        error.starts_with("headroom: profile `leadgen-insurance`: calibrating tier `api`: ")
            && error.contains("the test never saturated"),
        "{error}"
    );
    assert_eq!(
        fs::read_to_string(config.join("leadgen-insurance.calibrated.toml")).unwrap(),
        layer
    );
    let mut calibration = plan["calibrations"]["api"].clone();
    calibration["file"] = serde_json::Value::String("locust_stats_history.csv".into());
    insta::assert_json_snapshot!(
        "calibrated_api",
        serde_json::json!({
            "calibration": calibration,
            "api_units_by_milestone": plan["milestones"].as_array().unwrap().iter().map(|m| m["tiers"][0]["units"].clone()).collect::<Vec<_>>(),
        })
    );
}

#[test]
fn calibrate_across_units_replaces_linear_scaling() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    fs::create_dir(&config).unwrap();
    fs::copy(root().join("config/leadgen-insurance.toml"), config.join("leadgen-insurance.toml"))
        .unwrap();
    let run = |args: &[&str]| ok_with_config_dir(&config, args);
    let replicas = fixture("api-replicas.csv");
    // A chart it cannot write: an error naming it, and no layer written.
    let mut command = bare();
    command.arg("--plugin-dir").arg(plugin_dir()).arg("--config-dir").arg(&config);
    let args = ["calibrate", "leadgen-insurance", "api", &replicas, "--as", "units"];
    let error = fails(command.args(args).args(["--chart", "no/such/dir/fit.svg"]));
    assert!(error.contains("no/such/dir/fit.svg"), "{error}");
    assert!(!config.join("leadgen-insurance.calibrated.toml").exists());
    let chart = dir.path().join("replicas.svg");
    let summary = run(&[&args[..], &["--chart", chart.to_str().unwrap()]].concat());
    assert!(summary.contains("scalability across units"), "{summary}");
    // The fit drawn: six replica counts measured, and the legend's dot.
    let svg = fs::read_to_string(&chart).unwrap();
    assert_eq!(svg.matches("<circle").count(), 7, "{svg}");
    let layer = fs::read_to_string(config.join("leadgen-insurance.calibrated.toml")).unwrap();
    assert!(layer.contains("[tiers.api.scalability]"), "{layer}");
    let plan = json(&run(&["plan", "leadgen-insurance", "--format", "json"]));
    let api = &plan["milestones"][3]["tiers"][0];
    let usl = &api["scalability"];
    // σ ≈ 0.03 and κ ≈ 0.0005 put N* near 44 replicas: 10,000 users need 50
    // replicas' worth, which no replica count reaches: the plan says so.
    assert!((usl["sigma"].as_f64().unwrap() - 0.03).abs() < 0.01, "{usl}");
    assert_eq!(usl["beyond_peak"], true, "{usl}");
    assert!(usl["note"].as_str().unwrap().contains("stops paying past N*"), "{usl}");
    // At 3 months (2,000 users, 10 replicas' worth) it is reachable, with more
    // replicas than the linear rule's 10.
    let three = &plan["milestones"][1]["tiers"][0];
    assert_eq!(three["scalability"]["beyond_peak"], false);
    assert!(three["units"].as_u64().unwrap() > 10, "{three}");
    // Its note quotes σ and κ as calibrate printed them, not to 17 digits.
    let note = three["scalability"]["note"].as_str().unwrap();
    let sigma = format!("σ = {:.5},", usl["sigma"].as_f64().unwrap());
    assert!(note.contains(&sigma) && note.contains("units' worth"), "{note}");
    // Today's 4 replicas are also counted at their USL capacity, as the
    // runway counts them: month 0 has 500 users on 250 each, so utilisation
    // is 500 / (250 x 4 / (1 + 3σ + 12κ)), not the linear 500 / 1000.
    let (sigma, kappa) = (usl["sigma"].as_f64().unwrap(), usl["kappa"].as_f64().unwrap());
    let expected = 500.0 / (250.0 * 4.0 / (1.0 + 3.0 * sigma + 12.0 * kappa));
    let today = plan["monthly"][0]["tiers"][0]["current_utilisation"].as_f64().unwrap();
    // (the JSON is rounded to 6 decimals for snapshots)
    assert!((today - expected).abs() < 1e-5, "{today} vs {expected}");
    let explain = run(&["explain", "leadgen-insurance", "api"]);
    assert!(explain.contains("scalability (USL across units"), "{explain}");
}

#[test]
fn erlang_c_matches_the_published_call_centre_example() {
    // R package ErlangC 0.1.0 README and pyworkforce 0.1.0 (PyPI): 100 calls
    // per 30 minutes, 180 s handling, 14 agents: wait probability 0.1741319,
    // service level within 20 s 0.88835, average speed of answer 7.8359 s;
    // 14 agents are the fewest for 80% within 20 s.
    let q = calc(&[
        "erlang-c",
        "--arrival-rate",
        &(100.0 / 1800.0).to_string(),
        "--service-time",
        "180",
        "--servers",
        "14",
        "--wait-threshold",
        "20",
    ]);
    assert!(near(&q["p_wait"], 0.1741319, 5e-8), "{q}");
    assert!(near(&q["service_level"], 0.88835, 5e-6), "{q}");
    assert!(near(&q["mean_wait"], 7.8359, 5e-5), "{q}");
    let fewest = calc(&[
        "erlang-c",
        "--arrival-rate",
        &(100.0 / 1800.0).to_string(),
        "--service-time",
        "180",
        "--target-service-level",
        "0.8",
        "--wait-threshold",
        "20",
    ]);
    assert_eq!(fewest["servers"], 14);
}

/// The p50 and p99 targets, besides the p95: the fewest servers whose
/// median or 99th percentile of the response time is within the bound.
/// 100 req/s of 0.2 s on M/M/c (Erlang B by its recursion, then the
/// sojourn tail e^{-μt} + C μ / (θ - μ) (e^{-μt} - e^{-θt}) solved by
/// bisection): 21 servers give a p99 of 1.274 s and a median of 0.2858 s,
/// 22 servers 1.0105 s and 0.19997 s.
#[test]
fn erlang_c_finds_the_fewest_servers_for_a_median_or_a_p99() {
    let p99 = calc(&[
        "erlang-c",
        "--arrival-rate",
        "100",
        "--service-time",
        "0.2",
        "--target-p99",
        "1.2",
    ]);
    assert_eq!(p99["servers"], 22);
    assert_eq!(p99["target"], "p99 response time <= 1.2 s");
    assert!(near(&p99["response_p99"], 1.0105, 5e-5), "{p99}");
    let p50 = calc(&[
        "erlang-c",
        "--arrival-rate",
        "100",
        "--service-time",
        "0.2",
        "--target-p50",
        "0.2",
    ]);
    assert_eq!(p50["servers"], 22);
    assert!(near(&p50["response_p50"], 0.19997, 5e-6), "{p50}");
    let error = fails(
        headroom().args(
            "calc erlang-c --arrival-rate 100 --service-time 0.2 --target-p50 0.2 --target-p99 1"
                .split(' '),
        ),
    );
    assert!(error.contains("give exactly one of --servers, --target-p50, --target-p95"), "{error}");
}

/// `calc` in Markdown and CSV as well as a table and JSON: CSV is a header
/// and one row at full precision (an interval's ends in two columns), the
/// same numbers as the JSON.
#[test]
fn calc_answers_in_markdown_and_csv() {
    let args = ["calc", "usl", "tests/fixtures/loadtests/specsdm91.csv"];
    let fit = calc(&args[1..]);
    let text = ok(&[&args[..], &["--format", "csv"]].concat());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{text}");
    let cell = |name: &str| -> f64 {
        let at = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}: {text}"));
        rows[0][at].parse().unwrap()
    };
    // The same numbers (to the last place or so: serde_json's own float
    // parsing may land one unit off the nearest double).
    let same = |csv: f64, json: &serde_json::Value| near(json, csv, csv.abs() * 1e-15);
    assert!(same(cell("sigma"), &fit["sigma"]), "{text}");
    assert!(same(cell("kappa_interval_high"), &fit["kappa_interval"][1]), "{text}");
    assert!(same(cell("peak_throughput"), &fit["peak_throughput"]), "{text}");
    let args = "calc erlang-c --arrival-rate 100 --service-time 0.2 --servers 24 --format md";
    let md = ok(&args.split(' ').collect::<Vec<_>>());
    assert!(
        md.starts_with("| field | value |\n|---|---:|\n| model | M/M/c (Erlang C) |\n"),
        "{md}"
    );
    assert!(md.contains("| servers | 24 |\n") && md.contains("| wait_threshold | - |\n"), "{md}");
}

/// `calc usl --chart` draws the fit: every measurement a dot where the axes
/// put it, the fitted curve, and the peak N* where the curve turns; the
/// printed answer is the same as without it.
#[test]
fn calc_usl_draws_its_fit_as_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("fit.svg");
    let file = fixture("specsdm91.csv");
    let plain = ok(&["calc", "usl", &file]);
    let with_chart = ok(&["calc", "usl", &file, "--chart", chart.to_str().unwrap()]);
    assert_eq!(plain, with_chart);
    let svg = fs::read_to_string(&chart).unwrap();
    // 7 measurements and the legend's dot; N* = sqrt((1 - σ) / κ) = 96.5
    // with X(N*) = 1883.9, as the fit reports them.
    assert_eq!(svg.matches("<circle").count(), 8, "{svg}");
    assert!(svg.contains(">N* = 96.5, X(N*) = 1883.9</text>"), "{svg}");
    // The first measurement, (1, 64.9), on axes to 300 (x, 510 wide from
    // 60) and 2000 (y, 270 high above 310): (61.7, 301.2).
    let first = fs::read_to_string(root().join("tests/fixtures/loadtests/specsdm91.csv")).unwrap();
    let (n, x) = first.lines().nth(1).unwrap().split_once(',').unwrap();
    let (n, x): (f64, f64) = (n.parse().unwrap(), x.parse().unwrap());
    let at =
        format!("cx=\"{:.1}\" cy=\"{:.1}\"", 60.0 + n / 300.0 * 510.0, 310.0 - x / 2000.0 * 270.0);
    assert!(svg.contains(&at), "{at} in {svg}");
    // A chart that cannot be written is an error naming it, after the fit.
    let error = fails(headroom().args(["calc", "usl", &file, "--chart", "no/such/dir/fit.svg"]));
    assert!(error.contains("no/such/dir/fit.svg"), "{error}");
}

/// `calc usl --predict` answers "what throughput at N?" with the interval a
/// planner can trust, in every format, and draws it on the chart.
#[test]
fn calc_usl_predicts_throughput_with_an_interval() {
    let file = fixture("specsdm91.csv");
    let fit = calc(&["usl", &file, "--predict", "24,300"]);
    // crates/headroom-kernel/tests/reference/usl_predict.py (scipy, delta
    // method): X(24) = 1273.99, 95% interval 1101.30 .. 1446.69.
    assert!(near(&fit["throughput_at_24"], 1273.99, 0.01), "{fit}");
    let interval = fit["throughput_at_24_interval"].as_array().unwrap();
    assert!(near(&interval[0], 1101.30, 0.01) && near(&interval[1], 1446.69, 0.01), "{fit}");
    // Efficiency X(N) / (N λ): 1273.99 / (24 x 89.995) = 0.5898.
    assert!(near(&fit["efficiency_at_24"], 0.5898, 5e-5), "{fit}");
    // Past the peak the curve falls and its interval widens.
    let far = fit["throughput_at_300_interval"].as_array().unwrap();
    let width = |i: &Vec<serde_json::Value>| i[1].as_f64().unwrap() - i[0].as_f64().unwrap();
    assert!(fit["throughput_at_300"].as_f64().unwrap() < 1500.0 && width(far) > width(interval));
    // CSV: the interval's ends in their own columns, like the fit's.
    let csv = ok(&["calc", "usl", &file, "--predict", "24", "--format", "csv"]);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",throughput_at_24,throughput_at_24_interval_low,throughput_at_24_interval_high,efficiency_at_24"), "{header}");
    // The chart: a band about the curve, a hollow dot a prediction.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("fit.svg");
    ok(&["calc", "usl", &file, "--predict", "24,300", "--chart", chart.to_str().unwrap()]);
    let svg = fs::read_to_string(&chart).unwrap();
    assert_eq!(svg.matches("<polygon").count(), 1, "{svg}");
    assert_eq!(svg.matches("fill=\"white\" stroke=").count(), 3, "two and the legend's: {svg}");
    // A concurrency that is not one is refused by name, with nothing printed.
    for bad in ["0", "-3", "NaN", "inf"] {
        let error = fails(headroom().args(["calc", "usl", &file, "--predict", bad]));
        assert!(error.contains("--predict") && error.contains("above zero"), "{bad}: {error}");
    }
    // The other way round: the least concurrency reaching 1500/s is 33.69
    // (X(33.7) = 1500.1 by hand), and the fit predicts 1500 there.
    let reach = calc(&["usl", &file, "--reach", "1500"]);
    let n = reach["concurrency_for_1500"].as_f64().unwrap();
    assert!((n - 33.69).abs() < 0.01, "{reach}");
    let back = calc(&["usl", &file, "--predict", &n.to_string()]);
    assert!(near(&back[format!("throughput_at_{n}").as_str()], 1500.0, 1e-6), "{back}");
    // The peak itself, as the fit prints it, is reached at N* (the
    // quadratic's roots meet there; rounding must not lose it).
    let peak = fit["peak_throughput"].as_f64().unwrap();
    let at_peak = calc(&["usl", &file, "--reach", &peak.to_string()]);
    let n = at_peak[format!("concurrency_for_{peak}").as_str()].as_f64().unwrap();
    assert!((n - fit["peak_concurrency"].as_f64().unwrap()).abs() < 0.1, "{at_peak}");
    // Past the peak no concurrency will do: said, with the peak.
    let error = fails(headroom().args(["calc", "usl", &file, "--reach", "1900"]));
    assert!(
        error.contains("--reach 1900") && error.contains("peaks at X = 1883.9 at N* = 96.5"),
        "{error}"
    );
    // So far out that the curve's arithmetic overflows: said, not printed as null.
    let error = fails(headroom().args(["calc", "usl", &file, "--predict", "1e308"]));
    assert!(error.contains("--predict 1e308") && error.contains("overflows"), "{error}");
}

/// `calc erlang-c --servers A..B`: the table an Erlang C calculator prints,
/// each row the answer `--servers N` gives alone; counts that cannot keep up
/// are left out and named; a malformed list is refused by its flag.
#[test]
fn erlang_c_answers_a_range_of_server_counts_as_a_table() {
    // The published example above: 100 calls per 30 minutes of 180 s, 10 Erlangs.
    let rate = (100.0 / 1800.0).to_string();
    let args = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> =
            ["calc", "erlang-c", "--arrival-rate", &rate, "--service-time", "180"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let json = |extra: &[&str]| -> serde_json::Value {
        let all = args(&[extra, &["--format", "json"]].concat());
        serde_json::from_str(&ok(&all.iter().map(String::as_str).collect::<Vec<_>>())).unwrap()
    };
    let servers = |rows: &serde_json::Value| -> Vec<u64> {
        rows.as_array().unwrap().iter().map(|r| r["servers"].as_u64().unwrap()).collect()
    };
    // 9 and 10 servers cannot keep up with 10 Erlangs: left out, and said.
    let rows = json(&["--servers", "9..15", "--wait-threshold", "20"]);
    assert_eq!(servers(&rows), [11, 12, 13, 14, 15]);
    let output = headroom().args(args(&["--servers", "9..15"])).output().unwrap();
    let note = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && note.contains("9 to 10 servers cannot keep up"), "{note}");
    // Each row is what that count alone answers; 14 has the published figures.
    for row in rows.as_array().unwrap() {
        let n = row["servers"].to_string();
        assert_eq!(row, &json(&["--servers", &n, "--wait-threshold", "20"]), "{n}");
    }
    assert!(near(&rows[3]["service_level"], 0.88835, 5e-6));
    // Lists and ranges mix, sorted and each once.
    assert_eq!(servers(&json(&["--servers", "14,12..13,14"])), [12, 13, 14]);
    // The table shows what the rows share once, then a row a count; CSV a
    // header and a row a count.
    let table = ok(&args(&["--servers", "11..12"]).iter().map(String::as_str).collect::<Vec<_>>());
    let field = |text: &str, name: &str, value: &str| {
        text.lines().any(|l| l.starts_with(name) && l[name.len()..].trim() == value)
    };
    assert!(field(&table, "offered_load ", "10"), "{table}");
    assert_eq!(table.lines().filter(|l| l.starts_with("│ ")).count(), 3, "{table}");
    // One count left standing reads as a single answer, not a table.
    let one = ok(&args(&["--servers", "10..11"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(field(&one, "servers ", "11") && !one.contains('│'), "{one}");
    let csv = args(&["--servers", "11..12", "--format", "csv"]);
    assert_eq!(ok(&csv.iter().map(String::as_str).collect::<Vec<_>>()).lines().count(), 3);
    // The chart: p50, p95 and p99 a line each, a point a count; the
    // printed table the same as without it. With a single count there is
    // nothing to draw, which is said.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("erlang.svg");
    let chart_flag = format!("--chart={}", chart.display());
    let drawn = args(&["--servers", "11..15", &chart_flag]);
    assert_eq!(
        ok(&drawn.iter().map(String::as_str).collect::<Vec<_>>()),
        ok(&args(&["--servers", "11..15"]).iter().map(String::as_str).collect::<Vec<_>>())
    );
    let svg = fs::read_to_string(&chart).unwrap();
    assert_eq!(svg.matches("<polyline").count(), 3, "{svg}");
    for line in svg.lines().filter(|l| l.starts_with("<polyline")) {
        assert_eq!(line.matches(',').count(), 5, "a point a count: {line}");
    }
    assert!(svg.contains("(10 Erlangs)") && svg.contains(">response p99</text>"), "{svg}");
    let error = fails(headroom().args(args(&["--servers", "14", &chart_flag])));
    assert!(error.contains("--chart") && error.contains("range"), "{error}");
    // Every count too few is the unstable queue's error.
    let error = fails(headroom().args(args(&["--servers", "5..10"])));
    assert!(error.contains("unstable") && error.contains("11 servers"), "{error}");
    for (bad, says) in [
        ("12..x", "`x` is not a count"),
        ("15..12", "runs backwards"),
        ("1..20000", "at most 10000"),
        ("-3", "`-3` is not a count"),
    ] {
        let error = fails(headroom().args(args(&[&format!("--servers={bad}")])));
        assert!(error.contains("--servers") && error.contains(says), "{bad}: {error}");
    }
}

#[test]
fn growth_fits_the_rate_a_growth_table_implies() {
    // §4 of the lead-gen document as a history: ln v = 6.214608, 7.600902,
    // 8.517193, 9.210340 at months 0, 3, 6, 12. By hand: x̄ = 5.25,
    // Sxx = 78.75, ȳ = 7.885761, Sxy = -5.25(6.214608) - 2.25(7.600902)
    // + 0.75(8.517193) + 6.75(9.210340) = 18.828969, b = 0.239098, so
    // r = e^b - 1 = 27.01% a month; it doubles in ln 2 / b = 2.899 months,
    // so 20,000 users come 2.899 months after the table's 10,000. The line
    // at month 12 is e^(ȳ + 6.75 b) = 13,355; SSR = 0.525144 against
    // Syy = 5.027169, R² = 0.8955; s_b = sqrt(0.525144 / 2 / 78.75) =
    // 0.057743 and t(0.975, 2) = 4.302653: r in [-0.93%, 62.83%].
    let g = calc(&["growth", "tests/fixtures/growth/leadgen-users.csv", "--reach", "20000,5000"]);
    assert_eq!(g["series"], "users");
    assert_eq!(g["points"], 4);
    assert!(near(&g["rate"], 0.270103, 1e-6), "{g}");
    assert!(near(&g["rate_interval"][0], -0.009306, 1e-6), "{g}");
    assert!(near(&g["rate_interval"][1], 0.628315, 1e-6), "{g}");
    assert!(near(&g["r_squared"], 0.895538, 1e-6), "{g}");
    assert!(near(&g["doubling_months"], 2.899008, 1e-6), "{g}");
    assert!(near(&g["fitted_last"], 13355.35, 0.01), "{g}");
    assert_eq!(g["last"], 10000.0);
    assert!(near(&g["months_to_20000"], 2.899008, 1e-6), "{g}");
    // A value the series already passed is reached at once.
    assert_eq!(g["months_to_5000"], 0.0);
    // Four rows leave too few to fit a bend and test it: no verdict.
    assert!(g["growth_changed"].is_null() && g["rate_now"].is_null(), "{g}");
    // The chart: the four rows, the curve through them, 20,000 reached
    // from the last row's 10,000 at month 2.9.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("growth.svg");
    let chart_arg = chart.to_str().unwrap();
    let args = ["calc", "growth", "tests/fixtures/growth/leadgen-users.csv", "--reach", "20000"];
    ok(&[&args[..], &["--chart", chart_arg]].concat());
    let svg = fs::read_to_string(&chart).unwrap();
    assert_eq!(svg.matches("fill=\"black\"/>").count(), 4 + 1, "four rows and the legend's");
    assert!(svg.contains(">20000 at month 2.9</text>"), "{svg}");
    insta::assert_snapshot!("calc_growth_chart", svg);
    let table = ok(&["calc", "growth", "tests/fixtures/growth/leadgen-users.csv"]);
    assert!(table.contains("rate_interval") && table.contains("-0.009306 .. 0.628315"), "{table}");
}

#[test]
fn growth_reads_dates() {
    // 5% a month exactly, on the days of 2024 (a leap year): 1 Jan, 1 Mar
    // (60 days on), 1 Jul (182), 1 Jan 2025 (366); months of 365.2425 / 12
    // days.
    let month = 365.2425 / 12.0;
    let rows: String =
        [("2024-01-01", 0.0), ("2024-03-01", 60.0), ("2024-07-01", 182.0), ("2025-01-01", 366.0)]
            .iter()
            .map(|(date, days)| format!("{date},{}\n", 100.0 * 1.05f64.powf(days / month)))
            .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dated.csv");
    fs::write(&file, format!("date,tickets\n{rows}")).unwrap();
    let g = calc(&["growth", file.to_str().unwrap()]);
    assert!(near(&g["rate"], 0.05, 1e-9), "{g}");
    assert!(near(&g["span_months"], 366.0 / month, 1e-9), "{g}");
    assert_eq!(g["series"], "tickets");
    // As a spreadsheet saves it: a byte-order mark and CRLF line ends.
    let saved = dir.path().join("saved.csv");
    fs::write(&saved, format!("\u{feff}date,tickets\r\n{}", rows.replace('\n', "\r\n"))).unwrap();
    assert_eq!(calc(&["growth", saved.to_str().unwrap()])["rate"], g["rate"]);
}

#[test]
fn growth_takes_a_weekly_swing_out() {
    // Daily users from 1 Sep to Sat 21 Nov 2026 (82 days): 5,000 now
    // growing 12% a month, weekends at 65% of a weekday, rounded to whole
    // users. The committed file is exactly that.
    let month = 365.2425 / 12.0;
    let file = "tests/fixtures/growth/weekday-users.csv";
    let text = fs::read_to_string(root().join(file)).unwrap();
    let rows: Vec<(&str, f64)> = text
        .lines()
        .skip(1)
        .map(|line| {
            let (date, users) = line.split_once(',').unwrap();
            (date, users.parse().unwrap())
        })
        .collect();
    assert_eq!((rows.len(), rows[0].0, rows[81].0), (82, "2026-09-01", "2026-11-21"));
    for (day, (date, users)) in rows.iter().enumerate() {
        // 1 Sep 2026 is a Tuesday: days 4 and 5 of each week are the weekend.
        let weekend = matches!(day % 7, 4 | 5);
        let exact = 5000.0 * 1.12f64.powf((day as f64 - 81.0) / month);
        let expected = (exact * if weekend { 0.65 } else { 1.0 }).round();
        assert_eq!(*users, expected, "{date}");
    }
    // Fitted as a plain line the weekends are noise: 11.4% a month, and
    // since 82 rows are 30 or more, Newey and West's errors at lag
    // ⌊4 (82 / 100)^(2/9)⌋ = 3, 95% 5.9% to 17.2% (statsmodels 0.15 `OLS`
    // with `cov_type="HAC", cov_kwds={"maxlags": 3}` on the same
    // logarithms, and Student's t at 80 degrees: 0.1140914, 0.0594082 and
    // 0.1715971).
    let plain = calc(&["growth", file, "--seasonality", "none"]);
    assert_eq!(plain["seasons"], "none");
    assert_eq!(plain["newey_west_lags"], 3);
    assert!(near(&plain["rate"], 0.1140914, 1e-6), "{plain}");
    assert!(near(&plain["rate_interval"][0], 0.0594082, 1e-6), "{plain}");
    assert!(near(&plain["rate_interval"][1], 0.1715971, 1e-6), "{plain}");
    // A sample a day shows a week's cycle in full with 3 harmonics (the 7
    // phases of a week are 7 numbers: a mean and 3 sine-cosine pairs), so
    // only the rounding is left: 12.00% a month, to a few thousandths of a
    // percent.
    let g = calc(&["growth", file, "--reach", "10000"]);
    assert_eq!(g["seasons"], "weekly x3");
    assert_eq!(g["weekly_harmonics"], 3);
    assert!(near(&g["rate"], 0.12, 5e-5), "{g}");
    assert!(near(&g["rate_interval"][0], 0.12, 1e-4) && near(&g["rate_interval"][1], 0.12, 1e-4));
    // The trend runs through the week's mean logarithm, 2/7 ln 0.65 =
    // -0.123080: a weekday is e^0.123080 - 1 = +13.10% over it, a weekend
    // day 0.65 x 1.130977 - 1 = -26.49% under; the trend now is 5,000 x
    // e^-0.123080 = 4,420.9, and at its busiest (a weekday) 4,420.9 x
    // 1.130977 = 5,000: 10,000 users are ln 2 / ln 1.12 = 6.116 months
    // from there (not from the Saturday's 3,250).
    assert!(near(&g["weekly_swing_high"], 0.130977, 1e-4), "{g}");
    assert!(near(&g["weekly_swing_low"], -0.264865, 1e-4), "{g}");
    assert!(near(&g["peak_over_trend"], 0.130977, 1e-4), "{g}");
    assert!(near(&g["fitted_last"], 4420.9, 0.5), "{g}");
    assert!(near(&g["reach_from"], 5000.0, 0.5), "{g}");
    assert_eq!(g["last"], 3250.0);
    assert!(near(&g["months_to_10000"], 6.116, 2e-3), "{g}");
    assert!(plain["peak_over_trend"].is_null(), "{plain}");
    // Steady growth, swing or none.
    assert_eq!((&g["growth_changed"], &plain["growth_changed"]), (&false.into(), &false.into()));
    assert_eq!(plain["reach_from"], 3250.0);
    // Its chart carries the busiest days on, through the point it names.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("weekday.svg");
    ok(&["calc", "growth", file, "--reach", "10000", "--chart", chart.to_str().unwrap()]);
    let svg = fs::read_to_string(&chart).unwrap();
    assert!(
        svg.contains(">busiest now, at it</text>") && svg.contains(">10000 at month 6.1</text>")
    );
    // Cycles are named in any case; a name that is none is refused by clap.
    assert_eq!(calc(&["growth", file, "--seasonality", "Weekly"])["seasons"], "weekly x3");
    let output = headroom().args(["calc", "growth", file, "--seasonality", "yearly"]).output();
    let output = output.unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`yearly` is not a cycle"));
    // A daily swing needs samples within the day.
    let error = fails(headroom().args(["calc", "growth", file, "--seasonality", "daily"]));
    assert!(error.contains("weekday-users.csv: a daily swing needs samples less than 8 hours apart, this history's are 24 hours apart"), "{error}");
}

#[test]
fn growth_reads_instants_and_takes_a_daily_swing_out() {
    // Hourly users for 28 days up to 2026-11-24 08:00 UTC, as Grafana
    // exports a panel (quoted header, `YYYY-MM-DD HH:MM:SS`, newest first):
    // 2,000 growing 20% a month, times 1 + 0.35 cos(2π (hour - 14) / 24), a
    // day that peaks at 14:00. 2026-11-24 is day 20,781 after 1970-01-01.
    let month_seconds = 365.2425 / 12.0 * 86_400.0;
    let end = 20_781.0 * 86_400.0 + 8.0 * 3_600.0;
    let mut csv = String::from("\"Time\",\"users\"\n");
    for back in 0..=28 * 24i32 {
        let t = end - f64::from(back) * 3_600.0;
        let hour = ((8 - back).rem_euclid(24)) as f64;
        let swing = 1.0 + 0.35 * (std::f64::consts::TAU * (hour - 14.0) / 24.0).cos();
        let users = 2000.0 * 1.2f64.powf((t - end) / month_seconds) * swing;
        // Days before 24 November, back into October's 31.
        let days_back = (back - 8 + 23).div_euclid(24);
        let date = if days_back < 24 {
            format!("2026-11-{:02}", 24 - days_back)
        } else {
            format!("2026-10-{:02}", 31 - (days_back - 24))
        };
        csv.push_str(&format!("\"{date} {:02}:00:00\",{users}\n", hour as u32));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grafana.csv");
    fs::write(&file, &csv).unwrap();
    let g = calc(&["growth", file.to_str().unwrap()]);
    assert_eq!(g["points"], 28 * 24 + 1);
    assert_eq!(g["seasons"], "daily x4, weekly x3", "{g}");
    assert!(near(&g["rate"], 0.2, 1e-4), "{g}");
    // About the trend through the day's mean logarithm, ln((1 + sqrt(1 -
    // 0.35²)) / 2) = ln 0.968375, 14:00 runs 1.35 / 0.968375 - 1 = +39.41%
    // over it and 02:00 0.65 / 0.968375 - 1 = -32.88% under.
    assert!(near(&g["daily_swing_high"], 0.394094, 2e-3), "{g}");
    assert!(near(&g["daily_swing_low"], -0.328775, 2e-3), "{g}");
    assert!(near(&g["weekly_swing_high"], 0.0, 2e-3) && near(&g["weekly_swing_low"], 0.0, 2e-3));
    // The rows came newest first: the last in time is 08:00, not the file's last line.
    let at_eight = 2000.0 * (1.0 + 0.35 * (std::f64::consts::TAU * -6.0 / 24.0).cos());
    assert!(near(&g["last"], at_eight, 1e-6), "{g}");
    // A time that is none of the forms is named with its line.
    let bad = csv.replacen("2026-11-24 08:00:00", "24/11/2026 08:00", 1);
    let error = growth_error(&bad, "grafana-bad.csv", &[]);
    assert!(error.contains("line 2: `24/11/2026 08:00` is not a time"), "{error}");
}

#[test]
fn growth_says_when_it_did_not_hold_steady() {
    // Monthly over two years, growth slowing from 30% a month to 5%:
    // ln v = b m + c m², b = ln 1.05, c = (ln 1.05 - ln 1.3) / (2 x 24).
    let (b, c) = (1.05f64.ln(), (1.05f64.ln() - 1.3f64.ln()) / 48.0);
    let rows: String = (0..=24)
        .map(|k| {
            let m = f64::from(k) - 24.0;
            format!("{k},{}\n", 1000.0 * (b * m + c * m * m).exp())
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slowing.csv");
    fs::write(&file, format!("month,tenants\n{rows}")).unwrap();
    let g = calc(&["growth", file.to_str().unwrap()]);
    assert_eq!(g["growth_changed"], true, "{g}");
    assert!(near(&g["rate_at_start"], 0.3, 1e-9) && near(&g["rate_now"], 0.05, 1e-9), "{g}");
    // The line's rate is the two years' average, well above today's 5%.
    assert!(g["rate"].as_f64().unwrap() > 0.1, "{g}");
}

fn growth_error(contents: &str, name: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    fs::write(&file, contents).unwrap();
    let error = fails(headroom().args(["calc", "growth", file.to_str().unwrap()]).args(extra));
    assert!(error.contains(name), "the error names the file: {error}");
    error
}

#[test]
fn growth_refuses_a_history_it_cannot_fit() {
    let error = growth_error("when,users\n1,2\n", "other.csv", &[]);
    assert!(error.contains("first column is `when`") && error.contains("`month`"), "{error}");
    let error = growth_error("", "nothing.csv", &[]);
    assert!(error.contains("the file is empty"), "{error}");
    let error = growth_error("month\n1\n", "one-column.csv", &[]);
    assert!(error.contains("names no value column"), "{error}");
    let error = growth_error("month,users\n", "empty.csv", &[]);
    assert!(error.contains("no rows under the header"), "{error}");
    let error = growth_error("month,users\n0,1\n1,2\n", "two.csv", &[]);
    assert!(error.contains("at least 3 points, got 2"), "{error}");
    let error =
        growth_error("date,users\n2024-01-01,1\n2024-02-30,2\n2024-03-01,3\n", "date.csv", &[]);
    assert!(error.contains("line 3: `2024-02-30` is not a date (YYYY-MM-DD)"), "{error}");
    let error = growth_error("month,users\n0,1\n1,x\n2,3\n", "value.csv", &[]);
    assert!(error.contains("line 3: users `x` is not a finite number"), "{error}");
    let error = growth_error("month,users\n0,1\n1,0\n2,3\n", "zero.csv", &[]);
    assert!(error.contains("each must be above zero"), "{error}");
    let error = growth_error("month,users\n0,1\n1,2\n2\n", "truncated.csv", &[]);
    assert!(error.contains("line 4"), "{error}");
    let error = growth_error("month;users\n0;1\n1;2\n2;3\n", "semicolons.csv", &[]);
    assert!(error.contains("separated by `;`") && error.contains("comma-separated"), "{error}");
    let text = fails(headroom().args([
        "calc",
        "growth",
        "tests/fixtures/growth/leadgen-users.csv",
        "--reach",
        "-5",
    ]));
    assert!(text.contains("--reach takes values that are finite and above zero, got -5"), "{text}");
}

/// `calc commitment` on lead-gen's planned API replicas, months 0 to 11
/// (276 replica-months): at 30% off the 10th replica (9 months of 12) pays
/// committed and the 11th (8 months) does not; 120 x 0.7 + 170 on demand
/// = 254 replica-months, $17,800.32 at $0.096 an hour against $19,342.08.
#[test]
fn commitment_commits_what_pays_at_break_even() {
    let c = calc(&[
        "commitment",
        "--units",
        "3,5,8,10,15,20,25,30,34,38,42,46",
        "--discount",
        "0.3",
        "--hourly-price",
        "0.096",
    ]);
    assert_eq!((c["term_months"].as_u64(), c["units"].as_u64()), (Some(12), Some(10)), "{c}");
    assert!(near(&c["committed_unit_months"], 254.0, 1e-9), "{c}");
    assert!(near(&c["on_demand_unit_months"], 276.0, 1e-9), "{c}");
    assert!(
        near(&c["cost"], 17_800.32, 1e-6) && near(&c["on_demand_cost"], 19_342.08, 1e-6),
        "{c}"
    );
    assert!(near(&c["saving"], 1.0 - 254.0 / 276.0, 1e-9), "{c}");
    // At 35% off the 11th to 15th replicas (8 months of 12, 66.7%) pay too.
    let deeper =
        calc(&["commitment", "--units", "3,5,8,10,15,20,25,30,34,38,42,46", "--discount", "0.35"]);
    assert_eq!(deeper["units"], 15);
    assert!(deeper["cost"].is_null(), "no price, no money: {deeper}");
    // Bad input: named, non-zero, nothing on stdout.
    for (args, expected) in [
        (
            vec!["--units", "3,5", "--discount", "1"],
            "a commitment's discount must lie strictly between 0 and 1, got 1",
        ),
        (
            vec!["--units", "3,5", "--discount", "0.3", "--hourly-price", "-1"],
            "price must be finite and not negative, got -1",
        ),
    ] {
        let error = fails(headroom().args(["calc", "commitment"]).args(&args));
        assert!(error.contains(expected), "{args:?}: {error}");
    }
}
