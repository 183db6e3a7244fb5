//! `headroom simulate`: a seeded Monte Carlo over uncertain inputs.
//!
//! Any number of the configuration can be drawn from a distribution, named
//! by its key path in `[uncertainty.inputs]`:
//!
//! ```toml
//! [uncertainty]
//! draws = 2000
//! seed = 42
//! [uncertainty.inputs."milestones.12-months.drivers.users"]
//! distribution = "lognormal"   # normal, lognormal, triangular, uniform, empirical
//! median = 10000
//! sigma = 0.3
//! [[uncertainty.correlations]]  # optional: a Gaussian copula's rho
//! between = ["milestones.12-months.drivers.users", "milestones.12-months.drivers.leads_per_day"]
//! rho = 0.8
//! ```
//!
//! Each draw replaces those numbers, is checked as the configuration would
//! be (a draw that gives, say, a negative capacity is an error naming the
//! draw and the key: choose a distribution that cannot; nothing is clamped),
//! and is planned: by the compiled model (`simulate/model.rs`), or in full with
//! [`Options::exact`], which gives the same output byte for byte. Draws come
//! in chunks of [`CHUNK`], chunk `c` on the ChaCha8 stream `c` of the seed,
//! so results are identical whatever the thread count (chunks run in
//! parallel with rayon). Quantiles are nearest-rank (`simulate/tally.rs`).

use std::collections::BTreeMap;

mod draws;
mod model;
mod sensitivity;
mod settle;
mod tally;

pub use sensitivity::{sensitivity, Outcome, Sensitivity, Swing, TierAt};
pub use settle::{simulate_until_settled, unsettled, Stage, AUTO_FIRST, AUTO_MOST, SETTLED_WITHIN};

use headroom_plugin_api::host::LoadedProfile;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use draws::Draws;
pub use draws::CHUNK;
use model::Model;
pub use tally::quantiles;
use tally::{intervals_of_counts, quantiles_of_counts, IntervalRanks, Tally};

use crate::config::{LayeredConfig, ProfileConfig};
use crate::plan::{plan_config, plan_units_and_costs, ProfileRef};
use crate::Error;

/// The `[uncertainty]` table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    /// Draws, or `"auto"` (overridden by `--draws`).
    #[serde(default = "default_draws")]
    pub draws: DrawCount,
    /// Seed (overridden by `--seed`).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Distributions by configuration key path.
    #[serde(default)]
    pub inputs: BTreeMap<String, Distribution>,
    /// Correlations between inputs (`[[uncertainty.correlations]]`); inputs
    /// not named here are drawn independently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<Correlation>,
}

/// A correlation between two uncertain inputs: the correlation `rho` of a
/// Gaussian copula (each input keeps its own distribution; their ranks
/// correlate at about `(6 / π) asin(rho / 2)`, e.g. 0.79 for 0.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// The two input keys.
    pub between: [String; 2],
    /// The copula's correlation, strictly between -1 and 1.
    pub rho: f64,
}

/// The most draws one simulation takes: each draw keeps its total cost at
/// every milestone in memory until the quantiles are taken (8 bytes a
/// milestone; the rest is counted), and the exact path runs ~40 µs a draw.
pub const MAX_DRAWS: u32 = 5_000_000;

fn default_draws() -> DrawCount {
    DrawCount::Count(1000)
}

/// How many draws a run makes: a count, or `auto`, as many as it takes for
/// every figure to settle ([`simulate_until_settled`]). In configuration a
/// whole number or the word `"auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawCount {
    /// This many.
    Count(u32),
    /// 1,000, then four times as many until every figure settles.
    Auto,
}

impl Serialize for DrawCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DrawCount::Count(count) => serializer.serialize_u32(*count),
            DrawCount::Auto => serializer.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for DrawCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<DrawCount, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DrawCount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a count of draws or \"auto\"")
            }
            fn visit_u64<E: serde::de::Error>(self, count: u64) -> Result<DrawCount, E> {
                u32::try_from(count).map(DrawCount::Count).map_err(|_| {
                    E::custom(format!(
                        "{count} draws is past what a run makes ({MAX_DRAWS} at most)"
                    ))
                })
            }
            fn visit_i64<E: serde::de::Error>(self, count: i64) -> Result<DrawCount, E> {
                u64::try_from(count)
                    .map_err(|_| {
                        E::custom(format!(
                            "draws must be a count above zero or \"auto\", got {count}"
                        ))
                    })
                    .and_then(|c| self.visit_u64(c))
            }
            fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<DrawCount, E> {
                if word.eq_ignore_ascii_case("auto") {
                    Ok(DrawCount::Auto)
                } else {
                    Err(E::custom(format!("draws must be a count or \"auto\", got \"{word}\"")))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

fn default_seed() -> u64 {
    42
}

/// A distribution of one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Distribution {
    /// Normal with `mean` and standard deviation `sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Lognormal: `ln X` is normal with mean `ln median` and sd `sigma`.
    Lognormal {
        /// Median.
        median: f64,
        /// Standard deviation of `ln X`.
        sigma: f64,
    },
    /// Triangular on [min, max] with its mode.
    Triangular {
        /// Lowest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        max: f64,
    },
    /// Uniform on [min, max).
    Uniform {
        /// Lowest value.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Resampled from observed values.
    Empirical {
        /// The observations.
        samples: Vec<f64>,
    },
}

impl Distribution {
    /// The `p`-quantile (`p` in (0, 1)): the value a draw falls at or below
    /// with probability `p`. Normal `mean + sd Φ⁻¹(p)`; lognormal
    /// `median e^{σ Φ⁻¹(p)}`; triangular by its inverse distribution function
    /// (`min + √(p (max - min)(mode - min))` below the mode's share
    /// `(mode - min) / (max - min)`, else `max - √((1 - p)(max - min)(max - mode))`);
    /// uniform `min + p (max - min)`; empirical, the smallest observation
    /// with at least a share `p` of them at or below it (draws resample the
    /// observations with equal weight).
    pub fn quantile(&self, p: f64) -> f64 {
        use headroom_kernel::copula::standard_normal_quantile as z;
        match self {
            Distribution::Normal { mean, sd } => mean + sd * z(p),
            Distribution::Lognormal { median, sigma } => median * (sigma * z(p)).exp(),
            Distribution::Triangular { min, mode, max } => {
                let width = max - min;
                if width <= 0.0 {
                    *min
                } else if p < (mode - min) / width {
                    min + (p * width * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * width * (max - mode)).sqrt()
                }
            }
            Distribution::Uniform { min, max } => min + p * (max - min),
            Distribution::Empirical { samples } => {
                let mut sorted = samples.clone();
                sorted.sort_by(f64::total_cmp);
                let rank = (p * sorted.len() as f64).ceil() as usize;
                sorted.get(rank.saturating_sub(1)).copied().unwrap_or(f64::NAN)
            }
        }
    }

    /// The same distribution with every value multiplied by `factor` (a
    /// positive number): its centre moves, its spread relative to its centre
    /// stays (a normal's sd over its mean, a lognormal's sigma, the bounds'
    /// ratios).
    pub fn scaled(&self, factor: f64) -> Distribution {
        match self {
            Distribution::Normal { mean, sd } => {
                Distribution::Normal { mean: mean * factor, sd: sd * factor }
            }
            Distribution::Lognormal { median, sigma } => {
                Distribution::Lognormal { median: median * factor, sigma: *sigma }
            }
            Distribution::Triangular { min, mode, max } => Distribution::Triangular {
                min: min * factor,
                mode: mode * factor,
                max: max * factor,
            },
            Distribution::Uniform { min, max } => {
                Distribution::Uniform { min: min * factor, max: max * factor }
            }
            Distribution::Empirical { samples } => {
                Distribution::Empirical { samples: samples.iter().map(|s| s * factor).collect() }
            }
        }
    }
}

/// The floor of a Monte Carlo: `draws` draws of every input in `inputs`,
/// with the same streams and samplers as [`simulate`], and nothing else.
/// Returns the sum of the draws (so the work cannot be optimised away).
pub fn draw_only(
    inputs: &BTreeMap<String, Distribution>,
    draws: u32,
    seed: u64,
) -> Result<f64, String> {
    let sampler = Draws::new(inputs, &[])?;
    Ok(draws::chunks(draws)
        .map_init(Vec::new, |values, (chunk, count)| {
            sampler.draw_chunk(seed, chunk, count, values);
            values.iter().sum::<f64>()
        })
        .sum())
}

/// P50, P90 and P99 of a quantity over the draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// How sure the draws are of a quantile or a share: 95%.
pub const SAMPLING_CONFIDENCE: f64 = 0.95;

/// Where a quantity of the distribution lies, at [`SAMPLING_CONFIDENCE`],
/// given the draws: for a quantile, two of the draws themselves
/// (distribution-free, the kernel's `sampling::quantile_ranks`); for a
/// probability, Wilson's score interval. More draws narrow it (four times
/// the draws, half the width).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval<T = f64> {
    /// Lower end; `None` (JSON null) where too few draws were made to
    /// bound it (a P99 of fewer than about 370 draws).
    pub low: Option<T>,
    /// Upper end; `None` where too few draws were made to bound it.
    pub high: Option<T>,
    /// How many distinct values the draws took above `low`, up to `high`:
    /// 0 where both ends are one value, 1 where the interval spans a single
    /// step of a quantity that moves in steps (10 or 11 replicas: the
    /// quantile sits on the step, and more draws cannot narrow it). Absent
    /// for a probability and an open interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
}

/// The 95% intervals of P50, P90 and P99: of a number, or of a ladder
/// tier's deployment ("1 x db.r6i.4xlarge").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileIntervals<T = f64> {
    /// Of the median.
    pub p50: Interval<T>,
    /// Of the 90th percentile.
    pub p90: Interval<T>,
    /// Of the 99th percentile.
    pub p99: Interval<T>,
}

