"""The values registry: every number and number-dependent word a manuscript may quote.

Each family of keys is declared once, with its key pattern, the results file
it reads, the rows it selects and how each field is formatted; expanded over
a run's results it gives ``{key: Value}``. The workflow writes the values to
``reports/<id>/_variables.yml`` (what ``{{< var key >}}`` reads), documents
every key in ``values.md`` and lists each key's file, row and columns in
``provenance.csv``. Words that a reader could contradict by looking at the
numbers (rose/fell, improved/worsened, significant) are computed here from
the same rows and the same rounded numbers that are quoted with them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from peerstudy.config import schema_defaults
from peerstudy.report import format as fmt

MULTIPLICITY_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg", "bonferroni": "Bonferroni",
                      "none": ""}


@dataclass(frozen=True)
class Value:
    key: str
    text: str        # Markdown, as it appears in the manuscript
    file: str        # the results file it comes from
    row: str         # which row(s)
    columns: str     # which column(s)


@dataclass
class Family:
    pattern: str
    source: str
    description: str
    build: Callable[[Context], Iterator[Value]]
    needs: tuple[str, ...] = ()   # results the family reads; skipped when a study has none


@dataclass
class Context:
    """What the values are computed from: one run's results and the study's design."""

    study: str
    results: dict[str, pd.DataFrame]
    conventions: dict
    design: dict           # study, groups, sites, timepoints, schedule, analysis, variables
    registry: dict
    provenance: dict = field(default_factory=dict)  # versions, hashes, command
    cache: dict = field(default_factory=dict, repr=False)  # what several values reuse

    def path(self, name: str) -> str:
        folder = "data/processed" if name == "participants" else "results"
        files = {"qual_totals": "qualitative/totals", "code_groups": "qualitative/code_groups",
                 "codes": "qualitative/codes", "joint_display": "joint_display",
                 "rci_summary": "rci_summary"}
        return f"{folder}/{self.study}/{files.get(name, name)}." + (
            "json" if name == "conventions" else "csv")

    # A qualitative-only study has no statistical conventions; nothing reads these then.
    @property
    def alpha(self) -> float:
        if "alpha" in self.conventions:
            return self.conventions["alpha"]
        return schema_defaults("analysis", "alpha")

    @property
    def level(self) -> float:
        conv = self.conventions.get("conventions", {})
        if "ci_level" in conv:
            return conv["ci_level"]
        return schema_defaults("analysis", "conventions", "ci_level")

    @property
    def correction(self) -> str:
        return self.conventions.get("multiplicity", {}).get("method", "none")

    def p_label(self) -> str:
        """The subscript of a multiplicity-adjusted p ('Holm'), '' when none is declared."""
        return MULTIPLICITY_NAMES[self.correction]

    def primary_p(self, rec) -> float:
        """The p that significance words use: adjusted where a correction is declared."""
        return rec["p_adjusted"] if self.correction != "none" else rec["p"]

    def p_text(self, rec) -> str:
        """'*p*~Holm~ = .034' (or '*p* = .034' when no correction is declared)."""
        return fmt.p_expr(self.primary_p(rec), self.p_label(), self.alpha)

    def higher_is_better(self, instrument: str, scale: str):
        return self.registry[instrument].scales[scale].higher_is_better


FAMILIES: list[Family] = []


def family(pattern: str, source: str, description: str, needs: tuple[str, ...] = ()):
    def register(build):
        FAMILIES.append(Family(pattern, source, description, build, needs))
        return build
    return register


def _text(value) -> str:
    """A text cell of a results file; an empty cell reads 'not stated'."""
    return "not stated" if fmt.missing(value) or value == "" else str(value)


def slug(text) -> str:
    """A key part from a label: '<25' -> 'lt25', '25-35' -> '25_35', 'Impact by peer' ->
    'impact_by_peer'."""
    text = str(text).strip().lower().replace("<", "lt").replace(">", "gt").replace("%", "pct")
    text = re.sub(r"[^0-9a-z]+", "_", text).strip("_")
    return text or "blank"


def pair_key(contrast: str) -> str:
    return contrast.replace("-", "_").replace(",", "_")


def _row_text(**selectors) -> str:
    return ", ".join(f"{k}={v}" for k, v in selectors.items())


# ---- study and sample ---------------------------------------------------------------

@family("study.{title|id|data}", "config", "the study's title and id; `data` is 'synthetic' or "
        "'real'")
def study_values(ctx: Context):
    study = ctx.design["study"]
    yield Value("study.title", study["title"], "config", "study", "title")
    yield Value("study.id", study["id"], "config", "study", "id")
    yield Value("study.data", "synthetic" if study.get("synthetic") else "real", "config",
                "study", "synthetic")


@family("n.total; n.{group}.{enrolled|pct|completed|lost}; n.{group}.{timepoint}; "
        "n.{group}.dropout.{reason}[_words]", "participants.csv",
        "participants enrolled, seen at each scheduled timepoint (attended_<T>), seen at the "
        "group's last scheduled timepoint (completed), not seen there (lost), and drop-outs "
        "by recorded reason; pct is the group's share of everyone enrolled",
        needs=("participants",))
def sample_values(ctx: Context):
    people = ctx.results["participants"]
    src = ctx.path("participants")
    total = len(people)
    yield Value("n.total", str(total), src, "all rows", "participant_id")
    for group in ctx.design["groups"]:
        gid = group["id"]
        mine = people[people["group"] == gid]
        sel = _row_text(group=gid)
        yield Value(f"n.{gid}.enrolled", str(len(mine)), src, sel, "participant_id")
        yield Value(f"n.{gid}.pct", fmt.percent(len(mine), total), src, sel,
                    "participant_id (share of all rows)")
        scheduled = [t["id"] for t in ctx.design["timepoints"]
                     if t["id"] in ctx.design["schedule"].get(gid, {})]
        for tp in scheduled:
            col = f"attended_{tp}"
            if col in mine:
                seen = int(mine[col].astype("boolean").fillna(False).sum())
                yield Value(f"n.{gid}.{tp}", str(seen), src, sel, col)
        if scheduled and f"attended_{scheduled[-1]}" in mine:
            col = f"attended_{scheduled[-1]}"
            done = int(mine[col].astype("boolean").fillna(False).sum())
            yield Value(f"n.{gid}.completed", str(done), src, sel, col)
            yield Value(f"n.{gid}.lost", str(len(mine) - done), src, sel, col)
        if "dropout_reason" in mine:
            for reason, count in sorted(mine["dropout_reason"].dropna().value_counts().items()):
                yield Value(f"n.{gid}.dropout.{slug(reason)}", str(int(count)), src,
                            _row_text(group=gid, dropout_reason=reason), "participant_id")
                yield Value(f"n.{gid}.dropout.{slug(reason)}_words", fmt.count_words(count),
                            src, _row_text(group=gid, dropout_reason=reason),
                            "participant_id (in words below ten)")


@family("demo.{group|all}.{variable}.{level}.{n|pct}", "demographics.csv",
        "baseline characteristics: count and percentage of the group",
        needs=("demographics",))
def demographic_values(ctx: Context):
    demo = ctx.results["demographics"]
    src = ctx.path("demographics")
    for rec in demo[demo["variable"] != "enrolled"].to_dict("records"):
        base = f"demo.{rec['group']}.{rec['variable']}.{slug(rec['level'])}"
        sel = _row_text(group=rec["group"], variable=rec["variable"], level=rec["level"])
        yield Value(f"{base}.n", str(int(rec["n"])), src, sel, "n")
        yield Value(f"{base}.pct", f"{fmt.num(rec['percent'], 1)}%", src, sel, "percent")


# ---- scores ---------------------------------------------------------------------------

@family("desc.{group}.{instrument}.{scale}.{timepoint}.{m|sd|n|msd}", "descriptives.csv",
        "everyone measured at that timepoint (site=all): mean, SD, n, and '*M* = .., *SD* = ..'",
        needs=("descriptives",))
def descriptive_values(ctx: Context):
    d = ctx.results["descriptives"]
    src = ctx.path("descriptives")
    for rec in d[d["site"] == "all"].to_dict("records"):
        base = f"desc.{rec['group']}.{rec['instrument']}.{rec['scale']}.{rec['timepoint']}"
        sel = _row_text(site="all", group=rec["group"], instrument=rec["instrument"],
                        scale=rec["scale"], timepoint=rec["timepoint"])
        yield Value(f"{base}.m", fmt.num(rec["mean"]), src, sel, "mean")
        yield Value(f"{base}.sd", fmt.num(rec["sd"]), src, sel, "sd")
        yield Value(f"{base}.n", str(int(rec["n"])), src, sel, "n")
        yield Value(f"{base}.msd", fmt.mean_sd(rec["mean"], rec["sd"]), src, sel, "mean, sd")


@family("reliability.{group}.{instrument}.{scale}.{timepoint}.{alpha|alpha_ci|omega|n}; "
        "reliability.{instrument}.{scale}.range", "reliability.csv",
        "Cronbach's alpha (Feldt CI) and omega total in this sample; `range` spans every group "
        "and timepoint ('.71–.93')",
        needs=("reliability",))
def reliability_values(ctx: Context):
    rel = ctx.results["reliability"]
    src = ctx.path("reliability")
    for rec in rel.to_dict("records"):
        base = f"reliability.{rec['group']}.{rec['instrument']}.{rec['scale']}.{rec['timepoint']}"
        sel = _row_text(group=rec["group"], instrument=rec["instrument"], scale=rec["scale"],
                        timepoint=rec["timepoint"])
        yield Value(f"{base}.alpha", fmt.bounded(rec["alpha"]), src, sel, "alpha")
        yield Value(f"{base}.alpha_ci", fmt.ci(rec["alpha_ci_low"], rec["alpha_ci_high"],
                                                is_bounded=True, level=ctx.level), src, sel,
                    "alpha_ci_low, alpha_ci_high")
        yield Value(f"{base}.omega", fmt.bounded(rec["omega"]), src, sel, "omega")
        yield Value(f"{base}.n", str(int(rec["n"])), src, sel, "n")
    for (inst, scale), block in rel.groupby(["instrument", "scale"], sort=True):
        alphas = block["alpha"].dropna()
        if alphas.empty:
            continue
        low, high = fmt.bounded(alphas.min()), fmt.bounded(alphas.max())
        text = low if low == high else f"{low}–{high}"
        yield Value(f"reliability.{inst}.{scale}.range", text, src,
                    _row_text(instrument=inst, scale=scale) + " (all groups and timepoints)",
                    "alpha (min–max)")


# ---- tests ----------------------------------------------------------------------------

def _tests(ctx: Context) -> pd.DataFrame:
    t = ctx.results["tests"]
    return t[t["site"] == "all"]


@family("within.{group}.{instrument}.{scale}.{T1_T2}.{field}", "tests.csv",
        "a change between two timepoints in the complete pairs: n, m1, m2, sd1, sd2 (means of "
        "the pairs), change, direction (rose/fell), favour (improved/worsened on the scale's "
        "direction), the primary test's p (adjusted where a correction is declared), "
        "p_unadjusted, sig, favourable, and per test: wilcoxon, z, r, r_ci, zeros, nonzero "
        "(zero differences dropped and differences ranked; zeros_words, nonzero_words in "
        "words below ten), p_min (the smallest p the "
        "signed-rank test can give with that many differences), p_first (alpha over the "
        "family's tests: Holm's threshold for its smallest p), p_min_versus_first "
        "(above/below) and p_min_can_lead ('could'/'could not': pass that threshold); "
        "ttest, t, dz, dz_ci, dav, gav",
        needs=("tests",))
def within_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    plan = ctx.design["analysis"].get("within", [])
    for spec in plan:
        primary = spec["tests"][0]
        rows = t[(t["comparison"] == spec["id"]) & (t["factor"] == "timepoint")
                 & t["test"].isin(["wilcoxon", "paired_t"])]
        for (inst, scale, contrast), block in rows.groupby(["instrument", "scale", "contrast"],
                                                           sort=True):
            base = f"within.{spec['group']}.{inst}.{scale}.{pair_key(contrast)}"
            sel = _row_text(site="all", group=spec["group"], instrument=inst, scale=scale,
                            contrast=contrast)
            yield from _pair_values(ctx, base, sel, src, block, primary, inst, scale)


def _pair_values(ctx, base, sel, src, block, primary, inst, scale):
    tests = {name: grp for name, grp in block.groupby("test")}
    first = block.iloc[0]
    if fmt.missing(first["mean_1"]):
        return
    label = ctx.p_label()
    n = str(int(first["n"]))
    yield Value(f"{base}.n", n, src, sel, "n")
    for key, column in (("m1", "mean_1"), ("m2", "mean_2"), ("sd1", "sd_1"), ("sd2", "sd_2"),
                        ("change", "mean_difference")):
        yield Value(f"{base}.{key}", fmt.num(first[column]), src, sel, column)
    yield Value(f"{base}.direction", fmt.direction(first["mean_1"], first["mean_2"]), src, sel,
                "mean_1, mean_2")
    better = ctx.higher_is_better(inst, scale)
    favour = fmt.favourability(first["mean_1"], first["mean_2"], better)
    yield Value(f"{base}.favour", favour, src, sel,
                "mean_1, mean_2 and the registry's higher_is_better")
    yield Value(f"{base}.favourable", {"improved": "favourable", "worsened": "unfavourable"}.get(
        favour, "neither favourable nor unfavourable"), src, sel,
        "mean_1, mean_2 and the registry's higher_is_better")
    if "wilcoxon" in tests:
        w = tests["wilcoxon"].iloc[0]
        wsel = f"{sel}, test=wilcoxon"
        yield Value(f"{base}.wilcoxon", fmt.apa_wilcoxon(
            w["statistic"], w["z"], ctx.primary_p(w), w["effect"], w["ci_low"], w["ci_high"],
            w["method"], label, ctx.level, ctx.alpha), src, wsel,
            "statistic, z, p_adjusted, effect, ci_low, ci_high")
        yield Value(f"{base}.z", fmt.num(w["z"]), src, wsel, "z")
        yield Value(f"{base}.r", fmt.bounded(w["effect"]), src, wsel, "effect")
        yield Value(f"{base}.r_ci", fmt.ci(w["ci_low"], w["ci_high"], is_bounded=True,
                                           level=ctx.level), src, wsel, "ci_low, ci_high")
        yield from _wilcoxon_floor(ctx, base, wsel, src, w)
    if "paired_t" in tests:
        rows = tests["paired_t"].set_index("effect_name")
        first_t = rows.iloc[0]
        tsel = f"{sel}, test=paired_t"
        if "cohen_dz" in rows.index:
            d = rows.loc["cohen_dz"]
            yield Value(f"{base}.ttest", fmt.apa_t(
                d["statistic"], d["df1"], ctx.primary_p(d), "*d*~z~", d["effect"], d["ci_low"],
                d["ci_high"], label, ctx.level, ctx.alpha), src, f"{tsel}, effect_name=cohen_dz",
                "statistic, df1, p_adjusted, effect, ci_low, ci_high")
        yield Value(f"{base}.t", fmt.num(first_t["statistic"]), src, tsel, "statistic")
        yield Value(f"{base}.ttest_sig", fmt.significance(ctx.primary_p(first_t), ctx.alpha),
                    src, tsel, "p_adjusted")
        for name, key in (("cohen_dz", "dz"), ("cohen_dav", "dav"), ("hedges_gav", "gav")):
            if name in rows.index:
                d = rows.loc[name]
                yield Value(f"{base}.{key}", fmt.num(d["effect"]), src,
                            f"{tsel}, effect_name={name}", "effect")
                yield Value(f"{base}.{key}_ci", fmt.ci(d["ci_low"], d["ci_high"],
                                                       level=ctx.level), src,
                            f"{tsel}, effect_name={name}", "ci_low, ci_high")
    chosen = tests.get(primary)
    if chosen is None:
        return
    rec = chosen.iloc[0]
    psel = f"{sel}, test={primary}"
    yield Value(f"{base}.p", ctx.p_text(rec), src, psel,
                "p_adjusted" if label else "p")
    yield Value(f"{base}.p_unadjusted", fmt.p_expr(rec["p"], alpha=ctx.alpha), src, psel, "p")
    yield Value(f"{base}.sig", fmt.significance(ctx.primary_p(rec), ctx.alpha), src, psel,
                "p_adjusted" if label else "p")


def _wilcoxon_floor(ctx, base, wsel, src, w):
    """How small a p the signed-rank test could give with the differences it ranked.

    ``zeros`` and ``nonzero``: the zero differences dropped (zero_method ``wilcox``, as
    the row's note records them) and the differences ranked. ``p_min``: the smallest
    two-sided p the test can return with ``nonzero`` differences, whatever their sizes
    and signs: exact, 2 x 0.5^n'; asymptotic, every difference of one sign and all tied
    (the sum of the ranks is fixed at n'(n'+1)/2 = S and their sum of squares is
    smallest when they are equal, so |z| <= sqrt(n'), or sqrt(n')(1 - 1/S) with the
    continuity correction). ``p_first``: the threshold Holm's (or Bonferroni's) method
    sets for the smallest p of the test's family, alpha / m, m being the number of
    tests of this test in the family; ``p_min_versus_first``: 'above' or 'below' it;
    ``p_min_can_lead``: 'could' or 'could not' (pass it, whatever the differences).
    Written here (not taken from scipy) because no library reports this bound. The
    normal tail is ``scipy.special.ndtr(-z)``, which is what ``scipy.stats.norm.sf(z)``
    evaluates (the same number), without importing ``scipy.stats`` (a second of start-up
    in a job that needs nothing else from it).
    """
    from scipy.special import ndtr

    found = re.match(r"\s*(\d+) zero differences \(wilcox\)", str(w.get("note", "")))
    if not found:
        return
    zeros = int(found.group(1))
    nonzero = int(w["n"]) - zeros
    yield Value(f"{base}.zeros", str(zeros), src, wsel, "note")
    yield Value(f"{base}.nonzero", str(nonzero), src, wsel, "n, note")
    yield Value(f"{base}.zeros_words", fmt.count_words(zeros), src, wsel,
                "note (in words below ten)")
    yield Value(f"{base}.nonzero_words", fmt.count_words(nonzero), src, wsel,
                "n, note (in words below ten)")
    if nonzero < 1:
        return
    if w["method"] == "exact":
        p_min = min(1.0, 2 * 0.5 ** nonzero)
    else:
        total = nonzero * (nonzero + 1) / 2
        corrected = ctx.conventions["conventions"].get("wilcoxon", {}).get("correction")
        z = nonzero ** 0.5 * ((1 - 1 / total) if corrected else 1)
        p_min = float(min(1.0, 2 * ndtr(-z)))
    yield Value(f"{base}.p_min", fmt.p_bare(p_min, alpha=ctx.alpha), src, wsel,
                "n, note, method (the smallest attainable p)")
    if ctx.correction not in ("holm", "bonferroni"):
        return
    first = ctx.alpha / _family_sizes(ctx)[(w["family"], w["test"])]
    fsel = f"{wsel}, family={w['family']}"
    yield Value(f"{base}.p_first", fmt.p_bare(first, alpha=ctx.alpha), src, fsel,
                "alpha / tests in the family")
    yield Value(f"{base}.p_min_versus_first", "below" if p_min < first else "above", src,
                fsel, "n, note, method; alpha / tests in the family")
    yield Value(f"{base}.p_min_can_lead", "could" if p_min < first else "could not", src,
                fsel, "n, note, method; alpha / tests in the family")


# what makes one test of tests.csv (a row per effect size repeats it)
TEST_IDENT = ["group", "instrument", "scale", "test", "factor", "contrast", "timepoint"]


def _tested(ctx: Context) -> pd.DataFrame:
    """The rows of tests.csv with a p, one per family and test (TEST_IDENT), read once per
    run: the family counts and Holm's thresholds both count them."""
    if "tested" not in ctx.cache:
        t = _tests(ctx)
        ctx.cache["tested"] = t[t["p"].notna()].drop_duplicates(["family", *TEST_IDENT])
    return ctx.cache["tested"]


