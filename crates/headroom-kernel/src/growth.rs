//! Growth curves: a driver's value month by month, from a few milestones.
//!
//! A capacity document names a driver (users, leads/day) at a few milestones;
//! the planner needs it at every month of the horizon. Each curve interpolates
//! between milestones and extrapolates past the last one:
//!
//! - [`GrowthCurve::PiecewiseLinear`]: straight lines between milestones.
//! - [`GrowthCurve::LogLinear`]: straight lines in `ln(value)`, i.e. a constant
//!   monthly growth rate within each segment (piecewise exponential growth).
//! - [`GrowthCurve::CompoundMonthly`]: one constant rate over the whole
//!   horizon, `v(m) = v0 (1 + r)^(m - m0)`; when no rate is given it is the
//!   compound growth rate between the first and last milestone,
//!   `r = (v_last / v0)^(1 / (m_last - m0)) - 1` (the CAGR formula, per month).
//! - [`GrowthCurve::Logistic`]: straight lines in `logit(v / K)` for a ceiling
//!   `K` (Verhulst's logistic curve: growth that saturates at a market size).
//!
//! Before the first milestone every curve holds the first value.

use crate::KernelError;

/// A driver's value at one month (month 0 is "today").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrowthPoint {
    /// Months from today.
    pub month: f64,
    /// The driver's value then.
    pub value: f64,
}

/// How a driver grows between and past its milestones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GrowthCurve {
    /// Straight lines between milestones; the last segment is extended.
    PiecewiseLinear,
    /// Constant growth rate within each segment; the last rate is extended.
    LogLinear,
    /// One compound monthly rate; `None` fits it from the first and last point.
    CompoundMonthly {
        /// Monthly growth rate, e.g. 0.05 for 5% a month.
        rate: Option<f64>,
    },
    /// Logistic growth saturating at `ceiling`.
    Logistic {
        /// The value growth approaches but never reaches.
        ceiling: f64,
    },
}

