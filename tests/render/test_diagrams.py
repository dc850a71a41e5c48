"""Diagrams: valid XML, real counts, no CSS or script, escaped user strings, text twin."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from pseudolabel_magic.leakage.checks import check_leakage
from pseudolabel_magic.leakage.fitlog import EvalRecord, FitRecord
from pseudolabel_magic.render.diagrams import Diagram, flow_diagram, leakage_diagram
from pseudolabel_magic.steps import STEP_KEYS

SVG = "{http://www.w3.org/2000/svg}"
COUNTS = {"n_labeled": 1234, "n_train": 987, "n_validation": 247, "n_unlabeled": 5678, "n_selected": 432,
              "n_student_train": 1419}


def parse(diagram: Diagram):
    root = ET.fromstring(diagram.svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(diagram: Diagram) -> list[str]:
    return ["".join(t.itertext()) for t in parse(diagram).iter(f"{SVG}text")]


def assert_static_safe(diagram: Diagram):
    root = parse(diagram)
    tags = {el.tag.replace(SVG, "") for el in root.iter()}
    assert not tags & {"style", "script", "foreignObject"}
    assert all("style" not in el.attrib for el in root.iter())
    assert "<script" not in diagram.svg and "<style" not in diagram.svg and "style=" not in diagram.svg
    assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)


def test_flow_diagram_shows_the_real_counts_in_svg_and_text():
    d = flow_diagram(COUNTS, config={"select": "threshold", "threshold": 0.9, "rounds": 2})
    assert_static_safe(d)
    words = " ".join(texts(d))
    for value in ("1,234 rows", "987 rows", "247 rows", "5,678 rows", "432 of 5,678 kept",
                  "1,419 rows", "987 train + 432 pseudo", "kept: confidence \u2265 0.9",
                  "round 2: the student labels again"):
        assert value in words
    for value in ("labeled 1,234", "train 987", "validation 247", "unlabeled 5,678",
                  "432 of 5,678 kept (kept: confidence \u2265 0.9)", "training set 1,419",
                  "round 2: the student labels again"):
        assert value in d.text
    assert "validation path: scored only, never enters a fit" in words
    assert str(d) == d.text == repr(d)


def test_diagrams_scale_to_the_output_width_inside_html():
    """Lab draws image/svg+xml as an image that never shrinks: send HTML, 100% wide, capped."""
    train, val, unl, _ = _frames()
    for d in (flow_diagram(COUNTS), flow_diagram(COUNTS, highlight="teacher"),
              check_leakage(train, val, unl, target="y").diagram()):
        bundle = d._repr_mimebundle_()
        assert set(bundle) == {"text/html", "text/plain"} and bundle["text/plain"] == d.text
        assert not hasattr(d, "_repr_svg_")
        root = parse(d)
        assert root.attrib["width"] == "100%" and "height" not in root.attrib
        width = float(root.attrib["viewBox"].split()[2])
        assert width == d.width
        html_text = bundle["text/html"]
        assert html_text == f'<div class="pl-diagram" style="max-width:{d.width}px">{d.svg}</div>'
        assert_static_safe(d)


def test_every_step_is_numbered_and_drawn_in_its_state():
    states = {"split": "done", "teacher": "done", "pseudo_label": "running", "combine": "failed"}
    d = flow_diagram(COUNTS, states=states)  # a step missing from states is pending
    words = texts(d)
    for number in "12345":
        assert number in words
    assert words.count("\u2713 done") == 2 and words.count("\u2026 running") == 1
    assert words.count("\u2717 failed") == 1 and words.count("\u00b7 pending") == 1
    for key, state in {**states, "student": "pending"}.items():
        assert re.search(rf"\[\d {key} . {state}\]", d.text)
    fills = {c.attrib["fill"] for c in parse(d).iter(f"{SVG}circle")}
    assert len(fills) == 4  # one badge colour per state
    with pytest.raises(ValueError, match="unknown state"):
        flow_diagram(COUNTS, states={"teacher": "sleeping"})


def test_missing_counts_draw_as_question_marks_while_a_run_is_young():
    d = flow_diagram({"n_labeled": 100})
    assert_static_safe(d)
    assert "100 rows" in texts(d) and "? rows" in texts(d)
    assert "? of ? kept" in texts(d)
    assert "train ?" in d.text
    assert texts(d).count("\u00b7 pending") == 5


def test_without_states_a_finished_run_draws_every_step_done():
    assert texts(flow_diagram(COUNTS)).count("\u2713 done") == 5
    partial = {k: v for k, v in COUNTS.items() if k != "n_student_train"}
    assert texts(flow_diagram(partial)).count("\u2713 done") == 0


def test_highlight_emphasises_one_step_and_dims_the_others():
    d = flow_diagram(COUNTS, highlight="combine")
    assert "step 4" in texts(d)[0]
    assert d.text.count("<<") == 1 and "combine" in next(line for line in d.text.splitlines() if "<<" in line)
    groups = [g for g in parse(d).iter(f"{SVG}g") if g.attrib.get("opacity")]
    assert groups  # the other steps are dimmed
    widths = [r.attrib["stroke-width"] for r in parse(d).iter(f"{SVG}rect")]
    assert widths.count("3.5") == 1
    with pytest.raises(ValueError, match="unknown step"):
        flow_diagram(COUNTS, highlight="nope")
    assert set(STEP_KEYS) == {"split", "teacher", "pseudo_label", "combine", "student"}


def test_a_leaky_run_says_so_in_both_pictures():
    d = flow_diagram(COUNTS, leaky=True)
    assert "LEAKY: scores are not honest" in texts(d)
    assert "LEAKY" in d.text
    assert "LEAKY" not in flow_diagram(COUNTS).text


def test_user_strings_are_escaped_and_render_as_text():
    evil = "<script>alert(1)</script>"
    d = flow_diagram(COUNTS, config={"select": evil, "rounds": 1})
    assert_static_safe(d)
    assert f"kept: select {evil}"[:25] + "\u2026" in texts(d)  # parsed back as text, not markup
    assert f"kept: select {evil}" in d.text


def _frames():
    rng = np.random.default_rng(3)
    evil = "<script>alert(1)</script>"
    def block(n, start):
        return pd.DataFrame({"a": rng.normal(size=n), evil: np.arange(start, start + n),
                             "y": rng.integers(0, 2, n)}, index=range(start, start + n))
    train, val, unl = block(30, 0), block(12, 100), block(20, 1000).drop(columns="y")
    copies = val.iloc[:3].drop(columns="y")
    copies.index = [7001, 7002, 7003]
    return train, val, pd.concat([unl, copies]), evil


def test_leakage_diagram_is_a_firewall_with_counts_and_one_verdict():
    train, val, unl, evil = _frames()
    report = check_leakage(train, val, unl, target="y", id_col=evil)
    d = report.diagram()
    assert_static_safe(d)
    words = texts(d)
    assert words[0] == "Firewall around validation (12 rows)"
    assert words.count("! 3") == 2  # unlabeled by content and by id: found, neutralised
    assert words.count("\u2013") == 9  # pseudo-labels and both fits: not known before the run
    assert "\u2013 not known yet: the fits are checked after the run" in words
    assert evil[:21] + "\u2026" in words  # the id column name: escaped markup, intact text
    verdict = [w for w in words if w.startswith(("FAIL", "PASS"))]
    assert verdict == [("PASS: no validation row reached train or unlabeled (fits not yet checked) "
                       "(warnings: validation_rows_in_unlabeled, shared_id)")]
    twin_line = [w for w in words if w.startswith("Twins in unlabeled")]
    assert twin_line and "3 twin rows (3 distinct)" in twin_line[0]
    assert "kept out of the student's fit" in twin_line[0]
    assert "Verdict: PASS" in d.text and "unlabeled \u2229 validation" in d.text

    # a student fit that (wrongly) took the copies is caught after the run
    log = [FitRecord("teacher", 1, "m", 30, train.index, unl.index[:0]),
           FitRecord("student", 1, "m", 53, train.index, unl.index)]
    after = report.with_fit_log(log, [EvalRecord("student", 1, val.index, val["y"])])
    words = texts(leakage_diagram(after))
    assert "\u2013" not in words and not any("not known yet" in w for w in words)
    # selected pseudo-labels and student's fit by content; ids shared with the pool only warn
    assert words.count("\u2717 3") == 2
    assert "FAIL: student_fit_saw_validation (3)" in words


def test_the_verdict_names_two_failed_checks_and_counts_the_rest():
    train, val, unl, evil = _frames()
    leaked = val.iloc[:2].copy()
    leaked.index = [900, 901]
    rng = np.random.default_rng(4)  # a pool big enough that 2 twins are not chance
    pool = pd.DataFrame({"a": rng.normal(size=2000), evil: np.arange(5000, 7000)})
    pool = pd.concat([unl.iloc[:20], pool])  # without _frames' 3 copies of validation rows
    val = val.rename(index=lambda i: f"r{i}")  # labels that identify rows
    train = train.rename(index=lambda i: f"r{i}").rename(index={"r0": "r100"})  # one label shared
    leaked.index = ["c1", "c2"]
    report = check_leakage(pd.concat([train, leaked]), val, pool, target="y",
                           id_col=evil)  # the copies carry validation's ids: a third failure
    words = texts(report.diagram())
    assert ("FAIL: validation_index_in_train (1), validation_rows_in_train (2), +1 more") in words
    assert "Twins in train: 2 twin rows (2 distinct), chance explains 0.0: refused: far more than chance" in words


def test_a_clean_report_draws_checks_only_and_a_pass_verdict():
    train, val, unl, _evil = _frames()
    report = check_leakage(train, val, unl.iloc[:20], target="y")
    words = texts(report.diagram())
    assert words.count("\u2713 0") == 4 and not any(w.startswith("\u2717") for w in words)
    assert any(w.startswith("PASS: no validation row reached train or unlabeled") for w in words)


# -- contrast: every text against what is drawn under it (WCAG 2 relative luminance) ---------
def _rgb(colour: str) -> tuple:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _luminance(rgb) -> float:
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _over(top, bottom, alpha: float):
    return tuple(t * alpha + b * (1 - alpha) for t, b in zip(top, bottom))


def text_contrasts(d: Diagram) -> list:
    """``[(text, ratio)]``: each text's colour against the colour painted under its anchor,
    both with their groups' opacity applied (a dimmed text is a paler text)."""
    painted, out = [], []

    def walk(el, alpha):
        for child in el:
            tag = child.tag.replace(SVG, "")
            a = alpha * float(child.attrib.get("opacity", 1))
            if tag == "g":
                walk(child, a)
            elif tag == "rect" and child.attrib.get("fill", "none") != "none":
                x, y = float(child.attrib["x"]), float(child.attrib["y"])
                w, h = float(child.attrib["width"]), float(child.attrib["height"])
                painted.append(((x, y, x + w, y + h), _rgb(child.attrib["fill"]), a))
            elif tag == "text":
                px, py = float(child.attrib["x"]), float(child.attrib["y"]) - 4
                under = (1.0, 1.0, 1.0)  # the page
                for (x0, y0, x1, y1), fill, fa in painted:
                    if x0 <= px <= x1 and y0 <= py <= y1:
                        under = _over(fill, under, fa)
                colour = _over(_rgb(child.attrib["fill"]), under, a)
                out.append(("".join(child.itertext()), contrast(colour, under)))

    walk(parse(d), 1.0)
    return out