/// A tier at a milestone over the draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierOutcome {
    /// Tier key.
    pub tier: String,
    /// Units.
    pub units: Quantiles,
    /// Where the units' quantiles of the distribution lie, given the draws.
    pub units_interval: QuantileIntervals,
    /// Monthly cost.
    pub monthly_cost: Quantiles,
    /// For a tier on a ladder of instance sizes: the deployment at each
    /// quantile, as "units x instance", ordered by units, then size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployments>,
    /// Where those deployments of the distribution lie, given the draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_interval: Option<QuantileIntervals<String>>,
}

/// A ladder tier's deployment ("2 x db.r6i.8xlarge") at P50, P90 and P99.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployments {
    /// Median.
    pub p50: String,
    /// 90th percentile.
    pub p90: String,
    /// 99th percentile.
    pub p99: String,
}

/// A milestone over the draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneOutcome {
    /// Name.
    pub name: String,
    /// Month, if dated.
    pub month: Option<u32>,
    /// Tiers.
    pub tiers: Vec<TierOutcome>,
    /// Total monthly cost.
    pub monthly_cost: Quantiles,
    /// Where the total's quantiles of the distribution lie, given the draws.
    pub monthly_cost_interval: QuantileIntervals,
}

/// A cell of the document's published plan against the draws: the share
/// of them whose need it meets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedCoverage {
    /// Milestone name.
    pub milestone: String,
    /// Tier key, or `total`.
    pub tier: String,
    /// `units` (the draw needs at most the published count, or a range's
    /// upper end), `instance` (at most the published instance size) or
    /// `monthly_cost` (the whole deployment costs at most the published
    /// figure, or a range's upper end).
    pub column: String,
    /// The cell as the document prints it.
    pub published: String,
    /// Share of the draws it covers.
    pub covers: f64,
    /// True when the cell is a lower bound and so is the share: a sharded
    /// tier runs at least one instance of the published size, and covers
    /// at least the draws one of them holds (false when that is all).
    pub at_least: bool,
}

impl PublishedCoverage {
    /// The share in words: "49.5%", or "49.5% or more" for a lower bound.
    pub fn share(&self) -> String {
        let share = crate::render::percent(self.covers);
        if self.at_least {
            format!("{share} or more")
        } else {
            share
        }
    }
}

/// The chance that today's deployment has broken its headroom by a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthOutcome {
    /// Month.
    pub month: u32,
    /// Probability that some tier has broken its headroom by then.
    pub probability: f64,
    /// Where that probability lies, given the draws (Wilson).
    pub probability_interval: Interval,
    /// The same, per tier.
    pub by_tier: BTreeMap<String, f64>,
    /// Where each tier's lies, given the draws (Wilson).
    pub by_tier_interval: BTreeMap<String, Interval>,
}

/// A trigger read on today's deployment (of kind `utilisation`, `latency`
/// or `queue-depth`), over the draws: when it fires as demand grows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggerOdds {
    /// Its name, as the configuration gives it.
    pub name: String,
    /// The tier it watches.
    pub tier: String,
    /// Its kind.
    pub kind: String,
    /// Its threshold (a fraction, seconds or items, by kind).
    pub threshold: f64,
    /// The month it fires as planned, at the configuration's figures
    /// (`None`: not within the horizon).
    pub planned_month: Option<u32>,
    /// Per month from today: the share of the draws in which it has fired
    /// by then.
    pub fired_by: Vec<f64>,
    /// Where each of those shares lies, given the draws (Wilson).
    pub fired_by_interval: Vec<Interval>,
    /// The first month by which it has fired in half the draws (`None`:
    /// not within the horizon).
    pub half: Option<u32>,
    /// The first month by which it has fired in nine draws in ten.
    pub nine_in_ten: Option<u32>,
    /// The share of the draws in which it fires before today's deployment
    /// breaks its headroom (or fires, and the headroom holds through the
    /// horizon): it warns ahead.
    pub ahead: f64,
    /// The share in which both fall in the same month.
    pub same_month: f64,
    /// The share in which the headroom breaks first, and it fires later or
    /// not within the horizon: too late to warn. (The rest: neither within
    /// the horizon.)
    pub too_late: f64,
}

