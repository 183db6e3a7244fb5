//! Charts as SVG, drawn by hand: a person would rather look than read.

use std::fmt::Write as _;

use super::*;

const PALETTE: &[&str] = &["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An SVG document's opening: its size, the font, a white background.
fn svg_start(width: f64, height: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    )
}

/// A shaded band: `outline` runs up one side and back down the other, as
/// `x,y` points.
fn shaded_band(svg: &mut String, outline: impl Iterator<Item = String>, colour: &str) {
    let points: Vec<String> = outline.collect();
    let _ = writeln!(
        svg,
        "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.15\" stroke=\"none\"/>",
        points.join(" ")
    );
}

/// A light grid line across the plot at height `y`, labelled `text` on the
/// left (the value axis of every chart).
fn grid_line(svg: &mut String, left: f64, right: f64, y: f64, text: &str) {
    let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{text}</text>", left - 6.0, y + 4.0);
}

/// A legend entry for a line: a short bar of `colour` at (`x`, `y`) and its
/// `name` beside it.
fn legend_line(svg: &mut String, x: f64, y: f64, colour: &str, name: &str) {
    let _ = writeln!(svg, "<rect x=\"{x}\" y=\"{y:.1}\" width=\"12\" height=\"3\" fill=\"{colour}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>", x + 16.0, y + 5.0, escape(name));
}

/// A legend entry for an area or a bar: a square of `colour` at (`x`,
/// `y`) and its `name` beside it.
fn legend_box(svg: &mut String, x: f64, y: f64, colour: &str, name: &str) {
    let _ = writeln!(svg, "<rect x=\"{x}\" y=\"{y:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>", x + 16.0, y + 10.0, escape(name));
}

/// A month's label under a chart's month axis, centred on `x`, its
/// baseline at `y`.
fn month_label(svg: &mut String, x: f64, y: f64, month: usize) {
    let _ = writeln!(svg, "<text x=\"{x:.1}\" y=\"{y}\" text-anchor=\"middle\">{month}</text>");
}

/// The month axis's title, centred under a plot from `left` across
/// `plot_w`, its baseline at `y`.
fn month_axis_title(svg: &mut String, left: f64, plot_w: f64, y: f64) {
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"middle\">month</text>",
        left + plot_w / 2.0
    );
}

/// The frame of the single-panel charts: a 720 x 360 white canvas with margins for
/// axis labels (left, bottom), a title (top) and a legend (right).
struct Canvas {
    height: f64,
    left: f64,
    top: f64,
    plot_w: f64,
    plot_h: f64,
    svg: String,
}

impl Canvas {
    fn new() -> Canvas {
        let (width, height) = (720.0, 360.0);
        let (left, right, top, bottom) = (60.0, 150.0, 40.0, 50.0);
        let svg = svg_start(width, height);
        Canvas {
            height,
            left,
            top,
            plot_w: width - left - right,
            plot_h: height - top - bottom,
            svg,
        }
    }
}

/// A point a line chart marks on one of its series: a dot in the series'
/// colour at `month`, with `label` beside it (a runway's month, say).
struct Mark {
    series: usize,
    month: usize,
    label: String,
}

/// A line chart over months 0..n: one polyline a series (values as
/// fractions, drawn as percentages up to `y_max`), an optional dashed
/// reference line, a legend on the right. With `wide_first`, the first
/// series (a total) is a wide line under the others; with `bands`, a shaded
/// range (low, high) a month about each series, in its colour. A series
/// that runs past `y_max` ends where it leaves the plot, with an arrow
/// and the highest value it reaches there, so that one steep line does not
/// flatten the others.
struct LineChart<'a> {
    title: String,
    subtitle: Option<String>,
    series: &'a [(String, Vec<f64>)],
    y_max: f64,
    reference: Option<(f64, String)>,
    wide_first: bool,
    bands: Option<&'a [Vec<(f64, f64)>]>,
    marks: Vec<Mark>,
}

/// A series' line as `x,y` points up to where it first leaves the plot
/// above `y_max` (that point interpolated on the plot's top edge), and
/// whether it left. Values that are not finite are skipped.
fn clipped_line(
    values: &[f64],
    y_max: f64,
    x: &dyn Fn(f64) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> (Vec<String>, Option<f64>) {
    let mut points = Vec::new();
    let mut last: Option<(f64, f64)> = None;
    for (m, &v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        let m = m as f64;
        if v > y_max {
            // Where the segment from the last point crosses the top.
            let at = match last {
                Some((m0, v0)) if v != v0 => m0 + (y_max - v0) / (v - v0) * (m - m0),
                _ => m,
            };
            points.push(format!("{:.1},{:.1}", x(at), y(y_max)));
            return (points, Some(at));
        }
        points.push(format!("{:.1},{:.1}", x(m), y(v)));
        last = Some((m, v));
    }
    (points, None)
}

impl LineChart<'_> {
    fn draw(&self) -> String {
        let Canvas { height, left, top, plot_w, plot_h, mut svg } = Canvas::new();
        let y_max = self.y_max;
        let _ = writeln!(
            svg,
            "<text x=\"{left}\" y=\"18\" font-size=\"14\">{}</text>",
            escape(&self.title)
        );
        if let Some(subtitle) = &self.subtitle {
            let _ = writeln!(
                svg,
                "<text x=\"{left}\" y=\"32\" font-size=\"11\">{}</text>",
                escape(subtitle)
            );
        }
        let points = self.series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        let months = points.saturating_sub(1).max(1) as f64;
        let x = |m: f64| left + m / months * plot_w;
        let y = |u: f64| top + plot_h - (u.min(y_max) / y_max) * plot_h;
        for tick in 0..=4 {
            let u = y_max * f64::from(tick) / 4.0;
            grid_line(&mut svg, left, left + plot_w, y(u), &format!("{:.0}%", u * 100.0));
        }
        for m in 0..points {
            month_label(&mut svg, x(m as f64), top + plot_h + 16.0, m);
        }
        month_axis_title(&mut svg, left, plot_w, height - 10.0);
        for (index, band) in self.bands.unwrap_or_default().iter().enumerate() {
            let point = |(m, v): (usize, f64)| format!("{:.1},{:.1}", x(m as f64), y(v));
            let highs = band.iter().map(|b| b.1).enumerate().map(point);
            let lows = band.iter().map(|b| b.0).enumerate().rev().map(point);
            shaded_band(&mut svg, highs.chain(lows), PALETTE[index % PALETTE.len()]);
        }
        if let Some((value, label)) = &self.reference {
            let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\">{}</text>", left + plot_w, y(*value), y(*value), left + plot_w + 6.0, y(*value) + 4.0, escape(label));
        }
        for (index, (name, values)) in self.series.iter().enumerate() {
            let colour = PALETTE[index % PALETTE.len()];
            let (line, left_at) = clipped_line(values, y_max, &x, &y);
            // With `wide_first`, the first series (a total) is a wide band under the others.
            let stroke = if index == 0 && self.wide_first { 6 } else { 2 };
            let _ = writeln!(
                svg,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{stroke}\" points=\"{}\"/>",
                line.join(" ")
            );
            if let Some(at) = left_at {
                // Off the top: an arrow, and how high the line goes.
                let (month, most) = values.iter().enumerate().filter(|(_, v)| v.is_finite()).fold(
                    (0, f64::MIN),
                    |(m0, v0), (m, &v)| if v > v0 { (m, v) } else { (m0, v0) },
                );
                let (ax, ay) = (x(at), top);
                let _ = writeln!(svg, "<polygon points=\"{:.1},{:.1} {ax:.1},{:.1} {:.1},{:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"{colour}\">{:.0}% at month {month}</text>", ax - 4.0, ay + 2.0, ay - 5.0, ax + 4.0, ay + 2.0, ax + 6.0, ay + 10.0, most * 100.0);
            }
            let ly = top + 60.0 + index as f64 * 18.0;
            legend_line(&mut svg, left + plot_w + 6.0, ly, colour, name);
        }
        // Each label above its dot, or below it near the top; a label for
        // a dot where another already stands goes a line further on.
        let mut placed: Vec<(f64, f64)> = Vec::new();
        for mark in &self.marks {
            let Some(&value) = self.series.get(mark.series).and_then(|(_, v)| v.get(mark.month))
            else {
                continue;
            };
            let colour = PALETTE[mark.series % PALETTE.len()];
            let (cx, cy) = (x(mark.month as f64), y(value));
            let below = cy < top + 20.0;
            let before = placed
                .iter()
                .filter(|&&(px, py)| (px - cx).abs() < 1.0 && (py - cy).abs() < 1.0)
                .count();
            placed.push((cx, cy));
            let line = 12.0 * before as f64;
            let ty = if below { cy + 14.0 + line } else { cy - 6.0 - line };
            let _ = writeln!(svg, "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"4\" fill=\"{colour}\" stroke=\"black\"/><text x=\"{:.1}\" y=\"{ty:.1}\" font-size=\"10\" fill=\"{colour}\">{}</text>", cx + 6.0, escape(&mark.label));
        }
        svg.push_str("</svg>\n");
        svg
    }
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
    // Where each chance lies given the draws (Wilson's 95% interval).
    let ends = |i: &crate::simulate::Interval, share: f64| {
        (i.low.unwrap_or(share), i.high.unwrap_or(share))
    };
    let mut bands: Vec<Vec<(f64, f64)>> =
        vec![sim.breach.iter().map(|m| ends(&m.probability_interval, m.probability)).collect()];
    if let Some(first) = sim.breach.first() {
        for tier in first.by_tier.keys() {
            bands.push(
                sim.breach
                    .iter()
                    .map(|m| ends(&m.by_tier_interval[tier], m.by_tier[tier]))
                    .collect(),
            );
        }
    }
    LineChart {
        title: format!("{}: P(today's deployment has broken its headroom)", sim.profile.id),
        subtitle: Some(format!(
            "by each month, over {} draws; bands: 95% intervals (Wilson)",
            sim.draws
        )),
        series: &series,
        y_max: 1.0,
        reference: None,
        wide_first: true,
        bands: Some(&bands),
        marks: Vec::new(),
    }
    .draw()
}

