"""`peerstudy new-study <id>`: a new site's config, copied from a template.

The copy keeps the template's comments, points every raw file at
data/raw/<id>/, marks the data as real (study.synthetic: false) and drops the
synthetic generator's parameters and the published numbers it was calibrated
to. The analysis plan, figures and manuscript settings stay as a starting
point for the new site to edit.
"""

from __future__ import annotations

import re
from pathlib import Path

from peerstudy.config import read_yaml
from peerstudy.errors import ConfigError

SECTIONS_DROPPED = ("synthetic", "published")


def drop_sections(text: str, keys: tuple[str, ...]) -> str:
    """Remove top-level YAML sections (with the comment block right above each)."""
    lines = text.splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        top = re.match(r"^([A-Za-z_]+):", line)
        if top:
            skipping = top.group(1) in keys
            if skipping:
                while out and (out[-1].startswith("#") or not out[-1].strip()):
                    out.pop()
                out.append("\n")
        if not skipping:
            out.append(line)
    return "".join(out)


def new_study(study_id: str, template: str | Path = "config/config.yaml",
              root: str | Path = ".") -> Path:
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", study_id):
        raise ConfigError(f"study id '{study_id}': use lower-case letters, digits, '-' or '_', "
                          "starting with a letter (it becomes a folder name).")
    root = Path(root)
    target = root / "config" / f"{study_id}.yaml"
    if target.exists():
        raise ConfigError(f"{target} exists already — pick another id or edit that file.")
    template = Path(template)
    old = read_yaml(template)["study"]["id"]
    text = template.read_text(encoding="utf-8")
    text = re.sub(rf"^(  id: ){re.escape(old)}\b", rf"\g<1>{study_id}", text, count=1, flags=re.M)
    text = re.sub(r"^(  synthetic: )true\b", r"\g<1>false", text, count=1, flags=re.M)
    text = text.replace(f"data/raw/{old}/", f"data/raw/{study_id}/")
    text = drop_sections(text, SECTIONS_DROPPED)
    header = (f"# Study '{study_id}', scaffolded by `peerstudy new-study` from {template}.\n"
              f"# Next: put the exports in data/raw/{study_id}/, fix each raw_files entry\n"
              "# (path, format, encoding, id/site/timepoint columns, variable names), then\n"
              f"# run: uv run snakemake --cores 4 --configfile config/{study_id}.yaml\n\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + text, encoding="utf-8")
    (root / "data" / "raw" / study_id).mkdir(parents=True, exist_ok=True)
    return target
