//! Sizing a tier over a whole chunk: its dimension loads, the rung and
//! units each row needs (a pass at a time, each a loop the compiler
//! vectorises), its latency target's check, and the shortcuts that give
//! the planner's numbers without its work (the upstream table, rows that
//! settle at once, one unit's band compared without dividing).

use headroom_kernel::{
    size_with_scalability, units_for, units_for_loads, units_for_loads_on, units_for_quotients,
    HeadroomPolicy,
};
use std::sync::PoisonError;

use super::lanes::bounds_of;
use super::upstream::UpstreamTable;
use super::{breaks_today, Failed, Latency, Model, Scratch, Values, EMPTY_SUM};
use crate::config::LatencyTarget;
use crate::plan::{largest_rate_bracket, latency_units_needed};
use crate::Error;

impl Model {
    /// Sizes tier `t` on every row of the chunk into `scratch.units[t]`,
    /// `scratch.rungs[t]` and `scratch.dimension_loads[t]`, as the
    /// planner's `size_tier` does; the tiers before `t` are sized already.
    /// Pass by pass over the whole chunk (each pass a loop over slices the
    /// compiler vectorises), not row by row.
    pub(super) fn size_tier(
        &self,
        t: usize,
        count: usize,
        drawn: &[f64],
        scratch: &mut Scratch,
    ) -> Result<(), Failed> {
        let tier = &self.tiers[t];
        let dimensions = tier.dimensions.len();
        let rows = scratch.rows;
        let n = count * rows;
        let Scratch {
            values,
            columns,
            units,
            rungs,
            dimension_loads,
            needed,
            quotients,
            dimension_units,
            usable,
            row_loads,
            lefts,
            bands,
            known_by_units,
            upstream_tables,
            by_table,
            settled,
            bounds,
            ..
        } = scratch;
        units[t].resize(n, 0);
        rungs[t].resize(n, 0);
        needed.resize(n, 0);
        let (upstream, rest) = units.split_at_mut(t);
        let (units_out, rungs_out) = (&mut rest[0], &mut rungs[t]);
        // (Its rows' bounds are this chunk's, or none.)
        bounds[t].clear();
        // 1. A tier its upstream tiers' units alone load: by their units,
        // from its table, without its loads (its runway reads the table).
        by_table[t] = false;
        if let Some(sources) = &tier.by_upstream {
            let table = &mut upstream_tables[t];
            if self.size_by_upstream(t, sources, n, upstream, table) {
                let UpstreamTable { entries, rows, breaks, .. } = table;
                breaks.resize(n, false);
                let out = units_out.iter_mut().zip(rungs_out).zip(breaks.iter_mut());
                for (((units, rung), breaks), &at) in out.zip(&*rows) {
                    let entry = entries[at as usize];
                    (*units, *rung) = UpstreamTable::read(entry);
                    *breaks = UpstreamTable::breaks(entry);
                }
                by_table[t] = true;
                return Ok(());
            }
        }
        // 2. Each dimension's load on every row of the chunk.
        let dimension_loads = &mut dimension_loads[t];
        self.dimension_loads(t, n, columns, upstream, dimension_loads, quotients, usable);
        if let (false, Some((sigma, kappa))) = (tier.vertical, tier.usl) {
            // 3. A USL tier: the kernel's search, row by row.
            let out = (&mut needed[..], &mut units_out[..], &mut rungs_out[..]);
            self.size_with_usl(
                t,
                (sigma, kappa),
                count,
                drawn,
                values,
                dimension_loads,
                row_loads,
                out,
            )?;
        } else {
            // 3. Rows that need one answer: where every row does, each is
            // filled without dividing; else the passes below size every
            // row (the settled ones to the same answer) and the tally
            // counts each settled row at once.
            let settled = &mut settled[t];
            self.settle_rows(t, count, rows, dimension_loads, &mut bounds[t], settled);
            if settled.iter().all(Option::is_some) {
                for (row, &one) in settled.iter().enumerate() {
                    if let Some((need, rung)) = one {
                        let at = row * count..(row + 1) * count;
                        needed[at.clone()].fill(need);
                        units_out[at.clone()].fill(tier.policy.apply(need));
                        rungs_out[at].fill(rung);
                    }
                }
            } else {
                // 4. The usable capacity (capacity x (1 - headroom), as the
                // kernel's `units_for` takes it) per rung and dimension: of each
                // draw, side by side, where a draw changes it; else one for all.
                let ladder = if tier.vertical { values.rungs[t].len() } else { 1 };
                self.usable_capacities(t, ladder, count, drawn, values, lefts, usable);
                let usable = Usable { values: usable, count, varies: tier.drawn };
                // 5. The rung: the first one instance of which holds the row
                // (needs at most 1 unit), else the last; a horizontal tier has
                // one. Then the units the row needs on it: the most any
                // dimension needs.
                quotients.resize(n, 0.0);
                dimension_units.resize(n, 0);
                if ladder == 1 {
                    rungs_out.fill(0);
                } else if dimensions == 1 {
                    // One dimension: by comparisons, nearly every row.
                    rungs_by_one_unit(ladder, count, &usable, dimension_loads, bands, rungs_out);
                } else {
                    rungs_out.fill(ladder - 1);
                    for r in (0..ladder - 1).rev() {
                        self.units_on_rung(
                            r,
                            dimensions,
                            None,
                            dimension_loads,
                            &usable,
                            quotients,
                            needed,
                            dimension_units,
                        );
                        for (rung, &units) in rungs_out.iter_mut().zip(needed.iter()) {
                            if units <= 1 {
                                *rung = r;
                            }
                        }
                    }
                }
                self.units_on_rung(
                    0,
                    dimensions,
                    (ladder > 1).then_some(&rungs_out[..]),
                    dimension_loads,
                    &usable,
                    quotients,
                    needed,
                    dimension_units,
                );
                // 6. Minimum, spares and zones.
                tier.policy.apply_all(needed, units_out);
            }
        }
        // 7. The latency targets, where one asks for more: each raises the
        // units to what it needs, so the tier ends with the most any needs.
        for latency in &tier.latency {
            let (rates, known) = (&mut *quotients, &mut *known_by_units);
            self.meet_latency(t, latency, count, n, columns, needed, units_out, rates, known);
        }
        Ok(())
    }

