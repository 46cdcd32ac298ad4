"""Shared fixtures: the repository root, the default and tiny study configs."""

from __future__ import annotations

import os
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
