"""Writes maxqda_segments.xlsx and maxqda_nested.xlsx (tests/data/real/README.md).

The sheets have the columns of MAXQDA 2022's "Coded segments" export (Export >
Coded segments > Excel), in its order; the workbook itself is written by
openpyxl, and the CSV variants of it by LibreOffice 7.4.7 (commands in the
README). Made-up segments; no real person.
Run: uv run python tests/data/real/qualitative/make_maxqda.py
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
COLUMNS = ["Color", "Document group", "Document name", "Code", "Begin", "End", "Weight score",
           "Segment", "Modified by", "Modified", "Created by", "Created", "Area", "Coverage %"]
SEGMENTS = [
    # two passages of paragraph 3, each with its own code
    ("FG A", "PEERS\\Hope", 3, 3, "Seeing someone further along gave me hope."),
    ("FG A", "PEERS\\Stigma", 3, 3, "At work they still call us 'the patients'."),
    # one passage with two codes: listed twice with the same text
    ("FG A", "PEERS\\Hope", 5, 6, "I came back the next week because of her."),
    ("FG A", "PEERS\\Belonging", 5, 6, "I came back the next week because of her."),
    ("FG B", "INNER SETTING\\Culture\\Positive", 2, 2, "The team welcomed the idea."),
    ("FG B", "INNER SETTING\\Culture\\Negative", 4, 4, "Some colleagues rolled their eyes."),
    ("FG B", "PEERS\\Hope", 7, 7, "Ahora sé que es posible, también para mí."),
]
# the same leaf under two subcodes of one group
NESTED = SEGMENTS[:4] + [
    ("FG B", "INNER SETTING\\Culture\\Positive", 2, 2, "The team welcomed the idea."),
    ("FG B", "INNER SETTING\\Climate\\Positive", 4, 4, "People felt free to speak."),
]


def write(name: str, segments) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Coded segments"
    ws.append(COLUMNS)
    for doc, code, begin, end, text in segments:
        ws.append(["#0072B2", "Focus groups", doc, code, begin, end, 0, text, "coder1",
                   "2024-03-01 10:00", "coder1", "2024-03-01 10:00", len(text), 1.5])
    wb.save(HERE / name)


if __name__ == "__main__":
    write("maxqda_segments.xlsx", SEGMENTS)
    write("maxqda_nested.xlsx", NESTED)
