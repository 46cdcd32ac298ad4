"""Effect sizes and their confidence intervals."""

from __future__ import annotations

import numpy as np

__all__ = ["cohen_d_paired", "rank_biserial_paired", "rank_biserial_independent",
           "cramers_v", "noncentral_t_ci"]


def noncentral_t_ci(t: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """CI for a noncentrality parameter by inverting the noncentral t distribution.

    Returns the ncp values whose cdf at the observed ``t`` equals (1 +- level)/2
    (Steiger & Fouladi 1997; Cumming 2012, ch. 11).
    """
    from scipy.optimize import brentq
    from scipy.stats import nct

    tail = (1 - level) / 2
    span = 10 + abs(t) * 3

    def cdf(ncp):
        value = nct.cdf(t, df, ncp)
        if np.isnan(value):  # scipy gives NaN far in the tails; use the limits
            return 0.0 if ncp > t else 1.0
        return value

    def solve(target):
        return brentq(lambda ncp: cdf(ncp) - target, t - span, t + span)

    return float(solve(1 - tail)), float(solve(tail))


def cohen_d_paired(earlier, later, level: float = 0.95) -> dict:
    r"""Cohen's d_z, d_av and Hedges' g_av for paired data, later minus earlier.

    Returns
    -------
    dict with ``cohen_dz``, ``cohen_dav``, ``hedges_gav``, each a tuple
    ``(estimate, ci_low, ci_high)``.

    Notes
    -----
    .. math::
        d_z = \frac{\bar D}{s_D}, \quad d_{av} = \frac{\bar D}{(s_1 + s_2)/2},
        \quad g_{av} = d_{av}\left(1 - \frac{3}{4(n-1) - 1}\right)

    (Lakens 2013). The CI of :math:`d_z` inverts the noncentral t of the paired
    t-test (exact under normality); the CIs of :math:`d_{av}` and :math:`g_{av}`
    rescale it by :math:`s_D / s_{av}` (and J), an approximation (Cumming 2012).

    References
    ----------
    .. [1] Lakens D (2013). Calculating and reporting effect sizes to facilitate
       cumulative science. Frontiers in Psychology 4:863. doi:10.3389/fpsyg.2013.00863
    """
    earlier, later = np.asarray(earlier, float), np.asarray(later, float)
    diff = later - earlier
    n = len(diff)
    sd_diff = diff.std(ddof=1)
    sd_av = (earlier.std(ddof=1) + later.std(ddof=1)) / 2
    nan3 = (np.nan, np.nan, np.nan)
    if n < 2 or sd_diff == 0 or sd_av == 0:
        return {"cohen_dz": nan3, "cohen_dav": nan3, "hedges_gav": nan3}
    dz = diff.mean() / sd_diff
    low, high = noncentral_t_ci(dz * np.sqrt(n), n - 1, level)
    dz_ci = (low / np.sqrt(n), high / np.sqrt(n))
    scale = sd_diff / sd_av
    j = 1 - 3 / (4 * (n - 1) - 1)
    dav = diff.mean() / sd_av
    return {
        "cohen_dz": (dz, *dz_ci),
        "cohen_dav": (dav, dz_ci[0] * scale, dz_ci[1] * scale),
        "hedges_gav": (dav * j, dz_ci[0] * scale * j, dz_ci[1] * scale * j),
    }


def _fisher_ci(r: float, se: float, level: float) -> tuple[float, float]:
    from scipy.stats import norm

    if not np.isfinite(r) or abs(r) >= 1:
        # Fisher's z is infinite at |r| = 1: no interval can be computed
        return np.nan, np.nan
    z = norm.ppf(1 - (1 - level) / 2)
    centre = np.arctanh(r)
    return float(np.tanh(centre - z * se)), float(np.tanh(centre + z * se))


def rank_biserial_paired(diff, zero_method: str = "wilcox", level: float = 0.95):
    r"""Matched-pairs rank-biserial correlation of differences (later - earlier).

    .. math:: r = \frac{T^+ - T^-}{T^+ + T^-}

    over the ranks of the non-zero |differences| (``wilcox``) or of all
    differences with zeros' ranks dropped from both sums (``pratt``). The CI
    uses Fisher's z with :math:`SE = \sqrt{(2n^3 + 3n^2 + n)/6}\,/\,(n(n+1)/2)`,
    as R's effectsize::rank_biserial (Kerby 2014; King et al. 2011).
    """
    from scipy.stats import rankdata

    diff = np.asarray(diff, float)
    if zero_method == "wilcox":
        diff = diff[diff != 0]
    n = len(diff)
    if n == 0:
        return np.nan, np.nan, np.nan
    ranks = rankdata(np.abs(diff))
    plus, minus = ranks[diff > 0].sum(), ranks[diff < 0].sum()
    if plus + minus == 0:
        return 0.0, np.nan, np.nan
    r = (plus - minus) / (plus + minus)
    se = np.sqrt((2 * n**3 + 3 * n**2 + n) / 6) / (n * (n + 1) / 2)
    return (float(r), *_fisher_ci(r, se, level))


def rank_biserial_independent(u_a: float, n_a: int, n_b: int, level: float = 0.95):
    r"""Rank-biserial correlation from Mann-Whitney's U of level A, A minus B.

    .. math:: r = \frac{2 U_A}{n_A n_B} - 1

    positive when A tends to exceed B. CI via Fisher's z with
    :math:`SE = \sqrt{(n_A + n_B + 1)/(3 n_A n_B)}` (R effectsize).
    """
    r = 2 * u_a / (n_a * n_b) - 1
    se = np.sqrt((n_a + n_b + 1) / (3 * n_a * n_b))
    return (float(r), *_fisher_ci(r, se, level))


def cramers_v(chi2: float, n: int, shape: tuple[int, int]) -> float:
    r""":math:`V = \sqrt{\chi^2 / (n (\min(r, c) - 1))}` (Cramér 1946)."""
    return float(np.sqrt(chi2 / (n * (min(shape) - 1))))
