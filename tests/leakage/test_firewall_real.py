"""The leakage firewall on real and realistic tables: clean controls, planted copies, a pool
that holds the labeled rows, and a property test of the row hash.

A. CLEAN controls must run with zero refusals: ``pl.run`` does not raise, no check fails
   (before or after the run), and every after-run fit check passes. Natural duplicates
   (all-NaN rows, a low-cardinality table where every row has twins), default 0..n-1
   indexes, repeated labels from ``pd.concat`` and int64 ids above 2**53 are not leaks.
B. PLANTED copies (10% of validation copied into train under new labels, also through a
   float32 / object / tz-converted / nullable / Arrow copy, and oversampling before the
   split) are refused before any fit, with the exact count, the check's name and a fix.
C. The whole labeled frame placed inside the unlabeled pool: not refused, but the pool rows
   equal to validation rows never reach a student, and the warning names the mistake.
D. ``row_hashes`` never collides on small-integer frames (the case a weak hash loses) and
   does not depend on how the frame stores its numbers.

Data: scikit-learn's bundled loaders and frames built here (nothing is downloaded).
BLAS/OpenMP run on one thread (tests/conftest.py pins them), models are small.
"""

import os
import re
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.extra import numpy as hnp
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

import pseudolabel_magic as pl
from pseudolabel_magic.errors import PseudoLabelError
from pseudolabel_magic.leakage.hashing import row_hashes

# Hypothesis caches constants of the imported modules (with their file paths) in ./.hypothesis,
# already while pytest collects: keep that cache in a temporary directory, removed at exit,
# unless HYPOTHESIS_STORAGE_DIRECTORY says where; the example database is off (database=None).
_HYPOTHESIS_HOME = tempfile.TemporaryDirectory(prefix="hypothesis-")
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(_HYPOTHESIS_HOME.name)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

AFTER_RUN = ["teacher_fit_saw_validation", "student_fit_saw_validation",
             "preprocessing_fit_saw_validation", "metrics_on_true_labels"]


# -- helpers --------------------------------------------------------------------------------
def scaled_lr(max_iter=200):
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))


def _as_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as float64: datetimes as seconds (any zone), text such as "n/a" as NaN."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) == "datetime":
            col = pd.to_datetime(col, utc=True)  # zones mixed by a concat: one UTC column
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            if col.dt.tz is not None:
                col = col.dt.tz_convert("UTC").dt.tz_localize(None)
            out[name] = (col - pd.Timestamp("2020-01-01")).dt.total_seconds()
        else:
            out[name] = pd.to_numeric(col.astype(object), errors="coerce")
    return pd.DataFrame(out, index=frame.index).astype("float64")


def numbers_lr():
    """A scaled LogisticRegression that also eats datetimes, "n/a" cells and Arrow columns."""
    return make_pipeline(FunctionTransformer(_as_numbers), SimpleImputer(), StandardScaler(),
                         LogisticRegression(max_iter=200))


def status(report, name):
    row = report.checks.set_index("check").loc[name]
    return row["status"], int(row["count"])


def row_tuples(frame: pd.DataFrame, columns) -> list:
    """Rows as tuples of Python values, missing as one marker: an independent twin count."""
    values = frame[list(columns)].astype(object)
    values = values.where(values.notna(), "<missing>")
    return list(values.itertuples(index=False, name=None))


def rows_in(frame: pd.DataFrame, other: pd.DataFrame, columns) -> np.ndarray:
    """Per row of ``frame``: an identical row occurs in ``other`` (compared in Python)."""
    seen = set(row_tuples(other, columns))
    return np.array([t in seen for t in row_tuples(frame, columns)], dtype=bool)


# == A. clean controls ========================================================================
def _semi(loader, seed, frac=0.1):
    """A bundled data set with ``frac`` of its rows labeled (stratified) and the rest as a
    separate unlabeled frame; index labels are the loader's row numbers (unique, disjoint)."""
    df = loader(as_frame=True).frame
    labeled, pool = train_test_split(df, train_size=frac, stratify=df["target"], random_state=seed)
    return dict(labeled=labeled, unlabeled=pool.drop(columns="target"), target="target",
                teacher=scaled_lr(), random_state=seed)


def _wide_small_ints():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 4, size=(2_000, 60))
    df = pd.DataFrame(X, columns=[f"p{i}" for i in range(60)])
    assert not df.duplicated().any()  # the control's premise: no natural twin
    df["y"] = (X[:, :6].sum(axis=1) + rng.integers(-2, 3, size=2_000) > 9).astype(int)
    return dict(labeled=df.iloc[:500], unlabeled=df.iloc[500:].drop(columns="y"), target="y",
                teacher=scaled_lr())


