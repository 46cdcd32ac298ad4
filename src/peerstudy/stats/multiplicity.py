"""Multiple-comparison adjustment within declared families."""

from __future__ import annotations

import numpy as np

__all__ = ["adjust"]

METHODS = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni", "none": None}


def adjust(p: np.ndarray, method: str) -> np.ndarray:
    """Holm (1979), Benjamini-Hochberg (1995) or Bonferroni adjusted p; NaN kept.

    Same as R's ``p.adjust(p, method = "holm" | "BH" | "bonferroni")``.
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, float)
    out = p.copy()
    ok = np.isfinite(p)
    if METHODS[method] is None or ok.sum() == 0:
        return out
    out[ok] = multipletests(p[ok], method=METHODS[method])[1]
    return out
