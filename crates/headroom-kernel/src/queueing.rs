//! Queueing: the M/M/c model (Erlang C), Little's law and the utilisation law.
//!
//! **Sources.** A. K. Erlang (1917) for the delay formula; the M/M/c results
//! (mean wait, the waiting-time and sojourn-time distributions) as in
//! Gross & Harris, *Fundamentals of Queueing Theory*, §2.3; J. D. C. Little
//! (1961) for `L = λW`; Denning & Buzen (1978) for `U = X S`.
//!
//! Notation: arrival rate `λ` (per second), mean service time `S` (seconds,
//! so service rate `μ = 1/S`), `c` servers, offered load `a = λS` (Erlangs),
//! utilisation `ρ = a / c`. The queue is stable only when `ρ < 1`.
//!
//! **Numerical stability.** Erlang B is computed as the reciprocal of
//! `Σ_j c!/((c-j)! a^j)`, summed from `j = 0` (all terms positive, no
//! factorial, no cancellation) and stopped once the terms past the peak
//! no longer change the sum; where the Poisson probability `P(N = c)` is
//! below `e^-700`, Erlang B (at most twice that, since `P(N <= c) >= 1/2`
//! for `c >= a`) is zero in double precision and returned as such. Erlang C
//! follows from B as `C = B / (1 - ρ (1 - B))`. The cost is about
//! `(c - a) + 8 sqrt(a)` multiplications, so `c = 10,000` is cheap.

use crate::KernelError;

/// `e^-700`, below which Erlang B underflows to zero in double precision.
const LN_UNDERFLOW: f64 = -700.0;

/// The Erlang B blocking probability of `servers` servers offered `load`
/// Erlangs (Erlang's loss formula), computed stably (see the module notes).
pub fn erlang_b(servers: u32, load: f64) -> f64 {
    if servers == 0 {
        return 1.0;
    }
    if load <= 0.0 {
        return 0.0;
    }
    let c = f64::from(servers);
    if c >= load {
        let ln_pmf = c * load.ln() - load - statrs::function::gamma::ln_gamma(c + 1.0);
        if ln_pmf + std::f64::consts::LN_2 < LN_UNDERFLOW {
            return 0.0;
        }
    }
    let inverse_load = 1.0 / load;
    let (mut term, mut sum) = (1.0_f64, 1.0_f64);
    for j in 0..servers {
        let factor = (c - f64::from(j)) * inverse_load;
        term *= factor;
        sum += term;
        if factor < 1.0 && term < sum * 1e-17 {
            break;
        }
    }
    1.0 / sum
}

/// What an M/M/c queue does at a given arrival rate, service time and
/// server count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Queue {
    /// Arrival rate λ, per second.
    pub arrival_rate: f64,
    /// Mean service time S, seconds.
    pub service_time: f64,
    /// Servers c.
    pub servers: u32,
    /// Offered load a = λS, Erlangs.
    pub offered_load: f64,
    /// Utilisation ρ = a / c.
    pub utilisation: f64,
    /// Probability an arrival waits (Erlang C).
    pub p_wait: f64,
    /// Mean wait in queue, seconds: C / (cμ - λ).
    pub mean_wait: f64,
    /// Mean response (sojourn) time, seconds: mean wait + S.
    pub mean_response: f64,
    /// Mean number waiting (Little's law on the queue): λ x mean wait.
    pub mean_queue_length: f64,
}

const NOT_NEGATIVE: &str = "finite and not negative";
const ABOVE_ZERO: &str = "finite and above zero";

fn check_rates(arrival_rate: f64, service_time: f64) -> Result<(), KernelError> {
    if !arrival_rate.is_finite() || arrival_rate < 0.0 {
        return Err(KernelError::InvalidRate {
            name: "arrival rate",
            rule: NOT_NEGATIVE,
            value: arrival_rate,
        });
    }
    if !service_time.is_finite() || service_time <= 0.0 {
        return Err(KernelError::InvalidRate {
            name: "service time",
            rule: ABOVE_ZERO,
            value: service_time,
        });
    }
    Ok(())
}

/// The fewest servers that keep `offered_load` stable (ρ < 1).
pub fn stable_servers(offered_load: f64) -> u32 {
    let floor = offered_load.floor();
    if floor >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        floor as u32 + 1
    }
}

