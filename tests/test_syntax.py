"""The exported R and SPSS syntax reproduces tests.csv and reliability.csv, row by row.

Both example studies (config/config.yaml and config/upsides_demo.yaml) are run
up to tests.csv, reliability.csv and results/<id>/syntax/ in scratch copies.
Then, from the copy's root as a reviewer would:

- ``Rscript results/<id>/syntax/all.R`` (afex, effectsize, stats, lme4,
  lmerTest) and ``reliability.R`` (psych, factanal) must give every row of
  tests.csv and reliability.csv, no more and no fewer, with every numeric cell
  equal to 1e-6 relative (an absolute floor of 1e-9 for values at zero; a
  mixed-model estimate, t and CI are compared on the scale of the larger of
  the value and its SE, so an estimate of 0.0004 with SE 0.06 must agree to
  6e-8).
  The exact R calls are in the generated scripts: aov_ez + anova(es =
  c("pes", "ges")) and summary() for the ANOVA rows, friedman.test and
  effectsize::kendalls_w, wilcox.test and effectsize::rank_biserial,
  t.test and effectsize::cohens_d, lmerTest::lmer + contest1D(ddf =
  "Satterthwaite", confint = TRUE), mice::pool.scalar (the trial's multiple-imputation
  rows: R refits the data sets the workflow imputed, since R's own imputations would
  differ, and pools them), chisq.test and effectsize::chisq_to_cramers_v,
  fisher.test, p.adjust, psych::alpha, psych::alpha.ci and factanal. Where effectsize finds an interval bound with
  optim (its ncp intervals: eta squared, d_z, Cramer's V), the script solves
  the same equation with uniroot on R's pf/pt/pchisq, because optim leaves
  them 1e-6 to 1e-3 short; fisher.test's estimate and interval are likewise
  re-solved tightly (its p-value is used as is). Satterthwaite's df come from
  lmerTest's numerical derivatives (numDeriv, Richardson); the engine uses
  the same scheme, and they agree to about 1e-8, so no looser tolerance is
  needed for any estimate, interval, df or p. The one exception is a variance
  component on its own (the trial's ``mixed_model_variance`` rows): the REML
  criterion is nearly flat in a small site variance, and both optimisers stop
  where the criteria agree to 1e-12 (e.g. 6518.160777546792 here, 6518.16077754679
  from lme4's REMLcrit) while the site variance still differs by up to 1e-5
  relative; those rows are compared to 1e-4 relative.
- GNU PSPP runs each ``.sps`` (without its SPSS-only blocks: GLM repeated
  measures and MIXED) and must reproduce what SPSS prints for the rows it
  covers: Wilcoxon |z| and p, paired t, Friedman and Kendall's W,
  Mann-Whitney |z| and p, chi-square, Cramer's V and Fisher's p, and alpha.

R and PSPP are required in CI (PEERSTUDY_REQUIRE_R=1 and
PEERSTUDY_REQUIRE_PSPP=1, see .ci/run): there these tests fail instead of
skipping when R, an R package or PSPP is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

STUDIES = {"catalonia": "config/config.yaml", "upsides_demo": "config/upsides_demo.yaml"}
KEY = ["site", "group", "instrument", "scale", "test", "factor", "contrast", "timepoint",
       "effect_name"]
NUMERIC = ["n", "statistic", "df1", "df2", "p", "p_adjusted", "effect", "ci_low", "ci_high",
           "mauchly_w", "mauchly_p", "epsilon", "z", "mean_difference", "se"]
SE_SCALED = {"statistic", "effect", "ci_low", "ci_high", "mean_difference"}
REL_KEY = ["group", "instrument", "scale", "timepoint"]
REL_NUMERIC = ["n", "k_items", "alpha", "alpha_ci_low", "alpha_ci_high", "omega"]


@pytest.fixture(scope="module", params=sorted(STUDIES))
def study(request):
    """Each example study, built once for the session (conftest.default_run, trial_run):
    its tests.csv, reliability.csv and syntax/ are read, never written."""
    sid = request.param
    fixture = "default_run" if sid == "catalonia" else "trial_run"
    return sid, request.getfixturevalue(fixture)


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame, key: list[str], numeric: list[str],
             who: str) -> None:
    for frame in (ours, theirs):
        frame[key] = frame[key].astype(str)
    assert not ours.duplicated(key).any(), "tests.csv keys are not unique"
    merged = ours.merge(theirs, on=key, how="outer", suffixes=("", "_ref"), indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, f"rows not matched by {who}:\n{unmatched[key + ['_merge']]}"
    assert len(merged) == len(ours) == len(theirs)
    problems = []
    # a mixed-model estimate near 0 is compared on the scale of its SE (1e-6 of the SE)
    se = merged["se"].astype(float).fillna(0).to_numpy() if "se" in merged else 0
    # a variance component alone is determined only to about 1e-5 (see the module docstring)
    rel = np.where(merged["test"] == "mixed_model_variance", 1e-4, 1e-6) \
        if "test" in merged else 1e-6
    for col in numeric:
        a, b = merged[col].astype(float), merged[f"{col}_ref"].astype(float)
        scale = np.maximum(np.abs(b), se) if col in SE_SCALED else np.abs(b)
        same = (np.abs(a - b) <= rel * scale + 1e-9) | (a.isna() & b.isna())
        for i in np.flatnonzero(~same):
            row = merged.iloc[i]
            problems.append(f"{'|'.join(row[key])}: {col} = {a.iloc[i]!r}, {who} {b.iloc[i]!r}")
    assert not problems, f"{len(problems)} cells differ from {who}:\n" + "\n".join(problems[:40])


def test_every_row_of_tests_csv_equals_r(study, r_or_skip, tmp_path):
    sid, where = study
    out = tmp_path / "r_tests.csv"
    proc = subprocess.run([r_or_skip, f"results/{sid}/syntax/all.R", str(out)], cwd=where,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours = pd.read_csv(where / f"results/{sid}/tests.csv", keep_default_na=False,
                       na_values=[""])
    theirs = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert len(ours) > 50
    _compare(ours, theirs, KEY, NUMERIC, "R")
    # the mixed models are among them: the trial's arm x time rows by family, its
    # sensitivity analyses (complete cases; multiple imputation: R refits and pools, with
    # mice::pool.scalar, the same imputed data sets) and the fidelity model too
    tests = set(ours["test"])
    assert "mixed_model" in tests
    if sid == "upsides_demo":
        assert {"mixed_model_interaction", "mixed_model_complete_cases",
                "mixed_model_mi"} <= tests
        assert {"primary", "secondary", "supportive", "exploratory"} <= set(ours["family"])
        # the variance components (lme4 VarCorr), the difference by site (contest1D on the
        # arm x site model) and the likelihood-ratio test of arm x site (anova of ML fits)
        assert {"mixed_model_variance", "mixed_model_by_site", "mixed_model_site_lrt"} <= tests
        assert (ours["test"] == "mixed_model_by_site").sum() == 6


def test_every_row_of_reliability_csv_equals_r(study, r_or_skip, tmp_path):
    sid, where = study
    out = tmp_path / "r_reliability.csv"
    proc = subprocess.run([r_or_skip, f"results/{sid}/syntax/reliability.R", str(out)],
                          cwd=where, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours = pd.read_csv(where / f"results/{sid}/reliability.csv")
    theirs = pd.read_csv(out)
    _compare(ours, theirs, REL_KEY, REL_NUMERIC, "R")
    # Heywood cases and n <= k are reported alike (omega NaN in both)
    assert ours["omega"].isna().any() and ours["omega"].notna().any()


# --------------------------------------------------------------------- PSPP
def strip_spss_only(text: str) -> str:
    """The syntax without its SPSS-only blocks (GLM repeated measures, MIXED)."""
    from peerstudy.syntax.spss import SPSS_ONLY_BEGIN, SPSS_ONLY_END

    pattern = re.escape(SPSS_ONLY_BEGIN) + r".*?" + re.escape(SPSS_ONLY_END) + r"\n"
    return re.sub(pattern, "", text, flags=re.S)


def pspp_blocks(csv_text: str) -> dict[str, dict[str, list[list[str]]]]:
    """PSPP's CSV output split at the ECHO markers: {marker: {table title: rows}}."""
    import csv
    import io

    blocks: dict[str, dict[str, list[list[str]]]] = {}
    current, table = None, None
    for line in csv_text.splitlines():
        if not line:
            table = None
            continue
        cells = next(csv.reader(io.StringIO(line)))
        if len(cells) == 1 and cells[0].startswith("peerstudy: "):   # an ECHO marker
            current, table = cells[0][len("peerstudy: "):], None
            blocks[current] = {}
        elif current is not None and line.startswith("Table: "):
            table = line[len("Table: "):]
            blocks[current].setdefault(table, [])
        elif current is not None and table is not None:
            blocks[current][table].append(cells)
    return blocks


