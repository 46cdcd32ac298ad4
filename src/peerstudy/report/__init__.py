"""The manuscript: numbers from the results files, words derived from them, rendering.

This module stays free of heavy imports: the Snakefile reads ``table_names``
while building the DAG.
"""

FIXED_TABLES = ["measures", "demographics", "attrition", "omnibus", "mixed", "rci", "codes",
                "joint", "calibration", "section_results", "section_sensitivity",
                "section_qualitative", "section_appendix"]


def table_names(analysis: dict) -> list[str]:
    """Every generated table the manuscript may include: the fixed ones plus one per
    within-person comparison of the plan."""
    return FIXED_TABLES + [f"within_{c['id']}" for c in analysis.get("within", [])]
