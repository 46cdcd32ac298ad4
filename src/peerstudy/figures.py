"""Publication figures: one function per figure, one style for all.

Colour-blind-safe palette (Okabe & Ito 2008), axis labels that state each
scale's range and direction from the registry, PNG at 300 dpi: the one format
the manuscripts use (HTML, DOCX and, through Typst, the PDF). Saving strips
the software stamp, so a rerun gives identical bytes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]


def setup():
    """Headless backend and the shared style; call before drawing."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.size": 9,
        "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10,
        "figure.dpi": 100, "savefig.bbox": "tight", "font.family": "DejaVu Sans",
    })
    return plt


def save_png(fig, png: str) -> None:
    """PNG (300 dpi) without the software stamp; the figure is closed afterwards."""
    import io

    import matplotlib.pyplot as plt

    from peerstudy.io import atomic_write_bytes

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=300, metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(png, buffer.getvalue())


def axis_label(instrument, scale_id: str, width: int = 30) -> str:
    import textwrap

    scale = instrument.scales[scale_id]
    low, high = instrument.scale_range(scale)
    name = instrument.short_name if scale_id == "total" else scale.label
    return f"{name} ({low:g}-{high:g})\n" + textwrap.fill(f"higher = {scale.higher_is}", width)


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its t interval. The t quantile is ``scipy.special.stdtrit``, the function
    ``scipy.stats.t.ppf`` evaluates (identical values), without importing scipy.stats."""
    from scipy.special import stdtrit

    values = values[~np.isnan(values)]
    n = len(values)
    if n < 2:
        return (float(values.mean()) if n else np.nan, np.nan, np.nan)
    half = stdtrit(n - 1, 0.5 + level / 2) * values.std(ddof=1) / np.sqrt(n)
    return float(values.mean()), float(values.mean() - half), float(values.mean() + half)


def trajectories(scores, participants, registry, group, instruments, timepoints, synthetic):
    """Individual lines (faint), mean with 95% CI; drop-outs dashed with hollow markers."""
    plt = setup()
    fig, axes = plt.subplots(1, len(instruments), figsize=(2.6 * len(instruments), 3.3))
    axes = np.atleast_1d(axes)
    last = f"attended_{timepoints[-1]}"
    completers = set(participants.loc[participants[last].astype("boolean").fillna(False),
                                      "participant_id"])
    x = np.arange(len(timepoints))
    for ax, inst in zip(axes, instruments, strict=True):
        sel = scores[(scores["group"] == group) & (scores["instrument"] == inst)
                     & (scores["scale"] == "total")]
        wide = sel.pivot(index="participant_id", columns="timepoint", values="score")
        wide = wide.reindex(columns=timepoints)
        for pid, row in wide.iterrows():
            done = pid in completers
            ax.plot(x, row.to_numpy(), color="#999999", lw=0.7, alpha=0.6,
                    ls="-" if done else "--", marker="o", ms=2.5,
                    mfc="#999999" if done else "white", zorder=1)
        stats = [mean_ci(wide[tp].to_numpy(float)) for tp in timepoints]
        means = [s[0] for s in stats]
        err = np.array([[s[0] - s[1] for s in stats], [s[2] - s[0] for s in stats]])
        ax.errorbar(x, means, yerr=err, color=OKABE_ITO[0], lw=2, marker="s", ms=5,
                    capsize=3, zorder=3, label="mean (95% CI)")
        ax.set_xticks(x, timepoints)
        ax.set_ylabel(axis_label(registry[inst], "total"))
        ax.set_title(registry[inst].short_name)
        low, high = registry[inst].scale_range(registry[inst].scales["total"])
        ax.set_ylim(low - 0.02 * (high - low), high + 0.02 * (high - low))
    handles = [plt.Line2D([], [], color=OKABE_ITO[0], lw=2, marker="s", label="mean (95% CI)"),
               plt.Line2D([], [], color="#999999", lw=0.7, marker="o", ms=3, label="completer"),
               plt.Line2D([], [], color="#999999", lw=0.7, ls="--", marker="o", ms=3,
                          mfc="white", label="drop-out")]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False)
    _synthetic_mark(fig, synthetic)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    return fig


def pre_post(scores, registry, panels, timepoints, synthetic):
    """Paired dots joined per person, with the mean change; one panel per (group, scale)."""
    plt = setup()
    fig, axes = plt.subplots(1, len(panels), figsize=(2.3 * len(panels), 3.0))
    axes = np.atleast_1d(axes)
    for ax, (group, group_label, inst, scale) in zip(axes, panels, strict=True):
        sel = scores[(scores["group"] == group) & (scores["instrument"] == inst)
                     & (scores["scale"] == scale)]
        wide = sel.pivot(index="participant_id", columns="timepoint", values="score")
        wide = wide.reindex(columns=timepoints).dropna()
        a, b = wide[timepoints[0]].to_numpy(), wide[timepoints[1]].to_numpy()
        for u, v in zip(a, b, strict=True):
            ax.plot([0, 1], [u, v], color="#BBBBBB", lw=0.5, alpha=0.7, zorder=1)
        ax.scatter(np.zeros_like(a), a, s=6, color=OKABE_ITO[5], zorder=2)
        ax.scatter(np.ones_like(b), b, s=6, color=OKABE_ITO[1], zorder=2)
        ax.plot([0, 1], [a.mean(), b.mean()], color="black", lw=2, marker="D", ms=5, zorder=3)
        ax.set_xticks([0, 1], timepoints)
        ax.set_xlim(-0.3, 1.3)
        ax.set_title(f"{group_label}: {registry[inst].short_name}", fontsize=9)
        ax.set_ylabel(axis_label(registry[inst], scale, 26))
        ax.text(0.5, 0.02, f"n = {len(a)} complete pairs", transform=ax.transAxes,
                ha="center", fontsize=7)
    _synthetic_mark(fig, synthetic)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig


def copm(scores, registry, problems, timepoints, synthetic):
    """COPM performance and satisfaction per problem: means with 95% CI at two timepoints."""
    plt = setup()
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.0), sharey=True)
    inst = registry["copm"]
    for ax, kind in zip(axes, ("performance", "satisfaction"), strict=True):
        for k, tp in enumerate(timepoints):
            stats = []
            for prob in problems:
                sel = scores[(scores["instrument"] == "copm") & (scores["timepoint"] == tp)
                             & (scores["scale"] == f"{kind}_{prob['id']}")]
                stats.append(mean_ci(sel["score"].to_numpy(float)))
            y = np.arange(len(problems)) + (k - 0.5) * 0.25
            means = np.array([s[0] for s in stats])
            err = np.array([[s[0] - s[1] for s in stats], [s[2] - s[0] for s in stats]])
            ax.errorbar(means, y, xerr=err, fmt="o", color=OKABE_ITO[k], capsize=3, label=tp)
        ax.set_yticks(np.arange(len(problems)), [p["label"] for p in problems])
        ax.set_xlim(1, 10)
        import textwrap

        first = inst.scales[f"{kind}_{problems[0]['id']}"]
        ax.set_xlabel(f"COPM {kind} (1-10)\n" + textwrap.fill(f"higher = {first.higher_is}", 30))
        ax.set_title(kind.capitalize())
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, frameon=False, loc="upper center", ncol=len(labels),
               bbox_to_anchor=(0.6, 1.0))
    _synthetic_mark(fig, synthetic)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def code_groups(groups: pd.DataFrame, synthetic):
    """Quotations per code group, with the number of codes in each."""
    plt = setup()
    data = groups.sort_values("quotations")
    fig, ax = plt.subplots(figsize=(6.0, 2.4))
    bars = ax.barh(data["group"], data["quotations"], color=OKABE_ITO[2])
    for bar, (q, c) in zip(bars, zip(data["quotations"], data["codes"], strict=True), strict=True):
        ax.text(bar.get_width() + 3, bar.get_y() + bar.get_height() / 2,
                f"{q} quotations, {c} codes", va="center", fontsize=8)
    ax.set_xlabel("Quotations")
    ax.set_xlim(0, data["quotations"].max() * 1.45)
    _synthetic_mark(fig, synthetic)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    return fig


def flow(participants: pd.DataFrame, groups: list[dict], timepoints: list[dict], synthetic):
    """Participant flow: enrolled, seen at each scheduled timepoint, losses with reasons."""
    plt = setup()
    fig, ax = plt.subplots(figsize=(7.2, 1.2 + 1.25 * len(timepoints)))
    ax.set_axis_off()
    ncol = len(groups)
    for j, group in enumerate(groups):
        people = participants[participants["group"] == group["id"]]
        xc = (j + 0.5) / ncol
        boxes = [(f"{group['label']}\nenrolled n = {len(people)}", None)]
        prev = people
        for tp in timepoints:
            col = f"attended_{tp['id']}"
            if people[col].isna().all():
                continue
            seen = people[people[col].astype("boolean").fillna(False)]
            lost = prev[~prev["participant_id"].isin(seen["participant_id"])]
            # a study may record no drop-out reason (the column is optional)
            recorded = lost.get("dropout_reason", pd.Series(pd.NA, index=lost.index))
            reasons = recorded.fillna("reason not recorded").value_counts()
            note = "\n".join(f"{r}: {n}" for r, n in sorted(reasons.items()))
            loss = f"lost n = {len(lost)}\n{note}" if len(lost) else None
            when = f" ({tp['months']:g} months)" if tp.get("months") is not None else ""
            boxes.append((f"{tp['id']}{when}: n = {len(seen)}", loss))
            prev = seen
        for i, (text, loss) in enumerate(boxes):
            y = 1 - (i + 0.5) / (len(timepoints) + 1)
            ax.text(xc, y, text, ha="center", va="center", fontsize=7.5,
                    bbox={"boxstyle": "round", "fc": "white", "ec": OKABE_ITO[0]})
            if i:
                step = 1 / (len(timepoints) + 1)
                ax.annotate("", xy=(xc, y + 0.07), xytext=(xc, y + step - 0.07),
                            arrowprops={"arrowstyle": "->", "color": "#555555"})
                if loss:
                    ax.text(xc + 0.02, y + 0.5 / (len(timepoints) + 1), loss, ha="left",
                            va="center", fontsize=6, color="#7F2704")
    _synthetic_mark(fig, synthetic)
    return fig


def _synthetic_mark(fig, synthetic: bool) -> None:
    if synthetic:
        fig.text(0.005, 0.995, "SYNTHETIC DATA — not real participants", ha="left", va="top",
                 fontsize=7, color="#AA0000")
