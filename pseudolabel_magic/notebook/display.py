"""What the magic shows around a run: the progress line, ``--explain``, a refusal's diagram,
and the one line that says which model failed when a user's estimator raises.

The magic itself only turns a cell into one ``engine.run`` call; everything it displays
while that call works (or when the leakage checks refuse it, or a model fails) lives here,
so the Magics class stays about the line, the body and the notebook's namespace. Like the
magic, it imports nothing heavy: IPython's display, the step table, the diagrams and the
``--explain`` sentences are loaded when a run first needs them.
"""

from __future__ import annotations

import html
import time

from .choices import run_config

#: Seconds a run may take before the progress line appears.
PROGRESS_DELAY = 0.5


def show_report(report) -> None:
    """Show a leakage refusal's diagram above the one-line message (when it can be drawn)."""
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


class Progress:
    """The engine's ``progress`` hook: one display line updated in place, emptied at the end.

    The line appears only once a run has taken more than :data:`PROGRESS_DELAY` seconds,
    and only in a kernel (a terminal would print every update).
    """

    def __init__(self, show: bool, narrator: Narrator | None = None, display=None):
        self.show = show
        self.narrator = narrator
        self.handle = None
        self.start = time.perf_counter()
        self._display = display
        self.last = None  # the last event seen: the step a failure happened in

    def _displayer(self):
        if self._display is None:
            from IPython.display import display

            self._display = display
        return self._display

    def __call__(self, event) -> None:
        self.last = event
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
        """Empty the progress line (the run is over)."""
        if self.handle is not None:
            self.handle.update({"text/plain": ""}, raw=True)
            self.handle = None


def progress_text(event) -> tuple[str, str]:
    """The progress line for one event, as text and as escaped HTML."""
    from ..steps import STEPS

    rounds = f" - round {event.round} of {event.rounds}" if event.rounds > 1 else ""
    if getattr(event, "fold", None):
        rounds += f" - fold {event.fold} of {event.folds}"
    elif getattr(event, "refit", False):
        rounds += " - refit on every labeled row"
    detail = f" ({event.detail})" if event.detail else ""
    text = (f"pseudolabel: step {event.number}/{len(STEPS)} {event.title}{detail}{rounds} "
            f"[{event.status}] {event.fraction:.0%}")
    html_text = (f"<div><progress value='{event.fraction:.3f}' max='1'></progress> "
                 f"{html.escape(text)}</div>")
    return text, html_text


class Narrator:
    """``--explain``: before each step, what it does and why, the diagram, the plain code.

    Each step's diagram is shown with a ``display_id`` and updated as the step ends (done or
    failed), so a saved notebook shows every step as it ended, not as "running". Counts the
    frames give before any fit (labeled and unlabeled rows) are drawn from step 1 on; the
    split's own counts (train, validation) arrive when it ends. The sentences are written
    when their step starts, from what is known then (the default model is named from the
    rows it is fitted on). ``kwargs`` are the run's keyword arguments and ``frame_names``
    the notebook's names of its frames (:func:`.choices.frame_names`).
    """

    def __init__(self, kwargs: dict, frame_names: dict, display=None):
        from ..core.preparation import (
            seeded,  # the run seeds the user's models: so does the narration
        )

        config = run_config(kwargs)
        for role in ("teacher", "student"):
            if config.get(role) is not None:
                config[role] = seeded(config[role], config.get("random_state", 0))
        config["features"] = kwargs.get("features")
        config["frame_names"] = dict(frame_names)
        config.setdefault("task", None)
        if config["task"] is None:
            config["task"] = _guess_task(kwargs)
        self.config = config
        from ..render.diagrams import known_counts

        self.known = known_counts(kwargs)
        self.told: set = set()
        self.states: dict = {}
        self.handles: dict = {}
        self.last_round = 1
        self._display = display

    def _show(self, obj, display_id: bool = False):
        if self._display is None:
            from IPython.display import display

            self._display = display
        if display_id:
            return self._display(obj, display_id=True)
        self._display(obj)
        return None

    def _diagram(self, step: str, counts: dict):
        from ..render.diagrams import flow_diagram

        return flow_diagram(counts, states=dict(self.states), highlight=step, config=self.config)

    def __call__(self, event) -> None:
        self.states[event.step] = event.status
        counts = {**self.known, **dict(event.counts)}
        handle = self.handles.get(event.step)
        if handle is not None:  # the step's own picture follows it to its end, then stays
            handle.update(self._diagram(event.step, counts))
            if event.status != "running":
                del self.handles[event.step]
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
        from ..core.models import SMALL_TRAIN_ROWS
        from ..core.strategies import AUTO_CV, resolve_auto
        from ..render.explain import explain_steps

        steps = {key: (sentence, code) for key, sentence, code in explain_steps(
            self.config, counts, small_train_rows=SMALL_TRAIN_ROWS, resolve_auto=resolve_auto,
            auto_cv=AUTO_CV)}
        sentence, code = steps[event.step]
        title = f"Step {event.number}: {event.title}"
        self._show(_Html(f"{title}\n{sentence}",
                         f"<p><b>{html.escape(title)}</b><br>{html.escape(sentence)}</p>"))
        self.handles[event.step] = self._show(self._diagram(event.step, counts), display_id=True)
        self._show(_Html(code, f"<pre><code>{html.escape(code)}</code></pre>"))


