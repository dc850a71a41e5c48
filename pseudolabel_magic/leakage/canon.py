"""Canonical cell values: what "the same value" means when rows are compared across frames.

A copied row must not slip through because its frame stored a value another way, so every
cell is read into one canonical form:

* missing values (NaN, None, ``pd.NA``, NaT) are all one value, equal to each other;
* numbers compare by value across int/float/bool, nullable, Arrow and object columns:
  ``1``, ``1.0`` and ``True`` agree; whole numbers compare as exact int64, so distinct ids
  above 2**53 stay distinct; ``-0.0`` equals ``0.0``;
* non-integral numbers compare at float32 precision (a float32 copy is still a copy, also
  after ``pd.concat`` upcast it back to float64);
* text compares by its exact characters (object, ``str``, ``string`` and Arrow strings
  alike); in an object column numbers stay numbers and strings stay text (``"n/a"``
  does not turn the column's numbers into text);
* categoricals compare by their values, not their codes;
* datetimes compare by instant, whatever their unit or time zone (tz-naive values are
  read as UTC); timedeltas by duration.

:func:`rows_equal` compares rows in that form; :mod:`pseudolabel_magic.leakage.hashing` hashes it.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

#: kinds of canonical value; equal values have equal kinds
NA, INT, FLOAT, TEXT, TIME, SPAN = range(6)
TWO63 = 2.0 ** 63


@dataclass(frozen=True)
class Canon:
    """Canonical values of one column: ``kind`` per cell, then the value in its slot.

    ``ints`` holds whole numbers (exact int64), datetimes and timedeltas (ns); ``floats``
    holds non-integral numbers (and NaN elsewhere); ``text`` holds strings (object array,
    None elsewhere) or is None when the column has no text.
    """

    kind: np.ndarray
    ints: np.ndarray
    floats: np.ndarray
    text: np.ndarray | None


def _numbers(values: np.ndarray, na: np.ndarray) -> Canon:
    """Canon of float64 ``values`` (NaN where missing): whole numbers become exact ints."""
    with np.errstate(invalid="ignore"):
        whole = (np.trunc(values) == values) & (np.abs(values) < TWO63)
    ints = np.where(whole, values, 0.0).astype(np.int64)
    floats = np.where(whole | na, np.nan, values + 0.0)  # -0.0 -> 0.0
    kind = np.where(na, NA, np.where(whole, INT, FLOAT)).astype(np.int8)
    return Canon(kind, ints, floats, None)


def _integers(values: np.ndarray, na: np.ndarray) -> Canon:
    kind = np.where(na, NA, INT).astype(np.int8)
    floats = np.full(len(values), np.nan)
    return Canon(kind, np.where(na, 0, values).astype(np.int64, copy=False), floats, None)


def _instants(col: pd.Series, kind_code: int) -> Canon:
    na = col.isna().to_numpy()
    if kind_code == TIME:  # any zone, any unit: the UTC instant in ns (naive read as UTC)
        col = pd.to_datetime(col, utc=True).dt.tz_localize(None).astype("datetime64[ns]")
    else:
        col = col.astype("timedelta64[ns]")
    ints = col.to_numpy().view(np.int64)
    kind = np.where(na, NA, kind_code).astype(np.int8)
    return Canon(kind, np.where(na, 0, ints), np.full(len(col), np.nan), None)


def is_text(col: pd.Series) -> bool:
    """A column of strings only (any string dtype, or object holding nothing but str)."""
    dtype = col.dtype
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        return pd.api.types.is_string_dtype(dtype)
    return dtype == object and pd.api.types.infer_dtype(col, skipna=True) == "string"


def _from_scalars(values: np.ndarray) -> Canon:
    """Canon of an object array, one distinct value at a time (object columns are slow anyway)."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts, sets): compared by their text
        values = np.array([v if isinstance(v, Hashable) else repr(v) for v in values], dtype=object)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    n_u = len(uniques)
    kind = np.full(n_u, NA, np.int8)
    ints = np.zeros(n_u, np.int64)
    floats = np.full(n_u, np.nan)
    text = np.full(n_u, None, dtype=object)
    for i, v in enumerate(uniques):
        kind[i], ints[i], floats[i], text[i] = _scalar(v)
    # pd.factorize treats 1, 1.0 and True as one value, as the rules here want
    pick = np.where(codes < 0, n_u, codes)
    kind, ints = np.append(kind, NA)[pick], np.append(ints, 0)[pick]
    floats, text = np.append(floats, np.nan)[pick], np.append(text, None)[pick]
    return Canon(kind, ints, floats, text if (kind == TEXT).any() else None)


