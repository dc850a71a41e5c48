"""One check for every setting of :func:`pseudolabel_magic.run`, made before any model is fitted.

:data:`SETTINGS` is a table with one :class:`Setting` per keyword of ``run`` (its default,
the rule its value must follow, what a good value looks like and how to fix a bad one), and
:data:`RELATIONS` lists the rules that tie settings together (``select='threshold'`` needs a
threshold, a curriculum fixes the rounds, ...). :func:`check_run_settings` applies both and
raises :class:`PseudoLabelError` with one sentence that names the setting, the value and
the fix. ``pl.run``, the magic, the panel and the meta-estimators share it, so a value is
judged the same way wherever it is typed.

The rules follow scikit-learn's parameter conventions without its private helpers: a
boolean is never a number (``threshold=True`` is refused although ``True == 1``), a switch
is a real ``bool`` (``allow_leakage='no'`` is refused although ``'no'`` is truthy), and a
seed is what :func:`sklearn.utils.check_random_state` accepts. Nothing heavy is imported at
module level: numpy is looked at only when the caller already loaded it, and scikit-learn
only to judge a seed or an estimator.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import PseudoLabelError, did_you_mean

#: The select rules ``run`` knows (``selection.SELECT_MODES``; a test keeps them equal).
SELECT_RULES = ("all", "threshold", "k-best", "auto")
#: The tasks ``run`` knows.
TASKS = ("classification", "regression")

# How a value is checked: each kind has one checker in ``_CHECKERS`` below.
BOOL = "bool"  # True or False (numpy bools too); never 0/1 or text
INT = "int"  # a whole number (not a bool) in a range
REAL = "real"  # a finite number (not a bool) in a range
FRACTION_OR_COUNT = "fraction_or_count"  # a fraction in (0, 1) or a whole count >= 1
CHOICE = "choice"  # one of a few words
FOLDS = "folds"  # True, False or a number of folds >= 2
THRESHOLDS = "thresholds"  # a list of confidences in [0, 1], one per round
SEED = "seed"  # None, a whole number in [0, 2**32 - 1] or a numpy RandomState
ESTIMATOR = "estimator"  # an unfitted scikit-learn estimator object
COLUMN = "column"  # one column label
COLUMNS = "columns"  # a list of column labels (or one name)
CALLBACK = "callback"  # a callable
WEIGHTS = "weights"  # one number per labeled row: an array, a list or a Series
SPLITTER = "splitter"  # a number of folds >= 2 or a scikit-learn splitter object

#: The metrics a run reports, by task (``scoring=`` names one of them); lower is better
#: for the ones in :data:`LOWER_IS_BETTER`.
METRICS = {"classification": ("accuracy", "balanced_accuracy", "f1_macro", "log_loss"),
           "regression": ("r2", "mae", "rmse")}
LOWER_IS_BETTER = ("log_loss", "mae", "rmse")


@dataclass(frozen=True)
class Setting:
    """One keyword of ``run``: its default, the rule for its value, and the fix for a bad one.

    Parameters
    ----------
    name : str
        The keyword of :func:`pseudolabel_magic.run`.
    default : object
        Its default in ``run``'s signature (a test compares the two).
    kind : str
        How the value is checked, one of the kind constants of this module (``BOOL``,
        ``INT``, ``REAL``, ...).
    expected : str
        A good value, as the end of "must be ...": ``"a whole number >= 1"``.
    fix : str
        The second half of the error sentence: ``"pass e.g. k_best=100"``.
    help : str
        One line saying what the setting does (for documentation and a typed config).
    low, high : float or None, default=None
        The range of ``INT`` and ``REAL`` values; None leaves that side open.
    closed : {"both", "left", "right", "neither"}, default="both"
        Which ends of ``[low, high]`` are allowed.
    none_ok : bool, default=False
        Whether None is a valid value.
    excluded : tuple, default=()
        Values inside the range that are still refused (``n_jobs=0``).
    choices : tuple, default=()
        The words a ``CHOICE`` setting takes.
    """

    name: str
    default: Any
    kind: str
    expected: str
    fix: str
    help: str
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    none_ok: bool = False
    excluded: tuple = ()
    choices: tuple = ()


_ESTIMATOR_FIX = "pass an estimator object such as RandomForestClassifier()"

#: Every setting of ``run``, in the order of its signature (the frames are not settings).
SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("target", None, COLUMN, "one column name", "pass the name of the label column, "
            "e.g. target='label'", "the column holding the labels (missing = unlabeled)"),
    Setting("task", None, CHOICE, "None, 'classification' or 'regression'",
            "pass task='classification' or task='regression', or None to take it from the "
            "teacher or the target", "classes or amounts (None: the teacher's kind, else "
            "guessed from the target; result.task_reason says which)", none_ok=True,
            choices=TASKS),
    Setting("teacher", None, ESTIMATOR, "a scikit-learn estimator object", _ESTIMATOR_FIX,
            "the model fitted on train that pseudo-labels the unlabeled rows (None: a default "
            "forest for raw frames)", none_ok=True),
    Setting("student", None, ESTIMATOR, "a scikit-learn estimator object", _ESTIMATOR_FIX,
            "the model fitted on train + pseudo-labels (None: a fresh clone of the teacher)",
            none_ok=True),
    Setting("sample_weight", None, WEIGHTS,
            "None, an array with one weight per row of labeled, or a Series on labeled's index",
            "pass e.g. sample_weight=labeled['w'].to_numpy(), one number per row of labeled",
            "weights of the labeled rows for the teacher and the student (rows without a "
            "target are ignored; validation scores stay unweighted)", none_ok=True),
    Setting("val_size", 0.2, FRACTION_OR_COUNT, "a fraction in (0, 1) or a row count >= 1",
            "pass val_size=0.2 (a fifth of the labeled rows) or a number of rows such as 30",
            "the share of labeled rows held out for validation when no validation frame is given"),
    Setting("cv", None, SPLITTER, "None, a number of folds >= 2 or a scikit-learn splitter "
            "such as StratifiedKFold(5)", "pass cv=5 (five folds) or cv=None for one hold-out "
            "split", "cross-fit: every labeled row validates once, scored by a teacher and a "
            "student fitted without it (None: one hold-out split of val_size)", none_ok=True),
    Setting("refit", None, BOOL, "True, False or None (None: True with cv, else False)",
            "pass refit=True, refit=False or leave it None",
            "after scoring, fit teacher and student again on every labeled row; predictions "
            "come from those", none_ok=True),
    Setting("scoring", None, CHOICE, "None or a metric name such as 'balanced_accuracy'",
            "pass one of " + ", ".join(repr(m) for t in METRICS.values() for m in t),
            "the metric of the verdict and the guard (None: accuracy, or balanced accuracy "
            "when classes are imbalanced; r2 for regression)", none_ok=True,
            choices=tuple(m for t in METRICS.values() for m in t)),
    Setting("features", None, COLUMNS, "a list of column names",
            "pass a list such as features=['age', 'income'], or None for every column but the "
            "target", "the feature columns (None: all but target, group, time and id columns)",
            none_ok=True),
    Setting("select", "all", CHOICE, "one of 'all', 'threshold', 'k-best', 'auto'",
            "use one of 'all', 'threshold', 'k-best', 'auto'",
            "which pseudo-labels the student gets", choices=SELECT_RULES),
    Setting("threshold", None, REAL, "a number in [0, 1]", "pass a confidence such as 0.9",
            "the minimum teacher confidence with select='threshold'", low=0, high=1,
            none_ok=True),
    Setting("k_best", None, INT, "a whole number >= 1", "pass e.g. k_best=100",
            "the most confident rows kept per round with select='k-best'", low=1, none_ok=True),
    Setting("rounds", 1, INT, "a whole number >= 1", "pass rounds=1 for the classic recipe",
            "teacher/student rounds; the student teaches the next round", low=1),
    Setting("balance", False, BOOL, "True or False", "pass balance=True or balance=False",
            "keep the labeled class mix among the pseudo-labels"),
    Setting("soft", False, BOOL, "True or False", "pass soft=True or soft=False",
            "weight each pseudo-labelled row by the teacher's confidence"),
    Setting("pseudo_weight", 1.0, REAL, "a finite number >= 0",
            "pass pseudo_weight=1.0 to weigh pseudo-labels like real labels (0.5: half as much)",
            "the sample weight of the pseudo-labelled rows", low=0),
    Setting("group_col", None, COLUMN, "one column name", "pass one column name, "
            "e.g. group_col='patient_id'", "groups kept on one side of the split", none_ok=True),
    Setting("time_col", None, COLUMN, "one column name", "pass one column name, "
            "e.g. time_col='date'", "times: the latest rows validate", none_ok=True),
    Setting("id_col", None, COLUMN, "one column name", "pass one column name, e.g. id_col='id'",
            "row ids checked for overlap between the frames", none_ok=True),
    Setting("random_state", 0, SEED,
            "None, a whole number in [0, 2**32 - 1] or a numpy RandomState",
            "pass a seed such as random_state=0",
            "the seed of the split, the row cap and every model whose random_state is None",
            none_ok=True),
    Setting("allow_leakage", False, BOOL, "True or False",
            "pass allow_leakage=False (or True to run a leaky setup on purpose)",
            "run even when a leakage check fails (the result is marked LEAKY)"),
    Setting("progress", None, CALLBACK, "None or a function of one ProgressEvent",
            "pass a function such as print, or None", "called as each step starts and ends",
            none_ok=True),
    Setting("calibrate", False, BOOL, "True or False", "pass calibrate=True or calibrate=False",
            "rank rows by CalibratedClassifierCV probabilities fitted on train only"),
    Setting("oof", False, FOLDS, "True (5 folds), False, or a number of folds >= 2",
            "pass e.g. oof=5", "label with the mean of k teachers fitted on train folds"),
    Setting("guard", None, BOOL, "True, False or None (None: on under select='auto')",
            "pass guard=True, guard=False or leave it None",
            "keep the teacher's predictions when the student does not score higher on validation",
            none_ok=True),
    Setting("curriculum", None, THRESHOLDS, "a list of thresholds, one per round",
            "pass e.g. curriculum=[0.99, 0.9, 0.8]",
            "one threshold per round, relaxing (select='threshold')", none_ok=True),
    Setting("max_pseudo_rows", None, INT, "None or a whole number >= 1",
            "pass None for no cap or a number of rows such as 10_000 (0 would leave the "
            "student without pseudo-labels)",
            "at most this many pseudo-labelled rows for the student (sampled with the seed); "
            "0 is refused: it would be a supervised run", low=1, none_ok=True),
    Setting("n_jobs", None, INT, "None or a whole number other than 0",
            "pass n_jobs=-1 (all cores), a number of cores such as 2, or None",
            "n_jobs set on the models that take it", none_ok=True, excluded=(0,)),
    Setting("chunk_rows", 200_000, INT, "a whole number >= 1",
            "pass a number of rows such as chunk_rows=200_000",
            "unlabeled rows scored at a time", low=1),
)}


# -- describing values ------------------------------------------------------------------
def _numpy():
    return sys.modules.get("numpy")  # a numpy value can exist only once numpy is imported


def is_bool(value) -> bool:
    """True for ``True``/``False`` and numpy's bools (``np.True_``), never for 0/1 or text."""
    np = _numpy()
    return isinstance(value, bool) or (np is not None and isinstance(value, np.bool_))



def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not is_bool(value)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not is_bool(value)


def _is_nan(value) -> bool:
    try:
        return math.isnan(value)
    except (TypeError, ValueError, OverflowError):
        return False


def _show(value, width: int = 50) -> str:
    """The value as the user would have typed it, on one short line."""
    np = _numpy()
    if np is not None and isinstance(value, np.generic):
        value = value.item()  # np.float64(1.5) -> 1.5
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__") \
            and not hasattr(value, "get_params"):
        text = getattr(value, "__name__", repr(value))
    elif hasattr(value, "shape") and hasattr(value, "__len__"):  # a frame, Series or array
        text = f"<{type(value).__name__} of shape {tuple(value.shape)}>"
    elif _is_nan(value):
        text = "nan"
    else:
        try:
            text = repr(value)
        except Exception:  # a broken __repr__ must not hide the real problem
            text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _a(value) -> str:
    """What the value is, with an article: 'a str', 'an int', 'None', 'NaN'."""
    if value is None:
        return "None"
    if _is_real(value) and _is_nan(value):
        return "NaN"
    if isinstance(value, type):
        return "a class"
    name = type(value).__name__
    if is_bool(value) and not isinstance(value, bool):
        name = "numpy bool"
    vowel = name[0].lower() in "aeiou" or name.startswith("nd")  # an ndarray
    return f"{'an' if vowel else 'a'} {name}"


