"""Power of the planned arm x time mixed model for a multi-site trial, by simulation.

Each simulated trial is analysed as the study would analyse it: score ~ arm *
time + site + (1 | participant), fitted by REML (or ML) with the engine of
``peerstudy.stats.mixed`` -- the one that writes the mixed-model rows of
tests.csv -- and the arm x last-timepoint contrast tested with the study's
df convention (Satterthwaite t or Wald z). The engine fits a whole batch of
replicates at once (their sums per participant, grouped by how many
timepoints each person was seen), so the variance components are estimated
in every replicate rather than assumed known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MC_LEVEL = 0.95   # the Monte-Carlo interval drawn around each simulated power
TARGET_POWER = 0.80   # the conventional target power, the dashed line of the power curve


@dataclass(frozen=True)
class TrialDesign:
    sites: int
    per_arm_per_site: int
    timepoints: int
    icc: float                      # between-person share of the outcome's variance
    retention: tuple[float, ...]    # share still observed at each timepoint (first = 1)
    effect: float                   # arm difference in change by the last timepoint, in SD
    site_sd: float = 0.2            # SD of site means (fixed effects in the analysis)

    @property
    def n(self) -> int:
        return 2 * self.sites * self.per_arm_per_site


def design_matrix(d: TrialDesign) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n, T, p) for intercept, arm, time, arm x time, site; plus arm and site per person."""
    arm = np.tile(np.repeat([1.0, 0.0], d.per_arm_per_site), d.sites)
    site = np.repeat(np.arange(d.sites), 2 * d.per_arm_per_site)
    t_dum = np.eye(d.timepoints)[:, 1:]                                   # (T, T-1)
    cols = [np.ones((d.n, d.timepoints)), np.repeat(arm[:, None], d.timepoints, 1)]
    cols += [np.broadcast_to(t_dum[:, j], (d.n, d.timepoints)) for j in range(d.timepoints - 1)]
    cols += [arm[:, None] * t_dum[:, j] for j in range(d.timepoints - 1)]
    cols += [np.repeat((site == s).astype(float)[:, None], d.timepoints, 1)
             for s in range(1, d.sites)]
    return np.stack(cols, axis=-1), arm, site


def simulate(d: TrialDesign, rng: np.random.Generator, replicates: int):
    """Outcomes y (R, n, T) and observed mask (R, n, T) with monotone drop-out."""
    x, arm, site = design_matrix(d)
    s_b, s_e = np.sqrt(d.icc), np.sqrt(1 - d.icc)
    growth = np.linspace(0, 1, d.timepoints)
    site_mean = rng.normal(0, d.site_sd, (replicates, d.sites))[:, site]           # (R, n)
    mean = site_mean[:, :, None] + d.effect * arm[None, :, None] * growth[None, None, :]
    y = mean + s_b * rng.normal(size=(replicates, d.n, 1)) \
        + s_e * rng.normal(size=(replicates, d.n, d.timepoints))
    last_seen = np.searchsorted(-np.asarray(d.retention), -rng.random((replicates, d.n)),
                                side="left") - 1
    mask = np.arange(d.timepoints)[None, None, :] <= last_seen[:, :, None]
    return y, mask, x


def fit_replicates(y, mask, x, estimation: str = "REML", df: str = "satterthwaite",
                   level: float = 0.95) -> list[dict]:
    """Fit the planned model to every replicate; the arm x last-timepoint contrast of each.

    ``y`` and ``mask`` are (R, n, T), ``x`` is (n, T, p) as :func:`simulate`
    returns them. Returns one dict per replicate as ``MixedFit.contrast``.
    """
    from peerstudy.stats.mixed import fit_batch

    r, n, t = y.shape
    people = np.repeat(np.arange(n), t)
    fits = fit_batch(x.reshape(n * t, -1), y.reshape(r, n * t), mask.reshape(r, n * t),
                     [people], estimation, satterthwaite=df == "satterthwaite")
    vec = np.zeros(x.shape[-1])
    vec[2 * t - 1] = 1.0  # arm x last timepoint (column order of design_matrix)
    return [f.contrast(vec, df, level) for f in fits]


def power(d: TrialDesign, replicates: int, seed: int, alpha: float = 0.05,
          chunk: int = 100, estimation: str = "REML", df: str = "satterthwaite") -> dict:
    """Share of replicates whose arm x last-timepoint contrast has p < alpha (two-sided)."""
    rng = np.random.default_rng(seed)
    hits, done = 0, 0
    while done < replicates:
        r = min(chunk, replicates - done)
        y, mask, x = simulate(d, rng, r)
        hits += sum(res["p"] < alpha for res in fit_replicates(y, mask, x, estimation, df))
        done += r
    p = hits / replicates
    return {"power": p, "mc_se": float(np.sqrt(p * (1 - p) / replicates)),
            "replicates": replicates}


def power_curve(base: dict, effects: list[float], sizes: list[int], replicates: int,
                seed: int, alpha: float, estimation: str = "REML",
                df: str = "satterthwaite") -> pd.DataFrame:
    """Power for each effect size x participants per arm per site."""
    rows = []
    for i, per in enumerate(sizes):
        for j, effect in enumerate(effects):
            d = TrialDesign(per_arm_per_site=per, effect=effect, **base)
            res = power(d, replicates, seed + 1000 * i + j, alpha, estimation=estimation, df=df)
            rows.append({"per_arm_per_site": per, "participants": d.n, "effect_sd": effect,
                         **res})
    return pd.DataFrame(rows)


def report_markdown(table: pd.DataFrame, spec: dict, figure: str, estimation: str = "REML",
                    df: str = "satterthwaite") -> str:
    """The small power report: design, method, table and figure."""
    test = ("t test with Satterthwaite's degrees of freedom" if df == "satterthwaite"
            else "Wald z test")
    alpha = f"{spec['alpha']:g}".lstrip("0")
    lines = [
        "---", "title: Simulated power of an arm × time comparison", "lang: en", "---", "",
        f"Design: {spec['sites']} sites, two arms, {spec['timepoints']} timepoints, "
        f"intraclass correlation {spec['icc']}, retention by timepoint "
        f"{', '.join(str(r) for r in spec['retention'])}, SD of site means {spec['site_sd']}. "
        "Analysis of each simulated trial: score ~ arm × time + site + (1 | participant), "
        "with site as a fixed effect; this is an approximation, not the study's "
        "baseline-adjusted primary model. The arm × last-timepoint contrast is tested "
        f"two-sided at α = {alpha}. Each cell is "
        f"{spec['replicates']} simulated trials (seed {spec['seed']}), each fitted by "
        f"{estimation} with the study's own mixed-model engine (`peerstudy.stats.mixed`) and "
        f"the contrast tested by a {test}, the engine and test of the study's analyses.", "",
        "| Participants | Effect (SD) | Power | Monte Carlo SE |", "|--:|--:|--:|--:|"]
    for r in table.itertuples():
        lines.append(f"| {r.participants} | {r.effect_sd:.2f} | {r.power:.3f} | {r.mc_se:.3f} |")
    lines += ["", f"![Power curve: power against effect size per trial size.]({figure})", ""]
    return "\n".join(lines)
