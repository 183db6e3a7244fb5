//! The compiled Monte Carlo: the planner's arithmetic for units, costs and
//! runway, laid out once as plain indices, so that a draw costs well under
//! a microsecond instead of a full plan.
//!
//! [`Model::new`] reads the configuration once: each tier's dimensions (which
//! plugin loads and which upstream tiers' units feed them), its ladder of
//! capacities and prices, its policy, latency target and USL coefficients,
//! each runway's deployment, and where each drawn input lands. A chunk of
//! draws then runs in four steps: write every draw's parameters and rows of
//! drivers (its months, then the milestones no month row equals; only the
//! months a drawn growth point moves are grown again), call the plugin once
//! for all of them, in columns (`demand_columns`: each parameter once a
//! draw, each driver and load a column of every row, so that neither side
//! lays rows out for the other), size the tiers in order, each pass by pass
//! over the whole chunk (a plain loop a pass, which the compiler
//! vectorises), and tally the rows. Rows are laid out row by row, the
//! chunk's draws side by side (row `r` of draw `j` is row `r x count + j`):
//! one row of every draw is one slice, which a pass, the counting and the
//! runways read straight through. The passes are laid out for speed (see
//! BENCHMARKS.md); the numbers are the planner's.
//!
//! **Invariant:** for every draw this gives the units, instances, costs and
//! runway months that [`crate::plan::plan_units_and_costs`] gives for the
//! same configuration; the exact path (`headroom simulate --exact`) plans
//! each draw in full, and a test holds the two equal. A key this model does
//! not know how to place (say a latency target's service time, or a growth
//! rate the configured curve does not read) makes [`Model::new`] return
//! `None`, and the exact path runs.

use headroom_kernel::{
    monthly_cost, size_with_scalability, units_for, units_for_loads, units_for_loads_on,
    units_for_quotients, GrowthCurve, GrowthPoint, HeadroomPolicy,
};
use headroom_plugin_api::host::LoadedProfile;
use std::sync::PoisonError;

use super::tally::{Counts, Tally};
use super::{Rule, Setter};
use crate::config::{LatencyTarget, ProfileConfig, Scaling};
use crate::plan::{capacity_worth, curve_of, largest_rate_within, latency_units_needed};
use crate::Error;
use lanes::{all_valid, bounds_of, repeat_into};
use upstream::UpstreamTable;

mod lanes;
mod upstream;

/// The chunk's drivers in columns, every row of each (driver `d` of row
/// `i` at `d x rows + i`): the month rows alone (`drivers`) where every
/// milestone takes a month's row, else those and the milestones' own
/// (`batch`); see [`Model::write_rows`].
fn batch_drivers<'a>(months_only: bool, drivers: &'a [f64], batch: &'a [f64]) -> &'a [f64] {
    if months_only {
        drivers
    } else {
        batch
    }
}

/// An error of a chunk, with the draw of the chunk it names.
type Failed = (usize, Error);

/// A chunk of draws: `count` of them, the first of which is draw `first`,
/// their inputs in `drawn` (draw by draw, inputs in key order).
#[derive(Clone, Copy)]
pub(super) struct Chunk<'a> {
    pub(super) first: u64,
    pub(super) count: usize,
    pub(super) drawn: &'a [f64],
}

/// Where a drawn number lands in the model.
enum Target {
    /// A driver at a milestone: its row (if the milestone is planned) and
    /// its growth point (if the milestone is dated).
    Driver {
        driver: usize,
        row: Option<usize>,
        point: Option<usize>,
    },
    /// A demand parameter, by its index in the plugin's order.
    Parameter(usize),
    /// One dimension of one instance type: the rungs and runways it is.
    Capacity {
        tier: usize,
        dimension: usize,
        rungs: Vec<usize>,
        runways: Vec<usize>,
    },
    /// The hourly price of an instance type: the rungs it is.
    Price {
        tier: usize,
        rungs: Vec<usize>,
    },
    Headroom,
    /// A driver's growth rate or logistic ceiling: its curve changes.
    Curve {
        driver: usize,
        ceiling: bool,
    },
}

/// One capacity dimension of a tier: the plugin loads that make it and the
/// upstream tiers whose units add to it.
struct Dimension {
    loads: Vec<usize>,
    /// (index of an upstream tier, or `None` for one sized later, per unit).
    fan_in: Vec<(Option<usize>, f64)>,
}

struct TierModel {
    key: String,
    dimensions: Vec<Dimension>,
    vertical: bool,
    usl: Option<(f64, f64)>,
    /// Minimum, N+k and zones (its headroom is set per draw).
    policy: HeadroomPolicy,
    latency: Option<Latency>,
    /// Whether a draw changes its capacities or the headroom.
    drawn: bool,
    /// Per rung and dimension: the input that draws its capacity, if any
    /// (the last, as the configuration's layers would have it).
    capacity_inputs: Vec<Option<usize>>,
    /// The one or two upstream tiers whose units alone load this tier,
    /// when no draw changes it and it has no USL curve or latency target:
    /// then its units and rung are a function of theirs, worked out once
    /// per pair of unit counts (see [`UpstreamTable`]).
    by_upstream: Option<Vec<usize>>,
}

impl TierModel {
    /// The distinct upstream tiers whose units alone load this tier (one
    /// or two of them), if its sizing is a function of their units: no
    /// plugin load, no draw, no USL curve, no latency target, and at least
    /// one dimension.
    fn upstream_sources(&self) -> Option<Vec<usize>> {
        let plain = !self.drawn && self.usl.is_none() && self.latency.is_none();
        if !plain || self.dimensions.is_empty() {
            return None;
        }
        let mut sources = Vec::new();
        for dimension in &self.dimensions {
            if !dimension.loads.is_empty() {
                return None;
            }
            for &(source, _) in &dimension.fan_in {
                let source = source?;
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
        }
        (1..=2).contains(&sources.len()).then_some(sources)
    }
}

struct Latency {
    arrivals: Vec<usize>,
    per_second: f64,
    target: LatencyTarget,
}

/// A driver whose growth a draw changes.
struct Regrowth {
    driver: usize,
    /// The months a draw moves: those that read a drawn point (every month
    /// if a draw changes the curve itself).
    months: Vec<usize>,
    /// For a piecewise-linear curve of which draws change only points: the
    /// points' months, and per point the input that draws it (else it keeps
    /// the configuration's value). Then the chunk's draws grow together.
    across: Option<(Vec<f64>, Vec<Option<usize>>)>,
}

/// Today's deployment of a tier, for its runway.
struct RunwayModel {
    tier: usize,
    units: u32,
    /// USL capacity of today's units over their count (1 when linear).
    worth_factor: f64,
}

/// The numbers a draw may change, as the configuration gives them.
#[derive(Clone)]
pub(super) struct Values {
    headroom: f64,
    parameters: Vec<f64>,
    /// Planned milestones x drivers.
    milestone_rows: Vec<f64>,
    /// Per driver: its dated growth points.
    points: Vec<Vec<GrowthPoint>>,
    /// Per driver: its growth curve.
    curves: Vec<GrowthCurve>,
    /// Per driver: its value at each month.
    monthly: Vec<Vec<f64>>,
    /// Per tier, per rung: capacity per dimension.
    rungs: Vec<Vec<Vec<f64>>>,
    /// Per tier, per rung: hourly price.
    prices: Vec<Vec<f64>>,
    /// Per runway: capacity per dimension of today's instance.
    runway_capacities: Vec<Vec<f64>>,
}

/// The compiled model of one profile under one configuration.
pub(super) struct Model {
    id: String,
    widths: (usize, usize, usize),
    load_names: Vec<String>,
    milestone_keys: Vec<String>,
    /// Per planned milestone: its month, if dated within the horizon.
    milestone_months: Vec<Option<usize>>,
    /// Per planned milestone: whether its drivers equal its month row's in
    /// every draw, where no draw changes either (else `None`).
    unmoved_aliases: Vec<Option<bool>>,
    driver_names: Vec<String>,
    months: usize,
    /// Drivers whose growth a draw changes.
    regrow: Vec<Regrowth>,
    tiers: Vec<TierModel>,
    runways: Vec<RunwayModel>,
    targets: Vec<(String, Target)>,
    /// Per target: the rule its drawn values must keep.
    rules: Vec<Rule>,
    base: Values,
    /// Per tier: the rungs of its ladder (a tally key is units x rungs + rung).
    rung_counts: Vec<u64>,
    /// Whether a draw changes a price.
    prices_drawn: bool,
    /// The runways a draw changes (by the headroom or a capacity of today's
    /// deployment), and per runway and dimension the input that draws its
    /// capacity, if any (the last, as the configuration's layers would).
    drawn_runways: Vec<usize>,
    runway_capacity_inputs: Vec<Vec<Option<usize>>>,
    /// The input that draws the headroom, if any.
    headroom_input: Option<usize>,
    /// Per tier: the largest arrival rate known to meet its latency target
    /// on `s` servers, by `s` (`NaN`: not worked out yet), for all workers.
    safe_rates: Vec<std::sync::Mutex<Vec<f64>>>,
}

/// A worker's buffers and caches, reused across its chunks.
pub(super) struct Scratch {
    values: Values,
    /// The chunk's batch for the plugin, in columns (see
    /// `demand_columns`): each parameter a column of the draws; each
    /// driver a column of the month rows (`drivers`), then of every row
    /// where some milestone has its own (`batch_drivers`); the plugin's
    /// loads, load by load (load `l` of row `i` at `l x rows + i`).
    parameters: Vec<f64>,
    drivers: Vec<f64>,
    batch_drivers: Vec<f64>,
    columns: Vec<f64>,
    /// Per tier: units, rung and dimension loads of each row of the chunk
    /// (dimension loads dimension by dimension).
    units: Vec<Vec<u32>>,
    rungs: Vec<Vec<usize>>,
    dimension_loads: Vec<Vec<f64>>,
    /// Per runway and dimension: what today's units hold together, draw by
    /// draw; per runway: the month each draw first breaks it.
    runway_holds: Vec<Vec<RunwayHolds>>,
    breaches: Vec<Vec<u32>>,
    /// One row's dimension loads (for the kernel's USL search).
    row_loads: Vec<f64>,
    /// Each draw's `1 - headroom` (for a tier a draw changes).
    lefts: Vec<f64>,
    /// Per unit count: the largest arrival rate known to meet the latency
    /// target of the tier being sized on that many units.
    known_by_units: Vec<f64>,
    /// A regrown driver's points, each the chunk's draws side by side.
    point_values: Vec<f64>,
    /// Per rung but the last, each draw's [`one_unit_band`]: the loads
    /// one unit surely holds, then the loads it surely does not.
    bands: Vec<f64>,
    /// Per row of the tier being sized: the units its load needs, its
    /// quotient load / usable capacity on the rung and dimension at hand,
    /// and the units it needs on that rung.
    needed: Vec<u32>,
    quotients: Vec<f64>,
    /// Per row: the units one dimension needs, beside the most so far.
    dimension_units: Vec<u32>,
    /// Per draw, rung and dimension: capacity x (1 - headroom).
    usable: Vec<f64>,
    /// Per draw: one milestone's total cost so far.
    sums: Vec<f64>,
    /// Per row of one tier: its tally key.
    keys: Vec<u64>,
    /// Per tier sized by its upstream tiers' units: what it worked out,
    /// and whether the chunk's rows were sized from it (then the tier's
    /// dimension loads are not worked out, and its runway reads the
    /// table).
    upstream_tables: Vec<UpstreamTable>,
    by_table: Vec<bool>,
    /// Per draw: the month it first breaks any runway.
    earliest: Vec<u32>,
    /// The draws of the chunk whose unmoved months `drivers` holds (0:
    /// none yet).
    unmoved_for: usize,
    /// Per tier and row of the chunk: the units its load needs and its
    /// rung, where every draw of the row needs the same (see
    /// [`Model::settle_rows`]).
    settled: Vec<Vec<Option<(u32, usize)>>>,
    /// Per tier no draw changes: each row's least and greatest load,
    /// dimension by dimension (row `r`, dimension `d` at `2 (r x
    /// dimensions + d)`), for its sizing and its runway.
    bounds: Vec<Vec<f64>>,
    /// Per draw: its milestones' drivers.
    milestone_drivers: Vec<f64>,
    /// The chunk's rows a draw: its months, then the milestones no month
    /// row equals; and per planned milestone, its row among them.
    rows: usize,
    milestone_rows: Vec<usize>,
    /// Per tier and rung: one instance's monthly cost.
    per_unit: Vec<f64>,
}

impl Model {
    /// Per planned milestone: its month, where its row may be a month's
    /// (see [`Tally::settle`]).
    pub(super) fn milestone_months(&self) -> &[Option<usize>] {
        &self.milestone_months
    }

