//! The Universal Scalability Law (Gunther, *Guerrilla Capacity Planning*,
//! 2007, ch. 4): throughput at concurrency `N` is
//!
//! `X(N) = λ N / (1 + σ (N - 1) + κ N (N - 1))`
//!
//! with `λ` the throughput of one unit alone, `σ` contention (the serial
//! fraction) and `κ` coherency (crosstalk). Past `N* = sqrt((1 - σ) / κ)`
//! adding concurrency lowers throughput.
//!
//! The fit is nonlinear least squares by Levenberg-Marquardt (`rmpfit`, a
//! port of MINPACK's MPFIT), with the analytic Jacobian, `σ` bounded to
//! [0, 1] and `κ`, `λ` to at least 0. Standard errors are the diagonal of the
//! covariance scaled by the residual variance `SSR / (n - 3)`, intervals are
//! Student-t at `n - 3` degrees of freedom: the same estimates R's `nls`
//! reports.

use rmpfit::{MPConfig, MPFitter, MPPar, MPResult, MPSide, MPSuccess};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::KernelError;

/// Throughput at concurrency `n` under the USL.
pub fn throughput(n: f64, sigma: f64, kappa: f64, lambda: f64) -> f64 {
    lambda * n / slowdown(n, sigma, kappa)
}

/// The USL's denominator `1 + σ (n - 1) + κ n (n - 1)`: how far `n` units
/// fall short of `n` times one (contention, then coherency).
fn slowdown(n: f64, sigma: f64, kappa: f64) -> f64 {
    1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)
}

/// The least concurrency at which the USL reaches `target` throughput, on
/// the curve's rising side; `None` where it never does (`target` above the
/// peak `X(N*)`, or at or above the asymptote `λ / σ` when κ = 0).
///
/// `X(N) = T` rearranged (Gunther 2007, ch. 4's model, solved for `N`) is the
/// quadratic `Tκ N² + (T(σ - κ) - λ) N + T(1 - σ) = 0`; its smaller root is
/// taken in the form `2c / (-b + sqrt(b² - 4ac))`, which loses no digits to
/// cancellation and is Amdahl's `T(1 - σ) / (λ - Tσ)` when κ = 0.
pub fn concurrency_for(target: f64, sigma: f64, kappa: f64, lambda: f64) -> Option<f64> {
    if !(target.is_finite() && target > 0.0) {
        return None;
    }
    let (a, b, c) = (target * kappa, target * (sigma - kappa) - lambda, target * (1.0 - sigma));
    let discriminant = b * b - 4.0 * a * c;
    // At the peak itself the two roots meet and the discriminant is 0,
    // which rounding can leave a few ulps below: that is still the peak.
    let at_peak = discriminant < 0.0 && discriminant >= -1e-12 * b * b;
    let denominator = -b + discriminant.max(0.0).sqrt();
    ((discriminant >= 0.0 || at_peak) && denominator > 0.0).then(|| 2.0 * c / denominator)
}

/// One load-test measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Concurrency (users, threads, replicas).
    pub concurrency: f64,
    /// Throughput at that concurrency.
    pub throughput: f64,
}

/// A fitted USL model.
#[derive(Debug, Clone, PartialEq)]
pub struct UslFit {
    /// Contention σ.
    pub sigma: f64,
    /// Coherency κ.
    pub kappa: f64,
    /// Throughput of one unit λ.
    pub lambda: f64,
    /// Standard errors of σ, κ, λ; `None` with no degree of freedom left.
    pub std_errors: Option<[f64; 3]>,
    /// 95% confidence intervals of σ, κ, λ.
    pub intervals: Option<[(f64, f64); 3]>,
    /// Covariance of (σ, κ, λ), scaled by the residual variance; `None`
    /// with no degree of freedom left. A coefficient held at a bound
    /// (σ = 0 or 1, κ = 0) has no variance here.
    pub covariance: Option<[[f64; 3]; 3]>,
    /// Student-t quantile at 0.975 and `n - 3` degrees of freedom, the
    /// half-width of a 95% interval in standard errors.
    pub t_critical: Option<f64>,
    /// Coefficient of determination.
    pub r_squared: f64,
    /// Residual standard error, `sqrt(SSR / (n - 3))`.
    pub residual_std_error: Option<f64>,
    /// Points fitted.
    pub points: usize,
    /// Concurrency of peak throughput `N*`; `None` when κ = 0 (no peak).
    pub peak_concurrency: Option<f64>,
    /// Throughput at `N*`; when κ = 0, the asymptote `λ / σ` (or `None`).
    pub peak_throughput: Option<f64>,
}

