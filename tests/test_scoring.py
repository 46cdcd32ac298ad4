"""Scale scores for hand-checked respondents, prorating rules, and range guards."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerstudy.errors import DataError
from peerstudy.scoring import score_items, score_scale

NAN = np.nan


def one(registry, inst, scale, answers):
    instrument = registry[inst]
    score, answered = score_scale(np.array([answers], dtype=float), instrument,
                                  instrument.scales[scale])
    return score[0], answered[0]


def test_swls_sum_and_prorating_at_and_below_threshold(registry):
    assert one(registry, "swls", "total", [5, 4, 4, 3, 5]) == (21, 5)
    # 4 of 5 answered = 80% = threshold: mean 4.25 x 5
    assert one(registry, "swls", "total", [5, 4, NAN, 3, 5]) == (21.25, 4)
    # 3 of 5 answered < 80%: missing
    score, answered = one(registry, "swls", "total", [5, NAN, NAN, 3, 5])
    assert np.isnan(score) and answered == 3


def test_ssq_higher_means_less_stigma_no_reversal(registry):
    assert one(registry, "ssq", "total", [7] * 14)[0] == 98
    assert one(registry, "ssq", "total", [1] * 14)[0] == 14


def test_cami_factor_reverses_con_items_and_total_flips_authoritarianism(registry):
    # A strongly authoritarian respondent: agrees (5) with the 5 pro-authoritarian
    # statements and disagrees (1) with the 5 anti ones; neutral (3) elsewhere.
    answers = [5] * 5 + [1] * 5 + [3] * 30
    assert one(registry, "cami", "authoritarianism", answers[:10])[0] == 50  # 5*5 + 5*(6-1)
    # In the favourable-attitudes total the authoritarianism block counts 10 (its minimum):
    # pro items 6-5=1 each, con items (reversed twice) 1 each; the other 30 items are 3.
    assert one(registry, "cami", "total", answers)[0] == 10 + 90


def test_ras_r_factor_uses_its_own_items(registry):
    answers = [1] * 9 + [5, 4, 3] + [2] * 12
    assert one(registry, "ras_r", "willingness_ask_help", [5, 4, 3])[0] == 12
    assert one(registry, "ras_r", "total", answers)[0] == 9 + 12 + 24
    # a 3-item factor needs 2 of 3 (two thirds): 2 answered -> mean x 3
    assert one(registry, "ras_r", "willingness_ask_help", [5, NAN, 3])[0] == 12
    assert np.isnan(one(registry, "ras_r", "willingness_ask_help", [5, NAN, NAN])[0])


def test_copm_single_rating_is_not_prorated(registry):
    assert one(registry, "copm", "performance_find_work", [7])[0] == 7
    assert np.isnan(one(registry, "copm", "performance_find_work", [NAN])[0])


def long_items(rows):
    return pd.DataFrame(rows, columns=["participant_id", "site", "group", "timepoint",
                                       "instrument", "item", "value"])


def test_score_items_logs_prorated_and_dropped_scores(registry):
    rows = [("1", "vic", "psw", "T1", "swls", f"swls0{i}", v)
            for i, v in enumerate([5, 4, NAN, 3, 5], start=1)]
    rows += [("2", "vic", "psw", "T1", "swls", f"swls0{i}", v)
             for i, v in enumerate([5, NAN, NAN, 3, 5], start=1)]
    scores, issues = score_items(long_items(rows), registry)
    assert list(scores["score"].fillna(-1)) == [21.25, -1]
    assert list(scores["items_answered"]) == [4, 3]
    assert set(issues["rule"]) == {"prorated_partial_scale", "too_few_items_answered"}
    assert list(issues["participant_id"]) == ["1", "2"]


def test_a_score_outside_the_registry_range_is_an_error_naming_who(registry):
    rows = [("P7", "vic", "psw", "T2", "swls", f"swls0{i}", 7) for i in range(1, 6)]
    with pytest.raises(DataError, match=r"participant P7, T2, swls/total = 35.*allows 5-25"):
        score_items(long_items(rows), registry)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_scores_stay_within_the_scale_range(registry, data):
    inst = registry[data.draw(st.sampled_from(["ssq", "swls", "emas", "ras_r", "cami"]))]
    scale = inst.scales[data.draw(st.sampled_from(sorted(inst.scales)))]
    answers = [data.draw(st.one_of(st.none(), st.integers(inst.items[i].min, inst.items[i].max)))
               for i in scale.items]
    arr = np.array([[NAN if a is None else a for a in answers]], dtype=float)
    score, _ = score_scale(arr, inst, scale)
    low, high = inst.scale_range(scale)
    assert np.isnan(score[0]) or low <= score[0] <= high
