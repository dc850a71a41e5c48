"""Issue 6 strategies: curriculum, calibration, out-of-fold teachers, the guard and "auto"."""

import html

import numpy as np
import pandas as pd
import pytest
from estimators import AlwaysZero, ColumnProba, ExplodingFit, known_confidence_data
from sklearn.linear_model import LinearRegression, LogisticRegression

import pseudolabel_magic as pl
from pseudolabel_magic.core.engine import run
from pseudolabel_magic.core.result import GUARD_NOTE
from pseudolabel_magic.core.selection import curriculum_threshold
from pseudolabel_magic.core.strategies import AUTO


@pytest.fixture
def iris_missing():
    from sklearn.datasets import load_iris

    df = load_iris(as_frame=True).frame
    df = df.drop_duplicates(subset=list(df.columns[:-1])).reset_index(drop=True)  # leakage check
    rng = np.random.default_rng(0)
    df.loc[rng.random(len(df)) > 0.4, "target"] = np.nan
    return df


def rounds_of(result):
    p = result.pseudo_labels
    return {r: list(p.index[p["round"] == r]) for r in sorted(set(p["round"])) if r > 0}


def test_curriculum_threshold_per_round():
    assert [curriculum_threshold([0.99, 0.9, 0.8], r) for r in (1, 2, 3, 4)] == [0.99, 0.9, 0.8, 0.8]


def test_curriculum_relaxes_round_by_round_exact_rows():
    labeled, unlabeled, validation = known_confidence_data()
    # confidences U0 .99, U1 .5, U2 .9, U3 .85, U4 .6, U5 .98, U6 .91, U7 .7
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
            curriculum=[0.95, 0.85, 0.6])
    assert rounds_of(r) == {1: ["U0", "U5"], 2: ["U2", "U3", "U6"], 3: ["U4", "U7"]}
    assert r.config["rounds"] == 3 and r.config["select"] == "threshold"
    assert r.config["curriculum"] == [0.95, 0.85, 0.6] and r.config["threshold"] == 0.95
    assert list(r.history["n_student_train"]) == [12, 15, 17]


def test_oof_teachers_label_with_the_fold_average_exact_rows():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
            select="threshold", threshold=0.9, oof=2)
    chosen = r.pseudo_labels.index[r.pseudo_labels["selected"]]
    assert list(chosen) == ["U0", "U2", "U5", "U6"]  # the fold mean of equal teachers
    oof = [f for f in r.fit_log if f.role == "oof-teacher"]
    assert len(oof) == 2 and [f.n_rows for f in oof] == [5, 5]
    folds = [set(f.labeled_index) for f in oof]
    assert not folds[0] & folds[1] and folds[0] | folds[1] == set(labeled.index)
    assert [f.role for f in r.fit_log] == ["teacher", "oof-teacher", "oof-teacher", "student"]


def test_fit_labeler_needs_only_a_fit_function():
    """The labeler is fitted through the callback it is given, with no workflow around it."""
    from sklearn.base import clone

    from pseudolabel_magic.core.teachers import FoldAverage, fit_labeler

    labeled, _, _ = known_confidence_data()
    X, y = labeled[["p"]], labeled["y"]
    calls = []

    def fit(template, role, X_fit, y_fit, labeled_index, pseudo_index, weights):
        calls.append((role, len(X_fit), len(labeled_index), len(pseudo_index)))
        return clone(template).fit(X_fit, y_fit)

    kw = {"role": "teacher", "task": "classification", "random_state": 0}
    assert fit_labeler(fit, ColumnProba(), X, y, X.index, X.index[:0], **kw) is None
    assert calls == []
    labeler = fit_labeler(fit, ColumnProba(), X, y, X.index, X.index[:0], oof=2, **kw)
    assert isinstance(labeler, FoldAverage) and len(labeler.models) == 2
    assert [c[0] for c in calls] == ["oof-teacher", "oof-teacher"]
    assert sum(c[1] for c in calls) == len(X) and all(c[1] == c[2] and c[3] == 0 for c in calls)


def assert_never_fit_on_validation(r):
    for record in r.fit_log:
        assert record.labeled_index.isin(r.train_index).all(), record
        assert not record.labeled_index.isin(r.validation_index).any(), record
        assert not record.pseudo_index.isin(r.validation_index).any(), record
        assert record.n_rows == len(record.labeled_index) + len(record.pseudo_index)
    assert {e.role for e in r.eval_log} == {"teacher", "student"}


def test_calibration_is_fit_on_train_only(iris_missing):
    r = run(iris_missing, target="target", teacher=LogisticRegression(max_iter=500),
            select="threshold", threshold=0.8, calibrate=True, rounds=2)
    roles = [(f.role, f.round) for f in r.fit_log]
    assert ("calibration", 1) in roles
    cal = next(f for f in r.fit_log if f.role == "calibration")
    assert cal.model == "CalibratedClassifierCV" and cal.labeled_index.equals(r.train_index)
    assert len(cal.pseudo_index) == 0
    assert_never_fit_on_validation(r)


