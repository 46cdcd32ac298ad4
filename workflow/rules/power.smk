# Planning the next trial: power of the planned mixed model by simulation
# (only for studies with a `power:` section).


rule power:
    input:
        code=code("power", "figures", "report/render", "conventions", "stats/mixed"),
    output:
        table=f"{RESULTS}/power.csv",
        png=report(f"reports/{STUDY}/power/power_curve.png", caption="../report/power_curve.rst",
                   category="Power"),
        svg=f"reports/{STUDY}/power/power_curve.svg",
        html=f"reports/{STUDY}/power/power.html",
    params:
        spec=config.get("power", {}),
        mixed_model=analysis_conventions()["conventions"]["mixed_model"],
    log:
        f"{LOGS}/power.log",
    benchmark:
        f"{BENCH}/power.tsv"
    script:
        "../../scripts/power.py"
