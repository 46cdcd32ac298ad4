# Stage 5: one rule and one script per figure, like a paper's figure list.
# PNG (300 dpi) for HTML/DOCX, SVG for the PDF; both byte-stable.

FIG = f"reports/{STUDY}/figures"


def fig_outputs(name):
    """PNG (shown in `snakemake --report` with its caption) and SVG."""
    png = report(f"{FIG}/{name}.png", caption=f"../report/fig_{name}.rst", category="Figures")
    return {"png": png, "svg": f"{FIG}/{name}.svg"}


rule fig_trajectories:
    input:
        code=code("figures", "instruments"),
        scores=f"{RESULTS}/scores.csv",
        participants=f"{PROCESSED}/participants.csv",
        registry=registry_yaml(),
    output:
        **fig_outputs("trajectories"),
    params:
        spec=config.get("figures", {}).get("trajectories"),
        synthetic=config["study"]["synthetic"],
        parameters=config["registry"]["parameters"],
    log:
        f"{LOGS}/fig_trajectories.log",
    benchmark:
        f"{BENCH}/fig_trajectories.tsv"
    script:
        "../../scripts/fig_trajectories.py"


rule fig_pre_post:
    input:
        code=code("figures", "instruments"),
        scores=f"{RESULTS}/scores.csv",
        registry=registry_yaml(),
    output:
        **fig_outputs("pre_post"),
    params:
        spec=config.get("figures", {}).get("pre_post"),
        groups=config["groups"],
        synthetic=config["study"]["synthetic"],
        parameters=config["registry"]["parameters"],
    log:
        f"{LOGS}/fig_pre_post.log",
    benchmark:
        f"{BENCH}/fig_pre_post.tsv"
    script:
        "../../scripts/fig_pre_post.py"


rule fig_copm:
    input:
        code=code("figures", "instruments"),
        scores=f"{RESULTS}/scores.csv",
        registry=registry_yaml(),
    output:
        **fig_outputs("copm"),
    params:
        spec=config.get("figures", {}).get("copm"),
        synthetic=config["study"]["synthetic"],
        parameters=config["registry"]["parameters"],
    log:
        f"{LOGS}/fig_copm.log",
    benchmark:
        f"{BENCH}/fig_copm.tsv"
    script:
        "../../scripts/fig_copm.py"


rule fig_code_groups:
    input:
        code=code("figures"),
        groups=f"{RESULTS}/qualitative/code_groups.csv",
    output:
        **fig_outputs("code_groups"),
    params:
        synthetic=config["study"]["synthetic"],
    log:
        f"{LOGS}/fig_code_groups.log",
    benchmark:
        f"{BENCH}/fig_code_groups.tsv"
    script:
        "../../scripts/fig_code_groups.py"


rule fig_flow:
    input:
        code=code("figures"),
        participants=f"{PROCESSED}/participants.csv",
    output:
        **fig_outputs("flow"),
    params:
        groups=config["groups"],
        timepoints=config["timepoints"],
        synthetic=config["study"]["synthetic"],
    log:
        f"{LOGS}/fig_flow.log",
    benchmark:
        f"{BENCH}/fig_flow.tsv"
    script:
        "../../scripts/fig_flow.py"
