"""The one exception users see, kept import-light so the magic can load it cheaply."""

from __future__ import annotations

import difflib
from typing import Iterable


class PseudoLabelError(ValueError):
    """Bad input or a failed leakage check, explained in one sentence.

    A notebook shows ``_render_traceback_`` instead of a traceback, so the user
    sees one red line that names the problem and the fix.
    """

    def _render_traceback_(self):
        return [f"PseudoLabelError: {self}"]


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """Return ' Did you mean 'x'?' for the closest option, or '' when nothing is close."""
    options = [str(o) for o in options]
    close = difflib.get_close_matches(str(name), options, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        if str(name).lower() in lowered:
            close = [lowered[str(name).lower()]]
    return f" Did you mean {close[0]!r}?" if close else ""


def call_records(tb) -> list:
    """Per traceback frame: its module, function, and the model it ran in (plain data).

    The front ends read them to tell a user's model failing (one line) from a bug of ours
    (a traceback). A cross-fitting fold that failed in a worker process sends these records
    with its exception (``err.pseudolabel_frames``), since the frames themselves stay behind.
    """
    import traceback

    records = []
    for frame, _ in traceback.walk_tb(tb):
        name = frame.f_code.co_name
        module = frame.f_globals.get("__name__", "")
        here = frame.f_locals.get("self", frame.f_locals.get("estimator"))
        model = here is not None and hasattr(here, "get_params") and not isinstance(here, type)
        wrapped = frame.f_locals.get("fit_method")  # scikit-learn's _fit_context wrapper
        cloned = (type(frame.f_locals.get("estimator")).__name__
                  if name == "clone" and module == "sklearn.base" else None)
        records.append({"module": module, "name": name, "cloned": cloned,
                        "owner": type(here).__name__ if model else None,
                        "wrapped": getattr(wrapped, "__name__", None)})
    return records
