# Stage 3: scores -> descriptives, tests (the analysis plan), reliable change.


rule descriptives:
    input:
        code=code(*STATS),
        scores=f"{RESULTS}/scores.csv",
    output:
        descriptives=f"{RESULTS}/descriptives.csv",
    params:
        quantiles=analysis_conventions()["conventions"]["quantiles"],
    log:
        f"{LOGS}/descriptives.log",
    benchmark:
        f"{BENCH}/descriptives.tsv"
    script:
        "../../scripts/descriptives.py"


rule tests:
    input:
        code=code(*STATS, "config", "instruments"),
        scores=f"{RESULTS}/scores.csv",
        participants=f"{PROCESSED}/participants.csv",
        registry=registry_yaml(),
        **trial_test_inputs(),
    output:
        tests=f"{RESULTS}/tests.csv",
    params:
        analysis=tests_settings(),
        design=design_settings(),
        parameters=config["registry"]["parameters"],
    log:
        f"{LOGS}/tests.log",
    benchmark:
        f"{BENCH}/tests.tsv"
    script:
        "../../scripts/tests.py"


rule demographics:
    input:
        participants=f"{PROCESSED}/participants.csv",
        code=code(*STATS),
    output:
        table=f"{RESULTS}/demographics.csv",
    params:
        variables=participant_variable_names(),
        groups=[g["id"] for g in config["groups"]],
    log:
        f"{LOGS}/demographics.log",
    benchmark:
        f"{BENCH}/demographics.tsv"
    script:
        "../../scripts/demographics.py"


rule conventions:
    input:
        code=code("conventions", "exports"),
    output:
        conventions=f"{RESULTS}/conventions.json",
    params:
        ingestion=ingestion_conventions(),
        analysis=config["analysis"],
        reliability=config["reliability"],
        missing_codes=config["missing_codes"],
        validation=config["validation"],
        qualitative=qualitative_conventions(),
        questionnaires=QUESTIONNAIRES,
    log:
        f"{LOGS}/conventions.log",
    benchmark:
        f"{BENCH}/conventions.tsv"
    script:
        "../../scripts/conventions.py"


rule reliable_change:
    input:
        code=code(*STATS, "instruments"),
        scores=f"{RESULTS}/scores.csv",
        reliability=f"{RESULTS}/reliability.csv",
        registry=registry_yaml(),
    output:
        rci=f"{RESULTS}/rci.csv",
        summary=f"{RESULTS}/rci_summary.csv",
    params:
        within=config["analysis"].get("within", []),
        parameters=config["registry"]["parameters"],
        criterion=analysis_conventions()["conventions"]["rci_criterion"],
    log:
        f"{LOGS}/reliable_change.log",
    benchmark:
        f"{BENCH}/reliable_change.tsv"
    script:
        "../../scripts/reliable_change.py"


rule calibration_tests:
    input:
        code=code("calibration"),
        tests=f"{RESULTS}/tests.csv",
    output:
        table=f"{RESULTS}/validation/calibration_tests.csv",
    params:
        published=config.get("published", {}),
        alpha=config["analysis"].get("alpha", 0.05),
    log:
        f"{LOGS}/calibration_tests.log",
    benchmark:
        f"{BENCH}/calibration_tests.tsv"
    script:
        "../../scripts/calibration_tests.py"


rule syntax:
    input:
        code=code("syntax/__init__", "syntax/spss", "conventions", "analysis", "config",
                  "instruments"),
        templates=SYNTAX_TEMPLATES,
        registry=registry_yaml(),
        participants=f"{PROCESSED}/participants.csv",
    output:
        scripts=[f"{RESULTS}/syntax/{name}" for name in syntax_files(config["analysis"])],
    params:
        study=STUDY,
        analysis=config["analysis"],
        design=syntax_design(),
        parameters=config["registry"]["parameters"],
        reliability_level=config["reliability"]["ci_level"],
    log:
        f"{LOGS}/syntax.log",
    benchmark:
        f"{BENCH}/syntax.tsv"
    script:
        "../../scripts/syntax.py"