/// An SVG chart of the triggers a simulation reads on today's deployment:
/// month by month, the share of the draws in which each has fired, a dot
/// on each line at the month the plan has it fire. `None` when it reads
/// none.
pub fn triggers_svg(sim: &crate::simulate::Simulation) -> Option<String> {
    if sim.triggers.is_empty() {
        return None;
    }
    let series: Vec<(String, Vec<f64>)> =
        sim.triggers.iter().map(|t| (t.name.clone(), t.fired_by.clone())).collect();
    let marks = sim
        .triggers
        .iter()
        .enumerate()
        .filter_map(|(series, t)| {
            let month = t.planned_month? as usize;
            Some(Mark { series, month, label: "as planned".to_string() })
        })
        .collect();
    Some(
        LineChart {
            title: format!("{}: P(each trigger on today's deployment has fired)", sim.profile.id),
            subtitle: Some(format!(
                "by each month, over {} draws; each dot: the month the plan has it fire",
                sim.draws
            )),
            series: &series,
            y_max: 1.0,
            reference: None,
            wide_first: false,
            bands: None,
            marks,
        }
        .draw(),
    )
}

/// The frame of a chart of panels stacked one a tier: a white canvas 720
/// wide, a title, and for each panel its value axis, its label on the
/// right and its x labels below.
struct Stack {
    left: f64,
    plot_w: f64,
    top: f64,
    panel_h: f64,
    gap: f64,
    height: f64,
    svg: String,
}

impl Stack {
    fn new(title: &str, key: &str, panels: usize, panel_h: f64, gap: f64) -> Stack {
        let (width, left, right, top) = (720.0, 72.0, 150.0, 56.0);
        let height = top + panels as f64 * (panel_h + gap) + 10.0;
        let mut svg = svg_start(width, height);
        let _ =
            writeln!(svg, "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}</text>", escape(title));
        let _ =
            writeln!(svg, "<text x=\"{left}\" y=\"40\" font-size=\"11\">{}</text>", escape(key));
        Stack { left, plot_w: width - left - right, top, panel_h, gap, height, svg }
    }

    /// Draws panel `i`'s axis from 0 to the first round value at or above
    /// `most` ([`round_axis`]: ticks at 0, 5, 10, 15, not at 0, 6, 12; in
    /// dollars if asked) and its label; returns the y of a value on it and
    /// the axis's top value.
    fn panel(
        &mut self,
        i: usize,
        label: &str,
        most: f64,
        in_dollars: bool,
    ) -> (impl Fn(f64) -> f64, f64) {
        let (left, plot_w, panel_h) = (self.left, self.plot_w, self.panel_h);
        let panel_top = self.top + i as f64 * (panel_h + self.gap);
        let (step, steps) = round_axis(most, 4);
        let y_max = step * f64::from(steps);
        let y = move |u: f64| panel_top + panel_h - (u / y_max) * panel_h;
        for tick in 0..=steps {
            let u = step * f64::from(tick);
            let text = if in_dollars { dollars(u) } else { format!("{u:.0}") };
            grid_line(&mut self.svg, left, left + plot_w, y(u), &text);
        }
        let _ = writeln!(
            self.svg,
            "<text x=\"{}\" y=\"{:.1}\">{}</text>",
            left + plot_w + 6.0,
            panel_top + 14.0,
            escape(label)
        );
        (y, y_max)
    }

    /// A small label under panel `i` at `x`.
    fn x_label(&mut self, i: usize, x: f64, text: &str) {
        let y = self.top + i as f64 * (self.panel_h + self.gap) + self.panel_h + 12.0;
        let _ = writeln!(
            self.svg,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
            escape(text)
        );
    }

    fn finish(mut self) -> String {
        self.svg.push_str("</svg>\n");
        self.svg
    }
}

/// The step between an axis's ticks and how many steps reach from 0 to the
/// first tick at or above `most`: the step is 1, 2 or 5 times a power of ten,
/// a whole number (the axes count units and dollars), the smallest such
/// that at most `steps` of them reach `most`: "nice numbers for graph
/// labels" (Heckbert, Graphics Gems, 1990), with his loose labelling (the
/// axis ends on a tick past the data). An axis up to 94 ticks at 0, 50 and
/// 100; up to 12 at 0, 5, 10 and 15.
fn round_axis(most: f64, steps: u32) -> (f64, u32) {
    if !(most.is_finite() && most > 0.0) {
        return (1.0, 1);
    }
    let magnitude = 10f64.powf((most / f64::from(steps)).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| step * f64::from(steps) >= most)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    // At most `steps` by the choice above; the cast is of a small whole number.
    (step, (most / step).ceil().max(1.0) as u32)
}

/// What one panel of the fan chart draws for a tier: its units, or, for a
/// tier whose units never move while its cost does (a vertical ladder, one
/// instance climbing from size to size), its monthly cost, so that the
/// ladder's steps show instead of a flat line at 1.
struct Panel<'a> {
    label: String,
    series: Vec<&'a crate::simulate::Quantiles>,
    in_dollars: bool,
}

fn panel<'a>(sim: &'a crate::simulate::Simulation, index: usize, tier: &str) -> Panel<'a> {
    let units: Vec<&crate::simulate::Quantiles> =
        sim.monthly.iter().map(|m| &m.tiers[index].units).collect();
    let costs: Option<Vec<&crate::simulate::Quantiles>> =
        sim.monthly.iter().map(|m| m.tiers[index].monthly_cost.as_ref()).collect();
    let flat = |series: &[&crate::simulate::Quantiles]| {
        let first = series.first().map_or(0.0, |q| q.p50);
        series.iter().all(|q| q.p50 == first && q.p90 == first && q.p99 == first)
    };
    match costs {
        Some(costs) if flat(&units) && !flat(&costs) => {
            Panel { label: format!("{tier} ($ a month)"), series: costs, in_dollars: true }
        }
        _ => Panel { label: tier.to_string(), series: units, in_dollars: false },
    }
}

