"""Write the exports of the 'newsite' test study (run from the repository root).

    uv run python tests/data/newsite/make_newsite.py   # writes raw/*.sps and raw/*.csv
    cd tests/data/newsite/raw && pspp girona_psw.sps && pspp girona_users.sps

A new site as it would arrive: no roster file and no drop-out column.

- raw/girona_psw.sps -> .sav (GNU PSPP): peer support workers, one row each, one
  block of columns per visit (suffixes _a, _b, _c); SWLS on the 7-point form, EMAS;
  declared missing values LO THRU -1 and 88 THRU 99, plus 9 on the SWLS; string ids,
  a string sex code with value labels, a date of birth, a long free-text note and
  a name column. Drop-outs have empty (or only declared-missing) later blocks.
- raw/girona_users.sps -> .sav (GNU PSPP): service users, wide (_pre, _post), SWLS on
  the 5-point form, declared 99 and LO THRU -1.
- raw/lleida_users.csv: service users of a second site, long (one row per visit),
  as a Spanish spreadsheet saves "CSV UTF-8": byte-order mark, ';' separator,
  decimal comma, CRLF line ends, 'NS/NC' typed for unknown answers, trailing blank
  lines.

Made-up answers from a seeded generator; no real person. Answers are drawn per
person around a personal level, so scales have internal consistency.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

RAW = Path("tests/data/newsite/raw")
FIRST = ["Aina", "Biel", "Clara", "Dani", "Eva", "Ferran", "Gemma", "Hugo", "Irene", "Jan",
         "Lia", "Marc", "Noa", "Oriol", "Paula", "Quim"]
LAST = ["Arnau", "Batlle", "Codina", "Duran", "Esteve", "Ferrer", "Gili", "Homs"]


def answers(rng, level: float, k: int, low: int, high: int, shift: float = 0.0) -> list[int]:
    raw = rng.normal(level + shift, 0.7, size=k)
    return np.clip(np.rint(raw), low, high).astype(int).tolist()


def person(rng, k: int) -> tuple[str, str, str]:
    name = f"{FIRST[k % len(FIRST)]} {LAST[(k * 3) % len(LAST)]} {LAST[(k * 5 + 1) % len(LAST)]}"
    sex = "F" if rng.random() < 0.55 else "M"
    born = f"{rng.integers(1, 28):02d}-{['JAN', 'MAR', 'MAY', 'JUL', 'SEP', 'NOV'][k % 6]}-" \
           f"{rng.integers(1960, 2000)}"
    return name, sex, born


def wide_syntax(rng, ids, tokens, dropouts, swls_max, declared, sps_name, title) -> str:
    """PSPP syntax for a wide export with the given visits and drop-outs."""
    names = ["codigo (A6)", "nombre (A30)", "sexo (A1)", "nacimiento (DATE11)", "nota (A300)"]
    items = []
    for tok in tokens:
        items += [f"SWLS{i}_{tok}" for i in range(1, 6)] + [f"EMAS{i:02d}_{tok}"
                                                          for i in range(1, 13)]
    lines = []
    for k, pid in enumerate(ids):
        name, sex, born = person(rng, k)
        level = rng.uniform(2.2, 4.2)
        row = [pid, name, sex, born, "Sin incidencias" if k % 4 else ""]
        for v, _ in enumerate(tokens):
            if v >= dropouts.get(pid, (len(tokens), None))[0]:
                swls_fill, emas_fill = dropouts[pid][1]
                row += [swls_fill] * 5 + [emas_fill] * 12
                continue
            swls = answers(rng, level * swls_max / 5, 5, 1, swls_max, 0.3 * v)
            emas = answers(rng, level, 12, 1, 5, 0.2 * v)
            cells = [str(x) for x in swls + emas]
            if rng.random() < 0.25:  # an item left unanswered, coded as the file declares
                at = int(rng.integers(0, 17))
                cells[at] = str(rng.choice(declared["swls" if at < 5 else "emas"]))
            row += cells
        lines.append(",".join(row))
    header = "\n".join(f"   {' '.join(items[i:i + 6])} (F2.0)" for i in range(0, len(items), 6))
    missing = "\n".join(f"MISSING VALUES {first} TO {last} ({decl})."
                        for first, last, decl in declared["blocks"])
    return f"""* Written by tests/data/newsite/make_newsite.py for peerstudy's 'newsite' test study.
