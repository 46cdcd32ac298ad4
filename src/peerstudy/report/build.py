"""A run's results -> what a study's manuscript reads: values, tables, bibliography.

``write_report_inputs`` writes, into ``reports/<id>/``:
- ``_variables.yml`` (every value key, read by ``{{< var >}}``), ``values.md``
  (the documented list of keys) and ``provenance.csv`` (each key's results
  file, row and columns), from ``peerstudy.report.values``;
- ``tables/<name>.md``, one APA table per name in ``table_names``, from
  ``peerstudy.report.tables``;
- ``supplement-tables.md``: every row of the results, for the supplement.
The manuscript rule then copies the authors' Quarto project next to them
(``peerstudy.report.render.stage_project``) and renders it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from peerstudy.config import coding_unit
from peerstudy.io import write_csv, write_text
from peerstudy.report import supplement, tables, values
from peerstudy.report.values import Context


def table_builders(ctx: Context) -> dict:
    """{table name: function returning the table's Markdown} for this study's results."""
    r, design = ctx.results, ctx.design
    labels = tables.Labels(design, ctx.registry)
    label = ctx.p_label()
    suppress = design.get("reporting", {}).get("suppress_below")
    conv = ctx.conventions.get("conventions", {})
    plan = design["analysis"]
    builders = {} if "tests" not in r else {
        "demographics": lambda: tables.demographics(r["demographics"], labels, suppress),
        "measures": lambda: tables.measures(ctx.registry, design, r["reliability"], labels),
        "omnibus": lambda: tables.omnibus(r["tests"], labels, conv["sphericity"], ctx.alpha,
                                          label),
        "mixed": lambda: tables.mixed(r["tests"], labels, label),
        "rci": lambda: tables.rci(r["rci_summary"], labels, suppress),
        "attrition": lambda: tables.independent(
            r["tests"], r["tests"]["factor"] == "completion", labels, ("Completers", "Drop-outs"),
            label, totals_only=True),
        "categorical": lambda: tables.categorical(r["tests"], labels, label),
    }
    for spec in plan.get("within", []):
        builders[f"within_{spec['id']}"] = (lambda s=spec: tables.within(
            r["tests"], s, labels, label))
        builders[f"descriptives_{spec['id']}"] = (lambda s=spec: tables.descriptives(
            r["descriptives"], s, labels))
    for spec in plan.get("arm_models", []):
        builders[f"arms_{spec['id']}"] = (lambda s=spec: tables.arms(r["tests"], s, labels, label))
    for spec in plan.get("between", []):
        names = [labels.group.get(v) or labels.site.get(v, v) for v in spec["levels"]]
        builders[f"between_{spec['id']}"] = (lambda s=spec, n=names: tables.independent(
            r["tests"], r["tests"]["comparison"] == s["id"], labels, n, label))
    builders |= trial_builders(ctx, labels)
    rest = uncovered_instruments(design)
    if rest:
        builders["by_site"] = lambda: tables.by_site(r["descriptives"], rest, labels)
    if "cfir" in r:
        qual_spec = design.get("qualitative", {})
        builders["cfir"] = lambda: tables.cfir(r["cfir"], qual_spec.get("sources"),
                                               list(qual_spec.get("cfir", {})))
    if "code_groups" in r:
        builders["code_groups"] = lambda: tables.code_groups(
            r["code_groups"], r["codes"], unit=coding_unit(design))
    qual = design.get("qualitative", {})
    if "themes" in r:
        builders["themes"] = lambda: tables.themes(r["themes"], qual.get("sources", []),
                                                   coding_unit(design))
        builders["quotations"] = lambda: tables.quotations(r["quotations"], r["themes"])
    if "agreement" in r:
        builders["agreement"] = lambda: tables.agreement(r["agreement"])
    if "joint_display" in r:
        builders["joint_display"] = lambda: tables.joint_display(r["joint_display"], labels)
    if "calibration_tests" in r:
        builders["calibration"] = lambda: tables.calibration(r["calibration_tests"], labels)
    return builders


def trial_builders(ctx: Context, labels) -> dict:
    """The tables of a randomised trial (analysis.trial) and of its reporting checklist."""
    r, design = ctx.results, ctx.design
    spec = design["analysis"].get("trial")
    out = {}
    if spec and "tests" in r:
        secondary = spec["families"]["secondary"]
        from peerstudy.report.values import family_label

        out |= {
            "trial_baseline": lambda: tables.trial_baseline(r["participants"], r["descriptives"],
                                                            spec, labels),
            "trial_primary": lambda: tables.trial_outcomes(
                r["tests"], r["descriptives"], spec, labels, "primary",
                family_label(ctx, spec["families"]["primary"])),
            "trial_secondary": lambda: tables.trial_outcomes(
                r["tests"], r["descriptives"], spec, labels, "secondary",
                family_label(ctx, secondary)),
            "trial_sensitivity": lambda: tables.trial_sensitivity(r["tests"], spec, labels),
            "trial_forms": lambda: tables.trial_forms(r["instrument_forms"],
                                                      design.get("raw_files", []), labels,
                                                      ctx.registry),
            "trial_variance": lambda: tables.trial_variance(r["tests"], spec, labels),
            "trial_deviations": lambda: tables.trial_deviations(design),
        }
        if spec.get("by_site"):
            out["trial_by_site"] = lambda: tables.trial_by_site(r["tests"], spec, labels)
        if spec.get("fidelity"):
            out["trial_fidelity"] = lambda: tables.trial_fidelity(
                r["descriptives"], r["participants"], spec, ctx.registry, labels)
    if "checklist" in r:
        out["checklist"] = lambda: tables.checklist(r["checklist"])
    return out


def uncovered_instruments(design: dict) -> list[str]:
    """Instruments of the schedule that no comparison over time analyses."""
    from peerstudy.report import uncovered_instruments as names

    return names(design)


def write_report_inputs(ctx: Context, out: Path) -> list[str]:
    """Write values, tables and the supplement's tables; returns the table names."""
    out = Path(out)
    found = values.build_values(ctx)
    write_text(out / "_variables.yml", yaml.safe_dump(values.nested(found), allow_unicode=True,
                                                      sort_keys=True, width=10_000))
    write_text(out / "values.md", values.values_markdown(found, ctx.study))
    write_csv(out / "provenance.csv", values.provenance_table(found))
    names = []
    for name, build in table_builders(ctx).items():
        write_text(out / "tables" / f"{name}.md", build())
        names.append(name)
    write_text(out / "supplement-tables.md", supplement.body(ctx))
    write_text(out / "registry-references.yaml", registry_references(ctx))
    return names


def registry_references(ctx: Context) -> str:
    """The sources of every instrument the study schedules, as a CSL-YAML bibliography:
    the registry is the one place an instrument's references are written."""
    used = sorted({i for plan in ctx.design.get("schedule", {}).values()
                   for tp in plan.values() for i in tp})
    refs = {}
    for inst in used:
        for entry in ctx.registry[inst].sources:
            refs[entry["id"]] = entry
    return yaml.safe_dump({"references": [refs[k] for k in sorted(refs)]},
                          allow_unicode=True, sort_keys=True, width=10_000)


def read_results(paths: dict[str, str]) -> dict[str, pd.DataFrame]:
    out = {}
    for key, path in paths.items():
        if str(path).endswith(".csv"):
            out[key] = pd.read_csv(path, dtype={"participant_id": str, "level": str,
                                                "peer_worker": str}, keep_default_na=True)
        elif key == "checklist":  # a reporting checklist's mapping (YAML)
            out[key] = tables.read_checklist(path)
    return out
