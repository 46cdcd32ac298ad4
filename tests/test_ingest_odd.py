"""Odd but readable exports (tests/data/odd/cases.yaml): each is read, every change
is logged with its file and row, rows read = rows kept + rows excluded, and the
data equal the untouched study's wherever the oddity holds no data."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from peerstudy.config import check_config, load_study_registry, read_yaml
from peerstudy.ingest import ingest
from peerstudy.instruments import form_ranges

from .conftest import DATA, ROOT
from .test_bad_inputs import file_spec, set_key

ODD = DATA / "odd"
CASES = yaml.safe_load((ODD / "cases.yaml").read_text(encoding="utf-8"))


def run(case: dict | None = None):
    config = copy.deepcopy(read_yaml(ROOT / ".test" / "config.yaml"))
    for file_id, odd in (case or {}).get("replace", {}).items():
        file_spec(config, file_id)["path"] = str((ODD / odd).relative_to(ROOT))
    for key, value in (case or {}).get("config", {}).items():
        set_key(config, key, value)
    checked = check_config(config, source=".test/config.yaml", base=ROOT)
    return ingest(checked, form_ranges(load_study_registry(checked, ROOT)), ROOT)


@pytest.fixture(scope="module")
def untouched():
    return run()


def of_file(issues: pd.DataFrame, path: str) -> pd.DataFrame:
    """Issues naming ``path`` (alone, or among the files a missing row could be in)."""
    named = issues["file"].str.split("; ").apply(lambda files: path in files)
    return issues[named & (issues["rule"] != "identifier_dropped")]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_odd_export_is_read_and_every_change_logged(case, untouched):
    result = run(case)
    config = read_yaml(ROOT / ".test" / "config.yaml")
    issues, before = pd.DataFrame(result.issues), pd.DataFrame(untouched.issues)
    for file_id, name in case["replace"].items():
        odd, original = f"tests/data/odd/{name}", file_spec(config, file_id)["path"]
        here, there = of_file(issues, odd), of_file(before, original)
        extra = here["rule"].value_counts().sub(there["rule"].value_counts(), fill_value=0)
        assert {r: int(n) for r, n in extra.items() if n} == case["logged"]
        # each change names its row (a participant without a row is named by file only)
        named = here[(here["file"] == odd) & (here["action"] != "no row at this timepoint")]
        assert named["row"].notna().all()
        acc = next(a for a in result.accounting if a["file"] == odd)
        assert acc["rows_read"] == acc["rows_kept"] + acc["rows_excluded"]
        assert acc["rows_excluded"] == int(here["rule"].isin(["blank_row",
                                                              "unknown_participant"]).sum())
    if case["same_data"]:
        pd.testing.assert_frame_equal(result.items, untouched.items)
        pd.testing.assert_frame_equal(result.participants, untouched.participants)


def test_declared_ranges_name_their_declaration(untouched):
    result = run(next(c for c in CASES if c["id"] == "sav_declared_missing_ranges"))
    issues = pd.DataFrame(result.issues)
    coded = issues[(issues["rule"] == "missing_code") & issues["file"].str.contains("odd")]
    # make_corpus.py: SWLS declares 88 THRU 99, -1; EMAS LO THRU -1, 99
    recoded = coded[coded["value"].isin(["-1", "88", "-7"])]
    assert recoded[["column", "value"]].values.tolist() == [["SWLS1", "-1"], ["SWLS2", "88"],
                                                            ["EMAS01", "-7"]]
    assert recoded["action"].str.startswith("set missing (declared missing in the file: ").all()
    assert "88 THRU 99, -1" in recoded["action"].iloc[0]
    assert "LO THRU -1, 99" in recoded["action"].iloc[2]
    changed = result.items.merge(untouched.items, on=["participant_id", "timepoint", "instrument",
                                                      "item"], suffixes=("", "_before"))
    differ = changed[changed["value"].fillna(-1) != changed["value_before"].fillna(-1)]
    assert len(differ) == 3 and differ["value"].isna().all()


def test_a_drop_out_row_with_no_answer_is_not_attending(untouched):
    result = run(next(c for c in CASES if c["id"] == "sav_drop_out_row_with_no_answer"))
    issues = pd.DataFrame(result.issues)
    absent = issues[(issues["rule"] == "not_attended")
                    & (issues["file"] == "tests/data/odd/psw_t3_empty_row.sav")]
    pid = absent["participant_id"].iloc[0]
    # the appended row is the sixth case of psw_t3_empty_row.sav
    assert absent[["file", "row", "action"]].values.tolist() == [
        ["tests/data/odd/psw_t3_empty_row.sav", 6, "no answered item at this timepoint"]]
    p = result.participants.set_index("participant_id")
    assert not p.loc[pid, "attended_T3"] and p.loc[pid, "dropout_reason"]
