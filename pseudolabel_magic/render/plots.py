"""matplotlib views of a run; each returns the Axes it drew on so users can restyle it.

Every chart is laid out for a 640 px column (the panel, a notebook cell): figures are
``WIDTH`` inches wide at 100 dpi with constrained layout, drawn with the parts of
:mod:`.plotlayout`, and titles carry the row counts; a chart that needs two scales stacks
one Axes per scale under the one returned (``ax.figure.axes`` has them all). For crisp
output :func:`figure_png` renders at ``PNG_SCALE`` times the display size, to be shown
``CSS_WIDTH`` px wide; in a notebook ``%config InlineBackend.figure_formats = ["retina"]``
gives the same 2x PNG (a plot function cannot choose the inline backend's format, and a
higher dpi would show the figure twice as large, not twice as sharp). matplotlib is
imported inside each function, as ``import pseudolabel_magic`` must stay fast for
``%load_ext`` and most runs are never plotted; a leaky run (``allow_leakage=True``) says so
in the title of every plot that shows a score.
"""

from __future__ import annotations

import io
import weakref

import numpy as np
import pandas as pd

from .plotlayout import (
    fit_title,
    label_bars,
    legend_right,
    lower_is_better,
    metric_families,
    paired_barh,
    split_axes,
)

_TEACHER, _STUDENT, _LABELED, _PSEUDO = "#4c78a8", "#f58518", "#4c78a8", "#f58518"
_THRESHOLD = "#d62728"

#: Figure width in inches; at 100 dpi a chart is 640 px wide, the panel's plot column.
WIDTH = 6.4
DPI = 100
#: :func:`figure_png` draws this many image pixels per display pixel.
PNG_SCALE = 2
CSS_WIDTH = int(WIDTH * DPI)

_MAX_CLASSES = 20  # more classes than this: the rarest are summed into one "other" row
_ROW_INCHES = 0.42  # one metric or class (two bars) in a horizontal bar chart
_OWNED: weakref.WeakSet = weakref.WeakSet()  # figures made here, which may be resized


# -- figures ---------------------------------------------------------------------------
def _axes(ax, height: float):
    """``ax``, or a new constrained-layout pyplot figure ``WIDTH`` x ``height`` inches.

    A figure made here (or by :func:`figure_png`) and still holding one Axes takes the
    height the chart asks for; a figure of the caller's is never resized.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(WIDTH, height), layout="constrained")
        _OWNED.add(fig)
    elif ax.figure in _OWNED and len(ax.figure.axes) == 1:
        ax.figure.set_figheight(height)
    return ax


def figure_png(draw, *, height: float = 3.4) -> bytes:
    """PNG bytes of ``draw(ax)`` on a fresh figure, ``PNG_SCALE`` x sharper than its size.

    The figure is ``WIDTH`` inches wide at ``DPI`` (``CSS_WIDTH`` px on screen); the PNG has
    ``PNG_SCALE`` times as many pixels, so show it ``CSS_WIDTH`` px wide, e.g.
    ``ipywidgets.Image(value=png, format="png", width=str(CSS_WIDTH))``. No pyplot state is
    touched (nothing is shown later by the inline backend). ``draw`` may be any plot function
    of this module or ``ComparisonResult.plot``; this module's charts set their own height.
    """
    buf = io.BytesIO()
    _draw_figure(draw, height).savefig(buf, format="png", dpi=DPI * PNG_SCALE)
    return buf.getvalue()


def _draw_figure(draw, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    _OWNED.add(fig)
    draw(fig.subplots())
    return fig


# -- what the titles say ---------------------------------------------------------------
def _leaky_title(result, title: str) -> str:
    return ("LEAKY (allow_leakage=True): " + title) if getattr(result, "leaky", False) else title


def _config(result) -> dict:
    return getattr(result, "config", None) or {}


def _rows(n: int, noun: str) -> str:
    """``"1,234 unlabeled rows"``; ``"1 unlabeled row"``."""
    return f"{n:,} {noun}" if n != 1 else f"1 {noun.removesuffix('s')}"


def _n_validation(result):
    index = getattr(result, "validation_index", None)
    if index is not None:
        return len(index)
    return (getattr(result, "counts", None) or {}).get("n_validation")


# -- the four charts -------------------------------------------------------------------
def plot_confidence(result, ax=None):
    """Histogram of the teacher's confidence on the unlabeled rows, threshold marked."""
    ax = _axes(ax, 3.2)
    conf = getattr(result, "teacher_confidence", None)
    if conf is None:
        conf = result.pseudo_labels["confidence"]
    conf = pd.Series(conf).dropna()
    n_selected = int(result.pseudo_labels["selected"].sum())
    cfg = _config(result)
    history = getattr(result, "history", None)
    rounds = len(history) if isinstance(history, pd.DataFrame) else 0
    detail = f"{n_selected:,} selected" + (f" in {rounds} rounds" if rounds > 1 else "")
    ax.set_xlabel("teacher confidence (round 1)" if rounds > 1 else "teacher confidence")
    ax.set_ylabel("unlabeled rows")
    fit_title(ax, f"Teacher confidence on {_rows(len(conf), 'unlabeled rows')}", detail)
    if not len(conf):
        ax.text(0.5, 0.5, "no confidence: the teacher gives none,\nso every row was pseudo-labelled",
                transform=ax.transAxes, ha="center", va="center")
        return ax
    ax.hist(conf.to_numpy(dtype=float), bins=30, color=_TEACHER, edgecolor="white")
    threshold = cfg.get("threshold")
    if threshold is not None and cfg.get("select", "threshold") == "threshold":
        ax.axvline(float(threshold), color=_THRESHOLD, linestyle="--", linewidth=2)
        low, high = ax.get_xlim()
        right_side = (float(threshold) - low) < 0.6 * (high - low)
        ax.annotate(f"threshold {threshold}", (float(threshold), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4 if right_side else -4, -4), textcoords="offset points",
                    ha="left" if right_side else "right", va="top", color=_THRESHOLD, fontsize=9,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none",
                          "alpha": 0.85})
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


