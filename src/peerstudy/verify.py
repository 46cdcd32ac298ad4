"""`peerstudy verify`: does this repository reproduce its own results and manuscript?

A reviewer's one command. It checks the run record (``reports/<id>/run.json``)
against the config, study files, raw exports and lock file on disk, and the
digests the manuscript quotes against the record; it then reruns the workflow
in a clean temporary copy of the repository's workflow sources with the same
config and compares, with what the working tree holds, every results file
(cell by cell, rows matched as ``peerstudy diff`` matches them), every reported
value (each key of ``_variables.yml``), every table cell (``tables/*.md``), and
every other file of the report (figures, HTML, DOCX, PDF) by SHA-256, which is
possible because a run is byte-deterministic.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from peerstudy.diff import compare_tables, json_diff, json_leaves, key_text
from peerstudy.errors import PeerstudyError
from peerstudy.paths import WORKFLOW_SOURCES, copy_workflow
from peerstudy.record import (
    RECORD,
    combined_digest,
    manuscript_provenance,
    read_record,
    sha256_file,
)

DEFAULT_CONFIG = "config/config.yaml"
TREE, RERUN = "working tree", "rerun"
# Text files whose first differing line is worth naming (others: SHA-256 only).
TEXT_SUFFIXES = {".md", ".R", ".sps", ".yml", ".yaml", ".qmd", ".bib", ".csl", ".txt", ".tsv"}
MAX_SHOWN = 160  # characters of a cell shown in a difference


@dataclass
class Check:
    """One line of the verification table: what was compared, how much, what differed."""

    what: str
    compared: int = 0
    unit: str = "files"
    differ: int = 0
    first: str = ""
    files: int = 0            # files behind the cells, for the folder checks
    skipped: str = ""         # why the check did not run

    @property
    def status(self) -> str:
        return "skip" if self.skipped else "ok" if self.differ == 0 else "FAIL"

    def found(self, differences: list[str], compared: int = 1) -> None:
        """Count ``compared`` items and the differences found among them."""
        self.compared += compared
        self.differ += len(differences)
        if differences and not self.first:
            self.first = differences[0]

    def amount(self) -> str:
        if self.skipped:
            return "-"
        if self.compared == 0 and self.unit == "cells":
            return "no files"
        amount = _count(self.compared, self.unit)
        if self.files and self.unit != "files":
            return f"{_count(self.files, 'files')}, {amount}"
        return amount


@dataclass
class Verification:
    """The outcome of ``verify``: one Check per line, and where the rerun was made."""

    study: str
    configfiles: list[str]
    command: str
    digests: dict[str, str]
    checks: list[Check] = field(default_factory=list)
    rerun_dir: Path | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return all(c.status == "ok" for c in self.checks)

    def table(self) -> str:
        """The pass/fail table the command prints."""
        rows = [(c.status, c.what, c.amount(), "-" if c.skipped else str(c.differ),
                 c.skipped or c.first) for c in self.checks]
        head = ("", "check", "compared", "differ", "first difference")
        width = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
        lines = []
        for row in [head, *rows]:
            cells = [row[0].ljust(width[0]), row[1].ljust(width[1]), row[2].rjust(width[2]),
                     row[3].rjust(width[3]), row[4]]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def summary(self) -> str:
        failed = [c.what for c in self.checks if c.status == "FAIL"]
        skipped = sum(c.status == "skip" for c in self.checks)
        if not failed and not skipped:
            return (f"PASS: the rerun reproduces every results file, value, table cell and "
                    f"rendered file of {self.study}, from inputs that hash to the record.")
        if any(c.status == "FAIL" for c in self.checks[:3]):
            hint = ("The config, study files or raw data are not those the run recorded: its "
                    "outputs were made from other inputs.")
        else:
            hint = ("If the sources or config changed since the last run, run snakemake first; "
                    "otherwise the working tree holds outputs that its inputs and sources do "
                    "not produce.")
        return (f"FAIL: {len(failed)} of {len(self.checks)} checks failed "
                f"({'; '.join(failed)})" + (f", {skipped} skipped" if skipped else "")
                + f". {hint}")


def verify(root: str | Path = ".", configfile: str | None = None, *, tolerance: float = 0.0,
           keep: bool = False, cores: int | None = None, rerun: str | Path | None = None,
           progress: Callable[[str], None] = lambda message: None) -> Verification:
    """Check a built study against its run record and against a clean rerun.

    Parameters
    ----------
    root : path
        The repository (working tree) holding the built study.
    configfile : str, optional
        The study's config, relative to ``root``; the default study's when omitted.
    tolerance : float
        Numbers in results tables closer than this count as equal (default 0:
        exact). Values, table cells and rendered files are compared exactly.
    keep : bool
        Keep the temporary copy with the rerun (``Verification.rerun_dir``).
    cores : int, optional
        Cores for the rerun (default: all).
    rerun : path, optional
        A copy that already holds a rerun of the same sources and config (kept
        by an earlier ``keep=True``): it is compared instead of running again.
    progress : callable
        Receives one-line messages while the rerun runs.

    Returns
    -------
    Verification
        One Check per line of the table; ``passed`` is False on any difference.

    Notes
    -----
    When the config, study files or raw data do not hash to the record, the
    rerun is skipped: it would not be a rerun of the recorded run.
    """
    import time

    start = time.monotonic()
    root = Path(root).resolve()
    if not (root / "workflow" / "Snakefile").is_file():
        raise PeerstudyError(f"{root}: no workflow/Snakefile here — run `peerstudy verify` from "
                             "the repository's root folder.")
    configfile = os.path.relpath(root / (configfile or DEFAULT_CONFIG), root)
    study = _study_id(root, configfile)
    record = _read_record(root, configfile, study)
    result = Verification(study=study, configfiles=record["configfiles"],
                          command=record["command"], digests=record["digests"])
    checks = result.checks
    checks += _input_checks(root, record, configfile)
    checks.append(_record_check(root, study, record))
    checks.append(_environment_check(record))
    if any(c.status != "ok" for c in checks[:3]):  # config, study files, raw data
        why = "the inputs do not hash to the record, so a rerun would not repeat the recorded run"
        checks.append(Check("rerun in a clean copy", skipped=why))
    else:
        where = Path(rerun or tempfile.mkdtemp(prefix=f"peerstudy-verify-{study}-"))
        try:
            checks.append(_rerun(root, where, record, cores, progress) if rerun is None
                          else Check("rerun in a clean copy (given)", 1, "runs"))
            if checks[-1].status == "ok":
                checks += _comparisons(root, where, study, tolerance)
        finally:
            if keep or rerun is not None:
                result.rerun_dir = where
            else:
                shutil.rmtree(where, ignore_errors=True)
    if checks[-1].what.startswith("rerun"):
        checks += [Check(what, skipped="no rerun") for what in _comparison_names(study)]
    result.seconds = time.monotonic() - start
    return result


# ---- the record and the inputs ------------------------------------------------------------

def _run_command(configfile: str) -> str:
    extra = "" if configfile == DEFAULT_CONFIG else f" --configfile {configfile}"
    return f"uv run snakemake --cores 4{extra}"


def _study_id(root: Path, configfile: str) -> str:
    from peerstudy.config import read_yaml

    doc = read_yaml(root / configfile)
    study = doc.get("study", {}).get("id") if isinstance(doc.get("study"), dict) else None
    if not study:
        raise PeerstudyError(f"{configfile}: no study.id — is this a peerstudy study config?")
    return str(study)


def _read_record(root: Path, configfile: str, study: str) -> dict:
    path = root / "reports" / study / RECORD
    option = "" if configfile == DEFAULT_CONFIG else f" --configfile {configfile}"
    again = f"`uv run peerstudy verify{option}`"
    if not path.is_file():
        built = (root / "reports" / study / "_variables.yml").is_file()
        what = (f"reports/{study}/ was built before run records existed (no {RECORD})" if built
                else f"the study '{study}' has not been run yet (no reports/{study}/{RECORD})")
        raise PeerstudyError(f"{configfile}: {what} — run `{_run_command(configfile)}` first, "
                             f"then {again}.")
    record = read_record(path)
    if record["study"] != study:
        raise PeerstudyError(f"reports/{study}/{RECORD} records the study '{record['study']}', "
                             f"not '{study}' of {configfile} — rebuild with "
                             f"`{_run_command(configfile)}`.")
    return record


def _input_checks(root: Path, record: dict, configfile: str) -> list[Check]:
    """Each recorded config file, study file, raw export and the lock file, hashed again."""
    groups = [("config", "config file(s): SHA-256"),
              ("study_files", "study files (instruments, themes): SHA-256"),
              ("data", "raw data: SHA-256 of each export"),
              ("lock", "uv.lock: SHA-256")]
    checks = []
    for group, what in groups:
        check = Check(what)
        if group == "config" and configfile not in record["configfiles"]:
            check.found([f"{RECORD} records {', '.join(record['configfiles'])}, not "
                         f"{configfile}"], 0)
        for path, recorded in sorted(record["inputs"][group].items()):
            check.found(_hash_difference(root, path, recorded))
        checks.append(check)
    return checks


def _hash_difference(root: Path, path: str, recorded: str) -> list[str]:
    file = root / path
    if not file.is_file():
        return [f"{path}: missing (the record has it)"]
    found = sha256_file(file)
    if found != recorded:
        return [f"{path}: SHA-256 {found[:16]}… on disk, {recorded[:16]}… in {RECORD}"]
    return []


def _record_check(root: Path, study: str, record: dict) -> Check:
    """The digests and run details the manuscript quotes equal what the record gives."""
    from peerstudy.report.values import Context, repro_values

    check = Check("manuscript quotes the record (repro.*)", unit="values")
    for name, digest in record["digests"].items():
        derived = combined_digest(record["inputs"][name.split("_")[0]])
        check.found([] if digest == derived else
                    [f"{RECORD}, digests.{name}: {digest[:16]}… recorded, {derived[:16]}… "
                     "derived from its inputs"])
    ctx = Context(study=study, results={}, conventions={}, design={}, registry={},
                  provenance=manuscript_provenance(record))
    expected = {v.key: v.text for v in repro_values(ctx)}
    report = root / "reports" / study
    variables = _flat_values(report / "_variables.yml")
    provenance = _provenance_values(report / "provenance.csv")
    for source, found in ((f"reports/{study}/_variables.yml", variables),
                          (f"reports/{study}/provenance.csv", provenance)):
        for key, text in expected.items():
            quoted = found.get(key)
            check.found([] if quoted == text else
                        [f"{source}, key {key}: {_shown(quoted)} quoted, {_shown(text)} "
                         f"from {RECORD}"])
    return check


def _environment_check(record: dict) -> Check:
    """The installed packages are the locked versions the record names."""
    from importlib import metadata

    check = Check("installed packages: locked versions", unit="packages")
    for name, version in sorted(record["versions"].items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # not installed on this platform (markers) or in this environment
        check.found([] if installed == version else
                    [f"{name}: {installed} installed, {version} locked — run `uv sync`"])
    return check


# ---- the rerun ----------------------------------------------------------------------------

def _rerun(root: Path, where: Path, record: dict, cores: int | None,
           progress: Callable[[str], None]) -> Check:
    """Copy the workflow sources and the recorded raw exports, and run Snakemake there."""
    check = Check("rerun in a clean copy", unit="runs")
    top = {Path(name).parts[0] for name in WORKFLOW_SOURCES}
    data = tuple(p for p in record["inputs"]["data"]
                 if not Path(p).is_absolute() and Path(p).parts[0] not in top)
    copy_workflow(where, extra=data, source=root)
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores or os.cpu_count() or 1)]
    cmd += [arg for c in record["configfiles"] if c != DEFAULT_CONFIG
            for arg in ("--configfile", c)]
    if record["config_overrides"]:
        cmd += ["--config", *record["config_overrides"]]
    log = where / "verify-snakemake.log"
    progress(f"rerunning `{record['command']}` in {where} (log: {log.name}) ...")
    with open(log, "w", encoding="utf-8") as handle:
        proc = subprocess.run(cmd, cwd=where, stdout=handle, stderr=subprocess.STDOUT,
                              check=False)
    if proc.returncode != 0:
        lines = [line.strip() for line in
                 log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
        said = [line for line in lines if "peerstudy:" in line or "Error" in line] or lines[-1:]
        check.found([f"snakemake exited with {proc.returncode}: {' '.join(said[:1])[:200]} "
                     "(--keep keeps the copy and its verify-snakemake.log)"])
    else:
        check.found([])
    return check


# ---- comparing the rerun with the working tree --------------------------------------------

def _comparison_names(study: str) -> list[str]:
    return [f"data/processed/{study}/**: every cell", f"results/{study}/**: every cell",
            f"reported values (reports/{study}/_variables.yml)",
            f"table cells (reports/{study}/tables/*.md)",
            f"reports/{study}/** other files (PDF, DOCX, HTML, figures: SHA-256)"]


def _comparisons(tree: Path, fresh: Path, study: str, tol: float) -> list[Check]:
    names = _comparison_names(study)
    report = f"reports/{study}"
    processed = _folder_check(names[0], tree, fresh, f"data/processed/{study}", tol)
    results = _folder_check(names[1], tree, fresh, f"results/{study}", tol)
    values = Check(names[2], unit="keys")
    values.found(*_values_differences(tree, fresh, f"{report}/_variables.yml"))
    tables = Check(names[3], unit="cells")
    for rel in _files(tree, fresh, f"{report}/tables"):
        differences, compared = _table_differences(tree, fresh, rel)
        tables.found(differences, compared)
        tables.files += 1
    rest = _folder_check(names[4], tree, fresh, report, tol,
                         skip=(f"{report}/_variables.yml", f"{report}/tables/"))
    return [processed, results, values, tables, rest]


def _files(tree: Path, fresh: Path, folder: str, skip: tuple[str, ...] = ()) -> list[str]:
    """Every file under ``folder`` in either copy, relative to the copy's root."""
    found = set()
    for base in (tree, fresh):
        found |= {p.relative_to(base).as_posix() for p in (base / folder).rglob("*")
                  if p.is_file()}
    return sorted(f for f in found if not any(f == s or f.startswith(s) for s in skip))