def _scalar(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return NA, 0, np.nan, None
    if isinstance(v, (bool, np.bool_, numbers.Integral)):
        return INT, int(v), np.nan, None
    if isinstance(v, numbers.Real):
        f = float(v)
        if np.isnan(f):
            return NA, 0, np.nan, None
        if f == np.trunc(f) and abs(f) < TWO63:
            return INT, int(f), np.nan, None
        return FLOAT, 0, f + 0.0, None
    if isinstance(v, (pd.Timestamp, np.datetime64)) or type(v).__name__ == "datetime":
        ts = pd.Timestamp(v)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return TIME, int(ts.as_unit("ns")._value), np.nan, None
    if isinstance(v, (pd.Timedelta, np.timedelta64)) or type(v).__name__ == "timedelta":
        return SPAN, int(pd.Timedelta(v).as_unit("ns")._value), np.nan, None
    return TEXT, 0, np.nan, v if isinstance(v, str) else repr(v)


def canonical(col: pd.Series) -> Canon:
    """The canonical values of one column (see the module docstring for the rules)."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = canonical(pd.Series(dtype.categories))
        codes = col.cat.codes.to_numpy()
        pick = np.where(codes < 0, len(dtype.categories), codes)
        kind = np.append(cats.kind, np.int8(NA))[pick]
        text = None if cats.text is None else np.append(cats.text, None)[pick]
        return Canon(kind, np.append(cats.ints, 0)[pick], np.append(cats.floats, np.nan)[pick],
                     text)
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        na = col.isna().to_numpy()
        if pd.api.types.is_bool_dtype(dtype):
            values = col.to_numpy(dtype="bool", na_value=False).astype(np.int64)
        else:
            values = col.to_numpy(dtype="int64", na_value=0)
        return _integers(values, na)
    if pd.api.types.is_float_dtype(dtype):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        return _numbers(values, np.isnan(values))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _instants(col, TIME)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return _instants(col, SPAN)
    if is_text(col):
        text = col.to_numpy(dtype=object, na_value=None)
        na = col.isna().to_numpy()
        kind = np.where(na, NA, TEXT).astype(np.int8)
        return Canon(kind, np.zeros(len(col), np.int64), np.full(len(col), np.nan), text)
    return _from_scalars(col.to_numpy(dtype=object))


def column_of(frame: pd.DataFrame, j: int, name, columns) -> pd.Series:
    """Column ``name`` as a Series, also when the frame repeats that name."""
    col = frame[name]
    if isinstance(col, pd.DataFrame):  # duplicate names: take the j-th of them in order
        nth = list(columns)[:j].count(name)
        col = col.iloc[:, min(nth, col.shape[1] - 1)]
    return col


def canonical_rows(frame: pd.DataFrame, columns: Sequence) -> list:
    """:func:`canonical` of each listed column (for a few candidate rows, not a whole pool)."""
    return [canonical(column_of(frame, j, name, columns)) for j, name in enumerate(columns)]


def _cells_equal(a: Canon, ia: np.ndarray, b: Canon, ib: np.ndarray) -> np.ndarray:
    """Cell-wise equality of canonical values (see the module docstring for the rules).

    Whole numbers on both sides compare exactly (ids); a non-integral number compares at
    float32 precision, so a float32 copy is still a copy after ``pd.concat`` upcast it to
    float64 (two honest measurements rarely agree to 7 significant digits yet differ after).
    """
    ka, kb = a.kind[ia], b.kind[ib]
    numeric_a, numeric_b = np.isin(ka, (INT, FLOAT)), np.isin(kb, (INT, FLOAT))
    both_whole = (ka == INT) & (kb == INT)
    fractional = numeric_a & numeric_b & ~both_whole

    def at_float32(c, i, k):
        return np.where(k == INT, c.ints[i].astype(np.float64), c.floats[i]).astype(np.float32)

    same = np.zeros(len(ia), bool)
    if fractional.any():
        f = np.flatnonzero(fractional)
        same[f] = at_float32(a, ia[f], ka[f]) == at_float32(b, ib[f], kb[f])
    other = ~numeric_a & (ka == kb)
    eq = (both_whole & (a.ints[ia] == b.ints[ib])) | (other & (
        (ka == NA) | (np.isin(ka, (TIME, SPAN)) & (a.ints[ia] == b.ints[ib]))))
    if a.text is not None and b.text is not None:
        text = other & (ka == TEXT)
        if text.any():
            eq[text] = a.text[ia[text]] == b.text[ib[text]]
    return same | eq


class RowSubset(list):
    """Canonical columns of some rows of a frame, addressed by the rows' frame positions."""

    def __init__(self, columns, positions):
        super().__init__(columns)
        self.where = pd.Index(positions)


def rows_equal(a: list, ia: np.ndarray, b: list, ib: np.ndarray) -> np.ndarray:
    """Row ``ia[k]`` of canonical rows ``a`` equals row ``ib[k]`` of ``b``, for every k."""
    ia = a.where.get_indexer(ia) if isinstance(a, RowSubset) else ia
    ib = b.where.get_indexer(ib) if isinstance(b, RowSubset) else ib
    eq = np.ones(len(ia), bool)
    for ca, cb in zip(a, b):
        live = np.flatnonzero(eq)
        if not len(live):
            break
        eq[live] = _cells_equal(ca, ia[live], cb, ib[live])
    return eq
