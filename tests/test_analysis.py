"""The analysis plan runner: signs, families, contract columns, RCI, descriptives."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from peerstudy.analysis import TEST_COLUMNS, descriptives, reliable_change, run_tests
from peerstudy.config import check_config, read_yaml
from peerstudy.conventions import conventions
from peerstudy.errors import ConfigError

from .conftest import ROOT

RISE = {"T1": [10, 12, 11, 14, 9, 13, 12, 10], "T2": [13, 15, 12, 18, 12, 15, 13, 14]}


def scores_frame(data: dict[str, dict[str, list]], group="psw", instrument="swls"):
    rows = []
    for scale, by_tp in data.items():
        for tp, values in by_tp.items():
            for i, v in enumerate(values):
                rows.append({"participant_id": f"p{i}", "site": "vic" if i % 2 else "manresa",
                             "group": group, "timepoint": tp, "instrument": instrument,
                             "scale": scale, "score": v})
    return pd.DataFrame(rows)


def plan(**within):
    spec = {"id": "c", "group": "psw", "instruments": ["swls"], "scales": "total",
            "timepoints": ["T1", "T2"], "pairs": [["T1", "T2"]],
            "tests": ["wilcoxon", "paired_t"], "family": "f"}
    spec.update(within)
    return {"groups": [{"id": "psw"}], "schedule": {"psw": {"T1": [], "T2": []}},
            "analysis": {"within": [spec], "multiplicity": {"method": "holm"}}}


def test_effects_run_later_minus_earlier(registry):
    tests = run_tests(scores_frame({"total": RISE}), pd.DataFrame(), plan(), registry)
    assert list(tests.columns) == TEST_COLUMNS
    assert (tests["mean_difference"] > 0).all()
    assert (tests["effect"] > 0).all()
    assert set(tests["contrast"]) == {"T1-T2"}
    wil = tests[tests["test"] == "wilcoxon"].iloc[0]
    assert wil["statistic_name"] == "V" and wil["method"] == "asymptotic"
    assert wil["z"] > 0


def test_switching_wilcoxon_to_exact_changes_method_and_p(registry):
    config = plan()
    base = run_tests(scores_frame({"total": RISE}), pd.DataFrame(), config, registry)
    config["analysis"]["conventions"] = {"wilcoxon": {"method": "exact"}}
    exact = run_tests(scores_frame({"total": RISE}), pd.DataFrame(), config, registry)
    a = base[base["test"] == "wilcoxon"].iloc[0]
    b = exact[exact["test"] == "wilcoxon"].iloc[0]
    # differences 3,3,1,4,3,2,1,4 have ties -> exact is requested explicitly
    assert (a["method"], b["method"]) == ("asymptotic", "exact")
    assert a["p"] != b["p"]


def test_holm_is_applied_within_family_and_test_and_shared_by_effect_rows(registry):
    data = {"total": RISE}
    frames = [scores_frame(data, instrument=i) for i in ("swls", "emas", "ssq")]
    config = plan(instruments=["swls", "emas", "ssq"])
    tests = run_tests(pd.concat(frames), pd.DataFrame(), config, registry)
    t = tests[tests["test"] == "paired_t"]
    assert t.groupby("instrument")["p_adjusted"].nunique().eq(1).all()  # 3 effect rows share it
    raw = t.drop_duplicates("instrument")["p"].to_numpy()
    adj = t.drop_duplicates("instrument")["p_adjusted"].to_numpy()
    # three identical p-values: Holm multiplies the smallest by 3, capped at 1
    assert adj == pytest.approx(np.minimum(raw * 3, 1))


def test_between_groups_is_level_a_minus_level_b(registry):
    scores = pd.concat([scores_frame({"total": {"T1": [20, 21, 22, 23]}}, group="psw"),
                        scores_frame({"total": {"T1": [10, 11, 12, 13]}}, group="service_user")])
    scores["participant_id"] = [f"x{i}" for i in range(len(scores))]
    config = {"groups": [], "analysis": {"between": [{
        "id": "b", "factor": "group", "levels": ["psw", "service_user"], "timepoint": "T1",
        "instruments": ["swls"], "family": "b"}]}}
    tests = run_tests(scores, pd.DataFrame(), config, registry)
    row = tests.iloc[0]
    assert row["contrast"] == "psw-service_user" and row["effect"] == 1.0
    assert row["statistic"] == 16 and row["mean_difference"] == 10


def test_rci_by_hand(registry):
    # SD at T1 of [40, 50, 60] is 10; alpha .9 -> S_diff = sqrt(2) * 10 * sqrt(.1) = 4.4721
    scores = scores_frame({"total": {"T1": [40, 50, 60], "T3": [50, 50, 45]}}, group="x",
                          instrument="ssq")
    reliability = pd.DataFrame([{"group": "x", "instrument": "ssq", "scale": "total",
                                 "timepoint": "T1", "alpha": 0.9}])
    analysis = {"within": [{"group": "x", "instruments": ["ssq"], "scales": "total",
                            "pairs": [["T1", "T3"]], "rci": True}]}
    rci = reliable_change(scores, reliability, analysis, registry)
    assert rci["rci"].to_numpy() == pytest.approx([10 / 4.472136, 0, -15 / 4.472136], abs=1e-6)
    # SSQ: higher = less self-stigma (better), so +10 is a reliable improvement
    assert list(rci["category"]) == ["improved", "unchanged", "deteriorated"]


def test_descriptives_quartiles_follow_spss():
    scores = scores_frame({"total": {"T1": [1, 2, 3, 4, 5, 6, 7, 8]}})
    d = descriptives(scores, "weibull")
    pooled = d[d["site"] == "all"].iloc[0]
    # SPSS (weighted average) = R quantile(1:8, c(.25, .75), type = 6) -> 2.25, 6.75
    assert (pooled["q1"], pooled["median"], pooled["q3"]) == (2.25, 4.5, 6.75)
    assert set(d["site"]) == {"all", "vic", "manresa"}


def test_conventions_fill_defaults_and_keep_overrides():
    conv = conventions({"conventions": {"wilcoxon": {"method": "exact"}}})
    assert conv["conventions"]["wilcoxon"] == {"method": "exact", "zero_method": "wilcox",
                                               "correction": False}
    assert conv["multiplicity"]["method"] == "holm"


def test_conventions_name_the_se_df_and_interval_of_every_statistic(registry):
    conv = conventions({"conventions": {"mixed_model": {"df": "asymptotic"}}})
    assert conv["conventions"]["mixed_model"] == {"estimation": "REML", "df": "asymptotic"}
    assert conv["mixed_models"]["df"].startswith("asymptotic: Wald z")
    assert "sigma^2 (X'V^-1 X)^-1" in conv["mixed_models"]["standard_errors"]
    default = conventions({})
    assert default["conventions"]["mixed_model"] == {"estimation": "REML", "df": "satterthwaite"}
    # every effect that can carry an interval in tests.csv has its method named
    effects = {"cohen_dz", "cohen_dav", "hedges_gav", "rank_biserial", "partial_eta_sq",
               "generalized_eta_sq", "kendall_w", "cramers_v", "odds_ratio", "mixed_model"}
    assert effects <= set(default["intervals"])
    assert default["intervals"]["bootstrap"] == "none used"


def test_mixed_model_rows_carry_the_t_test_and_its_df(registry):
    config = plan(timepoints=["T1", "T2"], mixed_model=True)
    tests = run_tests(scores_frame({"total": RISE}), None, config, registry)
    mm = tests[tests["test"] == "mixed_model"].iloc[0]
    assert mm["method"] == "REML_satterthwaite" and mm["statistic_name"] == "t"
    # complete balanced pairs: the REML contrast is the paired t (R: t.test(paired = TRUE))
    pt = tests[(tests["test"] == "paired_t")].iloc[0]
    assert mm["statistic"] == pytest.approx(pt["statistic"], rel=1e-8)
    assert mm["df1"] == pytest.approx(pt["df1"], rel=1e-6)
    assert mm["se"] > 0 and np.isnan(mm["z"])


def test_plan_naming_an_unscheduled_timepoint_is_a_config_error():
    config = copy.deepcopy(read_yaml(ROOT / "config" / "config.yaml"))
    config["analysis"]["within"][2]["timepoints"] = ["T1", "T2"]
    config["analysis"]["within"][2]["pairs"] = [["T1", "T2"]]
    with pytest.raises(ConfigError, match=r"'ssq' is not scheduled for 'service_user' at T2"):
        check_config(config, base=ROOT)


def test_plan_naming_an_unknown_scale_suggests_one():
    config = copy.deepcopy(read_yaml(ROOT / "config" / "config.yaml"))
    config["analysis"]["within"][3]["scales"] = ["benevolance"]
    with pytest.raises(ConfigError, match=r"scale 'benevolance' does not exist \(did you mean 'benevolence'"):
        check_config(config, base=ROOT)