def _family_sizes(ctx: Context) -> dict[tuple[str, str], int]:
    """{(family, test): the number of tests of that test in the family}."""
    if "family_sizes" not in ctx.cache:
        sizes = _tested(ctx).groupby(["family", "test"], dropna=False).size()
        ctx.cache["family_sizes"] = sizes.to_dict()
    return ctx.cache["family_sizes"]


@family("omnibus.{group}.{instrument}.{scale}.{rm_anova|friedman|...}", "tests.csv",
        "repeated-measures ANOVA on complete cases (the sphericity-corrected row when Mauchly's "
        "test rejects, as the conventions say) with generalized eta squared, and the Friedman "
        "test with Kendall's W; also each one's significance (rm_anova_sig, friedman_sig)",
        needs=("tests",))
def omnibus_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    label = ctx.p_label()
    sphericity = ctx.conventions["conventions"]["sphericity"]
    rm = t[(t["test"] == "rm_anova") & (t["effect_name"] == "generalized_eta_sq")]
    for rec in rm.to_dict("records"):
        base = f"omnibus.{rec['group']}.{rec['instrument']}.{rec['scale']}"
        sel = _row_text(site="all", group=rec["group"], instrument=rec["instrument"],
                        scale=rec["scale"], effect_name="generalized_eta_sq")
        use, eps = rec, None
        if not fmt.missing(rec["mauchly_p"]) and rec["mauchly_p"] < ctx.alpha:
            corrected = t[(t["test"] == f"rm_anova_{sphericity}") & (t["group"] == rec["group"])
                          & (t["instrument"] == rec["instrument"]) & (t["scale"] == rec["scale"])
                          & (t["effect_name"] == "generalized_eta_sq")]
            use, eps = corrected.iloc[0].to_dict(), corrected.iloc[0]["epsilon"]
        test = use["test"]
        yield Value(f"{base}.rm_anova", fmt.apa_f(
            use["statistic"], use["df1"], use["df2"], ctx.primary_p(use), use["effect"],
            use.get("ci_low"), use.get("ci_high"), p_label=label, level=ctx.level, epsilon=eps,
            alpha=ctx.alpha),
            src, f"{sel}, test={test}", "statistic, df1, df2, p_adjusted, effect, epsilon")
        yield Value(f"{base}.rm_anova_sig", fmt.significance(ctx.primary_p(use), ctx.alpha), src,
                    f"{sel}, test={test}", "p_adjusted")
        mauchly = (f"*W* = {fmt.bounded(rec['mauchly_w'], 3)}, "
                   f"{fmt.p_expr(rec['mauchly_p'], alpha=ctx.alpha)}")
        yield Value(f"{base}.mauchly", mauchly, src, f"{sel}, test=rm_anova",
                    "mauchly_w, mauchly_p")
        yield Value(f"{base}.n", str(int(rec["n"])), src, f"{sel}, test=rm_anova", "n")
    for rec in t[t["test"] == "friedman"].to_dict("records"):
        base = f"omnibus.{rec['group']}.{rec['instrument']}.{rec['scale']}"
        sel = _row_text(site="all", group=rec["group"], instrument=rec["instrument"],
                        scale=rec["scale"], test="friedman")
        text = fmt.apa_chi2(rec["statistic"], rec["df1"], ctx.primary_p(rec), p_label=label,
                             alpha=ctx.alpha)
        text += f", *W* = {fmt.bounded(rec['effect'])}"
        yield Value(f"{base}.friedman", text, src, sel, "statistic, df1, p_adjusted, effect")
        yield Value(f"{base}.friedman_sig", fmt.significance(ctx.primary_p(rec), ctx.alpha), src,
                    sel, "p_adjusted")


@family("mixed.{group}.{instrument}.{scale}.{T1_T2}.{apa|estimate|ci|p|sig}", "tests.csv",
        "linear mixed model on all available data: the later-minus-earlier estimate",
        needs=("tests",))
def mixed_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    rows = t[(t["test"] == "mixed_model") & (t["factor"] == "timepoint")]
    for rec in rows.to_dict("records"):
        base = (f"mixed.{rec['group']}.{rec['instrument']}.{rec['scale']}."
                f"{pair_key(rec['contrast'])}")
        sel = _row_text(site="all", group=rec["group"], instrument=rec["instrument"],
                        scale=rec["scale"], test="mixed_model", contrast=rec["contrast"])
        yield from _estimate_values(ctx, base, sel, src, rec)


def _estimate_values(ctx: Context, base: str, sel: str, src: str, rec: dict):
    """A mixed-model contrast: its APA string, estimate, CI, p and significance word."""
    stat_df = rec["df1"] if rec["statistic_name"] == "t" else None
    yield Value(f"{base}.apa", fmt.apa_estimate(
        rec["effect"], rec["ci_low"], rec["ci_high"], rec["statistic_name"], rec["statistic"],
        stat_df, ctx.primary_p(rec), ctx.p_label(), ctx.level, alpha=ctx.alpha), src, sel,
        "effect, ci_low, ci_high, statistic, df2, p_adjusted")
    yield Value(f"{base}.estimate", fmt.num(rec["effect"]), src, sel, "effect")
    yield Value(f"{base}.ci", fmt.ci(rec["ci_low"], rec["ci_high"], level=ctx.level), src, sel,
                "ci_low, ci_high")
    yield Value(f"{base}.p", ctx.p_text(rec), src, sel, "p_adjusted")
    yield Value(f"{base}.sig", fmt.significance(ctx.primary_p(rec), ctx.alpha), src, sel,
                "p_adjusted")


@family("arm.{comparison}.{instrument}.{scale}.{difference|change}.{timepoint}.{apa|estimate|"
        "ci|p|sig}", "tests.csv", "arm x time mixed models: the difference between the arms "
        "(A minus B) at each timepoint, and in change from the first timepoint",
        needs=("tests",))
