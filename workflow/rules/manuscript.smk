# Stage 6: results -> _variables.yml and tables -> the rendered manuscript.
# Every results file the text quotes is an input here, so nothing goes stale.

REPORT = f"reports/{STUDY}"


def table_names():
    from peerstudy.report import table_names as names

    return names(config["analysis"])


def figure_captions():
    """One caption per figure, shared with `snakemake --report` (workflow/report/)."""
    from pathlib import Path

    folder = Path(workflow.basedir) / "report"
    return {p.stem.removeprefix("fig_"): p.read_text(encoding="utf-8").strip()
            for p in sorted(folder.glob("fig_*.rst"))}


def manuscript_inputs():
    files = {
        "tests": f"{RESULTS}/tests.csv",
        "descriptives": f"{RESULTS}/descriptives.csv",
        "demographics": f"{RESULTS}/demographics.csv",
        "reliability": f"{RESULTS}/reliability.csv",
        "rci_summary": f"{RESULTS}/rci_summary.csv",
        "conventions": f"{RESULTS}/conventions.json",
    }
    if config.get("qualitative"):
        files["code_groups"] = f"{RESULTS}/qualitative/code_groups.csv"
        files["codes"] = f"{RESULTS}/qualitative/codes.csv"
        files["qual_totals"] = f"{RESULTS}/qualitative/totals.csv"
        if config["qualitative"].get("joint_display"):
            files["joint_display"] = f"{RESULTS}/joint_display.csv"
    if config["study"]["synthetic"]:
        files["calibration_tests"] = f"{RESULTS}/validation/calibration_tests.csv"
    return files


rule manuscript_variables:
    input:
        **manuscript_inputs(),
        registry=registry_yaml(),
        raw=raw_inputs() + qualitative_exports(),
        lock="uv.lock",
        code=code("report/__init__", "report/format", "report/variables", "instruments"),
    output:
        variables=f"{REPORT}/_variables.yml",
        tables=[f"{REPORT}/tables/{name}.md" for name in table_names()],
        provenance=f"{REPORT}/provenance.csv",
    params:
        design={k: config[k] for k in ("study", "groups", "timepoints", "schedule", "analysis",
                                       "reporting")} | {"figure_captions": figure_captions()},
        parameters=config["registry"]["parameters"],
        results=list(manuscript_inputs()),
        configfiles=CONFIGFILES,  # relative: the same run elsewhere gives the same bytes
    log:
        f"{LOGS}/manuscript_variables.log",
    benchmark:
        f"{BENCH}/manuscript_variables.tsv"
    script:
        "../../scripts/manuscript_variables.py"


rule manuscript:
    input:
        source="reports/manuscript.qmd",
        project="reports/_quarto.yml",
        css="reports/style.css",
        variables=f"{REPORT}/_variables.yml",
        tables=[f"{REPORT}/tables/{name}.md" for name in table_names()],
        figures=[f for f in final_figures()],
        code=code("report/__init__", "report/render"),
    output:
        [f"{REPORT}/manuscript.{fmt}" for fmt in config["reporting"]["formats"]],
    params:
        formats=config["reporting"]["formats"],
        engine=config["reporting"]["engine"],
    log:
        f"{LOGS}/manuscript.log",
    benchmark:
        f"{BENCH}/manuscript.tsv"
    script:
        "../../scripts/manuscript.py"
