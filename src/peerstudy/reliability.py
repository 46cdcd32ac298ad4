"""Internal consistency of each multi-item scale in this sample.

Cronbach's alpha with Feldt's F-based confidence interval, and McDonald's
omega total from a one-factor maximum-likelihood fit where the sample allows
it. Items are keyed for the scale first (reverse-keyed items flipped), and
complete cases on the scale's items are used (listwise deletion).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peerstudy.instruments import Instrument, answers_on_form

RELIABILITY_COLUMNS = ["group", "instrument", "scale", "timepoint", "n", "k_items", "alpha",
                       "alpha_ci_low", "alpha_ci_high", "omega", "note"]


def cronbach_alpha(data: np.ndarray) -> float:
    r"""Cronbach's alpha of an (n x k) matrix of complete answers.

    Parameters
    ----------
    data : array (n, k)
        Complete cases, items keyed in the scale's direction.

    Returns
    -------
    float : NaN when the sum score has no variance.

    Notes
    -----
    .. math:: \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_j s^2_j}{s^2_X}\right)

    with sample variances (ddof = 1) of the items and of their sum. Equals
    R's ``psych::alpha(x)$total$raw_alpha`` (except that psych drops items
    without variance from k) and SPSS's RELIABILITY /MODEL=ALPHA.
    tests/test_reliability.py checks it against pingouin's documented
    psych values; the exported R and SPSS syntax checks every row.

    References
    ----------
    .. [1] Cronbach LJ (1951). Coefficient alpha and the internal structure of
       tests. Psychometrika 16:297-334. doi:10.1007/BF02310555
    """
    data = np.asarray(data, dtype=float)
    k = data.shape[1]
    item_var = data.var(axis=0, ddof=1).sum()
    total_var = data.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - item_var / total_var))


def alpha_ci_feldt(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    r"""Feldt's (1965) confidence interval for Cronbach's alpha.

    Parameters
    ----------
    alpha : float
        Cronbach's alpha of ``n`` complete cases on ``k`` items.
    n, k : int
    level : float
        Confidence level.

    Returns
    -------
    (low, high) : tuple of float

    Notes
    -----
    :math:`(1-\alpha)` divided by its population value follows
    :math:`F(n-1, (n-1)(k-1))`, so the bounds are
    :math:`1 - (1-\hat\alpha)\,F_{(1\pm c)/2}`. Equals R's
    ``psych::alpha.ci(alpha, n.obs = n, n.var = k, p.val = 1 - level)``
    (checked in ``tests/test_reliability.py`` and by the exported R syntax).
    The F quantiles come from ``scipy.special.fdtri``: importing
    ``scipy.stats`` for them cost a second per run.

    .. warning:: With ``nan_policy="listwise"`` pingouin 0.7.0 takes ``n`` from
       the data *before* dropping incomplete rows; here ``n`` is the number of
       complete cases that alpha was computed from, so intervals are wider.

    References
    ----------
    .. [1] Feldt LS (1965). The approximate sampling distribution of
       Kuder-Richardson reliability coefficient twenty. Psychometrika 30:357-370.
    """
    from scipy.special import fdtri

    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * fdtri(df1, df2, (1 + level) / 2)
    high = 1 - (1 - alpha) * fdtri(df1, df2, (1 - level) / 2)
    return float(low), float(high)


HEYWOOD = 0.005   # lower bound of the uniquenesses, as R's factanal (control$lower)


def _fa_objective(psi: np.ndarray, corr: np.ndarray) -> tuple[float, np.ndarray]:
    """factanal's ML discrepancy for one factor and its gradient in the uniquenesses."""
    scale = 1 / np.sqrt(psi)
    vals, vecs = np.linalg.eigh(corr * np.outer(scale, scale))
    rest = vals[:-1]                                   # all but the largest eigenvalue
    value = -(np.sum(np.log(rest) - rest) - 1 + len(psi))
    load = np.sqrt(psi) * vecs[:, -1] * np.sqrt(max(vals[-1] - 1, 0.0))
    grad = (load**2 + psi - np.diag(corr)) / psi**2
    return float(value), grad


def _heywood_limits(corr: np.ndarray) -> np.ndarray:
    """Objective of each limiting fit "item j is the factor" (psi_j = 0, the others
    regressed on item j: psi_i = 1 - r_ij^2), in closed form: log of the product of
    the residual variances over the determinant of the residual covariance."""
    k = corr.shape[0]
    out = np.full(k, np.inf)
    for j in range(k):
        rest = np.delete(np.arange(k), j)
        resid = corr[np.ix_(rest, rest)] - np.outer(corr[rest, j], corr[rest, j])
        sign, logdet = np.linalg.slogdet(resid)
        diag = np.diag(resid)
        if sign > 0 and np.all(diag > 0):
            out[j] = np.log(diag).sum() - logdet
    return out


