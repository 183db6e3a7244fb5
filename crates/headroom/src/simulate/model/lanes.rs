//! Slice helpers of the compiled model, each written for speed on the
//! baseline instruction set (lanes the compiler vectorises, or a few large
//! copies), and each property-tested against the plain loop it stands for.
//! No arithmetic of the planner's lives here.

/// Appends `pattern` to `to` `times` times, in a few copies that double
/// what is written (a copy a repetition would cost more than the copying).
pub(super) fn repeat_into(to: &mut Vec<f64>, pattern: &[f64], times: usize) {
    let (start, end) = (to.len(), to.len() + pattern.len() * times);
    if times > 0 {
        to.extend_from_slice(pattern);
    }
    while to.len() < end {
        let more = (to.len() - start).min(end - to.len());
        to.extend_from_within(start..start + more);
    }
}

/// The least and the greatest of `values` (finite, not empty), in 8
/// lanes of comparisons the compiler vectorises: one running least and
/// greatest would make each comparison wait on the last.
pub(super) fn bounds_of(values: &[f64]) -> (f64, f64) {
    let (mut least, mut most) = ([values[0]; 8], [values[0]; 8]);
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..8 {
            least[k] = if chunk[k] < least[k] { chunk[k] } else { least[k] };
            most[k] = if chunk[k] > most[k] { chunk[k] } else { most[k] };
        }
    }
    let fold = |a: f64, b: f64, take: fn(f64, f64) -> bool| if take(b, a) { b } else { a };
    let least = least.iter().chain(rest).fold(values[0], |a, &b| fold(a, b, |b, a| b < a));
    let most = most.iter().chain(rest).fold(values[0], |a, &b| fold(a, b, |b, a| b > a));
    (least, most)
}

/// Whether every value is finite and not negative, in 8 lanes of
/// arithmetic the compiler vectorises (a search would branch on each value):
/// `v x 0` is `NaN` for an infinite or `NaN` value and 0 otherwise, so their
/// sums say whether all are finite, and the smallest says whether any is
/// negative.
pub(super) fn all_valid(values: &[f64]) -> bool {
    let (mut zeros, mut smallest) = ([0.0; 8], [0.0_f64; 8]);
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..8 {
            zeros[k] += chunk[k] * 0.0;
            smallest[k] = if chunk[k] < smallest[k] { chunk[k] } else { smallest[k] };
        }
    }
    zeros.iter().all(|&z| z == 0.0)
        && smallest.iter().all(|&s| s >= 0.0)
        && rest.iter().all(|&v| crate::plan::finite_and_not_negative(v))
}

#[cfg(test)]
mod tests {
    use super::{all_valid, bounds_of, repeat_into};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn repeat_into_repeats(
            before in proptest::collection::vec(-9.0f64..9.0, 0..5),
            pattern in proptest::collection::vec(-9.0f64..9.0, 0..5),
            times in 0usize..40,
        ) {
            let mut to = before.clone();
            repeat_into(&mut to, &pattern, times);
            let expected: Vec<f64> = before
                .iter()
                .chain(std::iter::repeat_n(&pattern, times).flatten())
                .copied()
                .collect();
            prop_assert_eq!(to, expected);
        }

        #[test]
        fn bounds_of_are_the_least_and_the_greatest(
            values in proptest::collection::vec(-1e9f64..1e9, 1..40),
        ) {
            let least = values.iter().copied().fold(f64::INFINITY, f64::min);
            let most = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(bounds_of(&values), (least, most));
        }

        /// The vectorised check says what a plain search says, wherever
        /// in the slice (lanes or remainder) a bad value lands.
        #[test]
        fn all_valid_is_a_plain_search(
            values in proptest::collection::vec(prop_oneof![
                60 => 0.0f64..1e12,
                1 => Just(-0.0),
                1 => Just(f64::NAN),
                1 => Just(f64::INFINITY),
                1 => Just(f64::NEG_INFINITY),
                1 => -1e3f64..-1e-300,
                1 => Just(f64::MAX),
            ], 0..40),
        ) {
            let plain = values.iter().all(|&v| crate::plan::finite_and_not_negative(v));
            prop_assert_eq!(all_valid(&values), plain);
        }
    }
}
