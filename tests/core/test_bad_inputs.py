"""A table of bad and unusual inputs, each tried through ``pl.run`` and through ``%%pseudolabel``.

Every case either runs with the right result (the task, the rows of each split, a
prediction for every unlabeled row, the user's frames unchanged, plus what the case is
about) or is refused with :class:`PseudoLabelError` naming the setting or column and a fix,
before any model is fitted (no progress event of the "teacher" step). Through the magic the
same case runs to the same result, or fails with IPython's UsageError in at most three
lines and no traceback (a displayed diagram, such as a refused leakage check's, counts as one
line: a notebook shows it as a figure), again before the teacher's fit, with the notebook's
variables unchanged.

A case the library gets wrong stays in the table, marked ``xfail(strict=True)`` with what
happens instead, until the library is fixed.

The frames are built by ``SETUP``, run once in this module and once as a cell of the test
shell, so the two front ends see the same data under the same names.
"""

from __future__ import annotations

import copy
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

import pseudolabel_magic as pl
from pseudolabel_magic.errors import PseudoLabelError

SETUP = '''
from decimal import Decimal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.cluster import KMeans
from sklearn.ensemble import (HistGradientBoostingClassifier, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

N_LAB, N_UNL = 90, 40


def _numbers(n, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                         "x3": rng.uniform(size=n)})


def _gaps(n):
    return np.arange(n) % 5 == 2


def _codes(n, seed):
    return np.random.default_rng(seed).integers(0, 3, n)


def _pair(make, name="extra"):
    """labeled and unlabeled frames with one more feature column ``name``."""
    return base.assign(**{name: make(N_LAB, 3)}), pool.assign(**{name: make(N_UNL, 4)})


base = _numbers(N_LAB, 1)
base["label"] = np.where(base["x1"] + 0.3 * base["x2"] > 0, "a", "b")
pool = _numbers(N_UNL, 2).set_axis(pd.RangeIndex(1000, 1000 + N_UNL))
both = pd.concat([base, pool])  # label is NaN on the pool's 40 rows

# -- feature dtypes -------------------------------------------------------------------------
lab_Int64, unl_Int64 = _pair(lambda n, s: pd.array(np.where(_gaps(n), None, _codes(n, s)), dtype="Int64"))
lab_Float64, unl_Float64 = _pair(lambda n, s: pd.array(
    np.where(_gaps(n), None, np.random.default_rng(s).normal(size=n)), dtype="Float64"))
lab_boolean, unl_boolean = _pair(lambda n, s: pd.array(np.where(_gaps(n), None, _codes(n, s) > 0),
                                                       dtype="boolean"))
lab_int_pa, unl_int_pa = _pair(lambda n, s: pd.array(np.where(_gaps(n), None, _codes(n, s)),
                                                     dtype="int64[pyarrow]"))
lab_str_pa, unl_str_pa = _pair(lambda n, s: pd.array(
    np.where(_gaps(n), None, np.where(_codes(n, s) > 0, "north", "south")), dtype="string[pyarrow]"))
lab_double_pa, unl_double_pa = _pair(lambda n, s: pd.array(
    np.where(_gaps(n), None, np.random.default_rng(s).normal(size=n)), dtype="double[pyarrow]"))
lab_mixed, unl_mixed = _pair(lambda n, s: np.array([101 if i % 3 else "A7" for i in range(n)], dtype=object))
lab_na_text, unl_na_text = _pair(lambda n, s: np.array([float(i) if i % 7 else "n/a" for i in range(n)],
                                                       dtype=object))
lab_inf, unl_inf = _pair(lambda n, s: np.where(np.arange(n) % 9 == 4, np.inf,
                                               np.where(np.arange(n) % 11 == 5, -np.inf,
                                                        np.random.default_rng(s).normal(size=n))))
lab_all_nan, unl_all_nan = _pair(lambda n, s: np.full(n, np.nan))
lab_category, unl_category = _pair(lambda n, s: pd.Categorical(
    np.where(_gaps(n), None, np.random.default_rng(s).choice(["x", "y", "z"], n))))
lab_new_category = base.assign(extra=pd.Categorical(np.resize(["x", "y"], N_LAB)))
unl_new_category = pool.assign(extra=pd.Categorical(np.resize(["x", "y", "w"], N_UNL)))
lab_bool, unl_bool = _pair(lambda n, s: np.random.default_rng(s).random(n) < 0.5)
lab_decimal, unl_decimal = _pair(lambda n, s: np.array(
    [Decimal(f"{v:.2f}") for v in np.random.default_rng(s).normal(size=n)], dtype=object))
lab_float32, unl_float32 = _pair(lambda n, s: np.random.default_rng(s).normal(size=n).astype("float32"))
lab_timedelta, unl_timedelta = _pair(lambda n, s: pd.to_timedelta(_codes(n, s) * 7, unit="h"))
lab_period, unl_period = _pair(lambda n, s: pd.period_range("2024-01", periods=n, freq="M"))
lab_complex, unl_complex = _pair(lambda n, s: np.random.default_rng(s).normal(size=n) + 1j)
lab_lists, unl_lists = _pair(lambda n, s: pd.Series([[i, i + 1] for i in range(n)], dtype=object).to_numpy())
lab_dicts, unl_dicts = _pair(lambda n, s: pd.Series([{"k": i} for i in range(n)], dtype=object).to_numpy())


def _when(n, zone):
    return pd.date_range("2024-03-01", periods=n, freq="7h", tz=zone)


lab_naive, unl_aware = base.assign(when=_when(N_LAB, None)), pool.assign(when=_when(N_UNL, "Asia/Tokyo"))
lab_aware, unl_naive = base.assign(when=_when(N_LAB, "Europe/Paris")), pool.assign(when=_when(N_UNL, None))
unl_tokyo = unl_aware
lab_nat = base.assign(when=pd.Series(_when(N_LAB, None)).mask(_gaps(N_LAB)).to_numpy())
unl_nat = pool.assign(when=pd.Series(_when(N_UNL, None)).mask(_gaps(N_UNL)).to_numpy())
unl_text_numbers = pool.assign(x3=pool["x3"].map(lambda v: f"{v:.3f}"))  # numbers stored as text

# -- targets --------------------------------------------------------------------------------
_missing = both["label"].isna().to_numpy()
_is_a = (both["label"] == "a").to_numpy()
t_Int64 = both.assign(label=pd.array(np.where(_missing, None, _is_a.astype(int)), dtype="Int64"))
t_boolean = both.assign(label=pd.array(np.where(_missing, None, _is_a), dtype="boolean"))
t_int_pa = both.assign(label=pd.array(np.where(_missing, None, _is_a.astype(int) * 7),
                                      dtype="int64[pyarrow]"))
t_str_pa = both.assign(label=both["label"].astype("string[pyarrow]"))
t_category = both.assign(label=both["label"].astype("category"))
t_none = both.assign(label=both["label"].astype(object).where(~_missing, None))
t_float01 = both.assign(label=np.where(_missing, np.nan, _is_a.astype(float)))
t_bool = base.assign(label=base["label"] == "a")
t_continuous = base.assign(label=2.0 * base["x1"] + 0.1 * base["x3"])
t_whole_many = base.assign(label=np.round(10 * base["x1"] + 50).astype(int))  # ~35 values
t_tuples = base.assign(label=[("a", 1) if v == "a" else ("b", 2) for v in base["label"]])
t_lists = base.assign(label=pd.Series([[v] for v in base["label"]], dtype=object).to_numpy())
t_yes = base.assign(label=np.where(base["x1"] > 0.5, "Yes", np.where(base["x1"] > 0, "yes",
                                   np.where(base["x1"] > -0.5, "Yes ", "no"))))
t_constant = base.assign(label="a")
t_text_and_numbers = base.assign(label=np.array(["a" if v == "a" else 1 for v in base["label"]],
                                                dtype=object))
t_inf = base.assign(label=np.where(np.arange(N_LAB) == 3, np.inf, 2.0 * base["x1"] + 0.1 * base["x3"]))
t_all_missing = both.assign(label=np.nan)
t_dates = base.assign(label=pd.date_range("2024-01-01", periods=N_LAB, freq="D"))
t_date_objects = base.assign(label=[d.date() for d in pd.date_range("2024-01-01", periods=N_LAB, freq="W")])
t_dates_tz = base.assign(label=pd.date_range("2024-01-01", periods=N_LAB, freq="MS", tz="Europe/Paris")
                         .where(base["x1"] > 0, pd.Timestamp("2030-01-01", tz="Europe/Paris")))
t_durations = base.assign(label=pd.to_timedelta(np.round(10 * base["x1"].abs()), unit="h"))

# -- column names ---------------------------------------------------------------------------
dup_features = base.set_axis(["x1", "x1", "x3", "label"], axis=1)
dup_features_pool = pool.assign(copy=pool["x1"]).set_axis(["x1", "x2", "x3", "x1"], axis=1)
dup_target = base.assign(y2=base["label"]).set_axis(["x1", "x2", "x3", "label", "label"], axis=1)
dup_target_pool = pool.assign(label="a", y2="b").set_axis(["x1", "x2", "x3", "label", "label"], axis=1)
int_cols = base.set_axis([0, 1, 2, 3], axis=1)
int_pool = pool.set_axis([0, 1, 2], axis=1)
_tuples = pd.Index([("x", 1), ("x", 2), ("x", 3), ("y", "")], tupleize_cols=False)
tuple_cols = base.set_axis(_tuples, axis=1)
tuple_pool = pool.set_axis(_tuples[:3], axis=1)
mixed_cols = base.set_axis([0, "x2", 2.5, "label"], axis=1)
mixed_pool = pool.set_axis([0, "x2", 2.5], axis=1)
clash_cols = base.assign(town=np.where(base["x3"] > 0.5, "Paris", "Rome")).set_axis(  # 3 and "3"
    ["3", 3, "x3", "label", 4.5], axis=1)
clash_pool = pool.assign(town=np.where(pool["x3"] > 0.5, "Paris", "Rome")).set_axis(["3", 3, "x3", 4.5], axis=1)
multi_cols = base.set_axis(pd.MultiIndex.from_tuples(
    [("f", "x1"), ("f", "x2"), ("f", "x3"), ("t", "label")]), axis=1)
multi_both = both.set_axis(pd.MultiIndex.from_tuples(
    [("f", "x1"), ("f", "x2"), ("f", "x3"), ("t", "label")]), axis=1)
multi_pool = pool.set_axis(pd.MultiIndex.from_tuples([("f", "x1"), ("f", "x2"), ("f", "x3")]), axis=1)
only_target = base[["label"]]
str_cols = base.set_axis(["0", "1", "2", "3"], axis=1)
cat_cols = base.set_axis(pd.CategoricalIndex(["x1", "x2", "x3", "label"]), axis=1)
cat_pool = pool.set_axis(pd.CategoricalIndex(["x1", "x2", "x3"]), axis=1)
blank_target = base.rename(columns={"label": ""})
named = base.rename(columns={"x1": "höhe (cm)", "x2": "x 2"})
named_pool = pool.rename(columns={"x1": "höhe (cm)", "x2": "x 2"})

# -- frames: shapes, indexes, other columns ---------------------------------------------------
pool_extra = pool.assign(note="kept out", other=1.5)
pool_reordered = pool[["x3", "x1", "x2"]]
pool_without_x3 = pool.drop(columns="x3")
pool_with_labels = pool.assign(label=np.where(pool["x1"] > 0, "a", "b"))
pool_dup_index = pool.set_axis([1000 + i // 2 for i in range(N_UNL)])
pool_text_index = pool.set_axis([f"row-{i}" for i in range(N_UNL)])
pool_multi_index = pool.set_axis(pd.MultiIndex.from_arrays([np.arange(N_UNL) // 10, np.arange(N_UNL)]))
pool_empty = pool.iloc[:0]
base_dup_index = base.set_axis([i // 3 for i in range(N_LAB)])
base_multi_index = base.set_axis(pd.MultiIndex.from_arrays([np.arange(N_LAB) % 4, np.arange(N_LAB)]))
both_multi_index = both.set_axis(pd.MultiIndex.from_arrays([np.arange(N_LAB + N_UNL) % 4,
                                                            np.arange(N_LAB + N_UNL)]))
base_empty = base.iloc[:0]
base_two_rows = base.iloc[[0, 1]].assign(label=["a", "b"])
base_with_gaps = both.copy()  # used with unlabeled=pool: missing targets AND a pool
base_repeated = pd.concat([base] * 3, ignore_index=True)
pool_all_nan = pool.assign(x1=np.nan, x2=np.nan, x3=np.nan)
t_Int64_amounts = both.assign(label=pd.array(np.where(_missing, None, np.round(10 * both["x1"]).fillna(0)
                                                      .astype(int)), dtype="Int64"))
val_set = _numbers(30, 5).set_axis(pd.RangeIndex(5000, 5030))
val_set["label"] = np.where(val_set["x1"] + 0.3 * val_set["x2"] > 0, "a", "b")
val_other_columns = val_set.rename(columns={"x3": "x4"})
val_no_target = val_set.drop(columns="label")
val_nan_target = val_set.assign(label=np.where(np.arange(30) < 3, None, val_set["label"]))
val_three = val_set.iloc[:3].assign(label=["a", "b", "a"])
val_three_one_class = val_set.iloc[:3].assign(label="a")
val_empty = val_set.iloc[:0]
dup_target_val = val_set.assign(y2=val_set["label"]).set_axis(["x1", "x2", "x3", "label", "label"], axis=1)

# -- your own model on raw columns ----------------------------------------------------------
lab_text_nan = base.assign(city=np.where(base["x3"] > 0.5, "Paris", "Rome"),
                           x2=base["x2"].mask(_gaps(N_LAB)))
unl_text_nan = pool.assign(city=np.where(pool["x3"] > 0.5, "Paris", "Rome"),
                           x2=pool["x2"].mask(_gaps(N_UNL)))
lab_nan = base.assign(x2=base["x2"].mask(_gaps(N_LAB)))
unl_nan = pool.assign(x2=pool["x2"].mask(_gaps(N_UNL)))
fitted_lr = LogisticRegression().fit(base[["x1", "x2", "x3"]], base["label"])
fitted_coef = fitted_lr.coef_.copy()
weights = np.linspace(0.5, 1.5, N_LAB)
weights_other_index = pd.Series(weights, index=np.arange(N_LAB) + 500)
grouped = base.assign(grp=np.arange(N_LAB) % 9, day=pd.date_range("2024-01-01", periods=N_LAB),
                      uid=np.arange(N_LAB) + 10_000)
grouped_pool = pool.assign(grp=np.arange(N_UNL) % 9 + 100, day=pd.date_range("2025-01-01", periods=N_UNL),
                           uid=np.arange(N_UNL) + 20_000)


class CountingLR(LogisticRegression):
    """A LogisticRegression that counts its fits (every clone adds to the same list)."""

    def fit(self, X, y, sample_weight=None):
        FITS.append(len(X))
        return super().fit(X, y, sample_weight=sample_weight)


FITS = []
'''

