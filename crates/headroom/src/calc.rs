//! `headroom calc`: each kernel model on its own, for questions a planner
//! would otherwise take to a spreadsheet. Results are plain serializable
//! data; [`render_table`] prints any of them as `name  value` lines.

use std::path::PathBuf;

use headroom_kernel::growth::{GrowthCurve, GrowthPoint};
use headroom_kernel::queueing::{
    littles_law, servers_for, stable_servers, utilisation_law, Queue, QueueTarget,
};
use headroom_kernel::sizing::size_horizontal;
pub use headroom_kernel::sizing::HeadroomPolicy as Policy;
use headroom_kernel::trend::{Swing, DAYS_PER_MONTH};
use headroom_kernel::usl;
use headroom_kernel::{KernelError, Shown};
use serde::Serialize;

use crate::loadtest;
use crate::trend::{seasonal_trend, Seasonality, TrendChecks};
use crate::Error;

fn kernel(model: &str) -> impl Fn(headroom_kernel::KernelError) -> Error + '_ {
    move |source| Error::Calc { model: model.to_string(), message: source.to_string() }
}

/// What `calc erlang-c` asks.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErlangCQuestion {
    /// Arrivals per second.
    pub arrival_rate: f64,
    /// Mean service time, seconds.
    pub service_time: f64,
    /// Servers to evaluate (or find the fewest meeting a target).
    pub servers: Option<u32>,
    /// Wait threshold for the service level, seconds.
    pub wait_threshold: Option<f64>,
    /// A depth of the queue: the chance that more than this many wait.
    pub queue_threshold: Option<f64>,
    /// Target p50 response time, seconds.
    pub target_p50: Option<f64>,
    /// Target p95 response time, seconds.
    pub target_p95: Option<f64>,
    /// Target p99 response time, seconds.
    pub target_p99: Option<f64>,
    /// Target service level: fraction waiting at most `wait_threshold`.
    pub target_service_level: Option<f64>,
}

/// An M/M/c queue, answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErlangC {
    /// Which model: `M/M/c (Erlang C)`.
    pub model: &'static str,
    /// The target met, when servers were searched for.
    pub target: Option<String>,
    /// Arrivals per second.
    pub arrival_rate: f64,
    /// Mean service time, seconds.
    pub service_time: f64,
    /// Servers.
    pub servers: u32,
    /// Offered load, Erlangs.
    pub offered_load: f64,
    /// Utilisation.
    pub utilisation: f64,
    /// Probability of waiting.
    pub p_wait: f64,
    /// Mean wait, seconds.
    pub mean_wait: f64,
    /// Mean response time, seconds.
    pub mean_response: f64,
    /// Mean number waiting.
    pub mean_queue_length: f64,
    /// The p99 of the number waiting: more wait 1% of the time.
    pub queue_length_p99: u64,
    /// A depth of the queue asked about (`--queue-threshold`).
    pub queue_threshold: Option<f64>,
    /// The chance that more than `queue_threshold` wait, C ρ^(n+1).
    pub queue_over_threshold: Option<f64>,
    /// Wait threshold, seconds.
    pub wait_threshold: Option<f64>,
    /// P(wait <= threshold).
    pub service_level: Option<f64>,
    /// Response-time percentiles, seconds.
    pub response_p50: f64,
    /// p95.
    pub response_p95: f64,
    /// p99.
    pub response_p99: f64,
}

/// Answers an Erlang C question.
pub fn erlang_c(question: &ErlangCQuestion) -> Result<ErlangC, Error> {
    let q = question;
    // Each flag checked by its own name, before the kernel's general rule
    // ("a fraction in (0, 1) and a time") could only say which pair broke it.
    let refuse = |message: String| Err(Error::Calc { model: "erlang-c".into(), message });
    let time = |name: &str, value: Option<f64>| match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => {
            refuse(format!("{name} must be a finite time of at least 0 s, got {}", Shown(v)))
        }
        _ => Ok(()),
    };
    time("--wait-threshold", q.wait_threshold)?;
    if let Some(n) = q.queue_threshold.filter(|n| !(n.is_finite() && *n >= 0.0)) {
        return Err(Error::Calc {
            model: "erlang-c".into(),
            message: format!(
                "--queue-threshold must be a finite count of at least 0, got {}",
                Shown(n)
            ),
        });
    }
    let response_targets = [
        (0.5, "--target-p50", q.target_p50),
        (0.95, "--target-p95", q.target_p95),
        (0.99, "--target-p99", q.target_p99),
    ];
    for (_, flag, value) in response_targets {
        time(flag, value)?;
    }
    let mut response = response_targets.iter().filter_map(|(quantile, _, seconds)| {
        seconds.map(|seconds| QueueTarget::ResponseQuantile { quantile: *quantile, seconds })
    });
    let (response_target, another) = (response.next(), response.next());
    let not_one = || {
        Error::Calc {
        model: "erlang-c".into(),
        message: "give exactly one of --servers, --target-p50, --target-p95, --target-p99, --target-service-level".into(),
    }
    };
    if another.is_some() {
        return Err(not_one());
    }
    if let Some(v) = q.target_service_level.filter(|v| !(*v > 0.0 && *v < 1.0)) {
        refuse(format!(
            "--target-service-level must lie strictly between 0 and 1, got {}",
            Shown(v)
        ))?;
    }
    // Either evaluate a server count (target None) or find one (Some).
    let (servers, target) = match (q.servers, response_target, q.target_service_level) {
        (Some(servers), None, None) => (servers, None),
        (None, Some(target), None) => (0, Some(target)),
        (None, None, Some(fraction)) => {
            let seconds = q.wait_threshold.ok_or_else(|| Error::Calc {
                model: "erlang-c".into(),
                message: "--target-service-level needs --wait-threshold".into(),
            })?;
            (0, Some(QueueTarget::ServiceLevel { fraction, seconds }))
        }
        _ => return Err(not_one()),
    };
    let queue = match target {
        Some(target) => servers_for(q.arrival_rate, q.service_time, target),
        None => Queue::new(q.arrival_rate, q.service_time, servers),
    }
    .map_err(kernel("erlang-c"))?;
    Ok(ErlangC {
        model: "M/M/c (Erlang C)",
        target: target.map(|t| match t {
            QueueTarget::ResponseQuantile { quantile, seconds } => {
                format!("p{} response time <= {seconds} s", quantile * 100.0)
            }
            QueueTarget::ServiceLevel { fraction, seconds } => {
                format!("{}% wait <= {seconds} s", fraction * 100.0)
            }
        }),
        arrival_rate: queue.arrival_rate,
        service_time: queue.service_time,
        servers: queue.servers,
        offered_load: queue.offered_load,
        utilisation: queue.utilisation,
        p_wait: queue.p_wait,
        mean_wait: queue.mean_wait,
        mean_response: queue.mean_response,
        mean_queue_length: queue.mean_queue_length,
        queue_length_p99: queue.queue_length_quantile(0.99),
        queue_threshold: q.queue_threshold,
        queue_over_threshold: q.queue_threshold.map(|n| queue.queue_length_exceeds(n)),
        wait_threshold: q.wait_threshold,
        service_level: q.wait_threshold.map(|t| queue.service_level(t)),
        response_p50: queue.response_quantile(0.50),
        response_p95: queue.response_quantile(0.95),
        response_p99: queue.response_quantile(0.99),
    })
}

