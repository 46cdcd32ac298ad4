"""SPSS syntax (.sps) for the tests an SPSS user runs on the study's own files.

SPSS has no loops over data subsets without macros, so each family's syntax
is written out per scale: read the long file (GET DATA), keep one scale
(SELECT IF), spread timepoints or items into variables (COMPUTE + AGGREGATE,
which GNU PSPP also runs; CASESTOVARS it does not), then the procedure.
``ECHO 'peerstudy: <test>|<group>|<instrument>|<scale>|<contrast>'`` before
each procedure names the tests.csv row it reproduces, so that a test can run
the syntax in PSPP and compare its output row by row. GLM repeated measures
and MIXED sit between ``* SPSS only: begin.`` and ``* SPSS only: end.``.

A new family adds one function to :data:`SPSS_FAMILIES`.
"""

from __future__ import annotations

import re

SPSS_ONLY_BEGIN = "* SPSS only: begin."
SPSS_ONLY_END = "* SPSS only: end."
# The columns of scores.csv and items.csv in file order (GET DATA reads by position):
# the same lists as peerstudy.scoring.SCORE_COLUMNS and peerstudy.ingest.ITEM_COLUMNS,
# repeated here because this module is imported while Snakemake builds the DAG (a test
# checks that they agree).
SCORE_COLUMNS = ["participant_id", "site", "group", "timepoint", "instrument", "scale", "score",
                 "items_answered", "items_total", "form"]
ITEM_COLUMNS = ["participant_id", "site", "group", "timepoint", "instrument", "item", "value",
                "form"]
NUMERIC = {"score", "items_answered", "items_total", "value"}


def quote(text: str) -> str:
    """An SPSS string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def var(prefix: str, name: str) -> str:
    """A valid SPSS variable name for a timepoint, item or level id."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", str(name))
    return f"{prefix}_{clean}"[:64]


def get_data(path: str, columns: list[str]) -> str:
    """GET DATA for a UTF-8 CSV with a header row (numbers for known numeric columns)."""
    spec = "\n".join(f"    {c} {'F16.8' if c in NUMERIC else 'A64'}" for c in columns)
    return (f"GET DATA /TYPE=TXT /FILE={quote(path)} /ENCODING='UTF-8'\n"
            "  /ARRANGEMENT=DELIMITED /DELCASE=LINE /FIRSTCASE=2 /DELIMITERS=\",\" "
            "/QUALIFIER='\"'\n  /VARIABLES=\n" + spec + ".\n")


def select(**equal) -> str:
    cond = " AND ".join(f"{k} = {quote(v)}" for k, v in equal.items())
    return f"SELECT IF ({cond}).\n"


def spread(column: str, values: list[str], value_var: str, prefix: str) -> str:
    """One variable per value of ``column`` (one row per participant) by AGGREGATE MAX."""
    lines = []
    for v in values:
        name = var(prefix, v)
        lines.append(f"COMPUTE {name} = $SYSMIS.\nIF ({column} = {quote(v)}) {name} = {value_var}.")
    agg = " ".join(f"/{var(prefix, v)} = MAX({var(prefix, v)})" for v in values)
    return "\n".join(lines) + f"\nAGGREGATE /OUTFILE=* /BREAK=participant_id {agg}.\n"


def echo(*parts) -> str:
    return f"ECHO {quote('peerstudy: ' + '|'.join(str(p) for p in parts))}.\n"


def spss_only(text: str) -> str:
    return f"{SPSS_ONLY_BEGIN}\n{text.rstrip()}\n{SPSS_ONLY_END}\n"


PRECISION = ("* More decimals than SPSS shows by default, so that the output can be\n"
             "* compared with tests.csv (GNU PSPP understands the same commands).\n"
             "SET FORMAT=F20.10.\n"
             "OUTPUT MODIFY /SELECT TABLES /TABLECELLS SELECT=[SIGNIFICANCE COUNT] "
             "FORMAT=F20.12.\n\n")


