"""Evidence of what reached each fit and each score: the engine appends, leakage checks read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FitRecord:
    """One ``fit`` call made by the engine.

    ``labeled_index`` holds the index labels (of the labeled frame) of rows fit with their
    true labels; ``pseudo_index`` the index labels (of the unlabeled frame) of rows fit with
    pseudo-labels. Any preprocessing inside the estimator was fit on exactly these rows.
    """

    role: str  # "teacher", "student", or a helper fit such as "calibration", "oof-teacher"
    round: int
    model: str
    n_rows: int
    labeled_index: Any  # pandas.Index
    pseudo_index: Any  # pandas.Index
    weighted: bool = False
    preprocessing: tuple = ()
    fold: int | None = None  # the cross-fitting fold (1..K) whose rows this fit never saw
    refit: bool = False  # a fit on every labeled row, made after all scores were taken

    def __repr__(self) -> str:
        where = "" if self.fold is None else f"fold={self.fold}, "
        where += "refit=True, " if self.refit else ""
        return (
            f"FitRecord(role={self.role!r}, {where}round={self.round}, model={self.model!r}, "
            f"n_rows={self.n_rows}, labeled={len(self.labeled_index)}, "
            f"pseudo={len(self.pseudo_index)}, weighted={self.weighted})"
        )


@dataclass(frozen=True)
class EvalRecord:
    """One scoring of a model: which rows, and the true labels that were used."""

    role: str  # "teacher" or "student"
    round: int
    index: Any  # pandas.Index of the scored rows (labels of the validation frame)
    y_true: Any  # pandas.Series of the labels used, indexed like ``index``
    fold: int | None = None  # the cross-fitting fold whose rows were scored

    def __repr__(self) -> str:
        where = "" if self.fold is None else f"fold={self.fold}, "
        return f"EvalRecord(role={self.role!r}, {where}round={self.round}, rows={len(self.index)})"
