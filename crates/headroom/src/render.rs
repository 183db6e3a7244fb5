//! Renderers: a plan or an audit as a terminal table, Markdown, JSON or CSV,
//! and the arithmetic of one tier for `headroom explain`.
//!
//! Renderers take finished data and return text; they compute nothing the
//! plan or the audit does not already hold.

use std::fmt::Write as _;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use crate::audit::Audit;
use crate::plan::{Plan, TierPlan};
use crate::Error;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// Markdown.
    Markdown,
    /// JSON (schema in `schemas/`).
    Json,
    /// CSV, one row per milestone and tier (plan) or per cell (audit).
    Csv,
}

fn percent(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{:.1}%", fraction * 100.0)
    } else {
        "∞".to_string()
    }
}

/// A dollar amount with thousands separators, no cents.
pub fn dollars(value: f64) -> String {
    let whole = value.round() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}${grouped}", if whole < 0 { "-" } else { "" })
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn month(month: Option<u32>, horizon: u32) -> String {
    match month {
        Some(m) => format!("month {m}"),
        None => format!("beyond month {horizon}"),
    }
}

fn instance_cell(tier: &TierPlan) -> String {
    if tier.beyond_ladder {
        format!("{} (sharded)", tier.instance)
    } else {
        tier.instance.clone()
    }
}

/// Greedy word wrap, so long explanations stay readable in a terminal.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

fn table() -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table
}

/// A plan in `format`.
pub fn plan(plan: &Plan, format: Format) -> Result<String, Error> {
    Ok(match format {
        Format::Table => plan_table(plan),
        Format::Markdown => plan_markdown(plan, None),
        Format::Json => json(plan),
        Format::Csv => plan_csv(plan),
    })
}

