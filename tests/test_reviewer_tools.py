"""A new site's scaffold and the reviewer's diff of two runs."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from peerstudy.config import load_config
from peerstudy.diff import diff_dirs
from peerstudy.errors import ConfigError
from peerstudy.scaffold import new_study

from .conftest import ROOT


def test_new_study_scaffold_is_a_valid_config_for_real_data(tmp_path):
    shutil.copytree(ROOT / "config/instruments", tmp_path / "config/instruments")
    path = new_study("hospital_b", ROOT / "config/config.yaml", tmp_path)
    config = load_config(path, base=tmp_path, check_paths=False)
    assert config["study"]["id"] == "hospital_b"
    assert config["study"]["synthetic"] is False
    assert "synthetic" not in config and "published" not in config
    paths = [config["participants_file"]["path"]] + [f["path"] for f in config["raw_files"]]
    assert all(p.startswith("data/raw/hospital_b/") for p in paths)
    assert (tmp_path / "data/raw/hospital_b").is_dir()
    assert config["reporting"]["manuscript"] == "manuscripts/hospital_b"
    qmd = (tmp_path / "manuscripts/hospital_b/manuscript.qmd").read_text(encoding="utf-8")
    for heading in ("# Introduction", "# Methods", "# Results", "# Discussion", "# References"):
        assert heading in qmd
    assert "{{< var n.total >}}" in qmd
    # without the exports in place, the full check names the missing file and the folder
    with pytest.raises(ConfigError, match=r"data/raw/hospital_b/sociodemograficos.sav' not found"):
        load_config(path, base=tmp_path)
    with pytest.raises(ConfigError, match=r"exists already"):
        new_study("hospital_b", ROOT / "config/config.yaml", tmp_path)


def test_new_study_refuses_an_id_that_cannot_be_a_folder(tmp_path):
    with pytest.raises(ConfigError, match=r"study id 'Hospital B'"):
        new_study("Hospital B", ROOT / "config/config.yaml", tmp_path)


def test_diff_lists_changed_cells_by_row_key(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    rows = {"site": ["all", "all"], "group": ["psw", "psw"], "instrument": ["ssq", "swls"],
            "scale": ["total", "total"], "test": ["wilcoxon"] * 2, "factor": ["timepoint"] * 2,
            "contrast": ["T1-T2"] * 2, "timepoint": [None, None],
            "effect_name": ["rank_biserial"] * 2, "method": ["asymptotic"] * 2, "p": [0.5, 0.04]}
    pd.DataFrame(rows).to_csv(a / "tests.csv", index=False)
    changed = dict(rows, method=["exact", "asymptotic"], p=[0.52, 0.04])
    pd.DataFrame(changed).to_csv(b / "tests.csv", index=False)
    (a / "same.json").write_text('{"x": 1}')
    (b / "same.json").write_text('{"x": 1}')
    lines = diff_dirs(a, b)
    assert lines[0] == "tests.csv: 1 row(s) differ"
    assert "ssq" in lines[1] and "method: asymptotic -> exact" in lines[1]
    assert "p: 0.5 -> 0.52" in lines[1]
    assert diff_dirs(a, a) == []


def test_snakemake_report_shows_the_figures_with_captions(first_run, tmp_path):
    from .conftest import snakemake

    proc = snakemake(first_run, "--report", str(tmp_path / "report.html"), "--nolock")
    assert proc.returncode == 0, proc.stderr[-2000:]
    html = (tmp_path / "report.html").read_text(encoding="utf-8", errors="replace")
    assert "Participant flow: enrolment per group" in html
    assert "trajectories.png" in html
