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
    names = list(FIXED_TABLES)
    for spec in analysis.get("within", []):
        names += [f"within_{spec['id']}", f"descriptives_{spec['id']}"]
    names += [f"arms_{spec['id']}" for spec in analysis.get("arm_models", [])]
    names += [f"between_{spec['id']}" for spec in analysis.get("between", [])]
    if config.get("qualitative"):
        names.append("code_groups")
    if config.get("study", {}).get("synthetic"):
        names.append("calibration")
    return names
