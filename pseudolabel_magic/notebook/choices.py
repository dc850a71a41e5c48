"""The panel's choices without its widgets: what the notebook offers, and what a choice means.

Listing a namespace's DataFrames (pandas or Dask) and fitted estimators, the built-in model
choices, turning the chosen names into :func:`pseudolabel_magic.core.engine.run` arguments and
writing a run back as a ``%%pseudolabel`` cell need no ipywidgets, so they live apart from
:mod:`pseudolabel_magic.notebook.panel`, which wires the widgets and callbacks to them; that keeps
each module one job and lets these rules be read and tested without building a panel.
Nothing here imports pandas, scikit-learn or ipywidgets at module level.
"""

from __future__ import annotations

import io
import keyword
import math
import numbers
import sys
import tokenize
from collections.abc import Mapping
from typing import Any

from ..errors import PseudoLabelError

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
#: How the Code tab's cell starts when the run cannot be written as a cell (one comment line).
NO_CELL = "# no %%pseudolabel cell for this run: "


def _same_label(written: Any, label: Any) -> bool:
    """The magic's label is the panel's: equal, and text stays text (``"3"`` is not ``3``)."""
    try:
        equal = bool(written == label)
    except Exception:  # noqa: BLE001 - labels that do not compare are not the same
        return False
    return equal and isinstance(written, str) == isinstance(label, str) \
        and isinstance(written, bool) == isinstance(label, bool)


def _reads_back(key: str, text: str, names: list, columns: list) -> bool:
    """True when the magic reads ``key: text`` back as exactly ``names`` of ``columns``.

    The proof uses the magic's own parser and resolver (no namespace: a feature list written
    as a Python list holds only literals), so what passes here is what the cell will do.
    """
    from ..recipe.parse import PseudoLabelCell
    from ..recipe.resolve import match_column, resolve_value

    if not _tokenizes(f"{key}: {text}"):
        return False
    try:
        entry = PseudoLabelCell.parse(f"{key}: {text}").entries[key]
        value = resolve_value(entry, {}, None, [])
    except (PseudoLabelError, KeyError):
        return False
    values = value if key == "features" else [value]
    if not isinstance(values, list) or len(values) != len(names):
        return False
    return all(_same_label(match_column(v, columns), name) for v, name in zip(values, names))


def _tokenizes(line: str) -> bool:
    """True when Python's tokenizer reads the line to its end.

    IPython tokenizes a cell magic's body as Python after the magic ran (to honour a trailing
    ';'), so a line with an open bracket or, from Python 3.12, an unterminated quote or a
    trailing backslash would end the cell in a ``TokenError`` traceback.
    """
    try:
        for _ in tokenize.generate_tokens(io.StringIO(line).readline):
            pass
    except (tokenize.TokenError, SyntaxError):
        return False
    return True


def _candidates(name: Any) -> list[str]:
    """Ways to write one column name, most readable first: bare, then in either quotes."""
    if not isinstance(name, str):
        return [str(int(name)) if _is_int(name) else str(name)]
    bare = [name] if name == name.strip() and name and not any(ch in name for ch in ",#'\"") else []
    quotes = "'\"" if '"' in name else "\"'"
    return bare + [f"{q}{name}{q}" for q in quotes]


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _literal(name: Any) -> str | None:
    """A column name as a Python literal (for a ``features: [...]`` list), or None."""
    if isinstance(name, str):
        return repr(name)
    if _is_int(name):
        return str(int(name))
    if isinstance(name, numbers.Real) and not isinstance(name, bool) and math.isfinite(name):
        return repr(float(name))
    return None


def column_text(name: Any, columns: list) -> str | None:
    """``name`` as a cell's ``target:`` writes it so the magic reads it back, or None if no text does.

    The magic removes the quotes around a name without unescaping anything, so a quoted
    name keeps any character but a line break, as long as the quote chosen ends it and the
    line still tokenizes; a bare number names the column whose ``str()`` it is, so an
    integer column ``3`` cannot be written beside a text column ``"3"``.
    """
    return next((text for text in _candidates(name) if _reads_back("target", text, [name], columns)),
                None)


