"""Code tables from qualitative-analysis exports (Atlas.ti, MAXQDA).

peerstudy reads what the coding software exported — which code was applied to
which quotation of which document, where it lies and its text — and counts; it
never interprets the quotations. Both readers return one long table, SEGMENTS
(one row per code applied); the code tables use its LINKS columns.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from peerstudy.errors import DataError, closest

LINKS = ["quotation", "document", "source", "code", "group"]
# One row per code applied to a quotation (Atlas.ti) or coded segment (MAXQDA):
# where it lies in its document (begin/end: the export's positions, paragraphs for
# text documents; empty where the export gives none, e.g. image coordinates;
# position: the cells they were read from), its text when the export carries it,
# and the export row it came from.
SEGMENTS = ["quotation", "document", "begin", "end", "position", "text", "code", "group",
            "row"]

ATLAS_QUOTATIONS = {"id": "ID", "document": "Document", "codes": "Codes"}
ATLAS_CODES = {"code": "Code", "groups": "Code Groups"}
# Atlas.ti 9 names the quotation text "Quotation Content", later versions "Content".
ATLAS_TEXT = ["Quotation Content", "Content"]
MAXQDA = {"document": "Document name", "code": "Code",
          "begin": "Begin", "end": "End"}
# "12 - 13", "12 – 13", "¶ 12 – 13" or "12": a text quotation's first and last paragraph.
_REFERENCE = re.compile(r"^\s*¶?\s*(\d+)(?:\s*[-–—]\s*¶?\s*(\d+))?")


def _sheet(path: Path, shown: str, sheet) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{shown}: file not found — check the path in the config's qualitative "
                        "section.")
    try:
        return pd.read_excel(path, sheet_name=sheet, engine="openpyxl", dtype=str).fillna("")
    except ValueError as exc:
        raise DataError(f"{shown}: no sheet '{sheet}' ({exc}) — export the Quotation Manager "
                        "and Code Manager sheets.") from None
    except Exception as exc:  # zipfile.BadZipFile and openpyxl's own errors
        raise DataError(f"{shown}: cannot be read as an Excel workbook ({exc}).") from None


def _require(frame: pd.DataFrame, columns: dict, shown: str, what: str) -> None:
    for col in columns.values():
        if col not in frame.columns:
            raise DataError(
                f"{shown}: {what} has no column '{col}'{closest(col, frame.columns)} — "
                "re-export with that column or rename it."
            )


def _lines(cell: str) -> list[str]:
    return [part.strip() for part in str(cell).splitlines() if part.strip()]


def _int(value) -> int | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return int(number) if number == int(number) else None


def _span(begin, end) -> tuple[int | None, int | None]:
    """A passage's first and last position, or (None, None) when the cells hold none
    (e.g. an image quotation's coordinates): only segment-level agreement needs them,
    and it stops on such a row, naming it."""
    b, e = _int(begin), _int(end)
    if b is None or e is None or e < b:
        return None, None
    return b, e


def _atlas_position(rec: pd.Series) -> tuple[int | None, int | None, str]:
    """Start/End when the export has them, else the paragraphs of Reference."""
    if "Start" in rec.index and "End" in rec.index:
        return (*_span(rec["Start"], rec["End"]), f"Start {rec['Start']}, End {rec['End']}")
    if "Reference" not in rec.index:
        return None, None, "no Reference or Start/End column"
    match = _REFERENCE.match(str(rec["Reference"]))
    shown = f"Reference '{rec['Reference']}'"
    if not match:
        return None, None, shown
    return (*_span(match.group(1), match.group(2) or match.group(1)), shown)


def read_atlas(path: Path, shown: str) -> pd.DataFrame:
    """Atlas.ti 9/22/23 export: sheet 'Quotations' (ID, Document, Codes — one per
    line — and, when exported, the quotation text and its Reference or Start/End)
    and sheet 'Codes' (Code, Code Groups — one per line)."""
    quotes = _sheet(path, shown, "Quotations")
    codes = _sheet(path, shown, "Codes")
    _require(quotes, ATLAS_QUOTATIONS, shown, "sheet 'Quotations'")
    _require(codes, ATLAS_CODES, shown, "sheet 'Codes'")
    groups = {}
    for i, rec in codes.iterrows():
        names = _lines(rec[ATLAS_CODES["groups"]])
        if not names:
            raise DataError(f"{shown}, sheet 'Codes', row {i + 2}: code "
                            f"'{rec[ATLAS_CODES['code']]}' belongs to no code group — assign "
                            "it to one in Atlas.ti and export again.")
        groups[rec[ATLAS_CODES["code"]].strip()] = names
    text_col = next((c for c in ATLAS_TEXT if c in quotes.columns), None)
    rows = []
    for i, rec in quotes.iterrows():
        text = rec[text_col] if text_col else ""
        begin, end, position = _atlas_position(rec)
        for code in _lines(rec[ATLAS_QUOTATIONS["codes"]]):
            if code not in groups:
                raise DataError(f"{shown}, sheet 'Quotations', row {i + 2}: code '{code}' is "
                                f"not listed in sheet 'Codes'{closest(code, groups)}.")
            for group in groups[code]:
                rows.append((rec[ATLAS_QUOTATIONS["id"]].strip(),
                             rec[ATLAS_QUOTATIONS["document"]].strip(), begin, end, position,
                             text, code, group, i + 2))
    return _segments(rows)


def _segments(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=SEGMENTS)
    for col in ("begin", "end"):
        frame[col] = frame[col].astype("Int64")
    return frame


def _delimited(path: Path, shown: str) -> pd.DataFrame:
    """A coded-segments table saved as delimited text, every cell as text.

    Written here rather than left to ``pd.read_csv``'s defaults because the same
    table reaches us in several shapes: UTF-8 with or without a byte-order mark,
    UTF-16 (Excel's 'Unicode text'), separated by ',' or, from a spreadsheet in
    a European locale, ';' or tabs. The encoding comes from the byte-order mark
    (else UTF-8, else a message naming the line); the separator is the one of
    ',', ';' and tab that splits the header into the most columns.
    """
    import csv
    import io as _io

    from peerstudy.io import decode_text

    if not path.exists():
        raise DataError(f"{shown}: file not found — check the path in the config's "
                        "qualitative section.")
    raw = path.read_bytes()
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    try:
        text = decode_text(raw, encoding, shown)
    except DataError as exc:  # its advice names a config key these exports do not have
        raise DataError(f"{str(exc).split(' — ')[0]} — the export is neither UTF-8 nor UTF-16 "
                        "text: save it again as 'CSV UTF-8' (or export .xlsx).") from None
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = max([",", ";", "\t"], key=lambda s: len(next(csv.reader([header], delimiter=s))))
    frame = pd.read_csv(_io.StringIO(text.lstrip("\ufeff")), sep=sep, dtype=str,
                        keep_default_na=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _maxqda_quotations(frame: pd.DataFrame, docs: list[str], begins: list[str],
                       ends: list[str]) -> list[str]:
    """One id per coded segment: 'Document:Begin-End', made unique where it is not.

    MAXQDA has no quotation ids: a coded segment is known by its document and
    position, and a code applied twice to one passage is listed twice with the
    same text. But Begin and End are paragraphs, so two different passages of
    one paragraph (coded with different codes) share 'Doc:5-5'; counted as one
    quotation they would lower the quotation counts and join the codes of both.
    Where one 'Doc:Begin-End' holds different Segment texts, each text gets its
    own id, 'Doc:5-5 #1', '#2', ... in the order of the export. Without a Segment
    column the passages cannot be told apart and keep one id.
    """
    plain = [f"{d}:{b}-{e}" for d, b, e in zip(docs, begins, ends, strict=True)]
    if "Segment" not in frame.columns:
        return plain
    texts = [str(t).strip() for t in frame["Segment"]]
    seen: dict[str, list[str]] = {}
    for qid, text in zip(plain, texts, strict=True):
        if text not in seen.setdefault(qid, []):
            seen[qid].append(text)
    return [qid if len(seen[qid]) == 1 else f"{qid} #{seen[qid].index(text) + 1}"
            for qid, text in zip(plain, texts, strict=True)]


def read_maxqda(path: Path, shown: str) -> pd.DataFrame:
    """MAXQDA 2020/2022 'Coded segments' export (.xlsx, or .csv/.txt saved from it):
    one row per coded segment, with Begin/End (paragraphs for text documents) and
    the Segment text; the code path uses backslashes, its first level is the code
    group and its last the code. Two paths ending in the same code name in one
    group ('Setting\\Culture\\Positive', 'Setting\\Climate\\Positive') would be
    counted as one code, so they stop the run; an empty row is skipped (it
    holds no segment)."""
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        frame = _delimited(path, shown)
    else:
        frame = _sheet(path, shown, 0)
    _require(frame, MAXQDA, shown, "the coded segments")
    frame = frame[[any(str(v).strip() for v in rec) for rec in frame.itertuples(index=False)]]
    texts = frame["Segment"].tolist() if "Segment" in frame.columns else [""] * len(frame)
    docs = [str(d).strip() for d in frame[MAXQDA["document"]]]
    begins = [str(b).strip() for b in frame[MAXQDA["begin"]]]
    ends = [str(e).strip() for e in frame[MAXQDA["end"]]]
    quotations = _maxqda_quotations(frame, docs, begins, ends)
    rows, paths = [], {}
    for k, (i, rec) in enumerate(frame.iterrows()):
        parts = [p.strip() for p in str(rec[MAXQDA["code"]]).split("\\") if p.strip()]
        if len(parts) < 2:
            raise DataError(f"{shown}, row {i + 2}: code '{rec[MAXQDA['code']]}' has no parent "
                            "code group (expected 'Group\\Code') — move it under a group.")
        full = "\\".join(parts)
        key = (parts[0], parts[-1])
        if paths.setdefault(key, (full, i + 2))[0] != full:
            other, where = paths[key]
            raise DataError(
                f"{shown}, row {i + 2}: code '{parts[-1]}' of group '{parts[0]}' ends two "
                f"code paths, '{other}' (row {where}) and '{full}' — they would be counted as "
                "one code; give them distinct names in MAXQDA (e.g. "
                f"'{parts[-2]} {parts[-1]}') and export again."
            )
        begin, end = _span(begins[k], ends[k])
        rows.append((quotations[k], docs[k], begin, end, f"Begin {begins[k]}, End {ends[k]}",
                     texts[k], parts[-1], parts[0], i + 2))
    return _segments(rows)


READERS = {"atlas_ti": read_atlas, "maxqda": read_maxqda}


def read_export(spec: dict, documents: dict[str, str], base: Path = Path("."),
                read: dict | None = None) -> pd.DataFrame:
    """One export (``{path, format}``) as SEGMENTS plus ``source``; every document
    must be declared in ``qualitative.documents``.

    ``read``: a dict kept by the caller for one job, so that a file named twice (a
    coder's export that is also one of the study's exports) is parsed once; the
    checks below run on every call."""
    key = (str(Path(base) / spec["path"]), spec["format"])
    if read is not None and key in read:
        segments = read[key].copy()
    else:
        segments = READERS[spec["format"]](Path(base) / spec["path"], spec["path"])
        if read is not None:
            read[key] = segments.copy()
    unknown = sorted(set(segments["document"]) - set(documents))
    if unknown:
        row = segments.loc[segments["document"] == unknown[0], "row"].iloc[0]
        raise DataError(
            f"{spec['path']}, row {row}: document '{unknown[0]}' is not in "
            f"qualitative.documents{closest(unknown[0], documents)} — add it with "
            "its source (e.g. PSWs) to the config."
        )
    segments["source"] = segments["document"].map(documents)
    return segments


def check_one_group_per_code(links: pd.DataFrame, qual: dict) -> None:
    if qual.get("allow_code_in_several_groups", False):
        return
    spread = links.groupby("code")["group"].nunique()
    if (spread > 1).any():
        code = spread[spread > 1].index[0]
        groups = sorted(links.loc[links["code"] == code, "group"].unique())
        raise DataError(
            f"code '{code}' is in several code groups ({', '.join(groups)}) — keep it in "
            "one, or set qualitative.allow_code_in_several_groups: true."
        )


def read_segments(qual: dict, base: Path = Path("."), read: dict | None = None) -> pd.DataFrame:
    """All exports of the config, checked: SEGMENTS plus ``source`` and ``export`` (its id);
    ``read`` as for :func:`read_export`."""
    frames = [read_export(spec, qual["documents"], base, read).assign(export=spec["id"])
              for spec in qual["exports"]]
    segments = pd.concat(frames, ignore_index=True)
    check_one_group_per_code(segments, qual)
    return segments


def read_exports(qual: dict, base: Path = Path(".")) -> pd.DataFrame:
    """All exports of the config, checked, as one long table of code applications."""
    links = read_segments(qual, base)
    return links[LINKS].sort_values(LINKS, kind="mergesort").reset_index(drop=True)


def code_tables(links: pd.DataFrame, sources: list[str]):
    """(code_groups, codes, code_sources) as in the results contract."""
    total = len(links)
    per_code = (links.groupby(["group", "code"], sort=True)
                .agg(quotations=("quotation", "size"), documents=("document", "nunique"))
                .reset_index())
    group_totals = per_code.groupby("group")["quotations"].transform("sum")
    per_code["share_in_group"] = per_code["quotations"] / group_totals
    groups = (per_code.groupby("group", sort=True)
              .agg(codes=("code", "size"), quotations=("quotations", "sum")).reset_index())
    groups["share"] = groups["quotations"] / total
    by_source = (links.groupby(["code", "source"]).size().unstack(fill_value=0)
                 .reindex(columns=sources, fill_value=0).stack().rename("quotations")
                 .reset_index().sort_values(["code", "source"], kind="mergesort"))
    return groups, per_code, by_source.reset_index(drop=True)


def totals(links: pd.DataFrame) -> pd.DataFrame:
    """One row: quotations, code applications, codes, code groups, documents, sources."""
    return pd.DataFrame([{
        "quotations": int(links["quotation"].nunique()), "code_applications": len(links),
        "codes": int(links["code"].nunique()), "code_groups": int(links["group"].nunique()),
        "documents": int(links["document"].nunique()), "sources": int(links["source"].nunique()),
    }])


def cfir_matrix(links: pd.DataFrame, mapping: dict[str, list[str]], sources: list[str]):
    """Quotations per CFIR domain and source, from a config mapping domain -> codes."""
    rows = []
    for domain, codes in mapping.items():
        sel = links[links["code"].isin(codes)]
        for source in sources:
            part = sel[sel["source"] == source]
            rows.append({"cfir_domain": domain, "source": source,
                         "codes": int(part["code"].nunique()), "quotations": len(part)})
    return pd.DataFrame(rows).sort_values(["cfir_domain", "source"], kind="mergesort")
