//! Sizing under a headroom policy.
//!
//! **Source.** The utilisation law (Denning & Buzen, 1978): a unit that
//! serves load `X` with capacity `C` runs at utilisation `U = X / C`. Keeping
//! a headroom `h` means no unit may run above `1 - h`, so a load `L` needs
//! `ceil(L / (C (1 - h)))` units. This is the rule both source documents
//! state ("Maintain a 20% Headroom", lead-gen §2).
//!
//! On top of that count, in this order:
//! 1. a minimum count (for high availability);
//! 2. N+k redundancy: `k` more units, so that with `k` units lost the rest
//!    still hold the load within headroom;
//! 3. rounding up to a multiple of the availability zones, so every zone runs
//!    the same number of units.
//!
//! A tier limited by several resources (throughput, connections, memory,
//! IOPS) is sized on every dimension; the dimension that needs the most units
//! is its bottleneck.

use crate::KernelError;

/// Relative slack for floating-point noise in `ceil`: 2.5 must give 3, but
/// 25.000000000000004 (5,000 / (250 x 0.8) in floating point) must give 25.
const CEIL_TOLERANCE: f64 = 1e-9;

/// What a tier must keep in reserve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadroomPolicy {
    /// Spare fraction of every unit's capacity, in [0, 1).
    pub headroom: f64,
    /// Fewest units the tier may run (e.g. 2 for high availability).
    pub min_units: u32,
    /// `k` of N+k: units that may be lost with the load still held.
    pub redundancy: u32,
    /// Units are a multiple of this (availability zones); 1 for no rounding.
    pub zones: u32,
}

impl HeadroomPolicy {
    /// A policy of headroom alone: no minimum, no redundancy, one zone.
    pub fn headroom_only(headroom: f64) -> HeadroomPolicy {
        HeadroomPolicy { headroom, min_units: 0, redundancy: 0, zones: 1 }
    }

    fn check(&self) -> Result<(), KernelError> {
        if !(0.0..1.0).contains(&self.headroom) {
            return Err(KernelError::InvalidHeadroom(self.headroom));
        }
        Ok(())
    }

    /// [`HeadroomPolicy::apply`] to each of `needed`, into `units` (the
    /// pairs `zip` gives): the same numbers, in a loop written for the
    /// policy at hand, so that the common one (no zones, often no spares)
    /// is a plain loop the compiler vectorises rather than the general one
    /// with its rounding to zones in every lane.
    pub fn apply_all(&self, needed: &[u32], units: &mut [u32]) {
        let (least, spares) = (self.min_units, self.redundancy);
        let pairs = units.iter_mut().zip(needed);
        match (self.zones, spares) {
            (0 | 1, 0) => pairs.for_each(|(units, &needed)| *units = needed.max(least)),
            (0 | 1, _) => {
                pairs.for_each(|(units, &needed)| *units = needed.max(least).saturating_add(spares))
            }
            _ => pairs.for_each(|(units, &needed)| *units = self.apply(needed)),
        }
    }

    /// Applies minimum, N+k and zone rounding to the units the load needs.
    /// A count past `u32::MAX` stays at `u32::MAX`, spares and zones alike
    /// (rounding it up to the zones used to wrap it round to a handful).
    #[inline]
    pub fn apply(&self, needed: u32) -> u32 {
        let base = needed.max(self.min_units);
        let with_spares = base.saturating_add(self.redundancy);
        match self.zones {
            // No division for the common single zone.
            0 | 1 => with_spares,
            zones => with_spares.div_ceil(zones).saturating_mul(zones),
        }
    }
}

/// The units a tier needs and why.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSizing {
    /// Units to run.
    pub units: u32,
    /// Units the load alone needs, before minimum, redundancy and zones.
    pub needed_by_load: u32,
    /// Index of the dimension that needs the most units (the bottleneck).
    pub bottleneck: usize,
    /// Utilisation of each dimension with all `units` running.
    pub utilisation: Vec<f64>,
}

