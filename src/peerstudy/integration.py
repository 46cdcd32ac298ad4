"""The mixed-methods joint display: each declared domain's quantitative result beside
its qualitative codes, with the team's meta-inference checked against the numbers.

The team declares, per domain, the qualitative finding, its direction and the
meta-inference (convergence, divergence, expansion, silence) in the config; the
pipeline never invents one. It sets the declaration beside the row of tests.csv
and flags a declaration the numbers contradict; a flagged row fails the build
unless the declaration gives a ``justification``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peerstudy.errors import DataError, closest

__all__ = ["joint_display", "check_meta_inference", "gate", "validation_section",
           "JOINT_COLUMNS", "UNDECLARED_COLUMNS"]

JOINT_COLUMNS = ["domain", "instrument", "scale", "group", "contrast", "change", "p",
                 "effect_name", "effect", "codes", "quotations", "convergence", "meta_inference",
                 "statement", "check", "finding", "qualitative_direction",
                 "quantitative_direction", "significant", "p_adjusted", "p_used", "p_basis",
                 "alpha", "justification", "exemplar", "exemplar_source", "exemplar_text",
                 "quotations_from", "quotations_all"]
UNDECLARED_COLUMNS = ["domain", "group", "instrument", "scale", "contrast", "reason"]
DIRECTED = ("favourable", "unfavourable")


def quantitative_direction(change: float, higher_is_better) -> str:
    """'favourable', 'unfavourable', 'none' (no change) or 'unknown' (the registry
    gives the scale no favourable direction)."""
    if pd.isna(change) or change == 0:
        return "none"
    if higher_is_better is None:
        return "unknown"
    return "favourable" if (change > 0) == bool(higher_is_better) else "unfavourable"


def check_meta_inference(meta: str, qual_dir: str | None, quant_dir: str, significant: bool,
                         quotations: int, p_text: str) -> str:
    """'' when the declaration fits the numbers, else the reason it is flagged.

    Rules (``p_text`` names the p used, e.g. "p_adjusted = .203 at alpha = .05"):

    - convergence on a change (favourable/unfavourable): the quantitative change
      must be significant and in the same direction; convergence on 'no change':
      the quantitative result must not be significant; 'mixed' cannot converge.
    - divergence from a change: flagged when the quantitative result is a
      significant change in the same direction (that is convergence); divergence
      from 'no change': flagged when the result is not significant.
    - expansion: flagged when the quantitative result is a significant change
      against the qualitative direction (that is divergence).
    - silence: flagged when the declared codes carry quotations (the
      qualitative strand is not silent).
    - convergence, divergence and expansion need quotations under their codes.
    """
    if meta == "silence":
        return (f"declared silence, but the codes carry {quotations} quotation(s)"
                if quotations else "")
    if quotations == 0:
        return f"declared {meta}, but no quotation carries the declared codes"
    if meta in ("convergence", "divergence") and quant_dir == "unknown" and qual_dir in DIRECTED:
        return "the registry gives this scale no favourable direction (higher_is_better)"
    same = significant and quant_dir == qual_dir
    if meta == "convergence":
        if qual_dir == "mixed":
            return "convergence needs a qualitative direction (favourable, unfavourable, no change)"
        if qual_dir == "no change":
            return f"convergence on no change beside a significant change ({p_text})" \
                if significant else ""
        if not significant:
            return f"convergence on {_a(qual_dir)} change rests on a non-significant result " \
                   f"({p_text})"
        if quant_dir != qual_dir:
            return f"convergence on {_a(qual_dir)} change beside a change in the {quant_dir} " \
                   f"direction ({p_text})"
        return ""
    if meta == "divergence":
        if qual_dir == "no change":
            return "" if significant else \
                f"divergence from 'no change' beside a non-significant result ({p_text}): " \
                "that is convergence"
        if same:
            return f"divergence, but the change is significant and {quant_dir} as the " \
                   f"qualitative finding ({p_text}): that is convergence"
        return ""
    if meta == "expansion" and qual_dir in DIRECTED and significant \
            and quant_dir in DIRECTED and quant_dir != qual_dir:
        return f"expansion, but the change is significant and {quant_dir}, against the " \
               f"{qual_dir} qualitative finding ({p_text}): that is divergence"
    return ""


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _fmt_p(p: float) -> str:
    return "<.001" if p < 0.001 else f"{p:.3f}".lstrip("0")


def joint_display(tests: pd.DataFrame, codes: pd.DataFrame, spec: dict, *, alpha: float,
                  multiplicity: str, higher_is_better: dict, exemplars: dict | None = None,
                  code_sources: pd.DataFrame | None = None,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The declared domains beside their quantitative results, checked.

    Parameters
    ----------
    tests : DataFrame
        tests.csv (``site`` ``all`` rows of ``spec['test']``).
    codes : DataFrame
        qualitative/codes.csv (``code``, ``quotations``).
    spec : dict
        ``qualitative.joint_display`` of the config.
    alpha : float
        The plan's alpha.
    multiplicity : str
        The plan's correction (``none`` uses ``p``; any other uses ``p_adjusted``).
    higher_is_better : dict
        ``(instrument, scale) -> bool or None`` from the registry.
    exemplars : dict, optional
        ``quotation id -> (source, text, codes)`` for the domains' declared exemplars
        (``peerstudy.themes.exemplar_texts``); an exemplar must carry one of its
        domain's codes.
    code_sources : DataFrame, optional
        qualitative/code_sources.csv (``code``, ``source``, ``quotations``): needed when a
        domain declares ``sources``, the qualitative sources its finding speaks for; its
        ``quotations`` (and the check) then count only their quotations, so that a
        statement about one group never rests on quotations from the others.

    Returns
    -------
    display : DataFrame
        ``JOINT_COLUMNS``, one row per domain with a declared meta-inference, in
        declared order. ``check`` is ``ok``, ``flagged: <reason>`` or
        ``justified: <reason>``; ``convergence`` repeats ``meta_inference`` (the
        column name of the results contract). ``quotations`` counts the quotations under
        the domain's codes from its declared ``sources`` (``quotations_from``; "all
        sources" when none are declared); ``quotations_all`` counts them over every
        source.
    undeclared : DataFrame
        ``UNDECLARED_COLUMNS``: declared domains without a meta-inference, and
        results of the test that no domain covers; left out of the display.
    """
    count = codes.groupby("code")["quotations"].sum()
    use_adjusted = multiplicity != "none"
    rows, undeclared = [], []
    pool = tests[(tests["site"] == "all") & (tests["test"] == spec["test"])]
    covered = set()
    for d in spec["domains"]:
        hit = pool[(pool["group"] == d["group"]) & (pool["instrument"] == d["instrument"])
                   & (pool["scale"] == d["scale"]) & (pool["contrast"] == d["contrast"])]
        if hit.empty:
            raise DataError(
                f"qualitative.joint_display: domain '{d['domain']}' asks for {spec['test']} "
                f"{d['group']}/{d['instrument']}/{d['scale']} {d['contrast']}, which tests.csv "
                "does not have — add the contrast to the analysis plan or fix the domain."
            )
        covered.add((d["group"], d["instrument"], d["scale"], d["contrast"]))
        missing = [c for c in d["codes"] if c not in count.index]
        if missing:
            raise DataError(
                f"qualitative.joint_display: domain '{d['domain']}' names code "
                f"'{missing[0]}', which no export has{closest(missing[0], count.index)}."
            )
        if "meta_inference" not in d:
            undeclared.append({"domain": d["domain"], "group": d["group"],
                               "instrument": d["instrument"], "scale": d["scale"],
                               "contrast": d["contrast"], "reason": "no meta-inference declared"})
            continue
        rows.append(_row(d, hit.iloc[0], count, alpha, use_adjusted, higher_is_better,
                         exemplars or {}, _source_count(d, code_sources)))
    for rec in pool[pool["factor"] == "timepoint"].itertuples(index=False):
        key = (rec.group, rec.instrument, rec.scale, rec.contrast)
        if "-" in str(rec.contrast) and key not in covered:
            covered.add(key)
            undeclared.append({"domain": "", "group": rec.group, "instrument": rec.instrument,
                               "scale": rec.scale, "contrast": rec.contrast,
                               "reason": f"no domain declared for this {spec['test']} result"})
    undeclared = pd.DataFrame(undeclared, columns=UNDECLARED_COLUMNS)
    undeclared = undeclared.sort_values(["reason", "group", "instrument", "scale", "contrast"],
                                        kind="mergesort").reset_index(drop=True)
    return pd.DataFrame(rows, columns=JOINT_COLUMNS), undeclared


