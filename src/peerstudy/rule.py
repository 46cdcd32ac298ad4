"""The one adapter every rule script uses.

Sends the script's messages to the rule's log and turns a PeerstudyError
into a one-paragraph message and a failed job, instead of a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable


def run(snakemake, body: Callable) -> None:
    log_path = snakemake.log[0] if len(snakemake.log) else None
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=handlers, force=True)
    from peerstudy.errors import PeerstudyError

    _fault_injection(snakemake)
    used = _watch_package_data()
    try:
        body(snakemake)
    except PeerstudyError as exc:
        logging.getLogger("peerstudy").error("peerstudy: %s", exc)
        sys.exit(1)
    _trace_imports(snakemake, used)


def registry_for(snakemake):
    from peerstudy.instruments import load_registry

    return load_registry(list(snakemake.input.registry), snakemake.params.parameters)


def _watch_package_data() -> set[str]:
    """For the tests only (with PEERSTUDY_TRACE_IMPORTS): the package's own non-Python
    files this job reads, or hands to a program it starts (pandoc's Lua filters): an
    audit hook collects every path under src/peerstudy that is opened or passed as an
    argument to a subprocess."""
    import os
    from pathlib import Path

    used: set[str] = set()
    if not os.environ.get("PEERSTUDY_TRACE_IMPORTS"):
        return used
    package = str(Path(__file__).resolve().parent)

    def note(value) -> None:
        text = os.fsdecode(value) if isinstance(value, (str, bytes, os.PathLike)) else ""
        at = text.find(package + os.sep)
        if at >= 0:
            path = text[at:]
            if not path.endswith((".py", ".pyc")) and "__pycache__" not in path:
                used.add(os.path.relpath(path, package))

    def hook(event: str, args: tuple) -> None:
        if event == "open" and args:
            note(args[0])
        elif event == "subprocess.Popen" and len(args) > 1:
            for arg in args[1] or ():
                note(arg)

    sys.addaudithook(hook)
    return used


def _trace_imports(snakemake, data: set[str] = frozenset()) -> None:
    """For the tests only: PEERSTUDY_TRACE_IMPORTS=<file> appends the peerstudy modules
    this job imported and the package data it read, so that a test can check each
    rule's code input covers them."""
    import json
    import os

    target = os.environ.get("PEERSTUDY_TRACE_IMPORTS")
    if not target:
        return
    modules = sorted(m for m in sys.modules if m == "peerstudy" or m.startswith("peerstudy."))
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"rule": snakemake.rule, "modules": modules,
                                 "data": sorted(data)}) + "\n")


def _fault_injection(snakemake) -> None:
    """For the kill test only: PEERSTUDY_KILL_AT=<rule> kills the whole run
    (SIGKILL to the process group) when that rule starts, after leaving a
    partial output behind as a real crash could."""
    import os
    import signal

    if os.environ.get("PEERSTUDY_KILL_AT") != snakemake.rule:
        return
    first = str(snakemake.output[0])
    with open(first, "w", encoding="utf-8") as handle:
        handle.write("partial")
    os.killpg(os.getpgid(0), signal.SIGKILL)
