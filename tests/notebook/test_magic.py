"""%%pseudolabel driven through a real IPython shell: output, flags, config and bad input."""

from __future__ import annotations

import logging

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

EXAMPLE = """
labeled: train_df
unlabeled: test_df
target: label
teacher: RandomForestClassifier(n_estimators=300, random_state=0)
student: HistGradientBoostingClassifier()
select: threshold
threshold: 0.9
"""

FAST = """
labeled: train_df
unlabeled: test_df
target: label
teacher: LogisticRegression(max_iter=1000)
"""

SETUP = """
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
_iris = load_iris(as_frame=True).frame.drop_duplicates().rename(columns={"target": "label"})
_iris = _iris.sample(frac=1.0, random_state=0).reset_index(drop=True)
train_df = _iris.iloc[:60]
test_df = _iris.iloc[60:].drop(columns="label")
val_df = _iris.iloc[40:60]
leaky_df = pd.concat([_iris.iloc[:40], val_df.iloc[:8].set_axis(range(500, 508))])  # copies
numbers = [1, 2, 3]
"""


@pytest.fixture(scope="session")
def ip():
    from IPython.testing import globalipapp

    # the module's get_ipython: after any test started the global shell, the name imported
    # above would start it again and get None
    shell = globalipapp.get_ipython()
    shell.run_line_magic("load_ext", "pseudolabel_magic")
    shell.run_cell(SETUP)
    return shell


@pytest.fixture(autouse=True)
def clean(ip):
    """Each test starts without saved results and with default config."""
    for name in ("run", "preds", "other"):
        ip.user_ns.pop(name, None)
    yield
    magic = _magic(ip)
    magic.threshold, magic.select, magic.rounds, magic.val_size = None, "all", 1, 0.2


def _magic(ip):
    from pseudolabel_magic.notebook.magic import PseudoLabelMagic

    return next(c for c in ip.configurables if isinstance(c, PseudoLabelMagic))


def snapshot(ns: dict) -> dict:
    return {name: id(value) for name, value in ns.items()}


def cell(ip, line: str, body: str):
    return ip.run_cell_magic("pseudolabel", line, body)


def test_the_example_cell(ip):
    result = cell(ip, "--save run", EXAMPLE)
    assert ip.user_ns["run"] is result
    assert type(result.teacher).__name__ == "RandomForestClassifier"
    assert type(result.student).__name__ == "HistGradientBoostingClassifier"
    assert result.config["select"] == "threshold" and result.config["threshold"] == 0.9
    assert len(result.predictions) == len(ip.user_ns["test_df"])
    html = result._repr_html_()
    assert "<svg" in html and "teacher" in html and "student" in html


def test_result_is_the_cell_value_and_lands_in_underscore(ip):
    before = snapshot(ip.user_ns)
    out = ip.run_cell("%%pseudolabel\n" + FAST.strip(), store_history=True)
    assert out.success and out.result is not None
    assert ip.user_ns["_"] is out.result
    # nothing else was written
    added = set(ip.user_ns) - set(before)
    assert all(name.startswith("_") for name in added)
    assert "run" not in ip.user_ns


def test_line_magic_takes_the_same_keys(ip):
    result = ip.run_line_magic(
        "pseudolabel",
        "--labeled train_df --unlabeled test_df --target label "
        "--teacher make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)) "
        "--select k-best --k-best 10 --rounds 2 --save run")
    assert ip.user_ns["run"] is result
    assert result.config["select"] == "k-best" and result.config["k_best"] == 10
    assert result.rounds_run == 2


def test_flags_win_over_body(ip):
    result = cell(ip, "--threshold 0.5 --select threshold --seed 3", FAST + "threshold: 0.99\nseed: 1\n")
    assert result.config["threshold"] == 0.5
    assert result.config["random_state"] == 3


def test_save_and_save_predictions_together(ip):
    result = cell(ip, "--save run --save-predictions preds", FAST)
    assert ip.user_ns["run"] is result
    assert ip.user_ns["preds"] is result.predictions
    assert list(result.predictions.columns) == ["prediction", "confidence"]


def test_quiet_and_trailing_semicolon_show_nothing(ip):
    assert cell(ip, "--quiet --save run", FAST) is None
    assert ip.user_ns["run"] is not None  # --save still stores
    assert cell(ip, "-q", FAST) is None
    assert cell(ip, "", FAST + "seed: 0;") is None
    assert ip.run_line_magic("pseudolabel", "--labeled train_df --unlabeled test_df --target label "
                                            "--teacher LogisticRegression(max_iter=1000);") is None
    with capture_output() as captured:
        out = ip.run_cell("%%pseudolabel --save other\n" + FAST.strip() + ";")
    assert out.result is None and captured.stdout == "" and not captured.outputs
    assert "other" in ip.user_ns


