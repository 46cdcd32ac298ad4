"""The joint display: declared meta-inferences checked against the quantitative results."""

from __future__ import annotations

import pandas as pd
import pytest

from peerstudy.errors import DataError
from peerstudy.integration import check_meta_inference, gate, joint_display, validation_section

P = "p_adjusted = .01 at alpha = .05"


@pytest.mark.parametrize("meta, qual, quant, significant, quotations, flagged", [
    # convergence on a change: significant and the same direction
    ("convergence", "favourable", "favourable", True, 5, ""),
    ("convergence", "favourable", "favourable", False, 5, "rests on a non-significant result"),
    ("convergence", "favourable", "unfavourable", True, 5, "beside a change in the unfavourable"),
    ("convergence", "unfavourable", "unfavourable", True, 5, ""),
    ("convergence", "no change", "favourable", False, 5, ""),
    ("convergence", "no change", "favourable", True, 5, "on no change beside a significant"),
    ("convergence", "mixed", "favourable", True, 5, "needs a qualitative direction"),
    ("convergence", "favourable", "unknown", True, 5, "no favourable direction"),
    # divergence: flagged when the numbers in fact converge
    ("divergence", "favourable", "favourable", False, 5, ""),
    ("divergence", "favourable", "unfavourable", True, 5, ""),
    ("divergence", "favourable", "favourable", True, 5, "that is convergence"),
    ("divergence", "no change", "favourable", True, 5, ""),
    ("divergence", "no change", "none", False, 5, "that is convergence"),
    # expansion: flagged only by a significant change against the qualitative direction
    ("expansion", "unfavourable", "unfavourable", False, 5, ""),
    ("expansion", "favourable", "favourable", True, 5, ""),
    ("expansion", "favourable", "unfavourable", True, 5, "that is divergence"),
    ("expansion", None, "unfavourable", True, 5, ""),
    # silence: the qualitative strand must be silent; claims need quotations
    ("silence", None, "favourable", True, 0, ""),
    ("silence", None, "favourable", True, 3, "the codes carry 3 quotation(s)"),
    ("divergence", "favourable", "none", False, 0, "no quotation carries the declared codes"),
])
def test_check_rules(meta, qual, quant, significant, quotations, flagged):
    reason = check_meta_inference(meta, qual, quant, significant, quotations, P)
    assert (reason == "") if not flagged else (flagged in reason)


TESTS = pd.DataFrame([
    # later minus earlier: SWLS fell; CAMI authoritarianism (higher = worse) fell
    {"site": "all", "group": "psw", "instrument": "swls", "scale": "total", "test": "wilcoxon",
     "factor": "timepoint", "contrast": "T2-T3", "mean_difference": -2.1, "p": 0.017,
     "p_adjusted": 0.20, "effect_name": "rank_biserial", "effect": -1.0},
    {"site": "all", "group": "professional", "instrument": "cami", "scale": "authoritarianism",
     "test": "wilcoxon", "factor": "timepoint", "contrast": "T1-T3", "mean_difference": -1.5,
     "p": 0.001, "p_adjusted": 0.004, "effect_name": "rank_biserial", "effect": -0.6},
    {"site": "all", "group": "psw", "instrument": "emas", "scale": "total", "test": "wilcoxon",
     "factor": "timepoint", "contrast": "T1-T2", "mean_difference": 4.0, "p": 0.08,
     "p_adjusted": 0.5, "effect_name": "rank_biserial", "effect": 0.6},
    {"site": "all", "group": "psw", "instrument": "swls", "scale": "total", "test": "paired_t",
     "factor": "timepoint", "contrast": "T2-T3", "mean_difference": -2.1, "p": 0.01,
     "p_adjusted": 0.1, "effect_name": "cohen_dz", "effect": -0.9},
])
CODES = pd.DataFrame({"code": ["Nerves and stress", "Peer as colleague"], "quotations": [6, 4]})
BETTER = {("swls", "total"): True, ("cami", "authoritarianism"): False, ("emas", "total"): True}


def domain(**kw):
    base = {"domain": "life satisfaction", "group": "psw", "instrument": "swls", "scale": "total",
            "contrast": "T2-T3", "codes": ["Nerves and stress"], "finding": "stress",
            "qualitative_direction": "unfavourable", "meta_inference": "convergence",
            "statement": "one line"}
    return {**base, **kw}


def display(domains, multiplicity="holm"):
    return joint_display(TESTS, CODES, {"test": "wilcoxon", "domains": domains}, alpha=0.05,
                         multiplicity=multiplicity, higher_is_better=BETTER)


def test_convergence_on_an_adjusted_non_significant_result_is_flagged():
    shown, _ = display([domain()])
    row = shown.iloc[0]
    assert (row["p_used"], row["p_basis"], row["significant"]) == (0.20, "p_adjusted", False)
    assert row["quantitative_direction"] == "unfavourable"
    assert row["check"] == ("flagged: convergence on an unfavourable change rests on a "
                            "non-significant result (p_adjusted = .200 at alpha = .05)")
    assert row["convergence"] == row["meta_inference"] == "convergence"
    with pytest.raises(DataError, match=r"1 declared meta-inference\(s\) do not fit .* "
                                        r"'life satisfaction' \(convergence\)"):
        gate(shown)


