"""Row fingerprints and value comparison: "is this validation row also in train?".

Two tools, used together. A **hash** of each row's features (one uint64) finds candidate
twins in O(rows x columns): intersect the validation hashes with another set's. A hash
match is only a candidate; :func:`twins` **confirms** every candidate by comparing the rows'
values, so a hash collision can never count as a twin.

Both work on one *canonical* value per cell, so how a frame happens to store a value does
not matter (a copied row must not slip through because its frame used another dtype):

* missing values (NaN, None, ``pd.NA``, NaT) are all one value, equal to each other;
* numbers compare by value across int/float/bool, nullable, Arrow and object columns:
  ``1``, ``1.0`` and ``True`` agree; whole numbers compare as exact int64, so distinct ids
  above 2**53 stay distinct; ``-0.0`` equals ``0.0``;
* a float32 column compares with a float64 one at float32 precision (a downcast copy is
  still a copy); the hash always rounds non-integral floats to float32, and the
  confirmation compares at float64 precision unless either side is stored as float32;
* text compares by its exact characters (object, ``str``, ``string`` and Arrow strings
  alike); in an object column numbers stay numbers and strings stay text (``"n/a"``
  does not turn the column's numbers into text);
* categoricals compare by their values, not their codes;
* datetimes compare by instant, whatever their unit or time zone (tz-naive values are
  read as UTC); timedeltas by duration.

Mixing: each cell's canonical value goes through splitmix64's finaliser (every input bit
flips about half of the output bits) before the row is folded, so columns of small whole
numbers (pixels, counts, codes) keep their differences; folding raw bits with XOR and a
multiply does not (it only carries bits upward).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from pandas.util import hash_pandas_object

# kinds of canonical value; equal values have equal kinds
_NA, _INT, _FLOAT, _TEXT, _TIME, _SPAN = range(6)
_SEED = np.uint64(0xCBF29CE484222325)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it is a bijection mod 2**64
_TWO63 = 2.0 ** 63


@dataclass(frozen=True)
class Canon:
    """Canonical values of one column: ``kind`` per cell, then the value in its slot.

    ``ints`` holds whole numbers (exact int64), datetimes and timedeltas (ns); ``floats``
    holds non-integral numbers (and NaN elsewhere); ``text`` holds strings (object array,
    None elsewhere) or is None when the column has no text; ``f32`` says the column was
    stored at float32 precision.
    """

    kind: np.ndarray
    ints: np.ndarray
    floats: np.ndarray
    text: np.ndarray | None
    f32: bool

    def take(self, pos: np.ndarray) -> "Canon":
        text = None if self.text is None else self.text[pos]
        return Canon(self.kind[pos], self.ints[pos], self.floats[pos], text, self.f32)


def _numbers(values: np.ndarray, na: np.ndarray, f32: bool) -> Canon:
    """Canon of float64 ``values`` (NaN where missing): whole numbers become exact ints."""
    with np.errstate(invalid="ignore"):
        whole = (np.trunc(values) == values) & (np.abs(values) < _TWO63)
    ints = np.where(whole, values, 0.0).astype(np.int64)
    floats = np.where(whole | na, np.nan, values + 0.0)  # -0.0 -> 0.0
    kind = np.where(na, _NA, np.where(whole, _INT, _FLOAT)).astype(np.int8)
    return Canon(kind, ints, floats, None, f32)


def _integers(values: np.ndarray, na: np.ndarray) -> Canon:
    kind = np.where(na, _NA, _INT).astype(np.int8)
    floats = np.full(len(values), np.nan)
    return Canon(kind, np.where(na, 0, values).astype(np.int64, copy=False), floats, None, False)


def _instants(col: pd.Series, kind_code: int) -> Canon:
    na = col.isna().to_numpy()
    if kind_code == _TIME:  # any zone, any unit: the UTC instant in ns (naive read as UTC)
        col = pd.to_datetime(col, utc=True).dt.tz_localize(None).astype("datetime64[ns]")
    else:
        col = col.astype("timedelta64[ns]")
    ints = col.to_numpy().view(np.int64)
    kind = np.where(na, _NA, kind_code).astype(np.int8)
    return Canon(kind, np.where(na, 0, ints), np.full(len(col), np.nan), None, False)


def _is_f32(dtype) -> bool:
    name = str(dtype).lower()
    return name in ("float32", "float16", "float[pyarrow]", "halffloat[pyarrow]") or name.startswith("float32")


def _is_text(col: pd.Series) -> bool:
    """A column of strings only (any string dtype, or object holding nothing but str)."""
    dtype = col.dtype
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        return pd.api.types.is_string_dtype(dtype)
    return dtype == object and pd.api.types.infer_dtype(col, skipna=True) == "string"


def _from_scalars(values: np.ndarray) -> Canon:
    """Canon of an object array, one distinct value at a time (object columns are slow anyway)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    n_u = len(uniques)
    kind = np.full(n_u, _NA, np.int8)
    ints = np.zeros(n_u, np.int64)
    floats = np.full(n_u, np.nan)
    text = np.full(n_u, None, dtype=object)
    for i, v in enumerate(uniques):
        kind[i], ints[i], floats[i], text[i] = _scalar(v)
    # pd.factorize treats 1, 1.0 and True as one value, as the rules here want
    pick = np.where(codes < 0, n_u, codes)
    kind, ints = np.append(kind, _NA)[pick], np.append(ints, 0)[pick]
    floats, text = np.append(floats, np.nan)[pick], np.append(text, None)[pick]
    return Canon(kind, ints, floats, text if (kind == _TEXT).any() else None, False)


