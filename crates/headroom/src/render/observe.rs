//! `headroom observe` as a table, Markdown, JSON or CSV: the measured
//! drivers against the plan's growth, each tier planned for them (with any
//! measured load beside the modelled one), and the runway from there.

use super::*;
use crate::observe::{
    DriverTrend, FittedGrowth, LoadTrend, Observation, ObservedDriver, ObservedLoad,
};
use headroom_kernel::trend::Cycle;

/// An observation in `format`.
pub fn observation(o: &Observation, format: Format) -> String {
    match format {
        Format::Table => observation_text(o, false),
        Format::Markdown => observation_text(o, true),
        Format::Json => json(o),
        Format::Csv => observation_csv(o),
    }
}

/// An observation in the lines `report` prints for a profile: where each
/// driver stands, the tiers the measured drivers outgrow, the measured growth.
pub fn observation_summary(o: &Observation) -> String {
    let dated = o.today.is_some();
    let drivers: Vec<String> = o
        .drivers
        .iter()
        .map(|d| format!("{} {} ({})", d.driver, number(d.observed), reading(d, dated)))
        .collect();
    let mut out = format!("  measured {}: {}\n", utc(o.measured_at), drivers.join(", "));
    let short: Vec<String> = o
        .tiers
        .iter()
        .filter_map(|t| {
            let today = t.today_units?;
            (t.needed_units > today)
                .then(|| format!("{} {} where {today} run", t.tier, t.needed_units))
        })
        .collect();
    if !short.is_empty() {
        out.push_str(&format!("  the measured drivers need more: {}\n", short.join(", ")));
    }
    let growth: Vec<String> = o
        .drivers
        .iter()
        .filter_map(|d| {
            let t = d.trend.as_ref()?;
            Some(format!(
                "{} {} a month over {}",
                d.driver,
                signed_percent(t.fit.rate),
                t.fit.window
            ))
        })
        .collect();
    if !growth.is_empty() {
        out.push_str(&format!("  measured growth: {}\n", growth.join(", ")));
    }
    for line in o.drivers.iter().filter_map(outgrows) {
        out.push_str(&format!("  {line}\n"));
    }
    let breaking: Vec<String> = o
        .tiers
        .iter()
        .flat_map(|t| {
            t.loads.iter().filter_map(|l| {
                let month = l.trend.as_ref()?.breaks_month?;
                Some(format!("{} {} at month {month:.1}", t.tier, l.dimension))
            })
        })
        .collect();
    if !breaking.is_empty() {
        out.push_str(&format!(
            "  measured loads reach the headroom line: {}\n",
            breaking.join(", ")
        ));
    }
    out
}

/// For a profile of deployment sizes: when the measured growth takes a
/// driver past the size that holds it today, in words.
fn outgrows(d: &ObservedDriver) -> Option<String> {
    let size = d.within_milestone.as_ref()?;
    let trend = d.trend.as_ref()?;
    let reach = trend.reaches.iter().find(|r| &r.name == size)?;
    let line = match reach.trend_month {
        Some(month) => format!(
            "At the measured growth, {} outgrow \"{size}\" ({}) at month {month:.1}",
            d.driver,
            number(reach.value)
        ),
        None => format!(
            "At the measured growth, {} stay within \"{size}\" ({}) for 10 years",
            d.driver,
            number(reach.value)
        ),
    };
    // The busiest hours, where a swing carries the driver over the measurement.
    Some(match trend.busiest {
        Some(busiest) => format!(
            "{line}; at their busiest ({}): {}.",
            number(busiest),
            month_ahead(reach.busiest_month, "already")
        ),
        None => format!("{line}."),
    })
}

/// How a section's fits took their intervals, for its title: ` (95%
/// intervals by Newey and West's errors, lag 4)`, the lags joined where
/// they differ (a series with gaps has fewer samples) and "where 30
/// samples or more" where some fit took the classical errors; nothing
/// where every fit did.
fn errors_note<'a>(fits: impl Iterator<Item = &'a FittedGrowth>) -> String {
    let all: Vec<Option<usize>> = fits.map(|f| f.checks.newey_west_lags).collect();
    let mut lags: Vec<usize> = all.iter().flatten().copied().collect();
    lags.sort_unstable();
    lags.dedup();
    let some = if all.contains(&None) { " where 30 samples or more" } else { "" };
    match lags.as_slice() {
        [] => String::new(),
        [lag] => format!(" (95% intervals by Newey and West's errors, lag {lag}{some})"),
        many => {
            let many: Vec<String> = many.iter().map(usize::to_string).collect();
            format!(" (95% intervals by Newey and West's errors, lags {}{some})", many.join(", "))
        }
    }
}

