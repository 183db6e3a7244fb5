//! The planner: a profile and its configuration in, a [`Plan`] out.
//!
//! How a plan is computed, for every milestone (and, when the profile has a
//! growth curve, for every month of the horizon):
//! 1. the drivers (users, leads/day) come from the milestone, or from the
//!    growth curve through the milestones;
//! 2. the plugin's demand mapping turns all driver rows into loads in one
//!    batch call;
//! 3. tiers are sized in `tier_order`: a tier's load on each dimension is the
//!    plugin's load plus its fan-in (e.g. connections = upstream replicas x
//!    pool size), then the kernel sizes it under the headroom policy,
//!    horizontally or up its ladder, and prices it;
//! 4. the runway walks the months with today's deployment; triggers are
//!    checked against the plan.

use std::collections::BTreeMap;

use headroom_kernel::{
    first_breach, monthly_cost, size_horizontal, size_on_ladder, GrowthCurve, GrowthPoint,
    HeadroomPolicy, Rung,
};
use headroom_plugin_api::host::LoadedProfile;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{LayeredConfig, ProfileConfig, Scaling, Tier, TriggerKind};
use crate::Error;

/// Which profile a document is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProfileRef {
    /// Profile id.
    pub id: String,
    /// Profile version.
    pub version: String,
    /// The source document.
    pub source: String,
}

impl ProfileRef {
    /// The reference of a loaded profile.
    pub fn of(profile: &LoadedProfile) -> ProfileRef {
        ProfileRef {
            id: profile.id().into(),
            version: profile.version().into(),
            source: profile.source().into(),
        }
    }
}

/// A computed capacity plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The profile.
    pub profile: ProfileRef,
    /// Headroom kept on every tier.
    pub headroom: f64,
    /// Months the runway looks ahead.
    pub horizon_months: u32,
    /// The growth curve between milestones, if the profile has dated milestones.
    pub growth_curve: Option<String>,
    /// Drivers and their units.
    pub drivers: Vec<DriverRef>,
    /// The plan at each milestone.
    pub milestones: Vec<MilestonePlan>,
    /// Month by month, when the profile has a growth curve.
    pub monthly: Vec<MonthPlan>,
    /// How long today's deployment lasts, per tier.
    pub runway: Vec<RunwayEntry>,
    /// The document's triggers against the plan.
    pub triggers: Vec<TriggerFinding>,
    /// The document's recommendations.
    pub advice: Vec<AdviceEntry>,
    /// Values the document does not state, with the reason for each default.
    pub assumptions: BTreeMap<String, String>,
    /// Capacities fitted from load tests (`headroom calibrate`), by tier.
    pub calibrations: BTreeMap<String, crate::calibrate::Calibration>,
    /// What to commit to for the `[commitment]` term, when the profile
    /// prices one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentPlan>,
}

/// The units to commit to for a term at a discount, tier by tier, and what
/// that saves against paying for every unit on demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentPlan {
    /// Months in the term, from today (month 0).
    pub term_months: u32,
    /// Share off on demand, unless a tier has its own.
    pub discount: f64,
    /// Each tier and instance the term's months run, with its commitment.
    pub tiers: Vec<TierCommitment>,
    /// The term's cost with every unit on demand.
    pub on_demand_cost: f64,
    /// The term's cost with the commitments.
    pub cost: f64,
    /// Month by month over the term, every tier together (expected over
    /// the draws, in a simulation).
    pub months: Vec<CommitmentMonth>,
    /// Why nothing was worked out: a term past the months worked out, or
    /// (in a simulation) a price drawn.
    pub note: Option<String>,
}

impl CommitmentPlan {
    /// The terms of `[commitment]` with nothing worked out, and why.
    pub(crate) fn not_worked_out(terms: &crate::config::CommitmentTerms, why: String) -> Self {
        CommitmentPlan {
            term_months: terms.term_months,
            discount: terms.discount,
            tiers: Vec::new(),
            on_demand_cost: 0.0,
            cost: 0.0,
            months: Vec::new(),
            note: Some(why),
        }
    }
}

/// One month of a commitment's term, every tier together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentMonth {
    /// Month, from today.
    pub month: u32,
    /// What the committed units cost this month, used or not (the same
    /// every month).
    pub committed_cost: f64,
    /// What the units above them cost on demand this month.
    pub on_demand_cost: f64,
    /// What the month's units would cost, every one on demand.
    pub all_on_demand_cost: f64,
}

/// The commitment of one tier to one of its instances, or to its whole
/// ladder counted in size units (every rung with `size_units`: a commitment
/// that applies to any size of the family, as AWS's size-flexible reserved
/// instances do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TierCommitment {
    /// Tier key.
    pub tier: String,
    /// Instance key (every rung's, joined by " / ", for a size-flexible
    /// commitment).
    pub instance_key: String,
    /// Instance (display name).
    pub instance: String,
    /// Share off on demand (0: the tier stays on demand).
    pub discount: f64,
    /// One unit's cost a month on demand (its hourly price x 730 h; a size
    /// unit's of the ladder's first rung, for a size-flexible commitment).
    pub unit_monthly_cost: f64,
    /// The units each month of the term needs (on average over the draws,
    /// in a simulation; in size units, for a size-flexible commitment).
    pub months_units: Vec<f64>,
    /// Units to commit to for the whole term.
    pub units: u32,
    /// The share of the term the last committed unit is needed.
    pub last_unit_use: Option<f64>,
    /// The share of the term the first unit left on demand is needed.
    pub next_unit_use: f64,
    /// The term's cost of this instance with every unit on demand.
    pub on_demand_cost: f64,
    /// What the committed units cost over the term: units x months x unit
    /// cost x (1 - discount).
    pub committed_cost: f64,
    /// Unit-months above the committed units over the term, paid on demand
    /// (expected over the draws, in a simulation).
    pub above_unit_months: f64,
    /// The term's cost of this instance with the commitment: the committed
    /// cost plus the unit-months above it on demand.
    pub cost: f64,
}

/// What one tier runs month by month: each month, each rung of its ladder
/// and count of units it may run, with its probability (one, with
/// probability 1, in a plan).
pub(crate) type TierRuns = Vec<Vec<(usize, u32, f64)>>;

/// What a commitment covers of a tier: one instance of its ladder, or,
/// when every rung has `size_units`, the whole ladder counted in them.
enum Covered {
    Rung(usize),
    Family(Vec<u32>),
}

impl Covered {
    /// The units of it a rung's `units` are.
    fn units(&self, rung: usize, units: u32) -> Option<u32> {
        match self {
            Covered::Rung(r) => Some(if *r == rung { units } else { 0 }),
            Covered::Family(sizes) => Some(units.saturating_mul(*sizes.get(rung)?)),
        }
    }

    /// Its instance key, its name, and what one committed unit of it costs
    /// a month on demand (a size unit of the ladder's first rung, for a
    /// family).
    fn named(&self, tier: &Tier) -> (String, String, f64) {
        use headroom_kernel::cost::HOURS_PER_MONTH;
        match self {
            Covered::Rung(r) => {
                let instance = &tier.instances[&tier.ladder[*r]];
                (
                    tier.ladder[*r].clone(),
                    instance.name.clone(),
                    instance.hourly_price * HOURS_PER_MONTH,
                )
            }
            Covered::Family(sizes) => {
                let first = &tier.instances[&tier.ladder[0]];
                let last = &tier.instances[&tier.ladder[tier.ladder.len() - 1]];
                (
                    tier.ladder.join(" / "),
                    format!("{} to {}, size-flexible (in size units)", first.name, last.name),
                    first.hourly_price / f64::from(sizes[0]) * HOURS_PER_MONTH,
                )
            }
        }
    }

    /// What one unit of it on rung `rung` costs a month on demand: the
    /// rung's instance's price, over its size units in a family.
    fn unit_month_on(&self, tier: &Tier, rung: usize) -> f64 {
        let price = tier.instances[&tier.ladder[rung]].hourly_price
            * headroom_kernel::cost::HOURS_PER_MONTH;
        match self {
            Covered::Rung(_) => price,
            Covered::Family(sizes) => price / f64::from(sizes[rung]),
        }
    }
}

/// One month of a covered instance beside its commitment: what the
/// committed units cost, the units above them, their cost on demand, and
/// the cost of every unit on demand (expected over the draws, in a
/// simulation).
struct CoveredMonth {
    committed_cost: f64,
    above_units: f64,
    above_cost: f64,
    all_on_demand_cost: f64,
}

