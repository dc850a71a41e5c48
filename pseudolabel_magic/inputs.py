"""Checking a run's arguments and splitting the labeled rows, before any model is fitted.

Every problem raises :class:`PseudoLabelError` with one sentence that names the problem
and the fix; nothing here modifies the user's frames.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import PseudoLabelError, did_you_mean
from .selection import SELECT_MODES


@dataclass
class Frames:
    """The run's data, as views of the user's frames: never written to."""

    train: pd.DataFrame
    validation: pd.DataFrame
    unlabeled: pd.DataFrame
    features: list
    task: str


def _is_dataframe(obj) -> bool:
    return isinstance(obj, pd.DataFrame)


def check_frame(obj, name: str) -> None:
    if not _is_dataframe(obj):
        raise PseudoLabelError(
            f"{name} must be a pandas DataFrame, got {type(obj).__name__}; "
            f"pass a DataFrame (e.g. pd.DataFrame(X) with a target column)."
        )


def check_settings(*, select, threshold, k_best, rounds, val_size, pseudo_weight) -> None:
    if select not in SELECT_MODES:
        raise PseudoLabelError(
            f"unknown select={select!r}; use one of {', '.join(map(repr, SELECT_MODES))}."
            + did_you_mean(select, SELECT_MODES)
        )
    if select == "threshold" and threshold is None:
        raise PseudoLabelError("select='threshold' needs a threshold; pass threshold=0.9 (a confidence in [0, 1]).")
    if threshold is not None:
        if not isinstance(threshold, numbers.Real) or not 0 <= float(threshold) <= 1:
            raise PseudoLabelError(f"threshold={threshold!r} is outside [0, 1]; pass a confidence such as 0.9.")
    if select == "k-best" and k_best is None:
        raise PseudoLabelError("select='k-best' needs k_best; pass k_best=100 (rows kept per round).")
    if k_best is not None and (not isinstance(k_best, numbers.Integral) or k_best < 1):
        raise PseudoLabelError(f"k_best={k_best!r} must be a whole number >= 1; pass e.g. k_best=100.")
    if not isinstance(rounds, numbers.Integral) or rounds < 1:
        raise PseudoLabelError(f"rounds={rounds!r} must be a whole number >= 1; pass rounds=1 for the classic recipe.")
    if isinstance(val_size, bool) or not isinstance(val_size, numbers.Real):
        raise PseudoLabelError(f"val_size={val_size!r} must be a fraction in (0, 1) or a row count >= 1.")
    if isinstance(val_size, numbers.Integral):
        if val_size < 1:
            raise PseudoLabelError(f"val_size={val_size!r} must be a fraction in (0, 1) or a row count >= 1.")
    elif not 0 < float(val_size) < 1:
        raise PseudoLabelError(f"val_size={val_size!r} must be a fraction in (0, 1) or a row count >= 1.")
    if isinstance(pseudo_weight, bool) or not isinstance(pseudo_weight, numbers.Real) or pseudo_weight < 0:
        raise PseudoLabelError(f"pseudo_weight={pseudo_weight!r} must be a number >= 0 (1.0 weighs pseudo-labels like real labels).")


def check_column(frame: pd.DataFrame, column, role: str, frame_name: str = "labeled") -> None:
    if column not in frame.columns:
        raise PseudoLabelError(
            f"{role} column {column!r} is not in {frame_name}; pick one of its columns."
            + did_you_mean(column, frame.columns)
        )


def resolve_features(labeled: pd.DataFrame, features, target, reserved) -> list:
    if features is None:
        skip = {target, *[c for c in reserved if c is not None]}
        chosen = [c for c in labeled.columns if c not in skip]
    else:
        if isinstance(features, str):
            features = [features]
        chosen = list(features)
        for col in chosen:
            check_column(labeled, col, "feature")
        if target in chosen:
            raise PseudoLabelError(f"the target {target!r} is listed as a feature; remove it from features.")
    if not chosen:
        raise PseudoLabelError("there are no feature columns besides the target; add feature columns to labeled.")
    return chosen


def separate_unlabeled(labeled: pd.DataFrame, unlabeled, target):
    """Rows with a missing target are the unlabeled set when ``unlabeled`` is None."""
    missing = labeled[target].isna().to_numpy()
    if unlabeled is None:
        return labeled.loc[~missing], labeled.loc[missing]
    check_frame(unlabeled, "unlabeled")
    if missing.any():
        raise PseudoLabelError(
            f"labeled has {int(missing.sum())} rows with a missing {target!r}; drop them "
            f"(labeled.dropna(subset=[{target!r}])) or pass unlabeled=None to use them as the unlabeled set."
        )
    return labeled, unlabeled


def check_unlabeled(unlabeled: pd.DataFrame, features) -> None:
    if len(unlabeled) == 0:
        raise PseudoLabelError(
            "the unlabeled set is empty; pass unlabeled=<DataFrame> or leave the target missing "
            "(NaN) on the rows to pseudo-label."
        )
    missing = [c for c in features if c not in unlabeled.columns]
    if missing:
        raise PseudoLabelError(
            f"unlabeled lacks {len(missing)} feature column(s) the teacher needs: "
            f"{', '.join(map(repr, missing[:5]))}; add them or pass features=[...] without them."
        )


def check_validation_frame(validation, labeled: pd.DataFrame, target) -> None:
    check_frame(validation, "validation")
    ours, theirs = set(labeled.columns), set(validation.columns)
    if ours != theirs:
        missing = sorted(map(str, ours - theirs))[:5]
        extra = sorted(map(str, theirs - ours))[:5]
        parts = []
        if missing:
            parts.append(f"lacks {', '.join(missing)}")
        if extra:
            parts.append(f"has extra {', '.join(extra)}")
        raise PseudoLabelError(
            f"validation has other columns than labeled ({'; '.join(parts)}); "
            f"pass a validation frame with the same columns."
        )
    if validation[target].isna().any():
        n = int(validation[target].isna().sum())
        raise PseudoLabelError(f"validation has {n} rows with a missing {target!r}; every validation row needs a true label.")
    if len(validation) == 0:
        raise PseudoLabelError("validation is empty; pass a non-empty frame or leave validation=None to split labeled.")


def _n_validation(val_size, n: int) -> int:
    if isinstance(val_size, numbers.Integral):
        return int(val_size)
    return int(np.ceil(float(val_size) * n))


def split_labeled(labeled: pd.DataFrame, target, task: str, *, val_size, group_col, time_col,
                  random_state, features=None):
    """Positions of train and validation rows: stratified, grouped or by time.

    Rows with identical ``features`` go to the same side (grouped by a content hash), so the
    engine's own split never puts a row in validation whose twin trains the teacher.
    """
    n = len(labeled)
    n_val = _n_validation(val_size, n)
    y = labeled[target]
    too_few = PseudoLabelError(
        f"too few labeled rows ({n}) to make a validation split of val_size={val_size!r}; "
        f"label more rows, lower val_size, or pass validation=<DataFrame>."
    )
    if n < 2 or n_val < 1 or n_val >= n:
        raise too_few
    positions = np.arange(n)
    if time_col is not None:
        order = np.argsort(labeled[time_col].to_numpy(), kind="stable")
        return np.sort(order[: n - n_val]), np.sort(order[n - n_val:])
    if group_col is not None:
        from sklearn.model_selection import GroupShuffleSplit

        groups = labeled[group_col].to_numpy()
        if pd.Series(groups).nunique() < 2:
            raise PseudoLabelError(f"group_col {group_col!r} has a single group; a grouped split needs at least 2 groups.")
        splitter = GroupShuffleSplit(n_splits=1, test_size=val_size, random_state=random_state)
        train_pos, val_pos = next(splitter.split(positions, groups=groups))
        return np.sort(train_pos), np.sort(val_pos)
    if features is not None:
        from .hashing import row_hashes

        codes, uniques = pd.factorize(row_hashes(labeled, features))
        if len(uniques) < n:
            return _split_by_content(codes, len(uniques), y, task, n, n_val, random_state)
    from sklearn.model_selection import train_test_split

    stratify = None
    if task == "classification":
        counts = y.value_counts()
        n_classes = len(counts)
        if counts.min() >= 2 and n_val >= n_classes and n - n_val >= n_classes:
            stratify = y.to_numpy()
    try:
        train_pos, val_pos = train_test_split(
            positions, test_size=n_val, random_state=random_state, stratify=stratify
        )
    except ValueError as err:
        raise too_few from err
    return np.sort(train_pos), np.sort(val_pos)


def _split_by_content(codes, n_groups, y, task, n, n_val, random_state):
    """Split groups of identical rows, stratified by each group's first label where possible."""
    from sklearn.model_selection import train_test_split

    first = pd.Series(np.arange(n)).groupby(codes).first().to_numpy()
    group_y = y.to_numpy()[first]
    n_val_groups = int(round(n_groups * n_val / n))
    if n_groups < 2 or not 1 <= n_val_groups < n_groups:
        raise PseudoLabelError(
            f"too few distinct labeled rows ({n_groups}) to make a validation split; "
            f"label more rows or pass validation=<DataFrame>."
        )
    stratify = None
    if task == "classification":
        counts = pd.Series(group_y).value_counts()
        if counts.min() >= 2 and n_val_groups >= len(counts) and n_groups - n_val_groups >= len(counts):
            stratify = group_y
    _, val_groups = train_test_split(np.arange(n_groups), test_size=n_val_groups,
                                     random_state=random_state, stratify=stratify)
    in_val = np.isin(codes, val_groups)
    return np.flatnonzero(~in_val), np.flatnonzero(in_val)


