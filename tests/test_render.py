"""The Quarto subset, rendered without Quarto, behaves as Quarto documents it.

Each expectation cites the Quarto documentation it follows:
- shortcodes: https://quarto.org/docs/extensions/shortcodes.html ("Escaping":
  `{{{< var >}}}` prints the shortcode itself) and
  https://quarto.org/docs/authoring/variables.html (`var` reads _variables.yml;
  values are markdown);
- includes: https://quarto.org/docs/authoring/includes.html (paths relative to
  the including file);
- cross-references: https://quarto.org/docs/authoring/cross-references.html
  ("Figure 1:" captions, `@fig-x` -> "Figure 1", `[-@fig-x]` -> "1", the
  div syntax `::: {#tbl-x}` whose last paragraph is the caption);
- callouts: https://quarto.org/docs/authoring/callouts.html.
Rendered with the same pandoc and Lua filters as the manuscripts.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from peerstudy.report.render import RenderError, render


def html_of(tmp_path, source: str, variables: str = "", files: dict | None = None) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "doc.qmd").write_text(textwrap.dedent(source), encoding="utf-8")
    (tmp_path / "_variables.yml").write_text(textwrap.dedent(variables), encoding="utf-8")
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    render(tmp_path, ["doc"], ["html"], engine="pandoc")
    html = (tmp_path / "doc.html").read_text(encoding="utf-8")
    return html[html.index("<body"):]


def text_of(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", html)))


VARS = """\
study:
  name: "Catalonia *pilot*"
res:
  apa: "*z* = \u22122.39, *p* = .017"
block:
  text: |
    First paragraph.

    Second paragraph.
