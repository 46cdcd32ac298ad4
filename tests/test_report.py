"""The manuscript: formatting, the Quarto-compatible pre-processor, rendered
outputs that open, and numbers that all come from the run's results files."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from html.parser import HTMLParser

import pandas as pd
import pytest
import yaml

from peerstudy.report import format as fmt
from peerstudy.report.render import RenderError, preprocess


@pytest.mark.parametrize("p, text", [(0.0421, "p = .042"), (0.0004, "p < .001"),
                                     (0.9996, "p > .999"), (0.05, "p = .050")])
def test_apa_p_values(p, text):
    assert fmt.p_value(p) == text


def test_significance_and_direction_words_follow_the_numbers():
    assert fmt.significance(0.018, 0.05) == "statistically significant"
    assert fmt.significance(0.063, 0.05) == "not statistically significant"
    # SSQ: higher = less self-stigma (better). A fall is unfavourable, a rise favourable.
    assert fmt.movement(-2.1) == "fell"
    assert fmt.favourability(-2.1, True) == "the unfavourable direction"
    assert fmt.favourability(+1.6, True) == "the favourable direction"
    # CAMI authoritarianism: higher is worse
    assert fmt.favourability(+1.0, False) == "the unfavourable direction"


def test_small_cells_are_suppressed_but_zero_is_kept():
    assert fmt.suppressed(3, 5) == "<5"
    assert fmt.suppressed(0, 5) == "0"
    assert fmt.suppressed(7, 5) == "7"
    assert fmt.suppressed(3, None) == "3"


def test_preprocess_resolves_vars_includes_and_cross_references(tmp_path):
    (tmp_path / "t.md").write_text("| a |\n|--:|\n| 1 |\n", encoding="utf-8")
    source = ("See @tbl-x and @fig-y.\n\n{{< include t.md >}}\n\n: Cap {#tbl-x}\n\n"
              "![A fig](f.png){#fig-y}\n\nValue {{< var a.b >}}.\n")
    out = preprocess(source, {"a": {"b": 42}}, tmp_path, "html")
    assert "See Table 1 and Figure 1." in out
    assert ": Table 1. Cap\n\n" in out          # the blank line after a caption survives
    assert "![Figure 1. A fig](f.png){#fig-y}" in out
    assert "Value 42." in out
    typst = preprocess(source, {"a": {"b": 42}}, tmp_path, "typst")
    assert "(f.svg)" in typst and ": Cap\n" in typst  # Typst numbers captions itself


def test_preprocess_refuses_unknown_variables_and_dangling_references(tmp_path):
    with pytest.raises(RenderError, match=r"variable 'a.c' is not in _variables.yml"):
        preprocess("{{< var a.c >}}", {"a": {"b": 1}}, tmp_path, "html")
    with pytest.raises(RenderError, match=r"@fig-z has no target"):
        preprocess("See @fig-z.", {}, tmp_path, "html")


class _Text(HTMLParser):
    """Text of the <section id="results"> of pandoc's HTML."""

    def __init__(self):
        super().__init__()
        self.depth, self.parts, self.stack = 0, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            inside = bool(self.stack) and self.stack[-1]
            self.stack.append(attrs.get("id") == "results" or inside)
        if tag in ("td", "th", "li", "p"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "section" and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1]:
            self.parts.append(data)


def results_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def renderings(value: float, percent: bool = False) -> set[str]:
    out = set()
    for v in ([value, 100 * value] if percent else [value]):
        for d in range(4):
            s = f"{v:.{d}f}"
            for t in (s, s.lstrip("-")):
                out |= {t, re.sub(r"^(-?)0\.", r"\1.", t)}
    return out