/// A measurement whose growth changed over the window, in words: what
/// its rate was at the start and is now, against the average every
/// projection here uses.
fn unsteady(name: &str, fit: &FittedGrowth) -> Option<String> {
    let (Some(true), Some(start), Some(now)) =
        (fit.checks.growth_changed, fit.checks.rate_at_start, fit.checks.rate_now)
    else {
        return None;
    };
    let way = if now > start { "speeding up" } else { "slowing" };
    Some(format!(
        "{name} did not grow steadily over {}: {} a month at its start, {} now ({way}); the rates and runways here use the window's average, {}.",
        fit.window,
        signed_percent(start),
        signed_percent(now),
        signed_percent(fit.rate)
    ))
}

/// Where a measured driver stands on the plan, in words.
fn reading(d: &ObservedDriver, dated: bool) -> String {
    if let Some(milestone) = &d.within_milestone {
        return format!("within \"{milestone}\"");
    }
    match (d.planned_today, d.plan_month) {
        (Some(today), _) if d.observed == today => "on plan".to_string(),
        (Some(today), Some(month)) if month == 0.0 && d.observed < today => {
            format!("behind plan: {} of today's", percent(d.observed / today))
        }
        (_, Some(month)) => format!("{month:.1} months ahead of plan"),
        (_, None) if dated => "past the plan's horizon".to_string(),
        (_, None) => "past every milestone".to_string(),
    }
}

/// A cell of utilisation, marked where it breaks the headroom.
fn utilisation(value: Option<f64>, ceiling: f64) -> String {
    match value {
        Some(u) if u > ceiling => format!("{} (over {})", percent(u), percent(ceiling)),
        Some(u) => percent(u),
        None => "-".to_string(),
    }
}

