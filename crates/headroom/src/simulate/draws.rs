//! Drawing the uncertain inputs: samplers and the seeded streams.
//!
//! Draws come in chunks of [`CHUNK`]: chunk `c` uses the ChaCha8 stream `c`
//! of the seed and draws its rows one after another, every input of a draw
//! in key order. So draw `i` depends only on the seed and `i`, whatever the
//! thread count, and a stream is set up once a chunk, not once a draw.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, LogNormal, Normal, Triangular, Uniform};

use super::Distribution;

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
            Distribution::Empirical { .. } => {
                Err(bad("empirical needs at least one finite sample".into()))
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

/// Draws the `count` draws of chunk `chunk` into `values`: draw `j` of the
/// chunk is `values[j * samplers.len()..][..samplers.len()]`.
pub(super) fn draw_chunk(
    samplers: &[Sampler],
    seed: u64,
    chunk: u32,
    count: u32,
    values: &mut Vec<f64>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(chunk));
    values.clear();
    for _ in 0..count {
        values.extend(samplers.iter().map(|s| s.sample(&mut rng)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_reproducible_and_distinct() {
        let normal = [Sampler::new("x", &Distribution::Normal { mean: 0.0, sd: 1.0 }).unwrap()];
        let draw = |chunk: u32| {
            let mut values = Vec::new();
            draw_chunk(&normal, 7, chunk, 3, &mut values);
            values
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
        // A chunk's first draws do not depend on how many it holds.
        let mut short = Vec::new();
        draw_chunk(&normal, 7, 3, 2, &mut short);
        assert_eq!(short[..], draw(3)[..2]);
    }

    #[test]
    fn chunks_cover_every_draw_once() {
        use rayon::prelude::*;
        let sizes: Vec<(u32, u32)> = chunks(2 * CHUNK + 5).collect();
        assert_eq!(sizes, vec![(0, CHUNK), (1, CHUNK), (2, 5)]);
        assert_eq!(chunks(0).count(), 0);
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
    }
}
