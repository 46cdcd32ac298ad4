"""Multiple imputation: chained-equation imputations and Rubin's rules.

Imputations by chained equations with predictive mean matching, the algorithm of
R's ``mice(method = "pmm")``, one seeded chain per imputation; the analyses of the
completed data sets are pooled with Rubin's rules and Barnard and Rubin's
small-sample degrees of freedom, exactly as ``mice::pool.scalar`` pools them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["impute_chained", "rubin_pool"]


def impute_chained(frame: pd.DataFrame, imputations: int, iterations: int, seeds: list,
                   donors: int = 5, ridge: float = 1e-5) -> list[pd.DataFrame]:
    r"""Complete a numeric data frame ``imputations`` times by chained equations (MICE)
    with predictive mean matching.

    Parameters
    ----------
    frame : DataFrame
        Numeric columns; NaN marks a missing value. Every column with a missing value
        is imputed from all the others.
    imputations : int
        How many completed data sets to return.
    iterations : int
        Cycles through the incomplete columns before an imputation is taken.
    seeds : list
        One seed (int or sequence of ints, as ``numpy.random.default_rng`` takes it)
        per imputation: each imputation is its own chain, so imputations are
        independent and each can be reproduced alone.
    donors : int
        Candidate donors of predictive mean matching (mice's default, 5).
    ridge : float
        Ridge added to the diagonal of X'X, relative to it (mice's default, 1e-5).

    Returns
    -------
    list of DataFrame
        The completed data sets, with ``frame``'s index and columns; observed values
        are never changed, and every imputed value is a value observed in its column.

    Notes
    -----
    The algorithm is the one R's ``mice(method = "pmm")`` runs (van Buuren &
    Groothuis-Oudshoorn 2011): start from random draws of each column's observed
    values; then, ``iterations`` times, for each incomplete column :math:`y` in
    turn, regress it on all other (currently completed) columns and an intercept in
    the rows where it is observed, :math:`\hat\beta = (X'X + \kappa\,
    \mathrm{diag}(X'X))^{-1}X'y`; draw :math:`\sigma^{*2} = RSS/\chi^2_{n-p}`
    and :math:`\beta^* = \hat\beta + \sigma^* L z` (:math:`LL'` the inverse
    above, :math:`z` standard normal); and give each missing row the observed
    value of one of the ``donors`` rows whose :math:`x'\hat\beta` is closest to
    its :math:`x'\beta^*`, drawn at random (type-1 matching).

    Written with numpy rather than taken from statsmodels' ``MICEData`` (the same
    idea with another posterior draw and 20 donors) because ``MICEData`` rebuilds
    its regression formulas on every cycle: the trial's 280 chains took four
    minutes there and take about a second here. R's ``mice`` draws from another
    random stream, so the imputations cannot be made identical to R's; the
    analysis of these completed data sets and the pooling are checked against R
    on the same data sets (tests/test_syntax.py).

    References
    ----------
    .. [1] van Buuren S, Groothuis-Oudshoorn K (2011). mice: Multivariate
       imputation by chained equations in R. J Stat Softw 45(3):1-67.
       doi:10.18637/jss.v045.i03
    .. [2] White IR, Royston P, Wood AM (2011). Multiple imputation using
       chained equations: issues and guidance for practice. Stat Med
       30(4):377-399. doi:10.1002/sim.4067
    """
    if len(seeds) != imputations:
        raise ValueError(f"give one seed per imputation ({imputations}), got {len(seeds)}")
    values = frame.to_numpy(dtype=float)
    missing = np.isnan(values)
    targets = [j for j in range(values.shape[1]) if missing[:, j].any()]
    for j in targets:
        if missing[:, j].all():
            raise ValueError(f"column '{frame.columns[j]}' has no observed value to impute from")
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        data = values.copy()
        for j in targets:
            observed = data[~missing[:, j], j]
            data[missing[:, j], j] = rng.choice(observed, size=int(missing[:, j].sum()))
        for _ in range(iterations):
            for j in targets:
                data[missing[:, j], j] = _pmm_draw(data, missing[:, j], j, rng, donors, ridge)
        out.append(pd.DataFrame(data, index=frame.index, columns=frame.columns))
    return out


def _pmm_draw(data: np.ndarray, miss: np.ndarray, j: int, rng, donors: int,
              ridge: float) -> np.ndarray:
    """One predictive-mean-matching update of column ``j`` (see impute_chained)."""
    x = np.column_stack([np.ones(len(data)), np.delete(data, j, axis=1)])
    x_obs, y_obs = x[~miss], data[~miss, j]
    xtx = x_obs.T @ x_obs
    inv = np.linalg.inv(xtx + ridge * np.diag(np.diag(xtx)))
    beta = inv @ x_obs.T @ y_obs
    resid = y_obs - x_obs @ beta
    dof = max(len(y_obs) - x.shape[1], 1)
    sigma = np.sqrt(resid @ resid / rng.chisquare(dof))
    chol = np.linalg.cholesky((inv + inv.T) / 2)
    beta_star = beta + sigma * (chol @ rng.standard_normal(x.shape[1]))
    fitted = x_obs @ beta
    target = x[miss] @ beta_star
    k = min(donors, len(y_obs))
    distance = np.abs(fitted[None, :] - target[:, None])
    nearest = np.argpartition(distance, k - 1, axis=1)[:, :k] if k < len(y_obs) else \
        np.tile(np.arange(len(y_obs)), (len(target), 1))
    pick = nearest[np.arange(len(target)), rng.integers(k, size=len(target))]
    return y_obs[pick]


def rubin_pool(estimates, variances, df_complete: float = np.inf,
               level: float = 0.95) -> dict:
    r"""Pool one estimate over ``m`` imputations by Rubin's rules.

    Parameters
    ----------
    estimates, variances : array-like (m,)
        The estimate and its squared standard error in each completed data set.
    df_complete : float
        Degrees of freedom of the analysis had there been no missing data
        (``inf``: Rubin's 1987 large-sample df).
    level : float
        Confidence level of the interval.

    Returns
    -------
    dict with ``m``, ``estimate`` (:math:`\bar Q`), ``within`` (:math:`\bar U`),
    ``between`` (:math:`B`), ``total`` (:math:`T`), ``se`` (:math:`\sqrt T`),
    ``df``, ``riv`` (relative increase in variance :math:`r`), ``lambda``,
    ``fmi``, ``statistic`` (t), ``p`` (two-sided), ``ci_low``, ``ci_high``.

    Notes
    -----
    .. math::
        \bar Q = \frac1m\sum Q_l,\quad \bar U = \frac1m\sum U_l,\quad
        B = \frac{1}{m-1}\sum (Q_l - \bar Q)^2,\quad T = \bar U + (1 + \tfrac1m) B

    With :math:`\lambda = (1 + 1/m)B/T` (floored at 1e-4),
    :math:`\nu_{old} = (m-1)/\lambda^2`, :math:`\nu_{obs} = \frac{\nu_{com}+1}
    {\nu_{com}+3}\nu_{com}(1-\lambda)` and :math:`\nu = \nu_{old}\nu_{obs} /
    (\nu_{old} + \nu_{obs})` (Barnard & Rubin 1999; :math:`\nu_{old}` when
    :math:`\nu_{com}` is infinite); :math:`r = (1 + 1/m)B/\bar U` and
    :math:`\gamma = (r + 2/(\nu + 3))/(r + 1)`. The test is
    :math:`t = \bar Q/\sqrt T` on :math:`\nu` df, the interval
    :math:`\bar Q \pm t_{\nu, 1-\alpha/2}\sqrt T`.

    Equals R's ``mice::pool.scalar(Q, U, n = df_complete + 1, k = 1)`` (mice
    3.15, rule "rubin1987"; ``n - k`` is its complete-data df) with the t test
    and interval ``summary(pool())`` builds from it (tests/test_trial.py runs
    the R call). Written here because statsmodels pools only its own MICE
    model fits.

    References
    ----------
    .. [1] Rubin DB (1987). Multiple Imputation for Nonresponse in Surveys.
       Wiley. doi:10.1002/9780470316696
    .. [2] Barnard J, Rubin DB (1999). Small-sample degrees of freedom with
       multiple imputation. Biometrika 86(4):948-955. doi:10.1093/biomet/86.4.948
    """
    from scipy.stats import t as t_dist

    q = np.asarray(estimates, float)
    u = np.asarray(variances, float)
    m = len(q)
    if m < 2 or len(u) != m:
        raise ValueError("Rubin's rules need at least two imputations, with one variance each")
    qbar, ubar = float(q.mean()), float(u.mean())
    b = float(q.var(ddof=1))
    total = ubar + (1 + 1 / m) * b
    lam = max((1 + 1 / m) * b / total, 1e-4)
    df_old = (m - 1) / lam**2
    if np.isinf(df_complete):
        df = df_old
    else:
        df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
        df = df_old * df_obs / (df_old + df_obs)
    riv = (1 + 1 / m) * b / ubar
    fmi = (riv + 2 / (df + 3)) / (riv + 1)
    se = float(np.sqrt(total))
    stat = qbar / se
    crit = t_dist.ppf(1 - (1 - level) / 2, df)
    return {"m": m, "estimate": qbar, "within": ubar, "between": b, "total": total, "se": se,
            "df": float(df), "riv": float(riv), "lambda": float(lam), "fmi": float(fmi),
            "statistic": float(stat), "p": float(2 * t_dist.sf(abs(stat), df)),
            "ci_low": qbar - crit * se, "ci_high": qbar + crit * se}
