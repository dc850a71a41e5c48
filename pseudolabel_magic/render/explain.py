"""The sentence and code ``--explain`` shows before each of the five steps.

The narration is a teaching aid: one plain sentence saying why the step is there and a few
lines of code saying what it does. The code is the step's lines from the same per-step
emitters that write ``result.to_code()`` (:func:`.source.step_code`), for the plain recipe:
one round, one fold, and none of the refinements, which the sentence tells instead. The
blocks, run one after the other in the notebook, run as printed (each imports what it uses).

It describes the run that happens: the caller passes what the engine decides (how it
resolves ``select="auto"``, the rows from which the default model is boosting rather than
a forest), and the default model is named from the rows it is fitted on.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

from ..steps import STEP_KEYS
from .source import step_code
from .sourcerecipe import ModelCode, recipe_of

_FOREST = {"classification": "RandomForestClassifier", "regression": "RandomForestRegressor"}
_BOOSTING = {"classification": "HistGradientBoostingClassifier",
             "regression": "HistGradientBoostingRegressor"}


def default_model(task: str | None, n_rows: int | None, seed: Any = 0, *,
                  small_train_rows: int) -> tuple[str, str]:
    """``(words, code)`` of the default model fitted on ``n_rows`` rows.

    Parameters
    ----------
    task : {"classification", "regression"} or None
        None reads as classification.
    n_rows : int or None
        Rows the model is fitted on; None when not known yet (the words then give the rule).
    seed : int or None
        The run's ``random_state``, which the engine sets on its default models.
    small_train_rows : int
        From this many rows on, the engine's default model is histogram gradient boosting
        instead of a 200-tree random forest (``core.models.SMALL_TRAIN_ROWS``).

    Returns
    -------
    (str, str)
        For example ``("a random forest of 200 trees (fewer than 2,000 rows)",
        "RandomForestClassifier(n_estimators=200, random_state=0)")``.
    """
    task = "regression" if task == "regression" else "classification"
    if n_rows is not None and n_rows >= small_train_rows:
        leaf = int(max(1, min(20, n_rows // 20)))
        return (f"histogram gradient boosting ({n_rows:,} rows, {small_train_rows:,} or more)",
                f"{_BOOSTING[task]}(min_samples_leaf={leaf}, random_state={seed!r})")
    words = "a random forest of 200 trees"
    words += (f" ({n_rows:,} rows, fewer than {small_train_rows:,})" if n_rows is not None else
              f" (below {small_train_rows:,} rows; histogram gradient boosting above)")
    return words, f"{_FOREST[task]}(n_estimators=200, random_state={seed!r})"


def explain_steps(config: dict, counts: Mapping | None = None, *, small_train_rows: int,
                  resolve_auto: Callable[[dict], dict] | None = None,
                  auto_cv: int | None = None) -> list[tuple[str, str, str]]:
    """``(step_key, sentence, code)`` for each of the five steps, for ``--explain``.

    Parameters
    ----------
    config : dict
        Built from the cell before a run (estimators None for the default model), or
        ``result.config`` after one.
    counts : mapping, optional
        A progress event's counts (or ``result.counts``); they size the default models:
        ``n_train`` rows for the teacher, ``n_train`` plus the unlabeled rows (at most
        ``max_pseudo_rows``) for the student.
    small_train_rows : int
        The rows from which the engine's default model is boosting
        (``core.models.SMALL_TRAIN_ROWS``).
    resolve_auto : callable, optional
        The engine's ``core.strategies.resolve_auto``: the settings ``select="auto"``
        stands for. Needed when ``config["select"]`` is ``"auto"``.
    auto_cv : int, optional
        The folds ``select="auto"`` cross-fits with when neither ``cv`` nor a validation
        frame is given (``core.strategies.AUTO_CV``). Needed with ``resolve_auto``.

    Returns
    -------
    list of (str, str, str)
        One entry per step of :data:`pseudolabel_magic.steps.STEP_KEYS`, in order.

    Raises
    ------
    ValueError
        When ``config`` selects ``"auto"`` and ``resolve_auto`` or ``auto_cv`` is missing.
    """
    config = _as_run(config, resolve_auto, auto_cv)
    counts = counts or {}
    task, seed = config.get("task"), config["random_state"]
    teacher, teacher_words = _model(config.get("teacher"), task, _count(counts, "n_train"), seed,
                                    small_train_rows)
    student, student_words = _student_model(config, counts, teacher, small_train_rows)
    recipe = recipe_of({**config, "teacher": teacher, "student": student})
    sentences = {
        "split": _split_sentence(config),
        "teacher": _teacher_sentence(teacher_words),
        "pseudo_label": _pseudo_label_sentence(config),
        "combine": _combine_sentence(config),
        "student": _student_sentence(config, student_words),
    }
    return [(key, sentences[key], step_code(recipe, key)) for key in STEP_KEYS]


def _as_run(config: Mapping, resolve_auto, auto_cv) -> dict:
    """The settings as the run will use them: "auto", the refit and the curriculum resolved."""
    config = dict(config)
    if str(config.get("select")) == "auto":  # before a run: say what "auto" stands for
        if resolve_auto is None or auto_cv is None:
            raise ValueError("select='auto' is narrated as the engine runs it: pass resolve_auto "
                             "and auto_cv")
        cross_fit = config.get("cv") is None and not config.get("validation_given") and not (
            config.get("frame_names") or {}).get("validation")
        config = dict(resolve_auto(config))
        if cross_fit:
            config["cv"] = auto_cv
    if config.get("cv") is not None and config.get("refit") is None:
        config["refit"] = True  # as run() does
    curriculum = config.get("curriculum")
    if curriculum:
        config.update(select="threshold", threshold=float(next(iter(curriculum))))
    seed = config.get("random_state", 0)
    config["random_state"] = seed if seed is None or isinstance(seed, numbers.Integral) else 0
    config["select"] = str(config.get("select", "all"))
    return config


def _model(given, task, n_rows, seed, small_train_rows) -> tuple[Any, str | None]:
    """(model, words or None) of one model: the user's estimator as given, or the default."""
    if given is not None:
        return given, None
    words, code = default_model(task, n_rows, seed, small_train_rows=small_train_rows)
    return ModelCode(code, "sklearn.ensemble", code.split("(")[0]), words


