"""Config for real exports: wide files, derived participants, instrument forms and
their rescaling — each refusal names the key and the fix."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from peerstudy.config import check_config, load_study_registry, read_yaml
from peerstudy.errors import ConfigError, DataError
from peerstudy.exports import blocks, item_variables
from peerstudy.instruments import answers_on_form, load_registry, registry_files
from peerstudy.scoring import score_items

from .conftest import ROOT

NEWSITE = ROOT / "tests/data/newsite/config.yaml"


def newsite():
    return copy.deepcopy(read_yaml(NEWSITE))


def check(config):
    return check_config(config, source="cfg.yaml", base=ROOT)


def test_forms_on_different_ranges_are_not_pooled_without_a_declared_rescaling():
    config = newsite()
    del config["registry"]["rescale"]
    with pytest.raises(ConfigError, match=r"instrument 'swls' is read with forms on different "
                                          r"response ranges — es_7 \(1-7: girona_psw\); es_5 "
                                          r"\(1-5: girona_users, lleida_users\).*declare "
                                          r"registry.rescale.swls: \{to: es_5, method: linear\}"):
        check(config)


def test_one_form_other_than_the_default_becomes_the_analysed_form():
    config = newsite()
    del config["registry"]["rescale"]
    for spec in config["raw_files"]:
        spec["forms"] = {"swls": "es_7"}
    checked = check(config)
    assert checked["registry"]["parameters"]["swls"] == {"form": "es_7"}
    registry = load_study_registry(checked, ROOT)
    assert registry["swls"].form == "es_7" and registry["swls"].items["swls01"].max == 7
    assert registry["swls"].scale_range(registry["swls"].scales["total"]) == (5.0, 35.0)
    assert "7-point" in registry["swls"].language_version


@pytest.mark.parametrize("change, message", [
    (lambda c: c["raw_files"][0].update(forms={"swls": "es_9"}),
     r"raw_files\[0\] \(girona_psw\).forms.swls: form 'es_9' does not exist \(did you mean"),
    (lambda c: c["raw_files"][0].update(forms={"ssq": "es_5"}),
     r"forms: instrument of this file 'ssq' does not exist"),
    (lambda c: c["registry"].update(rescale={"swls": {"to": "en_7", "method": "linear"}}),
     r"registry.rescale.swls.to: form 'en_7' does not exist"),
    (lambda c: c["registry"].update(parameters={"swls": {"form": "es_7"}}),
     r"registry.parameters.swls.form is set by peerstudy from the raw files' forms"),
    (lambda c: c["raw_files"][0].update(instruments={"swls": "SWLS{n}_b", "emas": "EMAS{n:02d}"}),
     r"'SWLS\{n\}_b' has no \{timepoint\} — in a wide file"),
    (lambda c: c["raw_files"][2].update(instruments={"swls": "SWLS{n}_{timepoint}",
                                                      "emas": "EMAS{n:02d}"}),
     r"'SWLS\{n\}_\{timepoint\}' holds \{timepoint\}, but this file is not wide"),
    (lambda c: c["raw_files"][0].update(timepoint={"wide": {"T1": "a", "T2": "a", "T3": "c"}}),
     r"timepoint.wide: two timepoints share the text 'a'"),
    (lambda c: c["raw_files"][0].update(timepoint={"wide": {"T1": "a", "T4": "d"}}),
     r"timepoint: timepoint 'T4' does not exist"),
    (lambda c: c.update(participants_file={"path": "x.sav", "format": "sav", "id_column": "id",
                                           "group": "psw", "site": "girona"}),
     r"give either participants_file .* or participants_from .*, not both"),
    (lambda c: c.pop("participants_from"), r"— neither is set"),
    (lambda c: c["participants_from"]["variables_from"][0].update(file="girona"),
     r"participants_from.variables_from\[0\].file: raw file 'girona' does not exist"),
    (lambda c: c["raw_files"][2].update(sep=";;"), r"the separator is one character"),
    (lambda c: c["analysis"]["categorical"][0].update(variables=["age_band"]),
     r"participant variable 'age_band' does not exist"),
])
def test_config_refusals_name_the_key_and_the_fix(change, message):
    config = newsite()
    change(config)
    with pytest.raises(ConfigError, match=message):
        check(config)


def test_a_wide_file_reads_each_instrument_where_its_group_has_it_scheduled():
    spec = {"group": {"column": "g", "values": {"1": "psw", "2": "service_user"}},
            "timepoint": {"wide": {"T1": "a", "T2": "b", "T3": "c"}},
            "instruments": {"swls": "SWLS{n}_{timepoint}", "copm": {"p": "COPM_{timepoint}"}}}
    schedule = {"psw": {"T1": ["swls"], "T2": ["swls", "copm"], "T3": ["swls", "copm"]},
                "service_user": {"T1": ["swls"], "T3": ["swls"]}}
    assert blocks(spec, schedule) == [("T1", "swls"), ("T2", "swls"), ("T2", "copm"),
                                      ("T3", "swls"), ("T3", "copm")]
    assert item_variables(spec, "swls", ["swls01", "swls02"], "T3") == {
        "swls01": "SWLS1_c", "swls02": "SWLS2_c"}
    assert item_variables(spec, "copm", ["p"], "T2") == {"p": "COPM_b"}


def test_an_instrument_gives_its_range_either_once_or_per_form(tmp_path):
    doc = (ROOT / "config/instruments/swls.yaml").read_text(encoding="utf-8")
    both = tmp_path / "swls.yaml"
    both.write_text(doc + "response: {min: 1, max: 5}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"give the response range either once under "
                                          r"'response' or per form under 'forms', not both"):
        load_registry([str(both)])


def registry(form=None):
    files = registry_files([str(ROOT / "config/instruments")])
    return load_registry(files, {"swls": {"form": form}} if form else {})


def swls_items(pid, values, form):
    return pd.DataFrame({"participant_id": pid, "site": "s", "group": "g", "timepoint": "T1",
                         "instrument": "swls", "item": [f"swls0{k}" for k in range(1, 6)],
                         "value": values, "form": form})


def test_a_seven_point_score_is_rescaled_linearly_to_the_five_point_range():
    items = pd.concat([swls_items("a", [7] * 5, "es_7"), swls_items("b", [1] * 5, "es_7"),
                       swls_items("c", [4] * 5, "es_7"), swls_items("d", [5, 4, 3, 2, 1], "es_5"),
                       swls_items("e", [7, 7, 7, 7, np.nan], "es_7")])
    scores, issues = score_items(items, registry(), {"swls": {"to": "es_5", "method": "linear"}})
    got = scores.set_index("participant_id")["score"].to_dict()
    # 5-35 -> 5-25: x' = 5 + (x - 5) * 20 / 30 (hand computed)
    assert got == pytest.approx({"a": 25.0, "b": 5.0, "c": 5 + 15 * 20 / 30, "d": 15.0,
                                 "e": 25.0})
    assert scores.set_index("participant_id")["form"].to_dict() == {
        "a": "es_7", "b": "es_7", "c": "es_7", "d": "es_5", "e": "es_7"}
    rescaled = issues[issues["rule"] == "rescaled_form"]
    assert list(rescaled["participant_id"]) == ["a", "b", "c", "e"]
    assert rescaled["value"].tolist() == ["35 on form es_7", "5 on form es_7", "20 on form es_7",
                                          "35 on form es_7"]
    assert set(rescaled["action"]) == {"rescaled linearly from 5-35 (form es_7) to 5-25 "
                                       "(form es_5)"}


def test_scores_of_another_form_stop_without_a_declared_rescaling():
    items = swls_items("a", [7] * 5, "es_7")
    with pytest.raises(DataError, match=r"declare registry.rescale.swls: \{to: es_5, "
                                        r"method: linear\}"):
        score_items(items, registry())


def test_a_single_non_default_form_is_scored_on_its_own_range():
    scores, issues = score_items(swls_items("a", [7] * 5, "es_7"), registry("es_7"))
    assert scores["score"].tolist() == [35.0] and issues.empty


def test_items_of_other_forms_are_put_on_the_analysed_range_for_reliability():
    swls = registry()["swls"]
    values = answers_on_form([7, 1, 4, 5], ["swls01", "swls02", "swls03", "swls01"],
                             ["es_7", "es_7", "es_7", "es_5"], swls)
    # 1-7 -> 1-5: x' = 1 + (x - 1) * 4 / 6
    assert values.tolist() == pytest.approx([5.0, 1.0, 3.0, 5.0])
