//! Load-test files: concurrency against throughput (and latency), from the
//! output of real load-testing tools.
//!
//! Known formats, recognised by their content rather than their name:
//! - plain CSV: header `concurrency,throughput` (extra columns such as
//!   `p95` are kept as latency percentiles, in seconds);
//! - Locust `--csv` `*_stats_history.csv`: the `Aggregated` rows, grouped
//!   by `User Count`; each level's throughput is the median `Requests/s` of
//!   the second half of its rows (the first half is ramp-up and the window
//!   of Locust's moving average catching up);
//! - JMeter JTL CSV (`timeStamp,elapsed,…,allThreads,…`): samples grouped by
//!   thread group (`threadName` less its `g-t` suffix) and `allThreads`;
//!   throughput is samples over the group's time span; a group with under
//!   5% of the largest one's samples is a ramp-up or ramp-down transient and
//!   is dropped;
//! - k6 `--summary-export` JSON: one point, `vus.max` against
//!   `http_reqs.rate` (give one file per concurrency level);
//! - k6 `--out json` JSON lines: `http_reqs` points counted per second,
//!   grouped by the `vus` value of that second.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use headroom_kernel::usl::Measurement;

/// Why a load-test file cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct LoadTestError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

/// The formats this module reads, for error messages.
pub const KNOWN_FORMATS: &str = "plain CSV (concurrency,throughput), Locust stats history CSV, JMeter JTL CSV, k6 --summary-export JSON, k6 --out json lines";

/// One concurrency level of a load test.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Concurrency and throughput.
    pub measurement: Measurement,
    /// Latency percentiles in seconds, by name (`p50`, `p95`, `p99`), where
    /// the file has them.
    pub latency: BTreeMap<String, f64>,
}

/// A load test read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadTest {
    /// The format recognised.
    pub format: &'static str,
    /// Its levels, by increasing concurrency.
    pub levels: Vec<Level>,
}

fn fail(path: &Path, message: impl Into<String>) -> LoadTestError {
    LoadTestError { path: path.to_path_buf(), message: message.into() }
}

/// Reads a load-test file of any known format.
pub fn read(path: &Path) -> Result<LoadTest, LoadTestError> {
    let bytes = std::fs::read(path).map_err(|e| fail(path, e.to_string()))?;
    let text =
        String::from_utf8(bytes).map_err(|_| fail(path, "not UTF-8 text: not a load-test file"))?;
    parse(path, text)
}

/// A load test from the text of the file at `path` (named in errors).
fn parse(path: &Path, mut text: String) -> Result<LoadTest, LoadTestError> {
    // A spreadsheet saves its CSV with a byte-order mark before the header.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(fail(path, "the file is empty"));
    }
    let test = if trimmed.starts_with('{') {
        let first_line = trimmed.lines().next().unwrap_or_default();
        if serde_json::from_str::<serde_json::Value>(first_line)
            .is_ok_and(|v| v.get("type").is_some())
        {
            k6_stream(path, &text)?
        } else {
            k6_summary(path, &text)?
        }
    } else {
        let header = trimmed.lines().next().unwrap_or_default();
        let columns: Vec<String> =
            header.split(',').map(|c| c.trim().trim_matches('"').to_string()).collect();
        let has = |name: &str| columns.iter().any(|c| c == name);
        if has("concurrency") && has("throughput") {
            plain(path, &text)?
        } else if has("User Count") && has("Requests/s") {
            locust(path, &text)?
        } else if has("timeStamp") && has("elapsed") && has("allThreads") {
            jmeter(path, &text)?
        } else if [';', '\t'].iter().any(|&sep| {
            let names: Vec<&str> = header.split(sep).map(|c| c.trim().trim_matches('"')).collect();
            names.len() > 1 && names.iter().any(|c| *c == "concurrency" || *c == "User Count")
        }) {
            // A spreadsheet in a locale whose decimal mark is a comma saves `;`.
            return Err(fail(
                path,
                "its fields are separated by `;` or a tab: load-test CSV is read comma-separated (save it with `,` between fields and `.` as the decimal mark)",
            ));
        } else {
            return Err(fail(
                path,
                format!("unknown load-test format; known formats: {KNOWN_FORMATS}"),
            ));
        }
    };
    if let Some(level) = test.levels.iter().find(|level| !usable(level.measurement)) {
        return Err(fail(path, unusable(level.measurement)));
    }
    if test.levels.is_empty() {
        return Err(fail(path, format!("no measurements found in this {} file", test.format)));
    }
    Ok(test)
}

