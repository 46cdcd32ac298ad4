"""Figures: drawing fewer artists must not change a pixel."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from peerstudy import figures

PANELS = [("service_user", "Service users", "ssq", "total"),
          ("professional", "Professionals", "cami", "total")]


def _one_line_each(ax, a, b):
    """The way pre_post drew its pairs before: one Line2D per person."""
    for u, v in zip(a, b, strict=True):
        ax.plot([0, 1], [u, v], color="#BBBBBB", lw=0.5, alpha=0.7, zorder=1)


def _png(scores, registry) -> bytes:
    import matplotlib.pyplot as plt

    fig = figures.pre_post(scores, registry, PANELS, ["T1", "T3"], synthetic=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=300, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


@pytest.mark.parametrize("n, seed", [(3, 0), (60, 1), (400, 2)])
def test_pre_post_pairs_as_one_collection_draw_the_same_png(registry, monkeypatch, n, seed):
    # pre_post draws every person's pair as one LineCollection (thousands of Line2D
    # artists took most of the figures job in a large study); the PNG must be the one the
    # per-person lines gave, byte for byte (scores on a half-point grid: many overlaps)
    rng = np.random.default_rng(seed)
    rows = []
    for group, _, inst, scale in PANELS:
        low, high = registry[inst].scale_range(registry[inst].scales[scale])
        for i in range(n):
            for tp in ("T1", "T3"):
                rows.append({"participant_id": f"{group}{i}", "group": group,
                             "instrument": inst, "scale": scale, "timepoint": tp,
                             "score": round(rng.uniform(low, high) * 2) / 2})
    scores = pd.DataFrame(rows)
    drawn = _png(scores, registry)
    monkeypatch.setattr(figures, "_pairs", _one_line_each)
    assert drawn == _png(scores, registry)
