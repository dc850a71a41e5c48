"""``compare``: the supervised teacher, the five lines and other strategies on one split.

Every strategy runs the engine with the same ``random_state`` and ``val_size`` (or the same
``validation`` frame), so all of them fit the same teacher on the same train rows and are
scored on the same validation rows; the table is what the validation set says, and picking
the best row of it uses the validation score (say so when you report it).
"""

from __future__ import annotations

import html
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator


@dataclass(repr=False)
class ComparisonResult:
    """What :func:`compare` returns: one table row per strategy, and each strategy's run.

    Attributes
    ----------
    table : pandas.DataFrame of shape (n_strategies + 1, n_columns)
        Indexed by strategy, the "supervised" row (the teacher alone) first: the scores
        (one column per metric), ``n_pseudo``, ``rounds``, ``guard_used``, ``seconds``,
        the ``verdict`` against the supervised row with ``difference``, ``low``, ``high``
        (a paired 95% interval), and ``error`` for a strategy that could not run.
    results : dict of str to PseudoLabelResult or None
        Each strategy's result; None for the supervised row (its numbers are the teacher's
        in the first run) and for a strategy that could not run.
    metric : str
        The column that picks :attr:`best` (the runs' headline metric).
    """

    table: pd.DataFrame
    results: dict = field(default_factory=dict)
    metric: str = "accuracy"

    @property
    def tie(self) -> bool:
        """True when every strategy (the supervised row included) has the same score."""
        scores = self.table[self.metric].dropna()
        return len(scores) > 1 and bool(np.isclose(scores, scores.iloc[0], rtol=0, atol=1e-12).all())

    @property
    def best(self) -> str:
        """The strategy with the best validation score (the supervised row included); on a
        tie of every row, the words "none (all tie)" rather than the first row's name."""
        if self.tie:
            return "none (all tie)"
        from .config import LOWER_IS_BETTER

        scores = self.table[self.metric]
        return str(scores.idxmin() if self.metric in LOWER_IS_BETTER else scores.idxmax())

    def headline(self) -> str:
        """The sentence above the table: the best row, or that all tie, and on which rows."""
        runs = [r for r in self.results.values() if r is not None]
        n_val = len(runs[0].validation_index) if runs else None
        where = runs[0].scored_where if runs else "validation"
        rows = f" on {n_val:,} {where} rows" if n_val is not None else " on validation"
        if self.tie:
            return (f"Every strategy scores the same {self.metric}{rows}: these rows cannot tell "
                    "them apart.")
        return (f"Best {self.metric}{rows}: {self.best} (this pick uses those scores; "
                "the supervised row is the teacher alone; verdict columns compare each "
                "strategy's student with it, paired 95% interval).")

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def __getitem__(self, key):
        return self.table[key]

    def __len__(self) -> int:
        return len(self.table)

    def plot(self, ax=None):
        """Horizontal bars of the validation score per strategy, the supervised one marked."""
        from ..render.plots import plot_comparison

        return plot_comparison(self, ax=ax)

    def __repr__(self) -> str:
        return f"ComparisonResult: {self.headline()}\n{self.table.round(4).to_string()}"

    def _repr_html_(self) -> str:
        table = self.table.round(4)
        table.index.name = None
        return (f"<div><p><b>ComparisonResult</b>: {html.escape(self.headline())}</p>"
                f"{table.to_html(escape=True)}</div>")


