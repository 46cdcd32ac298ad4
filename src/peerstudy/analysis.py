"""Runs the analysis plan of the config over scores.csv.

Turns each declared comparison into rows of the tidy ``tests.csv`` of the
results contract (one row per test and effect size, signed later minus
earlier and level A minus level B), plus descriptives, reliable change and the
conventions in force. The statistics themselves live in ``peerstudy.stats``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peerstudy.conventions import conventions
from peerstudy.instruments import scales_of
from peerstudy.stats import effsize, nonparametric, parametric
from peerstudy.stats.multiplicity import adjust

TEST_COLUMNS = [
    "site", "group", "instrument", "scale", "test", "factor", "contrast", "timepoint",
    "method", "n", "statistic_name", "statistic", "df1", "df2", "p", "p_adjusted", "family",
    "effect_name", "effect", "ci_low", "ci_high", "mauchly_w", "mauchly_p", "epsilon",
    "z", "mean_difference", "mean_1", "sd_1", "mean_2", "sd_2", "comparison", "note", "se",
]
SORT = ["site", "group", "instrument", "scale", "factor", "test", "contrast", "timepoint",
        "effect_name"]
DESCRIPTIVE_COLUMNS = ["site", "group", "instrument", "scale", "timepoint", "n", "mean", "sd",
                       "median", "q1", "q3", "min", "max"]
RCI_COLUMNS = ["participant_id", "site", "group", "instrument", "scale", "from", "to",
               "change", "rci", "category", "alpha_used", "sd_used"]

def row(**values) -> dict:
    out = dict.fromkeys(TEST_COLUMNS, np.nan)
    out.update(site="all", note="")
    out.update(values)
    return out


def wide_scores(scores: pd.DataFrame, group, instrument, scale, site="all") -> pd.DataFrame:
    sel = scores[(scores["group"] == group) & (scores["instrument"] == instrument)
                 & (scores["scale"] == scale)]
    if site != "all":
        sel = sel[sel["site"] == site]
    return sel.pivot(index="participant_id", columns="timepoint", values="score")


def within_rows(scores: pd.DataFrame, spec: dict, conv: dict, registry: dict) -> list[dict]:
    rows = []
    c = conv["conventions"]
    for instrument in spec["instruments"]:
        for scale in scales_of(spec, instrument, registry):
            wide = wide_scores(scores, spec["group"], instrument, scale)
            wide = wide.reindex(columns=spec["timepoints"])
            base = {"group": spec["group"], "instrument": instrument, "scale": scale,
                    "factor": "timepoint", "family": spec["family"], "comparison": spec["id"]}
            rows += omnibus_rows(wide, spec, base, c)
            for earlier, later in spec["pairs"]:
                pair = wide[[earlier, later]].dropna()
                rows += pair_rows(pair[earlier].to_numpy(), pair[later].to_numpy(), spec,
                                  {**base, "contrast": f"{earlier}-{later}"}, c)
            if spec.get("mixed_model"):
                rows += mixed_rows(wide, spec, base, c)
    return rows


def omnibus_rows(wide: pd.DataFrame, spec: dict, base: dict, c: dict) -> list[dict]:
    rows = []
    tps = spec["timepoints"]
    complete = wide.dropna()
    n, total = len(complete), int(wide.notna().any(axis=1).sum())
    note = f"complete cases: {n} of {total} participants"
    contrast = ",".join(tps)
    if "rm_anova" in spec.get("omnibus", []) and n >= 3:
        res = parametric.rm_anova(complete.to_numpy())
        # one interval per effect size, from the uncorrected df (as R's effectsize)
        cis = {effect: effsize.eta_squared_ci(res[effect], res["df1"], res["df2"],
                                              c["ci_level"])
               for effect in ("partial_eta_sq", "generalized_eta_sq")}
        for test, eps, p in (("rm_anova", np.nan, res["p"]),
                             ("rm_anova_gg", res["eps_gg"], res["p_gg"]),
                             ("rm_anova_hf", res["eps_hf"], res["p_hf"])):
            factor = 1.0 if np.isnan(eps) else eps
            for effect in ("partial_eta_sq", "generalized_eta_sq"):
                low, high = cis[effect]
                rows.append(row(**base, test=test, contrast=contrast, method="F", n=n,
                                statistic_name="F", statistic=res["F"], df1=res["df1"] * factor,
                                df2=res["df2"] * factor, p=p, effect_name=effect,
                                effect=res[effect], ci_low=low, ci_high=high,
                                mauchly_w=res["mauchly_w"], mauchly_p=res["mauchly_p"],
                                epsilon=eps, note=note))
    if "friedman" in spec.get("omnibus", []) and n >= 3:
        res = nonparametric.friedman(complete.to_numpy())
        low, high = effsize.kendall_w_ci(res["chi2"], n, len(tps), c["ci_level"])
        rows.append(row(**base, test="friedman", contrast=contrast, method="asymptotic", n=n,
                        statistic_name="chi2", statistic=res["chi2"], df1=res["df"], p=res["p"],
                        effect_name="kendall_w", effect=res["kendall_w"], ci_low=low,
                        ci_high=high, note=note))
    return rows


def pair_rows(earlier: np.ndarray, later: np.ndarray, spec: dict, base: dict, c: dict):
    rows = []
    n = len(earlier)
    if n < 2:
        return [row(**base, test=t, n=n, note="fewer than 2 complete pairs")
                for t in spec["tests"]]
    change = float(np.mean(later - earlier))
    # the means of the same complete pairs the test used (1 = earlier, 2 = later)
    base = {**base, "mean_1": float(np.mean(earlier)), "sd_1": float(np.std(earlier, ddof=1)),
            "mean_2": float(np.mean(later)), "sd_2": float(np.std(later, ddof=1))}
    if "wilcoxon" in spec["tests"]:
        w = c["wilcoxon"]
        res = nonparametric.wilcoxon(earlier, later, w["method"], w["zero_method"],
                                     w["correction"])
        r, low, high = effsize.rank_biserial_paired(later - earlier, w["zero_method"],
                                                    c["ci_level"])
        rows.append(row(**base, test="wilcoxon", method=res["method"], n=n,
                        statistic_name="V", statistic=res["V"], p=res["p"], z=res["z"],
                        effect_name="rank_biserial", effect=r, ci_low=low, ci_high=high,
                        mean_difference=change,
                        note=f"{n - res['n_nonzero']} zero differences ({w['zero_method']})"))
    if "paired_t" in spec["tests"]:
        res = parametric.paired_t(earlier, later)
        effects = effsize.cohen_d_paired(earlier, later, c["ci_level"])
        for name in c["effect_sizes"]:
            est, low, high = effects[name]
            rows.append(row(**base, test="paired_t", method="t", n=n, statistic_name="t",
                            statistic=res["t"], df1=res["df"], p=res["p"], effect_name=name,
                            effect=est, ci_low=low, ci_high=high, mean_difference=change))
    return rows


def mixed_label(mm: dict) -> str:
    """tests.csv ``method`` of a mixed-model row, e.g. ``REML_satterthwaite``."""
    return f"{mm['estimation']}_{mm['df']}"


def mixed_row_values(res: dict, mm: dict) -> dict:
    """The tests.csv cells of one mixed-model contrast (estimate, its test and CI)."""
    is_z = res["statistic_name"] == "z"
    return {"method": mixed_label(mm), "statistic_name": res["statistic_name"],
            "statistic": res["statistic"], "df1": np.nan if is_z else res["df"],
            "p": res["p"], "z": res["statistic"] if is_z else np.nan,
            "effect_name": "estimate", "effect": res["estimate"], "ci_low": res["ci_low"],
            "ci_high": res["ci_high"], "mean_difference": res["estimate"], "se": res["se"]}


def _fit_note(fit, what: str) -> str:
    return "; ".join([what, *fit.notes])


def mixed_rows(wide: pd.DataFrame, spec: dict, base: dict, c: dict) -> list[dict]:
    """score ~ timepoint + (1 | participant) on all available data; later minus earlier."""
    from peerstudy.stats.mixed import fit_lmm

    long = wide.reset_index().melt(id_vars="participant_id", var_name="timepoint",
                                   value_name="score").dropna()
    if long["participant_id"].nunique() < 3:
        return []
    tps = spec["timepoints"]
    long["timepoint"] = pd.Categorical(long["timepoint"], categories=tps)
    mm = c["mixed_model"]
    n = int(long["participant_id"].nunique())
    pairs = [tuple(p) for p in spec["pairs"]]
    try:
        fit = fit_lmm(long, "score", "timepoint", ["participant_id"], mm["estimation"])
    except ValueError as exc:
        return [row(**base, test="mixed_model", contrast=f"{e}-{lt}", method=mixed_label(mm),
                    n=n, effect_name="estimate", note=str(exc)) for e, lt in pairs]
    rows = []
    for earlier, later in pairs:
        weights = {f"timepoint[T.{tp}]": w for tp, w in ((later, 1.0), (earlier, -1.0))
                   if tp != tps[0]}
        res = fit.contrast(weights, mm["df"], c["ci_level"])
        rows.append(row(**base, test="mixed_model", contrast=f"{earlier}-{later}", n=n,
                        **mixed_row_values(res, mm),
                        note=_fit_note(fit, "all available data")))
    return rows


def arm_rows(scores: pd.DataFrame, spec: dict, conv: dict, registry: dict) -> list[dict]:
    """Arm x time mixed models: arm difference at each timepoint and in change.

    ``score ~ arm * timepoint [+ site] + (1 | participant) [+ (1 | site)]`` on all
    available data, arm B the reference level and the first timepoint the
    reference time, so that arm A minus arm B at timepoint t is
    ``arm[T.A] + arm[T.A]:timepoint[T.t]`` and the difference in change from
    the first timepoint is the interaction ``arm[T.A]:timepoint[T.t]``.
    """
    from peerstudy.stats.mixed import fit_lmm

    rows = []
    c = conv["conventions"]
    mm = c["mixed_model"]
    a, b = spec["arms"]
    tps = spec["timepoints"]
    site_effect = spec.get("site_effect", "fixed")
    fixed = "arm * timepoint" + (" + site" if site_effect == "fixed" else "")
    groups = ["participant_id"] + (["site"] if site_effect == "random" else [])
    site_note = {"fixed": "site as a fixed effect", "random": "site as a random intercept",
                 "none": "no site effect"}[site_effect]
    for instrument in spec["instruments"]:
        for scale in scales_of(spec, instrument, registry):
            sel = scores[(scores["instrument"] == instrument) & (scores["scale"] == scale)
                         & scores["group"].isin(spec["arms"])
                         & scores["timepoint"].isin(tps)].dropna(subset=["score"])
            data = sel.assign(arm=pd.Categorical(sel["group"], categories=[b, a]),
                              timepoint=pd.Categorical(sel["timepoint"], categories=tps),
                              site=pd.Categorical(sel["site"], categories=sorted(
                                  sel["site"].unique())))
            n = int(data["participant_id"].nunique())
            common = {"group": "all", "instrument": instrument, "scale": scale, "factor": "arm",
                      "contrast": f"{a}-{b}", "n": n, "family": spec["family"],
                      "comparison": spec["id"]}
            try:
                fit = fit_lmm(data, "score", fixed, groups, mm["estimation"])
            except ValueError as exc:
                rows.append(row(**common, test="mixed_model", timepoint=tps[-1],
                                method=mixed_label(mm), effect_name="estimate", note=str(exc)))
                continue
            note = _fit_note(fit, f"arm x time, {site_note}, all available data")
            for i, tp in enumerate(tps):
                for kind in ("mixed_model", "mixed_model_change"):
                    if kind == "mixed_model_change" and i == 0:
                        continue
                    weights = {f"arm[T.{a}]": 1.0} if kind == "mixed_model" else {}
                    if i:
                        weights[f"arm[T.{a}]:timepoint[T.{tp}]"] = 1.0
                    res = fit.contrast(weights, mm["df"], c["ci_level"])
                    when = tp if kind == "mixed_model" else f"{tps[0]}-{tp}"
                    rows.append(row(**common, test=kind, timepoint=when,
                                    **mixed_row_values(res, mm), note=note))
    return rows


def independent_rows(a, b, base: dict, c: dict) -> list[dict]:
    a, b = np.asarray(a, float), np.asarray(b, float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return [row(**base, test="mann_whitney", n=len(a) + len(b),
                    note=f"too few to compare (n = {len(a)} and {len(b)})")]
    mw = c["mann_whitney"]
    base = {**base, "mean_1": float(a.mean()), "sd_1": float(a.std(ddof=1)),
            "mean_2": float(b.mean()), "sd_2": float(b.std(ddof=1))}
    res = nonparametric.mann_whitney(a, b, mw["method"], mw["correction"])
    r, low, high = effsize.rank_biserial_independent(res["U"], len(a), len(b), c["ci_level"])
    return [row(**base, test="mann_whitney", method=res["method"], n=len(a) + len(b),
                statistic_name="U", statistic=res["U"], p=res["p"], z=res["z"],
                effect_name="rank_biserial", effect=r, ci_low=low, ci_high=high,
                mean_difference=float(a.mean() - b.mean()),
                note=f"n = {len(a)} vs {len(b)}")]


def between_rows(scores: pd.DataFrame, spec: dict, conv: dict, registry: dict) -> list[dict]:
    rows = []
    c = conv["conventions"]
    level_a, level_b = spec["levels"]
    factor = spec["factor"]
    strata = spec.get("within_groups", ["all"])
    at = scores[scores["timepoint"] == spec["timepoint"]]
    for stratum in strata:
        pool = at if stratum == "all" else at[at["group"] == stratum]
        for instrument in spec["instruments"]:
            if instrument not in set(pool["instrument"]):
                continue
            for scale in scales_of(spec, instrument, registry):
                sel = pool[(pool["instrument"] == instrument) & (pool["scale"] == scale)]
                base = {"group": stratum, "instrument": instrument, "scale": scale,
                        "factor": spec.get("factor_label", factor),
                        "contrast": f"{level_a}-{level_b}",
                        "timepoint": spec["timepoint"], "family": spec["family"],
                        "comparison": spec["id"]}
                rows += independent_rows(sel.loc[sel[factor] == level_a, "score"],
                                         sel.loc[sel[factor] == level_b, "score"], base, c)
    return rows


def attrition_rows(scores, participants, spec, conv, config) -> list[dict]:
    """Completers (seen at the group's last timepoint) vs drop-outs, at baseline."""
    from peerstudy.config import scheduled_timepoints

    rows = []
    c = conv["conventions"]
    tp = spec["timepoint"]
    for group in [g["id"] for g in config["groups"]]:
        last = scheduled_timepoints(config, group)[-1]
        people = participants[participants["group"] == group]
        completer = people.set_index("participant_id")[f"attended_{last}"].astype("boolean")
        if completer.all() or not completer.any():
            continue
        at = scores[(scores["group"] == group) & (scores["timepoint"] == tp)]
        for (instrument, scale), sel in at.groupby(["instrument", "scale"], sort=True):
            status = sel["participant_id"].map(completer)
            base = {"group": group, "instrument": instrument, "scale": scale,
                    "factor": "completion", "contrast": "completer-dropout", "timepoint": tp,
                    "family": spec["family"], "comparison": "attrition"}
            rows += independent_rows(sel.loc[status == True, "score"],  # noqa: E712
                                     sel.loc[status == False, "score"], base, c)  # noqa: E712
    return rows


def categorical_rows(participants: pd.DataFrame, spec: dict, conv: dict, levels) -> list[dict]:
    rows = []
    c = conv["conventions"]
    for variable in spec["variables"]:
        data = participants[[spec["factor"], variable]].dropna()
        table = pd.crosstab(data[spec["factor"]], data[variable]).reindex(levels).dropna()
        base = {"group": "all", "instrument": "demographics", "scale": variable,
                "factor": spec["factor"], "contrast": ",".join(table.index),
                "family": spec["family"], "comparison": spec["id"],
                "n": int(table.to_numpy().sum())}
        res = nonparametric.chi_square(table.to_numpy(), c["chi_square"]["correction"])
        v = effsize.cramers_v(res["chi2"], base["n"], table.shape)
        low, high = effsize.cramers_v_ci(res["chi2"], base["n"], table.shape, c["ci_level"])
        note = f"smallest expected count {res['min_expected']:.2f}"
        rows.append(row(**base, test="chi_square", method=res["method"], statistic_name="chi2",
                        statistic=res["chi2"], df1=res["df"], p=res["p"], effect_name="cramers_v",
                        effect=v, ci_low=low, ci_high=high, note=note))
        if c["fisher_for_2x2"] and table.shape == (2, 2):
            fe = nonparametric.fisher_exact(table.to_numpy(), c["ci_level"])
            rows.append(row(**base, test="fisher_exact", method="exact",
                            statistic_name="odds_ratio", statistic=fe["odds_ratio"], p=fe["p"],
                            effect_name="odds_ratio", effect=fe["odds_ratio"],
                            ci_low=fe["ci_low"], ci_high=fe["ci_high"],
                            note="conditional maximum-likelihood odds ratio (as R's fisher.test)"))
    return rows


def adjust_families(tests: pd.DataFrame, method: str, by_family: dict | None = None
                    ) -> pd.Series:
    """Adjust p within (family, test); effect-size rows of one test share their p.

    ``by_family`` gives some families their own method (``multiplicity.families``)."""
    ident = ["site", "group", "instrument", "scale", "test", "factor", "contrast", "timepoint"]
    key = pd.Series(["|".join(map(str, r)) for r in tests[ident].itertuples(index=False)],
                    index=tests.index, dtype=object)
    out = pd.Series(np.nan, index=tests.index)
    for (fam, _), block in tests.groupby(["family", "test"], sort=True):
        unique = block.assign(_key=key[block.index]).drop_duplicates("_key")
        adjusted = adjust(unique["p"].to_numpy(), (by_family or {}).get(fam, method))
        lookup = dict(zip(unique["_key"], adjusted, strict=True))
        out[block.index] = key[block.index].map(lookup)
    return out


def run_tests(scores, participants, config: dict, registry: dict,
              imputations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every row of tests.csv the plan declares; ``imputations`` are the completed data
    sets of a trial's multiple-imputation sensitivity analysis (``peerstudy.trial``)."""
    analysis = config["analysis"]
    conv = conventions(analysis)
    rows = []
    for spec in analysis.get("within", []):
        rows += within_rows(scores, spec, conv, registry)
    for spec in analysis.get("between", []):
        rows += between_rows(scores, spec, conv, registry)
    for spec in analysis.get("arm_models", []):
        rows += arm_rows(scores, spec, conv, registry)
    if analysis.get("attrition"):
        rows += attrition_rows(scores, participants, analysis["attrition"], conv, config)
    levels = [g["id"] for g in config["groups"]]
    for spec in analysis.get("categorical", []):
        rows += categorical_rows(participants, spec, conv, levels)
    if analysis.get("trial"):
        from peerstudy.trial import trial_rows

        rows += trial_rows(scores, participants, config, imputations)
    tests = pd.DataFrame(rows, columns=TEST_COLUMNS)
    tests["p_adjusted"] = adjust_families(tests, conv["multiplicity"]["method"],
                                          conv["multiplicity"]["by_family"])
    tests = tests.sort_values(SORT, kind="mergesort", na_position="first")
    return tests.reset_index(drop=True)


def descriptives(scores: pd.DataFrame, quantiles: str = "weibull") -> pd.DataFrame:
    """n, mean, SD, median, quartiles, min, max per site (and pooled 'all')."""
    keys = ["group", "instrument", "scale", "timepoint"]
    frames = [scores.assign(site="all"), scores]
    data = pd.concat(frames, ignore_index=True).dropna(subset=["score"])
    rows = []
    for key, block in data.groupby(["site", *keys], sort=True):
        x = block["score"].to_numpy(float)
        q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75], method=quantiles)
        rows.append(dict(zip(["site", *keys], key, strict=True)) | {
            "n": len(x), "mean": x.mean(), "sd": x.std(ddof=1) if len(x) > 1 else np.nan,
            "median": med, "q1": q1, "q3": q3, "min": x.min(), "max": x.max()})
    return pd.DataFrame(rows, columns=DESCRIPTIVE_COLUMNS)


