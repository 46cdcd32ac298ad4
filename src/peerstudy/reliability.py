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

    Notes
    -----
    .. math:: \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_j s^2_j}{s^2_X}\right)

    with sample variances (ddof = 1) of the items and of their sum.

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
    r"""Feldt's (1965) confidence interval for alpha.

    Notes
    -----
    :math:`(1-\alpha)` divided by its population value follows
    :math:`F(n-1, (n-1)(k-1))`, so the bounds are
    :math:`1 - (1-\hat\alpha)\,F_{(1\mp c)/2}`. pingouin's ``cronbach_alpha``
    uses the same interval.

    .. warning:: With ``nan_policy="listwise"`` pingouin 0.7.0 takes ``n`` from
       the data *before* dropping incomplete rows; here ``n`` is the number of
       complete cases that alpha was computed from, so intervals are wider.

    References
    ----------
    .. [1] Feldt LS (1965). The approximate sampling distribution of
       Kuder-Richardson reliability coefficient twenty. Psychometrika 30:357-370.
    """
    from scipy.stats import f

    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * f.isf((1 - level) / 2, df1, df2)
    high = 1 - (1 - alpha) * f.isf((1 + level) / 2, df1, df2)
    return float(low), float(high)


def omega_total(data: np.ndarray, seed: int = 20221104) -> tuple[float, str]:
    r"""McDonald's omega total from a one-factor ML fit on the correlation matrix.

    Returns ``(omega, note)``; omega is NaN with the reason in ``note`` when the
    sample does not allow the fit (n <= k, a singular correlation matrix, no
    convergence or a Heywood case). statsmodels draws the ML starting values
    at random; ``seed`` fixes them so that reruns give identical bytes.

    Notes
    -----
    .. math:: \omega = \frac{(\sum_j \lambda_j)^2}{(\sum_j \lambda_j)^2 + \sum_j \psi_j}

    with standardised loadings :math:`\lambda` and uniquenesses :math:`\psi`.

    References
    ----------
    .. [1] McDonald RP (1999). Test theory: a unified treatment. Erlbaum.
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
    import warnings

    from statsmodels.multivariate.factor import Factor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = Factor(corr=corr, n_factor=1, method="ml", nobs=n).fit(
                rng=np.random.default_rng(seed)
            )
        except Exception as exc:  # statsmodels raises several types on failure
            return float("nan"), f"omega not estimated: one-factor fit failed ({exc})"
    loadings = np.asarray(fit.loadings)[:, 0]
    uniq = np.asarray(fit.uniqueness)
    if np.any(uniq < 0.005):
        return float("nan"), "omega not estimated: Heywood case in the one-factor fit"
    total = loadings.sum()
    return float(total**2 / (total**2 + uniq.sum())), ""


def keyed_matrix(block: pd.DataFrame, instrument: Instrument, scale) -> np.ndarray:
    answers = block.reindex(columns=list(scale.items)).to_numpy(dtype=float)
    lows = np.array([instrument.items[i].min for i in scale.items], dtype=float)
    highs = np.array([instrument.items[i].max for i in scale.items], dtype=float)
    flip = np.array([instrument.reversed_in(scale, i) for i in scale.items])
    return np.where(flip, lows + highs - answers, answers)


def reliability_table(
    items: pd.DataFrame, registry: dict, level: float = 0.95, seed: int = 20221104
) -> pd.DataFrame:
    """One row per group x instrument x scale x timepoint for multi-item scales."""
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
            rows.append(_row(group, inst_id, scale.id, tp, data, k, level, seed))
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)


def _row(group, inst_id, scale_id, tp, data, k, level, seed) -> dict:
    n = len(data)
    row = {"group": group, "instrument": inst_id, "scale": scale_id, "timepoint": tp,
           "n": n, "k_items": k}
    if n < 3:
        return {**row, "alpha": np.nan, "alpha_ci_low": np.nan, "alpha_ci_high": np.nan,
                "omega": np.nan, "note": f"not estimated: n = {n} complete cases"}
    alpha = cronbach_alpha(data)
    low, high = alpha_ci_feldt(alpha, n, k, level) if np.isfinite(alpha) else (np.nan, np.nan)
    omega, note = omega_total(data, seed)
    notes = ["listwise complete cases", f"Feldt {level:.0%} CI"] + ([note] if note else [])
    return {**row, "alpha": alpha, "alpha_ci_low": low, "alpha_ci_high": high,
            "omega": omega, "note": "; ".join(notes)}