def _short(name, limit: int = 24) -> str:
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def plot_classes(result, ax=None):
    """Pseudo-label class mix of the selected rows next to the labeled mix (shares, not counts).

    Classes run down the y axis, labeled bar above pseudo-label bar; beyond 20 classes the
    rarest are summed into one "other" row. Regression compares the two target histograms.
    """
    pl = result.pseudo_labels
    pseudo = pl.loc[pl["selected"].astype(bool), "pseudo_label"]
    labeled = _labeled_target(result)
    names = (f"labeled ({len(labeled):,})", f"pseudo-labels ({len(pseudo):,})")
    counts = (f"{_rows(len(pseudo), 'selected pseudo-labels')} vs "
              f"{_rows(len(labeled), 'labeled train rows')}")
    if getattr(result, "task", "classification") == "regression":
        ax = _axes(ax, 3.2)
        both = np.concatenate([labeled.to_numpy(float), pseudo.to_numpy(float)])
        bins = np.histogram_bin_edges(both, 30)
        for values, name, color in ((labeled, names[0], _LABELED), (pseudo, names[1], _PSEUDO)):
            ax.hist(values.to_numpy(float), bins=bins, density=True, alpha=0.6, color=color, label=name)
        ax.set_xlabel("target")
        ax.set_ylabel("density")
        legend_right(ax)
        fit_title(ax, "Target distribution", counts)
        return ax
    mix = pd.DataFrame({names[0]: labeled.value_counts(normalize=True),
                        names[1]: pseudo.value_counts(normalize=True)}).fillna(0.0)
    if len(mix) > _MAX_CLASSES:
        order = mix.sum(axis=1).sort_values(ascending=False).index
        kept, rest = order[: _MAX_CLASSES - 1], order[_MAX_CLASSES - 1:]
        mix = pd.concat([mix.loc[kept], mix.loc[rest].sum().to_frame(f"other ({len(rest)} classes)").T])
    ax = _axes(ax, 1.3 + _ROW_INCHES * len(mix))
    span = float(mix.to_numpy().max()) or 1.0
    paired_barh(ax, [_short(c) for c in mix.index],
                 [(name, mix[name].to_numpy(), color) for name, color in zip(names, (_LABELED, _PSEUDO))],
                 "{:.0%}" if len(mix) <= 8 else "", span)
    ax.set_xlim(0, span * 1.08)
    ax.xaxis.set_major_formatter("{x:.0%}")
    ax.set_xlabel("share of rows")
    ax.set_ylabel("class")
    legend_right(ax)
    fit_title(ax, "Class mix", counts)
    return ax


