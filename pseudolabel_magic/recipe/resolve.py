"""Turn the cell's values, as written, into Python objects in the notebook's namespace.

Parsing only checks the shape of the card; this is the step that can fail on the user's
own code (a misspelled variable, a missing import, an expression that raises), so every
error here names the line or flag and suggests the fix instead of showing a traceback.
Column names are written as text, so once the frames are known each name is matched to the
labeled frame's own column label: ``target: 3`` is the integer column ``3`` of
``pd.DataFrame(X)``, and a quoted name may hold any character (``target: "my col, 2"``).
pandas is imported only to check that a frame value is a DataFrame, on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..core.config import SETTINGS
from ..core.values import is_bool
from ..errors import PseudoLabelError, did_you_mean
from .keys import BOOL, BOOL_OR_EXPR, COLUMN, COLUMNS, FRAME, KEYS, RUN_NAME, WORD

if TYPE_CHECKING:
    from .parse import Entry

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_BOOL_WORDS = {"true", "yes", "on", "false", "no", "off"}


def _fail(message: str) -> PseudoLabelError:
    return PseudoLabelError(message)


def resolve_entries(
    entries: Mapping[str, Entry],
    namespace: Mapping[str, Any],
    local_ns: Mapping[str, Any] | None = None,
    hidden: Iterable[str] = (),
) -> dict[str, Any]:
    """Keyword arguments for ``engine.run``: each entry's value under its run keyword."""
    names = _visible_names(namespace, local_ns, hidden)
    kwargs: dict[str, Any] = {}
    for key, entry in entries.items():
        kwargs[RUN_NAME[key]] = resolve_value(entry, namespace, local_ns, names)
    columns = getattr(kwargs.get("labeled"), "columns", None)
    if columns is not None:
        for key in entries:
            name = RUN_NAME[key]
            if KEYS[key].kind == COLUMN:
                kwargs[name] = match_column(kwargs[name], columns)
            elif KEYS[key].kind == COLUMNS and isinstance(kwargs[name], list):
                kwargs[name] = [match_column(value, columns) for value in kwargs[name]]
    return kwargs


def match_column(name: Any, columns) -> Any:
    """The frame's own label for a column name as written, or the name unchanged.

    An exact label wins (the text ``"3"`` on a frame that has a column ``"3"``); otherwise a
    text matches the one column whose ``str()`` it is (``3`` of ``pd.DataFrame(X)``,
    ``np.int64(3)``, ``2.5``). A name that matches nothing, or several columns, is returned as
    written, for the engine to report with "did you mean".
    """
    try:
        if name in columns:
            return name
    except TypeError:  # an unhashable value: the setting checks report it
        return name
    if not isinstance(name, str):
        return name
    same = [column for column in columns if str(column) == name]
    return same[0] if len(same) == 1 else name


def resolve_value(entry: Entry, namespace, local_ns, names: list[str]) -> Any:
    """The Python value of one entry: columns as written, words normalized, the rest evaluated."""
    kind = KEYS[entry.key].kind
    text = entry.text
    if kind == COLUMN:
        return unquote(text)
    if kind == WORD:
        word = unquote(text).strip().lower()
        if entry.key == "scoring":  # metric names are scikit-learn's: balanced_accuracy
            return word.replace("-", "_")
        return word.replace("_", "-")
    if kind == COLUMNS:
        if text.lstrip().startswith(("[", "(")):
            value = _evaluate(entry, namespace, local_ns, names)
            if isinstance(value, str):  # ("a") is just the name a
                return [value]
            try:
                return list(value)  # labels as given: [0, 1] names integer columns
            except TypeError:
                raise _fail(
                    f"{entry.where}: {_short(text)} is {_article(type(value).__name__)}, not a "
                    "list of column names; write the names separated by commas."
                ) from None
        return split_columns(text)
    if kind == BOOL and text.strip().lower() in _TRUE | _FALSE:
        return text.strip().lower() in _TRUE
    if entry.key in BOOL_OR_EXPR and text.strip().lower() in _BOOL_WORDS:
        return text.strip().lower() in _TRUE
    value = _evaluate(entry, namespace, local_ns, names)
    if kind == FRAME:
        _check_frame(entry, value)
    if kind == BOOL and value is None and SETTINGS[RUN_NAME[entry.key]].none_ok:
        return None  # guard: None means "on under select auto"
    if kind == BOOL and not is_bool(value):
        raise _fail(
            f"{entry.where}: {_short(text)} is {_article(type(value).__name__)}, not True or "
            f"False; write '{entry.key}: true' or '{entry.key}: false'."
        )
    return bool(value) if kind == BOOL else value


