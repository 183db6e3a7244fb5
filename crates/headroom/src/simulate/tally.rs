//! Tallies: what a Monte Carlo keeps of its draws to take quantiles from.
//!
//! Units are small integers, so a tier's units (and its cost, a function of
//! its units and its instance when prices are not drawn) are kept as counts
//! per value: memory does not grow with the draws and tallies of different
//! threads merge by adding. A tier's cost when a price is drawn can take any
//! value, so it is kept draw by draw, and its quantiles are selected, not
//! sorted. A milestone's total cost is a sum of whole units' costs, so it
//! too takes few values, though too many to index: it is counted per value
//! in a hash map ([`Amounts`]) until it has taken more than 16,384 values,
//! then kept draw by draw. Either way the quantiles are nearest-rank: the
//! smallest value with at least `ceil(p n)` draws at or below it, the same
//! in whatever order the draws were tallied.

use std::collections::{BTreeMap, HashMap};

use headroom_kernel::sampling::{nearest_rank, quantile_ranks, RankInterval};

use super::{Interval, QuantileIntervals, Quantiles};

/// Keys below this are counted in a vector; larger ones in a map.
const DENSE: u64 = 1 << 16;

/// How many draws gave each value of an integer key.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Counts {
    dense: Vec<u64>,
    sparse: BTreeMap<u64, u64>,
}

impl Counts {
    #[inline]
    pub(super) fn add(&mut self, key: u64) {
        match self.dense.get_mut(key as usize) {
            Some(count) if key < DENSE => *count += 1,
            _ => self.add_growing(key),
        }
    }

    fn add_growing(&mut self, key: u64) {
        self.add_many(key, 1);
    }

    /// Counts `key` `times` times.
    pub(super) fn add_many(&mut self, key: u64, times: u64) {
        if key < DENSE {
            if self.dense.len() <= key as usize {
                self.dense.resize(key as usize + 1, 0);
            }
            self.dense[key as usize] += times;
        } else {
            *self.sparse.entry(key).or_default() += times;
        }
    }

    /// Counts every key of `keys`; all at once where they are all equal
    /// (one comparison a key, without branches, against an addition a
    /// key that waits on the last).
    pub(super) fn add_all(&mut self, keys: &[u32]) {
        let Some(&first) = keys.first() else { return };
        if keys.iter().fold(true, |same, &key| same & (key == first)) {
            self.add_many(u64::from(first), keys.len() as u64);
        } else {
            for &key in keys {
                self.add(u64::from(key));
            }
        }
    }

    fn merge(&mut self, other: Counts) {
        if other.dense.len() > self.dense.len() {
            self.dense.resize(other.dense.len(), 0);
        }
        for (mine, theirs) in self.dense.iter_mut().zip(other.dense) {
            *mine += theirs;
        }
        for (key, count) in other.sparse {
            *self.sparse.entry(key).or_default() += count;
        }
    }

    /// The share of the draws whose key `keep` keeps.
    pub(super) fn share_where(&self, keep: impl Fn(u64) -> bool) -> f64 {
        let (kept, all) = self.count_where(keep);
        share(kept, all)
    }

    /// How many draws' keys `keep` keeps, and how many draws there are.
    pub(super) fn count_where(&self, keep: impl Fn(u64) -> bool) -> (u64, u64) {
        self.iter()
            .fold((0, 0), |(kept, all), (key, n)| (kept + if keep(key) { n } else { 0 }, all + n))
    }

    /// (key, count) for every key seen, ascending.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.dense
            .iter()
            .enumerate()
            .filter(|(_, &count)| count > 0)
            .map(|(key, &count)| (key as u64, count))
            .chain(self.sparse.iter().map(|(&key, &count)| (key, count)))
    }
}

/// How many draws gave each value of a quantity that takes few values, or,
/// once it has taken more than [`Amounts::FEW`], each draw's value: memory
/// and time that do not grow with the draws where values recur, and the
/// same quantiles either way.
#[derive(Debug, Clone)]
pub(super) enum Amounts {
    /// Per value (its bits), the draws that gave it.
    Counted(HashMap<u64, u64, foldhash::fast::FixedState>),
    /// Each draw's value, in no order.
    Listed(Vec<f64>),
}

