"""Rule agreement: two coders' exports -> agreement.csv and the units they disagree on."""

from peerstudy.rule import run


def main(smk):
    from peerstudy.agreement import intercoder_agreement
    from peerstudy.io import write_csv
    from peerstudy.qualitative import read_export

    spec = smk.params.agreement
    first, second = (read_export(coder, smk.params.documents) for coder in spec["coders"])
    table, disagreements = intercoder_agreement(first, second, spec, spec["documents"])
    write_csv(smk.output.agreement, table)
    write_csv(smk.output.disagreements, disagreements)


run(snakemake, main)  # noqa: F821
