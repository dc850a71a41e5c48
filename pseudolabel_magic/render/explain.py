"""The sentence and code ``--explain`` shows before each of the five steps.

The narration is a teaching aid: one plain sentence saying why the step is there and a few
lines of code saying what it does. It describes the run that happens: the default model is
named from the rows it is fitted on (a 200-tree random forest below 2,000 rows, histogram
gradient boosting from there on, as :func:`.models.default_model` chooses), and the code
blocks, run one after the other in the notebook, run as printed (each block imports what
it uses). The full script, with every setting, is :func:`.codegen.to_code`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from .sourcewriter import Writer

_FOREST = {"classification": "RandomForestClassifier", "regression": "RandomForestRegressor"}
_BOOSTING = {"classification": "HistGradientBoostingClassifier",
             "regression": "HistGradientBoostingRegressor"}


def default_model(task: str | None, n_rows: int | None, seed: Any = 0) -> tuple[str, str]:
    """``(words, code)`` of the default model fitted on ``n_rows`` rows.

    Parameters
    ----------
    task : {"classification", "regression"} or None
        None reads as classification.
    n_rows : int or None
        Rows the model is fitted on; None when not known yet (the words then give the rule).
    seed : int or None
        The run's ``random_state``, which the engine sets on its default models.

    Returns
    -------
    (str, str)
        For example ``("a random forest of 200 trees (fewer than 2,000 rows)",
        "RandomForestClassifier(n_estimators=200, random_state=0)")``.
    """
    from ..core.models import SMALL_TRAIN_ROWS

    task = "regression" if task == "regression" else "classification"
    if n_rows is not None and n_rows >= SMALL_TRAIN_ROWS:
        leaf = int(max(1, min(20, n_rows // 20)))
        return (f"histogram gradient boosting ({n_rows:,} rows, {SMALL_TRAIN_ROWS:,} or more)",
                f"{_BOOSTING[task]}(min_samples_leaf={leaf}, random_state={seed!r})")
    words = "a random forest of 200 trees"
    words += (f" ({n_rows:,} rows, fewer than {SMALL_TRAIN_ROWS:,})" if n_rows is not None else
              f" (below {SMALL_TRAIN_ROWS:,} rows; histogram gradient boosting above)")
    return words, f"{_FOREST[task]}(n_estimators=200, random_state={seed!r})"


def _model(w: Writer, given, task, n_rows, seed) -> tuple[str, str | None]:
    """(code, words or None) of one model: the user's estimator as written, or the default."""
    if given is not None:
        return w.value(given), None
    words, code = default_model(task, n_rows, seed)
    w.need("sklearn.ensemble", code.split("(")[0])
    return code, words


def _count(counts: Mapping, key: str) -> int | None:
    value = counts.get(key)
    return None if value is None else int(value)


