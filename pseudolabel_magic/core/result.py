"""The result of one run: fitted models, tables, the evidence log, and how it displays."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

GUARD_NOTE = ("guard: kept the teacher's predictions because the student did not score higher on "
              "validation (this choice used the validation score)")


@dataclass(repr=False)
class PseudoLabelResult:
    """Everything a run produced; attribute names follow scikit-learn's fitted-model habits.

    Made by :func:`pseudolabel_magic.run` [1]_ (never built by hand). ``teacher`` and ``student``
    predict straight from a DataFrame with the feature columns; ``fit_log``/``eval_log``
    record what reached every fit and score; ``leakage`` is the report of the checks before
    and after the run, and ``leaky`` is True when a failed check was overridden with
    ``allow_leakage=True``. Below, ``n_unlabeled`` counts the unlabeled rows, ``n_train``
    and ``n_validation`` the labeled rows that fit and that scored.

    Attributes
    ----------
    teacher, student : estimator
        The fitted models (clones of the ones passed, or the defaults); with ``refit`` the
        models refitted on every labeled row.
    pseudo_labels : pandas.DataFrame of shape (n_unlabeled, 4)
        Indexed like the unlabeled rows: ``pseudo_label``, ``confidence`` (in [0, 1]),
        ``selected`` (bool: the student got it) and ``round`` (when it was selected).
    predictions : pandas.DataFrame of shape (n_unlabeled, 2)
        Indexed like the unlabeled rows: ``prediction`` and ``confidence``, from the final
        model (``final_model``); a lazy Dask DataFrame when ``unlabeled`` was one.
    metrics : pandas.DataFrame of shape (2, n_metrics)
        Rows ``teacher`` and ``student``, one column per metric, on the scored rows
        (validation, or out of fold with ``cv``).
    history : pandas.DataFrame of shape (n_rounds, n_columns)
        One row per round: rows selected (per class too) and the student's scores.
    train_index, validation_index : pandas.Index
        Index labels of the labeled rows that trained and of those that scored.
    fit_log, eval_log : list of FitRecord, list of EvalRecord
        Every fit (role, rows, the index labels it saw) and every scoring the engine made.
    config : dict
        The settings the run used, after ``select="auto"`` and the defaults were resolved.
    timings : dict of str to float
        Seconds per step.
    task : {"classification", "regression"}
        What the target is; ``task_reason`` says why.
    classes_ : ndarray of shape (n_classes,) or None
        The labeled classes (classification).
    leakage : LeakageReport or None
        The leakage checks, before the fits and after them.
    leaky : bool
        A failed leakage check was overridden with ``allow_leakage=True``.
    counts : dict of str to int
        Rows per set: ``n_labeled``, ``n_train``, ``n_validation``, ``n_unlabeled``,
        ``n_selected``, ``n_student_train``, ...
    teacher_confidence : pandas.Series of shape (n_unlabeled,) or None
        The first teacher's confidence for each unlabeled row.
    train_target : pandas.Series of shape (n_train,) or None
        The labels the teacher was fitted on.
    guard_used : bool
        The guard kept the teacher's predictions (the student did not score higher).
    final_model : {"student", "teacher"}
        The model behind ``predictions``.
    metrics_without_twins : pandas.DataFrame of shape (2, n_metrics) or None
        ``metrics`` on the validation rows without an identical train row, when some
        validation rows have one (``n_validation_twins`` counts them).
    n_validation_twins : int
        Validation rows with an identical train row.
    task_reason, headline, headline_reason : str
        Why ``task`` was chosen; the metric of the verdict and the guard, and why.
    notes : list of str
        Sentences about the input worth a look.
    warnings : pandas.DataFrame of shape (n_warnings, 5)
        The warnings raised in the engine's fits: ``role``, ``during``, ``category``,
        ``message``, ``count``.
    difference : Difference or None
        Student minus teacher on the scored rows with a paired 95% interval: the
        comparison with the supervised teacher on the same rows that [2]_ asks for.
    folds : list of PseudoLabelResult
        With ``cv``: each fold's own result.

    See Also
    --------
    pseudolabel_magic.run : makes it.
    pseudolabel_magic.LeakageReport : the ``leakage`` attribute.

    References
    ----------
    .. [1] D.-H. Lee, "Pseudo-Label: The Simple and Efficient Semi-Supervised Learning
       Method for Deep Neural Networks", ICML Workshop on Challenges in Representation
       Learning, 2013.
    .. [2] A. Oliver, A. Odena, C. Raffel, E. D. Cubuk and I. J. Goodfellow, "Realistic
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
    >>> result = pl.run(wine, target="target",
    ...                 teacher=make_pipeline(StandardScaler(), LogisticRegression()))
    >>> result.pseudo_labels.columns.tolist()
    ['pseudo_label', 'confidence', 'selected', 'round']
    >>> result.metrics.index.tolist()
    ['teacher', 'student']
    >>> result.final_model, result.leaky
    ('student', False)
    >>> result.student.predict(wine[result.config["features"]].head(3))
    array([0., 0., 0.])
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
    #: True when ``guard=True`` kept the teacher's predictions (the student did not score higher on
    #: validation); ``final_model`` names the model behind ``predictions``.
    guard_used: bool = False
    final_model: str = "student"
    #: teacher and student scored on the validation rows *without* an identical train row
    #: (None when no validation row has one); ``n_validation_twins`` counts those rows.
    metrics_without_twins: pd.DataFrame | None = None
    n_validation_twins: int = 0
    #: why ``task`` was used: ``"given: task='regression'"``, ``"from the teacher: ..."`` or
    #: ``"guessed: 'y' holds 3 whole-number values (at most 20 → classes)"``.
    task_reason: str = ""
    #: sentences about the input worth a look (a count-like target taken as classes, labels
    #: differing only by case); the ones about the labels were also shown as warnings.
    notes: list = field(default_factory=list)
    #: the warnings raised inside the engine's fits and predictions, one row per role, step
    #: and distinct warning: ``role``, ``during`` ("fit", "score", "predict"), ``category``,
    #: ``message``, ``count`` (how many fits or predictions raised it). The run showed one
    #: summary warning per distinct warning instead of each one.
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["role", "during", "category", "message", "count"]))
    #: student minus teacher on the scored rows with a paired 95% interval
    #: (:class:`~pseudolabel_magic.core.verdict.Difference`); ``verdict`` says it in words
    difference: Any = None
    #: the metric of the verdict and the guard, and why it was chosen
    headline: str = "accuracy"
    headline_reason: str = ""
    #: with ``cv``: each fold's own result (its teacher, student, scores and leakage report)
    folds: list = field(default_factory=list)

    def __deepcopy__(self, memo):
        """A deep copy; a lazy Dask ``predictions`` frame becomes a new frame over the same graph.

        Dask graphs are immutable and dask cannot deep-copy the node holding the final model
        (a ``Delayed``), so the copy shares that graph; every other field is deep-copied.
        """
        import copy

        new = object.__new__(type(self))
        memo[id(self)] = new
        if hasattr(self.predictions, "__dask_graph__"):
            memo[id(self.predictions)] = self.predictions.copy()
        for name, value in vars(self).items():
            setattr(new, name, copy.deepcopy(value, memo))
        return new

    # -- small helpers front ends share -------------------------------------------------
    @property
    def n_selected(self) -> int:
        """How many unlabeled rows the student got as pseudo-labels (over all rounds)."""
        return int(self.pseudo_labels["selected"].sum())

    @property
    def rounds_run(self) -> int:
        """How many teacher/student rounds ran (early stops included)."""
        return int(len(self.history))

    @property
    def labeled_class_counts(self) -> pd.Series:
        """Rows per class among the labels the teacher was fitted on, by class."""
        return self.train_target.value_counts().sort_index()

    @property
    def scored_where(self) -> str:
        """``"out-of-fold"`` when cross-fitted, else ``"validation"``."""
        return "out-of-fold" if self.config.get("cv") is not None else "validation"

    @property
    def verdict(self) -> str:
        """One sentence: did pseudo-labelling help, by how much, how sure, on how many rows.

        Student minus teacher on the same scored rows with a paired 95% bootstrap interval
        (:mod:`pseudolabel_magic.core.verdict`); "helped"/"hurt" only when the interval excludes
        zero. Empty when nothing was scored.
        """
        if self.difference is None:
            return ""
        text = self.difference.sentence()
        if self.guard_used:
            text += ("; so no pseudo-labels: the predictions are the teacher's" if
                     self.config.get("auto") else "; the predictions are the teacher's (guard)")
        if self.config.get("refit"):
            n = self.counts.get("n_labeled", len(self.train_index))
            text += f"; predictions from a refit on all {n:,} labeled rows (scored before it)"
        return text

    def summary(self) -> str:
        """One sentence: what was selected and how the student compares to the teacher.

        Returns
        -------
        str
            Rows pseudo-labelled, rounds, and teacher and student on the scored rows
            (marked LEAKY when a failed leakage check was overridden).
        """
        main = self.headline if self.headline in self.metrics.columns else (
            "accuracy" if self.task == "classification" else "r2")
        t, s = self.metrics.loc["teacher", main], self.metrics.loc["student", main]
        folds = self.config.get("folds")
        where = (f"out-of-fold ({folds} folds)" if folds else "validation")
        text = (f"{self.n_selected:,} of {len(self.pseudo_labels):,} unlabeled rows pseudo-labelled "
                f"in {self.rounds_run} round(s); {where} {main} on "
                f"{len(self.validation_index):,} rows: teacher {t:.3f}, student {s:.3f}")
        if self.guard_used:
            text += "; " + GUARD_NOTE.replace("validation", self.scored_where)
        if self.leaky:
            text = "LEAKY (allow_leakage=True, scores are not honest): " + text
        return text

    # -- front ends --------------------------------------------------------------------
    def diagram(self, states=None, highlight=None):
        """The data-flow diagram with this run's real counts.

        Parameters
        ----------
        states : dict of str to str, optional
            Step key (``pseudolabel_magic.steps.STEP_KEYS``) -> ``"pending"``,
            ``"running"``, ``"done"`` or ``"failed"``, to draw a run in progress; None
            draws the finished run.
        highlight : str, optional
            The step key to highlight.

        Returns
        -------
        Diagram
            Inline SVG (``_repr_html_``) with a text version.
        """
        from ..render.diagrams import flow_diagram

        return flow_diagram(self.counts, states=states, highlight=highlight, config=self.config,
                            leaky=self.leaky)

    def to_code(self) -> str:
        """The whole run as plain pandas + scikit-learn code, without this plugin.

        Returns
        -------
        str
            A script that repeats the recipe once the frames are bound; it starts with a
            ``# NOTE`` where it differs from the run (weights, rows kept out).
        """
        from ..render.source import to_code
        from .scoring import ensemble_spread
        from .selection import balance_classes

        code = to_code(self.config, balance_classes=balance_classes, ensemble_spread=ensemble_spread)
        if self.config.get("sample_weight_given"):
            code = ("# NOTE: the run weighted the labeled rows (sample_weight=...); this script "
                    "fits without those weights.\n" + code)
        kept_out = self.counts.get("n_kept_out", 0)
        if kept_out:
            code = (f"# NOTE: {kept_out} unlabeled row(s) duplicate a validation row; the run kept "
                    "them out of the student's training set and this script does not.\n" + code)
        return code

    def _twin_note(self) -> str:
        n_val = len(self.validation_index)
        if self.metrics_without_twins is None:
            if self.n_validation_twins and self.n_validation_twins == n_val:
                return (f"all {n_val:,} validation rows have an identical train row: there is no "
                        "twin-free score, so these scores may be optimistic")
            return ""
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
        """Histogram of the teacher's confidence on the unlabeled rows, the threshold marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; None makes a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            The chart.
        """
        from ..render.plots import plot_confidence

        return plot_confidence(self, ax=ax)

    def plot_classes(self, ax=None):
        """Class shares of the selected pseudo-labels beside the labeled ones (regression:
        the two target histograms).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; None makes a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            The chart.
        """
        from ..render.plots import plot_classes

        return plot_classes(self, ax=ax)

    def plot_metrics(self, ax=None):
        """Teacher and student on the scored rows, a pair of bars per metric (losses, where
        lower is better, on their own Axes below).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; None makes a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            The chart.
        """
        from ..render.plots import plot_metrics

        return plot_metrics(self, ax=ax)

    def plot_rounds(self, ax=None):
        """Rows selected per round, then the student's scores per round (a single round gets
        a short note instead).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; None makes a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            The chart.
        """
        from ..render.plots import plot_rounds

        return plot_rounds(self, ax=ax)

    # -- display -----------------------------------------------------------------------
    def _verdict(self) -> str:
        report = self.leakage
        if report is None:
            return "leakage: not checked"
        return getattr(report, "verdict", None) or ("leakage checks passed" if report.ok else "leakage checks FAILED")

    def _about(self) -> list:
        """The task's reason, the notes, and how many warnings the fits raised."""
        lines = [f"task: {self.task} ({self.task_reason})"] if self.task_reason else []
        lines += [f"note: {note}" for note in self.notes]
        if len(self.warnings):
            lines.append(f"{len(self.warnings)} distinct warning(s) from the fits, "
                         f"{int(self.warnings['count'].sum())} in all: see result.warnings")
        return lines

    def __repr__(self) -> str:
        lines = [f"PseudoLabelResult ({self.task})", self.summary()]
        if self.verdict:
            lines.append(self.verdict)
        lines.append(self._verdict())
        if self._twin_note():
            lines.append(self._twin_note())
        lines += self._about()
        lines.append(self._metrics_side_by_side().round(4).to_string())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        banner = f"<p><b>{esc(self.verdict)}</b></p>" if self.verdict else ""
        if self.leaky:
            banner += ('<p><b>LEAKY:</b> a leakage check failed and was overridden with '
                      'allow_leakage=True; these scores are not honest.</p>')
        metrics = self._metrics_side_by_side().round(4)
        if self._twin_note():
            banner += f"<p>{esc(self._twin_note())}</p>"
        banner += "".join(f"<p>{esc(line)}</p>" for line in self._about())
        if self.leaky:
            metrics = metrics.rename(index=lambda name: f"{name} (LEAKY)")
        svg = self.diagram()._repr_html_() if getattr(self, "show_diagram", True) else ""
        return (
            f"<div><p><b>PseudoLabelResult</b> ({esc(self.task)}): {esc(self.summary())}</p>"
            f"{banner}{svg}<p>{esc(self._verdict())}</p>"
            f"{metrics.to_html(escape=True, index_names=False)}</div>"
        )
