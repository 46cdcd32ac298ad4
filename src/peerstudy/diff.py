"""`peerstudy diff A B`: which results changed between two runs, row by row.

For a reviewer who changed one option: copy results/<study> aside, rerun,
and list the files, rows and cells that differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

# Columns that identify a row, per results file (RESULTS_CONTRACT.md).
KEYS = {
    "tests.csv": ["site", "group", "instrument", "scale", "test", "factor", "contrast",
                  "timepoint", "effect_name"],
    "descriptives.csv": ["site", "group", "instrument", "scale", "timepoint"],
    "scores.csv": ["participant_id", "timepoint", "instrument", "scale"],
    "reliability.csv": ["group", "instrument", "scale", "timepoint"],
    "rci.csv": ["participant_id", "instrument", "scale", "from", "to"],
    "issues.csv": ["file", "row", "column", "participant_id", "timepoint", "rule"],
}


def _key_columns(name: str, frame: pd.DataFrame) -> list[str]:
    if name in KEYS:
        return [c for c in KEYS[name] if c in frame.columns]
    keys = []
    for col in frame.columns:
        if frame[col].dtype.kind in "fiu":
            break
        keys.append(col)
    return keys or list(frame.columns[:1])


def _same(a, b, tol: float) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return abs(float(a) - float(b)) <= tol
    return str(a) == str(b)


def diff_table(a: Path, b: Path, tol: float = 0.0) -> list[str]:
    left, right = pd.read_csv(a, dtype=str), pd.read_csv(b, dtype=str)
    keys = _key_columns(a.name, pd.read_csv(a, nrows=50))
    for frame in (left, right):
        frame["_key"] = frame[keys].fillna("").agg(" | ".join, axis=1)
    lines = []
    only_a = sorted(set(left["_key"]) - set(right["_key"]))
    only_b = sorted(set(right["_key"]) - set(left["_key"]))
    lines += [f"  - removed: {k}" for k in only_a] + [f"  + added:   {k}" for k in only_b]
    merged = left.merge(right, on="_key", suffixes=("_a", "_b"))
    value_cols = [c for c in left.columns if c not in keys and c != "_key" and c in right.columns]
    for rec in merged.to_dict("records"):
        changes = []
        for col in value_cols:
            va, vb = rec[f"{col}_a"], rec[f"{col}_b"]
            try:
                fa, fb = float(va), float(vb)
                same = _same(fa, fb, tol)
            except (TypeError, ValueError):
                same = _same(va, vb, tol)
            if not same:
                changes.append(f"{col}: {va} -> {vb}")
        if changes:
            lines.append(f"  ~ {rec['_key']}: " + "; ".join(changes))
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
            out += [f"  ~ {line}" for line in _json_diff(ja, jb)]
        else:
            out.append(f"{rel}: differs (binary or text)")
    return out


def _json_diff(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        lines = []
        for key in sorted(set(a) | set(b)):
            lines += _json_diff(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return lines
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]