def reliable_change(scores, reliability, analysis: dict, registry: dict,
                    z_crit: float = 1.96) -> pd.DataFrame:
    """Jacobson-Truax RCI per person for each pair of every within comparison with rci: true."""
    frames = []
    rel = reliability.set_index(["group", "instrument", "scale", "timepoint"])["alpha"]
    sites = scores.drop_duplicates("participant_id").set_index("participant_id")["site"]
    for spec in analysis.get("within", []):
        if not spec.get("rci"):
            continue
        for instrument in spec["instruments"]:
            for scale in scales_of(spec, instrument, registry):
                better_up = registry[instrument].scales[scale].higher_is_better
                wide = wide_scores(scores, spec["group"], instrument, scale)
                for earlier, later in spec["pairs"]:
                    alpha = rel.get((spec["group"], instrument, scale, earlier), np.nan)
                    sd = wide[earlier].std(ddof=1)
                    s_diff = np.sqrt(2) * sd * np.sqrt(1 - alpha) if alpha < 1 else np.nan
                    pair = wide[[earlier, later]].dropna()
                    # one array operation per pair of timepoints (the same float operations
                    # as person by person)
                    change = pair[later].to_numpy() - pair[earlier].to_numpy()
                    rci = (change / s_diff if s_diff and np.isfinite(s_diff)
                           else np.full(len(change), np.nan))
                    frames.append(pd.DataFrame({
                        "participant_id": pair.index, "site": sites.reindex(pair.index).to_numpy(),
                        "group": spec["group"], "instrument": instrument, "scale": scale,
                        "from": earlier, "to": later, "change": change, "rci": rci,
                        "category": [_category(r, c, better_up, z_crit)
                                     for r, c in zip(rci, change, strict=True)],
                        "alpha_used": alpha, "sd_used": sd}))
    frames = [f for f in frames if len(f)]
    out = (pd.concat(frames, ignore_index=True)[RCI_COLUMNS] if frames
           else pd.DataFrame(columns=RCI_COLUMNS))
    return out.sort_values(["group", "instrument", "scale", "from", "to", "participant_id"],
                           kind="mergesort").reset_index(drop=True)


