"""Rule syntax: the analysis plan -> results/<id>/syntax/*.R and *.sps (reviewer's kit)."""

from peerstudy.rule import registry_for, run


def main(smk):
    from pathlib import Path

    from peerstudy.syntax import write_syntax

    p = smk.params
    header = Path(smk.input.participants).read_text(encoding="utf-8").split("\n", 1)[0]
    design = {**p.design, "participant_columns": header.split(",")}
    write_syntax(Path(smk.output.scripts[0]).parent, p.study, p.analysis, registry_for(smk),
                 design, p.reliability_level)


run(snakemake, main)  # noqa: F821
