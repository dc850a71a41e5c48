"""Small, dumb renderers the panel puts into core ipywidgets: diagrams, tables, plots, messages.

Each function takes plain data (counts, a result, a message) and returns HTML text or a
widget; the panel decides when to call them. ipywidgets and matplotlib are imported inside
the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import html
import re

from ..steps import STEPS
from .choices import guess_target

__all__ = ["guess_target"]  # kept importable from here

#: Tab titles, in order.
TAB_TITLES = ("Data flow", "Leakage check", "Metrics", "Plots", "Code", "Compare")
#: Index of the "Compare" tab (filled by the Compare button, kept across runs).
COMPARE_TAB = TAB_TITLES.index("Compare")
_DESCRIPTION = {"description_width": "110px"}

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


#: The box each step's own failure (a model raising) is drawn on.
_STEP_BOX = {"split": "labeled", "teacher": "teacher", "pseudo_label": "pseudo",
             "combine": "combine", "student": "student"}


def failed_box(message: str, step: str | None, leakage: bool = False,
               model_error: bool = False) -> str | None:
    """The diagram box a failure is about: the frame a refusal names, or the failing step's.

    A leakage refusal is about the validation rows; a model that raised, about its step; a
    refusal of the inputs, about the frame its sentence starts with.
    """
    if leakage:
        return "validation"
    text = message.lower()
    if not model_error:
        for words, box in (("the unlabeled", "unlabeled"), ("unlabeled", "unlabeled"),
                           ("too few labeled", "labeled"), ("the labeled", "labeled"),
                           ("target", "labeled"), ("the validation", "validation"),
                           ("teacher", "teacher"), ("student", "student")):
            if words in text:
                return box
    return _STEP_BOX.get(step)


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


def in_panel_words(message: str) -> str:
    """An engine message in the panel's words: its controls, not ``run()``'s arguments."""
    import re

    from ..leakage.report import OVERRIDE_HINT

    message = message.replace(
        OVERRIDE_HINT, "The panel runs only honest splits; to look at leaky scores anyway, copy "
        "the cell from the Code tab and add 'allow_leakage: true'.")
    for pattern, words in _PANEL_WORDS:
        message = re.sub(pattern, words, message)
    return message


#: (regular expression, the panel's words) for the API phrases engine messages use.
_PANEL_WORDS = (
    (r"pass unlabeled=<DataFrame> or leave the target missing",
     "choose an unlabeled frame, or a labeled frame whose target is missing"),
    (r"or pass unlabeled=None to use them as the unlabeled set",
     "or choose '(labeled rows with no target)' as unlabeled to use them as the unlabeled set"),
    (r"lower val_size, or pass validation=<DataFrame>",
     "lower the validation size, or choose a validation frame"),
    (r"pass (unlabeled|validation|labeled)=<DataFrame>", r"choose a \1 frame"),
    (r"pass features=\[\.\.\.\] without them",
     "untick 'all other columns as features' and choose the features without them"),
    (r"\bval_size=", "validation size "),
    (r"\brandom_state\b", "seed"),
    (r"\bk_best=", "k-best "),
)


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


def build(p):
    """Create the panel's widgets as attributes of ``p`` and return the top VBox (layout only)."""
    import ipywidgets as W

    wide = W.Layout(width="340px")

    # -- data
    p.labeled = W.Dropdown(description="labeled", style=_DESCRIPTION, layout=wide)
    p.unlabeled = W.Dropdown(description="unlabeled", style=_DESCRIPTION, layout=wide)
    p.validation = W.Dropdown(description="validation", style=_DESCRIPTION, layout=wide)
    p.refresh_button = W.Button(description="Refresh", icon="refresh",
                                tooltip="List the notebook's DataFrames and estimators again")
    p.target = W.Dropdown(description="target", style=_DESCRIPTION, layout=wide)
    p.all_features = W.Checkbox(value=True, description="all other columns as features",
                                indent=False)
    p.features = W.SelectMultiple(description="features", rows=5, disabled=True,
                                  style=_DESCRIPTION, layout=wide)
    # -- models
    p.teacher = W.Dropdown(description="teacher", style=_DESCRIPTION, layout=wide)
    p.student = W.Dropdown(description="student", style=_DESCRIPTION, layout=wide)
    # -- recipe
    p.select = W.Dropdown(options=[("all pseudo-labels", "all"),
                                   ("above a confidence threshold", "threshold"),
                                   ("k most confident per round", "k-best"),
                                   ("auto (the benchmark's best, guarded)", "auto")],
                          value="all", description="select", style=_DESCRIPTION, layout=wide)
    p.threshold = W.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.01, disabled=True,
                                description="threshold", readout_format=".2f",
                                style=_DESCRIPTION, layout=wide)
    p.k_best = W.BoundedIntText(value=100, min=1, max=10**9, disabled=True,
                                description="k-best", style=_DESCRIPTION, layout=wide)
    p.rounds = W.BoundedIntText(value=1, min=1, max=50, description="rounds",
                                style=_DESCRIPTION, layout=wide)
    p.balance = W.Checkbox(value=False, description="balance classes", indent=False)
    p.soft = W.Checkbox(value=False, description="soft (weight by confidence)", indent=False)
    p.calibrate = W.Checkbox(value=False, description="calibrate (on train only)", indent=False,
                             tooltip="pseudo-label with a CalibratedClassifierCV fitted on train only")
    p.guard = W.Checkbox(value=False, description="guard (keep teacher if student is worse)",
                         indent=False, tooltip="keep the teacher's predictions when the student "
                                               "does not score higher on validation (always on with auto)")
    p.val_size = W.FloatSlider(value=0.2, min=0.05, max=0.5, step=0.05,
                               description="validation size", readout_format=".2f",
                               style=_DESCRIPTION, layout=wide)
    p.seed = W.IntText(value=0, description="seed", style=_DESCRIPTION, layout=wide)
    # -- run
    p.save_as = W.Text(value="pl_result", description="save as", style=_DESCRIPTION,
                       layout=wide)
    p.run_button = W.Button(description="Run", button_style="primary", icon="play")
    #: Buttons added next to Run by other features (a "Compare" button goes here).
    p.compare_button = W.Button(description="Compare", icon="table",
                                tooltip="Run the supervised teacher, the five lines and the other "
                                        "strategies on one split (pl.compare)")
    p.extra_buttons = W.HBox([p.compare_button])
    p.compare_box = W.VBox([])  # the Compare tab's content
    p.progress = W.IntProgress(value=0, min=0, max=100, description="progress",
                               style=_DESCRIPTION, layout=W.Layout(width="340px"))
    p.status = W.HTML("")
    p.flow = W.HTML("")
    p.message = W.HTML("")
    p.tabs = W.Tab(children=[W.VBox([]) for _ in TAB_TITLES[:COMPARE_TAB]] + [p.compare_box])
    p.tabs.titles = TAB_TITLES
    p.tabs.layout.display = "none"
    # Code tab parts, kept as attributes for tests and for copying.
    p.cell_area = W.Textarea(rows=14, layout=W.Layout(width="100%"))
    p.code_area = W.Textarea(rows=18, layout=W.Layout(width="100%"))
    p.insert_button = W.Button(description="Insert cell below", icon="plus",
                               tooltip="Put the %%pseudolabel cell into the notebook")
    p.insert_note = W.HTML("")

    top = W.VBox([
        W.HTML("<b>Pseudo-label: teacher on labeled rows, student on labeled + pseudo-labels</b>"),
        W.HBox([W.VBox([p.labeled, p.unlabeled, p.validation]),
                W.VBox([p.refresh_button])]),
        W.HBox([W.VBox([p.target, p.all_features]), p.features]),
        W.HBox([W.VBox([p.teacher, p.student, p.select, p.threshold, p.k_best]),
                W.VBox([p.rounds, p.val_size, p.seed, p.balance, p.soft, p.calibrate,
                        p.guard])]),
        W.HBox([p.save_as, p.run_button, p.extra_buttons]),
        W.HBox([p.progress, p.status]),
        p.flow,
        p.message,
        p.tabs,
    ], layout=W.Layout(border="1px solid #ccc", padding="8px"))
    top.add_class("pl-panel")
    for widget, name in ((p.status, "pl-status"), (p.flow, "pl-live-flow"),
                         (p.message, "pl-message"), (p.progress, "pl-progress"),
                         (p.tabs, "pl-tabs"), (p.cell_area, "pl-cell"),
                         (p.run_button, "pl-run"), (p.insert_button, "pl-insert"),
                         (p.compare_button, "pl-compare"), (p.compare_box, "pl-compare-tab"),
                         (p.insert_note, "pl-insert-note")):
        widget.add_class(name)  # stable hooks for browser tests and custom CSS
    return top


