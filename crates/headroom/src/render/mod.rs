//! Renderers: a plan, an audit or a simulation as a terminal table,
//! Markdown, HTML, JSON, CSV or SVG, and the arithmetic of one tier for
//! `headroom explain`.
//!
//! Renderers take finished data and return text; they compute nothing the
//! plan, the audit or the simulation does not already hold. `text` holds the
//! terminal forms, `markdown` the report, `html` the report as one page
//! with its charts inline, `svg` the charts; this module the formats' entry
//! points and the small helpers they share.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::audit::Audit;
use crate::plan::{Plan, TierPlan};
use crate::Error;

mod diff;
mod html;
mod markdown;
mod observe;
mod svg;
mod text;

pub use diff::diff;
pub use html::report_html;
pub use observe::{observation, observation_summary};

pub use markdown::{plan_markdown, simulation_markdown};
pub use svg::{
    bands_svg, commitment_svg, cost_svg, diff_svg, drawn_commitment_svg, erlang_c_svg, growth_svg,
    observation_svg, runway_svg, sensitivity_svg, simulation_svg, triggers_svg, usl_svg,
    PublishedFigure,
};
pub use text::{
    explain, explain_bands, explain_sensitivity, sensitivity_summary, simulation,
    simulation_summary, summary,
};

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

/// A fraction as a percentage to one decimal, with as many more (up to
/// four) as it takes not to round a fraction short of 1 up to "100.0%", or
/// one above 0 down to "0.0%": a utilisation ceiling of 99.96% or a
/// probability of 99.99% is not a certainty.
pub fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "∞".to_string();
    }
    let value = fraction * 100.0;
    let misleads = |text: &String| {
        let shown: f64 = text.parse().unwrap_or(value);
        (fraction > 0.0 && shown == 0.0) || (fraction < 1.0 && shown == 100.0)
    };
    (1..=4).map(|decimals| format!("{value:.decimals$}")).find(|text| !misleads(text)).map_or_else(
        || if fraction < 0.5 { "<0.0001%".into() } else { ">99.9999%".into() },
        |text| format!("{text}%"),
    )
}

/// A tier's units at P50, P90 and P99 as a report prints them: a count, or
/// for a tier on a ladder of sizes, its deployment ("1 x db.r6i.2xlarge").
pub(super) fn units_at_quantiles(tier: &crate::simulate::TierOutcome) -> [String; 3] {
    match &tier.deployment {
        Some(d) => [d.p50.clone(), d.p90.clone(), d.p99.clone()],
        None => [number(tier.units.p50), number(tier.units.p90), number(tier.units.p99)],
    }
}

/// The latency target that set a tier's units (the one needing the most),
/// or `None` where its headroom did.
pub(super) fn binding_target(tier: &TierPlan) -> Option<&crate::plan::LatencyPlan> {
    if tier.sized_by != "latency" {
        return None;
    }
    tier.latency_targets.iter().filter(|l| l.units_needed.is_some()).max_by_key(|l| l.units_needed)
}

pub(crate) use headroom_kernel::counted;
pub(crate) use observe::utc;

/// A dollar amount with thousands separators, no cents.
pub fn dollars(value: f64) -> String {
    let whole = value.round() as i64;
    format!("{}${}", if whole < 0 { "-" } else { "" }, grouped(whole.unsigned_abs()))
}

