"""A randomised trial (analysis.trial): the CONSORT checklist mapping, the participant flow,
multiple imputation and Rubin's rules, the site-effect convention and the config and
screening-log checks. The whole trial run (and its R parity) is in test_second_study.py
and test_syntax.py."""

from __future__ import annotations

import copy
import re
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from peerstudy.errors import ConfigError, DataError

from .conftest import ROOT

MANUSCRIPT = ROOT / "manuscripts/upsides_demo/manuscript.qmd"
CHECKLIST = ROOT / "manuscripts/upsides_demo/consort_checklist.yaml"
GUIDELINE = ROOT / "src/peerstudy/report/checklists/consort2010.yaml"


# ---- the CONSORT checklist ---------------------------------------------------------------

def test_consort_2010_has_its_37_items():
    # Schulz, Altman & Moher (2010), BMJ 340:c332, the checklist's items 1a-25
    items = [str(i["id"]) for i in yaml.safe_load(GUIDELINE.read_text())["items"]]
    expected = ["1a", "1b", "2a", "2b", "3a", "3b", "4a", "4b", "5", "6a", "6b", "7a", "7b",
                "8a", "8b", "9", "10", "11a", "11b", "12a", "12b", "13a", "13b", "14a", "14b",
                "15", "16", "17a", "17b", "18", "19", "20", "21", "22", "23", "24", "25"]
    assert items == expected


def test_every_consort_item_is_mapped_to_a_place_that_exists():
    from peerstudy.report.tables import read_checklist

    table = read_checklist(CHECKLIST)          # raises if an item is unmapped or unknown
    assert len(table) == 37 and table["where"].str.len().gt(0).all()
    text = MANUSCRIPT.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    ids = set(re.findall(r"\{#((?:sec|tbl|fig)-[\w-]+)", text))
    for rec in table.to_dict("records"):
        for place in rec["where"].split(";"):
            if place in ("title", "abstract"):
                assert front.get(place), f"item {rec['item']}: the manuscript has no {place}"
            else:
                assert place.startswith("@") and place[1:] in ids, (
                    f"item {rec['item']}: {place} is not a section, table or figure id of "
                    f"{MANUSCRIPT.name}")


def test_an_unmapped_item_stops_the_checklist(tmp_path):
    from peerstudy.report.tables import read_checklist

    mapping = yaml.safe_load(CHECKLIST.read_text())
    del mapping["items"]["17b"]
    mapping["items"]["26"] = {"where": ["title"]}
    path = tmp_path / "checklist.yaml"
    path.write_text(yaml.safe_dump(mapping))
    with pytest.raises(ConfigError, match=r"not mapped: 17b; not in the checklist: 26"):
        read_checklist(path)


def test_the_checklist_table_lists_every_item_with_its_places():
    from peerstudy.report.tables import checklist, read_checklist

    md = checklist(read_checklist(CHECKLIST))
    for item in ("| 1a |", "| 8b |", "| 17b |", "| 25 |"):
        assert item in md
    assert "| 1a | Identified as a randomised trial in the title | Reported | Title |" in md
    assert "| 13a | Participant flow" in md and "@sec-flow, @fig-consort" in md
    # an item the synthetic data cannot give is marked so, with the reason
    assert re.search(r"\| 14a \| [^|]+ \| Not reported \| @sec-recruitment \| The synthetic "
                     r"data carry no calendar dates \|", md)


def test_every_checklist_topic_is_a_complete_string():
    """Every guideline item has exactly an id, a section and a topic, all text: an unquoted
    comma in a flow mapping would cut the topic short and add a stray key."""
    from peerstudy.report.tables import check_guideline

    guide = yaml.safe_load(GUIDELINE.read_text())
    check_guideline(guide, GUIDELINE)
    topics = {str(i["id"]): i["topic"] for i in guide["items"]}
    for item in ("3b", "6b", "13b"):
        assert "with reasons" in topics[item], (item, topics[item])
    assert topics["1b"] == "Structured summary: design, methods, results, conclusions"
    # what the unquoted form did: PyYAML reads ', with reasons' as a key of its own
    cut = yaml.safe_load("items:\n  - {id: 3b, section: Methods, topic: Changes to methods "
                         "after the trial began, with reasons}\n")
    assert cut["items"][0]["topic"] == "Changes to methods after the trial began"
    with pytest.raises(ConfigError, match=r"extra keys \['with reasons'\]"):
        check_guideline(cut, "consort2010.yaml")


