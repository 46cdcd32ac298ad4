"""Write the bad-input corpus from the tiny study's exports (run from the repo root).

    uv run python tests/data/bad/make_corpus.py

Each broken file differs from a good tiny export in one way; cases.yaml says
which raw file it replaces, which config keys change, and which fragment the
error message must contain. tests/data/odd/ holds exports that are odd but
readable (blank lines, a byte-order mark, mixed line endings, declared missing
ranges, an empty row of a drop-out): tests/data/odd/cases.yaml says what each
must log. The files are committed; this script documents how they were made
and remakes them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

SRC = Path(".test/data/raw/tiny")
OUT = Path("tests/data/bad")
ODD = Path("tests/data/odd")


def read(name):
    return pyreadstat.read_sav(str(SRC / name), user_missing=True)


def write_sav(frame, meta, name, folder=OUT, **changes):
    labels = dict(meta.variable_value_labels)
    labels.update(changes.pop("value_labels", {}))
    missing = {k: v for k, v in meta.missing_ranges.items() if k in frame.columns}
    missing.update(changes.pop("missing_ranges", {}))
    pyreadstat.write_sav(
        frame, str(folder / name),
        column_labels=[meta.column_names_to_labels.get(c, c) for c in frame.columns],
        variable_value_labels={k: v for k, v in labels.items() if k in frame.columns},
        missing_ranges=missing,
    )
    data = bytearray((folder / name).read_bytes())
    data[92:101], data[101:109] = b"01 Jan 23", b"00:00:00"
    (folder / name).write_bytes(bytes(data))


def csv_text():
    return (SRC / "profesionales_cami.csv").read_bytes().decode("cp1252")


def main():
    psw, meta = read("psw_t1.sav")
    raw = (SRC / "psw_t1.sav").read_bytes()
    (OUT / "truncated.sav").write_bytes(raw[: len(raw) // 3])
    (OUT / "empty.sav").write_bytes(b"")
    (OUT / "not_spss.sav").write_bytes(b"codigo;SWLS1\n1101;4\n")
    write_sav(psw.drop(columns=["SWLS3"]), meta, "missing_column.sav")
    write_sav(psw.rename(columns={"SWLS3": "SWLS_3"}), meta, "renamed_column.sav")
    dup = psw.copy()
    dup.loc[1, "codigo"] = dup.loc[0, "codigo"]
    write_sav(dup, meta, "duplicate_id.sav")
    oor = psw.copy()
    oor.loc[2, "SWLS2"] = 44
    write_sav(oor, meta, "out_of_range.sav")
    coded = psw.copy()
    for c in [c for c in psw.columns if c.startswith("SWLS")]:
        coded[c] = coded[c].where(coded[c] > 90, coded[c] - 1)
    write_sav(coded, meta, "zero_based_labels.sav", value_labels={
        f"SWLS{i}": {0: "Muy en desacuerdo", 1: "En desacuerdo", 2: "Neutral", 3: "De acuerdo",
                     4: "Muy de acuerdo", 98: "No sabe", 99: "No contesta"} for i in range(1, 6)})
    site = psw.copy()
    site.loc[0, "centro"] = 2 if site.loc[0, "centro"] == 1 else 1
    write_sav(site, meta, "site_changes.sav")
    unknown_site = psw.copy()
    unknown_site.loc[3, "centro"] = 7
    write_sav(unknown_site, meta, "unknown_site_code.sav")
    stranger = psw.copy()
    stranger.loc[0, "codigo"] = 9999
    write_sav(stranger, meta, "unknown_participant.sav")
    wrong_group = psw.copy()
    wrong_group.loc[0, "codigo"] = 3101  # a professional's id in the PSW file
    write_sav(wrong_group, meta, "wrong_group.sav")
    no_id = psw.copy()
    no_id["codigo"] = no_id["codigo"].astype(object)
    no_id.loc[1, "codigo"] = None
    write_sav(no_id, meta, "empty_id.sav")
    later_only = psw.copy()
    later_only = later_only[later_only["codigo"] != later_only["codigo"].iloc[0]]
    write_sav(later_only.reset_index(drop=True), meta, "missing_baseline.sav")
    copm, cmeta = read("psw_copm.sav")
    copm.loc[0, "momento"] = 1
    write_sav(copm, cmeta, "unknown_timepoint_code.sav")

    text = csv_text()
    lines = text.split("\r\n")
    (OUT / "cami_utf8.csv").write_bytes(text.encode("utf-8"))
    (OUT / "cami_bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (OUT / "cami_commas.csv").write_bytes(text.replace(";", ",").encode("cp1252"))
    (OUT / "cami_empty.csv").write_bytes(b"")
    header = lines[0].split(";")
    header[-1] = "CAMI_05"
    (OUT / "cami_duplicate_column.csv").write_bytes(
        "\r\n".join([";".join(header), *lines[1:]]).encode("cp1252"))
    row = lines[1].split(";")
    row[7] = "tres"
    (OUT / "cami_non_numeric.csv").write_bytes(
        "\r\n".join([lines[0], ";".join(row), *lines[2:]]).encode("cp1252"))
    row = lines[1].split(";")
    row[7] = "4,0"
    (OUT / "cami_decimal_comma.csv").write_bytes(
        "\r\n".join([lines[0], ";".join(row), *lines[2:]]).encode("cp1252"))
    row = lines[1].split(";")
    row[4] = "6 meses"
    (OUT / "cami_unscheduled_timepoint.csv").write_bytes(
        "\r\n".join([lines[0], ";".join(row), *lines[2:]]).encode("cp1252"))
    header = text.split("\r\n")[0]
    (OUT / "cami_header_only.csv").write_bytes((header + "\r\n").encode("cp1252"))
    row = lines[1].split(";")
    (OUT / "cami_short_row.csv").write_bytes(
        "\r\n".join([lines[0], lines[1], ";".join(row[:-3]), *lines[3:]]).encode("cp1252"))
    row = lines[2].split(";")
    (OUT / "cami_long_row.csv").write_bytes(
        "\r\n".join([lines[0], lines[1], ";".join([*row, "4"]), *lines[3:]]).encode("cp1252"))
    (OUT / "cami_bom_cp1252.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    odd_files(psw, meta, text, lines)
    print(f"wrote {len(list(OUT.glob('*.sav'))) + len(list(OUT.glob('*.csv')))} files to {OUT}")


def odd_files(psw, meta, text, lines):
    """Odd but readable exports (tests/data/odd/cases.yaml)."""
    ODD.mkdir(exist_ok=True)
    body = text.rstrip("\r\n")
    (ODD / "cami_trailing_blank_lines.csv").write_bytes(
        (body + "\r\n\r\n" + ";" * (lines[0].count(";")) + "\r\n\r\n").encode("cp1252"))
    (ODD / "cami_blank_line_inside.csv").write_bytes(
        "\r\n".join([lines[0], lines[1], "", *lines[2:]]).encode("cp1252"))
    (ODD / "cami_utf8_bom_crlf.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    mixed = "".join(line + ("\n" if k % 2 else "\r\n") for k, line in enumerate(body.split("\r\n")))
    (ODD / "cami_mixed_line_endings.csv").write_bytes(mixed.encode("cp1252"))
    trailing = "\r\n".join(line + ";" if line else line for line in text.split("\r\n"))
    (ODD / "cami_trailing_separators.csv").write_bytes(trailing.encode("cp1252"))
    # Excel's separator hint: a first line 'sep=;' (Excel reads it and hides it; some
    # survey tools write it so that Excel opens the file in any locale)
    (ODD / "cami_sep_line.csv").write_bytes(("sep=;\r\n" + text).encode("cp1252"))
    # declared ranges instead of the generator's discrete 98, 99 (SPSS allows one range plus
    # one value): SWLS 88 THRU 99, -1; EMAS LO THRU -1, 99. Three answers recoded into them.
    ranged = psw.copy()
    swls = [c for c in psw.columns if c.startswith("SWLS")]
    emas = [c for c in psw.columns if c.startswith("EMAS")]
    ranged.loc[0, "SWLS1"] = -1
    ranged.loc[1, "SWLS2"] = 88
    ranged.loc[2, "EMAS01"] = -7
    missing = {c: [{"lo": 88, "hi": 99}, -1] for c in swls}
    missing.update({c: [{"lo": float("-inf"), "hi": -1}, 99] for c in emas})
    write_sav(ranged, meta, "psw_t1_declared_ranges.sav", folder=ODD, missing_ranges=missing)
    # a drop-out's row kept in the 12-month export with every answer empty
    later, lmeta = read("psw_t3.sav")
    roster, _ = read("sociodemograficos.sav")
    gone = roster[(roster["grupo"] == 1) & roster["motivo_baja"].notna()].iloc[0]
    empty = later.iloc[:1].copy()
    for col in later.columns:
        empty[col] = empty[col].astype(later[col].dtype)
        empty.loc[:, col] = float("nan") if later[col].dtype.kind == "f" else ""
    empty["codigo"] = gone["codigo"]
    empty["centro"] = gone["centro"]
    write_sav(pd.concat([later, empty], ignore_index=True), lmeta, "psw_t3_empty_row.sav",
              folder=ODD)


if __name__ == "__main__":
    main()
