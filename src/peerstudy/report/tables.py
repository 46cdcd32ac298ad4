"""Results files -> APA tables (Markdown pipe tables), one pure function each.

A table here is data only: header, rows and alignment. The caption and the
table note belong to the authors, who write them in the manuscript source
around the ``{{< include tables/<name>.md >}}`` (Quarto's table div), so that
nothing but formatted numbers comes from Python. Every cell is formatted by
``peerstudy.report.format``; the pipe tables carry no width hints, so every
output format sizes the columns to their content.
"""

from __future__ import annotations

import re

import pandas as pd

from peerstudy.config import schema_defaults
from peerstudy.report import format as fmt


def md_table(header: list[str], rows: list[list], align: str | None = None) -> str:
    """A pipe table; ``align`` has one letter per column (l, r, c)."""
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    escape = lambda cell: str(cell).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(escape(h) for h in header) + " |",
             "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def empty_table(reason: str) -> str:
    return f"*{reason}*\n"


class Labels:
    """How ids are printed: group and site labels, scale names, level labels."""

    def __init__(self, design: dict, registry: dict):
        self.design = design
        self.registry = registry
        self.group = {g["id"]: g.get("short_label", g["label"]) for g in design["groups"]}
        self.site = {s["id"]: s["label"] for s in design.get("sites", [])}
        analysis = design.get("analysis", {})
        self.alpha = analysis.get("alpha", schema_defaults("analysis", "alpha"))
        level = analysis.get("conventions", {}).get(
            "ci_level", schema_defaults("analysis", "conventions", "ci_level"))
        self.ci = f"{fmt.percent_level(level)} CI"

    def p(self, value) -> str:
        return fmt.p_bare(value, self.alpha)

    def scale(self, instrument: str, scale: str, bare: bool = False) -> str:
        """'SSQ', 'CAMI authoritarianism'; ``bare`` drops the instrument name from a
        subscale (for tables of one instrument)."""
        inst = self.registry[instrument]
        if scale == "total":
            return inst.short_name
        label = inst.scales[scale].label
        if bare:
            return label
        return f"{inst.short_name} {label[0].lower()}{label[1:]}"

    def order(self, group: str, instrument: str, scale: str, contrast: str = "") -> tuple:
        """Sort key: groups in config order, instruments in the order the analysis plan
        first names them, scales in the registry's order, contrasts as planned."""
        groups = list(self.group)
        instruments, pairs = [], []
        for spec in self.design.get("analysis", {}).get("within", []):
            instruments += [i for i in spec["instruments"] if i not in instruments]
            pairs += ["-".join(p) for p in spec.get("pairs", []) if "-".join(p) not in pairs]
        scales = list(self.registry[instrument].scales) if instrument in self.registry else []
        return (groups.index(group) if group in groups else len(groups),
                instruments.index(instrument) if instrument in instruments else len(instruments),
                scales.index(scale) if scale in scales else len(scales),
                pairs.index(contrast) if contrast in pairs else len(pairs), contrast)

    # the two sides of the attrition comparison (analysis: factor completion), as the
    # manuscripts name them
    COMPLETION = {"completer": "completers", "dropout": "drop-outs"}

    def contrast(self, contrast: str) -> str:
        """'T1-T2' -> 'T1–T2'; group or site ids become their labels, 'completer-dropout'
        'completers–drop-outs'."""
        def name(part):
            return (self.group.get(part) or self.site.get(part) or self.COMPLETION.get(part)
                    or part)
        if "," in contrast:
            return ", ".join(name(p) for p in contrast.split(","))
        return "–".join(name(p) for p in contrast.split("-"))

    def decimals(self, instrument: str, scale: str) -> int:
        """Decimals of a scale's scores and differences (two on sum scores, three on item
        means; :func:`peerstudy.report.format.decimals_for_range`)."""
        inst = self.registry[instrument]
        return fmt.decimals_for_range(*inst.scale_range(inst.scales[scale]))

    @staticmethod
    def level(text) -> str:
        text = re.sub(r"(?<=\d)-(?=\d)", "–", str(text))
        return text[:1].upper() + text[1:]

    def variable(self, name: str) -> str:
        spec = self.design.get("variables", {}).get(name, {})
        return spec.get("label") or name.replace("_", " ").capitalize()

    def level_order(self, variable: str) -> list[str]:
        spec = self.design.get("variables", {}).get(variable, {})
        return [str(v) for v in spec.get("values", {}).values()]


def _site_all(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["site"] == "all"] if "site" in frame else frame


def grouped(records: list[dict], labels: Labels, cells, width: int) -> list[list]:
    """Rows under one bold sub-heading per group (APA), in config and plan order;
    ``cells(record)`` gives a row whose first cell is the scale."""
    records = sorted(records, key=lambda r: labels.order(r["group"], r["instrument"], r["scale"],
                                                         str(r.get("contrast", ""))))
    rows, current = [], None
    for rec in records:
        if rec["group"] != current:
            current = rec["group"]
            rows.append([f"**{labels.group.get(current, 'All participants')}**"]
                        + [""] * (width - 1))
        row = cells(rec)
        rows.append([f"  {row[0]}", *row[1:]])
    return rows


# ---- participants ---------------------------------------------------------------------

def demographics(demo: pd.DataFrame, labels: Labels, suppress: int | None) -> str:
    """Participants by group: n (%) per level, levels in the config's order.

    Counts of 1 to ``suppress`` - 1 print as "<5"; so that the printed totals cannot give
    them away, a row's Total and, where a group's column has a single small cell in a
    characteristic, that column's next smallest count are suppressed too (complementary
    suppression). A group never asked about a characteristic shows "—" (not collected).
    """
    groups = [g for g in labels.group if g in set(demo["group"])] + ["all"]
    header = ["Characteristic", *[labels.group.get(g, "Total") for g in groups]]
    enrolled = demo[demo["variable"] == "enrolled"].set_index("group")["n"]
    rows = [["Participants, *n*", *[fmt.integer(enrolled[g]) for g in groups]]]
    for var in [v for v in dict.fromkeys(demo["variable"]) if v != "enrolled"]:
        block = demo[demo["variable"] == var]
        present = list(dict.fromkeys(block["level"].astype(str)))
        order = [lv for lv in labels.level_order(var) if lv in present]
        order += sorted(lv for lv in present if lv not in order)
        counts = {(lv, g): _count(block, g, lv) for lv in order for g in groups}
        hidden = _suppressed_cells(counts, order, groups, suppress)
        not_collected = {g for g in groups[:-1]
                         if counts.get(("not recorded", g), (0, 0))[0] == enrolled.get(g, -1)}
        rows.append([f"**{labels.variable(var)}**", *[""] * len(groups)])
        for level in order:
            cells = []
            for g in groups:
                n, pct = counts[(level, g)]
                if g in not_collected and level != "not recorded":
                    cells.append(fmt.NA)
                elif (level, g) in hidden:
                    cells.append(f"<{suppress}" if 0 < n < suppress else "suppressed")
                else:
                    cells.append(f"{fmt.integer(n)} ({fmt.num(pct, 1)})" if n else "0")
            rows.append([f"  {labels.level(level)}", *cells])
    return md_table(header, rows)


