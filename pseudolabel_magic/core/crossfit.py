"""Cross-fitting and the refit: every labeled row scores once, then every label trains.

``cv=K`` splits the labeled rows into K folds. For each fold the whole recipe runs without
that fold's rows (teacher, pseudo-labels from that teacher, student; the fold's twins in the
pool never reach its student), and the fold's rows score both models. Every labeled row is
thus scored exactly once, out of fold, and the headline scores use every label instead of
a 20% hold-out. ``refit=True`` then runs the recipe once more on every labeled row; its
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
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..errors import PseudoLabelError, call_records
from .inputs import content_groups
from .scoring import metric_scores
from .teachers import FoldAverage
from .verdict import headline_metric, paired_difference, row_losses
from .workflow import Workflow, student_not_better


# -- the folds ---------------------------------------------------------------------------------
def fold_positions(labeled_rows: pd.DataFrame, target, task: str, *, cv, group_col=None,
                   time_col=None, random_state=0, features=None) -> list:
    """(train positions, scored positions) of each fold, positions in ``labeled_rows``.

    Parameters
    ----------
    labeled_rows : pandas.DataFrame
        The rows with a label.
    target, task
        The label column and ``"classification"`` or ``"regression"``.
    cv : int or scikit-learn splitter
        A number of folds: stratified for classes, grouped by ``group_col`` (and by identical
        rows, which stay in one fold), or forward in time by ``time_col``
        (:class:`~sklearn.model_selection.TimeSeriesSplit`: the earliest block only trains).
        A splitter object is used as given (``split(X, y, groups)``).
    group_col, time_col, random_state, features
        As in :func:`pseudolabel_magic.run`.

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)

    Raises
    ------
    PseudoLabelError
        Too few rows or groups for the folds; a splitter that scores a row twice or trains on
        the rows it scores.
    """
    from sklearn import model_selection as ms

    n = len(labeled_rows)
    y = labeled_rows[target]
    groups = None if group_col is None else labeled_rows[group_col].to_numpy()
    if not isinstance(cv, (int, np.integer)):
        try:
            splits = list(cv.split(labeled_rows[features] if features else labeled_rows, y, groups))
        except (ValueError, TypeError) as err:  # the splitter's own words, and the fix
            hint = (" pass group_col=<the column of groups> for a grouped splitter, or"
                    if groups is None and "group" in str(err).lower() else "")
            raise PseudoLabelError(f"cv={cv!r} could not split the {n} labeled rows: "
                                   f"{str(err).rstrip('.')};"
                                   f"{hint} pass cv=5 for the engine's own folds.") from None
        return _checked(cv, splits, n)
    k = int(cv)
    if n < k:
        raise PseudoLabelError(f"cv={k} needs at least {k} labeled rows, got {n}; label more "
                               f"rows or pass a smaller cv (e.g. cv={max(2, n)}).")
    if task == "classification" and time_col is None:
        counts = y.value_counts()
        if counts.min() < 2:
            raise PseudoLabelError(
                f"class {_plain(counts.idxmin())!r} has 1 labeled row; cross-fitting needs "
                "at least 2 rows of every class (one fold scores a row while another trains "
                "on its class); label more rows of it, or pass cv=None for one hold-out split.")
    shuffle = {"shuffle": True, "random_state": random_state}
    if time_col is not None:
        order = np.argsort(labeled_rows[time_col].to_numpy(), kind="stable")
        splits = ms.TimeSeriesSplit(n_splits=k).split(order)
        return _checked(cv, [(np.sort(order[a]), np.sort(order[b])) for a, b in splits], n)
    if groups is None and features is not None:
        codes = content_groups(labeled_rows, features)
        groups = codes if int(codes.max()) + 1 < n else None
    if groups is not None and pd.Series(groups).nunique() < k:
        what = f"groups in {group_col!r}" if group_col is not None else "distinct labeled rows"
        raise PseudoLabelError(f"cv={k} needs at least {k} {what}, got "
                               f"{pd.Series(groups).nunique()}; pass a smaller cv or cv=None.")
    classes = task == "classification"
    if groups is not None:
        splitter = ms.StratifiedGroupKFold(k, **shuffle) if classes else ms.GroupKFold(k, **shuffle)
    else:
        splitter = ms.StratifiedKFold(k, **shuffle) if classes else ms.KFold(k, **shuffle)
    if classes and y.value_counts().max() < k:
        splitter = ms.GroupKFold(k, **shuffle) if groups is not None else ms.KFold(k, **shuffle)
    with warnings.catch_warnings():  # a class rarer than k is spread as far as it goes
        warnings.simplefilter("ignore", UserWarning)
        splits = list(splitter.split(np.zeros(n), y.to_numpy(), groups))
    return _checked(cv, splits, n)


def _plain(value):
    """A numpy scalar as the Python value it holds (``1``, not ``np.int64(1)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _checked(cv, splits, n):
    seen = np.zeros(n, dtype=np.int64)
    for train, test in splits:
        if len(test) == 0 or len(train) == 0:
            raise PseudoLabelError(f"cv={cv!r} made a fold with no rows to train or to score; "
                                   "pass fewer folds.")
        if np.intersect1d(train, test).size:
            raise PseudoLabelError(f"cv={cv!r} trains on rows it scores; pass a K-fold "
                                   "splitter such as StratifiedKFold(5).")
        seen[test] += 1
    if (seen > 1).any():
        raise PseudoLabelError(f"cv={cv!r} scores some labeled rows more than once; pass a "
                               "K-fold splitter such as KFold(5) (each row scored once).")
    return [(np.sort(np.asarray(a)), np.sort(np.asarray(b))) for a, b in splits]


# -- the run -----------------------------------------------------------------------------------
def _fit_fold(workflow, labeled, unlabeled, validation, teacher, student):
    try:
        result = workflow.execute(labeled, unlabeled, validation, teacher, student)
    except Exception as err:  # in a worker process the frames stay behind: send their gist
        err.pseudolabel_frames = call_records(err.__traceback__)
        raise
    return result, workflow.scored, workflow.warning_log, workflow.timings, workflow.teacher_pool


def run_crossfit(config: dict, progress, labeled, unlabeled, validation, teacher, student,
                 sample_weight):
    """``pl.run`` with ``cv`` or ``refit``: score (out of fold, or on the hold-out), then refit.

    The arguments are :func:`pseudolabel_magic.core.engine.run`'s, after its setting checks.
    Returns a :class:`~pseudolabel_magic.core.result.PseudoLabelResult` whose ``metrics`` and
    ``difference`` come from the scoring fits and whose models and ``predictions`` come from
    the refit (or, with ``refit=False``, from the mean of the fold models).
    """
    from joblib import Parallel, delayed

    start = time.perf_counter()
    refit = Workflow(config, progress, refit=True)  # also prepares what every fold shares
    refit.sample_weight = sample_weight
    refit.prepare(labeled, unlabeled, None, teacher, student)
    task, features, target = refit.task, refit.features, config["target"]
    labeled_rows = refit.train
    parallel = config["n_jobs"] not in (None, 1)
    if parallel:  # the folds take the cores, not the models: one core per fit inside them
        from .scoring import with_n_jobs

        refit.teacher_template = with_n_jobs(clone(refit.teacher_template), 1)
        refit.student_template = with_n_jobs(clone(refit.student_template), 1)
    shared = {"built": (refit.teacher_template, refit.student_template, refit.model_notes)}
    fold_config = {**config, "task": task, "refit": False}
    cv = config["cv"]
    if cv is not None and config.get("cv_auto"):  # "auto" chose 5 folds: fewer for rare classes
        y = labeled_rows[target]
        few = int(y.value_counts().min()) if task == "classification" else len(y) // 2
        cv = max(2, min(cv, few))
        refit.notes.append(f"select='auto' scored teacher and student out of fold ({cv} "
                           "folds of the labeled rows), then refit both on every label")
        if task == "classification" and few < 2:  # a class of one row cannot cross-fit
            cv = None
            config = fold_config = {**config, "cv": None}
            fold_config = {**fold_config, "task": task, "refit": False}
            refit.notes[-1] = (f"select='auto' scored on one hold-out split: class "
                               f"{_plain(y.value_counts().idxmin())!r} has a single labeled row, too "
                               "few to cross-fit; then refit both on every label")
    if config["cv"] is None:  # one hold-out split (or the validation frame), then the refit
        folds = [None]
    else:
        folds = fold_positions(labeled_rows, target, task, cv=cv,
                               group_col=config["group_col"], time_col=config["time_col"],
                               random_state=config["random_state"], features=features)
        fold_config.update(folds=len(folds), n_jobs=None if parallel else config["n_jobs"])
    headline = headline_metric(task, labeled_rows[target], config.get("scoring"))[0]
    shared_checks = None if config["cv"] is None else _shared_checks(refit, labeled_rows, features)
    workers = []
    parts = len(folds) + bool(config["refit"])  # shares of the progress bar
    refit.progress_span = ((parts - 1) / parts, 1 / parts)
    for k, positions in enumerate(folds, 1):  # every fold's leakage checks before any fit
        w = Workflow(fold_config, progress, fold=None if positions is None else k,
                     positions=positions, **shared)
        w.sample_weight = sample_weight
        w.predict_pool = False
        if positions is not None:  # the table of all metrics is the out-of-fold one
            w.metrics_only = (headline,)
        w.progress_span = ((k - 1) / parts, 1 / parts)
        if shared_checks is not None:  # the rows hashed once, sliced for this fold
            hashed, w.labeled_checks = shared_checks
            w.hashed = _fold_hashes(hashed, *positions)
        try:
            w.prepare(labeled, unlabeled, validation, teacher, student)
        except PseudoLabelError as err:
            if positions is not None:
                err.args = (f"fold {k} of {len(folds)}: {err}",)
            raise
        if w.report is not None:
            w.report.fold = w.fold  # its after-run checks read this fold's records only
        workers.append(w)
    # the refit does not wait for the scores: it fits both models alongside the folds and
    # the guard picks between them afterwards (one more job for the cores, not one more wait)
    jobs = workers + ([refit] if config["refit"] else [])
    n_jobs = config["n_jobs"] if len(jobs) > 1 else None
    if n_jobs in (None, 1):
        outs = [_fit_fold(w, labeled, unlabeled, validation, teacher, student) for w in jobs]
    else:  # the workers report nothing live: a fold's end is reported here as it arrives
        for w in jobs:
            w.progress = None
        outs = []
        for w, out in zip(jobs, Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_fit_fold)(w, labeled, unlabeled, validation, teacher, student)
                for w in jobs)):
            outs.append(out)
            if progress is not None:
                w.progress = progress
                w.done_units = w.total_units
                w.counts.update(out[0].counts)
                w.emit("student", "done", f"fold {w.fold} of {len(workers)} done" if w.fold
                       else "refit done")
    refit_out = outs.pop() if config["refit"] else None
    results = [out[0] for out in outs]
    for out in [*outs, *([refit_out] if refit_out else [])]:
        refit.warning_log.merge(out[2])
    metric = results[0].headline
    if config["cv"] is None:
        scored = results[0]
        difference = scored.difference
        teacher_scores, student_scores = scored.metrics.loc["teacher"], scored.metrics.loc["student"]
        metrics, validation_index = scored.metrics, scored.validation_index
        report = scored.leakage
    else:
        metrics, difference, validation_index = _out_of_fold(
            [w.validation[target] for w in workers], [out[1] for out in outs], task, metric,
            config["random_state"])
        teacher_scores, student_scores = metrics.loc["teacher"], metrics.loc["student"]
        from ..leakage.report import combine_folds

        report = combine_folds([r.leakage for r in results])
    keep_teacher = bool(config["guard"] and student_not_better(
        dict(teacher_scores), dict(student_scores), metric))
    fit_log = [rec for r in results for rec in r.fit_log]
    eval_log = [rec for r in results for rec in r.eval_log]
    notes = [*refit.notes, *refit.model_notes]
    if config["refit"]:
        final = refit_out[0]
        fit_log += final.fit_log
        teacher_model, student_model = final.teacher, final.student
        predictions, pseudo_labels, history = final.predictions, final.pseudo_labels, final.history
        if keep_teacher:  # the guard's pick, made on the scores: the refit teacher predicts
            predictions = refit_out[4]  # as it did to pseudo-label, unless a labeler did
            if predictions is None:
                predictions = refit.pool_predictions(teacher_model, "teacher")
        counts = dict(final.counts)
        confidence = final.teacher_confidence
        notes = [*final.notes]
    else:  # the fold models together, as one model each
        teacher_model = FoldAverage([r.teacher for r in results], task)
        student_model = FoldAverage([r.student for r in results], task)
        predictions = (refit.pool_predictions(teacher_model, "teacher") if keep_teacher
                       else refit.pool_predictions(student_model, "student"))
        pseudo_labels, history = results[0].pseudo_labels, results[0].history
        counts, confidence = dict(results[0].counts), results[0].teacher_confidence
    counts.update(n_labeled=len(labeled_rows), n_validation=len(validation_index),
                  folds=len(folds) if config["cv"] is not None else 0,
                  n_scored=len(validation_index),
                  n_kept_out=sum(r.counts.get("n_kept_out", 0) for r in results))
    first = results[0]
    timings = {}
    for out in outs:
        for step, seconds in out[3].items():
            timings[step] = timings.get(step, 0.0) + seconds
    for step, seconds in (refit_out[3] if refit_out else {}).items():
        timings[f"refit_{step}"] = seconds
    timings["total"] = time.perf_counter() - start
    result = copy.copy(first)
    result.__dict__.update(
        teacher=teacher_model, student=student_model, predictions=predictions,
        pseudo_labels=pseudo_labels, history=history, metrics=metrics,
        train_index=labeled_rows.index if config["cv"] is not None else first.train_index,
        validation_index=validation_index, fit_log=fit_log, eval_log=eval_log,
        config={**first.config, "cv": config["cv"] if config["cv"] is None else cv,
                "refit": config["refit"],
                "folds": len(folds) if config["cv"] is not None else None},
        timings=timings, leakage=report, leaky=report is not None and not report.ok,
        counts=counts, teacher_confidence=confidence, train_target=labeled_rows[target],
        guard_used=keep_teacher, final_model="teacher" if keep_teacher else "student",
        difference=difference, headline=metric, task_reason=refit.task_reason,
        notes=notes, warnings=refit.warning_log.table(),
        folds=results if config["cv"] is not None else [],
        classes_=np.asarray(getattr(teacher_model, "classes_", first.classes_)),
    )
    if config["cv"] is not None:  # twin-free scores are per fold (in result.folds)
        result.metrics_without_twins = None
        result.n_validation_twins = sum(r.n_validation_twins for r in results)
    refit.warning_log.show(refit.label_notes, stacklevel=4)
    return result


def _shared_checks(refit, labeled_rows, features):
    """Every fold compares the same labeled rows and pool: hash them, and make the checks of
    the labeled rows as a whole, once."""
    from ..leakage.checks import labeled_checks
    from ..leakage.overlap import hash_split

    hashed = hash_split(labeled_rows, labeled_rows.iloc[:0], refit.unlabeled, features)
    return hashed, labeled_checks(labeled_rows, refit.unlabeled, refit.config["target"], features,
                                  hashed)


def _fold_hashes(hashed, train_pos, val_pos):
    from ..leakage.overlap import Hashed

    return Hashed(train=hashed.train[train_pos], validation=hashed.train[val_pos],
                  keys=np.asfortranarray(np.concatenate([hashed.keys[train_pos], hashed.keys[val_pos]])),
                  unlabeled=hashed.unlabeled)


def _out_of_fold(y_parts, scored_parts, task, metric, random_state):
    """Scores of every fold's predictions together, and the paired difference."""
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
