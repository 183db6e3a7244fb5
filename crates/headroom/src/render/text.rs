//! The terminal forms: plan and audit tables, explain, summary, simulation.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment};

use super::*;

pub(super) fn plan_table(plan: &Plan) -> String {
    let mut out = headline(plan);
    out.push('\n');
    let mut t = table();
    t.set_header([
        "milestone",
        "drivers",
        "tier",
        "units",
        "instance",
        "bottleneck",
        "utilisation",
        "monthly cost",
    ]);
    for milestone in &plan.milestones {
        let drivers: Vec<String> =
            milestone.drivers.iter().map(|(k, v)| format!("{k} {}", number(*v))).collect();
        for (i, tier) in milestone.tiers.iter().enumerate() {
            t.add_row(vec![
                Cell::new(if i == 0 { milestone.name.as_str() } else { "" }),
                Cell::new(if i == 0 { drivers.join(", ") } else { String::new() }),
                Cell::new(&tier.tier),
                Cell::new(tier.units).set_alignment(CellAlignment::Right),
                Cell::new(instance_cell(tier)),
                Cell::new(&tier.bottleneck),
                Cell::new(percent(tier.utilisation)).set_alignment(CellAlignment::Right),
                Cell::new(dollars(tier.monthly_cost)).set_alignment(CellAlignment::Right),
            ]);
        }
        t.add_row(vec![
            Cell::new(""),
            Cell::new(""),
            Cell::new("total"),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            Cell::new(dollars(milestone.monthly_cost)).set_alignment(CellAlignment::Right),
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    if !plan.runway.is_empty() {
        let mut r = table();
        r.set_header(["tier", "today", "breaks headroom", "on", "utilisation then"]);
        for entry in &plan.runway {
            r.add_row(vec![
                entry.tier.clone(),
                format!("{} x {}", entry.current_units, entry.current_instance),
                month(entry.month, plan.horizon_months),
                entry.dimension.clone(),
                percent(entry.utilisation),
            ]);
        }
        out.push_str("\nRunway of today's deployment\n");
        out.push_str(&r.to_string());
        out.push('\n');
    }
    if let Some(c) = &plan.commitment {
        out.push_str(&commitment_section(c, false, false));
    }
    let findings: Vec<_> = plan.triggers.iter().filter(|t| t.kind != "monitor").collect();
    if !findings.is_empty() {
        out.push_str("\nTriggers\n");
        for finding in findings {
            let fires = super::trigger_today(finding);
            let _ = writeln!(out, "- {}: {}.{fires}", finding.name, finding.note);
        }
    }
    out
}

pub(super) fn audit_table(audit: &Audit) -> String {
    if audit.rows.is_empty() {
        return format!(
            "audit of {}: the configuration has no published plan; add `[[published]]` cells to audit one\n",
            audit.profile.id
        );
    }
    let mut out = format!(
        "audit of {} {}: published plan against the computed plan\n",
        audit.profile.id, audit.profile.version
    );
    let mut t = table();
    t.set_header(AUDIT_COLUMNS);
    for row in &audit.rows {
        t.add_row(vec![
            row.milestone.clone(),
            row.tier.clone(),
            row.column.clone(),
            row.published.clone(),
            row.computed.clone(),
            row.delta.map(number).unwrap_or_default(),
            row.verdict.clone(),
            wrap(&row.explanation, 72),
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    out
}

/// The arithmetic of one tier at every milestone, to check by hand.
pub fn explain(plan: &Plan, tier_key: &str) -> Result<String, Error> {
    let known: Vec<String> = plan
        .milestones
        .first()
        .map(|m| m.tiers.iter().map(|t| t.tier.clone()).collect())
        .unwrap_or_default();
    if !known.iter().any(|k| k == tier_key) {
        return Err(Error::Config {
            profile: plan.profile.id.clone(),
            message: format!("unknown tier `{tier_key}`; tiers: {}", known.join(", ")),
        });
    }
    let h = plan.headroom;
    let mut out = format!("{}\ntier `{tier_key}`: units = ceil(load / (capacity per unit x (1 - headroom))) on every dimension; the largest wins\n", headline(plan));
    for milestone in &plan.milestones {
        let Some(tier) = milestone.tiers.iter().find(|t| t.tier == tier_key) else { continue };
        let drivers: Vec<String> =
            milestone.drivers.iter().map(|(k, v)| format!("{k} = {}", number(*v))).collect();
        let _ = writeln!(out, "\n{} ({})", milestone.name, drivers.join(", "));
        for d in &tier.dimensions {
            let mut sources = Vec::new();
            if d.from_drivers > 0.0 || d.fan_in.is_empty() {
                sources.push(format!("{:.3} from drivers", d.from_drivers));
            }
            for f in &d.fan_in {
                sources.push(format!(
                    "{} {} x {} = {}",
                    f.tier,
                    counted(f.units, "unit"),
                    number(f.per_unit),
                    number(f64::from(f.units) * f.per_unit)
                ));
            }
            let _ =
                writeln!(out, "  {}: load {:.3} ({})", d.dimension, d.load, sources.join(" + "));
            let _ = writeln!(
                out,
                "    usable per unit = {} x (1 - {h}) = {:.3}; units needed = ceil({:.3} / {:.3}) = {}; utilisation at {} = {:.3} / ({} x {}) = {}",
                number(d.capacity_per_unit),
                d.usable_per_unit,
                d.load,
                d.usable_per_unit,
                d.units_needed,
                counted(tier.units, "unit"),
                d.load,
                tier.units,
                number(d.capacity_per_unit),
                percent(d.utilisation)
            );
        }
        for step in &tier.ladder_steps {
            let _ = writeln!(
                out,
                "  ladder: {} needs {}",
                step.instance,
                counted(step.units_needed, "instance")
            );
        }
        for (metric, value) in &tier.metrics {
            let _ = writeln!(out, "  metric {metric} = {value:.3} (no capacity limits it)");
        }
        if let Some(usl) = &tier.scalability {
            let _ = writeln!(
                out,
                "  scalability (USL across units, from {}): {}",
                usl.source, usl.note
            );
        }
        for l in &tier.latency_targets {
            let _ = writeln!(
                out,
                "  latency target {}: p{} <= {} s as M/M/c (Erlang C) with λ = {:.3}/s, S = {} s, {} workers a unit: {}; at {} p{} = {}; {}",
                l.name,
                l.quantile * 100.0,
                l.seconds,
                l.arrival_rate,
                l.service_time,
                l.workers_per_unit,
                l.units_needed
                    .map_or_else(|| "no unit count meets it".into(), |u| counted(u, "unit") + " needed"),
                counted(tier.units, "unit"),
                l.quantile * 100.0,
                l.quantile_at_plan.map(|q| format!("{q:.4} s")).unwrap_or_else(|| "unbounded".into()),
                l.note
            );
        }
        if !tier.latency_targets.is_empty() {
            match binding_target(tier) {
                Some(l) => {
                    let _ = writeln!(out, "  sized by latency target {}", l.name);
                }
                None => {
                    let _ = writeln!(out, "  sized by {}", tier.sized_by);
                }
            }
        }
        let _ = writeln!(
            out,
            "  bottleneck {}: {} needed by load; max with min {} → {}, + N+{} → {}, rounded to {} → {} of {}",
            tier.bottleneck,
            tier.needed_by_load,
            tier.min_units,
            tier.needed_by_load.max(tier.min_units),
            tier.redundancy,
            tier.needed_by_load.max(tier.min_units) + tier.redundancy,
            counted(tier.zones, "zone"),
            counted(tier.units, "unit"),
            instance_cell(tier)
        );
        let _ = writeln!(
            out,
            "  cost = {} x ${}/h x 730 h = {}",
            counted(tier.units, "unit"),
            tier.hourly_price,
            dollars(tier.monthly_cost)
        );
    }
    let triggers: Vec<_> = plan.triggers.iter().filter(|t| t.tier == tier_key).collect();
    if !triggers.is_empty() {
        let _ =
            writeln!(out, "\ntriggers on `{tier_key}` (the document's words, against the plan):");
        for t in triggers {
            let fires = super::trigger_today(t);
            let _ = writeln!(out, "  {} ({}, \"{}\"): {}.{fires}", t.name, t.kind, t.text, t.note);
        }
    }
    if let Some(c) = plan.commitment.as_ref().filter(|c| c.note.is_none()) {
        explain_commitment(&mut out, c, tier_key);
    }
    Ok(out)
}

/// "1st", "2nd", "3rd", "11th", "22nd"…
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// For `explain`: the break-even arithmetic of each of the tier's
/// commitments, from the months' units to the term's cost.
fn explain_commitment(out: &mut String, c: &crate::plan::CommitmentPlan, tier_key: &str) {
    let term = c.term_months;
    for t in c.tiers.iter().filter(|t| t.tier == tier_key) {
        let _ = writeln!(out, "\ncommitment of {} over the {term}-month term:", t.instance);
        let units: Vec<String> = t.months_units.iter().map(|u| number(*u)).collect();
        let _ = writeln!(out, "  months 0 to {} need {}", term - 1, units.join(", "));
        if t.discount == 0.0 {
            let _ = writeln!(out, "  kept on demand (its discount is 0): {}", dollars(t.cost));
            continue;
        }
        // Whole months print whole: 8.4 stays 8.40, 9.0000000001 is 9.
        let months = |share: f64| number((share * f64::from(term) * 1e6).round() / 1e6);
        let needed = t
            .last_unit_use
            .map(|u| format!("the {} is needed {} months and ", ordinal(t.units), months(u)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  at {} off a unit pays committed when needed more than {} of the {term} months ({}): {needed}the {} {} months → commit to {}",
            percent(t.discount),
            percent(1.0 - t.discount),
            months(1.0 - t.discount),
            ordinal(t.units + 1),
            if t.last_unit_use.is_some() { months(t.next_unit_use) } else { format!("is needed {}", months(t.next_unit_use)) },
            t.units
        );
        let above = t.cost - t.committed_cost;
        let _ = writeln!(
            out,
            "  committed {} x {term} months x {} x (1 - {}) = {}; on demand above them {} unit-months{} = {}; together {} against {} all on demand",
            t.units,
            dollars_cents(t.unit_monthly_cost),
            number(t.discount),
            dollars_cents(t.committed_cost),
            number((t.above_unit_months * 1e6).round() / 1e6),
            // One price a unit unless a ladder's rungs price a size unit apart.
            if (above - t.above_unit_months * t.unit_monthly_cost).abs() < 0.005 {
                format!(" x {}", dollars_cents(t.unit_monthly_cost))
            } else {
                " at each rung's price".to_string()
            },
            dollars_cents(above),
            dollars_cents(t.cost),
            dollars_cents(t.on_demand_cost)
        );
    }
}

/// Dollars to the cent, for arithmetic a reader checks: `$5,886.72`.
fn dollars_cents(value: f64) -> String {
    let cents = (value * 100.0).round();
    format!("{}.{:02}", dollars((cents / 100.0).trunc()), (cents.abs() % 100.0) as u32)
}

/// A few lines per profile for `cargo xtask report`'s one-screen summary.
pub fn summary(plan: &Plan, audit: &Audit) -> String {
    let mut out = format!("{} ({}):\n", plan.profile.id, plan.profile.source);
    for milestone in &plan.milestones {
        let tiers: Vec<String> = milestone
            .tiers
            .iter()
            .map(|t| {
                if t.ladder_steps.is_empty() {
                    format!("{} {}", t.tier, t.units)
                } else {
                    format!("{} {}x{}", t.tier, t.units, t.instance)
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "  {:<22} {}  {}/month",
            milestone.name,
            tiers.join(", "),
            dollars(milestone.monthly_cost)
        );
    }
    if !plan.runway.is_empty() {
        let runway: Vec<String> = plan
            .runway
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.tier,
                    r.month
                        .map(|m| format!("month {m}"))
                        .unwrap_or_else(|| "beyond horizon".into())
                )
            })
            .collect();
        let _ = writeln!(out, "  runway of today's deployment: {}", runway.join(", "));
    }
    let count = |verdict: &str| audit.rows.iter().filter(|r| r.verdict == verdict).count();
    let _ = writeln!(
        out,
        "  audit: {} cells: {} match, {} within range, {} over-provisioned, {} under-provisioned",
        audit.rows.len(),
        count("match"),
        count("within-range"),
        count("over-provisioned"),
        count("under-provisioned")
    );
    // A latency target no unit count meets, once a tier and target: the
    // plan cannot keep it however it grows, which a summary must not hide.
    let mut unmet: Vec<(&str, &str, &str)> = Vec::new();
    for tier in plan.milestones.iter().flat_map(|m| &m.tiers) {
        for l in tier.latency_targets.iter().filter(|l| l.units_needed.is_none()) {
            if !unmet.contains(&(tier.tier.as_str(), l.name.as_str(), l.note.as_str())) {
                unmet.push((tier.tier.as_str(), l.name.as_str(), l.note.as_str()));
            }
        }
    }
    for (tier, name, note) in unmet {
        let _ = writeln!(out, "  latency target `{name}` of {tier}: {note}");
    }
    out
}

/// For `explain`: each uncertain input that moves `tier_key`, alone from its
/// low to its high quantile, and what it does to the tier's units (and
/// instance) at each milestone it moves.
pub fn explain_sensitivity(s: &crate::simulate::Sensitivity, tier_key: &str) -> String {
    let (low, high) = (quantile_label(s.low_quantile), quantile_label(s.high_quantile));
    let mut out = format!(
        "\nsensitivity of `{tier_key}` (each input alone from its {low} to its {high}, the others at their medians):\n"
    );
    let mut any = false;
    for input in &s.inputs {
        let moves: Vec<String> = input
            .low
            .iter()
            .zip(&input.high)
            .filter_map(|(l, h)| {
                let a = l.tiers.iter().find(|t| t.tier == tier_key)?;
                let b = h.tiers.iter().find(|t| t.tier == tier_key)?;
                Some(format!("{} at {}", tier_change(a, b)?, l.milestone))
            })
            .collect();
        if !moves.is_empty() {
            any = true;
            let _ = writeln!(
                out,
                "  `{}` {} → {}: {}",
                input.input,
                number(input.low_value),
                number(input.high_value),
                moves.join("; ")
            );
        }
    }
    if !any {
        out.push_str("  no input moves it\n");
    }
    out
}

/// The sensitivity run in one line for `report`'s summary: the input that
/// moves the cost most, and by how much where.
pub fn sensitivity_summary(s: &crate::simulate::Sensitivity) -> String {
    match s.inputs.first() {
        Some(top) => format!(
            "  moves the cost most: `{}` ({} to {}: {} a month at {})\n",
            top.input,
            quantile_label(s.low_quantile),
            quantile_label(s.high_quantile),
            dollars(top.cost_swing),
            top.milestone
        ),
        None => String::new(),
    }
}

/// A simulation's lines of the report's summary: the monthly cost, as
/// P50 / P90 / P99, of the last milestone the draws make uncertain, and the
/// published cell that covers the fewest draws.
pub fn simulation_summary(sim: &crate::simulate::Simulation) -> String {
    let uncertain = sim.milestones.iter().rev().find(|m| m.monthly_cost.p99 != m.monthly_cost.p50);
    let mut out = match uncertain.or(sim.milestones.last()) {
        Some(m) => format!(
            "  uncertainty ({} draws): {} cost P50 / P90 / P99 {}\n",
            sim.draws,
            m.name,
            band(&m.monthly_cost, dollars)
        ),
        None => String::new(),
    };
    // The published cell the draws most often outgrow (the first of
    // equals), where one falls short of some of them; a lower bound ("0% or
    // more" of an open range) only where no cell's share is known exactly.
    let least = sim
        .published
        .iter()
        .filter(|c| c.covers < 1.0)
        .min_by(|a, b| a.at_least.cmp(&b.at_least).then(a.covers.total_cmp(&b.covers)));
    if let Some(c) = least {
        let _ = writeln!(
            out,
            "  the document's {} {} {} \"{}\" covers {} of the draws",
            c.milestone,
            c.tier,
            c.column,
            c.published,
            c.share()
        );
    }
    out
}

/// A Monte Carlo simulation as tables.
pub fn simulation(sim: &crate::simulate::Simulation) -> String {
    let mut out = format!(
        "{} {}: Monte Carlo of {} draws, seed {}, over {}\n",
        sim.profile.id,
        sim.profile.version,
        sim.draws,
        sim.seed,
        counted(sim.inputs.len(), "uncertain input")
    );
    for (key, distribution) in &sim.inputs {
        let _ =
            writeln!(out, "  {key}: {}", serde_json::to_string(distribution).unwrap_or_default());
    }
    if let Some(note) = super::settling_note(sim) {
        let _ = writeln!(out, "{note}");
    }
    let mut t = table();
    t.set_header(["milestone", "tier", "units P50", "P90", "P99", "cost P50", "P90", "P99"]);
    for m in &sim.milestones {
        for (i, tier) in m.tiers.iter().enumerate() {
            let [p50, p90, p99] = units_at_quantiles(tier);
            t.add_row(vec![
                if i == 0 { m.name.clone() } else { String::new() },
                tier.tier.clone(),
                p50,
                p90,
                p99,
                dollars(tier.monthly_cost.p50),
                dollars(tier.monthly_cost.p90),
                dollars(tier.monthly_cost.p99),
            ]);
        }
        t.add_row(vec![
            String::new(),
            "total".into(),
            String::new(),
            String::new(),
            String::new(),
            dollars(m.monthly_cost.p50),
            dollars(m.monthly_cost.p90),
            dollars(m.monthly_cost.p99),
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    let notes = super::sampling_notes(sim);
    if !notes.is_empty() {
        let _ = writeln!(out, "\n{}", super::sampling_heading(sim));
        for note in notes {
            let _ = writeln!(out, "  {note}");
        }
    }
    if !sim.breach.is_empty() {
        let tiers: Vec<&String> = sim.breach[0].by_tier.keys().collect();
        let mut b = table();
        let mut header = vec!["month".to_string(), "P(today's deployment broken)".to_string()];
        header.extend(tiers.iter().map(|t| t.to_string()));
        b.set_header(header);
        for month in &sim.breach {
            let mut row = vec![month.month.to_string(), percent(month.probability)];
            row.extend(tiers.iter().map(|t| percent(month.by_tier[*t])));
            b.add_row(row);
        }
        out.push_str(
            "\nProbability that today's deployment has broken its headroom by each month\n",
        );
        out.push_str(&b.to_string());
        out.push('\n');
    }
    if let Some(line) = super::runs_out_line(sim) {
        let _ = writeln!(out, "\n{line}");
    }
    for line in [super::triggers_line(sim), super::trigger_leads_line(sim)].into_iter().flatten() {
        let _ = writeln!(out, "{line}");
    }
    if !sim.published.is_empty() {
        let mut c = table();
        c.set_header(["milestone", "tier", "column", "published", "covers (share of draws)"]);
        for cell in &sim.published {
            c.add_row(vec![
                cell.milestone.clone(),
                cell.tier.clone(),
                cell.column.clone(),
                cell.published.clone(),
                cell.share(),
            ]);
        }
        out.push_str("\nThe document's published plan against the draws: the share whose need each cell meets\n");
        out.push_str(&c.to_string());
        out.push('\n');
    }
    for MonthGrid { what, tiers, rows } in month_grids(sim) {
        let mut grid = table();
        let mut header = vec!["month".to_string()];
        header.extend(tiers.iter().map(|t| format!("{t} P50 / P90 / P99")));
        grid.set_header(header);
        for row in rows {
            grid.add_row(row);
        }
        let _ = writeln!(out, "\n{what}, over the draws");
        out.push_str(&grid.to_string());
        out.push('\n');
    }
    if let Some(c) = &sim.commitment {
        out.push_str(&commitment_section(c, false, true));
    }
    out
}

/// The uncertainty bands of one tier, for `headroom explain`.
pub fn explain_bands(sim: &crate::simulate::Simulation, tier_key: &str) -> String {
    let mut out = format!(
        "\nuncertainty of `{tier_key}` (Monte Carlo, {} draws, seed {}; inputs: {}):\n",
        sim.draws,
        sim.seed,
        sim.inputs.keys().cloned().collect::<Vec<_>>().join(", ")
    );
    for m in &sim.milestones {
        if let Some(tier) = m.tiers.iter().find(|t| t.tier == tier_key) {
            // How sure the draws are of each, where they are not of one figure.
            let shown = super::units_with_ranges(tier);
            let sure =
                !super::units_moved(tier) || shown.iter().all(|(value, range)| value == range);
            let ranges: Vec<&str> = shown.iter().map(|(_, range)| range.as_str()).collect();
            let _ = writeln!(
                out,
                "  {}: units (P50 / P90 / P99) {}{}; cost {}",
                m.name,
                units_at_quantiles(tier).join(" / "),
                if sure { String::new() } else { format!(" (95%: {})", ranges.join(" / ")) },
                band(&tier.monthly_cost, dollars)
            );
        }
    }
    if sim.breach.first().is_some_and(|m| m.by_tier.contains_key(tier_key)) {
        let by = |share| super::broken_by(sim, tier_key, share);
        let _ = writeln!(
            out,
            "  today's deployment breaks its headroom: in half the draws by {}, in 90% by {}",
            by(0.5),
            by(0.9)
        );
    }
    for trigger in sim.triggers.iter().filter(|t| t.tier == tier_key) {
        let month = super::month_or_beyond;
        let _ = writeln!(
            out,
            "  trigger {} fires on today's deployment: in half the draws by {}, in 90% by {} (as planned: {}); before its headroom breaks in {} of the draws, the same month in {}, too late in {}",
            trigger.name,
            month(trigger.half),
            month(trigger.nine_in_ten),
            month(trigger.planned_month),
            super::percent(trigger.ahead),
            super::percent(trigger.same_month),
            super::percent(trigger.too_late)
        );
    }
    for cell in sim.published.iter().filter(|c| c.tier == tier_key) {
        let _ = writeln!(
            out,
            "  the document's {} at {}, \"{}\", covers {} of the draws",
            cell.column,
            cell.milestone,
            cell.published,
            cell.share()
        );
    }
    out
}
