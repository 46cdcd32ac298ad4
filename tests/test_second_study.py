"""The trial example (config/upsides_demo.yaml) end to end: a six-site randomised trial
shaped like UPSIDES-RCT in the same workflow, with nothing shared with the default study
by accident; its CONSORT flow adds up, its tests.csv carries the trial's rows by family,
and its report renders the same bytes when it is built again."""

from __future__ import annotations

import hashlib
import json
import re
from html import unescape

import pandas as pd
import pytest
import yaml

from .conftest import copy_build, run_snakemake

CONFIG = "config/upsides_demo.yaml"
SITES = {"ulm", "hamburg", "kampala", "dar_es_salaam", "beer_sheva", "ahmedabad"}


@pytest.fixture(scope="module")
def trial(trial_run):
    """The study built once for the session (conftest.trial_run). Read only."""
    return trial_run


def _digests(where) -> dict[str, str]:
    out = {}
    for folder in ("data/processed/upsides_demo", "results/upsides_demo", "reports/upsides_demo"):
        for path in sorted((where / folder).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(where))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_outputs_go_to_the_study_own_folders_only(trial):
    assert {p.name for p in (trial / "results").iterdir()} == {"upsides_demo"}
    assert {p.name for p in (trial / "reports").iterdir() if p.is_dir()} == {"upsides_demo"}
    for fmt in ("html", "docx", "pdf"):
        assert (trial / f"reports/upsides_demo/manuscript.{fmt}").stat().st_size > 0


def test_no_key_of_the_default_study_leaks_in(trial):
    conv = json.loads((trial / "results/upsides_demo/conventions.json").read_text())
    assert conv["multiplicity"]["families"] == ["attrition", "exploratory", "primary",
                                                "secondary", "supportive"]
    people = pd.read_csv(trial / "data/processed/upsides_demo/participants.csv",
                         dtype={"participant_id": str})
    assert set(people["group"]) == {"peer_support", "usual_care", "peer_worker"}
    assert list(people.filter(like="attended_").columns) == [
        "attended_T0", "attended_T4", "attended_T8"]


def test_six_sites_in_their_own_formats_languages_and_forms(trial):
    items = pd.read_csv(trial / "data/processed/upsides_demo/items.csv")
    assert set(items["site"]) == SITES
    assert set(items["instrument"]) == {"sis", "es", "hope", "honos", "enrich_fidelity"}
    forms = pd.read_csv(trial / "results/upsides_demo/instrument_forms.csv")
    sis = forms[forms["instrument"] == "sis"].set_index("sites")["language"].to_dict()
    assert sis == {"ulm": "de", "hamburg": "de", "kampala": "lg", "dar_es_salaam": "sw",
                   "beer_sheva": "he", "ahmedabad": "gu"}
    # the item answers carry the form each site used
    at = items[(items["instrument"] == "sis")].drop_duplicates("site").set_index("site")["form"]
    assert at["kampala"] == "lg" and at["beer_sheva"] == "he"


def test_the_allocation_is_recorded_and_balanced_within_complete_blocks(trial):
    people = pd.read_csv(trial / "data/processed/upsides_demo/participants.csv",
                         dtype={"participant_id": str})
    arms = people[people["group"].isin(["peer_support", "usual_care"])]
    assert arms["allocation_sequence"].notna().all() and arms["allocation_block"].notna().all()
    blocks = arms.groupby(["site", "allocation_block"])["group"]
    sizes = blocks.size()
    # every block but each site's last is complete: equal numbers in both arms (1:1)
    for (site, block), grp in blocks:
        last = arms.loc[arms["site"] == site, "allocation_block"].max()
        if block != last:
            counts = grp.value_counts()
            assert counts.get("peer_support", 0) == counts.get("usual_care", 0), (site, block)
    assert set(sizes) <= {1, 2, 3, 4, 5, 6}
    planned = yaml.safe_load((trial / CONFIG).read_text())["trial"]["block_sizes"]
    last = arms.groupby("site")["allocation_block"].transform("max")
    complete = arms[arms["allocation_block"] != last].groupby(["site", "allocation_block"]).size()
    assert set(complete) <= set(planned)
    peer = arms[arms["group"] == "peer_support"]
    got = peer["received"] == "received allocated intervention"
    assert (peer.loc[got, "sessions"] >= 1).all() and (peer.loc[~got, "sessions"] == 0).all()
    assert peer.loc[got, "peer_worker"].notna().all()


