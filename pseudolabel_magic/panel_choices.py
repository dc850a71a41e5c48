"""The panel's choices without its widgets: what the notebook offers, and what a choice means.

Listing a namespace's DataFrames (pandas or Dask) and fitted estimators, the built-in model
choices, turning the chosen names into :func:`pseudolabel_magic.engine.run` arguments and
writing a run back as a ``%%pseudolabel`` cell need no ipywidgets, so they live apart from
:mod:`pseudolabel_magic.panel_app`, which wires the widgets and callbacks to them; that keeps
each module one job and lets these rules be read and tested without building a panel.
Nothing here imports pandas, scikit-learn or ipywidgets at module level.
"""

from __future__ import annotations

import keyword
import sys
from typing import Any, Mapping

from .errors import PseudoLabelError

#: Built-in model choices: key -> (dropdown label, {task: (module, class, params)}).
#: ``random_state`` is filled from the panel's seed.
BUILTIN_MODELS: dict[str, tuple[str, dict]] = {
    "LogisticRegression": ("LogisticRegression", {
        "classification": ("sklearn.linear_model", "LogisticRegression", {"max_iter": 1000}),
    }),
    "RandomForest": ("RandomForest", {
        "classification": ("sklearn.ensemble", "RandomForestClassifier",
                           {"n_estimators": 200, "random_state": None}),
        "regression": ("sklearn.ensemble", "RandomForestRegressor",
                       {"n_estimators": 200, "random_state": None}),
    }),
    "HistGradientBoosting": ("HistGradientBoosting", {
        "classification": ("sklearn.ensemble", "HistGradientBoostingClassifier", {"random_state": None}),
        "regression": ("sklearn.ensemble", "HistGradientBoostingRegressor", {"random_state": None}),
    }),
}
#: Teacher choice that lets the engine pick (and student choice that copies the teacher).
DEFAULT_TEACHER = "default"
SAME_AS_TEACHER = "same"
#: The "unlabeled" / "validation" choice meaning "no frame".
NO_FRAME = ""

#: Cell keys in the order a ``%%pseudolabel`` card lists them.
CELL_KEYS = ("labeled", "unlabeled", "validation", "target", "features", "teacher", "student",
             "select", "threshold", "k_best", "rounds", "balance", "soft", "calibrate", "guard",
             "val_size", "seed")


# ------------------------------------------------------------------ the equivalent cell
def _column_text(name: Any) -> str:
    """A column name as a cell writes it: quoted when it holds a comma, '#', a quote or spaces."""
    text = str(name)
    if text != text.strip() or any(ch in text for ch in ",#'\"") or not text:
        return '"' + text.replace('"', '\\"') + '"'
    return text