fn observation_text(o: &Observation, markdown: bool) -> String {
    let ceiling = 1.0 - o.headroom;
    let mut out = format!(
        "{} {}: measured at {} by Prometheus {} (headroom {}: utilisation above {} breaks it)\n\n",
        o.profile.id,
        o.profile.version,
        utc(o.measured_at),
        o.prometheus,
        percent(o.headroom),
        percent(ceiling)
    );
    let section = |out: &mut String, title: &str| {
        out.push_str(&if markdown { format!("### {title}\n\n") } else { format!("{title}\n") });
    };
    if !o.drivers.is_empty() {
        section(&mut out, "Drivers");
        let dated = o.today.is_some();
        let rows = o
            .drivers
            .iter()
            .map(|d| {
                [
                    d.driver.clone(),
                    number(d.observed),
                    d.planned_today.map_or_else(|| "-".to_string(), number),
                    d.plan_month.map_or_else(|| "-".to_string(), |m| format!("{m:.2}")),
                    reading(d, dated),
                ]
            })
            .collect();
        let header = ["driver", "measured", "plan today", "plan month reached", "reading"];
        write_table(&mut out, &header, "|---|---:|---:|---:|---|", rows, markdown);
        out.push('\n');
    }
    let trends: Vec<(&ObservedDriver, &DriverTrend)> =
        o.drivers.iter().filter_map(|d| d.trend.as_ref().map(|t| (d, t))).collect();
    if let Some((_, first)) = trends.first() {
        section(
            &mut out,
            &format!(
                "Growth measured over {}{}",
                first.fit.window,
                errors_note(trends.iter().map(|(_, t)| &t.fit))
            ),
        );
        let rows = trends
            .iter()
            .map(|(d, t)| {
                let [growth, interval, r_squared, samples, swings] = fit_cells(&t.fit);
                [
                    d.driver.clone(),
                    growth,
                    interval,
                    r_squared,
                    samples,
                    swings,
                    t.planned_first_month.map_or_else(|| "-".to_string(), signed_percent),
                ]
            })
            .collect();
        let header = [
            "driver",
            "growth a month",
            "95% interval",
            "R²",
            "samples",
            "swing taken out",
            "the plan's first month",
        ];
        write_table(&mut out, &header, "|---|---:|---:|---:|---|---|---:|", rows, markdown);
        out.push('\n');
        // A column for the busiest hours where some driver swings over its
        // measurement.
        let busiest = trends.iter().any(|(_, t)| t.busiest.is_some());
        let rows: Vec<Vec<String>> = trends
            .iter()
            .flat_map(|(d, t)| {
                t.reaches.iter().map(move |r| {
                    let mut row = vec![
                        r.name.clone(),
                        d.driver.clone(),
                        number(r.value),
                        r.planned_month.map_or_else(|| "-".to_string(), |m| format!("month {m}")),
                        month_ahead(r.trend_month, "reached"),
                    ];
                    if busiest {
                        row.push(match t.busiest {
                            Some(_) => month_ahead(r.busiest_month, "reached"),
                            None => "-".to_string(),
                        });
                    }
                    row
                })
            })
            .collect();
        if !rows.is_empty() {
            section(&mut out, "When the measured growth reaches each milestone");
            let mut header =
                vec!["milestone", "driver", "value", "the plan says", "at the measured growth"];
            let mut align = "|---|---|---:|---|---|".to_string();
            if busiest {
                header.push("its busiest hours");
                align.push_str("---|");
            }
            write_table(&mut out, &header, &align, rows, markdown);
            out.push('\n');
        }
        for (d, t) in &trends {
            if let Some(line) = outgrows(d) {
                out.push_str(&format!("{line}\n\n"));
            }
            if let Some(line) = unsteady(&d.driver, &t.fit) {
                out.push_str(&format!("{line}\n\n"));
            }
        }
    }
    let load_trends: Vec<(&str, &ObservedLoad, &LoadTrend)> = o
        .tiers
        .iter()
        .flat_map(|t| {
            t.loads.iter().filter_map(|l| l.trend.as_ref().map(|lt| (t.tier.as_str(), l, lt)))
        })
        .collect();
    if let Some((_, _, first)) = load_trends.first() {
        section(
            &mut out,
            &format!(
                "Loads measured over {}: the runway without the model{}",
                first.fit.window,
                errors_note(load_trends.iter().map(|(_, _, t)| &t.fit))
            ),
        );
        let rows = load_trends
            .iter()
            .map(|(tier, l, t)| {
                let [growth, interval, r_squared, samples, swings] = fit_cells(&t.fit);
                [
                    tier.to_string(),
                    l.dimension.clone(),
                    growth,
                    interval,
                    r_squared,
                    samples,
                    swings,
                    utilisation(l.utilisation, ceiling),
                    match l.utilisation {
                        None => "-".to_string(),
                        Some(_) => month_ahead(t.breaks_month, "already"),
                    },
                ]
            })
            .collect();
        let reaches = format!("reaches {} of today's deployment", percent(ceiling));
        let header = [
            "tier",
            "load",
            "growth a month",
            "95% interval",
            "R²",
            "samples",
            "swing taken out",
            "today's utilisation (measured)",
            reaches.as_str(),
        ];
        write_table(&mut out, &header, "|---|---|---:|---:|---:|---|---|---:|---|", rows, markdown);
        out.push('\n');
        for (tier, l, t) in &load_trends {
            if let Some(line) = unsteady(&format!("{tier} {}", l.dimension), &t.fit) {
                out.push_str(&format!("{line}\n\n"));
            }
        }
    }
    section(&mut out, "Tiers, planned for the measured drivers");
    let mut rows = Vec::new();
    for t in &o.tiers {
        let first = [
            t.tier.clone(),
            t.today.clone().unwrap_or_else(|| "-".to_string()),
            format!("{} x {}", t.needed_units, t.needed_instance),
            utilisation(t.modelled_utilisation, ceiling),
        ];
        let mut loads = t.loads.iter();
        let load_cells = |l: Option<&crate::observe::ObservedLoad>| match l {
            Some(l) => [
                l.dimension.clone(),
                number(l.observed),
                number(l.modelled),
                l.ratio.map_or_else(|| "-".to_string(), |r| format!("{r:.2}")),
                utilisation(l.utilisation, ceiling),
            ],
            None => std::array::from_fn(|_| String::new()),
        };
        let [a, b, c, d] = first;
        let [e, f, g, h, i] = load_cells(loads.next());
        rows.push([a, b, c, d, e, f, g, h, i]);
        for more in loads {
            let [e, f, g, h, i] = load_cells(Some(more));
            let blank = String::new;
            rows.push([blank(), blank(), blank(), blank(), e, f, g, h, i]);
        }
    }
    let header = [
        "tier",
        "today",
        "measured drivers need",
        "today's utilisation (model)",
        "measured load",
        "measured",
        "model",
        "measured / model",
        "today's utilisation (measured)",
    ];
    write_table(&mut out, &header, "|---|---|---|---:|---|---:|---:|---:|---:|", rows, markdown);
    if !o.runway.is_empty() {
        out.push('\n');
        section(&mut out, "Runway of today's deployment from the measured drivers");
        let month =
            |m: Option<u32>| m.map_or_else(|| "beyond".to_string(), |m| format!("month {m}"));
        let rows: Vec<Vec<String>> = o
            .runway
            .iter()
            .map(|r| {
                let mut row = vec![
                    r.observed.tier.clone(),
                    month(r.observed.month),
                    month(r.planned_month),
                    r.observed.dimension.clone(),
                    percent(r.observed.utilisation),
                ];
                if let Some(trend) = &o.trend {
                    let at_trend = trend.runway.iter().find(|t| t.tier == r.observed.tier);
                    row.push(at_trend.map_or_else(|| "-".to_string(), |t| month(t.month)));
                }
                row
            })
            .collect();
        let mut header = vec!["tier", "breaks headroom", "the plan says", "on", "utilisation then"];
        let mut align = "|---|---|---|---|---:|".to_string();
        if o.trend.is_some() {
            header.push("at the measured growth");
            align.push_str("---|");
        }
        write_table(&mut out, &header, &align, rows, markdown);
    }
    if !o.rebase.is_empty() {
        out.push_str(&format!(
            "\nTo plan from the measured drivers: headroom diff {} {}\n",
            o.profile.id,
            set_flags(&o.rebase)
        ));
    }
    if let Some(trend) = &o.trend {
        out.push_str(&format!(
            "To plan at the measured growth: headroom diff {} {}\n",
            o.profile.id,
            set_flags(&trend.set)
        ));
        if trend.simulate.len() > trend.set.len() {
            out.push_str(&format!(
                "To simulate it, each measured rate drawn with its uncertainty: headroom simulate {} {}\n",
                o.profile.id,
                set_flags(&trend.simulate)
            ));
        }
        if !trend.busiest_set.is_empty() {
            out.push_str(&format!(
                "To plan for the busiest hours (the swings' peak over the trend, now): headroom diff {} {}\n",
                o.profile.id,
                set_flags(&trend.busiest_set)
            ));
        }
    }
    out
}

