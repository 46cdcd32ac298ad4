"""Seeded synthetic raw exports shaped like the real study's.

Writes the roster and questionnaire exports named in the config (SPSS .sav
with labels and user-missing codes; Spanish-locale CSV), with the study's
sizes, attrition, item non-response and a few keying slips. Scale scores are
calibrated to the config's targets by seeded rejection sampling: for each
group x instrument, candidate draws come from a stream derived from the seed
and the block's name, and the first draw whose means lie within 5% of the
targets and whose Wilcoxon tests fall on the published side of alpha is kept.
The number of draws used is recorded in the generator's manifest.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from peerstudy.calibration import published_direction
from peerstudy.config import scheduled_timepoints
from peerstudy.errors import ConfigError
from peerstudy.instruments import Instrument
from peerstudy.io import atomic_write_bytes, write_json
from peerstudy.scoring import score_scale
from peerstudy.stats.nonparametric import wilcoxon

FIRST_NAMES = ["Laia", "Marc", "Nuria", "Jordi", "Montse", "Pau", "Carme", "Joan", "Marta",
               "Xavier", "Anna", "Josep", "Rosa", "David", "Elena", "Sergi", "Lucia", "Pere"]
SURNAMES = ["Puig", "Vila", "Soler", "Serra", "Font", "Roca", "Casas", "Riera", "Pujol",
            "Costa", "Mas", "Prat", "Ferrer", "Camps", "Sala", "Vidal", "Bosch", "Coll"]
SAV_TIMESTAMP = (b"01 Jan 23", b"00:00:00")


def block_rng(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible stream per block (stable across Python runs)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def largest_remainder(total: int, shares: dict[str, float]) -> dict[str, int]:
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: int(np.floor(v)) for k, v in raw.items()}
    left = total - sum(counts.values())
    for k in sorted(raw, key=lambda k: (counts[k] - raw[k], k))[:left]:
        counts[k] += 1
    return counts


def make_roster(config: dict) -> pd.DataFrame:
    """Participants, sociodemographics and who attends which timepoint."""
    syn = config["synthetic"]
    rng = block_rng(syn["seed"], "roster")
    records = []
    for g_index, group in enumerate(config["groups"], start=1):
        for s_index, site in enumerate(config["sites"], start=1):
            n = syn["enrolled"][group["id"]][site["id"]]
            for k in range(1, n + 1):
                records.append({"participant_id": f"{g_index}{s_index}{k:02d}",
                                "group": group["id"], "site": site["id"]})
    roster = pd.DataFrame(records)
    n = len(roster)
    n_female = round(syn["sex_female_share"] * n)
    roster["sex"] = np.where(rng.permutation(n) < n_female, "female", "male")
    bands = largest_remainder(n, syn["age_band_shares"])
    roster["age_band"] = rng.permutation(np.repeat(list(bands), list(bands.values())))
    detailed = roster["group"].isin(syn.get("education_groups", []))
    edu = rng.choice(["secondary", "vocational", "university"], size=n, p=[0.3, 0.4, 0.3])
    roster["education"] = np.where(detailed, edu, None)
    roster["dropout_reason"] = None
    for group, losses in syn.get("attrition", {}).items():
        active = roster.index[roster["group"] == group].tolist()
        for tp in scheduled_timepoints(config, group):
            roster[f"attends_{tp}"] = roster.get(f"attends_{tp}", False)
            for reason, count in sorted(losses.get(tp, {}).items()):
                lost = rng.choice(active, size=count, replace=False).tolist()
                roster.loc[lost, "dropout_reason"] = reason
                active = [i for i in active if i not in lost]
            roster.loc[active, f"attends_{tp}"] = True
    for group in roster["group"].unique():
        if group not in syn.get("attrition", {}):
            for tp in scheduled_timepoints(config, group):
                roster.loc[roster["group"] == group, f"attends_{tp}"] = True
    attend_cols = [c for c in roster.columns if c.startswith("attends_")]
    roster[attend_cols] = roster[attend_cols].fillna(False).astype(bool)
    return roster


def leaves(instrument: Instrument, target: dict) -> list[dict]:
    """The scales whose sums are drawn directly; other scales follow from their items."""
    if "means" in target:
        scale = instrument.scales[target.get("scale", "total")]
        return [{**target, "scale": scale}]
    return [{**spec, "scale": instrument.scales[sid]} for sid, spec in target.items()]


def leaf_sign(instrument: Instrument, scale) -> float:
    """-1 for a subscale the total reverses (e.g. CAMI authoritarianism), else +1."""
    total = instrument.scales.get("total")
    if total is None or scale.id == "total":
        return 1.0
    return -1.0 if all(i in total.flip for i in scale.items) else 1.0


def draw_leaf(rng, leaf, instrument, people: pd.DataFrame, tps: list[str], shared) -> dict:
    """Integer scale sums per person and timepoint, centred on the target means.

    Person effects of an instrument's subscales share a common factor (``shared``,
    weight ``synthetic.subscale_correlation``) so that subscales correlate as
    real ones do, with the sign the total gives each subscale.
    """
    scale = leaf["scale"]
    low, high = instrument.scale_range(scale)
    # Draw in the sum metric; a mean-scored scale's targets are item means (x k).
    k = len(scale.items) if scale.method == "mean" else 1
    n = len(people)
    rho = leaf.get("subscale_correlation", 0.0)
    unique = rng.normal(0.0, 1.0, n)
    z = np.sqrt(rho) * leaf_sign(instrument, scale) * shared + np.sqrt(1 - rho) * unique
    person = leaf["sd"] * k * z
    drift = np.zeros(n)
    sums = {}
    for i, tp in enumerate(tps):
        if i:
            drift = drift + rng.normal(0.0, leaf["change_sd"] * k, n)
        if not low <= leaf["means"][tp] <= high:
            raise ConfigError(
                f"synthetic.targets: {instrument.id}/{scale.id} at {tp} aims at "
                f"{leaf['means'][tp]}, outside the registry's range {low:g}-{high:g} "
                f"({instrument.path})."
            )
        target, low_k, high_k = leaf["means"][tp] * k, low * k, high * k
        latent = target + person + drift
        here = people[f"attends_{tp}"].to_numpy()
        shift = target - latent[here].mean()
        for _ in range(20):  # re-centre after clipping and rounding
            values = np.clip(np.round(latent + shift), low_k, high_k)
            gap = target - values[here].mean()
            if abs(gap) < 0.02:
                break
            shift += gap
        sums[tp] = np.where(here, values, np.nan)
    return sums


def spread_items(rng, total: float, instrument: Instrument, scale, item_sd: float) -> np.ndarray:
    """Keyed item values (in scale order) that add up exactly to ``total``."""
    lows = np.array([instrument.items[i].min for i in scale.items], dtype=float)
    highs = np.array([instrument.items[i].max for i in scale.items], dtype=float)
    k = len(scale.items)
    values = np.clip(np.round(total / k + rng.normal(0.0, item_sd, k)), lows, highs)
    gap = int(round(total - values.sum()))
    while gap:
        step = 1 if gap > 0 else -1
        room = np.flatnonzero((values + step >= lows) & (values + step <= highs))
        values[rng.choice(room)] += step
        gap -= step
    return values


def draw_block(rng, config, instrument, target, people, tps) -> pd.DataFrame:
    """Raw (unkeyed) item answers for one group x instrument, NaN where not answered."""
    syn = config["synthetic"]
    rows = []
    shared = rng.normal(0.0, 1.0, len(people))
    for leaf in leaves(instrument, target):
        leaf.setdefault("subscale_correlation", syn.get("subscale_correlation", 0.0))
        scale = leaf["scale"]
        sums = draw_leaf(rng, leaf, instrument, people, tps, shared)
        for tp in tps:
            for pos, pid in enumerate(people["participant_id"]):
                if np.isnan(sums[tp][pos]):
                    continue
                keyed = spread_items(rng, sums[tp][pos], instrument, scale,
                                     leaf.get("item_sd", syn["item_sd"]))
                for item_id, value in zip(scale.items, keyed, strict=True):
                    flip = instrument.reversed_in(scale, item_id)
                    raw = instrument.items[item_id].keyed(value, flip)
                    rows.append((pid, tp, item_id, raw))
    frame = pd.DataFrame(rows, columns=["participant_id", "timepoint", "item", "value"])
    if len(instrument.items) > 1:
        blank = rng.random(len(frame)) < syn["item_missing_rate"]
        frame.loc[blank, "value"] = np.nan
    return frame


def block_scores(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    wide = frame.set_index(["participant_id", "timepoint", "item"])["value"].unstack("item")
    wide = wide.reindex(columns=list(instrument.items))
    out = {}
    for scale in instrument.scales.values():
        out[scale.id] = score_scale(wide[list(scale.items)].to_numpy(float), instrument, scale)[0]
    return pd.DataFrame(out, index=wide.index)


def acceptable(scores, group, inst_id, target, config, alpha=0.05) -> bool:
    """Means within 5% of targets; published changes on the same side of alpha."""
    for leaf_scale, spec in _leaf_targets(target):
        for tp, aim in spec["means"].items():
            mean = scores.xs(tp, level="timepoint")[leaf_scale].mean()
            if abs(mean - aim) > 0.05 * abs(aim):
                return False
    for change in config.get("published", {}).get("changes", []):
        if change["group"] != group or change["instrument"] != inst_id:
            continue
        earlier, later = change["contrast"].split("-")
        wide = scores[change["scale"]].unstack("timepoint")[[earlier, later]].dropna()
        delta = (wide[later] - wide[earlier]).mean()
        want = published_direction(change, {s: spec["means"] for s, spec in _leaf_targets(target)})
        if want is not None and (delta > 0) != (want > 0):
            return False
        # the default plan's convention (SPSS): asymptotic, zeros dropped, no correction
        p = wilcoxon(wide[earlier].to_numpy(), wide[later].to_numpy(), "asymptotic", "wilcox",
                     False)["p"]
        margin = 0.005
        if change["p"] < alpha and not p < alpha - margin:
            return False
        if change["p"] >= alpha and not p > alpha + margin:
            return False
    return True


def _leaf_targets(target: dict):
    if "means" in target:
        return [(target.get("scale", "total"), target)]
    return list(target.items())


def generate_answers(config: dict, registry: dict, roster: pd.DataFrame):
    """All item answers, calibrated block by block; returns (answers, draws used)."""
    syn = config["synthetic"]
    frames, draws = [], {}
    for group, targets in syn["targets"].items():
        tps = scheduled_timepoints(config, group)
        for inst_id, target in targets.items():
            inst_tps = [tp for tp in tps if inst_id in config["schedule"][group][tp]]
            people = roster[roster["group"] == group].reset_index(drop=True)
            rng = block_rng(syn["seed"], f"{group}/{inst_id}")
            attempts = 0
            while True:
                attempts += 1
                frame = draw_block(rng, config, registry[inst_id], target, people, inst_tps)
                scores = block_scores(frame, registry[inst_id])
                if acceptable(scores, group, inst_id, target, config):
                    break
                if attempts == syn["max_draws"]:
                    raise ConfigError(
                        f"synthetic: no draw of {group}/{inst_id} met the calibration targets in "
                        f"{attempts} tries — loosen sd/change_sd or raise max_draws."
                    )
            draws[f"{group}/{inst_id}"] = attempts
            frame.insert(0, "instrument", inst_id)
            frame.insert(0, "group", group)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True), draws


def inverse(values: dict) -> dict:
    return {v: k for k, v in values.items()}


def add_identifiers(roster: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Made-up names and phone numbers, one per participant, used in every file."""
    rng = block_rng(seed, "identifiers")
    n = len(roster)
    roster = roster.copy()
    roster["name"] = [f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
                      for _ in range(n)]
    roster["phone"] = [f"6{rng.integers(10, 99)} {rng.integers(100, 999)} {rng.integers(100, 999)}"
                       for _ in range(n)]
    return roster


