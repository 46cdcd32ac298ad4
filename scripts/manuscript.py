"""Rules manuscript and supplement: stage the document beside its values, tables and
figures, and render it to every configured format."""

from peerstudy.rule import run


def main(smk):
    import shutil
    from pathlib import Path

    from peerstudy.io import atomic_write_bytes, write_text
    from peerstudy.report.render import render, stage_project, supplement_source

    report = Path(smk.output[0]).parent  # reports/<id>/
    document = Path(smk.output[0]).stem  # manuscript or supplement
    if document == "manuscript":
        stage_project(Path(smk.input.qmd).parent, report)
        engine = render(report, [document], list(smk.params.formats), smk.params.engine)
    else:
        # The supplement renders in its own folder, so that it never reads the
        # manuscript's project files while that rule stages them.
        build = report / ".supplement"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        for name in ("_variables.yml", "supplement-tables.md"):
            shutil.copyfile(report / name, build / name)
        tables = (build / "supplement-tables.md").read_text(encoding="utf-8")
        write_text(build / "supplement.qmd", supplement_source(smk.params.title, tables))
        engine = render(build, [document], list(smk.params.formats), smk.params.engine)
        for fmt in smk.params.formats:
            atomic_write_bytes(report / f"supplement.{fmt}",
                               (build / f"supplement.{fmt}").read_bytes())
        shutil.rmtree(build)
    print(f"rendered {document} with {engine}")


run(snakemake, main)  # noqa: F821
