"""A study without questionnaires: config, synthetic exports, and the workflow end to end."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pandas as pd
import pytest

from peerstudy.config import has_questionnaires, load_config, read_yaml
from peerstudy.errors import ConfigError
from peerstudy.synth import synthesize

from .conftest import ROOT

TINY = ".test/implementation.yaml"


def run(where, *args):
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", *args, "--configfile", TINY]
    return subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=900)


def test_a_qualitative_only_config_needs_no_questionnaire_keys():
    config = load_config(ROOT / TINY, base=ROOT)
    assert not has_questionnaires(config)
    assert (config["raw_files"], config["schedule"], config["groups"]) == ([], {}, [])
    assert "participants_file" not in config
    assert config["qualitative"]["agreement"]["documents"] == list(
        config["qualitative"]["documents"])


@pytest.mark.parametrize("change, message", [
    ({"qualitative": None}, r"neither questionnaires \(raw_files\) nor qualitative exports"),
    ({"joint_display": {"test": "wilcoxon", "domains": []}},
     r"qualitative.joint_display .* this study has no questionnaires"),
    ({"raw_files": [{"id": "x", "path": "x.sav", "format": "sav", "group": "a", "timepoint": "T1",
                     "id_column": "id", "site": "s", "instruments": {"swls": "S{n}"}}]},
     r"missing a required key: 'registry' is a required property"),
])
def test_bad_qualitative_only_configs(change, message):
    from peerstudy.config import check_config

    config = read_yaml(ROOT / TINY)
    if change.get("qualitative", 1) is None:
        del config["qualitative"]
    elif "joint_display" in change:
        config["qualitative"]["joint_display"] = change["joint_display"]
    else:
        config.update(change)
    with pytest.raises(ConfigError, match=message):
        check_config(config, source=TINY, base=ROOT)


@pytest.mark.parametrize("path", ["config/implementation_demo.yaml", TINY])
def test_synthetic_exports_are_reproduced_byte_for_byte(tmp_path, path):
    config = load_config(ROOT / path, base=ROOT, check_paths=False)
    synthesize(config, {}, tmp_path)
    folder = ROOT / config["qualitative"]["exports"][0]["path"].rsplit("/", 1)[0]
    files = sorted(folder.iterdir())
    assert {f.name for f in files} == {"MANIFEST.json", "coded_segments_coder1.xlsx",
                                       "coded_segments_coder2.xlsx"}
    for file in files:
        rel = file.relative_to(ROOT)
        assert hashlib.sha256((tmp_path / rel).read_bytes()).digest() == \
            hashlib.sha256(file.read_bytes()).digest(), f"{rel} differs from a regeneration"


@pytest.fixture(scope="module")
def qual_run(qualitative_run):
    """The study built once for the session (conftest.qualitative_run)."""
    return qualitative_run


def test_the_dag_schedules_no_questionnaire_rule(qual_run):
    proc = run(qual_run, "--dry-run", "--quiet", "rules", "--forceall", "--nolock")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = (proc.stdout + proc.stderr).splitlines()
    planned = {ln.split()[0] for ln in lines if ln.strip() and ln.split()[-1].isdigit()
               and ln.split()[0] not in ("total", "Job", "job")}
    assert planned == {"qualitative", "conventions", "figures", "report_inputs", "manuscript",
                       "supplement", "all"}


def test_it_runs_to_its_qualitative_results(qual_run):
    res = qual_run / "results/implementation_tiny"
    cfir = pd.read_csv(res / "qualitative/cfir_matrix.csv")
    assert set(cfir["cfir_domain"]) == {"Innovation", "Outer Setting", "Inner Setting",
                                        "Individuals", "Implementation Process"}
    assert cfir["quotations"].sum() == 31  # every coded segment sits in one CFIR domain
    codes = pd.read_csv(res / "qualitative/codes.csv")
    assert "Motivation" in set(codes["code"])  # the last level of Individuals\...\Motivation
    themes = pd.read_csv(res / "qualitative/themes.csv")
    assert themes.loc[themes["source"] == "all", "theme"].tolist() == [
        "role_in_a_medical_culture", "resources_beyond_the_project", "fitting_each_setting"]
    quotes = pd.read_csv(res / "qualitative/quotations.csv")
    assert quotes["text"].str.startswith("[synthetic] ").all() and len(quotes) == 5
    agreement = pd.read_csv(res / "qualitative/agreement.csv")
    assert set(agreement["level"]) == {"document", "segment"}
    conventions = json.loads((res / "conventions.json").read_text())
    assert list(conventions) == ["qualitative"]  # no statistical convention is in force
    assert conventions["qualitative"]["agreement"]["min_overlap"] == 0.9
    assert (qual_run / "reports/implementation_tiny/figures/code_groups.png").is_file()
    assert not (qual_run / "data/processed").exists()
    # its own short report: themes with quotations, the CFIR matrix, agreement
    report = (qual_run / "reports/implementation_tiny/manuscript.html").read_text(encoding="utf-8")
    assert "Themes" in report and "CFIR domains" in report and "[synthetic]" in report
    for fmt in ("docx", "pdf"):
        assert (qual_run / f"reports/implementation_tiny/manuscript.{fmt}").stat().st_size > 0


def test_a_second_run_plans_nothing(qual_run):
    proc = run(qual_run, "--dry-run", "--quiet", "--nolock")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_the_values_account_for_every_segment_code_and_participant(qual_run):
    """The report's values: segments inside and outside the themes add up to all of them,
    the codes no theme takes are named, per-code agreement extremes match agreement.csv, and
    the participants add up to the config's declarations."""
    import yaml

    def flat(tree, prefix=""):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from flat(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", str(value)

    res = qual_run / "results/implementation_tiny/qualitative"
    values = dict(flat(yaml.safe_load(
        (qual_run / "reports/implementation_tiny/_variables.yml").read_text(encoding="utf-8"))))
    codes = pd.read_csv(res / "codes.csv")
    themes = pd.read_csv(res / "themes.csv")
    in_themes = {c.strip() for cell in themes["codes"] for c in cell.split(";")}
    left = codes[~codes["code"].isin(in_themes)]
    assert sorted(left["code"]) == ["Engaging", "Motivation"]  # the tiny themes leave these out
    assert values["qual.unthemed.codes"] == str(len(left))
    for code in left["code"]:
        assert code in values["qual.unthemed.list"]
    assert int(values["qual.themed.quotations"]) + int(values["qual.unthemed.quotations"]) \
        == int(values["qual.quotations"]) == 31
    assert int(values["qual.unthemed.quotations"]) == left["quotations"].sum()

    agreement = pd.read_csv(res / "agreement.csv")
    for level in ("document", "segment"):
        rows = agreement[(agreement["level"] == level) & (agreement["code"] != "all")]
        low = rows["kappa"].min()
        assert values[f"agreement.{level}.kappa_min"] == f"{low:.2f}".lstrip("0")
        lowest = rows.loc[rows["kappa"].round(2) == round(low, 2), "code"]
        assert all(c in values[f"agreement.{level}.kappa_min_codes"] for c in lowest)
        assert values[f"agreement.{level}.n_codes"] == str(len(rows))
        assert values[f"agreement.{level}.below_tentative"] == str(
            int((rows["krippendorff_alpha"] < 0.667).sum()))
    # at the segment level every code is compared on the same passage locations
    assert int(values["agreement.segment.n_units"].replace(",", "")) == int(
        values["agreement.segment.n_units_code"]) * len(codes)

    declared = read_yaml(ROOT / TINY)["qualitative"]["participants"]
    assert values["qual.participants.total"] == str(sum(p["n"] for p in declared.values()))
    assert values["qual.participants.organisation.a"] == "5"
    assert values["qual.format.interview.documents_words"] == "two"
    assert values["qual.source.managers.documents"] == "2"


def test_participants_must_name_each_declared_document():
    from peerstudy.report.values import _participant_values

    qual = {"documents": {"FG one": "peers", "Interview two": "staff"}, "sources": ["peers"],
            "participants": {"FG one": {"n": 5, "organisation": "A", "format": "focus group"},
                             "FG three": {"n": 4, "organisation": "A",
                                          "format": "focus group"}}}
    with pytest.raises(ValueError, match=r"not in qualitative.documents: \['FG three'\].*"
                                         r"no entry for: \['Interview two'\]"):
        list(_participant_values(qual))
