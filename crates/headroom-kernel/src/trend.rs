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
//!   `n - p` degrees of freedom (`p` the terms fitted: 2 for the line alone):
//!   the interval of the slope, carried through the monotone `e^b - 1`.
//! - [`fit_linear`]: the general linear model `y = X β` by ordinary least
//!   squares, through the Householder QR factorisation of `X` (Golub & Van
//!   Loan, *Matrix Computations*, §5.3: the normal equations square the
//!   condition number, QR does not), with each coefficient's standard
//!   deviation from `s² (XᵀX)⁻¹ = s² R⁻¹R⁻ᵀ`; checked against NIST's
//!   certified values for its StRD data set "Longley".
//! - Seasons: a history sampled within the day swings daily, and often
//!   weekly, about its trend. Left in, that swing is counted as noise: it
//!   widens the interval, and, since one sample's swing follows the last's,
//!   the interval no longer means 95%. [`growth_trend`] can fit each
//!   [`Season`] beside the line, as a Fourier series of the log values,
//!   `Σₖ aₖ cos(2πkt/P) + bₖ sin(2πkt/P)` over `k = 1..K` for a period `P`,
//!   the way Prophet models its seasonalities (Taylor & Letham, "Forecasting
//!   at scale", *The American Statistician* 72(1), 2018, §3.2: weekly `K = 3`,
//!   and its code's daily `K = 4`); the rate is then the slope of the line
//!   with the swing taken out. [`Season::fitting`] says whether a history's
//!   sampling can carry a season at all.
//! - Measured histories are series in time: what is left after the fit
//!   (a busy week, an outage) is like its neighbours, and the classical
//!   errors, which assume otherwise, claim a narrower interval than the data
//!   hold. From [`NEWEY_WEST_FROM`] points a growth trend takes Newey and
//!   West's errors instead ([`Errors::NeweyWest`]).
//! - Whether the growth held steady: each history fitted again with a
//!   quadratic term, tested by its t statistic ([`Bend`]).

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
        r_squared: r_squared(ssr, syy, y),
        points: n,
    })
}

/// `1 - SSR / SST`, or `None` for a flat `y`. Equal values can still
/// leave SST a few ulps above zero (their mean need not be one of them):
/// flat is decided on the values.
fn r_squared(ssr: f64, sst: f64, y: &[f64]) -> Option<f64> {
    (sst > 0.0 && y.iter().any(|&v| v != y[0])).then(|| 1.0 - ssr / sst)
}

/// A linear model fitted by least squares: the coefficients of `y = X β`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearFit {
    /// `β`, a coefficient for each column of `X`, in their order.
    pub coefficients: Vec<f64>,
    /// The standard deviation of each coefficient's estimate.
    pub standard_errors: Vec<f64>,
    /// Residual standard deviation, `s = sqrt(SSR / (n - p))`.
    pub residual_sd: f64,
    /// `1 - SSR / SST`, SST about the mean of `y` (so meant for a model
    /// holding a constant column); `None` when every `y` is the same.
    pub r_squared: Option<f64>,
    /// How many points were fitted.
    pub points: usize,
}

/// Fits `y = Σⱼ βⱼ xⱼ` by ordinary least squares, `columns[j]` holding `xⱼ`
/// at every point (a constant column, if the model has one, is one of
/// them). See the module's doc for the method.
///
/// Needs more points than columns (none left over leaves no residual to
/// judge the fit by), all finite, and no column a combination of the others.
pub fn fit_linear(columns: &[Vec<f64>], y: &[f64]) -> Result<LinearFit, KernelError> {
    fit_linear_with(columns, y, Errors::Classical)
}

/// How a linear model's standard errors are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Errors {
    /// `s² (XᵀX)⁻¹`: residuals independent of each other.
    Classical,
    /// Newey & West's heteroskedasticity- and autocorrelation-consistent
    /// covariance (Newey & West, "A simple, positive semi-definite,
    /// heteroskedasticity and autocorrelation consistent covariance
    /// matrix", *Econometrica* 55(3), 1987): `(XᵀX)⁻¹ S (XᵀX)⁻¹`, `S` the
    /// residuals' cross-products at lags 0 to `lags` weighted by Bartlett's
    /// `1 - l / (lags + 1)`, no small-sample factor (statsmodels'
    /// `cov_type="HAC"` by default). For residuals in time order, each like
    /// the last: the classical errors then claim more than the data hold.
    NeweyWest {
        /// The longest lag counted.
        lags: usize,
    },
}

impl Errors {
    /// Newey & West's errors at the lag their 1994 rule of thumb gives for
    /// `n` points, `⌊4 (n / 100)^(2/9)⌋` (Newey & West, "Automatic lag
    /// selection in covariance matrix estimation", *Review of Economic
    /// Studies* 61(4), 1994): 3 for 40 points, 4 for 201.
    pub fn newey_west_for(n: usize) -> Errors {
        Errors::NeweyWest { lags: (4.0 * (n as f64 / 100.0).powf(2.0 / 9.0)).floor() as usize }
    }
}

