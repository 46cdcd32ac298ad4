# Stage 2: item answers -> scale scores, reliability, calibration (synthetic only).


rule score:
    input:
        code=code_of("score"),
        settings=settings_of("score"),
        item_table=f"{PROCESSED}/items.csv",
        registry=registry_yaml(),
    output:
        **score_outputs(),
        scores=f"{RESULTS}/scores.csv",
        issues=f"{RESULTS}/validation/scoring_issues.csv",
        reliability=f"{RESULTS}/reliability.csv",
    log:
        f"{LOGS}/score.log",
    benchmark:
        f"{BENCH}/score.tsv"
    conda:
        software("score")
    params:
        **settings(
            "score",
            parameters=config["registry"]["parameters"],
            rescale=config["registry"].get("rescale", {}),
            ci_level=config["reliability"]["ci_level"],
            published=config.get("published", {}),
        ),
    script:
        "../../scripts/score.py"
