"""Defaults live in one place: the config schema, filled in by its validator."""

from __future__ import annotations

import pytest

from peerstudy.config import _schema, check_config, read_yaml, schema_defaults
from peerstudy.conventions import DEFAULT_CONVENTIONS, conventions

from .conftest import ROOT

COMPUTED = {  # optional keys whose default depends on other keys (said in the description)
    "manuscript", "documents"}


def optional_properties(node, path=""):
    """(path, schema) of every optional property, through $defs, items and maps."""
    defs = _schema()["$defs"]
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[1]], **node}
    required = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        if "$ref" in sub:
            sub = {**defs[sub["$ref"].rsplit("/", 1)[1]], **sub}
        if name not in required:
            yield f"{path}.{name}".lstrip("."), sub
        yield from optional_properties(sub, f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from optional_properties(node[key], f"{path}[]")
    for key in ("oneOf", "anyOf"):
        for branch in node.get(key, []):
            yield from optional_properties(branch, path)


def test_every_optional_key_with_a_default_is_described():
    found = list(optional_properties(_schema()))
    assert len(found) > 60
    for path, sub in found:
        if "default" in sub:
            assert sub.get("description"), f"{path}: a default needs a description"
        elif path.rsplit(".", 1)[-1] in COMPUTED:
            assert "default" in sub.get("description", "").lower(), path


def test_the_validator_fills_nested_defaults_without_touching_given_values():
    config = read_yaml(ROOT / ".test/config.yaml")
    config["analysis"]["conventions"] = {"wilcoxon": {"method": "exact"}}
    checked = check_config(config, base=ROOT)
    conv = checked["analysis"]["conventions"]
    assert conv["wilcoxon"] == {"method": "exact", "zero_method": "wilcox", "correction": False}
    assert conv["mixed_model"] == {"estimation": "REML", "df": "satterthwaite"}
    assert checked["analysis"]["multiplicity"]["method"] == "holm"
    assert checked["validation"]["on_out_of_range"] == "missing"  # given in the file
    assert checked["raw_files"][0]["declared_missing"] is True    # a default behind a $ref


def test_conventions_take_their_defaults_from_the_schema():
    assert DEFAULT_CONVENTIONS == schema_defaults("analysis", "conventions")
    assert conventions({})["alpha"] == schema_defaults("analysis", "alpha") == 0.05
    assert conventions({})["multiplicity"]["method"] == "holm"


@pytest.mark.parametrize("key", ["power", "reporting", "validation", "reliability"])
def test_section_defaults_are_declared(key):
    assert schema_defaults(key) is not None or key == "power"
