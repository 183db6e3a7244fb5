//! Triggers over a chunk: the month each trigger read on today's
//! deployment first fires, draw by draw, as the planner finds it (its
//! `first_month_today`, with the readings [`response_quantile_on`] and
//! [`Depth::of`]).
//!
//! A latency or queue-depth reading grows with one number of a row, its
//! pressure (the arrival rate; the arrivals over what today's units
//! serve), so each trigger's turning point is found once, by bisection on
//! the planner's own reading; a row well clear of it on either side is
//! settled by one comparison, and only a row within a millionth of it is
//! read in full (Erlang C), so that every answer is the planner's.

use super::{Model, Scratch, EMPTY_SUM};
use crate::config::{ProfileConfig, TriggerKind};
use crate::plan::{capacity_worth, last_bracket, response_quantile_on, Depth};

/// What a trigger reads of a row, with today's units of its tier.
pub(super) enum Reading {
    /// The bottleneck's utilisation (each dimension's load over today's
    /// capacity on it x `worth`) past `threshold`.
    Utilisation { worth: f64 },
    /// The `quantile` of the response time of the latency target's queue
    /// (arrivals: the loads `arrivals`, summed, x `per_second`; each
    /// request `service_time` on one of `servers`) past the threshold.
    Latency {
        arrivals: Vec<usize>,
        per_second: f64,
        service_time: f64,
        servers: u32,
        quantile: f64,
    },
    /// The depth of the queue in front of the tier (arrivals: its load on
    /// `dimension`; served: today's capacity on it x `worth`, by
    /// `servers`) past the threshold.
    QueueDepth { dimension: usize, worth: f64, servers: u32, quantile: Option<f64> },
}

/// A trigger the compiled model reads, on tier `tier` with today's
/// deployment `runway`.
pub(super) struct TriggerModel {
    tier: usize,
    runway: usize,
    threshold: f64,
    reading: Reading,
    band: Band,
}

/// Where a reading that grows with its pressure turns past its threshold:
/// a pressure below `below` surely does not, one above `above` surely does;
/// between them (and for a pressure that is not a number) the reading is
/// taken in full.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Band {
    below: f64,
    above: f64,
}

impl Band {
    /// Every row read in full.
    const NONE: Band = Band { below: f64::NEG_INFINITY, above: f64::INFINITY };

    /// The turning point of `past` between 0 and `top` (where the queue can
    /// no longer keep up, and so is past any threshold), by 60 halvings,
    /// widened by a millionth either side. Why a millionth: the readings
    /// grow with the pressure, and are exact but for their last digits (a
    /// response quantile is itself bisected to within 1e-12 of its value;
    /// a queue's depth is a whole number or a mean in closed form), so a
    /// pressure a millionth away moves a reading far more than its own
    /// error wherever the reading climbs at more than a millionth of the
    /// pressure's rate. Where it barely climbs (a latency threshold a hair
    /// above what a request takes alone), a row just outside the band
    /// could be judged on the other side of the threshold by its last
    /// digits; `e2e/simulate.rs` holds both paths equal on the shipped
    /// triggers and on a case built to stress the band.
    fn of(past: impl Fn(f64) -> bool, top: f64) -> Band {
        if !(top.is_finite() && top > 0.0 && past(top)) {
            return Band::NONE;
        }
        if past(0.0) {
            return Band { below: f64::NEG_INFINITY, above: 0.0 };
        }
        let (low, high) = last_bracket(|pressure| !past(pressure), 0.0, top);
        Band { below: low * (1.0 - 1e-6), above: high * (1.0 + 1e-6) }
    }

    /// Whether a row of this pressure is surely past.
    #[inline]
    fn surely_past(self, pressure: f64) -> bool {
        pressure > self.above
    }

    /// Whether a row of this pressure is surely not past.
    #[inline]
    fn surely_not(self, pressure: f64) -> bool {
        pressure < self.below
    }

    /// Whether a row of this pressure must be read in full: it is neither
    /// surely past nor surely not (a pressure that is not a number too).
    #[inline]
    fn open(self, pressure: f64) -> bool {
        // `pressure <= above` would miss a pressure that is not a number.
        !self.surely_past(pressure) & !self.surely_not(pressure)
    }
}

