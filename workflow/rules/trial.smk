# A randomised trial's own stage (analysis.trial in the config): the screening log,
# the multiple-imputation data sets and the CONSORT participant flow (its figures are
# drawn by the figures rule). The other stages ask common.smk's trial functions for
# their trial inputs; a study without a trial gets none.


if TRIAL and SCREENING:

    rule trial_screening:
        input:
            code=code_of("trial_screening"),
            settings=settings_of("trial_screening"),
            log=SCREENING["path"],
            participants=f"{PROCESSED}/participants.csv",
        output:
            table=f"{PROCESSED}/screening.csv",
            issues=f"{RESULTS}/validation/screening_issues.csv",
            accounting=f"{RESULTS}/validation/screening_accounting.json",
        log:
            f"{LOGS}/trial_screening.log",
        benchmark:
            f"{BENCH}/trial_screening.tsv"
        conda:
            software("trial_screening")
        params:
            **settings(
                "trial_screening",
                design=trial_design(),
            ),
        script:
            "../../scripts/trial_screening.py"


if TRIAL and trial_mi():

    rule trial_imputations:
        input:
            code=code_of("trial_imputations"),
            settings=settings_of("trial_imputations"),
            scores=f"{RESULTS}/scores.csv",
        output:
            imputations=f"{RESULTS}/trial/imputations.csv",
        log:
            f"{LOGS}/trial_imputations.log",
        benchmark:
            f"{BENCH}/trial_imputations.tsv"
        conda:
            software("trial_imputations")
        params:
            **settings(
                "trial_imputations",
                design=trial_design(),
            ),
        script:
            "../../scripts/trial_imputations.py"


if TRIAL:

    rule consort:
        input:
            **({"screening": f"{PROCESSED}/screening.csv"} if SCREENING else {}),
            code=code_of("consort"),
            settings=settings_of("consort"),
            participants=f"{PROCESSED}/participants.csv",
            scores=f"{RESULTS}/scores.csv",
        output:
            flow=f"{RESULTS}/consort.csv",
        log:
            f"{LOGS}/consort.log",
        benchmark:
            f"{BENCH}/consort.tsv"
        conda:
            software("consort")
        params:
            **settings(
                "consort",
                design=trial_design(),
            ),
        script:
            "../../scripts/consort.py"