impl Queue {
    /// The M/M/c queue of `servers` servers; an error when it is unstable
    /// (the error names the server count that makes it stable).
    pub fn new(arrival_rate: f64, service_time: f64, servers: u32) -> Result<Queue, KernelError> {
        check_rates(arrival_rate, service_time)?;
        let load = arrival_rate * service_time;
        Queue::with_erlang_b(arrival_rate, service_time, servers, erlang_b(servers, load))
    }

    fn with_erlang_b(
        arrival_rate: f64,
        service_time: f64,
        servers: u32,
        blocking: f64,
    ) -> Result<Queue, KernelError> {
        let load = arrival_rate * service_time;
        let c = f64::from(servers);
        if servers == 0 || load >= c {
            return Err(KernelError::Unstable {
                offered_load: load,
                servers,
                stable_at: stable_servers(load),
            });
        }
        let utilisation = load / c;
        let p_wait = if arrival_rate == 0.0 {
            0.0
        } else {
            blocking / (1.0 - utilisation * (1.0 - blocking))
        };
        // cμ - λ, the rate at which the queue drains when every server is busy.
        let drain = c / service_time - arrival_rate;
        let mean_wait = p_wait / drain;
        Ok(Queue {
            arrival_rate,
            service_time,
            servers,
            offered_load: load,
            utilisation,
            p_wait,
            mean_wait,
            mean_response: mean_wait + service_time,
            mean_queue_length: arrival_rate * mean_wait,
        })
    }

    fn drain_rate(&self) -> f64 {
        f64::from(self.servers) / self.service_time - self.arrival_rate
    }

    /// Service level: the probability an arrival waits at most `threshold`
    /// seconds, `P(W <= t) = 1 - C e^{-(cμ - λ) t}`.
    pub fn service_level(&self, threshold: f64) -> f64 {
        1.0 - self.p_wait * (-self.drain_rate() * threshold.max(0.0)).exp()
    }

    /// The `p`-quantile of the wait in queue: 0 when `C <= 1 - p`, else
    /// `ln(C / (1 - p)) / (cμ - λ)`.
    pub fn wait_quantile(&self, p: f64) -> f64 {
        if self.p_wait <= 1.0 - p {
            0.0
        } else {
            (self.p_wait / (1.0 - p)).ln() / self.drain_rate()
        }
    }

    /// `P(T > t)` for the sojourn time `T = W + service`: with `θ = cμ - λ`,
    /// `e^{-μt} + C μ / (θ - μ) (e^{-μt} - e^{-θt})`, or `e^{-μt}(1 + C μ t)`
    /// when `θ = μ` (Gross & Harris, §2.3).
    pub fn response_exceeds(&self, t: f64) -> f64 {
        let mu = 1.0 / self.service_time;
        let theta = self.drain_rate();
        let service = (-mu * t).exp();
        if ((theta - mu) / mu).abs() < 1e-9 {
            service * (1.0 + self.p_wait * mu * t)
        } else {
            service + self.p_wait * mu / (theta - mu) * (service - (-theta * t).exp())
        }
    }

    /// `P(Nq > n)`: the probability that more than `n` arrivals are waiting
    /// (those in service not counted; a fractional `n` counts as its whole
    /// part). Past the `c` busy servers the M/M/c queue's population is
    /// geometric, `P(N = c + k) = C (1 - ρ) ρ^k` (Gross & Harris, §2.3), so
    /// `P(Nq > n) = P(N > c + n) = C ρ^{n+1}`; for one server that is
    /// `ρ^{n+2}`, the M/M/1 queue's `P(N > n + 1)` (§2.2).
    pub fn queue_length_exceeds(&self, n: f64) -> f64 {
        self.p_wait * self.utilisation.powf(n.max(0.0).floor() + 1.0)
    }

