"""Rule joint_display: the checked meta-inferences -> joint_display.csv (fails on a flag)."""

from peerstudy.rule import run


def main(smk):
    from pathlib import Path

    from peerstudy.io import atomic_write_bytes
    from peerstudy.joint_gate import gate_file

    gate_file(smk.input.checks)
    atomic_write_bytes(smk.output.joint, Path(smk.input.checks).read_bytes())


run(snakemake, main)  # noqa: F821