/// The `[commitment]` terms worked out on `months` months (a plan's, or a
/// Monte Carlo's draws): for each tier (what it `runs`: rung and units, a
/// month at a time) and each instance its first `term_months` months run,
/// or its whole ladder in size units when every rung has them, the units
/// to commit to (see [`commit_to`]). A term longer than the months worked
/// out is said, not guessed at (`command` is what to run again, with
/// `--months`).
pub(crate) fn commitments(
    config: &ProfileConfig,
    months: usize,
    command: &str,
    runs: impl Fn(&str) -> TierRuns,
) -> Result<Option<CommitmentPlan>, String> {
    let Some(terms) = &config.commitment else { return Ok(None) };
    let term = terms.term_months as usize;
    if months < term {
        return Ok(Some(CommitmentPlan::not_worked_out(
            terms,
            format!(
                "the {}-month term runs past the {months} months worked out; {command} with --months {} or more",
                terms.term_months,
                term - 1
            ),
        )));
    }
    let mut tiers = Vec::new();
    let mut by_month: Vec<CommitmentMonth> = (0..terms.term_months)
        .map(|month| CommitmentMonth {
            month,
            committed_cost: 0.0,
            on_demand_cost: 0.0,
            all_on_demand_cost: 0.0,
        })
        .collect();
    for key in &config.tier_order {
        let tier = &config.tiers[key];
        let discount = terms.tiers.get(key).copied().unwrap_or(terms.discount);
        let runs = runs(key);
        let sizes: Option<Vec<u32>> =
            tier.ladder.iter().map(|i| tier.instances[i].size_units).collect();
        let covered = match sizes {
            Some(sizes) => vec![Covered::Family(sizes)],
            None => (0..tier.ladder.len()).map(Covered::Rung).collect(),
        };
        for cover in covered {
            let Some((commitment, months)) = commit_to(key, tier, &cover, &runs[..term], discount)?
            else {
                continue;
            };
            for (month, covered) in by_month.iter_mut().zip(&months) {
                month.committed_cost += covered.committed_cost;
                month.on_demand_cost += covered.above_cost;
                month.all_on_demand_cost += covered.all_on_demand_cost;
            }
            tiers.push(commitment);
        }
    }
    Ok(Some(CommitmentPlan {
        term_months: terms.term_months,
        discount: terms.discount,
        on_demand_cost: tiers.iter().map(|t| t.on_demand_cost).sum(),
        cost: tiers.iter().map(|t| t.cost).sum(),
        tiers,
        months: by_month,
        note: None,
    }))
}

/// The commitment of tier `key` to what `cover` covers of it, over the
/// term's months of what it `runs` at `discount` off (0: on demand), with
/// each month beside it; `None` when it runs none of it within the term.
/// The units to commit to are the kernel's [`commitment_under_uncertainty`]
/// (the break-even rule, on average over the draws); the units above them
/// are priced on demand at their own rung's hourly price (a size unit's
/// share of it) and [`HOURS_PER_MONTH`], the committed units at the
/// instance's, or the ladder's first rung's a size unit.
///
/// [`commitment_under_uncertainty`]: headroom_kernel::cost::commitment_under_uncertainty
/// [`HOURS_PER_MONTH`]: headroom_kernel::cost::HOURS_PER_MONTH
fn commit_to(
    key: &str,
    tier: &Tier,
    cover: &Covered,
    runs: &[Vec<(usize, u32, f64)>],
    discount: f64,
) -> Result<Option<(TierCommitment, Vec<CoveredMonth>)>, String> {
    use headroom_kernel::cost::commitment_under_uncertainty;
    let term = runs.len();
    let need: Vec<Vec<(u32, f64)>> = runs
        .iter()
        .map(|month| {
            month
                .iter()
                .filter_map(|(rung, units, p)| Some((cover.units(*rung, *units)?, *p)))
                .collect()
        })
        .collect();
    // An instance first run past the term has nothing to commit.
    if need.iter().flatten().all(|(units, p)| *units == 0 || *p == 0.0) {
        return Ok(None);
    }
    let (instance_key, instance, unit_month) = cover.named(tier);
    let (committed, last_unit_use, next_unit_use) = if discount == 0.0 {
        let needed = need.iter().flatten().filter(|(v, _)| *v > 0).map(|(_, p)| p);
        (0, None, needed.fold(0.0, |sum, p| sum + p) / term as f64)
    } else {
        let c = commitment_under_uncertainty(&need, discount)
            .map_err(|e| format!("the commitment of tier `{key}`: {e}"))?;
        (c.units, c.last_unit_use, c.next_unit_use)
    };
    let committed_month = f64::from(committed) * unit_month * (1.0 - discount);
    // Each month, each rung at its own price.
    let months: Vec<CoveredMonth> = runs
        .iter()
        .map(|month| {
            let start = CoveredMonth {
                committed_cost: committed_month,
                above_units: 0.0,
                above_cost: 0.0,
                all_on_demand_cost: 0.0,
            };
            month.iter().fold(start, |sum, (rung, u, p)| {
                let Some(covered) = cover.units(*rung, *u) else { return sum };
                let over = f64::from(covered.saturating_sub(committed));
                let price = cover.unit_month_on(tier, *rung);
                CoveredMonth {
                    committed_cost: committed_month,
                    above_units: sum.above_units + p * over,
                    above_cost: sum.above_cost + p * over * price,
                    all_on_demand_cost: sum.all_on_demand_cost + p * f64::from(covered) * price,
                }
            })
        })
        .collect();
    let committed_cost = committed_month * term as f64;
    let above_cost: f64 = months.iter().map(|m| m.above_cost).sum();
    let commitment = TierCommitment {
        tier: key.to_string(),
        instance,
        instance_key,
        months_units: need
            .iter()
            .map(|odds| odds.iter().fold(0.0, |sum, (v, p)| sum + p * f64::from(*v)))
            .collect(),
        discount,
        unit_monthly_cost: unit_month,
        units: committed,
        last_unit_use,
        next_unit_use,
        on_demand_cost: months.iter().map(|m| m.all_on_demand_cost).sum(),
        committed_cost,
        above_unit_months: months.iter().map(|m| m.above_units).sum(),
        cost: committed_cost + above_cost,
    };
    Ok(Some((commitment, months)))
}

/// What `tier` runs month by month in a plan: its planned rung and units.
fn planned_runs(config: &ProfileConfig, monthly: &[MonthPlan], tier: &str) -> TierRuns {
    let ladder = &config.tiers[tier].ladder;
    monthly
        .iter()
        .map(|month| {
            month
                .tiers
                .iter()
                .filter(|t| t.tier == tier)
                .filter_map(|t| {
                    Some((ladder.iter().position(|k| *k == t.instance_key)?, t.units, 1.0))
                })
                .collect()
        })
        .collect()
}

/// A driver and its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DriverRef {
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
}

/// The plan at one milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MilestonePlan {
    /// Key in the configuration.
    pub key: String,
    /// Name as the document gives it.
    pub name: String,
    /// Months from today, when the milestone is a date.
    pub month: Option<u32>,
    /// Driver values.
    pub drivers: BTreeMap<String, f64>,
    /// Every tier, in sizing order.
    pub tiers: Vec<TierPlan>,
    /// Cost of all tiers a month.
    pub monthly_cost: f64,
}

/// One tier at one milestone, with the arithmetic behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TierPlan {
    /// Tier key.
    pub tier: String,
    /// Display name.
    pub name: String,
    /// What a unit is.
    pub unit: String,
    /// Units to run.
    pub units: u32,
    /// Instance type (display name).
    pub instance: String,
    /// Instance key in the configuration.
    pub instance_key: String,
    /// The dimension that needs the most units.
    pub bottleneck: String,
    /// Utilisation of the bottleneck with all units running.
    pub utilisation: f64,
    /// Cost a month.
    pub monthly_cost: f64,
    /// Price of one unit an hour.
    pub hourly_price: f64,
    /// True when even the largest instance cannot hold the load alone.
    pub beyond_ladder: bool,
    /// Units the load alone needs.
    pub needed_by_load: u32,
    /// Policy: minimum units.
    pub min_units: u32,
    /// Policy: N+k spare units.
    pub redundancy: u32,
    /// Policy: zones units are a multiple of.
    pub zones: u32,
    /// Every dimension's load against capacity.
    pub dimensions: Vec<DimensionPlan>,
    /// For a vertical tier, each instance tried, small to large.
    pub ladder_steps: Vec<LadderStep>,
    /// Loads the plugin computes on this tier that no capacity limits.
    pub metrics: BTreeMap<String, f64>,
    /// `headroom` when the headroom rule set the units, `latency` when one
    /// of the tier's response-time targets needed more.
    pub sized_by: String,
    /// The tier's latency targets at this milestone, in key order.
    pub latency_targets: Vec<LatencyPlan>,
    /// The USL across units, if the tier has coefficients.
    pub scalability: Option<ScalabilityPlan>,
}