* {title}
* Made-up data; no real person. Run: pspp {sps_name}

DATA LIST LIST (",")
  /{' '.join(names)}
{header}.
BEGIN DATA
{chr(10).join(lines)}
END DATA.

VARIABLE LABELS codigo 'Codigo' sexo 'Sexo' nacimiento 'Fecha de nacimiento' nota 'Nota libre'.
VALUE LABELS sexo 'F' 'Mujer' 'M' 'Hombre'.
{missing}
SAVE OUTFILE='{sps_name.replace('.sps', '.sav')}'.
"""


def lleida_csv(rng) -> bytes:
    header = ["Código", "Nombre", "Sexo", "Momento", *[f"SWLS{i}" for i in range(1, 6)],
              *[f"EMAS{i:02d}" for i in range(1, 13)], "Observaciones"]
    rows = []
    dropouts = {"LL-03", "LL-07", "LL-11", "LL-12"}
    for k in range(1, 15):
        pid = f"LL-{k:02d}"
        name, sex, _ = person(rng, k + 20)
        level = rng.uniform(2.0, 4.2)
        for v, when in enumerate(["Inicio", "12 meses"]):
            if v and pid in dropouts:
                continue
            cells = [str(x) for x in answers(rng, level, 5, 1, 5, 0.3 * v)
                     + answers(rng, level, 12, 1, 5, 0.2 * v)]
            if rng.random() < 0.3:
                cells[int(rng.integers(0, 17))] = "NS/NC"
            if rng.random() < 0.2:
                cells[int(rng.integers(0, 17))] = ""
            rows.append([pid, name, "Mujer" if sex == "F" else "Hombre", when, *cells,
                         '"media jornada; 0,5"' if k == 4 else ""])
    text = "".join(";".join(r) + "\r\n" for r in [header, *rows]) + "\r\n;;;\r\n\r\n"
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def main() -> None:
    rng = np.random.default_rng(20240612)
    RAW.mkdir(parents=True, exist_ok=True)
    psw_ids = [f"GI-{k:03d}" for k in range(1, 11)]
    # GI-004 leaves after the first visit (empty blocks), GI-007 after the second
    # (a block of declared-missing 99s), GI-009 after the first (blocks of -1)
    dropouts = {"GI-004": (1, ("", "")), "GI-007": (2, ("9", "99")), "GI-009": (1, ("-1", "-1"))}
    # SWLS on 1-7 declares LO THRU -1 and 9; the EMAS (1-5) 88 THRU 99 and -1
    declared = {"swls": [9, -1], "emas": [99, 88, -1],
                "blocks": [(f"SWLS1_{t}", f"SWLS5_{t}", "LO THRU -1, 9") for t in "abc"]
                + [(f"EMAS01_{t}", f"EMAS12_{t}", "88 THRU 99, -1") for t in "abc"]}
    (RAW / "girona_psw.sps").write_text(wide_syntax(
        rng, psw_ids, ["a", "b", "c"], dropouts, 7, declared,
        "girona_psw.sps", "Peer support workers in Girona: wide, three visits (_a, _b, _c)."),
        encoding="utf-8")
    user_ids = [f"GU-{k:03d}" for k in range(1, 13)]
    drop_users = {"GU-002": (1, ("", "")), "GU-006": (1, ("99", "99")), "GU-010": (1, ("", ""))}
    declared = {"swls": [99, -1], "emas": [99, -1],
                "blocks": [(f"SWLS1_{t}", f"EMAS12_{t}", "LO THRU -1, 99")
                           for t in ("pre", "post")]}
    (RAW / "girona_users.sps").write_text(wide_syntax(
        rng, user_ids, ["pre", "post"], drop_users, 5, declared, "girona_users.sps",
        "Service users in Girona: wide, two visits (_pre, _post)."), encoding="utf-8")
    (RAW / "lleida_users.csv").write_bytes(lleida_csv(rng))


if __name__ == "__main__":
    main()
