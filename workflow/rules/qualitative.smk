# Stage 4: coding-software exports -> code tables, themes and exemplar quotations,
# intercoder agreement; the joint display with its checked meta-inferences.


rule qualitative:
    input:
        code=code("qualitative"),
        exports=qualitative_exports(),
    output:
        groups=f"{RESULTS}/qualitative/code_groups.csv",
        codes=f"{RESULTS}/qualitative/codes.csv",
        sources=f"{RESULTS}/qualitative/code_sources.csv",
        cfir=f"{RESULTS}/qualitative/cfir_matrix.csv",
        totals=f"{RESULTS}/qualitative/totals.csv",
    params:
        qualitative=qualitative_settings(),
    log:
        f"{LOGS}/qualitative.log",
    benchmark:
        f"{BENCH}/qualitative.tsv"
    script:
        "../../scripts/qualitative.py"


rule themes:
    input:
        code=code("qualitative", "themes", "config"),
        exports=qualitative_exports(),
        themes=config.get("qualitative", {}).get("themes", []),
        schema="workflow/schemas/themes.schema.yaml",
    output:
        themes=f"{RESULTS}/qualitative/themes.csv",
        quotations=f"{RESULTS}/qualitative/quotations.csv",
    params:
        qualitative=qualitative_settings(),
    log:
        f"{LOGS}/themes.log",
    benchmark:
        f"{BENCH}/themes.tsv"
    script:
        "../../scripts/themes.py"


rule agreement:
    input:
        code=code("qualitative", "agreement"),
        exports=agreement_exports(),
    output:
        agreement=f"{RESULTS}/qualitative/agreement.csv",
        disagreements=f"{RESULTS}/qualitative/agreement_disagreements.csv",
    params:
        agreement=config.get("qualitative", {}).get("agreement", {}),
        documents=config.get("qualitative", {}).get("documents", {}),
    log:
        f"{LOGS}/agreement.log",
    benchmark:
        f"{BENCH}/agreement.tsv"
    script:
        "../../scripts/agreement.py"


# The declared meta-inferences set beside tests.csv and checked; written whatever
# the checks find, so that the validation report can show the flags.
rule meta_inferences:
    input:
        code=code("qualitative", "themes", "integration", "instruments", "conventions"),
        tests=f"{RESULTS}/tests.csv",
        codes=f"{RESULTS}/qualitative/codes.csv",
        exports=qualitative_exports(),
        registry=registry_yaml(),
    output:
        checks=f"{RESULTS}/validation/meta_inferences.csv",
        undeclared=f"{RESULTS}/qualitative/joint_display_undeclared.csv",
    params:
        joint=config.get("qualitative", {}).get("joint_display", {}),
        qualitative=qualitative_settings(),
        analysis=config["analysis"],
        parameters=config["registry"]["parameters"],
    log:
        f"{LOGS}/meta_inferences.log",
    benchmark:
        f"{BENCH}/meta_inferences.tsv"
    script:
        "../../scripts/meta_inferences.py"


# The joint display exists only when every flagged declaration is justified.
rule joint_display:
    input:
        code=code("integration"),
        checks=f"{RESULTS}/validation/meta_inferences.csv",
    output:
        joint=f"{RESULTS}/joint_display.csv",
    log:
        f"{LOGS}/joint_display.log",
    benchmark:
        f"{BENCH}/joint_display.tsv"
    script:
        "../../scripts/joint_display.py"
