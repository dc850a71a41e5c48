"""Which labeled rows train and which score in each fold of cross-fitting.

:func:`fold_positions` turns ``cv`` into (train positions, scored positions) per fold: the
engine's own folds (stratified for classes, grouped by ``group_col`` or by identical rows,
forward in time by ``time_col``) or a user's splitter, used as given. Either way the folds are
checked before any fit: every labeled row is scored at most once, no fold trains on the rows
it scores, and there are enough rows (and rows of every class) for the folds asked for.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError
from .inputs import content_groups


def fold_positions(labeled_rows: pd.DataFrame, target, task: str, *, cv, group_col=None,
                   time_col=None, random_state=0, features=None) -> list:
    """(train positions, scored positions) of each fold, positions in ``labeled_rows``.

    Parameters
    ----------
    labeled_rows : pandas.DataFrame
        The rows with a label.
    target : column label
        The label column.
    task : str
        ``"classification"`` or ``"regression"``.
    cv : int or scikit-learn splitter
        A number of folds: stratified for classes, grouped by ``group_col`` (and by identical
        rows, which stay in one fold), or forward in time by ``time_col``
        (:class:`~sklearn.model_selection.TimeSeriesSplit`: the earliest block only trains).
        A splitter object is used as given (``split(X, y, groups)``).
    group_col, time_col, random_state, features
        As in :func:`pseudolabel_magic.run`.

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)

    Raises
    ------
    PseudoLabelError
        Too few rows or groups for the folds; a splitter that scores a row twice or trains on
        the rows it scores.
    """
    n = len(labeled_rows)
    y = labeled_rows[target]
    groups = None if group_col is None else labeled_rows[group_col].to_numpy()
    if not isinstance(cv, (int, np.integer)):
        return _checked(cv, _splitter_folds(cv, labeled_rows, y, groups, features), n)
    k = int(cv)
    _check_fold_rows(k, y, task, time_col)
    if time_col is not None:
        from sklearn.model_selection import TimeSeriesSplit

        order = np.argsort(labeled_rows[time_col].to_numpy(), kind="stable")
        splits = TimeSeriesSplit(n_splits=k).split(order)
        return _checked(cv, [(np.sort(order[a]), np.sort(order[b])) for a, b in splits], n)
    return _checked(cv, _engine_folds(k, labeled_rows, y, task, groups, group_col=group_col,
                                      features=features, random_state=random_state), n)


def _splitter_folds(cv, labeled_rows, y, groups, features):
    """The folds of the user's splitter; its own words and the fix when it cannot split."""
    try:
        return list(cv.split(labeled_rows[features] if features else labeled_rows, y, groups))
    except (ValueError, TypeError) as err:
        hint = (" pass group_col=<the column of groups> for a grouped splitter, or"
                if groups is None and "group" in str(err).lower() else "")
        raise PseudoLabelError(f"cv={cv!r} could not split the {len(labeled_rows)} labeled rows: "
                               f"{str(err).rstrip('.')};"
                               f"{hint} pass cv=5 for the engine's own folds.") from None


def _check_fold_rows(k, y, task, time_col):
    """Enough labeled rows for ``k`` folds, and two of every class (unless split in time)."""
    n = len(y)
    if n < k:
        raise PseudoLabelError(f"cv={k} needs at least {k} labeled rows, got {n}; label more "
                               f"rows or pass a smaller cv (e.g. cv={max(2, n)}).")
    if task == "classification" and time_col is None:
        counts = y.value_counts()
        if counts.min() < 2:
            raise PseudoLabelError(
                f"class {plain_value(counts.idxmin())!r} has 1 labeled row; cross-fitting needs "
                "at least 2 rows of every class (one fold scores a row while another trains "
                "on its class); label more rows of it, or pass cv=None for one hold-out split.")


def _engine_folds(k, labeled_rows, y, task, groups, *, group_col, features, random_state):
    """The engine's own ``k`` folds: stratified for classes, grouped by groups or content."""
    from sklearn import model_selection as ms

    n = len(labeled_rows)
    shuffle = {"shuffle": True, "random_state": random_state}
    if groups is None and features is not None:
        codes = content_groups(labeled_rows, features)
        groups = codes if int(codes.max()) + 1 < n else None
    if groups is not None and pd.Series(groups).nunique() < k:
        what = f"groups in {group_col!r}" if group_col is not None else "distinct labeled rows"
        raise PseudoLabelError(f"cv={k} needs at least {k} {what}, got "
                               f"{pd.Series(groups).nunique()}; pass a smaller cv or cv=None.")
    classes = task == "classification"
    if groups is not None:
        splitter = ms.StratifiedGroupKFold(k, **shuffle) if classes else ms.GroupKFold(k, **shuffle)
    else:
        splitter = ms.StratifiedKFold(k, **shuffle) if classes else ms.KFold(k, **shuffle)
    if classes and y.value_counts().max() < k:
        splitter = ms.GroupKFold(k, **shuffle) if groups is not None else ms.KFold(k, **shuffle)
    with warnings.catch_warnings():  # a class rarer than k is spread as far as it goes
        warnings.simplefilter("ignore", UserWarning)
        return list(splitter.split(np.zeros(n), y.to_numpy(), groups))


def plain_value(value):
    """A numpy scalar as the Python value it holds (``1``, not ``np.int64(1)``).

    Parameters
    ----------
    value : object
        A label, perhaps a numpy scalar.

    Returns
    -------
    object
    """
    return value.item() if isinstance(value, np.generic) else value


def _checked(cv, splits, n):
    seen = np.zeros(n, dtype=np.int64)
    for train, test in splits:
        if len(test) == 0 or len(train) == 0:
            raise PseudoLabelError(f"cv={cv!r} made a fold with no rows to train or to score; "
                                   "pass fewer folds.")
        if np.intersect1d(train, test).size:
            raise PseudoLabelError(f"cv={cv!r} trains on rows it scores; pass a K-fold "
                                   "splitter such as StratifiedKFold(5).")
        seen[test] += 1
    if (seen > 1).any():
        raise PseudoLabelError(f"cv={cv!r} scores some labeled rows more than once; pass a "
                               "K-fold splitter such as KFold(5) (each row scored once).")
    return [(np.sort(np.asarray(a)), np.sort(np.asarray(b))) for a, b in splits]