def test_tests_csv_holds_the_trial_rows_by_family(trial):
    tests = pd.read_csv(trial / "results/upsides_demo/tests.csv")
    trial_rows = tests[tests["comparison"] == "upsides_rct"]
    endpoint = trial_rows[(trial_rows["timepoint"] == "T8") & (trial_rows["factor"] == "arm")]
    primary = endpoint[endpoint["family"] == "primary"]
    assert set(primary["instrument"] + "." + primary["scale"]) == {"sis.total"}
    assert set(primary["test"]) == {"mixed_model", "mixed_model_complete_cases",
                                    "mixed_model_mi"}
    assert set(primary["effect_name"]) == {"estimate", "smd_baseline_sd"}
    # the primary outcome at the primary endpoint is one test: not adjusted
    assert (primary["p"] == primary["p_adjusted"]).all()
    secondary = endpoint[(endpoint["family"] == "secondary") & (endpoint["test"] == "mixed_model")
                         & (endpoint["effect_name"] == "estimate")]
    assert len(secondary) == 6 and (secondary["p_adjusted"] >= secondary["p"]).all()
    supportive = trial_rows[trial_rows["family"] == "supportive"]
    assert set(supportive["test"]) == {"mixed_model", "mixed_model_interaction"}
    assert set(supportive.loc[supportive["test"] == "mixed_model", "timepoint"]) == {"T4"}
    # every model of the plan names the site convention it used (the by-site models fit
    # site as fixed; the variance rows belong to the models above them)
    models = trial_rows[trial_rows["test"].isin(["mixed_model", "mixed_model_interaction",
                                                 "mixed_model_complete_cases", "mixed_model_mi"])]
    assert models["note"].str.contains("site as a random intercept \\(6 sites").all()
    variance = trial_rows[trial_rows["test"] == "mixed_model_variance"]
    assert variance["family"].eq("no_test").all() and variance["p"].isna().all()
    mi = trial_rows[trial_rows["test"] == "mixed_model_mi"]
    assert mi["method"].eq("REML_satterthwaite_rubin").all() and mi["n"].eq(615).all()
    fidelity = tests[tests["factor"] == "fidelity"]
    assert len(fidelity) == 1 and fidelity["family"].iloc[0] == "exploratory"


def test_the_consort_flow_adds_up_and_agrees_with_the_data(trial):
    from peerstudy.trial import check_flow

    flow = pd.read_csv(trial / "results/upsides_demo/consort.csv", keep_default_na=False)
    assert check_flow(flow) == []
    people = pd.read_csv(trial / "data/processed/upsides_demo/participants.csv",
                         dtype={"participant_id": str})
    tests = pd.read_csv(trial / "results/upsides_demo/tests.csv")
    log = pd.read_csv(trial / "data/processed/upsides_demo/screening.csv", dtype=str)

    def n(stage, arm="all", tp="", reason="all"):
        sel = flow[(flow["stage"] == stage) & (flow["arm"] == arm) & (flow["timepoint"] == tp)
                   & (flow["reason"] == reason)]
        return int(sel["n"].iloc[0])

    assert n("assessed") == len(log)
    assert n("randomised") == (log["outcome"] == "randomised").sum() == 615
    analysed = 0
    for arm in ("peer_support", "usual_care"):
        mine = people[people["group"] == arm]
        assert n("allocated", arm) == len(mine)
        for tp in ("T4", "T8"):
            assert n("followed_up", arm, tp) == mine[f"attended_{tp}"].astype(bool).sum()
        seen = mine["attended_T8"].astype("boolean").fillna(False).to_numpy(bool)
        dropped = mine.loc[~seen, "dropout_reason"].value_counts()
        for reason, count in dropped.items():
            assert n("lost", arm, "T8", reason) == count
        analysed += n("analysed", arm)
    primary = tests[(tests["family"] == "primary") & (tests["test"] == "mixed_model")]
    assert analysed == int(primary["n"].iloc[0])