"""


def test_var_values_are_markdown_and_a_block_value_used_inline_is_flattened(tmp_path):
    html = html_of(tmp_path, """\
        Result: {{< var res.apa >}}.

        Inline: ({{< var block.text >}}).

        {{< var block.text >}}
        """, VARS)
    assert "<em>z</em> = \u22122.39, <em>p</em> = .017" in html
    # used inline, the two paragraphs become one run of text inside the parentheses
    assert "(First paragraph. Second paragraph.)" in text_of(html)
    # alone in its paragraph, a block value stays two paragraphs
    assert "<p>First paragraph.</p>" in html and "<p>Second paragraph.</p>" in html


def test_escaped_shortcodes_print_literally_and_code_is_resolved_as_text(tmp_path):
    html = html_of(tmp_path, """\
        Escaped {{{< var study.name >}}} and code `{{< var study.name >}}` and `@fig-x`.
        """, VARS)
    text = text_of(html)
    assert "Escaped {{< var study.name >}} and" in text
    assert "<code>Catalonia pilot</code>" in html        # shortcodes in code: plain text
    assert "<code>@fig-x</code>" in html                 # a reference inside code stays code


def test_meta_shortcode_and_shortcodes_in_the_title(tmp_path):
    html = html_of(tmp_path, """\
        ---
        title: "Study of {{< var study.name >}}"
        note: "a note"
        ---

        The note: {{< meta note >}}.
        """, VARS)
    assert "Study of Catalonia <em>pilot</em>" in html
    assert "The note: a note." in text_of(html)


def test_includes_are_relative_to_the_including_file(tmp_path):
    html = html_of(tmp_path, """\
        {{< include parts/a.md >}}
        """, VARS, {"parts/a.md": "From a. {{< include b.md >}}\n",
                    "parts/b.md": "From b with {{< var study.name >}}.\n"})
    assert "From a. From b with Catalonia pilot." in text_of(html)


def test_figure_and_table_captions_and_references(tmp_path):
    (tmp_path / "x.png").write_bytes(_PNG)
    html = html_of(tmp_path, """\
        See @fig-x, [-@fig-x] and @tbl-a; @tbl-b follows.

        ![A figure.](x.png){#fig-x}

        | a | b |
        |---|---|
        | 1 | 2 |

        : Caption A {#tbl-a}

        ::: {#tbl-b}
        | c | d |
        |---|---|
        | 3 | 4 |

        Caption B.
        :::
        """)
    text = text_of(html)
    assert "See Figure\u00a01, 1 and Table\u00a01; Table\u00a02 follows." in text
    assert "Figure 1: A figure." in text
    assert "Table 1: Caption A" in text and "Table 2: Caption B." in text
    assert 'href="#fig-x"' in html and 'id="tbl-b"' in html


def test_unknown_values_and_dangling_references_stop_the_build(tmp_path):
    with pytest.raises(RenderError, match=r"var res\.ap >}}' names no var value "
                                          r"\(did you mean 'res\.apa'\?\)"):
        html_of(tmp_path, "Value {{< var res.ap >}}.\n", VARS)
    with pytest.raises(RenderError, match=r"@fig-nowhere point to no figure"):
        html_of(tmp_path, "See @fig-nowhere.\n", VARS)


def test_callouts_keep_their_title(tmp_path):
    html = html_of(tmp_path, """\
        ::: {.callout-important}
        ## Synthetic data
        Invented numbers.
        :::
        """)
    assert 'class="callout callout-important"' in html
    assert "Synthetic data" in text_of(html) and "Invented numbers." in text_of(html)


# a 1 x 1 white PNG
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8ffff3f0005fe02fe0dd1b5cf0000000049454e44ae426082")


def test_numbered_sections_in_every_format_and_in_their_cross_references(tmp_path):
    """Quarto's ``number-sections: true`` (https://quarto.org/docs/reference/formats/html.html
    #numbering): headings are numbered 1, 1.1, ... and @sec-x prints that number; an
    .unnumbered heading gets none. The PDF (Typst) gets the same numbering."""
    (tmp_path / "_quarto.yml").write_text("number-sections: true\n", encoding="utf-8")
    html = html_of(tmp_path, """\
        # Methods

        ## Design {#sec-design}

        ## Analysis {#sec-analysis}

        As planned (@sec-design; @sec-analysis).

        # References {.unnumbered}
        """)
    text = text_of(html)
    assert "2.1 Design" not in text and "1.1 Design" in text and "1.2 Analysis" in text
    assert "(Section\u00a01.1; Section\u00a01.2)" in text
    assert "References" in text and "2 References" not in text
    render(tmp_path, ["doc"], ["pdf"], engine="pandoc")
    import subprocess

    pdf = subprocess.run(["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert "1.1 Design" in pdf and "1.2 Analysis" in pdf and "Section 1.1" in pdf


def test_without_number_sections_headings_stay_unnumbered(tmp_path):
    html = html_of(tmp_path, """\
        # Methods

        ## Design {#sec-design}
        """)
    assert "header-section-number" not in html and "1.1 Design" not in text_of(html)


# _variables.yml as peerstudy writes it (yaml.safe_dump: one key per line); shortcodes.lua
# then parses only the values the document names. The same values in any other YAML form
# (here: with a comment) are read whole; both must render alike.
SIMPLE_VARS = """\
agreement:
  '25_35':
    n: '12'
  alpha: '.90'
res:
  apa: '*z* = \u22122.39, *p* = .017'
  count: 57
study:
  name: Catalonia *pilot*
"""


def test_only_the_named_values_are_read_and_the_result_is_the_same(tmp_path):
    source = """\
        {{< var study.name >}}: {{< var res.apa >}}, {{< var res.count >}},
        {{< var agreement.25_35.n >}} and `{{< var agreement.alpha >}}`.
        """
    simple = html_of(tmp_path / "a", source, SIMPLE_VARS)
    whole = html_of(tmp_path / "b", source, "# a comment: not the simple form\n" + SIMPLE_VARS)
    assert simple == whole
    assert "Catalonia <em>pilot</em>: <em>z</em> = \u22122.39, <em>p</em> = .017, 57," in simple
    assert "12 and <code>.90</code>." in simple
    # an alias names a value the document may not use: such a file is read whole
    aliased = SIMPLE_VARS + "base: &n 5\nalias: *n\n"
    assert "Five: 5." in html_of(tmp_path / "e", "Five: {{< var alias >}}.\n", aliased)
    # a key that names a map, or runs past a value, is an error in either form
    for variables in (SIMPLE_VARS, "# whole\n" + SIMPLE_VARS):
        with pytest.raises(RenderError, match="cannot be printed"):
            html_of(tmp_path / "c", "{{< var res >}}\n", variables)
        with pytest.raises(RenderError, match=r"var res\.apa\.x >}}' names no var value"):
            html_of(tmp_path / "d", "{{< var res.apa.x >}}\n", variables)


def test_page_breaks_and_cross_references_are_written_per_format(tmp_path):
    """The document tree is built once for every format; each format then writes the
    page break its own way (Quarto's ``{{< pagebreak >}}``) and links cross-references
    where it can (HTML, DOCX), leaving them as text in the PDF."""
    (tmp_path / "doc.qmd").write_text(textwrap.dedent("""\
        Before, see @tbl-x.

        {{< pagebreak >}}

        | a |
        |---|
        | 1 |

        : Caption {#tbl-x}
        """), encoding="utf-8")
    render(tmp_path, ["doc"], ["html", "docx", "pdf"], engine="pandoc")
    html = (tmp_path / "doc.html").read_text(encoding="utf-8")
    assert 'page-break-after: always' in html and 'href="#tbl-x"' in html
    import subprocess
    import zipfile

    xml = zipfile.ZipFile(tmp_path / "doc.docx").read("word/document.xml").decode()
    assert 'w:type="page"' in xml and 'w:anchor="tbl-x"' in xml
    pages = subprocess.run(["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    assert "see Table 1" in pages[0] and "Table 1: Caption" in pages[1]
    # nothing left of the scratch files (the tree, the Typst source and layout)
    assert not [p.name for p in tmp_path.iterdir() if p.suffix in (".json", ".typ", ".tmp")]


def test_html_is_self_contained_with_and_without_images(tmp_path):
    """A page without images or formulas carries the style sheet in its head itself (no
    pandoc --embed-resources pass, no pandoc default style sheet); a page with an image
    is embedded by pandoc. Neither links anything outside the file."""
    import base64

    def page(folder, source, files=()):
        folder.mkdir()
        (folder / "doc.qmd").write_text(source, encoding="utf-8")
        (folder / "_variables.yml").write_text("", encoding="utf-8")
        for name, data in files:
            (folder / name).write_bytes(data)
        render(folder, ["doc"], ["html"], engine="pandoc")
        return (folder / "doc.html").read_text(encoding="utf-8")

    plain = page(tmp_path / "plain", "Text only.\n")
    assert "<link" not in plain and "36em" not in plain          # pandoc's own css left out
    assert "Libertinus Serif" in plain                            # apa.css, inline
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgY"
                           "GD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")
    pictured = page(tmp_path / "img", "![A dot](dot.png){#fig-dot}\n", [("dot.png", png)])
    assert "<link" not in pictured and 'src="data:image/png;base64,' in pictured
    assert "Libertinus Serif" in pictured and "36em" not in pictured
