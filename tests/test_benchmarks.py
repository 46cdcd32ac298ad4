"""Each benchmark script runs, at a tiny size, so that none can rot unnoticed.

The sizes here say nothing about speed (benchmarks/README.md has the figures); the
test only checks that every script still runs against the workflow as it is and
prints what its README quotes.
"""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def bench(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_run_prints_every_ratio_of_the_table():
    # the smallest study (qualitative only: six jobs) exercises every measurement
    out = bench("benchmarks/run.py", "--configfile", ".test/implementation.yaml", "--extra",
                "--repeat", "1", "--pairs", "1", "--skip-scaled", "--skip-tests")
    for what in ("README no-op vs snakemake --version", "cold default run vs the stack's import",
                 "floor (benchmarks/floor.py)"):
        assert what in out, out
    assert out.count("(target <= ") == 3


def test_scaled_study_runs_at_a_small_size():
    out = bench("benchmarks/scaled.py", "--sites", "2", "--per-site", "20")
    assert "cold snakemake --cores 4" in out and "largest memory of one job" in out
    assert "statistics" in out  # the per-rule times


def test_power_benchmark_runs():
    assert "replicates" in bench("benchmarks/power.py", "20")
