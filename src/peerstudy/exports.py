"""What the config says about each raw export: layout, variable names, forms.

Pure Python (no pandas), because the Snakefile calls it on every run. It
answers the questions ingestion, the config checks and conventions.json share:
which timepoints a file covers (one, a coded column, or several blocks of
columns in a *wide* file), the variable name of each item at each timepoint,
which form of each instrument a file uses, which form the study analyses an
instrument on, and the rules of attendance and missing values in words.
"""

from __future__ import annotations

PLACEHOLDER = "{timepoint}"

ATTENDANCE_RULE = (
    "A participant attended a scheduled timepoint when at least one item of any "
    "questionnaire at that timepoint has a valid answer (after missing codes and "
    "out-of-range values are set missing), or when a file's attendance column "
    "(raw_files[].attendance) records the visit as attended. A row or a wide file's "
    "block of columns with no answered item is a visit not attended: its empty "
    "answers are not written to items.csv, and the participant is logged "
    "not_attended with the file and row."
)

DECLARED_MISSING_RULE = (
    "SPSS user-missing values declared in a .sav file (discrete codes and ranges, "
    "including LO THRU x and x THRU HI) are set missing, each logged as missing_code "
    "with the declaration it came from; the config's missing_codes add to them. A file "
    "with declared_missing: false keeps its declared codes as answers (they are then "
    "validated like any answer), and report.md warns about it."
)


def is_wide(spec: dict) -> bool:
    """A file holding several timepoints side by side, one block of columns each."""
    return isinstance(spec.get("timepoint"), dict) and "wide" in spec["timepoint"]


def file_timepoints(spec: dict) -> list[str]:
    """Every timepoint a raw file can hold (fixed, coded or wide)."""
    tp = spec["timepoint"]
    if isinstance(tp, str):
        return [tp]
    if "wide" in tp:
        return list(tp["wide"])
    return list(dict.fromkeys(tp["values"].values()))


def coded_values(spec) -> list[str]:
    """The ids a fixed-or-coded entry (group, site) can take."""
    return [spec] if isinstance(spec, str) else list(dict.fromkeys(spec["values"].values()))


def at_timepoint(name: str, spec: dict, tp: str | None) -> str:
    """A variable name of ``spec`` at timepoint ``tp``: ``{timepoint}`` filled in wide files."""
    if tp is None or not is_wide(spec):
        return name
    return name.replace(PLACEHOLDER, str(spec["timepoint"]["wide"][tp]))


def item_variables(spec: dict, instrument: str, item_ids: list[str],
                   tp: str | None = None) -> dict[str, str]:
    """{item id: variable name in the export} from a template or an explicit mapping."""
    mapping = spec["instruments"][instrument]
    if isinstance(mapping, dict):
        return {item: at_timepoint(mapping[item], spec, tp) for item in item_ids}
    template = at_timepoint(mapping, spec, tp)
    return {item: template.format(n=pos) for pos, item in enumerate(item_ids, start=1)}


def blocks(spec: dict, schedule: dict) -> list[tuple[str | None, str]]:
    """The (timepoint, instrument) blocks a file holds, in reading order.

    A long file has one block per instrument (timepoint ``None``: fixed or taken
    from a column). A wide file has a block per timepoint x instrument wherever
    one of the file's groups has that instrument scheduled at that timepoint.
    """
    if not is_wide(spec):
        return [(None, inst) for inst in spec["instruments"]]
    groups = coded_values(spec["group"])
    out = []
    for tp in file_timepoints(spec):
        for inst in spec["instruments"]:
            if any(inst in schedule.get(g, {}).get(tp, []) for g in groups):
                out.append((tp, inst))
    return out


def file_forms(spec: dict, forms: dict) -> dict[str, str]:
    """{instrument: form id} a raw file uses: its ``forms`` entry, else the default form."""
    chosen = spec.get("forms", {})
    return {inst: chosen.get(inst, forms[inst]["default"]) for inst in spec["instruments"]
            if inst in forms}


def same_ranges(forms: dict, inst: str, a: str, b: str) -> bool:
    return forms[inst]["forms"][a]["items"] == forms[inst]["forms"][b]["items"]


def form_range(forms: dict, inst: str, form: str) -> str:
    items = forms[inst]["forms"][form]["items"].values()
    lows, highs = {r[0] for r in items}, {r[1] for r in items}
    if len(lows) == 1 and len(highs) == 1:
        return f"{lows.pop()}-{highs.pop()}"
    return "item ranges " + ", ".join(sorted({f"{r[0]}-{r[1]}" for r in items}))


