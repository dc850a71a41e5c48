"""scikit-learn meta-estimators that run the pseudo-label engine.

``PseudoLabelClassifier(LogisticRegression()).fit(X, y)`` treats rows whose ``y`` is -1 or
missing (NaN/None) as unlabeled, like ``SelfTrainingClassifier``; more unlabeled rows can be
passed with ``fit(X, y, unlabeled=X_unl)``. ``PseudoLabelRegressor`` marks them with NaN.
Fitting runs :func:`pseudolabel_magic.run` (teacher on train, pseudo-labels, student), so the
method drops into ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``; ``result_`` is the
engine's :class:`PseudoLabelResult` and predictions come from ``final_model_`` (the student,
or the teacher when the validation guard kept it). ``score`` scores the labeled rows only,
so cross-validation on semi-labeled ``y`` measures what the labels can check. The engine
holds out ``val_size`` of the labeled rows to score teacher and student; those rows never
train a model. With no unlabeled row at all, the estimator is fit on every labeled row
(plain supervised learning) and ``result_`` is None. This module defines the two public
classes; their shared base (parameters, input checks, ``fit``, ``predict``) is
:mod:`.estimator` and the docstring text they share is :mod:`.docs`.
"""
from __future__ import annotations

from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .docs import SCORE_DOC, shared_docs
from .estimator import TARGET, PseudoLabelEstimator

__all__ = ["TARGET", "PseudoLabelClassifier", "PseudoLabelRegressor"]


def _final_has(name):
    def check(self):
        model = getattr(self, "final_model_", None)
        if model is not None:
            return hasattr(model, name)
        return self.estimator is None or hasattr(self.estimator, name)
    return check


@shared_docs
class PseudoLabelClassifier(ClassifierMixin, PseudoLabelEstimator):
    """Pseudo-label classification as a scikit-learn estimator (unlabeled rows: y = -1 or NaN).

    ``fit`` runs :func:`pseudolabel_magic.run`: a teacher fit on the labeled train split,
    pseudo-labels for the unlabeled rows, a student fit on both [1]_; ``val_size`` of
    the labeled rows only score them. Parameters are checked in ``fit``, which raises
    :class:`~pseudolabel_magic.errors.PseudoLabelError` (a ``ValueError``) for a bad one.

    Parameters
    ----------
    estimator : classifier or Pipeline, default=None
        The teacher (an instance; it is cloned, never fitted in place). None: the engine's
        default, a RandomForest or HistGradientBoosting pipeline for raw frames.
    student : classifier or Pipeline, default=None
        The student; None is a clone of the teacher.
    %(shared_parameters)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labeled classes.
    %(shared_attributes)s

    See Also
    --------
    PseudoLabelRegressor : The same for regression (unlabeled rows: y = NaN).
    sklearn.semi_supervised.SelfTrainingClassifier : Self-training without a held-out split.
    pseudolabel_magic.run : The engine, with every setting.

    Notes
    -----
    ``score`` (and so ``cross_val_score`` and ``GridSearchCV`` with ``scoring=None``)
    scores the labeled rows only: cross-validation on semi-labeled ``y`` measures what the
    labels can check. The selection rules and the guard limit confirmation bias [2]_; the
    guard and ``result_.verdict`` compare the student with the supervised teacher on the
    same rows [3]_.

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from pseudolabel_magic import PseudoLabelClassifier
    >>> X, y = load_wine(return_X_y=True, as_frame=True)  # X of shape (178, 13)
    >>> y_semi = y.where(np.arange(len(y)) % 3 == 0, -1)  # -1: 2 labels in 3 hidden
    >>> clf = PseudoLabelClassifier(make_pipeline(StandardScaler(), LogisticRegression()))
    >>> clf.fit(X, y_semi).classes_
    array([0, 1, 2])
    >>> clf.predict(X.iloc[:3])
    array([0, 0, 0])
    >>> cross_val_score(clf, X, y_semi, cv=3).shape  # each fold's labeled rows only
    (3,)
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

    score.__doc__ = SCORE_DOC.format(what="Accuracy", marks="-1 and NaN/None")


@shared_docs
class PseudoLabelRegressor(RegressorMixin, PseudoLabelEstimator):
    """Pseudo-label regression as a scikit-learn estimator (unlabeled rows: y = NaN).

    The regression counterpart of :class:`PseudoLabelClassifier`, with the same parameters
    and attributes (except ``classes_``): ``estimator`` and ``student`` are regressors
    (None: the engine's default forest or boosting pipeline). A regressor's confidence is
    the agreement of an ensemble's members (forests); other models pseudo-label every row
    [1]_ [2]_ [3]_. Parameters are checked in ``fit``, which raises
    :class:`~pseudolabel_magic.errors.PseudoLabelError` (a ``ValueError``) for a bad one.

    Parameters
    ----------
    estimator : regressor or Pipeline, default=None
        The teacher (an instance; cloned, never fitted in place).
    student : regressor or Pipeline, default=None
        The student; None is a clone of the teacher.
    %(shared_parameters)s

    Attributes
    ----------
    %(shared_attributes)s

    See Also
    --------
    PseudoLabelClassifier : The same for classification.
    pseudolabel_magic.run : The engine, with every setting.

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from pseudolabel_magic import PseudoLabelRegressor
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)  # X of shape (442, 10)
    >>> y_semi = y.where(np.arange(len(y)) % 3 == 0)  # NaN: 2 targets in 3 hidden
    >>> reg = PseudoLabelRegressor(RandomForestRegressor(n_estimators=20, random_state=0))
    >>> reg.fit(X, y_semi).result_.task
    'regression'
    >>> reg.predict(X.iloc[:2]).shape
    (2,)
    """

    _task = "regression"
    _marks = "NaN"

    def score(self, X, y, sample_weight=None):
        X, y, sample_weight = self._labeled_part(X, y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    score.__doc__ = SCORE_DOC.format(what="R^2 (coefficient of determination)", marks="NaN")
