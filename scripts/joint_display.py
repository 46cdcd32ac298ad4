"""Rule joint_display: the checked meta-inferences -> joint_display.csv (fails on a flag)."""

from peerstudy.rule import run


def main(smk):
    from pathlib import Path

    import pandas as pd

    from peerstudy.integration import gate
    from peerstudy.io import atomic_write_bytes

    gate(pd.read_csv(smk.input.checks, keep_default_na=False))
    atomic_write_bytes(smk.output.joint, Path(smk.input.checks).read_bytes())


run(snakemake, main)  # noqa: F821
