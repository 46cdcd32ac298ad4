"""Rule manuscript_variables: results files -> _variables.yml and Markdown tables."""

from peerstudy.rule import registry_for, run


def main(smk):
    import hashlib
    import json
    import tomllib
    from pathlib import Path

    import pandas as pd
    import yaml

    from peerstudy.io import write_text
    from peerstudy.report.variables import Builder

    results = {}
    for key in smk.params.results:
        path = smk.input[key]
        if path.endswith(".json"):
            continue
        results[key] = pd.read_csv(path, dtype={"participant_id": str})
    conventions = json.loads(Path(smk.input.conventions).read_text(encoding="utf-8"))
    lock = tomllib.loads(Path(smk.input.lock).read_text(encoding="utf-8"))
    wanted = {"snakemake", "pandas", "numpy", "scipy", "statsmodels", "pingouin", "pyreadstat",
              "matplotlib", "pypandoc-binary", "typst", "openpyxl"}
    versions = {p["name"]: p["version"] for p in lock["package"] if p["name"] in wanted}

    def digest(paths):
        h = hashlib.sha256()
        for path in sorted(paths):
            h.update(Path(path).read_bytes())
        return h.hexdigest()

    configfiles = smk.params.configfiles
    provenance = {
        "versions": versions, "config_sha256": digest(configfiles),
        "data_sha256": digest(list(smk.input.raw)),
        "command": "uv run snakemake --cores 4"
                   + "".join(f" --configfile {c}" for c in configfiles
                             if c != "config/config.yaml"),
    }
    builder = Builder(results, conventions, smk.params.design, registry_for(smk), provenance)
    variables, tables = builder.build()
    write_text(smk.output.variables,
               yaml.safe_dump(variables, allow_unicode=True, sort_keys=True, width=10_000))
    from peerstudy.io import write_csv

    write_csv(smk.output.provenance, builder.provenance_table())
    for path in smk.output.tables:
        name = Path(path).stem
        write_text(path, tables.get(name, "*Not applicable to this study.*\n"))


run(snakemake, main)  # noqa: F821
