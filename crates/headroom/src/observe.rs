//! `headroom observe`: where the system stands today, measured, against
//! where its plan says it stands.
//!
//! The profile's `[observe]` section names a PromQL query for each driver
//! (users, leads a day) and for any tier's load on a capacity dimension
//! (concurrent users on the API). One run asks Prometheus all of them at
//! once ([`prometheus`]) and reads the answers three ways:
//!
//! - each driver against its growth curve: the month of the plan it has
//!   reached (812 users today on a plan that starts at 500 and reaches 2,000
//!   at month 3 is month 0.6 of the plan: 0.6 months ahead of it);
//! - each tier planned for the measured drivers (today's milestone rebased
//!   on them, the planner's own arithmetic): the units the measured demand
//!   needs beside today's deployment, and where a load is measured too, that
//!   load against the one the demand mapping gives (how far the profile's
//!   model is from the system) and the utilisation today's deployment runs at;
//! - the runway of today's deployment from the measured drivers, beside the
//!   plan's.
//!
//! With a trend window (`--trend 28d`) each measurement's history over that
//! window is asked for too (a subquery, `(expr)[28d:3h]`), and its compound
//! monthly growth rate fitted (the kernel's
//! [`headroom_kernel::trend::growth_trend`], with the daily and weekly
//! swings the samples can show taken out beside it, `--seasonality`): for a
//! driver, how fast the system really grows beside how fast its plan says,
//! when it reaches each later milestone at that rate, the runway of today's
//! deployment if it keeps growing so, and where a swing carries it over the
//! measurement, the flags that plan for its busiest hours; for a load, the
//! month it reaches the utilisation the headroom allows on today's
//! deployment, without the demand model.
//!
//! This module and [`prometheus`] are the only places the library talks to
//! the network.

pub mod prometheus;

use std::collections::BTreeMap;

use headroom_plugin_api::host::LoadedProfile;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::trend::{seasonal_trend, Seasonality, TrendChecks, TEN_YEARS};
use headroom_kernel::growth::{GrowthCurve, GrowthPoint};

use crate::config::{LayeredConfig, Milestone};
use crate::plan::{self, ProfileRef, RunwayEntry};
use crate::Error;
use prometheus::{Prometheus, Query};

/// The `[observe]` section of a profile's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObserveConfig {
    /// Prometheus's address (`http://prometheus:9090`); `--prometheus`
    /// overrides it.
    #[serde(default)]
    pub prometheus: Option<String>,
    /// Seconds to wait for each query.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    /// The environment variable holding a bearer token to send, for a
    /// Prometheus behind an authenticating proxy (the token itself never
    /// goes in a config file).
    #[serde(default)]
    pub bearer_token_env: Option<String>,
    /// PromQL giving each driver's value today, by driver name.
    #[serde(default)]
    pub drivers: BTreeMap<String, String>,
    /// PromQL giving a tier's load today, by tier and capacity dimension.
    #[serde(default)]
    pub loads: BTreeMap<String, BTreeMap<String, String>>,
}

fn default_timeout() -> f64 {
    10.0
}

/// What to observe.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// Prometheus's address, over `observe.prometheus`.
    pub prometheus: Option<&'a str>,
    /// When to measure: Unix seconds or RFC 3339 (now when absent).
    pub at: Option<&'a str>,
    /// The window of history to fit each driver's growth to, in
    /// Prometheus's duration syntax (`28d`, `6w`, `12h`); none when absent.
    pub trend: Option<&'a str>,
    /// The daily and weekly swings taken out beside each trend.
    pub seasonality: Seasonality,
}

/// Seconds in a month (the kernel's [`headroom_kernel::trend::DAYS_PER_MONTH`]).
pub const SECONDS_PER_MONTH: f64 = headroom_kernel::trend::DAYS_PER_MONTH * 86_400.0;

/// How many samples a trend's window is cut into (the subquery's step is
/// the window over this, and never under a minute).
const TREND_SAMPLES: u64 = 200;

