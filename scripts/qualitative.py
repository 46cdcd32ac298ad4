"""Rule qualitative: Atlas.ti / MAXQDA exports -> code_groups, codes, code_sources,
totals, the CFIR matrix and, when declared, themes.csv and quotations.csv (themes
file) and agreement.csv with the disagreements (two coders). One job: each export is
read once."""

from peerstudy.rule import run


def main(smk):
    import pandas as pd

    from peerstudy.io import write_csv
    from peerstudy.qualitative import (
        LINKS,
        cfir_matrix,
        code_tables,
        read_export,
        read_segments,
        totals,
    )

    qual = smk.params.qualitative
    read = {}  # each export file parsed once (coder 1's export is often the study's)
    segments = read_segments(qual, read=read)
    links = segments[LINKS].sort_values(LINKS, kind="mergesort").reset_index(drop=True)
    groups, codes, sources = code_tables(links, qual["sources"])
    write_csv(smk.output.groups, groups)
    write_csv(smk.output.codes, codes)
    write_csv(smk.output.sources, sources)
    write_csv(smk.output.totals, totals(links))
    cfir = (cfir_matrix(links, qual["cfir"], qual["sources"]) if qual.get("cfir")
            else pd.DataFrame(columns=["cfir_domain", "source", "codes", "quotations"]))
    write_csv(smk.output.cfir, cfir)
    if "themes" in smk.output.keys():
        from peerstudy.themes import exemplar_quotations, load_themes, theme_table

        themes = load_themes(smk.input.themes)
        write_csv(smk.output.themes,
                  theme_table(themes, segments, qual["sources"], smk.input.themes))
        write_csv(smk.output.quotations,
                  exemplar_quotations(themes, segments, smk.input.themes))
    if "agreement" in smk.output.keys():
        from peerstudy.agreement import intercoder_agreement

        spec = qual["agreement"]
        first, second = (read_export(coder, qual["documents"], read=read)
                         for coder in spec["coders"])
        table, disagreements = intercoder_agreement(first, second, spec, spec["documents"])
        write_csv(smk.output.agreement, table)
        write_csv(smk.output.disagreements, disagreements)


run(snakemake, main)  # noqa: F821
