"""The widget groups the panel is composed of, each owning a few controls that belong together.

:class:`DataControls` (frames, target, features), :class:`RecipeControls` (models and
recipe), :class:`RunControls` (save as, Run, Compare, progress) and :class:`ResultView`
(live diagram, message, result tabs) each create their controls, lay them out in their
``widget`` and wire what happens inside them (unticking "all other columns" turns the
feature list on, say); the panel wires the groups to each other and to the engine. What the
result tabs show is drawn by :mod:`.renderers`. ipywidgets is imported inside the
functions, so importing this module costs nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from .choices import (
    BUILTIN_MODELS,
    DEFAULT_TEACHER,
    NO_FRAME,
    SAME_AS_TEACHER,
    guess_target,
)
from .renderers import comparison_html, leakage_html, metrics_html, plot_widget

#: Tab titles, in order.
TAB_TITLES = ("Data flow", "Leakage check", "Metrics", "Plots", "Code", "Compare")
#: Index of the "Compare" tab (filled by the Compare button, kept across runs).
COMPARE_TAB = TAB_TITLES.index("Compare")
_DESCRIPTION = {"description_width": "110px"}


def set_options(dropdown, options: list, keep=None) -> None:
    """Replace a dropdown's options, keeping its value (or ``keep``) when still offered."""
    values = [value for _, value in options]
    current = dropdown.value if keep is None else keep
    dropdown.options = options
    if current in values:
        dropdown.value = current
    elif values:
        dropdown.value = values[0]


# ------------------------------------------------------------------ the panel's widget groups
def _labelled() -> dict:
    """Keyword arguments of a group's labelled controls: one width, one label width."""
    import ipywidgets as W

    return {"style": _DESCRIPTION, "layout": W.Layout(width="340px")}


def _hooks(*pairs) -> None:
    """Stable CSS classes (``pl-...``) for browser tests and custom CSS."""
    for widget, name in pairs:
        widget.add_class(name)


class WidgetGroup:
    """A few controls that belong together: each an attribute, laid out in ``widget``."""

    widget: Any

    def controls(self) -> dict[str, Any]:
        """The group's controls by attribute name (its layout ``widget`` aside)."""
        return {name: value for name, value in vars(self).items()
                if not name.startswith("_") and name != "widget"}