impl Default for Amounts {
    fn default() -> Amounts {
        Amounts::Counted(HashMap::default())
    }
}

impl PartialEq for Amounts {
    /// The same draws' values, however kept and in whatever order.
    fn eq(&self, other: &Amounts) -> bool {
        let sorted = |amounts: &Amounts| {
            let mut pairs: Vec<(u64, u64)> = match amounts {
                Amounts::Counted(counts) => counts.iter().map(|(&v, &n)| (v, n)).collect(),
                Amounts::Listed(values) => {
                    let mut counts = HashMap::<u64, u64>::new();
                    for value in values {
                        *counts.entry(value.to_bits()).or_default() += 1;
                    }
                    counts.into_iter().collect()
                }
            };
            pairs.sort_unstable();
            pairs
        };
        sorted(self) == sorted(other)
    }
}

impl Amounts {
    /// The most values counted one by one before each draw's is kept.
    const FEW: usize = 1 << 14;

    pub(super) fn add(&mut self, value: f64) {
        match self {
            Amounts::Counted(counts) => {
                *counts.entry(value.to_bits()).or_default() += 1;
                if counts.len() > Self::FEW {
                    self.list();
                }
            }
            Amounts::Listed(values) => values.push(value),
        }
    }

    /// Each counted value as many times as it was counted.
    fn list(&mut self) {
        if let Amounts::Counted(counts) = self {
            let values = counts
                .iter()
                .flat_map(|(&bits, &n)| std::iter::repeat_n(f64::from_bits(bits), n as usize))
                .collect();
            *self = Amounts::Listed(values);
        }
    }

    fn merge(&mut self, mut other: Amounts) {
        if let (Amounts::Counted(mine), Amounts::Counted(theirs)) = (&mut *self, &other) {
            for (&bits, &n) in theirs {
                *mine.entry(bits).or_default() += n;
            }
            if mine.len() > Self::FEW {
                self.list();
            }
            return;
        }
        self.list();
        other.list();
        if let (Amounts::Listed(mine), Amounts::Listed(theirs)) = (self, other) {
            mine.extend(theirs);
        }
    }

    /// The share of the draws whose value is at most `bound`.
    pub(super) fn share_at_most(&self, bound: f64) -> f64 {
        let (at_most, all) = match self {
            Amounts::Counted(counts) => {
                counts.iter().fold((0, 0), |(at_most, all), (&bits, &n)| {
                    (at_most + if f64::from_bits(bits) <= bound { n } else { 0 }, all + n)
                })
            }
            Amounts::Listed(values) => {
                (values.iter().filter(|&&v| v <= bound).count() as u64, values.len() as u64)
            }
        };
        share(at_most, all)
    }

    /// The 95% intervals of the reported quantiles of the draws' values.
    pub(super) fn intervals(&mut self, ranks: &IntervalRanks) -> QuantileIntervals {
        match self {
            Amounts::Counted(counts) => intervals_of_counts(
                counts.iter().map(|(&bits, &n)| (f64::from_bits(bits), n)).collect(),
                ranks,
            ),
            Amounts::Listed(values) => {
                let sorted = ranks.sorted();
                let selected = select_ranks(values, &sorted);
                let steps = |low: f64, high: f64| {
                    let mut between: Vec<u64> = values
                        .iter()
                        .filter(|&&v| v > low && v <= high)
                        .map(|v| v.to_bits())
                        .collect();
                    between.sort_unstable();
                    between.dedup();
                    between.len() as u64
                };
                ranks.intervals(&sorted, &selected, steps)
            }
        }
    }

    /// Nearest-rank quantiles of the draws' values.
    pub(super) fn quantiles(&mut self) -> Quantiles {
        match self {
            Amounts::Counted(counts) => quantiles_of_counts(
                counts.iter().map(|(&bits, &n)| (f64::from_bits(bits), n)).collect(),
            ),
            Amounts::Listed(values) => quantiles(values),
        }
    }
}

/// `part` of `all` draws as a fraction (0 of none).
pub(super) fn share(part: u64, all: u64) -> f64 {
    if all == 0 {
        0.0
    } else {
        part as f64 / all as f64
    }
}

