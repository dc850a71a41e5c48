"""Plots draw the result's real numbers and return the Axes; matplotlib loads only when used."""

import subprocess
import sys
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pseudolabel_magic.plots import (  # noqa: E402
    plot_classes,
    plot_confidence,
    plot_metrics,
    plot_rounds,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def fake_result(leaky=False, task="classification"):
    conf = pd.Series([0.55, 0.62, 0.91, 0.95, 0.99, np.nan, 0.85, 0.97], index=range(100, 108))
    selected = conf.fillna(0) >= 0.9
    pseudo = pd.DataFrame({"pseudo_label": ["a", "b", "a", "a", "b", "a", "b", "a"],
                           "confidence": conf, "selected": selected,
                           "round": np.where(selected, 1, 0)}, index=conf.index)
    return SimpleNamespace(
        pseudo_labels=pseudo, teacher_confidence=conf, task=task, leaky=leaky,
        config={"select": "threshold", "threshold": 0.9, "rounds": 2},
        train_target=pd.Series(["a", "a", "a", "b"]),
        metrics=pd.DataFrame({"accuracy": [0.8, 0.85], "f1_macro": [0.7, 0.75]},
                             index=pd.Index(["teacher", "student"], name="model")),
        history=pd.DataFrame({"round": [1, 2], "n_selected": [4, 2], "n_selected_total": [4, 6],
                              "n_student_train": [8, 10], "student_accuracy": [0.83, 0.85]}),
    )


def bar_heights(ax):
    return [round(p.get_height(), 6) for p in ax.patches]


def test_plot_confidence_counts_every_scored_row_and_marks_the_threshold():
    ax = plot_confidence(fake_result())
    assert sum(bar_heights(ax)) == 7  # 8 rows, one NaN confidence
    assert [line.get_xdata()[0] for line in ax.get_lines()] == [0.9]
    assert ax.get_title() == "Teacher confidence on 7 unlabeled rows; 4 selected"


def test_plot_classes_puts_the_pseudo_label_mix_next_to_the_labeled_mix():
    fig, given = plt.subplots()
    ax = plot_classes(fake_result(), ax=given)
    assert ax is given
    # labeled a 3/4, b 1/4; selected pseudo-labels (rows 102, 103, 104, 107): a 3/4, b 1/4
    assert bar_heights(ax) == [0.75, 0.25, 0.75, 0.25]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["labeled (4)", "pseudo-labels (4)"]


def test_plot_classes_for_regression_compares_distributions():
    result = fake_result(task="regression")
    result.pseudo_labels["pseudo_label"] = np.linspace(0, 1, 8)
    result.train_target = pd.Series([0.1, 0.2, 0.3, 0.9])
    ax = plot_classes(result)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["labeled (4)", "pseudo-labels (4)"]


def test_plot_metrics_draws_teacher_and_student_values_and_flags_leaks():
    ax = plot_metrics(fake_result())
    assert bar_heights(ax) == [0.8, 0.7, 0.85, 0.75]
    assert ax.get_title() == "Teacher vs student on validation"
    assert plot_metrics(fake_result(leaky=True)).get_title().startswith("LEAKY")


def test_plot_rounds_draws_selected_rows_and_scores_per_round():
    ax = plot_rounds(fake_result(leaky=True))
    assert bar_heights(ax) == [4, 2]
    twin = [other for other in ax.figure.axes if other is not ax][0]
    assert twin.get_lines()[0].get_ydata().tolist() == [0.83, 0.85]
    assert ax.get_title().startswith("LEAKY")


def test_plots_work_on_a_real_run():
    from sklearn.linear_model import LogisticRegression

    import pseudolabel_magic as pl

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=90), "b": rng.normal(size=90)})
    df["y"] = (df["a"] + df["b"] > 0).astype(int)
    result = pl.run(df.iloc[:50], df.iloc[50:].drop(columns="y"), target="y",
                    teacher=LogisticRegression(), select="threshold", threshold=0.8, rounds=2)
    for plot in (plot_confidence, plot_classes, plot_metrics, plot_rounds):
        assert plot(result).figure is not None
    assert sum(bar_heights(plot_confidence(result))) == 40


def test_importing_the_package_modules_does_not_load_matplotlib():
    code = ("import sys, pseudolabel_magic.plots, pseudolabel_magic.diagrams, "
            "pseudolabel_magic.leakage, pseudolabel_magic.codecheck; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