/// The result of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The profile.
    pub profile: ProfileRef,
    /// Draws.
    pub draws: u32,
    /// Seed.
    pub seed: u64,
    /// The uncertain inputs.
    pub inputs: BTreeMap<String, Distribution>,
    /// Their correlations, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<Correlation>,
    /// Per milestone and tier.
    pub milestones: Vec<MilestoneOutcome>,
    /// Per month, when the profile has dated growth.
    pub breach: Vec<MonthOutcome>,
    /// Per month, when the profile has dated growth: each tier's units.
    pub monthly: Vec<MonthBand>,
    /// When the profile has dated growth: each trigger read on today's
    /// deployment, the month it fires over the draws.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<TriggerOdds>,
    /// The document's published plan against the draws, cell by cell
    /// (cells with an upper end, at milestones planned; a sharded
    /// instance, whose count the document leaves open, is not judged).
    pub published: Vec<PublishedCoverage>,
    /// What to commit to for the `[commitment]` term, when the profile
    /// prices one: the units whose commitment pays on average over the
    /// draws, and the term's expected cost with and without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<crate::plan::CommitmentPlan>,
    /// With `--draws auto`: each run before this one and this one, the
    /// figures each left unsettled (empty for a run of a given size).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// Why every draw was planned in full (the reference path, tens of
    /// microseconds a draw) though `--exact` was not asked for: the inputs
    /// the compiled model does not place. Not part of the document (the
    /// numbers are the same either way); the binary prints it as a note.
    #[serde(skip)]
    pub planned_in_full: Option<String>,
}

/// One month of the growth curve over the draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthBand {
    /// Month.
    pub month: u32,
    /// Each tier's units and cost, in tier order.
    pub tiers: Vec<TierBand>,
}

/// A tier's units and cost in one month over the draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierBand {
    /// Tier key.
    pub tier: String,
    /// Units.
    pub units: Quantiles,
    /// Monthly cost (at the configuration's prices; null when a price is
    /// drawn, since costs are only kept draw by draw at milestones).
    pub monthly_cost: Option<Quantiles>,
    /// For a tier on a ladder of instance sizes: the deployment at each
    /// quantile, as at a milestone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployments>,
    /// Where the units' quantiles of the distribution lie, given the draws.
    pub units_interval: QuantileIntervals,
    /// Where the deployments' quantiles lie, for a ladder tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_interval: Option<QuantileIntervals<String>>,
}

/// Where a drawn number goes: straight into the configuration for the keys
/// a planner varies most, or through its JSON form for any other key.
enum Setter {
    Driver {
        milestone: String,
        driver: String,
    },
    Demand(String),
    Capacity {
        tier: String,
        instance: String,
        dimension: String,
    },
    Price {
        tier: String,
        instance: String,
    },
    Headroom,
    /// A driver's monthly growth rate (`growth.rates.<driver>`).
    GrowthRate(String),
    /// A driver's logistic ceiling (`growth.ceilings.<driver>`).
    GrowthCeiling(String),
    /// Any other key, set through the configuration's JSON form.
    Json,
}

/// What a drawn value must be to land where its setter puts it: the
/// configuration's own rule for that key, and its words. Every rule asks
/// for a finite value in an interval, so that a column of draws is checked
/// in one plain loop.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rule {
    /// The least value, and whether it is itself allowed.
    least: f64,
    least_allowed: bool,
    /// Values lie below this.
    below: f64,
    /// The rule in words, after the key.
    pub(super) words: &'static str,
}

impl Rule {
    const fn new(least: f64, least_allowed: bool, below: f64, words: &'static str) -> Rule {
        Rule { least, least_allowed, below, words }
    }

    /// Whether `value` keeps the rule.
    #[inline]
    pub(super) fn holds(&self, value: f64) -> bool {
        // Without short circuits: a column of draws is checked in one
        // loop without branches.
        let above = (value > self.least) | (self.least_allowed & (value == self.least));
        value.is_finite() & above & (value < self.below)
    }
}

impl Setter {
    /// The rule a drawn value must keep (both paths check it first, in the
    /// same words); `None` for a key set through the JSON form, which the
    /// configuration's validation checks.
    pub(super) fn rule(&self) -> Option<Rule> {
        const ANY: f64 = f64::INFINITY;
        Some(match self {
            Setter::Driver { .. } | Setter::Demand(_) => {
                Rule::new(0.0, true, ANY, "must be finite and not negative")
            }
            Setter::Capacity { .. } => Rule::new(
                0.0,
                false,
                ANY,
                "is a capacity: a capacity must be finite and above zero",
            ),
            Setter::Price { .. } => {
                Rule::new(0.0, true, ANY, "is a price: must be finite and not negative")
            }
            Setter::Headroom => Rule::new(0.0, true, 1.0, "must lie in [0, 1)"),
            Setter::GrowthRate(_) => Rule::new(-1.0, false, ANY, "must be finite and above -1"),
            Setter::GrowthCeiling(_) => Rule::new(0.0, false, ANY, "must be finite and above 0"),
            Setter::Json => return None,
        })
    }

    fn resolve(key: &str, config: &ProfileConfig) -> Setter {
        let parts: Vec<&str> = key.split('.').collect();
        let json = || Setter::Json;
        match parts.as_slice() {
            ["headroom"] => Setter::Headroom,
            ["growth", "rates", d]
                if config.growth.as_ref().is_some_and(|g| g.rates.contains_key(*d)) =>
            {
                Setter::GrowthRate(d.to_string())
            }
            ["growth", "ceilings", d]
                if config.growth.as_ref().is_some_and(|g| g.ceilings.contains_key(*d)) =>
            {
                Setter::GrowthCeiling(d.to_string())
            }
            ["demand", p] if config.demand.contains_key(*p) => Setter::Demand(p.to_string()),
            ["milestones", m, "drivers", d]
                if config.milestones.get(*m).is_some_and(|x| x.drivers.contains_key(*d)) =>
            {
                Setter::Driver { milestone: m.to_string(), driver: d.to_string() }
            }
            ["tiers", t, "instances", i, "capacity", d]
                if config
                    .tiers
                    .get(*t)
                    .and_then(|x| x.instances.get(*i))
                    .is_some_and(|x| x.capacity.contains_key(*d)) =>
            {
                Setter::Capacity {
                    tier: t.to_string(),
                    instance: i.to_string(),
                    dimension: d.to_string(),
                }
            }
            ["tiers", t, "instances", i, "hourly_price"]
                if config.tiers.get(*t).is_some_and(|x| x.instances.contains_key(*i)) =>
            {
                Setter::Price { tier: t.to_string(), instance: i.to_string() }
            }
            _ => json(),
        }
    }