/// A G/G/c queue by the Allen-Cunneen approximation: what `calc ggc` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GgC {
    /// Which model: `G/G/c (Allen-Cunneen)`.
    pub model: &'static str,
    /// The target met, when servers were searched for.
    pub target: Option<String>,
    /// Arrivals per second.
    pub arrival_rate: f64,
    /// Mean service time, seconds.
    pub service_time: f64,
    /// Coefficient of variation of the times between arrivals (1: Poisson).
    pub arrival_cv: f64,
    /// Coefficient of variation of the service times (1: exponential).
    pub service_cv: f64,
    /// Servers.
    pub servers: u32,
    /// Utilisation.
    pub utilisation: f64,
    /// Probability of waiting, as M/M/c has it (Erlang C).
    pub p_wait: f64,
    /// `(Ca² + Cs²) / 2`: how many times M/M/c's wait this queue waits.
    pub variability: f64,
    /// Mean wait, seconds.
    pub mean_wait: f64,
    /// Mean response time, seconds.
    pub mean_response: f64,
    /// Mean number waiting (Little's law).
    pub mean_queue_length: f64,
    /// The M/M/c queue's mean response time, for comparison.
    pub mm_c_mean_response: f64,
}

/// Answers a G/G/c question: the mean wait of `servers`, or the fewest
/// servers whose mean response time is at most `target_mean_response`
/// (exactly one of the two), by the kernel's Allen-Cunneen approximation.
pub fn ggc(
    arrival_rate: f64,
    service_time: f64,
    arrival_cv: f64,
    service_cv: f64,
    servers: Option<u32>,
    target_mean_response: Option<f64>,
) -> Result<GgC, Error> {
    use headroom_kernel::queueing::allen_cunneen_wait;
    let refuse = |message: String| Error::Calc { model: "ggc".into(), message };
    let answer = |queue: &Queue| -> Result<(Queue, f64), Error> {
        let wait = allen_cunneen_wait(queue, arrival_cv, service_cv).map_err(kernel("ggc"))?;
        Ok((*queue, wait))
    };
    let (queue, wait) = match (servers, target_mean_response) {
        (Some(servers), None) => {
            answer(&Queue::new(arrival_rate, service_time, servers).map_err(kernel("ggc"))?)?
        }
        (None, Some(target)) => {
            if !(target.is_finite() && target > service_time) {
                return Err(refuse(format!(
                    "--target-mean-response must be a finite time above the mean service time, {service_time} s, got {}",
                    Shown(target)
                )));
            }
            // The wait falls as servers are added: the first count that
            // meets the target, from the fewest that keep the queue stable.
            let load = arrival_rate * service_time;
            let mut servers = headroom_kernel::queueing::stable_servers(load).max(1);
            loop {
                let queue =
                    Queue::new(arrival_rate, service_time, servers).map_err(kernel("ggc"))?;
                let (queue, wait) = answer(&queue)?;
                if wait + service_time <= target {
                    break (queue, wait);
                }
                servers = servers
                    .checked_add(1)
                    .ok_or_else(|| refuse("no server count up to 2^32 meets it".into()))?;
            }
        }
        _ => return Err(refuse("give exactly one of --servers and --target-mean-response".into())),
    };
    Ok(GgC {
        model: "G/G/c (Allen-Cunneen)",
        target: target_mean_response.map(|t| format!("mean response time <= {t} s")),
        arrival_rate,
        service_time,
        arrival_cv,
        service_cv,
        servers: queue.servers,
        utilisation: queue.utilisation,
        p_wait: queue.p_wait,
        variability: (arrival_cv * arrival_cv + service_cv * service_cv) / 2.0,
        mean_wait: wait,
        mean_response: wait + service_time,
        mean_queue_length: arrival_rate * wait,
        mm_c_mean_response: queue.mean_response,
    })
}

/// A loss system (M/M/c/c), answered: what `calc erlang-b` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErlangB {
    /// Which model: `M/M/c/c (Erlang B)`.
    pub model: &'static str,
    /// The target met, when servers were searched for.
    pub target: Option<String>,
    /// Arrivals per second.
    pub arrival_rate: f64,
    /// Mean holding (service) time, seconds.
    pub service_time: f64,
    /// Servers.
    pub servers: u32,
    /// Offered load, Erlangs.
    pub offered_load: f64,
    /// Probability an arrival finds every server busy and is turned away.
    pub blocking: f64,
    /// Arrivals turned away a second: arrival rate x blocking.
    pub lost_rate: f64,
    /// Load carried, Erlangs: offered x (1 - blocking).
    pub carried_load: f64,
    /// Utilisation: carried load / servers.
    pub utilisation: f64,
}

