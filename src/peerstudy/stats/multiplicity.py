"""Multiple-comparison adjustment within declared families."""

from __future__ import annotations

import numpy as np

__all__ = ["adjust", "METHODS"]

METHODS = ("holm", "bh", "bonferroni", "none")


def adjust(p, method: str) -> np.ndarray:
    r"""Holm, Benjamini-Hochberg or Bonferroni adjusted p-values; NaN stays NaN.

    Parameters
    ----------
    p : array-like of float
        Unadjusted p-values of one family; NaN marks a test that could not be
        computed and takes no part in the adjustment (m counts the others).
    method : {'holm', 'bh', 'bonferroni', 'none'}

    Returns
    -------
    ndarray
        Adjusted p-values in the input order, capped at 1.

    Notes
    -----
    With the m finite p-values sorted, :math:`p_{(1)} \le \dots \le p_{(m)}`:

    - Bonferroni: :math:`\min(1, m\,p_i)`.
    - Holm (1979): :math:`\tilde p_{(i)} = \min\{1, \max_{j \le i} (m - j + 1)\,p_{(j)}\}`.
    - Benjamini-Hochberg (1995):
      :math:`\tilde p_{(i)} = \min\{1, \min_{j \ge i} m\,p_{(j)}/j\}`.

    Equals R's ``p.adjust(p, method = "holm" | "BH" | "bonferroni")``, which
    also leaves NA out of m (tests/test_stats_reference.py, against the
    values R prints). Written here rather than taken from statsmodels'
    ``multipletests``, which calls ``gc.collect()`` on every call (1.3 s over
    one run's families).

    References
    ----------
    .. [1] Holm S (1979). A simple sequentially rejective multiple test
       procedure. Scand J Stat 6:65-70.
    .. [2] Benjamini Y, Hochberg Y (1995). Controlling the false discovery
       rate. J R Stat Soc B 57:289-300. doi:10.1111/j.2517-6161.1995.tb02031.x
    """
    if method not in METHODS:
        raise ValueError(f"unknown multiplicity method {method!r} (valid: {', '.join(METHODS)})")
    p = np.asarray(p, float)
    out = p.copy()
    ok = np.isfinite(p)
    m = int(ok.sum())
    if method == "none" or m == 0:
        return out
    finite = p[ok]
    if method == "bonferroni":
        out[ok] = np.minimum(1.0, m * finite)
        return out
    order = np.argsort(finite, kind="stable")
    ranked = finite[order]
    i = np.arange(1, m + 1)
    if method == "holm":
        adj = np.minimum(1.0, np.maximum.accumulate((m - i + 1) * ranked))
    else:  # bh
        adj = np.minimum(1.0, np.minimum.accumulate((m * ranked / i)[::-1])[::-1])
    back = np.empty(m)
    back[order] = adj
    out[ok] = back
    return out