/// A tier sized with the USL across its units instead of linearly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScalabilityPlan {
    /// Contention σ.
    pub sigma: f64,
    /// Coherency κ.
    pub kappa: f64,
    /// Where the coefficients came from.
    pub source: String,
    /// Units the linear rule would give.
    pub linear_units: u32,
    /// Units of peak capacity `N*`, when κ > 0.
    pub peak_units: Option<u32>,
    /// True when even `N*` units cannot hold the load within headroom.
    pub beyond_peak: bool,
    /// Capacity of the planned units, in units' worth of one.
    pub effective_units: f64,
    /// What it means.
    pub note: String,
}

/// A tier's response-time target against the plan (M/M/c, Erlang C).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencyPlan {
    /// Its key under the tier's `latency_targets`.
    pub key: String,
    /// The target, in the document's words.
    pub name: String,
    /// Quantile, e.g. 0.95.
    pub quantile: f64,
    /// Bound, seconds.
    pub seconds: f64,
    /// Arrivals a second.
    pub arrival_rate: f64,
    /// Mean service time, seconds.
    pub service_time: f64,
    /// Workers a unit.
    pub workers_per_unit: u32,
    /// Units the target alone needs; null when no count meets it.
    pub units_needed: Option<u32>,
    /// That quantile of the response time with the planned units; null
    /// when they cannot keep up (utilisation of 100% or more).
    pub quantile_at_plan: Option<f64>,
    /// The highest utilisation at which the planned units still meet the
    /// target: the ceiling the target allows, against the headroom's `1 - h`.
    pub utilisation_ceiling: Option<f64>,
    /// What the finding means.
    pub note: String,
}

/// One dimension of a tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DimensionPlan {
    /// Dimension name.
    pub dimension: String,
    /// Total load.
    pub load: f64,
    /// Part of the load the plugin's demand mapping computed.
    pub from_drivers: f64,
    /// Parts of the load from other tiers' units.
    pub fan_in: Vec<FanIn>,
    /// Capacity of one unit.
    pub capacity_per_unit: f64,
    /// Capacity of one unit within headroom: capacity x (1 - headroom).
    pub usable_per_unit: f64,
    /// ceil(load / usable_per_unit).
    pub units_needed: u32,
    /// load / (units x capacity).
    pub utilisation: f64,
}

/// Load on a dimension that comes from another tier's units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FanIn {
    /// Upstream tier.
    pub tier: String,
    /// Its units.
    pub units: u32,
    /// Load each of its units brings.
    pub per_unit: f64,
}

/// One instance tried on a vertical ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LadderStep {
    /// Instance (display name).
    pub instance: String,
    /// Instances of it the load needs.
    pub units_needed: u32,
}

/// The plan at one month of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MonthPlan {
    /// Months from today.
    pub month: u32,
    /// Driver values from the growth curve.
    pub drivers: BTreeMap<String, f64>,
    /// Tier summaries.
    pub tiers: Vec<TierSummary>,
    /// Cost of all tiers a month.
    pub monthly_cost: f64,
}

/// A tier in one month, in short.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TierSummary {
    /// Tier key.
    pub tier: String,
    /// Units.
    pub units: u32,
    /// Instance (display name).
    pub instance: String,
    /// Instance key in the configuration.
    pub instance_key: String,
    /// Monthly cost.
    pub monthly_cost: f64,
    /// Bottleneck utilisation.
    pub utilisation: f64,
    /// Utilisation today's deployment would run at, if the tier has one.
    pub current_utilisation: Option<f64>,
}

/// How long today's deployment of one tier lasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunwayEntry {
    /// Tier key.
    pub tier: String,
    /// First month the headroom is broken; null when beyond the horizon.
    pub month: Option<u32>,
    /// Units running today.
    pub current_units: u32,
    /// Instance running today.
    pub current_instance: String,
    /// The dimension that breaks first (or runs hottest).
    pub dimension: String,
    /// Its utilisation then (or the highest within the horizon).
    pub utilisation: f64,
}

/// A document trigger against the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriggerFinding {
    /// Name.
    pub name: String,
    /// Tier.
    pub tier: String,
    /// `utilisation`, `load`, `latency`, `queue-depth` or `monitor`.
    pub kind: String,
    /// Threshold.
    pub threshold: f64,
    /// The document's words.
    pub text: String,
    /// First month today's deployment crosses it; null if never within the
    /// horizon or not modelled.
    pub fires_month: Option<u32>,
    /// For a trigger read on today's deployment (utilisation, latency,
    /// queue depth): the month that deployment breaks its headroom (its
    /// tier's runway; null beyond the horizon), so that whether the
    /// trigger warns ahead of it, or only after, can be read beside
    /// `fires_month`.
    pub runway_month: Option<u32>,
    /// Milestones at which the computed plan itself runs past it.
    pub plan_exceeds_at: Vec<String>,
    /// What the finding means.
    pub note: String,
}

/// Recommendations for a horizon or phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AdviceEntry {
    /// Horizon or phase.
    pub horizon: String,
    /// Who or what it suits.
    pub suitable_for: Option<String>,
    /// First month it applies to.
    pub from_month: Option<u32>,
    /// Last month it applies to.
    pub to_month: Option<u32>,
    /// The recommendations.
    pub items: Vec<String>,
}

/// Everything the sizing of one row of drivers needs, prepared once.
struct Planner<'a> {
    profile: &'a LoadedProfile,
    config: &'a ProfileConfig,
    /// (tier, dimension) of each plugin load, in load-row order.
    loads: Vec<(String, String)>,
}

