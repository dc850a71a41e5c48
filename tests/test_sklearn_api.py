"""PseudoLabelClassifier / PseudoLabelRegressor as scikit-learn estimators."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from pseudolabel_magic.sklearn_api import PseudoLabelClassifier, PseudoLabelRegressor

#: Checks that cannot apply, and why (everything else in check_estimator passes).
CLASSIFIER_EXPECTED_FAILURES = {
    "check_classifiers_classes": (
        "the engine holds out val_size of the labeled rows for validation; on this check's "
        "tiny, unevenly split data the train part keeps a single class, which the engine "
        "refuses with a PseudoLabelError instead of fitting a one-class model"),
}


@parametrize_with_checks(
    [PseudoLabelClassifier(LogisticRegression()), PseudoLabelRegressor(Ridge())],
    expected_failed_checks=lambda est: CLASSIFIER_EXPECTED_FAILURES
    if isinstance(est, PseudoLabelClassifier) else {},
)
def test_check_estimator(estimator, check):
    check(estimator)


@pytest.fixture
def iris_semi():
    X, y = load_iris(return_X_y=True)
    _, keep = np.unique(X, axis=0, return_index=True)  # drop duplicate rows (leakage check)
    keep = np.sort(keep)
    X, y = X[keep], y[keep]
    rng = np.random.default_rng(0)
    y_semi = np.where(rng.random(len(y)) < 0.6, -1, y)
    return X, y, y_semi


def test_minus_one_and_nan_mark_unlabeled(iris_semi):
    X, y, y_semi = iris_semi
    est = PseudoLabelClassifier(LogisticRegression(max_iter=500), select="threshold", threshold=0.8).fit(X, y_semi)
    r = est.result_
    assert len(r.pseudo_labels) == int((y_semi == -1).sum())
    assert set(est.classes_) == {0, 1, 2}
    assert (est.predict(X[y_semi == -1]) == y[y_semi == -1]).mean() > 0.85
    assert est.predict_proba(X[:5]).shape == (5, 3)
    y_nan = np.where(y_semi == -1, np.nan, y_semi.astype(float))
    other = PseudoLabelClassifier(LogisticRegression(max_iter=500), select="threshold", threshold=0.8).fit(X, y_nan)
    np.testing.assert_array_equal(other.predict(X), est.predict(X).astype(float))


def test_unlabeled_keyword_and_dataframes(iris_semi):
    X, y, y_semi = iris_semi
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    lab = y_semi != -1
    est = PseudoLabelClassifier(LogisticRegression(max_iter=500)).fit(frame[lab], y[lab], unlabeled=frame[~lab])
    assert list(est.feature_names_in_) == ["a", "b", "c", "d"]
    assert len(est.result_.pseudo_labels) == int((~lab).sum())
    assert est.score(frame, y) > 0.85


def test_pipeline_cross_val_score_and_grid_search(iris_semi):
    X, y, y_semi = iris_semi
    lab = y_semi != -1
    X_unl = X[~lab][:50]  # a different row count than X, so it is passed whole to each fold
    pipe = make_pipeline(StandardScaler(), PseudoLabelClassifier(LogisticRegression(max_iter=500)))
    pipe.fit(X[lab], y[lab], pseudolabelclassifier__unlabeled=X_unl)
    assert pipe.score(X[~lab], y[~lab]) > 0.85
    scores = cross_val_score(PseudoLabelClassifier(LogisticRegression(max_iter=500)), X[lab], y[lab],
                             cv=3, params={"unlabeled": X_unl})
    assert len(scores) == 3 and scores.mean() > 0.8
    grid = GridSearchCV(PseudoLabelClassifier(LogisticRegression(max_iter=500), select="threshold"),
                        {"threshold": [0.7, 0.95]}, cv=3)
    grid.fit(X[lab], y[lab], unlabeled=X_unl)
    assert grid.best_params_["threshold"] in (0.7, 0.95)


def test_guard_and_auto_reach_the_final_model(iris_semi):
    X, y, y_semi = iris_semi
    est = PseudoLabelClassifier(LogisticRegression(max_iter=500), select="auto").fit(X, y_semi)
    assert est.result_.config["guard"] is True
    expected = est.result_.teacher if est.result_.guard_used else est.result_.student
    assert est.final_model_ is expected


def test_regressor_marks_nan_as_unlabeled():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.1, size=120)
    y_semi = y.copy()
    y_semi[60:] = np.nan
    est = PseudoLabelRegressor(Ridge()).fit(X, y_semi)
    assert len(est.result_.pseudo_labels) == 60 and est.result_.task == "regression"
    assert est.score(X[60:], y[60:]) > 0.95


def test_no_unlabeled_rows_is_plain_supervised(iris_semi):
    X, y, _ = iris_semi
    est = PseudoLabelClassifier(LogisticRegression(max_iter=500)).fit(X, y)
    assert est.result_ is None and est.score(X, y) > 0.9
