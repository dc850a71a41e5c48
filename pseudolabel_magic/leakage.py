"""Leakage checks: prove the validation rows stayed outside every fit.

A pseudo-label run has more ways to leak than a plain fit: validation rows can hide in the
unlabeled pool under new index labels, get pseudo-labelled and train the student. So rows
are compared by index label *and* by content (a hash of the feature columns only, never the
label, NaN equal to NaN), and after the run the engine's ``fit_log`` is checked too.
Every check is O(rows x columns): hashing plus set intersection.

Checks (stable names; ``fail`` stops ``pl.run`` unless ``allow_leakage=True``):

``validation_index_in_train`` (fail)
    validation index labels that also label a train row.
``validation_index_in_unlabeled`` (fail; warn when the unlabeled set has a default
    ``RangeIndex``, whose labels carry no identity and coincide by chance)
    validation index labels that also label an unlabeled row.
``validation_rows_in_train`` / ``validation_rows_in_unlabeled`` (fail)
    validation rows whose feature values occur in train / the unlabeled set, under any label.
    When the unlabeled rows are the missing-target rows of the labeled frame itself
    (``unlabeled_from_labeled=True``), shared contents are duplicates inside one table, not
    copies, so ``validation_rows_in_unlabeled`` warns, and ``pl.run`` keeps those unlabeled
    rows out of every student's training set (they are still predicted).
``shared_id`` / ``shared_group`` (only with ``id_col`` / ``group_col``)
    validation rows whose id / group value also occurs in train (fail) or only in the
    unlabeled set (warn: a transductive overlap; the student sees those rows' features and
    pseudo-labels, never validation's labels, and a frame's unlabeled rows share its groups).
``time_order`` (fail; only with ``time_col``)
    validation rows dated before the latest train row.
``target_proxy`` (warn)
    features equal to the target, or determining it exactly on the labeled rows while
    taking at most half as many values as there are rows (a feature with a value per row
    "determines" any target trivially). ``count`` is the number of such features.
``conflicting_labels`` (warn)
    labeled rows (train + validation) whose identical feature values carry different labels.
``target_in_unlabeled`` (warn)
    non-missing target values in the unlabeled set: are these rows really unlabeled?

After the run (:meth:`LeakageReport.with_fit_log`):

``teacher_fit_saw_validation`` / ``student_fit_saw_validation`` (fail)
    validation rows that reached a teacher / student fit, by index label or by content.
``preprocessing_fit_saw_validation`` (fail)
    the same for helper fits (roles other than teacher/student) and every fit that carries
    preprocessing, since a pipeline's scaler or imputer is fit on exactly the fit's rows.
``metrics_on_true_labels`` (fail; warn when nothing was scored)
    scored rows that are not validation rows, or whose ``y_true`` differs from validation's
    true target.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .errors import PseudoLabelError, did_you_mean
from .hashing import Twins, column_hashes, combine_hashes, equal_within, row_hashes, twins
from .twinrate import Reference, expected_extra_copies, far_more, tail_probability
from .leakage_report import (
    FIREWALL_KEYS,
    FIREWALL_ROWS,
    LeakageReport,
    _Check,
    _Evidence,
)

N_EXAMPLES = 5


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _pct(n: int, total: int) -> str:
    return f"{n:,} of {total:,} validation rows ({100.0 * n / total if total else 0.0:.1f}%)"


def _isin(values, other) -> np.ndarray:
    """``values.isin(other)`` as a bool array, also for mixed-type labels.

    pandas' Arrow-backed strings refuse to compare with non-string labels, so on a type
    error both sides fall back to plain object arrays.
    """
    values = values if isinstance(values, (pd.Index, pd.Series)) else pd.Index(values)
    try:
        return np.asarray(values.isin(other), dtype=bool)
    except TypeError:
        objects = pd.Index(np.asarray(values, dtype=object), dtype=object)
        return np.asarray(objects.isin(np.asarray(pd.Index(other), dtype=object)), dtype=bool)


def _shared(small, big) -> np.ndarray:
    """``small.isin(big)`` for a few validation labels against a huge set.

    Hashing the small side and probing it with the big one is one pass over the big side,
    instead of building a hash table of millions of labels.
    """
    big = big if isinstance(big, (pd.Index, pd.Series)) else pd.Index(big)
    return _isin(small, big[_isin(big, small)])


def _labelled(rows: pd.DataFrame, **labels) -> pd.DataFrame:
    """``rows`` with index-label columns in front (a user column of the same name may stay)."""
    front = pd.DataFrame({name: pd.Series(list(values), dtype=object) for name, values in labels.items()})
    return pd.concat([front, rows.reset_index(drop=True)], axis=1)


def _frame_examples(val: pd.DataFrame, hit: np.ndarray, side: str, other_labels) -> pd.DataFrame:
    """The first offending validation rows, with the index label on each side in front."""
    pos = np.flatnonzero(hit)[:N_EXAMPLES]
    return _labelled(val.iloc[pos], validation_index=val.index[pos],
                     **{f"{side}_index": other_labels(pos)})


def _rows_example(frame: pd.DataFrame, hit: np.ndarray, label: str) -> pd.DataFrame:
    pos = np.flatnonzero(hit)[:N_EXAMPLES]
    return _labelled(frame.iloc[pos], **{label: frame.index[pos]})


def _identity(index: pd.Index) -> bool:
    """Index labels that identify rows: unique, and not a default 0, 1, 2, ... range.

    Two frames read separately both start at 0, and ``pd.concat`` without
    ``ignore_index`` repeats labels: such labels say nothing about which row is which.
    """
    return index.is_unique and not _fresh_range(index)


def _fresh_range(index: pd.Index) -> bool:
    """A default 0, 1, 2, ... index, as a frame read from a file gets: labels without identity."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _same_label_twins(val, other, tw: Twins) -> np.ndarray:
    """Validation rows sharing an index label with an identical row of ``other``."""
    if not tw.a_mask.any():
        return np.zeros(len(val), bool)
    theirs = pd.MultiIndex.from_arrays([pd.Index(other.index[tw.b_positions], dtype=object),
                                        pd.Index(tw.b_group)])
    ours = pd.MultiIndex.from_arrays([pd.Index(val.index, dtype=object), pd.Index(tw.a_group)])
    return np.asarray(ours.isin(theirs)) & tw.a_mask


