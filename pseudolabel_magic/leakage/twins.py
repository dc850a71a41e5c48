"""Twins: rows of two frames with equal features, found by hash and confirmed by value.

A hash match is only a candidate; every candidate is compared value by value
(:func:`pseudolabel_magic.leakage.canon.rows_equal`), so a hash collision never counts as a twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .canon import RowSubset, canonical_rows, rows_equal


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
        a_rows = RowSubset(canonical_rows(a.iloc[a_pos], columns), a_pos)
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
