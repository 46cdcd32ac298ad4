"""How close the synthetic data come to the published numbers (synthetic studies only).

A published mean outside the range the registry allows for its scale is
marked ``attainable = False`` and reported, never forced.
"""

from __future__ import annotations

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