impl UslFit {
    /// Predicted throughput at `n`.
    pub fn predict(&self, n: f64) -> f64 {
        throughput(n, self.sigma, self.kappa, self.lambda)
    }

    /// The 95% confidence interval of the mean throughput at `n`, by the
    /// delta method (Seber & Wild, *Nonlinear Regression*, 1989, §5.1):
    /// `X(n) ± t · sqrt(gᵀ C g)`, with `g` the gradient of `X(n)` in
    /// (σ, κ, λ) at the fit and `C` their covariance. This is the band R's
    /// `investr::predFit(interval = "confidence")` gives for an `nls` fit,
    /// not the R `usl` package's band of constant width. `None` with no
    /// degree of freedom left.
    pub fn predict_interval(&self, n: f64) -> Option<(f64, f64)> {
        let (covariance, t) = (self.covariance?, self.t_critical?);
        let gradient = gradient(n, self.sigma, self.kappa, self.lambda);
        let variance: f64 = (0..3)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .map(|(i, j)| gradient[i] * covariance[i][j] * gradient[j])
            .sum();
        let half = t * variance.max(0.0).sqrt();
        let x = self.predict(n);
        Some((x - half, x + half))
    }

    /// Efficiency at `n`: `X(n) / (n λ)`, the share of linear scaling kept,
    /// `1 / (1 + σ (n - 1) + κ n (n - 1))` (Gunther 2007, §4.4).
    pub fn efficiency(&self, n: f64) -> f64 {
        1.0 / slowdown(n, self.sigma, self.kappa)
    }
}

/// The gradient of `X(n)` in (σ, κ, λ).
fn gradient(n: f64, sigma: f64, kappa: f64, lambda: f64) -> [f64; 3] {
    let denominator = slowdown(n, sigma, kappa);
    let x = lambda * n / denominator;
    [-x * (n - 1.0) / denominator, -x * n * (n - 1.0) / denominator, n / denominator]
}

struct Problem<'a> {
    data: &'a [Measurement],
    parameters: [MPPar; 3],
    config: MPConfig,
}

impl MPFitter for Problem<'_> {
    fn eval(&mut self, p: &[f64], deviates: &mut [f64]) -> MPResult<()> {
        for (d, m) in deviates.iter_mut().zip(self.data) {
            *d = m.throughput - throughput(m.concurrency, p[0], p[1], p[2]);
        }
        Ok(())
    }

    fn number_of_points(&self) -> usize {
        self.data.len()
    }

    fn config(&self) -> &MPConfig {
        &self.config
    }

    fn parameters(&self) -> &[MPPar] {
        &self.parameters
    }

    fn jacobian(
        &mut self,
        p: &[f64],
        deviates: &mut [f64],
        derivs: &mut [Option<Vec<f64>>],
    ) -> MPResult<()> {
        let (sigma, kappa, lambda) = (p[0], p[1], p[2]);
        for (i, m) in self.data.iter().enumerate() {
            deviates[i] = m.throughput - throughput(m.concurrency, sigma, kappa, lambda);
            // d(residual)/dp = -dX/dp.
            let gradient = gradient(m.concurrency, sigma, kappa, lambda);
            for (column, g) in derivs.iter_mut().zip(gradient) {
                if let Some(column) = column {
                    column[i] = -g;
                }
            }
        }
        Ok(())
    }
}

