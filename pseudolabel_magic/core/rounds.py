"""One round's data: the train rows, the state the steps hand each other, pure helpers.

:class:`TrainRows` holds what every round starts from, computed once; :class:`RoundState`
what the teacher, pseudo_label, combine and student steps hand each other (selected rows,
labels, confidences, weights, models, history). The functions here are the pure parts of a
round: the student's labels and weights' kinds, the confidence scale, the history row, the
notes of classes left without pseudo-labels, and the guard's rule (:func:`student_not_better`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TrainRows:
    """The train rows every round starts from, and what the rounds derive from them once.

    Parameters
    ----------
    X : pandas.DataFrame
        The train rows' features.
    y : pandas.Series
        Their labels.
    weights : numpy.ndarray or None
        Their ``sample_weight`` (None: unweighted).
    target_scale : float
        The labels' standard deviation for regression (it scales confidences), else 1.0.
    prior : pandas.Series or None
        Each class's share of the train rows (classification), for ``balance``.
    blocked : numpy.ndarray or None
        Pool rows (by position) kept out of every student: twins of validation rows.
    empty_index : pandas.Index
        The pool's index with no rows: the pseudo-labelled rows of a fit on train only.
    """

    X: pd.DataFrame
    y: pd.Series
    weights: np.ndarray | None
    target_scale: float
    prior: pd.Series | None
    blocked: np.ndarray | None
    empty_index: pd.Index


@dataclass
class RoundState:
    """What the steps of the rounds hand each other: selected rows, labels, weights, models.

    Parameters
    ----------
    selected_round : numpy.ndarray of int32
        Per pool row, the round that selected it (0: never).
    weights_all : numpy.ndarray or None
        Per pool row, its weight in the student's fit (None unless ``soft`` or
        ``pseudo_weight`` weights the pseudo-labels).
    pseudo_label, confidence : numpy.ndarray or None
        Per pool row, its latest label and confidence (round 1 fills every row; until
        round 2 writes they are read-only views of ``first_scores``).
    first_scores : pandas.DataFrame or None
        Round 1's labels and confidences of the whole pool.
    teacher, student : estimator or None
        The fitted teacher (round 1) and the latest student.
    teacher_scores, student_scores : dict or None
        Their validation scores (None for a refit, which scores nothing).
    labeler : estimator or None
        The model that pseudo-labels the next pass over the pool.
    own_labels : bool
        Whether the teacher labelled round 1 itself (no calibrated or out-of-fold labeler).
    new_pos : numpy.ndarray or None
        Pool positions selected by this round's pseudo_label step, until combine takes them.
    X_student, y_student, weights : object or None
        The rows, labels and weights of the latest student's fit.
    pseudo_index : pandas.Index or None
        Index labels of the pseudo-labelled rows in that fit.
    history : list of dict
        One row per round (``result.history``).
    """

    selected_round: np.ndarray
    weights_all: np.ndarray | None = None
    pseudo_label: np.ndarray | None = None
    confidence: np.ndarray | None = None
    first_scores: pd.DataFrame | None = None
    teacher: Any = None
    student: Any = None
    teacher_scores: dict | None = None
    student_scores: dict | None = None
    labeler: Any = None
    own_labels: bool = False
    new_pos: np.ndarray | None = None
    X_student: Any = None
    y_student: Any = None
    weights: np.ndarray | None = None
    pseudo_index: pd.Index | None = None
    history: list = field(default_factory=list)

    @classmethod
    def empty(cls, n_unlabeled: int, *, weighted: bool) -> RoundState:
        """The state before round 1.

        Parameters
        ----------
        n_unlabeled : int
            Rows in the pool.
        weighted : bool
            Whether the pseudo-labels carry weights (``soft`` or ``pseudo_weight``).

        Returns
        -------
        RoundState
        """
        return cls(selected_round=np.zeros(n_unlabeled, dtype=np.int32),
                   weights_all=np.zeros(n_unlabeled) if weighted else None)

    def table(self, index: pd.Index) -> pd.DataFrame:
        """``result.pseudo_labels``: label, confidence, selected, round (and weight) per pool row.

        Parameters
        ----------
        index : pandas.Index
            The pool's index.

        Returns
        -------
        pandas.DataFrame
        """
        table = pd.DataFrame({
            "pseudo_label": self.pseudo_label,
            "confidence": self.confidence,
            "selected": self.selected_round > 0,
            "round": self.selected_round,
        }, index=index)
        if self.weights_all is not None:
            table["weight"] = self.weights_all
        return table


def student_not_better(teacher_scores: dict, student_scores: dict, metric: str) -> bool:
    """The guard's rule: the student's headline score is not better than the teacher's.

    A tie keeps the teacher: pseudo-labels must earn their place, and on the benchmark
    (``benchmarks/quality.py``) shipping the student on a tie of out-of-fold scores caused
    most of the harmed configurations. A missing score (NaN) is not better either.
    """
    from .config import LOWER_IS_BETTER

    t, s = teacher_scores.get(metric, np.nan), student_scores.get(metric, np.nan)
    better = s < t if metric in LOWER_IS_BETTER else s > t
    return not bool(better)


def _common_dtype(y_student: np.ndarray, y_train: pd.Series) -> np.ndarray:
    """Give the student the same label type as the train target (ints stay ints)."""
    dtype = y_train.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        try:
            return y_student.astype(np.asarray(y_train.dropna()).dtype)
        except (TypeError, ValueError):
            return y_student
    return y_student


def confidence_scale(y_train: pd.Series, task: str) -> float:
    """What regression confidences are scaled by (the labels' std); 1.0 for classes."""
    return float(y_train.std()) if task == "regression" else 1.0


def pseudo_labels_weighted(cfg: dict) -> bool:
    """Whether the pseudo-labels carry weights in the student's fit."""
    return bool(cfg["soft"] or cfg["pseudo_weight"] != 1.0)


def student_labels(y_train: pd.Series, pseudo_labels: np.ndarray, task: str) -> np.ndarray:
    """The train labels, then the selected pseudo-labels, as one array of the train's type."""
    same_kind = pseudo_labels.dtype != object and y_train.dtype == pseudo_labels.dtype
    y_student = np.concatenate([y_train.to_numpy(dtype=None if same_kind or task != "classification"
                                                 else object), pseudo_labels])
    if task == "classification":
        y_student = _common_dtype(y_student, y_train)
    return y_student


def classes_without_pseudo_labels(prior, pseudo_label, selected_round) -> list:
    """A note per labeled class that got no pseudo-label under ``balance=True``."""
    got = set(pd.unique(pseudo_label[selected_round > 0]))
    return [f"balance: class {cls!r} got no pseudo-label (the teacher predicts it for none of "
            "the unlabeled rows it could select)" for cls in prior.index if cls not in got]


def class_counts(labels: np.ndarray, positions: np.ndarray) -> pd.Series:
    """Rows per class among ``labels`` at ``positions``, classes sorted."""
    return pd.Series(labels[positions]).value_counts().sort_index()


def history_row(r, n_new, n_total, n_student, new_counts, scores) -> dict:
    """One round's row of ``result.history``: selections, per class, and student scores."""
    row = {"round": r, "n_selected": int(n_new), "n_selected_total": int(n_total),
           "n_student_train": int(n_student)}
    if new_counts is not None:
        for cls, count in new_counts.items():
            row[f"selected_{cls}"] = int(count)
    row.update({f"student_{k}": v for k, v in (scores or {}).items()})
    return row
