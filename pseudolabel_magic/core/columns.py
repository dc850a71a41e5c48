"""Column names that pick no single column: one line naming the problem and the fix.

pandas lets a frame have two columns of one name, and MultiIndex columns where ``"t"``
selects the block of columns under it. Both are fine in pandas and both break a run:
``frame[name]`` is then a DataFrame instead of a Series. :func:`check_column` and
:func:`check_unique_names` refuse them before any fit. (Names of mixed types, ``0`` beside
``"x2"``, are fine: see :mod:`.textnames`.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError, did_you_mean

#: Partial MultiIndex matches shown in a message.
_SHOWN = 3


def column_positions(columns: pd.Index, name) -> np.ndarray:
    """Positions of the columns named exactly ``name``.

    Empty when ``name`` is no column, and when it is only a level of MultiIndex columns
    (``"t"`` of ``("t", "label")``), which pandas' ``in`` and ``frame[name]`` accept.
    """
    if isinstance(columns, pd.MultiIndex) and not (
            isinstance(name, tuple) and len(name) == columns.nlevels):
        return np.zeros(0, dtype=np.intp)
    try:
        if name not in columns:
            return np.zeros(0, dtype=np.intp)
        where = columns.get_loc(name)
    except (KeyError, TypeError):
        return np.zeros(0, dtype=np.intp)
    if isinstance(where, slice):
        return np.arange(len(columns))[where]
    if isinstance(where, np.ndarray):
        return np.flatnonzero(where)
    return np.array([where], dtype=np.intp)


def check_column(frame: pd.DataFrame, column, role: str, frame_name: str = "labeled") -> None:
    """Raise :class:`PseudoLabelError` unless ``column`` names exactly one column of ``frame``.

    Three one-line refusals: no such column (with "Did you mean"), a level of MultiIndex
    columns instead of a full name (the full names under it are shown), and a name two
    columns share (rename, or keep the first).
    """
    columns = frame.columns
    found = column_positions(columns, column)
    if len(found) == 1:
        return
    if len(found) > 1:
        raise PseudoLabelError(
            f"{role} column {column!r} appears {len(found)} times in {frame_name}; rename the "
            f"copies so each column has its own name, or keep the first with "
            f"{frame_name}.loc[:, ~{frame_name}.columns.duplicated()].")
    if isinstance(columns, pd.MultiIndex):
        partial = _in_columns(column, columns)
        under = [c for c in columns if (c[:len(_as_tuple(column))] == _as_tuple(column) if partial
                                        else any(_same(level, column) for level in c))]
        if under:
            shown = ", ".join(map(repr, under[:_SHOWN])) + (", ..." if len(under) > _SHOWN else "")
            what = (f"names a level of {frame_name}'s MultiIndex columns, not one column "
                    f"(under it: {shown})" if partial else f"is not a column of {frame_name}, "
                    f"whose columns are MultiIndex tuples (such as {shown})")
            raise PseudoLabelError(f"{role} {column!r} {what}; {_full_name_fix(role, under)}.")
    raise PseudoLabelError(
        f"{role} column {column!r} is not in {frame_name}; pick one of its columns."
        + did_you_mean(column, columns))


def _full_name_fix(role: str, under: list) -> str:
    if role == "feature":
        names = ", ".join(map(repr, under[:_SHOWN])) + (", ..." if len(under) > _SHOWN else "")
        return f"list full names, features=[{names}]"
    if len(under) == 1:
        return f"pass the full name, {role}={under[0]!r}"
    return f"pass one full name, such as {role}={under[0]!r}"


def _in_columns(name, columns) -> bool:
    try:
        return name in columns
    except TypeError:
        return False


def _as_tuple(name) -> tuple:
    return name if isinstance(name, tuple) else (name,)


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # an array-like level value
        return False


def check_unique_names(features, **frames) -> None:
    """One line for a feature name two columns share (``frame[name]`` would be a frame)."""
    wanted = set(features)
    for name, frame in frames.items():
        if frame is None:
            continue
        columns = frame.columns
        for col in columns[columns.duplicated()]:
            if col in wanted:
                raise PseudoLabelError(
                    f"column {col!r} appears {len(column_positions(columns, col))} times in {name}; "
                    f"rename the copies so each column has its own name, keep the first with "
                    f"{name}.loc[:, ~{name}.columns.duplicated()], or leave it out with "
                    f"features=[...].")
