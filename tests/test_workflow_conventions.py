"""Snakemake's conventions, as the workflow catalog checks them, and the code inputs.

- every rule that runs a script has one `code` input: the digest of that script's
  import closure (peerstudy.codebase), and every peerstudy module a job really
  imported (traced in the shared builds) is inside it;
- `snakemake --lint` and `snakefmt --check` are clean;
- the per-rule conda environments are what uv.lock and the scripts' imports give;
- the catalog's files are there: config/README.md, .snakemake-workflow-catalog.yml,
  LICENSE, CITATION.cff, and the Snakefile states its minimal Snakemake version.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from peerstudy.codebase import DIGESTS, closure

from .conftest import ROOT, traced_imports

BUILDS = ["first_run", "qualitative_run", "trial_run"]
CONFIGS = {"first_run": ".test/config.yaml", "qualitative_run": ".test/implementation.yaml",
           "trial_run": "config/upsides_demo.yaml"}


@pytest.fixture(scope="module", params=BUILDS)
def build(request):
    return request.param, request.getfixturevalue(request.param)


def test_every_rule_with_a_script_has_its_code_digest_as_input(build):
    from peerstudy.dag import planned_jobs, script_of

    name, where = build
    jobs, _ = planned_jobs(where, CONFIGS[name])
    seen = set()
    for job in jobs:
        script = script_of(job)
        if script is None:
            assert job.rule.name == "all"
            continue
        code = [str(f) for f in job.input if str(f).startswith(DIGESTS)]
        assert code == [f"{DIGESTS}/{script.stem}.sha256"], job.rule.name
        assert job.input.get("code") == code[0], f"{job.rule.name}: name the input 'code'"
        listed = (where / code[0]).read_text().splitlines()[1:]
        files, _ = closure(script.relative_to(where), where)
        assert listed == [p.relative_to(where).as_posix() for p in files]
        seen.add(job.rule.name)
    assert seen  # the study has rules with scripts


def test_every_rule_with_params_takes_them_as_its_settings_file(build):
    """A config change reruns a job through its settings file (Snakemake's params check
    is off in the default profile): the file must hold exactly the job's params."""
    import json

    from peerstudy.codebase import SETTINGS, _plain
    from peerstudy.dag import planned_jobs

    name, where = build
    jobs, _ = planned_jobs(where, CONFIGS[name])
    profile = yaml.safe_load((where / "workflow/profiles/default/config.yaml").read_text())
    assert "params" not in profile["rerun-triggers"]
    checked = 0
    for job in jobs:
        params = dict(job.params.items())
        if not params:
            continue
        settings = job.input.get("settings")
        assert settings and str(settings).startswith(SETTINGS), job.rule.name
        assert str(settings).endswith(f"/{job.rule.name}.json")
        assert json.loads((where / str(settings)).read_text()) == _plain(params), job.rule.name
        checked += 1
    assert checked


def test_each_job_imported_only_modules_of_its_code_input(build):
    """The closure is read from the source text; the trace is what really ran."""
    from peerstudy.dag import planned_jobs, script_of

    name, where = build
    jobs, _ = planned_jobs(where, CONFIGS[name])
    scripts = {job.rule.name: script_of(job) for job in jobs if script_of(job)}
    traced = traced_imports(where)
    assert {t["rule"] for t in traced} == set(scripts)  # every job of the build was traced
    for entry in traced:
        files, _ = closure(scripts[entry["rule"]].relative_to(where), where)
        covered = {p.relative_to(where / "src").with_suffix("").as_posix().replace("/", ".")
                   .removesuffix(".__init__") for p in files if p.suffix == ".py"}
        missing = sorted(set(entry["modules"]) - covered)
        assert missing == [], f"rule {entry['rule']} imported {missing} outside its closure"
        # the package's data files it read (or passed to pandoc) are in its closure too
        data = {p.relative_to(where / "src/peerstudy").as_posix() for p in files
                if p.suffix != ".py"}
        unread = sorted(set(entry["data"]) - data)
        assert unread == [], f"rule {entry['rule']} read {unread} outside its closure"


def test_package_data_belongs_to_the_modules_that_name_it():
    """A rule depends on the Quarto layouts, the R templates or the checklists only when
    a module it runs names them: the figures use the report package's number formats
    and must not rerun when the PDF layout changes."""
    def data(script):
        files, _ = closure(f"scripts/{script}.py")
        return {p.relative_to(ROOT / "src/peerstudy").parts[:2] for p in files
                if p.suffix != ".py"}

    assert data("figures") == set()
    assert ("report", "quarto") in data("manuscript")
    assert ("syntax", "R") in data("syntax")
    assert data("report_inputs") == {("report", "checklists")}
    assert data("power") == set()  # its HTML report is written by pandoc without them
    assert data("statistics") == set()


def test_the_ingest_rule_tracks_the_privacy_guard():
    files, _ = closure("scripts/ingest.py")
    assert ROOT / "src/peerstudy/privacy.py" in files


def test_snakemake_lint_is_clean():
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert "Congratulations, your workflow is in a good condition!" in out, out[-3000:]


def test_snakefmt_finds_nothing_to_change():
    proc = subprocess.run([sys.executable, "-m", "snakefmt", "--check", "workflow"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_conda_environments_agree_with_uv_lock_and_the_imports():
    from peerstudy.envs import ENVS, expected_files

    expected = expected_files()
    committed = {f"{ENVS}/{p.name}": p.read_text(encoding="utf-8")
                 for p in (ROOT / ENVS).iterdir()}
    stale = sorted(k for k in expected if committed.get(k) != expected[k])
    extra = sorted(set(committed) - set(expected))
    assert (stale, extra) == ([], []), "run `uv run peerstudy envs` and commit workflow/envs/"
    for name, text in expected.items():
        if name.endswith(".yaml"):
            env = yaml.safe_load(text)
            assert env["dependencies"][:2] == ["python=3.11", "pip"]
            pins = env["dependencies"][2]["pip"]
            assert pins and all("==" in p for p in pins)


def test_the_workflow_catalog_files():
    catalog = yaml.safe_load((ROOT / ".snakemake-workflow-catalog.yml").read_text())
    assert catalog["usage"]["mandatory-flags"]["flags"]
    assert catalog["usage"]["software-stack-deployment"]["conda"] is True
    assert (ROOT / "config/README.md").read_text().startswith("# ")
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["title"] and cff["authors"]
    assert 'min_version("' in (ROOT / "workflow/Snakefile").read_text()


def test_the_default_profile_keeps_the_log_readable():
    profile = yaml.safe_load((ROOT / "workflow/profiles/default/config.yaml").read_text())
    assert profile["show-failed-logs"] is True
    assert Path(ROOT / "workflow/profiles/default/config.yaml").exists()


def test_every_built_study_follows_the_results_contract(build):
    from peerstudy.contract import check_study

    name, where = build
    study = {"first_run": "tiny", "qualitative_run": "implementation_tiny",
             "trial_run": "upsides_demo"}[name]
    assert check_study(where, study)
