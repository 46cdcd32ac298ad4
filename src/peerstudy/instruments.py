"""The instrument registry: item keys, scales and their sourced assumptions.

Each instrument is one YAML file (``config/instruments/*.yaml`` plus any
folders a study adds), validated against ``workflow/schemas/instrument.schema.yaml``.
Templated instruments (COPM) are expanded over the study's parameters here,
so the rest of the pipeline sees plain items and scales.

An instrument may declare several *forms* under one id (e.g. the Spanish
SWLS on a 5-point and a 7-point response format): each with its response
range and labels, language and version. An instrument without ``forms`` has
one, ``default``. Each raw file chooses a form; the registry a rule loads is
set to the form the study analyses the instrument on
(``registry.parameters.<id>.form``, filled in by ``peerstudy.config``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from peerstudy.errors import ConfigError, closest

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "instrument.schema.yaml"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    min: int
    max: int
    reverse: bool = False

    def keyed(self, value: float, reverse: bool | None = None) -> float:
        """Reverse-key on the item's own range: min + max - x."""
        flip = self.reverse if reverse is None else reverse
        return self.min + self.max - value if flip else value


@dataclass(frozen=True)
class Scale:
    id: str
    label: str
    items: tuple[str, ...]
    method: str
    min_answered: float
    prorate: str
    higher_is: str
    higher_is_better: bool | None
    flip: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Form:
    """One version of an instrument: response range and labels, language, source."""

    id: str
    language: str
    version: str
    citation: str
    min: int
    max: int
    labels: dict


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    short_name: str
    language_version: str
    sources: tuple[dict, ...]  # CSL-YAML entries: the bibliography of manuscripts
    reported_alpha: str | None
    labels: dict
    items: dict[str, Item]
    scales: dict[str, Scale]
    assumptions: tuple[dict, ...]
    path: str
    needs: str = ""  # why a templated instrument has no items (a missing study parameter)
    forms: dict[str, Form] = field(default_factory=dict)
    form: str = "default"  # the form whose ranges ``items`` carry
    default_form: str = "default"
    form_items: dict[str, dict[str, Item]] = field(default_factory=dict, repr=False)
    reported_alpha_source: str = ""  # key (in sources) of the study that reported the alpha
    rated_by: str = ""  # who rates it, when not the person it describes (e.g. researchers)

    def with_form(self, form_id: str) -> Instrument:
        """The same instrument with the item ranges, labels and version of another form."""
        if form_id == self.form:
            return self
        if form_id not in self.forms:
            raise ConfigError(f"{self.path}: instrument '{self.id}' has no form '{form_id}'"
                              f"{closest(form_id, self.forms)}.")
        form = self.forms[form_id]
        return replace(self, form=form_id, items=self.form_items[form_id], labels=form.labels,
                       language_version=form.version)

    def reversed_in(self, scale: Scale, item_id: str) -> bool:
        """Whether an item is reverse-keyed when scoring this scale."""
        return self.items[item_id].reverse != (item_id in scale.flip)

    def scale_range(self, scale: Scale) -> tuple[float, float]:
        lows = [self.items[i].min for i in scale.items]
        highs = [self.items[i].max for i in scale.items]
        if scale.method == "sum":
            return float(sum(lows)), float(sum(highs))
        return float(min(lows)), float(max(highs))


@functools.lru_cache(maxsize=1)
def _validator():
    import jsonschema

    with open(SCHEMA, encoding="utf-8") as handle:
        return jsonschema.Draft202012Validator(yaml.load(handle, Loader=LOADER))  # noqa: S506


def _validate(doc: dict, path: Path) -> None:
    validator = _validator()
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        hint = ""
        if err.validator == "additionalProperties":
            allowed = err.schema.get("properties", {}).keys()
            bad = [k for k in err.instance if k not in allowed]
            hint = "".join(f" Unknown key '{k}'{closest(k, allowed)}." for k in bad)
        raise ConfigError(f"{path}: at {where}: {err.message}.{hint}")


def _expand_templates(doc: dict, params: dict, path: Path) -> dict:
    tpl = doc.get("templates")
    if not tpl:
        return doc
    key = tpl["for_each"]
    values = params.get(key)
    doc = dict(doc)
    if not values:
        # Usable only once the study gives the parameter; an error if it is scheduled.
        doc["needs"] = (f"{path}: instrument '{doc['id']}' needs registry.parameters."
                        f"{doc['id']}.{key} in the study config "
                        f"({doc.get('parameters', {}).get(key, 'a list')}).")
        doc["items"], doc["scales"] = [], []
        return doc
    doc["items"] = [_fill(i, v) for v in values for i in tpl["items"]]
    doc["scales"] = [_fill(s, v) for v in values for s in tpl["scales"]]
    return doc