    /// Sizes a tier with a USL curve (`sigma`, `kappa`) on every row, by the
    /// kernel's search, draw by draw: its units needed, units and rung (0)
    /// into `out`.
    #[allow(clippy::too_many_arguments)]
    fn size_with_usl(
        &self,
        t: usize,
        (sigma, kappa): (f64, f64),
        count: usize,
        drawn: &[f64],
        values: &mut Values,
        dimension_loads: &[f64],
        row_loads: &mut Vec<f64>,
        (needed, units_out, rungs_out): (&mut [u32], &mut [u32], &mut [usize]),
    ) -> Result<(), Failed> {
        let tier = &self.tiers[t];
        let (inputs, dimensions, rows) =
            (self.targets.len(), tier.dimensions.len(), needed.len() / count.max(1));
        let n = needed.len();
        row_loads.resize(dimensions, 0.0);
        for j in 0..count {
            if tier.drawn {
                self.apply_sizing(&drawn[j * inputs..(j + 1) * inputs], values, Some(t));
            }
            let policy = HeadroomPolicy { headroom: values.headroom, ..tier.policy };
            for row in 0..rows {
                let i = row * count + j;
                for (d, load) in row_loads.iter_mut().enumerate() {
                    *load = dimension_loads[d * n + i];
                }
                let scaled =
                    size_with_scalability(row_loads, &values.rungs[t][0], &policy, sigma, kappa)
                        .map_err(|source| {
                            (
                                j,
                                Error::Kernel {
                                    profile: self.id.clone(),
                                    tier: tier.key.clone(),
                                    source,
                                },
                            )
                        })?;
                (needed[i], units_out[i], rungs_out[i]) =
                    (scaled.sizing.needed_by_load, scaled.sizing.units, 0);
            }
        }
        Ok(())
    }

