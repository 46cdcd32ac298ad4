"""The DOCX reference document: pandoc's default one with APA styles.

pandoc styles a DOCX from a reference document. Its default has no rules
above and below tables and a sans-serif look; an APA manuscript wants three
horizontal rules per table (top, under the header, bottom), no vertical
lines, a serif body font and a style for callouts. The file is derived at
render time from the installed pandoc's own default (nothing binary is kept
in the repository) and written with fixed timestamps, so it is byte-stable.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

from peerstudy.io import atomic_write_bytes

TABLE_BORDERS = (
    "<w:tblBorders>"
    '<w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
    '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
    "</w:tblBorders>"
)
HEADER_RULE = (
    '<w:tblStylePr w:type="firstRow"><w:tcPr><w:tcBorders>'
    '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    '</w:tcBorders><w:vAlign w:val="bottom"/></w:tcPr></w:tblStylePr>'
)
CALLOUT_STYLE = (
    '<w:style w:type="paragraph" w:customStyle="1" w:styleId="Callout">'
    '<w:name w:val="Callout"/><w:basedOn w:val="BodyText"/><w:qFormat/>'
    '<w:pPr><w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="0072B2"/></w:pBdr>'
    '<w:shd w:val="clear" w:color="auto" w:fill="EEF5FB"/><w:ind w:left="240" w:right="240"/>'
    "</w:pPr></w:style>"
)
TABLE_NOTE_STYLE = (
    '<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableNote">'
    '<w:name w:val="Table Note"/><w:basedOn w:val="BodyText"/><w:qFormat/>'
    '<w:pPr><w:spacing w:before="60" w:after="240"/></w:pPr><w:rPr><w:sz w:val="20"/></w:rPr>'
    "</w:style>"
)
FIXED_TIME = (2023, 1, 1, 0, 0, 0)


# style -> size in half-points: a moderate title and APA-sized, bold headings
HEADING_STYLES = {"Title": 36, "Subtitle": 26, "Heading1": 26, "Heading2": 24, "Heading3": 24,
                  "TOCHeading": 26}
# run properties besides font and colour: APA headings are bold (level 3 bold italic, as
# the PDF layout sets them); pandoc's reference document leaves them regular
EMPHASIS = {"Title": "<w:b/><w:bCs/>", "Heading1": "<w:b/><w:bCs/>",
            "Heading2": "<w:b/><w:bCs/>", "Heading3": "<w:b/><w:bCs/><w:i/><w:iCs/>",
            "TOCHeading": "<w:b/><w:bCs/>",
            "Subtitle": '<w:b w:val="0"/><w:bCs w:val="0"/>'}  # not the Title's bold


def _black_serif(styles: str, style_id: str, size: int) -> str:
    """A heading style in the body's serif font, black, bold: APA, not Word's blue."""
    found = re.search(rf'<w:style [^>]*w:styleId="{style_id}">.*?</w:style>', styles, re.S)
    if not found:
        return styles
    block = re.sub(r"<w:rFonts [^>]*/>", "", found.group(0))
    block = re.sub(r'<w:color [^>]*/>', "", block)
    block = re.sub(r'<w:sz w:val="\d+" ?/>', f'<w:sz w:val="{size}"/>', block)
    block = re.sub(r'<w:szCs w:val="\d+" ?/>', f'<w:szCs w:val="{size}"/>', block)
    block = re.sub(r"<w:[bi](Cs)? ?/>", "", block)
    block = re.sub(r"<w:rPr>", '<w:rPr><w:rFonts w:ascii="Times New Roman" '
                   'w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" '
                   'w:cs="Times New Roman"/>' + EMPHASIS.get(style_id, "")
                   + '<w:color w:val="000000"/>', block, count=1)
    return styles.replace(found.group(0), block)


def _hanging(styles: str, style_id: str) -> str:
    """The reference list's style with a half-inch hanging indent (APA)."""
    found = re.search(rf'<w:style [^>]*w:styleId="{style_id}">.*?</w:style>', styles, re.S)
    if not found:
        return styles
    indent = '<w:ind w:left="720" w:hanging="720"/>'
    block = re.sub(r"<w:pPr\s*/>", "<w:pPr></w:pPr>", found.group(0))
    if "<w:pPr>" in block:
        block = block.replace("<w:pPr>", "<w:pPr>" + indent, 1)
    else:
        block = block.replace("</w:style>", f"<w:pPr>{indent}</w:pPr></w:style>", 1)
    return styles.replace(found.group(0), block)