    /// Compiles `config`'s plan (over `horizon` months) with `setters` as
    /// the drawn inputs; `None` when some input lands where the model does
    /// not reach.
    pub(super) fn new(
        profile: &LoadedProfile,
        config: &ProfileConfig,
        horizon: u32,
        keys: &[String],
        setters: &[Setter],
    ) -> Result<Option<Model>, Error> {
        let id = profile.id().to_string();
        let drivers: Vec<String> = profile.drivers().map(|(name, _)| name.to_string()).collect();
        let parameter_names: Vec<String> = profile.parameters().map(str::to_string).collect();
        let loads: Vec<(String, String)> =
            profile.loads().map(|(t, d, _)| (t.to_string(), d.to_string())).collect();
        let milestones: Vec<&String> = config
            .milestone_order
            .iter()
            .filter(|k| config.milestones[*k].month.is_none_or(|m| m <= horizon))
            .collect();
        let milestone_rows: Vec<f64> = milestones
            .iter()
            .flat_map(|k| drivers.iter().map(|d| config.milestones[*k].drivers[d]))
            .collect();
        // Growth points as the planner builds them: dated milestones in key
        // order, sorted by month; each remembers its milestone key.
        let growth = config.growth.is_some();
        let mut points: Vec<Vec<GrowthPoint>> = Vec::new();
        let mut point_keys: Vec<Vec<&String>> = Vec::new();
        let mut curves = Vec::new();
        let mut monthly = Vec::new();
        for driver in &drivers {
            let mut dated: Vec<(&String, GrowthPoint)> = config
                .milestones
                .iter()
                .filter_map(|(k, m)| {
                    m.month.map(|month| {
                        (k, GrowthPoint { month: f64::from(month), value: m.drivers[driver] })
                    })
                })
                .collect();
            dated.sort_by(|a, b| a.1.month.total_cmp(&b.1.month));
            let curve = curve_of(config, driver).unwrap_or(GrowthCurve::PiecewiseLinear);
            let mut values = vec![0.0; if growth { horizon as usize + 1 } else { 0 }];
            if growth {
                curve
                    .monthly_into(&dated.iter().map(|p| p.1).collect::<Vec<_>>(), &mut values)
                    .map_err(|source| Error::Config {
                        profile: id.clone(),
                        message: format!("growth of driver `{driver}`: {source}"),
                    })?;
            }
            point_keys.push(dated.iter().map(|p| p.0).collect());
            points.push(dated.into_iter().map(|p| p.1).collect());
            curves.push(curve);
            monthly.push(values);
        }

        let tier_index = |key: &str| config.tier_order.iter().position(|t| t == key);
        let mut tiers = Vec::new();
        let mut rungs = Vec::new();
        let mut prices = Vec::new();
        for (index, key) in config.tier_order.iter().enumerate() {
            let tier = &config.tiers[key];
            let first = &tier.instances[&tier.ladder[0]];
            let dimensions: Vec<&String> = first.capacity.keys().collect();
            tiers.push(TierModel {
                key: key.clone(),
                dimensions: dimensions
                    .iter()
                    .map(|dimension| Dimension {
                        loads: loads
                            .iter()
                            .enumerate()
                            .filter(|(_, (t, d))| t == key && d == *dimension)
                            .map(|(i, _)| i)
                            .collect(),
                        fan_in: tier
                            .fan_in
                            .get(*dimension)
                            .into_iter()
                            .flatten()
                            .map(|(source, per_unit)| {
                                (tier_index(source).filter(|&s| s < index), *per_unit)
                            })
                            .collect(),
                    })
                    .collect(),
                vertical: tier.scaling == Scaling::Vertical,
                usl: tier.scalability.as_ref().map(|u| (u.sigma, u.kappa)),
                policy: tier.policy(config.headroom),
                latency: tier.latency_target.as_ref().map(|target| Latency {
                    arrivals: loads
                        .iter()
                        .enumerate()
                        .filter(|(_, (t, d))| t == key && d == &target.arrivals)
                        .map(|(i, _)| i)
                        .collect(),
                    per_second: target.arrivals_per_second_per_unit_of_load,
                    target: target.clone(),
                }),
                drawn: false,
                capacity_inputs: Vec::new(),
                by_upstream: None,
            });
            rungs.push(
                tier.ladder
                    .iter()
                    .map(|k| dimensions.iter().map(|d| tier.instances[k].capacity[*d]).collect())
                    .collect::<Vec<Vec<f64>>>(),
            );
            prices.push(tier.ladder.iter().map(|k| tier.instances[k].hourly_price).collect());
        }

        let mut runways = Vec::new();
        let mut runway_instances = Vec::new();
        let mut runway_capacities = Vec::new();
        if growth {
            for (index, key) in config.tier_order.iter().enumerate() {
                let tier = &config.tiers[key];
                let Some(units) = tier.current_units else { continue };
                let instance_key =
                    tier.current_instance.clone().unwrap_or_else(|| tier.ladder[0].clone());
                let instance = &tier.instances[&instance_key];
                let effective = units.saturating_sub(tier.redundancy);
                runways.push(RunwayModel {
                    tier: index,
                    units,
                    worth_factor: if effective > 0 {
                        capacity_worth(tier, effective) / f64::from(effective)
                    } else {
                        1.0
                    },
                });
                runway_capacities.push(instance.capacity.values().copied().collect());
                runway_instances.push((index, instance_key));
            }
        }

        let mut targets = Vec::new();
        for (key, setter) in keys.iter().zip(setters) {
            let target = match setter {
                Setter::Json => return Ok(None),
                Setter::Headroom => Target::Headroom,
                Setter::Demand(p) => match parameter_names.iter().position(|n| n == p) {
                    Some(i) => Target::Parameter(i),
                    None => return Ok(None),
                },
                Setter::Driver { milestone, driver } => {
                    let Some(d) = drivers.iter().position(|n| n == driver) else {
                        return Ok(None);
                    };
                    Target::Driver {
                        driver: d,
                        row: milestones.iter().position(|k| *k == milestone),
                        point: if growth {
                            point_keys[d].iter().position(|k| *k == milestone)
                        } else {
                            None
                        },
                    }
                }
                Setter::Capacity { tier, instance, dimension } => {
                    let Some(t) = tier_index(tier) else { return Ok(None) };
                    let ladder = &config.tiers[tier].ladder;
                    let names: Vec<&String> =
                        config.tiers[tier].instances[&ladder[0]].capacity.keys().collect();
                    let Some(d) = names.iter().position(|n| *n == dimension) else {
                        return Ok(None);
                    };
                    Target::Capacity {
                        tier: t,
                        dimension: d,
                        rungs: (0..ladder.len()).filter(|&r| &ladder[r] == instance).collect(),
                        runways: (0..runway_instances.len())
                            .filter(|&r| runway_instances[r] == (t, instance.clone()))
                            .collect(),
                    }
                }
                Setter::GrowthRate(driver) | Setter::GrowthCeiling(driver) => {
                    // Only the curve that reads it; elsewhere the exact path
                    // shows the key has no effect.
                    let ceiling = matches!(setter, Setter::GrowthCeiling(_));
                    let reads = config.growth.as_ref().is_some_and(|g| {
                        g.curve == if ceiling { "logistic" } else { "compound-monthly" }
                    });
                    match drivers.iter().position(|n| n == driver) {
                        Some(d) if reads => Target::Curve { driver: d, ceiling },
                        _ => return Ok(None),
                    }
                }
                Setter::Price { tier, instance } => {
                    let Some(t) = tier_index(tier) else { return Ok(None) };
                    let ladder = &config.tiers[tier].ladder;
                    Target::Price {
                        tier: t,
                        rungs: (0..ladder.len()).filter(|&r| &ladder[r] == instance).collect(),
                    }
                }
            };
            targets.push((key.clone(), target));
        }
        let months = if growth { horizon as usize + 1 } else { 0 };
        let regrow: Vec<Regrowth> = (0..drivers.len())
            .filter_map(|d| {
                let drawn_points: Vec<usize> = targets
                    .iter()
                    .filter_map(|(_, t)| match t {
                        Target::Driver { driver, point: Some(p), .. } if *driver == d => Some(*p),
                        _ => None,
                    })
                    .collect();
                let curve_drawn = targets
                    .iter()
                    .any(|(_, t)| matches!(t, Target::Curve { driver, .. } if *driver == d));
                if drawn_points.is_empty() && !curve_drawn {
                    return None;
                }
                let moved = (0..months)
                    .filter(|&m| {
                        curve_drawn || {
                            let read = curves[d].points_read(&points[d], m as f64);
                            drawn_points.iter().any(|p| read.contains(p))
                        }
                    })
                    .collect();
                let across = (curves[d] == GrowthCurve::PiecewiseLinear && !curve_drawn).then(|| {
                    let inputs = (0..points[d].len())
                        .map(|p| {
                            targets.iter().rposition(|(_, t)| {
                                matches!(t, Target::Driver { driver, point: Some(q), .. } if *driver == d && *q == p)
                            })
                        })
                        .collect();
                    (points[d].iter().map(|p| p.month).collect(), inputs)
                });
                Some(Regrowth { driver: d, months: moved, across })
            })
            .collect();
        for (t, tier) in tiers.iter_mut().enumerate() {
            tier.drawn = targets.iter().any(|(_, target)| match target {
                Target::Capacity { tier, .. } => *tier == t,
                Target::Headroom => true,
                _ => false,
            });
            let dimensions = tier.dimensions.len();
            tier.capacity_inputs = (0..rungs[t].len() * dimensions)
                .map(|at| {
                    targets.iter().rposition(|(_, target)| match target {
                        Target::Capacity { tier, dimension, rungs, .. } => {
                            *tier == t
                                && *dimension == at % dimensions
                                && rungs.contains(&(at / dimensions))
                        }
                        _ => false,
                    })
                })
                .collect();
        }
        for tier in &mut tiers {
            tier.by_upstream = tier.upstream_sources();
        }
        let headroom_input = targets.iter().rposition(|(_, t)| matches!(t, Target::Headroom));
        let prices_drawn = targets.iter().any(|(_, target)| matches!(target, Target::Price { .. }));
        let runway_targets: Vec<usize> = (0..targets.len())
            .filter(|&k| match &targets[k].1 {
                Target::Headroom => true,
                Target::Capacity { runways, .. } => !runways.is_empty(),
                _ => false,
            })
            .collect();
        let drawn_runways: Vec<usize> = (0..runways.len())
            .filter(|r| {
                runway_targets.iter().any(|&k| match &targets[k].1 {
                    Target::Capacity { runways, .. } => runways.contains(r),
                    _ => true,
                })
            })
            .collect();
        let runway_capacity_inputs: Vec<Vec<Option<usize>>> = runway_capacities
            .iter()
            .enumerate()
            .map(|(r, capacities): (usize, &Vec<f64>)| {
                (0..capacities.len())
                    .map(|d| {
                        targets.iter().rposition(|(_, target)| {
                            matches!(target, Target::Capacity { dimension, runways, .. } if *dimension == d && runways.contains(&r))
                        })
                    })
                    .collect()
            })
            .collect();
        let load_names = loads.iter().map(|(t, d)| format!("{t}.{d}")).collect();
        let milestone_months: Vec<Option<usize>> = milestones
            .iter()
            .map(|k| {
                let month = config.milestones[*k].month.map(|m| m as usize);
                month.filter(|&m| growth && m <= horizon as usize)
            })
            .collect();
        // A dated milestone whose drivers no draw sets, in a month no draw
        // moves: whether it equals its month row is known now.
        let unmoved_aliases = milestone_months
            .iter()
            .enumerate()
            .map(|(m, month)| {
                let month = (*month)?;
                let moved = regrow.iter().any(|r| r.months.contains(&month));
                let drawn = targets
                    .iter()
                    .any(|(_, t)| matches!(t, Target::Driver { row: Some(row), .. } if *row == m));
                let equal = |d: usize| {
                    milestone_rows[m * drivers.len() + d].to_bits() == monthly[d][month].to_bits()
                };
                (!moved && !drawn).then(|| (0..drivers.len()).all(equal))
            })
            .collect();
        Ok(Some(Model {
            id,
            widths: (parameter_names.len(), drivers.len(), loads.len()),
            load_names,
            milestone_keys: milestones.iter().map(|k| (*k).clone()).collect(),
            milestone_months,
            unmoved_aliases,
            driver_names: drivers.clone(),
            months,
            regrow,
            rung_counts: rungs.iter().map(|r| r.len() as u64).collect(),
            prices_drawn,
            drawn_runways,
            runway_capacity_inputs,
            headroom_input,
            safe_rates: tiers.iter().map(|_| std::sync::Mutex::new(Vec::new())).collect(),
            tiers,
            runways,
            rules: setters.iter().filter_map(Setter::rule).collect(),
            targets,
            base: Values {
                headroom: config.headroom,
                parameters: parameter_names.iter().map(|p| config.demand[p]).collect(),
                milestone_rows,
                points,
                curves,
                monthly,
                rungs,
                prices,
                runway_capacities,
            },
        }))
    }

