"""Cross-fitting and the refit: every labeled row scores once, then every label trains.

``cv=K`` splits the labeled rows into K folds. For each fold the whole recipe runs without
that fold's rows (teacher, pseudo-labels from that teacher, student; the fold's twins in the
pool never reach its student), and the fold's rows score both models. Every labeled row is
thus scored exactly once, out of fold (the folds: :mod:`.folds`), and the headline scores
use every label instead of a 20% hold-out (scored together: :mod:`.outoffold`). ``refit=True`` then runs the recipe once more on every labeled row; its
models make ``predictions``. The scores were taken before the refit, as with scikit-learn's
``GridSearchCV(refit=True)``.

The before-fit leakage checks of every fold run before any fold fits, so a refused setup
stops before the first fit. Folds run in parallel with ``n_jobs`` (joblib).

References
----------
Chernozhukov, V. et al. (2018). Double/debiased machine learning for treatment and
structural parameters. *The Econometrics Journal* 21(1) (cross-fitting).
Varma, S. and Simon, R. (2006). Bias in error estimation when using cross-validation for
model selection. *BMC Bioinformatics* 7:91 (why the refit's own scores are not shown).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..errors import PseudoLabelError, call_records
from .fitwarnings import WarningLog
from .folds import fold_positions, plain_value
from .outoffold import Scores, fold_scores
from .result import PseudoLabelResult
from .teachers import FoldAverage
from .verdict import headline_metric
from .workflow import Workflow


class FoldOutput(NamedTuple):
    """What one job (a fold's run, or the refit) sends back, from a worker process too.

    Parameters
    ----------
    result : PseudoLabelResult
        The job's result.
    scored : dict
        Role -> (predictions, probabilities, classes) of the job's validation rows.
    warning_log : WarningLog
        The warnings of the job's fits.
    timings : dict
        Seconds per step.
    teacher_pool : pandas.DataFrame or None
        The pool as the refit teacher labelled it, when it labelled the pool itself.
    """

    result: PseudoLabelResult
    scored: dict
    warning_log: WarningLog
    timings: dict
    teacher_pool: pd.DataFrame | None


@dataclass(frozen=True)
class RefitSetup:
    """What the folds read from the refit workflow, which prepared the labeled rows once.

    Parameters
    ----------
    task : str
        ``"classification"`` or ``"regression"``.
    features : list
        The feature columns.
    target : column label
        The label column.
    labeled_rows : pandas.DataFrame
        Every labeled row (the refit's train rows).
    unlabeled : pandas.DataFrame
        The pool.
    built : tuple
        (teacher template, student template, model notes), built once for every fold.
    """

    task: str
    features: list
    target: Any
    labeled_rows: pd.DataFrame
    unlabeled: pd.DataFrame
    built: tuple

    @classmethod
    def of(cls, refit: Workflow) -> RefitSetup:
        """Read a prepared refit workflow.

        Parameters
        ----------
        refit : Workflow
            The workflow with ``refit=True``, after ``prepare``.

        Returns
        -------
        RefitSetup
        """
        return cls(task=refit.task, features=refit.features, target=refit.config["target"],
                   labeled_rows=refit.train, unlabeled=refit.unlabeled,
                   built=(refit.teacher_template, refit.student_template, refit.model_notes))


@dataclass(frozen=True)
class FoldPlan:
    """The folds of a run, chosen before any fit.

    Parameters
    ----------
    config : dict
        The run's settings (``cv`` None when ``select="auto"`` falls back to one hold-out).
    fold_config : dict
        The settings of each fold's workflow.
    cv : int, splitter or None
        The folds made (under ``select="auto"``, fewer than asked for rare classes).
    folds : list
        (train positions, scored positions) of each fold; ``[None]``: one hold-out split.
    note : str or None
        What ``select="auto"`` chose, for the result's notes.
    """

    config: dict
    fold_config: dict
    cv: Any
    folds: list
    note: str | None = None

    @property
    def cross_fitted(self) -> bool:
        """Whether the scores are out of fold (else one hold-out split or validation frame)."""
        return self.config["cv"] is not None


def _fit_fold(workflow, labeled, unlabeled, validation, teacher, student) -> FoldOutput:
    try:
        result = workflow.execute(labeled, unlabeled, validation, teacher, student)
    except Exception as err:  # in a worker process the frames stay behind: send their gist
        err.pseudolabel_frames = call_records(err.__traceback__)
        raise
    return FoldOutput(result, workflow.scored, workflow.warning_log, workflow.timings,
                      workflow.teacher_pool)


def run_crossfit(config: dict, progress, labeled, unlabeled, validation, teacher, student,
                 sample_weight) -> PseudoLabelResult:
    """``pl.run`` with ``cv`` or ``refit``: score (out of fold, or on the hold-out), then refit.

    Parameters
    ----------
    config : dict
        The run's settings, as :func:`pseudolabel_magic.core.engine.run` made and checked them.
    progress : callable or None
        Receives each :class:`~pseudolabel_magic.steps.ProgressEvent`.
    labeled, unlabeled, validation : pandas.DataFrame or None
        The frames given to ``pl.run``.
    teacher, student : estimator or None
        The models given to ``pl.run``.
    sample_weight : array-like, pandas.Series or None
        Weights of the labeled rows.

    Returns
    -------
    PseudoLabelResult
        ``metrics`` and ``difference`` come from the scoring fits; the models and
        ``predictions`` from the refit (or, with ``refit=False``, from the mean of the fold
        models).
    """
    start = time.perf_counter()
    frames = (labeled, unlabeled, validation, teacher, student)
    refit = _refit_workflow(config, progress, frames, sample_weight)
    setup = RefitSetup.of(refit)
    plan = _choose_folds(config, setup)
    if plan.note is not None:
        refit.notes.append(plan.note)
    parts = len(plan.folds) + bool(plan.config["refit"])  # shares of the progress bar
    refit.progress_span = ((parts - 1) / parts, 1 / parts)
    workers = _prepare_folds(plan, setup, progress, frames, sample_weight, parts)
    # the refit does not wait for the scores: it fits both models alongside the folds and
    # the guard picks between them afterwards (one more job for the cores, not one more wait)
    jobs = workers + ([refit] if plan.config["refit"] else [])
    outs = _run_jobs(jobs, plan.config["n_jobs"], progress, frames, n_folds=len(workers))
    refit_out = outs.pop() if plan.config["refit"] else None
    for out in [*outs, *([refit_out] if refit_out else [])]:
        refit.warning_log.merge(out.warning_log)
    scores = fold_scores(plan, setup, workers, outs)
    result = _assemble(plan, setup, refit, outs, refit_out, scores, start)
    refit.warning_log.show(refit.label_notes, stacklevel=3)
    return result


def _refit_workflow(config, progress, frames, sample_weight) -> Workflow:
    """The workflow on every labeled row, prepared; it prepares what every fold shares."""
    labeled, unlabeled, _, teacher, student = frames
    refit = Workflow(config, progress, refit=True)
    refit.sample_weight = sample_weight
    refit.prepare(labeled, unlabeled, None, teacher, student)
    if config["n_jobs"] not in (None, 1):  # the folds take the cores, not the models: one
        from .scoring import with_n_jobs  # core per fit inside them

        refit.teacher_template = with_n_jobs(clone(refit.teacher_template), 1)
        refit.student_template = with_n_jobs(clone(refit.student_template), 1)
    return refit


def _choose_folds(config, setup: RefitSetup) -> FoldPlan:
    """The folds: ``cv``'s (fewer under ``select="auto"`` for rare classes), or one split."""
    task, y = setup.task, setup.labeled_rows[setup.target]
    cv, note = config["cv"], None
    if cv is not None and config.get("cv_auto"):  # "auto" chose 5 folds: fewer for rare classes
        few = int(y.value_counts().min()) if task == "classification" else len(y) // 2
        cv = max(2, min(cv, few))
        note = (f"select='auto' scored teacher and student out of fold ({cv} "
                "folds of the labeled rows), then refit both on every label")
        if task == "classification" and few < 2:  # a class of one row cannot cross-fit
            cv, config = None, {**config, "cv": None}
            note = (f"select='auto' scored on one hold-out split: class "
                    f"{plain_value(y.value_counts().idxmin())!r} has a single labeled row, too "
                    "few to cross-fit; then refit both on every label")
    fold_config = {**config, "task": task, "refit": False}
    if config["cv"] is None:  # one hold-out split (or the validation frame), then the refit
        return FoldPlan(config, fold_config, cv, [None], note)
    folds = fold_positions(setup.labeled_rows, setup.target, task, cv=cv,
                           group_col=config["group_col"], time_col=config["time_col"],
                           random_state=config["random_state"], features=setup.features)
    parallel = config["n_jobs"] not in (None, 1)
    fold_config.update(folds=len(folds), n_jobs=None if parallel else config["n_jobs"])
    return FoldPlan(config, fold_config, cv, folds, note)


def _prepare_folds(plan: FoldPlan, setup: RefitSetup, progress, frames, sample_weight,
                   parts) -> list:
    """One workflow per fold, every fold's leakage checks made before any fold fits."""
    headline = headline_metric(setup.task, setup.labeled_rows[setup.target],
                               plan.config.get("scoring"))[0]
    shared_checks = _shared_checks(setup) if plan.cross_fitted else None
    workers = []
    for k, positions in enumerate(plan.folds, 1):
        w = Workflow(plan.fold_config, progress, fold=None if positions is None else k,
                     positions=positions, built=setup.built)
        w.sample_weight = sample_weight
        w.predict_pool = False
        if positions is not None:  # the table of all metrics is the out-of-fold one
            w.metrics_only = (headline,)
        w.progress_span = ((k - 1) / parts, 1 / parts)
        if shared_checks is not None:  # the rows hashed once, sliced for this fold
            hashed, w.labeled_checks = shared_checks
            w.hashed = _fold_hashes(hashed, *positions)
        try:
            w.prepare(*frames)
        except PseudoLabelError as err:
            if positions is not None:
                err.args = (f"fold {k} of {len(plan.folds)}: {err}",)
            raise
        if w.report is not None:
            w.report.fold = w.fold  # its after-run checks read this fold's records only
        workers.append(w)
    return workers


def _run_jobs(jobs, n_jobs, progress, frames, *, n_folds) -> list:
    """Each job's :class:`FoldOutput`, in order: one after the other, or in joblib's workers."""
    n_jobs = n_jobs if len(jobs) > 1 else None
    if n_jobs in (None, 1):
        return [_fit_fold(w, *frames) for w in jobs]
    from joblib import Parallel, delayed

    for w in jobs:  # the workers report nothing live: a fold's end is reported here as it arrives
        w.progress = None
    outs = []
    for w, out in zip(jobs, Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_fit_fold_or_error)(w, *frames) for w in jobs)):
        outs.append(out)
        if isinstance(out, Exception):
            continue
        if progress is not None:
            w.progress = progress
            w.done_units = w.total_units
            w.counts.update(out.result.counts)
            w.emit("student", "done", f"fold {w.fold} of {n_folds} done" if w.fold
                   else "refit done")
    failed = next((out for out in outs if isinstance(out, Exception)), None)
    if failed is not None:  # the first failing fold, as a serial run would report it
        raise failed
    return outs


