//! One-at-a-time sensitivity ("tornado"): which uncertain input moves the
//! plan most. Every input of `[uncertainty.inputs]` is held at its median;
//! then each in turn is set to its low and its high quantile (P10 and P90
//! unless asked otherwise) and the plan is made in full, as the Monte
//! Carlo's exact path makes a draw's. Each input is ranked by how far it
//! moves a milestone's total monthly cost, at the milestone it moves most.

use super::*;
use crate::render::percentile;

/// A tier at a milestone: its units and instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierAt {
    /// Tier key.
    pub tier: String,
    /// Units.
    pub units: u32,
    /// Instance (display name).
    pub instance: String,
}

/// A milestone of one plan of the sensitivity run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Milestone name.
    pub milestone: String,
    /// Total monthly cost.
    pub monthly_cost: f64,
    /// Each tier, in tier order.
    pub tiers: Vec<TierAt>,
}

/// One input moved alone, the others at their medians.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Swing {
    /// The input's key in `[uncertainty.inputs]`.
    pub input: String,
    /// Its low quantile.
    pub low_value: f64,
    /// Its high quantile.
    pub high_value: f64,
    /// The plan's milestones with the input at its low quantile.
    pub low: Vec<Outcome>,
    /// The plan's milestones with the input at its high quantile.
    pub high: Vec<Outcome>,
    /// The milestone whose total cost it moves most (the last of equals).
    pub milestone: String,
    /// How far it moves that milestone's total monthly cost, high minus low.
    pub cost_swing: f64,
}

/// The sensitivity of a profile's plan to each of its uncertain inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The profile.
    pub profile: ProfileRef,
    /// The low quantile each input is set to (0.1: P10).
    pub low_quantile: f64,
    /// The high quantile each input is set to (0.9: P90).
    pub high_quantile: f64,
    /// The plan's milestones with every input at its median.
    pub base: Vec<Outcome>,
    /// Each input's swing, the largest cost swing first (equals in key order).
    pub inputs: Vec<Swing>,
    /// Correlations between inputs are not applied when one moves alone.
    pub correlations_ignored: bool,
}

fn outcomes(plan: &crate::plan::Plan) -> Vec<Outcome> {
    plan.milestones
        .iter()
        .map(|m| Outcome {
            milestone: m.name.clone(),
            monthly_cost: m.monthly_cost,
            tiers: m
                .tiers
                .iter()
                .map(|t| TierAt {
                    tier: t.tier.clone(),
                    units: t.units,
                    instance: t.instance.clone(),
                })
                .collect(),
        })
        .collect()
}

/// Ranks `profile`'s uncertain inputs by how much each alone moves the plan
/// between its `low` and `high` quantiles (each in (0, 1), low below high),
/// over `months` months (else the configuration's horizon).
pub fn sensitivity(
    profile: &LoadedProfile,
    layered: &LayeredConfig,
    low: f64,
    high: f64,
    months: Option<u32>,
) -> Result<Sensitivity, Error> {
    let id = profile.id().to_string();
    let fail = |message: String| Error::Config { profile: id.clone(), message };
    if !(low > 0.0 && low < high && high < 1.0) {
        return Err(fail(format!(
            "the quantiles must satisfy 0 < low < high < 1, got low {} and high {}",
            headroom_kernel::Shown(low),
            headroom_kernel::Shown(high)
        )));
    }
    let Some(uncertainty) = layered.config.uncertainty.clone().filter(|u| !u.inputs.is_empty())
    else {
        return Err(fail("no uncertain inputs: add distributions under [uncertainty.inputs] (see `headroom simulate --help`)".into()));
    };
    // The samplers' own checks of each distribution, as `simulate` makes them.
    Draws::new(&uncertainty.inputs, &uncertainty.correlations).map_err(&fail)?;
    let start = Start::new(layered, &uncertainty.inputs).map_err(&fail)?;
    let ladders = start.ladders();
    // (It plans, and tallies nothing: no trigger is watched.)
    let exact = start.exact(profile, layered, months, &ladders, &id, &[]);
    let medians: Vec<f64> = uncertainty.inputs.values().map(|d| d.quantile(0.5)).collect();
    let (median_plan, _) = exact.plan_at(&medians, "every input at its median")?;
    let base_outcomes = outcomes(&median_plan);
    let mut inputs = Vec::new();
    for (i, (key, distribution)) in uncertainty.inputs.iter().enumerate() {
        let at = |p: f64| -> Result<(f64, Vec<Outcome>), Error> {
            let mut values = medians.clone();
            values[i] = distribution.quantile(p);
            // The rule's message names the key and its value.
            let what = format!("the sensitivity run, an input at its P{}", percentile(p));
            let (plan, _) = exact.plan_at(&values, &what)?;
            Ok((values[i], outcomes(&plan)))
        };
        let (low_value, low_outcomes) = at(low)?;
        let (high_value, high_outcomes) = at(high)?;
        // The milestone it moves most; the later of equals (the last
        // milestone when it moves none).
        let (milestone, cost_swing) = low_outcomes
            .iter()
            .zip(&high_outcomes)
            .map(|(l, h)| (l.milestone.clone(), h.monthly_cost - l.monthly_cost))
            .fold(None, |most: Option<(String, f64)>, (name, swing)| match most {
                Some(m) if m.1.abs() > swing.abs() => Some(m),
                _ => Some((name, swing)),
            })
            .unwrap_or_default();
        inputs.push(Swing {
            input: key.clone(),
            low_value,
            high_value,
            low: low_outcomes,
            high: high_outcomes,
            milestone,
            cost_swing,
        });
    }
    // The largest swing first; equal swings in key order.
    inputs.sort_by(|a, b| b.cost_swing.abs().total_cmp(&a.cost_swing.abs()));
    Ok(Sensitivity {
        schema_version: crate::SCHEMA_VERSION,
        profile: ProfileRef::of(profile),
        low_quantile: low,
        high_quantile: high,
        base: base_outcomes,
        inputs,
        correlations_ignored: !uncertainty.correlations.is_empty(),
    })
}
