"""Which pseudo-labelled rows the student gets: vectorised rules over (label, confidence).

Each rule returns a boolean mask over the candidate rows. Ties in confidence are broken by
row position (stable sort), so the same inputs always select the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: "auto" is resolved by the engine to the strategy the benchmark found best (strategies.AUTO).
SELECT_MODES = ("all", "threshold", "k-best", "auto")


def curriculum_threshold(curriculum, round_: int) -> float:
    """The threshold of round ``round_`` (1-based) in a relaxing list such as [0.99, 0.95, 0.9].

    Rounds past the end of the list keep its last threshold.
    """
    return float(curriculum[min(round_, len(curriculum)) - 1])


def select_threshold(confidence: np.ndarray, threshold: float) -> np.ndarray:
    """Rows whose confidence is at least ``threshold`` (``>=``; NaN confidence never passes)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(confidence >= threshold)


def select_k_best(confidence: np.ndarray, k: int, candidates: np.ndarray | None = None) -> np.ndarray:
    """The ``k`` most confident rows among ``candidates`` (all rows when None)."""
    n = len(confidence)
    mask = np.zeros(n, dtype=bool)
    positions = np.arange(n) if candidates is None else np.flatnonzero(candidates)
    if len(positions) == 0 or k <= 0:
        return mask
    order = np.argsort(-np.nan_to_num(confidence[positions], nan=-np.inf), kind="stable")
    mask[positions[order[:k]]] = True
    return mask


def balance_classes(labels: np.ndarray, confidence: np.ndarray, candidates: np.ndarray,
                    prior: pd.Series, fallback: np.ndarray | None = None) -> np.ndarray:
    """Keep the most confident candidates per class so the mix follows ``prior``.

    The kept total N is the largest one every class can fill at its prior share
    (N = min over classes with candidates of available_c / prior_c); class c then keeps its
    round(N * prior_c) most confident candidates. A class with no candidate (none passed the
    threshold: a rare class's confidences are lower) takes its candidates from ``fallback``
    (the rows it may still get), ranked by confidence: a per-class quota instead of the
    common threshold. A class the teacher predicts for no row cannot be matched and is left
    out of the minimum, otherwise one missing class would empty the set.
    """
    prior = prior[prior > 0] / prior[prior > 0].sum()
    keep = np.zeros(len(labels), dtype=bool)
    candidates = np.asarray(candidates, dtype=bool).copy()
    if fallback is not None:
        have = set(pd.unique(labels[candidates]))
        for cls in prior.index:
            if cls not in have:
                candidates |= np.asarray(fallback, dtype=bool) & (labels == cls)
    cand_labels = pd.Series(labels[candidates])
    available = cand_labels.value_counts()
    shares = {c: prior[c] for c in prior.index if available.get(c, 0) > 0}
    if not shares:
        return keep
    total = min(available[c] / share for c, share in shares.items())
    for cls, share in shares.items():
        quota = int(np.floor(total * share + 1e-9))
        if quota <= 0:
            continue
        in_class = candidates & (labels == cls)
        keep |= select_k_best(confidence, quota, in_class)
    return keep


def select_rows(labels, confidence, *, select: str, threshold=None, k_best=None,
                balance: bool = False, prior: pd.Series | None = None,
                available: np.ndarray | None = None) -> np.ndarray:
    """Apply the selection rule to one round's predictions.

    ``available`` marks rows not yet pseudo-labelled in an earlier round; ``prior`` is the
    class mix of the labeled train rows (used only with ``balance=True``).
    """
    n = len(confidence)
    available = np.ones(n, dtype=bool) if available is None else np.asarray(available, dtype=bool)
    confidence = np.asarray(confidence, dtype="float64")
    if select == "all":
        chosen = available.copy()
    elif select == "threshold":
        chosen = available & select_threshold(confidence, threshold)
    elif select == "k-best":
        chosen = select_k_best(confidence, k_best, available)
    else:  # validated earlier; kept as a guard for direct callers
        raise ValueError(f"unknown select mode {select!r}")
    if balance and prior is not None and chosen.any():
        chosen = balance_classes(np.asarray(labels), confidence, chosen, prior,
                                 fallback=available)
    return chosen
