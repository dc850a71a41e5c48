"""The %%pseudolabel body parser: recipe-card lines, comments, quotes, flags and errors."""

from __future__ import annotations

import pandas as pd
import pytest

from pseudolabel_magic.errors import PseudoLabelError
from pseudolabel_magic.recipe.parse import PseudoLabelCell, split_line, strip_comment
from pseudolabel_magic.recipe.resolve import split_columns


def parse(body: str) -> dict[str, str]:
    return {key: entry.text for key, entry in PseudoLabelCell.parse(body).entries.items()}


def test_example_card():
    body = """
    labeled: train_df
    unlabeled: test_df
    target: label
    teacher: RandomForestClassifier(n_estimators=300, random_state=0)
    student: HistGradientBoostingClassifier()
    select: threshold
    threshold: 0.9
    """
    assert parse(body) == {
        "labeled": "train_df", "unlabeled": "test_df", "target": "label",
        "teacher": "RandomForestClassifier(n_estimators=300, random_state=0)",
        "student": "HistGradientBoostingClassifier()", "select": "threshold", "threshold": "0.9",
    }


@pytest.mark.parametrize("body, key, text", [
    ("threshold: 0.9  # strict", "threshold", "0.9"),
    ('teacher: Foo(name="a#b")', "teacher", 'Foo(name="a#b")'),
    ("teacher: Foo(name='a: b', x={'k': 1})  # note", "teacher", "Foo(name='a: b', x={'k': 1})"),
    ('target: "my label"  # quoted', "target", '"my label"'),
    ("target: col#1", "target", "col#1"),
    ("features: a, b, c # three", "features", "a, b, c"),
    ("# a comment\n\n   # indented comment\nseed: 3", "seed", "3"),
    ("k-best: 10", "k_best", "10"),
    ("K_Best: 10", "k_best", "10"),
    ("random_state: 7", "seed", "7"),
])
def test_values_comments_and_quotes(body, key, text):
    assert parse(body)[key] == text


def test_expression_may_continue_while_a_bracket_is_open():
    body = "teacher: make_pipeline(\n    StandardScaler(),  # scale\n    LogisticRegression(C=0.5))\ntarget: y"
    entries = parse(body)
    assert entries["teacher"] == "make_pipeline(\n    StandardScaler(),\n    LogisticRegression(C=0.5))"
    assert entries["target"] == "y"


@pytest.mark.parametrize("body, message", [
    ("labeld: df", "line 1: unknown key 'labeld'. Did you mean 'labeled'?"),
    ("target: a\nseed: 1\ntarget: b", "line 3: key 'target' is given twice (lines 1 and 3)"),
    ("k_best: 1\nk-best: 2", "key 'k_best' is given twice (lines 1 and 2)"),
    ("target label", "line 1: expected 'key: value'"),
    ("threshold:", "line 1 (threshold): the value is empty"),
    ("teacher: Foo(\ntarget: y", "line 1 (teacher): a bracket or string opened here is never closed"),
])
def test_parse_errors_name_the_line(body, message):
    with pytest.raises(PseudoLabelError) as info:
        PseudoLabelCell.parse(body)
    assert message in str(info.value)


def test_flags_win_over_body():
    cell = PseudoLabelCell.parse("target: a\nthreshold: 0.5").with_flags({"threshold": "0.8  # hi"})
    assert cell.entries["threshold"].text == "0.8"
    assert cell.entries["threshold"].source == "flag"
    assert cell.entries["target"].text == "a"


def test_resolve_evaluates_expressions_and_keeps_columns():
    df = pd.DataFrame({"a": [1, 2], "my label": [0, 1]})
    ns = {"df": df, "w": 0.25}
    body = ('labeled: df\ntarget: "my label"\nfeatures: a, "b, c"\nthreshold: w * 2\n'
            "balance: yes\nsoft: False\nselect: k_best\nseed: 3\nteacher: dict(name='x, y', s=\"#\")")
    kwargs = PseudoLabelCell.parse(body).resolve(ns)
    assert kwargs["labeled"] is df
    assert kwargs["target"] == "my label"
    assert kwargs["features"] == ["a", "b, c"]
    assert kwargs["threshold"] == 0.5
    assert kwargs["balance"] is True and kwargs["soft"] is False
    assert kwargs["select"] == "k-best"
    assert kwargs["random_state"] == 3
    assert kwargs["teacher"] == {"name": "x, y", "s": "#"}


@pytest.mark.parametrize("body, message", [
    ("labeled: trian_df\ntarget: y", "line 1 (labeled): there is no variable 'trian_df' in the notebook. Did you mean 'train_df'?"),
    ("labeled: numbers\ntarget: y", "line 1 (labeled): 'numbers' is a list, not a pandas DataFrame"),
    ("labeled: train_df\ntarget: y\nteacher: 1 / 0", "line 3 (teacher): '1 / 0' raised ZeroDivisionError"),
    ("labeled: train_df\ntarget: y\nteacher: Foo(", "line 3 (teacher): a bracket or string opened here is never closed"),
    ("labeled: train_df\ntarget: y\nteacher: Foo(a=)", "line 3 (teacher): 'Foo(a=)' is not a Python expression"),
    ("labeled: train_df\ntarget: y\nteacher: LogisticRegression()", "Add 'from sklearn.linear_model import LogisticRegression'"),
    ("labeled: train_df\ntarget: y\nbalance: 3", "line 3 (balance): 3 is an int, not True or False"),
    ("target: y", "missing required key labeled; add 'labeled: train_df'"),
    ("labeled: train_df", "missing required key target; add 'target: label'"),
])
def test_resolve_errors(body, message):
    ns = {"train_df": pd.DataFrame({"x": [1], "y": [0]}), "numbers": [1, 2]}
    with pytest.raises(PseudoLabelError) as info:
        PseudoLabelCell.parse(body).resolve(ns)
    assert message in str(info.value)


