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