def test_every_text_keeps_a_contrast_of_4_5_even_dimmed_or_pending():
    train, val, unl, _ = _frames()
    pictures = [flow_diagram({"n_labeled": 10}),  # all pending, "?" counts
                *(flow_diagram(COUNTS, states={"split": "done", "teacher": "running"},
                               highlight=step, config={"rounds": 3, "refit": True, "cv": 5})
                  for step in STEP_KEYS),
                flow_diagram(COUNTS, states={"split": "failed"}, highlight="split",
                             failed="unlabeled", leaky=True),
                check_leakage(train, val, unl, target="y").diagram()]
    for d in pictures:
        ratios = text_contrasts(d)
        assert len(ratios) > 10
        low = [(text, round(r, 2)) for text, r in ratios if r < 4.5]
        assert not low, low


def test_the_contrast_helper_catches_a_faded_text():
    faded = Diagram('<svg xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="50" '
                    'height="50" fill="#c5ccd3"/><g opacity="0.35"><text x="10" y="20" '
                    'fill="#1b1f24">pending</text></g></svg>', "")
    assert text_contrasts(faded)[0][1] < 2.5
    assert round(contrast(_rgb("#000000"), _rgb("#ffffff")), 1) == 21.0


# -- what the picture says about the run -----------------------------------------------------
def polylines(d: Diagram) -> list:
    return [[tuple(map(float, p.split(","))) for p in el.attrib["points"].split()]
            for el in parse(d).iter(f"{SVG}polyline")]


