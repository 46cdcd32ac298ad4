"""Shared fixtures: the repository root, the study configs, and the studies built once.

End-to-end tests read shared builds: each study is run once per test session, in a
scratch copy, and every test that only reads its outputs uses that copy (tests that
change something work on a copy of a build, which keeps Snakemake's records, so that
only what the change touches reruns). With pytest-xdist the workers share the builds:
the first worker to need one builds it under a file lock while the others wait, and a
worker announces each build on the terminal.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# One thread for the linear-algebra libraries, as Snakemake gives a one-thread job:
# OpenBLAS's threads make the small matrix work of the statistics many times slower on
# a shared 2-core machine. Set before numpy is first imported.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TRACE = "imports.jsonl"  # PEERSTUDY_TRACE_IMPORTS: what each job imported (codebase test)


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


def scratch(tmp: Path, extra: tuple[str, ...] = ()) -> Path:
    """A copy of what a run needs, so tests never touch the working tree."""
    from peerstudy.paths import copy_workflow

    return copy_workflow(tmp, extra)


def run_snakemake(where: Path, *args: str, configfile: str | None = ".test/config.yaml",
                  env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    if configfile:
        cmd += ["--configfile", configfile]
    return subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def snakemake(where: Path, *args: str) -> subprocess.CompletedProcess:
    """The tiny study's workflow in ``where``."""
    return run_snakemake(where, *args)


def digests(where: Path, study: str = "tiny") -> dict[str, str]:
    out = {}
    for folder in (f"data/processed/{study}", f"results/{study}", f"reports/{study}"):
        for path in sorted((where / folder).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(where))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def copy_build(build: Path, where: Path) -> Path:
    """A copy of a built study, with Snakemake's records and every file's time kept."""
    shutil.copytree(build, where, symlinks=True)
    return where


def _announce(config, text: str) -> None:
    """A line on the terminal now, past pytest's capture (also from an xdist worker,
    whose standard error is the terminal's)."""
    capman = config.pluginmanager.getplugin("capturemanager")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    with capman.global_and_fixture_disabled():
        sys.stderr.write(f"\n[{worker or 'pytest'}] {text}\n")
        sys.stderr.flush()


def shared_build(request, tmp_path_factory, name: str, build) -> Path:
    """``build(where)`` run once per session for every worker; returns ``where``."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of one session
    where, done, failed = base / name, base / f"{name}.done", base / f"{name}.failed"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"building {name} failed in another worker:\n{failed.read_text()}")
        if not done.exists():
            start = time.perf_counter()
            _announce(request.config, f"building {name} once for the session ...")
            try:
                build(where)
            except BaseException as exc:
                failed.write_text(str(exc)[-3000:])
                raise
            done.write_text(f"{time.perf_counter() - start:.1f}")
            _announce(request.config, f"built {name} in {done.read_text()} s")
    return where


def _run_study(where: Path, configfile: str | None, extra: tuple[str, ...] = (),
               targets: tuple[str, ...] = (), trace: bool = False) -> str:
    scratch(where, extra)
    env = {"PEERSTUDY_TRACE_IMPORTS": str(where / TRACE)} if trace else None
    proc = run_snakemake(where, *targets, configfile=configfile, env=env)
    if proc.returncode != 0:
        raise AssertionError(proc.stderr[-3000:])
    (where / "run.stderr").write_text(proc.stderr, encoding="utf-8")
    return proc.stderr


@pytest.fixture(scope="session")
def first_run(request, tmp_path_factory):
    """The tiny study (.test/config.yaml) run once, end to end, at --cores 2. Read only:
    a test that changes something works on ``copy_build(first_run, tmp_path / ...)``."""
    return shared_build(request, tmp_path_factory, "tiny",
                        lambda w: _run_study(w, ".test/config.yaml", trace=True))


@pytest.fixture(scope="session")
def qualitative_run(request, tmp_path_factory):
    """The tiny qualitative-only study (.test/implementation.yaml), run once."""
    return shared_build(request, tmp_path_factory, "qualitative_only",
                        lambda w: _run_study(w, ".test/implementation.yaml", trace=True))


@pytest.fixture(scope="session")
def trial_run(request, tmp_path_factory):
    """The second example study (config/upsides_demo.yaml), run once, end to end."""
    return shared_build(request, tmp_path_factory, "upsides_demo",
                        lambda w: _run_study(w, "config/upsides_demo.yaml",
                                             ("data/raw/upsides_demo",), trace=True))


def default_study_is_built() -> bool:
    """True when the working tree's default study is built and up to date (as after the
    README's first command), so paper tests can read it instead of building again."""
    if not (ROOT / "reports/catalonia/manuscript.pdf").exists():
        return False
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--dry-run",
                           "--quiet", "--nolock"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    return proc.returncode == 0 and "Nothing to be done" in proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def default_run(request, tmp_path_factory):
    """The default study, built: the working tree's outputs when they are up to date (as
    after the README's first command), otherwise one run in a scratch copy. Read only."""
    if default_study_is_built():
        return ROOT
    return shared_build(request, tmp_path_factory, "catalonia",
                        lambda w: _run_study(w, None, ("data/raw/catalonia",), trace=True))


def traced_imports(where: Path) -> list[dict]:
    """The peerstudy modules each job of a traced build imported."""
    path = where / TRACE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


R_PACKAGES = ("afex", "effectsize", "lme4", "lmerTest", "mice", "psych")


@pytest.fixture(scope="session")
def r_or_skip() -> str:
    """Rscript, with the packages the R checks need; the test skips where R is absent.

    CI sets PEERSTUDY_REQUIRE_R=1 (.ci/run), and then a missing R fails the test
    instead: the R checks must never be skipped silently there.
    """
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
