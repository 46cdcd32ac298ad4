"""The bad-input corpus (tests/data/bad/cases.yaml): every broken input stops
with a message that names the file (and row/column where there is one) and
the fix — never a bare traceback, never a silent NaN."""

from __future__ import annotations

import copy

import pytest
import yaml

from peerstudy.config import check_config, load_config, load_study_registry, read_yaml
from peerstudy.errors import PeerstudyError
from peerstudy.ingest import ingest
from peerstudy.instruments import form_ranges
from peerstudy.qualitative import read_exports

from .conftest import DATA, ROOT

BAD = DATA / "bad"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))


def set_key(config: dict, dotted: str, value) -> None:
    """Set ``a.b.c``; a list of dicts is addressed by its elements' ``id``."""
    parts = dotted.split(".")
    node = config
    for part in parts[:-1]:
        node = next(e for e in node if e["id"] == part) if isinstance(node, list) else node[part]
    node[parts[-1]] = value


def file_spec(config: dict, file_id: str) -> dict:
    if file_id == "roster":
        return config["participants_file"]
    return next(f for f in config["raw_files"] if f["id"] == file_id)


def run_case(case: dict):
    if "config_file" in case:
        return load_config(BAD / case["config_file"], base=ROOT)
    config = copy.deepcopy(read_yaml(ROOT / ".test" / "config.yaml"))
    if "registry_dir" in case:
        config["registry"]["dirs"].append(str((BAD / case["registry_dir"]).relative_to(ROOT)))
    if "qualitative" in case:
        config["qualitative"]["exports"][0]["path"] = str((BAD / case["qualitative"]).relative_to(ROOT))
    for file_id, bad in case.get("replace", {}).items():
        file_spec(config, file_id)["path"] = str((BAD / bad).relative_to(ROOT))
    for key, value in case.get("config", {}).items():
        set_key(config, key, value)
    checked = check_config(config, source=".test/config.yaml", base=ROOT)
    registry = load_study_registry(checked, ROOT)
    result = ingest(checked, form_ranges(registry), ROOT)
    read_exports(checked["qualitative"], ROOT)
    return result


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_stops_with_a_message_naming_file_and_fix(case):
    with pytest.raises(PeerstudyError) as info:
        run_case(case)
    message = str(info.value)
    assert case["expect"] in message
    named = [*case.get("replace", {}).values(), case.get("qualitative"), case.get("config_file")]
    named = [n for n in named if n]
    for bad in named:
        assert f"tests/data/bad/{bad}" in message or "participant" in message
    if "registry_dir" in case:
        assert f"tests/data/bad/{case['registry_dir']}/" in message
    elif not named:  # config problems name the config, or the file it points to
        assert message.startswith((".test/config.yaml", ".test/data/raw/tiny/"))
    assert "Traceback" not in message


def test_out_of_range_set_missing_is_logged_and_rows_still_add_up():
    case = {"replace": {"psw_t1": "out_of_range.sav"}, "config": {"validation.on_out_of_range": "missing"}}
    result = run_case(case)
    logged = [i for i in result.issues
              if i["rule"] == "out_of_range" and i["file"].endswith("out_of_range.sav")]
    assert len(logged) == 1
    assert logged[0]["value"] == "44" and logged[0]["column"] == "SWLS2"
    for acc in result.accounting:
        assert acc["rows_read"] == acc["rows_kept"] + acc["rows_excluded"]


def test_unknown_participant_can_be_excluded_and_is_logged():
    case = {"replace": {"psw_t1": "unknown_participant.sav"},
            "config": {"validation.on_unknown_participant": "exclude",
                       "validation.on_missing_baseline": "keep"}}
    result = run_case(case)
    assert [i["participant_id"] for i in result.issues if i["rule"] == "unknown_participant"] == ["9999"]
    acc = next(a for a in result.accounting if a["file"].endswith("unknown_participant.sav"))
    assert acc["rows_excluded"] == 1
    assert acc["rows_read"] == acc["rows_kept"] + acc["rows_excluded"]