    /// Sets `value` on a configuration (not for `Json` setters).
    fn apply(&self, config: &mut ProfileConfig, value: f64) {
        // The keys were resolved against this very configuration's shape.
        match self {
            Setter::Driver { milestone, driver } => {
                if let Some(v) =
                    config.milestones.get_mut(milestone).and_then(|m| m.drivers.get_mut(driver))
                {
                    *v = value;
                }
            }
            Setter::Demand(p) => {
                if let Some(v) = config.demand.get_mut(p) {
                    *v = value;
                }
            }
            Setter::Capacity { tier, instance, dimension } => {
                if let Some(v) = config
                    .tiers
                    .get_mut(tier)
                    .and_then(|t| t.instances.get_mut(instance))
                    .and_then(|i| i.capacity.get_mut(dimension))
                {
                    *v = value;
                }
            }
            Setter::Price { tier, instance } => {
                if let Some(i) =
                    config.tiers.get_mut(tier).and_then(|t| t.instances.get_mut(instance))
                {
                    i.hourly_price = value;
                }
            }
            Setter::Headroom => config.headroom = value,
            Setter::GrowthRate(driver) => {
                if let Some(v) = config.growth.as_mut().and_then(|g| g.rates.get_mut(driver)) {
                    *v = value;
                }
            }
            Setter::GrowthCeiling(driver) => {
                if let Some(v) = config.growth.as_mut().and_then(|g| g.ceilings.get_mut(driver)) {
                    *v = value;
                }
            }
            Setter::Json => {}
        }
    }
}

fn set(value: &mut serde_json::Value, key: &str, number: f64) -> Result<(), String> {
    let mut current = value;
    for part in key.split('.') {
        current = current
            .get_mut(part)
            .ok_or_else(|| format!("no key `{key}` in the configuration (at `{part}`)"))?;
    }
    if !current.is_number() {
        return Err(format!("`{key}` is not a number, so it cannot be drawn"));
    }
    *current = serde_json::Value::from(number);
    Ok(())
}

/// How to run a simulation; `None` takes the `[uncertainty]` table's value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Draws (else `[uncertainty] draws`).
    pub draws: Option<DrawCount>,
    /// Seed (else `[uncertainty] seed`).
    pub seed: Option<u64>,
    /// Horizon in months (else the configuration's).
    pub months: Option<u32>,
    /// Plan every draw in full, configuration check and all, instead of
    /// running the compiled model: the slow reference the compiled model is
    /// tested against.
    pub exact: bool,
}

/// Runs the Monte Carlo of `profile` under `layered`.
pub fn simulate(
    profile: &LoadedProfile,
    layered: &LayeredConfig,
    draws: Option<u32>,
    seed: Option<u64>,
    months: Option<u32>,
) -> Result<Simulation, Error> {
    let draws = draws.map(DrawCount::Count);
    simulate_with(profile, layered, &Options { draws, seed, months, exact: false }, &|_, _| {})
}

/// What one worker of the Monte Carlo carries from chunk to chunk: its
/// tally, the compiled model's buffers (if any), a chunk's drawn inputs and
/// its draws' milestone totals, and the first error it met.
struct Worker {
    tally: Tally,
    scratch: Option<model::Scratch>,
    drawn: Vec<f64>,
    totals: Vec<f64>,
    failure: Option<(u32, Error)>,
}

