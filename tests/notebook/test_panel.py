"""The ipywidgets panel driven without a browser: set values, click Run, read the widgets."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

import pseudolabel_magic.core.engine as engine
from pseudolabel_magic.notebook.panel import PseudoLabelPanel, panel
from pseudolabel_magic.recipe.write import cell_text

WIDGETS = ("labeled", "unlabeled", "validation", "target", "teacher", "student", "select",
           "threshold", "rounds", "save_as", "run_button", "progress", "tabs")


@pytest.fixture(scope="module")
def iris():
    frame = load_iris(as_frame=True).frame.drop_duplicates().rename(columns={"target": "label"})
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    return frame


@pytest.fixture
def ns(iris):
    """A notebook namespace: a labeled frame, the rest unlabeled, and a user's estimator."""
    return {
        "train_df": iris.iloc[:60].copy(),
        "test_df": iris.iloc[60:].drop(columns="label"),
        "lr": LogisticRegression(max_iter=500),
        "numbers": [1, 2, 3],
        "_hidden_df": iris,
    }


def ready(ns, **values) -> PseudoLabelPanel:
    p = panel(ns)
    p.labeled.value = "train_df"
    p.unlabeled.value = "test_df"
    p.target.value = "label"
    p.teacher.value = "lr"
    p.save_as.value = "run"
    for name, value in values.items():
        getattr(p, name).value = value
    return p


def all_text(widget) -> str:
    """Every string value below ``widget`` (HTML, Textarea, ...), joined."""
    parts = [widget.value] if isinstance(getattr(widget, "value", None), str) else []
    for child in getattr(widget, "children", ()):
        parts.append(all_text(child))
    return "\n".join(parts)


def images(widget) -> list:
    found = [widget] if type(widget).__name__ == "Image" else []
    for child in getattr(widget, "children", ()):
        found += images(child)
    return found


def test_exposes_its_widgets(ns):
    p = panel(ns)
    for name in WIDGETS:
        assert getattr(p, name) is not None, name
    assert p.widget.children and "application/vnd.jupyter.widget-view+json" in p._repr_mimebundle_()


def test_lists_the_namespace(ns):
    p = panel(ns)
    assert [v for _, v in p.labeled.options] == ["train_df", "test_df"]  # no _hidden_df, no list
    assert "lr" in [v for _, v in p.teacher.options]
    assert "lr" in [v for _, v in p.student.options]
    assert p.labeled.value == "train_df" and p.target.value == "label"  # target guessed by name
    assert "label" not in [v for _, v in p.features.options]


def test_dropdowns_follow_the_namespace_after_refresh(ns, iris):
    p = panel(ns)
    ns["wine_like"] = pd.DataFrame({"a": [1.0, 2.0], "kind": [0, 1]})
    ns["forest"] = LogisticRegression(C=0.5)
    assert "wine_like" not in [v for _, v in p.labeled.options]
    p.refresh_button.click()
    assert "wine_like" in [v for _, v in p.labeled.options]
    assert "wine_like" in [v for _, v in p.validation.options]
    assert "forest" in [v for _, v in p.teacher.options]
    p.labeled.value = "wine_like"
    assert [v for _, v in p.target.options] == ["a", "kind"]
    del ns["wine_like"]
    p.refresh_button.click()
    assert "wine_like" not in [v for _, v in p.labeled.options]
    assert p.labeled.value == "train_df"
    assert [v for _, v in p.target.options] == list(iris.columns)


