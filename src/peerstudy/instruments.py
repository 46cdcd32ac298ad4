"""The instrument registry: item keys, scales and their sourced assumptions.

Each instrument is one YAML file (``config/instruments/*.yaml`` plus any
folders a study adds), validated against ``workflow/schemas/instrument.schema.yaml``.
Templated instruments (COPM) are expanded over the study's parameters here,
so the rest of the pipeline sees plain items and scales.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
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


def _build(doc: dict, path: Path) -> Instrument:
    resp = doc["response"]
    items: dict[str, Item] = {}
    for raw in doc["items"]:
        if raw["id"] in items:
            raise ConfigError(f"{path}: item '{raw['id']}' is defined twice.")
        items[raw["id"]] = Item(
            id=raw["id"], label=raw["label"], min=raw.get("min", resp["min"]),
            max=raw.get("max", resp["max"]), reverse=raw.get("reverse", False),
        )
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
    return Instrument(
        id=doc["id"], name=doc["name"], short_name=doc.get("short_name", doc["id"].upper()),
        language_version=doc["language_version"], sources=tuple(doc["sources"]),
        reported_alpha=doc.get("reported_alpha"), labels=resp.get("labels", {}),
        items=items, scales=scales, assumptions=tuple(doc["assumptions"]), path=str(path),
        needs=doc.get("needs", ""),
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
        registry[doc["id"]] = _build(doc, path)
    return registry


def item_ranges(registry: dict[str, Instrument]) -> dict[str, dict[str, list[int]]]:
    """{instrument: {item: [min, max]}} — all that ingestion needs from the registry."""
    return {
        inst.id: {item.id: [item.min, item.max] for item in inst.items.values()}
        for inst in registry.values() if not inst.needs
    }
