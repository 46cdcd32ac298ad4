"""Where the workflow's own files live, for tools that copy it elsewhere.

Tests and benchmarks run the workflow in scratch folders; this is the one
list of what such a copy needs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_SOURCES = ["workflow", "scripts", "config", ".test", "src", "profiles",
                    "manuscripts",
                    "uv.lock"]


def copy_workflow(where: Path, extra: tuple[str, ...] = ()) -> Path:
    """Copy the workflow's sources (and ``extra`` paths, e.g. data/raw) into ``where``."""
    for name in [*WORKFLOW_SOURCES, *extra]:
        src, dst = ROOT / name, Path(where) / name
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    return Path(where)
