"""`peerstudy new-study <id>`: a new site's config and manuscript project.

The config is copied from a template: it keeps the template's comments, points
every raw file at data/raw/<id>/, marks the data as real (study.synthetic:
false), drops the synthetic generator's parameters and the published numbers
it was calibrated to, and names the new manuscript project. The manuscript
project (manuscripts/<id>/) holds the section headings of a paper and example
value references; the authors write the rest.
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
    text = re.sub(r"^(  manuscript: ).*$", rf"\g<1>manuscripts/{study_id}", text, count=1,
                  flags=re.M)
    text = drop_sections(text, SECTIONS_DROPPED)
    header = (f"# Study '{study_id}', scaffolded by `peerstudy new-study` from {template}.\n"
              f"# Next: put the exports in data/raw/{study_id}/, fix each raw_files entry\n"
              "# (path, format, encoding, id/site/timepoint columns, variable names), then\n"
              f"# run: uv run snakemake --cores 4 --configfile config/{study_id}.yaml\n\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + text, encoding="utf-8")
    (root / "data" / "raw" / study_id).mkdir(parents=True, exist_ok=True)
    write_manuscript_project(root / "manuscripts" / study_id)
    return target


QUARTO_YML = """\
# The study's manuscript: a Quarto project its authors write. The workflow stages it
# in reports/<id>/ beside the generated values (_variables.yml; every key is listed in
# reports/<id>/values.md), tables (tables/*.md) and figures (figures/*.png).
project:
  type: default
bibliography: [references.bib, registry-references.yaml]
csl: apa.csl
format:
  html:
    toc: true
  docx: default
  typst:
    papersize: a4
"""

MANUSCRIPT = """\
---
title: "{{< var study.title >}}"
author:
  - name: Author Name
    affiliation: Affiliation
abstract: |
  **Background.** ...

  **Methods.** ...

  **Results.** The study enrolled {{< var n.total >}} participants. ...

  **Conclusions.** ...
---

<!--
Write the prose here; take every number and every result-dependent word from a value:
{{{< var key >}}} (three braces here print it literally: shortcodes in this comment
are read too). After a first run, reports/<id>/values.md lists every key with its value
and the results row it comes from, e.g.
  within.<group>.<instrument>.<scale>.<T1>_<T2>.wilcoxon   "*V* = 5, *z* = ..., *p*~Holm~ = ..."
  within.<group>.<instrument>.<scale>.<T1>_<T2>.direction  "rose" / "fell"
  within.<group>.<instrument>.<scale>.<T1>_<T2>.sig        "statistically significant" / ...
Tables: a div whose last paragraph is the caption, e.g.
  ::: {#tbl-demographics}
  {{{< include tables/demographics.md >}}}

  Baseline characteristics by group
  :::
Figures: ![Caption saying what the figure shows.](figures/flow.png){#fig-flow}
Cite as [@key] (references.bib; instruments are cited by the ids in their registry file).
-->

# Introduction

# Methods

## Design and participants

## Measures

## Statistical analysis

*P*-values were adjusted within families by {{< var conv.multiplicity >}}'s method; the
significance level was {{< var conv.alpha >}} and intervals are {{< var conv.ci_level >}}
confidence intervals.

# Results

![Participant flow.](figures/flow.png){#fig-flow}

# Discussion

## Limitations

# References {.unnumbered}

::: {#refs}
:::
"""


def write_manuscript_project(folder: Path) -> None:
    """A new manuscript project: _quarto.yml, an empty references.bib, a manuscript.qmd
    with a paper's section headings and example value references."""
    if folder.exists():
        raise ConfigError(f"{folder} exists already — pick another id or remove it.")
    folder.mkdir(parents=True)
    (folder / "_quarto.yml").write_text(QUARTO_YML, encoding="utf-8")
    (folder / "references.bib").write_text("% The study's references (BibTeX).\n",
                                           encoding="utf-8")
    (folder / "manuscript.qmd").write_text(MANUSCRIPT, encoding="utf-8")