impl TriggerModel {
    /// The model of trigger `index` of `config` (one [`super::super::watched_triggers`]
    /// gives), whose tier is `tier` with today's deployment `runway` of
    /// `units` units; its dimensions are those of the ladder's first rung
    /// (`dimensions`), the plugin's loads `loads`. `None` when it reads
    /// what the model does not hold (then the exact path runs).
    pub(super) fn new(
        config: &ProfileConfig,
        index: usize,
        (tier, runway, units): (usize, usize, u32),
        dimensions: &[&String],
        loads: &[(String, String)],
    ) -> Option<TriggerModel> {
        let trigger = &config.triggers[index];
        let tier_config = config.tiers.get(&trigger.tier)?;
        let effective = units.saturating_sub(tier_config.redundancy);
        let worth = capacity_worth(tier_config, effective);
        let threshold = trigger.threshold;
        let (reading, band) = match trigger.kind {
            // A utilisation is its own reading: past above the threshold,
            // and read no further (open only at the threshold itself, or
            // where it is not a number, and then not past).
            TriggerKind::Utilisation => {
                (Reading::Utilisation { worth }, Band { below: threshold, above: threshold })
            }
            TriggerKind::Latency => {
                let target = tier_config.latency_targets.get(trigger.queue.as_deref()?)?;
                let servers = effective.saturating_mul(target.workers_per_unit);
                let quantile = trigger.quantile.unwrap_or(target.quantile);
                let service_time = target.service_time;
                let band = Band::of(
                    |rate| {
                        response_quantile_on(rate, service_time, servers, quantile)
                            .is_none_or(|v| v > threshold)
                    },
                    f64::from(servers) / service_time,
                );
                let arrivals = (0..loads.len())
                    .filter(|&l| loads[l].0 == trigger.tier && loads[l].1 == target.arrivals)
                    .collect();
                let per_second = target.arrivals_per_second_per_unit_of_load;
                (Reading::Latency { arrivals, per_second, service_time, servers, quantile }, band)
            }
            TriggerKind::QueueDepth => {
                let name = trigger.dimension.as_deref()?;
                let dimension = dimensions.iter().position(|d| d.as_str() == name)?;
                let servers = effective.saturating_mul(trigger.workers_per_unit.unwrap_or(1));
                let quantile = trigger.quantile;
                // The pressure is arrivals over what is served, its
                // utilisation: the queue can keep up below 1.
                let band = Band::of(|x| Depth::of(x, 1.0, servers, quantile).past(threshold), 1.0);
                (Reading::QueueDepth { dimension, worth, servers, quantile }, band)
            }
            TriggerKind::Load | TriggerKind::Monitor => return None,
        };
        Some(TriggerModel { tier, runway, threshold, reading, band })
    }

    /// Today's deployment it reads: its tier's runway.
    pub(super) fn runway(&self) -> usize {
        self.runway
    }

    /// The tier whose dimension loads it reads (which the model must then
    /// work out, not read from its upstream table), if it reads any.
    pub(super) fn loads_read(&self) -> Option<usize> {
        match self.reading {
            Reading::Utilisation { .. } | Reading::QueueDepth { .. } => Some(self.tier),
            Reading::Latency { .. } => None,
        }
    }
}

impl Model {
    /// Per trigger, the month each draw of the chunk first fires it into
    /// `scratch.fired[k]` (the horizon's length where it does not), month
    /// by month over all the draws at once, stopping once every draw has
    /// fired it. Today's capacity is each draw's where a draw changes it.
    /// A month is one pass without branches over the draws (each draw's
    /// pressure, and whether the band settles it past: [`decide`]), and the
    /// reading in full only for the draws the band leaves open, if any.
    pub(super) fn fire_triggers(&self, count: usize, drawn: &[f64], scratch: &mut Scratch) {
        let n = count * scratch.rows;
        let never = self.months as u32;
        let inputs = self.targets.len();
        let Scratch { fired, columns, dimension_loads, today, pressures, .. } = scratch;
        fired.resize_with(self.triggers.len(), Vec::new);
        for (trigger, first) in self.triggers.iter().zip(fired.iter_mut()) {
            first.clear();
            first.resize(count, never);
            // Today's capacity on each dimension, draw by draw.
            let r = trigger.runway;
            let dimensions = self.base.runway_capacities[r].len();
            today.clear();
            for d in 0..dimensions * usize::from(trigger.loads_read().is_some()) {
                match self.runway_capacity_inputs[r][d] {
                    Some(k) => today.extend(drawn[k..].iter().step_by(inputs).take(count)),
                    None => {
                        today.extend(std::iter::repeat_n(self.base.runway_capacities[r][d], count))
                    }
                }
            }
            let loads = &dimension_loads[trigger.tier];
            let threshold = trigger.threshold;
            for month in 0..self.months {
                let row = month * count;
                let (band, at) = (trigger.band, month as u32);
                // 1. Each draw's pressure (its utilisation, for a
                // utilisation trigger, compared as it is), and at once
                // whether the band settles it past.
                let (open, all_fired) = match &trigger.reading {
                    Reading::Utilisation { worth } if dimensions == 1 => {
                        let loads = &loads[row..row + count];
                        let utilisations =
                            loads.iter().zip(&*today).map(|(&l, &c)| l / (c * worth));
                        decide(first, utilisations, band, at, never)
                    }
                    Reading::Utilisation { worth } => {
                        pressures.clear();
                        pressures.extend((0..count).map(|j| {
                            (0..dimensions)
                                .map(|d| loads[d * n + row + j] / (today[d * count + j] * worth))
                                .max_by(f64::total_cmp)
                                .unwrap_or(f64::NAN)
                        }));
                        decide(first, pressures.iter().copied(), band, at, never)
                    }
                    // One load is its own sum (`-0.0 + x` is `x` to the bit).
                    Reading::Latency { arrivals, per_second, .. } if arrivals.len() == 1 => {
                        let l = arrivals[0];
                        let column = &columns[l * n + row..l * n + row + count];
                        decide(first, column.iter().map(|&x| x * per_second), band, at, never)
                    }
                    Reading::Latency { arrivals, per_second, .. } => {
                        // The planner's sum, in its order, then per second.
                        pressures.clear();
                        pressures.resize(count, EMPTY_SUM);
                        for &l in arrivals {
                            let column = &columns[l * n + row..l * n + row + count];
                            for (sum, &load) in pressures.iter_mut().zip(column) {
                                *sum += load;
                            }
                        }
                        let rates = pressures.iter().map(|&sum| sum * per_second);
                        decide(first, rates, band, at, never)
                    }
                    Reading::QueueDepth { dimension, worth, .. } => {
                        let (loads, today) = (
                            &loads[dimension * n + row..][..count],
                            &today[dimension * count..][..count],
                        );
                        let utilisations = loads.iter().zip(today).map(|(&a, &c)| a / (c * worth));
                        decide(first, utilisations, band, at, never)
                    }
                };
                // 2. The reading in full where the band left a draw open
                // (its pressure worked out again, as above).
                if open {
                    for (j, first) in first.iter_mut().enumerate() {
                        if *first != never {
                            continue;
                        }
                        let past = match &trigger.reading {
                            // Open only where not past (see `new`).
                            Reading::Utilisation { .. } => false,
                            Reading::Latency {
                                arrivals,
                                per_second,
                                service_time,
                                servers,
                                quantile,
                            } => {
                                let sum = arrivals
                                    .iter()
                                    .fold(EMPTY_SUM, |sum, &l| sum + columns[l * n + row + j]);
                                let rate = sum * per_second;
                                band.open(rate)
                                    && response_quantile_on(
                                        rate,
                                        *service_time,
                                        *servers,
                                        *quantile,
                                    )
                                    .is_none_or(|v| v > threshold)
                            }
                            Reading::QueueDepth { dimension, worth, servers, quantile } => {
                                let arrivals = loads[dimension * n + row + j];
                                let served = today[dimension * count + j] * worth;
                                band.open(arrivals / served)
                                    && Depth::of(arrivals, served, *servers, *quantile)
                                        .past(threshold)
                            }
                        };
                        if past {
                            *first = at;
                        }
                    }
                }
                // (A draw the full reading fired was open, so not counted
                // as fired by the pass above: only then look again.)
                if all_fired || (open && first.iter().all(|&m| m < never)) {
                    break;
                }
            }
        }
    }
}

