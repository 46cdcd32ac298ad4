"""Intercoder agreement between two coders' exports of the same documents.

Two levels, as qualitative-analysis software reports them: the document level
(is the code present in the document?) and the segment level (did both coders
apply the code to the same passage?), where two coded passages are the same
when they overlap by at least a declared share, as in MAXQDA's segment-level
check. Per code and pooled over all codes: percent agreement, Cohen's kappa
(statsmodels) and Krippendorff's alpha (the ``krippendorff`` package).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peerstudy.errors import DataError

__all__ = ["coefficients", "document_units", "segment_units", "agreement_table",
           "intercoder_agreement", "overlap_share", "AGREEMENT_COLUMNS"]

LEVELS = ("document", "segment")
AGREEMENT_COLUMNS = ["level", "group", "code", "n_units", "percent_agreement", "kappa",
                     "krippendorff_alpha", "both", "first_only", "second_only", "neither",
                     "agreement_when_coded", "note"]
UNIT_COLUMNS = ["level", "document", "unit", "begin", "end", "code", "first", "second"]
UNDEFINED = ("every unit has the same value from both coders: kappa and alpha are undefined "
             "(no variation to agree on)")


def coefficients(first, second) -> dict:
    """Percent agreement, Cohen's kappa and Krippendorff's alpha of two coders.

    Parameters
    ----------
    first, second : array-like
        The two coders' nominal values for the same units, in the same order
        (here 1 = code applied, 0 = not applied). No missing values: every
        unit was coded by both coders.

    Returns
    -------
    dict
        ``n_units``; ``percent_agreement`` (0-100); ``kappa``; ``krippendorff_alpha``;
        ``note`` (why a coefficient is empty, else "").

    Notes
    -----
    Percent agreement is :math:`100 \\, p_o`, the share of units with equal values.
    Cohen's kappa [1]_ is :math:`(p_o - p_e)/(1 - p_e)` with :math:`p_e` from each
    coder's own marginal distribution, computed by
    ``statsmodels.stats.inter_rater.cohens_kappa`` on the coders' contingency
    table. Krippendorff's alpha [2]_ for nominal data,
    :math:`1 - (n - 1) \\sum_{c \\ne k} o_{ck} / \\sum_{c \\ne k} n_c n_k`, uses both
    coders' values pooled for the expected disagreement; computed by
    ``krippendorff.alpha(level_of_measurement="nominal")``. Both are undefined
    when the two coders give every unit the same single value (0/0); they are
    then left empty and ``note`` says so — never a silent NaN.

    References
    ----------
    .. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales.
       Educational and Psychological Measurement, 20(1), 37-46.
       https://doi.org/10.1177/001316446002000104
    .. [2] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
       https://repository.upenn.edu/asc_papers/43

    Examples
    --------
    >>> r = coefficients([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    >>> round(r["krippendorff_alpha"], 3), round(r["kappa"], 4)
    (0.095, 0.0909)
    """
    import krippendorff
    from statsmodels.stats.inter_rater import cohens_kappa

    first, second = np.asarray(first), np.asarray(second)
    if first.shape != second.shape or first.ndim != 1:
        raise ValueError("first and second need one value per unit each, in the same order")
    n = len(first)
    if n == 0:
        return {"n_units": 0, "percent_agreement": np.nan, "kappa": np.nan,
                "krippendorff_alpha": np.nan, "note": "no units to compare"}
    categories = sorted(set(first.tolist()) | set(second.tolist()))
    out = {"n_units": n, "percent_agreement": 100.0 * float(np.mean(first == second)),
           "kappa": np.nan, "krippendorff_alpha": np.nan, "note": ""}
    if len(categories) == 1:
        out["note"] = UNDEFINED
        return out
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for a, b in zip(first.tolist(), second.tolist(), strict=True):
        table[index[a], index[b]] += 1
    out["kappa"] = float(cohens_kappa(table, return_results=False))
    codes = np.vstack([[index[v] for v in first.tolist()], [index[v] for v in second.tolist()]])
    out["krippendorff_alpha"] = float(krippendorff.alpha(
        reliability_data=codes.astype(float), level_of_measurement="nominal"))
    return out


def overlap_share(begin_a: int, end_a: int, begin_b: int, end_b: int, of: str = "union") -> float:
    """Share of two passages that both cover; positions are inclusive (paragraph 3-4 is 2 units).

    ``of="union"``: common part / the span both passages cover together;
    ``of="shorter"``: common part / the shorter passage (a short segment inside a
    long one then counts as the same passage).
    """
    common = min(end_a, end_b) - max(begin_a, begin_b) + 1
    if common <= 0:
        return 0.0
    if of == "union":
        return common / (max(end_a, end_b) - min(begin_a, begin_b) + 1)
    if of == "shorter":
        return common / min(end_a - begin_a + 1, end_b - begin_b + 1)
    raise ValueError(f"overlap_of must be 'union' or 'shorter', not {of!r}")


def document_units(first: pd.DataFrame, second: pd.DataFrame, documents: list[str],
                   codes: list[str]) -> pd.DataFrame:
    """One unit per document and code: 1 when the coder applied the code anywhere in it."""
    has_a = set(zip(first["document"], first["code"], strict=True))
    has_b = set(zip(second["document"], second["code"], strict=True))
    rows = [("document", doc, doc, pd.NA, pd.NA, code, int((doc, code) in has_a),
             int((doc, code) in has_b)) for doc in documents for code in codes]
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


def segment_units(first: pd.DataFrame, second: pd.DataFrame, documents: list[str],
                  codes: list[str], min_overlap: float, overlap_of: str = "union") -> pd.DataFrame:
    """One unit per coded passage ("location") and code.

    A location is a set of coded passages (of either coder, any code) linked by
    overlaps of at least ``min_overlap`` (connected components); a coder's value
    for a code at a location is 1 when the coder applied the code to one of its
    passages. A location coded by only one coder, or with different codes,
    holds the disagreements; a code applied by neither coder at a location that
    someone coded counts as agreement on absence.
    """
    rows = []
    for doc in documents:
        spans = _spans(first, second, doc)
        seen: set[str] = set()
        for k, members in enumerate(_locations(spans, min_overlap, overlap_of), start=1):
            begin = min(spans[m][1] for m in members)
            end = max(spans[m][2] for m in members)
            coded = {0: set(), 1: set()}
            for m in members:
                coded[spans[m][0]] |= spans[m][3]
            unit = f"{doc}:{begin}-{end}"
            unit = unit if unit not in seen else f"{unit} ({k})"  # two chains, one span
            seen.add(unit)
            rows += [("segment", doc, unit, begin, end, code, int(code in coded[0]),
                      int(code in coded[1])) for code in codes]
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


def _spans(first: pd.DataFrame, second: pd.DataFrame, doc: str) -> list[tuple]:
    """(coder, begin, end, codes) per distinct passage of each coder in one document."""
    spans = []
    for coder, frame in enumerate((first, second)):
        part = frame[frame["document"] == doc]
        for (begin, end), codes in part.groupby(["begin", "end"], sort=True)["code"]:
            spans.append((coder, int(begin), int(end), set(codes)))
    return sorted(spans, key=lambda s: (s[1], s[2], s[0]))


def _locations(spans: list[tuple], min_overlap: float, overlap_of: str) -> list[list[int]]:
    """Connected components of 'overlaps by at least min_overlap' (union-find)."""
    parent = list(range(len(spans)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (_, b_i, e_i, _) in enumerate(spans):
        for j in range(i + 1, len(spans)):
            _, b_j, e_j, _ = spans[j]
            if b_j > e_i:
                break  # spans are sorted by begin: no later one overlaps span i
            if overlap_share(b_i, e_i, b_j, e_j, overlap_of) >= min_overlap:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(spans)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda m: (min(spans[i][1] for i in m),
                                                  max(spans[i][2] for i in m)))


def agreement_table(units: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Per level: one pooled row (code 'all': every unit x code) and one row per code."""
    rows = []
    for level in [lv for lv in LEVELS if lv in set(units["level"])]:
        part = units[units["level"] == level]
        rows.append(_row(level, "all", "all", part))
        for code in sorted(part["code"].unique(), key=lambda c: (groups[c], c)):
            rows.append(_row(level, groups[code], code, part[part["code"] == code]))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def _row(level: str, group: str, code: str, units: pd.DataFrame) -> dict:
    a, b = units["first"].to_numpy(), units["second"].to_numpy()
    both, first_only = int(((a == 1) & (b == 1)).sum()), int(((a == 1) & (b == 0)).sum())
    second_only, neither = int(((a == 0) & (b == 1)).sum()), int(((a == 0) & (b == 0)).sum())
    coded = both + first_only + second_only
    return {"level": level, "group": group, "code": code, **coefficients(a, b),
            "both": both, "first_only": first_only, "second_only": second_only,
            "neither": neither, "agreement_when_coded": both / coded if coded else np.nan}


def intercoder_agreement(first: pd.DataFrame, second: pd.DataFrame, spec: dict,
                         documents: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement of two coders' segments (``peerstudy.qualitative.SEGMENTS`` frames).

    Parameters
    ----------
    first, second : DataFrame
        Each coder's export as read by ``peerstudy.qualitative.read_export``.
    spec : dict
        ``qualitative.agreement`` of the config: ``coders`` (two, with ``id``),
        ``levels`` (``document``, ``segment``), ``min_overlap`` and ``overlap_of``.
    documents : list of str
        The double-coded documents; a document one coder left uncoded counts
        as 'no code present' for that coder.

    Returns
    -------
    table : DataFrame
        ``AGREEMENT_COLUMNS``: per level, the pooled row (``code`` = ``all``)
        then one row per code either coder applied, ordered by code group and
        code. ``first_only``/``second_only`` count units coded only by the
        first/second coder of ``spec['coders']``.
    disagreements : DataFrame
        Every unit x code on which the coders differ (``UNIT_COLUMNS``), for
        the coders' consensus discussion.
    """
    names = [c["id"] for c in spec["coders"]]
    first = first[first["document"].isin(documents)]
    second = second[second["document"].isin(documents)]
    groups = _code_groups(first, second, names)
    codes = sorted(groups)
    if not codes:
        raise DataError(f"qualitative.agreement: neither coder ({', '.join(names)}) applied a "
                        "code in the compared documents — check agreement.documents.")
    frames = []
    if "document" in spec["levels"]:
        frames.append(document_units(first, second, documents, codes))
    if "segment" in spec["levels"]:
        for name, frame in zip(names, (first, second), strict=True):
            _require_positions(frame, name)
        frames.append(segment_units(first, second, documents, codes, spec["min_overlap"],
                                    spec["overlap_of"]))
    units = pd.concat(frames, ignore_index=True)
    table = agreement_table(units, groups)
    differ = units[units["first"] != units["second"]].reset_index(drop=True)
    return table, differ


def _code_groups(first: pd.DataFrame, second: pd.DataFrame, names: list[str]) -> dict[str, str]:
    """code -> code group, the same in both exports (the coders share one code system)."""
    groups: dict[str, str] = {}
    for name, frame in zip(names, (first, second), strict=True):
        for code, group in frame[["code", "group"]].drop_duplicates().itertuples(index=False):
            if groups.setdefault(code, group) != group:
                raise DataError(
                    f"qualitative.agreement: code '{code}' is in code group '{groups[code]}' in "
                    f"one coder's export and '{group}' in {name}'s — both coders must work with "
                    "the same code system; fix the code group in one export."
                )
    return groups


def _require_positions(frame: pd.DataFrame, name: str) -> None:
    missing = frame[frame["begin"].isna() | frame["end"].isna()]
    if len(missing):
        rec = missing.iloc[0]
        raise DataError(
            f"qualitative.agreement: coder {name}'s export, row {rec['row']} (quotation "
            f"{rec['quotation']}) has no usable position ({rec['position']}) — segment-level "
            "agreement needs the paragraphs each quotation spans: export Atlas.ti's Reference "
            "(or Start/End) column and MAXQDA's Begin/End for text documents, leave the "
            "document out of agreement.documents, or set agreement.levels: [document]."
        )