def _source_count(d: dict, code_sources: pd.DataFrame | None) -> int | None:
    """Quotations under the domain's codes from its declared sources; None when it
    declares none (every source counts)."""
    sources = d.get("sources")
    if not sources:
        return None
    if code_sources is None:
        raise DataError(f"qualitative.joint_display: domain '{d['domain']}' declares sources "
                        f"{', '.join(sources)}, but no per-source code counts "
                        "(qualitative/code_sources.csv) were given.")
    known = set(code_sources["source"])
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise DataError(f"qualitative.joint_display: domain '{d['domain']}' declares source "
                        f"'{unknown[0]}', which no coded document has"
                        f"{closest(unknown[0], sorted(known))} — use a name from "
                        "qualitative.sources.")
    rows = code_sources[code_sources["code"].isin(d["codes"])
                        & code_sources["source"].isin(sources)]
    return int(rows["quotations"].sum())


def _row(d, test, count, alpha, use_adjusted, higher_is_better, exemplars,
         from_sources: int | None = None) -> dict:
    p_used = float(test["p_adjusted"] if use_adjusted else test["p"])
    basis = "p_adjusted" if use_adjusted else "p"
    significant = bool(p_used < alpha)
    better = higher_is_better.get((d["instrument"], d["scale"]))
    quant_dir = quantitative_direction(test["mean_difference"], better)
    quotations_all = int(sum(count[c] for c in d["codes"]))
    quotations = quotations_all if from_sources is None else from_sources
    p_text = f"{basis} = {_fmt_p(p_used)} at alpha = {f'{alpha:g}'.lstrip('0')}"
    reason = check_meta_inference(d["meta_inference"], d.get("qualitative_direction"),
                                  quant_dir, significant, quotations, p_text)
    justification = " ".join(d.get("justification", "").split())
    if not reason:
        check = "ok"
    elif justification:
        check = f"justified: {reason}"
    else:
        check = f"flagged: {reason}"
    source, text, codes = exemplars.get(d.get("exemplar", ""), ("", "", set()))
    if d.get("exemplar") and not codes & set(d["codes"]):
        raise DataError(f"qualitative.joint_display: domain '{d['domain']}': exemplar "
                        f"'{d['exemplar']}' is coded {', '.join(sorted(codes))}, none of the "
                        "domain's codes — choose a quotation the domain rests on.")
    if d.get("exemplar") and d.get("sources") and source not in d["sources"]:
        raise DataError(f"qualitative.joint_display: domain '{d['domain']}': exemplar "
                        f"'{d['exemplar']}' comes from {source}, not from the domain's sources "
                        f"({', '.join(d['sources'])}) — choose a quotation of those sources.")
    return {
        "domain": d["domain"], "instrument": d["instrument"], "scale": d["scale"],
        "group": d["group"], "contrast": d["contrast"], "change": test["mean_difference"],
        "p": test["p"], "effect_name": test["effect_name"], "effect": test["effect"],
        "codes": "; ".join(d["codes"]), "quotations": quotations,
        "convergence": d["meta_inference"], "meta_inference": d["meta_inference"],
        "statement": " ".join(d["statement"].split()), "check": check,
        "finding": " ".join(d["finding"].split()),
        "qualitative_direction": d.get("qualitative_direction", ""),
        "quantitative_direction": quant_dir, "significant": significant,
        "p_adjusted": test["p_adjusted"], "p_used": p_used, "p_basis": basis, "alpha": alpha,
        "justification": justification, "exemplar": d.get("exemplar", ""),
        "exemplar_source": source, "exemplar_text": text,
        "quotations_from": "; ".join(d.get("sources") or []) or "all sources",
        "quotations_all": quotations_all,
    }


