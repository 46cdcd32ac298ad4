"""The mixed-model engine against lme4/lmerTest, and the power simulation that uses it.

Expected values: R 4.2.2, lme4 1.1-31, lmerTest 3.1-3, printed by
tests/reference/mixed.R on tests/reference/mixed_data.csv (the exact calls are
beside each value). lme4's optimiser is run with tightened tolerances there
(nloptwrap, ftol_abs = 1e-14); with lme4's defaults its estimates move in the
seventh digit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerstudy.stats.mixed import fit_batch, fit_lmm

from .conftest import ROOT


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(ROOT / "tests/reference/mixed_data.csv")
    d["tp"] = pd.Categorical(d["tp"], ["T1", "T2", "T3"])
    d["arm"] = pd.Categorical(d["arm"], ["B", "A"])
    d["site"] = pd.Categorical(d["site"])
    return d


def check(fit, res, theta, sigma, crit, expected, rel=1e-6):
    """expected: estimate, se, t, df, p, ci_low, ci_high as lmerTest::contest1D prints them."""
    assert fit.theta == pytest.approx(theta, rel=rel, abs=1e-7)
    assert fit.sigma == pytest.approx(sigma, rel=rel)
    assert fit.deviance == pytest.approx(crit, rel=1e-9)
    got = [res[k] for k in ("estimate", "se", "statistic", "df", "p", "ci_low", "ci_high")]
    assert got == pytest.approx(expected, rel=rel)


def test_random_intercept_reml_and_ml_equal_lmertest(data):
    fit = fit_lmm(data, "y", "tp", ["pid"], "REML")
    # R: f1 <- lmer(y ~ tp + (1 | pid), d, REML = TRUE, control = ctrl)
    #    contest1D(f1, c(0, -1, 1), ddf = "Satterthwaite", confint = TRUE); REMLcrit(f1)
    check(fit, fit.contrast({"tp[T.T3]": 1, "tp[T.T2]": -1}), [1.572548112], 1.509087016,
          822.556985, [1.000344091, 0.2959303832, 3.380335874, 115.2557741, 0.0009888603945,
                       0.4141767865, 1.586511395])
    ml = fit_lmm(data, "y", "tp", ["pid"], "ML")
    # R: f2 <- lmer(y ~ tp + (1 | pid), d, REML = FALSE, ...); deviance(f2)
    check(ml, ml.contrast({"tp[T.T3]": 1, "tp[T.T2]": -1}), [1.575382246], 1.495971823,
          820.2903686, [1.000378751, 0.293367023, 3.409990463, 117.2434465, 0.0008916209023,
                        0.4193933393, 1.581364162])


def test_trial_model_with_participants_nested_in_sites_equals_lmertest(data):
    fit = fit_lmm(data, "y", "baseline + arm * tp", ["pid", "site"], "REML")
    # R: f3 <- lmer(y ~ baseline + arm * tp + (1 | pid) + (1 | site), d, REML = TRUE, ...)
    #    contest1D(f3, L["armA:tpT3"] = 1, ddf = "Satterthwaite", confint = TRUE)
    check(fit, fit.contrast({"arm[T.A]:tp[T.T3]": 1}), [1.30754923, 0.69384777], 1.459821104,
          793.2074689, [1.797744948, 0.5310647261, 3.385171071, 111.6923826, 0.000982344662,
                        0.7454766203, 2.850013275])
    assert fit.group_names == ["pid", "site"] and not fit.singular


def test_site_as_fixed_effect_equals_lmertest(data):
    fit = fit_lmm(data, "y", "baseline + arm * tp + site", ["pid"])
    # R: f4 <- lmer(y ~ baseline + arm * tp + site + (1 | pid), ...); L[c("armA", "armA:tpT2")] = 1
    check(fit, fit.contrast({"arm[T.A]": 1, "arm[T.A]:tp[T.T2]": 1}), [1.312106777],
          1.458347642, 775.5228668, [0.9914186687, 0.6076054075, 1.631681773, 116.5408197,
                                     0.1054459255, -0.2119615429, 2.19479888])


def test_singular_fit_is_reported_and_equals_lme4(data):
    shift = {"s1": -1.2, "s2": 0.4, "s3": 1.5, "s4": -0.3, "s5": 0.8, "s6": -0.9}
    d = data.assign(y0=data["y"] - data["site"].astype(str).map(shift))
    fit = fit_lmm(d, "y0", "arm * tp", ["pid", "site"])
    # R: f5 <- lmer(y0 ~ arm * tp + (1 | pid) + (1 | site), ...); isSingular(f5) -> TRUE
    check(fit, fit.contrast({"arm[T.A]:tp[T.T3]": 1}), [1.446012701, 0.0], 1.456818014,
          795.0085005, [1.798108098, 0.5302115825, 3.391302938, 112.3387999, 0.000960958956,
                        0.7475964091, 2.848619786])
    assert fit.singular == ["site"]
    assert "singular fit: variance of (1 | site) estimated at 0" in fit.notes


def test_wald_z_uses_the_same_model_based_se(data):
    fit = fit_lmm(data, "y", "tp", ["pid"])
    t_res = fit.contrast({"tp[T.T3]": 1, "tp[T.T2]": -1}, "satterthwaite")
    z_res = fit.contrast({"tp[T.T3]": 1, "tp[T.T2]": -1}, "asymptotic")
    from scipy.stats import norm

    assert z_res["se"] == t_res["se"] and z_res["statistic_name"] == "z"
    assert z_res["p"] == pytest.approx(2 * norm.sf(abs(z_res["statistic"])), rel=1e-12)
    assert np.isnan(z_res["df"])
    # z is more liberal than Satterthwaite's t for the same statistic
    assert z_res["p"] < t_res["p"]


def test_rank_deficient_design_drops_the_redundant_column_as_lme4(data):
    d = data.assign(double=2 * data["baseline"])
    fit = fit_lmm(d, "y", "baseline + double + tp", ["pid"])
    ref = fit_lmm(d, "y", "baseline + tp", ["pid"])
    assert fit.dropped == ["double"]
    assert fit.notes[0] == "fixed-effect design rank deficient: dropped double"
    assert fit.beta == pytest.approx(ref.beta, rel=1e-10)
    assert np.isnan(fit.contrast({"double": 1})["estimate"])


def test_unestimable_grouping_is_refused_as_lme4_refuses_it():
    one_each = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": ["a", "b", "c", "d"], "x": [0, 1, 0, 1]})
    with pytest.raises(ValueError, match="not below the number of observations"):
        fit_lmm(one_each, "y", "x", ["g"])


def test_balanced_two_timepoints_give_the_paired_t():
    # R datasets::sleep: with complete, balanced data the REML contrast is the
    # mean paired difference and its t (df = n - 1) is the paired t-test's.
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) -> t = -4.0621, df = 9
    s1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    s2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    d = pd.DataFrame({"y": s1 + s2, "tp": pd.Categorical(["a"] * 10 + ["b"] * 10),
                      "pid": list(range(10)) * 2})
    res = fit_lmm(d, "y", "tp", ["pid"]).contrast({"tp[T.b]": 1})
    assert res["estimate"] == pytest.approx(1.58, rel=1e-12)
    assert res["statistic"] == pytest.approx(4.062127683, rel=1e-8)
    assert res["df"] == pytest.approx(9, rel=1e-6)


def test_batch_fits_equal_single_fits():
    """The power simulation's batch path is the analysis engine, replicate by replicate."""
    from peerstudy.power import TrialDesign, design_matrix, simulate

    design = TrialDesign(sites=3, per_arm_per_site=10, timepoints=4, icc=0.4,
                         retention=(1.0, 0.8, 0.7, 0.6), effect=0.5)
    y, mask, x = simulate(design, np.random.default_rng(11), 4)
    n, t, p = x.shape
    people = np.repeat(np.arange(n), t)
    fits = fit_batch(x.reshape(n * t, p), y.reshape(4, n * t), mask.reshape(4, n * t), [people],
                     satterthwaite=True)
    names = [f"x{j}" for j in range(p)]
    for r, batch in enumerate(fits):
        keep = mask[r].reshape(-1)
        frame = pd.DataFrame(x.reshape(n * t, p)[keep], columns=names)
        frame["y"] = y[r].reshape(-1)[keep]
        frame["pid"] = people[keep]
        single = fit_lmm(frame, "y", frame[names], ["pid"])
        assert batch.theta == pytest.approx(single.theta, rel=1e-7)
        assert batch.beta == pytest.approx(single.beta, rel=1e-8, abs=1e-10)
        vec = np.eye(p)[2 * t - 1]
        one, other = batch.contrast(vec), single.contrast(vec)
        assert one["df"] == pytest.approx(other["df"], rel=1e-7)
        assert one["p"] == pytest.approx(other["p"], rel=1e-7)
    assert design_matrix(design)[0].shape == x.shape


