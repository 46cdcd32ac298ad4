"""Rule score: items.csv -> scores.csv, scoring issues, reliability.csv and, for
synthetic studies, validation/calibration.csv. One job: the three read the same items
and registry, and each is cheaper to compute than a start-up of the scientific stack."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv
    from peerstudy.reliability import reliability_table
    from peerstudy.scoring import score_items

    registry = registry_for(smk)
    items = pd.read_csv(smk.input.item_table, dtype={"participant_id": str})
    scores, issues = score_items(items, registry, smk.params.rescale)
    write_csv(smk.output.scores, scores)
    write_csv(smk.output.issues, issues)
    write_csv(smk.output.reliability, reliability_table(items, registry, smk.params.ci_level))
    if "calibration" in smk.output.keys():  # synthetic studies: published vs observed means
        from peerstudy.calibration import calibration_table

        written = pd.read_csv(smk.output.scores, dtype={"participant_id": str})
        write_csv(smk.output.calibration,
                  calibration_table(written, registry, smk.params.published))


run(snakemake, main)  # noqa: F821