def test_both_models_have_an_edge_into_the_scores_and_rounds_draw_a_loop():
    one = flow_diagram(COUNTS, config={"rounds": 1})
    three = flow_diagram(COUNTS, config={"rounds": 3})
    scores_left, scores_top = 560, 312  # the Scores box
    into_scores = [p for p in polylines(one) if (p[-1][0] == scores_left and p[-1][1] >= scores_top)
                   or (p[-1][1] == scores_top and p[-1][0] >= scores_left)]
    starts = sorted(p[0] for p in into_scores)
    assert len(into_scores) == 3  # validation's rows, the teacher, the student
    assert (380, 117) in starts and (815, 236) in starts  # teacher's left edge, student's bottom
    loops = [p for p in polylines(three) if p not in polylines(one)]
    assert len(loops) == 1 and loops[0][0] == (760, 236) and loops[0][-1] == (480, 236)
    assert "rounds 2\u20133: the student labels again" in texts(three)
    assert not any("labels again" in t for t in texts(one))


@pytest.mark.parametrize("config, kept", [
    ({"select": "all"}, ["kept: every pseudo-label"]),
    ({"select": "all", "balance": True}, ["kept: every pseudo-label", "trimmed to the class mix"]),
    ({"select": "threshold", "threshold": 0.8}, ["kept: confidence \u2265 0.8"]),
    ({"select": "k-best", "k_best": 50}, ["kept: top 50 by confidence"]),
    ({"select": "auto"}, ["kept: confidence \u2265 0.9", "trimmed to the class mix"]),
    ({"select": "threshold", "threshold": 0.99, "curriculum": [0.99, 0.9, 0.8]},
     ["kept: confidence \u2265 0.99", "curriculum: down to 0.8"]),
])
def test_the_pseudo_label_box_says_what_the_rule_kept(config, kept):
    words = texts(flow_diagram(COUNTS, config=config))
    at = words.index("432 of 5,678 kept")
    assert words[at + 1: at + 1 + len(kept)] == kept
    assert not any(w.startswith("select ") for w in words)


