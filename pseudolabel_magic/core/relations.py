"""The rules that tie a run's settings together (``select='threshold'`` needs a threshold, a
curriculum fixes the rounds, teacher and student are of one kind, ``scoring`` fits the task).

Each rule takes every setting (given or default) and returns None or ``(the setting to
blame, the message)``; :func:`~.validation.check_run_settings` applies them in
:data:`RELATIONS` order once each setting is valid on its own.
"""

from __future__ import annotations

from ..errors import PseudoLabelError
from .config import METRICS
from .values import show


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
        return "student", (f"the teacher {show(teacher)} is a {kinds[0]} but the student "
                           f"{show(student)} a {kinds[1]}; pass a student of the same kind "
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
