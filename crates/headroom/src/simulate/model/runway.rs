//! Runways over a chunk: when today's deployment of a tier first breaks
//! its headroom, draw by draw, as the kernel's `first_breach` finds it.

use super::{breaks_today, Model, Scratch, Values, SURELY};

impl Model {
    /// Per runway, the month each draw of the chunk first breaks it into
    /// `scratch.breaches[r]` (the horizon's length where it holds
    /// throughout), as the kernel's `first_breach` finds it: today's units,
    /// less the spares, each holding its USL worth, against each month's
    /// dimension loads. Month by month over all the draws at once; a
    /// month's division runs only where some load passes the comparison
    /// that settles it (`RunwayHolds::surely_holds`), and the months stop
    /// once every draw has broken.
    pub(super) fn first_breaches(&self, r: usize, count: usize, scratch: &mut Scratch) {
        let tier = self.runways[r].tier;
        let n = count * scratch.rows;
        let never = self.months as u32;
        let Scratch {
            breaches,
            runway_holds,
            dimension_loads,
            bounds,
            by_table,
            upstream_tables,
            ..
        } = scratch;
        let first = &mut breaches[r];
        first.clear();
        first.resize(count, never);
        // A tier sized from its table: whether each row breaks it is there.
        if by_table[tier] {
            let breaks = &upstream_tables[tier].breaks;
            for month in 0..self.months {
                let breaks = &breaks[month * count..][..count];
                if !breaks.iter().fold(false, |any, &breaks| any | breaks) {
                    continue;
                }
                for (first, &breaks) in first.iter_mut().zip(breaks) {
                    *first = if (*first == never) & breaks { month as u32 } else { *first };
                }
                if first.iter().all(|&month| month < never) {
                    break;
                }
            }
            return;
        }
        // Where no draw changes the runway and the tier's rows have their
        // bounds, a month whose greatest loads it surely holds is passed
        // over without reading its loads.
        let dimensions = runway_holds[r].len();
        let bounds = &bounds[tier];
        let still =
            !self.drawn_runways.contains(&r) && bounds.len() >= 2 * dimensions * self.months;
        for month in 0..self.months {
            let most = |d: usize| bounds[2 * (month * dimensions + d) + 1];
            if still && (0..dimensions).all(|d| most(d) <= runway_holds[r][d].surely_holds[0]) {
                continue;
            }
            let mut divided = false;
            for (d, hold) in runway_holds[r].iter().enumerate() {
                let loads = &dimension_loads[tier][d * n + month * count..][..count];
                let passes = loads
                    .iter()
                    .zip(&hold.surely_holds)
                    .fold(false, |any, (&load, &surely)| any | (load > surely));
                if !passes {
                    continue;
                }
                divided = true;
                let holds = hold.held.iter().zip(&hold.ceiling).zip(&hold.surely_holds);
                for ((first, &load), ((&held, &ceiling), &surely)) in
                    first.iter_mut().zip(loads).zip(holds)
                {
                    let breaks = breaks_today(load, held, ceiling, surely);
                    *first = if (*first == never) & breaks { month as u32 } else { *first };
                }
            }
            if divided && first.iter().all(|&month| month < never) {
                break;
            }
        }
    }

    /// Per runway and dimension, what today's units hold together, draw by
    /// draw: `capacity x worth factor x effective units` in the kernel's
    /// order of operations (0 when no unit is left: then any load above 0
    /// breaks it, `load / 0` being infinite), the utilisation ceiling
    /// `(1 - headroom)(1 + 1e-9)` as the kernel takes it, and a load at or
    /// below which it surely holds without dividing. Worked out once for
    /// the chunk, then draw by draw for the runways a draw changes (by the
    /// headroom or today's capacity).
    pub(super) fn runway_holds(&self, count: usize, drawn: &[f64], scratch: &mut Scratch) {
        let inputs = self.targets.len();
        for r in 0..self.runways.len() {
            let holds = &mut scratch.runway_holds[r];
            holds.resize_with(self.tiers[self.runways[r].tier].dimensions.len(), Default::default);
            for (hold, (held, ceiling, surely_holds)) in
                holds.iter_mut().zip(self.holding(r, &self.base))
            {
                for (column, value) in [
                    (&mut hold.held, held),
                    (&mut hold.ceiling, ceiling),
                    (&mut hold.surely_holds, surely_holds),
                ] {
                    column.clear();
                    column.resize(count, value);
                }
            }
        }
        // A runway a draw changes: what `holding` gives draw by draw, a
        // column at a time from the drawn inputs.
        let drawn_of = |k: usize| drawn[k..].iter().step_by(inputs).take(count);
        for &r in &self.drawn_runways {
            let runway = &self.runways[r];
            let effective = runway.units.saturating_sub(self.tiers[runway.tier].policy.redundancy);
            for (d, hold) in scratch.runway_holds[r].iter_mut().enumerate() {
                if let Some(k) = self.headroom_input {
                    for (ceiling, &headroom) in hold.ceiling.iter_mut().zip(drawn_of(k)) {
                        *ceiling = (1.0 - headroom) * (1.0 + 1e-9);
                    }
                }
                if let (Some(k), true) = (self.runway_capacity_inputs[r][d], effective > 0) {
                    for (held, &capacity) in hold.held.iter_mut().zip(drawn_of(k)) {
                        *held = capacity * runway.worth_factor * f64::from(effective);
                    }
                }
                if effective > 0 {
                    let columns = hold.held.iter().zip(&hold.ceiling);
                    for (surely, (&held, &ceiling)) in hold.surely_holds.iter_mut().zip(columns) {
                        *surely = held * ceiling * SURELY;
                    }
                }
            }
        }
    }

    /// What today's units of runway `r` hold on each dimension with
    /// `values` as they stand: (held, ceiling, surely holds) per dimension,
    /// as [`Model::runway_holds`] lays them out.
    pub(super) fn holding<'a>(
        &'a self,
        r: usize,
        values: &'a Values,
    ) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
        let runway = &self.runways[r];
        let effective = runway.units.saturating_sub(self.tiers[runway.tier].policy.redundancy);
        let ceiling = (1.0 - values.headroom) * (1.0 + 1e-9);
        values.runway_capacities[r].iter().map(move |&capacity| {
            if effective > 0 {
                let held = capacity * runway.worth_factor * f64::from(effective);
                (held, ceiling, held * ceiling * SURELY)
            } else {
                (0.0, ceiling, 0.0)
            }
        })
    }
}