def fill_tabs(p, result, flow: str) -> None:
    """Put a finished run into the panel's tabs and show them on the Metrics tab."""
    import ipywidgets as W

    plots = [("Teacher confidence and threshold", result.plot_confidence),
             ("Class mix: labeled vs pseudo-labels", result.plot_classes),
             ("Rounds", result.plot_rounds)]
    p.tabs.children = [
        W.VBox([W.HTML(flow), W.HTML(f"<p>{html.escape(result.summary())}</p>")]),
        W.VBox([W.HTML(leakage_html(result.leakage))]),
        W.VBox([W.HTML(metrics_html(result)), plot_widget("Teacher vs student", result.plot_metrics)]),
        W.VBox([plot_widget(title, draw) for title, draw in plots]),
        W.VBox([W.HTML("<b>The same run as a <code>%%pseudolabel</code> cell</b>"), p.cell_area,
                W.HBox([p.insert_button, p.insert_note]),
                W.HTML("<b>The same run in plain pandas + scikit-learn</b>"), p.code_area]),
        p.compare_box,
    ]
    p.tabs.titles = TAB_TITLES
    p.tabs.selected_index = 2
    p.tabs.layout.display = None


def comparison_html(comparison) -> str:
    """A ComparisonResult's headline sentence above its table; every cell escaped."""
    table = comparison.table.rename(columns=direction_names(comparison.table.columns))
    return (f'<p class="pl-compare-summary">{html.escape(comparison.headline())}</p>'
            f'<div class="pl-compare-table">{styled_table(table)}</div>')


def fill_compare(p, comparison) -> None:
    """Put a comparison into the Compare tab and show that tab."""
    import ipywidgets as W

    p.compare_box.children = [
        W.HTML(comparison_html(comparison)),
        plot_widget(f"Validation {comparison.metric} per strategy", comparison.plot),
    ]
    p.tabs.selected_index = COMPARE_TAB
    p.tabs.layout.display = None


def set_options(dropdown, options: list, keep=None) -> None:
    """Replace a dropdown's options, keeping its value (or ``keep``) when still offered."""
    values = [value for _, value in options]
    current = dropdown.value if keep is None else keep
    dropdown.options = options
    if current in values:
        dropdown.value = current
    elif values:
        dropdown.value = values[0]