NS: dict = {}
exec(SETUP, NS)  # noqa: S102 - our own setup text, also run as a notebook cell


# -- the table ---------------------------------------------------------------------------------
@dataclass
class Case:
    """One input: ``args`` are run keywords as Python expressions in the SETUP namespace."""

    id: str
    args: dict
    error: tuple = ()  # substrings of the PseudoLabelError (empty: the run must succeed)
    task: str = "classification"
    check: Callable | None = None  # extra assertions on a successful result: check(result, ctx)
    warns: str | None = None  # a substring of a warning the run must show
    cell: bool = True  # whether the magic test runs it too
    cell_error: tuple | None = None  # the UsageError's substrings (default: ``error``)
    xfail: str | None = None  # pl.run does the wrong thing: what happens
    xfail_cell: str | None = None  # the magic does the wrong thing: what happens

    @property
    def ok(self) -> bool:
        return not self.error


FAST = {"labeled": "base", "unlabeled": "pool", "target": "'label'", "teacher": "LogisticRegression()"}


def fast(**changes) -> dict:
    """FAST with some keywords changed (a value of None drops the keyword)."""
    args = {**FAST, **changes}
    return {k: v for k, v in args.items() if v is not None}


def pair(key: str, **changes) -> dict:
    """The dtype pair lab_<key> / unl_<key> with the LogisticRegression teacher."""
    return fast(labeled=f"lab_{key}", unlabeled=f"unl_{key}", **changes)