def _count(block: pd.DataFrame, group: str, level: str) -> tuple[int, float]:
    hit = block[(block["group"] == group) & (block["level"].astype(str) == level)]
    return (int(hit["n"].iloc[0]), float(hit["percent"].iloc[0])) if len(hit) else (0, 0.0)


def _suppressed_cells(counts: dict, levels: list, groups: list, threshold) -> set:
    """Small cells, then the cells that would reveal them: the row's total, and a second
    cell in any group column left with only one suppressed cell."""
    if not threshold:
        return set()
    hidden = {(lv, g) for lv in levels for g in groups[:-1] if 0 < counts[(lv, g)][0] < threshold}
    for g in groups[:-1]:
        mine = [lv for lv in levels if (lv, g) in hidden]
        if len(mine) == 1:
            others = sorted((counts[(lv, g)][0], lv) for lv in levels
                            if (lv, g) not in hidden and counts[(lv, g)][0] > 0)
            if others:
                hidden.add((others[0][1], g))
    hidden |= {(lv, groups[-1]) for lv, g in list(hidden)}
    total = groups[-1]
    hidden |= {(lv, total) for lv in levels if 0 < counts[(lv, total)][0] < threshold}
    return hidden


def measures(registry: dict, design: dict, reliability: pd.DataFrame, labels: Labels,
             forms: pd.DataFrame | None = None) -> str:
    """Each instrument used: items, range, direction, who answered it when (or who rated
    it, for an instrument rated by others), alpha as published (with its source) and in
    these data. A trial's outcomes come first, in the plan's order (primary first), then
    its fidelity index, then any other instrument in the registry's order; a trial outcome
    that is a subscale gets a row of its own under its instrument (items, range, direction,
    alpha here; who answered it is the instrument's, so that cell is left empty)."""
    tps = [t["id"] for t in design["timepoints"]]
    rows = []
    trial = design.get("analysis", {}).get("trial") or {}
    planned = list(dict.fromkeys([o["instrument"] for o in trial.get("outcomes", [])]
                                 + ([trial["fidelity"]["instrument"]] if trial.get("fidelity")
                                    else [])))
    order = [i for i in planned if i in registry] + [i for i in registry if i not in planned]
    for inst_id in order:
        inst = registry[inst_id]
        used = {g: [tp for tp in tps if inst_id in plan.get(tp, [])]
                for g, plan in design["schedule"].items()}
        used = {g: v for g, v in used.items() if v}
        if not used:
            continue
        total = inst.scales.get("total")
        if total is not None:
            low, high = inst.scale_range(total)
            span, meaning = f"{fmt.num(low, 0)}–{fmt.num(high, 0)}", total.higher_is
        else:  # separate ratings and no total (e.g. the COPM): each kind of rating's meaning
            first = next(iter(inst.scales.values()))
            low, high = inst.scale_range(first)
            meanings = dict.fromkeys(sc.higher_is for sc in inst.scales.values() if sc.higher_is)
            span, meaning = f"{fmt.num(low, 0)}–{fmt.num(high, 0)} each", "; ".join(meanings)
            total = first
        alphas = reliability.loc[(reliability["instrument"] == inst_id)
                                 & (reliability["scale"] == total.id), "alpha"].dropna()
        here = _alpha_range(alphas)
        same: dict[tuple, list[str]] = {}   # groups answering at the same times share one entry
        for g, v in used.items():
            same.setdefault(tuple(v), []).append(labels.group[g])
        who = "; ".join(f"{fmt_groups(names)} ({', '.join(v)})" for v, names in same.items())
        if inst.rated_by:  # rated by others about the group, not answered by it
            who = f"Rated by {inst.rated_by}: {fmt.lower_first(who)}"
        published = _alpha_text(inst.reported_alpha)
        if inst.reported_alpha and inst.reported_alpha_source:
            published += f" [@{inst.reported_alpha_source}]"
        rows.append([inst.short_name, str(len(inst.items)), span, meaning, who, published, here])
        # a trial's outcomes that are subscales: one indented row each, under the instrument
        for sub in [o["scale"] for o in trial.get("outcomes", [])
                    if o["instrument"] == inst_id and o["scale"] != total.id]:
            scale = inst.scales[sub]
            low, high = inst.scale_range(scale)
            alphas = reliability.loc[(reliability["instrument"] == inst_id)
                                     & (reliability["scale"] == sub), "alpha"].dropna()
            rows.append([labels.scale(inst_id, sub, bare=True), str(len(scale.items)),
                         f"{fmt.num(low, 0)}–{fmt.num(high, 0)}", scale.higher_is, "",
                         fmt.NA, _alpha_range(alphas)])
    return md_table(["Instrument", "Items", "Range", "Higher score means", "Answered by (when)",
                     "α published", "α here"], rows, "lrrllrr")


def _alpha_range(alphas: pd.Series) -> str:
    """Alpha in these data, lowest to highest (".78–.83"; one value if they round alike)."""
    if alphas.empty:
        return fmt.NA
    low, high = fmt.bounded(alphas.min()), fmt.bounded(alphas.max())
    return low if low == high else f"{low}–{high}"


def fmt_groups(names: list[str]) -> str:
    """'Peer support', 'Peer support and usual care' (later names lower-cased)."""
    return fmt.join_words([names[0], *[fmt.lower_first(n) for n in names[1:]]])


def _alpha_text(reported) -> str:
    """The registry's published alpha ("0.88", "0.86-0.91") in APA style (".88", ".86–.91")."""
    if not reported:
        return fmt.NA
    parts = re.split(r"\s*[-–]\s*", str(reported).strip())
    try:
        return "–".join(fmt.bounded(float(x)) for x in parts)
    except ValueError:
        return str(reported)


# ---- within-person change ---------------------------------------------------------------

def within(tests: pd.DataFrame, spec: dict, labels: Labels, p_label: str) -> str:
    """One row per scale and pair of timepoints: the complete pairs' means, change, tests.
    A comparison of one instrument prints its scales without the instrument's name, and
    one of a single pair of timepoints leaves the pair to the caption."""
    t = _site_all(tests)
    t = t[(t["comparison"] == spec["id"]) & (t["factor"] == "timepoint")]
    bare = len(spec["instruments"]) == 1
    one_pair = len(spec["pairs"]) == 1
    header = ["Scale", "Change", "*n*", "*M* (*SD*) before", "*M* (*SD*) after", "Δ",
              "*z*", "*p*"] + ([f"*p*~{p_label}~"] if p_label else []) + [f"*r* [{labels.ci}]",
                                                                         "*d*~z~"]
    rows = []
    for (inst, scale, contrast), block in sorted(
            t.groupby(["instrument", "scale", "contrast"], sort=False),
            key=lambda item: plan_order(spec, labels.registry, *item[0])):
        w = block[block["test"] == "wilcoxon"]
        d = block[(block["test"] == "paired_t") & (block["effect_name"] == "cohen_dz")]
        if w.empty or fmt.missing(w.iloc[0]["p"]):
            continue
        w = w.iloc[0]
        row = [labels.scale(inst, scale, bare), labels.contrast(contrast), fmt.integer(w["n"]),
               f"{fmt.num(w['mean_1'])} ({fmt.num(w['sd_1'])})",
               f"{fmt.num(w['mean_2'])} ({fmt.num(w['sd_2'])})", fmt.num(w["mean_difference"]),
               fmt.num(w["z"]), labels.p(w["p"])]
        if p_label:
            row.append(labels.p(w["p_adjusted"]))
        r_ci = fmt.ci_bare(w["ci_low"], w["ci_high"], is_bounded=True)
        row += [f"{fmt.bounded(w['effect'])} {r_ci}",
                fmt.num(d.iloc[0]["effect"]) if len(d) else fmt.NA]
        rows.append(row)
    if one_pair:
        header.pop(1)
        rows = [[r[0], *r[2:]] for r in rows]
    return md_table(header, rows, "l" * (2 - one_pair) + "r" * (len(header) - 2 + one_pair))


