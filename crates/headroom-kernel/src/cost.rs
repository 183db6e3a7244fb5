//! Cost: what a deployment costs a month, and how much of it to commit to.

use crate::KernelError;

/// Hours in the average month: 8,760 hours a year over 12 months, the
/// convention of cloud providers' monthly price lists.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Monthly cost of `units` instances at `hourly_price` each:
/// `hourly_price x 730 h x units`.
pub fn monthly_cost(hourly_price: f64, units: u32) -> Result<f64, KernelError> {
    if !hourly_price.is_finite() || hourly_price < 0.0 {
        return Err(KernelError::InvalidPrice(hourly_price));
    }
    Ok(hourly_price * HOURS_PER_MONTH * f64::from(units))
}

/// How many units to commit to for a term at a discount, and what that
/// saves, for one kind of unit whose count month by month is known or
/// drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Commitment {
    /// Units to commit to for the whole term.
    pub units: u32,
    /// Months in the term.
    pub term_months: u32,
    /// Unit-months the months need in all (expected, when drawn), every
    /// one on demand.
    pub on_demand_unit_months: f64,
    /// What the term costs with the commitment, in on-demand unit-months:
    /// the committed units every month at `1 - discount`, plus the units
    /// above them on demand (expected, when drawn).
    pub committed_unit_months: f64,
    /// The share of the term the last committed unit is needed (`None`
    /// when none is committed): above `1 - discount`, or it would not be.
    pub last_unit_use: Option<f64>,
    /// The share of the term the first unit not committed is needed: at
    /// most `1 - discount`, or it would be committed.
    pub next_unit_use: f64,
}

impl Commitment {
    /// The saving against paying for every unit-month on demand, as a
    /// share of that.
    pub fn saving(&self) -> f64 {
        if self.on_demand_unit_months == 0.0 {
            0.0
        } else {
            1.0 - self.committed_unit_months / self.on_demand_unit_months
        }
    }
}

/// The commitment that costs least over a term whose months need
/// `units_by_month` units: [`commitment_under_uncertainty`] with every
/// month known.
pub fn commitment(units_by_month: &[u32], discount: f64) -> Result<Commitment, KernelError> {
    let months: Vec<Vec<(u32, f64)>> = units_by_month.iter().map(|u| vec![(*u, 1.0)]).collect();
    commitment_under_uncertainty(&months, discount)
}