def test_flag_errors_name_the_flag():
    cell = PseudoLabelCell.parse("target: y").with_flags({"labeled": "nope"})
    with pytest.raises(PseudoLabelError, match="flag --labeled: there is no variable 'nope'"):
        cell.resolve({"train_df": pd.DataFrame({"y": [1]})})


@pytest.mark.parametrize("line, argv", [
    ("--save run", ["--save", "run"]),
    ('--teacher Foo(a=1, b="x y") --k-best 3', ["--teacher", 'Foo(a=1, b="x y")', "--k-best", "3"]),
    ("--features a, b, c --quiet", ["--features", "a, b, c", "--quiet"]),
    ("--threshold -0.5", ["--threshold", "-0.5"]),
    ("--teacher=make_pipeline(A(), B(s='--x')) -o r", ["--teacher", "make_pipeline(A(), B(s='--x'))", "-o", "r"]),
    ('--target "my label"', ["--target", '"my label"']),
])
def test_split_line_keeps_values_whole(line, argv):
    assert split_line(line) == argv


def test_small_helpers():
    assert strip_comment("label # the y") == "label"
    assert strip_comment("'a # b'") == "'a # b'"
    assert split_columns("a, 'b, c',d") == ["a", "b, c", "d"]


def test_strategy_keys_resolve_to_run_arguments():
    body = ("labeled: df\ntarget: y\nselect: Auto\ncalibrate: yes\noof: true\nguard: false\n"
            "curriculum: [0.99,\n  0.9]  # relaxing\nmax_pseudo_rows: 10_000\nn_jobs: -1")
    kwargs = PseudoLabelCell.parse(body).resolve({"df": pd.DataFrame({"y": [1]})})
    assert kwargs["select"] == "auto" and kwargs["calibrate"] is True and kwargs["guard"] is False
    assert kwargs["oof"] is True and kwargs["curriculum"] == [0.99, 0.9]
    assert kwargs["max_pseudo_rows"] == 10_000 and kwargs["n_jobs"] == -1
    assert PseudoLabelCell.parse("labeled: df\ntarget: y\noof: 3").resolve(
        {"df": pd.DataFrame({"y": [1]})})["oof"] == 3


def test_help_lines_cover_the_new_keys():
    from pseudolabel_magic.recipe.keys import KEYS

    for key in ("calibrate", "oof", "guard", "curriculum", "max_pseudo_rows", "n_jobs"):
        assert KEYS[key].help
    assert "auto" in KEYS["select"].help


@pytest.mark.parametrize("name, columns, expected", [
    ("3", pd.RangeIndex(5), 3),  # pd.DataFrame(X): integer labels
    (3, pd.RangeIndex(5), 3),
    ("3", pd.Index(["3", 3], dtype=object), "3"),  # an exact label wins
    ("2.5", pd.Index([2.5, 1.0]), 2.5),
    ("my col, 2", pd.Index(["my col, 2", "x"]), "my col, 2"),
    ("nope", pd.RangeIndex(3), "nope"),  # no match: as written, for the engine's "did you mean"
    (["a"], pd.Index(["a"]), ["a"]),  # unhashable: as written, for the setting checks
])
def test_match_column_finds_the_frames_own_label(name, columns, expected):
    from pseudolabel_magic.recipe.resolve import match_column

    got = match_column(name, columns)
    assert got == expected and type(got) is type(expected)


def test_columns_resolve_to_the_labeled_frames_labels():
    frame = pd.DataFrame({0: [1.0], 1: [2.0], "y": [0]})
    namespace = {"df": frame, "cols": [0, 1]}
    cell = PseudoLabelCell.parse("labeled: df\ntarget: y\nfeatures: [0, 1]")
    assert cell.resolve(namespace)["features"] == [0, 1]
    cell = PseudoLabelCell.parse("labeled: df\ntarget: y\nfeatures: 0, 1\ngroup_col: 1")
    kwargs = cell.resolve(namespace)
    assert kwargs["features"] == [0, 1] and kwargs["group_col"] == 1
    cell = PseudoLabelCell.parse("target: 0\nlabeled: df")  # target before labeled: same answer
    assert cell.resolve(namespace)["target"] == 0
    cell = PseudoLabelCell.parse("labeled: df\ntarget: y\nfeatures: (3)")
    with pytest.raises(PseudoLabelError, match=r"^line 3 \(features\): \(3\) is an int, not a list of column names; write"):
        cell.resolve(namespace)


def test_guard_none_is_a_valid_switch_value():
    cell = PseudoLabelCell.parse("labeled: df\ntarget: y\nguard: None\nbalance: np.True_")
    import numpy as np

    kwargs = cell.resolve({"df": pd.DataFrame({"y": [0]}), "np": np})
    assert kwargs["guard"] is None and kwargs["balance"] is True
    with pytest.raises(PseudoLabelError, match=r"line 3 \(balance\): None is a NoneType, not True or False"):
        PseudoLabelCell.parse("labeled: df\ntarget: y\nbalance: None").resolve({"df": pd.DataFrame({"y": [0]})})