def _fill(template, values: dict):
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, list):
        return [_fill(t, values) for t in template]
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    return template


def _forms(doc: dict, path: Path) -> tuple[dict[str, Form], str]:
    """The instrument's forms and its default form (one implicit form without ``forms``)."""
    if ("forms" in doc) == ("response" in doc):
        raise ConfigError(f"{path}: give the response range either once under 'response' or "
                          "per form under 'forms', not both (nor neither).")
    if "forms" not in doc:
        resp = doc["response"]
        form = Form(id="default", language=doc.get("language", ""),
                    version=doc["language_version"], citation="", min=resp["min"],
                    max=resp["max"], labels=resp.get("labels", {}))
        return {"default": form}, "default"
    forms: dict[str, Form] = {}
    for raw in doc["forms"]:
        if raw["id"] in forms:
            raise ConfigError(f"{path}: form '{raw['id']}' is defined twice.")
        resp = raw["response"]
        forms[raw["id"]] = Form(id=raw["id"], language=raw["language"], version=raw["version"],
                                citation=raw.get("citation", ""), min=resp["min"],
                                max=resp["max"], labels=resp.get("labels", {}))
    default = doc.get("default_form", next(iter(forms)))
    if default not in forms:
        raise ConfigError(f"{path}: default_form '{default}' is not one of the forms"
                          f"{closest(default, forms)}.")
    return forms, default


def _items(doc: dict, form: Form, path: Path) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for raw in doc["items"]:
        if raw["id"] in items:
            raise ConfigError(f"{path}: item '{raw['id']}' is defined twice.")
        items[raw["id"]] = Item(
            id=raw["id"], label=raw["label"], min=raw.get("min", form.min),
            max=raw.get("max", form.max), reverse=raw.get("reverse", False),
        )
    return items


def _build(doc: dict, path: Path) -> Instrument:
    forms, default = _forms(doc, path)
    form_items = {fid: _items(doc, form, path) for fid, form in forms.items()}
    items = form_items[default]
    scales: dict[str, Scale] = {}
    for raw in doc["scales"]:
        ids = tuple(items) if raw["items"] == "all" else tuple(raw["items"])
        for item_id in [*ids, *raw.get("flip", [])]:
            if item_id not in items:
                raise ConfigError(
                    f"{path}: scale '{raw['id']}' names item '{item_id}', which the "
                    f"instrument does not define{closest(item_id, items)}."
                )
        if len(set(ids)) != len(ids):
            raise ConfigError(f"{path}: scale '{raw['id']}' lists an item twice.")
        scales[raw["id"]] = Scale(
            id=raw["id"], label=raw["label"], items=ids, method=raw["method"],
            min_answered=float(raw["min_answered"]), prorate=raw["prorate"],
            higher_is=raw["higher_is"], higher_is_better=raw["higher_is_better"],
            flip=frozenset(raw.get("flip", [])),
        )
    _check_subscales_disjoint(doc["id"], scales, path)
    cited = doc.get("reported_alpha_source")
    known = [src["id"] for src in doc["sources"]]
    if cited and cited not in known:
        raise ConfigError(f"{path}: reported_alpha_source '{cited}' is not one of the "
                          f"instrument's sources{closest(cited, known)} — add the source or "
                          "correct the key.")
    return Instrument(
        id=doc["id"], name=doc["name"], short_name=doc.get("short_name", doc["id"].upper()),
        language_version=forms[default].version, sources=tuple(doc["sources"]),
        reported_alpha=doc.get("reported_alpha"), labels=forms[default].labels,
        items=items, scales=scales, assumptions=tuple(doc["assumptions"]), path=str(path),
        needs=doc.get("needs", ""), forms=forms, form=default, default_form=default,
        form_items=form_items, reported_alpha_source=doc.get("reported_alpha_source", ""),
        rated_by=doc.get("rated_by", ""),
    )