def _folder_check(what: str, tree: Path, fresh: Path, folder: str, tol: float,
                  skip: tuple[str, ...] = ()) -> Check:
    check = Check(what, unit="cells")
    for rel in _files(tree, fresh, folder, skip):
        differences, compared = _file_differences(tree, fresh, rel, tol)
        check.found(differences, compared)
        check.files += 1
    return check


def _file_differences(tree: Path, fresh: Path, rel: str, tol: float) -> tuple[list[str], int]:
    """The differences of one file between the two copies, and how much was compared
    (cells of a CSV, values of a JSON document, otherwise the file as one)."""
    a, b = tree / rel, fresh / rel
    if not a.is_file() or not b.is_file():
        return [f"{rel}: only in the {TREE if a.is_file() else RERUN}"], 1
    same = a.read_bytes() == b.read_bytes()
    if a.suffix == ".csv":
        return _csv_differences(rel, a, b, tol, same)
    if a.suffix == ".json":
        doc = json.loads(a.read_text(encoding="utf-8"))
        if same:
            return [], json_leaves(doc)
        lines = json_diff(doc, json.loads(b.read_text(encoding="utf-8")))
        return [f"{rel}, {line} ({TREE} -> {RERUN})" for line in lines] or [
            f"{rel}: the bytes differ (formatting)"], json_leaves(doc)
    if same:
        return [], 1
    if a.suffix in TEXT_SUFFIXES:
        return [_first_line_difference(rel, a, b)], 1
    return [f"{rel}: SHA-256 {sha256_file(a)[:16]}… in the {TREE}, "
            f"{sha256_file(b)[:16]}… in the {RERUN}"], 1