def plan_order(spec: dict, registry: dict, instrument: str, scale: str, contrast: str = ""):
    """Sort key: instruments and pairs in the order the analysis plan lists them, scales
    in the registry's order."""
    scales = list(registry[instrument].scales)
    pairs = ["-".join(p) for p in spec.get("pairs", [])]
    return (spec["instruments"].index(instrument) if instrument in spec["instruments"] else 99,
            scales.index(scale) if scale in scales else 99,
            pairs.index(contrast) if contrast in pairs else 99)


def descriptives(desc: pd.DataFrame, spec: dict, labels: Labels) -> str:
    """Everyone measured at each timepoint: M (SD) and n per scale."""
    d = _site_all(desc)
    d = d[(d["group"] == spec["group"]) & d["instrument"].isin(spec["instruments"])
          & d["timepoint"].isin(spec["timepoints"])]
    header = ["Scale", *[f"{tp} *M* (*SD*)" for tp in spec["timepoints"]],
              *[f"{tp} *n*" for tp in spec["timepoints"]]]
    rows = []
    for (inst, scale), block in sorted(d.groupby(["instrument", "scale"], sort=False),
                                       key=lambda item: plan_order(spec, labels.registry,
                                                                   *item[0])):
        cells = block.set_index("timepoint")
        rows.append([labels.scale(inst, scale)]
                    + [f"{fmt.num(cells.loc[tp, 'mean'])} ({fmt.num(cells.loc[tp, 'sd'])})"
                       if tp in cells.index else fmt.NA for tp in spec["timepoints"]]
                    + [fmt.integer(cells.loc[tp, "n"]) if tp in cells.index else "0"
                       for tp in spec["timepoints"]])
    return md_table(header, rows)


def omnibus(tests: pd.DataFrame, labels: Labels, sphericity: str, alpha: float,
            p_label: str) -> str:
    """Repeated-measures ANOVA (corrected where Mauchly rejects) and Friedman, per scale."""
    t = _site_all(tests)
    rm = t[(t["test"] == "rm_anova") & (t["effect_name"] == "generalized_eta_sq")]
    p_col = f"*p*~{p_label}~" if p_label else "*p*"
    header = ["Group: scale", "*n*", "Mauchly's *W* (*p*)", "ε", "*F* (*df*)", p_col,
              "η^2^~G~", "Friedman χ^2^ (*df*)", p_col, "Kendall's *W*"]
    rows = []
    # scales in the order of the other tables (the plan's), not tests.csv's alphabetical one
    records = sorted(rm.to_dict("records"),
                     key=lambda r: labels.order(r["group"], r["instrument"], r["scale"]))
    for rec in records:
        same = ((t["group"] == rec["group"]) & (t["instrument"] == rec["instrument"])
                & (t["scale"] == rec["scale"]))
        use, eps = rec, fmt.NA
        if not fmt.missing(rec["mauchly_p"]) and rec["mauchly_p"] < alpha:
            use = t[same & (t["test"] == f"rm_anova_{sphericity}")
                    & (t["effect_name"] == "generalized_eta_sq")].iloc[0]
            eps = fmt.bounded(use["epsilon"])
        fr = t[same & (t["test"] == "friedman")]
        mauchly = (fmt.NA if fmt.missing(rec["mauchly_w"]) else
                   f"{fmt.bounded(rec['mauchly_w'], 3)} ({labels.p(rec['mauchly_p'])})")
        p_use = use["p_adjusted"] if p_label else use["p"]
        row = [f"{labels.group[rec['group']]}: {labels.scale(rec['instrument'], rec['scale'])}",
               fmt.integer(rec["n"]), mauchly, eps,
               f"{fmt.num(use['statistic'])} ({fmt.df(use['df1'])}, {fmt.df(use['df2'])})",
               labels.p(p_use), fmt.bounded(use["effect"])]
        if len(fr):
            f = fr.iloc[0]
            row += [f"{fmt.num(f['statistic'])} ({fmt.df(f['df1'])})",
                    labels.p(f["p_adjusted"] if p_label else f["p"]), fmt.bounded(f["effect"])]
        else:
            row += [fmt.NA] * 3
        rows.append(row)
    return md_table(header, rows)


def mixed(tests: pd.DataFrame, labels: Labels, p_label: str) -> str:
    t = _site_all(tests)
    mm = t[(t["test"] == "mixed_model") & (t["factor"] == "timepoint")]
    p_col = f"*p*~{p_label}~" if p_label else "*p*"

    def cells(rec):
        stat = f"*{rec['statistic_name']}*" if isinstance(rec["statistic_name"], str) else ""
        return [labels.scale(rec["instrument"], rec["scale"]), labels.contrast(rec["contrast"]),
                fmt.integer(rec["n"]),
                f"{fmt.num(rec['effect'])} {fmt.ci_bare(rec['ci_low'], rec['ci_high'])}",
                f"{stat} = {fmt.num(rec['statistic'])}" if stat else fmt.NA,
                labels.p(rec["p_adjusted"] if p_label else rec["p"])]

    rows = grouped(mm.to_dict("records"), labels, cells, 6)
    return md_table(["Scale", "Change", "*n*", f"Estimate [{labels.ci}]", "Statistic", p_col],
                    rows, "llrrrr")


def statistic_text(rec) -> str:
    """'*t*(20.41) = −2.25' (Satterthwaite df) or '*z* = 1.75'."""
    name = rec["statistic_name"]
    if not isinstance(name, str):
        return fmt.NA
    dof = f"({fmt.df(rec['df1'])})" if name == "t" and not fmt.missing(rec["df1"]) else ""
    return f"*{name}*{dof} = {fmt.num(rec['statistic'])}"


