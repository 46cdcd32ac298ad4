"""The instrument registry: six instruments, templates, assumptions, bad definitions."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerstudy.errors import ConfigError
from peerstudy.instruments import Item, load_registry

from .conftest import ROOT


def test_registry_has_the_six_instruments_of_the_study(registry):
    assert sorted(registry) == ["cami", "copm", "emas", "ras_r", "ssq", "swls"]
    assert len(registry["emas"].items) == 12
    assert len(registry["ras_r"].items) == 24
    assert len(registry["cami"].items) == 40
    assert len(registry["swls"].items) == 5


def test_every_instrument_states_sources_and_assumptions(registry):
    for instrument in registry.values():
        assert instrument.sources, instrument.id
        assert instrument.assumptions, instrument.id
        for scale in instrument.scales.values():
            assert scale.higher_is, (instrument.id, scale.id)


def test_swls_registry_picks_the_5_point_form_so_26_57_is_unattainable(registry):
    swls = registry["swls"]
    assert swls.scale_range(swls.scales["total"]) == (5.0, 25.0)
    assert any("5-point" in a["choice"] for a in swls.assumptions)


def test_ras_r_has_five_factors_that_partition_its_items(registry):
    ras = registry["ras_r"]
    factors = [s for s in ras.scales.values() if s.id != "total"]
    assert [len(f.items) for f in factors] == [9, 3, 5, 4, 3]
    assert sorted(i for f in factors for i in f.items) == sorted(ras.items)


def test_cami_has_four_ten_item_factors_with_five_reversed_each(registry):
    cami = registry["cami"]
    factors = [s for s in cami.scales.values() if s.id != "total"]
    assert len(factors) == 4
    for factor in factors:
        assert len(factor.items) == 10
        assert sum(cami.items[i].reverse for i in factor.items) == 5


def test_copm_templates_expand_over_the_study_problems(registry):
    copm = registry["copm"]
    assert "performance_find_work" in copm.scales
    assert "satisfaction_give_to_community" in copm.scales
    assert len(copm.scales) == 6
    assert copm.items["performance_find_work"].max == 10


def test_copm_without_problems_in_config_says_what_to_add():
    registry = load_registry([str(ROOT / "config" / "instruments" / "copm.yaml")], {})
    assert registry["copm"].items == {}  # loads, but cannot be used ...
    assert "registry.parameters.copm.problems" in registry["copm"].needs


def test_scheduling_copm_without_its_problems_is_a_config_error():
    import copy

    from peerstudy.config import check_config, read_yaml

    config = copy.deepcopy(read_yaml(ROOT / "config" / "config.yaml"))
    del config["registry"]["parameters"]["copm"]
    with pytest.raises(ConfigError, match=r"needs registry.parameters.copm.problems"):
        check_config(config, base=ROOT)  # ... and scheduling it says what is missing


MADE_UP = """
id: wellbeing3
name: Three-item wellbeing check (made up for a test)
language_version: English
sources: [{id: fixture, type: article-journal, author: [{literal: Test}], issued: 2020, title: "Test fixture, not a real instrument"}]
response: {min: 0, max: 4}
items:
  - {id: wb1, label: calm}
  - {id: wb2, label: rested}
  - {id: wb3, label: worried, reverse: true}
scales:
  - {id: total, label: Wellbeing, items: all, method: mean, min_answered: 0.6,
     prorate: mean_times_k, higher_is: more wellbeing, higher_is_better: true}
assumptions:
  - {topic: none, choice: none, reason: test fixture, source: test}
"""


def write(tmp_path, text, name="x.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_a_new_instrument_is_one_yaml_file(tmp_path):
    import numpy as np

    from peerstudy.scoring import score_scale

    registry = load_registry([write(tmp_path, MADE_UP)])
    inst = registry["wellbeing3"]
    scale = inst.scales["total"]
    # hand-computed: (4 + 3 + (0 + 4 - 1)) / 3 = 10/3; with wb2 missing: (4 + 3) / 2 = 3.5
    score, answered = score_scale(np.array([[4, 3, 1], [4, np.nan, 1]]), inst, scale)
    assert score == pytest.approx([10 / 3, 3.5])
    assert list(answered) == [3, 2]


def test_an_item_in_two_subscales_is_refused(tmp_path):
    text = MADE_UP.replace(
        "assumptions:",
        "  - {id: a, label: A, items: [wb1, wb2], method: sum, min_answered: 1, prorate: none,"
        " higher_is: x, higher_is_better: true}\n"
        "  - {id: b, label: B, items: [wb2, wb3], method: sum, min_answered: 1, prorate: none,"
        " higher_is: x, higher_is_better: true}\nassumptions:",
    )
    with pytest.raises(ConfigError, match=r"item 'wb2' of 'wellbeing3' is in two subscales"):
        load_registry([write(tmp_path, text)])


def test_a_scale_naming_an_unknown_item_suggests_the_closest(tmp_path):
    text = MADE_UP.replace("items: all", "items: [wb1, wb4]")
    with pytest.raises(ConfigError, match=r"item 'wb4'.*did you mean 'wb[13]'"):
        load_registry([write(tmp_path, text)])


def test_an_unknown_key_in_an_instrument_file_is_named(tmp_path):
    text = MADE_UP.replace("language_version", "languge_version")
    with pytest.raises(ConfigError, match=r"x.yaml: .*languge_version"):
        load_registry([write(tmp_path, text)])


@given(st.integers(-5, 5), st.integers(1, 10), st.data())
def test_reverse_keying_twice_is_the_identity(low, width, data):
    item = Item(id="i", label="i", min=low, max=low + width, reverse=True)
    x = data.draw(st.integers(item.min, item.max))
    assert item.keyed(item.keyed(x)) == x
    assert item.min <= item.keyed(x) <= item.max
