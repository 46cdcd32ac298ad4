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


def copy_workflow(where: Path, extra: tuple[str, ...] = (), source: Path = ROOT) -> Path:
    """Copy the workflow's sources (and ``extra`` paths, e.g. data/raw) into ``where``,
    from ``source`` (by default the repository this package was installed from)."""
    for name in [*WORKFLOW_SOURCES, *extra]:
        src, dst = Path(source) / name, Path(where) / name
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    return Path(where)
