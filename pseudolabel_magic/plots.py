"""matplotlib views of a run; each returns the Axes it drew on so users can restyle it.

matplotlib is imported inside each function: ``import pseudolabel_magic`` must stay fast
for ``%load_ext``, and most runs are never plotted. A leaky run (``allow_leakage=True``)
says so in the title of every plot that shows a score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_TEACHER, _STUDENT, _LABELED, _PSEUDO = "#4c78a8", "#f58518", "#4c78a8", "#f58518"


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.5))
    return ax


def _leaky_title(result, title: str) -> str:
    return ("LEAKY (allow_leakage=True): " + title) if getattr(result, "leaky", False) else title


def _config(result) -> dict:
    return getattr(result, "config", None) or {}


def plot_confidence(result, ax=None):
    """Histogram of the teacher's confidence on the unlabeled rows, threshold marked."""
    ax = _axes(ax)
    conf = getattr(result, "teacher_confidence", None)
    if conf is None:
        conf = result.pseudo_labels["confidence"]
    conf = pd.Series(conf).dropna()
    ax.hist(conf.to_numpy(dtype=float), bins=30, color=_TEACHER, edgecolor="white")
    cfg = _config(result)
    threshold = cfg.get("threshold")
    if threshold is not None and cfg.get("select", "threshold") == "threshold":
        ax.axvline(float(threshold), color="#d62728", linestyle="--", linewidth=2,
                   label=f"threshold {threshold}")
        ax.legend(loc="upper left")
    n_selected = int(result.pseudo_labels["selected"].sum())
    ax.set_xlabel("teacher confidence")
    ax.set_ylabel("unlabeled rows")
    ax.set_title(f"Teacher confidence on {len(conf):,} unlabeled rows; {n_selected:,} selected")
    return ax


def _labeled_target(result) -> pd.Series:
    for name in ("train_target", "labeled_target"):
        values = getattr(result, name, None)
        if values is not None:
            return pd.Series(values)
    counts = getattr(result, "labeled_target_counts", None)
    if counts is not None:
        return pd.Series(np.repeat(counts.index.to_numpy(), counts.to_numpy()))
    raise AttributeError("the result has no labeled target to compare the pseudo-labels with")


def plot_classes(result, ax=None):
    """Pseudo-label class mix of the selected rows next to the labeled mix (shares, not counts)."""
    ax = _axes(ax)
    pl = result.pseudo_labels
    pseudo = pl.loc[pl["selected"].astype(bool), "pseudo_label"]
    labeled = _labeled_target(result)
    if getattr(result, "task", "classification") == "regression":
        bins = np.histogram_bin_edges(np.concatenate([labeled.to_numpy(float), pseudo.to_numpy(float)]), 30)
        ax.hist(labeled.to_numpy(float), bins=bins, density=True, alpha=0.6, color=_LABELED,
                label=f"labeled ({len(labeled):,})")
        ax.hist(pseudo.to_numpy(float), bins=bins, density=True, alpha=0.6, color=_PSEUDO,
                label=f"pseudo-labels ({len(pseudo):,})")
        ax.set_xlabel("target")
        ax.set_ylabel("density")
    else:
        mix = pd.DataFrame({
            f"labeled ({len(labeled):,})": labeled.value_counts(normalize=True),
            f"pseudo-labels ({len(pseudo):,})": pseudo.value_counts(normalize=True),
        }).fillna(0.0)
        mix.index = mix.index.map(str)
        x = np.arange(len(mix))
        for i, (name, color) in enumerate(zip(mix.columns, (_LABELED, _PSEUDO))):
            ax.bar(x + (i - 0.5) * 0.4, mix[name].to_numpy(), width=0.4, color=color, label=name)
        ax.set_xticks(x, list(mix.index))
        ax.set_xlabel("class")
        ax.set_ylabel("share of rows")
    ax.legend()
    ax.set_title("Class mix: selected pseudo-labels vs labeled train")
    return ax


def plot_metrics(result, ax=None):
    """Teacher vs student on validation, one pair of bars per metric."""
    ax = _axes(ax)
    metrics = result.metrics.select_dtypes("number")
    rows = [r for r in ("teacher", "student") if r in metrics.index]
    x = np.arange(len(metrics.columns))
    for i, (role, color) in enumerate(zip(rows, (_TEACHER, _STUDENT))):
        values = metrics.loc[role].to_numpy(dtype=float)
        bars = ax.bar(x + (i - 0.5) * 0.4, values, width=0.4, color=color, label=role)
        ax.bar_label(bars, fmt="%.3f", fontsize=8)
    ax.set_xticks(x, [str(c) for c in metrics.columns])
    ax.set_ylabel("score on validation")
    ax.legend()
    ax.set_title(_leaky_title(result, "Teacher vs student on validation"))
    return ax


def _score_columns(history: pd.DataFrame) -> list:
    return [c for c in history.columns
            if str(c).startswith(("student_", "score")) and pd.api.types.is_numeric_dtype(history[c])]


def plot_rounds(result, ax=None):
    """Rows selected per round (bars) and the student's validation scores (lines, right axis)."""
    ax = _axes(ax)
    history = result.history
    rounds = history["round"].to_numpy() if "round" in history else np.arange(1, len(history) + 1)
    ax.bar(rounds, history["n_selected"].to_numpy(), color=_PSEUDO, alpha=0.8,
           label="rows selected this round")
    ax.set_xlabel("round")
    ax.set_ylabel("rows selected")
    ax.set_xticks(rounds)
    scores = _score_columns(history)
    if scores:
        right = ax.twinx()
        for col in scores:
            right.plot(rounds, history[col].to_numpy(dtype=float), marker="o",
                       label=str(col).removeprefix("student_"))
        right.set_ylabel("student score on validation")
        right.legend(loc="upper right")
    ax.legend(loc="upper left")
    ax.set_title(_leaky_title(result, "Per-round selection and scores"))
    return ax
