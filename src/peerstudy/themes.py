"""Themes declared by the research team, counted in the coding exports, with the
exemplar quotations the team chose (by quotation id; the program never picks one).

A theme gathers codes; its quotations are the quotations carrying at least one
of them, each counted once however many of the theme's codes it carries.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from peerstudy.errors import ConfigError, DataError, closest

__all__ = ["load_themes", "theme_table", "exemplar_quotations", "THEME_COLUMNS",
           "QUOTATION_COLUMNS"]

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "themes.schema.yaml"
THEME_COLUMNS = ["theme", "label", "description", "codes", "source", "quotations",
                 "code_applications", "documents", "sources", "exemplars"]
QUOTATION_COLUMNS = ["theme", "label", "order", "quotation", "document", "source",
                     "theme_codes", "codes", "text"]


@functools.lru_cache(maxsize=1)
def _validator():
    import jsonschema

    from peerstudy.config import read_yaml

    return jsonschema.Draft202012Validator(read_yaml(SCHEMA))


def load_themes(path: str | Path) -> list[dict]:
    """The themes file, checked against ``workflow/schemas/themes.schema.yaml``."""
    from peerstudy.config import read_yaml

    doc = read_yaml(path)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: {err.message}.")
    seen = set()
    for theme in doc["themes"]:
        if theme["id"] in seen:
            raise ConfigError(f"{path}: theme id '{theme['id']}' is used twice.")
        seen.add(theme["id"])
    return doc["themes"]


def _check_codes(themes: list[dict], segments: pd.DataFrame, shown: str) -> None:
    known = set(segments["code"])
    for theme in themes:
        for code in theme["codes"]:
            if code not in known:
                raise DataError(f"{shown}: theme '{theme['id']}' names code '{code}', which no "
                                f"export has{closest(code, known)} — use the code's name as "
                                "the export writes it.")


def _quotation(segments: pd.DataFrame, qid: str, theme: str, shown: str) -> pd.DataFrame:
    """The rows (one per code) of the quotation a declared id names."""
    export, _, plain = qid.rpartition("/")
    rows = segments[segments["quotation"] == (plain if export else qid)]
    if export:
        rows = rows[rows["export"] == export]
    if rows.empty:
        raise DataError(f"{shown}: theme '{theme}' names exemplar quotation '{qid}', which no "
                        f"export has{closest(qid, segments['quotation'])} — use the quotation "
                        "ID as the export writes it (Atlas.ti: document:number).")
    if rows["export"].nunique() > 1:
        names = sorted(rows["export"].unique())
        raise DataError(f"{shown}: theme '{theme}': quotation '{qid}' is in several exports "
                        f"({', '.join(names)}) — write it as '{names[0]}/{qid}'.")
    return rows


def theme_table(themes: list[dict], segments: pd.DataFrame, sources: list[str],
                shown: str = "qualitative.themes") -> pd.DataFrame:
    """Quotations, code applications, documents and sources per theme and source.

    Parameters
    ----------
    themes : list of dict
        From :func:`load_themes`.
    segments : DataFrame
        ``peerstudy.qualitative.read_segments``: one row per code applied.
    sources : list of str
        The config's sources, in the order the rows follow.

    Returns
    -------
    DataFrame
        ``THEME_COLUMNS``, per theme (in declared order) a row for ``source``
        ``all`` then one per source. ``quotations``: distinct quotations carrying
        any of the theme's codes; ``sources``: distinct sources among them.
    """
    _check_codes(themes, segments, shown)
    rows = []
    for theme in themes:
        hit = segments[segments["code"].isin(theme["codes"])]
        for source in ["all", *sources]:
            part = hit if source == "all" else hit[hit["source"] == source]
            rows.append({
                "theme": theme["id"], "label": theme["label"],
                "description": " ".join(theme["description"].split()),
                "codes": "; ".join(theme["codes"]), "source": source,
                "quotations": int(part[["export", "quotation"]].drop_duplicates().shape[0]),
                "code_applications": len(part), "documents": int(part["document"].nunique()),
                "sources": int(part["source"].nunique()),
                "exemplars": "; ".join(theme.get("exemplars", []))})
    return pd.DataFrame(rows, columns=THEME_COLUMNS)


def exemplar_quotations(themes: list[dict], segments: pd.DataFrame,
                        shown: str = "qualitative.themes") -> pd.DataFrame:
    """The declared exemplar quotations with their text, document, source and codes.

    An exemplar must exist, carry at least one of its theme's codes and have text
    in the export; otherwise the run stops with the theme and id named.
    """
    _check_codes(themes, segments, shown)
    rows = []
    for theme in themes:
        for order, qid in enumerate(theme.get("exemplars", []), start=1):
            quote = _quotation(segments, qid, theme["id"], shown)
            codes = list(dict.fromkeys(quote["code"]))
            mine = [c for c in codes if c in theme["codes"]]
            if not mine:
                raise DataError(f"{shown}: theme '{theme['id']}': exemplar '{qid}' is coded "
                                f"{', '.join(codes)}, none of the theme's codes — choose a "
                                "quotation of the theme or add its code to the theme.")
            first = quote.iloc[0]
            if not str(first["text"]).strip():
                raise DataError(f"{shown}: theme '{theme['id']}': exemplar '{qid}' has no text "
                                "in the export — export the quotations with their content.")
            rows.append({"theme": theme["id"], "label": theme["label"], "order": order,
                         "quotation": qid, "document": first["document"],
                         "source": first["source"], "theme_codes": "; ".join(mine),
                         "codes": "; ".join(codes), "text": str(first["text"]).strip()})
    return pd.DataFrame(rows, columns=QUOTATION_COLUMNS)


def exemplar_texts(segments: pd.DataFrame, ids: list[str],
                   shown: str = "qualitative.joint_display") -> dict[str, tuple]:
    """``quotation id -> (source, text, codes)`` for quotations named outside a theme."""
    out = {}
    for qid in ids:
        quote = _quotation(segments, qid, "exemplar", shown)
        first = quote.iloc[0]
        out[qid] = (first["source"], str(first["text"]).strip(), set(quote["code"]))
    return out
