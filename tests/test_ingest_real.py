"""Ingesting files written by real SPSS writers (tests/data/real/): GNU PSPP and
IBM SPSS Statistics. Each file is read as a study would read it; the expected
values are read off the files' own syntax (the .sps beside each PSPP file) or
their printed data, named in each test."""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest

from peerstudy.columns import optional_codes, read_export
from peerstudy.config import check_config, load_study_registry
from peerstudy.errors import DataError, PeerstudyError
from peerstudy.ingest import Answers, ingest
from peerstudy.instruments import form_ranges
from peerstudy.validate import issues_frame, write_report

from .conftest import ROOT

REAL = "tests/data/real"
TPS = [{"id": "T1", "label": "baseline"}, {"id": "T2", "label": "6 months"},
       {"id": "T3", "label": "12 months"}]


def study(raw_files, groups=("psw",), sites=("girona",), participants=None, **extra):
    """A one-instrument (SWLS) study around the given raw files; no roster file."""
    config = {
        "study": {"id": "real", "title": "real files"},
        "registry": {"dirs": ["config/instruments"]},
        "sites": [{"id": s, "label": s} for s in sites],
        "groups": [{"id": g, "label": g} for g in groups],
        "timepoints": copy.deepcopy(TPS),
        "schedule": {g: {"T1": ["swls"], "T2": ["swls"], "T3": ["swls"]} for g in groups},
        "validation": {"on_out_of_range": "missing", "on_non_numeric": "stop",
                       "on_unknown_participant": "stop", "on_missing_baseline": "keep"},
        "participants_from": participants or {},
        "raw_files": raw_files,
    }
    config.update(extra)
    return config


def run(config):
    checked = check_config(config, source="test.yaml", base=ROOT)
    registry = load_study_registry(checked, ROOT)
    return ingest(checked, form_ranges(registry), ROOT)


def issues_of(result, rule=None):
    frame = issues_frame(result.issues)
    return frame if rule is None else frame[frame["rule"] == rule]


WIDE = {
    "id": "girona_psw", "path": f"{REAL}/pspp/wide_declared.sav", "format": "sav",
    "group": "psw", "site": {"column": "centro", "values": {"G": "girona"}},
    "timepoint": {"wide": {"T1": "t1", "T2": "t2", "T3": "t3"}},
    "id_column": "codigo", "identifiers": ["nombre"],
    "instruments": {"swls": "SWLS{n}_{timepoint}"},
}
SEX = {"variables_from": [{"file": "girona_psw",
                           "variables": {"sex": {"column": "sexo",
                                                 "values": {"F": "female", "M": "male"}}}}]}


@pytest.fixture(scope="module")
def wide():
    return run(study([copy.deepcopy(WIDE)], participants=copy.deepcopy(SEX)))


def test_one_entry_reads_every_timepoint_of_a_wide_file_once(wide):
    # wide_declared.sps: 12 cases, one row each
    assert [a for a in wide.accounting if a["file"].endswith("wide_declared.sav")] == [{
        "file": f"{REAL}/pspp/wide_declared.sav", "rows_read": 12, "rows_kept": 12,
        "rows_excluded": 0, "values_missing": 8, "rows_empty": 0, "warnings": []}]
    assert (issues_of(wide, "identifier_dropped")["column"] == "nombre").sum() == 1
    assert sorted(wide.items["timepoint"].unique()) == ["T1", "T2", "T3"]
    assert wide.items.groupby("timepoint")["participant_id"].nunique().to_dict() == {
        "T1": 12, "T2": 10, "T3": 10}


def test_roster_is_derived_from_the_export(wide):
    p = wide.participants
    assert list(p["participant_id"]) == [f"GI-{k:03d}" for k in range(1, 13)]
    assert set(p["site"]) == {"girona"} and set(p["group"]) == {"psw"}
    assert p["sex"].tolist() == ["female", "male"] * 6  # sexo in wide_declared.sps
    assert "dropout_reason" not in p