def fill_identifiers(out: pd.DataFrame, columns: list[str], people: pd.DataFrame) -> None:
    for col, source in zip(columns, ["name", "phone"], strict=False):
        out[col] = people[source].to_numpy()


def _values(spec) -> list[str]:
    return [spec] if isinstance(spec, str) else list(spec["values"].values())


def export_frame(spec, config, registry, roster, answers) -> tuple[pd.DataFrame, dict]:
    """The wide table one raw file holds, and the item columns' (instrument, item).

    Group, site and timepoint may each be fixed for the file or coded in a column.
    """
    tp_spec = spec["timepoint"]
    people = roster[roster["group"].isin(_values(spec["group"]))
                    & roster["site"].isin(_values(spec["site"]))]["participant_id"]
    block = answers[answers["participant_id"].isin(people)
                    & answers["timepoint"].isin(_values(tp_spec))
                    & answers["instrument"].isin(list(spec["instruments"]))]
    item_cols = {}
    for inst in spec["instruments"]:
        ids = list(registry[inst].items)
        mapping = spec["instruments"][inst]
        for pos, item in enumerate(ids, start=1):
            col = mapping[item] if isinstance(mapping, dict) else mapping.format(n=pos)
            item_cols[(inst, item)] = col
    wide = block.set_index(["participant_id", "timepoint", "instrument", "item"])["value"]
    wide = wide.unstack(["instrument", "item"]).reindex(columns=list(item_cols)).reset_index()
    wide.columns = ["participant_id", "timepoint", *item_cols.values()]
    wide = wide.merge(roster[["participant_id", "site", "group", "name", "phone"]],
                      on="participant_id")
    wide = wide.sort_values(["timepoint", "participant_id"], kind="mergesort")
    wide = wide.reset_index(drop=True)
    out = pd.DataFrame({spec["id_column"]: wide["participant_id"]})
    fill_identifiers(out, spec["identifiers"], wide)
    for key in ("group", "site"):
        if not isinstance(spec[key], str):
            out[spec[key]["column"]] = wide[key].map(inverse(spec[key]["values"]))
    if not isinstance(tp_spec, str):
        out[tp_spec["column"]] = wide["timepoint"].map(inverse(tp_spec["values"]))
    for col in item_cols.values():
        out[col] = wide[col]
    return out, item_cols


