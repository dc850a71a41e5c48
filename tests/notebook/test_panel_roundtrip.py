"""The Code tab's ``%%pseudolabel`` cell, run by the magic, repeats the panel's run.

Whatever the column names (quotes, commas, '#', line breaks, spaces at either end, integer
names, text and integer names side by side) and whatever the panel's settings, the cell the
panel writes either reads back to the same columns and gives the same metrics and
pseudo-labels, or is one comment line saying why no cell can (a line break in the target's
name, an integer target beside a text column of the same digits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from pseudolabel_magic.notebook.panel import panel
from pseudolabel_magic.recipe.write import NO_CELL

#: Characters the cell format treats specially, plus a few ordinary ones.
ALPHABET = "ab3 ,#'\"\\\n:[-é"
NAMES = st.one_of(st.text(alphabet=ALPHABET, max_size=5), st.integers(0, 4))
#: Column labels a pandas frame keeps apart: 3 and "3" are two columns.
COLUMNS = st.lists(NAMES, min_size=2, max_size=4, unique_by=lambda c: (isinstance(c, str), c))


@pytest.fixture(scope="module", autouse=True)
def no_plot_images():
    """The panel's four PNG plots take most of a run's time and play no part in the cell."""
    import ipywidgets

    from pseudolabel_magic.notebook import widgets as panel_widgets
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(panel_widgets, "plot_widget", lambda title, draw: ipywidgets.HTML(title))
        yield


@pytest.fixture(scope="module")
def ip():
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.run_line_magic("load_ext", "pseudolabel_magic")
    shell.user_ns["LogisticRegression"] = LogisticRegression  # the cell's "# needs:" import
    return shell


def frames(columns, target, seed, n_lab=40, n_unl=30, n_val=24):
    """Labeled, unlabeled (no target column) and validation frames; the target is learnable."""
    rng = np.random.default_rng(seed)
    pos = columns.index(target)
    shift = next(i for i in range(len(columns)) if i != pos)

    def frame(n):
        y = rng.permutation(np.arange(n) % 2)
        data = [y if i == pos else rng.normal(size=n) + (1.5 * y if i == shift else 0)
                for i in range(len(columns))]
        return pd.DataFrame(dict(enumerate(data))).set_axis(pd.Index(columns), axis=1)

    unlabeled = frame(n_unl)
    unlabeled = unlabeled.iloc[:, [i for i in range(len(columns)) if i != pos]]
    return frame(n_lab), unlabeled, frame(n_val)


@st.composite
def cases(draw):
    columns = draw(COLUMNS)
    pos = draw(st.integers(0, len(columns) - 1))
    target, others = columns[pos], columns[:pos] + columns[pos + 1:]
    chosen = draw(st.none() | st.lists(st.sampled_from(others), min_size=1,
                                       unique_by=lambda c: (isinstance(c, str), c)))
    select = draw(st.sampled_from(["all", "threshold", "k-best", "auto"]))
    widgets = dict(
        select=select,
        threshold=draw(st.sampled_from([0.55, 0.7, 0.9])),
        k_best=draw(st.integers(1, 12)),
        rounds=draw(st.integers(1, 2)),
        balance=draw(st.booleans()),
        soft=draw(st.booleans()),
        guard=draw(st.booleans()),
        seed=draw(st.integers(0, 3)),
        val_size=draw(st.sampled_from([0.2, 0.3])),
        student=draw(st.sampled_from(["same", "LogisticRegression"])),
    )
    return dict(columns=columns, target=target, features=chosen, widgets=widgets,
                unlabeled=draw(st.booleans()), validation=draw(st.booleans()),
                seed=draw(st.integers(0, 2**16)))


def same_labels(a: list, b: list) -> bool:
    return [(isinstance(x, str), x) for x in a] == [(isinstance(x, str), x) for x in b]


def could_not_be_written(case) -> bool:
    """The reasons a cell cannot name the target (the feature list takes any text or number)."""
    target, columns = case["target"], case["columns"]
    if isinstance(target, str):  # quotes are not escaped: both kinds, or a backslash, may not fit
        return (len(f"x{target}x".splitlines()) > 1
                or ("'" in target and '"' in target) or "\\" in target)
    return str(target) in [c for c in columns if isinstance(c, str)]


def check(ip, case):
    labeled, unlabeled, validation = frames(case["columns"], case["target"], case["seed"])
    if not case["unlabeled"]:  # the labeled frame's rows without a target are the pool
        pool = unlabeled.copy()
        pool.insert(case["columns"].index(case["target"]), case["target"], np.nan)
        labeled = pd.concat([labeled, pool], ignore_index=True)
    ns = {"lab_df": labeled, "unl_df": unlabeled, "val_df": validation}
    p = panel(ns)
    p.labeled.value = "lab_df"
    p.unlabeled.value = "unl_df" if case["unlabeled"] else ""
    p.validation.value = "val_df" if case["validation"] else ""
    p.target.value = case["target"]
    p.teacher.value = "LogisticRegression"
    p.save_as.value = "run"
    if case["features"] is not None:
        p.all_features.value = False
        p.features.value = tuple(case["features"])
    widgets = dict(case["widgets"])
    p.select.value = widgets.pop("select")
    for name, value in widgets.items():
        if not getattr(p, name).disabled:
            getattr(p, name).value = value
    p.run_button.click()
    assert p.message.value == "", p.message.value
    mine, cell = ns["run"], p.cell_area.value

    if cell.startswith(NO_CELL):
        assert "\n" not in cell and could_not_be_written(case), cell
        return "no cell"
    # exactly what IPython runs for this cell: the magic's name, its line, the rest as body
    code = ip.transform_cell(cell)
    first, _, rest = (cell if cell.endswith("\n") else cell + "\n").partition("\n")
    magic, _, line = first[2:].rstrip().partition(" ")
    assert code == f"get_ipython().run_cell_magic({magic!r}, {line!r}, {rest!r})\n"
    ip.user_ns.update(ns)
    ip.user_ns.pop("run", None)
    try:
        ip.run_cell_magic(magic, line, rest)
        again = ip.user_ns.pop("run")
    finally:
        for name in ns:
            ip.user_ns.pop(name, None)
    assert again.config["target"] == mine.config["target"]
    assert same_labels([again.config["target"]], [mine.config["target"]])
    assert same_labels(again.config["features"], mine.config["features"]), cell
    pd.testing.assert_frame_equal(again.metrics, mine.metrics)
    pd.testing.assert_frame_equal(again.pseudo_labels, mine.pseudo_labels)
    return "same run"


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_the_cell_repeats_the_panel_run(ip, case):
    assert check(ip, case) in ("same run", "no cell")


BASE = dict(unlabeled=True, validation=False, seed=0,
            widgets=dict(select="threshold", threshold=0.7, k_best=5, rounds=1, balance=False,
                         soft=False, guard=False, seed=0, val_size=0.2, student="same"))


@pytest.mark.parametrize("columns, target, features", [
    (['a "b"', "it's", "x, y", "n #1"], "n #1", None),
    (['a "b"', "it's", "x, y", "n #1"], 'a "b"', ["x, y", "it's", "n #1"]),
    ([" pad ", "two\nlines", "#lead", "[x"], " pad ", ["two\nlines", "#lead", "[x"]),
    ([0, 3, 1], 3, [0, 1]),
    (["3", 3, "a"], "3", [3, "a"]),
    (["3", 3, "a"], 3, None),  # no cell can name the integer 3 beside the text "3"
    (["3", 3, "a", 2.5], "a", ["3", 3, 2.5]),  # the model sees "3", "3 (int)" and "2.5"
    (["two\nlines", "a", "b"], "two\nlines", None),  # nor a line break in the target's name
    (["", "'", '"', "a,b"], "", None),
])
def test_named_columns_round_trip_or_say_why(ip, columns, target, features):
    outcome = check(ip, dict(BASE, columns=columns, target=target, features=features))
    assert outcome == ("no cell" if could_not_be_written(dict(columns=columns, target=target))
                       else "same run")