def test_every_drop_out_of_the_wide_file_is_not_attending(wide):
    p = wide.participants.set_index("participant_id")
    # GI-009: T2 and T3 blocks empty; GI-010: T3 all 88 (declared 88 THRU 99);
    # GI-011: T2 all negative (declared LO THRU -1)
    absent = {(pid, tp) for pid in p.index for tp in ("T1", "T2", "T3")
              if not p.loc[pid, f"attended_{tp}"]}
    assert absent == {("GI-009", "T2"), ("GI-009", "T3"), ("GI-010", "T3"), ("GI-011", "T2")}
    logged = issues_of(wide, "not_attended")
    assert set(zip(logged["participant_id"], logged["timepoint"], strict=True)) == absent
    assert set(logged["file"]) == {f"{REAL}/pspp/wide_declared.sav"}
    assert dict(zip(logged["participant_id"] + logged["timepoint"], logged["row"],
                    strict=True)) == {"GI-009T2": 9, "GI-009T3": 9, "GI-010T3": 10, "GI-011T2": 11}
    # nothing of an empty visit reaches items.csv
    items = wide.items.set_index(["participant_id", "timepoint"])
    assert not any(key in items.index for key in absent)


def test_declared_missing_values_and_ranges_become_missing_with_their_declaration(wide):
    coded = issues_of(wide, "missing_code")
    by_column = coded.groupby(coded["column"].str[-2:])["action"].agg(set).to_dict()
    # MISSING VALUES ... _t1 (9) / _t2 (LO THRU -1) / _t3 (88 THRU 99, -9)
    assert by_column["t1"] == {"set missing (declared missing in the file: 9; "
                               "value label 'No contesta')"}
    assert all(a.startswith("set missing (declared missing in the file: LO THRU -1")
               for a in by_column["t2"])
    assert all(a.startswith("set missing (declared missing in the file: 88 THRU 99, -9;")
               for a in by_column["t3"])
    # 9 at t1: GI-005 SWLS2, GI-012 SWLS2, 3, 5; at t2: -1 (GI-005), -1 -3 -1 -1 -2 (GI-011,
    # logged although the visit is empty); at t3: 88 x 5 (GI-010), 99 (GI-005), -9 (GI-006)
    assert coded.groupby(coded["column"].str[-2:]).size().to_dict() == {"t1": 4, "t2": 6,
                                                                         "t3": 7}
    assert set(coded["value"]) == {"9", "-1", "-2", "-3", "88", "99", "-9"}
    # 6 is an answer outside 1-5 (no label, not declared)
    oor = issues_of(wide, "out_of_range")
    assert oor[["participant_id", "column", "value"]].values.tolist() == [
        ["GI-004", "SWLS1_t3", "6"]]


LONG = {"id": "long", "path": f"{REAL}/pspp/long_declared.sav", "format": "sav",
        "group": {"column": "grupo", "values": {"P": "psw", "U": "service_user"}},
        "site": {"column": "centro", "values": {1: "lleida", 2: "tarragona"}},
        "timepoint": {"column": "visita", "values": {1: "T1", 2: "T3"}},
        "id_column": "id", "instruments": {"swls": "SWLS{n}"}}


def long_study(raw):
    config = study([raw], groups=("psw", "service_user"), sites=("lleida", "tarragona"))
    for g in ("psw", "service_user"):
        config["schedule"][g] = {"T1": ["swls"], "T3": ["swls"]}
    return config


def test_declared_missing_can_be_switched_off_with_a_warning():
    result = run(long_study(copy.deepcopy(LONG) | {"declared_missing": False}))
    assert issues_of(result, "missing_code").empty
    # long_declared.sps: -1, 99 (102 at T1 and T3: 1 + 5), 99 and -2 (104) read as answers
    assert sorted(issues_of(result, "out_of_range")["value"]) == ["-1", "-2"] + ["99"] * 6
    report = write_report(issues_frame(result.issues), result.accounting, {"id": "real"})
    assert "## Warnings" in report
    assert "declared_missing: false" in report and "SWLS1: LO THRU -1, 99" in report


def test_values_declared_missing_but_labelled_elsewhere_do_not_stop():
    # wide_declared.sps labels -9, -1, 88 and 99 on every SWLS column; at t1 they are
    # neither declared nor used, so they say nothing about t1's coding
    wide = copy.deepcopy(WIDE) | {"declared_missing": False}
    with pytest.raises(DataError, match=r"column SWLS2_t1: value label 9 = 'No contesta' lies "
                                        r"outside the registry's response range 1-5"):
        run(study([wide]))  # 9 is used at t1: with declarations off it must be declared


