# A randomised trial's own stage (analysis.trial in the config): the screening log,
# the multiple-imputation data sets, the CONSORT participant flow and the trial's
# figures. Included right after common.smk because the other stages ask it, through the
# small functions below, for their trial inputs; a study without a trial gets none.

TRIAL = config.get("analysis", {}).get("trial") if QUESTIONNAIRES else None
SCREENING = config.get("trial", {}).get("screening") if TRIAL else None
TRIAL_CODE = ["trial", "config", "columns", "stats/mixed", "stats/mi", "conventions"]


def trial_mi():
    """Whether the plan declares the multiple-imputation sensitivity analysis."""
    return bool(TRIAL and TRIAL.get("sensitivity", {}).get("multiple_imputation"))


def trial_raw_inputs():
    """The screening log (a raw export like the questionnaires)."""
    return [SCREENING["path"]] if SCREENING else []


def trial_validation_inputs():
    """The screening log's issues and accounting, for the validation report."""
    if not SCREENING:
        return {}
    return {"screening": f"{RESULTS}/validation/screening_issues.csv",
            "screening_accounting": f"{RESULTS}/validation/screening_accounting.json"}


def trial_test_inputs():
    """The completed data sets the tests rule pools (multiple imputation)."""
    return {"imputations": f"{RESULTS}/trial/imputations.csv"} if trial_mi() else {}


def trial_report_results():
    """Results the trial's report reads: the participant flow and the checklist."""
    if not TRIAL:
        return {}
    files = {"consort": f"{RESULTS}/consort.csv"}
    if config.get("power"):
        files["power"] = f"{RESULTS}/power.csv"
    if config["reporting"].get("checklist"):
        files["checklist"] = config["reporting"]["checklist"]
    return files


def trial_manuscript_figures():
    """Figures a trial's report shows besides reports/<id>/figures/: the power curve."""
    return [f"reports/{STUDY}/power/power_curve.png"] if TRIAL and config.get("power") else []


def trial_figure_names():
    return ["consort", "trial_outcomes"] if TRIAL else []


def trial_outputs():
    if not TRIAL:
        return []
    out = [f"{RESULTS}/consort.csv"]
    out += [f"{PROCESSED}/screening.csv"] if SCREENING else []
    out += [f"{RESULTS}/trial/imputations.csv"] if trial_mi() else []
    return out


def trial_design():
    """What the trial's rules read from the config."""
    keys = ("study", "sites", "groups", "timepoints", "schedule", "trial", "participants_file")
    return {**{k: config[k] for k in keys if k in config},
            "analysis": {k: v for k, v in config["analysis"].items() if k != "within"}}


if TRIAL and SCREENING:

    rule trial_screening:
        input:
            code=code(*TRIAL_CODE),
            log=SCREENING["path"],
            participants=f"{PROCESSED}/participants.csv",
        output:
            table=f"{PROCESSED}/screening.csv",
            issues=f"{RESULTS}/validation/screening_issues.csv",
            accounting=f"{RESULTS}/validation/screening_accounting.json",
        params:
            design=trial_design(),
        log:
            f"{LOGS}/trial_screening.log",
        benchmark:
            f"{BENCH}/trial_screening.tsv"
        script:
            "../../scripts/trial_screening.py"


if TRIAL and trial_mi():

    rule trial_imputations:
        input:
            code=code(*TRIAL_CODE),
            scores=f"{RESULTS}/scores.csv",
        output:
            imputations=f"{RESULTS}/trial/imputations.csv",
        params:
            design=trial_design(),
        log:
            f"{LOGS}/trial_imputations.log",
        benchmark:
            f"{BENCH}/trial_imputations.tsv"
        script:
            "../../scripts/trial_imputations.py"


if TRIAL:

    rule consort:
        input:
            code=code(*TRIAL_CODE),
            participants=f"{PROCESSED}/participants.csv",
            scores=f"{RESULTS}/scores.csv",
            **({"screening": f"{PROCESSED}/screening.csv"} if SCREENING else {}),
        output:
            flow=f"{RESULTS}/consort.csv",
        params:
            design=trial_design(),
        log:
            f"{LOGS}/consort.log",
        benchmark:
            f"{BENCH}/consort.tsv"
        script:
            "../../scripts/consort.py"

    rule fig_consort:
        input:
            code=code("figures"),
            flow=f"{RESULTS}/consort.csv",
        output:
            png=report(f"reports/{STUDY}/figures/consort.png",
                       caption="../report/fig_consort.rst", category="Figures"),
            svg=f"reports/{STUDY}/figures/consort.svg",
        params:
            groups=config["groups"],
            timepoints=config["timepoints"],
            synthetic=config["study"]["synthetic"],
        log:
            f"{LOGS}/fig_consort.log",
        benchmark:
            f"{BENCH}/fig_consort.tsv"
        script:
            "../../scripts/fig_consort.py"

    rule fig_trial_outcomes:
        input:
            code=code("figures", "instruments"),
            scores=f"{RESULTS}/scores.csv",
            registry=registry_yaml(),
        output:
            png=report(f"reports/{STUDY}/figures/trial_outcomes.png",
                       caption="../report/fig_trial_outcomes.rst", category="Figures"),
            svg=f"reports/{STUDY}/figures/trial_outcomes.svg",
        params:
            trial=TRIAL,
            level=config["analysis"].get("conventions", {}).get("ci_level", 0.95),
            groups=config["groups"],
            timepoints=config["timepoints"],
            synthetic=config["study"]["synthetic"],
            parameters=config["registry"]["parameters"],
        log:
            f"{LOGS}/fig_trial_outcomes.log",
        benchmark:
            f"{BENCH}/fig_trial_outcomes.tsv"
        script:
            "../../scripts/fig_trial_outcomes.py"
