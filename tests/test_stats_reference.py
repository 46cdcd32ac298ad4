"""Statistics checked against published reference values.

R is not reachable from these machines, so each expected value is one that R's
own documentation prints for its example (R 4.x, package stats) or a textbook
prints from SPSS; the source is named beside each number. The R calls are
kept in tests/reference/reference.R for anyone with R to re-derive them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerstudy.stats.effsize import cohen_d_paired, cramers_v, rank_biserial_paired
from peerstudy.stats.mixed import timepoint_contrasts
from peerstudy.stats.multiplicity import adjust
from peerstudy.stats.nonparametric import (
    chi_square,
    fisher_exact,
    friedman,
    mann_whitney,
    wilcoxon,
)
from peerstudy.stats.parametric import paired_t, rm_anova

# R ?wilcox.test, "One-sample/paired test": depression scores (Hollander & Wolfe 1973, p. 29)
DEPR_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPR_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
# R ?wilcox.test, two-sample example (Hollander & Wolfe 1973, p. 69)
PERM_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
PERM_Y = [1.15, 0.88, 0.90, 0.74, 1.21]
# R datasets::sleep (Student 1908): extra sleep, drug 1 and drug 2, same 10 patients
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
# Field (2009) Discovering Statistics Using SPSS, 3rd ed., ch. 13: Bushtucker.sav,
# 8 celebrities x 4 animals (stick insect, kangaroo testicle, fish eye, witchetty grub)
BUSHTUCKER = [[8, 7, 1, 6], [9, 5, 2, 5], [6, 2, 3, 8], [5, 3, 1, 9],
              [8, 4, 5, 8], [7, 5, 6, 7], [10, 2, 7, 2], [12, 6, 8, 1]]
# R ?friedman.test: RoundingTimes (Hollander & Wolfe 1973, p. 140)
ROUNDING = np.array([5.40, 5.50, 5.55, 5.85, 5.70, 5.75, 5.20, 5.60, 5.50, 5.55, 5.50, 5.40,
                     5.90, 5.85, 5.70, 5.45, 5.55, 5.60, 5.40, 5.40, 5.35, 5.45, 5.50, 5.35,
                     5.25, 5.15, 5.00, 5.85, 5.80, 5.70, 5.25, 5.20, 5.10, 5.65, 5.55, 5.45,
                     5.60, 5.35, 5.45, 5.05, 5.00, 4.95, 5.50, 5.50, 5.40, 5.45, 5.55, 5.50,
                     5.55, 5.55, 5.35, 5.45, 5.50, 5.55, 5.50, 5.45, 5.25, 5.65, 5.60, 5.40,
                     5.70, 5.65, 5.55, 6.30, 6.30, 6.25]).reshape(22, 3)


def test_wilcoxon_exact_matches_r_docs():
    # R: wilcox.test(x, y, paired = TRUE, alternative = "greater") -> V = 40, p-value = 0.01953
    # two-sided exact p is twice that (symmetric null): 0.0390625
    res = wilcoxon(DEPR_Y, DEPR_X, method="exact")  # later = x, earlier = y: V counts x > y
    assert res["V"] == 40
    assert res["p"] == pytest.approx(2 * 0.01953125, abs=1e-12)
    assert res["method"] == "exact"


def test_wilcoxon_asymptotic_with_and_without_continuity_correction():
    # R: wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = FALSE)
    #    V = 40, p-value = 0.03815 (z = (40 - 22.5) / sqrt(71.25) = 2.0732)
    res = wilcoxon(DEPR_Y, DEPR_X, method="asymptotic", correction=False)
    assert res["z"] == pytest.approx(17.5 / np.sqrt(71.25), abs=1e-9)
    assert res["p"] == pytest.approx(0.03815171, abs=1e-7)
    # R: ... correct = TRUE -> p-value = 0.04401 (|V - 22.5| - 0.5)
    res_cc = wilcoxon(DEPR_Y, DEPR_X, method="asymptotic", correction=True)
    assert res_cc["p"] == pytest.approx(0.04401, abs=5e-6)
    assert res_cc["method"] == "asymptotic_cc"


def test_wilcoxon_auto_uses_exact_only_without_ties_as_r_does():
    assert wilcoxon(DEPR_Y, DEPR_X, method="auto")["method"] == "exact"
    tied = wilcoxon([0, 0, 0, 0, 0, 0], [1, 1, 2, 3, 3, -1], method="auto")
    assert tied["method"] == "asymptotic"


def test_mann_whitney_exact_matches_r_docs():
    # R: wilcox.test(x, y, alternative = "g") -> W = 35, p-value = 0.1272 (exact)
    res = mann_whitney(PERM_X, PERM_Y, method="exact")
    assert res["U"] == 35
    assert res["p"] == pytest.approx(2 * 0.1272061272, abs=1e-9)


def test_paired_t_matches_r_sleep():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) (R >= 4.4: t.test(Pair(extra.1, extra.2) ~ 1))
    #    t = -4.0621, df = 9, p-value = 0.002833, mean difference -1.58
    res = paired_t(SLEEP_2, SLEEP_1)  # later = drug 1: 1 minus 2, as R prints
    assert res["t"] == pytest.approx(-4.062128, abs=1e-6)
    assert res["df"] == 9
    assert res["p"] == pytest.approx(0.002832890, abs=1e-8)
    assert res["mean_diff"] == pytest.approx(-1.58)


def test_cohen_dz_and_its_noncentral_ci_on_sleep():
    d = cohen_d_paired(SLEEP_1, SLEEP_2)
    # dz = 1.58 / sd(diff) = 1.58 / 1.229995 (Lakens 2013, eq. 6)
    assert d["cohen_dz"][0] == pytest.approx(1.58 / 1.2299955, abs=1e-6)
    # CI bounds are the ncp values whose noncentral t cdf at t_obs is .975 / .025
    from scipy.stats import nct

    diff = np.array(SLEEP_2) - np.array(SLEEP_1)
    n, df = 10, 9
    t_obs = diff.mean() / (diff.std(ddof=1) / np.sqrt(n))
    low, high = d["cohen_dz"][1:]
    assert nct.cdf(t_obs, df, low * np.sqrt(n)) == pytest.approx(0.975, abs=1e-9)
    assert nct.cdf(t_obs, df, high * np.sqrt(n)) == pytest.approx(0.025, abs=1e-9)
    # d_av uses the mean of the two SDs; Hedges' g_av shrinks it by J = 1 - 3/(4*9 - 1)
    sd_av = (np.std(SLEEP_1, ddof=1) + np.std(SLEEP_2, ddof=1)) / 2
    assert d["cohen_dav"][0] == pytest.approx(1.58 / sd_av)
    assert d["hedges_gav"][0] == pytest.approx(1.58 / sd_av * (1 - 3 / 35))


def test_rm_anova_and_sphericity_match_field_spss_output():
    # Field (2009), SPSS output 13.x: Mauchly's W = .136, chi2(5) = 11.41, p = .044;
    # GG epsilon = .533, HF epsilon = .666; F(3, 21) = 3.79, p = .026;
    # GG: p = .063; HF: p = .048. Printed to 3 decimals.
    res = rm_anova(np.array(BUSHTUCKER, float))
    assert round(res["mauchly_w"], 3) == 0.136
    assert round(res["mauchly_chi2"], 2) == 11.41
    assert res["mauchly_df"] == 5
    assert round(res["mauchly_p"], 3) == 0.044
    assert round(res["eps_gg"], 3) == 0.533
    assert round(res["eps_hf"], 3) == 0.666
    assert (res["df1"], res["df2"]) == (3, 21)
    assert round(res["F"], 2) == 3.79
    assert round(res["p"], 3) == 0.026
    assert round(res["p_gg"], 3) == 0.063
    assert round(res["p_hf"], 3) == 0.048


def test_rm_anova_with_two_levels_equals_paired_t_squared():
    res = rm_anova(np.column_stack([SLEEP_1, SLEEP_2]))
    assert res["F"] == pytest.approx(4.062128**2, abs=1e-5)
    assert res["eps_gg"] == 1 and np.isnan(res["mauchly_w"])


def test_friedman_matches_r_docs():
    # R: friedman.test(RoundingTimes) -> Friedman chi-squared = 11.143, df = 2, p-value = 0.003805
    res = friedman(ROUNDING)
    assert round(res["chi2"], 3) == 11.143
    assert res["df"] == 2
    assert res["p"] == pytest.approx(0.003805, abs=5e-7)
    assert res["kendall_w"] == pytest.approx(res["chi2"] / (22 * 2))


def test_chi_square_matches_r_docs():
    # R ?chisq.test: M <- as.table(rbind(c(762, 327, 468), c(484, 239, 477)))
    #    X-squared = 30.07, df = 2, p-value = 2.954e-07 (Agresti 2007, p. 39)
    table = np.array([[762, 327, 468], [484, 239, 477]])
    res = chi_square(table)
    assert round(res["chi2"], 2) == 30.07
    assert res["df"] == 2
    assert res["p"] == pytest.approx(2.954e-07, rel=1e-3)
    assert cramers_v(res["chi2"], table.sum(), table.shape) == pytest.approx(
        np.sqrt(res["chi2"] / 2757))


def test_fisher_exact_matches_r_tea_tasting():
    # R ?fisher.test: TeaTasting matrix(c(3, 1, 1, 3), nrow = 2) -> p-value = 0.4857
    assert fisher_exact(np.array([[3, 1], [1, 3]]))["p"] == pytest.approx(0.4857143, abs=1e-7)


def test_holm_and_bh_match_r_p_adjust():
    p = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
    # R: p.adjust(p, "holm") -> 0.05 0.08 0.09 0.09 0.09 ; p.adjust(p, "BH") -> 0.05 x 5
    assert adjust(p, "holm") == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
    assert adjust(p, "bh") == pytest.approx([0.05] * 5)
    assert np.isnan(adjust(np.array([0.01, np.nan]), "holm")[1])


def test_rank_biserial_paired_extremes_and_sign():
    assert rank_biserial_paired(np.array([1.0, 2, 3, 4]))[0] == 1.0
    assert rank_biserial_paired(np.array([-1.0, -2, -3]))[0] == -1.0
    # depression data: T+ = 40, T- = 5 -> r = 35/45
    r, low, high = rank_biserial_paired(np.array(DEPR_X) - np.array(DEPR_Y))
    assert r == pytest.approx(35 / 45)
    assert low < r < high


def test_mixed_model_on_complete_two_timepoint_data_equals_paired_t():
    data = pd.DataFrame({"score": SLEEP_1 + SLEEP_2,
                         "timepoint": ["A"] * 10 + ["B"] * 10,
                         "pid": list(range(10)) * 2})
    rows, _ = timepoint_contrasts(data, "score", "timepoint", "pid", ["A", "B"], [("A", "B")])
    assert rows[0]["estimate"] == pytest.approx(1.58, abs=1e-6)
    assert rows[0]["z"] == pytest.approx(4.062128, abs=1e-3)


def test_arm_time_model_recovers_known_effects_on_balanced_simulated_data():
    # Balanced data, arm A gains 3 points by T2 more than arm B; sites shift means.
    # With complete balanced data the REML fixed effects equal the cell-mean
    # contrasts, so the estimates must equal the observed difference-in-change.
    from peerstudy.stats.mixed import arm_time_contrasts

    rng = np.random.default_rng(3)
    rows = []
    for pid in range(60):
        arm = "A" if pid % 2 else "B"
        site = f"s{pid % 3}"
        person = rng.normal(0, 2)
        for t, tp in enumerate(["T1", "T2"]):
            y = 10 + person + (3 * t if arm == "A" else 0) + {"s0": 0, "s1": 1, "s2": -1}[site]
            rows.append({"y": y + rng.normal(0, 1), "arm": arm, "tp": tp, "pid": pid, "site": site})
    data = pd.DataFrame(rows)
    out, _ = arm_time_contrasts(data, "y", "arm", "tp", "pid", ["A", "B"], ["T1", "T2"], "site")
    change = next(r for r in out if r["kind"] == "change")
    cell = data.groupby(["arm", "tp"])["y"].mean()
    observed = (cell["A", "T2"] - cell["A", "T1"]) - (cell["B", "T2"] - cell["B", "T1"])
    assert change["estimate"] == pytest.approx(observed, abs=1e-6)
    assert change["ci_low"] < 3 < change["ci_high"]