def _fa_minimise(corr: np.ndarray, start: np.ndarray):
    from scipy.optimize import minimize

    return minimize(_fa_objective, start, args=(corr,), jac=True, method="L-BFGS-B",
                    bounds=[(HEYWOOD, 1.0)] * len(start),
                    options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 2000})


def one_factor_ml(corr: np.ndarray, margin: float = 0.3) -> dict:
    r"""Global maximum-likelihood fit of the one-factor model to a correlation matrix.

    Parameters
    ----------
    corr : array (k, k)
        Item correlation matrix (positive definite).
    margin : float
        A Heywood start is tried when its limiting objective is within this
        much of the best objective found (see Notes).

    Returns
    -------
    dict with ``loadings`` (sign-aligned: their sum is positive),
    ``uniquenesses``, ``objective`` (factanal's ML discrepancy), ``starts``
    (every start considered, one per column, as R's ``factanal(start =)``
    takes them) and ``tried`` (the columns actually optimised).

    Notes
    -----
    Minimises R ``factanal``'s objective
    :math:`F(\Psi) = -\sum_{j \geq 2}(\log e_j - e_j) - 1 + k` over the
    uniquenesses :math:`\Psi \in [0.005, 1]^k`, with :math:`e_j` the
    eigenvalues of :math:`\Psi^{-1/2} R \Psi^{-1/2}`, by L-BFGS-B with the
    analytic gradient (factanal's own algorithm and bounds). A one-factor
    model can have several local optima; the competing ones lie near a
    Heywood case, where one item is taken as the factor itself. So besides
    factanal's default start, :math:`(1 - 0.5/k)/\mathrm{diag}(R^{-1})`,
    there is a start for each item j at that configuration
    (:math:`\psi_j = 0.005`, :math:`\psi_i = 1 - r_{ij}^2`). Its limiting
    objective (at :math:`\psi_j = 0`) has the closed form
    :math:`\sum_i \log c_{ii} - \log|C|` with :math:`C` the covariance of
    the other items' residuals on item j; starts whose limit lies more than
    ``margin`` above the best objective so far cannot hold the global
    optimum in practice and are skipped, which keeps the fit fast. Every
    start is deterministic. The exported R syntax hands factanal all k + 1
    starts and checks that it finds the same optimum. Written here because
    statsmodels' ``Factor`` draws random starting values and keeps the first
    optimum it reaches.
    """
    k = corr.shape[0]
    default = (1 - 0.5 / k) / np.diag(np.linalg.inv(corr))
    heywood = np.clip(1 - corr**2, HEYWOOD, 1.0)
    np.fill_diagonal(heywood, HEYWOOD)
    starts = np.column_stack([np.clip(default, HEYWOOD, 1.0), heywood])
    best = _fa_minimise(corr, starts[:, 0])
    tried = [0]
    limits = _heywood_limits(corr)
    for j in np.argsort(limits, kind="stable"):
        if limits[j] > best.fun + margin:
            break
        res = _fa_minimise(corr, starts[:, j + 1])
        tried.append(int(j) + 1)
        if res.fun < best.fun - 1e-12:
            best = res
    psi = best.x
    scale = 1 / np.sqrt(psi)
    vals, vecs = np.linalg.eigh(corr * np.outer(scale, scale))
    load = np.sqrt(psi) * vecs[:, -1] * np.sqrt(max(vals[-1] - 1, 0.0))
    if load.sum() < 0:
        load = -load
    return {"loadings": load, "uniquenesses": psi, "objective": float(best.fun),
            "starts": starts, "tried": sorted(tried)}


