"""Row fingerprints: one uint64 per row, to find candidate twins in O(rows x columns).

Hashes work on the canonical values of :mod:`pseudolabel_magic.leakage.canon`, so how a frame
stores a value does not matter; non-integral floats are rounded to float32 first, so a
float32 copy of a float64 row hashes alike (the confirmation then compares at the right
precision). A hash match is only a candidate: :func:`pseudolabel_magic.leakage.twins.twins`
confirms it value by value, so a collision never counts as a twin.

Mixing: each cell goes through splitmix64's finaliser (every input bit flips about half
of the output bits) before the row is folded, so columns of small whole numbers (pixels,
counts, codes) keep their differences; folding raw bits with XOR and a multiply does not
(it only carries bits upward).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from pandas.util import hash_pandas_object

from .canon import FLOAT, INT, NA, TEXT, TWO63, Canon, canonical, column_of, is_text

_SEED = np.uint64(0xCBF29CE484222325)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it is a bijection mod 2**64


def _avalanche(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place: every input bit flips about half the output bits."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def _text_keys(text: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A stable (process-independent) uint64 per string: pandas' SipHash of the value."""
    out = np.zeros(len(text), np.uint64)
    if mask.any():
        out[mask] = hash_pandas_object(pd.Series(text[mask], dtype=object), index=False,
                                       categorize=True).to_numpy()
    return out


def _mixed(keys: np.ndarray, kind: int | np.ndarray) -> np.ndarray:
    """Keys of one kind (or per-cell kinds) mixed into cell keys, in place."""
    with np.errstate(over="ignore"):
        keys += np.asarray(kind).astype(np.uint64) * _MIX  # kinds apart: int 0 never equals NaN
    return _avalanche(keys)


def _cell_keys(c: Canon) -> np.ndarray:
    """One uint64 per cell, equal for values the confirmation may call equal.

    Non-integral floats are rounded to float32 first, so a float32 copy of a float64 row
    hashes alike (the confirmation then decides at the right precision).
    """
    keys = c.ints.view(np.uint64).copy()
    kind = c.kind.copy()
    floats = np.flatnonzero(kind == FLOAT)
    if len(floats):
        k, whole = _float32_keys(c.floats[floats])
        keys[floats] = k
        kind[floats[whole]] = INT  # a whole float32 is a whole number
    if c.text is not None:
        is_text = kind == TEXT
        keys[is_text] = _text_keys(c.text, is_text)[is_text]
    return _mixed(keys, kind)


def _float32_keys(values: np.ndarray):
    """Keys of non-integral float64 values at float32 precision, and which became whole."""
    f32 = values.astype(np.float32)
    with np.errstate(invalid="ignore"):
        t = np.trunc(f32)
        whole = (t == f32) & (np.abs(f32) < TWO63)
        keys = np.where(whole, t.astype(np.int64).view(np.uint64), f32.view(np.uint32).astype(np.uint64))
    return keys, whole


def _float_keys(col: pd.Series) -> np.ndarray:
    """:func:`_cell_keys` of a float column, without building its Canon (the common case)."""
    v = col.to_numpy(dtype="float64", na_value=np.nan)
    na = np.isnan(v)
    keys, whole = _float32_keys(v)
    kind = np.where(whole, np.uint8(INT), np.uint8(FLOAT))
    with np.errstate(invalid="ignore"):
        exact = (np.trunc(v) == v) & (np.abs(v) < TWO63)
    if exact.any():  # whole float64 values compare as exact int64 (big ids stay apart)
        keys[exact] = v[exact].astype(np.int64).view(np.uint64)
        kind[exact] = INT
    if na.any():
        keys[na] = 0
        kind[na] = NA
    return _mixed(keys, kind)


def _fast_keys(col: pd.Series) -> np.ndarray | None:
    """Cell keys of the common column types without building a Canon; None for the rest."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        per_category = column_keys(pd.Series(dtype.categories))
        codes = col.cat.codes.to_numpy()
        return np.append(per_category, _mixed(np.zeros(1, np.uint64), NA))[codes]  # -1: NA
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        values = col.to_numpy()
        keys = values.astype(np.uint64) if dtype.kind == "u" else values.astype(np.int64).view(np.uint64)
        return _mixed(keys, INT)
    if pd.api.types.is_float_dtype(dtype):
        return _float_keys(col)
    if is_text(col):  # hash each distinct string once (faster than hashing every cell)
        codes, uniques = pd.factorize(col)
        per_value = hash_pandas_object(pd.Series(np.asarray(uniques, dtype=object), dtype=object),
                                       index=False).to_numpy()
        na = codes < 0
        keys = np.append(per_value, np.uint64(0))[codes]  # -1 (missing) takes the appended 0
        return _mixed(keys, np.where(na, np.uint8(NA), np.uint8(TEXT)))
    return None


def column_keys(col: pd.Series) -> np.ndarray:
    """The per-cell uint64 keys of one column (see :func:`row_hashes`)."""
    keys = _fast_keys(col)
    return _cell_keys(canonical(col)) if keys is None else keys


def column_hashes(frame: pd.DataFrame, columns: Sequence) -> np.ndarray:
    """Hash each listed column of ``frame``: a (rows, columns) uint64 array, cell by cell.

    Kept separate from :func:`row_hashes` because per-column hashes also answer
    "does this feature determine the target?" without hashing the data twice.
    """
    out = np.empty((len(frame), len(columns)), dtype=np.uint64, order="F")  # columns contiguous
    for j, name in enumerate(columns):
        out[:, j] = column_keys(column_of(frame, j, name, columns))
    return out


def combine_hashes(per_column: np.ndarray) -> np.ndarray:
    """Fold per-column keys (rows x columns, already mixed) into one hash per row."""
    h = np.full(per_column.shape[0], _SEED, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(per_column.shape[1]):
            h *= _MIX
            h += per_column[:, j]
    return _avalanche(h)


def row_hashes(frame: pd.DataFrame, columns: Sequence, keys_out: np.ndarray | None = None) -> np.ndarray:
    """One uint64 per row of ``frame`` over ``columns`` (never the index).

    Equal rows hash equal whatever their storage (see the module docstring); distinct rows
    collide with probability about 2**-64 per pair, because every cell is mixed before the
    row is folded (``h = h * odd + mix(cell)``: a difference in one column is never lost).
    Folds one column at a time, so a big pool never needs a (rows x columns) matrix;
    ``keys_out``, a (rows, columns) uint64 array, receives the cell keys when given (what
    :func:`column_hashes` returns, for checks that need both).
    """
    h = np.full(len(frame), _SEED, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j, name in enumerate(columns):
            keys = column_keys(column_of(frame, j, name, columns))
            if keys_out is not None:
                keys_out[:, j] = keys
            h *= _MIX
            h += keys
    return _avalanche(h)