def test_run_stores_the_result_and_fills_the_tabs(ns, monkeypatch):
    calls = []
    real_run = engine.run

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(engine, "run", spy)
    p = ready(ns)
    seen = {"status": [], "flow": [], "disabled": []}
    p.status.observe(lambda c: (seen["status"].append(c["new"]),
                                seen["disabled"].append(p.run_button.disabled)), names="value")
    p.flow.observe(lambda c: seen["flow"].append(c["new"]), names="value")

    p.run_button.click()

    assert p.message.value == ""
    assert len(calls) == 1 and calls[0]["teacher"] is ns["lr"] and callable(calls[0]["progress"])
    result = ns["run"]
    assert type(result).__name__ == "PseudoLabelResult" and result is p.result
    assert set(result.metrics.index) == {"teacher", "student"}
    # live: every step was named while running, the button was off, the diagram redrawn
    for number in range(1, 6):
        assert any(f"Step {number}/5" in s for s in seen["status"]), number
    assert all(seen["disabled"][:-1]) and not p.run_button.disabled
    assert any("running" in f and "<svg" in f for f in seen["flow"])
    assert p.progress.value == p.progress.max and p.progress.bar_style == "success"
    assert "<svg" in p.flow.value and "failed" not in p.flow.value
    # the tabs
    assert p.tabs.layout.display != "none"
    assert tuple(p.tabs.titles) == ("Data flow", "Leakage check", "Metrics", "Plots", "Code",
                                    "Compare")
    flow, leakage, metrics, plots, code, compare = p.tabs.children
    assert compare is p.compare_box and not compare.children  # filled by the Compare button
    assert "<svg" in all_text(flow)
    assert "PASS" in all_text(leakage)
    table = all_text(metrics)
    assert "<table" in table and "teacher" in table and "student" in table
    assert f"{result.metrics.loc['student', 'accuracy']:.3f}" in table
    assert "rows scored" in table and "log_loss (lower is better)" in table
    assert 'class="index_name' not in table  # no empty index-name row
    assert result.verdict and html.escape(result.verdict) in table  # the verdict, above the table
    assert len(images(metrics)) == 1 and len(images(plots)) == 3
    assert all(bytes(img.value[:4]) == b"\x89PNG" for img in images(plots))
    assert p.cell_area.value.startswith("%%pseudolabel --save run\nlabeled: train_df\n")
    assert "unlabeled: test_df" in p.cell_area.value and "teacher: lr" in p.cell_area.value
    assert "from sklearn" in p.code_area.value and "pseudolabel_magic" not in p.code_area.value
    assert p.cell_area in code.children and p.code_area in code.children


def test_builtin_models_threshold_and_rounds(ns):
    p = ready(ns, teacher="LogisticRegression", student="RandomForest", select="threshold",
              threshold=0.8, rounds=2, seed=3)
    assert not p.threshold.disabled and p.k_best.disabled
    p.run_button.click()
    assert p.message.value == ""
    result = ns["run"]
    assert result.config["select"] == "threshold" and result.config["threshold"] == 0.8
    assert result.config["rounds"] == 2 and result.config["random_state"] == 3
    assert type(result.student).__name__ == "RandomForestClassifier"
    assert result.student.random_state == 3
    cell = p.cell_area.value
    assert "# needs: from sklearn.linear_model import LogisticRegression" in cell
    assert "teacher: LogisticRegression(max_iter=1000)" in cell
    assert "student: RandomForestClassifier(n_estimators=200, random_state=3)" in cell
    assert "select: threshold\nthreshold: 0.8\n" in cell and "rounds: 2" in cell


def test_bad_save_name_runs_nothing(ns, monkeypatch):
    monkeypatch.setattr(engine, "run", lambda *a, **k: pytest.fail("engine must not run"))
    p = ready(ns, save_as="2 bad")
    p.run_button.click()
    assert "not a valid variable name" in p.message.value
    assert "&#x27;2 bad&#x27;" in p.message.value  # escaped
    assert "run" not in ns and "2 bad" not in ns


def test_engine_error_is_one_line_and_writes_nothing(ns):
    ns["svc"] = LinearSVC()
    p = ready(ns, select="threshold")
    p.refresh()
    p.teacher.value = "svc"  # no predict_proba: the engine refuses select threshold
    p.run_button.click()
    assert "Could not run" in p.message.value and "predict_proba" in p.message.value
    assert "Traceback" not in p.message.value
    assert "run" not in ns
    assert p.progress.bar_style == "danger" and not p.run_button.disabled
    assert "failed" in p.flow.value  # the step that failed is drawn as failed


def test_leakage_failure_shows_the_report(ns):
    ns["leaky_val"] = ns["train_df"].iloc[:20].copy()  # validation rows are also train rows
    p = ready(ns)
    p.refresh()
    p.validation.value = "leaky_val"
    assert p.val_size.disabled
    p.run_button.click()
    assert "Leakage check" in p.message.value and "<svg" in p.message.value
    assert "Firewall around validation" in p.message.value  # the refusal with its firewall
    assert "allow_leakage=True" not in p.message.value  # the panel's words, not the API's
    assert "Traceback" not in p.message.value and "run" not in ns
    assert "the problem is here" in p.flow.value  # on the Validation box
    assert "the problem is here: validation" in _flow_text(p)


