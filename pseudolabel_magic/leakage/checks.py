"""Leakage checks: prove the validation rows stayed outside every fit.

A pseudo-label run has more ways to leak than a plain fit: validation rows can hide in the
unlabeled pool under new index labels, get pseudo-labelled and train the student. So rows
are compared by index label *and* by content (a hash of the feature columns only, never the
label; every hash match confirmed value by value), and after the run the engine's
``fit_log`` is checked too. Natural duplicates are not copies: the comparisons with train and
the pool live in :mod:`pseudolabel_magic.leakage.overlap`, judged against chance by
:mod:`pseudolabel_magic.leakage.twinrate`. Every check is O(rows x columns).

Checks (stable names; ``fail`` stops ``pl.run`` unless ``allow_leakage=True``):

``validation_index_in_train`` (fail when labels are identities: unique and not a default
    0..n-1 range; otherwise counts only labels whose rows are also identical, and warns)
    validation index labels that also label a train row.
``validation_index_in_unlabeled`` (warn)
    the same with the pool; those pool rows are kept out of every student's fit.
``validation_rows_in_train`` (warn; fail when far more than chance)
    validation rows identical to a train row under any label; ``pl.run`` also scores teacher
    and student without them.
``validation_rows_in_unlabeled`` (warn)
    validation rows identical to a pool row; those pool rows never train a student (they are
    still predicted). Far more than chance: "the unlabeled pool contains the labeled rows?".
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
``labeled_duplicates`` (warn)
    labeled rows repeating each other far more often than pool rows do: oversampled or
    copied before the split?

After the run (:meth:`LeakageReport.with_fit_log`):

``teacher_fit_saw_validation`` / ``student_fit_saw_validation`` (fail)
    validation rows that reached a teacher / student fit, by index label (labels shared with
    train or the pool are judged before the run) or by content (twins of train rows that
    chance explains are not counted again).
``preprocessing_fit_saw_validation`` (fail)
    the same for helper fits (roles other than teacher/student) and every fit that carries
    preprocessing, since a pipeline's scaler or imputer is fit on exactly the fit's rows.
``metrics_on_true_labels`` (fail; warn when nothing was scored)
    scored rows that are not validation rows, or whose ``y_true`` differs from validation's
    true target.
"""

from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError, did_you_mean
from .hashing import column_hashes, combine_hashes
from .labels import article, isin, pct, rows_example
from .overlap import Hashed, labeled_duplicates_check, overlap_checks
from .records import Check, Evidence
from .report import FIREWALL_KEYS, FIREWALL_ROWS, LeakageReport
from .twins import equal_within


def _key_check(name, kind, col, val, train, unlabeled) -> tuple[Check, dict]:
    """Validation rows whose id/group value also occurs in train or the unlabeled set."""
    v = val[col]
    present = v.notna().to_numpy()
    per_side, hit = {}, np.zeros(len(val), bool)
    for side, other in (("train", train), ("unlabeled", unlabeled)):
        if other is None or col not in other:
            per_side[side] = None
            continue
        side_hit = isin(v, other[col].dropna()) & present
        per_side[side] = int(side_hit.sum())
        hit |= side_hit
    n = int(hit.sum())
    sides = ", ".join(f"{s} {c:,}" for s, c in per_side.items() if c is not None)
    detail = (f"{pct(n, len(val))} share {article(kind)} value of column {col!r} with another split "
              f"({sides}); rule: no {kind} may be in both train and validation (sharing with "
              "the unlabeled set only warns: the student sees those rows, never their labels).")
    ex = None
    if n:
        ex = rows_example(val, hit, "validation_index")
    status = "fail" if per_side["train"] else ("warn" if n else "pass")
    return Check(name, status, detail, n, ex), per_side