/// An SVG fan chart of a simulation: for each tier, a panel of the units
/// each month needs over the draws (or its monthly cost, where only the
/// instance size moves: see `Panel`), P50 as a line, the P50 to P90 band
/// dark and the P90 to P99 band light. Without dated growth, the same by
/// milestone (`milestone_bands_svg`); `None` without milestones either.
pub fn bands_svg(
    sim: &crate::simulate::Simulation,
    published: &[PublishedFigure],
) -> Option<String> {
    let Some(first) = sim.monthly.first() else {
        return milestone_bands_svg(sim, published);
    };
    let tiers: Vec<&str> = first.tiers.iter().map(|t| t.tier.as_str()).collect();
    let title = format!("{}: units a month needs, {} draws", sim.profile.id, sim.draws);
    let key = "line: P50; bands: to P90, to P99; black: the document's own figure or range";
    let mut stack = Stack::new(&title, key, tiers.len(), 120.0, 36.0);
    let months = sim.monthly.len().saturating_sub(1).max(1) as f64;
    let (left, plot_w) = (stack.left, stack.plot_w);
    let x = |m: usize| left + m as f64 / months * plot_w;
    for (i, tier) in tiers.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let Panel { label, series, in_dollars } = panel(sim, i, tier);
        // The document's units for this tier, at their milestone's month.
        let marks: Vec<(usize, &PublishedFigure)> = published
            .iter()
            .filter(|p| p.tier == *tier && p.in_dollars == in_dollars)
            .filter_map(|p| {
                let month = sim.milestones.iter().find(|m| m.name == p.milestone)?.month? as usize;
                (month < sim.monthly.len()).then_some((month, p))
            })
            .collect();
        let (y, y_max) = stack.panel(i, &label, reach(&series, &marks), in_dollars);
        let band = |low: &dyn Fn(&crate::simulate::Quantiles) -> f64,
                    high: &dyn Fn(&crate::simulate::Quantiles) -> f64| {
            let upper =
                series.iter().enumerate().map(|(m, q)| format!("{:.1},{:.1}", x(m), y(high(q))));
            let lower = series
                .iter()
                .enumerate()
                .rev()
                .map(|(m, q)| format!("{:.1},{:.1}", x(m), y(low(q))));
            upper.chain(lower).collect::<Vec<_>>().join(" ")
        };
        let _ = writeln!(
            stack.svg,
            "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.15\"/>",
            band(&|q| q.p90, &|q| q.p99)
        );
        let _ = writeln!(
            stack.svg,
            "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.35\"/>",
            band(&|q| q.p50, &|q| q.p90)
        );
        let line: Vec<String> = series
            .iter()
            .enumerate()
            .map(|(m, q)| format!("{:.1},{:.1}", x(m), y(q.p50)))
            .collect();
        let _ = writeln!(
            stack.svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            line.join(" ")
        );
        for (month, figure) in &marks {
            published_mark(&mut stack.svg, figure, x(*month), &y, y_max);
        }
        for (m, month) in sim.monthly.iter().enumerate() {
            stack.x_label(i, x(m), &month.month.to_string());
        }
    }
    month_axis_title(&mut stack.svg, left, plot_w, stack.height - 4.0);
    Some(stack.finish())
}

/// An SVG chart of a simulation without dated growth: for each tier, a
/// panel of the units each milestone needs over the draws, a bar a
/// milestone (P50 to P90 dark, P90 to P99 light, the P50 a black tick):
/// milestones that are not a time line are not joined by lines.
fn milestone_bands_svg(
    sim: &crate::simulate::Simulation,
    published: &[PublishedFigure],
) -> Option<String> {
    let first = sim.milestones.first()?;
    let tiers: Vec<&str> = first.tiers.iter().map(|t| t.tier.as_str()).collect();
    let title = format!("{}: units each milestone needs, {} draws", sim.profile.id, sim.draws);
    let key = "tick: P50; bars: to P90, to P99; black: the document's own figure or range";
    let mut stack = Stack::new(&title, key, tiers.len(), 110.0, 40.0);
    let slot = stack.plot_w / sim.milestones.len() as f64;
    let left = stack.left;
    let x = |m: usize| left + (m as f64 + 0.5) * slot;
    let bar_w = (slot * 0.4).min(40.0);
    for (i, tier) in tiers.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let series: Vec<&crate::simulate::Quantiles> =
            sim.milestones.iter().map(|m| &m.tiers[i].units).collect();
        // The document's units for this tier, beside each milestone's bar.
        let marks: Vec<(usize, &PublishedFigure)> = published
            .iter()
            .filter(|p| p.tier == *tier && !p.in_dollars)
            .filter_map(|p| Some((sim.milestones.iter().position(|m| m.name == p.milestone)?, p)))
            .collect();
        let (y, y_max) = stack.panel(i, tier, reach(&series, &marks), false);
        for (m, figure) in &marks {
            published_mark(&mut stack.svg, figure, x(*m) + bar_w / 2.0 + 10.0, &y, y_max);
        }
        for (m, q) in series.iter().enumerate() {
            let bar = |low: f64, high: f64, opacity: f64| {
                format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"{opacity}\"/>",
                    x(m) - bar_w / 2.0,
                    y(high),
                    (y(low) - y(high)).max(1.0)
                )
            };
            let _ = writeln!(stack.svg, "{}", bar(q.p90, q.p99, 0.25));
            let _ = writeln!(stack.svg, "{}", bar(q.p50, q.p90, 0.6));
            let _ = writeln!(
                stack.svg,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-width=\"2\"/>",
                x(m) - bar_w / 2.0 - 3.0,
                x(m) + bar_w / 2.0 + 3.0,
                y(q.p50),
                y(q.p50)
            );
            stack.x_label(i, x(m), &sim.milestones[m].name);
        }
    }
    Some(stack.finish())
}

/// An SVG chart: with a growth curve, the utilisation today's deployment
/// would run at, month by month, per tier, against the headroom line (where
/// a line crosses it is that tier's runway); without one, the units each
/// milestone needs per tier.
pub fn runway_svg(plan: &Plan) -> String {
    let Canvas { height: _, left, top, plot_w, plot_h, mut svg } = Canvas::new();
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
        // Up to twice today's capacity: where the lines cross the headroom
        // line is what the chart is for; a line that climbs past it ends
        // with an arrow and its highest value.
        let y_max = (peak * 1.1).min(2.0);
        // Each runway's month, on its tier's line.
        let marks = plan
            .runway
            .iter()
            .filter_map(|r| {
                let series = series.iter().position(|(tier, _)| *tier == r.tier)?;
                let month = r.month? as usize;
                Some(Mark { series, month, label: format!("month {month}") })
            })
            .collect();
        return LineChart {
            title: format!(
                "{}: utilisation of today's deployment as demand grows",
                plan.profile.id
            ),
            subtitle: Some(
                "each dot: the month its tier first breaks its headroom (its runway)".to_string(),
            ),
            series: &series,
            y_max,
            reference: Some((line, format!("headroom line {:.0}%", line * 100.0))),
            wide_first: false,
            bands: None,
            marks,
        }
        .draw();
    } else {
        let _ = writeln!(svg, "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}: utilisation of each tier as planned, units above each bar</text>", escape(&plan.profile.id));
        let groups = plan.milestones.len().max(1) as f64;
        let group_w = plot_w / groups;
        let bar_w = group_w * 0.8 / tiers.len().max(1) as f64;
        let y = |u: f64| top + plot_h - u.min(1.0) * plot_h;
        for tick in 0..=4 {
            let u = f64::from(tick) / 4.0;
            grid_line(&mut svg, left, left + plot_w, y(u), &format!("{:.0}%", u * 100.0));
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
            legend_box(&mut svg, left + plot_w + 6.0, ly, colour, tier);
        }
        let line = 1.0 - plan.headroom;
        let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\">headroom line {:.0}%</text>", left + plot_w, y(line), y(line), left + plot_w + 6.0, y(line) + 4.0, line * 100.0);
    }
    svg.push_str("</svg>\n");
    svg
}

/// A number the document publishes for a tier (or `total`) at a milestone:
/// one figure (`low` = `high`) or a range; `high` infinite for an open one
/// ("10+", "$1500+").
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedFigure {
    /// Tier key, or `total`.
    pub tier: String,
    /// The milestone's name, as the plan names it.
    pub milestone: String,
    /// The figure, or the range's lower end.
    pub low: f64,
    /// The range's upper end (the figure again when there is no range).
    pub high: f64,
    /// Whether it is in dollars a month (else a count of units).
    pub in_dollars: bool,
}

