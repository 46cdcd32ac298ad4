"""Linear mixed model over timepoints, using all available data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["timepoint_contrasts", "arm_time_contrasts"]


def _fit_reml(formula: str, frame: pd.DataFrame, subject: str):
    """REML fit of a random-intercept model, trying optimisers in turn.

    Returns ``(fit, note)``; ``fit`` is None when every optimiser failed, and
    ``note`` holds the warnings or the last failure.
    """
    import statsmodels.formula.api as smf

    failure = ""
    for method in ("lbfgs", "bfgs", "powell"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = smf.mixedlm(formula, frame, groups=frame[subject]).fit(
                    reml=True, method=[method])
            except (np.linalg.LinAlgError, ValueError) as exc:
                failure = f"{method}: {exc}"
                continue
        note = "; ".join(sorted({str(w.message).split("\n")[0] for w in caught}))
        return fit, note
    return None, f"mixed model could not be fitted ({failure})"


def _wald(vec: pd.Series, fit, level: float) -> dict:
    """Estimate, SE, z, two-sided p and CI of the linear contrast ``vec`` of the fixed effects."""
    from scipy.stats import norm

    params = fit.fe_params
    cov = fit.cov_params().loc[params.index, params.index]
    est = float(vec @ params)
    se = float(np.sqrt(vec @ cov @ vec))
    z = est / se if se > 0 else np.nan
    half = norm.ppf(1 - (1 - level) / 2) * se
    return {"estimate": est, "se": se, "z": z, "p": float(2 * norm.sf(abs(z))),
            "ci_low": est - half, "ci_high": est + half}


def timepoint_contrasts(data: pd.DataFrame, dv: str, within: str, subject: str,
                        levels: list[str], pairs: list[tuple[str, str]],
                        level: float = 0.95) -> tuple[list[dict], str]:
    r"""Fit ``dv ~ C(within) + (1 | subject)`` by REML; return later-minus-earlier contrasts.

    Every observed score enters, so participants who dropped out still
    contribute (missing at random assumed). Estimates are differences of the
    fixed timepoint means with Wald z CIs and p from statsmodels' MixedLM.

    Returns ``(rows, note)``: one dict per pair with ``estimate``, ``se``,
    ``z``, ``p``, ``ci_low``, ``ci_high``, ``n`` (participants), and a note
    with any convergence warning.

    Notes
    -----
    With complete, balanced data and two timepoints the estimate equals the
    mean paired difference and z equals the paired t statistic (a test checks
    this on R's ``sleep`` data).
    """
    frame = data[[dv, within, subject]].dropna().copy()
    frame[within] = pd.Categorical(frame[within], categories=levels)
    ref = levels[0]
    term = f"C({within}, Treatment(reference='{ref}'))"
    fit, note = _fit_reml(f"{dv} ~ {term}", frame, subject)
    n = int(frame[subject].nunique())
    if fit is None:
        empty = dict.fromkeys(["estimate", "se", "z", "p", "ci_low", "ci_high"], np.nan)
        return [{"earlier": e, "later": lt, **empty, "n": n} for e, lt in pairs], note
    rows = []
    for earlier, later in pairs:
        vec = pd.Series(0.0, index=fit.fe_params.index)
        if later != ref:
            vec[f"{term}[T.{later}]"] += 1
        if earlier != ref:
            vec[f"{term}[T.{earlier}]"] -= 1
        rows.append({"earlier": earlier, "later": later, **_wald(vec, fit, level), "n": n})
    return rows, note


def arm_time_contrasts(data: pd.DataFrame, dv: str, arm: str, within: str, subject: str,
                       arms: list[str], levels: list[str], site: str | None = None,
                       level: float = 0.95) -> tuple[list[dict], str]:
    r"""Arm x time linear mixed model; arm differences per timepoint and in change.

    Fits ``dv ~ C(arm) * C(within) [+ C(site)] + (1 | subject)`` by REML on all
    available data. Site enters as a fixed effect: with few sites a random
    site variance cannot be estimated reliably (it would rest on 2-3 values).

    Returns one dict per timepoint with ``kind`` 'difference' (arm A minus arm
    B at that timepoint) and, for every timepoint after the first, one with
    ``kind`` 'change' (A's change from the first timepoint minus B's: the
    arm x time interaction contrast), each with estimate, se, z, p and CI.
    """
    cols = [dv, arm, within, subject] + ([site] if site else [])
    frame = data[cols].dropna().copy()
    frame[arm] = pd.Categorical(frame[arm], categories=[arms[1], arms[0]])  # B = reference
    frame[within] = pd.Categorical(frame[within], categories=levels)
    formula = f"{dv} ~ C({arm}) * C({within})" + (f" + C({site})" if site else "")
    fit, note = _fit_reml(formula, frame, subject)
    if fit is None:
        return [], note
    n = int(frame[subject].nunique())
    a_term = f"C({arm})[T.{arms[0]}]"
    rows = []
    for i, tp in enumerate(levels):
        for kind in ("difference", "change"):
            if kind == "change" and i == 0:
                continue
            vec = pd.Series(0.0, index=fit.fe_params.index)
            if kind == "difference":
                vec[a_term] = 1.0
            if i:
                vec[f"{a_term}:C({within})[T.{tp}]"] = 1.0
            rows.append({"timepoint": tp, "kind": kind, **_wald(vec, fit, level), "n": n})
    return rows, note
