"""Rule themes: the study's themes file + the coding exports -> themes.csv, quotations.csv."""

from peerstudy.rule import run


def main(smk):
    from peerstudy.io import write_csv
    from peerstudy.qualitative import read_segments
    from peerstudy.themes import exemplar_quotations, load_themes, theme_table

    qual = smk.params.qualitative
    themes = load_themes(smk.input.themes)
    segments = read_segments(qual)
    write_csv(smk.output.themes, theme_table(themes, segments, qual["sources"], smk.input.themes))
    write_csv(smk.output.quotations, exemplar_quotations(themes, segments, smk.input.themes))


run(snakemake, main)  # noqa: F821