def test_expressions_with_quotes_commas_and_hashes(ip):
    body = FAST.replace(
        "teacher: LogisticRegression(max_iter=1000)",
        "teacher: make_pipeline(StandardScaler(with_mean=True), "
        "LogisticRegression(max_iter=1000, solver='lbfgs', C={'a#b': 1.0, 'c, d': 2}['a#b']))  # c, d",
    )
    result = cell(ip, "", body + 'features: "sepal length (cm)", petal width (cm), '
                                 "'petal length (cm)', sepal width (cm)  # all four\n")
    assert result.config["features"] == ["sepal length (cm)", "petal width (cm)",
                                         "petal length (cm)", "sepal width (cm)"]
    assert result.teacher[-1].C == 1.0


def test_explain_narrates_each_step(ip):
    with capture_output() as captured:
        result = cell(ip, "--explain", FAST + "rounds: 2\nselect: threshold\nthreshold: 0.8\n")
    text = "\n".join(o.data.get("text/plain", "") for o in captured.outputs) + captured.stdout
    for title in ("Step 1", "Step 2", "Step 3", "Step 4", "Step 5", "Round 2 of 2"):
        assert title in text
    assert "labeled, unlabeled = train_df, test_df" in text
    assert "train_test_split(labeled" in text and "keep = proba.max(axis=1) >= 0.8" in text
    assert "default_model" not in text
    diagrams = [o for o in captured.outputs if "<svg" in o.data.get("text/html", "")]
    assert not any("image/svg+xml" in o.data for o in captured.outputs)  # HTML: it scales
    first = [o for o in diagrams if not o.update]
    assert len(first) == 5  # one highlighted diagram per step, each with a display id
    ids = [o.transient["display_id"] for o in first]
    assert len(set(ids)) == 5
    for number, display_id in enumerate(ids, 1):
        last = [o for o in diagrams if o.transient["display_id"] == display_id][-1]
        assert last.update  # updated in place: the saved notebook shows the step as it ended
        line = last.data["text/plain"].splitlines()[number]
        assert "\u2713 done" in line and "running" not in line, line
    assert "labeled 60 " in first[0].data["text/plain"]  # known before any fit
    assert "unlabeled 89 " in first[0].data["text/plain"]
    assert result.rounds_run >= 1


def test_to_code_names_the_notebook_frames(ip):
    result = cell(ip, "", FAST)
    code = result.to_code()
    assert "labeled = train_df" in code and "unlabeled = test_df" in code
    assert "pseudolabel_magic" not in code


def test_config_defaults_apply_and_invalid_values_are_rejected(ip, caplog):
    magic = _magic(ip)
    ip.run_line_magic("config", "PseudoLabelMagic.threshold = 0.95")
    ip.run_line_magic("config", "PseudoLabelMagic.select = 'threshold'")
    ip.run_line_magic("config", "PseudoLabelMagic.rounds = 2")
    result = cell(ip, "", FAST)
    assert result.config["threshold"] == 0.95 and result.config["select"] == "threshold"
    assert result.config["rounds"] == 2
    with caplog.at_level(logging.ERROR):
        for setting in ("threshold = 1.5", "select = 'treshold'", "rounds = 0", "val_size = 1.0",
                        "random_state = -1"):
            ip.run_line_magic("config", f"PseudoLabelMagic.{setting}")
    assert (magic.threshold, magic.select, magic.rounds, magic.val_size) == (0.95, "threshold", 2, 0.2)
    assert magic.random_state == 0
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "PseudoLabelMagic.threshold=1.5 is outside [0, 1]" in messages
    assert "Did you mean 'threshold'?" in messages
    assert "PseudoLabelMagic.rounds=0 must be a whole number >= 1" in messages
    assert "val_size=1.0 is not in (0, 1)" in messages
    assert "PseudoLabelMagic.random_state=-1 must be None, a whole number in [0, 2**32 - 1]" in messages


def test_help_has_usage_and_a_worked_example(ip):
    doc = ip.find_line_magic("pseudolabel").__doc__
    assert "%pseudolabel [-o NAME]" in doc and "--k-best K" in doc
    assert "%%pseudolabel --save run" in doc and "threshold: 0.9" in doc
    with capture_output() as captured:
        ip.run_cell("%pseudolabel?")
    assert "--save-predictions" in captured.stdout + "".join(
        str(o.data.get("text/plain", "")) for o in captured.outputs) or captured.stdout == ""


