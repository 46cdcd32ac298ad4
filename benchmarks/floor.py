"""The floor: the workflow's own work in one Python process, with no per-job start-up.

    uv run python benchmarks/floor.py [--configfile config/config.yaml]

Snakemake builds the DAG of a cold run (every job, as `snakemake --forceall`
would plan it); then each job's own rule script runs, in dependency order,
inside this one process, with the `snakemake` object Snakemake would give it.
So the floor is the same code on the same inputs as the workflow: imports
once, computation, file writing and rendering, minus the start-up of each job
and Snakemake's scheduling. It runs in a scratch copy of the repository.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import scratch  # noqa: E402

THREAD_VARIABLES = ("OMP_NUM_THREADS", "GOTO_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def job_specs(jobs, workflow) -> list[tuple[str, object]]:
    """(script, the `snakemake` object Snakemake's script directive would give it)."""
    from snakemake.script import Snakemake

    from peerstudy.dag import script_of

    specs = []
    for job in jobs:
        if script_of(job) is None:
            continue
        smk = Snakemake(job.input, job.output, job.params, job.wildcards, job.threads,
                        job.resources, job.log, workflow.config, job.rule.name, None,
                        Path(job.rule.script).parent)
        specs.append((str(script_of(job)), smk))
    return specs


def run_all(specs_file: str) -> None:
    """The timed process: every job's script in turn, in this one process."""
    import pickle

    with open(specs_file, "rb") as handle:
        specs = pickle.load(handle)
    for script, smk in specs:
        for path in [*smk.output, *smk.log]:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        try:
            runpy.run_path(script, init_globals={"snakemake": smk}, run_name="__main__")
        except SystemExit as exc:
            if exc.code:
                log = Path(smk.log[0]).read_text(encoding="utf-8") if smk.log else ""
                sys.exit(f"floor: job {smk.rule} failed\n{log[-2000:]}")
        print(f"  {smk.rule:24s} {time.perf_counter() - start:6.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configfile", default="config/config.yaml")
    parser.add_argument("--extra", nargs="*", default=["data/raw"],
                        help="paths to copy besides the workflow's own (default: data/raw)")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # the timed child process
    args = parser.parse_args()
    if args.run:
        run_all(args.run)
        return
    print(f"config           {args.configfile}")
    took, jobs = floor(args.configfile, tuple(args.extra), per_job=True)
    print(f"floor            {took:6.2f} s (one process: every job's script in turn)")
    print("per job, in the order run (the first to import a module pays for it):")
    print(jobs, end="")


def floor(configfile: str, extra: tuple[str, ...] = ("data/raw",), per_job: bool = False):
    """Whole-process wall time of the one process that runs every job of a cold run
    (with ``per_job``: and that process's per-job lines)."""
    import pickle
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        where = scratch(Path(tmp) / "repo", extra)
        from peerstudy.dag import planned_jobs

        here = os.getcwd()
        os.chdir(where)
        try:
            jobs, workflow = planned_jobs(where, configfile)
            specs = job_specs(jobs, workflow)
        finally:
            os.chdir(here)
        specs_file = Path(tmp) / "jobs.pickle"
        specs_file.write_bytes(pickle.dumps(specs))
        # one thread for the linear-algebra libraries, as Snakemake sets for a 1-thread job
        env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")}
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--run", str(specs_file)], cwd=where,
                              capture_output=True, text=True, env=env)
        took = time.perf_counter() - start
        if proc.returncode:
            sys.exit(proc.stderr[-3000:])
    return (took, proc.stdout) if per_job else took


if __name__ == "__main__":
    main()
