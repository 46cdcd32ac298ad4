"""Shared fixtures: the repository root, the default and tiny study configs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch):
    """Configs use paths relative to the repository root, as Snakemake does."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def default_config():
    os.chdir(ROOT)
    from peerstudy.config import load_config

    return load_config(ROOT / "config" / "config.yaml", base=ROOT)


@pytest.fixture(scope="session")
def tiny_config():
    os.chdir(ROOT)
    from peerstudy.config import load_config

    return load_config(ROOT / ".test" / "config.yaml", base=ROOT)


@pytest.fixture(scope="session")
def registry(default_config):
    from peerstudy.config import load_study_registry

    return load_study_registry(default_config, ROOT)


def scratch(tmp: Path) -> Path:
    """A copy of what a run needs, so tests never touch the working tree."""
    from peerstudy.paths import copy_workflow

    return copy_workflow(tmp)


def snakemake(where: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile",
           ".test/config.yaml", *args]
    return subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=900)


def digests(where: Path) -> dict[str, str]:
    out = {}
    for folder in ("data/processed", "results", "reports/tiny"):
        for path in sorted((where / folder).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(where))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def first_run(tmp_path_factory):
    """The tiny study run once, end to end, in a scratch copy."""
    where = scratch(tmp_path_factory.mktemp("run1"))
    proc = snakemake(where)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return where


def default_study_is_built() -> bool:
    """True when the working tree's default study is built and up to date (as after the
    README's first command), so paper tests can read it instead of building again."""
    if not (ROOT / "reports/catalonia/manuscript.pdf").exists():
        return False
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--dry-run",
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    return proc.returncode == 0 and "Nothing to be done" in proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """The default study, built: the working tree's outputs when they are up to date,
    otherwise a fresh run in a scratch copy (tests never write to the working tree)."""
    if default_study_is_built():
        return ROOT
    from peerstudy.paths import copy_workflow

    where = copy_workflow(tmp_path_factory.mktemp("default"), extra=("data/raw/catalonia",))
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2"]
    proc = subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return where


R_PACKAGES = ("afex", "effectsize", "lme4", "lmerTest", "mice", "psych")


@pytest.fixture(scope="session")
def r_or_skip() -> str:
    """Rscript, with the packages the R checks need; the test skips where R is absent.

    CI sets PEERSTUDY_REQUIRE_R=1 (.ci/run), and then a missing R fails the test
    instead: the R checks must never be skipped silently there.
    """
    import shutil

    rscript = shutil.which("Rscript")
    missing = "Rscript is not on PATH"
    if rscript:
        check = ("for (p in c(" + ", ".join(f'"{p}"' for p in R_PACKAGES) + ")) "
                 "if (!nzchar(system.file(package = p))) cat(p, '')")
        proc = subprocess.run([rscript, "-e", check], capture_output=True, text=True)
        missing = (f"R packages missing: {proc.stdout.strip()}" if proc.stdout.strip()
                   else "" if proc.returncode == 0 else f"Rscript failed: {proc.stderr[-300:]}")
    if missing:
        if os.environ.get("PEERSTUDY_REQUIRE_R") == "1":
            pytest.fail(f"PEERSTUDY_REQUIRE_R=1 but {missing} (see .ci/run)")
        pytest.skip(f"{missing}: the R checks need R with {', '.join(R_PACKAGES)}")
    return rscript