def arm_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    plan = [s["id"] for s in ctx.design["analysis"].get("arm_models", [])]
    rows = t[(t["factor"] == "arm") & t["test"].isin(["mixed_model", "mixed_model_change"])
             & t["comparison"].isin(plan)]
    for rec in rows.to_dict("records"):
        kind = "difference" if rec["test"] == "mixed_model" else "change"
        when = str(rec["timepoint"]).split("-")[-1]
        base = f"arm.{rec['comparison']}.{rec['instrument']}.{rec['scale']}.{kind}.{when}"
        sel = _row_text(site="all", factor="arm", test=rec["test"], instrument=rec["instrument"],
                        scale=rec["scale"], timepoint=rec["timepoint"])
        yield from _estimate_values(ctx, base, sel, src, rec)


def _mann_whitney_values(ctx: Context, base: str, sel: str, src: str, rec: dict):
    """A Mann-Whitney row: its APA string, primary p and significance word."""
    yield Value(f"{base}.apa", fmt.apa_u(
        rec["statistic"], rec["z"], ctx.primary_p(rec), rec["effect"], rec["ci_low"],
        rec["ci_high"], rec["method"], ctx.p_label(), ctx.level, ctx.alpha), src, sel,
        "statistic, z, p_adjusted, effect, ci_low, ci_high")
    yield Value(f"{base}.p", ctx.p_text(rec), src, sel, "p_adjusted")
    yield Value(f"{base}.sig", fmt.significance(ctx.primary_p(rec), ctx.alpha), src, sel,
                "p_adjusted")


@family("between.{comparison}.{group|all}.{instrument}.{scale}.{apa|p|sig|m1|m2|r}",
        "tests.csv", "Mann-Whitney comparisons of two groups or sites at one timepoint "
        "(m1, m2: the two levels' means, in the order the plan lists them)",
        needs=("tests",))
def between_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    for spec in ctx.design["analysis"].get("between", []):
        rows = t[(t["comparison"] == spec["id"]) & (t["test"] == "mann_whitney")]
        for rec in rows.to_dict("records"):
            if fmt.missing(rec["p"]):
                continue
            base = f"between.{spec['id']}.{rec['group']}.{rec['instrument']}.{rec['scale']}"
            sel = _row_text(site="all", comparison=spec["id"], group=rec["group"],
                            instrument=rec["instrument"], scale=rec["scale"])
            yield from _mann_whitney_values(ctx, base, sel, src, rec)
            yield Value(f"{base}.m1", fmt.num(rec["mean_1"]), src, sel, "mean_1")
            yield Value(f"{base}.m2", fmt.num(rec["mean_2"]), src, sel, "mean_2")
            yield Value(f"{base}.r", fmt.bounded(rec["effect"]), src, sel, "effect")


@family("attrition.{group}.{instrument}.{scale}.{apa|p|sig|m1|m2|r|r_ci|comparison}; "
        "attrition.{n_tests|n_sig|n_sig_words|sig_list}; attrition.totals.{n_tests|n_sig|"
        "n_sig_words}",
        "tests.csv", "completers versus drop-outs at baseline (Mann-Whitney; m1 completers, m2 "
        "drop-outs; comparison: 'higher than', 'lower than' or 'the same as', from the printed "
        "means); n_sig counts the comparisons significant on the primary p, over every scale "
        "and over the total scores only; sig_list names those scores, with the group, both "
        "means and the p ('none' when there are none)",
        needs=("tests",))
def attrition_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    rows = t[(t["factor"] == "completion") & (t["test"] == "mann_whitney") & t["p"].notna()]
    for rec in rows.to_dict("records"):
        base = f"attrition.{rec['group']}.{rec['instrument']}.{rec['scale']}"
        sel = _row_text(site="all", factor="completion", group=rec["group"],
                        instrument=rec["instrument"], scale=rec["scale"])
        yield from _mann_whitney_values(ctx, base, sel, src, rec)
        yield Value(f"{base}.m1", fmt.num(rec["mean_1"]), src, sel, "mean_1")
        yield Value(f"{base}.m2", fmt.num(rec["mean_2"]), src, sel, "mean_2")
        yield Value(f"{base}.r", fmt.bounded(rec["effect"]), src, sel, "effect")
        yield Value(f"{base}.r_ci", fmt.ci(rec["ci_low"], rec["ci_high"], is_bounded=True,
                                           level=ctx.level), src, sel, "ci_low, ci_high")
        yield Value(f"{base}.comparison", fmt.comparison(rec["mean_1"], rec["mean_2"]), src,
                    sel, "mean_1, mean_2")
    sig_rows = [r for r in rows.to_dict("records") if ctx.primary_p(r) < ctx.alpha]
    groups = {g["id"]: g["label"] for g in ctx.design["groups"]}
    phrases = []
    for rec in sig_rows:
        inst = ctx.registry[rec["instrument"]]
        name = inst.short_name if rec["scale"] == "total" else (
            f"{inst.short_name} {fmt.lower_first(inst.scales[rec['scale']].label)}")
        where = fmt.lower_first(groups.get(rec["group"], rec["group"]))
        phrases.append(f"{name} in the {where} (drop-outs *M* = {fmt.num(rec['mean_2'])}, "
                       f"completers *M* = {fmt.num(rec['mean_1'])}, {ctx.p_text(rec)})")
    yield Value("attrition.sig_list", fmt.join_words(phrases) if phrases else "none", src,
                "factor=completion, test=mann_whitney",
                "group, instrument, scale, mean_1 (completers), mean_2 (drop-outs), p_adjusted "
                "(the rows with p_adjusted < alpha)")
    for label, block in (("all", rows), ("totals", rows[rows["scale"] == "total"])):
        sig = sum(ctx.primary_p(r) < ctx.alpha for r in block.to_dict("records"))
        sel = "factor=completion, test=mann_whitney" + (", scale=total" if label == "totals"
                                                        else "")
        prefix = "attrition" if label == "all" else "attrition.totals"
        yield Value(f"{prefix}.n_tests", str(len(block)), src, sel, "p")
        yield Value(f"{prefix}.n_sig", str(int(sig)), src, sel, "p_adjusted < alpha")
        yield Value(f"{prefix}.n_tests_words", fmt.count_words(len(block)), src, sel,
                    "p (in words below ten)")
        yield Value(f"{prefix}.n_sig_words", fmt.count_words(sig), src, sel,
                    "p_adjusted < alpha (in words below ten)")


@family("categorical.{comparison}.{variable}.{apa|p|sig|fisher}", "tests.csv",
        "chi-square tests of baseline characteristics (Cramér's V), with Fisher's exact test "
        "for 2 x 2 tables as `fisher`",
        needs=("tests",))
def categorical_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    label = ctx.p_label()
    for rec in t[t["test"] == "chi_square"].to_dict("records"):
        base = f"categorical.{rec['comparison']}.{rec['scale']}"
        sel = _row_text(site="all", test="chi_square", comparison=rec["comparison"],
                        scale=rec["scale"])
        yield Value(f"{base}.apa", fmt.apa_chi2(rec["statistic"], rec["df1"],
                                                ctx.primary_p(rec), rec["n"], "*V*",
                                                rec["effect"], label, ctx.alpha), src, sel,
                    "statistic, df1, n, p_adjusted, effect")
        yield Value(f"{base}.p", ctx.p_text(rec), src, sel, "p_adjusted")
        yield Value(f"{base}.sig", fmt.significance(ctx.primary_p(rec), ctx.alpha), src, sel,
                    "p_adjusted")
    for rec in t[t["test"] == "fisher_exact"].to_dict("records"):
        base = f"categorical.{rec['comparison']}.{rec['scale']}"
        sel = _row_text(site="all", test="fisher_exact", comparison=rec["comparison"],
                        scale=rec["scale"])
        interval = ("" if fmt.missing(rec["ci_low"]) else
                    f"{fmt.ci(rec['ci_low'], rec['ci_high'], level=ctx.level)}, ")
        text = (f"OR = {fmt.num(rec['effect'])}, {interval}"
                f"{ctx.p_text(rec)}")
        yield Value(f"{base}.fisher", text, src, sel, "effect, ci_low, ci_high, p_adjusted")


@family("family.{family}.{n_tests|n_sig|n_sig_unadjusted}[_words]; "
        "family.{family}.n_sig_of_words; "
        "family.{family}.{test}.{n_tests|n_sig}[_words]", "tests.csv",
        "per multiplicity family, the number of tests of its primary test and how many are "
        "significant on the adjusted (n_sig) and unadjusted p; `_words` spells counts below "
        "ten for prose (APA); `n_sig_of_words` is n_sig as a share of the tests in words "
        "(\"all four\", \"two\", \"none\"), for \"significant on ... of them\"; "
        "per test of the family (each corrected on its own, e.g. "
        "paired_t, rm_anova, friedman, mixed_model), its number of tests and how many are "
        "significant on its own adjusted p",
        needs=("tests",))
def family_values(ctx: Context):
    t = _tests(ctx)
    src = ctx.path("tests")
    plan = ctx.design["analysis"].get("within", [])
    primary = {spec["family"]: spec["tests"][0] for spec in plan}
    tested = _tested(ctx)
    for fam in sorted(t["family"].dropna().unique()):  # a family without any p counts 0
        family_tests = tested[tested["family"] == fam]
        test = primary.get(fam)
        block = family_tests[family_tests["test"] == test] if test else family_tests
        sel = _row_text(family=fam) + (f", test={test}" if test else "")
        p_used = block["p_adjusted"] if ctx.correction != "none" else block["p"]
        counts = {"n_tests": len(block), "n_sig": int((p_used < ctx.alpha).sum()),
                  "n_sig_unadjusted": int((block["p"] < ctx.alpha).sum())}
        columns = {"n_tests": "p", "n_sig": "p_adjusted < alpha", "n_sig_unadjusted": "p < alpha"}
        for key, count in counts.items():
            yield Value(f"family.{fam}.{key}", str(count), src, sel, columns[key])
            yield Value(f"family.{fam}.{key}_words", fmt.count_words(count), src, sel,
                        columns[key])
        yield Value(f"family.{fam}.n_sig_of_words",
                    fmt.count_of_words(counts["n_sig"], counts["n_tests"]), src, sel,
                    columns["n_sig"])
        # every test of the family is corrected on its own (analysis.adjust_families):
        # family.{family}.{test}.n_tests, e.g. the omnibus tests beside the pairwise ones
        for name, rows in family_tests.groupby("test", sort=True):
            tsel = f"{_row_text(family=fam)}, test={name}"
            yield Value(f"family.{fam}.{name}.n_tests", str(len(rows)), src, tsel, "p")
            yield Value(f"family.{fam}.{name}.n_tests_words", fmt.count_words(len(rows)), src,
                        tsel, "p")
            p_test = rows["p_adjusted"] if ctx.correction != "none" else rows["p"]
            n_sig = int((p_test < ctx.alpha).sum())
            yield Value(f"family.{fam}.{name}.n_sig", str(n_sig), src, tsel, columns["n_sig"])
            yield Value(f"family.{fam}.{name}.n_sig_words", fmt.count_words(n_sig), src, tsel,
                        columns["n_sig"])


@family("rci.{group}.{instrument}.{scale}.{T1_T2}.{improved|unchanged|deteriorated|n}"
        "[_words]",
        "rci_summary.csv", "participants whose reliable change index (Jacobson-Truax) shows "
        "reliable improvement or deterioration, among those with both scores",
        needs=("rci_summary",))
def rci_values(ctx: Context):
    s = ctx.results.get("rci_summary")
    if s is None:
        return
    src = ctx.path("rci_summary")
    for rec in s.to_dict("records"):
        base = f"rci.{rec['group']}.{rec['instrument']}.{rec['scale']}.{rec['from']}_{rec['to']}"
        sel = _row_text(group=rec["group"], instrument=rec["instrument"], scale=rec["scale"],
                        **{"from": rec["from"], "to": rec["to"]})
        for col in ("improved", "unchanged", "deteriorated", "n"):
            yield Value(f"{base}.{col}", str(int(rec[col])), src, sel, col)
            yield Value(f"{base}.{col}_words", fmt.count_words(rec[col]), src, sel,
                        f"{col} (in words below ten)")


# ---- conventions ----------------------------------------------------------------------

# Words for a convention's value; (path, value) pairs win over the value alone.
CONVENTION_WORDS = {
    ("mixed_model.df", "satterthwaite"): "*t* tests with Satterthwaite's degrees of freedom",
    ("mixed_model.df", "asymptotic"): "Wald *z* tests",
    ("mixed_model.estimation", "REML"): "restricted maximum likelihood (REML)",
    ("mixed_model.estimation", "ML"): "maximum likelihood",
    "asymptotic": "asymptotic (normal approximation)",
    "exact": "exact",
    "auto": "exact when n < 50 without ties, otherwise asymptotic",
    "wilcox": "dropped",
    "pratt": "ranked, then dropped (Pratt)",
    "gg": "Greenhouse–Geisser",
    "hf": "Huynh–Feldt",
    "weibull": "weighted average (SPSS; R type 6)",
    "complete_pairs": "complete pairs",
}


