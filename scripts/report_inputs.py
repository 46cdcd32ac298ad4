"""Rule report_inputs: results files -> _variables.yml, values.md, provenance.csv, tables,
and the run record (run.json) that the manuscript's reproducibility values come from."""

from peerstudy.rule import registry_for, run


def main(smk):
    import json
    from pathlib import Path

    from peerstudy.record import manuscript_provenance, run_record, write_record
    from peerstudy.report.build import read_results, write_report_inputs
    from peerstudy.report.values import Context

    study = smk.params.design["study"]["id"]
    record = run_record(study=study, command=smk.params.command,
                        configfiles=smk.params.configfiles, overrides=smk.params.overrides,
                        study_files=list(smk.input.registry) + list(smk.input.themes_yaml),
                        data=list(smk.input.raw), lock=smk.input.lock)
    write_record(record, smk.output.record)
    results = read_results({key: smk.input[key] for key in smk.params.results})
    if "joint_display" in results:  # the joint display is quoted only when it passes its gate
        from peerstudy.integration import gate

        gate(results["joint_display"])
    conventions = json.loads(Path(smk.input.conventions).read_text(encoding="utf-8"))
    ctx = Context(study=study, results=results, conventions=conventions,
                  design=smk.params.design, registry=registry_for(smk),
                  provenance=manuscript_provenance(record))
    names = write_report_inputs(ctx, Path(smk.output.variables).parent)
    expected = sorted(Path(p).stem for p in smk.output.tables)
    if sorted(names) != expected:
        raise RuntimeError(f"tables built {sorted(names)} differ from the rule's {expected}")


run(snakemake, main)  # noqa: F821
