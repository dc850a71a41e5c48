"""Default teacher/student models, and what a user's model gets in front of it.

Notebook frames hold numbers, booleans, categoricals, strings, dates and missing values.
The defaults take all of those without the user writing a pipeline: a small cleaning
step, then skrub's TableVectorizer for the text, category and date columns (see
:mod:`.preprocessing`). A user's bare
estimator gets the same preprocessing when the features need it (text, categories, dates,
inf, or missing values it refuses), and the run says so; a user's Pipeline is used as given.

Small training sets get a RandomForest instead of boosting: boosting with the library
default ``min_samples_leaf=20`` predicts a single class from a 20-row classroom set, and
even with smaller leaves it trailed the forest on wine/breast_cancer/iris at 10% labels
(mean accuracy on the unlabeled rows over 5 seeds: wine 0.84 vs 0.94, breast_cancer 0.91
vs 0.94, iris 0.93 vs 0.95). Forests also give regression a confidence (the spread of
their trees). The default student is sized for its own rows (train + pseudo-labelled),
so a forest chosen for 800 train rows is not refit on 100,800.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import has_fit_parameter

from ..kinds import final_step
from .columns import check_unique_names
from .pipelinecheck import check_pipeline
from .preprocessing import FeatureProfile, tabular_pipeline, wrap_reason
from .scoring import has_proba, with_n_jobs
from .textnames import TextColumnNames, needs_text_names, visible_steps, with_text_names

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


def default_model(task: str, frame: pd.DataFrame, features, n_train: int, random_state,
                  n_jobs=None, profile: FeatureProfile | None = None) -> Pipeline:
    """The default model for ``n_train`` training rows: preprocessing + a sized estimator.

    Parameters
    ----------
    task : {'classification', 'regression'}
    frame : DataFrame
        Rows with the feature columns: which of them hold text, categories or dates.
    features : list
        The feature columns.
    n_train : int
        Rows the model will be fitted on: a RandomForest (200 trees) below
        ``SMALL_TRAIN_ROWS``, HistGradientBoosting from there on.
    random_state : int, RandomState or None
    n_jobs : int, default=None
        Cores for the forest (boosting uses OpenMP threads, set by the environment).
    profile : FeatureProfile, default=None
        What the features of every frame of the run hold (instead of ``frame`` alone).

    Returns
    -------
    Pipeline
        ``preprocess`` (``clean``, then ``vectorize``, a TableVectorizer, when a feature
        holds text, categories or dates) > ``model``. When a feature name is not text, the
        vectorizer names the columns as :class:`~.textnames.TextColumnNames` does
        (:func:`build_models` puts that step in front).
    """
    profile = FeatureProfile([frame], features) if profile is None else profile
    if n_train < SMALL_TRAIN_ROWS:
        forest = RandomForestClassifier if task == "classification" else RandomForestRegressor
        model = forest(n_estimators=200, random_state=random_state, n_jobs=n_jobs)
    else:
        boosting = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
        model = boosting(min_samples_leaf=int(max(1, min(20, n_train // 20))),
                         categorical_features="from_dtype", random_state=random_state)
    return tabular_pipeline(model, model_columns(profile.to_vectorize, profile.features),
                            n_features=len(features), random_state=random_state)


def model_columns(columns, features) -> list:
    """``columns`` (some of ``features``) by the names the model sees: their text names
    (:meth:`~.textnames.TextColumnNames.text_names`) when a feature name is not text."""
    if not needs_text_names(features):
        return list(columns)
    names = dict(zip(features, TextColumnNames.text_names(features)))
    return [names[c] for c in columns]


def prepare_estimator(estimator, frames, features=None, *, random_state=0, role="teacher"):
    """The user's model as the run fits it, and the note saying what was added (or None).

    A bare estimator gets the default preprocessing in front when the features need it
    (text, categories, dates, inf, or missing values its tags refuse); a Pipeline is used
    as given, after :func:`~.pipelinecheck.check_pipeline` tried it on a few train rows.

    Parameters
    ----------
    estimator : estimator or Pipeline
        The user's model (not modified).
    frames : DataFrame, list of DataFrames or FeatureProfile
        Train, validation and the unlabeled rows (None entries are skipped), or their profile.
    features : list, default=None
        The feature columns (not needed with a FeatureProfile).
    random_state : int, RandomState or None
    role : {'teacher', 'student'}
        Named in the note.

    Returns
    -------
    (estimator, str or None)
        The model to clone and fit, and e.g. "added the default preprocessing in front of
        your teacher RandomForestClassifier because column 'city' holds text".
    """
    if isinstance(frames, FeatureProfile):
        profile = frames
    else:
        profile = FeatureProfile([frames] if isinstance(frames, pd.DataFrame) else frames, features)
    if hasattr(estimator, "steps"):
        return estimator, None
    reason = wrap_reason(estimator, profile)
    if reason is None:
        return estimator, None
    profile.check_cells()
    wrapped = tabular_pipeline(clone(estimator), model_columns(profile.to_vectorize, profile.features),
                               n_features=len(profile.features), random_state=random_state)
    return wrapped, (f"added the default preprocessing in front of your {role} "
                     f"{type(estimator).__name__} because {reason}")


def build_models(task: str, train: pd.DataFrame, y_train, validation, unlabeled, features,
                 teacher=None, student=None, *, random_state=0, n_jobs=None,
                 max_pseudo_rows=None, n_unlabeled=None):
    """Teacher and student templates for a run, and the notes the result shows.

    Raises :class:`~.errors.PseudoLabelError` (one line, before any fit) for cells no model
    takes, or a user's Pipeline that cannot take a text/category/date column. The default
    student is sized for its own rows: ``len(train)`` plus every unlabeled row it may get
    (at most ``max_pseudo_rows``), so above 2,000 it is HistGradientBoosting even when
    the teacher is a forest. ``n_unlabeled`` is the pool's row count when ``unlabeled`` is
    only a stand-in with its columns (a Dask frame's). ``n_jobs`` is set on models that
    take it.

    When a feature name is not text (``0`` beside ``"x2"``, which scikit-learn refuses),
    both start with :class:`~.textnames.TextColumnNames`: they take the user's frames and
    names as they are, and the model behind sees text names.

    Returns
    -------
    teacher, student : estimator or Pipeline
        Fresh clones; the user's objects are never fitted.
    notes : list of str
        One sentence per thing the run did that the user did not write: preprocessing
        added in front of a bare estimator, ``inf`` read as missing.
    """
    check_unique_names(features, labeled=train, validation=validation, unlabeled=unlabeled)
    profile = FeatureProfile([train, validation, unlabeled], features)
    notes = []
    if teacher is None or not all(hasattr(m, "steps") for m in (teacher, student) if m is not None):
        profile.check_cells()  # the default preprocessing and bare estimators take no lists
    prepared = {}
    for role, model in (("teacher", teacher), ("student", student)):
        if model is None:
            continue
        if hasattr(model, "steps") and not _cleans(model):  # the default preprocessing takes all
            check_pipeline(with_text_names(model, features), train[features], y_train, role, profile)
        model, note = prepare_estimator(model, profile, random_state=random_state, role=role)
        if note is not None:
            notes.append(note)
        prepared[role] = model
    if teacher is None:
        teacher = default_model(task, train, features, len(train), random_state, n_jobs, profile)
    else:
        teacher = prepared["teacher"]
    if student is not None:
        student = prepared["student"]
    elif "teacher" not in prepared:
        n_pool = len(unlabeled) if n_unlabeled is None else int(n_unlabeled)
        pool = n_pool if max_pseudo_rows is None else min(n_pool, int(max_pseudo_rows))
        student = default_model(task, train, features, len(train) + pool, random_state, n_jobs, profile)
    teacher = with_n_jobs(clone(teacher), n_jobs)
    student = with_n_jobs(clone(teacher if student is None else student), n_jobs)
    if any(_cleans(m) for m in (teacher, student)) and profile.inf_note():
        notes.append(profile.inf_note())
    return with_text_names(teacher, features), with_text_names(student, features), notes


def _cleans(model) -> bool:
    """Whether ``model`` starts with the default preprocessing (which reads inf as missing)."""
    from .preprocessing import is_default_preprocessing

    first = visible_steps(model)[0][1] if hasattr(model, "steps") else None
    return is_default_preprocessing(first)


# -- what a (user's) model can do: asked before fitting, so bad settings fail early -------
def gives_confidence(model, task: str) -> bool:
    """Whether ``model`` can rank its predictions, before it is fitted."""
    if task == "classification":
        return has_proba(model)
    from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor

    final = final_step(model)
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
