"""The supplement's tables: every row the run computed, so nothing is hidden.

The manuscript reports what its authors choose; the supplement
(``reports/<id>/supplement.{html,docx,pdf}``) lists every row of
``tests.csv`` (one table per multiplicity family), the descriptives of every
site, every reliability estimate and, for synthetic studies, the calibration
against the published numbers. Its prose frame is ``quarto/supplement.qmd``.
"""

from __future__ import annotations

from peerstudy.report import format as fmt
from peerstudy.report.tables import Labels, md_table

# tests.csv family of rows without a test (peerstudy.trial.NO_TEST; not imported, so that
# the supplement does not depend on the analysis code)
NO_TEST = "no_test"

TEST_NAMES = {
    "wilcoxon": "Wilcoxon signed-rank", "paired_t": "paired t", "rm_anova": "RM-ANOVA",
    "rm_anova_gg": "RM-ANOVA (GG)", "rm_anova_hf": "RM-ANOVA (HF)", "friedman": "Friedman",
    "mann_whitney": "Mann–Whitney\u00a0U", "chi_square": "chi-square",
    "fisher_exact": "Fisher exact",
    "mixed_model": "mixed model", "mixed_model_change": "mixed model (change)",
    "mixed_model_interaction": "mixed model (arm × time)",
    "mixed_model_complete_cases": "mixed model (complete cases)",
    "mixed_model_mi": "mixed model (multiple imputation)",
    "mixed_model_variance": "mixed model (variance components)",
    "mixed_model_by_site": "mixed model (by site)",
    "mixed_model_site_lrt": "likelihood ratio (arm × site)",
}


STATISTIC_SYMBOLS = {"chi2": "χ^2^", "odds_ratio": "OR", "F": "*F*", "t": "*t*", "z": "*z*",
                     "U": "*U*", "V": "*V*", "W": "*W*"}
EFFECT_SYMBOLS = {
    "rank_biserial": "*r*", "cohen_dz": "*d*~z~", "cohen_dav": "*d*~av~",
    "hedges_gav": "*g*~av~", "partial_eta_sq": "η^2^~p~", "generalized_eta_sq": "η^2^~G~",
    "kendall_w": "*W*", "cramers_v": "*V*", "odds_ratio": "OR", "estimate": "*b*",
    "smd_baseline_sd": "*d*", "variance": "σ^2^", "icc": "ICC",
}


# Effect sizes that cannot exceed 1: printed without a leading zero (APA).
BOUNDED_EFFECTS = {"rank_biserial", "partial_eta_sq", "generalized_eta_sq", "kendall_w",
                   "cramers_v", "icc"}


def _scale_decimals(labels: Labels, rec: dict) -> int:
    """Decimals of an estimate in the units of its scale: as the manuscript prints them
    (two on sum scores, three on item means; Labels.decimals), two where unknown."""
    inst, scale = rec["instrument"], rec["scale"]
    if inst in labels.registry and scale in labels.registry[inst].scales:
        return labels.decimals(inst, scale)
    return 2


def _effect(rec: dict, labels: Labels) -> str:
    """An effect as APA prints it: bounded ones without a leading zero, a small variance
    component with four decimals (two would round it to 0.00), an estimate in its scale's
    decimals."""
    if rec["effect_name"] in BOUNDED_EFFECTS:
        return fmt.bounded(rec["effect"], 3 if rec["effect_name"] == "icc" else 2)
    if rec["effect_name"] == "variance" and not fmt.missing(rec["effect"]) \
            and abs(rec["effect"]) < 1:
        return fmt.num(rec["effect"], 4)
    if rec["effect_name"] == "estimate":
        return fmt.num(rec["effect"], _scale_decimals(labels, rec))
    return fmt.num(rec["effect"])


def _statistic(rec: dict) -> str:
    """A test statistic as the manuscript prints it: a rank sum (*U*, *V*: whole or half
    numbers) as "28" or "26.5", any other to two decimals."""
    value = rec["statistic"]
    if rec["statistic_name"] in ("U", "V") and not fmt.missing(value):
        return fmt.num(value, 1) if float(value) % 1 else fmt.integer(value)
    return fmt.num(value)


def _effect_symbol(rec: dict) -> str:
    """The effect's symbol: a trial's arm difference, and its change between two
    follow-ups (arm × time), are Δ, as in the manuscript."""
    if rec["effect_name"] == "estimate" and rec.get("factor") in ("arm", "arm_x_time"):
        return "Δ"
    return EFFECT_SYMBOLS.get(rec["effect_name"], rec["effect_name"])


