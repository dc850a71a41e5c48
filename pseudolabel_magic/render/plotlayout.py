"""The layout parts the charts of :mod:`.plots` share, so each reads in a 640 px column.

Categories run down horizontal bars that carry their values (long metric and class names
never collide), legends sit outside the data, right of the Axes, and titles wrap to the
Axes' width before layout. Metrics are grouped by scale (:func:`metric_families`):
accuracy-like scores (higher is better) never share an axis with log-loss or errors (lower
is better), so a chart that needs two scales splits its Axes' slot in two
(:func:`split_axes`), also an ``ax`` the caller passed. matplotlib is imported inside the
functions that need it.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd


# -- splitting an Axes, titles, legends ------------------------------------------------
def split_axes(ax, ratios: list, sharex: bool = False) -> list:
    """``ax`` and new Axes below it, sharing ax's slot in the figure by ``ratios``."""
    if len(ratios) == 1:
        return [ax]
    fig = ax.figure
    spec = ax.get_subplotspec()
    if spec is not None:
        hspace = 0.15  # constrained layout makes room for each Axes' labels itself
        if not _constrained(fig):  # room for tick labels and an x label between the Axes
            gap = 0.2 if sharex else 0.55  # inches
            slot = ax.get_position().height * fig.get_figheight()
            hspace = gap / max(0.2, (slot - gap * (len(ratios) - 1)) / len(ratios))
        grid = spec.subgridspec(len(ratios), 1, height_ratios=ratios, hspace=hspace)
        ax.set_subplotspec(grid[0])
        return [ax] + [fig.add_subplot(grid[i], sharex=ax if sharex else None)
                       for i in range(1, len(ratios))]
    box = ax.get_position()  # an Axes placed by hand: split its rectangle
    gap = 0.12 * box.height / len(ratios)
    heights = np.asarray(ratios, float) / sum(ratios) * (box.height - gap * (len(ratios) - 1))
    tops = box.y1 - np.concatenate([[0.0], np.cumsum(heights[:-1] + gap)])
    ax.set_position([box.x0, tops[0] - heights[0], box.width, heights[0]])
    return [ax] + [fig.add_axes([box.x0, tops[i] - heights[i], box.width, heights[i]],
                                sharex=ax if sharex else None) for i in range(1, len(ratios))]


def _constrained(fig) -> bool:
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    return isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)


def fit_title(ax, head: str, detail: str = "") -> None:
    """Title ``head: detail`` on one line when it fits the Axes, else ``detail`` below ``head``.

    The width is counted in characters of the title font (DejaVu Sans averages about 0.5 em
    a character), so it holds before layout; long parts wrap at spaces.
    """
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=rcParams["axes.titlesize"]).get_size_in_points()
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    chars = max(28, int(width_pt / (0.52 * size)))
    text = f"{head}: {detail}" if detail else head
    parts = [text] if len(text) <= chars or not detail else [head, detail]
    ax.set_title("\n".join(textwrap.fill(part, chars, break_on_hyphens=False) for part in parts))


def legend_right(ax, **kwargs):
    """A legend outside the data, right of the Axes (constrained layout makes room)."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                     frameon=False, **kwargs)


# -- metric families: one scale per axis -----------------------------------------------
def lower_is_better(name) -> bool:
    """True for losses and errors (log_loss, mae, rmse, mse, ...), False for scores."""
    name = str(name).lower()
    return any(word in name for word in ("loss", "error", "mae", "mse"))


def metric_families(values: pd.DataFrame, task: str) -> list:
    """``[(columns, what, direction, (low, high) or None)]``: scores first, then losses/errors.

    Columns whose values are all missing are left out (a model without ``predict_proba``
    has no log-loss). ``(low, high)`` is the bar axis a score family needs (0 to 1 when
    every score is in it).
    """
    values = values.loc[:, values.notna().any()]
    higher = [c for c in values.columns if not lower_is_better(c)]
    lower = [c for c in values.columns if lower_is_better(c)]
    out = []
    if higher:
        data = values[higher].to_numpy(float)
        low, high = float(np.nanmin(data)), float(np.nanmax(data))
        what = "R²" if [str(c) for c in higher] == ["r2"] else "score"
        if task == "regression" or low < 0 or high > 1:
            out.append((higher, what, "higher is better", (min(0.0, low - 0.05), max(1.0, high))))
        else:
            out.append((higher, what, "higher is better", (0.0, 1.0)))
    if lower:
        names = [str(c) for c in lower]
        if names == ["log_loss"]:
            what = "log-loss"
        elif task == "regression" and set(names) <= {"mae", "rmse"}:
            what = "error"
        else:
            what = ", ".join(names)
        out.append((lower, what, "lower is better", None))
    return out


def label_bars(ax, bars, values, span: float, fmt: str) -> None:
    """Each bar's value at its end: inside (white) when the bar is long enough, else after it."""
    for bar, value in zip(bars, values):
        y = bar.get_y() + bar.get_height() / 2
        if not np.isfinite(value):
            ax.text(0, y, " n/a", va="center", ha="left", fontsize=8, color="0.3")
            continue
        inside = abs(value) > 0.3 * span
        sign = 1 if value >= 0 else -1
        ax.annotate(fmt.format(value), (value, y), xytext=(-3 * sign if inside else 3 * sign, 0),
                    textcoords="offset points", va="center", fontsize=8,
                    ha=("right" if sign > 0 else "left") if inside else ("left" if sign > 0 else "right"),
                    color="white" if inside else "0.15")


def paired_barh(ax, names: list, series: list, fmt: str, span: float) -> None:
    """Two horizontal bars per name (first series on top), names down the y axis."""
    y = np.arange(len(names))
    for i, (label, values, color) in enumerate(series):
        bars = ax.barh(y + (i - 0.5) * 0.4, values, height=0.38, color=color, label=label)
        if fmt:
            label_bars(ax, bars, values, span, fmt)
    ax.set_yticks(y, names)
    ax.set_ylim(len(names) - 0.5, -0.5)  # first name on top
