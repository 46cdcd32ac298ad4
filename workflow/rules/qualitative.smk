# Stage 4: coding-software exports -> code tables, themes and exemplar quotations,
# intercoder agreement; the joint display with its checked meta-inferences.


rule qualitative:
    input:
        **qualitative_inputs(),
        code=code_of("qualitative"),
        settings=settings_of("qualitative"),
        exports=qualitative_exports(),
    output:
        **qualitative_table_outputs(),
        groups=f"{RESULTS}/qualitative/code_groups.csv",
        codes=f"{RESULTS}/qualitative/codes.csv",
        sources=f"{RESULTS}/qualitative/code_sources.csv",
        cfir=f"{RESULTS}/qualitative/cfir_matrix.csv",
        totals=f"{RESULTS}/qualitative/totals.csv",
    log:
        f"{LOGS}/qualitative.log",
    benchmark:
        f"{BENCH}/qualitative.tsv"
    conda:
        software("qualitative")
    params:
        **settings(
            "qualitative",
            qualitative=qualitative_settings(),
        ),
    script:
        "../../scripts/qualitative.py"


# The declared meta-inferences set beside tests.csv and checked; written whatever
# the checks find, so that the validation report can show the flags.
rule meta_inferences:
    input:
        code=code_of("meta_inferences"),
        settings=settings_of("meta_inferences"),
        tests=f"{RESULTS}/tests.csv",
        codes=f"{RESULTS}/qualitative/codes.csv",
        code_sources=f"{RESULTS}/qualitative/code_sources.csv",
        exports=qualitative_exports(),
        registry=registry_yaml(),
    output:
        checks=f"{RESULTS}/validation/meta_inferences.csv",
        undeclared=f"{RESULTS}/qualitative/joint_display_undeclared.csv",
    log:
        f"{LOGS}/meta_inferences.log",
    benchmark:
        f"{BENCH}/meta_inferences.tsv"
    conda:
        software("meta_inferences")
    params:
        **settings(
            "meta_inferences",
            joint=config.get("qualitative", {}).get("joint_display", {}),
            qualitative=export_settings(),
            analysis=config["analysis"],
            parameters=config["registry"]["parameters"],
        ),
    script:
        "../../scripts/meta_inferences.py"


# The joint display exists only when every flagged declaration is justified.
rule joint_display:
    input:
        code=code_of("joint_display"),
        checks=f"{RESULTS}/validation/meta_inferences.csv",
    output:
        joint=f"{RESULTS}/joint_display.csv",
    log:
        f"{LOGS}/joint_display.log",
    benchmark:
        f"{BENCH}/joint_display.tsv"
    conda:
        software("joint_display")
    script:
        "../../scripts/joint_display.py"
