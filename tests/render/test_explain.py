"""explain_steps tells each step with a sentence and the step's lines from to_code's emitters."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from pseudolabel_magic.core import engine, strategies
from pseudolabel_magic.core.models import SMALL_TRAIN_ROWS, build_models
from pseudolabel_magic.core.scoring import ensemble_spread
from pseudolabel_magic.core.selection import balance_classes
from pseudolabel_magic.kinds import final_step
from pseudolabel_magic.render.diagrams import AUTO_SELECTION
from pseudolabel_magic.render.explain import explain_steps
from pseudolabel_magic.render.source import to_code
from pseudolabel_magic.steps import STEP_KEYS


@pytest.fixture(scope="module")
def frames():
    df = load_iris(as_frame=True).frame.drop_duplicates().rename(columns={"target": "label"})
    df = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    return df.iloc[:60], df.iloc[60:].drop(columns="label")


def explain(config, counts=None):
    """``explain_steps`` as ``--explain`` calls it: with what the engine decides."""
    return explain_steps(config, counts, small_train_rows=SMALL_TRAIN_ROWS,
                         resolve_auto=strategies.resolve_auto, auto_cv=strategies.AUTO_CV)


def narrated(config, counts):
    return {key: (sentence, code) for key, sentence, code in explain(config, counts)}


def run_code(code: str, **frames) -> dict:
    namespace = dict(frames)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<explain>", "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace


def test_explain_steps_cover_the_five_steps():
    config = dict(target="label", select="threshold", threshold=0.9, val_size=0.2, random_state=0,
                  rounds=3, teacher=None, student=LogisticRegression(),
                  frame_names={"labeled": "train_df", "unlabeled": "test_df"})
    steps = explain(config)
    assert [key for key, _, _ in steps] == list(STEP_KEYS)
    text = " ".join(sentence + " " + code for _, sentence, code in steps)
    assert "never train" in text and "at least 0.9" in text and "next teacher" in text
    assert "labeled, unlabeled = train_df, test_df" in text
    assert "train_test_split(labeled, test_size=0.2" in text
    assert "clone(LogisticRegression())" in text
    assert "default_model" not in text
    for _, _, code in steps:
        compile(code, "<step>", "exec")  # each block is valid Python


@pytest.mark.parametrize("n_train, words, model", [
    (48, "a random forest of 200 trees (48 rows, fewer than 2,000)",
     "RandomForestClassifier(n_estimators=200, random_state=0)"),
    (5000, "histogram gradient boosting (5,000 rows, 2,000 or more)",
     "HistGradientBoostingClassifier(min_samples_leaf=20, random_state=0)"),
])
def test_the_narration_names_the_default_model_the_engine_fits(n_train, words, model):
    config = dict(target="label", select="all", random_state=0, task="classification")
    steps = narrated(config, {"n_train": n_train, "n_unlabeled": 10})
    sentence, code = steps["teacher"]
    assert words in sentence and "gradient-boosted trees" not in sentence
    assert f"teacher = clone({model})" in code
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"a": rng.normal(size=n_train), "label": rng.integers(0, 2, n_train)})
    teacher, _, _ = build_models("classification", train, train["label"], train.iloc[:0],
                                 train.iloc[:10].drop(columns="label"), ["a"])
    assert type(final_step(teacher)).__name__ == model.split("(")[0]  # the model the engine builds


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
    steps = explain(before, counts)
    assert type(final_step(result.teacher)).__name__ == "RandomForestClassifier"
    assert "a random forest of 200 trees" in steps[1][1]
    namespace = run_code("\n".join(code for _, _, code in steps), **ns)
    assert len(namespace["predictions"]) == len(test_df)
    if result.config.get("cv") is None:  # one split: the narrated one is the run's
        assert len(namespace["train"]) == len(result.train_index)
        assert len(namespace["validation"]) == len(result.validation_index)
    assert namespace["keep"].dtype == bool


@pytest.mark.parametrize("settings", [dict(select="all"), dict(select="threshold", threshold=0.8),
                                      dict(select="all", rounds=2, balance=True, guard=True)])
def test_the_narrated_lines_are_the_scripts(frames, settings):
    """Teacher, combine and student: the lines --explain prints are lines of result.to_code()."""
    train_df, test_df = frames
    result = engine.run(train_df, test_df, target="label", teacher=LogisticRegression(max_iter=1000),
                        **settings)
    script = to_code(result.config, balance_classes=balance_classes,
                     ensemble_spread=ensemble_spread).splitlines()
    steps = narrated(result.config, result.counts)
    for key in ("teacher", "combine", "student"):
        lines = [line for line in steps[key][1].splitlines() if not line.startswith(("import ", "from "))]
        if settings.get("rounds", 1) > 1 and key != "teacher":
            continue  # the script loops over rounds; --explain shows one round
        assert lines and all(line in script for line in lines), key


def test_explain_steps_tell_auto_curriculum_and_calibration():
    config = dict(target="label", select="auto", val_size=0.2, random_state=0, rounds=1,
                  teacher=None, student=None, calibrate=True)
    text = " ".join(sentence + " " + code for _, sentence, code in explain(config))
    assert "at least 0.9" in text and "class mix" in text and "Guard:" in text
    assert "CalibratedClassifierCV" in text
    config = dict(target="label", select="all", curriculum=[0.99, 0.8], rounds=2)
    text = " ".join(sentence for _, sentence, _ in explain(config))
    assert "at least 0.99" in text and "curriculum [0.99, 0.8]" in text


@pytest.mark.parametrize("where, words", [
    ({}, "Split the labeled rows into 3 folds."),
    ({"group_col": "g"}, "each group in 'g' in one fold"),
    ({"time_col": "t"}, "in the order of 't'"),
])
def test_cross_fitting_is_narrated_with_its_first_fold(where, words):
    config = dict(target="label", select="all", random_state=0, cv=3, task="classification",
                  frame_names={"labeled": "train_df", "unlabeled": "test_df"}, **where)
    sentence, code = narrated(config, {})["split"]
    assert words in sentence and "The code shows the first fold." in sentence
    assert "train_pos, val_pos = next(iter(folds))  # the first of the folds" in code
    assert "Then, with the scores taken" in narrated(config, {})["student"][0]  # refit=None: True


def test_auto_needs_the_engines_resolution():
    with pytest.raises(ValueError, match="resolve_auto"):
        explain_steps(dict(target="label", select="auto"), small_train_rows=SMALL_TRAIN_ROWS)


def test_the_picture_says_what_auto_keeps_as_the_engine_runs_it():
    """render cannot import the engine: its words for select="auto" are pinned here."""
    assert AUTO_SELECTION == {key: strategies.AUTO[key] for key in AUTO_SELECTION}
