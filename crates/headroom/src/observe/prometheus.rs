//! A client of Prometheus's HTTP API: instant queries (`GET /api/v1/query`),
//! each answered by one number.
//!
//! A measurement is one number: a query must give a one-series instant
//! vector or a scalar. Everything else (no series, several, a range vector,
//! `NaN`, a negative value, an answer that is not Prometheus's JSON, a
//! server that is down or slow) is an error naming the query's key, its
//! PromQL and the server, never a number. The queries of one run go out
//! together (tokio) and the run waits for all of them, so a run costs the
//! slowest query, not their sum.

use std::time::Duration;

use serde::Deserialize;

/// Why a measurement could not be taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrometheusError {
    /// The address is not an http(s) URL.
    #[error("`{url}` is not a Prometheus address ({reason}): give http:// or https://, the host and the port, e.g. http://prometheus:9090")]
    BadAddress {
        /// The address given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server could not be reached.
    #[error("cannot reach Prometheus at {url} for `{key}`: {reason}")]
    Unreachable {
        /// The server.
        url: String,
        /// The query's key.
        key: String,
        /// The cause, as the network stack gave it.
        reason: String,
    },
    /// The server did not answer in time.
    #[error(
        "Prometheus at {url} did not answer `{key}` within {seconds} s (observe.timeout_seconds)"
    )]
    TimedOut {
        /// The server.
        url: String,
        /// The query's key.
        key: String,
        /// The time allowed.
        seconds: f64,
    },
    /// Prometheus answered with an error (a query it cannot parse or run).
    #[error("Prometheus at {url} refused `{key}` ({promql}): {kind}: {message}")]
    Refused {
        /// The server.
        url: String,
        /// The query's key.
        key: String,
        /// The PromQL sent.
        promql: String,
        /// Prometheus's `errorType`.
        kind: String,
        /// Prometheus's `error`.
        message: String,
    },
    /// The server (or a proxy before it) wants credentials it was not given.
    #[error("Prometheus at {url} refused `{key}` with HTTP {status}: it wants credentials; name the variable that holds a bearer token in `observe.bearer_token_env`{given}")]
    Unauthorised {
        /// The server.
        url: String,
        /// The query's key.
        key: String,
        /// 401 or 403.
        status: u16,
        /// What was sent, if anything.
        given: String,
    },
    /// The answer is not Prometheus's JSON API.
    #[error("{url} answered `{key}` with HTTP {status} and no Prometheus API response (it began {start:?}): is the address a Prometheus server, with any path prefix it is served under?")]
    NotPrometheus {
        /// The server.
        url: String,
        /// The query's key.
        key: String,
        /// The HTTP status.
        status: u16,
        /// The first characters of the body.
        start: String,
    },
    /// The answer is not one finite number at or above zero.
    #[error("`{key}` ({promql}) at Prometheus {url}: {problem}")]
    NotOneNumber {
        /// The server.
        url: String,
        /// The query's key.
        key: String,
        /// The PromQL sent.
        promql: String,
        /// What the answer was instead.
        problem: String,
    },
}

/// One query of a run: the configuration key it comes from and its PromQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Where the query is configured, e.g. `observe.drivers.users`.
    pub key: String,
    /// The PromQL expression.
    pub promql: String,
}

/// One query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The value.
    pub value: f64,
    /// When Prometheus evaluated it, Unix seconds.
    pub timestamp: f64,
}

/// A Prometheus server and how long to wait for it.
#[derive(Debug, Clone)]
pub struct Prometheus {
    url: reqwest::Url,
    shown: String,
    timeout: Duration,
    token: Option<String>,
}

