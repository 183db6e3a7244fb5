//! `--draws auto`: as many draws as it takes for the figures to settle.
//!
//! A run of a few draws says little about its P99s; a run of millions says
//! more than anyone needs and takes longer. [`simulate_until_settled`] runs
//! 1,000 draws, then four times as many, and so on, until every figure's
//! 95% interval (see [`super::Interval`]) lies within [`SETTLED_WITHIN`] of
//! it, or the most draws [`AUTO_MOST`] have run. Four times the draws halve
//! an interval, so each step roughly halves what is left; the steps before
//! the last add about a third to its time. Every run uses the same seed.

use headroom_plugin_api::host::LoadedProfile;
use serde::Serialize;

use super::{
    simulate_with, DrawCount, Interval, Options, QuantileIntervals, Simulation, MAX_DRAWS,
};
use crate::config::LayeredConfig;
use crate::Error;

/// How close to a figure its interval must lie for the figure to count as
/// settled: 1% of it (a unit of a count, at least; a percentage point of a
/// probability). A choice, not a law: finer than a plan's own rounding to
/// whole units, coarse enough that lead-gen settles in 64,000 draws.
pub const SETTLED_WITHIN: f64 = 0.01;

/// The draws `--draws auto` starts with: enough for a P99's interval to be
/// bounded on both sides (about 370 draws are), few enough to take
/// milliseconds.
pub const AUTO_FIRST: u32 = 1_000;

/// The most draws `--draws auto` runs: 1,000 x 4^6, below [`MAX_DRAWS`].
pub const AUTO_MOST: u32 = 4_096_000;

const _: () = assert!(AUTO_MOST <= MAX_DRAWS);

/// One run of `--draws auto`: its draws and the figures it left unsettled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Draws.
    pub draws: u32,
    /// Each figure whose interval was still wider than [`SETTLED_WITHIN`]
    /// allows, in words: "12 Months api P99 94 (91 to 98)".
    pub unsettled: Vec<String>,
}

/// Runs the Monte Carlo with more and more draws until every figure
/// settles ([`unsettled`] finds none) or [`AUTO_MOST`] draws have run: the
/// last run, every run's stage in its `stages`. `progress(draws of this
/// run, done)` after each chunk.
pub fn simulate_until_settled(
    profile: &LoadedProfile,
    layered: &LayeredConfig,
    options: &Options,
    progress: &(dyn Fn(u32, u64) + Sync),
) -> Result<Simulation, Error> {
    let mut stages = Vec::new();
    let mut draws = AUTO_FIRST;
    loop {
        let run = Options { draws: Some(DrawCount::Count(draws)), ..*options };
        let simulation = simulate_with(profile, layered, &run, progress)?;
        let left = unsettled(&simulation);
        let done = left.is_empty() || draws >= AUTO_MOST;
        stages.push(Stage { draws, unsettled: left });
        if done {
            return Ok(Simulation { stages, ..simulation });
        }
        draws = draws.saturating_mul(4).min(AUTO_MOST);
    }
}

