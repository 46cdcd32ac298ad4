"""`peerstudy verify`: the run record, and a rerun that catches tampering.

Built on the tiny study run once per session (``first_run``); each test works
on its own copy of that run. One end-to-end verification reruns the workflow
(``verified``); the tests that edit a results cell, a value or a table cell
compare their copy with that same rerun (``verify(rerun=...)``), since the
sources and config are the same.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from peerstudy.diff import compare_tables, diff_table
from peerstudy.record import combined_digest
from peerstudy.verify import verify

from .conftest import ROOT

CONFIG = ".test/config.yaml"


def copy_run(first_run: Path, where: Path) -> Path:
    """A private copy of the built tiny study (sources, raw data and outputs)."""
    shutil.copytree(first_run, where, symlinks=True,
                    ignore=shutil.ignore_patterns(".snakemake"))
    return where


def cli(where: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "peerstudy.cli", "verify", "--configfile", CONFIG, *args]
    return subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=900)


def line_of(output: str, check: str) -> str:
    """The table line of one check."""
    return next(line for line in output.splitlines()
                if check in line and line.split(" ", 1)[0] in ("ok", "FAIL", "skip"))


@pytest.fixture(scope="module")
def verified(first_run, tmp_path_factory):
    """The untouched tiny study verified end to end (one rerun), the rerun kept."""
    tree = copy_run(first_run, tmp_path_factory.mktemp("verify") / "tree")
    proc = cli(tree, "--keep", "--cores", "2")
    kept = re.search(r"the rerun is kept in (\S+);", proc.stdout)
    yield proc, Path(kept.group(1)) if kept else None
    if kept:
        shutil.rmtree(kept.group(1), ignore_errors=True)


def test_run_record_lists_every_input_and_gives_the_digests_the_manuscript_quotes(first_run):
    from peerstudy.config import load_config

    record = json.loads((first_run / "reports/tiny/run.json").read_text(encoding="utf-8"))
    config = load_config(first_run / CONFIG, base=first_run)
    qual = config["qualitative"]
    exports = ([config["participants_file"]["path"]] + [f["path"] for f in config["raw_files"]]
               + [e["path"] for e in qual["exports"]]
               + [c["path"] for c in qual["agreement"]["coders"]])
    assert sorted(record["inputs"]["data"]) == sorted(set(exports))
    assert list(record["inputs"]["config"]) == [CONFIG]
    assert qual["themes"] in record["inputs"]["study_files"]
    assert "config/instruments/swls.yaml" in record["inputs"]["study_files"]
    for group in record["inputs"].values():
        for path, digest in group.items():
            assert hashlib.sha256((first_run / path).read_bytes()).hexdigest() == digest
    assert record["configfiles"] == [CONFIG] and record["config_overrides"] == []
    assert record["command"] == f"uv run snakemake --configfile {CONFIG}"
    lock = (first_run / "uv.lock").read_text(encoding="utf-8")
    assert f'name = "pandas"\nversion = "{record["versions"]["pandas"]}"' in lock
    # the combined digest is what coreutils print: sha256sum FILE... | sha256sum
    listing = "".join(f"{hashlib.sha256((first_run / p).read_bytes()).hexdigest()}  {p}\n"
                      for p in sorted(record["inputs"]["data"]))
    data_sha = hashlib.sha256(listing.encode()).hexdigest()
    assert record["digests"]["data_sha256"] == data_sha == combined_digest(
        record["inputs"]["data"])
    if shutil.which("sha256sum"):
        files = subprocess.run(["sha256sum", *sorted(record["inputs"]["data"])], cwd=first_run,
                               capture_output=True, check=True).stdout
        assert hashlib.sha256(files).hexdigest() == data_sha
    variables = yaml.safe_load((first_run / "reports/tiny/_variables.yml").read_text())
    assert variables["repro"]["data_sha256"] == f"`{data_sha[:16]}`"
    assert variables["repro"]["config_sha256"] == (
        f"`{record['digests']['config_sha256'][:16]}`")
    prov = pd.read_csv(first_run / "reports/tiny/provenance.csv").set_index("variable")
    assert prov.loc["repro.data_sha256", "file"] == "reports/tiny/run.json"
    assert prov.loc["repro.data_sha256", "value"] == f"`{data_sha[:16]}`"


def test_verify_passes_on_an_untouched_run(verified):
    proc, kept = verified
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "PASS" in proc.stdout and kept is not None
    table = proc.stdout.split("\n\n")[1].splitlines()
    assert len(table) == 13  # the header and twelve checks
    assert all(line.startswith("ok ") for line in table[1:]), proc.stdout
    for check, least in [("raw data", 10), ("data/processed/tiny/**", 10_000),
                         ("results/tiny/**", 10_000), ("reported values", 1_000),
                         ("table cells", 1_000), ("reports/tiny/** other files", 20)]:
        numbers = re.findall(r"([\d,]+) (?:files|cells|keys)", line_of(proc.stdout, check))
        assert int(numbers[-1].replace(",", "")) >= least, line_of(proc.stdout, check)


def test_verify_fails_naming_the_export_when_one_byte_of_it_changed(first_run, tmp_path):
    tree = copy_run(first_run, tmp_path / "tree")
    export = tree / ".test/data/raw/tiny/psw_t2.sav"
    data = bytearray(export.read_bytes())
    data[len(data) // 2] ^= 0x01
    export.write_bytes(bytes(data))
    proc = cli(tree)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = line_of(proc.stdout, "raw data")
    assert failed.startswith("FAIL") and ".test/data/raw/tiny/psw_t2.sav: SHA-256" in failed
    assert re.search(r"raw data.*\b10 files\s+1\b", failed)
    assert line_of(proc.stdout, "config file(s)").startswith("ok")
    assert line_of(proc.stdout, "rerun in a clean copy").startswith("skip")
    assert "Traceback" not in proc.stderr


def test_verify_fails_naming_file_row_and_column_of_an_edited_results_cell(
        first_run, verified, tmp_path):
    tree = copy_run(first_run, tmp_path / "tree")
    path = tree / "results/tiny/tests.csv"
    tests = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = tests.index[(tests["group"] == "psw") & (tests["instrument"] == "swls")
                      & (tests["test"] == "wilcoxon") & (tests["contrast"] == "T1-T3")
                      & (tests["effect_name"] == "rank_biserial")][0]
    original = tests.loc[row, "p"]
    edited = str(float(original) + 1e-12)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = next(csv.reader([lines[row + 1]]))
    assert cells[list(tests.columns).index("p")] == original != edited
    assert cells.index(original) == list(tests.columns).index("p")  # the first such cell
    lines[row + 1] = lines[row + 1].replace(original, edited, 1)
    path.write_text("".join(lines), encoding="utf-8")

    result = verify(tree, CONFIG, rerun=verified[1])
    assert not result.passed
    failed = [c for c in result.checks if c.status != "ok"]
    assert [c.what for c in failed] == ["results/tiny/**: every cell"]
    assert failed[0].differ == 1
    assert failed[0].first == (
        "results/tiny/tests.csv, row site=all, group=psw, instrument=swls, scale=total, "
        "test=wilcoxon, factor=timepoint, contrast=T1-T3, timepoint=, "
        "effect_name=rank_biserial, comparison=psw_over_time, "
        f"column p: '{edited}' (working tree) vs '{original}' (rerun)")
    # --tolerance: a difference of 1e-12 is within 1e-9
    assert verify(tree, CONFIG, rerun=verified[1], tolerance=1e-9).passed


def test_verify_fails_naming_the_key_of_an_edited_value_and_the_cell_of_an_edited_table(
        first_run, verified, tmp_path):
    tree = copy_run(first_run, tmp_path / "tree")
    path = tree / "reports/tiny/_variables.yml"
    variables = yaml.safe_load(path.read_text(encoding="utf-8"))
    original = variables["within"]["psw"]["swls"]["total"]["T1_T3"]["p"]
    variables["within"]["psw"]["swls"]["total"]["T1_T3"]["p"] = original.replace(".", ".0", 1)
    path.write_text(yaml.safe_dump(variables, allow_unicode=True, sort_keys=True,
                                   width=10_000), encoding="utf-8")
    table = tree / "reports/tiny/tables/within_psw_over_time.md"
    text = table.read_text(encoding="utf-8")
    ssq = next(line for line in text.splitlines() if line.startswith("| SSQ | T1–T2 |"))
    cells = ssq.split(" | ")
    cells[2] = str(int(cells[2]) + 1)  # the n column
    table.write_text(text.replace(ssq, " | ".join(cells)), encoding="utf-8")

    result = verify(tree, CONFIG, rerun=verified[1])
    failed = {c.what: c for c in result.checks if c.status != "ok"}
    assert sorted(failed) == ["reported values (reports/tiny/_variables.yml)",
                              "table cells (reports/tiny/tables/*.md)"]
    values = failed["reported values (reports/tiny/_variables.yml)"]
    assert values.differ == 1 and values.first.startswith(
        "reports/tiny/_variables.yml, key within.psw.swls.total.T1_T3.p: ")
    assert repr(original) in values.first
    cells_check = failed["table cells (reports/tiny/tables/*.md)"]
    assert cells_check.differ == 1 and cells_check.first == (
        "reports/tiny/tables/within_psw_over_time.md, row SSQ / T1–T2, column *n*: "
        f"'{cells[2]}' (working tree) vs '{int(cells[2]) - 1}' (rerun)")


def test_verify_says_what_to_run_when_the_study_was_never_built(tmp_path):
    from peerstudy.paths import copy_workflow

    tree = copy_workflow(tmp_path / "tree")
    proc = cli(tree)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "the study 'tiny' has not been run yet (no reports/tiny/run.json)" in proc.stderr
    assert f"run `uv run snakemake --cores 4 --configfile {CONFIG}` first" in proc.stderr


def test_compare_tables_matches_repeated_keys_in_order_and_honours_the_tolerance(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("theme,value,note\nhope,1.0,x\nhope,2.0,y\ntrust,3.0,\n", encoding="utf-8")
    b.write_text("theme,value,note\nhope,1.0,x\nhope,2.000001,y\ntrust,3.0,NA\n",
                 encoding="utf-8")
    found = compare_tables(a, b)
    assert found.keys == ["theme"] and found.cells == 9
    assert found.changed == [((("theme", "hope"), ("#", 2)), "value", "2.0", "2.000001"),
                             ((("theme", "trust"),), "note", "", "NA")]
    assert [c[1] for c in compare_tables(a, b, tol=1e-5).changed] == ["note"]
    assert diff_table(a, b)[0] == "  ~ hope | #2: value: 2.0 -> 2.000001"
    assert compare_tables(a, a).differences == 0


def test_readme_reviewer_section_leads_with_verify():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For reviewers: rerun, trace, vary", 1)[1].split("\n## ", 1)[0]
    first = section.strip().split("\n\n", 1)[0]
    assert "peerstudy verify" in first
    assert "PASS" in section and "FAIL" in section
