"""The notebook's choices without widgets: what the notebook offers, and what a choice means.

Listing a namespace's DataFrames (pandas or Dask) and fitted estimators, the built-in model
choices, turning the chosen names into :func:`pseudolabel_magic.core.engine.run` arguments and
writing a run back as a ``%%pseudolabel`` cell need no ipywidgets, so they live apart from
:mod:`pseudolabel_magic.notebook.panel`, which wires the widgets and callbacks to them; that keeps
each module one job and lets these rules be read and tested without building a panel. The
facts both front ends share (the frame roles and their notebook names, the settings
``pl.compare`` chooses itself, the run's settings as the diagrams read them) are written
here once, for the panel and the magic alike.
Nothing here imports pandas, scikit-learn or ipywidgets at module level.
"""

from __future__ import annotations

import keyword
import sys
from collections.abc import Mapping
from typing import Any

from ..errors import PseudoLabelError
from ..kinds import is_dask_frame
from ..recipe.keys import FRAME_ROLES, RUN_NAME

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

#: The frame roles: the cell keys whose value is a DataFrame, in the cell's order.
#: Settings ``pl.compare`` chooses per strategy, so a comparison is given none of them.
STRATEGY_KEYS = ("select", "threshold", "k_best", "rounds", "balance", "soft", "calibrate",
                 "oof", "guard", "curriculum")

def frame_names(names: Mapping[str, Any]) -> dict[str, str]:
    """The frame-names dict: ``{role: notebook variable name}`` of the frames given.

    ``names`` maps cell keys to what the user wrote (a cell's entries, a panel's settings);
    the frame roles (:data:`FRAME_ROLES`) with a name are kept, in the cell's order. This is
    what ``result.config["frame_names"]`` holds, so ``to_code()`` and ``--explain`` call the
    frames by the notebook's names.
    """
    return {role: names[role] for role in FRAME_ROLES if names.get(role)}


def name_frames(result, names: Mapping[str, str]) -> None:
    """Let ``result.to_code()`` name the notebook's frames (a result without a config dict
    is left as it is)."""
    config = getattr(result, "config", None)
    if isinstance(config, dict):
        config["frame_names"] = dict(names)


def run_config(kwargs: Mapping[str, Any]) -> dict:
    """A run's settings as the diagrams and ``--explain`` read them while it works (before
    the engine writes ``result.config``): the keyword arguments of ``run`` without the
    frames, and whether the unlabeled and validation frames were given."""
    config = {key: value for key, value in kwargs.items() if key not in FRAME_ROLES}
    config["validation_given"] = kwargs.get("validation") is not None
    config["unlabeled_given"] = kwargs.get("unlabeled") is not None
    return config


# ------------------------------------------------------------------ the notebook namespace
#: Column names read as "the target" when the panel guesses one.
TARGET_NAMES = ("target", "label", "labels", "y", "class")


def guess_target(frame) -> Any:
    """A column named like a target, else the last column with missing values, else the last."""
    if frame is None or len(frame.columns) == 0:
        return None
    for col in frame.columns:
        if str(col).lower() in TARGET_NAMES:
            return col
    missing = [col for col in frame.columns if frame[col].isna().any()]
    return missing[-1] if missing else frame.columns[-1]


def starting_frames(namespace: Mapping[str, Any], names: list[str]) -> tuple[str, str]:
    """(labeled, unlabeled) choices a new panel starts on, so its first Run can work.

    The most recently defined frame whose target has both known and missing values (its
    missing rows are the unlabeled set); else the most recent frame with a target-named
    column beside a frame that has its other columns but no target (labeled + unlabeled);
    else the most recent frame. ``unlabeled`` is :data:`NO_FRAME` when not a pair.
    """
    if not names:
        return NO_FRAME, NO_FRAME
    frames = [(name, namespace[name]) for name in names]
    for name, frame in reversed(frames):
        target = guess_target(frame)
        if target is not None:
            column = frame[target]
            if getattr(column, "ndim", 1) == 1 and column.isna().any() and column.notna().any():
                return name, NO_FRAME
    for name, frame in reversed(frames):
        targets = [c for c in frame.columns if str(c).lower() in TARGET_NAMES]
        if not targets:
            continue
        others = set(frame.columns) - {targets[0]}
        for other, pool in reversed(frames):
            if other != name and others and targets[0] not in pool.columns \
                    and others <= set(pool.columns):
                return name, other
    return names[-1], NO_FRAME


def _visible(namespace: Mapping[str, Any], hidden) -> list[tuple[str, Any]]:
    return [(name, value) for name, value in list(namespace.items())
            if isinstance(name, str) and not name.startswith("_") and name not in hidden]