@family("conv.alpha; conv.ci_level; conv.multiplicity; conv.{path}", "conventions.json",
        "the conventions in force, as read from the config with defaults filled in; booleans "
        "read 'with'/'without' (continuity corrections)")
def convention_values(ctx: Context):
    src = ctx.path("conventions")

    def walk(node, path, root):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, [*path, key], root)
        elif isinstance(node, bool):
            yield Value("conv." + ".".join(path), "with" if node else "without", src,
                        ".".join([root, *path]), "value")
        elif isinstance(node, str):
            where = ".".join(p for p in path if p != "qualitative")
            text = CONVENTION_WORDS.get((where, node), CONVENTION_WORDS.get(node, node))
            yield Value("conv." + ".".join(path), text, src, ".".join([root, *path]), "value")
        elif isinstance(node, int | float) and path != ["ci_level"]:
            yield Value("conv." + ".".join(path), f"{node:g}", src, ".".join([root, *path]),
                        "value")

    if "conventions" in ctx.conventions:  # a study with questionnaire statistics
        yield Value("conv.alpha", fmt.bounded(ctx.alpha), src, "alpha", "value")
        yield Value("conv.ci_level", fmt.percent_level(ctx.level), src, "conventions.ci_level",
                    "value")
        name = MULTIPLICITY_NAMES[ctx.correction] or "no"
        yield Value("conv.multiplicity", name, src, "multiplicity.method", "value")
        yield from walk(ctx.conventions["conventions"], [], "conventions")
    if "qualitative" in ctx.conventions:
        for value in walk(ctx.conventions["qualitative"], ["qualitative"], ""):
            yield Value(value.key, value.text, value.file, value.row.lstrip("."), value.columns)


# ---- qualitative ----------------------------------------------------------------------

def _participant_values(qual: dict):
    """Transcripts per stakeholder type, and the people who spoke, from the config's design
    declarations (qualitative.documents, qualitative.participants)."""
    documents = qual.get("documents", {})
    for source in qual.get("sources", []):
        n = sum(1 for s in documents.values() if s == source)
        yield Value(f"qual.source.{slug(source)}.documents", str(n), "config",
                    f"qualitative.documents (source={source})", "documents")
    people = qual.get("participants")
    if not people:
        return
    unknown = sorted(set(people) - set(documents))
    missing_docs = sorted(set(documents) - set(people))
    if unknown or missing_docs:
        raise ValueError(
            "config qualitative.participants must name each declared transcript once: "
            + (f"not in qualitative.documents: {unknown}; " if unknown else "")
            + (f"no entry for: {missing_docs}" if missing_docs else "")
            + " — give every document of qualitative.documents its participants, "
            "organisation and format.")
    where = "qualitative.participants"
    yield Value("qual.participants.total", str(sum(p["n"] for p in people.values())),
                "config", where, "n")
    for source in qual.get("sources", []):
        n = sum(p["n"] for d, p in people.items() if documents[d] == source)
        yield Value(f"qual.participants.source.{slug(source)}", str(n), "config",
                    f"{where} (source={source})", "n")
    orgs = sorted({p["organisation"] for p in people.values()})
    yield Value("qual.organisations", str(len(orgs)), "config", where, "organisation")
    yield Value("qual.organisations_words", fmt.count_words(len(orgs)), "config", where,
                "organisation")
    for org in orgs:
        n = sum(p["n"] for p in people.values() if p["organisation"] == org)
        yield Value(f"qual.participants.organisation.{slug(org)}", str(n), "config",
                    f"{where} (organisation={org})", "n")
    for form in sorted({p["format"] for p in people.values()}):
        rows = [p for p in people.values() if p["format"] == form]
        base, sel = f"qual.format.{slug(form)}", f"{where} (format={form})"
        yield Value(f"{base}.documents", str(len(rows)), "config", sel, "format")
        yield Value(f"{base}.documents_words", fmt.count_words(len(rows)), "config", sel,
                    "format")
        yield Value(f"{base}.participants", str(sum(p["n"] for p in rows)), "config", sel, "n")


@family("qual.{quotations|codes|code_groups|documents}[_words]; "
        "qual.group.{group}.{quotations|codes|pct}; qual.code.{code}.quotations; "
        "qual.sources_words; qual.source.{source}.documents; "
        "qual.participants.{total|source.{source}|organisation.{org}}; "
        "qual.organisations[_words]; qual.format.{format}.{documents|participants}[_words]",
        "qualitative/*.csv, config",
        "counts of the coding export: totals, each code group and each code; the transcripts "
        "of each stakeholder type (qualitative.documents); where the config declares "
        "qualitative.participants (people per transcript, organisation, focus group or "
        "interview), the people who took part by stakeholder type, organisation and format; "
        "_words: in words below ten (APA)",
        needs=("qual_totals",))
def qualitative_values(ctx: Context):
    tot = ctx.results.get("qual_totals")
    if tot is None:
        return
    src = ctx.path("qual_totals")
    rec = tot.iloc[0]
    for col in ("quotations", "codes", "code_groups", "documents"):
        yield Value(f"qual.{col}", str(int(rec[col])), src, "the only row", col)
    yield Value("qual.code_groups_words", fmt.count_words(rec["code_groups"]), src,
                "the only row", "code_groups")
    yield Value("qual.documents_words", fmt.count_words(rec["documents"]), src,
                "the only row", "documents")
    if "sources" in rec:
        yield Value("qual.sources_words", fmt.count_words(rec["sources"]), src, "the only row",
                    "sources")
    yield from _participant_values(ctx.design.get("qualitative", {}))
    groups = ctx.results["code_groups"]
    gsrc = ctx.path("code_groups")
    for g in groups.to_dict("records"):
        base = f"qual.group.{slug(g['group'])}"
        sel = _row_text(group=g["group"])
        yield Value(f"{base}.quotations", str(int(g["quotations"])), gsrc, sel, "quotations")
        yield Value(f"{base}.codes", str(int(g["codes"])), gsrc, sel, "codes")
        yield Value(f"{base}.pct", f"{fmt.num(100 * g['share'], 1)}%", gsrc, sel, "share")
    csrc = ctx.path("codes")
    for c in ctx.results["codes"].to_dict("records"):
        yield Value(f"qual.code.{slug(c['code'])}.quotations", str(int(c["quotations"])), csrc,
                    _row_text(group=c["group"], code=c["code"]), "quotations")


@family("theme.{id}.{label|quotations|documents|sources}; theme.{id}.source.{source}; "
        "qual.themes; qual.unthemed.{codes|codes_words|list|quotations}; "
        "qual.themed.{codes|quotations|pct}; qual.themed.below_tentative.{level}[_words]",
        "qualitative/themes.csv, qualitative/codes.csv", "each declared theme: its label, "
        "quotations, documents and sources, and its quotations from each source; the codes no "
        "theme gathers (list: each with its quotations) and, when every quotation carries one "
        "code, the quotations inside and outside the themes (pct: inside, of all); when "
        "intercoder agreement was computed, the codes in a theme whose Krippendorff's alpha "
        "at each level (document, segment) is below the .667 benchmark",
        needs=("themes",))
def theme_values(ctx: Context):
    src = f"results/{ctx.study}/qualitative/themes.csv"
    table = ctx.results["themes"]
    yield Value("qual.themes", str(table["theme"].nunique()), src, "distinct themes", "theme")
    yield Value("qual.themes_words", fmt.count_words(table["theme"].nunique()), src,
                "distinct themes", "theme")
    for rec in ctx.results["themes"].to_dict("records"):
        base = f"theme.{rec['theme']}"
        sel = _row_text(theme=rec["theme"], source=rec["source"])
        if rec["source"] == "all":
            yield Value(f"{base}.label", rec["label"], src, sel, "label")
            for col in ("quotations", "documents", "sources"):
                yield Value(f"{base}.{col}", str(int(rec[col])), src, sel, col)
        else:
            yield Value(f"{base}.source.{slug(rec['source'])}", str(int(rec["quotations"])), src,
                        sel, "quotations")
    # The codes no theme gathers, and the coded segments inside and outside the themes.
    codes = ctx.results.get("codes")
    if codes is None:
        return
    csrc = ctx.path("codes")
    in_themes = {c.strip() for cell in table["codes"] for c in str(cell).split(";")}
    left = codes[~codes["code"].isin(in_themes)]
    yield Value("qual.unthemed.codes", str(len(left)), csrc, "codes in no theme", "code")
    yield Value("qual.unthemed.codes_words", fmt.count_words(len(left)), csrc,
                "codes in no theme", "code")
    listed = [f"{c} ({int(n)})" for c, n in zip(left["code"], left["quotations"], strict=True)]
    yield Value("qual.unthemed.list", fmt.join_words(listed) if listed else "none", csrc,
                "codes in no theme", "code, quotations")
    yield Value("qual.themed.codes", str(len(codes) - len(left)), csrc, "codes in a theme",
                "code")
    agreement = ctx.results.get("agreement")
    if agreement is not None:
        asrc = f"results/{ctx.study}/qualitative/agreement.csv"
        themed = agreement[agreement["code"].isin(in_themes)]
        for level, rows in themed.groupby("level", sort=True):
            low = rows[rows["krippendorff_alpha"] < ALPHA_BENCHMARKS["tentative"]]
            n = int(low["code"].nunique())
            asel = _row_text(level=level, code="each code in a theme")
            yield Value(f"qual.themed.below_tentative.{level}", str(n), asrc, asel,
                        "krippendorff_alpha")
            yield Value(f"qual.themed.below_tentative.{level}_words", fmt.count_words(n), asrc,
                        asel, "krippendorff_alpha (in words below ten)")
    tot = ctx.results.get("qual_totals")
    # Segments inside and outside the themes follow from the per-code counts only when each
    # quotation carries one code (MAXQDA segments; Atlas.ti quotations with one code): with
    # several codes a quotation could count in and out of the themes, so no value is given.
    if tot is not None and int(tot.iloc[0]["quotations"]) == int(tot.iloc[0]["code_applications"]):
        total = int(tot.iloc[0]["quotations"])
        outside = int(left["quotations"].sum())
        tsrc = f"{csrc}, {ctx.path('qual_totals')}"
        yield Value("qual.unthemed.quotations", str(outside), csrc, "codes in no theme",
                    "quotations")
        yield Value("qual.themed.quotations", str(total - outside), tsrc,
                    "codes in a theme (one code per quotation)", "quotations")
        yield Value("qual.themed.pct", fmt.percent(total - outside, total), tsrc,
                    "codes in a theme (one code per quotation)", "quotations")


# Krippendorff's (2004, p. 241) guide for alpha: data below .667 are not relied on, .667 to
# .800 allow tentative conclusions only, .800 and above are relied on.
ALPHA_BENCHMARKS = {"tentative": 0.667, "reliable": 0.800}


@family("agreement.{level}.{kappa|alpha|pct|pct_coded|n_units}; agreement.{level}.{n_codes|"
        "n_units_code|kappa_min|kappa_max|kappa_min_codes|kappa_max_codes|alpha_min|alpha_max|"
        "alpha_min_codes|n_undefined|n_alpha|below_tentative|below_reliable}[_words]; "
        "agreement.{level}.code.{code}.{kappa|alpha|pct_coded}; "
        "agreement.benchmark.{tentative|reliable}", "qualitative/agreement.csv",
        "intercoder agreement pooled over every code: Cohen's kappa, Krippendorff's alpha, "
        "percent agreement over all units and over the units either coder coded; per code: "
        "its kappa, alpha and agreement when coded, the lowest and highest kappa and alpha over "
        "the codes (with the codes at the lowest/highest printed value), the units each code "
        "is compared on (n_units_code: documents, or passage locations at the segment level), "
        "the codes whose kappa is undefined (n_undefined) and the codes whose alpha is below "
        "Krippendorff's .667 (below_tentative) and .800 (below_reliable) benchmarks, out of the "
        "codes whose alpha is defined (n_alpha)",
        needs=("agreement",))
