"""Text column names for scikit-learn, while every frame and report keeps the user's names.

scikit-learn refuses a frame whose column names mix text with other types ("Feature names
are only supported if all input features have string names"), which pandas allows and
real tables have (``0`` beside ``"x2"``, after a ``concat`` or a ``reset_index``).
:func:`with_text_names` puts :class:`TextColumnNames` in front of a model, so the model
sees text names while the user's frames (never renamed), the fitted ``result.teacher`` /
``result.student`` (which take ``df[features]`` as it is) and everything the run reports
keep the user's names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

#: The name of the step :func:`with_text_names` puts in front of a model.
TEXT_NAMES_STEP = "text_names"


def needs_text_names(features) -> bool:
    """Whether a model should see other names: some feature name is not a plain ``str``."""
    return not all(type(name) is str for name in features)


class TextColumnNames(TransformerMixin, BaseEstimator):
    """Give a frame's columns text names, so scikit-learn takes any column names.

    scikit-learn refuses a frame whose column names mix text and other types, and keeps
    no names for a frame of number names. This first step of a Pipeline renames the
    columns to text: a ``str`` name stays as it is, any other becomes ``str(name)``, or
    ``"3 (int)"`` when a text column is already called ``"3"``. ``feature_names_in_`` keeps
    the names as given, so the Pipeline takes the user's own frame, e.g.
    ``result.student.predict(df[features])``, in any column order. The frame is never
    written to.

    Attributes
    ----------
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names seen in ``fit``, as given.
    n_features_in_ : int
    names_ : list of str
        The text names the next steps see, in the same order.
    """

    def fit(self, X, y=None):
        if hasattr(X, "columns"):
            self.feature_names_in_ = self._labels(X.columns)
            self.names_ = self.text_names(X.columns)
        else:
            self.names_ = [str(i) for i in range(np.shape(X)[1])]
        self.n_features_in_ = len(self.names_)
        return self

    def transform(self, X):
        names = getattr(self, "names_", None)
        if names is None:
            raise ValueError("this TextColumnNames is not fitted yet; call fit first.")
        if not hasattr(X, "columns"):  # an array: its columns in the order fit saw them
            X = np.asarray(X)
            if X.ndim != 2 or X.shape[1] != len(names):
                raise ValueError(f"X has {X.shape[-1] if X.ndim else 0} features, but this "
                                 f"model was fitted with {len(names)}.")
            return pd.DataFrame(X, columns=names)
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is not None:
            columns = pd.Index(self._labels(X.columns), dtype=object, tupleize_cols=False)
            wanted = pd.Index(fitted, dtype=object, tupleize_cols=False)
            if not (len(columns) == len(wanted) and all(
                    type(a) is type(b) and a == b for a, b in zip(columns, wanted))):
                X = X.iloc[:, self._positions(columns, wanted)]
        out = X.copy(deep=False)
        out.columns = names
        return out

    @staticmethod
    def _labels(columns) -> np.ndarray:
        """Column labels as a 1-d object array (a MultiIndex's as tuples)."""
        labels = np.empty(len(columns), dtype=object)
        for i, label in enumerate(columns):
            labels[i] = label
        return labels

    @staticmethod
    def _positions(columns: pd.Index, wanted: pd.Index) -> np.ndarray:
        """Where each fitted column is in ``columns``; ValueError for missing or extra ones."""
        where = columns.get_indexer(wanted) if columns.is_unique else None
        missing = [] if where is None else [c for c, i in zip(wanted, where) if i < 0]
        if where is None or missing or len(columns) != len(wanted):
            extra = [c for c in columns if c not in set(wanted)]
            raise ValueError(
                f"X has other columns than the model was fitted on (missing: {missing[:5]}; "
                f"unexpected: {extra[:5]}); pass X[features] with the fitted columns.")
        return where

    def get_feature_names_out(self, input_features=None):
        return np.asarray(self.names_, dtype=object)

    @staticmethod
    def text_names(columns) -> list:
        """Unique text names: ``str`` names kept, others ``str(name)`` or ``"3 (int)"``."""
        taken = {c for c in columns if type(c) is str}
        names = []
        for c in columns:
            if type(c) is str:
                names.append(c)
                continue
            name, k = str(c), 1
            if name in taken:
                name = base = f"{c} ({type(c).__name__})"
                while name in taken:
                    k += 1
                    name = f"{base} {k}"
            taken.add(name)
            names.append(name)
        return names


def with_text_names(model, features):
    """``model`` behind :class:`TextColumnNames` when a feature name is not text, else ``model``.

    A Pipeline gets the step in front of its own steps (so its last step stays the model:
    confidence, weights and ``model[-1]`` work as before); a bare estimator becomes the
    Pipeline ``text_names`` > ``model``. The model itself is not copied.
    """
    from sklearn.pipeline import Pipeline

    if not needs_text_names(features) or is_text_names(model):
        return model
    steps = list(model.steps) if isinstance(model, Pipeline) else [("model", model)]
    taken = {name for name, _ in steps}
    name = TEXT_NAMES_STEP
    while name in taken:
        name += "_"
    options = ({"memory": model.memory, "verbose": model.verbose}
               if isinstance(model, Pipeline) else {})
    return Pipeline([(name, TextColumnNames()), *steps], **options)


def is_text_names(model) -> bool:
    """Whether ``model`` is a Pipeline that starts with :class:`TextColumnNames`."""
    steps = getattr(model, "steps", None)
    return bool(steps) and isinstance(steps[0][1], TextColumnNames)


def visible_steps(model) -> list:
    """A Pipeline's ``(name, step)`` pairs without the :class:`TextColumnNames` step."""
    steps = list(model.steps)
    return steps[1:] if is_text_names(model) else steps


def model_name(model) -> str:
    """'LogisticRegression', 'Pipeline > RandomForestClassifier' (a TextColumnNames step,
    which only renames columns, is left out)."""
    if hasattr(model, "steps"):
        return " > ".join(type(step).__name__ for _, step in visible_steps(model))
    return type(model).__name__


def preprocessing_names(model) -> tuple:
    if hasattr(model, "steps"):
        return tuple(name for name, _ in visible_steps(model)[:-1])
    return ()
