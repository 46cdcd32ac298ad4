"""Command line: ``peerstudy synth`` (synthetic raw exports) and friends.

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
    draws = manifest["calibration_draws"]
    print(f"wrote synthetic exports for {manifest['study']} "
          f"({manifest['enrolled']} participants; calibration draws {draws})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peerstudy", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    synth = sub.add_parser("synth", help="write the synthetic raw exports of a study")
    synth.add_argument("--config", default="config/config.yaml")
    synth.set_defaults(func=cmd_synth)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except PeerstudyError as exc:
        print(f"peerstudy: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