def test_the_joint_display_job_gates_the_written_file_as_the_table(tmp_path):
    # the joint_display job reads the checked declarations as text (no pandas): the same
    # rows stop it with the same message, and a justified flag passes
    from peerstudy.io import write_csv
    from peerstudy.joint_gate import gate_file

    shown, _ = display([domain()])
    path = tmp_path / "meta_inferences.csv"
    write_csv(path, shown)
    with pytest.raises(DataError) as from_table:
        gate(shown)
    with pytest.raises(DataError) as from_file:
        gate_file(path)
    assert str(from_file.value) == str(from_table.value)
    justified, _ = display([domain(justification="the adjusted p is borderline")])
    write_csv(path, justified)
    gate_file(path)


def test_without_a_correction_the_raw_p_is_used():
    shown, _ = display([domain()], multiplicity="none")
    assert (shown.iloc[0]["p_basis"], shown.iloc[0]["check"]) == ("p", "ok")


def test_direction_comes_from_the_registry():
    # authoritarianism fell; lower is better: a favourable change, significant after Holm
    cami = domain(domain="authoritarianism", group="professional", instrument="cami",
                  scale="authoritarianism", contrast="T1-T3", codes=["Peer as colleague"],
                  qualitative_direction="favourable")
    shown, _ = display([cami])
    assert (shown.iloc[0]["quantitative_direction"], shown.iloc[0]["check"]) == \
        ("favourable", "ok")
    shown, _ = display([{**cami, "qualitative_direction": "unfavourable"}])
    assert "beside a change in the favourable direction" in shown.iloc[0]["check"]


def test_a_justification_keeps_the_row_and_passes_the_gate():
    shown, _ = display([domain(justification="kept  because\n the adjusted p is borderline")])
    assert shown.iloc[0]["check"].startswith("justified: convergence on an unfavourable change")
    assert shown.iloc[0]["justification"] == "kept because the adjusted p is borderline"
    gate(shown)


def test_undeclared_domains_and_results_are_listed_not_shown():
    undeclared_domain = {k: v for k, v in domain(domain="x").items() if k != "meta_inference"}
    shown, listed = display([domain(meta_inference="expansion"), undeclared_domain])
    assert shown["domain"].tolist() == ["life satisfaction"]
    assert "not assessed" not in shown.to_csv()
    assert listed[["domain", "instrument", "contrast", "reason"]].values.tolist() == [
        ["", "cami", "T1-T3", "no domain declared for this wilcoxon result"],
        ["", "emas", "T1-T2", "no domain declared for this wilcoxon result"],
        ["x", "swls", "T2-T3", "no meta-inference declared"]]


def test_unknown_codes_and_contrasts_stop():
    with pytest.raises(DataError, match=r"names code 'Stres', which no export has"):
        display([domain(codes=["Stres"])])
    with pytest.raises(DataError, match=r"tests.csv does not have"):
        display([domain(contrast="T1-T3")])


def test_validation_section_lists_every_check():
    shown, _ = display([domain(), domain(domain="b", meta_inference="expansion")])
    text = validation_section(shown)
    assert "2 declared; 1 fit the quantitative results, 0 flagged but justified, 1 flagged" in text
    assert "| life satisfaction | convergence | unfavourable, p_adjusted = .200, change -2.10 |" \
        in text


def test_default_study_declarations_pass_their_checks_honestly(default_run):
    shown = pd.read_csv(default_run / "results/catalonia/joint_display.csv")
    assert set(shown["check"]) == {"ok"}
    assert shown["meta_inference"].notna().all() and (shown["justification"].isna()).all()
    # the published reading of the PSWs' fall in life satisfaction as convergence does not
    # survive Holm's correction in this run, so it is declared as expansion
    swls = shown.set_index("domain").loc["PSWs' life satisfaction"]
    assert (swls["meta_inference"], swls["significant"]) == ("expansion", False)
    report = (default_run / "results/catalonia/validation/report.md").read_text()
    assert "## Mixed-methods meta-inferences" in report and "8 declared; 8 fit" in report


def test_default_study_agreement_is_high_but_not_perfect(default_run):
    table = pd.read_csv(default_run / "results/catalonia/qualitative/agreement.csv")
    pooled = table[table["code"] == "all"].set_index("level")
    assert set(pooled.index) == {"document", "segment"}
    assert pooled.loc["document", "n_units"] == 5 * 68  # documents x codes
    for level in ("document", "segment"):
        assert 0.6 < pooled.loc[level, "kappa"] < 0.99
        assert pooled.loc[level, "krippendorff_alpha"] == pytest.approx(
            pooled.loc[level, "kappa"], abs=0.02)