def test_an_item_not_reported_must_say_why(tmp_path):
    from peerstudy.report.tables import read_checklist

    table = read_checklist(CHECKLIST)
    status = dict(zip(table["item"], table["status"], strict=True))
    assert status["14a"] == "not reported" and status["17b"] == "not applicable"
    assert status["19"] == "partly reported" and status["1a"] == "reported"
    assert table.loc[table["status"] != "reported", "note"].str.len().gt(10).all()
    mapping = yaml.safe_load(CHECKLIST.read_text())
    mapping["items"]["14a"] = {"where": ["@sec-recruitment"], "status": "not reported"}
    path = tmp_path / "checklist.yaml"
    path.write_text(yaml.safe_dump(mapping))
    with pytest.raises(ConfigError, match="item 14a is 'not reported': give a note"):
        read_checklist(path)
    mapping["items"]["14a"] = {"where": ["@sec-recruitment"], "status": "skipped", "note": "x"}
    path.write_text(yaml.safe_dump(mapping))
    with pytest.raises(ConfigError, match="status 'skipped' is not one of"):
        read_checklist(path)


# ---- the participant flow ----------------------------------------------------------------

def _toy_trial():
    """Six participants in two arms, a screening log of nine, and the scores of the primary
    outcome; participant 4 missed the 4-month assessment and came back, 5 dropped out."""
    config = {
        "analysis": {"trial": {"id": "toy", "arms": ["ps", "uc"], "baseline": "T0",
                               "follow_up": ["T4", "T8"], "primary_endpoint": "T8",
                               "outcomes": [{"instrument": "sis", "scale": "total",
                                             "role": "primary"}],
                               "families": {"primary": "p", "secondary": "s",
                                            "supportive": "x"}}},
        "trial": {"screening": {"outcome": {"values": {"R": "randomised",
                                                       "I": "not eligible",
                                                       "D": "declined"}}}},
        "participants_file": {"dropout_reason": {"values": {1: "withdrew", 2: "moved"}},
                              "trial": {"received": {"values": {
                                  1: "received allocated intervention", 2: "declined"}}}},
    }
    people = pd.DataFrame({
        "participant_id": ["1", "2", "3", "4", "5", "6"],
        "site": ["a"] * 6, "group": ["ps", "ps", "ps", "uc", "uc", "uc"],
        "received": ["received allocated intervention", "declined",
                     "received allocated intervention"] + ["received allocated intervention"] * 3,
        "attended_T0": [True] * 6,
        "attended_T4": [True, True, True, False, False, True],
        "attended_T8": [True, False, True, True, False, True],
        "dropout_reason": [None, "moved", None, None, "withdrew", None]})
    screening = pd.DataFrame({"screening_no": [f"S{i}" for i in range(9)], "site": "a",
                              "outcome": ["randomised"] * 6 + ["not eligible", "declined",
                                                                 "declined"],
                              "participant_id": ["1", "2", "3", "4", "5", "6", None, None, None]})
    rows = []
    for rec in people.to_dict("records"):
        for tp in ("T0", "T4", "T8"):
            if rec[f"attended_{tp}"]:
                rows.append({"participant_id": rec["participant_id"], "site": "a",
                             "group": rec["group"], "timepoint": tp, "instrument": "sis",
                             "scale": "total", "score": 50.0})
    return config, people, screening, pd.DataFrame(rows)


