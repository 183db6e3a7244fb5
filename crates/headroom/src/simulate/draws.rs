//! Drawing the uncertain inputs: samplers and the seeded streams.
//!
//! Draws come in chunks of [`CHUNK`]: chunk `c` uses the ChaCha8 stream `c`
//! of the seed and draws its rows one after another, every input of a draw
//! in key order. So draw `i` depends only on the seed and `i`, whatever the
//! thread count, and a stream is set up once a chunk, not once a draw.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, LogNormal, Normal, Triangular, Uniform};

use std::collections::BTreeMap;

use super::{Correlation, Distribution};

/// Draws a chunk holds: the unit of parallel work and of a random stream.
/// Changing it changes which numbers each draw gets (and so every fixed-seed
/// result), so it is part of the reproducibility contract.
pub const CHUNK: u32 = 256;

/// A checked distribution, ready to sample.
pub(super) enum Sampler {
    Normal(Normal<f64>),
    Lognormal(LogNormal<f64>),
    Triangular(Triangular<f64>),
    Uniform(Uniform<f64>),
    Empirical(Vec<f64>, Uniform<usize>),
}

/// Every input's sampler, and the Cholesky factor of their correlations
/// when any are given (then every draw goes through the Gaussian copula).
pub(super) struct Draws {
    samplers: Vec<Sampler>,
    distributions: Vec<Distribution>,
    copula: Option<Vec<f64>>,
}

impl Draws {
    /// Checks `inputs` and `correlations` (keys among the inputs, each pair
    /// once, ρ in (-1, 1), all of them able to hold together).
    pub(super) fn new(
        inputs: &BTreeMap<String, Distribution>,
        correlations: &[Correlation],
    ) -> Result<Draws, String> {
        let samplers: Vec<Sampler> =
            inputs.iter().map(|(k, d)| Sampler::new(k, d)).collect::<Result<_, _>>()?;
        let mut distributions: Vec<Distribution> = inputs.values().cloned().collect();
        for d in &mut distributions {
            if let Distribution::Empirical { samples } = d {
                samples.sort_by(f64::total_cmp);
            }
        }
        if correlations.is_empty() {
            return Ok(Draws { samplers, distributions, copula: None });
        }
        let keys: Vec<&String> = inputs.keys().collect();
        let n = keys.len();
        let mut matrix = vec![0.0; n * n];
        (0..n).for_each(|i| matrix[i * n + i] = 1.0);
        for (c, correlation) in correlations.iter().enumerate() {
            let at = |key: &String| {
                keys.iter().position(|k| *k == key).ok_or_else(|| {
                    format!(
                        "uncertainty.correlations[{c}]: `{key}` is not an uncertain input; inputs: {}",
                        keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                    )
                })
            };
            let [a, b] = &correlation.between;
            let (i, j) = (at(a)?, at(b)?);
            let rho = correlation.rho;
            if i == j {
                return Err(format!("uncertainty.correlations[{c}]: `{a}` with itself"));
            }
            if !(rho.is_finite() && rho > -1.0 && rho < 1.0) {
                return Err(format!(
                    "uncertainty.correlations[{c}]: rho must lie strictly between -1 and 1, got {rho}"
                ));
            }
            if matrix[i * n + j] != 0.0 {
                return Err(format!(
                    "uncertainty.correlations[{c}]: `{a}` and `{b}` are correlated twice"
                ));
            }
            matrix[i * n + j] = rho;
            matrix[j * n + i] = rho;
        }
        let l = headroom_kernel::copula::cholesky(&matrix, n).map_err(|e| {
            format!("uncertainty.correlations: these correlations cannot hold together ({e})")
        })?;
        Ok(Draws { samplers, distributions, copula: Some(l) })
    }