def test_panel_magic_is_registered(ip):
    assert ip.find_line_magic("pseudolabel_panel") is not None


BAD = [
    ("", "labeled: trian_df\nunlabeled: test_df\ntarget: label",
     "line 1 (labeled): there is no variable 'trian_df' in the notebook. Did you mean 'train_df'?"),
    ("--labeled tset_df", "unlabeled: test_df\ntarget: label",
     "flag --labeled: there is no variable 'tset_df' in the notebook. Did you mean 'test_df'?"),
    ("", "labeled: numbers\ntarget: label", "line 1 (labeled): 'numbers' is a list, not a pandas DataFrame"),
    ("", "labeld: train_df\ntarget: label", "line 1: unknown key 'labeld'. Did you mean 'labeled'?"),
    ("--treshold 0.9", FAST, "unknown flag '--treshold'. Did you mean '--threshold'?"),
    ("--k_best 3", FAST, "unknown flag '--k_best'. Did you mean '--k-best'?"),
    ("", FAST + "target: y", "line 6: key 'target' is given twice (lines 4 and 6); keep one of them."),
    ("--seed 1 --seed 2", FAST, "argument --seed: is given twice"),
    ("", FAST.replace("LogisticRegression(max_iter=1000)", "LogisticRegression(max_iter=1/0)"),
     "line 5 (teacher): 'LogisticRegression(max_iter=1/0)' raised ZeroDivisionError: division by zero"),
    ("", FAST.replace("LogisticRegression(", "LogisticRegresion("),
     "line 5 (teacher): name 'LogisticRegresion' is not defined. Did you mean 'LogisticRegression'?"),
    ("", "unlabeled: test_df", "missing required keys labeled, target"),
    ("", "labeled: train_df", "missing required key target; add 'target: label'"),
    ("--save-predictions 2x", FAST.replace("--save-predictions preds", ""),
     "--save-predictions '2x' is not a valid variable name"),
    ("", "target: y\nlabel train_df", "line 2: expected 'key: value'"),
    # engine errors come through as one line
    ("", FAST.replace("target: label", "target: lable"),
     "target column 'lable' is not in labeled; pick one of its columns. Did you mean 'label'?"),
    ("", FAST + "select: treshold", "unknown select='treshold'"),
    ("", FAST + "select: threshold", "select='threshold' needs a threshold"),
    ("", FAST + "threshold: 2", "threshold=2 is outside [0, 1]"),
    ("", FAST + "rounds: 0", "rounds=0 must be a whole number >= 1"),
    ("", FAST + "val_size: 1.5", "val_size=1.5 must be a fraction in (0, 1)"),
    ("", FAST + "features: petal width (cm), nope", "feature column 'nope' is not in labeled"),
    ("", "labeled: train_df\ntarget: label", "the unlabeled set is empty"),
    # the shared setting rules (params.py), before any fit, naming the line or flag
    ("", FAST + "allow_leakage: 'no'", "line 6 (allow_leakage): 'no' is a str, not True or False"),
    ("", FAST + "threshold: True",
     "line 6 (threshold): threshold=True must be a number in [0, 1], not a bool; pass a confidence"),
    ("", FAST + "select: k-best\nk_best: True", "line 7 (k_best): k_best=True must be a whole number >= 1"),
    ("--rounds True", FAST, "flag --rounds: rounds=True must be a whole number >= 1, not a bool"),
    ("", FAST + "seed: 'abc'", "line 6 (seed): random_state='abc' must be None, a whole number in [0, 2**32 - 1]"),
    ("", FAST + "seed: -1", "line 6 (seed): random_state=-1 must be None"),
    ("", FAST + "max_pseudo_rows: -5", "line 6 (max_pseudo_rows): max_pseudo_rows=-5 must be None or a whole"),
    ("", FAST + "pseudo_weight: float('nan')", "line 6 (pseudo_weight): pseudo_weight=nan must be a finite number"),
    ("", FAST + "n_jobs: 0", "line 6 (n_jobs): n_jobs=0 must be None or a whole number other than 0"),
    ("", FAST + "val_size: True", "line 6 (val_size): val_size=True must be a fraction in (0, 1)"),
    ("", FAST + "oof: 1", "line 6 (oof): oof=1 must be True (5 folds), False, or a number of folds >= 2"),
    ("", FAST.replace("LogisticRegression(max_iter=1000)", "LogisticRegression"),
     "line 5 (teacher): teacher=LogisticRegression is a class, not an estimator object; "
     "did you mean LogisticRegression()?"),
    ("", FAST.replace("LogisticRegression(max_iter=1000)", "'rf'"),
     "line 5 (teacher): teacher='rf' is a string, not an estimator object; pass an estimator object "
     "such as RandomForestClassifier()."),
    ("", FAST + "student: [LogisticRegression()]", "line 6 (student): student=[LogisticRegression()] is a list"),
    ("", FAST + "student: StandardScaler()", "line 6 (student): student=StandardScaler() has fit but no predict"),
    ("", FAST + "select: threshold", "line 6 (select): select='threshold' needs a threshold"),
    ("", FAST + "curriculum: [0.8, 0.9]", "line 6 (curriculum): curriculum=[0.8, 0.9] must relax"),
]


