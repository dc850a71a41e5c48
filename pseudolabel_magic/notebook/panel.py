"""``%pseudolabel_panel`` / ``pl.panel()``: the pseudo-label recipe as a panel of core ipywidgets.

Pick the frames, target and models, press Run, watch the steps, then read the tabs. The
panel is a thin front end: it calls the same :func:`pseudolabel_magic.core.engine.run` as the
magic, once, in the kernel thread, and stores the same result object under the "save as"
name, only after a successful run. Every widget is an attribute, so tests and scripts can
drive it without a browser::

    p = pl.panel()
    p.labeled.value = "train_df"
    p.target.value = "label"
    p.teacher.value = "LogisticRegression"
    p.save_as.value = "run"
    p.run_button.click()        # runs; the notebook now has `run`

No custom front-end code: only core ipywidgets, so the panel keeps working across
JupyterLab and ipywidgets releases. ipywidgets, pandas and scikit-learn load only when a
panel is built. What the notebook offers and what a choice means (frames, estimators,
built-in models, run arguments, the equivalent cell) is :mod:`pseudolabel_magic.notebook.choices`;
this module is the widgets' wiring: refresh, run, compare, progress and the result tabs.
"""

from __future__ import annotations

import html
import sys
from collections.abc import MutableMapping
from typing import Any

from ..errors import PseudoLabelError
from ..steps import STEP_KEYS, STEPS
from .choices import (
    BUILTIN_MODELS,
    DEFAULT_TEACHER,
    NO_FRAME,
    SAME_AS_TEACHER,
    cell_text,
    guess_target,
    is_lazy_frame,
    namespace_estimators,
    namespace_frames,
    run_arguments,
    starting_frames,
)
from .widgets import in_panel_words, set_options

#: Settings ``pl.compare`` chooses per strategy: the Compare button leaves them out.
STRATEGY_KEYS = ("select", "threshold", "k_best", "rounds", "balance", "soft", "calibrate",
                 "oof", "guard", "curriculum")
#: What "Insert cell below" can do from a widget (checked in JupyterLab 4 and the browser test).
_INSERT_HINT = ("<i>JupyterLab adds the cell below the next cell you run "
                "(a button click is not a cell run); or copy it from the box above.</i>")


