"""Figure: each trial outcome's observed mean (95% CI) by arm at every assessment."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    trial = smk.params.trial
    arms = [next(g for g in smk.params.groups if g["id"] == a) for a in trial["arms"]]
    fig = figures.trial_outcomes(scores, registry_for(smk), trial, arms, smk.params.timepoints,
                                 smk.params.synthetic, smk.params.level)
    figures.save(fig, smk.output.png, smk.output.svg)


run(snakemake, main)  # noqa: F821