@pytest.mark.parametrize("line, body, message", BAD, ids=[m[:40] for *_, m in BAD])
def test_bad_input_is_one_line_and_changes_nothing(ip, line, body, message):
    before = snapshot(ip.user_ns)
    with pytest.raises(UsageError) as info:
        flags = "--save run" if "--save-predictions" in line else "--save run --save-predictions preds"
        cell(ip, f"{flags} {line}".strip(), body)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert snapshot(ip.user_ns) == before


def test_bad_input_shows_one_red_line_without_traceback(ip):
    with capture_output() as captured:
        out = ip.run_cell("%%pseudolabel --save run\nlabeled: trian_df\ntarget: label")
    assert isinstance(out.error_in_exec, UsageError)
    shown = captured.stdout + captured.stderr
    assert "Did you mean 'train_df'?" in shown and "Traceback" not in shown
    assert "run" not in ip.user_ns


def test_leakage_failure_shows_the_diagram_and_changes_nothing(ip):
    before = snapshot(ip.user_ns)
    body = ("labeled: leaky_df\nvalidation: val_df\nunlabeled: test_df\ntarget: label\n"
            "teacher: LogisticRegression(max_iter=1000)")
    with capture_output() as captured, pytest.raises(UsageError) as info:
        cell(ip, "--save run", body)
    assert "Leakage check 'validation_rows_in_train' failed (8 rows)" in str(info.value)
    assert "'allow_leakage: true'" in str(info.value) and "--allow-leakage" in str(info.value)
    assert "allow_leakage=True" not in str(info.value)  # API words are not cell words
    assert captured.outputs, "the leakage diagram is displayed before the error"
    assert snapshot(ip.user_ns) == before
    # allowed on purpose: it runs and says so
    result = cell(ip, "--allow-leakage", body)
    assert result.leaky


def test_interrupted_run_changes_nothing(ip, monkeypatch):
    from pseudolabel_magic.core import engine
    def interrupted(*args, progress=None, **kwargs):
        from pseudolabel_magic.steps import ProgressEvent

        progress(ProgressEvent("split", "running", 1, 1, 0.0))
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "run", interrupted)
    before = snapshot(ip.user_ns)
    with pytest.raises(KeyboardInterrupt):
        cell(ip, "--save run --save-predictions preds --explain", FAST)
    assert snapshot(ip.user_ns) == before


def test_failing_estimator_changes_nothing(ip):
    before = snapshot(ip.user_ns)
    with pytest.raises(UsageError, match=r"^the teacher's fit failed: InvalidParameterError: The 'C' "
                                         r"parameter of LogisticRegression .*; full traceback with %tb$"):
        cell(ip, "--save run --save-predictions preds",
             FAST.replace("LogisticRegression(max_iter=1000)", "LogisticRegression(C=-1)"))
    assert snapshot(ip.user_ns) == before


# -- real DataFrames: a user's model failing, integer and odd column names --------------------
REAL = """
from sklearn.base import BaseEstimator, ClassifierMixin
_X, _y = load_iris(return_X_y=True)
int_df = pd.DataFrame(_X)  # columns 0, 1, 2, 3
int_df[4] = _y.astype(float)
int_df.loc[::3, 4] = np.nan
named_df = pd.DataFrame({"my col, 2": _y.astype(float), "x #1": _X[:, 0], "it's": _X[:, 2]})
named_df.loc[::3, "my col, 2"] = np.nan
cities_df = pd.DataFrame({"a": np.arange(40.0), "city": ["Paris", "Rome"] * 20,
                          "y": [0.0, 1.0] * 10 + [np.nan] * 20})


class ProbaFails(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        raise RuntimeError("no probabilities today")


class SmallFails(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        if len(X) < 90:
            raise ValueError("too few rows for me")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class FitFails(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        raise TypeError("this student never learns")

    def predict(self, X):
        return np.zeros(len(X))
"""


