"""What a teacher or student must be: one estimator object, of the kind the task needs.

``pl.run`` (through :data:`pseudolabel_magic.core.config.SETTINGS`), the cell magic and the
meta-estimators (``PseudoLabelClassifier(estimator=...)``) judge a model here, in the same
words: a class instead of an object ("did you mean LogisticRegression()?"), a string, a
list of steps, a transformer, a clusterer, or a regressor where a classifier is needed.
Nothing heavy is imported at module level: scikit-learn is imported only to judge a value,
and its list of every estimator only to suggest a name for a mistyped string.
"""

from __future__ import annotations

import difflib

from ..errors import PseudoLabelError
from .values import kind_of, show

#: Short names people type for a model, and the object to pass instead.
MODEL_WORDS = {
    "rf": "RandomForestClassifier()", "randomforest": "RandomForestClassifier()",
    "random_forest": "RandomForestClassifier()", "forest": "RandomForestClassifier()",
    "lr": "LogisticRegression()", "logreg": "LogisticRegression()",
    "logistic": "LogisticRegression()", "logistic_regression": "LogisticRegression()",
    "hgb": "HistGradientBoostingClassifier()", "gbm": "HistGradientBoostingClassifier()",
    "gb": "HistGradientBoostingClassifier()", "boosting": "HistGradientBoostingClassifier()",
    "knn": "KNeighborsClassifier()", "svm": "SVC(probability=True)",
    "svc": "SVC(probability=True)", "nb": "GaussianNB()", "tree": "DecisionTreeClassifier()",
}

#: A model to suggest per kind (None: the kind is not known yet).
EXAMPLE = {None: "RandomForestClassifier()", "classifier": "LogisticRegression()",
           "regressor": "RandomForestRegressor()"}

#: The regression counterpart of a suggested classifier.
_AS_REGRESSOR = {"LogisticRegression()": "LinearRegression()", "SVC(probability=True)": "SVR()",
                 "GaussianNB()": "RandomForestRegressor()"}


def estimator_kind(model) -> str:
    """'classifier', 'regressor', another scikit-learn type ('clusterer', 'outlier_detector',
    ...), 'other' when it declares none, or 'unknown' when scikit-learn cannot read it."""
    from sklearn.utils import get_tags

    try:
        kind = get_tags(model).estimator_type
    except Exception:  # scikit-learn >= 1.6 needs __sklearn_tags__ (BaseEstimator has it)
        return "unknown"
    return kind or "other"


def model_label(model) -> str:
    """A model as people read it: ``StandardScaler > Ridge`` for a Pipeline, else its repr."""
    if hasattr(model, "steps") and isinstance(model.steps, list):
        return " > ".join(type(step).__name__ for _, step in model.steps)
    return show(model)


def _for_kind(suggestion: str, need: str | None) -> str:
    if need != "regressor":
        return suggestion
    return _AS_REGRESSOR.get(suggestion, suggestion.replace("Classifier(", "Regressor("))


def _sklearn_name(text: str, need: str | None):
    """``('LogisticRegression', 'sklearn.linear_model')`` for a string close to a
    scikit-learn estimator's name (of the needed kind), else None."""
    wanted = text.strip().removesuffix("()").replace(" ", "").replace("_", "").lower()
    try:  # imports every scikit-learn module: only ever on this error path
        from sklearn.utils import all_estimators

        kinds = need or ["classifier", "regressor"]
        found = {name.lower(): (name, cls) for name, cls in all_estimators(type_filter=kinds)}
    except Exception:  # noqa: BLE001 - the hint is optional, the error is not
        return None
    close = difflib.get_close_matches(wanted, list(found), n=1, cutoff=0.8)
    if not close:
        return None
    name, cls = found[close[0]]
    module = ".".join(part for part in cls.__module__.split(".") if not part.startswith("_"))
    return name, module


def _string_fix(name: str, text: str, need: str | None) -> str:
    word = text.strip()
    model = MODEL_WORDS.get(word.lower().replace("-", "_").replace(" ", "_"))
    if model is not None:
        return f"pass an estimator object such as {_for_kind(model, need)}"
    known = _sklearn_name(word, need)
    looks_like_class = word.removesuffix("()").isidentifier() and word[:1].isupper()
    if known is not None:
        cls, module = known
        if looks_like_class and word.removesuffix("()") == cls:
            return f"pass the object without quotes, {name}={cls}() (from {module} import {cls})"
        return f"did you mean {cls}() (from {module} import {cls})?"
    if looks_like_class:
        call = word if word.endswith(")") else f"{word}()"
        return f"pass the object without quotes, {name}={call}"
    return f"pass an estimator object such as {EXAMPLE[need]}"


