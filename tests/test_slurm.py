"""The SLURM profile on a real scheduler: the tiny study through
`--profile profiles/slurm` gives the same outputs as a local run.

Needs a running SLURM (`bash profiles/slurm/cluster.sh start`, as .ci/run does
when Debian's slurm-wlm and munge can be installed); skipped otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import digests, scratch


def slurm_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return out.returncode == 0 and any(s in out.stdout for s in ("idle", "mixed", "alloc"))


@pytest.mark.slurm
@pytest.mark.skipif(not slurm_up(), reason="no SLURM scheduler running here "
                    "(start one with: bash profiles/slurm/cluster.sh start)")
def test_slurm_profile_gives_the_same_outputs_as_a_local_run(first_run, tmp_path):
    where = scratch(tmp_path)
    cmd = ["timeout", "-s", "INT", "600", sys.executable, "-m", "snakemake", "--profile",
           "profiles/slurm", "--configfile", ".test/config.yaml"]
    proc = subprocess.run(cmd, cwd=where, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "submitted with SLURM jobid" in proc.stdout + proc.stderr
    a, b = digests(first_run), digests(where)
    assert [k for k in a if a[k] != b.get(k)] == []
