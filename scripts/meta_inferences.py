"""Rule meta_inferences: declared meta-inferences beside tests.csv, checked."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy.conventions import conventions
    from peerstudy.integration import joint_display
    from peerstudy.io import write_csv
    from peerstudy.qualitative import read_segments
    from peerstudy.themes import exemplar_texts

    spec = smk.params.joint
    registry = registry_for(smk)
    plan = conventions(smk.params.analysis)
    better = {(inst.id, sid): scale.higher_is_better
              for inst in registry.values() for sid, scale in inst.scales.items()}
    wanted = [d["exemplar"] for d in spec["domains"] if d.get("exemplar")]
    exemplars = exemplar_texts(read_segments(smk.params.qualitative), wanted) if wanted else {}
    display, undeclared = joint_display(
        pd.read_csv(smk.input.tests), pd.read_csv(smk.input.codes), spec, alpha=plan["alpha"],
        multiplicity=plan["multiplicity"]["method"], higher_is_better=better,
        exemplars=exemplars, code_sources=pd.read_csv(smk.input.code_sources))
    write_csv(smk.output.checks, display)
    write_csv(smk.output.undeclared, undeclared)


run(snakemake, main)  # noqa: F821
