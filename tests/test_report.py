"""The manuscripts: author-written sources, values from the run, and what a reader sees.

Three layers are checked: the sources (no typed numbers, enough prose), the values
(every key traceable; words agree with their numbers and with the adjusted p), and
the rendered default paper in all three formats (no contradicting words, resolved
references, APA symbols, tables intact in the PDF and the DOCX).
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from .conftest import ROOT

MANUSCRIPTS = sorted([*ROOT.glob("manuscripts/*/manuscript.qmd"),
                      ROOT / ".test/manuscript/manuscript.qmd"])
MINUS = "\u2212"


# ---- the sources ----------------------------------------------------------------------

def source_tree(qmd: Path, tmp: Path) -> dict:
    """The qmd as pandoc's tree, read by the manuscripts' own reader (includes stubbed)."""
    from peerstudy.report.render import QUARTO, pandoc_path

    text = qmd.read_text(encoding="utf-8")
    for include in re.findall(r"\{\{<\s*include\s+(\S+)\s*>\}\}", text):
        stub = tmp / include
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("", encoding="utf-8")
    (tmp / "doc.qmd").write_text(text, encoding="utf-8")
    out = subprocess.run([pandoc_path(), "-f", str(QUARTO / "qmd-reader.lua"), "doc.qmd",
                          "-t", "json"], cwd=tmp, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


SKIP = {"Code", "CodeBlock", "Math", "RawInline", "RawBlock", "Cite"}


def prose_words(node, out: list[str]) -> list[str]:
    """Words the authors typed: text outside code, math, citations and shortcodes."""
    if isinstance(node, dict):
        kind = node.get("t")
        if kind in SKIP:
            return out
        if kind == "Span" and any(c.startswith("ps-shortcode") for c in node["c"][0][1]):
            return out
        if kind == "Str":
            out.append(node["c"])
            return out
        for value in node.values():
            prose_words(value, out)
    elif isinstance(node, list):
        for item in node:
            prose_words(item, out)
    return out


def sections(tree: dict) -> dict[str, list[str]]:
    """Prose words per level-1 section."""
    found, current = {}, "front"
    for block in tree["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1:
            current = " ".join(prose_words(block["c"][2], []))
            continue
        found.setdefault(current, [])
        prose_words(block, found[current])
    return found


STATISTIC_LIKE = [
    (r"\d*\.\d+", "a decimal number"),
    (r"\d+(?:\.\d+)?\s*(?:%|per ?cent\b)", "a percentage"),
    (r"\b[pP]\s*[<=>≤≥]", "a p-value comparison"),
]


@pytest.mark.parametrize("qmd", MANUSCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_statistic_is_typed_in_the_prose(qmd, tmp_path):
    tree = source_tree(qmd, tmp_path)
    text = " ".join(prose_words(tree["blocks"], []) + prose_words(tree["meta"], []))
    typed = [(what, m.group(0)) for pattern, what in STATISTIC_LIKE
             for m in re.finditer(pattern, text)]
    assert typed == [], f"{qmd}: typed numbers (use a value key instead): {typed}"


def test_the_default_paper_is_a_full_paper(tmp_path):
    tree = source_tree(ROOT / "manuscripts/catalonia/manuscript.qmd", tmp_path)
    words = {name: [w for w in ws if re.search(r"[A-Za-z]", w)]
             for name, ws in sections(tree).items()}
    assert sum(len(w) for w in words.values()) >= 1200
    for needed in ("Introduction", "Methods", "Results", "Discussion", "References"):
        assert needed in words, f"no {needed} section"
    assert len(words["Introduction"]) >= 150 and len(words["Discussion"]) >= 150


# ---- the values -----------------------------------------------------------------------

def test_every_value_is_documented_and_traced_to_a_row_that_exists(first_run):
    from peerstudy.report.render import flat_keys

    report = first_run / "reports/tiny"
    keys = flat_keys(yaml.safe_load((report / "_variables.yml").read_text(encoding="utf-8")))
    documented = (report / "values.md").read_text(encoding="utf-8")
    prov = pd.read_csv(report / "provenance.csv")
    assert sorted(prov["variable"]) == sorted(keys) and len(keys) > 200
    assert all(f"`{k}`" in documented for k in keys)
    tests = pd.read_csv(first_run / "results/tiny/tests.csv")
    for rec in prov[prov["file"] == "results/tiny/tests.csv"].to_dict("records"):
        hit = tests
        for part in rec["row"].split(", "):
            col, value = part.split("=", 1)
            hit = hit[hit[col].astype(str) == value]
        assert len(hit) >= 1, f"{rec['variable']} points at a missing row: {rec['row']}"


def test_words_agree_with_their_numbers_and_with_the_adjusted_p(first_run):
    variables = yaml.safe_load((first_run / "reports/tiny/_variables.yml").read_text())
    tests = pd.read_csv(first_run / "results/tiny/tests.csv")
    conv = json.loads((first_run / "results/tiny/conventions.json").read_text())
    checked = 0
    for group, insts in variables["within"].items():
        for inst, scales in insts.items():
            for scale, pairs in scales.items():
                for pair, v in pairs.items():
                    if "m1" not in v:
                        continue
                    m1, m2 = (float(v[k].replace(MINUS, "-")) for k in ("m1", "m2"))
                    expected = "rose" if m2 > m1 else "fell" if m2 < m1 else "did not change"
                    assert v["direction"] == expected, (group, inst, scale, pair)
                    row = tests[(tests["site"] == "all") & (tests["group"] == group)
                                & (tests["instrument"] == inst) & (tests["scale"] == scale)
                                & (tests["test"] == "wilcoxon")
                                & (tests["contrast"] == pair.replace("_", "-"))].iloc[0]
                    significant = row["p_adjusted"] < conv["alpha"]
                    assert v["sig"] == ("statistically significant" if significant
                                        else "not statistically significant")
                    assert "Holm" in v["p"] and "Holm" in v["wilcoxon"]
                    checked += 1
    assert checked > 10


def test_the_tables_a_study_declares_are_the_tables_it_builds(first_run):
    from peerstudy.config import load_config
    from peerstudy.report import table_names

    config = load_config(first_run / ".test/config.yaml", base=first_run)
    built = {p.stem for p in (first_run / "reports/tiny/tables").glob("*.md")}
    assert set(table_names(config)) == built


# ---- the rendered default paper --------------------------------------------------------

SCRIPT = "\u2063"  # marks a word that a sub- or superscript follows in a table cell


class _Page(HTMLParser):
    """Body text and table cells of pandoc's HTML."""

    def __init__(self):
        super().__init__()
        self.text, self.tables, self.cell, self.in_body = [], [], None, False
        self.script = 0  # inside <sub>/<sup>: kept in the text, left out of table words

    def handle_starttag(self, tag, attrs):
        if tag in ("sub", "sup"):
            self.script += 1
            if self.cell is not None:
                self.cell.append(SCRIPT)
        if tag == "body":
            self.in_body = True
        if tag == "table":
            self.tables.append([])
        if tag in ("td", "th"):
            self.cell = []
        if tag in ("p", "li", "td", "th", "div", "h1", "h2", "h3", "caption", "figcaption"):
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag in ("sub", "sup"):
            self.script -= 1
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.in_body:
            self.text.append(data)
        if self.cell is not None and not self.script:
            # sub- and superscripts (η²_G) come out of a PDF as separate glyph runs
            self.cell.append(data)


