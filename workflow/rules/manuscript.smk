# Stage 6: results -> values and tables -> the study's own manuscript, and the supplement.
# Every results file the manuscript may quote is an input of report_inputs, so nothing
# goes stale; the authors' Quarto project (reporting.manuscript) is an input of manuscript.

REPORT = f"reports/{STUDY}"


def manuscript_project():
    """The study's Quarto project: the folder reporting.manuscript names."""
    return config["reporting"]["manuscript"]


def manuscript_sources():
    """Every file of the authors' Quarto project: editing one re-renders the paper."""
    from pathlib import Path

    root = Path(manuscript_project())
    if not (root / "manuscript.qmd").is_file():
        raise WorkflowError(
            f"peerstudy: {', '.join(CONFIGFILES)}: the study's manuscript project "
            f"'{root}' has no manuscript.qmd — write one (`uv run peerstudy new-study "
            f"{STUDY}` scaffolds it) or point reporting.manuscript at the study's Quarto "
            "project folder.")
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


def table_names():
    from peerstudy.report import table_names as names

    return names(config)


def report_results():
    """The results files the values and tables are computed from (a qualitative-only
    study has no questionnaire results)."""
    files = {}
    if QUESTIONNAIRES:
        files |= {
            "tests": f"{RESULTS}/tests.csv",
            "descriptives": f"{RESULTS}/descriptives.csv",
            "demographics": f"{RESULTS}/demographics.csv",
            "reliability": f"{RESULTS}/reliability.csv",
            "rci_summary": f"{RESULTS}/rci_summary.csv",
            "participants": f"{PROCESSED}/participants.csv",
            "instrument_forms": f"{RESULTS}/instrument_forms.csv",
        }
    if config.get("qualitative"):
        files["code_groups"] = f"{RESULTS}/qualitative/code_groups.csv"
        files["codes"] = f"{RESULTS}/qualitative/codes.csv"
        files["qual_totals"] = f"{RESULTS}/qualitative/totals.csv"
        if config["qualitative"].get("cfir"):
            files["cfir"] = f"{RESULTS}/qualitative/cfir_matrix.csv"
        if config["qualitative"].get("joint_display"):
            files["joint_display"] = f"{RESULTS}/joint_display.csv"
            files["joint_undeclared"] = f"{RESULTS}/qualitative/joint_display_undeclared.csv"
        if config["qualitative"].get("themes"):
            files["themes"] = f"{RESULTS}/qualitative/themes.csv"
            files["quotations"] = f"{RESULTS}/qualitative/quotations.csv"
        if config["qualitative"].get("agreement"):
            files["agreement"] = f"{RESULTS}/qualitative/agreement.csv"
    files |= trial_report_results()
    if config["study"]["synthetic"] and QUESTIONNAIRES:
        files["calibration"] = f"{RESULTS}/validation/calibration.csv"
        files["calibration_tests"] = f"{RESULTS}/validation/calibration_tests.csv"
    return files


def config_overrides():
    """The --config overrides of this invocation, read from the command line."""
    import sys

    overrides, taking = [], False
    for arg in sys.argv[1:]:
        if arg in ("--config", "-C"):
            taking = True
        elif arg.startswith("-"):
            taking = False
        elif taking:
            overrides.append(arg)
    return overrides


def run_command():
    """The command that regenerates these outputs: the config file(s) and any --config
    overrides (the number of cores changes nothing in the outputs, so it is left out)."""
    import shlex

    parts = ["uv run snakemake"]
    parts += [f"--configfile {c}" for c in CONFIGFILES if c != DEFAULT_CONFIG]
    if config_overrides():
        parts.append("--config " + " ".join(shlex.quote(o) for o in config_overrides()))
    return " ".join(parts)


def raw_exports():
    """Every raw export the run reads, once each: roster, questionnaires, coding exports
    (both coders' for agreement). The run record hashes each of them."""
    return list(dict.fromkeys(raw_inputs() + qualitative_exports() + agreement_exports()
                              + trial_raw_inputs()))