    /// The usable capacity (capacity x (1 - headroom), as the kernel's
    /// `units_for` takes it) of tier `t` per rung (the first `ladder`) and
    /// dimension, into `usable`: of each draw, side by side, where a draw
    /// changes it; else one for all draws.
    #[allow(clippy::too_many_arguments)]
    fn usable_capacities(
        &self,
        t: usize,
        ladder: usize,
        count: usize,
        drawn: &[f64],
        values: &Values,
        lefts: &mut Vec<f64>,
        usable: &mut Vec<f64>,
    ) {
        let tier = &self.tiers[t];
        let (inputs, dimensions) = (self.targets.len(), tier.dimensions.len());
        usable.clear();
        if tier.drawn {
            // What `apply_sizing` would set draw by draw, a column at a
            // time: each draw's `1 - headroom`, then each rung and
            // dimension's capacity (drawn, or the configuration's)
            // times it.
            let drawn_of = |k: usize| drawn[k..].iter().step_by(inputs).take(count);
            lefts.clear();
            match self.headroom_input {
                Some(k) => lefts.extend(drawn_of(k).map(|&headroom| 1.0 - headroom)),
                None => lefts.resize(count, 1.0 - self.base.headroom),
            }
            let lefts = &lefts[..];
            for (at, input) in tier.capacity_inputs[..ladder * dimensions].iter().enumerate() {
                match input {
                    Some(k) => usable
                        .extend(drawn_of(*k).zip(lefts).map(|(&capacity, &left)| capacity * left)),
                    None => {
                        let capacity = self.base.rungs[t][at / dimensions][at % dimensions];
                        usable.extend(lefts.iter().map(|&left| capacity * left));
                    }
                }
            }
        } else {
            let left = 1.0 - values.headroom;
            for capacities in &values.rungs[t][..ladder] {
                usable.extend(capacities.iter().map(|&capacity| capacity * left));
            }
        }
    }

    /// Sizes tier `t`, which the units of the upstream tiers `sources`
    /// alone load, on each of the chunk's `n` rows by those units: sets
    /// `table.rows` to each row's place among its entries, each entry (the
    /// units through the policy, the rung, whether the load breaks the
    /// tier's runway) worked out from the row's loads ([`Model::fan_in_load`],
    /// [`Model::needs_on_ladder`]) the first time its units are met.
    /// False, sizing nothing, where the chunk's unit counts would make the
    /// table larger than [`UpstreamTable::MOST`] entries.
    fn size_by_upstream(
        &self,
        t: usize,
        sources: &[usize],
        n: usize,
        upstream: &[Vec<u32>],
        table: &mut UpstreamTable,
    ) -> bool {
        let first = &upstream[sources[0]][..n];
        let second = sources.get(1).map(|&s| &upstream[s][..n]);
        let most = |units: &[u32]| units.iter().copied().max().unwrap_or(0);
        if !table.fit(most(first), second.map_or(0, most)) {
            return false;
        }
        let UpstreamTable { shape: (_, width), entries, rows, .. } = table;
        // Each row's place in the table, in one pass (within `MOST`, so
        // 32 bits); then the rows whose units it has not met yet, worked
        // out (a few times a run).
        rows.clear();
        match second {
            None => rows.extend(first),
            Some(second) => {
                let width = *width as u32;
                rows.extend(first.iter().zip(second).map(|(&a, &b)| a * width + b))
            }
        }
        if rows.iter().any(|&at| entries[at as usize] == 0) {
            let runway = self.runways.iter().position(|r| r.tier == t);
            for (i, &at) in rows.iter().enumerate() {
                if entries[at as usize] == 0 {
                    let load = |d: usize| self.fan_in_load(t, d, upstream, i);
                    let (needed, rung) = self.needs_on_ladder(t, load);
                    let units = self.tiers[t].policy.apply(needed);
                    // Whether the load breaks today's deployment, as
                    // `first_breaches` checks it (no draw changes it).
                    let breaks = runway.is_some_and(|r| {
                        let mut holding = self.holding(r, &self.base).enumerate();
                        holding.any(|(d, (held, ceiling, surely))| {
                            breaks_today(load(d), held, ceiling, surely)
                        })
                    });
                    entries[at as usize] = UpstreamTable::entry((units, rung), breaks);
                }
            }
        }
        true
    }

    /// The load on dimension `d` of row `i` of tier `t`, which the
    /// `upstream` tiers' units alone load: the sum that
    /// [`Model::dimension_loads`] works out, for one row.
    fn fan_in_load(&self, t: usize, d: usize, upstream: &[Vec<u32>], i: usize) -> f64 {
        let term = |&(source, per_unit): &(Option<usize>, f64)| match source {
            Some(s) => f64::from(upstream[s][i]) * per_unit,
            None => 0.0 * per_unit,
        };
        let mut terms = self.tiers[t].dimensions[d].fan_in.iter().map(term);
        match terms.next() {
            Some(first) => terms.fold(first, |sum, term| sum + term),
            None => EMPTY_SUM + EMPTY_SUM,
        }
    }