def check_train(train: pd.DataFrame, target, task: str) -> None:
    if len(train) == 0:
        raise PseudoLabelError("the labeled set is empty; pass a DataFrame with labeled rows (target not missing).")
    if task == "classification" and train[target].nunique() < 2:
        only = train[target].iloc[0] if len(train) else None
        raise PseudoLabelError(
            f"train has a single class ({only!r}); a classifier needs at least 2 classes: "
            f"label rows of another class or change the split (val_size, random_state)."
        )


def check_strategy_settings(*, select, threshold, k_best, rounds, balance, soft, calibrate, oof,
                            guard, curriculum) -> None:
    """The settings of issue 6 (calibrate, oof, guard, curriculum, "auto"); the rest is
    checked by :func:`check_settings` once "auto" is resolved."""
    if not isinstance(calibrate, (bool, np.bool_)):
        raise PseudoLabelError(f"calibrate={calibrate!r} must be True or False.")
    if guard is not None and not isinstance(guard, (bool, np.bool_)):
        raise PseudoLabelError(f"guard={guard!r} must be True, False or None (None: on under select='auto').")
    if not isinstance(oof, (bool, np.bool_)) and (not isinstance(oof, numbers.Integral) or oof < 2):
        raise PseudoLabelError(f"oof={oof!r} must be True (5 folds), False, or a number of folds >= 2; pass e.g. oof=5.")
    if curriculum is not None:
        if isinstance(curriculum, (str, bytes)) or not hasattr(curriculum, "__len__") or len(curriculum) == 0:
            raise PseudoLabelError(f"curriculum={curriculum!r} must be a list of thresholds, one per round; pass e.g. curriculum=[0.99, 0.9, 0.8].")
        bad = [t for t in curriculum if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= float(t) <= 1]
        if bad:
            raise PseudoLabelError(f"curriculum threshold {bad[0]!r} is outside [0, 1]; pass confidences such as [0.99, 0.9, 0.8].")
        if any(float(b) > float(a) for a, b in zip(curriculum, curriculum[1:])):
            raise PseudoLabelError(f"curriculum={list(curriculum)!r} must relax round by round (never rise); sort it high to low, e.g. [0.99, 0.9, 0.8].")
        if select == "k-best":
            raise PseudoLabelError("curriculum gives each round a threshold, so it cannot go with select='k-best'; pass select='threshold'.")
        if threshold is not None:
            raise PseudoLabelError("pass either threshold or curriculum, not both: a curriculum's first value is round 1's threshold.")
        if isinstance(rounds, numbers.Integral) and rounds not in (1, len(curriculum)):
            raise PseudoLabelError(f"rounds={rounds!r} differs from the {len(curriculum)} thresholds in curriculum; leave rounds out or give one threshold per round.")
