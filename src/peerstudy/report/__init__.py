"""The manuscript layer: values and tables from the results, and the renderer.

This module stays free of heavy imports: the Snakefile reads ``table_names``
while building the DAG.
"""

FIXED_TABLES = ["demographics", "measures", "omnibus", "mixed", "rci", "attrition",
                "categorical"]


def table_names(config: dict) -> list[str]:
    """Every generated table of a study (``reports/<id>/tables/<name>.md``): the fixed
    ones, two per within-person comparison, one per between-group comparison, and the
    qualitative and synthetic-data tables when the study has them. Must list exactly
    the names ``peerstudy.report.build.table_builders`` builds (a test checks this)."""
    analysis = config.get("analysis", {})
    names = list(FIXED_TABLES) if config.get("raw_files") else []
    for spec in analysis.get("within", []):
        names += [f"within_{spec['id']}", f"descriptives_{spec['id']}"]
    names += [f"arms_{spec['id']}" for spec in analysis.get("arm_models", [])]
    names += [f"between_{spec['id']}" for spec in analysis.get("between", [])]
    names += trial_table_names(config)
    if uncovered_instruments(config):
        names.append("by_site")
    if config.get("qualitative", {}).get("cfir"):
        names.append("cfir")
    qual = config.get("qualitative", {})
    if qual:
        names.append("code_groups")
    if qual.get("themes"):
        names += ["themes", "quotations"]
    if qual.get("agreement"):
        names.append("agreement")
    if qual.get("joint_display"):
        names.append("joint_display")
    if config.get("study", {}).get("synthetic") and config.get("raw_files"):
        names.append("calibration")
    return names


def trial_table_names(config: dict) -> list[str]:
    """A randomised trial's tables (analysis.trial), and its reporting checklist."""
    spec = config.get("analysis", {}).get("trial")
    names = []
    if spec and config.get("raw_files"):
        names += ["trial_baseline", "trial_primary", "trial_secondary", "trial_sensitivity",
                  "trial_forms", "trial_variance", "trial_deviations"]
        if spec.get("by_site"):
            names.append("trial_by_site")
        if spec.get("fidelity"):
            names.append("trial_fidelity")
    if config.get("reporting", {}).get("checklist"):
        names.append("checklist")
    return names


def uncovered_instruments(config: dict) -> list[str]:
    """Instruments of the schedule that no comparison over time analyses (shown by site)."""
    analysis = config.get("analysis", {})
    covered = {(spec["group"], inst) for spec in analysis.get("within", [])
               for inst in spec["instruments"]}
    covered |= {(arm, inst) for spec in analysis.get("arm_models", [])
                for arm in spec["arms"] for inst in spec["instruments"]}
    trial = analysis.get("trial")
    if trial:  # the trial's outcomes, and its fidelity index (its own table)
        covered |= {(arm, o["instrument"]) for arm in trial["arms"] for o in trial["outcomes"]}
        if trial.get("fidelity"):
            covered |= {(g, trial["fidelity"]["instrument"]) for g in config.get("schedule", {})}
    found = []
    for group, plan in config.get("schedule", {}).items():
        for instruments in plan.values():
            found += [i for i in instruments if (group, i) not in covered and i not in found]
    return found
