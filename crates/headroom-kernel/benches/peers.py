"""Peers of the kernel benches, run side by side by `cargo xtask bench`.

- Erlang C in plain Python: the textbook Erlang B recursion
  B(k) = a B(k-1) / (k + a B(k-1)), then C = B / (1 - rho (1 - B)),
  at c = 10,000 for rho = 0.90, 0.95, 0.99 (the same questions as
  `erlang_c/c=10000 …` in kernel.rs).
- The USL fit of usl50.csv with scipy.optimize.curve_fit (Levenberg-Marquardt,
  covariance included), the same 50 points as `usl_fit/50 points …`.
- The growth trend with a daily and a weekly swing taken out, by numpy's
  least squares (numpy.linalg.lstsq, an SVD) and the rate's 95% interval
  from Newey and West's covariance at lag 4, on the 201 samples of
  `growth_trend/201 samples, daily x3 and weekly x3`.
- The ranks of the 95% intervals of P50, P90 and P99 among 1,000,000 draws
  with scipy's binomial inverse (binom.ppf), as `quantile_ranks/…`.

Prints one line per bench: name, median seconds, and the result, so the
answers can be compared as well as the times. Needs numpy and scipy.
"""
import csv
import os
import statistics
import timeit

import numpy as np
from scipy import stats
from scipy.optimize import curve_fit

HERE = os.path.dirname(os.path.abspath(__file__))


def erlang_c(servers, load):
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    rho = load / servers
    return b / (1 - rho * (1 - b))


def usl(n, sigma, kappa, lam):
    return lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def median_seconds(function, number):
    runs = timeit.repeat(function, number=number, repeat=15)
    return statistics.median(runs) / number


def main():
    for load, label in [(9000.0, "rho=0.90"), (9500.0, "rho=0.95"), (9900.0, "rho=0.99")]:
        seconds = median_seconds(lambda: erlang_c(10_000, load), 20)
        print(f"python erlang_c/c=10000 {label}\t{seconds:.3e}\tp_wait={erlang_c(10_000, load):.6f}")
    with open(os.path.join(HERE, "usl50.csv")) as f:
        rows = list(csv.DictReader(f))
    n = np.array([float(r["concurrency"]) for r in rows])
    x = np.array([float(r["throughput"]) for r in rows])
    p0 = [0.01, 0.0001, x[0] / n[0]]

    def fit():
        return curve_fit(usl, n, x, p0=p0)

    seconds = median_seconds(fit, 200)
    params, covariance = fit()
    errors = np.sqrt(np.diag(covariance))
    print(
        f"scipy curve_fit usl/50 points\t{seconds:.3e}\tsigma={params[0]:.6f} kappa={params[1]:.6e} "
        f"lambda={params[2]:.4f} se={errors[0]:.3e},{errors[1]:.3e},{errors[2]:.3e}"
    )

    month = 365.2425 / 12
    day = -np.arange(200, -1, -1) * 0.14
    t = day / month
    y = np.log(812 * 1.25 ** t * (1 + 0.04 * np.sin(2 * np.pi * day)))
    columns = [np.ones_like(t), t]
    for period, harmonics in [(1.0, 3), (7.0, 3)]:
        for k in range(1, harmonics + 1):
            columns += [np.cos(2 * np.pi * k * day / period), np.sin(2 * np.pi * k * day / period)]
    design = np.column_stack(columns)

    lags = int(4 * (len(y) / 100) ** (2 / 9))

    def trend():
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        residual = y - design @ beta
        dof = len(y) - design.shape[1]
        # Newey-West (Bartlett weights), the slope's variance alone.
        z = design @ np.linalg.inv(design.T @ design)[:, 1]
        u = residual * z
        variance = u @ u + sum(2 * (1 - lag / (lags + 1)) * (u[lag:] @ u[:-lag]) for lag in range(1, lags + 1))
        sd = np.sqrt(variance)
        q = stats.t.ppf(0.975, dof)
        return np.expm1(beta[1]), np.expm1(beta[1] - q * sd), np.expm1(beta[1] + q * sd)

    seconds = median_seconds(trend, 200)
    rate, low, high = trend()
    print(
        f"numpy lstsq growth_trend/201 samples, daily x3 and weekly x3\t{seconds:.3e}\t"
        f"rate={rate:.9f} low={low:.9f} high={high:.9f}"
    )

    def ranks():
        return [(int(stats.binom.ppf(0.025, 1_000_000, p)), int(stats.binom.ppf(0.975, 1_000_000, p)) + 1) for p in (0.5, 0.9, 0.99)]

    seconds = median_seconds(ranks, 200)
    print(f"scipy binom.ppf quantile_ranks/P50, P90 and P99 of 1,000,000 draws\t{seconds:.3e}\t{ranks()}")


if __name__ == "__main__":
    main()
