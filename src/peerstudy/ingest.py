"""Raw exports -> one validated long item table and a participant list.

Only the columns the config names are read into the outputs (id, site,
timepoint, mapped items, sociodemographics), so a direct identifier can never
reach ``data/processed/``. Every value that is set missing or excluded is
logged; every problem a person must fix stops with file, row and column named.

Answers are validated a column at a time (numpy), and every value that is
changed is still logged one by one. A file is either long (one row per
participant x timepoint) or wide (one row per participant, a block of columns
per timepoint; ``peerstudy.exports``). A participant attended a timepoint when
at least one item has a valid answer there (or the file's attendance column
says so); empty visits are not written to ``items.csv`` and are logged
``not_attended`` with the file and row. SPSS user-missing declarations are
honoured by default (``peerstudy.columns``). The participant list is the
roster file, or is derived from the exports themselves
(``peerstudy.participants``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peerstudy.columns import (
    Export,
    blank_rows,
    cell_text,
    code_text,
    declared_mask,
    decode,
    describe_declared,
    export_warnings,
    issue,
    log_identifiers,
    read_export,
    require_columns,
    require_kind,
)
from peerstudy.config import scheduled_timepoints, timepoint_ids
from peerstudy.errors import DataError
from peerstudy.exports import (
    at_timepoint,
    blocks,
    coded_values,
    file_forms,
    file_timepoints,
    is_wide,
)
from peerstudy.exports import item_variables as exports_item_variables
from peerstudy.participants import DerivedRoster, Roster

ITEM_COLUMNS = ["participant_id", "site", "group", "timepoint", "instrument", "item", "value",
                "form"]
FORM_COLUMNS = ["file_id", "file", "instrument", "form", "language", "version", "response_min",
                "response_max", "sites", "groups", "timepoints", "analysed_on", "rescaled",
                "citation"]


# ---- answers --------------------------------------------------------------------------------

class Answers:
    """Validates item columns of one export a column at a time, logging each change."""

    def __init__(self, config: dict, export: Export):
        self.policy = config["validation"]
        self.codes = {str(k).strip(): v for k, v in config["missing_codes"].items()}
        self.numeric_codes = {float(k): k for k in self.codes if _is_number_text(k)}
        self.export = export
        self.decimal = export.spec.get("decimal", ".")
        self.stop: tuple | None = None  # (row, order, message) of the first answer to stop at

    def parse(self, column: str, low: float, high: float, rows: np.ndarray, order: int,
              ids: np.ndarray, tps: np.ndarray, issues: list[dict]) -> np.ndarray:
        """Valid answers of ``rows`` of ``column``; NaN where blank, coded or rejected."""
        export = self.export
        raw = export.frame[column]
        if export.is_sav:
            number = raw.to_numpy(dtype=float)[rows]
            blank = np.isnan(number)
            config_code = np.isin(number, list(self.numeric_codes)) & ~blank
            declared = declared_mask(number, export.declared.get(column, [])) & ~blank
            not_number = np.zeros(len(rows), dtype=bool)
            text = None
        else:
            text = cell_text(raw.to_numpy(dtype=object)[rows])
            blank = text == None  # noqa: E711 (elementwise)
            declared = np.zeros(len(rows), dtype=bool)
            cells = pd.Series(text, dtype=object)
            if self.decimal != ".":
                # a '.' in a file whose decimal mark is ',' is not a number of that file:
                # '3.0' (a decimal point from other software) or '3.000' (3000, grouped)
                # cannot be told apart, so neither is read as a number (non_numeric)
                cells = cells.where(~cells.str.contains(".", regex=False, na=False), "x")
                cells = cells.str.replace(self.decimal, ".", regex=False)
            number = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
            # a numeric code is the same code however the export prints it: SPSS's
            # 'Save as CSV' writes 99 of an F8.2 variable as '99.00', R's readr
            # write_csv2 as '99,0'; as text they missed the code '99' and were logged
            # out_of_range (a typing slip) instead of missing_code
            config_code = ((np.isin(text.astype(str), list(self.codes))
                            | np.isin(number, list(self.numeric_codes))) & ~blank)
            not_number = ~blank & ~config_code & np.isnan(number)
        coded = config_code | declared
        valid = ~blank & ~coded & ~not_number
        with np.errstate(invalid="ignore"):
            outside = valid & ((number < low) | (number > high) | (number != np.floor(number)))
        values = np.where(valid & ~outside, number, np.nan)
        flagged = coded | not_number | outside
        if not flagged.any():
            return values
        shown = text if text is not None else np.full(len(rows), None, dtype=object)
        if text is None:
            shown[flagged] = cell_text(number[flagged])
        actions: dict[tuple, str] = {}
        for k in np.flatnonzero(coded):
            key = (shown[k], bool(declared[k]), bool(config_code[k]))
            if key not in actions:
                actions[key] = self._missing_action(column, number[k], *key)
            issues.append(issue(export.path, int(rows[k]) + 1, column, ids[rows[k]],
                                tps[rows[k]], shown[k], "missing_code", actions[key]))
        for rule, mask in (("non_numeric", not_number), ("out_of_range", outside)):
            for k in np.flatnonzero(mask):
                self._reject(shown[k], int(rows[k]), column, order, ids[rows[k]], tps[rows[k]],
                             low, high, issues, rule)
        return values

    def _missing_action(self, column, number, text, declared, configured) -> str:
        parts = []
        if declared:
            parts.append("declared missing in the file: "
                         f"{describe_declared(self.export.declared[column])}")
            label = self.export.value_labels.get(column, {}).get(number)
            if label:
                parts.append(f"value label '{label}'")
        if configured:
            key = text if text in self.codes else self.numeric_codes.get(number, str(text))
            parts.append(f"missing_codes: {self.codes.get(key)}")
        return f"set missing ({'; '.join(parts)})"

    def _reject(self, text, row, column, order, pid, tp, low, high, issues, rule) -> None:
        key = "on_out_of_range" if rule == "out_of_range" else "on_non_numeric"
        what = "not a number" if rule == "non_numeric" else f"expected {low:g}-{high:g}"
        if self.policy[key] == "stop":
            # text such as 'NA' (R), '.' (Stata, SAS) or '#N/A' (Excel) is how other
            # software writes "no value": say how to declare it, not only how to fix it
            code = ""
            if rule == "non_numeric" and set(str(text)) == {"*"}:
                code = (" (SPSS and PSPP write asterisks when a value does not fit its "
                        "variable's print format, e.g. 99 in F1.0: the value itself is lost — "
                        "widen the format, FORMATS x (F8.0)., and export the CSV again)")
            elif rule == "non_numeric":
                other = "," if self.decimal == "." else "."
                code = (f", or set decimal: '{other}' for this file if it writes decimals "
                        f"with '{other}'" if _is_number_text_loose(str(text).replace(other, "."))
                        else f", or add {text!r} to missing_codes if it means no answer")
            if self.stop is None or (row, order) < self.stop[:2]:
                self.stop = (row, order, (
                    f"{self.export.where(row, column)} (id {pid}): got {text!r}, {what} — fix the "
                    f"export{code}, or set validation.{key}: missing to log it and treat it as "
                    "missing."
                ))
            return
        issues.append(issue(self.export.path, row + 1, column, pid, tp, text, rule,
                            f"set missing ({what})"))


def _is_number_text_loose(text: str) -> bool:
    """Text pandas would read as a finite number ('4.0', ' 4')."""
    value = pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0]
    return bool(np.isfinite(value))


def _is_number_text(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return cell_text([value])[0] == text


def check_value_labels(export: Export, column: str, low: int, high: int, codes: dict,
                       inst: str, form: str, forms: dict) -> None:
    """Value labels outside the form's range reveal another coding (0-4 for 1-5).

    A label stops the run when its code lies just outside the range (0 or 6 for
    1-5: the scale is shifted or longer) or occurs in the column, unless the code
    is declared missing (in the file or the config). Labels of other codes
    (e.g. -9 'Refused' on every variable, declared missing on some) describe
    codes this column does not use, and are left alone.
    """
    labels = export.value_labels.get(column, {})
    if not labels:
        return
    missing = {str(k) for k in codes}
    ranges = export.declared.get(column, [])
    used = None
    for code, label in sorted(((c, v) for c, v in labels.items() if not isinstance(c, str))):
        if low <= float(code) <= high:
            continue
        if cell_text([code])[0] in missing or declared_mask(np.array([code]), ranges)[0]:
            continue
        if used is None:
            used = set(np.unique(export.frame[column].dropna().to_numpy(dtype=float)).tolist())
        if code not in used and code not in (low - 1, high + 1):
            continue
        fits = [f for f, info in forms[inst]["forms"].items() if f != form
                and all(r[0] <= code <= r[1] for r in info["items"].values())]
        other = (f", or choose another form of {inst} for this file "
                 f"(forms.{inst}: {fits[0]})" if fits else "")
        raise DataError(
            f"{export.path}, column {column}: value label {code:g} = '{label}' lies outside "
            f"the registry's response range {low}-{high} (form {form}) — the export uses "
            f"another coding (e.g. 0-4 instead of 1-5): recode it, or declare the code as "
            f"missing{other}."
        )


# ---- one questionnaire file -----------------------------------------------------------------

@dataclass
class Block:
    """The rows of one file that hold one instrument at one timepoint."""

    file: int
    inst: str
    form: str
    items: list[str]
    rows: np.ndarray          # row numbers (0-based) in the file
    tps: np.ndarray           # the timepoint of each row
    values: np.ndarray        # (len(rows), len(items)) valid answers, NaN where missing


@dataclass
class FileRead:
    export: Export
    index: int
    ids: np.ndarray           # participant id per row (None where blank/unknown)
    groups: np.ndarray
    sites: np.ndarray
    kept: np.ndarray          # rows that belong to the study
    blocks: list[Block]
    visits: list[tuple]       # (pid, tp, row, answered, explicit attendance)
    issues: list[dict]
    excluded: int


def read_questionnaire(index: int, export: Export, config: dict, forms: dict, roster,
                       secrets: set[str]) -> FileRead:
    """Validate one questionnaire export (long or wide) into blocks of answers."""
    spec = export.spec
    schedule = config["schedule"]
    chosen = file_forms(spec, forms)
    layout = []
    needed = {spec["id_column"]: "participant id"}
    for key in ("group", "site", "timepoint"):
        if isinstance(spec[key], dict) and "column" in spec[key]:
            needed[spec[key]["column"]] = f"{key} code"
    for tp, inst in blocks(spec, schedule):
        items = list(forms[inst]["forms"][chosen[inst]]["items"])
        columns = exports_item_variables(spec, inst, items, tp)
        layout.append((tp, inst, items, columns))
        for column in columns.values():
            needed[column] = f"{inst}" + (f" at {tp}" if tp else "") + ", named in the config"
    attendance = spec.get("attendance")
    tps_of_file = file_timepoints(spec)
    if attendance:
        for tp in (tps_of_file if is_wide(spec) else [None]):
            needed[_at(attendance["column"], spec, tp)] = "attendance"
    require_columns(export, needed)
    issues: list[dict] = []
    log_identifiers(export, issues, secrets)
    id_col = spec["id_column"]
    require_kind(export, id_col, "the participant id", ("text", "string", "number"))
    n = len(export.frame)
    blank = blank_rows(export)
    ids = code_text(export, id_col)
    if export.declared.get(id_col) and export.kind(id_col) == "number":
        ids[declared_mask(export.frame[id_col].to_numpy(dtype=float),
                          export.declared[id_col])] = None
    active = np.flatnonzero(~blank)
    for row in np.flatnonzero(blank):
        issues.append(issue(export.path, int(row) + 1, None, None, None, "",
                            "blank_row", "row excluded (every cell empty)"))
    for row in active:
        if ids[row] is None:
            raise DataError(f"{export.where(row, id_col)}: empty participant id.")
    groups = decode(export, spec["group"], "group", active)
    sites = decode(export, spec["site"], "site", active)
    row_tps = (None if is_wide(spec) else decode(export, spec["timepoint"], "timepoint", active))
    kept = np.zeros(n, dtype=bool)
    excluded = int(blank.sum())
    for row in active:
        pid, tp = ids[row], (row_tps[row] if row_tps is not None else None)
        if not roster.admit(export, row, pid, groups[row], sites[row], tp, issues):
            excluded += 1
            continue
        if tp is not None:
            check_scheduled(export, row, pid, groups[row], tp, config)
        kept[row] = True
    ids = np.where(kept, ids, None)
    parser = Answers(config, export)
    block_list = []
    tp_per_row = row_tps if row_tps is not None else np.full(n, None, dtype=object)
    order = 0
    for tp, inst, items, columns in layout:
        rows = [r for r in np.flatnonzero(kept)
                if inst in schedule[groups[r]].get(tp if tp else tp_per_row[r], [])]
        rows = np.array(rows, dtype=int)
        tps = np.array([tp] * len(rows) if tp else tp_per_row[rows], dtype=object)
        row_tp = tp_per_row if tp is None else np.full(n, tp, dtype=object)
        ranges = forms[inst]["forms"][chosen[inst]]["items"]
        values = np.empty((len(rows), len(items)))
        for j, item in enumerate(items):
            low, high = ranges[item]
            column = columns[item]
            require_kind(export, column, f"an answer to {inst}", ("text", "number"))
            check_value_labels(export, column, low, high, config["missing_codes"], inst,
                               chosen[inst], forms)
            values[:, j] = parser.parse(column, low, high, rows, order, ids, row_tp, issues)
            order += 1
        block_list.append(Block(index, inst, chosen[inst], items, rows, tps, values))
    if parser.stop:
        raise DataError(parser.stop[2])
    # the log reads like the file: row by row, columns in the config's order within a row
    issues.sort(key=lambda rec: -1 if rec["row"] is None else rec["row"])
    visits = collect_visits(export, block_list, ids, tp_per_row, kept, attendance)
    return FileRead(export, index, ids, groups, sites, kept, block_list, visits, issues, excluded)


def _at(name: str, spec: dict, tp: str | None) -> str:
    return at_timepoint(name, spec, tp)


def collect_visits(export, block_list, ids, tp_per_row, kept, attendance) -> list[tuple]:
    """(pid, tp, row, answered items, explicit attendance) per row x timepoint of a file."""
    answered: dict[tuple[int, str], int] = {}
    for block in block_list:
        counts = np.sum(~np.isnan(block.values), axis=1)
        for row, tp, k in zip(block.rows.tolist(), block.tps.tolist(), counts.tolist(),
                              strict=True):
            answered[(row, tp)] = answered.get((row, tp), 0) + k
    spec = export.spec
    visits = []
    codes: dict[str, np.ndarray] = {}
    for (row, tp), k in answered.items():
        explicit = None
        if attendance:
            column = _at(attendance["column"], spec, tp if is_wide(spec) else None)
            if column not in codes:
                codes[column] = code_text(export, column)
            code = codes[column][row]
            values = {str(c): v for c, v in attendance["values"].items()}
            if code is not None:
                if code not in values:
                    raise DataError(
                        f"{export.where(row, column)}: attendance code '{code}' is not in the "
                        f"config's mapping ({', '.join(f'{c}={v}' for c, v in values.items())})"
                        " — add it to attendance.values or correct the export."
                    )
                explicit = values[code] == "attended"
                if not explicit and k:
                    raise DataError(
                        f"{export.where(row, column)} (id {ids[row]}): the attendance column "
                        f"says not attended at {tp}, but {k} item(s) are answered — correct the "
                        "attendance code or the answers in the export."
                    )
        visits.append((ids[row], tp, row, k, explicit))
    return visits


def check_scheduled(export, row, pid, group, tp, config) -> None:
    scheduled = scheduled_timepoints(config, group)
    if tp not in scheduled:
        raise DataError(
            f"{export.where(row)}: participant {pid} ({group}) has answers at {tp}, but group "
            f"'{group}' is scheduled only at {', '.join(scheduled)} — fix the timepoint or "
            "the config's schedule."
        )


# ---- the whole study ------------------------------------------------------------------------

@dataclass
class IngestResult:
    items: pd.DataFrame
    participants: pd.DataFrame
    issues: list[dict]
    accounting: list[dict]
    identifier_columns: set[str]
    identifier_values: set[str]  # kept in memory for the privacy guard, never written
    forms: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FORM_COLUMNS))


def ingest(config: dict, forms: dict, base: str | Path = ".") -> IngestResult:
    """Read the participants and every questionnaire export named in ``config``.

    ``forms`` is ``peerstudy.instruments.form_ranges(registry)``: each
    instrument's forms with their item ranges.
    """
    base = Path(base)
    issues: list[dict] = []
    secrets: set[str] = set()
    accounting = []
    if "participants_file" in config:
        roster = Roster(config, base, issues, secrets)
        accounting.append(roster.accounting)
    else:
        roster = DerivedRoster(config)
    reads: dict[str, FileRead] = {}
    for index, spec in enumerate(config["raw_files"]):
        export = read_export(spec, base)
        reads[spec["id"]] = read_questionnaire(index, export, config, forms, roster, secrets)
    participants = roster.participants(reads, config, issues)
    visits = all_visits(reads, config)
    chosen = choose_blocks(reads)
    attended = {key: v["attended"] for key, v in visits.items()}
    items, missing = emit_items(reads, chosen, attended)
    for read in reads.values():
        issues += read.issues
        accounting.append(file_accounting(read, missing, attended))
    check_baseline(participants, visits, config, issues)
    participants = attendance_columns(participants, visits, config, issues)
    identifier_columns = {c for spec in [*([config["participants_file"]]
                                           if "participants_file" in config else []),
                                         *config["raw_files"]]
                          for c in spec.get("identifiers", [])}
    return IngestResult(items, participants, issues, accounting, identifier_columns, secrets,
                        forms_table(reads, forms))


def all_visits(reads: dict[str, FileRead], config: dict) -> dict[tuple[str, str], dict]:
    """Per participant x timepoint: attended or not, and where the first row was."""
    visits: dict[tuple[str, str], dict] = {}
    for read in reads.values():
        for pid, tp, row, answered, explicit in read.visits:
            entry = visits.setdefault((pid, tp), {"attended": False, "where": None,
                                                  "attended_at": None, "explicit": None})
            here = (read.export.path, row, read.export.spec["id_column"])
            if entry["where"] is None:
                entry["where"] = here
            if explicit is not None and entry["explicit"] is None:
                entry["explicit"] = explicit
            if answered or explicit:
                entry["attended"] = True
                if entry["attended_at"] is None:
                    entry["attended_at"] = here
    return visits


def choose_blocks(reads: dict[str, FileRead]) -> set[tuple[int, int, str]]:
    """Which (file, row, instrument) rows supply each participant x timepoint x instrument.

    Two rows of one file for the same participant, timepoint and instrument stop
    the run (a duplicated id), as do two files that both hold answers for it. A
    block without any answer adds nothing and gives way to one with answers.
    """
    rows = []
    for read in reads.values():
        for order, block in enumerate(read.blocks):
            answered = np.sum(~np.isnan(block.values), axis=1) > 0
            for row, tp, has in zip(block.rows.tolist(), block.tps.tolist(), answered.tolist(),
                                    strict=True):
                rows.append((read.ids[row], tp, block.inst, read.index, row, order, has))
    table = pd.DataFrame(rows, columns=["pid", "tp", "inst", "file", "row", "order", "answered"])
    table = table.sort_values(["file", "row", "order"], kind="mergesort")
    key = ["pid", "tp", "inst"]
    same_file = table.duplicated(key + ["file"], keep="first")
    answered = table[table["answered"]]
    across = answered.duplicated(key, keep="first")
    clash = pd.concat([table[same_file], answered[across]]).sort_values(
        ["file", "row", "order"], kind="mergesort")
    if len(clash):
        dup = clash.iloc[0]
        pool = table if (same_file & table.index.isin([dup.name])).any() else answered
        first = pool[(pool["pid"] == dup["pid"]) & (pool["tp"] == dup["tp"])
                     & (pool["inst"] == dup["inst"])].iloc[0]
        files = {r.index: r.export for r in reads.values()}
        export = files[int(dup["file"])]
        raise DataError(
            f"{export.where(int(dup['row']), export.spec['id_column'])}: participant "
            f"{dup['pid']} already has {dup['inst']} answers at {dup['tp']} "
            f"({files[int(first['file'])].where(int(first['row']))}) — remove the duplicate row."
        )
    table = table.sort_values(["answered"], ascending=False, kind="mergesort")
    table = table.drop_duplicates(key, keep="first")
    return set(zip(table["file"], table["row"], table["inst"], strict=True))


def emit_items(reads, chosen, attended) -> tuple[pd.DataFrame, dict[int, int]]:
    """The long item table: every chosen block row of an attended visit."""
    frames, missing = [], {}
    for read in reads.values():
        n_missing = 0
        for block in read.blocks:
            if not len(block.rows):
                continue
            keep = np.array([(read.index, r, block.inst) in chosen
                             and attended.get((read.ids[r], t), False)
                             for r, t in zip(block.rows.tolist(), block.tps.tolist(),
                                             strict=True)], dtype=bool)
            rows = block.rows[keep]
            k = len(block.items)
            values = block.values[keep]
            n_missing += int(np.isnan(values).sum())
            frames.append(pd.DataFrame({
                "participant_id": np.repeat(read.ids[rows], k),
                "site": np.repeat(read.sites[rows], k),
                "group": np.repeat(read.groups[rows], k),
                "timepoint": np.repeat(block.tps[keep], k),
                "instrument": block.inst,
                "item": np.tile(np.array(block.items, dtype=object), len(rows)),
                "value": values.reshape(-1),
                "form": block.form,
            }))
        missing[read.index] = n_missing
    items = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame(columns=ITEM_COLUMNS))
    items = items[ITEM_COLUMNS].astype({"value": float})
    items = items.sort_values(["participant_id", "timepoint", "instrument", "item"],
                              kind="mergesort").reset_index(drop=True)
    return items, missing


def file_accounting(read: FileRead, missing: dict[int, int], attended) -> dict:
    kept = int(read.kept.sum())
    answered_rows = {row for _, _, row, k, explicit in read.visits if k or explicit}
    return {"file": read.export.path, "rows_read": len(read.export.frame), "rows_kept": kept,
            "rows_excluded": read.excluded, "values_missing": missing[read.index],
            "rows_empty": kept - len(answered_rows & set(np.flatnonzero(read.kept).tolist())),
            "warnings": export_warnings(read.export)}


def check_baseline(participants: pd.DataFrame, visits, config: dict, issues) -> None:
    """A participant who attended a later timepoint must have attended the first one."""
    order = {tp: i for i, tp in enumerate(timepoint_ids(config))}
    attended: dict[str, list[str]] = {}
    for (pid, tp), v in visits.items():
        if v["attended"]:
            attended.setdefault(pid, []).append(tp)
    groups = participants.set_index("participant_id")["group"].to_dict()
    for pid in sorted(attended):
        first = scheduled_timepoints(config, groups[pid])[0]
        seen = sorted(attended[pid], key=order.get)
        if first in seen:
            continue
        later = ", ".join(seen)
        path, row, column = visits[(pid, seen[0])]["attended_at"]
        if config["validation"]["on_missing_baseline"] == "stop":
            raise DataError(
                f"{path}, row {row + 1}: participant {pid} has data at {later} but none at "
                f"baseline {first} — check the id in the {first} export (a typo?), or set "
                "validation.on_missing_baseline: keep to analyse them without a baseline."
            )
        issues.append(issue(path, row + 1, column, pid, first, later,
                            "missing_baseline", "kept without baseline"))


def covering_files(config: dict, group: str, site: str, tp: str) -> str:
    """The raw files that would hold a participant's answers at a timepoint."""
    paths = [spec["path"] for spec in config["raw_files"]
             if group in coded_values(spec["group"]) and site in coded_values(spec["site"])
             and tp in file_timepoints(spec)]
    return "; ".join(paths) or "(no raw file covers it)"


