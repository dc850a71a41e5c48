"""Diagrams: valid XML, real counts, no CSS or script, escaped user strings, text twin."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from pseudolabel_magic.diagrams import Diagram, flow_diagram, leakage_diagram
from pseudolabel_magic.fitlog import EvalRecord, FitRecord
from pseudolabel_magic.leakage import check_leakage
from pseudolabel_magic.steps import STEP_KEYS

SVG = "{http://www.w3.org/2000/svg}"
COUNTS = dict(n_labeled=1234, n_train=987, n_validation=247, n_unlabeled=5678, n_selected=432,
              n_student_train=1419)


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
    for value in ("1,234 rows", "987 rows", "247 rows", "5,678 rows", "432 of 5,678 selected",
                  "1,419 rows", "987 train + 432 pseudo", "threshold 0.9 \u00b7 2 round(s)"):
        assert value in words
    for value in ("labeled 1,234", "train 987", "validation 247", "unlabeled 5,678",
                  "432 of 5,678 selected (threshold 0.9 \u00b7 2 round(s))", "training set 1,419"):
        assert value in d.text
    assert "validation path: scored only, never enters a fit" in words
    bundle = d._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"] == d._repr_svg_() == d.svg
    assert str(d) == d.text == repr(d) == bundle["text/plain"]


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
    assert "train ?" in d.text
    assert texts(d).count("\u00b7 pending") == 5


def test_without_states_a_finished_run_draws_every_step_done():
    assert texts(flow_diagram(COUNTS)).count("\u2713 done") == 5
    partial = {k: v for k, v in COUNTS.items() if k != "n_student_train"}
    assert texts(flow_diagram(partial)).count("\u2713 done") == 0


def test_highlight_emphasises_one_step_and_dims_the_others():
    d = flow_diagram(COUNTS, highlight="combine")
    assert "step 4" in texts(d)[0]
    assert d.text.count("<<") == 1 and "combine" in [line for line in d.text.splitlines() if "<<" in line][0]
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
    assert f"select {evil}"[:25] + "\u2026" in texts(d)  # parsed back as text, not as markup
    assert f"select {evil} \u00b7 1 round(s)" in d.text


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
    assert verdict == ["PASS: no validation row reached train or unlabeled (fits not yet checked) "
                       "(warnings: validation_rows_in_unlabeled, shared_id)"]
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
    train, val, unl, evil = _frames()
    report = check_leakage(train, val, unl.iloc[:20], target="y")
    words = texts(report.diagram())
    assert words.count("\u2713 0") == 4 and not any(w.startswith("\u2717") for w in words)
    assert any(w.startswith("PASS: no validation row reached train or unlabeled") for w in words)
