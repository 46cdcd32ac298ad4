"""MAXQDA coded-segments exports as they reach a study (tests/data/real/qualitative/):
the Excel sheet in MAXQDA 2022's column layout, and the same sheet saved by
LibreOffice 7.4.7 as ';'-separated UTF-8, tab-separated UTF-16 ('Unicode text')
and Windows-1252 CSV. Expected values are read off make_maxqda.py, which lists
every segment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from peerstudy.errors import DataError
from peerstudy.qualitative import read_export, totals

from .conftest import ROOT

HERE = "tests/data/real/qualitative"
DOCS = {"FG A": "PSWs", "FG B": "professionals"}


def segments(name: str) -> pd.DataFrame:
    return read_export({"path": f"{HERE}/{name}", "format": "maxqda"}, DOCS, ROOT)


def test_passages_sharing_a_paragraph_are_distinct_quotations():
    seg = segments("maxqda_segments.xlsx")
    # make_maxqda.py: paragraph 3 of FG A holds two passages (Hope; Stigma); paragraphs
    # 5-6 one passage with two codes (Hope, Belonging)
    assert seg["quotation"].tolist() == ["FG A:3-3 #1", "FG A:3-3 #2", "FG A:5-6", "FG A:5-6",
                                         "FG B:2-2", "FG B:4-4", "FG B:7-7"]
    assert seg.groupby("quotation")["code"].apply(list)["FG A:5-6"] == ["Hope", "Belonging"]
    assert totals(seg).iloc[0][["quotations", "code_applications", "codes"]].tolist() == [
        6, 7, 5]


@pytest.mark.parametrize("name", ["maxqda_segments_semicolon.csv",
                                  "maxqda_segments_utf16.txt"])
def test_the_sheet_saved_as_text_reads_as_the_sheet(name):
    sheet = segments("maxqda_segments.xlsx")
    text = segments(name)
    pd.testing.assert_frame_equal(text, sheet)
    assert text["text"].iloc[-1] == "Ahora sé que es posible, también para mí."


def test_a_windows_1252_csv_stops_naming_the_line():
    with pytest.raises(DataError, match=r"maxqda_segments_cp1252.csv, line 8, byte \d+: bytes "
                                        r"b'\\xe9' are not valid utf-8 — the export is neither "
                                        r"UTF-8 nor UTF-16 text: save it again as 'CSV UTF-8'"):
        segments("maxqda_segments_cp1252.csv")


def test_one_code_name_at_the_end_of_two_paths_stops():
    with pytest.raises(DataError, match=r"maxqda_nested.xlsx, row 7: code 'Positive' of group "
                                        r"'INNER SETTING' ends two code paths, 'INNER "
                                        r"SETTING\\Culture\\Positive' \(row 6\) and 'INNER "
                                        r"SETTING\\Climate\\Positive' — they would be counted "
                                        r"as one code"):
        segments("maxqda_nested.xlsx")


def test_an_empty_row_of_the_sheet_is_not_a_segment(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(Path(ROOT) / HERE / "maxqda_segments.xlsx")
    wb.active.insert_rows(4)  # a blank row in the middle, as left by deleting a segment
    wb.save(tmp_path / "gap.xlsx")
    seg = read_export({"path": str(tmp_path / "gap.xlsx"), "format": "maxqda"}, DOCS)
    assert len(seg) == 7 and seg["row"].tolist() == [2, 3, 5, 6, 7, 8, 9]
