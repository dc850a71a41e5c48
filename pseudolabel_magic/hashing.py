"""Row fingerprints that compare rows across frames by content, not by index label.

Leakage checks need "is this validation row also in train?" in O(rows x columns) time.
Hashing each row to one uint64 and intersecting sets gives that. The hash must not depend
on how a frame happens to store a value, or a copied row would slip through:

* NaN equals NaN (pandas, numpy and ``pd.NA`` missing values all hash alike);
* a categorical hashes by value, not by code, so two frames with different category
  sets still agree;
* integers, floats and booleans hash by numeric value (``1``, ``1.0`` and ``True`` agree),
  because a column gains NaN and turns float in one frame but not in another;
* ``-0.0`` equals ``0.0``;
* datetimes and timedeltas hash by instant, whatever their unit or time zone.

Dask frames will get their own implementation of :func:`row_hashes`; every other module
calls only that function (and :func:`column_hashes`), so the swap stays local.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from pandas.util import hash_pandas_object

_MIX = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: spreads bits when combining columns


def _normalised(col: pd.Series) -> pd.Series:
    """Give equal values one representation, whatever dtype this frame stored them in."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return col  # hash_pandas_object hashes categories by value, then takes the codes
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_complex_dtype(dtype):
            return col.astype(str)
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        values = np.where(np.isnan(values), np.nan, values + 0.0)  # one NaN, -0.0 -> 0.0
        return pd.Series(values, copy=False)
    if isinstance(dtype, pd.DatetimeTZDtype):
        col = col.dt.tz_convert("UTC").dt.tz_localize(None)
        dtype = col.dtype
    if pd.api.types.is_datetime64_dtype(dtype):
        return col.astype("datetime64[ns]")  # pandas 3 keeps s/ms/us/ns units apart
    if pd.api.types.is_timedelta64_dtype(dtype):
        return col.astype("timedelta64[ns]")
    return col


def _column_hash(frame: pd.DataFrame, name) -> np.ndarray:
    return hash_pandas_object(_normalised(frame[name]), index=False, categorize=True).to_numpy()


def column_hashes(frame: pd.DataFrame, columns: Sequence) -> np.ndarray:
    """Hash each listed column of ``frame``: a (rows, columns) uint64 array.

    Kept separate from :func:`row_hashes` because per-column hashes also answer
    "does this feature determine the target?" without hashing the data twice.
    """
    out = np.empty((len(frame), len(columns)), dtype=np.uint64, order="F")  # columns contiguous
    for j, name in enumerate(columns):
        out[:, j] = _column_hash(frame, name)
    return out


def combine_hashes(per_column: np.ndarray) -> np.ndarray:
    """Fold per-column hashes into one hash per row; column order matters."""
    h = np.full(per_column.shape[0], np.uint64(0xCBF29CE484222325), dtype=np.uint64)
    for j in range(per_column.shape[1]):
        h ^= per_column[:, j]
        h *= _MIX
    return h


def row_hashes(frame: pd.DataFrame, columns: Sequence) -> np.ndarray:
    """One uint64 per row of ``frame`` over ``columns`` (never the index).

    Equal rows in two frames hash equal even when their dtypes or category sets differ;
    see the module docstring for the rules. Folds one column at a time, so a big unlabeled
    pool never needs a (rows x columns) matrix of hashes.
    """
    h = np.full(len(frame), np.uint64(0xCBF29CE484222325), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for name in columns:
            bits = _numeric_bits(frame[name])
            h ^= _column_hash(frame, name) if bits is None else bits
            h *= _MIX
        return _avalanche(h)


def _numeric_bits(col: pd.Series) -> np.ndarray | None:
    """The float64 bit pattern of a numeric/boolean column (one NaN, -0.0 as 0.0), else None.

    Folding raw bits and mixing once per row (:func:`_avalanche`) is several times cheaper
    than hashing every column on its own, which matters for pools of millions of rows.
    """
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_complex_dtype(dtype):
        return None
    if not (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)):
        return None
    values = col.to_numpy(dtype="float64", na_value=np.nan)
    values = np.where(np.isnan(values), np.nan, values + 0.0)  # a fresh array: one NaN, +0.0
    return values.view(np.uint64)


def _avalanche(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit flips about half the output bits."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h
