"""What the magic shows around a run: the progress line, ``--explain``, a refusal's diagram.

The magic itself only turns a cell into one ``engine.run`` call; everything it displays
while that call works (or when the leakage checks refuse it) lives here, so the Magics
class stays about the line, the body and the notebook's namespace. Like the magic, it
imports nothing heavy: IPython's display, the step table, the diagrams and the
``--explain`` sentences are loaded when a run first needs them.
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING

from .cellkeys import FRAME, KEYS

if TYPE_CHECKING:
    from .cellparse import PseudoLabelCell


#: Seconds a run may take before the progress line appears.
PROGRESS_DELAY = 0.5


def _show_report(report) -> None:
    from IPython.display import display

    try:
        display(report.diagram())
    except ImportError:  # the diagrams module is optional for the message itself
        pass


class _Html:
    """A tiny displayable with matching text and HTML (html is already escaped)."""

    def __init__(self, text: str, html_text: str):
        self.text, self.html = text, html_text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html


class _Progress:
    """The engine's ``progress`` hook: one display line updated in place, emptied at the end.

    The line appears only once a run has taken more than :data:`PROGRESS_DELAY` seconds,
    and only in a kernel (a terminal would print every update).
    """

    def __init__(self, show: bool, narrator: "_Narrator | None" = None, display=None):
        self.show = show
        self.narrator = narrator
        self.handle = None
        self.start = time.perf_counter()
        self._display = display

    def _displayer(self):
        if self._display is None:
            from IPython.display import display

            self._display = display
        return self._display

    def __call__(self, event) -> None:
        if self.narrator is not None:
            self.narrator(event)
        if not self.show:
            return
        if self.handle is None and time.perf_counter() - self.start < PROGRESS_DELAY:
            return
        text, html_text = progress_text(event)
        bundle = {"text/plain": text, "text/html": html_text}
        if self.handle is None:
            self.handle = self._displayer()(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": ""}, raw=True)
            self.handle = None


def progress_text(event) -> tuple[str, str]:
    """The progress line for one event, as text and as escaped HTML."""
    from .steps import STEPS

    rounds = f" - round {event.round} of {event.rounds}" if event.rounds > 1 else ""
    detail = f" ({event.detail})" if event.detail else ""
    text = (f"pseudolabel: step {event.number}/{len(STEPS)} {event.title}{detail}{rounds} "
            f"[{event.status}] {event.fraction:.0%}")
    html_text = (f"<div><progress value='{event.fraction:.3f}' max='1'></progress> "
                 f"{html.escape(text)}</div>")
    return text, html_text


class _Narrator:
    """``--explain``: before each step, what it does and why, the diagram, the plain code."""

    def __init__(self, kwargs: dict, parsed: PseudoLabelCell, display=None):
        from .explain import explain_steps

        config = dict(kwargs)
        config["features"] = kwargs.get("features")
        config["validation_given"] = kwargs.get("validation") is not None
        config["frame_names"] = {key: parsed.entries[key].text for key in KEYS
                                 if KEYS[key].kind == FRAME and key in parsed.entries}
        self.steps = {key: (sentence, code) for key, sentence, code in explain_steps(config)}
        self.config = config
        self.told: set = set()
        self.states: dict = {}
        self.last_round = 1
        self._display = display

    def _show(self, obj) -> None:
        if self._display is None:
            from IPython.display import display

            self._display = display
        self._display(obj)

    def __call__(self, event) -> None:
        self.states[event.step] = event.status
        if event.status != "running":
            return
        if event.round > self.last_round:
            self.last_round = event.round
            self._show(_Html(
                f"Round {event.round} of {event.rounds}: the last student becomes the teacher "
                "and labels the rows still unused.",
                f"<p><b>Round {event.round} of {event.rounds}</b>: the last student becomes the "
                "teacher and labels the rows still unused.</p>"))
        if event.step in self.told:
            return
        self.told.add(event.step)
        sentence, code = self.steps[event.step]
        title = f"Step {event.number}: {event.title}"
        self._show(_Html(f"{title}\n{sentence}",
                         f"<p><b>{html.escape(title)}</b><br>{html.escape(sentence)}</p>"))
        try:
            from .diagrams import flow_diagram
        except ImportError:
            flow_diagram = None
        if flow_diagram is not None:
            self._show(flow_diagram(dict(event.counts), states=dict(self.states),
                                    highlight=event.step, config=self.config))
        self._show(_Html(code, f"<pre><code>{html.escape(code)}</code></pre>"))
