"""The panel's live data-flow diagram: what it knows about a run, and that drawn as HTML.

:class:`LiveFlow` keeps each step's state, the round under way, the run's settings and the
rows counted so far. The panel tells it what happens (the frames chosen before a run, a run
starting, each progress event, a failure, the finished result) and puts the HTML it draws
into its flow widget; the step states and counts follow the engine's progress events
(:class:`~pseudolabel_magic.steps.ProgressEvent`), and a failure marks the box it is about.
No widgets here, and nothing heavy is imported with this module.
"""

from __future__ import annotations

from ..steps import STEP_KEYS
from .choices import run_config
from .failures import failed_box
from .renderers import fit_svg, flow_html


class LiveFlow:
    """The state the live diagram is drawn from.

    Attributes
    ----------
    states : dict[str, str]
        Each step's state ("pending", "running", "done" or "failed").
    round : int
        The round under way.
    config : dict
        The run's settings, as the diagram reads them.
    counts : dict
        The rows counted so far.
    """

    def __init__(self):
        self.states: dict[str, str] = {}
        self.round = 1
        self.config: dict = {}
        self.counts: dict = {}

    def show_inputs(self, inputs: dict) -> None:
        """Before a run: the rows the chosen frames (and target) give, no fit needed."""
        from ..render.diagrams import known_counts

        self.counts = known_counts(inputs)

    def start(self, kwargs: dict) -> None:
        """A run with ``run``'s keyword arguments ``kwargs`` begins: every step pending."""
        self.states = {key: "pending" for key in STEP_KEYS}
        self.round = 1
        from ..render.diagrams import known_counts

        self.counts = known_counts(kwargs)
        self.config = run_config(kwargs)

    def advance(self, event) -> None:
        """One progress event: a new round starts its steps over; the event's counts add up."""
        if event.round > self.round:  # a new round: its steps start over
            self.round = event.round
            for key in STEP_KEYS[1:]:
                self.states[key] = "pending"
        self.states[event.step] = event.status
        self.counts = {**self.counts, **dict(event.counts)}

    def fail(self, message: str, leakage: bool = False, model_error: bool = False) -> str | None:
        """The diagram with the box at fault once a started run failed; None if none started."""
        if not any(state != "pending" for state in self.states.values()):
            return None
        self.states = {k: ("failed" if s == "running" else s) for k, s in self.states.items()}
        step = next((k for k, s in self.states.items() if s == "failed"), None)
        box = failed_box(message, step, leakage=leakage, model_error=model_error)
        return self.html(highlight=step, failed=box)

    def finish(self, result) -> str:
        """Every step done: the finished run's own diagram, else the step list drawn here."""
        self.states = {key: "done" for key in STEP_KEYS}
        self.counts = dict(result.counts)
        try:
            return f'<div class="pl-flow">{fit_svg(result.diagram().svg)}</div>'
        except Exception:  # noqa: BLE001 - the fallback says why
            return flow_html(self.counts, self.states, None, result.config, result.leaky)

    def html(self, highlight: str | None = None, failed: str | None = None) -> str:
        """The diagram as it stands, ``highlight`` the current step, ``failed`` the box at fault."""
        return flow_html(self.counts, self.states, highlight, self.config, failed=failed)