def _cell(rows: list[list[str]], label: str, column: int = 1) -> float:
    for row in rows:
        if row and row[0] == label:
            return float(row[column])
    raise KeyError(label)


def _pspp_values(marker: str, tables: dict) -> dict[str, float]:
    """The numbers PSPP printed for one marker, named as tests.csv's columns."""
    kind = marker.split("|")[0]
    if kind == "wilcoxon":
        stats = tables["Test Statistics"]
        return {"abs_z": abs(_cell(stats, "Z")), "p": _cell(stats, "Asymp. Sig. (2-tailed)")}
    if kind == "paired_t":
        row = next(r for r in tables["Paired Samples Test"] if r[0] == "Pair 1")
        return {"statistic": float(row[7]), "df1": float(row[8]), "p": float(row[9])}
    if kind == "friedman":  # the Friedman and the Kendall tables share a title
        stats = tables["Test Statistics"]
        return {"statistic": _cell(stats, "Chi-Square"), "df1": _cell(stats, "df"),
                "p": _cell(stats, "Asymp. Sig."), "effect": _cell(stats, "Kendall's W")}
    if kind == "mann_whitney":
        header, row = tables["Test Statistics"][0], tables["Test Statistics"][1]
        values = dict(zip(header[1:], map(float, row[1:]), strict=True))
        return {"u_min": values["Mann-Whitney U"], "abs_z": abs(values["Z"]),
                "p": values["Asymp. Sig. (2-tailed)"]}
    if kind == "chi_square":
        tests = tables["Chi-Square Tests"]
        out = {"statistic": _cell(tests, "Pearson Chi-Square"),
               "df1": _cell(tests, "Pearson Chi-Square", 2),
               "p": _cell(tests, "Pearson Chi-Square", 3)}
        out["effect"] = next(float(r[2]) for r in tables["Symmetric Measures"]
                             if len(r) > 2 and r[1] == "Cramer's V")
        fisher = [r for r in tests if r[0] == "Fisher's Exact Test"]
        if fisher:
            out["fisher_p"] = float(fisher[0][4])
        return out
    if kind == "reliability":
        return {"alpha": float(tables["Reliability Statistics"][1][0])}
    raise KeyError(kind)


