"""The participants of a study: a roster file, or derived from the exports.

``Roster`` reads ``participants_file`` and checks each questionnaire row against
it. ``DerivedRoster`` has no file: every id in the exports is a participant,
with the group and site of the files it appears in, and sociodemographics come
from named columns of listed exports (``participants_from``). Both answer
``admit`` for each questionnaire row and ``participants`` at the end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from peerstudy.columns import (
    blank_rows,
    cell_text,
    code_text,
    decode,
    export_warnings,
    issue,
    log_identifiers,
    optional_codes,
    read_export,
    require_columns,
    require_kind,
)
from peerstudy.config import participant_variables
from peerstudy.errors import DataError


class Roster:
    """The participants named in a roster file; exports are checked against it."""

    def __init__(self, config: dict, base: Path, issues: list[dict], secrets: set[str]):
        spec = config["participants_file"]
        self.path = spec["path"]
        self.policy = config["validation"]["on_unknown_participant"]
        export = read_export(spec, base)
        needed = {spec["id_column"]: "participant id, named in participants_file"}
        for key in ("group", "site"):
            if not isinstance(spec[key], str):
                needed[spec[key]["column"]] = f"{key} code, named in participants_file"
        for name, var in spec["variables"].items():
            needed[var["column"]] = f"{name}, named in participants_file"
        if "dropout_reason" in spec:
            needed[spec["dropout_reason"]["column"]] = "dropout_reason, named in participants_file"
        for name, var in spec.get("trial", {}).items():
            needed[var["column"]] = f"{name}, named in participants_file.trial"
        require_columns(export, needed)
        log_identifiers(export, issues, secrets)
        blank = blank_rows(export)
        for row in np.flatnonzero(blank):
            issues.append(issue(export.path, int(row) + 1, None, None, None, "", "blank_row",
                                "row excluded (every cell empty)"))
        active = np.flatnonzero(~blank)
        id_col = spec["id_column"]
        require_kind(export, id_col, "the participant id", ("text", "string", "number"))
        ids = code_text(export, id_col)
        seen: dict[str, int] = {}
        for row in active:
            pid = ids[row]
            if pid is None:
                raise DataError(f"{export.where(row, id_col)}: empty participant id.")
            if pid in seen:
                raise DataError(
                    f"{export.where(row, id_col)}: participant id {pid} is listed twice "
                    f"in the roster (also row {seen[pid] + 1}) — each participant once."
                )
            seen[pid] = row
        columns = {"participant_id": ids[active],
                   "site": decode(export, spec["site"], "site", active)[active],
                   "group": decode(export, spec["group"], "group", active)[active]}
        for name, var in spec["variables"].items():
            columns[name] = optional_codes(export, var, name, active, issues, ids)[active]
        if "dropout_reason" in spec:
            columns["dropout_reason"] = optional_codes(export, spec["dropout_reason"], "dropout",
                                                       active, issues, ids)[active]
        for name, var in spec.get("trial", {}).items():  # a trial's records, kept as they are
            columns[name] = (optional_codes(export, var, name, active, issues, ids) if "values"
                             in var else cell_text(export.frame[var["column"]]))[active]
        self.frame = pd.DataFrame(columns)
        self.index = self.frame.set_index("participant_id").to_dict("index")
        self.accounting = {"file": export.path, "rows_read": len(export.frame),
                           "rows_kept": len(active), "rows_excluded": int(blank.sum()),
                           "values_missing": 0, "rows_empty": 0,
                           "warnings": export_warnings(export)}

    def admit(self, export, row, pid, group, site, tp, issues) -> bool:
        """Whether a questionnaire row belongs to a rostered participant (and agrees)."""
        if pid not in self.index:
            if self.policy == "stop":
                raise DataError(
                    f"{export.where(row, export.spec['id_column'])}: participant {pid} is not in "
                    f"the roster ({self.path}) — add them to the roster, correct the id, or set "
                    "validation.on_unknown_participant: exclude."
                )
            issues.append(issue(export.path, row + 1, export.spec["id_column"], pid, tp, pid,
                                "unknown_participant", "row excluded"))
            return False
        for what, value in (("group", group), ("site", site)):
            if self.index[pid][what] != value:
                raise DataError(
                    f"{export.where(row)}: participant {pid} is {what} '{value}' here but "
                    f"'{self.index[pid][what]}' in the roster ({self.path}) — a participant "
                    f"keeps one {what} across files; correct the id or the {what}."
                )
        return True

    def participants(self, reads, config, issues) -> pd.DataFrame:
        return self.frame


class DerivedRoster:
    """No roster file: every id in the exports is a participant, with its file's group
    and site; sociodemographics from named columns of listed exports."""

    def __init__(self, config: dict):
        self.seen: dict[str, tuple[str, str, str]] = {}  # pid -> (group, site, where)

    def admit(self, export, row, pid, group, site, tp, issues) -> bool:
        if pid not in self.seen:
            self.seen[pid] = (group, site, export.where(row))
            return True
        first = self.seen[pid]
        for what, value, before in (("group", group, first[0]), ("site", site, first[1])):
            if value != before:
                raise DataError(
                    f"{export.where(row)}: participant {pid} is {what} '{value}' here but "
                    f"'{before}' in {first[2]} — a participant keeps one {what} across files; "
                    f"correct the id or the {what} in one of them."
                )
        return True

    def participants(self, reads: dict, config: dict, issues) -> pd.DataFrame:
        """``reads``: {raw file id: ingest.FileRead}, the exports already read."""
        frame = pd.DataFrame(
            [{"participant_id": pid, "site": v[1], "group": v[0]} for pid, v in self.seen.items()],
            columns=["participant_id", "site", "group"])
        sources = config["participants_from"]["variables_from"]
        found: dict[str, dict[str, tuple[str, str]]] = {}
        names = list(participant_variables(config))
        has_dropout = any("dropout_reason" in s for s in sources)
        for source in sources:
            read = reads[source["file"]]
            export = read.export
            wanted = dict(source["variables"])
            if "dropout_reason" in source:
                wanted["dropout_reason"] = source["dropout_reason"]
            require_columns(export, {v["column"]: f"{k}, named in participants_from"
                                     for k, v in wanted.items()})
            rows = np.flatnonzero(read.kept)
            for name, var in wanted.items():
                codes = optional_codes(export, var, name, rows, issues, read.ids)
                for row in rows:
                    value = codes[row]
                    if value is None:
                        continue
                    pid = read.ids[row]
                    here = export.where(row, var["column"])
                    before = found.setdefault(pid, {}).get(name)
                    if before and before[0] != value:
                        raise DataError(
                            f"{here}: participant {pid} has {name} '{value}' here but "
                            f"'{before[0]}' in {before[1]} — one value per participant; "
                            "correct one of them."
                        )
                    found[pid][name] = (value, here)
        for name in names + (["dropout_reason"] if has_dropout else []):
            frame[name] = [found.get(pid, {}).get(name, (None,))[0]
                           for pid in frame["participant_id"]]
        if names:
            files = ", ".join(reads[s["file"]].export.path for s in sources if s["variables"])
            for pid in frame["participant_id"]:
                if not any(n in found.get(pid, {}) for n in names):
                    issues.append(issue("(participants)", None, None, pid, None, "",
                                        "no_sociodemographics",
                                        f"variables left empty (no value in {files})"))
        return frame