impl UnitSizing {
    /// Utilisation of the bottleneck dimension.
    pub fn peak_utilisation(&self) -> f64 {
        self.utilisation[self.bottleneck]
    }
}

fn check_inputs(loads: &[f64], capacities: &[f64]) -> Result<(), KernelError> {
    if loads.len() != capacities.len() {
        return Err(KernelError::DimensionMismatch {
            loads: loads.len(),
            capacities: capacities.len(),
        });
    }
    for (dimension, &value) in capacities.iter().enumerate() {
        if !value.is_finite() || value <= 0.0 {
            return Err(KernelError::InvalidCapacity { dimension, value });
        }
    }
    for (dimension, &value) in loads.iter().enumerate() {
        if !value.is_finite() || value < 0.0 {
            return Err(KernelError::InvalidLoad { dimension, value });
        }
    }
    Ok(())
}

/// Units needed for one dimension: `ceil(load / (capacity (1 - headroom)))`,
/// where a quotient within a relative 1e-9 of a whole number counts as that
/// number (so that 5,000 / (250 x 0.8) is 25 units, not 26 from rounding
/// error). Unchecked, as [`needed_units`]: load finite and not negative,
/// capacity finite and above zero, headroom in [0, 1).
#[inline]
pub fn units_for(load: f64, capacity: f64, headroom: f64) -> u32 {
    let exact = load / (capacity * (1.0 - headroom));
    if (0.0..4_294_967_295.0).contains(&exact) {
        // The same rounding by integer truncation, which is exact below
        // 2^52 (`exact - whole` loses nothing) and several times faster
        // than `round` and `ceil` where the target lacks SSE4.1: the Monte
        // Carlo takes this path tens of millions of times.
        // Branch-free: which way a quotient rounds is a coin toss for the
        // branch predictor.
        let whole = exact as i64;
        let fraction = exact - whole as f64;
        let up = i64::from(fraction >= 0.5);
        let near = (exact - (whole + up) as f64).abs() <= CEIL_TOLERANCE * exact;
        let units = whole + i64::from(near) * up + i64::from(!near) * i64::from(fraction > 0.0);
        return units.min(i64::from(u32::MAX)) as u32;
    }
    units_for_by_libm(exact)
}

/// [`units_for`] of many quotients `load / (capacity (1 - headroom))` at
/// once, into `units` (the pairs `zip` gives): the same numbers, written
/// without branches so that the compiler vectorises the loop on the
/// baseline instruction set. SSE2 has no packed `floor` and no packed
/// conversion to integers, so the loop adds 2^52 (which rounds `x` to the
/// nearest whole number, exactly, for `0 <= x < 2^52`) and reads that whole
/// number from the low bits, less one where it rounded up. The rounding
/// itself is [`units_for`]'s in fewer steps: with `fraction = x - floor(x)`,
/// a quotient rounds up unless `fraction <= 1e-9 x` (near its floor) and
/// `fraction < 0.5` (else it is near its ceiling, or not near either: up
/// both ways). Quotients outside `[0, 2^31 - 1)` are settled one by one
/// afterwards, as [`units_for`] settles them.
pub fn units_for_quotients(quotients: &[f64], units: &mut [u32]) {
    let mut all_fast = true;
    for (units, &quotient) in units.iter_mut().zip(quotients) {
        let (rounded, fast) = rounded_fast(quotient);
        *units = rounded;
        all_fast &= fast;
    }
    if !all_fast {
        for (units, &quotient) in units.iter_mut().zip(quotients) {
            if !fast_range(quotient) {
                *units = units_for_by_libm(quotient);
            }
        }
    }
}

/// [`units_for_quotients`] of the quotients `loads[i] / capacity` (one
/// usable capacity for all), without writing them down: the same numbers
/// as `units_for(loads[i], capacity, 0.0)`, in one vectorised loop.
pub fn units_for_loads_on(loads: &[f64], capacity: f64, units: &mut [u32]) {
    let mut all_fast = true;
    for (units, &load) in units.iter_mut().zip(loads) {
        let (rounded, fast) = rounded_fast(load / capacity);
        *units = rounded;
        all_fast &= fast;
    }
    if !all_fast {
        for (units, &load) in units.iter_mut().zip(loads) {
            if !fast_range(load / capacity) {
                *units = units_for_by_libm(load / capacity);
            }
        }
    }
}

