//! The Markdown report.

use std::fmt::Write as _;

use super::*;

/// Every (milestone name, tier) of the plan whose tier satisfies `keep`.
fn tiers_where(plan: &Plan, keep: impl Fn(&TierPlan) -> bool) -> Vec<(&str, &TierPlan)> {
    plan.milestones
        .iter()
        .flat_map(|m| m.tiers.iter().map(move |t| (m.name.as_str(), t)))
        .filter(|(_, t)| keep(t))
        .collect()
}

/// One row of a Markdown table, its cells in order.
fn md_row(out: &mut String, cells: &[&dyn std::fmt::Display]) {
    out.push('|');
    for cell in cells {
        let _ = write!(out, " {cell} |");
    }
    out.push('\n');
}

/// What sized a tier, seen from one of its latency targets: the headroom,
/// this target, or another of the tier's targets.
fn sized_by(tier: &TierPlan, target: &crate::plan::LatencyPlan) -> &'static str {
    match binding_target(tier) {
        Some(binding) if std::ptr::eq(binding, target) => "this target",
        Some(_) => "another target",
        None => "headroom",
    }
}

/// A plan as a Markdown report; with an audit, the audit's section too.
pub fn plan_markdown(plan: &Plan, audit: Option<&Audit>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Capacity plan: {}\n", plan.profile.id);
    let _ = writeln!(
        out,
        "Profile `{}` {}, from *{}*. Headroom {} on every tier{}.\n",
        plan.profile.id,
        plan.profile.version,
        plan.profile.source,
        percent(plan.headroom),
        plan.growth_curve
            .as_ref()
            .map(|c| format!(
                "; drivers grow {c} between milestones, horizon {} months",
                plan.horizon_months
            ))
            .unwrap_or_default()
    );
    let tiers: Vec<&str> = plan
        .milestones
        .first()
        .map(|m| m.tiers.iter().map(|t| t.tier.as_str()).collect())
        .unwrap_or_default();
    let _ = writeln!(out, "## Plan by milestone\n");
    let _ = write!(out, "| milestone | drivers |");
    for tier in &tiers {
        let _ = write!(out, " {tier} |");
    }
    let _ = writeln!(out, " monthly cost |");
    let _ = writeln!(out, "|---|---|{}---:|", "---|".repeat(tiers.len()));
    for milestone in &plan.milestones {
        let drivers: Vec<String> =
            milestone.drivers.iter().map(|(k, v)| format!("{k} {}", number(*v))).collect();
        let _ = write!(out, "| {} | {} |", milestone.name, drivers.join(", "));
        for tier in &milestone.tiers {
            let _ = write!(
                out,
                " {} x {} ({}) |",
                tier.units,
                instance_cell(tier),
                percent(tier.utilisation)
            );
        }
        let _ = writeln!(out, " {} |", dollars(milestone.monthly_cost));
    }
    let _ = writeln!(out, "\nEach cell: units x instance (utilisation of the bottleneck).\n");
    let chart = if plan.monthly.is_empty() {
        "Utilisation of each tier as planned"
    } else {
        "Utilisation of today's deployment by month"
    };
    let _ = writeln!(out, "![{chart}]({}.svg)\n", plan.profile.id);
    let _ = writeln!(
        out,
        "![Monthly cost as planned, by tier, beside the document's totals]({}.cost.svg)\n",
        plan.profile.id
    );
    let _ = writeln!(out, "## Tier arithmetic\n");
    for milestone in &plan.milestones {
        let _ = writeln!(out, "### {}\n", milestone.name);
        let _ = writeln!(out, "| tier | dimension | load | capacity/unit | usable/unit | units needed | units | utilisation | cost |");
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for tier in &milestone.tiers {
            for d in &tier.dimensions {
                let _ = writeln!(
                    out,
                    "| {} | {}{} | {:.1} | {} | {:.1} | {} | {} | {} | {} |",
                    tier.tier,
                    d.dimension,
                    if d.dimension == tier.bottleneck { " (bottleneck)" } else { "" },
                    d.load,
                    number(d.capacity_per_unit),
                    d.usable_per_unit,
                    d.units_needed,
                    tier.units,
                    percent(d.utilisation),
                    dollars(tier.monthly_cost)
                );
            }
        }
        out.push('\n');
    }
    let with_latency = tiers_where(plan, |t| !t.latency_targets.is_empty());
    if !with_latency.is_empty() {
        let _ = writeln!(out, "## Latency targets (M/M/c, Erlang C)\n");
        let _ = writeln!(out, "| milestone | tier | target | arrivals/s | units it needs | units planned | sized by | that quantile at plan | utilisation ceiling |");
        let _ = writeln!(out, "|---|---|---|---:|---:|---:|---|---:|---:|");
        for (milestone, tier) in with_latency {
            for l in &tier.latency_targets {
                let _ = writeln!(
                    out,
                    "| {milestone} | {} | {}: p{} <= {} s | {:.2} | {} | {} | {} | {} | {} |",
                    tier.tier,
                    l.name,
                    l.quantile * 100.0,
                    l.seconds,
                    l.arrival_rate,
                    l.units_needed.map(|u| u.to_string()).unwrap_or_else(|| "none meets it".into()),
                    tier.units,
                    sized_by(tier, l),
                    l.quantile_at_plan.map(|q| format!("{q:.3} s")).unwrap_or_else(|| "-".into()),
                    l.utilisation_ceiling.map(percent).unwrap_or_else(|| "-".into())
                );
            }
        }
        let _ = writeln!(
            out,
            "\nThe utilisation ceiling is the highest utilisation at which the planned units still meet the target; the headroom line is {}.\n",
            percent(1.0 - plan.headroom)
        );
    }
    let scaled = tiers_where(plan, |t| t.scalability.is_some());
    if !scaled.is_empty() {
        let _ = writeln!(out, "## Scalability across units (USL)\n");
        for (milestone, tier) in scaled {
            if let Some(usl) = &tier.scalability {
                let _ = writeln!(
                    out,
                    "- {milestone}, `{}`: {} (from {})",
                    tier.tier, usl.note, usl.source
                );
            }
        }
        out.push('\n');
    }
    if !plan.runway.is_empty() {
        let _ = writeln!(out, "## Runway of today's deployment\n");
        let _ = writeln!(
            out,
            "| tier | today | breaks headroom | on | utilisation then |\n|---|---|---|---|---:|"
        );
        for entry in &plan.runway {
            let _ = writeln!(
                out,
                "| {} | {} x {} | {} | {} | {} |",
                entry.tier,
                entry.current_units,
                entry.current_instance,
                month(entry.month, plan.horizon_months),
                entry.dimension,
                percent(entry.utilisation)
            );
        }
        out.push('\n');
    }
    if let Some(c) = &plan.commitment {
        out.push_str(&commitment_section(c, true, false));
        out.push('\n');
        if commitment_svg(plan).is_some() {
            let _ = writeln!(
                out,
                "![Monthly cost with the commitments, against all on demand]({}.commitment.svg)\n",
                plan.profile.id
            );
        }
    }
    if let Some(audit) = audit {
        out.push_str(&audit_markdown(audit));
        out.push('\n');
    }
    if !plan.triggers.is_empty() {
        let _ = writeln!(out, "## Triggers\n");
        for t in &plan.triggers {
            let fires = super::trigger_today(t);
            let _ = writeln!(
                out,
                "- **{}** ({}): \"{}\". {}.{fires}",
                t.name,
                t.tier,
                t.text,
                sentence(&t.note)
            );
        }
        out.push('\n');
    }
    if !plan.advice.is_empty() {
        let _ = writeln!(out, "## Recommendations (from the document)\n");
        for a in &plan.advice {
            let suits = a
                .suitable_for
                .as_ref()
                .map(|s| format!(" (suitable for: {s})"))
                .unwrap_or_default();
            let _ = writeln!(out, "**{}**{suits}\n", a.horizon);
            for item in &a.items {
                let _ = writeln!(out, "- {item}");
            }
            out.push('\n');
        }
    }
    if !plan.calibrations.is_empty() {
        let _ = writeln!(out, "## Calibrated capacities (from load tests)\n");
        for (tier, c) in &plan.calibrations {
            let peak =
                |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "none".into());
            let _ = writeln!(
                out,
                "- `{tier}` {} {} = {:.3} ({}) from a USL fit of `{}` ({}, {} points): σ = {:.5}, κ = {:.3e}, λ = {:.3}, R² = {:.4}, N* = {}, X(N*) = {}",
                c.instance,
                c.dimension,
                c.value,
                c.measure,
                c.file,
                c.format,
                c.points,
                c.sigma,
                c.kappa,
                c.lambda,
                c.r_squared,
                peak(c.peak_concurrency),
                peak(c.peak_throughput)
            );
        }
        out.push('\n');
    }
    if !plan.assumptions.is_empty() {
        let _ = writeln!(out, "## Assumptions (not in the source document)\n");
        for (key, why) in &plan.assumptions {
            let _ = writeln!(out, "- `{key}`: {why}");
        }
    }
    out
}