def estimator_problem(value, name: str, need: str | None = None, owner: str | None = None,
                      other: str | None = None):
    """None when ``value`` can be a teacher or student, else ``(problem, fix)``.

    Parameters
    ----------
    value : object
        The value given for the model (None is not judged here).
    name : str
        The parameter that holds it (``"teacher"``, ``"student"``, ``"estimator"``).
    need : {"classifier", "regressor"} or None, default=None
        The kind the caller needs; None refuses only what is no model at all (a class, a
        string, a transformer, a clusterer, ...).
    owner, other : str or None, default=None
        Who needs that kind and the alternative, for the message: ``"PseudoLabelClassifier"``
        and ``"use PseudoLabelRegressor for a numeric target"``.

    Returns
    -------
    None or tuple of (str, str)
        The head of the sentence ("teacher=LogisticRegression is a class, not an estimator
        object") and its fix ("did you mean LogisticRegression()?").
    """
    example = EXAMPLE[need]
    if isinstance(value, type):
        cls = value.__name__
        if hasattr(value, "fit"):
            return f"{name}={cls} is a class, not an estimator object", f"did you mean {cls}()?"
        return (f"{name}={cls} is a class, not an estimator object",
                f"pass an estimator object such as {example}")
    if isinstance(value, (str, bytes)):
        text = value.decode(errors="replace") if isinstance(value, bytes) else value
        return (f"{name}={value!r} is a string, not an estimator object",
                _string_fix(name, text, need))
    if isinstance(value, (list, tuple)):
        return (f"{name}={show(value)} is {kind_of(value)}, not one estimator",
                "pass one estimator (chain steps with make_pipeline(StandardScaler(), "
                "LogisticRegression()))")
    if not hasattr(value, "fit"):
        if callable(value) and hasattr(value, "__name__"):
            return (f"{name}={value.__name__} is a function, not an estimator object",
                    f"did you mean to call it, {name}={value.__name__}(...)?")
        return (f"{name}={show(value)} is {kind_of(value)} without a fit method, not an estimator",
                f"pass an estimator object such as {example}")
    if not (hasattr(value, "predict") or hasattr(value, "predict_proba")):
        return (f"{name}={show(value)} has fit but no predict, so it is a transformer, not a "
                "model", f"end it with a model, e.g. make_pipeline({show(value)}, {example})")
    if not hasattr(value, "get_params"):
        return (f"{name}={show(value)} has no get_params, so it cannot be cloned",
                "subclass sklearn.base.BaseEstimator (its __init__ only stores its parameters)")
    kind = estimator_kind(value)
    if kind == "unknown":
        return (f"{name}={show(value)} is not an estimator scikit-learn can read",
                "subclass sklearn.base.BaseEstimator, with ClassifierMixin or RegressorMixin "
                "on its left")
    if kind not in ("classifier", "regressor", "other"):
        wanted = need or "classifier or regressor"
        head = (f"{name} {model_label(value)} is a {kind.replace('_', ' ')}, but "
                f"{owner or 'pseudo-labelling'} needs a {wanted}")
        return head, f"pass a {need or 'model'} such as {example}"
    if need is not None and kind in ("classifier", "regressor") and kind != need:
        return (f"{name} {model_label(value)} is a {kind}, but {owner or 'this run'} needs a "
                f"{need}", f"pass a {need} such as {example}" + (f", or {other}" if other else ""))
    return None


def check_model(value, name: str, need: str | None = None, owner: str | None = None,
                other: str | None = None) -> None:
    """Raise :class:`PseudoLabelError` (one sentence) unless ``value`` is None or a model
    :func:`estimator_problem` accepts; the error's ``setting`` is ``name``."""
    if value is None:
        return
    problem = estimator_problem(value, name, need, owner, other)
    if problem is not None:
        head, fix = problem
        err = PseudoLabelError(f"{head}; {fix}" + ("" if fix.endswith(("?", ".")) else "."))
        err.setting = name
        raise err