def test_cross_fitting_draws_k_folds_and_refit_a_last_step_from_a_hand_made_config():
    counts = dict(COUNTS, n_train=987, n_validation=247)
    plain = flow_diagram(counts, config={"cv": None, "refit": False})
    d = flow_diagram(counts, config={"cv": 5, "refit": True, "rounds": 1})
    words = texts(d)
    assert "5-fold cross-fit" in words and "in 5 folds" in words and "Train (4 folds)" in words
    assert "Validation fold" in words and "held-out folds: scored only, never enters a fit" in words
    assert "Refit on all labels" in words and "scores were taken before it" in words
    assert "1,234 labeled rows + pseudo" in words
    assert "5-fold cross-fit" in d.text and "refit on all labels" in d.text
    for word in ("5-fold cross-fit", "Refit on all labels", "Validation fold"):
        assert word not in texts(plain)
    assert texts(plain) == texts(flow_diagram(counts))  # no cv/refit keys: as before
    refit_edge = [p for p in polylines(d) if p not in polylines(plain)]
    assert refit_edge == [[(815, 166), (815, 132)]]  # from the student up to the refit
    assert not any("?" in w for w in words)
    assert_static_safe(d)


def test_the_box_at_fault_is_red_and_says_so():
    d = flow_diagram({"n_labeled": 60, "n_unlabeled": 0}, states={"split": "failed"},
                     highlight="split", failed="unlabeled")
    words = texts(d)
    assert "\u2717 the problem is here" in words and "the problem is here: unlabeled" in d.text
    red = [r for r in parse(d).iter(f"{SVG}rect") if r.attrib["fill"] == "#f0938c"]
    assert any(r.attrib["stroke-width"] == "3.5" and r.attrib["x"] == "200" for r in red)
    with pytest.raises(ValueError, match="unknown box"):
        flow_diagram(COUNTS, failed="nope")
