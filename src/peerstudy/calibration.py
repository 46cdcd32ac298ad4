"""How close the synthetic data come to the published numbers (synthetic studies only).

A published mean outside the range the registry allows for its scale is
marked ``attainable = False`` and reported, never forced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CALIBRATION_COLUMNS = ["group", "instrument", "scale", "timepoint", "published_mean",
                       "observed_mean", "difference", "attainable", "within_5_percent"]


def calibration_table(scores: pd.DataFrame, registry: dict, published: dict) -> pd.DataFrame:
    rows = []
    for group, instruments in sorted(published.get("means", {}).items()):
        for inst_id, scales in sorted(instruments.items()):
            instrument = registry[inst_id]
            for scale_id, means in sorted(scales.items()):
                low, high = instrument.scale_range(instrument.scales[scale_id])
                for tp, target in sorted(means.items()):
                    here = scores[(scores["group"] == group) & (scores["instrument"] == inst_id)
                                  & (scores["scale"] == scale_id) & (scores["timepoint"] == tp)]
                    observed = here["score"].mean()
                    attainable = bool(low <= target <= high)
                    rows.append({
                        "group": group, "instrument": inst_id, "scale": scale_id,
                        "timepoint": tp, "published_mean": target, "observed_mean": observed,
                        "difference": observed - target, "attainable": attainable,
                        "within_5_percent": bool(abs(observed - target) <= 0.05 * abs(target)),
                    })
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)


def published_direction(change: dict, means_by_scale: dict) -> float | None:
    """+1 / -1 for a published change that rose / fell, None if the source does not say.

    Taken from the change's own ``direction`` or ``change`` key, else from the
    published (or target) means of its scale at the two timepoints.
    """
    if "direction" in change:
        return 1.0 if change["direction"] == "up" else -1.0
    if "change" in change:
        return float(np.sign(change["change"]))
    earlier, later = change["contrast"].split("-")
    m = means_by_scale.get(change["scale"], {})
    if earlier in m and later in m:
        return float(np.sign(m[later] - m[earlier]))
    return None


def calibration_tests(tests: pd.DataFrame, published: dict, alpha: float) -> pd.DataFrame:
    """Published p-values beside this run's primary test (Wilcoxon), pooled sites."""
    rows = []
    means = published.get("means", {})
    for change in published.get("changes", []):
        hit = tests[(tests["site"] == "all") & (tests["group"] == change["group"])
                    & (tests["instrument"] == change["instrument"])
                    & (tests["scale"] == change["scale"]) & (tests["test"] == "wilcoxon")
                    & (tests["contrast"] == change["contrast"])]
        observed = hit.iloc[0] if len(hit) else None
        m = means.get(change["group"], {}).get(change["instrument"], {})
        want = published_direction(change, m)
        got = None if observed is None else float(np.sign(observed["mean_difference"]))
        p = np.nan if observed is None else observed["p"]
        rows.append({
            "group": change["group"], "instrument": change["instrument"],
            "scale": change["scale"], "contrast": change["contrast"], "test": "wilcoxon",
            "published_p": change["p"], "observed_p": p,
            "published_significant": change["p"] < alpha, "observed_significant": p < alpha,
            "same_side": (change["p"] < alpha) == (p < alpha),
            "published_direction": want,
            "observed_change": np.nan if observed is None else observed["mean_difference"],
            "same_direction": None if want is None or got is None else (want == got)})
    return pd.DataFrame(rows, columns=CALIBRATION_TEST_COLUMNS)


CALIBRATION_TEST_COLUMNS = ["group", "instrument", "scale", "contrast", "test", "published_p",
                            "observed_p", "published_significant", "observed_significant",
                            "same_side", "published_direction", "observed_change",
                            "same_direction"]
