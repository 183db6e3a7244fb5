//! Sampling error of a Monte Carlo: how closely a finite number of draws
//! pins down a quantile or a probability.
//!
//! A quantile of the draws is read by nearest rank ([`nearest_rank`]); how
//! far it may lie from the quantile of the distribution the draws come
//! from is told by two of the draws themselves, the order statistics of
//! [`quantile_ranks`], whatever that distribution is. A share of the draws
//! (the chance a deployment breaks) gets Wilson's score interval
//! ([`share_interval`]). Both shrink as one over the square root of the
//! draws: four times the draws halve them.

use statrs::distribution::{Binomial, DiscreteCDF};

use crate::copula::standard_normal_quantile;
use crate::KernelError;

/// The nearest rank of quantile `p` among `draws` values, counted from 1:
/// `ceil(p n)`, at least 1 and at most `n` (Hyndman and Fan's definition 1,
/// the inverse of the empirical distribution function). `draws` must be
/// above zero.
pub fn nearest_rank(p: f64, draws: u64) -> u64 {
    ((p * draws as f64).ceil() as u64).clamp(1, draws.max(1))
}

/// The ranks (counted from 1, in ascending order of the draws) of the two
/// draws that bound a `confidence` interval for the `p`-quantile of the
/// distribution `draws` independent draws come from.
///
/// Distribution-free (Hahn and Meeker, *Statistical Intervals*, 1991,
/// §5.2; Conover, *Practical Nonparametric Statistics*, 3rd ed., §3.2):
/// the number of draws below the true quantile is Binomial(n, p), so the
/// l-th smallest draw lies above it with probability F(l - 1) and the u-th
/// smallest below it with probability 1 - F(u - 1). `lower` is the largest
/// l with F(l - 1) <= (1 - confidence) / 2, `upper` the smallest u with
/// F(u - 1) >= (1 + confidence) / 2, so that each tail holds at most half
/// the rest and the interval covers at least `confidence` (exactly for a
/// continuous distribution, more for one of few values such as whole
/// units). A bound no draw gives (too few draws for a P99 at 95%: with
/// 200 draws no rank makes F(u - 1) reach 0.975) is `None`: the interval
/// is open on that side.
pub fn quantile_ranks(draws: u64, p: f64, confidence: f64) -> Result<RankInterval, KernelError> {
    check_question(draws, p, confidence)?;
    let binomial = Binomial::new(p, draws)
        .map_err(|e| KernelError::InvalidQuestion(format!("binomial({draws}, {p}): {e}")))?;
    let cdf = |k: u64| binomial.cdf(k);
    let tail = (1.0 - confidence) / 2.0;
    // The first k in [0, n) where `above(k)` holds, F being monotone; n if none.
    let first = |above: &dyn Fn(u64) -> bool| {
        let (mut low, mut high) = (0, draws);
        while low < high {
            let middle = low + (high - low) / 2;
            if above(middle) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        low
    };
    // F(k) <= tail for k < first(F > tail): the largest such k is one less.
    let lower = first(&|k| cdf(k) > tail);
    let upper = first(&|k| cdf(k) >= 1.0 - tail);
    let lower = (lower > 0).then_some(lower);
    let upper = (upper < draws).then_some(upper + 1);
    let below = |rank: Option<u64>, otherwise: f64| rank.map_or(otherwise, |r| cdf(r - 1));
    Ok(RankInterval { lower, upper, coverage: below(upper, 1.0) - below(lower, 0.0) })
}

/// Two ranks of the draws that bound a quantile's confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankInterval {
    /// Rank of the lower bound, or `None`: open below.
    pub lower: Option<u64>,
    /// Rank of the upper bound, or `None`: open above.
    pub upper: Option<u64>,
    /// The probability the interval covers the quantile, for a continuous
    /// distribution: at least the confidence asked for.
    pub coverage: f64,
}

