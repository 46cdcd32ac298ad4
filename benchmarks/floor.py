"""The floor: one Python process that imports the stack, computes the same
analyses and renders the same outputs as the workflow, with no Snakemake.

    uv run python benchmarks/floor.py

The workflow's cold run is compared with this (target: within 3x).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import pandas as pd
    import yaml
    from _common import ROOT

    from peerstudy import analysis, figures, qualitative
    from peerstudy.calibration import calibration_tests
    from peerstudy.config import load_config, load_study_registry, participant_variables
    from peerstudy.ingest import ingest
    from peerstudy.instruments import form_ranges
    from peerstudy.io import write_csv, write_text
    from peerstudy.reliability import reliability_table
    from peerstudy.report import table_names
    from peerstudy.report.render import render
    from peerstudy.report.variables import Builder
    from peerstudy.scoring import score_items

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
    links = qualitative.read_exports(config["qualitative"], ROOT)
    groups, codes, _ = qualitative.code_tables(links, config["qualitative"]["sources"])
    joint = qualitative.joint_display(tests, codes, config["qualitative"]["joint_display"])
    for name, frame in [("tests", tests), ("descriptives", desc), ("rci", rci)]:
        write_csv(out / f"{name}.csv", frame)
    (out / "figures").mkdir()
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
        figures.save(fig, out / f"figures/{name}.png", out / f"figures/{name}.svg")
    results = {"tests": tests, "descriptives": desc, "demographics": demo, "reliability": rel,
               "rci_summary": analysis.rci_summary(rci), "code_groups": groups, "codes": codes,
               "qual_totals": qualitative.totals(links), "joint_display": joint,
               "calibration_tests": calibration_tests(tests, config["published"], 0.05)}
    conv = analysis.conventions(config["analysis"])
    prov = {"versions": {}, "config_sha256": "0" * 16, "data_sha256": "0" * 16, "command": "-"}
    variables, tables = Builder(results, conv, config, registry, prov).build()
    write_text(out / "_variables.yml", yaml.safe_dump(variables, allow_unicode=True))
    (out / "tables").mkdir()
    for name in table_names(config["analysis"]):
        write_text(out / f"tables/{name}.md", tables.get(name, "n/a\n"))
    render(ROOT / "reports/manuscript.qmd", out, ["html", "docx", "pdf"], "pandoc")
    assert pd.read_csv(out / "tests.csv").shape[0] > 100
    total = time.perf_counter() - START
    print(f"imports          {imported:6.2f} s")
    print(f"floor (total)    {total:6.2f} s   one process: ingest -> manuscript, default study")


if __name__ == "__main__":
    main()
