"""Rule figures: every figure of the study, as PNG (300 dpi), the format the manuscripts
use. One job, one start-up of matplotlib: drawing a figure takes less than starting it."""

from peerstudy.rule import registry_for, run


def main(smk):
    import pandas as pd

    from peerstudy import figures

    p = smk.params
    spec = p.spec
    read = {"participant_id": str}
    drawn = {}
    if "flow" in p.names or "trajectories" in p.names:
        people = pd.read_csv(smk.input.participants, dtype=read)
    if {"trajectories", "pre_post", "copm", "trial_outcomes"} & set(p.names):
        scores = pd.read_csv(smk.input.scores, dtype=read)
        registry = registry_for(smk)
    if "flow" in p.names:
        drawn["flow"] = lambda: figures.flow(people, p.groups, p.timepoints, p.synthetic)
    if "trajectories" in p.names:
        t = spec["trajectories"]
        drawn["trajectories"] = lambda: figures.trajectories(
            scores, people, registry, t["group"], t["instruments"], t["timepoints"],
            p.synthetic)
    if "pre_post" in p.names:
        labels = {g["id"]: g["label"] for g in p.groups}
        panels = [(q["group"], labels[q["group"]], q["instrument"], q["scale"])
                  for q in spec["pre_post"]["panels"]]
        drawn["pre_post"] = lambda: figures.pre_post(
            scores, registry, panels, spec["pre_post"]["timepoints"], p.synthetic)
    if "copm" in p.names:
        problems = p.parameters["copm"]["problems"]
        drawn["copm"] = lambda: figures.copm(scores, registry, problems,
                                             spec["copm"]["timepoints"], p.synthetic)
    if "consort" in p.names:
        flow = pd.read_csv(smk.input.consort, dtype={"timepoint": str}, keep_default_na=False)
        arms = [g for g in p.groups if g["id"] in set(flow["arm"])]
        drawn["consort"] = lambda: figures.consort(flow, arms, p.timepoints, p.synthetic)
    if "trial_outcomes" in p.names:
        arms = [next(g for g in p.groups if g["id"] == a) for a in p.trial["arms"]]
        drawn["trial_outcomes"] = lambda: figures.trial_outcomes(
            scores, registry, p.trial, arms, p.timepoints, p.synthetic, p.level)
    if "code_groups" in p.names:
        drawn["code_groups"] = lambda: figures.code_groups(
            pd.read_csv(smk.input.code_groups), p.synthetic, p.unit)
    for name in p.names:
        figures.save_png(drawn[name](), smk.output[name])


run(snakemake, main)  # noqa: F821
