"""End to end on the tiny study (.test/): outputs, no-op reruns, determinism.

Runs Snakemake in a scratch copy of the repository so the working tree is
untouched; each run takes a few seconds.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import digests, scratch, snakemake


def test_run_writes_the_contract_files(first_run):
    for rel in ["data/processed/tiny/items.csv", "data/processed/tiny/participants.csv",
                "results/tiny/scores.csv", "results/tiny/reliability.csv",
                "results/tiny/tests.csv", "results/tiny/descriptives.csv",
                "results/tiny/conventions.json", "results/tiny/rci.csv",
                "results/tiny/validation/calibration_tests.csv",
                "results/tiny/validation/issues.csv", "results/tiny/validation/report.md",
                "results/tiny/validation/calibration.csv"]:
        assert (first_run / rel).is_file(), rel


def test_second_run_plans_nothing(first_run):
    proc = snakemake(first_run, "--dry-run", "--quiet")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_clean_rerun_is_byte_identical(first_run, tmp_path):
    where = scratch(tmp_path)
    proc = snakemake(where, "--cores", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    a, b = digests(first_run), digests(where)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_editing_an_instrument_reruns_scoring_but_not_ingestion(first_run):
    path = first_run / "config/instruments/swls.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    planned = planned_rules(first_run)
    assert {"score", "reliability", "tests"} <= planned
    assert "ingest" not in planned


def planned_rules(where: Path, *args: str) -> set[str]:
    proc = snakemake(where, "--dry-run", "--quiet", "rules", *args)
    lines = (proc.stdout + proc.stderr).splitlines()
    return {ln.split()[0] for ln in lines if ln.strip() and ln.split()[-1].isdigit()
            and ln.split()[0] not in ("total", "Job", "job")}


def test_a_convention_change_reruns_statistics_only_and_shows_in_tests_csv(tmp_path):
    import pandas as pd

    where = scratch(tmp_path)
    assert snakemake(where).returncode == 0
    cfg = where / ".test/config.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("wilcoxon: {method: asymptotic", "wilcoxon: {method: exact"),
                   encoding="utf-8")
    # statistics, the R/SPSS syntax that reproduces them, and what quotes them (the joint
    # display's checks, shown in the validation report; the manuscript and supplement)
    # rerun; nothing upstream
    assert planned_rules(where) == {"tests", "conventions", "calibration_tests", "meta_inferences",
                                    "joint_display", "validation_report", "syntax",
                                    "report_inputs", "manuscript", "supplement", "all"}
    before = pd.read_csv(where / "results/tiny/tests.csv")
    text_before = (where / "reports/tiny/_variables.yml").read_text(encoding="utf-8")
    assert snakemake(where).returncode == 0
    after = pd.read_csv(where / "results/tiny/tests.csv")
    assert set(before.loc[before["test"] == "wilcoxon", "method"]) == {"asymptotic"}
    assert set(after.loc[after["test"] == "wilcoxon", "method"]) == {"exact"}
    text_after = (where / "reports/tiny/_variables.yml").read_text(encoding="utf-8")
    assert "method: asymptotic (normal approximation)" in text_before
    assert "method: exact" in text_after  # the manuscript's Methods follow the config
    assert text_before != text_after


def test_a_bad_export_fails_the_rule_with_the_message(tmp_path):
    where = scratch(tmp_path)
    (where / ".test/data/raw/tiny/psw_t1.sav").write_bytes(b"not an spss file")
    proc = snakemake(where)
    assert proc.returncode != 0
    log = (where / "logs/tiny/ingest.log").read_text(encoding="utf-8")
    assert ".test/data/raw/tiny/psw_t1.sav: cannot be read as an SPSS .sav file" in log


def test_a_run_killed_mid_way_then_rerun_gives_the_same_bytes(first_run, tmp_path):
    import os
    import subprocess
    import sys

    where = scratch(tmp_path)
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", ".test/config.yaml"]
    env = {**os.environ, "PEERSTUDY_KILL_AT": "tests"}
    killed = subprocess.run(cmd, cwd=where, env=env, capture_output=True, start_new_session=True)
    assert killed.returncode != 0
    assert (where / "results/tiny/tests.csv").read_text() == "partial"  # the crash left debris
    # after a hard kill Snakemake keeps its lock (it cannot tell a kill from a concurrent run)
    assert snakemake(where, "--unlock").returncode == 0
    assert snakemake(where).returncode == 0  # plain rerun: the default profile reruns incomplete
    a, b = digests(first_run), digests(where)
    assert [k for k in a if a[k] != b.get(k)] == []


def test_editing_library_code_reruns_exactly_the_rules_that_run_it(tmp_path):
    where = scratch(tmp_path)
    assert snakemake(where).returncode == 0
    assert planned_rules(where) == set()  # a dry run right after a full run plans nothing
    module = where / "src/peerstudy/figures.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    figures = {"fig_flow", "fig_trajectories", "fig_pre_post", "fig_copm", "fig_code_groups"}
    assert planned_rules(where) == figures | {"manuscript", "all"}
