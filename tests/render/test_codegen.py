"""to_code reproduces a run without the plugin; explain_steps tells each step."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pseudolabel_magic.core import engine
from pseudolabel_magic.render.explain import explain_steps
from pseudolabel_magic.render.source import to_code
from pseudolabel_magic.render.sourcewriter import estimator_code


@pytest.fixture(scope="module")
def frames():
    df = load_iris(as_frame=True).frame.drop_duplicates().rename(columns={"target": "label"})
    df = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    return df.iloc[:60], df.iloc[60:].drop(columns="label")


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
    code = to_code(result.config, names={"labeled": "train_df", "unlabeled": "test_df"})
    assert "pseudolabel_magic" not in code
    namespace = run_code(code, train_df=train_df, test_df=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_default_model_and_missing_targets_reproduce(frames):
    train_df, test_df = frames
    df = pd.concat([train_df, test_df.assign(label=np.nan)], ignore_index=True)
    df["kind"] = pd.Categorical(np.where(df.index % 3 == 0, "a", "b"))
    result = engine.run(df, target="label", select="threshold", threshold=0.8, random_state=2)
    code = to_code(result.config, names={"labeled": "df"})
    assert "def _clean_frame" in code  # the default model's helper is copied in, not imported
    namespace = run_code(code, df=df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_code_without_names_asks_for_the_frames(frames):
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000))
    code = to_code(result.config)
    assert "bind your frames" in code
    namespace = run_code(code, labeled=train_df, unlabeled=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_estimator_code_writes_changed_parameters_only():
    model = make_pipeline(StandardScaler(with_mean=False), LogisticRegression(C=0.5, max_iter=1000))
    text = estimator_code(model)
    assert "StandardScaler(with_mean=False)" in text
    assert "LogisticRegression(C=0.5, max_iter=1000)" in text
    assert "penalty" not in text


def test_explain_steps_cover_the_five_steps():
    config = dict(target="label", select="threshold", threshold=0.9, val_size=0.2, random_state=0,
                  rounds=3, teacher=None, student=LogisticRegression(),
                  frame_names={"labeled": "train_df", "unlabeled": "test_df"})
    steps = explain_steps(config)
    assert [key for key, _, _ in steps] == ["split", "teacher", "pseudo_label", "combine", "student"]
    text = " ".join(sentence + " " + code for _, sentence, code in steps)
    assert "never train" in text and "at least 0.9" in text and "next teacher" in text
    assert "labeled, unlabeled = train_df, test_df" in text
    assert "train_test_split(labeled, test_size=0.2" in text
    assert "clone(LogisticRegression())" in text
    assert "default_model" not in text
    for _, _, code in steps:
        compile(code, "<step>", "exec")  # each block is valid Python


def narrated(config, counts):
    return {key: (sentence, code) for key, sentence, code in explain_steps(config, counts)}


@pytest.mark.parametrize("n_train, words, model", [
    (48, "a random forest of 200 trees (48 rows, fewer than 2,000)",
     "RandomForestClassifier(n_estimators=200, random_state=0)"),
    (5000, "histogram gradient boosting (5,000 rows, 2,000 or more)",
     "HistGradientBoostingClassifier(min_samples_leaf=20, random_state=0)"),
])
def test_the_narration_names_the_default_model_the_engine_fits(n_train, words, model):
    from pseudolabel_magic.core.models import build_models

    config = dict(target="label", select="all", random_state=0, task="classification")
    steps = narrated(config, {"n_train": n_train, "n_unlabeled": 10})
    sentence, code = steps["teacher"]
    assert words in sentence and "gradient-boosted trees" not in sentence
    assert f"teacher = clone({model})" in code
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"a": rng.normal(size=n_train), "label": rng.integers(0, 2, n_train)})
    teacher, _, _ = build_models("classification", train, train["label"], train.iloc[:0],
                                 train.iloc[:10].drop(columns="label"), ["a"])
    fitted = teacher[-1] if hasattr(teacher, "steps") else teacher
    assert type(fitted).__name__ == model.split("(")[0]  # the model the engine builds


def test_the_student_is_named_for_its_own_rows():
    config = dict(target="label", select="all", random_state=0, task="classification")
    sentence, code = narrated(config, {"n_train": 800, "n_unlabeled": 100_000})["student"]
    assert "histogram gradient boosting (100,800 rows" in sentence
    assert "clone(HistGradientBoostingClassifier(" in code
    config["max_pseudo_rows"] = 500
    sentence, code = narrated(config, {"n_train": 800, "n_unlabeled": 100_000})["student"]
    assert "a random forest of 200 trees (1,300 rows" in sentence


@pytest.mark.parametrize("settings", [
    dict(select="threshold", threshold=0.8),
    dict(select="k-best", k_best=20),
    dict(select="all", balance=True),
    dict(select="auto"),
])
@pytest.mark.parametrize("pool", ["separate", "missing targets"])
def test_the_narrated_code_runs_as_printed_and_names_the_fitted_model(frames, settings, pool):
    """What --explain shows before the run (defaults unresolved), exec'd block after block."""
    train_df, test_df = frames
    if pool == "separate":
        args, names = (train_df, test_df), {"labeled": "train_df", "unlabeled": "test_df"}
        ns = {"train_df": train_df, "test_df": test_df}
    else:
        df = pd.concat([train_df, test_df])
        args, names, ns = (df, None), {"labeled": "df"}, {"df": df}
    events = []
    result = engine.run(*args, target="label", progress=events.append, **settings)
    before = dict(target="label", random_state=0, val_size=0.2, task="classification",
                  frame_names=names, unlabeled_given=pool == "separate", **settings)
    counts = next(e.counts for e in events if e.step == "teacher")
    steps = explain_steps(before, counts)
    fitted = type(result.teacher[-1] if hasattr(result.teacher, "steps") else result.teacher).__name__
    assert fitted == "RandomForestClassifier" and "a random forest of 200 trees" in steps[1][1]
    namespace = run_code("\n".join(code for _, _, code in steps), **ns)
    assert namespace["predictions"].shape == (len(test_df),)
    if result.config.get("cv") is None:  # one split: the narrated one is the run's
        assert len(namespace["train"]) == len(result.train_index)
        assert len(namespace["validation"]) == len(result.validation_index)
    assert namespace["keep"].dtype == bool


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
    code = to_code(result.config, names={"labeled": "train_df", "unlabeled": "test_df"})
    assert "pseudolabel_magic" not in code and "# NOTE" not in code
    namespace = run_code(code, train_df=train_df, test_df=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)
    if settings.get("max_pseudo_rows"):
        assert result.n_selected == settings["max_pseudo_rows"]  # the cap was really used


