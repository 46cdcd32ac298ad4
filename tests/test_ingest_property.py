"""Property test: damaged copies of valid CSV and SPSS exports either read with every
change logged, or stop with a message that names the file — never another exception.

Hypothesis mutates a small valid export (truncation, a dropped, duplicated or renamed
column, short and long rows, blank lines, a byte-order mark, mixed line endings,
other encodings, declared missing codes and ranges, typed codes and text in answer
cells, empty ids, string variables). For every outcome that is not a stop:

- rows read = rows kept + rows excluded, per file, and every excluded row is logged;
- every non-empty answer cell of a kept row reaches items.csv as the number it
  shows, or is logged (file, row, column) as a missing code, an out-of-range or a
  non-numeric value.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from peerstudy.columns import cell_text, read_export
from peerstudy.config import check_config, load_study_registry
from peerstudy.errors import PeerstudyError
from peerstudy.ingest import ingest
from peerstudy.instruments import form_ranges

from .conftest import ROOT

ITEMS = [f"SWLS{k}" for k in range(1, 6)]
HEADER = ["codigo", "nombre", "centro", "momento", *ITEMS]
ROWS = [
    ["101", "Ana Prat", "1", "1", "4", "4", "3", "4", "3"],
    ["101", "Ana Prat", "1", "2", "4", "5", "NS/NC", "4", "4"],
    ["102", "Pau Serra", "1", "1", "3", "", "3", "2", "3"],
    ["102", "Pau Serra", "1", "2", "", "", "", "", ""],
    ["103", "Rosa Vila", "2", "1", "5", "4", "5", "99", "4"],
    ["103", "Rosa Vila", "2", "2", "4", "4", "4", "4", "4"],
    ["104", "Joan Puig", "2", "1", "2", "3", "2", "3", "2"],
]
SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def config_for(name: str, fmt: str, encoding: str = "cp1252") -> dict:
    spec = {"id": "export", "path": name, "format": fmt, "group": "psw",
            "site": {"column": "centro", "values": {"1": "vic", "2": "manresa"}},
            "timepoint": {"column": "momento", "values": {"1": "T1", "2": "T3"}},
            "id_column": "codigo", "identifiers": ["nombre"], "instruments": {"swls": "SWLS{n}"}}
    if fmt == "csv":
        spec |= {"encoding": encoding, "sep": ";", "decimal": ","}
    return {
        "study": {"id": "prop", "title": "property test"},
        "registry": {"dirs": [str(ROOT / "config/instruments")]},
        "sites": [{"id": "vic", "label": "Vic"}, {"id": "manresa", "label": "Manresa"}],
        "groups": [{"id": "psw", "label": "PSWs"}],
        "timepoints": [{"id": "T1", "label": "baseline"}, {"id": "T3", "label": "12 months"}],
        "schedule": {"psw": {"T1": ["swls"], "T3": ["swls"]}},
        "missing_codes": {"99": "no answer", "NS/NC": "does not know / no answer"},
        "validation": {"on_out_of_range": "missing", "on_non_numeric": "missing",
                       "on_unknown_participant": "stop", "on_missing_baseline": "keep"},
        "participants_from": {},
        "raw_files": [spec],
    }


def check(where: Path, name: str, config: dict) -> None:
    """Read the export as a study would, and assert the properties of the module docstring."""
    try:
        checked = check_config(config, source="prop.yaml", base=where)
        result = ingest(checked, form_ranges(load_study_registry(checked, where)), where)
    except PeerstudyError as exc:
        assert name in str(exc), f"stop without the file's name: {exc}"
        event(f"stopped: {str(exc).split(': ', 1)[-1][:40]}")
        return
    event("read")
    issues = pd.DataFrame(result.issues, columns=["file", "row", "column", "participant_id",
                                                  "timepoint", "value", "rule", "action"])
    acc = result.accounting[0]
    assert acc["rows_read"] == acc["rows_kept"] + acc["rows_excluded"]
    dropped = issues[issues["rule"].isin(["blank_row", "unknown_participant"])]
    assert len(dropped) == acc["rows_excluded"]
    logged = set(zip(issues["row"], issues["column"], strict=True))
    export = read_export(checked["raw_files"][0], where)
    values = result.items.set_index(["participant_id", "timepoint", "item"])["value"]
    tps = {"1": "T1", "2": "T3"}
    ids, moments = cell_text(export.frame["codigo"]), cell_text(export.frame["momento"])
    excluded_rows = set(dropped["row"])
    for row in range(len(export.frame)):
        if row + 1 in excluded_rows:
            continue
        for k, column in enumerate(ITEMS, start=1):
            cell = cell_text(export.frame[column].iloc[row:row + 1].to_numpy(dtype=object))[0]
            if cell is None:
                continue
            key = (ids[row], tps[moments[row]], f"swls0{k}")
            shown = float(cell.replace(",", ".")) if _number(cell) else np.nan
            if key in values.index and values[key] == shown:
                continue
            assert (row + 1, column) in logged, f"row {row + 1}, {column} = {cell!r} changed silently"


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


# ---- CSV ------------------------------------------------------------------------------------

def csv_text(header: list[str], rows: list[list[str]]) -> str:
    return "".join(";".join(r) + "\r\n" for r in [header, *rows])


CELLS = ["", "NS/NC", "99", "-1", "7", "tres", "4,5", "4,0", " 3 ", "0", "1e1", "nan", "inf",
         "3"]


@st.composite
def csv_exports(draw):
    header, rows = list(HEADER), [list(r) for r in ROWS]
    for _ in range(draw(st.integers(0, 5))):  # answers typed in many ways
        r = draw(st.integers(0, len(rows) - 1))
        rows[r][4 + draw(st.integers(0, 4))] = draw(st.sampled_from(CELLS))
    for _ in range(draw(st.integers(0, 2))):  # damage to the table's shape or codes
        what = draw(st.sampled_from(["cell", "drop_column", "duplicate_column", "short_row",
                                     "long_row", "empty_id", "rename_column"]))
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(header) - 1))
        if what == "cell":
            rows[r][c] = draw(st.sampled_from(CELLS))
        elif what == "drop_column" and len(header) > 1:
            header.pop(c)
            for row in rows:
                row.pop(c)
        elif what == "duplicate_column":
            header.append(header[c])
            for row in rows:
                row.append(row[c])
        elif what == "rename_column":
            header[c] = header[c] + "_x"
        elif what == "short_row" and rows[r]:
            rows[r].pop()
        elif what == "long_row":
            rows[r].append(draw(st.sampled_from(["", "4"])))
        elif what == "empty_id" and "codigo" in header:
            rows[r][header.index("codigo")] = ""
    text = csv_text(header, rows)
    lines = text.split("\r\n")
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", ";;;;", " "])))
    ending = draw(st.sampled_from(["crlf", "lf", "cr", "mixed"]))
    if ending == "mixed":
        text = "".join(line + draw(st.sampled_from(["\r\n", "\n"])) for line in lines)
    else:
        text = {"crlf": "\r\n", "lf": "\n", "cr": "\r"}[ending].join(lines)
    written = draw(st.sampled_from(["cp1252"] * 3 + ["utf-8", "utf-16", "latin-1"]))
    raw = text.replace("Ana", "Ana Mª Núñez").encode(written)
    bom = written == "utf-8" and draw(st.booleans())
    if bom or draw(st.integers(0, 14)) == 0:
        raw = b"\xef\xbb\xbf" + raw
    if draw(st.integers(0, 9)) == 0:
        raw = raw[:draw(st.integers(0, len(raw)))]
    said = written if draw(st.integers(0, 3)) else draw(st.sampled_from(["cp1252", "utf-8",
                                                                         "utf-8-sig"]))
    return raw, "utf-8-sig" if bom and said == "utf-8" and draw(st.booleans()) else said


@SETTINGS
@given(csv_exports())
def test_damaged_csv_reads_with_every_change_logged_or_stops_naming_the_file(export):
    raw, encoding = export
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        (where / "export.csv").write_bytes(raw)
        check(where, "export.csv", config_for("export.csv", "csv", encoding))


# ---- SPSS -----------------------------------------------------------------------------------

def sav_frame() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=HEADER)
    for col in ["codigo", "centro", "momento", *ITEMS]:
        frame[col] = pd.to_numeric(frame[col].replace("NS/NC", "98"),
                                   errors="coerce").astype(float)
    return frame


VALUES = [np.nan, 99.0, -1.0, -9.0, 88.0, 7.0, 4.5, 0.0, 3.0, 1e9, 98.0]
DECLARATIONS = [[9], [{"lo": 88, "hi": 99}], [{"lo": float("-inf"), "hi": -1}],
                [{"lo": 88, "hi": 99}, -9], [-1, -2, -3], [{"lo": 5, "hi": float("inf")}]]


@st.composite
def sav_exports(draw):
    frame = sav_frame()
    missing: dict = {c: [99] for c in ITEMS}
    for _ in range(draw(st.integers(0, 5))):  # answers and declarations
        item = draw(st.sampled_from(ITEMS))
        if draw(st.booleans()):
            frame.loc[draw(st.integers(0, len(frame) - 1)), item] = draw(st.sampled_from(VALUES))
        else:
            missing[item] = draw(st.sampled_from(DECLARATIONS))
    for _ in range(draw(st.integers(0, 2))):  # damage
        what = draw(st.sampled_from(["empty_row", "empty_row", "drop_column", "rename_column",
                                     "empty_id", "string_item"]))
        r = draw(st.integers(0, len(frame) - 1))
        col = draw(st.sampled_from(list(frame.columns)))
        item = draw(st.sampled_from(ITEMS))
        numeric = item in frame and frame[item].dtype.kind == "f"
        if what == "drop_column" and len(frame.columns) > 1:
            frame = frame.drop(columns=col)
        elif what == "rename_column":
            frame = frame.rename(columns={col: col + "_x"})
        elif what == "empty_row":
            for c in frame.columns:
                frame.loc[r, c] = np.nan if frame[c].dtype.kind == "f" else ""
        elif what == "empty_id" and "codigo" in frame:
            frame.loc[r, "codigo"] = np.nan
        elif what == "string_item" and numeric:
            frame[item] = frame[item].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    missing = {c: v for c, v in missing.items() if c in frame and frame[c].dtype.kind == "f"}
    cut = draw(st.integers(0, 14))
    return frame, missing, cut


@SETTINGS
@given(sav_exports())
def test_damaged_sav_reads_with_every_change_logged_or_stops_naming_the_file(export):
    frame, missing, cut = export
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        path = where / "export.sav"
        pyreadstat.write_sav(frame, str(path), missing_ranges=copy.deepcopy(missing))
        if cut == 0:  # truncated on its way from the site
            data = path.read_bytes()
            path.write_bytes(data[: len(data) * 2 // 3])
        check(where, "export.sav", config_for("export.sav", "sav"))