def _wrong_type(s: Setting, value, what: str | None = None) -> str:
    return f"{s.name}={_show(value)} must be {s.expected}, not {what or _a(value)}"


def _out_of_range(s: Setting, value) -> str:
    if s.kind == REAL and s.low is not None and s.high is not None and s.closed == "both":
        return f"{s.name}={_show(value)} is outside [{s.low:g}, {s.high:g}]"
    return f"{s.name}={_show(value)} must be {s.expected}"


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
    if not _is_int(value):
        if (_is_real(value) and math.isfinite(value) and float(value).is_integer()
                and _in_range(s, int(value))):
            return _wrong_type(s, value), f"pass the whole number {s.name}={int(value)}"
        return _wrong_type(s, value), None
    if not _in_range(s, value):
        return _out_of_range(s, value), None
    return None


def _check_real(s: Setting, value):
    if not _is_real(value) or _is_nan(value):
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
    if not _is_real(value) or _is_nan(value):
        return _wrong_type(s, value), None
    if _is_int(value):
        return None if value >= 1 else (_out_of_range(s, value), None)
    if not 0 < float(value) < 1:
        return _out_of_range(s, value), None
    return None


def _check_choice(s: Setting, value):
    if isinstance(value, str) and value in s.choices:
        return None
    head = f"unknown {s.name}={_show(value)}"
    if _is_real(value) and s.name == "select":
        return head, f"select names the rule; write select='threshold', threshold={_show(value)}"
    hint = did_you_mean(value, s.choices) if isinstance(value, str) else ""
    return head, f"{s.fix}.{hint}"


def _check_folds(s: Setting, value):
    if is_bool(value):
        return None
    if not _is_int(value):
        return _wrong_type(s, value), None
    return None if value >= 2 else (_out_of_range(s, value), None)


def _check_splitter(s: Setting, value):
    if _is_int(value):
        return None if value >= 2 else (_out_of_range(s, value), None)
    if is_bool(value) or isinstance(value, (str, bytes)) or _is_real(value):
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
        return f"{s.name}={_show(value)} must be {s.expected}", None
    for t in value:
        if not _is_real(t) or _is_nan(t):
            return (f"{s.name} threshold {_show(t)} must be a number in [0, 1], not {_a(t)}",
                    "pass confidences such as [0.99, 0.9, 0.8]")
        if not 0 <= float(t) <= 1:
            return (f"{s.name} threshold {_show(t)} is outside [0, 1]",
                    "pass confidences such as [0.99, 0.9, 0.8]")
    values = [float(t) for t in value]
    if any(b > a for a, b in zip(values, values[1:])):
        shown = "[" + ", ".join(_show(t) for t in value) + "]"
        return (f"{s.name}={shown} must relax round by round (never rise)",
                "sort it high to low, e.g. [0.99, 0.9, 0.8]")
    return None


def _check_seed(s: Setting, value):
    if is_bool(value):
        return _wrong_type(s, value), None
    np = _numpy()
    if np is not None and isinstance(value, np.random.Generator):
        return (_wrong_type(s, value, "a numpy Generator"),
                "scikit-learn's splitters take a seed or a RandomState: pass random_state=0 "
                "or np.random.RandomState(0)")
    from sklearn.utils import check_random_state

    try:
        check_random_state(value)
    except (ValueError, TypeError, OverflowError):
        return (_out_of_range(s, value) if _is_int(value) else _wrong_type(s, value)), None
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
            return _wrong_type(s, value), f"pass a list, features=[{_show(value)}]"
        return _wrong_type(s, value), None
    names = list(value)
    if not names:
        return (f"{s.name}={_show(value)} is empty",
                "pass None for every column but the target, or the names of the feature columns")
    seen = set()
    for col in names:
        if _unhashable(col):
            return f"{s.name} holds {_show(col)}, {_a(col)}, which is not a column name", None
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
    if isinstance(value, (Mapping, Set)) or _is_real(value) or is_bool(value):
        fix = ("one number weighs every row the same, which changes nothing: leave "
               "sample_weight=None" if _is_real(value) else None)
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