/// A trend window in seconds, from Prometheus's duration syntax: one or
/// more whole numbers each with a unit, largest first (`28d`, `1w3d`,
/// `36h`): `y` (365 days), `w`, `d`, `h`, `m`, `s`.
pub fn window_seconds(text: &str) -> Result<u64, String> {
    let refuse = || {
        format!("`{text}` is not a trend window: give a whole number and a unit, e.g. 28d, 6w or 36h (units y, w, d, h, m, s)")
    };
    let (mut total, mut digits, mut last_unit) = (0u64, String::new(), u64::MAX);
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'y' => 365 * 86_400,
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(refuse()),
        };
        let count: u64 = digits.parse().map_err(|_| refuse())?;
        if unit >= last_unit {
            return Err(refuse());
        }
        total = count.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or_else(refuse)?;
        (digits, last_unit) = (String::new(), unit);
    }
    if !digits.is_empty() || total == 0 {
        return Err(refuse());
    }
    Ok(total)
}

/// One run of `headroom observe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Observation {
    /// Version of this document's shape ([`crate::SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The profile.
    pub profile: ProfileRef,
    /// The Prometheus server asked.
    pub prometheus: String,
    /// When the measurements were taken, Unix seconds (Prometheus's clock).
    pub measured_at: f64,
    /// Headroom the plan keeps: utilisation above `1 - headroom` breaks it.
    pub headroom: f64,
    /// The milestone that stands for today (dated profiles), rebased on the
    /// measured drivers; `None` for a profile of deployment sizes, where the
    /// measured drivers are planned as a milestone of their own.
    pub today: Option<String>,
    /// Each driver measured.
    pub drivers: Vec<ObservedDriver>,
    /// Every tier, planned for the measured drivers.
    pub tiers: Vec<ObservedTier>,
    /// The runway of today's deployment from the measured drivers, with the
    /// plan's beside it (dated profiles).
    pub runway: Vec<ObservedRunway>,
    /// `--set` assignments that make `plan`, `simulate` or `diff` start
    /// from the measured drivers.
    pub rebase: Vec<String>,
    /// The deployment at the measured growth, when a trend window was asked
    /// for (dated profiles).
    pub trend: Option<TrendReading>,
}

/// One driver, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObservedDriver {
    /// Driver name.
    pub driver: String,
    /// Its unit.
    pub unit: String,
    /// The PromQL that measured it.
    pub query: String,
    /// Its value now.
    pub observed: f64,
    /// The plan's value for today (dated profiles).
    pub planned_today: Option<f64>,
    /// The first month of the plan's growth curve at which the driver
    /// reaches the measured value; `None` when the curve does not reach it
    /// within the horizon (or the profile has no growth curve).
    pub plan_month: Option<f64>,
    /// For a profile of deployment sizes: the first milestone, in the
    /// profile's order, whose value of this driver holds the measured one.
    pub within_milestone: Option<String>,
    /// The plan's value of the driver at each month `0..=horizon` (empty
    /// for a profile without a growth curve): what `--chart` draws.
    pub planned_monthly: Vec<f64>,
    /// Its growth over the trend window, when one was asked for.
    pub trend: Option<DriverTrend>,
}

/// A measurement's growth, fitted to its history over the trend window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FittedGrowth {
    /// The window of history fitted, as given (`28d`).
    pub window: String,
    /// The subquery that gave the history.
    pub query: String,
    /// How many samples were fitted.
    pub points: usize,
    /// Months from the first sample to the last.
    pub span_months: f64,
    /// Compound growth a month, e.g. 0.29 for 29% a month.
    pub rate: f64,
    /// Its 95% interval, low end.
    pub rate_low: f64,
    /// Its 95% interval, high end.
    pub rate_high: f64,
    /// Its standard deviation (the delta method).
    pub rate_sd: f64,
    /// How the interval was taken, and whether the growth held steady.
    #[serde(flatten)]
    pub checks: TrendChecks,
    /// R² of the fit (of the logarithms, line and swings); `None` for a
    /// flat history.
    pub r_squared: Option<f64>,
    /// The daily and weekly swings fitted beside the trend (none asked, or
    /// none the samples can show: an empty list).
    pub swings: Vec<FittedSwing>,
    /// With a swing fitted, the most the swings together carry a sample
    /// over the trend (0.04: the busiest hours 4% over it); else `None`.
    pub peak_over_trend: Option<f64>,
    /// The fitted trend's value now (any swing taken out).
    pub trend_now: f64,
    /// The samples fitted, as `[months from now, value]`, oldest first.
    pub history: Vec<[f64; 2]>,
}