def plot_metrics(result, ax=None):
    """Teacher vs student on validation: horizontal bar pairs, one Axes per kind of metric.

    Scores (accuracy, balanced_accuracy, f1_macro; r2) share the returned Axes; losses and
    errors (log_loss; mae, rmse), where lower is better, get their own Axes below it.
    """
    metrics = result.metrics.select_dtypes("number")
    rows = [r for r in ("teacher", "student") if r in metrics.index]
    families = metric_families(metrics.loc[rows], getattr(result, "task", "classification")) or \
        [(list(metrics.columns), "score", "no values", None)]
    sizes = [len(family[0]) for family in families]
    ax = _axes(ax, 0.6 + 0.75 * len(families) + _ROW_INCHES * sum(sizes))
    axes = split_axes(ax, sizes)
    for part, (cols, what, direction, limits) in zip(axes, families):
        values = metrics.loc[rows, cols].to_numpy(float)
        finite = values[np.isfinite(values)]
        if limits is None:
            high = float(finite.max()) * 1.12 if finite.size else 1.0
            limits = (min(0.0, float(finite.min(initial=0.0))), high or 1.0)
        span = limits[1] - limits[0]
        series = [(role, values[i], color)
                  for i, (role, color) in enumerate(zip(rows, (_TEACHER, _STUDENT)))]
        paired_barh(part, [str(c) for c in cols], series, "{:.3f}", span)
        part.set_xlim(*limits)
        scale = ", 0 to 1" if what == "score" and limits == (0.0, 1.0) else ""
        part.set_xlabel(f"{what}{scale} on validation ({direction})")
    legend_right(ax)
    n_val = _n_validation(result)
    where = f"{_rows(n_val, 'validation rows')}" if n_val is not None else "validation"
    fit_title(ax, _leaky_title(result, f"Teacher vs student on {where}"))
    return ax


def _score_columns(history: pd.DataFrame) -> list:
    return [c for c in history.columns
            if str(c).startswith(("student_", "score")) and pd.api.types.is_numeric_dtype(history[c])]


def _one_round_note(result, history: pd.DataFrame) -> str:
    cfg = _config(result)
    asked = cfg.get("rounds") or 1
    n = int(history["n_selected"].iloc[0]) if len(history) else 0
    n_pool = len(result.pseudo_labels) if hasattr(result, "pseudo_labels") else None
    of_pool = f" of {n_pool:,}" if n_pool is not None else ""
    lines = [f"One round: {n:,}{of_pool} unlabeled rows selected."]
    scores = [c for c in _score_columns(history) if not lower_is_better(c)]
    metrics = getattr(result, "metrics", None)
    if scores and len(history):
        name = str(scores[0]).removeprefix("student_")
        line = f"Student {name} on validation: {history[scores[0]].iloc[0]:.3f}"
        if isinstance(metrics, pd.DataFrame) and name in metrics and "teacher" in metrics.index:
            line += f" (teacher {metrics.loc['teacher', name]:.3f})"
        lines.append(line + ".")
    if asked > 1:
        lines.append(f"Stopped after round 1 of {asked}: round 2 selected no new rows.")
    else:
        lines.append("A per-round chart needs rounds=2 or more.")
    return "\n".join(lines)