def test_the_consort_flow_counts_and_reasons():
    from peerstudy.trial import MISSED, check_flow, consort_flow

    config, people, screening, scores = _toy_trial()
    flow = consort_flow(people, screening, scores, config)
    assert check_flow(flow) == []

    def n(stage, arm="all", tp="", reason="all"):
        sel = flow[(flow["stage"] == stage) & (flow["arm"] == arm) & (flow["timepoint"] == tp)
                   & (flow["reason"] == reason)]
        return int(sel["n"].iloc[0])

    assert (n("assessed"), n("excluded"), n("randomised")) == (9, 3, 6)
    assert n("excluded", reason="declined") == 2
    assert (n("allocated", "ps"), n("received", "ps"), n("not_received", "ps")) == (3, 2, 1)
    assert n("lost", "uc", "T4") == 2 and n("lost", "uc", "T4", MISSED) == 1
    assert n("lost", "uc", "T4", "withdrew") == 1
    assert n("lost", "ps", "T8", "moved") == 1
    # analysed: a baseline and at least one follow-up score of the primary outcome
    assert (n("analysed", "ps"), n("analysed", "uc")) == (3, 2)
    assert n("excluded_from_analysis", "uc", reason="no follow-up score of the primary "
                                                   "outcome") == 1
    # reasons in the config's order: declared exclusion reasons before undeclared ones
    excluded = flow[(flow["stage"] == "excluded") & (flow["reason"] != "all")]["reason"]
    assert list(excluded) == ["not eligible", "declined"]


def test_a_flow_that_does_not_add_up_is_caught():
    from peerstudy.trial import check_flow, consort_flow

    config, people, screening, scores = _toy_trial()
    flow = consort_flow(people, screening, scores, config)
    broken = flow.copy()
    broken.loc[(broken["stage"] == "lost") & (broken["reason"] == "withdrew"), "n"] += 1
    problems = check_flow(broken)
    assert problems and "uc at T4: lost = sum of its reasons" in problems[0]


# ---- multiple imputation and Rubin's rules -------------------------------------------------

def _incomplete(seed=3):
    rng = np.random.default_rng(seed)
    n = 120
    base = rng.normal(50, 8, n)
    frame = pd.DataFrame({"y0": base, "y1": base + rng.normal(1, 4, n),
                          "y2": base + rng.normal(2, 5, n), "site": (np.arange(n) % 2) * 1.0})
    frame.loc[rng.random(n) < 0.2, "y1"] = np.nan
    frame.loc[rng.random(n) < 0.3, "y2"] = np.nan
    return frame


def test_chained_imputation_keeps_observed_values_and_is_reproducible():
    from peerstudy.stats.mi import impute_chained

    frame = _incomplete()
    seeds = [[7, m] for m in range(4)]
    first = impute_chained(frame, 4, 5, seeds)
    again = impute_chained(frame, 4, 5, seeds)
    for a, b in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a, b)
        assert not a.isna().any().any()
        observed = frame.notna()
        assert (a[observed] == frame[observed]).sum().sum() == observed.sum().sum()
        # predictive mean matching: every imputed value was observed in its column
        for col in ("y1", "y2"):
            assert set(a.loc[frame[col].isna(), col]) <= set(frame[col].dropna())
    assert not first[0].equals(first[1])          # each imputation is its own draw
    with pytest.raises(ValueError, match="one seed per imputation"):
        impute_chained(frame, 3, 5, seeds)


def test_imputation_recovers_a_mean_missing_at_random():
    """Missing at random given y0: complete cases are biased, the imputations are not."""
    from peerstudy.stats.mi import impute_chained

    rng = np.random.default_rng(11)
    n = 2000
    y0 = rng.normal(0, 1, n)
    y1 = 0.8 * y0 + rng.normal(0, 0.6, n)
    frame = pd.DataFrame({"y0": y0, "y1": y1})
    frame.loc[rng.random(n) < 1 / (1 + np.exp(-2 * y0)), "y1"] = np.nan   # high y0: missing
    done = impute_chained(frame, 5, 5, [[1, m] for m in range(5)])
    mean = np.mean([d["y1"].mean() for d in done])
    assert abs(frame["y1"].mean() - y1.mean()) > 0.25      # complete cases: far off
    assert abs(mean - y1.mean()) < 0.06                    # imputed: close to the truth


# mice 3.15.0, R 4.2.2:
#   library(mice)
#   q <- c(2.1, 2.6, 1.9, 2.4, 2.2); u <- c(0.30, 0.28, 0.33, 0.29, 0.31)
#   p <- pool.scalar(q, u, n = 40 + 1, k = 1)
#   sprintf("%.12f", c(p$qbar, p$t, p$df, p$r, p$fmi))
#   "2.240000000000" "0.389600000000" "21.522113795513" "0.290066225166" "0.288066810426"
Q = [2.1, 2.6, 1.9, 2.4, 2.2]
U = [0.30, 0.28, 0.33, 0.29, 0.31]