def _as_instants(values: pd.Series) -> pd.Series:
    """Datetimes as UTC instants (tz-naive read as UTC), so zones and naive values compare."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pd.to_datetime(values, utc=True)
    return values


def _time_check(col, val, train) -> Check:
    times, latest = _as_instants(val[col]), _as_instants(train[col]).max()
    try:
        hit = (times < latest).to_numpy(dtype=bool, na_value=False) if pd.notna(latest) \
            else np.zeros(len(val), bool)
    except TypeError as err:
        raise PseudoLabelError(
            f"time_col {col!r} holds values that do not compare between train and validation "
            f"({train[col].dtype} vs {val[col].dtype}); give both frames the same type, e.g. "
            f"pd.to_datetime(frame[{col!r}], utc=True).") from err
    n = int(hit.sum())
    detail = (f"{pct(n, len(val))} are dated before the latest train row ({col!r} = {latest}); "
              "rule: validation must come after everything the models learn from.")
    ex = None
    if n:
        ex = rows_example(val, hit, "validation_index")
    return Check("time_order", "fail" if n else "pass", detail, n, ex)


def _n_unique(values: np.ndarray) -> int:
    return len(pd.unique(values))


_PROBE = 5_000


def _determines(col_h: np.ndarray, y_h: np.ndarray) -> bool:
    """True when every value of the column comes with a single label."""
    return _n_unique(combine_hashes(np.column_stack([col_h, y_h]))) == _n_unique(col_h)


def _proxy_check(features, col_h, y_h, labeled: pd.DataFrame, target) -> Check:
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
        return Check("target_proxy", "pass", detail, 0)
    what = "; ".join(f"{name!r} {why}" for name, why in flagged)
    detail = (f"{len(flagged)} feature(s) on the {n:,} labeled rows: {what}; "
              "rule: a feature that does is likely a copy of the answer.")
    names = [name for name, _ in flagged]
    ex = rows_example(labeled[names + [target]], np.ones(len(labeled), bool), "labeled_index")
    return Check("target_proxy", "warn", detail, len(flagged), ex)


def _conflict_check(row_h, y_h, labeled: pd.DataFrame, target, features) -> Check:
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
        ex = rows_example(labeled, hit, "labeled_index")
    return Check("conflicting_labels", "warn" if n else "pass", detail, n, ex)


def _target_in_unlabeled(unlabeled, target) -> Check:
    present = unlabeled is not None and target in unlabeled
    n = int(unlabeled[target].notna().sum()) if present else 0
    total = 0 if unlabeled is None else len(unlabeled)
    detail = (f"{n:,} of {total:,} unlabeled rows have a value in the target column {target!r}; "
              "rule: unlabeled rows should have none (are these rows really unlabeled?).")
    ex = None
    if n:
        ex = rows_example(unlabeled, unlabeled[target].notna().to_numpy(), "unlabeled_index")
    return Check("target_in_unlabeled", "warn" if n else "pass", detail, n, ex)


def _labeled_checks(labeled, unlabeled, target, features, row_h, keys) -> tuple:
    y_h = column_hashes(labeled, [target])[:, 0]
    return (_proxy_check(features, keys, y_h, labeled, target),
            _conflict_check(row_h, y_h, labeled, target, features),
            _target_in_unlabeled(unlabeled, target))


def labeled_checks(labeled: pd.DataFrame, unlabeled: pd.DataFrame | None, target, features,
                   hashed: Hashed) -> tuple:
    """The checks of the labeled rows as a whole, made once for every fold of a cross-fit.

    Parameters
    ----------
    labeled : pandas.DataFrame
        Every labeled row, in the order ``hashed`` hashed them (as ``hashed.train``).
    unlabeled : pandas.DataFrame or None
        The pool.
    target : column label
        The label column.
    features : sequence of column labels
        The hashed columns.
    hashed : Hashed
        :func:`hash_split` of ``labeled`` (as train, with no validation rows) and the pool.

    Returns
    -------
    tuple of Check
        ``target_proxy``, ``conflicting_labels`` and ``target_in_unlabeled``
        (:data:`~pseudolabel_magic.leakage.report.WHOLE_LABELED` names them).
    """
    return _labeled_checks(labeled, unlabeled, target, list(features), hashed.train, hashed.keys)


def _need(frame: pd.DataFrame, col, role: str, what: str) -> None:
    if col not in frame:
        raise PseudoLabelError(
            f"{role} {col!r} is not a column of the {what} frame.{did_you_mean(col, frame.columns)}")


def _default_features(frames, exclude) -> list:
    shared = [c for c in frames[0].columns if all(c in f for f in frames[1:])]
    return [c for c in shared if c not in exclude]


def check_leakage(train: pd.DataFrame, validation: pd.DataFrame,
                  unlabeled: pd.DataFrame | None = None, *, target: Hashable,
                  features: Sequence[Hashable] | None = None, group_col: Hashable | None = None,
                  time_col: Hashable | None = None, id_col: Hashable | None = None,
                  unlabeled_from_labeled: bool = False) -> LeakageReport:
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

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.model_selection import train_test_split
    >>> from pseudolabel_magic import check_leakage
    >>> wine = load_wine(as_frame=True).frame
    >>> train, validation = train_test_split(wine, test_size=0.25, random_state=0)
    >>> check_leakage(train, validation, target="target").ok
    True
    >>> copied = pd.concat([train, validation.head(5)])  # 5 validation rows inside train
    >>> report = check_leakage(copied, validation, target="target")
    >>> report.ok
    False
    >>> report.checks.query("status == 'fail'")["check"].tolist()
    ['validation_index_in_train', 'validation_rows_in_train']
    """
    return frame_checks(train, validation, unlabeled, target=target, features=features,
                        group_col=group_col, time_col=time_col, id_col=id_col,
                        unlabeled_from_labeled=unlabeled_from_labeled)


