//! The audit: a document's published plan against the computed plan, cell
//! by cell, with the delta and, where one can be named, the assumption that
//! would explain it.

use headroom_kernel::audit::{compare, implied_capacity, implied_headroom, Published, Verdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{LayeredConfig, PublishedCell};
use crate::plan::{Plan, ProfileRef, TierPlan};
use crate::render::dollars;

/// An audit of one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Audit {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The profile.
    pub profile: ProfileRef,
    /// One row per published cell.
    pub rows: Vec<AuditRow>,
}

/// One published cell against the computed figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditRow {
    /// Milestone name.
    pub milestone: String,
    /// Tier key, or `total`.
    pub tier: String,
    /// `units`, `instance` or `monthly_cost`.
    pub column: String,
    /// The cell as the document prints it.
    pub published: String,
    /// The computed figure, printed the same way.
    pub computed: String,
    /// Published minus computed (units, ladder steps or dollars); null when
    /// the cell is a match or within its range.
    pub delta: Option<f64>,
    /// `match`, `within-range`, `over-provisioned` or `under-provisioned`.
    pub verdict: String,
    /// What the difference means, and what would explain it.
    pub explanation: String,
}

fn range_of(cell: &PublishedCell) -> Published {
    Published { value: cell.value, min: cell.min, max: cell.max }
}

fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// Audits `plan` against the published cells of its configuration.
pub fn audit(plan: &Plan, layered: &LayeredConfig) -> Audit {
    let config = &layered.config;
    let mut rows = Vec::new();
    for cell in &config.published {
        let Some(milestone) = plan.milestones.iter().find(|m| m.key == cell.milestone) else {
            continue; // beyond the horizon asked for
        };
        let tier = milestone.tiers.iter().find(|t| t.tier == cell.tier);
        let row = match (cell.column.as_str(), tier) {
            ("units", Some(tier)) => units_row(cell, tier, plan.headroom),
            ("instance", Some(tier)) => instance_row(cell, tier, layered),
            ("monthly_cost", _) => cost_row(cell, milestone, layered),
            _ => continue,
        };
        rows.push(AuditRow { milestone: milestone.name.clone(), tier: cell.tier.clone(), ..row });
    }
    Audit { schema_version: crate::SCHEMA_VERSION, profile: plan.profile.clone(), rows }
}

fn verdict_row(
    cell: &PublishedCell,
    computed: String,
    delta: f64,
    verdict: Verdict,
    explanation: String,
) -> AuditRow {
    AuditRow {
        milestone: String::new(),
        tier: String::new(),
        column: cell.column.clone(),
        published: cell.text.clone(),
        computed,
        delta: (delta != 0.0).then_some(delta),
        verdict: verdict.as_str().to_string(),
        explanation,
    }
}

fn units_row(cell: &PublishedCell, tier: &TierPlan, headroom: f64) -> AuditRow {
    let comparison = compare(&range_of(cell), f64::from(tier.units), 0.0);
    let bottleneck = tier.dimensions.iter().find(|d| d.dimension == tier.bottleneck);
    let rule = match bottleneck {
        Some(d) => format!(
            "{:.1} {} / ({} per {} x (1 - {})) = {} needed",
            d.load, d.dimension, d.capacity_per_unit, tier.unit, headroom, tier.needed_by_load
        ),
        None => format!("{} needed", tier.needed_by_load),
    };
    let policy = if tier.units != tier.needed_by_load {
        format!(
            "; policy (min {}, N+{}, zones {}) makes {}",
            tier.min_units, tier.redundancy, tier.zones, tier.units
        )
    } else {
        String::new()
    };
    let explanation = match (comparison.verdict, cell.value, bottleneck) {
        (Verdict::Match | Verdict::WithinRange, _, _) => format!("by the rule: {rule}{policy}"),
        (_, Some(published), Some(d)) => {
            let spare = published - f64::from(tier.units);
            let implied_h = implied_headroom(d.load, d.capacity_per_unit, published);
            let implied_c = implied_capacity(d.load, published, headroom);
            let mut why = format!(
                "by the rule: {rule}{policy}. {published} {}s would mean {} headroom instead of {}, or {:.1} {} per {} instead of {}",
                tier.unit,
                percent(implied_h),
                percent(headroom),
                implied_c,
                d.dimension,
                tier.unit,
                d.capacity_per_unit
            );
            if spare > 0.0 {
                why.push_str(&format!(", or N+{spare} spare units"));
            }
            why
        }
        (_, None, Some(d)) => {
            let (low, high) = (cell.min, cell.max);
            let bound = if comparison.verdict == Verdict::UnderProvisioned { high } else { low };
            let bound = bound.unwrap_or(f64::from(tier.units));
            format!(
                "by the rule: {rule}{policy}. The range's nearest end, {bound}, would mean {:.1} {} per {} at {} headroom instead of {}",
                implied_capacity(d.load, bound, headroom),
                d.dimension,
                tier.unit,
                percent(headroom),
                d.capacity_per_unit
            )
        }
        _ => format!("by the rule: {rule}{policy}"),
    };
    verdict_row(cell, tier.units.to_string(), comparison.delta, comparison.verdict, explanation)
}

