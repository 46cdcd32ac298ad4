"""Intercoder agreement: textbook values, hand-computed document and segment cases."""

from __future__ import annotations

import pandas as pd
import pytest

from peerstudy.agreement import coefficients, intercoder_agreement, overlap_share
from peerstudy.errors import DataError
from peerstudy.qualitative import SEGMENTS, read_export
from peerstudy.synth import write_xlsx

SPEC = {"coders": [{"id": "ana"}, {"id": "ben"}], "levels": ["document", "segment"],
        "min_overlap": 0.9, "overlap_of": "union"}


def test_krippendorff_2011_binary_two_observers():
    # Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability, section A
    # ("binary data, two observers, no missing data"), 10 units: alpha = 0.095.
    # Coincidences o00 = 10, o01 = o10 = 4, o11 = 2; n0 = 14, n1 = 6, n = 20:
    # alpha = 1 - (n - 1) o01 / (n0 n1) = 1 - 19 * 4 / 84 = 0.095238.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    got = coefficients(a, b)
    assert got["krippendorff_alpha"] == pytest.approx(1 - 19 * 4 / 84, abs=1e-12)
    assert round(got["krippendorff_alpha"], 3) == 0.095
    # Cohen's kappa by hand on the same data: cells 00 = 5, 01 = 3, 10 = 1, 11 = 1;
    # p_o = .6, p_e = .8 x .6 + .2 x .4 = .56, kappa = (.6 - .56) / .44 = 0.090909.
    assert got["kappa"] == pytest.approx(0.04 / 0.44, abs=1e-12)
    assert got["percent_agreement"] == pytest.approx(60.0)
    assert (got["n_units"], got["note"]) == (10, "")


def test_cohen_1960_table_1():
    # Cohen, J. (1960), Table 1: two judges, 200 units, three categories; the
    # diagonal .44/.20/.06 (p_o = .70) and the marginals .60/.30/.10 and
    # .50/.30/.20 (p_c = .41) give kappa = (.70 - .41) / (1 - .41) = .4915.
    cells = {("a", "a"): 88, ("a", "b"): 14, ("a", "c"): 18, ("b", "a"): 10, ("b", "b"): 40,
             ("b", "c"): 10, ("c", "a"): 2, ("c", "b"): 6, ("c", "c"): 12}
    first = [k[0] for k, n in cells.items() for _ in range(n)]
    second = [k[1] for k, n in cells.items() for _ in range(n)]
    got = coefficients(first, second)
    assert got["kappa"] == pytest.approx((0.70 - 0.41) / 0.59, abs=1e-12)
    assert round(got["kappa"], 3) == 0.492
    assert got["percent_agreement"] == pytest.approx(70.0)


def test_no_variation_leaves_coefficients_empty_with_the_reason():
    got = coefficients([0, 0, 0], [0, 0, 0])
    assert got["percent_agreement"] == 100.0
    assert pd.isna(got["kappa"]) and pd.isna(got["krippendorff_alpha"])
    assert "undefined" in got["note"]


@pytest.mark.parametrize("a, b, of, share", [
    ((1, 2), (1, 2), "union", 1.0),
    ((5, 5), (5, 6), "union", 0.5),      # 1 common paragraph of the 2 both cover
    ((5, 5), (5, 6), "shorter", 1.0),    # the shorter passage lies inside the longer
    ((1, 10), (2, 10), "union", 0.9),
    ((1, 3), (4, 6), "union", 0.0),
])
def test_overlap_share(a, b, of, share):
    assert overlap_share(*a, *b, of) == pytest.approx(share)


def frame(rows):
    """SEGMENTS rows from (document, begin, end, code) tuples; one code group 'G'."""
    return pd.DataFrame([(f"{d}:{b}", d, b, e, f"{b} - {e}", "", c, "G", i + 2)
                         for i, (d, b, e, c) in enumerate(rows)], columns=SEGMENTS)


# Coder ana: D1 has X and Y, D2 has X, D3 nothing. Coder ben: D1 X; D2 X, Y; D3 Y.
ANA = frame([("D1", 1, 2, "X"), ("D1", 4, 4, "Y"), ("D2", 1, 1, "X")])
BEN = frame([("D1", 1, 2, "X"), ("D2", 1, 1, "X"), ("D2", 3, 3, "Y"), ("D3", 2, 2, "Y")])


