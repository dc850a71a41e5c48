"""The Dask path gives the in-memory path's pseudo-labels; predictions stay lazy."""

import copy
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression, SGDClassifier

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

from pseudolabel_magic import PseudoLabelError  # noqa: E402
from pseudolabel_magic.core.dask import row_hashes  # noqa: E402
from pseudolabel_magic.core.engine import run  # noqa: E402
from pseudolabel_magic.kinds import is_dask_frame  # noqa: E402
from pseudolabel_magic.leakage.hashing import row_hashes as pandas_row_hashes  # noqa: E402

COLS = ["a", "b", "c"]


def blobs(n_lab=150, n_unl=600, seed=0, regression=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_lab + n_unl, 3))
    y = X[:, 0] + 0.5 * X[:, 1] + (rng.normal(size=len(X)) * 0.2 if regression else 0)
    if not regression:
        y = (y > 0).astype(int)
    labeled = pd.DataFrame(X[:n_lab], columns=COLS).assign(y=y[:n_lab])
    unlabeled = pd.DataFrame(X[n_lab:], columns=COLS, index=np.arange(5000, 5000 + n_unl))
    return labeled, unlabeled


@pytest.fixture
def sync():
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def same(in_memory, on_dask):
    # partitions are scored apart, so probabilities may differ in the last bit: decisions
    # compare exactly, floats to 1e-12
    exact = ["pseudo_label", "selected", "round"]
    pd.testing.assert_frame_equal(in_memory.pseudo_labels[exact], on_dask.pseudo_labels[exact])
    pd.testing.assert_frame_equal(in_memory.pseudo_labels, on_dask.pseudo_labels,
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(in_memory.history, on_dask.history, check_exact=False, rtol=1e-9)
    on_dask_predictions = on_dask.predictions.compute()
    pd.testing.assert_series_equal(in_memory.predictions["prediction"], on_dask_predictions["prediction"])
    pd.testing.assert_frame_equal(in_memory.predictions, on_dask_predictions,
                                  check_exact=False, rtol=1e-9, atol=1e-12)


def test_local_cluster_gives_the_in_memory_pseudo_labels(client):
    labeled, unlabeled = blobs()
    kw = dict(target="y", teacher=LogisticRegression(), select="threshold", threshold=0.9,
              rounds=2, random_state=3)
    expected = run(labeled, unlabeled, **kw)
    got = run(labeled, dd.from_pandas(unlabeled, npartitions=4), **kw)
    same(expected, got)
    assert got.counts["partitions_total"] == 4


def test_result_outlives_its_client():
    """predictions hold the fitted model, not a client future: they compute once the client and
    its cluster are closed, and the result deep-copies and pickles."""
    distributed = pytest.importorskip("distributed")
    labeled, unlabeled = blobs()
    kw = dict(target="y", teacher=LogisticRegression(), select="threshold", threshold=0.9,
              rounds=2, random_state=1)
    expected = run(labeled, unlabeled, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    try:
        with distributed.Client(cluster) as own, distributed.get_task_stream(client=own) as stream:
            got = run(labeled, dd.from_pandas(unlabeled, npartitions=3), **kw)
        assert stream.data  # the run's passes ran on this cluster
    finally:
        cluster.close()
    assert is_dask_frame(got.predictions)
    with dask.config.set(scheduler="synchronous"):  # not another test's client either
        for result in (got, copy.deepcopy(got), pickle.loads(pickle.dumps(got))):
            same(expected, result)


def test_local_scheduler_result_deep_copies(sync):
    labeled, unlabeled = blobs()
    got = run(labeled, dd.from_pandas(unlabeled, npartitions=3), target="y",
              teacher=LogisticRegression())
    copied = copy.deepcopy(got)
    assert copied.predictions is not got.predictions and copied.student is not got.student
    assert copied.pseudo_labels is not got.pseudo_labels
    pd.testing.assert_frame_equal(copied.pseudo_labels, got.pseudo_labels)
    pd.testing.assert_frame_equal(copied.predictions.compute(), got.predictions.compute())
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(got)).predictions.compute(),
                                  got.predictions.compute())


@pytest.mark.parametrize("settings", [
    dict(select="all"),
    dict(select="threshold", threshold=0.85, rounds=3),
    dict(select="k-best", k_best=70, rounds=2, balance=True),
    dict(select="threshold", threshold=0.8, soft=True, pseudo_weight=0.5),
    dict(select="all", max_pseudo_rows=120),
])
def test_same_pseudo_labels_as_in_memory(sync, settings):
    labeled, unlabeled = blobs()
    kw = dict(target="y", teacher=LogisticRegression(), **settings)
    same(run(labeled, unlabeled, **kw), run(labeled, dd.from_pandas(unlabeled, npartitions=5), **kw))


def test_regression_confidence_from_forest(sync):
    labeled, unlabeled = blobs(regression=True)
    kw = dict(target="y", teacher=RandomForestRegressor(n_estimators=10, random_state=0),
              select="k-best", k_best=100)
    same(run(labeled, unlabeled, **kw), run(labeled, dd.from_pandas(unlabeled, npartitions=3), **kw))


