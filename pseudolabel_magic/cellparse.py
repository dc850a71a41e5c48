"""Parse the body of a ``%%pseudolabel`` cell (and its line flags) into ``run`` arguments.

The body reads like a recipe card::

    labeled: train_df
    unlabeled: test_df
    target: label
    teacher: RandomForestClassifier(n_estimators=300, random_state=0)
    threshold: 0.9  # strict

One ``key: value`` per line, split on the first colon. Blank lines and lines whose first
non-space character is ``#`` are ignored. Values of keys that take objects are Python
expressions, evaluated later in the notebook's namespace; values of keys that name
columns are taken as written. An expression may continue on the next lines while a
bracket is open.

This module imports nothing heavy: pandas is only touched to check that a value is a
DataFrame, and only when a cell is resolved.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .errors import PseudoLabelError, did_you_mean

#: How a key's value is read.
FRAME = "frame"  # an expression that must give a DataFrame
EXPR = "expr"  # any Python expression
BOOL = "bool"  # true/false/yes/no, or an expression giving a bool
COLUMN = "column"  # one column name, as written
COLUMNS = "columns"  # a comma list of column names (or a Python list expression)
WORD = "word"  # a bare word such as ``threshold``


@dataclass(frozen=True)
class KeySpec:
    """One key of the cell: how its value is read and the help line shown by ``%pseudolabel?``."""

    name: str
    kind: str
    help: str
    metavar: str = "VALUE"


#: Every key of the cell body, in the order the help text lists them.
KEYS: dict[str, KeySpec] = {
    spec.name: spec
    for spec in (
        KeySpec("labeled", FRAME, "DataFrame of rows with a known target", "DF"),
        KeySpec("unlabeled", FRAME, "DataFrame of rows to pseudo-label", "DF"),
        KeySpec("validation", FRAME, "held-out labeled DataFrame (else split from labeled)", "DF"),
        KeySpec("target", COLUMN, "name of the target column", "COLUMN"),
        KeySpec("features", COLUMNS, "feature columns, comma separated (default: all others)", "COLS"),
        KeySpec("teacher", EXPR, "estimator expression for the teacher", "EXPR"),
        KeySpec("student", EXPR, "estimator expression for the student (default: like teacher)", "EXPR"),
        KeySpec("select", WORD, "which pseudo-labels to keep: all, threshold, k-best or auto "
                "(the benchmark's best strategy, with the guard on)", "RULE"),
        KeySpec("threshold", EXPR, "minimum teacher confidence with select threshold", "P"),
        KeySpec("k_best", EXPR, "number of most confident rows per round with select k-best", "K"),
        KeySpec("rounds", EXPR, "teacher/student rounds (the student teaches the next round)", "N"),
        KeySpec("balance", BOOL, "keep the class balance of the labeled rows among pseudo-labels", "BOOL"),
        KeySpec("soft", BOOL, "weight pseudo-labels by teacher confidence", "BOOL"),
        KeySpec("pseudo_weight", EXPR, "sample weight of pseudo-labeled rows", "W"),
        KeySpec("calibrate", BOOL, "pseudo-label with a CalibratedClassifierCV fitted on train only", "BOOL"),
        KeySpec("oof", EXPR, "pseudo-label with the mean of k out-of-fold teachers (true = 5)", "K"),
        KeySpec("guard", BOOL, "keep the teacher's predictions when the student scores lower on "
                "validation (default: on with select auto)", "BOOL"),
        KeySpec("curriculum", EXPR, "one threshold per round, relaxing, e.g. [0.99, 0.9, 0.8]", "LIST"),
        KeySpec("max_pseudo_rows", EXPR, "at most this many pseudo-labelled rows (sampled with the seed)", "N"),
        KeySpec("n_jobs", EXPR, "n_jobs set on the models that take it", "N"),
        KeySpec("val_size", EXPR, "fraction of labeled rows held out for validation", "FRAC"),
        KeySpec("group_col", COLUMN, "column of groups kept on one side of the split", "COLUMN"),
        KeySpec("time_col", COLUMN, "column of times: validate on the latest rows", "COLUMN"),
        KeySpec("id_col", COLUMN, "column of row ids, checked for overlap between frames", "COLUMN"),
        KeySpec("seed", EXPR, "random seed (the engine's random_state)", "INT"),
        KeySpec("allow_leakage", BOOL, "run even when a leakage check fails", "BOOL"),
    )
}

#: Other spellings accepted for a key.
ALIASES = {"random_state": "seed"}

#: Keys a run cannot do without.
REQUIRED = ("labeled", "target")

#: Cell key -> keyword of ``pseudolabel_magic.engine.run``.
RUN_NAME = {name: name for name in KEYS} | {"seed": "random_state"}

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
#: EXPR keys that also take the words true/false (``oof: true`` means 5 folds).
BOOL_OR_EXPR = ("oof",)
_BOOL_WORDS = {"true", "yes", "on", "false", "no", "off"}


def normalize_key(name: str) -> str:
    """``k-best``, ``K_Best`` and ``k_best`` are the same key; aliases map to their key."""
    key = name.strip().lower().replace("-", "_")
    return ALIASES.get(key, key)


@dataclass(frozen=True)
class Entry:
    """One value of the cell as written, with where it came from (for error messages)."""

    key: str
    text: str
    line: int | None = None  # 1-based line of the body; None for a line flag
    source: str = "body"  # "body" or "flag"

    @property
    def where(self) -> str:
        if self.source == "flag":
            return f"flag --{self.key.replace('_', '-')}"
        return f"line {self.line} ({self.key})"


def strip_comment(text: str) -> str:
    """Drop a ``#`` comment that starts the text or follows whitespace, outside quotes."""
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].strip()
        i += 1
    return text.strip()