def test_an_old_result_survives_a_failed_run(ns):
    p = ready(ns)
    p.run_button.click()
    first = ns["run"]
    p.target.value = "sepal length (cm)"  # a float target: regression, LogisticRegression refuses
    p.teacher.value = "LogisticRegression"
    p.run_button.click()
    assert "only does classification" in p.message.value
    assert ns["run"] is first


def mixed(iris, **extra):
    """One frame: labels hidden (NaN) on most rows, plus a noise column (no duplicate rows)."""
    rng = np.random.default_rng(0)
    frame = iris.assign(noise=rng.normal(size=len(iris)), **extra)
    frame.loc[rng.random(len(frame)) < 0.6, "label"] = np.nan
    return frame


class _QuotesItsInput(LogisticRegression):
    """A user's model whose error message repeats a value of the user's frame."""

    def fit(self, X, y, sample_weight=None):
        raise ValueError(f"cannot use the value {X['note'].iloc[0]}")


def test_unexpected_errors_are_short_and_escaped(ns, iris):
    from sklearn.pipeline import make_pipeline

    ns["texty"] = mixed(iris, note="<b>x</b>")
    ns["picky"] = make_pipeline(_QuotesItsInput())  # a Pipeline is used as given: raw columns
    p = ready(ns)
    p.refresh()
    p.labeled.value = "texty"
    p.unlabeled.value = ""  # the rows of texty with no label
    p.teacher.value = "picky"
    p.run_button.click()
    message = p.message.value
    assert "ValueError" in message and "Traceback" not in message
    assert "<b>x" not in message and "&lt;b&gt;x" in message
    assert "run" not in ns


def test_chosen_features_and_no_features(ns, iris):
    ns["mixed"] = mixed(iris)
    p = ready(ns)
    p.refresh()
    p.labeled.value = "mixed"
    p.unlabeled.value = ""
    p.all_features.value = False
    assert not p.features.disabled
    p.features.value = ()
    p.run_button.click()
    assert "no features chosen" in p.message.value
    p.features.value = ("petal length (cm)", "noise")
    p.run_button.click()
    assert p.message.value == ""
    assert ns["run"].config["features"] == ["petal length (cm)", "noise"]
    assert ns["run"].counts["n_unlabeled"] == int(ns["mixed"]["label"].isna().sum())
    cell = p.cell_area.value
    assert "features: petal length (cm), noise" in cell and "unlabeled:" not in cell


def test_insert_cell_outside_a_notebook_says_copy(ns):
    p = ready(ns)
    assert p.insert_cell() is False and "Run first" in p.insert_note.value
    p.run_button.click()
    assert "below the next cell you run" in p.insert_note.value  # said before any click
    p.insert_button.click()
    assert "No notebook here" in p.insert_note.value


def test_insert_cell_in_a_kernel_queues_the_cell(ns, monkeypatch):
    import pseudolabel_magic.notebook.panel as panel_module

    queued = []

    class Shell:
        kernel = object()
        user_ns_hidden: dict = {}

        def set_next_input(self, text, replace=False):
            queued.append((text, replace))

    monkeypatch.setattr(panel_module, "_shell", Shell)
    p = ready(ns)
    p.run_button.click()
    assert p.insert_cell() is True
    assert queued == [(p.cell_area.value, False)]
    assert "Queued" in p.insert_note.value


def test_cell_text_quotes_odd_columns():
    text = cell_text({"save": "r", "labeled": "df", "target": "my, label",
                      "features": ["a", "b #2", " c"], "select": "all", "balance": True,
                      "threshold": None, "imports": ["from x import Y"]})
    assert text.splitlines() == ["%%pseudolabel --save r", "# needs: from x import Y",
                                 "labeled: df", 'target: "my, label"',
                                 'features: a, "b #2", " c"', "select: all", "balance: true"]


def test_cell_text_names_columns_as_the_magic_reads_them():
    columns = ["3", 3, 0, "two\nlines", 'say "hi"', "[x"]
    cell = lambda **s: cell_text({"labeled": "df", "labeled_columns": columns, **s})  # noqa: E731
    assert cell(target="3", features=[0]).splitlines()[2:] == ["target: 3", "features: 0"]
    assert cell(target=0, features=["3", 3]).splitlines()[2:] == ["target: 0", "features: ['3', 3]"]
    assert cell(target=0, features=["two\nlines"]).splitlines()[3] == "features: ['two\\nlines']"
    assert cell(target='say "hi"').splitlines()[2] == "target: 'say \"hi\"'"
    assert cell(target="[x").splitlines()[2] == 'target: "[x"'  # a bare [ leaves IPython a bracket open
    for target in (3, "two\nlines"):  # 3 beside "3"; a line break: one line says why
        text = cell(target=target)
        assert text.startswith("# no %%pseudolabel cell") and "\n" not in text and "rename" in text


def test_the_cell_repeats_the_run_through_the_magic(ns):
    """The Code tab's cell, run by %%pseudolabel, gives the same metrics as the panel."""
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "pseudolabel_magic")
    p = ready(ns, teacher="LogisticRegression", select="k-best", k_best=20)
    p.run_button.click()
    assert p.message.value == ""
    ip.user_ns.update({k: v for k, v in ns.items() if k != "run"})
    ip.run_cell("from sklearn.linear_model import LogisticRegression")
    head, _, body = p.cell_area.value.partition("\n")
    ip.run_cell_magic("pseudolabel", head.removeprefix("%%pseudolabel").replace("--save run", "--save again") + " -q", body)
    again = ip.user_ns.pop("again")
    pd.testing.assert_frame_equal(again.metrics, ns["run"].metrics)
    assert np.array_equal(again.pseudo_labels["selected"], ns["run"].pseudo_labels["selected"])


# -- Compare, auto, calibrate/guard, Dask frames --------------------------------------------
@pytest.fixture
def two_strategies(monkeypatch):
    """compare's default strategies cut to two, so the panel tests stay fast."""
    from pseudolabel_magic.core import strategies
    monkeypatch.setattr(strategies, "default_strategies", lambda n: {
        "five lines": dict(select="all"), "my <b>pick</b>": dict(select="threshold", threshold=0.9)})


def test_compare_button_fills_the_compare_tab(ns, two_strategies, monkeypatch):
    import pseudolabel_magic.core.compare as compare_module

    calls = []
    real = compare_module.compare

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(compare_module, "compare", spy)
    p = ready(ns, select="threshold", rounds=2, balance=True, save_as="not a name")
    before = dict(ns)
    assert p.compare_button in p.extra_buttons.children
    p.compare_button.click()
    assert p.message.value == "", p.message.value
    assert len(calls) == 1 and calls[0]["teacher"] is ns["lr"] and calls[0]["random_state"] == 0
    assert not set(calls[0]) & {"select", "threshold", "rounds", "balance", "soft", "guard"}
    assert ns == before  # nothing written to the notebook
    comparison = p.comparison
    assert list(comparison.table.index) == ["supervised", "five lines", "my <b>pick</b>", "SelfTrainingClassifier"]
    assert p.tabs.layout.display != "none" and p.tabs.selected_index == 5
    text = all_text(p.compare_box)
    assert "<table" in text and "supervised" in text and "five lines" in text
    assert "my &lt;b&gt;pick&lt;/b&gt;" in text and "<b>pick</b>" not in text  # escaped
    assert len(images(p.compare_box)) == 1
    assert not p.compare_button.disabled and not p.run_button.disabled
    p.run_button.click()  # a bad save name still stops Run
    assert "not a valid variable name" in p.message.value


def test_compare_errors_are_one_short_line(ns, two_strategies):
    ns["val_df"] = ns["_hidden_df"].iloc[40:60]
    ns["leaky_df"] = pd.concat([ns["_hidden_df"].iloc[:40], ns["val_df"].iloc[:8].set_axis(range(500, 508))])
    p = ready(ns)
    p.refresh()
    p.labeled.value = "leaky_df"
    p.validation.value = "val_df"
    p.target.value = "label"
    p.run_button.click()
    assert "validation_rows_in_train" in p.message.value and "allow_leakage=True" not in p.message.value
    assert "Code tab" in p.message.value
    p.compare_button.click()
    assert "Could not run" in p.message.value and "Traceback" not in p.message.value
    assert p.comparison is None and not p.compare_box.children
    assert not p.compare_button.disabled


