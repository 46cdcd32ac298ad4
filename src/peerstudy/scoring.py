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
SCORE_COLUMNS = [*KEYS, "instrument", "scale", "score", "items_answered", "items_total"]


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


def score_items(items: pd.DataFrame, registry: dict[str, Instrument]):
    """Score every scale of every instrument present in the long item table.

    Returns ``(scores, issues)``: the scores table of the results contract and
    one validation issue per prorated or dropped score.
    """
    frames, issues = [], []
    for inst_id in sorted(items["instrument"].unique()):
        instrument = registry[inst_id]
        block = items[items["instrument"] == inst_id]
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
            _check_range(out, instrument, scale)
            issues.append(_scoring_issues(out, scale))
            frames.append(out)
    scores = pd.concat(frames, ignore_index=True)
    scores = scores.sort_values(["instrument", "scale", *KEYS], kind="mergesort")
    issues_df = pd.concat(issues, ignore_index=True) if issues else pd.DataFrame()
    return scores.reset_index(drop=True)[SCORE_COLUMNS], issues_df.reindex(columns=ISSUE_COLUMNS)


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
