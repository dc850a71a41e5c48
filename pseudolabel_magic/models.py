"""Default teacher/student models and the preprocessing that lets them eat raw DataFrames.

Notebook frames hold numbers, booleans, categoricals, strings, dates and missing values. The
defaults take all of those without the user writing a pipeline: HistGradientBoosting handles
NaN and low-cardinality categoricals natively, so the only preprocessing is an ordinal code
for text/categorical columns and a number for dates.

Small training sets get a RandomForest instead: boosting with the library default
``min_samples_leaf=20`` predicts a single class from a 20-row classroom set, and even with
smaller leaves it trailed the forest on wine/breast_cancer/iris at 10% labels (mean accuracy
on the unlabeled rows over 5 seeds: wine 0.84 vs 0.94, breast_cancer 0.91 vs 0.94, iris 0.93
vs 0.95). Forests also give regression a confidence (the spread of their trees).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder
from sklearn.utils.validation import has_fit_parameter

from .scoring import has_proba

#: A text/categorical column with more distinct values than this is coded as an ordinal
#: number instead of a native categorical (HistGradientBoosting allows at most 255 bins).
MAX_CATEGORIES = 250
#: Below this many training rows the default model is a RandomForest, above it boosting.
SMALL_TRAIN_ROWS = 2000
#: Integer-like targets with at most this many distinct values are classes, not amounts.
MAX_CLASSES = 20


def infer_task(y: pd.Series, teacher=None) -> str:
    """'classification' or 'regression': from the teacher when given, else from the target."""
    if teacher is not None:
        if is_classifier(teacher):
            return "classification"
        if is_regressor(teacher):
            return "regression"
    y = y.dropna()
    if isinstance(y.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(y.dtype):
        return "classification"
    if pd.api.types.is_bool_dtype(y.dtype):
        return "classification"
    values = y.to_numpy(dtype="float64")
    integer_like = bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))
    if integer_like and y.nunique() <= MAX_CLASSES:
        return "classification"
    return "regression"


def _dates_to_numbers(frame):
    """Seconds since the epoch (UTC; tz-naive read as UTC), NaN for missing: trees only need
    the order. Frames in different zones, or one zone-aware and one naive, agree."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        values = pd.to_datetime(frame[col], utc=True).dt.tz_convert(None)
        out[col] = (values - pd.Timestamp(0)).dt.total_seconds()
    return out


def _to_float(frame):
    """Booleans (also nullable ones) as 0/1 floats with NaN for missing."""
    return frame.astype("float64")


def _to_text(frame):
    """Categoricals/strings as plain objects with NaN for missing, so unseen values code as NaN."""
    return frame.astype(object).where(frame.notna(), np.nan)


def column_kinds(frame: pd.DataFrame, features) -> dict:
    """Group feature columns by how the default pipeline must treat them."""
    kinds = {"numeric": [], "boolean": [], "datetime": [], "category": [], "ordinal": []}
    for col in features:
        dtype = frame[col].dtype
        if pd.api.types.is_bool_dtype(dtype):
            kinds["boolean"].append(col)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kinds["datetime"].append(col)
        elif pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
            kinds["numeric"].append(col)
        elif frame[col].nunique(dropna=True) <= MAX_CATEGORIES:
            kinds["category"].append(col)
        else:
            kinds["ordinal"].append(col)
    return kinds


def make_preprocessor(frame: pd.DataFrame, features) -> tuple[ColumnTransformer, list[int]]:
    """A ColumnTransformer for ``features`` and the output positions that are categorical."""
    kinds = column_kinds(frame, features)
    transformers = []
    categorical_positions: list[int] = []
    position = 0

    def encoder():
        return OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=np.nan,
            encoded_missing_value=np.nan,
        )

    if kinds["category"]:
        transformers.append(
            ("category", Pipeline([("text", FunctionTransformer(_to_text)), ("code", encoder())]),
             kinds["category"])
        )
        categorical_positions = list(range(len(kinds["category"])))
        position += len(kinds["category"])
    if kinds["ordinal"]:
        transformers.append(
            ("ordinal", Pipeline([("text", FunctionTransformer(_to_text)), ("code", encoder())]),
             kinds["ordinal"])
        )
    if kinds["boolean"]:
        transformers.append(("boolean", FunctionTransformer(_to_float), kinds["boolean"]))
    if kinds["datetime"]:
        transformers.append(("datetime", FunctionTransformer(_dates_to_numbers), kinds["datetime"]))
    if kinds["numeric"]:
        transformers.append(("numeric", "passthrough", kinds["numeric"]))
    preprocessor = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return preprocessor, categorical_positions