@dataclass
class Ctx:
    """What a check can look at: the resolved keywords, the warnings' text, the events."""

    kw: dict
    warnings: list
    events: list
    ns: dict


def notes_say(text):
    def check(result, ctx):
        assert any(text in note for note in result.notes), result.notes
    return check


def features_are(names):
    def check(result, ctx):
        assert list(result.config["features"]) == names
    return check


def both(*checks):
    def check(result, ctx):
        for one in checks:
            assert one(result, ctx) is not False
    return check


def models_take_the_users_frame(result, ctx):
    """result.teacher and result.student predict the user's frame, with its own column names."""
    features = result.config["features"]
    pool = ctx.kw["unlabeled"][features]
    for model in (result.teacher, result.student):
        assert len(model.predict(pool)) == len(pool)
    if result.final_model == "student":
        np.testing.assert_array_equal(result.student.predict(pool), result.predictions["prediction"])


def leakage_passes(result, ctx):
    assert result.leakage.ok and not result.leaky, result.leakage.checks


def all_selected_at_least(threshold):
    def check(result, ctx):
        chosen = result.pseudo_labels[result.pseudo_labels["selected"]]
        assert (chosen["confidence"] >= threshold).all()
    return check


def n_selected(n):
    def check(result, ctx):
        assert int(result.pseudo_labels["selected"].sum()) == n
        student = [f for f in result.fit_log if f.role == "student"][-1]
        assert student.n_rows == result.counts["n_train"] + n
    return check


def validation_rows(n):
    def check(result, ctx):
        assert result.counts["n_validation"] == n == len(result.validation_index)
        assert result.counts["n_train"] == N_LAB
    return check


def chunks(n):
    def check(result, ctx):
        totals = {e.counts.get("partitions_total") for e in ctx.events if e.step == "pseudo_label"}
        assert n in totals, totals
    return check


def user_teacher_untouched(result, ctx):
    np.testing.assert_array_equal(ctx.ns["fitted_lr"].coef_, ctx.ns["fitted_coef"])
    assert result.teacher is not ctx.ns["fitted_lr"]


def classes_are(labels):
    def check(result, ctx):
        assert sorted(map(str, result.classes_)) == sorted(map(str, labels))
    return check


def counted_fits(result, ctx):
    assert len(ctx.ns["FITS"]) >= 2  # the teacher's and the student's


def predicts_like(pool_name):
    """The same predictions (at least 95% of rows) as the run on the frame ``pool_name``."""
    def check(result, ctx):
        reference = pl.run(ctx.kw["labeled"], ctx.ns[pool_name], target=ctx.kw["target"],
                           teacher=ctx.ns["LogisticRegression"]())
        same = result.predictions["prediction"].to_numpy() == reference.predictions["prediction"].to_numpy()
        assert same.mean() >= 0.95, same.mean()
    return check


def leak_check(name, status, count, kept_out=False):
    """The leakage report's row ``name`` has ``status`` (and ``count``); the run goes on."""
    def check(result, ctx):
        row = result.leakage.checks.set_index("check").loc[name]
        assert row["status"] == status, row["detail"]
        if count is not None:
            assert row["count"] == count
        if kept_out:  # pool rows identical to validation rows never train the student
            assert result.counts["n_kept_out"] == result.counts["n_validation"]
    return check


