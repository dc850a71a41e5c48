"""scikit-learn meta-estimators that run the pseudo-label engine.

``PseudoLabelClassifier(LogisticRegression()).fit(X, y)`` treats rows whose ``y`` is -1 or
missing (NaN/None) as unlabeled, like ``SelfTrainingClassifier``; more unlabeled rows can be
passed with ``fit(X, y, unlabeled=X_unl)``. ``PseudoLabelRegressor`` marks them with NaN.
Fitting runs :func:`pseudolabel_magic.run` (teacher on train, pseudo-labels, student), so the
method drops into ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``; ``result_`` is the
engine's :class:`PseudoLabelResult` and predictions come from ``final_model_`` (the student,
or the teacher when the validation guard kept it). ``score`` scores the labeled rows only,
so cross-validation on semi-labeled ``y`` measures what the labels can check.

The engine holds out ``val_size`` of the labeled rows to score teacher and student; those
rows never train a model. With no unlabeled row at all, the estimator is fit on every
labeled row (plain supervised learning) and ``result_`` is None.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.metaestimators import available_if
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

from .core.modelchecks import check_model
from .errors import PseudoLabelError

TARGET = "__pseudolabel_target__"

#: Per task: the kind of model it needs, and the other meta-estimator.
_KINDS = {
    "classification": ("classifier", "use PseudoLabelRegressor for a numeric target"),
    "regression": ("regressor", "use PseudoLabelClassifier for class labels"),
}


class _PseudoLabelBase(BaseEstimator):
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
        from .core.models import default_model

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
        from .core.engine import run
        from .core.models import accepts_weights, fit_with_weights, model_name

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


_SCORE_DOC = """{what} of the labeled rows only; rows whose ``y`` marks them unlabeled are skipped.

        ``cross_val_score`` and ``GridSearchCV`` with the default ``scoring=None`` call this,
        so they score the labeled rows of each test fold (a ``scoring=`` string or scorer
        calls ``predict`` and sees every row, unlabeled ones included).

        Parameters
        ----------
        X : {{array-like, DataFrame}} of shape (n_samples, n_features)
            Test rows.
        y : array-like of shape (n_samples,)
            True targets; {marks} mark a row unlabeled (not scored).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows; those of unlabeled rows are ignored.

        Returns
        -------
        score : float
            {what} on the labeled rows.

        Raises
        ------
        PseudoLabelError
            When every row is unlabeled. ``cross_val_score``/``GridSearchCV`` (default
            ``error_score=np.nan``) then score that fold nan, warning with this message.
        """


def _final_has(name):
    def check(self):
        model = getattr(self, "final_model_", None)
        if model is not None:
            return hasattr(model, name)
        return self.estimator is None or hasattr(self.estimator, name)
    return check


class PseudoLabelClassifier(ClassifierMixin, _PseudoLabelBase):
    """Pseudo-label classification as a scikit-learn estimator (unlabeled rows: y = -1 or NaN).

    ``fit`` runs :func:`pseudolabel_magic.run`: a teacher fit on the labeled train split,
    pseudo-labels for the unlabeled rows, a student fit on both; ``val_size`` of the labeled
    rows only score them. Parameters are checked in ``fit``.

    Parameters
    ----------
    estimator : classifier or Pipeline, default=None
        The teacher (an instance; it is cloned, never fitted in place). None: the engine's
        default, a RandomForest or HistGradientBoosting pipeline for raw frames.
    student : classifier or Pipeline, default=None
        The student; None is a clone of the teacher.
    select : {"all", "threshold", "k-best", "auto"}, default="all"
        Which pseudo-labels the student gets.
    threshold : float, default=None
        Confidence in [0, 1] for ``select="threshold"``.
    k_best : int, default=None
        Most confident rows kept per round for ``select="k-best"``.
    rounds : int, default=1
        Teacher/student rounds (the student teaches the next round).
    balance : bool, default=False
        Keep the pseudo-label class mix at the labeled mix.
    soft : bool, default=False
        Weight each pseudo-labelled row by its confidence (through ``sample_weight``).
    pseudo_weight : float, default=1.0
        Weight of every pseudo-labelled row.
    calibrate : bool, default=False
        Rank rows by CalibratedClassifierCV probabilities fitted on train only.
    oof : bool or int, default=False
        Label each unlabeled row with the mean of ``oof`` (True: 5) fold teachers.
    guard : bool, default=None
        Keep the teacher when the student does not score higher on validation (None: on under
        ``select="auto"``).
    curriculum : list of float, default=None
        One threshold per round, relaxing.
    val_size : float or int, default=0.2
        Fraction (or count) of labeled rows held out to score teacher and student.
    cv : int, splitter or None, default=None
        Cross-fit instead of one hold-out: every labeled row is scored once, out of fold
        (``result_.verdict`` says whether pseudo-labelling helped).
    refit : bool or None, default=None
        Fit teacher and student again on every labeled row after scoring (None: True with
        ``cv``); ``final_model_`` is then a refit model.
    allow_leakage : bool, default=False
        Run despite failed leakage checks (the result is marked leaky).
    random_state : int, RandomState or None, default=0
        Seed of the split, the default model and every model whose ``random_state`` is None.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labeled classes.
    result_ : PseudoLabelResult or None
        The engine's result; None when there was nothing to pseudo-label.
    final_model_ : estimator
        The fitted model that predicts: the student, or the teacher when the guard kept it.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in fit, when ``X`` was a DataFrame with string names.

    See Also
    --------
    PseudoLabelRegressor : The same for regression (unlabeled rows: y = NaN).
    sklearn.semi_supervised.SelfTrainingClassifier : Self-training without a held-out split.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> # y_semi: the labels with -1 for the unlabeled rows; scores use labeled rows only
    >>> cross_val_score(PseudoLabelClassifier(LogisticRegression()), X, y_semi)  # doctest: +SKIP
    """

    _task = "classification"

    @available_if(_final_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from ``final_model_``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows with the columns seen in fit.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        check_is_fitted(self, "final_model_")
        return self.final_model_.predict_proba(self._frame(X, reset=False))

    def score(self, X, y, sample_weight=None):
        X, y, sample_weight = self._labeled_part(X, y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    score.__doc__ = _SCORE_DOC.format(what="Accuracy", marks="-1 and NaN/None")


class PseudoLabelRegressor(RegressorMixin, _PseudoLabelBase):
    """Pseudo-label regression as a scikit-learn estimator (unlabeled rows: y = NaN).

    The regression counterpart of :class:`PseudoLabelClassifier`, with the same parameters
    and attributes (except ``classes_``): ``estimator`` and ``student`` are regressors
    (None: the engine's default forest or boosting pipeline). A regressor's confidence is
    the agreement of an ensemble's members (forests); other models pseudo-label every row.

    Parameters
    ----------
    estimator : regressor or Pipeline, default=None
        The teacher (an instance; cloned, never fitted in place).
    student : regressor or Pipeline, default=None
        The student; None is a clone of the teacher.
    select, threshold, k_best, rounds, balance, soft, pseudo_weight
        As in :class:`PseudoLabelClassifier`.
    calibrate, oof, guard, curriculum, val_size, cv, refit, allow_leakage, random_state
        As in :class:`PseudoLabelClassifier` (``calibrate`` is for classification only).

    Attributes
    ----------
    result_ : PseudoLabelResult or None
        The engine's result; None when there was nothing to pseudo-label.
    final_model_ : estimator
        The fitted model that predicts: the student, or the teacher when the guard kept it.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in fit, when ``X`` was a DataFrame with string names.

    See Also
    --------
    PseudoLabelClassifier : The same for classification.
    """

    _task = "regression"
    _marks = "NaN"

    def score(self, X, y, sample_weight=None):
        X, y, sample_weight = self._labeled_part(X, y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    score.__doc__ = _SCORE_DOC.format(what="R^2 (coefficient of determination)", marks="NaN")
