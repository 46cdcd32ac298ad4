"""Figure: quotations per qualitative code group."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    fig = figures.code_groups(pd.read_csv(smk.input.groups), smk.params.synthetic)
    figures.save(fig, smk.output.png, smk.output.svg)


run(snakemake, main)  # noqa: F821