N_LAB, N_UNL = NS["N_LAB"], NS["N_UNL"]
CASES = [
    # -- pandas dtypes of a feature (pd.NA on every fifth row where the dtype has one) -----
    Case("feature-Int64-with-NA", pair("Int64")),
    Case("feature-Float64-with-NA", pair("Float64")),
    Case("feature-boolean-with-NA", pair("boolean")),
    Case("feature-int64[pyarrow]-with-NA", pair("int_pa")),
    Case("feature-string[pyarrow]-with-NA", pair("str_pa"), check=notes_say("'extra' holds text")),
    Case("feature-double[pyarrow]-with-NA", pair("double_pa")),
    Case("feature-object-mixing-numbers-and-text", pair("mixed")),
    Case("feature-object-numbers-and-'n/a'", pair("na_text")),
    Case("feature-inf-and-minus-inf", pair("inf"), check=notes_say("inf")),
    Case("feature-all-NaN", pair("all_nan")),
    Case("feature-category-with-NaN", pair("category"), check=notes_say("categories")),
    Case("feature-category-unseen-in-unlabeled", pair("new_category")),
    Case("feature-bool", pair("bool")),
    Case("feature-Decimal-objects", pair("decimal")),
    Case("feature-float32", pair("float32")),
    Case("feature-timedelta", pair("timedelta")),
    Case("feature-period", pair("period")),
    Case("feature-dates-naive-vs-aware", fast(labeled="lab_naive", unlabeled="unl_aware")),
    Case("feature-dates-aware-vs-naive", fast(labeled="lab_aware", unlabeled="unl_naive")),
    Case("feature-dates-two-zones", fast(labeled="lab_aware", unlabeled="unl_tokyo")),
    Case("feature-dates-with-NaT", fast(labeled="lab_nat", unlabeled="unl_nat")),
    Case("feature-complex-numbers", pair("complex"), error=("column 'extra' holds complex numbers", "np.real")),
    Case("feature-lists-in-cells", pair("lists"), error=("column 'extra' holds lists", "its own column")),
    Case("feature-dicts-in-cells", pair("dicts"), error=("column 'extra' holds dicts", "features=[")),
    Case("feature-numbers-as-text-in-unlabeled-only", fast(unlabeled="unl_text_numbers"),
         check=predicts_like("pool")),
    # -- the target's dtype (missing = unlabeled) ---------------------------------------------
    Case("target-Int64-with-NA", fast(labeled="t_Int64", unlabeled=None)),
    Case("target-boolean-with-NA", fast(labeled="t_boolean", unlabeled=None)),
    Case("target-int64[pyarrow]-with-NA", fast(labeled="t_int_pa", unlabeled=None)),
    Case("target-string[pyarrow]-with-NA", fast(labeled="t_str_pa", unlabeled=None)),
    Case("target-category-with-NaN", fast(labeled="t_category", unlabeled=None)),
    Case("target-object-with-None", fast(labeled="t_none", unlabeled=None)),
    Case("target-float-0-1-with-NaN", fast(labeled="t_float01", unlabeled=None)),
    Case("target-bool", fast(labeled="t_bool")),
    Case("target-continuous-guessed-regression", fast(labeled="t_continuous", teacher=None),
         task="regression"),
    Case("target-continuous-LinearRegression", fast(labeled="t_continuous", teacher="LinearRegression()"),
         task="regression"),
    Case("target-35-whole-numbers-task-regression",
         fast(labeled="t_whole_many", teacher="LinearRegression()", task="'regression'"), task="regression"),
    Case("target-tuple-labels", fast(labeled="t_tuples"),
         error=("target 'label' holds 90 label(s) that are tuples", "labeled['label'].map(str)")),
    Case("target-list-labels", fast(labeled="t_lists"), error=("that are lists", "one number or one text")),
    Case("target-Yes-yes-'Yes '", fast(labeled="t_yes"), warns="differ only by case",
         check=classes_are(["Yes", "yes", "Yes ", "no"])),
    Case("target-constant", fast(labeled="t_constant"),
         error=("target 'label' has a single class ('a')", "label rows with other values")),
    Case("target-text-and-numbers", fast(labeled="t_text_and_numbers"),
         error=("target 'label' mixes text", ".astype(str)")),
    Case("target-inf", fast(labeled="t_inf", teacher="LinearRegression()"),
         error=("target 'label' is infinite on 1 labeled row", "replace")),
    Case("target-all-missing", fast(labeled="t_all_missing", unlabeled=None),
         error=("the labeled set is empty", "label some rows")),
    Case("target-dates", fast(labeled="t_dates", teacher=None),
         error=("target 'label' holds dates (90 distinct", "one class per date", ".dt.days with task='regression'")),
    Case("target-dates-as-objects", fast(labeled="t_date_objects", teacher=None),
         error=("target 'label' holds dates", "pd.to_datetime(labeled['label'])")),
    Case("target-dates-with-a-zone-task-classification", fast(labeled="t_dates_tz", task="'classification'"),
         error=("target 'label' holds dates", "task='regression'")),
    Case("target-durations", fast(labeled="t_durations", teacher="LinearRegression()"),
         error=("target 'label' holds durations", ".dt.total_seconds()")),
    # -- columns --------------------------------------------------------------------------
    Case("columns-duplicate-feature-names", fast(labeled="dup_features"), error=("'x1'", "rename")),
    Case("columns-duplicate-feature-name-in-unlabeled", fast(unlabeled="dup_features_pool"),
         error=("column 'x1' appears 2 times in unlabeled", "rename",
                "unlabeled.loc[:, ~unlabeled.columns.duplicated()]")),
    Case("columns-duplicate-feature-given", fast(labeled="dup_features", features="['x1', 'x3']"),
         error=("feature column 'x1' appears 2 times in labeled", "rename")),
    Case("columns-duplicate-target-name", fast(labeled="dup_target"),
         error=("target column 'label' appears 2 times in labeled", "rename",
                "labeled.loc[:, ~labeled.columns.duplicated()]")),
    Case("columns-duplicate-target-name-in-unlabeled", fast(unlabeled="dup_target_pool"),
         error=("target column 'label' appears 2 times in unlabeled", "rename")),
    Case("columns-duplicate-target-name-in-validation", fast(validation="dup_target_val"),
         error=("target column 'label' appears 2 times in validation", "rename")),
    Case("columns-integer-names", fast(labeled="int_cols", unlabeled="int_pool", target="3"),
         check=features_are([0, 1, 2])),
    Case("columns-tuple-names", fast(labeled="tuple_cols", unlabeled="tuple_pool", target="('y', '')"),
         check=features_are([("x", 1), ("x", 2), ("x", 3)])),
    Case("columns-mixed-int-float-str-names", fast(labeled="mixed_cols", unlabeled="mixed_pool"),
         check=both(features_are([0, "x2", 2.5]), models_take_the_users_frame)),
    Case("columns-mixed-names-default-model", fast(labeled="mixed_cols", unlabeled="mixed_pool", teacher=None),
         check=both(features_are([0, "x2", 2.5]), models_take_the_users_frame)),
    Case("columns-mixed-names-your-Pipeline", fast(labeled="mixed_cols", unlabeled="mixed_pool",
                                                   teacher="make_pipeline(StandardScaler(), LogisticRegression())"),
         check=models_take_the_users_frame),
    Case("columns-3-and-'3'-with-text-default-model", fast(labeled="clash_cols", unlabeled="clash_pool",
                                                          teacher=None),
         check=both(features_are(["3", 3, "x3", 4.5]), models_take_the_users_frame)),
    Case("columns-3-and-'3'-with-text-LogisticRegression", fast(labeled="clash_cols", unlabeled="clash_pool"),
         check=both(notes_say("because column 4.5 holds text"), models_take_the_users_frame)),
    Case("columns-unicode-and-spaces", fast(labeled="named", unlabeled="named_pool"),
         check=features_are(["höhe (cm)", "x 2", "x3"])),
    Case("columns-MultiIndex-target-tuple", fast(labeled="multi_cols", unlabeled="multi_pool",
                                                 target="('t', 'label')"),
         check=features_are([("f", "x1"), ("f", "x2"), ("f", "x3")])),
    Case("columns-MultiIndex-target-top-level", fast(labeled="multi_cols", unlabeled="multi_pool",
                                                     target="'t'"),
         error=("target 't' names a level of labeled's MultiIndex columns", "target=('t', 'label')")),
    Case("columns-MultiIndex-target-top-level-pool-in-frame", fast(labeled="multi_both", unlabeled=None,
                                                                   target="'t'"),
         error=("target 't' names a level of labeled's MultiIndex columns", "target=('t', 'label')")),
    Case("columns-MultiIndex-target-second-level", fast(labeled="multi_cols", unlabeled="multi_pool",
                                                        target="'label'"),
         error=("target 'label' is not a column of labeled", "target=('t', 'label')")),
    Case("columns-MultiIndex-features-top-level", fast(labeled="multi_cols", unlabeled="multi_pool",
                                                       target="('t', 'label')", features="['f']"),
         error=("feature 'f' names a level", "features=[('f', 'x1'), ('f', 'x2'), ('f', 'x3')]")),
    Case("columns-MultiIndex-pool-in-frame", fast(labeled="multi_both", unlabeled=None,
                                                  target="('t', 'label')"),
         check=features_are([("f", "x1"), ("f", "x2"), ("f", "x3")])),
    Case("columns-target-typo", fast(target="'lable'"),
         error=("target column 'lable' is not in labeled", "Did you mean 'label'?")),
    Case("columns-target-wrong-case", fast(target="'Label'"), error=("'Label'", "Did you mean 'label'?")),
    Case("columns-target-None", fast(target="None"), error=("target=None must be one column name",
                                                            "target='label'"),
         cell_error=("target column 'None' is not in labeled", "pick one of its columns")),
    Case("columns-target-a-list", fast(target="['label']"), error=("target=['label']", "target='label'"),
         cell_error=("['label']", "pick one of its columns")),
    Case("columns-target-a-Series", fast(target="base['label']"),
         error=("target=<Series of shape (90,)>", "pass its name"), cell=False),
    Case("columns-feature-typo", fast(features="['x1', 'x22']"),
         error=("feature column 'x22' is not in labeled", "Did you mean")),
    Case("columns-target-listed-as-feature", fast(features="['x1', 'label']"),
         error=("the target 'label' is listed as a feature", "remove it from features")),
    Case("columns-features-empty", fast(features="[]"), error=("features=[] is empty", "pass None")),
    Case("columns-features-one-name", fast(features="'x1'"), check=features_are(["x1"])),
    Case("columns-features-a-set", fast(features="{'x1', 'x2'}"),
         error=("features=", "a set has no order"), cell=False),
    Case("columns-features-twice", fast(features="['x1', 'x1']"),
         error=("features names 'x1' twice", "list each column once")),
    Case("columns-group_col-typo", fast(labeled="grouped", unlabeled="grouped_pool", group_col="'gpr'"),
         error=("group_col column 'gpr' is not in labeled", "Did you mean 'grp'?")),
    Case("columns-time_col-missing", fast(time_col="'day'"),
         error=("time_col column 'day' is not in labeled", "pick one of its columns")),
    Case("columns-id_col-typo", fast(labeled="grouped", unlabeled="grouped_pool", id_col="'uuid'"),
         error=("id_col column 'uuid' is not in labeled", "Did you mean 'uid'?")),
    Case("columns-target-3-but-names-are-text", fast(labeled="str_cols", target="3"),
         error=("target column 3 is not in labeled", "Did you mean '3'?"), cell=False),  # a cell matches '3'
    Case("columns-CategoricalIndex", fast(labeled="cat_cols", unlabeled="cat_pool"),
         check=features_are(["x1", "x2", "x3"])),
    Case("columns-empty-string-target", fast(labeled="blank_target", target="''"),
         check=lambda r, c: r.config["target"] == ""),
    Case("columns-only-the-target", fast(labeled="only_target"),
         error=("no feature columns besides the target", "add feature columns")),
    Case("columns-group_col-time_col-id_col-given", fast(labeled="grouped", unlabeled="grouped_pool",
                                                         group_col="'grp'", id_col="'uid'"),
         check=features_are(["x1", "x2", "x3", "day"])),
    # -- your own model on raw columns ----------------------------------------------------------
    Case("model-RandomForest-on-text-and-NaN", fast(labeled="lab_text_nan", unlabeled="unl_text_nan",
                                                    teacher="RandomForestClassifier(n_estimators=20)"),
         check=notes_say("added the default preprocessing in front of your teacher RandomForestClassifier")),
    Case("model-LogisticRegression-on-text-and-NaN", fast(labeled="lab_text_nan", unlabeled="unl_text_nan"),
         check=notes_say("because column 'city' holds text")),
    Case("model-LogisticRegression-on-NaN-only", fast(labeled="lab_nan", unlabeled="unl_nan"),
         check=notes_say("because column 'x2' holds missing values")),
    Case("model-HistGradientBoosting-on-text", fast(labeled="lab_text_nan", unlabeled="unl_text_nan",
                                                   teacher="HistGradientBoostingClassifier(max_iter=20)")),
    Case("model-Pipeline-cannot-take-text", fast(labeled="lab_text_nan", unlabeled="unl_text_nan",
                                                 teacher="make_pipeline(StandardScaler(), LogisticRegression())"),
         error=("cannot take column 'city', which holds text", "skrub.TableVectorizer()")),
    Case("model-Pipeline-cannot-take-NaN", fast(labeled="lab_nan", unlabeled="unl_nan",
                                                teacher="make_pipeline(StandardScaler(), LogisticRegression())"),
         error=("'x2'", "SimpleImputer")),
    Case("model-Pipeline-with-imputer-on-NaN", fast(
        labeled="lab_nan", unlabeled="unl_nan",
        teacher="make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())")),
    Case("model-no-proba-with-select-threshold", fast(teacher="LinearSVC()", select="'threshold'",
                                                      threshold="0.9"),
         error=("has no predict_proba", "select='all'")),
    Case("model-no-proba-with-select-all", fast(teacher="LinearSVC()")),
    Case("model-no-proba-with-soft", fast(teacher="LinearSVC()", soft="True"),
         error=("soft=True weights rows by confidence, but the teacher LinearSVC gives none", "soft=False")),
    Case("model-student-without-sample_weight", fast(student="KNeighborsClassifier()", pseudo_weight="0.5"),
         error=("the student KNeighborsClassifier does not accept", "pseudo_weight=1.0")),
    Case("model-already-fitted-teacher", fast(teacher="fitted_lr"), check=user_teacher_untouched),
    Case("model-counting-teacher-runs", fast(teacher="CountingLR()"), check=counted_fits),
    # -- arguments ----------------------------------------------------------------------------
    Case("arg-allow_leakage='no'", fast(allow_leakage="'no'"),
         error=("allow_leakage='no' must be True or False", "without quotes"),
         cell_error=("allow_leakage", "'allow_leakage: true'")),
    Case("arg-balance='no'", fast(balance="'no'"), error=("balance='no' must be True or False", "without quotes"),
         cell_error=("balance", "'balance: false'")),
    Case("arg-soft=1", fast(soft="1"), error=("soft=1 must be True or False", "soft=True or soft=False"),
         cell=False),  # a cell reads 'soft: 1' as true, like 'soft: yes'
    Case("arg-soft-an-expression-giving-1", fast(soft="int('1')"), error=("soft=1", "soft=True"),
         cell_error=("int('1')", "'soft: true'")),
    Case("arg-threshold=True", fast(select="'threshold'", threshold="True"),
         error=("threshold=True must be a number in [0, 1], not a bool", "0.9")),
    Case("arg-threshold=1.5", fast(select="'threshold'", threshold="1.5"),
         error=("threshold=1.5 is outside [0, 1]", "0.9")),
    Case("arg-threshold='0.9'", fast(select="'threshold'", threshold="'0.9'"),
         error=("threshold='0.9'", "without quotes")),
    Case("arg-threshold-missing", fast(select="'threshold'"),
         error=("select='threshold' needs a threshold", "threshold=0.9")),
    Case("arg-k_best=True", fast(select="'k-best'", k_best="True"),
         error=("k_best=True must be a whole number >= 1, not a bool", "k_best=100")),
    Case("arg-k_best=0", fast(select="'k-best'", k_best="0"), error=("k_best=0", "k_best=100")),
    Case("arg-k_best=2.0", fast(select="'k-best'", k_best="2.0"), error=("k_best=2.0", "k_best=2")),
    Case("arg-rounds=True", fast(rounds="True"), error=("rounds=True must be a whole number >= 1", "rounds=1")),
    Case("arg-rounds=0", fast(rounds="0"), error=("rounds=0", "rounds=1")),
    Case("arg-random_state='abc'", fast(random_state="'abc'"),
         error=("random_state='abc' must be None, a whole number", "random_state=0")),
    Case("arg-random_state=-1", fast(random_state="-1"), error=("random_state=-1", "random_state=0")),
    Case("arg-random_state=2**32", fast(random_state="2**32"), error=("random_state=4294967296", "random_state=0")),
    Case("arg-random_state-Generator", fast(random_state="np.random.default_rng(0)"),
         error=("numpy Generator", "np.random.RandomState(0)")),
    Case("arg-chunk_rows=0", fast(chunk_rows="0"), error=("chunk_rows=0", "chunk_rows=200_000"), cell=False),
    Case("arg-max_pseudo_rows=-5", fast(max_pseudo_rows="-5"),
         error=("max_pseudo_rows=-5 must be None or a whole number >= 1", "10_000")),
    Case("arg-max_pseudo_rows=0", fast(max_pseudo_rows="0"), error=("max_pseudo_rows=0", "pass None")),
    Case("arg-pseudo_weight=nan", fast(pseudo_weight="float('nan')"),
         error=("pseudo_weight=nan must be a finite number", "pseudo_weight=1.0")),
    Case("arg-pseudo_weight=-1", fast(pseudo_weight="-1"), error=("pseudo_weight=-1", "pseudo_weight=1.0")),
    Case("arg-val_size=0", fast(val_size="0"), error=("val_size=0", "val_size=0.2")),
    Case("arg-val_size=1.0", fast(val_size="1.0"), error=("val_size=1.0", "val_size=0.2")),
    Case("arg-val_size=True", fast(val_size="True"), error=("val_size=True", "val_size=0.2")),
    Case("arg-val_size-all-rows", fast(val_size="90"), error=("too few labeled rows (90)", "lower val_size")),
    Case("arg-n_jobs=0", fast(n_jobs="0"), error=("n_jobs=0", "n_jobs=-1")),
    Case("arg-oof=1", fast(oof="1"), error=("oof=1", "oof=5")),
    Case("arg-curriculum-rising", fast(curriculum="[0.8, 0.9]"), error=("curriculum=[0.8, 0.9] must relax",
                                                                      "high to low")),
    Case("arg-select-typo", fast(select="'threshhold'"), error=("unknown select='threshhold'",
                                                             "Did you mean 'threshold'?")),
    Case("arg-select=0.9", fast(select="0.9"), error=("unknown select=0.9", "threshold=0.9"),
         cell_error=("unknown select='0.9'", "'threshold'")),
    Case("arg-task-typo", fast(task="'classify'"), error=("unknown task='classify'", "task='classification'")),
    Case("arg-progress-not-callable", fast(progress="'yes'", teacher="CountingLR()"),
         error=("progress='yes'", "such as print"), cell=False),
    Case("arg-teacher-a-class", fast(teacher="LogisticRegression"),
         error=("teacher=LogisticRegression is a class", "LogisticRegression()")),
    Case("arg-teacher-a-string", fast(teacher="'rf'"),
         error=("teacher='rf' is a string", "RandomForestClassifier()")),
    Case("arg-teacher-a-list", fast(teacher="[LogisticRegression()]"),
         error=("teacher=[LogisticRegression()] is a list", "pass one estimator")),
    Case("arg-teacher-a-transformer", fast(teacher="StandardScaler()"),
         error=("teacher=StandardScaler() has fit but no predict", "end it with a model")),
    Case("arg-teacher-a-clusterer", fast(teacher="KMeans(n_clusters=2)"),
         error=("teacher KMeans(n_clusters=2) is a clusterer", "RandomForestClassifier()")),
    Case("arg-classifier-on-continuous-target", fast(labeled="t_continuous"),
         error=("target 'label' is continuous", "task='regression'")),
    Case("arg-task=regression-with-a-classifier", fast(task="'regression'"),
         error=("task='regression' needs a regressor", "RandomForestRegressor()")),
    Case("arg-regressor-on-text-target", fast(teacher="RandomForestRegressor(n_estimators=10)"),
         error=("target 'label' holds labels such as", "task='classification'")),
    Case("arg-classifier-teacher-regressor-student", fast(student="LinearRegression()"),
         error=("a classifier but the student", "same kind")),
    Case("arg-sample_weight-wrong-length", fast(sample_weight="weights[:10]"),
         error=("sample_weight has 10 value(s) but labeled has 90 rows", "one weight per row")),
    Case("arg-sample_weight-negative", fast(sample_weight="-weights"),
         error=("negative, NaN or infinite", "finite weight >= 0")),
    Case("arg-sample_weight-a-column-name", fast(sample_weight="'x3'"), error=("sample_weight='x3'",
                                                                             "sample_weight=labeled['x3']")),
    Case("arg-sample_weight-all-zero", fast(sample_weight="weights * 0"),
         error=("sample_weight is 0 on all", "weight > 0")),
    Case("arg-k_best-larger-than-the-pool", fast(select="'k-best'", k_best="1000"), check=n_selected(N_UNL)),
    Case("arg-threshold=0-keeps-every-row", fast(select="'threshold'", threshold="0"), check=n_selected(N_UNL)),
    Case("arg-curriculum-sets-the-rounds", fast(curriculum="[0.9, 0.6]"),
         check=lambda r, c: r.config["rounds"] == 2 and 1 <= len(r.history) <= 2),
    Case("arg-curriculum-and-other-rounds", fast(curriculum="[0.9, 0.6]", rounds="3"),
         error=("rounds=3 differs from the 2 thresholds in curriculum", "one threshold per round")),
    Case("arg-curriculum-and-threshold", fast(curriculum="[0.9, 0.6]", threshold="0.9"),
         error=("either threshold or curriculum", "not both")),
    Case("arg-select=auto", fast(select="'auto'"), check=lambda r, c: r.config["guard"] is True),
    Case("arg-calibrate='yes'", fast(calibrate="'yes'"), error=("calibrate='yes' must be True or False",
                                                               "without quotes"),
         cell_error=("calibrate", "'calibrate: true'")),
    Case("arg-guard='no'", fast(guard="'no'"), error=("guard='no'", "without quotes"),
         cell_error=("guard", "'guard: false'")),
    Case("arg-n_jobs=1.5", fast(n_jobs="1.5"), error=("n_jobs=1.5", "n_jobs=-1")),
    Case("arg-task-capitalised", fast(task="'Regression'", teacher="LinearRegression()", labeled="t_continuous"),
         error=("unknown task='Regression'", "Did you mean 'regression'?"), cell=False),  # a cell lowercases
    Case("arg-task=classification-on-continuous-target", fast(labeled="t_continuous", teacher=None,
                                                              task="'classification'"),
         error=("target 'label' is continuous", "task='regression'")),
    Case("arg-regression-threshold-without-spread", fast(labeled="t_continuous", teacher="LinearRegression()",
                                                         select="'threshold'", threshold="0.5"),
         error=("select='threshold'", "RandomForestRegressor()")),
    Case("arg-sample_weight-Series-other-index", fast(sample_weight="weights_other_index"),
         error=("sample_weight is a Series without 90 of labeled's index labels", "labeled's index")),
    Case("arg-sample_weight-with-NaN", fast(sample_weight="np.where(weights > 1.4, np.nan, weights)"),
         error=("negative, NaN or infinite", "finite weight >= 0")),
    Case("arg-threshold-0.99-keeps-confident-rows", fast(select="'threshold'", threshold="0.99"),
         check=all_selected_at_least(0.99)),
    Case("arg-k_best=5", fast(select="'k-best'", k_best="5"), check=n_selected(5)),
    Case("arg-max_pseudo_rows=5", fast(max_pseudo_rows="5"), check=n_selected(5)),
    Case("arg-chunk_rows=7", fast(chunk_rows="7"), check=chunks(6), cell=False),
    Case("arg-rounds=3", fast(select="'threshold'", threshold="0.6", rounds="3"),
         check=lambda r, c: 1 <= len(r.history) <= 3),
    Case("arg-random_state=None", fast(random_state="None")),
    Case("arg-numpy-int-k_best", fast(soft="np.False_", select="'k-best'", k_best="np.int64(6)"),
         check=n_selected(6)),
    Case("arg-numpy-bool-balance", fast(balance="np.True_", select="'threshold'", threshold="np.float64(0.6)"),
         check=lambda r, c: r.config["balance"] is True or r.config["balance"] == np.True_),
    Case("arg-sample_weight-array", fast(sample_weight="weights"),
         check=lambda r, c: all(f.weighted for f in r.fit_log)),
    # -- frames -----------------------------------------------------------------------------
    Case("frame-labeled-None", fast(labeled="None"), error=("labeled must be a pandas DataFrame, got NoneType",
                                                            "pd.DataFrame("),
         cell_error=("is a NoneType, not a pandas DataFrame", "pd.DataFrame(")),
    Case("frame-labeled-rows-repeated-3x", fast(labeled="base_repeated"),
         check=lambda r, c: r.n_validation_twins == 0 and r.leakage.ok),
    Case("frame-unlabeled-all-NaN-features", fast(unlabeled="pool_all_nan"),
         check=notes_say("holds missing values")),
    Case("frame-target-Int64-amounts-task-regression", fast(labeled="t_Int64_amounts", unlabeled=None,
                                                            teacher="LinearRegression()",
                                                            task="'regression'"), task="regression"),
    Case("frame-labeled-empty", fast(labeled="base_empty"), error=("the labeled set is empty", "label some rows")),
    Case("frame-labeled-no-columns", fast(labeled="pd.DataFrame()"),
         error=("target column 'label' is not in labeled", "pick one of its columns")),
    Case("frame-labeled-a-numpy-array", fast(labeled="base.to_numpy()"),
         error=("labeled must be a pandas DataFrame, got ndarray", "pd.DataFrame("),
         cell_error=("is a ndarray, not a pandas DataFrame", "pd.DataFrame(")),
    Case("frame-labeled-a-Series", fast(labeled="base['x1']"),
         error=("labeled must be a pandas DataFrame, got Series", "pd.DataFrame("),
         cell_error=("is a Series, not a pandas DataFrame", "pd.DataFrame(")),
    Case("frame-labeled-two-rows", fast(labeled="base_two_rows"),
         error=("train has a single class ('a')", "label rows of another class")),
    Case("frame-labeled-duplicate-index", fast(labeled="base_dup_index")),
    Case("frame-labeled-MultiIndex-rows", fast(labeled="base_multi_index"), check=leakage_passes),
    Case("frame-labeled-MultiIndex-rows-pool-in-frame", fast(labeled="both_multi_index", unlabeled=None),
         check=leakage_passes),
    Case("frame-both-MultiIndex-rows", fast(labeled="base_multi_index", unlabeled="pool_multi_index"),
         check=leakage_passes),
    Case("frame-MultiIndex-rows-validation-is-labeled", fast(labeled="base_multi_index",
                                                             validation="base_multi_index"),
         error=("Leakage check 'validation_index_in_train' failed", "train.drop(validation.index"),
         cell_error=("Leakage check 'validation_index_in_train' failed", "'allow_leakage: true'")),
    Case("frame-labeled-missing-targets-and-a-pool", fast(labeled="base_with_gaps"),
         error=("labeled has 40 rows with a missing 'label'", "unlabeled=None")),
    Case("frame-no-unlabeled-rows", fast(unlabeled=None), error=("the unlabeled set is empty", "unlabeled=")),
    Case("frame-unlabeled-empty", fast(unlabeled="pool_empty"), error=("the unlabeled set is empty", "unlabeled=")),
    Case("frame-unlabeled-a-numpy-array", fast(unlabeled="pool.to_numpy()"),
         error=("unlabeled must be a pandas DataFrame, got ndarray", "pd.DataFrame("),
         cell_error=("is a ndarray, not a pandas DataFrame", "pd.DataFrame(")),
    Case("frame-unlabeled-missing-a-feature", fast(unlabeled="pool_without_x3"),
         error=("unlabeled lacks 1 feature column(s) the teacher needs: 'x3'", "features=[")),
    Case("frame-unlabeled-extra-columns", fast(unlabeled="pool_extra"), check=features_are(["x1", "x2", "x3"])),
    Case("frame-unlabeled-columns-reordered", fast(unlabeled="pool_reordered")),
    Case("frame-unlabeled-with-a-filled-target", fast(unlabeled="pool_with_labels"),
         check=leak_check("target_in_unlabeled", "warn", 40)),
    Case("frame-unlabeled-duplicate-index", fast(unlabeled="pool_dup_index")),
    Case("frame-unlabeled-text-index", fast(unlabeled="pool_text_index")),
    Case("frame-unlabeled-MultiIndex-rows", fast(unlabeled="pool_multi_index"), check=leakage_passes),
    Case("frame-unlabeled-is-labeled", fast(unlabeled="base"),
         check=leak_check("validation_rows_in_unlabeled", "warn", None, kept_out=True)),
    Case("frame-validation-other-columns", fast(validation="val_other_columns"),
         error=("validation has other columns than labeled (lacks x3; has extra x4)", "same columns")),
    Case("frame-validation-without-target", fast(validation="val_no_target"),
         error=("validation has other columns than labeled (lacks label)", "same columns")),
    Case("frame-validation-missing-targets", fast(validation="val_nan_target"),
         error=("validation has 3 rows with a missing 'label'", "true label")),
    Case("frame-validation-empty", fast(validation="val_empty"), error=("validation is empty", "validation=None")),
    Case("frame-validation-a-numpy-array", fast(validation="val_set.to_numpy()"),
         error=("validation must be a pandas DataFrame", "pd.DataFrame("),
         cell_error=("is a ndarray, not a pandas DataFrame", "pd.DataFrame(")),
    Case("frame-validation-three-rows", fast(validation="val_three"), check=validation_rows(3)),
    Case("frame-validation-three-rows-one-class", fast(validation="val_three_one_class"),
         check=validation_rows(3)),
    Case("frame-validation-is-labeled", fast(validation="base"),
         error=("Leakage check 'validation_index_in_train' failed", "drop them from train"),
         cell_error=("Leakage check 'validation_index_in_train' failed", "'allow_leakage: true'")),
]

assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


# -- running one case ---------------------------------------------------------------------------
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")


def _frames_named(args: dict, ns: dict) -> dict:
    """Deep copies of the namespace's DataFrames that the case names."""
    names = {n for text in args.values() for n in _NAME.findall(text)}
    return {n: copy.deepcopy(ns[n]) for n in sorted(names)
            if n in ns and isinstance(ns[n], pd.DataFrame)}


def _assert_unchanged(before: dict, ns: dict) -> None:
    for name, frame in before.items():
        now = ns[name]
        pd.testing.assert_frame_equal(now, frame, check_exact=True)
        assert list(now.dtypes) == list(frame.dtypes) and now.columns.equals(frame.columns), name
        assert now.index.equals(frame.index), name


def _assert_right_result(case: Case, result, ctx: Ctx) -> None:
    """What every successful run must give, then the case's own check."""
    kw = ctx.kw
    labeled, target = kw["labeled"], kw["target"]
    missing = labeled[target].isna().to_numpy()
    if kw.get("unlabeled") is None:
        unl_index, labels = labeled.index[missing], labeled[target][~missing]
    else:
        unl_index, labels = kw["unlabeled"].index, labeled[target]
    assert result.task == case.task, result.task_reason
    # a prediction for every unlabeled row, in their order, none missing
    assert result.predictions.index.equals(unl_index)
    assert result.pseudo_labels.index.equals(unl_index)
    assert result.predictions["prediction"].notna().all()
    if case.task == "classification":
        assert set(result.predictions["prediction"]) <= set(labels)
    else:
        assert np.isfinite(result.predictions["prediction"].to_numpy(dtype="float64")).all()
    # the rows of each split
    counts = result.counts
    assert counts["n_unlabeled"] == len(unl_index)
    if result.config.get("folds"):  # cross-fitted: every label scored once, then refit on all
        assert counts["n_scored"] == counts["n_validation"] == len(labels)
        assert counts["n_train"] == len(labels) or not result.config.get("refit")
    elif kw.get("validation") is None:
        assert counts["n_train"] + counts["n_validation"] == len(labels)
    else:
        assert counts["n_train"] == len(labels) and counts["n_validation"] == len(kw["validation"])
    if result.config.get("folds"):  # each fold's teacher never saw the rows it scored
        for fold in range(1, result.config["folds"] + 1):
            scored = next(e.index for e in result.eval_log if e.fold == fold)
            fit = next(f for f in result.fit_log if f.role == "teacher" and f.fold == fold)
            assert not set(fit.labeled_index) & set(scored)
    else:
        teacher_fits = [f for f in result.fit_log if f.role == "teacher"]
        assert teacher_fits and teacher_fits[0].n_rows == counts["n_train"]
        assert not set(result.train_index) & set(result.validation_index)  # equal labels stay on one side
    if case.warns is not None:
        assert any(case.warns in w for w in ctx.warnings), ctx.warnings
    if case.check is not None:
        assert case.check(result, ctx) is not False  # a check asserts, or returns a bool