def omega_total(data: np.ndarray, items: list[str] | None = None) -> tuple[float, str]:
    r"""McDonald's omega total from a one-factor ML fit on the item correlations.

    Parameters
    ----------
    data : array (n, k)
        Complete answers, items keyed in the scale's direction.
    items : list of str, optional
        Item ids, for the notes (default: positions 1..k).

    Returns
    -------
    (omega, note) : omega is NaN with the reason in ``note`` when the sample
    does not allow the fit: n <= k, an item without variance, a singular
    correlation matrix, fewer than 3 items (one factor is not identified), or
    a Heywood case (a uniqueness at factanal's lower
    bound, 0.005, in the global optimum). ``note`` also names items that load
    negatively after the loadings are aligned to a positive sum (a keying
    problem to check).

    Notes
    -----
    .. math:: \omega = rac{(\sum_j \lambda_j)^2}{(\sum_j \lambda_j)^2 + \sum_j \psi_j}

    with standardised loadings :math:`\lambda` and uniquenesses :math:`\psi`
    of :func:`one_factor_ml`. Equals omega computed from R's
    ``factanal(covmat = cor(x), factors = 1, n.obs = n, start = <the same
    starts>)`` (tests/test_reliability.py; the exported R syntax checks every
    row of reliability.csv). ``psych::omega`` differs: it uses a
    Schmid-Leiman solution of a minres fit.

    References
    ----------
    .. [1] McDonald RP (1999). Test theory: a unified treatment. Erlbaum.
    .. [2] Lawley DN, Maxwell AE (1971). Factor analysis as a statistical
       method, 2nd ed. Butterworths (the ML criterion factanal minimises).
    """
    data = np.asarray(data, dtype=float)
    n, k = data.shape
    if n <= k:
        return float("nan"), f"omega not estimated: n = {n} <= k = {k} items"
    if np.any(data.var(axis=0, ddof=1) == 0):
        return float("nan"), "omega not estimated: an item has no variance in this sample"
    corr = np.corrcoef(data, rowvar=False)
    if not np.all(np.isfinite(corr)) or np.linalg.eigvalsh(corr).min() < 1e-8:
        return float("nan"), "omega not estimated: item correlation matrix is singular"
    if k < 3:
        return float("nan"), "omega not estimated: a one-factor model needs at least 3 items"
    names = list(items) if items is not None else [str(j + 1) for j in range(k)]
    fit = one_factor_ml(corr)
    low = np.flatnonzero(fit["uniquenesses"] <= HEYWOOD * (1 + 1e-6))
    if len(low):
        which = ", ".join(names[j] for j in low)
        return float("nan"), (f"omega not estimated: Heywood case (uniqueness of {which} at "
                              f"the bound {HEYWOOD} in the best one-factor fit)")
    total = fit["loadings"].sum()
    omega = float(total**2 / (total**2 + fit["uniquenesses"].sum()))
    negative = np.flatnonzero(fit["loadings"] < 0)
    note = (f"negative one-factor loading: {', '.join(names[j] for j in negative)}"
            if len(negative) else "")
    return omega, note


def keyed_matrix(block: pd.DataFrame, instrument: Instrument, scale) -> np.ndarray:
    answers = block.reindex(columns=list(scale.items)).to_numpy(dtype=float)
    lows = np.array([instrument.items[i].min for i in scale.items], dtype=float)
    highs = np.array([instrument.items[i].max for i in scale.items], dtype=float)
    flip = np.array([instrument.reversed_in(scale, i) for i in scale.items])
    return np.where(flip, lows + highs - answers, answers)


def reliability_table(items: pd.DataFrame, registry: dict, level: float = 0.95) -> pd.DataFrame:
    """One row per group x instrument x scale x timepoint for multi-item scales.

    Items are keyed for the scale (:func:`keyed_matrix`) and incomplete cases
    dropped (listwise) before alpha, its Feldt CI and omega are computed.
    """
    rows = []
    keys = ["group", "instrument", "timepoint"]
    for (group, inst_id, tp), block in items.groupby(keys, sort=True):
        instrument = registry[inst_id]
        if "form" in block.columns:  # answers on other forms, on the analysed form's ranges
            block = block.assign(value=answers_on_form(block["value"], block["item"],
                                                       block["form"], instrument))
        wide = block.set_index(["participant_id", "item"])["value"].unstack("item")
        for scale in instrument.scales.values():
            k = len(scale.items)
            if k < 2:
                continue
            data = keyed_matrix(wide, instrument, scale)
            data = data[~np.isnan(data).any(axis=1)]
            rows.append(_row(group, inst_id, scale.id, tp, data, list(scale.items), level))
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)


def _row(group, inst_id, scale_id, tp, data, items, level) -> dict:
    n, k = len(data), len(items)
    row = {"group": group, "instrument": inst_id, "scale": scale_id, "timepoint": tp,
           "n": n, "k_items": k}
    if n < 3:
        return {**row, "alpha": np.nan, "alpha_ci_low": np.nan, "alpha_ci_high": np.nan,
                "omega": np.nan, "note": f"not estimated: n = {n} complete cases"}
    alpha = cronbach_alpha(data)
    low, high = alpha_ci_feldt(alpha, n, k, level) if np.isfinite(alpha) else (np.nan, np.nan)
    omega, note = omega_total(data, items)
    notes = ["listwise complete cases", f"Feldt {level:.0%} CI"] + ([note] if note else [])
    return {**row, "alpha": alpha, "alpha_ci_low": low, "alpha_ci_high": high,
            "omega": omega, "note": "; ".join(notes)}