def test_a_config_code_adds_to_the_file_declarations():
    config = study([copy.deepcopy(WIDE)], missing_codes={"9": "no answer (config)",
                                                          "6": "keyed 6 (config)"})
    coded = issues_of(run(config), "missing_code")
    at_t3 = coded[coded["column"] == "SWLS1_t3"]
    assert at_t3[at_t3["value"] == "6"]["action"].tolist() == [
        "set missing (missing_codes: keyed 6 (config))"]
    both = coded[(coded["column"] == "SWLS2_t1") & (coded["value"] == "9")]["action"]
    assert set(both) == {"set missing (declared missing in the file: 9; value label "
                         "'No contesta'; missing_codes: no answer (config))"}


def test_long_pspp_file_with_attendance_column_string_codes_and_a_blank_case():
    raw = copy.deepcopy(LONG) | {"attendance": {"column": "asistio",
                                                "values": {1: "attended", 0: "not_attended"}}}
    result = run(long_study(raw))
    acc = result.accounting[0]
    assert (acc["rows_read"], acc["rows_kept"], acc["rows_excluded"]) == (10, 9, 1)
    assert issues_of(result, "blank_row")["row"].tolist() == [9]
    p = result.participants.set_index("participant_id")
    assert p["group"].to_dict() == {"101": "psw", "102": "psw", "103": "service_user",
                                    "104": "service_user", "105": "service_user"}
    # 102 came at 12 months (asistio = 1) but every answer is 99: attended, all missing
    assert p.loc["102", "attended_T3"]
    assert result.items.query("participant_id == '102' and timepoint == 'T3'")["value"].isna().all()
    absent = issues_of(result, "not_attended").set_index("participant_id")
    assert absent.loc["103", "action"] == "attendance column: not attended"
    assert absent.loc["103", "row"] == 6
    assert absent.loc["105", "action"] == "no row at this timepoint"
    assert absent.loc["105", "file"] == f"{REAL}/pspp/long_declared.sav"
    coded = issues_of(result, "missing_code")
    assert set(coded["value"]) == {"-1", "-2", "99"}
    assert set(coded["action"]) == {"set missing (declared missing in the file: LO THRU -1, 99)"}


def test_attendance_column_contradicting_the_answers_stops():
    raw = {"id": "long", "path": f"{REAL}/pspp/long_declared.sav", "format": "sav",
           "group": {"column": "grupo", "values": {"P": "psw", "U": "psw"}}, "site": "girona",
           "timepoint": {"column": "visita", "values": {1: "T1", 2: "T3"}},
           "id_column": "id", "instruments": {"swls": "SWLS{n}"},
           "attendance": {"column": "asistio", "values": {1: "not_attended", 0: "attended"}}}
    config = study([raw])
    config["schedule"]["psw"] = {"T1": ["swls"], "T3": ["swls"]}
    with pytest.raises(DataError, match=r"long_declared.sav, row 1, column asistio \(id 101\): "
                                        r"the attendance column says not attended at T1, but 5 "
                                        r"item\(s\) are answered"):
        run(config)


def test_later_timepoint_without_baseline_names_file_and_row():
    raw = {"id": "long", "path": f"{REAL}/pspp/long_declared.sav", "format": "sav",
           "group": {"column": "grupo", "values": {"P": "psw", "U": "psw"}}, "site": "girona",
           "timepoint": {"column": "visita", "values": {1: "T2", 2: "T3"}},
           "id_column": "id", "instruments": {"swls": "SWLS{n}"}}
    config = study([raw])
    config["validation"]["on_missing_baseline"] = "stop"
    with pytest.raises(DataError, match=r"^tests/data/real/pspp/long_declared.sav, row 1: "
                                        r"participant 101 has data at T2, T3 but none at "
                                        r"baseline T1"):
        run(config)
    config["validation"]["on_missing_baseline"] = "keep"
    logged = issues_of(run(config), "missing_baseline")
    assert logged.iloc[0][["file", "row", "column"]].tolist() == [
        f"{REAL}/pspp/long_declared.sav", 1, "id"]