def default_model(task: str, frame: pd.DataFrame, features, n_train: int, random_state) -> Pipeline:
    """The default teacher: preprocessing + a model sized to the training set."""
    preprocessor, categorical = make_preprocessor(frame, features)
    if n_train < SMALL_TRAIN_ROWS:
        forest = RandomForestClassifier if task == "classification" else RandomForestRegressor
        model = forest(n_estimators=200, random_state=random_state)
        return Pipeline([("preprocess", preprocessor), ("model", model)])
    params = dict(
        min_samples_leaf=int(max(1, min(20, n_train // 20))),
        categorical_features=categorical or None,
        random_state=random_state,
    )
    if task == "classification":
        model = HistGradientBoostingClassifier(**params)
    else:
        model = HistGradientBoostingRegressor(**params)
    return Pipeline([("preprocess", preprocessor), ("model", model)])


def needs_preprocessing(frame: pd.DataFrame, features) -> bool:
    """True when some feature is not plain numeric, so a bare user estimator would choke."""
    kinds = column_kinds(frame, features)
    return any(kinds[k] for k in ("boolean", "datetime", "category", "ordinal"))


# -- what a (user's) model can do: asked before fitting, so bad settings fail early -------
def gives_confidence(model, task: str) -> bool:
    """Whether ``model`` can rank its predictions, before it is fitted."""
    if task == "classification":
        return has_proba(model)
    from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor

    final = model[-1] if hasattr(model, "steps") else model
    return isinstance(final, (RandomForestRegressor, ExtraTreesRegressor))


def fit_with_weights(model, X, y, sample_weight=None):
    """Fit ``model`` in place, giving ``sample_weight`` to its final estimator only.

    A Pipeline's transform steps are fit unweighted and its last step (the innermost last
    step, for nested Pipelines) gets the weights, whether scikit-learn's metadata routing
    is on or off. With routing on, ``Pipeline.fit`` rejects ``step__sample_weight``, and a
    plain ``sample_weight`` would also reach every step that accepts one (a
    ``StandardScaler``, ``CalibratedClassifierCV``'s inner model), which raises unless each
    was given ``set_fit_request``. So the weighted fit runs inside
    ``config_context(enable_metadata_routing=False)`` (this thread only; joblib workers
    inherit it): the same call, and the same model, as with routing off. No object but
    ``model`` is changed.

    Parameters
    ----------
    model : estimator or Pipeline
        An unfitted estimator (the engine passes a fresh clone); it is fitted in place.
    X : DataFrame of shape (n_samples, n_features)
        Training rows.
    y : array-like of shape (n_samples,)
        Targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights for the final estimator; None fits without weights (and without
        touching the routing setting).

    Returns
    -------
    estimator
        ``model``, fitted.
    """
    if sample_weight is None:
        return model.fit(X, y)
    from sklearn import config_context

    names, final = [], model
    while hasattr(final, "steps"):
        names.append(final.steps[-1][0])
        final = final.steps[-1][1]
    key = "__".join([*names, "sample_weight"])
    with config_context(enable_metadata_routing=False):
        return model.fit(X, y, **{key: sample_weight})


def accepts_weights(model) -> bool:
    """Whether :func:`fit_with_weights` can weight ``model``'s final estimator.

    Parameters
    ----------
    model : estimator or Pipeline
        A bare estimator or a (possibly nested) Pipeline.

    Returns
    -------
    bool
        True when the final estimator's ``fit`` takes ``sample_weight``.
    """
    final = model
    while hasattr(final, "steps"):
        final = final.steps[-1][1]
    return has_fit_parameter(final, "sample_weight")


def model_name(model) -> str:
    if hasattr(model, "steps"):
        return " > ".join(type(step).__name__ for _, step in model.steps)
    return type(model).__name__


def preprocessing_names(model) -> tuple:
    if hasattr(model, "steps"):
        return tuple(name for name, _ in model.steps[:-1])
    return ()
