"""Rule trial_imputations: scores -> the multiple-imputation data sets of the trial."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv
    from peerstudy.trial import impute_outcomes

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    write_csv(smk.output.imputations, impute_outcomes(scores, smk.params.design))


run(snakemake, main)  # noqa: F821
