"""Rule tests: scores + participants -> tests.csv (the analysis plan)."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.analysis import run_tests
    from peerstudy.io import write_csv

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    participants = pd.read_csv(smk.input.participants, dtype={"participant_id": str,
                                                               "peer_worker": str})
    config = {**smk.params.design, "analysis": smk.params.analysis}
    imputations = (pd.read_csv(smk.input.imputations, dtype={"participant_id": str})
                   if "imputations" in smk.input.keys() else None)
    tests = run_tests(scores, participants, config, registry_for(smk), imputations)
    write_csv(smk.output.tests, tests)


run(snakemake, main)  # noqa: F821
