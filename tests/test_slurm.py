"""The SLURM profile on a real scheduler: the tiny study through
`--profile profiles/slurm` gives the same outputs as a local run.

Needs a running SLURM (`bash profiles/slurm/cluster.sh start`, as .ci/run does);
skipped otherwise, and failed instead where PEERSTUDY_REQUIRE_SLURM=1 (.ci/run sets it
once its cluster is up). The executor plugin is the optional `slurm` dependency group
(uv.lock), installed here into an environment of its own, so that the default
environment of every other test never loads it. The partition is the cluster's own
default, asked from `sinfo`, not assumed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from .conftest import ROOT, digests, scratch


def slurm_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return out.returncode == 0 and any(s in out.stdout for s in ("idle", "mixed", "alloc"))


def default_partition() -> str:
    """The cluster's default partition (marked * by sinfo), else its first."""
    out = subprocess.run(["sinfo", "-h", "-o", "%P"], capture_output=True, text=True,
                         check=True).stdout.split()
    marked = [p for p in out if p.endswith("*")]
    return (marked or out)[0].rstrip("*")


@pytest.fixture(scope="module")
def cluster():
    if not slurm_up():
        if os.environ.get("PEERSTUDY_REQUIRE_SLURM") == "1":
            pytest.fail("PEERSTUDY_REQUIRE_SLURM=1 but no SLURM scheduler answers (.ci/run)")
        pytest.skip("no SLURM scheduler running here (start one with: bash "
                    "profiles/slurm/cluster.sh start)")
    return default_partition()


def slurm_python(where) -> str:
    """A Python environment with the project and its `slurm` group, from uv.lock."""
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(where / ".venv-slurm")}
    subprocess.run(["uv", "sync", "--frozen", "--no-dev", "--group", "slurm", "--quiet"],
                   cwd=ROOT, env=env, check=True)
    return str(where / ".venv-slurm/bin/python")


@pytest.mark.slurm
def test_slurm_profile_gives_the_same_outputs_as_a_local_run(cluster, first_run, tmp_path):
    where = scratch(tmp_path / "repo")
    profile = where / "profiles/slurm/config.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(re.sub(r"slurm_partition: \S+", f"slurm_partition: {cluster}", text),
                       encoding="utf-8")
    cmd = ["timeout", "-s", "INT", "600", slurm_python(tmp_path), "-m", "snakemake",
           "--profile", "profiles/slurm", "--configfile", ".test/config.yaml"]
    proc = subprocess.run(cmd, cwd=where, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "submitted with SLURM jobid" in proc.stdout + proc.stderr
    a, b = digests(first_run), digests(where)
    assert [k for k in a if a[k] != b.get(k)] == []