def _fit_fold_or_error(workflow, *frames):
    """:func:`_fit_fold` in a worker: a failure comes back as a value, so the run reports
    the first failing fold in fold order, not whichever worker failed first."""
    try:
        return _fit_fold(workflow, *frames)
    except Exception as err:  # noqa: BLE001 -- raised again in the calling process
        return err


def _final_models(setup: RefitSetup, refit, results, refit_out, keep_teacher) -> dict:
    """The result's models, predictions, pseudo-labels, history, counts, teacher confidence
    and notes: the refit's, or (``refit_out`` None) the fold models' together."""
    if refit_out is not None:
        final = refit_out.result
        teacher, student, predictions = final.teacher, final.student, final.predictions
        if keep_teacher:  # the guard's pick, made on the scores: the refit teacher predicts
            predictions = refit_out.teacher_pool  # as it did to pseudo-label, unless a labeler did
            if predictions is None:
                predictions = refit.pool_predictions(teacher, "teacher")
        notes = [*final.notes]
    else:  # the fold models together, as one model each
        final = results[0]
        teacher = FoldAverage([r.teacher for r in results], setup.task)
        student = FoldAverage([r.student for r in results], setup.task)
        predictions = (refit.pool_predictions(teacher, "teacher") if keep_teacher
                       else refit.pool_predictions(student, "student"))
        notes = [*refit.notes, *refit.model_notes]
    return {"teacher": teacher, "student": student, "predictions": predictions,
            "pseudo_labels": final.pseudo_labels, "history": final.history,
            "counts": dict(final.counts), "teacher_confidence": final.teacher_confidence,
            "notes": notes}


