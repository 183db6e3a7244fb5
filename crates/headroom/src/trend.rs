//! What calc growth and observe --trend share: which swings a growth fit
//! takes out of a measured history (`--seasonality`), the fit itself
//! (the kernel's [`headroom_kernel::trend::growth_trend`] with those
//! seasons), what it says of itself beside its rate, and how far ahead a
//! projection looks.
//!
//! Pure: no file, no network; its callers read the histories.

use headroom_kernel::growth::GrowthPoint;
use headroom_kernel::trend::{growth_trend, seasons_for, Cycle, GrowthTrend};
use serde::Serialize;

/// Months a projection looks ahead before it says "not within 10 years"
/// (in `observe` and `calc growth`).
pub const TEN_YEARS: f64 = 120.0;

/// Which seasons a growth fit takes out of a history (`--seasonality`):
/// every cycle its sampling can show (`auto`, the default), none, or the
/// cycles named (`daily`, `weekly`, `daily,weekly`), each of which must
/// then fit. See [`headroom_kernel::trend`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Seasonality {
    /// Each cycle the history's span and sampling can carry.
    #[default]
    Auto,
    /// These cycles and no others (none: a plain line).
    Cycles(Vec<Cycle>),
}

impl std::str::FromStr for Seasonality {
    type Err = String;

    fn from_str(text: &str) -> Result<Seasonality, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Seasonality::Auto),
            "none" => Ok(Seasonality::Cycles(Vec::new())),
            list => {
                let mut cycles = Vec::new();
                for name in list.split(',') {
                    let cycle: Cycle = name.trim().parse().map_err(|e| {
                        format!("{e} (or `auto`, `none`, or both cycles: `daily,weekly`)")
                    })?;
                    if !cycles.contains(&cycle) {
                        cycles.push(cycle);
                    }
                }
                Ok(Seasonality::Cycles(cycles))
            }
        }
    }
}

/// Fits a history's compound growth with the seasons `seasonality` asks
/// for taken out; an error is the reason, for the caller to name its
/// source in.
pub fn seasonal_trend(
    history: &[GrowthPoint],
    seasonality: &Seasonality,
) -> Result<GrowthTrend, String> {
    let months: Vec<f64> = history.iter().map(|p| p.month).collect();
    let asked = match seasonality {
        Seasonality::Auto => None,
        Seasonality::Cycles(cycles) => Some(cycles.as_slice()),
    };
    let seasons = seasons_for(&months, asked)?;
    growth_trend(history, &seasons).map_err(|e| e.to_string())
}

/// What a growth fit says of itself beside its rate, shared by `calc
/// growth` and `observe --trend` (flattened into each).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct TrendChecks {
    /// The lag Newey and West's errors counted to (30 samples or more: the
    /// interval and the rate's standard deviation are theirs, for
    /// residuals in time, each like its neighbours); null: classical.
    pub newey_west_lags: Option<usize>,
    /// The rate a month at the first sample, from the history fitted again
    /// with a quadratic term (the kernel's
    /// [`headroom_kernel::trend::Bend`]); null where too few samples.
    pub rate_at_start: Option<f64>,
    /// The rate a month at the last sample, from that fit.
    pub rate_now: Option<f64>,
    /// Whether the growth changed over the history (the quadratic term's
    /// 95% interval excludes 0, and the two rates differ by a percentage
    /// point a month or more): the rate is then the history's average,
    /// and what grows at it understates (speeding up) or overstates
    /// (slowing) what is coming. Null where too few samples to tell.
    pub growth_changed: Option<bool>,
}

impl TrendChecks {
    /// A fit's checks.
    pub fn of(fit: &GrowthTrend) -> TrendChecks {
        TrendChecks {
            newey_west_lags: fit.newey_west_lags,
            rate_at_start: fit.bend.as_ref().map(|b| b.rate_at_start),
            rate_now: fit.bend.as_ref().map(|b| b.rate_now),
            growth_changed: fit.bend.as_ref().map(|b| b.changed),
        }
    }
}
