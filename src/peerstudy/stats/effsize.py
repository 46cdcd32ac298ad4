"""Effect sizes and their confidence intervals."""

from __future__ import annotations

import numpy as np

__all__ = ["cohen_d_paired", "rank_biserial_paired", "rank_biserial_independent",
           "cramers_v", "noncentral_t_ci", "noncentral_f_ci", "noncentral_chi2_ci",
           "eta_squared_ci", "kendall_w_ci", "cramers_v_ci"]


def noncentral_t_ci(t: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """CI for a noncentrality parameter by inverting the noncentral t distribution.

    Parameters
    ----------
    t : float
        Observed t statistic.
    df : float
        Its degrees of freedom.
    level : float
        Confidence level.

    Returns
    -------
    (low, high) : the ncp values whose cdf at the observed ``t`` equals
    (1 + level)/2 and (1 - level)/2 (Steiger & Fouladi 1997; Cumming 2012,
    ch. 11), as R's ``effectsize`` finds them for ``cohens_d(paired = TRUE)``.
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

    Parameters
    ----------
    earlier, later : array-like of float
        Complete pairs.
    level : float
        Confidence level.

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
    t-test (exact under normality), as R's ``effectsize::cohens_d(later,
    earlier, paired = TRUE, ci = level)``. The CI of :math:`d_{av}` is Algina
    and Keselman's (2003, eqs. 7-9) approximate noncentral-t interval: the
    :math:`d_z` bounds times :math:`s_D / s_{av}`, the method of Cumming's
    ESCI; :math:`g_{av}`'s bounds are those times J. The exported R syntax
    computes both from ``effectsize::cohens_d``'s interval.

    .. warning:: effectsize >= 0.8.7 has ``repeated_measures_d(method = "av")``
       with a different standardiser, :math:`\sqrt{(s_1^2 + s_2^2)/2}`, and a
       normal-approximation interval; this is Lakens' :math:`(s_1 + s_2)/2`.

    References
    ----------
    .. [1] Lakens D (2013). Calculating and reporting effect sizes to facilitate
       cumulative science. Frontiers in Psychology 4:863. doi:10.3389/fpsyg.2013.00863
    .. [2] Algina J, Keselman HJ (2003). Approximate confidence intervals for
       effect sizes. Educ Psychol Meas 63:537-553. doi:10.1177/0013164403256358
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

    Parameters
    ----------
    diff : array-like of float
        Paired differences, later minus earlier.
    zero_method : {'wilcox', 'pratt'}
        As :func:`peerstudy.stats.nonparametric.wilcoxon`.
    level : float
        Confidence level.

    Returns
    -------
    (r, ci_low, ci_high) : the CI is NaN when :math:`|r| = 1` (Fisher's z is
    infinite there; effectsize prints the degenerate [1, 1]).

    Notes
    -----
    .. math:: r = \frac{T^+ - T^-}{T^+ + T^-}

    over the ranks of the non-zero |differences| (``wilcox``) or of all
    differences with zeros' ranks dropped from both sums (``pratt``). The CI
    uses Fisher's z with :math:`SE = \sqrt{(2n^3 + 3n^2 + n)/6}\,/\,(n(n+1)/2)`,
    n the number of non-zero differences: R's
    ``effectsize::rank_biserial(later - earlier, ci = level)`` (Kerby 2014;
    King et al. 2011), which the exported R syntax checks on every row.

    .. warning:: Given two vectors, ``rank_biserial(later, earlier, paired =
       TRUE)`` (effectsize 0.8.3 and later) counts the non-zero *later scores*
       instead of the non-zero differences in n, so its interval is narrower
       when differences are zero; it is given the differences instead.

    References
    ----------
    .. [1] Kerby DS (2014). The simple difference formula: an approach to
       teaching nonparametric correlation. Compr Psychol 3:11.IT.3.1.
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

    Parameters
    ----------
    u_a : float
        U of level A (pairs with a > b, ties counted 1/2).
    n_a, n_b : int
    level : float

    Returns
    -------
    (r, ci_low, ci_high) ; the CI is NaN when :math:`|r| = 1`.

    Notes
    -----
    .. math:: r = \frac{2 U_A}{n_A n_B} - 1

    positive when A tends to exceed B. CI via Fisher's z with
    :math:`SE = \sqrt{(n_A + n_B + 1)/(3 n_A n_B)}`: R's
    ``effectsize::rank_biserial(a, b, ci = level)``, checked on every row by
    the exported R syntax.

    References
    ----------
    .. [1] Glass GV (1965). A ranking variable analogue of biserial
       correlation. Educ Psychol Meas 25:1095-1100.
    """
    r = 2 * u_a / (n_a * n_b) - 1
    se = np.sqrt((n_a + n_b + 1) / (3 * n_a * n_b))
    return (float(r), *_fisher_ci(r, se, level))


def cramers_v(chi2: float, n: int, shape: tuple[int, int]) -> float:
    r"""Cramér's V of an r x c table, without bias correction.

    Parameters
    ----------
    chi2 : float
        Pearson's chi-square (without continuity correction).
    n : int
        Total count.
    shape : (r, c)

    Returns
    -------
    float: :math:`V = \sqrt{\chi^2 / (n (\min(r, c) - 1))}` (Cramér 1946), as R's
    ``effectsize::cramers_v(table, adjust = FALSE)``.
    """
    return float(np.sqrt(chi2 / (n * (min(shape) - 1))))


def cramers_v_ci(chi2: float, n: int, shape: tuple[int, int], level: float = 0.95):
    r"""CI for Cramér's V by the noncentral chi-square (two-sided).

    Each noncentrality bound :math:`\lambda` of :func:`noncentral_chi2_ci` on
    (r - 1)(c - 1) df becomes :math:`\sqrt{\lambda/(n(\min(r,c)-1))}`,
    capped at 1: R's ``effectsize::cramers_v(table, adjust = FALSE, ci =
    level, alternative = "two.sided")``.
    """
    low, high = noncentral_chi2_ci(chi2, (shape[0] - 1) * (shape[1] - 1), level)
    scale = n * (min(shape) - 1)
    return float(min(np.sqrt(low / scale), 1.0)), float(min(np.sqrt(high / scale), 1.0))


def _invert_decreasing(cdf, target: float, start: float) -> float:
    """The ncp >= 0 at which a cdf that falls with the ncp equals ``target``."""
    from scipy.optimize import brentq

    high = max(start, 1.0)
    while cdf(high) > target:
        high *= 2
        if high > 1e7:
            return np.inf
    return float(brentq(lambda x: cdf(x) - target, 0.0, high, xtol=1e-12, rtol=1e-14,
                        maxiter=500))


def noncentral_f_ci(f: float, df1: float, df2: float, level: float = 0.95):
    r"""CI for the noncentrality :math:`\lambda` of an observed F (two-sided).

    Parameters
    ----------
    f : float
        Observed F.
    df1, df2 : float
        Numerator and denominator df.
    level : float

    Returns
    -------
    (low, high) : :math:`\lambda` whose noncentral-F cdf at ``f`` is (1 + level)/2
    and (1 - level)/2; a bound is 0 when the central F cdf at ``f`` is already
    below that probability. The rule of R's ``effectsize`` (``.get_ncp_F``),
    solved here by bracketing and Brent's method rather than Nelder-Mead.
    """
    from scipy.special import ncfdtr

    if not (np.isfinite(f) and df1 > 0 and df2 > 0):
        return np.nan, np.nan
    f = max(f, 0.0)
    hi_p, lo_p = (1 + level) / 2, (1 - level) / 2

    def cdf(lam):
        return ncfdtr(df1, df2, lam, f)

    low = 0.0 if cdf(0.0) <= hi_p else _invert_decreasing(cdf, hi_p, f * df1)
    high = 0.0 if cdf(0.0) <= lo_p else _invert_decreasing(cdf, lo_p, f * df1)
    return low, high


def noncentral_chi2_ci(chi2: float, df: float, level: float = 0.95):
    r"""CI for the noncentrality :math:`\lambda` of an observed chi-square (two-sided).

    As :func:`noncentral_f_ci` with the noncentral chi-square distribution:
    the rule of R's ``effectsize`` (``.get_ncp_chi``) behind its intervals
    for chi-square-based effect sizes (phi, Cramér's V).
    """
    from scipy.special import chndtr

    if not (np.isfinite(chi2) and df > 0):
        return np.nan, np.nan
    chi2 = max(chi2, 0.0)
    hi_p, lo_p = (1 + level) / 2, (1 - level) / 2

    def cdf(lam):
        return chndtr(chi2, df, lam)

    low = 0.0 if cdf(0.0) <= hi_p else _invert_decreasing(cdf, hi_p, chi2)
    high = 0.0 if cdf(0.0) <= lo_p else _invert_decreasing(cdf, lo_p, chi2)
    return low, high


def eta_squared_ci(eta_sq: float, df1: float, df2: float, level: float = 0.95):
    r"""CI for a (partial or generalized) eta squared by the noncentral F.

    Parameters
    ----------
    eta_sq : float
        The estimate.
    df1, df2 : float
        Effect and error df of the F test (uncorrected for sphericity).
    level : float

    Returns
    -------
    (low, high) : tuple of float

    Notes
    -----
    The estimate is turned into the F it implies,
    :math:`F = (\eta^2/df_1)/((1-\eta^2)/df_2)` (for partial eta squared this is
    the test's F), the noncentrality CI of that F is found
    (:func:`noncentral_f_ci`), and each bound :math:`\lambda` becomes
    :math:`\lambda/(\lambda + df_2)`. This is R's
    ``effectsize::F_to_eta2(F, df1, df2, ci = level, alternative = "two.sided")``
    and what ``effectsize::eta_squared(<afex fit>, generalized = TRUE, ci =
    level, alternative = "two.sided")`` reports for generalized eta squared
    (Steiger 2004). For generalized eta squared it is an approximation: the
    pseudo-F has no exact noncentral-F distribution.

    References
    ----------
    .. [1] Steiger JH (2004). Beyond the F test: effect size confidence
       intervals and tests of close fit in the analysis of variance and
       contrast analysis. Psychol Methods 9:164-182. doi:10.1037/1082-989X.9.2.164
    """
    if not np.isfinite(eta_sq) or eta_sq >= 1:
        return np.nan, np.nan
    f = max(eta_sq, 0.0) / df1 / ((1 - max(eta_sq, 0.0)) / df2)
    low, high = noncentral_f_ci(f, df1, df2, level)
    return float(low / (low + df2)), float(high / (high + df2))


def kendall_w_ci(chi2: float, n: int, k: int, level: float = 0.95):
    r"""CI for Kendall's W from Friedman's chi-square, by the noncentral chi-square.

    Parameters
    ----------
    chi2 : float
        Friedman's statistic (tie-corrected) on ``n`` complete cases and ``k``
        conditions.
    n, k : int
    level : float

    Returns
    -------
    (low, high) : tuple of float, within [0, 1]

    Notes
    -----
    :math:`W = \chi^2_F / (n(k-1))`. The noncentrality CI of
    :math:`\chi^2_F` on k - 1 df (:func:`noncentral_chi2_ci`) is mapped the
    same way, :math:`\lambda / (n(k-1))`, and capped at 1: the ncp method
    that R's effectsize uses for its chi-square-based effect sizes.
    ``effectsize::kendalls_w`` itself offers only a percentile bootstrap,
    whose resamples R and Python cannot share; the exported R syntax computes
    this interval with ``uniroot`` on ``pchisq(ncp =)``.
    """
    low, high = noncentral_chi2_ci(chi2, k - 1, level)
    scale = n * (k - 1)
    return float(min(low / scale, 1.0)), float(min(high / scale, 1.0))
