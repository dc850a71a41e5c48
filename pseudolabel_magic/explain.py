"""The sentence and code line ``--explain`` shows before each of the five steps.

The narration is a teaching aid, not a reproduction: one plain sentence saying why the
step is there and one line of code saying what it does, written from the cell's settings
before the run (estimators may still be the default model) or from ``result.config``
after it. The full, runnable script is :func:`.codegen.to_code`.
"""

from __future__ import annotations

import numbers
from typing import Any

from .codegen import _names
from .sourcewriter import _Writer


def explain_steps(config: dict) -> list[tuple[str, str, str]]:
    """``(step_key, sentence, code_line)`` for each of the five steps, for ``--explain``.

    Works before a run (``config`` built from the cell: estimators may be None for the
    default model) and after one (``result.config``).
    """
    if str(config.get("select")) == "auto":  # before a run: say what "auto" stands for
        from .strategies import resolve_auto

        config = resolve_auto(config)
    curriculum = config.get("curriculum")
    if curriculum:
        config = {**config, "select": "threshold", "threshold": float(list(curriculum)[0])}
    names = _names(config, None)
    labeled = names.get("labeled", "labeled")
    unlabeled = names.get("unlabeled", "unlabeled")
    target = config.get("target", "target")
    val_size = config.get("val_size", 0.2)
    seed = config.get("random_state", 0)
    select = str(config.get("select", "all"))
    task = config.get("task")
    w = _Writer()
    teacher = config.get("teacher")
    student = config.get("student")
    teacher_code = w.value(teacher) if teacher is not None else "default_model"
    student_code = w.value(student) if student is not None else teacher_code
    feats = "features"

    if config.get("validation_given"):
        split = ("Use the validation frame you passed only to score the models: rows that never "
                 "train anything give honest scores.")
        split_code = f"train, validation = {labeled}, {names.get('validation', 'validation')}"
    elif config.get("time_col") is not None:
        split = (f"Hold out the latest {_share(val_size)} of the labeled rows by "
                 f"{config['time_col']!r} as validation: the past must not be scored on rows it "
                 "trained with, and the future must never train the past.")
        split_code = (f"train, validation = {labeled}.sort_values({config['time_col']!r})"
                      f".iloc[:-n_val], {labeled}.sort_values({config['time_col']!r}).iloc[-n_val:]")
    elif config.get("group_col") is not None:
        split = (f"Hold out {_share(val_size)} of the groups in {config['group_col']!r} as "
                 "validation, so no group is on both sides and the score is honest.")
        split_code = (f"train_pos, val_pos = next(GroupShuffleSplit(test_size={val_size!r}, "
                      f"random_state={seed!r}).split({labeled}, groups={labeled}[{config['group_col']!r}]))")
    else:
        split = (f"Hold out {_share(val_size)} of the labeled rows as validation: they only score "
                 "the teacher and the student, never train them, so the scores stay honest.")
        split_code = (f"train, validation = train_test_split({labeled}, test_size={val_size!r}, "
                      f"random_state={seed!r}, stratify={labeled}[{target!r}])")

    teacher_sentence = ("Fit the teacher on the train rows only, with the labels we trust"
                        + (" (the default model: gradient-boosted trees that take raw columns)."
                           if teacher is None else "."))
    if select == "threshold":
        rule = (f"keep only rows whose confidence is at least {config.get('threshold')!r}: "
                "unsure guesses would teach the student mistakes")
        keep = f"keep = proba.max(axis=1) >= {config.get('threshold')!r}"
        if curriculum:
            rule += (f", relaxing round by round along the curriculum "
                     f"{[float(t) for t in curriculum]!r}")
    elif select == "k-best":
        rule = (f"keep the {config.get('k_best')!r} most confident rows of each round: "
                "a fixed budget of the teacher's surest guesses")
        keep = f"keep = np.argsort(-proba.max(axis=1))[:{config.get('k_best')!r}]"
    else:
        rule = "keep all of them, sure or not: the simplest recipe, and a baseline to beat"
        keep = "keep = np.ones(len(proba), dtype=bool)"
    if task == "regression":
        pseudo_code = f"pseudo = teacher.predict({unlabeled}[{feats}])"
    else:
        pseudo_code = (f"proba = teacher.predict_proba({unlabeled}[{feats}]); "
                       f"pseudo = teacher.classes_[proba.argmax(axis=1)]; {keep}")
    pseudo_sentence = ("The teacher predicts the unlabeled rows; its guesses become "
                       f"pseudo-labels, and we {rule}.")
    if config.get("calibrate"):
        pseudo_sentence += (" The confidences come from a calibrated copy of the teacher "
                            "(CalibratedClassifierCV), fitted on the train rows only.")
    if config.get("oof") not in (None, False, 0):
        pseudo_sentence += (" Out-of-fold: several teachers, each fitted on part of the train "
                            "rows, label together (their mean).")
    if config.get("balance"):
        pseudo_sentence += " The kept rows follow the class mix of the train rows."
    combine = ("Stack the train rows and the kept pseudo-labelled rows into one training set "
               "for the student; validation rows stay out.")
    if config.get("soft") or float(config.get("pseudo_weight", 1.0) or 1.0) != 1.0:
        combine += " Pseudo-labelled rows get a smaller sample weight than real labels."
    combine_code = (f"X_student = pd.concat([train[{feats}], {unlabeled}[{feats}][keep]]); "
                    f"y_student = np.concatenate([train[{target!r}], pseudo[keep]])")
    student_sentence = ("Fit the student on the combined rows, score it on the same validation "
                        "rows as the teacher, and predict every unlabeled row.")
    if int(config.get("rounds", 1) or 1) > 1:
        student_sentence += " With more rounds, this student becomes the next teacher."
    if config.get("guard"):
        student_sentence += (" Guard: if the student scores lower than the teacher on "
                             "validation, the teacher's predictions are kept.")
    student_code_line = (f"student = clone({student_code}).fit(X_student, y_student); "
                         f"student.score(validation[{feats}], validation[{target!r}])")
    return [
        ("split", split, split_code),
        ("teacher", teacher_sentence,
         f"teacher = clone({teacher_code}).fit(train[{feats}], train[{target!r}])"),
        ("pseudo_label", pseudo_sentence, pseudo_code),
        ("combine", combine, combine_code),
        ("student", student_sentence, student_code_line),
    ]


def _share(val_size: Any) -> str:
    if isinstance(val_size, numbers.Integral) and not isinstance(val_size, bool):
        return f"{int(val_size)} rows"
    try:
        return f"{float(val_size):.0%}"
    except (TypeError, ValueError):
        return str(val_size)