def explain_steps(config: dict, counts: Mapping | None = None) -> list[tuple[str, str, str]]:
    """``(step_key, sentence, code)`` for each of the five steps, for ``--explain``.

    ``config`` is built from the cell before a run (estimators None for the default model)
    or is ``result.config`` after one. ``counts`` (a progress event's, or ``result.counts``)
    sizes the default models: ``n_train`` rows for the teacher, ``n_train`` plus the
    unlabeled rows (at most ``max_pseudo_rows``) for the student.
    """
    if str(config.get("select")) == "auto":  # before a run: say what "auto" stands for
        from ..core.strategies import AUTO_CV, resolve_auto

        cross_fit = config.get("cv") is None and not config.get("validation_given") and not (
            config.get("frame_names") or {}).get("validation")
        config = resolve_auto(config)
        if cross_fit:
            config = {**config, "cv": AUTO_CV}
    if config.get("cv") is not None and config.get("refit") is None:
        config = {**config, "refit": True}  # as run() does
    curriculum = config.get("curriculum")
    if curriculum:
        config = {**config, "select": "threshold", "threshold": float(next(iter(curriculum)))}
    counts = counts or {}
    names = dict(config.get("frame_names") or {})
    target = config.get("target", "target")
    val_size = config.get("val_size", 0.2)
    seed = config.get("random_state", 0)
    seed = seed if seed is None or isinstance(seed, numbers.Integral) else 0
    select = str(config.get("select", "all"))
    task = config.get("task")

    split_sentence, split_code = _split(config, names, target, val_size, seed, task)

    w = Writer()
    w.need("sklearn.base", "clone")
    n_train = _count(counts, "n_train")
    teacher_code, teacher_words = _model(w, config.get("teacher"), task, n_train, seed)
    teacher_sentence = "Fit the teacher on the train rows only, with the labels we trust"
    teacher_sentence += (f": the default model, {teacher_words}." if teacher_words else ".")
    teacher_block = "\n".join([*w.import_lines(), f"teacher = clone({teacher_code})",
                               "teacher.fit(train[features], train[target])"])

    pseudo_sentence, pseudo_code = _pseudo(config, select, task)

    combine = ("Stack the train rows and the kept pseudo-labelled rows into one training set "
               "for the student; validation rows stay out.")
    if config.get("soft") or float(config.get("pseudo_weight", 1.0) or 1.0) != 1.0:
        combine += " Pseudo-labelled rows get a smaller sample weight than real labels."
    combine_code = "import numpy as np\nimport pandas as pd\nX_student = pd.concat([train[features], unlabeled[features].iloc[np.flatnonzero(keep)]])\ny_student = np.concatenate([train[target].to_numpy(), pseudo[keep]])"

    w = Writer()
    w.need("sklearn.base", "clone")
    student_given = config.get("student")
    if student_given is None and config.get("teacher") is not None:
        student_code, student_words = teacher_code, "the teacher's model"
        w = None
    else:
        n_student = None
        n_unl = _count(counts, "n_unlabeled")
        if n_train is not None and n_unl is not None:
            cap = config.get("max_pseudo_rows")
            n_student = n_train + (n_unl if cap is None else min(n_unl, int(cap)))
        student_code, student_words = _model(w, student_given, task, n_student, seed)
    student_sentence = ("Fit the student on the combined rows, score it on the same validation "
                        "rows as the teacher, and predict every unlabeled row.")
    if student_given is None:
        student_sentence += (" It is the same kind of model as the teacher." if w is None else
                             f" The default model for its rows: {student_words}.")
    if int(config.get("rounds", 1) or 1) > 1:
        student_sentence += " With more rounds, this student becomes the next teacher."
    where = "out of fold" if config.get("cv") is not None else "on validation"
    if config.get("guard"):
        student_sentence += (f" Guard: unless the student scores higher than the teacher {where}, "
                             "the teacher's predictions are kept.")
    if config.get("refit"):
        student_sentence += (" Then, with the scores taken, teacher and student are fitted again "
                             "on every labeled row (the refit): the predictions come from those.")
    score = "accuracy_score" if task != "regression" else "r2_score"
    student_block = [*(w.import_lines() if w is not None else []),
                     f"from sklearn.metrics import {score}",
                     f"student = clone({student_code}).fit(X_student, y_student)",
                     (f"print('teacher', {score}(validation[target], "
                     "teacher.predict(validation[features])))"),
                     (f"print('student', {score}(validation[target], "
                     "student.predict(validation[features])))"),
                     "predictions = student.predict(unlabeled[features])"]
    if w is None:
        student_block.insert(0, "from sklearn.base import clone")
    return [
        ("split", split_sentence, split_code),
        ("teacher", teacher_sentence, teacher_block),
        ("pseudo_label", pseudo_sentence, pseudo_code),
        ("combine", combine, combine_code),
        ("student", student_sentence, "\n".join(student_block)),
    ]


