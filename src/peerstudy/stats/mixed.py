"""Linear mixed model over timepoints, using all available data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["timepoint_contrasts"]


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
    import statsmodels.formula.api as smf
    from scipy.stats import norm

    frame = data[[dv, within, subject]].dropna().copy()
    frame[within] = pd.Categorical(frame[within], categories=levels)
    ref = levels[0]
    formula = f"{dv} ~ C({within}, Treatment(reference='{ref}'))"
    fit, failure = None, ""
    for method in ("lbfgs", "bfgs", "powell"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = smf.mixedlm(formula, frame, groups=frame[subject]).fit(
                    reml=True, method=[method])
                break
            except (np.linalg.LinAlgError, ValueError) as exc:
                failure = f"{method}: {exc}"
    if fit is None:
        rows = [{"earlier": e, "later": lt, "estimate": np.nan, "se": np.nan, "z": np.nan,
                 "p": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                 "n": int(frame[subject].nunique())} for e, lt in pairs]
        return rows, f"mixed model could not be fitted ({failure})"
    names = {lvl: f"C({within}, Treatment(reference='{ref}'))[T.{lvl}]" for lvl in levels[1:]}
    params, cov = fit.fe_params, fit.cov_params()
    z_crit = norm.ppf(1 - (1 - level) / 2)
    rows = []
    for earlier, later in pairs:
        vec = pd.Series(0.0, index=params.index)
        if later != ref:
            vec[names[later]] += 1
        if earlier != ref:
            vec[names[earlier]] -= 1
        est = float(vec @ params)
        se = float(np.sqrt(vec @ cov.loc[params.index, params.index] @ vec))
        z = est / se if se > 0 else np.nan
        rows.append({"earlier": earlier, "later": later, "estimate": est, "se": se, "z": z,
                     "p": float(2 * norm.sf(abs(z))), "ci_low": est - z_crit * se,
                     "ci_high": est + z_crit * se, "n": int(frame[subject].nunique())})
    messages = sorted({str(w.message).split("\n")[0] for w in caught})
    note = "; ".join(messages) if messages or fit.converged else "did not converge"
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
    import statsmodels.formula.api as smf
    from scipy.stats import norm

    cols = [dv, arm, within, subject] + ([site] if site else [])
    frame = data[cols].dropna().copy()
    frame[arm] = pd.Categorical(frame[arm], categories=[arms[1], arms[0]])  # B = reference
    frame[within] = pd.Categorical(frame[within], categories=levels)
    formula = f"{dv} ~ C({arm}) * C({within})" + (f" + C({site})" if site else "")
    fit, failure, note = None, "", ""
    for method in ("lbfgs", "bfgs", "powell"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = smf.mixedlm(formula, frame, groups=frame[subject]).fit(
                    reml=True, method=[method])
                note = "; ".join(sorted({str(w.message).split("\n")[0] for w in caught}))
                break
            except (np.linalg.LinAlgError, ValueError) as exc:
                failure = f"{method}: {exc}"
    n = int(frame[subject].nunique())
    if fit is None:
        return [], f"mixed model could not be fitted ({failure})"
    params, cov = fit.fe_params, fit.cov_params().loc[fit.fe_params.index, fit.fe_params.index]
    a_term = f"C({arm})[T.{arms[0]}]"

    def term(t):
        return f"{a_term}:C({within})[T.{t}]"

    z_crit = norm.ppf(1 - (1 - level) / 2)
    rows = []
    for i, tp in enumerate(levels):
        for kind in ("difference", "change"):
            if kind == "change" and i == 0:
                continue
            vec = pd.Series(0.0, index=params.index)
            if kind == "difference":
                vec[a_term] = 1.0
            if i:
                vec[term(tp)] = 1.0
            est = float(vec @ params)
            se = float(np.sqrt(vec @ cov @ vec))
            z = est / se if se > 0 else np.nan
            rows.append({"timepoint": tp, "kind": kind, "estimate": est, "se": se, "z": z,
                         "p": float(2 * norm.sf(abs(z))), "ci_low": est - z_crit * se,
                         "ci_high": est + z_crit * se, "n": n})
    return rows, note
