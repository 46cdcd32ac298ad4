"""Raw exports -> one validated long item table and a participant roster.

Only the columns the config names are read into the outputs (id, site,
timepoint, mapped items, sociodemographics), so a direct identifier can never
reach ``data/processed/``. Every value that is set missing or excluded is
logged; every problem a person must fix stops with file, row and column named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peerstudy.config import scheduled_timepoints, timepoint_ids
from peerstudy.errors import DataError, closest
from peerstudy.io import read_delimited, read_sav

ITEM_COLUMNS = ["participant_id", "site", "group", "timepoint", "instrument", "item", "value"]


@dataclass
class Export:
    """One raw file as read: its cells, its SPSS metadata (if any), where it came from."""

    path: str
    frame: pd.DataFrame
    value_labels: dict
    spec: dict

    def where(self, row: int, column: str | None = None) -> str:
        col = f", column {column}" if column else ""
        return f"{self.path}, row {row + 1}{col}"


@dataclass
class IngestResult:
    items: pd.DataFrame
    participants: pd.DataFrame
    issues: list[dict]
    accounting: list[dict]
    identifier_columns: set[str]
    identifier_values: set[str]  # kept in memory for the privacy guard, never written


def read_export(spec: dict, base: Path) -> Export:
    path = base / spec["path"]
    if spec["format"] == "sav":
        frame, meta = read_sav(path, shown=spec["path"])
        return Export(spec["path"], frame, dict(meta.variable_value_labels), spec)
    frame = read_delimited(path, spec["encoding"], spec["sep"], spec["decimal"], shown=spec["path"])
    return Export(spec["path"], frame, {}, spec)


def require_columns(export: Export, columns: list[str], purpose: str) -> None:
    present = list(export.frame.columns)
    for col in columns:
        if col not in present:
            raise DataError(
                f"{export.path}: column '{col}' ({purpose}) is missing{closest(col, present)} — "
                "rename the column in the export or fix the name in the config."
            )
    dupes = sorted({c for c in present if present.count(c) > 1})
    if dupes:
        raise DataError(f"{export.path}: column '{dupes[0]}' appears twice — keep one.")


def clean_id(value) -> str | None:
    """Participant ids as text: 101.0 from SPSS becomes '101'; blanks are None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def decode(export: Export, spec, row: int, what: str) -> str:
    """A fixed id from the config, or the id a coded column maps to on this row."""
    if isinstance(spec, str):
        return spec
    raw = export.frame.at[row, spec["column"]]
    key = clean_id(raw)
    mapping = {str(k): v for k, v in spec["values"].items()}
    if key not in mapping:
        raise DataError(
            f"{export.where(row, spec['column'])}: {what} code '{key}' is not in the config's "
            f"mapping ({', '.join(f'{k}={v}' for k, v in mapping.items())}) — add it to "
            f"{what}.values in the config or correct the export."
        )
    return mapping[key]


def item_columns(spec: dict, instrument: str, item_ids: list[str]) -> dict[str, str]:
    """{item id: variable name in the export} from a template or an explicit mapping."""
    mapping = spec["instruments"][instrument]
    if isinstance(mapping, dict):
        return {item: mapping[item] for item in item_ids}
    return {item: mapping.format(n=pos) for pos, item in enumerate(item_ids, start=1)}


def read_roster(config: dict, base: Path, issues: list[dict], secrets: set[str]):
    spec = config["participants_file"]
    export = read_export(spec, base)
    variables = spec["variables"]
    needed = [spec["id_column"]]
    for key in ("group", "site"):
        if not isinstance(spec[key], str):
            needed.append(spec[key]["column"])
    needed += [v["column"] for v in variables.values()]
    if "dropout_reason" in spec:
        needed.append(spec["dropout_reason"]["column"])
    require_columns(export, needed, "named in participants_file")
    log_identifiers(export, issues, secrets)
    records, seen = [], {}
    for row in range(len(export.frame)):
        pid = clean_id(export.frame.at[row, spec["id_column"]])
        if pid is None:
            raise DataError(f"{export.where(row, spec['id_column'])}: empty participant id.")
        if pid in seen:
            raise DataError(
                f"{export.where(row, spec['id_column'])}: participant id {pid} is listed twice "
                f"in the roster (also row {seen[pid] + 1}) — each participant once."
            )
        seen[pid] = row
        rec = {
            "participant_id": pid,
            "site": decode(export, spec["site"], row, "site"),
            "group": decode(export, spec["group"], row, "group"),
        }
        for name, var in variables.items():
            rec[name] = optional_code(export, var, row, name)
        if "dropout_reason" in spec:
            rec["dropout_reason"] = optional_code(export, spec["dropout_reason"], row, "dropout")
        records.append(rec)
    roster = pd.DataFrame(records)
    return roster, {
        "file": export.path, "rows_read": len(export.frame), "rows_kept": len(roster),
        "rows_excluded": 0, "values_missing": 0,
    }


