"""Describing a value in an error message: as the user typed it, and what kind it is.

``show(value)`` gives the value on one short line (``np.float64(1.5)`` shows as ``1.5``, a
frame as ``<DataFrame of shape (3, 2)>``), ``kind_of(value)`` the kind with its article
(``'a str'``, ``'an int'``, ``'None'``). Nothing heavy is imported: a numpy value can only
exist once numpy is loaded, so numpy is looked at only then.
"""

from __future__ import annotations

import math
import numbers
import sys


def numpy_if_loaded():
    return sys.modules.get("numpy")  # a numpy value can exist only once numpy is imported


def is_bool(value) -> bool:
    """True for ``True``/``False`` and numpy's bools (``np.True_``), never for 0/1 or text."""
    np = numpy_if_loaded()
    return isinstance(value, bool) or (np is not None and isinstance(value, np.bool_))



def is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not is_bool(value)


def is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not is_bool(value)


def is_nan(value) -> bool:
    try:
        return math.isnan(value)
    except (TypeError, ValueError, OverflowError):
        return False


def show(value, width: int = 50) -> str:
    """The value as the user would have typed it, on one short line (at most ``width`` characters)."""
    np = numpy_if_loaded()
    if np is not None and isinstance(value, np.generic):
        value = value.item()  # np.float64(1.5) -> 1.5
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__") \
            and not hasattr(value, "get_params"):
        text = getattr(value, "__name__", repr(value))
    elif hasattr(value, "shape") and hasattr(value, "__len__"):  # a frame, Series or array
        text = f"<{type(value).__name__} of shape {tuple(value.shape)}>"
    elif is_nan(value):
        text = "nan"
    else:
        try:
            text = repr(value)
        except Exception:  # a broken __repr__ must not hide the real problem
            text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def kind_of(value) -> str:
    """What the value is, with an article: 'a str', 'an int', 'None', 'NaN'."""
    if value is None:
        return "None"
    if is_real(value) and is_nan(value):
        return "NaN"
    if isinstance(value, type):
        return "a class"
    name = type(value).__name__
    if is_bool(value) and not isinstance(value, bool):
        name = "numpy bool"
    vowel = name[0].lower() in "aeiou" or name.startswith("nd")  # an ndarray
    return f"{'an' if vowel else 'a'} {name}"