def _index_check(name, val, other, side, tw: Twins, *, neutralised: bool):
    """Shared index labels, judged by whether the labels identify rows.

    Labels identify rows when unique and not a default 0..n-1 range; then a shared label is
    the same row in both sets (train: fail; the pool: those rows are kept out of the
    student). Otherwise only shared labels whose rows are also identical count, and they
    only warn: two files numbered from 0 of a low-cardinality table share many labels and,
    by chance, many identical rows, which the content check judges against chance. Returns the check, the validation rows whose identity label the pool
    shares (kept out), and every shared label (ambiguous in a fit log: the after-run check
    cannot tell which set's row such a label named, and this check already judged it).
    """
    none = np.zeros(len(val), bool)
    if other is None:
        return _Check(name, "pass", f"There is no {side} set to compare index labels with.", 0), none, none
    shared = _shared(val.index, other.index)
    identity = _identity(val.index) and _identity(other.index)
    same = shared & _same_label_twins(val, other, tw)
    hit = shared if identity else same
    n, n_same = int(hit.sum()), int(same.sum())
    fix_numbering = (f"if the frames were numbered separately, renumber one of them "
                     f"({side}.reset_index(drop=True))")
    if not n:
        why = "" if identity or not shared.any() else (
            f" ({int(shared.sum()):,} labels are shared, but "
            + ("a default 0..n-1 index" if _fresh_range(val.index) or _fresh_range(other.index)
               else "repeated labels") + " carry no identity and those rows differ)")
        return _Check(name, "pass", f"No validation row shares its index label with an identical "
                      f"{side} row{why}; rule: a label that identifies a row is never shared.", 0), \
            none, shared
    detail = (f"{_pct(n, len(val))} share an index label with {_a(side)} row"
              f" ({n_same:,} of them identical in every feature)")
    if neutralised:
        detail += (f"; those {side} rows are kept out of the student's training set (they are "
                   "still predicted).")
        status = "warn"
    elif identity:
        detail += ("; labels that identify rows (unique, not a default 0..n-1 range) put the same "
                   f"row in both sets. Fix: split once, or drop them ({side}.drop(validation.index, "
                   f"errors='ignore')); {fix_numbering}.")
        status = "fail"
    else:  # labels without identity: identical rows at equal labels are judged as twins
        detail += (f"; these labels carry no identity (a default 0..n-1 index or repeated labels), "
                   "so validation_rows_in_train judges the identical rows against chance.")
        status = "warn"
    ex = _frame_examples(val, hit, side, lambda pos: val.index[pos])
    return _Check(name, status, detail, n, ex), (hit if identity else same), shared


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