    /// The `p`-quantile of the number waiting (the queue's depth, as a
    /// broker's gauge shows it): the fewest `n` with `P(Nq > n) <= 1 - p`,
    /// `ceil(ln((1 - p) / C) / ln ρ) - 1`, or 0 when `C ρ <= 1 - p`. The
    /// logarithm's answer is checked against [`Queue::queue_length_exceeds`]
    /// and moved a step if rounding put it off by one.
    pub fn queue_length_quantile(&self, p: f64) -> u64 {
        let tail = 1.0 - p;
        if self.queue_length_exceeds(0.0) <= tail {
            return 0;
        }
        let estimate = ((tail / self.p_wait).ln() / self.utilisation.ln()).ceil() - 1.0;
        // At least 1 here (the tail at 0 is above `1 - p`); `as` saturates.
        let mut n = estimate.max(1.0) as u64;
        while n < u64::MAX && self.queue_length_exceeds(n as f64) > tail {
            n += 1;
        }
        while n > 0 && self.queue_length_exceeds((n - 1) as f64) <= tail {
            n -= 1;
        }
        n
    }

    /// The `p`-quantile of the response time (p50, p95, p99 …), by bisection
    /// on `P(T > t) = 1 - p` to a relative precision of 1e-12.
    pub fn response_quantile(&self, p: f64) -> f64 {
        let target = 1.0 - p;
        let mut high = self.service_time;
        while self.response_exceeds(high) > target {
            high *= 2.0;
        }
        let mut low = 0.0;
        while high - low > 1e-12 * high {
            let mid = 0.5 * (low + high);
            if self.response_exceeds(mid) > target {
                low = mid;
            } else {
                high = mid;
            }
        }
        0.5 * (low + high)
    }
}

/// A goal a queue must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QueueTarget {
    /// The `quantile` of the response time at most `seconds`.
    ResponseQuantile {
        /// e.g. 0.95 for p95.
        quantile: f64,
        /// Bound, seconds.
        seconds: f64,
    },
    /// At least `fraction` of arrivals wait at most `seconds`.
    ServiceLevel {
        /// e.g. 0.8 for 80%.
        fraction: f64,
        /// Wait threshold, seconds.
        seconds: f64,
    },
}

impl QueueTarget {
    fn met_by(&self, queue: &Queue) -> bool {
        match *self {
            QueueTarget::ResponseQuantile { quantile, seconds } => {
                queue.response_exceeds(seconds) <= 1.0 - quantile
            }
            QueueTarget::ServiceLevel { fraction, seconds } => {
                queue.service_level(seconds) >= fraction
            }
        }
    }

    /// Whether some server count can meet the target at some load: it is
    /// well formed, and (for a response-time quantile) the service time
    /// alone is within it. Independent of the arrival rate, so that a
    /// caller with many rates can ask once; [`servers_for`] asks it first.
    pub fn check(&self, service_time: f64) -> Result<(), KernelError> {
        let (p, t) = match *self {
            QueueTarget::ResponseQuantile { quantile, seconds } => (quantile, seconds),
            QueueTarget::ServiceLevel { fraction, seconds } => (fraction, seconds),
        };
        if !(p > 0.0 && p < 1.0 && t.is_finite() && t >= 0.0) {
            return Err(KernelError::InvalidQuestion(format!(
                "a target needs a fraction in (0, 1) and a finite time at least 0, got {} and {}",
                crate::Shown(p),
                crate::Shown(t)
            )));
        }
        if let QueueTarget::ResponseQuantile { quantile, seconds } = *self {
            // Even with no waiting, the service time alone must meet it.
            let floor = -(1.0 - quantile).ln() * service_time;
            if seconds < floor {
                return Err(KernelError::UnreachableTarget(format!(
                    "the p{} of the service time alone is {} s, above the {} s target: no server count meets it",
                    quantile * 100.0,
                    if crate::Shown::is_plain(floor) {
                        format!("{floor:.6}")
                    } else {
                        crate::Shown(floor).to_string()
                    },
                    crate::Shown(seconds)
                )));
            }
        }
        Ok(())
    }
}

/// The fewest servers whose M/M/c queue meets `target`, and that queue.
/// Starts at the smallest stable count and steps up with Erlang B's
/// recursion `B(c+1) = a B(c) / (c + 1 + a B(c))`, O(1) a step.
pub fn servers_for(
    arrival_rate: f64,
    service_time: f64,
    target: QueueTarget,
) -> Result<Queue, KernelError> {
    check_rates(arrival_rate, service_time)?;
    target.check(service_time)?;
    let load = arrival_rate * service_time;
    let mut servers = stable_servers(load).max(1);
    let mut blocking = erlang_b(servers, load);
    loop {
        let queue = Queue::with_erlang_b(arrival_rate, service_time, servers, blocking)?;
        if target.met_by(&queue) {
            return Ok(queue);
        }
        if servers == u32::MAX {
            return Err(KernelError::UnreachableTarget(
                "no server count up to 2^32 meets it".into(),
            ));
        }
        servers += 1;
        blocking = load * blocking / (f64::from(servers) + load * blocking);
    }
}

