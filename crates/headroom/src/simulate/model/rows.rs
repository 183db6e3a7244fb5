//! A chunk's rows, written and checked: every draw's parameters and rows
//! of drivers laid out in columns for the plugin's batch call, the months a
//! draw grows checked as the planner checks them, and what comes back (the
//! plugin's loads, the units sized) checked before anything is tallied.
//! Each check names the first bad value as the planner would meet it.

use headroom_kernel::GrowthCurve;

use super::lanes::{all_valid, repeat_into};
use super::{Chunk, Failed, Model, Rule, Scratch, Target};
use crate::plan::{finite_and_not_negative, milestone_row, month_row};
use crate::Error;

impl Model {
    /// Writes every draw's parameters and its rows of drivers, in columns:
    /// its months, then its milestones' drivers; a milestone whose drivers
    /// equal its month row's, bit for bit, in every draw of the chunk (a
    /// dated milestone the growth curve passes through) takes that row, so
    /// the plugin and the sizing see it once. The rows are laid out row by
    /// row, the chunk's draws side by side within each: row `r` of draw `j`
    /// is row `r x count + j` of the chunk, so that every later pass reads
    /// one row of all the draws as one slice. Each parameter is a column of
    /// the draws (parameter `k` of draw `j` at `k x count + j`), each
    /// driver a column of the rows ([`super::batch_drivers`]). Sets
    /// `scratch.rows` and `scratch.milestone_rows`.
    pub(super) fn write_rows(&self, chunk: Chunk<'_>, scratch: &mut Scratch) -> Result<(), Failed> {
        let Chunk { first, count, drawn } = chunk;
        let inputs = self.targets.len();
        let (width_p, width_d, _) = self.widths;
        let months = self.months;
        // Driver `d` of month row `i` lies at `d x month_rows + i`.
        let month_rows = months * count;
        scratch.parameters.clear();
        scratch.milestone_drivers.clear();
        let milestones = self.milestone_keys.len();
        let mut aliased: Vec<bool> = self.milestone_months.iter().map(Option::is_some).collect();
        // The month rows come first, whatever the milestones' rows: the
        // months no draw moves hold the configuration's values in every
        // draw, written once (and kept from the last chunk where it had as
        // many draws); each draw writes the ones it moves.
        // (Every value is written below: resizing alone, without zeroing.)
        scratch.drivers.resize(width_d * month_rows, 0.0);
        let kept = std::mem::replace(&mut scratch.unmoved_for, count) == count;
        for month in (0..months).filter(|_| !kept) {
            for (d, monthly) in scratch.values.monthly.iter().enumerate() {
                let moved = self.regrow.iter().any(|r| r.driver == d && r.months.contains(&month));
                if !moved {
                    scratch.drivers[d * month_rows + month * count..][..count].fill(monthly[month]);
                }
            }
        }
        // Where every drawn value keeps its rule and no draw's growth is
        // worked out on its own, each draw's parameters and milestone
        // drivers are the configuration's with the drawn ones set, a
        // column at a time; else draw by draw (which names the first value
        // that breaks its rule).
        let draws = || drawn.chunks_exact(inputs.max(1)).take(count);
        let valid = || {
            let keeps = |(k, rule): (usize, &Rule)| {
                draws().fold(true, |all, draw| all & rule.holds(draw[k]))
            };
            self.rules.iter().enumerate().all(keeps)
        };
        let by_columns = self.regrow.iter().all(|r| r.across.is_some()) && valid();
        if by_columns {
            let (parameters, rows) = (&self.base.parameters, &self.base.milestone_rows);
            for &parameter in parameters {
                scratch.parameters.extend(std::iter::repeat_n(parameter, count));
            }
            repeat_into(&mut scratch.milestone_drivers, rows, count);
            for (k, (_, target)) in self.targets.iter().enumerate() {
                let (to, at, width) = match *target {
                    Target::Parameter(p) => (&mut scratch.parameters, p * count, 1),
                    Target::Driver { driver, row: Some(row), .. } => {
                        (&mut scratch.milestone_drivers, row * width_d + driver, rows.len())
                    }
                    _ => continue,
                };
                for (to, draw) in to[at..].chunks_mut(width).zip(draws()) {
                    to[0] = draw[k];
                }
            }
        } else {
            scratch.parameters.resize(width_p * count, 0.0);
        }
        for j in (0..count).filter(|_| !by_columns) {
            let index = first + j as u64;
            let values = &mut scratch.values;
            self.check_and_apply_rows(index, &drawn[j * inputs..(j + 1) * inputs], values)
                .map_err(|error| (j, error))?;
            for regrowth in self.regrow.iter().filter(|r| r.across.is_none()) {
                let d = regrowth.driver;
                let (curve, points, monthly) =
                    (&values.curves[d], &values.points[d], &mut values.monthly[d]);
                curve.months_into(points, &regrowth.months, monthly).map_err(|e| {
                    let growth = format!("growth of driver `{}`: {e}", self.driver_names[d]);
                    (j, self.fail(index, growth))
                })?;
                for &month in &regrowth.months {
                    scratch.drivers[d * month_rows + month * count + j] = monthly[month];
                }
            }
            for (k, &parameter) in values.parameters.iter().enumerate() {
                scratch.parameters[k * count + j] = parameter;
            }
            scratch.milestone_drivers.extend_from_slice(&values.milestone_rows);
        }
        // A piecewise-linear curve whose points alone are drawn: each moved
        // month of all the chunk's draws at once, straight into its column
        // (the draws' values were checked above, and the points' months
        // with the configuration).
        for regrowth in &self.regrow {
            let Some((point_months, point_inputs)) = &regrowth.across else { continue };
            let d = regrowth.driver;
            let base = &self.base.points[d];
            scratch.point_values.clear();
            for (p, input) in point_inputs.iter().enumerate() {
                match input {
                    Some(k) => {
                        scratch.point_values.extend((0..count).map(|j| drawn[j * inputs + k]))
                    }
                    None => scratch.point_values.extend(std::iter::repeat_n(base[p].value, count)),
                }
            }
            for &month in &regrowth.months {
                GrowthCurve::piecewise_linear_across(
                    point_months,
                    &scratch.point_values,
                    month as f64,
                    &mut scratch.drivers[d * month_rows + month * count..][..count],
                )
                .map_err(|e| {
                    let growth = format!("growth of driver `{}`: {e}", self.driver_names[d]);
                    (0, self.fail(first, growth))
                })?;
            }
        }
        self.check_grown(chunk, scratch)?;
        // A dated milestone takes its month's row where its drivers equal
        // that row's in every draw of the chunk, bit for bit.
        for (m, month) in self.milestone_months.iter().enumerate() {
            if let Some(equal) = self.unmoved_aliases[m] {
                aliased[m] = equal;
            } else if let Some(month) = month {
                aliased[m] = (0..width_d).all(|d| {
                    let row = &scratch.drivers[d * month_rows + month * count..][..count];
                    let own = scratch.milestone_drivers[m * width_d + d..]
                        .iter()
                        .step_by(milestones * width_d);
                    row.iter().zip(own).all(|(a, b)| a.to_bits() == b.to_bits())
                });
            }
        }
        scratch.milestone_rows.clear();
        let mut own = 0;
        for (m, month) in self.milestone_months.iter().enumerate() {
            scratch.milestone_rows.push(match month {
                Some(month) if aliased[m] => *month,
                _ => {
                    own += 1;
                    months + own - 1
                }
            });
        }
        scratch.rows = months + own;
        // Where some milestone has its own row, each driver's column of
        // every row: its month rows, then those rows, in order.
        scratch.batch_drivers.clear();
        if own > 0 {
            for d in 0..width_d {
                let column = &scratch.drivers[d * month_rows..][..month_rows];
                scratch.batch_drivers.extend_from_slice(column);
                for (m, _) in
                    scratch.milestone_rows.iter().enumerate().filter(|(_, &row)| row >= months)
                {
                    let own = scratch.milestone_drivers[m * width_d + d..]
                        .iter()
                        .step_by(milestones * width_d);
                    scratch.batch_drivers.extend(own.take(count));
                }
            }
        }
        Ok(())
    }