def test_rubin_pool_equals_mice_pool_scalar_reference_values():
    from peerstudy.stats.mi import rubin_pool

    res = rubin_pool(Q, U, df_complete=40)
    assert res["estimate"] == pytest.approx(2.24, abs=1e-12)
    assert res["total"] == pytest.approx(0.3896, abs=1e-12)
    assert res["df"] == pytest.approx(21.522113795513, abs=1e-11)
    assert res["riv"] == pytest.approx(0.290066225166, abs=1e-11)
    assert res["fmi"] == pytest.approx(0.288066810426, abs=1e-11)
    # by hand (Barnard & Rubin 1999): B = 0.073, lambda = 1.2 B / T
    lam = 1.2 * 0.073 / 0.3896
    old = 4 / lam**2
    obs = 41 / 43 * 40 * (1 - lam)
    assert res["df"] == pytest.approx(old * obs / (old + obs), rel=1e-12)


def test_rubin_pool_equals_mice_in_r(r_or_skip):
    from peerstudy.stats.mi import rubin_pool

    script = ("library(mice); q <- c(" + ", ".join(map(str, Q)) + "); u <- c("
              + ", ".join(map(str, U)) + "); for (dfc in c(40, Inf)) { p <- pool.scalar(q, u, "
              "n = dfc + 1, k = 1); cat(sprintf('%.15g', c(p$qbar, p$t, p$df, p$r, p$fmi)), "
              "'\\n') }")
    out = subprocess.run([r_or_skip, "-e", script], capture_output=True, text=True, check=True)
    lines = [line.split() for line in out.stdout.strip().splitlines()]
    for dfc, values in zip((40, np.inf), lines, strict=True):
        res = rubin_pool(Q, U, df_complete=dfc)
        ours = [res["estimate"], res["total"], res["df"], res["riv"], res["fmi"]]
        assert ours == pytest.approx([float(v) for v in values], rel=1e-12)


# ---- conventions and config checks ---------------------------------------------------------

def test_site_is_random_from_the_declared_number_of_sites():
    from peerstudy.conventions import conventions
    from peerstudy.trial import site_model

    conv = conventions({"conventions": {"trial": {"random_site_min_sites": 5}}})["conventions"]
    spec = {"site_effect": "auto"}
    assert [site_model(spec, n, conv) for n in (1, 3, 4, 5, 8)] == [
        "none", "fixed", "fixed", "random", "random"]
    assert site_model({"site_effect": "fixed"}, 8, conv) == "fixed"
    assert conventions({})["conventions"]["trial"]["random_site_min_sites"] == 5


@pytest.fixture(scope="module")
def trial_config():
    from peerstudy.config import read_yaml

    return read_yaml(ROOT / "config/upsides_demo.yaml")


def _check(config):
    from peerstudy.config import check_config

    return check_config(copy.deepcopy(config), source="trial.yaml", base=ROOT)


def test_the_trial_config_is_valid_and_states_its_conventions(trial_config):
    from peerstudy.conventions import all_conventions

    checked = _check(trial_config)
    conv = all_conventions(checked["analysis"], checked["reliability"], checked["validation"],
                           checked["missing_codes"])
    assert conv["multiplicity"]["by_family"] == {"exploratory": "none", "primary": "none",
                                                 "supportive": "none"}
    assert {"primary", "secondary", "supportive", "exploratory"} <= set(
        conv["multiplicity"]["families"])
    assert conv["trial"]["random_site_min_sites"] == 5
    assert "Rubin" in conv["trial"]["multiple_imputation"]["pooling"]