@pytest.fixture(scope="module")
def real(ip):
    assert ip.run_cell(REAL).success
    return ip


def shown(ip, source: str):
    """Run a cell as a notebook would; return its result and all it printed or displayed."""
    with capture_output() as captured:
        out = ip.run_cell(source)
    text = captured.stdout + captured.stderr + "".join(
        str(o.data.get("text/plain", "")) for o in captured.outputs)
    return out, text


@pytest.mark.parametrize("body, line", [
    ("labeled: cities_df\ntarget: y\nteacher: LogisticRegression(penalty='elasticnet')",
     "UsageError: the teacher's fit failed: ValueError: Solver lbfgs supports only 'l2' or None "),
    ("labeled: int_df\ntarget: 4\nteacher: ProbaFails()",
     "UsageError: the teacher's predict_proba failed: RuntimeError: no probabilities today; "
     "full traceback with %tb"),
    ("labeled: int_df\ntarget: 4\nteacher: LogisticRegression(max_iter=1000)\nstudent: FitFails()",
     "UsageError: the student's fit failed: TypeError: this student never learns; full traceback with %tb"),
    ("labeled: int_df\ntarget: 4\nteacher: SmallFails()\ncv: 4",
     "UsageError: the fold-1 teacher's fit failed: ValueError: too few rows for me; full traceback"),
    # in a worker process: the frames stay there, their gist comes back with the error
    ("labeled: int_df\ntarget: 4\nteacher: SmallFails()\ncv: 4\nn_jobs: 2",
     "UsageError: the fold-1 teacher's fit failed: ValueError: too few rows for me; full traceback"),
])
def test_a_failing_model_is_one_line_and_changes_nothing(real, body, line):
    ip = real
    before = snapshot(ip.user_ns)
    out, text = shown(ip, "%%pseudolabel --save run --save-predictions preds\n" + body)
    assert isinstance(out.error_in_exec, UsageError)
    assert line in text and text.rstrip().endswith("full traceback with %tb")
    assert len(text.strip().splitlines()) <= 3 and "Traceback" not in text
    assert snapshot(ip.user_ns) == before


def test_tb_then_shows_the_models_own_traceback(real):
    ip = real
    shown(ip, "%%pseudolabel\nlabeled: cities_df\ntarget: y\nteacher: LogisticRegression(penalty='elasticnet')")
    out, text = shown(ip, "%tb")
    assert "Traceback" in text or "most recent call last" in text
    assert "ValueError: Solver lbfgs supports only 'l2' or None penalties" in text
    assert "sklearn" in text  # the frames inside the model are there to read
    import sys

    assert isinstance(sys.last_value, ValueError)  # %debug lands in the model, too


def test_tb_is_only_redirected_right_after_the_failure(real, monkeypatch):
    """A failure raised outside run_cell must not rewrite %tb for some later cell."""
    import sys

    ip = real
    with pytest.raises(UsageError, match="the teacher's fit failed"):
        cell(ip, "", "labeled: cities_df\ntarget: y\nteacher: LogisticRegression(penalty='elasticnet')")
    out, text = shown(ip, "1/0")
    assert isinstance(sys.last_value, ZeroDivisionError)


def test_an_engine_bug_keeps_its_traceback(ip, monkeypatch):
    """Only a user's model is summed up in one line; an error of ours must stay visible."""
    from pseudolabel_magic.core import engine
    def buggy(*args, progress=None, **kwargs):
        return {}["missing"]

    monkeypatch.setattr(engine, "run", buggy)
    with pytest.raises(KeyError):
        cell(ip, "--save run", FAST)
    assert "run" not in ip.user_ns


def test_same_name_for_save_and_save_predictions_is_refused_before_any_fit(ip, monkeypatch):
    from pseudolabel_magic.core import engine
    monkeypatch.setattr(engine, "run", lambda *a, **k: pytest.fail("the run started"))
    before = snapshot(ip.user_ns)
    out, text = shown(ip, "%%pseudolabel --save r --save-predictions r\n" + FAST.strip())
    assert isinstance(out.error_in_exec, UsageError)
    assert ("--save and --save-predictions both name 'r', so the predictions would overwrite the "
            "result; give them two names") in text
    assert len(text.strip().splitlines()) == 1 and "Traceback" not in text
    assert snapshot(ip.user_ns) == before
    with pytest.raises(UsageError, match="both name 'run'"):
        ip.run_line_magic("pseudolabel", "--labeled train_df --target label -o run --save-predictions run")