    /// Draws the `count` draws of chunk `chunk` into `values`: draw `j` of
    /// the chunk is `values[j * inputs..][..inputs]`, inputs in key order.
    pub(super) fn draw_chunk(&self, seed: u64, chunk: u32, count: u32, values: &mut Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(u64::from(chunk));
        values.clear();
        let Some(l) = &self.copula else {
            for _ in 0..count {
                values.extend(self.samplers.iter().map(|s| s.sample(&mut rng)));
            }
            return;
        };
        let n = self.samplers.len();
        let (mut z, mut x) = (vec![0.0; n], vec![0.0; n]);
        for _ in 0..count {
            z.iter_mut().for_each(|z| *z = rand_distr::StandardNormal.sample(&mut rng));
            headroom_kernel::copula::correlate(l, &z, &mut x);
            values.extend(self.distributions.iter().zip(&x).map(|(d, &x)| from_normal(d, x)));
        }
    }
}

/// The value of distribution `d` (checked; empirical samples sorted) at the
/// quantile of a standard normal `x`: `F⁻¹(Φ(x))`, in closed form.
fn from_normal(d: &Distribution, x: f64) -> f64 {
    let u = || headroom_kernel::copula::standard_normal_cdf(x);
    match d {
        Distribution::Normal { mean, sd } => mean + sd * x,
        Distribution::Lognormal { median, sigma } => (median.ln() + sigma * x).exp(),
        Distribution::Uniform { min, max } => min + (max - min) * u(),
        Distribution::Triangular { min, mode, max } => {
            // The inverse of the triangular distribution function.
            let (u, span) = (u(), max - min);
            if u < (mode - min) / span {
                min + (u * span * (mode - min)).sqrt()
            } else {
                max - ((1.0 - u) * span * (max - mode)).sqrt()
            }
        }
        Distribution::Empirical { samples } => {
            let index = (u() * samples.len() as f64) as usize;
            samples[index.min(samples.len() - 1)]
        }
    }
}

impl Sampler {
    /// Checks `d`, the distribution of input `key`.
    pub(super) fn new(key: &str, d: &Distribution) -> Result<Sampler, String> {
        let bad = |why: String| format!("uncertainty.inputs.\"{key}\": {why}");
        let finite = |values: &[f64]| values.iter().all(|v| v.is_finite());
        match d {
            Distribution::Normal { mean, sd } if finite(&[*mean, *sd]) && *sd >= 0.0 => {
                Normal::new(*mean, *sd).map(Sampler::Normal).map_err(|e| bad(e.to_string()))
            }
            Distribution::Normal { .. } => {
                Err(bad("normal needs a finite mean and sd >= 0".into()))
            }
            Distribution::Lognormal { median, sigma }
                if finite(&[*median, *sigma]) && *median > 0.0 && *sigma >= 0.0 =>
            {
                LogNormal::new(median.ln(), *sigma)
                    .map(Sampler::Lognormal)
                    .map_err(|e| bad(e.to_string()))
            }
            Distribution::Lognormal { .. } => {
                Err(bad("lognormal needs a median above 0 and sigma >= 0".into()))
            }
            Distribution::Triangular { min, mode, max }
                if finite(&[*min, *mode, *max]) && min <= mode && mode <= max && min < max =>
            {
                Triangular::new(*min, *max, *mode)
                    .map(Sampler::Triangular)
                    .map_err(|e| bad(e.to_string()))
            }
            Distribution::Triangular { .. } => {
                Err(bad("triangular needs finite min <= mode <= max, min < max".into()))
            }
            Distribution::Uniform { min, max } if finite(&[*min, *max]) && min < max => {
                Uniform::new(*min, *max).map(Sampler::Uniform).map_err(|e| bad(e.to_string()))
            }
            Distribution::Uniform { .. } => Err(bad("uniform needs finite min < max".into())),
            Distribution::Empirical { samples } if !samples.is_empty() && finite(samples) => {
                Uniform::new(0, samples.len())
                    .map(|index| Sampler::Empirical(samples.clone(), index))
                    .map_err(|e| bad(e.to_string()))
            }
            Distribution::Empirical { samples } => {
                Err(bad(match samples.iter().position(|v| !v.is_finite()) {
                    // Counted from 1, as a person reads the list.
                    Some(at) => format!(
                        "empirical needs every sample finite: sample {} of {} is {}",
                        at + 1,
                        samples.len(),
                        samples[at]
                    ),
                    None => "empirical needs at least one sample".into(),
                }))
            }
        }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Sampler::Normal(d) => d.sample(rng),
            Sampler::Lognormal(d) => d.sample(rng),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Empirical(samples, index) => samples[index.sample(rng)],
        }
    }
}

