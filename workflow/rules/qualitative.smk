# Stage 4: coding-software exports -> code tables; joint display with the tests.


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


rule joint_display:
    input:
        code=code("qualitative"),
        tests=f"{RESULTS}/tests.csv",
        codes=f"{RESULTS}/qualitative/codes.csv",
    output:
        joint=f"{RESULTS}/joint_display.csv",
    params:
        joint=config.get("qualitative", {}).get("joint_display", {}),
    log:
        f"{LOGS}/joint_display.log",
    benchmark:
        f"{BENCH}/joint_display.tsv"
    script:
        "../../scripts/joint_display.py"
