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
    return f"{name} ({low:g}–{high:g})\n" + textwrap.fill(f"higher = {scale.higher_is}", width)


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
    """Individual lines (faint), mean with 95% CI; drop-outs dashed with hollow markers.
    Panels two a row from four up, so that the figure stays legible at the page's width;
    each axis spans the scale's range, widened where an interval reaches past it (a t
    interval of a mean near the ceiling can)."""
    plt = setup()
    cols = 2 if len(instruments) >= 4 else len(instruments)
    rows = -(-len(instruments) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.9 * rows + 0.5), squeeze=False)
    axes = axes.ravel()
    for ax in axes[len(instruments):]:
        ax.set_visible(False)
    last = f"attended_{timepoints[-1]}"
    completers = set(participants.loc[participants[last].astype("boolean").fillna(False),
                                      "participant_id"])
    x = np.arange(len(timepoints))
    for ax, inst in zip(axes, instruments, strict=False):
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
        reach = [v for s in stats for v in (s[1], s[2]) if np.isfinite(v)]
        bottom, top = min([low, *reach]), max([high, *reach])
        ax.set_ylim(bottom - 0.02 * (top - bottom), top + 0.02 * (top - bottom))
    handles = [plt.Line2D([], [], color=OKABE_ITO[0], lw=2, marker="s", label="mean (95% CI)"),
               plt.Line2D([], [], color="#999999", lw=0.7, marker="o", ms=3, label="completer"),
               plt.Line2D([], [], color="#999999", lw=0.7, ls="--", marker="o", ms=3,
                          mfc="white", label="drop-out")]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False)
    _synthetic_mark(fig, synthetic)
    fig.tight_layout(rect=(0, 0.07 / rows, 1, 1 - 0.05 / rows))
    return fig


def pre_post(scores, registry, panels, timepoints, synthetic):
    """Paired dots joined per person, with the mean change; one panel per (group, scale),
    at most three panels a row, so that the figure stays legible at the page's width."""
    plt = setup()
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.5 * cols, 3.0 * rows + 0.2),
                             squeeze=False)
    axes = axes.ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax, (group, group_label, inst, scale) in zip(axes, panels, strict=False):
        sel = scores[(scores["group"] == group) & (scores["instrument"] == inst)
                     & (scores["scale"] == scale)]
        wide = sel.pivot(index="participant_id", columns="timepoint", values="score")
        wide = wide.reindex(columns=timepoints).dropna()
        a, b = wide[timepoints[0]].to_numpy(), wide[timepoints[1]].to_numpy()
        _pairs(ax, a, b)
        ax.scatter(np.zeros_like(a), a, s=6, color=OKABE_ITO[5], zorder=2)
        ax.scatter(np.ones_like(b), b, s=6, color=OKABE_ITO[1], zorder=2)
        ax.plot([0, 1], [a.mean(), b.mean()], color="black", lw=2, marker="D", ms=5, zorder=3)
        ax.set_xticks([0, 1], timepoints)
        ax.set_xlim(-0.3, 1.3)
        # the number of complete pairs goes in the title, where it hides no data point
        ax.set_title(f"{group_label}: {registry[inst].short_name}\n(n = {len(a)} pairs)",
                     fontsize=9)
        ax.set_ylabel(axis_label(registry[inst], scale, 26))
    _synthetic_mark(fig, synthetic)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.06 / rows))
    return fig


def _pairs(ax, a: np.ndarray, b: np.ndarray) -> None:
    """One grey line per person from (0, a) to (1, b), drawn as one LineCollection: the
    same segments, colour, width, caps and order as a line each, without an artist per
    person (thousands in a large study)."""
    from matplotlib.collections import LineCollection

    segments = np.stack([np.column_stack([np.zeros_like(a), a]),
                         np.column_stack([np.ones_like(b), b])], axis=1)
    ax.add_collection(LineCollection(segments, colors="#BBBBBB", linewidths=0.5, alpha=0.7,
                                     zorder=1, capstyle="projecting", joinstyle="round"))


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


def code_groups(groups: pd.DataFrame, synthetic, unit: str = "Quotations"):
    """Quotations (or MAXQDA's coded segments: ``unit``) per code group, with the number of
    codes in each; an export's all-capitals group names in title case."""
    plt = setup()
    data = groups.sort_values(["quotations", "group"])
    from peerstudy.report import format as fmt

    names = [fmt.code_group_label(g) for g in data["group"]]
    fig, ax = plt.subplots(figsize=(6.0, 0.6 + 0.36 * len(data)))
    bars = ax.barh(names, data["quotations"], color=OKABE_ITO[2])
    noun = unit.lower()
    for bar, q, c in zip(bars, data["quotations"], data["codes"], strict=True):
        ax.text(bar.get_width() + data["quotations"].max() * 0.01,
                bar.get_y() + bar.get_height() / 2,
                f"{q} {noun if q != 1 else noun[:-1]}, {c} code{'s' if c != 1 else ''}",
                va="center", fontsize=8)
    ax.set_xlabel(unit)
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


