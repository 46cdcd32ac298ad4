"""Themes: counts by hand, exemplar quotations by declared id, bad declarations."""

from __future__ import annotations

import pandas as pd
import pytest

from peerstudy.errors import ConfigError, DataError
from peerstudy.qualitative import SEGMENTS, read_segments
from peerstudy.themes import exemplar_quotations, load_themes, theme_table

from .conftest import ROOT

SOURCES = ["PSWs", "service users", "professionals"]


def segments(rows, export="atlas"):
    """(quotation, document, source, code, text) rows -> read_segments' frame."""
    frame = pd.DataFrame([(q, d, 1, 1, "1 - 1", t, c, "G", i + 2)
                          for i, (q, d, _, c, t) in enumerate(rows)], columns=SEGMENTS)
    frame["source"] = [r[2] for r in rows]
    frame["export"] = export
    return frame


SEG = segments([
    ("1:1", "FG A", "PSWs", "Hope", "[synthetic] hope a"),
    ("1:2", "FG A", "PSWs", "Hope", "[synthetic] hope and stigma"),
    ("1:2", "FG A", "PSWs", "Stigma", "[synthetic] hope and stigma"),
    ("2:1", "FG B", "service users", "Stigma", "[synthetic] stigma b"),
    ("3:1", "Open", "professionals", "Training", "[synthetic] training"),
])
THEMES = [{"id": "hope_and_stigma", "label": "Hope and stigma", "description": "one line",
           "codes": ["Hope", "Stigma"], "exemplars": ["1:2", "2:1"]},
          {"id": "training", "label": "Training", "description": "one line",
           "codes": ["Training"]}]


def test_theme_counts_by_hand():
    table = theme_table(THEMES, SEG, SOURCES).set_index(["theme", "source"])
    # 1:2 carries both codes of the theme: one quotation, two code applications
    row = table.loc[("hope_and_stigma", "all")]
    assert (row["quotations"], row["code_applications"], row["documents"], row["sources"]) == \
        (3, 4, 2, 2)
    assert table.loc[("hope_and_stigma", "PSWs"), "quotations"] == 2
    assert table.loc[("hope_and_stigma", "professionals"), "quotations"] == 0
    assert table.loc[("training", "all"), ["quotations", "sources"]].tolist() == [1, 1]
    assert list(table.index.get_level_values("source")[:4]) == ["all", *SOURCES]


def test_exemplars_are_the_declared_quotations_with_their_text():
    quotes = exemplar_quotations(THEMES, SEG)
    assert quotes[["quotation", "document", "source", "theme_codes", "codes", "text"]] \
        .values.tolist() == [
            ["1:2", "FG A", "PSWs", "Hope; Stigma", "Hope; Stigma", "[synthetic] hope and stigma"],
            ["2:1", "FG B", "service users", "Stigma", "Stigma", "[synthetic] stigma b"]]
    assert quotes["order"].tolist() == [1, 2]


@pytest.mark.parametrize("change, message", [
    ({"codes": ["Hopes"]}, r"theme 'hope_and_stigma' names code 'Hopes', which no export has "
                           r"\(did you mean 'Hope'"),
    ({"exemplars": ["9:9"]}, r"names exemplar quotation '9:9', which no export has"),
    ({"exemplars": ["3:1"]}, r"exemplar '3:1' is coded Training, none of the theme's codes"),
])
def test_bad_theme_declarations_stop_with_the_theme_and_id(change, message):
    themes = [{**THEMES[0], **change}]
    with pytest.raises(DataError, match=message):
        exemplar_quotations(themes, SEG)


def test_an_id_in_two_exports_must_name_its_export():
    both = pd.concat([SEG, segments([("1:2", "FG A", "PSWs", "Hope", "[synthetic] other")],
                                    export="maxqda")], ignore_index=True)
    with pytest.raises(DataError, match=r"'1:2' is in several exports \(atlas, maxqda\)"):
        exemplar_quotations(THEMES, both)
    themes = [{**THEMES[0], "exemplars": ["maxqda/1:2"]}]
    assert exemplar_quotations(themes, both)["text"].tolist() == ["[synthetic] other"]


def test_an_exemplar_needs_text_in_the_export():
    seg = SEG.assign(text="")
    with pytest.raises(DataError, match=r"exemplar '1:2' has no text in the export"):
        exemplar_quotations(THEMES, seg)


def test_themes_file_is_checked_against_its_schema(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  - {id: a, label: A, codes: [Hope]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"themes.0: 'description' is a required property"):
        load_themes(path)
    path.write_text("themes:\n  - {id: a, label: A, description: d, codes: [Hope]}\n"
                    "  - {id: a, label: B, description: d, codes: [Stigma]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"theme id 'a' is used twice"):
        load_themes(path)


def test_default_study_themes_resolve_in_its_export(default_config):
    qual = default_config["qualitative"]
    themes = load_themes(ROOT / qual["themes"])
    seg = read_segments(qual, ROOT)
    table = theme_table(themes, seg, qual["sources"])
    quotes = exemplar_quotations(themes, seg)
    assert len(quotes) == sum(len(t["exemplars"]) for t in themes)
    assert quotes["text"].str.startswith("[synthetic] ").all()
    # every theme is heard, and the strain of the new role comes from PSWs' own accounts
    assert (table.loc[table["source"] == "all", "quotations"] > 0).all()
    strain = table[(table["theme"] == "new_role_strain")].set_index("source")["quotations"]
    assert strain["PSWs"] > strain["service users"]