def _expression_status(text: str) -> tuple[str, str]:
    """Return (``"ok"`` | ``"open"``, text without its comments) using Python's tokenizer.

    ``"open"`` means a bracket or a triple-quoted string is still open at the end. Text the
    tokenizer cannot read is returned as it is: ``compile`` will report it precisely.
    """
    cuts: dict[int, int] = {}  # line number -> column where its comment starts
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                cuts[tok.start[0]] = tok.start[1]
    except tokenize.TokenError:
        return "open", text
    except SyntaxError:
        return "ok", text.strip()
    lines = text.split("\n")
    kept = [line[: cuts[n]].rstrip() if n in cuts else line for n, line in enumerate(lines, 1)]
    return "ok", "\n".join(kept).strip()


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


def split_line(line: str) -> list[str]:
    """Split a magic's line into argv, keeping each flag's value whole.

    Whitespace splits only outside quotes and brackets, and every word after a flag up to
    the next flag belongs to its value, as written: ``--teacher Foo(a=1, b="x y")`` and
    ``--features a, b, c`` each give one value. ``--key=value`` is accepted too.
    """
    argv: list[str] = []
    span: list[int] | None = None  # [start, end] of the current flag's value

    def flush():
        if span is not None:
            argv.append(line[span[0]:span[1]])

    for start, end in _words(line):
        word = line[start:end]
        if _is_flag(word):
            flush()
            span = None
            name, eq, _ = word.partition("=")
            argv.append(name if eq and name.startswith("--") else word)
            if eq and name.startswith("--"):
                span = [start + len(name) + 1, end]
        elif span is None:
            span = [start, end]
        else:
            span[1] = end
    flush()
    return argv


def _words(line: str) -> list[tuple[int, int]]:
    words, start, quote, depth = [], None, "", 0
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch.isspace() and depth == 0:
            if start is not None:
                words.append((start, i))
                start = None
            i += 1
            continue
        if start is None:
            start = i
        i += 1
    if start is not None:
        words.append((start, len(line)))
    return words


def _is_flag(word: str) -> bool:
    if len(word) < 2 or not word.startswith("-"):
        return False
    try:
        float(word)
    except ValueError:
        return word[1].isalpha() or word[1] == "-"
    return False


