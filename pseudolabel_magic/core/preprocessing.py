"""Raw DataFrames to model input: skrub's TableVectorizer, and the checks around it.

A notebook frame holds numbers (also nullable and Arrow ones with ``pd.NA``), booleans,
categories, text, object columns that mix numbers and text, dates in any zone, missing
values and the odd ``inf``. The default preprocessing (``preprocess`` in the default
model, and in front of a bare estimator whose features need it) is two steps:

- :func:`_clean_frame` makes numbers and dates read alike everywhere: nullable and Arrow
  numbers as float64 with NaN, ``inf`` as missing, every date in UTC without a zone, so a
  tz-naive labeled frame, a tz-aware unlabeled one and the student's rows (which stack
  both) agree;
- skrub's :class:`~skrub.TableVectorizer` (written by scikit-learn maintainers for exactly
  these frames) encodes the text, category, date and object columns, with the encoders
  ``skrub.tabular_pipeline`` picks for the estimator. Plain number and boolean columns
  skip it: skrub spends about 10 ms per column and per transform (see
  ``benchmarks/default_preprocessing.py``), and a frame of numbers only never imports it.

What no model takes (complex numbers, lists, dicts, sets in cells) is refused before any
fit with one line naming the column (:func:`check_cells`); a user's Pipeline that cannot
take a column is named the same way (:mod:`.pipelinecheck`).

skrub costs about 1.8 s to import, so it is imported here on first use only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError

#: Text/category columns with fewer distinct values are categories (native ones for
#: HistGradientBoosting, which takes at most 255, ordinal codes for other trees); more, and
#: skrub's StringEncoder reads them. skrub's own threshold, 40, sent 120 product codes to
#: the StringEncoder and lost 2-4 points of accuracy on benchmarks/default_preprocessing.py's
#: mixed table; linear models keep 40 (one-hot columns).
TREE_CATEGORIES = 250
#: Cell types no encoder takes, by the name the error shows.
_BAD_CELLS = {complex: "complex numbers", np.complexfloating: "complex numbers", list: "lists",
              tuple: "tuples", dict: "dicts", set: "sets", frozenset: "sets",
              np.ndarray: "arrays"}
#: ``pd.api.types.infer_dtype`` results that cannot hide one of those cells.
_PLAIN_OBJECTS = {"string", "empty", "integer", "floating", "mixed-integer-float", "decimal",
                  "boolean", "datetime64", "datetime", "date", "timedelta64", "timedelta",
                  "time", "period", "interval", "categorical", "bytes"}
#: ``infer_dtype`` results of object columns that may hold a float ``inf``.
_MAY_HOLD_FLOATS = ("floating", "mixed-integer-float", "mixed-integer", "mixed")
#: Class-name parts of tree models: ordinal codes, no scaling (``skrub.tabular_pipeline``).
_TREE_NAMES = ("Forest", "Tree", "GradientBoosting", "XGB", "LGBM", "CatBoost")


def is_default_preprocessing(step) -> bool:
    """Whether ``step`` is the default preprocessing pipeline (it starts by cleaning the frame).

    Parameters
    ----------
    step : estimator or None
        The first step of a model.

    Returns
    -------
    bool
        True for the pipeline :func:`tabular_pipeline` builds.
    """
    return hasattr(step, "steps") and getattr(step.steps[0][1], "func", None) is _clean_frame


def _clean_frame(X):
    """Numbers and dates every model reads alike; text and categories are left as they are.

    Nullable and Arrow numbers and booleans become float64 with NaN for ``pd.NA``, ``inf``
    becomes NaN (missing), and dates are put in UTC without a zone (tz-naive read as UTC),
    so a tz-naive frame, a tz-aware one and the two stacked agree. Column names become
    text (``pd.DataFrame(X)`` numbers its columns). A new frame is
    returned; ``X`` is never written to. ``result.to_code()`` copies this function into
    its script, so it uses nothing but ``np`` and ``pd``.
    """
    out = X.copy(deep=False)
    for col in X.columns:
        values = X[col]
        dtype = values.dtype
        inferred = pd.api.types.infer_dtype(values, skipna=True) if dtype == object else ""
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_complex_dtype(dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(dtype) or inferred in ("datetime", "datetime64"):
            out[col] = pd.to_datetime(values, utc=True).dt.tz_convert(None)
        elif isinstance(dtype, np.dtype) and dtype.kind in "biu":
            continue  # numpy booleans and integers: no missing value, no inf
        elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            infinite = np.isinf(numbers)
            if infinite.any() or not isinstance(dtype, np.dtype):
                out[col] = pd.Series(np.where(infinite, np.nan, numbers), index=X.index)
        elif inferred in ("floating", "mixed-integer-float", "mixed-integer", "mixed"):
            infinite = values.map(lambda v: isinstance(v, (float, np.floating)) and bool(np.isinf(v)))
            if infinite.any():
                out[col] = values.mask(infinite.astype(bool), np.nan)
    if not all(isinstance(col, str) for col in X.columns):  # skrub selects columns by str name
        out.columns = [str(col) for col in X.columns]
    return out


# -- what a column holds, from its dtype (and a look at object columns) ------------------
def column_kind(values: pd.Series) -> str:
    """'numeric', 'boolean', 'datetime', 'category', 'text' or 'bad' (cells no encoder takes)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_complex_dtype(dtype):
        return "bad"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if dtype != object:
        return "text"  # string, string[pyarrow] and other extension types
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal", "empty"):
        return "numeric"
    if inferred == "boolean":
        return "boolean"
    if inferred in ("datetime", "datetime64", "date"):
        return "datetime"
    if inferred in _PLAIN_OBJECTS:
        return "text"
    return "bad" if _bad_cell(values) is not None else "text"


