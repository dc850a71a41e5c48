"""The one table of run settings: every bad value is one sentence naming the setting and the fix."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from pseudolabel_magic.core.config import SETTINGS
from pseudolabel_magic.core.validation import check_run_settings, check_setting
from pseudolabel_magic.errors import PseudoLabelError


class NoGetParams:
    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros(len(X))


class NoTags:  # fit, predict and get_params, but scikit-learn cannot read what it is
    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def get_params(self, deep=True):
        return {}


class ProbaOnly(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


#: (settings, the setting to blame, fragments the sentence must hold: the problem, the fix)
BAD = [
    # switches are real booleans (numpy bools too), never text or numbers
    (dict(allow_leakage="no"), "allow_leakage", ["allow_leakage='no' must be True or False, not a str",
                                                 "counts as true"]),
    (dict(allow_leakage=1), "allow_leakage", ["allow_leakage=1 must be True or False, not an int",
                                              "pass allow_leakage=False"]),
    (dict(balance="yes"), "balance", ["balance='yes' must be True or False", "without quotes"]),
    (dict(balance=np.int64(1)), "balance", ["balance=1 must be True or False, not an int64",
                                            "pass balance=True or balance=False"]),
    (dict(soft=None), "soft", ["soft=None must be True or False, not None", "pass soft=True"]),
    (dict(calibrate="yes"), "calibrate", ["calibrate='yes' must be True or False", "write calibrate=True"]),
    (dict(guard="on"), "guard", ["guard='on' must be True, False or None", "write guard=True"]),
    (dict(guard=0), "guard", ["guard=0 must be True, False or None", "pass guard=True"]),
    # numbers are never booleans
    (dict(threshold=True), "threshold", ["threshold=True must be a number in [0, 1], not a bool",
                                         "pass a confidence such as 0.9"]),
    (dict(threshold=np.True_), "threshold", ["threshold=True must be a number in [0, 1], not a numpy bool",
                                             "pass a confidence"]),
    (dict(k_best=True), "k_best", ["k_best=True must be a whole number >= 1, not a bool", "pass e.g. k_best=100"]),
    (dict(rounds=True), "rounds", ["rounds=True must be a whole number >= 1, not a bool", "pass rounds=1"]),
    (dict(pseudo_weight=False), "pseudo_weight", ["pseudo_weight=False must be a finite number >= 0, not a bool",
                                                  "pass pseudo_weight=1.0"]),
    (dict(val_size=True), "val_size", ["val_size=True must be a fraction in (0, 1) or a row count >= 1, not a bool",
                                       "pass val_size=0.2"]),
    (dict(max_pseudo_rows=True), "max_pseudo_rows", ["max_pseudo_rows=True must be None or a whole number >= 1",
                                                     "pass None for no cap"]),
    (dict(n_jobs=True), "n_jobs", ["n_jobs=True must be None or a whole number other than 0, not a bool",
                                   "pass n_jobs=-1"]),
    (dict(chunk_rows=False), "chunk_rows", ["chunk_rows=False must be a whole number >= 1, not a bool",
                                            "pass a number of rows"]),
    (dict(oof="5"), "oof", ["oof='5' must be True (5 folds), False, or a number of folds >= 2, not a str",
                            "pass e.g. oof=5"]),
    # ranges
    (dict(threshold=1.5), "threshold", ["threshold=1.5 is outside [0, 1]", "pass a confidence such as 0.9"]),
    (dict(threshold=-0.1), "threshold", ["threshold=-0.1 is outside [0, 1]", "pass a confidence"]),
    (dict(threshold=float("nan")), "threshold", ["threshold=nan must be a number in [0, 1], not NaN", "pass"]),
    (dict(threshold=np.float64(2.0)), "threshold", ["threshold=2.0 is outside [0, 1]", "pass"]),
    (dict(threshold="0.9"), "threshold", ["threshold='0.9' must be a number in [0, 1], not a str",
                                          "pass the number without quotes, threshold=0.9"]),
    (dict(k_best=0), "k_best", ["k_best=0 must be a whole number >= 1", "pass e.g. k_best=100"]),
    (dict(k_best=2.5), "k_best", ["k_best=2.5 must be a whole number >= 1, not a float", "pass e.g. k_best=100"]),
    (dict(rounds=0), "rounds", ["rounds=0 must be a whole number >= 1", "pass rounds=1 for the classic recipe"]),
    (dict(rounds=2.0), "rounds", ["rounds=2.0 must be a whole number >= 1, not a float",
                                  "pass the whole number rounds=2"]),
    (dict(val_size=1.5), "val_size", ["val_size=1.5 must be a fraction in (0, 1)", "pass val_size=0.2"]),
    (dict(val_size=0), "val_size", ["val_size=0 must be a fraction in (0, 1) or a row count >= 1", "pass"]),
    (dict(val_size=float("nan")), "val_size", ["val_size=nan must be", "not NaN", "pass val_size=0.2"]),
    (dict(val_size="20%"), "val_size", ["val_size='20%' must be a fraction", "not a str", "pass val_size=0.2"]),
    (dict(pseudo_weight=-1), "pseudo_weight", ["pseudo_weight=-1 must be a finite number >= 0",
                                               "pass pseudo_weight=1.0"]),
    (dict(pseudo_weight=float("nan")), "pseudo_weight", ["pseudo_weight=nan must be a finite number >= 0, not NaN",
                                                         "pass pseudo_weight=1.0"]),
    (dict(pseudo_weight=float("inf")), "pseudo_weight", ["pseudo_weight=inf must be a finite number >= 0",
                                                         "pass pseudo_weight=1.0"]),
    (dict(chunk_rows=0), "chunk_rows", ["chunk_rows=0 must be a whole number >= 1", "chunk_rows=200_000"]),
    (dict(chunk_rows=1e5), "chunk_rows", ["chunk_rows=100000.0 must be a whole number >= 1, not a float",
                                          "pass the whole number chunk_rows=100000"]),
    (dict(max_pseudo_rows=-5), "max_pseudo_rows", ["max_pseudo_rows=-5 must be None or a whole number >= 1",
                                                   "pass None for no cap"]),
    (dict(max_pseudo_rows=0), "max_pseudo_rows", ["max_pseudo_rows=0 must be None or a whole number >= 1",
                                                  "0 would leave the student without pseudo-labels"]),
    (dict(n_jobs=0), "n_jobs", ["n_jobs=0 must be None or a whole number other than 0", "pass n_jobs=-1"]),
    (dict(n_jobs="all"), "n_jobs", ["n_jobs='all' must be None or a whole number other than 0, not a str",
                                    "pass n_jobs=-1 (all cores)"]),
    (dict(oof=1), "oof", ["oof=1 must be True (5 folds), False, or a number of folds >= 2", "pass e.g. oof=5"]),
    # seeds: what sklearn.utils.check_random_state takes
    (dict(random_state="abc"), "random_state", ["random_state='abc' must be None, a whole number in "
                                                "[0, 2**32 - 1] or a numpy RandomState, not a str",
                                                "pass a seed such as random_state=0"]),
    (dict(random_state=-1), "random_state", ["random_state=-1 must be None, a whole number in [0, 2**32 - 1]",
                                             "pass a seed such as random_state=0"]),
    (dict(random_state=2**32), "random_state", ["random_state=4294967296 must be None", "random_state=0"]),
    (dict(random_state=True), "random_state", ["random_state=True must be", "not a bool", "random_state=0"]),
    (dict(random_state=0.5), "random_state", ["random_state=0.5 must be", "not a float", "random_state=0"]),
    (dict(random_state=np.random.default_rng(0)), "random_state",
     ["must be None, a whole number in [0, 2**32 - 1] or a numpy RandomState, not a numpy Generator",
      "pass random_state=0 or np.random.RandomState(0)"]),
    # select and curriculum
    (dict(select="best"), "select", ["unknown select='best'", "use one of 'all', 'threshold', 'k-best', 'auto'"]),
    (dict(select="treshold"), "select", ["unknown select='treshold'", "Did you mean 'threshold'?"]),
    (dict(select=0.9), "select", ["unknown select=0.9", "write select='threshold', threshold=0.9"]),
    (dict(curriculum=[]), "curriculum", ["curriculum=[] must be a list of thresholds, one per round",
                                         "pass e.g. curriculum=[0.99, 0.9, 0.8]"]),
    (dict(curriculum="0.9"), "curriculum", ["curriculum='0.9' must be a list of thresholds", "pass e.g."]),
    (dict(curriculum={0.9, 0.8}), "curriculum", ["must be a list of thresholds", "pass e.g."]),
    (dict(curriculum=[1.5]), "curriculum", ["curriculum threshold 1.5 is outside [0, 1]",
                                            "pass confidences such as [0.99, 0.9, 0.8]"]),
    (dict(curriculum=[0.9, True]), "curriculum", ["curriculum threshold True must be a number in [0, 1], not a bool",
                                                  "pass confidences"]),
    (dict(curriculum=[0.8, 0.9]), "curriculum", ["curriculum=[0.8, 0.9] must relax round by round",
                                                 "sort it high to low"]),
    (dict(curriculum=np.array([0.8, 0.9])), "curriculum", ["curriculum=[0.8, 0.9] must relax", "sort it"]),
    # teacher and student
    (dict(teacher=LogisticRegression), "teacher", ["teacher=LogisticRegression is a class, not an estimator object",
                                                   "did you mean LogisticRegression()?"]),
    (dict(student=RandomForestClassifier), "student", ["student=RandomForestClassifier is a class",
                                                       "did you mean RandomForestClassifier()?"]),
    (dict(teacher="rf"), "teacher", ["teacher='rf' is a string, not an estimator object",
                                     "pass an estimator object such as RandomForestClassifier()"]),
    (dict(teacher="logistic regression"), "teacher", ["teacher='logistic regression' is a string",
                                                      "such as LogisticRegression()"]),
    (dict(teacher="LogisticRegression()"), "teacher", ["is a string, not an estimator object",
                                                       "pass the object without quotes, teacher=LogisticRegression()"]),
    (dict(teacher=[StandardScaler(), LogisticRegression()]), "teacher",
     ["teacher=[StandardScaler(), LogisticRegression()] is a list, not one estimator", "make_pipeline("]),
    (dict(teacher=(LogisticRegression(),)), "teacher", ["is a tuple, not one estimator", "pass one estimator"]),
    (dict(teacher=object()), "teacher", ["is an object without a fit method, not an estimator",
                                         "pass an estimator object such as RandomForestClassifier()"]),
    (dict(teacher=make_pipeline), "teacher", ["teacher=make_pipeline is a function, not an estimator object",
                                              "did you mean to call it, teacher=make_pipeline(...)?"]),
    (dict(student=StandardScaler()), "student", ["student=StandardScaler() has fit but no predict",
                                                 "end it with a model"]),
    (dict(teacher=NoGetParams()), "teacher", ["has no get_params, so it cannot be cloned",
                                              "subclass sklearn.base.BaseEstimator"]),
    (dict(student=NoTags()), "student", ["is not an estimator scikit-learn can read",
                                         "subclass sklearn.base.BaseEstimator"]),
    (dict(teacher=LogisticRegression(), student=Ridge()), "student",
     ["the teacher LogisticRegression() is a classifier but the student Ridge() a regressor",
      "pass a student of the same kind"]),
    (dict(teacher=KMeans(n_clusters=3)), "teacher",
     ["teacher KMeans(n_clusters=3) is a clusterer", "pass a model such as RandomForestClassifier()"]),
    # the task, and models of the other kind
    (dict(task="regresion"), "task", ["unknown task='regresion'", "Did you mean 'regression'?"]),
    (dict(task="Classification"), "task", ["unknown task='Classification'", "pass task='classification'"]),
    (dict(task=True), "task", ["unknown task=True", "task='regression'"]),
    (dict(task="classification", teacher=Ridge()), "teacher",
     ["teacher Ridge() is a regressor, but task='classification' needs a classifier",
      "pass a classifier such as LogisticRegression(), or task='regression'"]),
    (dict(task="regression", student=LogisticRegression()), "student",
     ["student LogisticRegression() is a classifier, but task='regression' needs a regressor",
      "or task='classification'"]),
    # sample_weight: one number per labeled row (the values are checked with the data)
    (dict(sample_weight="w"), "sample_weight", ["sample_weight='w' must be None, an array",
                                                "pass the column's values, sample_weight=labeled['w']"]),
    (dict(sample_weight=2.0), "sample_weight", ["sample_weight=2.0 must be None", "not a float",
                                                "leave sample_weight=None"]),
    (dict(sample_weight=pd.DataFrame({"w": [1.0]})), "sample_weight",
     ["not a DataFrame of shape (1, 1)", "pass one column of it"]),
    (dict(sample_weight=np.ones((3, 2))), "sample_weight", ["sample_weight has shape (3, 2)",
                                                            "pass a 1-D array"]),
    (dict(sample_weight={"a": 1.0}), "sample_weight", ["not a dict", "pass e.g. sample_weight="]),
    # columns and the callback
    (dict(target=None), "target", ["target=None must be one column name, not None", "e.g. target='label'"]),
    (dict(target=["a", "b"]), "target", ["target=['a', 'b'] must be one column name, not a list",
                                         "e.g. target='label'"]),
    (dict(target=pd.Series([0, 1])), "target", ["target=<Series of shape (2,)> must be one column name, not a Series",
                                                "put it in the frame"]),
    (dict(group_col=["a"]), "group_col", ["group_col=['a'] must be one column name", "group_col='patient_id'"]),
    (dict(time_col={"a": 1}), "time_col", ["time_col={'a': 1} must be one column name, not a dict",
                                           "pass one column name"]),
    (dict(id_col=np.array([1, 2])), "id_col", ["must be one column name, not an ndarray", "put it in the frame"]),
    (dict(features=[]), "features", ["features=[] is empty", "pass None for every column but the target"]),
    (dict(features=["a", "a"]), "features", ["features names 'a' twice", "list each column once"]),
    (dict(features={"a", "b"}), "features", ["must be a list of column names, not a set", "pass a list"]),
    (dict(features=3), "features", ["features=3 must be a list of column names, not an int", "features=[3]"]),
    (dict(features=pd.DataFrame({"a": [1]})), "features",
     ["features=<DataFrame of shape (1, 1)> must be a list of column names, not a DataFrame",
      "pass features=list(X.columns)"]),
    (dict(features=[["a", "b"]]), "features", ["features holds ['a', 'b'], a list, which is not a column name",
                                                "pass a list such as features="]),
    (dict(progress=3), "progress", ["progress=3 must be None or a function of one ProgressEvent, not an int",
                                    "pass a function such as print"]),
    # cross-fitting, the refit and the headline metric
    (dict(cv=1), "cv", ["cv=1 must be None, a number of folds >= 2", "pass cv=5"]),
    (dict(cv=True), "cv", ["cv=True must be None, a number of folds", "not a bool"]),
    (dict(cv="5"), "cv", ["cv='5' must be None, a number of folds", "not a str"]),
    (dict(cv=KFold), "cv", ["cv=KFold is a class, not a splitter", "did you mean cv=KFold()?"]),
    (dict(cv=[0, 1]), "cv", ["must be None, a number of folds >= 2 or a scikit-learn splitter",
                             "not a list"]),
    (dict(refit="yes"), "refit", ["refit='yes' must be True, False or None", "not a str"]),
    (dict(refit=1), "refit", ["refit=1 must be True, False or None", "refit=True"]),
    (dict(scoring="acuracy"), "scoring", ["unknown scoring='acuracy'", "Did you mean 'accuracy'?"]),
    (dict(scoring="r2", task="classification"), "scoring",
     ["scoring='r2' is not a classification metric", "pass one of 'accuracy'"]),
    # settings together
    (dict(select="threshold"), "select", ["select='threshold' needs a threshold", "pass threshold=0.9"]),
    (dict(select="k-best"), "select", ["select='k-best' needs k_best", "pass k_best=100"]),
    (dict(curriculum=[0.9, 0.8], select="k-best", k_best=3), "curriculum",
     ["curriculum gives each round a threshold, so it cannot go with select='k-best'", "pass select='threshold'"]),
    (dict(curriculum=[0.9, 0.8], threshold=0.9), "curriculum", ["pass either threshold or curriculum, not both"]),
    (dict(curriculum=[0.9, 0.8], rounds=3), "rounds", ["rounds=3 differs from the 2 thresholds in curriculum",
                                                       "leave rounds out"]),
]

#: Words that start the fix half of a sentence.
FIX = re.compile(r"\b(pass|write|use|did you mean|sort|put|end it|subclass|leave|list each|give)\b", re.I)


def test_the_table_has_at_least_40_bad_settings():
    assert len(BAD) >= 40
    assert {setting for _, setting, _ in BAD} >= set(SETTINGS)  # every setting is exercised


@pytest.mark.parametrize("settings, setting, fragments", BAD,
                         ids=[f"{s}-{i}" for i, (_, s, _) in enumerate(BAD)])
def test_bad_setting_is_one_sentence_naming_it_and_the_fix(settings, setting, fragments):
    with pytest.raises(PseudoLabelError) as info:
        check_run_settings(**settings)
    message = str(info.value)
    assert info.value.setting == setting
    assert isinstance(info.value, ValueError)
    assert setting in message
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message and message.endswith((".", "?"))
    head, _, fix = message.partition(";")
    assert fix and FIX.search(fix) or "pass either" in message, message
    assert info.value._render_traceback_() == [f"PseudoLabelError: {message}"]


GOOD = [
    dict(),
    dict(target="label", task=None, teacher=None, student=None, sample_weight=None, val_size=0.2,
         features=None, select="all", threshold=None, k_best=None, rounds=1, balance=False, soft=False, pseudo_weight=1.0,
         group_col=None, time_col=None, id_col=None, random_state=0, allow_leakage=False,
         progress=None, calibrate=False, oof=False, guard=None, curriculum=None,
         max_pseudo_rows=None, n_jobs=None, chunk_rows=200_000),
    dict(target=3, features=[0, 1, 2]),  # pd.DataFrame(X) names columns 0, 1, 2, ...
    dict(target=("y", "true"), features=[("x", "a"), ("x", "b")]),  # MultiIndex labels
    dict(target="y", features="x"),  # one feature by name
    dict(features=pd.Index(["a", "b"])),
    dict(features=np.array(["a", "b"])),
    dict(select="threshold", threshold=0.9, balance=np.True_, soft=np.False_),
    dict(select="threshold", threshold=0, rounds=np.int64(3)),
    dict(select="threshold", threshold=1),
    dict(select="k-best", k_best=np.int32(10)),
    dict(select="auto", guard=False),
    dict(select="threshold", curriculum=[0.99, 0.9, 0.8]),
    dict(curriculum=(0.9, 0.9), rounds=2),
    dict(curriculum=np.array([0.95, 0.8])),
    dict(val_size=30),
    dict(val_size=np.float32(0.25)),
    dict(pseudo_weight=0),
    dict(pseudo_weight=np.float64(0.5)),
    dict(oof=True, calibrate=True),
    dict(oof=np.int64(3)),
    dict(random_state=None),
    dict(random_state=2**32 - 1),
    dict(random_state=np.int64(7)),
    dict(random_state=np.random.RandomState(0)),
    dict(max_pseudo_rows=1),
    dict(n_jobs=-1),
    dict(n_jobs=2),
    dict(chunk_rows=1),
    dict(teacher=LogisticRegression(), student=make_pipeline(StandardScaler(), LogisticRegression())),
    dict(teacher=LinearRegression(), student=Ridge()),
    dict(teacher=ProbaOnly()),  # predict_proba without predict still ranks rows
    dict(task="classification", teacher=LogisticRegression()),
    dict(task="regression", teacher=None, student=Ridge()),
    dict(task=None),
    dict(sample_weight=[1.0, 2.0]),
    dict(sample_weight=np.ones(3)),
    dict(sample_weight=pd.Series([1.0, 0.5])),
    dict(progress=print),
    dict(progress=lambda event: None),
    dict(allow_leakage=True),
]


@pytest.mark.parametrize("settings", GOOD)
def test_good_settings_pass(settings):
    assert check_run_settings(**settings) is None


def test_unknown_setting_names_the_close_one():
    with pytest.raises(PseudoLabelError, match=r"unknown setting 'treshold'.*Did you mean 'threshold'\?"):
        check_run_settings(treshold=0.9)
    with pytest.raises(PseudoLabelError, match=r"unknown setting 'labeled'"):
        check_run_settings(labeled=pd.DataFrame())  # frames are checked with the data, not here
    with pytest.raises(PseudoLabelError, match=r"unknown setting 'kbest'.*Did you mean 'k_best'\?"):
        check_setting("kbest", 3)


def test_check_setting_judges_one_value():
    check_setting("threshold", 0.5)
    with pytest.raises(PseudoLabelError) as info:
        check_setting("threshold", 5)
    assert info.value.setting == "threshold"


def test_the_table_matches_runs_signature():
    """The table is the source for a later typed RunConfig: same names, same defaults."""
    from pseudolabel_magic.core.engine import run

    params = inspect.signature(run).parameters
    settings = {name: p.default for name, p in params.items()
                if name not in ("labeled", "unlabeled", "validation")}
    assert list(settings) == list(SETTINGS)
    for name, default in settings.items():
        if default is inspect.Parameter.empty:  # target has no default
            continue
        assert SETTINGS[name].default == default, name
        check_setting(name, default)  # every default is a good value
    for setting in SETTINGS.values():
        assert setting.help and setting.fix and setting.expected


def test_select_rules_match_the_engine():
    from pseudolabel_magic.core.config import SELECT_RULES
    from pseudolabel_magic.core.selection import SELECT_MODES

    assert SELECT_RULES == SELECT_MODES


@pytest.mark.parametrize("seed", [None, 0, 1, 2**32 - 1, 2**32, -1, np.int64(5), "abc", 0.0, 1.5,
                                  np.random.RandomState(1), np.random.default_rng(0), [1, 2]])
def test_seeds_follow_check_random_state(seed):
    try:
        check_random_state(seed)
        sklearn_ok = True
    except ValueError:
        sklearn_ok = False
    try:
        check_setting("random_state", seed)
        ours = True
    except PseudoLabelError:
        ours = False
    assert ours == sklearn_ok


def test_old_messages_are_kept():
    """The sentences inputs.check_settings / check_strategy_settings gave, which tests match."""
    for settings, pattern in [
        (dict(select="best"), r"unknown select='best'"),
        (dict(select="threshold", threshold=1.5), r"threshold=1.5 is outside \[0, 1\]"),
        (dict(select="threshold", threshold=-0.1), r"outside \[0, 1\]"),
        (dict(select="k-best", k_best=0), r"k_best=0 must be a whole number >= 1"),
        (dict(rounds=0), r"rounds=0 must be a whole number >= 1"),
        (dict(val_size=1.5), r"val_size=1.5 must be a fraction in \(0, 1\)"),
        (dict(select="threshold"), r"select='threshold' needs a threshold"),
        (dict(calibrate="yes"), r"calibrate='yes' must be True or False"),
        (dict(oof=1), r"oof=1 must be True \(5 folds\), False, or a number of folds >= 2"),
        (dict(guard="on"), r"guard='on' must be True, False or None"),
        (dict(curriculum=[0.8, 0.9]), r"must relax round by round"),
        (dict(curriculum=[1.5]), r"curriculum threshold 1.5 is outside \[0, 1\]"),
        (dict(curriculum=[]), r"must be a list of thresholds"),
        (dict(curriculum=[0.9, 0.8], select="k-best", k_best=3), r"cannot go with select='k-best'"),
        (dict(curriculum=[0.9, 0.8], threshold=0.9), r"either threshold or curriculum"),
        (dict(curriculum=[0.9, 0.8], rounds=3), r"rounds=3 differs from the 2 thresholds"),
    ]:
        with pytest.raises(PseudoLabelError, match=pattern):
            check_run_settings(**settings)


def test_import_is_light():
    """The magic imports params at %load_ext: it must not pull pandas or scikit-learn in."""
    import subprocess
    import sys

    code = ("import sys, pseudolabel_magic.core.config; "
            "print(any(m in sys.modules for m in ('pandas', 'sklearn', 'numpy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
