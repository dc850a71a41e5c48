"""The result of one run: fitted models, tables, the evidence log, and how it displays."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

GUARD_NOTE = ("guard: kept the teacher's predictions because the student scored lower on "
              "validation (this choice used the validation score)")


@dataclass(repr=False)
class PseudoLabelResult:
    """Everything a run produced; attribute names follow scikit-learn's fitted-model habits.

    ``teacher`` and ``student`` predict straight from a DataFrame with the feature columns;
    ``fit_log``/``eval_log`` record what reached every fit and score; ``leakage`` is the
    report of the checks before and after the run, and ``leaky`` is True when a failed check
    was overridden with ``allow_leakage=True``.
    """

    teacher: Any
    student: Any
    pseudo_labels: pd.DataFrame
    predictions: pd.DataFrame
    metrics: pd.DataFrame
    history: pd.DataFrame
    train_index: pd.Index
    validation_index: pd.Index
    fit_log: list
    eval_log: list
    config: dict
    timings: dict
    task: str
    classes_: Any
    leakage: Any
    leaky: bool
    counts: dict = field(default_factory=dict)
    teacher_confidence: pd.Series | None = None
    train_target: pd.Series | None = None
    #: True when ``guard=True`` kept the teacher's predictions (the student scored lower on
    #: validation); ``final_model`` names the model behind ``predictions``.
    guard_used: bool = False
    final_model: str = "student"
    #: teacher and student scored on the validation rows *without* an identical train row
    #: (None when no validation row has one); ``n_validation_twins`` counts those rows.
    metrics_without_twins: pd.DataFrame | None = None
    n_validation_twins: int = 0

    # -- small helpers front ends share -------------------------------------------------
    @property
    def n_selected(self) -> int:
        return int(self.pseudo_labels["selected"].sum())

    @property
    def rounds_run(self) -> int:
        return int(len(self.history))

    @property
    def labeled_class_counts(self) -> pd.Series:
        return self.train_target.value_counts().sort_index()

    def summary(self) -> str:
        """One sentence: what was selected and how the student compares to the teacher."""
        main = "accuracy" if self.task == "classification" else "r2"
        t, s = self.metrics.loc["teacher", main], self.metrics.loc["student", main]
        text = (f"{self.n_selected:,} of {len(self.pseudo_labels):,} unlabeled rows pseudo-labelled "
                f"in {self.rounds_run} round(s); validation {main}: teacher {t:.3f}, student {s:.3f}")
        if self.guard_used:
            text += "; " + GUARD_NOTE
        if self.leaky:
            text = "LEAKY (allow_leakage=True, scores are not honest): " + text
        return text

    # -- front ends --------------------------------------------------------------------
    def diagram(self, states=None, highlight=None):
        """The data-flow diagram with this run's real counts."""
        from .diagrams import flow_diagram

        return flow_diagram(self.counts, states=states, highlight=highlight, config=self.config,
                            leaky=self.leaky)

    def to_code(self) -> str:
        """The whole run as plain pandas + scikit-learn code, without this plugin."""
        from .codegen import to_code

        code = to_code(self.config)
        kept_out = self.counts.get("n_kept_out", 0)
        if kept_out:
            code = (f"# NOTE: {kept_out} unlabeled row(s) duplicate a validation row; the run kept "
                    "them out of the student's training set and this script does not.\n" + code)
        return code

    def _twin_note(self) -> str:
        if self.metrics_without_twins is None:
            return ""
        n_val = len(self.validation_index)
        return (f"{self.n_validation_twins:,} of {n_val:,} validation rows have an identical train "
                f"row; scored without them ({n_val - self.n_validation_twins:,} rows) as well")

    def _metrics_side_by_side(self) -> pd.DataFrame:
        """``metrics``, with the twin-free scores beside them when some rows have a train twin."""
        if self.metrics_without_twins is None:
            return self.metrics
        n_val = len(self.validation_index)
        return pd.concat({f"all {n_val:,} validation rows": self.metrics,
                          f"{n_val - self.n_validation_twins:,} rows without a train twin":
                          self.metrics_without_twins}, axis=1)

    def plot_confidence(self, ax=None):
        from .plots import plot_confidence

        return plot_confidence(self, ax=ax)

    def plot_classes(self, ax=None):
        from .plots import plot_classes

        return plot_classes(self, ax=ax)

    def plot_metrics(self, ax=None):
        from .plots import plot_metrics

        return plot_metrics(self, ax=ax)

    def plot_rounds(self, ax=None):
        from .plots import plot_rounds

        return plot_rounds(self, ax=ax)

    # -- display -----------------------------------------------------------------------
    def _verdict(self) -> str:
        report = self.leakage
        if report is None:
            return "leakage: not checked"
        return getattr(report, "verdict", None) or ("leakage checks passed" if report.ok else "leakage checks FAILED")

    def __repr__(self) -> str:
        lines = [f"PseudoLabelResult ({self.task})", self.summary(), self._verdict()]
        if self._twin_note():
            lines.append(self._twin_note())
        lines.append(self._metrics_side_by_side().round(4).to_string())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        banner = ""
        if self.leaky:
            banner = ('<p><b>LEAKY:</b> a leakage check failed and was overridden with '
                      'allow_leakage=True; these scores are not honest.</p>')
        metrics = self._metrics_side_by_side().round(4)
        if self._twin_note():
            banner += f"<p>{esc(self._twin_note())}</p>"
        if self.leaky:
            metrics = metrics.rename(index=lambda name: f"{name} (LEAKY)")
        svg = self.diagram().svg if getattr(self, "show_diagram", True) else ""
        return (
            f"<div><p><b>PseudoLabelResult</b> ({esc(self.task)}): {esc(self.summary())}</p>"
            f"{banner}{svg}<p>{esc(self._verdict())}</p>"
            f"{metrics.to_html(escape=True, index_names=False)}</div>"
        )
