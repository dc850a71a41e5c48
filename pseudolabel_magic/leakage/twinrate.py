"""How many twins chance explains: natural duplicates versus copies.

Real tables repeat rows (all-NaN rows, low-cardinality codes, spam templates): a validation
row with an identical row in train is not, by itself, a mistake. Copies are: rows copied
or oversampled before the split turn up in validation *far* more often than the
population's own duplicate rate explains. The unlabeled pool is an independent sample of
the same population, so its rows are the reference: how often a validation vector occurs
in the pool says how likely it was to occur in train by chance.

Twins come in groups (one all-NaN vector can be a hundred rows), so the counts here are
distinct feature vectors, not rows. For each distinct validation vector ``v`` seen ``c_v``
times in a reference sample of ``N`` rows, the chance that a sample of ``m`` rows holds it
is ``1 - (1 - c_v / N) ** m``; a vector the reference never saw gets the reference's own
twin rate (smoothed with one pseudo-twin, so a reference without duplicates still allows
rare ones), scaled to ``m / N``. The expected count is the sum over validation's distinct
vectors (a Poisson-binomial sum; its tail is taken as Poisson). A count is *far more*
than chance when it is at least 2, at least 3 times the expectation, and its Poisson tail
probability is below 1e-3.

References: Kapoor & Narayanan (2023), "Leakage and the reproducibility crisis in
machine-learning-based science", *Patterns* 4(9) (duplicates across splits, L1.4);
Good (1953), "The population frequencies of species", *Biometrika* 40 (unseen mass).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: a count is "far more" than chance below this Poisson tail probability ...
ALPHA = 1e-3
#: ... and at least this many times the expectation
RATIO = 3.0


@dataclass(frozen=True)
class Reference:
    """The duplicate structure of a reference sample (the unlabeled pool, or train).

    ``n`` rows, ``n_with_twin`` of which have an identical row elsewhere in the sample;
    ``name`` says which sample it is, for messages.
    """

    n: int
    n_with_twin: int
    name: str

    @classmethod
    def from_hashes(cls, hashes: np.ndarray, name: str) -> "Reference":
        """From row hashes (a collision only merges two vectors: chance is overstated, never
        understated, so a collision can only make a check more lenient)."""
        counts = hash_counts(hashes)
        return cls(len(hashes), int(counts[counts > 1].sum()), name)

    @property
    def twin_rate(self) -> float:
        """Share of rows with a twin in the sample, smoothed with one pseudo-twin."""
        return (self.n_with_twin + 1) / (self.n + 1)

    def chance_in_sample(self, counts: np.ndarray, m: int) -> np.ndarray:
        """Per vector seen ``counts`` times in the reference: the chance it occurs in ``m`` rows."""
        counts = np.asarray(counts, dtype=float)
        n = max(self.n, 1)
        seen = 1.0 - np.power(1.0 - np.minimum(counts / n, 1.0), m)
        unseen = min(1.0, self.twin_rate * m / n)
        return np.where(counts > 0, np.maximum(seen, unseen), unseen)


def hash_counts(hashes: np.ndarray) -> np.ndarray:
    """How many times each distinct hash occurs (order unspecified), by sorting.

    Sorting a million uint64 is several times faster here than numpy's or pandas' hash
    tables, and nothing else is needed from the distinct values.
    """
    if not len(hashes):
        return np.zeros(0, np.int64)
    s = np.sort(hashes)
    starts = np.flatnonzero(np.concatenate([[True], s[1:] != s[:-1]]))
    return np.diff(np.append(starts, len(s)))


def far_more(observed: int, expected: float) -> bool:
    """True when ``observed`` distinct twins are far more than ``expected`` (see module doc)."""
    if observed < 2 or observed < RATIO * expected:
        return False
    from scipy.special import pdtrc  # P(X > k) for X ~ Poisson(mu)

    return float(pdtrc(observed - 1, max(expected, 1e-12))) < ALPHA


def tail_probability(observed: int, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected): how surprising the count is."""
    if observed <= 0:
        return 1.0
    from scipy.special import pdtrc

    return float(pdtrc(observed - 1, max(expected, 1e-12)))


def expected_extra_copies(reference_counts: np.ndarray, n_reference: int, n_sample: int) -> float:
    """Rows beyond the first of each vector expected in ``n_sample`` rows drawn like the reference.

    ``reference_counts`` are the counts of every distinct vector of the reference sample;
    drawing without replacement, vector ``k`` is absent with probability about
    ``(1 - L / N) ** c_k``. For ``n_sample > n_reference`` the reference's rate is scaled up.
    """
    if n_reference == 0 or n_sample == 0:
        return 0.0
    take = min(n_sample, n_reference)
    frac = take / n_reference
    counts = np.asarray(reference_counts, dtype=float)
    distinct = float(np.sum(1.0 - np.power(1.0 - frac, counts))) if frac < 1 else float(len(counts))
    return max(take - distinct, 0.0) * n_sample / take
