"""A new site's study end to end (tests/data/newsite/): wide SPSS files written by
GNU PSPP with declared missing ranges, a long Spanish-locale CSV with a byte-order
mark and CRLF, no roster file, no drop-out column, and the SWLS on two forms. It
runs to the rendered manuscript with no config workaround, and every drop-out is
marked as not attending."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pandas as pd
import pytest

from peerstudy.config import check_config, read_yaml
from peerstudy.paths import copy_workflow

from .conftest import ROOT

CONFIG = "tests/data/newsite/config.yaml"
# make_newsite.py: who left, and from which visit on
DROPOUTS = {("GI-004", "T2"), ("GI-004", "T3"), ("GI-007", "T3"), ("GI-009", "T2"),
            ("GI-009", "T3"), ("GU-002", "T3"), ("GU-006", "T3"), ("GU-010", "T3"),
            ("LL-03", "T3"), ("LL-07", "T3"), ("LL-11", "T3"), ("LL-12", "T3")}


@pytest.fixture(scope="module")
def newsite(tmp_path_factory):
    where = copy_workflow(tmp_path_factory.mktemp("newsite"), ("tests/data/newsite",))
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", CONFIG]
    proc = subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return where


def test_runs_to_the_rendered_manuscript(newsite):
    assert (newsite / "reports/newsite/manuscript.html").stat().st_size > 0
    assert (newsite / "reports/newsite/figures/flow.png").stat().st_size > 0


def test_every_drop_out_is_not_attending(newsite):
    p = pd.read_csv(newsite / "data/processed/newsite/participants.csv", dtype=str)
    assert len(p) == 10 + 12 + 14 and "dropout_reason" not in p
    absent = {(r.participant_id, tp) for r in p.itertuples() for tp in ("T1", "T2", "T3")
              if getattr(r, f"attended_{tp}") == "False"}
    assert absent == DROPOUTS
    items = pd.read_csv(newsite / "data/processed/newsite/items.csv", dtype=str)
    seen = set(zip(items["participant_id"], items["timepoint"], strict=True))
    assert not seen & DROPOUTS
    issues = pd.read_csv(newsite / "results/newsite/validation/issues.csv", dtype=str)
    logged = issues[issues["rule"] == "not_attended"]
    assert set(zip(logged["participant_id"], logged["timepoint"], strict=True)) == DROPOUTS
    in_wide = logged[logged["file"].str.endswith(".sav")]
    assert in_wide["row"].notna().all()  # an empty block is named by file and row


def test_rows_add_up_and_declared_missing_values_are_logged(newsite):
    report = (newsite / "results/newsite/validation/report.md").read_text(encoding="utf-8")
    assert "for every file: **yes**" in report
    assert "| tests/data/newsite/raw/lleida_users.csv | 27 | 24 | 3 |" in report
    for declaration in ("LO THRU -1, 9", "88 THRU 99, -1", "LO THRU -1, 99"):
        assert f"declared missing in the file: {declaration})" in report


def test_the_seven_point_form_is_rescaled_and_stated(newsite):
    scores = pd.read_csv(newsite / "results/newsite/scores.csv", dtype={"participant_id": str})
    swls = scores[(scores["instrument"] == "swls") & (scores["scale"] == "total")]
    assert set(swls.loc[swls["group"] == "psw", "form"]) == {"es_7"}
    assert swls["score"].dropna().between(5, 25).all()
    conv = json.loads((newsite / "results/newsite/conventions.json").read_text())
    forms = conv["ingestion"]["instrument_forms"]["swls"]
    assert forms["rescaling"]["forms_rescaled"] == ["es_7"]
    assert "rescaled linearly to the range of form es_5" in forms["rescaling"]["statement"]
    table = pd.read_csv(newsite / "results/newsite/instrument_forms.csv")
    psw = table[(table["file_id"] == "girona_psw") & (table["instrument"] == "swls")].iloc[0]
    assert (psw["form"], psw["language"], psw["response_max"], psw["sites"], psw["groups"],
            psw["timepoints"], psw["rescaled"]) == ("es_7", "es", 7, "girona", "psw",
                                                     "T1;T2;T3", True)


def test_timepoint_months_are_optional():
    config = copy.deepcopy(read_yaml(ROOT / CONFIG))
    for tp in config["timepoints"]:
        tp.pop("months")
    checked = check_config(config, base=ROOT)
    from peerstudy import figures
    from peerstudy.config import load_study_registry
    from peerstudy.ingest import ingest
    from peerstudy.instruments import form_ranges

    result = ingest(checked, form_ranges(load_study_registry(checked, ROOT)), ROOT)
    fig = figures.flow(result.participants, checked["groups"], checked["timepoints"], False)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("T2: n = 8") for t in texts)  # no "(months)" when none is given
    assert any("reason not recorded: 2" in t for t in texts)  # no drop-out column