impl Planner<'_> {
    fn id(&self) -> String {
        self.profile.id().to_string()
    }

    fn kernel_error(&self, tier: &str) -> impl Fn(headroom_kernel::KernelError) -> Error + '_ {
        let tier = tier.to_string();
        move |source| Error::Kernel { profile: self.id(), tier: tier.clone(), source }
    }

    /// Runs the demand mapping over every row in one batch call.
    fn demand(&self, rows: &[Vec<f64>], labels: &[String]) -> Result<Vec<Vec<f64>>, Error> {
        let parameters: Vec<f64> =
            self.profile.parameters().map(|p| self.config.demand[p]).collect();
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        let width = self.loads.len();
        let mut out = vec![0.0; rows.len() * width];
        self.profile
            .demand(&parameters, &flat, &mut out)
            .map_err(|message| Error::PluginFailed { profile: self.id(), message })?;
        let rows: Vec<Vec<f64>> = out.chunks(width.max(1)).map(<[f64]>::to_vec).collect();
        for (row, label) in rows.iter().zip(labels) {
            for (value, (tier, dimension)) in row.iter().zip(&self.loads) {
                if !finite_and_not_negative(*value) {
                    return Err(Error::PluginFailed {
                        profile: self.id(),
                        message: format!(
                            "demand mapping gave load {tier}.{dimension} = {value} at {label}; loads must be finite and not negative"
                        ),
                    });
                }
            }
        }
        Ok(rows)
    }

    /// Sizes every tier for one row of loads.
    /// `detailed` computes what only reports show (a latency target's
    /// utilisation ceiling and quantile at plan); month rows skip it.
    /// `label` names the row (`milestone `current``, `month 3`) in errors.
    fn size(&self, loads: &[f64], detailed: bool, label: &str) -> Result<Vec<TierPlan>, Error> {
        let mut sized: Vec<TierPlan> = Vec::new();
        for key in &self.config.tier_order {
            let tier = &self.config.tiers[key];
            let plan = self.size_tier(key, tier, loads, &sized, detailed)?;
            if plan.units == u32::MAX {
                return Err(Error::Config {
                    profile: self.id(),
                    message: beyond_counting(key, label),
                });
            }
            sized.push(plan);
        }
        Ok(sized)
    }

    fn size_tier(
        &self,
        key: &str,
        tier: &Tier,
        loads: &[f64],
        upstream: &[TierPlan],
        detailed: bool,
    ) -> Result<TierPlan, Error> {
        let headroom = self.config.headroom;
        let policy = tier.policy(headroom);
        let first = &tier.instances[&tier.ladder[0]];
        let dimensions: Vec<&String> = first.capacity.keys().collect();
        let mut dimension_loads = Vec::with_capacity(dimensions.len());
        let mut parts = Vec::with_capacity(dimensions.len());
        for dimension in &dimensions {
            let from_drivers: f64 = self
                .loads
                .iter()
                .zip(loads)
                .filter(|((t, d), _)| t == key && d == *dimension)
                .map(|(_, v)| v)
                .sum();
            let fan_in: Vec<FanIn> = tier
                .fan_in
                .get(*dimension)
                .into_iter()
                .flatten()
                .map(|(source, per_unit)| FanIn {
                    tier: source.clone(),
                    units: upstream.iter().find(|t| &t.tier == source).map_or(0, |t| t.units),
                    per_unit: *per_unit,
                })
                .collect();
            let total =
                from_drivers + fan_in.iter().map(|f| f64::from(f.units) * f.per_unit).sum::<f64>();
            dimension_loads.push(total);
            parts.push((from_drivers, fan_in));
        }
        let rungs: Vec<Rung> = tier
            .ladder
            .iter()
            .map(|k| Rung {
                capacities: dimensions.iter().map(|d| tier.instances[k].capacity[*d]).collect(),
            })
            .collect();
        let error = self.kernel_error(key);
        let mut scalability = None;
        let (rung, beyond_ladder, sizing) = match tier.scaling {
            Scaling::Horizontal => match &tier.scalability {
                Some(usl) => {
                    let scaled = headroom_kernel::size_with_scalability(
                        &dimension_loads,
                        &rungs[0].capacities,
                        &policy,
                        usl.sigma,
                        usl.kappa,
                    )
                    .map_err(&error)?;
                    scalability = Some(scalability_plan(usl, &scaled));
                    (0, false, scaled.sizing)
                }
                None => (
                    0,
                    false,
                    size_horizontal(&dimension_loads, &rungs[0].capacities, &policy)
                        .map_err(&error)?,
                ),
            },
            Scaling::Vertical => {
                let s = size_on_ladder(&dimension_loads, &rungs, &policy).map_err(&error)?;
                (s.rung, s.beyond_ladder, s.sizing)
            }
        };
        let ladder_steps = match tier.scaling {
            Scaling::Horizontal => Vec::new(),
            Scaling::Vertical => tier.ladder[..=rung]
                .iter()
                .zip(&rungs)
                .map(|(k, r)| {
                    size_horizontal(
                        &dimension_loads,
                        &r.capacities,
                        &HeadroomPolicy::headroom_only(headroom),
                    )
                    .map(|s| LadderStep {
                        instance: tier.instances[k].name.clone(),
                        units_needed: s.needed_by_load,
                    })
                    .map_err(&error)
                })
                .collect::<Result<_, _>>()?,
        };
        let mut sizing = sizing;
        let mut sized_by = "headroom".to_string();
        // Each latency target may ask for more units than the headroom; the
        // tier takes the most any asks for (the policy is monotone, so the
        // order of the targets does not matter).
        let mut rates = Vec::with_capacity(tier.latency_targets.len());
        for target in tier.latency_targets.values() {
            let arrivals: f64 = self
                .loads
                .iter()
                .zip(loads)
                .filter(|((t, d), _)| t == key && d == &target.arrivals)
                .map(|(_, v)| v)
                .sum();
            let rate = arrivals * target.arrivals_per_second_per_unit_of_load;
            if let Some(needed) = latency_units_needed(target, rate) {
                let units = policy.apply(needed);
                if units > sizing.units {
                    sizing.units = units;
                    sizing.utilisation = headroom_kernel::sizing::utilisation_at(
                        &dimension_loads,
                        &rungs[0].capacities,
                        capacity_worth(tier, units),
                    );
                    sized_by = "latency".to_string();
                }
            }
            rates.push(rate);
        }
        // Each target against the units the tier takes in the end.
        let latency_targets = tier
            .latency_targets
            .iter()
            .zip(rates)
            .map(|((target_key, target), rate)| {
                latency_plan(target_key, target, rate, sizing.units, detailed)
            })
            .collect();
        let instance_key = tier.ladder[rung].clone();
        let instance = &tier.instances[&instance_key];
        let capacities = &rungs[rung].capacities;
        let dimension_plans = dimensions
            .iter()
            .zip(&dimension_loads)
            .zip(parts)
            .zip(capacities)
            .enumerate()
            .map(|(i, (((dimension, &load), (from_drivers, fan_in)), &capacity))| DimensionPlan {
                dimension: (*dimension).clone(),
                load,
                from_drivers,
                fan_in,
                capacity_per_unit: capacity,
                usable_per_unit: capacity * (1.0 - headroom),
                units_needed: size_horizontal(
                    &[load],
                    &[capacity],
                    &HeadroomPolicy::headroom_only(headroom),
                )
                .map_or(0, |s| s.needed_by_load),
                utilisation: sizing.utilisation[i],
            })
            .collect();
        let metrics = self
            .loads
            .iter()
            .zip(loads)
            .filter(|((t, d), _)| t == key && !first.capacity.contains_key(d))
            .map(|((_, d), v)| (d.clone(), *v))
            .collect();
        Ok(TierPlan {
            tier: key.to_string(),
            name: tier.name.clone(),
            unit: tier.unit.clone(),
            units: sizing.units,
            instance: instance.name.clone(),
            instance_key,
            bottleneck: dimensions[sizing.bottleneck].clone(),
            utilisation: sizing.peak_utilisation(),
            monthly_cost: monthly_cost(instance.hourly_price, sizing.units).map_err(&error)?,
            hourly_price: instance.hourly_price,
            beyond_ladder,
            needed_by_load: sizing.needed_by_load,
            min_units: tier.min_units,
            redundancy: tier.redundancy,
            zones: tier.zones,
            dimensions: dimension_plans,
            ladder_steps,
            metrics,
            sized_by,
            latency_targets,
            scalability,
        })
    }
}

/// The latency target of a tier against `units` units: the units the target
/// alone needs (Erlang C's `servers_for`, rounded up to whole units), the
/// quantile the planned units give, and the utilisation ceiling they allow.
/// Units a latency target alone needs: Erlang C's fewest servers, rounded up
/// to whole units; `None` when no count meets it.
pub(crate) fn latency_units_needed(
    target: &crate::config::LatencyTarget,
    arrival_rate: f64,
) -> Option<u32> {
    use headroom_kernel::queueing::{servers_for, QueueTarget};
    let goal = QueueTarget::ResponseQuantile { quantile: target.quantile, seconds: target.seconds };
    servers_for(arrival_rate, target.service_time, goal)
        .ok()
        .map(|queue| queue.servers.div_ceil(target.workers_per_unit))
}

/// Whether any unit count meets a latency target at any load (the kernel's
/// [`QueueTarget::check`](headroom_kernel::queueing::QueueTarget::check)):
/// where none does, [`latency_units_needed`] is `None` at every rate and the
/// target never raises a tier.
pub(crate) fn latency_target_reachable(target: &crate::config::LatencyTarget) -> bool {
    use headroom_kernel::queueing::QueueTarget;
    let goal = QueueTarget::ResponseQuantile { quantile: target.quantile, seconds: target.seconds };
    goal.check(target.service_time).is_ok()
}

fn latency_plan(
    key: &str,
    target: &crate::config::LatencyTarget,
    arrival_rate: f64,
    units: u32,
    detailed: bool,
) -> LatencyPlan {
    use headroom_kernel::queueing::{servers_for, Queue, QueueTarget};
    let goal = QueueTarget::ResponseQuantile { quantile: target.quantile, seconds: target.seconds };
    let workers = target.workers_per_unit;
    let (units_needed, mut note) = match servers_for(arrival_rate, target.service_time, goal) {
        Ok(queue) => (Some(queue.servers.div_ceil(workers)), String::new()),
        Err(e) => (None, e.to_string()),
    };
    let servers = units.saturating_mul(workers);
    let quantile_at_plan = Queue::new(arrival_rate, target.service_time, servers)
        .ok()
        .filter(|_| detailed)
        .map(|q| q.response_quantile(target.quantile));
    let capacity_rate = f64::from(servers) / target.service_time;
    let utilisation_ceiling = if !detailed || servers == 0 {
        None
    } else {
        largest_rate_within(target, servers).map(|rate| rate / capacity_rate)
    };
    if note.is_empty() {
        note = match utilisation_ceiling {
            Some(ceiling) => format!(
                "p{} of {:.3} s allows up to {} utilisation on {servers} workers",
                target.quantile * 100.0,
                target.seconds,
                crate::render::percent(ceiling)
            ),
            None if detailed => "the planned units cannot meet it".to_string(),
            None => String::new(),
        };
    }
    LatencyPlan {
        key: key.to_string(),
        name: target.name.clone(),
        quantile: target.quantile,
        seconds: target.seconds,
        arrival_rate,
        service_time: target.service_time,
        workers_per_unit: workers,
        units_needed,
        quantile_at_plan,
        utilisation_ceiling,
        note,
    }
}

/// The largest arrival rate that `servers` servers serve within a latency
/// target, by bisection on the rate (the quantile grows with it); `None`
/// when even a vanishing load (a billionth of capacity) misses the target:
/// service time alone is too slow.
pub(crate) fn largest_rate_within(
    target: &crate::config::LatencyTarget,
    servers: u32,
) -> Option<f64> {
    largest_rate_bracket(target, servers).map(|(low, _)| low)
}