/// A whole number with thousands separators: 1,000,000.
pub(super) fn grouped(whole: u64) -> String {
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

pub(crate) fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// A grid of per-month bands: what it shows, the tier keys, and a row a
/// month (the month, then a cell a tier).
pub(super) struct MonthGrid {
    pub(super) what: &'static str,
    pub(super) tiers: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
}

/// The per-month bands of a simulation as grids, for every format: units
/// first; then the deployment of each tier on a ladder of sizes; then
/// cost, when costs were counted.
pub(super) fn month_grids(sim: &crate::simulate::Simulation) -> Vec<MonthGrid> {
    let Some(first) = sim.monthly.first() else { return Vec::new() };
    let tiers: Vec<String> = first.tiers.iter().map(|t| t.tier.clone()).collect();
    let grid = |cell: &dyn Fn(&crate::simulate::TierBand) -> String| {
        sim.monthly
            .iter()
            .map(|m| std::iter::once(m.month.to_string()).chain(m.tiers.iter().map(cell)).collect())
            .collect::<Vec<Vec<String>>>()
    };
    let mut grids = vec![MonthGrid {
        what: "Units each month needs",
        tiers: tiers.clone(),
        rows: grid(&|t| band(&t.units, number)),
    }];
    // A tier on a ladder of sizes climbs it in its instance, not its units.
    let ladders: Vec<usize> = first
        .tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| t.deployment.is_some())
        .map(|(i, _)| i)
        .collect();
    if !ladders.is_empty() {
        grids.push(MonthGrid {
            what: "Deployment each month needs, for a tier on a ladder of sizes",
            tiers: ladders.iter().map(|&i| tiers[i].clone()).collect(),
            rows: sim
                .monthly
                .iter()
                .map(|m| {
                    let cells = ladders.iter().map(|&i| {
                        m.tiers[i].deployment.as_ref().map_or_else(String::new, |d| {
                            format!("{} / {} / {}", d.p50, d.p90, d.p99)
                        })
                    });
                    std::iter::once(m.month.to_string()).chain(cells).collect()
                })
                .collect(),
        });
    }
    if first.tiers.iter().all(|t| t.monthly_cost.is_some()) {
        grids.push(MonthGrid {
            what: "Monthly cost each month needs",
            tiers,
            rows: grid(&|t| t.monthly_cost.as_ref().map_or_else(String::new, |q| band(q, dollars))),
        });
    }
    grids
}

/// An interval of a simulated quantity: "91 to 98", or open where too few
/// draws bound it ("at least 195", "at most 98", "not bounded").
pub(crate) fn interval<T>(i: &crate::simulate::Interval<T>, show: impl Fn(&T) -> String) -> String {
    match (i.low.as_ref().map(&show), i.high.as_ref().map(&show)) {
        (Some(low), Some(high)) if low == high => low,
        (Some(low), Some(high)) => format!("{low} to {high}"),
        (Some(low), None) => format!("at least {low}"),
        (None, Some(high)) => format!("at most {high}"),
        (None, None) => "not bounded".into(),
    }
}

/// P50, P90 and P99 as shown, each with its 95% range as shown.
type ShownWithRanges = [(String, String); 3];

fn with_ranges(
    q: &crate::simulate::Quantiles,
    i: &crate::simulate::QuantileIntervals,
    show: fn(f64) -> String,
) -> ShownWithRanges {
    [(q.p50, &i.p50), (q.p90, &i.p90), (q.p99, &i.p99)]
        .map(|(value, i)| (show(value), interval(i, |v| show(*v))))
}

/// A tier's units at P50, P90 and P99 with their 95% ranges: counts, or
/// for a tier on a ladder of sizes its deployments ("1 x db.r6i.4xlarge").
pub(super) fn units_with_ranges(t: &crate::simulate::TierOutcome) -> ShownWithRanges {
    match (&t.deployment, &t.deployment_interval) {
        (Some(d), Some(i)) => [(&d.p50, &i.p50), (&d.p90, &i.p90), (&d.p99, &i.p99)]
            .map(|(value, i)| (value.clone(), interval(i, String::clone))),
        _ => with_ranges(&t.units, &t.units_interval, number),
    }
}

/// Whether the draws moved a figure: some quantile, or an end of a range
/// the draws bound, differs from the median. A figure no draw moved is
/// not uncertain, though too few draws leave its P99's range open.
fn moved<T: PartialEq>(values: [&T; 3], intervals: &crate::simulate::QuantileIntervals<T>) -> bool {
    let ends = [&intervals.p50, &intervals.p90, &intervals.p99]
        .into_iter()
        .flat_map(|i| [i.low.as_ref(), i.high.as_ref()])
        .flatten();
    values.into_iter().chain(ends).any(|v| v != values[0])
}

/// Whether the draws moved a tier's units (or a ladder tier's deployment).
pub(super) fn units_moved(t: &crate::simulate::TierOutcome) -> bool {
    match (&t.deployment, &t.deployment_interval) {
        (Some(d), Some(i)) => moved([&d.p50, &d.p90, &d.p99], i),
        _ => moved([&t.units.p50, &t.units.p90, &t.units.p99], &t.units_interval),
    }
}

