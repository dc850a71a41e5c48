"""Small estimators whose behaviour the tests know exactly (shared by several test modules).

Not a test module: pytest collects nothing here; ``tests/conftest.py`` puts this folder on
``sys.path``, so any test imports it as ``from estimators import ...``.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin


class ColumnProba(ClassifierMixin, BaseEstimator):
    """A classifier whose P(class 1) is the value of column ``p``: confidences are known exactly."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.array([0, 1])
        self.fit_rows_ = len(X)
        self.sample_weight_ = None if sample_weight is None else np.asarray(sample_weight)
        return self

    def predict_proba(self, X):
        p = X["p"].to_numpy(dtype=float)
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (X["p"].to_numpy() >= 0.5).astype(int)


def known_confidence_data():
    """10 labeled rows (both classes), 8 unlabeled rows with chosen P(class 1)."""
    labeled = pd.DataFrame({"p": np.linspace(0.05, 0.95, 10), "y": [0] * 5 + [1] * 5},
                           index=[f"L{i}" for i in range(10)])
    unlabeled = pd.DataFrame({"p": [0.99, 0.5, 0.1, 0.85, 0.6, 0.02, 0.91, 0.3]},
                             index=[f"U{i}" for i in range(8)])
    validation = pd.DataFrame({"p": [0.2, 0.8], "y": [0, 1]}, index=["V0", "V1"])
    return labeled, unlabeled, validation


class ExplodingFit(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise AssertionError("no model may be fitted when the input is bad")

    def predict_proba(self, X):  # pragma: no cover - never reached
        raise AssertionError


class AlwaysZero(ClassifierMixin, BaseEstimator):
    """A student that predicts class 0 everywhere: worse than the teacher on validation."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        return np.column_stack([np.ones(len(X)), np.zeros(len(X))])

    def predict(self, X):
        return np.zeros(len(X), dtype=int)
