"""Figure: the CONSORT 2010 participant flow of a trial, by arm (from consort.csv)."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    flow = pd.read_csv(smk.input.flow, dtype={"timepoint": str},
                       keep_default_na=False)
    arms = [g for g in smk.params.groups if g["id"] in set(flow["arm"])]
    fig = figures.consort(flow, arms, smk.params.timepoints, smk.params.synthetic)
    figures.save(fig, smk.output.png, smk.output.svg)


run(snakemake, main)  # noqa: F821