impl PublishedFigure {
    /// How far up an axis must reach to show it: its upper end, or a
    /// quarter past the lower end of an open range, so that "10+" shows as
    /// a bar from 10 up.
    fn reach(&self) -> f64 {
        if self.high.is_finite() {
            self.high
        } else {
            self.low * 1.25
        }
    }
}

/// How far up a panel's axis must reach: the P99s of its series and the
/// document's figures drawn on it.
fn reach(series: &[&crate::simulate::Quantiles], marks: &[(usize, &PublishedFigure)]) -> f64 {
    series.iter().map(|q| q.p99).chain(marks.iter().map(|(_, p)| p.reach())).fold(1.0_f64, f64::max)
}

/// Draws a published figure at `x` on an axis `y` that ends at `y_max`: a
/// black diamond for a figure, a black bar for a range (to the top of the
/// axis for an open one).
fn published_mark(
    svg: &mut String,
    figure: &PublishedFigure,
    x: f64,
    y: &dyn Fn(f64) -> f64,
    y_max: f64,
) {
    if figure.high > figure.low {
        let top = y(figure.high.min(y_max));
        let _ = writeln!(svg, "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-width=\"4\"/>", y(figure.low.min(y_max)));
    } else {
        let cy = y(figure.low.min(y_max));
        let _ = writeln!(svg, "<polygon points=\"{:.1},{cy:.1} {x:.1},{:.1} {:.1},{cy:.1} {x:.1},{:.1}\" fill=\"black\"/>", x - 6.0, cy - 6.0, x + 6.0, cy + 6.0);
    }
}

/// An SVG chart of what the plan costs a month, stacked by tier: with a
/// growth curve, an area a tier over the months; without one, a stacked bar
/// a milestone. The document's own totals, where it publishes them, stand
/// beside it in black (a diamond for a figure, a bar for a range), so that
/// the gap between the document's budget and its own rules shows.
pub fn cost_svg(plan: &Plan, published: &[PublishedFigure]) -> String {
    let Canvas { height, left, top, plot_w, plot_h, mut svg } = Canvas::new();
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}: monthly cost as planned, by tier</text>",
        escape(&plan.profile.id)
    );
    let tiers: Vec<&str> = plan
        .milestones
        .first()
        .map(|m| m.tiers.iter().map(|t| t.tier.as_str()).collect())
        .unwrap_or_default();
    // Each column of the chart: its x label and each tier's cost, in order.
    let columns: Vec<(String, Vec<f64>)> = if plan.monthly.is_empty() {
        plan.milestones
            .iter()
            .map(|m| (m.name.clone(), m.tiers.iter().map(|t| t.monthly_cost).collect()))
            .collect()
    } else {
        plan.monthly
            .iter()
            .map(|m| (m.month.to_string(), m.tiers.iter().map(|t| t.monthly_cost).collect()))
            .collect()
    };
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let most = columns
        .iter()
        .map(|(_, costs)| costs.iter().sum::<f64>())
        .chain(published.iter().filter(|p| p.tier == "total").map(PublishedFigure::reach))
        .fold(1.0_f64, |a, b| a.max(finite(b)));
    let (step, steps) = round_axis(most, 4);
    let y_max = step * f64::from(steps);
    let y = |u: f64| top + plot_h - (u / y_max) * plot_h;
    for tick in 0..=steps {
        let u = step * f64::from(tick);
        grid_line(&mut svg, left, left + plot_w, y(u), &dollars(u));
    }
    // Where each column and each published milestone sits.
    let by_month = !plan.monthly.is_empty();
    let slots = columns.len().max(1) as f64;
    let x = |i: f64| {
        if by_month {
            left + i / (slots - 1.0).max(1.0) * plot_w
        } else {
            left + (i + 0.5) / slots * plot_w
        }
    };
    let stacked = |i: usize, upto: usize| columns[i].1.iter().take(upto).sum::<f64>();
    let bar_w = (plot_w / slots * 0.5).min(60.0);
    for (t, tier) in tiers.iter().enumerate() {
        let colour = PALETTE[t % PALETTE.len()];
        if by_month {
            let upper = (0..columns.len())
                .map(|i| format!("{:.1},{:.1}", x(i as f64), y(stacked(i, t + 1))));
            let lower = (0..columns.len())
                .rev()
                .map(|i| format!("{:.1},{:.1}", x(i as f64), y(stacked(i, t))));
            let points: Vec<String> = upper.chain(lower).collect();
            let _ = writeln!(
                svg,
                "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.8\"/>",
                points.join(" ")
            );
        } else {
            for i in 0..columns.len() {
                let (low, high) = (stacked(i, t), stacked(i, t + 1));
                let _ = writeln!(svg, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.8\"/>", x(i as f64) - bar_w / 2.0, y(high), y(low) - y(high));
            }
        }
        let ly = top + 60.0 + t as f64 * 18.0;
        legend_box(&mut svg, left + plot_w + 6.0, ly, colour, tier);
    }
    // The document's totals, at their milestone's month (or beside its bar).
    let mut shown = 0;
    for cost in published.iter().filter(|p| p.tier == "total") {
        let Some(i) = plan.milestones.iter().position(|m| m.name == cost.milestone) else {
            continue;
        };
        let at = if by_month {
            match plan.milestones[i].month {
                Some(month) if (month as usize) < columns.len() => x(f64::from(month)),
                _ => continue,
            }
        } else {
            x(i as f64) + bar_w / 2.0 + 10.0
        };
        shown += 1;
        published_mark(&mut svg, cost, at, &y, y_max);
    }
    if shown > 0 {
        let ly = top + 60.0 + tiers.len() as f64 * 18.0 + 8.0;
        legend_box(&mut svg, left + plot_w + 6.0, ly, "black", "the document");
    }
    for (i, (label, _)) in columns.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\">{}</text>",
            x(i as f64),
            top + plot_h + 16.0,
            if by_month { 12 } else { 10 },
            escape(label)
        );
    }
    if by_month {
        month_axis_title(&mut svg, left, plot_w, height - 10.0);
    }
    svg.push_str("</svg>\n");
    svg
}

/// An SVG chart of a plan's commitments month by month over the term: a
/// bar a month of what the committed units cost (the same every month,
/// used or not) and, above it, what the units past them cost on demand,
/// against the cost with every unit on demand (dashed): early months pay
/// for units not yet needed, later ones save. Each bar carries its figures
/// as a tooltip. `None` when the plan prices no commitment, or its term
/// was not worked out.
pub fn commitment_svg(plan: &Plan) -> Option<String> {
    let c = plan.commitment.as_ref()?;
    commitment_chart(
        c,
        &format!("{}: monthly cost with the commitments, against all on demand", plan.profile.id),
    )
}

/// [`commitment_svg`] of a simulation's commitments: each month's costs on
/// average over the draws.
pub fn drawn_commitment_svg(sim: &crate::simulate::Simulation) -> Option<String> {
    let c = sim.commitment.as_ref()?;
    commitment_chart(
        c,
        &format!(
            "{}: monthly cost with the commitments, on average over the draws",
            sim.profile.id
        ),
    )
}

