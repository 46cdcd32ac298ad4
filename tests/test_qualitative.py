"""Qualitative exports: both formats, exact published counts, bad exports."""

from __future__ import annotations

import pandas as pd
import pytest

from peerstudy.errors import DataError
from peerstudy.qualitative import cfir_matrix, code_tables, read_exports
from peerstudy.synth import write_xlsx

from .conftest import ROOT

DOCS = {"FG A": "PSWs", "FG B": "service users", "Open answers": "professionals"}
SOURCES = ["PSWs", "service users", "professionals"]


def atlas(tmp_path, quotations, codes, name="atlas.xlsx"):
    path = tmp_path / name
    write_xlsx(path, {"Quotations": pd.DataFrame(quotations), "Codes": pd.DataFrame(codes)})
    return {"exports": [{"id": "a", "path": str(path), "format": "atlas_ti"}],
            "documents": DOCS, "sources": SOURCES}


QUOTES = [{"ID": "1:1", "Document": "FG A", "Codes": "Hope"},
          {"ID": "1:2", "Document": "FG A", "Codes": "Hope\nStigma"},
          {"ID": "2:1", "Document": "FG B", "Codes": "Stigma"},
          {"ID": "3:1", "Document": "Open answers", "Codes": "Training"}]
CODES = [{"Code": "Hope", "Code Groups": "PEERS"}, {"Code": "Stigma", "Code Groups": "PEERS"},
         {"Code": "Training", "Code Groups": "PROJECT"}]


def test_atlas_export_counts_by_hand(tmp_path):
    links = read_exports(atlas(tmp_path, QUOTES, CODES))
    groups, codes, sources = code_tables(links, SOURCES)
    assert groups.to_dict("list") == {"group": ["PEERS", "PROJECT"], "codes": [2, 1],
                                      "quotations": [4, 1], "share": [0.8, 0.2]}
    hope = codes[codes["code"] == "Hope"].iloc[0]
    assert (hope["quotations"], hope["documents"], hope["share_in_group"]) == (2, 1, 0.5)
    stigma = sources[sources["code"] == "Stigma"].set_index("source")["quotations"]
    assert stigma.to_dict() == {"PSWs": 1, "professionals": 0, "service users": 1}


def test_maxqda_coded_segments_with_backslash_paths(tmp_path):
    path = tmp_path / "segments.csv"
    pd.DataFrame({
        "Color": ["#ff0000"] * 3,
        "Document group": ["Focus groups", "Focus groups", "Online"],
        "Document name": ["FG A", "FG B", "Open answers"],
        "Code": ["PEERS\\Hope", "PEERS\\Stigma", "INNER SETTING\\Culture\\Readiness"],
        "Begin": ["1", "4", "2"], "End": ["3", "6", "2"], "Segment": ["..."] * 3,
    }).to_csv(path, index=False)
    qual = {"exports": [{"id": "m", "path": str(path), "format": "maxqda"}],
            "documents": DOCS, "sources": SOURCES}
    links = read_exports(qual)
    assert sorted(zip(links["group"], links["code"], strict=True)) == [
        ("INNER SETTING", "Readiness"), ("PEERS", "Hope"), ("PEERS", "Stigma")]
    cfir = cfir_matrix(links, {"Inner setting": ["Readiness"]}, SOURCES)
    assert cfir.set_index("source")["quotations"].to_dict() == {
        "PSWs": 0, "professionals": 1, "service users": 0}


def test_default_study_counts_equal_the_published_ones(default_config):
    links = read_exports(default_config["qualitative"], ROOT)
    groups, codes, _ = code_tables(links, default_config["qualitative"]["sources"])
    assert len(links) == 583 and len(codes) == 68
    got = groups.set_index("group")[["quotations", "codes"]].to_dict("index")
    assert got == {"ACCOMPANY": {"quotations": 212, "codes": 34},
                   "PEERS": {"quotations": 206, "codes": 18},
                   "MENTAL HEALTH PROFESSIONALS": {"quotations": 22, "codes": 5},
                   "PROJECT": {"quotations": 143, "codes": 11}}
    per_code = codes.set_index("code")["quotations"]
    published = {"Example": 30, "Improvements": 30, "Functions": 29, "Impact by peer": 28,
                 "Positive evaluation": 28, "Lived experience": 27, "Stigma": 24,
                 "Comprehension-Empathy": 23, "Challenge": 23, "Hope": 18, "Empowerment": 17,
                 "Training": 16, "Support": 14, "Values": 14, "Innovation": 14,
                 "Complement": 13, "Meaning": 12, "Impact for the professional": 8}
    assert {c: per_code[c] for c in published} == published
    # the named codes are the largest ones: no placeholder code exceeds 8
    assert per_code.drop(list(published)).max() <= 8