def test_an_id_in_two_groups_names_both_files_and_rows():
    first = {"id": "a", "path": f"{REAL}/pspp/long_declared.sav", "format": "sav",
             "group": {"column": "grupo", "values": {"P": "psw", "U": "service_user"}},
             "site": "girona", "timepoint": {"column": "visita", "values": {1: "T1", 2: "T3"}},
             "id_column": "id", "instruments": {"swls": "SWLS{n}"}}
    second = copy.deepcopy(first) | {"id": "b", "group": "psw"}
    config = study([first, second], groups=("psw", "service_user"))
    for g in ("psw", "service_user"):
        config["schedule"][g] = {"T1": ["swls"], "T3": ["swls"]}
    with pytest.raises(DataError, match=r"long_declared.sav, row 5: participant 103 is group "
                                        r"'psw' here but 'service_user' in "
                                        r"tests/data/real/pspp/long_declared.sav, row 5"):
        run(config)


@pytest.mark.parametrize("name, column, expect", [
    ("date_item", "SWLS3", r"column SWLS3: holds dates or times \(SPSS format DATE11\), but it is "
                           r"read as an answer to swls"),
    ("string_item", "SWLS2", r"column SWLS2: is a string variable \(SPSS format A1\), but an "
                             r"answer to swls must be numeric .*ALTER TYPE SWLS2"),
])
def test_dates_and_strings_on_item_columns_stop_naming_the_column(name, column, expect):
    raw = {"id": name, "path": f"{REAL}/pspp/{name}.sav", "format": "sav", "group": "psw",
           "site": "girona", "timepoint": "T1", "id_column": "id",
           "instruments": {"swls": "SWLS{n}"}}
    with pytest.raises(DataError, match=rf"^tests/data/real/pspp/{name}.sav, {expect}"):
        run(study([raw]))


def test_an_impossible_date_in_an_unused_column_does_not_stop_the_file():
    raw = {"id": "x", "path": f"{REAL}/pspp/extreme_datetime.sav", "format": "sav",
           "group": "psw", "site": "girona", "timepoint": "T1", "id_column": "id",
           "instruments": {"swls": "SWLS{n}"}}
    result = run(study([raw]))
    # extreme_datetime.sps: 101 answers 4 4 4 3 4, 102 answers 3 3 3 3 3
    values = result.items.groupby("participant_id")["value"].apply(list).to_dict()
    assert values == {"101": [4.0, 4.0, 4.0, 3.0, 4.0], "102": [3.0] * 5}


# ---- files written by IBM SPSS Statistics 25 (pyreadstat's test data) ----------------------

def spss_export(name, **spec):
    base = {"id": "x", "path": f"{REAL}/spss/{name}", "format": "sav", "group": "g",
            "site": "s", "timepoint": "T1", "id_column": "mychar",
            "instruments": {"ordinal": {"ord": "myord", "labl": "mylabl"}}}
    return read_export(base | spec, ROOT)


def test_spss_written_declarations_are_read_as_spss_wrote_them():
    export = spss_export("sample_missing.sav")
    # pyreadstat's test (test_basic.py) documents: mynum 2000-3000 and -1 missing;
    # mylabl -1; myord -1, -2, -3
    assert export.declared["mynum"] == [(2000.0, 3000.0), (-1.0, -1.0)]
    assert export.declared["myord"] == [(-1.0, -1.0), (-2.0, -2.0), (-3.0, -3.0)]
    assert export.kind("mydate") == "date" and export.kind("mychar") == "string"
    assert export.kind("mytime") == "date" and export.kind("mynum") == "number"


def test_spss_written_declared_codes_become_missing_and_are_logged():
    export = spss_export("sample_missing.sav")
    config = {"validation": {"on_out_of_range": "stop", "on_non_numeric": "stop"},
              "missing_codes": {}}
    issues = []
    ids = np.array(["a", "b", "c", "d", "e", "Z", None], dtype=object)
    values = Answers(config, export).parse("myord", 1, 3, np.arange(6), 0, ids,
                                           np.full(7, "T1", dtype=object), issues)
    # printed data of sample_missing.sav: myord = 1 2 3 1 1 -1 (-3 on the 7th case)
    assert values.tolist()[:5] == [1.0, 2.0, 3.0, 1.0, 1.0] and np.isnan(values[5])
    assert issues == [{"file": f"{REAL}/spss/sample_missing.sav", "row": 6, "column": "myord",
                       "participant_id": "Z", "timepoint": "T1", "value": "-1",
                       "rule": "missing_code",
                       "action": "set missing (declared missing in the file: -1, -2, -3; "
                                 "value label 'missing')"}]
    issues = []
    mynum = Answers(config | {"validation": {"on_out_of_range": "missing",
                                             "on_non_numeric": "stop"}}, export)
    mynum.parse("mynum", -5000, 5000, np.arange(7), 0, ids, np.full(7, "T1"), issues)
    issues.sort(key=lambda i: i["row"])
    assert [(i["value"], i["rule"]) for i in issues] == [
        ("1.1", "out_of_range"), ("1.2", "out_of_range"), ("-1000.3", "out_of_range"),
        ("-1.4", "out_of_range"), ("1000.3", "out_of_range"), ("-1", "missing_code"),
        ("2500", "missing_code")]
    assert issues[-1]["action"] == "set missing (declared missing in the file: 2000 THRU 3000, -1)"