def _student_model(config: Mapping, counts: Mapping, teacher, small_train_rows) -> tuple[Any, str | None]:
    """The student: the user's, the teacher's model, or the default for the student's rows."""
    if config.get("student") is not None:
        return config["student"], None
    if config.get("teacher") is not None:
        return teacher, None
    n_train, n_unlabeled, n_student = _count(counts, "n_train"), _count(counts, "n_unlabeled"), None
    if n_train is not None and n_unlabeled is not None:
        cap = config.get("max_pseudo_rows")
        n_student = n_train + (n_unlabeled if cap is None else min(n_unlabeled, int(cap)))
    return _model(None, config.get("task"), n_student, config["random_state"], small_train_rows)


def _count(counts: Mapping, key: str) -> int | None:
    value = counts.get(key)
    return None if value is None else int(value)


# -- one sentence per step ------------------------------------------------------------------
def _split_sentence(config: Mapping) -> str:
    """Step 1: why validation is held out (or the folds are), and how."""
    share, folds = _share(config.get("val_size", 0.2)), _folds(config)
    time_col, group_col = config.get("time_col"), config.get("group_col")
    if folds is not None and time_col is not None:
        return (f"Split the labeled rows into {folds} folds in the order of {time_col!r}: the "
                "recipe below runs once per fold, trained on earlier rows only and scored on "
                "the rows that follow, so the future never trains the past (the earliest rows "
                "train but are never scored). The code shows the first fold.")
    if folds is not None:
        grouped = f", each group in {group_col!r} in one fold" if group_col is not None else ""
        return (f"Split the labeled rows into {folds} folds{grouped}. The recipe below runs once "
                "per fold: that fold only scores the teacher and the student, the other folds "
                "train them, so every labeled row is scored exactly once by models that never "
                "saw it (cross-fitting). The code shows the first fold.")
    if config.get("validation_given"):
        return ("Use the validation frame you passed only to score the models: rows that "
                "never train anything give honest scores.")
    if time_col is not None:
        return (f"Hold out the latest {share} of the labeled rows by {time_col!r} as validation: "
                "the past must not be scored on rows it trained with, and the future must "
                "never train the past.")
    if group_col is not None:
        return (f"Hold out {share} of the groups in {group_col!r} as validation, so no group "
                "is on both sides and the score is honest.")
    return (f"Hold out {share} of the labeled rows as validation: they only score the teacher "
            "and the student, never train them, so the scores stay honest.")


