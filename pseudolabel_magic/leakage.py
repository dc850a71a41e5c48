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
from .hashing import column_hashes, combine_hashes, row_hashes
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


def _first_label_by_hash(other_h: np.ndarray, other_index: pd.Index, wanted: np.ndarray) -> list:
    """For each wanted hash, the first index label in ``other`` with that hash (few wanted)."""
    mask = np.isin(other_h, wanted)
    first = pd.Series(list(other_index[mask]), index=other_h[mask], dtype=object)
    first = first[~first.index.duplicated()]
    return list(first.reindex(wanted))


def _index_check(name, val, other, side, *, range_is_chance=False) -> _Check:
    hit = _shared(val.index, other.index) if other is not None else np.zeros(len(val), bool)
    n = int(hit.sum())
    rule = "rule: no label may be shared"
    if other is None:
        return _Check(name, "pass", f"There is no {side} set to compare index labels with.", 0)
    status = "fail" if n else "pass"
    detail = f"{_pct(n, len(val))} have index labels that also label {_a(side)} row; {rule}."
    if n and range_is_chance and _fresh_range(other.index):
        status = "warn"
        detail += (f" The {side} set has a default RangeIndex from 0, so shared labels may be "
                   "coincidence; the row-content check decides.")
    ex = _frame_examples(val, hit, side, lambda pos: val.index[pos]) if n else None
    return _Check(name, status, detail, n, ex)


def _fresh_range(index: pd.Index) -> bool:
    """A default 0, 1, 2, ... index, as a frame read from a file gets: labels without identity."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _content_check(name, val, val_h, other, other_h, side, *, same_table=False) -> _Check:
    if other is None:
        return _Check(name, "pass", f"There is no {side} set to compare row contents with.", 0)
    hit = _shared(val_h, other_h)
    n = int(hit.sum())
    detail = (f"{_pct(n, len(val))} have feature values identical to {_a(side)} row under any "
              "index label (label excluded, NaN equal to NaN); rule: none may.")
    ex = None
    if n:
        ex = _frame_examples(val, hit, side,
                             lambda pos: _first_label_by_hash(other_h, other.index, val_h[pos]))
    status = "fail" if n else "pass"
    if n and same_table:
        status = "warn"
        detail += (f" The {side} rows come from the same frame, so these are duplicates in your "
                   "data, not copies; they are predicted but kept out of the student's training set.")
    return _Check(name, status, detail, n, ex)


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


def _conflict_check(row_h, y_h, labeled: pd.DataFrame, target) -> _Check:
    pairs = pd.DataFrame({"h": row_h, "y": y_h}).drop_duplicates()
    repeated = pairs["h"][pairs["h"].duplicated()].unique()
    hit = np.isin(row_h, repeated)
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


def _suspects(hashes: np.ndarray, index: pd.Index, val_h: np.ndarray):
    """The rows whose content hash equals a validation row's: hash by label, and positions."""
    pos = np.flatnonzero(_isin(hashes, val_h))
    return pd.Series(hashes[pos], index=index[pos]), pos


def _default_features(frames, exclude) -> list:
    shared = [c for c in frames[0].columns if all(c in f for f in frames[1:])]
    return [c for c in shared if c not in exclude]


def check_leakage(train: pd.DataFrame, validation: pd.DataFrame,
                  unlabeled: pd.DataFrame | None = None, *, target, features: Sequence | None = None,
                  group_col=None, time_col=None, id_col=None,
                  unlabeled_from_labeled: bool = False) -> "LeakageReport":
    """Run the before-fit checks and return a :class:`LeakageReport` (see the module docstring).

    ``features`` are the columns hashed to compare row contents; by default every column
    shared by the frames except the target, group, time and id columns.
    ``unlabeled_from_labeled`` says the unlabeled rows are the missing-target rows of the
    same frame as train and validation.
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

    train_h, val_h = row_hashes(train, features), row_hashes(validation, features)
    unl_h = row_hashes(unlabeled, features) if unlabeled is not None else None

    checks = [
        _index_check("validation_index_in_train", validation, train, "train"),
        _index_check("validation_index_in_unlabeled", validation, unlabeled, "unlabeled",
                     range_is_chance=True),
        _content_check("validation_rows_in_train", validation, val_h, train, train_h, "train"),
        _content_check("validation_rows_in_unlabeled", validation, val_h, unlabeled, unl_h,
                       "unlabeled", same_table=unlabeled_from_labeled),
    ]
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
    lab_ch = column_hashes(labeled, features)  # per feature, for the target-proxy check
    y_h = column_hashes(labeled, [target])[:, 0]
    checks.append(_proxy_check(features, lab_ch, y_h, labeled, target))
    checks.append(_conflict_check(np.concatenate([train_h, val_h]), y_h, labeled, target))
    checks.append(_target_in_unlabeled(unlabeled, target))

    if unlabeled is not None:
        unl_suspects, unl_pos = _suspects(unl_h, unlabeled.index, val_h)
    else:
        unl_suspects, unl_pos = pd.Series([], dtype=np.uint64), np.empty(0, np.int64)
    evidence = _Evidence(
        n_validation=len(validation), validation_index=validation.index, validation_hashes=val_h,
        validation_target=validation[target],
        train_hashes=_suspects(train_h, train.index, val_h)[0],
        unlabeled_hashes=unl_suspects, unlabeled_positions=unl_pos,
        n_unlabeled=0 if unlabeled is None else len(unlabeled),
        keys=keys, key_names={k: c for k, c in (("id", id_col), ("group", group_col)) if c is not None})
    return LeakageReport(tuple(checks), evidence, firewall, after_run=False)