/// One month of a trigger over the chunk's draws, without branches: each
/// draw not fired yet whose pressure the band settles past fires at
/// `month` (`first` holds each draw's month, `never` where it has not
/// fired). Whether the band left some draw open, and whether every draw
/// has now fired.
#[inline]
fn decide(
    first: &mut [u32],
    pressures: impl Iterator<Item = f64>,
    band: Band,
    month: u32,
    never: u32,
) -> (bool, bool) {
    let (mut open, mut all_fired) = (false, true);
    for (first, p) in first.iter_mut().zip(pressures) {
        let unfired = *first == never;
        let fires = unfired & band.surely_past(p);
        *first = if fires { month } else { *first };
        open |= unfired & band.open(p);
        all_fired &= !unfired | fires;
    }
    (open, all_fired)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The band settles by comparison only what the reading itself says:
    /// for a latency trigger (p95 past 100 ms on 8 servers of 20 ms
    /// requests) and a queue-depth trigger (p99 depth past 10 on 3
    /// servers), at rates across the whole range and close about the
    /// turning point, every row the band settles agrees with the reading.
    #[test]
    fn a_band_settles_only_what_the_reading_says() {
        let latency = |rate: f64| response_quantile_on(rate, 0.02, 8, 0.95).is_none_or(|v| v > 0.1);
        let depth = |x: f64| Depth::of(x, 1.0, 3, Some(0.99)).past(10.0);
        for (past, top) in [(&latency as &dyn Fn(f64) -> bool, 400.0), (&depth, 1.0)] {
            let band = Band::of(past, top);
            assert!(band.below > 0.0 && band.below < band.above && band.above < top, "{band:?}");
            let turn = 0.5 * (band.below + band.above);
            let mut settled = 0;
            for i in 0..=4000 {
                let across = top * 1.2 * f64::from(i) / 4000.0;
                let about = turn * (1.0 + (f64::from(i) - 2000.0) * 1e-6);
                for pressure in [across, about] {
                    if !band.open(pressure) {
                        assert_eq!(
                            band.surely_past(pressure),
                            past(pressure),
                            "pressure {pressure}"
                        );
                        settled += 1;
                    }
                }
            }
            // Nearly every row is settled without the reading.
            assert!(settled > 7000, "{settled}");
        }
        // A reading past at no load (the service time alone is too slow)
        // is past at any load; a queue with no servers is read in full.
        let hopeless =
            Band::of(|rate| response_quantile_on(rate, 1.0, 4, 0.95).is_none_or(|v| v > 0.5), 4.0);
        assert_eq!(hopeless, Band { below: f64::NEG_INFINITY, above: 0.0 });
        assert_eq!(Band::of(|_| true, 0.0), Band::NONE);
    }
}
