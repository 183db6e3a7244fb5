//! Correlated draws: a Gaussian copula over any marginal distributions.
//!
//! **Source.** The Gaussian copula (Nelsen, *An Introduction to Copulas*,
//! 2006, §2.9; its use for correlated Monte Carlo inputs is Iman & Conover,
//! 1982): draw independent standard normals `z`, correlate them as
//! `x = L z` with `L` the Cholesky factor of the correlation matrix
//! (`L Lᵀ = R`), and give each input the value of its own distribution at
//! the normal's quantile, `F⁻¹(Φ(x))`. Each input keeps its marginal; ranks
//! move together with Spearman correlation `(6 / π) asin(ρ / 2)`.
//!
//! The Cholesky factor is the Cholesky–Banachiewicz algorithm, row by row;
//! `Φ` is `erfc(-x / √2) / 2` (statrs's complementary error function).

use crate::KernelError;

/// The lower-triangular `L` with `L Lᵀ = matrix`, both `n x n` row-major;
/// an error when `matrix` is not symmetric positive definite (as a set of
/// correlations that cannot hold together is not).
pub fn cholesky(matrix: &[f64], n: usize) -> Result<Vec<f64>, KernelError> {
    if matrix.len() != n * n || matrix.iter().any(|v| !v.is_finite()) {
        return Err(KernelError::FitData(format!(
            "a {n} x {n} matrix needs {} finite entries, got {}",
            n * n,
            matrix.len()
        )));
    }
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            if (matrix[i * n + j] - matrix[j * n + i]).abs() > 1e-12 {
                return Err(KernelError::FitData(format!(
                    "the matrix is not symmetric at ({i}, {j})"
                )));
            }
            let sum: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let pivot = matrix[i * n + i] - sum;
                if pivot <= 1e-12 {
                    return Err(KernelError::FitData(format!(
                        "the matrix is not positive definite (pivot {pivot:.3e} at row {i})"
                    )));
                }
                l[i * n + j] = pivot.sqrt();
            } else {
                l[i * n + j] = (matrix[i * n + j] - sum) / l[j * n + j];
            }
        }
    }
    Ok(l)
}

/// `Φ(x)`, the standard normal distribution function.
pub fn standard_normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}

/// `Φ⁻¹(p)`, the standard normal quantile function, for `p` in (0, 1):
/// `-√2 erfc⁻¹(2p)` (the inverse of [`standard_normal_cdf`]).
pub fn standard_normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

/// `x = L z` for lower-triangular `l` (`n x n`, row-major), into `x`.
pub fn correlate(l: &[f64], z: &[f64], x: &mut [f64]) {
    let n = z.len();
    for (i, out) in x.iter_mut().enumerate().take(n) {
        *out = (0..=i).map(|k| l[i * n + k] * z[k]).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_of_the_textbook_example() {
        // The worked example of the Wikipedia article "Cholesky
        // decomposition": [[4, 12, -16], [12, 37, -43], [-16, -43, 98]]
        // = L Lᵀ with L = [[2, 0, 0], [6, 1, 0], [-8, 5, 3]].
        let a = [4.0, 12.0, -16.0, 12.0, 37.0, -43.0, -16.0, -43.0, 98.0];
        let l = cholesky(&a, 3).unwrap();
        let expected = [2.0, 0.0, 0.0, 6.0, 1.0, 0.0, -8.0, 5.0, 3.0];
        for (got, want) in l.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{l:?}");
        }
        // Correlations 0.9, 0.9 and -0.9 cannot hold together.
        let bad = [1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0];
        assert!(cholesky(&bad, 3).is_err());
    }

    #[test]
    fn normal_cdf_against_the_table() {
        // Standard normal table: Φ(0) = 0.5, Φ(1.96) = 0.9750021,
        // Φ(-1) = 0.1586553.
        assert!((standard_normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((standard_normal_cdf(1.96) - 0.975_002_1).abs() < 1e-7);
        assert!((standard_normal_cdf(-1.0) - 0.158_655_3).abs() < 1e-7);
    }

    #[test]
    fn normal_quantile_against_the_table() {
        // Standard normal table (Abramowitz & Stegun, table 26.5): the
        // upper 10%, 2.5% and 0.5% points 1.2815516, 1.9599640, 2.5758293.
        for (p, z) in [(0.9, 1.281_551_6), (0.975, 1.959_964_0), (0.995, 2.575_829_3)] {
            assert!((standard_normal_quantile(p) - z).abs() < 1e-7, "{p}");
            assert!((standard_normal_quantile(1.0 - p) + z).abs() < 1e-7, "{p}");
        }
        assert!(standard_normal_quantile(0.5).abs() < 1e-15);
        // And it inverts Φ.
        for x in [-3.0, -0.5, 0.25, 2.0] {
            assert!((standard_normal_quantile(standard_normal_cdf(x)) - x).abs() < 1e-9, "{x}");
        }
    }

    #[test]
    fn two_correlated_normals() {
        // R = [[1, ρ], [ρ, 1]] gives L = [[1, 0], [ρ, √(1 - ρ²)]].
        let l = cholesky(&[1.0, 0.6, 0.6, 1.0], 2).unwrap();
        let mut x = [0.0; 2];
        correlate(&l, &[1.0, 2.0], &mut x);
        assert!((x[0] - 1.0).abs() < 1e-15);
        assert!((x[1] - (0.6 + 2.0 * 0.8)).abs() < 1e-12);
    }
}
