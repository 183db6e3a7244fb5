//! `headroom observe`: measurements from Prometheus read against the plan.
//!
//! Most tests ask a stand-in server on loopback that answers as Prometheus's
//! HTTP API does (its answers copied from a real Prometheus 2.42), so that
//! each failure a real server can give is made on purpose. One test asks a
//! real Prometheus, backfilled by `promtool` with the metrics that
//! `tests/fixtures/prometheus/make_openmetrics.py` writes: it runs where
//! `prometheus`, `promtool` and `python3` are on the PATH (CI installs
//! Debian's `prometheus` and sets `HEADROOM_REQUIRE_PROMETHEUS=1`, which
//! makes their absence a failure).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bare, fails, headroom, json, ok, plugin_dir, root};

/// The lead-gen queries over the fixture's metrics.
fn queries() -> String {
    root().join("tests/fixtures/prometheus/leadgen-observe.toml").display().to_string()
}

/// What a stand-in server answers a request (its head: the request line,
/// with the path and query string as sent, and the headers): an HTTP
/// status and body, or `None` to never answer.
type Answer = fn(&str) -> Option<(u16, String)>;

/// Serves `answer` on a loopback port until the test process ends, a
/// thread a connection; returns its address.
fn serve(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = format!("http://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || respond(stream, answer));
        }
    });
    address
}

fn respond(mut stream: TcpStream, answer: Answer) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    match answer(&String::from_utf8_lossy(&head)) {
        Some((status, body)) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        None => std::thread::sleep(Duration::from_secs(30)),
    }
}

/// Prometheus's answer of one series with no labels.
fn one(value: &str) -> Option<(u16, String)> {
    Some((
        200,
        format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"value":[1764000000,"{value}"]}}]}}}}"#
        ),
    ))
}