_COMPARE_DOC = """Score the supervised teacher and each pseudo-label strategy on the same rows.

    Every strategy runs :func:`pseudolabel_magic.run` with the same ``common`` settings, so
    all of them fit the same teacher on the same train rows and are scored on the same rows:
    the same hold-out split, or with ``cv=5`` the same folds, out of fold (``select="auto"``
    included). The "supervised" row is the teacher alone, the model a user would fit without
    pseudo-labels; each strategy's row carries its verdict against it.

    Parameters
    ----------
    labeled : pandas.DataFrame of shape (n_labeled, n_columns)
        The labeled rows, as for :func:`pseudolabel_magic.run` (rows whose ``target`` is
        missing are unlabeled rows).
    unlabeled : pandas.DataFrame of shape (n_unlabeled, n_columns) or None, default=None
        The rows to pseudo-label; None takes the rows of ``labeled`` without a target.
    target : column label
        The column holding the labels.
    teacher : estimator or None, default=None
        The teacher of every strategy (None: the engine's default model).
    strategies : dict of str to dict, default=None
        Display name -> :func:`pseudolabel_magic.run` keyword arguments of one strategy
        (``select``, ``threshold``, ``k_best``, ``rounds``, ``balance``, ``soft``,
        ``calibrate``, ``oof``, ``guard``, ``curriculum``). None:
        :func:`pseudolabel_magic.core.strategies.default_strategies` for the pool's size.
    self_training : bool, default=True
        Add scikit-learn's ``SelfTrainingClassifier`` (its defaults, the same teacher and
        preprocessing, the same rows scored; classification only).
    **common
        Passed to every run: ``student``, ``validation``, ``val_size``, ``cv``,
        ``features``, ``scoring``, ``random_state``, ...

    Returns
    -------
    ComparisonResult
        ``table``: one row per strategy, the supervised row first (the scores, ``n_pseudo``,
        ``rounds``, ``seconds`` and ``verdict``, ``difference``, ``low``, ``high``: the
        student minus the teacher with a paired 95% interval; ``error`` for a strategy that
        could not run). ``results`` maps each name to its :class:`PseudoLabelResult`.

    Raises
    ------
    PseudoLabelError
        ``common`` sets a per-strategy setting, ``strategies`` is not a non-empty dict, or
        the first strategy fails (bad input, reported as :func:`pseudolabel_magic.run`
        would). A later strategy that fails is one row with its ``error``.

    See Also
    --------
    pseudolabel_magic.run : one strategy, with its fitted models.
    ComparisonResult.plot : bars of the score per strategy.

    Notes
    -----
    Picking the best row uses the very scores the table shows; say so when you report it.
    The five-line recipe is Lee's [1]_; the threshold, balanced and guarded strategies are
    the usual defences against confirmation bias [2]_; comparing every strategy with the
    supervised teacher on the same rows follows [3]_.

    References
    ----------
    .. [1] D.-H. Lee, "Pseudo-Label: The Simple and Efficient Semi-Supervised Learning
       Method for Deep Neural Networks", ICML Workshop on Challenges in Representation
       Learning, 2013.
    .. [2] E. Arazo, D. Ortego, P. Albert, N. E. O'Connor and K. McGuinness,
       "Pseudo-Labeling and Confirmation Bias in Deep Semi-Supervised Learning", IJCNN, 2020.
    .. [3] A. Oliver, A. Odena, C. Raffel, E. D. Cubuk and I. J. Goodfellow, "Realistic
       Evaluation of Deep Semi-Supervised Learning Algorithms", NeurIPS, 2018.

    Examples
    --------
    >>> import pseudolabel_magic as pl
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> wine = load_wine(as_frame=True).frame
    >>> wine["target"] = wine["target"].where(wine.index % 3 == 0)  # hide 2 labels in 3
    >>> comparison = pl.compare(
    ...     wine, target="target", teacher=make_pipeline(StandardScaler(), LogisticRegression()),
    ...     strategies={"all": dict(select="all"),
    ...                 "t0.9": dict(select="threshold", threshold=0.9)})
    >>> comparison.table.index.tolist()
    ['supervised', 'all', 't0.9', 'SelfTrainingClassifier']
    >>> comparison.metric
    'accuracy'
    """

#: run settings that make one strategy: per strategy, never in ``common``
_PER_STRATEGY = ("select", "threshold", "k_best", "rounds", "balance", "soft", "calibrate",
                 "oof", "guard", "curriculum")