@pytest.mark.parametrize("change, message", [
    (lambda c: c["analysis"]["trial"]["outcomes"][1].update(role="primary"),
     "exactly one outcome with role: primary"),
    (lambda c: c["analysis"]["trial"].update(primary_endpoint="T0"),
     "follow-up timepoint 'T0' does not exist"),
    (lambda c: c["analysis"]["trial"]["outcomes"].append(
        {"instrument": "enrich_fidelity", "scale": "total", "role": "secondary"}),
     "'enrich_fidelity' is not scheduled for 'peer_support' at T0"),
    (lambda c: c["analysis"]["trial"].update(arms=["peer_support", "usual_cares"]),
     "group 'usual_cares' does not exist"),
    (lambda c: c["analysis"]["multiplicity"]["families"].update(primry="none"),
     "family 'primry' does not exist"),
    (lambda c: c["trial"]["screening"]["outcome"]["values"].update(R="enrolled"),
     "map the code of the randomised to 'randomised'"),
])
def test_a_wrong_trial_plan_names_the_fix(trial_config, change, message):
    config = copy.deepcopy(trial_config)
    change(config)
    with pytest.raises(ConfigError, match=re.escape(message)):
        _check(config)


# ---- the screening log --------------------------------------------------------------------

@pytest.fixture()
def screening_case(tmp_path, trial_config):
    log = pd.read_csv(ROOT / "data/raw/upsides_demo/screening_log.csv", dtype=str,
                      keep_default_na=False)
    people = pd.DataFrame({"participant_id": log.loc[log["outcome"] == "R", "trial_id"]})
    people["site"] = log.loc[log["outcome"] == "R", "site"].map(
        {v: k for k, v in trial_config["synthetic"]["site_codes"].items()}).to_numpy()
    people["group"] = "peer_support"
    config = copy.deepcopy(trial_config)
    config["trial"]["screening"]["path"] = "log.csv"
    for k, v in (("encoding", "utf-8"), ("sep", ","), ("decimal", "."), ("identifiers", [])):
        config["trial"]["screening"].setdefault(k, v)
    return config, people, log, tmp_path


def test_the_screening_log_is_read_and_checked(screening_case):
    from peerstudy.trial import read_screening

    config, people, log, where = screening_case
    log.to_csv(where / "log.csv", index=False)
    table, issues = read_screening(config, people, where)
    assert len(table) == len(log) and issues == []
    assert table["outcome"].value_counts()["randomised"] == len(people)


@pytest.mark.parametrize("damage, message", [
    (lambda log: log.drop(index=log.index[log["outcome"] == "R"][3]),
     "randomised participant(s) are not in the screening log"),
    (lambda log: log.assign(trial_id=log["trial_id"].where(log["trial_id"] != "1002", "9999")),
     "participant 9999 was randomised here but is not in the trial's arms"),
    (lambda log: log.assign(site=np.where(log["trial_id"] == "1002", "HAM", log["site"])),
     "participant 1002 was screened at 'hamburg' but belongs to site 'ulm'"),
    (lambda log: log.assign(trial_id=np.where(log["outcome"] == "I", "1001", log["trial_id"])),
     "but the outcome is 'did not meet inclusion criteria', not randomised"),
])
def test_a_broken_screening_log_names_file_row_and_fix(screening_case, damage, message):
    from peerstudy.trial import read_screening

    config, people, log, where = screening_case
    damage(log).to_csv(where / "log.csv", index=False)
    with pytest.raises(DataError, match=re.escape(message)) as err:
        read_screening(config, people, where)
    assert "log.csv" in str(err.value)


def test_r_syntax_of_the_trial_reads_like_its_plan():
    from peerstudy.config import load_config, load_study_registry
    from peerstudy.syntax import render_r

    config = load_config(ROOT / "config/upsides_demo.yaml", base=ROOT)
    design = {k: config[k] for k in ("groups", "schedule", "timepoints", "sites")}
    scripts = render_r("upsides_demo", config["analysis"], load_study_registry(config, ROOT),
                       design, 0.95)
    body = scripts["trial.R"]
    assert "mice::pool.scalar" in body and "contest1D" in body
    assert "random_site_min_sites = 5" in body
    assert "mice (r-cran-mice)" in scripts["all.R"] and "@@" not in body


# ---- the synthetic trial's raw exports -------------------------------------------------------