# ------------------------------------------------------------------ the kernel, and errors
def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def _short(err: BaseException) -> str:
    """One line for an unexpected error: its type and the first line of its message."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


# ------------------------------------------------------------------ the panel
class PseudoLabelPanel:
    """The panel's widgets, wired to one engine call; ``.widget`` is the top VBox.

    ``namespace`` is the notebook's namespace (a dict): frames and estimators are listed
    from it, and the result is stored in it under ``save_as.value``.
    """

    def __init__(self, namespace: MutableMapping[str, Any], hidden=()):
        from .widgets import build

        self.namespace = namespace
        self.hidden = set(hidden)
        self.result = None
        self.running = False
        self._states: dict[str, str] = {}
        self._round = 1
        self._live_config: dict = {}
        self._counts: dict = {}
        self._cell = ""
        self.widget = build(self)

        self.refresh_button.on_click(lambda _b: self.refresh())
        self.run_button.on_click(lambda _b: self.run())
        self.compare_button.on_click(lambda _b: self.compare())
        self.comparison = None
        self._guard_choice = False
        self.insert_button.on_click(lambda _b: self.insert_cell())
        self.labeled.observe(lambda _c: self._fill_target(), names="value")
        self.target.observe(lambda _c: self._fill_features(), names="value")
        self.all_features.observe(self._on_all_features, names="value")
        self.select.observe(self._on_select, names="value")
        self.validation.observe(self._on_validation, names="value")
        for control in (self.labeled, self.unlabeled, self.validation, self.target):
            control.observe(lambda _c: self._idle_flow(), names="value")
        self.refresh()
        self._idle_flow()

    # -- display -----------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<PseudoLabelPanel labeled={self.labeled.value!r} target={self.target.value!r}>"

    # -- following the namespace --------------------------------------------------------
    def refresh(self) -> None:
        """List the namespace's DataFrames and estimators again, keeping valid choices."""
        frames = namespace_frames(self.namespace, self.hidden)
        pools = namespace_frames(self.namespace, self.hidden, lazy=True)
        estimators = namespace_estimators(self.namespace, self.hidden)
        start_labeled = start_unlabeled = None
        if self.labeled.value not in frames:  # a new panel, or its frame is gone
            start_labeled, start_unlabeled = starting_frames(self.namespace, frames)
        set_options(self.labeled, [(name, name) for name in frames], start_labeled)
        set_options(self.unlabeled, [("(labeled rows with no target)", NO_FRAME)]
                     + [(name + (" (Dask)" if is_lazy_frame(self.namespace[name]) else ""), name)
                        for name in pools], start_unlabeled)
        set_options(self.validation, [("(split from labeled)", NO_FRAME)]
                     + [(name, name) for name in frames])
        builtins = [(label, key) for key, (label, _) in BUILTIN_MODELS.items()]
        mine = [(f"{name} (notebook)", name) for name in estimators]
        set_options(self.teacher, [("default (engine picks)", DEFAULT_TEACHER)] + builtins + mine)
        set_options(self.student, [("same as teacher", SAME_AS_TEACHER)] + builtins + mine)
        self._fill_target()

    def _frame(self, name: str):
        return self.namespace.get(name) if name else None

    def _fill_target(self) -> None:
        frame = self._frame(self.labeled.value)
        columns = list(frame.columns) if frame is not None else []
        keep = self.target.value if self.target.value in columns else guess_target(frame)
        set_options(self.target, [(str(c), c) for c in columns], keep)
        self._fill_features()

    def _fill_features(self) -> None:
        frame = self._frame(self.labeled.value)
        columns = [c for c in (frame.columns if frame is not None else []) if c != self.target.value]
        chosen = tuple(c for c in self.features.value if c in columns)
        self.features.options = [(str(c), c) for c in columns]
        self.features.value = chosen

    def _on_all_features(self, change) -> None:
        self.features.disabled = bool(change["new"])

    def _on_select(self, change) -> None:
        self.threshold.disabled = change["new"] != "threshold"
        self.k_best.disabled = change["new"] != "k-best"
        if change["new"] == "auto":  # auto always runs with the guard
            if not self.guard.disabled:
                self._guard_choice = self.guard.value
            self.guard.value, self.guard.disabled = True, True
        elif self.guard.disabled:
            self.guard.value, self.guard.disabled = self._guard_choice, False

    def _on_validation(self, change) -> None:
        self.val_size.disabled = bool(change["new"])

    # -- collecting the choices ---------------------------------------------------------
    def settings(self) -> dict:
        """The current choices as the cell writes them (see :func:`cell_text`)."""
        select = self.select.value
        features = None if self.all_features.value else list(self.features.value)
        return {
            "save": self.save_as.value.strip(),
            "labeled": self.labeled.value or None,
            "unlabeled": self.unlabeled.value or None,
            "validation": self.validation.value or None,
            "target": self.target.value,
            "features": features,
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
            "val_size": None if self.validation.value else round(float(self.val_size.value), 4),
            "seed": int(self.seed.value),
        }

    # -- running ------------------------------------------------------------------------
    def run(self):
        """Run once with the current choices; store and show the result, or show why not.

        Returns the result, or ``None`` when the run did not happen or failed. The notebook
        variable is written only after a successful run.
        """
        if self.running:
            return None
        self.message.value = ""
        try:
            kwargs, settings = run_arguments(self)
        except PseudoLabelError as err:
            self._show_error(in_panel_words(str(err)))
            return None
        self._start(kwargs)
        from ..core import engine  # pandas + scikit-learn are loaded by now

        try:
            result = engine.run(**kwargs, progress=self._on_progress)
        except PseudoLabelError as err:
            self._show_error(in_panel_words(str(err)), getattr(err, "report", None))
            return None
        except Exception as err:  # noqa: BLE001 - the panel shows one line, never a traceback
            self._show_error(_short(err), model_error=True)
            return None
        except KeyboardInterrupt:
            self._show_error("interrupted (the kernel was stopped); nothing was stored.")
            return None
        finally:
            self.running = False
            self.run_button.disabled = False
            self.run_button.description = "Run"
        config = getattr(result, "config", None)
        if isinstance(config, dict):  # lets to_code() name the notebook's frames
            config["frame_names"] = {role: settings[role] for role in
                                     ("labeled", "unlabeled", "validation") if settings[role]}
        self.namespace[settings["save"]] = result
        self.result = result
        self._show_result(result, settings)
        return result

    def compare(self):
        """``pl.compare`` with the panel's data, models and split; the table in the Compare tab.

        The strategy settings (select, threshold, rounds, ...) are left out: compare tries the
        strategies itself. Nothing is written to the notebook; the last comparison is
        ``self.comparison``. Returns it, or ``None`` when it could not run.
        """
        if self.running:
            return None
        self.message.value = ""
        try:
            kwargs, _settings = run_arguments(self, check_save=False)
        except PseudoLabelError as err:
            self._show_error(in_panel_words(str(err)))
            return None
        common = {k: v for k, v in kwargs.items() if k not in STRATEGY_KEYS}
        self.running = True
        self.run_button.disabled = self.compare_button.disabled = True
        self.compare_button.description = "Comparing..."
        self.progress.bar_style = "info"
        self.status.value = "comparing strategies on one split..."
        from ..core.compare import compare  # pandas + scikit-learn are loaded by now

        try:
            comparison = compare(**common)
        except PseudoLabelError as err:
            self._show_error(in_panel_words(str(err)), getattr(err, "report", None))
            return None
        except Exception as err:  # noqa: BLE001 - one short line, never a traceback
            self._show_error(_short(err))
            return None
        except KeyboardInterrupt:
            self._show_error("interrupted (the kernel was stopped); nothing was compared.")
            return None
        finally:
            self.running = False
            self.run_button.disabled = self.compare_button.disabled = False
            self.compare_button.description = "Compare"
        from .widgets import fill_compare

        self.comparison = comparison
        self.progress.bar_style = "success"
        self.status.value = (f"compared {len(comparison.table) - 1} strategies: best on validation "
                             f"<code>{html.escape(comparison.best)}</code>")
        fill_compare(self, comparison)
        return comparison

    def _start(self, kwargs: dict) -> None:
        self.running = True
        self.run_button.disabled = True
        self.run_button.description = "Running..."
        self.tabs.layout.display = "none"
        self.progress.value = 0
        self.progress.bar_style = "info"
        self._states = {key: "pending" for key in STEP_KEYS}
        self._round = 1
        from ..render.diagrams import known_counts

        self._counts = known_counts(kwargs)
        self._live_config = {k: v for k, v in kwargs.items()
                             if k not in ("labeled", "unlabeled", "validation")}
        self._live_config["validation_given"] = kwargs.get("validation") is not None
        self.status.value = "starting..."
        self.flow.value = self._flow_html()

    def _idle_flow(self) -> None:
        """Before a run: the diagram with the rows the chosen frames give (no fit needed)."""
        if self.running or self.result is not None or not hasattr(self, "flow"):
            return
        from ..render.diagrams import known_counts

        frames = {role: self._frame(getattr(self, role).value)
                  for role in ("labeled", "unlabeled", "validation")}
        self._counts = known_counts({**frames, "target": self.target.value})
        self.flow.value = self._flow_html()

    def _flow_html(self, highlight=None, failed=None) -> str:
        from .widgets import flow_html

        return flow_html(self._counts, self._states, highlight, self._live_config,
                         failed=failed)

    def _on_progress(self, event) -> None:
        """The engine's progress hook: bar, current step, and the diagram redrawn."""
        if event.round > self._round:  # a new round: its steps start over
            self._round = event.round
            for key in STEP_KEYS[1:]:
                self._states[key] = "pending"
        self._states[event.step] = event.status
        self._counts = {**self._counts, **dict(event.counts)}
        self.progress.value = round(event.fraction * self.progress.max)
        rounds = f", round {event.round} of {event.rounds}" if event.rounds > 1 else ""
        detail = f" ({event.detail})" if event.detail else ""
        self.status.value = html.escape(
            f"Step {event.number}/{len(STEPS)}: {event.title}{detail}{rounds}: {event.status}")
        self.flow.value = self._flow_html(highlight=event.step)

    def _show_error(self, message: str, report=None, model_error: bool = False) -> None:
        """The one red line, the report of a refusal, and the diagram with the box at fault."""
        from .widgets import error_html, failed_box

        if any(state != "pending" for state in self._states.values()):  # the run had started
            self._states = {k: ("failed" if s == "running" else s) for k, s in self._states.items()}
            step = next((k for k, s in self._states.items() if s == "failed"), None)
            box = failed_box(message, step, leakage=report is not None, model_error=model_error)
            self.flow.value = self._flow_html(highlight=step, failed=box)
        self.progress.bar_style = "danger"
        self.status.value = "failed"
        self.message.value = error_html(message, report)

    def _show_result(self, result, settings: dict) -> None:
        from .widgets import fill_tabs, fit_svg, flow_html

        self.progress.value = self.progress.max
        self.progress.bar_style = "success"
        self._states = {key: "done" for key in STEP_KEYS}
        self._counts = dict(result.counts)
        self.status.value = f"done: stored as <code>{html.escape(settings['save'])}</code>"
        try:
            final_flow = f'<div class="pl-flow">{fit_svg(result.diagram().svg)}</div>'
        except Exception:  # noqa: BLE001 - the fallback says why
            final_flow = flow_html(self._counts, self._states, None, result.config, result.leaky)
        self.flow.value = final_flow
        self._cell = cell_text(settings)
        self.cell_area.value = self._cell
        try:
            self.code_area.value = result.to_code()
        except Exception as err:  # noqa: BLE001
            self.code_area.value = f"# the plain-Python code could not be written: {_short(err)}"
        self.insert_note.value = _INSERT_HINT
        fill_tabs(self, result, final_flow)

    # -- the code tab -------------------------------------------------------------------
    def insert_cell(self) -> bool:
        """Ask the front end to insert the ``%%pseudolabel`` cell below; say what to expect.

        A widget callback is not a cell execution, so a notebook kernel can only queue the
        request: Jupyter front ends receive it with the next cell that runs. The cell text
        stays in the box above to copy either way. Returns True when the request was queued.
        """
        if not self._cell:
            self.insert_note.value = "Run first: there is no cell yet."
            return False
        shell = _shell()
        if shell is None or getattr(shell, "kernel", None) is None:
            self.insert_note.value = "No notebook here: copy the cell from the box above."
            return False
        shell.set_next_input(self._cell, replace=False)
        self.insert_note.value = ("Queued: the cell appears below the next cell you run "
                                  "(or copy it from the box above).")
        return True


def panel(namespace: MutableMapping[str, Any] | None = None) -> PseudoLabelPanel:
    """Build the panel over ``namespace`` (default: the notebook's, else the caller's globals)."""
    return _make_panel(namespace, sys._getframe(1))


def _make_panel(namespace, caller) -> PseudoLabelPanel:
    shell_ns = getattr(_shell(), "user_ns", None)
    if namespace is None:
        namespace = shell_ns if shell_ns is not None else caller.f_globals
    hidden = getattr(_shell(), "user_ns_hidden", {}) if namespace is shell_ns else ()
    return PseudoLabelPanel(namespace, hidden=hidden)
