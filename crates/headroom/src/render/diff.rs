//! `headroom diff` as a table, Markdown, JSON or CSV: the tiers and
//! milestones a change moves, then each tier's runway.

use super::*;
use crate::diff::{Change, CostBands, MilestoneDiff, MonthDiff, PlanDiff};

/// A diff in `format`.
pub fn diff(d: &PlanDiff, format: Format) -> String {
    match format {
        Format::Table => diff_text(d, false),
        Format::Markdown => diff_text(d, true),
        Format::Json => json(d),
        Format::Csv => diff_csv(d),
    }
}

/// `a → b`, or `a` alone when it shows the same; `-` for a side without it.
fn moved<T>(c: &Change<T>, show: impl Fn(&T) -> String) -> String {
    let side = |v: &Option<T>| v.as_ref().map_or_else(|| "-".to_string(), &show);
    let (before, after) = (side(&c.before), side(&c.after));
    if before == after {
        before
    } else {
        format!("{before} → {after}")
    }
}

/// The cost's difference, signed: `+$560`, `-$1,204`, `$0`.
fn delta(c: &Change<f64>) -> String {
    let d = c.after.unwrap_or(0.0) - c.before.unwrap_or(0.0);
    if d.round() > 0.0 {
        format!("+{}", dollars(d))
    } else {
        dollars(d)
    }
}

/// Whether a cell shows a move (`a → b`): the one test of "moved" the
/// diff's text uses, so that a figure that moves past what it shows (a
/// utilisation in its fourth decimal) is not news.
fn shows_move(cell: &str) -> bool {
    cell.contains(" → ")
}