pub(super) fn audit_markdown(audit: &Audit) -> String {
    let mut out = String::from("## Audit: the document's plan against its own rules\n\n");
    let _ = writeln!(out, "| {} |", AUDIT_COLUMNS.join(" | "));
    out.push_str("|---|---|---|---|---|---:|---|---|\n");
    for row in &audit.rows {
        md_row(
            &mut out,
            &[
                &row.milestone,
                &row.tier,
                &row.column,
                &row.published,
                &row.computed,
                &row.delta.map(number).unwrap_or_default(),
                &row.verdict,
                &row.explanation.replace('|', "\\|"),
            ],
        );
    }
    out
}

/// A simulation as a Markdown section of the report.
pub fn simulation_markdown(sim: &crate::simulate::Simulation) -> String {
    let mut out = format!(
        "## Uncertainty (Monte Carlo, {} draws, seed {})\n\nInputs drawn (`[uncertainty.inputs]`):\n\n",
        sim.draws, sim.seed
    );
    for (key, distribution) in &sim.inputs {
        let _ = writeln!(
            out,
            "- `{key}`: `{}`",
            serde_json::to_string(distribution).unwrap_or_default()
        );
    }
    if let Some(note) = super::settling_note(sim) {
        let _ = writeln!(out, "\n{note}.");
    }
    out.push_str("\n| milestone | tier | units P50 / P90 / P99 | monthly cost P50 / P90 / P99 |\n|---|---|---|---|\n");
    for m in &sim.milestones {
        for tier in &m.tiers {
            md_row(
                &mut out,
                &[
                    &m.name,
                    &tier.tier,
                    &units_at_quantiles(tier).join(" / "),
                    &band(&tier.monthly_cost, dollars),
                ],
            );
        }
        let _ = writeln!(out, "| {} | total | | {} |", m.name, band(&m.monthly_cost, dollars));
    }
    let notes = super::sampling_notes(sim);
    if !notes.is_empty() {
        let _ = writeln!(out, "\n{}:\n", super::sampling_heading(sim));
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    if !sim.breach.is_empty() {
        out.push_str("\nProbability that today's deployment has broken its headroom by each month:\n\n| month | any tier |");
        let tiers: Vec<&String> = sim.breach[0].by_tier.keys().collect();
        for tier in &tiers {
            let _ = write!(out, " {tier} |");
        }
        let _ = writeln!(out, "\n|---:|---:|{}", "---:|".repeat(tiers.len()));
        for month in &sim.breach {
            let _ = write!(out, "| {} | {} |", month.month, percent(month.probability));
            for tier in &tiers {
                let _ = write!(out, " {} |", percent(month.by_tier[*tier]));
            }
            out.push('\n');
        }
    }
    if let Some(line) = super::runs_out_line(sim) {
        let _ = writeln!(out, "\n{line}.");
    }
    for line in [super::triggers_line(sim), super::trigger_leads_line(sim)].into_iter().flatten() {
        let _ = writeln!(out, "\n{line}.");
    }
    if !sim.published.is_empty() {
        out.push_str("\nThe document's published plan against the draws: the share whose need each cell meets (units and instance sizes at most the published ones, the total cost at most the published figure; an open range such as \"10+\" or a sharded tier covers at least what its lower end does, \"or more\"):\n\n| milestone | tier | column | published | covers |\n|---|---|---|---|---:|\n");
        for cell in &sim.published {
            md_row(
                &mut out,
                &[&cell.milestone, &cell.tier, &cell.column, &cell.published, &cell.share()],
            );
        }
    }
    for MonthGrid { what, tiers, rows } in month_grids(sim) {
        let _ = write!(out, "\n{what}, P50 / P90 / P99 over the draws:\n\n| month |");
        for tier in &tiers {
            let _ = write!(out, " {tier} |");
        }
        let _ = writeln!(out, "\n|---:|{}", "---:|".repeat(tiers.len()));
        for row in rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
    }
    if let Some(c) = &sim.commitment {
        out.push_str(&commitment_section(c, true, true));
    }
    out
}