/// [`units_for_loads_on`] with each load against its own usable capacity,
/// `capacities[i]`: the same numbers as `units_for(loads[i],
/// capacities[i], 0.0)`.
pub fn units_for_loads(loads: &[f64], capacities: &[f64], units: &mut [u32]) {
    let mut all_fast = true;
    for ((units, &load), &capacity) in units.iter_mut().zip(loads).zip(capacities) {
        let (rounded, fast) = rounded_fast(load / capacity);
        *units = rounded;
        all_fast &= fast;
    }
    if !all_fast {
        for ((units, &load), &capacity) in units.iter_mut().zip(loads).zip(capacities) {
            if !fast_range(load / capacity) {
                *units = units_for_by_libm(load / capacity);
            }
        }
    }
}

/// Quotients `[0, 2^31 - 1)`: those the batch rounding takes.
#[inline(always)]
fn fast_range(quotient: f64) -> bool {
    (0.0..2_147_483_647.0).contains(&quotient)
}

/// The batch rounding of one quotient (see [`units_for_quotients`]), and
/// whether it was in the fast range (else its units are to be settled by
/// `units_for_by_libm`).
#[inline(always)]
fn rounded_fast(quotient: f64) -> (u32, bool) {
    const TWO_TO_52: f64 = 4_503_599_627_370_496.0;
    let fast = fast_range(quotient);
    let exact = if fast { quotient } else { 0.0 };
    let shifted = exact + TWO_TO_52;
    let nearest = shifted - TWO_TO_52;
    let above = nearest > exact;
    let fraction = exact - (nearest - if above { 1.0 } else { 0.0 });
    let up = (fraction > CEIL_TOLERANCE * exact) | (fraction >= 0.5);
    ((shifted.to_bits() as u32).wrapping_sub(u32::from(above)) + u32::from(up), fast)
}

/// [`units_for`] of `exact = load / usable capacity` with `round` and
/// `ceil`: the definition, for quotients past the fast path's range.
fn units_for_by_libm(exact: f64) -> u32 {
    let nearest = exact.round();
    let units =
        if (exact - nearest).abs() <= CEIL_TOLERANCE * exact { nearest } else { exact.ceil() };
    if units >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        units as u32
    }
}

/// Sizes a tier of identical units: `loads[d]` against `capacities[d]` per
/// unit, for every dimension `d`.
pub fn size_horizontal(
    loads: &[f64],
    capacities: &[f64],
    policy: &HeadroomPolicy,
) -> Result<UnitSizing, KernelError> {
    policy.check()?;
    check_inputs(loads, capacities)?;
    if loads.is_empty() {
        return Err(KernelError::DimensionMismatch { loads: 0, capacities: 0 });
    }
    let (needed_by_load, bottleneck) = needed_units(loads, capacities, policy.headroom);
    let units = policy.apply(needed_by_load);
    Ok(UnitSizing {
        units,
        needed_by_load,
        bottleneck,
        utilisation: utilisation(loads, capacities, units),
    })
}

/// The units the load alone needs (before minimum, redundancy and zones) and
/// the bottleneck dimension: the one needing the most units; among equals,
/// the one running hottest, then the first. The arithmetic of
/// [`size_horizontal`] without its checks or allocation, for callers that
/// size millions of rows whose inputs they have already checked (the Monte
/// Carlo): `loads` and `capacities` must have the same, non-zero length,
/// loads finite and not negative, capacities finite and above zero, headroom
/// in [0, 1).
#[inline]
pub fn needed_units(loads: &[f64], capacities: &[f64], headroom: f64) -> (u32, usize) {
    let (mut needed, mut bottleneck) = (0, 0);
    for (index, (&load, &capacity)) in loads.iter().zip(capacities).enumerate() {
        let needs = units_for(load, capacity, headroom);
        // Strictly greater: the first of equal dimensions stays. The heat
        // is only compared on a tie (most tiers have one dimension).
        let hotter =
            || (load / capacity).total_cmp(&(loads[bottleneck] / capacities[bottleneck])).is_gt();
        if index == 0 || needs > needed || (needs == needed && hotter()) {
            (needed, bottleneck) = (needs, index);
        }
    }
    (needed, bottleneck)
}