def _bad_cell(values: pd.Series):
    """(row label, kind name) of the first cell no model takes, or None."""
    if pd.api.types.is_complex_dtype(values.dtype):
        return values.index[0] if len(values) else None, "complex numbers"
    types = values.map(type)
    bad = {}
    for t in pd.unique(types):
        name = next((n for kind, n in _BAD_CELLS.items() if issubclass(t, kind)), None)
        if name is not None:
            bad[t] = name
    if not bad:
        return None
    first = int(np.argmax(types.isin(list(bad)).to_numpy()))
    return values.index[first], bad[types.iloc[first]]


def check_cells(frames, features) -> None:
    """Raise :class:`PseudoLabelError` for the first feature holding cells no model takes."""
    FeatureProfile(frames, features).check_cells()


def describe_kind(kind: str) -> str:
    return {"text": "text", "category": "categories", "datetime": "dates"}.get(kind, kind)


def _count_infinite(values: pd.Series) -> int:
    if pd.api.types.is_float_dtype(values.dtype):
        return int(np.isinf(values.to_numpy(dtype="float64", na_value=np.nan)).sum())
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in _MAY_HOLD_FLOATS:
        return int(values.map(lambda v: isinstance(v, (float, np.floating)) and bool(np.isinf(v))).sum())
    return 0


class FeatureProfile:
    """What the feature columns of train, validation and the unlabeled rows hold.

    Built once per run; each question (kinds, missing values, inf) is answered on first
    use, so a run that never asks about missing values never scans for them.
    """

    def __init__(self, frames, features):
        self.frames = [f for f in frames if f is not None and len(f)]
        self.features = list(features)
        self._kinds = self._missing = self._infinite = None

    @property
    def kinds(self) -> dict:
        if self._kinds is None:
            self._kinds = {}
            for col in self.features:
                kinds = {column_kind(frame[col]) for frame in self.frames}
                for kind in ("bad", "text", "datetime", "category", "numeric", "boolean"):
                    if kind in kinds:
                        self._kinds[col] = kind
                        break
        return self._kinds

    @property
    def to_vectorize(self) -> list:
        """Features the TableVectorizer encodes: all but plain number and boolean columns.

        Plain ones skip it (after :func:`_clean_frame`): skrub spends about 10 ms per
        column and per transform, 9 s for each pass over a 1,000-column frame.
        """
        return [c for c, kind in self.kinds.items()
                if kind not in ("numeric", "boolean")
                or any(frame[c].dtype == object for frame in self.frames)]

    @property
    def missing(self) -> list:
        """Feature columns with a missing value somewhere."""
        if self._missing is None:
            self._missing = [c for c in self.features
                             if any(bool(frame[c].isna().any()) for frame in self.frames)]
        return self._missing

    @property
    def infinite(self) -> dict:
        """Feature column -> how many ``inf`` cells it holds (only columns with some)."""
        if self._infinite is None:
            counts = {c: sum(_count_infinite(frame[c]) for frame in self.frames) for c in self.features}
            self._infinite = {c: n for c, n in counts.items() if n}
        return self._infinite

    def check_cells(self) -> None:
        """Raise :class:`PseudoLabelError` naming the first column with cells no model takes.

        Only complex columns and object columns that mix types are looked at cell by cell.
        """
        for col, kind in self.kinds.items():
            if kind != "bad":
                continue
            for frame in self.frames:
                found = _bad_cell(frame[col])
                if found is not None:
                    row, name = found
                    fix = ("split it into two number columns (np.real and np.imag of it)"
                           if name == "complex numbers" else
                           f"give each item its own column (or read it as text: df[{col!r}].astype(str))")
                    raise PseudoLabelError(
                        f"column {col!r} holds {name} (row {row!r}), which no model can take; "
                        f"{fix}, or leave it out with features=[...].")

    def inf_note(self) -> str | None:
        """The one sentence a run shows when ``inf`` was read as missing."""
        if not self.infinite:
            return None
        cols = list(self.infinite)
        total = sum(self.infinite.values())
        named = ", ".join(map(repr, cols[:3])) + (f" and {len(cols) - 3} more" if len(cols) > 3 else "")
        which = f"column {named} holds" if len(cols) == 1 else f"columns {named} hold"
        return f"{which} inf ({total:,} value{'s' if total != 1 else ''}): read as missing"