def _text(path) -> str:
    html = path.read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_report_leads_with_the_primary_result_and_reads_like_a_trial_report(trial):
    values = yaml.safe_load((trial / "reports/upsides_demo/_variables.yml").read_text())
    html = (trial / "reports/upsides_demo/manuscript.html").read_text(encoding="utf-8")
    text = " ".join(_text(trial / "reports/upsides_demo/manuscript.html").split())
    results = text[text.index("Results."):]
    apa = values["effect"]["sis"]["total"]["T8"]["apa"]
    estimate = re.sub(r"[*~]", "", apa.split(",")[0])            # "Δ = 1.85"
    # CONSORT for abstracts: the numbers randomised and analysed, then the primary result
    assert estimate in results[:400], results[:400]
    for needed in ("CONSORT 2010 flow diagram", "Baseline characteristics by arm",
                   "Primary outcome: social inclusion", "Secondary outcomes by arm",
                   "three ways of handling missing data", "Fidelity of peer support",
                   "CONSORT 2010 checklist",
                   "Power of an approximate change-score comparison"):
        assert needed in text, needed
    # none of the old placeholder's wrong words, and the command that was actually run
    for wrong in ("Spanish", "placeholder items (wording not public)", "--cores",
                  "support' ", "Peer support workers' "):
        assert wrong not in text, wrong
    assert "uv run snakemake --configfile config/upsides_demo.yaml" in text
    assert 'id="fig-consort"' in html and "data:image/png;base64" in html
    # sections are numbered, so the checklist's "Section 2.7" points somewhere
    assert "2.7 Randomisation" in text and "Section 2.7" in text


def test_the_abstract_names_exactly_the_significant_secondary_outcomes(trial):
    config = yaml.safe_load((trial / CONFIG).read_text())
    tests = pd.read_csv(trial / "results/upsides_demo/tests.csv")
    sec = tests[(tests["family"] == "secondary") & (tests["test"] == "mixed_model")
                & (tests["effect_name"] == "estimate") & (tests["site"] == "all")]
    labels = {(o["instrument"], o["scale"]): o["label"]
              for o in config["analysis"]["trial"]["outcomes"] if o["role"] == "secondary"}
    significant = {labels[(r.instrument, r.scale)] for r in sec.itertuples()
                   if r.p_adjusted < 0.05}
    text = " ".join(_text(trial / "reports/upsides_demo/manuscript.html").split())
    abstract = text[text.index("Results."):text.index("Conclusions.")]
    clause = abstract[abstract.index("Of the secondary outcomes"):]
    clause = clause[:clause.index("did not") if "did not" in clause else clause.index(".")]
    named, _, rest = clause.partition(": ")
    said_sig, _, said_not = rest.partition("; ")
    found = lambda part: {x for x in labels.values() if x in part}  # noqa: E731
    assert found(said_sig) == significant, (said_sig, significant)
    assert found(said_not) == set(labels.values()) - significant
    assert ("none of" in named) == (not significant)
    # and no direction word anywhere contradicts the interval printed before it
    for low, high, word in re.findall(r"95% CI \[([−\d.]+), ([−\d.]+)\][^()]*\(it ([a-z ]+)\)",
                                      text):
        lo, hi = (float(x.replace("−", "-")) for x in (low, high))
        if lo <= 0 <= hi:
            assert word.startswith("did not clearly favour"), (low, high, word)
        else:
            assert word.startswith(("favoured", "did not clearly favour either arm after"))


def test_the_trial_renders_the_same_bytes_again(trial, tmp_path):
    """Rerun every rule but the power simulation (ingestion onward) in a copy of the build;
    every output of the study, the HTML, DOCX and PDF included, must come out byte for
    byte the same."""
    before = _digests(trial)
    where = copy_build(trial, tmp_path / "again")
    proc = run_snakemake(where, "--forcerun", "ingest", "trial_screening", configfile=CONFIG)
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = _digests(where)
    assert before.keys() == after.keys()
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == [], changed


def test_maxqda_export_feeds_the_cfir_matrix(trial):
    cfir = pd.read_csv(trial / "results/upsides_demo/qualitative/cfir_matrix.csv")
    assert set(cfir["cfir_domain"]) == {"Intervention characteristics", "Inner setting",
                                       "Outer setting", "Characteristics of individuals",
                                       "Process"}
    assert cfir["quotations"].sum() == 93  # the generator's code counts in the config


def test_power_simulation_report(trial):
    table = pd.read_csv(trial / "results/upsides_demo/power.csv")
    assert set(table["participants"]) == {360, 564, 720}
    assert (table["replicates"] == 1000).all()
    for _, block in table.groupby("participants"):
        assert block.sort_values("effect_sd")["power"].is_monotonic_increasing
    html = (trial / "reports/upsides_demo/power/power.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in html and "Monte Carlo SE" in html
