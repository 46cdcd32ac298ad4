"""Benchmark a scaled synthetic study: 8 sites x 1,000 participants x 3 timepoints.

    uv run python benchmarks/scaled.py [--per-site 1000] [--sites 8] [--ingest-only]

Builds a config from the default one (its groups, schedule and all six
instruments; PSWs at T1-T3, the other groups at T1 and T3; sites s1..s8; 10%
PSWs, 45% service users, 45% professionals per site; no calibration to
published p-values), writes
its synthetic exports in a scratch copy of the repo, then times a cold
`snakemake --cores 4` and reports the peak memory of any one job and the
per-rule times from Snakemake's benchmark files. ``--ingest-only`` times
``peerstudy.ingest.ingest`` alone, in this process, on the same exports.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, scratch  # noqa: E402


def scaled_config(sites: int, per_site: int) -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    ids = [f"s{i}" for i in range(1, sites + 1)]
    config["study"]["id"] = "scaled"
    config["sites"] = [{"id": s, "label": s.upper()} for s in ids]
    codes = {i: s for i, s in enumerate(ids, start=1)}
    for spec in [config["participants_file"], *config["raw_files"]]:
        spec["path"] = spec["path"].replace("data/raw/catalonia/", "data/raw/scaled/")
        if isinstance(spec["site"], dict):
            spec["site"]["values"] = ({s.upper(): s for s in ids} if spec["format"] == "csv"
                                      else codes)
    shares = {"psw": 0.1, "service_user": 0.45, "professional": 0.45}
    config["synthetic"]["enrolled"] = {
        g: {s: round(per_site * share) for s in ids} for g, share in shares.items()}
    n = {g: round(per_site * share) * sites for g, share in shares.items()}
    config["synthetic"]["attrition"] = {
        "psw": {"T2": {"did not complete training": n["psw"] // 5},
                "T3": {"relapse": n["psw"] // 20}},
        "service_user": {"T3": {"lost to follow-up": n["service_user"] // 5}},
        "professional": {"T3": {"lost to follow-up": n["professional"] // 5}}}
    config["synthetic"]["labels"]["centro"] = codes
    config["published"] = {"qualitative": config["published"]["qualitative"]}  # counts only
    config["synthetic"]["max_draws"] = 500  # the large study meets the targets at the first draw
    for domain in config["qualitative"]["joint_display"]["domains"]:
        # the default study's declarations are about its own numbers, not these
        domain["justification"] = "benchmark: synthetic data of another size"
    config["reporting"]["manuscript"] = "manuscripts/scaled"  # see write_study()
    between = config["analysis"]["between"][1]
    between["levels"] = ids[:2]
    return config


def write_study(where: Path, sites: int, per_site: int) -> None:
    """A scratch copy with the scaled study's config, synthetic exports and manuscript
    project (the one `peerstudy new-study` scaffolds: the default study's paper quotes
    published numbers this study has no counterpart for)."""
    from peerstudy.scaffold import write_manuscript_project

    scratch(where, ())
    cfg = where / "config/scaled.yaml"
    cfg.write_text(yaml.safe_dump(scaled_config(sites, per_site), allow_unicode=True,
                                  sort_keys=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "peerstudy.cli", "synth", "--config",
                           str(cfg)], cwd=where, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    write_manuscript_project(where / "manuscripts/scaled")


def run_scaled(sites: int, per_site: int, cores: str = "4") -> dict:
    """Write the scaled study's exports in a scratch copy and time a cold run.

    Returns ``cold`` (whole-process wall time, s), ``synth`` (s), ``job_mb`` (the
    largest max RSS of any one job, from Snakemake's benchmark files) and ``per_rule``
    ({rule: (s, MB)}).
    """
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        start = time.perf_counter()
        write_study(where, sites, per_site)
        synth = time.perf_counter() - start
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", cores,
                               "--configfile", "config/scaled.yaml"],
                              cwd=where, capture_output=True, text=True)
        cold = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(proc.stderr[-3000:])
        per_rule = {}
        for path in sorted((where / "benchmarks/out/scaled").glob("*.tsv")):
            with open(path) as handle:
                rec = next(csv.DictReader(handle, delimiter="\t"))
            per_rule[path.stem] = (float(rec["s"]), float(rec["max_rss"]))
    return {"cold": cold, "synth": synth, "per_rule": per_rule,
            "job_mb": max(mb for _, mb in per_rule.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--per-site", type=int, default=1000)
    parser.add_argument("--ingest-only", action="store_true")
    args = parser.parse_args()
    if args.ingest_only:
        with tempfile.TemporaryDirectory() as tmp:
            write_study(Path(tmp), args.sites, args.per_site)
            time_ingest(Path(tmp), args)
        return
    result = run_scaled(args.sites, args.per_site)
    print(f"scaled study: {args.sites} sites x {args.per_site} participants x 3 timepoints")
    print(f"synthetic exports (not part of the workflow)  {result['synth']:7.2f} s")
    print(f"cold snakemake --cores 4                       {result['cold']:7.2f} s")
    print(f"largest memory of one job                      {result['job_mb']:7.0f} MB")
    print("per rule (s, max RSS MB):")
    for rule, (sec, mb) in result["per_rule"].items():
        print(f"  {rule:20s} {sec:7.2f} s  {mb:7.0f} MB")


def time_ingest(where: Path, args) -> None:
    """Validation of every answer with its per-value log, without Snakemake."""
    from peerstudy.config import load_config, load_study_registry
    from peerstudy.ingest import ingest
    from peerstudy.instruments import form_ranges

    config = load_config(where / "config/scaled.yaml", base=where)
    forms = form_ranges(load_study_registry(config, where))
    start = time.perf_counter()
    result = ingest(config, forms, where)
    took = time.perf_counter() - start
    print(f"scaled study: {args.sites} sites x {args.per_site} participants")
    print(f"ingest (one process): {took:.2f} s for {len(result.items):,} answers, "
          f"{len(result.issues):,} logged issues")


if __name__ == "__main__":
    main()