def _split(config, names, target, val_size, seed, task) -> tuple[str, str]:
    """Step 1: bind the frames, name the features, hold out validation."""
    labeled = names.get("labeled", "labeled")
    lines = []
    if config.get("unlabeled_given", "unlabeled" in names) or "unlabeled" in names:
        lines.append(f"labeled, unlabeled = {labeled}, {names.get('unlabeled', 'unlabeled')}")
    else:
        lines += [f"unlabeled = {labeled}[{labeled}[{target!r}].isna()]  # rows without a label",
                  f"labeled = {labeled}[{labeled}[{target!r}].notna()]"]
    lines.append(f"target = {target!r}")
    features = config.get("features")
    if features is not None:
        lines.append(f"features = {Writer().value(list(features))}")
    else:
        skip = [target] + [config[k] for k in ("group_col", "time_col", "id_col")
                           if config.get(k) is not None]
        lines.append(f"features = [c for c in labeled.columns if c not in {Writer().value(skip)}]")
    share = _share(val_size)
    if config.get("validation_given"):
        sentence = ("Use the validation frame you passed only to score the models: rows that "
                    "never train anything give honest scores.")
        lines.append(f"train, validation = labeled, {names.get('validation', 'validation')}")
    elif config.get("time_col") is not None:
        sentence = (f"Hold out the latest {share} of the labeled rows by {config['time_col']!r} "
                    "as validation: the past must not be scored on rows it trained with, and the "
                    "future must never train the past.")
        lines += ["import numpy as np", f"n_val = {_n_val(val_size)}",
                  f"ordered = labeled.sort_values({config['time_col']!r}, kind='stable')",
                  "train, validation = ordered.iloc[:-n_val], ordered.iloc[-n_val:]"]
    elif config.get("group_col") is not None:
        sentence = (f"Hold out {share} of the groups in {config['group_col']!r} as validation, "
                    "so no group is on both sides and the score is honest.")
        lines = ["from sklearn.model_selection import GroupShuffleSplit", *lines,
                 (f"splitter = GroupShuffleSplit(n_splits=1, test_size={val_size!r}, "
                 f"random_state={seed!r})"),
                 (f"train_pos, val_pos = next(splitter.split(labeled, groups=labeled"
                 f"[{config['group_col']!r}]))"),
                 "train, validation = labeled.iloc[train_pos], labeled.iloc[val_pos]"]
    else:
        sentence = (f"Hold out {share} of the labeled rows as validation: they only score "
                    "the teacher and the student, never train them, so the scores stay honest.")
        stratify = "labeled[target]" if task != "regression" else "None"
        lines = ["from sklearn.model_selection import train_test_split", *lines,
                 (f"train, validation = train_test_split(labeled, test_size={val_size!r}, "
                 f"random_state={seed!r}, stratify={stratify})")]
    folds = config.get("cv")
    plain = config.get("time_col") is None and config.get("group_col") is None
    if isinstance(folds, int) and not isinstance(folds, bool) and folds > 1 and not plain:
        sentence += (f" The run cross-fits: it splits the labeled rows into {folds} folds "
                     "this way and repeats the recipe once per fold, so every labeled row is "
                     "scored once; the code shows one split.")
    elif isinstance(folds, int) and not isinstance(folds, bool) and folds > 1:
        sentence = (f"Split the labeled rows into {folds} folds. The recipe below runs once per "
                    "fold: that fold only scores the teacher and the student, the other folds "
                    "train them, so every labeled row is scored exactly once by models that "
                    "never saw it (cross-fitting). The code shows the first fold.")
        kind = "StratifiedKFold" if task != "regression" else "KFold"
        lines = [line for line in lines if not line.startswith(("train, validation =",
                 "from sklearn.model_selection import train_test_split"))]
        lines += [f"from sklearn.model_selection import {kind}",
                  (f"folds = list({kind}({folds}, shuffle=True, random_state={seed!r})"
                   ".split(labeled, labeled[target]))"),
                  "train_pos, val_pos = folds[0]  # the first of the folds",
                  "train, validation = labeled.iloc[train_pos], labeled.iloc[val_pos]"]
    return sentence, "\n".join(lines)


def _pseudo(config, select, task) -> tuple[str, str]:
    """Step 3: the teacher's guesses, and which of them are kept."""
    threshold, k_best = config.get("threshold"), config.get("k_best")
    if task == "regression":
        rule = ("keep all of them: a regression teacher gives no class probability "
                "(the run ranks rows by how much a forest's trees agree)")
        lines = ["import numpy as np", "pseudo = teacher.predict(unlabeled[features])",
                 "keep = np.ones(len(pseudo), dtype=bool)"]
        if select == "all":
            rule = "keep all of them, sure or not: the simplest recipe, and a baseline to beat"
    else:
        lines = ["import numpy as np", "proba = teacher.predict_proba(unlabeled[features])",
                 "pseudo = teacher.classes_[proba.argmax(axis=1)]"]
        if select == "threshold":
            rule = (f"keep only rows whose confidence is at least {threshold!r}: unsure guesses "
                    "would teach the student mistakes")
            lines.append(f"keep = proba.max(axis=1) >= {threshold!r}")
        elif select == "k-best":
            rule = (f"keep the {k_best!r} most confident rows of each round: a fixed budget of "
                    "the teacher's surest guesses")
            lines += ["keep = np.zeros(len(proba), dtype=bool)",
                      f"keep[np.argsort(-proba.max(axis=1))[:{k_best!r}]] = True"]
        else:
            rule = "keep all of them, sure or not: the simplest recipe, and a baseline to beat"
            lines.append("keep = np.ones(len(proba), dtype=bool)")
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
    return sentence, "\n".join(lines)


def _n_val(val_size: Any) -> str:
    if isinstance(val_size, numbers.Integral) and not isinstance(val_size, bool):
        return repr(int(val_size))
    return f"int(np.ceil({float(val_size)!r} * len(labeled)))"


def _share(val_size: Any) -> str:
    if isinstance(val_size, numbers.Integral) and not isinstance(val_size, bool):
        return f"{int(val_size)} rows"
    try:
        return f"{float(val_size):.0%}"
    except (TypeError, ValueError):
        return str(val_size)
