"""Reading raw exports and writing results safely.

Raw exports are read with the tools made for them (pyreadstat for SPSS,
pandas for delimited text) and every failure is turned into a DataError that
names the file and the fix. Every output goes through ``write_csv`` /
``write_text``, which write to a temporary file and rename it, so a crash
never leaves a half-written file that a later rule would trust.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from peerstudy.errors import DataError

# 2023-01-01T00:00:00Z: the fixed date written into rendered documents (pandoc's
# SOURCE_DATE_EPOCH, Typst's timestamp), so that they are byte-identical on rerun
EPOCH = 1672531200


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def write_csv(path: str | os.PathLike, frame, sort_by: list[str] | None = None) -> None:
    """Write a tidy table as the results contract asks: UTF-8, '.' decimals, stable order."""
    if sort_by:
        frame = frame.sort_values(sort_by, kind="mergesort").reset_index(drop=True)
    text = frame.to_csv(index=False, lineterminator="\n")
    write_text(path, text)


def read_sav(path: str | os.PathLike, shown: str | None = None):
    """Read an SPSS .sav (or .zsav) export with its metadata, converting nothing.

    Returns the data frame and pyreadstat's metadata. User-missing codes are
    kept as values (``user_missing=True``) and their declarations are in
    ``meta.missing_ranges``, so that ingestion can honour and log each one.
    Dates stay numbers (``disable_datetime_conversion=True``): a date column is
    recognised by its SPSS format and named in a message, instead of being
    converted (an out-of-range date made pyreadstat fail on the whole file).
    """
    import pyreadstat

    full = Path(path)
    path = shown or full  # messages name the file as the config does
    if not full.exists():
        raise DataError(f"{path}: file not found — check the 'path' of this file in the config.")
    if full.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty (0 bytes) — export it again from SPSS.")
    with open(full, "rb") as handle:
        head = handle.read(4096)
    if b"SPSS PORT FILE" in head[:512]:
        raise DataError(f"{path}: is an SPSS portable file (.por), which is not read — open it "
                        "in SPSS or PSPP and save it as .sav (IMPORT FILE='x.por'. SAVE "
                        "OUTFILE='x.sav'.), then point the config at the .sav.")
    if not head.startswith((b"$FL2", b"$FL3")):
        for magic, what, _ in BINARY_FORMATS:
            if head.startswith(magic):
                raise DataError(f"{path}: the config reads it as an SPSS .sav file, but it is "
                                f"{what} — export it from SPSS as .sav, or save the sheet as "
                                "CSV and set format: csv.")
        first = head.lstrip(UTF8_BOM).splitlines()[0][:80] if head.strip() else b""
        if b"\x00" not in head and any(s in first for s in (b",", b";", b"\t")):
            raise DataError(f"{path}: the config reads it as an SPSS .sav file, but it is text "
                            f"(it begins {first!r}) — set format: csv (with sep, decimal and "
                            "encoding) for this file.")
    try:
        frame, meta = pyreadstat.read_sav(str(full), user_missing=True,
                                          disable_datetime_conversion=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others
        raise DataError(
            f"{path}: cannot be read as an SPSS .sav file ({exc}). The file may be "
            "truncated or not a .sav export — export it again from SPSS (File > Save As > .sav)."
        ) from None
    return frame, meta


UTF8_BOM = b"\xef\xbb\xbf"

# The first bytes of files that are not delimited text, and what they are.
BINARY_FORMATS = [
    (b"PK\x03\x04", "an Excel/OpenDocument workbook (.xlsx/.ods, a zip archive)",
     "save the sheet as 'CSV UTF-8' and point the config at the .csv"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)",
     "save the sheet as 'CSV UTF-8' and point the config at the .csv"),
    (b"$FL2", "an SPSS .sav file", "set format: sav for this file in the config"),
    (b"$FL3", "a compressed SPSS .zsav file", "set format: sav for this file in the config"),
    (b"\x1f\x8b", "a gzip archive", "unpack it and point the config at the .csv inside"),
]


def _not_text(raw: bytes, path) -> None:
    """Stop on a file that is not text at all, before an encoding is guessed for it.

    Without this a workbook or .sav file named as a CSV failed to decode, and the
    message advised another encoding (latin-1 decodes any bytes), which led to a
    garbled header instead of the real fix.
    """
    for magic, what, fix in BINARY_FORMATS:
        if raw.startswith(magic):
            raise DataError(f"{path}: the config reads it as delimited text, but it is {what} "
                            f"— {fix}.")
    head = raw[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path}: the file holds NUL bytes, so it is not text in a one-byte "
                        "encoding or UTF-8: it may be UTF-16 without a byte-order mark (set "
                        "encoding: utf-16-le) or not a text export at all — save it again as "
                        "'CSV UTF-8'.")


def decode_text(raw: bytes, encoding: str, path) -> str:
    """Bytes -> text as the config says, with messages that name the line and the fix.

    A UTF-8 byte-order mark is dropped when the config says UTF-8 (with or
    without ``-sig``): the file is UTF-8 either way. A message never suggests
    the encoding the config already has, so its advice cannot go round in a loop.
    """
    import codecs

    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{encoding}' in the config "
                        "(e.g. utf-8, cp1252, latin-1).") from None
    bom = raw.startswith(UTF8_BOM)
    body = raw[len(UTF8_BOM):] if bom else raw
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) and not codec.startswith("utf-16"):
        raise DataError(f"{path}: the file is UTF-16 text (as Excel's 'Unicode text' saves it) "
                        f"but the config says encoding '{encoding}' — set encoding: utf-16.")
    if bom and codec not in ("utf-8", "utf-8-sig"):
        advice = ("set encoding: utf-8-sig for this file" if _decodes(body, "utf-8") else
                  "the rest of the file is not UTF-8 either (it mixes encodings): export it "
                  "again as 'CSV UTF-8'")
        raise DataError(f"{path}: the file starts with a UTF-8 byte-order mark but the config "
                        f"says encoding '{encoding}' — {advice}.")
    base = "utf-8" if codec == "utf-8-sig" else codec
    try:
        text = (body if bom else raw).decode(base)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(UTF8_BOM) if bom else 0)
        line, column = _line_of(raw, offset)
        bad = raw[offset:offset + max(1, exc.end - exc.start)]
        raise DataError(
            f"{path}, line {line}, byte {column}: bytes {bad!r} are not valid {encoding} — "
            f"{_encoding_advice(raw, bom, base)} (the line reads {_context(raw, offset)!r})"
        ) from None
    if base not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be") and _is_utf8_text(raw):
        raise DataError(
            f"{path}: the config says encoding '{encoding}' but the file is UTF-8 text "
            f"(reading it as {encoding} would garble accents, e.g. 'Código' -> 'CÃ³digo') — "
            "set encoding: utf-8 for this file in the config."
        )
    return text


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _line_of(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and byte-in-line of ``offset``; CR, LF and CRLF all end a line."""
    head = raw[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return head.count(b"\n") + 1, len(head) - (head.rfind(b"\n") + 1) + 1


def _context(raw: bytes, offset: int) -> bytes:
    """The bytes around ``offset`` on its own line."""
    start = max(raw.rfind(b"\n", 0, offset), raw.rfind(b"\r", 0, offset)) + 1
    start = max(start, offset - 20)
    end = min([i for i in (raw.find(b"\n", offset), raw.find(b"\r", offset)) if i >= 0]
              + [offset + 20])
    return raw[start:end]


def _encoding_advice(raw: bytes, bom: bool, tried: str) -> str:
    if bom:
        return ("the file starts with a UTF-8 byte-order mark but is not UTF-8 after it (it "
                "mixes encodings); export it again as 'CSV UTF-8'")
    for candidate in ("utf-8", "cp1252", "latin-1"):
        if candidate != tried and _decodes(raw, candidate):
            return (f"the file looks like {candidate}; set encoding: {candidate} for this file "
                    "in the config, or re-export it")
    return "re-export the file as UTF-8"


def read_delimited(
    path: str | os.PathLike, encoding: str, sep: str, decimal: str, shown: str | None = None
):
    """Read a CSV the way the config says it was written; every cell as text.

    Cells are kept as text so that ingestion can tell '3,5' from '3.5' from
    'tres' and log each one; numbers are parsed later, per column. The
    standard library's csv reader is used (not pandas) because it reports
    each record's own field count: pandas pads a short row with empty cells
    and moves a long row's extra field into the index, both silently.

    Blank records (an empty line, or only separators) are kept as rows of
    ``None`` so that ingestion logs and excludes each one with its row number.
    A record with fewer fields than the header, or with extra non-empty fields,
    stops with the row named. Extra fields that are all empty (trailing
    separators) are dropped: they hold nothing.
    """
    import csv
    import io as _io

    import pandas as pd

    full = Path(path)
    path = shown or full  # messages name the file as the config does
    if not full.exists():
        raise DataError(f"{path}: file not found — check the 'path' of this file in the config.")
    raw = full.read_bytes()
    if not raw.strip() or raw.strip() == UTF8_BOM:
        raise DataError(f"{path}: the file is empty — export it again.")
    _not_text(raw, path)
    text = decode_text(raw, encoding, path)
    text = _separator_hint(text, sep, path)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise DataError(f"{path}, line {reader.line_num}: cannot be split into fields ({exc}) "
                        "— check the export (an unclosed quote?) and the config's sep.") from None
    while records and not any(f.strip() for f in records[0]):
        records.pop(0)  # blank lines before the header hold nothing
    if not records:
        raise DataError(f"{path}: the file is empty — export it again.")
    header = records[0]
    while header and header[-1] == "" and len(header) > 1:
        header = header[:-1]  # a trailing separator after the last name
    if len(header) == 1 and sep not in text.splitlines()[0]:
        other = ";" if sep != ";" else ","
        raise DataError(
            f"{path}: the header has no '{sep}' separator (header: {text.splitlines()[0][:80]!r}) "
            f"— the file is probably '{other}'-separated; set sep: '{other}' in the config."
        )
    _check_header(path, header)
    rows = records[1:]
    if not any(any(f.strip() for f in r) for r in rows):
        raise DataError(
            f"{path}: the file has a header but no data rows — an empty export would silently "
            "drop its participants; export it again, or remove it from raw_files."
        )
    width = len(header)
    cells = []
    for number, record in enumerate(rows, start=1):
        if not any(f.strip() for f in record):
            cells.append([None] * width)
            continue
        if len(record) < width:
            raise DataError(
                f"{path}, row {number}: {len(record)} fields, but the header has {width} — a "
                f"cell or a '{sep}' is missing in this row (values would shift into the wrong "
                "columns); fix the row in the export."
            )
        if len(record) > width:
            if any(f.strip() for f in record[width:]):
                raise DataError(
                    f"{path}, row {number}: {len(record)} fields, but the header has {width} — "
                    f"a value probably contains the separator '{sep}' without quotes, or the "
                    "header lost a column name; fix the row in the export."
                )
            record = record[:width]
        cells.append(record)
    return pd.DataFrame(cells, columns=header, dtype=object)


def _separator_hint(text: str, sep: str, path) -> str:
    """Drop Excel's separator hint, a first line 'sep=;', after checking it.

    Excel reads the line and hides it, so a person who opened the file never saw
    it; left in, it was the header (one column) and every row 'too long'. A hint
    naming another separator than the config's stops: one of the two is wrong.
    """
    first, _, rest = text.partition("\n")
    hint = first.strip().strip('"')
    if not (hint.lower().startswith("sep=") and len(hint) == 5):
        return text
    if hint[4] != sep:
        raise DataError(f"{path}, line 1: the file says {hint!r} but the config says sep: "
                        f"{sep!r} — set sep: {hint[4]!r} for this file.")
    return "\n" + rest  # an empty first line keeps the line numbers of messages


def _check_header(path, header: list[str]) -> None:
    """Duplicated or empty column names, which pandas would silently rename."""
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise DataError(
            f"{path}: column '{dupes[0]}' appears twice in the header — keep one of them."
        )


def _is_utf8_text(raw: bytes) -> bool:
    """True for valid UTF-8 that contains non-ASCII characters."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b > 127 for b in raw)
