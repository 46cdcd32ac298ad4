"""Rule tests: scores + participants -> tests.csv (the analysis plan)."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.analysis import run_tests
    from peerstudy.io import write_csv

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    participants = pd.read_csv(smk.input.participants, dtype={"participant_id": str})
    config = {**smk.params.design, "analysis": smk.params.analysis}
    tests = run_tests(scores, participants, config, registry_for(smk))
    write_csv(smk.output.tests, tests)


run(snakemake, main)  # noqa: F821
