"""A two-arm randomised trial: its participant flow and its analysis plan.

``analysis.trial`` in the config declares the trial's arms, baseline, follow-ups,
primary endpoint and outcomes. From it this module builds:

- the screening log's table (``read_screening``) and the CONSORT 2010 participant
  flow by arm (``consort_flow``), from participants.csv, the screening log and the
  scores the primary analysis can use;
- the rows of tests.csv for every outcome (``trial_rows``): a linear mixed model of
  the follow-up scores with arm x time, adjusted for the baseline score, random
  intercepts for participant and (from enough sites) site; the arm difference at
  each follow-up with a standardised effect; the arm x time interaction; the
  complete-case and multiple-imputation sensitivity analyses; the variance components
  of each outcome's model (with intraclass correlations); the arm difference at the
  endpoint by site with a likelihood-ratio test of arm x site (exploratory); and the
  exploratory association of the peer workers' fidelity with the primary outcome;
- the imputed data sets of the multiple-imputation analysis (``impute_outcomes``).

The model engine is ``peerstudy.stats.mixed`` (equal to lme4/lmerTest); the
pooling is ``peerstudy.stats.mi.rubin_pool`` (equal to mice::pool.scalar).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from peerstudy.errors import DataError

SCREENING_COLUMNS = ["screening_no", "site", "outcome", "participant_id"]
CONSORT_COLUMNS = ["step", "stage", "arm", "timepoint", "reason", "n"]
IMPUTATION_COLUMNS = ["instrument", "scale", "imputation", "participant_id", "site", "group",
                      "timepoint", "score", "imputed"]
MISSED = "missed the assessment, seen again later"
NOT_RECORDED = "reason not recorded"


# ---- design -----------------------------------------------------------------------------

def outcomes(spec: dict, role: str | None = None) -> list[dict]:
    """The declared outcomes, optionally of one role, in the plan's order."""
    return [o for o in spec["outcomes"] if role is None or o["role"] == role]


def primary_outcome(spec: dict) -> dict:
    return outcomes(spec, "primary")[0]


def site_model(spec: dict, n_sites: int, conv: dict) -> str:
    """'random', 'fixed' or 'none': the declared site effect, or by the number of sites
    when declared 'auto' (random from ``conventions.trial.random_site_min_sites`` up)."""
    choice = spec.get("site_effect", "auto")
    if choice != "auto":
        return choice
    if n_sites < 2:
        return "none"
    return "random" if n_sites >= conv["trial"]["random_site_min_sites"] else "fixed"


def site_note(model: str, n_sites: int, conv: dict) -> str:
    least = conv["trial"]["random_site_min_sites"]
    return {"random": f"site as a random intercept ({n_sites} sites, at least {least})",
            "fixed": f"site as a fixed effect ({n_sites} sites, fewer than {least})",
            "none": "no site effect"}[model]


def family_of(spec: dict, role: str, timepoint: str) -> str:
    """Primary or secondary family at the primary endpoint; supportive elsewhere."""
    if timepoint == spec["primary_endpoint"]:
        return spec["families"][role]
    return spec["families"]["supportive"]


# ---- screening and participant flow ------------------------------------------------------