def _teacher_sentence(words: str | None) -> str:
    sentence = "Fit the teacher on the train rows only, with the labels we trust"
    return sentence + (f": the default model, {words}." if words else ".")


def _pseudo_label_sentence(config: Mapping) -> str:
    """Step 3: the teacher's guesses, and which of them are kept."""
    select, all_rows = config["select"], "keep all of them, sure or not: the simplest recipe, and a baseline to beat"
    if config.get("task") == "regression" and select != "all":
        rule = ("keep all of them: a regression teacher gives no class probability "
                "(the run ranks rows by how much a forest's trees agree)")
    elif config.get("task") == "regression" or select not in ("threshold", "k-best"):
        rule = all_rows
    elif select == "threshold":
        rule = (f"keep only rows whose confidence is at least {config.get('threshold')!r}: "
                "unsure guesses would teach the student mistakes")
    else:
        rule = (f"keep the {config.get('k_best')!r} most confident rows of each round: a fixed "
                "budget of the teacher's surest guesses")
    curriculum = config.get("curriculum")
    if curriculum:
        rule += f", relaxing round by round along the curriculum {[float(t) for t in curriculum]!r}"
    sentence = f"The teacher predicts the unlabeled rows; its guesses become pseudo-labels, and we {rule}."
    if config.get("calibrate"):
        sentence += (" The confidences come from a calibrated copy of the teacher "
                     "(CalibratedClassifierCV), fitted on the train rows only.")
    if config.get("oof") not in (None, False, 0):
        sentence += (" Out-of-fold: several teachers, each fitted on part of the train rows, "
                     "label together (their mean).")
    if config.get("balance"):
        sentence += " The kept rows are then trimmed to follow the class mix of the train rows."
    return sentence


def _combine_sentence(config: Mapping) -> str:
    sentence = ("Stack the train rows and the kept pseudo-labelled rows into one training set "
                "for the student; validation rows stay out.")
    weight = config.get("pseudo_weight")
    if config.get("soft") or (weight is not None and float(weight) != 1.0):
        sentence += " Pseudo-labelled rows get a smaller sample weight than real labels."
    return sentence


def _student_sentence(config: Mapping, words: str | None) -> str:
    sentence = ("Fit the student on the combined rows, score it on the same validation "
                "rows as the teacher, and predict every unlabeled row.")
    if config.get("student") is None:
        sentence += (" It is the same kind of model as the teacher." if words is None else
                     f" The default model for its rows: {words}.")
    if int(config.get("rounds", 1) or 1) > 1:
        sentence += " With more rounds, this student becomes the next teacher."
    where = "out of fold" if config.get("cv") is not None else "on validation"
    if config.get("guard"):
        sentence += (f" Guard: unless the student scores higher than the teacher {where}, "
                     "the teacher's predictions are kept.")
    if config.get("refit"):
        sentence += (" Then, with the scores taken, teacher and student are fitted again "
                     "on every labeled row (the refit): the predictions come from those.")
    return sentence


def _folds(config: Mapping) -> int | None:
    """K when the run cross-fits the labeled rows in K folds (an int ``cv``), else None."""
    folds = config.get("cv")
    if isinstance(folds, bool) or not isinstance(folds, numbers.Integral) or folds < 2:
        return None
    return int(folds)


def _share(val_size: Any) -> str:
    if isinstance(val_size, numbers.Integral) and not isinstance(val_size, bool):
        return f"{int(val_size)} rows"
    try:
        return f"{float(val_size):.0%}"
    except (TypeError, ValueError):
        return str(val_size)
