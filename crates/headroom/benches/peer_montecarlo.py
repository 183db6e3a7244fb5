"""The lead-gen Monte Carlo in vectorised numpy: the issue's peer for
`headroom simulate` (run by `cargo xtask bench`; needs numpy).

Same model as config/leadgen-insurance.toml for the API, data, Postgres and
Redis tiers over 13 months: users and leads/day at month 12 lognormal (sigma
0.25), peak factor triangular (2, 3, 5), API capacity normal (250, 20);
piecewise-linear growth through the §4 milestones; 20% headroom; API min 2,
data min 1; Postgres connections = 20 x (API + data replicas) on the r6i
ladder (640, 1280, 2560, 5120 usable); Redis ops = users x 0.5 x 3 on 40,000
usable. Takes what the issue's workload asks: P50/P90/P99 of every tier in
every month (nearest rank, numpy's "inverted_cdf", as headroom takes them).
Prints the median of 5 runs, and the API's and Postgres rung's P50/P90/P99 at
month 12. Latency targets, milestones, costs and runway are not modelled
here (headroom computes them per draw), so this is a lower bound on the work;
"model only" times the draws and units without the quantiles.
"""
import statistics
import time

import numpy as np

DRAWS = 1_000_000
MONTHS = np.arange(13)


def linear(points, month):
    xs, ys = zip(*points)
    return np.interp(month, xs, ys)


def run(rng):
    users12 = rng.lognormal(np.log(10_000), 0.25, DRAWS)
    leads12 = rng.lognormal(np.log(1_000_000), 0.25, DRAWS)
    peak = rng.triangular(2.0, 3.0, 5.0, DRAWS)
    capacity = rng.normal(250.0, 20.0, DRAWS)
    # Growth: fixed milestones at 0, 3, 6; the drawn value at 12 (extrapolation not needed).
    base_users = linear([(0, 500), (3, 2000), (6, 5000), (12, 0)], MONTHS)
    slope_users = np.where(MONTHS > 6, (MONTHS - 6) / 6.0, 0.0)
    users = base_users[None, :] * (MONTHS <= 6) + ((5000 * (1 - slope_users))[None, :] + users12[:, None] * slope_users[None, :]) * (MONTHS > 6)
    base_leads = linear([(0, 50_000), (3, 200_000), (6, 500_000), (12, 0)], MONTHS)
    leads = base_leads[None, :] * (MONTHS <= 6) + ((500_000 * (1 - slope_users))[None, :] + leads12[:, None] * slope_users[None, :]) * (MONTHS > 6)
    api = np.maximum(np.ceil(users / (capacity[:, None] * 0.8) - 1e-9), 2)
    data = np.maximum(np.ceil(leads / 1440 * peak[:, None] / 400 - 1e-9), 1)
    connections = 20 * (api + data)
    rung = np.searchsorted(np.array([640, 1280, 2560, 5120]), connections)
    redis = np.maximum(np.ceil(users * 1.5 / 40_000 - 1e-9), 1)
    return api, data, rung, redis


def main():
    rng = np.random.default_rng(42)
    times, model_times = [], []
    for _ in range(5):
        start = time.perf_counter()
        tiers = run(rng)
        model_times.append(time.perf_counter() - start)
        # Per tier: a (3, 13) array, P50/P90/P99 of each month.
        bands = [np.percentile(units, [50, 90, 99], axis=0, method="inverted_cdf") for units in tiers]
        times.append(time.perf_counter() - start)
    api, rung = bands[0][:, 12], bands[2][:, 12]
    print(
        f"numpy monte carlo 1,000,000 draws x 13 months x 4 tiers, P50/P90/P99 of each\t{statistics.median(times):.3f} s"
        f"\tmodel only {statistics.median(model_times):.3f} s"
        f"\tAPI month 12 P50/P90/P99 = {api}, Postgres rung = {rung}"
    )


if __name__ == "__main__":
    main()