impl GrowthCurve {
    /// The curve's name as configuration spells it.
    pub fn name(&self) -> &'static str {
        match self {
            GrowthCurve::PiecewiseLinear => "piecewise-linear",
            GrowthCurve::LogLinear => "log-linear",
            GrowthCurve::CompoundMonthly { .. } => "compound-monthly",
            GrowthCurve::Logistic { .. } => "logistic",
        }
    }

    /// The driver's value at each month `0..=months`.
    pub fn monthly(&self, points: &[GrowthPoint], months: u32) -> Result<Vec<f64>, KernelError> {
        let mut values = vec![0.0; months as usize + 1];
        self.monthly_into(points, &mut values)?;
        Ok(values)
    }

    /// The driver's value at each month `0..values.len()`, written into
    /// `values`: [`GrowthCurve::monthly`] without allocating, for callers that
    /// grow millions of drawn milestones (the Monte Carlo). The points are
    /// checked once; each month gives exactly what
    /// [`GrowthCurve::value_at`] gives.
    pub fn monthly_into(
        &self,
        points: &[GrowthPoint],
        values: &mut [f64],
    ) -> Result<(), KernelError> {
        check_points(points)?;
        match *self {
            GrowthCurve::PiecewiseLinear => {
                for (month, value) in values.iter_mut().enumerate() {
                    *value = interpolate(points, month as f64, |v| v, |y| y);
                }
                Ok(())
            }
            _ => {
                for (month, value) in values.iter_mut().enumerate() {
                    *value = self.value_at(points, month as f64)?;
                }
                Ok(())
            }
        }
    }

    /// [`GrowthCurve::monthly_into`] for the months in `months` alone: each
    /// `values[m]` gets what `value_at(points, m)` gives, the rest are left
    /// as they are. For callers that change a few points and know (from
    /// [`GrowthCurve::points_read`]) which months they move. It fails
    /// wherever `monthly_into` on `values` would, with the same error,
    /// whichever months it is given.
    pub fn months_into(
        &self,
        points: &[GrowthPoint],
        months: &[usize],
        values: &mut [f64],
    ) -> Result<(), KernelError> {
        check_points(points)?;
        if let Some(&month) = months.iter().find(|&&m| m >= values.len()) {
            return Err(KernelError::MonthOutOfRange { month, months: values.len() });
        }
        if *self != GrowthCurve::PiecewiseLinear && !values.is_empty() {
            // `monthly_into`'s first month checks the curve's domain.
            self.value_at(points, 0.0)?;
        }
        for &month in months {
            values[month] = match *self {
                GrowthCurve::PiecewiseLinear => interpolate(points, month as f64, |v| v, |y| y),
                _ => self.value_at(points, month as f64)?,
            };
        }
        Ok(())
    }

    /// The first month in `[0, horizon]` at which the driver reaches `target`,
    /// the curve read backwards: how far along its plan a driver measured
    /// today stands (812 users on lead-gen's 500-to-2,000 first quarter is
    /// month 0.624). `Some(0.0)` when the curve starts at or above `target`,
    /// `None` when it stays below it up to `horizon`.
    ///
    /// Each curve is monotone between its points (a straight line in its own
    /// space: the value, `ln v`, `logit(v / K)`, or one compound rate), so
    /// between consecutive points, whole months and the horizon it crosses a
    /// value at most once: the first such stretch whose end reaches `target`
    /// is bisected to the last bit of `f64` (bisection of a monotone
    /// function, the intermediate value theorem). A target that is not a
    /// finite number, or a horizon that is not, is refused.
    pub fn month_reaching(
        &self,
        points: &[GrowthPoint],
        target: f64,
        horizon: f64,
    ) -> Result<Option<f64>, KernelError> {
        check_points(points)?;
        if !target.is_finite() || !horizon.is_finite() || horizon < 0.0 {
            return Err(KernelError::InvalidGrowthPoints(format!(
                "cannot find when the curve reaches {target} within {horizon} months"
            )));
        }
        let value = |month: f64| self.value_at(points, month);
        if value(0.0)? >= target {
            return Ok(Some(0.0));
        }
        // Whole months and the points' months, walked in order without
        // collecting them (a long horizon costs time, not memory): the curve
        // is monotone between any two consecutive ones.
        let mut interior =
            points.iter().map(|p| p.month).filter(|&m| m > 0.0 && m < horizon).peekable();
        let (mut low, mut whole) = (0.0, 1.0_f64);
        while low < horizon {
            let next_whole = whole.min(horizon);
            let high = match interior.peek() {
                Some(&month) if month < next_whole => month,
                _ => {
                    whole += 1.0;
                    next_whole
                }
            };
            while interior.next_if(|&month| month <= high).is_some() {}
            if value(high)? >= target {
                let (mut below, mut above) = (low, high);
                // Halve until the two ends are neighbouring floats.
                loop {
                    let middle = below + (above - below) / 2.0;
                    if middle <= below || middle >= above {
                        return Ok(Some(above));
                    }
                    if value(middle)? >= target {
                        above = middle;
                    } else {
                        below = middle;
                    }
                }
            }
            low = high;
        }
        Ok(None)
    }

    /// The points (indices into `points`) whose values the driver's value at
    /// `month` reads: the segment it lies on (past the last point, the last
    /// segment; at or before the first, the first point alone) for the
    /// curves that interpolate, every point for the compound rate (it reads
    /// the first and the last). Which ones depends on the points' months
    /// alone, not their values: a point's value can move only these months.
    pub fn points_read(&self, points: &[GrowthPoint], month: f64) -> std::ops::Range<usize> {
        match self {
            GrowthCurve::CompoundMonthly { .. } => 0..points.len(),
            _ => match segment(points, month) {
                Some(k) => k..k + 2,
                None => 0..points.len().min(1),
            },
        }
    }

    /// The piecewise-linear value at `month` of many draws at once, each
    /// draw with the same points' months (`months`) and its own values:
    /// point `p` of draw `j` is `values[p * draws + j]`, where `draws` is
    /// `out.len()`. Draw `j`'s value goes into `out[j]`: what
    /// `PiecewiseLinear.value_at` gives on that draw's points, to the bit
    /// (the segment and its fraction are worked out once, the same way, for
    /// all the draws). The months are checked as `value_at` checks them;
    /// the values are the caller's to keep finite.
    pub fn piecewise_linear_across(
        months: &[f64],
        values: &[f64],
        month: f64,
        out: &mut [f64],
    ) -> Result<(), KernelError> {
        let draws = out.len();
        if values.len() != months.len() * draws {
            return Err(KernelError::InvalidGrowthPoints(format!(
                "{} values for {} points of {draws} draws",
                values.len(),
                months.len()
            )));
        }
        let points: Vec<GrowthPoint> =
            months.iter().map(|&month| GrowthPoint { month, value: 0.0 }).collect();
        check_points(&points)?;
        let point = |p: usize| &values[p * draws..(p + 1) * draws];
        match segment(&points, month) {
            None => out.copy_from_slice(point(0)),
            Some(k) if month == months[k + 1] => out.copy_from_slice(point(k + 1)),
            Some(k) => {
                let t = (month - months[k]) / (months[k + 1] - months[k]);
                for ((out, &fa), &fb) in out.iter_mut().zip(point(k)).zip(point(k + 1)) {
                    *out = fa + t * (fb - fa);
                }
            }
        }
        Ok(())
    }

    /// The driver's value at `month`.
    pub fn value_at(&self, points: &[GrowthPoint], month: f64) -> Result<f64, KernelError> {
        check_points(points)?;
        match *self {
            GrowthCurve::PiecewiseLinear => Ok(interpolate(points, month, |v| v, |y| y)),
            GrowthCurve::LogLinear => {
                check_domain(self.name(), points, |v| v > 0.0)?;
                Ok(interpolate(points, month, f64::ln, f64::exp))
            }
            GrowthCurve::CompoundMonthly { rate } => {
                check_domain(self.name(), points, |v| v > 0.0)?;
                let first = points[0];
                let last = points[points.len() - 1];
                let rate = match rate {
                    Some(rate) => rate,
                    None if points.len() == 1 => 0.0,
                    None => (last.value / first.value).powf(1.0 / (last.month - first.month)) - 1.0,
                };
                let elapsed = (month - first.month).max(0.0);
                Ok(first.value * (1.0 + rate).powf(elapsed))
            }
            GrowthCurve::Logistic { ceiling } => {
                check_domain(self.name(), points, |v| v > 0.0 && v < ceiling)?;
                let logit = |v: f64| (v / (ceiling - v)).ln();
                let inverse = |z: f64| ceiling / (1.0 + (-z).exp());
                Ok(interpolate(points, month, logit, inverse))
            }
        }
    }
}