/// Utilisation of each dimension when `units` units share the load.
pub fn utilisation(loads: &[f64], capacities: &[f64], units: u32) -> Vec<f64> {
    utilisation_at(loads, capacities, f64::from(units))
}

/// Utilisation of each dimension on `worth` units' worth of capacity (the
/// unit count when units add up linearly, their USL capacity otherwise):
/// `load / (capacity x worth)`, infinite for a load on no capacity.
pub fn utilisation_at(loads: &[f64], capacities: &[f64], worth: f64) -> Vec<f64> {
    loads
        .iter()
        .zip(capacities)
        .map(|(&load, &capacity)| match (worth > 0.0, load > 0.0) {
            (true, _) => load / (capacity * worth),
            (false, true) => f64::INFINITY,
            (false, false) => 0.0,
        })
        .collect()
}

/// One instance type of a vertical ladder: its capacity on every dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Rung {
    /// Capacity of one instance of this type, per dimension.
    pub capacities: Vec<f64>,
}

/// Where on its ladder a tier lands.
#[derive(Debug, Clone, PartialEq)]
pub struct LadderSizing {
    /// Index of the chosen rung.
    pub rung: usize,
    /// True when even the largest rung cannot hold the load alone and the
    /// tier must be split into shards (or replicas) of the largest rung.
    pub beyond_ladder: bool,
    /// The sizing at that rung (units = instances, shards included).
    pub sizing: UnitSizing,
}

/// Sizes a tier that scales up before it scales out: the smallest rung of
/// `ladder` (ordered small to large) on which one instance holds the load
/// within headroom; past the largest rung, as many instances of the largest
/// as the load needs. The policy's minimum, N+k and zones then apply to the
/// instance count (e.g. a primary with one standby).
pub fn size_on_ladder(
    loads: &[f64],
    ladder: &[Rung],
    policy: &HeadroomPolicy,
) -> Result<LadderSizing, KernelError> {
    if ladder.is_empty() {
        return Err(KernelError::EmptyLadder);
    }
    let mut last = None;
    for (index, rung) in ladder.iter().enumerate() {
        let sizing = size_horizontal(loads, &rung.capacities, policy)?;
        if sizing.needed_by_load <= 1 {
            return Ok(LadderSizing { rung: index, beyond_ladder: false, sizing });
        }
        last = Some((index, sizing));
    }
    let (rung, sizing) = last.ok_or(KernelError::EmptyLadder)?;
    Ok(LadderSizing { rung, beyond_ladder: true, sizing })
}

/// Capacity of `units` units relative to one, under the Universal
/// Scalability Law (Gunther): `N / (1 + σ (N - 1) + κ N (N - 1))`.
pub fn relative_capacity(units: u32, sigma: f64, kappa: f64) -> f64 {
    let n = f64::from(units);
    n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// Sizing of a tier whose units do not add capacity linearly.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaledSizing {
    /// The sizing (utilisation on the USL's effective capacity).
    pub sizing: UnitSizing,
    /// Units the linear rule would have given.
    pub linear_units: u32,
    /// `N*`, the unit count of peak capacity, when κ > 0.
    pub peak_units: Option<u32>,
    /// True when even `N*` units cannot hold the load within headroom: the
    /// sizing then stops at `N*`, past which adding units lowers capacity.
    pub beyond_peak: bool,
}