def read_screening(config: dict, participants: pd.DataFrame, base: Path = Path(".")):
    """The screening log as a table (no identifiers), checked against the participants.

    Every randomised row names a participant of the trial's arms, at the same site,
    once; every participant of the arms is in the log as randomised; a row that was
    not randomised names no participant. Returns ``(table, issues)``; anything else
    stops with the file, row and column.
    """
    from peerstudy.columns import (
        blank_rows,
        code_text,
        decode,
        issue,
        log_identifiers,
        read_export,
        require_columns,
    )

    spec = config["trial"]["screening"]
    arms = config["analysis"]["trial"]["arms"]
    export = read_export(spec, base)
    needed = {spec["id_column"]: "screening number", spec["outcome"]["column"]:
              "outcome of the eligibility assessment", spec["participant_column"]:
              "participant id of the randomised"}
    if not isinstance(spec["site"], str):
        needed[spec["site"]["column"]] = "site code"
    require_columns(export, needed)
    issues: list[dict] = []
    log_identifiers(export, issues, set())
    blank = blank_rows(export)
    for row in np.flatnonzero(blank):
        issues.append(issue(export.path, int(row) + 1, None, None, None, "", "blank_row",
                            "row excluded (every cell empty)"))
    rows = np.flatnonzero(~blank)
    numbers = code_text(export, spec["id_column"])
    sites = decode(export, spec["site"], "site", rows)
    outcome = decode(export, spec["outcome"], "screening outcome", rows)
    pids = code_text(export, spec["participant_column"])
    roster = participants[participants["group"].isin(arms)].set_index("participant_id")
    seen: dict[str, int] = {}
    col = spec["participant_column"]
    for row in rows:
        pid = pids[row]
        if outcome[row] != "randomised":
            if pid is not None:
                raise DataError(f"{export.where(row, col)}: participant {pid} is listed, but the "
                                f"outcome is '{outcome[row]}', not randomised — correct the "
                                "outcome code or remove the id.")
            continue
        if pid is None:
            raise DataError(f"{export.where(row, col)}: a randomised row without a participant "
                            "id — fill in the trial id the randomisation gave.")
        if pid not in roster.index:
            raise DataError(f"{export.where(row, col)}: participant {pid} was randomised here but "
                            f"is not in the trial's arms ({', '.join(arms)}) in the participants "
                            "file — correct the id.")
        if pid in seen:
            raise DataError(f"{export.where(row, col)}: participant {pid} is randomised twice "
                            f"(also row {seen[pid] + 1}) — each participant once.")
        if roster.at[pid, "site"] != sites[row]:
            raise DataError(f"{export.where(row, col)}: participant {pid} was screened at "
                            f"'{sites[row]}' but belongs to site '{roster.at[pid, 'site']}' in "
                            "the participants file — correct one of them.")
        seen[pid] = row
    missing = sorted(set(roster.index) - set(seen))
    if missing:
        raise DataError(f"{export.path}: {len(missing)} randomised participant(s) are not in "
                        f"the screening log (e.g. {', '.join(missing[:5])}) — add their "
                        "screening rows.")
    table = pd.DataFrame({"screening_no": numbers[rows], "site": sites[rows],
                          "outcome": outcome[rows], "participant_id": pids[rows]},
                         columns=SCREENING_COLUMNS)
    return table.sort_values("screening_no", kind="mergesort").reset_index(drop=True), issues


def analysed_ids(scores: pd.DataFrame, spec: dict, outcome: dict) -> tuple[set, set]:
    """(analysed, followed up without a baseline score): participants of the arms whose
    scores on ``outcome`` enter the primary model (a baseline score and at least one
    follow-up score)."""
    sel = scores[(scores["instrument"] == outcome["instrument"])
                 & (scores["scale"] == outcome["scale"]) & scores["group"].isin(spec["arms"])
                 & scores["score"].notna()]
    base = set(sel.loc[sel["timepoint"] == spec["baseline"], "participant_id"])
    later = set(sel.loc[sel["timepoint"].isin(spec["follow_up"]), "participant_id"])
    return base & later, later - base


def consort_flow(participants: pd.DataFrame, screening: pd.DataFrame | None,
                 scores: pd.DataFrame, config: dict) -> pd.DataFrame:
    """The CONSORT 2010 flow by arm, one row per box and reason.

    Stages, in order: assessed for eligibility, excluded (by reason), randomised;
    per arm: allocated, received the allocated intervention, did not receive it (by
    reason), assessed at each follow-up and not assessed there (by reason: the
    recorded drop-out reason, or a missed assessment when the participant was seen
    again later), analysed in the primary model (a modified intention-to-treat
    population: as randomised, with a baseline and at least one follow-up score of the
    primary outcome) and excluded from it (by reason). ``n`` counts participants;
    ``reason`` is 'all' on totals.
    """
    spec = config["analysis"]["trial"]
    arms = spec["arms"]
    people = participants[participants["group"].isin(arms)]
    rows: list[tuple] = []
    pf = config.get("participants_file", {})
    order = [*config.get("trial", {}).get("screening", {}).get("outcome", {}).get(
                 "values", {}).values(),
             *pf.get("trial", {}).get("received", {}).get("values", {}).values(),
             *pf.get("dropout_reason", {}).get("values", {}).values(), MISSED, NOT_RECORDED]

    def add(stage, arm, n, reason="all", timepoint=""):
        rows.append((len(rows) + 1, stage, arm, timepoint, reason, int(n)))

    def by_reason(counts: pd.Series):
        """Reasons in the order the config declares them (as a flow diagram lists them)."""
        rank = {r: i for i, r in enumerate(order)}
        return sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))

    if screening is not None:
        add("assessed", "all", len(screening))
        excluded = screening[screening["outcome"] != "randomised"]
        add("excluded", "all", len(excluded))
        for reason, n in by_reason(excluded["outcome"].value_counts()):
            add("excluded", "all", n, reason)
    add("randomised", "all", len(people))
    primary = primary_outcome(spec)
    analysed, no_base = analysed_ids(scores, spec, primary)
    for arm in arms:
        mine = people[people["group"] == arm]
        add("allocated", arm, len(mine))
        if "received" in mine:
            got = mine["received"].fillna(NOT_RECORDED)
            yes = got == "received allocated intervention"
            add("received", arm, yes.sum())
            add("not_received", arm, (~yes).sum())
            for reason, n in by_reason(got[~yes].value_counts()):
                add("not_received", arm, n, reason)
        for i, tp in enumerate(spec["follow_up"]):
            seen = mine[f"attended_{tp}"].astype("boolean").fillna(False)
            add("followed_up", arm, seen.sum(), timepoint=tp)
            later = [f"attended_{t}" for t in spec["follow_up"][i + 1:]]
            back = (mine[later].astype("boolean").fillna(False).any(axis=1) if later
                    else pd.Series(False, index=mine.index))
            recorded = mine.get("dropout_reason", pd.Series(None, index=mine.index))
            why = np.where(back, MISSED, recorded.fillna(NOT_RECORDED))
            lost = pd.Series(why[~seen.to_numpy()], dtype=object)
            add("lost", arm, len(lost), timepoint=tp)
            for reason, n in by_reason(lost.value_counts()):
                add("lost", arm, n, reason, tp)
        ids = set(mine["participant_id"])
        add("analysed", arm, len(ids & analysed))
        add("excluded_from_analysis", arm, len(ids - analysed))
        for reason, group in (("no baseline score of the primary outcome", no_base),
                              ("no follow-up score of the primary outcome",
                               ids - analysed - no_base)):
            n = len(ids & group)
            if n:
                add("excluded_from_analysis", arm, n, reason)
    return pd.DataFrame(rows, columns=CONSORT_COLUMNS)


