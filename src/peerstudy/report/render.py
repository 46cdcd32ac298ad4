"""Render the Quarto manuscript: with Quarto if it is on PATH, else pandoc + Typst.

The fallback resolves what Quarto would: ``{{< var a.b >}}`` from
_variables.yml, ``{{< include file >}}``, and ``@fig-``/``@tbl-`` cross
references (numbered in order of appearance). pandoc (pypandoc-binary)
writes self-contained HTML and DOCX and Typst markup; the typst wheel turns
that into PDF. Timestamps are fixed (SOURCE_DATE_EPOCH, Typst's timestamp) so
the same results give the same bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from peerstudy.errors import PeerstudyError
from peerstudy.io import atomic_write_bytes

VAR = re.compile(r"\{\{<\s*var\s+([\w.\-]+)\s*>\}\}")
INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")
FIGURE = re.compile(r"^!\[(?P<cap>.*)\]\((?P<path>[^)]+)\)\{#(?P<id>fig-[\w-]+)[^}]*\}[ \t]*$",
                    re.M)
TABLE_CAPTION = re.compile(r"^:[ \t]+(?P<cap>.*?)[ \t]*\{#(?P<id>tbl-[\w-]+)\}[ \t]*$", re.M)
XREF = re.compile(r"@((?:fig|tbl)-[\w-]+)")
EPOCH = 1672531200  # 2023-01-01T00:00:00Z: fixed document date for byte-identical output


class RenderError(PeerstudyError):
    """The manuscript source asks for something the run did not produce."""


def lookup(variables: dict, key: str):
    node = variables
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise RenderError(f"manuscript: variable '{key}' is not in _variables.yml — the "
                              "results do not provide it; fix the key in manuscript.qmd.")
        node = node[part]
    return node


def preprocess(text: str, variables: dict, root: Path, target: str) -> str:
    """Resolve includes, variables and cross-references as Quarto would."""
    def include(match):
        path = root / match.group(1)
        if not path.exists():
            raise RenderError(f"manuscript: included file {match.group(1)} was not generated.")
        return path.read_text(encoding="utf-8")

    text = INCLUDE.sub(include, text)
    text = VAR.sub(lambda m: str(lookup(variables, m.group(1))), text)
    numbers: dict[str, str] = {}

    # Typst numbers figure and table captions itself (separately, in order of
    # appearance, as here); HTML and DOCX get the label written into the caption.
    prefix = target != "typst"

    def figure(match):
        label = f"Figure {sum(k.startswith('fig-') for k in numbers) + 1}"
        numbers[match.group("id")] = label
        path = match.group("path")
        if target == "typst":
            path = re.sub(r"\.png$", ".svg", path)
        caption = f"{label}. {match.group('cap')}" if prefix else match.group("cap")
        return f"![{caption}]({path}){{#{match.group('id')}}}"

    def table(match):
        label = f"Table {sum(k.startswith('tbl-') for k in numbers) + 1}"
        numbers[match.group("id")] = label
        return f": {label}. {match.group('cap')}" if prefix else f": {match.group('cap')}"

    text = FIGURE.sub(figure, text)
    text = TABLE_CAPTION.sub(table, text)

    def xref(match):
        if match.group(1) not in numbers:
            raise RenderError(f"manuscript: cross-reference @{match.group(1)} has no target.")
        return numbers[match.group(1)]

    return XREF.sub(xref, text)


def pandoc(markdown: str, to: str, out: Path, root: Path, extra: list[str]) -> None:
    import pypandoc

    os.environ["SOURCE_DATE_EPOCH"] = str(EPOCH)
    args = ["--standalone", f"--resource-path={root}", *extra]
    pypandoc.convert_text(markdown, to, format="markdown", outputfile=str(out), extra_args=args,
                          cworkdir=str(root))


def render_fallback(source: Path, build: Path, formats: list[str]) -> None:
    variables = yaml.safe_load((build / "_variables.yml").read_text(encoding="utf-8"))
    text = source.read_text(encoding="utf-8")
    css = source.parent / "style.css"
    for fmt in formats:
        target = "typst" if fmt == "pdf" else fmt
        md = preprocess(text, variables, build, target)
        tmp = build / f".manuscript.{fmt}.tmp"
        if fmt == "html":
            pandoc(md, "html5", tmp, build, ["--embed-resources", "--mathml", "--toc",
                                             f"--css={css}", "--section-divs"])
        elif fmt == "docx":
            pandoc(md, "docx", tmp, build, [])
        else:
            typ = build / ".manuscript.typ"
            pandoc(md, "typst", typ, build, ["-V", "papersize=a4", "-V", "fontsize=10pt"])
            import typst

            typst.compile(str(typ), output=str(tmp), root=str(build), timestamp=EPOCH)
            typ.unlink()
        atomic_write_bytes(build / f"manuscript.{fmt}", tmp.read_bytes())
        tmp.unlink()


def render_quarto(source: Path, build: Path, formats: list[str]) -> None:
    """Quarto path: copy the project next to the generated files and render there."""
    for name in ("manuscript.qmd", "_quarto.yml", "style.css"):
        shutil.copyfile(source.parent / name, build / name)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    to = {"html": "html", "docx": "docx", "pdf": "typst"}
    for fmt in formats:
        subprocess.run(["quarto", "render", "manuscript.qmd", "--to", to[fmt]], cwd=build,
                       check=True, env=env)


def render(source: str | Path, build: str | Path, formats: list[str], engine: str = "auto"):
    source, build = Path(source).resolve(), Path(build).resolve()
    use_quarto = engine == "quarto" or (engine == "auto" and shutil.which("quarto"))
    (render_quarto if use_quarto else render_fallback)(source, build, formats)
    return "quarto" if use_quarto else "pandoc+typst"