/// [`simulate`] with every option, calling `progress(draws of the run, draws done)` after each
/// chunk of draws (the binary draws a progress bar with it; the library
/// prints nothing).
pub fn simulate_with(
    profile: &LoadedProfile,
    layered: &LayeredConfig,
    options: &Options,
    progress: &(dyn Fn(u32, u64) + Sync),
) -> Result<Simulation, Error> {
    let id = profile.id().to_string();
    let fail = |message: String| Error::Config { profile: id.clone(), message };
    let uncertainty = layered.config.uncertainty.clone().unwrap_or(Uncertainty {
        draws: default_draws(),
        seed: default_seed(),
        inputs: BTreeMap::new(),
        correlations: Vec::new(),
    });
    if uncertainty.inputs.is_empty() {
        return Err(fail("no uncertain inputs: add distributions under [uncertainty.inputs] (see `headroom simulate --help`)".into()));
    }
    let draws = match options.draws.unwrap_or(uncertainty.draws) {
        DrawCount::Count(count) => count,
        DrawCount::Auto => return simulate_until_settled(profile, layered, options, progress),
    };
    if draws == 0 || draws > MAX_DRAWS {
        return Err(fail(format!("draws must lie between 1 and {MAX_DRAWS}, got {draws}")));
    }
    let seed = options.seed.unwrap_or(uncertainty.seed);
    let sampler = Draws::new(&uncertainty.inputs, &uncertainty.correlations).map_err(fail)?;
    let start = Start::new(layered, &uncertainty.inputs).map_err(fail)?;
    let Start { keys, setters, config: base_config, .. } = &start;

    // The shape (milestones, tiers, horizon) does not depend on the draws.
    let shape = plan_config(profile, &layered.config, options.months)?;
    let horizon = shape.horizon_months;
    let months = if shape.monthly.is_empty() { 0 } else { horizon as usize + 1 };
    let watched = watched_triggers(base_config, months);
    let model = if options.exact {
        None
    } else {
        Model::new(profile, base_config, horizon, keys, setters, &watched)?
    };
    // (40 µs a draw: the exact path's bench, BENCHMARKS.md, 39 to 42 µs.)
    let planned_in_full = (model.is_none() && !options.exact).then(|| {
        let unplaced: Vec<String> = keys
            .iter()
            .zip(setters)
            .filter(|(_, setter)| matches!(setter, Setter::Json))
            .map(|(key, _)| format!("`{key}`"))
            .collect();
        let which = if unplaced.is_empty() {
            "every input's place".to_string()
        } else {
            unplaced.join(", ")
        };
        format!(
            "each draw was planned in full (about 40 µs a draw, against under 1 µs): the compiled model does not place {which}"
        )
    });
    let ladders = start.ladders();
    let cost_columns = setters.iter().any(|s| matches!(s, Setter::Price { .. }));
    let empty = || {
        let (milestones, runways) = (shape.milestones.len(), shape.runway.len());
        Tally::new(milestones, ladders.len(), months, runways, watched.len(), cost_columns)
    };
    let exact = start.exact(profile, layered, options.months, &ladders, &id, &watched);
    let done = std::sync::atomic::AtomicU64::new(0);
    // Each milestone's total cost of a chunk's draws (`[draw][milestone]`),
    // written into a worker's block, then tallied.
    let per_draw = shape.milestones.len().max(1);
    // A run that fails names the first failing draw whatever the thread
    // count: a chunk past the first that failed so far is skipped, and one
    // before it still runs (it may fail earlier).
    let failed_at = std::sync::atomic::AtomicU32::new(u32::MAX);
    let earlier = |a: Option<(u32, Error)>, b: Option<(u32, Error)>| match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    let (mut tally, failure) = draws::chunks(draws)
        .fold(
            || Worker {
                tally: empty(),
                scratch: model.as_ref().map(Model::scratch),
                drawn: Vec::new(),
                totals: Vec::new(),
                failure: None,
            },
            |mut worker, (chunk, count)| {
                if chunk > failed_at.load(std::sync::atomic::Ordering::Relaxed) {
                    return worker;
                }
                let Worker { tally, scratch, drawn, totals, .. } = &mut worker;
                sampler.draw_chunk(seed, chunk, count, drawn);
                let first = u64::from(chunk) * u64::from(draws::CHUNK);
                totals.resize(count as usize * per_draw, 0.0);
                let result = match (&model, scratch) {
                    (Some(model), Some(scratch)) => model.run_chunk(
                        profile,
                        model::Chunk { first, count: count as usize, drawn },
                        scratch,
                        tally,
                        totals,
                    ),
                    _ => exact.run_chunk(first, drawn, tally, totals),
                };
                match result {
                    Ok(()) => {
                        tally.add_total_costs(totals);
                        let total =
                            done.fetch_add(u64::from(count), std::sync::atomic::Ordering::Relaxed);
                        progress(draws, total + u64::from(count));
                    }
                    Err(error) => {
                        failed_at.fetch_min(chunk, std::sync::atomic::Ordering::Relaxed);
                        worker.failure = earlier(worker.failure.take(), Some((chunk, error)));
                    }
                }
                worker
            },
        )
        .map(|worker| (worker.tally, worker.failure))
        .reduce(|| (empty(), None), |(a, fa), (b, fb)| (a.merge(b), earlier(fa, fb)));
    if let Some((_, error)) = failure {
        return Err(error);
    }
    if let Some(model) = &model {
        tally.settle(model.milestone_months());
    }

    let cost_of = |t: usize, key: u64| -> Result<f64, Error> {
        let tier = &base_config.tiers[&base_config.tier_order[t]];
        let (units, rung) = (key / ladders[t] as u64, key as usize % ladders[t]);
        headroom_kernel::monthly_cost(
            tier.instances[&tier.ladder[rung]].hourly_price,
            u32::try_from(units).unwrap_or(u32::MAX),
        )
        .map_err(|source| Error::Kernel {
            profile: id.clone(),
            tier: base_config.tier_order[t].clone(),
            source,
        })
    };
    let tiers = ladders.len();
    // Each milestone's total-cost quantiles, the milestones side by side on
    // the workers (where their totals are listed, a selection over a
    // million numbers each).
    // Cannot fail for draws of at least one (checked before any draw).
    let kernel_error = |source: headroom_kernel::KernelError| Error::Config {
        profile: id.clone(),
        message: format!("the sampling error of {draws} draws: {source}"),
    };
    let ranks = IntervalRanks::new(u64::from(draws)).map_err(kernel_error)?;
    let total_quantiles: Vec<(Quantiles, QuantileIntervals)> = tally
        .total_costs
        .par_iter_mut()
        .map(|amounts| (amounts.quantiles(), amounts.intervals(&ranks)))
        .collect();
    let mut milestones = Vec::new();
    for (m, milestone) in shape.milestones.iter().enumerate() {
        let mut outcomes = Vec::new();
        for (t, tier) in milestone.tiers.iter().enumerate() {
            let counts = &tally.tier_units[m * tiers + t];
            let unit_counts: Vec<(f64, u64)> =
                counts.iter().map(|(key, c)| ((key / ladders[t] as u64) as f64, c)).collect();
            let units_interval = intervals_of_counts(unit_counts.clone(), &ranks);
            let units = quantiles_of_counts(unit_counts);
            let monthly_cost = match &mut tally.tier_costs {
                Some(columns) => quantiles(&mut columns[m * tiers + t]),
                None => quantiles_of_counts(
                    counts
                        .iter()
                        .map(|(key, c)| cost_of(t, key).map(|cost| (cost, c)))
                        .collect::<Result<_, _>>()?,
                ),
            };
            let tier_config = &base_config.tiers[&tier.tier];
            outcomes.push(TierOutcome {
                tier: tier.tier.clone(),
                units,
                units_interval,
                monthly_cost,
                deployment: deployments(counts, tier_config),
                deployment_interval: deployment_intervals(counts, tier_config, &ranks),
            });
        }
        milestones.push(MilestoneOutcome {
            name: milestone.name.clone(),
            month: milestone.month,
            tiers: outcomes,
            monthly_cost: total_quantiles[m].0,
            monthly_cost_interval: total_quantiles[m].1,
        });
    }
    let breach = if shape.runway.is_empty() {
        Vec::new()
    } else {
        (0..=horizon)
            .map(|month| {
                let broken_by = |counts: &tally::Counts| {
                    let (broken, all) = counts.count_where(|first| first <= u64::from(month));
                    let (low, high) =
                        headroom_kernel::sampling::share_interval(broken, all, SAMPLING_CONFIDENCE)
                            .map_err(kernel_error)?;
                    let interval = Interval { low: Some(low), high: Some(high), steps: None };
                    Ok::<_, Error>((tally::share(broken, all), interval))
                };
                let (probability, probability_interval) = broken_by(&tally.any_breach)?;
                let mut by_tier = BTreeMap::new();
                let mut by_tier_interval = BTreeMap::new();
                for (r, counts) in shape.runway.iter().zip(&tally.first_breach) {
                    let (share, interval) = broken_by(counts)?;
                    by_tier.insert(r.tier.clone(), share);
                    by_tier_interval.insert(r.tier.clone(), interval);
                }
                Ok(MonthOutcome {
                    month,
                    probability,
                    probability_interval,
                    by_tier,
                    by_tier_interval,
                })
            })
            .collect::<Result<_, Error>>()?
    };
    let triggers = watched
        .iter()
        .zip(tally.trigger_fired.iter().zip(&tally.trigger_leads))
        .map(|(&i, (counts, leads))| {
            let planned = &shape.triggers[i];
            let (fired_by, fired_by_interval): (Vec<f64>, Vec<Interval>) = (0..months as u64)
                .map(|month| {
                    let (fired, all) = counts.count_where(|first| first <= month);
                    let (low, high) =
                        headroom_kernel::sampling::share_interval(fired, all, SAMPLING_CONFIDENCE)
                            .map_err(kernel_error)?;
                    let interval = Interval { low: Some(low), high: Some(high), steps: None };
                    Ok::<_, Error>((tally::share(fired, all), interval))
                })
                .collect::<Result<Vec<_>, Error>>()?
                .into_iter()
                .unzip();
            let by = |share: f64| fired_by.iter().position(|&p| p >= share).map(|m| m as u32);
            Ok(TriggerOdds {
                name: planned.name.clone(),
                tier: planned.tier.clone(),
                kind: planned.kind.clone(),
                threshold: planned.threshold,
                planned_month: planned.fires_month,
                half: by(0.5),
                nine_in_ten: by(0.9),
                fired_by,
                fired_by_interval,
                ahead: tally::share(leads[0], u64::from(draws)),
                same_month: tally::share(leads[1], u64::from(draws)),
                too_late: tally::share(leads[2], u64::from(draws)),
            })
        })
        .collect::<Result<_, Error>>()?;
    let tier_keys: Vec<&String> = shape
        .milestones
        .first()
        .map(|m| m.tiers.iter().map(|t| &t.tier).collect())
        .unwrap_or_default();
    let mut monthly = Vec::new();
    for month in 0..months {
        let mut bands = Vec::new();
        for (t, tier) in tier_keys.iter().enumerate() {
            let counts = &tally.monthly[month * tiers + t];
            let monthly_cost = if cost_columns {
                None
            } else {
                Some(quantiles_of_counts(
                    counts
                        .iter()
                        .map(|(key, c)| cost_of(t, key).map(|cost| (cost, c)))
                        .collect::<Result<_, _>>()?,
                ))
            };
            let unit_counts: Vec<(f64, u64)> =
                counts.iter().map(|(key, c)| ((key / ladders[t] as u64) as f64, c)).collect();
            let tier_config = &base_config.tiers[*tier];
            bands.push(TierBand {
                tier: (*tier).clone(),
                units_interval: intervals_of_counts(unit_counts.clone(), &ranks),
                units: quantiles_of_counts(unit_counts),
                monthly_cost,
                deployment: deployments(counts, tier_config),
                deployment_interval: deployment_intervals(counts, tier_config, &ranks),
            });
        }
        monthly.push(MonthBand { month: month as u32, tiers: bands });
    }
    let published = base_config
        .published
        .iter()
        .filter_map(|cell| coverage(cell, &shape, base_config, &tally, &ladders))
        .collect();
    let commitment = if cost_columns {
        base_config.commitment.as_ref().map(|terms| {
            crate::plan::CommitmentPlan::not_worked_out(
                terms,
                "a price is drawn, so the term's costs would differ draw by draw; `plan` works the commitments out at the configured prices".into(),
            )
        })
    } else {
        crate::plan::commitments(base_config, months, "simulate", |tier| {
            let t = base_config.tier_order.iter().position(|k| k == tier).unwrap_or_default();
            drawn_runs(&tally.monthly, tiers, t, months, ladders[t])
        })
        .map_err(|message| Error::Config { profile: id.clone(), message })?
    };
    Ok(Simulation {
        schema_version: crate::SCHEMA_VERSION,
        profile: shape.profile,
        draws,
        seed,
        inputs: uncertainty.inputs,
        correlations: uncertainty.correlations,
        milestones,
        breach,
        monthly,
        triggers,
        published,
        commitment,
        stages: Vec::new(),
        planned_in_full,
    })
}