class DataControls(WidgetGroup):
    """The frames, the target and the features: the rows a run learns from.

    Owns the ``labeled``, ``unlabeled`` and ``validation`` dropdowns, ``refresh_button``,
    ``target``, ``all_features`` and ``features``. Choosing a labeled frame offers its
    columns as target (``frame_of(name)`` gives the frame of a notebook name); the features
    are every other column, chosen by hand once "all other columns" is unticked.
    """

    def __init__(self, frame_of: Callable[[str], Any]):
        import ipywidgets as W

        self._frame_of = frame_of
        labelled = _labelled()
        self.labeled = W.Dropdown(description="labeled", **labelled)
        self.unlabeled = W.Dropdown(description="unlabeled", **labelled)
        self.validation = W.Dropdown(description="validation", **labelled)
        self.refresh_button = W.Button(description="Refresh", icon="refresh",
                                       tooltip="List the notebook's DataFrames and estimators again")
        self.target = W.Dropdown(description="target", **labelled)
        self.all_features = W.Checkbox(value=True, description="all other columns as features",
                                       indent=False)
        self.features = W.SelectMultiple(description="features", rows=5, disabled=True, **labelled)
        self.widget = W.VBox([
            W.HBox([W.VBox([self.labeled, self.unlabeled, self.validation]),
                    W.VBox([self.refresh_button])]),
            W.HBox([W.VBox([self.target, self.all_features]), self.features]),
        ])
        self.labeled.observe(lambda _c: self.show_columns(), names="value")
        self.target.observe(lambda _c: self.show_features(), names="value")
        self.all_features.observe(self._on_all_features, names="value")

    def offer_frames(self, frames: list[str], pools: list[tuple[str, str]],
                     start: tuple[str | None, str | None] = (None, None)) -> None:
        """Offer ``frames`` as labeled and validation rows and ``pools`` (label, name) as
        unlabeled rows, keeping valid choices; ``start`` picks a (labeled, unlabeled) pair."""
        set_options(self.labeled, [(name, name) for name in frames], start[0])
        set_options(self.unlabeled, [("(labeled rows with no target)", NO_FRAME)] + pools, start[1])
        set_options(self.validation, [("(split from labeled)", NO_FRAME)]
                    + [(name, name) for name in frames])

    def labeled_frame(self):
        """The chosen labeled frame, or None."""
        return self._frame_of(self.labeled.value) if self.labeled.value else None

    def show_columns(self) -> None:
        """Offer the labeled frame's columns as target (kept, else guessed) and features."""
        frame = self.labeled_frame()
        columns = list(frame.columns) if frame is not None else []
        keep = self.target.value if self.target.value in columns else guess_target(frame)
        set_options(self.target, [(str(c), c) for c in columns], keep)
        self.show_features()

    def show_features(self) -> None:
        """Offer every column but the target as a feature, keeping those still offered."""
        frame = self.labeled_frame()
        columns = [c for c in (frame.columns if frame is not None else []) if c != self.target.value]
        chosen = tuple(c for c in self.features.value if c in columns)
        self.features.options = [(str(c), c) for c in columns]
        self.features.value = chosen

    def _on_all_features(self, change) -> None:
        self.features.disabled = bool(change["new"])

    def settings(self) -> dict:
        """The frames, target and features as the cell writes them (None: not given / all)."""
        return {
            "labeled": self.labeled.value or None,
            "unlabeled": self.unlabeled.value or None,
            "validation": self.validation.value or None,
            "target": self.target.value,
            "features": None if self.all_features.value else list(self.features.value),
        }


