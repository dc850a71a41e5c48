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
    engine's own split never puts a row in validation whose twin trains the teacher, and so
    do rows with equal index labels (see :func:`_entities`).
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
        codes = _entities(labeled, features)
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


def _entities(labeled: pd.DataFrame, features) -> np.ndarray:
    """One code per entity the split keeps on one side: rows with identical features, and
    rows with equal index labels (``pd.concat`` without ``ignore_index`` repeats labels).

    Grouping by hash can only merge rows (a collision keeps two rows on one side), never
    separate twins, so no value comparison is needed here.
    """
    from .hashing import row_hashes

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


# -- the target: what kind of labels, and labels a model can learn from ----------------------
def check_target(y: pd.Series, target) -> list:
    """Refuse labels no model can learn from; return notes on suspicious ones.

    ``y`` is the target of the labeled rows (none missing). Labels that are not single
    values (tuples, lists), text mixed with other values and infinite numbers raise
    :class:`PseudoLabelError` (a target with one value is refused by :func:`choose_task`,
    in the task's words). Text labels that differ only by case or surrounding spaces
    (``"Yes"``, ``"yes"``, ``"Yes "``) are kept as given and noted.
    """
    notes = []
    stored = pd.api.types.infer_dtype(y, skipna=True) if y.dtype == object else ""
    if stored.startswith("mixed") and stored != "mixed-integer-float":  # else one kind of scalar
        odd = y[~y.map(pd.api.types.is_scalar)]
        if len(odd):
            value = odd.iloc[0]
            raise PseudoLabelError(
                f"target {target!r} holds {len(odd)} label(s) that are {_kind_of(value)}, such "
                f"as {_short(value)} (row {_short(odd.index[0])}); a label must be one number "
                f"or one text: split the parts into columns or join them, e.g. "
                f"labeled[{target!r}].map(str).")
        is_text = y.map(lambda v: isinstance(v, str))
        if is_text.any() and not is_text.all():
            number = y[~is_text].iloc[0]
            raise PseudoLabelError(
                f"target {target!r} mixes text ({y[is_text].iloc[0]!r}) and other values "
                f"({_short(number)}); make the labels one type, e.g. "
                f"labeled[{target!r}].astype(str).")
    if pd.api.types.is_float_dtype(y.dtype) and np.isinf(y.to_numpy(dtype="float64")).any():
        n_inf = int(np.isinf(y.to_numpy(dtype="float64")).sum())
        raise PseudoLabelError(
            f"target {target!r} is infinite on {n_inf} labeled row(s); replace those values, or "
            f"set them to NaN to pseudo-label those rows (labeled[{target!r}].replace([np.inf, "
            "-np.inf], np.nan)).")
    values = pd.unique(y.to_numpy())
    texts = [v for v in values if isinstance(v, str)]
    if texts:
        groups = pd.Series(texts).groupby([t.strip().casefold() for t in texts]).agg(list)
        clashes = [g for g in groups if len(g) > 1]
        if clashes:
            shown = "; ".join(", ".join(map(repr, g[:4])) for g in clashes[:3])
            notes.append(
                f"target {target!r} has labels that differ only by case or surrounding spaces "
                f"({shown}), which count as different classes; if they are one class, clean "
                f"them first: labeled[{target!r}].str.strip().str.lower().")
    return notes


