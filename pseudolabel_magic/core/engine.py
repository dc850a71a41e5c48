"""``pl.run``: check the settings, then run the recipe once (hold-out), cross-fitted, or on Dask.

The recipe's steps live in :mod:`pseudolabel_magic.core.workflow`; cross-fitting and the refit
in :mod:`pseudolabel_magic.core.crossfit`; the Dask path in :mod:`pseudolabel_magic.core.dask`.
"""

from __future__ import annotations

from contextlib import suppress

from ..errors import PseudoLabelError
from .result import PseudoLabelResult
from .strategies import AUTO_CV
from .workflow import Workflow, seeded

__all__ = ["Workflow", "run", "seeded"]



def _is_dask(frame) -> bool:
    """A Dask collection, detected without importing dask."""
    return type(frame).__module__.startswith("dask")


def run(labeled, unlabeled=None, *, target, task=None, teacher=None, student=None,
        validation=None, sample_weight=None, val_size=0.2, cv=None, refit=None, scoring=None,
        features=None, select="all",
        threshold=None, k_best=None, rounds=1, balance=False, soft=False, pseudo_weight=1.0,
        group_col=None, time_col=None, id_col=None, random_state=0, allow_leakage=False,
        progress=None, calibrate=False, oof=False, guard=None, curriculum=None,
        max_pseudo_rows=None, n_jobs=None, chunk_rows=200_000) -> PseudoLabelResult:
    """Run the pseudo-label recipe: teacher on train, pseudo-label, student on both.

    ``validation`` (or the ``val_size`` split of ``labeled``) is never used to fit; it only
    scores teacher and student. ``progress`` receives a :class:`ProgressEvent` as each step
    starts and ends. See the README for every option.

    ``calibrate=True`` labels with CalibratedClassifierCV fitted on train only; ``oof=k``
    (True = 5) labels with the mean of ``k`` teachers each fitted on ``k - 1`` train folds;
    ``curriculum=[0.99, 0.9, 0.8]`` is select="threshold" with one threshold per round,
    relaxing (rounds default to its length); ``guard=True`` keeps the teacher's predictions
    when the student does not score higher on validation. ``select="auto"`` runs
    ``strategies.AUTO`` (the benchmark's best and safest strategy) with the guard on;
    ``guard=None`` means on under "auto", off otherwise.

    ``cv=K`` (or a scikit-learn splitter) cross-fits: each fold's rows are scored by a teacher
    and a student fitted without them, so every labeled row is scored once, out of fold;
    ``refit=True`` (the default with ``cv``) then fits both on every labeled row and the
    predictions come from those (scores were taken before). ``scoring`` names the metric of
    the verdict and the guard (default: accuracy, balanced accuracy for imbalanced classes,
    r2). ``result.verdict`` says whether pseudo-labelling helped, with a paired interval
    (:mod:`pseudolabel_magic.core.verdict`). ``select="auto"`` cross-fits with 5 folds unless
    ``cv`` or ``validation`` is given.

    Big pools: the unlabeled rows are scored ``chunk_rows`` at a time; ``max_pseudo_rows``
    caps the pseudo-labelled rows the student gets (sampled with ``random_state``);
    ``n_jobs`` is set on models that take it. ``unlabeled`` may be a Dask DataFrame: see
    :mod:`pseudolabel_magic.core.dask` (``predictions`` then stays a lazy Dask DataFrame).

    ``task="classification"`` or ``"regression"`` says what the target is; None takes it
    from the teacher (a classifier or a regressor), else guesses it from the target
    (``result.task_reason`` says which). ``sample_weight`` weights the labeled rows (an array
    with one number per row of ``labeled``, or a Series on its index; rows without a target
    are ignored): the teacher and every labeler fit with the train rows' weights, the
    student with those and the pseudo-labels' weights; validation scores are unweighted.
    ``random_state`` also seeds every estimator whose ``random_state`` is None (on the
    engine's clones; your objects are not changed). Warnings raised in the fits are shown
    once per run, counted, in ``result.warnings``.
    """
    from .config import check_run_settings
    from .strategies import resolve_settings

    check_run_settings(  # every setting's type and range, before anything else
        target=target, task=task, teacher=teacher, student=student,
        sample_weight=sample_weight, val_size=val_size, cv=cv, refit=refit, scoring=scoring,
        features=features,
        select=select, threshold=threshold, k_best=k_best, rounds=rounds, balance=balance,
        soft=soft, pseudo_weight=pseudo_weight, group_col=group_col, time_col=time_col,
        id_col=id_col, random_state=random_state, allow_leakage=allow_leakage,
        progress=progress, calibrate=calibrate, oof=oof, guard=guard, curriculum=curriculum,
        max_pseudo_rows=max_pseudo_rows, n_jobs=n_jobs, chunk_rows=chunk_rows)
    strategy = resolve_settings(  # select="auto" and curriculum become plain settings here
        select=select, threshold=threshold, k_best=k_best, rounds=rounds, balance=balance,
        soft=soft, calibrate=calibrate, oof=oof, guard=guard, curriculum=curriculum)
    cv_given = cv
    if cv is None and select == "auto" and validation is None and not _is_dask(unlabeled):
        cv = AUTO_CV  # "auto" decides on every label, out of fold, then refits on all of them
    config = dict(
        target=target, task=task, features=None if features is None
        else [features] if isinstance(features, str) else list(features),
        **strategy, sample_weight_given=sample_weight is not None,
        pseudo_weight=pseudo_weight, val_size=val_size, cv=cv, scoring=scoring,
        refit=cv is not None if refit is None else refit,
        cv_auto=cv_given is None and cv is not None,
        group_col=group_col, time_col=time_col,
        id_col=id_col, random_state=random_state, allow_leakage=allow_leakage,
        validation_given=validation is not None, unlabeled_given=unlabeled is not None,
        unlabeled_is_dask=_is_dask(unlabeled),
        max_pseudo_rows=max_pseudo_rows, n_jobs=n_jobs,
        chunk_rows=int(chunk_rows),
    )
    if config["cv"] is not None or config["refit"]:
        if validation is not None and config["cv"] is not None:
            raise PseudoLabelError(
                "cv cross-fits the labeled rows, so it cannot go with a validation frame; pass "
                "cv=None to score on validation, or leave validation out.")
        if config["unlabeled_is_dask"]:
            raise PseudoLabelError(
                "cv and refit run on pandas frames only for now; pass unlabeled.compute() for a "
                "pool that fits in memory, or cv=None, refit=False for the Dask path.")
        from .crossfit import run_crossfit

        return run_crossfit(config, progress, labeled, unlabeled, validation, teacher, student,
                            sample_weight)
    workflow_class = Workflow
    if config["unlabeled_is_dask"]:  # detected without importing dask
        from .dask import DaskWorkflow as workflow_class
    workflow = workflow_class(config, progress)
    workflow.sample_weight = sample_weight
    try:
        result = workflow.execute(labeled, unlabeled, validation, teacher, student)
    except BaseException:
        with suppress(Warning):  # a warning the user made an error must not hide this one
            workflow.warning_log.show(workflow.label_notes, stacklevel=2)
        raise
    workflow.warning_log.show(workflow.label_notes, stacklevel=2)  # once per run
    return result
