"""Rule calibration_tests: published p-values beside this run's Wilcoxon tests."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.calibration import calibration_tests
    from peerstudy.io import write_csv

    tests = pd.read_csv(smk.input.tests, dtype={"participant_id": str})
    write_csv(smk.output.table, calibration_tests(tests, smk.params.published, smk.params.alpha))


run(snakemake, main)  # noqa: F821