def choose_task(y: pd.Series, target, task, teacher=None, student=None):
    """The task, why it was chosen, and a note when a guess may be wrong.

    ``task`` given wins; else a classifier or regressor teacher (or student, when the
    teacher is the default) decides; else the target decides, as
    :func:`pseudolabel_magic.models.infer_task` does: text, categories and booleans are
    classes, whole numbers with at most ``MAX_CLASSES`` values are classes, the rest amounts.

    Returns
    -------
    task : {"classification", "regression"}
    reason : str
        ``"given: task='regression'"``, ``"from the teacher: LogisticRegression is a
        classifier"`` or ``"guessed: 'y' holds 3 whole-number values (at most 20 → classes)"``.
    notes : list of str
    """
    from .models import MAX_CLASSES, infer_task
    from .modelchecks import estimator_kind, model_label

    numeric = (pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype)
               and not isinstance(y.dtype, pd.CategoricalDtype))
    values = y.to_numpy(dtype="float64") if numeric else None
    whole = numeric and bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))
    n_values = int(y.nunique())
    notes = []
    by = f"task={task!r} asks for {'classes' if task == 'classification' else 'amounts'}"
    if task is not None:
        reason = f"given: task={task!r}"
    else:
        model = next(((role, m) for role, m in (("teacher", teacher), ("student", student))
                      if m is not None and estimator_kind(m) in ("classifier", "regressor")), None)
        if model is not None:
            role, m = model
            kind = estimator_kind(m)
            task = "classification" if kind == "classifier" else "regression"
            reason = f"from the {role}: {model_label(m)} is a {kind}"
            by = f"the {role} {model_label(m)} is a {kind}"
        else:
            task = infer_task(y)
            reason = f"guessed: {_target_kind(y, target, numeric, whole, n_values, MAX_CLASSES)}"
            if task == "classification" and whole and n_values > 2:
                notes.append(
                    f"target {target!r} holds {n_values} whole numbers ({values.min():g} to "
                    f"{values.max():g}), taken as {n_values} classes; if they are counts or "
                    "amounts, pass task='regression'.")
    if task == "classification" and numeric and not whole:
        decimal = values[np.isfinite(values) & (values != np.round(values))]
        raise PseudoLabelError(
            f"{by}, but target {target!r} is continuous ({n_values} distinct "
            f"values, such as {decimal[0]:g}); pass task='regression' with a regressor such as "
            "RandomForestRegressor(), or cut the target into classes (pd.cut).")
    numbers = pd.api.types.infer_dtype(y, skipna=True) in ("integer", "floating", "decimal",
                                                           "mixed-integer-float", "boolean")
    if task == "regression" and not (numeric or numbers):
        raise PseudoLabelError(
            f"{by}, but target {target!r} holds labels such as "
            f"{y.iloc[0]!r}; pass task='classification' with a classifier such as "
            "RandomForestClassifier().")
    values = pd.unique(y.to_numpy())
    if len(values) == 1 and len(y) > 1:  # one row: the split says "too few labeled rows"
        what = (f"a single class ({_short(values[0])})" if task == "classification"
                else f"the same value ({_short(values[0])}, zero variance)")
        raise PseudoLabelError(
            f"target {target!r} has {what} on all {len(y)} labeled rows, so there is nothing "
            "to learn; label rows with other values, or check that the right column is the "
            "target.")
    return task, reason, notes


def _target_kind(y, target, numeric, whole, n_values, max_classes) -> str:
    if pd.api.types.is_bool_dtype(y.dtype):
        return f"{target!r} holds True/False (→ classes)"
    if not numeric:
        what = ("categories" if isinstance(y.dtype, pd.CategoricalDtype) else "text labels"
                if pd.api.types.infer_dtype(y, skipna=True) == "string" else "labels")
        return f"{target!r} holds {n_values} {what} (→ classes)"
    if whole:
        side = f"at most {max_classes} → classes" if n_values <= max_classes \
            else f"more than {max_classes} → amounts"
        return f"{target!r} holds {n_values} whole-number values ({side})"
    return f"{target!r} holds {n_values} values with decimals (→ amounts)"


def _kind_of(value) -> str:
    """'tuples', 'lists', 'ndarrays': what the odd labels are, in the plural."""
    return f"{type(value).__name__}s"


def _short(value, width: int = 40) -> str:
    """``repr`` as typed: numpy scalars as Python's (``1.0``, not ``np.float64(1.0)``)."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= width else text[: width - 3] + "..."


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
            f"sample_weight holds non-numbers (such as {_short(values[0])}); pass numbers, "
            "e.g. pd.to_numeric(w).") from None
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PseudoLabelError(
            f"sample_weight has {int(bad.sum())} weight(s) of labeled rows that are negative, NaN "
            f"or infinite (such as {_short(values[i])}); every labeled row needs a finite "
            "weight >= 0.")
    return values


def check_train_weights(weights) -> None:
    if weights is not None and not weights.sum() > 0:
        raise PseudoLabelError(
            f"sample_weight is 0 on all {len(weights)} train rows, so the teacher would learn "
            "nothing; give some train rows a weight > 0 (the validation rows' weights are not "
            "used).")