def frame_checks(train: pd.DataFrame, validation: pd.DataFrame,
                 unlabeled: pd.DataFrame | None = None, *, target: Hashable,
                 features: Sequence[Hashable] | None = None, group_col: Hashable | None = None,
                 time_col: Hashable | None = None, id_col: Hashable | None = None,
                 unlabeled_from_labeled: bool = False, pool_hashes: np.ndarray | None = None,
                 hashed: Hashed | None = None, labeled_checks: tuple | None = None
                 ) -> LeakageReport:
    """:func:`check_leakage` as the engine calls it, with what it already computed.

    Parameters
    ----------
    train, validation, unlabeled, target, features, group_col, time_col, id_col, unlabeled_from_labeled
        As in :func:`check_leakage`.
    pool_hashes : numpy.ndarray of uint64, optional
        Row hashes of the *whole* pool when ``unlabeled`` holds only its suspect rows
        (the Dask path); by default the hashes of ``unlabeled``.
    hashed : Hashed, optional
        The frames' row hashes when already computed (:func:`~.overlap.hash_split`;
        cross-fitting hashes the labeled rows and the pool once for every fold).
    labeled_checks : tuple of Check, optional
        The checks of the labeled rows as a whole (:func:`labeled_checks`), when already
        made: every fold of a cross-fitted run has the same labeled rows and pool.

    Returns
    -------
    LeakageReport
        As :func:`check_leakage`.
    """
    for frame, what in ((train, "train"), (validation, "validation")):
        if not isinstance(frame, pd.DataFrame):
            raise PseudoLabelError(
                f"check_leakage needs the {what} rows as a DataFrame, not {type(frame).__name__}; "
                "pass the labeled rows that fit models and those that only score them, e.g. "
                "pl.check_leakage(train, validation, unlabeled, target='y').")
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

    ov = overlap_checks(train, validation, unlabeled, features, hashed=hashed,
                        unlabeled_from_labeled=unlabeled_from_labeled, pool_hashes=pool_hashes)
    checks = list(ov.checks)
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

    if labeled_checks is None:
        labeled_checks = _labeled_checks(pd.concat([train, validation]), unlabeled, target, features,
                                         np.concatenate([ov.train_h, ov.val_h]), ov.keys)
    checks.extend(labeled_checks)
    checks.append(labeled_duplicates_check(ov.train_h, ov.val_h, ov.pool, ov.pool_counts))

    evidence = Evidence(
        n_validation=len(validation), validation_index=validation.index, validation_hashes=ov.val_h,
        validation_target=validation[target], train_hashes=ov.train_twin_hashes,
        unlabeled_hashes=ov.pool_twin_hashes, unlabeled_positions=ov.blocked,
        n_unlabeled=0 if unlabeled is None else len(unlabeled),
        keys=keys, key_names={k: c for k, c in (("id", id_col), ("group", group_col)) if c is not None},
        train_twins=ov.train_twins, twins_explained=ov.twins_explained,
        ambiguous_labels=ov.ambiguous, twins=ov.twins)
    return LeakageReport(tuple(checks), evidence, firewall, after_run=False)
