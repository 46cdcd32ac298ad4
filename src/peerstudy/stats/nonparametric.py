"""Wilcoxon signed-rank, Friedman, Mann-Whitney U, chi-square and Fisher tests."""

from __future__ import annotations

import numpy as np

__all__ = ["wilcoxon", "friedman", "mann_whitney", "chi_square", "fisher_exact",
           "resolve_method"]


def resolve_method(method: str, n: int, has_ties: bool) -> str:
    """``auto`` follows R's ``wilcox.test(exact = NULL)``: exact when n < 50 and there
    are no ties (or zero differences); n is the number of non-zero differences, or
    for two samples the larger sample."""
    if method == "auto":
        return "exact" if n < 50 and not has_ties else "asymptotic"
    return method


def wilcoxon(earlier, later, method: str = "asymptotic", zero_method: str = "wilcox",
             correction: bool = False) -> dict:
    r"""Wilcoxon signed-rank test of later minus earlier.

    Parameters
    ----------
    method : {'asymptotic', 'exact', 'auto'}
        SPSS's default is asymptotic; R's ``wilcox.test`` uses exact when
        n < 50 without ties ('auto').
    zero_method : {'wilcox', 'pratt'}
        'wilcox' drops zero differences (R, SPSS); 'pratt' ranks them, then
        drops their ranks (Pratt 1959).
    correction : bool
        Continuity correction of the normal approximation (R's default is
        True, SPSS's is False).

    Returns
    -------
    dict with ``V`` (sum of ranks of positive differences, R's statistic),
    ``z`` (signed like the change; NaN for the exact method), ``p``,
    ``method`` ('exact', 'asymptotic' or 'asymptotic_cc'), ``n`` (pairs) and
    ``n_nonzero``.
    """
    from scipy.stats import rankdata
    from scipy.stats import wilcoxon as sp_wilcoxon

    diff = np.asarray(later, float) - np.asarray(earlier, float)
    nonzero = diff[diff != 0]
    used = nonzero if zero_method == "wilcox" else diff
    ranks = rankdata(np.abs(used))
    v = float(ranks[used > 0].sum())
    has_ties = len(nonzero) != len(diff) or len(np.unique(np.abs(nonzero))) != len(nonzero)
    chosen = resolve_method(method, len(nonzero), has_ties)
    out = {"V": v, "n": int(len(diff)), "n_nonzero": int(len(nonzero))}
    if len(nonzero) == 0:
        return {**out, "z": np.nan, "p": 1.0, "method": chosen}
    if chosen == "exact":
        res = sp_wilcoxon(nonzero if zero_method == "wilcox" else diff,
                          zero_method=zero_method, method="exact")
        return {**out, "z": np.nan, "p": float(res.pvalue), "method": "exact"}
    res = sp_wilcoxon(diff, zero_method=zero_method, correction=correction,
                      method="asymptotic")
    z = abs(float(res.zstatistic)) * np.sign(v - ranks.sum() / 2)
    label = "asymptotic_cc" if correction else "asymptotic"
    return {**out, "z": float(z), "p": float(res.pvalue), "method": label}


def friedman(data: np.ndarray) -> dict:
    r"""Friedman test on complete cases (n x k) with Kendall's W.

    :math:`W = \chi^2_F / (n (k - 1))`. Ties are corrected as in R's
    ``friedman.test`` and SPSS.
    """
    from scipy.stats import friedmanchisquare

    y = np.asarray(data, float)
    n, k = y.shape
    res = friedmanchisquare(*y.T)
    return {"chi2": float(res.statistic), "df": float(k - 1), "p": float(res.pvalue),
            "kendall_w": float(res.statistic / (n * (k - 1)))}