fn commitment_chart(c: &crate::plan::CommitmentPlan, title: &str) -> Option<String> {
    if c.note.is_some() || c.tiers.is_empty() {
        return None;
    }
    let Canvas { height, left, top, plot_w, plot_h, mut svg } = Canvas::new();
    let _ = writeln!(svg, "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}</text>", escape(title));
    let most = c
        .months
        .iter()
        .map(|m| (m.committed_cost + m.on_demand_cost).max(m.all_on_demand_cost))
        .fold(1.0_f64, f64::max);
    let (step, steps) = round_axis(most, 4);
    let y_max = step * f64::from(steps);
    let y = |v: f64| top + plot_h - (v / y_max) * plot_h;
    for tick in 0..=steps {
        let v = step * f64::from(tick);
        grid_line(&mut svg, left, left + plot_w, y(v), &dollars(v));
    }
    let slots = c.months.len().max(1) as f64;
    let x = |m: f64| left + (m + 0.5) / slots * plot_w;
    let bar_w = (plot_w / slots * 0.6).min(40.0);
    for (m, month) in c.months.iter().enumerate() {
        let (committed, above) = (month.committed_cost, month.on_demand_cost);
        let at = x(m as f64) - bar_w / 2.0;
        let _ = writeln!(
            svg,
            "<g><title>month {m}: committed {}, on demand above it {}, together {}; all on demand {}</title><rect x=\"{at:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"0.8\"/><rect x=\"{at:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"0.8\"/></g>",
            dollars(committed),
            dollars(above),
            dollars(committed + above),
            dollars(month.all_on_demand_cost),
            y(committed),
            y(0.0) - y(committed),
            PALETTE[0],
            y(committed + above),
            y(committed) - y(committed + above),
            PALETTE[4],
        );
        month_label(&mut svg, x(m as f64), top + plot_h + 16.0, m);
    }
    let line: Vec<String> = c
        .months
        .iter()
        .enumerate()
        .map(|(m, month)| format!("{:.1},{:.1}", x(m as f64), y(month.all_on_demand_cost)))
        .collect();
    let _ = writeln!(
        svg,
        "<polyline fill=\"none\" stroke=\"black\" stroke-width=\"2\" stroke-dasharray=\"6 4\" points=\"{}\"/>",
        line.join(" ")
    );
    let legend = left + plot_w + 6.0;
    for (i, (colour, name)) in
        [(PALETTE[0], "committed"), (PALETTE[4], "on demand above it")].into_iter().enumerate()
    {
        let ly = top + 60.0 + i as f64 * 18.0;
        legend_box(&mut svg, legend, ly, colour, name);
    }
    legend_line(&mut svg, legend, top + 60.0 + 2.0 * 18.0 + 4.0, "black", "all on demand");
    month_axis_title(&mut svg, left, plot_w, height - 10.0);
    svg.push_str("</svg>\n");
    Some(svg)
}

/// An SVG chart of a USL fit: the measured throughput at each concurrency
/// (dots), the fitted curve X(N) = λN / (1 + σ(N - 1) + κN(N - 1))
/// (Gunther), linear scaling λN for comparison (dashed), and the peak N*
/// with X(N*), past which more concurrency lowers throughput.
pub fn usl_svg(fit: &crate::calc::UslResult) -> String {
    let Canvas { height, left, top, plot_w, plot_h, mut svg } = Canvas::new();
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"22\" font-size=\"14\">USL fit: σ = {:.5}, κ = {:.3e}, λ = {:.3}, R² = {:.4}</text>",
        fit.sigma, fit.kappa, fit.lambda, fit.r_squared
    );
    let curve = |n: f64| headroom_kernel::usl::throughput(n, fit.sigma, fit.kappa, fit.lambda);
    let predicted = &fit.predictions.at;
    let measured_most = fit
        .measured
        .iter()
        .map(|p| p.0)
        .chain(predicted.iter().map(|p| p.concurrency))
        .fold(1.0_f64, f64::max);
    // Past the measurements, and past the peak where it lies near them.
    let n_end = fit
        .peak_concurrency
        .filter(|n| n.is_finite() && *n < 3.0 * measured_most)
        .map_or(measured_most, |n| n.max(measured_most))
        * 1.2;
    let samples: Vec<(f64, f64)> =
        (0..=120).map(|i| n_end * f64::from(i) / 120.0).map(|n| (n, curve(n))).collect();
    let most = samples
        .iter()
        .map(|p| p.1)
        .chain(fit.measured.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(1.0_f64, f64::max);
    let (x_step, x_steps) = round_axis(n_end, 5);
    let (y_step, y_steps) = round_axis(most, 4);
    let (x_max, y_max) = (x_step * f64::from(x_steps), y_step * f64::from(y_steps));
    let x = |n: f64| left + n / x_max * plot_w;
    let y = |v: f64| top + plot_h - v.min(y_max) / y_max * plot_h;
    for tick in 0..=y_steps {
        let v = y_step * f64::from(tick);
        grid_line(&mut svg, left, left + plot_w, y(v), &format!("{v:.0}"));
    }
    for tick in 0..=x_steps {
        let n = x_step * f64::from(tick);
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{n:.0}</text>",
            x(n),
            top + plot_h + 16.0
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">concurrency N</text>",
        left + plot_w / 2.0,
        height - 10.0
    );
    // Linear scaling, up to where it leaves the chart.
    let n_linear = (y_max / fit.lambda).min(x_max);
    let _ = writeln!(svg, "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>", x(0.0), x(n_linear), y(0.0), y(fit.lambda * n_linear));
    // The 95% confidence band of the mean throughput (delta method), where
    // the fit has degrees of freedom left: up one side, back down the other.
    let band: Vec<(f64, (f64, f64))> =
        samples.iter().filter_map(|&(n, _)| fit.fit.predict_interval(n).map(|b| (n, b))).collect();
    if !band.is_empty() {
        let upper = band.iter().map(|(n, (_, high))| format!("{:.1},{:.1}", x(*n), y(*high)));
        let lower =
            band.iter().rev().map(|(n, (low, _))| format!("{:.1},{:.1}", x(*n), y(low.max(0.0))));
        shaded_band(&mut svg, upper.chain(lower), PALETTE[0]);
    }
    let line: Vec<String> =
        samples.iter().map(|(n, v)| format!("{:.1},{:.1}", x(*n), y(*v))).collect();
    let _ = writeln!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
        line.join(" "),
        PALETTE[0]
    );
    for (n, v) in &fit.measured {
        let _ = writeln!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"black\"/>",
            x(*n),
            y(*v)
        );
    }
    for p in predicted {
        if let Some((low, high)) = p.interval {
            let _ = writeln!(
                svg,
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"{3}\"/>",
                x(p.concurrency),
                y(low.max(0.0)),
                y(high),
                PALETTE[1]
            );
        }
        let _ = writeln!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"white\" stroke=\"{}\" stroke-width=\"2\"/>", x(p.concurrency), y(p.throughput), PALETTE[1]);
    }
    let (lx, ly) = (left + plot_w + 6.0, top + 60.0);
    if let (Some(n), Some(v)) = (fit.peak_concurrency, fit.peak_throughput) {
        if n.is_finite() && n <= x_max {
            let _ = writeln!(svg, "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{top}\" y2=\"{:.1}\" stroke=\"{}\" stroke-dasharray=\"2 3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">N* = {n:.1}, X(N*) = {v:.1}</text>", x(n), x(n), top + plot_h, PALETTE[1], x(n) + 4.0, top + 12.0);
        } else if n.is_finite() {
            // A peak far past the measurements: named, not drawn.
            let _ = writeln!(svg, "<text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"11\">N* = {n:.1}, X(N*) = {v:.1},</text><text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"11\">past the measurements</text>", ly + 70.0, ly + 84.0);
        }
    }
    let _ = writeln!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"black\"/><text x=\"{:.1}\" y=\"{:.1}\">measured</text>", lx + 6.0, ly + 6.0, lx + 16.0, ly + 10.0);
    legend_line(&mut svg, lx, ly + 23.0, PALETTE[0], "USL fit");
    let _ = writeln!(svg, "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"2\" fill=\"#888\"/><text x=\"{:.1}\" y=\"{:.1}\">linear λN</text>", ly + 41.0, lx + 16.0, ly + 46.0);
    if !band.is_empty() {
        let _ = writeln!(svg, "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"10\" fill=\"{}\" fill-opacity=\"0.15\"/><text x=\"{:.1}\" y=\"{:.1}\">95% band</text>", ly + 98.0, PALETTE[0], lx + 16.0, ly + 107.0);
    }
    if !predicted.is_empty() {
        let _ = writeln!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"white\" stroke=\"{}\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">predicted</text>", lx + 6.0, ly + 121.0, PALETTE[1], lx + 16.0, ly + 125.0);
    }
    svg.push_str("</svg>\n");
    svg
}

