"""PseudoLabelClassifier / PseudoLabelRegressor as scikit-learn estimators."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import pseudolabel_magic as pl
from pseudolabel_magic.core.models import accepts_weights, fit_with_weights
from pseudolabel_magic.errors import PseudoLabelError
from pseudolabel_magic.sklearn import PseudoLabelClassifier, PseudoLabelRegressor

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


# -- score: labeled rows only ------------------------------------------------------------
def test_score_skips_unlabeled_rows_and_their_weights(iris_semi):
    X, y, y_semi = iris_semi
    est = PseudoLabelClassifier(LogisticRegression(max_iter=500)).fit(X, y_semi)
    lab = y_semi != -1
    expected = accuracy_score(y_semi[lab], est.predict(X[lab]))
    assert est.score(X, y_semi) == expected
    y_nan = np.where(lab, y_semi.astype(float), np.nan)
    y_none = np.where(lab, y_semi, None).astype(object)
    assert est.score(X, y_nan) == expected
    assert est.score(X, y_none) == expected
    w = np.where(lab, np.arange(len(y)) % 3 + 1.0, np.nan)  # NaN weights of unlabeled rows: ignored
    assert est.score(X, y_semi, sample_weight=w) == accuracy_score(
        y_semi[lab], est.predict(X[lab]), sample_weight=w[lab])
    frame = pd.DataFrame(X, index=np.arange(len(X)) * 10)  # index labels are not positions
    est_df = PseudoLabelClassifier(LogisticRegression(max_iter=500)).fit(frame, y_semi)
    assert est_df.score(frame, y_semi) == accuracy_score(y_semi[lab], est_df.predict(frame[lab]))


def test_regressor_score_skips_nan_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.1, size=120)
    y_semi = np.where(np.arange(120) < 60, y, np.nan)
    y_semi[0] = -1.0  # -1 is a value for a regressor, not a mark
    est = PseudoLabelRegressor(Ridge()).fit(X, y_semi)
    assert est.score(X, y_semi) == r2_score(y_semi[:60], est.predict(X[:60]))


def test_score_with_no_labeled_row_is_one_line_and_nan_in_cross_validation(iris_semi):
    X, y, y_semi = iris_semi
    est = PseudoLabelClassifier(LogisticRegression(max_iter=500)).fit(X, y_semi)
    with pytest.raises(PseudoLabelError, match=r"every y is unlabeled \(-1 or missing\), so there is "
                                               r"nothing to score") as err:
        est.score(X[:5], np.full(5, -1))
    assert "\n" not in str(err.value)
    reg = PseudoLabelRegressor(Ridge()).fit(X, y.astype(float))
    with pytest.raises(PseudoLabelError, match=r"every y is unlabeled \(NaN\)"):
        reg.score(X[:5], np.full(5, np.nan))
    # a test fold without a labeled row: sklearn's error_score=np.nan, with the reason in a warning
    y_fold = y.copy()
    y_fold[:20] = -1  # the first test fold is all unlabeled, the second all labeled
    folds = [(np.arange(20, len(y)), np.arange(20)),
             (np.r_[0:20, 40:len(y)], np.arange(20, 40))]
    with pytest.warns(UserWarning, match="nothing to score"):
        scores = cross_val_score(PseudoLabelClassifier(LogisticRegression(max_iter=500)), X, y_fold,
                                 cv=folds, error_score=np.nan)
    assert np.isnan(scores[0]) and not np.isnan(scores[1])


# -- sample_weight -------------------------------------------------------------------------
def test_sample_weight_reaches_the_supervised_fit(iris_semi):
    X, y, _ = iris_semi
    w = np.arange(len(y)) % 4 + 0.5
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    est = PseudoLabelClassifier(pipe).fit(X, y, sample_weight=w)
    by_hand = clone(pipe).fit(X, y, logisticregression__sample_weight=w)
    np.testing.assert_allclose(est.final_model_[-1].coef_, by_hand[-1].coef_)
    unweighted = clone(pipe).fit(X, y)
    assert not np.allclose(est.final_model_[-1].coef_, unweighted[-1].coef_)


def test_sample_weight_with_unlabeled_rows_reaches_the_run(iris_semi):
    """The labeled rows' weights go to pl.run: the teacher fits on the train rows' weights,
    like a LogisticRegression fitted by hand on those rows (same solver: rtol 1e-6)."""
    X, y, y_semi = iris_semi
    w = np.arange(len(y)) % 4 + 0.5
    w[y_semi == -1] = np.nan  # unlabeled rows' weights are ignored
    est = PseudoLabelClassifier(LogisticRegression(max_iter=1000)).fit(X, y_semi, sample_weight=w)
    train = est.result_.train_index.to_numpy()  # positions in X (the frame's index is 0..n-1)
    by_hand = LogisticRegression(max_iter=1000).fit(X[train], y_semi[train], sample_weight=w[train])
    np.testing.assert_allclose(est.result_.teacher.coef_, by_hand.coef_, rtol=1e-6, atol=1e-8)
    assert est.result_.fit_log[0].weighted and est.result_.fit_log[-1].weighted
    plain = PseudoLabelClassifier(LogisticRegression(max_iter=1000)).fit(X, y_semi)
    assert not np.allclose(plain.result_.teacher.coef_, by_hand.coef_, rtol=1e-3)
    lab = y_semi != -1
    with pytest.raises(ValueError, match="sample_weight.shape"):
        PseudoLabelClassifier(_NoFit()).fit(X, y_semi, sample_weight=w[:-1])
    with pytest.raises(PseudoLabelError, match="sample_weight needs a teacher whose fit takes "
                                               "sample_weight, which KNeighborsClassifier does not"):
        PseudoLabelClassifier(KNeighborsClassifier()).fit(X, y_semi, sample_weight=np.ones(len(y)))
    with pytest.raises(PseudoLabelError, match="KNeighborsClassifier does not accept sample_weight"):
        PseudoLabelClassifier(KNeighborsClassifier()).fit(X[lab], y_semi[lab], sample_weight=w[lab])


# -- metadata routing on ---------------------------------------------------------------------
def test_fit_with_weights_with_routing_on_and_off(iris_semi):
    X, y, _ = iris_semi
    w = np.arange(len(y)) % 4 + 0.5
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    nested = Pipeline([("outer", StandardScaler()), ("inner", clone(pipe))])
    by_hand = clone(pipe).fit(X, y, logisticregression__sample_weight=w)  # routing off
    for routing in (False, True):
        with sklearn.config_context(enable_metadata_routing=routing):
            routing_before = repr(pipe[-1].get_metadata_routing()) if routing else None
            fitted = fit_with_weights(clone(pipe), X, y, w)
            assert sklearn.get_config()["enable_metadata_routing"] is routing  # restored
            np.testing.assert_allclose(fitted[-1].coef_, by_hand[-1].coef_)
            bare = fit_with_weights(LogisticRegression(max_iter=500), X, y, w)
            np.testing.assert_allclose(bare.coef_, LogisticRegression(max_iter=500).fit(X, y, sample_weight=w).coef_)
            fitted_nested = fit_with_weights(clone(nested), X, y, w)
            assert accepts_weights(nested)
            np.testing.assert_allclose(fitted_nested[-1][-1].coef_, by_hand[-1].coef_, rtol=1e-6)
            if routing:  # the user's object is never touched
                assert repr(pipe[-1].get_metadata_routing()) == routing_before
    assert not hasattr(pipe[-1], "coef_")


# calibrate=True's CalibratedClassifierCV cannot pass weights into a Pipeline (with routing off,
# as before this test); it says so, and this test is about the engine's own weighted fits
@pytest.mark.filterwarnings("ignore:Since Pipeline does not appear to accept sample_weight")
def test_weighted_runs_with_routing_on(iris_semi):
    X, y, y_semi = iris_semi
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(target=np.where(y_semi == -1, np.nan, y_semi))
    settings = [dict(soft=True), dict(pseudo_weight=0.5), dict(soft=True, calibrate=True, rounds=2)]
    with sklearn.config_context(enable_metadata_routing=True):
        off = {}
        for kw in settings:
            r = pl.run(frame, target="target", teacher=pipe, **kw)
            assert r.fit_log[-1].weighted and "weight" in r.pseudo_labels
            off[str(kw)] = r.metrics
        c = pl.compare(frame, target="target", teacher=pipe)
        assert len(c.table) > 2
        est = PseudoLabelClassifier(pipe, soft=True).fit(X, y_semi)
        assert est.score(X, y_semi) > 0.85
    for kw in settings:  # the same fits, so the same scores, as with routing off
        pd.testing.assert_frame_equal(pl.run(frame, target="target", teacher=pipe, **kw).metrics, off[str(kw)])
    assert not hasattr(pipe[-1], "coef_")


# -- the estimator parameter: one line naming the problem and the fix ------------------------
class _NoFit(LogisticRegression):
    """A classifier that fails the test if anything fits it."""

    def fit(self, X, y, sample_weight=None):
        raise AssertionError("no model may be fitted when the input is bad")


#: The meta-estimators judge a model with the rules pl.run uses (modelchecks), in its words.
@pytest.mark.parametrize("make, message", [
    (lambda: PseudoLabelClassifier(LogisticRegression),
     "estimator=LogisticRegression is a class, not an estimator object; did you mean LogisticRegression()?"),
    (lambda: PseudoLabelClassifier("LogisticRegression"),
     "estimator='LogisticRegression' is a string, not an estimator object; pass the object without "
     "quotes, estimator=LogisticRegression() (from sklearn.linear_model import LogisticRegression)."),
    (lambda: PseudoLabelRegressor("random forest regressor"),
     "estimator='random forest regressor' is a string, not an estimator object; did you mean "
     "RandomForestRegressor() (from sklearn.ensemble import RandomForestRegressor)?"),
    (lambda: PseudoLabelRegressor("rf"),
     "estimator='rf' is a string, not an estimator object; pass an estimator object such as "
     "RandomForestRegressor()."),
    (lambda: PseudoLabelClassifier("my model"),
     "estimator='my model' is a string, not an estimator object; pass an estimator object such as "
     "LogisticRegression()."),
    (lambda: PseudoLabelClassifier(Ridge()),
     "estimator Ridge() is a regressor, but PseudoLabelClassifier needs a classifier; pass a "
     "classifier such as LogisticRegression(), or use PseudoLabelRegressor for a numeric target."),
    (lambda: PseudoLabelClassifier(make_pipeline(StandardScaler(), Ridge())),
     "estimator StandardScaler > Ridge is a regressor, but PseudoLabelClassifier needs a classifier"),
    (lambda: PseudoLabelRegressor(LogisticRegression()),
     "estimator LogisticRegression() is a classifier, but PseudoLabelRegressor needs a regressor; "
     "pass a regressor such as RandomForestRegressor(), or use PseudoLabelClassifier for class labels."),
    (lambda: PseudoLabelClassifier(_NoFit(), student=Ridge()),
     "student Ridge() is a regressor, but PseudoLabelClassifier needs a classifier"),
    (lambda: PseudoLabelClassifier(_NoFit(), student=LogisticRegression),
     "student=LogisticRegression is a class, not an estimator object; did you mean LogisticRegression()?"),
    (lambda: PseudoLabelClassifier(KMeans(n_clusters=3)),
     "estimator KMeans(n_clusters=3) is a clusterer, but PseudoLabelClassifier needs a classifier; "
     "pass a classifier such as LogisticRegression()."),
    (lambda: PseudoLabelClassifier(StandardScaler()),
     "estimator=StandardScaler() has fit but no predict, so it is a transformer, not a model; end it "
     "with a model, e.g. make_pipeline(StandardScaler(), LogisticRegression())."),
    (lambda: PseudoLabelRegressor(42),
     "estimator=42 is an int without a fit method, not an estimator; pass an estimator object such "
     "as RandomForestRegressor()."),
], ids=["class", "string", "string-fuzzy", "string-word", "string-unknown", "regressor",
        "regressor-pipeline", "classifier", "student-regressor", "student-class", "clusterer",
        "transformer", "number"])
def test_wrong_estimator_is_one_line_before_any_fit(iris_semi, make, message):
    X, _, y_semi = iris_semi
    est = make()
    est.get_params()  # constructing and inspecting never raises: fit validates
    with pytest.raises(PseudoLabelError) as err:
        est.fit(X, y_semi)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value) and isinstance(err.value, ValueError)
