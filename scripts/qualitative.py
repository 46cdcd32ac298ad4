"""Rule qualitative: Atlas.ti / MAXQDA exports -> code_groups, codes, code_sources, CFIR."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv
    from peerstudy.qualitative import cfir_matrix, code_tables, read_exports, totals

    qual = smk.params.qualitative
    links = read_exports(qual)
    groups, codes, sources = code_tables(links, qual["sources"])
    write_csv(smk.output.groups, groups)
    write_csv(smk.output.codes, codes)
    write_csv(smk.output.sources, sources)
    write_csv(smk.output.totals, totals(links))
    cfir = (cfir_matrix(links, qual["cfir"], qual["sources"]) if qual.get("cfir")
            else pd.DataFrame(columns=["cfir_domain", "source", "codes", "quotations"]))
    write_csv(smk.output.cfir, cfir)


run(snakemake, main)  # noqa: F821
