"""The engine: each select mode, rounds, weights, tasks, splits, determinism, fit_log."""

import numpy as np
import pandas as pd
import pytest
from estimators import ColumnProba, ExplodingFit, known_confidence_data
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import SVC

import pseudolabel_magic as pl
from pseudolabel_magic.core.engine import run


@pytest.fixture
def iris_missing():
    from sklearn.datasets import load_iris

    df = load_iris(as_frame=True).frame
    rng = np.random.default_rng(0)
    df.loc[rng.random(len(df)) > 0.3, "target"] = np.nan
    return df


def test_select_all_is_the_five_lines():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation)
    assert r.pseudo_labels["selected"].all()
    assert r.pseudo_labels.index.equals(unlabeled.index)
    assert list(r.pseudo_labels["pseudo_label"]) == [1, 0, 0, 1, 1, 0, 1, 0]  # a 0.5 tie goes to class 0
    np.testing.assert_allclose(r.pseudo_labels["confidence"], [0.99, 0.5, 0.9, 0.85, 0.6, 0.98, 0.91, 0.7])
    assert r.student.fit_rows_ == 18  # 10 train + 8 pseudo


def test_select_threshold_keeps_rows_at_or_above():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
            select="threshold", threshold=0.9)
    chosen = r.pseudo_labels.index[r.pseudo_labels["selected"]]
    assert list(chosen) == ["U0", "U2", "U5", "U6"]  # 0.99, 0.9 (>=), 0.98, 0.91


def test_select_k_best_per_round_and_rounds_accumulate():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
            select="k-best", k_best=3, rounds=2)
    pl_ = r.pseudo_labels
    assert list(pl_.index[pl_["round"] == 1]) == ["U0", "U5", "U6"]  # 0.99, 0.98, 0.91
    assert list(pl_.index[pl_["round"] == 2]) == ["U2", "U3", "U7"]  # 0.9, 0.85, 0.7
    assert list(r.history["n_selected"]) == [3, 3]
    assert list(r.history["n_student_train"]) == [13, 16]


def test_rounds_stop_early_when_nothing_new():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
            select="threshold", threshold=0.9, rounds=5)
    assert len(r.history) == 1  # round 2 finds no new row above 0.9 and stops
    assert [f.role for f in r.fit_log] == ["teacher", "student"]


def test_balance_follows_labeled_mix():
    labeled, unlabeled, validation = known_confidence_data()
    # labeled mix is 50/50; threshold 0.85 alone keeps three 1s (U0 .99, U6 .91, U3 .85)
    # and two 0s (U5 .98, U2 .9): balancing keeps 2 + 2, the most confident of each class
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
            select="threshold", threshold=0.85, balance=True)
    chosen = r.pseudo_labels[r.pseudo_labels["selected"]]
    assert sorted(chosen.index) == ["U0", "U2", "U5", "U6"]


def test_soft_weights_reach_the_student():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
            soft=True, pseudo_weight=0.5)
    w = r.student.sample_weight_
    np.testing.assert_allclose(w[:10], 1.0)
    np.testing.assert_allclose(w[10:], 0.5 * r.pseudo_labels["confidence"].to_numpy())
    np.testing.assert_allclose(r.pseudo_labels["weight"], w[10:])
    assert r.fit_log[-1].weighted and not r.fit_log[0].weighted


def test_weights_need_a_student_that_accepts_them(iris_missing):
    from sklearn.neighbors import KNeighborsClassifier

    with pytest.raises(pl.PseudoLabelError, match="sample_weight"):
        run(iris_missing, target="target", student=KNeighborsClassifier(), soft=True)


def test_default_model_classroom_iris_10_percent():
    """From a dozen labels the default teacher must predict several classes, not one."""
    from sklearn.datasets import load_iris

    df = load_iris(as_frame=True).frame
    labeled_pos = df.groupby("target").head(5).index  # 15 labels, 5 per class
    data = df.copy()
    data.loc[~data.index.isin(labeled_pos), "target"] = np.nan
    r = run(data, target="target", val_size=0.2)
    hidden = df.loc[r.predictions.index, "target"]
    assert r.predictions["prediction"].nunique() == 3
    assert (r.predictions["prediction"] == hidden).mean() > 0.8