def test_auto_select_forces_the_guard_and_new_checkboxes_reach_run(ns):
    p = ready(ns)
    assert "auto" in [v for _, v in p.select.options]
    p.select.value = "auto"
    assert p.guard.value and p.guard.disabled and p.threshold.disabled
    p.calibrate.value = True
    result = p.run()
    assert result.config["auto"] and result.config["guard"] and result.config["calibrate"]
    assert "select: auto" in p.cell_area.value and "calibrate: true" in p.cell_area.value
    assert "guard:" not in p.cell_area.value  # auto turns it on by itself
    p.select.value = "all"
    assert not p.guard.disabled and not p.guard.value  # the user's choice comes back
    p.guard.value = True
    assert p.run().config["guard"] is True and "guard: true" in p.cell_area.value


def test_dask_frames_are_listed_for_the_unlabeled_rows(ns):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    ns["test_ddf"] = dd.from_pandas(ns["test_df"], npartitions=2)
    p = ready(ns)
    assert ("test_ddf (Dask)", "test_ddf") in p.unlabeled.options
    assert "test_ddf" not in [v for _, v in p.labeled.options]  # labeled rows stay pandas
    p.unlabeled.value = "test_ddf"
    with dask.config.set(scheduler="synchronous"):
        result = p.run()
    assert p.message.value == "", p.message.value
    assert type(result.predictions).__module__.startswith("dask")
    assert p.code_area.value.startswith("# NOTE: unlabeled was a Dask DataFrame")


def _flow_text(p) -> str:
    """The text twin of the live diagram: redraw it from the panel's state."""
    import re

    from pseudolabel_magic.render.diagrams import flow_diagram

    box = re.search(r"the problem is here", p.flow.value)
    failed = None
    if box:
        from pseudolabel_magic.notebook.failures import failed_box

        step = next((k for k, v in p._live.states.items() if v == "failed"), None)
        failed = failed_box(p.message.value, step, leakage="Firewall" in p.message.value)
    live = p._live
    return flow_diagram(live.counts, live.states, config=live.config, failed=failed).text


def test_a_new_panel_starts_on_a_frame_with_missing_targets(iris):
    full = iris.copy()
    hidden = mixed(iris)
    ns = {"full": full, "hidden": hidden, "later": full.iloc[:5].copy()}
    p = panel(ns)
    assert p.labeled.value == "hidden" and p.unlabeled.value == ""
    assert p.target.value == "label"
    p.save_as.value = "run"
    p.run_button.click()  # the defaults run
    assert p.message.value == "" and "run" in ns


def test_without_missing_targets_a_new_panel_pairs_labeled_with_a_pool_else_takes_the_last(iris):
    ns = {"wine_all": iris.copy(), "labeled_df": iris.iloc[:60].copy(),
          "unlabeled_df": iris.iloc[60:].drop(columns="label")}
    p = panel(ns)
    assert (p.labeled.value, p.unlabeled.value) == ("labeled_df", "unlabeled_df")
    only = panel({"a": iris.iloc[:50].copy(), "b": iris.iloc[50:].copy()})
    assert only.labeled.value == "b"  # nothing to pair: the last frame defined
    assert panel({}).labeled.value is None


def test_refusals_speak_the_panels_words_and_mark_the_box_at_fault(iris):
    ns = {"full": iris.copy()}  # every target known, no pool chosen
    p = panel(ns)
    p.save_as.value = "run"
    p.run_button.click()
    message = p.message.value
    assert "Could not run" in message and "unlabeled set is empty" in message
    assert "unlabeled=&lt;DataFrame&gt;" not in message and "=<DataFrame>" not in message
    assert "choose an unlabeled frame" in message
    assert "the problem is here" in p.flow.value and "the problem is here: unlabeled" in _flow_text(p)
    assert "run" not in ns


@pytest.mark.parametrize("engine_words, panel_words", [
    ("label more rows, lower val_size, or pass validation=<DataFrame>.",
     "label more rows, lower the validation size, or choose a validation frame."),
    ("drop them (labeled.dropna(subset=['y'])) or pass unlabeled=None to use them as the unlabeled set.",
     "choose '(labeled rows with no target)' as unlabeled to use them as the unlabeled set."),
])
def test_in_panel_words(engine_words, panel_words):
    from pseudolabel_magic.notebook.failures import in_panel_words

    assert in_panel_words(engine_words).endswith(panel_words)


def test_a_failing_model_marks_its_own_box():
    from pseudolabel_magic.notebook.failures import failed_box

    assert failed_box("ValueError: bad unlabeled thing", "teacher", model_error=True) == "teacher"
    assert failed_box("too few labeled rows (4) to make a validation split", "split") == "labeled"
    assert failed_box("anything", "split", leakage=True) == "validation"