/// The quantiles a Monte Carlo reports.
const REPORTED: [f64; 3] = [0.50, 0.90, 0.99];

/// The values at `ranks` (counted from 1, ascending) of a quantity that took
/// `value` in `count` draws, for each pair, the pairs sorted by value; NaN
/// for a rank past the draws.
fn values_at_ranks(pairs: &[(f64, u64)], ranks: &[u64]) -> Vec<f64> {
    let mut values = Vec::with_capacity(ranks.len());
    let (mut seen, mut pair) = (0, 0);
    for &rank in ranks {
        while pair < pairs.len() && seen + pairs[pair].1 < rank {
            seen += pairs[pair].1;
            pair += 1;
        }
        values.push(pairs.get(pair).map_or(f64::NAN, |p| p.0));
    }
    values
}

/// `pairs` sorted by value, one a value (the counts of a value that
/// repeats added up), and the draws they count.
fn sorted_pairs(mut pairs: Vec<(f64, u64)>) -> (Vec<(f64, u64)>, u64) {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    pairs.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 += later.1;
        }
        same
    });
    let n = pairs.iter().map(|p| p.1).sum();
    (pairs, n)
}

/// Nearest-rank quantiles of a quantity that took `value` in `count` draws,
/// for each pair (`pairs` need not be sorted; a value may repeat).
pub(super) fn quantiles_of_counts(pairs: Vec<(f64, u64)>) -> Quantiles {
    let (pairs, n) = sorted_pairs(pairs);
    let ranks = REPORTED.map(|p| nearest_rank(p, n.max(1)));
    let [p50, p90, p99] =
        <[f64; 3]>::try_from(values_at_ranks(&pairs, &ranks)).unwrap_or([f64::NAN; 3]);
    Quantiles { p50, p90, p99 }
}

/// The ranks of the draws that bound each reported quantile's 95%
/// interval, for a Monte Carlo of `draws` draws (the kernel's
/// distribution-free [`quantile_ranks`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct IntervalRanks([RankInterval; 3]);

impl IntervalRanks {
    pub(super) fn new(draws: u64) -> Result<IntervalRanks, headroom_kernel::KernelError> {
        let at = |p| quantile_ranks(draws, p, super::SAMPLING_CONFIDENCE);
        let [p50, p90, p99] = REPORTED;
        Ok(IntervalRanks([at(p50)?, at(p90)?, at(p99)?]))
    }

    /// The bounds' ranks, ascending, that exist (a side past the draws is open).
    fn sorted(&self) -> Vec<u64> {
        let mut ranks: Vec<u64> =
            self.0.iter().flat_map(|r| [r.lower, r.upper]).flatten().collect();
        ranks.sort_unstable();
        ranks.dedup();
        ranks
    }

    /// Each quantile's interval, from the values at the ranks of
    /// [`Self::sorted`]; `steps(low, high)` counts the distinct values the
    /// draws took above `low`, up to `high`.
    fn intervals(
        &self,
        ranks: &[u64],
        values: &[f64],
        steps: impl Fn(f64, f64) -> u64,
    ) -> QuantileIntervals {
        let value_at =
            |rank: Option<u64>| rank.and_then(|r| ranks.binary_search(&r).ok()).map(|i| values[i]);
        let [p50, p90, p99] = self.0.map(|r| {
            let (low, high) = (value_at(r.lower), value_at(r.upper));
            let steps = low.zip(high).map(|(low, high)| steps(low, high));
            Interval { low, high, steps }
        });
        QuantileIntervals { p50, p90, p99 }
    }
}

/// The 95% intervals of the reported quantiles of a quantity that took
/// `value` in `count` draws, for each pair (in any order).
pub(super) fn intervals_of_counts(
    pairs: Vec<(f64, u64)>,
    ranks: &IntervalRanks,
) -> QuantileIntervals {
    let (pairs, _) = sorted_pairs(pairs);
    let sorted = ranks.sorted();
    // The pairs are sorted by value, one a value once merged: those above
    // `low` up to `high` are the steps between them.
    let above = |value: f64| pairs.partition_point(|p| p.0 <= value) as u64;
    let steps = |low: f64, high: f64| above(high) - above(low);
    ranks.intervals(&sorted, &values_at_ranks(&pairs, &sorted), steps)
}