def test_mixed_feature_types_work_with_defaults():
    rng = np.random.default_rng(1)
    n = 240
    df = pd.DataFrame({
        "num": rng.normal(size=n),
        "text": rng.choice(["red", "green", None], n),
        "cat": pd.Categorical(rng.choice(["p", "q"], n)),
        "flag": pd.array(rng.random(n) > 0.5, dtype="boolean"),
        "when": pd.date_range("2024-01-01", periods=n, freq="h"),
        "gappy": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
        "id_like": [f"id{i}" for i in range(n)],  # high-cardinality text
    })
    df["label"] = np.where(df["num"] + (df["text"] == "red") > 0.2, "yes", "no")
    labeled, unlabeled = df.iloc[:120], df.iloc[120:].drop(columns="label")
    unlabeled.loc[unlabeled.index[:5], "text"] = "purple"  # a category never seen in training
    r = run(labeled, unlabeled, target="label")
    assert set(r.predictions["prediction"]) <= {"yes", "no"}
    assert r.metrics.loc["teacher", "accuracy"] > 0.7
    # the fitted models predict straight from a frame with the feature columns
    assert len(r.student.predict(unlabeled[r.config["features"]])) == 120


def test_regression_with_and_without_confidence():
    rng = np.random.default_rng(2)
    n = 300
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    df["y"] = 3 * df["a"] - df["b"] + rng.normal(scale=0.1, size=n)
    df.loc[df.index[150:], "y"] = np.nan
    r = run(df, target="y", teacher=LinearRegression())
    assert r.task == "regression"
    assert r.metrics.loc["student", "r2"] > 0.95
    assert r.pseudo_labels["confidence"].isna().all() and r.pseudo_labels["selected"].all()
    with pytest.raises(pl.PseudoLabelError, match="threshold"):
        run(df, target="y", teacher=LinearRegression(), select="threshold", threshold=0.5)
    rf = run(df, target="y", teacher=RandomForestRegressor(30, random_state=0),
             select="threshold", threshold=0.6)
    conf = rf.pseudo_labels["confidence"]
    assert conf.between(0, 1).all()
    assert (rf.pseudo_labels["selected"] == (conf >= 0.6)).all()


def test_group_split_keeps_groups_on_one_side(iris_missing):
    data = iris_missing.copy()
    data["school"] = np.arange(len(data)) % 12
    r = run(data, target="target", group_col="school", teacher=LogisticRegression(max_iter=500))
    train_groups = set(data.loc[r.train_index, "school"])
    val_groups = set(data.loc[r.validation_index, "school"])
    assert train_groups and val_groups and not train_groups & val_groups
    assert "school" not in r.config["features"]


def test_time_split_puts_latest_rows_in_validation(iris_missing):
    data = iris_missing.copy()
    data["day"] = pd.date_range("2024-01-01", periods=len(data))[::-1]  # latest rows first
    r = run(data, target="target", time_col="day", teacher=LogisticRegression(max_iter=500))
    assert data.loc[r.validation_index, "day"].min() > data.loc[r.train_index, "day"].max()


def test_stratified_split_keeps_every_class_in_validation(iris_missing):
    r = run(iris_missing, target="target", val_size=0.3)
    val = iris_missing.loc[r.validation_index, "target"]
    assert set(val) == {0.0, 1.0, 2.0}


def test_same_seed_same_result_and_user_frames_untouched(iris_missing):
    before = iris_missing.copy(deep=True)
    dtypes, index = iris_missing.dtypes.copy(), iris_missing.index.copy()
    teacher = LogisticRegression(max_iter=500)
    a = run(iris_missing, target="target", teacher=teacher, select="threshold", threshold=0.7, rounds=2)
    b = run(iris_missing, target="target", teacher=teacher, select="threshold", threshold=0.7, rounds=2)
    pd.testing.assert_frame_equal(a.pseudo_labels, b.pseudo_labels)
    pd.testing.assert_frame_equal(a.predictions, b.predictions)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    pd.testing.assert_frame_equal(iris_missing, before)
    assert iris_missing.dtypes.equals(dtypes) and iris_missing.index.equals(index)
    assert not hasattr(teacher, "coef_")  # the user's estimator is cloned, never fitted


