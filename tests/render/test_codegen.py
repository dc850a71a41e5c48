"""to_code reproduces a run without the plugin: same split, fits, selection and predictions."""

from __future__ import annotations

import contextlib
import inspect
import io

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pseudolabel_magic.core import engine
from pseudolabel_magic.core.scoring import ensemble_spread
from pseudolabel_magic.core.selection import balance_classes
from pseudolabel_magic.render.source import to_code
from pseudolabel_magic.render.sourcewriter import Writer, estimator_code

NAMES = {"labeled": "train_df", "unlabeled": "test_df"}


@pytest.fixture(scope="module")
def frames():
    df = load_iris(as_frame=True).frame.drop_duplicates().rename(columns={"target": "label"})
    df = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    return df.iloc[:60], df.iloc[60:].drop(columns="label")


@pytest.fixture(scope="module")
def amounts():
    df = load_diabetes(as_frame=True).frame
    return df.iloc[:150], df.iloc[150:300].drop(columns="target")


def code_of(config, names=None) -> str:
    """``to_code`` as ``result.to_code()`` calls it: with the engine's own helpers."""
    return to_code(config, names, balance_classes=balance_classes, ensemble_spread=ensemble_spread)


def run_code(code: str, **frames) -> dict:
    namespace = dict(frames)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<to_code>", "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace


@pytest.mark.parametrize("settings", [
    dict(select="all"),
    dict(select="threshold", threshold=0.9),
    dict(select="k-best", k_best=15, rounds=3),
    dict(select="threshold", threshold=0.7, rounds=2, balance=True, soft=True),
    dict(select="all", pseudo_weight=0.5, val_size=10),
])
def test_generated_code_gives_the_engines_predictions(frames, settings):
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label",
                        teacher=LogisticRegression(max_iter=1000), **settings)
    code = code_of(result.config, names=NAMES)
    assert "pseudolabel_magic" not in code
    namespace = run_code(code, train_df=train_df, test_df=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_default_model_and_missing_targets_reproduce(frames):
    train_df, test_df = frames
    df = pd.concat([train_df, test_df.assign(label=np.nan)], ignore_index=True)
    df["kind"] = pd.Categorical(np.where(df.index % 3 == 0, "a", "b"))
    result = engine.run(df, target="label", select="threshold", threshold=0.8, random_state=2)
    code = code_of(result.config, names={"labeled": "df"})
    assert "def _clean_frame" in code  # the default model's helper is copied in, not imported
    namespace = run_code(code, df=df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_code_without_names_asks_for_the_frames(frames):
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000))
    code = code_of(result.config)
    assert "bind your frames" in code
    namespace = run_code(code, labeled=train_df, unlabeled=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_estimator_code_writes_changed_parameters_only():
    model = make_pipeline(StandardScaler(with_mean=False), LogisticRegression(C=0.5, max_iter=1000))
    text = estimator_code(model)
    assert "StandardScaler(with_mean=False)" in text
    assert "LogisticRegression(C=0.5, max_iter=1000)" in text
    assert "penalty" not in text


@pytest.mark.parametrize("settings", [
    dict(select="threshold", threshold=0.8, calibrate=True),
    dict(select="threshold", threshold=0.8, calibrate=True, rounds=2, soft=True),
    dict(curriculum=[0.99, 0.9, 0.7]),
    dict(select="all", guard=True),
    dict(select="auto"),
    dict(select="all", max_pseudo_rows=25, random_state=3),
    dict(select="threshold", threshold=0.6, rounds=3, max_pseudo_rows=40, balance=True),
    dict(select="all", n_jobs=1),
    dict(cv=3), dict(cv=3, refit=False, select="threshold", threshold=0.8),
    dict(refit=True, guard=True), dict(select="auto", cv=3),
])
def test_generated_code_reproduces_the_new_settings(frames, settings):
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label",
                        teacher=LogisticRegression(max_iter=1000), **settings)
    code = code_of(result.config, names=NAMES)
    assert "pseudolabel_magic" not in code and "# NOTE" not in code
    namespace = run_code(code, train_df=train_df, test_df=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)
    if settings.get("max_pseudo_rows"):
        assert result.n_selected == settings["max_pseudo_rows"]  # the cap was really used