    /// A fresh scratch for one worker.
    pub(super) fn scratch(&self) -> Scratch {
        Scratch {
            values: self.base.clone(),
            parameters: Vec::new(),
            drivers: Vec::new(),
            batch_drivers: Vec::new(),
            columns: Vec::new(),
            units: vec![Vec::new(); self.tiers.len()],
            rungs: vec![Vec::new(); self.tiers.len()],
            dimension_loads: vec![Vec::new(); self.tiers.len()],
            runway_holds: (0..self.runways.len()).map(|_| Vec::new()).collect(),
            breaches: vec![Vec::new(); self.runways.len()],
            row_loads: Vec::new(),
            lefts: Vec::new(),
            point_values: Vec::new(),
            known_by_units: Vec::new(),
            bands: Vec::new(),
            needed: Vec::new(),
            quotients: Vec::new(),
            dimension_units: Vec::new(),
            usable: Vec::new(),
            sums: Vec::new(),
            keys: Vec::new(),
            per_unit: Vec::new(),
            upstream_tables: (0..self.tiers.len()).map(|_| UpstreamTable::default()).collect(),
            by_table: vec![false; self.tiers.len()],
            settled: vec![Vec::new(); self.tiers.len()],
            unmoved_for: 0,
            earliest: Vec::new(),
            bounds: vec![Vec::new(); self.tiers.len()],
            milestone_drivers: Vec::new(),
            rows: 0,
            milestone_rows: Vec::new(),
        }
    }

    fn fail(&self, index: u64, message: String) -> Error {
        Error::Config {
            profile: self.id.clone(),
            message: format!(
                "draw {index} of the Monte Carlo: {message}; choose distributions that stay in range"
            ),
        }
    }

