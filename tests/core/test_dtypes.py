"""Every dtype a notebook frame holds reaches the default model; what no model takes is one line."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import pseudolabel_magic as pl
from pseudolabel_magic.core.models import build_models, default_model

N_LABELED, N_UNLABELED = 60, 30


def dtype_columns(n: int, *, missing: bool, zone, seed: int) -> dict:
    """One column per dtype (nullable, Arrow, object mixes, inf, dates, bool, category, string)."""
    rng = np.random.default_rng(seed)
    gaps = (np.arange(n) % 6 == 2) if missing else np.zeros(n, dtype=bool)
    signal = np.arange(n) % 2  # the target below: every column carries a little of it

    def holed(values, dtype=None):
        values = pd.Series(values, dtype=dtype)
        return values.mask(pd.Series(gaps)) if missing else values

    when = pd.Series(pd.date_range("2024-03-01", periods=n, freq="7h")).dt.tz_localize(zone)
    return {
        "Int64": holed(signal * 3 + rng.integers(0, 2, n), "Int64"),
        "Float64": holed(signal + rng.normal(0, 0.3, n), "Float64"),
        "boolean": holed(signal.astype(bool), "boolean"),
        "int64[pyarrow]": holed(rng.integers(0, 5, n), "int64[pyarrow]"),
        "string[pyarrow]": holed(np.where(signal == 1, "north", "south"), "string[pyarrow]"),
        "double[pyarrow]": holed(rng.normal(size=n), "double[pyarrow]"),
        "mixed": holed([101 if i % 3 else "A7" for i in range(n)], object),
        "n/a": holed([float(i) if i % 7 else "n/a" for i in range(n)], object),
        "inf": pd.Series(np.where(np.arange(n) % 9 == 4, np.inf, rng.normal(size=n))),
        "when": when.mask(pd.Series(gaps)) if missing else when,
        "bool": pd.Series(rng.random(n) < 0.5),
        "category": holed(pd.Categorical(rng.choice(["x", "y", "z"], n))),
        "string": holed(rng.choice(["p", "q", "r"], n), "string"),
    }


def frames(missing: bool, labeled_zone, unlabeled_zone):
    labeled = pd.DataFrame(dtype_columns(N_LABELED, missing=missing, zone=labeled_zone, seed=1))
    labeled = labeled.set_axis(pd.RangeIndex(100, 100 + N_LABELED))
    labeled["label"] = np.where(np.arange(N_LABELED) % 2 == 1, "yes", "no")
    unlabeled = pd.DataFrame(dtype_columns(N_UNLABELED, missing=missing, zone=unlabeled_zone, seed=2))
    unlabeled = unlabeled.set_axis([f"u{i}" for i in range(N_UNLABELED)])
    labeled.attrs["source"], unlabeled.attrs["source"] = "survey", "pool"
    return labeled, unlabeled


def assert_unchanged(frame: pd.DataFrame, before: pd.DataFrame):
    pd.testing.assert_frame_equal(frame, before, check_exact=True)
    assert list(frame.dtypes) == list(before.dtypes)
    assert frame.index.equals(before.index) and frame.attrs == before.attrs


@pytest.mark.parametrize("missing, labeled_zone, unlabeled_zone", [
    (False, None, "Asia/Tokyo"),             # tz-naive labeled, tz-aware unlabeled
    (True, "Europe/Paris", None),            # and the other way round, with pd.NA / NaN / NaT
])
def test_every_dtype_runs_with_the_default_teacher(missing, labeled_zone, unlabeled_zone):
    labeled, unlabeled = frames(missing, labeled_zone, unlabeled_zone)
    before = copy.deepcopy(labeled), copy.deepcopy(unlabeled)
    result = pl.run(labeled, unlabeled, target="label")
    assert result.predictions.index.equals(unlabeled.index)
    assert set(result.predictions["prediction"]) <= {"yes", "no"}
    assert result.metrics.loc["teacher", "accuracy"] >= 0.5
    assert len(result.student.predict(unlabeled[result.config["features"]])) == N_UNLABELED
    assert_unchanged(labeled, before[0])
    assert_unchanged(unlabeled, before[1])


def test_unlabeled_rows_from_the_same_frame():
    labeled, _ = frames(True, None, None)
    data = labeled.astype({"label": object})
    data.loc[data.index[-20:], "label"] = None
    before = copy.deepcopy(data)
    result = pl.run(data, target="label", random_state=3)
    assert len(result.predictions) == 20
    assert_unchanged(data, before)


@pytest.mark.parametrize("column", list(dtype_columns(4, missing=False, zone=None, seed=0)))
def test_each_dtype_alone_fits_and_predicts(column):
    """One column at a time, with missing values (a one-column frame is its own case for
    the trees), in two zones; a small forest keeps it quick."""
    train = pd.DataFrame({column: dtype_columns(40, missing=True, zone="America/New_York", seed=3)[column]})
    other = pd.DataFrame({column: dtype_columns(10, missing=True, zone="Europe/Paris", seed=4)[column]})
    y = np.arange(40) % 2
    model = default_model("classification", train, [column], len(train), 0)
    model.set_params(model__n_estimators=5).fit(train, y)
    assert model.predict(other).shape == (10,)
    # the student's rows stack both frames: columns in two zones become objects
    both = pd.concat([train, other], ignore_index=True)
    model.fit(both, np.r_[y, y[:10]])
    assert model.predict(both).shape == (50,)


def test_inf_is_read_as_missing_and_said_once():
    labeled, unlabeled = frames(False, None, None)
    train, validation = labeled.iloc[:48], labeled.iloc[48:]
    features = [c for c in labeled.columns if c != "label"]
    _, _, notes = build_models("classification", train, train["label"], validation,
                               unlabeled, features)
    inf_notes = [note for note in notes if "inf" in note]
    assert len(inf_notes) == 1
    total = sum(int(np.isinf(f["inf"]).sum()) for f in (train, validation, unlabeled))
    assert inf_notes[0] == f"column 'inf' holds inf ({total} values): read as missing"
    no_inf = labeled.assign(inf=labeled["inf"].replace(np.inf, 0.0))
    assert build_models("classification", no_inf, no_inf["label"], None, no_inf, features)[2] == []


CELLS = [(1 + 2j, "complex numbers"), ([1, 2], "lists"), ({"a": 1}, "dicts"), ({1, 2}, "sets")]


@pytest.mark.parametrize("cell, name, where", [
    *[(cell, name, "unlabeled") for cell, name in CELLS],
    *[(cell, name, "labeled") for cell, name in CELLS],
])
def test_cells_no_model_takes_are_one_line_before_any_fit(cell, name, where):
    labeled, unlabeled = frames(False, None, None)
    target = labeled if where == "labeled" else unlabeled
    target["odd"] = pd.Series([cell if i == 3 else 1.5 for i in range(len(target))],
                              index=target.index, dtype=object)
    other = unlabeled if where == "labeled" else labeled
    other["odd"] = 1.5
    steps = []
    with pytest.raises(pl.PseudoLabelError, match=rf"column 'odd' holds {name} \(row .*features=\[") as err:
        pl.run(labeled, unlabeled, target="label", progress=lambda e: steps.append(e.step))
    assert "\n" not in str(err.value)
    assert "teacher" not in steps  # nothing was fitted


def test_a_complex_column_is_one_line():
    labeled, unlabeled = frames(False, None, None)
    labeled["z"] = np.arange(len(labeled)) * (1 + 1j)
    unlabeled["z"] = np.arange(len(unlabeled)) * (1 - 1j)
    with pytest.raises(pl.PseudoLabelError, match=r"column 'z' holds complex numbers.*np\.real"):
        pl.run(labeled, unlabeled, target="label")


@pytest.mark.parametrize("cell, name", CELLS)
def test_build_models_names_the_column_in_labeled_rows(cell, name):
    labeled, unlabeled = frames(False, None, None)
    labeled["odd"] = pd.Series([cell if i == 3 else 1.5 for i in range(len(labeled))],
                               index=labeled.index, dtype=object)
    unlabeled["odd"] = 1.5
    features = [c for c in labeled.columns if c != "label"]
    with pytest.raises(pl.PseudoLabelError, match=rf"column 'odd' holds {name} \(row 103\)"):
        build_models("classification", labeled, labeled["label"], None, unlabeled, features)


def test_numbered_columns_with_text():
    """pd.DataFrame(X) numbers its columns; skrub selects columns by name as text."""
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(30, 2)))
    X[2] = rng.choice(["a", "b"], 30)
    model = default_model("classification", X, [0, 1, 2], len(X), 0)
    model.set_params(model__n_estimators=5).fit(X, np.arange(30) % 2)
    assert model.predict(X).shape == (30,)
    assert list(X.columns) == [0, 1, 2]
