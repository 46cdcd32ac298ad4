"""Rule ingest: raw exports -> items.csv, participants.csv, ingestion issues."""

from peerstudy.rule import run


def main(smk):
    from peerstudy.ingest import ingest
    from peerstudy.io import write_csv, write_json
    from peerstudy.privacy import assert_no_identifiers
    from peerstudy.validate import issues_frame

    result = ingest(smk.params.settings, smk.params.ranges)
    items = result.items.astype({"value": "Int64"})  # answers are whole numbers
    issues = issues_frame(result.issues)
    outputs = [(smk.output.item_table, items), (smk.output.participants, result.participants),
               (smk.output.issues, issues)]
    for path, frame in outputs:  # check all before writing any
        assert_no_identifiers(frame, result.identifier_columns, result.identifier_values, path)
    for path, frame in outputs:
        write_csv(path, frame)
    write_json(smk.output.accounting, result.accounting)
    write_csv(smk.output.forms, result.forms)


run(snakemake, main)  # noqa: F821 (provided by Snakemake)