def themes_file():
    """The study's themes file, when it declares one (a study file the record hashes)."""
    themes = config.get("qualitative", {}).get("themes")
    return [themes] if themes else []


def report_design():
    """What the values and tables need from the config."""
    keys = ("study", "sites", "groups", "timepoints", "schedule", "analysis", "reporting",
            "qualitative", "trial", "power")
    design = {k: config[k] for k in keys if k in config}
    design["variables"] = config.get("participants_file", {}).get("variables", {})
    if config.get("analysis", {}).get("trial"):  # the trial's table of exports and forms
        design["raw_files"] = [{k: f[k] for k in ("id", "format", "sep", "timepoint")
                                if k in f} for f in config["raw_files"]]
    return design


rule report_inputs:
    input:
        **report_results(),
        conventions=f"{RESULTS}/conventions.json",
        registry=registry_yaml(),
        raw=raw_exports(),
        themes_yaml=themes_file(),
        lock="uv.lock",
        code=code("report/__init__", "report/build", "report/format", "report/tables",
                  "report/values", "report/supplement", "instruments", "record", "power"),
    output:
        variables=f"{REPORT}/_variables.yml",
        values=f"{REPORT}/values.md",
        provenance=f"{REPORT}/provenance.csv",
        tables=[f"{REPORT}/tables/{name}.md" for name in table_names()],
        supplement=f"{REPORT}/supplement-tables.md",
        bibliography=f"{REPORT}/registry-references.yaml",
        record=f"{REPORT}/run.json",
    params:
        design=report_design(),
        parameters=config["registry"]["parameters"],
        results=list(report_results()),
        configfiles=CONFIGFILES,  # relative: the same run elsewhere gives the same bytes
        overrides=config_overrides(),
        command=run_command(),
    log:
        f"{LOGS}/report_inputs.log",
    benchmark:
        f"{BENCH}/report_inputs.tsv"
    script:
        "../../scripts/report_inputs.py"


RENDER_CODE = code("report/__init__", "report/build", "report/render", "report/docx",
                   "report/supplement") + [
    f"src/peerstudy/report/quarto/{name}" for name in
    ("qmd-reader.lua", "shortcodes.lua", "crossref.lua", "callouts.lua", "apa.lua", "apa.typ",
     "apa-template.typst", "apa.css")]


rule manuscript:
    input:
        sources=manuscript_sources(),
        variables=f"{REPORT}/_variables.yml",
        tables=[f"{REPORT}/tables/{name}.md" for name in table_names()],
        bibliography=f"{REPORT}/registry-references.yaml",
        figures=final_figures() + trial_manuscript_figures(),
        code=RENDER_CODE,
    output:
        [f"{REPORT}/manuscript.{fmt}" for fmt in config["reporting"]["formats"]],
    params:
        project=manuscript_project(),
        build=REPORT,
        document="manuscript",
        title=config["study"]["title"],
        formats=config["reporting"]["formats"],
        engine=config["reporting"]["engine"],
    log:
        f"{LOGS}/manuscript.log",
    benchmark:
        f"{BENCH}/manuscript.tsv"
    script:
        "../../scripts/manuscript.py"


rule supplement:
    input:
        variables=f"{REPORT}/_variables.yml",
        tables=f"{REPORT}/supplement-tables.md",
        frame="src/peerstudy/report/quarto/supplement.qmd",
        code=RENDER_CODE,
    output:
        [f"{REPORT}/supplement.{fmt}" for fmt in config["reporting"]["formats"]],
    params:
        project=None,
        build=REPORT,
        document="supplement",
        title=config["study"]["title"],
        formats=config["reporting"]["formats"],
        engine=config["reporting"]["engine"],
    log:
        f"{LOGS}/supplement.log",
    benchmark:
        f"{BENCH}/supplement.tsv"
    script:
        "../../scripts/manuscript.py"
