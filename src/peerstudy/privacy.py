"""The guard that keeps direct identifiers inside data/raw/.

Ingestion reads identifier columns only to drop them; this guard checks, just
before anything is written, that no output column is an identifier column and
no output cell holds an identifier value (a name or phone number read from
the raw files).
"""

from __future__ import annotations

import pandas as pd

from peerstudy.errors import DataError


def assert_no_identifiers(frame: pd.DataFrame, columns: set[str], values: set[str],
                          where: str) -> None:
    leaked = sorted(set(frame.columns) & columns)
    if leaked:
        raise DataError(f"privacy guard: {where} would contain the direct-identifier column "
                        f"'{leaked[0]}' — nothing was written.")
    if not values:
        return
    for col in frame.columns:
        if frame[col].dtype.kind in "biuf":
            continue
        hit = frame[col].astype("string").isin(values)
        if hit.any():
            row = int(hit.to_numpy().nonzero()[0][0])
            raise DataError(f"privacy guard: {where}, column '{col}', row {row + 1} holds a "
                            "value of a direct-identifier column — nothing was written; check "
                            "which raw column the config maps there.")