def attendance_columns(roster: pd.DataFrame, visits, config: dict, issues) -> pd.DataFrame:
    """One column per timepoint: attended (True/False) where scheduled, empty otherwise."""
    out = roster.copy()
    plan = {g: set(scheduled_timepoints(config, g)) for g in config["schedule"]}
    for tp in timepoint_ids(config):
        col = []
        for rec in out.itertuples():
            if tp not in plan[rec.group]:
                col.append(pd.NA)
                continue
            visit = visits.get((rec.participant_id, tp))
            here = bool(visit and visit["attended"])
            if not here:
                reason = getattr(rec, "dropout_reason", None)
                if visit:
                    path, row, _ = visit["where"]
                    how = ("attendance column: not attended" if visit["explicit"] is False
                           else "no answered item at this timepoint")
                    issues.append(issue(path, row + 1, f"attended_{tp}", rec.participant_id,
                                        tp, reason or "", "not_attended", how))
                else:
                    issues.append(issue(covering_files(config, rec.group, rec.site, tp), None,
                                        f"attended_{tp}", rec.participant_id, tp, reason or "",
                                        "not_attended", "no row at this timepoint"))
            col.append(here)
        out[f"attended_{tp}"] = pd.array(col, dtype="boolean")
    if "dropout_reason" in out:
        out = out[[c for c in out.columns if c != "dropout_reason"] + ["dropout_reason"]]
    return out.sort_values(["participant_id"], kind="mergesort").reset_index(drop=True)