def agreement_values(ctx: Context):
    src = f"results/{ctx.study}/qualitative/agreement.csv"
    table = ctx.results["agreement"]
    for name, bound in ALPHA_BENCHMARKS.items():
        yield Value(f"agreement.benchmark.{name}", fmt.bounded(bound, 3),
                    "src/peerstudy/report/values.py",
                    "ALPHA_BENCHMARKS (Krippendorff, 2004)", name)
    per_code = table[table["code"] != "all"]
    for level, rows in per_code.groupby("level", sort=True):
        base = f"agreement.{level}"
        sel = _row_text(level=level, code="each code")
        for rec in rows.to_dict("records"):
            csel = _row_text(level=level, group=rec["group"], code=rec["code"])
            cbase = f"{base}.code.{slug(rec['code'])}"
            yield Value(f"{cbase}.kappa", fmt.bounded(rec["kappa"]), src, csel, "kappa")
            yield Value(f"{cbase}.alpha", fmt.bounded(rec["krippendorff_alpha"]), src, csel,
                        "krippendorff_alpha")
            yield Value(f"{cbase}.pct_coded",
                        f"{fmt.num(100 * rec['agreement_when_coded'], 1)}%", src, csel,
                        "agreement_when_coded")
        yield Value(f"{base}.n_codes", str(len(rows)), src, sel, "code")
        units = sorted({int(n) for n in rows["n_units"]})
        spread = dict.fromkeys((units[0], units[-1]))  # one number when every code has as many
        yield Value(f"{base}.n_units_code", "–".join(fmt.integer(u) for u in spread), src, sel,
                    "n_units")
        defined = rows.dropna(subset=["kappa"])
        undefined = len(rows) - len(defined)
        yield Value(f"{base}.n_undefined", str(undefined), src, sel, "kappa")
        yield Value(f"{base}.n_undefined_words", fmt.count_words(undefined), src, sel, "kappa")
        for stat, col in (("kappa", "kappa"), ("alpha", "krippendorff_alpha")):
            shown = defined[col].map(fmt.bounded)
            low, high = defined[col].min(), defined[col].max()
            yield Value(f"{base}.{stat}_min", fmt.bounded(low), src, sel, col)
            yield Value(f"{base}.{stat}_max", fmt.bounded(high), src, sel, col)
            # codes at the lowest (highest) value as printed, so that prose and table agree
            yield Value(f"{base}.{stat}_min_codes", fmt.join_words(
                list(defined["code"][shown == fmt.bounded(low)])), src, sel, f"code, {col}")
            if stat == "kappa":
                yield Value(f"{base}.kappa_max_codes", fmt.join_words(
                    list(defined["code"][shown == fmt.bounded(high)])), src, sel, "code, kappa")
        alphas = rows["krippendorff_alpha"].dropna()
        # the denominator of below_*: the codes whose alpha is defined
        yield Value(f"{base}.n_alpha", str(len(alphas)), src, sel, "krippendorff_alpha")
        for name, bound in ALPHA_BENCHMARKS.items():
            n = int((alphas < bound).sum())
            yield Value(f"{base}.below_{name}", str(n), src, sel, "krippendorff_alpha")
            yield Value(f"{base}.below_{name}_words", fmt.count_words(n), src, sel,
                        "krippendorff_alpha")
    for rec in table[(table["code"] == "all") & (table["group"] == "all")].to_dict("records"):
        base = f"agreement.{rec['level']}"
        sel = _row_text(level=rec["level"], group="all", code="all")
        yield Value(f"{base}.kappa", fmt.bounded(rec["kappa"]), src, sel, "kappa")
        yield Value(f"{base}.alpha", fmt.bounded(rec["krippendorff_alpha"]), src, sel,
                    "krippendorff_alpha")
        yield Value(f"{base}.pct", f"{fmt.num(rec['percent_agreement'], 1)}%", src, sel,
                    "percent_agreement")
        yield Value(f"{base}.pct_coded", f"{fmt.num(100 * rec['agreement_when_coded'], 1)}%",
                    src, sel, "agreement_when_coded")
        yield Value(f"{base}.n_units", fmt.integer(rec["n_units"]), src, sel, "n_units")


@family("joint.{domain}.{meta_inference|check|p|quotations|quotations_from|quotations_all}; "
        "joint.n_domains; joint.n_undeclared",
        "joint_display.csv", "the mixed-methods joint display: each declared domain's "
        "meta-inference, the pipeline's check of it and the p it rests on; its quotations from "
        "the sources it declares (quotations_from) and from all sources; how many results "
        "no domain declares", needs=("joint_display",))
def joint_values(ctx: Context):
    src = f"results/{ctx.study}/joint_display.csv"
    joint = ctx.results["joint_display"]
    for rec in joint.to_dict("records"):
        base = f"joint.{slug(rec['domain'])}"
        sel = _row_text(domain=rec["domain"])
        yield Value(f"{base}.meta_inference", rec["meta_inference"], src, sel, "meta_inference")
        yield Value(f"{base}.check", rec["check"], src, sel, "check")
        label = ctx.p_label() if rec.get("p_basis") == "p_adjusted" else ""
        yield Value(f"{base}.p", fmt.p_expr(rec["p_used"], label, ctx.alpha), src, sel,
                    "p_used")
        if "quotations_from" in rec:  # counted from the sources the finding speaks for
            yield Value(f"{base}.quotations", fmt.integer(rec["quotations"]), src, sel,
                        "quotations")
            yield Value(f"{base}.quotations_from", str(rec["quotations_from"]), src, sel,
                        "quotations_from")
            yield Value(f"{base}.quotations_all", fmt.integer(rec["quotations_all"]), src, sel,
                        "quotations_all")
    yield Value("joint.n_domains", str(len(joint)), src, "all rows", "domain")
    undeclared = ctx.results.get("joint_undeclared")
    if undeclared is not None:
        yield Value("joint.n_undeclared", str(len(undeclared)),
                    f"results/{ctx.study}/qualitative/joint_display_undeclared.csv", "all rows",
                    "domain")


# ---- instruments and the published study ----------------------------------------------

@family("instrument.{id}.{name|short|version|items|min|max|higher|min_answered}",
        "instrument registry",
        "each instrument the schedule uses: its name, short name, language version, number "
        "of items and the range and meaning of its total (or first) scale")
def instrument_values(ctx: Context):
    used = {i for plan in ctx.design.get("schedule", {}).values() for tp in plan.values()
            for i in tp}
    for inst_id in sorted(used):
        inst = ctx.registry[inst_id]
        total = inst.scales.get("total") or next(iter(inst.scales.values()))
        low, high = inst.scale_range(total)
        src = inst.path
        base = f"instrument.{inst_id}"
        yield Value(f"{base}.name", inst.name, src, "name", "name")
        yield Value(f"{base}.short", inst.short_name, src, "short_name", "short_name")
        yield Value(f"{base}.version", inst.language_version, src, "language_version",
                    "language_version")
        yield Value(f"{base}.items", str(len(total.items)), src, f"scale {total.id}", "items")
        yield Value(f"{base}.min", fmt.num(low, 0), src, f"scale {total.id}", "item ranges")
        yield Value(f"{base}.max", fmt.num(high, 0), src, f"scale {total.id}", "item ranges")
        yield Value(f"{base}.higher", total.higher_is, src, f"scale {total.id}", "higher_is")
        yield Value(f"{base}.min_answered", f"{fmt.num(100 * total.min_answered, 0)}%", src,
                    f"scale {total.id}", "min_answered")


@family("form.{file}.{instrument}.{version|language|range|cite}; form.site.{site}.{instrument}."
        "{version|cite}; rescaling.{instrument}", "instrument_forms.csv",
        "the instrument form (language version) each raw file was answered on, per file and, "
        "where a site used one form, per site; `cite` cites the form's source; `rescaling` "
        "states how forms on different ranges were pooled (conventions.json)",
        needs=("instrument_forms",))
def form_values(ctx: Context):
    src = f"results/{ctx.study}/instrument_forms.csv"
    forms = ctx.results["instrument_forms"]

    def cite(rec):
        key = rec["citation"] if isinstance(rec["citation"], str) else ""
        known = {e["id"] for e in ctx.registry[rec["instrument"]].sources}
        return f"[@{key}]" if key in known else ""

    by_site: dict = {}
    for rec in forms.to_dict("records"):
        base = f"form.{rec['file_id']}.{rec['instrument']}"
        sel = _row_text(file_id=rec["file_id"], instrument=rec["instrument"])
        yield Value(f"{base}.version", _text(rec["version"]), src, sel, "version")
        yield Value(f"{base}.language", _text(rec["language"]), src, sel, "language")
        yield Value(f"{base}.range", f"{rec['response_min']}–{rec['response_max']}", src, sel,
                    "response_min, response_max")
        if cite(rec):
            yield Value(f"{base}.cite", cite(rec), src, sel, "citation")
        for site in str(rec["sites"]).split(";"):
            by_site.setdefault((site, rec["instrument"]), set()).add(
                (_text(rec["version"]), cite(rec), rec["form"]))
    for (site, inst), found in sorted(by_site.items()):
        if len(found) != 1:
            continue  # the site used several forms: quote them per file
        version, citation, form = next(iter(found))
        sel = _row_text(instrument=inst, form=form) + f", sites containing {site}"
        yield Value(f"form.site.{site}.{inst}.version", version, src, sel, "version")
        if citation:
            yield Value(f"form.site.{site}.{inst}.cite", citation, src, sel, "citation")
    for inst, note in ctx.conventions.get("ingestion", {}).get("instrument_forms", {}).items():
        if "rescaling" in note:
            yield Value(f"rescaling.{inst}", note["rescaling"]["statement"],
                        ctx.path("conventions"), f"ingestion.instrument_forms.{inst}.rescaling",
                        "statement")


@family("published.{group}.{instrument}.{scale}.{timepoint}.{mean|observed|attainable|"
        "versus_range}",
        "validation/calibration.csv", "synthetic studies only: the published mean, the mean "
        "of the synthetic data, whether the published mean is possible on the registry's "
        "range ('yes'/'no') and where it lies against that range",
        needs=("calibration",))
def published_values(ctx: Context):
    cal = ctx.results.get("calibration")
    if cal is None:
        return
    src = f"results/{ctx.study}/validation/calibration.csv"
    for rec in cal.to_dict("records"):
        base = f"published.{rec['group']}.{rec['instrument']}.{rec['scale']}.{rec['timepoint']}"
        sel = _row_text(group=rec["group"], instrument=rec["instrument"], scale=rec["scale"],
                        timepoint=rec["timepoint"])
        yield Value(f"{base}.mean", fmt.num(rec["published_mean"]), src, sel, "published_mean")
        yield Value(f"{base}.observed", fmt.num(rec["observed_mean"]), src, sel, "observed_mean")
        yield Value(f"{base}.attainable", "yes" if rec["attainable"] else "no", src, sel,
                    "attainable")
        inst = ctx.registry[rec["instrument"]]
        low, high = inst.scale_range(inst.scales[rec["scale"]])
        where = ("above the maximum" if rec["published_mean"] > high else "below the minimum"
                 if rec["published_mean"] < low else "within the range")
        yield Value(f"{base}.versus_range", where, src, sel,
                    "published_mean against the registry's scale range")


# ---- labels -----------------------------------------------------------------------------

@family("label.{group|site|timepoint}.{id}.{label|short|lower|possessive|possessive_lower}",
        "config",
        "the config's labels of groups, sites and timepoints, as written there, mid-sentence "
        "(lower: groups and timepoints, not the sites' proper names) and as possessives "
        "('Peer support arm's', 'Peer support workers'')")
def label_values(ctx: Context):
    for kind in ("groups", "sites", "timepoints"):
        for entry in ctx.design.get(kind, []):
            base = f"label.{kind[:-1]}.{entry['id']}"
            sel = f"{kind}, id={entry['id']}"
            for key, text in (("label", entry["label"]),
                              ("short", entry.get("short_label", entry["label"]))):
                yield Value(f"{base}.{key}", text, "config", sel, "label" if key == "label"
                            else "short_label")
            if kind != "sites":
                yield Value(f"{base}.lower", fmt.lower_first(entry["label"]), "config", sel,
                            "label")
            yield Value(f"{base}.possessive", fmt.possessive(entry["label"]), "config", sel,
                        "label")
            if kind != "sites":
                yield Value(f"{base}.possessive_lower", fmt.possessive(fmt.lower_first(
                    entry["label"])), "config", sel, "label")


# ---- a randomised trial ------------------------------------------------------------------

def _trial(ctx: Context) -> dict:
    return ctx.design.get("analysis", {}).get("trial") or {}


def family_label(ctx: Context, family: str) -> str:
    """The p subscript of a family: its own method (multiplicity.families) or the study's."""
    mult = ctx.conventions.get("multiplicity", {})
    method = mult.get("by_family", {}).get(family, mult.get("method", "none"))
    return MULTIPLICITY_NAMES[method]


def _tp_label(ctx: Context, tp: str) -> str:
    return next((t["label"] for t in ctx.design["timepoints"] if t["id"] == tp), tp)


@family("trial.{name|registry|registration|url|allocation_ratio|planned_total|"
        "planned_per_site|randomised_vs_planned|n_sites|n_sites_words|endpoint|endpoint_adjective|follow_up|baseline|"
        "site_model|site_model_rule|random_site_min_sites|random_site_min_sites_words|peer_workers|"
        "peer_workers_per_site|age_min|age_max|blocks.{planned|n|sizes|complete.{n|sizes|check}|"
        "last_incomplete|sites_words}|sessions.{m|sd|median|min|max|n}|mi.{imputations|"
        "iterations|seed}}", "config, participants.csv, conventions.json",
        "the trial's design facts as declared (registration, allocation ratio, planned size, "
        "planned block sizes, age limits), how many more or fewer were randomised than "
        "planned (randomised_vs_planned), the assessments by their labels (endpoint_adjective: "
        "'8-month'), the site effect the analysis used, the permuted blocks recorded in "
        "participants.csv (complete: every block but each site's last; check: whether each "
        "was balanced between the arms and of a planned size; last_incomplete: how many sites' "
        "last block was not), the peer support workers and sessions, and the "
        "multiple-imputation settings; *_words: a count in words below ten (APA)",
        needs=("participants",))