@pytest.mark.parametrize("settings", [
    dict(select="threshold", threshold=0.97, balance=True),
    dict(select="k-best", k_best=5, balance=True),
    dict(select="threshold", threshold=0.95, balance=True, rounds=2),
    dict(select="k-best", k_best=3, balance=True, rounds=3),
])
def test_the_balanced_selection_keeps_the_engines_rows(frames, settings):
    """A class with no confident row takes its quota from the rest, in the script too."""
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label",
                        teacher=LogisticRegression(max_iter=1000), **settings)
    namespace = run_code(code_of(result.config, names=NAMES), train_df=train_df, test_df=test_df)
    kept = namespace["selected"] if settings.get("rounds") else namespace["keep"]
    np.testing.assert_array_equal(kept, result.pseudo_labels["selected"].to_numpy())
    assert_same_predictions(namespace["predictions"], result.predictions)


FOREST = RandomForestRegressor(n_estimators=20, random_state=0)


@pytest.mark.parametrize("teacher, settings", [
    (FOREST, dict(select="threshold", threshold=0.5)),
    (FOREST, dict(select="k-best", k_best=20, rounds=2)),
    (FOREST, dict(select="all", soft=True)),
])
def test_a_regressions_confidence_is_the_engines(amounts, teacher, settings):
    """The script ranks regression rows with the engine's own forest spread, copied in."""
    labeled, unlabeled = amounts
    result = engine.run(labeled, unlabeled, target="target", teacher=teacher, **settings)
    code = code_of(result.config, names={"labeled": "labeled", "unlabeled": "unlabeled"})
    assert inspect.getsource(ensemble_spread) in code and "pseudolabel_magic" not in code
    namespace = run_code(code, labeled=labeled, unlabeled=unlabeled)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_the_helpers_are_the_engines_functions_copied_once(frames):
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000),
                        select="threshold", threshold=0.8, balance=True, rounds=2)
    code = code_of(result.config, names=NAMES)
    assert code.count("def balance_classes(") == 1 and inspect.getsource(balance_classes) in code
    assert code.count("def select_k_best(") == 1  # what balance_classes calls comes along
    with pytest.raises(ValueError, match="balance_classes"):
        to_code(result.config, NAMES)  # the engine's function is the only copy


def test_a_copied_function_brings_what_it_reads():
    w = Writer()
    assert w.copy_function(ensemble_spread) == "ensemble_spread"
    assert list(w.helpers) == ["final_step", "_transform", "ensemble_spread"]
    namespace = {"np": np, "pd": pd}
    exec("\n\n".join(w.helpers.values()), namespace)  # noqa: S102 - the package's own source
    model = RandomForestRegressor(n_estimators=5, random_state=0).fit([[0.0], [1.0], [2.0]], [0, 1, 2])
    np.testing.assert_array_equal(namespace["ensemble_spread"](model, np.array([[1.5]])),
                                  ensemble_spread(model, np.array([[1.5]])))


def test_guard_keeps_the_teachers_predictions_in_the_code_too(frames):
    train_df, test_df = frames
    # a student that learns from noise scores lower: the guard must pick the teacher
    from sklearn.dummy import DummyClassifier

    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000),
                        student=DummyClassifier(), guard=True)
    assert result.guard_used
    code = code_of(result.config, names=NAMES)
    assert "final = teacher if" in code
    namespace = run_code(code, train_df=train_df, test_df=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_settings_it_cannot_reproduce_are_noted_at_the_top(frames):
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000),
                        select="threshold", threshold=0.8, oof=3)
    code = code_of(result.config, names=NAMES)
    assert code.startswith("# NOTE: oof=3 is not reproduced here;")
    run_code(code, train_df=train_df, test_df=test_df)  # still runs
    code = code_of({**result.config, "oof": False, "max_pseudo_rows": 10, "random_state": None},
                   names=NAMES)
    assert code.startswith("# NOTE: max_pseudo_rows with random_state=None is not reproduced")
    run_code(code, train_df=train_df, test_df=test_df)


def test_dask_runs_are_noted(frames):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    train_df, test_df = frames
    with dask.config.set(scheduler="synchronous"):
        result = engine.run(train_df, dd.from_pandas(test_df, npartitions=2), target="label",
                            teacher=LogisticRegression(max_iter=1000))
    code = result.to_code()
    assert code.startswith("# NOTE: unlabeled was a Dask DataFrame;")
    assert "unlabeled.compute()" in code.splitlines()[0]


def assert_same_predictions(by_hand, by_run):
    """The script and the run make the same predictions; confidences agree to 1e-9.

    The script fits on ``pd.concat`` of frames, the engine on one stacked array: the same
    arithmetic in another memory layout, so the last bit of a probability may differ.
    """
    pd.testing.assert_series_equal(by_hand["prediction"], by_run["prediction"])
    pd.testing.assert_frame_equal(by_hand, by_run, check_exact=False, rtol=1e-9, atol=1e-12)