def _train_content_check(val, train, tw: Twins, expected: float, ref: Reference) -> _Check:
    n, d = int(tw.a_mask.sum()), tw.n_distinct
    name = "validation_rows_in_train"
    if not n:
        return _Check(name, "pass", f"No validation row has an identical row in train "
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
    ex = _frame_examples(val, tw.a_mask, "train", _twin_labels(tw, train))
    return _Check(name, status, detail, n, ex)


def _unlabeled_content_check(val, unlabeled, tw: Twins, expected: float, ref: Reference, same_table) -> tuple[_Check, bool]:
    n, d = int(tw.a_mask.sum()), tw.n_distinct
    name = "validation_rows_in_unlabeled"
    if not n:
        return _Check(name, "pass", "No validation row has an identical row in the unlabeled set.", 0), False
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
    return _Check(name, "warn", detail, n, _frame_examples(
        val, tw.a_mask, "unlabeled", _twin_labels(tw, unlabeled))), mistake


def _key_check(name, kind, col, val, train, unlabeled) -> tuple[_Check, dict]:
    """Validation rows whose id/group value also occurs in train or the unlabeled set."""
    v = val[col]
    present = v.notna().to_numpy()
    per_side, hit = {}, np.zeros(len(val), bool)
    for side, other in (("train", train), ("unlabeled", unlabeled)):
        if other is None or col not in other:
            per_side[side] = None
            continue
        side_hit = _isin(v, other[col].dropna()) & present
        per_side[side] = int(side_hit.sum())
        hit |= side_hit
    n = int(hit.sum())
    sides = ", ".join(f"{s} {c:,}" for s, c in per_side.items() if c is not None)
    detail = (f"{_pct(n, len(val))} share a {kind} value of column {col!r} with another split "
              f"({sides}); rule: no {kind} may be in both train and validation (sharing with "
              "the unlabeled set only warns: the student sees those rows, never their labels).")
    ex = None
    if n:
        ex = _rows_example(val, hit, "validation_index")
    status = "fail" if per_side["train"] else ("warn" if n else "pass")
    return _Check(name, status, detail, n, ex), per_side


def _time_check(col, val, train) -> _Check:
    latest = train[col].max()
    hit = (val[col] < latest).to_numpy(dtype=bool, na_value=False) if pd.notna(latest) else np.zeros(len(val), bool)
    n = int(hit.sum())
    detail = (f"{_pct(n, len(val))} are dated before the latest train row ({col!r} = {latest}); "
              "rule: validation must come after everything the models learn from.")
    ex = None
    if n:
        ex = _rows_example(val, hit, "validation_index")
    return _Check("time_order", "fail" if n else "pass", detail, n, ex)


def _n_unique(values: np.ndarray) -> int:
    return len(pd.unique(values))


_PROBE = 5_000


def _determines(col_h: np.ndarray, y_h: np.ndarray) -> bool:
    """True when every value of the column comes with a single label."""
    return _n_unique(combine_hashes(np.column_stack([col_h, y_h]))) == _n_unique(col_h)


def _proxy_check(features, col_h, y_h, labeled: pd.DataFrame, target) -> _Check:
    """Features that equal or determine the target exactly on the labeled rows."""
    n = len(y_h)
    n_classes = _n_unique(y_h)
    flagged = []
    for j, name in enumerate(features):
        c = col_h[:, j]
        if n and np.array_equal(c, y_h):
            flagged.append((name, "equals the target"))
            continue
        if n_classes < 2 or not _determines(c[:_PROBE], y_h[:_PROBE]):
            continue  # a counterexample among the first rows settles it cheaply
        n_values = _n_unique(c)
        if n_values <= n / 2 and _determines(c, y_h):
            flagged.append((name, f"determines the target ({n_values:,} values, one label each)"))
    if not flagged:
        detail = (f"No feature equals or determines {target!r} exactly on the {n:,} labeled rows; "
                  "rule: a feature that does is likely a copy of the answer.")
        return _Check("target_proxy", "pass", detail, 0)
    what = "; ".join(f"{name!r} {why}" for name, why in flagged)
    detail = (f"{len(flagged)} feature(s) on the {n:,} labeled rows: {what}; "
              "rule: a feature that does is likely a copy of the answer.")
    names = [name for name, _ in flagged]
    ex = _rows_example(labeled[names + [target]], np.ones(len(labeled), bool), "labeled_index")
    return _Check("target_proxy", "warn", detail, len(flagged), ex)


def _conflict_check(row_h, y_h, labeled: pd.DataFrame, target, features) -> _Check:
    pairs = pd.DataFrame({"h": row_h, "y": y_h}).drop_duplicates()
    repeated = pairs["h"][pairs["h"].duplicated()].unique()
    pos = np.flatnonzero(np.isin(row_h, repeated))
    pos = pos[equal_within(labeled, row_h, features, pos)]  # a hash match is only a candidate
    mixed = pd.DataFrame({"h": row_h[pos], "y": y_h[pos]}).groupby("h")["y"].nunique()
    hit = np.zeros(len(row_h), bool)
    hit[pos[np.isin(row_h[pos], mixed.index[mixed > 1])]] = True
    n = int(hit.sum())
    detail = (f"{n:,} of {len(row_h):,} labeled rows have identical feature values but different "
              f"{target!r} labels; rule: identical inputs should carry one label.")
    ex = None
    if n:
        ex = _rows_example(labeled, hit, "labeled_index")
    return _Check("conflicting_labels", "warn" if n else "pass", detail, n, ex)


def _target_in_unlabeled(unlabeled, target) -> _Check:
    present = unlabeled is not None and target in unlabeled
    n = int(unlabeled[target].notna().sum()) if present else 0
    total = 0 if unlabeled is None else len(unlabeled)
    detail = (f"{n:,} of {total:,} unlabeled rows have a value in the target column {target!r}; "
              "rule: unlabeled rows should have none (are these rows really unlabeled?).")
    ex = None
    if n:
        ex = _rows_example(unlabeled, unlabeled[target].notna().to_numpy(), "unlabeled_index")
    return _Check("target_in_unlabeled", "warn" if n else "pass", detail, n, ex)


def _need(frame: pd.DataFrame, col, role: str, what: str) -> None:
    if col not in frame:
        raise PseudoLabelError(
            f"{role} {col!r} is not a column of the {what} frame.{did_you_mean(col, frame.columns)}")


def _default_features(frames, exclude) -> list:
    shared = [c for c in frames[0].columns if all(c in f for f in frames[1:])]
    return [c for c in shared if c not in exclude]


def _vector_ids(val_h: np.ndarray) -> np.ndarray:
    """One code per distinct validation feature vector (by hash: only for expectations)."""
    return np.unique(val_h, return_inverse=True)[1]


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


def _labeled_duplicates_check(train_h, val_h, pool: Reference | None, pool_counts) -> _Check:
    """Labeled rows repeated far more often than pool rows: oversampling or copying."""
    name = "labeled_duplicates"
    n = len(train_h) + len(val_h)
    extra = n - _n_unique(np.concatenate([train_h, val_h]))
    if pool is None:
        return _Check(name, "pass", f"{extra:,} of {n:,} labeled rows repeat an earlier one; there "
                      "is no unlabeled set to compare the duplicate rate with.", 0)
    expected = expected_extra_copies(pool_counts, pool.n, n)
    detail = (f"{extra:,} of {n:,} labeled rows repeat an earlier labeled row; a sample of the "
              f"unlabeled pool of that size repeats {expected:.1f}")
    if far_more(extra, expected):
        detail += ("; far more than chance: were labeled rows oversampled or copied? Oversample "
                   "train only, after the split (pl.run's own split keeps identical rows together).")
        return _Check(name, "warn", detail, extra)
    return _Check(name, "pass", detail + "; rule: no more than the population's own rate.", 0)


def check_leakage(train: pd.DataFrame, validation: pd.DataFrame,
                  unlabeled: pd.DataFrame | None = None, *, target, features: Sequence | None = None,
                  group_col=None, time_col=None, id_col=None,
                  unlabeled_from_labeled: bool = False, pool_hashes: np.ndarray | None = None
                  ) -> "LeakageReport":
    """Run the before-fit checks and return a :class:`LeakageReport` (see the module docstring).

    Parameters
    ----------
    train, validation : pandas.DataFrame
        The labeled rows that fit models, and the labeled rows that only score them.
    unlabeled : pandas.DataFrame or None
        The pool to pseudo-label; also the reference for how often rows repeat by chance.
    target : column label
        The label column (never hashed).
    features : sequence of column labels, optional
        Columns compared by content; by default every column shared by the frames except
        the target, group, time and id columns.
    group_col, time_col, id_col : column label, optional
        Declared groups, times and ids, checked across the splits.
    unlabeled_from_labeled : bool
        The unlabeled rows are the missing-target rows of the frame train and validation
        come from (their duplicates are the user's own, not copies).
    pool_hashes : numpy.ndarray of uint64, optional
        Row hashes of the *whole* pool when ``unlabeled`` holds only its suspect rows
        (the Dask path); by default the hashes of ``unlabeled``.

    Returns
    -------
    LeakageReport
        ``report.ok`` is False when a check failed; ``report.checks`` is the table.

    Raises
    ------
    PseudoLabelError
        A named column is missing from a frame.

    References
    ----------
    Kaufman, Rosset, Perlich & Stitelman (2012), "Leakage in data mining: formulation,
    detection, and avoidance", ACM TKDD 6(4).
    """
    for frame, what in ((train, "train"), (validation, "validation")):
        _need(frame, target, "target", what)
        for col, role in ((id_col, "id_col"), (group_col, "group_col"), (time_col, "time_col")):
            if col is not None:
                _need(frame, col, role, what)
    frames = [train, validation] + ([unlabeled] if unlabeled is not None else [])
    if features is None:
        features = _default_features(frames, {target, group_col, time_col, id_col})
    features = [f for f in features if f != target]  # the label is never hashed
    for frame, what in zip(frames, ("train", "validation", "unlabeled")):
        for col in features:
            _need(frame, col, "feature", what)

    # per-cell keys of the labeled rows are kept for the target-proxy check
    lab_ch = np.empty((len(train) + len(validation), len(features)), dtype=np.uint64, order="F")
    train_h = row_hashes(train, features, keys_out=lab_ch[:len(train)])
    val_h = row_hashes(validation, features, keys_out=lab_ch[len(train):])
    unl_h = row_hashes(unlabeled, features) if unlabeled is not None else None
    tw_train = twins(validation, val_h, train, train_h, features)
    tw_unl = twins(validation, val_h, unlabeled, unl_h, features)

    ids = _vector_ids(val_h)
    if unlabeled is not None:
        all_pool = unl_h if pool_hashes is None else pool_hashes
        pool_counts = np.unique(all_pool, return_counts=True)[1]  # sorting beats a hash table here
        pool = Reference(len(all_pool), int(pool_counts[pool_counts > 1].sum()), "unlabeled pool")
        in_pool = _counts_per_row(tw_unl, len(validation))
        exp_train = _expected(ids, in_pool, pool, len(train))
        exp_unl = _expected(ids, np.maximum(in_pool - 1, 0), pool, pool.n)  # leave one out
    else:  # no independent sample: train's own repeats (cannot reveal oversampling)
        pool, pool_counts = None, None
        ref = Reference.from_hashes(train_h, "train set (no unlabeled set given)")
        exp_train = _expected(ids, np.maximum(_counts_per_row(tw_train, len(validation)) - 1, 0),
                              ref, len(train))
        exp_unl = 0.0
    train_ref = pool if pool is not None else ref

    idx_train, _, ambiguous_train = _index_check("validation_index_in_train", validation, train, "train", tw_train,
                                neutralised=False)
    idx_unl, unl_identity_hit, ambiguous_unl = _index_check("validation_index_in_unlabeled", validation, unlabeled,
                                             "unlabeled", tw_unl, neutralised=True)
    content_train = _train_content_check(validation, train, tw_train, exp_train, train_ref)
    content_unl, pool_has_labeled = _unlabeled_content_check(
        validation, unlabeled, tw_unl, exp_unl, pool, unlabeled_from_labeled) \
        if unlabeled is not None else (_Check("validation_rows_in_unlabeled", "pass",
                                              "There is no unlabeled set to compare row contents with.", 0), False)
    checks = [idx_train, idx_unl, content_train, content_unl]
    firewall = {row: dict.fromkeys(FIREWALL_KEYS) for row in FIREWALL_ROWS}
    for row, i in (("train", 0), ("unlabeled", 1)):
        if row == "train" or unlabeled is not None:
            firewall[row]["index"] = checks[i].count
            firewall[row]["content"] = checks[i + 2].count
    keys = {}
    for kind, col in (("id", id_col), ("group", group_col)):
        if col is None:
            continue
        check, per_side = _key_check(f"shared_{kind}", kind, col, validation, train, unlabeled)
        checks.append(check)
        for side, n in per_side.items():
            firewall[side][kind] = n
        unl_keys = unlabeled[col] if unlabeled is not None and col in unlabeled else None
        keys[kind] = (validation[col], train[col], unl_keys)
    if time_col is not None:
        checks.append(_time_check(time_col, validation, train))

    labeled = pd.concat([train, validation])
    y_h = column_hashes(labeled, [target])[:, 0]
    checks.append(_proxy_check(features, lab_ch, y_h, labeled, target))
    checks.append(_conflict_check(np.concatenate([train_h, val_h]), y_h, labeled, target, features))
    checks.append(_target_in_unlabeled(unlabeled, target))
    checks.append(_labeled_duplicates_check(train_h, val_h, pool, pool_counts))

    blocked = np.union1d(tw_unl.b_positions, _label_positions(unlabeled, validation.index[unl_identity_hit]))
    twins_info = {
        "train": {"rows": int(tw_train.a_mask.sum()), "distinct": tw_train.n_distinct,
                  "expected": exp_train, "far_more": content_train.status == "fail",
                  "reference": train_ref.name},
        "unlabeled": {"rows": int(tw_unl.a_mask.sum()), "distinct": tw_unl.n_distinct,
                      "expected": exp_unl, "far_more": pool_has_labeled,
                      "kept_out": int(len(blocked))},
    }
    evidence = _Evidence(
        n_validation=len(validation), validation_index=validation.index, validation_hashes=val_h,
        validation_target=validation[target],
        train_hashes=pd.Series(train_h[tw_train.b_positions], index=train.index[tw_train.b_positions]),
        unlabeled_hashes=(pd.Series(unl_h[blocked], index=unlabeled.index[blocked])
                          if unlabeled is not None else pd.Series([], dtype=np.uint64)),
        unlabeled_positions=blocked,
        n_unlabeled=0 if unlabeled is None else len(unlabeled),
        keys=keys, key_names={k: c for k, c in (("id", id_col), ("group", group_col)) if c is not None},
        train_twins=tw_train.a_mask,
        twins_explained=content_train.status != "fail",
        ambiguous_labels={"train": ambiguous_train, "unlabeled": ambiguous_unl},
        twins=twins_info)
    return LeakageReport(tuple(checks), evidence, firewall, after_run=False)


def _label_positions(frame, labels) -> np.ndarray:
    if frame is None or not len(labels):
        return np.empty(0, np.int64)
    return np.flatnonzero(_isin(frame.index, labels))
