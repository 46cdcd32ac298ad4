"""Rule ingest: raw exports -> items.csv, participants.csv, ingestion issues."""

from peerstudy.rule import run


def main(smk):
    from peerstudy.ingest import ingest
    from peerstudy.io import write_csv, write_json
    from peerstudy.validate import issues_frame

    result = ingest(smk.params.settings, smk.params.ranges)
    items = result.items.astype({"value": "Int64"})  # answers are whole numbers
    write_csv(smk.output.item_table, items)
    write_csv(smk.output.participants, result.participants)
    write_csv(smk.output.issues, issues_frame(result.issues))
    write_json(smk.output.accounting, result.accounting)


run(snakemake, main)  # noqa: F821 (provided by Snakemake)