def arms(tests: pd.DataFrame, spec: dict, labels: Labels, p_label: str) -> str:
    """Arm x time mixed model: the arm difference at each timepoint and in change."""
    t = _site_all(tests)
    t = t[(t["comparison"] == spec["id"]) & (t["factor"] == "arm")]
    p_col = f"*p*~{p_label}~" if p_label else "*p*"
    rows = []
    for rec in t.to_dict("records"):
        what = (f"at {rec['timepoint']}" if rec["test"] == "mixed_model"
                else f"in change {labels.contrast(rec['timepoint'])}")
        rows.append([labels.scale(rec["instrument"], rec["scale"]), what, fmt.integer(rec["n"]),
                     f"{fmt.num(rec['effect'])} {fmt.ci_bare(rec['ci_low'], rec['ci_high'])}",
                     statistic_text(rec), labels.p(rec["p_adjusted"] if p_label else rec["p"])])
    a, b = (labels.group.get(x, x) for x in spec["arms"])
    return md_table(["Scale", "Difference", "*n*", f"{a} − {b} [{labels.ci}]", "Statistic", p_col],
                    rows, "llrrrr")


def rci(summary: pd.DataFrame, labels: Labels, suppress: int | None) -> str:
    """Reliable change per scale: n and the counts per category. Counts of 1 to
    ``suppress`` - 1 print as "<5"; a row with a single such count, which n would give
    away, also hides its next smallest count (complementary suppression)."""
    cats = ("improved", "unchanged", "deteriorated")

    def cells(rec):
        counts = {c: int(rec[c]) for c in cats}
        hidden = {c for c, v in counts.items() if suppress and 0 < v < suppress}
        if len(hidden) == 1:
            others = sorted((v, c) for c, v in counts.items() if c not in hidden and v > 0)
            if others:
                hidden.add(others[0][1])
        shown = [(f"<{suppress}" if counts[c] < suppress else "suppressed") if c in hidden
                 else fmt.integer(counts[c]) for c in cats]
        return [labels.scale(rec["instrument"], rec["scale"]),
                labels.contrast(f"{rec['from']}-{rec['to']}"), fmt.integer(rec["n"]), *shown]

    records = [{**r, "contrast": f"{r['from']}-{r['to']}"} for r in summary.to_dict("records")]
    rows = grouped(records, labels, cells, 6)
    return md_table(["Scale", "Change", "*n*", "Improved", "Unchanged", "Deteriorated"],
                    rows, "llrrrr")


def independent(tests: pd.DataFrame, selector: pd.Series, labels: Labels, level_names,
                p_label: str, totals_only: bool = False) -> str:
    """Mann-Whitney comparisons, under one heading per group: both levels' n and M (SD),
    U, z, p and the rank-biserial r."""
    t = _site_all(tests)[selector]
    t = t[t["p"].notna()]
    if totals_only:
        t = t[t["scale"] == "total"]
    a, b = level_names

    def cells(rec):
        note = rec["note"] if isinstance(rec["note"], str) else ""
        found = re.search(r"n = (\d+) vs (\d+)", note)
        counts = f"{found.group(1)} / {found.group(2)}" if found else fmt.integer(rec["n"])
        row = [labels.scale(rec["instrument"], rec["scale"]), counts,
               f"{fmt.num(rec['mean_1'])} ({fmt.num(rec['sd_1'])})",
               f"{fmt.num(rec['mean_2'])} ({fmt.num(rec['sd_2'])})",
               fmt.num(rec["statistic"], 1), fmt.num(rec["z"]), labels.p(rec["p"])]
        if p_label:
            row.append(labels.p(rec["p_adjusted"]))
        row.append(f"{fmt.bounded(rec['effect'])} "
                   f"{fmt.ci_bare(rec['ci_low'], rec['ci_high'], is_bounded=True)}")
        return row

    header = ["Scale", "*n*", f"{a} *M* (*SD*)", f"{b} *M* (*SD*)", "*U*", "*z*", "*p*"] + (
        [f"*p*~{p_label}~"] if p_label else []) + [f"*r* [{labels.ci}]"]
    rows = grouped(t.to_dict("records"), labels, cells, len(header))
    return md_table(header, rows, "ll" + "r" * (len(header) - 2))


def categorical(tests: pd.DataFrame, labels: Labels, p_label: str) -> str:
    t = _site_all(tests)
    rows = []
    for rec in t[t["test"] == "chi_square"].to_dict("records"):
        rows.append([labels.variable(rec["scale"]), fmt.integer(rec["n"]),
                     f"{fmt.num(rec['statistic'])} ({fmt.df(rec['df1'])})", labels.p(rec["p"]),
                     labels.p(rec["p_adjusted"]) if p_label else "",
                     fmt.bounded(rec["effect"]), rec["note"].replace("smallest expected count",
                                                                    "smallest expected")])
    header = ["Characteristic", "*N*", "χ^2^ (*df*)", "*p*", f"*p*~{p_label}~", "Cramér's *V*",
              "Note"]
    if not p_label:
        header.pop(4)
        rows = [r[:4] + r[5:] for r in rows]
    return md_table(header, rows, "lrrrrrl" if p_label else "lrrrrl")


def by_site(desc: pd.DataFrame, instruments: list[str], labels: Labels) -> str:
    """M (SD), n per site and pooled, for measures no comparison over time covers (e.g. a
    fidelity index answered once by each site's staff)."""
    d = desc[desc["instrument"].isin(instruments)]
    sites = [s for s in labels.site if s in set(d["site"])] + ["all"]
    header = ["Scale", "Time", *[labels.site.get(s, "All sites") for s in sites]]

    def cell(cells, site):
        if site not in cells.index:
            return fmt.NA
        rec = cells.loc[site]
        return f"{fmt.num(rec['mean'])} ({fmt.num(rec['sd'])}), {int(rec['n'])}"

    rows = []
    keys = sorted(d.groupby(["group", "instrument", "scale", "timepoint"]).groups,
                  key=lambda k: (*labels.order(k[0], k[1], k[2]), k[3]))
    for group, inst, scale, tp in keys:
        cells = d[(d["group"] == group) & (d["instrument"] == inst) & (d["scale"] == scale)
                  & (d["timepoint"] == tp)].set_index("site")
        rows.append([f"{labels.group[group]}: {labels.scale(inst, scale)}", tp,
                     *[cell(cells, s) for s in sites]])
    return md_table(header, rows, "ll" + "r" * len(sites))


# ---- qualitative ----------------------------------------------------------------------

def cfir(matrix: pd.DataFrame, sources: list[str] | None = None,
         domains: list[str] | None = None) -> str:
    """Quotations (codes) per CFIR domain and source, in the config's order of domains and
    sources (the framework's order, as the study declares it)."""
    sources = [s for s in (sources or []) if s in set(matrix["source"])] or list(
        dict.fromkeys(matrix["source"]))
    order = [d for d in (domains or []) if d in set(matrix["cfir_domain"])]
    order += [d for d in dict.fromkeys(matrix["cfir_domain"]) if d not in order]
    rows = []
    for domain in order:
        cells = matrix[matrix["cfir_domain"] == domain].set_index("source")
        rows.append([domain] + [f"{int(cells.loc[s, 'quotations'])} ({int(cells.loc[s, 'codes'])})"
                                for s in sources])
    return md_table(["CFIR domain", *[s[:1].upper() + s[1:] for s in sources]], rows)