fn check_points(points: &[GrowthPoint]) -> Result<(), KernelError> {
    if points.is_empty() {
        return Err(KernelError::NoGrowthPoints);
    }
    for pair in points.windows(2) {
        if pair[0].month.partial_cmp(&pair[1].month) != Some(std::cmp::Ordering::Less) {
            return Err(KernelError::InvalidGrowthPoints(format!(
                "month {} is followed by month {}",
                pair[0].month, pair[1].month
            )));
        }
    }
    if let Some(bad) = points.iter().find(|p| !p.month.is_finite() || !p.value.is_finite()) {
        return Err(KernelError::InvalidGrowthPoints(format!(
            "month {} has value {}",
            bad.month, bad.value
        )));
    }
    Ok(())
}

fn check_domain(
    curve: &'static str,
    points: &[GrowthPoint],
    inside: impl Fn(f64) -> bool,
) -> Result<(), KernelError> {
    match points.iter().find(|p| !inside(p.value)) {
        Some(p) => Err(KernelError::OutsideCurveDomain { curve, month: p.month, value: p.value }),
        None => Ok(()),
    }
}

/// Linear interpolation in a transformed space (`forward`), mapped back with
/// `inverse`; past the last point the last segment is extended.
/// The segment `month` lies on: the index of its first point (past the last
/// point, the last segment); `None` at or before the first point, or with
/// one point alone (the curve holds the first value there).
fn segment(points: &[GrowthPoint], month: f64) -> Option<usize> {
    let first = points.first()?;
    if month <= first.month || points.len() == 1 {
        return None;
    }
    Some(points.windows(2).position(|pair| month <= pair[1].month).unwrap_or(points.len() - 2))
}