    /// The units the load needs and the rung of one row of tier `t`,
    /// which no draw changes, whose dimension `d` carries `load(d)`: what
    /// the passes of [`Model::size_tier`] give, one row at a time. The rung
    /// is the first one instance of which holds the row (needs at most 1
    /// unit by the kernel's `units_for` on every dimension), else the last;
    /// the units the most any dimension needs on it. Both grow with each
    /// load (the kernel's rounding does: see its test
    /// `units_for_grows_with_the_load`).
    fn needs_on_ladder(&self, t: usize, load: impl Fn(usize) -> f64) -> (u32, usize) {
        let left = 1.0 - self.base.headroom;
        let rungs = &self.base.rungs[t];
        let ladder = if self.tiers[t].vertical { rungs.len() } else { 1 };
        let needs = |rung: usize| {
            let on = rungs[rung].iter().enumerate();
            on.map(|(d, &capacity)| units_for(load(d), capacity * left, 0.0)).max().unwrap_or(0)
        };
        let rung = (0..ladder - 1).find(|&r| needs(r) <= 1).unwrap_or(ladder - 1);
        (needs(rung), rung)
    }

    /// Per row of the chunk (`rows` of `count` draws), into `settled`: the
    /// units its load needs and its rung where every draw of the row needs
    /// the same, else `None`; all `None` for a tier a draw changes. The
    /// sizing grows with each load ([`Model::needs_on_ladder`]), so a row
    /// whose least loads and greatest loads (dimension by dimension) need
    /// the same needs it throughout: a tier that holds every draw on one
    /// unit, say, or a month before the growth a draw moves.
    #[allow(clippy::too_many_arguments)]
    fn settle_rows(
        &self,
        t: usize,
        count: usize,
        rows: usize,
        dimension_loads: &[f64],
        bounds: &mut Vec<f64>,
        settled: &mut Vec<Option<(u32, usize)>>,
    ) {
        settled.clear();
        bounds.clear();
        if self.tiers[t].drawn {
            settled.resize(rows, None);
            return;
        }
        let (n, dimensions) = (count * rows, self.tiers[t].dimensions.len());
        for row in 0..rows {
            for d in 0..dimensions {
                let (least, most) = bounds_of(&dimension_loads[d * n + row * count..][..count]);
                bounds.extend([least, most]);
            }
            let row_bounds = &bounds[2 * row * dimensions..];
            let least = self.needs_on_ladder(t, |d| row_bounds[2 * d]);
            let most = self.needs_on_ladder(t, |d| row_bounds[2 * d + 1]);
            settled.push((least == most).then_some(least));
        }
    }

    /// Each dimension's load of tier `t` on every row of the chunk (`n`
    /// rows), summed in the planner's order (plugin loads from `columns`,
    /// then fan-in from the `upstream` tiers' units), into
    /// `dimension_loads`, dimension by dimension: dimension `d` of row `i`
    /// at `d x n + i`.
    #[allow(clippy::too_many_arguments)]
    fn dimension_loads(
        &self,
        t: usize,
        n: usize,
        columns: &[f64],
        upstream: &[Vec<u32>],
        dimension_loads: &mut Vec<f64>,
        from_drivers: &mut Vec<f64>,
        fan_in: &mut Vec<f64>,
    ) {
        let tier = &self.tiers[t];
        let column = |l: usize| &columns[l * n..(l + 1) * n];
        let zero = EMPTY_SUM;
        dimension_loads.resize(n * tier.dimensions.len(), 0.0);
        // A pass per load and per upstream tier, each a plain loop. The
        // planner's sums start from `-0.0`, and `-0.0 + x` is `x` to the bit
        // (`+0.0` included): so each sum starts from its first term, and a
        // dimension without plugin loads (or without fan-in) is the other
        // sum alone. Where it has both, the two are summed in two buffers
        // borrowed from the sizing's later steps (free until then).
        let add_loads = |sums: &mut [f64], loads: &[usize]| {
            sums.copy_from_slice(column(loads[0]));
            for &l in &loads[1..] {
                for (sum, &load) in sums.iter_mut().zip(column(l)) {
                    *sum += load;
                }
            }
        };
        let add_fan_in = |sums: &mut [f64], fan_in: &[(Option<usize>, f64)]| {
            for (k, &(source, per_unit)) in fan_in.iter().enumerate() {
                match (source, k) {
                    (Some(s), 0) => {
                        for (sum, &units) in sums.iter_mut().zip(&upstream[s]) {
                            *sum = f64::from(units) * per_unit;
                        }
                    }
                    (Some(s), _) => {
                        for (sum, &units) in sums.iter_mut().zip(&upstream[s]) {
                            *sum += f64::from(units) * per_unit;
                        }
                    }
                    (None, 0) => sums.fill(0.0 * per_unit),
                    (None, _) => {
                        for sum in sums.iter_mut() {
                            *sum += 0.0 * per_unit;
                        }
                    }
                }
            }
        };
        for (d, dimension) in tier.dimensions.iter().enumerate() {
            let sums = &mut dimension_loads[d * n..(d + 1) * n];
            match (dimension.loads.is_empty(), dimension.fan_in.is_empty()) {
                (true, true) => sums.fill(zero + zero),
                (false, true) => add_loads(sums, &dimension.loads),
                (true, false) => add_fan_in(sums, &dimension.fan_in),
                (false, false) => {
                    from_drivers.resize(n, 0.0);
                    fan_in.resize(n, 0.0);
                    add_loads(from_drivers, &dimension.loads);
                    add_fan_in(fan_in, &dimension.fan_in);
                    for ((load, &a), &b) in sums.iter_mut().zip(&**from_drivers).zip(&**fan_in) {
                        *load = a + b;
                    }
                }
            }
        }
    }

