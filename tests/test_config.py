"""The study config: schema, cross-references, and messages that name the fix."""

from __future__ import annotations

import copy

import pytest
import yaml

from peerstudy.config import check_config, load_config, read_yaml
from peerstudy.errors import ConfigError

from .conftest import ROOT


def raw():
    return read_yaml(ROOT / "config" / "config.yaml")


def test_default_config_is_valid_and_gets_defaults(default_config):
    assert default_config["study"]["id"] == "catalonia"
    assert default_config["validation"]["on_out_of_range"] == "missing"
    assert default_config["raw_files"][0]["encoding"] == "utf-8"  # default filled


def check(config):
    return check_config(config, source="cfg.yaml", base=ROOT)


def test_unknown_key_names_key_and_closest_valid_one():
    config = raw()
    config["sties"] = config.pop("sites")
    with pytest.raises(ConfigError, match=r"cfg.yaml: .*'sites'"):
        check(config)


def test_unknown_nested_key_suggests_the_right_one():
    config = raw()
    config["validation"]["on_out_of_rang"] = "stop"
    with pytest.raises(ConfigError, match=r"unknown key 'on_out_of_rang'.*did you mean 'on_out_of_range'"):
        check(config)


def test_schedule_with_unknown_timepoint_suggests_closest():
    config = raw()
    config["schedule"]["psw"]["T4"] = ["ssq"]
    with pytest.raises(ConfigError, match=r"schedule.psw: timepoint 'T4' does not exist"):
        check(config)


def test_schedule_with_unknown_instrument_suggests_closest():
    config = raw()
    config["schedule"]["psw"]["T1"] = ["ssq", "swl"]
    with pytest.raises(ConfigError, match=r"instrument 'swl' does not exist \(did you mean 'swls'\?\)"):
        check(config)


def test_file_path_typo_names_the_nearest_file():
    config = raw()
    config["raw_files"][0]["path"] = "data/raw/catalonia/psw_t01.sav"
    with pytest.raises(ConfigError, match=r"raw_files\[0\] \(psw_t1\).path: file .* not found.*psw_t1.sav"):
        check(config)


def test_bad_enum_value_is_named():
    config = raw()
    config["validation"]["on_out_of_range"] = "ignore"
    with pytest.raises(ConfigError, match=r"validation.on_out_of_range = 'ignore' is not allowed"):
        check(config)


def test_file_at_unscheduled_timepoint_is_rejected():
    config = raw()
    config["raw_files"][4]["timepoint"] = "T2"  # service users are not seen at 6 months
    with pytest.raises(ConfigError, match=r"group 'service_user' is not scheduled at timepoint 'T2'"):
        check(config)


def test_yaml_syntax_error_names_the_file(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("study: {id: x\n  title: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken.yaml: not valid YAML"):
        load_config(bad)


def test_a_study_with_four_timepoints_and_three_sites_needs_no_code_change(tmp_path):
    config = copy.deepcopy(raw())
    config["sites"].append({"id": "igualada", "label": "Igualada"})
    config["timepoints"].append({"id": "T4", "months": 24, "label": "24 months"})
    config["schedule"]["psw"]["T4"] = ["ssq"]
    checked = check(config)
    assert [t["id"] for t in checked["timepoints"]] == ["T1", "T2", "T3", "T4"]
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert load_config(path, base=ROOT)["sites"][-1]["id"] == "igualada"