/// [`largest_rate_within`]'s bisection, with its last bracket: `low` meets
/// the target on `servers` servers and `high`, a double or so above it,
/// does not.
pub(crate) fn largest_rate_bracket(
    target: &crate::config::LatencyTarget,
    servers: u32,
) -> Option<(f64, f64)> {
    use headroom_kernel::queueing::Queue;
    let capacity_rate = f64::from(servers) / target.service_time;
    let meets = |rate: f64| {
        Queue::new(rate, target.service_time, servers)
            .is_ok_and(|q| q.response_exceeds(target.seconds) <= 1.0 - target.quantile)
    };
    if !meets(capacity_rate * 1e-9) {
        return None;
    }
    Some(last_bracket(meets, 0.0, capacity_rate))
}

/// Where `holds`, true at `low` and false at `high` and turning once
/// between them, turns: the last bracket of 60 halvings (bisection), which
/// narrow it below a double's precision; `holds` at its low end, not at its
/// high end.
pub(crate) fn last_bracket(holds: impl Fn(f64) -> bool, low: f64, high: f64) -> (f64, f64) {
    let (mut low, mut high) = (low, high);
    for _ in 0..60 {
        let mid = 0.5 * (low + high);
        if holds(mid) {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low, high)
}

fn scalability_plan(
    usl: &crate::config::Scalability,
    scaled: &headroom_kernel::ScaledSizing,
) -> ScalabilityPlan {
    let units = scaled.sizing.units;
    let effective = headroom_kernel::sizing::relative_capacity(units, usl.sigma, usl.kappa);
    let peak = scaled
        .peak_units
        .map(|p| format!("; adding units stops paying past N* = {p}"))
        .unwrap_or_default();
    let note = if scaled.beyond_peak {
        format!(
            "beyond the USL peak: the capacity of {}, the most the curve gives ({effective:.2} units' worth), still cannot hold this load within headroom{peak}",
            headroom_kernel::counted(units, "unit")
        )
    } else {
        format!(
            "the capacity of {}: {effective:.2} units' worth (USL σ = {:.5}, κ = {:.3e}); linear scaling would have needed {}{peak}",
            headroom_kernel::counted(units, "unit"),
            usl.sigma,
            usl.kappa,
            scaled.linear_units
        )
    };
    ScalabilityPlan {
        sigma: usl.sigma,
        kappa: usl.kappa,
        source: usl.source.clone(),
        linear_units: scaled.linear_units,
        peak_units: scaled.peak_units,
        beyond_peak: scaled.beyond_peak,
        effective_units: effective,
        note,
    }
}

/// A driver's value at each dated milestone, in month order: the points its
/// growth curve runs through.
pub(crate) fn growth_points(config: &ProfileConfig, driver: &str) -> Vec<GrowthPoint> {
    let mut points: Vec<GrowthPoint> = config
        .milestones
        .values()
        .filter_map(|m| {
            m.month.map(|month| GrowthPoint { month: f64::from(month), value: m.drivers[driver] })
        })
        .collect();
    points.sort_by(|a, b| a.month.total_cmp(&b.month));
    points
}

/// The growth curve of one driver, if the profile has dated growth.
pub(crate) fn curve_of(config: &ProfileConfig, driver: &str) -> Option<GrowthCurve> {
    let growth = config.growth.as_ref()?;
    Some(match growth.curve.as_str() {
        "log-linear" => GrowthCurve::LogLinear,
        "compound-monthly" => {
            GrowthCurve::CompoundMonthly { rate: growth.rates.get(driver).copied() }
        }
        "logistic" => GrowthCurve::Logistic {
            ceiling: growth.ceilings.get(driver).copied().unwrap_or(f64::INFINITY),
        },
        _ => GrowthCurve::PiecewiseLinear,
    })
}

/// Plans `profile` under `layered`; `months` overrides the horizon.
pub fn plan(
    profile: &LoadedProfile,
    layered: &LayeredConfig,
    months: Option<u32>,
) -> Result<Plan, Error> {
    plan_config(profile, &layered.config, months)
}

/// Whether `value` is a driver or a load the planner takes: finite and not
/// negative (the compiled Monte Carlo checks its columns by the same rule).
pub(crate) fn finite_and_not_negative(value: f64) -> bool {
    (0.0..f64::INFINITY).contains(&value)
}

/// The planner's name for a milestone's row in errors; the compiled Monte
/// Carlo names its rows with it too, so both paths fail in the same words.
pub(crate) fn milestone_row(key: &str) -> String {
    format!("milestone `{key}`")
}

/// The planner's name for a month's row in errors (see [`milestone_row`]).
pub(crate) fn month_row(month: usize) -> String {
    format!("month {month}")
}

/// Why a tier sized to `u32::MAX` units at row `label` cannot be planned:
/// the kernel's count of units stops there (it saturates rather than wrap),
/// so the plan would print that number, a utilisation far past 100%, and
/// costs and fan-in loads to match, as if they were a plan.
pub(crate) fn beyond_counting(tier: &str, label: &str) -> String {
    format!("tier `{tier}` at {label} {}", needs_beyond_counting())
}

/// What [`beyond_counting`] says of the units (`calc headroom` says it too).
pub(crate) fn needs_beyond_counting() -> String {
    format!(
        "needs {} units or more, past what a plan counts: is a capacity near zero, a load near infinite, or the minimum or spares (min_units, redundancy) that large?",
        u32::MAX
    )
}

/// Why a driver grown to `value` at `month` cannot be planned: drivers (users,
/// leads a day) are counts and rates, never negative. Only a piecewise-linear
/// curve can fall below zero (past its last point it extends its last
/// segment, which falls where the last point is the lower); the others grow
/// in logarithms, or at a rate above -100% a month.
pub(crate) fn grown_out_of_range(
    driver: &str,
    curve: &GrowthCurve,
    month: usize,
    value: f64,
) -> String {
    let why = if *curve == GrowthCurve::PiecewiseLinear && month > 0 {
        format!(
            ": a piecewise-linear curve extends its last segment past its last point, and this \
             one falls; plan at most {} months, or grow this driver on a curve that stays above \
             zero (`log-linear`, `compound-monthly` or `logistic`)",
            month - 1
        )
    } else {
        String::new()
    };
    format!(
        "growth of driver `{driver}` gives {} at month {month}; a driver must stay finite and not negative{why}",
        headroom_kernel::Shown(value)
    )
}

/// The most months a plan looks ahead: a century. A plan keeps a row of
/// every month, and a Monte Carlo worker a column of its chunk's draws a
/// month, so a horizon of millions of months would take gigabytes (or
/// abort on a failed allocation) before printing anything.
pub const MAX_HORIZON_MONTHS: u32 = 1200;

/// Plans `profile` under a configuration already checked (see
/// [`LayeredConfig::with_config`]); the Monte Carlo calls it once a draw.
pub fn plan_config(
    profile: &LoadedProfile,
    config: &ProfileConfig,
    months: Option<u32>,
) -> Result<Plan, Error> {
    plan_detailed(profile, config, months, true)
}

/// [`plan_config`] without what only reports show (a latency target's
/// utilisation ceiling and quantile at plan, advice, assumptions,
/// calibrations, commitments, and of the triggers all but the month each
/// fires): units, costs, runway and the triggers' months are the same. The Monte Carlo plans each draw with it.
pub fn plan_units_and_costs(
    profile: &LoadedProfile,
    config: &ProfileConfig,
    months: Option<u32>,
) -> Result<Plan, Error> {
    plan_detailed(profile, config, months, false)
}

fn plan_detailed(
    profile: &LoadedProfile,
    config: &ProfileConfig,
    months: Option<u32>,
    detailed: bool,
) -> Result<Plan, Error> {
    let horizon = months.unwrap_or(config.horizon_months);
    if horizon > MAX_HORIZON_MONTHS {
        return Err(Error::Config {
            profile: profile.id().to_string(),
            message: format!(
                "months ahead (`--months`) must be at most {MAX_HORIZON_MONTHS} (a century), got {horizon}"
            ),
        });
    }
    let planner = Planner {
        profile,
        config,
        loads: profile.loads().map(|(t, d, _)| (t.to_string(), d.to_string())).collect(),
    };
    let drivers: Vec<DriverRef> = profile
        .drivers()
        .map(|(name, unit)| DriverRef { name: name.into(), unit: unit.into() })
        .collect();

    let milestones: Vec<(&String, &crate::config::Milestone)> = config
        .milestone_order
        .iter()
        .map(|k| (k, &config.milestones[k]))
        .filter(|(_, m)| m.month.is_none_or(|month| month <= horizon))
        .collect();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for (key, milestone) in &milestones {
        rows.push(drivers.iter().map(|d| milestone.drivers[&d.name]).collect());
        labels.push(milestone_row(key));
    }
    let growth_curve = config.growth.as_ref().map(|g| g.curve.clone());
    let mut monthly_drivers: Vec<Vec<f64>> = Vec::new();
    if growth_curve.is_some() {
        let mut by_driver = Vec::new();
        for driver in &drivers {
            let points = growth_points(config, &driver.name);
            let curve = curve_of(config, &driver.name).unwrap_or(GrowthCurve::PiecewiseLinear);
            let values = curve.monthly(&points, horizon).map_err(|source| Error::Config {
                profile: profile.id().into(),
                message: format!("growth of driver `{}`: {source}", driver.name),
            })?;
            if let Some((month, &value)) =
                values.iter().enumerate().find(|(_, &v)| !finite_and_not_negative(v))
            {
                return Err(Error::Config {
                    profile: profile.id().into(),
                    message: grown_out_of_range(&driver.name, &curve, month, value),
                });
            }
            by_driver.push(values);
        }
        for month in 0..=horizon as usize {
            monthly_drivers.push(by_driver.iter().map(|values| values[month]).collect());
            labels.push(month_row(month));
        }
    }
    rows.extend(monthly_drivers.iter().cloned());
    let loads = planner.demand(&rows, &labels)?;

    let mut milestone_plans = Vec::new();
    for (index, (key, milestone)) in milestones.iter().enumerate() {
        let tiers = planner.size(&loads[index], detailed, &labels[index])?;
        milestone_plans.push(MilestonePlan {
            key: (*key).clone(),
            name: milestone.name.clone(),
            month: milestone.month,
            drivers: drivers.iter().map(|d| (d.name.clone(), milestone.drivers[&d.name])).collect(),
            monthly_cost: tiers.iter().map(|t| t.monthly_cost).sum(),
            tiers,
        });
    }

    let mut monthly_tiers: Vec<Vec<TierPlan>> = Vec::new();
    for (month_loads, label) in loads.iter().zip(&labels).skip(milestones.len()) {
        monthly_tiers.push(planner.size(month_loads, false, label)?);
    }
    let runway = runway(&planner, &monthly_tiers)?;
    let monthly = monthly_tiers
        .iter()
        .enumerate()
        .map(|(month, tiers)| MonthPlan {
            month: month as u32,
            drivers: drivers
                .iter()
                .zip(&monthly_drivers[month])
                .map(|(d, v)| (d.name.clone(), *v))
                .collect(),
            tiers: tiers
                .iter()
                .map(|t| TierSummary {
                    tier: t.tier.clone(),
                    units: t.units,
                    instance: t.instance.clone(),
                    instance_key: t.instance_key.clone(),
                    monthly_cost: t.monthly_cost,
                    utilisation: t.utilisation,
                    current_utilisation: current_utilisation(config, t),
                })
                .collect(),
            monthly_cost: tiers.iter().map(|t| t.monthly_cost).sum(),
        })
        .collect::<Vec<_>>();
    // Advice and assumptions are for reports; a Monte Carlo draw
    // (`detailed` false) needs units, costs, runway, and the month each
    // trigger fires on today's deployment.
    let load_units = profile
        .loads()
        .map(|(t, d, unit)| ((t.to_string(), d.to_string()), unit.to_string()))
        .collect();
    // A draw reads only the month each trigger fires: not the milestones
    // (the Erlang C of each), nor the words.
    let read_at = if detailed { &milestone_plans[..] } else { &[] };
    let mut triggers = triggers(config, &load_units, read_at, &monthly, &monthly_tiers, &runway);
    if !detailed {
        triggers.iter_mut().for_each(|t| t.note.clear());
    }
    let commitment = if detailed {
        commitments(config, monthly.len(), "plan", |tier| planned_runs(config, &monthly, tier))
            .map_err(|message| Error::Config { profile: profile.id().to_string(), message })?
    } else {
        None
    };
    Ok(Plan {
        schema_version: crate::SCHEMA_VERSION,
        profile: ProfileRef::of(profile),
        headroom: config.headroom,
        horizon_months: horizon,
        growth_curve,
        drivers,
        milestones: milestone_plans,
        monthly,
        runway,
        triggers,
        advice: config
            .advice
            .iter()
            .filter(|_| detailed)
            .map(|a| AdviceEntry {
                horizon: a.horizon.clone(),
                suitable_for: a.suitable_for.clone(),
                from_month: a.from_month,
                to_month: a.to_month,
                items: a.items.clone(),
            })
            .collect(),
        assumptions: if detailed { config.assumptions.clone() } else { BTreeMap::new() },
        calibrations: if detailed { config.calibrations.clone() } else { BTreeMap::new() },
        commitment,
    })
}

/// Today's deployment of a tier: its units and instance key.
pub(crate) fn current(config: &ProfileConfig, tier: &str) -> Option<(u32, String)> {
    let t = &config.tiers[tier];
    let units = t.current_units?;
    let instance = t.current_instance.clone().unwrap_or_else(|| t.ladder[0].clone());
    Some((units, instance))
}

/// Utilisation of the bottleneck if today's deployment carried this load.
/// Units' worth of capacity that `units` units of `tier` hold: the count
/// itself, or their USL capacity when the tier has scalability coefficients.
pub(crate) fn capacity_worth(tier: &Tier, units: u32) -> f64 {
    match &tier.scalability {
        Some(usl) => headroom_kernel::sizing::relative_capacity(units, usl.sigma, usl.kappa),
        None => f64::from(units),
    }
}

/// Utilisation of the bottleneck if today's deployment carried this load
/// with `redundancy` units lost, as the runway counts it.
pub(crate) fn current_utilisation(config: &ProfileConfig, planned: &TierPlan) -> Option<f64> {
    let (units, instance) = current(config, &planned.tier)?;
    let tier = &config.tiers[&planned.tier];
    let worth = capacity_worth(tier, units.saturating_sub(tier.redundancy));
    let capacity = &tier.instances[&instance].capacity;
    planned
        .dimensions
        .iter()
        .map(|d| d.load / (capacity[&d.dimension] * worth))
        .max_by(f64::total_cmp)
}

fn runway(planner: &Planner, monthly: &[Vec<TierPlan>]) -> Result<Vec<RunwayEntry>, Error> {
    let config = planner.config;
    let mut entries = Vec::new();
    if monthly.is_empty() {
        return Ok(entries);
    }
    for (index, key) in config.tier_order.iter().enumerate() {
        let Some((units, instance_key)) = current(config, key) else { continue };
        let tier = &config.tiers[key];
        let instance = &tier.instances[&instance_key];
        let dimensions: Vec<&String> = instance.capacity.keys().collect();
        let mut capacities: Vec<f64> = dimensions.iter().map(|d| instance.capacity[*d]).collect();
        // Today's units hold their USL capacity when the tier has one.
        let effective = units.saturating_sub(tier.redundancy);
        if effective > 0 {
            let factor = capacity_worth(tier, effective) / f64::from(effective);
            capacities.iter_mut().for_each(|c| *c *= factor);
        }
        // Each month's load on this tier, with the tiers upstream of it sized
        // as the plan needs them (see ARCHITECTURE.md, "Runway").
        let loads: Vec<Vec<f64>> = monthly
            .iter()
            .map(|tiers| tiers[index].dimensions.iter().map(|d| d.load).collect())
            .collect();
        let policy = tier.policy(config.headroom);
        let found =
            first_breach(&loads, &capacities, units, &policy).map_err(planner.kernel_error(key))?;
        entries.push(RunwayEntry {
            tier: key.clone(),
            month: found.month.map(|m| m as u32),
            current_units: units,
            current_instance: instance.name.clone(),
            dimension: dimensions[found.dimension].clone(),
            utilisation: found.utilisation,
        });
    }
    Ok(entries)
}

/// A latency trigger against the plan: the `quantile` of the response time
/// of the M/M/c queue that the tier's latency target `queue` describes (its
/// arrivals as the plan worked them out, its service time and workers a
/// unit; Erlang C, [`Queue::response_quantile`]), at each milestone's
/// planned units and, month by month, at today's units less the spares the
/// runway counts lost. A count that cannot keep up (utilisation of 100% or
/// more) runs past any threshold.
///
/// [`Queue::response_quantile`]: headroom_kernel::queueing::Queue::response_quantile
fn latency_trigger(
    config: &ProfileConfig,
    trigger: &crate::config::Trigger,
    milestones: &[MilestonePlan],
    monthly: &[Vec<TierPlan>],
) -> (Option<u32>, Vec<String>, String) {
    let key = trigger.queue.as_deref().unwrap_or_default();
    let tier = &config.tiers[&trigger.tier];
    // The configuration's check holds the key to one of the tier's targets.
    let Some(target) = tier.latency_targets.get(key) else {
        return (
            None,
            Vec::new(),
            format!("tier `{}` has no latency target `{key}`", trigger.tier),
        );
    };
    let quantile = trigger.quantile.unwrap_or(target.quantile);
    let label = format!("p{}", crate::render::percentile(quantile));
    // That quantile with `units` units of `planned`; `None` when they cannot
    // keep up (or the plan holds no rate for the target).
    let at = |planned: &TierPlan, units: u32| -> Option<f64> {
        let rate = planned.latency_targets.iter().find(|l| l.key == key)?.arrival_rate;
        let servers = units.saturating_mul(target.workers_per_unit);
        response_quantile_on(rate, target.service_time, servers, quantile)
    };
    let past = |value: Option<f64>| value.is_none_or(|v| v > trigger.threshold);
    let planned: Vec<(&str, Option<f64>)> = milestones
        .iter()
        .filter_map(|m| {
            let t = m.tiers.iter().find(|t| t.tier == trigger.tier)?;
            Some((m.name.as_str(), at(t, t.units)))
        })
        .collect();
    let exceeds: Vec<String> =
        planned.iter().filter(|(_, v)| past(*v)).map(|(name, _)| name.to_string()).collect();
    let fires = first_month_today(config, &trigger.tier, monthly, |planned, units, _| {
        past(at(planned, units)).then_some(())
    })
    .map(|(month, ())| month);
    let queue = format!(
        "read on the M/M/c queue of `{}`'s latency target `{key}` ({} s a request, {} workers a unit)",
        trigger.tier,
        headroom_kernel::Shown(target.service_time),
        target.workers_per_unit
    );
    let note = if exceeds.is_empty() {
        let most = planned.iter().filter_map(|(_, v)| *v).fold(0.0_f64, f64::max);
        format!(
            "{queue}, the plan keeps its {label} at or under {} s at every milestone (at most {most:.3} s)",
            headroom_kernel::Shown(trigger.threshold)
        )
    } else {
        format!(
            "{queue}, the planned units run its {label} past {} s at: {}",
            headroom_kernel::Shown(trigger.threshold),
            exceeds.join(", ")
        )
    };
    (fires, exceeds, note)
}

/// The `quantile` of the response time of an M/M/c queue (Erlang C,
/// [`Queue::response_quantile`]) that `rate` arrivals a second reach, each
/// served in `service_time` seconds by one of `servers`; `None` when they
/// cannot keep up. What a latency trigger reads, in the plan and draw by
/// draw in the Monte Carlo.
///
/// [`Queue::response_quantile`]: headroom_kernel::queueing::Queue::response_quantile
pub(crate) fn response_quantile_on(
    rate: f64,
    service_time: f64,
    servers: u32,
    quantile: f64,
) -> Option<f64> {
    headroom_kernel::queueing::Queue::new(rate, service_time, servers)
        .ok()
        .map(|q| q.response_quantile(quantile))
}

/// The first month whose tier `tier` today's deployment (its units less
/// the spares the runway counts lost, on its instance) meets `crosses`,
/// with what `crosses` found; `None` for a tier with no deployment today or
/// none crossed within the horizon. Triggers read their own queue with it.
fn first_month_today<T>(
    config: &ProfileConfig,
    tier: &str,
    monthly: &[Vec<TierPlan>],
    crosses: impl Fn(&TierPlan, u32, &str) -> Option<T>,
) -> Option<(u32, T)> {
    let (units, instance) = current(config, tier)?;
    let index = config.tier_order.iter().position(|k| k == tier)?;
    let units = units.saturating_sub(config.tiers[tier].redundancy);
    monthly
        .iter()
        .enumerate()
        .find_map(|(month, tiers)| Some((month as u32, crosses(&tiers[index], units, &instance)?)))
}

/// What a queue-depth trigger reads at one count of units: the depth (the
/// trigger's quantile of the number waiting, or its mean), or, when the
/// units cannot keep up, the arrivals a unit of time they leave unserved.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Depth {
    Steady(f64),
    Growing { arrivals: f64, served: f64 },
}

