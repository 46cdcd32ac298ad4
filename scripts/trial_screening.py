"""Rule trial_screening: the screening log -> screening.csv (checked against the
participants), its issues and accounting for the validation report."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv, write_json
    from peerstudy.trial import read_screening
    from peerstudy.validate import issues_frame

    participants = pd.read_csv(smk.input.participants, dtype={"participant_id": str})
    table, issues = read_screening(smk.params.design, participants)
    write_csv(smk.output.table, table)
    write_csv(smk.output.issues, issues_frame(issues))
    excluded = sum(1 for i in issues if i["rule"] == "blank_row")
    write_json(smk.output.accounting, [{
        "file": smk.params.design["trial"]["screening"]["path"],
        "rows_read": len(table) + excluded, "rows_kept": len(table), "rows_excluded": excluded,
        "values_missing": 0, "rows_empty": 0, "warnings": []}])


run(snakemake, main)  # noqa: F821