impl Prometheus {
    /// A server at `url` (`http://host:9090`, or with the path prefix it is
    /// served under), each query waited for at most `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<Prometheus, PrometheusError> {
        let bad = |reason: &str| PrometheusError::BadAddress {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad(&format!("scheme `{}`", parsed.scheme())));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad("a query string or fragment"));
        }
        let shown = url.trim_end_matches('/').to_string();
        let mut endpoint = parsed;
        endpoint.set_path(&format!("{}/api/v1/query", endpoint.path().trim_end_matches('/')));
        Ok(Prometheus { url: endpoint, shown, timeout, token: None })
    }

    /// Sends `token` as a bearer token (`Authorization: Bearer …`) with
    /// every query: for a Prometheus behind an authenticating proxy.
    pub fn with_bearer_token(mut self, token: String) -> Prometheus {
        self.token = Some(token);
        self
    }

    /// The address as given, without a trailing `/`.
    pub fn address(&self) -> &str {
        &self.shown
    }

    /// Runs every query at `at` (Unix seconds or RFC 3339, as Prometheus
    /// takes it; now when `None`), all at once, and returns their answers in
    /// order, or the first query's error (in `queries`' order, so that the
    /// same failure reads the same way every run).
    pub fn instant_all(
        &self,
        queries: &[Query],
        at: Option<&str>,
    ) -> Result<Vec<Sample>, PrometheusError> {
        self.ask_all(queries, at, read_answer)
    }

    /// Runs every query, each a range over a window (a subquery,
    /// `(expr)[28d:3h]`, evaluated at `at`), all at once, and returns each
    /// one's samples, oldest first: a history, one series of at least 3
    /// finite samples at or above zero.
    pub fn history_all(
        &self,
        queries: &[Query],
        at: Option<&str>,
    ) -> Result<Vec<Vec<Sample>>, PrometheusError> {
        self.ask_all(queries, at, read_history)
    }

    fn ask_all<T: Send + 'static>(
        &self,
        queries: &[Query],
        at: Option<&str>,
        read: fn(u16, &[u8]) -> Result<T, Problem>,
    ) -> Result<Vec<T>, PrometheusError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| self.unreachable(queries.first(), e.to_string()))?;
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| self.unreachable(queries.first(), chain(&e)))?;
        runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for (index, query) in queries.iter().enumerate() {
                let (client, this, query) = (client.clone(), self.clone(), query.clone());
                let at = at.map(str::to_string);
                tasks.spawn(async move {
                    (index, this.ask(&client, &query, at.as_deref(), read).await)
                });
            }
            let mut answers: Vec<Option<Result<T, PrometheusError>>> =
                queries.iter().map(|_| None).collect();
            while let Some(joined) = tasks.join_next().await {
                // A task only returns, and none is cancelled: a join error
                // would be a bug, reported as the run's failure, not a panic.
                match joined {
                    Ok((index, answer)) => answers[index] = Some(answer),
                    Err(e) => return Err(self.unreachable(queries.first(), e.to_string())),
                }
            }
            answers
                .into_iter()
                .map(|a| {
                    a.unwrap_or_else(|| Err(self.unreachable(queries.first(), "no answer".into())))
                })
                .collect()
        })
    }

    async fn ask<T>(
        &self,
        client: &reqwest::Client,
        query: &Query,
        at: Option<&str>,
        read: fn(u16, &[u8]) -> Result<T, Problem>,
    ) -> Result<T, PrometheusError> {
        let mut form = vec![("query", query.promql.as_str())];
        if let Some(at) = at {
            form.push(("time", at));
        }
        let mut request = client.get(self.url.clone()).query(&form);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| self.failed(query, &e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| self.failed(query, &e))?;
        read(status, &body).map_err(|problem| match problem {
            Problem::NotApi if status == 401 || status == 403 => PrometheusError::Unauthorised {
                url: self.shown.clone(),
                key: query.key.clone(),
                status,
                given: if self.token.is_some() {
                    " (a token was sent, and refused)".to_string()
                } else {
                    String::new()
                },
            },
            Problem::NotApi => PrometheusError::NotPrometheus {
                url: self.shown.clone(),
                key: query.key.clone(),
                status,
                start: String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned(),
            },
            Problem::Refused { kind, message } => PrometheusError::Refused {
                url: self.shown.clone(),
                key: query.key.clone(),
                promql: query.promql.clone(),
                kind,
                message,
            },
            Problem::NotOneNumber(problem) => PrometheusError::NotOneNumber {
                url: self.shown.clone(),
                key: query.key.clone(),
                promql: query.promql.clone(),
                problem,
            },
        })
    }

    fn failed(&self, query: &Query, error: &reqwest::Error) -> PrometheusError {
        if error.is_timeout() {
            PrometheusError::TimedOut {
                url: self.shown.clone(),
                key: query.key.clone(),
                seconds: self.timeout.as_secs_f64(),
            }
        } else {
            self.unreachable(Some(query), chain(error))
        }
    }

    fn unreachable(&self, query: Option<&Query>, reason: String) -> PrometheusError {
        PrometheusError::Unreachable {
            url: self.shown.clone(),
            key: query.map(|q| q.key.clone()).unwrap_or_default(),
            reason,
        }
    }
}