def compare(labeled: pd.DataFrame, unlabeled: pd.DataFrame | None = None, *, target: Hashable,
            teacher: BaseEstimator | None = None,
            strategies: dict[str, dict[str, Any]] | None = None, self_training: bool = True,
            **common: Any) -> ComparisonResult:
    """Score the supervised teacher and each pseudo-label strategy on the same rows."""
    from .engine import run

    strategies = _strategies(labeled, unlabeled, target, strategies, common)
    rows, results, supervised = [], {}, None
    for name, settings in strategies.items():
        start = time.perf_counter()
        try:
            result = run(labeled, unlabeled, target=target, teacher=teacher, **common, **settings)
        except PseudoLabelError as err:
            if supervised is None and not rows:
                raise  # bad input: the first run reports it, as run() would
            rows.append({"strategy": name, "error": str(err)})
            results[name] = None
            continue
        if supervised is None:
            supervised = _supervised_row(result)
        rows.append(_strategy_row(name, result, time.perf_counter() - start))
        results[name] = result
    first = next((r for r in results.values() if r is not None), None)
    if self_training and first is not None and first.task == "classification":
        rows.append(_self_training_row(first, labeled, unlabeled, common.get("validation")))
    return ComparisonResult(table=_table(supervised, rows),
                            results={"supervised": None, **results}, metric=first.headline)


compare.__doc__ = _COMPARE_DOC


def _strategies(labeled, unlabeled, target, strategies, common) -> dict[str, dict[str, Any]]:
    """The strategies to run, checked; "auto" made a hold-out strategy unless ``cv`` is set."""
    from .strategies import AUTO, default_strategies

    for key in _PER_STRATEGY:
        if key in common:
            raise PseudoLabelError(
                f"compare sets {key} per strategy; put it in strategies={{'name': dict({key}=...)}} instead."
            )
    if strategies is None:
        if unlabeled is not None:
            n_unl = len(unlabeled)
        elif hasattr(labeled, "columns") and target in labeled.columns:
            n_unl = int(labeled[target].isna().sum())
        else:
            n_unl = 0
        strategies = default_strategies(n_unl)
    if not isinstance(strategies, dict) or not strategies:
        raise PseudoLabelError("strategies must be a non-empty dict of name -> run settings, e.g. {'t0.9': dict(select='threshold', threshold=0.9)}.")
    if common.get("cv") is None:  # one hold-out split for all: "auto" alone would cross-fit
        strategies = {name: {**AUTO, **{k: v for k, v in settings.items() if k != "select"}}
                      if settings.get("select") == "auto" else settings
                      for name, settings in strategies.items()}
    return strategies


def _supervised_row(result) -> dict[str, Any]:
    """The teacher alone, as the first run scored it."""
    return {"strategy": "supervised", **result.metrics.loc["teacher"].to_dict(),
            "n_pseudo": 0, "rounds": 0, "guard_used": False,
            "seconds": float(result.timings.get("teacher", np.nan))}


def _strategy_row(name: str, result, seconds: float) -> dict[str, Any]:
    """One strategy's scores (the teacher's when the guard kept it) and its verdict."""
    student = result.metrics.loc["student"].to_dict()
    final = result.metrics.loc["teacher"].to_dict() if result.guard_used else student
    d = result.difference
    return {"strategy": name, **final, "n_pseudo": result.n_selected,
            "rounds": result.rounds_run, "guard_used": result.guard_used,
            "verdict": None if d is None else d.outcome,
            "difference": np.nan if d is None else d.difference,
            "low": np.nan if d is None else d.low,
            "high": np.nan if d is None else d.high, "seconds": seconds}


def _self_training_row(first, labeled, unlabeled, validation) -> dict[str, Any]:
    """scikit-learn's SelfTrainingClassifier on the rows ``first`` scored, or its error."""
    from .baselines import self_training_scores

    try:
        scores = self_training_scores(first, labeled, unlabeled, validation)
    except Exception as err:  # noqa: BLE001 - a baseline that cannot run is one row, not a crash
        return {"strategy": "SelfTrainingClassifier", "error": f"{type(err).__name__}: {err}"}
    return {"strategy": "SelfTrainingClassifier", **scores, "n_pseudo": np.nan, "rounds": np.nan}


def _table(supervised: dict[str, Any], rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per strategy, without the columns that would say nothing."""
    table = pd.DataFrame([supervised, *rows]).set_index("strategy")
    for column in ("error", "guard_used"):  # columns that would say nothing
        if column in table and not table[column].fillna(False).astype(bool).any():
            table = table.drop(columns=column)
    return table
