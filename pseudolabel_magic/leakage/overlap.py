"""Validation against train and the pool: shared index labels and identical rows.

Identical rows are told apart from copies (see :mod:`pseudolabel_magic.leakage.twinrate`): twins
in the pool are kept out of the student and only warn; twins in train warn and are scored
apart, and fail only when far more than chance explains. Index labels count as identity
only when they are identities (see :func:`identity`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .hashing import row_hashes
from .labels import article, frame_examples, isin, pct, shared
from .records import Check
from .twinrate import (
    Reference,
    expected_extra_copies,
    far_more,
    hash_counts,
    tail_probability,
)
from .twins import Twins, twins


def identity(index: pd.Index) -> bool:
    """Index labels that identify rows: unique, and not a numbering.

    Two frames read separately are both numbered (0..n-1, or 1..n in R-made tables, or
    such a numbering with gaps after filtering), ``pd.concat`` without ``ignore_index``
    repeats labels: such labels say nothing about which row is which. A numbering is an
    integer index whose values stay below ten times its length (ids such as customer
    numbers are sparse; the labels of a few rows taken from a big frame are too).
    """
    return index.is_unique and not _numbering(index)


def _numbering(index: pd.Index) -> bool:
    if isinstance(index, pd.MultiIndex) or not pd.api.types.is_integer_dtype(index.dtype):
        return False
    if not len(index):
        return True
    low, high = index.min(), index.max()
    return bool(low >= 0 and high < 10 * len(index) + 10)


def _same_label_twins(val, other, tw: Twins) -> np.ndarray:
    """Validation rows sharing an index label with an identical row of ``other``."""
    if not tw.a_mask.any():
        return np.zeros(len(val), bool)
    theirs = pd.MultiIndex.from_arrays([pd.Index(other.index[tw.b_positions], dtype=object),
                                        pd.Index(tw.b_group)])
    ours = pd.MultiIndex.from_arrays([pd.Index(val.index, dtype=object), pd.Index(tw.a_group)])
    return np.asarray(ours.isin(theirs)) & tw.a_mask


def _index_check(name, val, other, side, tw: Twins, *, neutralised: bool,
                 same_label_expected: float | None = None):
    """Shared index labels, judged by whether the labels identify rows.

    Labels identify rows when unique and not a default 0..n-1 range; then a shared label is
    the same row in both sets (train: fail; the pool: those rows are kept out of the
    student). Otherwise only shared labels whose rows are also identical count, and they
    only warn: two files numbered from 0 of a low-cardinality table share many labels and,
    by chance, many identical rows, which the content check judges against chance. Returns
    the check, the validation rows whose identity label the pool shares (kept out), and
    every shared label (ambiguous in a fit log: the after-run check cannot tell which set's
    row such a label named, and this check already judged it).
    """
    none = np.zeros(len(val), bool)
    if other is None:
        return Check(name, "pass", f"There is no {side} set to compare index labels with.", 0), none, none
    on_both = shared(val.index, other.index)
    by_id = identity(val.index) and identity(other.index)
    same = on_both & _same_label_twins(val, other, tw)
    hit = on_both if by_id else same
    n, n_same = int(hit.sum()), int(same.sum())
    if not n:
        why = "" if by_id or not on_both.any() else (
            f" ({int(on_both.sum()):,} labels are shared, but "
            + ("repeated labels" if not (val.index.is_unique and other.index.is_unique)
               else "numbered rows (0..n-1, 1..n)") + " carry no identity and those rows differ)")
        return Check(name, "pass", f"No validation row shares its index label with an identical "
                     f"{side} row{why}; rule: a label that identifies a row is never shared.", 0), \
            none, on_both
    detail = (f"{pct(n, len(val))} share an index label with {article(side)} row"
              f" ({n_same:,} of them identical in every feature)")
    if neutralised:
        detail += (f"; those {side} rows are kept out of the student's training set (they are "
                   "still predicted).")
        status = "warn"
    elif by_id:
        detail += ("; labels that identify rows (unique, not a numbering) put the same "
                   f"row in both sets. Fix: split once, or drop them ({side}.drop(validation.index, "
                   "errors='ignore')); if the frames were numbered separately, renumber one of "
                   f"them ({side}.reset_index(drop=True)).")
        status = "fail"
    else:  # labels without identity: identical rows at equal labels are judged as twins
        detail += ("; these labels carry no identity (numbered rows or repeated labels), so "
                   "validation_rows_in_train judges the identical rows against chance")
        status = "warn"
        if same_label_expected is not None and far_more(n_same, same_label_expected):
            detail += (f", but identical rows at equal labels are far more than chance explains "
                       f"({same_label_expected:.1f} expected): the validation rows are inside "
                       f"{side}. Fix: split once, or drop them from {side}")
            status = "fail"
        detail += "."
    ex = frame_examples(val, hit, side, lambda pos: val.index[pos])
    return Check(name, status, detail, n, ex), (hit if by_id else same), on_both


def _twin_labels(tw: Twins, other):
    """For validation positions, the index label of one identical row of ``other``."""
    first = pd.Series(tw.b_positions).groupby(tw.b_group).first()
    return lambda pos: list(other.index[first.reindex(tw.a_group[pos]).to_numpy().astype(np.int64)])


def _twin_detail(n_rows, n_distinct, expected, side, ref: Reference) -> str:
    return (
        f"{n_rows:,} validation rows ({n_distinct:,} distinct feature vectors) have an identical "
        f"row in {side} under any index label (label excluded, NaN equal to NaN, confirmed "
        f"value by value); the {ref.name}'s own duplicate rate explains {expected:.1f} "
        "distinct vectors")


def _train_content_check(val, train, tw: Twins, expected: float, ref: Reference) -> Check:
    n, d = int(tw.a_mask.sum()), tw.n_distinct
    name = "validation_rows_in_train"
    if not n:
        return Check(name, "pass", f"No validation row has an identical row in train "
                      f"(the {ref.name}'s duplicate rate explains {expected:.1f}).", 0)
    detail = _twin_detail(n, d, expected, "train", ref)
    if far_more(d, expected):
        detail += (f"; far more than chance (p = {tail_probability(d, expected):.1g}): rows were "
                   "copied or oversampled before the split. Fix: split first, then copy or "
                   "oversample train only (or pass one frame and let pl.run split it).")
        status = "fail"
    else:
        detail += ("; within chance for a table with natural duplicates, so the run goes on and "
                   "teacher and student are also scored on the validation rows without a twin.")
        status = "warn"
    ex = frame_examples(val, tw.a_mask, "train", _twin_labels(tw, train))
    return Check(name, status, detail, n, ex)


def _unlabeled_content_check(val, unlabeled, tw: Twins, expected: float, ref: Reference, same_table) -> tuple[Check, bool]:
    n, d = int(tw.a_mask.sum()), tw.n_distinct
    name = "validation_rows_in_unlabeled"
    if not n:
        return Check(name, "pass", "No validation row has an identical row in the unlabeled set.", 0), False
    detail = _twin_detail(n, d, expected, "the unlabeled set", ref)
    detail += (f"; the {len(tw.b_positions):,} unlabeled rows equal to them are kept out of the "
               "student's training set (they are still predicted).")
    share = len(tw.b_positions) / max(ref.n, 1)
    if share > 0.5:
        detail += (f" That is {share:.0%} of the pool: few pseudo-labels are left to add (a table "
                   "of few distinct rows repeats its validation rows everywhere).")
    mistake = far_more(d, expected)
    if mistake:
        detail += (" Far more than chance: the unlabeled pool contains the labeled rows? Pass only "
                   "the rows without a label as unlabeled (or leave unlabeled=None and the rows with "
                   "a missing target are used).")
    elif same_table:
        detail += " They come from the same frame: duplicates in your data, not copies."
    return Check(name, "warn", detail, n, frame_examples(
        val, tw.a_mask, "unlabeled", _twin_labels(tw, unlabeled))), mistake


def _vector_ids(val_h: np.ndarray) -> np.ndarray:
    """One code per distinct validation feature vector (by hash: only for expectations)."""
    return pd.factorize(val_h)[0]


def _counts_per_row(tw: Twins, n: int) -> np.ndarray:
    """Per validation row, how many rows of the other set are identical to it."""
    out = np.zeros(n)
    if tw.a_mask.any():
        counts = tw.b_counts()
        out[tw.a_mask] = counts.reindex(tw.a_group[tw.a_mask]).fillna(0).to_numpy()
    return out


def _expected(ids: np.ndarray, counts: np.ndarray, ref: Reference, m: int) -> float:
    """Distinct validation vectors expected to occur in a sample of ``m`` rows by chance."""
    if not len(ids):
        return 0.0
    per_vector = pd.Series(counts).groupby(ids).max().to_numpy()
    return float(ref.chance_in_sample(per_vector, m).sum())


def labeled_duplicates_check(train_h, val_h, pool: Reference | None, pool_counts) -> Check:
    """Labeled rows repeated far more often than pool rows: oversampling or copying."""
    name = "labeled_duplicates"
    n = len(train_h) + len(val_h)
    extra = n - len(hash_counts(np.concatenate([train_h, val_h])))
    if pool is None:
        return Check(name, "pass", f"{extra:,} of {n:,} labeled rows repeat an earlier one; no "
                     "unlabeled pool to compare the duplicate rate with (none given, or it is no "
                     "reference: see validation_rows_in_train).", 0)
    expected = expected_extra_copies(pool_counts, pool.n, n)
    detail = (f"{extra:,} of {n:,} labeled rows repeat an earlier labeled row; a sample of the "
              f"unlabeled pool of that size repeats {expected:.1f}")
    if far_more(extra, expected):
        detail += ("; far more than chance: were labeled rows oversampled or copied? Oversample "
                   "train only, after the split (pl.run's own split keeps identical rows together).")
        return Check(name, "warn", detail, extra)
    return Check(name, "pass", detail + "; rule: no more than the population's own rate.", 0)




@dataclass(frozen=True)
class _Expected:
    """What chance explains: distinct twin vectors in train and in the pool, and the chance
    that two rows drawn like the reference are identical."""

    pool: Reference | None
    pool_counts: np.ndarray | None
    train: float
    unlabeled: float
    train_reference: Reference
    p_equal: float


def _expectations(train_h, val_h, unl_h, pool_hashes, tw_train: Twins, tw_unl: Twins, n_val) -> _Expected:
    """The pool's own duplicate rate as the reference (train's without a pool).

    Leave-one-out where the pool evidently holds the validation rows themselves (their own
    copy must not count as a natural twin). Train's own duplicates are the reference when
    the pool has none at all, yet holds some validation vectors (not nearly all of them, which
    would be the labeled rows themselves) while train repeats rows: a deduplicated pool says
    nothing about how often rows repeat. The same when the pool repeats its own rows but
    holds none of validation's while train repeats rows: a pool from another period or
    place is not drawn like the labeled rows. Train's own repeats cannot reveal oversampling
    before the split, so these runs warn where a representative pool would refuse.
    """
    ids = _vector_ids(val_h)
    train_counts = hash_counts(train_h)
    train_ref = Reference(len(train_h), int(train_counts[train_counts > 1].sum()),
                          "train set (no unlabeled set given)")
    in_train = np.maximum(_counts_per_row(tw_train, n_val) - 1, 0)
    if unl_h is None:
        return _Expected(None, None, _expected(ids, in_train, train_ref, len(train_h)), 0.0,
                         train_ref, _p_equal(train_counts))
    all_pool = unl_h if pool_hashes is None else pool_hashes
    pool_counts = hash_counts(all_pool)
    pool = Reference(len(all_pool), int(pool_counts[pool_counts > 1].sum()), "unlabeled pool")
    in_pool = _counts_per_row(tw_unl, n_val)
    exp_unl = _expected(ids, np.maximum(in_pool - 1, 0), pool, pool.n)
    share_in_pool = float(tw_unl.a_mask.mean()) if n_val else 0.0
    deduplicated = (pool.n_with_twin == 0 and train_ref.n_with_twin > 0 and tw_unl.n_distinct >= 2
                    and share_in_pool < 0.9)  # natural repeats found once each, no repeat at all
    shifted = (pool.n_with_twin >= 0.01 * pool.n and train_ref.n_with_twin > 0
               and tw_unl.n_distinct == 0)  # both repeat rows, yet share none: not drawn alike
    if deduplicated or shifted:
        why = "deduplicated?" if deduplicated else "it shares no row with validation though both repeat rows"
        ref = Reference(train_ref.n, train_ref.n_with_twin,
                        f"train set (the unlabeled pool is no reference: {why})")
        return _Expected(pool, pool_counts, _expected(ids, in_train, ref, len(train_h)), exp_unl,
                         ref, _p_equal(train_counts))
    if far_more(tw_unl.n_distinct, exp_unl):  # the pool holds the validation rows themselves
        in_pool = np.maximum(in_pool - 1, 0)
    return _Expected(pool, pool_counts, _expected(ids, in_pool, pool, len(train_h)), exp_unl, pool,
                     _p_equal(pool_counts))


def _p_equal(counts: np.ndarray) -> float:
    """Chance that two distinct rows of a sample are identical (smoothed by one pair)."""
    counts = np.asarray(counts, dtype=float)
    n = counts.sum()
    return float((np.sum(counts * (counts - 1)) + 1) / (n * (n - 1) + 1))


@dataclass(frozen=True)
class Overlap:
    """What :func:`overlap_checks` found: four checks, the rows to keep out, the evidence."""

    checks: tuple
    train_h: np.ndarray
    val_h: np.ndarray
    keys: np.ndarray  # per-cell keys of train then validation rows (the target-proxy check)
    pool: Reference | None
    pool_counts: np.ndarray | None
    blocked: np.ndarray  # pool positions kept out of every student
    twins: dict
    train_twins: np.ndarray
    twins_explained: bool
    ambiguous: dict
    train_twin_hashes: pd.Series
    pool_twin_hashes: pd.Series


@dataclass(frozen=True)
class Hashed:
    """Row hashes of one split, computed once (cross-fitting shares them across folds)."""

    train: np.ndarray
    validation: np.ndarray
    keys: np.ndarray  # (train rows + validation rows, features) cell keys, train first
    unlabeled: np.ndarray | None


def hash_split(train, validation, unlabeled, features) -> Hashed:
    """The row hashes (and the labeled rows' cell keys) the overlap checks compare."""
    keys = np.empty((len(train) + len(validation), len(features)), dtype=np.uint64, order="F")
    return Hashed(train=row_hashes(train, features, keys_out=keys[:len(train)]),
                  validation=row_hashes(validation, features, keys_out=keys[len(train):]),
                  keys=keys,
                  unlabeled=row_hashes(unlabeled, features) if unlabeled is not None else None)


def overlap_checks(train, validation, unlabeled, features, *, unlabeled_from_labeled, pool_hashes,
                   hashed: Hashed | None = None) -> Overlap:
    """Index-label and identical-row checks of validation against train and the pool.

    ``hashed`` are the frames' hashes when the caller already has them (:func:`hash_split`).
    """
    if hashed is None:
        hashed = hash_split(train, validation, unlabeled, features)
    # per-cell keys of the labeled rows are kept for the target-proxy check
    train_h, val_h, unl_h, lab_ch = hashed.train, hashed.validation, hashed.unlabeled, hashed.keys
    tw_train = twins(validation, val_h, train, train_h, features)
    tw_unl = twins(validation, val_h, unlabeled, unl_h, features)

    exp = _expectations(train_h, val_h, unl_h, pool_hashes, tw_train, tw_unl, len(validation))
    idx_train, _, ambiguous_train = _index_check(
        "validation_index_in_train", validation, train, "train", tw_train, neutralised=False,
        same_label_expected=exp.p_equal * int(shared(validation.index, train.index).sum()))
    idx_unl, unl_identity_hit, ambiguous_unl = _index_check(
        "validation_index_in_unlabeled", validation, unlabeled, "unlabeled", tw_unl, neutralised=True)
    pool, pool_counts, exp_train, exp_unl, train_ref = (exp.pool, exp.pool_counts, exp.train,
                                                        exp.unlabeled, exp.train_reference)
    content_train = _train_content_check(validation, train, tw_train, exp_train, train_ref)
    content_unl, pool_has_labeled = _unlabeled_content_check(
        validation, unlabeled, tw_unl, exp_unl, pool, unlabeled_from_labeled) \
        if unlabeled is not None else (Check("validation_rows_in_unlabeled", "pass",
                                              "There is no unlabeled set to compare row contents with.", 0), False)
    checks = (idx_train, idx_unl, content_train, content_unl)
    blocked = np.union1d(tw_unl.b_positions, _label_positions(unlabeled, validation.index[unl_identity_hit]))
    info = {
        "train": {"rows": int(tw_train.a_mask.sum()), "distinct": tw_train.n_distinct,
                  "expected": exp_train, "far_more": content_train.status == "fail",
                  "reference": train_ref.name},
        "unlabeled": {"rows": int(tw_unl.a_mask.sum()), "distinct": tw_unl.n_distinct,
                      "expected": exp_unl, "far_more": pool_has_labeled,
                      "kept_out": int(len(blocked))},
    }
    pool_twins = (pd.Series(unl_h[blocked], index=unlabeled.index[blocked])
                  if unlabeled is not None else pd.Series([], dtype=np.uint64))
    return Overlap(
        checks=checks, train_h=train_h, val_h=val_h, keys=lab_ch,
        pool=pool if train_ref is pool else None,  # no reference: no duplicate-rate verdicts
        pool_counts=pool_counts, blocked=blocked, twins=info, train_twins=tw_train.a_mask,
        twins_explained=content_train.status != "fail",
        ambiguous={"train": ambiguous_train, "unlabeled": ambiguous_unl},
        train_twin_hashes=pd.Series(train_h[tw_train.b_positions], index=train.index[tw_train.b_positions]),
        pool_twin_hashes=pool_twins)


def _label_positions(frame, labels) -> np.ndarray:
    if frame is None or not len(labels):
        return np.empty(0, np.int64)
    return np.flatnonzero(isin(frame.index, labels))
