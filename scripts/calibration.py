"""Rule calibration: scores.csv vs the published means -> validation/calibration.csv."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.calibration import calibration_table
    from peerstudy.io import write_csv

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    table = calibration_table(scores, registry_for(smk), smk.params.published)
    write_csv(smk.output.calibration, table)


run(snakemake, main)  # noqa: F821