def columns_text(names: list, columns: list) -> str | None:
    """``names`` as a cell's ``features:`` writes them: a comma list when it reads back, else a
    Python list of literals (which keeps integers, quotes and line breaks); None if neither."""
    parts = [column_text(name, columns) for name in names]
    if None not in parts and _reads_back("features", ", ".join(parts), names, columns):
        return ", ".join(parts)
    literals = [_literal(n) for n in names]
    if None not in literals and _reads_back("features", f"[{', '.join(literals)}]", names, columns):
        return f"[{', '.join(literals)}]"
    return None


def _why_not(role: str, name: Any, columns: list) -> str:
    """One line saying why a column name cannot be written in a cell, and what to do."""
    if isinstance(name, str) and len(f"x{name}x".splitlines()) > 1:
        reason = "its name holds a line break"
    elif isinstance(name, str):
        reason = "neither quote can hold its quotes, '#' and backslashes"
    elif any(isinstance(c, str) and c == str(name) for c in columns):
        reason = f"in a cell, {name} names the text column {str(name)!r}"
    else:
        reason = f"no text in a cell reads back as the {type(name).__name__} {name!r}"
    return (f"{NO_CELL}the {role} column {name!r} cannot be written in a cell ({reason}); "
            "rename it with df.rename(columns=...) or use the plain Python below.")


def cell_text(settings: Mapping[str, Any]) -> str:
    """The ``%%pseudolabel`` cell that repeats a panel run, or one comment line saying why not.

    ``settings`` maps cell keys (see :data:`CELL_KEYS`) to values as the cell writes them:
    frame and estimator names or expressions as text, ``features`` as a list of columns
    (``None`` for all), numbers and booleans as Python values. ``save`` is the result's
    name and ``imports`` a list of import lines the teacher/student expressions need
    (written as comments, since a cell body holds only keys). ``labeled_columns`` lists the
    labeled frame's columns, so every column name is written the way the magic reads back
    to the same column (without it, the target and features are taken as the only columns).
    Keys whose value is ``None`` are left out, so the magic's defaults apply. When some name
    cannot be written (a line break in the target's name, say) the text is the one comment
    line :data:`NO_CELL` ... instead of a cell that would run differently.
    """
    features = settings.get("features")
    columns = settings.get("labeled_columns")
    if columns is None:
        columns = [settings.get("target"), *(features or ())]
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
            value = columns_text(list(value), columns)
            if value is None:
                bad = next((n for n in features if _literal(n) is None), features[0])
                return _why_not("feature", bad, columns)
        elif key == "target":
            name, value = value, column_text(value, columns)
            if value is None:
                return _why_not("target", name, columns)
        elif key in ("labeled", "unlabeled", "validation") and not (
                value.isidentifier() and not keyword.iskeyword(value)):
            return (f"{NO_CELL}the {key} frame's variable name {value!r} is not a Python name; "
                    "assign the frame to a plain variable and run again.")
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


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
        from ..core.models import infer_task

        return infer_task(labeled[target], teacher)

    teacher, teacher_expr, teacher_import = model_choice(
        panel.namespace, panel.teacher.value, "teacher", task_of, seed)
    if teacher is not None and panel.teacher.value not in BUILTIN_MODELS:
        task = task_of(teacher)
        task_of = lambda _t, _task=task: _task
    student, student_expr, student_import = model_choice(
        panel.namespace, panel.student.value, "student", task_of, seed)
    settings.update(teacher=teacher_expr, student=student_expr,
                    imports=sorted({i for i in (teacher_import, student_import) if i}),
                    labeled_columns=list(labeled.columns))
    kwargs = {
        "labeled": labeled, "unlabeled": frames.get("unlabeled"), "validation": frames.get("validation"),
        "target": target, "features": settings["features"], "teacher": teacher, "student": student,
        "select": settings["select"], "threshold": settings["threshold"], "k_best": settings["k_best"],
        "rounds": settings["rounds"], "balance": settings["balance"], "soft": settings["soft"],
        "random_state": seed}
    for key in ("calibrate", "guard"):
        if settings[key] is not None:
            kwargs[key] = settings[key]
    if settings["val_size"] is not None:
        kwargs["val_size"] = settings["val_size"]
    return kwargs, settings