/// The chunks `draws` draws make, and how many draws each holds.
pub(super) fn chunks(draws: u32) -> impl rayon::iter::IndexedParallelIterator<Item = (u32, u32)> {
    use rayon::prelude::*;
    (0..draws.div_ceil(CHUNK))
        .into_par_iter()
        .map(move |chunk| (chunk, CHUNK.min(draws - chunk * CHUNK)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_reproducible_and_distinct() {
        let inputs: BTreeMap<String, Distribution> =
            [("x".to_string(), Distribution::Normal { mean: 0.0, sd: 1.0 })].into();
        let normal = Draws::new(&inputs, &[]).unwrap();
        let draw = |chunk: u32| {
            let mut values = Vec::new();
            normal.draw_chunk(7, chunk, 3, &mut values);
            values
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
        // A chunk's first draws do not depend on how many it holds.
        let mut short = Vec::new();
        normal.draw_chunk(7, 3, 2, &mut short);
        assert_eq!(short[..], draw(3)[..2]);
    }

    #[test]
    fn chunks_cover_every_draw_once() {
        use rayon::prelude::*;
        let sizes: Vec<(u32, u32)> = chunks(2 * CHUNK + 5).collect();
        assert_eq!(sizes, vec![(0, CHUNK), (1, CHUNK), (2, 5)]);
        assert_eq!(chunks(0).count(), 0);
    }

    fn draws_of(
        inputs: &[(&str, Distribution)],
        correlations: &[(&str, &str, f64)],
    ) -> Result<Draws, String> {
        let inputs: BTreeMap<String, Distribution> =
            inputs.iter().map(|(k, d)| (k.to_string(), d.clone())).collect();
        let correlations: Vec<Correlation> = correlations
            .iter()
            .map(|(a, b, rho)| Correlation { between: [a.to_string(), b.to_string()], rho: *rho })
            .collect();
        Draws::new(&inputs, &correlations)
    }

    fn columns(draws: &Draws, n: u32) -> (Vec<f64>, Vec<f64>) {
        let mut values = Vec::new();
        draws.draw_chunk(3, 0, n, &mut values);
        (
            values.iter().step_by(2).copied().collect(),
            values.iter().skip(1).step_by(2).copied().collect(),
        )
    }

    fn pearson(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    fn ranks(values: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        let mut ranks = vec![0.0; values.len()];
        for (rank, i) in order.into_iter().enumerate() {
            ranks[i] = rank as f64;
        }
        ranks
    }

    #[test]
    fn correlated_inputs_keep_their_marginals_and_move_together() {
        // Two normals at ρ = 0.8: 10,000 draws give a sample correlation
        // within 0.02 of it (its standard error is about 0.004), means
        // and standard deviations as given.
        let normal = |mean, sd| Distribution::Normal { mean, sd };
        let draws =
            draws_of(&[("a", normal(10.0, 2.0)), ("b", normal(-5.0, 1.0))], &[("a", "b", 0.8)])
                .unwrap();
        let (a, b) = columns(&draws, 10_000);
        assert!((pearson(&a, &b) - 0.8).abs() < 0.02);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let sd = |v: &[f64]| {
            (v.iter().map(|x| (x - mean(v)).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
        };
        assert!((mean(&a) - 10.0).abs() < 0.1 && (sd(&a) - 2.0).abs() < 0.06);
        assert!((mean(&b) + 5.0).abs() < 0.05 && (sd(&b) - 1.0).abs() < 0.03);
        // Lognormal and triangular at ρ = 0.8: ranks correlate at
        // (6 / π) asin(0.4) = 0.7859 (Spearman of a Gaussian copula).
        let draws = draws_of(
            &[
                ("l", Distribution::Lognormal { median: 100.0, sigma: 0.5 }),
                ("t", Distribution::Triangular { min: 1.0, mode: 2.0, max: 6.0 }),
            ],
            &[("t", "l", 0.8)],
        )
        .unwrap();
        let (l, t) = columns(&draws, 10_000);
        let spearman = pearson(&ranks(&l), &ranks(&t));
        let expected = 6.0 / std::f64::consts::PI * (0.4f64).asin();
        assert!((spearman - expected).abs() < 0.02, "{spearman} vs {expected}");
        assert!(t.iter().all(|v| (1.0..=6.0).contains(v)));
    }

    #[test]
    fn the_median_of_each_distribution_sits_at_the_normal_median() {
        // F⁻¹(Φ(0)) = F⁻¹(0.5): the median. Triangular (1, 2, 6): the
        // median is past the mode, 6 - √(0.5 x 5 x 4) = 2.8377.
        let at_zero = |d: Distribution| from_normal(&d, 0.0);
        assert_eq!(at_zero(Distribution::Normal { mean: 3.0, sd: 9.0 }), 3.0);
        assert!(
            (at_zero(Distribution::Lognormal { median: 40.0, sigma: 1.0 }) - 40.0).abs() < 1e-12
        );
        assert_eq!(at_zero(Distribution::Uniform { min: 2.0, max: 4.0 }), 3.0);
        let triangular = at_zero(Distribution::Triangular { min: 1.0, mode: 2.0, max: 6.0 });
        assert!((triangular - (6.0 - 10f64.sqrt())).abs() < 1e-12);
        assert_eq!(at_zero(Distribution::Empirical { samples: vec![1.0, 2.0, 3.0] }), 2.0);
    }

    #[test]
    fn correlations_are_checked() {
        let normal = Distribution::Normal { mean: 0.0, sd: 1.0 };
        let three = [("a", normal.clone()), ("b", normal.clone()), ("c", normal.clone())];
        let refused = |correlations: &[(&str, &str, f64)], says: &str| {
            let error = draws_of(&three, correlations).err().unwrap_or_default();
            assert!(error.contains(says), "{error}");
        };
        refused(&[("a", "z", 0.5)], "`z` is not an uncertain input; inputs: a, b, c");
        refused(&[("a", "a", 0.5)], "with itself");
        refused(&[("a", "b", 1.0)], "strictly between -1 and 1");
        refused(&[("a", "b", 0.5), ("b", "a", 0.4)], "correlated twice");
        refused(&[("a", "b", 0.9), ("a", "c", 0.9), ("b", "c", -0.9)], "cannot hold together");
        assert!(draws_of(&three, &[("a", "b", 0.9), ("a", "c", 0.9), ("b", "c", 0.9)]).is_ok());
    }

    #[test]
    fn distributions_refuse_bad_parameters() {
        for d in [
            Distribution::Normal { mean: 1.0, sd: -1.0 },
            Distribution::Lognormal { median: 0.0, sigma: 0.1 },
            Distribution::Triangular { min: 3.0, mode: 1.0, max: 5.0 },
            Distribution::Uniform { min: 2.0, max: 2.0 },
            Distribution::Empirical { samples: vec![] },
        ] {
            assert!(Sampler::new("k", &d).is_err(), "{d:?}");
        }
        // A list with a finite sample but a NaN in it is named by its place.
        let error = Sampler::new("k", &Distribution::Empirical { samples: vec![1.0, f64::NAN] })
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("sample 2 of 2 is NaN"), "{error}");
    }
}
