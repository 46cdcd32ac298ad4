# Stage 1: raw exports -> items.csv, participants.csv and the ingestion issues.


rule ingest:
    input:
        code=code("ingest", "columns", "participants", "exports", "config", "instruments",
                  "validate", "privacy"),
        raw=raw_inputs(),
    output:
        item_table=f"{PROCESSED}/items.csv",
        participants=f"{PROCESSED}/participants.csv",
        issues=f"{RESULTS}/validation/ingest_issues.csv",
        accounting=f"{RESULTS}/validation/ingest_accounting.json",
        forms=f"{RESULTS}/instrument_forms.csv",
    params:
        settings=ingest_settings(),
        ranges=response_ranges(),
    log:
        f"{LOGS}/ingest.log",
    benchmark:
        f"{BENCH}/ingest.tsv"
    script:
        "../../scripts/ingest.py"


rule validation_report:
    input:
        code=code("validate"),
        ingest=f"{RESULTS}/validation/ingest_issues.csv",
        scoring=f"{RESULTS}/validation/scoring_issues.csv",
        accounting=f"{RESULTS}/validation/ingest_accounting.json",
        **meta_inference_checks(),
        **trial_validation_inputs(),
    output:
        issues=f"{RESULTS}/validation/issues.csv",
        report=f"{RESULTS}/validation/report.md",
    params:
        study=config["study"],
    log:
        f"{LOGS}/validation_report.log",
    benchmark:
        f"{BENCH}/validation_report.tsv"
    script:
        "../../scripts/validation_report.py"