def test_fit_log_proves_validation_never_reached_a_fit(iris_missing):
    r = run(iris_missing, target="target", select="threshold", threshold=0.6, rounds=3)
    assert r.fit_log, "every run fits at least a teacher and a student"
    for record in r.fit_log:
        assert not record.labeled_index.isin(r.validation_index).any()
        assert record.labeled_index.isin(r.train_index).all()
        assert record.n_rows == len(record.labeled_index) + len(record.pseudo_index)
        assert record.preprocessing == ("preprocess",)  # preprocessing fit inside the same call
    assert {e.role for e in r.eval_log} == {"teacher", "student"}
    for e in r.eval_log:
        assert e.index.equals(r.validation_index)
        pd.testing.assert_series_equal(e.y_true, iris_missing.loc[r.validation_index, "target"])


def test_result_tables_have_the_documented_shape(iris_missing):
    r = run(iris_missing, target="target")
    unl = iris_missing.index[iris_missing["target"].isna()]
    assert list(r.pseudo_labels.columns) == ["pseudo_label", "confidence", "selected", "round"]
    assert list(r.predictions.columns) == ["prediction", "confidence"]
    assert r.pseudo_labels.index.equals(unl) and r.predictions.index.equals(unl)
    assert list(r.metrics.index) == ["teacher", "student"]
    assert list(r.metrics.columns) == ["accuracy", "balanced_accuracy", "f1_macro", "log_loss"]
    assert set(r.timings) >= {"split", "teacher", "pseudo_label", "combine", "student"}
    assert "accuracy" in repr(r) and "<table" in r._repr_html_()


def test_progress_events_cover_every_step(iris_missing):
    events = []
    run(iris_missing, target="target", progress=events.append)
    keys = [(e.step, e.status) for e in events]
    for step in ("split", "teacher", "pseudo_label", "combine", "student"):
        assert (step, "running") in keys and (step, "done") in keys
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert events[-1].counts["n_student_train"] > events[-1].counts["n_train"]


# -- bad input: one sentence, raised before any fit -------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(target="taget"), r"target column 'taget' is not in labeled.*Did you mean 'target'\?"),
    (dict(target="target", select="best"), r"unknown select='best'"),
    (dict(target="target", select="threshold", threshold=1.5), r"threshold=1.5 is outside \[0, 1\]"),
    (dict(target="target", select="threshold", threshold=-0.1), r"outside \[0, 1\]"),
    (dict(target="target", select="k-best", k_best=0), r"k_best=0 must be a whole number >= 1"),
    (dict(target="target", rounds=0), r"rounds=0 must be a whole number >= 1"),
    (dict(target="target", val_size=0.999), r"too few labeled rows"),
    (dict(target="target", teacher=SVC(), select="threshold", threshold=0.9), r"has no predict_proba"),
])
def test_bad_settings(iris_missing, kwargs, message):
    kwargs.setdefault("teacher", kwargs.get("teacher", ExplodingFit()))
    with pytest.raises(pl.PseudoLabelError, match=message):
        run(iris_missing, **kwargs)


def test_bad_frames(iris_missing):
    with pytest.raises(pl.PseudoLabelError, match="labeled must be a pandas DataFrame, got ndarray"):
        run(iris_missing.to_numpy(), target="target")
    with pytest.raises(pl.PseudoLabelError, match="unlabeled must be a pandas DataFrame, got list"):
        run(iris_missing.dropna(), [1, 2], target="target")
    with pytest.raises(pl.PseudoLabelError, match="unlabeled set is empty"):
        run(iris_missing.dropna(), target="target", teacher=ExplodingFit())
    with pytest.raises(pl.PseudoLabelError, match="labeled set is empty"):
        run(iris_missing[iris_missing["target"].isna()], target="target", teacher=ExplodingFit())
    unl = iris_missing[iris_missing["target"].isna()].drop(columns=["target", "petal width (cm)"])
    with pytest.raises(pl.PseudoLabelError, match=r"unlabeled lacks 1 feature column.*'petal width \(cm\)'"):
        run(iris_missing.dropna(), unl, target="target", teacher=ExplodingFit())