def trial_design_values(ctx: Context):
    spec = _trial(ctx)
    if not spec:
        return
    design = ctx.design.get("trial", {})
    conv = ctx.conventions.get("conventions", {}).get("trial", {})
    if "name" in design:
        yield Value("trial.name", design["name"], "config", "trial", "name")
    reg = design.get("registration")
    if reg:
        yield Value("trial.registry", reg["registry"], "config", "trial.registration", "registry")
        yield Value("trial.registration", reg["id"], "config", "trial.registration", "id")
        if "url" in reg:
            yield Value("trial.url", reg["url"], "config", "trial.registration", "url")
    if "allocation_ratio" in design:
        yield Value("trial.allocation_ratio", design["allocation_ratio"], "config", "trial",
                    "allocation_ratio")
    planned = design.get("planned_sample_size", {})
    for key in ("total", "per_site"):
        if key in planned:
            yield Value(f"trial.planned_{key}", str(planned[key]), "config",
                        "trial.planned_sample_size", key)
    people = ctx.results["participants"]
    src = ctx.path("participants")
    arms = people[people["group"].isin(spec["arms"])]
    n_sites = int(arms["site"].nunique())
    if "total" in planned:
        extra = len(arms) - int(planned["total"])
        yield Value("trial.randomised_vs_planned",
                    "as many as planned" if extra == 0 else
                    f"{fmt.count_words(abs(extra))} {'more' if extra > 0 else 'fewer'} than "
                    "planned", src, f"group in {spec['arms']} against "
                    "trial.planned_sample_size.total", "participant_id (count)")
    yield Value("trial.n_sites", str(n_sites), src, f"group in {spec['arms']}", "site")
    yield Value("trial.n_sites_words", fmt.count_words(n_sites), src,
                f"group in {spec['arms']}", "site")
    for key in ("min", "max"):
        age = design.get("eligibility", {}).get("age", {}).get(key)
        if age is not None:
            yield Value(f"trial.age_{key}", str(age), "config", "trial.eligibility.age", key)
    labels = [_tp_label(ctx, tp) for tp in spec["follow_up"]]
    yield Value("trial.follow_up", fmt.join_words([fmt.lower_first(x) for x in labels]),
                "config", "analysis.trial.follow_up", "timepoints[].label")
    yield Value("trial.endpoint", fmt.lower_first(_tp_label(ctx, spec["primary_endpoint"])),
                "config", "analysis.trial.primary_endpoint", "timepoints[].label")
    yield Value("trial.baseline", fmt.lower_first(_tp_label(ctx, spec["baseline"])), "config",
                "analysis.trial.baseline", "timepoints[].label")
    months = next((t.get("months") for t in ctx.design["timepoints"]
                   if t["id"] == spec["primary_endpoint"]), None)
    if months is not None:
        yield Value("trial.endpoint_adjective", f"{fmt.num(months, 0)}-month", "config",
                    "timepoints[primary_endpoint]", "months")
    least = conv.get("random_site_min_sites", 5)
    choice = spec.get("site_effect", "auto")
    model = (choice if choice != "auto" else "random" if n_sites >= least else "fixed")
    yield Value("trial.site_model", {"random": "a random intercept for site",
                                     "fixed": "site as a fixed effect",
                                     "none": "no site effect"}[model],
                "conventions.json", "trial.site_effect", "random_site_min_sites and the sites")
    yield Value("trial.random_site_min_sites", str(least), ctx.path("conventions"),
                "conventions.trial", "random_site_min_sites")
    words = fmt.count_words(least)
    rule = {"random": f"Site is modelled as a random intercept because the trial has "
                      f"{fmt.count_words(n_sites)} sites and the analysis plan models site as "
                      f"random from {words} sites up; with fewer, site would have entered as "
                      "a fixed effect",
            "fixed": f"Site is modelled as a fixed effect because the trial has "
                     f"{fmt.count_words(n_sites)} sites and the analysis plan models site as "
                     f"random only from {words} sites up",
            "none": "The trial has one site, so the model has no site effect"}[model]
    if choice != "auto":
        as_what = {"random": "a random intercept", "fixed": "a fixed effect",
                   "none": "absent from the model"}[model]
        rule = f"Site is modelled as {as_what}, as the analysis plan declares"
    yield Value("trial.site_model_rule", rule, "conventions.json", "trial.site_effect",
                "random_site_min_sites and the number of sites")
    yield Value("trial.random_site_min_sites_words", fmt.count_words(least),
                ctx.path("conventions"), "conventions.trial", "random_site_min_sites")
    workers = people[people["group"] == "peer_worker"] if "peer_worker" in set(
        people["group"]) else people.iloc[0:0]
    yield Value("trial.peer_workers", str(len(workers)), src, "group=peer_worker",
                "participant_id")
    per_site = workers.groupby("site").size()
    if len(per_site) and per_site.nunique() == 1:
        yield Value("trial.peer_workers_per_site", fmt.count_words(per_site.iloc[0]), src,
                    "group=peer_worker, per site", "participant_id")
    if "allocation_block" in arms:
        yield from _block_values(arms, spec, design.get("block_sizes"), src)
    if "sessions" in arms:
        got = arms.loc[arms["group"] == spec["arms"][0], "sessions"].dropna().astype(float)
        got = got[got > 0]
        sel = f"group={spec['arms'][0]}, sessions > 0"
        for key, value in (("m", fmt.num(got.mean(), 1)), ("sd", fmt.num(got.std(ddof=1), 1)),
                           ("median", fmt.num(got.median(), 0)), ("min", fmt.num(got.min(), 0)),
                           ("max", fmt.num(got.max(), 0)), ("n", str(len(got)))):
            yield Value(f"trial.sessions.{key}", value, src, sel, "sessions")
    mi = spec.get("sensitivity", {}).get("multiple_imputation")
    if mi:
        for key in ("imputations", "iterations", "seed"):
            yield Value(f"trial.mi.{key}", str(mi.get(key, 10)), "config",
                        "analysis.trial.sensitivity.multiple_imputation", key)


def _block_values(arms: pd.DataFrame, spec: dict, planned, src: str):
    """The permuted blocks as participants.csv records them: every block but each site's
    last is complete; it should hold a planned number of participants, half in each arm."""
    a, b = spec["arms"]
    counts = arms.groupby(["site", "allocation_block", "group"]).size().unstack(fill_value=0)
    for arm in (a, b):
        if arm not in counts:
            counts[arm] = 0
    counts["size"] = counts[a] + counts[b]
    last = arms.groupby("site")["allocation_block"].max()
    is_last = [last[site] == block for site, block in counts.index]
    complete, final = counts[[not x for x in is_last]], counts[is_last]

    def fits(frame):
        ok = frame[a] == frame[b]
        if planned:
            ok &= frame["size"].isin(planned)
        return ok

    sel = "arms, per site and allocation_block"
    cols = "allocation_block, group (participants per block and arm)"
    if planned:
        yield Value("trial.blocks.planned", fmt.join_alternatives([str(k) for k in planned]),
                    "config", "trial.block_sizes", "block_sizes")
    yield Value("trial.blocks.n", str(len(counts)), src, sel, cols)
    yield Value("trial.blocks.sizes", fmt.join_words([str(int(k)) for k in
                                                      sorted(set(counts["size"]))]), src, sel, cols)
    yield Value("trial.blocks.complete.n", str(len(complete)), src,
                sel + ", every block but each site's last", cols)
    yield Value("trial.blocks.complete.sizes", fmt.join_words(
        [str(int(k)) for k in sorted(set(complete["size"]))]), src,
        sel + ", every block but each site's last", cols)
    bad = int((~fits(complete)).sum())
    yield Value("trial.blocks.complete.check",
                ("each of them held a planned number of participants, half in each arm"
                 if planned else "each of them held equal numbers in the two arms")
                if bad == 0 else f"{fmt.count_words(bad)} of them did not hold "
                + ("a planned number of participants, half in each arm" if planned
                   else "equal numbers in the two arms"),
                src, sel + ", every block but each site's last", cols)
    yield Value("trial.blocks.last_incomplete", fmt.count_words(int((~fits(final)).sum())), src,
                sel + ", each site's last block, unbalanced or not of a planned size", cols)
    yield Value("trial.blocks.sites_words", fmt.count_words(len(final)), src, sel, "site")


def _outcome_name(ctx: Context, instrument: str, scale: str) -> str:
    inst = ctx.registry[instrument]
    if scale == "total":
        return inst.name
    return f"{inst.name}, {fmt.lower_first(inst.scales[scale].label)}"


def outcome_label(ctx: Context, out: dict) -> str:
    """What a trial outcome measures, mid-sentence: its declared ``label`` or its scale's."""
    if out.get("label"):
        return out["label"]
    return fmt.lower_first(ctx.registry[out["instrument"]].scales[out["scale"]].label)


def scale_decimals(ctx: Context, instrument: str, scale: str) -> int:
    """Decimals for a scale's scores and differences (:func:`format.decimals_for_range`)."""
    inst = ctx.registry[instrument]
    return fmt.decimals_for_range(*inst.scale_range(inst.scales[scale]))


@family("effect.{instrument}.{scale}.{timepoint}.{apa|estimate|ci|p|sig|smd|smd_ci|n|favours}; "
        "effect.{instrument}.{scale}.interaction.{apa|estimate|ci|p|sig}; "
        "effect.{instrument}.{scale}.{cc|mi}.{apa|estimate|ci|smd|smd_ci|p|n}; "
        "outcome.{instrument}.{scale}.{name|label|role}; trial.primary.{name|instrument|label}; "
        "trial.secondary.{names|n_tests|n_sig|n_tests_words|n_sig_words|sig_names|sig_list|"
        "nonsig_names|nonsig_list|summary|favours_summary}",
        "tests.csv", "the trial's baseline-adjusted arm differences (intervention minus "
        "control) at each follow-up, with the decimals of the scale (three on an item-mean "
        "scale), the standardised difference (smd, baseline SD units) and which arm they "
        "favour (favours: judged by the confidence interval as printed and, in an adjusted "
        "family, the adjusted p; never by the point estimate alone); the arm x time "
        "interaction; the complete-case (cc) and multiple-imputation (mi) sensitivity "
        "estimates at the primary endpoint; p carries the family's own multiplicity label. "
        "The secondary outcomes at the primary endpoint: their labels (names), how many were "
        "tested and significant on the family's adjusted p, which ones (sig_names, nonsig_names; "
        "sig_list and nonsig_list with their p), a summary clause naming them, and "
        "favours_summary, the outcomes grouped by the arm their difference favours",
        needs=("tests",))
def trial_effect_values(ctx: Context):
    spec = _trial(ctx)
    if not spec:
        return
    t = _tests(ctx)
    src = ctx.path("tests")
    rows = t[(t["comparison"] == spec["id"]) & (t["site"] == "all")]
    a, b = spec["arms"]
    names = {g["id"]: g.get("short_label", g["label"]) for g in ctx.design["groups"]}
    directions: dict[str, list[str]] = {}   # secondary outcomes at the endpoint, by favours
    for out in spec["outcomes"]:
        inst, scale = out["instrument"], out["scale"]
        base = f"effect.{inst}.{scale}"
        name = _outcome_name(ctx, inst, scale)
        places = scale_decimals(ctx, inst, scale)
        yield Value(f"outcome.{inst}.{scale}.name", name, ctx.registry[inst].path,
                    f"scale {scale}", "name, label")
        yield Value(f"outcome.{inst}.{scale}.label", outcome_label(ctx, out), "config",
                    "analysis.trial.outcomes", "label (or the scale's label)")
        yield Value(f"outcome.{inst}.{scale}.role", out["role"], "config",
                    "analysis.trial.outcomes", "role")
        if out["role"] == "primary":
            yield Value("trial.primary.name", name, ctx.registry[inst].path, f"scale {scale}",
                        "name, label")
            yield Value("trial.primary.instrument", ctx.registry[inst].short_name,
                        ctx.registry[inst].path, "short_name", "short_name")
            yield Value("trial.primary.label", outcome_label(ctx, out), "config",
                        "analysis.trial.outcomes", "label (or the scale's label)")
        mine = rows[(rows["instrument"] == inst) & (rows["scale"] == scale)]
        for test, key in (("mixed_model", None), ("mixed_model_complete_cases", "cc"),
                          ("mixed_model_mi", "mi")):
            for rec in mine[(mine["test"] == test) & (mine["effect_name"] == "estimate")
                            ].to_dict("records"):
                smd = mine[(mine["test"] == test) & (mine["timepoint"] == rec["timepoint"])
                           & (mine["effect_name"] == "smd_baseline_sd")]
                where = f"{base}.{key or rec['timepoint']}"
                sel = _row_text(comparison=spec["id"], instrument=inst, scale=scale, test=test,
                                timepoint=rec["timepoint"], effect_name="estimate")
                yield from _trial_estimate(ctx, where, sel, src, rec, smd, decimals=places)
                if key is None:
                    label = family_label(ctx, rec["family"])
                    verdict = (rec["p_adjusted"] < ctx.alpha) if label else None
                    word = fmt.favours(rec["effect"], rec["ci_low"], rec["ci_high"],
                                       ctx.higher_is_better(inst, scale), names[a], names[b],
                                       places, verdict)
                    yield Value(f"{where}.favours", word, src, sel,
                                "ci_low, ci_high (as printed), p_adjusted in adjusted families, "
                                "and the registry's higher_is_better")
                    if (out["role"] == "secondary"
                            and rec["timepoint"] == spec["primary_endpoint"]):
                        # the correction's caveat goes with the outcome, not the verb
                        after = " after correction for multiple comparisons"
                        directions.setdefault(word.replace(after, ""), []).append(
                            outcome_label(ctx, out) + (f" ({after.strip()})" if after in word
                                                       else ""))
        for rec in mine[mine["test"] == "mixed_model_interaction"].to_dict("records"):
            sel = _row_text(comparison=spec["id"], instrument=inst, scale=scale,
                            test="mixed_model_interaction", timepoint=rec["timepoint"])
            yield from _trial_estimate(ctx, f"{base}.interaction", sel, src, rec, None,
                                       decimals=places)
    yield from _secondary_values(ctx, spec, rows, src)
    if directions:
        # "favoured peer support on a and b, and did not clearly favour either arm on c"
        parts = [f"{word} on {fmt.join_words(group)}" for word, group in directions.items()]
        yield Value("trial.secondary.favours_summary",
                    parts[0] if len(parts) == 1 else ", and ".join(parts) if len(parts) == 2
                    else "; ".join(parts[:-1]) + "; and " + parts[-1], src,
                    _row_text(comparison=spec["id"], test="mixed_model",
                              timepoint=spec["primary_endpoint"], effect_name="estimate"),
                    "the secondary outcomes' favours values, grouped")