/// A daily or weekly swing fitted beside a trend (the kernel's
/// [`headroom_kernel::trend::Swing`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FittedSwing {
    /// `daily` or `weekly`.
    pub cycle: String,
    /// Sine and cosine pairs fitted.
    pub harmonics: usize,
    /// The cycle's top over the trend, e.g. 0.04 for 4% above it.
    pub high: f64,
    /// The cycle's foot under the trend, e.g. -0.04 for 4% below it.
    pub low: f64,
}

/// A driver's growth, fitted to its measured history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DriverTrend {
    /// The fit.
    #[serde(flatten)]
    pub fit: FittedGrowth,
    /// The rate the runway at this trend grows by: `rate` rounded to a
    /// hundredth of a percent a month (a change of at most 0.005% a month,
    /// 0.06% over a year), so that the `--set` flags that reproduce it are
    /// short.
    pub rate_used: f64,
    /// The plan's own growth over its first month (`v(1) / v(0) - 1`), to
    /// set beside it (dated profiles).
    pub planned_first_month: Option<f64>,
    /// When the driver reaches each later dated milestone's value, or each
    /// deployment size's it has not reached, growing from the measured value
    /// at `rate_used`.
    pub reaches: Vec<TrendReach>,
    /// The driver at its busiest now, where its swings carry it more than
    /// 0.5% over the measurement (see `busiest_over`); else `None`.
    pub busiest: Option<f64>,
}

/// A tier's measured load, its growth fitted: a runway read off the
/// measurements alone, without the profile's demand model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LoadTrend {
    /// The fit.
    #[serde(flatten)]
    pub fit: FittedGrowth,
    /// The month the load, growing from its measured value at `rate`,
    /// reaches the utilisation the headroom allows on today's deployment
    /// (0 when it already has); `None` when it does not within 10 years, or
    /// the tier has no deployment today.
    pub breaks_month: Option<f64>,
}

/// When a driver, growing at its measured rate, reaches a milestone's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendReach {
    /// Milestone key.
    pub milestone: String,
    /// Milestone name.
    pub name: String,
    /// The driver's value there.
    pub value: f64,
    /// The month the plan puts it at; `None` for a deployment size.
    pub planned_month: Option<u32>,
    /// The month the trend reaches it (0 when the measured value already
    /// has); `None` when it does not within 10 years.
    pub trend_month: Option<f64>,
    /// Where the driver has a `busiest` value, the month its busiest hours
    /// reach this one, growing from it at the same rate; `None` otherwise,
    /// or not within 10 years.
    pub busiest_month: Option<f64>,
}

/// A measured driver at its busiest now, where its swings carry it more
/// than 0.5% over the measurement (a measurement taken between peaks):
/// its trend now over the swings' peak, `trend_now x (1 +
/// peak_over_trend)`, to 4 significant digits. Closer than 0.5% is not
/// called a difference (a judgement: the 4 digits of the flags and the
/// fit's own wobble on a swing-free series, a few hundredths of a percent
/// on the fixture, stay under it).
fn busiest_over(fit: &FittedGrowth, observed: f64) -> Option<f64> {
    let busiest = fit.trend_now * (1.0 + fit.peak_over_trend?);
    (busiest > observed * 1.005).then(|| significant(busiest, 4))
}

/// Today's deployment at the measured trend: how long it lasts if each
/// measured driver keeps growing at its fitted rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendReading {
    /// The window of history fitted, as given (`28d`).
    pub window: String,
    /// The runway of each tier, growing from the measured drivers at their
    /// measured rates (drivers not measured grow at the plan's compound
    /// rate, first milestone to last).
    pub runway: Vec<RunwayEntry>,
    /// `--set` assignments that make `plan`, `simulate` or `diff` start
    /// from the measured drivers and grow at the measured rates.
    pub set: Vec<String>,
    /// `set`, and each measured rate drawn from a normal distribution of
    /// its standard deviation: for `simulate`, the runway's odds at the
    /// measured growth and its uncertainty.
    pub simulate: Vec<String>,
    /// `--set` assignments that make `plan` or `diff` start from each
    /// measured driver at its busiest now (its trend now over its swings'
    /// peak, 4 significant digits) where that is over 0.5% above the
    /// measurement, the others as measured; empty where none is.
    pub busiest_set: Vec<String>,
}

