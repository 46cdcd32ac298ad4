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
    """Read an SPSS .sav export keeping user-missing codes as values.

    Returns the data frame and pyreadstat's metadata. User-missing codes are
    kept (``user_missing=True``) so that ingestion can log each one instead
    of letting them vanish into NaN.
    """
    import pyreadstat

    full = Path(path)
    path = shown or full  # messages name the file as the config does
    if not full.exists():
        raise DataError(f"{path}: file not found — check the 'path' of this file in the config.")
    if full.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty (0 bytes) — export it again from SPSS.")
    try:
        frame, meta = pyreadstat.read_sav(str(full), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others
        raise DataError(
            f"{path}: cannot be read as an SPSS .sav file ({exc}). The file may be "
            "truncated or not a .sav export — export it again from SPSS (File > Save As > .sav)."
        ) from None
    return frame, meta


def read_delimited(
    path: str | os.PathLike, encoding: str, sep: str, decimal: str, shown: str | None = None
):
    """Read a CSV the way the config says it was written; every cell as text.

    Cells are kept as text so that ingestion can tell '3,5' from '3.5' from
    'tres' and log each one; numbers are parsed later, per column.
    """
    import pandas as pd

    full = Path(path)
    path = shown or full  # messages name the file as the config does
    if not full.exists():
        raise DataError(f"{path}: file not found — check the 'path' of this file in the config.")
    raw = full.read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty — export it again.")
    if raw.startswith(b"\xef\xbb\xbf") and encoding.lower().replace("-", "") != "utf8sig":
        raise DataError(
            f"{path}: the file starts with a UTF-8 byte-order mark but the config says "
            f"encoding '{encoding}' — set encoding: utf-8-sig for this file."
        )
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = _guess_encoding(raw)
        raise DataError(
            f"{path}, line {line}: bytes {raw[exc.start:exc.end]!r} are not valid {encoding} — "
            f"the file looks like {hint}; set encoding: {hint} for this file in the config "
            "or re-export it."
        ) from None
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{encoding}' in the config.") from None
    _check_header(path, text, sep)
    if encoding.lower().replace("-", "") not in ("utf8", "utf8sig") and _is_utf8_text(raw):
        raise DataError(
            f"{path}: the config says encoding '{encoding}' but the file is UTF-8 text "
            f"(reading it as {encoding} would garble accents, e.g. 'Código' -> 'CÃ³digo') — "
            "set encoding: utf-8 for this file in the config."
        )
    import io as _io

    try:
        frame = pd.read_csv(
            _io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[]
        )
    except pd.errors.ParserError as exc:
        raise DataError(
            f"{path}: not a valid '{sep}'-separated file ({exc}) — check the separator "
            "in the config or the export."
        ) from None
    if frame.shape[1] == 1 and sep not in text.splitlines()[0]:
        other = ";" if sep != ";" else ","
        raise DataError(
            f"{path}: the header has no '{sep}' separator (header: {text.splitlines()[0][:80]!r}) "
            f"— the file is probably '{other}'-separated; set sep: '{other}' in the config."
        )
    return frame


def _check_header(path: Path, text: str, sep: str) -> None:
    """Duplicated column names, which pandas would silently rename to 'x.1'."""
    header = text.splitlines()[0].split(sep)
    names = [h.strip().strip('"') for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
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


def _guess_encoding(raw: bytes) -> str:
    for candidate in ("utf-8", "cp1252"):
        try:
            raw.decode(candidate)
            return candidate
        except UnicodeDecodeError:
            continue
    return "latin-1"