def _all_nan_rows(given_validation):
    """Five float features; several rows with every feature NaN in labeled, validation and pool.

    The default teacher (teacher=None) takes NaN. Sizes are small: the default model is a
    200-tree forest below 2,000 train rows.
    """
    rng = np.random.default_rng(2)

    def block(n, start, n_nan, labeled=True):
        X = rng.normal(size=(n, 5))
        X[rng.choice(n, n_nan, replace=False)] = np.nan
        df = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)], index=pd.RangeIndex(start, start + n))
        if labeled:
            df["y"] = (np.nan_to_num(X[:, 0]) + rng.normal(scale=0.5, size=n) > 0).astype(int)
        return df

    pool = block(400, 50_000, 12, labeled=False)
    if given_validation:
        return dict(labeled=block(200, 0, 5), validation=block(80, 10_000, 3), unlabeled=pool,
                    target="y")
    return dict(labeled=block(260, 0, 8), unlabeled=pool, target="y")


def _categorical_twins():
    """3 categorical columns of 3 levels, 3,000 rows: 27 vectors, every row has twins."""
    rng = np.random.default_rng(3)
    n = 3_000
    df = pd.DataFrame({c: pd.Categorical(rng.choice(["lo", "mid", "hi"], size=n)) for c in "abc"})
    assert df.duplicated(keep=False).all()
    score = (df["a"] == "hi").astype(int) + (df["b"] == "lo").astype(int) - (df["c"] == "mid").astype(int)
    df["y"] = ((score + rng.normal(scale=0.7, size=n)) > 0.5).astype(int)
    labeled, pool = df.iloc[:600], df.iloc[600:].drop(columns="y")
    train, validation = train_test_split(labeled, test_size=0.2, random_state=0, stratify=labeled["y"])
    teacher = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression(max_iter=200))
    return dict(labeled=train, validation=validation, unlabeled=pool, target="y", teacher=teacher)


def _fresh_indexes(given_validation):
    """Frames "read separately": every one has its own default 0..n-1 index."""
    df = load_breast_cancer(as_frame=True).frame
    shuffled = df.sample(frac=1.0, random_state=4)
    train, validation, pool = shuffled.iloc[:150], shuffled.iloc[150:230], shuffled.iloc[230:]
    pool = pool.drop(columns="target").reset_index(drop=True)
    if given_validation:
        return dict(labeled=train.reset_index(drop=True), validation=validation.reset_index(drop=True),
                    unlabeled=pool, target="target", teacher=scaled_lr())
    labeled = pd.concat([train, validation]).reset_index(drop=True)
    return dict(labeled=labeled, unlabeled=pool, target="target", teacher=scaled_lr())


def _concat_repeated_labels():
    """labeled = pd.concat([a, b]) of two frames with 0..n-1 indexes: every label twice."""
    df = load_wine(as_frame=True).frame.sample(frac=1.0, random_state=5)
    a = df.iloc[:45].reset_index(drop=True)
    b = df.iloc[45:90].reset_index(drop=True)
    labeled = pd.concat([a, b])
    assert labeled.index.duplicated().sum() == 45
    return dict(labeled=labeled, unlabeled=df.iloc[90:].drop(columns="target").reset_index(drop=True),
                target="target", teacher=scaled_lr())


