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
