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

from .errors import PseudoLabelError


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
    def best(self) -> str:
        """The strategy with the best validation score (the supervised row included)."""
        scores = self.table[self.metric]
        return str(scores.idxmax() if self.metric != "log_loss" else scores.idxmin())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __getitem__(self, key):
        return self.table[key]

    def __len__(self) -> int:
        return len(self.table)

    def plot(self, ax=None):
        """Horizontal bars of the validation score per strategy, the supervised one marked."""
        from .plots import plot_comparison

        return plot_comparison(self, ax=ax)

    def __repr__(self) -> str:
        return (f"ComparisonResult: best on validation = {self.best!r} "
                f"(this pick uses the validation score)\n{self.table.round(4).to_string()}")

    def _repr_html_(self) -> str:
        return (f"<div><p><b>ComparisonResult</b>: best on validation = {html.escape(self.best)} "
                f"(this pick uses the validation score)</p>"
                f"{self.table.round(4).to_html(escape=True)}</div>")


def compare(labeled, unlabeled=None, *, target, teacher=None, strategies=None, **common):
    """Run the supervised teacher, the five-line recipe and each strategy on the same split.

    ``strategies`` maps a display name to :func:`run` keyword arguments (default:
    :func:`strategies.default_strategies`); ``common`` is passed to every run (``student``,
    ``validation``, ``val_size``, ``features``, ``random_state``, ...). Returns a
    :class:`ComparisonResult` whose ``table`` has one row per strategy.
    """
    from .engine import run
    from .strategies import default_strategies

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
        rows.append({"strategy": name, **final, "n_pseudo": result.n_selected,
                     "rounds": result.rounds_run, "guard_used": result.guard_used,
                     "seconds": seconds})
        results[name] = result
    table = pd.DataFrame([supervised, *rows]).set_index("strategy")
    if "error" not in table:
        table["error"] = None
    task = next(r for r in results.values() if r is not None).task
    metric = "accuracy" if task == "classification" else "r2"
    return ComparisonResult(table=table, results={"supervised": None, **results}, metric=metric)