/// Answers an Erlang B question: the blocking of `servers`, or the fewest
/// servers turning away at most `target_blocking` of the arrivals (exactly
/// one of the two).
pub fn erlang_b(
    arrival_rate: f64,
    service_time: f64,
    servers: Option<u32>,
    target_blocking: Option<f64>,
) -> Result<ErlangB, Error> {
    let refuse = |message: String| Error::Calc { model: "erlang-b".into(), message };
    for (name, value) in [("--arrival-rate", arrival_rate), ("--service-time", service_time)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(refuse(format!(
                "{name} must be finite and not negative, got {}",
                Shown(value)
            )));
        }
    }
    let load = arrival_rate * service_time;
    let (servers, blocking) = match (servers, target_blocking) {
        (Some(servers), None) => (servers, headroom_kernel::queueing::erlang_b(servers, load)),
        (None, Some(target)) => {
            if !(target > 0.0 && target < 1.0) {
                return Err(refuse(format!(
                    "--target-blocking must lie strictly between 0 and 1, got {}",
                    Shown(target)
                )));
            }
            headroom_kernel::queueing::loss_servers_for(load, target).map_err(kernel("erlang-b"))?
        }
        _ => return Err(refuse("give exactly one of --servers and --target-blocking".into())),
    };
    let carried_load = load * (1.0 - blocking);
    Ok(ErlangB {
        model: "M/M/c/c (Erlang B)",
        target: target_blocking.map(|t| format!("blocking <= {t}")),
        arrival_rate,
        service_time,
        servers,
        offered_load: load,
        blocking,
        lost_rate: arrival_rate * blocking,
        carried_load,
        utilisation: if servers == 0 { 0.0 } else { carried_load / f64::from(servers) },
    })
}

/// The most server counts one `--servers` may ask for.
const MOST_COUNTS: usize = 10_000;

/// Reads `--servers` of `calc <model>`: counts and inclusive ranges, comma-separated
/// (`55`, `50..60`, `40,45,50..55`), sorted and each once.
pub fn server_counts(model: &str, spec: &str) -> Result<Vec<u32>, Error> {
    let refuse = |message: String| Error::Calc { model: model.into(), message };
    let count = |text: &str| {
        let text = text.trim();
        text.parse::<u32>().map_err(|_| {
            let what = if text.is_empty() {
                "one is empty".to_string()
            } else {
                format!("`{text}` is not a count")
            };
            refuse(format!(
                "--servers takes counts and ranges like 55, 50..60 or 40,50..55; {what}"
            ))
        })
    };
    let mut counts = Vec::new();
    for part in spec.split(',') {
        match part.split_once("..") {
            Some((low, high)) => {
                let (low, high) = (count(low)?, count(high.trim_start_matches('='))?);
                if low > high {
                    return Err(refuse(format!("--servers range {low}..{high} runs backwards")));
                }
                if (high - low) as usize >= MOST_COUNTS {
                    return Err(refuse(format!(
                        "--servers asks for {} counts; at most {MOST_COUNTS} at once",
                        u64::from(high - low) + 1
                    )));
                }
                counts.extend(low..=high);
            }
            None => counts.push(count(part)?),
        }
    }
    counts.sort_unstable();
    counts.dedup();
    if counts.len() > MOST_COUNTS {
        return Err(refuse(format!(
            "--servers asks for {} counts; at most {MOST_COUNTS} at once",
            counts.len()
        )));
    }
    Ok(counts)
}

/// An M/M/c queue answered at several server counts: the table an Erlang C
/// calculator prints, one row a count.
#[derive(Debug, Clone, PartialEq)]
pub struct ErlangCSweep {
    /// One answer a stable count, fewest servers first.
    pub rows: Vec<ErlangC>,
    /// The counts asked for that cannot keep up (utilisation of 100% or
    /// more), left out of `rows`.
    pub unstable: Vec<u32>,
}

impl ErlangCSweep {
    /// What was left out, said: "9 to 10 servers cannot keep up …".
    pub fn unstable_note(&self) -> Option<String> {
        let (first, last) = (self.unstable.first()?, self.unstable.last()?);
        let which = if first == last {
            headroom_kernel::counted(first, "server")
        } else {
            format!("{first} to {last} servers")
        };
        let start = self.rows.first().map_or(0, |r| r.servers);
        Some(format!(
            "{which} cannot keep up (utilisation of 100% or more), left out; the table starts at {start}"
        ))
    }
}

/// Answers `question` (which names no target and no count of its own) at
/// each count of `counts`. Counts too few for a stable queue are left out
/// and listed; if every count is, that is the unstable queue's error.
pub fn erlang_c_sweep(question: &ErlangCQuestion, counts: &[u32]) -> Result<ErlangCSweep, Error> {
    let at = |servers: u32| erlang_c(&ErlangCQuestion { servers: Some(servers), ..*question });
    // The most servers first: any error of the question, or of a queue no
    // count makes stable, is its error.
    let most = at(counts.iter().copied().max().unwrap_or(0))?;
    let stable_at = stable_servers(most.offered_load);
    let (stable, unstable): (Vec<u32>, Vec<u32>) =
        counts.iter().partition(|&&servers| servers >= stable_at);
    let rows = stable.into_iter().map(at).collect::<Result<_, _>>()?;
    Ok(ErlangCSweep { rows, unstable })
}

/// A USL fit of load-test files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UslResult {
    /// Which model.
    pub model: &'static str,
    /// The files read and their formats.
    pub sources: Vec<String>,
    /// Points fitted.
    pub points: usize,
    /// Contention σ.
    pub sigma: f64,
    /// Coherency κ.
    pub kappa: f64,
    /// Single-unit throughput λ.
    pub lambda: f64,
    /// 95% interval of σ.
    pub sigma_interval: Option<(f64, f64)>,
    /// 95% interval of κ.
    pub kappa_interval: Option<(f64, f64)>,
    /// 95% interval of λ.
    pub lambda_interval: Option<(f64, f64)>,
    /// Coefficient of determination.
    pub r_squared: f64,
    /// Residual standard error.
    pub residual_std_error: Option<f64>,
    /// N* = sqrt((1 - σ) / κ); null when κ = 0.
    pub peak_concurrency: Option<f64>,
    /// X(N*), or λ / σ when κ = 0.
    pub peak_throughput: Option<f64>,
    /// What the fit predicts at the concurrencies asked for, each as three
    /// fields: `throughput_at_<N>`, `throughput_at_<N>_interval` and
    /// `efficiency_at_<N>`; then, for each throughput asked for, the least
    /// concurrency that reaches it, `concurrency_for_<X>`.
    #[serde(flatten)]
    pub predictions: Predictions,
    /// The measurements fitted, as (concurrency, throughput): for the chart
    /// ([`crate::render::usl_svg`]), not printed.
    #[serde(skip)]
    pub measured: Vec<(f64, f64)>,
    /// The kernel's fit, for the chart's confidence band.
    #[serde(skip)]
    pub fit: usl::UslFit,
}