/// [`fit_linear`] with its standard errors taken as `errors` says; the
/// points must be in time order for [`Errors::NeweyWest`].
pub fn fit_linear_with(
    columns: &[Vec<f64>],
    y: &[f64],
    errors: Errors,
) -> Result<LinearFit, KernelError> {
    let bad = |why: String| Err(KernelError::FitData(why));
    let (n, p) = (y.len(), columns.len());
    if p == 0 {
        return bad("a linear model needs at least one column".into());
    }
    if let Some((j, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
        return bad(format!("column #{j} has {} values for {n} y values", c.len()));
    }
    if n <= p {
        return bad(format!(
            "{p} coefficients need more than {p} points to leave a residual, got {n}"
        ));
    }
    if let Some(i) =
        (0..n).find(|&i| !y[i].is_finite() || columns.iter().any(|c| !c[i].is_finite()))
    {
        return bad(format!("point #{i} is not finite"));
    }
    // Each column scaled to unit length first: QR's answer does not depend
    // on the columns' units, but its rounding does (Longley's GNP runs to
    // 554,894 beside a deflator near 100 and a constant column of ones).
    let scales: Vec<f64> =
        columns.iter().map(|c| c.iter().map(|v| v * v).sum::<f64>().sqrt()).collect();
    if let Some(j) = scales.iter().position(|&s| s == 0.0) {
        return bad(format!("column #{j} is zero at every point"));
    }
    let x = nalgebra::DMatrix::from_fn(n, p, |i, j| columns[j][i] / scales[j]);
    let qr = x.clone().qr();
    let r = qr.r();
    // Dependent columns leave a diagonal of R near zero. The bar, 1e-12 x n
    // of the largest, is a judgement far above rounding (numpy's
    // `matrix_rank` draws it at machine epsilon x max(n, p) of the largest
    // singular value): a design that nearly repeats a column is refused
    // rather than fitted with errors in the millions.
    let largest = (0..p).map(|j| r[(j, j)].abs()).fold(0.0, f64::max);
    if let Some(j) = (0..p).find(|&j| r[(j, j)].abs() <= largest * 1e-12 * n as f64) {
        return bad(format!(
            "column #{j} is a combination of the others: the points cannot tell their coefficients apart"
        ));
    }
    // Qᵀy by the Householder reflections themselves, Q never formed.
    let mut projected = nalgebra::DVector::from_column_slice(y);
    qr.q_tr_mul(&mut projected);
    let scaled = r
        .solve_upper_triangular(&projected.rows(0, p))
        .ok_or_else(|| KernelError::FitData("the triangular factor is singular".into()))?;
    let coefficients: Vec<f64> = (0..p).map(|j| scaled[j] / scales[j]).collect();
    let residuals: Vec<f64> = (0..n)
        .map(|i| y[i] - (0..p).map(|j| coefficients[j] * columns[j][i]).sum::<f64>())
        .collect();
    let ssr: f64 = residuals.iter().map(|e| e * e).sum();
    let variance = ssr / (n - p) as f64;
    // (XᵀX)⁻¹ = R⁻¹R⁻ᵀ: the diagonal is each row of R⁻¹'s squared length.
    let r_inverse = r
        .solve_upper_triangular(&nalgebra::DMatrix::identity(p, p))
        .ok_or_else(|| KernelError::FitData("the triangular factor is singular".into()))?;
    let standard_errors = match errors {
        Errors::Classical => (0..p)
            .map(|j| (variance * r_inverse.row(j).norm_squared()).sqrt() / scales[j])
            .collect(),
        Errors::NeweyWest { lags } => {
            // (XᵀX)⁻¹ S (XᵀX)⁻¹ at [j, j], with zᵢ = (XᵀX)⁻¹ xᵢ.
            let inverse = &r_inverse * r_inverse.transpose();
            let z = &x * inverse;
            (0..p)
                .map(|j| {
                    // uᵢ = eᵢ zᵢⱼ: the variance is Σ uᵢ² and the weighted
                    // Σ uᵢ uᵢ₋ₗ of each lag, twice.
                    let u: Vec<f64> =
                        z.column(j).iter().zip(&residuals).map(|(z, e)| z * e).collect();
                    let mut sum: f64 = u.iter().map(|v| v * v).sum();
                    for lag in 1..=lags.min(n - 1) {
                        let weight = 1.0 - lag as f64 / (lags + 1) as f64;
                        let cross: f64 = u[lag..].iter().zip(&u).map(|(a, b)| a * b).sum();
                        sum += 2.0 * weight * cross;
                    }
                    sum.max(0.0).sqrt() / scales[j]
                })
                .collect()
        }
    };
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let sst: f64 = y.iter().map(|v| (v - y_mean).powi(2)).sum();
    Ok(LinearFit {
        coefficients,
        standard_errors,
        residual_sd: variance.sqrt(),
        r_squared: r_squared(ssr, sst, y),
        points: n,
    })
}

/// A cycle a measured history may swing with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cycle {
    /// A day: busy hours and quiet nights.
    Daily,
    /// A week: weekdays and weekends.
    Weekly,
}

impl Cycle {
    /// Every cycle, shortest first.
    pub const ALL: [Cycle; 2] = [Cycle::Daily, Cycle::Weekly];

    /// The cycle's period in days.
    pub fn period_days(self) -> f64 {
        match self {
            Cycle::Daily => 1.0,
            Cycle::Weekly => 7.0,
        }
    }

    /// The most Fourier terms fitted for it (Prophet's defaults, see the
    /// module's doc): enough for a swing that is not a plain sine.
    pub fn harmonics(self) -> usize {
        match self {
            Cycle::Daily => 4,
            Cycle::Weekly => 3,
        }
    }

    /// Its name: `daily`, `weekly`.
    pub fn name(self) -> &'static str {
        match self {
            Cycle::Daily => "daily",
            Cycle::Weekly => "weekly",
        }
    }
}