/// The fewest servers of a loss system (M/M/c/c: no queue, an arrival that
/// finds every server busy is turned away, as by a connection pool that
/// refuses rather than waits) offered `load` Erlangs whose blocking
/// probability, Erlang's loss formula B(c, a), is at most `target`; with
/// that blocking. Since the carried load `a (1 - B)` cannot exceed `c`, the
/// answer is at least `a (1 - target)`: the search starts below it with the
/// stable [`erlang_b`] and steps up by the recursion
/// `B(c+1) = a B(c) / (c + 1 + a B(c))`.
pub fn loss_servers_for(load: f64, target: f64) -> Result<(u32, f64), KernelError> {
    if !(load.is_finite() && load >= 0.0) {
        return Err(bad("offered load", NOT_NEGATIVE, load));
    }
    if !(target > 0.0 && target < 1.0) {
        return Err(KernelError::InvalidQuestion(format!(
            "a blocking target must lie strictly between 0 and 1, got {}",
            crate::Shown(target)
        )));
    }
    let start = (load * (1.0 - target)).floor();
    if start >= f64::from(u32::MAX) {
        return Err(KernelError::UnreachableTarget("it needs more than 2^32 servers".into()));
    }
    let mut servers = start as u32;
    let mut blocking = erlang_b(servers, load);
    while blocking > target {
        if servers == u32::MAX {
            return Err(KernelError::UnreachableTarget(
                "no server count up to 2^32 meets it".into(),
            ));
        }
        servers += 1;
        blocking = load * blocking / (f64::from(servers) + load * blocking);
    }
    Ok((servers, blocking))
}

/// The mean wait in queue of a G/G/c queue, whose arrivals and service
/// times vary with coefficients of variation (standard deviation over mean)
/// `arrival_cv` and `service_cv`, by the Allen-Cunneen approximation
/// (Allen, *Probability, Statistics, and Queueing Theory*, 2nd ed., 1990):
/// the M/M/c queue's mean wait times `(Ca² + Cs²) / 2`. Both
/// coefficients 1 give the M/M/c queue itself; one server and Poisson
/// arrivals (Ca = 1) give the Pollaczek-Khinchine mean wait of M/G/1
/// exactly, `ρ S (1 + Cs²) / (2 (1 - ρ))`; otherwise it is an
/// approximation, best at heavy load. Requests whose times have a long tail
/// (Cs of 2 or 3, Poisson arrivals) wait 2.5 or 5 times what M/M/c says.
pub fn allen_cunneen_wait(
    queue: &Queue,
    arrival_cv: f64,
    service_cv: f64,
) -> Result<f64, KernelError> {
    for (name, cv) in [
        ("arrival coefficient of variation", arrival_cv),
        ("service coefficient of variation", service_cv),
    ] {
        if !(cv.is_finite() && cv >= 0.0) {
            return Err(bad(name, NOT_NEGATIVE, cv));
        }
    }
    Ok(queue.mean_wait * (arrival_cv * arrival_cv + service_cv * service_cv) / 2.0)
}

/// A law's error for `value` of `name`, which breaks `rule`.
fn bad(name: &'static str, rule: &'static str, value: f64) -> KernelError {
    KernelError::InvalidRate { name, rule, value }
}

