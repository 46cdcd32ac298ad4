"""The joint display's gate: a flagged meta-inference without a justification stops
the build.

Free of numpy and pandas: the ``joint_display`` job only reads the checked
declarations (one small CSV), applies the gate and copies the file, so the
scientific stack's start-up would be most of its time. ``peerstudy.integration.gate``
applies the same check to a table already read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from peerstudy.errors import DataError


def check_gate(rows: Iterable[Mapping]) -> None:
    """Stop the build when a declaration is flagged and carries no justification.

    Parameters
    ----------
    rows : iterable of mappings
        The rows of ``validation/meta_inferences.csv`` (columns ``domain``,
        ``meta_inference``, ``check``; a justified flag reads 'justified: ...').

    Raises
    ------
    DataError
        Naming every flagged declaration and the fix.
    """
    flagged = [r for r in rows if str(r["check"]).startswith("flagged")]
    if not flagged:
        return
    lines = "; ".join(f"'{r['domain']}' ({r['meta_inference']}): "
                      f"{str(r['check']).removeprefix('flagged: ')}" for r in flagged)
    raise DataError(
        f"qualitative.joint_display: {len(flagged)} declared meta-inference(s) do not fit the "
        f"quantitative results — {lines}. Declare the meta-inference the numbers support, or "
        "keep it and say why under the domain's `justification:` (see "
        "validation/meta_inferences.csv and validation/report.md)."
    )


def gate_file(path: str | Path) -> None:
    """:func:`check_gate` on a CSV file of the checked declarations (read as text)."""
    with open(path, encoding="utf-8", newline="") as handle:
        check_gate(csv.DictReader(handle))
