"""Independent oracle for the kernel's sampling-error tests.

The ranks of the order statistics that bound a distribution-free confidence
interval for a quantile (Hahn and Meeker, Statistical Intervals, 1991, §5.2):
the number of draws below the true p-quantile is Binomial(n, p), so the
interval from the l-th to the u-th smallest draw covers it with probability
F(u - 1) - F(l - 1). l is the largest rank with F(l - 1) <= (1 - confidence) / 2,
u the smallest with F(u - 1) >= (1 + confidence) / 2; a rank past the draws
is printed as None. The binomial distribution function is summed term by
term in exact rational arithmetic (Python's `fractions`), so no
floating-point algorithm is shared with the kernel (which uses the
regularised incomplete beta function). Run: python3 tests/oracles/quantile_ranks.py
"""
from fractions import Fraction
from math import comb


def ranks(n, p, confidence):
    p = Fraction(p)
    tail = (1 - Fraction(confidence)) / 2
    cdf, below = [], Fraction(0)
    for k in range(n + 1):
        below += comb(n, k) * p**k * (1 - p) ** (n - k)
        cdf.append(below)
    # P(the l-th smallest draw lies above the quantile) = F(l - 1).
    lower = max((l for l in range(1, n + 1) if cdf[l - 1] <= tail), default=None)
    # P(the u-th smallest draw lies below the quantile) = 1 - F(u - 1).
    upper = min((u for u in range(1, n + 1) if cdf[u - 1] >= 1 - tail), default=None)
    coverage = (cdf[upper - 1] if upper else 1) - (cdf[lower - 1] if lower else 0)
    return lower, upper, float(coverage)


if __name__ == "__main__":
    for n, p in [(100, "1/2"), (2000, "1/2"), (2000, "9/10"), (2000, "99/100"), (200, "99/100"), (20, "1/2")]:
        print(f"n={n} p={p}", ranks(n, p, "0.95"))