class RecipeControls(WidgetGroup):
    """The models and the recipe: ``teacher``, ``student``, ``select`` with its ``threshold``
    or ``k_best``, ``rounds``, ``val_size``, ``seed`` and the ``balance``, ``soft``,
    ``calibrate`` and ``guard`` switches.

    Only the chosen rule's own number is on. ``auto`` always runs with the guard, so the
    guard is ticked and greyed out while auto is chosen, and the user's tick comes back after.
    """

    def __init__(self):
        import ipywidgets as W

        labelled = _labelled()
        self.teacher = W.Dropdown(description="teacher", **labelled)
        self.student = W.Dropdown(description="student", **labelled)
        self.select = W.Dropdown(options=[("all pseudo-labels", "all"),
                                          ("above a confidence threshold", "threshold"),
                                          ("k most confident per round", "k-best"),
                                          ("auto (the benchmark's best, guarded)", "auto")],
                                 value="all", description="select", **labelled)
        self.threshold = W.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.01, disabled=True,
                                       description="threshold", readout_format=".2f", **labelled)
        self.k_best = W.BoundedIntText(value=100, min=1, max=10**9, disabled=True,
                                       description="k-best", **labelled)
        self.rounds = W.BoundedIntText(value=1, min=1, max=50, description="rounds", **labelled)
        self.val_size = W.FloatSlider(value=0.2, min=0.05, max=0.5, step=0.05,
                                      description="validation size", readout_format=".2f",
                                      **labelled)
        self.seed = W.IntText(value=0, description="seed", **labelled)
        self._switches(W)
        self.widget = W.HBox([
            W.VBox([self.teacher, self.student, self.select, self.threshold, self.k_best]),
            W.VBox([self.rounds, self.val_size, self.seed, self.balance, self.soft,
                    self.calibrate, self.guard]),
        ])
        self._guard_choice = False
        self.select.observe(self._on_select, names="value")

    def _switches(self, W) -> None:
        self.balance = W.Checkbox(value=False, description="balance classes", indent=False)
        self.soft = W.Checkbox(value=False, description="soft (weight by confidence)", indent=False)
        self.calibrate = W.Checkbox(
            value=False, description="calibrate (on train only)", indent=False,
            tooltip="pseudo-label with a CalibratedClassifierCV fitted on train only")
        self.guard = W.Checkbox(
            value=False, description="guard (keep teacher if student is worse)", indent=False,
            tooltip="keep the teacher's predictions when the student does not score higher "
                    "on validation (always on with auto)")

    def offer_models(self, estimators: list[str]) -> None:
        """Offer the built-in models and the notebook's ``estimators``, keeping valid choices."""
        builtins = [(label, key) for key, (label, _) in BUILTIN_MODELS.items()]
        mine = [(f"{name} (notebook)", name) for name in estimators]
        set_options(self.teacher, [("default (engine picks)", DEFAULT_TEACHER)] + builtins + mine)
        set_options(self.student, [("same as teacher", SAME_AS_TEACHER)] + builtins + mine)

    def use_validation_frame(self, given: bool) -> None:
        """A validation frame replaces the split: the validation size is off while one is chosen."""
        self.val_size.disabled = given

    def _on_select(self, change) -> None:
        self.threshold.disabled = change["new"] != "threshold"
        self.k_best.disabled = change["new"] != "k-best"
        if change["new"] == "auto":  # auto always runs with the guard
            if not self.guard.disabled:
                self._guard_choice = self.guard.value
            self.guard.value, self.guard.disabled = True, True
        elif self.guard.disabled:
            self.guard.value, self.guard.disabled = self._guard_choice, False

    def settings(self, validation_given: bool) -> dict:
        """The models and the recipe as the cell writes them; None leaves a key out."""
        select = self.select.value
        return {
            "teacher": None if self.teacher.value == DEFAULT_TEACHER else self.teacher.value,
            "student": None if self.student.value == SAME_AS_TEACHER else self.student.value,
            "select": select,
            "threshold": round(float(self.threshold.value), 4) if select == "threshold" else None,
            "k_best": int(self.k_best.value) if select == "k-best" else None,
            "rounds": int(self.rounds.value),
            "balance": bool(self.balance.value),
            "soft": bool(self.soft.value),
            "calibrate": True if self.calibrate.value else None,
            "guard": True if self.guard.value and select != "auto" else None,
            "val_size": None if validation_given else round(float(self.val_size.value), 4),
            "seed": int(self.seed.value),
        }


class RunControls(WidgetGroup):
    """``save_as``, ``run_button``, ``compare_button`` (in ``extra_buttons``, where other
    features add theirs), the ``progress`` bar and the ``status`` line."""

    def __init__(self):
        import ipywidgets as W

        self.save_as = W.Text(value="pl_result", description="save as", **_labelled())
        self.run_button = W.Button(description="Run", button_style="primary", icon="play")
        self.compare_button = W.Button(
            description="Compare", icon="table",
            tooltip="Run the supervised teacher, the five lines and the other strategies on "
                    "one split (pl.compare)")
        #: Buttons next to Run added by other features (the Compare button is one).
        self.extra_buttons = W.HBox([self.compare_button])
        self.progress = W.IntProgress(value=0, min=0, max=100, description="progress",
                                      **_labelled())
        self.status = W.HTML("")
        self.widget = W.VBox([W.HBox([self.save_as, self.run_button, self.extra_buttons]),
                              W.HBox([self.progress, self.status])])
        _hooks((self.status, "pl-status"), (self.progress, "pl-progress"),
               (self.run_button, "pl-run"), (self.compare_button, "pl-compare"))

    def busy(self, button, label: str) -> None:
        """``button`` says ``label``; it and Run are off until :meth:`idle`."""
        button.disabled = self.run_button.disabled = True
        button.description = label

    def idle(self) -> None:
        """Run and Compare are on again, under their own names."""
        self.run_button.disabled = self.compare_button.disabled = False
        self.run_button.description = "Run"
        self.compare_button.description = "Compare"