def code_groups(groups: pd.DataFrame, codes: pd.DataFrame, top: int = 4,
                unit: str = "Quotations") -> str:
    rows = []
    for g in groups.sort_values(["quotations", "group"], ascending=[False, True]).itertuples():
        largest = codes[codes["group"] == g.group].sort_values(
            ["quotations", "code"], ascending=[False, True]).head(top)
        rows.append([fmt.code_group_label(g.group), str(g.codes),
                     str(g.quotations), fmt.num(100 * g.share, 1),
                     "; ".join(f"{c.code} ({c.quotations})" for c in largest.itertuples())])
    return md_table(["Code group", "Codes", unit, "%", f"Largest codes ({unit.lower()})"],
                    rows, "lrrrl")


def themes(table: pd.DataFrame, sources: list[str], unit: str = "Quotations") -> str:
    """Themes with their quotations (or coded segments), documents and counts per source."""
    rows = []
    for _, block in table.groupby("theme", sort=False):
        cells = block.set_index("source")
        total = cells.loc["all"]
        rows.append([total["label"], fmt.integer(total["quotations"]),
                     *[fmt.integer(cells.loc[s, "quotations"]) if s in cells.index else "0"
                       for s in sources], fmt.integer(total["documents"])])
    return md_table(["Theme", unit, *[s[:1].upper() + s[1:] for s in sources],
                     "Documents"], rows, "l" + "r" * (len(sources) + 2))


def _locator(quotation: str, document) -> str:
    """Where a quotation lies in its document: a MAXQDA segment's paragraphs ('Doc:20-20'
    -> 'paragraph 20', 'Doc:20-23' -> 'paragraphs 20–23'), else the export's quotation id
    ('quotation 5:39', as Atlas.ti numbers them)."""
    rest = quotation[len(f"{document}:"):] if quotation.startswith(f"{document}:") else None
    span = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", rest or "")
    if span:
        first, last = span.groups()
        return f"paragraph {first}" if first == last else f"paragraphs {first}–{last}"
    return f"quotation {quotation}" if rest is None else rest.strip()


def quotations(quotes: pd.DataFrame, table: pd.DataFrame) -> str:
    """Each theme's description and its exemplar quotations, as the team chose them."""
    described = table[table["source"] == "all"].set_index("theme")
    parts = []
    for theme, block in quotes.groupby("theme", sort=False):
        head = described.loc[theme]
        parts.append(f"**{head['label']}.** {head['description']} "
                     f"*Codes:* {head['codes']}.\n")
        for rec in block.sort_values("order").to_dict("records"):
            where = f"{rec['document']}, {_locator(str(rec['quotation']), rec['document'])}"
            parts.append(f"> “{rec['text']}” ({rec['source']}; {where})\n")
    return "\n".join(parts)


def agreement(table: pd.DataFrame) -> str:
    """Intercoder agreement pooled over codes, per level."""
    pooled = table[(table["code"] == "all") & (table["group"] == "all")]
    rows = [[rec["level"].capitalize(), fmt.integer(rec["n_units"]),
             fmt.num(rec["percent_agreement"], 1),
             fmt.num(100 * rec["agreement_when_coded"], 1), fmt.bounded(rec["kappa"]),
             fmt.bounded(rec["krippendorff_alpha"])] for rec in pooled.to_dict("records")]
    return md_table(["Level", "Units", "Agreement (%)", "Agreement when coded (%)", "κ",
                     "Krippendorff's α"], rows, "lrrrrr")


def joint_display(joint: pd.DataFrame, labels: Labels) -> str:
    """Each declared domain: the quantitative result, the qualitative finding, the
    meta-inference and its statement."""
    rows = []
    for rec in joint.to_dict("records"):
        p_label = "~Holm~" if rec.get("p_basis") == "p_adjusted" else ""
        quant = (f"{labels.group.get(rec['group'], rec['group'])}, "
                 f"{labels.scale(rec['instrument'], rec['scale'])} "
                 f"{labels.contrast(rec['contrast'])}: Δ = {fmt.num(rec['change'])}, "
                 f"*p*{p_label} {_p_phrase(labels.p(rec['p_used']))}")
        codes = rec["codes"] if isinstance(rec["codes"], str) and rec["codes"] else ""
        origin = rec.get("quotations_from") or "all sources"
        count = (f"{int(rec['quotations'])} quotations" if origin == "all sources" else
                 f"{int(rec['quotations'])} quotations from {origin.replace('; ', ', ')}")
        qual = (f"{rec['finding']} ({codes}; {count})" if codes
                else f"{rec['finding']} (no code speaks to it)")
        rows.append([rec["domain"], quant, qual, rec["meta_inference"].capitalize(),
                     rec["statement"]])
    return md_table(["Domain", "Quantitative result", "Qualitative finding", "Meta-inference",
                     "Integration"], rows, "lllll")


def _p_phrase(bare: str) -> str:
    return bare if bare[:1] in "<>" else f"= {bare}"


def agreement_by_code(table: pd.DataFrame) -> str:
    """Every code's agreement. α has three decimals, the precision of Krippendorff's
    benchmarks (.667, .800) that the papers count codes against: at two, an α of .6654
    would print as .67 while counted below .667."""
    def name(value, everything):
        return everything if value == "all" else fmt.code_group_label(value)

    records = table.to_dict("records")
    notes = any(isinstance(rec["note"], str) and rec["note"] for rec in records)
    rows = [[str(rec["level"]).capitalize(), name(rec["group"], "All groups"),
             name(rec["code"], "All codes"), fmt.integer(rec["n_units"]),
             fmt.num(rec["percent_agreement"], 1), fmt.bounded(rec["kappa"]),
             fmt.bounded(rec["krippendorff_alpha"], 3)]
            + ([rec["note"] if isinstance(rec["note"], str) else ""] if notes else [])
            for rec in records]
    return md_table(["Level", "Code group", "Code", "Units", "Agreement (%)", "κ", "α"]
                    + (["Note"] if notes else []), rows, "lllrrrr" + ("l" if notes else ""))


# ---- synthetic data ---------------------------------------------------------------------

def calibration(cal: pd.DataFrame, labels: Labels) -> str:
    rows = [[f"{labels.group[c.group]}: {labels.scale(c.instrument, c.scale)}",
             labels.contrast(c.contrast), labels.p(c.published_p), labels.p(c.observed_p),
             "yes" if c.same_side else "no",
             fmt.NA if pd.isna(c.same_direction) else ("yes" if c.same_direction else "no")]
            for c in cal.itertuples()]
    return md_table(["Group: scale", "Change", "*p* published", "*p* synthetic",
                     "Same side of α", "Same direction"], rows, "llrrll")


# ---- a randomised trial -----------------------------------------------------------------

def _arm_names(spec: dict, labels: Labels) -> tuple[str, str]:
    return tuple(labels.group.get(a, a) for a in spec["arms"])


def _minus(later: str, earlier: str) -> str:
    """'8 months minus 4 months' said short when both share their unit: '8 minus 4 months'."""
    a, b = later.rsplit(" ", 1), earlier.rsplit(" ", 1)
    if len(a) == len(b) == 2 and a[1] == b[1]:
        return f"{a[0]} minus {b[0]} {a[1]}"
    return f"{later} minus {earlier}"