impl Depth {
    /// The depth in front of `servers` servers that together serve
    /// `served` items a unit of time, `arrivals` arriving (M/M/c; each
    /// server's service time `servers / served`): the `quantile` of the
    /// number waiting ([`Queue::queue_length_quantile`]; Gross & Harris
    /// §2.3), else its mean (Little's law on the queue). What a queue-depth
    /// trigger reads, in the plan and draw by draw in the Monte Carlo.
    ///
    /// [`Queue::queue_length_quantile`]: headroom_kernel::queueing::Queue::queue_length_quantile
    pub(crate) fn of(arrivals: f64, served: f64, servers: u32, quantile: Option<f64>) -> Depth {
        use headroom_kernel::queueing::Queue;
        if arrivals == 0.0 {
            return Depth::Steady(0.0);
        }
        if servers == 0 || served <= 0.0 {
            return Depth::Growing { arrivals, served: 0.0 };
        }
        match Queue::new(arrivals, f64::from(servers) / served, servers) {
            Ok(q) => Depth::Steady(match quantile {
                Some(p) => q.queue_length_quantile(p) as f64,
                None => q.mean_queue_length,
            }),
            Err(_) => Depth::Growing { arrivals, served },
        }
    }

    /// Whether it runs past `threshold` items: a steady depth above it, or
    /// a backlog that grows without bound.
    pub(crate) fn past(self, threshold: f64) -> bool {
        match self {
            Depth::Steady(v) => v > threshold,
            Depth::Growing { .. } => true,
        }
    }
}

