"""Figure: PSW trajectories over time (individual lines, mean and 95% CI, drop-outs marked)."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    spec = smk.params.spec
    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    people = pd.read_csv(smk.input.participants, dtype={"participant_id": str})
    fig = figures.trajectories(scores, people, registry_for(smk), spec["group"],
                               spec["instruments"], spec["timepoints"], smk.params.synthetic)
    figures.save(fig, smk.output.png, smk.output.svg)


run(snakemake, main)  # noqa: F821
