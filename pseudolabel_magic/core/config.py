"""Every setting of :func:`pseudolabel_magic.run`: one table, and one typed run configuration.

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

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Callable, Hashable, Sequence

if TYPE_CHECKING:  # names for the annotations only: nothing heavy is imported at run time
    from numpy.random import RandomState
    from numpy.typing import ArrayLike
    from sklearn.base import BaseEstimator
    from sklearn.model_selection import BaseCrossValidator

    from ..steps import ProgressEvent

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
            "the model fitted on train + pseudo-labels (None: a clone of the teacher; with no "
            "teacher either, the default model sized for train + pseudo-labels)",
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



def _field(name: str):
    """A RunConfig field: the setting's default, with its row of SETTINGS as metadata."""
    return field(default=SETTINGS[name].default, metadata={"setting": SETTINGS[name]})


@dataclass(frozen=True)
class RunConfig:
    """The settings of one run, typed and frozen: :data:`SETTINGS` as a Python object.

    One field per keyword of :func:`pseudolabel_magic.run` (the three frames are data, not
    settings), in the same order and with the same defaults; each field's ``metadata``
    holds its :class:`Setting` (the rule its value follows, its help line and the fix for a
    bad value). ``run``'s signature, the meta-estimators' parameters, the ``%%pseudolabel``
    keys, the magic's ``%config`` traits and the panel's controls are checked against it by
    the test suite. Build a checked one with
    :func:`pseudolabel_magic.core.validation.run_config`; this class itself checks nothing.

    Parameters
    ----------
    target, task, teacher, student, sample_weight, val_size, cv, refit, scoring, features,
    select, threshold, k_best, rounds, balance, soft, pseudo_weight, group_col, time_col,
    id_col, random_state, allow_leakage, progress, calibrate, oof, guard, curriculum,
    max_pseudo_rows, n_jobs, chunk_rows
        As in :func:`pseudolabel_magic.run`; :meth:`help` gives each one's line.

    Examples
    --------
    >>> from pseudolabel_magic.core.config import RunConfig
    >>> RunConfig(target="y", select="threshold", threshold=0.9).threshold
    0.9
    >>> print(RunConfig.help("k_best"))
    k_best: the most confident rows kept per round with select='k-best'
    """

    target: Hashable | None = _field("target")
    task: str | None = _field("task")
    teacher: BaseEstimator | None = _field("teacher")
    student: BaseEstimator | None = _field("student")
    sample_weight: ArrayLike | None = _field("sample_weight")
    val_size: float = _field("val_size")
    cv: int | BaseCrossValidator | None = _field("cv")
    refit: bool | None = _field("refit")
    scoring: str | None = _field("scoring")
    features: Sequence[Hashable] | None = _field("features")
    select: str = _field("select")
    threshold: float | None = _field("threshold")
    k_best: int | None = _field("k_best")
    rounds: int = _field("rounds")
    balance: bool = _field("balance")
    soft: bool = _field("soft")
    pseudo_weight: float = _field("pseudo_weight")
    group_col: Hashable | None = _field("group_col")
    time_col: Hashable | None = _field("time_col")
    id_col: Hashable | None = _field("id_col")
    random_state: int | RandomState | None = _field("random_state")
    allow_leakage: bool = _field("allow_leakage")
    progress: Callable[[ProgressEvent], None] | None = _field("progress")
    calibrate: bool = _field("calibrate")
    oof: bool | int = _field("oof")
    guard: bool | None = _field("guard")
    curriculum: Sequence[float] | None = _field("curriculum")
    max_pseudo_rows: int | None = _field("max_pseudo_rows")
    n_jobs: int | None = _field("n_jobs")
    chunk_rows: int = _field("chunk_rows")

    @staticmethod
    def help(name: str) -> str:
        """``'name: what it does'`` for one setting (the line ``pl.run?`` and ``%config`` show).

        Parameters
        ----------
        name : str
            A field of RunConfig.

        Returns
        -------
        str
            The setting's name and its help line.
        """
        return f"{name}: {SETTINGS[name].help}"

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (values as given: estimators and frames are not copied).

        Returns
        -------
        dict
            ``{name: value}`` for every field, in signature order.
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}