def check_flow(flow: pd.DataFrame) -> list[str]:
    """The CONSORT boxes add up: a list of what does not (empty when all is well)."""
    problems = []

    def total(stage, arm="all", timepoint=""):
        sel = flow[(flow["stage"] == stage) & (flow["arm"] == arm) & (flow["reason"] == "all")
                   & (flow["timepoint"].fillna("") == timepoint)]
        return int(sel["n"].sum())

    def reasons(stage, arm="all", timepoint=""):
        sel = flow[(flow["stage"] == stage) & (flow["arm"] == arm) & (flow["reason"] != "all")
                   & (flow["timepoint"].fillna("") == timepoint)]
        return int(sel["n"].sum())

    def same(a, b, what):
        if a != b:
            problems.append(f"{what}: {a} != {b}")

    arms = [a for a in dict.fromkeys(flow["arm"]) if a != "all"]
    if (flow["stage"] == "assessed").any():
        same(total("assessed"), total("excluded") + total("randomised"),
             "assessed = excluded + randomised")
        same(total("excluded"), reasons("excluded"), "excluded = sum of its reasons")
    same(total("randomised"), sum(total("allocated", a) for a in arms),
         "randomised = sum of allocated")
    for arm in arms:
        alloc = total("allocated", arm)
        if (flow["stage"] == "received").any():
            same(alloc, total("received", arm) + total("not_received", arm),
                 f"{arm}: allocated = received + not received")
            same(total("not_received", arm), reasons("not_received", arm),
                 f"{arm}: not received = sum of its reasons")
        for tp in sorted(set(flow.loc[flow["stage"] == "lost", "timepoint"])):
            same(alloc, total("followed_up", arm, tp) + total("lost", arm, tp),
                 f"{arm} at {tp}: allocated = followed up + lost")
            same(total("lost", arm, tp), reasons("lost", arm, tp),
                 f"{arm} at {tp}: lost = sum of its reasons")
        same(alloc, total("analysed", arm) + total("excluded_from_analysis", arm),
             f"{arm}: allocated = analysed + excluded from analysis")
        same(total("excluded_from_analysis", arm), reasons("excluded_from_analysis", arm),
             f"{arm}: excluded from analysis = sum of its reasons")
    return problems


# ---- the model ---------------------------------------------------------------------------

def outcome_wide(scores: pd.DataFrame, spec: dict, instrument: str, scale: str) -> pd.DataFrame:
    """One row per participant of the arms: site, arm and the outcome at each timepoint."""
    tps = [spec["baseline"], *spec["follow_up"]]
    sel = scores[(scores["instrument"] == instrument) & (scores["scale"] == scale)
                 & scores["group"].isin(spec["arms"]) & scores["timepoint"].isin(tps)]
    wide = sel.pivot(index="participant_id", columns="timepoint", values="score")
    wide = wide.reindex(columns=tps)
    who = sel.drop_duplicates("participant_id").set_index("participant_id")[["site", "group"]]
    return who.join(wide).sort_index()