/// A queue-depth trigger: the M/M/c queue in front of a tier that works
/// through items arriving at its load `dimension` (leads a minute, say),
/// with `workers_per_unit` servers a unit, each serving an equal share of
/// the units' capacity on that load (their USL capacity when the tier has
/// one), in the load's own unit of time. Read at each milestone's planned
/// units and instance and, month by month, at today's units less the spares
/// the runway counts lost: the trigger's quantile of the number waiting
/// ([`Queue::queue_length_quantile`]; Gross & Harris §2.3) or its mean
/// (Little's law on the queue). A count that cannot keep up has no steady
/// state: its backlog grows by the arrivals it leaves unserved, past any
/// threshold (a fluid reading: the rate at which it grows, and how long it
/// takes to pass the threshold).
///
/// [`Queue::queue_length_quantile`]: headroom_kernel::queueing::Queue::queue_length_quantile
fn queue_depth_trigger(
    config: &ProfileConfig,
    trigger: &crate::config::Trigger,
    unit: &str,
    milestones: &[MilestonePlan],
    monthly: &[Vec<TierPlan>],
) -> (Option<u32>, Vec<String>, String) {
    use headroom_kernel::Shown;
    let dimension = trigger.dimension.as_deref().unwrap_or_default();
    let tier = &config.tiers[&trigger.tier];
    let workers = trigger.workers_per_unit.unwrap_or(1);
    let label = match trigger.quantile {
        Some(q) => format!("p{} depth", crate::render::percentile(q)),
        None => "mean depth".to_string(),
    };
    let depth = |arrivals: f64, capacity_per_unit: f64, units: u32| -> Depth {
        let served = capacity_per_unit * capacity_worth(tier, units);
        Depth::of(arrivals, served, units.saturating_mul(workers), trigger.quantile)
    };
    let load_of = |planned: &TierPlan| {
        planned
            .dimensions
            .iter()
            .find(|d| d.dimension == dimension)
            .map(|d| (d.load, d.capacity_per_unit))
    };
    let past = |d: Depth| d.past(trigger.threshold);
    let planned: Vec<(&str, Depth)> = milestones
        .iter()
        .filter_map(|m| {
            let t = m.tiers.iter().find(|t| t.tier == trigger.tier)?;
            let (load, capacity) = load_of(t)?;
            Some((m.name.as_str(), depth(load, capacity, t.units)))
        })
        .collect();
    let exceeds: Vec<String> =
        planned.iter().filter(|(_, d)| past(*d)).map(|(name, _)| name.to_string()).collect();
    let today = first_month_today(config, &trigger.tier, monthly, |planned, units, instance| {
        let (load, _) = load_of(planned)?;
        let d = depth(load, tier.instances[instance].capacity[dimension], units);
        past(d).then_some((units, d))
    })
    .map(|(month, (units, d))| (month, units, d));
    let queue = format!(
        "read on the M/M/c queue in front of `{}` (arrivals: its `{dimension}`; each unit serves at its capacity on it, with {workers} {})",
        trigger.tier,
        if workers == 1 { "server" } else { "servers" }
    );
    let mut note = if exceeds.is_empty() {
        let most = planned
            .iter()
            .filter_map(|(_, d)| match d {
                Depth::Steady(v) => Some(*v),
                Depth::Growing { .. } => None,
            })
            .fold(0.0_f64, f64::max);
        format!(
            "{queue}, the plan keeps its {label} at or under {} at every milestone (at most {})",
            Shown(trigger.threshold),
            Shown((most * 100.0).round() / 100.0)
        )
    } else {
        format!(
            "{queue}, the planned units run its {label} past {} at: {}",
            Shown(trigger.threshold),
            exceeds.join(", ")
        )
    };
    if let Some((month, units, Depth::Growing { arrivals, served })) = today {
        let unserved = arrivals - served;
        let rate = |v: f64| {
            format!("{} {}", Shown((v * 10.0).round() / 10.0), unit).trim_end().to_string()
        };
        let per = unit.split_once('/').map_or("units of the load's time", |(_, per)| per);
        let fate = if unserved > 0.0 {
            format!(
                "so the backlog grows by {} and passes {} in {} {per}",
                rate(unserved),
                Shown(trigger.threshold),
                Shown((trigger.threshold / unserved * 10.0).round() / 10.0)
            )
        } else {
            // Exactly saturated: no steady state, and no steady growth
            // either; the queue wanders without bound.
            "which leaves the queue no steady depth: it wanders without bound".to_string()
        };
        note.push_str(&format!(
            "; at month {month} today's {units} {} cannot keep up: {} arrive, {} are served, {fate}",
            if units == 1 { "unit" } else { "units" },
            rate(arrivals),
            rate(served),
        ));
    }
    (today.map(|(month, _, _)| month), exceeds, note)
}

