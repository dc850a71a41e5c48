"""The panel's small renderers: plain data in, escaped HTML text (or one widget) out.

Each function takes what a run gives (counts and step states, a result, a leakage report, a
comparison, a message) and returns HTML text, or for a plot a titled image widget; none
keeps state or decides when it is called (the panel and its widget groups do). A drawing
that cannot be made becomes a short note instead of an error, so one missing picture never
stops a run. ipywidgets, pandas' Styler and matplotlib are used inside the functions only,
so importing this module costs nothing.
"""

from __future__ import annotations

import html
import re

from ..steps import STEPS

#: Colours of the fallback step list (used only when the SVG diagram cannot be drawn).
_STATE_COLOURS = {"pending": "#888888", "running": "#1f6fd1", "done": "#2e8540", "failed": "#c62828"}


def _unavailable(what: str, err: Exception) -> str:
    return (f"<p><i>{html.escape(what)} is not available: "
            f"{html.escape(type(err).__name__)}: {html.escape(str(err))}</i></p>")


def fit_svg(svg: str) -> str:
    """An inline SVG at most as wide as drawn, shrinking with the panel (its viewBox keeps
    the proportions; the SVG itself is ``width="100%"``)."""
    match = re.search(r'viewBox="0 0 ([0-9.]+) ', svg)
    cap = f' style="max-width:{float(match.group(1)):g}px"' if match else ""
    return f"<div{cap}>{svg}</div>"


def steps_html(states: dict, highlight: str | None = None) -> str:
    """The five steps with their states, as an escaped HTML list (the diagram's text twin)."""
    items = []
    for key, number, title in STEPS:
        state = states.get(key, "pending")
        text = f"{number}. {title} [{state}]"
        colour = _STATE_COLOURS.get(state, "#888888")
        weight = "bold" if key == highlight else "normal"
        items.append(f'<li style="color:{colour};font-weight:{weight}">{html.escape(text)}</li>')
    return f'<ol class="pl-steps" style="list-style:none;padding-left:0">{"".join(items)}</ol>'


def flow_html(counts: dict, states: dict | None = None, highlight: str | None = None,
              config: dict | None = None, leaky: bool = False, failed: str | None = None) -> str:
    """The data-flow diagram as inline SVG, falling back to the step list if it cannot draw."""
    try:
        from ..render.diagrams import flow_diagram

        svg = flow_diagram(dict(counts), states=dict(states or {}), highlight=highlight,
                           config=config, leaky=leaky, failed=failed).svg
    except Exception as err:  # noqa: BLE001 - a missing drawing must not stop a run
        return steps_html(states or {}, highlight) + _unavailable("The data-flow diagram", err)
    return f'<div class="pl-flow">{fit_svg(svg)}</div>'


def leakage_html(report) -> str:
    """A leakage report: its diagram (if it can be drawn) above its table of checks."""
    parts = []
    try:
        parts.append(f'<div class="pl-leakage-diagram">{fit_svg(report.diagram().svg)}</div>')
    except Exception as err:  # noqa: BLE001
        parts.append(_unavailable("The leakage diagram", err))
    try:
        parts.append(report._repr_html_())
    except Exception:  # noqa: BLE001 - fall back to the escaped text form
        parts.append(f"<pre>{html.escape(repr(report))}</pre>")
    return "".join(parts)


def styled_table(table, caption: str = "") -> str:
    """A small table as pandas' Styler writes it: 3 decimals, no index-name row, escaped."""
    table = table.copy()
    table.index.name = None
    table.columns.name = None
    styler = table.style.format(precision=3, escape="html", na_rep="\u2013")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    styler = styler.set_table_styles([
        {"selector": "th, td", "props": "padding: 2px 10px; text-align: right;"},
        {"selector": "th.row_heading", "props": "text-align: left;"},
        {"selector": "caption", "props": "caption-side: top; text-align: left; color: #4a5560;"},
    ])
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler.to_html()


def direction_names(columns) -> dict:
    """``{"log_loss": "log_loss (lower is better)"}`` for the losses and errors among columns."""
    from ..render.plots import lower_is_better

    return {c: f"{c} (lower is better)" for c in columns if lower_is_better(c)}


def metrics_html(result) -> str:
    """The verdict, then teacher vs student on validation with the rows each was scored on."""
    metrics = result.metrics.copy()
    if getattr(result, "leaky", False):
        metrics = metrics.rename(index=lambda name: f"{name} (LEAKY)")
    index = getattr(result, "validation_index", None)
    n_val = 0 if index is None else len(index)
    metrics.insert(0, "rows scored", n_val)
    metrics = metrics.rename(columns=direction_names(metrics.columns))
    verdict = getattr(result, "verdict", "") or ""
    head = f'<p class="pl-verdict"><b>{html.escape(verdict)}</b></p>' if verdict else ""
    summary = html.escape(result.summary())
    where = getattr(result, "scored_where", "validation")
    caption = f"Teacher vs student on the same {n_val:,} {where} rows (higher is better unless marked)"
    return (f'{head}<p class="pl-summary">{summary}</p>'
            f'<div class="pl-metrics">{styled_table(metrics, caption)}</div>')


def error_html(message: str, report=None) -> str:
    """One short red line (never a traceback), with the leakage report when a check failed."""
    text = (f'<div class="pl-error" style="color:#c62828"><b>Could not run:</b> '
            f'{html.escape(message)}</div>')
    if report is not None:
        text += leakage_html(report)
    return text


def plot_widget(title: str, draw):
    """A titled PNG image of one plot, or a short note when it cannot be drawn."""
    import ipywidgets as widgets

    from ..render.plots import CSS_WIDTH, figure_png

    heading = widgets.HTML(f"<b>{html.escape(title)}</b>")
    try:  # a 2x PNG shown at CSS_WIDTH px: sharp on any screen, shrinks with the panel
        image = widgets.Image(value=figure_png(draw), format="png", width=str(CSS_WIDTH))
    except Exception as err:  # noqa: BLE001 - one failed plot must not hide the others
        return widgets.VBox([heading, widgets.HTML(_unavailable(title, err))])
    return widgets.VBox([heading, image])


def comparison_html(comparison) -> str:
    """A ComparisonResult's headline sentence above its table; every cell escaped."""
    table = comparison.table.rename(columns=direction_names(comparison.table.columns))
    return (f'<p class="pl-compare-summary">{html.escape(comparison.headline())}</p>'
            f'<div class="pl-compare-table">{styled_table(table)}</div>')