def _csv_differences(rel: str, a: Path, b: Path, tol: float, same: bool) -> tuple[list[str], int]:
    import pandas as pd

    try:
        if same:
            frame = pd.read_csv(a, dtype=str, keep_default_na=False)
            return [], frame.size
        found = compare_tables(a, b, tol)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        return ([] if same else [_first_line_difference(rel, a, b)]), 1
    out = [f"{rel}, column {c}: only in the {TREE}" for c in found.columns_removed]
    out += [f"{rel}, column {c}: only in the {RERUN}" for c in found.columns_added]
    out += [f"{rel}, row {key_text(k, named=True)}: only in the {TREE}" for k in found.removed]
    out += [f"{rel}, row {key_text(k, named=True)}: only in the {RERUN}" for k in found.added]
    out += [f"{rel}, row {key_text(k, named=True)}, column {col}: {_shown(va)} ({TREE}) vs "
            f"{_shown(vb)} ({RERUN})" for k, col, va, vb in found.changed]
    if not out and tol == 0:
        out = [f"{rel}: every cell matches but the bytes differ (row order or line endings): "
               + _first_line_difference(rel, a, b).split(": ", 1)[1]]
    return out, found.cells


def _first_line_difference(rel: str, a: Path, b: Path) -> str:
    la = a.read_text(encoding="utf-8", errors="replace").splitlines()
    lb = b.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, (x, y) in enumerate(zip(la, lb, strict=False), start=1):
        if x != y:
            return f"{rel}, line {i}: {_shown(x)} ({TREE}) vs {_shown(y)} ({RERUN})"
    if len(la) != len(lb):
        return f"{rel}: {len(la)} lines in the {TREE}, {len(lb)} in the {RERUN}"
    return f"{rel}: the bytes differ (line endings or encoding)"


