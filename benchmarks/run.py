"""Time the workflow on this machine: a cold full run and a no-op rerun.

    uv run python benchmarks/run.py            # default study
    uv run python benchmarks/run.py --configfile .test/config.yaml

Runs in a scratch copy of the repository so the working tree is untouched,
and prints one line per measurement, including `snakemake --version` as the
start-up floor. Results and the command go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import scratch  # noqa: E402


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configfile", default="config/config.yaml")
    parser.add_argument("--cores", default="4")
    args = parser.parse_args()
    smk = [sys.executable, "-m", "snakemake", "--cores", args.cores,
           "--configfile", args.configfile]
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        scratch(where, ("data/raw",))
        floor = timed([sys.executable, "-m", "snakemake", "--version"], where)
        cold = timed(smk, where)
        noop = timed(smk, where)
        per_rule = []
        for path in sorted(where.glob("benchmarks/out/*/*.tsv")):
            with open(path) as handle:
                rec = next(csv.DictReader(handle, delimiter="\t"))
            per_rule.append((float(rec["s"]), path.stem, float(rec["max_rss"])))
    print(f"config           {args.configfile}")
    print(f"snakemake --version (floor)  {floor:6.2f} s")
    print(f"cold full run                {cold:6.2f} s")
    print(f"no-op rerun                  {noop:6.2f} s  ({noop / floor:.2f} x floor)")
    print("per rule (s, max RSS MB), slowest first:")
    for sec, rule, mb in sorted(per_rule, reverse=True):
        print(f"  {rule:22s} {sec:6.2f} s {mb:7.0f} MB")


if __name__ == "__main__":
    main()