# ---- a randomised trial ---------------------------------------------------------------------

def _flow_get(flow: pd.DataFrame, stage: str, arm: str = "all", timepoint: str = ""):
    sel = flow[(flow["stage"] == stage) & (flow["arm"] == arm)
               & (flow["timepoint"].fillna("") == timepoint)]
    total = sel.loc[sel["reason"] == "all", "n"]
    reasons = [(r, int(n)) for r, n in zip(sel["reason"], sel["n"], strict=True) if r != "all"]
    return (int(total.iloc[0]) if len(total) else None), reasons


def _reasons_text(reasons) -> str:
    return "".join(f"\n• {r[:1].upper()}{r[1:]} (n = {n})" for r, n in reasons)


class _FlowLayout:
    """Boxes of text stacked in rows, in inches from the top-left corner: each box is as
    tall as its wrapped text (measured with the renderer), each row as tall as its
    tallest box, and arrows join a box's bottom edge to the next box's top edge."""

    FONT, PAD, GAP = 7.0, 0.07, 0.3

    def __init__(self, plt, width_in: float):
        self.plt, self.width = plt, width_in
        self.boxes: list[dict] = []
        self.arrows: list[tuple] = []
        self.lines: list[tuple] = []
        self.labels: list[tuple] = []
        scratch = plt.figure(figsize=(width_in, 2))
        self._renderer = scratch.canvas.get_renderer()
        self._scratch = scratch

    def _wrap(self, text: str, box_w: float) -> str:
        import textwrap

        chars = max(12, int(box_w / (0.53 * self.FONT / 72)))
        out = []
        for part in text.split("\n"):
            indent = "   " if part.startswith("• ") else ""
            out += textwrap.wrap(part, chars, subsequent_indent=indent) or [""]
        return "\n".join(out)

    def height(self, text: str) -> float:
        t = self._scratch.text(0, 0, text, fontsize=self.FONT, linespacing=1.3)
        h = t.get_window_extent(self._renderer).height / self._scratch.dpi
        t.remove()
        return h + 2 * self.PAD

    def box(self, x: float, top: float, w: float, text: str, align: str = "left") -> dict:
        text = self._wrap(text, w - 2 * self.PAD)
        box = {"x": x, "top": top, "w": w, "h": self.height(text), "text": text,
               "align": align}
        self.boxes.append(box)
        return box

    def draw(self, synthetic: bool):
        self.plt.close(self._scratch)
        total = max(b["top"] + b["h"] for b in self.boxes) + 0.15
        fig = self.plt.figure(figsize=(self.width, total))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(total, 0)
        ax.set_axis_off()
        from matplotlib.patches import Rectangle

        for b in self.boxes:
            ax.add_patch(Rectangle((b["x"] - b["w"] / 2, b["top"]), b["w"], b["h"], fill=False,
                                   ec=OKABE_ITO[0], lw=0.9))
            if b["align"] == "center":
                ax.text(b["x"], b["top"] + b["h"] / 2, b["text"], ha="center", va="center",
                        fontsize=self.FONT, linespacing=1.3)
            else:
                ax.text(b["x"] - b["w"] / 2 + self.PAD, b["top"] + self.PAD, b["text"],
                        ha="left", va="top", fontsize=self.FONT, linespacing=1.3)
        for (x0, y0), (x1, y1) in self.lines:
            ax.plot([x0, x1], [y0, y1], color="#444444", lw=0.8)
        for (x0, y0), (x1, y1) in self.arrows:
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops={"arrowstyle": "-|>", "color": "#444444", "lw": 0.8,
                                    "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8})
        for text, y in self.labels:
            ax.text(0.12, y, text, rotation=90, ha="center", va="center", fontsize=8,
                    fontweight="bold", color="#333333")
        _synthetic_mark(fig, synthetic)
        return fig


def consort(flow: pd.DataFrame, arms: list[dict], timepoints: list[dict], synthetic: bool):
    """The CONSORT 2010 flow diagram of a two-arm trial, from the flow table
    (``peerstudy.trial.consort_flow``): enrolment (assessed, excluded with reasons,
    randomised), allocation (received or not, with reasons), follow-up at each
    assessment (assessed, not assessed with reasons) and analysis (analysed, excluded
    with reasons), one column per arm. Box heights follow their text, so no box
    overlaps another whatever the reasons recorded."""
    plt = setup()
    width = 7.4
    lay = _FlowLayout(plt, width)
    gap = lay.GAP
    tps = [t for t in timepoints if (flow["timepoint"].fillna("") == t["id"]).any()]
    middle, cols, col_w = 3.95, (2.35, 5.55), 3.05
    y = 0.35
    assessed, _ = _flow_get(flow, "assessed")
    if assessed is not None:
        top = lay.box(middle, y, 2.4, f"Assessed for eligibility (n = {assessed})", "center")
        excluded, why = _flow_get(flow, "excluded")
        side_top = top["top"] + top["h"] + gap / 2
        side = lay.box(6.1, side_top, 2.45, f"Excluded (n = {excluded})" + _reasons_text(why))
        mid_y = side["top"] + side["h"] / 2
        lay.lines.append(((middle, mid_y), (side["x"] - side["w"] / 2, mid_y)))
        y_random = side["top"] + side["h"] + gap / 2
        lay.arrows.append(((middle, top["top"] + top["h"]), (middle, y_random)))
        enrol_top = top["top"]
    else:
        y_random, enrol_top = y, y
    randomised, _ = _flow_get(flow, "randomised")
    rbox = lay.box(middle, y_random, 2.0, f"Randomised (n = {randomised})", "center")
    split = rbox["top"] + rbox["h"] + gap / 2
    lay.labels.append(("Enrolment", (enrol_top + split) / 2))
    lay.lines.append(((middle, rbox["top"] + rbox["h"]), (middle, split)))
    lay.lines.append(((cols[0], split), (cols[1], split)))
    rows = []
    alloc = []
    for arm in arms:
        allocated, _ = _flow_get(flow, "allocated", arm["id"])
        text = f"Allocated to the {arm['label'][:1].lower()}{arm['label'][1:]} (n = {allocated})"
        received, _ = _flow_get(flow, "received", arm["id"])
        if received is not None:
            missing, why = _flow_get(flow, "not_received", arm["id"])
            text += (f"\n• Received the allocated intervention (n = {received})"
                     f"\n• Did not receive it (n = {missing})"
                     + "".join(f"\n   – {r[:1].upper()}{r[1:]} (n = {n})" for r, n in why))
        alloc.append(text)
    rows.append(("Allocation", alloc))
    for i, tp in enumerate(tps):
        texts = []
        # not assessed at a later follow-up counts everyone not seen there, whenever they left
        since = ", cumulative" if i else ""
        for arm in arms:
            seen, _ = _flow_get(flow, "followed_up", arm["id"], tp["id"])
            lost, why = _flow_get(flow, "lost", arm["id"], tp["id"])
            texts.append(f"{tp['label']}: assessed (n = {seen})\nNot assessed{since} "
                         f"(n = {lost})" + _reasons_text(why))
        rows.append(("Follow-up", texts))
    texts = []
    for arm in arms:
        analysed, _ = _flow_get(flow, "analysed", arm["id"])
        out, why = _flow_get(flow, "excluded_from_analysis", arm["id"])
        texts.append(f"Analysed (n = {analysed})\nExcluded from the analysis (n = {out})"
                     + _reasons_text(why))
    rows.append(("Analysis", texts))
    top = split + gap / 2
    previous = [split for _ in cols]
    spans: dict[str, list[float]] = {}
    for stage, texts in rows:
        made = [lay.box(c, top, col_w, text) for c, text in zip(cols, texts, strict=True)]
        for c, start in zip(cols, previous, strict=True):
            lay.arrows.append(((c, start), (c, top)))
        bottom = max(b["top"] + b["h"] for b in made)
        spans.setdefault(stage, [top, bottom])[1] = bottom
        previous = [b["top"] + b["h"] for b in made]   # an arrow leaves each box's own bottom
        top = bottom + gap
    for stage, (a, b) in spans.items():
        lay.labels.append((stage, (a + b) / 2))
    return lay.draw(synthetic)


def trial_outcomes(scores: pd.DataFrame, registry: dict, trial: dict, arms: list[dict],
                   timepoints: list[dict], synthetic: bool, level: float = 0.95):
    """Observed mean (with its ``level`` CI) of each trial outcome by arm at baseline and each
    follow-up, one panel per outcome; the arms side by side at each assessment. Every
    panel's vertical axis spans the same multiple of its outcome's baseline SD (both arms),
    centred on the panel's points, so that a difference looks as large as it is in SD
    units in every panel (per-panel automatic limits would stretch small differences)."""
    plt = setup()
    outs = trial["outcomes"]
    tps = [trial["baseline"], *trial["follow_up"]]
    panels = []
    for out in outs:
        sel = scores[scores["group"].isin([a["id"] for a in arms])
                     & (scores["instrument"] == out["instrument"])
                     & (scores["scale"] == out["scale"])]
        sd = float(sel.loc[sel["timepoint"] == trial["baseline"], "score"].std(ddof=1))
        per_arm = []
        for arm in arms:
            mine = sel[sel["group"] == arm["id"]]
            per_arm.append([mean_ci(mine.loc[mine["timepoint"] == tp, "score"].to_numpy(float),
                                    level) for tp in tps])
        low = min(s[1] for arm in per_arm for s in arm)
        high = max(s[2] for arm in per_arm for s in arm)
        panels.append((sd, per_arm, low, high))
    # the common span: the widest panel's points in its SD units, with a margin, to 0.25 SD
    span = max(np.ceil(4 * 1.15 * (high - low) / sd) / 4 for sd, _, low, high in panels)
    labels = {t["id"]: t["label"] for t in timepoints}
    ncol = min(4, len(outs))
    nrow = int(np.ceil(len(outs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.1 * ncol, 2.5 * nrow + 0.5), squeeze=False)
    x = np.arange(len(tps))
    for k, out in enumerate(outs):
        ax = axes[k // ncol][k % ncol]
        inst = registry[out["instrument"]]
        sd, per_arm, low, high = panels[k]
        centre = (low + high) / 2
        ax.set_ylim(centre - span * sd / 2, centre + span * sd / 2)
        for j, arm in enumerate(arms):
            stats = per_arm[j]
            means = np.array([s[0] for s in stats])
            err = np.array([[s[0] - s[1] for s in stats], [s[2] - s[0] for s in stats]])
            ax.errorbar(x + (j - 0.5) * 0.16, means, yerr=err, color=OKABE_ITO[j], marker="os"[j],
                        ms=4, lw=1.3, capsize=2.5, label=arm["label"])
        name = inst.short_name if out["scale"] == "total" else (
            f"{inst.short_name}: {inst.scales[out['scale']].label.lower()}")
        ax.set_title(name + (" (primary)" if out["role"] == "primary" else ""), fontsize=8.5)
        ax.set_xticks(x, [labels.get(t, t).replace(" months", " mo") for t in tps], fontsize=7)
        ax.set_xlim(-0.4, len(tps) - 0.6)
        import textwrap

        scale = inst.scales[out["scale"]]
        ax.set_ylabel(textwrap.fill(f"higher = {scale.higher_is}", 24), fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
    for k in range(len(outs), nrow * ncol):
        axes[k // ncol][k % ncol].set_axis_off()
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, [f"{n}: mean ({100 * level:g}% CI)" for n in names],
               loc="lower center", bbox_to_anchor=(0.5, 0.025), ncol=2, frameon=False,
               fontsize=8)
    fig.text(0.5, 0.005, f"Each vertical axis spans {span:g} baseline SD of its outcome.",
             ha="center", va="bottom", fontsize=7, color="#444444")
    _synthetic_mark(fig, synthetic)
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    return fig


def power_curve(table: pd.DataFrame, alpha: float, mc_level: float, target: float = 0.8):
    """Simulated power against effect size, one line per trial size (*N*, participants),
    with Monte Carlo intervals at `mc_level` and a dashed line at the `target` power;
    numbers in APA style (α = .05). Drawn here,
    not in peerstudy.power, so that the code digest of the values (which read the power
    module's constants) does not cover matplotlib code."""
    from scipy.special import ndtri

    from peerstudy.report import format as fmt

    plt = setup()
    fig, ax = plt.subplots(figsize=(5.0, 3.2))
    z = ndtri(0.5 + mc_level / 2)
    for k, (n, block) in enumerate(table.groupby("participants", sort=True)):
        ax.errorbar(block["effect_sd"], block["power"], yerr=z * block["mc_se"],
                    marker="o", capsize=3, color=OKABE_ITO[k],
                    label=f"$N$ = {fmt.integer(n)}")
    ax.axhline(target, color="#777777", lw=0.8, ls="--")
    ax.set_xlabel("Arm difference in change by the last timepoint (SD units)")
    ax.set_ylabel(f"Power (two-sided α = {fmt.bounded(alpha)})")
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig
