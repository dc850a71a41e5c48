"""One check for every setting of :func:`pseudolabel_magic.run`, made before any model is fitted.

:func:`check_setting` judges one value by its row of :data:`~.config.SETTINGS`;
:func:`check_run_settings` judges a run's settings alone and together (:data:`~.relations.RELATIONS`),
raising :class:`~pseudolabel_magic.errors.PseudoLabelError` with one sentence that names the
setting, the value and the fix. ``pl.run``, the magic, the panel and the meta-estimators
share it, so a value is judged the same way wherever it is typed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from typing import Any, Callable

from ..errors import PseudoLabelError, did_you_mean
from .config import (
    BOOL,
    CALLBACK,
    CHOICE,
    COLUMN,
    COLUMNS,
    ESTIMATOR,
    FOLDS,
    FRACTION_OR_COUNT,
    INT,
    REAL,
    SEED,
    SETTINGS,
    SPLITTER,
    THRESHOLDS,
    WEIGHTS,
    RunConfig,
    Setting,
)
from .relations import RELATIONS
from .values import is_bool, is_int, is_nan, is_real, kind_of, numpy_if_loaded, show


def _wrong_type(s: Setting, value, what: str | None = None) -> str:
    return f"{s.name}={show(value)} must be {s.expected}, not {what or kind_of(value)}"


def _out_of_range(s: Setting, value) -> str:
    if s.kind == REAL and s.low is not None and s.high is not None and s.closed == "both":
        return f"{s.name}={show(value)} is outside [{s.low:g}, {s.high:g}]"
    return f"{s.name}={show(value)} must be {s.expected}"


def _in_range(s: Setting, value) -> bool:
    if s.low is not None and (value < s.low or value == s.low and s.closed in ("right", "neither")):
        return False
    if s.high is not None and (value > s.high or value == s.high and s.closed in ("left", "neither")):
        return False
    return value not in s.excluded



# -- one checker per kind: None when the value is good, else (head, fix or None) -----------
def _check_bool(s: Setting, value):
    if is_bool(value):
        return None
    if isinstance(value, str):
        return (_wrong_type(s, value), f"write {s.name}=True or {s.name}=False without quotes "
                f"(any non-empty text, even {value!r}, counts as true)")
    return _wrong_type(s, value), None


def _check_int(s: Setting, value):
    if not is_int(value):
        if (is_real(value) and math.isfinite(value) and float(value).is_integer()
                and _in_range(s, int(value))):
            return _wrong_type(s, value), f"pass the whole number {s.name}={int(value)}"
        return _wrong_type(s, value), None
    if not _in_range(s, value):
        return _out_of_range(s, value), None
    return None


def _check_real(s: Setting, value):
    if not is_real(value) or is_nan(value):
        hint = None
        if isinstance(value, str):
            try:
                hint = f"pass the number without quotes, {s.name}={float(value)!r}"
            except ValueError:
                pass
        return _wrong_type(s, value), hint
    if not math.isfinite(value) or not _in_range(s, value):
        return _out_of_range(s, value), None
    return None


def _check_fraction_or_count(s: Setting, value):
    if not is_real(value) or is_nan(value):
        return _wrong_type(s, value), None
    if is_int(value):
        return None if value >= 1 else (_out_of_range(s, value), None)
    if not 0 < float(value) < 1:
        return _out_of_range(s, value), None
    return None


def _check_choice(s: Setting, value):
    if isinstance(value, str) and value in s.choices:
        return None
    head = f"unknown {s.name}={show(value)}"
    if is_real(value) and s.name == "select":
        return head, f"select names the rule; write select='threshold', threshold={show(value)}"
    hint = did_you_mean(value, s.choices) if isinstance(value, str) else ""
    return head, f"{s.fix}.{hint}"


def _check_folds(s: Setting, value):
    if is_bool(value):
        return None
    if not is_int(value):
        return _wrong_type(s, value), None
    return None if value >= 2 else (_out_of_range(s, value), None)


def _check_splitter(s: Setting, value):
    if is_int(value):
        return None if value >= 2 else (_out_of_range(s, value), None)
    if is_bool(value) or isinstance(value, (str, bytes)) or is_real(value):
        return _wrong_type(s, value), None
    if isinstance(value, type):
        return (f"cv={value.__name__} is a class, not a splitter; did you mean "
                f"cv={value.__name__}()?"), "pass a splitter object or a number of folds"
    if not (callable(getattr(value, "split", None)) and callable(getattr(value, "get_n_splits", None))):
        return _wrong_type(s, value), None
    return None


def _check_thresholds(s: Setting, value):
    if (isinstance(value, (str, bytes, Mapping, Set)) or not hasattr(value, "__len__")
            or not hasattr(value, "__getitem__") or len(value) == 0):
        return f"{s.name}={show(value)} must be {s.expected}", None
    for t in value:
        if not is_real(t) or is_nan(t):
            return (f"{s.name} threshold {show(t)} must be a number in [0, 1], not {kind_of(t)}",
                    "pass confidences such as [0.99, 0.9, 0.8]")
        if not 0 <= float(t) <= 1:
            return (f"{s.name} threshold {show(t)} is outside [0, 1]",
                    "pass confidences such as [0.99, 0.9, 0.8]")
    values = [float(t) for t in value]
    if any(b > a for a, b in zip(values, values[1:])):
        shown = "[" + ", ".join(show(t) for t in value) + "]"
        return (f"{s.name}={shown} must relax round by round (never rise)",
                "sort it high to low, e.g. [0.99, 0.9, 0.8]")
    return None


def _check_seed(s: Setting, value):
    if is_bool(value):
        return _wrong_type(s, value), None
    np = numpy_if_loaded()
    if np is not None and isinstance(value, np.random.Generator):
        return (_wrong_type(s, value, "a numpy Generator"),
                "scikit-learn's splitters take a seed or a RandomState: pass random_state=0 "
                "or np.random.RandomState(0)")
    from sklearn.utils import check_random_state

    try:
        check_random_state(value)
    except (ValueError, TypeError, OverflowError):
        return (_out_of_range(s, value) if is_int(value) else _wrong_type(s, value)), None
    return None


def _check_estimator(s: Setting, value):
    from .modelchecks import (
        estimator_problem,  # imports scikit-learn only to judge a model
    )

    return estimator_problem(value, s.name)


def _check_column(s: Setting, value):
    if value is None or isinstance(value, (list, Set, Mapping)) or _unhashable(value):
        if hasattr(value, "columns") or hasattr(value, "dtype"):  # a frame, Series or array
            return (_wrong_type(s, value), f"put it in the frame (labeled[{s.name!r}] = ...) "
                    f"and pass its name, {s.name}={s.name!r}")
        return _wrong_type(s, value), None
    return None


def _unhashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return True
    return False


def _check_columns(s: Setting, value):
    if isinstance(value, str):
        return None
    if hasattr(value, "columns"):  # a DataFrame: its columns, not the frame
        return _wrong_type(s, value), "pass features=list(X.columns), with those columns in labeled"
    if isinstance(value, (Set, Mapping)):
        return _wrong_type(s, value), "pass a list (a set has no order), e.g. features=sorted(...)"
    if not hasattr(value, "__iter__") or not hasattr(value, "__len__"):
        if not _unhashable(value) and not is_bool(value):
            return _wrong_type(s, value), f"pass a list, features=[{show(value)}]"
        return _wrong_type(s, value), None
    names = list(value)
    if not names:
        return (f"{s.name}={show(value)} is empty",
                "pass None for every column but the target, or the names of the feature columns")
    seen = set()
    for col in names:
        if _unhashable(col):
            return f"{s.name} holds {show(col)}, {kind_of(col)}, which is not a column name", None
        if col in seen:
            return f"{s.name} names {col!r} twice", "list each column once"
        seen.add(col)
    return None


def _check_weights(s: Setting, value):
    """The shape of the weights; their values are checked against labeled (``inputs``)."""
    if isinstance(value, (str, bytes)):
        return (_wrong_type(s, value), "pass the column's values, "
                f"sample_weight=labeled[{value!r}], and leave that column out of features")
    if hasattr(value, "columns"):
        return (_wrong_type(s, value, f"a {type(value).__name__} of shape {tuple(value.shape)}"),
                "pass one column of it, e.g. sample_weight=frame['w']")
    if isinstance(value, (Mapping, Set)) or is_real(value) or is_bool(value):
        fix = ("one number weighs every row the same, which changes nothing: leave "
               "sample_weight=None" if is_real(value) else None)
        return _wrong_type(s, value), fix
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape) != 1:
        return (f"{s.name} has shape {tuple(shape)}, not one weight per row",
                "pass a 1-D array (e.g. w.ravel()) with one number per row of labeled")
    if not hasattr(value, "__len__") or not hasattr(value, "__iter__"):
        return _wrong_type(s, value), None
    return None


def _check_callback(s: Setting, value):
    return None if callable(value) else (_wrong_type(s, value), None)


_CHECKERS: dict[str, Callable[[Setting, Any], Any]] = {
    BOOL: _check_bool, INT: _check_int, REAL: _check_real,
    FRACTION_OR_COUNT: _check_fraction_or_count, CHOICE: _check_choice, FOLDS: _check_folds,
    THRESHOLDS: _check_thresholds, SEED: _check_seed, ESTIMATOR: _check_estimator,
    COLUMN: _check_column, COLUMNS: _check_columns, CALLBACK: _check_callback,
    WEIGHTS: _check_weights, SPLITTER: _check_splitter,
}



# -- the public checks --------------------------------------------------------------------
def _fail(setting: str | None, message: str) -> PseudoLabelError:
    err = PseudoLabelError(message)
    err.setting = setting  # lets a front end point at the line or control that set it
    return err


def check_setting(name: str, value) -> None:
    """Check one setting on its own (a panel control, a ``%config`` default).

    Parameters
    ----------
    name : str
        A keyword of :func:`pseudolabel_magic.run`, a key of :data:`SETTINGS`.
    value : object
        The value to check.

    Raises
    ------
    PseudoLabelError
        One sentence naming the setting, the value and the fix; its ``setting`` attribute
        is ``name``.
    """
    if name not in SETTINGS:
        raise _fail(None, f"unknown setting {name!r}; settings are {', '.join(SETTINGS)}."
                    + did_you_mean(name, SETTINGS))
    s = SETTINGS[name]
    if value is None and s.none_ok:
        return
    problem = _CHECKERS[s.kind](s, value)
    if problem is None:
        return
    head, fix = problem
    message = f"{head}; {fix or s.fix}"
    if not message.endswith((".", "?", "!")):
        message += "."
    raise _fail(name, message)


def check_run_settings(**settings) -> None:
    """Check the settings of one run, alone and together, before any model is fitted.

    Every keyword of :func:`pseudolabel_magic.run` but the three frames (``labeled``,
    ``unlabeled``, ``validation``) may be given; those left out count as their defaults
    for the rules between settings. Settings are checked in :data:`SETTINGS` order and the
    first problem is raised.

    Parameters
    ----------
    **settings
        Keyword arguments of ``run``, for example ``threshold=0.9, select="threshold"``.

    Raises
    ------
    PseudoLabelError
        A ``ValueError`` with one sentence naming the setting, the value and the fix, for
        example ``threshold=True must be a number in [0, 1], not a bool; pass a confidence
        such as 0.9.`` Its ``setting`` attribute names the setting to blame.

    See Also
    --------
    check_setting : one setting on its own.
    SETTINGS : the table of rules.

    Notes
    -----
    Decisions worth knowing: booleans are refused wherever a number is expected and
    anything but ``True``/``False`` (numpy bools included) where a switch is expected;
    ``random_state`` takes what :func:`sklearn.utils.check_random_state` takes, so a numpy
    ``Generator`` is refused (scikit-learn's splitters cannot use one);
    ``max_pseudo_rows=0`` is refused, since a student without pseudo-labels is the teacher
    refitted (use ``pl.compare``'s supervised row for that baseline); ``teacher`` and
    ``student`` need ``fit``, ``predict`` and ``get_params``, so that
    they can be cloned.

    Examples
    --------
    >>> from pseudolabel_magic.core.validation import check_run_settings
    >>> check_run_settings(select="threshold", threshold=0.9, rounds=2)
    >>> check_run_settings(allow_leakage="no")
    Traceback (most recent call last):
    ...
    pseudolabel_magic.errors.PseudoLabelError: allow_leakage='no' must be True or False, \
not a str; write allow_leakage=True or allow_leakage=False without quotes (any non-empty \
text, even 'no', counts as true).
    """
    unknown = [name for name in settings if name not in SETTINGS]
    if unknown:
        raise _fail(None, f"unknown setting {unknown[0]!r}; settings are "
                    f"{', '.join(SETTINGS)}.{did_you_mean(unknown[0], SETTINGS)}")
    for name in SETTINGS:
        if name in settings:
            check_setting(name, settings[name])
    values = {name: settings.get(name, s.default) for name, s in SETTINGS.items()}
    for relation in RELATIONS:
        problem = relation(values)
        if problem is not None:
            raise _fail(*problem)


def run_config(**settings) -> RunConfig:
    """The checked, typed configuration of one run (:func:`check_run_settings`, then build).

    Parameters
    ----------
    **settings
        Keyword arguments of :func:`pseudolabel_magic.run` but the three frames; those left
        out take their defaults.

    Returns
    -------
    RunConfig
        The frozen configuration.

    Raises
    ------
    PseudoLabelError
        As :func:`check_run_settings`: one sentence naming the setting, the value and the fix.
    """
    check_run_settings(**settings)
    return RunConfig(**settings)
