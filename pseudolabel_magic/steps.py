"""The five steps of the pseudo-label recipe and the progress events the engine emits.

Front ends (magic, panel, diagrams) import this light module to draw and narrate the
run without importing pandas or scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

#: (key, number, title) of each step, in the order the tutorials teach them.
STEPS = (
    ("split", 1, "Split labeled into train / validation"),
    ("teacher", 2, "Fit the teacher on train"),
    ("pseudo_label", 3, "Pseudo-label the unlabeled rows"),
    ("combine", 4, "Combine train + selected pseudo-labels"),
    ("student", 5, "Fit the student, score on validation, predict"),
)
STEP_KEYS = tuple(key for key, _, _ in STEPS)
STEP_NUMBER = {key: number for key, number, _ in STEPS}
STEP_TITLE = {key: title for key, _, title in STEPS}

#: States a step can be drawn in.
STATES = ("pending", "running", "done", "failed")


@dataclass(frozen=True)
class ProgressEvent:
    """One step starting, finishing or failing; ``fraction`` is overall progress in [0, 1]."""

    step: str
    status: str  # "running" | "done" | "failed"
    round: int
    rounds: int
    fraction: float
    detail: str = ""
    #: what is known so far: n_labeled, n_train, n_validation, n_unlabeled, n_selected,
    #: n_student_train, partitions_done, partitions_total (keys appear as they become known)
    counts: Mapping[str, int] = field(default_factory=dict)
    #: the cross-fitting fold (1..folds) this event belongs to; None outside cross-fitting,
    #: and for the refit on every labeled row that follows it
    fold: int | None = None
    folds: int | None = None
    #: True for the refit on every labeled row that follows the scores
    refit: bool = False

    @property
    def number(self) -> int:
        return STEP_NUMBER[self.step]

    @property
    def title(self) -> str:
        return STEP_TITLE[self.step]