/// Wilson's score interval (Wilson, JASA 22, 1927) for the probability
/// behind `hits` of `draws`: the `p` whose normal test at `confidence` does
/// not reject `hits / draws`,
/// `(p̂ + z²/2n ± z √(p̂(1 - p̂)/n + z²/4n²)) / (1 + z²/n)` with
/// `z = Φ⁻¹((1 + confidence) / 2)`. Unlike the textbook `p̂ ± z √(p̂(1 - p̂)/n)`
/// it stays within [0, 1] and does not collapse to a point at 0% or 100%
/// (none of 2,000 draws broke: the chance is still up to 0.19%), which is
/// where a runway's probabilities mostly sit (Newcombe, Statistics in
/// Medicine 17, 1998, recommends it over six others).
pub fn share_interval(hits: u64, draws: u64, confidence: f64) -> Result<(f64, f64), KernelError> {
    check_question(draws, 0.5, confidence)?;
    if hits > draws {
        return Err(KernelError::InvalidQuestion(format!(
            "{hits} hits among {draws} draws: at most as many as the draws"
        )));
    }
    let n = draws as f64;
    let share = hits as f64 / n;
    let z = standard_normal_quantile((1.0 + confidence) / 2.0);
    let z2 = z * z;
    let scale = 1.0 + z2 / n;
    let centre = (share + z2 / (2.0 * n)) / scale;
    let half = z * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).sqrt() / scale;
    // At 0 or all hits the bound is exactly 0 or 1; rounding must not
    // leave it a hair past.
    let low = if hits == 0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if hits == draws { 1.0 } else { (centre + half).min(1.0) };
    Ok((low, high))
}