def _secondary_values(ctx: Context, spec: dict, rows: pd.DataFrame, src: str):
    """Which secondary outcomes differed between the arms at the primary endpoint, on the
    family's adjusted p, in the plan's order."""
    fam = spec["families"]["secondary"]
    sec = rows[(rows["test"] == "mixed_model") & (rows["effect_name"] == "estimate")
               & (rows["family"] == fam) & (rows["timepoint"] == spec["primary_endpoint"])]
    label = family_label(ctx, fam)
    sel = _row_text(comparison=spec["id"], test="mixed_model", family=fam,
                    timepoint=spec["primary_endpoint"], effect_name="estimate")
    col = "p_adjusted" if label else "p"
    sig, nonsig = [], []
    for out in [o for o in spec["outcomes"] if o["role"] == "secondary"]:
        hit = sec[(sec["instrument"] == out["instrument"]) & (sec["scale"] == out["scale"])]
        if hit.empty or fmt.missing(hit["p"].iloc[0]):
            continue
        rec = hit.iloc[0]
        entry = (outcome_label(ctx, out), fmt.p_expr(rec[col], label, ctx.alpha))
        (sig if rec[col] < ctx.alpha else nonsig).append(entry)
    n_tests = len(sig) + len(nonsig)
    secondary = [outcome_label(ctx, o) for o in spec["outcomes"] if o["role"] == "secondary"]
    yield Value("trial.secondary.names", fmt.join_words(secondary), "config",
                "analysis.trial.outcomes, role=secondary", "label")
    yield Value("trial.secondary.n_tests", str(n_tests), src, sel, "p")
    yield Value("trial.secondary.n_sig", str(len(sig)), src, sel, f"{col} < alpha")
    yield Value("trial.secondary.n_tests_words", fmt.count_words(n_tests), src, sel, "p")
    yield Value("trial.secondary.n_sig_words", fmt.count_words(len(sig)), src, sel,
                f"{col} < alpha")
    for key, group in (("sig", sig), ("nonsig", nonsig)):
        yield Value(f"trial.secondary.{key}_names",
                    fmt.join_words([n for n, _ in group]) if group else "none", src, sel,
                    f"{col} against alpha; outcome labels")
        yield Value(f"trial.secondary.{key}_list",
                    fmt.join_words([f"{n} ({p})" for n, p in group]) if group else "none",
                    src, sel, f"{col} against alpha; outcome labels")
    correction = f"after {label}'s correction" if label else "without correction"
    listed = lambda group: fmt.join_words([f"{n} ({p})" for n, p in group])  # noqa: E731
    if not sig:
        text = (f"none of {fmt.count_words(n_tests)} differed significantly between the arms "
                f"{correction}: {listed(nonsig)}")
    elif not nonsig:
        text = (f"all {fmt.count_words(n_tests)} differed significantly between the arms "
                f"{correction}: {listed(sig)}")
    else:
        text = (f"{fmt.count_words(len(sig))} of {fmt.count_words(n_tests)} differed "
                f"significantly between the arms {correction}: {listed(sig)}; "
                f"{listed(nonsig)} did not")
    yield Value("trial.secondary.summary", text, src, sel,
                f"{col} against alpha; outcome labels")


def _trial_estimate(ctx: Context, base: str, sel: str, src: str, rec: dict, smd,
                    decimals: int = 2, symbol: str = "Δ"):
    label = family_label(ctx, rec["family"])
    p = rec["p_adjusted"] if label else rec["p"]
    stat_df = rec["df1"] if rec["statistic_name"] == "t" else None
    yield Value(f"{base}.apa", fmt.apa_estimate(
        rec["effect"], rec["ci_low"], rec["ci_high"], rec["statistic_name"], rec["statistic"],
        stat_df, p, label, ctx.level, symbol=symbol, alpha=ctx.alpha, decimals=decimals),
        src, sel, "effect, ci_low, ci_high, statistic, df1, p (p_adjusted in adjusted families)")
    yield Value(f"{base}.estimate", fmt.num(rec["effect"], decimals), src, sel, "effect")
    yield Value(f"{base}.ci", fmt.ci(rec["ci_low"], rec["ci_high"], decimals, level=ctx.level),
                src, sel, "ci_low, ci_high")
    yield Value(f"{base}.p", fmt.p_expr(p, label, ctx.alpha), src, sel,
                "p_adjusted" if label else "p")
    yield Value(f"{base}.sig", fmt.significance(p, ctx.alpha), src, sel,
                "p_adjusted" if label else "p")
    yield Value(f"{base}.n", str(int(rec["n"])), src, sel, "n")
    if smd is not None and len(smd):
        d = smd.iloc[0]
        ssel = sel.replace("effect_name=estimate", "effect_name=smd_baseline_sd")
        yield Value(f"{base}.smd", fmt.num(d["effect"]), src, ssel, "effect")
        yield Value(f"{base}.smd_ci", fmt.ci(d["ci_low"], d["ci_high"], level=ctx.level), src,
                    ssel, "ci_low, ci_high")


@family("trial.variance.{instrument}.{scale}.{participant_id|site|residual}.{variance|icc}; "
        "trial.variance.site_zero.{names|n|n_words}",
        "tests.csv", "the variance components of each outcome's primary model (REML) and the "
        "intraclass correlations: site, the site variance's share of the total; participant_id, "
        "the participant and site variances' share (two follow-up scores of one participant); "
        "site_zero: the outcomes whose primary model estimated the site variance at zero, on "
        "the boundary of its parameter space (the engine's note 'singular fit' on (1 | site)), "
        "in the plan's order ('none' if no outcome)",
        needs=("tests",))
def trial_variance_values(ctx: Context):
    spec = _trial(ctx)
    if not spec:
        return
    t = _tests(ctx)
    rows = t[(t["comparison"] == spec["id"]) & (t["test"] == "mixed_model_variance")]
    for rec in rows.to_dict("records"):
        sel = _row_text(comparison=spec["id"], test="mixed_model_variance",
                        instrument=rec["instrument"], scale=rec["scale"], factor=rec["factor"],
                        effect_name=rec["effect_name"])
        places = 2 if scale_decimals(ctx, rec["instrument"], rec["scale"]) == 2 else 4
        text = (fmt.bounded(rec["effect"], 3) if rec["effect_name"] == "icc" else
                fmt.num(rec["effect"], places))
        yield Value(f"trial.variance.{rec['instrument']}.{rec['scale']}.{rec['factor']}."
                    f"{rec['effect_name']}", text, ctx.path("tests"), sel, "effect")
    fits = t[(t["comparison"] == spec["id"]) & (t["test"] == "mixed_model")
             & (t["effect_name"] == "estimate") & (t["timepoint"] == spec["primary_endpoint"])]
    zero = [outcome_label(ctx, out) for out in spec["outcomes"]
            if fits[(fits["instrument"] == out["instrument"]) & (fits["scale"] == out["scale"])
                    ]["note"].astype(str).str.contains("singular fit: variance of (1 | site)",
                                                       regex=False).any()]
    sel = _row_text(comparison=spec["id"], test="mixed_model",
                    timepoint=spec["primary_endpoint"], effect_name="estimate")
    how = "note contains 'singular fit: variance of (1 | site)'"
    yield Value("trial.variance.site_zero.names", fmt.join_words(zero) if zero else "none",
                ctx.path("tests"), sel, how)
    yield Value("trial.variance.site_zero.n", str(len(zero)), ctx.path("tests"), sel, how)
    yield Value("trial.variance.site_zero.n_words", fmt.count_words(len(zero)),
                ctx.path("tests"), sel, how)


@family("by_site.{instrument}.{scale}.{site}.{apa|estimate|ci|n}; by_site.{instrument}."
        "{scale}.{lrt|lrt_p|lrt_sig|lowest|highest|lowest_site|highest_site}", "tests.csv",
        "exploratory: the arm difference at the primary endpoint at each site (site and arm x "
        "site fixed), the likelihood-ratio test of arm x site (lrt, its p and significance), "
        "and the sites with the smallest and largest difference", needs=("tests",))
def by_site_values(ctx: Context):
    spec = _trial(ctx)
    if not spec:
        return
    t = ctx.results["tests"]   # the per-site rows too (not only site = all)
    src = ctx.path("tests")
    sites = {s["id"]: s["label"] for s in ctx.design.get("sites", [])}
    for (inst, scale), block in t[(t["comparison"] == spec["id"])
                                  & t["test"].isin(["mixed_model_by_site",
                                                    "mixed_model_site_lrt"])].groupby(
            ["instrument", "scale"], sort=True):
        places = scale_decimals(ctx, inst, scale)
        per = block[block["test"] == "mixed_model_by_site"]
        for rec in per.to_dict("records"):
            sel = _row_text(comparison=spec["id"], test="mixed_model_by_site", site=rec["site"],
                            instrument=inst, scale=scale)
            yield from (v for v in _trial_estimate(ctx, f"by_site.{inst}.{scale}.{rec['site']}",
                                                   sel, src, rec, None, decimals=places)
                        if v.key.rsplit(".", 1)[1] in ("apa", "estimate", "ci", "n"))
        if len(per):
            order = per.sort_values(["effect", "site"], kind="mergesort")
            for key, rec in (("lowest", order.iloc[0]), ("highest", order.iloc[-1])):
                sel = _row_text(comparison=spec["id"], test="mixed_model_by_site",
                                site=rec["site"], instrument=inst, scale=scale)
                yield Value(f"by_site.{inst}.{scale}.{key}", fmt.num(rec["effect"], places),
                            src, sel, f"effect (the {key} of the sites)")
                yield Value(f"by_site.{inst}.{scale}.{key}_site",
                            sites.get(rec["site"], rec["site"]), src, sel,
                            f"site (the {key} effect)")
        for rec in block[block["test"] == "mixed_model_site_lrt"].to_dict("records"):
            sel = _row_text(comparison=spec["id"], test="mixed_model_site_lrt", instrument=inst,
                            scale=scale)
            label = family_label(ctx, rec["family"])
            p = rec["p_adjusted"] if label else rec["p"]
            yield Value(f"by_site.{inst}.{scale}.lrt", fmt.apa_chi2(
                rec["statistic"], rec["df1"], p, p_label=label, alpha=ctx.alpha), src, sel,
                "statistic, df1, p")
            yield Value(f"by_site.{inst}.{scale}.lrt_p", fmt.p_expr(p, label, ctx.alpha), src,
                        sel, "p")
            yield Value(f"by_site.{inst}.{scale}.lrt_sig", fmt.significance(p, ctx.alpha), src,
                        sel, "p")


@family("harms.{arm}.deaths.{n|words|pct}; harms.deaths.{n|words}", "participants.csv",
        "deaths by arm: participants whose recorded reason for leaving the trial is the one "
        "the config declares as death (trial.harms.death_reason); pct of those allocated; "
        "words: in words below ten, 'none' for 0",
        needs=("participants",))