/// One tier, planned for the measured drivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObservedTier {
    /// Tier key.
    pub tier: String,
    /// Today's deployment ("4 x replica (2 vCPU, 4 GB)"), if the profile
    /// gives one.
    pub today: Option<String>,
    /// Units today's deployment runs.
    pub today_units: Option<u32>,
    /// Units the measured demand needs under the plan's headroom.
    pub needed_units: u32,
    /// The instance it needs them of.
    pub needed_instance: String,
    /// The bottleneck's utilisation of today's deployment under the load the
    /// demand mapping gives for the measured drivers, as the runway counts
    /// it (spare units not counted, the USL when the tier has one).
    pub modelled_utilisation: Option<f64>,
    /// Each load measured on the tier.
    pub loads: Vec<ObservedLoad>,
}

/// A tier's load on one dimension, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObservedLoad {
    /// Capacity dimension.
    pub dimension: String,
    /// The PromQL that measured it.
    pub query: String,
    /// The load now.
    pub observed: f64,
    /// Its growth over the trend window, when one was asked for.
    pub trend: Option<LoadTrend>,
    /// The load the plan gives this dimension for the measured drivers
    /// (the demand mapping and any fan-in).
    pub modelled: f64,
    /// `observed / modelled`: above 1 the profile's model underestimates
    /// the load; `None` when the model gives none.
    pub ratio: Option<f64>,
    /// `observed / (capacity a unit x today's units' worth)`: the
    /// utilisation today's deployment runs at, as the runway counts it
    /// (spare units not counted, the USL when the tier has one).
    pub utilisation: Option<f64>,
}

/// A tier's runway from the measured drivers, beside the plan's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObservedRunway {
    /// From the measured drivers.
    pub observed: RunwayEntry,
    /// The plan's first month of broken headroom, for comparison.
    pub planned_month: Option<u32>,
}

fn fail(profile: &str, message: impl Into<String>) -> Error {
    Error::Config { profile: profile.to_string(), message: message.into() }
}

/// The queries of a run, drivers first, each named by its configuration key.
fn queries(observe: &ObserveConfig) -> Vec<Query> {
    let drivers = observe.drivers.iter().map(|(driver, promql)| Query {
        key: format!("observe.drivers.{driver}"),
        promql: promql.clone(),
    });
    let loads = observe.loads.iter().flat_map(|(tier, dimensions)| {
        dimensions.iter().map(move |(dimension, promql)| Query {
            key: format!("observe.loads.{tier}.{dimension}"),
            promql: promql.clone(),
        })
    });
    drivers.chain(loads).collect()
}

