"""Every figure of issue 15's table, measured in one run, with its target.

    uv run python benchmarks/run.py                    # everything (about 5 minutes)
    uv run python benchmarks/run.py --repeat 5 --skip-tests --skip-scaled

Whole-process wall times, medians of ``--repeat`` runs; each ratio is taken from
measurements of the same run, interleaved, so that a machine shared with other
work slows both sides alike. The CPU time (user + system, the process and its
children) is printed beside each wall time: it depends much less on other load.

- no-op: the README's `uv run snakemake --cores 4` in an up-to-date copy, against
  bare `.venv/bin/snakemake --version` (Snakemake's own start-up);
- cold default run: the whole study (ingest to the three formats of the paper and
  the supplement) in a fresh copy, against the import of the scientific stack the
  workflow uses (pandas, scipy.stats, statsmodels.api, matplotlib.pyplot);
- the floor (benchmarks/floor.py): the same jobs' scripts in one process;
- the scaled study (benchmarks/scaled.py): 8 sites x 1,000 participants, cold, and
  the largest memory of any one job;
- the README test command, `uv run pytest`, in the repository.

Everything but the test command runs in scratch copies; the working tree is untouched.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, scratch  # noqa: E402

STACK = "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"
TARGETS = {"noop": 1.2, "cold": 4.5, "floor": 4.0, "scaled": 30.0, "scaled_mb": 1024,
           "tests": 90.0}


def timed(cmd: list[str], cwd: Path, check: bool = True) -> tuple[float, float]:
    """(wall s, CPU s of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout[-1000:]}\n{proc.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs))


def line(what: str, measured: str, value: float, target: float, unit: str = "x") -> str:
    verdict = "met" if value <= target else "NOT met"
    return f"{what:44s} {measured:50s} {value:6.2f}{unit} (target <= {target:g}{unit}: {verdict})"


def measure(args) -> list[str]:
    python = sys.executable
    study = [] if args.configfile == "config/config.yaml" else ["--configfile", args.configfile]
    smk = [python, "-m", "snakemake", "--cores", "4", *study]
    uv_noop = ["uv", "run", "--project", str(ROOT), "snakemake", "--cores", "4", *study]
    version = [str(Path(python).parent / "snakemake"), "--version"]
    stack, cold, noop, floor_ = [], [], [], []
    out = [f"machine load (1 min) at the start: {os.getloadavg()[0]:.2f}; "
           f"{args.repeat} repeats, medians"]
    with tempfile.TemporaryDirectory() as tmp:
        versions = []
        for i in range(args.repeat):
            where = scratch(Path(tmp) / f"run{i}", tuple(args.extra))
            stack.append(timed([python, "-c", STACK], where))
            cold.append(timed(smk, where))
            for _ in range(args.pairs):  # no-op and start-up interleaved
                versions.append(timed(version, where))
                noop.append(timed(uv_noop, where))
        if not args.skip_floor:
            import floor

            for _ in range(args.repeat):
                floor_.append((floor.floor(args.configfile, tuple(args.extra)), 0.0))
    (s_w, s_c), (c_w, c_c) = median(stack), median(cold)
    (v_w, v_c), (n_w, n_c) = median(versions), median(noop)
    out.append(line("README no-op vs snakemake --version",
                    f"{n_w:.2f} s ({n_c:.2f} CPU) vs {v_w:.2f} s ({v_c:.2f} CPU)", n_w / v_w,
                    TARGETS["noop"]))
    out.append(line("cold default run vs the stack's import",
                    f"{c_w:.2f} s ({c_c:.2f} CPU) vs {s_w:.2f} s ({s_c:.2f} CPU)", c_w / s_w,
                    TARGETS["cold"]))
    if floor_:
        f_w = statistics.median(f for f, _ in floor_)
        out.append(line("floor (benchmarks/floor.py)", f"{args.configfile}", f_w,
                        TARGETS["floor"], " s"))
    if not args.skip_scaled:
        import scaled

        result = scaled.run_scaled(args.sites, args.per_site)
        out.append(line(f"scaled {args.sites} sites x {args.per_site}, cold",
                        f"synthetic exports {result['synth']:.1f} s (not timed)",
                        result["cold"], TARGETS["scaled"], " s"))
        out.append(line("  largest memory of one job", "max RSS of a job and its children",
                        result["job_mb"], TARGETS["scaled_mb"], " MB"))
    if not args.skip_tests:
        import shlex

        extra = shlex.split(args.pytest_args)
        wall, cpu = timed(["uv", "run", "pytest", *extra], ROOT, check=False)
        label = " ".join(["uv run pytest", args.pytest_args]).strip()
        out.append(line(f"README test command `{label}`", f"{cpu:.0f} s CPU", wall,
                        TARGETS["tests"], " s"))
    out.append(f"machine load (1 min) at the end: {os.getloadavg()[0]:.2f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configfile", default="config/config.yaml")
    parser.add_argument("--extra", nargs="*", default=["data/raw"],
                        help="paths copied besides the workflow's own (default: data/raw)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=3,
                        help="no-op / --version pairs per repeat (default 3)")
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--per-site", type=int, default=1000)
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--skip-scaled", action="store_true")
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--pytest-args", default="",
                        help='extra pytest arguments, e.g. "-m \'not slurm\'" where a SLURM '
                             "cluster runs (its test waits on the scheduler for minutes)")
    args = parser.parse_args()
    for row in measure(args):
        print(row, flush=True)


if __name__ == "__main__":
    main()
