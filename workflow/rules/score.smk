# Stage 2: item answers -> scale scores, reliability, calibration (synthetic only).


rule score:
    input:
        code=code("scoring", "instruments", "validate"),
        item_table=f"{PROCESSED}/items.csv",
        registry=registry_yaml(),
    output:
        scores=f"{RESULTS}/scores.csv",
        issues=f"{RESULTS}/validation/scoring_issues.csv",
    params:
        parameters=config["registry"]["parameters"],
        rescale=config["registry"].get("rescale", {}),
    log:
        f"{LOGS}/score.log",
    benchmark:
        f"{BENCH}/score.tsv"
    script:
        "../../scripts/score.py"


rule reliability:
    input:
        code=code("reliability", "instruments"),
        item_table=f"{PROCESSED}/items.csv",
        registry=registry_yaml(),
    output:
        reliability=f"{RESULTS}/reliability.csv",
    params:
        parameters=config["registry"]["parameters"],
        ci_level=config["reliability"]["ci_level"],
    log:
        f"{LOGS}/reliability.log",
    benchmark:
        f"{BENCH}/reliability.tsv"
    script:
        "../../scripts/reliability.py"


rule calibration:
    input:
        code=code("calibration", "instruments"),
        scores=f"{RESULTS}/scores.csv",
        registry=registry_yaml(),
    output:
        calibration=f"{RESULTS}/validation/calibration.csv",
    params:
        published=config.get("published", {}),
        parameters=config["registry"]["parameters"],
    log:
        f"{LOGS}/calibration.log",
    benchmark:
        f"{BENCH}/calibration.tsv"
    script:
        "../../scripts/calibration.py"