# ------------------------------------------------------------------ families
def _within(ctx, plan) -> str:
    out = []
    scores = f"results/{ctx['study']}/scores.csv"
    for spec in plan:
        tps = spec["timepoints"]
        names = [var("tp", t) for t in tps]
        for sc in spec["scales"]:
            g, inst, scale = spec["group"], sc["instrument"], sc["scale"]
            out.append(f"* ---- {spec['id']}: {g} | {inst} | {scale} ----.\n")
            out.append(get_data(scores, SCORE_COLUMNS)
                       + select(group=g, instrument=inst, scale=scale)
                       + spread("timepoint", tps, "score", "tp"))
            for earlier, later in spec["pairs"]:
                pair = f"{var('tp', later)} WITH {var('tp', earlier)} (PAIRED)"
                if "wilcoxon" in spec["tests"]:
                    out.append(echo("wilcoxon", g, inst, scale, f"{earlier}-{later}")
                               + f"NPAR TESTS /WILCOXON={pair}.\n")
                if "paired_t" in spec["tests"]:
                    out.append(echo("paired_t", g, inst, scale, f"{earlier}-{later}")
                               + f"T-TEST PAIRS={pair}.\n")
            if "friedman" in spec.get("omnibus", []):
                out.append(echo("friedman", g, inst, scale, ",".join(tps))
                           + f"NPAR TESTS /FRIEDMAN={' '.join(names)} "
                             f"/KENDALL={' '.join(names)}.\n")
            if "rm_anova" in spec.get("omnibus", []):
                out.append(spss_only(
                    f"* Repeated-measures ANOVA on complete cases: Mauchly, GG and HF rows.\n"
                    f"GLM {' '.join(names)}\n  /WSFACTOR=timepoint {len(tps)} Polynomial\n"
                    "  /METHOD=SSTYPE(3) /PRINT=ETASQ /WSDESIGN=timepoint."))
            if spec.get("mixed_model"):
                out.append(spss_only(_mixed_within(ctx, spec, sc)))
        out.append("\n")
    return "".join(out)


def _mixed_within(ctx, spec, sc) -> str:
    tps = spec["timepoints"]
    order = sorted(tps)          # SPSS orders a factor's levels by value
    tests = []
    for earlier, later in spec["pairs"]:
        coef = [1 if t == later else -1 if t == earlier else 0 for t in order]
        tests.append(f"  /TEST={quote(f'{earlier}-{later}: {later} minus {earlier}')} "
                     f"timepoint {' '.join(map(str, coef))}")
    keep = " OR ".join(f"timepoint = {quote(t)}" for t in tps)
    mm = ctx["mixed"]
    return (f"* Mixed model on all available data: score ~ timepoint + (1 | participant).\n"
            f"* Levels of timepoint in SPSS's order: {', '.join(order)}.\n"
            + get_data(f"results/{ctx['study']}/scores.csv", SCORE_COLUMNS)
            + f"SELECT IF (group = {quote(spec['group'])} AND instrument = "
              f"{quote(sc['instrument'])} AND scale = {quote(sc['scale'])} AND ({keep}) "
              "AND NOT SYSMIS(score)).\n"
            + "MIXED score BY timepoint\n  /FIXED=timepoint | SSTYPE(3)\n"
              "  /RANDOM=INTERCEPT | SUBJECT(participant_id) COVTYPE(VC)\n"
              f"  /METHOD={mm['estimation']}\n  /PRINT=SOLUTION TESTCOV\n"
            + "\n".join(tests) + ".\n")


def _between(ctx, plan) -> str:
    out = []
    scores = f"results/{ctx['study']}/scores.csv"
    for spec in plan:
        a, b = spec["levels"]
        for stratum in spec["strata"]:
            for sc in spec["scales"]:
                where = {"timepoint": spec["timepoint"], "instrument": sc["instrument"],
                         "scale": sc["scale"]}
                if stratum != "all":
                    where["group"] = stratum
                out.append(get_data(scores, SCORE_COLUMNS) + select(**where)
                           + _levels(spec["factor"], a, b)
                           + echo("mann_whitney", stratum, sc["instrument"], sc["scale"],
                                  f"{a}-{b}")
                           + "NPAR TESTS /M-W=score BY level(1 2).\n")
    return "".join(out)


