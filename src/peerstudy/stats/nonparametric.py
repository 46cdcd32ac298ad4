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
    r"""Wilcoxon signed-rank test of later minus earlier (two-sided).

    Parameters
    ----------
    earlier, later : array-like of float
        Paired scores, complete pairs only (the caller drops incomplete ones).
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

    Notes
    -----
    With the :math:`n'` non-zero differences ranked by absolute value (mid-ranks
    for ties), :math:`V = \sum_{d_i > 0} R_i` and

    .. math:: z = \frac{V - n'(n'+1)/4 \mp c}{\sqrt{n'(n'+1)(2n'+1)/24
              - \sum_t (t^3 - t)/48}}

    with :math:`c = 0.5` under the continuity correction. Equals R's
    ``wilcox.test(later, earlier, paired = TRUE, exact =, correct =)`` (V and
    p; z is the deviate behind p, signed like the change) and SPSS's NPAR
    TESTS /WILCOXON (asymptotic, no correction; SPSS prints -|z|).
    tests/test_stats_reference.py checks the exact and asymptotic p against
    the values R's ``?wilcox.test`` prints for Hollander & Wolfe's depression
    data (V = 40, p = 0.01953 one-sided, 0.03815, 0.04401); the exported R
    and SPSS syntax checks every row of the example studies.

    References
    ----------
    .. [1] Wilcoxon F (1945). Individual comparisons by ranking methods.
       Biometrics Bulletin 1:80-83.
    .. [2] Pratt JW (1959). Remarks on zeros and ties in the Wilcoxon signed
       rank procedures. J Am Stat Assoc 54:655-667.

    Examples
    --------
    >>> wilcoxon([1.83, 0.50, 1.62], [0.878, 0.647, 0.598], method="exact")["V"]
    1.0
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
    r"""Friedman test on complete cases with Kendall's W.

    Parameters
    ----------
    data : array (n_subjects, k_conditions)
        Complete cases only.

    Returns
    -------
    dict with ``chi2`` (tie-corrected Friedman statistic), ``df`` (k - 1),
    ``p`` (chi-square approximation) and ``kendall_w``.

    Notes
    -----
    With :math:`R_j` the rank sums over subjects (mid-ranks within a subject),

    .. math:: \chi^2_F = \frac{12\sum_j R_j^2 - 3n^2k(k+1)^2}{nk(k+1) -
              \sum_{i,t}(t^3 - t)/(k-1)}, \qquad W = \frac{\chi^2_F}{n(k-1)}.

    Equals R's ``friedman.test(data)`` and ``effectsize::kendalls_w(data)``,
    and SPSS's NPAR TESTS /FRIEDMAN /KENDALL. tests/test_stats_reference.py
    checks it against R's ``?friedman.test`` RoundingTimes example
    (chi-squared = 11.143, df = 2, p = 0.003805). Its interval is
    :func:`peerstudy.stats.effsize.kendall_w_ci`.

    References
    ----------
    .. [1] Friedman M (1937). The use of ranks to avoid the assumption of
       normality implicit in the analysis of variance. J Am Stat Assoc 32:675-701.
    """
    from scipy.stats import friedmanchisquare

    y = np.asarray(data, float)
    n, k = y.shape
    res = friedmanchisquare(*y.T)
    return {"chi2": float(res.statistic), "df": float(k - 1), "p": float(res.pvalue),
            "kendall_w": float(res.statistic / (n * (k - 1)))}


def mann_whitney(a, b, method: str = "asymptotic", correction: bool = False) -> dict:
    r"""Mann-Whitney U test of level A against level B (two-sided).

    Parameters
    ----------
    a, b : array-like of float
        The two independent samples (no missing values).
    method : {'asymptotic', 'exact', 'auto'}
        'auto' is R's rule: exact when both samples have fewer than 50 and
        there are no ties.
    correction : bool
        Continuity correction (R's default; SPSS has none).

    Returns
    -------
    dict with ``U`` (of A: pairs with a > b, ties counted 1/2; R's W), ``z``
    (tie-corrected normal deviate, signed A minus B; NaN when exact), ``p``,
    ``method``, ``n_a``, ``n_b``.

    Notes
    -----
    .. math:: z = \frac{U_A - n_An_B/2 \mp c}{\sqrt{\frac{n_An_B}{12}\left(
              n_A + n_B + 1 - \frac{\sum_t (t^3-t)}{(n_A+n_B)(n_A+n_B-1)}\right)}}

    Equals R's ``wilcox.test(a, b, exact =, correct =)`` (W and p) and SPSS's
    NPAR TESTS /M-W (asymptotic; SPSS prints min(U_A, U_B) and -|z|).
    tests/test_stats_reference.py checks the exact p against R's
    ``?wilcox.test`` two-sample example (W = 35, p = 0.1272 one-sided).

    References
    ----------
    .. [1] Mann HB, Whitney DR (1947). On a test of whether one of two random
       variables is stochastically larger than the other. Ann Math Stat 18:50-60.
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
    r"""Pearson's chi-square test of independence of an r x c table.

    Parameters
    ----------
    table : array (r, c) of counts
    correction : bool
        Yates' continuity correction, applied to 2 x 2 tables only (R's
        default is True; SPSS prints both).

    Returns
    -------
    dict with ``chi2``, ``df`` ((r-1)(c-1)), ``p``, ``min_expected`` (the
    smallest expected count) and ``method``.

    Notes
    -----
    :math:`\chi^2 = \sum (O - E)^2 / E` with :math:`E = r_i c_j / n`. Equals
    R's ``chisq.test(table, correct =)`` and SPSS's CROSSTABS /STATISTICS=CHISQ
    (Pearson row). tests/test_stats_reference.py checks it against R's
    ``?chisq.test`` example (X-squared = 30.07, df = 2, p = 2.954e-07).

    References
    ----------
    .. [1] Pearson K (1900). On the criterion that a given system of
       deviations ... Phil Mag 50:157-175.
    """
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