    /// Raises the units of the rows of tier `t` whose latency target their
    /// units miss (`n` rows, `count` draws a row of the chunk; `needed` the
    /// units their loads need, `units_out` the units so far), as the
    /// planner does: each row's arrival rate (its loads from `columns`,
    /// summed into `rates` where there are several), checked first against
    /// the safe rates known by units (`known_by_units`), then, where that
    /// does not settle it, by Erlang C.
    #[allow(clippy::too_many_arguments)]
    fn meet_latency(
        &self,
        t: usize,
        latency: &Latency,
        count: usize,
        n: usize,
        columns: &[f64],
        needed: &[u32],
        units_out: &mut [u32],
        rates: &mut Vec<f64>,
        known_by_units: &mut Vec<f64>,
    ) {
        let column = |l: usize| &columns[l * n..(l + 1) * n];
        // Each row's arrival rate: its loads summed in the planner's
        // order, a pass per load (one load is its own sum: `-0.0 + x` is
        // `x` to the bit), then per second, as each row is checked.
        let sums = match latency.arrivals[..] {
            [l] => column(l),
            _ => {
                rates.clear();
                rates.resize(n, EMPTY_SUM);
                for &l in &latency.arrivals {
                    for (rate, &load) in rates.iter_mut().zip(column(l)) {
                        *rate += load;
                    }
                }
                &rates[..]
            }
        };
        let per_second = latency.per_second;
        // The safe rates are shared by the workers (each server count is
        // bisected once a run), behind a lock held to copy the ones at
        // hand, and over a row whose draws they do not all settle.
        let safe_rates =
            || self.safe_rates[latency.cache].lock().unwrap_or_else(PoisonError::into_inner);
        // The latency target can only raise the units when `needed`
        // units miss it (the policy is monotone), so a rate known to
        // meet it on those servers settles it without Erlang C. First
        // every row against the cache, by the units it needs (`NaN`, not
        // known yet, compares false), in one pass without branches; then
        // the rows it does not settle.
        let workers = latency.target.workers_per_unit;
        let most = needed.iter().copied().max().unwrap_or(0);
        // Up to the most units of a server count the cache may hold; past
        // them, `NaN`: every count beyond takes the last entry, and so goes
        // to the planner's own search.
        let top = most.min((CACHED_SERVERS - 1) / workers.max(1));
        known_by_units.clear();
        {
            let cache = safe_rates();
            known_by_units.extend((0..=top).map(|units| {
                let servers = units.saturating_mul(workers) as usize;
                cache.get(servers).map_or(f64::NAN, |&(low, _)| low)
            }));
            known_by_units.push(f64::NAN);
        }
        let last = known_by_units.len() - 1;
        let meets = |sum: f64, needed: u32| {
            (needed > 0) & (sum * per_second <= known_by_units[(needed as usize).min(last)])
        };
        // A row of the chunk at a time (a draw the target binds is one of
        // the chunk's, in a few of its rows); in each row it does not
        // settle, the draws it does not settle, by Erlang C.
        for (row, (sums, needs)) in
            sums.chunks(count.max(1)).zip(needed.chunks(count.max(1))).enumerate()
        {
            let settled = sums.iter().zip(needs).fold(true, |all, (&r, &u)| all & meets(r, u));
            if settled {
                continue;
            }
            // The lock is taken once a row, not once a draw: a target that
            // binds leaves most of a row's draws to this loop.
            let mut cache = safe_rates();
            for (j, (&sum, &need)) in sums.iter().zip(needs).enumerate() {
                if meets(sum, need) {
                    continue;
                }
                let (i, rate) = (row * count + j, sum * per_second);
                self.raise_for_latency(t, latency, i, rate, need, units_out, &mut cache);
            }
        }
    }