/// An audit in `format`.
pub fn audit(audit: &Audit, format: Format) -> Result<String, Error> {
    Ok(match format {
        Format::Table => audit_table(audit),
        Format::Markdown => audit_markdown(audit),
        Format::Json => json(audit),
        Format::Csv => audit_csv(audit),
    })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Plain data of our own types: serialising cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn headline(plan: &Plan) -> String {
    format!(
        "{} {}: {} (headroom {}{})",
        plan.profile.id,
        plan.profile.version,
        plan.profile.source,
        percent(plan.headroom),
        plan.growth_curve
            .as_ref()
            .map(|c| format!(", {c} growth over {} months", plan.horizon_months))
            .unwrap_or_default()
    )
}

fn plan_table(plan: &Plan) -> String {
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
    let findings: Vec<_> = plan.triggers.iter().filter(|t| t.kind != "monitor").collect();
    if !findings.is_empty() {
        out.push_str("\nTriggers\n");
        for finding in findings {
            let fires = finding
                .fires_month
                .map(|m| format!(" Today's deployment crosses it at month {m}."))
                .unwrap_or_default();
            let _ = writeln!(out, "- {}: {}.{fires}", finding.name, finding.note);
        }
    }
    out
}

fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    // Writing to memory cannot fail.
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn plan_csv(plan: &Plan) -> String {
    let header = [
        "profile",
        "milestone",
        "month",
        "tier",
        "units",
        "instance",
        "bottleneck",
        "utilisation",
        "monthly_cost",
    ];
    let rows = plan.milestones.iter().flat_map(|milestone| {
        milestone.tiers.iter().map(move |tier| {
            vec![
                plan.profile.id.clone(),
                milestone.name.clone(),
                milestone.month.map(|m| m.to_string()).unwrap_or_default(),
                tier.tier.clone(),
                tier.units.to_string(),
                tier.instance.clone(),
                tier.bottleneck.clone(),
                format!("{:.4}", tier.utilisation),
                format!("{:.2}", tier.monthly_cost),
            ]
        })
    });
    csv_text(&header, rows)
}

/// Every (milestone name, tier) of the plan whose tier satisfies `keep`.
fn tiers_where(plan: &Plan, keep: impl Fn(&TierPlan) -> bool) -> Vec<(&str, &TierPlan)> {
    plan.milestones
        .iter()
        .flat_map(|m| m.tiers.iter().map(move |t| (m.name.as_str(), t)))
        .filter(|(_, t)| keep(t))
        .collect()
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
    let with_latency = tiers_where(plan, |t| t.latency.is_some());
    if !with_latency.is_empty() {
        let _ = writeln!(out, "## Latency targets (M/M/c, Erlang C)\n");
        let _ = writeln!(out, "| milestone | tier | target | arrivals/s | units it needs | units planned | sized by | that quantile at plan | utilisation ceiling |");
        let _ = writeln!(out, "|---|---|---|---:|---:|---:|---|---:|---:|");
        for (milestone, tier) in with_latency {
            if let Some(l) = &tier.latency {
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
                    tier.sized_by,
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
    }
    if let Some(audit) = audit {
        out.push_str(&audit_markdown(audit));
        out.push('\n');
    }
    if !plan.triggers.is_empty() {
        let _ = writeln!(out, "## Triggers\n");
        for t in &plan.triggers {
            let fires = t
                .fires_month
                .map(|m| format!(" Today's deployment crosses it at month {m}."))
                .unwrap_or_default();
            let _ =
                writeln!(out, "- **{}** ({}): \"{}\". {}.{fires}", t.name, t.tier, t.text, t.note);
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

fn audit_table(audit: &Audit) -> String {
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

fn audit_markdown(audit: &Audit) -> String {
    let mut out = String::from("## Audit: the document's plan against its own rules\n\n");
    let _ = writeln!(out, "| {} |", AUDIT_COLUMNS.join(" | "));
    out.push_str("|---|---|---|---|---|---:|---|---|\n");
    for row in &audit.rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.milestone,
            row.tier,
            row.column,
            row.published,
            row.computed,
            row.delta.map(number).unwrap_or_default(),
            row.verdict,
            row.explanation.replace('|', "\\|")
        );
    }
    out
}

/// The columns of an audit, in every format.
const AUDIT_COLUMNS: [&str; 8] =
    ["milestone", "tier", "column", "published", "computed", "delta", "verdict", "explanation"];

fn audit_csv(audit: &Audit) -> String {
    let mut header = vec!["profile"];
    header.extend(AUDIT_COLUMNS);
    let rows = audit.rows.iter().map(|row| {
        vec![
            audit.profile.id.clone(),
            row.milestone.clone(),
            row.tier.clone(),
            row.column.clone(),
            row.published.clone(),
            row.computed.clone(),
            row.delta.map(|d| d.to_string()).unwrap_or_default(),
            row.verdict.clone(),
            row.explanation.clone(),
        ]
    });
    csv_text(&header, rows)
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
                    "{} {} units x {} = {}",
                    f.tier,
                    f.units,
                    number(f.per_unit),
                    number(f64::from(f.units) * f.per_unit)
                ));
            }
            let _ =
                writeln!(out, "  {}: load {:.3} ({})", d.dimension, d.load, sources.join(" + "));
            let _ = writeln!(
                out,
                "    usable per unit = {} x (1 - {h}) = {:.3}; units needed = ceil({:.3} / {:.3}) = {}; utilisation at {} units = {:.3} / ({} x {}) = {}",
                number(d.capacity_per_unit),
                d.usable_per_unit,
                d.load,
                d.usable_per_unit,
                d.units_needed,
                tier.units,
                d.load,
                tier.units,
                number(d.capacity_per_unit),
                percent(d.utilisation)
            );
        }
        for step in &tier.ladder_steps {
            let _ = writeln!(
                out,
                "  ladder: {} needs {} instance(s)",
                step.instance, step.units_needed
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
        if let Some(l) = &tier.latency {
            let _ = writeln!(
                out,
                "  latency target {}: p{} <= {} s as M/M/c (Erlang C) with λ = {:.3}/s, S = {} s, {} workers a unit: {} unit(s) needed; at {} units p{} = {}; {}",
                l.name,
                l.quantile * 100.0,
                l.seconds,
                l.arrival_rate,
                l.service_time,
                l.workers_per_unit,
                l.units_needed.map(|u| u.to_string()).unwrap_or_else(|| "no count".into()),
                tier.units,
                l.quantile * 100.0,
                l.quantile_at_plan.map(|q| format!("{q:.4} s")).unwrap_or_else(|| "unbounded".into()),
                l.note
            );
            let _ = writeln!(out, "  sized by {}", tier.sized_by);
        }
        let _ = writeln!(
            out,
            "  bottleneck {}: {} needed by load; max with min {} → {}, + N+{} → {}, rounded to {} zone(s) → {} units of {}",
            tier.bottleneck,
            tier.needed_by_load,
            tier.min_units,
            tier.needed_by_load.max(tier.min_units),
            tier.redundancy,
            tier.needed_by_load.max(tier.min_units) + tier.redundancy,
            tier.zones,
            tier.units,
            instance_cell(tier)
        );
        let _ = writeln!(
            out,
            "  cost = {} units x ${}/h x 730 h = {}",
            tier.units,
            tier.hourly_price,
            dollars(tier.monthly_cost)
        );
    }
    Ok(out)
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
    out
}

const PALETTE: &[&str] = &["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A line chart over months 0..n: one polyline a series (values as
/// fractions, drawn as percentages up to `y_max`), an optional dashed
/// reference line, a legend on the right.
fn line_chart(
    title: &str,
    series: &[(String, Vec<f64>)],
    y_max: f64,
    reference: Option<(f64, String)>,
    wide_first: bool,
) -> String {
    let (width, height) = (720.0, 360.0);
    let (left, right, top, bottom) = (60.0, 150.0, 40.0, 50.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(svg, "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}</text>", escape(title));
    let points = series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    let months = points.saturating_sub(1).max(1) as f64;
    let x = |m: f64| left + m / months * plot_w;
    let y = |u: f64| top + plot_h - (u.min(y_max) / y_max) * plot_h;
    for tick in 0..=4 {
        let u = y_max * f64::from(tick) / 4.0;
        let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}%</text>", left + plot_w, y(u), y(u), left - 6.0, y(u) + 4.0, u * 100.0);
    }
    for m in 0..points {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{m}</text>",
            x(m as f64),
            top + plot_h + 16.0
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">month</text>",
        left + plot_w / 2.0,
        height - 10.0
    );
    if let Some((value, label)) = reference {
        let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\">{}</text>", left + plot_w, y(value), y(value), left + plot_w + 6.0, y(value) + 4.0, escape(&label));
    }
    for (index, (name, values)) in series.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let line: Vec<String> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(m, v)| format!("{:.1},{:.1}", x(m as f64), y(*v)))
            .collect();
        // With `wide_first`, the first series (a total) is a wide band under the others.
        let stroke = if index == 0 && wide_first { 6 } else { 2 };
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{stroke}\" points=\"{}\"/>",
            line.join(" ")
        );
        let ly = top + 60.0 + index as f64 * 18.0;
        let _ = writeln!(svg, "<rect x=\"{}\" y=\"{ly:.1}\" width=\"12\" height=\"3\" fill=\"{colour}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>", left + plot_w + 6.0, left + plot_w + 22.0, ly + 5.0, escape(name));
    }
    svg.push_str("</svg>\n");
    svg
}