def test_oof_and_calibration_together_never_touch_validation(iris_missing):
    r = run(iris_missing, target="target", teacher=LogisticRegression(max_iter=500),
            select="threshold", threshold=0.7, oof=3, calibrate=True, rounds=2)
    first = [f for f in r.fit_log if f.role == "oof-teacher"]
    assert len(first) == 3 and all(f.model == "CalibratedClassifierCV" for f in first)
    assert all(len(f.labeled_index) < len(r.train_index) for f in first)
    later = [f for f in r.fit_log if f.role == "oof-student"]
    assert len(later) in (0, 3) and all(len(f.pseudo_index) > 0 for f in later)
    assert_never_fit_on_validation(r)


def test_oof_gives_any_regressor_a_confidence():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    df["y"] = 2 * df["a"] + rng.normal(scale=0.5, size=120)
    df.loc[df.index[60:], "y"] = np.nan
    r = run(df, target="y", teacher=LinearRegression(), select="threshold", threshold=0.9, oof=4)
    conf = r.pseudo_labels["confidence"]
    assert conf.notna().all() and conf.between(0, 1).all()
    assert (r.pseudo_labels["selected"] == (conf >= 0.9)).all()


def test_guard_keeps_the_teacher_when_the_student_scores_lower():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), student=AlwaysZero(),
            validation=validation, guard=True)
    assert r.metrics.loc["student", "accuracy"] < r.metrics.loc["teacher", "accuracy"]
    assert r.guard_used and r.final_model == "teacher"
    assert list(r.predictions["prediction"]) == [1, 0, 0, 1, 1, 0, 1, 0]  # the teacher's
    for text in (r.summary(), repr(r), html.unescape(r._repr_html_())):
        assert "kept the teacher's predictions" in text and "used the validation score" in text
    assert GUARD_NOTE in r.summary()


def test_without_guard_the_student_predicts():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), student=AlwaysZero(),
            validation=validation)
    assert not r.guard_used and r.final_model == "student" and r.config["guard"] is False
    assert (r.predictions["prediction"] == 0).all()
    assert "guard" not in r.summary()


def test_guard_leaves_a_better_student_alone():
    from sklearn.dummy import DummyClassifier

    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=DummyClassifier(), student=ColumnProba(),
            validation=validation, guard=True)
    assert r.metrics.loc["student", "accuracy"] > r.metrics.loc["teacher", "accuracy"]
    assert not r.guard_used and r.final_model == "student"


def test_guard_keeps_the_teacher_on_a_tie():
    """Pseudo-labels must earn their place: equal scores keep the teacher's predictions."""
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation, guard=True)
    assert r.metrics.loc["student", "accuracy"] == r.metrics.loc["teacher", "accuracy"]
    assert r.guard_used and r.final_model == "teacher"


def test_auto_runs_the_benchmark_choice_with_the_guard():
    labeled, unlabeled, validation = known_confidence_data()
    r = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation, select="auto")
    assert r.config["auto"] is True and r.config["guard"] is True
    for key, value in AUTO.items():
        assert r.config[key] == value
    off = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
              select="auto", guard=False)
    assert off.config["guard"] is False
    plain = run(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation)
    assert plain.config["select"] == "all" and plain.config["auto"] is False


@pytest.mark.parametrize("kwargs, message", [
    (dict(calibrate="yes"), r"calibrate='yes' must be True or False"),
    (dict(oof=1), r"oof=1 must be True \(5 folds\), False, or a number of folds >= 2"),
    (dict(guard="on"), r"guard='on' must be True, False or None"),
    (dict(curriculum=[0.8, 0.9]), r"must relax round by round"),
    (dict(curriculum=[1.5]), r"curriculum threshold 1.5 is outside \[0, 1\]"),
    (dict(curriculum=[]), r"must be a list of thresholds"),
    (dict(curriculum=[0.9, 0.8], select="k-best", k_best=3), r"cannot go with select='k-best'"),
    (dict(curriculum=[0.9, 0.8], threshold=0.9), r"either threshold or curriculum"),
    (dict(curriculum=[0.9, 0.8], rounds=3), r"rounds=3 differs from the 2 thresholds"),
])
def test_bad_strategy_settings(iris_missing, kwargs, message):
    with pytest.raises(pl.PseudoLabelError, match=message):
        run(iris_missing, target="target", teacher=ExplodingFit(), **kwargs)


def test_calibrate_is_for_classification_only():
    df = pd.DataFrame({"x": np.arange(20.0), "y": [float(i) * 1.5 for i in range(10)] + [np.nan] * 10})
    with pytest.raises(pl.PseudoLabelError, match="calibrate=True .* classification only"):
        run(df, target="y", teacher=LinearRegression(), calibrate=True)