def _big_ids():
    """int64 id-like values above 2**53, neighbours differing by 1 (equal as float64) and
    otherwise identical rows: only exact integers keep them apart."""
    rng = np.random.default_rng(6)
    n = 2_000
    k = np.arange(n)
    df = pd.DataFrame({"account": np.int64(2 ** 53) + 1 + k, "code": (k // 2) % 3})
    assert df["account"].astype("float64").duplicated().any()  # float64 would merge them
    df["y"] = rng.integers(0, 2, size=n)
    df = df.sample(frac=1.0, random_state=6)
    return dict(labeled=df.iloc[:600], unlabeled=df.iloc[600:].drop(columns="y"), target="y",
                teacher=scaled_lr())


def _zones_differ():
    """A datetime feature stored in another time zone in train than in validation and pool
    (frames from different sources); default teacher. No row is shared."""
    train, validation, pool = _base(seed=11)
    train = _tz_converted(train.iloc[:150])
    return dict(labeled=train, validation=validation.iloc[:60], unlabeled=pool.iloc[:200], target="y")


CLEAN = {
    **{f"digits-10pct-seed{s}": (lambda s=s: {**_semi(load_digits, s), "teacher": scaled_lr(100)})
       for s in range(10)},
    **{f"iris-10pct-seed{s}": (lambda s=s: _semi(load_iris, s)) for s in range(10)},
    "wide-2000x60-ints-0..3": _wide_small_ints,
    "all-nan-rows-default-teacher-split-by-run": lambda: _all_nan_rows(False),
    "all-nan-rows-default-teacher-given-validation": lambda: _all_nan_rows(True),
    "categorical-3x3-levels-every-row-twinned": _categorical_twins,
    "fresh-0..n-1-indexes-given-validation": lambda: _fresh_indexes(True),
    "fresh-0..n-1-indexes-split-by-run": lambda: _fresh_indexes(False),
    "concat-without-ignore-index": _concat_repeated_labels,
    "int64-ids-above-2**53": _big_ids,
    "datetime-zone-differs-train-vs-pool-default-teacher": _zones_differ,
}


@pytest.mark.parametrize("case", list(CLEAN), ids=list(CLEAN))
def test_clean_controls_run_with_zero_refusals(case):
    kwargs = CLEAN[case]()
    events = []
    result = pl.run(**kwargs, progress=events.append)  # must not raise
    report = result.leakage
    checks = report.checks
    assert report.after_run and report.ok and not result.leaky, repr(report)
    assert not (checks["status"] == "fail").any(), repr(report)
    for name in AFTER_RUN:
        assert status(report, name) == ("pass", 0), repr(report)
    assert any(e.step == "student" and e.status == "done" for e in events)
    assert not report.twins.loc["train", "far_more"] and not report.twins.loc["unlabeled", "far_more"]
    # nothing the student fit equals a validation row (pool twins are kept out)
    blocked = report.unlabeled_rows_like_validation()
    assert result.counts["n_kept_out"] == int(blocked.sum())
    assert not result.pseudo_labels["selected"].to_numpy()[blocked].any()
    # natural twins in train are scored apart
    n_twins = int(report.twins.loc["train", "rows"])
    assert result.n_validation_twins == n_twins
    assert (result.metrics_without_twins is None) == (n_twins in (0, len(result.validation_index)))
    labeled = kwargs["labeled"]
    if "validation" in kwargs or labeled.index.is_unique:  # twins counted again, in Python
        target = kwargs["target"]
        validation = kwargs.get("validation")
        if validation is None:
            validation = labeled.loc[result.validation_index]
        train = labeled.loc[result.train_index] if labeled.index.is_unique else labeled
        features = [c for c in validation.columns if c != target]
        in_train = rows_in(validation, train, features)
        in_pool = rows_in(validation, kwargs["unlabeled"], features)
        assert n_twins == int(in_train.sum())
        assert report.twins.loc["unlabeled", "rows"] == int(in_pool.sum())
        pool_like = rows_in(kwargs["unlabeled"], validation, features)
        assert np.array_equal(blocked, pool_like)


# == B. planted copies =========================================================================
N_TRAIN, N_VALIDATION, N_POOL = 400, 200, 1_000
FEATURES = ["f0", "f1", "f2", "f3", "when"]


def _base(seed=7):
    """Continuous features and a UTC timestamp; train / validation / pool with unique,
    disjoint, non-default index labels. Chance explains ~0 twins."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VALIDATION + N_POOL
    X = rng.normal(size=(n, 4))
    df = pd.DataFrame(X, columns=FEATURES[:4], index=pd.RangeIndex(1_000, 1_000 + n))
    df["when"] = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 365 * 86_400, size=n), unit="s")
    df["y"] = (X[:, 0] + X[:, 1] + rng.normal(scale=0.5, size=n) > 0).astype(int)
    train = df.iloc[:N_TRAIN]
    validation = df.iloc[N_TRAIN:N_TRAIN + N_VALIDATION]
    pool = df.iloc[N_TRAIN + N_VALIDATION:].drop(columns="y")
    return train, validation, pool


def _copied(transform):
    """10% of validation copied into train under new labels, then train stored otherwise."""
    train, validation, pool = _base()
    copies = validation.iloc[::10].copy()
    copies.index = pd.RangeIndex(90_000, 90_000 + len(copies))
    train = transform(pd.concat([train, copies]))
    return train, validation, pool, len(copies)


def _float32(train):
    return train.astype({c: "float32" for c in FEATURES[:4]})


def _one_na_string(train):
    train = train.astype({"f2": object})
    train.loc[train.index[0], "f2"] = "n/a"  # an original train row, not a copy
    assert train["f2"].dtype == object
    return train


def _tz_converted(train):
    train = train.copy()
    train["when"] = train["when"].dt.tz_convert("Asia/Kolkata")
    return train


def _nullable(train):
    return train.astype({c: "Float64" for c in FEATURES[:4]})


def _category(train):
    return train.astype({"f3": "category"})


def _millisecond_unit(train):
    return train.astype({"when": "datetime64[ms, UTC]"})


def _arrow(train):
    return train.astype({c: "double[pyarrow]" for c in FEATURES[:4]})


def _oversampled():
    """The minority class's rows duplicated in a labeled frame (new labels, as resamplers
    return), then split with train_test_split: copies land on both sides."""
    train, validation, pool = _base(seed=8)
    labeled = pd.concat([train, validation])
    labeled["y"] = (labeled["f0"] + 0.3 * labeled["f1"] > 1.0).astype(int)  # ~20% positives
    assert labeled["y"].mean() < 0.3
    minority = labeled[labeled["y"] == 1]
    upsampled = pd.concat([labeled, minority], ignore_index=True)
    tr, va = train_test_split(upsampled, test_size=0.25, random_state=0, stratify=upsampled["y"])
    in_train = set(row_tuples(tr, FEATURES))
    n = sum(t in in_train for t in row_tuples(va, FEATURES))  # independent count
    assert n > 5
    return tr, va, pool, n


PLANTED = {
    "copies-new-labels": lambda: _copied(lambda t: t),
    "copies-train-float32": lambda: _copied(_float32),
    "copies-train-object-with-one-n/a": lambda: _copied(_one_na_string),
    "copies-datetime-tz-converted": lambda: _copied(_tz_converted),
    "copies-train-nullable-Float64": lambda: _copied(_nullable),
    "copies-train-arrow-double": lambda: _copied(_arrow),
    "copies-train-category": lambda: _copied(_category),
    "copies-datetime-ms-unit": lambda: _copied(_millisecond_unit),
    "oversampled-before-split": _oversampled,
}


@pytest.mark.parametrize("case", list(PLANTED), ids=list(PLANTED))
def test_planted_copies_are_refused_with_exact_counts(case):
    train, validation, pool, n = PLANTED[case]()
    assert len(pool) >= 1_000
    name = "validation_rows_in_train"

    report = pl.check_leakage(train, validation, pool, target="y")
    assert status(report, name) == ("fail", n), repr(report)
    assert not report.ok
    assert report.twins.loc["train", "rows"] == n and report.twins.loc["train", "distinct"] == n
    assert report.twins.loc["train", "far_more"]
    assert report.twins.loc["train", "expected"] < 1.0  # chance explains ~0 of them
    assert (report.checks["status"] == "fail").sum() == 1  # only the content check fails

    events = []
    with pytest.raises(PseudoLabelError) as err:
        pl.run(train, pool, target="y", validation=validation, teacher=numbers_lr(),
               progress=events.append)
    message = str(err.value)
    assert re.search(rf"'{name}' failed \({n:,} rows\)", message), message
    assert "Fix: split first" in message and "allow_leakage=True" in message, message
    assert not any(e.step == "teacher" for e in events)  # refused before any fit
    assert status(err.value.report, name) == ("fail", n)

    result = pl.run(train, pool, target="y", validation=validation, teacher=numbers_lr(),
                    allow_leakage=True)
    assert result.leaky and not result.leakage.ok
    assert status(result.leakage, name) == ("fail", n)
    assert result.n_validation_twins == n
    assert result.metrics_without_twins is not None
    assert "LEAKY" in result.summary()


# == C. the labeled rows inside the pool =======================================================
def _pool_holds_labeled(pool_index, given_validation):
    df = load_breast_cancer(as_frame=True).frame
    labeled = df.sample(frac=0.3, random_state=9)  # original row numbers as labels
    everything = df.drop(columns="target")  # every row's features, labeled ones included
    if pool_index == "reset-0..n-1":
        unlabeled = everything  # the loader's own RangeIndex: labels carry no identity
    else:
        unlabeled = everything.sample(frac=1.0, random_state=10)  # same labels, unique
    kwargs = dict(labeled=labeled, unlabeled=unlabeled, target="target", teacher=scaled_lr())
    if given_validation:
        train, validation = train_test_split(labeled, test_size=0.25, random_state=0,
                                             stratify=labeled["target"])
        kwargs.update(labeled=train, validation=validation)
    return kwargs


@pytest.mark.parametrize("given_validation", [False, True], ids=["split-by-run", "given-validation"])
@pytest.mark.parametrize("pool_index", ["reset-0..n-1", "original-labels-shuffled"])
def test_labeled_rows_inside_the_pool_never_reach_a_student(pool_index, given_validation):
    kwargs = _pool_holds_labeled(pool_index, given_validation)
    result = pl.run(**kwargs)  # not refused
    report = result.leakage
    assert report.ok and not result.leaky, repr(report)
    validation = kwargs.get("validation")
    if validation is None:
        validation = kwargs["labeled"].loc[result.validation_index]
    features = [c for c in validation.columns if c != "target"]
    pool = kwargs["unlabeled"]
    val_rows = set(row_tuples(validation, features))
    like_validation = np.array([t in val_rows for t in row_tuples(pool, features)])
    assert like_validation.sum() == len(validation)  # each validation row is in the pool once

    check_status, count = status(report, "validation_rows_in_unlabeled")
    assert (check_status, count) == ("warn", len(validation))
    detail = report.checks.set_index("check").loc["validation_rows_in_unlabeled", "detail"]
    assert "the unlabeled pool contains the labeled rows" in detail, detail
    assert report.twins.loc["unlabeled", "far_more"]

    assert np.array_equal(report.unlabeled_rows_like_validation(), like_validation)
    assert result.counts["n_kept_out"] == int(like_validation.sum())
    selected = result.pseudo_labels["selected"]
    assert selected.index.equals(pool.index)
    assert not selected.to_numpy()[like_validation].any()
    assert np.array_equal(selected.to_numpy(), ~like_validation)  # select="all": the rest
    twin_labels = pool.index[like_validation]
    students = [r for r in result.fit_log if r.role == "student"]
    assert students
    for record in students:
        assert not pd.Index(record.pseudo_index).isin(twin_labels).any()
    for name in AFTER_RUN:
        assert status(report, name) == ("pass", 0), repr(report)


# == D. the row hash ==========================================================================
DTYPES = ["float32", "float64", "Int64", "int8", "object", "category", "int64[pyarrow]"]


@st.composite
def small_int_frames(draw):
    """Frames of 0..2 whose rows are near each other: random, one cell changed from a base
    row, two cells swapped (a column permutation), or +1/-1 in two cells (same row sum)."""
    mode = draw(st.sampled_from(["drawn", "random", "one_cell", "swap", "same_sum"]))
    if mode == "drawn":  # small, so hypothesis can shrink cell by cell
        rows, cols = draw(st.integers(1, 30)), draw(st.integers(1, 12))
        values = draw(hnp.arrays(np.int64, (rows, cols), elements=st.integers(0, 2)))
    else:
        rows, cols = draw(st.integers(1, 300)), draw(st.integers(1, 40))
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
        if mode == "random":
            values = rng.integers(0, 3, size=(rows, cols))
        else:
            base = rng.integers(0, 3, size=cols)
            values = np.tile(base, (rows, 1))
            r = np.arange(rows)
            i, j = rng.integers(0, cols, size=rows), rng.integers(0, cols, size=rows)
            if mode == "one_cell":
                values[r, i] = rng.integers(0, 3, size=rows)
            elif mode == "swap":
                values[r, i], values[r, j] = values[r, j], values[r, i].copy()
            else:
                up = np.minimum(values[r, i] + 1, 2)
                down = values[r, j] - (up - values[r, i])
                ok = (down >= 0) & (i != j)
                values[r[ok], i[ok]], values[r[ok], j[ok]] = up[ok], down[ok]
    frame = pd.DataFrame(values, columns=[f"c{k}" for k in range(values.shape[1])])
    return frame.drop_duplicates().reset_index(drop=True)


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frame=small_int_frames(), dtype_seed=st.integers(0, 2 ** 16))
def test_row_hashes_never_collide_and_ignore_storage(frame, dtype_seed):
    cols = list(frame.columns)
    h = row_hashes(frame, cols)
    assert len(np.unique(h)) == len(frame), "two distinct rows share a hash"
    for dtype in DTYPES:
        stored = frame.astype(dtype)
        assert np.array_equal(row_hashes(stored, cols), h), dtype
    # every column stored its own way
    rng = np.random.default_rng(dtype_seed)
    mixed = frame.astype({c: DTYPES[k] for c, k in zip(cols, rng.integers(0, len(DTYPES), len(cols)))})
    assert np.array_equal(row_hashes(mixed, cols), h)
