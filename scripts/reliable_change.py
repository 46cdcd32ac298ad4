"""Rule reliable_change: scores + reliability -> rci.csv (Jacobson-Truax)."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.analysis import rci_summary, reliable_change
    from peerstudy.io import write_csv

    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    reliability = pd.read_csv(smk.input.reliability)
    table = reliable_change(scores, reliability, {"within": smk.params.within},
                            registry_for(smk), z_crit=smk.params.criterion)
    write_csv(smk.output.rci, table)
    write_csv(smk.output.summary, rci_summary(table))


run(snakemake, main)  # noqa: F821
