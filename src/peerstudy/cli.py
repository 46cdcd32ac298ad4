"""Command line: ``peerstudy synth`` (synthetic raw exports), ``new-study``, ``diff``
and ``verify``.

Errors the user can fix are printed as one clear message (exit 2), never a
traceback.
"""

from __future__ import annotations

import argparse
import sys

from peerstudy.errors import PeerstudyError


def cmd_synth(args) -> None:
    from peerstudy.config import load_config, load_study_registry
    from peerstudy.synth import synthesize

    config = load_config(args.config, check_paths=False)
    if not config["study"]["synthetic"] or "synthetic" not in config:
        raise PeerstudyError(
            f"{args.config}: study.synthetic is false or the 'synthetic' section is missing — "
            "the generator only writes data for synthetic studies."
        )
    manifest = synthesize(config, load_study_registry(config))
    parts = []
    if "randomised" in manifest:
        parts.append(f"{manifest['randomised']} randomised "
                     f"({', '.join(f'{v} {k}' for k, v in manifest['by_arm'].items())}), "
                     f"{manifest['assessed']} assessed, {manifest['peer_workers']} peer workers")
    if "enrolled" in manifest:
        parts.append(f"{manifest['enrolled']} participants; calibration draws "
                     f"{manifest['calibration_draws']}")
    if "qualitative" in manifest:
        parts.append(", ".join(f"{v} {k.replace('_', ' ')}"
                               for k, v in manifest["qualitative"].items()))
    print(f"wrote synthetic exports for {manifest['study']} ({'; '.join(parts)})")


def cmd_new_study(args) -> None:
    from peerstudy.scaffold import new_study

    path = new_study(args.id, args.template)
    print(f"wrote {path}; put the exports in data/raw/{args.id}/ and edit raw_files, then run\n"
          f"  uv run snakemake --cores 4 --configfile {path}")


def cmd_diff(args) -> int:
    from peerstudy.diff import diff_dirs

    lines = diff_dirs(args.a, args.b, args.tolerance)
    print("\n".join(lines) if lines else "no differences")
    return 1 if lines else 0


def cmd_verify(args) -> int:
    from peerstudy.verify import verify

    def progress(message):
        print(message, file=sys.stderr, flush=True)

    result = verify(".", args.configfile, tolerance=args.tolerance, keep=args.keep,
                    cores=args.cores, progress=progress)
    print(f"peerstudy verify: study {result.study} ({', '.join(result.configfiles)}), "
          f"record reports/{result.study}/run.json")
    print(f"  config {result.digests['config_sha256'][:16]}, raw data "
          f"{result.digests['data_sha256'][:16]} (the manuscript's repro.config_sha256 and "
          "repro.data_sha256)\n")
    print(result.table())
    print(f"\n{result.summary()} ({result.seconds:.0f} s)")
    if result.rerun_dir is not None:
        print(f"the rerun is kept in {result.rerun_dir}; list every difference with\n"
              f"  uv run peerstudy diff results/{result.study} "
              f"{result.rerun_dir}/results/{result.study}")
    return 0 if result.passed else 1


def cmd_contract(args) -> int:
    from peerstudy.contract import check_study

    checked = check_study(args.root, args.study)
    print(f"{len(checked)} results files of study '{args.study}' follow the contract:\n  "
          + "\n  ".join(checked))
    return 0


def cmd_envs(args) -> int:
    from peerstudy.envs import write_envs

    written = write_envs()
    print(f"wrote {len(written)} files in workflow/envs/ from uv.lock")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peerstudy", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    synth = sub.add_parser("synth", help="write the synthetic raw exports of a study")
    synth.add_argument("--config", default="config/config.yaml")
    synth.set_defaults(func=cmd_synth)
    new = sub.add_parser("new-study", help="scaffold config/<id>.yaml for a new site or study")
    new.add_argument("id")
    new.add_argument("--template", default="config/config.yaml")
    new.set_defaults(func=cmd_new_study)
    diff = sub.add_parser("diff", help="list the results rows that differ between two runs")
    diff.add_argument("a")
    diff.add_argument("b")
    diff.add_argument("--tolerance", type=float, default=0.0,
                      help="numbers closer than this count as equal (default 0: exact)")
    diff.set_defaults(func=cmd_diff)
    check = sub.add_parser(
        "verify", help="check the inputs against the run record, rerun the workflow in a clean "
        "copy and compare every results file, value and table cell")
    check.add_argument("--configfile", default=None,
                       help="the study's config (default: config/config.yaml)")
    check.add_argument("--keep", action="store_true",
                       help="keep the temporary copy with the rerun")
    check.add_argument("--cores", type=int, default=None,
                       help="cores for the rerun (default: all)")
    check.add_argument("--tolerance", type=float, default=0.0,
                       help="numbers in results tables closer than this count as equal "
                       "(default 0: exact)")
    check.set_defaults(func=cmd_verify)
    contract = sub.add_parser("contract", help="check a study's results files against "
                              "the results contract (RESULTS_CONTRACT.md)")
    contract.add_argument("study", help="the study id (results/<id>/)")
    contract.add_argument("--root", default=".", help="the run's folder (default: here)")
    contract.set_defaults(func=cmd_contract)
    envs = sub.add_parser("envs", help="write the per-rule conda environments from uv.lock")
    envs.set_defaults(func=cmd_envs)
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except PeerstudyError as exc:
        print(f"peerstudy: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