/// The fixture's figures at 2025-11-24 16:00 UTC, by the metric each query reads.
fn leadgen(head: &str) -> Option<(u16, String)> {
    if head.contains("leadgen_active_users") {
        one("812")
    } else if head.contains("leadgen_leads_created_total") {
        one("40000")
    } else if head.contains("http_requests_in_flight") {
        one("640")
    } else if head.contains("pg_stat_activity_count") {
        one("95")
    } else {
        Some((400, r#"{"status":"error","errorType":"bad_data","error":"unknown"}"#.into()))
    }
}

fn observe(address: &str, extra: &[&str]) -> Command {
    let mut command = headroom();
    command.args(["observe", "leadgen-insurance", "--config", &queries(), "--prometheus", address]);
    command.args(extra);
    command
}

/// Runs an `observe` command, asserting success; its stdout.
fn observe_ok(command: &mut Command) -> String {
    let output = command.output().expect("headroom runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}

fn observed(address: &str, extra: &[&str]) -> serde_json::Value {
    json(&observe_ok(observe(address, extra).args(["--format", "json"])))
}

fn close(a: &serde_json::Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-6 * b.abs().max(1.0))
}

/// Checks an observation of the fixture's figures against arithmetic done
/// by hand and against `plan` rebased on them.
fn check_leadgen(o: &serde_json::Value) {
    // 812 users on §4's line from 500 (month 0) to 2,000 (month 3):
    // 312 / 1,500 x 3 = month 0.624. 40,000 leads a day is below today's 50,000.
    let users = &o["drivers"].as_array().unwrap().iter().find(|d| d["driver"] == "users").unwrap();
    assert_eq!(users["observed"], 812.0);
    assert_eq!(users["planned_today"], 500.0);
    assert!(close(&users["plan_month"], 0.624), "{}", users["plan_month"]);
    let leads = &o["drivers"].as_array().unwrap().iter().find(|d| d["driver"] == "leads_per_day");
    assert_eq!(leads.unwrap()["plan_month"], 0.0);
    // The API for 812 users: ceil(812 / (250 x 0.8)) = 5 replicas, where 4
    // run; those 4 at the modelled load: 812 / 1,000 = 81.2%, past 80%; at
    // the measured 640 in flight: 64%, and the model's 812 is 640/812 of it.
    let api = &o["tiers"][0];
    assert_eq!(api["tier"], "api");
    assert_eq!((api["today_units"].as_u64(), api["needed_units"].as_u64()), (Some(4), Some(5)));
    assert!(close(&api["modelled_utilisation"], 0.812));
    let load = &api["loads"][0];
    assert_eq!(
        (load["dimension"].as_str(), load["observed"].as_f64()),
        (Some("concurrent_users"), Some(640.0))
    );
    assert!(close(&load["modelled"], 812.0));
    assert!(close(&load["ratio"], 640.0 / 812.0));
    assert!(close(&load["utilisation"], 0.64));
    // Postgres: 20 connections a replica of 5 API and 1 data replicas is
    // 120 modelled; 95 measured on one r6i.xlarge of 800: 11.875%.
    let postgres = o["tiers"].as_array().unwrap().iter().find(|t| t["tier"] == "postgres").unwrap();
    assert!(close(&postgres["loads"][0]["modelled"], 120.0));
    assert!(close(&postgres["loads"][0]["utilisation"], 95.0 / 800.0));
    // Today's API already runs past its headroom: month 0, where the plan
    // said month 1.
    let api_runway = &o["runway"][0];
    assert_eq!(
        (api_runway["observed"]["month"].as_u64(), api_runway["planned_month"].as_u64()),
        (Some(0), Some(1))
    );
    let rebase: Vec<&str> =
        o["rebase"].as_array().unwrap().iter().filter_map(|s| s.as_str()).collect();
    assert_eq!(
        rebase,
        ["milestones.current.drivers.users=812", "milestones.current.drivers.leads_per_day=40000"]
    );
    // The same units and runway as `plan` from those drivers.
    let mut args = vec!["plan", "leadgen-insurance", "--format", "json"];
    for set in &rebase {
        args.extend(["--set", set]);
    }
    let plan = json(&ok(&args));
    for (tier, planned) in o["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .zip(plan["milestones"][0]["tiers"].as_array().unwrap())
    {
        assert_eq!(tier["needed_units"], planned["units"], "{}", tier["tier"]);
    }
    for (runway, planned) in
        o["runway"].as_array().unwrap().iter().zip(plan["runway"].as_array().unwrap())
    {
        assert_eq!(runway["observed"], *planned);
    }
}

#[test]
fn observe_reads_measurements_against_the_plan() {
    let address = serve(leadgen);
    let o = observed(&address, &["--at", "1764000000"]);
    assert_eq!(o["prometheus"], address.as_str());
    assert_eq!(o["schema_version"], headroom::SCHEMA_VERSION);
    assert_eq!(o["measured_at"], 1764000000.0);
    check_leadgen(&o);
    // The chart: each driver on its plan, the dot where the plan reaches
    // the measured value (x = 70 + 0.624 / 12 x 610 = 101.7 for the users),
    // or at month 0 where the driver is behind.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("observed.svg");
    let chart_arg = chart.display().to_string();
    observe_ok(&mut observe(&address, &["--chart", &chart_arg]));
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.contains("users (users): measured 812, month 0.62 of the plan"), "{svg}");
    assert!(svg.contains("<circle cx=\"101.7\""), "{svg}");
    assert!(svg.contains("leads_per_day (leads/day): measured 40000, 80.0% of today's plan"));
    assert!(svg.contains("<circle cx=\"70.0\""), "{svg}");
    insta::assert_snapshot!("observe_leadgen_chart", svg);
    // CSV: a row a measurement, drivers first.
    let csv = observe_ok(&mut observe(&address, &["--format", "csv"]));
    let keys: Vec<&str> = csv.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    assert_eq!(
        keys,
        [
            "observe.drivers.users",
            "observe.drivers.leads_per_day",
            "observe.loads.api.concurrent_users",
            "observe.loads.postgres.connections"
        ]
    );
}

#[test]
fn observe_places_a_profile_of_deployment_sizes() {
    fn hostel(head: &str) -> Option<(u16, String)> {
        if head.contains("hostel_weekly_users") {
            // 5% a month a day at a time over 28 days, every 7th day and
            // the one before it (today's among them) at 70%: 245 now.
            let at = |k: i32| {
                let months = -f64::from(k) * 86_400.0 / MONTH;
                let dip = if k % 7 < 2 { 0.7 } else { 1.0 };
                (1_764_000_000.0 + months * MONTH, 350.0 * 1.05f64.powf(months) * dip)
            };
            return if head.contains("28d") {
                history(&(0..=28).rev().map(|k| (at(k).0, at(k).1.to_string())).collect::<Vec<_>>())
            } else {
                one("245")
            };
        }
        if !head.contains("hostel_users") {
            None
        } else if head.contains("28d") {
            // 5% a month: 330.7, 340.3 and 350 users over the last 0.6 months.
            let at = |months: f64| (1_764_000_000.0 + months * MONTH, 350.0 * 1.05f64.powf(months));
            history(&[0.0, -0.3, -0.6].map(|m| (at(m).0, at(m).1.to_string())))
        } else {
            one("350")
        }
    }
    let address = serve(hostel);
    // `observe hostel-complaints` with its users measured, and `extra`.
    let hostel = |extra: &[&str]| {
        let mut command = headroom();
        command.args(["observe", "hostel-complaints", "--prometheus", &address]);
        command.args(["--set", "observe.drivers.users=sum(hostel_users)"]);
        command.args(extra);
        command
    };
    let hostel_json = |extra: &[&str]| json(&observe_ok(hostel(extra).args(["--format", "json"])));
    let o = hostel_json(&[]);
    // 350 users: past "Small" (100), within "Medium deployment" (500).
    assert_eq!(o["today"], serde_json::Value::Null);
    assert_eq!(o["drivers"][0]["within_milestone"], "Medium deployment");
    assert_eq!(o["drivers"][0]["plan_month"], serde_json::Value::Null);
    assert_eq!(o["runway"], serde_json::json!([]));
    // The backend for 350 users is what `plan` gives for a milestone of 350.
    let plan = json(&ok(&[
        "plan",
        "hostel-complaints",
        "--format",
        "json",
        "--set",
        "milestones.medium.drivers.users=350",
    ]));
    let medium =
        plan["milestones"].as_array().unwrap().iter().find(|m| m["key"] == "medium").unwrap();
    assert_eq!(o["tiers"][0]["needed_units"], medium["tiers"][0]["units"]);
    // Its growth can be measured, with no dated milestone to reach nor
    // runway to run out: the rate alone.
    let grown = hostel_json(&["--trend", "28d"]);
    let trend = &grown["drivers"][0]["trend"];
    assert!((trend["rate"].as_f64().unwrap() - 0.05).abs() < 1e-6, "{trend}");
    assert_eq!(trend["window"], "28d");
    assert_eq!(trend["planned_first_month"], serde_json::Value::Null);
    assert_eq!(grown["trend"], serde_json::Value::Null);
    // The sizes it has not reached, and when it does at 5% a month: Medium's
    // 500 users at ln(500 / 350) / ln 1.05 = 7.31 months, Large's 1,000 at 21.52.
    let reaches = trend["reaches"].as_array().unwrap();
    let names: Vec<&str> = reaches.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Medium deployment", "Large deployment"]);
    let month = |i: usize| reaches[i]["trend_month"].as_f64().unwrap();
    assert!((month(0) - (500.0f64 / 350.0).ln() / 1.05f64.ln()).abs() < 1e-6, "{}", month(0));
    assert!((month(1) - (1000.0f64 / 350.0).ln() / 1.05f64.ln()).abs() < 1e-6, "{}", month(1));
    assert!(reaches[0]["planned_month"].is_null());
    let text = observe_ok(&mut hostel(&["--trend", "28d"]));
    assert!(
        text.contains(
            "At the measured growth, users outgrow \"Medium deployment\" (500) at month 7.3."
        ),
        "{text}"
    );
    // Measured in a weekly dip, 245 users outgrow Medium's 500 at
    // ln(500 / 245) / ln 1.05 = 14.6 months; the weekly swing taken out, the
    // trend at its busiest is the other days' 350 now, which does at 7.3.
    let mut weekly = hostel(&["--trend", "28d"]);
    weekly.args(["--set", "observe.drivers.users=sum(hostel_weekly_users)"]);
    let text = observe_ok(&mut weekly);
    assert!(
        text.contains("At the measured growth, users outgrow \"Medium deployment\" (500) at month 14.6; at their busiest (350): month 7.3."),
        "{text}"
    );
    // Its milestones are sizes: no growth curve to draw.
    let text = fails(&mut hostel(&["--chart", "never.svg"]));
    assert!(text.contains("has no dated milestones"), "{text}");
    assert!(!root().join("never.svg").exists());
    // A profile without a dated today needs every driver measured.
    let text = fails(headroom().args([
        "observe",
        "hostel-complaints",
        "--prometheus",
        &address,
        "--set",
        "observe.loads.backend.requests_per_minute=sum(x)",
    ]));
    assert!(text.contains("must measure every driver; `observe.drivers` lacks: users"), "{text}");
}

#[test]
fn observe_refuses_what_is_not_one_measurement() {
    fn answers(head: &str) -> Option<(u16, String)> {
        let body = |s: &str| Some((200, s.to_string()));
        if head.contains("many") {
            body(
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a"},"value":[1,"1"]},{"metric":{"pod":"b"},"value":[1,"2"]}]}}"#,
            )
        } else if head.contains("none") {
            body(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
        } else if head.contains("nan") {
            one("NaN")
        } else if head.contains("hang") {
            None
        } else if head.contains("broken") {
            Some((400, r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:8: parse error: unclosed left parenthesis"}"#.into()))
        } else {
            Some((404, "404 page not found".into()))
        }
    }
    let address = serve(answers);
    let case = |promql: &str, extra: &[&str]| {
        let mut command = headroom();
        command.args(["observe", "leadgen-insurance", "--prometheus", &address]);
        command.args(["--set", &format!("observe.drivers.users={promql}")]);
        command.args(extra);
        fails(&mut command)
    };
    let text = case("sum(many)", &[]);
    assert!(text.contains("`observe.drivers.users` (sum(many))"), "{text}");
    assert!(
        text.contains(r#"2 series matched ({pod="a"}, {pod="b"}); a measurement is one number"#),
        "{text}"
    );
    assert!(case("none", &[]).contains("no series matched"));
    assert!(case("sum(nan_gauge)", &[]).contains("the value is NaN"));
    let text = case("sum(broken", &[]);
    assert!(
        text.contains("refused `observe.drivers.users` (sum(broken): bad_data: invalid parameter"),
        "{text}"
    );
    let text = case("other", &[]);
    assert!(text.contains("with HTTP 404 and no Prometheus API response"), "{text}");
    let started = Instant::now();
    let text = case("hang", &["--set", "observe.timeout_seconds=0.5"]);
    assert!(text.contains("did not answer `observe.drivers.users` within 0.5 s"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(20), "the timeout was not kept");
    // A port nothing listens on.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let text = fails(&mut observe(&format!("http://{closed}"), &[]));
    assert!(
        text.contains(&format!(
            "cannot reach Prometheus at http://{closed} for `observe.drivers.leads_per_day`"
        )),
        "{text}"
    );
    assert!(text.to_lowercase().contains("connection refused"), "{text}");
    let text = fails(&mut observe("prometheus:9090", &[]));
    assert!(text.contains("`prometheus:9090` is not a Prometheus address"), "{text}");
}

#[test]
fn observe_sends_a_bearer_token_from_the_variable_named() {
    fn guarded(head: &str) -> Option<(u16, String)> {
        if head.to_lowercase().contains("\r\nauthorization: bearer s3cret\r\n") {
            leadgen(head)
        } else {
            Some((401, "Unauthorized".into()))
        }
    }
    let address = serve(guarded);
    let token = ["--set", "observe.bearer_token_env=PROMETHEUS_TOKEN_FOR_TEST"];
    let o = json(&observe_ok(
        observe(&address, &[token[0], token[1], "--format", "json"])
            .env("PROMETHEUS_TOKEN_FOR_TEST", "s3cret"),
    ));
    check_leadgen(&o);
    let text = fails(&mut observe(&address, &[]));
    assert!(text.contains("with HTTP 401: it wants credentials; name the variable that holds a bearer token in `observe.bearer_token_env`"), "{text}");
    let text = fails(observe(&address, &token).env("PROMETHEUS_TOKEN_FOR_TEST", "wrong"));
    assert!(text.ends_with("(a token was sent, and refused)\n"), "{text}");
    let text = fails(observe(&address, &token).env_remove("PROMETHEUS_TOKEN_FOR_TEST"));
    assert!(
        text.contains(
            "`observe.bearer_token_env` names `PROMETHEUS_TOKEN_FOR_TEST`, which is not set"
        ),
        "{text}"
    );
}

#[test]
fn observe_checks_its_section_before_asking() {
    let address = serve(leadgen);
    let case = |args: &[&str]| {
        let mut command = headroom();
        command.args(["observe", "leadgen-insurance"]).args(args);
        fails(&mut command)
    };
    assert!(case(&["--prometheus", &address]).contains("no [observe] section"));
    let text = case(&["--prometheus", &address, "--set", "observe.drivers.user=sum(x)"]);
    assert!(text.contains("key `observe.drivers.user` in --set observe.drivers.user=sum(x): unknown name `user`; did you mean `users`?"), "{text}");
    let text = case(&["--set", "observe.loads.apu.concurrent_users=sum(x)"]);
    assert!(text.contains("unknown name `apu`; did you mean `api`?"), "{text}");
    let text = case(&["--set", "observe.loads.api.cpu=sum(x)"]);
    assert!(text.contains("unknown name `cpu`; known: concurrent_users"), "{text}");
    let text = case(&["--set", "observe.drivers.users= "]);
    assert!(text.contains("the PromQL query is empty"), "{text}");
    let text = case(&["--config", &queries(), "--set", "observe.timeout_seconds=0"]);
    assert!(text.contains("key `observe.timeout_seconds`"), "{text}");
    let text = case(&["--config", &queries()]);
    assert!(
        text.contains("no Prometheus address: give --prometheus URL, or set `observe.prometheus`"),
        "{text}"
    );
    let text = case(&["--config", &queries(), "--set", "observe.prometeus=http://x:9090"]);
    assert!(text.contains("prometeus"), "{text}");
}

/// Seconds in a month (a Gregorian year over 12), as `observe --trend` counts them.
const MONTH: f64 = 365.2425 / 12.0 * 86_400.0;

/// A range vector of one series: `values` as (Unix seconds, value).
fn history(values: &[(f64, String)]) -> Option<(u16, String)> {
    let values: Vec<String> = values.iter().map(|(t, v)| format!("[{t},\"{v}\"]")).collect();
    Some((
        200,
        format!(
            r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[{}]}}]}}}}"#,
            values.join(",")
        ),
    ))
}

/// The fixture's figures, and for a subquery a
/// history (its window, 28d, in the query): users and the API's requests in
/// flight growing exactly 10% a month up to 812 and 640 (a sample a day over
/// 28 days), leads and Postgres connections flat; and histories no trend can
/// take.
fn growing(head: &str) -> Option<(u16, String)> {
    if !head.contains("28d") {
        // Today's figures; 0 for an idle query, 3 for one the fixture does not know.
        if head.contains("idle") {
            return one("0");
        }
        if head.contains("speeding") {
            return one("812");
        }
        return leadgen(head).filter(|(status, _)| *status == 200).or_else(|| one("3"));
    }
    let days = |value: &dyn Fn(f64) -> String| -> Vec<(f64, String)> {
        (0..=28)
            .map(|k| 1_764_000_000.0 - f64::from(28 - k) * 86_400.0)
            .map(|t| (t, value(t)))
            .collect()
    };
    let grown =
        |now: f64| move |t: f64| format!("{}", now * 1.1f64.powf((t - 1_764_000_000.0) / MONTH));
    if head.contains("leadgen_active_users") {
        history(&days(&grown(812.0)))
    } else if head.contains("http_requests_in_flight") {
        history(&days(&grown(640.0)))
    } else if head.contains("leadgen_leads_created_total") {
        history(&days(&|_| "40000".to_string()))
    } else if head.contains("pg_stat_activity_count") {
        history(&days(&|_| "95".to_string()))
    } else if head.contains("few") {
        history(&[(1.0, "1".into()), (2.0, "2".into())])
    } else if head.contains("zero") {
        history(&[
            (1_763_913_600.0, "5".into()),
            (1_763_956_800.0, "0".into()),
            (1_764_000_000.0, "7".into()),
        ])
    } else if head.contains("negative") {
        history(&[(1.0, "5".into()), (2.0, "-1".into()), (3.0, "7".into())])
    } else if head.contains("idle") {
        history(&days(&grown(5.0)))
    } else if head.contains("speeding") {
        // 812 now, its growth rising from 10% a month 28 days ago to 40%
        // now: ln v = ln 812 + b m + c m², b = ln 1.4, c = (ln 1.4 -
        // ln 1.1) / (2 x 28 days in months).
        let m0 = -28.0 * 86_400.0 / MONTH;
        let (b, c) = (1.4f64.ln(), (1.4f64.ln() - 1.1f64.ln()) / (-2.0 * m0));
        history(&days(&|t| {
            let m = (t - 1_764_000_000.0) / MONTH;
            format!("{}", 812.0 * (b * m + c * m * m).exp())
        }))
    } else if head.contains("many") {
        Some((
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a"},"values":[[1,"1"]]},{"metric":{"pod":"b"},"values":[[1,"2"]]}]}}"#.into(),
        ))
    } else {
        one("3")
    }
}

#[test]
fn observe_fits_each_drivers_growth_over_a_window() {
    let address = serve(growing);
    let o = observed(&address, &["--at", "1764000000", "--trend", "28d"]);
    check_leadgen(&o);
    let users = &o["drivers"][0]["trend"];
    // The subquery asks the window in 200 steps: 28 d / 200 = 12,096 s.
    assert_eq!(users["query"], "(sum(leadgen_active_users))[28d:12096s]");
    // Exactly 10% a month, so an interval of no width and R² of 1.
    assert!(close(&users["rate"], 0.1), "{users}");
    assert!(close(&users["rate_low"], 0.1) && close(&users["rate_high"], 0.1), "{users}");
    assert!(close(&users["r_squared"], 1.0));
    assert_eq!(users["points"], 29);
    assert!(close(&users["span_months"], 28.0 * 86_400.0 / MONTH));
    // The plan's first month: 500 to 1,000 users (§4's line to 2,000 at month 3).
    assert!(close(&users["planned_first_month"], 1.0));
    // From 812 at 10% a month: 2,000 users at ln(2000 / 812) / ln 1.1 =
    // 9.4576 months (the plan says 3), 10,000 at 26.344 (the plan says 12);
    // JSON carries 6 decimals.
    let reach = |i: usize| users["reaches"][i]["trend_month"].as_f64().unwrap();
    assert_eq!(users["reaches"][0]["milestone"], "3-months");
    assert!((reach(0) - (2000.0f64 / 812.0).ln() / 1.1f64.ln()).abs() < 1e-6, "{}", reach(0));
    assert!((reach(2) - (10_000.0f64 / 812.0).ln() / 1.1f64.ln()).abs() < 1e-6, "{}", reach(2));
    // Flat leads: no growth, nothing for R² to explain, never reaching 3 Months.
    let leads = &o["drivers"][1]["trend"];
    assert!(close(&leads["rate"], 0.0) && leads["r_squared"].is_null(), "{leads}");
    assert!(leads["reaches"][0]["trend_month"].is_null());
    // The runway at the measured growth is the planner's own under the
    // `--set` flags it prints.
    let trend = &o["trend"];
    let sets: Vec<String> =
        trend["set"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    assert!(sets.contains(&"growth.rates.users=0.1".to_string()), "{sets:?}");
    assert!(sets.contains(&"growth.curve=compound-monthly".to_string()), "{sets:?}");
    let mut args = vec!["plan", "leadgen-insurance", "--format", "json"];
    for set in &sets {
        args.extend(["--set", set.as_str()]);
    }
    let planned = json(&ok(&args));
    assert_eq!(planned["runway"], trend["runway"]);
    // At 10% a month Postgres lasts longer than the plan's growth allows.
    let postgres = |runway: &serde_json::Value| {
        runway.as_array().unwrap().iter().find(|r| r["tier"] == "postgres").unwrap()["month"]
            .clone()
    };
    assert_eq!(
        postgres(&o["runway"].as_array().unwrap().iter().map(|r| r["observed"].clone()).collect()),
        7
    );
    assert!(postgres(&trend["runway"]).is_null(), "{trend}");
    // The loads' own growth, without the model: 640 in flight on 4 replicas
    // of 250 is 64%, and at 10% a month reaches the 80% the headroom allows
    // at ln(800 / 640) / ln 1.1 = 2.341 months; flat connections never do.
    let api_load = &o["tiers"][0]["loads"][0]["trend"];
    assert!(close(&api_load["rate"], 0.1), "{api_load}");
    let breaks = api_load["breaks_month"].as_f64().unwrap();
    assert!((breaks - (800.0f64 / 640.0).ln() / 1.1f64.ln()).abs() < 1e-6, "{breaks}");
    assert_eq!(o["tiers"][2]["tier"], "postgres");
    assert!(o["tiers"][2]["loads"][0]["trend"]["breaks_month"].is_null());
    // A trend of loads alone reads their runway without the model, and
    // plans no runway at a measured growth no driver has.
    let mut command = headroom();
    command.args(["observe", "leadgen-insurance", "--prometheus", &address, "--trend", "28d"]);
    command.args(["--set", "observe.loads.api.concurrent_users=sum(http_requests_in_flight)"]);
    let loads_only = json(&observe_ok(command.args(["--format", "json"])));
    assert!(loads_only["trend"].is_null(), "{loads_only}");
    let load = &loads_only["tiers"][0]["loads"][0]["trend"];
    assert_eq!(load["breaks_month"], api_load["breaks_month"]);
    // The table says it in words.
    let table = observe_ok(&mut observe(&address, &["--trend", "28d"]));
    assert!(table.contains("Growth measured over 28d"), "{table}");
    assert!(table.contains("+10.0%"), "{table}");
    assert!(table.contains("month 9.5"), "{table}");
    assert!(table.contains("Loads measured over 28d: the runway without the model"), "{table}");
    assert!(table.contains("month 2.3"), "{table}");
    assert!(table.contains("To plan at the measured growth: headroom diff leadgen-insurance"));
    // The chart: the history fitted left of month 0, starting at the axis
    // (x = 70), and the measured growth carried on from today.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("trend.svg");
    let chart_arg = chart.display().to_string();
    observe_ok(&mut observe(&address, &["--trend", "28d", "--chart", &chart_arg]));
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.contains("measured growth from today, +10.0%/month"), "{svg}");
    assert!(svg.contains("stroke-width=\"1.5\" points=\"70.0,"), "{svg}");
    assert_eq!(users["history"].as_array().unwrap().len(), 29);
    let csv = observe_ok(&mut observe(&address, &["--trend", "28d", "--format", "csv"]));
    assert!(csv.lines().next().unwrap().ends_with(
        ",growth_a_month,growth_low,growth_high,growth_r_squared,daily_swing_high,daily_swing_low,weekly_swing_high,weekly_swing_low"
    ));
    // A sample a day shows no daily swing, so `auto` fits the weekly one
    // alone (none in this history: zero either way); asked for the daily
    // one, the error names the query and why.
    let swings = users["swings"].as_array().unwrap();
    assert_eq!(swings.len(), 1, "{users}");
    assert_eq!((&swings[0]["cycle"], &swings[0]["harmonics"]), (&"weekly".into(), &3.into()));
    assert!(close(&swings[0]["high"], 0.0) && close(&swings[0]["low"], 0.0), "{swings:?}");
    // Steady growth is not called a change.
    assert_eq!(users["growth_changed"], false, "{users}");
    // A growth that sped up from 10% to 40% a month is called one, and the
    // table says the projections use the window's average.
    let mut command = observe(&address, &["--at", "1764000000", "--trend", "28d"]);
    command.args(["--set", "observe.drivers.users=sum(speeding)", "--format", "json"]);
    let speeding = json(&observe_ok(&mut command))["drivers"][0]["trend"].clone();
    assert_eq!(speeding["growth_changed"], true, "{speeding}");
    assert!(close(&speeding["rate_at_start"], 0.1) && close(&speeding["rate_now"], 0.4));
    let mut command = observe(&address, &["--at", "1764000000", "--trend", "28d"]);
    command.args(["--set", "observe.drivers.users=sum(speeding)"]);
    let table = observe_ok(&mut command);
    let average = (speeding["rate"].as_f64().unwrap() * 1000.0).round() / 10.0;
    let line = format!("users did not grow steadily over 28d: +10.0% a month at its start, +40.0% now (speeding up); the rates and runways here use the window's average, +{average:.1}%.");
    assert!(table.contains(&line), "{table}");
    // No swing, no busiest hours to plan for.
    assert_eq!(o["trend"]["busiest_set"], serde_json::json!([]), "{}", o["trend"]);
    let plain =
        observed(&address, &["--at", "1764000000", "--trend", "28d", "--seasonality", "none"]);
    assert_eq!(plain["drivers"][0]["trend"]["swings"], serde_json::json!([]));
    assert!(close(&plain["drivers"][0]["trend"]["rate"], 0.1));
    let text = fails(&mut observe(&address, &["--trend", "28d", "--seasonality", "daily"]));
    assert!(text.contains("the trend of `observe.drivers.users`: a daily swing needs samples less than 8 hours apart, this history's are 24 hours apart"), "{text}");
    // Without a trend there is nothing to take a swing out of: clap's own
    // usage error (exit 2) names the flag it needs.
    let output = observe(&address, &["--seasonality", "weekly"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--trend <WINDOW>"));
}

#[test]
fn observe_refuses_a_history_it_cannot_fit() {
    let address = serve(growing);
    let case = |promql: &str, extra: &[&str]| {
        let mut command = observe(&address, &["--trend", "28d"]);
        command.args(["--set", &format!("observe.drivers.users={promql}")]);
        command.args(extra);
        fails(&mut command)
    };
    let text = case("sum(few)", &[]);
    assert!(text.contains("`observe.drivers.users` ((sum(few))[28d:12096s])"), "{text}");
    assert!(text.contains("2 sample(s) over the window; a trend needs at least 3"), "{text}");
    let text = case("sum(zero)", &[]);
    assert!(text.contains("the trend of `observe.drivers.users`"), "{text}");
    assert!(text.contains("each must be above zero; the value at month -0.016 is 0"), "{text}");
    assert!(text.contains("wrap the query in avg_over_time((...)[1d:5m])"), "{text}");
    let text = case("sum(negative)", &[]);
    assert!(text.contains("the value at 1970-01-01 00:00:02 UTC is -1"), "{text}");
    let text = case("sum(many)", &[]);
    assert!(text.contains("2 series matched"), "{text}");
    // Zero now, with a history that grows: nothing to carry forward.
    let text = case("sum(idle)", &[]);
    assert!(text.contains("the trend of `observe.drivers.users`: it measures 0 now"), "{text}");
    let mut command = observe(&address, &["--trend", "28d"]);
    command.args(["--set", "observe.loads.api.concurrent_users=sum(idle)"]);
    let text = fails(&mut command);
    assert!(
        text.contains("the trend of `observe.loads.api.concurrent_users`: it measures 0 now"),
        "{text}"
    );
    // A window is checked before anything is asked.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    for window in ["28x", "0d", "d", "1d2w", "28"] {
        let text = fails(&mut observe(&format!("http://{closed}"), &["--trend", window]));
        assert!(text.contains(&format!("--trend: `{window}` is not a trend window")), "{text}");
    }
}

#[test]
fn observe_json_matches_the_committed_schema() {
    let path = root().join("schemas/observe.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        committed,
        ok(&["schema", "observe"]),
        "{} is stale: run `cargo xtask generate`",
        path.display()
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let address = serve(growing);
    for extra in [&[][..], &["--trend", "28d"][..]] {
        let instance = observed(&address, extra);
        let errors: Vec<String> = validator.iter_errors(&instance).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{extra:?}: {errors:?}");
        // Not vacuous: an observation without its drivers, or with a
        // trend's rate written as text, fails it.
        let mut broken = instance.clone();
        broken.as_object_mut().unwrap().remove("drivers");
        assert!(!validator.is_valid(&broken));
        if !extra.is_empty() {
            let mut broken = instance.clone();
            broken["drivers"][0]["trend"]["rate"] = "fast".into();
            assert!(!validator.is_valid(&broken));
        }
    }
}

/// A copy of the shipped config directory with the fixture's `[observe]`
/// queries added to lead-gen's own file, as a deployment would keep them.
fn config_dir_with_observe() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for entry in std::fs::read_dir(root().join("config")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let queries = std::fs::read_to_string(queries()).unwrap();
    let leadgen = dir.path().join("leadgen-insurance.toml");
    let shipped = std::fs::read_to_string(&leadgen).unwrap();
    std::fs::write(&leadgen, format!("{shipped}\n{queries}")).unwrap();
    dir
}

#[test]
fn report_measures_each_profile_with_an_observe_section() {
    let address = serve(growing);
    let config = config_dir_with_observe();
    let out = tempfile::tempdir().unwrap();
    let reports = out.path().join("reports");
    let report = |prometheus: &str| {
        let mut command = bare();
        command.arg("--plugin-dir").arg(plugin_dir()).arg("--config-dir").arg(config.path());
        command.args(["report", "--out"]).arg(&reports);
        command.args(["--observe", "--prometheus", prometheus, "--at", "1764000000"]);
        command.args(["--trend", "28d"]);
        command
    };
    // A server that is not there: the whole report fails, and nothing is written.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let text = fails(&mut report(&format!("http://{closed}")));
    assert!(text.contains("cannot reach Prometheus"), "{text}");
    assert!(!reports.exists());
    let summary = observe_ok(&mut report(&address));
    assert!(summary.contains("  not measured: no [observe] section\n"), "{summary}");
    assert!(
        summary.contains("  measured 2025-11-24 16:00:00 UTC: users 812 (0.6 months ahead of plan), leads_per_day 40000 (behind plan: 80.0% of today's)\n"),
        "{summary}"
    );
    assert!(summary.contains("  the measured drivers need more: api 5 where 4 run\n"), "{summary}");
    assert!(summary.contains("  measured growth: users +10.0% a month over 28d"), "{summary}");
    assert!(
        summary.contains(
            "  measured loads reach the headroom line: api concurrent_users at month 2.3\n"
        ),
        "{summary}"
    );
    // The section is what `observe --format md` prints, under its heading,
    // with the chart beside it and the JSON what `observe --format json` gives.
    let markdown = std::fs::read_to_string(reports.join("leadgen-insurance.md")).unwrap();
    let section = observe_ok(&mut observe(
        &address,
        &["--at", "1764000000", "--trend", "28d", "--format", "md"],
    ));
    assert!(
        markdown.contains(&format!("\n## Measured, against the plan\n\n{section}")),
        "{markdown}"
    );
    assert!(markdown
        .contains("![Each measured driver on its growth curve](leadgen-insurance.observed.svg)"));
    assert!(reports.join("leadgen-insurance.observed.svg").is_file());
    let written =
        json(&std::fs::read_to_string(reports.join("leadgen-insurance.observed.json")).unwrap());
    assert_eq!(written, observed(&address, &["--at", "1764000000", "--trend", "28d"]));
    assert!(!reports.join("hostel-complaints.observed.json").exists());
    // Measuring is asked for: its flags alone are refused.
    let mut command = headroom();
    command.args(["report", "--out"]).arg(&reports).args(["--trend", "28d"]);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--observe"));
}

/// A real Prometheus on a loopback port, backfilled with the fixture's
/// metrics; killed when dropped.
struct RealPrometheus {
    child: Child,
    address: String,
    _data: tempfile::TempDir,
}

impl Drop for RealPrometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

fn real_prometheus() -> Option<RealPrometheus> {
    let (Some(prometheus), Some(promtool)) = (on_path("prometheus"), on_path("promtool")) else {
        assert!(
            std::env::var_os("HEADROOM_REQUIRE_PROMETHEUS").is_none(),
            "HEADROOM_REQUIRE_PROMETHEUS is set but prometheus or promtool is not on the PATH"
        );
        eprintln!(
            "observe_against_a_real_prometheus: no prometheus and promtool on the PATH; not run"
        );
        return None;
    };
    let data = tempfile::tempdir().expect("a temporary directory");
    // The fixture's metrics, written by the script kept beside its queries.
    let script = root().join("tests/fixtures/prometheus/make_openmetrics.py");
    let written = Command::new("python3").arg(&script).output().expect("python3 runs");
    assert!(written.status.success(), "{} failed", script.display());
    let fixture = data.path().join("leadgen.om");
    std::fs::write(&fixture, written.stdout).unwrap();
    let status = Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&fixture)
        .arg(data.path().join("tsdb"))
        .stdout(Stdio::null())
        .status()
        .expect("promtool runs");
    assert!(status.success(), "promtool could not backfill {}", fixture.display());
    std::fs::write(data.path().join("prometheus.yml"), "global:\n  scrape_interval: 1h\n").unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(prometheus)
        .arg(format!("--config.file={}", data.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", data.path().join("tsdb").display()))
        .arg("--storage.tsdb.retention.time=100y")
        // The fixture samples every 15 minutes: a query looks back 30.
        .arg("--query.lookback-delta=30m")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts");
    let server = RealPrometheus { child, address: format!("http://127.0.0.1:{port}"), _data: data };
    // Ready when /-/ready answers 200 (it loads the blocks first).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(stream, "GET /-/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return Some(server);
            }
        }
        assert!(Instant::now() < deadline, "prometheus was not ready within a minute");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn observe_against_a_real_prometheus() {
    let Some(server) = real_prometheus() else { return };
    let o = observed(&server.address, &["--at", "1764000000"]);
    check_leadgen(&o);
    let table = observe_ok(&mut observe(&server.address, &["--at", "2025-11-24T16:00:00Z"]));
    insta::assert_snapshot!(
        "observe_leadgen_table",
        table.replace(&server.address, "http://prometheus:9090")
    );
    // The users grow 25% a month in the fixture, with a daily swing of 4%:
    // the fitted rate's interval holds it; the leads are flat.
    let o = observed(&server.address, &["--at", "1764000000", "--trend", "28d"]);
    let users = &o["drivers"][0]["trend"];
    let rate = |key: &str| users[key].as_f64().unwrap();
    assert!(rate("rate_low") < 0.25 && 0.25 < rate("rate_high"), "{users}");
    // The swing taken out (`auto`: 200 samples 3.36 h apart show a daily
    // cycle, and 28 days a weekly one), the rate is the fixture's to the
    // samples' rounding. About the trend through the swing's mean
    // logarithm, ln((1 + sqrt(1 - 0.04²)) / 2), the day's top is
    // 1.04 / 0.9996 - 1 = +4.02% and its foot 0.96 / 0.9996 - 1 = -3.98%.
    assert!((rate("rate") - 0.25).abs() < 1e-4, "{users}");
    let swing = |cycle: &str, end: &str| {
        let swings = users["swings"].as_array().unwrap();
        swings.iter().find(|s| s["cycle"] == cycle).unwrap()[end].as_f64().unwrap()
    };
    // Prometheus answers each step with the last scrape before it, up to
    // 15 minutes early, which blurs the swing by a few hundredths of a
    // percent (the rate it leaves alone).
    assert!((swing("daily", "high") - 0.04016).abs() < 1e-3, "{users}");
    assert!((swing("daily", "low") + 0.03984).abs() < 1e-3, "{users}");
    assert!(swing("weekly", "high").abs() < 1e-3 && swing("weekly", "low").abs() < 1e-3);
    assert!((rate("peak_over_trend") - swing("daily", "high")).abs() < 1e-3, "{users}");
    // Measured at 16:00, where the swing is zero: the busiest hours run
    // about 4% over it, 812 x 1.04 = 844.5, which the busiest flags plan
    // from (the leads, which do not swing, as measured).
    let busiest = rate("trend_now") * (1.0 + rate("peak_over_trend"));
    assert!((busiest / (812.0 * 1.04) - 1.0).abs() < 2e-3, "{users}");
    let flags: Vec<&str> =
        o["trend"]["busiest_set"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let users_flag =
        format!("milestones.current.drivers.users={}", (busiest * 10.0).round() / 10.0);
    assert_eq!(flags, [users_flag.as_str(), "milestones.current.drivers.leads_per_day=40000"]);
    // Its busiest hours reach the 3-month 2,000 users sooner, growing at
    // the same 25%: ln(2000 / 844.3) / ln 1.25 = 3.87 months against 4.04.
    let busiest_users = (busiest * 10.0).round() / 10.0;
    assert_eq!(users["busiest"].as_f64(), Some(busiest_users));
    let month = users["reaches"][0]["busiest_month"].as_f64().unwrap();
    assert!((month - (2000.0 / busiest_users).ln() / 1.25f64.ln()).abs() < 1e-6, "{month}");
    assert!(o["drivers"][1]["trend"]["reaches"][0]["busiest_month"].is_null());
    // Left in, the swing is noise: an interval a hundred times wider (+23.0%
    // to +26.3% against +24.99% to +25.02%), its rate 0.4% a month off.
    let plain = observed(
        &server.address,
        &["--at", "1764000000", "--trend", "28d", "--seasonality", "none"],
    );
    let plain = &plain["drivers"][0]["trend"];
    let width =
        |t: &serde_json::Value| t["rate_high"].as_f64().unwrap() - t["rate_low"].as_f64().unwrap();
    assert!(width(plain) > 50.0 * width(users), "{plain}\n{users}");
    assert!((plain["rate"].as_f64().unwrap() - 0.25).abs() > 10.0 * (rate("rate") - 0.25).abs());
    assert!(o["drivers"][1]["trend"]["rate"].as_f64().unwrap().abs() < 1e-4);
    // The Monte Carlo it points to draws the users' rate about the fitted
    // one; its median draw outgrows Postgres when the point estimate does.
    let mut args = vec!["simulate", "leadgen-insurance", "--draws", "2000", "--format", "json"];
    let flags: Vec<&str> =
        o["trend"]["simulate"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    for flag in &flags {
        args.extend(["--set", flag]);
    }
    let simulation = json(&ok(&args));
    let drawn = &simulation["inputs"]["growth.rates.users"];
    assert_eq!(drawn["distribution"], "normal");
    assert_eq!(drawn["mean"], users["rate_used"]);
    assert!((drawn["sd"].as_f64().unwrap() / rate("rate_sd") - 1.0).abs() < 0.005, "{drawn}");
    let runway = o["trend"]["runway"].as_array().unwrap();
    let month = runway.iter().find(|r| r["tier"] == "postgres").unwrap()["month"].as_u64().unwrap();
    let broken = |m: u64| simulation["breach"][m as usize]["by_tier"]["postgres"].as_f64().unwrap();
    assert!(broken(month - 1) < 0.5 && 0.5 < broken(month), "month {month}: {simulation}");
    let table = observe_ok(&mut observe(
        &server.address,
        &["--at", "2025-11-24T16:00:00Z", "--trend", "28d", "--format", "md"],
    ));
    insta::assert_snapshot!(
        "observe_leadgen_trend_markdown",
        table.replace(&server.address, "http://prometheus:9090")
    );
    // An RFC 3339 time the server cannot read is its refusal, named.
    let text = fails(&mut observe(&server.address, &["--at", "yesterday"]));
    assert!(text.contains("bad_data: invalid parameter \"time\""), "{text}");
}
