"""The teacher/student recipe's steps on pandas + scikit-learn (no IPython, no widgets).

:class:`Workflow` runs split, then per round teacher, pseudo_label, combine and student, then
predict, on what :class:`~.preparation.WorkflowSetup` prepared, with the round's data of
:mod:`.rounds`. The engine makes every fit itself, on fresh clones of the user's estimators,
and writes down what reached each fit (``fit_log``) and each score (``eval_log``): that
record is what lets the leakage checks prove the validation rows never trained anything.
"""


from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..leakage.fitlog import EvalRecord, FitRecord
from .models import fit_with_weights
from .preparation import WorkflowSetup
from .result import PseudoLabelResult
from .rounds import (
    RoundState,
    TrainRows,
    class_counts,
    classes_without_pseudo_labels,
    confidence_scale,
    history_row,
    pseudo_labels_weighted,
    student_labels,
    student_not_better,
)
from .scoring import (
    cap_rows,
    metric_scores,
    predict_scored,
    score_frame,
    stack_rows,
    validation_scores,
)
from .selection import curriculum_threshold, select_rows
from .teachers import fit_labeler, label_pool
from .textnames import model_name, preprocessing_names


class Workflow(WorkflowSetup):
    """One run's state; :meth:`execute` runs the recipe, one method per step.

    ``_split_step`` prepares; each round then runs ``_teacher_step``, ``_pseudo_label_step``,
    ``_combine_step`` and ``_student_step``, which hand each other a :class:`RoundState`
    (the train rows they all start from are a :class:`TrainRows`); ``_predict_step``
    predicts the pool with the guard's pick.

    Cross-fitting (:mod:`pseudolabel_magic.core.crossfit`) runs one workflow per fold with the
    fold's ``positions`` (train, validation) in the labeled rows, the models ``built`` once
    for every fold, and the leakage ``report`` checked before any fold fitted; ``refit=True``
    runs the recipe on every labeled row with nothing left to score.
    """

    # -- fits and scores ----------------------------------------------------------------
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
        target_scale = confidence_scale(self.train[self.config["target"]], self.task)
        with self.warning_log.recording(role, "predict"):
            return self._predict_final(model, target_scale)

    # -- the recipe: one method per step, the rounds calling them in order --------------------
    def execute(self, labeled, unlabeled, validation, teacher, student) -> PseudoLabelResult:
        """Run the recipe: split, then each round teacher, pseudo_label, combine and student,
        then predict the pool.

        Parameters
        ----------
        labeled : pandas.DataFrame
            The labeled rows (rows with a missing target join the pool unless ``unlabeled``
            is given).
        unlabeled : pandas.DataFrame or None
            The pool of unlabeled rows (a Dask DataFrame in :class:`~.dask.DaskWorkflow`).
        validation : pandas.DataFrame or None
            Rows that only score; None splits them off ``labeled``.
        teacher, student : estimator or None
            The user's models (None: the defaults).

        Returns
        -------
        PseudoLabelResult
        """
        self._split_step(labeled, unlabeled, validation, teacher, student)
        rows = self._train_rows()
        state = RoundState.empty(self.counts["n_unlabeled"], weighted=pseudo_labels_weighted(self.config))
        for r in range(1, self.config["rounds"] + 1):
            self.round = r
            self._teacher_step(rows, state)
            self._pseudo_label_step(rows, state)
            if r > 1 and len(state.new_pos) == 0:
                self.done_units += 2  # nothing new: the student would repeat the last one
                break
            n_new, n_total, new_counts = self._combine_step(rows, state)
            self._student_step(rows, state)
            state.history.append(history_row(r, n_new, n_total, len(state.X_student),
                                              new_counts, state.student_scores))
        return self._finish(rows, state)

    def _split_step(self, labeled, unlabeled, validation, teacher, student):
        """Step "split": prepare (unless cross-fitting prepared this fold already)."""
        with self._step("split"):
            if not self.prepared:
                self.prepare(labeled, unlabeled, validation, teacher, student)

    def _train_rows(self) -> TrainRows:
        """The train rows and what every round derives from them, computed once."""
        # pool rows identical to (or labelled like) a validation row never train a student
        blocked = self._blocked(self.report)
        self.counts["n_kept_out"] = 0 if blocked is None else int(blocked.sum())
        X_train, y_train = self.train[self.features], self.train[self.config["target"]]
        return TrainRows(
            X=X_train, y=y_train, weights=self.train_weights,  # None: unweighted
            target_scale=confidence_scale(y_train, self.task),
            prior=y_train.value_counts(normalize=True) if self.task == "classification" else None,
            blocked=blocked, empty_index=self.unlabeled_index[:0])

    def _teacher_step(self, rows: TrainRows, state: RoundState):
        """Step "teacher": round 1 fits the teacher on train; later rounds the last student
        teaches. Calibration or out-of-fold labelling fits the labeler that pseudo-labels."""
        first = self.round == 1
        with self._step("teacher", "fit on train" if first else "the last student teaches"):
            if first:
                state.teacher = self.fit_model(self.teacher_template, "teacher", rows.X, rows.y,
                                               rows.X.index, rows.empty_index, rows.weights)
                with self._recording("teacher", "score"):
                    state.teacher_scores = self._evaluate(state.teacher, "teacher")
                state.labeler = state.teacher
                labeler = self._fit_labeler(self.teacher_template, rows.X, rows.y, rows.X.index,
                                            rows.empty_index, rows.weights, role="teacher")
                state.own_labels = labeler is None  # the teacher itself labels the pool
            else:  # calibrate/oof: refit the labeler on the last student's rows
                labeler = self._fit_labeler(self.student_template, state.X_student,
                                            state.y_student, rows.X.index, state.pseudo_index,
                                            state.weights, role="student")
            if labeler is not None:
                state.labeler = labeler

    def _fit_labeler(self, template, X, y, labeled_index, pseudo_index, weights, *, role):
        """:func:`.teachers.fit_labeler` with this run's settings, fitting through ``fit_model``."""
        cfg = self.config
        return fit_labeler(self.fit_model, template, X, y, labeled_index, pseudo_index, weights,
                           role=role, task=self.task, oof=cfg.get("oof"),
                           calibrate=cfg.get("calibrate"), random_state=cfg.get("random_state"))

    def _pseudo_label_step(self, rows: TrainRows, state: RoundState):
        """Step "pseudo_label": label the rows not selected yet, select this round's rows."""
        cfg, r = self.config, self.round
        with self._step("pseudo_label"):
            pool_pos = np.flatnonzero(state.selected_round == 0)
            with self._recording("teacher" if r == 1 else "student", "predict"):
                scores = self._score_pool(state.labeler, pool_pos, rows.target_scale)
            self._keep_labels(state, scores, pool_pos)
            chosen = select_rows(
                scores["label"].to_numpy(), scores["confidence"].to_numpy(),
                select=cfg["select"], k_best=cfg["k_best"],
                threshold=cfg["threshold"] if cfg["curriculum"] is None
                else curriculum_threshold(cfg["curriculum"], r),
                balance=cfg["balance"], prior=rows.prior,
                available=None if rows.blocked is None else ~rows.blocked[pool_pos])
            new_pos = pool_pos[chosen]
            pool_pos = chosen = None  # one int64 per row: not kept through the fits
            if self.max_rows is not None:  # sampled with the seed when more are selected
                room = self.max_rows - int((state.selected_round > 0).sum())
                new_pos = cap_rows(new_pos, room, cfg["random_state"], r)
            state.selected_round[new_pos] = r
            state.new_pos = new_pos
            self.counts["n_selected"] = int((state.selected_round > 0).sum())

    def _keep_labels(self, state: RoundState, scores, pool_pos):
        """Write this round's labels and confidences of the scored pool rows into ``state``."""
        if self.round == 1:
            state.first_scores = scores  # read-only views of it until round 2 writes
            if state.own_labels and self.refit:  # the pool as the teacher sees it, for the guard
                self.teacher_pool = pd.DataFrame(
                    {"prediction": scores["label"].to_numpy(),
                     "confidence": scores["confidence"].to_numpy()}, index=self.unlabeled_index)
            state.pseudo_label = scores["label"].to_numpy()
            state.confidence = scores["confidence"].to_numpy()
            return
        if self.round == 2:
            state.pseudo_label, state.confidence = state.pseudo_label.copy(), state.confidence.copy()
        state.pseudo_label[pool_pos] = scores["label"].to_numpy()
        state.confidence[pool_pos] = scores["confidence"].to_numpy()

    def _combine_step(self, rows: TrainRows, state: RoundState):
        """Step "combine": train rows plus every selected pseudo-labelled row, with weights.

        Returns the round's (new rows, selected rows in all, new rows per class or None).
        """
        with self._step("combine"):
            new_pos, state.new_pos = state.new_pos, None  # taken: the state keeps no copy
            sel_pos = new_pos if self.round == 1 else np.flatnonzero(state.selected_round > 0)
            state.X_student = None  # free the last round's rows before stacking the new ones
            state.X_student = self._student_rows(rows.X, sel_pos)
            state.y_student = student_labels(rows.y, state.pseudo_label[sel_pos], self.task)
            state.weights = self._student_weights(rows, state, sel_pos)
            self.counts["n_student_train"] = len(state.X_student)
            new_counts = (class_counts(state.pseudo_label, new_pos)
                          if self.task == "classification" else None)
            counts = (len(new_pos), len(sel_pos), new_counts)
            state.pseudo_index = self._pseudo_index(sel_pos)
        return counts  # new_pos and sel_pos end here: not kept through the student's fit

    def _student_weights(self, rows: TrainRows, state: RoundState, sel_pos):
        """Train rows' weights, then the pseudo-labels' (None when nothing is weighted)."""
        cfg = self.config
        if state.weights_all is None and rows.weights is None:
            return None
        w = np.full(len(sel_pos), float(cfg["pseudo_weight"]))
        if cfg["soft"]:
            w = w * np.nan_to_num(state.confidence[sel_pos], nan=1.0)
        if state.weights_all is not None:
            state.weights_all[sel_pos] = w
        return np.concatenate([np.ones(len(rows.X)) if rows.weights is None else rows.weights, w])

    def _student_step(self, rows: TrainRows, state: RoundState):
        """Step "student": fit it on the combined rows and score it; it teaches the next round."""
        with self._step("student"):
            state.student = self.fit_model(self.student_template, "student", state.X_student,
                                           state.y_student, rows.X.index, state.pseudo_index,
                                           state.weights)
            with self._recording("student", "score"):
                state.student_scores = self._evaluate(state.student, "student")
            state.labeler = state.student

    def _predict_step(self, model, role, target_scale):
        """Step "predict": the final model's predictions of the pool (None for a fold)."""
        start = time.perf_counter()
        predictions = None
        if self.predict_pool:
            with self._recording(role, "predict"):
                predictions = self._predict_final(model, target_scale)
        self.timings["predict"] = time.perf_counter() - start
        self.done_units = self.total_units
        return predictions

    # -- after the rounds ---------------------------------------------------------------------
    def _finish(self, rows: TrainRows, state: RoundState) -> PseudoLabelResult:
        """Twin-free scores, the guard's pick, the predictions and the result."""
        report = self.report
        twins = np.zeros(0, bool) if report is None else report.validation_twins_in_train
        apart = self._scores_apart(state, twins)
        headline, guard_used, difference = self._decide(state)
        role = "teacher" if guard_used else "student"
        state.X_student = state.y_student = None  # the stacked rows are not needed any more
        predictions = self._predict_step(state.teacher if guard_used else state.student, role,
                                         rows.target_scale)
        if report is not None:
            report = report.with_fit_log(self.fit_log, self.eval_log)
        if self.config["balance"] and self.task == "classification":
            self.notes += classes_without_pseudo_labels(rows.prior, state.pseudo_label,
                                                         state.selected_round)
        return self._result(state, predictions=predictions, report=report, apart=apart,
                            twins=twins, headline=headline, guard_used=guard_used,
                            difference=difference)

    def _scores_apart(self, state: RoundState, twins):
        """Scores without the validation rows that have a natural twin in train (or None)."""
        if not twins.any():
            return None
        with self._recording("teacher and student", "score"):
            apart = pd.DataFrame([self._evaluate_apart(state.teacher, "teacher", twins),
                                  self._evaluate_apart(state.student, "student", twins)],
                                 index=["teacher", "student"]) if (~twins).any() else None
        if apart is not None:
            apart.index.name = "model"
        return apart

    def _decide(self, state: RoundState):
        """The headline metric, whether the guard keeps the teacher, the paired difference."""
        from .verdict import headline_metric

        cfg = self.config
        headline, self.headline_reason = headline_metric(self.task, self.labeled_target,
                                                         cfg.get("scoring"))
        difference = None
        if self.refit:  # the refit fits both; crossfit's guard picks from out-of-fold scores
            guard_used = False
        else:  # a fold's own verdict would be noise: the run's is out of fold
            if self.fold is None:
                difference = self._difference(headline, state.teacher_scores,
                                              state.student_scores)
            guard_used = cfg["guard"] and student_not_better(
                state.teacher_scores, state.student_scores, headline)
        return headline, guard_used, difference

    def _result(self, state: RoundState, *, predictions, report, apart, twins, headline,
                guard_used, difference) -> PseudoLabelResult:
        """The run's :class:`PseudoLabelResult` from the rounds' state and the final decisions."""
        cfg, task, index = self.config, self.task, self.unlabeled_index
        metrics = pd.DataFrame([state.teacher_scores or {}, state.student_scores or {}],
                               index=["teacher", "student"])
        metrics.index.name = "model"
        return PseudoLabelResult(
            teacher=state.teacher, student=state.student, pseudo_labels=state.table(index),
            predictions=predictions, metrics=metrics, history=pd.DataFrame(state.history),
            train_index=self.train.index, validation_index=self.validation.index,
            fit_log=self.fit_log, eval_log=self.eval_log,
            config={**cfg, "features": list(self.features), "teacher": self.teacher_template,
                    "student": self.student_template, "task": task, "headline": headline},
            timings=dict(self.timings), task=task,
            classes_=np.asarray(getattr(state.teacher, "classes_", [])),
            leakage=report, leaky=report is not None and not report.ok, counts=dict(self.counts),
            teacher_confidence=pd.Series(state.first_scores["confidence"].to_numpy(), index=index,
                                         name="confidence"),
            train_target=self.train[cfg["target"]],
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