@pytest.mark.parametrize("line, body, target, features", [
    ("", "labeled: int_df\ntarget: 4", 4, [0, 1, 2, 3]),
    ("", "labeled: int_df\ntarget: 4\nfeatures: [0, 1]", 4, [0, 1]),
    ("", "labeled: int_df\ntarget: 4\nfeatures: 0, 2  # two of them", 4, [0, 2]),
    ("--target 4 --features 1, 3", "labeled: int_df", 4, [1, 3]),
    ("", 'labeled: named_df\ntarget: "my col, 2"\nfeatures: \'x #1\', "it\'s"', "my col, 2", ["x #1", "it's"]),
    ("", 'labeled: named_df\ntarget: my col, 2', "my col, 2", ["x #1", "it's"]),
])
def test_column_names_are_the_frames_own(real, line, body, target, features):
    ip = real
    result = cell(ip, line, body + "\nteacher: LogisticRegression(max_iter=1000)")
    assert result.config["target"] == target and type(result.config["target"]) is type(target)
    assert list(result.config["features"]) == features
    assert len(result.predictions) == 50  # every third row has no label


def test_a_missing_integer_column_is_one_line(real):
    out, text = shown(real, "%%pseudolabel\nlabeled: int_df\ntarget: 7\nteacher: LogisticRegression()")
    assert isinstance(out.error_in_exec, UsageError)
    assert "target column '7' is not in labeled" in text
    assert len(text.strip().splitlines()) <= 3 and "Traceback" not in text


@pytest.mark.parametrize("body", [
    FAST + "allow_leakage: 'no'",
    FAST + "threshold: True",
    FAST + "seed: 'abc'",
    FAST.replace("LogisticRegression(max_iter=1000)", "LogisticRegression"),
])
def test_bad_settings_show_one_line_in_the_notebook(ip, body):
    before = snapshot(ip.user_ns)
    out, text = shown(ip, "%%pseudolabel --save run\n" + body.strip())
    assert isinstance(out.error_in_exec, UsageError)
    assert len(text.strip().splitlines()) == 1 and "Traceback" not in text
    assert snapshot(ip.user_ns) == before


def test_progress_updates_one_line_and_leaves_no_clutter(monkeypatch):
    from pseudolabel_magic.notebook import display as magicdisplay
    from pseudolabel_magic.steps import ProgressEvent

    shown = []

    class Handle:
        def update(self, bundle, raw=False):
            shown.append(("update", bundle))

    def display(bundle, raw=False, display_id=False):
        assert display_id is True and raw
        shown.append(("display", bundle))
        return Handle()

    monkeypatch.setattr(magicdisplay, "PROGRESS_DELAY", 0.0)
    progress = magicdisplay.Progress(show=True, display=display)
    progress(ProgressEvent("teacher", "running", 2, 3, 0.4, detail="<b>x</b>"))
    progress(ProgressEvent("teacher", "done", 2, 3, 0.5))
    progress.close()
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    first = shown[0][1]
    assert "step 2/5" in first["text/plain"] and "round 2 of 3" in first["text/plain"]
    assert "&lt;b&gt;x&lt;/b&gt;" in first["text/html"]
    assert shown[-1][1] == {"text/plain": ""}


def test_quick_runs_show_no_progress(monkeypatch):
    from pseudolabel_magic.notebook import display as magicdisplay
    from pseudolabel_magic.steps import ProgressEvent

    monkeypatch.setattr(magicdisplay, "PROGRESS_DELAY", 60.0)
    progress = magicdisplay.Progress(show=True, display=lambda *a, **k: pytest.fail("shown"))
    progress(ProgressEvent("split", "running", 1, 1, 0.0))
    progress.close()


def test_unload_removes_the_magics(ip):
    from pseudolabel_magic.notebook.magic import (
        load_ipython_extension,
        unload_ipython_extension,
    )

    shell = ip
    unload_ipython_extension(shell)
    assert shell.find_cell_magic("pseudolabel") is None
    load_ipython_extension(shell)
    assert shell.find_cell_magic("pseudolabel") is not None


# -- the new strategy keys, --compare and Dask --------------------------------------------
def test_new_keys_reach_run(ip):
    body = FAST + ("select: threshold\ncalibrate: true\noof: 2\nguard: yes\n"
                   "curriculum: [0.95, 0.8]\nmax_pseudo_rows: 30\nn_jobs: 1\n")
    result = cell(ip, "", body)
    config = result.config
    assert config["calibrate"] is True and config["oof"] == 2 and config["guard"] is True
    assert config["curriculum"] == [0.95, 0.8] and config["rounds"] == 2  # rounds follow the list
    assert config["max_pseudo_rows"] == 30 and config["n_jobs"] == 1
    assert result.n_selected <= 30


