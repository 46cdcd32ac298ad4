"""End to end on the tiny study (.test/): outputs, no-op reruns, determinism, what reruns.

The tiny study is built once per session (conftest.first_run); tests that change
something work on a copy of that build, which keeps Snakemake's records, so a dry run
in the copy shows exactly what the change reruns.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import copy_build, digests, scratch, snakemake


def test_run_writes_the_contract_files(first_run):
    from peerstudy.contract import check_study

    checked = check_study(first_run, "tiny")  # pandera: columns, types, values
    assert len(checked) == 15
    for rel in ["results/tiny/conventions.json", "results/tiny/validation/calibration_tests.csv",
                "results/tiny/validation/report.md"]:
        assert (first_run / rel).is_file(), rel


def test_the_contract_check_names_what_breaks_it(first_run, tmp_path):
    import pandas as pd

    from peerstudy.contract import check_study
    from peerstudy.errors import DataError

    for rel in ("results/tiny/tests.csv", "results/tiny/rci.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    tests = pd.read_csv(first_run / "results/tiny/tests.csv")
    tests.loc[0, "p"] = 1.5
    tests.drop(columns=["family"]).to_csv(tmp_path / "results/tiny/tests.csv", index=False)
    rci = pd.read_csv(first_run / "results/tiny/rci.csv")
    rci.loc[0, "category"] = "better"
    rci.to_csv(tmp_path / "results/tiny/rci.csv", index=False)
    with pytest.raises(DataError) as err:
        check_study(tmp_path, "tiny")
    text = str(err.value)
    assert "results/tiny/tests.csv: the required column 'family' is missing" in text
    assert "results/tiny/tests.csv: column p: in_range(0, 1)" in text and "1.5" in text
    assert "results/tiny/rci.csv: column category: isin" in text and "'better'" in text


def test_second_run_plans_nothing(first_run):
    proc = snakemake(first_run, "--dry-run", "--quiet", "--nolock")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_the_run_ends_with_a_summary(first_run):
    """Where the paper is, validation issues by rule with out-of-range values first,
    synthetic data said, and what ran and why."""
    err = (first_run / "run.stderr").read_text(encoding="utf-8")
    summary = err[err.index("peerstudy: finished study 'tiny'"):]
    assert "SYNTHETIC DATA" in summary.splitlines()[0]
    assert "paper:      reports/tiny/manuscript.{html,docx,pdf}" in summary
    assert "supplement: reports/tiny/supplement.{html,docx,pdf}" in summary
    rules = [ln.split()[0] for ln in summary.splitlines() if ln.startswith("    ")
             and ln.split()[0].islower() and "_" in ln.split()[0] and ln.split()[1].isdigit()]
    assert rules[0] == "out_of_range"
    assert "ran 13 job(s), by reason:" in summary
    assert "    output missing: " in summary


@pytest.fixture(scope="module")
def rerun_at_one_core(tmp_path_factory):
    """A fresh run at --cores 1, killed (SIGKILL to the whole run) when the statistics
    job starts, leaving a partial file as a real crash could, then rerun plainly."""
    where = scratch(tmp_path_factory.mktemp("rerun"))
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", ".test/config.yaml"]
    env = {**os.environ, "PEERSTUDY_KILL_AT": "statistics"}
    killed = subprocess.run(cmd, cwd=where, env=env, capture_output=True, start_new_session=True)
    debris = [p.name for p in (where / "results/tiny").rglob("*.csv")
              if p.read_bytes() == b"partial"]
    # after a hard kill Snakemake keeps its lock (it cannot tell a kill from a concurrent run)
    unlocked = snakemake(where, "--unlock").returncode
    rerun = subprocess.run(cmd, cwd=where, capture_output=True, text=True)
    return {"where": where, "killed": killed.returncode, "debris": debris,
            "unlocked": unlocked, "rerun": rerun}


def test_a_run_killed_mid_way_then_rerun_gives_the_same_bytes(first_run, rerun_at_one_core):
    run = rerun_at_one_core
    assert run["killed"] != 0
    assert len(run["debris"]) == 1  # the crash left a partial output of the statistics job
    assert run["unlocked"] == 0
    assert run["rerun"].returncode == 0, run["rerun"].stderr[-3000:]  # the profile reruns it
    a, b = digests(first_run), digests(run["where"])
    assert [k for k in a if a[k] != b.get(k)] == []


def test_a_fresh_run_at_one_core_is_byte_identical_to_one_at_two(first_run, rerun_at_one_core):
    a, b = digests(first_run), digests(rerun_at_one_core["where"])
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def planned_rules(where: Path, *args: str) -> set[str]:
    proc = snakemake(where, "--dry-run", "--quiet", "rules", *args)
    lines = (proc.stdout + proc.stderr).splitlines()
    return {ln.split()[0] for ln in lines if ln.strip() and ln.split()[-1].isdigit()
            and ln.split()[0] not in ("total", "Job", "job")}


def test_editing_an_instrument_reruns_scoring_but_not_ingestion(first_run, tmp_path):
    where = copy_build(first_run, tmp_path / "copy")
    path = where / "config/instruments/swls.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    planned = planned_rules(where)
    assert {"score", "statistics"} <= planned
    assert "ingest" not in planned


def test_a_convention_change_reruns_statistics_only_and_shows_in_tests_csv(first_run,
                                                                          tmp_path):
    import pandas as pd

    where = copy_build(first_run, tmp_path / "copy")
    cfg = where / ".test/config.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("wilcoxon: {method: asymptotic", "wilcoxon: {method: exact"),
                   encoding="utf-8")
    # statistics, the R/SPSS syntax that reproduces them, and what quotes them (the joint
    # display's checks, shown in the validation report; the manuscript and supplement)
    # rerun; nothing upstream
    assert planned_rules(where) == {"statistics", "conventions", "meta_inferences",
                                    "joint_display", "validation_report", "syntax",
                                    "report_inputs", "manuscript", "supplement", "all"}
    before = pd.read_csv(where / "results/tiny/tests.csv")
    text_before = (where / "reports/tiny/_variables.yml").read_text(encoding="utf-8")
    proc = snakemake(where)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert any("settings in the config changed" in ln and "statistics" in ln
               for ln in proc.stderr.splitlines())
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
    message = ".test/data/raw/tiny/psw_t1.sav: cannot be read as an SPSS .sav file"
    log = (where / "logs/tiny/ingest.log").read_text(encoding="utf-8")
    assert message in log
    # the run's last words name the job, its log and the message
    end = proc.stderr[proc.stderr.index("peerstudy: the run of study 'tiny' stopped."):]
    assert "ingest failed (log: logs/tiny/ingest.log)" in end and message in end


def test_editing_library_code_reruns_exactly_the_rules_that_run_it(first_run, tmp_path):
    where = copy_build(first_run, tmp_path / "copy")
    assert planned_rules(where) == set()  # the copy is as up to date as the build
    module = where / "src/peerstudy/figures.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert planned_rules(where) == {"figures", "manuscript", "all"}
    module = where / "src/peerstudy/privacy.py"  # imported by the ingest script's closure
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert "ingest" in planned_rules(where)
