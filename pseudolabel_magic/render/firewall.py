"""The firewall around validation: which sets touched the validation rows, by which key.

:func:`leakage_diagram` draws a :class:`~.leakage_report.LeakageReport` as an SVG table
(one row per set that must not touch validation, one column per key rows are compared by)
with one verdict line that names the checks, and as plain text. Nothing here imports the
engine; every user string is escaped by :mod:`.svg`.
"""

from __future__ import annotations

import pandas as pd

from .svg import MUTED, PALETTE, Canvas, Diagram, clip

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
    header = [_KEY_TITLES[k] + (f" ({clip(names[k])})" if k in names else "") for k in keys]
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
            c.text(cx, y0 + 27, clip(names[key]), size=10, anchor="middle", fill=MUTED)
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
    return Diagram(c.to_svg(), "\n".join(lines), title, width)
