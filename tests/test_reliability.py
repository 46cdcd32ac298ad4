"""Cronbach's alpha, Feldt CI and omega against independent references."""

from __future__ import annotations

import numpy as np
import pytest

from peerstudy.reliability import alpha_ci_feldt, cronbach_alpha, omega_total


def test_alpha_matches_r_psych_on_pingouins_dataset():
    import pingouin as pg

    data = pg.read_dataset("cronbach_wide_missing").dropna().to_numpy(float)
    # Reference: pingouin 0.7.0 docstring of cronbach_alpha, "In R:
    # psych::alpha(data, use='complete.obs')" -> 0.8016949152542373, CI [0.581, 0.933].
    alpha = cronbach_alpha(data)
    assert alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    # pingouin 0.7.0 takes the CI's degrees of freedom from n BEFORE listwise
    # deletion (12 rows, of which 9 are complete); with that n our Feldt formula
    # reproduces its interval ...
    low, high = alpha_ci_feldt(alpha, 12, data.shape[1])
    assert (round(low, 3), round(high, 3)) == (0.581, 0.933)
    # ... but the interval belongs to the 9 complete cases alpha was computed from,
    # which is what reliability.csv reports (wider, as it should be).
    low9, high9 = alpha_ci_feldt(alpha, *data.shape)
    assert data.shape[0] == 9 and low9 < low and high9 > high


def test_alpha_on_long_likert_data_matches_pingouin():
    import pingouin as pg

    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores").to_numpy(float)
    # pingouin 0.7.0 docstring: 0.5917188485995826, CI [0.195, 0.84]
    alpha = cronbach_alpha(wide)
    assert alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert tuple(round(x, 3) for x in alpha_ci_feldt(alpha, *wide.shape)) == (0.195, 0.84)


def test_alpha_by_hand():
    # 3 items, 4 people. Item variances 1.0, 1.0, 1.0 (sum 3); totals 3, 6, 6, 9 -> var 6.
    data = np.array([[0, 1, 2], [1, 2, 3], [2, 1, 3], [3, 2, 4]], dtype=float)
    items = data.var(axis=0, ddof=1).sum()
    total = data.sum(axis=1).var(ddof=1)
    assert cronbach_alpha(data) == pytest.approx(1.5 * (1 - items / total))


def test_omega_recovers_the_population_value_of_a_congeneric_model():
    # Population: standardised loadings l, uniqueness 1 - l^2;
    # omega = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) (McDonald 1999, eq. 6.20b).
    rng = np.random.default_rng(1)
    load = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    n = 20_000
    factor = rng.normal(size=(n, 1))
    data = factor * load + rng.normal(size=(n, 5)) * np.sqrt(1 - load**2)
    expected = load.sum() ** 2 / (load.sum() ** 2 + (1 - load**2).sum())
    omega, note = omega_total(data)
    assert note == ""
    assert omega == pytest.approx(expected, abs=0.01)


def test_omega_is_not_estimated_when_n_does_not_exceed_k():
    data = np.random.default_rng(0).normal(size=(5, 8))
    omega, note = omega_total(data)
    assert np.isnan(omega) and "n = 5 <= k = 8" in note


# R datasets::ability.cov (Smith & Stanley 1983): covariances of 6 tests, n = 112.
ABILITY = np.array([
    [24.641, 5.991, 33.520, 6.023, 20.755, 29.701],
    [5.991, 6.700, 18.137, 1.782, 4.936, 7.204],
    [33.520, 18.137, 149.831, 19.424, 31.430, 50.753],
    [6.023, 1.782, 19.424, 12.711, 4.757, 9.075],
    [20.755, 4.936, 31.430, 4.757, 52.604, 66.762],
    [29.701, 7.204, 50.753, 9.075, 66.762, 135.292]])