/// Whether a level can enter a fit: both finite, concurrency above zero,
/// throughput not negative.
fn usable(m: Measurement) -> bool {
    m.concurrency.is_finite()
        && m.concurrency > 0.0
        && m.throughput.is_finite()
        && m.throughput >= 0.0
}

/// What [`usable`] says of a level it refuses.
fn unusable(m: Measurement) -> String {
    format!(
        "concurrency {} and throughput {}: both must be finite, concurrency above zero, throughput not negative",
        m.concurrency, m.throughput
    )
}

/// Rows of a CSV file as maps from header to field, refusing short rows (a
/// truncated file) with the line they are on.
fn csv_rows(path: &Path, text: &str) -> Result<Vec<BTreeMap<String, String>>, LoadTestError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| fail(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| fail(path, e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(fail(
                path,
                format!(
                    "line {line} has {} field{}, the header {}: the file looks truncated",
                    record.len(),
                    if record.len() == 1 { "" } else { "s" },
                    header.len()
                ),
            ));
        }
        rows.push(
            header.iter().cloned().zip(record.iter().map(|f| f.trim().to_string())).collect(),
        );
    }
    Ok(rows)
}

fn number(
    path: &Path,
    row: &BTreeMap<String, String>,
    column: &str,
    line: usize,
) -> Result<f64, LoadTestError> {
    let field = row.get(column).map(String::as_str).unwrap_or_default();
    field
        .parse::<f64>()
        .map_err(|_| fail(path, format!("line {line}: `{column}` is `{field}`, not a number")))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

fn plain(path: &Path, text: &str) -> Result<LoadTest, LoadTestError> {
    let mut levels = Vec::new();
    for (index, row) in csv_rows(path, text)?.iter().enumerate() {
        let line = index + 2;
        let mut latency = BTreeMap::new();
        for (column, value) in row {
            if column.starts_with('p')
                && column[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
                && !value.is_empty()
            {
                latency.insert(column.clone(), number(path, row, column, line)?);
            }
        }
        let measurement = Measurement {
            concurrency: number(path, row, "concurrency", line)?,
            throughput: number(path, row, "throughput", line)?,
        };
        if !usable(measurement) {
            return Err(fail(path, format!("line {line}: {}", unusable(measurement))));
        }
        levels.push(Level { measurement, latency });
    }
    levels.sort_by(|a, b| a.measurement.concurrency.total_cmp(&b.measurement.concurrency));
    Ok(LoadTest { format: "plain CSV", levels })
}

fn locust(path: &Path, text: &str) -> Result<LoadTest, LoadTestError> {
    let mut by_users: BTreeMap<u64, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for (index, row) in csv_rows(path, text)?.iter().enumerate() {
        if row.get("Name").map(String::as_str) != Some("Aggregated") {
            continue;
        }
        let line = index + 2;
        let users = number(path, row, "User Count", line)?;
        let rps = number(path, row, "Requests/s", line)?;
        if users <= 0.0 || rps <= 0.0 {
            continue;
        }
        // Percentile columns are milliseconds; "N/A" before the first response.
        let p50 = number(path, row, "50%", line).unwrap_or(f64::NAN) / 1000.0;
        let p95 = number(path, row, "95%", line).unwrap_or(f64::NAN) / 1000.0;
        by_users.entry(users as u64).or_default().push((rps, p50, p95));
    }
    let levels = by_users
        .into_iter()
        .map(|(users, rows)| {
            let steady = &rows[rows.len() / 2..];
            let mut rps: Vec<f64> = steady.iter().map(|r| r.0).collect();
            let mut p50: Vec<f64> = steady.iter().map(|r| r.1).filter(|v| v.is_finite()).collect();
            let mut p95: Vec<f64> = steady.iter().map(|r| r.2).filter(|v| v.is_finite()).collect();
            let mut latency = BTreeMap::new();
            if !p50.is_empty() {
                latency.insert("p50".to_string(), median(&mut p50));
            }
            if !p95.is_empty() {
                latency.insert("p95".to_string(), median(&mut p95));
            }
            Level {
                measurement: Measurement {
                    concurrency: users as f64,
                    throughput: median(&mut rps),
                },
                latency,
            }
        })
        .collect();
    Ok(LoadTest { format: "Locust stats history CSV", levels })
}

/// A level of a JTL needs this share of the samples of the largest level;
/// fewer are a thread group's threads starting or stopping (JMeter counts
/// `allThreads` as each one does), not a load the test held.
const JTL_TRANSIENT_SHARE: f64 = 0.05;

/// The thread group of a JMeter thread name, `<group name> <g>-<t>`.
fn thread_group(name: &str) -> &str {
    match name.rsplit_once(' ') {
        Some((group, index)) if index.contains('-') => group,
        _ => name,
    }
}

fn jmeter(path: &Path, text: &str) -> Result<LoadTest, LoadTestError> {
    // Samples by thread group and active threads: a run of several thread
    // groups one after another holds one level in each.
    let mut by_threads: BTreeMap<(u64, String), Vec<(f64, f64)>> = BTreeMap::new();
    for (index, row) in csv_rows(path, text)?.iter().enumerate() {
        let line = index + 2;
        let threads = number(path, row, "allThreads", line)?;
        let start = number(path, row, "timeStamp", line)?;
        let elapsed = number(path, row, "elapsed", line)?;
        let group = thread_group(row.get("threadName").map(String::as_str).unwrap_or_default());
        by_threads
            .entry((threads as u64, group.to_string()))
            .or_default()
            .push((start + elapsed, elapsed / 1000.0));
    }
    let largest = by_threads.values().map(Vec::len).max().unwrap_or(0);
    by_threads.retain(|_, samples| samples.len() as f64 >= JTL_TRANSIENT_SHARE * largest as f64);
    let mut levels = Vec::new();
    for ((threads, _), samples) in by_threads {
        let first = samples.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
        let last = samples.iter().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
        let span = (last - first) / 1000.0;
        if threads == 0 || samples.len() < 2 || span <= 0.0 {
            continue;
        }
        let mut elapsed: Vec<f64> = samples.iter().map(|s| s.1).collect();
        elapsed.sort_by(f64::total_cmp);
        let quantile = |q: f64| elapsed[((elapsed.len() - 1) as f64 * q).round() as usize];
        let latency = [("p50", quantile(0.5)), ("p95", quantile(0.95)), ("p99", quantile(0.99))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        levels.push(Level {
            measurement: Measurement {
                concurrency: threads as f64,
                throughput: (samples.len() - 1) as f64 / span,
            },
            latency,
        });
    }
    Ok(LoadTest { format: "JMeter JTL CSV", levels })
}

fn k6_summary(path: &Path, text: &str) -> Result<LoadTest, LoadTestError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        fail(
            path,
            format!(
                "invalid JSON at line {} column {}: {e}; the file may be truncated",
                e.line(),
                e.column()
            ),
        )
    })?;
    let metrics = value.get("metrics").ok_or_else(|| {
        fail(
            path,
            format!(
                "JSON without `metrics`: unknown load-test format; known formats: {KNOWN_FORMATS}"
            ),
        )
    })?;
    let field = |metric: &str, key: &str| {
        metrics.get(metric).and_then(|m| m.get(key)).and_then(serde_json::Value::as_f64)
    };
    let vus =
        field("vus", "max").or_else(|| field("vus_max", "max")).or_else(|| field("vus", "value"));
    let rate = field("http_reqs", "rate");
    let (Some(vus), Some(rate)) = (vus, rate) else {
        return Err(fail(path, "k6 summary without `vus` or `http_reqs.rate`"));
    };
    let mut latency = BTreeMap::new();
    for (name, key) in [("p50", "med"), ("p90", "p(90)"), ("p95", "p(95)"), ("p99", "p(99)")] {
        if let Some(ms) = field("http_req_duration", key) {
            latency.insert(name.to_string(), ms / 1000.0);
        }
    }
    Ok(LoadTest {
        format: "k6 summary JSON",
        levels: vec![Level {
            measurement: Measurement { concurrency: vus, throughput: rate },
            latency,
        }],
    })
}