def optional_code(export: Export, spec: dict, row: int, what: str):
    raw = export.frame.at[row, spec["column"]]
    if clean_id(raw) is None:
        return None
    return decode(export, spec, row, what)


def log_identifiers(export: Export, issues: list[dict], secrets: set[str] | None = None) -> None:
    for col in export.spec.get("identifiers", []):
        if col in export.frame.columns:
            issues.append(issue(export.path, None, col, None, None, "(not copied)",
                                "identifier_dropped", "column dropped"))
            if secrets is not None:
                secrets |= {str(v).strip() for v in export.frame[col].dropna() if str(v).strip()}


def issue(file, row, column, pid, tp, value, rule, action) -> dict:
    return {"file": file, "row": row, "column": column, "participant_id": pid,
            "timepoint": tp, "value": value, "rule": rule, "action": action}


class ValueParser:
    """Turns one export cell into a valid answer or NaN, logging what it changed."""

    def __init__(self, config: dict, export: Export):
        self.policy = config["validation"]
        self.codes = {str(k).strip(): v for k, v in config["missing_codes"].items()}
        self.export = export
        self.decimal = export.spec.get("decimal", ".")

    def parse(self, raw, row, column, pid, tp, low, high, issues) -> float:
        text = "" if raw is None else str(raw).strip()
        if isinstance(raw, float):
            if math.isnan(raw):
                return np.nan
            text = str(int(raw)) if raw.is_integer() else repr(raw)
        if text == "":
            return np.nan
        if text in self.codes:
            issues.append(issue(self.export.path, row + 1, column, pid, tp, text, "missing_code",
                                f"set missing ({self.codes[text]})"))
            return np.nan
        try:
            number = float(text.replace(self.decimal, ".") if self.decimal != "." else text)
        except ValueError:
            return self._reject(text, row, column, pid, tp, low, high, issues, "non_numeric")
        if not (low <= number <= high) or not number.is_integer():
            return self._reject(text, row, column, pid, tp, low, high, issues, "out_of_range")
        return number

    def _reject(self, text, row, column, pid, tp, low, high, issues, rule) -> float:
        key = "on_out_of_range" if rule == "out_of_range" else "on_non_numeric"
        what = "not a number" if rule == "non_numeric" else f"expected {low:g}-{high:g}"
        if self.policy[key] == "stop":
            raise DataError(
                f"{self.export.where(row, column)} (id {pid}): got {text!r}, {what} — fix the "
                f"export, or set validation.{key}: missing to log it and treat it as missing."
            )
        issues.append(issue(self.export.path, row + 1, column, pid, tp, text, rule,
                            f"set missing ({what})"))
        return np.nan


def check_value_labels(export: Export, column: str, low: int, high: int, codes: dict) -> None:
    labels = export.value_labels.get(column, {})
    missing = {str(k) for k in codes}
    for code, label in sorted(labels.items()):
        if clean_id(code) in missing:
            continue
        if not (low <= float(code) <= high):
            raise DataError(
                f"{export.path}, column {column}: value label {code:g} = '{label}' lies outside "
                f"the registry's response range {low}-{high} — the export uses another coding "
                "(e.g. 0-4 instead of 1-5): recode it, or declare the code as missing."
            )


def read_questionnaire(export, config, ranges, roster_index, issues, seen, secrets):
    spec = export.spec
    cols = [spec["id_column"]] + [
        spec[k]["column"] for k in ("group", "site", "timepoint") if not isinstance(spec[k], str)
    ]
    maps = {}
    for inst in spec["instruments"]:
        maps[inst] = item_columns(spec, inst, list(ranges[inst]))
        cols += list(maps[inst].values())
    require_columns(export, cols, "named in the config")
    log_identifiers(export, issues, secrets)
    parser = ValueParser(config, export)
    for inst, mapping in maps.items():
        for item, column in mapping.items():
            check_value_labels(export, column, *ranges[inst][item], config["missing_codes"])
    rows, excluded, n_missing = [], 0, 0
    frame = export.frame
    for row in range(len(frame)):
        pid = clean_id(frame.at[row, spec["id_column"]])
        if pid is None:
            raise DataError(f"{export.where(row, spec['id_column'])}: empty participant id.")
        group = decode(export, spec["group"], row, "group")
        site = decode(export, spec["site"], row, "site")
        tp = decode(export, spec["timepoint"], row, "timepoint")
        if pid not in roster_index:
            if config["validation"]["on_unknown_participant"] == "stop":
                raise DataError(
                    f"{export.where(row, spec['id_column'])}: participant {pid} is not in the "
                    f"roster ({config['participants_file']['path']}) — add them to the roster, "
                    "correct the id, or set validation.on_unknown_participant: exclude."
                )
            issues.append(issue(export.path, row + 1, spec["id_column"], pid, tp, pid,
                                "unknown_participant", "row excluded"))
            excluded += 1
            continue
        check_consistent(export, row, pid, group, site, tp, roster_index[pid], config)
        for inst, mapping in maps.items():
            key = (pid, tp, inst)
            if key in seen:
                raise DataError(
                    f"{export.where(row, spec['id_column'])}: participant {pid} already has "
                    f"{inst} answers at {tp} ({seen[key]}) — remove the duplicate row."
                )
            seen[key] = export.where(row)
            for item, column in mapping.items():
                value = parser.parse(frame.at[row, column], row, column, pid, tp,
                                     *ranges[inst][item], issues)
                n_missing += int(np.isnan(value))
                rows.append((pid, site, group, tp, inst, item, value))
    acc = {"file": export.path, "rows_read": len(frame), "rows_kept": len(frame) - excluded,
           "rows_excluded": excluded, "values_missing": n_missing}
    return rows, acc