/// Measures the profile's `[observe]` queries and reads them against its
/// plan. Nothing is measured unless the whole section is sound, and nothing
/// is returned unless every query gave one number.
pub fn observe(
    profile: &LoadedProfile,
    layered: &LayeredConfig,
    request: &Request,
) -> Result<Observation, Error> {
    let id = profile.id();
    let config = &layered.config;
    let observe = config.observe.as_ref().ok_or_else(|| {
        fail(
            id,
            "no [observe] section: name a PromQL query for a driver (`observe.drivers.<driver>`) or a tier's load (`observe.loads.<tier>.<dimension>`)",
        )
    })?;
    let queries = queries(observe);
    if queries.is_empty() {
        return Err(fail(
            id,
            "[observe] names no query: add `observe.drivers.<driver>` or `observe.loads.<tier>.<dimension>`",
        ));
    }
    let address = request.prometheus.or(observe.prometheus.as_deref()).ok_or_else(|| {
        fail(id, "no Prometheus address: give --prometheus URL, or set `observe.prometheus`")
    })?;
    // Today's milestone, rebased on the measured drivers.
    let today =
        config.milestone_order.iter().find(|key| config.milestones[*key].month == Some(0)).cloned();
    let drivers: Vec<(String, String)> =
        profile.drivers().map(|(name, unit)| (name.to_string(), unit.to_string())).collect();
    if today.is_none() {
        let missing: Vec<&str> = drivers
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| !observe.drivers.contains_key(*name))
            .collect();
        if !missing.is_empty() {
            return Err(fail(
                id,
                format!(
                    "this profile has no dated milestone for today to take the other drivers from, so [observe] must measure every driver; `observe.drivers` lacks: {}",
                    missing.join(", ")
                ),
            ));
        }
    }
    let window = request
        .trend
        .map(|text| window_seconds(text).map(|seconds| (text, seconds)))
        .transpose()
        .map_err(|e| fail(id, format!("--trend: {e}")))?;
    // The configuration's check holds the timeout to (0, 3600] seconds.
    let timeout = std::time::Duration::try_from_secs_f64(observe.timeout_seconds)
        .map_err(|e| fail(id, format!("observe.timeout_seconds: {e}")))?;
    let mut server = Prometheus::new(address, timeout)?;
    if let Some(variable) = &observe.bearer_token_env {
        let token = std::env::var(variable).map_err(|_| {
            fail(
                id,
                format!("`observe.bearer_token_env` names `{variable}`, which is not set (or not UTF-8): export the token in it"),
            )
        })?;
        server = server.with_bearer_token(token);
    }
    let samples = server.instant_all(&queries, request.at)?;
    let measured: BTreeMap<&str, f64> =
        queries.iter().zip(&samples).map(|(q, s)| (q.key.as_str(), s.value)).collect();
    let measured_at = samples.iter().map(|s| s.timestamp).fold(f64::NEG_INFINITY, f64::max);
    // Each measured driver's history over the window, ending where the
    // measurements were taken.
    let histories: BTreeMap<String, Asked> = match window {
        Some((text, seconds)) => {
            let step = (seconds / TREND_SAMPLES).max(60);
            let asked: Vec<Query> = queries
                .iter()
                .map(|q| Query {
                    key: q.key.clone(),
                    promql: format!("({})[{text}:{step}s]", q.promql),
                })
                .collect();
            let at = request.at.map_or_else(|| format!("{measured_at}"), str::to_string);
            let answers = server.history_all(&asked, Some(&at))?;
            asked
                .into_iter()
                .zip(answers)
                .map(|(query, samples)| {
                    let history = samples
                        .iter()
                        .map(|s| GrowthPoint {
                            month: (s.timestamp - measured_at) / SECONDS_PER_MONTH,
                            value: s.value,
                        })
                        .collect();
                    (query.key, Asked { window: text, query: query.promql, history })
                })
                .collect()
        }
        None => BTreeMap::new(),
    };

    let observed_driver = |name: &str| measured.get(format!("observe.drivers.{name}").as_str());
    let mut rebased = config.clone();
    let planned_key = match &today {
        Some(key) => {
            let milestone = rebased.milestones.get_mut(key).expect("today's milestone");
            for (name, _) in &drivers {
                if let Some(&value) = observed_driver(name) {
                    milestone.drivers.insert(name.clone(), value);
                }
            }
            key.clone()
        }
        None => {
            let key = unused_key(&rebased.milestones, "observed");
            let values = drivers
                .iter()
                .map(|(name, _)| (name.clone(), *observed_driver(name).expect("checked")))
                .collect();
            rebased.milestones.insert(
                key.clone(),
                Milestone { name: "Observed".into(), month: None, drivers: values },
            );
            rebased.milestone_order.push(key.clone());
            key
        }
    };
    let rebased = layered.with_config(rebased, profile)?;
    let planned = plan::plan(profile, layered, None)?;
    let now = plan::plan(profile, &rebased, None)?;
    let now_milestone =
        now.milestones.iter().find(|m| m.key == planned_key).expect("the rebased milestone");

    let mut observed_drivers = Vec::new();
    for (name, unit) in &drivers {
        let Some(&value) = observed_driver(name) else { continue };
        let planned_today = today.as_ref().map(|t| config.milestones[t].drivers[name]);
        let plan_month = match plan::curve_of(config, name) {
            Some(curve) => curve
                .month_reaching(
                    &plan::growth_points(config, name),
                    value,
                    f64::from(config.horizon_months),
                )
                .map_err(|source| fail(id, format!("growth of driver `{name}`: {source}")))?,
            None => None,
        };
        let within_milestone = match today {
            Some(_) => None,
            None => config
                .milestone_order
                .iter()
                .find(|k| config.milestones[*k].drivers[name] >= value)
                .map(|k| config.milestones[k].name.clone()),
        };
        let planned_monthly: Vec<f64> = planned.monthly.iter().map(|m| m.drivers[name]).collect();
        let key = format!("observe.drivers.{name}");
        let trend = match histories.get(&key) {
            Some(_) if value <= 0.0 => return Err(grown_from_zero(id, &key)),
            Some(asked) => Some(
                driver_trend(config, name, value, asked, &request.seasonality, &planned_monthly)
                    .map_err(|source| trend_failed(id, &key, asked, source))?,
            ),
            None => None,
        };
        observed_drivers.push(ObservedDriver {
            driver: name.clone(),
            unit: unit.clone(),
            query: observe.drivers[name].clone(),
            observed: value,
            planned_today,
            plan_month,
            within_milestone,
            planned_monthly,
            trend,
        });
    }

    let mut tiers = Vec::new();
    for planned_tier in &now_milestone.tiers {
        let key = &planned_tier.tier;
        let tier = &config.tiers[key];
        let deployment = plan::current(config, key);
        let worth = deployment.as_ref().map(|(units, instance)| {
            (plan::capacity_worth(tier, units.saturating_sub(tier.redundancy)), instance.clone())
        });
        let mut loads = Vec::new();
        for (dimension, promql) in observe.loads.get(key).into_iter().flatten() {
            let query_key = format!("observe.loads.{key}.{dimension}");
            let observed = measured[query_key.as_str()];
            let modelled = planned_tier
                .dimensions
                .iter()
                .find(|d| &d.dimension == dimension)
                .map_or(0.0, |d| d.load);
            let utilisation = worth.as_ref().and_then(|(worth, instance)| {
                let capacity = tier.instances[instance].capacity.get(dimension)?;
                Some(observed / (capacity * worth))
            });
            let trend = match histories.get(&query_key) {
                Some(_) if observed <= 0.0 => return Err(grown_from_zero(id, &query_key)),
                Some(asked) => {
                    let fit = fitted(asked, &request.seasonality)
                        .map_err(|source| trend_failed(id, &query_key, asked, source))?;
                    // The load at which today's deployment breaks its headroom.
                    let ceiling = worth.as_ref().and_then(|(worth, instance)| {
                        let capacity = tier.instances[instance].capacity.get(dimension)?;
                        Some((1.0 - config.headroom) * capacity * worth)
                    });
                    let breaks_month = match ceiling {
                        Some(ceiling) => GrowthCurve::CompoundMonthly { rate: Some(fit.rate) }
                            .month_reaching(
                                &[GrowthPoint { month: 0.0, value: observed }],
                                ceiling,
                                TEN_YEARS,
                            )
                            .map_err(|source| trend_failed(id, &query_key, asked, source))?,
                        None => None,
                    };
                    Some(LoadTrend { fit, breaks_month })
                }
                None => None,
            };
            loads.push(ObservedLoad {
                dimension: dimension.clone(),
                query: promql.clone(),
                observed,
                trend,
                modelled,
                ratio: (modelled > 0.0).then(|| observed / modelled),
                utilisation,
            });
        }
        tiers.push(ObservedTier {
            tier: key.clone(),
            today: deployment
                .as_ref()
                .map(|(units, instance)| format!("{units} x {}", tier.instances[instance].name)),
            today_units: deployment.as_ref().map(|(units, _)| *units),
            needed_units: planned_tier.units,
            needed_instance: planned_tier.instance.clone(),
            modelled_utilisation: plan::current_utilisation(config, planned_tier),
            loads,
        });
    }

    let runway = match today {
        Some(_) => now
            .runway
            .iter()
            .map(|entry| ObservedRunway {
                observed: entry.clone(),
                planned_month: planned
                    .runway
                    .iter()
                    .find(|p| p.tier == entry.tier)
                    .and_then(|p| p.month),
            })
            .collect(),
        None => Vec::new(),
    };
    // `--set` flags that start the plan from these drivers' values.
    let rebase_on = |key: &str, value: &dyn Fn(&ObservedDriver) -> f64| -> Vec<String> {
        observed_drivers
            .iter()
            .map(|d| {
                format!(
                    "milestones.{key}.drivers.{}={}",
                    d.driver,
                    headroom_kernel::Shown(value(d))
                )
            })
            .collect()
    };
    let rebase = match &today {
        Some(key) => rebase_on(key, &|d| d.observed),
        None => Vec::new(),
    };
    // The runway at the measured growth needs a driver measured growing: a
    // trend of loads alone reads its own runway, without the model.
    let drivers_grow = observed_drivers.iter().any(|d| d.trend.is_some());
    let trend = match (window, &today, &config.growth) {
        (Some((text, _)), Some(key), Some(growth)) if drivers_grow => {
            let mut growing = rebased.config.clone();
            let mut rates = growth.rates.clone();
            if growth.curve != "compound-monthly" {
                // Drivers not measured grow at the plan's compound rate.
                rates.clear();
            }
            for driver in &observed_drivers {
                if let Some(trend) = &driver.trend {
                    rates.insert(driver.driver.clone(), trend.rate_used);
                }
            }
            let growth = growing.growth.as_mut().expect("growth, matched above");
            growth.curve = "compound-monthly".to_string();
            growth.rates = rates.clone();
            let growing = layered.with_config(growing, profile)?;
            let at_trend = plan::plan(profile, &growing, None)?;
            let mut set = rebase.clone();
            set.push("growth.curve=compound-monthly".to_string());
            set.extend(rates.iter().map(|(driver, rate)| {
                format!("growth.rates.{driver}={}", headroom_kernel::Shown(*rate))
            }));
            let mut simulate = set.clone();
            for driver in &observed_drivers {
                let Some(trend) = driver.trend.as_ref().filter(|t| t.fit.rate_sd > 0.0) else {
                    continue;
                };
                let input = format!("uncertainty.inputs.\"growth.rates.{}\"", driver.driver);
                simulate.push(format!("{input}.distribution=normal"));
                simulate.push(format!("{input}.mean={}", headroom_kernel::Shown(trend.rate_used)));
                let sd = significant(trend.fit.rate_sd, 3);
                simulate.push(format!("{input}.sd={}", headroom_kernel::Shown(sd)));
            }
            // Each driver at its busiest now, where that is above it.
            let busiest_of = |d: &ObservedDriver| d.trend.as_ref()?.busiest;
            let busiest_set = if observed_drivers.iter().any(|d| busiest_of(d).is_some()) {
                rebase_on(key, &|d| busiest_of(d).unwrap_or(d.observed))
            } else {
                Vec::new()
            };
            Some(TrendReading {
                window: text.to_string(),
                runway: at_trend.runway,
                set,
                simulate,
                busiest_set,
            })
        }
        _ => None,
    };
    Ok(Observation {
        schema_version: crate::SCHEMA_VERSION,
        profile: ProfileRef::of(profile),
        prometheus: server.address().to_string(),
        measured_at,
        headroom: config.headroom,
        today,
        drivers: observed_drivers,
        tiers,
        runway,
        rebase,
        trend,
    })
}