fn parameter(low: f64, high: Option<f64>) -> MPPar {
    MPPar {
        limited_low: true,
        limit_low: low,
        limited_up: high.is_some(),
        limit_up: high.unwrap_or(0.0),
        side: MPSide::User,
        ..MPPar::new()
    }
}

/// A starting point: `λ0` from the smallest concurrency, then `σ0`, `κ0` by
/// linear least squares on `N λ0 / X - 1 = σ (N - 1) + κ N (N - 1)`
/// (Gunther's linearisation).
fn start(data: &[Measurement]) -> [f64; 3] {
    let first = data
        .iter()
        .min_by(|a, b| a.concurrency.total_cmp(&b.concurrency))
        .copied()
        .unwrap_or(data[0]);
    let lambda = (first.throughput / first.concurrency).max(f64::MIN_POSITIVE);
    let (mut s11, mut s12, mut s22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for m in data.iter().filter(|m| m.throughput > 0.0) {
        let (u, v) = (m.concurrency - 1.0, m.concurrency * (m.concurrency - 1.0));
        let y = m.concurrency * lambda / m.throughput - 1.0;
        s11 += u * u;
        s12 += u * v;
        s22 += v * v;
        b1 += u * y;
        b2 += v * y;
    }
    let det = s11 * s22 - s12 * s12;
    let (sigma, kappa) = if det.abs() > f64::EPSILON * s11 * s22 {
        ((b1 * s22 - b2 * s12) / det, (s11 * b2 - s12 * b1) / det)
    } else {
        (0.01, 0.0001)
    };
    [sigma.clamp(1e-6, 0.99), kappa.clamp(1e-9, 1.0), lambda]
}

/// Fits the USL to `data` (at least 3 distinct concurrency levels).
pub fn fit(data: &[Measurement]) -> Result<UslFit, KernelError> {
    fit_within(data, 500)
}

/// [`fit`] with at most `max_iterations` Levenberg-Marquardt iterations; a
/// fit stopped by that bound is an error, and its numbers are not returned.
fn fit_within(data: &[Measurement], max_iterations: usize) -> Result<UslFit, KernelError> {
    for (i, m) in data.iter().enumerate() {
        if !m.concurrency.is_finite()
            || m.concurrency <= 0.0
            || !m.throughput.is_finite()
            || m.throughput < 0.0
        {
            return Err(KernelError::FitData(format!(
                "point {} (concurrency {}, throughput {}): concurrency must be finite and above zero, throughput finite and not negative",
                i + 1,
                m.concurrency,
                m.throughput
            )));
        }
    }
    let mut levels: Vec<f64> = data.iter().map(|m| m.concurrency).collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    if levels.len() < 3 {
        return Err(KernelError::FitData(format!(
            "the USL has 3 coefficients and needs at least 3 distinct concurrency levels; got {}",
            levels.len()
        )));
    }
    let mut problem = Problem {
        data,
        parameters: [parameter(0.0, Some(1.0)), parameter(0.0, None), parameter(0.0, None)],
        config: MPConfig { max_iter: max_iterations, ..MPConfig::new() },
    };
    let mut p = start(data);
    let status = problem.mpfit(&mut p).map_err(|e| KernelError::FitFailed(format!("{e:?}")))?;
    match status.success {
        MPSuccess::Chi
        | MPSuccess::Par
        | MPSuccess::Both
        | MPSuccess::Dir
        | MPSuccess::Ftol
        | MPSuccess::Xtol
        | MPSuccess::Gtol => {}
        other => {
            return Err(KernelError::FitFailed(format!(
                "stopped after {} iterations ({other:?})",
                status.n_iter
            )))
        }
    }
    let [sigma, kappa, lambda] = p;
    if !(sigma.is_finite() && kappa.is_finite() && lambda.is_finite()) || lambda <= 0.0 {
        return Err(KernelError::FitFailed(format!(
            "non-physical coefficients σ={sigma}, κ={kappa}, λ={lambda}"
        )));
    }
    let n = data.len();
    let ssr: f64 = status.best_norm;
    let mean = data.iter().map(|m| m.throughput).sum::<f64>() / n as f64;
    let sst: f64 = data.iter().map(|m| (m.throughput - mean).powi(2)).sum();
    let r_squared = if sst > 0.0 { 1.0 - ssr / sst } else { 1.0 };
    let dof = n.saturating_sub(3);
    let (std_errors, intervals, residual_std_error, covariance, t_critical) = if dof > 0 {
        let scale = (ssr / dof as f64).sqrt();
        // MINPACK's covariance is (JᵀJ)⁻¹, row-major (zero for a coefficient
        // held at a bound), scaled by the residual variance; the standard
        // errors are the roots of its diagonal.
        let covariance: [[f64; 3]; 3] = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                status.covar.get(i * 3 + j).copied().unwrap_or(0.0) * scale * scale
            })
        });
        let errors: [f64; 3] = std::array::from_fn(|i| covariance[i][i].max(0.0).sqrt());
        let t = StudentsT::new(0.0, 1.0, dof as f64)
            .map(|d| d.inverse_cdf(0.975))
            .map_err(|e| KernelError::FitFailed(e.to_string()))?;
        let interval = |v: f64, e: f64| (v - t * e, v + t * e);
        (
            Some(errors),
            Some([
                interval(sigma, errors[0]),
                interval(kappa, errors[1]),
                interval(lambda, errors[2]),
            ]),
            Some(scale),
            Some(covariance),
            Some(t),
        )
    } else {
        (None, None, None, None, None)
    };
    let (peak_concurrency, peak_throughput) = if kappa > 0.0 {
        let n_star = ((1.0 - sigma) / kappa).sqrt();
        (Some(n_star), Some(throughput(n_star, sigma, kappa, lambda)))
    } else if sigma > 0.0 {
        (None, Some(lambda / sigma))
    } else {
        (None, None)
    };
    Ok(UslFit {
        sigma,
        kappa,
        lambda,
        std_errors,
        intervals,
        covariance,
        t_critical,
        r_squared,
        residual_std_error,
        points: n,
        peak_concurrency,
        peak_throughput,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC SDM91 benchmark (Gunther 2007, table 5.1; the `specsdm91` data
    /// set of R's `usl` package).
    pub(crate) const SPECSDM91: [(f64, f64); 7] = [
        (1.0, 64.9),
        (18.0, 995.9),
        (36.0, 1652.4),
        (72.0, 1853.2),
        (108.0, 1828.9),
        (144.0, 1775.0),
        (216.0, 1702.2),
    ];

    fn measurements(points: &[(f64, f64)]) -> Vec<Measurement> {
        points
            .iter()
            .map(|&(concurrency, throughput)| Measurement { concurrency, throughput })
            .collect()
    }

    fn within(value: f64, published: f64, relative: f64) -> bool {
        ((value - published) / published).abs() <= relative
    }

    #[test]
    fn reproduces_the_published_specsdm91_coefficients() {
        // R `usl` package, tests/summary.Rout.save: alpha (σ) 2.773e-02
        // (s.e. 9.122e-03), beta (κ) 1.044e-04 (1.988e-05), gamma (λ)
        // 9.000e+01 (1.421e+01), multiple R-squared 0.9896, residual
        // standard error 82.85 on 4 degrees of freedom. Within 1%.
        let fit = fit(&measurements(&SPECSDM91)).unwrap();
        assert!(within(fit.sigma, 2.773e-2, 0.01), "σ {}", fit.sigma);
        assert!(within(fit.kappa, 1.044e-4, 0.01), "κ {}", fit.kappa);
        assert!(within(fit.lambda, 90.00, 0.01), "λ {}", fit.lambda);
        let errors = fit.std_errors.unwrap();
        assert!(within(errors[0], 9.122e-3, 0.01), "se σ {}", errors[0]);
        assert!(within(errors[1], 1.988e-5, 0.01), "se κ {}", errors[1]);
        assert!(within(errors[2], 14.21, 0.01), "se λ {}", errors[2]);
        assert!((fit.r_squared - 0.9896).abs() < 5e-5, "R² {}", fit.r_squared);
        assert!(within(fit.residual_std_error.unwrap(), 82.85, 0.01));
        // N* = sqrt((1 - σ) / κ) ≈ 96.5: the benchmark's throughput peaks
        // between its 72 and 108 user measurements.
        let n_star = fit.peak_concurrency.unwrap();
        assert!(n_star > 72.0 && n_star < 108.0, "N* {n_star}");
        // The 95% interval holds the estimate, t(0.975, 4) = 2.776 s.e. wide each side.
        let (low, high) = fit.intervals.unwrap()[2];
        assert!(within(high - fit.lambda, 2.776 * errors[2], 0.001));
        assert!(low < fit.lambda && fit.lambda < high);
    }

    #[test]
    fn predicts_what_the_r_usl_package_publishes_for_specsdm91() {
        // R `usl` package, tests/predict.Rout.save: `predict(u)` on
        // specsdm91, to 3 digits: 90 1078 1541 1850 1879 1822 1646.
        let fit = fit(&measurements(&SPECSDM91)).unwrap();
        let published = [90.0, 1078.0, 1541.0, 1850.0, 1879.0, 1822.0, 1646.0];
        for (&(n, _), expected) in SPECSDM91.iter().zip(published) {
            let x = fit.predict(n);
            assert!((x - expected).abs() <= 0.5, "X({n}) = {x}, R prints {expected}");
            // The model's own efficiency is its prediction over linear scaling.
            assert!((fit.efficiency(n) - x / (n * fit.lambda)).abs() < 1e-12);
        }
        // Efficiency falls with N: 1 at one user; at 90, X(90) / (90 λ) with
        // scipy's X(90) = 1881.96 and λ = 89.995 (tests/reference/usl_predict.py).
        assert_eq!(fit.efficiency(1.0), 1.0);
        assert!((fit.efficiency(90.0) - 1881.96 / (90.0 * 89.995)).abs() < 1e-4);
    }

    #[test]
    fn prediction_intervals_match_an_independent_delta_method() {
        // tests/reference/usl_predict.py (beside this crate): scipy's
        // curve_fit on the same data, its own covariance, the delta method
        // and t(0.975, 4) = 2.776445; 95% interval of the mean throughput
        // at the loads of the R usl package's predict test.
        let reference = [
            (24.0, 1101.300653, 1446.688380),
            (48.0, 1556.400789, 1846.753174),
            (90.0, 1734.041693, 2029.872930),
            (126.0, 1730.302108, 1981.560953),
            (180.0, 1579.861281, 1894.093244),
        ];
        let fit = fit(&measurements(&SPECSDM91)).unwrap();
        assert!((fit.t_critical.unwrap() - 2.776445105).abs() < 1e-8);
        for (n, low, high) in reference {
            let (l, h) = fit.predict_interval(n).unwrap();
            // Two solvers stop a little apart: agreement to 1e-5 (seen: 2e-6).
            assert!(within(l, low, 1e-5) && within(h, high, 1e-5), "N={n}: {l}..{h}");
            assert!(l < fit.predict(n) && fit.predict(n) < h);
        }
        // With no degree of freedom left there is no interval.
        let three = super::fit(&measurements(&SPECSDM91[..3])).unwrap();
        assert_eq!(three.predict_interval(50.0), None);
    }

    #[test]
    fn concurrency_for_inverts_the_curve_on_its_rising_side() {
        // Amdahl (κ = 0), by hand: σ = 0.1, λ = 100, T = 500:
        // N = 500 x 0.9 / (100 - 50) = 9, and X(9) = 900 / 1.8 = 500.
        assert_eq!(concurrency_for(500.0, 0.1, 0.0, 100.0), Some(9.0));
        assert_eq!(throughput(9.0, 0.1, 0.0, 100.0), 500.0);
        // Its asymptote λ / σ = 1000 is never reached.
        assert_eq!(concurrency_for(1000.0, 0.1, 0.0, 100.0), None);
        // SPEC SDM91's coefficients (Gunther 2007, table 5.1): the curve
        // peaks near 1884 at N* = 96.5; 1500 is reached at N = 33.7 on the
        // way up (X(33.7) = 1500, and 33.7 < N*), never 1900.
        let (s, k, l) = (0.02773, 1.044e-4, 90.0);
        let n = concurrency_for(1500.0, s, k, l).unwrap();
        assert!((throughput(n, s, k, l) - 1500.0).abs() < 1e-9 && n < 96.5, "{n}");
        assert!((n - 33.7).abs() < 0.05, "{n}");
        assert_eq!(concurrency_for(1900.0, s, k, l), None);
        // Exactly the peak, as X(N*) computes it: N* itself (the roots meet;
        // rounding must not lose it), and just past it nothing.
        let n_star = ((1.0 - s) / k).sqrt();
        let peak = throughput(n_star, s, k, l);
        let at_peak = concurrency_for(peak, s, k, l).unwrap();
        assert!((at_peak - n_star).abs() < 1e-3 * n_star, "{at_peak} vs {n_star}");
        assert_eq!(concurrency_for(peak * (1.0 + 1e-6), s, k, l), None);
        // Not a throughput: no answer.
        assert_eq!(concurrency_for(f64::NAN, s, k, l), None);
        assert_eq!(concurrency_for(-1.0, s, k, l), None);
    }

    #[test]
    fn recovers_known_coefficients_from_exact_data() {
        let truth = (0.05, 0.0002, 120.0);
        let points: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
            .iter()
            .map(|&n| (n, throughput(n, truth.0, truth.1, truth.2)))
            .collect();
        let fit = fit(&measurements(&points)).unwrap();
        assert!(
            within(fit.sigma, truth.0, 1e-6)
                && within(fit.kappa, truth.1, 1e-6)
                && within(fit.lambda, truth.2, 1e-6)
        );
        assert!(fit.r_squared > 0.999_999);
    }

    #[test]
    fn a_fit_that_does_not_converge_is_an_error_without_numbers() {
        // One iteration cannot reach the SPEC SDM91 optimum from the start point.
        let result = fit_within(&measurements(&SPECSDM91), 1);
        assert!(
            matches!(result, Err(KernelError::FitFailed(ref m)) if m.contains("maximum number of iterations")),
            "{result:?}"
        );
    }

    #[test]
    fn refuses_what_cannot_be_fitted() {
        let two_levels = measurements(&[(1.0, 10.0), (2.0, 19.0), (2.0, 19.5)]);
        assert!(
            matches!(fit(&two_levels), Err(KernelError::FitData(m)) if m.contains("3 distinct"))
        );
        let negative = measurements(&[(1.0, 10.0), (2.0, -1.0), (4.0, 30.0)]);
        assert!(matches!(fit(&negative), Err(KernelError::FitData(m)) if m.contains("point 2")));
        let nan = measurements(&[(1.0, 10.0), (f64::NAN, 1.0), (4.0, 30.0)]);
        assert!(fit(&nan).is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any throughput short of the peak is reached, at a concurrency on
        /// the rising side where the curve gives it back; the curve is lower
        /// everywhere before it.
        #[test]
        fn concurrency_for_is_the_least_that_reaches(
            sigma in 0.0f64..0.9,
            kappa in prop_oneof![Just(0.0), 1e-7f64..1e-2],
            lambda in 0.1f64..1e4,
            share in 0.01f64..0.999,
        ) {
            let ceiling = if kappa > 0.0 {
                throughput(((1.0 - sigma) / kappa).sqrt(), sigma, kappa, lambda)
            } else if sigma > 0.0 {
                lambda / sigma
            } else {
                1e6 * lambda
            };
            let target = share * ceiling;
            let n = concurrency_for(target, sigma, kappa, lambda).unwrap();
            prop_assert!(((throughput(n, sigma, kappa, lambda) - target) / target).abs() < 1e-9);
            if kappa > 0.0 {
                prop_assert!(n <= ((1.0 - sigma) / kappa).sqrt() * (1.0 + 1e-9));
            }
            prop_assert!(throughput(n * 0.999, sigma, kappa, lambda) < target);
        }
    }
}