def cell_text(settings: Mapping[str, Any]) -> str:
    """The ``%%pseudolabel`` cell that repeats a panel run.

    ``settings`` maps cell keys (see :data:`CELL_KEYS`) to values as the cell writes them:
    frame and estimator names or expressions as text, ``features`` as a list of columns
    (``None`` for all), numbers and booleans as Python values. ``save`` is the result's
    name and ``imports`` a list of import lines the teacher/student expressions need
    (written as comments, since a cell body holds only keys). Keys whose value is ``None``
    are left out, so the magic's defaults apply.
    """
    head = "%%pseudolabel"
    if settings.get("save"):
        head += f" --save {settings['save']}"
    lines = [head]
    lines += [f"# needs: {line}" for line in settings.get("imports") or ()]
    for key in CELL_KEYS:
        value = settings.get(key)
        if value is None:
            continue
        if key == "features":
            value = ", ".join(_column_text(c) for c in value)
        elif key == "target":
            value = _column_text(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


# ------------------------------------------------------------------ the notebook namespace
def _visible(namespace: Mapping[str, Any], hidden) -> list[tuple[str, Any]]:
    return [(name, value) for name, value in list(namespace.items())
            if isinstance(name, str) and not name.startswith("_") and name not in hidden]


def is_lazy_frame(value: Any) -> bool:
    """A Dask DataFrame, recognised without importing dask."""
    return type(value).__module__.startswith("dask") and type(value).__name__ == "DataFrame"


def namespace_frames(namespace: Mapping[str, Any], hidden=(), lazy: bool = False) -> list[str]:
    """Names of the DataFrames in ``namespace``, in definition order (none if pandas is unused).

    ``lazy=True`` lists Dask DataFrames too (the unlabeled rows may be one).
    """
    pandas = sys.modules.get("pandas")
    return [name for name, value in _visible(namespace, hidden)
            if (pandas is not None and isinstance(value, pandas.DataFrame))
            or (lazy and is_lazy_frame(value))]


def namespace_estimators(namespace: Mapping[str, Any], hidden=()) -> list[str]:
    """Names of scikit-learn estimator *instances* that can fit and predict."""
    base = sys.modules.get("sklearn.base")
    if base is None:
        return []
    return [name for name, value in _visible(namespace, hidden)
            if isinstance(value, base.BaseEstimator) and hasattr(value, "fit")
            and hasattr(value, "predict") and name not in BUILTIN_MODELS]


def _builtin(key: str, task: str, seed) -> tuple[Any, str, str]:
    """(estimator, expression, import line) of a built-in choice for ``task``."""
    from importlib import import_module

    label, by_task = BUILTIN_MODELS[key]
    if task not in by_task:
        other = ", ".join(k for k, (_, t) in BUILTIN_MODELS.items() if task in t)
        raise PseudoLabelError(
            f"{label} only does {' and '.join(by_task)}, but the target looks like {task}; "
            f"choose {other} or the default.")
    module, cls_name, params = by_task[task]
    params = {k: (seed if k == "random_state" else v) for k, v in params.items()}
    estimator = getattr(import_module(module), cls_name)(**params)
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return estimator, f"{cls_name}({args})", f"from {module} import {cls_name}"


def model_choice(namespace: Mapping[str, Any], choice: str, role: str, task_of, seed):
    """(estimator or None, cell expression or None, import line or None) of one choice."""
    if choice in (DEFAULT_TEACHER, SAME_AS_TEACHER):
        return None, None, None
    if choice in BUILTIN_MODELS:
        return _builtin(choice, task_of(None), seed)
    if choice not in namespace:
        raise PseudoLabelError(f"the {role} {choice!r} is no longer in the notebook; "
                               "click Refresh and choose again.")
    return namespace[choice], choice, None


def run_arguments(panel, check_save: bool = True) -> tuple[dict, dict]:
    """Keyword arguments for ``engine.run`` and the cell settings; raise on a bad choice."""
    settings = panel.settings()
    name = settings["save"]
    if check_save and (not name.isidentifier() or keyword.iskeyword(name)):
        raise PseudoLabelError(f"save as {name!r} is not a valid variable name; use letters, "
                               "digits and '_' (for example pl_result).")
    if not panel.labeled.value:
        raise PseudoLabelError("there is no DataFrame to use as labeled; create one in the "
                               "notebook and click Refresh.")
    frames = {}
    for role in ("labeled", "unlabeled", "validation"):
        var = getattr(panel, role).value
        if not var:
            continue
        frame = panel.namespace.get(var)
        pandas = sys.modules.get("pandas")
        lazy_ok = role == "unlabeled" and is_lazy_frame(frame)
        if not lazy_ok and (pandas is None or not isinstance(frame, pandas.DataFrame)):
            raise PseudoLabelError(f"the {role} frame {var!r} is no longer a DataFrame in the "
                                   "notebook; click Refresh and choose again.")
        frames[role] = frame
    labeled = frames["labeled"]
    target = panel.target.value
    if target is None or target not in labeled.columns:
        raise PseudoLabelError(f"choose a target column of {panel.labeled.value!r}.")
    if settings["features"] is not None and not settings["features"]:
        raise PseudoLabelError("no features chosen; select some columns or tick "
                               "'all other columns as features'.")
    seed = settings["seed"]

    def task_of(teacher):
        from .models import infer_task

        return infer_task(labeled[target], teacher)

    teacher, teacher_expr, teacher_import = model_choice(
        panel.namespace, panel.teacher.value, "teacher", task_of, seed)
    if teacher is not None and panel.teacher.value not in BUILTIN_MODELS:
        task = task_of(teacher)
        task_of = lambda _t, _task=task: _task  # noqa: E731 - the student follows the teacher
    student, student_expr, student_import = model_choice(
        panel.namespace, panel.student.value, "student", task_of, seed)
    settings.update(teacher=teacher_expr, student=student_expr,
                    imports=sorted({i for i in (teacher_import, student_import) if i}))
    kwargs = dict(
        labeled=labeled, unlabeled=frames.get("unlabeled"), validation=frames.get("validation"),
        target=target, features=settings["features"], teacher=teacher, student=student,
        select=settings["select"], threshold=settings["threshold"], k_best=settings["k_best"],
        rounds=settings["rounds"], balance=settings["balance"], soft=settings["soft"],
        random_state=seed)
    for key in ("calibrate", "guard"):
        if settings[key] is not None:
            kwargs[key] = settings[key]
    if settings["val_size"] is not None:
        kwargs["val_size"] = settings["val_size"]
    return kwargs, settings