fn triggers(
    config: &ProfileConfig,
    load_units: &BTreeMap<(String, String), String>,
    milestones: &[MilestonePlan],
    monthly: &[MonthPlan],
    monthly_tiers: &[Vec<TierPlan>],
    runway: &[RunwayEntry],
) -> Vec<TriggerFinding> {
    config
        .triggers
        .iter()
        .map(|trigger| {
            let tier_of = |tiers: &[TierPlan]| tiers.iter().find(|t| t.tier == trigger.tier).cloned();
            let (fires_month, plan_exceeds_at, note) = match trigger.kind {
                TriggerKind::Utilisation => {
                    let fires = monthly.iter().find_map(|m| {
                        m.tiers
                            .iter()
                            .find(|t| t.tier == trigger.tier)
                            .and_then(|t| t.current_utilisation)
                            .filter(|u| *u > trigger.threshold)
                            .map(|_| m.month)
                    });
                    let exceeds: Vec<String> = milestones
                        .iter()
                        .filter(|m| tier_of(&m.tiers).is_some_and(|t| t.utilisation > trigger.threshold))
                        .map(|m| m.name.clone())
                        .collect();
                    let note = if exceeds.is_empty() {
                        format!(
                            "the plan keeps `{}` at or under {:.0}% at every milestone",
                            trigger.tier,
                            trigger.threshold * 100.0
                        )
                    } else {
                        format!(
                            "the plan sizes `{}` up to {:.0}% utilisation (headroom {:.0}%), past this {:.0}% trigger at: {}; the headroom rule and the trigger disagree",
                            trigger.tier,
                            (1.0 - config.headroom) * 100.0,
                            config.headroom * 100.0,
                            trigger.threshold * 100.0,
                            exceeds.join(", ")
                        )
                    };
                    (fires, exceeds, note)
                }
                TriggerKind::Load => {
                    let dimension = trigger.dimension.clone().unwrap_or_default();
                    let exceeds: Vec<String> = milestones
                        .iter()
                        .filter(|m| {
                            tier_of(&m.tiers).is_some_and(|t| {
                                t.metrics.get(&dimension).copied().or_else(|| {
                                    t.dimensions.iter().find(|d| d.dimension == dimension).map(|d| d.load)
                                }) > Some(trigger.threshold)
                            })
                        })
                        .map(|m| m.name.clone())
                        .collect();
                    let note = if exceeds.is_empty() {
                        format!("`{}.{dimension}` stays at or under {} at every milestone", trigger.tier, trigger.threshold)
                    } else {
                        format!("`{}.{dimension}` passes {} at: {}", trigger.tier, trigger.threshold, exceeds.join(", "))
                    };
                    (None, exceeds, note)
                }
                TriggerKind::Latency => latency_trigger(config, trigger, milestones, monthly_tiers),
                TriggerKind::QueueDepth => {
                    let dimension = trigger.dimension.clone().unwrap_or_default();
                    let unit = load_units
                        .get(&(trigger.tier.clone(), dimension))
                        .map_or("", String::as_str);
                    queue_depth_trigger(config, trigger, unit, milestones, monthly_tiers)
                }
                TriggerKind::Monitor => {
                    (None, Vec::new(), "not modelled by the plan: watch it in production".to_string())
                }
            };
            TriggerFinding {
                name: trigger.name.clone(),
                tier: trigger.tier.clone(),
                kind: match trigger.kind {
                    TriggerKind::Utilisation => "utilisation",
                    TriggerKind::Load => "load",
                    TriggerKind::Latency => "latency",
                    TriggerKind::QueueDepth => "queue-depth",
                    TriggerKind::Monitor => "monitor",
                }
                .to_string(),
                threshold: trigger.threshold,
                text: trigger.text.clone(),
                runway_month: trigger
                    .kind
                    .reads_today()
                    .then(|| runway.iter().find(|r| r.tier == trigger.tier).and_then(|r| r.month))
                    .flatten(),
                fires_month,
                plan_exceeds_at,
                note,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped lead-gen configuration, with or without its Postgres
    /// ladder's size units.
    fn leadgen(size_units: bool) -> ProfileConfig {
        let text = include_str!("../../../config/leadgen-insurance.toml");
        let text: String = text
            .lines()
            .filter(|l| size_units || !l.starts_with("size_units"))
            .map(|l| format!("{l}\n"))
            .collect();
        toml::from_str(&text).unwrap()
    }

    /// Postgres runs one r6i.xlarge in months 0 to 6 and one r6i.2xlarge
    /// after (or, with `split`, either at even odds in month 7).
    fn postgres_runs(split: bool) -> TierRuns {
        (0..13)
            .map(|m| match m {
                7 if split => vec![(0, 1, 0.5), (1, 1, 0.5)],
                0..=6 => vec![(0, 1, 1.0)],
                _ => vec![(1, 1, 1.0)],
            })
            .collect()
    }

    fn postgres(config: &ProfileConfig, split: bool) -> Vec<TierCommitment> {
        let runs = |tier: &str| {
            if tier == "postgres" {
                postgres_runs(split)
            } else {
                vec![Vec::new(); 13]
            }
        };
        let plan = commitments(config, 13, "plan", runs).unwrap().unwrap();
        plan.tiers.into_iter().filter(|t| t.tier == "postgres").collect()
    }

    #[test]
    fn each_instance_is_its_own_commitment_without_size_units() {
        // 7 and 5 months of 12: neither past the 70% that 30% off asks.
        let rows = postgres(&leadgen(false), false);
        assert_eq!(
            rows.iter().map(|r| (r.instance_key.as_str(), r.units)).collect::<Vec<_>>(),
            [("r6i-xlarge", 0), ("r6i-2xlarge", 0)]
        );
        assert_eq!(rows[0].months_units[..8], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]);
        assert!(
            (rows[0].cost - 7.0 * 365.0).abs() < 1e-9 && (rows[1].cost - 5.0 * 730.0).abs() < 1e-9
        );
        // At even odds in month 7, each half a month more or less.
        let rows = postgres(&leadgen(false), true);
        assert!((rows[0].next_unit_use - 7.5 / 12.0).abs() < 1e-12);
        assert!((rows[1].next_unit_use - 4.5 / 12.0).abs() < 1e-12);
    }

    #[test]
    fn a_ladder_in_size_units_is_one_commitment_priced_rung_by_rung() {
        // 8 size units all year, 16 in months 7 to 11: commit to 8; each
        // rung's own price a size unit on demand ($0.0625 an hour here for
        // both, so 8 x 12 x $45.625 x 0.7 + 40 x $45.625).
        let rows = postgres(&leadgen(true), false);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].units, 8);
        assert!((rows[0].cost - (3066.0 + 1825.0)).abs() < 1e-9, "{}", rows[0].cost);
        // A 2xlarge priced above twice the xlarge: its own months cost
        // more on demand, the commitment (at the first rung's rate) the same.
        let mut dearer = leadgen(true);
        dearer
            .tiers
            .get_mut("postgres")
            .unwrap()
            .instances
            .get_mut("r6i-2xlarge")
            .unwrap()
            .hourly_price = 1.5;
        let rows = postgres(&dearer, false);
        assert_eq!(rows[0].units, 8);
        let above = 5.0 * 8.0 * 1.5 / 16.0 * 730.0;
        assert!((rows[0].cost - (3066.0 + above)).abs() < 1e-9, "{}", rows[0].cost);
        assert!((rows[0].on_demand_cost - (7.0 * 365.0 + 5.0 * 1.5 * 730.0)).abs() < 1e-9);
    }
}
