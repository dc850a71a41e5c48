"""scikit-learn meta-estimators that run the pseudo-label engine.

``PseudoLabelClassifier(LogisticRegression()).fit(X, y)`` treats rows whose ``y`` is -1 or
missing (NaN/None) as unlabeled, like ``SelfTrainingClassifier``; more unlabeled rows can be
passed with ``fit(X, y, unlabeled=X_unl)``. ``PseudoLabelRegressor`` marks them with NaN.
Fitting runs :func:`pseudolabel_magic.run` (teacher on train, pseudo-labels, student), so the
method drops into ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``; ``result_`` is the
engine's :class:`PseudoLabelResult` and predictions come from ``final_model_`` (the student,
or the teacher when the validation guard kept it).

The engine holds out ``val_size`` of the labeled rows to score teacher and student; those
rows never train a model. With no unlabeled row at all, the estimator is fit on every
labeled row (plain supervised learning) and ``result_`` is None.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

TARGET = "__pseudolabel_target__"


class _PseudoLabelBase(BaseEstimator):
    _task = "classification"

    def __init__(self, estimator=None, *, student=None, select="all", threshold=None,
                 k_best=None, rounds=1, balance=False, soft=False, pseudo_weight=1.0,
                 calibrate=False, oof=False, guard=None, curriculum=None, val_size=0.2,
                 allow_leakage=False, random_state=0):
        self.estimator = estimator
        self.student = student
        self.select = select
        self.threshold = threshold
        self.k_best = k_best
        self.rounds = rounds
        self.balance = balance
        self.soft = soft
        self.pseudo_weight = pseudo_weight
        self.calibrate = calibrate
        self.oof = oof
        self.guard = guard
        self.curriculum = curriculum
        self.val_size = val_size
        self.allow_leakage = allow_leakage
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is None:  # the default model takes NaN, text and categories
            tags.input_tags.allow_nan = True
        else:
            tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return tags

    # -- data ---------------------------------------------------------------------------
    def _frame(self, X, reset: bool) -> pd.DataFrame:
        """X as a DataFrame with string column names (DataFrames keep their dtypes)."""
        if isinstance(X, pd.DataFrame):
            _check_feature_names(self, X, reset=reset)
            _check_n_features(self, X, reset=reset)
            if len(X) == 0:
                raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
            frame = X.copy(deep=False)
            frame.columns = [str(c) for c in X.columns]
        else:
            arr = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan"
                                if self.__sklearn_tags__().input_tags.allow_nan else True)
            frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
        if reset:
            self._columns = list(frame.columns)
        return frame.reset_index(drop=True)

    def _unlabeled_mask(self, y) -> np.ndarray:
        s = pd.Series(y, dtype=object)
        missing = s.isna().to_numpy()
        if self._task == "regression":
            return missing
        sentinel = np.array([(not isinstance(v, (str, bytes))) and v == -1 for v in s], dtype=bool)
        return missing | sentinel

    def _default_teacher(self, labeled, features):
        from .models import default_model

        n_train = max(2, int(len(labeled) * (1 - self.val_size))) if isinstance(self.val_size, float) \
            else max(2, len(labeled) - int(self.val_size))
        return default_model(self._task, labeled, features, n_train, self.random_state)

    # -- fit / predict --------------------------------------------------------------------
    def fit(self, X, y, unlabeled=None):
        """Fit teacher and student; rows with a missing (or, for classifiers, -1) ``y`` are unlabeled."""
        from .engine import run

        frame = self._frame(X, reset=True)
        y = column_or_1d(y, warn=True)
        check_consistent_length(frame, y)
        if self._task == "regression":
            y = np.asarray(y, dtype="float64")
        mask = self._unlabeled_mask(y)
        if mask.all():
            raise ValueError("every y is unlabeled (-1 or missing); label some rows first.")
        features = list(frame.columns)
        labeled = frame.loc[~mask].copy()
        labeled[TARGET] = y[~mask]
        pool = frame.loc[mask]
        if unlabeled is not None:
            extra = self._frame(unlabeled, reset=False)
            extra.index = extra.index + len(frame)
            pool = pd.concat([pool, extra])
        teacher = self.estimator if self.estimator is not None else self._default_teacher(labeled, features)
        if self._task == "classification":
            self.classes_ = np.unique(labeled[TARGET].to_numpy())
        if len(pool) == 0:  # nothing to pseudo-label: plain supervised learning
            self.result_ = None
            self.final_model_ = clone(teacher).fit(labeled[features], labeled[TARGET].to_numpy())
            return self
        self.result_ = run(
            labeled, pool, target=TARGET, teacher=teacher, student=self.student,
            features=features, select=self.select, threshold=self.threshold, k_best=self.k_best,
            rounds=self.rounds, balance=self.balance, soft=self.soft,
            pseudo_weight=self.pseudo_weight, calibrate=self.calibrate, oof=self.oof,
            guard=self.guard, curriculum=self.curriculum, val_size=self.val_size,
            allow_leakage=self.allow_leakage, random_state=self.random_state)
        r = self.result_
        self.final_model_ = r.teacher if r.guard_used else r.student
        return self

    def predict(self, X):
        check_is_fitted(self, "final_model_")
        return self.final_model_.predict(self._frame(X, reset=False))


def _final_has(name):
    def check(self):
        model = getattr(self, "final_model_", None)
        if model is not None:
            return hasattr(model, name)
        return self.estimator is None or hasattr(self.estimator, name)
    return check


class PseudoLabelClassifier(ClassifierMixin, _PseudoLabelBase):
    """Pseudo-label classification as a scikit-learn estimator (unlabeled rows: y = -1 or NaN).

    Parameters are those of :func:`pseudolabel_magic.run`; ``estimator`` is the teacher
    (None: the engine's default, a RandomForest or HistGradientBoosting pipeline) and
    ``student`` defaults to a clone of it.
    """

    _task = "classification"

    @available_if(_final_has("predict_proba"))
    def predict_proba(self, X):
        check_is_fitted(self, "final_model_")
        return self.final_model_.predict_proba(self._frame(X, reset=False))


class PseudoLabelRegressor(RegressorMixin, _PseudoLabelBase):
    """Pseudo-label regression as a scikit-learn estimator (unlabeled rows: y = NaN)."""

    _task = "regression"