def _site(labels: Labels, site) -> str:
    return "All sites" if site == "all" else labels.site.get(site, site)


def _site_rank(labels: Labels, site) -> int:
    """Sites in the config's order, the pooled rows ('all') first."""
    order = list(labels.site)
    return -1 if site == "all" else order.index(site) if site in order else len(order)


def timepoint_names(design: dict) -> dict[str, str]:
    """{timepoint id: its name in a table cell}: the config's short label, else its label."""
    return {t["id"]: t.get("short_label", t["label"]) for t in design.get("timepoints", [])}


def _contrast(labels: Labels, contrast) -> str:
    """A contrast in words: timepoints by their short names (T1-T2, or T1,T2,T3), groups
    and sites by their labels."""
    contrast = contrast if isinstance(contrast, str) else ""
    tps = timepoint_names(labels.design)
    sep, joiner = ("," , ", ") if "," in contrast else ("-", "–")
    if contrast and all(part in tps for part in contrast.split(sep)):
        return joiner.join(tps[part] for part in contrast.split(sep))
    return labels.contrast(contrast) if contrast else ""


def _what(labels: Labels, rec: dict) -> str:
    """A row's contrast and timepoint in words: group and site labels, an instrument.scale
    contrast (the fidelity row) as the scale's name, timepoints by their labels."""
    contrast = str(rec["contrast"]) if isinstance(rec["contrast"], str) else ""
    inst, _, scale = contrast.partition(".")
    if scale and inst in labels.registry and scale in labels.registry[inst].scales:
        text = labels.scale(inst, scale)
    elif rec.get("factor") in ("participant_id", "site", "residual") and \
            rec.get("test") == "mixed_model_variance":
        text = {"participant_id": "participant", "site": "site",
                "residual": "residual"}[rec["factor"]]
    else:
        text = _contrast(labels, contrast)
    tps = timepoint_names(labels.design)
    tp = rec["timepoint"]
    if isinstance(tp, str) and tp:
        parts = [tps.get(part, part) for part in tp.split("-")]
        # an arm x time row: the arm difference at the later follow-up minus the earlier
        named = (" minus ".join(reversed(parts)) if rec.get("factor") == "arm_x_time"
                 else "–".join(parts))
        text = f"{text}, {named}" if text else named
    return text or fmt.NA


def _float_div(label: str, table: str, caption: str) -> str:
    return f"::: {{#{label}}}\n{table}\n{caption}\n:::\n"


def family_order(design: dict) -> list[str]:
    """The multiplicity families in the order the analysis plan first names them (a
    trial's primary, secondary, supportive and exploratory families in that order)."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "family" and isinstance(value, str):
                    found.append(value)
                elif key == "families" and isinstance(value, dict):
                    found.extend(v for v in value.values() if isinstance(v, str))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(design.get("analysis", {}))
    return list(dict.fromkeys(found))


def family_caption(block, fam: str, labels: Labels) -> str:
    """What a family's table holds, in words: its groups (only when every row belongs to
    a named group; a table with pooled rows leaves the group to each row), tests and
    scales; the family's id in tests.csv last, for tracing."""
    if fam == NO_TEST:
        return ("Estimates without a test: the variance components of each trial outcome's "
                "model and their intraclass correlations.")
    present = set(block["group"].dropna())
    named = present <= set(labels.group) and bool(block["group"].notna().all())
    groups = [label for gid, label in labels.group.items() if gid in present and named]
    groups = [groups[0], *[fmt.lower_first(g) for g in groups[1:]]] if groups else []
    order = list(TEST_NAMES)
    tests = [TEST_NAMES.get(t, t) for t in sorted(
        set(block["test"]), key=lambda t: (order.index(t) if t in order else len(order), t))]
    what = fmt.join_words(tests)
    who = f"{fmt.join_words(groups)} — " if groups else ""
    several = len(tests) > 1
    return (f"{who}{what[:1].upper() + what[1:]}: one row per test and effect size (family "
            f"`{fam}` in tests.csv" + ("; *p* adj. within each test of the family)."
                                      if several else ")."))