def forms_table(reads: dict[str, FileRead], forms: dict) -> pd.DataFrame:
    """Per raw file x instrument: where it was used and which form (language, version, range)."""
    records = []
    for file_id, read in reads.items():
        per_inst: dict[str, dict[str, set]] = {}
        for block in read.blocks:
            entry = per_inst.setdefault(block.inst, {"form": block.form, "sites": set(),
                                                     "groups": set(), "tps": set()})
            entry["sites"] |= set(read.sites[block.rows].tolist())
            entry["groups"] |= set(read.groups[block.rows].tolist())
            entry["tps"] |= set(block.tps.tolist())
        for inst, entry in per_inst.items():
            info = forms[inst]["forms"][entry["form"]]
            lows = [r[0] for r in info["items"].values()]
            highs = [r[1] for r in info["items"].values()]
            analysed = forms[inst].get("analysed", forms[inst]["default"])
            records.append({
                "file_id": file_id, "file": read.export.path, "instrument": inst,
                "form": entry["form"], "language": info["language"], "version": info["version"],
                "response_min": min(lows), "response_max": max(highs),
                "sites": ";".join(sorted(entry["sites"])),
                "groups": ";".join(sorted(entry["groups"])),
                "timepoints": ";".join(sorted(entry["tps"])),
                "analysed_on": analysed,
                "rescaled": info["items"] != forms[inst]["forms"][analysed]["items"],
                "citation": info["citation"],
            })
    return pd.DataFrame(records, columns=FORM_COLUMNS)
