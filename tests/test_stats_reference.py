"""Statistics checked against reference values from R and SPSS.

Each expected value is one that R's documentation prints for its example,
one that R 4.2.2 printed for the call beside it (effectsize 0.8.3), or one a
textbook prints from SPSS; the source is named beside each number. The R
calls are kept in tests/reference/reference.R. The mixed-model engine has its
own file (test_stats_mixed.py); every row the workflow writes is also checked
against R by the exported syntax (test_syntax_r.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from peerstudy.stats.effsize import (
    cohen_d_paired,
    cramers_v,
    cramers_v_ci,
    eta_squared_ci,
    kendall_w_ci,
    noncentral_chi2_ci,
    noncentral_f_ci,
    noncentral_t_ci,
    rank_biserial_paired,
)
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
    res = fisher_exact(np.array([[3, 1], [1, 3]]))
    assert res["p"] == pytest.approx(0.4857142857, rel=1e-9)
    # R: fisher.test(TeaTasting)$estimate -> 6.408309 (conditional MLE, not ad/bc = 9)
    assert res["odds_ratio"] == pytest.approx(6.40830886701, rel=1e-5)
    # ... $conf.int -> 0.2117329 621.9337505; R solves the bounds with uniroot's default
    # tolerance (1.2e-4); solved tightly (tests/reference/reference.R, fisher_precise)
    # the bounds are 0.211735595447 and 626.243530589, which scipy reproduces.
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((0.211735595447, 626.243530589),
                                                            rel=1e-9)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((0.211732915306, 621.933750545),
                                                            rel=1e-2)


def test_fisher_exact_conditional_estimate_and_interval():
    # R: fisher.test(matrix(c(10, 2, 3, 15), nrow = 2)) -> p = 0.000536724119143,
    #    estimate 21.305331275; tight bounds (fisher_precise) 2.75338278825, 301.462337972
    res = fisher_exact(np.array([[10, 3], [2, 15]]))
    assert res["p"] == pytest.approx(0.000536724119143, rel=1e-9)
    assert res["odds_ratio"] == pytest.approx(21.3053175568, rel=1e-9)
    assert res["odds_ratio"] == pytest.approx(21.305331275, rel=1e-5)   # fisher.test's own
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((2.75338278825, 301.462337972),
                                                            rel=1e-9)
    # a zero cell: the estimate is 0 and so is the lower bound (fisher_precise: 0, 0, 1.74612372198)
    zero = fisher_exact(np.array([[0, 4], [5, 3]]))
    assert (zero["odds_ratio"], zero["ci_low"]) == (0.0, 0.0)
    assert zero["ci_high"] == pytest.approx(1.74612372198, rel=1e-9)


def test_holm_and_bh_match_r_p_adjust():
    p = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
    # R: p.adjust(p, "holm") -> 0.05 0.08 0.09 0.09 0.09 ; p.adjust(p, "BH") -> 0.05 x 5
    assert adjust(p, "holm") == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09], rel=1e-12)
    assert adjust(p, "bh") == pytest.approx([0.05] * 5, rel=1e-12)
    # ties, NA and an unsorted family. R: p <- c(0.04, 0.01, 0.04, NA, 0.2, 0.003, 0.5)
    p = np.array([0.04, 0.01, 0.04, np.nan, 0.2, 0.003, 0.5])
    # p.adjust(p, "holm") -> 0.16 0.05 0.16 NA 0.4 0.018 0.5 (NA is not counted in m)
    assert adjust(p, "holm") == pytest.approx([0.16, 0.05, 0.16, np.nan, 0.4, 0.018, 0.5],
                                              rel=1e-12, nan_ok=True)
    # p.adjust(p, "BH") -> 0.06 0.03 0.06 NA 0.24 0.018 0.5
    assert adjust(p, "bh") == pytest.approx([0.06, 0.03, 0.06, np.nan, 0.24, 0.018, 0.5],
                                            rel=1e-12, nan_ok=True)
    # p.adjust(p, "bonferroni") -> 0.24 0.06 0.24 NA 1 0.018 1
    assert adjust(p, "bonferroni") == pytest.approx([0.24, 0.06, 0.24, np.nan, 1, 0.018, 1],
                                                    rel=1e-12, nan_ok=True)
    assert adjust(p, "none") == pytest.approx(p, nan_ok=True)


def test_noncentral_intervals_match_r_solved_tightly():
    # R (tests/reference/reference.R, ncp_ci with uniroot(tol = 1e-13)):
    #   pf(3.793805, 3, 21, ncp = l)        -> 0, 28.3556683398
    #   pchisq(11.14285714, 2, ncp = l)     -> 1.25680066473, 26.8064922281
    #   pt(4.062127683, 9, ncp = l)         -> 1.31116809102, 6.69775630552
    assert noncentral_f_ci(3.793805, 3, 21) == pytest.approx((0, 28.3556683398), rel=1e-8)
    assert noncentral_chi2_ci(11.14285714, 2) == pytest.approx((1.25680066473, 26.8064922281),
                                                                rel=1e-8)
    assert noncentral_t_ci(4.062127683, 9) == pytest.approx((1.31116809102, 6.69775630552),
                                                             rel=1e-8)


def test_eta_squared_kendall_w_and_cramers_v_intervals_match_effectsize():
    # R: effectsize::F_to_eta2(3.793805, 3, 21, ci = 0.95, alternative = "two.sided")
    #    -> Eta2_partial 0.35147985349, CI 0, 0.574516902769 (effectsize finds the bound
    #    with optim, abstol 1e-9 on the tail probability: agreement to about 1e-6)
    eta = 3.793805 * 3 / (3.793805 * 3 + 21)
    assert eta_squared_ci(eta, 3, 21) == pytest.approx((0, 0.574516902769), rel=1e-6)
    # Kendall's W of RoundingTimes: W = 11.143 / (22 * 2); the ncp bounds above / (n (k - 1))
    w_low, w_high = kendall_w_ci(11.14285714, 22, 3)
    assert (w_low, w_high) == pytest.approx((1.25680066473 / 44, 26.8064922281 / 44), rel=1e-8)
    # R: effectsize::chisq_to_cramers_v(30.07015, 2757, 2, 3, adjust = FALSE, ci = 0.95,
    #    alternative = "two.sided") -> 0.104435803927, CI 0.0649074367262, 0.140263896312
    assert cramers_v(30.0701490958, 2757, (2, 3)) == pytest.approx(0.104435803927, rel=1e-6)
    assert cramers_v_ci(30.0701490958, 2757, (2, 3)) == pytest.approx(
        (0.0649074367262, 0.140263896312), rel=1e-6)


def test_rank_biserial_paired_extremes_and_sign():
    assert rank_biserial_paired(np.array([1.0, 2, 3, 4]))[0] == 1.0
    assert rank_biserial_paired(np.array([-1.0, -2, -3]))[0] == -1.0
    # depression data: T+ = 40, T- = 5 -> r = 35/45
    r, low, high = rank_biserial_paired(np.array(DEPR_X) - np.array(DEPR_Y))
    assert r == pytest.approx(35 / 45)
    assert low < r < high