def write_sav_export(path, frame, spec, config, registry, item_cols, rng) -> None:
    import pyreadstat

    syn = config["synthetic"]
    codes = {k: v for k, v in config["missing_codes"].items() if isinstance(k, int)}
    frame = frame.copy()
    frame[spec["id_column"]] = frame[spec["id_column"]].astype(int)
    for col in item_cols.values():
        blank = frame[col].isna()
        frame.loc[blank, col] = rng.choice(sorted(codes), size=int(blank.sum()))
    col_labels, value_labels, missing = {}, {}, {}
    for (inst, item), col in item_cols.items():
        instrument = registry[inst]
        col_labels[col] = f"{instrument.short_name} {item}: {instrument.items[item].label}"
        labels = {int(k): v for k, v in instrument.labels.items()}
        labels.update({k: v.split("(")[-1].rstrip(")") for k, v in codes.items()})
        value_labels[col] = labels
        missing[col] = sorted(codes)
    for key in ("group", "site", "timepoint"):
        coded = spec.get(key)
        if isinstance(coded, dict) and coded["column"] in syn["labels"]:
            value_labels[coded["column"]] = syn["labels"][coded["column"]]
    col_labels[spec["id_column"]] = "Codigo del participante"
    _write_sav(pyreadstat, path, frame, col_labels, value_labels, missing)


def _write_sav(pyreadstat, path, frame, col_labels, value_labels, missing) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.sav")
    pyreadstat.write_sav(
        frame, str(tmp), file_label="SYNTHETIC DATA - peerstudy synth",
        column_labels=[col_labels.get(c, c) for c in frame.columns],
        variable_value_labels=value_labels, missing_ranges=missing,
    )
    data = bytearray(tmp.read_bytes())
    tmp.unlink()
    # Fix the header's creation date (bytes 92-100) and time (101-108) so that the
    # same seed gives the same bytes (SPSS system-file header layout).
    data[92:101], data[101:109] = SAV_TIMESTAMP
    atomic_write_bytes(path, bytes(data))


def write_csv_export(path, frame, spec, config, item_cols, rng) -> None:
    syn = config["synthetic"]
    text_codes = [k for k in config["missing_codes"] if isinstance(k, str)]
    out = frame.copy()
    for col in item_cols.values():
        values = out[col]
        cells = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
        if text_codes:
            typed = values.isna() & (rng.random(len(values)) < syn["text_missing_share"])
            cells[typed] = text_codes[0]
        out[col] = cells
    text = out.to_csv(index=False, sep=spec["sep"], lineterminator="\r\n")
    atomic_write_bytes(path, text.encode(spec["encoding"]))


def inject_typos(answers: pd.DataFrame, registry: dict, count: int, rng) -> pd.DataFrame:
    """Keying slips: an answer typed twice (4 -> 44), outside every item's range."""
    answers = answers.copy()
    multi = answers[answers["instrument"].map(lambda i: len(registry[i].items) > 1)
                    & answers["value"].notna()]
    # one slip in the first group's file and the rest in the last group's file
    groups = list(dict.fromkeys(multi["group"]))
    picks = []
    for k in range(count):
        pool = multi[multi["group"] == groups[0 if k == 0 else -1]]
        picks.append(pool.index[rng.integers(len(pool))])
    for idx in picks:
        value = int(answers.at[idx, "value"])
        answers.at[idx, "value"] = value * 11
    return answers


def write_roster(path, spec, config, roster) -> None:
    import pyreadstat

    syn = config["synthetic"]
    out = pd.DataFrame({spec["id_column"]: roster["participant_id"].astype(int)})
    fill_identifiers(out, spec["identifiers"], roster)
    out[spec["group"]["column"]] = roster["group"].map(inverse(spec["group"]["values"]))
    out[spec["site"]["column"]] = roster["site"].map(inverse(spec["site"]["values"]))
    for name, var in spec["variables"].items():
        if name not in roster:
            continue
        out[var["column"]] = roster[name].map(inverse(var["values"]))
    drop = spec["dropout_reason"]
    out[drop["column"]] = roster["dropout_reason"].map(inverse(drop["values"]))
    labels = {c: v for c, v in syn["labels"].items() if c in out.columns}
    _write_sav(pyreadstat, path, out, {spec["id_column"]: "Codigo del participante"},
               labels, {})


def synthesize(config: dict, registry: dict, base: str | Path = ".") -> dict:
    """Write every raw export of a synthetic study; return the generator's manifest."""
    base = Path(base)
    syn = config["synthetic"]
    manifest = {"study": config["study"]["id"], "seed": syn["seed"], "synthetic": True}
    if config.get("raw_files"):
        if "participants_file" not in config:
            raise ConfigError("synthetic: the generator writes a roster file — give "
                              "participants_file in the config (participants_from is for real "
                              "exports without one).")
        if syn.get("generator") == "trial":
            manifest |= synthesize_trial(config, registry, base)
            return _finish_manifest(config, base, manifest,
                                    Path(config["participants_file"]["path"]).parent)
        roster = add_identifiers(make_roster(config), syn["seed"])
        answers, draws = generate_answers(config, registry, roster)
        rng = block_rng(syn["seed"], "exports")
        answers = inject_typos(answers, registry, syn.get("out_of_range_typos", 0), rng)
        pf = config["participants_file"]
        write_roster(base / pf["path"], pf, config, roster)
        for spec in config["raw_files"]:
            frame, item_cols = export_frame(spec, config, registry, roster, answers)
            if spec["format"] == "sav":
                write_sav_export(base / spec["path"], frame, spec, config, registry, item_cols,
                                 rng)
            else:
                write_csv_export(base / spec["path"], frame, spec, config, item_cols, rng)
        manifest |= {"calibration_draws": draws, "enrolled": int(len(roster))}
        folder = Path(pf["path"]).parent
    else:  # a qualitative-only study: no roster, no questionnaires
        folder = Path(config["qualitative"]["exports"][0]["path"]).parent
    return _finish_manifest(config, base, manifest, folder)


def _finish_manifest(config: dict, base: Path, manifest: dict, folder: Path) -> dict:
    """The qualitative exports (when the study has them) and MANIFEST.json."""
    syn = config["synthetic"]
    if config.get("qualitative") and "qualitative" in syn:
        counts = synthesize_qualitative(config, base)
        if counts:
            manifest["qualitative"] = counts
    manifest["note"] = "Synthetic data generated by `peerstudy synth`; no real participant."
    write_json(base / folder / "MANIFEST.json", manifest)
    return manifest


PLACEHOLDER = "[synthetic placeholder: no participant's words]"
MARKER = "[synthetic]"
SECOND_CODER = ("same", "other_code", "shifted", "missed")


def load_texts(path: str | Path) -> dict:
    """The synthetic quotation text file: code group -> code -> source -> sentences."""
    from peerstudy.config import read_yaml

    texts = read_yaml(path)
    for group, codes in texts.items():
        for code, by_source in (codes or {}).items():
            if not isinstance(by_source, dict) or not by_source or not all(
                    isinstance(v, list) and v and all(isinstance(t, str) for t in v)
                    for v in by_source.values()):
                raise ConfigError(f"{path}: {group} / {code}: expected source -> list of "
                                  "sentences (e.g. PSWs: [\"...\"]).")
    return texts


