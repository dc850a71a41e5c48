"""The records the leakage checks produce: one ``Check`` per rule, and the ``Evidence`` the
after-run checks read. The checks on the frames (:mod:`.checks`), the checks on the fits
(:mod:`.fits`) and the report (:mod:`.report`) all build or read them, so they live below
all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    count: int
    examples: pd.DataFrame | None = None


@dataclass(frozen=True)
class Evidence:
    """What the after-run checks need, kept as hashes and keys rather than whole frames."""

    n_validation: int
    validation_index: pd.Index
    validation_hashes: np.ndarray
    validation_target: pd.Series
    # Only rows whose hash equals a validation row's can leak by content, so only those are
    # kept: a 5M-row pool costs a few bytes, not 8 per row, and the after-run check is cheap.
    train_hashes: pd.Series  # suspect train rows: hash keyed by train index label
    unlabeled_hashes: pd.Series  # suspect unlabeled rows: hash keyed by unlabeled index label
    unlabeled_positions: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    n_unlabeled: int = 0
    keys: dict = field(default_factory=dict)  # "id"/"group" -> (val, train, unl) Series by label
    key_names: dict = field(default_factory=dict)  # "id"/"group" -> column name
    # validation rows with an identical train row that chance explains: scored apart, and
    # not counted again by the after-run checks (they reached the teacher through the twin)
    train_twins: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # False when the twins are far more than chance (copies): then reaching a fit through
    # them counts in the after-run checks (with allow_leakage=True)
    twins_explained: bool = True
    # "train"/"unlabeled" -> per validation row: its label also labels a row of that set, but
    # labels there carry no identity, so the label in a fit log may mean either row
    ambiguous_labels: dict = field(default_factory=dict)
    twins: dict = field(default_factory=dict)  # "train"/"unlabeled" -> counts, expectation
