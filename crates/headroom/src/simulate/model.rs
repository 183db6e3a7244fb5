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

use headroom_kernel::{monthly_cost, GrowthCurve, GrowthPoint, HeadroomPolicy};
use headroom_plugin_api::host::LoadedProfile;

use super::tally::{Counts, Tally};
use super::{Rule, Setter};
use crate::config::{LatencyTarget, ProfileConfig, Scaling};
use crate::plan::{capacity_worth, curve_of};
use crate::Error;
use triggers::TriggerModel;
use upstream::UpstreamTable;

mod lanes;
mod rows;
mod runway;
mod sizing;
mod triggers;
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
    /// The latency targets it checks draw by draw, in key order (the tier
    /// takes the most units any of them and its headroom need); those
    /// [`checked_targets`] passes over cannot raise it.
    latency: Vec<Latency>,
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
        let plain = !self.drawn && self.usl.is_none() && self.latency.is_empty();
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
    /// Its cache of safe rates in [`Model::safe_rates`].
    cache: usize,
    arrivals: Vec<usize>,
    per_second: f64,
    target: LatencyTarget,
}

/// Which of a tier's latency targets the compiled model checks draw by
/// draw, in key order: not one no unit count meets (the planner finds no
/// units for it at any rate, so it never raises the tier), nor one that
/// another reachable target of the same queue (arrivals, their scale,
/// service time, workers, quantile) bounds more strictly, or as strictly
/// and earlier: units that meet the stricter bound meet the looser, so the
/// most the group needs is what its strictest needs (hostel's listing,
/// 200 ms, stands for its submission, 300 ms, and photo upload, 2 s).
fn checked_targets(targets: &std::collections::BTreeMap<String, LatencyTarget>) -> Vec<bool> {
    let reachable: Vec<(&LatencyTarget, bool)> =
        targets.values().map(|t| (t, crate::plan::latency_target_reachable(t))).collect();
    let same_queue = |a: &LatencyTarget, b: &LatencyTarget| {
        a.arrivals == b.arrivals
            && a.arrivals_per_second_per_unit_of_load == b.arrivals_per_second_per_unit_of_load
            && a.service_time == b.service_time
            && a.workers_per_unit == b.workers_per_unit
            && a.quantile == b.quantile
    };
    reachable
        .iter()
        .enumerate()
        .map(|(i, &(target, ok))| {
            ok && !reachable.iter().enumerate().any(|(j, &(other, other_ok))| {
                other_ok
                    && j != i
                    && same_queue(target, other)
                    && (other.seconds < target.seconds
                        || (other.seconds == target.seconds && j < i))
            })
        })
        .collect()
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
    /// Per latency target (of every tier, in order: [`Latency::cache`]):
    /// the bisection's last bracket of the largest arrival rate that meets
    /// it on `s` servers, by `s` (`NaN`: not worked out yet), for all
    /// workers.
    safe_rates: Vec<std::sync::Mutex<Vec<(f64, f64)>>>,
    /// The triggers a Monte Carlo tallies ([`super::watched_triggers`]), in
    /// order.
    triggers: Vec<TriggerModel>,
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
    /// Per rung but the last, each draw's [`sizing::one_unit_band`]: the loads
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
    /// Per trigger: the month each draw first fires it; and one trigger's
    /// today's capacity, dimension by dimension, each draw side by side.
    fired: Vec<Vec<u32>>,
    today: Vec<f64>,
    /// One trigger's pressure on each draw of one month.
    pressures: Vec<f64>,
}

impl Model {
    /// Per planned milestone: its month, where its row may be a month's
    /// (see [`Tally::settle`]).
    pub(super) fn milestone_months(&self) -> &[Option<usize>] {
        &self.milestone_months
    }

    /// Compiles `config`'s plan (over `horizon` months) with `setters` as
    /// the drawn inputs, reading the triggers `watched` (their indices, as
    /// [`super::watched_triggers`] gives them); `None` when some input or
    /// trigger lands where the model does not reach.
    pub(super) fn new(
        profile: &LoadedProfile,
        config: &ProfileConfig,
        horizon: u32,
        keys: &[String],
        setters: &[Setter],
        watched: &[usize],
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
        let mut latency_caches = 0;
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
                latency: tier
                    .latency_targets
                    .values()
                    .zip(checked_targets(&tier.latency_targets))
                    .filter(|&(_, checked)| checked)
                    .map(|(target, _)| {
                        latency_caches += 1;
                        Latency {
                            cache: latency_caches - 1,
                            arrivals: loads
                                .iter()
                                .enumerate()
                                .filter(|(_, (t, d))| t == key && d == &target.arrivals)
                                .map(|(i, _)| i)
                                .collect(),
                            per_second: target.arrivals_per_second_per_unit_of_load,
                            target: target.clone(),
                        }
                    })
                    .collect(),
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
        // The triggers read on today's deployment, each on its tier's runway.
        let mut triggers = Vec::new();
        for &index in watched {
            let key = &config.triggers[index].tier;
            let Some(t) = tier_index(key) else { return Ok(None) };
            let Some(runway) = runways.iter().position(|r| r.tier == t) else { return Ok(None) };
            let tier = &config.tiers[key];
            let dimensions: Vec<&String> =
                tier.instances[&tier.ladder[0]].capacity.keys().collect();
            let at = (t, runway, runways[runway].units);
            match TriggerModel::new(config, index, at, &dimensions, &loads) {
                Some(trigger) => triggers.push(trigger),
                None => return Ok(None),
            }
        }
        for (t, tier) in tiers.iter_mut().enumerate() {
            // A tier a trigger reads the loads of works them out.
            let read = triggers.iter().any(|k| k.loads_read() == Some(t));
            tier.by_upstream = if read { None } else { tier.upstream_sources() };
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
            safe_rates: (0..latency_caches).map(|_| std::sync::Mutex::new(Vec::new())).collect(),
            triggers,
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
            fired: Vec::new(),
            today: Vec::new(),
            pressures: Vec::new(),
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
            self.planners_rows(scratch).into_iter().map(|(row, _)| row).collect();
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
            let at_once = self.tiers[t].latency.is_empty();
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
        if !self.triggers.is_empty() {
            self.fire_triggers(count, drawn, scratch);
            let broken: Vec<&[u32]> =
                self.triggers.iter().map(|t| &scratch.breaches[t.runway()][..]).collect();
            tally.trigger_columns(&scratch.fired, &broken);
        }
        Ok(())
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

/// What the planner's sums (`Iterator::sum`) start from: `-0.0`, so that a
/// sum of nothing but `-0.0` stays `-0.0`. Sums here start from it too, to
/// give the planner's numbers to the bit.
const EMPTY_SUM: f64 = -0.0;

/// See [`RunwayHolds::surely_holds`].
const SURELY: f64 = 1.0 - 1e-12;

#[cfg(test)]
mod tests {
    use super::{EMPTY_SUM, SURELY};

    #[test]
    fn sums_start_where_the_planners_do() {
        let planner: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(EMPTY_SUM.to_bits(), planner.to_bits());
    }
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
    }
}