/// The USL's answer at one concurrency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Concurrency N.
    pub concurrency: f64,
    /// X(N).
    pub throughput: f64,
    /// 95% confidence interval of the mean X(N) (delta method); `None`
    /// with no degree of freedom left.
    pub interval: Option<(f64, f64)>,
    /// X(N) / (N λ): the share of linear scaling kept.
    pub efficiency: f64,
}

/// Predictions, serialized as flat fields named by their concurrency so
/// that every output format (table, Markdown, CSV, JSON) shows them as it
/// shows the fit's own fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Predictions {
    /// The fit at each concurrency asked for.
    pub at: Vec<Prediction>,
    /// (throughput asked for, the least concurrency that reaches it).
    pub reach: Vec<(f64, f64)>,
}

impl Serialize for Predictions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.at.len() * 3 + self.reach.len()))?;
        for &(throughput, concurrency) in &self.reach {
            map.serialize_entry(
                &format!("concurrency_for_{}", number_key(throughput)),
                &concurrency,
            )?;
        }
        for p in &self.at {
            let n = number_key(p.concurrency);
            map.serialize_entry(&format!("throughput_at_{n}"), &p.throughput)?;
            map.serialize_entry(&format!("throughput_at_{n}_interval"), &p.interval)?;
            map.serialize_entry(&format!("efficiency_at_{n}"), &p.efficiency)?;
        }
        map.end()
    }
}

/// A number as a field name shows it: `24`, `1.5`, `1e20`.
fn number_key(n: f64) -> String {
    if (1e-4..1e15).contains(&n) {
        n.to_string()
    } else {
        format!("{n:e}")
    }
}

/// Refuses a `flag`'s numbers (`what` they are) unless each is finite and
/// above zero, naming the first that is not.
fn positive(model: &str, flag: &str, what: &str, values: &[f64]) -> Result<(), Error> {
    match values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        Some(&v) => Err(Error::Calc {
            model: model.into(),
            message: format!(
                "{flag} takes {what} that are finite and above zero, got {}",
                Shown(v)
            ),
        }),
        None => Ok(()),
    }
}

/// Reads every file, fits the USL to all their points, predicts the
/// throughput at each concurrency of `predict`, and finds the least
/// concurrency that reaches each throughput of `reach` (each number
/// finite and above zero).
pub fn usl(files: &[PathBuf], predict: &[f64], reach: &[f64]) -> Result<UslResult, Error> {
    positive("usl", "--predict", "concurrencies", predict)?;
    positive("usl", "--reach", "throughputs", reach)?;
    let mut sources = Vec::new();
    let mut points = Vec::new();
    for file in files {
        let test = loadtest::read(file)?;
        let levels = match test.levels.len() {
            1 => "1 level".to_string(),
            n => format!("{n} levels"),
        };
        sources.push(format!("{} ({}, {levels})", file.display(), test.format));
        points.extend(test.levels.iter().map(|l| l.measurement));
    }
    let fit = usl::fit(&points).map_err(|e| Error::Calc {
        model: "usl".into(),
        message: format!(
            "{e} (from {})",
            files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        ),
    })?;
    let interval = |i: usize| fit.intervals.map(|all| all[i]);
    Ok(UslResult {
        model: "Universal Scalability Law (Gunther)",
        sources,
        points: fit.points,
        sigma: fit.sigma,
        kappa: fit.kappa,
        lambda: fit.lambda,
        sigma_interval: interval(0),
        kappa_interval: interval(1),
        lambda_interval: interval(2),
        r_squared: fit.r_squared,
        residual_std_error: fit.residual_std_error,
        peak_concurrency: fit.peak_concurrency,
        peak_throughput: fit.peak_throughput,
        predictions: Predictions {
            at: predict.iter().map(|&n| prediction(&fit, n)).collect::<Result<_, _>>()?,
            reach: reach.iter().map(|&x| reaching(&fit, x)).collect::<Result<_, _>>()?,
        },
        measured: points.iter().map(|p| (p.concurrency, p.throughput)).collect(),
        fit,
    })
}

/// The fit's answer at `n`; an error where its arithmetic leaves the
/// numbers a float holds (a concurrency far past any load test).
fn prediction(fit: &usl::UslFit, n: f64) -> Result<Prediction, Error> {
    let p = Prediction {
        concurrency: n,
        throughput: fit.predict(n),
        interval: fit.predict_interval(n),
        efficiency: fit.efficiency(n),
    };
    let finite = p.throughput.is_finite()
        && p.efficiency.is_finite()
        && p.interval.is_none_or(|(low, high)| low.is_finite() && high.is_finite());
    if finite {
        Ok(p)
    } else {
        Err(Error::Calc {
            model: "usl".into(),
            message: format!(
                "--predict {}: the fitted curve cannot be evaluated that far (its arithmetic overflows)",
                number_key(n)
            ),
        })
    }
}

/// The least concurrency at which the fit reaches `throughput`; an error,
/// naming the fit's ceiling, where it never does.
fn reaching(fit: &usl::UslFit, throughput: f64) -> Result<(f64, f64), Error> {
    match usl::concurrency_for(throughput, fit.sigma, fit.kappa, fit.lambda) {
        Some(n) if n.is_finite() => Ok((throughput, n)),
        _ => {
            let ceiling = match (fit.peak_concurrency, fit.peak_throughput) {
                (Some(n), Some(x)) => format!("the fit peaks at X = {x:.1} at N* = {n:.1}"),
                (None, Some(x)) => {
                    format!("the fit approaches X = {x:.1} (λ / σ) and never reaches it")
                }
                _ => "the fit never gets there".to_string(),
            };
            Err(Error::Calc {
                model: "usl".into(),
                message: format!(
                    "--reach {}: no concurrency reaches that throughput; {ceiling}",
                    number_key(throughput)
                ),
            })
        }
    }
}

