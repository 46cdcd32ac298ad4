"""The UPSIDES-like example study (config/upsides_demo.yaml) end to end: a
different design in the same workflow, with no code change and nothing shared
with the default study by accident."""

from __future__ import annotations

import json

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def trial(trial_run):
    """The study built once for the session (conftest.trial_run)."""
    return trial_run


def test_outputs_go_to_the_study_own_folders_only(trial):
    assert {p.name for p in (trial / "results").iterdir()} == {"upsides_demo"}
    assert {p.name for p in (trial / "reports").iterdir() if p.is_dir()} == {"upsides_demo"}
    for fmt in ("html", "docx", "pdf"):
        assert (trial / f"reports/upsides_demo/manuscript.{fmt}").stat().st_size > 0


def test_no_key_of_the_default_study_leaks_in(trial):
    conv = json.loads((trial / "results/upsides_demo/conventions.json").read_text())
    assert conv["multiplicity"]["families"] == ["attrition", "baseline_balance", "demographics",
                                                "primary", "within_arms"]
    people = pd.read_csv(trial / "data/processed/upsides_demo/participants.csv")
    assert set(people["group"]) == {"peer_support", "usual_care", "peer_worker"}
    assert list(people.filter(like="attended_").columns) == [
        "attended_T1", "attended_T2", "attended_T3", "attended_T4"]


def test_three_sites_mixed_formats_and_languages_are_read(trial):
    items = pd.read_csv(trial / "data/processed/upsides_demo/items.csv")
    assert set(items["site"]) == {"ulm", "kampala", "pune"}
    assert set(items["timepoint"]) == {"T1", "T2", "T3", "T4"}
    assert set(items["instrument"]) == {"swls", "ras_r", "hhi", "enrich_fidelity"}


def test_arm_by_time_model_and_fidelity_by_site(trial):
    tests = pd.read_csv(trial / "results/upsides_demo/tests.csv")
    arm = tests[(tests["factor"] == "arm") & (tests["test"] == "mixed_model_change")]
    assert set(arm["timepoint"]) == {"T1-T2", "T1-T3", "T1-T4"}
    assert set(arm["instrument"]) == {"swls", "ras_r", "hhi"}
    assert arm["note"].str.contains("site as a fixed effect").all()
    baseline = tests[(tests["comparison"] == "arms_at_baseline")]
    assert set(baseline["factor"]) == {"arm"}
    desc = pd.read_csv(trial / "results/upsides_demo/descriptives.csv")
    fid = desc[(desc["instrument"] == "enrich_fidelity") & (desc["scale"] == "total")]
    assert set(fid["site"]) == {"all", "ulm", "kampala", "pune"}
    scales = set(desc.loc[desc["instrument"] == "enrich_fidelity", "scale"])
    assert scales == {"total", "trust", "mutuality", "leadership", "community", "hope"}


def test_maxqda_export_feeds_the_cfir_matrix(trial):
    cfir = pd.read_csv(trial / "results/upsides_demo/qualitative/cfir_matrix.csv")
    assert set(cfir["cfir_domain"]) == {"Intervention characteristics", "Inner setting",
                                       "Outer setting", "Characteristics of individuals",
                                       "Process"}
    assert cfir["quotations"].sum() == 93  # the generator's code counts in the config


def test_manuscript_adapts_to_the_design(trial):
    html = (trial / "reports/upsides_demo/manuscript.html").read_text(encoding="utf-8")
    assert "Differences between the arms" in html and "Fidelity index by site" in html
    assert "Implementation interviews by CFIR domain" in html
    assert "COPM" not in html and "Self-Stigma" not in html  # nothing of the default study


def test_power_simulation_report(trial):
    table = pd.read_csv(trial / "results/upsides_demo/power.csv")
    assert set(table["participants"]) == {300, 600}
    assert (table["replicates"] == 1000).all()
    for _, block in table.groupby("participants"):
        assert block.sort_values("effect_sd")["power"].is_monotonic_increasing
    html = (trial / "reports/upsides_demo/power/power.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in html and "Monte-Carlo SE" in html
