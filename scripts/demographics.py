"""Rule demographics: participants.csv -> demographics.csv (counts and % by group)."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.analysis import demographics
    from peerstudy.io import write_csv

    people = pd.read_csv(smk.input.participants, dtype={"participant_id": str})
    write_csv(smk.output.table, demographics(people, smk.params.variables, smk.params.groups))


run(snakemake, main)  # noqa: F821
