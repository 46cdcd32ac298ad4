"""The supplement's words for its rows (peerstudy.report.supplement), tested directly:
timepoints by one name everywhere, with a key; a trial's arm x time rows as the
manuscript writes them; family captions that do not misname pooled rows."""

from __future__ import annotations

import pandas as pd

from peerstudy.report.supplement import (
    _effect_symbol,
    _statistic,
    _what,
    family_caption,
    timepoint_key,
)
from peerstudy.report.tables import Labels

DESIGN = {
    "groups": [{"id": "psw", "label": "Peer support workers", "short_label": "PSWs"},
               {"id": "peer_support", "label": "Peer support"}],
    "sites": [{"id": "vic", "label": "Vic"}],
    "timepoints": [{"id": "T1", "label": "Baseline (start of PSW training)",
                    "short_label": "Baseline"},
                   {"id": "T2", "label": "6 months"}],
    "analysis": {},
}


def labels():
    return Labels(DESIGN, {})


def test_timepoints_are_named_by_their_short_label_in_every_column():
    change = {"contrast": "T1-T2", "timepoint": "", "factor": "timepoint"}
    assert _what(labels(), change) == "Baseline–6 months"
    omnibus = {"contrast": "T1,T2", "timepoint": "", "factor": "timepoint"}
    assert _what(labels(), omnibus) == "Baseline, 6 months"
    between = {"contrast": "psw-peer_support", "timepoint": "T1", "factor": "group"}
    assert _what(labels(), between) == "PSWs–Peer support, Baseline"
    attrition = {"contrast": "completer-dropout", "timepoint": "T1", "factor": "completion"}
    assert _what(labels(), attrition) == "completers–drop-outs, Baseline"


def test_the_key_names_each_timepoint_once_with_its_id_and_full_label():
    assert timepoint_key(DESIGN) == ("The tables name the timepoints Baseline (T1) and "
                                     "6 months (T2): Baseline (start of PSW training) and "
                                     "6 months.")
    plain = {**DESIGN, "timepoints": [{"id": "T0", "label": "Baseline"},
                                      {"id": "T8", "label": "8 months"}]}
    assert timepoint_key(plain) == "The tables name the timepoints Baseline (T0) and 8 months (T8)."


def test_an_arm_by_time_row_is_the_later_difference_minus_the_earlier():
    rec = {"contrast": "peer_support-usual_care", "timepoint": "T1-T2",
           "factor": "arm_x_time", "effect_name": "estimate"}
    assert _what(labels(), rec).endswith("6 months minus Baseline")
    assert _effect_symbol(rec) == "Δ"
    assert _effect_symbol({**rec, "factor": "fidelity"}) == "*b*"   # a slope stays b


def test_a_caption_names_groups_only_when_no_row_is_pooled():
    named = pd.DataFrame({"group": ["psw", "psw"], "test": ["wilcoxon", "paired_t"]})
    pooled = pd.DataFrame({"group": ["all", "peer_support"], "test": ["mixed_model"] * 2})
    assert family_caption(named, "f", labels()).startswith("PSWs — ")
    assert "within each test of the family" in family_caption(named, "f", labels())
    assert not family_caption(pooled, "g", labels()).startswith("Peer support")


def test_a_rank_sum_is_printed_as_the_manuscript_prints_it():
    assert _statistic({"statistic_name": "V", "statistic": 28.0}) == "28"
    assert _statistic({"statistic_name": "U", "statistic": 1181.0}) == "1,181"
    assert _statistic({"statistic_name": "V", "statistic": 26.5}) == "26.5"
    assert _statistic({"statistic_name": "t", "statistic": 2.0}) == "2.00"
