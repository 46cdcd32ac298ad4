"""Scale scores from item answers, as the instruments' registry defines them.

Reverse keying uses each item's own range (min + max - x). A partly answered
scale is prorated (mean of answered items x number of items) when at least
the registry's ``min_answered`` share was answered, otherwise it is missing;
both cases are logged as validation issues so that nothing changes silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peerstudy.errors import DataError
from peerstudy.instruments import Instrument, Scale
from peerstudy.validate import ISSUE_COLUMNS

KEYS = ["participant_id", "site", "group", "timepoint"]
SCORE_COLUMNS = [*KEYS, "instrument", "scale", "score", "items_answered", "items_total", "form"]


def score_scale(
    answers: np.ndarray, instrument: Instrument, scale: Scale
) -> tuple[np.ndarray, np.ndarray]:
    """Score one scale for many respondents.

    Parameters
    ----------
    answers : array (n_respondents, k_items)
        Raw answers in the order of ``scale.items``; NaN where missing.
    instrument, scale
        Registry entries; the scale's items, keying, method and prorating rule.

    Returns
    -------
    score : array (n,)
        Scale score, NaN where fewer than ``min_answered`` x k items were answered
        (or any item was missing when ``prorate`` is ``none``).
    answered : array (n,)
        Number of valid answers.
    """
    answers = np.asarray(answers, dtype=float)
    k = len(scale.items)
    lows = np.array([instrument.items[i].min for i in scale.items], dtype=float)
    highs = np.array([instrument.items[i].max for i in scale.items], dtype=float)
    flip = np.array([instrument.reversed_in(scale, i) for i in scale.items])
    keyed = np.where(flip, lows + highs - answers, answers)
    answered = np.sum(~np.isnan(keyed), axis=1)
    with np.errstate(invalid="ignore"):
        item_mean = np.nanmean(np.where(answered[:, None] > 0, keyed, 0.0), axis=1)
    item_mean = np.where(answered > 0, item_mean, np.nan)
    enough = answered >= np.ceil(scale.min_answered * k - 1e-9)
    if scale.prorate == "none":
        enough &= answered == k
    score = item_mean * k if scale.method == "sum" else item_mean
    return np.where(enough, score, np.nan), answered


def score_items(items: pd.DataFrame, registry: dict[str, Instrument],
                rescale: dict | None = None):
    """Score every scale of every instrument present in the long item table.

    Each row is scored on its own form's ranges (``items.form``). The registry
    holds each instrument on the form the study analyses it on; scores of a
    form with other ranges are rescaled linearly to that form's scale range,
    which ``rescale`` (the config's ``registry.rescale``) must declare.

    Returns ``(scores, issues)``: the scores table of the results contract (with
    the ``form`` each score was answered on) and one validation issue per
    prorated, dropped or rescaled score.
    """
    frames, issues = [], []
    items = items if "form" in items.columns else items.assign(form=None)
    for inst_id in sorted(items["instrument"].unique()):
        reference = registry[inst_id]
        block_all = items[items["instrument"] == inst_id]
        for form in sorted(block_all["form"].fillna(reference.form).unique()):
            instrument = reference.with_form(form)
            block = block_all[block_all["form"].fillna(reference.form) == form]
            # unstack keeps only the participant x timepoint rows that exist
            wide = block.set_index([*KEYS, "item"])["value"].unstack("item")
            wide = wide.reindex(columns=list(instrument.items))
            for scale in instrument.scales.values():
                answers = wide[list(scale.items)].to_numpy(dtype=float)
                score, answered = score_scale(answers, instrument, scale)
                out = wide.index.to_frame(index=False)
                out["instrument"] = inst_id
                out["scale"] = scale.id
                out["score"] = score
                out["items_answered"] = answered
                out["items_total"] = len(scale.items)
                out["form"] = form
                _check_range(out, instrument, scale)
                issues.append(_scoring_issues(out, scale))
                if instrument.items != reference.items:
                    issues.append(_rescale(out, instrument, reference, scale, rescale))
                frames.append(out)
    scores = pd.concat(frames, ignore_index=True)
    scores = scores.sort_values(["instrument", "scale", *KEYS], kind="mergesort")
    issues_df = pd.concat(issues, ignore_index=True) if issues else pd.DataFrame()
    return scores.reset_index(drop=True)[SCORE_COLUMNS], issues_df.reindex(columns=ISSUE_COLUMNS)


def _rescale(out: pd.DataFrame, instrument: Instrument, reference: Instrument, scale: Scale,
             rescale: dict | None) -> pd.DataFrame:
    """Bring scores of another form linearly onto the reference form's scale range.

    score' = ref_min + (score - min) x (ref_max - ref_min) / (max - min): the
    percent of maximum possible (POMP) expressed on the reference range. Each
    rescaled score is logged with its value on its own form.
    """
    if not rescale or instrument.id not in rescale:
        raise DataError(
            f"scores of {instrument.id} come from form '{instrument.form}' "
            f"({instrument.path}) and the study analyses form '{reference.form}', whose "
            f"response ranges differ — declare registry.rescale.{instrument.id}: "
            f"{{to: {reference.form}, method: linear}} in the config, or use one form."
        )
    low, high = instrument.scale_range(scale)
    ref_low, ref_high = reference.scale_range(scale)
    original = out["score"].to_numpy(dtype=float)
    out["score"] = ref_low + (original - low) * (ref_high - ref_low) / (high - low)
    done = out[~np.isnan(original)].copy()
    done["file"] = "(scoring)"
    done["row"] = pd.NA
    done["column"] = f"{instrument.id}/{scale.id}"
    done["value"] = [f"{v:g} on form {instrument.form}" for v in original[~np.isnan(original)]]
    done["rule"] = "rescaled_form"
    done["action"] = (f"rescaled linearly from {low:g}-{high:g} (form {instrument.form}) to "
                      f"{ref_low:g}-{ref_high:g} (form {reference.form})")
    return done[ISSUE_COLUMNS]


def _check_range(out: pd.DataFrame, instrument: Instrument, scale: Scale) -> None:
    low, high = instrument.scale_range(scale)
    bad = out[(out["score"] < low - 1e-9) | (out["score"] > high + 1e-9)]
    if not bad.empty:
        row = bad.iloc[0]
        raise DataError(
            f"score out of range: participant {row['participant_id']}, {row['timepoint']}, "
            f"{instrument.id}/{scale.id} = {row['score']:g}, but the registry "
            f"({instrument.path}) allows {low:g}-{high:g} — check the item answers in the "
            "export or the instrument's item ranges."
        )


def _scoring_issues(out: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    k = len(scale.items)
    partial = out[(out["items_answered"] < k)].copy()
    if partial.empty:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    prorated = partial["score"].notna()
    partial["file"] = "(scoring)"
    partial["row"] = pd.NA
    partial["column"] = partial["instrument"] + "/" + scale.id
    partial["value"] = partial["items_answered"].astype(str) + f" of {k} items"
    partial["rule"] = np.where(prorated, "prorated_partial_scale", "too_few_items_answered")
    partial["action"] = np.where(
        prorated, f"prorated (mean x {k})", f"score set missing (needs {scale.min_answered:.0%})"
    )
    return partial[ISSUE_COLUMNS]
