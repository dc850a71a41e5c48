"""Every real DataFrame works, and every mistake is one line: task, seeds, warnings, labels
and sample_weight of ``pl.run``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, load_wine
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import pseudolabel_magic as pl
from pseudolabel_magic.errors import PseudoLabelError
from pseudolabel_magic.sklearn import PseudoLabelClassifier

FEATURES = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def iris():
    """Iris without duplicate rows; 'y' is missing on about half the rows."""
    X, y = load_iris(return_X_y=True)
    _, keep = np.unique(X, axis=0, return_index=True)
    X, y = X[np.sort(keep)], y[np.sort(keep)]
    frame = pd.DataFrame(X, columns=FEATURES).assign(y=y.astype(float))
    frame.loc[np.random.default_rng(0).random(len(frame)) < 0.5, "y"] = np.nan
    return frame


def _split(iris):
    """train, validation (25 shuffled labeled rows) and the unlabeled pool, fixed."""
    labeled = iris[iris["y"].notna()].sample(frac=1.0, random_state=0)
    return labeled.iloc[25:], labeled.iloc[:25], iris[iris["y"].isna()].drop(columns="y")


def _one_line(info) -> str:
    message = str(info.value)
    assert "\n" not in message and isinstance(info.value, ValueError), message
    return message


# -- 1. the task: given, from the teacher, or guessed, and always said -----------------------
def test_task_guessed_given_or_from_the_teacher_is_said(iris):
    guessed = pl.run(iris, target="y", teacher=None, select="all")
    assert guessed.task == "classification"
    assert guessed.task_reason == "guessed: 'y' holds 3 whole-number values (at most 20 → classes)"
    assert any("taken as 3 classes" in n and "task='regression'" in n for n in guessed.notes)
    assert "task: classification (guessed:" in repr(guessed)

    given = pl.run(iris, target="y", task="regression")
    assert given.task == "regression" and given.task_reason == "given: task='regression'"
    assert "r2" in given.metrics and not given.notes  # no guess, no note
    assert isinstance(given.teacher[-1], RandomForestRegressor)  # the default follows the task

    taught = pl.run(iris, target="y", teacher=LogisticRegression(max_iter=1000))
    assert taught.task_reason == "from the teacher: LogisticRegression(max_iter=1000) is a classifier"
    assert not taught.notes  # the teacher decided: the count note is for guesses only


def test_many_whole_numbers_are_amounts_and_decimals_too(iris):
    frame = iris.assign(y=(iris["a"] * 10).round().where(iris["y"].notna()))  # 20+ whole numbers
    r = pl.run(frame, target="y")
    assert r.task == "regression"
    assert r.task_reason.startswith("guessed: 'y' holds ") and "(more than 20 → amounts)" in r.task_reason


def test_a_classifier_on_a_continuous_target_is_one_line(iris):
    frame = iris.assign(y=iris["a"].where(iris["y"].notna()) + 0.01)
    with pytest.raises(PseudoLabelError) as info:
        pl.run(frame, target="y", teacher=LogisticRegression())
    message = _one_line(info)
    assert message.startswith("the teacher LogisticRegression() is a classifier, but target 'y' is "
                              "continuous")
    assert "pass task='regression' with a regressor such as RandomForestRegressor()" in message
    with pytest.raises(PseudoLabelError, match=r"^task='classification' asks for classes, but "
                                               r"target 'y' is continuous"):
        pl.run(frame, target="y", task="classification")


def test_task_and_a_model_of_the_other_kind_is_one_line(iris):
    with pytest.raises(PseudoLabelError) as info:
        pl.run(iris, target="y", task="classification", teacher=Ridge())
    assert _one_line(info) == ("teacher Ridge() is a regressor, but task='classification' needs a "
                               "classifier; pass a classifier such as LogisticRegression(), or "
                               "task='regression'.")
    with pytest.raises(PseudoLabelError, match=r"unknown task='regresion'.*Did you mean 'regression'"):
        pl.run(iris, target="y", task="regresion")
    text = iris.assign(y=iris["y"].map({0: "a", 1: "b", 2: "c"}))
    with pytest.raises(PseudoLabelError, match=r"^task='regression' asks for amounts, but target 'y' "
                                               r"holds labels such as 'a'"):
        pl.run(text, target="y", task="regression")


def test_the_magic_takes_task_and_sample_weight(iris):
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "pseudolabel_magic")
    ip.user_ns.update(task_df=iris, task_w=pd.Series(2.0, index=iris.index))
    try:
        ip.run_cell_magic("pseudolabel", "--save task_run --quiet",
                          "labeled: task_df\ntarget: y\ntask: regression\nsample_weight: task_w")
        result = ip.user_ns["task_run"]
    finally:
        for name in ("task_df", "task_w", "task_run"):
            ip.user_ns.pop(name, None)
    assert result.task == "regression" and result.task_reason == "given: task='regression'"
    assert result.fit_log[0].weighted and result.config["sample_weight_given"]


# -- 2. the run's random_state seeds the engine's clones -------------------------------------
def test_random_state_seeds_unset_estimators_on_clones_only(iris):
    train, validation, pool = _split(iris)  # the split does not move with the seed
    teacher = RandomForestClassifier(n_estimators=20)
    runs = [pl.run(train, pool, target="y", validation=validation, teacher=teacher, random_state=seed)
            for seed in (0, 0, 1)]
    first, again, other = (r.predictions["confidence"] for r in runs)
    pd.testing.assert_series_equal(first, again)
    assert not first.equals(other)
    pd.testing.assert_frame_equal(runs[0].pseudo_labels, runs[1].pseudo_labels)
    assert teacher.random_state is None and not hasattr(teacher, "estimators_")  # never touched
    assert runs[0].config["teacher"].random_state == 0 and runs[2].config["teacher"].random_state == 1

    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5))
    student = RandomForestClassifier(n_estimators=5, random_state=7)  # a set seed is kept
    r = pl.run(train, pool, target="y", validation=validation, teacher=pipe, student=student,
               random_state=3)
    assert r.teacher[-1].random_state == 3 and r.student.random_state == 7
    assert pipe[-1].random_state is None
    unseeded = pl.run(train, pool, target="y", validation=validation, teacher=teacher, random_state=None)
    assert unseeded.config["teacher"].random_state is None


# -- 3. warnings from the many fits: one summary each, counted in the result -----------------
def test_warnings_from_many_fits_are_shown_once_and_counted():
    X, y = load_wine(return_X_y=True, as_frame=True)
    frame = X.assign(y=y.astype(float))
    frame.loc[np.random.default_rng(0).random(len(frame)) < 0.6, "y"] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = pl.run(frame, target="y", teacher=LogisticRegression(max_iter=2), rounds=3,
                   select="k-best", k_best=10, oof=3)
    n_fits = len(r.fit_log)  # teacher, 3 oof teachers, then per round a student and 3 oof students
    assert n_fits >= 10
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) == 1, [str(w.message)[:80] for w in convergence]
    text = str(convergence[0].message)
    assert text.startswith(f"teacher, oof-teacher, student, oof-student: ConvergenceWarning from "
                           f"{n_fits} fits (kept in result.warnings): lbfgs failed to converge")
    assert convergence[0].filename == __file__  # it points at the pl.run call
    table = r.warnings
    assert list(table.columns) == ["role", "during", "category", "message", "count"]
    fits = table[(table["category"] == "ConvergenceWarning") & (table["during"] == "fit")]
    assert fits.groupby("role")["count"].sum().to_dict() == {
        role: sum(f.role == role for f in r.fit_log) for role in {f.role for f in r.fit_log}}
    assert "see result.warnings" in repr(r)


def test_the_users_warning_filters_still_apply(iris):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        r = pl.run(iris, target="y", teacher=LogisticRegression(max_iter=1))
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(r.warnings) == 0  # ignored means not kept either
    clean = pl.run(iris, target="y", teacher=LogisticRegression(max_iter=1000))
    assert len(clean.warnings) == 0 and "result.warnings" not in repr(clean)


# -- 4. labels a model cannot learn from are one line; suspicious ones a warning -------------
def test_labels_differing_by_case_or_spaces_warn_and_are_noted(iris):
    frame = iris.assign(y=iris["y"].map({0: "Yes", 1: "yes", 2: "Yes "}))
    with pytest.warns(UserWarning, match=r"labels that differ only by case or surrounding spaces "
                                         r"\('Yes', 'yes', 'Yes '\)") as caught:
        r = pl.run(frame, target="y")
    assert len([w for w in caught if "differ only by case" in str(w.message)]) == 1
    assert any("str.strip().str.lower()" in note for note in r.notes)
    assert r.task_reason == "guessed: 'y' holds 3 text labels (→ classes)"


@pytest.mark.parametrize("labels, pattern", [
    ({0: (1, 2), 1: (3, 4), 2: (5, 6)}, r"^target 'y' holds \d+ label\(s\) that are tuples, such as "
                                        r"\(1, 2\) \(row \d+\); a label must be one number or one text"),
    ({0: [1], 1: [2], 2: [3]}, r"that are lists, such as \[1\]"),
    ({0: "a", 1: 1, 2: "b"}, r"^target 'y' mixes text \('a'\) and other values \(1\); make the labels "
                             r"one type"),
    ({0: 1.0, 1: 1.0, 2: 1.0}, r"^target 'y' has a single class \(1.0\) on all \d+ labeled rows, so "
                               r"there is nothing to learn"),
    ({0: "x", 1: "x", 2: "x"}, r"^target 'y' has a single class \('x'\) on all"),
])
def test_unlearnable_labels_are_one_line_before_any_fit(iris, labels, pattern):
    frame = iris.assign(y=iris["y"].map(labels).astype(object).where(iris["y"].notna(), None))

    class NoFit(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("no model may be fitted when the labels are bad")

    with pytest.raises(PseudoLabelError, match=pattern) as info:
        pl.run(frame, target="y", teacher=NoFit())
    _one_line(info)


def test_a_constant_regression_target_is_one_line(iris):
    frame = iris.assign(y=iris["y"].where(iris["y"].isna(), 2.5))
    with pytest.raises(PseudoLabelError, match=r"^target 'y' has the same value \(2.5, zero variance\) "
                                               r"on all \d+ labeled rows, so there is nothing to learn"):
        pl.run(frame, target="y", task="regression")


# -- 5. sample_weight: the train rows' weights reach the teacher and the student -------------


def test_sample_weight_weights_the_teacher_like_a_direct_fit(iris):
    """Tolerance: rtol=1e-6 (the same lbfgs fit on the same rows and weights; only the float
    path through the engine may differ)."""
    train, validation, pool = _split(iris)
    w = (np.arange(len(train)) % 4 + 0.5)
    lr = LogisticRegression(max_iter=1000)
    r = pl.run(train, pool, target="y", validation=validation, teacher=lr, sample_weight=w)
    by_hand = LogisticRegression(max_iter=1000).fit(train[FEATURES], train["y"], sample_weight=w)
    np.testing.assert_allclose(r.teacher.coef_, by_hand.coef_, rtol=1e-6, atol=1e-9)
    unweighted = LogisticRegression(max_iter=1000).fit(train[FEATURES], train["y"])
    assert not np.allclose(r.teacher.coef_, unweighted.coef_, rtol=1e-3)

    # the student: train weights, then the pseudo-labels' (pseudo_weight) weights
    r = pl.run(train, pool, target="y", validation=validation, teacher=lr, sample_weight=w,
               pseudo_weight=0.5)
    X_student = pd.concat([train[FEATURES], pool[FEATURES]])
    y_student = np.concatenate([train["y"], r.pseudo_labels["pseudo_label"]])
    student = LogisticRegression(max_iter=1000).fit(
        X_student, y_student, sample_weight=np.concatenate([w, np.full(len(pool), 0.5)]))
    np.testing.assert_allclose(r.student.coef_, student.coef_, rtol=1e-6, atol=1e-9)
    assert [f.weighted for f in r.fit_log] == [True, True]
    assert lr.get_params()["max_iter"] == 1000 and not hasattr(lr, "coef_")


def test_sample_weight_as_a_series_on_the_index_with_unlabeled_rows_ignored(iris):
    w = pd.Series(np.arange(len(iris)) % 3 + 1.0, index=iris.index)
    w[iris["y"].isna()] = np.nan  # the unlabeled rows' weights are not used
    shuffled = w.sample(frac=1.0, random_state=0)  # matched by index label, not position
    a = pl.run(iris, target="y", teacher=LogisticRegression(max_iter=1000), sample_weight=w)
    b = pl.run(iris, target="y", teacher=LogisticRegression(max_iter=1000), sample_weight=shuffled)
    np.testing.assert_allclose(a.teacher.coef_, b.teacher.coef_)
    train = iris.loc[a.train_index]
    by_hand = LogisticRegression(max_iter=1000).fit(train[FEATURES], train["y"],
                                                     sample_weight=w[a.train_index])
    np.testing.assert_allclose(a.teacher.coef_, by_hand.coef_, rtol=1e-6, atol=1e-9)
    assert a.metrics.loc["teacher", "accuracy"] == pytest.approx(
        (by_hand.predict(iris.loc[a.validation_index, FEATURES])
         == iris.loc[a.validation_index, "y"]).mean())  # validation scores stay unweighted


@pytest.mark.parametrize("weights, teacher, pattern", [
    (lambda n: np.ones(n - 1), None, r"sample_weight has \d+ value\(s\) but labeled has \d+ rows"),
    (lambda n: -np.ones(n), None, r"negative, NaN or infinite \(such as -1.0\)"),
    (lambda n: np.full(n, np.inf), None, r"negative, NaN or infinite"),
    (lambda n: np.array(["a"] * n, dtype=object), None, r"sample_weight holds non-numbers"),
    (lambda n: pd.Series(np.ones(n), index=np.arange(n) + 1000), None,
     r"sample_weight is a Series without \d+ of labeled's index labels"),
    (lambda n: np.ones(n), "knn",
     r"sample_weight needs a teacher whose fit takes sample_weight, which KNeighborsClassifier "
     r"does not"),
])
def test_bad_sample_weight_is_one_line_before_any_fit(iris, weights, teacher, pattern):
    from sklearn.neighbors import KNeighborsClassifier

    model = KNeighborsClassifier() if teacher == "knn" else LogisticRegression()
    with pytest.raises(PseudoLabelError, match=pattern) as info:
        pl.run(iris, target="y", teacher=model, sample_weight=weights(len(iris)))
    _one_line(info)


def test_zero_weights_on_every_train_row_is_one_line(iris):
    train, validation, pool = _split(iris)
    with pytest.raises(PseudoLabelError, match=r"sample_weight is 0 on all \d+ train rows"):
        pl.run(train, pool, target="y", validation=validation, sample_weight=np.zeros(len(train)))


# -- 6. one set of model rules for pl.run and the meta-estimators ----------------------------
def test_a_class_for_a_model_is_the_same_line_everywhere(iris):
    with pytest.raises(PseudoLabelError) as info:
        pl.run(iris, target="y", teacher=LogisticRegression)
    assert _one_line(info) == ("teacher=LogisticRegression is a class, not an estimator object; "
                               "did you mean LogisticRegression()?")
    X, y = iris[FEATURES].to_numpy(), iris["y"].fillna(-1).to_numpy()
    with pytest.raises(PseudoLabelError) as info:
        PseudoLabelClassifier(LogisticRegression).fit(X, y)
    assert _one_line(info) == ("estimator=LogisticRegression is a class, not an estimator object; "
                               "did you mean LogisticRegression()?")