def test_spss_written_file_with_an_empty_id_stops_naming_the_row():
    config = study([{"id": "x", "path": f"{REAL}/spss/sample_missing.sav", "format": "sav",
                     "group": "psw", "site": "girona", "timepoint": "T1", "id_column": "mychar",
                     "instruments": {"swls": {"swls01": "myord", "swls02": "myord",
                                              "swls03": "myord", "swls04": "myord",
                                              "swls05": "myord"}}}])
    with pytest.raises(PeerstudyError, match=r"sample_missing.sav, row 7, column mychar: empty "
                                             r"participant id"):
        run(config)


def test_spss_written_declared_string_code_is_missing_in_a_variable():
    export = read_export({"id": "x", "path": f"{REAL}/spss/missing_char.sav", "format": "sav"},
                         ROOT)
    issues = []
    ids = np.array(["p1", "p2"], dtype=object)
    codes = optional_codes(export, {"column": "mychar", "values": {"a": "labelled"}}, "kind",
                           np.arange(2), issues, ids)
    # missing_char.sav: mychar = 'Z' (declared missing) and 'a' (labelled 'labeled')
    assert codes.tolist() == [None, "labelled"]
    assert issues == [{"file": f"{REAL}/spss/missing_char.sav", "row": 1, "column": "mychar",
                       "participant_id": "p1", "timepoint": None, "value": "Z",
                       "rule": "missing_code",
                       "action": "set missing (declared missing in the file: 'Z')"}]


def test_spss_written_compressed_zsav_reads():
    export = spss_export("sample.zsav")
    assert export.frame["mychar"].tolist() == ["a", "b", "c", "d", "e"]
    assert export.frame["myord"].tolist() == [1.0, 2.0, 3.0, 1.0, 1.0]


def test_string_value_labels_on_a_group_code_do_not_crash():
    # long_declared.sav: grupo is A1 with labels 'P', 'U' (the crash was float('P'))
    export = read_export({"id": "x", "path": f"{REAL}/pspp/long_declared.sav", "format": "sav"},
                         ROOT)
    assert export.value_labels["grupo"] == {"P": "Agente de apoyo mutuo", "U": "Persona usuaria"}
    frame = pd.Series(export.frame["grupo"])
    assert frame.iloc[0] == "P"


# ---- CSV exports written by PSPP (SAVE TRANSLATE) and R (readr) -------------------------------

CSV_SITES = {"column": "centro", "values": {1: "vic", 2: "manresa"}}


def csv_export_study(**validation):
    """csv_export.sps: baseline as .sav, the 12-month visit as a formatted CSV."""
    t1 = {"id": "t1", "path": f"{REAL}/pspp/csv_export_t1.sav", "format": "sav",
          "group": "psw", "site": CSV_SITES, "timepoint": "T1", "id_column": "codigo",
          "instruments": {"swls": "SWLS{n}"}}
    t3 = t1 | {"id": "t3", "path": f"{REAL}/pspp/csv_export_t3.csv", "format": "csv",
               "timepoint": "T3", "sep": ",", "decimal": ".", "encoding": "utf-8"}
    config = study([t1, t3], sites=("vic", "manresa"), missing_codes={99: "no answer"})
    config["schedule"]["psw"] = {"T1": ["swls"], "T3": ["swls"]}
    config["validation"] |= validation
    return config