/// `--set` flags as a shell takes them: an assignment with characters a
/// shell reads (the quotes of a dotted key part) in single quotes.
fn set_flags(sets: &[String]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._-=+,:/".contains(c);
    let quoted: Vec<String> = sets
        .iter()
        .map(|s| if s.chars().all(plain) { format!("--set {s}") } else { format!("--set '{s}'") })
        .collect();
    quoted.join(" ")
}

/// A month a projection gives: `now` where it is already there (month 0),
/// `month 4.1`, or "not within 10 years" where it gives none.
fn month_ahead(month: Option<f64>, now: &str) -> String {
    match month {
        Some(m) if m <= 0.0 => now.to_string(),
        Some(m) => format!("month {m:.1}"),
        None => "not within 10 years".to_string(),
    }
}

/// A fit's cells: growth a month, its 95% interval, R², the samples, the
/// swings taken out (`daily +4.0% / -4.0%`, or `none`).
fn fit_cells(fit: &FittedGrowth) -> [String; 5] {
    let swings: Vec<String> = fit
        .swings
        .iter()
        .map(|s| {
            let (high, low) = (signed_percent(s.high), signed_percent(s.low));
            if high == "+0.0%" && low == "+0.0%" {
                format!("{} ±0.0%", s.cycle)
            } else {
                format!("{} {high} / {low}", s.cycle)
            }
        })
        .collect();
    [
        signed_percent(fit.rate),
        format!("{} to {}", signed_percent(fit.rate_low), signed_percent(fit.rate_high)),
        fit.r_squared.map_or_else(|| "-".to_string(), |r| format!("{r:.3}")),
        format!("{} over {:.2} months", fit.points, fit.span_months),
        if swings.is_empty() { "none".to_string() } else { swings.join(", ") },
    ]
}