/// An SVG chart of a simulation: the probability, month by month, that
/// today's deployment has broken its headroom, per tier and for any tier.
pub fn simulation_svg(sim: &crate::simulate::Simulation) -> String {
    let mut series = vec![(
        "any tier".to_string(),
        sim.breach.iter().map(|m| m.probability).collect::<Vec<_>>(),
    )];
    if let Some(first) = sim.breach.first() {
        for tier in first.by_tier.keys() {
            series.push((tier.clone(), sim.breach.iter().map(|m| m.by_tier[tier]).collect()));
        }
    }
    line_chart(
        &format!(
            "{}: P(today's deployment has broken its headroom), {} draws",
            sim.profile.id, sim.draws
        ),
        &series,
        1.0,
        None,
        true,
    )
}

/// An SVG chart: with a growth curve, the utilisation today's deployment
/// would run at, month by month, per tier, against the headroom line (where
/// a line crosses it is that tier's runway); without one, the units each
/// milestone needs per tier.
pub fn runway_svg(plan: &Plan) -> String {
    let (width, height) = (720.0, 360.0);
    let (left, right, top, bottom) = (60.0, 150.0, 40.0, 50.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let tiers: Vec<String> = plan
        .milestones
        .first()
        .map(|m| m.tiers.iter().map(|t| t.tier.clone()).collect())
        .unwrap_or_default();
    if !plan.monthly.is_empty() {
        let series: Vec<(String, Vec<f64>)> = tiers
            .iter()
            .map(|tier| {
                let values = plan
                    .monthly
                    .iter()
                    .map(|m| {
                        m.tiers
                            .iter()
                            .find(|t| &t.tier == tier)
                            .and_then(|t| t.current_utilisation)
                            .unwrap_or(f64::NAN)
                    })
                    .collect();
                (tier.clone(), values)
            })
            .filter(|(_, v): &(String, Vec<f64>)| v.iter().any(|x| x.is_finite()))
            .collect();
        let peak = series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|x| x.is_finite())
            .fold(1.0_f64, f64::max);
        let line = 1.0 - plan.headroom;
        return line_chart(
            &format!("{}: utilisation of today's deployment as demand grows", plan.profile.id),
            &series,
            (peak * 1.1).min(10.0),
            Some((line, format!("headroom line {:.0}%", line * 100.0))),
            false,
        );
    } else {
        let _ = writeln!(svg, "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}: utilisation of each tier as planned, units above each bar</text>", escape(&plan.profile.id));
        let groups = plan.milestones.len().max(1) as f64;
        let group_w = plot_w / groups;
        let bar_w = group_w * 0.8 / tiers.len().max(1) as f64;
        let y = |u: f64| top + plot_h - u.min(1.0) * plot_h;
        for tick in 0..=4 {
            let u = f64::from(tick) / 4.0;
            let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}%</text>", left + plot_w, y(u), y(u), left - 6.0, y(u) + 4.0, u * 100.0);
        }
        for (g, milestone) in plan.milestones.iter().enumerate() {
            for (i, tier) in milestone.tiers.iter().enumerate() {
                let colour = PALETTE[i % PALETTE.len()];
                let bx = left + g as f64 * group_w + group_w * 0.1 + i as f64 * bar_w;
                let by = y(tier.utilisation);
                let _ = writeln!(svg, "<rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>", bar_w * 0.9, top + plot_h - by, bx + bar_w * 0.45, by - 3.0, tier.units);
            }
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                left + (g as f64 + 0.5) * group_w,
                top + plot_h + 16.0,
                escape(&milestone.name)
            );
        }
        for (i, tier) in tiers.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let ly = top + 120.0 + i as f64 * 18.0;
            let _ = writeln!(svg, "<rect x=\"{}\" y=\"{ly:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>", left + plot_w + 6.0, left + plot_w + 22.0, ly + 10.0, escape(tier));
        }
        let line = 1.0 - plan.headroom;
        let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\">headroom line {:.0}%</text>", left + plot_w, y(line), y(line), left + plot_w + 6.0, y(line) + 4.0, line * 100.0);
    }
    svg.push_str("</svg>\n");
    svg
}