def harms_values(ctx: Context):
    spec = _trial(ctx)
    reason = ctx.design.get("trial", {}).get("harms", {}).get("death_reason")
    if not spec or not reason:
        return
    people = ctx.results["participants"]
    src = ctx.path("participants")
    total = 0
    for arm in spec["arms"]:
        mine = people[people["group"] == arm]
        n = int((mine.get("dropout_reason", pd.Series(dtype=object)) == reason).sum())
        total += n
        sel = f"group={arm}, dropout_reason={reason}"
        yield Value(f"harms.{arm}.deaths.n", str(n), src, sel, "dropout_reason")
        yield Value(f"harms.{arm}.deaths.words", fmt.count_words(n) if n else "none", src, sel,
                    "dropout_reason")
        yield Value(f"harms.{arm}.deaths.pct", fmt.percent(n, len(mine)), src, sel,
                    "dropout_reason / participants allocated")
    sel = f"group in {spec['arms']}, dropout_reason={reason}"
    yield Value("harms.deaths.n", str(total), src, sel, "dropout_reason")
    yield Value("harms.deaths.words", fmt.count_words(total) if total else "none", src, sel,
                "dropout_reason")


@family("fidelity.association.{apa|estimate|ci|p|sig|n}; fidelity.supported.n",
        "tests.csv, participants.csv",
        "exploratory: the slope *b* of the primary outcome at the endpoint on the peer "
        "worker's fidelity score (outcome points per index point), adjusted for baseline, in "
        "the intervention arm; n: participants in that model (a rated peer worker, a baseline "
        "and an endpoint score); supported.n: intervention-arm participants assigned a peer "
        "worker", needs=("tests", "participants"))
def fidelity_association_values(ctx: Context):
    spec = _trial(ctx)
    if not spec.get("fidelity"):
        return
    t = _tests(ctx)
    rows = t[(t["factor"] == "fidelity") & (t["comparison"] == f"{spec['id']}_fidelity")]
    primary = next(o for o in spec["outcomes"] if o["role"] == "primary")
    for rec in rows.to_dict("records"):
        sel = _row_text(comparison=rec["comparison"], factor="fidelity")
        yield from _trial_estimate(ctx, "fidelity.association", sel, ctx.path("tests"), rec,
                                   None, decimals=scale_decimals(ctx, primary["instrument"],
                                                                 primary["scale"]),
                                   symbol="*b*")
    people = ctx.results["participants"]
    if "peer_worker" in people:
        mine = people[(people["group"] == spec["arms"][0]) & people["peer_worker"].notna()]
        yield Value("fidelity.supported.n", str(len(mine)), ctx.path("participants"),
                    f"group={spec['arms'][0]}, peer_worker recorded", "peer_worker")


@family("fidelity.{site|all}.{m|sd|n}; fidelity.{lowest|highest}.{site|m}; "
        "fidelity.domain.{scale}.{m|sd}", "descriptives.csv",
        "the peer workers' fidelity score by site and overall (mean, SD, workers rated), the "
        "sites with the lowest and highest mean, and each domain's mean", needs=("descriptives",))
def fidelity_site_values(ctx: Context):
    spec = _trial(ctx)
    fid = spec.get("fidelity")
    if not fid:
        return
    d = ctx.results["descriptives"]
    src = ctx.path("descriptives")
    sel_all = d[(d["instrument"] == fid["instrument"]) & (d["timepoint"] == fid["timepoint"])]
    total = sel_all[sel_all["scale"] == fid["scale"]]
    sites = {s["id"]: s["label"] for s in ctx.design["sites"]}
    for rec in total.to_dict("records"):
        base = f"fidelity.{rec['site']}"
        sel = _row_text(site=rec["site"], instrument=fid["instrument"], scale=fid["scale"],
                        timepoint=fid["timepoint"])
        yield Value(f"{base}.m", fmt.num(rec["mean"]), src, sel, "mean")
        yield Value(f"{base}.sd", fmt.num(rec["sd"]), src, sel, "sd")
        yield Value(f"{base}.n", str(int(rec["n"])), src, sel, "n")
    by_site = total[total["site"] != "all"].sort_values(["mean", "site"], kind="mergesort")
    if len(by_site):
        for key, rec in (("lowest", by_site.iloc[0]), ("highest", by_site.iloc[-1])):
            sel = _row_text(instrument=fid["instrument"], scale=fid["scale"]) + f" ({key} mean)"
            yield Value(f"fidelity.{key}.site", sites.get(rec["site"], rec["site"]), src, sel,
                        "site")
            yield Value(f"fidelity.{key}.m", fmt.num(rec["mean"]), src, sel, "mean")
    for rec in sel_all[(sel_all["site"] == "all") & (sel_all["scale"] != fid["scale"])
                       ].to_dict("records"):
        sel = _row_text(site="all", instrument=fid["instrument"], scale=rec["scale"])
        yield Value(f"fidelity.domain.{rec['scale']}.m", fmt.num(rec["mean"]), src, sel, "mean")
        yield Value(f"fidelity.domain.{rec['scale']}.sd", fmt.num(rec["sd"]), src, sel, "sd")


@family("consort.{assessed|excluded|randomised}.n; consort.excluded.{reason}; "
        "consort.{arm}.{allocated|received|not_received|analysed|excluded_from_analysis}.n; "
        "consort.{arm}.{not_received|excluded_from_analysis}.{reason}; "
        "consort.{arm}.{timepoint}.{followed_up|lost}.n; consort.{arm}.{timepoint}.lost."
        "{pct|reason}", "consort.csv",
        "the CONSORT flow: everyone assessed, excluded (by reason) and randomised; per arm "
        "allocated, received, followed up and lost at each assessment (by reason; lost_pct of "
        "those allocated) and analysed", needs=("consort",))
def consort_values(ctx: Context):
    flow = ctx.results["consort"].copy()
    flow["timepoint"] = flow["timepoint"].fillna("").astype(str)
    src = f"results/{ctx.study}/consort.csv"
    allocated = {}
    for rec in flow.to_dict("records"):
        stage, arm, tp, reason = rec["stage"], rec["arm"], rec["timepoint"], rec["reason"]
        parts = ["consort"] + ([] if arm == "all" else [arm]) + ([tp] if tp else []) + [stage]
        parts.append("n" if reason == "all" else slug(reason))
        sel = _row_text(stage=stage, arm=arm, timepoint=tp or "(none)", reason=reason)
        yield Value(".".join(parts), str(int(rec["n"])), src, sel, "n")
        if stage == "allocated":
            allocated[arm] = int(rec["n"])
        if stage == "lost" and reason == "all" and arm in allocated:
            yield Value(".".join(["consort", arm, tp, "lost", "pct"]),
                        fmt.percent(rec["n"], allocated[arm]), src, sel, "n / allocated")


@family("power.{n}.{effect}.{power|mc_se}; power.{sites|timepoints|icc|replicates|alpha|"
        "site_sd|retention|effects|sizes|sites_words|timepoints_words|mc_level|target}",
        "power.csv",
        "the power simulation of the planned model: power (and its Monte Carlo SE) per trial "
        "size and effect (effect in SD units as d0_30 for 0.30); the simulation's settings as "
        "declared; mc_level, the Monte Carlo interval drawn in the power curve; target, the "
        "conventional target power it marks",
        needs=("power",))
def power_values(ctx: Context):
    table = ctx.results["power"]
    src = f"results/{ctx.study}/power.csv"
    for rec in table.to_dict("records"):
        effect = f"{rec['effect_sd']:.2f}"
        key = f"power.n{int(rec['participants'])}.d{slug(effect)}"
        sel = _row_text(participants=int(rec["participants"]), effect_sd=rec["effect_sd"])
        yield Value(f"{key}.power", fmt.bounded(rec["power"], 2), src, sel, "power")
        yield Value(f"{key}.participants", str(int(rec["participants"])), src, sel,
                    "participants")
        yield Value(f"{key}.effect", fmt.num(rec["effect_sd"]), src, sel, "effect_sd")
        yield Value(f"{key}.mc_se", fmt.bounded(rec["mc_se"], 3), src, sel, "mc_se")
    spec = ctx.design.get("power", {})
    for key in ("sites", "timepoints", "replicates"):
        if key in spec:
            yield Value(f"power.{key}", fmt.integer(spec[key]), "config", "power", key)
    for key in ("sites", "timepoints"):
        if key in spec:
            yield Value(f"power.{key}_words", fmt.count_words(spec[key]), "config", "power",
                        key)
    for key in ("icc", "alpha"):
        if key in spec:
            yield Value(f"power.{key}", fmt.bounded(spec[key]), "config", "power", key)
    if "site_sd" in spec:  # in outcome SD units: not bounded by 1
        yield Value("power.site_sd", fmt.num(spec["site_sd"]), "config", "power", "site_sd")
    if "retention" in spec:
        yield Value("power.retention", fmt.join_words([fmt.bounded(r) for r in spec["retention"]]),
                    "config", "power", "retention")
    if "effects" in spec:
        yield Value("power.effects", fmt.join_words([fmt.num(e) for e in spec["effects"]]),
                    "config", "power", "effects")
    from peerstudy.power import MC_LEVEL, TARGET_POWER

    yield Value("power.mc_level", fmt.percent_level(MC_LEVEL), "peerstudy.power", "MC_LEVEL",
                "the Monte Carlo interval drawn in the power curve")
    yield Value("power.target", fmt.bounded(TARGET_POWER, 2), "peerstudy.power",
                "TARGET_POWER", "the conventional target power, dashed in the power curve")
    sizes = sorted({int(x) for x in table["participants"]})
    yield Value("power.sizes", fmt.join_words([str(n) for n in sizes]), src, "all rows",
                "participants")


# ---- reproducibility ------------------------------------------------------------------

@family("repro.{command|versions|config_sha256|data_sha256}", "run.json",
        "the command that produced the outputs, the locked versions of the main packages, "
        "and the first 16 hex digits of the SHA-256 of the `sha256sum` listing of the config "
        "file(s) and of every raw export, as the run record `reports/<id>/run.json` holds them "
        "(`peerstudy verify` checks them)")
def repro_values(ctx: Context):
    p = ctx.provenance
    if not p:
        return
    record = f"reports/{ctx.study}/run.json"
    yield Value("repro.command", f"`{p['command']}`", record, "command", "command")
    yield Value("repro.versions", ", ".join(f"{k} {v}" for k, v in sorted(p["versions"].items())),
                record, "versions", "name, version")
    yield Value("repro.config_sha256", f"`{p['config_sha256'][:16]}`", record, "inputs.config",
                "sha256sum listing, sha256")
    yield Value("repro.data_sha256", f"`{p['data_sha256'][:16]}`", record, "inputs.data",
                "sha256sum listing, sha256")


# ---- the registry -----------------------------------------------------------------------

def build_values(ctx: Context) -> dict[str, Value]:
    """Expand every family over the run's results; a key may be produced only once."""
    out: dict[str, Value] = {}
    for fam in FAMILIES:
        if any(key not in ctx.results for key in fam.needs):
            continue
        for value in fam.build(ctx):
            if not isinstance(value.text, str):
                raise TypeError(f"value key '{value.key}' is not text: {value.text!r}")
            if value.key in out:
                raise ValueError(f"value key '{value.key}' is produced twice")
            out[value.key] = value
    _check_no_leaf_is_a_parent(out)
    return out


def _check_no_leaf_is_a_parent(values: dict[str, Value]) -> None:
    prefixes = {k.rsplit(".", i)[0] for k in values for i in range(1, k.count(".") + 1)}
    clash = sorted(prefixes & set(values))
    if clash:
        raise ValueError(f"value key '{clash[0]}' is also the parent of other keys")


def nested(values: dict[str, Value]) -> dict:
    """{'a.b.c': v} -> {'a': {'b': {'c': text}}} for _variables.yml."""
    tree: dict = {}
    for key in sorted(values):
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = values[key].text
    return tree


def provenance_table(values: dict[str, Value]) -> pd.DataFrame:
    rows = [{"variable": v.key, "value": v.text, "file": v.file, "row": v.row,
             "columns": v.columns} for v in sorted(values.values(), key=lambda v: v.key)]
    return pd.DataFrame(rows, columns=["variable", "value", "file", "row", "columns"])


def values_markdown(values: dict[str, Value], study: str) -> str:
    """values.md: each family (pattern, source, meaning), then every key with its value."""
    lines = [f"# Values available to the manuscript of `{study}`", "",
             "Use a value in the manuscript source as `{{< var key >}}`. Each key below was "
             "computed in this run; `provenance.csv` gives the file, row and columns of each.",
             "", "## Families", "", "| pattern | source | meaning |", "|---|---|---|"]
    for fam in FAMILIES:
        lines.append(f"| `{fam.pattern}` | {fam.source} | {fam.description} |")
    lines += ["", "## Keys", "", "| key | value | from |", "|---|---|---|"]
    for v in sorted(values.values(), key=lambda v: v.key):
        text = v.text.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{v.key}` | {text} | {v.file} ({v.row}) |")
    return "\n".join(lines) + "\n"


def load_conventions(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