def _tp_labels(labels: Labels) -> dict:
    return {t["id"]: t["label"] for t in labels.design["timepoints"]}


def trial_baseline(participants: pd.DataFrame, desc: pd.DataFrame, spec: dict,
                   labels: Labels) -> str:
    """Baseline characteristics by arm (CONSORT item 15): participants, sociodemographics and
    site as n (%), each outcome's baseline score as M (SD). No tests: the arms were
    randomised, so differences at baseline are chance by design."""
    arms = list(spec["arms"])
    people = participants[participants["group"].isin(arms)]
    columns = [*arms, "all"]
    size = {a: int((people["group"] == a).sum()) for a in arms} | {"all": len(people)}
    header = ["Characteristic", *[f"{labels.group[a]} (*n* = {size[a]})" for a in arms],
              f"Total (*N* = {size['all']})"]

    def count(mask, arm):
        mine = people if arm == "all" else people[people["group"] == arm]
        n = int(mask.reindex(mine.index).sum())
        return f"{n} ({fmt.num(100 * n / len(mine), 1)})" if len(mine) else fmt.NA

    rows = []
    variables = [v for v in labels.design.get("variables", {}) if v in people]
    for var in [*variables, "site"]:
        rows.append([f"**{labels.variable(var) if var != 'site' else 'Site'}**",
                     *[""] * len(columns)])
        values = people[var].fillna("not recorded").astype(str)
        order = ([s for s in labels.site if s in set(values)] if var == "site" else
                 [lv for lv in labels.level_order(var) if lv in set(values)])
        order += sorted(v for v in set(values) if v not in order)
        for level in order:
            name = labels.site.get(level, level) if var == "site" else labels.level(level)
            rows.append([f"  {name}", *[count(values == level, a) for a in columns]])
    rows.append(["**Baseline scores, *M* (*SD*)**", *[""] * len(columns)])
    d = _site_all(desc)
    for out in spec["outcomes"]:
        places = labels.decimals(out["instrument"], out["scale"])
        parts = []
        for arm in arms:
            hit = d[(d["group"] == arm) & (d["instrument"] == out["instrument"])
                    & (d["scale"] == out["scale"]) & (d["timepoint"] == spec["baseline"])]
            parts.append(None if hit.empty else hit.iloc[0])
        cells = []
        for arm, rec in zip([*arms, "all"], [*parts, _pooled(parts)], strict=True):
            if rec is None:
                cells.append(fmt.NA)
                continue
            text = f"{fmt.num(rec['mean'], places)} ({fmt.num(rec['sd'], places)})"
            if int(rec["n"]) != size[arm]:  # not everyone has this score at baseline
                text += f", *n* = {int(rec['n'])}"
            cells.append(text)
        rows.append([f"  {labels.scale(out['instrument'], out['scale'])}", *cells])
    return md_table(header, rows)


def _pooled(parts: list) -> dict | None:
    """Mean and SD (n - 1) of groups taken together, from their n, means and SDs: the
    exact values of the pooled sample (between- plus within-group sums of squares)."""
    if any(p is None for p in parts):
        return None
    n = sum(int(p["n"]) for p in parts)
    mean = sum(int(p["n"]) * float(p["mean"]) for p in parts) / n
    ss = sum((int(p["n"]) - 1) * float(p["sd"]) ** 2 + int(p["n"]) * (float(p["mean"]) - mean)
             ** 2 for p in parts)
    return {"n": n, "mean": mean, "sd": (ss / (n - 1)) ** 0.5}


def _estimate_cells(rec, smd, p_label: str, show_adjusted: bool, d_ci: bool = True,
                    decimals: int = 2) -> list[str]:
    est = (f"{fmt.num(rec['effect'], decimals)}\u00a0"   # estimate and interval: one unit
           f"{fmt.ci_bare(rec['ci_low'], rec['ci_high'], decimals)}"
           if rec is not None else fmt.NA)
    d = fmt.NA if smd is None else fmt.num(smd["effect"]) + (
        f" {fmt.ci_bare(smd['ci_low'], smd['ci_high'])}" if d_ci else "")
    p = fmt.p_bare(rec["p"]) if rec is not None else fmt.NA
    cells = [est, d, p]
    if p_label:
        cells.append(fmt.p_bare(rec["p_adjusted"]) if rec is not None and show_adjusted
                     else fmt.NA)
    return cells


def trial_outcomes(tests: pd.DataFrame, desc: pd.DataFrame, spec: dict, labels: Labels,
                   role: str, p_label: str) -> str:
    """Each outcome of one role (primary or secondary), by assessment: both arms' observed
    M (SD) and n, the baseline-adjusted difference (intervention minus control) with its CI,
    the standardised difference and p; the arm x time interaction (the difference at the
    interaction's last follow-up minus the one at its first, labelled so) as the outcome's
    last row. ``p_label`` names the family's adjustment (adjusted p shown at the endpoint).
    The primary endpoint is marked ^a^ and the interaction row ^b^ (the authors' table
    note says what they are); scores and differences have the decimals of their scale."""
    t = _site_all(tests)
    t = t[t["comparison"] == spec["id"]]
    d = _site_all(desc)
    a, b = _arm_names(spec, labels)
    tps = _tp_labels(labels)
    header = ["Outcome, assessment", f"{a} *M* (*SD*)", "*n*", f"{b} *M* (*SD*)", "*n*",
              f"Difference [{labels.ci}]", "*d*", "*p*"] + (
        [f"*p*~{p_label}~"] if p_label else [])
    outs = [o for o in spec["outcomes"] if o["role"] == role]
    rows = []
    for out in outs:
        inst, scale = out["instrument"], out["scale"]
        places = labels.decimals(inst, scale)
        if len(outs) > 1:
            rows.append([f"**{labels.scale(inst, scale)}**", *[""] * (len(header) - 1)])
        mine = t[(t["instrument"] == inst) & (t["scale"] == scale)]
        for tp in [spec["baseline"], *spec["follow_up"]]:
            cells = []
            for arm in spec["arms"]:
                hit = d[(d["group"] == arm) & (d["instrument"] == inst) & (d["scale"] == scale)
                        & (d["timepoint"] == tp)]
                cells += ([fmt.NA, "0"] if hit.empty else
                          [f"{fmt.num(hit['mean'].iloc[0], places)} "
                           f"({fmt.num(hit['sd'].iloc[0], places)})",
                           str(int(hit["n"].iloc[0]))])
            est = mine[(mine["test"] == "mixed_model") & (mine["timepoint"] == tp)]
            rec = _pick(est, "estimate")
            smd = _pick(est, "smd_baseline_sd")
            endpoint = tp == spec["primary_endpoint"]
            if rec is None:
                trail = [fmt.NA] * (len(header) - 5)
            else:
                trail = _estimate_cells(rec, smd, p_label, endpoint, d_ci=False,
                                        decimals=places)
            name = tps.get(tp, tp) + ("^a^" if endpoint else "")
            rows.append([f"  {name}" if len(outs) > 1 else name, *cells, *trail])
        for rec in mine[mine["test"] == "mixed_model_interaction"].to_dict("records"):
            # the interaction's timepoint reads "<first>-<last>": name the two follow-ups
            # whose differences it subtracts, so it is not read as change from baseline
            first, _, last = str(rec["timepoint"]).partition("-")
            what = (f"Δ, {_minus(tps.get(last, last), tps.get(first, first))}^b^" if last
                    else "Arm × time^b^")
            trail = _estimate_cells(rec, None, p_label, False, decimals=places)
            rows.append([f"  {what}" if len(outs) > 1 else what, "", "", "", "", *trail])
    return md_table(header, rows)