def tests_tables(ctx) -> list[str]:
    labels = Labels(ctx.design, ctx.registry)
    t = ctx.results["tests"].copy()
    t["family"] = t["family"].fillna(NO_TEST)   # rows without a test (variance components)
    planned = family_order(ctx.design)
    families = sorted(t["family"].unique(), key=lambda f: (
        f == NO_TEST, planned.index(f) if f in planned else len(planned), f))
    parts = []
    for fam in families:
        block = t[t["family"] == fam]
        rows = []
        # pooled rows first, then the sites in the config's order; groups, instruments and
        # scales in the plan's order (tests.csv sorts ids)
        records = sorted(block.to_dict("records"), key=lambda r: (
            _site_rank(labels, r["site"]), *labels.order(r["group"], r["instrument"],
                                                          r["scale"])[:3]))
        for rec in records:
            scale = (labels.variable(rec["scale"]) if rec["instrument"] == "demographics"
                     else labels.scale(rec["instrument"], rec["scale"]))
            dfs = ", ".join(fmt.df(x) for x in (rec["df1"], rec["df2"]) if not fmt.missing(x))
            rows.append([
                _site(labels, rec["site"]), labels.group.get(rec["group"], "All"), scale,
                TEST_NAMES.get(rec["test"], rec["test"]), _what(labels, rec),
                fmt.integer(rec["n"]),
                f"{STATISTIC_SYMBOLS.get(rec['statistic_name'], rec['statistic_name'])} = "
                f"{_statistic(rec)}" if isinstance(rec["statistic_name"], str)
                else fmt.NA,
                dfs or fmt.NA, fmt.p_bare(rec["p"]), fmt.p_bare(rec["p_adjusted"]),
                f"{_effect_symbol(rec)} = {_effect(rec, labels)}"
                if isinstance(rec["effect_name"], str) else fmt.NA,
                fmt.ci_bare(rec["ci_low"], rec["ci_high"],
                            _scale_decimals(labels, rec) if rec["effect_name"] == "estimate"
                            else 2, is_bounded=rec["effect_name"] in BOUNDED_EFFECTS),
            ])
        table = md_table(["Site", "Group", "Scale", "Test", "Contrast", "*n*", "Statistic",
                          "*df*", "*p*", "*p* adj.", "Effect", labels.ci], rows,
                         "lllllrrrrrrr")
        parts.append(_float_div(f"tbl-tests-{fam.replace('_', '-')}", table,
                                family_caption(block, fam, labels)))
    return parts


def descriptives_table(ctx) -> str:
    labels = Labels(ctx.design, ctx.registry)
    d = ctx.results["descriptives"]
    tps = timepoint_names(ctx.design)
    records = sorted(d.to_dict("records"), key=lambda r: (
        *labels.order(r["group"], r["instrument"], r["scale"]),
        list(tps).index(r["timepoint"]) if r["timepoint"] in tps else len(tps),
        _site_rank(labels, r["site"])))
    def row(r):
        # in the scale's own decimals, as the manuscript prints them (three on item means)
        k = _scale_decimals(labels, r)
        return [_site(labels, r["site"]), labels.group.get(r["group"], r["group"]),
                labels.scale(r["instrument"], r["scale"]),
                tps.get(r["timepoint"], r["timepoint"]), fmt.integer(r["n"]),
                fmt.num(r["mean"], k), fmt.num(r["sd"], k), fmt.num(r["median"], k),
                f"{fmt.num(r['q1'], k)}–{fmt.num(r['q3'], k)}",
                f"{fmt.num(r['min'], k)}–{fmt.num(r['max'], k)}"]

    rows = [row(r) for r in records]
    table = md_table(["Site", "Group", "Scale", "Time", "*n*", "*M*", "*SD*", "*Mdn*", "IQR",
                      "Range"], rows, "llllrrrrrr")
    return _float_div("tbl-descriptives-all", table,
                      "Descriptive statistics of every scale, by site and pooled "
                      "(descriptives.csv).")


def reliability_table(ctx) -> str:
    labels = Labels(ctx.design, ctx.registry)
    rel = ctx.results["reliability"]
    tps = timepoint_names(ctx.design)
    rows = [[labels.group.get(r["group"], r["group"]), labels.scale(r["instrument"], r["scale"]),
             tps.get(r["timepoint"], r["timepoint"]), fmt.integer(r["n"]),
             fmt.integer(r["k_items"]),
             fmt.bounded(r["alpha"]), fmt.ci_bare(r["alpha_ci_low"], r["alpha_ci_high"],
                                                  is_bounded=True),
             fmt.bounded(r["omega"]),
             str(r["note"]).replace("<=", "≤").replace(">=", "≥")
             if isinstance(r["note"], str) else ""]
            for r in rel.to_dict("records")]
    table = md_table(["Group", "Scale", "Time", "*n*", "Items", "α", labels.ci, "ω", "Note"],
                     rows, "lllrrrrrl")
    return _float_div("tbl-reliability-all", table,
                      "Internal consistency of every multi-item scale (reliability.csv).")