def check_consistent(export, row, pid, group, site, tp, roster_row, config) -> None:
    for what, value in (("group", group), ("site", site)):
        if roster_row[what] != value:
            raise DataError(
                f"{export.where(row)}: participant {pid} is {what} '{value}' here but "
                f"'{roster_row[what]}' in the roster ({config['participants_file']['path']}) — "
                f"a participant keeps one {what} across files; correct the id or the {what}."
            )
    scheduled = scheduled_timepoints(config, group)
    if tp not in scheduled:
        raise DataError(
            f"{export.where(row)}: participant {pid} ({group}) has answers at {tp}, but group "
            f"'{group}' is scheduled only at {', '.join(scheduled)} — fix the timepoint or "
            "the config's schedule."
        )


def ingest(config: dict, ranges: dict, base: str | Path = ".") -> IngestResult:
    """Read the roster and every questionnaire export named in ``config``."""
    base = Path(base)
    issues: list[dict] = []
    secrets: set[str] = set()
    roster, roster_acc = read_roster(config, base, issues, secrets)
    roster_index = roster.set_index("participant_id").to_dict("index")
    rows, accounting, seen = [], [roster_acc], {}
    for spec in config["raw_files"]:
        export = read_export(spec, base)
        file_rows, acc = read_questionnaire(export, config, ranges, roster_index, issues, seen,
                                            secrets)
        rows += file_rows
        accounting.append(acc)
    items = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    items = items.sort_values(["participant_id", "timepoint", "instrument", "item"],
                              kind="mergesort").reset_index(drop=True)
    check_baseline(items, roster, config, issues)
    participants = attendance(roster, items, config, issues)
    columns = {c for spec in [config["participants_file"], *config["raw_files"]]
               for c in spec.get("identifiers", [])}
    return IngestResult(items, participants, issues, accounting, columns, secrets)


def check_baseline(items: pd.DataFrame, roster: pd.DataFrame, config: dict, issues) -> None:
    """A participant with data at a later timepoint must have a baseline (first) visit."""
    seen = items.groupby("participant_id")["timepoint"].agg(set).to_dict()
    groups = roster.set_index("participant_id")["group"].to_dict()
    for pid in sorted(seen):
        first = scheduled_timepoints(config, groups[pid])[0]
        if first in seen[pid]:
            continue
        later = ", ".join(sorted(seen[pid]))
        if config["validation"]["on_missing_baseline"] == "stop":
            raise DataError(
                f"participant {pid} has data at {later} but none at baseline {first} — check "
                f"the id in the {first} export (a typo?), or set "
                "validation.on_missing_baseline: keep to analyse them without a baseline."
            )
        issues.append(issue("(roster)", None, f"attended_{first}", pid, first, later,
                            "missing_baseline", "kept without baseline"))


def attendance(roster: pd.DataFrame, items: pd.DataFrame, config: dict, issues) -> pd.DataFrame:
    """One column per timepoint: attended (True/False) where scheduled, empty otherwise."""
    present = set(zip(items["participant_id"], items["timepoint"], strict=True))
    out = roster.copy()
    for tp in timepoint_ids(config):
        col = []
        for rec in out.itertuples():
            if tp not in scheduled_timepoints(config, rec.group):
                col.append(pd.NA)
                continue
            here = (rec.participant_id, tp) in present
            if not here:
                reason = getattr(rec, "dropout_reason", None)
                issues.append(issue("(roster)", None, f"attended_{tp}", rec.participant_id, tp,
                                    reason or "", "not_attended", "no data at this timepoint"))
            col.append(here)
        out[f"attended_{tp}"] = pd.array(col, dtype="boolean")
    if "dropout_reason" in out:
        out = out[[c for c in out.columns if c != "dropout_reason"] + ["dropout_reason"]]
    return out.sort_values(["participant_id"], kind="mergesort").reset_index(drop=True)