fn k6_stream(path: &Path, text: &str) -> Result<LoadTest, LoadTestError> {
    // Per second: the VUs running, and requests completed.
    let mut vus: BTreeMap<String, f64> = BTreeMap::new();
    let mut requests: BTreeMap<String, f64> = BTreeMap::new();
    for (index, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            fail(path, format!("line {}: invalid JSON ({e}); the file may be truncated", index + 1))
        })?;
        if value.get("type").and_then(|t| t.as_str()) != Some("Point") {
            continue;
        }
        let metric = value.get("metric").and_then(|m| m.as_str()).unwrap_or_default();
        let data = &value["data"];
        let second: String = data["time"].as_str().unwrap_or_default().chars().take(19).collect();
        let v = data["value"].as_f64().unwrap_or(0.0);
        match metric {
            "vus" => {
                vus.insert(second, v);
            }
            "http_reqs" => *requests.entry(second).or_default() += v,
            _ => {}
        }
    }
    let mut by_vus: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    let mut current = 0.0;
    let seconds: Vec<&String> = requests.keys().collect();
    for second in &seconds {
        if let Some(v) = vus.get(*second) {
            current = *v;
        }
        if current > 0.0 {
            by_vus.entry(current as u64).or_default().push(requests[*second]);
        }
    }
    let levels = by_vus
        .into_iter()
        .filter(|(_, counts)| counts.len() >= 2)
        .map(|(v, mut counts)| {
            // Drop the first and last second of a level: they are partial.
            let inner = counts.len().saturating_sub(2).max(1);
            let steady: Vec<f64> = counts.drain(..).skip(1).take(inner).collect();
            let mean = steady.iter().sum::<f64>() / steady.len() as f64;
            Level {
                measurement: Measurement { concurrency: v as f64, throughput: mean },
                latency: BTreeMap::new(),
            }
        })
        .collect();
    Ok(LoadTest { format: "k6 JSON lines", levels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every recorded load-test fixture, by name and text.
    fn fixtures() -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/loadtests");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "json" | "jtl"))
            })
            .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        files
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// A recorded file cut short anywhere, or with a byte changed, reads
        /// as a load test of usable levels or is refused: never a panic.
        #[test]
        fn a_file_cut_short_or_changed_is_read_or_refused(
            which in 0usize..64,
            cut in 0.0f64..=1.0,
            at in 0.0f64..1.0,
            byte in proptest::char::range(' ', '~'),
        ) {
            let files = fixtures();
            let (name, text) = &files[which % files.len()];
            let mut end = (text.len() as f64 * cut) as usize;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let mut changed = text[..end].to_string();
            let mut place = (changed.len() as f64 * at) as usize;
            while place > 0 && !changed.is_char_boundary(place) {
                place -= 1;
            }
            if place < changed.len() {
                let next = changed[place..].chars().next().map_or(1, char::len_utf8);
                changed.replace_range(place..place + next, &byte.to_string());
            }
            for text in [text[..end].to_string(), changed] {
                match parse(Path::new(name), text) {
                    Ok(test) => {
                        prop_assert!(!test.levels.is_empty());
                        for level in &test.levels {
                            prop_assert!(usable(level.measurement), "{name}: {level:?}");
                        }
                    }
                    Err(error) => prop_assert!(error.to_string().starts_with(name.as_str())),
                }
            }
        }

        /// Any text at all: read or refused, never a panic.
        #[test]
        fn any_text_is_read_or_refused(text in "\\PC{0,400}") {
            let _ = parse(Path::new("any.csv"), text);
        }
    }

    #[test]
    fn jmeter_levels_skip_threads_stopping() {
        // Two thread groups: 1 thread, 20 samples 10 ms apart (100/s); then
        // 2 threads, 40 samples 5 ms apart (200/s), of which the last is
        // taken while one thread has stopped (allThreads 1): a transient,
        // not a level, and not part of the first group's level either.
        let mut text = String::from("timeStamp,elapsed,threadName,allThreads\n");
        for i in 0..20 {
            text.push_str(&format!("{},10,Group A 1-1,1\n", 1000 + i * 10));
        }
        for i in 0..39 {
            text.push_str(&format!("{},10,Group B 2-{},2\n", 5000 + i * 5, 1 + i % 2));
        }
        text.push_str("5200,10,Group B 2-1,1\n");
        let test = jmeter(Path::new("t.jtl"), &text).unwrap();
        let points: Vec<(f64, f64)> = test
            .levels
            .iter()
            .map(|l| (l.measurement.concurrency, l.measurement.throughput))
            .collect();
        assert_eq!(points.len(), 2, "{points:?}");
        assert_eq!(points[0].0, 1.0);
        assert!((points[0].1 - 100.0).abs() < 1e-9, "{points:?}");
        assert_eq!(points[1].0, 2.0);
        assert!((points[1].1 - 200.0).abs() < 1e-9, "{points:?}");
        assert_eq!(thread_group("Thread Group 8 1-4"), "Thread Group 8");
        assert_eq!(thread_group("worker"), "worker");
    }

    #[test]
    fn a_spreadsheets_csv_reads_as_the_plain_one() {
        // Saved from a spreadsheet: a byte-order mark and CRLF line ends.
        let dir = tempfile::tempdir().unwrap();
        let (plain, saved) = (dir.path().join("plain.csv"), dir.path().join("saved.csv"));
        let rows = ["concurrency,throughput", "1,100", "2,190", "4,350"];
        std::fs::write(&plain, rows.join("\n")).unwrap();
        std::fs::write(&saved, format!("\u{feff}{}\r\n", rows.join("\r\n"))).unwrap();
        let read_plain = read(&plain).unwrap();
        assert_eq!(read_plain.levels.len(), 3);
        assert_eq!(read(&saved).unwrap(), read_plain);
    }
}