fn interpolate(
    points: &[GrowthPoint],
    month: f64,
    forward: impl Fn(f64) -> f64,
    inverse: impl Fn(f64) -> f64,
) -> f64 {
    let Some(k) = segment(points, month) else {
        return points[0].value;
    };
    let (a, b) = (points[k], points[k + 1]);
    if month == b.month {
        return b.value;
    }
    let t = (month - a.month) / (b.month - a.month);
    let (fa, fb) = (forward(a.value), forward(b.value));
    inverse(fa + t * (fb - fa))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(pairs: &[(f64, f64)]) -> Vec<GrowthPoint> {
        pairs.iter().map(|&(month, value)| GrowthPoint { month, value }).collect()
    }

    /// Points from `start`, each `(step, value)` a step of months past the
    /// last.
    fn stepped(start: f64, steps: &[(f64, f64)]) -> Vec<GrowthPoint> {
        let mut month = start;
        steps
            .iter()
            .map(|&(step, value)| {
                month += step;
                GrowthPoint { month, value }
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    /// Worked by hand: lead-gen's users (§4: 500, 2,000, 5,000, 10,000 at
    /// months 0, 3, 6, 12) on straight lines; 812 users is 312 of the first
    /// segment's 1,500 over its 3 months: month 0.624. A compound 5% a month
    /// doubles 100 in ln 2 / ln 1.05 = 14.2067 months (the rule of 72's exact
    /// form); a logistic curve through 100 at 0 and 500 at 10 of a ceiling
    /// 1,000 reaches 250 where logit(0.25) = logit(0.1) + t/10 (logit(0.5) -
    /// logit(0.1)), t = 10 ln 3 / ln 9 = 5.
    #[test]
    fn month_reaching_inverts_each_curve() {
        let users = points(&[(0.0, 500.0), (3.0, 2000.0), (6.0, 5000.0), (12.0, 10000.0)]);
        let linear = GrowthCurve::PiecewiseLinear;
        let reach = |curve: GrowthCurve, p: &[GrowthPoint], v: f64, h: f64| {
            curve.month_reaching(p, v, h).unwrap()
        };
        assert!(close(reach(linear, &users, 812.0, 12.0).unwrap(), 0.624));
        assert!(close(reach(linear, &users, 5000.0, 12.0).unwrap(), 6.0));
        assert!(close(reach(linear, &users, 7500.0, 12.0).unwrap(), 9.0));
        assert_eq!(reach(linear, &users, 400.0, 12.0), Some(0.0));
        assert_eq!(reach(linear, &users, 500.0, 12.0), Some(0.0));
        assert_eq!(reach(linear, &users, 10000.5, 12.0), None);
        // Past the last point the last segment goes on: 12,500 at month 15.
        assert!(close(reach(linear, &users, 12500.0, 24.0).unwrap(), 15.0));
        let compound = GrowthCurve::CompoundMonthly { rate: Some(0.05) };
        let start = points(&[(0.0, 100.0)]);
        let doubled = reach(compound, &start, 200.0, 24.0).unwrap();
        assert!(close(doubled, 2f64.ln() / 1.05f64.ln()), "{doubled}");
        assert!(close(doubled, 14.206_699_082_890_46));
        let logistic = GrowthCurve::Logistic { ceiling: 1000.0 };
        let adoption = points(&[(0.0, 100.0), (10.0, 500.0)]);
        assert!(close(reach(logistic, &adoption, 250.0, 12.0).unwrap(), 5.0));
        // A ceiling is never reached (within ten years; in f64 the curve
        // rounds to its ceiling itself after some 170 months).
        assert_eq!(reach(logistic, &adoption, 1000.0, 120.0), None);
        // A falling curve is at its highest today.
        let falling = points(&[(0.0, 100.0), (6.0, 50.0)]);
        assert_eq!(reach(linear, &falling, 80.0, 12.0), Some(0.0));
        assert_eq!(reach(linear, &falling, 101.0, 12.0), None);
        // A curve that dips, then climbs back, is reached where it climbs.
        let dip = points(&[(0.0, 100.0), (2.0, 50.0), (4.0, 150.0)]);
        assert!(close(reach(linear, &dip, 125.0, 12.0).unwrap(), 3.5));
        // A point between whole months, and a horizon that is not whole.
        let half = points(&[(0.0, 100.0), (2.5, 200.0), (3.0, 100.0)]);
        assert!(close(reach(linear, &half, 150.0, 2.5).unwrap(), 1.25));
        assert_eq!(reach(linear, &half, 200.0, 2.5), Some(2.5));
        assert_eq!(reach(linear, &half, 201.0, 2.5), None);
        assert_eq!(reach(linear, &half, 201.0, 0.0), None);
        assert!(linear.month_reaching(&users, f64::NAN, 12.0).is_err());
        assert!(linear.month_reaching(&users, 900.0, -1.0).is_err());
    }

    #[test]
    fn monthly_into_matches_value_at_for_every_curve() {
        let p = points(&[(0.0, 500.0), (3.0, 2000.0), (6.0, 5000.0), (12.0, 10000.0)]);
        for curve in [
            GrowthCurve::PiecewiseLinear,
            GrowthCurve::LogLinear,
            GrowthCurve::CompoundMonthly { rate: None },
            GrowthCurve::Logistic { ceiling: 20_000.0 },
        ] {
            let mut values = [0.0; 16];
            curve.monthly_into(&p, &mut values).unwrap();
            for (month, value) in values.iter().enumerate() {
                assert_eq!(*value, curve.value_at(&p, month as f64).unwrap(), "{curve:?} {month}");
            }
        }
        let mut values = [0.0; 3];
        assert!(GrowthCurve::PiecewiseLinear.monthly_into(&[], &mut values).is_err());
    }

    mod piecewise {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// `monthly_into` (the Monte Carlo's) gives what `value_at` (the
            /// planner's) gives, bit for bit, for points at any months (whole
            /// or fractional, before or after month 0, one alone).
            #[test]
            fn piecewise_linear_monthly_into_is_value_at(
                steps in proptest::collection::vec((
                    prop_oneof![0.25f64..5.0, (1u32..4).prop_map(f64::from)],
                    0.0f64..1e6,
                ), 1..6),
                start in prop_oneof![-2.0f64..3.0, (-2i32..2).prop_map(f64::from)],
            ) {
                let points = stepped(start, &steps);
                let curve = GrowthCurve::PiecewiseLinear;
                let mut values = [0.0; 30];
                curve.monthly_into(&points, &mut values).unwrap();
                for (month, value) in values.iter().enumerate() {
                    let expected = curve.value_at(&points, month as f64).unwrap();
                    prop_assert_eq!(value.to_bits(), expected.to_bits(), "month {}", month);
                }
            }
        }
    }

    mod reads {
        use super::*;
        use proptest::prelude::*;

        fn curves() -> impl Strategy<Value = GrowthCurve> {
            prop_oneof![
                Just(GrowthCurve::PiecewiseLinear),
                Just(GrowthCurve::LogLinear),
                Just(GrowthCurve::CompoundMonthly { rate: None }),
                Just(GrowthCurve::CompoundMonthly { rate: Some(0.05) }),
                Just(GrowthCurve::Logistic { ceiling: 1e8 }),
            ]
        }

        proptest! {
            /// A point's value moves only the months that read it: change
            /// one point, and every month that does not read it keeps its
            /// value to the bit; `months_into` on the months that do gives
            /// what `monthly_into` gives.
            #[test]
            fn a_point_moves_only_the_months_that_read_it(
                curve in curves(),
                steps in proptest::collection::vec((
                    prop_oneof![0.5f64..4.0, (1u32..4).prop_map(f64::from)],
                    1.0f64..1e6,
                ), 1..6),
                start in prop_oneof![-2.0f64..3.0, (-2i32..2).prop_map(f64::from)],
                changed in 0usize..6,
                factor in 0.1f64..10.0,
            ) {
                let points = stepped(start, &steps);
                let changed = changed % points.len();
                let mut moved = points.clone();
                moved[changed].value *= factor;
                let mut before = [0.0; 20];
                curve.monthly_into(&points, &mut before).unwrap();
                let mut after = [0.0; 20];
                curve.monthly_into(&moved, &mut after).unwrap();
                let reading: Vec<usize> = (0..20)
                    .filter(|&m| curve.points_read(&points, m as f64).contains(&changed))
                    .collect();
                for m in 0..20 {
                    if !reading.contains(&m) {
                        prop_assert_eq!(before[m].to_bits(), after[m].to_bits(), "month {}", m);
                    }
                }
                let mut partial = before;
                curve.months_into(&moved, &reading, &mut partial).unwrap();
                // Where `monthly_into` fails, so does `months_into`, on no months.
                let mut outside = points.clone();
                outside[changed].value = -1.0;
                let mut values = [0.0; 20];
                prop_assert_eq!(
                    curve.monthly_into(&outside, &mut values).err(),
                    curve.months_into(&outside, &[], &mut values).err()
                );
                for m in 0..20 {
                    prop_assert_eq!(partial[m].to_bits(), after[m].to_bits(), "month {}", m);
                }
            }
        }

        proptest! {
            /// Many draws at once give what each draw's `value_at` gives,
            /// to the bit, at every month, before, on and past the points.
            #[test]
            fn piecewise_linear_across_is_value_at(
                steps in proptest::collection::vec(
                    prop_oneof![0.5f64..4.0, (1u32..4).prop_map(f64::from)],
                    1..5,
                ),
                start in prop_oneof![-2.0f64..3.0, (-2i32..2).prop_map(f64::from)],
                draws in proptest::collection::vec(
                    proptest::collection::vec(0.0f64..1e7, 5),
                    1..6,
                ),
            ) {
                let mut month = start;
                let months: Vec<f64> = steps.iter().map(|step| { month += step; month }).collect();
                let values: Vec<f64> = (0..months.len())
                    .flat_map(|p| draws.iter().map(move |draw| draw[p]))
                    .collect();
                let mut out = vec![0.0; draws.len()];
                for m in -3..20 {
                    let at = f64::from(m);
                    GrowthCurve::piecewise_linear_across(&months, &values, at, &mut out).unwrap();
                    for (j, draw) in draws.iter().enumerate() {
                        let points: Vec<GrowthPoint> = months
                            .iter()
                            .zip(draw)
                            .map(|(&month, &value)| GrowthPoint { month, value })
                            .collect();
                        let expected = GrowthCurve::PiecewiseLinear.value_at(&points, at).unwrap();
                        prop_assert_eq!(out[j].to_bits(), expected.to_bits(), "month {} draw {}", m, j);
                    }
                }
            }
        }

        #[test]
        fn months_into_refuses_a_month_it_has_no_room_for() {
            let p = points(&[(0.0, 500.0), (3.0, 2000.0)]);
            let mut values = [0.0; 4];
            let error = GrowthCurve::PiecewiseLinear.months_into(&p, &[1, 4], &mut values);
            assert_eq!(error, Err(KernelError::MonthOutOfRange { month: 4, months: 4 }));
            assert_eq!(values, [0.0; 4], "nothing written");
        }

        #[test]
        fn across_refuses_what_value_at_refuses() {
            let mut out = [0.0; 2];
            let across = GrowthCurve::piecewise_linear_across;
            assert!(across(&[3.0, 1.0], &[1.0, 2.0, 3.0, 4.0], 2.0, &mut out).is_err());
            assert!(across(&[], &[], 2.0, &mut out).is_err());
            assert!(across(&[0.0, 1.0], &[1.0, 2.0, 3.0], 2.0, &mut out).is_err());
        }

        #[test]
        fn segments_by_hand() {
            // Lead-gen §4: months 0, 3, 6, 12. Month 7 lies on 6→12, month
            // 15 past the last point still reads 6 and 12, month 0 and
            // before read the first point alone.
            let p = points(&[(0.0, 500.0), (3.0, 2000.0), (6.0, 5000.0), (12.0, 10000.0)]);
            let linear = GrowthCurve::PiecewiseLinear;
            assert_eq!(linear.points_read(&p, 7.0), 2..4);
            assert_eq!(linear.points_read(&p, 6.0), 1..3);
            assert_eq!(linear.points_read(&p, 15.0), 2..4);
            assert_eq!(linear.points_read(&p, 0.0), 0..1);
            assert_eq!(linear.points_read(&p, -1.0), 0..1);
            assert_eq!(GrowthCurve::CompoundMonthly { rate: None }.points_read(&p, 1.0), 0..4);
            assert_eq!(linear.points_read(&[], 1.0), 0..0);
        }
    }

    #[test]
    fn piecewise_linear_by_hand() {
        // Lead-gen §4 users: 500 today, 2,000 at month 3. Month 1 is a third
        // of the way: 500 + 1500/3 = 1,000. Past month 12 (10,000) the 6→12
        // slope of 5,000/6 a month continues: month 15 = 12,500.
        let p = points(&[(0.0, 500.0), (3.0, 2000.0), (6.0, 5000.0), (12.0, 10000.0)]);
        let c = GrowthCurve::PiecewiseLinear;
        assert!(close(c.value_at(&p, 1.0).unwrap(), 1000.0));
        assert!(close(c.value_at(&p, 6.0).unwrap(), 5000.0));
        assert!(close(c.value_at(&p, 15.0).unwrap(), 12500.0));
        assert!(close(c.value_at(&p, -1.0).unwrap(), 500.0));
    }

    #[test]
    fn log_linear_by_hand() {
        // 100 → 400 over two months is a doubling a month: month 1 = 200,
        // month 3 (extrapolated) = 800.
        let p = points(&[(0.0, 100.0), (2.0, 400.0)]);
        let c = GrowthCurve::LogLinear;
        assert!(close(c.value_at(&p, 1.0).unwrap(), 200.0));
        assert!(close(c.value_at(&p, 3.0).unwrap(), 800.0));
    }

    #[test]
    fn compound_monthly_by_hand() {
        // 500 → 10,000 in 12 months: r = 20^(1/12) - 1 = 28.39% a month;
        // month 6 = 500 * 20^(1/2) = 2,236.068.
        let p = points(&[(0.0, 500.0), (12.0, 10000.0)]);
        let c = GrowthCurve::CompoundMonthly { rate: None };
        assert!((c.value_at(&p, 6.0).unwrap() - 2236.067977).abs() < 1e-5);
        // A given rate of 10%: 500 * 1.1^2 = 605.
        let c = GrowthCurve::CompoundMonthly { rate: Some(0.10) };
        assert!(close(c.value_at(&p, 2.0).unwrap(), 605.0));
    }

    #[test]
    fn logistic_by_hand() {
        // Ceiling 1,000; 100 at month 0 (logit = ln(1/9)) and 500 at month 2
        // (logit = 0). Month 1: logit = ln(1/9)/2 = -ln 3, so v = 1000/(1+3) = 250.
        let p = points(&[(0.0, 100.0), (2.0, 500.0)]);
        let c = GrowthCurve::Logistic { ceiling: 1000.0 };
        assert!(close(c.value_at(&p, 1.0).unwrap(), 250.0));
        // Past the last point it approaches the ceiling: month 10 has
        // logit = 8 ln 3, so v = 1000 / (1 + 3^-8) = 999.848.
        let far = c.value_at(&p, 10.0).unwrap();
        assert!((far - 999.847_6).abs() < 1e-3);
    }

    #[test]
    fn rejects_bad_points() {
        let c = GrowthCurve::PiecewiseLinear;
        assert_eq!(c.value_at(&[], 1.0), Err(KernelError::NoGrowthPoints));
        let p = points(&[(3.0, 1.0), (3.0, 2.0)]);
        assert!(matches!(c.value_at(&p, 1.0), Err(KernelError::InvalidGrowthPoints(_))));
        let p = points(&[(0.0, 0.0), (3.0, 2.0)]);
        assert!(matches!(
            GrowthCurve::LogLinear.value_at(&p, 1.0),
            Err(KernelError::OutsideCurveDomain { .. })
        ));
        let p = points(&[(0.0, 10.0), (3.0, 2000.0)]);
        assert!(matches!(
            GrowthCurve::Logistic { ceiling: 1000.0 }.value_at(&p, 1.0),
            Err(KernelError::OutsideCurveDomain { .. })
        ));
    }
}
