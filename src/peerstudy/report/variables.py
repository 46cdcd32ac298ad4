"""Results files -> the manuscript's variables (_variables.yml) and tables (Markdown).

Everything a reader sees as a number is formatted here from a results file
of the same run; sentences are assembled from those numbers, the alpha level
and the registry's direction of each scale.
"""

from __future__ import annotations

import pandas as pd

from peerstudy.report import format as fmt


def md_table(header: list[str], rows: list[list], align: str | None = None) -> str:
    """A pipe table whose separator dashes are proportional to each column's longest
    cell: pandoc takes relative column widths from them."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(header)]
    widths = [min(max(w, 8), 40) for w in widths]

    def mark(a, w):
        marks = {"l": ":" + "-" * (w - 1), "r": "-" * (w - 1) + ":",
                 "c": ":" + "-" * (w - 2) + ":"}
        return marks[a]

    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(mark(a, w) for a, w in zip(align, widths, strict=True)) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


class Builder:
    """Holds the run's results and writes variables and tables from them."""

    def __init__(self, results: dict[str, pd.DataFrame], conventions: dict, config: dict,
                 registry: dict, provenance: dict):
        self.r = results
        self.conv = conventions
        self.config = config
        self.registry = registry
        self.alpha = conventions["alpha"]
        self.suppress = config.get("reporting", {}).get("suppress_below")
        self.labels = {g["id"]: g.get("short_label", g["label"]) for g in config["groups"]}
        self.full_labels = {g["id"]: g["label"] for g in config["groups"]}
        self.months = {t["id"]: t["months"] for t in config["timepoints"]}
        self.provenance = provenance
        self.vars: dict = {}
        self.tables: dict[str, str] = {}
        self.sources: list[dict] = []  # variable -> results file and row (provenance.csv)

    # ---- look-ups -------------------------------------------------------------
    def test(self, group, instrument, scale, test, contrast, effect=None):
        t = self.r["tests"]
        sel = t[(t["site"] == "all") & (t["group"] == group) & (t["instrument"] == instrument)
                & (t["scale"] == scale) & (t["test"] == test) & (t["contrast"] == contrast)]
        if effect:
            sel = sel[sel["effect_name"] == effect]
        return sel.iloc[0] if len(sel) else None

    def desc(self, group, instrument, scale, tp):
        d = self.r["descriptives"]
        sel = d[(d["site"] == "all") & (d["group"] == group) & (d["instrument"] == instrument)
                & (d["scale"] == scale) & (d["timepoint"] == tp)]
        return sel.iloc[0] if len(sel) else None

    def name(self, instrument, scale):
        inst = self.registry[instrument]
        if scale == "total":
            return inst.short_name
        return f"{inst.short_name} {inst.scales[scale].label.lower()}"

    def in_sentence(self, group) -> str:
        """A group label inside a sentence: 'Service users' -> 'service users', 'PSWs' kept."""
        label = self.labels[group]
        return label if label[1:] != label[1:].lower() else label.lower()

    # ---- sentences ------------------------------------------------------------
    def change_sentence(self, group, instrument, scale, earlier, later) -> dict:
        scale_def = self.registry[instrument].scales[scale]
        a = self.desc(group, instrument, scale, earlier)
        b = self.desc(group, instrument, scale, later)
        w = self.test(group, instrument, scale, "wilcoxon", f"{earlier}-{later}")
        d = self.test(group, instrument, scale, "paired_t", f"{earlier}-{later}", "cohen_dz")
        change = w["mean_difference"]
        z = "" if pd.isna(w["z"]) else f"z = {fmt.num(w['z'])}, "
        text = (
            f"{self.name(instrument, scale)} scores {fmt.movement(change)} from "
            f"{fmt.num(a['mean'])} at {earlier} to {fmt.num(b['mean'])} at {later} "
            f"(mean change {fmt.num(change)} in {int(w['n'])} complete pairs; higher = "
            f"{scale_def.higher_is}, so {fmt.favourability(change, scale_def.higher_is_better)}); "
            f"the change was {fmt.significance(w['p'], self.alpha)} (Wilcoxon {z}"
            f"{fmt.p_value(w['p'])}, r = {fmt.no_zero(w['effect'])} "
            f"{fmt.ci(w['ci_low'], w['ci_high'], bounded=True)}, d~z~ = {fmt.num(d['effect'])})."
        )
        key = f"{group}.{instrument}.{scale}.{earlier}_{later}"
        test_row = (f"site=all, group={group}, instrument={instrument}, scale={scale}, "
                    f"contrast={earlier}-{later}")
        self.sources += [
            {"variable": f"{key}.p, .change, .r (sentence)", "file": "tests.csv",
             "row": f"{test_row}, test=wilcoxon", "columns": "p, mean_difference, z, effect, "
             "ci_low, ci_high, n"},
            {"variable": f"{key}.dz (sentence)", "file": "tests.csv",
             "row": f"{test_row}, test=paired_t, effect_name=cohen_dz", "columns": "effect"},
            {"variable": f"{key}.sentence (means)", "file": "descriptives.csv",
             "row": f"site=all, group={group}, instrument={instrument}, scale={scale}, "
                    f"timepoint={earlier} and {later}", "columns": "mean"},
        ]
        return {"sentence": text, "p": fmt.p_value(w["p"]), "change": fmt.num(change),
                "r": fmt.no_zero(w["effect"]), "dz": fmt.num(d["effect"]),
                "significant": bool(w["p"] < self.alpha), "raw_change": float(change)}

    # ---- sections -------------------------------------------------------------
    def study(self):
        study = self.config["study"]
        self.vars["prose"] = dict(self.config.get("reporting", {}).get("prose", {}))
        self.vars["study"] = {
            "id": study["id"], "title": study["title"],
            "subtitle": ("Synthetic-data demonstration generated by peerstudy"
                         if study["synthetic"] else "Generated by peerstudy"),
            "notice": ("**SYNTHETIC DATA.** This report was generated from synthetic raw "
                       "exports made by `peerstudy synth`; it describes no real participant "
                       "and its results are not findings." if study["synthetic"] else ""),
        }

    def sample(self):
        demo = self.r["demographics"]
        enrolled = demo[demo["variable"] == "enrolled"].set_index("group")
        total = int(enrolled.loc["all", "n"])
        parts = []
        self.vars["n"] = {"total": total}
        for g in self.labels:
            n = int(enrolled.loc[g, "n"])
            self.vars["n"][g] = n
            pct = fmt.num(enrolled.loc[g, "percent"], 1)
            parts.append(f"{n} {self.full_labels[g].lower()} ({pct}%)")
        female = demo[(demo["group"] == "all") & (demo["variable"] == "sex")
                      & (demo["level"] == "female")]
        sentence = (f"The sample comprised {total} participants: " + ", ".join(parts[:-1])
                    + f" and {parts[-1]}.")
        if len(female):
            sentence += f" {fmt.num(female['percent'].iloc[0], 1)}% were women."
        self.vars["sample"] = {"sentence": sentence}
        self.sources.append({"variable": "n.*, sample.sentence", "file": "demographics.csv",
                             "row": "variable=enrolled (and sex=female, group=all)",
                             "columns": "n, percent"})
        self.tables["demographics"] = self.demographics_table()

    def demographics_table(self) -> str:
        demo = self.r["demographics"]
        groups = [*self.labels, "all"]
        header = ["Characteristic", *[self.labels.get(g, "All") for g in groups]]
        rows = []
        enrolled = demo[demo["variable"] == "enrolled"].set_index("group")["n"]
        rows.append(["Participants, n", *[str(int(enrolled[g])) for g in groups]])
        for var in [v for v in demo["variable"].unique() if v != "enrolled"]:
            rows.append([f"**{var.replace('_', ' ').capitalize()}**", *[""] * len(groups)])
            for level in sorted(demo.loc[demo["variable"] == var, "level"].unique()):
                cells = []
                for g in groups:
                    hit = demo[(demo["group"] == g) & (demo["variable"] == var)
                               & (demo["level"] == level)]
                    if hit.empty:
                        cells.append("0")
                        continue
                    n = int(hit["n"].iloc[0])
                    shown = fmt.suppressed(n, self.suppress)
                    cells.append(shown if shown != str(n) else
                                 f"{n} ({fmt.num(hit['percent'].iloc[0], 1)}%)")
                rows.append([f"  {level}", *cells])
        return md_table(header, rows)

    def measures(self):
        sched = self.config["schedule"]
        rel = self.r["reliability"]
        tps = [t["id"] for t in self.config["timepoints"]]
        rows = []
        for inst_id, inst in self.registry.items():
            used = {g: [tp for tp in tps if inst_id in sched[g].get(tp, [])] for g in sched}
            used = {g: v for g, v in used.items() if v}
            if not used:
                continue
            total = inst.scales.get("total") or next(iter(inst.scales.values()))
            low, high = inst.scale_range(total)
            sample = rel[(rel["instrument"] == inst_id) & (rel["scale"] == total.id)]["alpha"]
            alpha = (f"{fmt.no_zero(sample.min())} to {fmt.no_zero(sample.max())}"
                     if len(sample.dropna()) else "not applicable")
            who = "; ".join(f"{self.labels[g]}: {', '.join(v)}" for g, v in used.items())
            rows.append([inst.short_name, str(len(inst.items)),
                         f"{low:g}-{high:g}", total.higher_is, who,
                         inst.reported_alpha or "—", alpha])
        self.tables["measures"] = md_table(
            ["Instrument", "Items", "Range", "Higher score means", "Groups: timepoints",
             "Published α", "α in this sample"], rows, "lrrllrr")
        used = {i for plan in sched.values() for tp in plan.values() for i in tp}
        self.vars["instruments"] = {"sources": "\n".join(
            f"- **{inst.short_name}**, {inst.name} ({inst.language_version}): {inst.sources[0]}"
            for inst in self.registry.values() if inst.id in used)}

    def methods_stats(self):
        c = self.conv["conventions"]
        w = c["wilcoxon"]
        mw = c["mann_whitney"]
        wil = {"asymptotic": "the asymptotic normal approximation", "exact": "exact p-values",
               "auto": "exact p-values when n < 50 without ties, else the normal approximation"}
        sph = {"gg": "Greenhouse-Geisser", "hf": "Huynh-Feldt"}[c["sphericity"]]
        multiplicity = {"holm": "Holm's", "bh": "the Benjamini-Hochberg", "bonferroni":
                        "Bonferroni's", "none": "no"}[self.conv["multiplicity"]["method"]]
        self.vars["methods"] = {"stats": (
            f"Changes over time were tested with the Wilcoxon signed-rank test (the primary "
            f"pairwise test; {wil[w['method']]}, "
            f"{'with' if w['correction'] else 'without'} continuity correction, zero "
            f"differences handled by the '{w['zero_method']}' method), with paired t-tests and "
            f"Cohen's d~z~ and d~av~ alongside. Instruments measured at three timepoints were "
            f"analysed with a one-way repeated-measures ANOVA on complete cases (Mauchly's test; "
            f"{sph}-corrected degrees of freedom reported when sphericity was rejected) and a "
            f"Friedman test. Groups were compared with the Mann-Whitney U test "
            f"({wil[mw['method']]}, {'with' if mw['correction'] else 'without'} continuity "
            f"correction) and categorical characteristics with chi-square tests "
            f"(and Fisher's exact test for 2 x 2 tables). Effect sizes are rank-biserial "
            f"correlations (r) for rank tests, Cohen's d for paired t-tests and partial and "
            f"generalized eta squared for the ANOVA, with {fmt.num(100 * c['ci_level'], 0)}% "
            f"confidence intervals. As a sensitivity analysis that keeps participants who "
            f"dropped out, a linear mixed model (score ~ timepoint + (1 | participant), REML) "
            f"was fitted to all available data. Reliable change per person follows Jacobson "
            f"and Truax with this sample's Cronbach's alpha. {multiplicity.capitalize()} "
            f"correction was applied within each declared family of tests. All p-values are "
            f"two-sided; the significance level was {fmt.no_zero(self.alpha)}."),
            "alpha": fmt.no_zero(self.alpha)}

    def within(self):
        plan = self.config["analysis"].get("within", [])
        for spec in plan:
            for inst in spec["instruments"]:
                for scale in self._scales(spec, inst):
                    for earlier, later in spec["pairs"]:
                        if self.test(spec["group"], inst, scale, "wilcoxon",
                                     f"{earlier}-{later}") is None:
                            continue
                        key = f"{earlier}_{later}"
                        entry = self.change_sentence(spec["group"], inst, scale, earlier, later)
                        self.vars.setdefault(spec["group"], {}).setdefault(inst, {}).setdefault(
                            scale, {})[key] = entry
            self.tables[f"within_{spec['id']}"] = self.within_table(spec)
        self._omnibus()

    def _scales(self, spec, inst):
        chosen = spec.get("scales", "total")
        if chosen == "all":
            return list(self.registry[inst].scales)
        return [chosen] if isinstance(chosen, str) else chosen

    def within_table(self, spec) -> str:
        header = ["Scale", "Change", "n pairs", "M (SD) before", "M (SD) after", "Δ", "z", "p",
                  "r", "d~z~"]
        rows = []
        for inst in spec["instruments"]:
            for scale in self._scales(spec, inst):
                for a, b in spec["pairs"]:
                    w = self.test(spec["group"], inst, scale, "wilcoxon", f"{a}-{b}")
                    d = self.test(spec["group"], inst, scale, "paired_t", f"{a}-{b}", "cohen_dz")
                    da, db = (self.desc(spec["group"], inst, scale, tp) for tp in (a, b))
                    if w is None or pd.isna(w["p"]):
                        continue
                    rows.append([self.name(inst, scale), f"{a}-{b}", str(int(w["n"])),
                                 f"{fmt.num(da['mean'])} ({fmt.num(da['sd'])})",
                                 f"{fmt.num(db['mean'])} ({fmt.num(db['sd'])})",
                                 fmt.num(w["mean_difference"]),
                                 "—" if pd.isna(w["z"]) else fmt.num(w["z"]),
                                 fmt.bare_p(w["p"]),
                                 fmt.no_zero(w["effect"]), fmt.num(d["effect"])])
        return md_table(header, rows, "llrrrrrrrr")

    def _omnibus(self):
        t = self.r["tests"]
        om = t[(t["site"] == "all") & t["test"].isin(["rm_anova", "friedman"])]
        rows = []
        for (group, inst, scale), block in om.groupby(["group", "instrument", "scale"], sort=False):
            rm = block[(block["test"] == "rm_anova") & (block["effect_name"] == "partial_eta_sq")]
            fr = block[block["test"] == "friedman"]
            if rm.empty:
                continue
            rm = rm.iloc[0]
            corrected = rm["mauchly_p"] < self.alpha if pd.notna(rm["mauchly_p"]) else False
            which = "rm_anova_" + self.conv["conventions"]["sphericity"]
            use = (t[(t["site"] == "all") & (t["group"] == group) & (t["instrument"] == inst)
                     & (t["scale"] == scale) & (t["test"] == which)].iloc[0] if corrected else rm)
            fri = fr.iloc[0] if len(fr) else None
            bare = fmt.bare_p
            rows.append([f"{self.labels[group]}: {self.name(inst, scale)}", str(int(rm["n"])),
                         fmt.no_zero(rm["mauchly_w"], 3), bare(rm["mauchly_p"]),
                         f"{fmt.num(use['df1'])}, {fmt.num(use['df2'])}"
                         + ("*" if corrected else ""),
                         fmt.num(use["statistic"]), bare(use["p"]), fmt.no_zero(rm["effect"]),
                         "—" if fri is None else fmt.num(fri["statistic"]),
                         "—" if fri is None else bare(fri["p"]),
                         "—" if fri is None else fmt.no_zero(fri["effect"])])
        self.tables["omnibus"] = md_table(
            ["Scale", "n", "Mauchly W", "p", "df", "F", "p", "η²~p~", "Friedman χ²", "p",
             "Kendall W"], rows, "lrrrrrrrrrr")

    def mixed(self):
        t = self.r["tests"]
        mm = t[(t["site"] == "all") & (t["test"] == "mixed_model") & (t["factor"] == "timepoint")]
        rows = []
        for rec in mm.itertuples():
            rows.append([f"{self.labels[rec.group]}: {self.name(rec.instrument, rec.scale)}",
                         rec.contrast, str(int(rec.n)), fmt.num(rec.effect),
                         fmt.ci(rec.ci_low, rec.ci_high), fmt.bare_p(rec.p)])
        self.tables["mixed"] = md_table(
            ["Scale", "Contrast", "Participants", "Estimate", "95% CI", "p"], rows, "llrrrr")

    def arms(self):
        """Arm x time mixed models: arm difference per timepoint and in change."""
        t = self.r["tests"]
        arm = t[(t["site"] == "all") & (t["factor"] == "arm")
                & t["test"].isin(["mixed_model", "mixed_model_change"])]
        rows = []
        for rec in arm.itertuples():
            what = ("difference at " + rec.timepoint if rec.test == "mixed_model"
                    else "difference in change " + rec.timepoint)
            rows.append([self.name(rec.instrument, rec.scale), rec.contrast, what,
                         str(int(rec.n)), fmt.num(rec.effect), fmt.ci(rec.ci_low, rec.ci_high),
                         fmt.bare_p(rec.p)])
        if rows:
            self.tables["arms"] = md_table(
                ["Scale", "Arms", "Estimate of", "Participants", "Estimate", "95% CI", "p"],
                rows, "lllrrrr")

    def attrition(self):
        t = self.r["tests"]
        at = t[(t["site"] == "all") & (t["factor"] == "completion") & (t["scale"] == "total")]
        rows = [[f"{self.labels[r.group]}: {self.name(r.instrument, r.scale)}",
                 r.note.replace("n = ", "").replace(" vs ", " / "), fmt.num(r.mean_difference),
                 fmt.bare_p(r.p), fmt.no_zero(r.effect)] for r in at.itertuples()]
        sig = at[at["p"] < self.alpha]
        self.vars["attrition"] = {"sentence": (
            f"Completers and participants who dropped out differed at baseline on "
            f"{len(sig)} of {len(at)} total scores (Mann-Whitney, p < {fmt.no_zero(self.alpha)})."
        )}
        self.tables["attrition"] = md_table(
            ["Scale", "Completers / drop-outs, n", "Difference in means", "p", "r"], rows,
            "llrrr")

    def rci(self):
        s = self.r["rci_summary"]
        rows = []
        for rec in s.to_dict("records"):
            label = f"{self.labels[rec['group']]}: {self.name(rec['instrument'], rec['scale'])}"
            rows.append([label,
                         f"{rec['from']}-{rec['to']}",
                         fmt.suppressed(int(rec["improved"]), self.suppress),
                         fmt.suppressed(int(rec["unchanged"]), self.suppress),
                         fmt.suppressed(int(rec["deteriorated"]), self.suppress)])
        self.tables["rci"] = md_table(
            ["Scale", "Change", "Improved", "Unchanged", "Deteriorated"],
            rows, "llrrr")

    def qualitative(self):
        groups, codes = self.r.get("code_groups"), self.r.get("codes")
        if groups is None:
            return
        tot = self.r["qual_totals"].iloc[0]
        self.vars["qual"] = {"quotations": int(tot["quotations"]), "codes": int(tot["codes"]),
                             "groups": int(tot["code_groups"])}
        self.sources.append({"variable": "qual.quotations, qual.codes, qual.groups",
                             "file": "qualitative/totals.csv", "row": "the only row",
                             "columns": "quotations, codes, code_groups"})
        rows = []
        for g in groups.sort_values("quotations", ascending=False).itertuples():
            top = codes[codes["group"] == g.group].sort_values(["quotations", "code"],
                                                              ascending=[False, True]).head(4)
            rows.append([g.group, str(g.codes), str(g.quotations),
                         f"{fmt.num(100 * g.share, 1)}%",
                         "; ".join(f"{c.code} ({c.quotations})" for c in top.itertuples())])
        self.tables["codes"] = md_table(
            ["Code group", "Codes", "Quotations", "Share", "Largest codes (quotations)"], rows,
            "lrrrl")
        joint = self.r.get("joint_display")
        if joint is not None:
            rows = [[j.domain, f"{self.labels[j.group]}: {self.registry[j.instrument].short_name} "
                     f"{j.contrast}", fmt.num(j.change), fmt.bare_p(j.p), fmt.no_zero(j.effect),
                     f"{j.codes} ({j.quotations})", j.convergence] for j in joint.itertuples()]
            self.tables["joint"] = md_table(
                ["Domain", "Quantitative result", "Change", "p", "r",
                 "Qualitative codes (quotations)", "Convergence"], rows, "llrrrll")

    def abstract(self):
        found = []
        for group, per in self.vars.items():
            if group not in self.labels:
                continue
            for inst, scales in per.items():
                for scale, pairs in scales.items():
                    for key, e in pairs.items():
                        if e["significant"]:
                            found.append(f"{self.in_sentence(group)}' "
                                         f"{self.name(inst, scale)} {key.replace('_', '-')} "
                                         f"({e['p']})")
        total = sum(len(p) for g, per in self.vars.items() if g in self.labels
                    for s in per.values() for p in s.values())
        self.vars["abstract"] = {"results": (
            f"Of {total} pre-specified pairwise comparisons, {len(found)} were statistically "
            f"significant (Wilcoxon, p < {fmt.no_zero(self.alpha)}, unadjusted): "
            + ("; ".join(found) if found else "none") + "."),
            "qualitative": (f"The qualitative material comprised {self.vars['qual']['quotations']} "
                            f"coded quotations in {self.vars['qual']['codes']} codes and "
                            f"{self.vars['qual']['groups']} code groups."
                            if "qual" in self.vars else "")}

    def calibration(self):
        cal = self.r.get("calibration_tests")
        if cal is None:
            return
        rows = [[f"{self.labels[c.group]}: {self.name(c.instrument, c.scale)}", c.contrast,
                 fmt.bare_p(c.published_p), fmt.bare_p(c.observed_p),
                 "yes" if c.same_side else "NO",
                 "—" if pd.isna(c.same_direction) else ("yes" if c.same_direction else "NO")]
                for c in cal.itertuples()]
        self.tables["calibration"] = md_table(
            ["Scale", "Contrast", "Published p", "Synthetic p", "Same side of α",
             "Same direction"], rows, "llrrll")

    def reproducibility(self):
        p = self.provenance
        self.vars["repro"] = {
            "versions": ", ".join(f"{k} {v}" for k, v in sorted(p["versions"].items())),
            "config_sha256": p["config_sha256"][:16], "data_sha256": p["data_sha256"][:16],
            "command": p["command"]}

    # ---- generated sections (the template adapts to the study's design) --------
    def section_results(self):
        """One Results subsection per within-person comparison, in the order of
        reporting.sections (default: the analysis plan's order)."""
        plan = {c["id"]: c for c in self.config["analysis"].get("within", [])}
        sections = self.config.get("reporting", {}).get("sections") or [
            {"comparison": cid, "title": self.full_labels.get(c["group"], c["group"])}
            for cid, c in plan.items()]
        captions = self.config.get("figure_captions", {})
        parts = []
        for sec in sections:
            spec = plan[sec["comparison"]]
            tid = f"tbl-{sec['comparison'].replace('_', '-')}"
            lines = [f"## {sec['title']}", ""]
            intro = f"@{tid} gives the scores and the tests between timepoints"
            if sec.get("figure"):
                intro += f"; @fig-{sec['figure'].replace('_', '-')} shows each person"
            lines += [intro + ".", ""]
            for inst in spec["instruments"]:
                for scale in self._scales(spec, inst):
                    for earlier, later in spec["pairs"]:
                        entry = (self.vars.get(spec["group"], {}).get(inst, {}).get(scale, {})
                                 .get(f"{earlier}_{later}"))
                        if entry:
                            lines.append(f"- {entry['sentence']}")
            lines += ["", self.tables[f"within_{spec['id']}"].rstrip("\n"), "",
                      f": {self.full_labels.get(spec['group'], spec['group'])}: for each pair of "
                      "timepoints, the number of complete pairs, mean (SD) of all available "
                      "scores at each timepoint, mean paired change (Δ, later minus earlier), "
                      f"Wilcoxon z and p, rank-biserial r and Cohen's d~z~. {{#{tid}}}", ""]
            if sec.get("figure"):
                caption = captions.get(sec["figure"], sec["figure"]).strip()
                lines += [f"![{caption}](figures/{sec['figure']}.png)"
                          f"{{#fig-{sec['figure'].replace('_', '-')}}}", ""]
            parts.append("\n".join(lines))
        parts.append(self.table_block(
            "by_site", "Scores by site", "gives, per site, the measures that no comparison over "
            "time covers.", "Mean (SD), n by site."))
        parts.append(self.table_block(
            "arms", "Comparison of the arms", "gives the arm x time mixed model on all available "
            "data: the difference between the arms at each timepoint and in change from "
            "baseline (the interaction contrast).", "Arm x time linear mixed model (REML; site "
            "as a fixed effect where configured): estimates with 95% CI."))
        parts.append(self.table_block(
            "omnibus", "Omnibus tests over time", "gives the repeated-measures ANOVA and Friedman "
            "test of every scale measured at three or more timepoints.", "Repeated-measures "
            "ANOVA on complete cases with Mauchly's test of sphericity (* corrected degrees of "
            "freedom, used where sphericity was rejected), partial η², and Friedman tests with "
            "Kendall's W."))
        self.tables["section_results"] = "\n\n".join(p for p in parts if p) + "\n"

    def table_block(self, name: str, title: str | None, intro: str, caption: str) -> str:
        """'## title', a sentence citing the table, the table and its caption; '' if empty."""
        table = self.tables.get(name, "")
        if table.count("\n") <= 2:  # header and separator only, or absent
            return ""
        tid = f"tbl-{name.replace('_', '-')}"
        head = f"## {title}\n\n" if title else ""
        return f"{head}@{tid} {intro}\n\n{table}\n: {caption} {{#{tid}}}\n"

    def by_site(self):
        """Scores by site for measures that no comparison over time covers (e.g. fidelity)."""
        covered = {(c["group"], i) for c in self.config["analysis"].get("within", [])
                   for i in c["instruments"]}
        d = self.r["descriptives"]
        rest = d[~d.apply(lambda r: (r["group"], r["instrument"]) in covered, axis=1)]
        if rest.empty:
            return
        sites = [s for s in sorted(rest["site"].unique()) if s != "all"] + ["all"]
        rows = []
        for (group, inst, scale, tp), block in rest.groupby(
                ["group", "instrument", "scale", "timepoint"], sort=False):
            cells = block.set_index("site")
            rows.append([f"{self.labels[group]}: {self.name(inst, scale)}", tp] + [
                "—" if site not in cells.index else
                f"{fmt.num(cells.loc[site, 'mean'])} ({fmt.num(cells.loc[site, 'sd'])}), "
                f"{int(cells.loc[site, 'n'])}" for site in sites])
        self.tables["by_site"] = md_table(["Scale", "Time", *[s.capitalize() for s in sites]],
                                          rows, "ll" + "r" * len(sites))

    def section_qualitative(self):
        if "codes" not in self.tables:
            self.tables["section_qualitative"] = ""
            return
        captions = self.config.get("figure_captions", {})
        text = [
            "## Qualitative findings and integration", "",
            f"Content analysis produced {self.vars['qual']['quotations']} quotations in "
            f"{self.vars['qual']['codes']} codes (@tbl-codes, @fig-code-groups).",
            "", self.tables["codes"].rstrip("\n"), "",
            ": Code groups with their number of codes and quotations and their largest codes. "
            "{#tbl-codes}", "",
            f"![{captions.get('code_groups', 'Quotations per code group.').strip()}]"
            "(figures/code_groups.png){#fig-code-groups}", ""]
        if "joint" in self.tables:
            text += ["The joint display (@tbl-joint) sets each domain's questionnaire result "
                     "beside the codes that speak to it; the convergence column records the "
                     "research team's judgement as stated in the study configuration.", "",
                     self.tables["joint"].rstrip("\n"), "",
                     ": Joint display of quantitative and qualitative results. {#tbl-joint}", ""]
        self.tables["section_qualitative"] = "\n".join(text)

    def section_sensitivity(self):
        parts = [p for p in (
            self.table_block("rci", None, "counts the participants whose change exceeded what "
                             "the scale's measurement error allows.", "Reliable change "
                             "(Jacobson-Truax, |RCI| > 1.96): participants reliably improved, "
                             "unchanged or reliably deteriorated, among those with both scores."),
            self.table_block("mixed", None, "repeats the comparisons over time with a mixed "
                             "model that keeps every observed score, including those of "
                             "participants who later dropped out.", "Linear mixed model on all "
                             "available data: estimated change (later minus earlier) with "
                             "95% CI."),
        ) if p]
        self.tables["section_sensitivity"] = (
            "## Reliable change and sensitivity analysis\n\n" + "\n".join(parts)
            if parts else "")

    def section_appendix(self):
        block = self.table_block(
            "calibration", None, "sets the published p-values beside the same tests on the "
            "synthetic data.", "Published p-values beside the same tests on the synthetic data "
            "(Wilcoxon; unadjusted).")
        self.tables["section_appendix"] = (
            "# Appendix A: synthetic data calibration\n\n" + block if block else "")

    def provenance_table(self) -> pd.DataFrame:
        """Where each manuscript variable comes from; the generated tables are listed too."""
        tables = [{"variable": f"table {name}", "file": "see the table's caption",
                   "row": "one row per rendered row", "columns": "as rendered"}
                  for name in sorted(self.tables)]
        return pd.DataFrame(self.sources + tables,
                            columns=["variable", "file", "row", "columns"])

    def build(self):
        for step in (self.study, self.sample, self.measures, self.methods_stats, self.within,
                     self.mixed, self.arms, self.by_site, self.attrition, self.rci,
                     self.qualitative, self.abstract,
                     self.calibration, self.reproducibility, self.section_results,
                     self.section_sensitivity, self.section_qualitative, self.section_appendix):
            step()
        return self.vars, self.tables