def _levels(column: str, a: str, b: str) -> str:
    return (f"COMPUTE level = 0.\nIF ({column} = {quote(a)}) level = 1.\n"
            f"IF ({column} = {quote(b)}) level = 2.\n")


def _attrition(ctx, plan) -> str:
    columns = ctx["participant_columns"]
    people = f"data/processed/{ctx['study']}/participants.csv"
    scores = f"results/{ctx['study']}/scores.csv"
    out = [get_data(people, columns) + "SORT CASES BY participant_id.\nDATASET COPY people.\n"]
    for g in plan["groups"]:
        flag = f"attended_{g['last']}"
        if flag not in columns:
            continue
        instruments = ctx["schedule"].get(g["group"], {}).get(plan["timepoint"], [])
        for inst in instruments:
            for scale in ctx["scales_of"](inst):
                out.append(get_data(scores, SCORE_COLUMNS)
                           + select(group=g["group"], timepoint=plan["timepoint"],
                                    instrument=inst, scale=scale)
                           + "SORT CASES BY participant_id.\n"
                           + "MATCH FILES /FILE=* /TABLE=people /RENAME=(site group = s_ g_) "
                             "/BY participant_id.\n"
                           + _levels(flag, "True", "False")
                           + echo("mann_whitney", g["group"], inst, scale, "completer-dropout")
                           + "NPAR TESTS /M-W=score BY level(1 2).\n")
    return "".join(out)


def _categorical(ctx, plan) -> str:
    people = f"data/processed/{ctx['study']}/participants.csv"
    out = [get_data(people, ctx["participant_columns"])]
    for spec in plan:
        levels = " OR ".join(f"{spec['factor']} = {quote(v)}" for v in spec["levels"])
        for variable in spec["variables"]:
            out.append(f"TEMPORARY.\nSELECT IF ({variable} <> '' AND ({levels})).\n"
                       + echo("chi_square", "all", "demographics", variable, spec["factor"])
                       + f"CROSSTABS /TABLES={variable} BY {spec['factor']} "
                         "/STATISTICS=CHISQ PHI.\n")
    return "".join(out)


def _arm_models(ctx, plan) -> str:
    out = []
    for spec in plan:
        a, b = spec["arms"]
        arms, tps = sorted([a, b]), sorted(spec["timepoints"])
        site = spec["site_effect"]
        for sc in spec["scales"]:
            keep = " OR ".join(f"timepoint = {quote(t)}" for t in spec["timepoints"])
            groups = " OR ".join(f"group = {quote(x)}" for x in (a, b))
            tests = []
            first = spec["timepoints"][0]
            for i, tp in enumerate(spec["timepoints"]):
                arm = " ".join("1" if x == a else "-1" for x in arms)
                cells = _cells(arms, tps, {(a, tp): 1, (b, tp): -1})
                tests.append(f"  /TEST={quote(f'{a} minus {b} at {tp}')} group {arm} "
                             f"group*timepoint {cells}")
                if i:
                    cells = _cells(arms, tps, {(a, tp): 1, (a, first): -1, (b, tp): -1,
                                               (b, first): 1})
                    tests.append(f"  /TEST={quote(f'{a} minus {b}, change {first} to {tp}')} "
                                 f"group*timepoint {cells}")
            random = ["  /RANDOM=INTERCEPT | SUBJECT(participant_id) COVTYPE(VC)"]
            if site == "random":
                random.append("  /RANDOM=INTERCEPT | SUBJECT(site) COVTYPE(VC)")
            by = "group timepoint" + (" site" if site == "fixed" else "")
            fixed = "group timepoint group*timepoint" + (" site" if site == "fixed" else "")
            out.append(spss_only(
                f"* {spec['id']}: {sc['instrument']} {sc['scale']}, arm x time, site {site}.\n"
                f"* Level order in SPSS: arms {', '.join(arms)}; timepoints {', '.join(tps)}.\n"
                + get_data(f"results/{ctx['study']}/scores.csv", SCORE_COLUMNS)
                + f"SELECT IF (instrument = {quote(sc['instrument'])} AND scale = "
                  f"{quote(sc['scale'])} AND ({groups}) AND ({keep}) AND NOT SYSMIS(score)).\n"
                + f"MIXED score BY {by}\n  /FIXED={fixed} | SSTYPE(3)\n" + "\n".join(random)
                + f"\n  /METHOD={ctx['mixed']['estimation']}\n  /PRINT=SOLUTION TESTCOV\n"
                + "\n".join(tests) + "."))
    return "".join(out)


