"""The jobs of a cold run, from Snakemake's own API (for the benchmarks and the tests).

Snakemake builds the DAG as ``snakemake --forceall`` would plan it, without running
anything; each job comes with its rule, script, inputs, outputs and params. This
uses Snakemake's Python API below its public surface (the workflow's ``dag``), which
the pin in pyproject.toml (snakemake 9.27) keeps stable; the floor benchmark and
``tests/test_workflow_conventions.py`` exercise it on every test run.
"""

from __future__ import annotations

import os
from pathlib import Path


def planned_jobs(where: str | Path, configfile: str | None = None, targets=()):
    """(jobs in an order that respects every dependency, the workflow) of a cold run of
    the workflow in ``where``; ``configfile`` relative to ``where`` (None: the default)."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        OutputSettings,
        ResourceSettings,
    )

    where = Path(where).resolve()
    here = os.getcwd()
    api = SnakemakeApi(OutputSettings(quiet={"all"}))
    api.__enter__()
    try:
        configs = [where / configfile] if configfile else []
        workflow_api = api.workflow(
            resource_settings=ResourceSettings(cores=1),
            config_settings=ConfigSettings(configfiles=configs),
            snakefile=where / "workflow/Snakefile", workdir=where)
        dag_api = workflow_api.dag(DAGSettings(forceall=True, targets=set(targets)))
        workflow = dag_api.workflow_api._workflow
        workflow._prepare_dag(forceall=True, ignore_incomplete=True, lock_warn_only=True)
        workflow._build_dag()
        jobs = [job for level in workflow.dag.toposorted() for job in sorted(level, key=str)]
    finally:
        os.chdir(here)
    return jobs, workflow


def script_of(job) -> Path | None:
    """The rule script a job runs (None for rules without one, e.g. ``all``)."""
    if not job.rule.script:
        return None
    return Path(job.rule.basedir.get_path_or_uri(secret_free=True)) / job.rule.script
