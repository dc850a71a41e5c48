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
the widget groups the panel is made of (each owning its controls) are
:mod:`pseudolabel_magic.notebook.widgets`, the live diagram's state is
:mod:`pseudolabel_magic.notebook.liveflow`; this module wires the groups together and to the
engine: refresh, run, compare, progress and the result tabs.
"""

from __future__ import annotations

import html
import sys
from collections.abc import MutableMapping
from typing import Any

from ..errors import PseudoLabelError
from ..kinds import is_dask_frame
from ..recipe.write import cell_text
from ..steps import STEPS
from .choices import (
    STRATEGY_KEYS,
    frame_names,
    name_frames,
    namespace_estimators,
    namespace_frames,
    run_arguments,
    starting_frames,
)
from .failures import in_panel_words
from .liveflow import LiveFlow

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
    """The pseudo-label panel: widget groups wired to one engine call per Run.

    The panel is composed of four widget groups, each owning its controls: ``data``
    (:class:`~pseudolabel_magic.notebook.widgets.DataControls`: frames, target, features),
    ``recipe`` (:class:`~pseudolabel_magic.notebook.widgets.RecipeControls`: models and
    recipe), ``actions`` (:class:`~pseudolabel_magic.notebook.widgets.RunControls`: save as,
    Run, Compare, progress) and ``view``
    (:class:`~pseudolabel_magic.notebook.widgets.ResultView`: diagram, message, tabs). Every
    control is also an attribute of the panel (``p.labeled`` is ``p.data.labeled``), so
    scripts and tests drive it without a browser.

    Parameters
    ----------
    namespace : MutableMapping[str, Any]
        The notebook's namespace (a dict): frames and estimators are listed from it, and a
        run's result is stored in it under ``save_as.value``, only after the run succeeded.
    hidden : Iterable[str], optional
        Names never listed (IPython's ``user_ns_hidden``: its own variables).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The panel as one widget; displaying the panel displays it.
    result : PseudoLabelResult or None
        The last successful run's result.
    comparison : ComparisonResult or None
        The last comparison made with the Compare button.

    Examples
    --------
    >>> p = PseudoLabelPanel({"train_df": train_df, "test_df": test_df})  # doctest: +SKIP
    >>> p.labeled.value, p.unlabeled.value = "train_df", "test_df"        # doctest: +SKIP
    >>> p.save_as.value = "run"                                           # doctest: +SKIP
    >>> p.run_button.click()  # the namespace now holds "run"             # doctest: +SKIP
    """

    def __init__(self, namespace: MutableMapping[str, Any], hidden=()):
        from .widgets import (
            DataControls,
            RecipeControls,
            ResultView,
            RunControls,
            panel_box,
        )

        self.namespace = namespace
        self.hidden = set(hidden)
        self.result = None
        self.comparison = None
        self.running = False
        self._live = LiveFlow()  # the live diagram: step states, round, settings, counts
        self._cell = ""
        self.data = DataControls(self._frame)
        self.recipe = RecipeControls()
        self.actions = RunControls()
        self.view = ResultView()
        self.groups = (self.data, self.recipe, self.actions, self.view)
        self.widget = panel_box(self.groups)
        self._wire()
        self.refresh()
        self._idle_flow()

    def _wire(self) -> None:
        """The buttons' callbacks, and what one group's choice changes in another."""
        self.data.refresh_button.on_click(lambda _b: self.refresh())
        self.actions.run_button.on_click(lambda _b: self.run())
        self.actions.compare_button.on_click(lambda _b: self.compare())
        self.view.insert_button.on_click(lambda _b: self.insert_cell())
        self.data.validation.observe(
            lambda change: self.recipe.use_validation_frame(bool(change["new"])), names="value")
        for control in (self.data.labeled, self.data.unlabeled, self.data.validation,
                        self.data.target):
            control.observe(lambda _c: self._idle_flow(), names="value")

    # -- the groups' controls as the panel's attributes ---------------------------------
    def __getattr__(self, name: str):
        for group in self.__dict__.get("groups", ()):
            controls = group.controls()
            if name in controls:
                return controls[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self):
        return sorted({*super().__dir__(), *(name for group in self.groups
                                             for name in group.controls())})

    # -- display -----------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return (f"<PseudoLabelPanel labeled={self.data.labeled.value!r} "
                f"target={self.data.target.value!r}>")

    # -- following the namespace --------------------------------------------------------
    def refresh(self) -> None:
        """List the namespace's DataFrames and estimators again, keeping valid choices."""
        frames = namespace_frames(self.namespace, self.hidden)
        pools = namespace_frames(self.namespace, self.hidden, lazy=True)
        start = (None, None)
        if self.data.labeled.value not in frames:  # a new panel, or its frame is gone
            start = starting_frames(self.namespace, frames)
        self.data.offer_frames(frames, [(name + (" (Dask)" if is_dask_frame(self.namespace[name])
                                                 else ""), name) for name in pools], start)
        self.recipe.offer_models(namespace_estimators(self.namespace, self.hidden))
        self.data.show_columns()

    def _frame(self, name: str):
        return self.namespace.get(name) if name else None

    # -- collecting the choices ---------------------------------------------------------
    def settings(self) -> dict:
        """The current choices as the cell writes them (see :func:`cell_text`)."""
        data = self.data.settings()
        recipe = self.recipe.settings(validation_given=data["validation"] is not None)
        return {"save": self.actions.save_as.value.strip(), **data, **recipe}

    def _arguments(self, check_save: bool = True) -> tuple[dict | None, dict | None]:
        """``run``'s keyword arguments and the cell settings, or (None, None) when the panel
        is busy or a choice is wrong (then the message says why)."""
        if self.running:
            return None, None
        self.view.message.value = ""
        try:
            return run_arguments(self.namespace, self.settings(), check_save=check_save)
        except PseudoLabelError as err:
            self._show_error(in_panel_words(str(err)))
            return None, None

    # -- running ------------------------------------------------------------------------
    def run(self):
        """Run once with the current choices; store and show the result, or show why not.

        Returns the result, or ``None`` when the run did not happen or failed. The notebook
        variable is written only after a successful run.
        """
        kwargs, settings = self._arguments()
        if kwargs is None:
            return None
        self._start(kwargs)
        from ..core import engine  # pandas + scikit-learn are loaded by now

        result = self._call(lambda: engine.run(**kwargs, progress=self._on_progress),
                            nothing="stored", model_error=True)
        if result is None:
            return None
        name_frames(result, frame_names(settings))  # lets to_code() name the notebook's frames
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
        kwargs, _settings = self._arguments(check_save=False)
        if kwargs is None:
            return None
        common = {k: v for k, v in kwargs.items() if k not in STRATEGY_KEYS}
        self.running = True
        self.actions.busy(self.actions.compare_button, "Comparing...")
        self.actions.progress.bar_style = "info"
        self.actions.status.value = "comparing strategies on one split..."
        from ..core.compare import compare  # pandas + scikit-learn are loaded by now

        comparison = self._call(lambda: compare(**common), nothing="compared")
        if comparison is None:
            return None
        self.comparison = comparison
        self.actions.progress.bar_style = "success"
        self.actions.status.value = (
            f"compared {len(comparison.table) - 1} strategies: best on validation "
            f"<code>{html.escape(comparison.best)}</code>")
        self.view.show_comparison(comparison)
        return comparison

    def _call(self, call, nothing: str, model_error: bool = False):
        """``call()``'s value, or None once the panel says why it failed (one line, never a
        traceback); the buttons are on again either way."""
        try:
            return call()
        except PseudoLabelError as err:
            self._show_error(in_panel_words(str(err)), getattr(err, "report", None))
        except Exception as err:  # noqa: BLE001 - the panel shows one line, never a traceback
            self._show_error(_short(err), model_error=model_error)
        except KeyboardInterrupt:
            self._show_error(f"interrupted (the kernel was stopped); nothing was {nothing}.")
        finally:
            self.running = False
            self.actions.idle()
        return None

    def _start(self, kwargs: dict) -> None:
        self.running = True
        self.actions.busy(self.actions.run_button, "Running...")
        self.view.hide_tabs()
        self.actions.progress.value = 0
        self.actions.progress.bar_style = "info"
        self._live.start(kwargs)
        self.actions.status.value = "starting..."
        self.view.flow.value = self._live.html()

    def _idle_flow(self) -> None:
        """Before a run: the diagram with the rows the chosen frames give (no fit needed)."""
        if self.running or self.result is not None:
            return
        frames = {role: self._frame(name) for role, name in frame_names(self.data.settings()).items()}
        self._live.show_inputs({**frames, "target": self.data.target.value})
        self.view.flow.value = self._live.html()

    def _on_progress(self, event) -> None:
        """The engine's progress hook: bar, current step, and the diagram redrawn."""
        self._live.advance(event)
        progress = self.actions.progress
        progress.value = round(event.fraction * progress.max)
        rounds = f", round {event.round} of {event.rounds}" if event.rounds > 1 else ""
        detail = f" ({event.detail})" if event.detail else ""
        self.actions.status.value = html.escape(
            f"Step {event.number}/{len(STEPS)}: {event.title}{detail}{rounds}: {event.status}")
        self.view.flow.value = self._live.html(highlight=event.step)

    def _show_error(self, message: str, report=None, model_error: bool = False) -> None:
        """The one red line, the report of a refusal, and the diagram with the box at fault."""
        from .renderers import error_html

        flow = self._live.fail(message, leakage=report is not None, model_error=model_error)
        if flow is not None:  # the run had started
            self.view.flow.value = flow
        self.actions.progress.bar_style = "danger"
        self.actions.status.value = "failed"
        self.view.message.value = error_html(message, report)

    def _show_result(self, result, settings: dict) -> None:
        self.actions.progress.value = self.actions.progress.max
        self.actions.progress.bar_style = "success"
        final_flow = self._live.finish(result)
        self.actions.status.value = f"done: stored as <code>{html.escape(settings['save'])}</code>"
        self.view.flow.value = final_flow
        self._cell = cell_text(settings)
        self.view.cell_area.value = self._cell
        try:
            self.view.code_area.value = result.to_code()
        except Exception as err:  # noqa: BLE001
            self.view.code_area.value = f"# the plain-Python code could not be written: {_short(err)}"
        self.view.insert_note.value = _INSERT_HINT
        self.view.show_run(result, final_flow)

    # -- the code tab -------------------------------------------------------------------
    def insert_cell(self) -> bool:
        """Ask the front end to insert the ``%%pseudolabel`` cell below; say what to expect.

        A widget callback is not a cell execution, so a notebook kernel can only queue the
        request: Jupyter front ends receive it with the next cell that runs. The cell text
        stays in the box above to copy either way. Returns True when the request was queued.
        """
        note = self.view.insert_note
        if not self._cell:
            note.value = "Run first: there is no cell yet."
            return False
        shell = _shell()
        if shell is None or getattr(shell, "kernel", None) is None:
            note.value = "No notebook here: copy the cell from the box above."
            return False
        shell.set_next_input(self._cell, replace=False)
        note.value = ("Queued: the cell appears below the next cell you run "
                      "(or copy it from the box above).")
        return True


def panel(namespace: MutableMapping[str, Any] | None = None) -> PseudoLabelPanel:
    """Build the pseudo-label panel over a notebook namespace.

    Parameters
    ----------
    namespace : MutableMapping[str, Any] or None, optional
        Where frames and estimators are listed from and the result is stored. Default:
        the running notebook's namespace, else (outside IPython) the caller's globals.

    Returns
    -------
    PseudoLabelPanel
        The panel; it displays as its widget (the last expression of a cell shows it), and
        every control is an attribute (``p.labeled``, ``p.run_button``, ...).

    Examples
    --------
    >>> import pseudolabel_magic as pl
    >>> p = pl.panel()                # doctest: +SKIP
    >>> p.labeled.value = "train_df"  # doctest: +SKIP
    >>> p.target.value = "label"      # doctest: +SKIP
    >>> p.save_as.value = "run"       # doctest: +SKIP
    >>> p.run_button.click()          # doctest: +SKIP
    """
    return _make_panel(namespace, sys._getframe(1))


def _make_panel(namespace, caller) -> PseudoLabelPanel:
    shell_ns = getattr(_shell(), "user_ns", None)
    if namespace is None:
        namespace = shell_ns if shell_ns is not None else caller.f_globals
    hidden = getattr(_shell(), "user_ns_hidden", {}) if namespace is shell_ns else ()
    return PseudoLabelPanel(namespace, hidden=hidden)
