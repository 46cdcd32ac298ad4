"""Figure: COPM performance and satisfaction per occupational problem."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    problems = smk.params.parameters["copm"]["problems"]
    fig = figures.copm(scores, registry_for(smk), problems, smk.params.spec["timepoints"],
                       smk.params.synthetic)
    figures.save(fig, smk.output.png, smk.output.svg)


run(snakemake, main)  # noqa: F821