/// What tier `t` runs month by month over the draws, from the months'
/// counts (keys units x rungs + rung): each rung and count of units with the
/// share of the draws that run it.
fn drawn_runs(
    monthly: &[tally::Counts],
    tiers: usize,
    t: usize,
    months: usize,
    rungs: usize,
) -> crate::plan::TierRuns {
    let rungs = rungs as u64;
    (0..months)
        .map(|month| {
            let counts = &monthly[month * tiers + t];
            let all: u64 = counts.iter().map(|(_, c)| c).sum();
            counts
                .iter()
                .map(|(key, c)| {
                    let units = u32::try_from(key / rungs).unwrap_or(u32::MAX);
                    ((key % rungs) as usize, units, c as f64 / all as f64)
                })
                .collect()
        })
        .collect()
}

/// A ladder tier's deployment at P50, P90 and P99 from its counted keys;
/// `None` for a tier of one instance type. A key is units x rungs + rung:
/// its order is the deployments' (more units, then a larger size), so its
/// quantiles are theirs.
fn deployments(counts: &tally::Counts, tier: &crate::config::Tier) -> Option<Deployments> {
    let rungs = tier.ladder.len();
    (rungs > 1).then(|| {
        let keys = quantiles_of_counts(counts.iter().map(|(k, c)| (k as f64, c)).collect());
        let name = |key: f64| deployment_name(tier, key as u64).unwrap_or_default();
        Deployments { p50: name(keys.p50), p90: name(keys.p90), p99: name(keys.p99) }
    })
}

/// The deployments that bound each of a ladder tier's quantiles' 95%
/// intervals, as [`deployments`] names them; `None` for a tier of one
/// instance type.
fn deployment_intervals(
    counts: &tally::Counts,
    tier: &crate::config::Tier,
    ranks: &IntervalRanks,
) -> Option<QuantileIntervals<String>> {
    let rungs = tier.ladder.len();
    (rungs > 1).then(|| {
        let keys = intervals_of_counts(counts.iter().map(|(k, c)| (k as f64, c)).collect(), ranks);
        let name = |key: Option<f64>| deployment_name(tier, key? as u64);
        let ends = |i: Interval| Interval { low: name(i.low), high: name(i.high), steps: i.steps };
        QuantileIntervals { p50: ends(keys.p50), p90: ends(keys.p90), p99: ends(keys.p99) }
    })
}

/// A counted key (units x rungs + rung) as a deployment: "2 x db.r6i.8xlarge".
fn deployment_name(tier: &crate::config::Tier, key: u64) -> Option<String> {
    let rungs = tier.ladder.len() as u64;
    let instance = tier.instances.get(tier.ladder.get((key % rungs) as usize)?)?;
    Some(format!("{} x {}", key / rungs, instance.name))
}