/// An SVG chart of a growth fit (`calc growth --chart`): the history's
/// points and the fitted compound curve through them; past the last row,
/// the last value carried on at the fitted rate (as `--reach` counts), the
/// 95% interval of the rate as a band about it, and each value asked for
/// where it is reached.
pub fn growth_svg(g: &crate::calc::GrowthResult) -> String {
    let Canvas { height, left, top, plot_w, plot_h, mut svg } = Canvas::new();
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}: {:+.1}% a month (95%: {:+.1}% to {:+.1}%), R² {}</text>",
        escape(&g.series),
        g.rate * 100.0,
        g.rate_interval.0 * 100.0,
        g.rate_interval.1 * 100.0,
        g.r_squared.map_or_else(|| "-".to_string(), |r| format!("{r:.3}"))
    );
    let start = g.history.iter().map(|p| p.0).fold(0.0_f64, f64::min);
    // Past the last row: half the history's span, or to the last value asked
    // for that the curve reaches within 10 years.
    let reached = g.reach.0.iter().filter_map(|(_, m)| *m).fold(0.0_f64, f64::max);
    let end = (-start * 0.5).max(reached * 1.1).max(1.0);
    let grown = |from: f64, rate: f64, m: f64| from * (1.0 + rate).powf(m);
    let samples: Vec<f64> =
        (0..=120).map(|i| start + (end - start) * f64::from(i) / 120.0).collect();
    let (behind, ahead): (Vec<f64>, Vec<f64>) = samples.iter().partition(|m| **m <= 0.0);
    let most = behind
        .iter()
        .map(|&m| grown(g.fitted_last, g.rate, m))
        .chain(ahead.iter().map(|&m| grown(g.reach_from, g.rate, m)))
        .chain(g.history.iter().map(|p| p.1))
        .chain(g.reach.0.iter().map(|(v, _)| *v))
        .filter(|v| v.is_finite())
        .fold(1.0_f64, f64::max);
    let (y_step, y_steps) = round_axis(most, 4);
    let y_max = y_step * f64::from(y_steps);
    let (x_step, _) = round_axis(end - start, 6);
    let x = |m: f64| left + (m - start) / (end - start) * plot_w;
    let y = |v: f64| top + plot_h - v.clamp(0.0, y_max) / y_max * plot_h;
    for tick in 0..=y_steps {
        let v = y_step * f64::from(tick);
        grid_line(&mut svg, left, left + plot_w, y(v), &number(v));
    }
    let mut tick = (start / x_step).ceil() * x_step;
    while tick <= end + 1e-9 {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(tick),
            top + plot_h + 16.0,
            number(tick)
        );
        tick += x_step;
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">months from the last row</text>",
        left + plot_w / 2.0,
        height - 10.0
    );
    // The rate's 95% interval, carried on from where `--reach` grows from:
    // the last value, or with a season taken out the trend at its busiest.
    let ahead: Vec<f64> = std::iter::once(0.0).chain(ahead).collect();
    let point = |m: f64, rate: f64| format!("{:.1},{:.1}", x(m), y(grown(g.reach_from, rate, m)));
    let upper = ahead.iter().map(|&m| point(m, g.rate_interval.1));
    let lower = ahead.iter().rev().map(|&m| point(m, g.rate_interval.0));
    shaded_band(&mut svg, upper.chain(lower), PALETTE[0]);
    let fitted: Vec<String> = behind
        .iter()
        .chain([&0.0])
        .map(|&m| format!("{:.1},{:.1}", x(m), y(grown(g.fitted_last, g.rate, m))))
        .collect();
    let carried: Vec<String> = ahead.iter().map(|&m| point(m, g.rate)).collect();
    for (line, dashes) in [(fitted, ""), (carried, " stroke-dasharray=\"6 4\"")] {
        let _ = writeln!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{dashes}/>",
            line.join(" "),
            PALETTE[0]
        );
    }
    let _ = writeln!(svg, "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{top}\" y2=\"{1:.1}\" stroke=\"#888\" stroke-dasharray=\"2 3\"/>", x(0.0), top + plot_h);
    for (m, v) in &g.history {
        let _ = writeln!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"black\"/>",
            x(*m),
            y(*v)
        );
    }
    for (value, month) in &g.reach.0 {
        if let Some(m) = month.filter(|m| *m <= end) {
            // A label in the right half ends at its point, clear of the legend.
            let (text_x, anchor) = if x(m) > left + plot_w / 2.0 {
                (x(m) + 4.0, "end")
            } else {
                (x(m) - 4.0, "start")
            };
            let _ = writeln!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"white\" stroke=\"{}\" stroke-width=\"2\"/><text x=\"{text_x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"{anchor}\">{} at month {m:.1}</text>", x(m), y(*value), PALETTE[1], y(*value) - 8.0, number(*value));
        }
    }
    let (lx, ly) = (left + plot_w + 6.0, top + 60.0);
    let _ = writeln!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"black\"/><text x=\"{:.1}\" y=\"{:.1}\">measured</text>", lx + 6.0, ly + 6.0, lx + 16.0, ly + 10.0);
    legend_line(&mut svg, lx, ly + 23.0, PALETTE[0], "fitted growth");
    let (x2, yl, tx, ty) = (lx + 12.0, ly + 39.0, lx + 16.0, ly + 43.0);
    let from = if g.swings.0.is_empty() { "last value" } else { "busiest now" };
    let _ = writeln!(svg, "<line x1=\"{lx:.1}\" x2=\"{x2:.1}\" y1=\"{yl:.1}\" y2=\"{yl:.1}\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{tx:.1}\" y=\"{ty:.1}\">{from}, at it</text>", PALETTE[0]);
    let _ = writeln!(svg, "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"10\" fill=\"{}\" fill-opacity=\"0.15\"/><text x=\"{:.1}\" y=\"{:.1}\">95% of the rate</text>", ly + 52.0, PALETTE[0], lx + 16.0, ly + 61.0);
    svg.push_str("</svg>\n");
    svg
}

/// An SVG chart of an Erlang C table (`calc erlang-c --servers A..B`): the
/// response time's p50, p95 and p99 against the server count, with each
/// count's utilisation along the bottom. Counts just past stability have
/// tails many times the rest: the axis stops at four times the p99 of the
/// most servers and a line past it is drawn at the top.
pub fn erlang_c_svg(rows: &[crate::calc::ErlangC]) -> String {
    let Canvas { height, left, top, plot_w, plot_h, mut svg } = Canvas::new();
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        svg.push_str("</svg>\n");
        return svg;
    };
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"22\" font-size=\"14\">M/M/c: {} arrivals/s of {} s each ({} Erlangs)</text>",
        first.arrival_rate, first.service_time, first.offered_load
    );
    type Percentile = fn(&crate::calc::ErlangC) -> f64;
    let series: [(&str, Percentile); 3] =
        [("p50", |r| r.response_p50), ("p95", |r| r.response_p95), ("p99", |r| r.response_p99)];
    // The longest tail, and the count it is at (the fewest servers, in M/M/c).
    let slowest =
        rows.iter().max_by(|a, b| a.response_p99.total_cmp(&b.response_p99)).unwrap_or(first);
    let highest = slowest.response_p99;
    let most = highest.min(4.0 * last.response_p99);
    // Milliseconds where every answer is under ten seconds (whole seconds
    // would leave two or three grid lines).
    let (scale, unit) = if most < 10.0 { (1000.0, "ms") } else { (1.0, "s") };
    let (y_step, y_steps) = round_axis(most * scale, 4);
    let y_max = y_step * f64::from(y_steps);
    let (low, high) = (f64::from(first.servers), f64::from(last.servers));
    let span = (high - low).max(1.0);
    let x = |c: f64| left + (c - low) / span * plot_w;
    let y = |v: f64| top + plot_h - (v * scale).min(y_max) / y_max * plot_h;
    for tick in 0..=y_steps {
        let v = y_step * f64::from(tick);
        grid_line(&mut svg, left, left + plot_w, y(v / scale), &format!("{v:.0} {unit}"));
    }
    // A label a count, or every few where they would crowd.
    let every = rows.len().div_ceil(12).max(1);
    for row in rows.iter().step_by(every) {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#666\">{:.0}%</text>",
            x(f64::from(row.servers)),
            top + plot_h + 16.0,
            row.servers,
            x(f64::from(row.servers)),
            top + plot_h + 28.0,
            row.utilisation * 100.0
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">servers (utilisation below)</text>",
        left + plot_w / 2.0,
        height - 6.0
    );
    for (index, (name, value)) in series.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let line: Vec<String> = rows
            .iter()
            .map(|r| format!("{:.1},{:.1}", x(f64::from(r.servers)), y(value(r))))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            line.join(" ")
        );
        let ly = top + 60.0 + index as f64 * 18.0;
        legend_line(&mut svg, left + plot_w + 6.0, ly, colour, &format!("response {name}"));
    }
    if highest > most {
        let _ = writeln!(svg, "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\">p99 reaches {highest:.1} s</text><text x=\"{}\" y=\"{:.1}\" font-size=\"11\">at {} servers</text>", left + plot_w + 6.0, top + 130.0, left + plot_w + 6.0, top + 144.0, slowest.servers);
    }
    svg.push_str("</svg>\n");
    svg
}