def test_select_auto_and_oof_true_as_flags(ip):
    result = ip.run_line_magic(
        "pseudolabel", "--labeled train_df --unlabeled test_df --target label "
                       "--teacher LogisticRegression(max_iter=1000) --select auto --oof true --guard false")
    config = result.config
    assert config["auto"] is True and config["select"] == "threshold" and config["balance"] is True
    assert config["oof"] == 5 and config["guard"] is False  # the user's guard=False wins over auto


def test_config_select_accepts_auto(ip):
    _magic(ip).select = "auto"
    assert cell(ip, "", FAST).config["auto"] is True


@pytest.fixture
def two_strategies(monkeypatch):
    """compare's default strategies cut to two, so --compare tests stay fast."""
    from pseudolabel_magic.core import strategies
    monkeypatch.setattr(strategies, "default_strategies", lambda n: {
        "five lines": dict(select="all"), "threshold 0.9": dict(select="threshold", threshold=0.9)})


def test_compare_shows_and_saves_the_comparison(ip, two_strategies):
    from pseudolabel_magic.core.compare import ComparisonResult

    result = cell(ip, "--compare --save run --seed 1", FAST + "val_size: 0.25\n")
    assert isinstance(result, ComparisonResult) and ip.user_ns["run"] is result
    assert list(result.table.index) == ["supervised", "five lines", "threshold 0.9", "SelfTrainingClassifier"]
    first = result.results["five lines"]
    assert first.config["random_state"] == 1 and first.config["val_size"] == 0.25
    assert "labeled = train_df" in first.to_code()  # each run names the notebook's frames
    assert "ComparisonResult" in ip.display_formatter.format(result)[0]["text/plain"]
    assert "<table" in result._repr_html_()


@pytest.mark.parametrize("line, body, key", [
    ("--compare", FAST + "threshold: 0.9\n", "line 6 (threshold)"),
    ("--compare --select auto", FAST, "flag --select"),
    ("--compare", FAST + "curriculum: [0.9, 0.8]\n", "no curriculum"),
    ("--compare --guard", FAST, "no guard"),
])
def test_compare_rejects_strategy_keys_and_writes_nothing(ip, line, body, key):
    before = snapshot(ip.user_ns)
    with pytest.raises(UsageError) as err:
        cell(ip, line + " --save run", body)
    message = str(err.value)
    assert key in message and "--compare tries the strategies itself" in message
    assert "\n" not in message
    assert snapshot(ip.user_ns) == before


def test_compare_failure_writes_nothing(ip, two_strategies):
    before = snapshot(ip.user_ns)
    with pytest.raises(UsageError, match="leak"):
        cell(ip, "--compare --save run", "labeled: leaky_df\nvalidation: val_df\ntarget: label\n"
                                         "unlabeled: test_df\nteacher: LogisticRegression(max_iter=1000)\n")
    with pytest.raises(UsageError, match="--save-predictions does not go with --compare"):
        cell(ip, "--compare --save-predictions preds", FAST)
    assert snapshot(ip.user_ns) == before


def test_dask_unlabeled_stays_lazy(ip):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")

    def no_compute(*args, **kwargs):
        raise AssertionError("the display computed the lazy predictions")

    ip.user_ns["test_ddf"] = dd.from_pandas(ip.user_ns["test_df"], npartitions=2)
    try:
        with dask.config.set(scheduler="synchronous"):
            result = cell(ip, "--save run --save-predictions preds",
                          FAST.replace("unlabeled: test_df", "unlabeled: test_ddf"))
        assert ip.user_ns["preds"] is result.predictions
        assert type(result.predictions).__module__.startswith("dask")
        with dask.config.set(scheduler=no_compute):  # showing the result must not compute
            shown = ip.display_formatter.format(result)[0]["text/plain"]
            html_text = result._repr_html_()
        assert "PseudoLabelResult" in shown and "PseudoLabelResult" in html_text
        with dask.config.set(scheduler="synchronous"):
            assert len(result.predictions.compute()) == len(ip.user_ns["test_df"])
    finally:
        ip.user_ns.pop("test_ddf", None)


def _through_the_package(code: str, *args):
    """Run ``code``'s ``call`` as if it were a function of the package (its frames count as ours)."""
    namespace = {"__name__": "pseudolabel_magic._fake"}
    exec(code, namespace)
    try:
        namespace["call"](*args)
    except Exception as err:  # noqa: BLE001 - the test inspects it
        return err
    raise AssertionError("nothing was raised")


