# Stage 3: scores -> the analysis plan (tests), descriptives, demographics, reliable
# change; the conventions in force; the reviewer's R and SPSS syntax.


rule statistics:
    input:
        **trial_test_inputs(),
        code=code_of("statistics"),
        settings=settings_of("statistics"),
        scores=f"{RESULTS}/scores.csv",
        participants=f"{PROCESSED}/participants.csv",
        reliability=f"{RESULTS}/reliability.csv",
        registry=registry_yaml(),
    output:
        **statistics_outputs(),
        tests=f"{RESULTS}/tests.csv",
        descriptives=f"{RESULTS}/descriptives.csv",
        demographics=f"{RESULTS}/demographics.csv",
        rci=f"{RESULTS}/rci.csv",
        rci_summary=f"{RESULTS}/rci_summary.csv",
    log:
        f"{LOGS}/statistics.log",
    benchmark:
        f"{BENCH}/statistics.tsv"
    conda:
        software("statistics")
    params:
        **settings(
            "statistics",
            analysis=config["analysis"],
            design=design_settings(),
            parameters=config["registry"]["parameters"],
            quantiles=analysis_conventions()["conventions"]["quantiles"],
            rci_criterion=analysis_conventions()["conventions"]["rci_criterion"],
            variables=participant_variable_names(),
            groups=[g["id"] for g in config["groups"]],
            published=config.get("published", {}),
        ),
    script:
        "../../scripts/statistics.py"


rule conventions:
    input:
        code=code_of("conventions"),
        settings=settings_of("conventions"),
    output:
        conventions=f"{RESULTS}/conventions.json",
    log:
        f"{LOGS}/conventions.log",
    benchmark:
        f"{BENCH}/conventions.tsv"
    conda:
        software("conventions")
    params:
        **settings(
            "conventions",
            ingestion=ingestion_conventions(),
            analysis=config["analysis"],
            reliability=config["reliability"],
            missing_codes=config["missing_codes"],
            validation=config["validation"],
            qualitative=qualitative_conventions(),
            questionnaires=QUESTIONNAIRES,
        ),
    script:
        "../../scripts/conventions.py"


rule syntax:
    input:
        code=code_of("syntax"),
        settings=settings_of("syntax"),
        registry=registry_yaml(),
        participants=f"{PROCESSED}/participants.csv",
    output:
        scripts=[f"{RESULTS}/syntax/{name}" for name in syntax_files(config["analysis"])],
    log:
        f"{LOGS}/syntax.log",
    benchmark:
        f"{BENCH}/syntax.tsv"
    conda:
        software("syntax")
    params:
        **settings(
            "syntax",
            study=STUDY,
            analysis=config["analysis"],
            design=syntax_design(),
            parameters=config["registry"]["parameters"],
            reliability_level=config["reliability"]["ci_level"],
        ),
    script:
        "../../scripts/syntax.py"