def test_each_site_exports_in_its_own_format():
    """The generator writes each site's file as its config entry says it was exported:
    Ulm in Windows-1252 with ';', Be'er Sheva with a byte-order mark, Dar es Salaam
    tab-separated with 'n/a' for skipped questions, Hamburg as SPSS in wide layout with
    HoNOS's 'not known' (9) declared user-missing, and the master file with the allocation."""
    import pyreadstat

    raw = ROOT / "data/raw/upsides_demo"
    ulm = (raw / "ulm_erhebung.csv").read_bytes()
    assert ulm.decode("cp1252").startswith("Teilnehmer-Nr.;Name;Gruppe;Zeitpunkt;SIS_01")
    assert (raw / "beer_sheva.csv").read_bytes().startswith(b"\xef\xbb\xbfID,Name,Phone,Group")
    dar = (raw / "dar_es_salaam_kobo.tsv").read_text(encoding="utf-8")
    assert dar.startswith("namba_mshiriki\tjina\tkundi\tawamu") and "\tn/a\t" in dar
    frame, meta = pyreadstat.read_sav(str(raw / "hamburg_wide.sav"), user_missing=True)
    assert {"sis1_t0", "sis1_t1", "sis1_t2", "honos12_t2"} <= set(frame.columns)
    assert frame["code"].is_unique                      # one row per participant (wide)
    assert {"lo": 9.0, "hi": 9.0} in meta.missing_ranges["honos1_t0"]
    master, meta = pyreadstat.read_sav(str(raw / "trial_master.sav"))
    assert {"rand_no", "rand_block", "received", "ps_sessions", "ps_worker"} <= set(master)
    assert meta.variable_value_labels["received"][3.0] == "No peer support worker available"


def test_words_from_labels_and_estimates():
    from peerstudy.report import format as fmt

    assert fmt.possessive("Peer support arm") == "Peer support arm's"
    assert fmt.possessive("Peer support workers") == "Peer support workers'"
    assert fmt.lower_first("Usual care arm") == "usual care arm"
    assert fmt.lower_first("HoNOS") == "HoNOS" and fmt.lower_first("4 months") == "4 months"
    assert fmt.join_words(["4 months", "8 months"]) == "4 months and 8 months"
    assert fmt.join_words(["a", "b", "c"]) == "a, b and c"
    # which arm a difference (intervention minus control) favours follows the scale, and
    # only when its interval, as printed, lies on one side of 0
    assert fmt.favours(1.2, 0.3, 2.1, True, "Peer support", "Usual care") == \
        "favoured peer support"
    assert fmt.favours(-0.4, -0.7, -0.1, False, "Peer support", "Usual care") == \
        "favoured peer support"
    assert fmt.favours(0.4, 0.1, 0.7, False, "Peer support", "Usual care") == \
        "favoured usual care"
    neither = "did not clearly favour either arm"
    # the reviewer's cases: HoNOS -0.37 [-1.19, 0.44] and an interval touching 0 as printed
    assert fmt.favours(-0.37, -1.19, 0.44, False, "Peer support", "Usual care") == neither
    assert fmt.favours(0.04, -0.002, 0.09, True, "A", "B") == neither     # prints [0.00, 0.09]
    assert fmt.favours(0.042, -0.002, 0.086, True, "A", "B", decimals=3) == neither
    assert fmt.favours(0.06, 0.014, 0.10, True, "A", "B", decimals=3) == "favoured a"
    # social relations 0.60 [0.02, 1.19] with p_Holm = .088: clear of 0, not significant
    assert fmt.favours(0.60, 0.02, 1.19, True, "A", "B", significant=False) == \
        neither + " after correction for multiple comparisons"
    assert fmt.favours(0.60, 0.02, 1.19, None, "A", "B") == neither   # no better direction
    assert fmt.favours(float("nan"), 0.1, 0.2, True, "A", "B") == neither


@given(est=st.floats(-5, 5), half=st.floats(0, 5), shift=st.floats(-1, 1),
       better=st.sampled_from([True, False]), decimals=st.sampled_from([2, 3]),
       significant=st.sampled_from([None, True, False]))
def test_a_favours_word_never_contradicts_its_interval(est, half, shift, better, decimals,
                                                       significant):
    """Whatever the numbers: an arm is favoured only when both printed limits lie on the same
    side of 0, on that arm's side, and never against a non-significant adjusted p."""
    from peerstudy.report import format as fmt

    low, high = est - half * (1 + shift) / 2, est + half * (1 - shift) / 2
    word = fmt.favours(est, low, high, better, "Peer support", "Usual care", decimals,
                       significant)
    lo, hi = (float(fmt.num(x, decimals).replace(fmt.MINUS, "-")) for x in (low, high))
    if lo <= 0 <= hi or significant is False:
        assert word.startswith("did not clearly favour"), (word, lo, hi)
    else:
        arm = "peer support" if (lo > 0) == better else "usual care"
        assert word == f"favoured {arm}", (word, lo, hi)


