"""What a benchmark copies into its scratch folder, and how."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["workflow", "scripts", "config", ".test", "src", "reports/manuscript.qmd",
           "reports/_quarto.yml", "reports/style.css", "uv.lock"]


def scratch(where: Path, extra: tuple[str, ...] = ()) -> Path:
    """Copy the workflow's sources (and ``extra`` paths) into ``where``."""
    for name in [*SOURCES, *extra]:
        src, dst = ROOT / name, where / name
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    return where