/// An SVG tornado chart of a sensitivity run: for each input, largest swing
/// first, a bar from what its low quantile to what its high quantile does to
/// the total monthly cost at the milestone it moves most, against that
/// cost with every input at its median (the centre line); P10 side in one
/// colour, P90 side in another.
pub fn sensitivity_svg(s: &crate::simulate::Sensitivity) -> String {
    let (width, left, right, top, row) = (720.0, 40.0, 40.0, 56.0, 40.0);
    let height = top + s.inputs.len().max(1) as f64 * row + 40.0;
    let mut svg = svg_start(width, height);
    let (low, high) = (quantile_label(s.low_quantile), quantile_label(s.high_quantile));
    let _ = writeln!(svg, "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}: what each input alone does to the monthly cost</text>", escape(&s.profile.id));
    let _ = writeln!(svg, "<text x=\"{left}\" y=\"40\" font-size=\"11\">each input at its {low} (blue) and {high} (red), the others at their medians; at the milestone it moves most</text>");
    let cost_at = |o: &[crate::simulate::Outcome], milestone: &str| {
        o.iter().find(|m| m.milestone == milestone).map_or(0.0, |m| m.monthly_cost)
    };
    // Each input's two deltas from the medians' cost at its milestone.
    let deltas: Vec<(f64, f64)> = s
        .inputs
        .iter()
        .map(|i| {
            let base = cost_at(&s.base, &i.milestone);
            (cost_at(&i.low, &i.milestone) - base, cost_at(&i.high, &i.milestone) - base)
        })
        .collect();
    let most = deltas.iter().flat_map(|(a, b)| [a.abs(), b.abs()]).fold(1.0_f64, f64::max);
    let (step, steps) = round_axis(most, 4);
    let reach = step * f64::from(steps);
    let plot_w = width - left - right;
    let centre = left + plot_w / 2.0;
    let x = |delta: f64| centre + delta / reach * plot_w / 2.0;
    let bottom = top + s.inputs.len().max(1) as f64 * row;
    for tick in -(steps as i64)..=(steps as i64) {
        let delta = step * tick as f64;
        let sign = if delta > 0.0 { "+" } else { "" };
        let _ = writeln!(svg, "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{sign}{}</text>", x(delta), x(delta), if tick == 0 { "black" } else { "#ddd" }, x(delta), bottom + 16.0, dollars(delta));
    }
    let _ = writeln!(svg, "<text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">change in the monthly cost from the medians' plan</text>", bottom + 32.0);
    for (k, (input, (d_low, d_high))) in s.inputs.iter().zip(&deltas).enumerate() {
        let y = top + k as f64 * row;
        let _ = writeln!(svg, "<text x=\"{left}\" y=\"{:.1}\" font-size=\"11\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{} ({}: {} at {low}, {} at {high})</text>", y + 12.0, escape(&input.input), escape(&input.milestone), number(input.low_value), number(input.high_value));
        for (delta, colour) in [(*d_low, PALETTE[0]), (*d_high, PALETTE[1])] {
            let (a, b) = (x(0.0).min(x(delta)), x(0.0).max(x(delta)));
            let _ = writeln!(svg, "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{colour}\" fill-opacity=\"0.8\"/>", y + 17.0, (b - a).max(1.0));
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// An SVG chart of `headroom observe`: a panel a measured driver of a dated
/// profile, its plan month by month (the growth curve), the measured value
/// across it (dashed) and a dot where the plan reaches it, or at month 0
/// where the driver is behind the plan. `None` when no driver has a plan
/// over months (a profile of deployment sizes).
pub fn observation_svg(o: &crate::observe::Observation) -> Option<String> {
    let drivers: Vec<&crate::observe::ObservedDriver> =
        o.drivers.iter().filter(|d| d.planned_monthly.len() > 1).collect();
    if drivers.is_empty() {
        return None;
    }
    let (width, left, right, panel_h, gap, top) = (720.0, 70.0, 40.0, 180.0, 70.0, 40.0);
    let height = top + drivers.len() as f64 * (panel_h + gap);
    let mut svg = svg_start(width, height);
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"22\" font-size=\"14\">{}: measured {} against the plan</text>",
        escape(&o.profile.id),
        escape(&super::observe::utc(o.measured_at))
    );
    let plot_w = width - left - right;
    for (index, d) in drivers.iter().enumerate() {
        let panel_top = top + index as f64 * (panel_h + gap) + 24.0;
        let months = (d.planned_monthly.len() - 1) as f64;
        // The measured growth carried on from today's measurement, if fitted.
        let trend: Vec<f64> = d
            .trend
            .iter()
            .flat_map(|t| {
                (0..d.planned_monthly.len())
                    .map(|m| d.observed * (1.0 + t.rate_used).powf(m as f64))
            })
            .collect();
        // The measured history fitted, before month 0 (now).
        let history = d.trend.as_ref().map_or(&[][..], |t| &t.fit.history[..]);
        let first = history.iter().map(|p| p[0]).fold(0.0_f64, f64::min);
        let most = d
            .planned_monthly
            .iter()
            .chain(&trend)
            .copied()
            .chain(history.iter().map(|p| p[1]))
            .chain([d.observed])
            .fold(1.0_f64, f64::max);
        let (step, steps) = round_axis(most, 4);
        let y_max = step * f64::from(steps);
        let x = |m: f64| left + (m - first) / (months - first) * plot_w;
        let y = |v: f64| panel_top + panel_h - v.min(y_max) / y_max * panel_h;
        let place = match (d.plan_month, d.planned_today) {
            (Some(m), Some(today)) if m == 0.0 && d.observed < today => {
                format!("{} of today's plan", percent(d.observed / today))
            }
            (Some(m), _) => format!("month {m:.2} of the plan"),
            (None, _) => "past the plan's horizon".to_string(),
        };
        let _ = writeln!(
            svg,
            "<text x=\"{left}\" y=\"{:.1}\" font-size=\"13\">{} ({}): measured {}, {}</text>",
            panel_top - 10.0,
            escape(&d.driver),
            escape(&d.unit),
            number(d.observed),
            escape(&place)
        );
        for tick in 0..=steps {
            let v = step * f64::from(tick);
            grid_line(&mut svg, left, left + plot_w, y(v), &number(v));
        }
        let every = (months / 12.0).ceil().max(1.0) as usize;
        for m in (0..d.planned_monthly.len()).step_by(every) {
            month_label(&mut svg, x(m as f64), panel_top + panel_h + 16.0, m);
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">month of the plan</text>",
            left + plot_w / 2.0,
            panel_top + panel_h + 32.0
        );
        // A value a month from month 0, as a line (dashed: `dashes`).
        let monthly_line = |svg: &mut String, values: &[f64], colour: &str, dashes: &str| {
            let line: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(m, v)| format!("{:.1},{:.1}", x(m as f64), y(*v)))
                .collect();
            let _ = writeln!(
                svg,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dashes} points=\"{}\"/>",
                line.join(" ")
            );
        };
        monthly_line(&mut svg, &d.planned_monthly, PALETTE[0], "");
        let _ = writeln!(svg, "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-dasharray=\"6 4\"/>", left + plot_w, y(d.observed), y(d.observed), PALETTE[1]);
        let at = d.plan_month.unwrap_or(months);
        let _ = writeln!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{}\"/>",
            x(at),
            y(d.observed),
            PALETTE[1]
        );
        legend_line(&mut svg, left + plot_w - 170.0, panel_top + 6.0, PALETTE[0], "plan");
        legend_line(&mut svg, left + plot_w - 170.0, panel_top + 22.0, PALETTE[1], "measured");
        if let Some(t) = &d.trend {
            monthly_line(&mut svg, &trend, PALETTE[2], " stroke-dasharray=\"2 3\"");
            let measured: Vec<String> =
                history.iter().map(|p| format!("{:.1},{:.1}", x(p[0]), y(p[1]))).collect();
            let _ = writeln!(
                svg,
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>",
                PALETTE[1],
                measured.join(" ")
            );
            let label = format!("measured growth from today, {:+.1}%/month", t.rate_used * 100.0);
            legend_line(&mut svg, left + plot_w - 270.0, panel_top + 38.0, PALETTE[2], &label);
        }
    }
    svg.push_str("</svg>\n");
    Some(svg)
}