def _restyle(styles: str) -> str:
    """Serif body font, black serif headings, APA table rules, a hanging indent for the
    references, Callout and Table Note paragraph styles."""
    styles = re.sub(r'<w:rFonts [^>]*/>', '<w:rFonts w:ascii="Times New Roman" '
                    'w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" '
                    'w:cs="Times New Roman"/>', styles, count=1)
    table = re.search(r'<w:style w:type="table" w:default="1" w:styleId="Table">.*?</w:style>',
                      styles, re.S)
    block = table.group(0)
    block = block.replace("<w:tblPr>", "<w:tblPr>" + TABLE_BORDERS, 1)
    block = re.sub(r'(<w:left|<w:right) w:w="108"', r'\1 w:w="57"', block)
    # table text a size smaller than the body, single-spaced (APA allows it)
    block = block.replace("<w:tblPr>", '<w:pPr><w:spacing w:before="0" w:after="0" '
                          'w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/>'
                          '<w:szCs w:val="18"/></w:rPr><w:tblPr>', 1)
    block = re.sub(r'<w:tblStylePr w:type="firstRow">.*?</w:tblStylePr>', HEADER_RULE, block,
                   flags=re.S)
    styles = styles.replace(table.group(0), block)
    for style_id, size in HEADING_STYLES.items():
        styles = _black_serif(styles, style_id, size)
    styles = _hanging(styles, "Bibliography")
    return styles.replace("</w:styles>", CALLOUT_STYLE + TABLE_NOTE_STYLE + "</w:styles>")


# A4 landscape, margins of 2.54 cm (twentieths of a point), for a landscape document
# (the supplement, `landscape: true`): pandoc takes the page from the reference's sectPr.
LANDSCAPE_PAGE = ('<w:pgSz w:w="16838" w:h="11906" w:orient="landscape" />'
                  '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
                  'w:header="708" w:footer="708" w:gutter="0" />')


def write_reference_docx(path: Path, pandoc: str, landscape: bool = False) -> None:
    default = subprocess.run([pandoc, "--print-default-data-file", "reference.docx"],
                             capture_output=True, check=True).stdout
    source = zipfile.ZipFile(io.BytesIO(default))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            data = source.read(name)
            if name == "word/styles.xml":
                data = _restyle(data.decode("utf-8")).encode("utf-8")
            elif name == "word/document.xml" and landscape:
                data = data.decode("utf-8").replace(
                    "<w:sectPr>", "<w:sectPr>" + LANDSCAPE_PAGE, 1).encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    atomic_write_bytes(path, out.getvalue())


ROW = re.compile(r"(<w:tr(?:\s[^>]*)?>)(<w:trPr\s*/>|<w:trPr>)?")


def _unsplittable(row: re.Match) -> str:
    """A row's opening tag with ``cantSplit`` first in its properties (added when the
    row has none)."""
    if row.group(2) == "<w:trPr>":
        return row.group(1) + "<w:trPr><w:cantSplit />"
    return row.group(1) + "<w:trPr><w:cantSplit /></w:trPr>"


def keep_rows_whole(path: Path) -> None:
    """Mark every table row of a written DOCX "do not split across pages" (``cantSplit``).

    pandoc's DOCX writer gives rows no such property, and neither its document tree nor
    the reference document can set it (a row's properties are not styled), so Word and
    LibreOffice break a row of wrapped cells over two pages. The row properties are
    added to ``word/document.xml``; every other part, and every entry's name, order,
    timestamp and compression, is copied unchanged, so the file stays byte-stable."""
    source = zipfile.ZipFile(io.BytesIO(Path(path).read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                data = ROW.sub(_unsplittable, xml).encode("utf-8")
            target.writestr(info, data)
    atomic_write_bytes(path, out.getvalue())
