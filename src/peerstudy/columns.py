"""Reading one raw export's columns as a study needs them.

An export is read once (``peerstudy.io``); these helpers say what kind each
column is (CSV text, SPSS number, string or date), turn ids and codes into
text the way a person types them (101.0 -> '101'), decode coded columns
through the config's maps, and interpret SPSS user-missing declarations
(discrete codes and ranges, LO/HI). Every problem stops with the file, row
and column named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peerstudy.errors import DataError, closest
from peerstudy.io import read_delimited, read_sav

# SPSS print formats that hold dates or times (the letters before the width).
DATE_FORMATS = {"DATE", "ADATE", "EDATE", "JDATE", "SDATE", "QYR", "MOYR", "WKYR", "DATETIME",
                "YMDHMS", "TIME", "DTIME", "MTIME", "WKDAY", "MONTH", "DATETIMEMS"}


@dataclass
class Export:
    """One raw file as read: its cells, its SPSS metadata (if any), where it came from."""

    path: str
    frame: pd.DataFrame
    spec: dict
    formats: dict = field(default_factory=dict)        # SPSS print formats ({} for CSV)
    value_labels: dict = field(default_factory=dict)
    declared: dict = field(default_factory=dict)       # column -> [(lo, hi)], honoured
    ignored: dict = field(default_factory=dict)        # declared, but declared_missing: false
    notes: list = field(default_factory=list)          # how ids/codes were read (report.md)

    @property
    def is_sav(self) -> bool:
        return self.spec["format"] == "sav"

    def where(self, row: int, column: str | None = None) -> str:
        col = f", column {column}" if column else ""
        return f"{self.path}, row {row + 1}{col}"

    def kind(self, column: str) -> str:
        """'text' (a CSV cell), 'string' or 'number' (SPSS), or 'date' (SPSS date/time)."""
        if not self.is_sav:
            return "text"
        fmt = self.formats.get(column, "")
        letters = fmt.rstrip("0123456789.")
        if letters in DATE_FORMATS:
            return "date"
        return "string" if letters.startswith("A") else "number"


def read_export(spec: dict, base: Path) -> Export:
    path = base / spec["path"]
    if spec["format"] == "sav":
        frame, meta = read_sav(path, shown=spec["path"])
        declared = {col: [(r["lo"], r["hi"]) for r in ranges]
                    for col, ranges in meta.missing_ranges.items()}
        honour = spec.get("declared_missing", True)
        return Export(spec["path"], frame, spec, dict(meta.original_variable_types),
                      dict(meta.variable_value_labels), declared if honour else {},
                      {} if honour else declared)
    frame = read_delimited(path, spec["encoding"], spec["sep"], spec["decimal"], shown=spec["path"])
    return Export(spec["path"], frame, spec)


def require_columns(export: Export, columns: dict[str, str]) -> None:
    """Every named column exists; ``columns`` maps each to what it is for."""
    present = list(export.frame.columns)
    for col, purpose in columns.items():
        if col not in present:
            raise DataError(
                f"{export.path}: column '{col}' ({purpose}) is missing{closest(col, present)} — "
                "rename the column in the export or fix the name in the config."
            )
    dupes = sorted({c for c in present if present.count(c) > 1 and str(c).strip()})
    if dupes:
        raise DataError(f"{export.path}: column '{dupes[0]}' appears twice — keep one.")


def require_kind(export: Export, column: str, purpose: str, allowed: tuple[str, ...]) -> None:
    kind = export.kind(column)
    if kind in allowed:
        return
    fmt = export.formats.get(column, "")
    if kind == "date":
        raise DataError(
            f"{export.path}, column {column}: holds dates or times (SPSS format {fmt}), but it is "
            f"read as {purpose} — check the config's variable name for it, or give the "
            "variable a numeric format (F) in SPSS/PSPP and export again."
        )
    raise DataError(
        f"{export.path}, column {column}: is a string variable (SPSS format {fmt}), but "
        f"{purpose} must be numeric — check the config's variable name for it, or convert it "
        f"in SPSS/PSPP (ALTER TYPE {column} (F8.0).) and export again."
    )


def cell_text(values) -> np.ndarray:
    """Cells as text, the way a person would type them: 101.0 -> '101'; blanks -> None."""
    series = pd.Series(values)
    out = np.full(len(series), None, dtype=object)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(arr)
        whole = finite & (arr == np.floor(arr)) & (np.abs(arr) < 2**53)
        out[whole] = arr[whole].astype(np.int64).astype(str).tolist()
        rest = ~np.isnan(arr) & ~whole
        out[rest] = [repr(float(v)) for v in arr[rest]]
        return out
    present = series.notna().to_numpy()
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        stripped = series[present].astype(str).str.strip().to_numpy(dtype=object)
        stripped[stripped == ""] = None
        out[present] = stripped
        return out
    for i, value in enumerate(series.to_numpy(dtype=object)):
        if not present[i]:
            continue
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
        out[i] = text or None
    return out


def code_text(export: Export, column: str) -> np.ndarray:
    """An id or code column as text, the same whichever software wrote the file.

    A .sav file holds numbers, which :func:`cell_text` writes as a person types
    them (101.0 -> '101'). A text export holds what its writer printed: SPSS's
    'Save as CSV' prints an F8.2 id as '101.00', pandas prints a float column
    (an id column with one blank) as '101.0', R's write.csv2 a double as
    '101,0'. Read as text, '101.00' would be a participant other than the '101'
    of the .sav file (or a code missing from the config's mapping). So a whole
    number followed by the file's decimal mark and zeros is read as the whole
    number, as it is from a .sav file; the integer part is kept as written
    (leading zeros stay), and each column so read is named once in the file's
    warnings (report.md). A spreadsheet that shows numbers with thousands
    separators writes them so into its CSV (LibreOffice and Excel save cells as
    shown: the id 1050 of a '#,##0' cell as '1,050'); digits grouped in threes by
    the mark that is not the file's decimal mark are read as that whole number
    too, and said the same way. Nothing else is changed: '101.5' or '1,05' stay
    as they are and are checked like any code.
    """
    text = cell_text(export.frame[column])
    if export.is_sav:
        return text
    decimal = export.spec.get("decimal", ".")
    mark, group = re.escape(decimal), re.escape("," if decimal == "." else ".")
    readings = (
        ("written with decimal zeros", re.compile(rf"^([+-]?\d+){mark}0+$")),
        ("written with thousands separators",
         re.compile(rf"^([+-]?\d{{1,3}}(?:{group}\d{{3}})+)(?:{mark}0+)?$")),
    )
    for how, pattern in readings:
        changed = []
        for i, value in enumerate(text):
            if value is not None and (match := pattern.match(value)):
                changed.append(value)
                text[i] = re.sub(group, "", match.group(1))
        if changed:
            whole = re.sub(group, "", pattern.match(changed[0])[1])
            note = (f"column {column}: {len(changed)} value(s) {how} (e.g. "
                    f"'{changed[0]}') were read as whole numbers (e.g. '{whole}'), as a .sav "
                    "file's numbers are")
            if note not in export.notes:
                export.notes.append(note)
    return text


def export_warnings(export: Export) -> list[str]:
    """What report.md must say about how a file was read (before any issue row)."""
    return [*export.notes, *declared_missing_warnings(export)]


def clean_id(value) -> str | None:
    """Participant ids as text: 101.0 from SPSS becomes '101'; blanks are None."""
    return cell_text([value])[0]


def declared_mask(values: np.ndarray, ranges: list) -> np.ndarray:
    """Where numeric cells fall in the file's declared user-missing values or ranges."""
    mask = np.zeros(len(values), dtype=bool)
    for lo, hi in ranges:
        if isinstance(lo, str) or isinstance(hi, str):
            continue
        with np.errstate(invalid="ignore"):
            mask |= (values >= lo) & (values <= hi)
    return mask


def describe_declared(ranges: list) -> str:
    """A declaration as SPSS syntax writes it: '9', '88 THRU 99', 'LO THRU -1', "'X'"."""
    def num(x):
        if isinstance(x, str):
            return repr(x)
        if np.isinf(x):
            return "LO" if x < 0 else "HI"
        return f"{x:g}"
    parts = [num(lo) if lo == hi else f"{num(lo)} THRU {num(hi)}" for lo, hi in ranges]
    return ", ".join(parts)


# ---- coded columns --------------------------------------------------------------------------

def decode(export: Export, spec, what: str, rows: np.ndarray, required: bool = True) -> np.ndarray:
    """A fixed id from the config, or the id each row's coded column maps to.

    ``rows`` are the rows to check; a code the mapping lacks stops the run. An
    empty (or declared-missing) cell stops the run when ``required``, and is
    None otherwise.
    """
    n = len(export.frame)
    if isinstance(spec, str):
        return np.full(n, spec, dtype=object)
    col = spec["column"]
    require_kind(export, col, f"the {what} code", ("text", "string", "number"))
    keys = code_text(export, col)
    declared = np.zeros(n, dtype=bool)
    if export.declared.get(col):
        if export.kind(col) == "number":
            declared = declared_mask(export.frame[col].to_numpy(dtype=float), export.declared[col])
        else:
            codes = {lo for lo, hi in export.declared[col] if lo == hi}
            declared = np.isin(keys.astype(str), list(codes)) & (keys != None)  # noqa: E711
    mapping = {str(k): v for k, v in spec["values"].items()}
    out = np.array([mapping.get(k) for k in keys], dtype=object)
    for row in rows:
        if out[row] is not None and not declared[row]:
            continue
        if keys[row] is None or declared[row]:
            if not required:
                out[row] = None
                continue
            how = ("holds a declared missing value " + repr(keys[row]) if declared[row]
                   else "is empty")
            raise DataError(
                f"{export.where(row, col)}: the {what} code {how} — every row needs a {what}; "
                "fill it in the export."
            )
        raise DataError(
            f"{export.where(row, col)}: {what} code '{keys[row]}' is not in the config's "
            f"mapping ({', '.join(f'{k}={v}' for k, v in mapping.items())}) — add it to "
            f"{what}.values in the config or correct the export."
        )
    out[declared] = None
    return out


def issue(file, row, column, pid, tp, value, rule, action) -> dict:
    return {"file": file, "row": row, "column": column, "participant_id": pid,
            "timepoint": tp, "value": value, "rule": rule, "action": action}


def log_identifiers(export: Export, issues: list[dict], secrets: set[str] | None = None) -> None:
    for col in export.spec.get("identifiers", []):
        if col in export.frame.columns:
            issues.append(issue(export.path, None, col, None, None, "(not copied)",
                                "identifier_dropped", "column dropped"))
            if secrets is not None:
                secrets |= {v for v in cell_text(export.frame[col]) if v}


def blank_rows(export: Export) -> np.ndarray:
    """Rows where every cell is empty (blank lines, trailing separators, empty cases)."""
    frame = export.frame
    if frame.shape[1] == 0:
        return np.zeros(len(frame), dtype=bool)
    empty = np.array(frame.isna().to_numpy(), dtype=bool)  # a writable copy
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            text = column.astype("string").str.strip()
            empty[:, j] |= (text == "").fillna(False).to_numpy(dtype=bool)
    return empty.all(axis=1)


def optional_codes(export: Export, spec: dict, what: str, rows: np.ndarray,
                   issues: list[dict], ids: np.ndarray) -> np.ndarray:
    """A sociodemographic or drop-out column: blanks and declared missing become None."""
    out = decode(export, spec, what, rows, required=False)
    col = spec["column"]
    if export.declared.get(col):
        keys = code_text(export, col)
        values = (export.frame[col].to_numpy(dtype=float) if export.kind(col) == "number"
                  else None)
        for row in rows:
            if keys[row] is None:
                continue
            hit = (declared_mask(values[row:row + 1], export.declared[col])[0]
                   if values is not None else
                   any(lo == hi == keys[row] for lo, hi in export.declared[col]))
            if hit:
                issues.append(issue(export.path, row + 1, col, ids[row], None, keys[row],
                                    "missing_code", "set missing (declared missing in the file: "
                                    f"{describe_declared(export.declared[col])})"))
    return out


def declared_missing_warnings(export: Export) -> list[str]:
    if not export.ignored:
        return []
    listed = "; ".join(f"{col}: {describe_declared(r)}"
                       for col, r in sorted(export.ignored.items()))
    return [f"the file's own missing-value declarations were NOT applied "
            f"(declared_missing: false), so these codes were read as answers: {listed}"]
