//! The forecast kernel: the arithmetic every system profile shares.
//!
//! Growth curves, peak factors, sizing under a headroom policy, vertical
//! ladders, cost, runway and the audit of a published plan against a computed
//! one; queueing (Erlang C), the Universal Scalability Law, trends fitted to
//! measured history (least squares, a compound growth rate, daily and
//! weekly swings taken out as Fourier terms), and correlated
//! draws (a Gaussian copula). Every function takes plain data and returns plain data.
//!
//! **Architecture Invariant:** the kernel does no I/O and knows nothing of
//! plugins, configuration files, serde formats or the terminal. It cannot fail
//! on the outside world: it fails only on inputs that break a stated
//! precondition, and then says which one ([`KernelError`]).
//!
//! Every formula names its source in its doc comment and is tested against a
//! worked example done by hand.
#![deny(missing_docs)]

pub mod audit;
pub mod copula;
pub mod cost;
pub mod growth;
pub mod peak;
pub mod queueing;
pub mod runway;
pub mod sampling;
pub mod sizing;
pub mod trend;
pub mod usl;

pub use audit::{compare, Comparison, Published, Verdict};
pub use cost::{monthly_cost, HOURS_PER_MONTH};
pub use growth::{GrowthCurve, GrowthPoint};
pub use runway::{first_breach, Runway};
pub use sizing::{
    needed_units, size_horizontal, size_on_ladder, size_with_scalability, units_for,
    units_for_loads, units_for_loads_on, units_for_quotients, HeadroomPolicy, LadderSizing, Rung,
    ScaledSizing, UnitSizing,
};

/// A number as messages print it: the shortest form that reads back to the
/// same `f64` (as `{}` prints it), but in exponent form when it is very
/// large or very small: `1e300`, not three hundred digits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown(pub f64);

impl Shown {
    /// Whether `v` prints plainly (without an exponent): zero, not finite,
    /// or of a magnitude in `[1e-5, 1e16)`.
    pub fn is_plain(v: f64) -> bool {
        v == 0.0 || !v.is_finite() || (1e-5..1e16).contains(&v.abs())
    }
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if Shown::is_plain(v) {
            write!(f, "{v}")
        } else {
            write!(f, "{v:e}")
        }
    }
}

/// What an unstable queue's message says of the fewest servers that make
/// it stable: none can, where that count would pass `u32::MAX`.
fn stable_with(stable_at: u32) -> String {
    match stable_at {
        u32::MAX => "no server count makes it stable".to_string(),
        1 => "1 server makes it stable".to_string(),
        _ => format!("{stable_at} servers make it stable"),
    }
}

/// A count and its noun, the noun singular where the count reads "1":
/// `1 Erlang`, `2.5 Erlangs`, `3 units` (where a message would say
/// "unit(s)"), for the kernel's messages and its callers' alike.
pub fn counted(count: impl std::fmt::Display, noun: &str) -> String {
    let text = count.to_string();
    if text == "1" {
        format!("1 {noun}")
    } else {
        format!("{text} {noun}s")
    }
}

/// A precondition of a kernel function that its input broke.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// A capacity per unit must be a finite number above zero.
    #[error("capacity of dimension #{dimension} must be finite and above zero, got {}", Shown(*.value))]
    InvalidCapacity {
        /// Index of the dimension in the input slice.
        dimension: usize,
        /// The value given.
        value: f64,
    },
    /// A load must be finite and not negative.
    #[error("load of dimension #{dimension} must be finite and not negative, got {}", Shown(*.value))]
    InvalidLoad {
        /// Index of the dimension in the input slice.
        dimension: usize,
        /// The value given.
        value: f64,
    },
    /// Headroom is the spare fraction kept free: it must lie in [0, 1).
    #[error("headroom must lie in [0, 1), got {}", Shown(*.0))]
    InvalidHeadroom(f64),
    /// Loads and capacities must describe the same dimensions.
    #[error("{loads} loads given for {capacities} capacity dimensions")]
    DimensionMismatch {
        /// Number of loads.
        loads: usize,
        /// Number of capacities.
        capacities: usize,
    },
    /// A ladder needs at least one rung.
    #[error("an instance ladder needs at least one rung")]
    EmptyLadder,
    /// A growth curve needs points to interpolate.
    #[error("a growth curve needs at least one point")]
    NoGrowthPoints,
    /// Growth points must be finite, at distinct months, in increasing order.
    #[error("growth points must be finite and strictly increasing in month: {0}")]
    InvalidGrowthPoints(String),
    /// A month asked for lies past the months there are room for.
    #[error("month {month} lies past the {months} months asked for")]
    MonthOutOfRange {
        /// The month asked for.
        month: usize,
        /// How many months there are room for.
        months: usize,
    },
    /// Log-linear, compound and logistic curves need values above zero (and
    /// below the ceiling, for logistic).
    #[error("growth value {} at month {month} is outside the domain of the {curve} curve", Shown(*.value))]
    OutsideCurveDomain {
        /// The curve's name.
        curve: &'static str,
        /// Month of the offending point.
        month: f64,
        /// Its value.
        value: f64,
    },
    /// A rate or time of a queueing question is out of its range: negative
    /// or not finite, or zero where it divides.
    #[error("{name} must be {rule}, got {}", Shown(*.value))]
    InvalidRate {
        /// Which input.
        name: &'static str,
        /// Its range in words: "finite and not negative", "finite and above zero".
        rule: &'static str,
        /// Its value.
        value: f64,
    },
    /// A queue whose offered load reaches its server count never drains.
    #[error("unstable: {} offered to {} is a utilisation of at least 100%; {}", counted(Shown(*.offered_load), "Erlang"), counted(*.servers, "server"), stable_with(*.stable_at))]
    Unstable {
        /// Offered load, Erlangs.
        offered_load: f64,
        /// Servers asked about.
        servers: u32,
        /// The fewest servers that make it stable.
        stable_at: u32,
    },
    /// No server count meets a queueing target.
    #[error("target cannot be met: {0}")]
    UnreachableTarget(String),
    /// A question put wrongly: a target outside its range, or the wrong
    /// number of knowns for Little's law.
    #[error("{0}")]
    InvalidQuestion(String),
    /// A scalability fit needs more data or better data.
    #[error("{0}")]
    FitData(String),
    /// The nonlinear fit did not converge; its numbers must not be used.
    #[error("the fit did not converge: {0}")]
    FitFailed(String),
    /// A price must be finite and not negative.
    #[error("price must be finite and not negative, got {}", Shown(*.0))]
    InvalidPrice(f64),
}

#[cfg(test)]
mod shown_tests {
    use super::Shown;

    #[test]
    fn numbers_in_messages_read_back_and_stay_short() {
        for (v, text) in [
            (0.0, "0"),
            (1091.03, "1091.03"),
            (-16.18863091541315, "-16.18863091541315"),
            (0.25, "0.25"),
            (1e300, "1e300"),
            (1e-300, "1e-300"),
            (-2.5e-7, "-2.5e-7"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(Shown(v).to_string(), text);
            if v.is_finite() {
                assert_eq!(text.parse::<f64>(), Ok(v));
            }
        }
    }
}