def test_document_level_by_hand():
    table, _ = intercoder_agreement(ANA, BEN, {**SPEC, "levels": ["document"]},
                                    ["D1", "D2", "D3"])
    rows = table.set_index("code")
    # X: (1,1) (1,1) (0,0): perfect.
    assert rows.loc["X", ["percent_agreement", "kappa", "krippendorff_alpha"]].tolist() == \
        pytest.approx([100.0, 1.0, 1.0])
    # Y: (1,0) (0,1) (0,1): p_o = 0; p_e = 1/3 x 2/3 + 2/3 x 1/3 = 4/9; kappa = -4/5.
    # Coincidences o01 = o10 = 3, n0 = n1 = 3, n = 6: alpha = 1 - 5 x 3 / 9 = -2/3.
    assert rows.loc["Y", "kappa"] == pytest.approx(-0.8)
    assert rows.loc["Y", "krippendorff_alpha"] == pytest.approx(-2 / 3)
    assert rows.loc["Y", ["both", "first_only", "second_only", "neither"]].tolist() == [0, 1, 2, 0]
    # Pooled over the 6 document x code units: p_o = 3/6; p_e = .5 x 4/6 + .5 x 2/6 = .5,
    # kappa = 0; o11 = 4, o00 = 2, o01 = o10 = 3, n1 = 7, n0 = 5, n = 12:
    # alpha = 1 - 11 x 3 / 35 = 2/35.
    assert rows.loc["all", ["n_units", "percent_agreement"]].tolist() == [6, 50.0]
    assert rows.loc["all", "kappa"] == pytest.approx(0.0, abs=1e-12)
    assert rows.loc["all", "krippendorff_alpha"] == pytest.approx(2 / 35)


# One document, paragraphs. ana: [1-2] X, [5-5] Y, [8-10] X+Y, [20-21] Z.
# ben: [1-2] X, [5-6] Y, [8-10] X, [30-30] Z. With 90% of the union, [5-5] and
# [5-6] (1 of 2 paragraphs) are different passages: six locations.
SEG_ANA = frame([("D", 1, 2, "X"), ("D", 5, 5, "Y"), ("D", 8, 10, "X"), ("D", 8, 10, "Y"),
                 ("D", 20, 21, "Z")])
SEG_BEN = frame([("D", 1, 2, "X"), ("D", 5, 6, "Y"), ("D", 8, 10, "X"), ("D", 30, 30, "Z")])


def test_segment_level_by_hand():
    table, differ = intercoder_agreement(SEG_ANA, SEG_BEN, {**SPEC, "levels": ["segment"]},
                                         ["D"])
    rows = table.set_index("code")
    assert rows["n_units"].tolist() == [18, 6, 6, 6]  # all, X, Y, Z
    assert rows.loc["X", ["percent_agreement", "kappa", "krippendorff_alpha"]].tolist() == \
        pytest.approx([100.0, 1.0, 1.0])
    # Y over the six locations: (0,0) (1,0) (0,1) (1,0) (0,0) (0,0): p_o = 3/6;
    # p_e = 2/6 x 1/6 + 4/6 x 5/6 = 22/36; kappa = (18 - 22) / 14 = -2/7.
    # o00 = 6, o01 = o10 = 3, n0 = 9, n1 = 3, n = 12: alpha = 1 - 11 x 3 / 27 = -2/9.
    assert rows.loc["Y", "percent_agreement"] == pytest.approx(50.0)
    assert rows.loc["Y", "kappa"] == pytest.approx(-2 / 7)
    assert rows.loc["Y", "krippendorff_alpha"] == pytest.approx(-2 / 9)
    # Z: (1,0) and (0,1) at two locations, (0,0) at four: p_e = 1/36 + 25/36,
    # kappa = (24 - 26) / 10 = -0.2; o01 = o10 = 2, o00 = 8: alpha = 1 - 11 x 2 / 20 = -0.1.
    assert rows.loc["Z", "kappa"] == pytest.approx(-0.2)
    assert rows.loc["Z", "krippendorff_alpha"] == pytest.approx(-0.1)
    assert rows.loc["Z", "agreement_when_coded"] == 0.0
    assert sorted(zip(differ["unit"], differ["code"], strict=True)) == [
        ("D:20-21", "Z"), ("D:30-30", "Z"), ("D:5-5", "Y"), ("D:5-6", "Y"), ("D:8-10", "Y")]


