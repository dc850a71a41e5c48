"""The target: what kind of labels, and labels a model can learn from.

Both functions run on the labeled rows' target before any fit: :func:`check_target`
refuses labels no model can learn from (tuples, text mixed with numbers, inf, dates) and
notes suspicious ones; :func:`choose_task` picks classification or regression and says
why. Each refusal is one :class:`PseudoLabelError` naming the problem and the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError


def check_target(y: pd.Series, target) -> list:
    """Refuse labels no model can learn from; return notes on suspicious ones.

    ``y`` is the target of the labeled rows (none missing). Labels that are not single
    values (tuples, lists), text mixed with other values, infinite numbers, dates and
    durations raise :class:`PseudoLabelError` (a target with one value is refused by :func:`choose_task`,
    in the task's words). Text labels that differ only by case or surrounding spaces
    (``"Yes"``, ``"yes"``, ``"Yes "``) are kept as given and noted.
    """
    notes = []
    stored = pd.api.types.infer_dtype(y, skipna=True) if y.dtype == object else ""
    _refuse_dates(y, target, stored)
    if stored.startswith("mixed") and stored != "mixed-integer-float":  # else one kind of scalar
        odd = y[~y.map(pd.api.types.is_scalar)]
        if len(odd):
            value = odd.iloc[0]
            raise PseudoLabelError(
                f"target {target!r} holds {len(odd)} label(s) that are {_kind_of(value)}, such "
                f"as {short_repr(value)} (row {short_repr(odd.index[0])}); a label must be one "
                f"number or one text: split the parts into columns or join them, e.g. "
                f"labeled[{target!r}].map(str).")
        is_text = y.map(lambda v: isinstance(v, str))
        if is_text.any() and not is_text.all():
            number = y[~is_text].iloc[0]
            raise PseudoLabelError(
                f"target {target!r} mixes text ({y[is_text].iloc[0]!r}) and other values "
                f"({short_repr(number)}); make the labels one type, e.g. "
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


def _refuse_dates(y: pd.Series, target, stored: str) -> None:
    """One line for a target of dates or durations: numbers or classes first, then a run.

    A classifier would take every date as its own class (90 dates, 90 one-row classes, all
    wrong on validation), and a regressor cannot take datetime64 at all.
    """
    column = f"labeled[{target!r}]"
    if pd.api.types.is_datetime64_any_dtype(y.dtype) or stored in ("datetime", "datetime64", "date"):
        dates = column if stored == "" else f"pd.to_datetime({column})"
        raise PseudoLabelError(
            f"target {target!r} holds dates ({y.nunique()} distinct, such as {y.iloc[0]}), "
            f"which a classifier takes as one class per date and a regressor cannot take; make "
            f"them numbers, e.g. ({dates} - {dates}.min()).dt.days with task='regression', or "
            f"classes, e.g. {dates}.dt.month_name().")
    if pd.api.types.is_timedelta64_dtype(y.dtype) or stored in ("timedelta", "timedelta64"):
        durations = column if stored == "" else f"pd.to_timedelta({column})"
        raise PseudoLabelError(
            f"target {target!r} holds durations (such as {y.iloc[0]}), which a regressor "
            f"cannot take; make them numbers, e.g. {durations}.dt.total_seconds() / 3600 "
            "(hours), with task='regression'.")


def choose_task(y: pd.Series, target, task, teacher=None, student=None):
    """The task, why it was chosen, and a note when a guess may be wrong.

    ``task`` given wins; else a classifier or regressor teacher (or student, when the
    teacher is the default) decides; else the target decides, as
    :func:`pseudolabel_magic.core.models.infer_task` does: text, categories and booleans are
    classes, whole numbers with at most ``MAX_CLASSES`` values are classes, the rest amounts.

    Returns
    -------
    task : {"classification", "regression"}
    reason : str
        ``"given: task='regression'"``, ``"from the teacher: LogisticRegression is a
        classifier"`` or ``"guessed: 'y' holds 3 whole-number values (at most 20 → classes)"``.
    notes : list of str
    """
    from .modelchecks import estimator_kind, model_label
    from .models import MAX_CLASSES, infer_task

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
        what = (f"a single class ({short_repr(values[0])})" if task == "classification"
                else f"the same value ({short_repr(values[0])}, zero variance)")
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


def short_repr(value, width: int = 40) -> str:
    """``repr`` as typed: numpy scalars as Python's (``1.0``, not ``np.float64(1.0)``)."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= width else text[: width - 3] + "..."