def split_columns(text: str) -> list[str]:
    """Split ``a, b, "c d"`` on commas outside quotes; quotes around a name are removed."""
    parts, current, quote = [], [], ""
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [unquote(p.strip()) for p in parts if p.strip()]


def unquote(text: str) -> str:
    """Remove one pair of matching quotes around a name: ``"my label"`` -> ``my label``."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _visible_names(namespace, local_ns, hidden) -> list[str]:
    hidden = set(hidden)
    names = []
    for ns in (local_ns or {}), namespace:
        for name in ns:
            if not name.startswith("_") and name not in hidden and name not in names:
                names.append(name)
    return names




def _evaluate(entry: Entry, namespace, local_ns, names: list[str]) -> Any:
    text = entry.text
    try:
        code = compile(text if "\n" not in text else f"({text})", f"<{entry.where}>", "eval")
    except SyntaxError as err:
        raise _fail(
            f"{entry.where}: {_short(text)!r} is not a Python expression ({err.msg}); "
            "fix the expression."
        ) from None
    try:
        return eval(code, namespace, local_ns)  # noqa: S307 - the user's own notebook code
    except NameError as err:
        missing = getattr(err, "name", None) or _name_from(err)
        kind = KEYS[entry.key].kind
        if kind == FRAME and text.strip() == missing:
            raise _fail(
                f"{entry.where}: there is no variable {missing!r} in the notebook."
                + (did_you_mean(missing, names) or " Run the cell that creates it first.")
            ) from None
        hint = did_you_mean(missing, names) or _import_hint(missing)
        raise _fail(f"{entry.where}: name {missing!r} is not defined.{hint}") from None
    except Exception as err:  # the user's expression raised: say which line, not a traceback
        raise _fail(
            f"{entry.where}: {_short(text)!r} raised {type(err).__name__}: {err}"
        ) from None


def _article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _name_from(err: NameError) -> str:
    parts = str(err).split("'")
    return parts[1] if len(parts) >= 3 else str(err)


#: Where the estimators a classroom reaches for live, for "add the import" hints.
_SKLEARN_HOMES = {
    "LogisticRegression": "sklearn.linear_model",
    "RidgeClassifier": "sklearn.linear_model",
    "SGDClassifier": "sklearn.linear_model",
    "LinearRegression": "sklearn.linear_model",
    "Ridge": "sklearn.linear_model",
    "RandomForestClassifier": "sklearn.ensemble",
    "RandomForestRegressor": "sklearn.ensemble",
    "ExtraTreesClassifier": "sklearn.ensemble",
    "GradientBoostingClassifier": "sklearn.ensemble",
    "HistGradientBoostingClassifier": "sklearn.ensemble",
    "HistGradientBoostingRegressor": "sklearn.ensemble",
    "DecisionTreeClassifier": "sklearn.tree",
    "KNeighborsClassifier": "sklearn.neighbors",
    "GaussianNB": "sklearn.naive_bayes",
    "SVC": "sklearn.svm",
    "LinearSVC": "sklearn.svm",
    "MLPClassifier": "sklearn.neural_network",
    "StandardScaler": "sklearn.preprocessing",
    "MinMaxScaler": "sklearn.preprocessing",
    "OneHotEncoder": "sklearn.preprocessing",
    "make_pipeline": "sklearn.pipeline",
    "Pipeline": "sklearn.pipeline",
    "CalibratedClassifierCV": "sklearn.calibration",
}


def _import_hint(name: str) -> str:
    home = _SKLEARN_HOMES.get(name)
    return f" Add 'from {home} import {name}' to a cell above." if home else ""


def _check_frame(entry: Entry, value: Any) -> None:
    if _is_dataframe(value):
        return
    raise _fail(
        f"{entry.where}: {_short(entry.text)!r} is a {type(value).__name__}, not a pandas "
        "DataFrame; pass a DataFrame variable (convert other data with pd.DataFrame(...))."
    )


def _is_dataframe(value: Any) -> bool:
    module = type(value).__module__ or ""
    if module.startswith("dask") and type(value).__name__ == "DataFrame":
        return True
    import pandas as pd  # imported only when a cell is resolved

    return isinstance(value, pd.DataFrame)