def qualitative_codes(published: dict, texts: dict, cap: int, rng) -> list[tuple[str, str, int]]:
    """(group, code, quotations): the codes the paper names with their published counts;
    the group's other codes, named in the texts file, share the remaining quotations
    (1 to ``cap`` each, below the smallest named code)."""
    out = []
    for group, spec in published["groups"].items():
        named = spec.get("named", {})
        declared = list(texts.get(group) or {})
        missing = [c for c in named if c not in declared]
        if missing or len(declared) != spec["codes"]:
            raise ConfigError(
                f"synthetic.qualitative.texts: code group {group} needs {spec['codes']} codes "
                f"(published.qualitative), including {', '.join(named) or 'none named'}; the "
                f"texts file has {len(declared)}"
                + (f" and lacks {', '.join(missing)}" if missing else "") + "."
            )
        others = [c for c in declared if c not in named]
        out += [(group, code, n) for code, n in named.items()]
        k, left = len(others), spec["quotations"] - sum(named.values())
        if not k <= left <= k * cap:
            raise ConfigError(
                f"published.qualitative.groups.{group}: {left} quotations cannot be spread over "
                f"{k} unnamed codes with 1-{cap} each."
            )
        counts = np.ones(k, dtype=int)
        for _ in range(left - k):
            room = np.flatnonzero(counts < cap)
            counts[rng.choice(room)] += 1
        out += [(group, code, int(c)) for code, c in zip(others, counts, strict=True)]
    return out


def _text_pool(sentences: list[str], rng) -> list[str]:
    """Distinct quotations from one code's sentences for one source: single sentences
    first, then ordered pairs, then ordered triples, each tier shuffled."""
    from itertools import permutations

    pool = []
    for size in (1, 2, 3):
        tier = [" ".join(p) for p in permutations(sentences, size)]
        pool += [tier[i] for i in rng.permutation(len(tier))]
    return pool


class _Texts:
    """Hands out each (code, source) its sentences' combinations, never one twice."""

    def __init__(self, texts: dict, rng):
        self.texts, self.rng, self.pools = texts, rng, {}

    def sources(self, group: str, code: str) -> list[str]:
        return list(self.texts[group][code])

    def take(self, group: str, code: str, source: str) -> str | None:
        key = (group, code, source)
        if key not in self.pools:
            self.pools[key] = _text_pool(self.texts[group][code][source], self.rng)
        pool = self.pools[key]
        return f"{MARKER} {pool.pop(0)}" if pool else None


def draw_quotations(codes: list[tuple], qual: dict, weights: dict, texts: _Texts,
                    rng) -> list[dict]:
    """One record per quotation (one code each): source, document, text, position."""
    docs_by_source: dict[str, list[str]] = {}
    for doc, source in qual["documents"].items():
        docs_by_source.setdefault(source, []).append(doc)
    rows = []
    for group, code, n, path in codes:
        sources = texts.sources(group, code)
        unknown = [s for s in sources if s not in docs_by_source]
        if unknown:
            raise ConfigError(f"synthetic.qualitative.texts: {group} / {code}: source "
                              f"'{unknown[0]}' has no document in qualitative.documents.")
        w = np.array([weights.get(group, {}).get(s, 1.0) for s in sources], dtype=float)
        w = w / w.sum() if w.sum() > 0 else np.full(len(sources), 1 / len(sources))
        for _ in range(n):
            source = sources[rng.choice(len(sources), p=w)]
            docs = docs_by_source[source]
            text = texts.take(group, code, source)
            if text is None:
                raise ConfigError(f"synthetic.qualitative.texts: {group} / {code} / {source}: "
                                  "too few sentences for the quotations drawn — add sentences.")
            rows.append({"document": docs[rng.integers(len(docs))], "source": source,
                         "group": group, "code": code, "path": path, "text": text})
    rows = [rows[i] for i in rng.permutation(len(rows))]
    cursor: dict[str, int] = {}
    for row in rows:
        # 1-3 uncoded paragraphs before each quotation; quotations of 1-3 paragraphs
        start = cursor.get(row["document"], 1) + int(rng.integers(1, 4))
        row["begin"], row["end"] = start, start + int(rng.choice([0, 0, 0, 1, 1, 2]))
        cursor[row["document"]] = row["end"] + 1
    return rows


def second_coder(rows: list[dict], params: dict, texts: _Texts, rng) -> list[dict]:
    """The second coder's version of the same documents, with seeded disagreement.

    Each first-coder quotation is coded the same way (``same``), given another code
    of its code group (``other_code``), coded with a passage one paragraph longer
    (``shifted``) or not coded (``missed``); ``extra`` (a share of the first coder's
    quotations) passages are coded by the second coder alone, in paragraphs the first
    coder left uncoded.
    """
    shares = np.array([params[k] for k in SECOND_CODER], dtype=float)
    if abs(shares.sum() - 1) > 1e-9:
        raise ConfigError("synthetic.qualitative.second_coder: same + other_code + shifted + "
                          f"missed must add up to 1 (got {shares.sum():g}).")
    by_group: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        if (row["code"], row["path"]) not in by_group.setdefault(row["group"], []):
            by_group[row["group"]].append((row["code"], row["path"]))
    out = []
    for row in rows:
        what = SECOND_CODER[rng.choice(len(SECOND_CODER), p=shares)]
        if what == "same":
            out.append(dict(row))
        elif what == "other_code":
            others = [c for c in by_group[row["group"]] if c[0] != row["code"]]
            if others:
                code, path = others[rng.integers(len(others))]
                out.append({**row, "code": code, "path": path})
            else:
                out.append(dict(row))
        elif what == "shifted":
            out.append({**row, "end": row["end"] + 1})
    taken = set()
    for i in sorted(rng.choice(len(rows), size=round(params.get("extra", 0) * len(rows)),
                               replace=False).tolist()):
        row = rows[i]
        where = (row["document"], row["begin"] - 1)
        candidates = [c for c in by_group[row["group"]]
                      if row["source"] in texts.sources(row["group"], c[0])]
        if where in taken or not candidates:
            continue
        code, path = candidates[rng.integers(len(candidates))]
        text = texts.take(row["group"], code, row["source"])
        if text is None:
            continue
        taken.add(where)
        out.append({**row, "code": code, "path": path, "text": text,
                    "begin": where[1], "end": where[1]})
    return out


def atlas_sheets(rows: list[dict], qual: dict, codes: list[tuple], coder: str) -> dict:
    """Atlas.ti Quotation Manager and Code Manager sheets for one coder's quotations."""
    doc_index = {d: i for i, d in enumerate(qual["documents"], start=1)}
    ordered = sorted(rows, key=lambda r: (doc_index[r["document"]], r["begin"], r["end"],
                                          r["code"]))
    seen: dict[str, int] = {}
    quotes = []
    for row in ordered:
        seen[row["document"]] = seen.get(row["document"], 0) + 1
        quotes.append({
            "ID": f"{doc_index[row['document']]}:{seen[row['document']]}",
            "Name": row["text"][:60], "Document": row["document"],
            "Document Groups": row["source"], "Quotation Content": row["text"],
            "Codes": row["code"], "Reference": f"{row['begin']} - {row['end']}",
            "Comment": "", "Created by": coder})
    grounded: dict[str, int] = {}
    for row in rows:
        grounded[row["code"]] = grounded.get(row["code"], 0) + 1
    code_sheet = pd.DataFrame([{"Code": c, "Code Groups": g, "Grounded": grounded.get(c, 0)}
                               for g, c, _, _ in codes])
    return {"Quotations": pd.DataFrame(quotes), "Codes": code_sheet}