def test_power_is_alpha_under_the_null_and_rises_with_the_effect():
    from peerstudy.power import TrialDesign, power

    base = TrialDesign(sites=3, per_arm_per_site=20, timepoints=4, icc=0.5,
                       retention=(1.0, 0.9, 0.8, 0.7), effect=0.0)
    size = power(base, 1000, seed=1)
    assert abs(size["power"] - 0.05) < 3 * size["mc_se"] + 0.005
    effect = TrialDesign(**{**base.__dict__, "effect": 0.5})
    assert power(effect, 300, seed=2)["power"] > size["power"] + 0.2


def _random_trial(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for pid in range(30 + 10 * seed):
        site, person = f"s{pid % 5}", rng.normal(0, 1 + seed / 2)
        for t in range(4):
            if t and rng.random() < 0.3:
                continue
            rows.append({"pid": f"p{pid}", "site": site, "arm": "AB"[pid % 2], "tp": f"T{t + 1}",
                         "y": person + 0.4 * t * (pid % 2) + rng.normal(0, 1) + (pid % 5) * 0.3})
    return pd.DataFrame(rows)


def test_engine_equals_lmertest_on_random_unbalanced_data(tmp_path, r_or_skip):
    """Live: three random unbalanced trials fitted here and by lme4/lmerTest, REML and ML."""
    import subprocess

    seeds = (1, 2, 3)
    for seed in seeds:
        _random_trial(seed).to_csv(tmp_path / f"d{seed}.csv", index=False)
    script = tmp_path / "fit.R"
    script.write_text(
        'suppressPackageStartupMessages({library(lme4); library(lmerTest)})\n'
        'ctrl <- lmerControl(optimizer = "nloptwrap", calc.derivs = FALSE, optCtrl = '
        'list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, ftol_rel = 1e-14, '
        'maxeval = 1e5))\n'
        'for (file in commandArgs(TRUE)) for (reml in c(TRUE, FALSE)) {\n'
        '  d <- read.csv(file); d$tp <- factor(d$tp)\n'
        '  d$arm <- factor(d$arm, levels = c("B", "A"))\n'
        '  f <- lmer(y ~ arm * tp + (1 | pid) + (1 | site), d, REML = reml, control = ctrl)\n'
        '  L <- setNames(numeric(length(fixef(f))), names(fixef(f))); L["armA:tpT4"] <- 1\n'
        '  ct <- contest1D(f, L, ddf = "Satterthwaite", confint = TRUE)\n'
        '  cat(sprintf("%.15g", c(getME(f, "theta"), sigma(f), ct$Estimate, ct$`Std. Error`,'
        ' ct$df, ct$`Pr(>|t|)`, ct$lower)), "\\n")\n'
        '}\n', encoding="utf-8")
    files = [str(tmp_path / f"d{seed}.csv") for seed in seeds]
    out = subprocess.run([r_or_skip, str(script), *files], capture_output=True, text=True,
                         check=True).stdout.strip().split("\n")
    assert len(out) == 2 * len(seeds)
    for i, line in enumerate(out):
        d = _random_trial(seeds[i // 2])
        d["tp"] = pd.Categorical(d["tp"])
        d["arm"] = pd.Categorical(d["arm"], ["B", "A"])
        ref = [float(v) for v in line.split()]
        fit = fit_lmm(d, "y", "arm * tp", ["pid", "site"], ("REML", "ML")[i % 2])
        res = fit.contrast({"arm[T.A]:tp[T.T4]": 1})
        got = [*fit.theta, fit.sigma, res["estimate"], res["se"], res["df"], res["p"],
               res["ci_low"]]
        # a variance at 0 (singular) in one engine may be 1e-8 in the other: absolute floor
        assert got == pytest.approx(ref, rel=1e-6, abs=1e-6), (seeds[i // 2], i % 2)