def plot_rounds(result, ax=None):
    """Rows selected per round (bars), then the student's validation scores per round (lines).

    Scores and losses get separate Axes below the returned one (sharing its round axis). A
    run with one round has nothing to compare: the Axes says so in words instead.
    """
    history = result.history
    if len(history) <= 1:
        ax = _axes(ax, 1.7)
        ax.set_axis_off()
        ax.text(0.5, 0.5, _one_round_note(result, history), transform=ax.transAxes,
                ha="center", va="center", linespacing=1.6)
        fit_title(ax, _leaky_title(result, "Rounds: this run had one round"))
        return ax
    rounds = history["round"].to_numpy() if "round" in history else np.arange(1, len(history) + 1)
    scores = _score_columns(history)
    lines = history[scores].rename(columns=lambda c: str(c).removeprefix("student_"))
    families = metric_families(lines, getattr(result, "task", "classification"))
    ax = _axes(ax, 1.0 + 1.35 * (1 + len(families)))
    axes = split_axes(ax, [1] * (1 + len(families)), sharex=True)
    bars = ax.bar(rounds, history["n_selected"].to_numpy(), color=_PSEUDO, alpha=0.85, width=0.6)
    ax.bar_label(bars, fmt="{:,.0f}", fontsize=8, padding=2)
    ax.set_ylim(0, max(1.0, float(history["n_selected"].max())) * 1.25)
    ax.set_ylabel("rows selected")
    ax.set_xticks(rounds)
    styles = {name: (f"C{i}", "osD^v<>"[i % 7]) for i, name in enumerate(lines.columns)}
    for part, (cols, what, direction, _) in zip(axes[1:], families):
        for col in cols:  # equal scores would hide each other: each metric has its marker
            color, marker = styles[col]
            part.plot(rounds, lines[col].to_numpy(dtype=float), marker=marker, color=color,
                      markersize=5, label=col)
        values = lines[cols].to_numpy(float)
        low, high = np.nanmin(values), np.nanmax(values)
        pad = max(0.01, 0.15 * (high - low))  # lines need no zero; no noise blown up either
        part.set_ylim(low - pad, high + pad)
        part.set_ylabel(f"student {what}")
        legend_right(part, fontsize=9, title=direction, title_fontsize=9,
                      alignment="left")
    for part in axes[:-1]:
        part.tick_params(labelbottom=False)
    axes[-1].set_xlabel("round")
    n_pool = len(result.pseudo_labels)
    fit_title(ax, _leaky_title(result, f"{len(history)} rounds on {_rows(n_pool, 'unlabeled rows')}"),
           "rows selected and student validation scores")
    return ax


def plot_comparison(comparison, ax=None):
    """``ComparisonResult.plot``: validation score per strategy, supervised teacher marked.

    Bars start at zero (a one-row difference on a small validation set must not look like a
    landslide) and carry their values; the x label says which way is better.
    """
    metric = comparison.metric
    scores = comparison.table[metric].astype(float)
    ax = _axes(ax, 1.2 + 0.3 * len(scores))
    y = np.arange(len(scores))
    bars = ax.barh(y, scores.to_numpy(), height=0.7,
                   color=["0.55" if name == "supervised" else _TEACHER for name in scores.index])
    finite = scores[np.isfinite(scores)]
    low = min(0.0, float(finite.min())) if len(finite) else 0.0
    high = 1.0 if len(finite) and finite.between(0, 1).all() and not lower_is_better(metric) \
        else (float(finite.max()) * 1.12 if len(finite) else 1.0) or 1.0
    label_bars(ax, bars, scores.to_numpy(), high - low, "{:.3f}")
    if "supervised" in scores.index and np.isfinite(scores["supervised"]):
        ax.axvline(scores["supervised"], color="0.3", linestyle="--", linewidth=1, zorder=0.5)
    ax.set_yticks(y, [_short(name, 28) for name in scores.index])
    ax.set_ylim(len(y) - 0.5, -0.5)
    ax.set_xlim(low, high)
    ax.set_xlabel(f"validation {metric} ({'lower' if lower_is_better(metric) else 'higher'} is better)")
    runs = [r for r in comparison.results.values() if r is not None]
    n_val = _n_validation(runs[0]) if runs else None
    fit_title(ax, "Pseudo-label strategies on the same split",
           _rows(n_val, "validation rows") if n_val is not None else "")
    return ax
