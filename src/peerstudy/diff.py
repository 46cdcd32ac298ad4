"""`peerstudy diff A B`: which results changed between two runs, row by row.

For a reviewer who changed one option: copy results/<study> aside, rerun,
and list the files, rows and cells that differ. ``compare_tables`` is the row
matching that ``peerstudy verify`` uses too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# Columns that identify a row, per results file (RESULTS_CONTRACT.md). Files not named
# here are keyed by their leading text columns; a key that repeats is told apart by
# its occurrence (files are stably sorted, so the n-th repeat matches the n-th).
KEYS = {
    "tests.csv": ["site", "group", "instrument", "scale", "test", "factor", "contrast",
                  "timepoint", "effect_name", "comparison"],
    "descriptives.csv": ["site", "group", "instrument", "scale", "timepoint"],
    "scores.csv": ["participant_id", "timepoint", "instrument", "scale"],
    "items.csv": ["participant_id", "timepoint", "instrument", "item"],
    "participants.csv": ["participant_id"],
    "reliability.csv": ["group", "instrument", "scale", "timepoint"],
    "rci.csv": ["participant_id", "instrument", "scale", "from", "to"],
    "rci_summary.csv": ["group", "instrument", "scale", "from", "to"],
    "demographics.csv": ["group", "variable", "level"],
    "instrument_forms.csv": ["file_id", "instrument"],
    "issues.csv": ["file", "row", "column", "participant_id", "timepoint", "rule"],
    "ingest_issues.csv": ["file", "row", "column", "participant_id", "timepoint", "rule"],
    "scoring_issues.csv": ["file", "row", "column", "participant_id", "timepoint", "rule"],
    "calibration.csv": ["group", "instrument", "scale", "timepoint"],
    "calibration_tests.csv": ["group", "instrument", "scale", "contrast", "test"],
    "joint_display.csv": ["domain", "instrument", "scale", "group", "contrast"],
    "meta_inferences.csv": ["domain", "instrument", "scale", "group", "contrast"],
    "joint_display_undeclared.csv": ["domain", "group", "instrument", "scale", "contrast"],
    "agreement.csv": ["level", "group", "code"],
    "code_groups.csv": ["group"],
    "codes.csv": ["group", "code"],
    "code_sources.csv": ["code", "source"],
    "cfir_matrix.csv": ["cfir_domain", "source"],
    "themes.csv": ["theme", "source"],
    "quotations.csv": ["theme", "quotation"],
    "provenance.csv": ["variable"],
}


@dataclass
class TableDiff:
    """How two versions of one results table differ, row by row.

    Rows are matched by their key columns (``keys``); ``removed`` and ``added``
    are the row keys found in only one version, ``changed`` lists each
    differing cell as ``(row key, column, value in a, value in b)``, and
    ``cells`` counts the cells compared. Each row key is a tuple of
    ``(column, value)`` pairs, with ``("#", n)`` added to the n-th repeat of a
    key that occurs more than once.
    """

    keys: list[str]
    cells: int = 0
    removed: list[tuple] = field(default_factory=list)
    added: list[tuple] = field(default_factory=list)
    changed: list[tuple] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return (len(self.removed) + len(self.added) + len(self.changed)
                + len(self.columns_removed) + len(self.columns_added))


def key_text(key: tuple, named: bool = False) -> str:
    """A row key as ``psw | ssq | total`` (or ``group=psw, instrument=ssq, ...``)."""
    if named:
        return ", ".join(f"{col}={val}" for col, val in key)
    return " | ".join(str(val) if col != "#" else f"#{val}" for col, val in key)


def _key_columns(name: str, frame: pd.DataFrame) -> list[str]:
    if name in KEYS:
        return [c for c in KEYS[name] if c in frame.columns]
    keys = []
    for col in frame.columns:
        if frame[col].dtype.kind in "fiu":
            break
        keys.append(col)
    return keys or list(frame.columns[:1])


def _row_keys(frame: pd.DataFrame, keys: list[str]) -> list[tuple]:
    seen: dict[tuple, int] = {}
    out = []
    for values in frame[keys].itertuples(index=False, name=None):
        key = tuple(zip(keys, values, strict=True))
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else (*key, ("#", seen[key])))
    return out


def _same(a: str, b: str, tol: float) -> bool:
    """Two cells (their text) are the same: the same text or, with a tolerance, numbers
    no further apart than it."""
    if a == b:
        return True
    if tol > 0:
        try:
            return abs(float(a) - float(b)) <= tol
        except ValueError:
            return False
    return False


def compare_tables(a: Path, b: Path, tol: float = 0.0) -> TableDiff:
    """Match the rows of two CSV files by their key columns and compare every cell.

    Parameters
    ----------
    a, b : Path
        Two versions of one results table (the key columns come from ``a``'s name).
    tol : float
        Numbers closer than this count as equal; 0 compares the text exactly.

    Returns
    -------
    TableDiff
    """
    # Every cell as the text in the file ("" when empty), so that nothing is read as missing.
    left, right = (pd.read_csv(p, dtype=str, keep_default_na=False) for p in (a, b))
    keys = _key_columns(Path(a).name, pd.read_csv(a, nrows=50))
    keys = [k for k in keys if k in right.columns] or keys
    out = TableDiff(keys=keys,
                    columns_removed=[c for c in left.columns if c not in right.columns],
                    columns_added=[c for c in right.columns if c not in left.columns])
    if any(k not in right.columns for k in keys):
        return out
    rows_a = dict(zip(_row_keys(left, keys), left.to_dict("records"), strict=True))
    rows_b = dict(zip(_row_keys(right, keys), right.to_dict("records"), strict=True))
    out.removed = [k for k in rows_a if k not in rows_b]
    out.added = [k for k in rows_b if k not in rows_a]
    value_cols = [c for c in left.columns if c not in keys and c in right.columns]
    out.cells = len(rows_a) * len(left.columns)
    for key, rec_a in rows_a.items():
        rec_b = rows_b.get(key)
        if rec_b is None:
            continue
        for col in value_cols:
            if not _same(rec_a[col], rec_b[col], tol):
                out.changed.append((key, col, rec_a[col], rec_b[col]))
    return out


def diff_table(a: Path, b: Path, tol: float = 0.0) -> list[str]:
    found = compare_tables(a, b, tol)
    lines = [f"  - column removed: {c}" for c in found.columns_removed]
    lines += [f"  + column added:   {c}" for c in found.columns_added]
    lines += [f"  - removed: {key_text(k)}" for k in sorted(found.removed)]
    lines += [f"  + added:   {key_text(k)}" for k in sorted(found.added)]
    by_row: dict[tuple, list[str]] = {}
    for key, col, va, vb in found.changed:
        by_row.setdefault(key, []).append(f"{col}: {va} -> {vb}")
    lines += [f"  ~ {key_text(key)}: " + "; ".join(changes) for key, changes in by_row.items()]
    return lines


def diff_dirs(a: str | Path, b: str | Path, tol: float = 0.0) -> list[str]:
    a, b = Path(a), Path(b)
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    out = [f"only in {a}: {p}" for p in sorted(files_a - files_b)]
    out += [f"only in {b}: {p}" for p in sorted(files_b - files_a)]
    for rel in sorted(files_a & files_b):
        pa, pb = a / rel, b / rel
        if pa.read_bytes() == pb.read_bytes():
            continue
        if rel.suffix == ".csv":
            lines = diff_table(pa, pb, tol)
            if lines:
                out.append(f"{rel}: {len(lines)} row(s) differ")
                out += lines
        elif rel.suffix == ".json":
            ja, jb = (json.loads(p.read_text(encoding="utf-8")) for p in (pa, pb))
            out.append(f"{rel}: differs")
            out += [f"  ~ {line}" for line in json_diff(ja, jb)]
        else:
            out.append(f"{rel}: differs (binary or text)")
    return out


def json_diff(a, b, path="") -> list[str]:
    """Each leaf that differs between two JSON documents, as ``path: a -> b``."""
    if isinstance(a, dict) and isinstance(b, dict):
        lines = []
        for key in sorted(set(a) | set(b)):
            lines += json_diff(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return lines
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]


def json_leaves(doc) -> int:
    """How many leaves (values that are not objects) a JSON document has."""
    if isinstance(doc, dict):
        return sum(json_leaves(v) for v in doc.values())
    return 1