/// A Monte Carlo simulation as tables.
pub fn simulation(sim: &crate::simulate::Simulation) -> String {
    let mut out = format!(
        "{} {}: Monte Carlo of {} draws, seed {}, over {} uncertain input(s)\n",
        sim.profile.id,
        sim.profile.version,
        sim.draws,
        sim.seed,
        sim.inputs.len()
    );
    for (key, distribution) in &sim.inputs {
        let _ =
            writeln!(out, "  {key}: {}", serde_json::to_string(distribution).unwrap_or_default());
    }
    let mut t = table();
    t.set_header(["milestone", "tier", "units P50", "P90", "P99", "cost P50", "P90", "P99"]);
    for m in &sim.milestones {
        for (i, tier) in m.tiers.iter().enumerate() {
            t.add_row(vec![
                if i == 0 { m.name.clone() } else { String::new() },
                tier.tier.clone(),
                number(tier.units.p50),
                number(tier.units.p90),
                number(tier.units.p99),
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
    out.push_str("\n| milestone | tier | units P50 / P90 / P99 | monthly cost P50 / P90 / P99 |\n|---|---|---|---|\n");
    for m in &sim.milestones {
        for tier in &m.tiers {
            let _ = writeln!(
                out,
                "| {} | {} | {} / {} / {} | {} / {} / {} |",
                m.name,
                tier.tier,
                number(tier.units.p50),
                number(tier.units.p90),
                number(tier.units.p99),
                dollars(tier.monthly_cost.p50),
                dollars(tier.monthly_cost.p90),
                dollars(tier.monthly_cost.p99)
            );
        }
        let _ = writeln!(
            out,
            "| {} | total | | {} / {} / {} |",
            m.name,
            dollars(m.monthly_cost.p50),
            dollars(m.monthly_cost.p90),
            dollars(m.monthly_cost.p99)
        );
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
            let _ = writeln!(
                out,
                "  {}: units P50 {} / P90 {} / P99 {}; cost P50 {} / P90 {} / P99 {}",
                m.name,
                number(tier.units.p50),
                number(tier.units.p90),
                number(tier.units.p99),
                dollars(tier.monthly_cost.p50),
                dollars(tier.monthly_cost.p90),
                dollars(tier.monthly_cost.p99)
            );
        }
    }
    out
}
