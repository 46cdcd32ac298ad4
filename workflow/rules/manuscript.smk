# Stage 6: results -> values and tables -> the study's own manuscript, and the supplement.
# Every results file the manuscript may quote is an input of report_inputs, so nothing
# goes stale; the authors' Quarto project (reporting.manuscript) is an input of manuscript.


rule report_inputs:
    input:
        **report_results(),
        code=code_of("report_inputs"),
        settings=settings_of("report_inputs"),
        conventions=f"{RESULTS}/conventions.json",
        registry=registry_yaml(),
        raw=raw_exports(),
        themes_yaml=themes_file(),
        lock="uv.lock",
    output:
        variables=f"{REPORT}/_variables.yml",
        values=f"{REPORT}/values.md",
        provenance=f"{REPORT}/provenance.csv",
        tables=report_tables(),
        supplement=f"{REPORT}/supplement-tables.md",
        bibliography=f"{REPORT}/registry-references.yaml",
        record=f"{REPORT}/run.json",
    log:
        f"{LOGS}/report_inputs.log",
    benchmark:
        f"{BENCH}/report_inputs.tsv"
    conda:
        software("report_inputs")
    params:
        **settings(
            "report_inputs",
            design=report_design(),
            parameters=config["registry"]["parameters"],
            results=list(report_results()),
            configfiles=CONFIGFILES,  # relative: the same run elsewhere gives the same bytes
            overrides=config_overrides(),
            command=run_command(),
        ),
    script:
        "../../scripts/report_inputs.py"


rule manuscript:
    input:
        code=code_of("manuscript"),
        settings=settings_of("manuscript"),
        qmd=f"{manuscript_project()}/manuscript.qmd",
        sources=manuscript_sources(),
        variables=f"{REPORT}/_variables.yml",
        tables=report_tables(),
        bibliography=f"{REPORT}/registry-references.yaml",
        figures=final_figures() + trial_manuscript_figures(),
    output:
        [f"{REPORT}/manuscript.{fmt}" for fmt in config["reporting"]["formats"]],
    log:
        f"{LOGS}/manuscript.log",
    benchmark:
        f"{BENCH}/manuscript.tsv"
    conda:
        software("manuscript")
    params:
        **settings(
            "manuscript",
            title=config["study"]["title"],
            formats=config["reporting"]["formats"],
            engine=config["reporting"]["engine"],
        ),
    script:
        "../../scripts/manuscript.py"


rule supplement:
    input:
        code=code_of("manuscript"),
        settings=settings_of("supplement"),
        variables=f"{REPORT}/_variables.yml",
        tables=f"{REPORT}/supplement-tables.md",
    output:
        [f"{REPORT}/supplement.{fmt}" for fmt in config["reporting"]["formats"]],
    log:
        f"{LOGS}/supplement.log",
    benchmark:
        f"{BENCH}/supplement.tsv"
    conda:
        software("manuscript")
    params:
        **settings(
            "supplement",
            title=config["study"]["title"],
            formats=config["reporting"]["formats"],
            engine=config["reporting"]["engine"],
        ),
    script:
        "../../scripts/manuscript.py"