def _assemble(plan: FoldPlan, setup: RefitSetup, refit, outs, refit_out, scores: Scores,
              start) -> PseudoLabelResult:
    """The run's result: the first fold's, updated with the run's scores, models and logs."""
    results = [out.result for out in outs]
    fields = _final_models(setup, refit, results, refit_out, scores.keep_teacher)
    cross_fitted, first, n_scored = plan.cross_fitted, results[0], len(scores.validation_index)
    fields["counts"].update(n_labeled=len(setup.labeled_rows), n_validation=n_scored,
                            folds=len(plan.folds) if cross_fitted else 0, n_scored=n_scored,
                            n_kept_out=sum(r.counts.get("n_kept_out", 0) for r in results))
    fit_log = [rec for r in results for rec in r.fit_log]
    fit_log += refit_out.result.fit_log if refit_out else []
    report, keep_teacher = scores.report, scores.keep_teacher
    result = copy.copy(first)
    result.__dict__.update(
        **fields, metrics=scores.metrics,
        train_index=setup.labeled_rows.index if cross_fitted else first.train_index,
        validation_index=scores.validation_index, fit_log=fit_log,
        eval_log=[rec for r in results for rec in r.eval_log],
        config={**first.config, "cv": plan.cv, "refit": plan.config["refit"],
                "n_jobs": plan.config["n_jobs"],
                "folds": len(plan.folds) if cross_fitted else None},
        timings=_timings(outs, refit_out, start), leakage=report,
        leaky=report is not None and not report.ok,
        train_target=setup.labeled_rows[setup.target],
        guard_used=keep_teacher, final_model="teacher" if keep_teacher else "student",
        difference=scores.difference, headline=first.headline, task_reason=refit.task_reason,
        warnings=refit.warning_log.table(), folds=results if cross_fitted else [],
        classes_=np.asarray(getattr(fields["teacher"], "classes_", first.classes_)),
    )
    if cross_fitted:  # twin-free scores are per fold (in result.folds)
        result.metrics_without_twins = None
        result.n_validation_twins = sum(r.n_validation_twins for r in results)
    return result


