"""The results contract (RESULTS_CONTRACT.md) as pandera schemas, one per table.

Each schema names the columns the contract requires, their types, whether a cell may
be empty, and the values a column may take; extra columns are welcome (``strict`` is
off), as the contract says. :func:`check_study` reads every contract table a run left
for a study and validates it, collecting every failure; ``uv run peerstudy contract``
does that from the command line and the test suite does it for every study it builds.

pandera is imported only here, when a check runs: no rule of the workflow needs it.
"""

from __future__ import annotations

from pathlib import Path

from peerstudy.errors import DataError

GROUPS_ALL = "group"  # tests.csv: 'all' when groups are compared


def _schemas() -> dict:
    """{relative path (with {study}): DataFrameSchema}, built on first use."""
    import pandera.pandas as pa
    from pandera.pandas import Check, Column

    def text(nullable=False, **kw):
        return Column(str, nullable=nullable, coerce=True, **kw)

    def number(nullable=True, **kw):
        return Column(float, nullable=nullable, coerce=True, **kw)

    def count(nullable=False):
        return Column(float, nullable=nullable, coerce=True, checks=Check.ge(0))

    def probability(nullable=True):
        return number(nullable, checks=Check.in_range(0, 1))

    def schema(columns: dict, name: str) -> pa.DataFrameSchema:
        return pa.DataFrameSchema(columns, strict=False, name=name)

    keys = {"participant_id": text(), "site": text(), "group": text(), "timepoint": text()}
    return {
        "data/processed/{study}/items.csv": schema({
            **keys, "instrument": text(), "item": text(), "value": number()}, "items"),
        "data/processed/{study}/participants.csv": schema({
            "participant_id": text(unique=True), "site": text(), "group": text(),
            "attended_.*": Column(None, regex=True, nullable=True,
                                  checks=Check.isin([True, False, "True", "False"])),
        }, "participants"),
        "results/{study}/validation/issues.csv": schema({
            "file": text(), "row": text(nullable=True), "column": text(nullable=True),
            "participant_id": text(nullable=True), "timepoint": text(nullable=True),
            "value": text(nullable=True), "rule": text(), "action": text()}, "issues"),
        "results/{study}/scores.csv": schema({
            **keys, "instrument": text(), "scale": text(), "score": number(),
            "items_answered": count(), "items_total": count()}, "scores"),
        "results/{study}/descriptives.csv": schema({
            "site": text(), "group": text(), "instrument": text(), "scale": text(),
            "timepoint": text(), "n": count(), **{c: number() for c in (
                "mean", "sd", "median", "q1", "q3", "min", "max")}}, "descriptives"),
        "results/{study}/tests.csv": schema({
            "site": text(), "group": text(), "instrument": text(), "scale": text(),
            "test": text(), "factor": text(), "contrast": text(),
            "timepoint": text(nullable=True), "method": text(nullable=True),
            "n": count(nullable=True), "statistic_name": text(nullable=True),
            "statistic": number(), "df1": number(), "df2": number(), "p": probability(),
            "p_adjusted": probability(), "family": text(),
            "effect_name": text(nullable=True), "effect": number(), "ci_low": number(),
            "ci_high": number()}, "tests"),
        "results/{study}/rci.csv": schema({
            "participant_id": text(), "site": text(), "group": text(), "instrument": text(),
            "scale": text(), "from": text(), "to": text(), "change": number(),
            "rci": number(), "category": text(checks=Check.isin(
                ["improved", "unchanged", "deteriorated"]), nullable=True),
            "alpha_used": number(), "sd_used": number()}, "rci"),
        "results/{study}/reliability.csv": schema({
            "group": text(), "instrument": text(), "scale": text(), "timepoint": text(),
            "n": count(), "k_items": count(), "alpha": number(checks=Check.le(1)),
            "alpha_ci_low": number(), "alpha_ci_high": number(), "omega": number(),
            "note": text(nullable=True)}, "reliability"),
        "results/{study}/validation/calibration.csv": schema({
            "group": text(), "instrument": text(), "scale": text(), "timepoint": text(),
            "published_mean": number(False), "observed_mean": number(),
            "difference": number(), "attainable": Column(bool, coerce=True)}, "calibration"),
        "results/{study}/qualitative/code_groups.csv": schema({
            "group": text(), "codes": count(), "quotations": count(),
            "share": probability(False)}, "code_groups"),
        "results/{study}/qualitative/codes.csv": schema({
            "group": text(), "code": text(), "quotations": count(), "documents": count(),
            "share_in_group": probability(False)}, "codes"),
        "results/{study}/qualitative/code_sources.csv": schema({
            "code": text(), "source": text(), "quotations": count()}, "code_sources"),
        "results/{study}/qualitative/agreement.csv": schema({
            "code": text(), "level": text(checks=Check.isin(["document", "segment"])),
            "percent_agreement": number(checks=Check.in_range(0, 100)), "kappa": number(),
            "krippendorff_alpha": number(), "n_units": count()}, "agreement"),
        "results/{study}/qualitative/themes.csv": schema({
            "theme": text(), "codes": text(), "quotations": count(),
            "sources": count()}, "themes"),
        "results/{study}/joint_display.csv": schema({
            "domain": text(), "instrument": text(), "scale": text(), "group": text(),
            "contrast": text(), "change": number(), "p": probability(),
            "effect_name": text(nullable=True), "effect": number(),
            "codes": text(nullable=True),  # a declared silence names no code
            "quotations": count(), "convergence": text(), "meta_inference": text(
                checks=Check.isin(["convergence", "divergence", "expansion", "silence"])),
            "statement": text(), "check": text()}, "joint_display"),
    }


def check_study(root: str | Path, study: str) -> list[str]:
    """Validate every contract table of ``study`` found under ``root``.

    Returns the files checked; raises DataError listing every column that breaks the
    contract (file, column, what was found).
    """
    import pandas as pd
    import pandera.errors

    root = Path(root)
    checked, problems = [], []
    for pattern, schema in _schemas().items():
        path = root / pattern.format(study=study)
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype={c: str for c in (
            "participant_id", "row", "value", "code", "group", "site", "timepoint", "file",
            "column", "from", "to", "item", "codes", "note", "method", "effect_name",
            "statistic_name", "level", "category", "meta_inference")}, keep_default_na=False,
            na_values=[""])
        try:
            schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            for case in exc.failure_cases.itertuples():
                where = path.relative_to(root)
                if case.check == "column_in_dataframe":
                    problems.append(f"{where}: the required column '{case.failure_case}' is "
                                    "missing")
                else:
                    problems.append(f"{where}: column {case.column}: {case.check} failed "
                                    f"(found {case.failure_case!r})")
        checked.append(str(path.relative_to(root)))
    if problems:
        raise DataError("results break the contract (RESULTS_CONTRACT.md):\n  "
                        + "\n  ".join(problems[:40]))
    return checked