    /// Checks every drawn value of one draw as the configuration would
    /// check it, and sets the driver and parameter ones on `into`.
    fn check_and_apply_rows(
        &self,
        index: u64,
        values: &[f64],
        into: &mut Values,
    ) -> Result<(), Error> {
        for (((key, target), rule), &value) in self.targets.iter().zip(&self.rules).zip(values) {
            if !rule.holds(value) {
                return Err(self.fail(
                    index,
                    format!("`{key}` {}, got {}", rule.words, headroom_kernel::Shown(value)),
                ));
            }
            match target {
                Target::Driver { driver, row, point } => {
                    if let Some(row) = row {
                        into.milestone_rows[row * self.widths.1 + driver] = value;
                    }
                    if let Some(point) = point {
                        into.points[*driver][*point].value = value;
                    }
                }
                Target::Parameter(p) => into.parameters[*p] = value,
                Target::Curve { driver, ceiling: false } => {
                    into.curves[*driver] = GrowthCurve::CompoundMonthly { rate: Some(value) }
                }
                Target::Curve { driver, ceiling: true } => {
                    into.curves[*driver] = GrowthCurve::Logistic { ceiling: value }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Sets the drawn capacities and headroom of one draw (already checked
    /// by [`Model::check_and_apply_rows`]) on `into`: of tier `only` alone,
    /// for sizing it; else of every tier, with prices and today's capacities.
    fn apply_sizing(&self, values: &[f64], into: &mut Values, only: Option<usize>) {
        for ((_, target), &value) in self.targets.iter().zip(values) {
            match target {
                Target::Capacity { tier, dimension, rungs, runways }
                    if only.is_none_or(|t| t == *tier) =>
                {
                    for &r in rungs {
                        into.rungs[*tier][r][*dimension] = value;
                    }
                    if only.is_none() {
                        for &r in runways {
                            into.runway_capacities[r][*dimension] = value;
                        }
                    }
                }
                Target::Price { tier, rungs } if only.is_none() => {
                    for &r in rungs {
                        into.prices[*tier][r] = value;
                    }
                }
                Target::Headroom => into.headroom = value,
                _ => {}
            }
        }
    }

    /// Runs a chunk of draws into `tally`, and each milestone's total cost
    /// into `totals` (`[draw][milestone]`). Of several draws that fail, the
    /// error is the first draw's, as the planner taking draw by draw meets
    /// it: the steps here take all the chunk's draws at once, so a draw may
    /// fail at one step while an earlier one would fail at a later step;
    /// then the draws before it are run again alone (and again, while an
    /// earlier one fails), and the earliest failure is the error.
    pub(super) fn run_chunk(
        &self,
        profile: &LoadedProfile,
        chunk: Chunk<'_>,
        scratch: &mut Scratch,
        tally: &mut Tally,
        totals: &mut [f64],
    ) -> Result<(), Error> {
        // The steps on `chunk`: the first error of a step, with the draw of
        // the chunk it names.
        let mut steps = |chunk: Chunk<'_>| -> Result<(), Failed> {
            let Chunk { count, drawn, .. } = chunk;
            // 1. Every draw's rows of parameters and drivers.
            self.write_rows(chunk, scratch)?;
            // 2. One plugin call for the chunk, which writes every load.
            // (Resizing alone, without zeroing.)
            let width_l = self.widths.2;
            scratch.columns.resize(count * scratch.rows * width_l, 0.0);
            let drivers = batch_drivers(
                scratch.rows == self.months,
                &scratch.drivers,
                &scratch.batch_drivers,
            );
            if let Err(message) =
                profile.demand_columns(count, &scratch.parameters, drivers, &mut scratch.columns)
            {
                return Err(self.plugin_failure(profile, chunk, scratch, message));
            }
            // 3. Check every load, then size tier by tier, each a pass over
            // the whole chunk, then tally.
            self.check_loads(chunk, scratch)?;
            for t in 0..self.tiers.len() {
                self.size_tier(t, count, drawn, scratch)?;
            }
            self.check_counted(chunk, scratch)?;
            self.tally_chunk(count, drawn, scratch, tally, totals)
        };
        let (mut chunk, mut failure) = (chunk, None);
        loop {
            match steps(chunk) {
                Ok(()) => return failure.map_or(Ok(()), Err),
                Err((0, error)) => return Err(error),
                Err((draw, error)) => {
                    failure = Some(error);
                    let inputs = self.targets.len();
                    chunk = Chunk { count: draw, drawn: &chunk.drawn[..draw * inputs], ..chunk };
                }
            }
        }
    }

    /// The plugin failed on the chunk's rows with `message`: the first
    /// draw it fails on alone, its rows in the planner's order (milestones,
    /// then months), named as the exact path names it.
    fn plugin_failure(
        &self,
        profile: &LoadedProfile,
        chunk: Chunk<'_>,
        scratch: &Scratch,
        message: String,
    ) -> Failed {
        let (width_p, width_d, width_l) = self.widths;
        let count = chunk.count;
        let n = count * scratch.rows;
        let batch =
            batch_drivers(scratch.rows == self.months, &scratch.drivers, &scratch.batch_drivers);
        let order: Vec<usize> =
            scratch.milestone_rows.iter().copied().chain(0..self.months).collect();
        for j in 0..count {
            // The draw alone: a batch of one draw, its rows in that order.
            let parameters: Vec<f64> =
                (0..width_p).map(|k| scratch.parameters[k * count + j]).collect();
            let drivers: Vec<f64> = (0..width_d)
                .flat_map(|d| order.iter().map(move |&row| batch[d * n + row * count + j]))
                .collect();
            let mut loads = vec![0.0; order.len() * width_l];
            if let Err(message) = profile.demand_columns(1, &parameters, &drivers, &mut loads) {
                return (j, self.plugin_failed(chunk.first + j as u64, message));
            }
        }
        (0, self.plugin_failed(chunk.first, message))
    }

    /// The plugin's `message` for draw `index`, in the exact path's words.
    fn plugin_failed(&self, index: u64, message: String) -> Error {
        Error::PluginFailed {
            profile: self.id.clone(),
            message: format!("draw {index} of the Monte Carlo: {message}"),
        }
    }

    /// Writes every draw's parameters and its rows of drivers, in columns:
    /// its months, then its milestones' drivers; a milestone whose drivers
    /// equal its month row's, bit for bit, in every draw of the chunk (a
    /// dated milestone the growth curve passes through) takes that row, so
    /// the plugin and the sizing see it once. The rows are laid out row by
    /// row, the chunk's draws side by side within each: row `r` of draw `j`
    /// is row `r x count + j` of the chunk, so that every later pass reads
    /// one row of all the draws as one slice. Each parameter is a column of
    /// the draws (parameter `k` of draw `j` at `k x count + j`), each
    /// driver a column of the rows ([`batch_drivers`]). Sets
    /// `scratch.rows` and `scratch.milestone_rows`.
    fn write_rows(&self, chunk: Chunk<'_>, scratch: &mut Scratch) -> Result<(), Failed> {
        let Chunk { first, count, drawn } = chunk;
        let inputs = self.targets.len();
        let (width_p, width_d, _) = self.widths;
        let months = self.months;
        // Driver `d` of month row `i` lies at `d x month_rows + i`.
        let month_rows = months * count;
        scratch.parameters.clear();
        scratch.milestone_drivers.clear();
        let milestones = self.milestone_keys.len();
        let mut aliased: Vec<bool> = self.milestone_months.iter().map(Option::is_some).collect();
        // The month rows come first, whatever the milestones' rows: the
        // months no draw moves hold the configuration's values in every
        // draw, written once (and kept from the last chunk where it had as
        // many draws); each draw writes the ones it moves.
        // (Every value is written below: resizing alone, without zeroing.)
        scratch.drivers.resize(width_d * month_rows, 0.0);
        let kept = std::mem::replace(&mut scratch.unmoved_for, count) == count;
        for month in (0..months).filter(|_| !kept) {
            for (d, monthly) in scratch.values.monthly.iter().enumerate() {
                let moved = self.regrow.iter().any(|r| r.driver == d && r.months.contains(&month));
                if !moved {
                    scratch.drivers[d * month_rows + month * count..][..count].fill(monthly[month]);
                }
            }
        }
        // Where every drawn value keeps its rule and no draw's growth is
        // worked out on its own, each draw's parameters and milestone
        // drivers are the configuration's with the drawn ones set, a
        // column at a time; else draw by draw (which names the first value
        // that breaks its rule).
        let draws = || drawn.chunks_exact(inputs.max(1)).take(count);
        let valid = || {
            let keeps = |(k, rule): (usize, &Rule)| {
                draws().fold(true, |all, draw| all & rule.holds(draw[k]))
            };
            self.rules.iter().enumerate().all(keeps)
        };
        let by_columns = self.regrow.iter().all(|r| r.across.is_some()) && valid();
        if by_columns {
            let (parameters, rows) = (&self.base.parameters, &self.base.milestone_rows);
            for &parameter in parameters {
                scratch.parameters.extend(std::iter::repeat_n(parameter, count));
            }
            repeat_into(&mut scratch.milestone_drivers, rows, count);
            for (k, (_, target)) in self.targets.iter().enumerate() {
                let (to, at, width) = match *target {
                    Target::Parameter(p) => (&mut scratch.parameters, p * count, 1),
                    Target::Driver { driver, row: Some(row), .. } => {
                        (&mut scratch.milestone_drivers, row * width_d + driver, rows.len())
                    }
                    _ => continue,
                };
                for (to, draw) in to[at..].chunks_mut(width).zip(draws()) {
                    to[0] = draw[k];
                }
            }
        } else {
            scratch.parameters.resize(width_p * count, 0.0);
        }
        for j in (0..count).filter(|_| !by_columns) {
            let index = first + j as u64;
            let values = &mut scratch.values;
            self.check_and_apply_rows(index, &drawn[j * inputs..(j + 1) * inputs], values)
                .map_err(|error| (j, error))?;
            for regrowth in self.regrow.iter().filter(|r| r.across.is_none()) {
                let d = regrowth.driver;
                let (curve, points, monthly) =
                    (&values.curves[d], &values.points[d], &mut values.monthly[d]);
                curve.months_into(points, &regrowth.months, monthly).map_err(|e| {
                    let growth = format!("growth of driver `{}`: {e}", self.driver_names[d]);
                    (j, self.fail(index, growth))
                })?;
                for &month in &regrowth.months {
                    scratch.drivers[d * month_rows + month * count + j] = monthly[month];
                }
            }
            for (k, &parameter) in values.parameters.iter().enumerate() {
                scratch.parameters[k * count + j] = parameter;
            }
            scratch.milestone_drivers.extend_from_slice(&values.milestone_rows);
        }
        // A piecewise-linear curve whose points alone are drawn: each moved
        // month of all the chunk's draws at once, straight into its column
        // (the draws' values were checked above, and the points' months
        // with the configuration).
        for regrowth in &self.regrow {
            let Some((point_months, point_inputs)) = &regrowth.across else { continue };
            let d = regrowth.driver;
            let base = &self.base.points[d];
            scratch.point_values.clear();
            for (p, input) in point_inputs.iter().enumerate() {
                match input {
                    Some(k) => {
                        scratch.point_values.extend((0..count).map(|j| drawn[j * inputs + k]))
                    }
                    None => scratch.point_values.extend(std::iter::repeat_n(base[p].value, count)),
                }
            }
            for &month in &regrowth.months {
                GrowthCurve::piecewise_linear_across(
                    point_months,
                    &scratch.point_values,
                    month as f64,
                    &mut scratch.drivers[d * month_rows + month * count..][..count],
                )
                .map_err(|e| {
                    let growth = format!("growth of driver `{}`: {e}", self.driver_names[d]);
                    (0, self.fail(first, growth))
                })?;
            }
        }
        self.check_grown(chunk, scratch)?;
        // A dated milestone takes its month's row where its drivers equal
        // that row's in every draw of the chunk, bit for bit.
        for (m, month) in self.milestone_months.iter().enumerate() {
            if let Some(equal) = self.unmoved_aliases[m] {
                aliased[m] = equal;
            } else if let Some(month) = month {
                aliased[m] = (0..width_d).all(|d| {
                    let row = &scratch.drivers[d * month_rows + month * count..][..count];
                    let own = scratch.milestone_drivers[m * width_d + d..]
                        .iter()
                        .step_by(milestones * width_d);
                    row.iter().zip(own).all(|(a, b)| a.to_bits() == b.to_bits())
                });
            }
        }
        scratch.milestone_rows.clear();
        let mut own = 0;
        for (m, month) in self.milestone_months.iter().enumerate() {
            scratch.milestone_rows.push(match month {
                Some(month) if aliased[m] => *month,
                _ => {
                    own += 1;
                    months + own - 1
                }
            });
        }
        scratch.rows = months + own;
        // Where some milestone has its own row, each driver's column of
        // every row: its month rows, then those rows, in order.
        scratch.batch_drivers.clear();
        if own > 0 {
            for d in 0..width_d {
                let column = &scratch.drivers[d * month_rows..][..month_rows];
                scratch.batch_drivers.extend_from_slice(column);
                for (m, _) in
                    scratch.milestone_rows.iter().enumerate().filter(|(_, &row)| row >= months)
                {
                    let own = scratch.milestone_drivers[m * width_d + d..]
                        .iter()
                        .step_by(milestones * width_d);
                    scratch.batch_drivers.extend(own.take(count));
                }
            }
        }
        Ok(())
    }

    /// Checks every month a draw grew, as the planner checks a grown driver
    /// ([`crate::plan::grown_out_of_range`]): the first bad one is named as
    /// the planner meets it, draw by draw, a draw's drivers in order, each
    /// driver's months in order. (The months no draw moves are the
    /// configuration's, which its own plan checked.)
    fn check_grown(&self, chunk: Chunk<'_>, scratch: &Scratch) -> Result<(), Failed> {
        let Chunk { first, count, .. } = chunk;
        let month_rows = self.months * count;
        let column =
            |d: usize, month: usize| &scratch.drivers[d * month_rows + month * count..][..count];
        let grown = || self.regrow.iter().flat_map(|r| r.months.iter().map(|&m| (r.driver, m)));
        if grown().all(|(d, month)| all_valid(column(d, month))) {
            return Ok(());
        }
        let valid = |v: f64| (0.0..f64::INFINITY).contains(&v);
        for j in 0..count {
            if let Some((d, month)) = grown().find(|&(d, month)| !valid(column(d, month)[j])) {
                let curve = &scratch.values.curves[d];
                let why = crate::plan::grown_out_of_range(
                    &self.driver_names[d],
                    curve,
                    month,
                    column(d, month)[j],
                );
                return Err((j, self.fail(first + j as u64, why)));
            }
        }
        Ok(())
    }

    /// Each of a draw's rows in the order the planner sizes them (its
    /// milestones, then its months), with the planner's name for it.
    fn planners_rows(&self, scratch: &Scratch) -> Vec<(usize, String)> {
        let milestones = self.milestone_keys.iter().zip(&scratch.milestone_rows);
        milestones
            .map(|(key, &row)| (row, format!("milestone `{key}`")))
            .chain((0..self.months).map(|month| (month, format!("month {month}"))))
            .collect()
    }

    /// Refuses a tier sized to `u32::MAX` units (where the kernel's count
    /// stops), as the planner refuses it ([`crate::plan::beyond_counting`]):
    /// the first is named as the planner meets it, draw by draw, a draw's
    /// rows in the planner's order, a row's tiers in order.
    fn check_counted(&self, chunk: Chunk<'_>, scratch: &Scratch) -> Result<(), Failed> {
        let Chunk { first, count, .. } = chunk;
        let n = count * scratch.rows;
        let beyond =
            |units: &Vec<u32>| units[..n].iter().fold(false, |any, &u| any | (u == u32::MAX));
        if !scratch.units.iter().any(beyond) {
            return Ok(());
        }
        let rows = self.planners_rows(scratch);
        for j in 0..count {
            for (row, place) in &rows {
                let at = row * count + j;
                if let Some(t) = (0..self.tiers.len()).find(|&t| scratch.units[t][at] == u32::MAX) {
                    let message = crate::plan::beyond_counting(&self.tiers[t].key, place);
                    return Err((j, self.fail(first + j as u64, message)));
                }
            }
        }
        Ok(())
    }

    /// Checks every load of the chunk; the first bad one is named as the
    /// planner meets it: draw by draw, a draw's milestones first, then its
    /// months.
    fn check_loads(&self, chunk: Chunk<'_>, scratch: &Scratch) -> Result<(), Failed> {
        let Chunk { first, count, .. } = chunk;
        let (n, width_l) = (count * scratch.rows, self.widths.2);
        let valid = |v: f64| (0.0..f64::INFINITY).contains(&v);
        if all_valid(&scratch.columns) {
            return Ok(());
        }
        let rows = self.planners_rows(scratch);
        for draw in 0..count {
            for (row, place) in &rows {
                let load = |l: usize| scratch.columns[l * n + row * count + draw];
                if let Some(l) = (0..width_l).find(|&l| !valid(load(l))) {
                    return Err((draw, Error::PluginFailed {
                        profile: self.id.clone(),
                        message: format!(
                            "draw {} of the Monte Carlo: demand mapping gave load {} = {} at {place}; loads must be finite and not negative",
                            first + draw as u64,
                            self.load_names[l],
                            load(l),
                        ),
                    }));
                }
            }
        }
        Ok(())
    }

    /// Tallies the chunk's sized rows: each row's keys a tier at a time
    /// (they need nothing of the draw), then the milestones' costs and the
    /// runways, draw by draw where a draw changes a price, else a milestone
    /// and tier at a time.
    fn tally_chunk(
        &self,
        count: usize,
        drawn: &[f64],
        scratch: &mut Scratch,
        tally: &mut Tally,
        totals: &mut [f64],
    ) -> Result<(), Failed> {
        let inputs = self.targets.len();
        let milestones = self.milestone_keys.len();
        let keys = &mut scratch.keys;
        for (t, &rung_count) in self.rung_counts.iter().enumerate() {
            // Each row's key (units x rungs + rung) in one pass; a row of
            // the chunk is then a slice of them.
            // (With one rung the key is the units themselves.)
            let (units, rungs) = (&scratch.units[t], &scratch.rungs[t]);
            keys.clear();
            if rung_count > 1 {
                keys.extend(
                    units.iter().zip(rungs).map(|(&u, &r)| u64::from(u) * rung_count + r as u64),
                );
            }
            // A row every draw of which needs the same (and that no latency
            // target raises draw by draw) is counted at once.
            let settled = &scratch.settled[t];
            let at_once = self.tiers[t].latency.is_none();
            let count_row = |counts: &mut Counts, row: usize| {
                if at_once && settled.get(row).is_some_and(Option::is_some) {
                    let i = row * count;
                    let key = u64::from(units[i]) * rung_count + rungs[i] as u64;
                    counts.add_many(key, count as u64);
                } else if rung_count > 1 {
                    for &key in &keys[row * count..(row + 1) * count] {
                        counts.add(key);
                    }
                } else {
                    for &units in &units[row * count..(row + 1) * count] {
                        counts.add(u64::from(units));
                    }
                }
            };
            // A month row that is also a milestone's row is counted once,
            // as shared by the first such milestone and its month.
            for month in 0..self.months {
                match scratch.milestone_rows.iter().position(|&row| row == month) {
                    Some(m) => count_row(tally.shared_counts(m, t), month),
                    None => count_row(tally.month_counts(month, t), month),
                }
            }
            for (m, &row) in scratch.milestone_rows.iter().enumerate() {
                if scratch.milestone_rows.iter().position(|&other| other == row) != Some(m)
                    || row >= self.months
                {
                    count_row(tally.milestone_counts(m, t), row);
                }
            }
        }
        let cost = |values: &Values, t: usize, rung: usize, units: u32| {
            monthly_cost(values.prices[t][rung], units).map_err(|source| Error::Kernel {
                profile: self.id.clone(),
                tier: self.tiers[t].key.clone(),
                source,
            })
        };
        let zero = EMPTY_SUM;
        if self.prices_drawn {
            for j in 0..count {
                self.apply_sizing(&drawn[j * inputs..(j + 1) * inputs], &mut scratch.values, None);
                for m in 0..milestones {
                    let i = scratch.milestone_rows[m] * count + j;
                    let mut total = zero;
                    for t in 0..self.tiers.len() {
                        let (units, rung) = (scratch.units[t][i], scratch.rungs[t][i]);
                        let cost = cost(&scratch.values, t, rung, units).map_err(|e| (j, e))?;
                        tally.milestone_cost(m, t, cost);
                        total += cost;
                    }
                    totals[j * milestones + m] = total;
                }
            }
        } else {
            // Each instance's cost a month, once: `monthly_cost` is
            // `price x 730 h x units`, so one unit's cost times the units
            // is the same number to the last bit. Tiers are added in the
            // planner's order, a milestone row of all draws at a time.
            let mut per_unit = std::mem::take(&mut scratch.per_unit);
            per_unit.clear();
            for (t, prices) in scratch.values.prices.iter().enumerate() {
                for rung in 0..prices.len() {
                    per_unit.push(cost(&scratch.values, t, rung, 1).map_err(|e| (0, e))?);
                }
            }
            let mut sums = std::mem::take(&mut scratch.sums);
            for m in 0..milestones {
                let row =
                    scratch.milestone_rows[m] * count..(scratch.milestone_rows[m] + 1) * count;
                sums.clear();
                sums.resize(count, zero);
                let mut first_rung = 0;
                for (t, &rung_count) in self.rung_counts.iter().enumerate() {
                    let per_unit = &per_unit[first_rung..first_rung + rung_count as usize];
                    let (units, rungs) =
                        (&scratch.units[t][row.clone()], &scratch.rungs[t][row.clone()]);
                    if let [per_unit] = per_unit {
                        for (total, &units) in sums.iter_mut().zip(units) {
                            *total += per_unit * f64::from(units);
                        }
                    } else {
                        for ((total, &units), &rung) in sums.iter_mut().zip(units).zip(rungs) {
                            *total += per_unit[rung] * f64::from(units);
                        }
                    }
                    first_rung += rung_count as usize;
                }
                for (j, &total) in sums.iter().enumerate() {
                    totals[j * milestones + m] = total;
                }
            }
            scratch.sums = sums;
            scratch.per_unit = per_unit;
        }
        if !self.runways.is_empty() {
            self.runway_holds(count, drawn, scratch);
            for r in 0..self.runways.len() {
                self.first_breaches(r, count, scratch);
            }
            tally.runway_columns(&scratch.breaches, &mut scratch.earliest);
        }
        Ok(())
    }

    /// Sizes tier `t` on every row of the chunk into `scratch.units[t]`,
    /// `scratch.rungs[t]` and `scratch.dimension_loads[t]`, as the
    /// planner's `size_tier` does; the tiers before `t` are sized already.
    /// Pass by pass over the whole chunk (each pass a loop over slices the
    /// compiler vectorises), not row by row.
    fn size_tier(
        &self,
        t: usize,
        count: usize,
        drawn: &[f64],
        scratch: &mut Scratch,
    ) -> Result<(), Failed> {
        let tier = &self.tiers[t];
        let inputs = self.targets.len();
        let dimensions = tier.dimensions.len();
        let rows = scratch.rows;
        let n = count * rows;
        let Scratch {
            values,
            columns,
            units,
            rungs,
            dimension_loads,
            needed,
            quotients,
            dimension_units,
            usable,
            row_loads,
            lefts,
            bands,
            known_by_units,
            upstream_tables,
            by_table,
            settled,
            bounds,
            ..
        } = scratch;
        units[t].resize(n, 0);
        rungs[t].resize(n, 0);
        needed.resize(n, 0);
        let (upstream, rest) = units.split_at_mut(t);
        let (units_out, rungs_out) = (&mut rest[0], &mut rungs[t]);
        // (Its rows' bounds are this chunk's, or none.)
        bounds[t].clear();
        // 1. A tier its upstream tiers' units alone load: by their units,
        // from its table, without its loads (its runway reads the table).
        by_table[t] = false;
        if let Some(sources) = &tier.by_upstream {
            let table = &mut upstream_tables[t];
            if self.size_by_upstream(t, sources, n, upstream, table) {
                let UpstreamTable { entries, rows, breaks, .. } = table;
                breaks.resize(n, false);
                let out = units_out.iter_mut().zip(rungs_out).zip(breaks.iter_mut());
                for (((units, rung), breaks), &at) in out.zip(&*rows) {
                    let entry = entries[at as usize];
                    (*units, *rung) = UpstreamTable::read(entry);
                    *breaks = UpstreamTable::breaks(entry);
                }
                by_table[t] = true;
                return Ok(());
            }
        }
        // 2. Each dimension's load on every row of the chunk.
        let dimension_loads = &mut dimension_loads[t];
        self.dimension_loads(t, n, columns, upstream, dimension_loads, quotients, usable);
        if let (false, Some((sigma, kappa))) = (tier.vertical, tier.usl) {
            // 3. A USL tier: the kernel's search, row by row.
            row_loads.resize(dimensions, 0.0);
            for j in 0..count {
                if tier.drawn {
                    self.apply_sizing(&drawn[j * inputs..(j + 1) * inputs], values, Some(t));
                }
                let policy = HeadroomPolicy { headroom: values.headroom, ..tier.policy };
                for row in 0..rows {
                    let i = row * count + j;
                    for (d, load) in row_loads.iter_mut().enumerate() {
                        *load = dimension_loads[d * n + i];
                    }
                    let scaled = size_with_scalability(
                        row_loads,
                        &values.rungs[t][0],
                        &policy,
                        sigma,
                        kappa,
                    )
                    .map_err(|source| {
                        (
                            j,
                            Error::Kernel {
                                profile: self.id.clone(),
                                tier: tier.key.clone(),
                                source,
                            },
                        )
                    })?;
                    (needed[i], units_out[i], rungs_out[i]) =
                        (scaled.sizing.needed_by_load, scaled.sizing.units, 0);
                }
            }
        } else {
            // 3. Rows that need one answer: where every row does, each is
            // filled without dividing; else the passes below size every
            // row (the settled ones to the same answer) and the tally
            // counts each settled row at once.
            let settled = &mut settled[t];
            self.settle_rows(t, count, rows, dimension_loads, &mut bounds[t], settled);
            if settled.iter().all(Option::is_some) {
                for (row, &one) in settled.iter().enumerate() {
                    if let Some((need, rung)) = one {
                        let at = row * count..(row + 1) * count;
                        needed[at.clone()].fill(need);
                        units_out[at.clone()].fill(tier.policy.apply(need));
                        rungs_out[at].fill(rung);
                    }
                }
            } else {
                // 4. The usable capacity (capacity x (1 - headroom), as the
                // kernel's `units_for` takes it) per rung and dimension: of each
                // draw, side by side, where a draw changes it; else one for all.
                let ladder = if tier.vertical { values.rungs[t].len() } else { 1 };
                usable.clear();
                if tier.drawn {
                    // What `apply_sizing` would set draw by draw, a column at a
                    // time: each draw's `1 - headroom`, then each rung and
                    // dimension's capacity (drawn, or the configuration's)
                    // times it.
                    let drawn_of = |k: usize| drawn[k..].iter().step_by(inputs).take(count);
                    lefts.clear();
                    match self.headroom_input {
                        Some(k) => lefts.extend(drawn_of(k).map(|&headroom| 1.0 - headroom)),
                        None => lefts.resize(count, 1.0 - self.base.headroom),
                    }
                    let lefts = &lefts[..];
                    for (at, input) in
                        tier.capacity_inputs[..ladder * dimensions].iter().enumerate()
                    {
                        match input {
                            Some(k) => usable.extend(
                                drawn_of(*k).zip(lefts).map(|(&capacity, &left)| capacity * left),
                            ),
                            None => {
                                let capacity = self.base.rungs[t][at / dimensions][at % dimensions];
                                usable.extend(lefts.iter().map(|&left| capacity * left));
                            }
                        }
                    }
                } else {
                    let left = 1.0 - values.headroom;
                    for capacities in &values.rungs[t][..ladder] {
                        usable.extend(capacities.iter().map(|&capacity| capacity * left));
                    }
                }
                let usable = Usable { values: usable, count, varies: tier.drawn };
                // 5. The rung: the first one instance of which holds the row
                // (needs at most 1 unit), else the last; a horizontal tier has
                // one. Then the units the row needs on it: the most any
                // dimension needs.
                quotients.resize(n, 0.0);
                dimension_units.resize(n, 0);
                if ladder == 1 {
                    rungs_out.fill(0);
                } else if dimensions == 1 {
                    // One dimension: `holds_on_one`'s two comparisons settle the
                    // rung of nearly every row without dividing, and without a
                    // branch: from the last rung down, each rung that surely
                    // holds the load takes the row. A row of the chunk where
                    // some load lies in a rung's narrow band (where only the
                    // quotient tells) is settled again by `holds_on_one` itself.
                    bands.clear();
                    for r in 0..ladder - 1 {
                        bands.extend((0..count).map(|j| one_unit_band(usable.of(r, j)).0));
                        bands.extend((0..count).map(|j| one_unit_band(usable.of(r, j)).1));
                    }
                    for (rungs, loads) in
                        rungs_out.chunks_exact_mut(count).zip(dimension_loads.chunks_exact(count))
                    {
                        let mut unsettled = 0_u64;
                        rungs.fill(ladder - 1);
                        for r in (0..ladder - 1).rev() {
                            let surely = &bands[2 * r * count..][..count];
                            let surely_not = &bands[(2 * r + 1) * count..][..count];
                            let row =
                                rungs.iter_mut().zip(loads).zip(surely.iter().zip(surely_not));
                            for ((rung, &load), (&surely, &surely_not)) in row {
                                let holds = load <= surely;
                                unsettled |= u64::from(!holds & (load < surely_not));
                                *rung = if holds { r } else { *rung };
                            }
                        }
                        if unsettled != 0 {
                            for (j, (rung, &load)) in rungs.iter_mut().zip(loads).enumerate() {
                                *rung = (0..ladder - 1)
                                    .find(|&r| holds_on_one(load, usable.of(r, j)))
                                    .unwrap_or(ladder - 1);
                            }
                        }
                    }
                } else {
                    rungs_out.fill(ladder - 1);
                    for r in (0..ladder - 1).rev() {
                        self.units_on_rung(
                            r,
                            dimensions,
                            None,
                            dimension_loads,
                            &usable,
                            quotients,
                            needed,
                            dimension_units,
                        );
                        for (rung, &units) in rungs_out.iter_mut().zip(needed.iter()) {
                            if units <= 1 {
                                *rung = r;
                            }
                        }
                    }
                }
                self.units_on_rung(
                    0,
                    dimensions,
                    (ladder > 1).then_some(&rungs_out[..]),
                    dimension_loads,
                    &usable,
                    quotients,
                    needed,
                    dimension_units,
                );
                // 6. Minimum, spares and zones.
                tier.policy.apply_all(needed, units_out);
            }
        }
        // 7. The latency target, where it asks for more.
        if let Some(latency) = &tier.latency {
            let (rates, known) = (quotients, known_by_units);
            self.meet_latency(t, latency, count, n, columns, needed, units_out, rates, known);
        }
        Ok(())
    }

    /// Sizes tier `t`, which the units of the upstream tiers `sources`
    /// alone load, on each of the chunk's `n` rows by those units: sets
    /// `table.rows` to each row's place among its entries, each entry (the
    /// units through the policy, the rung, whether the load breaks the
    /// tier's runway) worked out from the row's loads ([`Model::fan_in_load`],
    /// [`Model::needs_on_ladder`]) the first time its units are met.
    /// False, sizing nothing, where the chunk's unit counts would make the
    /// table larger than [`UpstreamTable::MOST`] entries.
    fn size_by_upstream(
        &self,
        t: usize,
        sources: &[usize],
        n: usize,
        upstream: &[Vec<u32>],
        table: &mut UpstreamTable,
    ) -> bool {
        let first = &upstream[sources[0]][..n];
        let second = sources.get(1).map(|&s| &upstream[s][..n]);
        let most = |units: &[u32]| units.iter().copied().max().unwrap_or(0);
        if !table.fit(most(first), second.map_or(0, most)) {
            return false;
        }
        let UpstreamTable { shape: (_, width), entries, rows, .. } = table;
        // Each row's place in the table, in one pass (within `MOST`, so
        // 32 bits); then the rows whose units it has not met yet, worked
        // out (a few times a run).
        rows.clear();
        match second {
            None => rows.extend(first),
            Some(second) => {
                let width = *width as u32;
                rows.extend(first.iter().zip(second).map(|(&a, &b)| a * width + b))
            }
        }
        if rows.iter().any(|&at| entries[at as usize] == 0) {
            let runway = self.runways.iter().position(|r| r.tier == t);
            for (i, &at) in rows.iter().enumerate() {
                if entries[at as usize] == 0 {
                    let load = |d: usize| self.fan_in_load(t, d, upstream, i);
                    let (needed, rung) = self.needs_on_ladder(t, load);
                    let units = self.tiers[t].policy.apply(needed);
                    // Whether the load breaks today's deployment, as
                    // `first_breaches` checks it (no draw changes it).
                    let breaks = runway.is_some_and(|r| {
                        let mut holding = self.holding(r, &self.base).enumerate();
                        holding.any(|(d, (held, ceiling, surely))| {
                            breaks_today(load(d), held, ceiling, surely)
                        })
                    });
                    entries[at as usize] = UpstreamTable::entry((units, rung), breaks);
                }
            }
        }
        true
    }

    /// The load on dimension `d` of row `i` of tier `t`, which the
    /// `upstream` tiers' units alone load: the sum that
    /// [`Model::dimension_loads`] works out, for one row.
    fn fan_in_load(&self, t: usize, d: usize, upstream: &[Vec<u32>], i: usize) -> f64 {
        let term = |&(source, per_unit): &(Option<usize>, f64)| match source {
            Some(s) => f64::from(upstream[s][i]) * per_unit,
            None => 0.0 * per_unit,
        };
        let mut terms = self.tiers[t].dimensions[d].fan_in.iter().map(term);
        match terms.next() {
            Some(first) => terms.fold(first, |sum, term| sum + term),
            None => EMPTY_SUM + EMPTY_SUM,
        }
    }

    /// The units the load needs and the rung of one row of tier `t`,
    /// which no draw changes, whose dimension `d` carries `load(d)`: what
    /// the passes of [`Model::size_tier`] give, one row at a time. The rung
    /// is the first one instance of which holds the row (needs at most 1
    /// unit by the kernel's `units_for` on every dimension), else the last;
    /// the units the most any dimension needs on it. Both grow with each
    /// load (the kernel's rounding does: see its test
    /// `units_for_grows_with_the_load`).
    fn needs_on_ladder(&self, t: usize, load: impl Fn(usize) -> f64) -> (u32, usize) {
        let left = 1.0 - self.base.headroom;
        let rungs = &self.base.rungs[t];
        let ladder = if self.tiers[t].vertical { rungs.len() } else { 1 };
        let needs = |rung: usize| {
            let on = rungs[rung].iter().enumerate();
            on.map(|(d, &capacity)| units_for(load(d), capacity * left, 0.0)).max().unwrap_or(0)
        };
        let rung = (0..ladder - 1).find(|&r| needs(r) <= 1).unwrap_or(ladder - 1);
        (needs(rung), rung)
    }

    /// Per row of the chunk (`rows` of `count` draws), into `settled`: the
    /// units its load needs and its rung where every draw of the row needs
    /// the same, else `None`; all `None` for a tier a draw changes. The
    /// sizing grows with each load ([`Model::needs_on_ladder`]), so a row
    /// whose least loads and greatest loads (dimension by dimension) need
    /// the same needs it throughout: a tier that holds every draw on one
    /// unit, say, or a month before the growth a draw moves.
    #[allow(clippy::too_many_arguments)]
    fn settle_rows(
        &self,
        t: usize,
        count: usize,
        rows: usize,
        dimension_loads: &[f64],
        bounds: &mut Vec<f64>,
        settled: &mut Vec<Option<(u32, usize)>>,
    ) {
        settled.clear();
        bounds.clear();
        if self.tiers[t].drawn {
            settled.resize(rows, None);
            return;
        }
        let (n, dimensions) = (count * rows, self.tiers[t].dimensions.len());
        for row in 0..rows {
            for d in 0..dimensions {
                let (least, most) = bounds_of(&dimension_loads[d * n + row * count..][..count]);
                bounds.extend([least, most]);
            }
            let row_bounds = &bounds[2 * row * dimensions..];
            let least = self.needs_on_ladder(t, |d| row_bounds[2 * d]);
            let most = self.needs_on_ladder(t, |d| row_bounds[2 * d + 1]);
            settled.push((least == most).then_some(least));
        }
    }

    /// Each dimension's load of tier `t` on every row of the chunk (`n`
    /// rows), summed in the planner's order (plugin loads from `columns`,
    /// then fan-in from the `upstream` tiers' units), into
    /// `dimension_loads`, dimension by dimension: dimension `d` of row `i`
    /// at `d x n + i`.
    #[allow(clippy::too_many_arguments)]
    fn dimension_loads(
        &self,
        t: usize,
        n: usize,
        columns: &[f64],
        upstream: &[Vec<u32>],
        dimension_loads: &mut Vec<f64>,
        from_drivers: &mut Vec<f64>,
        fan_in: &mut Vec<f64>,
    ) {
        let tier = &self.tiers[t];
        let column = |l: usize| &columns[l * n..(l + 1) * n];
        let zero = EMPTY_SUM;
        dimension_loads.resize(n * tier.dimensions.len(), 0.0);
        // A pass per load and per upstream tier, each a plain loop. The
        // planner's sums start from `-0.0`, and `-0.0 + x` is `x` to the bit
        // (`+0.0` included): so each sum starts from its first term, and a
        // dimension without plugin loads (or without fan-in) is the other
        // sum alone. Where it has both, the two are summed in two buffers
        // borrowed from the sizing's later steps (free until then).
        let add_loads = |sums: &mut [f64], loads: &[usize]| {
            sums.copy_from_slice(column(loads[0]));
            for &l in &loads[1..] {
                for (sum, &load) in sums.iter_mut().zip(column(l)) {
                    *sum += load;
                }
            }
        };
        let add_fan_in = |sums: &mut [f64], fan_in: &[(Option<usize>, f64)]| {
            for (k, &(source, per_unit)) in fan_in.iter().enumerate() {
                match (source, k) {
                    (Some(s), 0) => {
                        for (sum, &units) in sums.iter_mut().zip(&upstream[s]) {
                            *sum = f64::from(units) * per_unit;
                        }
                    }
                    (Some(s), _) => {
                        for (sum, &units) in sums.iter_mut().zip(&upstream[s]) {
                            *sum += f64::from(units) * per_unit;
                        }
                    }
                    (None, 0) => sums.fill(0.0 * per_unit),
                    (None, _) => {
                        for sum in sums.iter_mut() {
                            *sum += 0.0 * per_unit;
                        }
                    }
                }
            }
        };
        for (d, dimension) in tier.dimensions.iter().enumerate() {
            let sums = &mut dimension_loads[d * n..(d + 1) * n];
            match (dimension.loads.is_empty(), dimension.fan_in.is_empty()) {
                (true, true) => sums.fill(zero + zero),
                (false, true) => add_loads(sums, &dimension.loads),
                (true, false) => add_fan_in(sums, &dimension.fan_in),
                (false, false) => {
                    from_drivers.resize(n, 0.0);
                    fan_in.resize(n, 0.0);
                    add_loads(from_drivers, &dimension.loads);
                    add_fan_in(fan_in, &dimension.fan_in);
                    for ((load, &a), &b) in sums.iter_mut().zip(&**from_drivers).zip(&**fan_in) {
                        *load = a + b;
                    }
                }
            }
        }
    }

    /// Raises the units of the rows of tier `t` whose latency target their
    /// units miss (`n` rows, `count` draws a row of the chunk; `needed` the
    /// units their loads need, `units_out` the units so far), as the
    /// planner does: each row's arrival rate (its loads from `columns`,
    /// summed into `rates` where there are several), checked first against
    /// the safe rates known by units (`known_by_units`), then, where that
    /// does not settle it, by Erlang C.
    #[allow(clippy::too_many_arguments)]
    fn meet_latency(
        &self,
        t: usize,
        latency: &Latency,
        count: usize,
        n: usize,
        columns: &[f64],
        needed: &[u32],
        units_out: &mut [u32],
        rates: &mut Vec<f64>,
        known_by_units: &mut Vec<f64>,
    ) {
        let column = |l: usize| &columns[l * n..(l + 1) * n];
        // Each row's arrival rate: its loads summed in the planner's
        // order, a pass per load (one load is its own sum: `-0.0 + x` is
        // `x` to the bit), then per second, as each row is checked.
        let sums = match latency.arrivals[..] {
            [l] => column(l),
            _ => {
                rates.clear();
                rates.resize(n, EMPTY_SUM);
                for &l in &latency.arrivals {
                    for (rate, &load) in rates.iter_mut().zip(column(l)) {
                        *rate += load;
                    }
                }
                &rates[..]
            }
        };
        let per_second = latency.per_second;
        // The safe rates are shared by the workers (each server count is
        // bisected once a run), behind a lock held only to copy the ones
        // at hand, and to work out one a row needs.
        let safe_rates = || self.safe_rates[t].lock().unwrap_or_else(PoisonError::into_inner);
        // The latency target can only raise the units when `needed`
        // units miss it (the policy is monotone), so a rate known to
        // meet it on those servers settles it without Erlang C. First
        // every row against the cache, by the units it needs (`NaN`, not
        // known yet, compares false), in one pass without branches; then
        // the rows it does not settle.
        let workers = latency.target.workers_per_unit;
        let most = needed.iter().copied().max().unwrap_or(0);
        // Up to the most units of a server count the cache may hold; past
        // them, `NaN`: every count beyond takes the last entry, and so goes
        // to the planner's own search.
        let top = most.min((CACHED_SERVERS - 1) / workers.max(1));
        known_by_units.clear();
        {
            let cache = safe_rates();
            known_by_units.extend((0..=top).map(|units| {
                let servers = units.saturating_mul(workers) as usize;
                cache.get(servers).copied().unwrap_or(f64::NAN)
            }));
            known_by_units.push(f64::NAN);
        }
        let last = known_by_units.len() - 1;
        let meets = |sum: f64, needed: u32| {
            (needed > 0) & (sum * per_second <= known_by_units[(needed as usize).min(last)])
        };
        // A row of the chunk at a time (a draw the target binds is one of
        // the chunk's, in a few of its rows); in each row it does not
        // settle, the draws it does not settle, by Erlang C.
        for (row, (sums, needs)) in
            sums.chunks(count.max(1)).zip(needed.chunks(count.max(1))).enumerate()
        {
            let settled = sums.iter().zip(needs).fold(true, |all, (&r, &u)| all & meets(r, u));
            if settled {
                continue;
            }
            for (j, (&sum, &need)) in sums.iter().zip(needs).enumerate() {
                if meets(sum, need) {
                    continue;
                }
                let (i, rate) = (row * count + j, sum * per_second);
                self.raise_for_latency(t, latency, i, rate, need, units_out, &mut safe_rates());
            }
        }
    }

    /// Raises row `i` of tier `t`, whose `needed` units are not known to
    /// meet its latency target at `rate`, to the units the target asks for
    /// where they do not meet it: the planner's check against the safe
    /// rate (bisected once a server count), then its search.
    #[allow(clippy::too_many_arguments)]
    fn raise_for_latency(
        &self,
        t: usize,
        latency: &Latency,
        i: usize,
        rate: f64,
        needed: u32,
        units_out: &mut [u32],
        safe_rate_cache: &mut Vec<f64>,
    ) {
        let servers = needed.saturating_mul(latency.target.workers_per_unit);
        let safe = needed > 0
            && servers < CACHED_SERVERS
            && rate <= safe_rate(safe_rate_cache, &latency.target, servers);
        if !safe {
            if let Some(latency_units) = latency_units_needed(&latency.target, rate) {
                units_out[i] = units_out[i].max(self.tiers[t].policy.apply(latency_units));
            }
        }
    }

    /// The units each row needs on rung `rung` (per row, from `rungs`, if
    /// given), the most any dimension needs, into `needed`: the quotients
    /// load / usable capacity, then the kernel's rounding, a dimension at a
    /// time.
    #[allow(clippy::too_many_arguments)]
    fn units_on_rung(
        &self,
        rung: usize,
        dimensions: usize,
        rungs: Option<&[usize]>,
        dimension_loads: &[f64],
        usable: &Usable<'_>,
        quotients: &mut [f64],
        needed: &mut [u32],
        dimension_units: &mut [u32],
    ) {
        let (n, count) = (quotients.len(), usable.count);
        for d in 0..dimensions {
            let loads = &dimension_loads[d * n..(d + 1) * n];
            let units = if d == 0 { &mut *needed } else { &mut *dimension_units };
            match (rungs, usable.varies) {
                // One capacity for every draw: one loop over the chunk.
                (None, false) => {
                    units_for_loads_on(loads, usable.of(rung * dimensions + d, 0), units)
                }
                (None, true) => {
                    // Each row of the chunk against the draws' capacities,
                    // side by side.
                    let capacities = usable.column(rung * dimensions + d);
                    for (units, loads) in
                        units.chunks_exact_mut(count).zip(loads.chunks_exact(count))
                    {
                        units_for_loads(loads, capacities, units);
                    }
                }
                (Some(rungs), _) => {
                    let rows = quotients.chunks_exact_mut(count).zip(loads.chunks_exact(count));
                    for ((quotients, loads), rungs) in rows.zip(rungs.chunks_exact(count)) {
                        let row = quotients.iter_mut().zip(loads).zip(rungs).enumerate();
                        for (j, ((quotient, &load), &rung)) in row {
                            *quotient = load / usable.of(rung * dimensions + d, j);
                        }
                    }
                    units_for_quotients(quotients, units);
                }
            }
            if d > 0 {
                for (most, &these) in needed.iter_mut().zip(dimension_units.iter()) {
                    *most = (*most).max(these);
                }
            }
        }
    }

    /// Per runway, the month each draw of the chunk first breaks it into
    /// `scratch.breaches[r]` (the horizon's length where it holds
    /// throughout), as the kernel's `first_breach` finds it: today's units,
    /// less the spares, each holding its USL worth, against each month's
    /// dimension loads. Month by month over all the draws at once; a
    /// month's division runs only where some load passes the comparison
    /// that settles it (`RunwayHolds::surely_holds`), and the months stop
    /// once every draw has broken.
    fn first_breaches(&self, r: usize, count: usize, scratch: &mut Scratch) {
        let tier = self.runways[r].tier;
        let n = count * scratch.rows;
        let never = self.months as u32;
        let Scratch {
            breaches,
            runway_holds,
            dimension_loads,
            bounds,
            by_table,
            upstream_tables,
            ..
        } = scratch;
        let first = &mut breaches[r];
        first.clear();
        first.resize(count, never);
        // A tier sized from its table: whether each row breaks it is there.
        if by_table[tier] {
            let breaks = &upstream_tables[tier].breaks;
            for month in 0..self.months {
                let breaks = &breaks[month * count..][..count];
                if !breaks.iter().fold(false, |any, &breaks| any | breaks) {
                    continue;
                }
                for (first, &breaks) in first.iter_mut().zip(breaks) {
                    *first = if (*first == never) & breaks { month as u32 } else { *first };
                }
                if first.iter().all(|&month| month < never) {
                    break;
                }
            }
            return;
        }
        // Where no draw changes the runway and the tier's rows have their
        // bounds, a month whose greatest loads it surely holds is passed
        // over without reading its loads.
        let dimensions = runway_holds[r].len();
        let bounds = &bounds[tier];
        let still =
            !self.drawn_runways.contains(&r) && bounds.len() >= 2 * dimensions * self.months;
        for month in 0..self.months {
            let most = |d: usize| bounds[2 * (month * dimensions + d) + 1];
            if still && (0..dimensions).all(|d| most(d) <= runway_holds[r][d].surely_holds[0]) {
                continue;
            }
            let mut divided = false;
            for (d, hold) in runway_holds[r].iter().enumerate() {
                let loads = &dimension_loads[tier][d * n + month * count..][..count];
                let passes = loads
                    .iter()
                    .zip(&hold.surely_holds)
                    .fold(false, |any, (&load, &surely)| any | (load > surely));
                if !passes {
                    continue;
                }
                divided = true;
                let holds = hold.held.iter().zip(&hold.ceiling).zip(&hold.surely_holds);
                for ((first, &load), ((&held, &ceiling), &surely)) in
                    first.iter_mut().zip(loads).zip(holds)
                {
                    let breaks = breaks_today(load, held, ceiling, surely);
                    *first = if (*first == never) & breaks { month as u32 } else { *first };
                }
            }
            if divided && first.iter().all(|&month| month < never) {
                break;
            }
        }
    }

    /// Per runway and dimension, what today's units hold together, draw by
    /// draw: `capacity x worth factor x effective units` in the kernel's
    /// order of operations (0 when no unit is left: then any load above 0
    /// breaks it, `load / 0` being infinite), the utilisation ceiling
    /// `(1 - headroom)(1 + 1e-9)` as the kernel takes it, and a load at or
    /// below which it surely holds without dividing. Worked out once for
    /// the chunk, then draw by draw for the runways a draw changes (by the
    /// headroom or today's capacity).
    fn runway_holds(&self, count: usize, drawn: &[f64], scratch: &mut Scratch) {
        let inputs = self.targets.len();
        for r in 0..self.runways.len() {
            let holds = &mut scratch.runway_holds[r];
            holds.resize_with(self.tiers[self.runways[r].tier].dimensions.len(), Default::default);
            for (hold, (held, ceiling, surely_holds)) in
                holds.iter_mut().zip(self.holding(r, &self.base))
            {
                for (column, value) in [
                    (&mut hold.held, held),
                    (&mut hold.ceiling, ceiling),
                    (&mut hold.surely_holds, surely_holds),
                ] {
                    column.clear();
                    column.resize(count, value);
                }
            }
        }
        // A runway a draw changes: what `holding` gives draw by draw, a
        // column at a time from the drawn inputs.
        let drawn_of = |k: usize| drawn[k..].iter().step_by(inputs).take(count);
        for &r in &self.drawn_runways {
            let runway = &self.runways[r];
            let effective = runway.units.saturating_sub(self.tiers[runway.tier].policy.redundancy);
            for (d, hold) in scratch.runway_holds[r].iter_mut().enumerate() {
                if let Some(k) = self.headroom_input {
                    for (ceiling, &headroom) in hold.ceiling.iter_mut().zip(drawn_of(k)) {
                        *ceiling = (1.0 - headroom) * (1.0 + 1e-9);
                    }
                }
                if let (Some(k), true) = (self.runway_capacity_inputs[r][d], effective > 0) {
                    for (held, &capacity) in hold.held.iter_mut().zip(drawn_of(k)) {
                        *held = capacity * runway.worth_factor * f64::from(effective);
                    }
                }
                if effective > 0 {
                    let columns = hold.held.iter().zip(&hold.ceiling);
                    for (surely, (&held, &ceiling)) in hold.surely_holds.iter_mut().zip(columns) {
                        *surely = held * ceiling * SURELY;
                    }
                }
            }
        }
    }
}

impl Model {
    /// What today's units of runway `r` hold on each dimension with
    /// `values` as they stand: (held, ceiling, surely holds) per dimension,
    /// as [`Model::runway_holds`] lays them out.
    fn holding<'a>(
        &'a self,
        r: usize,
        values: &'a Values,
    ) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
        let runway = &self.runways[r];
        let effective = runway.units.saturating_sub(self.tiers[runway.tier].policy.redundancy);
        let ceiling = (1.0 - values.headroom) * (1.0 + 1e-9);
        values.runway_capacities[r].iter().map(move |&capacity| {
            if effective > 0 {
                let held = capacity * runway.worth_factor * f64::from(effective);
                (held, ceiling, held * ceiling * SURELY)
            } else {
                (0.0, ceiling, 0.0)
            }
        })
    }
}

/// The usable capacity (capacity x (1 - headroom)) per rung and dimension
/// of the tier being sized: of each draw of the chunk, side by side
/// (`(rung x dimensions + dimension) x count + draw`), or one for all
/// draws when no draw changes it.
struct Usable<'a> {
    values: &'a [f64],
    count: usize,
    varies: bool,
}

impl Usable<'_> {
    /// Of rung and dimension `at` (`rung x dimensions + dimension`), every
    /// draw's, side by side (only where they vary).
    fn column(&self, at: usize) -> &[f64] {
        &self.values[at * self.count..(at + 1) * self.count]
    }