def allowed_numbers(where, study: str) -> set[str]:
    allowed = {".001", ".999"}  # APA thresholds of the p-value format ("p < .001")
    for csv in (where / "results" / study).rglob("*.csv"):
        frame = pd.read_csv(csv)
        for col in frame.select_dtypes("number"):
            pct = col in ("share", "share_in_group")
            for v in frame[col].dropna():
                allowed |= renderings(float(v), percent=pct)
    conv = json.loads((where / "results" / study / "conventions.json").read_text())
    for v in (conv["alpha"], conv["conventions"]["ci_level"]):
        allowed |= renderings(v, percent=True)
    return allowed


def test_every_number_in_the_results_section_comes_from_the_results_files(first_run):
    html = (first_run / "reports/tiny/manuscript.html").read_text(encoding="utf-8")
    text = results_text(html)
    assert "Peer support workers" in text  # the Results section was found
    threshold = yaml.safe_load((first_run / ".test/config.yaml").read_text())[
        "reporting"]["suppress_below"]
    text = text.replace(f"<{threshold}", " ")                       # suppressed cells
    text = re.sub(r"\b(Table|Figure) \d+", " ", text)               # cross-references
    text = re.sub(r"\bT\d+\b", " ", text)                          # timepoint names
    codes = pd.read_csv(first_run / "results/tiny/qualitative/codes.csv")["code"]
    for name in sorted(codes, key=len, reverse=True):                # code names are labels
        text = re.sub(r"\s+".join(map(re.escape, name.split())), " ", text)
    allowed = allowed_numbers(first_run, "tiny")
    numbers = re.findall(r"(?<![\w.])-?\.?\d+(?:\.\d+)?", text)
    assert len(numbers) > 100
    stray = sorted({n for n in numbers if n not in allowed})
    assert stray == [], f"numbers in the manuscript that no results file holds: {stray}"


def test_all_three_formats_render_and_open(first_run):
    import pypdf

    report = first_run / "reports/tiny"
    html = (report / "manuscript.html").read_text(encoding="utf-8")
    HTMLParser().feed(html)
    assert "SYNTHETIC DATA" in html
    assert not re.search(r'(src|href)="https?://', html), "the HTML must not fetch anything"
    with zipfile.ZipFile(report / "manuscript.docx") as docx:
        assert "word/document.xml" in docx.namelist()
        assert b"SYNTHETIC DATA" in docx.read("word/document.xml")
    pdf = pypdf.PdfReader(report / "manuscript.pdf")
    assert len(pdf.pages) > 3
    assert "SYNTHETIC DATA" in pdf.pages[0].extract_text()


def test_significance_words_never_contradict_p(first_run):
    variables = yaml.safe_load((first_run / "reports/tiny/_variables.yml").read_text())
    entries = [e for group in ("psw", "service_user", "professional")
               for inst in variables.get(group, {}).values() for scale in inst.values()
               for e in scale.values()]
    assert entries
    for e in entries:
        negated = "not statistically significant" in e["sentence"]
        assert negated != e["significant"], e["sentence"]


@pytest.mark.skipif(shutil.which("quarto") is None,
                    reason="Quarto CLI not installed (cannot be installed on these machines); "
                           "the pandoc + Typst path is tested instead")
def test_quarto_renders_the_same_source(first_run, tmp_path):
    from peerstudy.report.render import render

    build = tmp_path / "build"
    shutil.copytree(first_run / "reports/tiny", build)
    assert render(first_run / "reports/manuscript.qmd", build, ["html"], "quarto") == "quarto"
    assert (build / "manuscript.html").stat().st_size > 0


def test_provenance_points_at_rows_that_exist(first_run):
    prov = pd.read_csv(first_run / "reports/tiny/provenance.csv")
    tests = pd.read_csv(first_run / "results/tiny/tests.csv")
    pointers = prov[prov["file"] == "tests.csv"]
    assert len(pointers) > 10
    for selector in pointers["row"]:
        pairs = dict(part.split("=", 1) for part in selector.split(", "))
        hit = tests
        for col, value in pairs.items():
            hit = hit[hit[col].astype(str) == value]
        assert len(hit) >= 1, f"provenance points at a missing row: {selector}"
