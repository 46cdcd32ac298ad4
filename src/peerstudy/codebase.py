"""What code a rule script runs: its import closure in this package, and a digest of it.

Snakemake reruns a job when its script changes, but not when a module the
script imports changes. Each rule therefore lists one input, ``code``: a small
file (``.snakemake/peerstudy/code/<script>.sha256``) holding the SHA-256 of
every file of the script's import closure within ``peerstudy`` (the modules it
imports, directly or through other modules, the ``__init__`` of each package
on the way, and the package data that one of those modules names: the R
templates, the Quarto filters and layouts). The digest is computed when the workflow is parsed and
written only when it differs from the file on disk, so editing a module reruns
exactly the rules whose scripts reach it, and the job header names one file
instead of every module.

The closure is found from the source text (every ``import`` statement, at any
depth: lazy imports inside functions count), so it needs no import of the
scientific stack and costs a few milliseconds per call. It over-approximates
at worst (an import in an unused branch still counts), never misses a module:
``tests/test_workflow_conventions.py`` runs every rule and checks that each
peerstudy module a job really imported is in its rule's closure.

Only the standard library is used: this runs on every Snakemake call.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIGESTS = ".snakemake/peerstudy/code"

# `from a.b import c, d` / `from . import x` / `import a.b as c, d`; a parenthesised
# list may span lines. Strings are not excluded: an import in a docstring's example
# only widens the closure.
_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.M)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n]+)", re.M)


@functools.lru_cache(maxsize=2048)
def _module_file(name: str, package: Path) -> Path | None:
    """The file of a peerstudy module (``peerstudy.report.build``) under ``package``."""
    parts = name.split(".")
    if parts[0] != "peerstudy":
        return None
    base = package.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_of(path: Path, package: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] != "__init__" else parts[:-1])


def _bytes(path: Path) -> bytes:
    """A file's bytes, read once per process while the file is unchanged (the workflow
    digests every rule's closure when it is parsed, and the closures share most files)."""
    stat = path.stat()
    return _cached_bytes(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _cached_bytes(path: Path, mtime_ns: int, size: int) -> bytes:
    return path.read_bytes()


def _text(path: Path) -> str:
    return _bytes(path).decode("utf-8")


def _imports(path: Path, root: Path) -> tuple[frozenset[str], frozenset[str]]:
    """(peerstudy modules, other top-level module names) imported anywhere in ``path``."""
    return _parsed_imports(path, root, _text(path))


@functools.lru_cache(maxsize=1024)
def _parsed_imports(path: Path, root: Path, text: str) -> tuple[frozenset[str], frozenset[str]]:
    own, other = set(), set()
    src = root / "src/peerstudy"
    package = _package_of(path, src) if path.is_relative_to(src) else ""
    for source, names in _FROM.findall(text):
        if source.startswith("."):
            dots = len(source) - len(source.lstrip("."))
            base = package.split(".")[: len(package.split(".")) - (dots - 1)]
            source = ".".join([*base, source.lstrip(".")] if source.lstrip(".") else base)
        top = source.split(".")[0]
        if top != "peerstudy":
            if top:
                other.add(top)
            continue
        own.add(source)
        for name in re.split(r"[,\s()]+", names):
            name = name.split(" as ")[0].strip()
            if name and name.isidentifier():
                own.add(f"{source}.{name}")  # a submodule, when it is one
    for clause in _IMPORT.findall(text):
        for part in clause.split("#")[0].split(","):
            name = part.strip().split(" ")[0]
            if not name or not all(p.isidentifier() for p in name.split(".")):
                continue
            if name.split(".")[0] == "peerstudy":
                own.add(name)
            else:
                other.add(name.split(".")[0])
    return frozenset(own), frozenset(other)


def _package_data(init: Path) -> dict[str, list[Path]]:
    """:func:`_listed_data`, listed once per process while the package folder is
    unchanged (a file added to or removed from it changes its time stamp)."""
    return _listed_data(init, init.parent.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _listed_data(init: Path, mtime_ns: int) -> dict[str, list[Path]]:
    """Non-Python files of a package, by the name a module would use to reach them: a
    file in the package's folder by its file name, a sub-folder that is not a package
    itself (e.g. report/quarto/, syntax/R/) by the folder's name, with every file in it."""
    found: dict[str, list[Path]] = {}
    for path in sorted(init.parent.iterdir()):
        if path.is_file() and path.suffix not in (".py", ".pyc"):
            found[path.name] = [path]
        elif path.is_dir() and path.name != "__pycache__" and not (path / "__init__.py").exists():
            found[path.name] = sorted(p for p in path.rglob("*") if p.is_file() and
                                      "__pycache__" not in p.parts)
    return found


def _data_used(module: Path, package_data: dict[str, list[Path]]) -> list[Path]:
    """The package data a module reaches: the items whose name it writes as a string
    literal (``Path(__file__).parent / "quarto"``, ``TEMPLATES / "R"``). A module that
    names no data file does not depend on it: the figures, which import the report
    package for its number formats, do not rerun when the PDF layout changes."""
    text = _text(module)
    return [path for name, paths in package_data.items()
            if re.search(rf"""["']{re.escape(name)}["']""", text) for path in paths]


def closure(script: str | Path, root: str | Path = ROOT) -> tuple[list[Path], set[str]]:
    """Every package file ``script`` may run, and the third-party modules it imports.

    ``root`` is the repository whose ``src/peerstudy`` is searched (a copy of the
    workflow is tracked on its own files). Returns ``(files, third_party)``: ``files``
    sorted, within ``src/peerstudy``; ``third_party`` the top-level names outside the
    standard library and peerstudy.
    """
    root = Path(root).resolve()
    package = root / "src/peerstudy"
    seen: dict[str, Path] = {}
    third: set[str] = set()
    todo = [(root / script).resolve()]
    visited: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in visited:
            continue
        visited.add(path)
        own, other = _imports(path, root)
        third |= other
        for name in own:
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # each package on the way runs its __init__
                module = ".".join(parts[:i])
                if module in seen:
                    continue
                found = _module_file(module, package)
                if found is not None:
                    seen[module] = found
                    todo.append(found)
    files = set(seen.values())
    for module in list(files):  # package data, where a module of the closure names it
        files |= set(_data_used(module, _package_data(module.parent / "__init__.py")))
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    return sorted(files), {m for m in third if m not in stdlib and m != "peerstudy"}


def digest(files: list[Path], root: str | Path = ROOT) -> str:
    """SHA-256 over each file's path (relative to ``root``) and bytes."""
    h = hashlib.sha256()
    root = Path(root).resolve()
    for path in files:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(_bytes(path) + b"\0")
    return h.hexdigest()


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` only when the file holds something else, through a
    temporary file renamed in one step: its time stamp moves only when its content does,
    which is what Snakemake's ``mtime`` trigger reads."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = None
    if current != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def code_digest_file(script: str, root: str | Path = ROOT, workdir: str | Path = ".") -> str:
    """The digest file of a rule script (``scripts/<name>.py`` under ``root``), written
    when it changed.

    Returns its path relative to ``workdir``, for the rule's ``code`` input. The file
    holds the digest and the closure's files, one per line, so that a reader can see
    what a rule's code is.
    """
    root = Path(root).resolve()
    files, _ = closure(script, root)
    lines = [digest(files, root), *(p.relative_to(root).as_posix() for p in files)]
    text = "\n".join(lines) + "\n"
    path = Path(workdir) / DIGESTS / f"{Path(script).stem}.sha256"
    _write_if_changed(path, text)
    return f"{DIGESTS}/{path.name}"


SETTINGS = ".snakemake/peerstudy/settings"


def _plain(value):
    """A value as JSON can hold it, in a stable order: a mapping's keys as text (a config
    may mix numeric and text keys, e.g. value labels), a set as its sorted list, a value
    JSON does not know as its text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=str)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def settings_file(study: str, rule: str, values: dict, workdir: str | Path = ".") -> str:
    """Write a rule's settings (its ``params``) to
    ``.snakemake/peerstudy/settings/<study>/<rule>.json`` when they differ from the file;
    return the path, for the rule's ``settings`` input.

    The file is how a job learns that the config it depends on changed: it is
    rewritten only then, so its time stamp moves only then, and Snakemake's ``mtime``
    trigger reruns the job, naming the file as the updated input. Snakemake's own
    ``params`` trigger would do the same, but it imports pandas to serialise the
    params on every call, no-ops included (about a third of a second); the default
    profile therefore leaves it out (``rerun-triggers``). One file per study, so that
    building another study does not rewrite this one's.
    """
    text = json.dumps(_plain(values), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    path = Path(workdir) / SETTINGS / study / f"{rule}.json"
    _write_if_changed(path, text)
    return f"{SETTINGS}/{study}/{rule}.json"


def compile_package() -> None:
    """Write the bytecode of this package's modules where it is missing or stale.

    ``uv sync --compile-bytecode`` compiles the installed packages once, but not this
    project's own source (installed editable); with ``PYTHONDONTWRITEBYTECODE=1``
    Python then recompiles every peerstudy module in every job (about 80 ms a job).
    Called when the workflow is parsed: compileall checks each module's timestamp
    against its ``__pycache__`` entry (a few milliseconds) and compiles only what
    changed. A source folder that cannot be written to is left as it is.
    """
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent), quiet=2)