def _guess_task(kwargs: dict) -> str | None:
    """The task the engine will infer (from the teacher's kind, else the target), or None."""
    try:
        from ..core.models import infer_task

        return infer_task(kwargs["labeled"][kwargs["target"]], kwargs.get("teacher"))
    except Exception:  # noqa: BLE001 - a bad frame is the engine's to report
        return None


# -- a user's model failed during the run ---------------------------------------------------
#: Estimator methods the engine calls (directly or through clone); a traceback frame of one
#: of them, below the package's last frame, is the user's model failing on the user's data.
_MODEL_METHODS = frozenset({
    "fit", "partial_fit", "fit_transform", "transform", "predict", "predict_proba",
    "predict_log_proba", "decision_function", "score", "get_params", "set_params",
    "__init__", "__sklearn_clone__", "__sklearn_tags__",
})


def _failing_call(tb, records=None) -> tuple[str, str | None] | None:
    """(model class, method or None) of the outermost model call between us and the raise.

    None when no frame below the package's last one belongs to a model: the package itself
    or a library it called directly (pandas, numpy) raised, which is a bug of ours whose
    traceback should show. ``records`` (:func:`call_records`) stand in for ``tb``.
    """
    package = __name__.partition(".")[0]
    from ..errors import call_records

    records = call_records(tb) if records is None else records
    ours = [i for i, r in enumerate(records) if r["module"].partition(".")[0] == package]
    owner = None
    for r in records[ours[-1] + 1 if ours else 0:]:
        if r["cloned"]:
            return r["cloned"], "clone"
        if r["owner"] is None:
            continue
        owner = owner or r["owner"]
        if r["name"] in _MODEL_METHODS:
            return r["owner"], r["name"]
        if r["name"] == "wrapper" and r["wrapped"] in _MODEL_METHODS:
            return r["owner"], r["wrapped"]
    return (owner, None) if owner is not None else None


#: The engine's fit roles (``FitRecord.role``) in words.
_ROLE_WORDS = {"calibration": "calibrated teacher", "oof-teacher": "out-of-fold teacher",
               "oof-student": "out-of-fold student"}


def _who(err, event) -> str | None:
    """Which model of the recipe was at work: the engine's own note first, else the step."""
    role = getattr(err, "pseudolabel_role", None)  # set by the engine's fit_model when it can
    if role:
        role = _ROLE_WORDS.get(role, role)
        round_ = getattr(err, "pseudolabel_round", 1) or 1
        fold = getattr(err, "pseudolabel_fold", None)
        role = f"fold-{fold} {role}" if fold else role
        return f"the {role}" if round_ <= 1 else f"the round-{round_} {role}"
    if event is None:
        return None
    if event.step in ("teacher", "pseudo_label"):
        return "the teacher" if event.round <= 1 else f"the round-{event.round} teacher"
    if event.step == "student":
        return "the student"
    return None


def _one_line(err: BaseException, width: int = 240) -> str:
    text = " ".join(str(err).split()).rstrip(".")
    text = text if len(text) <= width else text[: width - 3] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def model_failure(err: BaseException, event=None) -> str | None:
    """One line for an exception a user's model raised during a run, or None if it is not one.

    Parameters
    ----------
    err : BaseException
        The exception that came out of ``engine.run`` (or ``compare``).
    event : ProgressEvent or None
        The last progress event of the run: its step and round say which model was at work.

    Returns
    -------
    str or None
        For example ``"the teacher's fit failed: ValueError: could not convert string to
        float: 'Paris'; full traceback with %tb"``; None when the traceback never entered a
        model's method (a bug of the engine, whose traceback must show).
    """
    call = _failing_call(err.__traceback__, getattr(err, "pseudolabel_frames", None))
    if call is None:
        return None
    model, method = call
    if method == "clone":
        what = f"cloning {model}"
    else:
        who = _who(err, event)
        if who:
            what = f"{who}'s {method}" if method else who
        else:
            what = f"{model}.{method}" if method else model
            if event is not None and event.step == "split":
                what += " (while preparing the run)"
    return f"{what} failed: {_one_line(err)}; full traceback with %tb"

