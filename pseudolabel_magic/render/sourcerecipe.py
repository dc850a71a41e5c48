"""One run's settings as the code writers read them: :class:`Recipe` and :func:`recipe_of`.

``result.config`` (or a cell's settings, whose models may still be :class:`ModelCode`) is read
once into a frozen :class:`Recipe`: the task, the selection rule, rounds and folds, the
models, the refinements the run used and the engine's functions the script copies. The
emitters of :mod:`.sourcesplit` and :mod:`.sourcesteps` write their lines from it, in the
script's way or in the narrated way of ``--explain`` (:meth:`Recipe.plain`).
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .sourcewriter import Writer


@dataclass(frozen=True)
class ModelCode:
    """A model already written as source (the default model, named before a run).

    Parameters
    ----------
    code : str
        The expression, such as ``"RandomForestClassifier(n_estimators=200, random_state=0)"``.
    module : str
        The module to import the class from, such as ``"sklearn.ensemble"``.
    name : str
        The class name the expression uses.
    """

    code: str
    module: str
    name: str


@dataclass(frozen=True)
class Recipe:
    """One run's settings as the code reads them; build it with :func:`recipe_of`.

    Attributes
    ----------
    config : mapping
        The raw settings (target, features, split columns, threshold, k_best, ...).
    names : mapping
        Frame names: labeled, unlabeled, validation.
    task, select, headline : str
        The task (None reads as classification), the selection rule, the headline metric.
    rounds, cv : int
        Rounds of labelling; folds of cross-fitting (None: one hold-out split).
    seed : int or None
        ``random_state``.
    teacher, student : estimator or ModelCode
        The models (the student defaults to the teacher's).
    weighted, forest_confidence, calibrate, balance, guard, refit : bool
        The refinements the run used; ``max_rows`` is ``max_pseudo_rows``.
    narrated : bool
        Written for ``--explain`` (see :meth:`plain`).
    balance_classes, ensemble_spread : function or None
        The engine's functions the script copies.
    """

    config: Mapping
    names: Mapping
    task: str
    select: str
    rounds: int
    seed: Any
    cv: int | None
    teacher: Any
    student: Any
    headline: str
    weighted: bool
    forest_confidence: bool
    calibrate: bool
    balance: bool
    max_rows: Any
    guard: bool
    refit: bool
    narrated: bool = False
    balance_classes: Callable | None = None
    ensemble_spread: Callable | None = None

    @property
    def wrapped(self) -> bool:
        """Steps 2-5 become a function, fitted per fold and refitted (cross-fitting, refit)."""
        return not self.narrated and (self.cv is not None or self.refit)

    @property
    def labeler(self) -> str:
        return "labeler" if self.calibrate else "teacher"

    @property
    def splits_unlabeled(self) -> bool:
        """The unlabeled rows are the labeled frame's rows without a target."""
        names = self.names
        return ("labeled" in names and "unlabeled" not in names) or (
            "labeled" not in names and self.config.get("unlabeled_given") is False)

    @property
    def fit_kw(self) -> str:
        if not self.weighted:
            return ""
        if hasattr(self.student, "steps"):
            return f", {self.student.steps[-1][0]}__sample_weight=weights"
        return ", sample_weight=weights"

    def model_code(self, w: Writer, role: str) -> str:
        """Source of the teacher or the student, its imports (and helpers) noted in ``w``.

        Parameters
        ----------
        w : Writer
            Collects the imports and copied helpers the expression needs.
        role : {"teacher", "student"}
            Which model.

        Returns
        -------
        str
            An expression that builds the unfitted model.
        """
        model = self.teacher if role == "teacher" else self.student
        if isinstance(model, ModelCode):
            w.need(model.module, model.name)
            return model.code
        return w.value(model)

    def plain(self) -> Recipe:
        """The recipe ``--explain`` prints: one round, one fold, none of the refinements.

        Returns
        -------
        Recipe
            A copy written the narrated way (no calibration, balance, cap, weights, guard,
            refit or spread-based confidence: the sentences tell those).
        """
        return dataclasses.replace(self, narrated=True, rounds=1, weighted=False,
                                   forest_confidence=False, calibrate=False, balance=False,
                                   max_rows=None, guard=False, refit=False)


def recipe_of(config: Mapping, names: Mapping | None = None, *,
              balance_classes: Callable | None = None,
              ensemble_spread: Callable | None = None) -> Recipe:
    """The settings of ``config`` as the code writers read them.

    Parameters
    ----------
    config : mapping
        ``result.config``, or a cell's settings (``teacher``/``student`` may then be
        :class:`ModelCode`).
    names : mapping, optional
        Frame names (labeled/unlabeled/validation) over ``config["frame_names"]``.
    balance_classes, ensemble_spread : function, optional
        The engine's functions the script copies when the run used them (the class
        balance; a forest's spread, for a regression's confidence).

    Returns
    -------
    Recipe
    """
    given = {**(config.get("frame_names") or {}), **(names or {})}
    task = "regression" if config.get("task") == "regression" else "classification"
    select = config.get("select", "all")
    teacher = config.get("teacher")
    student = config.get("student") if config.get("student") is not None else teacher
    folds = config.get("folds") if config.get("folds") is not None else config.get("cv")
    if config.get("cv") is None or isinstance(folds, bool) or not isinstance(folds, numbers.Integral):
        folds = None
    return Recipe(
        config=config, names=given, task=task, select=select,
        rounds=int(config.get("rounds", 1) or 1), seed=config.get("random_state", 0),
        cv=None if folds is None or folds < 2 else int(folds), teacher=teacher, student=student,
        headline=config.get("headline") or ("accuracy" if task == "classification" else "r2"),
        weighted=bool(config.get("soft")) or float(config_value(config, "pseudo_weight", 1.0)) != 1.0,
        forest_confidence=task == "regression" and (select != "all" or bool(config.get("soft"))),
        calibrate=bool(config.get("calibrate")) and task == "classification",
        balance=bool(config.get("balance")) and task == "classification",
        max_rows=config.get("max_pseudo_rows"), guard=bool(config.get("guard")),
        refit=bool(config.get("refit")), balance_classes=balance_classes,
        ensemble_spread=ensemble_spread)


def config_value(config: Mapping, key: str, default: Any) -> Any:
    """``config[key]``, or ``default`` when the key is missing or None."""
    value = config.get(key)
    return default if value is None else value


def comment(r: Recipe, line: str) -> list[str]:
    """A step's heading comment: in the script only (``--explain`` titles its blocks)."""
    return [] if r.narrated else [line]