/// A season fitted beside a trend: a cycle and its count of Fourier terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Season {
    /// The cycle.
    pub cycle: Cycle,
    /// `K`: sine and cosine pairs fitted, at 1 to `K` times the cycle's
    /// frequency.
    pub harmonics: usize,
}

impl Season {
    /// The season a history (its months, in any order) can carry for `cycle`,
    /// or why it can carry none. A cycle is seen only in a history that
    /// spans at least two of it, and a harmonic only when the samples come
    /// more than twice in its period (the Nyquist rate): `K` is the
    /// cycle's [`Cycle::harmonics`] at most, and at most `(P / step - 1) / 2`
    /// for the history's median step between samples.
    pub fn fitting(cycle: Cycle, months: &[f64]) -> Result<Season, String> {
        let period = cycle.period_days();
        // In time order, whatever order the history came in.
        let mut days: Vec<f64> = months.iter().map(|m| m * DAYS_PER_MONTH).collect();
        days.sort_by(f64::total_cmp);
        let span = match (days.first(), days.last()) {
            (Some(first), Some(last)) => last - first,
            _ => 0.0,
        };
        if span < 2.0 * period {
            return Err(format!(
                "a {} swing needs a history of at least {} days, this one spans {}",
                cycle.name(),
                2.0 * period,
                crate::Shown(round_to(span, 2))
            ));
        }
        let mut steps: Vec<f64> = days.windows(2).map(|w| w[1] - w[0]).collect();
        steps.sort_by(f64::total_cmp);
        let step = steps[steps.len() / 2];
        if step == 0.0 {
            return Err(format!(
                "a {} swing needs samples at distinct times, and most of this history's repeat a time",
                cycle.name()
            ));
        }
        // A step of a day read back from months is a day to within a few
        // ulps, either side: the floor allows for that.
        let harmonics = ((period / step - 1.0) / 2.0 + 1e-9).floor();
        if harmonics < 1.0 {
            return Err(format!(
                "a {} swing needs samples less than {} apart, this history's are {} apart",
                cycle.name(),
                duration(period / 3.0),
                duration(step)
            ));
        }
        Ok(Season { cycle, harmonics: (harmonics as usize).min(cycle.harmonics()) })
    }

    /// Its columns of the design at each month: cosine and sine of each
    /// harmonic, the phase counted from month 0.
    fn columns(&self, months: &[f64]) -> Vec<Vec<f64>> {
        let mut columns = vec![Vec::with_capacity(months.len()); 2 * self.harmonics];
        for &m in months {
            // cos and sin of kθ from those of θ by the angle-addition
            // formulas: one sine and cosine a sample instead of K of each.
            let (sin, cos) =
                (std::f64::consts::TAU * m * DAYS_PER_MONTH / self.cycle.period_days()).sin_cos();
            let (mut sin_k, mut cos_k) = (sin, cos);
            for k in 0..self.harmonics {
                columns[2 * k].push(cos_k);
                columns[2 * k + 1].push(sin_k);
                (sin_k, cos_k) = (sin_k * cos + cos_k * sin, cos_k * cos - sin_k * sin);
            }
        }
        columns
    }
}

/// The seasons to fit beside a history's trend (its months, in any order).
/// `asked`: the cycles a user named, each of which must fit (else the
/// first's reason it cannot); `None`: every cycle the history can carry
/// ([`Season::fitting`]), the longest given up first while the points
/// leave fewer than three to spare.
pub fn seasons_for(months: &[f64], asked: Option<&[Cycle]>) -> Result<Vec<Season>, String> {
    match asked {
        Some(cycles) => cycles.iter().map(|&cycle| Season::fitting(cycle, months)).collect(),
        None => {
            let mut seasons: Vec<Season> = Cycle::ALL
                .iter()
                .filter_map(|&cycle| Season::fitting(cycle, months).ok())
                .collect();
            while !seasons.is_empty()
                && months.len() < 2 + seasons.iter().map(|s| 2 * s.harmonics).sum::<usize>() + 3
            {
                seasons.pop();
            }
            Ok(seasons)
        }
    }
}

impl std::str::FromStr for Cycle {
    type Err = String;

    fn from_str(text: &str) -> Result<Cycle, String> {
        Cycle::ALL
            .into_iter()
            .find(|cycle| cycle.name() == text)
            .ok_or_else(|| format!("`{text}` is not a cycle: daily or weekly"))
    }
}

/// Days as a duration for a message: `8 hours`, `2.33 days`.
fn duration(days: f64) -> String {
    if days < 2.0 {
        format!("{} hours", crate::Shown(round_to(days * 24.0, 2)))
    } else {
        format!("{} days", crate::Shown(round_to(days, 2)))
    }
}

/// Rounds to `digits` decimals, for a figure quoted in a message.
fn round_to(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// A season as fitted: how far the cycle carries the values above and
/// below their trend, at the times measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The season fitted.
    pub season: Season,
    /// The highest point of the cycle over the trend, as a fraction
    /// (0.04: 4% above it).
    pub high: f64,
    /// The lowest point of the cycle under the trend, as a fraction
    /// (-0.04: 4% below it).
    pub low: f64,
}

/// How a history's growth changed over it, from a fit with a quadratic
/// term (see [`growth_trend`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Bend {
    /// The rate a month at the history's first sample.
    pub rate_at_start: f64,
    /// The rate a month now (month 0).
    pub rate_now: f64,
    /// Whether the growth changed: the quadratic term's 95% interval
    /// excludes 0, and the two rates are at least [`Bend::NOTED`] apart.
    pub changed: bool,
}