def _pick(block: pd.DataFrame, effect: str):
    hit = block[block["effect_name"] == effect]
    return None if hit.empty else hit.iloc[0].to_dict()


SENSITIVITY = (("mixed_model", "All available data (primary analysis)"),
               ("mixed_model_complete_cases", "Complete cases"),
               ("mixed_model_mi", "Multiple imputation (MAR)"))


def trial_sensitivity(tests: pd.DataFrame, spec: dict, labels: Labels) -> str:
    """The difference at the primary endpoint under each way of handling missing data,
    primary outcome first: n, estimate [CI], d and unadjusted p."""
    t = _site_all(tests)
    t = t[(t["comparison"] == spec["id"]) & (t["timepoint"] == spec["primary_endpoint"])]
    header = ["Outcome, analysis", "*n*", f"Difference [{labels.ci}]", f"*d* [{labels.ci}]",
              "*p*"]
    rows = []
    ordered = sorted(spec["outcomes"], key=lambda o: o["role"] != "primary")
    for out in ordered:
        mine = t[(t["instrument"] == out["instrument"]) & (t["scale"] == out["scale"])]
        found = [(name, mine[mine["test"] == test]) for test, name in SENSITIVITY
                 if (mine["test"] == test).any()]
        if len(found) < 2:
            continue
        role = " (primary)" if out["role"] == "primary" else ""
        rows.append([f"**{labels.scale(out['instrument'], out['scale'])}{role}**", "", "", "",
                     ""])
        places = labels.decimals(out["instrument"], out["scale"])
        for name, block in found:
            rec, smd = _pick(block, "estimate"), _pick(block, "smd_baseline_sd")
            rows.append([f"  {name}", fmt.integer(rec["n"]),
                         *_estimate_cells(rec, smd, "", False, decimals=places)])
    return md_table(header, rows)


def trial_fidelity(desc: pd.DataFrame, participants: pd.DataFrame, spec: dict, registry: dict,
                   labels: Labels) -> str:
    """Fidelity by site: peer workers rated, service users they supported, the total and
    each domain as M (SD) (the authors' note says so; the headers name the domains)."""
    fid = spec["fidelity"]
    d = desc[(desc["instrument"] == fid["instrument"]) & (desc["timepoint"] == fid["timepoint"])]
    inst = registry[fid["instrument"]]
    scales = [fid["scale"], *[s for s in inst.scales if s != fid["scale"]]]
    supported = (participants[participants["group"] == spec["arms"][0]]
                 .dropna(subset=["peer_worker"]).groupby("site").size()
                 if "peer_worker" in participants else pd.Series(dtype=int))
    header = ["Site", "Peer workers", "Service users supported",
              *[("Total" if s == fid["scale"] else s.replace("_", " ").capitalize())
                for s in scales]]
    rows = []
    for site in [*[s for s in labels.site if s in set(d["site"])], "all"]:
        cells = []
        n = fmt.NA
        for scale in scales:
            hit = d[(d["site"] == site) & (d["scale"] == scale)]
            if scale == fid["scale"] and len(hit):
                n = str(int(hit["n"].iloc[0]))
            cells.append(fmt.NA if hit.empty else
                         f"{fmt.num(hit['mean'].iloc[0])} ({fmt.num(hit['sd'].iloc[0])})")
        users = int(supported.sum()) if site == "all" else int(supported.get(site, 0))
        name = "All sites" if site == "all" else labels.site.get(site, site)
        rows.append([f"**{name}**" if site == "all" else name, n, str(users), *cells])
    return md_table(header, rows, "lrr" + "r" * len(scales))


def trial_by_site(tests: pd.DataFrame, spec: dict, labels: Labels) -> str:
    """Exploratory: the arm difference at the primary endpoint at each site (a forest-plot
    table): site, participants in the model, difference [CI] and p, in the config's site
    order, with the pooled primary estimate last for comparison. Empty without
    ``analysis.trial.by_site``."""
    t = tests[tests["comparison"] == spec["id"]]
    per = t[t["test"] == "mixed_model_by_site"]
    if per.empty:
        return empty_table("No analysis by site was declared (analysis.trial.by_site).")
    header = ["Outcome, site", "*n*", f"Difference [{labels.ci}]", "*p*"]
    rows = []
    for (inst, scale), block in per.groupby(["instrument", "scale"], sort=False):
        places = labels.decimals(inst, scale)
        rows.append([f"**{labels.scale(inst, scale)}**", "", "", ""])
        for site in [s for s in labels.site if s in set(block["site"])]:
            rec = block[block["site"] == site].iloc[0]
            rows.append([f"  {labels.site[site]}", fmt.integer(rec["n"]),
                         *_estimate_cells(rec, None, "", False, decimals=places)[::2]])
        pooled = t[(t["site"] == "all") & (t["test"] == "mixed_model") & (t["instrument"] == inst)
                   & (t["scale"] == scale) & (t["timepoint"] == spec["primary_endpoint"])
                   & (t["effect_name"] == "estimate")]
        if len(pooled):
            rec = pooled.iloc[0]
            rows.append(["  All sites (primary analysis)", fmt.integer(rec["n"]),
                         *_estimate_cells(rec, None, "", False, decimals=places)[::2]])
    return md_table(header, rows, "lrrr")


def trial_variance(tests: pd.DataFrame, spec: dict, labels: Labels) -> str:
    """Each outcome's variance components (participant, site, residual) from its primary
    model, and the intraclass correlations (site; participant, which includes site)."""
    t = tests[(tests["comparison"] == spec["id"]) & (tests["test"] == "mixed_model_variance")]
    header = ["Outcome", "Participant variance", "Site variance", "Residual variance",
              "ICC site", "ICC participant"]
    rows = []
    for out in spec["outcomes"]:
        mine = t[(t["instrument"] == out["instrument"]) & (t["scale"] == out["scale"])]
        if mine.empty:
            continue
        places = 2 if labels.decimals(out["instrument"], out["scale"]) == 2 else 4

        def cell(factor, effect, places=places, mine=mine):
            hit = mine[(mine["factor"] == factor) & (mine["effect_name"] == effect)]
            if hit.empty:
                return fmt.NA
            value = hit["effect"].iloc[0]
            return fmt.bounded(value, 3) if effect == "icc" else fmt.num(value, places)

        rows.append([labels.scale(out["instrument"], out["scale"]),
                     cell("participant_id", "variance"), cell("site", "variance"),
                     cell("residual", "variance"), cell("site", "icc"),
                     cell("participant_id", "icc")])
    return md_table(header, rows)


