//! `headroom diff`: what a change of configuration does to a plan. The
//! same profile is planned twice, with and without the change (the
//! command's own `--config` and `--set` layers), and the two plans are
//! compared milestone by milestone and tier by tier: drivers, units,
//! instance, utilisation, monthly cost, and each tier's runway.
//!
//! Pure comparison of two finished [`Plan`]s (and, with `--draws`, of two
//! finished [`Simulation`]s over the same draws): it plans nothing, reads
//! nothing and prints nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::plan::{CommitmentPlan, MilestonePlan, Plan, TierPlan};
use crate::simulate::{Quantiles, Simulation};

/// A value in the plan before and after the change; `None` on a side where
/// it is absent (a milestone or tier only one plan has, a runway beyond
/// the horizon).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<T> {
    /// Without the change.
    pub before: Option<T>,
    /// With it.
    pub after: Option<T>,
}

/// A figure `get` reads of each side, where the side has it.
fn either<T, S>(before: Option<&S>, after: Option<&S>, get: impl Fn(&S) -> T) -> Change<T> {
    Change { before: before.map(&get), after: after.map(&get) }
}

/// Two plans of one profile, compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDiff {
    /// The profile.
    pub profile: String,
    /// The change, as given: `--set key=value`, `--config file`.
    pub change: Vec<String>,
    /// Every milestone either plan has, in the plan's order.
    pub milestones: Vec<MilestoneDiff>,
    /// Each tier's runway: the first month today's deployment breaks its
    /// headroom (`None`: beyond the horizon).
    pub runway: Vec<RunwayDiff>,
    /// The horizon the runway looks to, before and after.
    pub horizon_months: Change<u32>,
    /// Each trigger read on today's deployment (utilisation, latency,
    /// queue depth) of a tier either plan runs today: the month it fires.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<TriggerDiff>,
    /// What to commit to for the `[commitment]` term, when either plan
    /// prices one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentDiff>,
    /// With `--draws`: each milestone's total monthly cost over the same
    /// draws (one seed, so the two runs draw the same numbers) before and
    /// after; see [`with_uncertainty`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<CostBands>,
}

/// Each milestone's total monthly cost, P50 / P90 / P99 over the draws,
/// without and with the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostBands {
    /// Draws each run made.
    pub draws: u32,
    /// The seed both used.
    pub seed: u64,
    /// A milestone each, in the plan's order: (name, before, after).
    pub milestones: Vec<MilestoneCost>,
    /// The commitments on average over the draws, before and after, when
    /// either prices one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentDiff>,
    /// Each trigger read on today's deployment, over the draws: the month
    /// by which it has fired in half the draws and in nine in ten.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<DrawnTriggerDiff>,
}

/// One milestone's total monthly cost over the draws, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneCost {
    /// The milestone's name.
    pub milestone: String,
    /// P50 / P90 / P99 without the change (`None`: not planned there).
    pub before: Option<Quantiles>,
    /// The same with it.
    pub after: Option<Quantiles>,
}

/// One milestone in both plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneDiff {
    /// Its key in the configuration.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Each driver either plan gives it, by name.
    pub drivers: BTreeMap<String, Change<f64>>,
    /// Every tier either plan sizes, in sizing order.
    pub tiers: Vec<TierDiff>,
    /// All tiers' cost a month.
    pub monthly_cost: Change<f64>,
}

/// One tier at one milestone in both plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierDiff {
    /// Tier key.
    pub tier: String,
    /// Units to run.
    pub units: Change<u32>,
    /// Instance type.
    pub instance: Change<String>,
    /// Utilisation of the bottleneck.
    pub utilisation: Change<f64>,
    /// Cost a month.
    pub monthly_cost: Change<f64>,
}

/// The commitments of both plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentDiff {
    /// Months in the term, before and after.
    pub term_months: Change<u32>,
    /// Each tier and instance either plan's term runs: the units to commit
    /// to (`None` on a side whose term does not run it).
    pub tiers: Vec<CommitmentUnits>,
    /// The term's cost with the commitments (`None`: no term worked out).
    pub cost: Change<f64>,
}

/// One tier's commitment to one instance, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentUnits {
    /// Tier key.
    pub tier: String,
    /// Instance (display name).
    pub instance: String,
    /// Units to commit to.
    pub units: Change<u32>,
}

/// One tier's runway in both plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunwayDiff {
    /// Tier key.
    pub tier: String,
    /// The first month its headroom breaks, before (`None`: beyond the horizon).
    pub before: Option<u32>,
    /// The same, after.
    pub after: Option<u32>,
}

/// A month from today before and after (`None`: beyond the horizon).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthDiff {
    /// Before the change.
    pub before: Option<u32>,
    /// After it.
    pub after: Option<u32>,
}

/// One trigger read on today's deployment in both plans: the month it
/// fires.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggerDiff {
    /// Its name.
    pub name: String,
    /// The tier it watches.
    pub tier: String,
    /// The month it fires, before and after.
    pub fires: MonthDiff,
}

/// One trigger read on today's deployment over both sides' draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawnTriggerDiff {
    /// Its name.
    pub name: String,
    /// The first month by which it has fired in half the draws.
    pub half: MonthDiff,
    /// The first month by which it has fired in nine draws in ten.
    pub nine_in_ten: MonthDiff,
}

/// The triggers each plan reads on today's deployment (a tier with a
/// runway), in the order either first names them.
fn trigger_diffs(before: &Plan, after: &Plan) -> Vec<TriggerDiff> {
    let today = |plan: &Plan| -> Vec<(String, String, Option<u32>)> {
        plan.triggers
            .iter()
            .filter(|t| matches!(t.kind.as_str(), "utilisation" | "latency" | "queue-depth"))
            .filter(|t| plan.runway.iter().any(|r| r.tier == t.tier))
            .map(|t| (t.name.clone(), t.tier.clone(), t.fires_month))
            .collect()
    };
    let (b, a) = (today(before), today(after));
    let find = |side: &[(String, String, Option<u32>)], name: &str| {
        side.iter().find(|t| t.0 == name).cloned()
    };
    union(b.iter().map(|t| t.0.as_str()), a.iter().map(|t| t.0.as_str()))
        .into_iter()
        .filter_map(|name| {
            let tier = find(&b, name).or_else(|| find(&a, name))?.1;
            Some(TriggerDiff {
                name: name.to_string(),
                tier,
                fires: MonthDiff {
                    before: find(&b, name).and_then(|t| t.2),
                    after: find(&a, name).and_then(|t| t.2),
                },
            })
        })
        .collect()
}

/// Keys in `a`'s order, then those only `b` has.
fn union<'a>(a: impl Iterator<Item = &'a str>, b: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = a.collect();
    for key in b {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Two sides' commitments compared, when either prices one: each tier and
/// instance either commits to, tier by tier in the order either first names
/// them, and the term's cost.
fn commitment_diff(
    before: Option<&CommitmentPlan>,
    after: Option<&CommitmentPlan>,
) -> Option<CommitmentDiff> {
    if before.is_none() && after.is_none() {
        return None;
    }
    // A side's commitments, when its term was worked out.
    let (b, a) = (before.filter(|c| c.note.is_none()), after.filter(|c| c.note.is_none()));
    let rows = |c: Option<&CommitmentPlan>| -> Vec<(String, String, u32)> {
        c.map(|c| c.tiers.iter().map(|t| (t.tier.clone(), t.instance.clone(), t.units)).collect())
            .unwrap_or_default()
    };
    let (rows_before, rows_after) = (rows(b), rows(a));
    let order = union(
        rows_before.iter().map(|(t, _, _)| t.as_str()),
        rows_after.iter().map(|(t, _, _)| t.as_str()),
    );
    let mut tiers: Vec<CommitmentUnits> = Vec::new();
    for tier in &order {
        for (t, instance, _) in rows_before.iter().chain(&rows_after).filter(|(t, _, _)| t == tier)
        {
            if tiers.iter().any(|u| u.tier == *t && u.instance == *instance) {
                continue;
            }
            let units = |rows: &[(String, String, u32)]| {
                rows.iter().find(|(r, i, _)| r == t && i == instance).map(|(_, _, u)| *u)
            };
            tiers.push(CommitmentUnits {
                tier: t.clone(),
                instance: instance.clone(),
                units: Change { before: units(&rows_before), after: units(&rows_after) },
            });
        }
    }
    Some(CommitmentDiff {
        term_months: Change {
            before: before.map(|c| c.term_months),
            after: after.map(|c| c.term_months),
        },
        tiers,
        cost: either(b, a, |c| c.cost),
    })
}

/// Compares the plan without the change (`before`) with the plan under it.
pub fn diff(before: &Plan, after: &Plan, change: Vec<String>) -> PlanDiff {
    fn milestone<'a>(plan: &'a Plan, key: &str) -> Option<&'a MilestonePlan> {
        plan.milestones.iter().find(|m| m.key == key)
    }
    fn tier<'a>(m: Option<&'a MilestonePlan>, key: &str) -> Option<&'a TierPlan> {
        m.and_then(|m| m.tiers.iter().find(|t| t.tier == key))
    }
    let keys = union(
        before.milestones.iter().map(|m| m.key.as_str()),
        after.milestones.iter().map(|m| m.key.as_str()),
    );
    let milestones = keys
        .into_iter()
        .map(|key| {
            let (b, a) = (milestone(before, key), milestone(after, key));
            let name = a.or(b).map(|m| m.name.clone()).unwrap_or_default();
            let drivers = union(
                b.into_iter().flat_map(|m| m.drivers.keys().map(String::as_str)),
                a.into_iter().flat_map(|m| m.drivers.keys().map(String::as_str)),
            )
            .into_iter()
            .map(|d| {
                let value = |m: &MilestonePlan| m.drivers.get(d).copied();
                (d.to_string(), Change { before: b.and_then(value), after: a.and_then(value) })
            })
            .collect();
            let tiers = union(
                b.into_iter().flat_map(|m| m.tiers.iter().map(|t| t.tier.as_str())),
                a.into_iter().flat_map(|m| m.tiers.iter().map(|t| t.tier.as_str())),
            )
            .into_iter()
            .map(|key| {
                let (tb, ta) = (tier(b, key), tier(a, key));
                TierDiff {
                    tier: key.to_string(),
                    units: either(tb, ta, |t| t.units),
                    instance: either(tb, ta, |t| t.instance.clone()),
                    utilisation: either(tb, ta, |t| t.utilisation),
                    monthly_cost: either(tb, ta, |t| t.monthly_cost),
                }
            })
            .collect();
            MilestoneDiff {
                key: key.to_string(),
                name,
                drivers,
                tiers,
                monthly_cost: either(b, a, |m| m.monthly_cost),
            }
        })
        .collect();
    let runway = union(
        before.runway.iter().map(|r| r.tier.as_str()),
        after.runway.iter().map(|r| r.tier.as_str()),
    )
    .into_iter()
    .map(|tier| {
        let month = |plan: &Plan| plan.runway.iter().find(|r| r.tier == tier).and_then(|r| r.month);
        RunwayDiff { tier: tier.to_string(), before: month(before), after: month(after) }
    })
    .collect();
    let commitment = commitment_diff(before.commitment.as_ref(), after.commitment.as_ref());
    let triggers = trigger_diffs(before, after);
    PlanDiff {
        triggers,
        profile: after.profile.id.clone(),
        change,
        milestones,
        runway,
        commitment,
        horizon_months: Change {
            before: Some(before.horizon_months),
            after: Some(after.horizon_months),
        },
        uncertainty: None,
    }
}

/// Adds to `diff` the Monte Carlo of each side: two simulations of the
/// profile over the same draws and seed, without and with the change.
pub fn with_uncertainty(mut diff: PlanDiff, before: &Simulation, after: &Simulation) -> PlanDiff {
    let cost = |sim: &Simulation, name: &str| {
        sim.milestones.iter().find(|m| m.name == name).map(|m| m.monthly_cost)
    };
    let names = union(
        before.milestones.iter().map(|m| m.name.as_str()),
        after.milestones.iter().map(|m| m.name.as_str()),
    );
    diff.uncertainty = Some(CostBands {
        draws: after.draws,
        seed: after.seed,
        milestones: names
            .into_iter()
            .map(|name| MilestoneCost {
                milestone: name.to_string(),
                before: cost(before, name),
                after: cost(after, name),
            })
            .collect(),
        commitment: commitment_diff(before.commitment.as_ref(), after.commitment.as_ref()),
        triggers: union(
            before.triggers.iter().map(|t| t.name.as_str()),
            after.triggers.iter().map(|t| t.name.as_str()),
        )
        .into_iter()
        .map(|name| {
            let odds = |sim: &Simulation| {
                let t = sim.triggers.iter().find(|t| t.name == name);
                (t.and_then(|t| t.half), t.and_then(|t| t.nine_in_ten))
            };
            let ((half_before, nine_before), (half_after, nine_after)) =
                (odds(before), odds(after));
            DrawnTriggerDiff {
                name: name.to_string(),
                half: MonthDiff { before: half_before, after: half_after },
                nine_in_ten: MonthDiff { before: nine_before, after: nine_after },
            }
        })
        .collect(),
    });
    diff
}
