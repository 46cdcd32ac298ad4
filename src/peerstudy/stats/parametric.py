"""Repeated-measures ANOVA with sphericity checks, and the paired t-test."""

from __future__ import annotations

import numpy as np

__all__ = ["rm_anova", "paired_t"]


def _contrasts(k: int) -> np.ndarray:
    """Orthonormal contrasts (k x k-1) orthogonal to the constant."""
    helmert = np.zeros((k, k - 1))
    for j in range(1, k):
        helmert[:j, j - 1] = 1
        helmert[j, j - 1] = -j
    return helmert / np.linalg.norm(helmert, axis=0)


def rm_anova(data: np.ndarray) -> dict:
    r"""One-way repeated-measures ANOVA on complete cases, with sphericity.

    Parameters
    ----------
    data : array (n_subjects, k_levels)
        Complete cases only (the caller drops incomplete subjects and says so).

    Returns
    -------
    dict with ``F``, ``df1``, ``df2``, ``p``; ``partial_eta_sq``,
    ``generalized_eta_sq``; ``mauchly_w``, ``mauchly_chi2``, ``mauchly_df``,
    ``mauchly_p``; ``eps_gg``, ``eps_hf`` and ``p_gg``, ``p_hf`` (with df
    multiplied by epsilon).

    Notes
    -----
    Sums of squares: time, subjects and error (time x subject). Partial
    :math:`\eta^2_p = SS_t/(SS_t + SS_e)` is what SPSS prints;
    generalized :math:`\eta^2_G = SS_t/(SS_t + SS_s + SS_e)` (Olejnik & Algina
    2003; Bakeman 2005) is pingouin's default. Mauchly's W on orthonormal
    contrasts with the chi-square approximation
    :math:`-(n-1)(1 - \frac{2p^2+p+2}{6p(n-1)})\ln W`, :math:`p = k-1`.
    Greenhouse-Geisser :math:`\hat\varepsilon = tr(T)^2/(p\,tr(T^2))`;
    Huynh-Feldt in its original form, as SPSS prints it,
    :math:`\tilde\varepsilon = (n p \hat\varepsilon - 2)/(p(n - 1 - p\hat\varepsilon))`,
    capped at 1.

    F, df, p, the eta squares, Mauchly's W and the GG epsilon equal R's
    ``afex::aov_ez(id, dv, data, within = "timepoint")`` read with
    ``anova(fit, correction = "none", es = c("pes", "ges"))`` and
    ``summary(fit)`` (car 3.1), and SPSS's GLM repeated measures.
    tests/test_stats_reference.py checks them against Field's (2009) SPSS
    output for the Bushtucker data; the exported R syntax checks every row of
    the example studies.

    .. warning:: Mauchly's p here is the chi-square approximation SPSS prints;
       R's ``mauchly.test`` (and car) add Anderson's higher-order term, so
       their p differs in the second digit for small n (.047 against .044 on
       the Bushtucker data). Newer car versions print Lecoutre's (1991) HF
       epsilon (n + 1 in the numerator), slightly larger than SPSS's.
       For k = 2, sphericity holds trivially: epsilon is 1 and Mauchly's test
       is not defined (NaN).

    References
    ----------
    .. [1] Mauchly JW (1940). Significance test for sphericity of a normal
       n-variate distribution. Ann Math Stat 11:204-209.
    .. [2] Huynh H, Feldt LS (1976). Estimation of the Box correction for
       degrees of freedom. J Educ Stat 1:69-82.
    """
    from scipy.stats import chi2 as chi2_dist
    from scipy.stats import f as f_dist

    y = np.asarray(data, float)
    n, k = y.shape
    grand = y.mean()
    ss_time = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_subj = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_err = ((y - grand) ** 2).sum() - ss_time - ss_subj
    df1, df2 = k - 1, (k - 1) * (n - 1)
    f = (ss_time / df1) / (ss_err / df2) if ss_err > 0 else np.nan
    out = {
        "F": f, "df1": df1, "df2": df2, "p": f_dist.sf(f, df1, df2),
        "partial_eta_sq": ss_time / (ss_time + ss_err),
        "generalized_eta_sq": ss_time / (ss_time + ss_subj + ss_err),
    }
    p = k - 1
    if k == 2:
        eps_gg = eps_hf = 1.0
        out.update(mauchly_w=np.nan, mauchly_chi2=np.nan, mauchly_df=np.nan, mauchly_p=np.nan)
    else:
        c = _contrasts(k)
        t = c.T @ np.cov(y, rowvar=False) @ c
        w = np.linalg.det(t) / (np.trace(t) / p) ** p
        d = 1 - (2 * p**2 + p + 2) / (6 * p * (n - 1))
        stat = -(n - 1) * d * np.log(w)
        mdf = p * (p + 1) / 2 - 1
        eps_gg = np.trace(t) ** 2 / (p * np.trace(t @ t))
        eps_hf = min(1.0, (n * p * eps_gg - 2) / (p * (n - 1 - p * eps_gg)))
        out.update(mauchly_w=w, mauchly_chi2=stat, mauchly_df=mdf,
                   mauchly_p=chi2_dist.sf(stat, mdf))
    out.update(eps_gg=eps_gg, eps_hf=eps_hf,
               p_gg=f_dist.sf(f, df1 * eps_gg, df2 * eps_gg),
               p_hf=f_dist.sf(f, df1 * eps_hf, df2 * eps_hf))
    return {key: float(v) for key, v in out.items()}


def paired_t(earlier, later) -> dict:
    r"""Paired t-test of later minus earlier (two-sided).

    Parameters
    ----------
    earlier, later : array-like of float
        Complete pairs.

    Returns
    -------
    dict with ``t``, ``df`` (n - 1), ``p`` and ``mean_diff``.

    Notes
    -----
    :math:`t = \bar D / (s_D/\sqrt n)` with :math:`D` = later - earlier.
    Equals R's ``t.test(later, earlier, paired = TRUE)`` and SPSS's T-TEST
    PAIRS = later WITH earlier (PAIRED). tests/test_stats_reference.py checks
    it against R's ``sleep`` example (t = -4.0621, df = 9, p = 0.002833).

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6:1-25.
    """
    from scipy.stats import ttest_rel

    earlier, later = np.asarray(earlier, float), np.asarray(later, float)
    res = ttest_rel(later, earlier)
    return {"t": float(res.statistic), "df": float(len(later) - 1), "p": float(res.pvalue),
            "mean_diff": float((later - earlier).mean())}