    /// Of rung and dimension `at`, draw `j`'s.
    #[inline]
    fn of(&self, at: usize, j: usize) -> f64 {
        if self.varies {
            self.values[at * self.count + j]
        } else {
            self.values[at]
        }
    }
}

/// What today's deployment of a tier holds on one dimension, draw by draw.
#[derive(Default)]
struct RunwayHolds {
    /// Capacity x worth factor x effective units (0 when none is left).
    held: Vec<f64>,
    /// The utilisation ceiling `(1 - headroom)(1 + 1e-9)`.
    ceiling: Vec<f64>,
    /// `held x ceiling x (1 - 1e-12)`: a load `l` at or below it has
    /// `l / held <= ceiling` whatever the rounding (the three roundings on
    /// the way move it by about 3.3e-16 of itself, far less than 1e-12), so
    /// the division, the slow part of the check, is taken only above it.
    surely_holds: Vec<f64>,
}

/// Whether `load` breaks what today's deployment holds on a dimension
/// (`held`, its utilisation `ceiling`, and the load it `surely` holds:
/// see [`RunwayHolds`]), as the kernel's `first_breach` checks it: above
/// the sure load and past the ceiling (both worked out, without a branch).
/// The runways' pass and the upstream table's entries share it.
#[inline]
fn breaks_today(load: f64, held: f64, ceiling: f64, surely: f64) -> bool {
    (load > surely) & (load / held > ceiling)
}

/// Whether one unit of `usable` capacity (capacity x (1 - headroom)) holds
/// `load`: the kernel's `units_for(load / usable) <= 1`, decided by the two
/// comparisons of [`one_unit_band`] where they can, else by the quotient.
#[inline]
fn holds_on_one(load: f64, usable: f64) -> bool {
    let (surely, surely_not) = one_unit_band(usable);
    if load <= surely {
        true
    } else if load >= surely_not {
        false
    } else {
        units_for(load, usable, 0.0) <= 1
    }
}

/// The loads one unit of `usable` capacity surely holds (at or below the
/// first) and surely does not (at or above the second), without dividing.
/// The kernel's `units_for(load / usable) <= 1` is `q <= 1` or
/// `q - 1 <= 1e-9 q` for the quotient `q`. Below `usable x (1 + 5e-10)`,
/// `q - 1` is at most 5e-10 and a few roundings (each under 1.2e-16 of
/// the value), so it holds; at or above `usable x (1 + 2e-9)`, `q - 1` is
/// nearly 2e-9, past the tolerance, so it does not. A load exactly at the
/// capacity (a fan-in of whole units often is) holds by the comparison.
/// The bounds on the roundings need a product that is a normal number:
/// for a capacity outside `[f64::MIN_POSITIVE, f64::MAX / 4]` nothing is
/// sure, and every load takes the quotient.
#[inline]
fn one_unit_band(usable: f64) -> (f64, f64) {
    if (f64::MIN_POSITIVE..=f64::MAX / 4.0).contains(&usable) {
        (usable * (1.0 + 5e-10), usable * (1.0 + 2e-9))
    } else {
        (-1.0, f64::INFINITY)
    }
}

/// What the planner's sums (`Iterator::sum`) start from: `-0.0`, so that a
/// sum of nothing but `-0.0` stays `-0.0`. Sums here start from it too, to
/// give the planner's numbers to the bit.
const EMPTY_SUM: f64 = -0.0;

/// See [`RunwayHolds::surely_holds`].
const SURELY: f64 = 1.0 - 1e-12;

/// Server counts below this have their safe rates kept (8 bytes each, and
/// the cache grows to the largest count asked); a row that needs more
/// servers skips the shortcut and runs the planner's own search, which gives
/// the same units. Without the bound, a tier sized to billions of units
/// (a capacity drawn near zero) asked for a cache of tens of gigabytes.
const CACHED_SERVERS: u32 = 1 << 16;

/// The largest arrival rate that `servers` servers serve within `target`
/// (the planner's own bisection), cached per server count (`servers` below
/// [`CACHED_SERVERS`]); `-1` when even a vanishing rate misses it.
fn safe_rate(cache: &mut Vec<f64>, target: &LatencyTarget, servers: u32) -> f64 {
    let s = servers as usize;
    if s >= cache.len() {
        cache.resize(s + 1, f64::NAN);
    }
    if cache[s].is_nan() {
        cache[s] = largest_rate_within(target, servers).unwrap_or(-1.0);
    }
    cache[s]
}

#[cfg(test)]
mod tests {
    use super::{holds_on_one, one_unit_band, EMPTY_SUM, SURELY};