def test_model_failure_reads_the_traceback():
    import numpy as np
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.linear_model import LogisticRegression

    from pseudolabel_magic.notebook.display import model_failure
    from pseudolabel_magic.steps import ProgressEvent

    class Fails(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            raise ValueError("bad\ninput.")

    class Unclonable(ClassifierMixin, BaseEstimator):
        def __init__(self, a=1):
            self.a = a + 1  # breaks scikit-learn's rule, so clone refuses it

    X, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    err = _through_the_package("def call(model, X, y):\n    model.fit(X, y)\n", Fails(), X, y)
    assert model_failure(err) == "Fails.fit failed: ValueError: bad input; full traceback with %tb"
    student = ProgressEvent("student", "failed", 1, 1, 0.8)
    assert model_failure(err, student).startswith("the student's fit failed: ValueError: bad input;")
    later = ProgressEvent("pseudo_label", "failed", 2, 3, 0.5)
    assert model_failure(err, later).startswith("the round-2 teacher's fit failed")
    err.pseudolabel_role, err.pseudolabel_round = "oof-teacher", 1  # the engine's own note wins
    assert model_failure(err, student).startswith("the out-of-fold teacher's fit failed")
    err.pseudolabel_role, err.pseudolabel_round = "student", 3
    assert model_failure(err, student).startswith("the round-3 student's fit failed")
    err = _through_the_package("from sklearn.base import clone\ndef call(model):\n    clone(model)\n",
                               Unclonable())
    assert model_failure(err).startswith("cloning Unclonable failed: RuntimeError: Cannot clone")
    err = _through_the_package("def call(model, X, y):\n    model.fit(X, y)\n",
                               LogisticRegression(C="x"), X, y)
    assert model_failure(err).startswith("LogisticRegression.fit failed: InvalidParameterError:")
    # raised by the package itself, or by pandas called from it: ours, not the user's
    assert model_failure(_through_the_package("def call():\n    {}['k']\n")) is None
    assert model_failure(_through_the_package(
        "import pandas as pd\ndef call():\n    pd.DataFrame({'a': [1]})['b']\n")) is None


def test_a_failing_model_under_compare_is_one_line(real, two_strategies):
    ip = real
    before = snapshot(ip.user_ns)
    out, text = shown(ip, "%%pseudolabel --compare --save run\n"
                          "labeled: cities_df\ntarget: y\nteacher: LogisticRegression(penalty='elasticnet')")
    assert isinstance(out.error_in_exec, UsageError)
    assert "the teacher's fit failed: ValueError: Solver lbfgs supports only 'l2' or None" in text
    assert len(text.strip().splitlines()) <= 3 and "Traceback" not in text
    assert snapshot(ip.user_ns) == before


def test_a_body_that_is_not_python_never_ends_in_a_tokenizer_traceback(ip):
    """The recipe is not Python: IPython must not tokenize it after a successful run."""
    ip.user_ns["odd_df"] = ip.user_ns["train_df"].rename(columns={"label": "[x"})
    ip.user_ns["odd_test"] = ip.user_ns["test_df"]
    with capture_output() as captured:
        outcome = ip.run_cell("%%pseudolabel --save odd_run\nlabeled: odd_df\nunlabeled: odd_test\n"
                              "target: [x\nteacher: LogisticRegression(max_iter=1000)\n")
    shown = captured.stdout + captured.stderr
    assert outcome.success, outcome.error_in_exec
    assert "TokenError" not in shown and "Traceback" not in shown
    assert "odd_run" in ip.user_ns
    outcome = ip.run_cell("%%pseudolabel --save quiet_run\nlabeled: train_df\nunlabeled: test_df\n"
                          "target: label\nteacher: LogisticRegression(max_iter=1000);\n")
    assert outcome.success and outcome.result is None and "quiet_run" in ip.user_ns  # ';' silences


def test_explain_shows_the_models_seeded_as_the_run_fits_them(ip):
    """A user's estimator with random_state=None is seeded by the run; the narrated code
    shows the same estimator, so running it repeats the run."""
    ip.run_cell("from sklearn.ensemble import RandomForestClassifier")
    body = FAST.replace("teacher: LogisticRegression(max_iter=1000)",
                        "teacher: RandomForestClassifier(n_estimators=10)")
    with capture_output() as captured:
        result = cell(ip, "--explain", body)
    text = "\n".join(o.data.get("text/plain", "") for o in captured.outputs) + captured.stdout
    assert result.teacher.random_state == 0
    assert "clone(RandomForestClassifier(n_estimators=10, random_state=0)).fit(" in text