class ResultView(WidgetGroup):
    """What a run shows: the live diagram (``flow``), the one-line ``message`` and the result
    ``tabs`` (see :data:`TAB_TITLES`); the Code tab's ``cell_area``, ``code_area``,
    ``insert_button`` and ``insert_note``, and the Compare tab's ``compare_box``."""

    def __init__(self):
        import ipywidgets as W

        self.flow = W.HTML("")
        self.message = W.HTML("")
        self.compare_box = W.VBox([])  # the Compare tab's content, kept across runs
        self.tabs = W.Tab(children=[W.VBox([]) for _ in TAB_TITLES[:COMPARE_TAB]]
                          + [self.compare_box])
        self.tabs.titles = TAB_TITLES
        self.tabs.layout.display = "none"
        self.cell_area = W.Textarea(rows=14, layout=W.Layout(width="100%"))
        self.code_area = W.Textarea(rows=18, layout=W.Layout(width="100%"))
        self.insert_button = W.Button(description="Insert cell below", icon="plus",
                                      tooltip="Put the %%pseudolabel cell into the notebook")
        self.insert_note = W.HTML("")
        self.widget = W.VBox([self.flow, self.message, self.tabs])
        _hooks((self.flow, "pl-live-flow"), (self.message, "pl-message"), (self.tabs, "pl-tabs"),
               (self.cell_area, "pl-cell"), (self.insert_button, "pl-insert"),
               (self.compare_box, "pl-compare-tab"), (self.insert_note, "pl-insert-note"))

    def hide_tabs(self) -> None:
        self.tabs.layout.display = "none"

    def show_run(self, result, flow: str) -> None:
        """Put a finished run into the tabs and show them on the Metrics tab."""
        import ipywidgets as W

        plots = [("Teacher confidence and threshold", result.plot_confidence),
                 ("Class mix: labeled vs pseudo-labels", result.plot_classes),
                 ("Rounds", result.plot_rounds)]
        self.tabs.children = [
            W.VBox([W.HTML(flow), W.HTML(f"<p>{html.escape(result.summary())}</p>")]),
            W.VBox([W.HTML(leakage_html(result.leakage))]),
            W.VBox([W.HTML(metrics_html(result)),
                    plot_widget("Teacher vs student", result.plot_metrics)]),
            W.VBox([plot_widget(title, draw) for title, draw in plots]),
            self._code_tab(W),
            self.compare_box,
        ]
        self._show_tab(TAB_TITLES.index("Metrics"))

    def _code_tab(self, W):
        return W.VBox([W.HTML("<b>The same run as a <code>%%pseudolabel</code> cell</b>"),
                       self.cell_area, W.HBox([self.insert_button, self.insert_note]),
                       W.HTML("<b>The same run in plain pandas + scikit-learn</b>"),
                       self.code_area])

    def show_comparison(self, comparison) -> None:
        """Put a comparison into the Compare tab and show that tab."""
        import ipywidgets as W

        self.compare_box.children = [
            W.HTML(comparison_html(comparison)),
            plot_widget(f"Validation {comparison.metric} per strategy", comparison.plot),
        ]
        self._show_tab(COMPARE_TAB)

    def _show_tab(self, index: int) -> None:
        self.tabs.titles = TAB_TITLES
        self.tabs.selected_index = index
        self.tabs.layout.display = None


def panel_box(groups) -> Any:
    """The panel's top VBox: its title above the groups' widgets, in a thin frame."""
    import ipywidgets as W

    top = W.VBox([
        W.HTML("<b>Pseudo-label: teacher on labeled rows, student on labeled + pseudo-labels</b>"),
        *(group.widget for group in groups),
    ], layout=W.Layout(border="1px solid #ccc", padding="8px"))
    top.add_class("pl-panel")
    return top
