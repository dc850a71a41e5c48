"""Index labels and example rows: the small tools every leakage check shares.

Labels are compared with :func:`isin` (also for mixed-type labels, which pandas'
Arrow-backed strings refuse to compare), and offending rows are shown with the index label
on each side in front (:func:`frame_examples`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

N_EXAMPLES = 5


def article(word: str) -> str:
    """'a' or 'an' before ``word``."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


def pct(n: int, total: int) -> str:
    """'n of total validation rows (p%)'."""
    return f"{n:,} of {total:,} validation rows ({100.0 * n / total if total else 0.0:.1f}%)"


def isin(values, other) -> np.ndarray:
    """``values.isin(other)`` as a bool array, also for mixed-type labels.

    pandas' Arrow-backed strings refuse to compare with non-string labels, so on a type
    error both sides fall back to plain object arrays. A MultiIndex on either side is
    compared as tuples (a scalar label equals no tuple).
    """
    values = values if isinstance(values, (pd.Index, pd.Series)) else pd.Index(values)
    if isinstance(values, pd.MultiIndex) or isinstance(other, pd.MultiIndex):
        values, other = _flat(values), _flat(other)  # labels are tuples; other types match none
    try:
        return np.asarray(values.isin(other), dtype=bool)
    except TypeError:
        objects = pd.Index(np.asarray(values, dtype=object), dtype=object)
        return np.asarray(objects.isin(np.asarray(pd.Index(other), dtype=object)), dtype=bool)


def _flat(labels) -> pd.Index:
    """Index labels as one object Index: a MultiIndex's rows become tuples.

    ``MultiIndex.isin`` takes only tuples of its own length, and a plain index's
    ``isin`` a MultiIndex's tuples only as values, so both sides are made plain first.
    """
    if isinstance(labels, pd.MultiIndex):
        return pd.Index(labels.to_flat_index(), dtype=object, tupleize_cols=False)
    labels = labels if isinstance(labels, (pd.Index, pd.Series)) else pd.Index(labels)
    return pd.Index(np.asarray(labels, dtype=object), dtype=object, tupleize_cols=False)


def shared(small, big) -> np.ndarray:
    """``small.isin(big)`` for a few validation labels against a huge set.

    Hashing the small side and probing it with the big one is one pass over the big side,
    instead of building a hash table of millions of labels.
    """
    big = big if isinstance(big, (pd.Index, pd.Series)) else pd.Index(big)
    return isin(small, big[isin(big, small)])


def labelled(rows: pd.DataFrame, **labels) -> pd.DataFrame:
    """``rows`` with index-label columns in front (a user column of the same name may stay)."""
    front = pd.DataFrame({name: pd.Series(list(values), dtype=object) for name, values in labels.items()})
    return pd.concat([front, rows.reset_index(drop=True)], axis=1)


def frame_examples(val: pd.DataFrame, hit: np.ndarray, side: str, other_labels) -> pd.DataFrame:
    """The first offending validation rows, with the index label on each side in front."""
    pos = np.flatnonzero(hit)[:N_EXAMPLES]
    return labelled(val.iloc[pos], validation_index=val.index[pos],
                     **{f"{side}_index": other_labels(pos)})


def rows_example(frame: pd.DataFrame, hit: np.ndarray, label: str) -> pd.DataFrame:
    pos = np.flatnonzero(hit)[:N_EXAMPLES]
    return labelled(frame.iloc[pos], **{label: frame.index[pos]})