/// The given quantities of a law of three, each finite and not negative.
fn not_negative(given: [(&'static str, Option<f64>); 3]) -> Result<(), KernelError> {
    for (name, value) in given {
        if let Some(v) = value.filter(|v| !v.is_finite() || *v < 0.0) {
            return Err(bad(name, NOT_NEGATIVE, v));
        }
    }
    Ok(())
}

/// Little's law, `L = λ W` (Little, 1961): given any two of concurrency
/// `L`, throughput `λ` and response time `W`, the third.
pub fn littles_law(
    concurrency: Option<f64>,
    throughput: Option<f64>,
    response_time: Option<f64>,
) -> Result<(f64, f64, f64), KernelError> {
    not_negative([
        ("concurrency", concurrency),
        ("throughput", throughput),
        ("response time", response_time),
    ])?;
    match (concurrency, throughput, response_time) {
        (None, Some(x), Some(w)) => Ok((x * w, x, w)),
        (Some(l), None, Some(w)) if w > 0.0 => Ok((l, l / w, w)),
        (Some(l), Some(x), None) if x > 0.0 => Ok((l, x, l / x)),
        (Some(_), None, Some(w)) => Err(bad("response time", ABOVE_ZERO, w)),
        (Some(_), Some(x), None) => Err(bad("throughput", ABOVE_ZERO, x)),
        _ => Err(KernelError::InvalidQuestion(
            "Little's law needs exactly two of concurrency, throughput and response time".into(),
        )),
    }
}

/// The utilisation law, `U = X S / c` (Denning & Buzen, 1978): a resource
/// of `c` servers completing `X` requests a second, each taking `S` seconds
/// of service, is busy `U` of the time. Given any two of utilisation,
/// throughput and service time, the third. A throughput and service time
/// that would keep the servers busy all the time or more is the unstable
/// queue's error (the law holds only for work that completes).
pub fn utilisation_law(
    utilisation: Option<f64>,
    throughput: Option<f64>,
    service_time: Option<f64>,
    servers: u32,
) -> Result<(f64, f64, f64), KernelError> {
    not_negative([
        ("utilisation", utilisation),
        ("throughput", throughput),
        ("service time", service_time),
    ])?;
    if servers == 0 {
        return Err(KernelError::InvalidQuestion(
            "the utilisation law needs at least 1 server".into(),
        ));
    }
    if let Some(u) = utilisation.filter(|u| *u > 1.0) {
        return Err(bad("utilisation", "at most 1 (all servers busy)", u));
    }
    let c = f64::from(servers);
    match (utilisation, throughput, service_time) {
        (None, Some(x), Some(s)) => {
            let load = x * s;
            if load >= c && load > 0.0 {
                return Err(KernelError::Unstable {
                    offered_load: load,
                    servers,
                    stable_at: stable_servers(load),
                });
            }
            Ok((load / c, x, s))
        }
        (Some(u), None, Some(s)) if s > 0.0 => Ok((u, u * c / s, s)),
        (Some(u), Some(x), None) if x > 0.0 => Ok((u, x, u * c / x)),
        (Some(_), None, Some(s)) => Err(bad("service time", ABOVE_ZERO, s)),
        (Some(_), Some(x), None) => Err(bad("throughput", ABOVE_ZERO, x)),
        _ => Err(KernelError::InvalidQuestion(
            "the utilisation law needs exactly two of utilisation, throughput and service time"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilisation_law_gives_the_third_of_three() {
        // Lazowska et al., *Quantitative System Performance* (1984), §3.2:
        // a disk serving 40 requests a second of 0.0225 s each is 90% busy.
        let (u, _, _) = utilisation_law(None, Some(40.0), Some(0.0225), 1).unwrap();
        assert!(close(u, 0.9, 1e-12));
        // Back again: 90% busy at 0.0225 s is 40 a second; 40 a second at
        // 90% is 0.0225 s each. On 4 servers the same work is 22.5% each.
        let (_, x, _) = utilisation_law(Some(0.9), None, Some(0.0225), 1).unwrap();
        assert!(close(x, 40.0, 1e-9));
        let (_, _, s) = utilisation_law(Some(0.9), Some(40.0), None, 1).unwrap();
        assert!(close(s, 0.0225, 1e-12));
        let (u, _, _) = utilisation_law(None, Some(40.0), Some(0.0225), 4).unwrap();
        assert!(close(u, 0.225, 1e-12));
        // 50 a second of 0.0225 s is 1.125 Erlangs: one disk cannot, two can.
        assert_eq!(
            utilisation_law(None, Some(50.0), Some(0.0225), 1),
            Err(KernelError::Unstable { offered_load: 50.0 * 0.0225, servers: 1, stable_at: 2 })
        );
        assert!(utilisation_law(Some(1.5), None, Some(1.0), 1).is_err());
        assert!(utilisation_law(None, Some(1.0), Some(1.0), 0).is_err());
        assert!(utilisation_law(Some(0.5), Some(1.0), Some(1.0), 1).is_err());
        assert!(utilisation_law(Some(0.5), None, Some(0.0), 1).is_err());
        assert!(utilisation_law(None, Some(f64::NAN), Some(1.0), 1).is_err());
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn closed_forms_of_one_and_two_servers() {
        // M/M/1: P(wait) = ρ and W = ρ S / (1 - ρ) (Gross & Harris §2.2).
        let q = Queue::new(0.5, 1.0, 1).unwrap();
        assert!(close(q.p_wait, 0.5, 1e-12));
        assert!(close(q.mean_wait, 1.0, 1e-12));
        // M/M/1 response time is exponential with rate μ - λ: p95 = ln 20 / 0.5.
        assert!(close(q.response_quantile(0.95), 20f64.ln() / 0.5, 1e-9));
        // M/M/2 with a = 1 (ρ = 0.5): C = 2ρ² / (1 + ρ) = 1/3.
        let q = Queue::new(1.0, 1.0, 2).unwrap();
        assert!(close(q.p_wait, 1.0 / 3.0, 1e-12));
    }

    #[test]
    fn allen_cunneen_is_exact_where_theory_is() {
        // M/D/1 (Ca = 1, Cs = 0) at ρ = 0.8 with S = 1 s: Pollaczek-Khinchine
        // gives ρ S / (2 (1 - ρ)) = 0.8 / 0.4 = 2 s, half of M/M/1's 4 s.
        let one = Queue::new(0.8, 1.0, 1).unwrap();
        assert!(close(one.mean_wait, 4.0, 1e-12), "{}", one.mean_wait);
        assert!(close(allen_cunneen_wait(&one, 1.0, 0.0).unwrap(), 2.0, 1e-12));
        // M/G/1 with Cs = 2: ρ S (1 + 4) / (2 (1 - ρ)) = 0.8 x 5 / 0.4 = 10 s.
        assert!(close(allen_cunneen_wait(&one, 1.0, 2.0).unwrap(), 10.0, 1e-12));
        // Both 1: M/M/c's own wait, here at c = 55, a = 48.
        let many = Queue::new(0.2, 240.0, 55).unwrap();
        assert_eq!(allen_cunneen_wait(&many, 1.0, 1.0).unwrap(), many.mean_wait);
        assert!(allen_cunneen_wait(&many, -1.0, 1.0).is_err());
        assert!(allen_cunneen_wait(&many, 1.0, f64::NAN).is_err());
    }

    #[test]
    fn loss_servers_meet_the_erlang_b_table() {
        // The Erlang B table's 1% column: 10 servers carry 4.461 Erlangs and
        // 11 carry 5.160, so 5 Erlangs need 11 (B = 0.00829; 10 give
        // 0.01838); its 2% column: 16 carry 9.828 and 17 carry 10.66, so 10
        // Erlangs need 17 (B = 0.01295).
        let (servers, blocking) = loss_servers_for(5.0, 0.01).unwrap();
        assert_eq!(servers, 11);
        assert!(close(blocking, 0.00829, 5e-6), "{blocking}");
        assert_eq!(loss_servers_for(10.0, 0.02).unwrap().0, 17);
        assert_eq!(loss_servers_for(4.461, 0.0101).unwrap().0, 10);
        // Large and tiny: each answer is the first count at or under the target.
        for (load, target) in [(9500.0, 0.001), (0.3, 1e-9), (0.0, 0.5)] {
            let (servers, blocking) = loss_servers_for(load, target).unwrap();
            assert!(blocking <= target, "{load} {target}");
            assert!(servers == 0 || erlang_b(servers - 1, load) > target, "{load} {target}");
        }
        assert!(loss_servers_for(5.0, 0.0).is_err());
        assert!(loss_servers_for(f64::NAN, 0.01).is_err());
    }

    #[test]
    fn erlang_b_table() {
        // Published Erlang B tables: 10 trunks offered 5 Erlangs block
        // 1.84% (exactly 0.018384...); 5 trunks offered 2 Erlangs, 3.67%.
        assert!(close(erlang_b(10, 5.0), 0.018385, 5e-6));
        assert!(close(erlang_b(5, 2.0), 0.036697, 5e-6));
    }

    #[test]
    fn exact_rational_oracle() {
        // Values from exact rational arithmetic of the definition
        // (tests/oracles/erlang_c.py, Python `fractions`), to 4 decimals:
        // c = 5 agents, a = 3 Erlangs (one call a minute, 3-minute calls).
        let q = Queue::new(1.0 / 60.0, 180.0, 5).unwrap();
        assert!(close(q.p_wait, 0.2362, 5e-5), "{}", q.p_wait);
        // 360 calls per half hour, 240 s calls, 55 agents, 15 s target.
        let q = Queue::new(360.0 / 1800.0, 240.0, 55).unwrap();
        assert!(close(q.p_wait, 0.2387, 5e-5), "{}", q.p_wait);
        assert!(close(q.mean_wait, 8.1840, 5e-5), "{}", q.mean_wait);
        assert!(close(q.service_level(15.0), 0.8459, 5e-5), "{}", q.service_level(15.0));
    }

    #[test]
    fn queue_depth_against_the_birth_death_chain() {
        // Oracle: the stationary distribution of the birth-death chain
        // solved from its balance equations, `p(n+1) = p(n) a / min(n+1, c)`,
        // in exact rational arithmetic (tests/oracles/erlang_c.py), summed
        // term by term: 5 agents, 3 Erlangs.
        let q = Queue::new(1.0 / 60.0, 180.0, 5).unwrap();
        for (n, oracle) in
            [(0.0, 0.141691), (1.0, 0.0850146), (4.0, 0.0183631), (10.0, 0.000856751)]
        {
            let tail = q.queue_length_exceeds(n);
            assert!(close(tail, oracle, 5e-7 * oracle.max(1.0)), "P(Nq > {n}) = {tail}");
        }
        assert!(close(q.mean_queue_length, 0.354227, 5e-7), "{}", q.mean_queue_length);
        // Half the time nobody waits; 1% of the time more than 6 do.
        assert_eq!(q.queue_length_quantile(0.5), 0);
        assert_eq!(q.queue_length_quantile(0.99), 6);
        // M/M/1 at ρ = 1/2: P(N > k) = ρ^(k+1) (Gross & Harris §2.2), so
        // more than 3 wait when more than 4 are present: 1/32.
        let one = Queue::new(0.5, 1.0, 1).unwrap();
        assert!(close(one.queue_length_exceeds(3.0), 1.0 / 32.0, 1e-15));
        assert!(close(one.queue_length_exceeds(3.7), 1.0 / 32.0, 1e-15));
        // The quantile is the fewest n whose tail is at most 1 - p, at and
        // either side of each step of ρ^(n+2): 1/32 is P(Nq > 3).
        assert_eq!(one.queue_length_quantile(1.0 - 1.0 / 32.0), 3);
        assert_eq!(one.queue_length_quantile(1.0 - 1.0 / 31.0), 3);
        assert_eq!(one.queue_length_quantile(1.0 - 1.0 / 33.0), 4);
        // Close to saturation the depth runs to millions, still exact to a step.
        let busy = Queue::new(0.999_999, 1.0, 1).unwrap();
        let n = busy.queue_length_quantile(0.99);
        assert!(n > 4_000_000, "{n}");
        assert!(busy.queue_length_exceeds(n as f64) <= 0.01);
        assert!(busy.queue_length_exceeds((n - 1) as f64) > 0.01);
        // Nothing arrives: nothing waits.
        assert_eq!(Queue::new(0.0, 1.0, 3).unwrap().queue_length_quantile(0.99), 0);
    }

    #[test]
    fn published_worked_example() {
        // 100 calls per 30 minutes, 180 s handling, 20 s answer target:
        // 10 Erlangs. Published answers, identical in two independent
        // sources: the R package ErlangC 0.1.0 README (`erlang_c(100, 30 min,
        // 180 s, 20 s, 14)`) and pyworkforce 0.1.0 on PyPI
        // (`ErlangC(transactions=100, aht=3, asa=20/60, interval=30)`):
        // with 14 agents, wait probability 0.1741319, service level 0.88835,
        // average speed of answer 7.83593701 s, occupancy 0.7142857; with 11
        // agents, wait probability 0.6821182; 14 is the fewest agents for an
        // 80% service level.
        let arrival_rate = 100.0 / 1800.0;
        let q = Queue::new(arrival_rate, 180.0, 14).unwrap();
        assert!(close(q.offered_load, 10.0, 1e-12));
        assert!(close(q.p_wait, 0.1741319, 5e-8), "{}", q.p_wait);
        assert!(close(q.service_level(20.0), 0.88835, 5e-6), "{}", q.service_level(20.0));
        assert!(close(q.mean_wait, 7.835937, 5e-7), "{}", q.mean_wait);
        assert!(close(q.utilisation, 0.7142857, 5e-8));
        let eleven = Queue::new(arrival_rate, 180.0, 11).unwrap();
        assert!(close(eleven.p_wait, 0.6821182, 5e-8), "{}", eleven.p_wait);
        let target = QueueTarget::ServiceLevel { fraction: 0.8, seconds: 20.0 };
        assert_eq!(servers_for(arrival_rate, 180.0, target).unwrap().servers, 14);
    }

    #[test]
    fn stable_at_ten_thousand_servers() {
        // 9,500 Erlangs on 10,000 servers: finite, between 0 and 1, and equal
        // to the O(1)-step recursion run up from one server.
        let q = Queue::new(9500.0, 1.0, 10_000).unwrap();
        assert!(q.p_wait.is_finite() && q.p_wait > 0.0 && q.p_wait < 1.0);
        let mut b = 1.0;
        for k in 1..=10_000u32 {
            b = 9500.0 * b / (f64::from(k) + 9500.0 * b);
        }
        assert!(close(erlang_b(10_000, 9500.0), b, 1e-12 * b.max(1e-300)));
        // Far below saturation the wait probability underflows to zero, not NaN.
        assert_eq!(Queue::new(1000.0, 1.0, 10_000).unwrap().p_wait, 0.0);
    }

    #[test]
    fn unstable_queue_names_the_stable_count() {
        assert_eq!(
            Queue::new(10.0, 1.0, 10),
            Err(KernelError::Unstable { offered_load: 10.0, servers: 10, stable_at: 11 })
        );
    }

    #[test]
    fn smallest_server_count_for_a_target() {
        // 360 calls per half hour of 240 s: 85% answered within 20 s needs 55
        // agents, since 54 answer 81.72% in time and 55 answer 86.68% (oracle).
        let target = QueueTarget::ServiceLevel { fraction: 0.85, seconds: 20.0 };
        let q = servers_for(0.2, 240.0, target).unwrap();
        assert_eq!(q.servers, 55);
        assert!(close(q.service_level(20.0), 0.8668, 5e-5));
        assert!(close(Queue::new(0.2, 240.0, 54).unwrap().service_level(20.0), 0.8172, 5e-5));
        // A p95 below what service alone takes is unreachable.
        let impossible = QueueTarget::ResponseQuantile { quantile: 0.95, seconds: 0.1 };
        assert!(matches!(
            servers_for(1.0, 1.0, impossible),
            Err(KernelError::UnreachableTarget(_))
        ));
    }

    #[test]
    fn littles_law_by_hand() {
        // 200 requests/s at 0.25 s each keep 50 in flight.
        assert_eq!(littles_law(None, Some(200.0), Some(0.25)).unwrap(), (50.0, 200.0, 0.25));
        assert_eq!(littles_law(Some(50.0), None, Some(0.25)).unwrap(), (50.0, 200.0, 0.25));
        assert!(matches!(
            littles_law(Some(1.0), None, None),
            Err(KernelError::InvalidQuestion(m)) if m.contains("exactly two")
        ));
    }

    mod depth {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// The depth's quantile is the fewest `n` whose tail is at most
            /// `1 - p`, for queues from one server to thousands, light to
            /// all but saturated; and the tail falls as `n` grows.
            #[test]
            fn the_depth_quantile_is_the_fewest_count_past_the_tail(
                servers in 1u32..3000,
                utilisation in 0.01f64..0.9999,
                p in 0.5f64..0.9999,
            ) {
                let q = Queue::new(utilisation * f64::from(servers), 1.0, servers).unwrap();
                let n = q.queue_length_quantile(p);
                prop_assert!(q.queue_length_exceeds(n as f64) <= 1.0 - p);
                if n > 0 {
                    prop_assert!(q.queue_length_exceeds((n - 1) as f64) > 1.0 - p);
                }
                prop_assert!(q.queue_length_exceeds(n as f64 + 1.0) <= q.queue_length_exceeds(n as f64));
            }
        }
    }
}
