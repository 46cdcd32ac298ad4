"""Rule conventions: the config's conventions, defaults filled in -> conventions.json."""

from peerstudy.rule import run


def main(smk):
    from peerstudy.conventions import all_conventions
    from peerstudy.io import write_json

    p = smk.params
    write_json(smk.output.conventions,
               all_conventions(p.analysis, p.reliability, p.validation, p.missing_codes,
                               p.ingestion, p.qualitative, p.questionnaires))


run(snakemake, main)  # noqa: F821
