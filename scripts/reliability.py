"""Rule reliability: items.csv -> reliability.csv (alpha with Feldt CI, omega)."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv
    from peerstudy.reliability import reliability_table

    items = pd.read_csv(smk.input.item_table, dtype={"participant_id": str})
    table = reliability_table(items, registry_for(smk), smk.params.ci_level)
    write_csv(smk.output.reliability, table)


run(snakemake, main)  # noqa: F821
