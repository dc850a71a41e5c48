"""The warnings of a run's many fits: recorded, counted, and shown once each.

A run fits and predicts many times (teacher, fold teachers, a student per round), and the
same ``ConvergenceWarning`` would print after every fit. :class:`WarningLog` records the
warnings of each fit or prediction with ``warnings.catch_warnings(record=True)``, counts
each distinct warning once per fit, and at the end of the run shows one summary per
distinct (category, message): ``teacher, student: ConvergenceWarning from 4 fits (kept in
result.warnings): lbfgs failed to converge ...``. The user's filters still apply inside the
fits: an ignored warning is neither shown nor kept, one turned into an error still raises.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import pandas as pd

COLUMNS = ["role", "during", "category", "message", "count"]
#: What one count is, per step, in a summary ("from 4 fits and 2 validation scores").
_WORDS = {"fit": "fit", "predict": "prediction", "score": "validation score"}


class WarningLog:
    """Counts of (role, during, category, message): how many fits or predictions raised it."""

    def __init__(self):
        self.counts: dict = {}

    @contextmanager
    def recording(self, role: str, during: str):
        """Record the warnings of one fit (``during="fit"``) or prediction ("predict",
        "score"), each distinct one counted once."""
        with warnings.catch_warnings(record=True) as caught:
            try:
                yield
            finally:  # a failed fit's warnings are shown too, with its error
                for key in {(role, during, w.category, str(w.message)) for w in caught}:
                    self.counts[key] = self.counts.get(key, 0) + 1

    def merge(self, other: "WarningLog") -> None:
        """Add the counts of another log (a cross-fitting fold's) to this one."""
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n

    def table(self) -> pd.DataFrame:
        """``result.warnings``: one row per role, step and distinct warning, most frequent first."""
        rows = [{"role": role, "during": during, "category": category.__name__,
                 "message": message, "count": n}
                for (role, during, category, message), n in self.counts.items()]
        table = pd.DataFrame(rows, columns=COLUMNS)
        return table.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)

    def show(self, notes=(), stacklevel: int = 2) -> None:
        """Warn once per distinct (category, message), then each note (a UserWarning).

        Each summary keeps the original category, so a filter on, e.g.,
        ``ConvergenceWarning`` still applies. ``stacklevel`` is what ``warnings.warn`` would
        take in the function that calls ``show``: 2 points at that function's caller.
        """
        grouped: dict = {}
        for (role, during, category, message), n in self.counts.items():
            entry = grouped.setdefault((category, message),
                                       {"roles": [], **dict.fromkeys(_WORDS, 0)})
            if role not in entry["roles"]:
                entry["roles"].append(role)
            entry[during if during in _WORDS else "predict"] += n
        level = stacklevel + 1
        for (category, message), entry in grouped.items():
            parts = [f"{entry[during]} {word}{'s' if entry[during] != 1 else ''}"
                     for during, word in _WORDS.items() if entry[during]]
            text = (f"{', '.join(entry['roles'])}: {category.__name__} from "
                    f"{' and '.join(parts)} (kept in result.warnings): {message}")
            try:
                warnings.warn(text, category, stacklevel=level)
            except TypeError:  # a warning class that cannot be made from one string
                warnings.warn(text, UserWarning, stacklevel=level)
        for note in notes:
            warnings.warn(note, UserWarning, stacklevel=level)
