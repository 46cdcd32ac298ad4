"""Loading and checking a study config.

The JSON schema in ``workflow/schemas/config.schema.yaml`` checks shapes; the
cross-checks here catch what a schema cannot (a schedule naming a timepoint
that does not exist, a file path with a typo) and every message names the key,
the bad value and the closest valid one.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path

import yaml

from peerstudy.errors import ConfigError, closest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


# libyaml's C parser when the wheel has it: ten times faster, and the config is
# parsed on every snakemake call.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            doc = yaml.load(handle, Loader=LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML — {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys.")
    return doc


def load_config(path: str | Path, base: str | Path | None = None, check_paths=True) -> dict:
    """Read, check and fill defaults of a study config file."""
    config = read_yaml(path)
    return check_config(config, source=str(path), base=base, check_paths=check_paths)


def check_config(
    config: dict, source: str = "config", base: str | Path | None = None, check_paths=True
) -> dict:
    """Validate ``config`` against the schema and cross-check it; return it with defaults.

    ``check_paths=False`` skips the raw files' existence (the synthetic
    generator checks a config before it writes those files).
    """
    config = copy.deepcopy(config)
    _check_schema(config, source)
    _empty_design(config)
    fill_defaults(config)
    _check_references(config, source, Path(base) if base else Path.cwd(), check_paths)
    return config


@functools.lru_cache(maxsize=1)
def _schema() -> dict:
    return read_yaml(SCHEMA)


@functools.lru_cache(maxsize=1)
def _validator():
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


@functools.lru_cache(maxsize=1)
def _filler():
    """The schema's validator, extended to fill each missing property that has a
    ``default`` (jsonschema's documented pattern): the schema is the one place where
    defaults live. Run on a config that already passed the schema."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    properties = base.VALIDATORS["properties"]

    def fill(validator, props, instance, schema):
        if isinstance(instance, dict):
            for name, sub in props.items():
                if "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from properties(validator, props, instance, schema)

    return jsonschema.validators.extend(base, {"properties": fill})(_schema())


def fill_defaults(config: dict) -> dict:
    """Fill in every default the schema declares (nested ones included), in place."""
    for _ in _filler().iter_errors(config):
        pass  # the config passed the schema already; filling is all this pass does
    return config


def schema_defaults(*path: str):
    """The default the schema declares at ``path`` (e.g. "analysis", "conventions"), with
    the defaults of its nested properties filled in (a fresh copy on every call)."""
    return copy.deepcopy(_schema_default(path))


@functools.lru_cache(maxsize=64)
def _schema_default(path: tuple[str, ...]):
    node = _schema()
    for key in path:
        node = node["properties"][key]
    holder: dict = {}
    filler = _filler().evolve(schema={"properties": {"x": node}, "$defs": _schema()["$defs"]})
    for _ in filler.iter_errors(holder):
        pass
    return holder.get("x")


def _check_schema(config: dict, source: str) -> None:
    validator = _validator()
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = errors[0]
    where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
    if err.validator == "additionalProperties":
        allowed = err.schema.get("properties", {}).keys()
        bad = [k for k in err.instance if k not in allowed]
        raise ConfigError(
            f"{source}: unknown key '{bad[0]}' under {where}{closest(bad[0], allowed)}."
        )
    if err.validator == "required":
        raise ConfigError(f"{source}: {where} is missing a required key: {err.message}.")
    if err.validator == "enum":
        raise ConfigError(
            f"{source}: {where} = {err.instance!r} is not allowed"
            f"{closest(str(err.instance), [str(v) for v in err.validator_value])}."
        )
    raise ConfigError(f"{source}: {where}: {err.message}.")


def coding_unit(config: dict) -> str:
    """What the study's coding exports count, as a heading: MAXQDA codes segments
    ("Coded segments"), Atlas.ti quotations ("Quotations"; also for a mix of both)."""
    formats = {e.get("format") for e in config.get("qualitative", {}).get("exports", [])}
    return "Coded segments" if formats == {"maxqda"} else "Quotations"


def has_questionnaires(config: dict) -> bool:
    """False for a qualitative-only study (no raw_files): no roster, schedule or scores."""
    return bool(config.get("raw_files"))


# What a qualitative-only study leaves empty, so that every rule file still parses.
NO_QUESTIONNAIRES = {"sites": [], "groups": [], "timepoints": [], "schedule": {},
                     "raw_files": [], "registry": {"dirs": []}}


def _empty_design(config: dict) -> None:
    """A qualitative-only study has no design: its sites, groups, timepoints, schedule and
    raw files are empty (not defaults of a study with questionnaires, which must give
    them), so that every rule file still parses."""
    if not has_questionnaires(config):
        for key, empty in NO_QUESTIONNAIRES.items():
            config.setdefault(key, copy.deepcopy(empty))


def _roster_spec(config: dict) -> list[dict]:
    return [config["participants_file"]] if "participants_file" in config else []


def participant_variables(config: dict) -> dict[str, dict]:
    """{name: coded column} of the sociodemographic variables, roster or derived."""
    if "participants_file" in config:
        return dict(config["participants_file"].get("variables", {}))
    out: dict[str, dict] = {}
    for source in config.get("participants_from", {}).get("variables_from", []):
        out.update(source.get("variables", {}))
    return out


def records_dropout(config: dict) -> bool:
    """Whether the study records a drop-out reason (roster or derived)."""
    if "participants_file" in config:
        return "dropout_reason" in config["participants_file"]
    return any("dropout_reason" in s
               for s in config.get("participants_from", {}).get("variables_from", []))


def _check_references(config: dict, source: str, base: Path, check_paths: bool) -> None:
    if not has_questionnaires(config):
        if not config.get("qualitative"):
            raise ConfigError(f"{source}: the study has neither questionnaires (raw_files) nor "
                              "qualitative exports (qualitative) — declare at least one.")
        if "joint_display" in config["qualitative"]:
            raise ConfigError(f"{source}: qualitative.joint_display sets qualitative findings "
                              "beside questionnaire results, and this study has no "
                              "questionnaires (raw_files) — remove the joint display.")
        _check_qualitative(config, source, base, check_paths)
        _check_reporting(config, source, base, check_paths)
        return
    sites = ids(config["sites"])
    groups = ids(config["groups"])
    timepoints = ids(config["timepoints"])
    _unique(config, source)
    for folder in config["registry"]["dirs"]:
        if not (base / folder).is_dir():
            raise ConfigError(f"{source}: registry.dirs: folder '{folder}' does not exist.")
    registry = load_study_registry(config, base)
    for group, plan in config["schedule"].items():
        _member(source, "schedule", group, groups, "group")
        for tp, instruments in plan.items():
            _member(source, f"schedule.{group}", tp, timepoints, "timepoint")
            for inst in instruments:
                _member(source, f"schedule.{group}.{tp}", inst, registry, "instrument")
    for group in groups:
        if group not in config["schedule"]:
            raise ConfigError(f"{source}: schedule has no entry for group '{group}'.")
    _check_participants(config, source, base, check_paths, sites, groups)
    _check_identifiers_not_mapped(config, source)
    seen_files = set()
    for i, spec in enumerate(config["raw_files"]):
        key = f"raw_files[{i}] ({spec['id']})"
        if spec["id"] in seen_files:
            raise ConfigError(f"{source}: {key}: file id '{spec['id']}' is used twice.")
        seen_files.add(spec["id"])
        if check_paths:
            _check_path(source, f"{key}.path", spec["path"], base)
        _check_reading(source, key, spec)
        _check_coded(source, f"{key}.group", spec["group"], groups, "group")
        _check_coded(source, f"{key}.site", spec["site"], sites, "site")
        _check_coded(source, f"{key}.timepoint", spec["timepoint"], timepoints, "timepoint")
        for inst, mapping in spec["instruments"].items():
            _member(source, f"{key}.instruments", inst, registry, "instrument")
            _check_scheduled(config, source, key, spec, inst)
            if isinstance(mapping, dict):
                for item in mapping:
                    _member(source, f"{key}.instruments.{inst}", item, registry[inst].items, "item")
                missing = sorted(set(registry[inst].items) - set(mapping))
                if missing:
                    raise ConfigError(
                        f"{source}: {key}.instruments.{inst} maps no variable to item(s) "
                        f"{', '.join(missing)} — add them to the mapping."
                    )
                for name in mapping.values():
                    _check_placeholder(source, f"{key}.instruments.{inst}", name, spec)
            else:
                _check_template(source, f"{key}.instruments.{inst}", mapping)
                _check_placeholder(source, f"{key}.instruments.{inst}", mapping, spec)
        if "attendance" in spec:
            _check_placeholder(source, f"{key}.attendance.column", spec["attendance"]["column"],
                               spec)
        for inst, form in spec.get("forms", {}).items():
            _member(source, f"{key}.forms", inst, spec["instruments"], "instrument of this file")
            _member(source, f"{key}.forms.{inst}", form, registry[inst].forms, "form")
    _check_forms(config, source, registry)
    _check_trial_design(config, source, base, check_paths, sites)
    _check_analysis(config, source, registry, sites, groups, timepoints)
    _check_qualitative(config, source, base, check_paths)
    _check_reporting(config, source, base, check_paths)
    if "power" in config:
        pw = config["power"]
        if len(pw["retention"]) != pw["timepoints"] or pw["retention"][0] != 1:
            raise ConfigError(f"{source}: power.retention needs one share per timepoint "
                              f"({pw['timepoints']}), starting with 1.0 at baseline.")


def _check_trial_design(config, source, base: Path, check_paths: bool, sites) -> None:
    """The design block of a trial: its screening log reads, codes sites and outcomes."""
    screening = config.get("trial", {}).get("screening")
    if not screening:
        return
    if check_paths:
        _check_path(source, "trial.screening.path", screening["path"], base)
    _check_reading(source, "trial.screening", screening)
    _check_coded(source, "trial.screening.site", screening["site"], sites, "site")
    if "randomised" not in screening["outcome"]["values"].values():
        raise ConfigError(f"{source}: trial.screening.outcome.values: map the code of the "
                          "randomised to 'randomised' (the others to the reasons for exclusion).")


def _check_reporting(config, source, base: Path, check_paths: bool) -> None:
    """The study's manuscript is a Quarto project folder: reporting.manuscript, by default
    manuscripts/<study id>. Whether it exists is checked when the workflow needs it (the
    manuscript rule), so that a study's data can be checked before its paper is written."""
    rep = config["reporting"]
    rep.setdefault("manuscript", f"manuscripts/{config['study']['id']}")
    if "checklist" in rep and check_paths:
        _check_path(source, "reporting.checklist", rep["checklist"], base)


def _check_qualitative(config, source, base, check_paths) -> None:
    qual = config.get("qualitative")
    if not qual:
        return
    for i, spec in enumerate(qual["exports"]):
        if check_paths:
            _check_path(source, f"qualitative.exports[{i}].path", spec["path"], base)
    for doc, src in qual["documents"].items():
        _member(source, f"qualitative.documents.{doc}", src, qual["sources"], "source")
    if "agreement" in qual:
        agr = qual["agreement"]
        agr.setdefault("documents", list(qual["documents"]))  # default: every document
        for doc in agr["documents"]:
            _member(source, "qualitative.agreement.documents", doc, qual["documents"], "document")
        if agr["coders"][0]["id"] == agr["coders"][1]["id"]:
            raise ConfigError(f"{source}: qualitative.agreement.coders: give the two coders "
                              "different ids.")
        for i, coder in enumerate(agr["coders"]):
            if check_paths:
                _check_path(source, f"qualitative.agreement.coders[{i}].path", coder["path"],
                            base)
    if "themes" in qual and check_paths:
        _check_path(source, "qualitative.themes", qual["themes"], base)
    for i, dom in enumerate(qual.get("joint_display", {}).get("domains", [])):
        key = f"qualitative.joint_display.domains[{i}] ({dom['domain']})"
        for src in dom.get("sources", []):
            _member(source, f"{key}.sources", src, qual.get("sources", []), "source")
        if "meta_inference" not in dom:
            continue  # undeclared: left out of the display and listed
        needs = ["finding", "statement"]
        if dom["meta_inference"] in ("convergence", "divergence"):
            needs.append("qualitative_direction")
        missing = [k for k in needs if k not in dom]
        if missing:
            raise ConfigError(f"{source}: {key}: a declared {dom['meta_inference']} needs "
                              f"{' and '.join(missing)} — say what the qualitative data show.")
        if not dom["codes"] and dom["meta_inference"] != "silence":
            raise ConfigError(f"{source}: {key}: name the codes the qualitative finding rests "
                              "on (codes: [] only for a declared silence).")


def _check_analysis(config, source, registry, sites, groups, timepoints) -> None:
    analysis = config["analysis"]
    for i, spec in enumerate(analysis.get("within", [])):
        key = f"analysis.within[{i}] ({spec['id']})"
        _member(source, key, spec["group"], groups, "group")
        for tp in spec["timepoints"] + [t for pair in spec["pairs"] for t in pair]:
            _member(source, key, tp, spec["timepoints"], "timepoint")
        for inst in spec["instruments"]:
            _member(source, key, inst, registry, "instrument")
            _check_scales(source, key, spec, registry[inst])
            for tp in spec["timepoints"]:
                if inst not in config["schedule"][spec["group"]].get(tp, []):
                    raise ConfigError(
                        f"{source}: {key}: '{inst}' is not scheduled for '{spec['group']}' at "
                        f"{tp} — fix the comparison's timepoints or the schedule."
                    )
    for i, spec in enumerate(analysis.get("between", [])):
        key = f"analysis.between[{i}] ({spec['id']})"
        valid = groups if spec["factor"] == "group" else sites
        for level in spec["levels"]:
            _member(source, key, level, valid, spec["factor"])
        for group in spec.get("within_groups", []):
            _member(source, key, group, groups, "group")
        _member(source, key, spec["timepoint"], timepoints, "timepoint")
        for inst in spec["instruments"]:
            _member(source, key, inst, registry, "instrument")
            _check_scales(source, key, spec, registry[inst])
    if "attrition" in analysis:
        _member(source, "analysis.attrition", analysis["attrition"]["timepoint"], timepoints,
                "timepoint")
    known = set(participant_variables(config))
    for i, spec in enumerate(analysis.get("categorical", [])):
        for var in spec["variables"]:
            _member(source, f"analysis.categorical[{i}]", var, known, "participant variable")
    if "trial" in analysis:
        _check_trial(config, source, registry, groups, timepoints)
    families = {c["family"] for key in ("within", "between", "categorical", "arm_models")
                for c in analysis.get(key, [])}
    families |= {analysis["attrition"]["family"]} if "attrition" in analysis else set()
    from peerstudy.conventions import trial_families

    families |= trial_families(analysis)
    for fam in analysis.get("multiplicity", {}).get("families", {}):
        _member(source, "analysis.multiplicity.families", fam, sorted(families), "family")


def _check_trial(config, source, registry, groups, timepoints) -> None:
    """analysis.trial: arms, timepoints, outcomes and the fidelity analysis exist and fit the
    schedule; one primary outcome; the design block's screening log and checklist."""
    spec = config["analysis"]["trial"]
    key = f"analysis.trial ({spec['id']})"
    for arm in spec["arms"]:
        _member(source, f"{key}.arms", arm, groups, "group")
    if spec["arms"][0] == spec["arms"][1]:
        raise ConfigError(f"{source}: {key}.arms: name two different groups (intervention, "
                          "control).")
    for tp in [spec["baseline"], *spec["follow_up"], spec["primary_endpoint"]]:
        _member(source, key, tp, timepoints, "timepoint")
    if spec["baseline"] in spec["follow_up"]:
        raise ConfigError(f"{source}: {key}: the baseline {spec['baseline']} is also a follow-up "
                          "— the model adjusts for baseline, so list it only as baseline.")
    _member(source, f"{key}.primary_endpoint", spec["primary_endpoint"], spec["follow_up"],
            "follow-up timepoint")
    order = timepoint_ids(config)
    if [t for t in order if t in spec["follow_up"]] != list(spec["follow_up"]):
        raise ConfigError(f"{source}: {key}.follow_up: list the follow-ups in time order "
                          f"({', '.join(t for t in order if t in spec['follow_up'])}).")
    seen, primary = set(), []
    for i, out in enumerate(spec["outcomes"]):
        where = f"{key}.outcomes[{i}]"
        _member(source, where, out["instrument"], registry, "instrument")
        _member(source, where, out["scale"], registry[out["instrument"]].scales, "scale")
        pair = (out["instrument"], out["scale"])
        if pair in seen:
            raise ConfigError(f"{source}: {where}: {out['instrument']}/{out['scale']} is listed "
                              "twice.")
        seen.add(pair)
        if out["role"] == "primary":
            primary.append(pair)
        for arm in spec["arms"]:
            for tp in [spec["baseline"], *spec["follow_up"]]:
                if out["instrument"] not in config["schedule"][arm].get(tp, []):
                    raise ConfigError(
                        f"{source}: {where}: '{out['instrument']}' is not scheduled for "
                        f"'{arm}' at {tp} — every outcome is measured in both arms at baseline "
                        "and at each follow-up.")
    if len(primary) != 1:
        raise ConfigError(f"{source}: {key}.outcomes: declare exactly one outcome with role: "
                          f"primary (found {len(primary)}).")
    fam = spec["families"]
    if len(set(fam.values())) != 3:
        raise ConfigError(f"{source}: {key}.families: the primary, secondary and supportive "
                          "families need three different ids.")
    fid = spec.get("fidelity")
    if fid:
        where = f"{key}.fidelity"
        _member(source, where, fid["instrument"], registry, "instrument")
        _member(source, where, fid["scale"], registry[fid["instrument"]].scales, "scale")
        _member(source, where, fid["timepoint"], timepoints, "timepoint")
        if not any(fid["instrument"] in plan.get(fid["timepoint"], [])
                   for plan in config["schedule"].values()):
            raise ConfigError(f"{source}: {where}: '{fid['instrument']}' is not scheduled for any "
                              f"group at {fid['timepoint']}.")
        if "participants_file" not in config or "peer_worker" not in config[
                "participants_file"].get("trial", {}):
            raise ConfigError(f"{source}: {where}: linking fidelity to outcomes needs the peer "
                              "worker of each participant — add participants_file.trial."
                              "peer_worker (the master file's column).")
    death = config.get("trial", {}).get("harms", {}).get("death_reason")
    if death is not None:
        reasons = [str(v) for v in config.get("participants_file", {}).get(
            "dropout_reason", {}).get("values", {}).values()]
        _member(source, "trial.harms.death_reason", death, reasons,
                "drop-out reason (participants_file.dropout_reason.values)")


def _check_scales(source: str, key: str, spec: dict, instrument) -> None:
    scales = spec.get("scales", "total")
    if scales == "all":
        return
    for scale in [scales] if isinstance(scales, str) else scales:
        _member(source, f"{key}.scales ({instrument.id})", scale, instrument.scales, "scale")


def _check_identifiers_not_mapped(config: dict, source: str) -> None:
    """A column declared a direct identifier may not also be read as data."""
    specs = [("participants_file", s) for s in _roster_spec(config)]
    specs += [(f"raw_files ({f['id']})", f) for f in config["raw_files"]]
    derived = {s["file"]: s for s in config.get("participants_from", {}).get("variables_from", [])}
    for key, spec in specs:
        from peerstudy.exports import at_timepoint, file_timepoints

        used = {spec["id_column"]}
        for name in ("group", "site", "timepoint"):
            if isinstance(spec.get(name), dict) and "column" in spec[name]:
                used.add(spec[name]["column"])
        extra = derived.get(spec.get("id"), {})
        for var in [*spec.get("variables", {}).values(), *extra.get("variables", {}).values()]:
            used.add(var["column"])
        for holder in (spec, extra):
            if "dropout_reason" in holder:
                used.add(holder["dropout_reason"]["column"])
        names = [n for m in spec.get("instruments", {}).values() if isinstance(m, dict)
                 for n in m.values()]
        if "attendance" in spec:
            names.append(spec["attendance"]["column"])
        tps = file_timepoints(spec) if "timepoint" in spec else [None]
        used |= {at_timepoint(n, spec, tp) for n in names for tp in tps}
        clash = sorted(used & set(spec.get("identifiers", [])))
        if clash:
            raise ConfigError(
                f"{source}: {key}: column '{clash[0]}' is listed under identifiers and also "
                "read as data — direct identifiers never leave data/raw/; remove one of the two."
            )


def ids(entries: list[dict]) -> list[str]:
    return [e["id"] for e in entries]


def _unique(config: dict, source: str) -> None:
    for key in ("sites", "groups", "timepoints"):
        seen = ids(config[key])
        dupes = sorted({x for x in seen if seen.count(x) > 1})
        if dupes:
            raise ConfigError(f"{source}: {key}: id '{dupes[0]}' is listed twice.")


def _member(source: str, key: str, value, valid, what: str) -> None:
    if value not in valid:
        raise ConfigError(
            f"{source}: {key}: {what} '{value}' does not exist{closest(value, valid)}."
        )
    needs = getattr(valid.get(value), "needs", "") if isinstance(valid, dict) else ""
    if needs:
        raise ConfigError(f"{source}: {key}: {needs}")


def _check_path(source: str, key: str, path: str, base: Path) -> None:
    full = base / path
    if full.exists():
        return
    folder = full.parent
    near = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    where = "" if folder.is_dir() else f" (folder {folder.relative_to(base)} does not exist either)"
    raise ConfigError(
        f"{source}: {key}: file '{path}' not found{where}{closest(full.name, near)}."
    )


def _check_coded(source: str, key: str, spec, valid: list[str], what: str) -> None:
    if isinstance(spec, dict) and "wide" in spec:
        values = list(spec["wide"])
        tokens = [str(t) for t in spec["wide"].values()]
        if len(set(tokens)) != len(tokens):
            raise ConfigError(f"{source}: {key}.wide: two timepoints share the text "
                              f"'{sorted(t for t in tokens if tokens.count(t) > 1)[0]}'.")
    else:
        values = [spec] if isinstance(spec, str) else list(spec["values"].values())
    for value in values:
        _member(source, key, value, valid, what)


def _check_scheduled(config: dict, source: str, key: str, spec: dict, inst: str) -> None:
    """Every group of a file is scheduled at each of its timepoints; a long file's
    instruments at every one of them, a wide file's at one at least (a wide file
    reads an instrument only at the timepoints where it is scheduled)."""
    from peerstudy.exports import coded_values, file_timepoints, is_wide

    tps = file_timepoints(spec)
    for group in coded_values(spec["group"]):
        plan = config["schedule"].get(group, {})
        for tp in tps:
            if tp not in plan:
                raise ConfigError(
                    f"{source}: {key}: group '{group}' is not scheduled at timepoint '{tp}' "
                    f"(schedule.{group} has {', '.join(plan) or 'none'}) — fix the file's "
                    "timepoint or add it to the schedule."
                )
        missing = [tp for tp in tps if inst not in plan[tp]]
        if missing and (not is_wide(spec) or len(missing) == len(tps)):
            tp = missing[0]
            raise ConfigError(
                f"{source}: {key}: instrument '{inst}' is not scheduled for group "
                f"'{group}' at {tp} (schedule.{group}.{tp}: {', '.join(plan[tp])})."
            )


def _check_participants(config, source, base, check_paths, sites, groups) -> None:
    has_file, has_from = "participants_file" in config, "participants_from" in config
    if has_file == has_from:
        raise ConfigError(
            f"{source}: give either participants_file (a roster of every participant) or "
            "participants_from (derive the participants from the raw files' ids, groups and "
            "sites)" + (", not both." if has_file else " — neither is set.")
        )
    if has_file:
        pf = config["participants_file"]
        if check_paths:
            _check_path(source, "participants_file.path", pf["path"], base)
        _check_reading(source, "participants_file", pf)
        _check_coded(source, "participants_file.group", pf["group"], groups, "group")
        _check_coded(source, "participants_file.site", pf["site"], sites, "site")
        return
    files = {f["id"]: f for f in config["raw_files"]}
    for i, entry in enumerate(config["participants_from"]["variables_from"]):
        _member(source, f"participants_from.variables_from[{i}].file", entry["file"], files,
                "raw file")


def _check_reading(source: str, key: str, spec: dict) -> None:
    if spec["format"] == "csv" and len(spec["sep"]) != 1:
        raise ConfigError(f"{source}: {key}.sep = {spec['sep']!r}: the separator is one "
                          "character (',', ';', or '\\t' for tabs).")


def _check_placeholder(source: str, key: str, name: str, spec: dict) -> None:
    from peerstudy.exports import PLACEHOLDER, is_wide

    if is_wide(spec) and PLACEHOLDER not in name:
        raise ConfigError(
            f"{source}: {key}: '{name}' has no {PLACEHOLDER} — in a wide file (timepoint: "
            "{wide: ...}) each variable name says where the timepoint goes, e.g. "
            "'SWLS{n}_{timepoint}'."
        )
    if not is_wide(spec) and PLACEHOLDER in name:
        raise ConfigError(
            f"{source}: {key}: '{name}' holds {PLACEHOLDER}, but this file is not wide — "
            "set timepoint: {wide: {T1: <text for T1>, ...}} or write the variable name."
        )


def _check_forms(config: dict, source: str, registry: dict) -> None:
    """Which form each instrument is analysed on; pooling forms on different ranges
    needs a declared rescaling. The analysed form goes to registry.parameters so that
    every rule loads the registry on it."""
    from peerstudy.exports import analysis_forms
    from peerstudy.instruments import form_ranges

    params = config["registry"]["parameters"]
    for inst, spec in config["registry"].get("rescale", {}).items():
        _member(source, "registry.rescale", inst, registry, "instrument")
        _member(source, f"registry.rescale.{inst}.to", spec["to"], registry[inst].forms, "form")
    for inst, value in params.items():
        if isinstance(value, dict) and "form" in value:
            raise ConfigError(
                f"{source}: registry.parameters.{inst}.form is set by peerstudy from the raw "
                "files' forms — choose a form per file under raw_files[].forms instead."
            )
    try:
        chosen = analysis_forms(config, form_ranges(registry))
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    for inst, info in chosen.items():
        if info["reference"] != registry[inst].default_form:
            params.setdefault(inst, {})
            params[inst] = {**params[inst], "form": info["reference"]}


_TEMPLATE = re.compile(r"\{n(?::0?\d+d)?\}")
_FIELD = re.compile(r"\{([^{}]*)\}")


def _check_template(source: str, key: str, template: str) -> None:
    if not _TEMPLATE.search(template):
        raise ConfigError(
            f"{source}: {key}: variable template '{template}' has no item number — write "
            "e.g. 'SWLS{n}' or 'SSQ{n:02d}', or map each item id to its variable."
        )
    other = [f for f in _FIELD.findall(template) if f != "timepoint" and not f.startswith("n")]
    if other:
        raise ConfigError(
            f"{source}: {key}: variable template '{template}' has an unknown field "
            f"'{{{other[0]}}}' — only {{n}} (item position) and {{timepoint}} are filled in."
        )


def timepoint_ids(config: dict) -> list[str]:
    return ids(config["timepoints"])


def scheduled_timepoints(config: dict, group: str) -> list[str]:
    """The group's timepoints, in the config's timepoint order."""
    plan = config["schedule"][group]
    return [tp for tp in timepoint_ids(config) if tp in plan]


def load_study_registry(config: dict, base: str | Path = "."):
    """The instrument registry a config points to (loaded once per process)."""
    from peerstudy.instruments import registry_files

    files = registry_files([str(Path(base) / d) for d in config["registry"]["dirs"]])
    params = json.dumps(config["registry"].get("parameters", {}), sort_keys=True)
    return _cached_registry(tuple(files), params)


@functools.lru_cache(maxsize=8)
def _cached_registry(files: tuple[str, ...], params: str):
    from peerstudy.instruments import load_registry

    return load_registry(list(files), json.loads(params))