    /// Checks every month a draw grew, as the planner checks a grown driver
    /// ([`crate::plan::grown_out_of_range`]): the first bad one is named as
    /// the planner meets it, draw by draw, a draw's drivers in order, each
    /// driver's months in order. (The months no draw moves are the
    /// configuration's, which its own plan checked.)
    fn check_grown(&self, chunk: Chunk<'_>, scratch: &Scratch) -> Result<(), Failed> {
        let Chunk { first, count, .. } = chunk;
        let month_rows = self.months * count;
        let column =
            |d: usize, month: usize| &scratch.drivers[d * month_rows + month * count..][..count];
        let grown = || self.regrow.iter().flat_map(|r| r.months.iter().map(|&m| (r.driver, m)));
        if grown().all(|(d, month)| all_valid(column(d, month))) {
            return Ok(());
        }
        for j in 0..count {
            if let Some((d, month)) =
                grown().find(|&(d, month)| !finite_and_not_negative(column(d, month)[j]))
            {
                let curve = &scratch.values.curves[d];
                let why = crate::plan::grown_out_of_range(
                    &self.driver_names[d],
                    curve,
                    month,
                    column(d, month)[j],
                );
                return Err((j, self.fail(first + j as u64, why)));
            }
        }
        Ok(())
    }

    /// Each of a draw's rows in the order the planner sizes them (its
    /// milestones, then its months), with the planner's name for it.
    pub(super) fn planners_rows(&self, scratch: &Scratch) -> Vec<(usize, String)> {
        let milestones = self.milestone_keys.iter().zip(&scratch.milestone_rows);
        milestones
            .map(|(key, &row)| (row, milestone_row(key)))
            .chain((0..self.months).map(|month| (month, month_row(month))))
            .collect()
    }