def gate(display: pd.DataFrame) -> None:
    """Stop the build when a declaration is flagged and carries no justification
    (``peerstudy.joint_gate.check_gate`` on the table's rows)."""
    from peerstudy.joint_gate import check_gate

    check_gate(display.to_dict("records"))


def validation_section(display: pd.DataFrame) -> str:
    """The validation report's section on the joint display's checks (Markdown)."""
    lines = ["", "## Mixed-methods meta-inferences", ""]
    if display.empty:
        return "\n".join([*lines, "No meta-inference is declared.", ""])
    flagged = display["check"].str.startswith("flagged").sum()
    justified = display["check"].str.startswith("justified").sum()
    lines.append(f"{len(display)} declared; {len(display) - flagged - justified} fit the "
                 f"quantitative results, {justified} flagged but justified, {flagged} flagged "
                 "(a flagged declaration without a justification fails the build).")
    lines += ["", "| domain | meta-inference | quantitative | check |", "|---|---|---|---|"]
    for r in display.itertuples(index=False):
        quant = (f"{r.quantitative_direction}, {r.p_basis} = {_fmt_p(r.p_used)}"
                 + ("" if np.isnan(r.change) else f", change {r.change:+.2f}"))
        lines.append(f"| {r.domain} | {r.meta_inference} | {quant} | {r.check} |")
    return "\n".join([*lines, ""])