def maxqda_frame(rows: list[dict], qual: dict, coder: str) -> pd.DataFrame:
    """A MAXQDA 'Coded segments' export for one coder's segments."""
    doc_index = {d: i for i, d in enumerate(qual["documents"], start=1)}
    ordered = sorted(rows, key=lambda r: (doc_index[r["document"]], r["begin"], r["end"],
                                          r["path"]))
    return pd.DataFrame([{
        "Color": "#0072B2", "Document group": row["source"], "Document name": row["document"],
        "Code": row["path"], "Begin": row["begin"], "End": row["end"], "Weight score": 0,
        "Segment": row["text"], "Created by": coder} for row in ordered])


def write_qualitative_export(base: Path, spec: dict, rows: list[dict], qual: dict,
                             codes: list[tuple], coder: str) -> None:
    path = base / spec["path"]
    if spec["format"] == "atlas_ti":
        write_xlsx(path, atlas_sheets(rows, qual, codes, coder))
    elif path.suffix.lower() == ".csv":
        text = maxqda_frame(rows, qual, coder).to_csv(index=False, lineterminator="\n")
        atomic_write_bytes(path, text.encode("utf-8"))
    else:
        write_xlsx(path, {"Coded segments": maxqda_frame(rows, qual, coder)})


def write_xlsx(path, sheets: dict[str, pd.DataFrame]) -> None:
    """An .xlsx with fixed timestamps (document properties and zip entries)."""
    import datetime
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for rec in frame.itertuples(index=False):
            ws.append(list(rec))
    fixed = datetime.datetime(2023, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:modified([^>]*)>[^<]*<",
                              rb"<dcterms:modified\1>2023-01-01T00:00:00Z<", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(2023, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    atomic_write_bytes(path, out.getvalue())


def synthesize_maxqda(config: dict, base: Path) -> None:
    """A MAXQDA 2020 'Coded segments' export: codes as Group\\Code paths with counts."""
    qual, syn = config["qualitative"], config["synthetic"]["qualitative"]
    rng = block_rng(config["synthetic"]["seed"], "qualitative")
    docs = list(qual["documents"])
    groups = {d: f"{qual['documents'][d]}" for d in docs}
    rows = []
    for path, n in syn["codes"].items():
        for _ in range(n):
            doc = docs[rng.integers(len(docs))]
            rows.append((doc, path))
    rows = [rows[i] for i in rng.permutation(len(rows))]
    seen: dict[str, int] = {}
    records = []
    for doc, path in rows:
        seen[doc] = seen.get(doc, 0) + 1
        begin = 3 * seen[doc]
        records.append({"Color": "#0072B2", "Document group": groups[doc], "Document name": doc,
                        "Code": path, "Begin": begin, "End": begin + 1, "Weight score": 0,
                        "Segment": PLACEHOLDER})
    spec = next(e for e in qual["exports"] if e["format"] == "maxqda")
    text = pd.DataFrame(records).to_csv(index=False, lineterminator="\n")
    atomic_write_bytes(base / spec["path"], text.encode("utf-8"))


def synthesize_qualitative(config: dict, base: Path) -> dict:
    """The coding exports of a synthetic study: the first coder's (the study's export)
    and, when ``qualitative.agreement`` names a second coder, that coder's export of
    the same documents. Returns counts for the manifest."""
    qual, syn = config["qualitative"], config["synthetic"]["qualitative"]
    if "texts" not in syn:
        if not any(e["format"] == "maxqda" for e in qual["exports"]):
            raise ConfigError("synthetic.qualitative.texts: name the file with the code names "
                              "and synthetic quotation text (e.g. config/studies/<id>/"
                              "synthetic_quotations.yaml).")
        synthesize_maxqda(config, base)  # studies whose segments carry placeholder text
        return {}
    rng = block_rng(config["synthetic"]["seed"], "qualitative")
    texts = _Texts(load_texts(syn["texts"]), rng)
    if "codes" in syn:  # explicit counts per code path (MAXQDA: 'Group\\Code')
        codes = []
        for path, n in syn["codes"].items():
            parts = [p.strip() for p in path.split("\\")]
            if parts[-1] not in (texts.texts.get(parts[0]) or {}):
                raise ConfigError(f"synthetic.qualitative.texts: no sentences for code "
                                  f"'{path}' (expected under {parts[0]} / {parts[-1]}).")
            codes.append((parts[0], parts[-1], n, path))
    else:
        codes = [(g, c, n, f"{g}\\{c}") for g, c, n in qualitative_codes(
            config["published"]["qualitative"], texts.texts, syn["max_unnamed_code_quotations"],
            rng)]
    rows = draw_quotations(codes, qual, syn.get("source_weights", {}), texts, rng)
    first = qual["exports"][0]
    coders = qual.get("agreement", {}).get("coders", [])
    first_id = next((c["id"] for c in coders if c["path"] == first["path"]), "coder 1")
    write_qualitative_export(base, first, rows, qual, codes, first_id)
    counts = {"quotations": len(rows)}
    second = [c for c in coders if c["path"] != first["path"]]
    if second and "second_coder" in syn:
        rows2 = second_coder(rows, syn["second_coder"], texts, rng)
        write_qualitative_export(base, second[0], rows2, qual, codes, second[0]["id"])
        counts["second_coder_quotations"] = len(rows2)
    return counts


# ---- the trial generator (synthetic.generator: trial) -------------------------------------
# A two-arm, site-stratified randomised trial: allocation by permuted blocks, a screening
# log, outcomes from a linear mixed model with site, person and arm-by-time effects,
# drop-out that depends on baseline (missing at random) with recorded reasons, the
# allocated intervention received or not, the peer workers' fidelity, and one export per
# site in that site's own format, language and variable names.

def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    return np.log(p / (1.0 - p))


def trial_allocation(config: dict) -> pd.DataFrame:
    """The randomised participants: permuted blocks (sizes drawn from ``block_sizes``, 1:1)
    within each site, with each allocation's sequence number and block as the central
    randomisation service would record them. The last block of a site may be incomplete
    (recruitment stopped at the site's target)."""
    syn = config["synthetic"]
    intervention, control = config["analysis"]["trial"]["arms"]
    rng = block_rng(syn["seed"], "trial/allocation")
    rows = []
    for s_index, site in enumerate(config["sites"], start=1):
        code = syn["site_codes"][site["id"]]
        n, k, block = syn["randomised"][site["id"]], 0, 0
        while k < n:
            block += 1
            size = int(rng.choice(syn["block_sizes"]))
            arms = rng.permutation([intervention] * (size // 2) + [control] * (size // 2))
            for arm in arms[: n - k]:
                k += 1
                rows.append({"participant_id": f"{s_index}{k:03d}", "site": site["id"],
                             "group": arm, "allocation_sequence": f"{code}-{k:03d}",
                             "allocation_block": f"{code}-B{block:02d}"})
    return pd.DataFrame(rows)


def trial_peer_workers(config: dict) -> pd.DataFrame:
    """The peer support workers of each site (not randomised), with their latent fidelity
    per domain (item metric) drawn from site and worker effects."""
    syn = config["synthetic"]
    fid = syn["fidelity"]
    rng = block_rng(syn["seed"], "trial/peer_workers")
    rows = []
    for s_index, site in enumerate(config["sites"], start=1):
        site_effect = rng.normal(0.0, fid["site_sd"])
        for j in range(1, syn["peer_workers_per_site"] + 1):
            worker = rng.normal(0.0, fid["worker_sd"])
            rows.append({"participant_id": f"{s_index}9{j:02d}", "site": site["id"],
                         "group": "peer_worker",
                         **{f"fid_{d}": m + site_effect + worker + rng.normal(0.0, 0.1)
                            for d, m in fid["means"].items()}})
    out = pd.DataFrame(rows)
    level = out[[c for c in out if c.startswith("fid_")]].mean(axis=1)
    out["fidelity_z"] = (level - level.mean()) / level.std(ddof=1)
    return out


def trial_delivery(config: dict, people: pd.DataFrame, workers: pd.DataFrame) -> pd.DataFrame:
    """Receipt of the allocated intervention: in the intervention arm, a share declines or
    has no peer worker available (0 sessions); the others are assigned a peer worker of
    their site and attend a number of sessions. The control arm receives usual care."""
    syn = config["synthetic"]
    intervention = config["analysis"]["trial"]["arms"][0]
    rng = block_rng(syn["seed"], "trial/delivery")
    people = people.copy()
    people["received"] = "received allocated intervention"
    people["sessions"] = np.nan
    people["peer_worker"] = None
    reasons = list(syn["received"])
    shares = np.array([syn["received"][r] for r in reasons])
    spec = syn["sessions"]
    for idx in people.index[people["group"] == intervention]:
        u = rng.random()
        hit = np.flatnonzero(u < np.cumsum(shares))
        if len(hit):
            people.at[idx, "received"] = reasons[hit[0]]
            people.at[idx, "sessions"] = 0.0
            continue
        mine = workers[workers["site"] == people.at[idx, "site"]]["participant_id"].tolist()
        people.at[idx, "peer_worker"] = mine[rng.integers(len(mine))]
        people.at[idx, "sessions"] = float(np.clip(np.round(rng.normal(spec["mean"], spec["sd"])),
                                                   1, spec["max"]))
    return people


def trial_demographics(config: dict, people: pd.DataFrame, block: str) -> pd.DataFrame:
    """Sex and age band, shared out by the configured shares (largest remainder)."""
    syn = config["synthetic"]
    rng = block_rng(syn["seed"], f"trial/demographics/{block}")
    people = people.copy()
    n = len(people)
    n_female = round(syn["sex_female_share"] * n)
    people["sex"] = np.where(rng.permutation(n) < n_female, "female", "male")
    bands = largest_remainder(n, syn["age_band_shares"])
    people["age_band"] = rng.permutation(np.repeat(list(bands), list(bands.values())))
    return people


def trial_outcomes(config: dict, registry: dict, people: pd.DataFrame,
                   workers: pd.DataFrame) -> dict:
    """Latent scale sums of every participant at every timepoint (before drop-out):
    {(instrument, scale): DataFrame participants x timepoints}."""
    syn = config["synthetic"]
    spec = config["analysis"]["trial"]
    intervention = spec["arms"][0]
    tps = [spec["baseline"], *spec["follow_up"]]
    sites = [s["id"] for s in config["sites"]]
    fid_z = people["peer_worker"].map(workers.set_index("participant_id")["fidelity_z"])
    treated = ((people["group"] == intervention) & people["peer_worker"].notna()).to_numpy()
    gain = np.where(treated, 1.0 + syn["fidelity_effect_share"] * fid_z.fillna(0.0), 0.0)
    out = {}
    for inst_id, leaves_ in syn["outcomes"].items():
        inst = registry[inst_id]
        rng = block_rng(syn["seed"], f"trial/outcome/{inst_id}")
        shared = rng.normal(0.0, 1.0, len(people))
        rho = syn.get("subscale_correlation", 0.0) if len(leaves_) > 1 else 0.0
        for scale_id, p in leaves_.items():
            scale = inst.scales[scale_id]
            k = len(scale.items) if scale.method == "mean" else 1
            low, high = (v * k for v in inst.scale_range(scale))
            sd = p["sd"] * k
            site_eff = dict(zip(sites, rng.normal(0.0, p["site_sd"] * sd, len(sites)),
                                strict=True))
            z = np.sqrt(rho) * shared + np.sqrt(1 - rho) * rng.normal(0.0, 1.0, len(people))
            person = np.sqrt(p["icc"]) * sd * z + people["site"].map(site_eff).to_numpy()
            frame = {}
            for tp in tps:
                change = 0.0 if tp == spec["baseline"] else p["usual_care_change"][tp] * k
                effect = 0.0 if tp == spec["baseline"] else p["effect"][tp] * k
                noise = rng.normal(0.0, np.sqrt(1 - p["icc"]) * sd, len(people))
                value = p["baseline"] * k + person + change + gain * effect + noise
                frame[tp] = np.clip(np.round(value), low, high)
            out[(inst_id, scale_id)] = pd.DataFrame(frame, index=people["participant_id"])
    return out


def trial_attrition(config: dict, people: pd.DataFrame, baseline_z: np.ndarray) -> pd.DataFrame:
    """Who is seen at each follow-up, and why not: drop-out with a recorded reason, its
    chance rising as baseline social inclusion falls (MAR given baseline), and a missed
    visit now and then (seen again later, no drop-out reason)."""
    syn = config["synthetic"]
    spec = config["analysis"]["trial"]
    att = syn["attrition"]
    rng = block_rng(syn["seed"], "trial/attrition")
    people = people.copy()
    reasons = list(att["reasons"])
    shares = np.array([att["reasons"][r] for r in reasons], dtype=float)
    shares /= shares.sum()
    people["dropout_reason"] = None
    active = np.ones(len(people), dtype=bool)
    people[f"attends_{spec['baseline']}"] = True
    for tp in spec["follow_up"]:
        hazard = people["group"].map({arm: h[tp] for arm, h in att["hazard"].items()})
        p = _expit(_logit(hazard.to_numpy(float)) + att["log_odds_per_sd"] * baseline_z)
        leaves_now = active & (rng.random(len(people)) < p)
        for i in np.flatnonzero(leaves_now):
            people.iat[i, people.columns.get_loc("dropout_reason")] = reasons[
                rng.choice(len(reasons), p=shares)]
        active &= ~leaves_now
        missed = active & (rng.random(len(people)) < att.get("missed_visit", {}).get(tp, 0.0))
        people[f"attends_{tp}"] = active & ~missed
    return people


def trial_items(config: dict, registry: dict, people: pd.DataFrame, latent: dict) -> pd.DataFrame:
    """Item answers of every attended visit (raw coding: reverse-keyed items as answered),
    with item non-response; long: participant, timepoint, instrument, item, value."""
    syn = config["synthetic"]
    spec = config["analysis"]["trial"]
    rng = block_rng(syn["seed"], "trial/items")
    tps = [spec["baseline"], *spec["follow_up"]]
    rows = []
    for (inst_id, scale_id), frame in latent.items():
        inst = registry[inst_id]
        scale = inst.scales[scale_id]
        for tp in tps:
            seen = people.loc[people[f"attends_{tp}"], "participant_id"]
            for pid in seen:
                keyed = spread_items(rng, frame.at[pid, tp], inst, scale, syn["item_sd"])
                for item_id, value in zip(scale.items, keyed, strict=True):
                    raw = inst.items[item_id].keyed(value, inst.reversed_in(scale, item_id))
                    rows.append((pid, tp, inst_id, item_id, raw))
    items = pd.DataFrame(rows, columns=["participant_id", "timepoint", "instrument", "item",
                                        "value"])
    blank = rng.random(len(items)) < syn["item_missing_rate"]
    items.loc[blank, "value"] = np.nan
    return items


def trial_fidelity_items(config: dict, workers: pd.DataFrame, registry: dict) -> pd.DataFrame:
    """The researchers' ENRICH ratings of each peer worker (items 1-4) at the fidelity
    timepoint, three items per domain in the registry's order."""
    syn = config["synthetic"]
    fid = config["analysis"]["trial"]["fidelity"]
    inst = registry[fid["instrument"]]
    rng = block_rng(syn["seed"], "trial/fidelity_items")
    domains = list(syn["fidelity"]["means"])
    rows = []
    for rec in workers.to_dict("records"):
        for d in domains:
            for item_id in inst.scales[d].items:
                value = np.clip(np.round(rec[f"fid_{d}"] + rng.normal(0.0, 0.35)), 1, 4)
                rows.append((rec["participant_id"], fid["timepoint"], fid["instrument"],
                             item_id, value))
    return pd.DataFrame(rows, columns=["participant_id", "timepoint", "instrument", "item",
                                       "value"])


def trial_screening(config: dict, people: pd.DataFrame) -> pd.DataFrame:
    """The screening log: everyone assessed for eligibility at each site, in screening
    order; the randomised carry their trial id, the others the reason for exclusion."""
    syn = config["synthetic"]
    rng = block_rng(syn["seed"], "trial/screening")
    shares = syn["screening"]
    out_codes = {v: k for k, v in config["trial"]["screening"]["outcome"]["values"].items()}
    site_codes = {v: k for k, v in config["trial"]["screening"]["site"]["values"].items()}
    rows = []
    for site in config["sites"]:
        mine = people[people["site"] == site["id"]].sort_values("allocation_sequence")
        n = len(mine)
        excluded = round(n * sum(shares.values()) / (1 - sum(shares.values())))
        counts = largest_remainder(excluded, shares)
        outcomes = ["randomised"] * n + [r for r, c in counts.items() for _ in range(c)]
        order = rng.permutation(len(outcomes))
        ids = iter(mine["participant_id"])
        code = syn["site_codes"][site["id"]]
        for m, j in enumerate(order, start=1):
            outcome = outcomes[j]
            rows.append({"screening_no": f"{code}-S{m:03d}", "site": site_codes[site["id"]],
                         "outcome": out_codes[outcome],
                         "trial_id": next(ids) if outcome == "randomised" else ""})
    return pd.DataFrame(rows)


def _trial_typos(items: pd.DataFrame, registry: dict, count: int, rng) -> pd.DataFrame:
    """Keying slips (an answer typed twice, 3 -> 33) for validation to catch and log."""
    items = items.copy()
    pool = items.index[items["value"].notna() & (items["value"] > 0)
                       & items["instrument"].map(lambda i: len(registry[i].items) > 1)]
    for idx in rng.choice(pool, size=count, replace=False):
        items.at[idx, "value"] = items.at[idx, "value"] * 11
    return items


def _site_table(spec: dict, registry: dict, roster: pd.DataFrame, items: pd.DataFrame,
                tps: list[str], wide: bool, empty_rows: bool) -> tuple[pd.DataFrame, dict]:
    """One site's export as a table, and {column: (instrument, item)}. Wide: one row per
    participant, empty blocks for missed visits; long: one row per visit, and a row with
    no answers for a missed visit when ``empty_rows``."""
    from peerstudy.exports import item_variables

    site = spec["site"]
    people = roster[(roster["site"] == site) & roster["group"].isin(
        list(spec["group"]["values"].values()))].sort_values("participant_id")
    mine = items[items["participant_id"].isin(people["participant_id"])]
    values = mine.set_index(["participant_id", "timepoint", "instrument", "item"])["value"]
    values = values[~values.index.duplicated()]
    group_code = inverse(spec["group"]["values"])
    cols: dict = {}
    if wide:
        out = pd.DataFrame({spec["id_column"]: people["participant_id"].to_numpy()})
        fill_identifiers(out, spec["identifiers"], people)
        out[spec["group"]["column"]] = people["group"].map(group_code).to_numpy()
        block = {}
        for tp in tps:
            for inst in spec["instruments"]:
                names = item_variables(spec, inst, list(registry[inst].items), tp)
                for item, col in names.items():
                    block[col] = [values.get((pid, tp, inst, item), np.nan)
                                  for pid in people["participant_id"]]
                    cols[col] = (inst, item)
        return pd.concat([out, pd.DataFrame(block)], axis=1), cols
    tp_col = spec["timepoint"]["column"]
    tp_code = inverse(spec["timepoint"]["values"])
    records = []
    for tp in tps:
        for rec in people.to_dict("records"):
            seen = rec[f"attends_{tp}"]
            if not seen and not empty_rows:
                continue
            row = {spec["id_column"]: rec["participant_id"]}
            for col, source in zip(spec["identifiers"], ["name", "phone"], strict=False):
                row[col] = rec[source]
            row[spec["group"]["column"]] = group_code[rec["group"]]
            row[tp_col] = tp_code[tp]
            for inst in spec["instruments"]:
                names = item_variables(spec, inst, list(registry[inst].items))
                for item, col in names.items():
                    row[col] = values.get((rec["participant_id"], tp, inst, item), np.nan)
                    cols[col] = (inst, item)
            records.append(row)
    return pd.DataFrame(records), cols


def _csv_cells(frame: pd.DataFrame, cols: dict, code: str | None, share: float, rng):
    """Item cells as text: whole numbers, blanks (or a missing code for a share of them)."""
    out = frame.copy()
    for col in cols:
        values = out[col]
        cells = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
        if code is not None:
            typed = values.isna() & (rng.random(len(values)) < share)
            cells[typed] = code
        out[col] = cells
    return out


def _write_trial_csv(path: Path, frame: pd.DataFrame, spec: dict, bom: bool = False) -> None:
    text = frame.to_csv(index=False, sep=spec["sep"], lineterminator="\r\n")
    data = text.encode(spec["encoding"])
    atomic_write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + data)


def _write_trial_sav(path: Path, frame: pd.DataFrame, spec: dict, registry: dict, cols: dict,
                     config: dict, rng, not_known: float) -> None:
    """An SPSS export: item non-response as -9/-8 (declared user-missing), HoNOS 'not known'
    as 9 (declared), value and variable labels in English."""
    import pyreadstat

    syn = config["synthetic"]
    codes = sorted(k for k in config["missing_codes"] if isinstance(k, int))
    frame = frame.copy()
    frame[spec["id_column"]] = frame[spec["id_column"]].astype(int)
    col_labels, value_labels, missing = {}, {}, {}
    for col, (inst, item) in cols.items():
        instrument = registry[inst].with_form(spec.get("forms", {}).get(inst, registry[inst].form))
        blank = frame[col].isna()
        if inst == "honos":
            unknown = frame[col].notna() & (rng.random(len(frame)) < not_known)
            frame.loc[unknown, col] = 9
        frame.loc[blank, col] = rng.choice(codes, size=int(blank.sum()))
        col_labels[col] = f"{instrument.short_name} {item}: {instrument.items[item].label}"
        labels = {int(k): v for k, v in instrument.labels.items()}
        labels.update({k: v for k, v in config["missing_codes"].items() if isinstance(k, int)})
        missing[col] = list(codes)
        if inst == "honos":
            labels[9] = "not known"
            missing[col] = [*codes, 9]
        value_labels[col] = labels
    for key in ("group", "timepoint"):
        coded = spec.get(key)
        if isinstance(coded, dict) and coded.get("column") in syn["labels"]:
            value_labels[coded["column"]] = syn["labels"][coded["column"]]
    col_labels[spec["id_column"]] = "Trial participant id"
    _write_sav(pyreadstat, path, frame, col_labels, value_labels, missing)


def write_trial_exports(base: Path, config: dict, registry: dict, roster: pd.DataFrame,
                        items: pd.DataFrame, rng) -> None:
    """Each site's questionnaire export in its own format (as the config declares it:
    SPSS or delimited text, long or wide), and the fidelity ratings."""
    from peerstudy.exports import is_wide

    spec_t = config["analysis"]["trial"]
    tps = [spec_t["baseline"], *spec_t["follow_up"]]
    syn = config["synthetic"]
    for spec in config["raw_files"]:
        if not isinstance(spec["site"], str):
            continue  # the fidelity ratings, written below
        how = syn.get("exports", {}).get(spec["id"], {})
        frame, cols = _site_table(spec, registry, roster, items, tps, is_wide(spec),
                                  how.get("empty_rows", False))
        path = base / spec["path"]
        if spec["format"] == "sav":
            _write_trial_sav(path, frame, spec, registry, cols, config, rng,
                             syn.get("honos_not_known_rate", 0.0))
            continue
        # each text export writes non-response its own way: a typed code, or a blank
        out = _csv_cells(frame, cols, how.get("nonresponse"), how.get("nonresponse_share", 1.0),
                         rng)
        _write_trial_csv(path, out, spec, bom=how.get("byte_order_mark", False))
    fid = next((s for s in config["raw_files"] if s["id"] == "fidelity"), None)
    if fid is not None:
        workers = roster[roster["group"] == "peer_worker"].sort_values("participant_id")
        mine = items[items["instrument"] == spec_t["fidelity"]["instrument"]]
        values = mine.set_index(["participant_id", "item"])["value"]
        out = pd.DataFrame({fid["id_column"]: workers["participant_id"].to_numpy(),
                            fid["site"]["column"]: workers["site"].map(
                                inverse(fid["site"]["values"])).to_numpy()})
        inst = spec_t["fidelity"]["instrument"]
        template = fid["instruments"][inst]
        for pos, item in enumerate(registry[inst].items, start=1):
            out[template.format(n=pos)] = [
                "" if pd.isna(values.get((pid, item), np.nan)) else str(int(values[(pid, item)]))
                for pid in workers["participant_id"]]
        _write_trial_csv(base / fid["path"], out, fid)


def write_trial_master(path: Path, spec: dict, config: dict, roster: pd.DataFrame) -> None:
    """The trial master file (SPSS): participants, allocation, receipt, drop-out reasons."""
    import pyreadstat

    syn = config["synthetic"]
    out = pd.DataFrame({spec["id_column"]: roster["participant_id"].astype(int)})
    fill_identifiers(out, spec["identifiers"], roster)
    out[spec["group"]["column"]] = roster["group"].map(inverse(spec["group"]["values"]))
    out[spec["site"]["column"]] = roster["site"].map(inverse(spec["site"]["values"]))
    for name, var in spec["variables"].items():
        out[var["column"]] = roster[name].map(inverse(var["values"]))
    drop = spec["dropout_reason"]
    out[drop["column"]] = roster["dropout_reason"].map(inverse(drop["values"]))
    for name, var in spec.get("trial", {}).items():
        if "values" in var:
            out[var["column"]] = roster[name].map(inverse(var["values"]))
        elif name == "sessions":
            out[var["column"]] = roster[name].astype(float)
        elif name == "peer_worker":
            out[var["column"]] = pd.to_numeric(roster[name], errors="coerce")
        else:
            out[var["column"]] = roster[name].fillna("")
    labels = {c: v for c, v in syn["labels"].items() if c in out.columns}
    _write_sav(pyreadstat, path, out, {spec["id_column"]: "Trial participant id"}, labels, {})


def synthesize_trial(config: dict, registry: dict, base: Path) -> dict:
    """Every raw export of a synthetic trial; returns its part of the manifest."""
    syn = config["synthetic"]
    spec = config["analysis"]["trial"]
    people = trial_demographics(config, trial_allocation(config), "participants")
    workers = trial_peer_workers(config)
    people = trial_delivery(config, people, workers)
    latent = trial_outcomes(config, registry, people, workers)
    primary = next(o for o in spec["outcomes"] if o["role"] == "primary")
    parts = [f for (i, s), f in latent.items() if i == primary["instrument"]]
    baseline = sum(f[spec["baseline"]] for f in parts).to_numpy(float)
    people = trial_attrition(config, people, (baseline - baseline.mean()) / baseline.std())
    items = trial_items(config, registry, people, latent)
    workers_roster = trial_demographics(config, workers.drop(
        columns=[c for c in workers if c.startswith("fid") or c == "fidelity_z"]), "workers")
    workers_roster = workers_roster.assign(dropout_reason=None, received=None, sessions=np.nan,
                                           peer_worker=None, allocation_sequence="",
                                           allocation_block="")
    workers_roster[f"attends_{spec['fidelity']['timepoint']}"] = True
    items = pd.concat([items, trial_fidelity_items(config, workers, registry)],
                      ignore_index=True)
    rng = block_rng(syn["seed"], "trial/exports")
    items = _trial_typos(items, registry, syn.get("out_of_range_typos", 0), rng)
    roster = add_identifiers(pd.concat([people, workers_roster], ignore_index=True),
                             syn["seed"])
    for tp in [spec["baseline"], *spec["follow_up"]]:
        roster[f"attends_{tp}"] = roster[f"attends_{tp}"].fillna(False).astype(bool)
    pf = config["participants_file"]
    write_trial_master(base / pf["path"], pf, config, roster)
    write_trial_exports(base, config, registry, roster, items, rng)
    screening = trial_screening(config, people)
    _write_trial_csv(base / config["trial"]["screening"]["path"], screening,
                     config["trial"]["screening"])
    arms = people["group"].value_counts().to_dict()
    return {"randomised": int(len(people)), "by_arm": {k: int(v) for k, v in sorted(arms.items())},
            "peer_workers": int(len(workers)), "assessed": int(len(screening)),
            "lost_by_endpoint": int((~people[f"attends_{spec['primary_endpoint']}"]).sum())}