def model_data(wide: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """Long follow-up rows with the baseline score as a covariate (rows without the
    outcome or without a baseline score are left out, as the model cannot use them)."""
    control, intervention = spec["arms"][1], spec["arms"][0]
    frames = []
    for tp in spec["follow_up"]:
        part = pd.DataFrame({"participant_id": wide.index, "site": wide["site"].to_numpy(),
                             "group": wide["group"].to_numpy(), "time": tp,
                             "baseline": wide[spec["baseline"]].to_numpy(float),
                             "score": wide[tp].to_numpy(float)})
        frames.append(part)
    long = pd.concat(frames, ignore_index=True).dropna(subset=["baseline", "score"])
    long["arm"] = pd.Categorical(long["group"], categories=[control, intervention])
    long["time"] = pd.Categorical(long["time"], categories=list(spec["follow_up"]))
    long["site"] = pd.Categorical(long["site"], categories=sorted(long["site"].unique()))
    return long.sort_values(["participant_id", "time"], kind="mergesort").reset_index(drop=True)


def model_terms(model: str) -> tuple[str, list[str]]:
    """The fixed part and the grouping factors of the trial model."""
    fixed = "baseline + arm * time" + (" + site" if model == "fixed" else "")
    return fixed, ["participant_id"] + (["site"] if model == "random" else [])


def fit_trial(long: pd.DataFrame, model: str, estimation: str):
    from peerstudy.stats.mixed import fit_lmm

    fixed, groups = model_terms(model)
    return fit_lmm(long, "score", fixed, groups, estimation)


def contrast_weights(spec: dict, tp: str, kind: str) -> dict:
    """``difference``: intervention minus control at follow-up ``tp``; ``interaction``:
    that difference at ``tp`` minus the one at the first follow-up."""
    a = spec["arms"][0]
    first = spec["follow_up"][0]
    if kind == "interaction":
        return {f"arm[T.{a}]:time[T.{tp}]": 1.0}
    weights = {f"arm[T.{a}]": 1.0}
    if tp != first:
        weights[f"arm[T.{a}]:time[T.{tp}]"] = 1.0
    return weights


# ---- rows of tests.csv -------------------------------------------------------------------

def _row(**values) -> dict:
    from peerstudy.analysis import row

    return row(**values)


def _values(res: dict, mm: dict) -> dict:
    from peerstudy.analysis import mixed_row_values

    return mixed_row_values(res, mm)


def baseline_sd(wide: pd.DataFrame, spec: dict) -> float:
    """SD (n - 1) of the outcome at baseline, both arms pooled: the standardiser."""
    return float(wide[spec["baseline"]].dropna().std(ddof=1))


def _smd_row(base: dict, res: dict, mm: dict, sd: float) -> dict:
    scaled = {k: res[k] / sd for k in ("estimate", "ci_low", "ci_high")}
    values = _values(res, mm)
    values.update(effect_name="smd_baseline_sd", effect=scaled["estimate"],
                  ci_low=scaled["ci_low"], ci_high=scaled["ci_high"])
    return _row(**base, **values)


def trial_rows(scores: pd.DataFrame, participants: pd.DataFrame, config: dict,
               imputations: pd.DataFrame | None = None) -> list[dict]:
    r"""Every row of tests.csv the trial analysis (``analysis.trial``) gives.

    Parameters
    ----------
    scores, participants : DataFrame
        scores.csv and participants.csv of the run.
    config : dict
        The study config (``analysis`` with ``trial`` and the conventions).
    imputations : DataFrame, optional
        The completed data sets of :func:`impute_outcomes`; without them no
        multiple-imputation rows are written.

    Returns
    -------
    list of dict
        Rows of tests.csv (``comparison`` = the trial's id): ``mixed_model`` (factor
        ``arm``, each follow-up; effect_name ``estimate`` and ``smd_baseline_sd``),
        ``mixed_model_interaction`` (factor ``arm_x_time``), and at the primary endpoint
        ``mixed_model_complete_cases`` and ``mixed_model_mi``; family primary or
        secondary at the endpoint, supportive elsewhere; ``mixed_model_variance`` (no
        test: factor ``participant_id``, ``site`` or ``residual``, effect_name
        ``variance`` or ``icc``, see :func:`variance_rows`); with ``by_site``,
        ``mixed_model_by_site`` (one row per site) and ``mixed_model_site_lrt`` (see
        :func:`by_site_rows`); and the exploratory fidelity row (factor ``fidelity``).

    Notes
    -----
    For outcome :math:`y` of participant :math:`i` at site :math:`s` and follow-up
    :math:`t`,

    .. math::
        y_{ist} = \beta_0 + \beta_b y_{is0} + \alpha A_i + \tau_t + \gamma_t A_i
                  + u_i + v_s + e_{ist}

    with :math:`u_i \sim N(0, \sigma_u^2)`, :math:`v_s \sim N(0, \sigma_v^2)` when site
    is random (a fixed :math:`v_s` below ``random_site_min_sites`` sites), fitted by
    REML (or ML) with ``peerstudy.stats.mixed`` on every available follow-up score of
    the participants with a baseline score (a modified intention-to-treat population:
    everyone in their allocated arm who gave a baseline and at least one follow-up
    score; the multiple-imputation rows include every randomised participant). The
    difference at
    follow-up :math:`t` is :math:`\alpha + \gamma_t` (:math:`\gamma` = 0 at the first
    follow-up), tested with Satterthwaite's df; the interaction is :math:`\gamma_t`.
    The standardised difference divides the estimate and its CI by the SD of
    :math:`y_{is0}` (both arms), treated as known. Equals ``lmerTest::lmer(score ~
    baseline + arm * time + (1 | participant_id) + (1 | site))`` with
    ``contest1D(ddf = "Satterthwaite")`` (tests/test_syntax.py, results/<id>/syntax/
    trial.R). Multiple-imputation rows pool the endpoint difference over the completed
    data sets with :func:`peerstudy.stats.mi.rubin_pool`.

    References
    ----------
    .. [1] Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest package: tests
       in linear mixed effects models. J Stat Softw 82(13). doi:10.18637/jss.v082.i13
    .. [2] Rubin DB (1987). Multiple Imputation for Nonresponse in Surveys. Wiley.
    """
    from peerstudy.conventions import conventions

    spec = config["analysis"]["trial"]
    conv = conventions(config["analysis"])
    c = conv["conventions"]
    mm = c["mixed_model"]
    level = c["ci_level"]
    a, b = spec["arms"]
    rows = []
    for out in spec["outcomes"]:
        wide = outcome_wide(scores, spec, out["instrument"], out["scale"])
        long = model_data(wide, spec)
        n_sites = int(long["site"].nunique())
        model = site_model(spec, n_sites, c)
        common = {"group": "all", "instrument": out["instrument"], "scale": out["scale"],
                  "contrast": f"{a}-{b}", "comparison": spec["id"]}
        note = (f"modified intention to treat (as randomised; a baseline and at least one "
                f"follow-up score); baseline-adjusted; {site_note(model, n_sites, c)}; "
                "all available follow-up data")
        sd = baseline_sd(wide, spec)
        rows += _model_rows(long, model, spec, out, common, note, mm, level, sd)
        if out in by_site_outcomes(spec):
            rows += by_site_rows(long, spec, out, common, mm, level)
        if spec.get("sensitivity", {}).get("complete_cases", True):
            complete = wide.dropna(subset=[spec["baseline"], *spec["follow_up"]])
            cc = model_data(complete, spec)
            rows += _endpoint_rows(cc, model, spec, out, common, mm, level, sd,
                                   "mixed_model_complete_cases",
                                   f"complete cases (every assessment); "
                                   f"{site_note(model, n_sites, c)}")
        if imputations is not None and len(imputations):
            rows += mi_rows(imputations, spec, out, model, common, mm, level, sd,
                            site_note(model, n_sites, c))
    if spec.get("fidelity"):
        rows += fidelity_rows(scores, participants, spec, conv)
    return rows


def _model_rows(long, model, spec, out, common, note, mm, level, sd) -> list[dict]:
    n = int(long["participant_id"].nunique())
    try:
        fit = fit_trial(long, model, mm["estimation"])
    except ValueError as exc:
        return [_row(**common, test="mixed_model", factor="arm",
                     timepoint=spec["primary_endpoint"], n=n, effect_name="estimate",
                     family=family_of(spec, out["role"], spec["primary_endpoint"]),
                     note=str(exc))]
    note = "; ".join([note, *fit.notes])
    rows = variance_rows(fit, common, n)
    for tp in spec["follow_up"]:
        res = fit.contrast(contrast_weights(spec, tp, "difference"), mm["df"], level)
        base = {**common, "test": "mixed_model", "factor": "arm", "timepoint": tp, "n": n,
                "family": family_of(spec, out["role"], tp), "note": note}
        rows.append(_row(**base, **_values(res, mm)))
        rows.append(_smd_row(base, res, mm, sd))
    for tp in spec["follow_up"][1:]:
        res = fit.contrast(contrast_weights(spec, tp, "interaction"), mm["df"], level)
        rows.append(_row(**common, test="mixed_model_interaction", factor="arm_x_time",
                         timepoint=f"{spec['follow_up'][0]}-{tp}", n=n,
                         family=spec["families"]["supportive"], note=note,
                         **_values(res, mm)))
    return rows


def _endpoint_rows(long, model, spec, out, common, mm, level, sd, test, note) -> list[dict]:
    tp = spec["primary_endpoint"]
    n = int(long["participant_id"].nunique())
    base = {**common, "test": test, "factor": "arm", "timepoint": tp, "n": n,
            "family": spec["families"][out["role"]]}
    try:
        fit = fit_trial(long, model, mm["estimation"])
    except ValueError as exc:
        return [_row(**base, effect_name="estimate", note=f"{note}; {exc}")]
    res = fit.contrast(contrast_weights(spec, tp, "difference"), mm["df"], level)
    base["note"] = "; ".join([note, *fit.notes])
    return [_row(**base, **_values(res, mm)), _smd_row(base, res, mm, sd)]


# The family of tests.csv rows that carry an estimate but no test (no p to adjust).
NO_TEST = "no_test"


def variance_rows(fit, common: dict, n: int) -> list[dict]:
    r"""The variance components of a fitted trial model and its intraclass correlations.

    Rows of tests.csv with ``test`` = ``mixed_model_variance``, family ``no_test`` and no
    p-value: one row
    per component (``factor`` ``participant_id``, ``site`` when site is a random
    intercept, and ``residual``) with ``effect_name`` ``variance``, and one per random
    intercept with ``effect_name`` ``icc``:

    .. math::
        ICC_{site} = \frac{\sigma^2_s}{\sigma^2_s + \sigma^2_u + \sigma^2_e},\qquad
        ICC_{participant} = \frac{\sigma^2_s + \sigma^2_u}{\sigma^2_s + \sigma^2_u
        + \sigma^2_e}

    (the correlation of two participants' follow-up scores at one site, and of two
    follow-up scores of one participant, given the fixed effects, the baseline score
    among them). The variances are the REML (or ML) estimates, as
    ``as.data.frame(VarCorr(fit))$vcov`` of lme4.
    """
    var = fit.variances
    total = sum(var.values())
    base = {**common, "test": "mixed_model_variance", "n": n, "method": fit.estimation,
            "family": NO_TEST, "note": "variance components of the outcome's model (no test)"}
    rows = [_row(**base, factor=name, effect_name="variance", effect=value)
            for name, value in var.items()]
    site = var.get("site", 0.0)
    for name in [g for g in var if g != "residual"]:
        share = (site + var[name]) / total if name != "site" else site / total
        rows.append(_row(**base, factor=name, effect_name="icc", effect=share))
    return rows


def by_site_outcomes(spec: dict) -> list[dict]:
    """The outcomes whose arm difference is estimated by site (``analysis.trial.by_site``)."""
    by = spec.get("by_site")
    if not by:
        return []
    return outcomes(spec, "primary") if by.get("outcomes", "primary") == "primary" \
        else outcomes(spec)


def by_site_rows(long: pd.DataFrame, spec: dict, out: dict, common: dict, mm: dict,
                 level: float) -> list[dict]:
    r"""Exploratory: the arm difference at the primary endpoint at each site, and a
    likelihood-ratio test of whether it differs between sites.

    The model adds site (fixed) and arm x site to the primary model's fixed part,
    ``score ~ baseline + arm * time + site + arm:site + (1 | participant_id)``, so that
    each site has its own arm difference (the same shift at every follow-up); the
    difference at site :math:`s` at the endpoint is :math:`\alpha + \gamma_T +
    \delta_s` (:math:`\delta` = 0 at the first site), tested as the primary contrast
    (Satterthwaite t). Rows ``mixed_model_by_site`` carry the site id in ``site`` and the
    site's participants in ``n``. Heterogeneity: both models with and without arm x
    site are fitted by ML and compared by the likelihood ratio, :math:`\chi^2` on (sites
    - 1) df (row ``mixed_model_site_lrt``, factor ``arm_x_site``), as lme4's
    ``anova(fit0, fit1)``, which refits REML fits by ML. Site is fixed here whatever
    the primary model's site effect, since its arm differences are the point.
    """
    from scipy.stats import chi2

    from peerstudy.stats.mixed import fit_lmm

    fam = spec["by_site"].get("family", spec["families"]["supportive"])
    tp = spec["primary_endpoint"]
    a = spec["arms"][0]
    sites = list(long["site"].cat.categories)
    base = {**common, "factor": "arm", "timepoint": tp, "family": fam}
    if len(sites) < 2:
        return []
    fixed0 = "baseline + arm * time + site"
    fixed1 = fixed0 + " + arm:site"
    note = ("exploratory; arm difference at the endpoint by site from score ~ baseline + "
            "arm * time + site + arm:site + (1 | participant_id)")
    try:
        fit = fit_lmm(long, "score", fixed1, ["participant_id"], mm["estimation"])
        ml0 = fit_lmm(long, "score", fixed0, ["participant_id"], "ML")
        ml1 = fit_lmm(long, "score", fixed1, ["participant_id"], "ML")
    except ValueError as exc:
        return [_row(**base, site="all", test="mixed_model_site_lrt", factor="arm_x_site",
                     n=int(long["participant_id"].nunique()), note=f"{note}; {exc}")]
    rows = []
    for s in sites:
        weights = contrast_weights(spec, tp, "difference")
        if s != sites[0]:
            weights[f"arm[T.{a}]:site[T.{s}]"] = 1.0
        res = fit.contrast(weights, mm["df"], level)
        n = int(long.loc[long["site"] == s, "participant_id"].nunique())
        rows.append(_row(**base, site=s, test="mixed_model_by_site", n=n,
                         note="; ".join([note, *fit.notes]), **_values(res, mm)))
    stat = float(ml0.deviance - ml1.deviance)
    dof = len(ml1.names) - len(ml0.names)
    rows.append(_row(**{**base, "factor": "arm_x_site"}, site="all",
                     test="mixed_model_site_lrt", method="ML_lrt",
                     n=int(long["participant_id"].nunique()), statistic_name="chi2",
                     statistic=stat, df1=dof, p=float(chi2.sf(max(stat, 0.0), dof)),
                     note="exploratory; likelihood-ratio test of arm x site (both models "
                          "fitted by ML), as lme4 anova(fit0, fit1)"))
    return rows


# ---- multiple imputation -----------------------------------------------------------------

def mi_outcomes(spec: dict) -> list[dict]:
    mi = spec.get("sensitivity", {}).get("multiple_imputation")
    if not mi:
        return []
    return outcomes(spec, "primary") if mi.get("outcomes", "all") == "primary" else outcomes(spec)


def impute_outcomes(scores: pd.DataFrame, config: dict) -> pd.DataFrame:
    """The completed data sets of the multiple-imputation sensitivity analysis.

    For each outcome, separately in each arm (so that every relation may differ by
    arm), the outcome at baseline and at each follow-up is imputed by chained
    equations with the site (dummy-coded) as a predictor; every randomised
    participant of the arm is included, whatever they completed. Long: one row per
    outcome x imputation x participant x timepoint, ``imputed`` marking the values
    that were missing.
    """
    from peerstudy.stats.mi import impute_chained

    spec = config["analysis"]["trial"]
    mi = spec["sensitivity"]["multiple_imputation"]
    tps = [spec["baseline"], *spec["follow_up"]]
    frames = []
    people = scores_people(scores, spec)
    for out in mi_outcomes(spec):
        wide = outcome_wide(scores, spec, out["instrument"], out["scale"])
        wide = people.join(wide[tps]).sort_index()
        for k, arm in enumerate(spec["arms"]):
            mine = wide[wide["group"] == arm]
            sites = sorted(wide["site"].unique())[1:]
            data = pd.DataFrame({f"y_{tp}": mine[tp].to_numpy(float) for tp in tps},
                                index=mine.index)
            for s in sites:
                data[f"site_{s}"] = (mine["site"] == s).astype(float).to_numpy()
            name = zlib.crc32(f"{out['instrument']}/{out['scale']}".encode())
            seeds = [[mi["seed"], name, k, m] for m in range(mi["imputations"])]
            done = impute_chained(data, mi["imputations"], mi["iterations"], seeds)
            for m, completed in enumerate(done, start=1):
                for tp in tps:
                    frames.append(pd.DataFrame({
                        "instrument": out["instrument"], "scale": out["scale"],
                        "imputation": m, "participant_id": mine.index,
                        "site": mine["site"].to_numpy(), "group": arm, "timepoint": tp,
                        "score": completed[f"y_{tp}"].to_numpy(),
                        "imputed": data[f"y_{tp}"].isna().to_numpy()}))
    table = pd.concat(frames, ignore_index=True)[IMPUTATION_COLUMNS]
    return table.sort_values(["instrument", "scale", "imputation", "participant_id",
                              "timepoint"], kind="mergesort").reset_index(drop=True)


def scores_people(scores: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """Site and arm of every participant of the arms with any score."""
    sel = scores[scores["group"].isin(spec["arms"])]
    return sel.drop_duplicates("participant_id").set_index("participant_id")[
        ["site", "group"]].sort_index()


def mi_rows(imputations, spec, out, model, common, mm, level, sd, where) -> list[dict]:
    """The endpoint difference in each completed data set, pooled by Rubin's rules
    (Barnard-Rubin df, the complete-data df being the mean Satterthwaite df)."""
    from peerstudy.stats.mi import rubin_pool

    sel = imputations[(imputations["instrument"] == out["instrument"])
                      & (imputations["scale"] == out["scale"])]
    if sel.empty:
        return []
    tp = spec["primary_endpoint"]
    q, u, dfs = [], [], []
    n = 0
    for _, block in sel.groupby("imputation", sort=True):
        wide = block.pivot(index="participant_id", columns="timepoint", values="score")
        who = block.drop_duplicates("participant_id").set_index("participant_id")[
            ["site", "group"]]
        long = model_data(who.join(wide).sort_index(), spec)
        n = int(long["participant_id"].nunique())
        fit = fit_trial(long, model, mm["estimation"])
        res = fit.contrast(contrast_weights(spec, tp, "difference"), mm["df"], level)
        q.append(res["estimate"])
        u.append(res["se"] ** 2)
        dfs.append(res["df"])
    df_com = float(np.mean(dfs)) if mm["df"] == "satterthwaite" else np.inf
    pooled = rubin_pool(q, u, df_com, level)
    res = {"estimate": pooled["estimate"], "se": pooled["se"], "statistic": pooled["statistic"],
           "statistic_name": "t", "df": pooled["df"], "p": pooled["p"],
           "ci_low": pooled["ci_low"], "ci_high": pooled["ci_high"]}
    note = (f"multiple imputation under MAR: {pooled['m']} imputations by chained equations, "
            f"pooled by Rubin's rules (Barnard-Rubin df, complete-data df {df_com:.2f}); "
            f"fraction of missing information {pooled['fmi']:.3f}; {where}")
    base = {**common, "test": "mixed_model_mi", "factor": "arm", "timepoint": tp, "n": n,
            "family": spec["families"][out["role"]], "note": note}
    values = _values(res, mm)
    values["method"] = f"{values['method']}_rubin"
    row = _row(**base, **values)
    smd = dict(row)
    smd.update(effect_name="smd_baseline_sd", effect=res["estimate"] / sd,
               ci_low=res["ci_low"] / sd, ci_high=res["ci_high"] / sd)
    return [row, smd]


# ---- fidelity (exploratory) --------------------------------------------------------------

def fidelity_data(scores: pd.DataFrame, participants: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """Intervention-arm participants supported by a rated peer worker: the primary outcome
    at baseline and at the primary endpoint, and their peer worker's fidelity score."""
    fid = spec["fidelity"]
    primary = primary_outcome(spec)
    rated = scores[(scores["instrument"] == fid["instrument"]) & (scores["scale"] == fid["scale"])
                   & (scores["timepoint"] == fid["timepoint"])].set_index("participant_id")
    wide = outcome_wide(scores, spec, primary["instrument"], primary["scale"])
    people = participants.set_index("participant_id")
    mine = wide[wide["group"] == spec["arms"][0]].copy()
    mine["peer_worker"] = people["peer_worker"].reindex(mine.index).astype("string")
    mine["fidelity"] = mine["peer_worker"].map(rated["score"]).astype(float)
    data = pd.DataFrame({"participant_id": mine.index, "site": mine["site"].to_numpy(),
                         "peer_worker": mine["peer_worker"].to_numpy(),
                         "baseline": mine[spec["baseline"]].to_numpy(float),
                         "fidelity": mine["fidelity"].to_numpy(float),
                         "score": mine[spec["primary_endpoint"]].to_numpy(float)})
    data = data.dropna(subset=["peer_worker", "baseline", "fidelity", "score"])
    data["site"] = pd.Categorical(data["site"], categories=sorted(data["site"].unique()))
    return data.reset_index(drop=True)


def fidelity_rows(scores, participants, spec, conv) -> list[dict]:
    """Exploratory: the primary outcome at the endpoint on the peer worker's fidelity, in
    the intervention arm, adjusted for baseline, with a random intercept per peer worker
    (and the site as in the primary model)."""
    from peerstudy.stats.mixed import fit_lmm

    c = conv["conventions"]
    mm = c["mixed_model"]
    fid = spec["fidelity"]
    primary = primary_outcome(spec)
    data = fidelity_data(scores, participants, spec)
    n_sites = int(data["site"].nunique())
    model = site_model(spec, n_sites, c)
    base = {"group": spec["arms"][0], "instrument": primary["instrument"],
            "scale": primary["scale"], "test": "mixed_model", "factor": "fidelity",
            "contrast": f"{fid['instrument']}.{fid['scale']}", "timepoint":
            spec["primary_endpoint"], "n": len(data), "family": fid["family"],
            "comparison": f"{spec['id']}_fidelity"}
    fixed = "baseline + fidelity" + (" + site" if model == "fixed" else "")
    groups = ["peer_worker"] + (["site"] if model == "random" else [])
    note = (f"exploratory; intervention arm, participants with a rated peer worker; change in "
            f"the outcome per point of {fid['instrument']} {fid['scale']} at {fid['timepoint']}; "
            f"random intercept per peer worker; {site_note(model, n_sites, c)}")
    try:
        fit = fit_lmm(data, "score", fixed, groups, mm["estimation"])
    except ValueError as exc:
        return [_row(**base, effect_name="estimate", note=f"{note}; {exc}")]
    res = fit.contrast({"fidelity": 1.0}, mm["df"], c["ci_level"])
    return [_row(**base, **_values(res, mm), note="; ".join([note, *fit.notes]))]
