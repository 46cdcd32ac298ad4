"""The floor: one Python process that imports the stack, computes the same
analyses and renders the same outputs as the workflow, with no Snakemake.

    uv run python benchmarks/floor.py

The workflow's cold run is compared with this.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import json

    import pandas as pd
    from _common import ROOT

    from peerstudy import analysis, figures, qualitative
    from peerstudy.agreement import intercoder_agreement
    from peerstudy.calibration import calibration_table, calibration_tests
    from peerstudy.config import load_config, load_study_registry, participant_variables
    from peerstudy.conventions import all_conventions, conventions
    from peerstudy.ingest import ingest
    from peerstudy.instruments import form_ranges
    from peerstudy.integration import joint_display
    from peerstudy.io import write_csv
    from peerstudy.reliability import reliability_table
    from peerstudy.report.build import stage_project, write_report_inputs
    from peerstudy.report.render import render
    from peerstudy.report.values import Context
    from peerstudy.scoring import score_items
    from peerstudy.themes import exemplar_quotations, exemplar_texts, load_themes, theme_table

    imported = time.perf_counter() - START
    config = load_config(ROOT / "config/config.yaml", base=ROOT)
    registry = load_study_registry(config, ROOT)
    out = Path(tempfile.mkdtemp())
    res = ingest(config, form_ranges(registry), ROOT)
    write_csv(out / "items.csv", res.items)
    scores, _ = score_items(res.items, registry)
    write_csv(out / "scores.csv", scores)
    rel = reliability_table(res.items, registry)
    tests = analysis.run_tests(scores, res.participants, config, registry)
    desc = analysis.descriptives(scores)
    rci = analysis.reliable_change(scores, rel, config["analysis"], registry)
    demo = analysis.demographics(res.participants, list(participant_variables(config)),
                                 [g["id"] for g in config["groups"]])
    qual = config["qualitative"]
    links = qualitative.read_exports(qual, ROOT)
    groups, codes, _ = qualitative.code_tables(links, qual["sources"])
    segments = qualitative.read_segments(qual)
    themes = load_themes(ROOT / qual["themes"])
    theme_rows = theme_table(themes, segments, qual["sources"], qual["themes"])
    quotes = exemplar_quotations(themes, segments, qual["themes"])
    coders = [qualitative.read_export(c, qual["documents"]) for c in qual["agreement"]["coders"]]
    agreement, _ = intercoder_agreement(*coders, qual["agreement"],
                                        qual["agreement"].get("documents"))
    plan = conventions(config["analysis"])
    better = {(inst.id, sid): scale.higher_is_better
              for inst in registry.values() for sid, scale in inst.scales.items()}
    wanted = [d["exemplar"] for d in qual["joint_display"]["domains"] if d.get("exemplar")]
    joint, undeclared = joint_display(tests, codes, qual["joint_display"], alpha=plan["alpha"],
                                      multiplicity=plan["multiplicity"]["method"],
                                      higher_is_better=better,
                                      exemplars=exemplar_texts(segments, wanted))
    for name, frame in [("tests", tests), ("descriptives", desc), ("rci", rci)]:
        write_csv(out / f"{name}.csv", frame)
    report = out / "reports"
    (report / "figures").mkdir(parents=True)
    spec = config["figures"]
    figs = {
        "flow": figures.flow(res.participants, config["groups"], config["timepoints"], True),
        "trajectories": figures.trajectories(scores, res.participants, registry, "psw",
                                             spec["trajectories"]["instruments"],
                                             spec["trajectories"]["timepoints"], True),
        "code_groups": figures.code_groups(groups, True),
        "copm": figures.copm(scores, registry, config["registry"]["parameters"]["copm"]["problems"],
                             spec["copm"]["timepoints"], True),
        "pre_post": figures.pre_post(
            scores, registry,
            [(p["group"], p["group"], p["instrument"], p["scale"])
             for p in spec["pre_post"]["panels"]],
            spec["pre_post"]["timepoints"], True),
    }
    for name, fig in figs.items():
        figures.save(fig, report / f"figures/{name}.png", report / f"figures/{name}.svg")
    results = {"tests": tests, "descriptives": desc, "demographics": demo, "reliability": rel,
               "rci_summary": analysis.rci_summary(rci), "participants": res.participants,
               "instrument_forms": res.forms, "code_groups": groups, "codes": codes,
               "qual_totals": qualitative.totals(links), "joint_display": joint,
               "joint_undeclared": undeclared, "themes": theme_rows, "quotations": quotes,
               "agreement": agreement,
               "calibration": calibration_table(scores, registry, config["published"]),
               "calibration_tests": calibration_tests(tests, config["published"], 0.05)}
    # a round trip through CSV, as the workflow's rules read them
    results = {k: pd.read_csv(_csv(v, out / f"{k}.csv"), dtype={"participant_id": str})
               for k, v in results.items()}
    conv = json.loads(json.dumps(all_conventions(
        config["analysis"], config["reliability"], config["validation"],
        config["missing_codes"], qualitative=qual), default=str))
    prov = {"versions": {}, "config_sha256": "0" * 64, "data_sha256": "0" * 64,
            "command": "uv run snakemake"}
    design = {k: config[k] for k in ("study", "sites", "groups", "timepoints", "schedule",
                                     "analysis", "reporting", "qualitative")}
    design["variables"] = participant_variables(config)
    ctx = Context(study="catalonia", results=results, conventions=conv, design=design,
                  registry=registry, provenance=prov)
    write_report_inputs(ctx, report)
    stage_project(ROOT / config["reporting"]["manuscript"], report)
    render(report, ["manuscript"], ["html", "docx", "pdf"], "pandoc")
    assert pd.read_csv(out / "tests.csv").shape[0] > 100
    total = time.perf_counter() - START
    print(f"imports          {imported:6.2f} s")
    print(f"floor (total)    {total:6.2f} s   one process: ingest -> manuscript, default study")


def _csv(frame, path):
    from peerstudy.io import write_csv

    write_csv(path, frame)
    return path


if __name__ == "__main__":
    main()