/// "P50 51 (50 to 52), P90 71 (70 to 73), P99 94 (91 to 98)": a range that
/// shows as the value itself adds nothing, and is left out.
fn labelled(shown: &ShownWithRanges) -> String {
    ["P50", "P90", "P99"]
        .iter()
        .zip(shown)
        .map(|(name, (value, range))| {
            if range == value {
                format!("{name} {value}")
            } else {
                format!("{name} {value} ({range})")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How closely the draws pin the simulation's figures down, as lines for
/// every format: at the last milestone the draws spread (the headline), its
/// total cost and each tier's units (or deployment) that vary, each
/// quantile with its 95% interval; the month whose chance of a broken
/// deployment is least certain; then how many draws would halve them.
/// Empty where the draws vary nothing.
pub(super) fn sampling_notes(sim: &crate::simulate::Simulation) -> Vec<String> {
    let width = |i: &crate::simulate::Interval| match (i.low, i.high) {
        (Some(low), Some(high)) => high - low,
        _ => f64::INFINITY,
    };
    let total_moved = |m: &crate::simulate::MilestoneOutcome| {
        let q = &m.monthly_cost;
        moved([&q.p50, &q.p90, &q.p99], &m.monthly_cost_interval)
    };
    let mut notes = Vec::new();
    let headline =
        sim.milestones.iter().rev().find(|m| total_moved(m) || m.tiers.iter().any(units_moved));
    if let Some(m) = headline {
        let total = with_ranges(&m.monthly_cost, &m.monthly_cost_interval, dollars);
        notes.push(format!("{} total cost {}", m.name, labelled(&total)));
        for t in m.tiers.iter().filter(|t| units_moved(t)) {
            // A ladder tier's deployment names its own units ("1 x db.r6i.4xlarge").
            let what = if t.deployment.is_some() { "" } else { " units" };
            notes.push(format!("{} {}{what} {}", m.name, t.tier, labelled(&units_with_ranges(t))));
        }
    }
    // The earliest of equally uncertain months (`max_by` keeps the last).
    let widest_month =
        sim.breach.iter().rev().filter(|b| width(&b.probability_interval) > 0.0).max_by(|a, b| {
            width(&a.probability_interval).total_cmp(&width(&b.probability_interval))
        });
    if let Some(b) = widest_month {
        let (value, range) =
            (percent(b.probability), interval(&b.probability_interval, |p| percent(*p)));
        let range = if range == value { String::new() } else { format!(" ({range})") };
        notes.push(format!("broken by month {}: {value}{range}, the least certain month", b.month));
    }
    // A run that chose its draws has said how far it went; others are told
    // what more draws would do.
    if !notes.is_empty() && sim.stages.is_empty() {
        notes.push(format!(
            "four times the draws halve each interval: --draws {} (or --draws auto)",
            u64::from(sim.draws) * 4
        ));
    }
    notes
}

/// When today's deployment of `tier` runs out, as a chance: the first month
/// by which `share` of the draws have broken its headroom ("month 7"), or
/// "beyond the horizon".
pub(super) fn broken_by(sim: &crate::simulate::Simulation, tier: &str, share: f64) -> String {
    month_or_beyond(
        sim.breach
            .iter()
            .find(|m| m.by_tier.get(tier).is_some_and(|p| *p >= share))
            .map(|m| m.month),
    )
}

/// A month from today as the runway lines say it ("month 7"), or "beyond
/// the horizon".
pub(super) fn month_or_beyond(month: Option<u32>) -> String {
    month.map_or_else(|| "beyond the horizon".to_string(), |m| format!("month {m}"))
}

/// Each tier's runway over the draws in one line: "Today's deployment
/// breaks its headroom, in half the draws by / in nine in ten by: api
/// month 1 / month 1; …"; `None` without month-by-month odds.
pub(super) fn runs_out_line(sim: &crate::simulate::Simulation) -> Option<String> {
    let first = sim.breach.first()?;
    let tiers: Vec<String> = first
        .by_tier
        .keys()
        .map(|tier| format!("{tier} {} / {}", broken_by(sim, tier, 0.5), broken_by(sim, tier, 0.9)))
        .collect();
    Some(format!(
        "Today's deployment breaks its headroom, in half the draws by / in nine in ten by: {}",
        tiers.join("; ")
    ))
}

/// What a trigger's month on today's deployment says beside the month that
/// deployment breaks its headroom, as a sentence after its note: " Today's
/// deployment crosses it at month 4, a month after it breaks its headroom
/// (month 3): too late to warn."; empty where neither falls within the
/// horizon.
pub(super) fn trigger_today(t: &crate::plan::TriggerFinding) -> String {
    let months = |n: u32| if n == 1 { "a month".to_string() } else { format!("{n} months") };
    match (t.fires_month, t.runway_month) {
        (Some(f), Some(r)) if f < r => format!(
            " Today's deployment crosses it at month {f}, {} before it breaks its headroom (month {r}): it warns ahead.",
            months(r - f)
        ),
        (Some(f), Some(r)) if f == r => format!(
            " Today's deployment crosses it at month {f}, the month it breaks its headroom too: no month of warning."
        ),
        (Some(f), Some(r)) => format!(
            " Today's deployment crosses it at month {f}, {} after it breaks its headroom (month {r}): too late to warn.",
            months(f - r)
        ),
        (Some(f), None) => format!(" Today's deployment crosses it at month {f}."),
        (None, Some(r)) => format!(
            " Today's deployment does not cross it within the horizon, though it breaks its headroom at month {r}: it gives no warning."
        ),
        (None, None) => String::new(),
    }
}

/// Each trigger read on today's deployment, over the draws, in one line:
/// "Triggers on today's deployment fire, in half the draws by / in nine in
/// ten by (as planned): API CPU month 1 / month 1 (month 1); …"; `None`
/// when the simulation reads none.
pub(super) fn triggers_line(sim: &crate::simulate::Simulation) -> Option<String> {
    if sim.triggers.is_empty() {
        return None;
    }
    let month = month_or_beyond;
    let triggers: Vec<String> = sim
        .triggers
        .iter()
        .map(|t| {
            format!(
                "{} {} / {} ({})",
                t.name,
                month(t.half),
                month(t.nine_in_ten),
                month(t.planned_month)
            )
        })
        .collect();
    Some(format!(
        "Triggers on today's deployment fire, in half the draws by / in nine in ten by (as planned): {}",
        triggers.join("; ")
    ))
}

/// Whether each trigger read on today's deployment warns before that
/// deployment breaks its headroom, over the draws, in one line: "Against
/// the headroom, each trigger fires ahead / the same month / too late, in
/// the share of the draws: API CPU 0.0% / 99.8% / 0.2%; …"; `None` when
/// the simulation reads none.
pub(super) fn trigger_leads_line(sim: &crate::simulate::Simulation) -> Option<String> {
    if sim.triggers.is_empty() {
        return None;
    }
    let cells: Vec<String> = sim
        .triggers
        .iter()
        .map(|t| {
            format!(
                "{} {} / {} / {}",
                t.name,
                percent(t.ahead),
                percent(t.same_month),
                percent(t.too_late)
            )
        })
        .collect();
    Some(format!(
        "Against today's deployment's headroom, each trigger fires ahead / the same month / too late, in the share of the draws: {}",
        cells.join("; ")
    ))
}

/// With `--draws auto`, what its runs found: "draws chosen automatically: 1,000, 4,000
/// and 16,000 draws: at 16,000 every figure's 95% interval lies within 1% of
/// it (a unit, a percentage point)", or the figures still wider after the
/// most it runs. `None` for a run of a given size.
pub(super) fn settling_note(sim: &crate::simulate::Simulation) -> Option<String> {
    let last = sim.stages.last()?;
    let runs: Vec<String> = sim.stages.iter().map(|s| grouped(u64::from(s.draws))).collect();
    let ran = match runs.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let within = percent(crate::simulate::SETTLED_WITHIN);
    Some(if last.unsettled.is_empty() {
        format!(
            "draws chosen automatically: {ran} were run, and at {} every figure's 95% interval lies within {within} of it (a unit, a percentage point) or spans one step of a figure that moves in steps",
            grouped(u64::from(last.draws))
        )
    } else {
        let shown: Vec<&str> = last.unsettled.iter().take(4).map(String::as_str).collect();
        let more = last.unsettled.len().saturating_sub(shown.len());
        format!(
            "draws chosen automatically: {ran} were run, the most it runs, and {} still lie further than {within} from their 95% interval's ends: {}{}",
            headroom_kernel::counted(last.unsettled.len(), "figure"),
            shown.join("; "),
            if more > 0 { format!("; and {more} more") } else { String::new() }
        )
    })
}

/// The heading of [`sampling_notes`].
pub(super) fn sampling_heading(sim: &crate::simulate::Simulation) -> String {
    format!(
        "How sure {} draws are (95% ranges of the distribution's own figures: a quantile's from the draws alone, a probability's by Wilson's score)",
        grouped(u64::from(sim.draws))
    )
}

/// P50 / P90 / P99 of a simulated quantity, each shown with `show`.
pub(super) fn band(q: &crate::simulate::Quantiles, show: fn(f64) -> String) -> String {
    format!("{} / {} / {}", show(q.p50), show(q.p90), show(q.p99))
}

pub(super) fn month(month: Option<u32>, horizon: u32) -> String {
    match month {
        Some(m) => format!("month {m}"),
        None => format!("beyond month {horizon}"),
    }
}

pub(super) fn instance_cell(tier: &TierPlan) -> String {
    if tier.beyond_ladder {
        format!("{} (sharded)", tier.instance)
    } else {
        tier.instance.clone()
    }
}

/// Greedy word wrap, so long explanations stay readable in a terminal.
pub(super) fn wrap(text: &str, width: usize) -> String {
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

pub(crate) fn table() -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table
}

/// A table as Markdown (under `rule`, its alignment row) or for the terminal.
pub(crate) fn write_table<R: AsRef<[String]>>(
    out: &mut String,
    header: &[&str],
    rule: &str,
    rows: Vec<R>,
    markdown: bool,
) {
    if markdown {
        out.push_str(&format!("| {} |\n{rule}\n", header.join(" | ")));
        for row in &rows {
            let cells: Vec<String> = row.as_ref().iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
    } else {
        let mut table = table();
        table.set_header(header);
        for row in rows {
            table.add_row(row.as_ref());
        }
        out.push_str(&format!("{table}\n"));
    }
}

/// `note` as a sentence of its own: its first letter a capital.
pub(crate) fn sentence(note: &str) -> String {
    let mut chars = note.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The `[commitment]` section of a plan or (`drawn`) of a Monte Carlo, for
/// the terminal or as Markdown (under a heading): a row a tier and
/// instance, then the term's totals.
pub(crate) fn commitment_section(
    c: &crate::plan::CommitmentPlan,
    markdown: bool,
    drawn: bool,
) -> String {
    let mut out = String::new();
    let title = format!(
        "Commitments over a {}-month term{}",
        c.term_months,
        if drawn { ", on average over the draws" } else { "" }
    );
    out.push_str(&match (markdown, drawn) {
        (true, false) => format!("## {title}\n\n"),
        (true, true) => format!("\n### {title}\n\n"),
        (false, _) => format!("\n{title}\n"),
    });
    if let Some(note) = &c.note {
        out.push_str(&format!("{}.\n", sentence(note)));
        return out;
    }
    let use_of = |share: Option<f64>| share.map(percent).unwrap_or_else(|| "-".to_string());
    let rows: Vec<Vec<String>> = c
        .tiers
        .iter()
        .map(|t| {
            vec![
                t.tier.clone(),
                t.instance.clone(),
                if t.discount == 0.0 { "on demand".to_string() } else { percent(t.discount) },
                t.units.to_string(),
                use_of(if t.units == 0 { None } else { t.last_unit_use }),
                use_of(Some(t.next_unit_use)),
                dollars(t.on_demand_cost),
                dollars(t.cost),
            ]
        })
        .collect();
    write_table(
        &mut out,
        &[
            "tier",
            "instance",
            "discount",
            "commit to",
            "last committed unit used",
            "next unit used",
            "all on demand",
            "with the commitment",
        ],
        "|---|---|---:|---:|---:|---:|---:|---:|",
        rows,
        markdown,
    );
    let saved = c.on_demand_cost - c.cost;
    out.push_str(&format!(
        "{}Over the term{}: {} on demand, {} with these commitments, {} ({}) less. A unit is committed when the months {} need it for more of the term than its discount leaves to pay ({} of the term at {} off): only then does it cost less committed than on demand.\n",
        if markdown { "\n" } else { "" },
        if drawn { ", on average" } else { "" },
        dollars(c.on_demand_cost),
        dollars(c.cost),
        dollars(saved),
        percent(if c.on_demand_cost > 0.0 { saved / c.on_demand_cost } else { 0.0 }),
        if drawn { "of the draws, on average," } else { "planned" },
        percent(1.0 - c.discount),
        percent(c.discount),
    ));
    out
}

/// A plan in `format`.
pub fn plan(plan: &Plan, format: Format) -> Result<String, Error> {
    Ok(match format {
        Format::Table => text::plan_table(plan),
        Format::Markdown => markdown::plan_markdown(plan, None),
        Format::Json => json(plan),
        Format::Csv => plan_csv(plan),
    })
}

/// An audit in `format`.
pub fn audit(audit: &Audit, format: Format) -> Result<String, Error> {
    Ok(match format {
        Format::Table => text::audit_table(audit),
        Format::Markdown => markdown::audit_markdown(audit),
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

pub(super) fn headline(plan: &Plan) -> String {
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

/// The numbers the document publishes (`[[published]]` cells) in `column`
/// at the milestones `plan` holds, for the charts: a figure, a range, or an
/// open range ("10+"). `units` as counts; `monthly_cost` of tier `total` in
/// dollars; `instance` as what one instance of the published size costs a
/// month (`in_dollars`), for a tier charted by its cost. A sharded tier's
/// cell, which names no count of its own, is left out.
pub fn published_figures(
    plan: &Plan,
    config: &crate::config::ProfileConfig,
    column: &str,
) -> Vec<PublishedFigure> {
    config
        .published
        .iter()
        .filter(|cell| cell.column == column && !cell.sharded)
        .filter_map(|cell| {
            let milestone = plan.milestones.iter().find(|m| m.key == cell.milestone)?;
            let (low, high) = if column == "instance" {
                let instance =
                    config.tiers.get(&cell.tier)?.instances.get(cell.instance.as_ref()?)?;
                let cost = headroom_kernel::cost::monthly_cost(instance.hourly_price, 1).ok()?;
                (cost, cost)
            } else {
                let low = cell.value.or(cell.min)?;
                (low, cell.value.or(cell.max).unwrap_or(f64::INFINITY))
            };
            Some(PublishedFigure {
                tier: cell.tier.clone(),
                milestone: milestone.name.clone(),
                low,
                high,
                in_dollars: column != "units",
            })
        })
        .collect()
}

/// A quantile as a percentile, 95 for 0.95, 97.5 for 0.975 (rounded to
/// six places, so that 0.57 reads 57, not 56.99999999999999).
pub(crate) fn percentile(q: f64) -> f64 {
    (q * 100.0 * 1e6).round() / 1e6
}

/// "P10" for 0.1, "P97.5" for 0.975.
pub(super) fn quantile_label(q: f64) -> String {
    format!("P{}", percentile(q))
}

/// How a tier differs between two plans: "37 → 69" units, or "1 x
/// db.r6i.2xlarge → 1 x db.r6i.4xlarge" when its instance changes; `None`
/// when it does not.
pub(super) fn tier_change(
    a: &crate::simulate::TierAt,
    b: &crate::simulate::TierAt,
) -> Option<String> {
    if a.units == b.units && a.instance == b.instance {
        None
    } else if a.instance == b.instance {
        Some(format!("{} → {}", a.units, b.units))
    } else {
        Some(format!("{} x {} → {} x {}", a.units, a.instance, b.units, b.instance))
    }
}

/// A sensitivity's swing at its milestone: the tiers whose units or
/// instance differ between the input's low and high quantiles, "api 43 →
/// 63", "postgres 1 x db.r6i.2xlarge → 1 x db.r6i.4xlarge".
fn what_moves(swing: &crate::simulate::Swing) -> String {
    use crate::simulate::TierAt;
    fn at<'a>(o: &'a [crate::simulate::Outcome], milestone: &str) -> Option<&'a [TierAt]> {
        o.iter().find(|m| m.milestone == milestone).map(|m| m.tiers.as_slice())
    }
    let (Some(low), Some(high)) =
        (at(&swing.low, &swing.milestone), at(&swing.high, &swing.milestone))
    else {
        return String::new();
    };
    let moved: Vec<String> = low
        .iter()
        .zip(high)
        .filter_map(|(a, b)| Some(format!("{} {}", a.tier, tier_change(a, b)?)))
        .collect();
    if moved.is_empty() {
        "nothing".to_string()
    } else {
        moved.join(", ")
    }
}

/// A sensitivity run in `format`: each input alone from its low to its high
/// quantile, the others at their medians, with the total monthly cost at
/// the milestone it moves most, the largest swing first.
pub fn sensitivity(s: &crate::simulate::Sensitivity, format: Format) -> String {
    let (low, high) = (quantile_label(s.low_quantile), quantile_label(s.high_quantile));
    let cost_at = |o: &[crate::simulate::Outcome], milestone: &str| {
        o.iter().find(|m| m.milestone == milestone).map_or(0.0, |m| m.monthly_cost)
    };
    let header = [
        "input".to_string(),
        format!("at {low}"),
        format!("at {high}"),
        "milestone it moves most".to_string(),
        format!("cost at {low}"),
        "at medians".to_string(),
        format!("at {high}"),
        "swing".to_string(),
        "what moves".to_string(),
    ];
    let rows: Vec<Vec<String>> = s
        .inputs
        .iter()
        .map(|i| {
            vec![
                i.input.clone(),
                number(i.low_value),
                number(i.high_value),
                i.milestone.clone(),
                dollars(cost_at(&i.low, &i.milestone)),
                dollars(cost_at(&s.base, &i.milestone)),
                dollars(cost_at(&i.high, &i.milestone)),
                dollars(i.cost_swing),
                what_moves(i),
            ]
        })
        .collect();
    let headline = format!(
        "{} {}: each uncertain input alone from its {low} to its {high}, the others at their medians; total monthly cost at the milestone it moves most, the largest swing first{}",
        s.profile.id,
        s.profile.version,
        if s.correlations_ignored { "; correlations between inputs are not applied" } else { "" }
    );
    match format {
        Format::Json => json(s),
        Format::Table => {
            let mut t = table();
            t.set_header(header.to_vec());
            for row in rows {
                t.add_row(row);
            }
            format!("{headline}\n{t}\n")
        }
        Format::Markdown => {
            let mut out = format!(
                "{headline}.\n\n| {} |\n|---|---:|---:|---|---:|---:|---:|---:|---|\n",
                header.join(" | ")
            );
            for row in rows {
                out.push_str(&format!("| {} |\n", row.join(" | ")));
            }
            out
        }
        Format::Csv => {
            let names = [
                "input",
                "low_quantile",
                "low_value",
                "high_quantile",
                "high_value",
                "milestone",
                "cost_at_low",
                "cost_at_medians",
                "cost_at_high",
                "cost_swing",
            ];
            csv_text(
                &names,
                s.inputs.iter().map(|i| {
                    vec![
                        i.input.clone(),
                        s.low_quantile.to_string(),
                        i.low_value.to_string(),
                        s.high_quantile.to_string(),
                        i.high_value.to_string(),
                        i.milestone.clone(),
                        cost_at(&i.low, &i.milestone).to_string(),
                        cost_at(&s.base, &i.milestone).to_string(),
                        cost_at(&i.high, &i.milestone).to_string(),
                        i.cost_swing.to_string(),
                    ]
                }),
            )
        }
    }
}

pub(crate) fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
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

/// A simulation as CSV, one row a quantity: each milestone's units and cost
/// per tier (and its total cost), each month's units and cost per tier,
/// each month's chance that today's deployment has broken its headroom and
/// that each trigger read on it has fired, and the share of the draws each
/// cell of the document's published plan covers.
pub fn simulation_csv(sim: &crate::simulate::Simulation) -> String {
    let header = [
        "profile",
        "section",
        "milestone",
        "month",
        "tier",
        "quantity",
        "p50",
        "p90",
        "p99",
        "probability",
        "p50_low",
        "p50_high",
        "p90_low",
        "p90_high",
        "p99_low",
        "p99_high",
        "probability_low",
        "probability_high",
    ];
    let id = &sim.profile.id;
    let row = |section: &str,
               milestone: &str,
               month: Option<u32>,
               tier: &str,
               quantity: &str,
               q: Option<&crate::simulate::Quantiles>,
               probability: Option<f64>,
               intervals: [Option<crate::simulate::Interval>; 4]| {
        let mut row = vec![
            id.clone(),
            section.to_string(),
            milestone.to_string(),
            month.map(|m| m.to_string()).unwrap_or_default(),
            tier.to_string(),
            quantity.to_string(),
        ];
        match q {
            Some(q) => row.extend([q.p50, q.p90, q.p99].map(|v| v.to_string())),
            None => row.extend([String::new(), String::new(), String::new()]),
        }
        row.push(probability.map(|p| p.to_string()).unwrap_or_default());
        // The 95% intervals: of P50, P90 and P99, then of the probability;
        // a blank where a row has none or too few draws bound it.
        let end = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
        for i in intervals {
            row.extend([end(i.and_then(|i| i.low)), end(i.and_then(|i| i.high))]);
        }
        row
    };
    let of_quantiles =
        |i: &crate::simulate::QuantileIntervals| [Some(i.p50), Some(i.p90), Some(i.p99), None];
    let none = [None; 4];
    let mut rows = Vec::new();
    for m in &sim.milestones {
        for t in &m.tiers {
            rows.push(row(
                "milestone",
                &m.name,
                m.month,
                &t.tier,
                "units",
                Some(&t.units),
                None,
                of_quantiles(&t.units_interval),
            ));
            rows.push(row(
                "milestone",
                &m.name,
                m.month,
                &t.tier,
                "monthly_cost",
                Some(&t.monthly_cost),
                None,
                none,
            ));
        }
        rows.push(row(
            "milestone",
            &m.name,
            m.month,
            "total",
            "monthly_cost",
            Some(&m.monthly_cost),
            None,
            of_quantiles(&m.monthly_cost_interval),
        ));
    }
    for month in &sim.monthly {
        for t in &month.tiers {
            rows.push(row(
                "month",
                "",
                Some(month.month),
                &t.tier,
                "units",
                Some(&t.units),
                None,
                none,
            ));
            if let Some(cost) = &t.monthly_cost {
                rows.push(row(
                    "month",
                    "",
                    Some(month.month),
                    &t.tier,
                    "monthly_cost",
                    Some(cost),
                    None,
                    none,
                ));
            }
        }
    }
    for month in &sim.breach {
        rows.push(row(
            "breach",
            "",
            Some(month.month),
            "any",
            "broken",
            None,
            Some(month.probability),
            [None, None, None, Some(month.probability_interval)],
        ));
        for (tier, p) in &month.by_tier {
            let interval = [None, None, None, month.by_tier_interval.get(tier).copied()];
            rows.push(row(
                "breach",
                "",
                Some(month.month),
                tier,
                "broken",
                None,
                Some(*p),
                interval,
            ));
        }
    }
    for trigger in &sim.triggers {
        let quantity = format!("fired: {}", trigger.name);
        for (month, &p) in trigger.fired_by.iter().enumerate() {
            let month = Some(month as u32);
            rows.push(row("trigger", "", month, &trigger.tier, &quantity, None, Some(p), none));
        }
        let judged = [
            ("fires before the headroom breaks", trigger.ahead),
            ("fires the month the headroom breaks", trigger.same_month),
            ("fires after the headroom breaks, or never", trigger.too_late),
        ];
        for (when, p) in judged {
            let quantity = format!("{when}: {}", trigger.name);
            rows.push(row("trigger", "", None, &trigger.tier, &quantity, None, Some(p), none));
        }
    }
    for cell in &sim.published {
        let quantity = format!("{} {}", cell.column, cell.published);
        rows.push(row(
            "published",
            &cell.milestone,
            None,
            &cell.tier,
            &quantity,
            None,
            Some(cell.covers),
            none,
        ));
    }
    csv_text(&header, rows.into_iter())
}

/// The columns of an audit, in every format.
pub(super) const AUDIT_COLUMNS: [&str; 8] =
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

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn a_percentage_short_of_certain_never_reads_as_certain() {
        for (fraction, text) in [
            (0.0, "0.0%"),
            (1.0, "100.0%"),
            (0.8, "80.0%"),
            (1.5, "150.0%"),
            (0.9996, "99.96%"),
            (0.99999, "99.999%"),
            (0.0004, "0.04%"),
            (0.000001, "0.0001%"),
            (1e-12, "<0.0001%"),
            (1.0 - 1e-12, ">99.9999%"),
            (f64::INFINITY, "∞"),
        ] {
            assert_eq!(percent(fraction), text, "{fraction}");
        }
    }
}