@pytest.mark.parametrize("quotes, codes, message", [
    ([{"ID": "1:1", "Document": "FG A"}], CODES, r"sheet 'Quotations' has no column 'Codes'"),
    (QUOTES, [{"Code": "Hope", "Code Groups": ""}, *CODES[1:]],
     r"row 2: code 'Hope' belongs to no code group"),
    ([{"ID": "9:1", "Document": "FG Z", "Codes": "Hope"}], CODES,
     r"row 2: document 'FG Z' is not in qualitative.documents \(did you mean 'FG [AB]'"),
    (QUOTES, [{"Code": "Hope", "Code Groups": "PEERS\nPROJECT"}, *CODES[1:]],
     r"code 'Hope' is in several code groups \(PEERS, PROJECT\)"),
    ([{"ID": "1:1", "Document": "FG A", "Codes": "Hopes"}], CODES,
     r"code 'Hopes' is not listed in sheet 'Codes' \(did you mean 'Hope'"),
])
def test_bad_atlas_exports_stop_with_file_row_and_fix(tmp_path, quotes, codes, message):
    with pytest.raises(DataError, match=message):
        read_exports(atlas(tmp_path, quotes, codes))


def test_default_export_has_named_codes_and_marked_english_text(default_config):
    from peerstudy.qualitative import read_segments

    segments = read_segments(default_config["qualitative"], ROOT)
    assert not segments["code"].str.contains(r"\d{2}$").any()  # no "Group 02" placeholders
    assert segments["text"].str.startswith("[synthetic] ").all()
    assert segments["text"].is_unique
    assert segments[["begin", "end"]].notna().all().all()
    # the text reads as its code: a spot check of codes whose wording is unmistakable
    hope = segments.loc[segments["code"] == "Hope", "text"]
    assert hope.str.contains("hope|future|better|life is not over", case=False).all()
    stress = segments.loc[segments["code"] == "Nerves and stress", "text"]
    assert stress.str.contains("nervous|stress|shaking", case=False).all()


def test_maxqda_export_keeps_segment_text_and_positions(tmp_path):
    path = tmp_path / "segments.csv"
    pd.DataFrame({"Document name": ["FG A"], "Code": ["PEERS\\Hope"], "Begin": ["4"],
                  "End": ["6"], "Segment": ["[synthetic] text"]}).to_csv(path, index=False)
    from peerstudy.qualitative import read_export

    seg = read_export({"path": str(path), "format": "maxqda"}, DOCS)
    assert seg[["quotation", "begin", "end", "text"]].iloc[0].tolist() == [
        "FG A:4-6", 4, 6, "[synthetic] text"]
    # an image segment's coordinates, or an end before the beginning, give no position:
    # the code tables count it; segment-level agreement stops on it, naming the cells
    pd.DataFrame({"Document name": ["FG A", "FG A"], "Code": ["PEERS\\Hope"] * 2,
                  "Begin": ["6", "(12,40)"], "End": ["4", "(80,95)"]}).to_csv(path, index=False)
    seg = read_export({"path": str(path), "format": "maxqda"}, DOCS)
    assert seg["begin"].isna().all()
    assert seg["position"].tolist() == ["Begin 6, End 4", "Begin (12,40), End (80,95)"]


@pytest.mark.parametrize("reference, span", [
    ("12 - 13", [12, 13]), ("¶ 7 – 9", [7, 9]), ("4", [4, 4]), ("page 3", None),
])
def test_atlas_reference_column_gives_paragraph_positions(tmp_path, reference, span):
    qual = atlas(tmp_path, [{"ID": "1:1", "Document": "FG A", "Codes": "Hope",
                             "Reference": reference}], CODES)
    from peerstudy.qualitative import read_segments

    seg = read_segments(qual)
    got = seg[["begin", "end"]].iloc[0]
    assert (got.tolist() == span) if span else got.isna().all()
    assert seg["position"].iloc[0] == f"Reference '{reference}'"