/// The values at `ranks` (counted from 1, ascending, at most the number of
/// values) of `values`, reordered in place by selection: each selection
/// works on what lies above the last, so in linear time, and the same
/// values sorting would give.
fn select_ranks(values: &mut [f64], ranks: &[u64]) -> Vec<f64> {
    let mut from = 0;
    ranks
        .iter()
        .map(|&rank| {
            let index = (rank - 1) as usize;
            let (_, value, _) = values[from..].select_nth_unstable_by(index - from, f64::total_cmp);
            let value = *value;
            from = index;
            value
        })
        .collect()
}

/// Nearest-rank quantiles of `values`, reordered in place by selection
/// (linear time; the same values sorting would give).
pub fn quantiles(values: &mut [f64]) -> Quantiles {
    let n = values.len() as u64;
    if n == 0 {
        return Quantiles { p50: f64::NAN, p90: f64::NAN, p99: f64::NAN };
    }
    let ranks = REPORTED.map(|p| nearest_rank(p, n));
    let [p50, p90, p99] =
        <[f64; 3]>::try_from(select_ranks(values, &ranks)).unwrap_or([f64::NAN; 3]);
    Quantiles { p50, p90, p99 }
}

/// One draw's trigger against its tier's headroom (months from today,
/// `never` past the horizon), as a count in one of three places: ahead
/// where it fires first (or fires and the headroom holds), the same month
/// where both fall in one, late where the headroom breaks first (and the
/// trigger fires later or not at all); in none where neither happens
/// within the horizon. Without branches, for the chunk's pass.
#[inline]
fn lead(fired: u64, broken: u64, never: u64) -> [u64; 3] {
    [
        u64::from(fired < broken),
        u64::from((fired == broken) & (fired < never)),
        u64::from(fired > broken),
    ]
}

/// Adds one count of [`lead`] to `leads`.
#[inline]
fn add_lead(leads: &mut [u64; 3], counted: [u64; 3]) {
    for (total, one) in leads.iter_mut().zip(counted) {
        *total += one;
    }
}

/// What a Monte Carlo keeps of its draws.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tally {
    tiers: usize,
    /// Per milestone and tier: units x rungs + rung.
    pub(super) tier_units: Vec<Counts>,
    /// Per milestone and tier, draw by draw, when a price is drawn.
    pub(super) tier_costs: Option<Vec<Vec<f64>>>,
    /// Per month and tier: units x rungs + rung.
    pub(super) monthly: Vec<Counts>,
    /// Per milestone and tier: counts that belong to the milestone and to
    /// its month alike (a chunk's month row that is also the milestone's
    /// row is counted once, here); [`Tally::settle`] adds them to both.
    shared: Vec<Counts>,
    /// Per milestone: its total cost over the tiers.
    pub(super) total_costs: Vec<Amounts>,
    /// Per tier with a runway: the month it first breaks, `never` if it holds.
    pub(super) first_breach: Vec<Counts>,
    /// The month the first tier breaks, `never` if none does.
    pub(super) any_breach: Counts,
    /// Per trigger read on today's deployment (see
    /// [`super::watched_triggers`]): the month it first fires, `never` if
    /// it does not.
    pub(super) trigger_fired: Vec<Counts>,
    /// Per trigger: the draws in which it fires before its tier's headroom
    /// breaks (or fires and the headroom holds), the same month, and after
    /// (or not at all, the headroom broken).
    pub(super) trigger_leads: Vec<[u64; 3]>,
    /// The key of a deployment that holds over the horizon.
    pub(super) never: u64,
}

impl Tally {
    pub(super) fn new(
        milestones: usize,
        tiers: usize,
        months: usize,
        runway_tiers: usize,
        triggers: usize,
        cost_columns: bool,
    ) -> Tally {
        Tally {
            tiers,
            tier_units: vec![Counts::default(); milestones * tiers],
            tier_costs: cost_columns.then(|| vec![Vec::new(); milestones * tiers]),
            monthly: vec![Counts::default(); months * tiers],
            shared: vec![Counts::default(); milestones * tiers],
            total_costs: vec![Amounts::default(); milestones],
            first_breach: vec![Counts::default(); runway_tiers],
            any_breach: Counts::default(),
            trigger_fired: vec![Counts::default(); triggers],
            trigger_leads: vec![[0; 3]; triggers],
            never: months as u64,
        }
    }

