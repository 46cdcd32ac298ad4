# Config checks and every helper function the rule files use (the rule files hold rules
# only). Light imports only: this runs on every snakemake call, including no-ops.

import os
from pathlib import Path

from snakemake.exceptions import WorkflowError

from peerstudy.codebase import SETTINGS, code_digest_file, compile_package, settings_file
from peerstudy.config import (
    check_config,
    coding_unit,
    has_questionnaires,
    load_study_registry,
)
from peerstudy.errors import PeerstudyError
from peerstudy.instruments import form_ranges, registry_files
from peerstudy.syntax import syntax_files

compile_package()  # peerstudy's bytecode, written once for every job (see its docstring)

DEFAULT_CONFIG = "config/config.yaml"
CONFIGFILES = [os.path.relpath(f) for f in workflow.configfiles] or [DEFAULT_CONFIG]
WORKFLOW_ROOT = Path(workflow.basedir).parent  # the repository this workflow lives in


def _deep_update(base, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_update(base[key], value)
        else:
            base[key] = value
    return base


def _checked_config():
    source = ", ".join(CONFIGFILES)
    raw = config
    if not workflow.configfiles:  # the default study, with any --config overrides on top
        from peerstudy.config import read_yaml

        try:
            raw = _deep_update(read_yaml(DEFAULT_CONFIG), dict(config))
        except PeerstudyError as exc:
            raise WorkflowError(f"peerstudy: {exc}") from None
    try:
        checked = check_config(raw, source=source)
        registry = load_study_registry(checked)
    except PeerstudyError as exc:
        raise WorkflowError(f"peerstudy: {exc}") from None
    return checked, registry


# check_config validates against workflow/schemas/config.schema.yaml itself (with
# messages that name the closest valid key) and fills the defaults the schema
# declares. Snakemake's validate() is not called as well: it would repeat that check
# with raw jsonschema messages and import pandas on every call.
_checked, REGISTRY = _checked_config()
config.clear()
config.update(_checked)

STUDY = config["study"]["id"]
QUESTIONNAIRES = has_questionnaires(config)  # False for a qualitative-only study
SYNTHETIC = config["study"]["synthetic"]
PROCESSED = f"data/processed/{STUDY}"
RESULTS = f"results/{STUDY}"
REPORT = f"reports/{STUDY}"
FIG = f"reports/{STUDY}/figures"
LOGS = f"logs/{STUDY}"
BENCH = f"benchmarks/out/{STUDY}"  # per-job time and memory (Snakemake benchmark:)
TRIAL = config.get("analysis", {}).get("trial") if QUESTIONNAIRES else None
SCREENING = config.get("trial", {}).get("screening") if TRIAL else None


def code_of(script):
    """A rule's `code` input: the digest of everything `scripts/<script>.py` runs.

    Snakemake reruns a job when its script changes, not when a module the script
    imports does. The digest covers the script's import closure in src/peerstudy
    (peerstudy.codebase); it is rewritten only when that code changed, so a job
    reruns exactly when its code did, and its header names one file.
    """
    return code_digest_file(f"scripts/{script}.py", WORKFLOW_ROOT)


def settings(rule_name, **values):
    """A rule's params, `params: **settings("<rule>", ...)`: also written to the rule's
    settings file (peerstudy.codebase.settings_file), rewritten only when they change,
    which the rule takes as its `settings` input. A change of the config that a rule
    uses reruns the rule through that file; Snakemake's own params check is left out
    (workflow/profiles/default: rerun-triggers), because it imports pandas on every
    call, no-ops included."""
    settings_file(STUDY, rule_name, values)
    return values


def settings_of(rule_name):
    """A rule's `settings` input: the file that settings() writes for it."""
    return f"{SETTINGS}/{STUDY}/{rule_name}.json"


def software(script):
    """A rule's conda environment (used with --sdm conda): generated from uv.lock for
    the packages `scripts/<script>.py` imports (peerstudy.envs)."""
    return f"../envs/{script}.yaml"


def raw_inputs():
    """The roster (if the study has one) and every questionnaire export, in config order
    (none without questionnaires)."""
    if not QUESTIONNAIRES:
        return []
    roster = [config["participants_file"]["path"]] if "participants_file" in config else []
    return roster + [f["path"] for f in config["raw_files"]]


def registry_yaml():
    """The instrument files scoring depends on: editing one reruns scoring."""
    return registry_files(config["registry"]["dirs"])


def ingest_settings():
    """Everything ingestion reads from the config (a change here reruns ingestion)."""
    keys = [
        "study",
        "sites",
        "groups",
        "timepoints",
        "schedule",
        "missing_codes",
        "validation",
        "participants_file",
        "participants_from",
        "raw_files",
    ]
    return {key: config[key] for key in keys if key in config}


def response_ranges():
    """Each instrument's forms and their item ranges: all ingestion needs from the registry."""
    return form_ranges(REGISTRY)


def ingestion_conventions():
    """Attendance, declared missing values and instrument forms, for conventions.json."""
    from peerstudy.exports import ingestion_conventions as conventions

    return conventions(config, form_ranges(REGISTRY))


def participant_variable_names():
    from peerstudy.config import participant_variables

    return list(participant_variables(config))


def analysis_conventions():
    from peerstudy.conventions import conventions

    return conventions(config["analysis"])


def design_settings():
    """Groups, schedule and timepoints: the statistics need them for the attrition analysis."""
    return {
        "groups": config["groups"],
        "schedule": config["schedule"],
        "timepoints": config["timepoints"],
    }


def syntax_design():
    """What the R/SPSS syntax needs besides the plan: groups, schedule, timepoints, sites."""
    return {key: config[key] for key in ("groups", "schedule", "timepoints", "sites")}


def score_outputs():
    """Calibration against the published means, for synthetic studies only."""
    if SYNTHETIC and QUESTIONNAIRES:
        return {"calibration": f"{RESULTS}/validation/calibration.csv"}
    return {}


def statistics_outputs():
    """Calibration against the published p-values, for synthetic studies only."""
    if SYNTHETIC and QUESTIONNAIRES:
        return {"calibration_tests": f"{RESULTS}/validation/calibration_tests.csv"}
    return {}


def qualitative_exports():
    return [e["path"] for e in config.get("qualitative", {}).get("exports", [])]


def agreement_exports():
    """The two coders' exports compared by the agreement rule."""
    return [c["path"] for c in config.get("qualitative", {}).get("agreement", {}).get("coders", [])]


def raw_exports():
    """Every raw export the run reads, once each: roster, questionnaires, coding exports
    (both coders' for agreement), a trial's screening log. The run record hashes each."""
    return list(
        dict.fromkeys(
            raw_inputs() + qualitative_exports() + agreement_exports() + trial_raw_inputs()
        )
    )


def themes_file():
    """The study's themes file, when it declares one (a study file the record hashes)."""
    themes = config.get("qualitative", {}).get("themes")
    return [themes] if themes else []


def qualitative_inputs():
    """The study's themes file (and its schema) and the two coders' exports, when declared."""
    qual = config.get("qualitative", {})
    files = {}
    if qual.get("themes"):
        files["themes"] = qual["themes"]
        files["schema"] = "workflow/schemas/themes.schema.yaml"
    if qual.get("agreement"):
        files["coders"] = [c["path"] for c in qual["agreement"]["coders"]]
    return files


def qualitative_settings():
    """What reading the exports, the themes and the agreement depend on (the joint
    display has its own rules and inputs)."""
    qual = config.get("qualitative", {})
    return {k: v for k, v in qual.items() if k != "joint_display"}


def export_settings():
    """What reading the exports alone depends on (for the joint display's exemplars)."""
    qual = config.get("qualitative", {})
    return {k: v for k, v in qual.items() if k not in ("joint_display", "agreement", "themes")}


def qualitative_table_outputs():
    """Themes and quotations, and the agreement tables, when the study declares them."""
    qual = config.get("qualitative", {})
    out = {}
    if qual.get("themes"):
        out["themes"] = f"{RESULTS}/qualitative/themes.csv"
        out["quotations"] = f"{RESULTS}/qualitative/quotations.csv"
    if qual.get("agreement"):
        out["agreement"] = f"{RESULTS}/qualitative/agreement.csv"
        out["disagreements"] = f"{RESULTS}/qualitative/agreement_disagreements.csv"
    return out


def qualitative_conventions():
    """The qualitative settings conventions.json records (not the declarations' wording)."""
    qual = config.get("qualitative")
    if not qual:
        return None
    out = {k: qual[k] for k in ("agreement", "themes") if k in qual}
    if "joint_display" in qual:
        out["joint_display"] = {"test": qual["joint_display"]["test"]}
    return out


def meta_inference_checks():
    """The joint display's checks, shown in the validation report when declared."""
    if config.get("qualitative", {}).get("joint_display") and QUESTIONNAIRES:
        return {"meta_inferences": f"{RESULTS}/validation/meta_inferences.csv"}
    return {}


def qualitative_outputs():
    if not config.get("qualitative"):
        return []
    qual = config["qualitative"]
    out = [
        f"{RESULTS}/qualitative/{name}.csv"
        for name in ("code_groups", "codes", "code_sources", "totals")
    ]
    if qual.get("cfir"):
        out.append(f"{RESULTS}/qualitative/cfir_matrix.csv")
    out += list(qualitative_table_outputs().values())
    if qual.get("joint_display"):
        out += [
            f"{RESULTS}/joint_display.csv",
            f"{RESULTS}/validation/meta_inferences.csv",
            f"{RESULTS}/qualitative/joint_display_undeclared.csv",
        ]
    return out


# ---- a randomised trial (analysis.trial): rules/trial.smk ------------------------------


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
    return {
        "screening": f"{RESULTS}/validation/screening_issues.csv",
        "screening_accounting": f"{RESULTS}/validation/screening_accounting.json",
    }


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
    return {
        **{k: config[k] for k in keys if k in config},
        "analysis": {k: v for k, v in config["analysis"].items() if k != "within"},
    }


def figure_names():
    """The study's figures: the flow diagram (questionnaires; a trial draws its CONSORT
    diagram instead), those the config asks for, and the code groups (qualitative)."""
    figs = config.get("figures", {})
    names = ["flow"] if QUESTIONNAIRES and not TRIAL else []
    names += [n for n in ("trajectories", "pre_post", "copm") if n in figs]
    names += trial_figure_names()
    if config.get("qualitative"):
        names.append("code_groups")
    return names


def final_figures():
    return [f"{FIG}/{name}.png" for name in figure_names()]


def figure_outputs():
    """One PNG per figure, each shown in `snakemake --report` with its caption."""
    return {
        name: report(f"{FIG}/{name}.png", caption=f"../report/fig_{name}.rst", category="Figures")
        for name in figure_names()
    }


def figure_inputs():
    files = {}
    if QUESTIONNAIRES:
        files |= {
            "scores": f"{RESULTS}/scores.csv",
            "participants": f"{PROCESSED}/participants.csv",
            "registry": registry_yaml(),
        }
    if TRIAL:
        files["consort"] = f"{RESULTS}/consort.csv"
    if config.get("qualitative"):
        files["code_groups"] = f"{RESULTS}/qualitative/code_groups.csv"
    return files


def manuscript_project():
    """The study's Quarto project: the folder reporting.manuscript names."""
    return config["reporting"]["manuscript"]


def manuscript_sources():
    """Every file of the authors' Quarto project: editing one re-renders the paper."""
    root = Path(manuscript_project())
    if not (root / "manuscript.qmd").is_file():
        raise WorkflowError(
            f"peerstudy: {', '.join(CONFIGFILES)}: the study's manuscript project "
            f"'{root}' has no manuscript.qmd — write one (`uv run peerstudy new-study "
            f"{STUDY}` scaffolds it) or point reporting.manuscript at the study's Quarto "
            "project folder."
        )
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


def table_names():
    from peerstudy.report import table_names as names

    return names(config)


def report_tables():
    return [f"{REPORT}/tables/{name}.md" for name in table_names()]


def report_results():
    """The results files the values and tables are computed from (a qualitative-only
    study has no questionnaire results)."""
    files = {}
    if QUESTIONNAIRES:
        files |= {
            "tests": f"{RESULTS}/tests.csv",
            "descriptives": f"{RESULTS}/descriptives.csv",
            "demographics": f"{RESULTS}/demographics.csv",
            "reliability": f"{RESULTS}/reliability.csv",
            "rci_summary": f"{RESULTS}/rci_summary.csv",
            "participants": f"{PROCESSED}/participants.csv",
            "instrument_forms": f"{RESULTS}/instrument_forms.csv",
        }
    if config.get("qualitative"):
        files["code_groups"] = f"{RESULTS}/qualitative/code_groups.csv"
        files["codes"] = f"{RESULTS}/qualitative/codes.csv"
        files["qual_totals"] = f"{RESULTS}/qualitative/totals.csv"
        if config["qualitative"].get("cfir"):
            files["cfir"] = f"{RESULTS}/qualitative/cfir_matrix.csv"
        if config["qualitative"].get("joint_display"):
            # the checked declarations, of which joint_display.csv is the gated copy: the
            # values read them here and apply the same gate (integration.gate), so that
            # the manuscript need not wait for the copy
            files["joint_display"] = f"{RESULTS}/validation/meta_inferences.csv"
            files["joint_undeclared"] = f"{RESULTS}/qualitative/joint_display_undeclared.csv"
        if config["qualitative"].get("themes"):
            files["themes"] = f"{RESULTS}/qualitative/themes.csv"
            files["quotations"] = f"{RESULTS}/qualitative/quotations.csv"
        if config["qualitative"].get("agreement"):
            files["agreement"] = f"{RESULTS}/qualitative/agreement.csv"
    files |= trial_report_results()
    if SYNTHETIC and QUESTIONNAIRES:
        files["calibration"] = f"{RESULTS}/validation/calibration.csv"
        files["calibration_tests"] = f"{RESULTS}/validation/calibration_tests.csv"
    return files


def config_overrides():
    """The --config overrides of this invocation, read from the command line."""
    import sys

    overrides, taking = [], False
    for arg in sys.argv[1:]:
        if arg in ("--config", "-C"):
            taking = True
        elif arg.startswith("-"):
            taking = False
        elif taking:
            overrides.append(arg)
    return overrides


def run_command():
    """The command that regenerates these outputs: the config file(s) and any --config
    overrides (the number of cores changes nothing in the outputs, so it is left out)."""
    import shlex

    parts = ["uv run snakemake"]
    parts += [f"--configfile {c}" for c in CONFIGFILES if c != DEFAULT_CONFIG]
    if config_overrides():
        parts.append("--config " + " ".join(shlex.quote(o) for o in config_overrides()))
    return " ".join(parts)


def report_design():
    """What the values and tables need from the config."""
    keys = (
        "study",
        "sites",
        "groups",
        "timepoints",
        "schedule",
        "analysis",
        "reporting",
        "qualitative",
        "trial",
        "power",
    )
    design = {k: config[k] for k in keys if k in config}
    design["variables"] = config.get("participants_file", {}).get("variables", {})
    if TRIAL:  # the trial's table of exports and forms
        design["raw_files"] = [
            {k: f[k] for k in ("id", "format", "sep", "timepoint") if k in f}
            for f in config["raw_files"]
        ]
    return design


def final_outputs():
    outputs = []
    if QUESTIONNAIRES:
        outputs += [
            f"{PROCESSED}/items.csv",
            f"{PROCESSED}/participants.csv",
            f"{RESULTS}/validation/issues.csv",
            f"{RESULTS}/validation/report.md",
            f"{RESULTS}/scores.csv",
            f"{RESULTS}/reliability.csv",
            f"{RESULTS}/descriptives.csv",
            f"{RESULTS}/tests.csv",
            f"{RESULTS}/rci.csv",
            f"{RESULTS}/instrument_forms.csv",
        ]
        outputs += [f"{RESULTS}/syntax/{name}" for name in syntax_files(config["analysis"])]
    outputs.append(f"{RESULTS}/conventions.json")
    outputs += trial_outputs()
    outputs += qualitative_outputs()
    outputs += final_figures()
    outputs += [
        f"{REPORT}/{doc}.{fmt}"
        for doc in ("manuscript", "supplement")
        for fmt in config["reporting"]["formats"]
    ]
    if config.get("power"):
        outputs += [f"{RESULTS}/power.csv", f"{REPORT}/power/power.html"]
    if SYNTHETIC and QUESTIONNAIRES:
        outputs.append(f"{RESULTS}/validation/calibration.csv")
        outputs.append(f"{RESULTS}/validation/calibration_tests.csv")
    return outputs


_RUN = {}


def run_started():
    """Before the first job: what will run and why (for the summary at the end)."""
    import time

    from peerstudy.summary import plan

    _RUN["since"] = time.time()
    _RUN["plan"] = plan(workflow)


def run_succeeded():
    """The summary at the end of a successful run: where the paper is, the validation
    issues by rule, synthetic data or not, what reran and why."""
    import sys

    from peerstudy.summary import success

    print(success(config, _RUN.get("plan", []), final_outputs()), file=sys.stderr)


def run_failed():
    """The failed job, its log and its message."""
    import sys

    from peerstudy.summary import failure

    print(failure(STUDY, LOGS, _RUN.get("since", 0)), file=sys.stderr)
