//! Trends: how fast a driver has been growing, from its measured history.
//!
//! - [`fit_line`]: the straight line `y = a + b x` by ordinary least squares,
//!   with the standard deviations of `a` and `b`, the residual standard
//!   deviation and R² (the textbook simple linear regression, e.g. Draper &
//!   Smith, *Applied Regression Analysis*, ch. 1; checked against NIST's
//!   certified values for its StRD data set "Norris"). Sums are taken about
//!   the means (two passes), which keeps the slope exact to the last digits
//!   where the one-pass `Σxy - n x̄ ȳ` form cancels.
//! - [`growth_trend`]: exponential growth `v(t) = v0 (1 + r)^t`, fitted as
//!   the line through `ln v` against months (a log-linear regression), so
//!   that `r = e^b - 1` is a compound monthly rate, the rate
//!   [`crate::growth::GrowthCurve::CompoundMonthly`] grows by. Its 95%
//!   interval is `e^(b ± t s_b) - 1`, `t` the Student-t quantile at 0.975 and
//!   `n - 2` degrees of freedom: the interval of the slope, carried through
//!   the monotone `e^b - 1`.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Days in a month, on average: a Gregorian year of 365.2425 days over 12.
/// What a history's dates and timestamps are counted in months by.
pub const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;

use crate::growth::GrowthPoint;
use crate::KernelError;

/// A straight line fitted by least squares.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// `a`, the value at `x = 0`.
    pub intercept: f64,
    /// `b`, the change in `y` per unit of `x`.
    pub slope: f64,
    /// Standard deviation of the intercept's estimate.
    pub intercept_sd: f64,
    /// Standard deviation of the slope's estimate, `s / sqrt(Sxx)`.
    pub slope_sd: f64,
    /// Residual standard deviation, `s = sqrt(SSR / (n - 2))`.
    pub residual_sd: f64,
    /// `1 - SSR / SST`; `None` when every `y` is the same (nothing to explain).
    pub r_squared: Option<f64>,
    /// How many points were fitted.
    pub points: usize,
}