/// `value` rounded to `digits` significant digits.
fn significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(digits - 1 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

/// A measurement's history as asked for: the window, the subquery, the
/// samples.
struct Asked<'a> {
    window: &'a str,
    query: String,
    history: Vec<GrowthPoint>,
}

/// The error of a trend that could not be fitted or read, naming its key;
/// a series that touches zero (which has no logarithm there) is told how
/// to fit it.
fn trend_failed(id: &str, key: &str, asked: &Asked, source: impl std::fmt::Display) -> Error {
    let hint = if asked.history.iter().any(|p| p.value <= 0.0) {
        "; a series that touches zero (overnight, say) fits as its daily average: wrap the query in avg_over_time((...)[1d:5m])"
    } else {
        ""
    };
    fail(id, format!("the trend of `{key}`: {source}{hint}"))
}

/// The error of a trend asked of a measurement that is zero now: a growth
/// rate carries nothing forward from zero.
fn grown_from_zero(id: &str, key: &str) -> Error {
    fail(
        id,
        format!("the trend of `{key}`: it measures 0 now, and a growth rate carries nothing forward from zero; measure its peak over a day instead, e.g. max_over_time((...)[1d:5m])"),
    )
}

/// A measurement's compound monthly growth over its history, with the
/// swings `seasonality` asks for taken out; an error is the reason.
fn fitted(asked: &Asked, seasonality: &Seasonality) -> Result<FittedGrowth, String> {
    let fit = seasonal_trend(&asked.history, seasonality)?;
    Ok(FittedGrowth {
        window: asked.window.to_string(),
        query: asked.query.clone(),
        points: fit.points,
        span_months: fit.span_months,
        rate: fit.rate,
        rate_low: fit.rate_low,
        rate_high: fit.rate_high,
        rate_sd: fit.rate_sd,
        r_squared: fit.r_squared,
        swings: fit
            .swings
            .iter()
            .map(|s| FittedSwing {
                cycle: s.season.cycle.name().to_string(),
                harmonics: s.season.harmonics,
                high: s.high,
                low: s.low,
            })
            .collect(),
        peak_over_trend: (!fit.swings.is_empty()).then_some(fit.peak),
        checks: TrendChecks::of(&fit),
        trend_now: fit.fitted_now,
        history: asked.history.iter().map(|p| [p.month, p.value]).collect(),
    })
}

