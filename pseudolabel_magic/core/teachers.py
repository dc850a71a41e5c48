"""The model that pseudo-labels a round: plain, calibrated, or out-of-fold.

``calibrate=True`` wraps the labeler in :class:`~sklearn.calibration.CalibratedClassifierCV`,
fitted on the labeler's own training rows only (round 1: train), so its internal
cross-validation never sees the validation rows. ``oof=k`` splits those rows into ``k``
folds, fits one labeler per set of ``k - 1`` folds and labels every unlabeled row with the
average of the ``k`` fold models (the Kaggle out-of-fold habit). Every such fit goes
through the fit function it is given (the workflow's ``fit_model``), so ``fit_log`` shows it
("calibration", "oof-teacher").
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError

#: Folds of CalibratedClassifierCV's internal split (fewer when a class has fewer rows).
CALIBRATION_FOLDS = 3


def oof_folds(oof) -> int:
    """``oof`` as a number of folds: 0 when off, 5 for True."""
    if oof is True:
        return 5
    if oof is False or oof is None:
        return 0
    return int(oof)


class FoldAverage:
    """The ``k`` fold labelers as one model: mean class probabilities (or predictions).

    ``spread(X)`` is the std of the fold models' regression predictions, which gives any
    regressor a confidence when it labels out-of-fold.
    """

    def __init__(self, models, task: str):
        self.models = list(models)
        self.task = task
        if task == "classification":
            self.classes_ = np.unique(np.concatenate([np.asarray(m.classes_, dtype=object)
                                                      for m in self.models]))
            try:
                self.classes_ = self.classes_.astype(np.asarray(self.models[0].classes_).dtype)
            except (TypeError, ValueError):
                pass

    def predict_proba(self, X):
        total = np.zeros((len(X), len(self.classes_)))
        where = {c: i for i, c in enumerate(self.classes_.tolist())}
        for model in self.models:
            cols = [where[c] for c in np.asarray(model.classes_).tolist()]
            total[:, cols] += model.predict_proba(X)
        return total / len(self.models)

    def _all_predictions(self, X):
        return np.stack([np.asarray(m.predict(X), dtype="float64") for m in self.models])

    def predict(self, X):
        if self.task == "classification":
            return self.classes_[self.predict_proba(X).argmax(axis=1)]
        return self._all_predictions(X).mean(axis=0)

    def spread(self, X):
        return self._all_predictions(X).std(axis=0)


def calibrated_template(template, y):
    """CalibratedClassifierCV around ``template`` with as many folds as the rarest class allows."""
    from sklearn.calibration import CalibratedClassifierCV

    smallest = int(pd.Series(np.asarray(y)).value_counts().min())
    if smallest < 2:
        raise PseudoLabelError(
            "calibrate=True needs at least 2 training rows of every class to calibrate on; "
            "label more rows of the rare classes or pass calibrate=False."
        )
    return CalibratedClassifierCV(template, cv=min(CALIBRATION_FOLDS, smallest))


def _split(y, task, k, random_state):
    from sklearn.model_selection import KFold, StratifiedKFold

    positions = np.arange(len(y))
    if task == "classification":
        counts = pd.Series(np.asarray(y)).value_counts()
        if counts.max() >= k:
            with warnings.catch_warnings():  # a rare class spread over fewer folds is fine here
                warnings.simplefilter("ignore", UserWarning)
                return list(StratifiedKFold(k, shuffle=True, random_state=random_state)
                            .split(positions, np.asarray(y)))
    return list(KFold(k, shuffle=True, random_state=random_state).split(positions))


def fit_labeler(fit, template, X, y, labeled_index, pseudo_index, weights=None, *, role: str,
                task: str, oof=False, calibrate: bool = False, random_state=None):
    """The model that pseudo-labels: fits extra models through ``fit`` when asked.

    Parameters
    ----------
    fit : callable
        ``fit(template, role, X, y, labeled_index, pseudo_index, weights)`` clones
        ``template``, fits it and returns it (the workflow's ``fit_model``, which writes
        ``fit_log`` and records the fit's warnings).
    template : estimator
        The unfitted model of this round (teacher or student).
    X : pandas.DataFrame
        The rows the plain model of this round was fit on: the first ``len(labeled_index)``
        rows are labeled (train) rows, the rest pseudo-labelled rows.
    y : array-like
        Their labels, in the same order.
    labeled_index, pseudo_index : pandas.Index
        Index labels of the labeled rows and of the pseudo-labelled rows of ``X``.
    weights : array-like or None, default None
        Sample weights of the rows of ``X``.
    role : str
        ``"teacher"`` or ``"student"``: names the out-of-fold fits (``"oof-teacher"``).
    task : str
        ``"classification"`` or ``"regression"``.
    oof : bool or int, default False
        The run's ``oof`` setting (see :func:`oof_folds`).
    calibrate : bool, default False
        The run's ``calibrate`` setting.
    random_state : int or None, default None
        Seed of the out-of-fold split.

    Returns
    -------
    estimator or None
        A calibrated model, a :class:`FoldAverage` of the fold models, or None when neither
        calibration nor out-of-fold labelling is on.
    """
    k = oof_folds(oof)
    calibrate = bool(calibrate)
    if not k and not calibrate:
        return None
    y = np.asarray(y)
    if not k:
        return fit(calibrated_template(template, y), "calibration", X, y, labeled_index,
                   pseudo_index, weights)
    if len(X) < k:
        raise PseudoLabelError(
            f"oof={k} needs at least {k} training rows to make {k} folds, got {len(X)}; "
            f"pass a smaller oof (e.g. oof=2) or label more rows."
        )
    folds = _split(y, task, k, random_state)
    return FoldAverage(_fold_models(fit, template, X, y, labeled_index, pseudo_index, weights,
                                    folds, role=role, task=task, calibrate=calibrate), task)


def _fold_models(fit, template, X, y, labeled_index, pseudo_index, weights, folds, *, role,
                 task, calibrate):
    """One labeler per fold's training positions (``folds``: (train, held-out) pairs)."""
    k, n_lab = len(folds), len(labeled_index)
    models = []
    for fold_pos, _ in folds:
        fold_y = y[fold_pos]
        if task == "classification" and len(pd.unique(fold_y)) < 2:
            raise PseudoLabelError(
                f"an oof={k} fold has a single class; pass a smaller oof or label more rows of each class."
            )
        fold_template = calibrated_template(template, fold_y) if calibrate else template
        models.append(fit(
            fold_template, f"oof-{role}", X.iloc[fold_pos], fold_y,
            labeled_index[fold_pos[fold_pos < n_lab]],
            pseudo_index[fold_pos[fold_pos >= n_lab] - n_lab],
            None if weights is None else np.asarray(weights)[fold_pos]))
    return models


def label_pool(labeler, scores: pd.DataFrame, pool: pd.DataFrame, features, task: str,
               target_scale: float) -> pd.DataFrame:
    """Give out-of-fold regression labels a confidence from the folds' disagreement."""
    if isinstance(labeler, FoldAverage) and task == "regression" and len(pool):
        spread = labeler.spread(pool[features])
        scale = target_scale if target_scale > 0 else 1.0
        scores = scores.assign(confidence=1.0 / (1.0 + spread / scale))
    return scores


def labeler_confidence(cfg: dict, task: str) -> bool:
    """Whether calibration or out-of-fold labelling gives a confidence the teacher lacks."""
    if task == "classification":
        return bool(cfg.get("calibrate"))
    return bool(oof_folds(cfg.get("oof")))


def check_labeler_settings(cfg: dict, teacher, task: str) -> None:
    """Reject calibrate/oof settings that cannot work with this task and teacher."""
    from .scoring import has_proba

    if cfg.get("calibrate") and task != "classification":
        raise PseudoLabelError(
            "calibrate=True calibrates class probabilities, so it is for classification only; "
            "pass calibrate=False (oof=5 gives a regression teacher a confidence)."
        )
    if (oof_folds(cfg.get("oof")) and task == "classification" and not cfg.get("calibrate")
            and not has_proba(teacher)):
        raise PseudoLabelError(
            f"oof averages the fold teachers' class probabilities, but {type(teacher).__name__} "
            f"has no predict_proba; pass calibrate=True too, or a teacher with predict_proba."
        )