    /// Raises row `i` of tier `t`, whose `needed` units are not known to
    /// meet its latency target at `rate`, to the units the target asks for
    /// where they do not meet it: the fewest units whose servers surely
    /// meet it, walking up from `needed` through the safe rates (bisected
    /// once a server count), where each count below surely misses it;
    /// else, near a boundary or past the cache, the planner's own search.
    #[allow(clippy::too_many_arguments)]
    fn raise_for_latency(
        &self,
        t: usize,
        latency: &Latency,
        i: usize,
        rate: f64,
        needed: u32,
        units_out: &mut [u32],
        brackets: &mut Vec<(f64, f64)>,
    ) {
        let latency_units = units_by_brackets(brackets, &latency.target, rate, needed)
            .or_else(|| latency_units_needed(&latency.target, rate));
        if let Some(latency_units) = latency_units {
            units_out[i] = units_out[i].max(self.tiers[t].policy.apply(latency_units));
        }
    }

    /// The units each row needs on rung `rung` (per row, from `rungs`, if
    /// given), the most any dimension needs, into `needed`: the quotients
    /// load / usable capacity, then the kernel's rounding, a dimension at a
    /// time.
    #[allow(clippy::too_many_arguments)]
    fn units_on_rung(
        &self,
        rung: usize,
        dimensions: usize,
        rungs: Option<&[usize]>,
        dimension_loads: &[f64],
        usable: &Usable<'_>,
        quotients: &mut [f64],
        needed: &mut [u32],
        dimension_units: &mut [u32],
    ) {
        let (n, count) = (quotients.len(), usable.count);
        for d in 0..dimensions {
            let loads = &dimension_loads[d * n..(d + 1) * n];
            let units = if d == 0 { &mut *needed } else { &mut *dimension_units };
            match (rungs, usable.varies) {
                // One capacity for every draw: one loop over the chunk.
                (None, false) => {
                    units_for_loads_on(loads, usable.of(rung * dimensions + d, 0), units)
                }
                (None, true) => {
                    // Each row of the chunk against the draws' capacities,
                    // side by side.
                    let capacities = usable.column(rung * dimensions + d);
                    for (units, loads) in
                        units.chunks_exact_mut(count).zip(loads.chunks_exact(count))
                    {
                        units_for_loads(loads, capacities, units);
                    }
                }
                (Some(rungs), _) => {
                    let rows = quotients.chunks_exact_mut(count).zip(loads.chunks_exact(count));
                    for ((quotients, loads), rungs) in rows.zip(rungs.chunks_exact(count)) {
                        let row = quotients.iter_mut().zip(loads).zip(rungs).enumerate();
                        for (j, ((quotient, &load), &rung)) in row {
                            *quotient = load / usable.of(rung * dimensions + d, j);
                        }
                    }
                    units_for_quotients(quotients, units);
                }
            }
            if d > 0 {
                for (most, &these) in needed.iter_mut().zip(dimension_units.iter()) {
                    *most = (*most).max(these);
                }
            }
        }
    }
}

/// The usable capacity (capacity x (1 - headroom)) per rung and dimension
/// of the tier being sized: of each draw of the chunk, side by side
/// (`(rung x dimensions + dimension) x count + draw`), or one for all
/// draws when no draw changes it.
struct Usable<'a> {
    values: &'a [f64],
    count: usize,
    varies: bool,
}

impl Usable<'_> {
    /// Of rung and dimension `at` (`rung x dimensions + dimension`), every
    /// draw's, side by side (only where they vary).
    fn column(&self, at: usize) -> &[f64] {
        &self.values[at * self.count..(at + 1) * self.count]
    }

    /// Of rung and dimension `at`, draw `j`'s.
    #[inline]
    fn of(&self, at: usize, j: usize) -> f64 {
        if self.varies {
            self.values[at * self.count + j]
        } else {
            self.values[at]
        }
    }
}

