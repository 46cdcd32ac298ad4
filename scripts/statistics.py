"""Rule statistics: scores, participants, reliability -> tests.csv (the analysis plan),
descriptives.csv, demographics.csv, rci.csv and rci_summary.csv and, for synthetic
studies, validation/calibration_tests.csv. One job, one start-up of the scientific stack."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.analysis import (
        demographics,
        descriptives,
        rci_summary,
        reliable_change,
        run_tests,
    )
    from peerstudy.io import write_csv

    p = smk.params
    registry = registry_for(smk)
    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    participants = pd.read_csv(smk.input.participants,
                               dtype={"participant_id": str, "peer_worker": str})
    imputations = (pd.read_csv(smk.input.imputations, dtype={"participant_id": str})
                   if "imputations" in smk.input.keys() else None)  # a trial's MI data sets
    write_csv(smk.output.tests, run_tests(scores, participants,
                                          {**p.design, "analysis": p.analysis}, registry,
                                          imputations))
    write_csv(smk.output.descriptives, descriptives(scores, p.quantiles))
    write_csv(smk.output.demographics, demographics(participants, p.variables, p.groups))
    reliability = pd.read_csv(smk.input.reliability)
    rci = reliable_change(scores, reliability, {"within": p.analysis.get("within", [])},
                          registry, z_crit=p.rci_criterion)
    write_csv(smk.output.rci, rci)
    write_csv(smk.output.rci_summary, rci_summary(rci))
    if "calibration_tests" in smk.output.keys():  # synthetic studies: published p-values
        from peerstudy.calibration import calibration_tests

        tests = pd.read_csv(smk.output.tests, dtype={"participant_id": str})
        write_csv(smk.output.calibration_tests,
                  calibration_tests(tests, p.published, p.analysis["alpha"]))


run(snakemake, main)  # noqa: F821
