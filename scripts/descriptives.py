"""Rule descriptives: scores.csv -> descriptives.csv (per site and pooled)."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.analysis import descriptives
    from peerstudy.io import write_csv

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    write_csv(smk.output.descriptives, descriptives(scores, smk.params.quantiles))


run(snakemake, main)  # noqa: F821