/// A rate as a signed percentage: `+24.6%`, `-1.2%`, `+0.0%`.
fn signed_percent(rate: f64) -> String {
    let shown = format!("{:+.1}%", rate * 100.0);
    if shown == "-0.0%" {
        "+0.0%".to_string()
    } else {
        shown
    }
}

/// A CSV cell: the number at full precision, or empty.
fn csv_cell(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// The CSV's growth columns of a measurement: empty without a trend, and
/// a swing's empty where it was not fitted.
fn growth_cells(fit: Option<&FittedGrowth>) -> [String; 8] {
    let swing = |cycle: Cycle| fit.and_then(|f| f.swings.iter().find(|s| s.cycle == cycle.name()));
    let (daily, weekly) = (swing(Cycle::Daily), swing(Cycle::Weekly));
    [
        csv_cell(fit.map(|f| f.rate)),
        csv_cell(fit.map(|f| f.rate_low)),
        csv_cell(fit.map(|f| f.rate_high)),
        csv_cell(fit.and_then(|f| f.r_squared)),
        csv_cell(daily.map(|s| s.high)),
        csv_cell(daily.map(|s| s.low)),
        csv_cell(weekly.map(|s| s.high)),
        csv_cell(weekly.map(|s| s.low)),
    ]
}

/// A row a measurement: the drivers, then the loads.
fn observation_csv(o: &Observation) -> String {
    let header = [
        "profile",
        "key",
        "query",
        "measured",
        "measured_at",
        "planned",
        "plan_month",
        "ratio",
        "utilisation",
        "growth_a_month",
        "growth_low",
        "growth_high",
        "growth_r_squared",
        "daily_swing_high",
        "daily_swing_low",
        "weekly_swing_high",
        "weekly_swing_low",
    ];
    let drivers = o.drivers.iter().map(|d| {
        vec![
            o.profile.id.clone(),
            format!("observe.drivers.{}", d.driver),
            d.query.clone(),
            d.observed.to_string(),
            o.measured_at.to_string(),
            csv_cell(d.planned_today),
            csv_cell(d.plan_month),
            String::new(),
            String::new(),
        ]
        .into_iter()
        .chain(growth_cells(d.trend.as_ref().map(|t| &t.fit)))
        .collect::<Vec<String>>()
    });
    let loads = o.tiers.iter().flat_map(|t| {
        t.loads.iter().map(move |l| {
            vec![
                o.profile.id.clone(),
                format!("observe.loads.{}.{}", t.tier, l.dimension),
                l.query.clone(),
                l.observed.to_string(),
                o.measured_at.to_string(),
                l.modelled.to_string(),
                String::new(),
                csv_cell(l.ratio),
                csv_cell(l.utilisation),
            ]
            .into_iter()
            .chain(growth_cells(l.trend.as_ref().map(|t| &t.fit)))
            .collect::<Vec<String>>()
        })
    });
    csv_text(&header, drivers.chain(loads))
}

/// Unix seconds as a UTC date and time, `2026-11-24 16:00:00 UTC`: the
/// days-to-civil-date conversion of Howard Hinnant's `chrono`-compatible
/// date algorithms ("civil_from_days").
pub(crate) fn utc(unix: f64) -> String {
    if !unix.is_finite() {
        return "an unknown time".to_string();
    }
    let seconds = unix.floor() as i64;
    let (days, in_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc;

    /// Dates checked with GNU `date -u -d @<seconds>`.
    #[test]
    fn unix_seconds_read_as_utc() {
        assert_eq!(utc(0.0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400.0), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_764_000_000.9), "2025-11-24 16:00:00 UTC");
        assert_eq!(utc(4_107_542_399.0), "2100-02-28 23:59:59 UTC");
        assert_eq!(utc(-1.0), "1969-12-31 23:59:59 UTC");
    }
}