def _flat_values(path: Path) -> dict[str, str]:
    """{dotted key: text} of a _variables.yml ({} when the file is absent)."""
    if not path.is_file():
        return {}
    out: dict[str, str] = {}

    def walk(node, prefix):
        for key, value in (node or {}).items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out[f"{prefix}{key}"] = "" if value is None else str(value)
    walk(yaml.safe_load(path.read_text(encoding="utf-8")), "")
    return out


def _provenance_values(path: Path) -> dict[str, str]:
    import pandas as pd

    if not path.is_file():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return dict(zip(frame["variable"], frame["value"], strict=True))


def _values_differences(tree: Path, fresh: Path, rel: str) -> tuple[list[str], int]:
    """Each key of _variables.yml, compared as the text the manuscript prints."""
    a, b = _flat_values(tree / rel), _flat_values(fresh / rel)
    if not (tree / rel).is_file() or not (fresh / rel).is_file():
        missing = TREE if not (tree / rel).is_file() else RERUN
        return ([f"{rel}: missing in the {missing}"] if a or b else []), len(a)
    out = []
    for key in sorted(set(a) | set(b)):
        if key not in b or key not in a:
            out.append(f"{rel}, key {key}: only in the {TREE if key in a else RERUN}")
        elif a[key] != b[key]:
            out.append(f"{rel}, key {key}: {_shown(a[key])} ({TREE}) vs {_shown(b[key])} "
                       f"({RERUN})")
    return out, len(a)