# ---- the trial's values: words and counts computed from the results -----------------------

@pytest.fixture(scope="module")
def trial_design():
    from peerstudy.config import load_config, load_study_registry
    from peerstudy.conventions import conventions

    config = load_config(ROOT / "config/upsides_demo.yaml", base=ROOT)
    design = {k: config[k] for k in ("study", "sites", "groups", "timepoints", "schedule",
                                      "analysis", "trial")}
    return design, load_study_registry(config, ROOT), conventions(config["analysis"])


def _context(trial_design, tests=None, participants=None):
    from peerstudy.report.values import Context

    design, registry, conv = trial_design
    results = {}
    if tests is not None:
        results["tests"] = tests
    if participants is not None:
        results["participants"] = participants
    return Context(study="upsides_demo", results=results, conventions=conv, design=design,
                   registry=registry)


def _secondary_rows(p_adjusted: dict) -> pd.DataFrame:
    """tests.csv rows of the secondary outcomes at the endpoint with the given Holm p."""
    rows = []
    for (inst, scale), p in p_adjusted.items():
        rows.append({"site": "all", "group": "all", "instrument": inst, "scale": scale,
                     "test": "mixed_model", "factor": "arm", "timepoint": "T8",
                     "comparison": "upsides_rct", "family": "secondary",
                     "effect_name": "estimate", "effect": 1.0, "ci_low": 0.1, "ci_high": 1.9,
                     "statistic_name": "t", "statistic": 2.0, "df1": 900.0, "p": p / 6,
                     "p_adjusted": p, "n": 574})
    return pd.DataFrame(rows)


SECONDARY = [("sis", "isolation"), ("sis", "relations"), ("sis", "acceptance"), ("es", "total"),
             ("hope", "total"), ("honos", "total")]
LABELS = {("sis", "isolation"): "social isolation", ("sis", "relations"): "social relations",
          ("sis", "acceptance"): "social acceptance", ("es", "total"): "empowerment",
          ("hope", "total"): "hope", ("honos", "total"): "health and social functioning"}


@pytest.mark.parametrize("significant", [
    set(), set(SECONDARY), {("sis", "isolation"), ("sis", "acceptance"), ("es", "total"),
                            ("hope", "total")}, {("honos", "total")}])
def test_the_summary_names_exactly_the_significant_secondary_outcomes(trial_design,
                                                                       significant):
    from peerstudy.report.values import _secondary_values

    p = {pair: (0.01 if pair in significant else 0.2) for pair in SECONDARY}
    ctx = _context(trial_design, tests=_secondary_rows(p))
    spec = trial_design[0]["analysis"]["trial"]
    values = {v.key: v.text for v in _secondary_values(ctx, spec, ctx.results["tests"], "t")}
    sig = [LABELS[pair] for pair in SECONDARY if pair in significant]
    nonsig = [LABELS[pair] for pair in SECONDARY if pair not in significant]
    assert values["trial.secondary.n_sig"] == str(len(sig))
    assert values["trial.secondary.sig_names"] == (", ".join(sig[:-1]) + " and " + sig[-1]
                                                   if len(sig) > 1 else sig[0] if sig else
                                                   "none")
    summary = values["trial.secondary.summary"]
    named, _, rest = summary.partition(": ")
    significant_part, _, not_part = rest.partition("; ")
    if sig and nonsig:   # "k of n differed ...: <sig>; <nonsig> did not"
        assert [x for x in LABELS.values() if x in significant_part] == sig
        assert [x for x in LABELS.values() if x in not_part] == nonsig
        assert not_part.endswith("did not")
    elif sig:
        assert named.startswith("all six") and [x for x in LABELS.values() if x in rest] == sig
    else:
        assert named.startswith("none of six") and \
            [x for x in LABELS.values() if x in rest] == nonsig
    # every outcome is named once, with its adjusted p
    assert summary.count("*p*~Holm~") == len(SECONDARY)