def _timings(outs, refit_out, start) -> dict:
    """Seconds per step summed over the folds, the refit's as ``refit_<step>``, and the total."""
    timings = {}
    for out in outs:
        for step, seconds in out.timings.items():
            timings[step] = timings.get(step, 0.0) + seconds
    for step, seconds in (refit_out.timings if refit_out else {}).items():
        timings[f"refit_{step}"] = seconds
    timings["total"] = time.perf_counter() - start
    return timings


def _shared_checks(setup: RefitSetup):
    """Every fold compares the same labeled rows and pool: hash them, and make the checks of
    the labeled rows as a whole, once."""
    from ..leakage.checks import labeled_checks
    from ..leakage.overlap import hash_split

    rows, features = setup.labeled_rows, setup.features
    hashed = hash_split(rows, rows.iloc[:0], setup.unlabeled, features)
    return hashed, labeled_checks(rows, setup.unlabeled, setup.target, features, hashed)


def _fold_hashes(hashed, train_pos, val_pos):
    from ..leakage.overlap import Hashed

    return Hashed(train=hashed.train[train_pos], validation=hashed.train[val_pos],
                  keys=np.asfortranarray(np.concatenate([hashed.keys[train_pos], hashed.keys[val_pos]])),
                  unlabeled=hashed.unlabeled)