/// An error and its causes, innermost last ("error sending request: client
/// error (Connect): tcp connect error: Connection refused (os error 111)").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// What an answer was, when it was not one number.
#[derive(Debug, PartialEq)]
enum Problem {
    /// Not Prometheus's JSON envelope at all.
    NotApi,
    /// `"status": "error"`.
    Refused { kind: String, message: String },
    /// A success that is not one finite number at or above zero.
    NotOneNumber(String),
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct Series {
    #[serde(default)]
    metric: serde_json::Map<String, serde_json::Value>,
    value: (f64, String),
}

/// The `data` of a successful answer of Prometheus's JSON API (documented
/// at <https://prometheus.io/docs/prometheus/latest/querying/api/>).
fn read_envelope(status: u16, body: &[u8]) -> Result<Data, Problem> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|_| Problem::NotApi)?;
    match envelope.status.as_str() {
        "success" => envelope.data.ok_or(Problem::NotApi),
        "error" => Err(Problem::Refused {
            kind: envelope.error_type.unwrap_or_else(|| format!("HTTP {status}")),
            message: envelope.error.unwrap_or_default(),
        }),
        _ => Err(Problem::NotApi),
    }
}

/// The one series of a result, or why there is not one.
fn one_series<S: serde::de::DeserializeOwned>(
    result: serde_json::Value,
    labels_of: impl Fn(&S) -> String,
    none: &str,
) -> Result<S, Problem> {
    let mut series: Vec<S> = serde_json::from_value(result).map_err(|_| Problem::NotApi)?;
    match series.len() {
        0 => Err(Problem::NotOneNumber(none.to_string())),
        1 => Ok(series.remove(0)),
        n => {
            let shown: Vec<String> = series.iter().take(3).map(labels_of).collect();
            let more = if n > 3 { ", …" } else { "" };
            Err(Problem::NotOneNumber(format!(
                "{n} series matched ({}{more}); a measurement is one number: aggregate them, e.g. sum(...) or max(...)",
                shown.join(", ")
            )))
        }
    }
}

/// A sample's value, when it is a finite number at or above zero.
fn measured_value(text: &str, when: &str) -> Result<f64, Problem> {
    let value = parse_value(text).ok_or_else(|| {
        Problem::NotOneNumber(format!("the value {text:?}{when} is not a number"))
    })?;
    if !value.is_finite() || value < 0.0 {
        return Err(Problem::NotOneNumber(format!(
            "the value{when} is {text}; a measured driver or load must be a finite number, not negative"
        )));
    }
    Ok(value)
}

/// Reads one `/api/v1/query` answer: a vector of one series or a scalar,
/// its value a string Prometheus writes as Go's `strconv.FormatFloat` does
/// (`"812"`, `"1.5e+06"`, `"NaN"`, `"+Inf"`).
fn read_answer(status: u16, body: &[u8]) -> Result<Sample, Problem> {
    let data = read_envelope(status, body)?;
    let (timestamp, text) = match data.result_type.as_str() {
        "scalar" => serde_json::from_value::<(f64, String)>(data.result).map_err(|_| Problem::NotApi)?,
        "vector" => {
            one_series(
                data.result,
                |s: &Series| labels(&s.metric),
                "no series matched at that time: check the metric's name and labels, and that it was scraped",
            )?
            .value
        }
        "matrix" => {
            return Err(Problem::NotOneNumber(
                "a range vector; a measurement is one number: take it over the range, e.g. max_over_time(...[1d])".into(),
            ))
        }
        other => {
            return Err(Problem::NotOneNumber(format!("a result of type `{other}`, not a number")))
        }
    };
    Ok(Sample { value: measured_value(&text, "")?, timestamp })
}

/// One series of a range vector.
#[derive(Deserialize)]
struct RangeSeries {
    #[serde(default)]
    metric: serde_json::Map<String, serde_json::Value>,
    values: Vec<(f64, String)>,
}