impl Bend {
    /// The least change of rate called a change: a percentage point a
    /// month (a judgement: a smaller change moves a year's projection by
    /// under 13%, and a noiseless history would otherwise call its
    /// rounding a change).
    pub const NOTED: f64 = 0.01;
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
    /// The fitted trend's value at month 0 (`e^a`): the trend's "now",
    /// smoothed of the last sample's noise and of any season fitted.
    pub fitted_now: f64,
    /// R² of the model of the logarithms (line and seasons); `None` for a
    /// flat series.
    pub r_squared: Option<f64>,
    /// How many points were fitted.
    pub points: usize,
    /// Months from the first point to the last.
    pub span_months: f64,
    /// Each season fitted beside the line, in the order asked.
    pub swings: Vec<Swing>,
    /// The most every season together carries a sample over the trend, as
    /// a fraction (0.131: the busiest days run 13.1% over it); 0 with no
    /// season. The trend times `1 + peak` is the series at its busiest.
    pub peak: f64,
    /// Whether the growth held steady over the history; `None` where the
    /// points are too few to tell.
    pub bend: Option<Bend>,
    /// The lag Newey & West's errors counted to, where the history has
    /// [`NEWEY_WEST_FROM`] points or more (the interval, `rate_sd` and the
    /// bend's test are then theirs); `None`: classical errors.
    pub newey_west_lags: Option<usize>,
}

/// From how many points a growth trend takes Newey & West's errors
/// ([`Errors::NeweyWest`]) instead of the classical ones: their estimate of
/// the residuals' correlation is a large-sample one, and with fewer points
/// it is too rough to lean on (a judgement; the classical errors then
/// stand, with the caveat that neighbouring residuals may be alike).
pub const NEWEY_WEST_FROM: usize = 30;

/// Fits `v(t) = v0 (1 + r)^t`, times each season's swing, to a driver's
/// history (`month` in months, now at 0 and the past negative), by least
/// squares on `ln v` (see the module's doc). Values must be above zero: a
/// logarithm is taken. With no seasons this is [`fit_line`] through the
/// logarithms.
pub fn growth_trend(
    history: &[GrowthPoint],
    seasons: &[Season],
) -> Result<GrowthTrend, KernelError> {
    if let Some(p) = history.iter().find(|p| !(p.value > 0.0 && p.value.is_finite())) {
        return Err(KernelError::FitData(format!(
            "a growth rate is fitted to the logarithm of the values, so each must be above zero; the value at month {:.3} is {}",
            p.month,
            crate::Shown(p.value)
        )));
    }
    // In time order: a residual's neighbours are its lags.
    let mut history = history.to_vec();
    history.sort_by(|a, b| a.month.total_cmp(&b.month));
    let months: Vec<f64> = history.iter().map(|p| p.month).collect();
    let logs: Vec<f64> = history.iter().map(|p| p.value.ln()).collect();
    let seasonal: Vec<Vec<f64>> = seasons.iter().flat_map(|s| s.columns(&months)).collect();
    let errors = if months.len() >= NEWEY_WEST_FROM {
        Errors::newey_west_for(months.len())
    } else {
        Errors::Classical
    };
    // The line through the logarithms, its slope's sd, and the residual's
    // degrees of freedom, with or without seasons beside it.
    let (line, degrees, swings, peak) = if seasons.is_empty() && errors == Errors::Classical {
        let line = fit_line(&months, &logs)?;
        let degrees = line.points - 2;
        (line, degrees, Vec::new(), 0.0)
    } else {
        let mut columns = vec![vec![1.0; months.len()], months.clone()];
        columns.extend(seasonal.iter().cloned());
        let terms = columns.len();
        if months.len() < terms + 3 {
            return Err(KernelError::FitData(format!(
                "a line and {} seasonal terms need at least {} points, got {}",
                terms - 2,
                terms + 3,
                months.len()
            )));
        }
        let fit = fit_linear_with(&columns, &logs, errors)?;
        let mut first = 2;
        let swings = seasons
            .iter()
            .map(|&season| {
                let own = first..first + 2 * season.harmonics;
                first = own.end;
                let (low, high) = extremes(&fit.coefficients[own.clone()], &columns[own]);
                Swing { season, high, low }
            })
            .collect();
        // Every season together: the busiest the cycles carry the values.
        let peak = if seasons.is_empty() {
            0.0
        } else {
            extremes(&fit.coefficients[2..], &columns[2..]).1
        };
        let line = Line {
            intercept: fit.coefficients[0],
            slope: fit.coefficients[1],
            intercept_sd: fit.standard_errors[0],
            slope_sd: fit.standard_errors[1],
            residual_sd: fit.residual_sd,
            r_squared: fit.r_squared,
            points: fit.points,
        };
        (line, fit.points - terms, swings, peak)
    };
    let t = StudentsT::new(0.0, 1.0, degrees as f64)
        .map_err(|e| KernelError::FitData(format!("Student-t: {e}")))?
        .inverse_cdf(0.975);
    let first = months.iter().copied().fold(f64::INFINITY, f64::min);
    let span = months.iter().copied().fold(f64::NEG_INFINITY, f64::max) - first;
    let bend = bend_of(&months, &logs, &seasonal, first, errors)?;
    Ok(GrowthTrend {
        rate: line.slope.exp_m1(),
        rate_low: (line.slope - t * line.slope_sd).exp_m1(),
        rate_high: (line.slope + t * line.slope_sd).exp_m1(),
        rate_sd: line.slope.exp() * line.slope_sd,
        fitted_now: line.intercept.exp(),
        r_squared: line.r_squared,
        points: line.points,
        span_months: span,
        swings,
        peak,
        bend,
        newey_west_lags: match errors {
            Errors::NeweyWest { lags } => Some(lags),
            Errors::Classical => None,
        },
    })
}