def _params(cases):
    out = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


@pytest.mark.parametrize("case", _params(CASES))
def test_run(case: Case):
    kw = {name: eval(text, NS) for name, text in case.args.items()}  # the table is ours
    before = _frames_named(case.args, NS)
    events = []
    if "progress" not in kw:
        kw["progress"] = events.append
    NS["FITS"].clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if case.ok:
            result = pl.run(**kw)
        else:
            with pytest.raises(PseudoLabelError) as info:
                pl.run(**kw)
    ctx = Ctx(kw, [str(w.message) for w in caught], events, NS)
    if case.ok:
        assert any(e.step == "teacher" for e in events)
        _assert_right_result(case, result, ctx)
    else:
        message = str(info.value)
        for needle in case.error:
            assert needle in message, message
        assert not any(e.step == "teacher" for e in events), "refused after the teacher's fit"
        assert not NS["FITS"], "refused after a fit"
    _assert_unchanged(before, NS)


# -- through the magic ------------------------------------------------------------------------
def _test_shell():
    """IPython's global test shell (the one ``globalipapp.get_ipython()`` gives).

    ``globalipapp.start_ipython`` answers only its first caller (later calls return None),
    and other test modules call it by the name they imported; so the shell is made here the
    way it makes it, and its later first call finds and reuses this same instance.
    """
    from IPython.terminal.interactiveshell import TerminalInteractiveShell
    from IPython.testing import globalipapp, tools

    if hasattr(globalipapp.start_ipython, "already_called"):
        return globalipapp.get_ipython()
    if TerminalInteractiveShell.initialized():
        return TerminalInteractiveShell.instance()
    hooks = sys.displayhook, sys.excepthook, sys.modules.get("__main__")
    config = tools.default_config()
    config.TerminalInteractiveShell.simple_prompt = True
    ip = TerminalInteractiveShell.instance(config=config)
    ip.tempfiles.append(Path(config.HistoryManager.hist_file))
    sys.displayhook, sys.excepthook = hooks[:2]  # as globalipapp leaves them
    if hooks[2] is not None:
        sys.modules["__main__"] = hooks[2]
    return ip


