"""Did pseudo-labelling help? The headline metric, a paired interval, and one sentence.

Teacher and student are scored on the same rows (the validation rows, or every labeled row
out of fold), so their difference is a *paired* comparison, much tighter than comparing two
separate intervals. For accuracy the interval is exact: the rows where exactly one model is
right decide it (McNemar), and a Clopper-Pearson interval on their split scales to the
difference (:func:`scipy.stats.binomtest`). Other metrics resample the rows together (a
percentile bootstrap, :func:`scipy.stats.bootstrap`); for class metrics the verdict also
needs McNemar's exact test (p < 0.05) before it says "helped" or "hurt", since a bootstrap
over a handful of differing rows claims more than they show.

References
----------
Efron, B. and Tibshirani, R. (1993). *An Introduction to the Bootstrap*, ch. 13 (percentile).
Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated
in the case of the binomial. *Biometrika* 26(4) (the exact interval on the discordant rows).
Dietterich, T. G. (1998). Approximate statistical tests for comparing supervised
classification learning algorithms. *Neural Computation* 10(7) (McNemar's test).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import LOWER_IS_BETTER

#: The share of rows below which the rarest class makes the headline balanced accuracy:
#: the rarest class holds less than half of an equal share (1 / number of classes).
IMBALANCE = 0.5
#: Paired resamples of the bootstrap interval.
N_RESAMPLES = 2000
#: Fewer scored rows than this: the sentence says the count is too small to tell.
FEW_ROWS = 30

_PERCENT = ("accuracy", "balanced_accuracy", "f1_macro")


def headline_metric(task: str, y: pd.Series, scoring: str | None = None) -> tuple[str, str]:
    """The metric the verdict and the guard use, and why.

    Parameters
    ----------
    task : {"classification", "regression"}
    y : pandas.Series
        The labeled rows' targets.
    scoring : str or None
        The metric the user named (``scoring=``); None chooses.

    Returns
    -------
    metric : str
        ``scoring`` when given; else ``"balanced_accuracy"`` when the rarest class holds less
        than half of an equal share, ``"accuracy"`` for other classes, ``"r2"`` for amounts.
    reason : str
        Why, in a few words.
    """
    if scoring is not None:
        return scoring, f"scoring={scoring!r}"
    if task == "regression":
        return "r2", "regression"
    counts = y.value_counts()
    share = counts.min() / counts.sum()
    if len(counts) > 1 and share < IMBALANCE / len(counts):
        return "balanced_accuracy", (f"the rarest class is {share:.1%} of the labeled rows, "
                                     "so accuracy would reward ignoring it")
    return "accuracy", "classes are about balanced"


@dataclass(frozen=True)
class Difference:
    """Student minus teacher on the same scored rows, with a paired 95% interval.

    Attributes
    ----------
    metric : str
        The headline metric (see :func:`headline_metric`).
    teacher, student : float
        Their scores on the ``n_rows`` rows.
    difference, low, high : float
        ``student - teacher`` and its 95% bootstrap interval (same unit as the metric).
    n_rows : int
        Rows scored by both.
    p_value : float or None
        Exact McNemar test (accuracy only): the chance of a split at least this uneven of the
        rows where exactly one model is right, if both were equally good.
    where : str
        Which rows: ``"validation"`` or ``"out-of-fold"``.
    """

    metric: str
    teacher: float
    student: float
    difference: float
    low: float
    high: float
    n_rows: int
    p_value: float | None = None
    where: str = "validation"

    @property
    def outcome(self) -> str:
        """``"helped"``, ``"hurt"`` or ``"no difference"`` (the interval decides)."""
        sign = -1.0 if self.metric in LOWER_IS_BETTER else 1.0
        low, high = sorted((sign * self.low, sign * self.high))
        if self.p_value is not None and not self.p_value < 0.05:
            return "no difference"  # the rows where exactly one model is right do not say
        if low > 0:
            return "helped"
        if high < 0:
            return "hurt"
        return "no difference"

    def _amount(self, value: float) -> str:
        if self.metric in _PERCENT:
            return f"{100 * value:+.1f}"
        return f"{value:+.3g}"

    def sentence(self) -> str:
        """One sentence for people: what happened, by how much, how sure, on how many rows."""
        unit = " points" if self.metric in _PERCENT else ""
        name = self.metric.replace("_", " ")
        rows = f"on {self.n_rows:,} {self.where} row{'s' if self.n_rows != 1 else ''}"
        few = "; too few rows to tell" if self.n_rows < FEW_ROWS else ""
        if self.low == self.high == self.difference == 0:
            return (f"no measurable difference: teacher and student scored the same {name} "
                    f"({rows}){few}")
        head = {"helped": "pseudo-labelling helped", "hurt": "pseudo-labelling hurt",
                "no difference": "no measurable difference"}[self.outcome]
        text = (f"{head}: {self._amount(self.difference)}{unit} {name}, 95% interval "
                f"{self._amount(self.low)} to {self._amount(self.high)}, {rows}")
        if self.metric in LOWER_IS_BETTER:
            text += " (lower is better)"
        text += few
        return text


def _metric_on_samples(metric, y, teacher, student):
    """statistic(idx, axis) for scipy's bootstrap: student minus teacher per resample."""
    if metric in ("balanced_accuracy", "f1_macro"):  # accuracy has an exact interval
        codes = {c: i for i, c in enumerate(pd.unique(np.concatenate([y, teacher, student])))}
        yc = np.array([codes[v] for v in y])
        tc, sc = (np.array([codes[v] for v in p]) for p in (teacher, student))

        def score(pred, idx):
            true, guess = yc[idx], pred[idx]
            recalls, f1s = [], []
            for k in np.unique(yc):
                is_k = true == k
                support = is_k.sum(axis=-1)
                hit = (is_k & (guess == k)).sum(axis=-1)
                said = (guess == k).sum(axis=-1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    recalls.append(np.where(support > 0, hit / support, np.nan))
                    f1s.append(np.where(support + said > 0, 2 * hit / (support + said), 0.0))
            parts = recalls if metric == "balanced_accuracy" else f1s
            return np.nanmean(np.stack(parts), axis=0)

        return lambda idx, axis=-1: score(sc, idx) - score(tc, idx)
    if metric == "log_loss":  # teacher/student are per-row losses here
        return lambda idx, axis=-1: student[idx].mean(axis=-1) - teacher[idx].mean(axis=-1)
    y = np.asarray(y, dtype="float64")
    t, s = np.asarray(teacher, dtype="float64"), np.asarray(student, dtype="float64")

    def reg(pred, idx):
        err = y[idx] - pred[idx]
        if metric == "mae":
            return np.abs(err).mean(axis=-1)
        if metric == "rmse":
            return np.sqrt((err ** 2).mean(axis=-1))
        yi = y[idx]
        sst = ((yi - yi.mean(axis=-1, keepdims=True)) ** 2).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return 1 - (err ** 2).sum(axis=-1) / sst

    return lambda idx, axis=-1: reg(s, idx) - reg(t, idx)


def row_losses(y, proba, classes) -> np.ndarray:
    """Per-row log-loss (the mean of these is scikit-learn's ``log_loss``)."""
    pos = pd.Index(list(classes)).get_indexer(np.asarray(y))
    p = np.where(pos >= 0, proba[np.arange(len(pos)), np.maximum(pos, 0)], 0.0)
    return -np.log(np.clip(p, np.finfo("float64").eps, 1.0))


def paired_difference(metric: str, y, teacher_pred, student_pred, *, teacher_score: float,
                      student_score: float, random_state=0, where: str = "validation",
                      teacher_loss=None, student_loss=None) -> Difference:
    """Student minus teacher on the same rows, with a paired bootstrap 95% interval.

    Parameters
    ----------
    metric : str
        One of the run's metrics (``accuracy``, ``balanced_accuracy``, ``f1_macro``,
        ``log_loss``, ``r2``, ``mae``, ``rmse``).
    y, teacher_pred, student_pred : array-like of shape (n_rows,)
        True labels and both models' predictions of the same rows.
    teacher_score, student_score : float
        The two scores as the result's table shows them.
    random_state : int, RandomState or None
        Seed of the resampling.
    where : str
        ``"validation"`` or ``"out-of-fold"`` (for the sentence).
    teacher_loss, student_loss : array of shape (n_rows,), optional
        Per-row log-loss (:func:`row_losses`), needed for ``metric="log_loss"``.

    Returns
    -------
    Difference

    Notes
    -----
    Accuracy: the exact conditional interval of McNemar's test (Clopper-Pearson on the
    discordant rows, scaled by their share). Other metrics: a percentile bootstrap (BCa
    flipped with the seed on lumpy statistics). Models that agree on every row (amounts up to
    rounding) give the interval [0, 0].
    """
    from scipy import stats

    y, t, s = np.asarray(y), np.asarray(teacher_pred), np.asarray(student_pred)
    n = len(y)
    diff = float(student_score - teacher_score)
    p_value = None
    if metric in _PERCENT:  # McNemar: the rows where exactly one of the two is right
        t_ok, s_ok = t == y, s == y
        only_s, only_t = int((s_ok & ~t_ok).sum()), int((t_ok & ~s_ok).sum())
        p_value = 1.0 if only_s + only_t == 0 else float(
            stats.binomtest(only_s, only_s + only_t, 0.5).pvalue)
    if metric == "log_loss":
        same = np.allclose(teacher_loss, student_loss, rtol=1e-9, atol=1e-12)
    elif t.dtype.kind == "f" and s.dtype.kind == "f":  # amounts: rounding is not a difference
        same = np.allclose(t, s, rtol=1e-9, atol=1e-12 * max(1.0, float(np.nanmax(np.abs(y)))))
    else:
        same = np.array_equal(t, s)
    if same or n < 2:
        low = high = 0.0 if same else float("nan")
        return Difference(metric, float(teacher_score), float(student_score), diff if not same
                          else 0.0, low, high, n, p_value, where)
    if metric == "accuracy":  # exact: Clopper-Pearson on the discordant rows (McNemar's CI)
        m = only_s + only_t
        if m == 0:  # they differ only where both are wrong: the same accuracy, for sure
            return Difference(metric, float(teacher_score), float(student_score), 0.0, 0.0, 0.0,
                              n, p_value, where)
        ci = stats.binomtest(only_s, m, 0.5).proportion_ci(0.95, method="exact")
        low, high = (m / n) * (2 * ci.low - 1), (m / n) * (2 * ci.high - 1)
        diff = (only_s - only_t) / n  # from the same counts as the bounds (no rounding gap)
        return Difference(metric, float(teacher_score), float(student_score), diff,
                          float(min(low, diff)), float(max(high, diff)), n, p_value, where)
    if metric == "log_loss":
        statistic = _metric_on_samples(metric, y, np.asarray(teacher_loss), np.asarray(student_loss))
    else:
        statistic = _metric_on_samples(metric, y, t, s)
    if random_state is not None and not isinstance(random_state, (int, np.integer)):
        random_state = int(random_state.randint(2**31))  # a RandomState, as scikit-learn takes
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.bootstrap((np.arange(n),), statistic, vectorized=True,
                              n_resamples=N_RESAMPLES, method="percentile",
                              rng=np.random.default_rng(random_state))
    low, high = (float(v) for v in res.confidence_interval)
    return Difference(metric, float(teacher_score), float(student_score), diff, low, high, n,
                      p_value, where)