/// An SVG chart of what a change does to the cost: the total monthly cost
/// month by month (by milestone, for a profile of deployment sizes) without
/// the change and with it, the gap between them shaded and its size at the
/// end; beside it, each tier whose runway moves, with its months.
pub fn diff_svg(before: &Plan, after: &Plan, diff: &crate::diff::PlanDiff) -> String {
    let totals = |plan: &Plan| -> Vec<(String, f64)> {
        if plan.monthly.is_empty() {
            let total =
                |m: &crate::plan::MilestonePlan| m.tiers.iter().map(|t| t.monthly_cost).sum();
            plan.milestones.iter().map(|m| (m.name.clone(), total(m))).collect()
        } else {
            let total = |m: &crate::plan::MonthPlan| m.tiers.iter().map(|t| t.monthly_cost).sum();
            plan.monthly.iter().map(|m| (m.month.to_string(), total(m))).collect()
        }
    };
    let (was, now) = (totals(before), totals(after));
    let Canvas { height, left, top, plot_w, plot_h, mut svg } = Canvas::new();
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"18\" font-size=\"14\">{}: monthly cost without and with the change</text>",
        escape(&diff.profile)
    );
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"32\" font-size=\"11\">{}</text>",
        escape(&diff.change.join(" "))
    );
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let most = was.iter().chain(&now).map(|p| finite(p.1)).fold(1.0_f64, f64::max);
    let (step, steps) = round_axis(most, 4);
    let y_max = step * f64::from(steps);
    let y = |u: f64| top + plot_h - (finite(u) / y_max) * plot_h;
    for tick in 0..=steps {
        let u = step * f64::from(tick);
        grid_line(&mut svg, left, left + plot_w, y(u), &dollars(u));
    }
    let columns = was.len().max(now.len());
    let x = |i: usize| left + i as f64 / columns.saturating_sub(1).max(1) as f64 * plot_w;
    // At most about 13 labels, whatever the horizon.
    let every = columns.div_ceil(13).max(1);
    let labels = if was.len() >= now.len() { &was } else { &now };
    for (i, (label, _)) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(i),
            top + plot_h + 16.0,
            escape(label)
        );
    }
    let axis = if before.monthly.is_empty() { "milestone" } else { "month" };
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{axis}</text>",
        left + plot_w / 2.0,
        height - 10.0
    );
    let point = |(i, (_, v)): (usize, &(String, f64))| format!("{:.1},{:.1}", x(i), y(*v));
    let common = was.len().min(now.len());
    let outline = now[..common]
        .iter()
        .enumerate()
        .map(point)
        .chain(was[..common].iter().enumerate().rev().map(point));
    shaded_band(&mut svg, outline, PALETTE[1]);
    let line = |series: &[(String, f64)]| {
        series.iter().enumerate().map(point).collect::<Vec<_>>().join(" ")
    };
    let _ = writeln!(
        svg,
        "<polyline fill=\"none\" stroke=\"#888\" stroke-width=\"2\" stroke-dasharray=\"6 4\" points=\"{}\"/>",
        line(&was)
    );
    let _ = writeln!(
        svg,
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
        PALETTE[1],
        line(&now)
    );
    // The gap at the last column both plans reach.
    if let Some(last) = common.checked_sub(1) {
        let gap = now[last].1 - was[last].1;
        let sign = if gap > 0.0 { "+" } else { "" };
        let at = if before.monthly.is_empty() {
            now[last].0.clone()
        } else {
            format!("month {}", now[last].0)
        };
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{sign}{} a month at {}</text>",
            x(last) - 4.0,
            y(now[last].1.max(was[last].1)) - 8.0,
            dollars(gap),
            escape(&at)
        );
    }
    let legend_x = left + plot_w + 10.0;
    let _ = writeln!(
        svg,
        "<line x1=\"{legend_x}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\">without</text>",
        legend_x + 12.0,
        top + 58.0,
        top + 58.0,
        legend_x + 16.0,
        top + 62.0
    );
    legend_line(&mut svg, legend_x, top + 72.0, PALETTE[1], "with the change");
    let horizon = diff.horizon_months.after.or(diff.horizon_months.before).unwrap_or(0);
    let moved: Vec<&crate::diff::RunwayDiff> =
        diff.runway.iter().filter(|r| r.before != r.after).collect();
    if !moved.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{legend_x}\" y=\"{:.1}\">today's runs out:</text>",
            top + 110.0
        );
    }
    for (k, r) in moved.iter().enumerate() {
        let month =
            |m: Option<u32>| m.map_or_else(|| format!("after {horizon}"), |m| m.to_string());
        let _ = writeln!(
            svg,
            "<text x=\"{legend_x}\" y=\"{:.1}\">{} month {} → {}</text>",
            top + 128.0 + k as f64 * 16.0,
            escape(&r.tier),
            month(r.before),
            month(r.after)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::{clipped_line, round_axis};

    /// A line that climbs past the top ends on the top edge where its
    /// segment crosses it, worked by hand: from 50% at month 1 to 350% at
    /// month 2 crosses 200% half way, at month 1.5; a line under the top
    /// keeps every point; values that are not finite are skipped.
    #[test]
    fn a_line_past_the_top_ends_where_it_leaves_the_plot() {
        let (x, y) = (|m: f64| m * 10.0, |v: f64| 100.0 - v * 50.0);
        let (points, left) = clipped_line(&[0.1, 0.5, 3.5, 9.0], 2.0, &x, &y);
        assert_eq!(points, ["0.0,95.0", "10.0,75.0", "15.0,0.0"]);
        assert_eq!(left, Some(1.5));
        let (points, left) = clipped_line(&[0.1, f64::NAN, 1.0], 2.0, &x, &y);
        assert_eq!(points, ["0.0,95.0", "20.0,50.0"]);
        assert_eq!(left, None);
        // Past the top from the first point: it ends there.
        let (points, left) = clipped_line(&[5.0, 6.0], 2.0, &x, &y);
        assert_eq!((points, left), (vec!["0.0,0.0".to_string()], Some(0.0)));
    }

    /// Worked by hand from the rule: the smallest of 1, 2, 5 x 10^k
    /// (whole) of which at most 4 steps reach the top value.
    #[test]
    fn an_axis_ticks_at_round_values_past_the_data() {
        let cases = [
            (94.0, (50.0, 2)),    // 20 x 4 = 80 falls short: 0, 50, 100
            (12.0, (5.0, 3)),     // 0, 5, 10, 15
            (7.0, (2.0, 4)),      // 0, 2, 4, 6, 8
            (1.0, (1.0, 1)),      // a flat line at 1: 0, 1
            (2.0, (1.0, 2)),      // 0.5 would not be a whole unit
            (1114.0, (500.0, 3)), // 0, 500, 1000, 1500
            (1460.0, (500.0, 3)), // dollars: $0, $500, $1,000, $1,500
            (100.0, (50.0, 2)),   // exactly on a tick: no step past it
            (40.0, (10.0, 4)),
        ];
        for (most, expected) in cases {
            assert_eq!(round_axis(most, 4), expected, "axis up to {most}");
        }
        assert_eq!(round_axis(f64::NAN, 4), (1.0, 1));
        assert_eq!(round_axis(0.0, 4), (1.0, 1));
    }
}