def test_empty_partitions_and_original_index(sync):
    labeled, unlabeled = blobs()
    ddf = dd.from_pandas(unlabeled, npartitions=4)
    ddf = ddf[ddf["a"] < 10]  # no row dropped, but a filter: some partitions may be empty
    parts = [unlabeled.iloc[:0], unlabeled.iloc[:300], unlabeled.iloc[:0], unlabeled.iloc[300:]]
    with_empty = dd.from_map(lambda p: p, parts)
    for frame in (ddf, with_empty):
        r = run(labeled, frame, target="y", teacher=LogisticRegression())
        assert is_dask_frame(r.predictions)
        predictions = r.predictions.compute()
        assert predictions.index.equals(unlabeled.index)
        assert r.pseudo_labels.index.equals(unlabeled.index)
        assert list(predictions.columns) == ["prediction", "confidence"]


def test_partial_fit_student_streams_partitions(sync):
    labeled, unlabeled = blobs()
    events = []
    r = run(labeled, dd.from_pandas(unlabeled, npartitions=3), target="y",
            teacher=LogisticRegression(), student=SGDClassifier(loss="log_loss", random_state=0),
            progress=events.append)
    student_fit = [f for f in r.fit_log if f.role == "student"][0]
    assert student_fit.model.endswith("(partial_fit)")
    assert student_fit.n_rows == r.counts["n_train"] + len(unlabeled)
    streamed = [e for e in events if e.step == "student" and e.status == "running" and e.detail]
    assert [e.counts["partitions_done"] for e in streamed] == [1, 2, 3]
    assert r.predictions.compute()["prediction"].isin([0, 1]).all()


def test_progress_reports_partitions(sync):
    labeled, unlabeled = blobs()
    events = []
    run(labeled, dd.from_pandas(unlabeled, npartitions=4), target="y",
        teacher=LogisticRegression(), progress=events.append)
    scoring = [e.counts["partitions_done"] for e in events
               if e.step == "pseudo_label" and e.status == "running" and e.detail]
    assert scoring == [1, 2, 3, 4]


def test_leakage_checks_see_validation_rows_in_partitions(sync):
    labeled, unlabeled = blobs()
    validation = labeled.iloc[:20]
    leaked = pd.concat([unlabeled, validation.iloc[:3][COLS].set_axis([1, 2, 3])])
    ddf = dd.from_pandas(leaked, npartitions=4, sort=False)
    kw = dict(validation=validation, target="y", teacher=LogisticRegression())
    in_memory = run(labeled.iloc[20:], leaked, **kw)
    on_dask = run(labeled.iloc[20:], ddf, **kw)  # copies in the pool: neutralised, not refused
    expected = in_memory.leakage.checks.set_index("check")
    got = on_dask.leakage.checks.set_index("check")
    pd.testing.assert_series_equal(expected["count"], got["count"])
    pd.testing.assert_series_equal(expected["status"], got["status"])
    assert got.loc["validation_rows_in_unlabeled", "count"] == 3
    assert got.loc["student_fit_saw_validation", "status"] == "pass"
    for result in (in_memory, on_dask):
        assert result.counts["n_kept_out"] == 3
        assert not result.pseudo_labels["selected"].iloc[-3:].any()  # the copies never trained
    # copies in train are refused on the Dask path too, before any fit
    copied = pd.concat([labeled.iloc[20:], validation.iloc[:3].set_axis([9001, 9002, 9003])])
    with pytest.raises(PseudoLabelError, match="validation_rows_in_train"):
        run(copied, dd.from_pandas(unlabeled, npartitions=4, sort=False), **kw)


def test_row_hashes_match_pandas(sync):
    _, unlabeled = blobs()
    hashes = row_hashes(dd.from_pandas(unlabeled, npartitions=3), COLS).compute()
    np.testing.assert_array_equal(hashes.to_numpy(), pandas_row_hashes(unlabeled, COLS))
    assert hashes.index.equals(unlabeled.index)


def test_import_does_not_import_dask():
    code = ("import sys, pseudolabel_magic, pseudolabel_magic.core.engine, pseudolabel_magic.core.dask;"
            "assert not any(m == 'dask' or m.startswith('dask.') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_partial_fit_warnings_are_counted_once_and_kept(sync):
    """A student warning on every partial_fit call: one summary, kept in the result."""
    import warnings

    labeled, unlabeled = blobs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = run(labeled, dd.from_pandas(unlabeled, npartitions=3), target="y",
                teacher=LogisticRegression(), student=WarnySGD(loss="log_loss", random_state=0))
    row = r.warnings[(r.warnings["role"] == "student") & (r.warnings["during"] == "fit")]
    assert row["message"].tolist() == ["one more chunk"] and row["count"].tolist() == [1]
    shown = [w for w in caught if "one more chunk" in str(w.message)]
    assert len(shown) == 1 and "kept in result.warnings" in str(shown[0].message)


class WarnySGD(SGDClassifier):
    def partial_fit(self, X, y, **kwargs):
        import warnings

        warnings.warn("one more chunk", UserWarning)
        return super().partial_fit(X, y, **kwargs)


def test_default_student_is_sized_for_the_dask_pool_not_a_stand_in(sync):
    """The checks see a 2-row stand-in of the pool; the default student is still chosen for
    the rows it will get (boosting above 2,000), as on the pandas path."""
    labeled, unlabeled = blobs()
    big = pd.concat([unlabeled] * 8, ignore_index=True)  # 2,400+ rows
    r = run(labeled, dd.from_pandas(big, npartitions=4), target="y")
    pandas_run = run(labeled, big, target="y")
    assert type(r.student[-1]).__name__ == type(pandas_run.student[-1]).__name__