/// The rung of every row of a one-dimension ladder of `ladder` rungs:
/// the first one unit of which holds the row's load, else the last.
/// `holds_on_one`'s two comparisons settle nearly every row without
/// dividing, and without a branch: from the last rung down, each rung
/// that surely holds the load takes the row. A row of the chunk where
/// some load lies in a rung's narrow band (where only the quotient
/// tells) is settled again by `holds_on_one` itself.
fn rungs_by_one_unit(
    ladder: usize,
    count: usize,
    usable: &Usable<'_>,
    dimension_loads: &[f64],
    bands: &mut Vec<f64>,
    rungs_out: &mut [usize],
) {
    bands.clear();
    for r in 0..ladder - 1 {
        bands.extend((0..count).map(|j| one_unit_band(usable.of(r, j)).0));
        bands.extend((0..count).map(|j| one_unit_band(usable.of(r, j)).1));
    }
    for (rungs, loads) in rungs_out.chunks_exact_mut(count).zip(dimension_loads.chunks_exact(count))
    {
        let mut unsettled = 0_u64;
        rungs.fill(ladder - 1);
        for r in (0..ladder - 1).rev() {
            let surely = &bands[2 * r * count..][..count];
            let surely_not = &bands[(2 * r + 1) * count..][..count];
            let row = rungs.iter_mut().zip(loads).zip(surely.iter().zip(surely_not));
            for ((rung, &load), (&surely, &surely_not)) in row {
                let holds = load <= surely;
                unsettled |= u64::from(!holds & (load < surely_not));
                *rung = if holds { r } else { *rung };
            }
        }
        if unsettled != 0 {
            for (j, (rung, &load)) in rungs.iter_mut().zip(loads).enumerate() {
                *rung = (0..ladder - 1)
                    .find(|&r| holds_on_one(load, usable.of(r, j)))
                    .unwrap_or(ladder - 1);
            }
        }
    }
}

/// Whether one unit of `usable` capacity (capacity x (1 - headroom)) holds
/// `load`: the kernel's `units_for(load / usable) <= 1`, decided by the two
/// comparisons of [`one_unit_band`] where they can, else by the quotient.
#[inline]
fn holds_on_one(load: f64, usable: f64) -> bool {
    let (surely, surely_not) = one_unit_band(usable);
    if load <= surely {
        true
    } else if load >= surely_not {
        false
    } else {
        units_for(load, usable, 0.0) <= 1
    }
}

/// The loads one unit of `usable` capacity surely holds (at or below the
/// first) and surely does not (at or above the second), without dividing.
/// The kernel's `units_for(load / usable) <= 1` is `q <= 1` or
/// `q - 1 <= 1e-9 q` for the quotient `q`. Below `usable x (1 + 5e-10)`,
/// `q - 1` is at most 5e-10 and a few roundings (each under 1.2e-16 of
/// the value), so it holds; at or above `usable x (1 + 2e-9)`, `q - 1` is
/// nearly 2e-9, past the tolerance, so it does not. A load exactly at the
/// capacity (a fan-in of whole units often is) holds by the comparison.
/// The bounds on the roundings need a product that is a normal number:
/// for a capacity outside `[f64::MIN_POSITIVE, f64::MAX / 4]` nothing is
/// sure, and every load takes the quotient.
#[inline]
pub(super) fn one_unit_band(usable: f64) -> (f64, f64) {
    if (f64::MIN_POSITIVE..=f64::MAX / 4.0).contains(&usable) {
        (usable * (1.0 + 5e-10), usable * (1.0 + 2e-9))
    } else {
        (-1.0, f64::INFINITY)
    }
}

/// Server counts below this have their safe rates kept (8 bytes each, and
/// the cache grows to the largest count asked); a row that needs more
/// servers skips the shortcut and runs the planner's own search, which gives
/// the same units. Without the bound, a tier sized to billions of units
/// (a capacity drawn near zero) asked for a cache of tens of gigabytes.
const CACHED_SERVERS: u32 = 1 << 16;

/// How far from a bracket's ends a rate must lie, relatively, for the
/// bracket to settle it: the planner's search evaluates Erlang C by
/// another route, whose rounding differs from the bisection's by far less.
const BRACKET_MARGIN: f64 = 1e-9;

/// The bisection's last bracket for `servers` servers (the planner's own
/// [`largest_rate_bracket`]), cached per server count (`servers` below
/// [`CACHED_SERVERS`]): rates up to `low` meet `target`, rates from `high`
/// miss it; `(-1, 0)` when even a vanishing rate misses it.
fn bracket(cache: &mut Vec<(f64, f64)>, target: &LatencyTarget, servers: u32) -> (f64, f64) {
    let s = servers as usize;
    if s >= cache.len() {
        cache.resize(s + 1, (f64::NAN, f64::NAN));
    }
    if cache[s].0.is_nan() {
        cache[s] = largest_rate_bracket(target, servers).unwrap_or((-1.0, 0.0));
    }
    cache[s]
}

