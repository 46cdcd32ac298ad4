"""Figure: participant flow (enrolled, seen per timepoint, losses with reasons)."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    people = pd.read_csv(smk.input.participants, dtype={"participant_id": str})
    fig = figures.flow(people, smk.params.groups, smk.params.timepoints, smk.params.synthetic)
    figures.save(fig, smk.output.png, smk.output.svg)


run(snakemake, main)  # noqa: F821