/// Whether a history's growth held steady: its logarithms fitted again
/// with a quadratic term beside the line and seasons, `ln v = a + b t +
/// c t² + …` (a polynomial trend, tested by the t statistic of its highest
/// term: Draper & Smith, *Applied Regression Analysis*, ch. 12), read as the
/// rate a month at the first sample (`e^(b + 2c t₀) - 1`, the slope of the
/// logarithm there) and now (`e^b - 1`). `None` where the points are too
/// few for the extra term or cannot tell it from the others.
fn bend_of(
    months: &[f64],
    logs: &[f64],
    seasonal: &[Vec<f64>],
    first: f64,
    errors: Errors,
) -> Result<Option<Bend>, KernelError> {
    let mut columns = vec![vec![1.0; months.len()], months.to_vec()];
    columns.push(months.iter().map(|m| m * m).collect());
    columns.extend(seasonal.iter().cloned());
    if months.len() < columns.len() + 3 {
        return Ok(None);
    }
    let Ok(fit) = fit_linear_with(&columns, logs, errors) else { return Ok(None) };
    let (slope, curvature, curvature_sd) =
        (fit.coefficients[1], fit.coefficients[2], fit.standard_errors[2]);
    let t = StudentsT::new(0.0, 1.0, (months.len() - columns.len()) as f64)
        .map_err(|e| KernelError::FitData(format!("Student-t: {e}")))?
        .inverse_cdf(0.975);
    let rate_at_start = (slope + 2.0 * curvature * first).exp_m1();
    let rate_now = slope.exp_m1();
    Ok(Some(Bend {
        rate_at_start,
        rate_now,
        changed: curvature.abs() > t * curvature_sd
            && (rate_now - rate_at_start).abs() >= Bend::NOTED,
    }))
}

