"""The teacher/student workflow on pandas + scikit-learn (no IPython, no widgets).

The engine makes every fit itself, on fresh clones of the user's estimators, and writes
down what reached each fit (``fit_log``) and each score (``eval_log``): that record is what
lets the leakage checks prove the validation rows never trained anything.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..errors import PseudoLabelError
from ..leakage.fitlog import EvalRecord, FitRecord
from ..steps import ProgressEvent
from . import inputs
from .config import METRICS
from .fitwarnings import WarningLog
from .models import (
    accepts_weights,
    fit_with_weights,
    gives_confidence,
    model_name,
    preprocessing_names,
)
from .result import PseudoLabelResult
from .scoring import (
    cap_rows,
    has_proba,
    metric_scores,
    predict_scored,
    score_frame,
    stack_rows,
    validation_scores,
)
from .selection import curriculum_threshold, select_rows
from .teachers import (
    check_labeler_settings,
    fit_labeler,
    label_pool,
    labeler_confidence,
)


class Workflow:
    """One run's state; the methods are the recipe's steps in order.

    Cross-fitting (:mod:`pseudolabel_magic.core.crossfit`) runs one workflow per fold with the
    fold's ``positions`` (train, validation) in the labeled rows, the models ``built`` once
    for every fold, and the leakage ``report`` checked before any fold fitted; ``refit=True``
    runs the recipe on every labeled row with nothing left to score.
    """

    def __init__(self, config: dict, progress, *, fold=None, refit=False, positions=None,
                 built=None):
        self.config = config
        self.progress = progress
        self.timings: dict = {}
        self.fit_log: list = []
        self.eval_log: list = []
        self.counts: dict = {}
        self.round = 0
        self.done_units = 0
        self.total_units = 1 + 4 * config["rounds"]
        self.fold, self.refit, self.positions = fold, refit, positions
        self.built, self.report = built, None
        self.hashed = self.labeled_checks = None  # cross-fitting: hashes and checks made once
        self.teacher_pool = None  # the teacher's pool predictions, when it labelled the pool itself
        self.scored: dict = {}  # role -> (predictions, probabilities, classes) of validation
        self.warning_log, self.notes, self.label_notes, self.task_reason = WarningLog(), [], [], ""
        self.prepared = False  # cross-fitting prepares and checks every fold before any fit
        self.predict_pool = True  # a fold's models never predict the pool for the user
        self.progress_span = (0.0, 1.0)
        self.metrics_only = None  # a cross-fitting fold scores its headline metric only

    # -- progress -----------------------------------------------------------------------
    def emit(self, step, status, detail=""):
        if self.progress is None:
            return
        start, width = self.progress_span  # cross-fitting: this fold's share of the whole run
        self.progress(ProgressEvent(
            step=step, status=status, round=max(self.round, 1), rounds=self.config["rounds"],
            fraction=start + width * min(1.0, self.done_units / self.total_units), detail=detail,
            counts=dict(self.counts), fold=self.fold, folds=self.config.get("folds"),
            refit=self.refit,
        ))

    @contextmanager
    def _step(self, step, detail=""):
        self.emit(step, "running", detail)
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            self.emit(step, "failed", detail)
            raise
        self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - start
        self.done_units += 1
        self.emit(step, "done", detail)

    # -- setup --------------------------------------------------------------------------
    def _prepare(self, labeled, unlabeled, validation, teacher, student):
        cfg = self.config
        inputs.check_frame(labeled, "labeled")
        target = cfg["target"]
        inputs.check_column(labeled, target, "target")
        for role in ("group_col", "time_col", "id_col"):
            if cfg[role] is not None:
                inputs.check_column(labeled, cfg[role], role)
        features = inputs.resolve_features(labeled, cfg["features"], target,
                                           (cfg["group_col"], cfg["time_col"], cfg["id_col"]))
        labeled_rows, unlabeled = inputs.separate_unlabeled(labeled, unlabeled, target)
        if len(labeled_rows) == 0:
            raise PseudoLabelError(
                f"the labeled set is empty: every {target!r} is missing; label some rows first."
            )
        inputs.check_unlabeled(unlabeled, features)
        # the labels (one line when no model can learn them), the task and why, the weights
        self.label_notes = inputs.check_target(labeled_rows[target], target)
        task, self.task_reason, task_notes = inputs.choose_task(
            labeled_rows[target], target, cfg["task"], teacher, student)
        self.notes = [*self.label_notes, *task_notes]
        scoring = cfg.get("scoring")
        if scoring is not None and scoring not in METRICS[task]:
            raise PseudoLabelError(
                f"scoring={scoring!r} is not a {task} metric, and this run is {task} "
                f"({self.task_reason}); pass one of {', '.join(map(repr, METRICS[task]))}.")
        weights = inputs.labeled_weights(getattr(self, "sample_weight", None), labeled, target,
                                         cfg["unlabeled_given"])
        self.labeled_target, self.labeled_weights = labeled_rows[target], weights
        if validation is not None:
            inputs.check_validation_frame(validation, labeled, target)
            train = labeled_rows
        elif self.refit:  # every labeled row trains; nothing is left to score
            train, validation = labeled_rows, labeled_rows.iloc[:0]
        else:
            if self.positions is not None:  # a cross-fitting fold
                train_pos, val_pos = self.positions
            else:
                train_pos, val_pos = inputs.split_labeled(
                    labeled_rows, target, task, val_size=cfg["val_size"],
                    group_col=cfg["group_col"], time_col=cfg["time_col"],
                    random_state=cfg["random_state"], features=features)
            train, validation = labeled_rows.iloc[train_pos], labeled_rows.iloc[val_pos]
            weights = None if weights is None else weights[train_pos]
        inputs.check_train(train, target, task)
        inputs.check_train_weights(weights)
        self.train_weights = weights
        if self.built is not None:  # cross-fitting built them once for every fold
            teacher, student, self.model_notes = self.built
        else:  # defaults sized for their own rows, preprocessing in front of bare estimators
            from .models import build_models

            teacher, student, self.model_notes = build_models(
                task, train, train[target], validation, unlabeled, features, teacher, student,
                random_state=cfg["random_state"], n_jobs=cfg.get("n_jobs"),
                max_pseudo_rows=cfg.get("max_pseudo_rows"),
                n_unlabeled=getattr(self, "n_unlabeled_hint", None))
        check_labeler_settings(cfg, teacher, task)
        confident = gives_confidence(teacher, task) or labeler_confidence(cfg, task)
        if cfg.get("scoring") == "log_loss" and not (has_proba(teacher) and has_proba(student)):
            raise PseudoLabelError(
                "scoring='log_loss' scores class probabilities, which the teacher or the student "
                f"({model_name(teacher)}, {model_name(student)}) does not give; pass "
                "scoring='accuracy' or models with predict_proba.")
        if cfg.get("auto") and cfg["select"] == "threshold" and not confident:
            # "auto" ranks by confidence when the teacher has one; else it keeps every row
            cfg = self.config = {**cfg, "select": "all", "threshold": None, "balance": False}
            self.notes.append(f"select='auto' pseudo-labels every row: the teacher "
                              f"{model_name(teacher)} gives no confidence to rank rows by "
                              "(the guard still decides on the scores)")
        if cfg["select"] in ("threshold", "k-best") and not confident:
            need = "predict_proba" if task == "classification" else "ensemble spread"
            raise PseudoLabelError(
                f"select={cfg['select']!r} ranks rows by confidence, but the teacher "
                f"{model_name(teacher)} has no {need}; use select='all' or a teacher such as "
                + ("LogisticRegression()." if task == "classification" else "RandomForestRegressor().")
            )
        if cfg["soft"] and not confident:
            raise PseudoLabelError(
                f"soft=True weights rows by confidence, but the teacher {model_name(teacher)} gives "
                f"none; pass soft=False or a teacher with predict_proba."
            )
        weighted = cfg["soft"] or cfg["pseudo_weight"] != 1.0
        if weighted and not accepts_weights(student):
            raise PseudoLabelError(
                f"soft/pseudo_weight need sample_weight, which the student {model_name(student)} "
                f"does not accept; use soft=False and pseudo_weight=1.0, or another student."
            )
        self.task, self.features = task, features
        self.train, self.validation, self.unlabeled = train, validation, unlabeled
        self.teacher_template, self.student_template = teacher, student
        self.counts.update(n_labeled=len(labeled_rows) if cfg["validation_given"] else len(train) + len(validation),
                           n_train=len(train), n_validation=len(validation),
                           n_unlabeled=len(unlabeled))
        self.unlabeled_index = unlabeled.index
        self.max_rows = cfg.get("max_pseudo_rows")

    def prepare(self, labeled, unlabeled, validation, teacher, student):
        """Check the inputs, split, build the models and run the before-fit leakage checks
        (which raise when one fails, unless ``allow_leakage``)."""
        self._prepare(labeled, unlabeled, validation, teacher, student)
        self._ready_templates()
        self.report = None if self.refit else self._check_leakage()
        self.prepared = True

    def _check_leakage(self):
        from ..leakage.checks import check_leakage

        cfg = self.config
        report = check_leakage(
            self.train, self.validation, self.unlabeled, target=cfg["target"],
            features=self.features, group_col=cfg["group_col"], time_col=cfg["time_col"],
            id_col=cfg["id_col"], unlabeled_from_labeled=not cfg["unlabeled_given"],
            pool_hashes=getattr(self, "pool_hashes", None), hashed=self.hashed,
            labeled_checks=self.labeled_checks)
        if not report.ok and not cfg["allow_leakage"]:
            try:
                report.raise_if_failed()
            except PseudoLabelError as err:
                err.report = report
                raise
        return report

    # -- steps ------------------------------------------------------------------------
    def _recording(self, role, during):
        """The warnings of one fit or prediction, kept and shown once at the end (run)."""
        return self.warning_log.recording(role, during)

    def fit_model(self, template, role, X, y, labeled_index, pseudo_index, weights=None):
        model = clone(template)
        try:
            with self._recording(role, "fit"):
                fit_with_weights(model, X, y, weights)
        except Exception as err:  # the front ends name the fit that failed
            err.pseudolabel_role, err.pseudolabel_round = role, self.round
            err.pseudolabel_fold = self.fold
            raise
        self.fit_log.append(FitRecord(
            role=role, round=self.round, model=model_name(model), n_rows=len(X),
            labeled_index=labeled_index, pseudo_index=pseudo_index,
            weighted=weights is not None, preprocessing=preprocessing_names(model),
            fold=self.fold, refit=self.refit))
        return model

    def _evaluate(self, model, role):
        if self.refit:
            return None
        X_val, y_val = self.validation[self.features], self.validation[self.config["target"]]
        self.eval_log.append(EvalRecord(role=role, round=self.round, index=X_val.index,
                                        y_true=y_val, fold=self.fold))
        pred, proba = predict_scored(model, X_val, self.task)
        classes = getattr(model, "classes_", None)
        self.scored[role] = (pred, proba, classes)
        return metric_scores(y_val, pred, proba, classes, self.task, only=self.metrics_only)

    def _evaluate_apart(self, model, role, twins):
        """Scores on the validation rows without an identical train row (None when all are)."""
        keep = ~twins
        if not keep.any():
            return None
        X_val = self.validation[self.features].iloc[np.flatnonzero(keep)]
        y_val = self.validation[self.config["target"]].iloc[np.flatnonzero(keep)]
        self.eval_log.append(EvalRecord(role=role, round=self.round, index=X_val.index,
                                        y_true=y_val, fold=self.fold))
        return validation_scores(model, X_val, y_val, self.task)

    def _blocked(self, report):
        """Pool rows (by position) kept out of every student: validation twins."""
        if report is None:  # a refit has no validation rows
            return None
        blocked = report.unlabeled_rows_like_validation()
        return blocked if blocked.any() else None

    # -- the pool of unlabeled rows: pandas here, Dask in distributed.DaskWorkflow ------------
    def _chunks_done(self, done, total):
        if total > 1:
            self.counts.update(partitions_done=done, partitions_total=total)
            self.emit("pseudo_label", "running", f"{done}/{total} chunks")

    def _score_pool(self, model, pool_pos, target_scale):
        """Label and confidence of the pool rows (round 1 scores the user's frame, no copy)."""
        n_unl = len(self.unlabeled)
        pool = self.unlabeled if len(pool_pos) == n_unl else self.unlabeled.iloc[pool_pos]
        scores = score_frame(model, pool, self.task, features=self.features,
                             target_scale=target_scale, chunk_rows=self.config["chunk_rows"],
                             on_chunk=self._chunks_done)
        return label_pool(model, scores, pool, self.features, self.task, target_scale)

    def _pseudo_index(self, sel_pos):
        """Index labels of the selected rows; all of them shares the pool's index, no copy."""
        if len(sel_pos) == len(self.unlabeled_index):  # sorted positions: all rows in order
            return self.unlabeled_index
        return self.unlabeled_index[sel_pos]

    def _student_rows(self, X_train, sel_pos):
        return stack_rows(X_train, self.unlabeled, self.features, sel_pos, self.config["chunk_rows"])

    def _predict_final(self, model, target_scale):
        final = score_frame(model, self.unlabeled, self.task, features=self.features,
                            target_scale=target_scale, chunk_rows=self.config["chunk_rows"])
        return pd.DataFrame({"prediction": final["label"].to_numpy(),
                             "confidence": final["confidence"].to_numpy()}, index=self.unlabeled_index)

    def pool_predictions(self, model, role):
        """``model``'s predictions of the pool (the guard's pick after cross-fitting)."""
        y_train = self.train[self.config["target"]]
        target_scale = float(y_train.std()) if self.task == "regression" else 1.0
        with self.warning_log.recording(role, "predict"):
            return self._predict_final(model, target_scale)

    def execute(self, labeled, unlabeled, validation, teacher, student) -> PseudoLabelResult:
        cfg = self.config
        target = cfg["target"]
        with self._step("split"):
            if not self.prepared:
                self.prepare(labeled, unlabeled, validation, teacher, student)
            report = self.report
        # pool rows identical to (or labelled like) a validation row never train a student
        blocked = self._blocked(report)
        self.counts["n_kept_out"] = 0 if blocked is None else int(blocked.sum())
        features, task = self.features, self.task
        X_train, y_train = self.train[features], self.train[target]
        n_unl = self.counts["n_unlabeled"]
        target_scale = float(y_train.std()) if task == "regression" else 1.0
        prior = y_train.value_counts(normalize=True) if task == "classification" else None
        empty_index = self.unlabeled_index[:0]

        selected_round = np.zeros(n_unl, dtype=np.int32)  # 0 = never selected
        pseudo_label = pseudo_conf = None  # round 1 fills them for every row
        weighted = cfg["soft"] or cfg["pseudo_weight"] != 1.0
        weights_all = np.zeros(n_unl) if weighted else None
        history, first_scores = [], None
        current = None
        teacher_model = student_model = None
        teacher_scores = student_scores = None
        X_student = y_student = pseudo_index = weights = None  # set by each round's combine step
        train_w = self.train_weights  # sample_weight of the train rows (None: unweighted)
        for r in range(1, cfg["rounds"] + 1):
            self.round = r
            with self._step("teacher", "fit on train" if r == 1 else "the last student teaches"):
                if r == 1:
                    teacher_model = self.fit_model(self.teacher_template, "teacher", X_train, y_train,
                                              X_train.index, empty_index, train_w)
                    with self._recording("teacher", "score"):
                        teacher_scores = self._evaluate(teacher_model, "teacher")
                    current = teacher_model
                    labeler = fit_labeler(self, self.teacher_template, X_train, y_train,
                                          X_train.index, empty_index, train_w, role="teacher")
                    own_labels = labeler is None  # the teacher itself labels the pool
                else:  # calibrate/oof: refit the labeler on the last student's rows
                    labeler = fit_labeler(self, self.student_template, X_student, y_student,
                                          X_train.index, pseudo_index, weights, role="student")
                current = current if labeler is None else labeler
            available = selected_round == 0
            with self._step("pseudo_label"):
                pool_pos = np.flatnonzero(available)
                with self._recording("teacher" if r == 1 else "student", "predict"):
                    scores = self._score_pool(current, pool_pos, target_scale)
                if r == 1:
                    first_scores = scores  # read-only views of it until round 2 writes
                    if own_labels and self.refit:  # the pool as the teacher sees it, for the guard
                        self.teacher_pool = pd.DataFrame(
                            {"prediction": scores["label"].to_numpy(),
                             "confidence": scores["confidence"].to_numpy()}, index=self.unlabeled_index)
                    pseudo_label = scores["label"].to_numpy()
                    pseudo_conf = scores["confidence"].to_numpy()
                else:
                    if r == 2:
                        pseudo_label, pseudo_conf = pseudo_label.copy(), pseudo_conf.copy()
                    pseudo_label[pool_pos] = scores["label"].to_numpy()
                    pseudo_conf[pool_pos] = scores["confidence"].to_numpy()
                chosen = select_rows(
                    scores["label"].to_numpy(), scores["confidence"].to_numpy(),
                    select=cfg["select"], k_best=cfg["k_best"],
                    threshold=cfg["threshold"] if cfg["curriculum"] is None
                    else curriculum_threshold(cfg["curriculum"], r),
                    balance=cfg["balance"], prior=prior,
                    available=None if blocked is None else ~blocked[pool_pos])
                new_pos = pool_pos[chosen]
                pool_pos = chosen = None  # one int64 per row: not kept through the fits
                if self.max_rows is not None:  # sampled with the seed when more are selected
                    room = self.max_rows - int((selected_round > 0).sum())
                    new_pos = cap_rows(new_pos, room, cfg["random_state"], r)
                selected_round[new_pos] = r
                self.counts["n_selected"] = int((selected_round > 0).sum())
            if r > 1 and len(new_pos) == 0:
                self.done_units += 2  # nothing new: the student would repeat the last one
                break
            with self._step("combine"):
                sel_pos = new_pos if r == 1 else np.flatnonzero(selected_round > 0)  # round 1: same rows
                X_student = None  # free the last round's rows before stacking the new ones
                X_student = self._student_rows(X_train, sel_pos)
                same_kind = pseudo_label.dtype != object and y_train.dtype == pseudo_label.dtype
                y_student = np.concatenate([y_train.to_numpy(dtype=None if same_kind or task != "classification"
                                                             else object), pseudo_label[sel_pos]])
                if task == "classification":
                    y_student = _common_dtype(y_student, y_train)
                weights = None
                if weighted or train_w is not None:  # train rows' weights, then pseudo-labels'
                    w = np.full(len(sel_pos), float(cfg["pseudo_weight"]))
                    if cfg["soft"]:
                        w = w * np.nan_to_num(pseudo_conf[sel_pos], nan=1.0)
                    if weighted:
                        weights_all[sel_pos] = w
                    weights = np.concatenate([np.ones(len(X_train)) if train_w is None else train_w, w])
                self.counts["n_student_train"] = len(X_student)
                n_new, n_sel = len(new_pos), len(sel_pos)
                new_counts = _class_counts(pseudo_label, new_pos) if task == "classification" else None
                pseudo_index = self._pseudo_index(sel_pos)
                new_pos = sel_pos = None  # 8 bytes a row: not kept through the student's fit
            with self._step("student"):
                student_model = self.fit_model(self.student_template, "student", X_student, y_student,
                                          X_train.index, pseudo_index, weights)
                with self._recording("student", "score"):
                    student_scores = self._evaluate(student_model, "student")
                current = student_model
            history.append(_history_row(r, n_new, n_sel, len(X_student), new_counts, student_scores))

        twins = np.zeros(0, bool) if report is None else report.validation_twins_in_train
        apart = difference = None
        if twins.any():  # natural twins of validation rows in train: also score without them
            with self._recording("teacher and student", "score"):
                apart = pd.DataFrame([self._evaluate_apart(teacher_model, "teacher", twins),
                                      self._evaluate_apart(student_model, "student", twins)],
                                     index=["teacher", "student"]) if (~twins).any() else None
        from .verdict import headline_metric

        headline, self.headline_reason = headline_metric(task, self.labeled_target, cfg.get("scoring"))
        if self.refit:  # cross-fitting decided from out-of-fold scores
            guard_used = bool(getattr(self, "keep_teacher", False))
        else:  # a fold's own verdict would be noise: the run's is out of fold
            difference = (None if self.fold is not None
                          else self._difference(headline, teacher_scores, student_scores))
            guard_used = cfg["guard"] and student_not_better(
                teacher_scores, student_scores, headline)
        final_model = teacher_model if guard_used else student_model
        start = time.perf_counter()
        X_student = y_student = None  # the stacked rows are not needed any more
        predictions = None
        if self.predict_pool:
            with self._recording("teacher" if guard_used else "student", "predict"):
                predictions = self._predict_final(final_model, target_scale)
        self.timings["predict"] = time.perf_counter() - start
        self.done_units = self.total_units
        if report is not None:
            report = report.with_fit_log(self.fit_log, self.eval_log)

        if cfg["balance"] and task == "classification":
            self.notes += _classes_without_pseudo_labels(prior, pseudo_label, selected_round)
        index = self.unlabeled_index
        pseudo_labels = pd.DataFrame({
            "pseudo_label": pseudo_label,
            "confidence": pseudo_conf,
            "selected": selected_round > 0,
            "round": selected_round,
        }, index=index)
        if weighted:
            pseudo_labels["weight"] = weights_all
        metrics = pd.DataFrame([teacher_scores or {}, student_scores or {}],
                               index=["teacher", "student"])
        metrics.index.name = "model"
        if apart is not None:
            apart.index.name = "model"
        return PseudoLabelResult(
            teacher=teacher_model, student=student_model, pseudo_labels=pseudo_labels,
            predictions=predictions, metrics=metrics, history=pd.DataFrame(history),
            train_index=self.train.index, validation_index=self.validation.index,
            fit_log=self.fit_log, eval_log=self.eval_log,
            config={**cfg, "features": list(features), "teacher": self.teacher_template,
                    "student": self.student_template, "task": task, "headline": headline},
            timings=dict(self.timings), task=task,
            classes_=np.asarray(getattr(teacher_model, "classes_", [])),
            leakage=report, leaky=report is not None and not report.ok, counts=dict(self.counts),
            teacher_confidence=pd.Series(first_scores["confidence"].to_numpy(), index=index,
                                         name="confidence"),
            train_target=self.train[target],
            guard_used=bool(guard_used), final_model="teacher" if guard_used else "student",
            metrics_without_twins=apart, n_validation_twins=int(twins.sum()),
            task_reason=self.task_reason, difference=difference, headline=headline,
            headline_reason=self.headline_reason,
            notes=[*self.notes, *getattr(self, "model_notes", [])],  # model_notes: build_models
            warnings=self.warning_log.table(),
        )

    def _difference(self, metric, teacher_scores, student_scores):
        """Student minus teacher on the validation rows, paired (see :mod:`.verdict`)."""
        from .verdict import paired_difference, row_losses

        y = self.validation[self.config["target"]].to_numpy()
        (t_pred, t_proba, t_cls), (s_pred, s_proba, s_cls) = self.scored["teacher"], self.scored["student"]
        losses = {}
        if metric == "log_loss":
            if t_proba is None or s_proba is None:
                return None
            losses = {"teacher_loss": row_losses(y, t_proba, t_cls),
                          "student_loss": row_losses(y, s_proba, s_cls)}
        return paired_difference(metric, y, t_pred, s_pred, teacher_score=teacher_scores[metric],
                                 student_score=student_scores[metric],
                                 random_state=self.config["random_state"], **losses)

    def _ready_templates(self):
        """Seed the engine's own clones and check they take the labeled rows' weights."""
        seed = self.config["random_state"]
        self.teacher_template = seeded(self.teacher_template, seed)
        self.student_template = seeded(self.student_template, seed)
        if self.train_weights is not None:
            for role, model in (("teacher", self.teacher_template), ("student", self.student_template)):
                if not accepts_weights(model):
                    raise PseudoLabelError(
                        f"sample_weight needs a {role} whose fit takes sample_weight, which "
                        f"{model_name(model)} does not; pass sample_weight=None or another {role}.")


def seeded(model, random_state):
    """A clone of ``model`` whose unset ``random_state`` parameters (a Pipeline's steps, a
    wrapped estimator's) are ``random_state``; the same model when there is nothing to set."""
    if random_state is None or not hasattr(model, "get_params"):
        return model
    unset = [name for name, value in model.get_params(deep=True).items()
             if value is None and (name == "random_state" or name.endswith("__random_state"))]
    if not unset:
        return model
    model = clone(model)
    model.set_params(**dict.fromkeys(unset, random_state))
    return model


def student_not_better(teacher_scores: dict, student_scores: dict, metric: str) -> bool:
    """The guard's rule: the student's headline score is not better than the teacher's.

    A tie keeps the teacher: pseudo-labels must earn their place, and on the benchmark
    (``benchmarks/quality.py``) shipping the student on a tie of out-of-fold scores caused
    most of the harmed configurations. A missing score (NaN) is not better either.
    """
    from .config import LOWER_IS_BETTER

    t, s = teacher_scores.get(metric, np.nan), student_scores.get(metric, np.nan)
    better = s < t if metric in LOWER_IS_BETTER else s > t
    return not bool(better)


def _common_dtype(y_student: np.ndarray, y_train: pd.Series) -> np.ndarray:
    """Give the student the same label type as the train target (ints stay ints)."""
    dtype = y_train.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        try:
            return y_student.astype(np.asarray(y_train.dropna()).dtype)
        except (TypeError, ValueError):
            return y_student
    return y_student


def _classes_without_pseudo_labels(prior, pseudo_label, selected_round) -> list:
    """A note per labeled class that got no pseudo-label under ``balance=True``."""
    got = set(pd.unique(pseudo_label[selected_round > 0]))
    return [f"balance: class {cls!r} got no pseudo-label (the teacher predicts it for none of "
            "the unlabeled rows it could select)" for cls in prior.index if cls not in got]


def _class_counts(labels: np.ndarray, positions: np.ndarray) -> pd.Series:
    return pd.Series(labels[positions]).value_counts().sort_index()


def _history_row(r, n_new, n_total, n_student, new_counts, scores) -> dict:
    row = {"round": r, "n_selected": int(n_new), "n_selected_total": int(n_total),
           "n_student_train": int(n_student)}
    if new_counts is not None:
        for cls, count in new_counts.items():
            row[f"selected_{cls}"] = int(count)
    row.update({f"student_{k}": v for k, v in (scores or {}).items()})
    return row