/// A driver's measured growth, read against its plan.
fn driver_trend(
    config: &crate::config::ProfileConfig,
    name: &str,
    observed: f64,
    asked: &Asked,
    seasonality: &Seasonality,
    planned_monthly: &[f64],
) -> Result<DriverTrend, String> {
    let fit = fitted(asked, seasonality)?;
    let rate_used = (fit.rate * 10_000.0).round() / 10_000.0;
    let growing = GrowthCurve::CompoundMonthly { rate: Some(rate_used) };
    let busiest = busiest_over(&fit, observed);
    let mut reaches = Vec::new();
    // A dated milestone after today; a deployment size the measured value
    // has not reached yet (the month it is outgrown, for the size below).
    for key in &config.milestone_order {
        let milestone = &config.milestones[key];
        let value = milestone.drivers[name];
        let ahead = match milestone.month {
            Some(month) => month > 0,
            None => value > observed,
        };
        if !ahead {
            continue;
        }
        let month_from = |from: f64| {
            growing
                .month_reaching(&[GrowthPoint { month: 0.0, value: from }], value, TEN_YEARS)
                .map_err(|e| e.to_string())
        };
        reaches.push(TrendReach {
            milestone: key.clone(),
            name: milestone.name.clone(),
            value,
            planned_month: milestone.month,
            trend_month: month_from(observed)?,
            busiest_month: match busiest {
                Some(busiest) => month_from(busiest)?,
                None => None,
            },
        });
    }
    Ok(DriverTrend {
        fit,
        rate_used,
        planned_first_month: match planned_monthly {
            [now, next, ..] if *now > 0.0 => Some(next / now - 1.0),
            _ => None,
        },
        reaches,
        busiest,
    })
}