/// A growth rate fitted to a history file, answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrowthResult {
    /// Which model.
    pub model: &'static str,
    /// The file read.
    pub source: String,
    /// The value column's name.
    pub series: String,
    /// The seasons taken out beside the trend (`daily x3, weekly x3`), or
    /// `none`.
    pub seasons: String,
    /// Points fitted.
    pub points: usize,
    /// Months from the first point to the last.
    pub span_months: f64,
    /// r: compound growth a month (0.1 is 10% a month).
    pub rate: f64,
    /// 95% interval of r.
    pub rate_interval: (f64, f64),
    /// Standard deviation of r (the delta method).
    pub rate_sd: f64,
    /// How the interval was taken, and whether the growth held steady.
    #[serde(flatten)]
    pub checks: TrendChecks,
    /// R² of the model of the logarithms (line and seasons); null for a
    /// flat series.
    pub r_squared: Option<f64>,
    /// Months to double at r, ln 2 / ln(1 + r); null unless r > 0.
    pub doubling_months: Option<f64>,
    /// The last value in the file.
    pub last: f64,
    /// The fitted trend at the last point's time (any season taken out).
    pub fitted_last: f64,
    /// With a season taken out, the most the seasons together carry a row
    /// over the trend (0.131: the busiest days 13.1% over it); else null.
    pub peak_over_trend: Option<f64>,
    /// What `--reach` grows from: the last value, or with a season taken
    /// out the trend at its busiest now, `fitted_last x (1 +
    /// peak_over_trend)` (a last row may fall on a weekend's dip).
    pub reach_from: f64,
    /// The history fitted, as (months from the last row, value): for the
    /// chart ([`crate::render::growth_svg`]), not printed.
    #[serde(skip)]
    pub history: Vec<(f64, f64)>,
    /// Each season's swing about the trend: `<cycle>_harmonics`,
    /// `<cycle>_swing_high`, `<cycle>_swing_low`.
    #[serde(flatten)]
    pub swings: Swings,
    /// For each value asked for (`--reach`), the months from the last point
    /// until `reach_from`, growing at r, reaches it: `months_to_<V>` (0
    /// where it already has; null where not within 10 years).
    #[serde(flatten)]
    pub reach: Reaches,
}

/// The seasons a growth fit took out, serialized as flat fields named by
/// the cycle: `daily_harmonics`, `daily_swing_high` (the cycle's top over
/// the trend, 0.04 for 4% above it), `daily_swing_low`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Swings(pub Vec<Swing>);

impl Swings {
    /// The seasons fitted, `daily x3, weekly x3` (`none` for a plain line).
    pub fn summary(&self) -> String {
        if self.0.is_empty() {
            return "none".into();
        }
        let each: Vec<String> = self
            .0
            .iter()
            .map(|s| format!("{} x{}", s.season.cycle.name(), s.season.harmonics))
            .collect();
        each.join(", ")
    }
}

impl Serialize for Swings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3 * self.0.len()))?;
        for swing in &self.0 {
            let name = swing.season.cycle.name();
            map.serialize_entry(&format!("{name}_harmonics"), &swing.season.harmonics)?;
            map.serialize_entry(&format!("{name}_swing_high"), &swing.high)?;
            map.serialize_entry(&format!("{name}_swing_low"), &swing.low)?;
        }
        map.end()
    }
}

/// Months to reach each value asked for, serialized as flat fields named
/// by the value, as [`Predictions`] are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reaches(pub Vec<(f64, Option<f64>)>);

impl Serialize for Reaches {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (value, months) in &self.0 {
            map.serialize_entry(&format!("months_to_{}", number_key(*value)), months)?;
        }
        map.end()
    }
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's
/// `days_from_civil`, the inverse of the `civil_from_days` the renderers use).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A `YYYY-MM-DD` date as days from 1970-01-01, or `None`.
fn date_days(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let days_in = [
        31,
        if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    ((1..=12).contains(&m) && d >= 1 && d <= days_in[(m - 1) as usize])
        .then(|| days_from_civil(y, m, d))
}

/// How a history's first column counts time.
#[derive(Clone, Copy)]
enum Clock {
    /// Months, any origin.
    Months,
    /// `YYYY-MM-DD` dates.
    Dates,
    /// Instants: Unix seconds, RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in UTC
    /// (as Grafana exports a panel's CSV).
    Instants,
}

/// An instant as Unix seconds: a number of seconds, or a date, `T` or a
/// space, `HH:MM` or `HH:MM:SS` (with any fraction of a second), and a zone
/// (`Z`, `+HH:MM`, `-HH:MM`; none is UTC). `None` if it is none of these.
fn instant_seconds(text: &str) -> Option<f64> {
    if let Ok(seconds) = text.parse::<f64>() {
        return seconds.is_finite().then_some(seconds);
    }
    let (date, rest) = text.split_at_checked(10)?;
    let days = date_days(date)?;
    if rest.is_empty() {
        return Some(days as f64 * 86_400.0);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // The zone: `Z`, or a sign and `HH:MM` at the end.
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0.0)
    } else if rest.len() > 6 && matches!(rest.as_bytes()[rest.len() - 6], b'+' | b'-') {
        let (clock, zone) = rest.split_at(rest.len() - 6);
        let (hours, minutes) = zone[1..].split_once(':')?;
        let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
        if hours > 23 || minutes > 59 {
            return None;
        }
        let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
        (clock, sign * f64::from(hours * 3600 + minutes * 60))
    } else {
        (rest, 0.0)
    };
    let mut parts = clock.split(':');
    let hours: u32 = parts.next()?.parse().ok()?;
    let minutes: u32 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next().map_or(Some(0.0), |s| s.parse().ok())?;
    if parts.next().is_some() || hours > 23 || minutes > 59 || !(0.0..61.0).contains(&seconds) {
        return None;
    }
    Some(days as f64 * 86_400.0 + f64::from(hours * 3600 + minutes * 60) + seconds - offset)
}