/// The fewest units (from `needed`, at least 1) whose servers meet `target`
/// at `rate`, as the planner's [`latency_units_needed`] finds them, read
/// from the brackets: a count is taken where `rate` lies surely within its
/// safe rate and every count walked past lay surely beyond its own. `None`
/// where a rate lies within [`BRACKET_MARGIN`] of a bracket, past the
/// cached counts, or after 64 steps: the caller then runs the search.
fn units_by_brackets(
    cache: &mut Vec<(f64, f64)>,
    target: &LatencyTarget,
    rate: f64,
    needed: u32,
) -> Option<u32> {
    let workers = target.workers_per_unit;
    let first = needed.max(1);
    for units in first..first.saturating_add(64) {
        let servers = units.checked_mul(workers).filter(|&s| s < CACHED_SERVERS)?;
        let (low, high) = bracket(cache, target, servers);
        if rate <= low * (1.0 - BRACKET_MARGIN) {
            // Fewer units than `needed` would not raise the tier anyway
            // (the policy is monotone), so the first count needs no count
            // below it checked.
            return Some(units);
        }
        if rate < high * (1.0 + BRACKET_MARGIN) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{holds_on_one, one_unit_band};
    use headroom_kernel::units_for;
    use proptest::prelude::*;

    proptest! {
        /// The comparisons say what the quotient says, on both sides of
        /// one unit and in the band where the quotient is taken.
        #[test]
        fn holds_on_one_is_the_kernels_rounding(
            usable in prop_oneof![
                1e-3f64..1e7,
                (1u32..10_000).prop_map(f64::from),
                Just(640.0),
                1e-310f64..1e-300,
                Just(f64::MIN_POSITIVE),
                1e300f64..f64::MAX,
            ],
            ratio in prop_oneof![
                0.0f64..3.0,
                Just(1.0),
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-16),
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-12),
                (-4000i32..4000).prop_map(|k| 1.0 + f64::from(k) * 1e-9),
                (-2000i32..2000).prop_map(|k| 1.0 + 5e-10 + f64::from(k) * 1e-16),
                (-2000i32..2000).prop_map(|k| 1.0 + 1e-9 + f64::from(k) * 1e-16),
                (-2000i32..2000).prop_map(|k| 1.0 + 2e-9 + f64::from(k) * 1e-16),
            ],
            ulps in -3i64..3,
        ) {
            // The load `ratio x usable`, give or take a few units in the
            // last place, so that loads right at each bound are tried.
            let load = f64::from_bits(((usable * ratio).to_bits() as i64 + ulps).max(0) as u64);
            prop_assert_eq!(holds_on_one(load, usable), units_for(load, usable, 0.0) <= 1);
            // And the comparisons alone never disagree with the quotient.
            let (surely, surely_not) = one_unit_band(usable);
            if load <= surely {
                prop_assert!(units_for(load, usable, 0.0) <= 1);
            }
            if load >= surely_not {
                prop_assert!(units_for(load, usable, 0.0) > 1);
            }
        }
    }

    /// The walk through the brackets finds the units the planner's search
    /// finds, wherever it answers: at rates all over a target's range, at
    /// each count's own boundary and a double either side of it.
    #[test]
    fn units_by_brackets_are_the_planners() {
        let target = crate::config::LatencyTarget {
            name: "tight".into(),
            quantile: 0.99,
            seconds: 0.15,
            arrivals: "rate".into(),
            arrivals_per_second_per_unit_of_load: 1.0,
            service_time: 0.02,
            workers_per_unit: 2,
        };
        let mut cache = Vec::new();
        let mut rates: Vec<f64> = (1..4000).map(|k| f64::from(k) * 1.37).collect();
        for units in 1..40 {
            let (low, high) = super::bracket(&mut cache, &target, units * 2);
            rates.extend([
                low,
                high,
                f64::from_bits(low.to_bits() - 1),
                f64::from_bits(high.to_bits() + 1),
            ]);
        }
        let mut answered = 0;
        for &rate in &rates {
            let planner = super::latency_units_needed(&target, rate);
            for needed in [0, 1, 5, 20] {
                let Some(units) = super::units_by_brackets(&mut cache, &target, rate, needed)
                else {
                    continue;
                };
                answered += 1;
                if units > needed.max(1) {
                    assert_eq!(Some(units), planner, "rate {rate}, needed {needed}");
                } else {
                    assert!(planner.is_some_and(|p| p <= units), "rate {rate}, needed {needed}");
                }
            }
        }
        // Nearly every rate is settled by the brackets, not the search.
        assert!(answered > rates.len() * 4 * 9 / 10, "{answered} of {}", rates.len() * 4);
    }
}
