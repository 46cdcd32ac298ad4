"""Figure: service users and professionals before and after (paired dots)."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    spec = smk.params.spec
    labels = {g["id"]: g["label"] for g in smk.params.groups}
    panels = [(p["group"], labels[p["group"]], p["instrument"], p["scale"])
              for p in spec["panels"]]
    scores = pd.read_csv(smk.input.scores, dtype={"participant_id": str})
    fig = figures.pre_post(scores, registry_for(smk), panels, spec["timepoints"],
                           smk.params.synthetic)
    figures.save(fig, smk.output.png, smk.output.svg)


run(snakemake, main)  # noqa: F821