/// The share of the draws a cell of the document's published plan covers,
/// from the tallies: units at most its count (or its range's upper end),
/// a ladder's rung at most its instance's, or the milestone's total cost at
/// most its figure. An open range ("10+") or a sharded tier's instance is a
/// lower bound: the share its lower end (one instance) covers, marked
/// `at_least` unless that is every draw. `None` for a cell with no number,
/// a milestone not planned (past `--months`) or a tier's own cost.
fn coverage(
    cell: &crate::config::PublishedCell,
    shape: &crate::plan::Plan,
    config: &ProfileConfig,
    tally: &Tally,
    ladders: &[usize],
) -> Option<PublishedCoverage> {
    let m = shape.milestones.iter().position(|m| m.key == cell.milestone)?;
    let tier = config.tier_order.iter().position(|k| *k == cell.tier);
    let units_of = |t: usize| &tally.tier_units[m * ladders.len() + t];
    // An open range ("10+", "1TB+") covers at least the draws its lower
    // end does.
    let open = cell.value.or(cell.max).is_none();
    let bound = cell.value.or(cell.max).or(cell.min);
    let covers = match cell.column.as_str() {
        "monthly_cost" if cell.tier == "total" => tally.total_costs[m].share_at_most(bound?),
        "units" => {
            let (t, bound) = (tier?, bound?);
            let rungs = ladders[t] as u64;
            units_of(t).share_where(|key| (key / rungs) as f64 <= bound)
        }
        // A sharded tier: at least one instance of that size, which covers
        // the draws one of them holds.
        "instance" => {
            let t = tier?;
            let ladder = &config.tiers[&cell.tier].ladder;
            let rung = ladder.iter().position(|k| Some(k) == cell.instance.as_ref())? as u64;
            let rungs = ladders[t] as u64;
            let one = |key: u64| !cell.sharded || key / rungs <= 1;
            units_of(t).share_where(|key| key % rungs <= rung && one(key))
        }
        _ => return None,
    };
    Some(PublishedCoverage {
        milestone: shape.milestones[m].name.clone(),
        tier: cell.tier.clone(),
        column: cell.column.clone(),
        published: cell.text.clone(),
        covers,
        at_least: (cell.sharded || open) && covers < 1.0,
    })
}

/// Where the draws start from: the configuration without its uncertainty
/// (as a value and as JSON, for a key no setter places), and each drawn
/// key with its setter, in key order.
struct Start {
    keys: Vec<String>,
    setters: Vec<Setter>,
    config: ProfileConfig,
    json: serde_json::Value,
}

impl Start {
    /// Checks that each of `inputs`' keys names a number of the
    /// configuration (the error names the key).
    fn new(
        layered: &LayeredConfig,
        inputs: &BTreeMap<String, Distribution>,
    ) -> Result<Start, String> {
        let keys: Vec<String> = inputs.keys().cloned().collect();
        let mut json = serde_json::to_value(&layered.config).map_err(|e| e.to_string())?;
        json["uncertainty"] = serde_json::Value::Null;
        for key in &keys {
            set(&mut json.clone(), key, 0.0)
                .map_err(|e| format!("uncertainty.inputs.\"{key}\": {e}"))?;
        }
        let mut config = layered.config.clone();
        config.uncertainty = None;
        let setters = keys.iter().map(|key| Setter::resolve(key, &config)).collect();
        Ok(Start { keys, setters, config, json })
    }

    /// Per tier, in tier order: the rungs of its ladder (a tally key is
    /// units x rungs + rung).
    fn ladders(&self) -> Vec<usize> {
        self.config.tier_order.iter().map(|t| self.config.tiers[t].ladder.len()).collect()
    }

    /// The exact path from here: a draw's values planned in full.
    fn exact<'a>(
        &'a self,
        profile: &'a LoadedProfile,
        layered: &'a LayeredConfig,
        months: Option<u32>,
        ladders: &'a [usize],
        id: &'a str,
        watched: &'a [usize],
    ) -> Exact<'a> {
        Exact {
            watched,
            profile,
            layered,
            base: &self.json,
            base_config: &self.config,
            keys: &self.keys,
            setters: &self.setters,
            months,
            ladders,
            id,
            direct: self.setters.iter().all(|s| !matches!(s, Setter::Json)),
        }
    }
}

/// The triggers a Monte Carlo tallies, by their index in the configuration:
/// those read on today's deployment (utilisation, latency, queue depth) of
/// a tier that has one, where the plan runs month by month (`months`).
pub(super) fn watched_triggers(config: &ProfileConfig, months: usize) -> Vec<usize> {
    if months == 0 {
        return Vec::new();
    }
    (0..config.triggers.len())
        .filter(|&i| {
            let trigger = &config.triggers[i];
            trigger.kind.reads_today()
                && config.tiers.get(&trigger.tier).is_some_and(|t| t.current_units.is_some())
        })
        .collect()
}

/// The reference path: each draw's configuration built, checked and planned
/// in full, as if a user had typed its numbers into a layer.
struct Exact<'a> {
    profile: &'a LoadedProfile,
    layered: &'a LayeredConfig,
    base: &'a serde_json::Value,
    base_config: &'a ProfileConfig,
    keys: &'a [String],
    setters: &'a [Setter],
    months: Option<u32>,
    ladders: &'a [usize],
    id: &'a str,
    /// The triggers it tallies ([`watched_triggers`]).
    watched: &'a [usize],
    /// Every key has a direct setter: no trip through the JSON form.
    direct: bool,
}