def _scalar(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return _NA, 0, np.nan, None
    if isinstance(v, (bool, np.bool_, numbers.Integral)):
        return _INT, int(v), np.nan, None
    if isinstance(v, numbers.Real):
        f = float(v)
        if np.isnan(f):
            return _NA, 0, np.nan, None
        if f == np.trunc(f) and abs(f) < _TWO63:
            return _INT, int(f), np.nan, None
        return _FLOAT, 0, f + 0.0, None
    if isinstance(v, (pd.Timestamp, np.datetime64)) or type(v).__name__ == "datetime":
        ts = pd.Timestamp(v)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return _TIME, int(ts.as_unit("ns")._value), np.nan, None
    if isinstance(v, (pd.Timedelta, np.timedelta64)) or type(v).__name__ == "timedelta":
        return _SPAN, int(pd.Timedelta(v).as_unit("ns")._value), np.nan, None
    return _TEXT, 0, np.nan, v if isinstance(v, str) else repr(v)


def canonical(col: pd.Series) -> Canon:
    """The canonical values of one column (see the module docstring for the rules)."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = canonical(pd.Series(dtype.categories))
        codes = col.cat.codes.to_numpy()
        pick = np.where(codes < 0, len(dtype.categories), codes)
        kind = np.append(cats.kind, np.int8(_NA))[pick]
        text = None if cats.text is None else np.append(cats.text, None)[pick]
        return Canon(kind, np.append(cats.ints, 0)[pick], np.append(cats.floats, np.nan)[pick],
                     text, cats.f32)
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        na = col.isna().to_numpy()
        if pd.api.types.is_bool_dtype(dtype):
            values = col.to_numpy(dtype="bool", na_value=False).astype(np.int64)
        else:
            values = col.to_numpy(dtype="int64", na_value=0)
        return _integers(values, na)
    if pd.api.types.is_float_dtype(dtype):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        return _numbers(values, np.isnan(values), _is_f32(dtype))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _instants(col, _TIME)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return _instants(col, _SPAN)
    if _is_text(col):
        text = col.to_numpy(dtype=object, na_value=None)
        na = col.isna().to_numpy()
        kind = np.where(na, _NA, _TEXT).astype(np.int8)
        return Canon(kind, np.zeros(len(col), np.int64), np.full(len(col), np.nan), text, False)
    return _from_scalars(col.to_numpy(dtype=object))


# -- hashing -------------------------------------------------------------------------------
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
    floats = np.flatnonzero(kind == _FLOAT)
    if len(floats):
        k, whole = _float32_keys(c.floats[floats])
        keys[floats] = k
        kind[floats[whole]] = _INT  # a whole float32 is a whole number
    if c.text is not None:
        is_text = kind == _TEXT
        keys[is_text] = _text_keys(c.text, is_text)[is_text]
    return _mixed(keys, kind)


def _float32_keys(values: np.ndarray):
    """Keys of non-integral float64 values at float32 precision, and which became whole."""
    f32 = values.astype(np.float32)
    with np.errstate(invalid="ignore"):
        t = np.trunc(f32)
        whole = (t == f32) & (np.abs(f32) < _TWO63)
        keys = np.where(whole, t.astype(np.int64).view(np.uint64), f32.view(np.uint32).astype(np.uint64))
    return keys, whole


def _float_keys(col: pd.Series) -> np.ndarray:
    """:func:`_cell_keys` of a float column, without building its Canon (the common case)."""
    v = col.to_numpy(dtype="float64", na_value=np.nan)
    na = np.isnan(v)
    keys, whole = _float32_keys(v)
    kind = np.where(whole, np.uint8(_INT), np.uint8(_FLOAT))
    with np.errstate(invalid="ignore"):
        exact = (np.trunc(v) == v) & (np.abs(v) < _TWO63)
    if exact.any():  # whole float64 values compare as exact int64 (big ids stay apart)
        keys[exact] = v[exact].astype(np.int64).view(np.uint64)
        kind[exact] = _INT
    if na.any():
        keys[na] = 0
        kind[na] = _NA
    return _mixed(keys, kind)


def _fast_keys(col: pd.Series) -> np.ndarray | None:
    """Cell keys of the common column types without building a Canon; None for the rest."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        per_category = column_keys(pd.Series(dtype.categories))
        codes = col.cat.codes.to_numpy()
        return np.append(per_category, _mixed(np.zeros(1, np.uint64), _NA))[codes]  # -1: NA
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        values = col.to_numpy()
        keys = values.astype(np.uint64) if dtype.kind == "u" else values.astype(np.int64).view(np.uint64)
        return _mixed(keys, _INT)
    if pd.api.types.is_float_dtype(dtype):
        return _float_keys(col)
    if _is_text(col):  # hash each distinct string once (faster than hashing every cell)
        codes, uniques = pd.factorize(col)
        per_value = hash_pandas_object(pd.Series(np.asarray(uniques, dtype=object), dtype=object),
                                       index=False).to_numpy()
        na = codes < 0
        keys = np.append(per_value, np.uint64(0))[codes]  # -1 (missing) takes the appended 0
        return _mixed(keys, np.where(na, np.uint8(_NA), np.uint8(_TEXT)))
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
        out[:, j] = column_keys(_column(frame, j, name, columns))
    return out


def combine_hashes(per_column: np.ndarray) -> np.ndarray:
    """Fold per-column keys (rows x columns, already mixed) into one hash per row."""
    h = np.full(per_column.shape[0], _SEED, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(per_column.shape[1]):
            h *= _MIX
            h += per_column[:, j]
    return _avalanche(h)


def _column(frame: pd.DataFrame, j: int, name, columns) -> pd.Series:
    """Column ``name`` as a Series, also when the frame repeats that name."""
    col = frame[name]
    if isinstance(col, pd.DataFrame):  # duplicate names: take the j-th of them in order
        nth = list(columns)[:j].count(name)
        col = col.iloc[:, min(nth, col.shape[1] - 1)]
    return col


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
            keys = column_keys(_column(frame, j, name, columns))
            if keys_out is not None:
                keys_out[:, j] = keys
            h *= _MIX
            h += keys
    return _avalanche(h)


# -- confirming candidates by value ----------------------------------------------------------
def canonical_rows(frame: pd.DataFrame, columns: Sequence) -> list:
    """:func:`canonical` of each listed column (for a few candidate rows, not a whole pool)."""
    return [canonical(_column(frame, j, name, columns)) for j, name in enumerate(columns)]


def _cells_equal(a: Canon, ia: np.ndarray, b: Canon, ib: np.ndarray) -> np.ndarray:
    ka, kb = a.kind[ia], b.kind[ib]
    if a.f32 or b.f32:  # numbers at float32 precision: a downcast copy is still a copy
        def num(c, i, k):
            return np.where(k == _INT, c.ints[i].astype(np.float64), c.floats[i]).astype(np.float32)
        numeric_a, numeric_b = np.isin(ka, (_INT, _FLOAT)), np.isin(kb, (_INT, _FLOAT))
        same = numeric_a & numeric_b & (num(a, ia, ka) == num(b, ib, kb))
        other = ~numeric_a & (ka == kb)
    else:
        same = np.zeros(len(ia), bool)
        other = ka == kb
    eq = other & ((ka == _NA)
                  | (np.isin(ka, (_INT, _TIME, _SPAN)) & (a.ints[ia] == b.ints[ib]))
                  | ((ka == _FLOAT) & (a.floats[ia] == b.floats[ib])))
    if a.text is not None and b.text is not None:
        text = other & (ka == _TEXT)
        if text.any():
            eq[text] = a.text[ia[text]] == b.text[ib[text]]
    return same | eq


class _Sparse(list):
    """Canonical columns of some rows of a frame, addressed by the rows' frame positions."""

    def __init__(self, columns, positions):
        super().__init__(columns)
        self.where = pd.Index(positions)


def rows_equal(a: list, ia: np.ndarray, b: list, ib: np.ndarray) -> np.ndarray:
    """Row ``ia[k]`` of canonical rows ``a`` equals row ``ib[k]`` of ``b``, for every k."""
    ia = a.where.get_indexer(ia) if isinstance(a, _Sparse) else ia
    ib = b.where.get_indexer(ib) if isinstance(b, _Sparse) else ib
    eq = np.ones(len(ia), bool)
    for ca, cb in zip(a, b):
        live = np.flatnonzero(eq)
        if not len(live):
            break
        eq[live] = _cells_equal(ca, ia[live], cb, ib[live])
    return eq


@dataclass(frozen=True)
class Twins:
    """Confirmed twins between a small frame ``a`` (validation) and a frame ``b``.

    ``a_mask``: rows of ``a`` with an equal row in ``b``; ``b_positions``: positions of the
    rows of ``b`` equal to some row of ``a`` (sorted); ``a_group``: per row of ``a``, a code
    shared by rows with equal features (-1 without a twin), so distinct twin vectors can be
    counted; ``n_candidates``: rows of ``b`` whose hash matched (before confirmation).
    """

    a_mask: np.ndarray
    b_positions: np.ndarray
    a_group: np.ndarray
    n_candidates: int
    b_group: np.ndarray = None  # per row of b_positions: the a_group it equals

    def b_counts(self) -> pd.Series:
        """Per a_group code, how many rows of ``b`` equal it."""
        return pd.Series(self.b_group).value_counts()

    @property
    def n_distinct(self) -> int:
        """Distinct feature vectors among ``a``'s twinned rows."""
        return len(np.unique(self.a_group[self.a_group >= 0]))


def _probe(small: np.ndarray, big: np.ndarray) -> np.ndarray:
    """Positions of ``big`` whose value occurs in ``small`` (one pass over ``big``)."""
    return np.flatnonzero(pd.Index(big).isin(pd.unique(small)))


def twins(a: pd.DataFrame, a_h: np.ndarray, b: pd.DataFrame, b_h: np.ndarray, columns: Sequence,
          a_rows: list | None = None) -> Twins:
    """Rows of ``a`` and ``b`` with equal features: hash candidates, confirmed by value.

    Candidates of one hash are compared with that hash's first row of ``a``; rows that
    differ from it (a hash collision, about 2**-64 a pair) are compared pair by pair.
    ``a_rows`` may pass ``canonical_rows(a, columns)`` computed once for several calls.
    """
    n_a = len(a)
    none = Twins(np.zeros(n_a, bool), np.empty(0, np.int64), np.full(n_a, -1), 0,
                 np.empty(0, np.int64))
    if b is None or not len(b) or not n_a:
        return none
    b_pos = _probe(a_h, b_h)
    if not len(b_pos):
        return none
    a_pos = _probe(b_h[b_pos], a_h)
    if a_rows is None:  # canonical values of the candidate rows only, at their positions
        a_rows = _Sparse(canonical_rows(a.iloc[a_pos], columns), a_pos)
    b_rows = canonical_rows(b.iloc[b_pos], columns)
    first = pd.Series(a_pos).groupby(a_h[a_pos], sort=False).first()
    rep_a = first.reindex(a_h[a_pos]).to_numpy()  # each candidate a row's representative
    rep_b = first.reindex(b_h[b_pos]).to_numpy()
    a_ok = rows_equal(a_rows, a_pos, a_rows, rep_a)
    b_ok = rows_equal(a_rows, rep_b, b_rows, np.arange(len(b_pos)))
    # a representative is twinned when some b row equals it; its equal a rows follow
    twinned_reps = np.unique(rep_b[b_ok])
    a_hit = a_ok & np.isin(rep_a, twinned_reps)
    group = np.full(n_a, -1)
    group[a_pos[a_hit]] = rep_a[a_hit]
    b_hit = b_ok.copy()
    b_group = np.where(b_ok, rep_b, -1)
    # collisions: rows that differ from their hash's representative, compared pair by pair
    odd_a, odd_b = a_pos[~a_ok], np.flatnonzero(~b_ok)
    for i in odd_a:
        same_hash = np.flatnonzero(b_h[b_pos] == a_h[i])
        eq = rows_equal(a_rows, np.full(len(same_hash), i), b_rows, same_hash)
        if eq.any():
            group[i] = i
            b_hit[same_hash[eq]] = True
            b_group[same_hash[eq]] = i
    for k in odd_b:
        same_hash = a_pos[a_h[a_pos] == b_h[b_pos[k]]]
        eq = rows_equal(a_rows, same_hash, b_rows, np.full(len(same_hash), k))
        if eq.any():
            b_hit[k] = True
            for i in same_hash[eq]:
                group[i] = i if group[i] < 0 else group[i]
            b_group[k] = group[same_hash[eq][0]]
    mask = group >= 0
    return Twins(mask, b_pos[b_hit], group, len(b_pos), b_group[b_hit])


def equal_within(frame: pd.DataFrame, h: np.ndarray, columns: Sequence, positions: np.ndarray) -> np.ndarray:
    """For rows at ``positions``, whether each equals the first row of ``frame`` with its hash.

    Confirms "these rows are duplicates of each other" inside one frame (a hash group whose
    rows all equal its first row holds one feature vector).
    """
    if not len(positions):
        return np.ones(0, bool)
    first = pd.Series(positions).groupby(h[positions], sort=False).first()
    rep = first.reindex(h[positions]).to_numpy()
    take = np.unique(np.concatenate([positions, rep]))
    rows = canonical_rows(frame.iloc[take], columns)
    where = pd.Index(take)
    return rows_equal(rows, where.get_indexer(positions), rows, where.get_indexer(rep))
