"""``pl.run``: check the settings, then run the recipe once (hold-out), cross-fitted, or on Dask.

The recipe's steps live in :mod:`pseudolabel_magic.core.workflow`; cross-fitting and the refit
in :mod:`pseudolabel_magic.core.crossfit`; the Dask path in :mod:`pseudolabel_magic.core.dask`.

``run``'s docstring is assembled at import: its Parameters section is generated from the
signature (names, defaults, the annotations as numpydoc types) and from
:data:`pseudolabel_magic.core.config.SETTINGS` (what each setting does and what a good
value looks like), so the documentation and the checks cannot drift apart.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Hashable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Literal

from ..errors import PseudoLabelError
from ..kinds import is_dask_frame
from .config import SETTINGS, RunConfig
from .preparation import seeded
from .result import PseudoLabelResult
from .strategies import AUTO_CV
from .validation import run_config
from .workflow import Workflow

if TYPE_CHECKING:
    import dask.dataframe as dd
    import numpy as np
    import pandas as pd
    from numpy.typing import ArrayLike
    from sklearn.base import BaseEstimator
    from sklearn.model_selection import BaseCrossValidator, BaseShuffleSplit

    from ..steps import ProgressEvent

__all__ = ["Workflow", "run", "seeded"]

_RUN_DOC = """Run the pseudo-label recipe: teacher on train, pseudo-label, student on both.

    The teacher is fitted on the train part of ``labeled``, predicts a label (and a
    confidence) for every unlabeled row, the selected pseudo-labels join the train rows and
    the student is fitted on both [1]_. Teacher and student are then scored on the
    same validation rows, which no model ever fits on; ``result.verdict`` says whether
    pseudo-labelling helped. Every setting is checked before any model is fitted, and the
    frames are checked for leakage [4]_ before the fits and again after them.

    Parameters
    ----------
    %(parameters)s

    Returns
    -------
    PseudoLabelResult
        The fitted ``teacher`` and ``student``, ``pseudo_labels`` (one row per unlabeled
        row), ``predictions`` (from the student, or the teacher when the guard kept it),
        ``metrics`` (teacher and student on the scored rows), ``verdict``, the ``leakage``
        report, the ``fit_log``/``eval_log`` evidence and ``to_code()``. With ``cv`` the
        scores are out of fold and ``folds`` holds each fold's own result; a Dask
        ``unlabeled`` gives a lazy Dask ``predictions`` frame.

    Raises
    ------
    PseudoLabelError
        A ``ValueError`` with one sentence naming the problem and the fix, raised before any
        model is fitted: a setting with a bad value or a bad combination of settings (the
        error's ``setting`` attribute names it), a missing column, an empty labeled set,
        ``cv`` with a ``validation`` frame or with a Dask ``unlabeled``, a model that cannot
        do what the settings ask (``select="threshold"`` without a confidence, ``soft``
        with a student that takes no ``sample_weight``), or a failed leakage check (unless
        ``allow_leakage=True``).
    Exception
        Whatever a model raises in its own ``fit`` or ``predict`` propagates unchanged;
        the warnings the fits raised so far are shown first.

    See Also
    --------
    pseudolabel_magic.compare : the supervised teacher and several strategies on the same rows.
    pseudolabel_magic.check_leakage : the before-fit leakage checks on any frames.
    pseudolabel_magic.PseudoLabelClassifier : the same engine as a scikit-learn estimator.

    Notes
    -----
    ``validation`` (or the ``val_size`` split of ``labeled``) is never used to fit; it only
    scores teacher and student. Unlabeled rows identical to a validation row are predicted
    but never reach a student's fit. The split is stratified for classification, keeps
    each ``group_col`` group on one side and puts the latest ``time_col`` rows in
    validation.

    ``select="threshold"``, ``"k-best"``, ``balance``, ``curriculum`` and ``guard`` are the
    usual defences against confirmation bias, the student learning the teacher's own
    mistakes back [2]_. ``pl.compare`` and ``result.verdict`` measure a
    strategy against the supervised teacher on the same scored rows, as [3]_
    recommends; a choice made on those scores (the guard, the best row of a
    comparison) used them, and the result says so.

    Big pools: the unlabeled rows are scored ``chunk_rows`` at a time, ``max_pseudo_rows``
    caps what the student gets, and ``unlabeled`` may be a Dask DataFrame (see
    :mod:`pseudolabel_magic.core.dask`). Warnings raised in the many fits are shown once
    per run, counted, and kept in ``result.warnings``. Your frames and estimators are never
    modified: the engine fits clones.

    References
    ----------
    .. [1] D.-H. Lee, "Pseudo-Label: The Simple and Efficient Semi-Supervised Learning
       Method for Deep Neural Networks", ICML Workshop on Challenges in Representation
       Learning, 2013.
    .. [2] E. Arazo, D. Ortego, P. Albert, N. E. O'Connor and K. McGuinness,
       "Pseudo-Labeling and Confirmation Bias in Deep Semi-Supervised Learning", IJCNN, 2020.
    .. [3] A. Oliver, A. Odena, C. Raffel, E. D. Cubuk and I. J. Goodfellow, "Realistic
       Evaluation of Deep Semi-Supervised Learning Algorithms", NeurIPS, 2018.
    .. [4] S. Kaufman, S. Rosset, C. Perlich and O. Stitelman, "Leakage in Data Mining:
       Formulation, Detection, and Avoidance", ACM TKDD 6(4), 2012.

    Examples
    --------
    >>> import pseudolabel_magic as pl
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> wine = load_wine(as_frame=True).frame  # 178 rows: 13 features and "target"
    >>> labeled = wine.iloc[::3]  # 60 rows keep their label
    >>> unlabeled = wine.iloc[1::3].drop(columns="target")  # 59 rows without one
    >>> model = make_pipeline(StandardScaler(), LogisticRegression())
    >>> result = pl.run(labeled, unlabeled, target="target", teacher=model,
    ...                 select="threshold", threshold=0.9)
    >>> result.task, result.leakage.ok
    ('classification', True)
    >>> result.metrics.index.tolist()  # scored on the same 12 held-out rows
    ['teacher', 'student']
    >>> kept = result.pseudo_labels[result.pseudo_labels["selected"]]
    >>> bool((kept["confidence"] >= 0.9).all())
    True
    >>> result.predictions.shape  # one prediction and confidence per unlabeled row
    (59, 2)
    """

# -- the generated Parameters section ------------------------------------------------------
#: Annotation atoms as numpydoc type words.
_TYPE_WORDS = {
    "pd.DataFrame": "pandas.DataFrame", "dd.DataFrame": "dask.dataframe.DataFrame",
    "ArrayLike": "array-like", "Hashable": "column label", "BaseEstimator": "estimator",
    "BaseCrossValidator": "splitter", "BaseShuffleSplit": "splitter",
    "np.random.RandomState": "numpy.random.RandomState",
    "Sequence[Hashable]": "list of column labels", "Sequence[float]": "list of float",
    "Callable[[ProgressEvent], object]": "callable",
}
#: Shapes of the array-like arguments, appended to their type.
_SHAPES = {
    "labeled": "(n_labeled, n_columns)", "unlabeled": "(n_unlabeled, n_columns)",
    "validation": "(n_validation, n_columns)", "sample_weight": "(n_labeled,)",
}
_SHAPED = ("pandas.DataFrame", "dask.dataframe.DataFrame", "array-like")

#: The frames are not settings, so their text lives here.
_FRAME_HELP = {
    "labeled": "The labeled rows: the feature columns and ``target``. Rows whose target is "
               "missing are unlabeled rows (they join ``unlabeled``). Never modified.",
    "unlabeled": "The rows to pseudo-label, with the feature columns of ``labeled`` (a "
                 "target column, if any, should be empty). None: the rows of ``labeled`` "
                 "whose target is missing. A Dask DataFrame runs the Dask path "
                 "(``predictions`` then stays lazy).",
    "validation": "Labeled rows that only score teacher and student, never fit; None holds "
                  "out ``val_size`` of ``labeled`` instead. Cannot go with ``cv``.",
}

#: What a setting's one-line help in SETTINGS cannot say; appended after it.
_MORE = {
    "teacher": "Cloned, never fitted in place; a bare estimator gets the default "
               "preprocessing in front when the features need it (``result.notes`` says so).",
    "sample_weight": "The teacher and every labeler fit with the train rows' weights, the "
                     "student with those and the pseudo-labels' weights.",
    "val_size": "Not used when ``validation`` is given or ``cv`` cross-fits.",
    "cv": "Goes with neither ``validation`` nor a Dask ``unlabeled``; ``select='auto'`` "
          "cross-fits with 5 folds unless ``cv`` or ``validation`` is given.",
    "refit": "The scores were taken before the refit; ``refit=True`` without ``cv`` refits "
             "after the hold-out scores.",
    "select": "'all' keeps every pseudo-label (the classic recipe of Lee, 2013); "
              "'threshold' those with a confidence of at least ``threshold``; 'k-best' the "
              "``k_best`` most confident per round; 'auto' cross-fits with 5 folds (unless "
              "``cv`` or ``validation`` is given), keeps pseudo-labels of confidence 0.9 or more "
              "in the labeled class mix, refits on every label and keeps the teacher unless the "
              "student scored strictly higher out of fold (the README's quality benchmark).",
    "threshold": "The confidence is the teacher's top class probability (classification) "
                 "or the agreement of its ensemble's members (regression).",
    "rounds": "Stops early when a round selects nothing new.",
    "pseudo_weight": "Relative to a labeled row's weight of 1 (or its ``sample_weight``).",
    "time_col": "With ``cv``, the folds go forward in time.",
    "random_state": "Seeds the engine's clones only: your objects are not changed.",
    "allow_leakage": "Every display of its scores says so too.",
    "progress": "It receives a :class:`pseudolabel_magic.ProgressEvent`.",
    "oof": "Each of the ``k`` teachers is fitted on ``k - 1`` train folds (True: 5).",
    "guard": "A tie keeps the teacher; the result says the choice used the validation score.",
    "curriculum": "Implies select='threshold'; ``rounds`` defaults to its length.",
    "max_pseudo_rows": "Bounds the student's fit on a big pool.",
    "n_jobs": "With ``cv``, the folds run in parallel instead (one core per fit inside).",
    "chunk_rows": "Bounds the memory of scoring a big pool.",
}


def _numpydoc_type(annotation: str, shape: str | None) -> str:
    """``pd.DataFrame | None`` -> ``pandas.DataFrame of shape (...) or None``."""
    words: list[str] = []
    for atom in annotation.split(" | "):
        literal = re.fullmatch(r"Literal\[(.*)\]", atom)
        word = "{" + literal.group(1) + "}" if literal else _TYPE_WORDS.get(atom, atom)
        if word not in words:
            words.append(word)
    if shape is not None:
        shaped = [w for w in words if w in _SHAPED]
        rest = [w for w in words if w not in _SHAPED]
        words = [" or ".join(shaped) + f" of shape {shape}", *rest]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    first = text.split(" ", 1)[0]
    if text[:1].islower() and "_" not in first and "=" not in first:
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _parameter_entry(param: inspect.Parameter, indent: str) -> str:
    """One numpydoc entry: ``name : type, default=...`` and its description."""
    kind = _numpydoc_type(str(param.annotation), _SHAPES.get(param.name))
    head = f"{param.name} : {kind}"
    if param.default is not inspect.Parameter.empty:
        head += f", default={param.default!r}"
    if param.name in _FRAME_HELP:
        text = _FRAME_HELP[param.name]
    else:
        setting = SETTINGS[param.name]
        text = " ".join(filter(None, (_sentence(setting.help), _MORE.get(param.name),
                                      _sentence("Must be " + setting.expected))))
    body = textwrap.fill(text, width=92, initial_indent=indent + "    ",
                         subsequent_indent=indent + "    ", break_on_hyphens=False)
    return f"{indent}{head}\n{body}"


def _documented(template: str) -> Callable:
    """Give ``run`` its full docstring, the Parameters section generated from SETTINGS."""
    def decorate(func):
        stray = set(_MORE) - set(SETTINGS)
        if stray:  # a renamed setting: caught on import, by every test
            raise RuntimeError(f"_MORE documents settings run does not have: {sorted(stray)}")
        if func.__doc__ is None:  # python -OO: no docstrings to complete
            return func
        marker = re.search(r"^([ \t]*)%\(parameters\)s\n", template, re.MULTILINE)
        indent = marker.group(1)
        entries = [_parameter_entry(p, indent)
                   for p in inspect.signature(func).parameters.values()]
        func.__doc__ = template.replace(marker.group(0), "\n".join(entries) + "\n")
        return func
    return decorate


# -- run -----------------------------------------------------------------------------------
@_documented(_RUN_DOC)
def run(
    labeled: pd.DataFrame,
    unlabeled: pd.DataFrame | dd.DataFrame | None = None,
    *,
    target: Hashable,
    task: Literal["classification", "regression"] | None = None,
    teacher: BaseEstimator | None = None,
    student: BaseEstimator | None = None,
    validation: pd.DataFrame | None = None,
    sample_weight: ArrayLike | None = None,
    val_size: float | int = 0.2,  # noqa: PYI041 - the int is a row count, and the docs say so
    cv: int | BaseCrossValidator | BaseShuffleSplit | None = None,
    refit: bool | None = None,
    scoring: str | None = None,
    features: Sequence[Hashable] | str | None = None,
    select: Literal["all", "threshold", "k-best", "auto"] = "all",
    threshold: float | None = None,
    k_best: int | None = None,
    rounds: int = 1,
    balance: bool = False,
    soft: bool = False,
    pseudo_weight: float = 1.0,
    group_col: Hashable | None = None,
    time_col: Hashable | None = None,
    id_col: Hashable | None = None,
    random_state: int | np.random.RandomState | None = 0,
    allow_leakage: bool = False,
    progress: Callable[[ProgressEvent], object] | None = None,
    calibrate: bool = False,
    oof: bool | int = False,
    guard: bool | None = None,
    curriculum: Sequence[float] | None = None,
    max_pseudo_rows: int | None = None,
    n_jobs: int | None = None,
    chunk_rows: int = 200_000,
) -> PseudoLabelResult:
    """Run the pseudo-label recipe: teacher on train, pseudo-label, student on both."""
    arguments = locals()  # first line: exactly the parameters
    # every setting's type and range, alone and together, before anything else
    settings = run_config(**{name: arguments[name] for name in SETTINGS})
    config = _run_config(settings, unlabeled, validation)
    if config["cv"] is not None or config["refit"]:
        _check_crossfit(config, validation)
        from .crossfit import run_crossfit

        # called from here, not from a helper: its warnings' stacklevel counts on that
        return run_crossfit(config, progress, labeled, unlabeled, validation, teacher, student,
                            sample_weight)
    return _run_hold_out(config, progress, labeled, unlabeled, validation, teacher, student,
                         sample_weight)


def _run_config(settings: RunConfig, unlabeled, validation) -> dict[str, Any]:
    """The engine's config: checked settings, ``select="auto"`` and defaults resolved."""
    from .strategies import resolve_settings

    s = settings
    strategy = resolve_settings(  # select="auto" and curriculum become plain settings here
        select=s.select, threshold=s.threshold, k_best=s.k_best, rounds=s.rounds,
        balance=s.balance, soft=s.soft, calibrate=s.calibrate, oof=s.oof,
        guard=s.guard, curriculum=s.curriculum)
    cv, features, refit = s.cv, s.features, s.refit
    dask = is_dask_frame(unlabeled)
    if cv is None and s.select == "auto" and validation is None and not dask:
        cv = AUTO_CV  # "auto" decides on every label, out of fold, then refits on all of them
    return dict(
        target=s.target, task=s.task, features=None if features is None
        else [features] if isinstance(features, str) else list(features),
        **strategy, sample_weight_given=s.sample_weight is not None,
        pseudo_weight=s.pseudo_weight, val_size=s.val_size, cv=cv, scoring=s.scoring,
        refit=cv is not None if refit is None else refit,
        cv_auto=s.cv is None and cv is not None,
        group_col=s.group_col, time_col=s.time_col,
        id_col=s.id_col, random_state=s.random_state, allow_leakage=s.allow_leakage,
        validation_given=validation is not None, unlabeled_given=unlabeled is not None,
        unlabeled_is_dask=dask,
        max_pseudo_rows=s.max_pseudo_rows, n_jobs=s.n_jobs,
        chunk_rows=int(s.chunk_rows),
    )


def _check_crossfit(config: dict[str, Any], validation) -> None:
    """Cross-fitting and the refit need the labeled rows to themselves, in pandas."""
    if validation is not None and config["cv"] is not None:
        raise PseudoLabelError(
            "cv cross-fits the labeled rows, so it cannot go with a validation frame; pass "
            "cv=None to score on validation, or leave validation out.")
    if config["unlabeled_is_dask"]:
        raise PseudoLabelError(
            "cv and refit run on pandas frames only for now; pass unlabeled.compute() for a "
            "pool that fits in memory, or cv=None, refit=False for the Dask path.")


def _run_hold_out(config, progress, labeled, unlabeled, validation, teacher, student,
                  sample_weight) -> PseudoLabelResult:
    """One run scored on the hold-out rows (pandas, or the Dask path for a Dask pool)."""
    workflow_class = Workflow
    if config["unlabeled_is_dask"]:  # detected without importing dask
        from .dask import DaskWorkflow as workflow_class
    workflow = workflow_class(config, progress)
    workflow.sample_weight = sample_weight
    try:
        result = workflow.execute(labeled, unlabeled, validation, teacher, student)
    except BaseException:
        with suppress(Warning):  # a warning the user made an error must not hide this one
            workflow.warning_log.show(workflow.label_notes, stacklevel=3)
        raise
    workflow.warning_log.show(workflow.label_notes, stacklevel=3)  # once per run, at run's caller
    return result