def _run_pspp(where, path, tmp_path) -> tuple[dict, str]:
    runnable = tmp_path / path.name
    runnable.write_text(strip_spss_only(path.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / (path.stem + ".csv")
    proc = subprocess.run([shutil.which("pspp"), "-O", "format=csv", "-o", str(out),
                           str(runnable)], cwd=where,
                          capture_output=True, text=True, timeout=600)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    errors = [line for line in text.splitlines() if ": error:" in line]
    assert proc.returncode == 0 and not errors, (path.name, errors[:5], proc.stderr[-1000:])
    return pspp_blocks(text), text


@pytest.fixture(scope="session")
def pspp_or_skip() -> str:
    """GNU PSPP; skipped where absent, but a failure when PEERSTUDY_REQUIRE_PSPP=1 (CI)."""
    import os

    found = shutil.which("pspp")
    if not found:
        if os.environ.get("PEERSTUDY_REQUIRE_PSPP") == "1":
            pytest.fail("PEERSTUDY_REQUIRE_PSPP=1 but GNU PSPP is not installed (see .ci/run)")
        pytest.skip("GNU PSPP is not installed (Debian: apt-get install pspp)")
    return found


def test_pspp_runs_the_spss_syntax_and_reproduces_its_rows(study, tmp_path, pspp_or_skip):
    sid, where = study
    tests = pd.read_csv(where / f"results/{sid}/tests.csv", keep_default_na=False,
                        na_values=[""])
    rel = pd.read_csv(where / f"results/{sid}/reliability.csv")
    checked = set()
    for path in sorted((where / f"results/{sid}/syntax").glob("*.sps")):
        blocks, _ = _run_pspp(where, path, tmp_path)
        for marker, tables in blocks.items():
            kind, group, instrument, scale, last = marker.split("|")
            if kind == "reliability":
                row = rel[(rel["group"] == group) & (rel["instrument"] == instrument)
                          & (rel["scale"] == scale) & (rel["timepoint"] == last)]
                if row.empty or not np.isfinite(row["alpha"].iloc[0]):
                    continue          # PSPP has nothing to compare where alpha is not defined
                got = _pspp_values(marker, tables)
                assert got["alpha"] == pytest.approx(row["alpha"].iloc[0], rel=1e-7), marker
                checked.add(("reliability", group, instrument, scale, last))
                continue
            sel = tests[(tests["group"] == group) & (tests["instrument"] == instrument)
                        & (tests["scale"] == scale) & (tests["test"] == kind)]
            if kind != "chi_square":
                sel = sel[sel["contrast"] == last]
            if sel.empty or not np.isfinite(sel["p"].iloc[0]):
                continue              # a comparison the data did not allow (no row or too few)
            row = sel.iloc[0]
            got = _pspp_values(marker, tables)
            assert got["p"] == pytest.approx(row["p"], rel=1e-7, abs=1e-11), marker
            if "abs_z" in got:
                assert got["abs_z"] == pytest.approx(abs(row["z"]), rel=1e-7), marker
            if "u_min" in got:
                n_a, n_b = map(int, row["note"].replace("n = ", "").split(" vs "))
                u = min(row["statistic"], n_a * n_b - row["statistic"])
                assert got["u_min"] == pytest.approx(u, rel=1e-9), marker
            for col in ("statistic", "df1", "effect"):
                if col in got:
                    assert got[col] == pytest.approx(row[col], rel=1e-7), (marker, col)
            if kind == "chi_square":
                fisher = tests[(tests["scale"] == scale) & (tests["test"] == "fisher_exact")]
                if not fisher.empty:
                    assert got["fisher_p"] == pytest.approx(fisher["p"].iloc[0], rel=1e-7)
            checked.add((kind, group, instrument, scale, last))
    # every row of a kind PSPP can run was checked
    runnable = tests[tests["test"].isin(["wilcoxon", "paired_t", "friedman", "mann_whitney",
                                         "chi_square"]) & tests["p"].notna()]
    expected = {(r.test, r.group, r.instrument, r.scale,
                 r.contrast if r.test != "chi_square" else r.factor)
                for r in runnable.itertuples()}
    missing = expected - checked
    assert not missing, f"{len(missing)} rows PSPP did not reproduce: {sorted(missing)[:10]}"
    rel_rows = {("reliability", r.group, r.instrument, r.scale, r.timepoint)
                for r in rel[rel["alpha"].notna()].itertuples()}
    assert not rel_rows - checked, sorted(rel_rows - checked)[:10]


# ------------------------------------------------------------------ generator
def test_every_family_has_an_r_template_and_a_plan_builder():
    from peerstudy.syntax import FAMILIES, PLANS, TEMPLATES

    for fam in FAMILIES:
        assert (TEMPLATES / "R" / f"{fam.name}.R").exists(), fam.name
        assert fam.name in PLANS
        body = (TEMPLATES / "R" / f"{fam.name}.R").read_text(encoding="utf-8")
        assert f"{fam.name}_rows <- function" in body and f"main_family({fam.name}_rows" in body


def test_r_literals():
    from peerstudy.syntax import r_literal

    assert r_literal({"a": [1, 2.5], "b": "x'\"y", "c": True, "d": None}) == (
        'list(\n  a = c(1, 2.5),\n  b = "x\'\\"y",\n  c = TRUE,\n  d = NULL\n)')
    assert r_literal([True, False]) == "c(TRUE, FALSE)"
    assert r_literal([]) == "character(0)"
    assert r_literal({"weird-name": 1}) == "list(\n  `weird-name` = 1\n)"


def test_the_scripts_follow_the_plan(default_config, registry):
    """A convention in the config reaches the script: the plan is data, not code."""
    from peerstudy.syntax import render_r

    design = {k: default_config[k] for k in ("groups", "schedule", "timepoints", "sites")}
    analysis = {**default_config["analysis"],
                "conventions": {**default_config["analysis"]["conventions"],
                                "mixed_model": {"estimation": "ML", "df": "asymptotic"}}}
    scripts = render_r("catalonia", analysis, registry, design, 0.95)
    assert set(scripts) == {"within.R", "between.R", "attrition.R", "categorical.R", "all.R",
                            "reliability.R"}
    assert 'estimation = "ML"' in scripts["within.R"] and 'df = "asymptotic"' in scripts["within.R"]
    assert "psw_over_time" in scripts["within.R"] and "@@" not in "".join(scripts.values())


def test_the_spss_syntax_reads_the_results_files_in_their_column_order():
    from peerstudy.ingest import ITEM_COLUMNS
    from peerstudy.scoring import SCORE_COLUMNS
    from peerstudy.syntax import spss

    assert spss.SCORE_COLUMNS == SCORE_COLUMNS and spss.ITEM_COLUMNS == ITEM_COLUMNS