/// Sizes a horizontal tier whose `N` units hold
/// `capacity x N / (1 + σ (N - 1) + κ N (N - 1))` (the USL across units,
/// Gunther 2007), not `capacity x N`:
/// the smallest `N` whose effective capacity holds each dimension's load
/// within headroom. Past `N* = sqrt((1 - σ) / κ)` more units hold less, so
/// a load beyond the peak is reported, not sized.
pub fn size_with_scalability(
    loads: &[f64],
    capacities: &[f64],
    policy: &HeadroomPolicy,
    sigma: f64,
    kappa: f64,
) -> Result<ScaledSizing, KernelError> {
    if !(sigma.is_finite() && (0.0..=1.0).contains(&sigma) && kappa.is_finite() && kappa >= 0.0) {
        return Err(KernelError::FitData(format!(
            "scalability coefficients must have 0 <= σ <= 1 and κ >= 0, got σ = {sigma}, κ = {kappa}"
        )));
    }
    let linear = size_horizontal(loads, capacities, policy)?;
    let peak_units = (kappa > 0.0).then(|| {
        let n_star = ((1.0 - sigma) / kappa).sqrt();
        // The integer unit count with the most capacity, beside N*.
        let (low, high) = (n_star.floor().max(1.0) as u32, n_star.ceil().max(1.0) as u32);
        if relative_capacity(high, sigma, kappa) > relative_capacity(low, sigma, kappa) {
            high
        } else {
            low
        }
    });
    let usable = 1.0 - policy.headroom;
    let needs = |units: u32| {
        loads.iter().zip(capacities).all(|(&load, &capacity)| {
            load <= capacity
                * relative_capacity(units, sigma, kappa)
                * usable
                * (1.0 + CEIL_TOLERANCE)
        })
    };
    let mut units = linear.needed_by_load.max(1);
    let mut beyond_peak = false;
    if loads.iter().all(|&l| l == 0.0) {
        units = 0;
    } else {
        while !needs(units) {
            if peak_units.is_some_and(|peak| units >= peak) || units == u32::MAX {
                beyond_peak = true;
                break;
            }
            units += 1;
        }
    }
    let total = policy.apply(units);
    let utilisation = utilisation_at(loads, capacities, relative_capacity(total, sigma, kappa));
    let sizing = UnitSizing {
        units: total,
        needed_by_load: units,
        bottleneck: linear.bottleneck,
        utilisation,
    };
    Ok(ScaledSizing { sizing, linear_units: linear.units, peak_units, beyond_peak })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEADGEN: HeadroomPolicy =
        HeadroomPolicy { headroom: 0.20, min_units: 0, redundancy: 0, zones: 1 };

    #[test]
    fn leadgen_api_replicas_by_the_documents_rule() {
        // Lead-gen §3.1 and §2: 250 users a replica, 20% headroom, so 200
        // usable users a replica. 500 → 2.5 → 3; 2,000 → 10; 5,000 → 25;
        // 10,000 → 50.
        for (users, replicas) in [(500.0, 3), (2000.0, 10), (5000.0, 25), (10000.0, 50)] {
            let s = size_horizontal(&[users], &[250.0], &LEADGEN).unwrap();
            assert_eq!(s.units, replicas, "{users} users");
        }
        // 5,000 users on 25 replicas of 250: 80% utilisation.
        let s = size_horizontal(&[5000.0], &[250.0], &LEADGEN).unwrap();
        assert!((s.peak_utilisation() - 0.8).abs() < 1e-12);
    }

    #[test]
    fn minimum_redundancy_and_zones_in_order() {
        // 450 users need 3 units of 200 usable; N+1 makes 4; 3 zones make 6.
        let policy = HeadroomPolicy { headroom: 0.20, min_units: 2, redundancy: 1, zones: 3 };
        let s = size_horizontal(&[450.0], &[250.0], &policy).unwrap();
        assert_eq!((s.needed_by_load, s.units), (3, 6));
        // A tiny load still gets the minimum: 2, +1 spare = 3, already a
        // multiple of 3 zones.
        let s = size_horizontal(&[1.0], &[250.0], &policy).unwrap();
        assert_eq!(s.units, 3);
        // No load at all and no minimum: no units.
        let s = size_horizontal(&[0.0], &[250.0], &LEADGEN).unwrap();
        assert_eq!(s.units, 0);
    }

    #[test]
    fn binding_dimension_is_the_bottleneck() {
        // 900 req/min on 1,000 req/min units (80% usable: 2 units) and 1,000
        // WebSockets on 500-connection units (3 units): connections bind.
        let s = size_horizontal(&[900.0, 1000.0], &[1000.0, 500.0], &LEADGEN).unwrap();
        assert_eq!((s.units, s.bottleneck), (3, 1));
        assert!((s.utilisation[0] - 0.3).abs() < 1e-12);
        assert!((s.utilisation[1] - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn ladder_picks_the_smallest_rung_then_shards() {
        // Connections 800, 1600, 3200, 6400 at 80% usable: 640, 1280, 2560, 5120.
        let ladder: Vec<Rung> =
            [800.0, 1600.0, 3200.0, 6400.0].iter().map(|&c| Rung { capacities: vec![c] }).collect();
        let at = |load: f64| size_on_ladder(&[load], &ladder, &LEADGEN).unwrap();
        assert_eq!((at(600.0).rung, at(600.0).sizing.units), (0, 1));
        assert_eq!(at(641.0).rung, 1);
        assert_eq!(at(5120.0).rung, 3);
        let beyond = at(12000.0);
        assert!(beyond.beyond_ladder);
        assert_eq!((beyond.rung, beyond.sizing.units), (3, 3));
    }

    #[test]
    fn contention_needs_more_units_than_linear() {
        // Amdahl (κ = 0), σ = 0.05, no headroom: 10 units' worth of load needs
        // N / (1 + 0.05 (N - 1)) >= 10, i.e. N >= 10 (1 + 0.05 N - 0.05),
        // 0.5 N >= 9.5, N >= 19.
        let s =
            size_with_scalability(&[10.0], &[1.0], &HeadroomPolicy::headroom_only(0.0), 0.05, 0.0)
                .unwrap();
        assert_eq!((s.sizing.units, s.linear_units, s.beyond_peak), (19, 10, false));
        // Lead-gen API at 12 months with σ = 0.005: 10,000 users need
        // N / (1 + 0.005 (N - 1)) >= 50 (250 users, 20% headroom), i.e.
        // 0.75 N >= 49.75, N >= 66.3 → 67, against 50 linear.
        let s = size_with_scalability(&[10_000.0], &[250.0], &LEADGEN, 0.005, 0.0).unwrap();
        assert_eq!((s.sizing.units, s.linear_units), (67, 50));
    }

    #[test]
    fn coherency_has_a_peak_past_which_units_do_not_help() {
        // σ = 0.05, κ = 0.001: N* = sqrt(0.95 / 0.001) = 30.8; 31 units hold
        // 31 / (1 + 1.5 + 0.93) = 9.04 units' worth, so 10 is beyond the peak.
        let s = size_with_scalability(
            &[10.0],
            &[1.0],
            &HeadroomPolicy::headroom_only(0.0),
            0.05,
            0.001,
        )
        .unwrap();
        assert_eq!((s.peak_units, s.beyond_peak, s.sizing.units), (Some(31), true, 31));
        assert!(s.sizing.peak_utilisation() > 1.0);
    }

    #[test]
    fn rejects_broken_preconditions() {
        let bad_headroom = HeadroomPolicy::headroom_only(1.0);
        assert_eq!(
            size_horizontal(&[1.0], &[1.0], &bad_headroom),
            Err(KernelError::InvalidHeadroom(1.0))
        );
        assert!(matches!(
            size_horizontal(&[1.0], &[f64::NAN], &LEADGEN),
            Err(KernelError::InvalidCapacity { dimension: 0, .. })
        ));
        assert!(matches!(
            size_horizontal(&[1.0, 1.0], &[1.0, 0.0], &LEADGEN),
            Err(KernelError::InvalidCapacity { dimension: 1, .. })
        ));
        assert!(matches!(
            size_horizontal(&[-1.0], &[1.0], &LEADGEN),
            Err(KernelError::InvalidLoad { dimension: 0, .. })
        ));
        assert_eq!(size_on_ladder(&[1.0], &[], &LEADGEN), Err(KernelError::EmptyLadder));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// More demand never needs fewer units.
        #[test]
        fn more_load_never_fewer_units(
            load in 0.0f64..1e7,
            extra in 0.0f64..1e7,
            capacity in 0.1f64..1e5,
            headroom in 0.0f64..0.95,
            min_units in 0u32..5,
            redundancy in 0u32..3,
            zones in 1u32..4,
        ) {
            let policy = HeadroomPolicy { headroom, min_units, redundancy, zones };
            let small = size_horizontal(&[load], &[capacity], &policy).unwrap();
            let large = size_horizontal(&[load + extra], &[capacity], &policy).unwrap();
            prop_assert!(large.units >= small.units);
            // And the units hold the load within headroom.
            prop_assert!(large.peak_utilisation() <= 1.0 - headroom + 1e-6 || large.units == 0);
        }

        /// The policy applied to many gives what it gives one by one.
        #[test]
        fn apply_all_is_apply_one_by_one(
            needed in proptest::collection::vec(
                prop_oneof![0u32..50, Just(u32::MAX), Just(u32::MAX - 1)], 0..40),
            min_units in prop_oneof![0u32..5, Just(u32::MAX)],
            redundancy in prop_oneof![0u32..3, Just(u32::MAX)],
            zones in 0u32..4,
        ) {
            let policy = HeadroomPolicy { headroom: 0.2, min_units, redundancy, zones };
            let mut units = vec![7; needed.len()];
            policy.apply_all(&needed, &mut units);
            let one_by_one: Vec<u32> = needed.iter().map(|&n| policy.apply(n)).collect();
            prop_assert_eq!(&units, &one_by_one);
            // Never fewer than needed, nor than the minimum; a multiple of
            // the zones unless it stopped at the largest count there is.
            for (&units, &needed) in units.iter().zip(&needed) {
                prop_assert!(units >= needed.max(min_units));
                prop_assert!(zones < 2 || units % zones == 0 || units == u32::MAX);
            }
        }

        /// More load on the same capacity never needs fewer units, near
        /// whole numbers and their tolerance too, and past the fast range:
        /// the Monte Carlo settles a row whose least and greatest loads need
        /// the same units without sizing the loads between.
        #[test]
        fn units_for_grows_with_the_load(
            quotient in prop_oneof![
                0.0f64..1e4,
                (1u32..100_000, -8i32..8).prop_map(|(n, k)| {
                    let edge = f64::from(n) * (1.0 + 1e-9);
                    edge + f64::from(k) * f64::EPSILON * edge
                }),
                (1u32..100_000, -8i32..8)
                    .prop_map(|(n, k)| f64::from(n) * (1.0 + f64::from(k) * f64::EPSILON)),
                (500_000_000u32..2_000_000_000).prop_map(|n| f64::from(n) + 0.5),
                2.0e9f64..5.0e9,
            ],
            step in prop_oneof![Just(0), 1u32..16, 1u32..1_000_000],
            capacity in prop_oneof![Just(1.0), 0.01f64..1e5, (1u32..1000).prop_map(f64::from)],
            headroom in prop_oneof![Just(0.0), Just(0.2), 0.0f64..0.9],
        ) {
            let load = quotient * capacity * (1.0 - headroom);
            // `step` ulps more load.
            let more = f64::from_bits(load.to_bits() + u64::from(step));
            prop_assert!(units_for(more, capacity, headroom) >= units_for(load, capacity, headroom));
        }

        /// Rounding by truncation gives what `round` and `ceil` give.
        #[test]
        fn units_by_truncation_match_round_and_ceil(
            load in prop_oneof![0.0f64..1e10, (0u32..100_000).prop_map(f64::from)],
            capacity in prop_oneof![0.01f64..1e5, (1u32..1000).prop_map(f64::from)],
            headroom in prop_oneof![0.0f64..0.99, Just(0.2), Just(0.0)],
        ) {
            let exact = load / (capacity * (1.0 - headroom));
            prop_assert_eq!(units_for(load, capacity, headroom), units_for_by_libm(exact));
        }

        /// The vectorised rounding gives what the scalar one gives, in and
        /// past its fast range, at halves and near whole numbers.
        #[test]
        fn units_for_quotients_match_units_for(
            quotients in proptest::collection::vec(prop_oneof![
                0.0f64..1e4,
                (0u32..100_000).prop_map(|n| f64::from(n) + 0.5),
                (0u32..100_000).prop_map(|n| f64::from(n) * (1.0 + 4e-16)),
                (0u32..100_000).prop_map(|n| f64::from(n) * (1.0 - 2e-9)),
                // A few ulps either side of the snapping edge n (1 + 1e-9).
                (1u32..100_000, -4i32..4).prop_map(|(n, k)| {
                    let edge = f64::from(n) * (1.0 + 1e-9);
                    edge + f64::from(k) * f64::EPSILON * edge
                }),
                // Where 1e-9 x passes 0.5: fractions of a half and either side.
                (500_000_000u32..2_000_000_000, 0usize..3)
                    .prop_map(|(n, f)| f64::from(n) + [0.25, 0.5, 0.75][f]),
                -1e3f64..0.0,
                Just(f64::NAN),
                2.0e9f64..5.0e9,
                Just(2_147_483_647.0),
                Just(2_147_483_646.5),
                Just(f64::INFINITY),
            ], 0..40),
        ) {
            let mut units = vec![7; quotients.len()];
            units_for_quotients(&quotients, &mut units);
            let one_by_one: Vec<u32> = quotients.iter().map(|&q| units_for(q, 1.0, 0.0)).collect();
            prop_assert_eq!(&units, &one_by_one);
            // The same quotients as loads over capacities: one for all,
            // and each its own.
            for capacity in [1.0, 0.8, 250.0 * 0.8, 3.0e-7] {
                let loads: Vec<f64> = quotients.iter().map(|&q| q * capacity).collect();
                let one_by_one: Vec<u32> =
                    loads.iter().map(|&l| units_for(l, capacity, 0.0)).collect();
                let mut on = vec![7; loads.len()];
                units_for_loads_on(&loads, capacity, &mut on);
                prop_assert_eq!(&on, &one_by_one);
                let capacities = vec![capacity; loads.len()];
                let mut each = vec![7; loads.len()];
                units_for_loads(&loads, &capacities, &mut each);
                prop_assert_eq!(&each, &one_by_one);
            }
        }

        /// The bottleneck is the dimension needing the most units, then the
        /// hottest, then the first: checked against a plain sort.
        #[test]
        fn bottleneck_is_most_units_then_hottest_then_first(
            dims in proptest::collection::vec((0u32..4, 1u32..4), 1..6),
            headroom in 0.0f64..0.9,
        ) {
            // Small integer loads and capacities make ties common.
            let loads: Vec<f64> = dims.iter().map(|d| f64::from(d.0 * 100)).collect();
            let capacities: Vec<f64> = dims.iter().map(|d| f64::from(d.1 * 100)).collect();
            let (needed, bottleneck) = needed_units(&loads, &capacities, headroom);
            let needs: Vec<u32> =
                loads.iter().zip(&capacities).map(|(&l, &c)| units_for(l, c, headroom)).collect();
            let mut order: Vec<usize> = (0..loads.len()).collect();
            order.sort_by(|&a, &b| {
                needs[b]
                    .cmp(&needs[a])
                    .then((loads[b] / capacities[b]).total_cmp(&(loads[a] / capacities[a])))
                    .then(a.cmp(&b))
            });
            prop_assert_eq!((needed, bottleneck), (needs[order[0]], order[0]));
        }
    }
}
