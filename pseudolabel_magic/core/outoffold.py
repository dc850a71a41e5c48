"""The run's scores before the refit: every fold's predictions scored together.

Each labeled row was scored once, by the fold that left it out; :func:`out_of_fold` stacks
those predictions (probabilities aligned on the union of the folds' classes) and scores them
as one, with the paired student-minus-teacher difference. :func:`fold_scores` takes these
scores (or the one hold-out job's) and makes the guard's pick from them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .rounds import student_not_better
from .scoring import metric_scores
from .verdict import paired_difference, row_losses


class Scores(NamedTuple):
    """The run's scores, taken before the refit: out of fold, or on the hold-out.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Teacher and student scores, one row each.
    difference : object or None
        The paired student-minus-teacher difference (:mod:`.verdict`).
    validation_index : pandas.Index
        The scored rows.
    report : LeakageReport or None
        The leakage report of the scoring fits (every fold's together).
    keep_teacher : bool
        The guard's pick: the student did not score better.
    """

    metrics: pd.DataFrame
    difference: Any
    validation_index: pd.Index
    report: Any
    keep_teacher: bool


def fold_scores(plan, setup, workers, outs) -> Scores:
    """The scores of the fold jobs (or of the one hold-out job), and the guard's pick.

    Parameters
    ----------
    plan : FoldPlan
        The run's folds (:mod:`.crossfit`).
    setup : RefitSetup
        The task and the label column (:mod:`.crossfit`).
    workers : list of Workflow
        One prepared workflow per fold, in fold order.
    outs : list of FoldOutput
        What each fold's job sent back, in the same order.

    Returns
    -------
    Scores
    """
    results = [out.result for out in outs]
    metric = results[0].headline
    if not plan.cross_fitted:
        scored = results[0]
        metrics, difference = scored.metrics, scored.difference
        validation_index, report = scored.validation_index, scored.leakage
    else:
        from ..leakage.report import combine_folds

        metrics, difference, validation_index = out_of_fold(
            [w.validation[setup.target] for w in workers], [out.scored for out in outs],
            setup.task, metric, plan.config["random_state"])
        report = combine_folds([r.leakage for r in results])
    keep_teacher = bool(plan.config["guard"] and student_not_better(
        dict(metrics.loc["teacher"]), dict(metrics.loc["student"]), metric))
    return Scores(metrics, difference, validation_index, report, keep_teacher)


def out_of_fold(y_parts, scored_parts, task, metric, random_state):
    """Scores of every fold's predictions together, and the paired difference.

    Parameters
    ----------
    y_parts : list of pandas.Series
        Each fold's scored labels.
    scored_parts : list of dict
        Each fold's role -> (predictions, probabilities, classes) of those rows.
    task : str
        ``"classification"`` or ``"regression"``.
    metric : str
        The headline metric.
    random_state : int or None
        The seed of the paired difference's resampling.

    Returns
    -------
    tuple
        (metrics, difference, index of the scored rows).
    """
    y = pd.concat(y_parts)
    out = {}
    for role in ("teacher", "student"):
        preds = np.concatenate([part[role][0] for part in scored_parts])
        probas = [part[role][1] for part in scored_parts]
        classes = proba = None
        if task == "classification" and all(p is not None for p in probas):
            classes = _union([part[role][2] for part in scored_parts])
            proba = np.vstack([_aligned(p, part[role][2], classes)
                               for p, part in zip(probas, scored_parts)])
        out[role] = (preds, proba, classes)
    metrics = pd.DataFrame({role: metric_scores(y, *out[role], task) for role in out}).T
    metrics.index.name = "model"
    losses = {}
    if metric == "log_loss":
        losses = {f"{role}_loss": row_losses(y.to_numpy(), out[role][1], out[role][2])
                  for role in out}
    difference = paired_difference(
        metric, y.to_numpy(), out["teacher"][0], out["student"][0],
        teacher_score=metrics.loc["teacher", metric], student_score=metrics.loc["student", metric],
        random_state=random_state, where="out-of-fold", **losses)
    return metrics, difference, y.index


def _union(class_lists):
    values = pd.unique(np.concatenate([np.asarray(c) for c in class_lists]))
    try:
        return np.sort(values)
    except TypeError:  # labels of mixed types: keep the first-seen order
        return values


def _aligned(proba, classes, all_classes):
    out = np.zeros((len(proba), len(all_classes)))
    out[:, pd.Index(all_classes).get_indexer(np.asarray(classes))] = proba
    return out
