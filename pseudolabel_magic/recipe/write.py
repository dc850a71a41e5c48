"""Write a ``%%pseudolabel`` cell: the text the magic reads back to the same run.

The panel's Code tab shows the cell that repeats a panel run; every column name is written
the way :mod:`.resolve` reads it back to the same column, or, when no text can (a line break
in a name), one comment line says why instead of a cell that would run differently.
"""

from __future__ import annotations

import io
import keyword
import math
import numbers
import tokenize
from collections.abc import Mapping
from typing import Any

from ..errors import PseudoLabelError
from .keys import FRAME_ROLES

#: Cell keys in the order a ``%%pseudolabel`` card lists them.
CELL_KEYS = ("labeled", "unlabeled", "validation", "target", "features", "teacher", "student",
             "select", "threshold", "k_best", "rounds", "balance", "soft", "calibrate", "guard",
             "val_size", "seed")


# ------------------------------------------------------------------ the equivalent cell
#: How the Code tab's cell starts when the run cannot be written as a cell (one comment line).
NO_CELL = "# no %%pseudolabel cell for this run: "


def _same_label(written: Any, label: Any) -> bool:
    """The magic's label is the panel's: equal, and text stays text (``"3"`` is not ``3``)."""
    try:
        equal = bool(written == label)
    except Exception:  # noqa: BLE001 - labels that do not compare are not the same
        return False
    return equal and isinstance(written, str) == isinstance(label, str) \
        and isinstance(written, bool) == isinstance(label, bool)


def _reads_back(key: str, text: str, names: list, columns: list) -> bool:
    """True when the magic reads ``key: text`` back as exactly ``names`` of ``columns``.

    The proof uses the magic's own parser and resolver (no namespace: a feature list written
    as a Python list holds only literals), so what passes here is what the cell will do.
    """
    from ..recipe.parse import PseudoLabelCell
    from ..recipe.resolve import match_column, resolve_value

    if not _tokenizes(f"{key}: {text}"):
        return False
    try:
        entry = PseudoLabelCell.parse(f"{key}: {text}").entries[key]
        value = resolve_value(entry, {}, None, [])
    except (PseudoLabelError, KeyError):
        return False
    values = value if key == "features" else [value]
    if not isinstance(values, list) or len(values) != len(names):
        return False
    return all(_same_label(match_column(v, columns), name) for v, name in zip(values, names))


def _tokenizes(line: str) -> bool:
    """True when Python's tokenizer reads the line to its end.

    IPython tokenizes a cell magic's body as Python after the magic ran (to honour a trailing
    ';'), so a line with an open bracket or, from Python 3.12, an unterminated quote or a
    trailing backslash would end the cell in a ``TokenError`` traceback.
    """
    try:
        for _ in tokenize.generate_tokens(io.StringIO(line).readline):
            pass
    except (tokenize.TokenError, SyntaxError):
        return False
    return True


def _candidates(name: Any) -> list[str]:
    """Ways to write one column name, most readable first: bare, then in either quotes."""
    if not isinstance(name, str):
        return [str(int(name)) if _is_int(name) else str(name)]
    bare = [name] if name == name.strip() and name and not any(ch in name for ch in ",#'\"") else []
    quotes = "'\"" if '"' in name else "\"'"
    return bare + [f"{q}{name}{q}" for q in quotes]


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _literal(name: Any) -> str | None:
    """A column name as a Python literal (for a ``features: [...]`` list), or None."""
    if isinstance(name, str):
        return repr(name)
    if _is_int(name):
        return str(int(name))
    if isinstance(name, numbers.Real) and not isinstance(name, bool) and math.isfinite(name):
        return repr(float(name))
    return None


def column_text(name: Any, columns: list) -> str | None:
    """``name`` as a cell's ``target:`` writes it so the magic reads it back, or None if no text does.

    The magic removes the quotes around a name without unescaping anything, so a quoted
    name keeps any character but a line break, as long as the quote chosen ends it and the
    line still tokenizes; a bare number names the column whose ``str()`` it is, so an
    integer column ``3`` cannot be written beside a text column ``"3"``.
    """
    return next((text for text in _candidates(name) if _reads_back("target", text, [name], columns)),
                None)


def columns_text(names: list, columns: list) -> str | None:
    """``names`` as a cell's ``features:`` writes them: a comma list when it reads back, else a
    Python list of literals (which keeps integers, quotes and line breaks); None if neither."""
    parts = [column_text(name, columns) for name in names]
    if None not in parts and _reads_back("features", ", ".join(parts), names, columns):
        return ", ".join(parts)
    literals = [_literal(n) for n in names]
    if None not in literals and _reads_back("features", f"[{', '.join(literals)}]", names, columns):
        return f"[{', '.join(literals)}]"
    return None


def _why_not(role: str, name: Any, columns: list) -> str:
    """One line saying why a column name cannot be written in a cell, and what to do."""
    if isinstance(name, str) and len(f"x{name}x".splitlines()) > 1:
        reason = "its name holds a line break"
    elif isinstance(name, str):
        reason = "neither quote can hold its quotes, '#' and backslashes"
    elif any(isinstance(c, str) and c == str(name) for c in columns):
        reason = f"in a cell, {name} names the text column {str(name)!r}"
    else:
        reason = f"no text in a cell reads back as the {type(name).__name__} {name!r}"
    return (f"{NO_CELL}the {role} column {name!r} cannot be written in a cell ({reason}); "
            "rename it with df.rename(columns=...) or use the plain Python below.")


def cell_text(settings: Mapping[str, Any]) -> str:
    """The ``%%pseudolabel`` cell that repeats a panel run, or one comment line saying why not.

    ``settings`` maps cell keys (see :data:`CELL_KEYS`) to values as the cell writes them:
    frame and estimator names or expressions as text, ``features`` as a list of columns
    (``None`` for all), numbers and booleans as Python values. ``save`` is the result's
    name and ``imports`` a list of import lines the teacher/student expressions need
    (written as comments, since a cell body holds only keys). ``labeled_columns`` lists the
    labeled frame's columns, so every column name is written the way the magic reads back
    to the same column (without it, the target and features are taken as the only columns).
    Keys whose value is ``None`` are left out, so the magic's defaults apply. When some name
    cannot be written (a line break in the target's name, say) the text is the one comment
    line :data:`NO_CELL` ... instead of a cell that would run differently.
    """
    features = settings.get("features")
    columns = settings.get("labeled_columns")
    if columns is None:
        columns = [settings.get("target"), *(features or ())]
    head = "%%pseudolabel"
    if settings.get("save"):
        head += f" --save {settings['save']}"
    lines = [head]
    lines += [f"# needs: {line}" for line in settings.get("imports") or ()]
    for key in CELL_KEYS:
        value = settings.get(key)
        if value is None:
            continue
        if key == "features":
            value = columns_text(list(value), columns)
            if value is None:
                bad = next((n for n in features if _literal(n) is None), features[0])
                return _why_not("feature", bad, columns)
        elif key == "target":
            name, value = value, column_text(value, columns)
            if value is None:
                return _why_not("target", name, columns)
        elif key in FRAME_ROLES and not (
                value.isidentifier() and not keyword.iskeyword(value)):
            return (f"{NO_CELL}the {key} frame's variable name {value!r} is not a Python name; "
                    "assign the frame to a plain variable and run again.")
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


# ------------------------------------------------------------------ what a run is told
