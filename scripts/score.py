"""Rule score: items.csv -> scores.csv and scoring issues (prorated / dropped)."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv
    from peerstudy.scoring import score_items

    items = pd.read_csv(smk.input.item_table, dtype={"participant_id": str})
    scores, issues = score_items(items, registry_for(smk), smk.params.rescale)
    write_csv(smk.output.scores, scores)
    write_csv(smk.output.issues, issues)


run(snakemake, main)  # noqa: F821