def _check_subscales_disjoint(instrument_id: str, scales: dict[str, Scale], path: Path) -> None:
    """An item may belong to the total and to one subscale, never to two subscales."""
    owner: dict[str, str] = {}
    for scale in scales.values():
        if scale.id == "total" or len(scale.items) == 1:
            continue
        for item_id in scale.items:
            if item_id in owner:
                raise ConfigError(
                    f"{path}: item '{item_id}' of '{instrument_id}' is in two subscales "
                    f"('{owner[item_id]}' and '{scale.id}') — list it in one of them only."
                )
            owner[item_id] = scale.id


def registry_files(dirs: list[str]) -> list[str]:
    """Every instrument YAML in the registry folders, in a stable order."""
    files: list[str] = []
    for folder in dirs:
        found = sorted(Path(folder).glob("*.yaml"))
        if not Path(folder).is_dir():
            raise ConfigError(f"registry.dirs: folder '{folder}' does not exist.")
        files.extend(str(f) for f in found)
    return files


def load_registry(files: list[str], parameters: dict | None = None) -> dict[str, Instrument]:
    """Load, validate and expand the instrument files into a registry keyed by id."""
    parameters = parameters or {}
    registry: dict[str, Instrument] = {}
    for file in files:
        path = Path(file)
        try:
            with open(path, encoding="utf-8") as handle:
                doc = yaml.load(handle, Loader=LOADER)  # noqa: S506 (a safe loader)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML — {exc}") from None
        if not isinstance(doc, dict):
            raise ConfigError(f"{path}: expected a mapping with an instrument definition.")
        _validate(doc, path)
        if not doc.get("items") and not doc.get("templates"):
            raise ConfigError(f"{path}: define 'items' and 'scales' (or 'templates').")
        doc = _expand_templates(doc, parameters.get(doc["id"], {}), path)
        if doc["id"] in registry:
            raise ConfigError(
                f"{path}: instrument '{doc['id']}' is also defined in {registry[doc['id']].path}."
            )
        instrument = _build(doc, path)
        form = parameters.get(doc["id"], {}).get("form")
        registry[doc["id"]] = instrument.with_form(form) if form else instrument
    return registry


def scales_of(spec: dict, instrument: str, registry: dict[str, Instrument]) -> list[str]:
    """The scales of ``instrument`` an analysis spec names (``scales``: one id, a list, or
    "all"; default "total"). Here, free of numpy and pandas, because the syntax job needs
    it and nothing else from the analysis."""
    chosen = spec.get("scales", "total")
    if chosen == "all":
        return list(registry[instrument].scales)
    return [chosen] if isinstance(chosen, str) else list(chosen)


def item_ranges(registry: dict[str, Instrument]) -> dict[str, dict[str, list[int]]]:
    """{instrument: {item: [min, max]}} on the form each instrument is analysed on."""
    return {
        inst.id: {item.id: [item.min, item.max] for item in inst.items.values()}
        for inst in registry.values() if not inst.needs
    }


def form_ranges(registry: dict[str, Instrument]) -> dict[str, dict]:
    """What ingestion needs from the registry: every form's item ranges and description.

    ``{instrument: {"default": form id, "analysed": form id, "forms": {form id:
    {"items": {item: [min, max]}, "language", "version", "citation"}}}}``; plain
    data, so that Snakemake can pass it to the ingest rule as a parameter.
    """
    out = {}
    for inst in registry.values():
        if inst.needs:
            continue
        out[inst.id] = {
            "default": inst.default_form, "analysed": inst.form,
            "forms": {fid: {"items": {i.id: [i.min, i.max] for i in inst.form_items[fid].values()},
                            "language": form.language, "version": form.version,
                            "citation": form.citation}
                      for fid, form in inst.forms.items()},
        }
    return out


def answers_on_form(values, item_ids, form_ids, instrument: Instrument):
    """Answers given on other forms, mapped linearly onto ``instrument``'s item ranges.

    Used where answers of several forms are pooled item by item (reliability) after
    the config declared a rescaling; answers already on ``instrument.form`` (and
    on forms with the same ranges) are returned unchanged.
    """
    import numpy as np

    values = np.asarray(values, dtype=float).copy()
    item_ids, form_ids = np.asarray(item_ids, dtype=object), np.asarray(form_ids, dtype=object)
    for form_id in sorted(set(form_ids.tolist()) - {instrument.form}):
        source = instrument.form_items[form_id]
        for item_id, target in instrument.items.items():
            low, high = source[item_id].min, source[item_id].max
            if (low, high) == (target.min, target.max):
                continue
            at = (form_ids == form_id) & (item_ids == item_id)
            values[at] = target.min + (values[at] - low) * (target.max - target.min) / (high - low)
    return values
