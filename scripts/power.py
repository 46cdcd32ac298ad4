"""Rule power: simulated power of the planned arm x time model -> table, figure, report."""

from peerstudy.rule import run


def main(smk):
    import os
    from pathlib import Path

    import pypandoc

    from peerstudy import figures
    from peerstudy.io import EPOCH, write_csv
    from peerstudy.power import MC_LEVEL, TARGET_POWER, power_curve, report_markdown

    spec = smk.params.spec
    base = {k: spec[k] for k in ("sites", "timepoints", "icc", "site_sd")}
    base["retention"] = tuple(spec["retention"])
    mixed = smk.params.mixed_model
    table = power_curve(base, spec["effects"], spec["per_arm_per_site"], spec["replicates"],
                        spec["seed"], spec["alpha"], mixed["estimation"], mixed["df"])
    write_csv(smk.output.table, table)
    figures.save_png(figures.power_curve(table, spec["alpha"], MC_LEVEL, TARGET_POWER),
                     smk.output.png)
    folder = Path(smk.output.html).parent.resolve()
    md = report_markdown(table, spec, Path(smk.output.png).name, mixed["estimation"], mixed["df"])
    os.environ["SOURCE_DATE_EPOCH"] = str(EPOCH)
    pypandoc.convert_text(md, "html5", format="markdown", outputfile=str(folder / "power.html"),
                          extra_args=["--standalone", "--embed-resources",
                                      f"--resource-path={folder}"], cworkdir=str(folder))


run(snakemake, main)  # noqa: F821
