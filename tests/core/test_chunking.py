"""Big pools on one machine: chunked scoring and stacking give the unchunked results."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression

import pseudolabel_magic.core.workflow as workflow
from pseudolabel_magic.core.engine import run
from pseudolabel_magic.core.scoring import (
    cap_rows,
    score_frame,
    stack_rows,
    with_n_jobs,
)


def blobs(n_lab=120, n_unl=500, seed=0, regression=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_lab + n_unl, 3))
    y = X[:, 0] + 0.5 * X[:, 1] + (rng.normal(size=len(X)) * 0.1 if regression else 0)
    if not regression:
        y = (y > 0).astype(int)
    cols = ["a", "b", "c"]
    labeled = pd.DataFrame(X[:n_lab], columns=cols).assign(y=y[:n_lab])
    unlabeled = pd.DataFrame(X[n_lab:], columns=cols, index=np.arange(1000, 1000 + n_unl))
    return labeled, unlabeled


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_score_frame_chunks_match_one_chunk(task):
    labeled, unlabeled = blobs(regression=task == "regression")
    model = (RandomForestClassifier if task == "classification" else RandomForestRegressor)(
        n_estimators=5, random_state=0).fit(labeled[["a", "b", "c"]], labeled["y"])
    whole = score_frame(model, unlabeled, task, features=["a", "b", "c"], chunk_rows=10**6)
    seen = []
    chunked = score_frame(model, unlabeled, task, features=["a", "b", "c"], chunk_rows=37,
                          on_chunk=lambda d, t: seen.append((d, t)))
    pd.testing.assert_frame_equal(whole, chunked)
    assert seen[-1] == (14, 14) and len(seen) == 14  # ceil(500 / 37)
    empty = score_frame(model, unlabeled.iloc[:0], task, features=["a", "b", "c"])
    assert len(empty) == 0 and list(empty.columns) == ["label", "confidence"]


@pytest.mark.parametrize("settings", [
    dict(select="all"),
    dict(select="threshold", threshold=0.8, rounds=2),
    dict(select="k-best", k_best=60, rounds=3, balance=True),
    dict(select="threshold", threshold=0.7, soft=True),
])
def test_run_chunked_equals_unchunked(settings):
    """Chunking promises the same decisions, not the same last bit.

    ``predict_proba`` on a 23-row chunk and on the whole pool may round the last bit of a
    probability differently (BLAS blocks the product by size), so: labels, selections and
    rounds are compared exactly; confidences and weights to 1e-12; the student's
    coefficients, refit on weights that may differ in the last bit, to lbfgs' own noise
    (rtol 1e-6), far below its stopping tolerance (tol=1e-4).
    """
    labeled, unlabeled = blobs()
    kw = dict(target="y", teacher=LogisticRegression(), **settings)
    big = run(labeled, unlabeled, chunk_rows=10**6, **kw)
    small = run(labeled, unlabeled, chunk_rows=23, **kw)
    exact = ["pseudo_label", "selected", "round"]
    pd.testing.assert_frame_equal(big.pseudo_labels[exact], small.pseudo_labels[exact])
    pd.testing.assert_frame_equal(big.pseudo_labels, small.pseudo_labels, check_exact=False,
                                  rtol=1e-12, atol=1e-12)
    pd.testing.assert_series_equal(big.predictions["prediction"], small.predictions["prediction"])
    pd.testing.assert_frame_equal(big.predictions, small.predictions, check_exact=False,
                                  rtol=1e-9, atol=1e-9)
    counts = [c for c in big.history.columns if c.startswith(("round", "n_", "selected"))]
    pd.testing.assert_frame_equal(big.history[counts], small.history[counts])
    pd.testing.assert_frame_equal(big.history, small.history, check_exact=False, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(big.student.coef_, small.student.coef_, rtol=1e-6, atol=1e-9)


def test_round_one_scores_the_users_frame_without_copying(monkeypatch):
    labeled, unlabeled = blobs()
    seen = []
    real = workflow.score_frame

    def spy(model, X, *args, **kwargs):
        seen.append(X is unlabeled)
        return real(model, X, *args, **kwargs)

    monkeypatch.setattr(workflow, "score_frame", spy)
    before = unlabeled.copy()
    run(labeled, unlabeled, target="y", teacher=LogisticRegression())
    assert seen == [True, True]  # pseudo-labelling and the final predictions
    pd.testing.assert_frame_equal(unlabeled, before)


def test_stack_rows_matches_concat_and_is_c_ordered():
    labeled, unlabeled = blobs()
    X_train = labeled[["c", "a"]]
    pos = np.array([0, 3, 4, 499])
    expected = pd.concat([X_train, unlabeled.iloc[pos][["c", "a"]]], ignore_index=True)
    got = stack_rows(X_train, unlabeled, ["c", "a"], pos, chunk_rows=3)
    pd.testing.assert_frame_equal(got, expected)
    assert np.asarray(got).flags.c_contiguous  # scikit-learn fits on it without another copy
    mixed = unlabeled.assign(c=(unlabeled["c"] > 0))  # bool + float: the concat path
    got = stack_rows(labeled[["a", "c"]].astype({"c": bool}), mixed, ["a", "c"], pos, chunk_rows=3)
    assert got["c"].dtype == bool and len(got) == len(labeled) + 4


def test_max_pseudo_rows_samples_with_the_seed():
    labeled, unlabeled = blobs()
    a = run(labeled, unlabeled, target="y", teacher=LogisticRegression(), max_pseudo_rows=50)
    b = run(labeled, unlabeled, target="y", teacher=LogisticRegression(), max_pseudo_rows=50)
    c = run(labeled, unlabeled, target="y", teacher=LogisticRegression(), max_pseudo_rows=50,
            random_state=1)
    assert a.n_selected == 50 and a.student.coef_.shape == (1, 3)
    assert a.pseudo_labels["selected"].equals(b.pseudo_labels["selected"])
    assert not a.pseudo_labels["selected"].equals(c.pseudo_labels["selected"])
    assert a.counts["n_student_train"] == a.counts["n_train"] + 50
    r = run(labeled, unlabeled, target="y", teacher=LogisticRegression(), max_pseudo_rows=80,
            select="k-best", k_best=60, rounds=3)
    assert list(r.history["n_selected"]) == [60, 20]  # the cap is cumulative; round 3 adds none
    pos = np.arange(10)
    assert cap_rows(pos, None, 0, 1) is pos and len(cap_rows(pos, 4, 0, 1)) == 4


def test_n_jobs_reaches_models_that_take_it():
    forest = with_n_jobs(RandomForestClassifier(), 2)
    assert forest.n_jobs == 2
    assert with_n_jobs(LogisticRegression(), 2).n_jobs is None  # ignored by it since sklearn 1.8
    labeled, unlabeled = blobs()
    r = run(labeled, unlabeled, target="y", n_jobs=1)  # default teacher: a RandomForest pipeline
    assert r.teacher[-1].n_jobs == 1 and r.student[-1].n_jobs == 1
    assert r.config["n_jobs"] == 1


def test_progress_counts_chunks():
    labeled, unlabeled = blobs()
    events = []
    run(labeled, unlabeled, target="y", teacher=LogisticRegression(), chunk_rows=100,
        progress=events.append)
    chunked = [e for e in events if e.step == "pseudo_label" and e.status == "running"
               and "partitions_done" in e.counts]
    assert [e.counts["partitions_done"] for e in chunked] == [1, 2, 3, 4, 5]
    assert chunked[-1].counts["partitions_total"] == 5
