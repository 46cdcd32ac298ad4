"""Rule validation_report: ingestion + scoring issues -> issues.csv and report.md."""

from peerstudy.rule import run


def main(smk):
    import json

    import pandas as pd

    from peerstudy.io import write_csv, write_text
    from peerstudy.validate import combine_issues, write_report

    extra = ["screening"] if "screening" in smk.input.keys() else []  # a trial's screening log
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False)
              for path in (smk.input.ingest, smk.input.scoring, *(smk.input[k] for k in extra))]
    issues = combine_issues(frames)
    accounting = []
    for path in [smk.input.accounting, *(smk.input[f"{k}_accounting"] for k in extra)]:
        with open(path, encoding="utf-8") as handle:
            accounting += json.load(handle)
    report = write_report(issues, accounting, smk.params.study)
    if "meta_inferences" in smk.input.keys():  # the joint display's checks, when declared
        from peerstudy.integration import validation_section

        checks = pd.read_csv(smk.input.meta_inferences, keep_default_na=False, na_values=[""])
        report = report.rstrip("\n") + "\n" + validation_section(checks)
    write_csv(smk.output.issues, issues)
    write_text(smk.output.report, report)


run(snakemake, main)  # noqa: F821
