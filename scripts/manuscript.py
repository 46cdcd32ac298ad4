"""Rule manuscript: Quarto source + variables + tables + figures -> HTML, DOCX, PDF."""

from peerstudy.rule import run


def main(smk):
    import logging
    from pathlib import Path

    from peerstudy.report.render import render

    build = Path(smk.input.variables).parent
    engine = render(smk.input.source, build, smk.params.formats, smk.params.engine)
    logging.getLogger("peerstudy").info("rendered with %s", engine)


run(snakemake, main)  # noqa: F821