def calibration_table(ctx) -> str:
    cal = ctx.results.get("calibration")
    if cal is None or cal.empty:   # nothing was calibrated: no table, no heading
        return ""
    labels = Labels(ctx.design, ctx.registry)
    tps = timepoint_names(ctx.design)
    rows = [[labels.group[r["group"]], labels.scale(r["instrument"], r["scale"]),
             tps.get(r["timepoint"], r["timepoint"]),
             fmt.num(r["published_mean"]), fmt.num(r["observed_mean"]),
             fmt.num(r["difference"]), "yes" if r["attainable"] else "no"]
            for r in cal.to_dict("records")]
    table = md_table(["Group", "Scale", "Time", "*M* published", "*M* synthetic", "Difference",
                      "Attainable"], rows, "lllrrrl")
    return _float_div("tbl-calibration-means", table,
                      "Published means beside the synthetic data's (validation/"
                      "calibration.csv).")


UNDECLARED_REASONS = {"no meta-inference declared": "a domain without a declared "
                      "meta-inference"}


def _undeclared_reason(reason: str) -> str:
    """peerstudy.integration's reason, in a reader's words."""
    if reason.startswith("no domain declared"):
        return "no joint-display domain covers this result"
    return UNDECLARED_REASONS.get(reason, reason)


def qualitative_tables(ctx) -> list[str]:
    from peerstudy.config import coding_unit
    from peerstudy.report import tables

    r, parts = ctx.results, []
    unit = coding_unit(ctx.design)
    if "codes" in r:
        rows = [[fmt.code_group_label(c["group"]), c["code"], fmt.integer(c["quotations"]),
                 fmt.integer(c["documents"])] for c in r["codes"].to_dict("records")]
        parts += ["## Codes", "", _float_div(
            "tbl-codes-all", md_table(["Code group", "Code", unit, "Documents"], rows,
                                      "llrr"),
            f"Every code of the coding export, under its code group as the export spells "
            f"it, with its {unit.lower()} and the documents they come from.")]
    if "agreement" in r:
        parts += ["## Intercoder agreement by code", "", _float_div(
            "tbl-agreement-all", tables.agreement_by_code(r["agreement"]),
            "Agreement of the two coders on every code, at the level of documents (was the "
            "code used in the document) and of segments (did the two coders' segments of the "
            "code overlap by the declared share); α to three decimals, the precision of "
            "Krippendorff's benchmarks (.667, .800).")]
    if "joint_undeclared" in r and len(r["joint_undeclared"]):
        labels = Labels(ctx.design, ctx.registry)
        rows = [[labels.group.get(u["group"], u["group"]),
                 labels.scale(u["instrument"], u["scale"]), _contrast(labels, u["contrast"]),
                 _undeclared_reason(u["reason"])]
                for u in r["joint_undeclared"].to_dict("records")]
        parts += ["## Results without a declared meta-inference", "", _float_div(
            "tbl-undeclared", md_table(["Group", "Scale", "Contrast", "Why not in the joint "
                                        "display"], rows, "llll"),
            "Results of the joint display's test without a declared meta-inference, left out "
            "of the joint display.")]
    return parts


def timepoint_key(design: dict) -> str:
    """One sentence naming the timepoints as the tables do, with their ids (the
    manuscript's tables may use the ids) and, where they differ, their full labels."""
    points = design.get("timepoints", [])
    if not points:
        return ""
    names = [f"{t.get('short_label', t['label'])} ({t['id']})" for t in points]
    text = f"The tables name the timepoints {fmt.join_words(names)}"
    if any(t.get("short_label", t["label"]) != t["label"] for t in points):
        text += ": " + fmt.join_words([t["label"] for t in points])
    return text + "."


def body(ctx) -> str:
    """The supplement's generated part: headed sections of every-row tables."""
    sections = []
    key = timepoint_key(ctx.design)
    if key:
        sections += [key, ""]
    if "tests" in ctx.results:
        sections += ["## Every test", "", *tests_tables(ctx),
                     "## Descriptive statistics", "", descriptives_table(ctx),
                     "## Reliability", "", reliability_table(ctx)]
    cal = calibration_table(ctx)
    if cal:
        sections += ["## Calibration of the synthetic data", "", cal]
    sections += qualitative_tables(ctx)
    return "\n".join(sections) + "\n"


