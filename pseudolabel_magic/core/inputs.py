"""Checking a run's arguments and splitting the labeled rows, before any model is fitted.

Every problem raises :class:`PseudoLabelError` with one sentence that names the problem
and the fix; nothing here modifies the user's frames.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError
from .columns import check_column, check_unique_names, column_positions
from .targets import check_target, choose_task, short_repr  # noqa: F401 - engine: inputs.check_target


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
    check_unique_names(chosen, labeled=labeled)
    return chosen


def separate_unlabeled(labeled: pd.DataFrame, unlabeled, target):
    """Rows with a missing target are the unlabeled set when ``unlabeled`` is None."""
    missing = labeled[target].isna().to_numpy()
    if unlabeled is None:
        return labeled.loc[~missing], labeled.loc[missing]
    check_frame(unlabeled, "unlabeled")
    if len(column_positions(unlabeled.columns, target)) > 1:  # unlabeled[target] is a frame
        check_column(unlabeled, target, "target", "unlabeled")
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
    check_column(validation, target, "target", "validation")
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
    engine's own split never puts a row in validation whose twin trains the teacher, and so
    do rows with equal index labels (see :func:`content_groups`).
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
        codes = content_groups(labeled, features)
        n_groups = int(codes.max()) + 1
        if n_groups < n:
            return _split_by_content(codes, n_groups, y, task, n, n_val, random_state)
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


def content_groups(labeled: pd.DataFrame, features) -> np.ndarray:
    """One code per entity the split keeps on one side: rows with identical features, and
    rows with equal index labels (``pd.concat`` without ``ignore_index`` repeats labels).

    Grouping by hash can only merge rows (a collision keeps two rows on one side), never
    separate twins, so no value comparison is needed here.
    """
    from ..leakage.hashing import row_hashes

    n = len(labeled)
    content = pd.factorize(row_hashes(labeled, features))[0]
    if labeled.index.is_unique:
        return content
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    label = pd.factorize(labeled.index)[0]
    k1, k2 = int(content.max()) + 1, int(label.max()) + 1
    graph = coo_matrix((np.ones(n), (content, k1 + label)), shape=(k1 + k2, k1 + k2))
    component = connected_components(graph, directed=False)[1]
    return pd.factorize(component[content])[0]


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


# -- sample_weight: one number per labeled row ------------------------------------------------
def labeled_weights(sample_weight, labeled: pd.DataFrame, target, unlabeled_given: bool):
    """``sample_weight`` as float weights of the labeled rows (positions in ``labeled_rows``).

    An array (or list) has one weight per row of ``labeled``; a Series is matched to
    ``labeled``'s index. Rows without a target (the unlabeled set) are dropped before the
    values are checked: finite and >= 0.
    """
    if sample_weight is None:
        return None
    n = len(labeled)
    if isinstance(sample_weight, pd.Series):
        if sample_weight.index.equals(labeled.index):
            values = sample_weight.to_numpy()
        elif labeled.index.is_unique and sample_weight.index.is_unique:
            missing = labeled.index.difference(sample_weight.index)
            if len(missing):
                raise PseudoLabelError(
                    f"sample_weight is a Series without {len(missing)} of labeled's index labels "
                    f"(such as {missing[0]!r}); pass a Series on labeled's index or an array of "
                    f"{n} weights in labeled's row order.")
            values = sample_weight.reindex(labeled.index).to_numpy()
        else:
            raise PseudoLabelError(
                "sample_weight is a Series whose index differs from labeled's, and one of them "
                "repeats labels, so rows cannot be matched; pass sample_weight.to_numpy() in "
                "labeled's row order.")
    else:
        values = np.asarray(sample_weight)
        if values.ndim != 1 or len(values) != n:
            raise PseudoLabelError(
                f"sample_weight has {values.shape[0] if values.ndim else 1} value(s) but labeled "
                f"has {n} rows; pass one weight per row of labeled (rows without a target are "
                "ignored).")
    if not unlabeled_given:
        values = values[labeled[target].notna().to_numpy()]
    try:
        values = values.astype("float64")
    except (TypeError, ValueError):
        raise PseudoLabelError(
            f"sample_weight holds non-numbers (such as {short_repr(values[0])}); pass numbers, "
            "e.g. pd.to_numeric(w).") from None
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PseudoLabelError(
            f"sample_weight has {int(bad.sum())} weight(s) of labeled rows that are negative, NaN "
            f"or infinite (such as {short_repr(values[i])}); every labeled row needs a finite "
            "weight >= 0.")
    return values


def check_train_weights(weights) -> None:
    if weights is not None and not weights.sum() > 0:
        raise PseudoLabelError(
            f"sample_weight is 0 on all {len(weights)} train rows, so the teacher would learn "
            "nothing; give some train rows a weight > 0 (the validation rows' weights are not "
            "used).")
