"""The shared base of the scikit-learn meta-estimators: parameters, input checks, fit.

:class:`PseudoLabelEstimator` is what both public classes of :mod:`pseudolabel_magic.sklearn`
have in common: the parameters (stored as given, checked in ``fit``), ``X`` as a DataFrame
with string column names, the rows ``y`` marks unlabeled (NaN/None, and -1 for classifiers),
the labeled rows' ``sample_weight``, ``fit`` (one :func:`pseudolabel_magic.run` call, or a
plain supervised fit when there is nothing to pseudo-label), ``predict``, and the labeled
part of a test set that ``score`` scores.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ..core.modelchecks import check_model
from ..errors import PseudoLabelError

TARGET = "__pseudolabel_target__"

#: Per task: the kind of model it needs, and the other meta-estimator.
_KINDS = {
    "classification": ("classifier", "use PseudoLabelRegressor for a numeric target"),
    "regression": ("regressor", "use PseudoLabelClassifier for class labels"),
}


class PseudoLabelEstimator(BaseEstimator):
    """What both meta-estimators share; ``_task`` and ``_marks`` say which one it is."""

    _task = "classification"
    _marks = "-1 or missing"  # how y marks an unlabeled row, for messages

    def __init__(self, estimator=None, *, student=None, select="all", threshold=None,
                 k_best=None, rounds=1, balance=False, soft=False, pseudo_weight=1.0,
                 calibrate=False, oof=False, guard=None, curriculum=None, val_size=0.2,
                 cv=None, refit=None, allow_leakage=False, random_state=0):
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
        self.cv = cv
        self.refit = refit
        self.allow_leakage = allow_leakage
        self.random_state = random_state

    def __sklearn_tags__(self):
        """Tags of the teacher where they matter (NaN input); defaults for an invalid one."""
        tags = super().__sklearn_tags__()
        est = self.estimator
        if est is None:  # the default model takes NaN, text and categories
            tags.input_tags.allow_nan = True
        elif not isinstance(est, type) and hasattr(est, "__sklearn_tags__"):
            tags.input_tags.allow_nan = get_tags(est).input_tags.allow_nan
        return tags  # a class or a string is reported by fit, in one line

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

    def _target(self, y) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        return np.asarray(y, dtype="float64") if self._task == "regression" else y

    def _unlabeled_mask(self, y) -> np.ndarray:
        """True where ``y`` marks a row unlabeled: NaN/None, and -1 for classifiers."""
        missing = np.asarray(pd.isna(y), dtype=bool)
        if self._task == "regression":
            return missing
        if y.dtype.kind != "O":  # numbers (and booleans, strings: no -1) without a loop
            return missing | (y == -1) if y.dtype.kind in "biuf" else missing
        sentinel = np.array([(not isinstance(v, (str, bytes))) and v == -1 for v in y], dtype=bool)
        return missing | sentinel

    @staticmethod
    def _labels(y: np.ndarray) -> np.ndarray:
        """Labeled targets with a real dtype: ``[0, 1, None]`` masks to ints, not objects."""
        return pd.Series(y).infer_objects().to_numpy() if y.dtype == object else y

    @staticmethod
    def _labeled_weights(sample_weight, mask: np.ndarray, labeled_X):
        """``sample_weight`` for all rows -> validated weights of the labeled rows (or None).

        Unlabeled rows' weights are dropped unchecked (they may be NaN); the labeled rows'
        must be finite and must not all be zero.
        """
        if sample_weight is None:
            return None
        if not isinstance(sample_weight, numbers.Number):
            sw = check_array(sample_weight, ensure_2d=False, dtype="numeric",
                             ensure_all_finite="allow-nan", input_name="sample_weight")
            if sw.ndim != 1:
                raise ValueError(f"Sample weights must be 1D array or scalar, got shape {sw.shape}.")
            if len(sw) != len(mask):
                raise ValueError(f"sample_weight.shape == {sw.shape}, expected ({len(mask)},)!")
            sample_weight = sw[~mask]
        return _check_sample_weight(sample_weight, labeled_X, dtype=np.float64)

    def _default_teacher(self, labeled, features):
        from ..core.models import default_model

        n_train = max(2, int(len(labeled) * (1 - self.val_size))) if isinstance(self.val_size, float) \
            else max(2, len(labeled) - int(self.val_size))
        return default_model(self._task, labeled, features, n_train, self.random_state)

    # -- fit / predict / score --------------------------------------------------------------
    def fit(self, X, y, unlabeled=None, sample_weight=None):
        """Fit teacher and student; rows whose ``y`` marks them unlabeled are pseudo-labelled.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Labeled and unlabeled rows. DataFrames keep their dtypes (the default model
            takes text, categories, dates and missing values).
        y : array-like of shape (n_samples,)
            Targets; NaN/None (and -1 for the classifier) mark a row unlabeled.
        unlabeled : {array-like, DataFrame} of shape (n_unlabeled, n_features), default=None
            More unlabeled rows, with the columns of ``X``.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights of the rows of ``X``; those of unlabeled rows are ignored. The labeled
            rows' weights reach :func:`pseudolabel_magic.run` (``sample_weight=``): the
            teacher fits on the train rows' weights, the student on those and the
            pseudo-labels' weights; validation scores stay unweighted. With nothing to
            pseudo-label, the weighted labeled rows fit the estimator directly.

        Returns
        -------
        self : object
            Fitted estimator (``final_model_``, ``result_``).

        Raises
        ------
        PseudoLabelError
            Before any model is fitted: ``estimator``/``student`` is a class, a string or a
            model of the wrong kind, or every ``y`` is unlabeled; the engine's own checks
            follow (``sample_weight`` with a model that takes none, for one).
        """
        from ..core.engine import run
        from ..core.models import accepts_weights, fit_with_weights
        from ..core.textnames import model_name

        need, other = _KINDS[self._task]
        for param in ("estimator", "student"):
            check_model(getattr(self, param), param, need, type(self).__name__, other)
        frame = self._frame(X, reset=True)
        y = self._target(y)
        check_consistent_length(frame, y)
        mask = self._unlabeled_mask(y)
        if mask.all():
            raise PseudoLabelError(f"every y is unlabeled ({self._marks}); label some rows first.")
        features = list(frame.columns)
        labeled = frame.loc[~mask].copy()
        labeled[TARGET] = self._labels(y[~mask])
        weights = self._labeled_weights(sample_weight, mask, labeled)
        pool = frame.loc[mask]
        if unlabeled is not None:
            extra = self._frame(unlabeled, reset=False)
            extra.index = extra.index + len(frame)
            pool = pd.concat([pool, extra])
        teacher = self.estimator if self.estimator is not None else self._default_teacher(labeled, features)
        if self._task == "classification":
            self.classes_ = np.unique(labeled[TARGET].to_numpy())
        if len(pool) == 0:  # nothing to pseudo-label: plain supervised learning
            if weights is not None and not accepts_weights(teacher):
                raise PseudoLabelError(
                    f"sample_weight was given, but {model_name(teacher)} does not accept "
                    "sample_weight in fit; fit without it or use an estimator that does.")
            self.result_ = None
            self.final_model_ = fit_with_weights(clone(teacher), labeled[features],
                                                 labeled[TARGET].to_numpy(), weights)
            return self
        try:
            self.result_ = self._run(run, labeled, pool, teacher, features, weights)
        except PseudoLabelError as err:  # the engine's words name its internal column: say y
            raise PseudoLabelError(str(err).replace(repr(TARGET), "y")) from None
        r = self.result_
        self.final_model_ = r.teacher if r.guard_used else r.student
        return self

    def _run(self, run, labeled, pool, teacher, features, weights):
        return run(
            labeled, pool, target=TARGET, teacher=teacher, student=self.student,
            features=features, select=self.select, threshold=self.threshold, k_best=self.k_best,
            rounds=self.rounds, balance=self.balance, soft=self.soft,
            pseudo_weight=self.pseudo_weight, calibrate=self.calibrate, oof=self.oof,
            guard=self.guard, curriculum=self.curriculum, val_size=self.val_size,
            cv=self.cv, refit=self.refit, allow_leakage=self.allow_leakage,
            random_state=self.random_state,
            task=self._task, sample_weight=weights)

    def predict(self, X):
        """Predict with ``final_model_``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows with the columns seen in fit.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted classes (classifier) or values (regressor).
        """
        check_is_fitted(self, "final_model_")
        return self.final_model_.predict(self._frame(X, reset=False))

    def _labeled_part(self, X, y, sample_weight):
        """The rows of ``X``/``y``/``sample_weight`` that carry a label, for ``score``."""
        check_is_fitted(self, "final_model_")
        y = self._target(y)
        check_consistent_length(X, y)
        mask = self._unlabeled_mask(y)
        if mask.all():
            raise PseudoLabelError(
                f"score got {len(y)} row(s) and every y is unlabeled ({self._marks}), so there is "
                "nothing to score; score on rows with a label (cross-validation records nan "
                "for such a fold).")
        keep = np.flatnonzero(~mask)
        X_lab = _safe_indexing(X, keep)
        return X_lab, self._labels(y[keep]), self._labeled_weights(sample_weight, mask, keep)