    /// The counts of tier `tier` at milestone `milestone`: keys units x
    /// rungs + rung.
    #[inline]
    pub(super) fn milestone_counts(&mut self, milestone: usize, tier: usize) -> &mut Counts {
        &mut self.tier_units[milestone * self.tiers + tier]
    }

    /// The cost of tier `tier` at milestone `milestone` of one draw, kept
    /// when a price is drawn (else it follows from the counts).
    #[inline]
    pub(super) fn milestone_cost(&mut self, milestone: usize, tier: usize, cost: f64) {
        if let Some(columns) = &mut self.tier_costs {
            columns[milestone * self.tiers + tier].push(cost);
        }
    }

    /// The counts of tier `tier` in month `month`: keys units x rungs + rung.
    #[inline]
    pub(super) fn month_counts(&mut self, month: usize, tier: usize) -> &mut Counts {
        &mut self.monthly[month * self.tiers + tier]
    }

    /// The counts of tier `tier` that milestone `milestone` and its month
    /// share: a row counted here counts for both once settled.
    #[inline]
    pub(super) fn shared_counts(&mut self, milestone: usize, tier: usize) -> &mut Counts {
        &mut self.shared[milestone * self.tiers + tier]
    }

    /// Adds each milestone's shared counts to the milestone and to its
    /// month (`months_of[m]`), once every chunk is tallied and merged.
    pub(super) fn settle(&mut self, months_of: &[Option<usize>]) {
        for (m, month) in months_of.iter().enumerate() {
            for t in 0..self.tiers {
                let shared = std::mem::take(&mut self.shared[m * self.tiers + t]);
                if let Some(month) = month {
                    self.tier_units[m * self.tiers + t].merge(shared.clone());
                    self.monthly[month * self.tiers + t].merge(shared);
                }
            }
        }
    }

    /// The milestones' total costs of a chunk's draws, `totals[draw x
    /// milestones + milestone]`.
    pub(super) fn add_total_costs(&mut self, totals: &[f64]) {
        let milestones = self.total_costs.len();
        for draw in totals.chunks_exact(milestones.max(1)) {
            for (amounts, &total) in self.total_costs.iter_mut().zip(draw) {
                amounts.add(total);
            }
        }
    }

    /// The runways of a chunk's draws: per runway tier, in order, the
    /// month each draw first breaks it (`never` where it holds), draw by
    /// draw; `earliest` is scratch.
    pub(super) fn runway_columns(&mut self, firsts: &[Vec<u32>], earliest: &mut Vec<u32>) {
        earliest.clear();
        earliest.resize(firsts.first().map_or(0, Vec::len), self.never as u32);
        for (counts, first) in self.first_breach.iter_mut().zip(firsts) {
            counts.add_all(first);
            for (earliest, &month) in earliest.iter_mut().zip(first) {
                *earliest = (*earliest).min(month);
            }
        }
        self.any_breach.add_all(earliest);
    }

    /// The runways of one draw, in runway-tier order.
    pub(super) fn runways(&mut self, months: impl Iterator<Item = Option<u32>>) {
        let mut first = self.never;
        for (counts, month) in self.first_breach.iter_mut().zip(months) {
            let key = month.map_or(self.never, u64::from);
            counts.add(key);
            first = first.min(key);
        }
        self.any_breach.add(first);
    }

    /// The triggers of a chunk's draws: per trigger, in order, the month
    /// each draw first fires it and the month it first breaks the
    /// trigger's tier's headroom (`never` where it does not), draw by draw.
    pub(super) fn trigger_columns(&mut self, fired: &[Vec<u32>], broken: &[&[u32]]) {
        for (((counts, leads), fired), broken) in
            self.trigger_fired.iter_mut().zip(&mut self.trigger_leads).zip(fired).zip(broken)
        {
            counts.add_all(fired);
            let never = self.never;
            for (&fired, &broken) in fired.iter().zip(*broken) {
                add_lead(leads, lead(u64::from(fired), u64::from(broken), never));
            }
        }
    }

