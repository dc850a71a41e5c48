"""Pictures of a run: the five-step data flow, and (from :mod:`.firewall`) the firewall.

One model (boxes, arrows, cells built from counts) is drawn twice, as inline SVG and as
plain text, so terminals, static renderings and every Jupyter front end show the same
picture. Front ends redraw :func:`flow_diagram` with new ``counts``/``states`` as the run
advances; nothing here imports matplotlib or the engine.

What the picture says about the settings: the pseudo-label box names what the rule *kept*
(confidence at least the threshold, the k most confident, every row; trimmed to the class
mix under ``balance``); ``rounds > 1`` draws the loop from the student back to the labelling;
both teacher and student have an edge into the validation scores; ``config["cv"]`` (K
folds) draws the labeled rows as K cross-fitting folds, and ``config["refit"]`` a last
"Refit on all labels" step after the student, whose scores were taken before it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..steps import STATES, STEP_KEYS, STEP_NUMBER, STEP_TITLE
from .firewall import leakage_diagram
from .svg import ARROW, MUTED, PALETTE, Canvas, Diagram, clip, mix

__all__ = ["Diagram", "flow_diagram", "kept_label", "known_counts", "leakage_diagram"]

STATE_MARK = {"pending": "\u00b7", "running": "\u2026", "done": "\u2713", "failed": "\u2717"}
_W, _H = 910, 412
_BOX_W, _BOX_H = 150, 70
_COL = (20, 200, 380, 560, 740)
_ROW = {"A": 62, "B": 166, "C": 312}
_VALIDATION_PATH = "#6b3a80"
_LOOP = "#9a6b00"
_REFIT_X, _REFIT_W = 660, 230

#: What the pseudo-label box says ``select="auto"`` keeps, before the engine resolves it:
#: the selection part of ``core.strategies.AUTO`` (the engine's layer is above this one; a
#: test keeps the two equal).
AUTO_SELECTION = {"select": "threshold", "threshold": 0.9, "balance": True}


def _n(counts: Mapping, key: str) -> str:
    value = counts.get(key)
    return "?" if value is None else f"{int(value):,}"


def _folds(config: Mapping) -> int | None:
    """K when the run cross-fits the labeled rows in K folds (``cv``), else None."""
    cv = config.get("cv")
    if cv is None:
        cv = config.get("folds")
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        return None
    return cv


def kept_label(config: Mapping | None) -> str:
    """What the selection rule kept, in a few words ("kept: confidence \u2265 0.9, class mix").

    Parameters
    ----------
    config : mapping or None
        The run's settings (``select``, ``threshold``, ``k_best``, ``curriculum``,
        ``balance``); ``select="auto"`` reads as :data:`AUTO_SELECTION`.

    Returns
    -------
    str
        For example ``"kept: confidence \u2265 0.9, trimmed to the class mix"``.
    """
    return ", ".join(_kept_parts(config))


def _kept_parts(config: Mapping | None) -> list[str]:
    """``["kept: <rule>"]``, plus ``"trimmed to the class mix"`` under ``balance``."""
    config = dict(config or {})
    select = str(config.get("select", "") or "")
    if select == "auto":
        config = {**AUTO_SELECTION, **{k: v for k, v in config.items() if k not in AUTO_SELECTION or v}}
        select = AUTO_SELECTION["select"]
    curriculum = config.get("curriculum")
    extra = []
    if curriculum:
        values = [float(t) for t in curriculum]
        rule = f"confidence \u2265 {values[0]:g}"
        extra = [f"curriculum: down to {values[-1]:g}"]
    elif select == "threshold" or (not select and config.get("threshold") is not None):
        rule = f"confidence \u2265 {config.get('threshold', '?')}"
    elif select.replace("-", "_") == "k_best":
        rule = f"top {config.get('k_best', '?')} by confidence"
    elif select in ("", "all"):
        rule = "every pseudo-label"
    else:
        rule = f"select {select}"
    extra += ["trimmed to the class mix"] if config.get("balance") else []
    return [f"kept: {rule}", *extra]


def _rounds(config: Mapping) -> int:
    try:
        return max(1, int(config.get("rounds") or 1))
    except (TypeError, ValueError):
        return 1


_FINAL_COUNTS = ("n_train", "n_validation", "n_unlabeled", "n_selected", "n_student_train")


def _default_states(counts: Mapping) -> dict:
    """Without live states, a picture with every final count is a finished run: all done."""
    finished = all(counts.get(key) is not None for key in _FINAL_COUNTS)
    return dict.fromkeys(STEP_KEYS, "done" if finished else "pending")


def _state(states: Mapping | None, key: str) -> str:
    state = (states or {}).get(key, "pending")
    if state not in STATES:
        raise ValueError(f"unknown state {state!r} for step {key!r}; use one of {STATES}")
    return state


def _box(key, step, kind, col, row, title, lines, **extra) -> dict:
    return {"key": key, "step": step, "kind": kind, "col": col, "row": row, "title": title,
            "lines": lines, **extra}


def _flow_model(counts: Mapping, config: Mapping) -> list[dict]:
    """The boxes of the flow picture, in drawing order, each tied to a step."""
    partitions = ""
    if counts.get("partitions_total") is not None:
        partitions = f"partitions {_n(counts, 'partitions_done')}/{_n(counts, 'partitions_total')}"
    pseudo_lines = [f"{_n(counts, 'n_selected')} of {_n(counts, 'n_unlabeled')} kept",
                    *_kept_parts(config)] + ([partitions] if partitions else [])
    k = _folds(config)
    labeled_lines = [f"{_n(counts, 'n_labeled')} rows"] + ([f"in {k} folds"] if k else [])
    train_title = f"Train ({k - 1} folds)" if k else "Train"

    def n(key):
        return _n(counts, key)

    scores_lines = (["teacher vs student, each labeled", "row scored once, out of fold"] if k
                    else ["teacher vs student on validation's", "true labels"])
    boxes = [
        _box("labeled", "split", "data", 0, "A", "Labeled", labeled_lines),
        _box("train", "split", "data", 1, "A", train_title, [f"{n('n_train')} rows"], badge=True),
        _box("validation", "split", "validation", 0, "C",
             "Validation fold" if k else "Validation",
             [f"{n('n_validation')} rows", f"{k}-fold cross-fit" if k else "held out"]),
        _box("teacher", "teacher", "step", 2, "A", "Teacher",
             [f"fit on {n('n_train')} train rows"], badge=True),
        _box("unlabeled", "pseudo_label", "data", 1, "B", "Unlabeled", [f"{n('n_unlabeled')} rows"]),
        _box("pseudo", "pseudo_label", "step", 2, "B", "Pseudo-labels", pseudo_lines, badge=True),
        _box("combine", "combine", "step", 3, "B", "Student train set",
             [f"{n('n_student_train')} rows", f"{n('n_train')} train + {n('n_selected')} pseudo"],
             badge=True),
        _box("student", "student", "step", 4, "B", "Student",
             ["final predictions", f"on {n('n_unlabeled')} rows"], badge=True),
        _box("scores", "student", "validation", 3, "C", "Scores only", scores_lines, width=330),
    ]
    if config.get("refit"):
        boxes.append(_box("refit", "student", "step", None, "A", "Refit on all labels",
                          [f"{n('n_labeled')} labeled rows + pseudo", "scores were taken before it"],
                          x=_REFIT_X, width=_REFIT_W))
    return boxes


def _xy(box: dict) -> tuple[float, float, float]:
    x = box["x"] if "x" in box else _COL[box["col"]]
    return x, _ROW[box["row"]], box.get("width", _BOX_W)


def _draw_box(c: Canvas, box: dict, state: str, emphasis: bool, dim: bool, failed: bool) -> None:
    """One box; a dimmed box keeps dark text on a lighter fill (contrast stays >= 4.5:1)."""
    x, y, w = _xy(box)
    fill, stroke = PALETTE["failed" if failed else state if box["kind"] == "step" else box["kind"]]
    if dim:
        fill, stroke = mix(fill), mix(stroke, share=0.45)
    c.rect(x, y, w, _BOX_H, fill, stroke, width=3.5 if emphasis or failed else 1.5)
    c.text(x + w / 2, y + 21, box["title"], size=13, anchor="middle", weight="bold")
    for i, line in enumerate(box["lines"][:3]):
        c.text(x + w / 2, y + 37 + 12 * i, clip(line, int(w / 5.6)), size=11, anchor="middle")
    if box.get("badge"):
        b_fill, b_stroke = PALETTE[state]
        if dim:
            b_fill, b_stroke = mix(b_fill), mix(b_stroke, share=0.45)
        c.circle(x + 2, y + 2, 11, b_fill, b_stroke)
        c.text(x + 2, y + 6, STEP_NUMBER[box["step"]], size=12, anchor="middle", weight="bold")
        c.text(x + 17, y - 5, f"{STATE_MARK[state]} {state}", size=10, fill=MUTED)
    if failed and not box.get("badge"):  # a step's badge already says "failed"
        c.text(x + 2, y - 5, "\u2717 the problem is here", size=11, weight="bold",
               fill=PALETTE["failed"][1])


def _arrows(c: Canvas, highlight: str | None, config: Mapping) -> None:
    """Fixed routes between the boxes; the validation path is dashed and never meets a fit."""
    top, mid = _BOX_H / 2, _BOX_H
    a, b, v = _ROW["A"], _ROW["B"], _ROW["C"]
    routes = [
        ("split", [(170, a + top), (200, a + top)], None),
        ("split", [(95, a + mid), (95, v)], None),
        ("teacher", [(350, a + top), (380, a + top)], None),
        ("pseudo_label", [(455, a + mid), (455, b)], None),
        ("pseudo_label", [(350, b + top), (380, b + top)], None),
        ("combine", [(530, b + top), (560, b + top)], None),
        ("combine", [(275, a), (275, a - 18), (635, a - 18), (635, b)], None),
        ("student", [(710, b + top), (740, b + top)], None),
        ("student", [(815, b + mid), (815, v)], "5,4"),  # the student is scored
        ("teacher", [(380, a + 55), (365, a + 55), (365, v + 16), (560, v + 16)], "5,4"),  # so is the teacher
        ("student", [(170, v + top), (560, v + top)], "7,5"),
    ]
    if config.get("refit"):
        routes.append(("student", [(815, b), (815, a + mid)], None))
    for step, points, dash in routes:
        dim = highlight is not None and step != highlight
        color = _VALIDATION_PATH if dash else ARROW
        c.open_group(0.3 if dim else None)
        c.path(points, stroke=color, dash=dash)
        c.close_group()
    rounds = _rounds(config)
    if rounds > 1:  # the student labels again: a loop back to the pseudo-labels
        dim = highlight is not None and highlight not in ("student", "pseudo_label")
        c.open_group(0.3 if dim else None)
        c.path([(760, b + mid), (760, b + mid + 16), (480, b + mid + 16), (480, b + mid)],
               stroke=_LOOP, width=2)
        c.close_group()
        which = f"rounds 2\u2013{rounds}" if rounds > 2 else "round 2"
        c.text(620, b + mid + 31, f"{which}: the student labels again",
               size=11, anchor="middle", weight="bold", fill="#6b4a00")


def _title_of(highlight: str | None) -> str:
    title = "Pseudo-label flow"
    if highlight is not None:
        title += f": step {STEP_NUMBER[highlight]}, {STEP_TITLE[highlight]}"
    return title


def _flow_svg(boxes, states, highlight, leaky, title, config, failed) -> str:
    c = Canvas(_W, _H, title)
    c.text(20, 26, title, size=15, weight="bold")
    if leaky:
        fill, stroke = PALETTE["failed"]
        c.rect(560, 9, 330, 24, fill, stroke, rx=4)
        c.text(725, 26, "LEAKY: scores are not honest", size=12, anchor="middle", weight="bold")
    v = _ROW["C"]
    c.rect(10, v - 30, _W - 20, _BOX_H + 52, "none", _VALIDATION_PATH, dash="3,4", width=1.2)
    where = "held-out folds" if _folds(config) else "validation path"
    c.text(190, v + 86, f"{where}: scored only, never enters a fit", size=11,
           fill=_VALIDATION_PATH, weight="bold")
    _arrows(c, highlight, config)
    for box in boxes:
        state = _state(states, box["step"])
        dim = highlight is not None and box["step"] != highlight and box["key"] != failed
        _draw_box(c, box, state, emphasis=box["step"] == highlight, dim=dim,
                  failed=box["key"] == failed)
    return c.to_svg()


def _flow_text(counts, states, highlight, config, leaky, title, failed) -> str:
    def tag(step):
        state = _state(states, step)
        star = " <<" if step == highlight else ""
        return f"[{STEP_NUMBER[step]} {step} {STATE_MARK[state]} {state}]{star}"

    n = lambda key: _n(counts, key)
    k = _folds(config)
    rounds = _rounds(config)
    lines = [title + ("    ** LEAKY: scores are not honest **" if leaky else "")]
    split = (f"  labeled {n('n_labeled')} in {k} folds --{tag('split')}--> train {n('n_train')}"
             f" | validation fold {n('n_validation')} ({k}-fold cross-fit)" if k else
             f"  labeled {n('n_labeled')} --{tag('split')}--> train {n('n_train')}"
             f" | validation {n('n_validation')}")
    lines += [
        split,
        f"  train {n('n_train')} --{tag('teacher')}--> teacher",
        (f"  unlabeled {n('n_unlabeled')} + teacher --{tag('pseudo_label')}--> "
        f"{n('n_selected')} of {n('n_unlabeled')} kept ({kept_label(config)})"),
        (f"  train {n('n_train')} + {n('n_selected')} pseudo --{tag('combine')}--> "
        f"student training set {n('n_student_train')}"),
        (f"  student training set --{tag('student')}--> student -> final predictions "
        f"on {n('n_unlabeled')} rows"),
    ]
    if rounds > 1:
        which = f"rounds 2-{rounds}" if rounds > 2 else "round 2"
        lines.append(f"  {which}: the student labels again (back to step 3)")
    if config.get("refit"):
        lines.append(f"  student --> refit on all labels ({n('n_labeled')} labeled rows + pseudo);"
                     " scores were taken before it")
    scored = "each labeled row once, out of fold" if k else "true labels"
    lines.append(f"  validation {n('n_validation')} ....> scores only (teacher vs student, {scored};"
                 " never enters a fit)")
    if counts.get("partitions_total") is not None:
        lines.append(f"  partitions {n('partitions_done')}/{n('partitions_total')}")
    if failed is not None:
        lines.append(f"  the problem is here: {failed}")
    return "\n".join(lines)


_BOX_KEYS = ("labeled", "train", "validation", "teacher", "unlabeled", "pseudo", "combine",
             "student", "scores", "refit")


def flow_diagram(counts: Mapping, states: Mapping | None = None, highlight: str | None = None,
                 config: Mapping | None = None, leaky: bool = False,
                 failed: str | None = None) -> Diagram:
    """The five steps with real row counts; missing counts draw as '?' while a run is young.

    Parameters
    ----------
    counts : mapping
        Row counts known so far (``n_labeled``, ``n_train``, ``n_validation``,
        ``n_unlabeled``, ``n_selected``, ``n_student_train``, partitions).
    states : mapping, optional
        Step key -> state (pending, running, done, failed), as events arrive; without it,
        a finished run (every count known) draws all steps done and anything else pending.
    highlight : str, optional
        The step to emphasise (the others are dimmed).
    config : mapping, optional
        The run's settings: what the selection kept, rounds, cross-fitting, refit.
    leaky : bool, default=False
        Say that the scores are not honest (``allow_leakage=True`` found leakage).
    failed : str, optional
        The box a refusal or error is about (``"unlabeled"``, ``"teacher"``, ...): it is
        drawn red with a thick border and "the problem is here".

    Returns
    -------
    Diagram
        The picture as SVG and as plain text.

    Raises
    ------
    ValueError
        For an unknown step, box or state.
    """
    if highlight is not None and highlight not in STEP_KEYS:
        raise ValueError(f"unknown step {highlight!r}; use one of {STEP_KEYS}")
    if failed is not None and failed not in _BOX_KEYS:
        raise ValueError(f"unknown box {failed!r}; use one of {_BOX_KEYS}")
    counts = dict(counts or {})
    config = dict(config or {})
    if states is None:
        states = _default_states(counts)
    title = _title_of(highlight)
    boxes = _flow_model(counts, config)
    return Diagram(_flow_svg(boxes, states, highlight, leaky, title, config, failed),
                   _flow_text(counts, states, highlight, config, leaky, title, failed), title, _W)


def known_counts(kwargs: dict) -> dict:
    """Rows the frames give before any fit; a lazy (Dask) pool is not counted (that would compute it).

    Parameters
    ----------
    kwargs : dict
        The run's arguments: ``labeled``, ``unlabeled``, ``validation`` and ``target``.

    Returns
    -------
    dict
        ``n_labeled`` and ``n_unlabeled`` (and, with a validation frame, ``n_train`` and
        ``n_validation``); empty when the frames cannot say.
    """
    labeled, unlabeled, target = kwargs.get("labeled"), kwargs.get("unlabeled"), kwargs.get("target")
    try:
        missing = labeled[target].isna()
        if unlabeled is None:
            counts = {"n_labeled": int((~missing).sum()), "n_unlabeled": int(missing.sum())}
        elif type(unlabeled).__module__.startswith("dask"):
            counts = {"n_labeled": len(labeled)}
        else:
            counts = {"n_labeled": len(labeled), "n_unlabeled": len(unlabeled)}
        validation = kwargs.get("validation")
        if validation is not None:
            counts.update(n_train=counts["n_labeled"], n_validation=len(validation))
    except Exception:  # noqa: BLE001 - a bad frame is the engine's to report, in its words
        return {}
    return counts