/// How far fitted Fourier terms (each a coefficient of a column of
/// cosines or sines, in the log values) carry the values from their trend
/// at the times measured: their sum's least and greatest over the samples,
/// back from logarithms (`-0.04`, `0.04`). Read between the samples
/// instead, a sum of a few sines overshoots a step it was fitted to (daily
/// samples of a weekend's dip: the week's three harmonics would swing 35%
/// where the days dip 26%).
fn extremes(terms: &[f64], columns: &[Vec<f64>]) -> (f64, f64) {
    let samples = columns.first().map_or(0, Vec::len);
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..samples {
        let value: f64 = terms.iter().zip(columns).map(|(term, column)| term * column[i]).sum();
        low = low.min(value);
        high = high.max(value);
    }
    (low.exp_m1(), high.exp_m1())
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
        let trend = growth_trend(&history, &[]).unwrap();
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
        let trend = growth_trend(&history, &[]).unwrap();
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
        let error = growth_trend(&history, &[]).unwrap_err().to_string();
        assert!(error.contains("the value at month -1.000 is 0"), "{error}");
    }

    /// NIST Statistical Reference Datasets, linear regression, "Longley"
    /// (higher difficulty: 16 years of US employment against six
    /// macroeconomic series, famously ill-conditioned),
    /// <https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml>.
    const LONGLEY: [[f64; 7]; 16] = [
        // y (total employment), GNP deflator, GNP, unemployed, armed forces, population, year
        [60323.0, 83.0, 234289.0, 2356.0, 1590.0, 107608.0, 1947.0],
        [61122.0, 88.5, 259426.0, 2325.0, 1456.0, 108632.0, 1948.0],
        [60171.0, 88.2, 258054.0, 3682.0, 1616.0, 109773.0, 1949.0],
        [61187.0, 89.5, 284599.0, 3351.0, 1650.0, 110929.0, 1950.0],
        [63221.0, 96.2, 328975.0, 2099.0, 3099.0, 112075.0, 1951.0],
        [63639.0, 98.1, 346999.0, 1932.0, 3594.0, 113270.0, 1952.0],
        [64989.0, 99.0, 365385.0, 1870.0, 3547.0, 115094.0, 1953.0],
        [63761.0, 100.0, 363112.0, 3578.0, 3350.0, 116219.0, 1954.0],
        [66019.0, 101.2, 397469.0, 2904.0, 3048.0, 117388.0, 1955.0],
        [67857.0, 104.6, 419180.0, 2822.0, 2857.0, 118734.0, 1956.0],
        [68169.0, 108.4, 442769.0, 2936.0, 2798.0, 120445.0, 1957.0],
        [66513.0, 110.8, 444546.0, 4681.0, 2637.0, 121950.0, 1958.0],
        [68655.0, 112.6, 482704.0, 3813.0, 2552.0, 123366.0, 1959.0],
        [69564.0, 114.2, 502601.0, 3931.0, 2514.0, 125368.0, 1960.0],
        [69331.0, 115.7, 518173.0, 4806.0, 2572.0, 127852.0, 1961.0],
        [70551.0, 116.9, 554894.0, 4007.0, 2827.0, 130081.0, 1962.0],
    ];

    #[test]
    fn the_linear_model_reproduces_nists_certified_values_for_longley() {
        let y: Vec<f64> = LONGLEY.iter().map(|row| row[0]).collect();
        let mut columns = vec![vec![1.0; 16]];
        columns.extend((1..7).map(|j| LONGLEY.iter().map(|row| row[j]).collect::<Vec<f64>>()));
        let fit = fit_linear(&columns, &y).unwrap();
        // NIST's certified values (15 digits); a QR of this data keeps about 9.
        let coefficients = [
            -3482258.63459582,
            15.0618722713733,
            -0.358191792925910e-01,
            -2.02022980381683,
            -1.03322686717359,
            -0.511041056535807e-01,
            1829.15146461355,
        ];
        let standard_errors = [
            890420.383607373,
            84.9149257747669,
            0.334910077722432e-01,
            0.488399681651699,
            0.214274163161675,
            0.226073200069370,
            455.478499142212,
        ];
        for j in 0..7 {
            assert!(
                agrees(fit.coefficients[j], coefficients[j], 8),
                "β{j} = {}",
                fit.coefficients[j]
            );
            assert!(
                agrees(fit.standard_errors[j], standard_errors[j], 8),
                "sd β{j} = {}",
                fit.standard_errors[j]
            );
        }
        assert!(agrees(fit.residual_sd, 304.854073561965, 9), "{}", fit.residual_sd);
        assert!(agrees(fit.r_squared.unwrap(), 0.995479004577296, 12));
        assert_eq!(fit.points, 16);
    }

    #[test]
    fn the_linear_model_is_the_line_where_it_is_one() {
        let columns = vec![vec![1.0; 36], NORRIS_X.to_vec()];
        let fit = fit_linear(&columns, &NORRIS_Y).unwrap();
        let line = fit_line(&NORRIS_X, &NORRIS_Y).unwrap();
        assert!(agrees(fit.coefficients[0], line.intercept, 10));
        assert!(agrees(fit.coefficients[1], line.slope, 12));
        assert!(agrees(fit.standard_errors[0], line.intercept_sd, 10));
        assert!(agrees(fit.standard_errors[1], line.slope_sd, 10));
        assert!(agrees(fit.residual_sd, line.residual_sd, 10));
    }

    #[test]
    fn a_linear_model_refuses_what_it_cannot_fit() {
        let error =
            |columns: Vec<Vec<f64>>, y: &[f64]| fit_linear(&columns, y).unwrap_err().to_string();
        let x = vec![1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 3.0, 2.0, 5.0];
        assert!(error(vec![], &y).contains("at least one column"));
        assert!(error(vec![vec![1.0; 3]], &y).contains("column #0 has 3 values for 4"));
        assert!(error(vec![vec![1.0; 4], x.clone(), x.clone(), x.clone()], &y)
            .contains("need more than 4 points"));
        let doubled: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        assert!(error(vec![vec![1.0; 4], x.clone(), doubled], &y)
            .contains("column #2 is a combination"));
        assert!(error(vec![vec![1.0; 4], vec![0.0; 4]], &y).contains("column #1 is zero"));
        assert!(error(vec![vec![1.0; 4], x], &[1.0, f64::INFINITY, 2.0, 5.0]).contains("point #1"));
    }

    /// Every 3.36 hours over 28 days, up to now (the samples
    /// `observe --trend 28d` asks for: the window over 200 steps).
    fn observe_months() -> Vec<f64> {
        let step = 28.0 / 200.0;
        (0..=200).map(|i| -(200 - i) as f64 * step / DAYS_PER_MONTH).collect()
    }

    #[test]
    fn a_season_is_fitted_only_where_the_samples_can_show_it() {
        let months = observe_months();
        assert_eq!(
            Season::fitting(Cycle::Daily, &months),
            Ok(Season { cycle: Cycle::Daily, harmonics: 3 })
        );
        assert_eq!(
            Season::fitting(Cycle::Weekly, &months),
            Ok(Season { cycle: Cycle::Weekly, harmonics: 3 })
        );
        // Hourly samples carry the daily cycle's four harmonics.
        let hourly: Vec<f64> = (0..=72).map(|h| -(72 - h) as f64 / 24.0 / DAYS_PER_MONTH).collect();
        assert_eq!(Season::fitting(Cycle::Daily, &hourly).unwrap().harmonics, 4);
        // Newest first (as some exports come) is the same history.
        let newest_first: Vec<f64> = hourly.iter().rev().copied().collect();
        assert_eq!(Season::fitting(Cycle::Daily, &newest_first).unwrap().harmonics, 4);
        // Each time given twice: the steps are mostly zero, which no
        // sampling rate is.
        let twice: Vec<f64> = hourly.iter().flat_map(|&m| [m, m]).collect();
        let why = Season::fitting(Cycle::Daily, &twice).unwrap_err();
        assert!(why.contains("most of this history's repeat a time"), "{why}");
        let why = Season::fitting(Cycle::Weekly, &hourly).unwrap_err();
        assert_eq!(why, "a weekly swing needs a history of at least 14 days, this one spans 3");
        // Daily samples show no daily swing; §4's table, no season at all.
        let daily: Vec<f64> = (0..=30).map(|d| -(30 - d) as f64 / DAYS_PER_MONTH).collect();
        let why = Season::fitting(Cycle::Daily, &daily).unwrap_err();
        assert_eq!(why, "a daily swing needs samples less than 8 hours apart, this history's are 24 hours apart");
        assert_eq!(Season::fitting(Cycle::Weekly, &daily).unwrap().harmonics, 3);
        // §4's months: a span of a year, a step of 3 months.
        let why = Season::fitting(Cycle::Weekly, &[-12.0, -6.0, -3.0, 0.0]).unwrap_err();
        assert_eq!(why, "a weekly swing needs samples less than 2.33 days apart, this history's are 91.31 days apart");
    }

    #[test]
    fn a_daily_swing_taken_out_leaves_the_growth_exact() {
        // 812 users growing 25% a month with a swing of 4% a day, zero now:
        // the fixture `observe --trend` is tested on, without Prometheus.
        let months = observe_months();
        let history: Vec<GrowthPoint> = months
            .iter()
            .map(|&month| {
                let day = month * DAYS_PER_MONTH;
                let swing = 1.0 + 0.04 * (std::f64::consts::TAU * day).sin();
                GrowthPoint { month, value: 812.0 * 1.25f64.powf(month) * swing }
            })
            .collect();
        let plain = growth_trend(&history, &[]).unwrap();
        let daily = Season::fitting(Cycle::Daily, &months).unwrap();
        let weekly = Season::fitting(Cycle::Weekly, &months).unwrap();
        let seasonal = growth_trend(&history, &[daily, weekly]).unwrap();
        // ln(1 + 0.04 sin) is a sine and harmonics falling as 0.02^k: three
        // of them leave about 1e-7 of it, far below the plain fit's error.
        assert!((seasonal.rate - 0.25).abs() < 1e-6, "{}", seasonal.rate);
        assert!(seasonal.rate_low < 0.25 && 0.25 < seasonal.rate_high);
        assert!(seasonal.rate_high - seasonal.rate_low < 1e-5);
        // The trend runs through the swing's mean logarithm, which is not 0:
        // the mean of ln(1 + a sin) is ln((1 + sqrt(1 - a²)) / 2).
        let mean = (1.0 + (1.0f64 - 0.04 * 0.04).sqrt()) / 2.0;
        assert!((seasonal.fitted_now - 812.0 * mean).abs() < 1e-4, "{}", seasonal.fitted_now);
        assert!(seasonal.r_squared.unwrap() > 0.999_999);
        assert!((plain.rate - 0.25).abs() > 1e-3, "the swing moves a plain fit: {}", plain.rate);
        assert!(
            plain.rate_high - plain.rate_low > 100.0 * (seasonal.rate_high - seasonal.rate_low)
        );
        let [day, week] = &seasonal.swings[..] else { panic!("{:?}", seasonal.swings) };
        assert_eq!(day.season, daily);
        // About that trend, the swing at each sample is its own over the
        // mean: the samples come every 0.14 day, so the highest falls at
        // 0.24 or 0.26 of a day, sin = 0.992115, not on the top itself.
        let top = 1.0 + 0.04 * (std::f64::consts::TAU * 0.24).sin();
        let foot = 1.0 - 0.04 * (std::f64::consts::TAU * 0.24).sin();
        assert!((day.high - (top / mean - 1.0)).abs() < 1e-6, "{day:?}");
        assert!((day.low - (foot / mean - 1.0)).abs() < 1e-6, "{day:?}");
        assert!(week.high.abs() < 1e-6 && week.low.abs() < 1e-6, "{week:?}");
        // With no weekly swing the busiest the seasons carry is the day's.
        assert!((seasonal.peak - day.high).abs() < 1e-6, "{}", seasonal.peak);
        assert_eq!(plain.peak, 0.0);
    }

    #[test]
    fn a_weekly_swing_left_in_misleads_and_taken_out_does_not() {
        // Hourly over 17.5 days (not whole weeks) of 10% growth a month,
        // weekends 30% down. The plain fit reads a shrinking series; its
        // classical interval would miss the rate, and Newey and West's
        // (the residuals are the weekends: each hour like the last) is wide
        // enough to hold it, but too wide to say anything.
        let hours = 17 * 24 + 12;
        let history: Vec<GrowthPoint> = (0..=hours)
            .map(|h| {
                let day = -f64::from(hours - h) / 24.0;
                let weekend = day.rem_euclid(7.0) >= 5.0;
                let value =
                    1000.0 * 1.1f64.powf(day / DAYS_PER_MONTH) * if weekend { 0.7 } else { 1.0 };
                GrowthPoint { month: day / DAYS_PER_MONTH, value }
            })
            .collect();
        let months: Vec<f64> = history.iter().map(|p| p.month).collect();
        let plain = growth_trend(&history, &[]).unwrap();
        assert_eq!(plain.newey_west_lags, Some(5), "421 points");
        assert!(plain.rate < 0.0 && plain.rate_high - plain.rate_low > 0.4, "{plain:?}");
        let logs: Vec<f64> = history.iter().map(|p| p.value.ln()).collect();
        let line = fit_line(&months, &logs).unwrap();
        let classical_high = (line.slope + 1.97 * line.slope_sd).exp_m1();
        assert!(classical_high < 0.1, "{classical_high}");
        let weekly = Season::fitting(Cycle::Weekly, &months).unwrap();
        let seasonal = growth_trend(&history, &[weekly]).unwrap();
        assert!(seasonal.rate_low < 0.1 && 0.1 < seasonal.rate_high, "{seasonal:?}");
        assert!((seasonal.rate - 0.1).abs() < (plain.rate - 0.1).abs() / 5.0);
        // A step is not three sines: what they leave is alike hour to hour,
        // so Newey and West keep the interval wide (+0.1% to +17.2%), if
        // under half the plain fit's, and the swing found is near, not exact.
        let width = |t: &GrowthTrend| t.rate_high - t.rate_low;
        assert!(width(&plain) > 2.0 * width(&seasonal), "{seasonal:?}");
        let swing = &seasonal.swings[0];
        assert!(swing.low < -0.2 && swing.high > 0.05, "{swing:?}");
    }

    #[test]
    fn a_season_needs_points_to_spare() {
        let history: Vec<GrowthPoint> = (0..10)
            .map(|h| GrowthPoint {
                month: -f64::from(9 - h) / 24.0 / DAYS_PER_MONTH * 6.0,
                value: 100.0 + f64::from(h % 3),
            })
            .collect();
        let season = Season { cycle: Cycle::Daily, harmonics: 4 };
        let error = growth_trend(&history, &[season]).unwrap_err().to_string();
        assert!(
            error.contains("a line and 8 seasonal terms need at least 13 points, got 10"),
            "{error}"
        );
    }

    #[test]
    fn a_growth_that_speeds_up_is_told_from_a_steady_one() {
        // Weekly over 3 months: ln v with slope ln 1.1 at month -3 and
        // ln 1.3 now, so c = (ln 1.3 - ln 1.1) / (2 x 3) = 0.027843.
        let (b, c) = (1.3f64.ln(), (1.3f64.ln() - 1.1f64.ln()) / 6.0);
        let weeks = |value: &dyn Fn(f64, usize) -> f64| -> Vec<GrowthPoint> {
            (0..=13)
                .map(|w| {
                    let month = -3.0 + 3.0 * f64::from(w) / 13.0;
                    GrowthPoint { month, value: value(month, w as usize) }
                })
                .collect()
        };
        let speeding =
            growth_trend(&weeks(&|m, _| 500.0 * (b * m + c * m * m).exp()), &[]).unwrap();
        let bend = speeding.bend.unwrap();
        assert!(bend.changed, "{bend:?}");
        assert!((bend.rate_at_start - 0.1).abs() < 1e-9, "{bend:?}");
        assert!((bend.rate_now - 0.3).abs() < 1e-9, "{bend:?}");
        // The line through it averages the two.
        assert!(speeding.rate > 0.15 && speeding.rate < 0.25, "{}", speeding.rate);
        // Steady at 20% with 2% of noise up and down: no change called.
        let steady = growth_trend(
            &weeks(&|m, w| 500.0 * 1.2f64.powf(m) * if w % 2 == 0 { 1.02 } else { 0.98 }),
            &[],
        )
        .unwrap();
        let bend = steady.bend.unwrap();
        assert!(!bend.changed, "{bend:?}");
        // Exact, the rates agree to rounding, and rounding is no change.
        let exact = growth_trend(&weeks(&|m, _| 500.0 * 1.2f64.powf(m)), &[]).unwrap();
        let bend = exact.bend.unwrap();
        assert!(!bend.changed && (bend.rate_now - bend.rate_at_start).abs() < 1e-9, "{bend:?}");
        // Four points leave too few for the extra term.
        let four: Vec<GrowthPoint> =
            weeks(&|m, _| 500.0 * 1.2f64.powf(m)).into_iter().take(4).collect();
        assert_eq!(growth_trend(&four, &[]).unwrap().bend, None);
    }

    #[test]
    fn newey_west_errors_agree_with_statsmodels() {
        // y = 1 + 0.5 x + e over x = 0..39, e an AR(1) of coefficient 0.8
        // driven by sin(0.7 i): residuals each like the last. statsmodels
        // 0.15, `OLS(y, add_constant(x)).fit(cov_type="HAC",
        // cov_kwds={"maxlags": 3})`, gives the coefficients 1.54602318610834
        // and 0.480839510241256, their HAC errors 0.487830130874456 and
        // 0.0207648928304507; its classical errors are 0.351310404192066
        // and 0.0155031799416444, a quarter narrower.
        let mut e = vec![0.0f64; 40];
        for i in 0..40 {
            e[i] = if i > 0 { 0.8 * e[i - 1] } else { 0.0 } + (0.7 * i as f64).sin();
        }
        let x: Vec<f64> = (0..40).map(f64::from).collect();
        let y: Vec<f64> = x.iter().zip(&e).map(|(x, e)| 1.0 + 0.5 * x + e).collect();
        let columns = vec![vec![1.0; 40], x];
        assert_eq!(Errors::newey_west_for(40), Errors::NeweyWest { lags: 3 });
        let hac = fit_linear_with(&columns, &y, Errors::NeweyWest { lags: 3 }).unwrap();
        assert!(agrees(hac.coefficients[0], 1.54602318610834, 11));
        assert!(agrees(hac.coefficients[1], 0.480839510241256, 11));
        assert!(agrees(hac.standard_errors[0], 0.487830130874456, 10), "{:?}", hac.standard_errors);
        assert!(
            agrees(hac.standard_errors[1], 0.0207648928304507, 10),
            "{:?}",
            hac.standard_errors
        );
        let classical = fit_linear(&columns, &y).unwrap();
        assert!(agrees(classical.standard_errors[0], 0.351310404192066, 10));
        assert!(agrees(classical.standard_errors[1], 0.0155031799416444, 10));
        // Lag 0 alone is White's heteroskedasticity-consistent error, which
        // the lags then widen here.
        let white = fit_linear_with(&columns, &y, Errors::NeweyWest { lags: 0 }).unwrap();
        assert!(white.standard_errors[1] < hac.standard_errors[1]);
        assert_eq!(Errors::newey_west_for(201), Errors::NeweyWest { lags: 4 });
    }
}