def trial_deviations(design: dict) -> str:
    """Where the report departs from the protocol, and why (config ``trial.deviations``;
    CONSORT items 3b and 6b), as a list rather than a table: each departure's topic, what
    the protocol said, what this report does and the reason, in sentences (a four-column
    table of prose is unreadable on a page). The text may cite ([@key])."""
    entries = design.get("trial", {}).get("deviations", [])
    if not entries:
        return empty_table("No departure from the protocol was declared (trial.deviations).")

    def sentence(text: str) -> str:
        text = " ".join(str(text).split())
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")

    return "\n".join(f"- **{e['topic']}.** *Protocol:* {sentence(e['protocol'])} "
                     f"*This report:* {sentence(e['report'])} *Reason:* {sentence(e['reason'])}"
                     for e in entries) + "\n"


LANGUAGES = {"de": "German", "lg": "Luganda", "sw": "Kiswahili", "he": "Hebrew",
             "gu": "Gujarati", "en": "English", "es": "Spanish", "ca": "Catalan"}


def trial_forms(forms: pd.DataFrame, raw_files: list[dict], labels: Labels,
                registry: dict) -> str:
    """Per site: its export (format and layout) and the language version of each instrument
    it used, from instrument_forms.csv (each raw file's declared form). A version whose
    source is the instrument's first source (its development study) is marked
    '(original)'; the sources of the others belong in the authors' table note."""
    layout = {}
    for spec in raw_files:
        wide = isinstance(spec.get("timepoint"), dict) and "wide" in spec["timepoint"]
        kind = ("SPSS (.sav)" if spec["format"] == "sav" else
                {"\t": "tab-separated text", ";": "semicolon-separated text"}.get(
                    spec.get("sep", ","), "comma-separated text"))
        layout[spec["id"]] = f"{kind}, {'wide' if wide else 'long'}"
    instruments = list(dict.fromkeys(forms["instrument"]))
    header = ["Site", "Export", *[registry[i].short_name for i in instruments]]
    rows = []
    for site in labels.site:
        mine = forms[forms["sites"].astype(str).str.split(";").map(lambda s, x=site: x in s)]
        if mine.empty:
            continue
        file_id = mine["file_id"].iloc[0]
        cells = []
        for inst in instruments:
            hit = mine[mine["instrument"] == inst]
            if hit.empty:
                cells.append(fmt.NA)
                continue
            rec = hit.iloc[0]
            lang = LANGUAGES.get(str(rec["language"]), str(rec["language"]))
            first = registry[inst].sources[0]["id"]  # the instrument's development study
            original = isinstance(rec["citation"], str) and rec["citation"] == first
            cells.append(f"{lang} (original)" if original else lang)
        rows.append([labels.site[site], layout.get(file_id, fmt.NA), *cells])
    return md_table(header, rows, "l" * (2 + len(instruments)))


def read_checklist(path) -> pd.DataFrame:
    """A study's reporting-checklist mapping joined to its guideline's items (package data:
    ``checklists/<guideline>.yaml``); every item must be mapped, and nothing else."""
    from pathlib import Path

    import yaml

    from peerstudy.errors import ConfigError

    mapping = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    guide_path = Path(__file__).parent / "checklists" / f"{mapping.get('guideline', '')}.yaml"
    if not guide_path.is_file():
        raise ConfigError(f"{path}: guideline '{mapping.get('guideline')}' is not one of "
                          f"{sorted(p.stem for p in guide_path.parent.glob('*.yaml'))}.")
    guide = yaml.safe_load(guide_path.read_text(encoding="utf-8"))
    check_guideline(guide, guide_path)
    items = {str(k): v for k, v in (mapping.get("items") or {}).items()}
    known = [str(i["id"]) for i in guide["items"]]
    missing = [i for i in known if i not in items]
    extra = [i for i in items if i not in known]
    if missing or extra:
        raise ConfigError(f"{path}: {guide['name']} items " + "; ".join(
            x for x in (f"not mapped: {', '.join(missing)}" if missing else "",
                        f"not in the checklist: {', '.join(extra)}" if extra else "") if x)
            + " — map every item to where the report covers it.")
    rows = []
    for item in guide["items"]:
        entry = items[str(item["id"])]
        where = entry.get("where", [])
        if not where:
            raise ConfigError(f"{path}: item {item['id']} has no 'where'.")
        status = entry.get("status", "reported")
        if status not in CHECKLIST_STATUS:
            raise ConfigError(f"{path}: item {item['id']}: status '{status}' is not one of "
                              f"{', '.join(CHECKLIST_STATUS)}.")
        if status != "reported" and not entry.get("note"):
            raise ConfigError(f"{path}: item {item['id']} is '{status}': give a note saying "
                              "why.")
        rows.append({"item": str(item["id"]), "section": item["section"],
                     "topic": item["topic"], "status": status, "where": ";".join(where),
                     "note": entry.get("note", "")})
    return pd.DataFrame(rows, columns=["item", "section", "topic", "status", "where", "note"])


def check_guideline(guide: dict, path) -> None:
    """A guideline's items each have exactly an id, a section and a topic, all text: an
    unquoted comma in a YAML flow mapping ends the topic and makes the rest a key of its
    own ({topic: Changes, with reasons} reads as topic 'Changes' and a key 'with
    reasons'), which this catches."""
    from peerstudy.errors import ConfigError

    for item in guide.get("items", []):
        if set(item) != {"id", "section", "topic"} or not all(
                isinstance(item[k], str) and item[k].strip() for k in ("id", "section", "topic")):
            extra = sorted(str(k) for k in set(item) - {"id", "section", "topic"})
            raise ConfigError(f"{path}: item {item.get('id')} must have exactly an id, a "
                              "section and a topic, each quoted text"
                              + (f" (found extra keys {extra}: quote a topic that contains a "
                                 "comma or a colon)" if extra else "") + ".")


# How a reporting-checklist item is covered: fully, in part, or not (the note says why).
CHECKLIST_STATUS = ("reported", "partly reported", "not reported", "not applicable")


def checklist(table: pd.DataFrame) -> str:
    """The checklist appendix: each item, its topic, whether it is reported (in full, in
    part, not, or not applicable), where the report covers it (as cross-references, which
    the renderer resolves to section, table and figure numbers) and why, where it is not
    simply reported."""
    places = {"title": "Title", "abstract": "Abstract"}
    rows, current = [], None
    for rec in table.to_dict("records"):
        if rec["section"] != current:   # a heading row, in the (wide) topic column
            current = rec["section"]
            rows.append(["", f"**{current}**", "", "", ""])
        where = [places.get(w, w) for w in rec["where"].split(";")]
        note = rec["note"] if isinstance(rec["note"], str) else ""
        status = rec.get("status", "reported")
        rows.append([rec["item"], rec["topic"], status[:1].upper() + status[1:],
                     ", ".join(where), note[:1].upper() + note[1:] if note else ""])
    return md_table(["Item", "Topic", "Status", "Where", "Note"], rows, "lllll")