# Eleven answers to five items whose one-factor ML fit has a local optimum away from
# the global one (found by search; the kind of case a single random start gets wrong).
LOCAL = np.array([[4, 2, 3, 3, 4], [1, 3, 3, 1, 3], [5, 5, 5, 6, 5], [4, 4, 2, 4, 3],
                  [3, 3, 1, 3, 4], [0, 3, 3, 2, 4], [2, 4, 4, 4, 2], [6, 3, 4, 2, 2],
                  [4, 2, 4, 5, 1], [2, 3, 2, 3, 3], [1, 1, 2, 5, 2]], dtype=float)


def test_one_factor_fit_equals_r_factanal():
    from peerstudy.reliability import one_factor_ml

    sd = np.sqrt(np.diag(ABILITY))
    fit = one_factor_ml(ABILITY / np.outer(sd, sd))
    # R: fa <- factanal(covmat = ability.cov, factors = 1, control = list(opt = list(factr = 1e3)))
    #    fa$uniquenesses; fa$criteria["objective"]
    assert fit["uniquenesses"] == pytest.approx(
        [0.534598964958, 0.852578971106, 0.74818566252, 0.910127801448, 0.231716114387,
         0.279741104431], rel=1e-6)
    assert fit["objective"] == pytest.approx(0.699345035354, rel=1e-8)
    load, psi = fit["loadings"], fit["uniquenesses"]
    # sum(l)^2 / (sum(l)^2 + sum(psi)) with l <- fa$loadings[, 1] -> 0.783985753766
    assert load.sum() ** 2 / (load.sum() ** 2 + psi.sum()) == pytest.approx(0.783985753766,
                                                                            rel=1e-6)
    assert (load > 0).all()                      # sign-aligned (the factor's sign is arbitrary)


def test_omega_finds_the_global_optimum_and_reports_its_heywood_case():
    from peerstudy.reliability import _fa_minimise, one_factor_ml

    corr = np.corrcoef(LOCAL, rowvar=False)
    k = corr.shape[0]
    # From factanal's default start alone the fit stops at a local optimum.
    # R: factanal(covmat = cor(x), factors = 1, n.obs = 11) -> objective 0.3589362374,
    #    uniquenesses 0.6447 0.7080 0.5318 0.8481 0.9864, omega 0.5927954939
    local = _fa_minimise(corr, np.clip((1 - 0.5 / k) / np.diag(np.linalg.inv(corr)), .005, 1))
    assert local.fun == pytest.approx(0.3589362374, rel=1e-8)
    # All k + 1 starts (R: factanal(..., start = starts)) find a better fit, objective
    # 0.3356736616, where item 2's uniqueness sits at the bound 0.005: a Heywood case.
    fit = one_factor_ml(corr)
    assert fit["objective"] == pytest.approx(0.3356736616, rel=1e-8)
    assert fit["uniquenesses"] == pytest.approx(
        [0.9133776124, 0.005, 0.8505375282, 0.9851070863, 0.7854381113], rel=1e-6)
    omega, note = omega_total(LOCAL, ["i1", "i2", "i3", "i4", "i5"])
    assert np.isnan(omega)
    assert note == ("omega not estimated: Heywood case (uniqueness of i2 at the bound 0.005 "
                    "in the best one-factor fit)")


def test_omega_is_deterministic_and_needs_three_items():
    rng = np.random.default_rng(5)
    data = rng.normal(size=(40, 1)) + rng.normal(size=(40, 6))
    assert omega_total(data) == omega_total(data.copy())
    omega, note = omega_total(data[:, :2])
    assert np.isnan(omega) and "at least 3 items" in note


def test_feldt_interval_equals_psych_alpha_ci():
    # R: x <- psych::alpha.ci(0.8, n.obs = 30, n.var = 6, p.val = 0.05)
    #    sprintf("%.10g", c(x$lower.ci, x$upper.ci)) -> 0.6642866764 0.893217095
    low, high = alpha_ci_feldt(0.8, 30, 6)
    assert (low, high) == pytest.approx((0.6642866764, 0.893217095), rel=1e-9)