@pytest.fixture(scope="module")
def paper(default_run):
    html = (default_run / "reports/catalonia/manuscript.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    return {"html": html, "text": unescape("".join(page.text)), "tables": page.tables,
            "where": default_run}


def sentences(text: str) -> list[str]:
    text = re.sub(r"[ \t]+", " ", text.replace("\n", " "))
    return re.split(r"(?<=[a-z)\]])\.\s+(?=[A-Z])", text)


def number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def test_no_direction_word_contradicts_the_numbers_it_quotes(paper):
    pattern = re.compile(r"\b(rose|fell|did not change)\s+from\s+([−\d.]+)\s+to\s+([−\d.]+)")
    found = pattern.findall(paper["text"])
    assert len(found) >= 10
    for word, a, b in found:
        a, b = number(a), number(b)
        expected = "rose" if b > a else "fell" if b < a else "did not change"
        assert word == expected, f"'{word} from {a} to {b}'"


def test_no_significance_claim_rests_on_an_unadjusted_p(paper):
    claims = 0
    for sentence in sentences(paper["text"]):
        if "significant" not in sentence:
            continue
        for match in re.finditer(r"\bp(Holm)?\s*[=<>]", sentence):
            if match.group(1):
                claims += 1
                continue
            before = sentence[max(0, match.start() - 14):match.start()]
            assert "unadjusted" in before, f"an unadjusted p beside 'significant': {sentence}"
    assert claims >= 5


