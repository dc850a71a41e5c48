"""``compare``: the supervised teacher, the five lines and other strategies on one split.

Every strategy runs the engine with the same ``random_state`` and ``val_size`` (or the same
``validation`` frame), so all of them fit the same teacher on the same train rows and are
scored on the same validation rows; the table is what the validation set says, and picking
the best row of it uses the validation score (say so when you report it).
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError


@dataclass(repr=False)
class ComparisonResult:
    """``table``: one row per strategy (validation scores, rows pseudo-labelled, seconds).

    ``results`` maps each strategy name to its :class:`PseudoLabelResult` (None for the
    supervised row, whose numbers are the teacher's in the first run; or for a strategy that
    could not run, whose reason is in the ``error`` column).
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


def compare(labeled, unlabeled=None, *, target, teacher=None, strategies=None,
            self_training=True, **common):
    """Run the supervised teacher, the five-line recipe and each strategy on the same rows.

    ``strategies`` maps a display name to :func:`run` keyword arguments (default:
    :func:`strategies.default_strategies`); ``common`` is passed to every run (``student``,
    ``validation``, ``val_size``, ``cv``, ``features``, ``random_state``, ...). With
    ``cv=5`` every strategy is cross-fitted on the same folds and scored out of fold; without
    it every strategy (``select="auto"`` included) is scored on the same hold-out rows.
    ``self_training=True`` adds scikit-learn's ``SelfTrainingClassifier`` (its defaults, the
    same teacher and preprocessing, the same rows scored; classification only). The
    "supervised" row is the teacher alone: the model a user would fit without pseudo-labels.
    Each strategy's row carries its verdict against that teacher (``verdict``,
    ``difference``, ``low``, ``high``: the paired 95% interval). Returns a
    :class:`ComparisonResult` whose ``table`` has one row per strategy.
    """
    from .baselines import self_training_scores
    from .engine import run
    from .strategies import AUTO, default_strategies

    for key in ("select", "threshold", "k_best", "rounds", "balance", "soft", "calibrate",
                "oof", "guard", "curriculum"):
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
        seconds = time.perf_counter() - start
        if supervised is None:
            supervised = {"strategy": "supervised", **result.metrics.loc["teacher"].to_dict(),
                          "n_pseudo": 0, "rounds": 0, "guard_used": False,
                          "seconds": float(result.timings.get("teacher", np.nan))}
        student = result.metrics.loc["student"].to_dict()
        final = result.metrics.loc["teacher"].to_dict() if result.guard_used else student
        d = result.difference
        rows.append({"strategy": name, **final, "n_pseudo": result.n_selected,
                     "rounds": result.rounds_run, "guard_used": result.guard_used,
                     "verdict": None if d is None else d.outcome,
                     "difference": np.nan if d is None else d.difference,
                     "low": np.nan if d is None else d.low,
                     "high": np.nan if d is None else d.high, "seconds": seconds})
        results[name] = result
    first = next((r for r in results.values() if r is not None), None)
    if self_training and first is not None and first.task == "classification":
        try:
            scores = self_training_scores(first, labeled, unlabeled, common.get("validation"))
        except Exception as err:  # noqa: BLE001 - a baseline that cannot run is one row, not a crash
            rows.append({"strategy": "SelfTrainingClassifier", "error": f"{type(err).__name__}: {err}"})
        else:
            rows.append({"strategy": "SelfTrainingClassifier", **scores, "n_pseudo": np.nan,
                         "rounds": np.nan})
    table = pd.DataFrame([supervised, *rows]).set_index("strategy")
    for column in ("error", "guard_used"):  # columns that would say nothing
        if column in table and not table[column].fillna(False).astype(bool).any():
            table = table.drop(columns=column)
    metric = first.headline
    return ComparisonResult(table=table, results={"supervised": None, **results}, metric=metric)