fn check_question(draws: u64, p: f64, confidence: f64) -> Result<(), KernelError> {
    if draws == 0 {
        return Err(KernelError::InvalidQuestion(
            "a sampling error needs at least one draw".into(),
        ));
    }
    if !(p > 0.0 && p < 1.0) {
        return Err(KernelError::InvalidQuestion(format!(
            "a quantile must lie strictly between 0 and 1, got {p}"
        )));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(KernelError::InvalidQuestion(format!(
            "a confidence must lie strictly between 0 and 1, got {confidence}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn ranks_match_the_exact_binomial_oracle() {
        // tests/oracles/quantile_ranks.py: the binomial distribution summed
        // term by term in exact rational arithmetic.
        let cases = [
            (100, 0.5, Some(40), Some(61), 0.9647997997822951),
            (2000, 0.5, Some(956), Some(1045), 0.9534471795082162),
            (2000, 0.9, Some(1773), Some(1827), 0.9558847994980608),
            (2000, 0.99, Some(1971), Some(1989), 0.957831397098948),
            (200, 0.99, Some(195), None, 0.9839770930908225),
            (20, 0.5, Some(6), Some(15), 0.9586105346679688),
        ];
        for (draws, p, lower, upper, coverage) in cases {
            let ranks = quantile_ranks(draws, p, 0.95).unwrap();
            assert_eq!((ranks.lower, ranks.upper), (lower, upper), "n {draws} p {p}");
            assert!((ranks.coverage - coverage).abs() < 1e-9, "n {draws} p {p}: {ranks:?}");
        }
    }

    #[test]
    fn ranks_of_a_million_draws_match_scipys_binomial() {
        // scipy.stats.binom.ppf(0.025 and 0.975, 1e6, p), the upper + 1
        // (crates/headroom-kernel/benches/peers.py prints them).
        let cases = [(0.5, 499_020, 500_981), (0.9, 899_412, 900_589), (0.99, 989_805, 990_196)];
        for (p, lower, upper) in cases {
            let ranks = quantile_ranks(1_000_000, p, 0.95).unwrap();
            assert_eq!((ranks.lower, ranks.upper), (Some(lower), Some(upper)), "p {p}");
        }
    }

    #[test]
    fn the_median_of_a_hundred_is_bounded_by_the_40th_and_61st() {
        // Campbell and Gardner's large-sample rule (BMJ 296, 1988, p. 1454)
        // worked by hand: n/2 -+ 1.96 sqrt(n)/2 = 50 -+ 9.8, the 40th value
        // (40.2 rounded) and the 61st (1 + 60.8 rounded); exact here too.
        let ranks = quantile_ranks(100, 0.5, 0.95).unwrap();
        assert_eq!((ranks.lower, ranks.upper), (Some(40), Some(61)));
    }

    #[test]
    fn ranks_of_millions_of_draws_meet_the_normal_approximation() {
        // The normal approximation is close at this size: n p -+ 1.96
        // sqrt(n p (1 - p)) = 4,950,000 -+ 436.5 for a P99 of 5,000,000.
        let ranks = quantile_ranks(5_000_000, 0.99, 0.95).unwrap();
        let (lower, upper) = (ranks.lower.unwrap() as f64, ranks.upper.unwrap() as f64);
        assert!((lower - (4_950_000.0 - 436.5)).abs() <= 2.0, "{ranks:?}");
        assert!((upper - (4_950_000.0 + 436.5)).abs() <= 2.0, "{ranks:?}");
    }

    #[test]
    fn the_interval_covers_the_true_quantile_as_often_as_it_says() {
        // 2,000 samples of 200 uniform draws: the true P90 is 0.9, and the
        // interval of ranks must hold it in at least 95% of them (less the
        // sampling error of 2,000 trials, about 0.5%).
        let ranks = quantile_ranks(200, 0.9, 0.95).unwrap();
        let (lower, upper) = (ranks.lower.unwrap() as usize, ranks.upper.unwrap() as usize);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut covered = 0;
        let trials = 2000;
        for _ in 0..trials {
            let mut draws: Vec<f64> = (0..200).map(|_| rng.random::<f64>()).collect();
            draws.sort_by(f64::total_cmp);
            if draws[lower - 1] <= 0.9 && 0.9 <= draws[upper - 1] {
                covered += 1;
            }
        }
        let share = f64::from(covered) / f64::from(trials);
        assert!(share >= 0.94 && share <= ranks.coverage + 0.015, "{share} {ranks:?}");
    }

    #[test]
    fn wilson_intervals_match_newcombes_table() {
        // Newcombe (Statistics in Medicine 17, 1998, 857-872), table II,
        // method 3 (score, no continuity correction).
        let cases = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ];
        for (hits, draws, low, high) in cases {
            let (l, h) = share_interval(hits, draws, 0.95).unwrap();
            assert!((l - low).abs() < 5e-5 && (h - high).abs() < 5e-5, "{hits}/{draws}: {l} {h}");
        }
        assert_eq!(share_interval(2000, 2000, 0.95).unwrap().1, 1.0);
    }

    proptest::proptest! {
        /// For any draws, quantile and confidence: the ranks are in order,
        /// around the nearest rank, and cover at least what was asked.
        #[test]
        fn ranks_bracket_the_quantile_and_cover_what_is_asked(
            draws in 1u64..200_000,
            p in 0.001f64..0.999,
            confidence in 0.5f64..0.999,
        ) {
            let ranks = quantile_ranks(draws, p, confidence).unwrap();
            let rank = nearest_rank(p, draws);
            if let Some(lower) = ranks.lower {
                proptest::prop_assert!(lower <= rank, "{ranks:?} {rank}");
            }
            if let Some(upper) = ranks.upper {
                proptest::prop_assert!(rank <= upper && upper <= draws, "{ranks:?} {rank}");
            }
            proptest::prop_assert!(ranks.coverage >= confidence - 1e-9, "{ranks:?}");
            let (low, high) = share_interval(draws / 3, draws, confidence).unwrap();
            let share = (draws / 3) as f64 / draws as f64;
            proptest::prop_assert!(low <= share && share <= high && (0.0..=1.0).contains(&low) && high <= 1.0);
        }
    }

    #[test]
    fn questions_out_of_range_are_refused() {
        assert!(quantile_ranks(0, 0.5, 0.95).is_err());
        assert!(quantile_ranks(10, 1.0, 0.95).is_err());
        assert!(quantile_ranks(10, 0.5, f64::NAN).is_err());
        assert!(share_interval(11, 10, 0.95).is_err());
        assert_eq!(nearest_rank(0.99, 2000), 1980);
        assert_eq!(nearest_rank(0.5, 1), 1);
    }
}