def test_every_citation_resolves_in_a_reference_list(paper, tmp_path):
    html = paper["html"]
    entries = re.findall(r'<div id="(ref-[^"]+)" class="csl-entry"', html)
    assert len(entries) >= 6
    tree = source_tree(ROOT / "manuscripts/catalonia/manuscript.qmd", tmp_path)
    cited = set(re.findall(r'"citationId":\s*"([^"]+)"', json.dumps(tree)))
    cited = {c for c in cited if not re.match(r"(fig|tbl|sec)-", c)}
    assert len(cited) >= 6
    assert cited <= {e.removeprefix("ref-") for e in entries}
    assert "???" not in paper["text"] and "?@" not in paper["text"]


def test_apa_symbols_minus_signs_and_no_placeholder_text(paper):
    html, text = paper["html"], paper["text"]
    assert "<em>p</em>" in html and "<em>M</em>" in html and "<em>t</em>" in html
    assert MINUS in text
    for cell in (c.replace(SCRIPT, "") for table in paper["tables"] for c in table):
        assert not re.search(r"(^|[\s(\[])-\d", cell), f"hyphen as minus sign in '{cell}'"
    for bad in ("not assessed", "TODO", "placeholder", "NaN", "nan"):
        assert not re.search(rf"\b{bad}\b", text), bad
    assert not re.search(r"\b[A-Z][A-Za-z ]+ 0\d\b", text), "a generated placeholder label"
    assert "synthetic" in text.lower()


def _broken_at_its_own_hyphen(word: str, tokens: set[str]) -> bool:
    """A compound's line break after its own hyphen ("self-" / "esteem."), as typesetters
    allow; a hyphen the typesetter inserted ("In- strument") is still a split word."""
    parts = word.split("-")
    return len(parts) > 1 and all(p + "-" in tokens for p in parts[:-1] if p) \
        and parts[-1] in tokens


@pytest.mark.parametrize("document", ["manuscript", "supplement"])
def test_every_word_of_every_table_is_intact_in_the_pdf(paper, document):
    import pypdf

    report = paper["where"] / "reports/catalonia"
    page = _Page()
    page.feed((report / f"{document}.html").read_text(encoding="utf-8"))
    tokens = set()
    for pdf_page in pypdf.PdfReader(report / f"{document}.pdf").pages:
        tokens |= set(pdf_page.extract_text().split())
    strip = "()[],;:*"
    words = {word.strip(strip) for table in page.tables for cell in table
             for word in unescape(cell).split() if word.strip(strip + SCRIPT)}
    assert len(words) > 100
    tokens = {t.strip(strip) for t in tokens}
    # a word with a sub- or superscript (η²_G, d_z) comes out of the PDF joined to it
    missing = sorted(w.rstrip(SCRIPT) for w in words
                     if not (w in tokens or (w.endswith(SCRIPT) and any(
                         t.startswith(w.rstrip(SCRIPT)) for t in tokens))
                             or _broken_at_its_own_hyphen(w, tokens)))
    assert missing == [], f"table words split or merged in the PDF: {missing[:20]}"


@pytest.mark.parametrize("document", ["manuscript", "supplement"])
def test_no_pdf_page_ends_with_a_table_caption(paper, document):
    """A table's caption (above the table) moves to the next page with its table instead
    of ending a page alone (apa.typ: the caption is sticky). Before that rule the default
    study's supplement ended two pages with a caption whose table began overleaf."""
    pdf = paper["where"] / f"reports/catalonia/{document}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    stranded = []
    for number, page in enumerate(text.split("\f"), start=1):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()
                 and not ln.strip().isdigit()]  # the page number
        if lines and re.match(r"Table [A-Z]?\d+:", lines[-1]):
            stranded.append(f"page {number}: {lines[-1][:60]}")
    assert stranded == []