    /// Refuses a tier sized to `u32::MAX` units (where the kernel's count
    /// stops), as the planner refuses it ([`crate::plan::beyond_counting`]):
    /// the first is named as the planner meets it, draw by draw, a draw's
    /// rows in the planner's order, a row's tiers in order.
    pub(super) fn check_counted(&self, chunk: Chunk<'_>, scratch: &Scratch) -> Result<(), Failed> {
        let Chunk { first, count, .. } = chunk;
        let n = count * scratch.rows;
        let beyond =
            |units: &Vec<u32>| units[..n].iter().fold(false, |any, &u| any | (u == u32::MAX));
        if !scratch.units.iter().any(beyond) {
            return Ok(());
        }
        let rows = self.planners_rows(scratch);
        for j in 0..count {
            for (row, place) in &rows {
                let at = row * count + j;
                if let Some(t) = (0..self.tiers.len()).find(|&t| scratch.units[t][at] == u32::MAX) {
                    let message = crate::plan::beyond_counting(&self.tiers[t].key, place);
                    return Err((j, self.fail(first + j as u64, message)));
                }
            }
        }
        Ok(())
    }

    /// Checks every load of the chunk; the first bad one is named as the
    /// planner meets it: draw by draw, a draw's milestones first, then its
    /// months.
    pub(super) fn check_loads(&self, chunk: Chunk<'_>, scratch: &Scratch) -> Result<(), Failed> {
        let Chunk { first, count, .. } = chunk;
        let (n, width_l) = (count * scratch.rows, self.widths.2);
        if all_valid(&scratch.columns) {
            return Ok(());
        }
        let rows = self.planners_rows(scratch);
        for draw in 0..count {
            for (row, place) in &rows {
                let load = |l: usize| scratch.columns[l * n + row * count + draw];
                if let Some(l) = (0..width_l).find(|&l| !finite_and_not_negative(load(l))) {
                    return Err((draw, Error::PluginFailed {
                        profile: self.id.clone(),
                        message: format!(
                            "draw {} of the Monte Carlo: demand mapping gave load {} = {} at {place}; loads must be finite and not negative",
                            first + draw as u64,
                            self.load_names[l],
                            load(l),
                        ),
                    }));
                }
            }
        }
        Ok(())
    }
}