    /// The triggers of one draw, in order: the month each first fires and
    /// the month its tier's headroom first breaks.
    pub(super) fn triggers(&mut self, months: impl Iterator<Item = (Option<u32>, Option<u32>)>) {
        let never = self.never;
        for ((counts, leads), (fired, broken)) in
            self.trigger_fired.iter_mut().zip(&mut self.trigger_leads).zip(months)
        {
            let fired = fired.map_or(never, u64::from);
            counts.add(fired);
            add_lead(leads, lead(fired, broken.map_or(never, u64::from), never));
        }
    }

    pub(super) fn merge(mut self, other: Tally) -> Tally {
        for (mine, theirs) in self.tier_units.iter_mut().zip(other.tier_units) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.tier_costs, other.tier_costs) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.extend(b);
            }
        }
        for (mine, theirs) in self.monthly.iter_mut().zip(other.monthly) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.shared.iter_mut().zip(other.shared) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.total_costs.iter_mut().zip(other.total_costs) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.first_breach.iter_mut().zip(other.first_breach) {
            mine.merge(theirs);
        }
        self.any_breach.merge(other.any_breach);
        for (mine, theirs) in self.trigger_fired.iter_mut().zip(other.trigger_fired) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.trigger_leads.iter_mut().zip(other.trigger_leads) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_counts_the_steps_it_spans() {
        // 1,000 draws, half 10 and half 11 but for five 12s: the median sits
        // on the step from 10 to 11, its interval spans that one step; the
        // P90's lies on 11 alone.
        let ranks = IntervalRanks::new(1000).unwrap();
        let i = intervals_of_counts(vec![(11.0, 495), (10.0, 500), (12.0, 5)], &ranks);
        assert_eq!((i.p50.low, i.p50.high, i.p50.steps), (Some(10.0), Some(11.0), Some(1)));
        assert_eq!((i.p90.low, i.p90.high, i.p90.steps), (Some(11.0), Some(11.0), Some(0)));
        // The P99's ranks (983 and 997 of 1,000 at 95%) reach the 12s.
        assert_eq!((i.p99.low, i.p99.high, i.p99.steps), (Some(11.0), Some(12.0), Some(1)));
        // A value counted in two pairs (two rungs of one unit count) is one step.
        let i =
            intervals_of_counts(vec![(10.0, 250), (10.0, 250), (11.0, 250), (13.0, 250)], &ranks);
        assert_eq!((i.p50.low, i.p50.high, i.p50.steps), (Some(10.0), Some(11.0), Some(1)));
        assert_eq!((i.p90.low, i.p90.high, i.p90.steps), (Some(13.0), Some(13.0), Some(0)));
        // The same counts listed draw by draw give the same intervals.
        let mut listed = Amounts::Listed(
            [(10.0, 500), (11.0, 250), (13.0, 250)]
                .iter()
                .flat_map(|&(v, n)| std::iter::repeat_n(v, n))
                .collect(),
        );
        assert_eq!(listed.intervals(&ranks), i);
    }

    /// A trigger against its tier's headroom, by hand, over a 13-month
    /// horizon (`never` is 13): first is ahead, a tie is the same month
    /// unless both are past the horizon, the headroom first is too late
    /// (whether the trigger fires later or never).
    #[test]
    fn a_trigger_is_judged_against_the_headroom_by_hand() {
        let mut leads = [0; 3];
        for (fired, broken) in [(2, 5), (4, 13), (3, 3), (13, 13), (6, 2), (13, 0)] {
            add_lead(&mut leads, lead(fired, broken, 13));
        }
        assert_eq!(leads, [2, 1, 2]);
    }

    #[test]
    fn nearest_rank_quantiles_by_hand() {
        // 1..=100: P50 = 50, P90 = 90, P99 = 99 (nearest rank, ceil(p n)).
        let mut values: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(quantiles(&mut values), Quantiles { p50: 50.0, p90: 90.0, p99: 99.0 });
        assert_eq!(quantiles(&mut [7.0]), Quantiles { p50: 7.0, p90: 7.0, p99: 7.0 });
        // The same from counts: 1..=100 once each, shuffled.
        let pairs: Vec<(f64, u64)> =
            (1..=100).map(|v| (f64::from((v * 37) % 100 + 1), 1)).collect();
        assert_eq!(quantiles_of_counts(pairs), Quantiles { p50: 50.0, p90: 90.0, p99: 99.0 });
        // 3 draws of 1, 6 of 2, 1 of 9: rank 5 is 2, rank 9 is 2, rank 10 is 9.
        let q = quantiles_of_counts(vec![(9.0, 1), (1.0, 3), (2.0, 6)]);
        assert_eq!(q, Quantiles { p50: 2.0, p90: 2.0, p99: 9.0 });
    }

    #[test]
    fn counts_merge_dense_and_sparse_keys() {
        let mut a = Counts::default();
        let mut b = Counts::default();
        for key in [3, 3, DENSE + 5] {
            a.add(key);
        }
        a.add_many(7, 0);
        a.add_many(DENSE + 9, 2);
        for key in [1, 3, DENSE + 5, DENSE + 9] {
            b.add(key);
        }
        a.merge(b);
        let seen: Vec<(u64, u64)> = a.iter().collect();
        assert_eq!(seen, vec![(1, 1), (3, 3), (DENSE + 5, 2), (DENSE + 9, 3)]);
    }

    #[test]
    fn amounts_give_the_same_quantiles_counted_or_listed() {
        use proptest::prelude::*;
        // Few values (counted throughout) and many (listed past FEW),
        // tallied in two parts and merged either way round.
        let few = proptest::collection::vec((0u32..40).prop_map(|v| f64::from(v) * 0.1), 1..400);
        let many = proptest::collection::vec(-1e6f64..1e6, Amounts::FEW..Amounts::FEW + 300);
        proptest!(ProptestConfig::with_cases(24), |(values in prop_oneof![few, many], cut in 0.0f64..1.0)| {
            let cut = (cut * values.len() as f64) as usize;
            let tally = |values: &[f64]| {
                let mut amounts = Amounts::default();
                values.iter().for_each(|&v| amounts.add(v));
                amounts
            };
            let mut expected = values.clone();
            let expected = quantiles(&mut expected);
            let (mut a, mut b) = (tally(&values[..cut]), tally(&values[cut..]));
            let mut whole = tally(&values);
            prop_assert_eq!(whole.quantiles(), expected);
            let listed = values.len() > Amounts::FEW;
            prop_assert_eq!(matches!(whole, Amounts::Listed(_)), listed);
            a.merge(b.clone());
            b.merge(tally(&values[..cut]));
            for mut merged in [a, b] {
                prop_assert_eq!(&merged, &whole);
                prop_assert_eq!(merged.quantiles(), expected);
            }
        });
    }

    #[test]
    fn a_chunks_runways_tally_as_its_draws_one_by_one() {
        use proptest::prelude::*;
        // Three runway tiers over 6 months (6: never broken), some columns
        // all alike.
        let column = |count: usize| {
            prop_oneof![
                proptest::collection::vec(0u32..=6, count),
                (0u32..=6).prop_map(move |m| vec![m; count]),
            ]
        };
        let columns = (1usize..50).prop_flat_map(move |n| [column(n), column(n), column(n)]);
        proptest!(|(firsts in columns)| {
            let (mut by_columns, mut by_draws) = (Tally::new(1, 3, 6, 3, 0, false), Tally::new(1, 3, 6, 3, 0, false));
            by_columns.runway_columns(&firsts, &mut Vec::new());
            for j in 0..firsts[0].len() {
                by_draws.runways(firsts.iter().map(|f| (f[j] < 6).then_some(f[j])));
            }
            prop_assert_eq!(by_columns, by_draws);
        });
    }

    #[test]
    fn selection_gives_what_sorting_gives() {
        use proptest::prelude::*;
        proptest!(|(mut values in proptest::collection::vec(-1e6f64..1e6, 1..300))| {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len() as f64;
            let pick = |p: f64| sorted[((p * n).ceil() as usize).clamp(1, sorted.len()) - 1];
            let expected = Quantiles { p50: pick(0.5), p90: pick(0.9), p99: pick(0.99) };
            prop_assert_eq!(quantiles(&mut values), expected);
        });
    }
}
