"""Ingesting the default study: sizes, attrition, logging and privacy."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from peerstudy.ingest import ingest
from peerstudy.instruments import form_ranges

from .conftest import ROOT


@pytest.fixture(scope="module")
def result(default_config, registry):
    return ingest(default_config, form_ranges(registry), ROOT)


def test_group_sizes_and_attrition_match_the_study(result):
    p = result.participants
    assert len(p) == 162
    assert p.groupby("group").size().to_dict() == {"professional": 69, "psw": 16,
                                                   "service_user": 77}
    psw = p[p["group"] == "psw"]
    assert psw.groupby("site").size().to_dict() == {"manresa": 8, "vic": 8}
    assert psw["attended_T1"].sum() == 16
    assert psw["attended_T3"].sum() == 10  # 10 completed every phase (STUDY.md)
    assert (psw["dropout_reason"] == "relapse").sum() == 1
    su = p[p["group"] == "service_user"]
    assert su["attended_T2"].isna().all()  # not scheduled at 6 months: empty, not False


def test_sex_and_age_shares_follow_table_3(result):
    p = result.participants
    assert round((p["sex"] == "female").mean(), 2) == 0.52
    assert round((p["age_band"] == "<25").mean(), 2) == 0.05


def test_items_are_long_and_complete_per_attended_visit(result, registry):
    items = result.items
    assert list(items.columns) == ["participant_id", "site", "group", "timepoint",
                                   "instrument", "item", "value", "form"]
    per_visit = items.groupby(["participant_id", "timepoint", "instrument"]).size()
    expected = {i: len(registry[i].items) for i in registry}
    assert all(n == expected[key[2]] for key, n in per_visit.items())


def test_every_missing_code_and_out_of_range_value_is_logged(result):
    rules = pd.DataFrame(result.issues)["rule"].value_counts().to_dict()
    assert rules["missing_code"] > 0
    assert rules["out_of_range"] == 2  # the generator's two keying slips
    for acc in result.accounting:
        assert acc["rows_read"] == acc["rows_kept"] + acc["rows_excluded"]


def test_direct_identifiers_never_leave_the_raw_data(result, default_config):
    roster, _ = pyreadstat.read_sav(str(ROOT / default_config["participants_file"]["path"]))
    secrets = set(roster["nombre"]) | set(roster["telefono"])
    outputs = [result.items.to_csv(), result.participants.to_csv(),
               pd.DataFrame(result.issues).to_csv()]
    for text in outputs:
        assert not any(secret in text for secret in secrets)
    for column in ("nombre", "telefono", "name", "phone"):
        assert column not in result.participants.columns


def test_privacy_guard_refuses_identifier_columns_and_values():
    import pytest as _pytest

    from peerstudy.errors import DataError
    from peerstudy.privacy import assert_no_identifiers

    frame = pd.DataFrame({"participant_id": ["1101"], "note": ["Laia Puig Vila"]})
    with _pytest.raises(DataError, match=r"column 'note', row 1 holds a value of a direct"):
        assert_no_identifiers(frame, {"nombre"}, {"Laia Puig Vila"}, "x.csv")
    with _pytest.raises(DataError, match=r"direct-identifier column 'nombre'"):
        assert_no_identifiers(frame.rename(columns={"note": "nombre"}), {"nombre"}, set(), "x.csv")
    assert_no_identifiers(frame, {"nombre"}, {"Someone Else"}, "x.csv")


def test_config_mapping_an_identifier_as_data_is_refused():
    import copy

    import pytest as _pytest

    from peerstudy.config import check_config, read_yaml
    from peerstudy.errors import ConfigError

    config = copy.deepcopy(read_yaml(ROOT / "config/config.yaml"))
    config["participants_file"]["variables"]["name"] = {"column": "nombre", "values": {"x": "y"}}
    with _pytest.raises(ConfigError, match=r"column 'nombre' is listed under identifiers"):
        check_config(config, base=ROOT)


def test_ingest_keeps_identifier_values_only_in_memory(result):
    assert "nombre" in result.identifier_columns
    assert len(result.identifier_values) > 100