def mann_whitney(a, b, method: str = "asymptotic", correction: bool = False) -> dict:
    r"""Mann-Whitney U test of level A against level B (two-sided).

    Returns ``U`` (of A: pairs with a > b, ties counted 1/2; R's W), ``z``
    (tie-corrected normal deviate, signed A minus B; NaN when exact), ``p``
    and ``method``. SPSS's default is asymptotic without continuity
    correction; R's ``wilcox.test`` uses exact for n < 50 without ties and a
    continuity correction otherwise.
    """
    from scipy.stats import mannwhitneyu, rankdata, tiecorrect

    a, b = np.asarray(a, float), np.asarray(b, float)
    n_a, n_b = len(a), len(b)
    pooled = np.concatenate([a, b])
    has_ties = len(np.unique(pooled)) != len(pooled)
    # R's rule for two samples: exact when each sample has fewer than 50 and no ties
    chosen = resolve_method(method, max(n_a, n_b), has_ties)
    res = mannwhitneyu(a, b, use_continuity=correction, method=chosen)
    u = float(res.statistic)
    z = np.nan
    if chosen == "asymptotic":
        ranks = rankdata(pooled)
        sigma = np.sqrt(n_a * n_b / 12 * (n_a + n_b + 1) * tiecorrect(ranks))
        delta = u - n_a * n_b / 2
        cc = 0.5 * np.sign(delta) if correction else 0.0
        z = (delta - cc) / sigma if sigma > 0 else np.nan
    label = "exact" if chosen == "exact" else ("asymptotic_cc" if correction else "asymptotic")
    return {"U": u, "z": float(z), "p": float(res.pvalue), "method": label,
            "n_a": n_a, "n_b": n_b}


def chi_square(table: np.ndarray, correction: bool = False) -> dict:
    """Pearson chi-square test of independence (Yates' correction for 2x2 if asked)."""
    from scipy.stats import chi2_contingency

    table = np.asarray(table, float)
    res = chi2_contingency(table, correction=correction)
    return {"chi2": float(res.statistic), "df": float(res.dof), "p": float(res.pvalue),
            "min_expected": float(res.expected_freq.min()),
            "method": "asymptotic_cc" if correction and table.shape == (2, 2) else "asymptotic"}


def fisher_exact(table: np.ndarray, level: float = 0.95) -> dict:
    r"""Fisher's exact test of a 2x2 table (two-sided) with the conditional MLE odds ratio.

    Parameters
    ----------
    table : array (2, 2) of counts
        Rows are the two levels of the factor, columns the two categories.
    level : float
        Confidence level of the odds ratio's interval.

    Returns
    -------
    dict with ``p`` (two-sided: the probabilities of all tables no more
    likely than the observed one), ``odds_ratio`` (conditional maximum
    likelihood estimate), ``ci_low``, ``ci_high`` (exact, from the noncentral
    hypergeometric distribution) and ``method`` ('exact').

    Notes
    -----
    Given the margins, the count :math:`a` follows Fisher's noncentral
    hypergeometric distribution with odds ratio :math:`\psi`; the estimate
    solves :math:`E_\psi[a] = a_{obs}` and each bound solves a one-sided tail
    probability of :math:`(1 - level)/2`. This is R's ``fisher.test(table,
    conf.level = level)``: ``$estimate``, ``$conf.int``, ``$p.value``; it is
    not the sample odds ratio ad/bc. Computed by scipy
    (``scipy.stats.contingency.odds_ratio(kind = "conditional")`` and
    ``scipy.stats.fisher_exact``).

    .. warning:: R finds the estimate and bounds with ``uniroot``'s default
       tolerance (about 1e-4), so R's values can differ from these in the
       fifth significant digit; the p-values agree to machine precision.

    References
    ----------
    .. [1] Fisher RA (1935). The logic of inductive inference. J R Stat Soc
       98:39-82.
    .. [2] Agresti A (2002). Categorical Data Analysis, 2nd ed., sec. 3.5. Wiley.
    """
    from scipy.stats import fisher_exact as sp_fisher
    from scipy.stats.contingency import odds_ratio

    table = np.asarray(table, int)
    res = odds_ratio(table, kind="conditional")
    ci = res.confidence_interval(confidence_level=level)
    return {"odds_ratio": float(res.statistic), "ci_low": float(ci.low),
            "ci_high": float(ci.high), "p": float(sp_fisher(table).pvalue), "method": "exact"}
