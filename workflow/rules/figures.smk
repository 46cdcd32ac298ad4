# Stage 5: the study's figures, one PNG each (300 dpi): the format the manuscripts use.


rule figures:
    input:
        **figure_inputs(),
        code=code_of("figures"),
        settings=settings_of("figures"),
    output:
        **figure_outputs(),
    log:
        f"{LOGS}/figures.log",
    benchmark:
        f"{BENCH}/figures.tsv"
    conda:
        software("figures")
    params:
        **settings(
            "figures",
            names=figure_names(),
            spec=config.get("figures", {}),
            groups=config["groups"],
            timepoints=config["timepoints"],
            synthetic=SYNTHETIC,
            parameters=config["registry"]["parameters"],
            trial=TRIAL,
            level=config["analysis"].get("conventions", {}).get("ci_level", 0.95),
            unit=coding_unit(config),
        ),
    script:
        "../../scripts/figures.py"
