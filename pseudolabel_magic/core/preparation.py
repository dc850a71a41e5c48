"""Preparing a run before any fit: inputs, split, model templates, before-fit leakage checks.

:class:`WorkflowSetup` holds one run's state and reports its progress; its :meth:`prepare`
checks the frames, the target and the settings, splits train from validation rows (or takes a
cross-fitting fold's positions), builds the teacher and student templates (seeded with
:func:`seeded`) and runs the leakage checks that must pass before anything is fitted. The
recipe itself is :class:`~pseudolabel_magic.core.workflow.Workflow`, built on this class.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from sklearn.base import clone

from ..errors import PseudoLabelError
from ..steps import ProgressEvent
from . import inputs
from .config import METRICS
from .fitwarnings import WarningLog
from .models import accepts_weights, gives_confidence
from .scoring import has_proba
from .teachers import check_labeler_settings, labeler_confidence
from .textnames import model_name


class WorkflowSetup:
    """One run's state and progress, and its preparation before any fit.

    :meth:`prepare` checks the inputs and the target, splits train from validation rows,
    builds and checks the model templates and runs the before-fit leakage checks;
    :class:`~.workflow.Workflow` then runs the recipe's steps on what it prepared.
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
        labeled_rows, unlabeled, features, task = self._read_inputs(labeled, unlabeled, teacher,
                                                                    student)
        train, validation = self._split_labeled(labeled, labeled_rows, validation, features, task)
        teacher, student = self._build_models(task, train, validation, unlabeled, features,
                                              teacher, student)
        self._check_models(task, teacher, student)
        self.task, self.features = task, features
        self.train, self.validation, self.unlabeled = train, validation, unlabeled
        self.teacher_template, self.student_template = teacher, student
        n_labeled = (len(labeled_rows) if self.config["validation_given"]
                     else len(train) + len(validation))
        self.counts.update(n_labeled=n_labeled, n_train=len(train),
                           n_validation=len(validation), n_unlabeled=len(unlabeled))
        self.unlabeled_index = unlabeled.index
        self.max_rows = self.config.get("max_pseudo_rows")

    def _read_inputs(self, labeled, unlabeled, teacher, student):
        """Check the frames and the target; the labeled rows, the pool, the features, the task."""
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
        return labeled_rows, unlabeled, features, task

    def _split_labeled(self, labeled, labeled_rows, validation, features, task):
        """Train and validation rows (the split step), and the train rows' weights."""
        cfg = self.config
        target = cfg["target"]
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
        return train, validation

    def _build_models(self, task, train, validation, unlabeled, features, teacher, student):
        """Teacher and student templates: the user's, or defaults sized for their own rows."""
        if self.built is not None:  # cross-fitting built them once for every fold
            teacher, student, self.model_notes = self.built
            return teacher, student
        from .models import build_models  # preprocessing in front of bare estimators

        cfg = self.config
        teacher, student, self.model_notes = build_models(
            task, train, train[cfg["target"]], validation, unlabeled, features, teacher, student,
            random_state=cfg["random_state"], n_jobs=cfg.get("n_jobs"),
            max_pseudo_rows=cfg.get("max_pseudo_rows"),
            n_unlabeled=getattr(self, "n_unlabeled_hint", None))
        return teacher, student

    def _check_models(self, task, teacher, student):
        """Reject settings the models cannot serve (``select="auto"`` may fall back to "all")."""
        cfg = self.config
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

    def prepare(self, labeled, unlabeled, validation, teacher, student):
        """Check the inputs, split, build the models and run the before-fit leakage checks
        (which raise when one fails, unless ``allow_leakage``)."""
        self._prepare(labeled, unlabeled, validation, teacher, student)
        self._ready_templates()
        self.report = None if self.refit else self._check_leakage()
        self.prepared = True

    def _check_leakage(self):
        from ..leakage.checks import frame_checks

        cfg = self.config
        report = frame_checks(
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