def is_pandas_frame(value: Any) -> bool:
    """A pandas DataFrame (False while pandas was never imported: nothing can be one)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def namespace_frames(namespace: Mapping[str, Any], hidden=(), lazy: bool = False) -> list[str]:
    """Names of the DataFrames in ``namespace``, in definition order (none if pandas is unused).

    ``lazy=True`` lists Dask DataFrames too (the unlabeled rows may be one).
    """
    return [name for name, value in _visible(namespace, hidden)
            if is_pandas_frame(value) or (lazy and is_dask_frame(value))]


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


def model_choice(namespace: Mapping[str, Any], choice: str | None, role: str, task, seed):
    """(estimator or None, cell expression or None, import line or None) of one choice.

    ``choice`` is None (or :data:`DEFAULT_TEACHER` / :data:`SAME_AS_TEACHER`) for the
    engine's own pick, a :data:`BUILTIN_MODELS` key, or a notebook variable's name;
    ``task()`` gives the task a built-in model is made for.
    """
    if choice in (None, DEFAULT_TEACHER, SAME_AS_TEACHER):
        return None, None, None
    if choice in BUILTIN_MODELS:
        return _builtin(choice, task(), seed)
    if choice not in namespace:
        raise PseudoLabelError(f"the {role} {choice!r} is no longer in the notebook; "
                               "click Refresh and choose again.")
    return namespace[choice], choice, None


#: Cell settings the panel always passes to ``run`` (by ``run``'s names), and those it passes
#: only when they are set (else ``run``'s own defaults apply).
PASSED_SETTINGS = ("target", "features", "select", "threshold", "k_best", "rounds", "balance",
                   "soft", "seed")
PASSED_WHEN_SET = ("calibrate", "guard", "val_size")


def run_arguments(namespace: Mapping[str, Any], settings: Mapping[str, Any],
                  check_save: bool = True) -> tuple[dict, dict]:
    """Keyword arguments for ``engine.run`` and the cell settings; raise on a bad choice.

    ``settings`` are a panel's choices as the cell writes them
    (:meth:`~pseudolabel_magic.notebook.panel.PseudoLabelPanel.settings`); the settings
    returned are a copy with the teacher and student as cell expressions, the import lines
    they need and the labeled frame's columns, ready for :func:`cell_text`.
    """
    settings = dict(settings)
    if check_save:
        _check_save_name(settings["save"])
    frames = _chosen_frames(namespace, settings)
    labeled = frames["labeled"]
    _check_columns(settings, labeled)
    (teacher, teacher_expr, teacher_import), (student, student_expr, student_import) = \
        _chosen_models(namespace, settings, labeled[settings["target"]])
    settings.update(teacher=teacher_expr, student=student_expr,
                    imports=sorted({i for i in (teacher_import, student_import) if i}),
                    labeled_columns=list(labeled.columns))
    kwargs = {role: frames.get(role) for role in FRAME_ROLES}
    kwargs.update(teacher=teacher, student=student)
    kwargs.update({RUN_NAME[key]: settings[key] for key in PASSED_SETTINGS})
    kwargs.update({RUN_NAME[key]: settings[key] for key in PASSED_WHEN_SET
                   if settings[key] is not None})
    return kwargs, settings


def _check_save_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise PseudoLabelError(f"save as {name!r} is not a valid variable name; use letters, "
                               "digits and '_' (for example pl_result).")


def _chosen_frames(namespace: Mapping[str, Any], settings: Mapping[str, Any]) -> dict:
    """``{role: frame}`` of the frames chosen; raise when one is gone (a Dask pool is fine)."""
    if not settings["labeled"]:
        raise PseudoLabelError("there is no DataFrame to use as labeled; create one in the "
                               "notebook and click Refresh.")
    frames = {}
    for role, var in frame_names(settings).items():
        frame = namespace.get(var)
        lazy_ok = role == "unlabeled" and is_dask_frame(frame)
        if not lazy_ok and not is_pandas_frame(frame):
            raise PseudoLabelError(f"the {role} frame {var!r} is no longer a DataFrame in the "
                                   "notebook; click Refresh and choose again.")
        frames[role] = frame
    return frames


def _check_columns(settings: Mapping[str, Any], labeled) -> None:
    target = settings["target"]
    if target is None or target not in labeled.columns:
        raise PseudoLabelError(f"choose a target column of {settings['labeled']!r}.")
    if settings["features"] is not None and not settings["features"]:
        raise PseudoLabelError("no features chosen; select some columns or tick "
                               "'all other columns as features'.")


def _chosen_models(namespace: Mapping[str, Any], settings: Mapping[str, Any], y):
    """The teacher's and the student's :func:`model_choice`; a built-in student is made for
    the task the user's own teacher implies (else the task the target implies)."""
    from ..core.models import infer_task

    seed, choice = settings["seed"], settings["teacher"]
    teacher = model_choice(namespace, choice, "teacher", lambda: infer_task(y, None), seed)
    mine = teacher[0] if choice not in BUILTIN_MODELS else None
    known = infer_task(y, mine) if mine is not None else None  # the user's teacher decides
    student = model_choice(namespace, settings["student"], "student",
                           lambda: known or infer_task(y, None), seed)
    return teacher, student
