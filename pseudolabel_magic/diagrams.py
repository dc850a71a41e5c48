"""Pictures of a run: the five-step data flow and the firewall around validation.

One model (boxes, arrows, cells built from counts) is drawn twice, as inline SVG and as
plain text, so terminals, static renderings and every Jupyter front end show the same
picture. Front ends redraw :func:`flow_diagram` with new ``counts``/``states`` as the run
advances; nothing here imports matplotlib or the engine.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from .steps import STATES, STEP_KEYS, STEP_NUMBER, STEP_TITLE
from .svg import ARROW, MUTED, PALETTE, Canvas

STATE_MARK = {"pending": "\u00b7", "running": "\u2026", "done": "\u2713", "failed": "\u2717"}
_W, _H = 910, 392
_BOX_W, _BOX_H = 150, 70
_COL = (20, 200, 380, 560, 740)
_ROW = {"A": 62, "B": 166, "C": 292}
_VALIDATION_PATH = "#6b3a80"


class Diagram:
    """An SVG picture with a plain-text twin; displays wherever a notebook output can."""

    def __init__(self, svg: str, text: str, title: str = ""):
        self.svg, self.text, self.title = svg, text, title

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"image/svg+xml": self.svg, "text/plain": self.text}

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _n(counts: Mapping, key: str) -> str:
    value = counts.get(key)
    return "?" if value is None else f"{int(value):,}"


def _selection_label(config: Mapping | None) -> str:
    config = config or {}
    select = str(config.get("select", "") or "")
    if select == "threshold" or (not select and config.get("threshold") is not None):
        label = f"threshold {config.get('threshold', '?')}"
    elif select.replace("-", "_") == "k_best":
        label = f"k_best {config.get('k_best', '?')}"
    elif select:
        label = f"select {select}"
    else:
        label = ""
    rounds = config.get("rounds")
    if rounds is not None:
        label += (" \u00b7 " if label else "") + f"{rounds} round(s)"
    return label


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


def _flow_model(counts: Mapping, config: Mapping | None) -> list[dict]:
    """The boxes of the flow picture, in drawing order, each tied to a step."""
    sel = _selection_label(config)
    partitions = ""
    if counts.get("partitions_total") is not None:
        partitions = f"partitions {_n(counts, 'partitions_done')}/{_n(counts, 'partitions_total')}"
    pseudo_lines = [f"{_n(counts, 'n_selected')} of {_n(counts, 'n_unlabeled')} selected"]
    pseudo_lines += [line for line in (sel, partitions) if line]
    return [
        dict(key="labeled", step="split", kind="data", col=0, row="A", title="Labeled",
             lines=[f"{_n(counts, 'n_labeled')} rows"]),
        dict(key="train", step="split", kind="data", col=1, row="A", title="Train",
             lines=[f"{_n(counts, 'n_train')} rows"], badge=True),
        dict(key="validation", step="split", kind="validation", col=0, row="C",
             title="Validation", lines=[f"{_n(counts, 'n_validation')} rows", "held out"]),
        dict(key="teacher", step="teacher", kind="step", col=2, row="A", title="Teacher",
             lines=[f"fit on {_n(counts, 'n_train')} train rows"], badge=True),
        dict(key="unlabeled", step="pseudo_label", kind="data", col=1, row="B",
             title="Unlabeled", lines=[f"{_n(counts, 'n_unlabeled')} rows"]),
        dict(key="pseudo", step="pseudo_label", kind="step", col=2, row="B",
             title="Pseudo-labels", lines=pseudo_lines, badge=True),
        dict(key="combine", step="combine", kind="step", col=3, row="B",
             title="Student train set",
             lines=[f"{_n(counts, 'n_student_train')} rows",
                    f"{_n(counts, 'n_train')} train + {_n(counts, 'n_selected')} pseudo"],
             badge=True),
        dict(key="student", step="student", kind="step", col=4, row="B", title="Student",
             lines=["final predictions", f"on {_n(counts, 'n_unlabeled')} rows"], badge=True),
        dict(key="scores", step="student", kind="validation", col=3, row="C", width=330,
             title="Scores only", lines=["teacher vs student on validation's", "true labels"]),
    ]


def _xy(box: dict) -> tuple[float, float, float]:
    return _COL[box["col"]], _ROW[box["row"]], box.get("width", _BOX_W)


def _draw_box(c: Canvas, box: dict, state: str, emphasis: bool) -> None:
    x, y, w = _xy(box)
    fill, stroke = PALETTE[state if box["kind"] == "step" else box["kind"]]
    c.rect(x, y, w, _BOX_H, fill, stroke, width=3.5 if emphasis else 1.5)
    c.text(x + w / 2, y + 21, box["title"], size=13, anchor="middle", weight="bold")
    for i, line in enumerate(box["lines"][:3]):
        c.text(x + w / 2, y + 37 + 12 * i, _clip(line, int(w / 5.6)), size=11, anchor="middle")
    if box.get("badge"):
        b_fill, b_stroke = PALETTE[state]
        c.circle(x + 2, y + 2, 11, b_fill, b_stroke)
        c.text(x + 2, y + 6, STEP_NUMBER[box["step"]], size=12, anchor="middle", weight="bold")
        c.text(x + 17, y - 5, f"{STATE_MARK[state]} {state}", size=10, fill=MUTED)


def _arrows(c: Canvas, highlight: str | None) -> None:
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
        ("student", [(815, b + mid), (815, v)], "5,4"),
        ("student", [(170, v + top), (560, v + top)], "7,5"),
    ]
    for step, points, dash in routes:
        dim = highlight is not None and step != highlight
        color = _VALIDATION_PATH if dash else ARROW
        c.open_group(0.3 if dim else None)
        c.path(points, stroke=color, dash=dash)
        c.close_group()


def _flow_svg(boxes, states, highlight, leaky, title) -> str:
    c = Canvas(_W, _H, title)
    c.text(20, 26, title, size=15, weight="bold")
    if leaky:
        fill, stroke = PALETTE["failed"]
        c.rect(560, 9, 330, 24, fill, stroke, rx=4)
        c.text(725, 26, "LEAKY: scores are not honest", size=12, anchor="middle", weight="bold")
    v = _ROW["C"]
    c.rect(10, v - 30, _W - 20, _BOX_H + 52, "none", _VALIDATION_PATH, dash="3,4", width=1.2)
    c.text(190, v - 14, "validation path: scored only, never enters a fit", size=11,
           fill=_VALIDATION_PATH, weight="bold")
    _arrows(c, highlight)
    for box in boxes:
        state = _state(states, box["step"])
        dim = highlight is not None and box["step"] != highlight
        c.open_group(0.35 if dim else None)
        _draw_box(c, box, state, emphasis=box["step"] == highlight)
        c.close_group()
    return c.to_svg()


def _flow_text(counts, states, highlight, config, leaky, title) -> str:
    def tag(step):
        state = _state(states, step)
        star = " <<" if step == highlight else ""
        return f"[{STEP_NUMBER[step]} {step} {STATE_MARK[state]} {state}]{star}"

    sel = _selection_label(config)
    n = lambda key: _n(counts, key)  # noqa: E731
    lines = [title + ("    ** LEAKY: scores are not honest **" if leaky else "")]
    lines += [
        f"  labeled {n('n_labeled')} --{tag('split')}--> train {n('n_train')}"
        f" | validation {n('n_validation')}",
        f"  train {n('n_train')} --{tag('teacher')}--> teacher",
        f"  unlabeled {n('n_unlabeled')} + teacher --{tag('pseudo_label')}--> "
        f"{n('n_selected')} of {n('n_unlabeled')} selected" + (f" ({sel})" if sel else ""),
        f"  train {n('n_train')} + {n('n_selected')} pseudo --{tag('combine')}--> "
        f"student training set {n('n_student_train')}",
        f"  student training set --{tag('student')}--> student -> final predictions "
        f"on {n('n_unlabeled')} rows",
        f"  validation {n('n_validation')} ....> scores only (teacher vs student, true labels;"
        " never enters a fit)",
    ]
    if counts.get("partitions_total") is not None:
        lines.append(f"  partitions {n('partitions_done')}/{n('partitions_total')}")
    return "\n".join(lines)


def flow_diagram(counts: Mapping, states: Mapping | None = None, highlight: str | None = None,
                 config: Mapping | None = None, leaky: bool = False) -> Diagram:
    """The five steps with real row counts; missing counts draw as '?' while a run is young.

    Front ends pass ``states`` as events arrive; without it, a finished run (every count
    known) draws all steps done and anything else draws them pending.
    """
    if highlight is not None and highlight not in STEP_KEYS:
        raise ValueError(f"unknown step {highlight!r}; use one of {STEP_KEYS}")
    counts = dict(counts or {})
    if states is None:
        states = _default_states(counts)
    title = "Pseudo-label flow"
    if highlight is not None:
        title += f": step {STEP_NUMBER[highlight]}, {STEP_TITLE[highlight]}"
    boxes = _flow_model(counts, config)
    return Diagram(_flow_svg(boxes, states, highlight, leaky, title),
                   _flow_text(counts, states, highlight, config, leaky, title), title)


# -- the firewall around validation ------------------------------------------------------
_ROW_TITLES = {"train": "train", "unlabeled": "unlabeled", "pseudo_labels": "selected pseudo-labels",
               "teacher_fit": "teacher's fit", "student_fit": "student's fit"}
_KEY_TITLES = {"index": "by index", "content": "by row content", "id": "by id", "group": "by group"}


def _cell(value, warned: bool = False) -> tuple[str, str]:
    """(text, palette state) of one firewall cell: a check, a cross with the count, or a dash.

    ``warned``: the overlap was found and neutralised (kept out of the student, or scored
    apart), so it shows as "!" rather than as a failure.
    """
    if pd.isna(value):  # not known yet, or not applicable
        return "\u2013", "pending"
    value = int(value)
    if not value:
        return "\u2713 0", "done"
    return (f"! {value:,}", "warned") if warned else (f"\u2717 {value:,}", "failed")


#: firewall cells whose overlap is neutralised when their check only warns
_CELL_CHECKS = {("train", "index"): "validation_index_in_train",
                ("train", "content"): "validation_rows_in_train",
                ("unlabeled", "index"): "validation_index_in_unlabeled",
                ("unlabeled", "content"): "validation_rows_in_unlabeled",
                ("train", "id"): "shared_id", ("unlabeled", "id"): "shared_id",
                ("train", "group"): "shared_group", ("unlabeled", "group"): "shared_group"}


def _warned_cells(report) -> set:
    status = dict(zip(report.checks["check"], report.checks["status"]))
    return {cell for cell, check in _CELL_CHECKS.items() if status.get(check) == "warn"
            and not (cell[0] == "train" and cell[1] in ("id", "group"))}


def _twin_lines(report) -> list:
    """One line per set with twins of validation rows: what happened, and what chance explains."""
    twins = getattr(report, "twins", None)
    if twins is None or twins.empty:
        return []
    lines = []
    for side, row in twins.iterrows():
        if not row.get("rows"):
            continue
        what = ("kept out of the student's fit" if side == "unlabeled" else
                "refused: far more than chance" if row.get("far_more") else "scored apart")
        line = (f"{side}: {int(row['rows']):,} twin rows ({int(row['distinct']):,} distinct), "
                f"chance explains {float(row['expected']):.1f}: {what}")
        if side == "unlabeled" and row.get("far_more"):
            line += " (the pool contains the labeled rows?)"
        lines.append(line)
    return lines


def _clip(name, limit: int = 22) -> str:
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def _short_verdict(report) -> tuple[str, str]:
    checks = report.checks
    failed = checks[checks["status"] == "fail"]
    warned = checks[checks["status"] == "warn"]
    if len(failed):
        what = ", ".join(f"{r.check} ({r.count:,})" for r in failed.head(2).itertuples())
        more = f", +{len(failed) - 2} more" if len(failed) > 2 else ""
        return f"FAIL: {what}{more}", "failed"
    scope = "any fit" if report.after_run else "train or unlabeled (fits not yet checked)"
    names = ", ".join(warned["check"].head(2))
    more = f", +{len(warned) - 2} more" if len(warned) > 2 else ""
    warn = f" (warnings: {names}{more})" if len(warned) else ""
    return f"PASS: no validation row reached {scope}{warn}", "done"


def leakage_diagram(report) -> Diagram:
    """The sets that must not touch validation, the overlap by each key, and one verdict."""
    table = report.firewall
    names = getattr(report, "key_columns", {}) or {}
    keys = [k for k in table.columns if k in ("index", "content") or k in names]
    title = f"Firewall around validation ({report.n_validation:,} rows)"
    verdict, verdict_state = _short_verdict(report)
    header = [_KEY_TITLES[k] + (f" ({_clip(names[k])})" if k in names else "") for k in keys]
    warned = _warned_cells(report)
    twin_lines = _twin_lines(report)

    label_w, cell_w, row_h, x0, y0 = 190, 150, 34, 200, 70
    width = max(x0 + label_w + cell_w * len(keys) + 20, 760)
    unknown = bool(table[keys].isna().to_numpy().any())
    note = "\u2013 not known yet: the fits are checked after the run" if unknown else ""
    height = y0 + row_h * (len(table) + 1) + (88 if note else 70) + 18 * len(twin_lines)
    c = Canvas(width, height, title)
    c.text(20, 28, title, size=15, weight="bold")
    fill, stroke = PALETTE["validation"]
    c.rect(20, y0, 140, row_h * (len(table) + 1) - 6, fill, stroke)
    c.text(90, y0 + row_h * 3, "Validation", size=13, anchor="middle", weight="bold")
    c.text(90, y0 + row_h * 3 + 16, f"{report.n_validation:,} rows", size=11, anchor="middle")
    f_fill, f_stroke = PALETTE["failed" if verdict_state == "failed" else "done"]
    c.rect(172, y0 - 8, 12, row_h * (len(table) + 1) + 10, f_fill, f_stroke, rx=2)
    for j, key in enumerate(keys):
        cx = x0 + label_w + cell_w * j + cell_w / 2
        c.text(cx, y0 + 12, _KEY_TITLES[key], size=12, anchor="middle", weight="bold")
        if key in names:
            c.text(cx, y0 + 27, _clip(names[key]), size=10, anchor="middle", fill=MUTED)
    for i, (row, values) in enumerate(table.iterrows(), start=1):
        y = y0 + row_h * i
        c.text(x0, y + 21, _ROW_TITLES.get(row, row), size=12)
        for j, key in enumerate(keys):
            text, state = _cell(values[key], (row, key) in warned)
            cf, cs = PALETTE[state]
            c.rect(x0 + label_w + cell_w * j + 6, y + 4, cell_w - 12, row_h - 8, cf, cs, rx=4)
            c.text(x0 + label_w + cell_w * j + cell_w / 2, y + 22, text, size=12, anchor="middle",
                   weight="bold")
    vy = y0 + row_h * (len(table) + 1) + 16
    vf, vs = PALETTE[verdict_state]
    c.rect(20, vy, width - 40, 30, vf, vs, rx=4)
    c.text(32, vy + 20, verdict, size=12, weight="bold")

    labels = [_ROW_TITLES.get(row, row) + " \u2229 validation" for row in table.index]
    lw = max(map(len, labels)) + 2
    cw = [max(len(h), 6) + 3 for h in header]
    lines = [title, " " * (lw + 1) + "".join(f"{h:>{w}}" for h, w in zip(header, cw))]
    for label, (row, values) in zip(labels, table.iterrows()):
        cells = "".join(f"{_cell(values[k], (row, k) in warned)[0]:>{w}}" for k, w in zip(keys, cw))
        lines.append(f" {label:<{lw}}{cells}")
    ty = vy + 50
    if note:
        c.text(20, ty, note, size=11, fill=MUTED)
        lines.append(f" {note}")
        ty += 18
    for line in twin_lines:
        c.text(20, ty, "Twins in " + line, size=11)
        lines.append(" Twins in " + line)
        ty += 18
    lines.append(f" Verdict: {verdict}")
    return Diagram(c.to_svg(), "\n".join(lines), title)
