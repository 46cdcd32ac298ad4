# Planning the next trial: power of the planned mixed model by simulation
# (only for studies with a `power:` section; other studies have no such rule).


if config.get("power"):

    rule power:
        input:
            code=code_of("power"),
            settings=settings_of("power"),
        output:
            table=f"{RESULTS}/power.csv",
            png=report(
                f"{REPORT}/power/power_curve.png",
                caption="../report/power_curve.rst",
                category="Power",
            ),
            html=f"{REPORT}/power/power.html",
        log:
            f"{LOGS}/power.log",
        benchmark:
            f"{BENCH}/power.tsv"
        conda:
            software("power")
        params:
            **settings(
                "power",
                spec=config["power"],
                mixed_model=analysis_conventions()["conventions"]["mixed_model"],
            ),
        script:
            "../../scripts/power.py"