/// Reads the answer to a subquery: a range vector of one series, at least
/// 3 samples, each a finite number at or above zero; oldest first.
fn read_history(status: u16, body: &[u8]) -> Result<Vec<Sample>, Problem> {
    let data = read_envelope(status, body)?;
    if data.result_type != "matrix" {
        return Err(Problem::NotOneNumber(format!(
            "a result of type `{}` where a history (a range vector) was asked for",
            data.result_type
        )));
    }
    let series = one_series(
        data.result,
        |s: &RangeSeries| labels(&s.metric),
        "no series matched over the window: check the metric's name and labels, and that it was scraped then",
    )?;
    let mut samples = Vec::with_capacity(series.values.len());
    for (timestamp, text) in &series.values {
        let value = measured_value(text, &format!(" at {}", crate::render::utc(*timestamp)))?;
        samples.push(Sample { value, timestamp: *timestamp });
    }
    if samples.len() < 3 {
        return Err(Problem::NotOneNumber(format!(
            "{} sample(s) over the window; a trend needs at least 3: a longer window, or a metric scraped over more of it",
            samples.len()
        )));
    }
    samples.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));
    Ok(samples)
}

/// A sample value as Prometheus writes it.
fn parse_value(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// A series' labels as PromQL writes them: `{pod="a",service="api"}`.
fn labels(metric: &serde_json::Map<String, serde_json::Value>) -> String {
    let pairs: Vec<String> = metric
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", serde_json::Value::String(v.as_str().unwrap_or_default().into()))
        })
        .collect();
    format!("{{{}}}", pairs.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<Sample, Problem> {
        read_answer(200, body.as_bytes())
    }

    fn not_one(body: &str) -> String {
        match read(body) {
            Err(Problem::NotOneNumber(problem)) => problem,
            other => panic!("{other:?}"),
        }
    }

    /// The answers below are Prometheus 2.42's own (`promtool`-backfilled
    /// server, `curl /api/v1/query`), trimmed of other series.
    #[test]
    fn reads_one_series_or_a_scalar() {
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1764000000,"812"]}]}}"#;
        assert_eq!(read(vector), Ok(Sample { value: 812.0, timestamp: 1_764_000_000.0 }));
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1764000000.5,"1.5e+06"]}}"#;
        assert_eq!(read(scalar), Ok(Sample { value: 1.5e6, timestamp: 1_764_000_000.5 }));
        let warned = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[1,"0"]}]},"warnings":["x"]}"#;
        assert_eq!(read(warned).map(|s| s.value), Ok(0.0));
    }

    #[test]
    fn refuses_what_is_not_one_number() {
        let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(not_one(empty).starts_with("no series matched"));
        let two = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"pod":"a"},"value":[1,"1"]},{"metric":{"pod":"b"},"value":[1,"2"]}]}}"#;
        let problem = not_one(two);
        assert!(problem.starts_with(r#"2 series matched ({pod="a"}, {pod="b"})"#), "{problem}");
        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}"#;
        assert!(not_one(matrix).starts_with("a range vector"));
        for (value, shown) in [("NaN", "NaN"), ("+Inf", "+Inf"), ("-3", "-3")] {
            let body = format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"value":[1,"{value}"]}}]}}}}"#
            );
            assert!(not_one(&body).starts_with(&format!("the value is {shown};")), "{value}");
        }
        let string = r#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#;
        assert!(not_one(string).contains("`string`"));
    }

    #[test]
    fn tells_a_refusal_from_a_server_that_is_not_prometheus() {
        let refused = r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected <EOF>"}"#;
        assert_eq!(
            read_answer(400, refused.as_bytes()),
            Err(Problem::Refused {
                kind: "bad_data".into(),
                message: "invalid parameter \"query\": 1:5: parse error: unexpected <EOF>".into()
            })
        );
        assert_eq!(read_answer(404, b"404 page not found"), Err(Problem::NotApi));
        assert_eq!(read_answer(200, br#"{"status":"ok"}"#), Err(Problem::NotApi));
        assert_eq!(read_answer(200, br#"{"status":"success"}"#), Err(Problem::NotApi));
    }

    #[test]
    fn an_address_is_http_with_a_host() {
        let five = Duration::from_secs(5);
        let endpoint = |url: &str| Prometheus::new(url, five).map(|p| p.url.to_string());
        assert_eq!(endpoint("http://prom:9090").unwrap(), "http://prom:9090/api/v1/query");
        assert_eq!(
            endpoint("https://x.example/prometheus/").unwrap(),
            "https://x.example/prometheus/api/v1/query"
        );
        for bad in ["prom:9090", "ftp://prom", "http://", "http://prom:9090/?a=1", "not a url"] {
            assert!(
                matches!(Prometheus::new(bad, five), Err(PrometheusError::BadAddress { .. })),
                "{bad}"
            );
        }
    }
}