/// Reads a history: CSV with a header whose first column is `month`
/// (months, any origin), `date` (`YYYY-MM-DD`) or `time` ([`Clock::Instants`];
/// `timestamp` too, and any of the three in capitals) and whose second is
/// the values, named as the series is. Times are returned as months before the
/// last row (the last at 0).
fn read_history(path: &std::path::Path) -> Result<(String, Vec<GrowthPoint>), Error> {
    let fail = |message: String| Error::Calc {
        model: "growth".into(),
        message: format!("{}: {message}", path.display()),
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    // A spreadsheet saves its CSV with a byte-order mark before the header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| fail(e.to_string()))?.clone();
    let first = header.get(0).map(str::to_ascii_lowercase);
    let clock = match first.as_deref() {
        Some("month") => Clock::Months,
        Some("date") => Clock::Dates,
        Some("time" | "timestamp") => Clock::Instants,
        Some(first) if header.len() == 1 && (first.contains(';') || first.contains('\t')) => {
            // A spreadsheet in a locale whose decimal mark is a comma saves `;`.
            return Err(fail(
                "its fields are separated by `;` or a tab: a history is read comma-separated (save it with `,` between fields and `.` as the decimal mark)".into(),
            ));
        }
        None => return Err(fail("the file is empty: a history needs a header, `date,users`, and its rows".into())),
        Some(_) => {
            return Err(fail(format!(
                "the header's first column is `{}`; a history's is `month` (a number), `date` (YYYY-MM-DD) or `time` (Unix seconds, RFC 3339 or `YYYY-MM-DD HH:MM:SS` in UTC), then its values: `date,users`",
                header.get(0).unwrap_or_default()
            )))
        }
    };
    let series = header.get(1).filter(|s| !s.is_empty()).ok_or_else(|| {
        fail("the header names no value column: `date,users` or `month,users`".into())
    })?;
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| fail(format!("line {line}: {e}")))?;
        let (Some(time), Some(value)) = (record.get(0), record.get(1)) else {
            return Err(fail(format!("line {line}: a time and a value are needed")));
        };
        let time = match clock {
            Clock::Months => time.parse::<f64>().ok().filter(|t| t.is_finite()).ok_or_else(|| {
                fail(format!("line {line}: month `{time}` is not a finite number"))
            })?,
            Clock::Dates => date_days(time)
                .map(|days| days as f64 / DAYS_PER_MONTH)
                .ok_or_else(|| fail(format!("line {line}: `{time}` is not a date (YYYY-MM-DD)")))?,
            Clock::Instants => instant_seconds(time)
                .map(|seconds| seconds / 86_400.0 / DAYS_PER_MONTH)
                .ok_or_else(|| {
                    fail(format!("line {line}: `{time}` is not a time (Unix seconds, RFC 3339 such as 2025-11-24T16:00:00Z, or 2025-11-24 16:00:00 in UTC)"))
                })?,
        };
        let value: f64 = value.parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| {
            fail(format!("line {line}: {series} `{value}` is not a finite number"))
        })?;
        rows.push(GrowthPoint { month: time, value });
    }
    let Some(last) = rows.iter().map(|p| p.month).reduce(f64::max) else {
        return Err(fail("no rows under the header: a history needs at least 3".into()));
    };
    for p in &mut rows {
        p.month -= last;
    }
    Ok((series.to_string(), rows))
}

/// Fits a compound monthly growth rate to the history in `file` (the
/// kernel's [`headroom_kernel::trend::growth_trend`]), with the seasons
/// `seasonality` asks for taken out, and for each value of `reach` the
/// months from its last point until it gets there.
pub fn growth(
    file: &std::path::Path,
    reach: &[f64],
    seasonality: &Seasonality,
) -> Result<GrowthResult, Error> {
    positive("growth", "--reach", "values", reach)?;
    let (series, history) = read_history(file)?;
    let fit = seasonal_trend(&history, seasonality).map_err(|why| Error::Calc {
        model: "growth".into(),
        message: format!("{}: {why}", file.display()),
    })?;
    let last = history.iter().max_by(|a, b| a.month.total_cmp(&b.month)).map_or(0.0, |p| p.value);
    // A last row on a swing's peak or trough is not where the series
    // stands: with a season taken out, the trend's busiest is (its value
    // now over the most the seasons carry it), what capacity must hold.
    let reach_from = if fit.swings.is_empty() { last } else { fit.fitted_now * (1.0 + fit.peak) };
    let growing = GrowthCurve::CompoundMonthly { rate: Some(fit.rate) };
    let start = [GrowthPoint { month: 0.0, value: reach_from }];
    let mut reaches = Vec::new();
    for &target in reach {
        let months = growing
            .month_reaching(&start, target, crate::trend::TEN_YEARS)
            .map_err(kernel("growth"))?;
        reaches.push((target, months));
    }
    Ok(GrowthResult {
        model: "compound monthly growth v(t) = v0 (1 + r)^t, least squares on ln v",
        source: file.display().to_string(),
        seasons: Swings(fit.swings.clone()).summary(),
        series,
        points: fit.points,
        span_months: fit.span_months,
        rate: fit.rate,
        rate_interval: (fit.rate_low, fit.rate_high),
        rate_sd: fit.rate_sd,
        r_squared: fit.r_squared,
        doubling_months: (fit.rate > 0.0).then(|| 2f64.ln() / fit.rate.ln_1p()),
        last,
        fitted_last: fit.fitted_now,
        checks: TrendChecks::of(&fit),
        peak_over_trend: (!fit.swings.is_empty()).then_some(fit.peak),
        reach_from,
        history: history.iter().map(|p| (p.month, p.value)).collect(),
        swings: Swings(fit.swings),
        reach: Reaches(reaches),
    })
}

/// Little's law, answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Littles {
    /// Which model.
    pub model: &'static str,
    /// L: requests in the system.
    pub concurrency: f64,
    /// λ: requests per second.
    pub throughput: f64,
    /// W: seconds in the system.
    pub response_time: f64,
}

/// Little's law from any two of its three quantities.
pub fn littles(
    concurrency: Option<f64>,
    throughput: Option<f64>,
    response_time: Option<f64>,
) -> Result<Littles, Error> {
    let (l, x, w) =
        littles_law(concurrency, throughput, response_time).map_err(kernel("littles-law"))?;
    Ok(Littles { model: "Little's law L = λW", concurrency: l, throughput: x, response_time: w })
}

/// A commitment worked out: how many units to commit to for a term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentAnswer {
    /// Which model.
    pub model: &'static str,
    /// Months in the term: one a month of units given.
    pub term_months: u32,
    /// Share off the on-demand price.
    pub discount: f64,
    /// Units to commit to for the whole term.
    pub units: u32,
    /// The share of the term the last committed unit is needed.
    pub last_unit_use: Option<f64>,
    /// The share of the term the first unit left on demand is needed.
    pub next_unit_use: f64,
    /// Unit-months the term needs, every one on demand.
    pub on_demand_unit_months: f64,
    /// What the term costs with the commitment, in on-demand unit-months.
    pub committed_unit_months: f64,
    /// The share of the on-demand cost the commitment saves.
    pub saving: f64,
    /// The term's cost all on demand, with `--hourly-price` (730 h a month).
    pub on_demand_cost: Option<f64>,
    /// The term's cost with the commitment, with `--hourly-price`.
    pub cost: Option<f64>,
}

