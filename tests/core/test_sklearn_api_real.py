"""The meta-estimators on a real data set: cross-validation scores the labeled rows only.

breast_cancer (569 rows, shipped with scikit-learn) with 70% of ``y`` set to -1 (190 rows
keep their label), a scaled LogisticRegression. BLAS runs on one thread (tests/conftest.py).
"""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import pseudolabel_magic as pl

#: Largest gap allowed between the meta-estimator's cross-validated accuracy and the plain
#: pipeline's on the labeled rows. Over 20 seeds of the unlabeled mask (and of the folds) the
#: gap on the same labeled test rows had sd 0.007 (range -0.016..+0.012), and with the
#: plain pipeline cross-validated on the labeled rows alone (other folds) sd 0.013 (range
#: -0.024..+0.024): one accuracy over 190 rows near 0.96 has a binomial standard error of
#: about 0.014, and the meta-estimator fits on 80% of each training fold's labels (the rest
#: is its validation split) plus pseudo-labels, so it is a different model. Scoring the
#: unlabeled rows as a class (the bug this guards) gives 0.32, twenty standard errors off.
SAME_ROWS_TOLERANCE = 0.03
OTHER_FOLDS_TOLERANCE = 0.04


@pytest.fixture(scope="module")
def cancer_semi():
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(0)
    y_semi = np.where(rng.random(len(y)) < 0.7, -1, y)
    return X, y, y_semi


def _scaled_lr():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def test_cross_val_score_matches_the_supervised_score_on_labeled_rows(cancer_semi):
    X, y, y_semi = cancer_semi
    lab = y_semi != -1
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    meta = cross_val_score(pl.PseudoLabelClassifier(_scaled_lr()), X, y_semi, cv=cv)
    # the same folds, each restricted to its labeled rows, for the plain pipeline
    position = np.full(len(y), -1)
    position[lab] = np.arange(lab.sum())
    folds = [(position[train[lab[train]]], position[test[lab[test]]])
             for train, test in cv.split(X, y_semi)]
    same_rows = cross_val_score(_scaled_lr(), X[lab], y[lab], cv=folds)
    other_folds = cross_val_score(_scaled_lr(), X[lab], y[lab], cv=cv)
    assert abs(meta.mean() - same_rows.mean()) <= SAME_ROWS_TOLERANCE, (meta, same_rows)
    assert abs(meta.mean() - other_folds.mean()) <= OTHER_FOLDS_TOLERANCE, (meta, other_folds)
    assert meta.min() > 0.9  # every fold: labeled rows only (unlabeled ones as a class: ~0.32)


def test_grid_search_picks_on_labeled_rows(cancer_semi):
    X, y, y_semi = cancer_semi
    lab = y_semi != -1
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    grid = GridSearchCV(pl.PseudoLabelClassifier(_scaled_lr()),
                        {"estimator__logisticregression__C": [1e-4, 1.0]}, cv=cv)
    grid.fit(X, y_semi)
    plain = GridSearchCV(_scaled_lr(), {"logisticregression__C": [1e-4, 1.0]}, cv=cv).fit(X[lab], y[lab])
    assert grid.best_params_["estimator__logisticregression__C"] == plain.best_params_["logisticregression__C"] == 1.0
    assert abs(grid.best_score_ - plain.best_score_) <= OTHER_FOLDS_TOLERANCE
    assert grid.score(X, y_semi) == grid.best_estimator_.score(X, y_semi)