def analysis_forms(config: dict, forms: dict) -> dict[str, dict]:
    """Which form each instrument is analysed on, and how other forms reach it.

    Returns ``{instrument: {"reference": form, "used": {form: [file ids]},
    "rescaled": [forms whose answers lie on other ranges]}}``. Forms with the
    same item ranges (e.g. two language versions of one 7-point scale) pool as
    they are; forms on other ranges need ``registry.rescale`` (linear, to the
    reference form's range). Raises ``ValueError`` with the reason otherwise;
    ``peerstudy.config`` turns it into a ConfigError.
    """
    used: dict[str, dict[str, list[str]]] = {}
    for spec in config["raw_files"]:
        for inst, form in file_forms(spec, forms).items():
            used.setdefault(inst, {}).setdefault(form, []).append(spec["id"])
    rescale = config.get("registry", {}).get("rescale", {})
    out = {}
    for inst, by_form in used.items():
        default = forms[inst]["default"]
        if inst in rescale:
            reference = rescale[inst]["to"]
        else:
            reference = default if default in by_form else next(iter(by_form))
        other = [f for f in by_form if not same_ranges(forms, inst, f, reference)]
        if other and inst not in rescale:
            listed = "; ".join(f"{f} ({form_range(forms, inst, f)}: {', '.join(files)})"
                               for f, files in by_form.items())
            raise ValueError(
                f"instrument '{inst}' is read with forms on different response ranges — "
                f"{listed}. Pooling them in one analysis would mix answers on different "
                "scales: use one form, or declare registry.rescale."
                f"{inst}: {{to: {reference}, method: linear}} to rescale scores linearly to "
                f"the {reference} form's range (stated in conventions.json for the methods)."
            )
        out[inst] = {"reference": reference, "used": by_form, "rescaled": other}
    return out


def rescale_statement(inst: str, reference: str, rescaled: list[str], forms: dict) -> str:
    if not rescaled:
        return (f"All {inst} answers were on the {reference} form's response range; "
                "no rescaling was needed.")
    ref = form_range(forms, inst, reference)
    parts = [f"{f} ({form_range(forms, inst, f)})" for f in rescaled]
    return (f"{inst} scale scores from form {', '.join(parts)} were rescaled linearly to the "
            f"range of form {reference} ({ref}): score' = ref_min + (score - min) x "
            "(ref_max - ref_min) / (max - min), with each scale's minimum and maximum on "
            "its own form (equivalent to the percent of maximum possible (POMP) expressed "
            "on the reference range). Items are kept on their own form in items.csv.")


def ingestion_conventions(config: dict, forms: dict) -> dict:
    """The data-handling conventions of ingestion, for conventions.json."""
    attendance_columns = {spec["id"]: spec["attendance"]["column"]
                          for spec in config["raw_files"] if "attendance" in spec}
    ignoring = [spec["id"] for spec in config["raw_files"]
                if spec["format"] == "sav" and spec.get("declared_missing") is False]
    pf = config.get("participants_file")
    if pf and pf["format"] == "sav" and pf.get("declared_missing") is False:
        ignoring.insert(0, "participants_file")
    try:
        chosen = analysis_forms(config, forms)
    except ValueError:
        chosen = {}
    rescale = config.get("registry", {}).get("rescale", {})
    form_notes = {}
    for inst, info in sorted(chosen.items()):
        note = {
            "analysed_on_form": info["reference"],
            "forms_used": {f: {"files": files, "response": form_range(forms, inst, f),
                               "language": forms[inst]["forms"][f]["language"],
                               "version": forms[inst]["forms"][f]["version"]}
                           for f, files in info["used"].items()},
        }
        if inst in rescale or info["rescaled"]:
            note["rescaling"] = {
                "declared": rescale.get(inst),
                "forms_rescaled": info["rescaled"],
                "statement": rescale_statement(inst, info["reference"], info["rescaled"], forms),
            }
        form_notes[inst] = note
    roster = ("participants_file (a roster)" if pf else
              "derived from the questionnaire exports (participants_from): every id in a raw "
              "file is a participant, with the group and site of the files it appears in")
    return {
        "attendance": ATTENDANCE_RULE,
        "attendance_columns": attendance_columns,
        "declared_missing": DECLARED_MISSING_RULE,
        "declared_missing_ignored_in": ignoring,
        "participants": roster,
        "instrument_forms": form_notes,
    }
