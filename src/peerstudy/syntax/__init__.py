"""R and SPSS syntax that reproduces tests.csv and reliability.csv in the reviewer's own tool.

The workflow writes one readable script per analysis family of the study's
plan (``results/<id>/syntax/<family>.R`` and ``.sps``). Each script is a
template from this folder with the plan written into it as data, so any
study's ``analysis:`` gets its scripts, and a new kind of analysis is one new
entry in :data:`FAMILIES` plus one template (``R/<family>.R``, optionally
``sps/<family>.sps``). The R scripts run from the repository root with
``Rscript results/<id>/syntax/<family>.R [out.csv]``; ``all.R`` runs every
family and adds ``p_adjusted`` over the whole plan, as tests.csv has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peerstudy.conventions import conventions as conventions_of

TEMPLATES = Path(__file__).parent
MARK = "@@"
# The R templates, as paths relative to the repository root (the rule's inputs)
SYNTAX_TEMPLATES = sorted(f"src/peerstudy/syntax/R/{p.name}" for p in (TEMPLATES / "R").glob("*.R"))


@dataclass(frozen=True)
class Family:
    """One analysis family: the config key it reads, its plan builder, what it reproduces."""
    name: str
    key: str              # analysis.<key> in the config
    title: str
    tests: tuple[str, ...]


FAMILIES = (
    Family("within", "within", "within-person comparisons over time",
           ("rm_anova", "rm_anova_gg", "rm_anova_hf", "friedman", "wilcoxon", "paired_t",
            "mixed_model")),
    Family("between", "between", "comparisons between independent groups at one timepoint",
           ("mann_whitney",)),
    Family("attrition", "attrition", "completers against drop-outs at baseline",
           ("mann_whitney",)),
    Family("categorical", "categorical", "categorical baseline characteristics",
           ("chi_square", "fisher_exact")),
    Family("arm_models", "arm_models", "arm x time linear mixed models",
           ("mixed_model", "mixed_model_change")),
    Family("trial", "trial", "a randomised trial: baseline-adjusted arm x time mixed models, "
           "complete-case and multiple-imputation sensitivity analyses, fidelity",
           ("mixed_model", "mixed_model_interaction", "mixed_model_complete_cases",
            "mixed_model_mi")),
)


# ----------------------------------------------------------------- R literals
def r_literal(value, indent: int = 0) -> str:
    """A Python value as R source: dict -> list(name = ...), list -> c(...) or list(...)."""
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "list()"
        inner = [f"{pad}{_r_name(k)} = {r_literal(v, indent + 2)}" for k, v in value.items()]
        return "list(\n" + ",\n".join(inner) + "\n" + " " * indent + ")"
    if isinstance(value, (list, tuple)):
        if value and (all(isinstance(v, str) for v in value)
                      or all(isinstance(v, bool) for v in value)
                      or all(isinstance(v, (int, float)) and not isinstance(v, bool)
                             for v in value)):
            return "c(" + ", ".join(r_literal(v) for v in value) + ")"
        if not value:
            return "character(0)"
        inner = [pad + r_literal(v, indent + 2) for v in value]
        return "list(\n" + ",\n".join(inner) + "\n" + " " * indent + ")"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _r_name(name: str) -> str:
    return name if name.replace("_", "").isalnum() and not name[0].isdigit() else f"`{name}`"


# ------------------------------------------------------------ plan builders
def _scales(spec: dict, registry: dict) -> list[dict]:
    from peerstudy.instruments import scales_of

    return [{"instrument": inst, "scale": scale} for inst in spec["instruments"]
            for scale in scales_of(spec, inst, registry)]


def _plan_within(analysis, registry, design) -> list[dict]:
    return [{"id": s["id"], "group": s["group"], "family": s["family"],
             "timepoints": list(s["timepoints"]), "pairs": [list(p) for p in s["pairs"]],
             "omnibus": list(s.get("omnibus", [])), "tests": list(s["tests"]),
             "mixed_model": bool(s.get("mixed_model", False)), "scales": _scales(s, registry)}
            for s in analysis.get("within", [])]


def _plan_between(analysis, registry, design) -> list[dict]:
    return [{"id": s["id"], "factor": s["factor"], "factor_label": s.get("factor_label",
                                                                          s["factor"]),
             "levels": list(s["levels"]), "strata": list(s.get("within_groups", ["all"])),
             "timepoint": s["timepoint"], "family": s["family"], "scales": _scales(s, registry)}
            for s in analysis.get("between", [])]


def _plan_attrition(analysis, registry, design) -> dict:
    from peerstudy.config import scheduled_timepoints

    spec = analysis["attrition"]
    return {"timepoint": spec["timepoint"], "family": spec["family"],
            "groups": [{"group": g["id"], "last": scheduled_timepoints(design, g["id"])[-1]}
                       for g in design["groups"]]}


def _plan_categorical(analysis, registry, design) -> list[dict]:
    levels = [g["id"] for g in design["groups"]]
    return [{"id": s["id"], "factor": s["factor"], "variables": list(s["variables"]),
             "family": s["family"], "levels": levels if s["factor"] == "group" else
             [x["id"] for x in design.get("sites", [])]}
            for s in analysis.get("categorical", [])]


def _plan_arm_models(analysis, registry, design) -> list[dict]:
    return [{"id": s["id"], "arms": list(s["arms"]), "timepoints": list(s["timepoints"]),
             "site_effect": s.get("site_effect", "fixed"), "family": s["family"],
             "scales": _scales(s, registry)}
            for s in analysis.get("arm_models", [])]


def _plan_trial(analysis, registry, design) -> dict:
    from peerstudy.conventions import conventions
    from peerstudy.trial import by_site_outcomes, mi_outcomes

    s = analysis["trial"]
    conv = conventions(analysis)["conventions"]
    fid = s.get("fidelity")
    return {"id": s["id"], "arms": list(s["arms"]), "baseline": s["baseline"],
            "follow_up": list(s["follow_up"]), "primary_endpoint": s["primary_endpoint"],
            "outcomes": [dict(o) for o in s["outcomes"]], "families": dict(s["families"]),
            "site_effect": s.get("site_effect", "auto"),
            "random_site_min_sites": conv["trial"]["random_site_min_sites"],
            "complete_cases": bool(s.get("sensitivity", {}).get("complete_cases", True)),
            "mi_outcomes": [{"instrument": o["instrument"], "scale": o["scale"]}
                            for o in mi_outcomes(s)],
            "fidelity": dict(fid) if fid else None,
            "by_site": [{"instrument": o["instrument"], "scale": o["scale"]}
                        for o in by_site_outcomes(s)],
            "by_site_family": (s.get("by_site") or {}).get("family",
                                                           s["families"]["supportive"])}


PLANS = {"within": _plan_within, "between": _plan_between, "attrition": _plan_attrition,
         "categorical": _plan_categorical, "arm_models": _plan_arm_models,
         "trial": _plan_trial}


def reliability_plan(registry: dict, level: float) -> dict:
    """Every multi-item scale with its items, keying and response ranges (for reliability.R)."""
    out = {}
    for inst_id, inst in sorted(registry.items()):
        scales = []
        for scale in inst.scales.values():
            if len(scale.items) < 2:
                continue
            scales.append({"id": scale.id, "items": list(scale.items),
                           "reversed": [inst.reversed_in(scale, i) for i in scale.items],
                           "low": [inst.items[i].min for i in scale.items],
                           "high": [inst.items[i].max for i in scale.items]})
        if scales:
            out[inst_id] = scales
    return {"ci_level": level, "instruments": out}


# ---------------------------------------------------------------- rendering
def families_in(analysis: dict) -> list[Family]:
    """The families the plan uses, in a fixed order."""
    return [f for f in FAMILIES if analysis.get(f.key)]


def _conventions_literal(analysis: dict) -> dict:
    conv = conventions_of(analysis)
    c = conv["conventions"]
    return {"wilcoxon": c["wilcoxon"], "mann_whitney": c["mann_whitney"],
            "chi_square": c["chi_square"], "fisher_for_2x2": c["fisher_for_2x2"],
            "effect_sizes": list(c["effect_sizes"]), "ci_level": c["ci_level"],
            "mixed_model": c["mixed_model"], "multiplicity": conv["multiplicity"]["method"],
            "multiplicity_by_family": conv["multiplicity"]["by_family"]}


def _fill(template: str, values: dict) -> str:
    for key, value in values.items():
        template = template.replace(f"{MARK}{key}{MARK}", value)
    if MARK in template:
        start = template.index(MARK)
        raise KeyError(f"unfilled placeholder in syntax template: {template[start:start + 40]}")
    return template


def render_r(study: str, analysis: dict, registry: dict, design: dict,
             reliability_level: float) -> dict[str, str]:
    """{file name: R source} for the study: one script per family, all.R and reliability.R."""
    common = (TEMPLATES / "R" / "_common.R").read_text(encoding="utf-8")
    values = {"STUDY": study, "CONVENTIONS": r_literal(_conventions_literal(analysis))}
    out = {}
    used = families_in(analysis)
    for fam in used:
        plan = PLANS[fam.name](analysis, registry, design)
        body = (TEMPLATES / "R" / f"{fam.name}.R").read_text(encoding="utf-8")
        header = _header("R", study, fam.title, fam.name, "tests.csv", fam.tests,
                         mice=fam.name == "trial")
        out[f"{fam.name}.R"] = _fill(header + common + body,
                                     {**values, "PLAN": r_literal(plan), "FAMILY": fam.name})
    runner = (TEMPLATES / "R" / "all.R").read_text(encoding="utf-8")
    out["all.R"] = _fill(_header("R", study, "every family of the analysis plan", "all",
                                 "tests.csv", (), mice=any(f.name == "trial" for f in used))
                         + common + runner,
                         {**values, "FAMILIES": r_literal([f.name for f in used]),
                          "FAMILY": "all", "PLAN": "NULL"})
    rel = (TEMPLATES / "R" / "reliability.R").read_text(encoding="utf-8")
    out["reliability.R"] = _fill(
        _header("R", study, "internal consistency (alpha, Feldt CI, omega total)",
                "reliability", "reliability.csv", ()) + common + rel,
        {**values, "PLAN": r_literal(reliability_plan(registry, reliability_level)),
         "FAMILY": "reliability"})
    return out


def _header(lang: str, study: str, title: str, name: str, target: str, tests,
            mice: bool = False) -> str:
    ext = "R" if lang == "R" else "sps"
    what = f" (tests: {', '.join(tests)})" if tests else ""
    if lang == "R":
        return (f"# peerstudy -- R syntax for study '{study}': {title}.\n"
                f"# Reproduces the rows of results/{study}/{target}{what}.\n"
                f"# Generated by the workflow from the config's analysis plan; edit the config,\n"
                f"# not this file. Run from the repository root:\n"
                f"#   Rscript results/{study}/syntax/{name}.{ext} [output.csv]\n"
                "# Needs R with afex, effectsize, lme4, lmerTest and psych (Debian: r-cran-afex\n"
                "# r-cran-effectsize r-cran-lme4 r-cran-lmertest r-cran-psych)"
                + (", and mice (r-cran-mice) for the trial's pooling" if mice else "")
                + ".\n\n")
    return (f"* peerstudy -- SPSS syntax for study '{study}': {title}.\n"
            f"* Reproduces the rows of results/{study}/{target}{what}.\n"
            "* Generated by the workflow from the config's analysis plan. Run it with the\n"
            "* working directory at the repository root (CD 'path/to/repository').\n"
            "* Blocks between 'SPSS only: begin' and 'SPSS only: end' need IBM SPSS\n"
            "* (GNU PSPP 1.6 has no GLM repeated measures and no MIXED).\n\n")


def write_syntax(out_dir: str | Path, study: str, analysis: dict, registry: dict,
                 design: dict, reliability_level: float) -> list[Path]:
    """Write every R and SPSS script of the study into ``out_dir``; returns the paths."""
    from peerstudy.io import write_text

    out_dir = Path(out_dir)
    files = {**render_r(study, analysis, registry, design, reliability_level)}
    from peerstudy.syntax.spss import render_spss

    files.update(render_spss(study, analysis, registry, design, reliability_level))
    paths = []
    for name, text in sorted(files.items()):
        path = out_dir / name
        write_text(path, text)
        paths.append(path)
    return paths


def syntax_files(analysis: dict) -> list[str]:
    """The file names :func:`write_syntax` writes for this plan (the rule's outputs)."""
    from peerstudy.syntax.spss import spss_files

    names = [f"{f.name}.R" for f in families_in(analysis)] + ["all.R", "reliability.R"]
    return sorted(names + spss_files(analysis))