def test_deaths_by_arm_and_the_permuted_blocks(trial_design):
    from peerstudy.report.values import _block_values, harms_values

    people = pd.DataFrame({
        "participant_id": [str(i) for i in range(1, 15)], "site": ["a"] * 8 + ["b"] * 6,
        "group": ["ps", "uc", "uc", "ps", "ps", "uc", "ps", "ps",
                  "ps", "uc", "ps", "uc", "ps", "uc"],
        # site a: blocks of 2 and 4 (balanced), then a last block of 2 left unbalanced;
        # site b: a block of 4, then a last block of 2 that is complete
        "allocation_block": ["A1", "A1", "A2", "A2", "A2", "A2", "A3", "A3",
                             "B1", "B1", "B1", "B1", "B2", "B2"],
        "dropout_reason": [None, "died", None, "died", None, "moved", None, None,
                           None, None, "died", None, None, None]})
    spec = {"arms": ["ps", "uc"]}
    found = {v.key: v.text for v in _block_values(people, spec, [2, 4, 6], "p.csv")}
    assert found["trial.blocks.n"] == "5" and found["trial.blocks.sizes"] == "2 and 4"
    assert found["trial.blocks.complete.n"] == "3"
    assert found["trial.blocks.complete.check"].startswith("each of them held")
    assert found["trial.blocks.last_incomplete"] == "one"
    assert found["trial.blocks.planned"] == "2, 4 or 6"
    people.loc[people["participant_id"] == "3", "group"] = "ps"   # an unbalanced full block
    found = {v.key: v.text for v in _block_values(people, spec, [2, 4, 6], "p.csv")}
    assert found["trial.blocks.complete.check"].startswith("one of them did not hold")

    design, registry, conv = trial_design
    design = {**design, "analysis": {**design["analysis"],
                                     "trial": {**design["analysis"]["trial"],
                                               "arms": ["ps", "uc"]}}}
    ctx = _context((design, registry, conv), participants=people)
    deaths = {v.key: v.text for v in harms_values(ctx)}
    # the config declares 'died' as the death reason
    assert deaths["harms.ps.deaths.n"] == "2" and deaths["harms.ps.deaths.words"] == "two"
    assert deaths["harms.uc.deaths.n"] == "1" and deaths["harms.deaths.n"] == "3"
    people["dropout_reason"] = None
    deaths = {v.key: v.text for v in harms_values(_context((design, registry, conv),
                                                           participants=people))}
    assert deaths["harms.uc.deaths.words"] == "none" and deaths["harms.uc.deaths.pct"] == "0.0%"


def test_the_deviations_list_and_the_table_by_site(trial_design):
    from peerstudy.report.tables import Labels, trial_by_site, trial_deviations

    design, registry, _ = trial_design
    listed = trial_deviations(design)
    topics = [e["topic"] for e in design["trial"]["deviations"]]
    assert listed.count("\n- ") + 1 == len(topics) and all(f"**{t}.**" in listed for t in topics)
    assert "12 months" in listed and "[@puschner2025]" in listed
    assert "*Protocol:*" in listed and "*Reason:*" in listed
    spec = design["analysis"]["trial"]
    rows = [{"site": s, "instrument": "sis", "scale": "total", "test": "mixed_model_by_site",
             "comparison": "upsides_rct", "effect": 1.0 + k, "ci_low": -0.5, "ci_high": 2.5 + k,
             "p": 0.2, "n": 90, "effect_name": "estimate", "timepoint": "T8"}
            for k, s in enumerate(["kampala", "ulm"])]
    rows.append({"site": "all", "instrument": "sis", "scale": "total", "test": "mixed_model",
                 "comparison": "upsides_rct", "effect": 1.85, "ci_low": 0.87, "ci_high": 2.84,
                 "p": 0.0002, "n": 574, "effect_name": "estimate", "timepoint": "T8"})
    table = trial_by_site(pd.DataFrame(rows), spec, Labels(design, registry))
    lines = table.splitlines()
    # sites in the config's order (Ulm before Kampala), the pooled estimate last
    assert lines[3].startswith("|   Ulm (Germany) | 90 | 2.00") and "Kampala" in lines[4]
    assert lines[5].startswith("|   All sites (primary analysis) | 574 | 1.85")