# -- the pipelines ----------------------------------------------------------------------
def is_tree_model(estimator) -> bool:
    return any(part in type(estimator).__name__ for part in _TREE_NAMES)


def allows_nan(estimator) -> bool:
    """Whether ``estimator`` takes NaN, by its tags; a meta-estimator (GridSearchCV,
    CalibratedClassifierCV, a Pipeline...) whose own tags say no asks the model it wraps."""
    try:
        from sklearn.utils import get_tags

        if get_tags(estimator).input_tags.allow_nan:
            return True
    except Exception:  # not a scikit-learn estimator: assume it does not
        return False
    if hasattr(estimator, "steps"):
        return allows_nan(estimator.steps[-1][1])
    inner = getattr(estimator, "estimator", None)
    return hasattr(inner, "fit") and allows_nan(inner)


def tabular_pipeline(estimator, vectorize=(), *, n_features=None, random_state=0):
    """``estimator`` behind the cleaning step, and a TableVectorizer for the ``vectorize`` columns.

    The encoders follow ``skrub.tabular_pipeline``: native categories for
    HistGradientBoosting with ``categorical_features='from_dtype'``, ordinal codes for the
    other tree models (both up to ``TREE_CATEGORIES`` distinct values), one-hot codes +
    ``SquashingScaler`` for the rest, ``SimpleImputer`` when the estimator refuses NaN. The step names are fixed and the ``StringEncoder`` is
    seeded, so a run repeats (and ``to_code`` repeats it). Without ``vectorize`` columns
    there is no vectorizer, and skrub is not imported, unless a scaler is needed.

    Parameters
    ----------
    estimator : estimator
        The final step (used as is, not cloned).
    vectorize : list
        Columns for the TableVectorizer (``FeatureProfile.to_vectorize``); the others
        reach the estimator as numbers.
    n_features : int, default=None
        How many features the pipeline gets (only a one-column frame needs a copy step).
    random_state : int, RandomState or None
        Seeds the ``StringEncoder`` of high-cardinality text when it is an int.

    Returns
    -------
    Pipeline
        ``preprocess`` > ``model``, where ``preprocess`` is the Pipeline ``clean`` >
        [``vectorize``] > [``impute``] > [``scale`` | ``copy``] (the fit log names it).
    """
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    tree = is_tree_model(estimator)
    native = tree and getattr(estimator, "categorical_features", None) == "from_dtype"
    steps = [("clean", FunctionTransformer(_clean_frame))]
    if len(vectorize):
        from sklearn.preprocessing import OrdinalEncoder
        from skrub import (
            ApplyToCols,
            DatetimeEncoder,
            StringEncoder,
            TableVectorizer,
            ToCategorical,
        )

        seed = random_state if isinstance(random_state, (int, np.integer)) else None
        strings = StringEncoder(random_state=seed)
        if native:
            vectorizer = TableVectorizer(
                cardinality_threshold=TREE_CATEGORIES, low_cardinality=ToCategorical(),
                high_cardinality=strings, numeric="passthrough", datetime=DatetimeEncoder())
        elif tree:
            codes = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
            vectorizer = TableVectorizer(
                cardinality_threshold=TREE_CATEGORIES, low_cardinality=codes,
                high_cardinality=strings, numeric="passthrough", datetime=DatetimeEncoder())
        else:
            vectorizer = TableVectorizer(high_cardinality=strings, numeric="passthrough",
                                         datetime=DatetimeEncoder(periodic_encoding="spline"))
        steps.append(("vectorize", ApplyToCols(vectorizer, cols=[str(col) for col in vectorize])))
    allow_nan = allows_nan(estimator)
    if not allow_nan:
        from sklearn.impute import SimpleImputer

        steps.append(("impute", SimpleImputer(add_indicator=True)))
    if not tree:
        from skrub import SquashingScaler

        steps.append(("scale", SquashingScaler(max_absolute_value=5)))
    elif allow_nan and not native and n_features == 1 and len(vectorize):
        # scikit-learn 1.9's NaN check in trees rejects read-only float32, and pandas 3
        # hands out a read-only array for a one-column float32 frame: give it a copy
        steps.append(("copy", FunctionTransformer(np.array)))
    return Pipeline([("preprocess", Pipeline(steps)), ("model", estimator)])


def wrap_reason(estimator, profile: FeatureProfile) -> str | None:
    """Why a bare estimator cannot take these features as they are ('column 'x' holds text'), or None."""
    for col, kind in profile.kinds.items():
        if kind in ("text", "category", "datetime"):
            return f"column {col!r} holds {describe_kind(kind)}"
    if profile.infinite:
        return f"column {next(iter(profile.infinite))!r} holds inf"
    if not allows_nan(estimator) and profile.missing:
        return f"column {profile.missing[0]!r} holds missing values"
    return None
