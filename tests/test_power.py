"""The vectorised GLS power engine against statsmodels' MixedLM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerstudy.power import TrialDesign, gls_random_intercept, power, simulate

DESIGN = TrialDesign(sites=3, per_arm_per_site=20, timepoints=4, icc=0.5,
                     retention=(1.0, 0.9, 0.8, 0.7), effect=0.5)


def to_long(y, mask, x, r):
    n, t = y.shape[1:]
    arm = x[:, 0, 1]
    dummies = x[:, 0, 2 * t:]  # site columns follow intercept, arm, T-1 time, T-1 arm x time
    site = np.where(dummies.sum(axis=1) > 0, dummies.argmax(axis=1) + 1, 0)
    rows = [{"y": y[r, i, k], "arm": arm[i], "tp": k, "pid": i, "site": site[i]}
            for i in range(n) for k in range(t) if mask[r, i, k]]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("replicate", [0, 1, 2])
def test_gls_equals_mixedlm_given_mixedlms_variance_estimates(replicate):
    import statsmodels.formula.api as smf

    y, mask, x = simulate(DESIGN, np.random.default_rng(7), 3)
    data = to_long(y, mask, x, replicate)
    fit = smf.mixedlm("y ~ arm * C(tp) + C(site)", data, groups=data["pid"]).fit(reml=True)
    s_b2, s_e2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    beta, se = gls_random_intercept(y[replicate:replicate + 1], mask[replicate:replicate + 1],
                                    x, s_b2, s_e2)
    # same parameters in our column order: arm x last timepoint
    ours = beta[0, 2 * DESIGN.timepoints - 1]
    theirs = fit.fe_params["arm:C(tp)[T.3]"]
    assert ours == pytest.approx(theirs, abs=1e-6)
    assert se[0, 2 * DESIGN.timepoints - 1] == pytest.approx(fit.bse["arm:C(tp)[T.3]"], rel=1e-4)


def test_power_is_alpha_under_the_null_and_rises_with_the_effect():
    null = TrialDesign(**{**DESIGN.__dict__, "effect": 0.0})
    size = power(null, 2000, seed=1)
    assert abs(size["power"] - 0.05) < 3 * size["mc_se"] + 0.005
    assert power(DESIGN, 500, seed=2)["power"] > size["power"] + 0.2