/// The commitment that costs least, on average, over a term whose month
/// `m` needs each count of units `v` of `months[m]` with its probability
/// `p`: each committed unit priced at `1 - discount` of on demand for
/// every month of the term, used or not (a reserved instance or a savings
/// plan), the units above it on demand.
///
/// Committing the `k`-th unit costs `(1 - discount) T` unit-months and
/// saves the months that need at least `k` units, on average
/// `n_k = Σ_m P(units_m >= k)`: it pays exactly when `n_k / T >
/// 1 - discount`, the reserved instance's break-even utilisation; the
/// newsvendor's critical fractile (Arrow, Harris & Marschak, 1951) summed
/// over the term's months. Since `n_k` falls as `k` grows, the best count
/// is the largest `k` past break-even (found by bisection), and at exactly
/// break-even a unit is not committed. Months known for certain make `n_k`
/// a count of months: the `j`-th largest month's units for
/// `j = floor((1 - discount) T)` (0-based).
pub fn commitment_under_uncertainty(
    months: &[Vec<(u32, f64)>],
    discount: f64,
) -> Result<Commitment, KernelError> {
    if !(discount > 0.0 && discount < 1.0) {
        return Err(KernelError::InvalidQuestion(format!(
            "a commitment's discount must lie strictly between 0 and 1, got {}",
            crate::Shown(discount)
        )));
    }
    let term = u32::try_from(months.len()).ok().filter(|t| *t > 0).ok_or_else(|| {
        KernelError::InvalidQuestion("a commitment needs a term of at least one month".into())
    })?;
    for (m, month) in months.iter().enumerate() {
        let total: f64 = month.iter().map(|(_, p)| *p).sum();
        if month.iter().any(|(_, p)| !(p.is_finite() && *p >= 0.0)) || (total - 1.0).abs() > 1e-9 {
            return Err(KernelError::InvalidQuestion(format!(
                "month {m} of a commitment's term: its units' probabilities must be finite, not negative, and sum to 1, got a sum of {}",
                crate::Shown(total)
            )));
        }
    }
    let needing = |k: u32| -> f64 {
        // Folded from +0.0: an empty float sum is -0.0.
        months.iter().flatten().filter(|(v, _)| *v >= k).fold(0.0, |sum, (_, p)| sum + p)
    };
    let threshold = (1.0 - discount) * f64::from(term);
    // needing(k) > threshold holds for k = 0 (it is T) and fails past the
    // most units any month needs; bisect for the last k where it holds.
    let (mut low, mut high) =
        (0u32, months.iter().flat_map(|m| m.iter()).map(|(v, _)| *v).max().unwrap_or(0));
    if needing(high) > threshold {
        low = high;
    }
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if needing(mid) > threshold {
            low = mid;
        } else {
            high = mid;
        }
    }
    let units = low;
    let expected = |f: &dyn Fn(u32) -> f64| -> f64 {
        months.iter().flatten().fold(0.0, |sum, (v, p)| sum + p * f(*v))
    };
    let above = expected(&|v| f64::from(v.saturating_sub(units)));
    Ok(Commitment {
        units,
        term_months: term,
        on_demand_unit_months: expected(&|v| f64::from(v)),
        committed_unit_months: f64::from(units) * threshold + above,
        last_unit_use: (units > 0).then(|| needing(units) / f64::from(term)),
        next_unit_use: needing(units.saturating_add(1)) / f64::from(term),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_instances_at_ten_cents() {
        // 3 x $0.10 x 730 h = $219.
        assert!((monthly_cost(0.10, 3).unwrap() - 219.0).abs() < 1e-9);
        assert_eq!(monthly_cost(-1.0, 3), Err(KernelError::InvalidPrice(-1.0)));
    }

    /// What committing `r` units costs over the term, in on-demand
    /// unit-months, summed month by month.
    fn cost_of(units_by_month: &[u32], discount: f64, r: u32) -> f64 {
        units_by_month
            .iter()
            .map(|u| f64::from(r) * (1.0 - discount) + f64::from(u.saturating_sub(r)))
            .sum()
    }

    #[test]
    fn a_unit_is_committed_when_used_past_break_even() {
        // A reserved instance 40% off breaks even when it is used 60% of its
        // term: over 12 months, 8 months' use pays (67%), 7 months' (58%)
        // does not. Here 2 units run all year, a 3rd 8 months (months 4 to
        // 11), a 4th 5 (months 4 and 8 to 11).
        let months = [2, 2, 2, 2, 4, 3, 3, 3, 4, 4, 4, 4];
        let c = commitment(&months, 0.4).unwrap();
        assert_eq!(c.units, 3);
        assert_eq!(c.last_unit_use, Some(8.0 / 12.0));
        assert_eq!(c.next_unit_use, 5.0 / 12.0);
        // 36 unit-months at 0.6 plus the 4th unit's 5 on demand: 26.6 of 37.
        assert_eq!(c.on_demand_unit_months, 37.0);
        assert!((c.committed_unit_months - 26.6).abs() < 1e-12);
        assert!((c.saving() - (1.0 - 26.6 / 37.0)).abs() < 1e-12);
        // A 3rd unit used 7 months of 12 stays on demand.
        let seven = [2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3];
        let c = commitment(&seven, 0.4).unwrap();
        assert_eq!((c.units, c.next_unit_use), (2, 7.0 / 12.0));
    }

    #[test]
    fn the_commitment_is_the_cheapest_count() {
        // Against every count from none to the most any month needs, for
        // growth, dips and flat years at several discounts.
        let cases: [&[u32]; 5] = [
            &[3, 10, 15, 20, 25, 28, 31, 36, 40, 45, 50, 50, 52],
            &[5, 5, 5, 5],
            &[0, 0, 0, 9],
            &[7, 1, 7, 1, 7, 1],
            &[1],
        ];
        for months in cases {
            for discount in [0.05, 0.25, 0.3, 0.4, 0.5, 0.72, 0.95] {
                let c = commitment(months, discount).unwrap();
                let most = *months.iter().max().unwrap();
                let best =
                    (0..=most).map(|r| cost_of(months, discount, r)).fold(f64::INFINITY, f64::min);
                let ours = cost_of(months, discount, c.units);
                assert!(
                    (ours - best).abs() < 1e-9,
                    "{months:?} at {discount}: {ours} against {best}"
                );
                assert!((c.committed_unit_months - ours).abs() < 1e-9);
                // Fewer units would cost more, or the same: ties commit less.
                if c.units > 0 {
                    assert!(
                        cost_of(months, discount, c.units - 1) > ours + 1e-12,
                        "{months:?} at {discount}"
                    );
                }
            }
        }
        // A quarter off over 12 months breaks even at exactly 9 months'
        // use: the unit that 9 months need is left on demand.
        let nine = [1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2];
        assert_eq!(commitment(&nine, 0.25).unwrap().units, 1);
        assert_eq!(commitment(&nine, 0.26).unwrap().units, 2);
    }

    #[test]
    fn a_commitment_under_uncertainty_pays_on_average() {
        // Two months: the first needs 2 units, the second 2 or 4 at even
        // odds. The 3rd and 4th units are needed half a month on average:
        // at 40% off (break-even at 1.2 of 2 months) they stay on demand,
        // at 80% off (0.4 months) they are committed.
        let months = vec![vec![(2, 1.0)], vec![(2, 0.5), (4, 0.5)]];
        let c = commitment_under_uncertainty(&months, 0.4).unwrap();
        assert_eq!((c.units, c.last_unit_use, c.next_unit_use), (2, Some(1.0), 0.25));
        // 2 units x 2 months x 0.6, plus 2 units half the time in month 2.
        assert!((c.committed_unit_months - 3.4).abs() < 1e-12);
        assert!((c.on_demand_unit_months - 5.0).abs() < 1e-12);
        assert_eq!(commitment_under_uncertainty(&months, 0.8).unwrap().units, 4);
        // No month needs a 2nd unit: none of the term, +0, not -0.
        let flat = commitment(&[1, 1], 0.3).unwrap();
        assert!(flat.next_unit_use == 0.0 && flat.next_unit_use.is_sign_positive());
        // Against every count, for drawn months of several shapes.
        let drawn: Vec<Vec<(u32, f64)>> = vec![
            vec![(3, 1.0)],
            vec![(3, 0.2), (5, 0.5), (9, 0.3)],
            vec![(4, 0.1), (6, 0.6), (12, 0.3)],
            vec![(0, 0.05), (8, 0.9), (20, 0.05)],
        ];
        for discount in [0.05, 0.2, 0.35, 0.5, 0.65, 0.9] {
            let c = commitment_under_uncertainty(&drawn, discount).unwrap();
            let cost = |r: u32| -> f64 {
                drawn
                    .iter()
                    .flat_map(|m| m.iter())
                    .map(|(v, p)| p * f64::from(v.saturating_sub(r)))
                    .sum::<f64>()
                    + f64::from(r) * (1.0 - discount) * 4.0
            };
            let best = (0..=20).map(cost).fold(f64::INFINITY, f64::min);
            assert!(
                (cost(c.units) - best).abs() < 1e-9,
                "{discount}: {} against {best}",
                cost(c.units)
            );
            assert!((c.committed_unit_months - cost(c.units)).abs() < 1e-9);
        }
        // Probabilities that are not a distribution are refused.
        let bad = vec![vec![(1, 0.5), (2, 0.4)]];
        assert!(
            matches!(commitment_under_uncertainty(&bad, 0.3), Err(KernelError::InvalidQuestion(m)) if m.contains("sum of 0.9"))
        );
    }

    #[test]
    fn a_commitment_needs_a_discount_and_a_term() {
        for discount in [0.0, 1.0, -0.1, f64::NAN] {
            assert!(matches!(commitment(&[1], discount), Err(KernelError::InvalidQuestion(_))));
        }
        assert!(matches!(commitment(&[], 0.3), Err(KernelError::InvalidQuestion(_))));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// A term's months, each a distribution: counts with weights
        /// normalised to probabilities.
        fn months() -> impl Strategy<Value = Vec<Vec<(u32, f64)>>> {
            proptest::collection::vec(
                proptest::collection::vec((0u32..40, 0.01f64..1.0), 1..5).prop_map(|month| {
                    let total: f64 = month.iter().map(|(_, w)| w).sum();
                    month.into_iter().map(|(v, w)| (v, w / total)).collect()
                }),
                1..25,
            )
        }

        proptest! {
            /// Over any drawn term and discount, the commitment is a count
            /// whose expected cost no other count beats, its figures are
            /// that count's, and its break-even shares bracket `1 - discount`.
            #[test]
            fn no_count_costs_less_on_average(months in months(), discount in 0.01f64..0.99) {
                let c = commitment_under_uncertainty(&months, discount).unwrap();
                let term = months.len() as f64;
                let cost = |r: u32| -> f64 {
                    months.iter().flatten().map(|(v, p)| p * f64::from(v.saturating_sub(r))).sum::<f64>()
                        + f64::from(r) * (1.0 - discount) * term
                };
                let best = (0..=40).map(cost).fold(f64::INFINITY, f64::min);
                prop_assert!(cost(c.units) <= best + 1e-9, "{} against {}", cost(c.units), best);
                prop_assert!((c.committed_unit_months - cost(c.units)).abs() < 1e-9);
                prop_assert!(c.next_unit_use <= 1.0 - discount + 1e-12);
                if let Some(last) = c.last_unit_use {
                    prop_assert!(last > 1.0 - discount - 1e-12);
                }
                prop_assert!(c.committed_unit_months <= c.on_demand_unit_months + 1e-9);
            }
        }
    }
}