def test_spss_formatted_csv_ids_are_the_participants_of_the_sav_file():
    # csv_export.sps: the CSV prints ids 101-105 (F8.2) as '101.00'...'105.00' and site
    # codes as '1.00', '2.00'; they are the five participants of the baseline .sav file
    result = run(csv_export_study(on_non_numeric="missing"))
    p = result.participants.set_index("participant_id")
    assert p.index.tolist() == ["101", "102", "103", "104", "105"]
    assert p["attended_T1"].all() and p["attended_T3"].all()
    assert p["site"].tolist() == ["vic", "vic", "manresa", "manresa", "manresa"]
    assert issues_of(result, "missing_baseline").empty
    at_t3 = result.items[result.items["timepoint"] == "T3"]
    assert at_t3[at_t3["participant_id"] == "101"]["value"].tolist() == [4.0, 4.0, 5.0, 3.0, 4.0]
    # how the ids and codes were read is said once per column in report.md's warnings
    warnings = result.accounting[1]["warnings"]
    assert warnings == [
        "column codigo: 5 value(s) written with decimal zeros (e.g. '101.00') were read as "
        "whole numbers (e.g. '101'), as a .sav file's numbers are",
        "column centro: 5 value(s) written with decimal zeros (e.g. '1.00') were read as whole "
        "numbers (e.g. '1'), as a .sav file's numbers are"]


def test_spss_formatted_csv_missing_code_printed_with_decimals_is_the_code():
    result = run(csv_export_study(on_non_numeric="missing"))
    coded = issues_of(result, "missing_code")
    # csv_export.sps: 99 of 102 (SWLS2) and of 103 (SWLS4), printed '99.00'
    assert list(zip(coded["participant_id"], coded["column"], coded["value"],
                    coded["action"], strict=True)) == [
        ("102", "SWLS2", "99.00", "set missing (missing_codes: no answer)"),
        ("103", "SWLS4", "99.00", "set missing (missing_codes: no answer)")]
    assert issues_of(result, "out_of_range").empty
    # 99 of 103 in the F1.0 column SWLS5 did not fit and was printed '*'
    lost = issues_of(result, "non_numeric")
    assert list(zip(lost["row"], lost["column"], lost["value"], strict=True)) == [
        (3, "SWLS5", "*")]


def test_spss_asterisks_for_a_value_too_wide_for_its_format_stop_with_the_reason():
    with pytest.raises(DataError, match=r"csv_export_t3.csv, row 3, column SWLS5 \(id 103\): "
                                        r"got '\*', not a number — fix the export \(SPSS and "
                                        r"PSPP write asterisks when a value does not fit its "
                                        r"variable's print format"):
        run(csv_export_study(on_non_numeric="stop"))


def csv_study(path, sep: str, decimal: str, **extra):
    """One baseline CSV of PSWs' SWLS answers (ids in 'codigo', site codes in 'centro')."""
    raw = {"id": "one", "path": str(path), "format": "csv", "group": "psw",
           "site": CSV_SITES, "timepoint": "T1", "id_column": "codigo", "sep": sep,
           "decimal": decimal, "encoding": "utf-8", "instruments": {"swls": "SWLS{n}"}}
    config = study([raw], sites=("vic", "manresa"), **extra)
    config["schedule"]["psw"] = {"T1": ["swls"]}
    return config


def readr_study(**extra):
    return csv_study(f"{REAL}/r/readr_csv2.csv", ";", ",", **extra)


def test_r_na_stops_with_the_advice_to_declare_it():
    config = readr_study(missing_codes={99: "no answer"})
    with pytest.raises(DataError, match=r"readr_csv2.csv, row 2, column SWLS2 \(id 102\): got "
                                        r"'NA', not a number — fix the export, or add 'NA' to "
                                        r"missing_codes if it means no answer"):
        run(config)


def test_r_decimal_comma_csv_codes_and_values_are_read_by_value():
    config = readr_study(missing_codes={99: "no answer", "NA": "R's missing value"})
    config["validation"]["on_out_of_range"] = "missing"
    result = run(config)
    # readr_csv2.R: SWLS5 = 4, 99, 2, 2.5 printed '4,0', '99,0', '2,0', '2,5'
    values = result.items.pivot(index="participant_id", columns="item", values="value")
    assert values["swls05"].tolist()[0::2] == [4.0, 2.0]
    assert values.loc["101"].tolist() == [4.0, 4.0, 4.0, 3.0, 4.0]
    issues = issues_of(result).dropna(subset=["row"])
    assert list(zip(issues["row"], issues["column"], issues["value"], issues["rule"],
                    issues["action"], strict=True)) == [
        (2, "SWLS2", "NA", "missing_code", "set missing (missing_codes: R's missing value)"),
        (2, "SWLS5", "99,0", "missing_code", "set missing (missing_codes: no answer)"),
        (4, "SWLS5", "2,5", "out_of_range", "set missing (expected 1-5)")]


