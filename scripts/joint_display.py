"""Rule joint_display: tests.csv + code counts -> joint_display.csv."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv
    from peerstudy.qualitative import joint_display

    tests = pd.read_csv(smk.input.tests)
    codes = pd.read_csv(smk.input.codes)
    write_csv(smk.output.joint, joint_display(tests, codes, smk.params.joint))


run(snakemake, main)  # noqa: F821