/// The drivers a change moved at a milestone, "users 10000 → 20000".
fn drivers_moved(m: &MilestoneDiff) -> String {
    m.drivers
        .iter()
        .map(|(name, c)| (name, moved(c, |v| number(*v))))
        .filter(|(_, cell)| shows_move(cell))
        .map(|(name, cell)| format!("{name} {cell}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tier column of a milestone where nothing it shows moved.
const NO_CHANGE: &str = "(no change)";

fn diff_text(d: &PlanDiff, markdown: bool) -> String {
    let mut out = String::new();
    let what = if d.change.is_empty() { "the change".to_string() } else { d.change.join(" ") };
    if markdown {
        out.push_str(&format!("# {}: what `{}` changes\n\n", d.profile, what));
    } else {
        out.push_str(&format!("{}: what `{}` changes\n", d.profile, what));
    }
    let rows = plan_rows(d);
    let runway = runway_cells(d);
    let triggers = trigger_cells(d);
    let commitments = d.commitment.as_ref().map(|c| commitment_line(c, ""));
    if rows.iter().all(|row| row[2] == NO_CHANGE)
        && !runway.iter().any(|r| shows_move(r))
        && !triggers.iter().any(|t| shows_move(t))
        && !commitments.as_ref().is_some_and(|(_, moves)| *moves)
    {
        out.push_str("Nothing in the plan moves: every milestone, tier and runway is as before.\n");
    } else {
        let header = [
            "milestone",
            "drivers",
            "tier",
            "units",
            "instance",
            "utilisation",
            "monthly cost",
            "Δ cost",
        ];
        write_table(&mut out, &header, "|---|---|---|---:|---|---:|---:|---:|", rows, markdown);
        if markdown {
            out.push('\n');
        }
        if !runway.is_empty() {
            let prefix = if markdown { "Runway" } else { "runway" };
            out.push_str(&format!("{prefix} of today's deployment: {}\n", runway.join("; ")));
        }
        if !triggers.is_empty() {
            let prefix = if markdown { "\nTriggers" } else { "triggers" };
            out.push_str(&format!(
                "{prefix} on today's deployment fire: {}\n",
                triggers.join("; ")
            ));
        }
        if let Some((line, _)) = commitments {
            if markdown {
                out.push('\n');
            }
            let prefix = if markdown { "Commitments" } else { "commitments" };
            out.push_str(&format!("{prefix} {line}\n"));
        }
    }
    if let Some(bands) = &d.uncertainty {
        cost_bands(&mut out, bands, &d.horizon_months, markdown);
    }
    out
}

/// A row each tier a milestone shows moved, then the milestone's total; a
/// milestone where nothing shown moved, one row of [`NO_CHANGE`].
fn plan_rows(d: &PlanDiff) -> Vec<[String; 8]> {
    let mut rows: Vec<[String; 8]> = Vec::new();
    for m in &d.milestones {
        let moved_tiers: Vec<(&str, [String; 3], &Change<f64>)> = m
            .tiers
            .iter()
            .map(|t| {
                let cells = [
                    moved(&t.units, u32::to_string),
                    moved(&t.instance, String::clone),
                    moved(&t.utilisation, |v| percent(*v)),
                ];
                (t.tier.as_str(), cells, &t.monthly_cost)
            })
            .filter(|(_, cells, cost)| {
                cells.iter().any(|c| shows_move(c)) || shows_move(&moved(cost, |v| dollars(*v)))
            })
            .collect();
        let mut first = true;
        let mut cells = |tier: String, tier_cells: [String; 3], cost: &Change<f64>| {
            let (name, drivers) = if first {
                (m.name.clone(), drivers_moved(m))
            } else {
                (String::new(), String::new())
            };
            first = false;
            let [units, instance, utilisation] = tier_cells;
            let (shown, change) = (moved(cost, |v| dollars(*v)), delta(cost));
            rows.push([name, drivers, tier, units, instance, utilisation, shown, change]);
        };
        if moved_tiers.is_empty() && !shows_move(&moved(&m.monthly_cost, |v| dollars(*v))) {
            cells(NO_CHANGE.into(), Default::default(), &m.monthly_cost);
            continue;
        }
        for (tier, tier_cells, cost) in moved_tiers {
            cells(tier.to_string(), tier_cells, cost);
        }
        cells("total".into(), Default::default(), &m.monthly_cost);
    }
    rows
}

/// Each tier's runway, "postgres month 7 → month 6" or "api month 1 (as before)".
fn runway_cells(d: &PlanDiff) -> Vec<String> {
    d.runway
        .iter()
        .map(|r| {
            let months = MonthDiff { before: r.before, after: r.after };
            format!("{} {}", r.tier, months_moved(&months, &d.horizon_months))
        })
        .collect()
}

/// Each trigger read on today's deployment, "Queue Backlog month 4 → month
/// 6" or "API CPU month 1 (as before)".
fn trigger_cells(d: &PlanDiff) -> Vec<String> {
    d.triggers
        .iter()
        .map(|t| format!("{} {}", t.name, months_moved(&t.fires, &d.horizon_months)))
        .collect()
}

/// A month before and after, "month 7 → month 6" or "month 1 (as before)";
/// `None` is beyond each side's horizon.
fn months_moved(months: &MonthDiff, horizon: &Change<u32>) -> String {
    let before = month(months.before, horizon.before.unwrap_or(0));
    let after = month(months.after, horizon.after.unwrap_or(0));
    moved_words(before, after)
}

/// A figure before and after as words: "month 7 → month 6", or "month 1
/// (as before)" where the two read the same.
fn moved_words(before: String, after: String) -> String {
    if before == after {
        format!("{before} (as before)")
    } else {
        format!("{before} → {after}")
    }
}

/// The commitments before and after as one line ("over the 12-month term:
/// api 10 → 12; …; the term's cost $38,280 → $42,055"), and whether any
/// of it moved. A tier of several instances names each.
fn commitment_line(c: &crate::diff::CommitmentDiff, qualifier: &str) -> (String, bool) {
    let units = |u: Option<u32>| u.map_or_else(|| "-".to_string(), |u| u.to_string());
    let mut moves = c.term_months.before != c.term_months.after;
    let cells: Vec<String> = c
        .tiers
        .iter()
        .map(|t| {
            let name = if c.tiers.iter().filter(|o| o.tier == t.tier).count() > 1 {
                format!("{} {}", t.tier, t.instance)
            } else {
                t.tier.clone()
            };
            let (before, after) = (units(t.units.before), units(t.units.after));
            if before == after {
                format!("{name} {before} (as before)")
            } else {
                moves = true;
                format!("{name} {before} → {after}")
            }
        })
        .collect();
    let cost = moved(&c.cost, |v| dollars(*v));
    moves |= shows_move(&cost);
    let term = moved(&c.term_months, |m| format!("{m}-month"));
    let mut line = format!("over the {term} term{qualifier}: ");
    if cells.is_empty() {
        line.push_str("none worked out (the term runs past the months planned)");
    } else {
        line.push_str(&format!("{}; the term's cost {cost}", cells.join("; ")));
    }
    (line, moves)
}

/// Each milestone's total monthly cost over the draws, P50 / P90 / P99,
/// before and after.
fn cost_bands(out: &mut String, bands: &CostBands, horizon: &Change<u32>, markdown: bool) {
    let title = format!(
        "monthly cost over {} draws (seed {}, the same draws both ways), P50 / P90 / P99",
        bands.draws, bands.seed
    );
    let show = |q: &Option<crate::simulate::Quantiles>| {
        q.as_ref().map_or_else(|| "-".to_string(), |q| band(q, dollars))
    };
    let p90 = |q: &Option<crate::simulate::Quantiles>| q.as_ref().map(|q| q.p90);
    let header = ["milestone", "before", "after", "Δ P90"];
    let rows: Vec<[String; 4]> = bands
        .milestones
        .iter()
        .map(|m| {
            let change = Change { before: p90(&m.before), after: p90(&m.after) };
            [m.milestone.clone(), show(&m.before), show(&m.after), delta(&change)]
        })
        .collect();
    if markdown {
        out.push_str(&format!("\n{}{}:\n\n", title[..1].to_uppercase(), &title[1..]));
    } else {
        out.push_str(&format!("{title}\n"));
    }
    write_table(out, &header, "|---|---:|---:|---:|", rows, markdown);
    if let Some(c) = &bands.commitment {
        let (line, _) = commitment_line(c, ", on average over the draws");
        if markdown {
            out.push('\n');
        }
        out.push_str(&format!("{} {line}\n", if markdown { "Commitments" } else { "commitments" }));
    }
    if !bands.triggers.is_empty() {
        let (before, after) = (horizon.before.unwrap_or(0), horizon.after.unwrap_or(0));
        let cells: Vec<String> = bands
            .triggers
            .iter()
            .map(|t| {
                let was = format!(
                    "{} / {}",
                    month(t.half.before, before),
                    month(t.nine_in_ten.before, before)
                );
                let now = format!(
                    "{} / {}",
                    month(t.half.after, after),
                    month(t.nine_in_ten.after, after)
                );
                format!("{} {}", t.name, moved_words(was, now))
            })
            .collect();
        let prefix = if markdown { "\nTriggers" } else { "triggers" };
        out.push_str(&format!(
            "{prefix} on today's deployment fire, in half the draws by / in nine in ten by: {}\n",
            cells.join("; ")
        ));
    }
}

fn diff_csv(d: &PlanDiff) -> String {
    let header = [
        "profile",
        "milestone",
        "tier",
        "units_before",
        "units_after",
        "instance_before",
        "instance_after",
        "utilisation_before",
        "utilisation_after",
        "monthly_cost_before",
        "monthly_cost_after",
    ];
    let side = |v: Option<String>| v.unwrap_or_default();
    let rows = d.milestones.iter().flat_map(|m| {
        let tiers = m.tiers.iter().map(move |t| {
            vec![
                d.profile.clone(),
                m.key.clone(),
                t.tier.clone(),
                side(t.units.before.map(|v| v.to_string())),
                side(t.units.after.map(|v| v.to_string())),
                side(t.instance.before.clone()),
                side(t.instance.after.clone()),
                side(t.utilisation.before.map(|v| v.to_string())),
                side(t.utilisation.after.map(|v| v.to_string())),
                side(t.monthly_cost.before.map(|v| v.to_string())),
                side(t.monthly_cost.after.map(|v| v.to_string())),
            ]
        });
        let total = vec![
            d.profile.clone(),
            m.key.clone(),
            "total".to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            side(m.monthly_cost.before.map(|v| v.to_string())),
            side(m.monthly_cost.after.map(|v| v.to_string())),
        ];
        tiers.chain(std::iter::once(total))
    });
    csv_text(&header, rows)
}