@pytest.mark.parametrize("path, fmt, expect", [
    # PSPP 1.6.2 EXPORT (portable.sps)
    ("pspp/portable.por", "sav", "is an SPSS portable file (.por), which is not read — open it "
                                 "in SPSS or PSPP and save it as .sav"),
    ("pspp/csv_export_t3.csv", "sav", "the config reads it as an SPSS .sav file, but it is text "
                                      "(it begins b'codigo,centro,SWLS1"),
    ("pspp/csv_export_t1.sav", "csv", "the config reads it as delimited text, but it is an SPSS "
                                      ".sav file — set format: sav"),
    ("spss/sample.zsav", "csv", "but it is a compressed SPSS .zsav file — set format: sav"),
    # openpyxl's workbook (qualitative/make_maxqda.py)
    ("qualitative/maxqda_segments.xlsx", "csv", "but it is an Excel/OpenDocument workbook "
                                                "(.xlsx/.ods, a zip archive) — save the sheet as "
                                                "'CSV UTF-8'"),
])
def test_a_file_of_another_format_stops_naming_what_it_is(path, fmt, expect):
    raw = {"id": "x", "path": f"{REAL}/{path}", "format": fmt, "group": "psw", "site": "girona",
           "timepoint": "T1", "id_column": "codigo", "instruments": {"swls": "SWLS{n}"}}
    if fmt == "csv":
        raw |= {"sep": ",", "decimal": ".", "encoding": "utf-8"}
    # before: a workbook or .sav named as CSV was advised another encoding (latin-1 decodes
    # any bytes), a .por or CSV named as .sav was "truncated"
    with pytest.raises(DataError, match=re.escape(f"{REAL}/{path}: ") + ".*" + re.escape(expect)):
        run(study([raw]))


def test_an_excel_separator_hint_naming_another_separator_stops():
    from peerstudy.io import read_delimited

    # tests/data/odd/cami_sep_line.csv begins 'sep=;' (make_corpus.py); read with ','
    with pytest.raises(DataError, match=r"cami_sep_line.csv, line 1: the file says 'sep=;' but "
                                        r"the config says sep: ',' — set sep: ';'"):
        read_delimited(ROOT / "tests/data/odd/cami_sep_line.csv", "cp1252", ",", ".")
    frame = read_delimited(ROOT / "tests/data/odd/cami_sep_line.csv", "cp1252", ";", ",")
    assert frame.columns[0] == "Código" and len(frame) > 0


def test_ids_saved_with_thousands_separators_are_the_whole_numbers():
    # thousands.csv (LibreOffice 7.4.7, cells saved as shown): '1,050' is participant 1050,
    # not a participant of its own (with a derived roster it would have been a new one)
    result = run(csv_study(f"{REAL}/libreoffice/thousands.csv", ",", "."))
    assert sorted(result.participants["participant_id"]) == ["1050", "1051", "2100", "987"]
    assert result.accounting[0]["warnings"][0] == (
        "column codigo: 3 value(s) written with thousands separators (e.g. '1,050') were "
        "read as whole numbers (e.g. '1050'), as a .sav file's numbers are")


def test_a_point_in_a_decimal_comma_file_is_not_read_as_a_number(tmp_path):
    # with decimal ',' a '3.000' may be 3000 (grouped) or 3 (a decimal point written by
    # other software): neither is guessed; the answer stops, naming the cell and the fix
    path = tmp_path / "points.csv"
    path.write_text("codigo;centro;SWLS1;SWLS2;SWLS3;SWLS4;SWLS5\n"
                    "101;1;4;4;4;3;4\n102;1;3;3.000;3;3;2\n", encoding="utf-8")
    config = csv_study(path, ";", ",")
    with pytest.raises(DataError, match=r"points.csv, row 2, column SWLS2 \(id 102\): got "
                                        r"'3.000', not a number — fix the export, or set "
                                        r"decimal: '.'"):
        run(config)
    config["validation"]["on_non_numeric"] = "missing"
    logged = issues_of(run(config), "non_numeric")
    assert list(zip(logged["row"], logged["column"], logged["value"], strict=True)) == [
        (2, "SWLS2", "3.000")]