def _cells(arms: list[str], tps: list[str], weights: dict) -> str:
    """Coefficients of the arm x timepoint cells in SPSS's order (arm, then timepoint)."""
    return " ".join(str(weights.get((x, t), 0)) for x in arms for t in tps)


def _reliability(ctx, plan) -> str:
    items_path = f"data/processed/{ctx['study']}/items.csv"
    out = []
    for group, schedule in sorted(ctx["schedule"].items()):
        for tp, instruments in sorted(schedule.items()):
            for inst in sorted(instruments):
                scales = plan["instruments"].get(inst, [])
                if not scales:
                    continue
                all_items = sorted({i for s in scales for i in s["items"]})
                out.append(f"* ---- {group} | {inst} | {tp} ----.\n"
                           + get_data(items_path, ITEM_COLUMNS)
                           + select(group=group, instrument=inst, timepoint=tp)
                           + spread("item", all_items, "value", "it"))
                for j, s in enumerate(scales):
                    names = []
                    for item, rev, lo, hi in zip(s["items"], s["reversed"], s["low"], s["high"],
                                                 strict=True):
                        name = var(f"s{j}", item)
                        source = var("it", item)
                        names.append(name)
                        keyed = f"{lo + hi} - {source}" if rev else source
                        out.append(f"COMPUTE {name} = {keyed}.\n")
                    out.append(echo("reliability", group, inst, s["id"], tp)
                               + f"RELIABILITY /VARIABLES={' '.join(names)} "
                                 f"/SCALE({quote(s['id'])}) ALL /MODEL=ALPHA.\n")
    return "".join(out)


SPSS_FAMILIES = {"within": _within, "between": _between, "attrition": _attrition,
                 "categorical": _categorical, "arm_models": _arm_models}


def spss_files(analysis: dict) -> list[str]:
    from peerstudy.syntax import families_in

    return [f"{f.name}.sps" for f in families_in(analysis) if f.name in SPSS_FAMILIES] + [
        "reliability.sps"]


def render_spss(study: str, analysis: dict, registry: dict, design: dict,
                reliability_level: float) -> dict[str, str]:
    """{file name: SPSS syntax} for the study's plan."""
    from peerstudy.instruments import scales_of
    from peerstudy.syntax import PLANS, _header, families_in, reliability_plan
    from peerstudy.syntax import conventions_of as conv_of

    ctx = {"study": study, "schedule": design["schedule"],
           "participant_columns": design.get("participant_columns", []),
           "mixed": conv_of(analysis)["conventions"]["mixed_model"],
           "scales_of": lambda inst: scales_of({"scales": "all"}, inst, registry)}
    out = {}
    for fam in families_in(analysis):
        if fam.name not in SPSS_FAMILIES:
            continue
        plan = PLANS[fam.name](analysis, registry, design)
        out[f"{fam.name}.sps"] = (_header("sps", study, fam.title, fam.name, "tests.csv",
                                          fam.tests) + PRECISION
                                  + SPSS_FAMILIES[fam.name](ctx, plan))
    out["reliability.sps"] = (_header("sps", study, "Cronbach's alpha per scale", "reliability",
                                      "reliability.csv", ()) + PRECISION
                              + _reliability(ctx, reliability_plan(registry, reliability_level)))
    return out
