"""Rule consort: participants, screening log and scores -> the CONSORT flow by arm."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.errors import DataError
    from peerstudy.io import write_csv
    from peerstudy.trial import check_flow, consort_flow

    participants = pd.read_csv(smk.input.participants, dtype={"participant_id": str,
                                                               "peer_worker": str})
    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    screening = (pd.read_csv(smk.input.screening, dtype=str, keep_default_na=False)
                 if "screening" in smk.input.keys() else None)
    flow = consort_flow(participants, screening, scores, smk.params.design)
    problems = check_flow(flow)
    if problems:
        raise DataError("the CONSORT flow does not add up: " + "; ".join(problems))
    write_csv(smk.output.flow, flow)


run(snakemake, main)  # noqa: F821