/// The commitment that costs least over a term whose months need `units`
/// units (the kernel's [`commitment`]: commit a unit when it is needed for
/// more of the term than `1 - discount`), priced when `hourly_price` is
/// given.
///
/// [`commitment`]: headroom_kernel::cost::commitment
pub fn commitment(
    units: &[u32],
    discount: f64,
    hourly_price: Option<f64>,
) -> Result<CommitmentAnswer, Error> {
    let c = headroom_kernel::cost::commitment(units, discount).map_err(kernel("commitment"))?;
    let unit_month = hourly_price
        .map(|price| headroom_kernel::monthly_cost(price, 1))
        .transpose()
        .map_err(kernel("commitment"))?;
    Ok(CommitmentAnswer {
        model: "commitment at break-even (newsvendor critical fractile)",
        term_months: c.term_months,
        discount,
        units: c.units,
        last_unit_use: c.last_unit_use,
        next_unit_use: c.next_unit_use,
        on_demand_unit_months: c.on_demand_unit_months,
        committed_unit_months: c.committed_unit_months,
        saving: c.saving(),
        on_demand_cost: unit_month.map(|p| p * c.on_demand_unit_months),
        cost: unit_month.map(|p| p * c.committed_unit_months),
    })
}

/// The utilisation law, answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Utilisation {
    /// Which model.
    pub model: &'static str,
    /// Servers sharing the work.
    pub servers: u32,
    /// U: the share of the time each server is busy.
    pub utilisation: f64,
    /// X: requests completed a second.
    pub throughput: f64,
    /// S: seconds of service a request.
    pub service_time: f64,
}

/// The utilisation law from any two of its three quantities, on `servers`.
pub fn utilisation(
    utilisation: Option<f64>,
    throughput: Option<f64>,
    service_time: Option<f64>,
    servers: u32,
) -> Result<Utilisation, Error> {
    let (u, x, s) = utilisation_law(utilisation, throughput, service_time, servers)
        .map_err(kernel("utilisation-law"))?;
    Ok(Utilisation {
        model: "utilisation law U = X S / c",
        servers,
        utilisation: u,
        throughput: x,
        service_time: s,
    })
}

/// The headroom rule, answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadroomSizing {
    /// Which rule.
    pub model: &'static str,
    /// Load.
    pub load: f64,
    /// Capacity of one unit.
    pub capacity: f64,
    /// Headroom kept.
    pub headroom: f64,
    /// Units the load needs: ceil(load / (capacity x (1 - headroom))).
    pub needed_by_load: u32,
    /// Units after minimum, N+k and zones.
    pub units: u32,
    /// Utilisation with all units running.
    pub utilisation: f64,
}

/// Sizes one load under a headroom policy.
pub fn headroom(load: f64, capacity: f64, policy: Policy) -> Result<HeadroomSizing, Error> {
    // One load and one capacity: the kernel's "of dimension #0" would only puzzle.
    let sizing = size_horizontal(&[load], &[capacity], &policy).map_err(|e| match e {
        KernelError::InvalidCapacity { value, .. } => Error::Calc {
            model: "headroom".into(),
            message: format!("capacity must be finite and above zero, got {}", Shown(value)),
        },
        KernelError::InvalidLoad { value, .. } => Error::Calc {
            model: "headroom".into(),
            message: format!("load must be finite and not negative, got {}", Shown(value)),
        },
        other => kernel("headroom")(other),
    })?;
    if sizing.units == u32::MAX {
        let message = crate::plan::needs_beyond_counting();
        return Err(Error::Calc { model: "headroom".into(), message });
    }
    Ok(HeadroomSizing {
        model: "units = ceil(load / (capacity x (1 - headroom))), then min, N+k, zones",
        load,
        capacity,
        headroom: policy.headroom,
        needed_by_load: sizing.needed_by_load,
        units: sizing.units,
        utilisation: sizing.peak_utilisation(),
    })
}

/// Any calc result as `name  value` lines.
pub fn render_table<T: Serialize>(result: &T) -> String {
    name_value_lines(&fields(result))
}

/// Fields as `name  value` lines, the values in one column.
fn name_value_lines(fields: &[(String, String)]) -> String {
    let width = fields.iter().map(|(key, _)| key.len()).max().unwrap_or(0);
    fields.iter().map(|(key, text)| format!("{key:<width$}  {text}\n")).collect()
}

/// Any calc result as a Markdown table of two columns, `field | value`,
/// the values as [`render_table`] prints them.
pub fn render_markdown<T: Serialize>(result: &T) -> String {
    field_value_markdown(&fields(result))
}

/// Fields as a Markdown table of two columns, `field | value`.
fn field_value_markdown(fields: &[(String, String)]) -> String {
    let mut out = String::from("| field | value |\n|---|---:|\n");
    for (key, text) in fields {
        out.push_str(&format!("| {key} | {} |\n", text.replace('|', "\\|")));
    }
    out
}

/// Any calc result as CSV: a header of its fields and one row of their
/// values at full precision (a missing one empty, an interval's ends in
/// two columns), so that the answers to many questions stack under one
/// header.
pub fn render_csv<T: Serialize>(result: &T) -> String {
    let (header, row) = csv_parts(result);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    crate::render::csv_text(&header, std::iter::once(row))
}

/// A calc result's CSV header and row (see [`render_csv`]).
fn csv_parts<T: Serialize>(result: &T) -> (Vec<String>, Vec<String>) {
    let value = serde_json::to_value(result).unwrap_or_default();
    let Some(map) = value.as_object() else { return (Vec::new(), Vec::new()) };
    let plain = |value: &serde_json::Value| match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(plain_scalar).collect::<Vec<_>>().join(";")
        }
        other => plain_scalar(other),
    };
    // An interval is two columns, `<key>_low` and `<key>_high`.
    let mut header = Vec::new();
    let mut row = Vec::new();
    for (key, value) in map {
        match value.as_array() {
            Some(ends) if key.ends_with("interval") && ends.len() == 2 => {
                header.extend([format!("{key}_low"), format!("{key}_high")]);
                row.extend(ends.iter().map(plain_scalar));
            }
            _ => {
                header.push(key.clone());
                row.push(plain(value));
            }
        }
    }
    (header, row)
}

