"""Rule report_inputs: results files -> _variables.yml, values.md, provenance.csv, tables."""

from peerstudy.rule import registry_for, run


def main(smk):
    import hashlib
    import json
    import tomllib
    from pathlib import Path

    from peerstudy.report.build import read_results, write_report_inputs
    from peerstudy.report.values import Context

    results = read_results({key: smk.input[key] for key in smk.params.results})
    if "joint_display" in results:  # the joint display is quoted only when it passes its gate
        from peerstudy.integration import gate

        gate(results["joint_display"])
    conventions = json.loads(Path(smk.input.conventions).read_text(encoding="utf-8"))
    lock = tomllib.loads(Path(smk.input.lock).read_text(encoding="utf-8"))
    wanted = {"snakemake", "pandas", "numpy", "scipy", "statsmodels", "pyreadstat",
              "matplotlib", "pypandoc-binary", "typst", "openpyxl"}
    versions = {p["name"]: p["version"] for p in lock["package"] if p["name"] in wanted}

    def digest(paths):
        h = hashlib.sha256()
        for path in sorted(paths):
            h.update(Path(path).read_bytes())
        return h.hexdigest()

    provenance = {"versions": versions, "config_sha256": digest(smk.params.configfiles),
                  "data_sha256": digest(list(smk.input.raw)), "command": smk.params.command}
    ctx = Context(study=smk.params.design["study"]["id"], results=results,
                  conventions=conventions, design=smk.params.design,
                  registry=registry_for(smk), provenance=provenance)
    names = write_report_inputs(ctx, Path(smk.output.variables).parent)
    expected = sorted(Path(p).stem for p in smk.output.tables)
    if sorted(names) != expected:
        raise RuntimeError(f"tables built {sorted(names)} differ from the rule's {expected}")


run(snakemake, main)  # noqa: F821