@pytest.fixture(scope="module")
def shell():
    ip = _test_shell()
    ip.run_line_magic("load_ext", "pseudolabel_magic")
    if ip.find_cell_magic("pseudolabel") is None:  # unloaded by hand elsewhere in the session
        ip.run_line_magic("reload_ext", "pseudolabel_magic")
    before = set(ip.user_ns)
    assert ip.run_cell(SETUP).success
    yield ip
    for name in set(ip.user_ns) - before:
        ip.user_ns.pop(name, None)


def _cell_text(args: dict) -> str:
    lines = ["%%pseudolabel"]
    for name, text in args.items():
        lines.append(f"{'seed' if name == 'random_state' else name}: {text}")
    return "\n".join(lines)


def _cell_params(cases):
    out = []
    for case in cases:
        if not case.cell:
            continue
        reason = case.xfail_cell
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def _shown_lines(captured) -> int:
    """Lines a notebook shows: printed lines, plus one per rich display (a diagram is a figure)."""
    n = len((captured.stdout + captured.stderr).strip().splitlines())
    for output in captured.outputs:
        if {"text/html", "image/svg+xml", "image/png"} & set(output.data):
            n += 1
        else:
            n += len(str(output.data.get("text/plain", "")).strip().splitlines())
    return n


@pytest.mark.parametrize("case", _cell_params(CASES))
def test_magic(case: Case, shell, monkeypatch):
    from pseudolabel_magic.core import engine
    events = []
    real_run = engine.run

    def spy(*args, progress=None, **kwargs):  # the magic's own progress, and a copy for us
        def both(event):
            events.append(event)
            if progress is not None:
                progress(event)
        return real_run(*args, progress=both, **kwargs)

    monkeypatch.setattr(engine, "run", spy)
    ns = shell.user_ns
    before = _frames_named(case.args, ns)
    names_before = {name: id(value) for name, value in ns.items() if not name.startswith("_")}
    ns["FITS"].clear()
    with warnings.catch_warnings(record=True) as caught, capture_output() as captured:
        warnings.simplefilter("always")
        out = shell.run_cell(_cell_text(case.args))
    text = captured.stdout + captured.stderr + "".join(
        str(o.data.get("text/plain", "")) for o in captured.outputs)
    if case.ok:
        assert out.success, (out.error_in_exec, text)
        kw = {name: eval(value, ns) for name, value in case.args.items()}
        ctx = Ctx(kw, [str(w.message) for w in caught], events, ns)
        assert any(e.step == "teacher" for e in events)
        _assert_right_result(case, out.result, ctx)
    else:
        assert isinstance(out.error_in_exec, UsageError), (type(out.error_in_exec), text)
        message = str(out.error_in_exec)
        for needle in (case.cell_error or case.error):
            assert needle in message, message
        assert "Traceback" not in text and _shown_lines(captured) <= 3, text
        assert not any(e.step == "teacher" for e in events), "refused after the teacher's fit"
        assert not ns["FITS"], "refused after a fit"
        now = {name: id(value) for name, value in ns.items() if not name.startswith("_")}
        assert now == names_before, "a failed cell changed the notebook"
    _assert_unchanged(before, ns)