/// `base`, or `base-2`, `base-3`, … : the first key no milestone has.
fn unused_key(milestones: &BTreeMap<String, Milestone>, base: &str) -> String {
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|key| !milestones.contains_key(key))
        .expect("an unused key")
}

#[cfg(test)]
mod tests {
    use super::window_seconds;

    #[test]
    fn a_number_keeps_its_significant_digits() {
        assert_eq!(super::significant(0.031707980, 3), 0.0317);
        assert_eq!(super::significant(1234.5, 2), 1200.0);
        assert_eq!(super::significant(0.0, 3), 0.0);
    }

    #[test]
    fn a_window_reads_as_prometheus_durations_do() {
        assert_eq!(window_seconds("28d"), Ok(28 * 86_400));
        assert_eq!(window_seconds("1w3d"), Ok(10 * 86_400));
        assert_eq!(window_seconds("36h"), Ok(36 * 3_600));
        assert_eq!(window_seconds("1y"), Ok(365 * 86_400));
        assert_eq!(window_seconds("90m30s"), Ok(90 * 60 + 30));
        for refused in
            ["", "28", "d", "0d", "3d1w", "1d1d", "2.5d", "28D", "-1d", "99999999999999999999y"]
        {
            assert!(window_seconds(refused).is_err(), "{refused}");
        }
    }
}