def test_segment_overlap_relative_to_the_shorter_passage():
    # [5-5] lies inside [5-6]: one location; Y over five locations (0,0) (1,1) (1,0)
    # (0,0) (0,0): p_o = .8, p_e = .4 x .2 + .6 x .8 = .56, kappa = .24 / .44.
    table, _ = intercoder_agreement(SEG_ANA, SEG_BEN,
                                    {**SPEC, "levels": ["segment"], "overlap_of": "shorter"},
                                    ["D"])
    y = table.set_index("code").loc["Y"]
    assert (y["n_units"], y["percent_agreement"]) == (5, pytest.approx(80.0))
    assert y["kappa"] == pytest.approx(0.24 / 0.44)


def test_atlas_exports_of_two_coders(tmp_path):
    docs = {"FG A": "PSWs"}
    sheets = {
        "ana": [{"ID": "1:1", "Document": "FG A", "Codes": "Hope", "Reference": "3 - 4"},
                {"ID": "1:2", "Document": "FG A", "Codes": "Hope\nStigma", "Reference": "9 - 9"}],
        "ben": [{"ID": "1:1", "Document": "FG A", "Codes": "Hope", "Reference": "3 - 4"},
                {"ID": "1:2", "Document": "FG A", "Codes": "Stigma", "Reference": "¶ 9 – 9"}],
    }
    codes = pd.DataFrame({"Code": ["Hope", "Stigma"], "Code Groups": ["PEERS", "PEERS"]})
    read = {}
    for name, quotes in sheets.items():
        write_xlsx(tmp_path / f"{name}.xlsx", {"Quotations": pd.DataFrame(quotes), "Codes": codes})
        read[name] = read_export({"path": f"{name}.xlsx", "format": "atlas_ti"}, docs, tmp_path)
    assert read["ben"][["begin", "end"]].to_numpy().tolist() == [[3, 4], [9, 9]]
    table, _ = intercoder_agreement(read["ana"], read["ben"], SPEC, ["FG A"])
    seg = table[table["level"] == "segment"].set_index("code")
    assert seg.loc["Hope", ["both", "first_only", "second_only", "neither"]].tolist() == \
        [1, 1, 0, 0]
    assert seg.loc["Stigma", "percent_agreement"] == 100.0


def test_segment_level_needs_positions(tmp_path):
    ana = ANA.assign(begin=pd.array([None] * len(ANA), dtype="Int64"),
                     position="Reference 'page 3'")
    with pytest.raises(DataError, match=r"coder ana's export, row 2 \(quotation D1:1\) has no "
                                        r"usable position \(Reference 'page 3'\)"):
        intercoder_agreement(ana, BEN, SPEC, ["D1", "D2", "D3"])
    # the document level needs none
    table, _ = intercoder_agreement(ana, BEN, {**SPEC, "levels": ["document"]},
                                    ["D1", "D2", "D3"])
    assert set(table["level"]) == {"document"}


def test_the_coders_must_share_one_code_system():
    ben = BEN.assign(group=["G", "G", "H", "H"])
    with pytest.raises(DataError, match=r"code 'Y' is in code group 'G' .* 'H' in ben's"):
        intercoder_agreement(ANA, ben, SPEC, ["D1", "D2", "D3"])


def test_atlas_start_end_columns_and_later_content_header(tmp_path):
    # Atlas.ti's Quotation Manager also shows Start/End (paragraphs of a text
    # quotation); later versions call the text column "Content".
    quotes = pd.DataFrame([{"ID": "1:1", "Document": "FG A", "Codes": "Hope", "Start": "3",
                            "End": "5", "Reference": "ignored", "Content": "[synthetic] hope"}])
    codes = pd.DataFrame({"Code": ["Hope"], "Code Groups": ["PEERS"]})
    write_xlsx(tmp_path / "a.xlsx", {"Quotations": quotes, "Codes": codes})
    seg = read_export({"path": "a.xlsx", "format": "atlas_ti"}, {"FG A": "PSWs"}, tmp_path)
    assert seg[["begin", "end", "text"]].iloc[0].tolist() == [3, 5, "[synthetic] hope"]


def test_only_the_double_coded_documents_are_compared():
    # D3 was coded by ben only; leaving it out of agreement.documents leaves Y at
    # (1,0) in D1 and (0,1) in D2: both units disagree.
    table, _ = intercoder_agreement(ANA, BEN, {**SPEC, "levels": ["document"]}, ["D1", "D2"])
    y = table.set_index("code").loc["Y"]
    assert (y["n_units"], y["first_only"], y["second_only"]) == (2, 1, 1)