/// Several calc results of one kind as a text table: the fields every row
/// shares, as `name  value` lines, then a table of the fields that vary
/// (none when there is one row: it reads as a single answer).
pub fn render_rows_table<T: Serialize>(rows: &[T]) -> String {
    let Split { shared, varying, cells } = split_rows(rows);
    let mut out = name_value_lines(&shared);
    if varying.is_empty() {
        return out;
    }
    let mut table = crate::render::table();
    table.set_header(&varying);
    for row in cells {
        table.add_row(
            row.into_iter().map(|c| {
                comfy_table::Cell::new(c).set_alignment(comfy_table::CellAlignment::Right)
            }),
        );
    }
    out.push_str(&format!("{table}\n"));
    out
}

/// [`render_rows_table`] in Markdown: a `field | value` table of the
/// shared fields, then a table of the rest, a row each.
pub fn render_rows_markdown<T: Serialize>(rows: &[T]) -> String {
    let Split { shared, varying, cells } = split_rows(rows);
    let mut out = field_value_markdown(&shared);
    if varying.is_empty() {
        return out;
    }
    out.push_str(&format!("\n| {} |\n|{}\n", varying.join(" | "), "---:|".repeat(varying.len())));
    for row in cells {
        let row: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// Several calc results of one kind as CSV: one header, a row each, as
/// [`render_csv`] writes one.
pub fn render_rows_csv<T: Serialize>(rows: &[T]) -> String {
    let parts: Vec<(Vec<String>, Vec<String>)> = rows.iter().map(csv_parts).collect();
    let header: Vec<&str> =
        parts.first().map(|(h, _)| h.iter().map(String::as_str).collect()).unwrap_or_default();
    crate::render::csv_text(&header, parts.iter().map(|(_, row)| row.clone()))
}

/// Rows' fields split: those every row shows alike, and the rest.
struct Split {
    /// Each field all rows share, with its text.
    shared: Vec<(String, String)>,
    /// The names of the fields that vary.
    varying: Vec<String>,
    /// A row's texts of those, a row each.
    cells: Vec<Vec<String>>,
}

fn split_rows<T: Serialize>(rows: &[T]) -> Split {
    let all: Vec<Vec<(String, String)>> = rows.iter().map(fields).collect();
    let Some(first) = all.first() else {
        return Split { shared: Vec::new(), varying: Vec::new(), cells: Vec::new() };
    };
    let alike: Vec<bool> = (0..first.len())
        .map(|i| all.iter().all(|row| row.get(i).map(|f| &f.1) == Some(&first[i].1)))
        .collect();
    let shared = first.iter().zip(&alike).filter(|(_, &a)| a).map(|(f, _)| f.clone()).collect();
    let varying = first.iter().zip(&alike).filter(|(_, &a)| !a).map(|(f, _)| f.0.clone()).collect();
    let cells = all
        .iter()
        .map(|row| row.iter().zip(&alike).filter(|(_, &a)| !a).map(|(f, _)| f.1.clone()).collect())
        .collect();
    Split { shared, varying, cells }
}

fn plain_scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A calc result's fields in order, each value as a person reads it: six
/// significant places, an interval as `low .. high`, a missing value `-`.
fn fields<T: Serialize>(result: &T) -> Vec<(String, String)> {
    let value = serde_json::to_value(result).unwrap_or_default();
    let Some(map) = value.as_object() else { return Vec::new() };
    map.iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::Null => "-".to_string(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => format_number(n.as_f64().unwrap_or_default()),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| match i {
                        serde_json::Value::Number(n) => {
                            format_number(n.as_f64().unwrap_or_default())
                        }
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(if key.ends_with("interval") { " .. " } else { "; " }),
                other => other.to_string(),
            };
            (key.clone(), text)
        })
        .collect()
}

fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else if x.abs() >= 1e-3 && x.abs() < 1e7 {
        format!("{x:.6}")
    } else {
        format!("{x:.6e}")
    }
}

#[cfg(test)]
mod tests {
    use super::instant_seconds;
    use proptest::prelude::*;

    proptest! {
        /// Any text, date-like or not, is an instant or `None`: never a
        /// panic (the reader slices at byte offsets of text it has not
        /// checked).
        #[test]
        fn any_text_is_read_without_panicking(text in "\\PC{0,40}") {
            let _ = instant_seconds(&text);
        }

        /// A date-time written out is read back to the second, in every form.
        #[test]
        fn instants_read_back(days in 0i64..40_000, second in 0i64..86_400) {
            let at = (days * 86_400 + second) as f64;
            // The renderer's UTC text (civil_from_days), read back here by
            // its inverse (days_from_civil).
            let date = crate::render::utc(at);
            let (day, clock) = (&date[..10], &date[11..19]);
            prop_assert_eq!(instant_seconds(&format!("{day}T{clock}Z")), Some(at));
            prop_assert_eq!(instant_seconds(&format!("{day} {clock}")), Some(at));
            prop_assert_eq!(instant_seconds(&format!("{day}T{clock}+00:00")), Some(at));
        }
    }

    #[test]
    fn instants_are_read_in_every_form_a_history_exports() {
        // 2025-11-24 16:00:00 UTC is Unix 1,764,000,000 (20,416 days and
        // 16 hours after 1970-01-01: 20,416 x 86,400 + 57,600).
        let at = Some(1_764_000_000.0);
        assert_eq!(instant_seconds("1764000000"), at);
        assert_eq!(instant_seconds("2025-11-24T16:00:00Z"), at);
        assert_eq!(instant_seconds("2025-11-24 16:00:00"), at);
        assert_eq!(instant_seconds("2025-11-24 16:00"), at);
        assert_eq!(instant_seconds("2025-11-24T17:30:00+01:30"), at);
        assert_eq!(instant_seconds("2025-11-24T11:00:00-05:00"), at);
        assert_eq!(instant_seconds("2025-11-24T16:00:00.250Z"), Some(1_764_000_000.25));
        assert_eq!(instant_seconds("2025-11-24"), Some(1_764_000_000.0 - 57_600.0));
        for bad in [
            "",
            "yesterday",
            "2025-11-24T24:00:00Z",
            "2025-11-24T16:60Z",
            "2025-11-31 10:00",
            "2025-11-24T16:00:00+25:00",
            "2025-11-24T16",
            "2025-11-24X16:00",
            "2025-11-24 16:00:00:00",
            "inf",
            "NaN",
            "2025-11-24 1€:00",
        ] {
            assert_eq!(instant_seconds(bad), None, "{bad}");
        }
    }
}