# A Markdown pipe table's delimiter row, e.g. |:--|--:|.
DELIMITER = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


def _md_rows(text: str) -> list[tuple[list[str], list[str]]]:
    """(header, cells) per row of every pipe table in a Markdown file; any other line
    is a row of one cell under the header ``text``."""
    lines = text.splitlines()
    rows, header = [], ["text"]
    for i, line in enumerate(lines):
        if DELIMITER.match(line):
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if i + 1 < len(lines) and DELIMITER.match(lines[i + 1]):
                header = cells
            rows.append((header, cells))
        elif line.strip():
            rows.append((["text"], [line]))
    return rows


def _row_labels(rows: list[tuple[list[str], list[str]]]) -> list[str]:
    """Name each row by its first cell, or its first two when the first repeats, with
    the row number when even that repeats."""
    def label(cells, k):
        return " / ".join(c.replace("**", "").strip() for c in cells[:k])
    firsts = [label(c, 1) for _, c in rows]
    labels = [label(c, 1) if firsts.count(label(c, 1)) == 1 else label(c, 2) for _, c in rows]
    return [lab if labels.count(lab) == 1 else f"{lab} (row {i})"
            for i, lab in enumerate(labels, start=1)]


def _table_differences(tree: Path, fresh: Path, rel: str) -> tuple[list[str], int]:
    """Every cell of a rendered table, compared by position as the manuscript prints it."""
    a, b = tree / rel, fresh / rel
    if not a.is_file() or not b.is_file():
        return [f"{rel}: only in the {TREE if a.is_file() else RERUN}"], 1
    rows_a = _md_rows(a.read_text(encoding="utf-8"))
    rows_b = _md_rows(b.read_text(encoding="utf-8"))
    labels = _row_labels(rows_a)
    out = []
    if len(rows_a) != len(rows_b):
        out.append(f"{rel}: {len(rows_a)} rows in the {TREE}, {len(rows_b)} in the {RERUN}")
    for label, (header, ca), (_, cb) in zip(labels, rows_a, rows_b, strict=False):
        for j in range(max(len(ca), len(cb))):
            va = ca[j] if j < len(ca) else None
            vb = cb[j] if j < len(cb) else None
            if va != vb:
                column = header[j] if j < len(header) else f"column {j + 1}"
                out.append(f"{rel}, row {label}, column {column}: {_shown(va)} ({TREE}) vs "
                           f"{_shown(vb)} ({RERUN})")
    if not out and a.read_bytes() != b.read_bytes():
        out.append(_first_line_difference(rel, a, b))
    return out, sum(len(cells) for _, cells in rows_a)


def _count(n: int, unit: str) -> str:
    return f"{n:,} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


def _shown(value) -> str:
    text = "(none)" if value is None else repr(str(value))
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…'"