/// The figures of `sim` whose 95% interval reaches further from them than
/// [`SETTLED_WITHIN`]: at each milestone and in each month, each tier's
/// units at P50, P90 and P99 (within 1%, or one unit where that is more; a
/// ladder tier's deployment the same at both ends); each milestone's total
/// cost's (within 1%); and each month's chance that today's deployment has
/// broken, for any tier and for each, and that each trigger read on it has
/// fired (within a percentage point either way). A figure that moves in steps has also
/// settled where its interval spans a single step ([`Interval::steps`]):
/// its quantile sits on the step, which no number of draws moves it off
/// (lead-gen's 3-month API needs 10 replicas at a capacity of 250 or more,
/// so its median is 10 or 11 with odds of exactly a half). An interval too
/// few draws bound on one side has not settled.
pub fn unsettled(sim: &Simulation) -> Vec<String> {
    let mut left = Vec::new();
    for m in &sim.milestones {
        for t in &m.tiers {
            let what = format!("{} {}", m.name, t.tier);
            let deployment = t.deployment.as_ref().zip(t.deployment_interval.as_ref());
            left.extend(units_far(&what, &t.units, &t.units_interval, deployment));
        }
        let what = format!("{} total cost", m.name);
        let cost = &m.monthly_cost;
        let quantiles = [&cost.p50, &cost.p90, &cost.p99];
        let tolerance = |value: f64| value * SETTLED_WITHIN;
        let show = crate::render::dollars;
        left.extend(far(&what, quantiles, &m.monthly_cost_interval, tolerance, show));
    }
    for month in &sim.monthly {
        for t in &month.tiers {
            let what = format!("month {} {}", month.month, t.tier);
            let deployment = t.deployment.as_ref().zip(t.deployment_interval.as_ref());
            left.extend(units_far(&what, &t.units, &t.units_interval, deployment));
        }
    }
    for month in &sim.breach {
        let what = format!("broken by month {}", month.month);
        left.extend(odds_far(&what, month.probability, &month.probability_interval));
        for (tier, share) in &month.by_tier {
            if let Some(interval) = month.by_tier_interval.get(tier) {
                left.extend(odds_far(&format!("{tier} {what}"), *share, interval));
            }
        }
    }
    for trigger in &sim.triggers {
        for (month, (share, interval)) in
            trigger.fired_by.iter().zip(&trigger.fired_by_interval).enumerate()
        {
            let what = format!("{} fired by month {month}", trigger.name);
            left.extend(odds_far(&what, *share, interval));
        }
    }
    left
}

/// A chance whose interval reaches further than a percentage point from
/// it, in words.
fn odds_far(what: &str, share: f64, interval: &Interval) -> Option<String> {
    let within = |end: Option<f64>| end.is_some_and(|end| (end - share).abs() <= SETTLED_WITHIN);
    if within(interval.low) && within(interval.high) {
        return None;
    }
    let show = |p: &f64| crate::render::percent(*p);
    let range = crate::render::interval(interval, show);
    Some(format!("{what} {} ({range})", show(&share)))
}

/// A tier's units, or its deployment on a ladder, whose intervals reach
/// further than [`unsettled`] allows, in words.
fn units_far(
    what: &str,
    units: &super::Quantiles,
    intervals: &QuantileIntervals,
    deployment: Option<(&super::Deployments, &QuantileIntervals<String>)>,
) -> Vec<String> {
    match deployment {
        // One deployment at both ends, or the two either side of one step
        // (the quantile sits on it).
        Some((d, i)) => labelled([&d.p50, &d.p90, &d.p99], i)
            .filter(|(_, _, i)| i.steps.is_none_or(|steps| steps > 1))
            .map(|(name, value, i)| {
                let range = crate::render::interval(i, String::clone);
                format!("{what} {name} {value} ({range})")
            })
            .collect(),
        None => {
            let tolerance = |value: f64| (value * SETTLED_WITHIN).max(1.0);
            let quantiles = [&units.p50, &units.p90, &units.p99];
            far(what, quantiles, intervals, tolerance, crate::render::number)
        }
    }
}

/// Each quantile with its name and interval.
fn labelled<'a, T>(
    quantiles: [&'a T; 3],
    intervals: &'a QuantileIntervals<T>,
) -> impl Iterator<Item = (&'static str, &'a T, &'a Interval<T>)> {
    ["P50", "P90", "P99"]
        .into_iter()
        .zip(quantiles)
        .zip([&intervals.p50, &intervals.p90, &intervals.p99])
        .map(|((name, value), i)| (name, value, i))
}

/// The quantiles of a number whose interval reaches further from them than
/// `tolerance(value)`, in words.
fn far(
    what: &str,
    quantiles: [&f64; 3],
    intervals: &QuantileIntervals,
    tolerance: impl Fn(f64) -> f64,
    show: fn(f64) -> String,
) -> Vec<String> {
    labelled(quantiles, intervals)
        .filter(|(_, &value, i)| {
            let within =
                |end: Option<f64>| end.is_some_and(|end| (end - value).abs() <= tolerance(value));
            // A quantity that moves in steps has settled on one when its
            // interval spans no more than that step.
            let on_a_step = i.steps.is_some_and(|steps| steps <= 1);
            !(within(i.low) && within(i.high) || on_a_step)
        })
        .map(|(name, &value, i)| {
            let range = crate::render::interval(i, |v| show(*v));
            format!("{what} {name} {} ({range})", show(value))
        })
        .collect()
}