def test_single_class_and_tiny_labeled_sets():
    df = pd.DataFrame({"x": range(10), "y": [1.0] * 6 + [np.nan] * 4})
    with pytest.raises(pl.PseudoLabelError, match="single class"):
        run(df, target="y", teacher=ExplodingFit())
    tiny = pd.DataFrame({"x": range(5), "y": [0, np.nan, np.nan, np.nan, np.nan]})
    with pytest.raises(pl.PseudoLabelError, match="too few labeled rows"):
        run(tiny, target="y", teacher=ExplodingFit())


def test_validation_frame_with_other_columns(iris_missing):
    labeled = iris_missing.dropna()
    unl = iris_missing[iris_missing["target"].isna()]
    val = labeled.iloc[:10].rename(columns={"sepal length (cm)": "sepal_len"})
    with pytest.raises(pl.PseudoLabelError, match="validation has other columns than labeled"):
        run(labeled.iloc[10:], unl, validation=val, target="target", teacher=ExplodingFit())


def test_split_keeps_identical_rows_on_one_side():
    """Natural duplicates (iris has some) never straddle the engine's own split."""
    rng = np.random.default_rng(3)
    base = pd.DataFrame({"a": rng.integers(0, 4, 80), "b": rng.integers(0, 3, 80)})  # many twins
    base["y"] = (base["a"] + base["b"] > 2).astype(int)
    unl = pd.DataFrame({"a": [9, 8], "b": [9, 8]}, index=["u1", "u2"])
    for seed in range(5):
        r = run(base, unl, target="y", teacher=LogisticRegression(), random_state=seed)
        key = lambda idx: set(map(tuple, base.loc[idx, ["a", "b"]].to_numpy()))  # noqa: E731
        assert not key(r.train_index) & key(r.validation_index)
        checks = r.leakage.checks.set_index("check")
        assert checks.loc["validation_rows_in_train", "count"] == 0


def test_twins_of_validation_in_the_same_frame_warn_and_never_train():
    labeled, unlabeled, validation = known_confidence_data()
    labeled_all = pd.concat([labeled, validation])
    copies = labeled_all.assign(y=np.nan).rename(index=lambda label: f"copy of {label}")
    frame = pd.concat([labeled_all, unlabeled.assign(y=np.nan), copies])  # one table with twins
    r = run(frame, target="y", teacher=ColumnProba(), val_size=2, random_state=1)
    twins = frame.index[frame["y"].isna() & frame["p"].isin(frame.loc[r.validation_index, "p"])]
    assert len(twins) >= 1
    checks = r.leakage.checks.set_index("check")
    assert checks.loc["validation_rows_in_unlabeled", "status"] == "warn"
    assert not r.pseudo_labels.loc[twins, "selected"].any()  # predicted, never trained on
    assert r.predictions.index.isin(twins).sum() == len(twins)
    assert r.leakage.ok and not r.leaky
    student_fit = r.fit_log[-1]
    assert not student_fit.pseudo_index.isin(twins).any()


def test_to_code_says_when_twins_were_kept_out():
    labeled, unlabeled, validation = known_confidence_data()
    labeled_all = pd.concat([labeled, validation])
    copies = labeled_all.assign(y=np.nan).rename(index=lambda label: f"copy of {label}")
    frame = pd.concat([labeled_all, unlabeled.assign(y=np.nan), copies])
    r = run(frame, target="y", teacher=LogisticRegression(), val_size=2, random_state=1)
    assert r.counts["n_kept_out"] == 2
    assert r.to_code().startswith("# NOTE: 2 unlabeled row(s) duplicate a validation row")