def _category(rci, change, better_up, z_crit) -> str:
    if not np.isfinite(rci):
        return ""
    if abs(rci) <= z_crit:
        return "unchanged"
    if better_up is None:
        return "increased" if change > 0 else "decreased"
    return "improved" if (change > 0) == better_up else "deteriorated"


DEMOGRAPHIC_COLUMNS = ["group", "variable", "level", "n", "group_n", "percent"]


def demographics(participants: pd.DataFrame, variables: list[str], groups: list[str]):
    """Counts and percentages per group (and 'all') for each baseline variable.

    The group sizes themselves are the rows with variable 'enrolled'.
    """
    rows = []
    total = len(participants)
    for group in [*groups, "all"]:
        people = participants if group == "all" else participants[participants["group"] == group]
        n = len(people)
        rows.append({"group": group, "variable": "enrolled", "level": "all", "n": n,
                     "group_n": total, "percent": 100 * n / total})
        for var in variables:
            counts = people[var].fillna("not recorded").value_counts()
            for level, k in sorted(counts.items()):
                rows.append({"group": group, "variable": var, "level": level, "n": int(k),
                             "group_n": n, "percent": 100 * k / n})
    return pd.DataFrame(rows, columns=DEMOGRAPHIC_COLUMNS)


def rci_summary(rci: pd.DataFrame) -> pd.DataFrame:
    """Participants per reliable-change category for each scale and pair."""
    keys = ["group", "instrument", "scale", "from", "to"]
    cats = ["improved", "unchanged", "deteriorated"]
    table = rci[rci["category"].isin(cats)].groupby(keys)["category"].value_counts()
    table = table.unstack(fill_value=0).reindex(columns=cats, fill_value=0)
    table["n"] = table.sum(axis=1)
    return table.reset_index()
