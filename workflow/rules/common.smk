# Config checks and the small named look-ups every rule uses.
# Light imports only: this runs on every snakemake call, including no-ops.

import os

from snakemake.exceptions import WorkflowError

from peerstudy.config import check_config, has_questionnaires, load_study_registry
from peerstudy.errors import PeerstudyError
from peerstudy.instruments import form_ranges, registry_files
from peerstudy.syntax import SYNTAX_TEMPLATES, syntax_files


DEFAULT_CONFIG = "config/config.yaml"
CONFIGFILES = [os.path.relpath(f) for f in workflow.configfiles] or [DEFAULT_CONFIG]


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
# messages that name the closest valid key) and fills the defaults. Snakemake's
# validate() is not called as well: it would repeat that check with raw
# jsonschema messages and import pandas on every call, +0.2 s per no-op run.
_checked, REGISTRY = _checked_config()
config.clear()
config.update(_checked)

STUDY = config["study"]["id"]
QUESTIONNAIRES = has_questionnaires(config)  # False for a qualitative-only study
PROCESSED = f"data/processed/{STUDY}"
RESULTS = f"results/{STUDY}"
LOGS = f"logs/{STUDY}"
BENCH = f"benchmarks/out/{STUDY}"  # per-rule time and memory (Snakemake benchmark:)


def code(*modules):
    """The peerstudy modules a rule runs: inputs, so that editing one reruns the rule.

    Snakemake tracks a rule's own script but not the package it imports.
    """
    base = ["rule", "errors", "io"]
    return [f"src/peerstudy/{m.replace('.', '/')}.py" for m in [*base, *modules]]


STATS = ["analysis", "conventions", "stats/__init__", "stats/parametric", "stats/nonparametric",
         "stats/effsize", "stats/mixed", "stats/multiplicity", "stats/mi", "trial"]


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
    keys = ["study", "sites", "groups", "timepoints", "schedule", "missing_codes",
            "validation", "participants_file", "participants_from", "raw_files"]
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


def tests_settings():
    """The analysis plan minus what only descriptives use (quantiles)."""
    plan = {k: v for k, v in config["analysis"].items() if k != "conventions"}
    conv = dict(config["analysis"].get("conventions", {}))
    conv.pop("quantiles", None)
    return {**plan, "conventions": conv}


def design_settings():
    """Groups and schedule: the tests rule needs them for the attrition analysis."""
    return {"groups": config["groups"], "schedule": config["schedule"],
            "timepoints": config["timepoints"]}


def syntax_design():
    """What the R/SPSS syntax needs besides the plan: groups, schedule, timepoints, sites."""
    return {key: config[key] for key in ("groups", "schedule", "timepoints", "sites")}


def qualitative_exports():
    return [e["path"] for e in config.get("qualitative", {}).get("exports", [])]


def agreement_exports():
    """The two coders' exports compared by the agreement rule."""
    return [c["path"] for c in config.get("qualitative", {}).get("agreement", {}).get("coders", [])]


def qualitative_settings():
    """What reading the exports depends on (themes, agreement and the joint display
    have their own rules and inputs)."""
    qual = config.get("qualitative", {})
    return {k: v for k, v in qual.items() if k not in ("joint_display", "agreement", "themes")}


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
        return {"meta_inferences": f"{RESULTS}/validation/meta_inferences.csv",
                "integration": code("integration")}
    return {}


def qualitative_outputs():
    if not config.get("qualitative"):
        return []
    qual = config["qualitative"]
    out = [f"{RESULTS}/qualitative/{name}.csv"
           for name in ("code_groups", "codes", "code_sources", "totals")]
    if qual.get("cfir"):
        out.append(f"{RESULTS}/qualitative/cfir_matrix.csv")
    if qual.get("themes"):
        out += [f"{RESULTS}/qualitative/themes.csv", f"{RESULTS}/qualitative/quotations.csv"]
    if qual.get("agreement"):
        out += [f"{RESULTS}/qualitative/agreement.csv",
                f"{RESULTS}/qualitative/agreement_disagreements.csv"]
    if qual.get("joint_display"):
        out += [f"{RESULTS}/joint_display.csv", f"{RESULTS}/validation/meta_inferences.csv",
                f"{RESULTS}/qualitative/joint_display_undeclared.csv"]
    return out


def final_figures():
    figs = config.get("figures", {})
    names = ["flow"] if QUESTIONNAIRES else []
    names += [n for n in ("trajectories", "pre_post", "copm") if n in figs]
    names += trial_figure_names()
    if config.get("qualitative"):
        names.append("code_groups")
    return [f"reports/{STUDY}/figures/{n}.{ext}" for n in names for ext in ("png", "svg")]


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
    outputs += [f"reports/{STUDY}/{doc}.{fmt}" for doc in ("manuscript", "supplement")
                for fmt in config["reporting"]["formats"]]
    if config.get("power"):
        outputs += [f"{RESULTS}/power.csv", f"reports/{STUDY}/power/power.html"]
    if config["study"]["synthetic"] and QUESTIONNAIRES:
        outputs.append(f"{RESULTS}/validation/calibration.csv")
        outputs.append(f"{RESULTS}/validation/calibration_tests.csv")
    return outputs
