# Stage 1: raw exports -> items.csv, participants.csv and the ingestion issues.


rule ingest:
    input:
        code=code_of("ingest"),
        settings=settings_of("ingest"),
        raw=raw_inputs(),
    output:
        item_table=f"{PROCESSED}/items.csv",
        participants=f"{PROCESSED}/participants.csv",
        issues=f"{RESULTS}/validation/ingest_issues.csv",
        accounting=f"{RESULTS}/validation/ingest_accounting.json",
        forms=f"{RESULTS}/instrument_forms.csv",
    log:
        f"{LOGS}/ingest.log",
    benchmark:
        f"{BENCH}/ingest.tsv"
    conda:
        software("ingest")
    params:
        **settings(
            "ingest",
            settings=ingest_settings(),
            ranges=response_ranges(),
        ),
    script:
        "../../scripts/ingest.py"


rule validation_report:
    input:
        **meta_inference_checks(),
        **trial_validation_inputs(),
        code=code_of("validation_report"),
        settings=settings_of("validation_report"),
        ingest=f"{RESULTS}/validation/ingest_issues.csv",
        scoring=f"{RESULTS}/validation/scoring_issues.csv",
        accounting=f"{RESULTS}/validation/ingest_accounting.json",
    output:
        issues=f"{RESULTS}/validation/issues.csv",
        report=f"{RESULTS}/validation/report.md",
    log:
        f"{LOGS}/validation_report.log",
    benchmark:
        f"{BENCH}/validation_report.tsv"
    conda:
        software("validation_report")
    params:
        **settings(
            "validation_report",
            study=config["study"],
        ),
    script:
        "../../scripts/validation_report.py"