impl Exact<'_> {
    /// The tally's key of `units` units of instance `instance` of tier
    /// `tier` (index `t`): units x rungs + rung.
    fn key(&self, config: &ProfileConfig, tier: &str, t: usize, units: u32, instance: &str) -> u64 {
        let rung = config.tiers[tier].ladder.iter().position(|k| k == instance).unwrap_or(0);
        u64::from(units) * self.ladders[t] as u64 + rung as u64
    }

    /// The plan (units, costs, runway) with each input set to its value in
    /// `values` (in key order), and the configuration it was planned from,
    /// checked as a layer would be; an error names `what` (the draw).
    fn plan_at(
        &self,
        values: &[f64],
        what: &str,
    ) -> Result<(crate::plan::Plan, ProfileConfig), Error> {
        let fail = |message: String| Error::Config { profile: self.id.to_string(), message };
        // The drawn values' own rules first, in the compiled model's words
        // (the configuration's validation would name the layer the key was
        // defined in, not the draw that set it).
        for ((key, setter), &value) in self.keys.iter().zip(self.setters).zip(values) {
            match setter.rule() {
                Some(rule) if !rule.holds(value) => {
                    return Err(fail(format!(
                        "{what}: `{key}` {}, got {}; choose distributions that stay in range",
                        rule.words,
                        headroom_kernel::Shown(value)
                    )))
                }
                _ => {}
            }
        }
        let config = if self.direct {
            let mut config = self.base_config.clone();
            for (setter, value) in self.setters.iter().zip(values) {
                setter.apply(&mut config, *value);
            }
            config
        } else {
            let mut value = self.base.clone();
            for (key, number) in self.keys.iter().zip(values) {
                set(&mut value, key, *number).map_err(|e| fail(format!("{what}: {e}")))?;
            }
            serde_json::from_value(value).map_err(|e| fail(format!("{what}: {e}")))?
        };
        let checked = self.layered.with_config(config, self.profile).map_err(|e| match e {
            Error::Config { message, .. } => {
                fail(format!("{what}: {message}; choose distributions that stay in range"))
            }
            other => other,
        })?;
        let plan = plan_units_and_costs(self.profile, &checked.config, self.months).map_err(
            |e| match e {
                Error::PluginFailed { profile, message } => {
                    Error::PluginFailed { profile, message: format!("{what}: {message}") }
                }
                // A driver its drawn growth took out of range.
                Error::Config { message, .. } => {
                    fail(format!("{what}: {message}; choose distributions that stay in range"))
                }
                other => other,
            },
        )?;
        Ok((plan, checked.config))
    }

    /// Plans each draw of a chunk in full into `tally`, and each
    /// milestone's total cost into `totals` (`[draw][milestone]`).
    fn run_chunk(
        &self,
        first: u64,
        drawn: &[f64],
        tally: &mut Tally,
        totals: &mut [f64],
    ) -> Result<(), Error> {
        for (j, values) in drawn.chunks_exact(self.keys.len()).enumerate() {
            let index = first + j as u64;
            let (plan, config) =
                self.plan_at(values, &format!("draw {index} of the Monte Carlo"))?;
            let checked_config = &config;
            for (m, milestone) in plan.milestones.iter().enumerate() {
                for (t, tier) in milestone.tiers.iter().enumerate() {
                    let key =
                        self.key(checked_config, &tier.tier, t, tier.units, &tier.instance_key);
                    tally.milestone_counts(m, t).add(key);
                    tally.milestone_cost(m, t, tier.monthly_cost);
                }
                totals[j * plan.milestones.len() + m] = milestone.monthly_cost;
            }
            for (month, planned) in plan.monthly.iter().enumerate() {
                for (t, tier) in planned.tiers.iter().enumerate() {
                    let key =
                        self.key(checked_config, &tier.tier, t, tier.units, &tier.instance_key);
                    tally.month_counts(month, t).add(key);
                }
            }
            tally.runways(plan.runway.iter().map(|r| r.month));
            tally.triggers(self.watched.iter().map(|&i| {
                let trigger = &plan.triggers[i];
                (trigger.fires_month, trigger.runway_month)
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each quantile worked by hand from the distribution's own definition.
    #[test]
    fn each_distribution_has_its_quantiles() {
        let near = |got: f64, want: f64| (got - want).abs() < 1e-6 * want.abs().max(1.0);
        // Normal(250, 20): P10 = 250 - 1.2815516 x 20 = 224.368968.
        let normal = Distribution::Normal { mean: 250.0, sd: 20.0 };
        assert!(near(normal.quantile(0.1), 224.368_968), "{}", normal.quantile(0.1));
        assert!(near(normal.quantile(0.5), 250.0));
        // Lognormal(median 10,000, σ 0.25): P90 = 10,000 e^{0.25 x 1.2815516} = 13,776.62.
        let lognormal = Distribution::Lognormal { median: 10_000.0, sigma: 0.25 };
        assert!(near(lognormal.quantile(0.9), 13_776.62), "{}", lognormal.quantile(0.9));
        // Triangular(2, 3, 5): the mode's share is 1/3; P10 = 2 + √(0.1 x 3 x 1)
        // = 2.547723, P90 = 5 - √(0.1 x 3 x 2) = 4.225403, P50 = 5 - √(0.5 x 6) = 3.267949.
        let triangular = Distribution::Triangular { min: 2.0, mode: 3.0, max: 5.0 };
        assert!(near(triangular.quantile(0.1), 2.547_723));
        assert!(near(triangular.quantile(0.9), 4.225_403));
        assert!(near(triangular.quantile(0.5), 3.267_949));
        // Uniform(50, 100): P10 = 55.
        assert!(near(Distribution::Uniform { min: 50.0, max: 100.0 }.quantile(0.1), 55.0));
        // Empirical of five: P10 is the first of them in order, P50 the
        // third, P90 the fifth.
        let empirical = Distribution::Empirical { samples: vec![5.0, 1.0, 4.0, 2.0, 3.0] };
        let at: Vec<f64> = [0.1, 0.5, 0.9].iter().map(|p| empirical.quantile(*p)).collect();
        assert_eq!(at, [1.0, 3.0, 5.0]);
    }

    #[test]
    fn a_scaled_distribution_keeps_its_spread_relative_to_its_centre() {
        // By 4: every value four times as large, so each draw of the scaled
        // one is four times the same draw of the original (same streams).
        let inputs =
            |d: Distribution| -> BTreeMap<String, Distribution> { [("x".to_string(), d)].into() };
        for d in [
            Distribution::Normal { mean: 250.0, sd: 20.0 },
            Distribution::Lognormal { median: 100.0, sigma: 0.25 },
            Distribution::Triangular { min: 2.0, mode: 3.0, max: 5.0 },
            Distribution::Uniform { min: 1.0, max: 2.0 },
            Distribution::Empirical { samples: vec![3.0, 1.0, 2.0] },
        ] {
            let (original, scaled) = (inputs(d.clone()), inputs(d.scaled(4.0)));
            let draw = |inputs: &BTreeMap<String, Distribution>| {
                let mut values = Vec::new();
                Draws::new(inputs, &[]).unwrap().draw_chunk(5, 0, 50, &mut values);
                values
            };
            for (a, b) in draw(&original).iter().zip(draw(&scaled)) {
                assert!((4.0 * a - b).abs() <= 1e-12 * b.abs(), "{d:?}: {a} x 4 vs {b}");
            }
        }
    }

    #[test]
    fn setters_place_known_keys_and_leave_the_rest_to_json() {
        let config: ProfileConfig = serde_json::from_value(serde_json::json!({
            "headroom": 0.2,
            "horizon_months": 12,
            "growth": {"curve": "compound-monthly", "rates": {"users": 0.1}},
            "milestone_order": ["now"],
            "tier_order": ["api"],
            "milestones": {"now": {"name": "Now", "drivers": {"users": 10.0}}},
            "demand": {"peak": 2.0},
            "tiers": {"api": {
                "name": "API", "unit": "replica", "scaling": "horizontal", "ladder": ["small"],
                "instances": {"small": {"name": "small", "hourly_price": 0.1, "capacity": {"rps": 100.0}}}
            }}
        }))
        .unwrap();
        let kinds: Vec<&str> = [
            "headroom",
            "demand.peak",
            "milestones.now.drivers.users",
            "tiers.api.instances.small.capacity.rps",
            "tiers.api.instances.small.hourly_price",
            "growth.rates.users",
            "growth.ceilings.users",
            "tiers.api.min_units",
            "demand.unknown",
        ]
        .iter()
        .map(|key| match Setter::resolve(key, &config) {
            Setter::Headroom => "headroom",
            Setter::Demand(_) => "demand",
            Setter::Driver { .. } => "driver",
            Setter::Capacity { .. } => "capacity",
            Setter::Price { .. } => "price",
            Setter::GrowthRate(_) => "rate",
            Setter::GrowthCeiling(_) => "ceiling",
            Setter::Json => "json",
        })
        .collect();
        // A ceiling the configuration does not have is not a key to set.
        assert_eq!(
            kinds,
            ["headroom", "demand", "driver", "capacity", "price", "rate", "json", "json", "json"]
        );
    }
}
