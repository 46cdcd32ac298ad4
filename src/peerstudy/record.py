"""The run record: what a run was made from, kept next to its manuscript.

``reports/<id>/run.json`` lists the full SHA-256 of every config file, study
file (instrument registry, themes), raw export and the lock file, by path,
with the command and the locked package versions. The report_inputs rule
writes it (deterministic: no time stamps, relative paths, sorted keys); the
manuscript's ``repro.*`` values are derived from it and ``peerstudy verify``
checks it against the files on disk.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

from peerstudy.errors import PeerstudyError
from peerstudy.io import write_json

RECORD = "run.json"

# The packages the manuscript names in `repro.versions` (the record keeps every one).
MANUSCRIPT_PACKAGES = ("snakemake", "pandas", "numpy", "scipy", "statsmodels", "pyreadstat",
                       "matplotlib", "pypandoc-binary", "typst", "openpyxl")


def sha256_file(path: str | Path) -> str:
    """The full SHA-256 of a file's bytes, as ``sha256sum`` prints it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def combined_digest(files: dict[str, str]) -> str:
    """One SHA-256 for a set of files: the digest of their ``sha256sum`` listing.

    Parameters
    ----------
    files : dict
        ``{path: sha256}``, as a record's ``inputs`` groups hold them.

    Returns
    -------
    str
        SHA-256 (64 hex digits) of the lines ``"<sha256>  <path>\\n"`` sorted by
        path, which is what ``sha256sum FILE... | sha256sum`` prints when the
        files are named in sorted (``LC_ALL=C``) order. A reviewer can therefore
        recompute it with coreutils alone, and a record's per-file digests give
        it without reading the files again.
    """
    listing = "".join(f"{files[path]}  {path}\n" for path in sorted(files))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def locked_versions(lock: str | Path) -> dict[str, str]:
    """``{package: version}`` of every package in ``uv.lock``."""
    data = tomllib.loads(Path(lock).read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in data.get("package", []) if "version" in p}


def run_record(*, study: str, command: str, configfiles: list[str], overrides: list[str],
               study_files: list[str], data: list[str], lock: str) -> dict:
    """The record of one run: what it read (by path and full SHA-256) and how it ran.

    Parameters
    ----------
    study : str
        The study id.
    command : str
        The command that regenerates the outputs (as ``repro.command`` quotes it).
    configfiles : list of str
        The config file(s) in force, relative to the repository root.
    overrides : list of str
        ``--config key=value`` overrides given on the command line, in order.
    study_files : list of str
        The other files the config names: the instrument registry and themes.
    data : list of str
        Every raw export the run read (roster, questionnaires, coding exports).
    lock : str
        The lock file (``uv.lock``).

    Returns
    -------
    dict
        ``study``, ``command``, ``configfiles``, ``config_overrides``,
        ``inputs`` (``config``, ``study_files``, ``data``, ``lock``: each
        ``{path: sha256}``), ``digests`` (``config_sha256`` and
        ``data_sha256``, see :func:`combined_digest`) and ``versions`` (every
        locked package).
    """
    inputs = {
        "config": _digests(configfiles),
        "study_files": _digests(study_files),
        "data": _digests(data),
        "lock": _digests([lock]),
    }
    return {
        "study": study,
        "command": command,
        "configfiles": list(configfiles),
        "config_overrides": list(overrides),
        "inputs": inputs,
        "digests": record_digests(inputs),
        "versions": locked_versions(lock),
    }


def record_digests(inputs: dict) -> dict[str, str]:
    """The two digests the manuscript quotes, from a record's per-file digests."""
    return {"config_sha256": combined_digest(inputs["config"]),
            "data_sha256": combined_digest(inputs["data"])}


def _digests(paths: list[str]) -> dict[str, str]:
    return {str(path): sha256_file(path) for path in sorted(set(map(str, paths)))}


def write_record(record: dict, path: str | Path) -> None:
    write_json(path, record)


def read_record(path: str | Path) -> dict:
    """Read a run record; a missing or damaged one stops with what to do."""
    path = Path(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PeerstudyError(f"{path} not found: the study has no run record") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PeerstudyError(f"{path}: not a readable run record ({exc}) — rebuild it with "
                             f"`uv run snakemake --cores 4`") from None
    missing = [k for k in ("study", "command", "configfiles", "config_overrides", "inputs",
                           "digests", "versions") if k not in record]
    if missing:
        raise PeerstudyError(f"{path}: the run record lacks {', '.join(missing)} — rebuild it "
                             "with `uv run snakemake --cores 4`")
    return record


def manuscript_provenance(record: dict) -> dict:
    """What the manuscript's ``repro.*`` values quote, derived from the record."""
    return {"command": record["command"],
            "versions": {k: v for k, v in record["versions"].items()
                         if k in MANUSCRIPT_PACKAGES},
            **record_digests(record["inputs"])}