fn instance_row(cell: &PublishedCell, tier: &TierPlan, layered: &LayeredConfig) -> AuditRow {
    let config_tier = &layered.config.tiers[&cell.tier];
    let step = |key: &str| config_tier.ladder.iter().position(|k| k == key).unwrap_or(0) as f64;
    let published_step = step(cell.instance.as_deref().unwrap_or_default());
    let computed_step = step(&tier.instance_key);
    let comparison = compare(
        &Published { value: Some(published_step), ..Published::default() },
        computed_step,
        0.0,
    );
    let computed = if tier.units > 1 {
        format!("{} x {}", tier.units, tier.instance)
    } else {
        tier.instance.clone()
    };
    let loads: Vec<String> = tier
        .dimensions
        .iter()
        .map(|d| {
            format!(
                "{} {:.0} of {:.0} usable ({} utilisation)",
                d.dimension,
                d.load,
                d.usable_per_unit,
                percent(d.utilisation)
            )
        })
        .collect();
    let mut explanation = format!("on {}: {}", tier.instance, loads.join(", "));
    match comparison.verdict {
        Verdict::OverProvisioned => {
            let modelled: Vec<&str> =
                tier.dimensions.iter().map(|d| d.dimension.as_str()).collect();
            explanation.push_str(&format!(
                ". The document's choice, {} larger, implies a limit beyond {}",
                crate::render::counted(comparison.delta, "ladder step"),
                modelled.join(", ")
            ));
            match &config_tier.limiting_factor {
                Some(factor) => explanation.push_str(&format!(
                    ": it names \"{factor}\" as the tier's limit but does not quantify it"
                )),
                None => explanation.push_str(" that it does not state"),
            }
        }
        Verdict::UnderProvisioned => explanation.push_str(&format!(
            ". The document's choice is {} too small for this load",
            crate::render::counted(-comparison.delta, "ladder step")
        )),
        _ => {}
    }
    if cell.sharded && !tier.beyond_ladder {
        explanation
            .push_str(". The document shards; by the rule one instance still holds the load");
    } else if !cell.sharded && tier.beyond_ladder {
        explanation.push_str(&format!(
            ". The load is past the largest instance: {} shards needed",
            tier.units
        ));
    }
    verdict_row(cell, computed, comparison.delta, comparison.verdict, explanation)
}

fn cost_row(
    cell: &PublishedCell,
    milestone: &crate::plan::MilestonePlan,
    layered: &LayeredConfig,
) -> AuditRow {
    let config = &layered.config;
    let tolerance = config.cost_tolerance;
    let comparison = compare(&range_of(cell), milestone.monthly_cost, tolerance);
    // Price the document's own deployment: its published units and
    // instances where it gives them, the computed ones elsewhere.
    let mut repriced = 0.0;
    let mut replaced = Vec::new();
    for tier in &milestone.tiers {
        let mut units = f64::from(tier.units);
        let mut price = tier.hourly_price;
        for published in
            config.published.iter().filter(|p| p.milestone == cell.milestone && p.tier == tier.tier)
        {
            match published.column.as_str() {
                "units" => {
                    if let Some(v) = published.value.or(published.min) {
                        units = v;
                        replaced.push(format!("{} {}", tier.tier, published.text));
                    }
                }
                "instance" => {
                    if let Some(instance) = published
                        .instance
                        .as_ref()
                        .and_then(|k| config.tiers[&tier.tier].instances.get(k))
                    {
                        price = instance.hourly_price;
                        replaced.push(format!("{} {}", tier.tier, published.text));
                    }
                }
                _ => {}
            }
        }
        repriced += price * headroom_kernel::HOURS_PER_MONTH * units;
    }
    let by_tier: Vec<String> =
        milestone.tiers.iter().map(|t| format!("{} {}", t.tier, dollars(t.monthly_cost))).collect();
    let mut explanation = format!("computed: {}", by_tier.join(" + "));
    if comparison.verdict != Verdict::Match && comparison.verdict != Verdict::WithinRange {
        let reference = cell.value.or(cell.min).or(cell.max).unwrap_or(milestone.monthly_cost);
        let reference = if comparison.verdict == Verdict::UnderProvisioned {
            cell.max.or(cell.value).unwrap_or(reference)
        } else {
            reference
        };
        if !replaced.is_empty() {
            explanation.push_str(&format!(
                ". The document's own deployment ({}) at this profile's prices costs {}",
                replaced.join(", "),
                dollars(repriced)
            ));
        }
        let basis = if replaced.is_empty() { milestone.monthly_cost } else { repriced };
        let document = compare(&range_of(cell), basis, tolerance);
        if !replaced.is_empty() && matches!(document.verdict, Verdict::Match | Verdict::WithinRange)
        {
            explanation.push_str(
                ", which the published figure holds: the gap is the deployment, not the prices",
            );
        } else if basis > 0.0 {
            explanation.push_str(&format!(
                "; the published figure implies prices {:.2}x this profile's (assumed) prices, or costs the document does not itemise",
                reference / basis
            ));
        }
    }
    verdict_row(
        cell,
        dollars(milestone.monthly_cost),
        comparison.delta.round(),
        comparison.verdict,
        explanation,
    )
}