def unquote(text: str) -> str:
    """Remove one pair of matching quotes around a name: ``"my label"`` -> ``my label``."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _fail(message: str) -> PseudoLabelError:
    return PseudoLabelError(message)


def unknown_key_message(name: str, where: str) -> str:
    hint = did_you_mean(normalize_key(name), KEYS) or (
        " Keys are: " + ", ".join(KEYS) + "."
    )
    return f"{where}: unknown key {name!r}.{hint}"


@dataclass
class PseudoLabelCell:
    """The parsed cell: one :class:`Entry` per key, flags merged over the body."""

    entries: dict[str, Entry] = field(default_factory=dict)

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, body: str | None) -> "PseudoLabelCell":
        """Read the body line by line; raise :class:`PseudoLabelError` naming the line."""
        cell = cls()
        lines = (body or "").splitlines()
        i = 0
        while i < len(lines):
            number, raw = i + 1, lines[i]
            i += 1
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            name, colon, value = raw.partition(":")
            if not colon:
                raise _fail(
                    f"line {number}: expected 'key: value' but found {stripped!r}; "
                    "write the key, a colon, then the value (for example 'target: label')."
                )
            if not name.strip() or not name.strip().replace("_", "").replace("-", "").isalnum():
                raise _fail(
                    f"line {number}: {name.strip()!r} is not a key; "
                    "write the key, a colon, then the value (for example 'target: label')."
                )
            key = normalize_key(name)
            if key not in KEYS:
                raise _fail(unknown_key_message(name.strip(), f"line {number}"))
            spec = KEYS[key]
            if spec.kind in (EXPR, FRAME, BOOL):
                text = value
                status, cleaned = _expression_status(text)
                while status == "open" and i < len(lines):
                    text += "\n" + lines[i]
                    i += 1
                    status, cleaned = _expression_status(text)
                if status == "open":
                    raise _fail(
                        f"line {number} ({key}): a bracket or string opened here is never "
                        "closed; close it on this line or the lines below."
                    )
                text = cleaned
            else:
                text = strip_comment(value)
            if not text:
                raise _fail(
                    f"line {number} ({key}): the value is empty; write it after the colon "
                    f"(for example '{key}: {_example(key)}')."
                )
            if key in cell.entries:
                first = cell.entries[key]
                raise _fail(
                    f"line {number}: key {key!r} is given twice (lines {first.line} and "
                    f"{number}); keep one of them."
                )
            cell.entries[key] = Entry(key, text, number, "body")
        return cell

    def with_flags(self, flags: Mapping[str, str]) -> "PseudoLabelCell":
        """A new cell where the line flags win over the body."""
        entries = dict(self.entries)
        for key, text in flags.items():
            key = normalize_key(key)
            if KEYS[key].kind in (EXPR, FRAME, BOOL):
                text = _expression_status(text)[1]
            else:
                text = strip_comment(text)
            entries[key] = Entry(key, text, None, "flag")
        return PseudoLabelCell(entries)

    def missing(self) -> list[str]:
        return [key for key in REQUIRED if key not in self.entries]

    def check_required(self) -> None:
        missing = self.missing()
        if missing:
            lines = " and ".join(f"'{key}: {_example(key)}'" for key in missing)
            noun = "key" if len(missing) == 1 else "keys"
            raise _fail(
                f"missing required {noun} {', '.join(missing)}; add {lines} to the cell body "
                f"(or --{missing[0]} on the line)."
            )

    # ---------------------------------------------------------------- resolving
    def resolve(
        self,
        namespace: Mapping[str, Any],
        local_ns: Mapping[str, Any] | None = None,
        hidden: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Evaluate every value and return keyword arguments for ``engine.run``.

        ``namespace`` is the notebook's namespace (used as globals), ``local_ns`` optional
        locals, ``hidden`` names never suggested by "did you mean".
        """
        self.check_required()
        names = _visible_names(namespace, local_ns, hidden)
        kwargs: dict[str, Any] = {}
        for key, entry in self.entries.items():
            kwargs[RUN_NAME[key]] = self._value(entry, namespace, local_ns, names)
        return kwargs

    def _value(self, entry: Entry, namespace, local_ns, names: list[str]) -> Any:
        kind = KEYS[entry.key].kind
        text = entry.text
        if kind == COLUMN:
            return unquote(text)
        if kind == WORD:
            return unquote(text).strip().lower().replace("_", "-")
        if kind == COLUMNS:
            if text.lstrip().startswith(("[", "(")):
                value = _evaluate(entry, namespace, local_ns, names)
                return [str(v) for v in value]
            return split_columns(text)
        if kind == BOOL and text.strip().lower() in _TRUE | _FALSE:
            return text.strip().lower() in _TRUE
        if entry.key in BOOL_OR_EXPR and text.strip().lower() in _BOOL_WORDS:
            return text.strip().lower() in _TRUE
        value = _evaluate(entry, namespace, local_ns, names)
        if kind == FRAME:
            _check_frame(entry, value)
        if kind == BOOL and not _is_bool(value):
            raise _fail(
                f"{entry.where}: {text!r} is a {type(value).__name__}, not True or False; "
                f"write '{entry.key}: true' or '{entry.key}: false'."
            )
        return bool(value) if kind == BOOL else value

    # ---------------------------------------------------------------- rendering
    def to_cell(self, line: str = "") -> str:
        """The equivalent ``%%pseudolabel`` cell, keys in the canonical order."""
        head = "%%pseudolabel" + (f" {line.strip()}" if line.strip() else "")
        body = [f"{key}: {self.entries[key].text}" for key in KEYS if key in self.entries]
        return "\n".join([head, *body])


def _example(key: str) -> str:
    return {
        "labeled": "train_df",
        "unlabeled": "test_df",
        "validation": "val_df",
        "target": "label",
        "features": "a, b, c",
        "teacher": "LogisticRegression(max_iter=1000)",
        "student": "HistGradientBoostingClassifier()",
        "select": "threshold",
        "threshold": "0.9",
        "k_best": "100",
        "rounds": "3",
        "pseudo_weight": "0.5",
        "oof": "5",
        "curriculum": "[0.99, 0.9, 0.8]",
        "max_pseudo_rows": "10000",
        "n_jobs": "-1",
        "val_size": "0.2",
        "seed": "0",
    }.get(key, "true" if KEYS[key].kind == BOOL else "column_name")


def _visible_names(namespace, local_ns, hidden) -> list[str]:
    hidden = set(hidden)
    names = []
    for ns in (local_ns or {}), namespace:
        for name in ns:
            if not name.startswith("_") and name not in hidden and name not in names:
                names.append(name)
    return names


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"


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