def test_tiny_study_keeps_a_justified_flag_and_reports_it(first_run):
    shown = pd.read_csv(first_run / "results/tiny/joint_display.csv")
    justified = shown[shown["check"].str.startswith("justified")]
    assert justified["domain"].tolist() == ["PSWs' occupational performance: finding work"]
    report = (first_run / "results/tiny/validation/report.md").read_text()
    assert "1 flagged but justified, 0 flagged" in report
    for name in ("agreement", "themes", "quotations", "joint_display_undeclared"):
        assert (first_run / f"results/tiny/qualitative/{name}.csv").is_file()


def test_a_domain_exemplar_must_carry_one_of_its_codes():
    found = {"1:1": ("PSWs", "[synthetic] text", {"Hope"})}
    with pytest.raises(DataError, match=r"exemplar '1:1' is coded Hope, none of the domain's"):
        joint_display(TESTS, CODES, {"test": "wilcoxon", "domains": [domain(exemplar="1:1")]},
                      alpha=0.05, multiplicity="holm", higher_is_better=BETTER, exemplars=found)
    found = {"1:1": ("PSWs", "[synthetic] text", {"Nerves and stress"})}
    shown, _ = joint_display(TESTS, CODES, {"test": "wilcoxon",
                                            "domains": [domain(exemplar="1:1")]},
                             alpha=0.05, multiplicity="holm", higher_is_better=BETTER,
                             exemplars=found)
    assert shown.iloc[0][["exemplar_source", "exemplar_text"]].tolist() == [
        "PSWs", "[synthetic] text"]


SOURCES = pd.DataFrame({"code": ["Nerves and stress"] * 3 + ["Peer as colleague"] * 3,
                        "source": ["PSWs", "service users", "professionals"] * 2,
                        "quotations": [2, 0, 4, 1, 0, 3]})


def test_a_domain_counts_the_quotations_of_the_sources_it_speaks_for():
    # CODES holds 6 + 4 quotations over every source; SOURCES splits them by source
    spec = {"test": "wilcoxon", "domains": [
        domain(codes=["Nerves and stress", "Peer as colleague"], sources=["PSWs"]),
        domain(domain="everyone", codes=["Nerves and stress", "Peer as colleague"])]}
    shown, _ = joint_display(TESTS, CODES, spec, alpha=0.05, multiplicity="holm",
                             higher_is_better=BETTER, code_sources=SOURCES)
    rows = shown.set_index("domain")
    assert rows.loc["life satisfaction", ["quotations", "quotations_all", "quotations_from"]
                    ].tolist() == [3, 10, "PSWs"]
    assert rows.loc["everyone", ["quotations", "quotations_all", "quotations_from"]
                    ].tolist() == [10, 10, "all sources"]


def test_a_claim_about_a_group_needs_that_groups_quotations():
    # the professionals never used the code: a divergence about them rests on nothing
    spec = {"test": "wilcoxon", "domains": [domain(
        codes=["Peer as colleague"], sources=["service users"], meta_inference="divergence",
        qualitative_direction="favourable")]}
    shown, _ = joint_display(TESTS, CODES, spec, alpha=0.05, multiplicity="holm",
                             higher_is_better=BETTER, code_sources=SOURCES)
    assert shown.iloc[0]["check"] == "flagged: declared divergence, but no quotation " \
                                     "carries the declared codes"


def test_declared_sources_must_exist_and_match_the_exemplar():
    with pytest.raises(DataError, match=r"source 'PSW', which no coded document has"):
        joint_display(TESTS, CODES, {"test": "wilcoxon", "domains": [domain(sources=["PSW"])]},
                      alpha=0.05, multiplicity="holm", higher_is_better=BETTER,
                      code_sources=SOURCES)
    with pytest.raises(DataError, match=r"no per-source code counts"):
        joint_display(TESTS, CODES, {"test": "wilcoxon", "domains": [domain(sources=["PSWs"])]},
                      alpha=0.05, multiplicity="holm", higher_is_better=BETTER)
    found = {"1:1": ("professionals", "[synthetic] text", {"Nerves and stress"})}
    with pytest.raises(DataError, match=r"comes from professionals, not from the domain's"):
        joint_display(TESTS, CODES, {"test": "wilcoxon",
                                     "domains": [domain(sources=["PSWs"], exemplar="1:1")]},
                      alpha=0.05, multiplicity="holm", higher_is_better=BETTER,
                      exemplars=found, code_sources=SOURCES)


def test_default_study_counts_each_finding_in_the_group_it_speaks_for(default_run):
    shown = pd.read_csv(default_run / "results/catalonia/joint_display.csv").set_index("domain")
    by_source = pd.read_csv(default_run / "results/catalonia/qualitative/code_sources.csv")
    for domain, rec in shown.iterrows():
        assert rec["quotations_from"] != "all sources", domain
        codes = rec["codes"].split("; ") if isinstance(rec["codes"], str) else []
        mine = by_source[by_source["code"].isin(codes)
                         & by_source["source"].isin(rec["quotations_from"].split("; "))]
        assert rec["quotations"] == mine["quotations"].sum(), domain
        assert rec["quotations"] <= rec["quotations_all"]
    # the Stigma code is spread over all three sources: the PSWs' row counts only theirs
    stigma = shown.loc["PSWs' self-stigma"]
    assert stigma["quotations"] < stigma["quotations_all"]
