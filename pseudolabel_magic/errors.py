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