    #[test]
    fn sums_start_where_the_planners_do() {
        let planner: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(EMPTY_SUM.to_bits(), planner.to_bits());
    }
    use headroom_kernel::units_for;
    use proptest::prelude::*;

    proptest! {
        /// A load at or under `held x ceiling x SURELY` never breaks the
        /// ceiling by the division the runway check skips for it.
        #[test]
        fn surely_holds_hides_no_breach(
            held in prop_oneof![1e-3f64..1e9, (1u32..100_000).prop_map(f64::from)],
            headroom in prop_oneof![0.0f64..0.99, Just(0.2), Just(0.0)],
            ratio in prop_oneof![
                0.0f64..2.0,
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-16),
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-13),
            ],
        ) {
            let ceiling = (1.0 - headroom) * (1.0 + 1e-9);
            let surely_holds = held * ceiling * SURELY;
            let load = surely_holds * ratio;
            if load <= surely_holds {
                prop_assert!(load / held <= ceiling, "{} / {} > {}", load, held, ceiling);
            }
        }

        /// The comparisons say what the quotient says, on both sides of
        /// one unit and in the band where the quotient is taken.
        #[test]
        fn holds_on_one_is_the_kernels_rounding(
            usable in prop_oneof![
                1e-3f64..1e7,
                (1u32..10_000).prop_map(f64::from),
                Just(640.0),
                1e-310f64..1e-300,
                Just(f64::MIN_POSITIVE),
                1e300f64..f64::MAX,
            ],
            ratio in prop_oneof![
                0.0f64..3.0,
                Just(1.0),
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-16),
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-12),
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-9),
                (-2000i32..2000).prop_map(|k| 1.0 + 5e-10 + f64::from(k) * 1e-16),
                (-2000i32..2000).prop_map(|k| 1.0 + 1e-9 + f64::from(k) * 1e-16),
                (-2000i32..2000).prop_map(|k| 1.0 + 2e-9 + f64::from(k) * 1e-16),
            ],
            ulps in -3i64..3,
        ) {
            // The load `ratio x usable`, give or take a few units in the
            // last place, so that loads right at each bound are tried.
            let load = f64::from_bits(((usable * ratio).to_bits() as i64 + ulps).max(0) as u64);
            prop_assert_eq!(holds_on_one(load, usable), units_for(load, usable, 0.0) <= 1);
            // And the comparisons alone never disagree with the quotient.
            let (surely, surely_not) = one_unit_band(usable);
            if load <= surely {
                prop_assert!(units_for(load, usable, 0.0) <= 1);
            }
            if load >= surely_not {
                prop_assert!(units_for(load, usable, 0.0) > 1);
            }
        }

    }
}
