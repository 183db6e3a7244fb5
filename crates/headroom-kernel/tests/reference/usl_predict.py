"""Reference figures for the USL prediction intervals, computed apart from
Headroom: scipy's curve_fit (Levenberg-Marquardt, its own covariance) on the
SPEC SDM91 data (Gunther 2007, table 5.1), then the delta method for the 95%
confidence interval of the mean throughput at new concurrencies:
X(N) +/- t(0.975, n - 3) * sqrt(g' C g), g the gradient of X in (sigma,
kappa, lambda), C curve_fit's covariance (scaled by SSR / (n - 3)).
The loads are those of the R usl package's predict test (24, 48, 90, 126, 180)."""
import numpy as np
from scipy.optimize import curve_fit
from scipy.stats import t as student_t

N = np.array([1, 18, 36, 72, 108, 144, 216], dtype=float)
X = np.array([64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2])

def usl(n, sigma, kappa, lam):
    return lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))

p, cov = curve_fit(usl, N, X, p0=[0.03, 1e-4, 90.0], method="lm")
sigma, kappa, lam = p
dof = len(N) - 3
t = student_t.ppf(0.975, dof)
print(f"sigma={sigma:.10g} kappa={kappa:.10g} lambda={lam:.10g} t={t:.10g}")
for n in [24.0, 48.0, 90.0, 126.0, 180.0]:
    d = 1 + sigma * (n - 1) + kappa * n * (n - 1)
    x = lam * n / d
    g = np.array([-x * (n - 1) / d, -x * n * (n - 1) / d, n / d])
    se = np.sqrt(g @ cov @ g)
    print(f"N={n:g} X={x:.6f} se={se:.6f} low={x - t * se:.6f} high={x + t * se:.6f}")