# -- rules between settings ---------------------------------------------------------------
def _threshold_needed(v):
    if v["select"] == "threshold" and v["threshold"] is None and v["curriculum"] is None:
        return "select", ("select='threshold' needs a threshold; pass threshold=0.9 "
                          "(a confidence in [0, 1]).")


def _k_best_needed(v):
    if v["select"] == "k-best" and v["k_best"] is None:
        return "select", "select='k-best' needs k_best; pass k_best=100 (rows kept per round)."


def _curriculum_with_k_best(v):
    if v["curriculum"] is not None and v["select"] == "k-best":
        return "curriculum", ("curriculum gives each round a threshold, so it cannot go with "
                              "select='k-best'; pass select='threshold'.")


def _curriculum_with_threshold(v):
    if v["curriculum"] is not None and v["threshold"] is not None:
        return "curriculum", ("pass either threshold or curriculum, not both: a curriculum's "
                              "first value is round 1's threshold.")


def _curriculum_rounds(v):
    curriculum, rounds = v["curriculum"], v["rounds"]
    if curriculum is not None and rounds not in (1, len(curriculum)):
        return "rounds", (f"rounds={rounds!r} differs from the {len(curriculum)} thresholds in "
                          "curriculum; leave rounds out or give one threshold per round.")


def _teacher_student_kinds(v):
    from .modelchecks import estimator_kind

    teacher, student = v["teacher"], v["student"]
    if teacher is None or student is None:
        return None
    kinds = estimator_kind(teacher), estimator_kind(student)
    if set(kinds) == {"classifier", "regressor"}:
        return "student", (f"the teacher {_show(teacher)} is a {kinds[0]} but the student "
                           f"{_show(student)} a {kinds[1]}; pass a student of the same kind "
                           "(or leave student=None to clone the teacher).")


def _task_kinds(v):
    """task='regression' with a classifier (or the reverse) for teacher or student."""
    from .modelchecks import check_model

    task = v["task"]
    if task is None:
        return None
    need = "classifier" if task == "classification" else "regressor"
    other = "regression" if task == "classification" else "classification"
    for role in ("teacher", "student"):
        try:
            check_model(v[role], role, need, f"task={task!r}", f"task={other!r}")
        except PseudoLabelError as err:
            return role, str(err)
    return None


def _scoring_task(v):
    scoring, task = v["scoring"], v["task"]
    if scoring is not None and task is not None and scoring not in METRICS[task]:
        return "scoring", (f"scoring={scoring!r} is not a {task} metric; pass one of "
                           + ", ".join(map(repr, METRICS[task])) + ".")


#: Rules between settings, checked in this order once every setting is valid on its own;
#: each returns None or (the setting to blame, the message).
RELATIONS = (_threshold_needed, _k_best_needed, _curriculum_with_k_best,
             _curriculum_with_threshold, _curriculum_rounds, _teacher_student_kinds,
             _task_kinds, _scoring_task)


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
    >>> from pseudolabel_magic.core.config import check_run_settings
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