def test_guard_keeps_the_teachers_predictions_in_the_code_too(frames):
    train_df, test_df = frames
    # a student that learns from noise scores lower: the guard must pick the teacher
    from sklearn.dummy import DummyClassifier

    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000),
                        student=DummyClassifier(), guard=True)
    assert result.guard_used
    code = to_code(result.config, names={"labeled": "train_df", "unlabeled": "test_df"})
    assert "final = teacher if" in code
    namespace = run_code(code, train_df=train_df, test_df=test_df)
    assert_same_predictions(namespace["predictions"], result.predictions)


def test_settings_it_cannot_reproduce_are_noted_at_the_top(frames):
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000),
                        select="threshold", threshold=0.8, oof=3)
    code = to_code(result.config, names={"labeled": "train_df", "unlabeled": "test_df"})
    assert code.startswith("# NOTE: oof=3 is not reproduced here;")
    run_code(code, train_df=train_df, test_df=test_df)  # still runs
    code = to_code({**result.config, "oof": False, "max_pseudo_rows": 10, "random_state": None},
                   names={"labeled": "train_df", "unlabeled": "test_df"})
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


def test_explain_steps_tell_auto_curriculum_and_calibration():
    config = dict(target="label", select="auto", val_size=0.2, random_state=0, rounds=1,
                  teacher=None, student=None, calibrate=True)
    text = " ".join(sentence + " " + code for _, sentence, code in explain_steps(config))
    assert "at least 0.9" in text and "class mix" in text and "Guard:" in text
    assert "CalibratedClassifierCV" in text
    config = dict(target="label", select="all", curriculum=[0.99, 0.8], rounds=2)
    text = " ".join(sentence for _, sentence, _ in explain_steps(config))
    assert "at least 0.99" in text and "curriculum [0.99, 0.8]" in text


def assert_same_predictions(by_hand, by_run):
    """The script and the run make the same predictions; confidences agree to 1e-9.

    The script fits on ``pd.concat`` of frames, the engine on one stacked array: the same
    arithmetic in another memory layout, so the last bit of a probability may differ.
    """
    pd.testing.assert_series_equal(by_hand["prediction"], by_run["prediction"])
    pd.testing.assert_frame_equal(by_hand, by_run, check_exact=False, rtol=1e-9, atol=1e-12)
