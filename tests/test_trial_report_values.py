"""The trial report's result-dependent words: each is checked against the results file it
is read from, so that a sentence built on it cannot say something the numbers do not (the
site variances at zero, which arm each secondary difference favours, how the number
randomised compares with the plan, and the SIS subscales in the measures table)."""
import re

import pandas as pd
import pytest
import yaml

CONFIG = "config/upsides_demo.yaml"


@pytest.fixture(scope="module")
def trial(trial_run):
    """The study built once for the session (conftest.trial_run). Read only."""
    return trial_run


@pytest.fixture(scope="module")
def values(trial):
    return yaml.safe_load((trial / "reports/upsides_demo/_variables.yml").read_text())


def _labels(trial, role=None):
    config = yaml.safe_load((trial / CONFIG).read_text())
    outcomes = config["analysis"]["trial"]["outcomes"]
    return {(o["instrument"], o["scale"]): o["label"] for o in outcomes
            if role is None or o["role"] == role}


def test_the_site_variances_named_as_zero_are_the_zero_ones(trial, values):
    tests = pd.read_csv(trial / "results/upsides_demo/tests.csv")
    site = tests[(tests["test"] == "mixed_model_variance") & (tests["factor"] == "site")
                 & (tests["effect_name"] == "variance")]
    by_outcome = site.set_index(["instrument", "scale"])["effect"]
    said = values["trial"]["variance"]["site_zero"]
    for (inst, scale), label in _labels(trial).items():
        printed = values["trial"]["variance"][inst][scale]["site"]["variance"]
        if re.search(rf"\b{re.escape(label)}\b", said["names"]):
            # named at the boundary: the estimate is zero, and it prints as zero
            assert by_outcome[(inst, scale)] < 1e-6 and set(printed) <= {"0", "."}, label
        else:
            assert by_outcome[(inst, scale)] > 0, label
    named = [x for x in _labels(trial).values() if re.search(rf"\b{re.escape(x)}\b",
                                                             said["names"])]
    assert said["n"] == str(len(named)) and (said["names"] == "none") == (not named)


def test_each_secondary_outcome_is_grouped_under_its_own_favours_word(trial, values):
    summary = values["trial"]["secondary"]["favours_summary"]
    effect = values["effect"]
    for (inst, scale), label in _labels(trial, "secondary").items():
        word = effect[inst][scale]["T8"]["favours"]
        caveat = " after correction for multiple comparisons"
        base = word.replace(caveat, "")
        # the label sits in exactly one clause, the one that opens with its favours word
        clauses = [part for part in re.split(r", and |; and |; ", summary)
                   if re.search(rf"\b{re.escape(label)}\b", part)]
        assert len(clauses) == 1 and clauses[0].startswith(base), (label, word, clauses)
        assert (f"{label} ({caveat.strip()})" in summary) == (caveat in word), (label, word)


def test_randomised_against_planned_is_the_difference_of_the_two(trial, values):
    config = yaml.safe_load((trial / CONFIG).read_text())
    planned = config["trial"]["planned_sample_size"]["total"]
    randomised = int(values["consort"]["randomised"]["n"])
    said = values["trial"]["randomised_vs_planned"]
    if randomised == planned:
        assert said == "as many as planned"
    else:
        number = said.split()[0]
        words = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        n = words.index(number) if number in words else int(number.replace(",", ""))
        assert n == abs(randomised - planned)
        assert said.endswith("more than planned" if randomised > planned
                              else "fewer than planned")


def test_the_measures_table_gives_each_sis_subscale_its_items_and_range(trial):
    from peerstudy.config import load_config, load_study_registry

    table = (trial / "reports/upsides_demo/tables/measures.md").read_text(encoding="utf-8")
    config = load_config(trial / CONFIG, base=trial)
    sis = load_study_registry(config, trial)["sis"]
    reliability = pd.read_csv(trial / "results/upsides_demo/reliability.csv")
    for scale in ("isolation", "relations", "acceptance"):
        spec = sis.scales[scale]
        low, high = sis.scale_range(spec)
        row = next(line for line in table.splitlines()
                   if line.startswith(f"| {spec.label} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == str(len(spec.items)) and cells[2] == f"{low:.0f}–{high:.0f}"
        alphas = reliability.loc[(reliability["instrument"] == "sis")
                                 & (reliability["scale"] == scale), "alpha"].dropna()
        lowest = f"{alphas.min():.2f}".lstrip("0")
        assert cells[-1].startswith(lowest), (cells[-1], lowest)