/// Fits `y = a + b x` to the points by ordinary least squares.
///
/// Needs at least 3 points (2 leave no residual to judge the fit by), all
/// finite, at two or more distinct `x`.
pub fn fit_line(x: &[f64], y: &[f64]) -> Result<Line, KernelError> {
    let bad = |why: String| Err(KernelError::FitData(why));
    if x.len() != y.len() {
        return bad(format!("{} x values for {} y values", x.len(), y.len()));
    }
    let n = x.len();
    if n < 3 {
        return bad(format!("a line with an interval needs at least 3 points, got {n}"));
    }
    if let Some(i) = (0..n).find(|&i| !x[i].is_finite() || !y[i].is_finite()) {
        return bad(format!("point #{i} is not finite ({}, {})", x[i], y[i]));
    }
    let count = n as f64;
    let x_mean = x.iter().sum::<f64>() / count;
    let y_mean = y.iter().sum::<f64>() / count;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (&xi, &yi) in x.iter().zip(y) {
        let (dx, dy) = (xi - x_mean, yi - y_mean);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx == 0.0 {
        return bad(format!("every point is at x = {x_mean}: a slope needs two distinct x"));
    }
    let slope = sxy / sxx;
    let intercept = y_mean - slope * x_mean;
    let ssr: f64 = x
        .iter()
        .zip(y)
        .map(|(&xi, &yi)| {
            let residual = yi - intercept - slope * xi;
            residual * residual
        })
        .sum();
    let variance = ssr / (count - 2.0);
    Ok(Line {
        intercept,
        slope,
        intercept_sd: (variance * (1.0 / count + x_mean * x_mean / sxx)).sqrt(),
        slope_sd: (variance / sxx).sqrt(),
        residual_sd: variance.sqrt(),
        // Equal values can still leave `syy` a few ulps above zero (their
        // mean need not be one of them): flat is decided on the values.
        r_squared: (syy > 0.0 && y.iter().any(|&v| v != y[0])).then(|| 1.0 - ssr / syy),
        points: n,
    })
}

/// A driver's measured growth, as a compound monthly rate.
#[derive(Debug, Clone, PartialEq)]
pub struct GrowthTrend {
    /// `r`: growth a month, e.g. 0.3 for 30% a month (negative: shrinking).
    pub rate: f64,
    /// The 95% interval of `r`, low end.
    pub rate_low: f64,
    /// The 95% interval of `r`, high end.
    pub rate_high: f64,
    /// The standard deviation of `r` by the delta method,
    /// `sd(e^b - 1) ≈ e^b s_b` (the first-order Taylor expansion of
    /// `e^b` about the estimate): what a Monte Carlo draws the rate with.
    pub rate_sd: f64,
    /// The fitted curve's value at month 0 (`e^a`): the trend's "now",
    /// smoothed of the last sample's noise.
    pub fitted_now: f64,
    /// R² of the line through the logarithms; `None` for a flat series.
    pub r_squared: Option<f64>,
    /// How many points were fitted.
    pub points: usize,
    /// Months from the first point to the last.
    pub span_months: f64,
}

/// Fits `v(t) = v0 (1 + r)^t` to a driver's history (`month` in months,
/// now at 0 and the past negative), by least squares on `ln v` (see the
/// module's doc). Values must be above zero: a logarithm is taken.
pub fn growth_trend(history: &[GrowthPoint]) -> Result<GrowthTrend, KernelError> {
    if let Some(p) = history.iter().find(|p| !(p.value > 0.0 && p.value.is_finite())) {
        return Err(KernelError::FitData(format!(
            "a growth rate is fitted to the logarithm of the values, so each must be above zero; the value at month {:.3} is {}",
            p.month,
            crate::Shown(p.value)
        )));
    }
    let months: Vec<f64> = history.iter().map(|p| p.month).collect();
    let logs: Vec<f64> = history.iter().map(|p| p.value.ln()).collect();
    let line = fit_line(&months, &logs)?;
    let t = StudentsT::new(0.0, 1.0, (line.points - 2) as f64)
        .map_err(|e| KernelError::FitData(format!("Student-t: {e}")))?
        .inverse_cdf(0.975);
    let span = months.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - months.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(GrowthTrend {
        rate: line.slope.exp_m1(),
        rate_low: (line.slope - t * line.slope_sd).exp_m1(),
        rate_high: (line.slope + t * line.slope_sd).exp_m1(),
        rate_sd: line.slope.exp() * line.slope_sd,
        fitted_now: line.intercept.exp(),
        r_squared: line.r_squared,
        points: line.points,
        span_months: span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST Statistical Reference Datasets, linear regression, "Norris"
    /// (lower difficulty: calibration of ozone monitors, 36 observations),
    /// <https://www.itl.nist.gov/div898/strd/lls/data/Norris.shtml>.
    const NORRIS_X: [f64; 36] = [
        0.2, 337.4, 118.2, 884.6, 10.1, 226.5, 666.3, 996.3, 448.6, 777.0, 558.2, 0.4, 0.6, 775.5,
        666.9, 338.0, 447.5, 11.6, 556.0, 228.1, 995.8, 887.6, 120.2, 0.3, 0.3, 556.8, 339.1,
        887.2, 999.0, 779.0, 11.1, 118.3, 229.2, 669.1, 448.9, 0.5,
    ];
    const NORRIS_Y: [f64; 36] = [
        0.1, 338.8, 118.1, 888.0, 9.2, 228.1, 668.5, 998.5, 449.1, 778.9, 559.2, 0.3, 0.1, 778.1,
        668.8, 339.3, 448.9, 10.8, 557.7, 228.3, 998.0, 888.8, 119.6, 0.3, 0.6, 557.6, 339.3,
        888.0, 998.5, 778.9, 10.2, 117.6, 228.9, 668.4, 449.2, 0.2,
    ];

    fn agrees(got: f64, certified: f64, digits: i32) -> bool {
        ((got - certified) / certified).abs() < 10f64.powi(-digits)
    }

    #[test]
    fn the_line_reproduces_nists_certified_values_for_norris() {
        let line = fit_line(&NORRIS_X, &NORRIS_Y).unwrap();
        // NIST's certified values, to 11 significant digits and better.
        assert!(agrees(line.intercept, -0.262323073774029, 11), "{}", line.intercept);
        assert!(agrees(line.slope, 1.00211681802045, 12), "{}", line.slope);
        assert!(agrees(line.intercept_sd, 0.232818234301152, 11), "{}", line.intercept_sd);
        assert!(agrees(line.slope_sd, 0.429796848199937e-03, 11), "{}", line.slope_sd);
        assert!(agrees(line.residual_sd, 0.884796396144373, 11), "{}", line.residual_sd);
        assert!(agrees(line.r_squared.unwrap(), 0.999993745883712, 12));
        assert_eq!(line.points, 36);
    }

    #[test]
    fn a_line_needs_three_finite_points_at_two_places() {
        let error = |x: &[f64], y: &[f64]| fit_line(x, y).unwrap_err().to_string();
        assert!(error(&[1.0, 2.0], &[1.0, 2.0]).contains("at least 3 points, got 2"));
        assert!(error(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).contains("two distinct x"));
        assert!(error(&[1.0, 2.0, 3.0], &[1.0, f64::NAN, 3.0]).contains("point #1"));
        assert!(error(&[1.0, 2.0, 3.0], &[1.0, 2.0]).contains("3 x values for 2 y values"));
        // A flat series is a line, with nothing for R² to explain.
        let flat = fit_line(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]).unwrap();
        assert_eq!((flat.slope, flat.r_squared), (0.0, None));
        // ln 40,000 thirty times: a mean that is not quite the value itself.
        let y = [40_000f64.ln(); 30];
        let x: Vec<f64> = (0..30).map(f64::from).collect();
        assert_eq!(fit_line(&x, &y).unwrap().r_squared, None);
    }

    #[test]
    fn exact_compound_growth_is_found_with_a_zero_width_interval() {
        // 100 users growing 10% a month, sampled weekly over 12 weeks up to now.
        let history: Vec<GrowthPoint> = (0..=12)
            .map(|week| {
                let month = -f64::from(12 - week) * 7.0 / DAYS_PER_MONTH;
                GrowthPoint { month, value: 100.0 * 1.1f64.powf(month) }
            })
            .collect();
        let trend = growth_trend(&history).unwrap();
        assert!((trend.rate - 0.1).abs() < 1e-12, "{}", trend.rate);
        assert!((trend.rate_high - trend.rate_low).abs() < 1e-9);
        assert!(trend.rate_sd < 1e-9);
        assert!((trend.fitted_now - 100.0).abs() < 1e-9);
        assert!((trend.r_squared.unwrap() - 1.0).abs() < 1e-12);
        assert!((trend.span_months - 84.0 / DAYS_PER_MONTH).abs() < 1e-12);
    }

    #[test]
    fn a_noisy_trend_is_worked_by_hand() {
        // ln v = ln 100, ln 130, ln 150, ln 210 at months -3..0. Worked
        // step by step from the formulas (a calculator for the logarithms):
        // x̄ = -1.5, Sxx = 5; the logs 4.605170, 4.867534, 5.010635, 5.347108
        // (ȳ = 4.957612); Sxy = Σ(x - x̄)(ln v) = -1.5(4.605170) - 0.5(4.867534)
        // + 0.5(5.010635) + 1.5(5.347108) = 1.184456, so b = 0.2368913 and
        // r = e^b - 1 = 0.267303: 26.7% a month. a = ȳ - b x̄ = 5.312949, so
        // the fitted now is e^a = 202.948. Residuals 0.0029, 0.0284, -0.0654,
        // 0.0342: SSR = 0.006260, s_b = sqrt(0.006260 / 2 / 5) = 0.025020;
        // t(0.975, 2) = 4.302653, so b ± 0.107653: r in [0.13796, 0.41135].
        // By the delta method sd(r) = e^b s_b = 1.267303 x 0.025020 = 0.031708.
        let history: Vec<GrowthPoint> = [(-3.0, 100.0), (-2.0, 130.0), (-1.0, 150.0), (0.0, 210.0)]
            .into_iter()
            .map(|(month, value)| GrowthPoint { month, value })
            .collect();
        let trend = growth_trend(&history).unwrap();
        assert!((trend.rate - 0.267303).abs() < 1e-6, "{}", trend.rate);
        assert!((trend.fitted_now - 202.948).abs() < 1e-3, "{}", trend.fitted_now);
        assert!((trend.rate_low - 0.13796).abs() < 1e-5, "{}", trend.rate_low);
        assert!((trend.rate_high - 0.41135).abs() < 1e-5, "{}", trend.rate_high);
        assert!((trend.rate_sd - 0.031708).abs() < 1e-6, "{}", trend.rate_sd);
        assert_eq!(trend.points, 4);
    }

    #[test]
    fn a_value_at_or_below_zero_has_no_logarithm() {
        let history: Vec<GrowthPoint> = [(-2.0, 10.0), (-1.0, 0.0), (0.0, 12.0)]
            .into_iter()
            .map(|(month, value)| GrowthPoint { month, value })
            .collect();
        let error = growth_trend(&history).unwrap_err().to_string();
        assert!(error.contains("the value at month -1.000 is 0"), "{error}");
    }
}