def test_docx_tables_hold_the_same_cells_with_apa_styles(paper):
    with zipfile.ZipFile(paper["where"] / "reports/catalonia/manuscript.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        styles = docx.read("word/styles.xml").decode("utf-8")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", body, re.S)
    assert len(tables) == len(paper["tables"])
    for xml, cells in zip(tables, paper["tables"], strict=True):
        # a cell's runs split at every change of style ("(", italic "SD", ")")
        joined = unescape("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)))
        for cell in cells:
            for word in cell.replace(SCRIPT, "").split():
                assert unescape(word) in joined, word
    assert "<w:i/>" in body or "<w:i />" in body          # italic statistical symbols
    assert 'w:styleId="Table"' in styles and "<w:tblBorders>" in styles
    # no row breaks across pages (pandoc writes no cantSplit; render.py adds it)
    rows = re.findall(r"<w:tr>(.*?)</w:tr>", body, re.S)
    assert rows and all(row.startswith("<w:trPr><w:cantSplit />") for row in rows)
    assert body.count("<w:tblHeader") == len(tables)   # header rows still repeat
    assert "SYNTHETIC" in body.upper()


def test_manuscript_and_supplement_in_all_formats(paper):
    report = paper["where"] / "reports/catalonia"
    for doc in ("manuscript", "supplement"):
        for fmt in ("html", "docx", "pdf"):
            assert (report / f"{doc}.{fmt}").stat().st_size > 0
    supplement = (report / "supplement.html").read_text(encoding="utf-8")
    tests = pd.read_csv(paper["where"] / "results/catalonia/tests.csv")
    assert supplement.count("<tr") >= len(tests)
    assert not re.search(r'(src|href)="https?://', paper["html"].split("<body")[0])


def _floor_values(method: str, correction: bool, n: int = 10, zeros: int = 3, family: int = 12):
    from peerstudy.report.values import Context, _wilcoxon_floor

    rows = pd.DataFrame({"site": "all", "group": "psw", "instrument": "swls", "scale": "total",
                         "factor": "timepoint", "timepoint": "", "test": "wilcoxon",
                         "family": "psw_pairwise", "p": 0.5,
                         "contrast": [f"C{i}" for i in range(family)]})
    ctx = Context("s", {"tests": rows}, {"alpha": 0.05, "multiplicity": {"method": "holm"},
                                         "conventions": {"wilcoxon": {"correction": correction}}},
                  {}, {})
    w = rows.iloc[0].copy()
    w["n"], w["method"], w["note"] = n, method, f"{zeros} zero differences (wilcox)"
    return {v.key.rsplit(".", 1)[1]: v.text for v in _wilcoxon_floor(ctx, "k", "", "", w)}


@pytest.mark.parametrize("method, correction", [("asymptotic", False), ("asymptotic", True),
                                                ("exact", False)])
def test_the_smallest_attainable_signed_rank_p_is_scipys_most_extreme_result(method,
                                                                              correction):
    # Reference: scipy.stats.wilcoxon (scipy 1.17.1) on the most extreme data for 7
    # non-zero differences. Asymptotic: all of one sign and all tied, which minimises the
    # tie-corrected variance (any other pattern gives a larger p, checked on every
    # distinct-rank pattern below). Exact: all of one sign, p = 2 / 2^7 = .0156.
    from scipy.stats import wilcoxon

    from peerstudy.report.format import p_bare

    got = _floor_values(method, correction)
    assert (got["zeros"], got["nonzero"]) == ("3", "7")
    if method == "exact":
        expected = wilcoxon(-np.arange(1.0, 8.0), method="exact").pvalue
        assert expected == pytest.approx(2 / 2 ** 7)
    else:
        expected = wilcoxon(-np.ones(7), method="approx", correction=correction).pvalue
        for signs in range(2 ** 7):  # every sign pattern of distinct ranks gives more
            d = np.arange(1.0, 8.0) * [1 if signs >> i & 1 else -1 for i in range(7)]
            assert wilcoxon(d, method="approx", correction=correction).pvalue >= expected
    assert got["p_min"] == p_bare(expected)
    # Holm's threshold for the smallest p of a family of 12: .05 / 12
    assert got["p_first"] == ".004"
    assert got["p_min_versus_first"] == ("below" if expected < 0.05 / 12 else "above")
    assert got["p_min_can_lead"] == ("could" if expected < 0.05 / 12 else "could not")


def test_the_default_papers_wilcoxon_floor_and_family_sizes(default_run):
    variables = yaml.safe_load((default_run / "reports/catalonia/_variables.yml").read_text())
    swls = variables["within"]["psw"]["swls"]["total"]["T2_T3"]
    # tests.csv notes "3 zero differences (wilcox)" among the 10 complete pairs
    assert (swls["n"], swls["zeros"], swls["nonzero"]) == ("10", "3", "7")
    assert swls["p_min_versus_first"] == "above" and swls["p_min_can_lead"] == "could not"
    family = variables["family"]["psw_pairwise"]
    assert (family["n_tests"], family["wilcoxon"]["n_tests"]) == ("12", "12")
    assert (family["rm_anova"]["n_tests"], family["friedman"]["n_tests"]) == ("4", "4")
    assert family["mixed_model"]["n_tests"] == "12"
