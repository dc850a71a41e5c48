"""What the run fits: defaults sized for their rows, a bare estimator's preprocessing, a Pipeline as given."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import pseudolabel_magic as pl
from pseudolabel_magic.core.models import SMALL_TRAIN_ROWS, build_models
from pseudolabel_magic.core.pipelinecheck import check_pipeline
from pseudolabel_magic.core.preprocessing import FeatureProfile


def city_frame(n=90, seed=0, gaps=False):
    rng = np.random.default_rng(seed)
    city = rng.choice(["Paris", "Lyon", "Nice"], n)
    size = rng.normal(size=n)
    if gaps:
        size[::7] = np.nan
    frame = pd.DataFrame({"city": city, "size": size, "age": rng.integers(18, 80, n)})
    frame["label"] = np.where((city == "Paris") | (np.nan_to_num(size) > 1), "a", "b")
    return frame


def split(frame, n_labeled=60):
    return frame.iloc[:n_labeled], frame.iloc[n_labeled:].drop(columns="label")


def models_for(frame, teacher=None, student=None, **kwargs):
    labeled, unlabeled = split(frame)
    features = ["city", "size", "age"] if "city" in frame else [c for c in frame if c != "label"]
    return build_models("classification", labeled, labeled["label"], None, unlabeled, features,
                        teacher, student, **kwargs)


# -- a bare estimator gets the default preprocessing when the features need it -----------
def test_text_column_and_a_bare_random_forest():
    mine = RandomForestClassifier(n_estimators=20, random_state=0)
    teacher, student, notes = models_for(city_frame(), mine)
    assert notes == ["added the default preprocessing in front of your teacher "
                     "RandomForestClassifier because column 'city' holds text"]
    assert [name for name, _ in teacher.steps] == ["preprocess", "model"]
    assert [name for name, _ in teacher["preprocess"].steps] == ["clean", "vectorize"]
    assert [name for name, _ in student["preprocess"].steps] == ["clean", "vectorize"]
    labeled, unlabeled = split(city_frame())
    result = pl.run(labeled, unlabeled, target="label", teacher=mine)
    assert set(result.predictions["prediction"]) <= {"a", "b"}
    assert not hasattr(mine, "estimators_")  # the user's object is never fitted


def test_logistic_regression_on_missing_values():
    frame = city_frame(gaps=True).drop(columns="city")
    mine = LogisticRegression()
    teacher, _, notes = models_for(frame, mine)
    assert notes == ["added the default preprocessing in front of your teacher "
                     "LogisticRegression because column 'size' holds missing values"]
    assert [name for name, _ in teacher["preprocess"].steps] == ["clean", "impute", "scale"]
    labeled, unlabeled = split(frame)
    result = pl.run(labeled, unlabeled, target="label", teacher=mine)
    assert result.predictions["prediction"].notna().all()


def test_a_student_of_its_own_is_noted_as_the_student():
    _, student, notes = models_for(city_frame(), student=LogisticRegression())
    assert notes == ["added the default preprocessing in front of your student "
                     "LogisticRegression because column 'city' holds text"]
    assert [name for name, _ in student["preprocess"].steps] == ["clean", "vectorize", "impute", "scale"]
    assert isinstance(student["model"], LogisticRegression)


def test_features_a_bare_estimator_takes_are_left_alone():
    numbers = city_frame().drop(columns="city")
    teacher, _, notes = models_for(numbers, LogisticRegression())
    assert isinstance(teacher, LogisticRegression) and notes == []
    # a forest takes missing values itself (its tags say so)
    teacher, _, notes = models_for(city_frame(gaps=True).drop(columns="city"), RandomForestClassifier())
    assert isinstance(teacher, RandomForestClassifier) and notes == []


# -- a Pipeline is used as given; when it cannot take a column, one line first ------------
def test_a_pipeline_that_cannot_take_text_is_one_line_before_any_fit():
    labeled, unlabeled = split(city_frame())
    steps = []
    with pytest.raises(pl.PseudoLabelError, match=(
            r"^the teacher Pipeline \(StandardScaler > LogisticRegression\) cannot take column "
            r"'city', which holds text; encode it inside the Pipeline")):
        pl.run(labeled, unlabeled, target="label",
               teacher=make_pipeline(StandardScaler(), LogisticRegression()),
               progress=lambda event: steps.append(event.step))
    assert "teacher" not in steps


def test_a_pipeline_that_encodes_its_columns_is_used_as_given():
    encode = ColumnTransformer([("city", OneHotEncoder(handle_unknown="ignore"), ["city"])],
                               remainder="passthrough")
    mine = make_pipeline(encode, LogisticRegression())
    teacher, _, notes = models_for(city_frame(), mine)
    assert notes == []
    assert [type(step) for _, step in teacher.steps] == [ColumnTransformer, LogisticRegression]
    assert teacher.get_params()["logisticregression__C"] == 1.0


def test_other_pipeline_failures_are_left_to_the_fit():
    """A Pipeline failing for its own reasons (too many components) is not blamed on a column."""
    labeled, unlabeled = split(city_frame())
    mine = make_pipeline(PCA(n_components=500), LogisticRegression())
    profile = FeatureProfile([labeled, unlabeled], ["city", "size", "age"])
    check_pipeline(mine, labeled[["city", "size", "age"]], labeled["label"], "teacher", profile)


# -- the default student is sized for its own rows ---------------------------------------
def numeric_frames(n_train, n_pool):
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(size=(n_train, 3)), columns=list("xyz"))
    train["label"] = np.arange(n_train) % 2
    pool = pd.DataFrame(rng.normal(size=(n_pool, 3)), columns=list("xyz"))
    return train, pool


def test_the_default_student_is_chosen_for_train_plus_pool():
    train, pool = numeric_frames(800, 5000)
    args = ("classification", train, train["label"], None, pool, list("xyz"))
    teacher, student, _ = build_models(*args)
    assert isinstance(teacher[-1], RandomForestClassifier)
    assert isinstance(student[-1], HistGradientBoostingClassifier)
    assert student[-1].min_samples_leaf == 20
    # at most max_pseudo_rows pseudo-labelled rows: 900 rows in all, a forest again
    _, student, _ = build_models(*args, max_pseudo_rows=100)
    assert isinstance(student[-1], RandomForestClassifier)
    # a small pool: the same rule gives a forest
    small_train, small_pool = numeric_frames(800, SMALL_TRAIN_ROWS - 801)
    _, student, _ = build_models("classification", small_train, small_train["label"], None,
                                 small_pool, list("xyz"))
    assert isinstance(student[-1], RandomForestClassifier)


def test_a_users_teacher_is_also_the_student_and_n_jobs_reaches_the_defaults():
    train, pool = numeric_frames(800, 5000)
    args = ("classification", train, train["label"], None, pool, list("xyz"))
    teacher, student, _ = build_models(*args, RandomForestClassifier(n_estimators=10))
    assert isinstance(student, RandomForestClassifier) and student is not teacher
    teacher, student, _ = build_models(*args, n_jobs=2)
    assert teacher[-1].n_jobs == 2
    assert isinstance(student[-1], HistGradientBoostingClassifier)  # no n_jobs: OpenMP threads


def test_numbers_only_never_import_skrub(monkeypatch):
    """skrub costs ~1.8 s to import: plain number columns (even with NaN or inf) never need it."""
    monkeypatch.setitem(sys.modules, "skrub", None)  # importing it now raises ImportError
    t = pd.DataFrame({"x": np.r_[np.arange(39.0), np.inf], "w": np.r_[np.nan, np.arange(39.0)],
                      "y": np.arange(40) % 2})
    teacher, _, notes = build_models("classification", t, t["y"], None, t[["x", "w"]].iloc[:9],
                                     ["x", "w"])
    teacher.fit(t[["x", "w"]], t["y"])
    assert notes == ["column 'x' holds inf (1 value): read as missing"]


def test_prepare_estimator_takes_frames_too():
    from pseudolabel_magic.core.models import prepare_estimator

    labeled, unlabeled = split(city_frame())
    model, note = prepare_estimator(HistGradientBoostingClassifier(), [labeled, unlabeled],
                                    ["city", "size", "age"], role="student")
    assert note == ("added the default preprocessing in front of your student "
                    "HistGradientBoostingClassifier because column 'city' holds text")
    assert type(model["preprocess"]["vectorize"].transformer.low_cardinality).__name__ == "ToCategorical"
    mine = make_pipeline(StandardScaler(), LogisticRegression())
    assert prepare_estimator(mine, labeled, ["size", "age"]) == (mine, None)


def test_a_pipeline_that_passes_gaps_to_a_model_refusing_them_is_one_line():
    frame = city_frame(gaps=True).drop(columns="city")
    labeled, unlabeled = split(frame)
    steps = []
    with pytest.raises(pl.PseudoLabelError, match=(
            r"^the teacher Pipeline \(StandardScaler > LogisticRegression\) passes the missing values "
            r"of column 'size' to LogisticRegression, which does not take them; put SimpleImputer\(\)")):
        pl.run(labeled, unlabeled, target="label",
               teacher=make_pipeline(StandardScaler(), LogisticRegression()),
               progress=lambda event: steps.append(event.step))
    assert "teacher" not in steps
    from sklearn.impute import SimpleImputer

    mine = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())
    assert models_for(frame, mine)[2] == []


def test_duplicated_feature_names_are_one_line():
    frame = city_frame().set_axis(["city", "size", "size", "label"], axis=1)
    labeled, unlabeled = split(frame)
    with pytest.raises(pl.PseudoLabelError, match=r"column 'size' appears 2 times in labeled; rename"):
        build_models("classification", labeled, labeled["label"], None, unlabeled,
                     ["city", "size"])


def test_names_that_are_not_all_text_reach_the_model_as_text():
    from pseudolabel_magic.core.textnames import (
        TextColumnNames,
        model_name,
        with_text_names,
    )

    frame = city_frame().set_axis(["3", 3, 2.5, "label"], axis=1)  # "3" and 3 are two columns
    labeled, unlabeled = split(frame)
    features = ["3", 3, 2.5]
    teacher, _, notes = build_models("classification", labeled, labeled["label"], None,
                                     unlabeled, features, LogisticRegression())
    assert isinstance(teacher[0], TextColumnNames) and model_name(teacher) == "Pipeline > LogisticRegression"
    assert notes == [("added the default preprocessing in front of your teacher LogisticRegression "
                      "because column '3' holds text")]
    teacher.fit(labeled[features], labeled["label"])
    assert teacher[0].names_ == ["3", "3 (int)", "2.5"]
    assert list(teacher.feature_names_in_) == features  # the user's names, as given
    pool = unlabeled[features]
    np.testing.assert_array_equal(teacher.predict(pool[[2.5, "3", 3]]), teacher.predict(pool))
    assert list(unlabeled.columns) == features  # never renamed
    with pytest.raises(ValueError, match=r"missing: \[2\.5\]"):
        teacher.predict(pool[["3", 3]])
    plain = LogisticRegression()
    assert with_text_names(plain, ["city", "size"]) is plain  # text names: nothing in front
