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

from pseudolabel_magic.render.plots import (  # noqa: E402
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


def bar_widths(ax):
    """Lengths of horizontal bars (metrics, classes and strategies run down the y axis)."""
    return [round(p.get_width(), 6) for p in ax.patches]


def ticks(labels):
    return [t.get_text() for t in labels]


def title(ax):
    """The title as one line: a title too wide for its Axes puts its detail on line 2."""
    head, _, rest = ax.get_title().partition("\n")
    return head + (": " + rest.replace("\n", " ") if rest else "")


def test_plot_confidence_counts_every_scored_row_and_marks_the_threshold():
    ax = plot_confidence(fake_result())
    assert sum(bar_heights(ax)) == 7  # 8 rows, one NaN confidence
    assert [line.get_xdata()[0] for line in ax.get_lines()] == [0.9]
    assert [t.get_text() for t in ax.texts] == ["threshold 0.9"]  # on the line, not a legend
    assert title(ax) == "Teacher confidence on 7 unlabeled rows: 4 selected in 2 rounds"
    assert ax.get_xlabel() == "teacher confidence (round 1)"


def test_plot_classes_puts_the_pseudo_label_mix_next_to_the_labeled_mix():
    fig, given = plt.subplots(figsize=(5, 4))
    ax = plot_classes(fake_result(), ax=given)
    assert ax is given
    # labeled a 3/4, b 1/4; selected pseudo-labels (rows 102, 103, 104, 107): a 3/4, b 1/4
    assert bar_widths(ax) == [0.75, 0.25, 0.75, 0.25]
    assert ticks(ax.get_yticklabels()) == ["a", "b"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["labeled (4)", "pseudo-labels (4)"]
    assert title(ax) == "Class mix: 4 selected pseudo-labels vs 4 labeled train rows"
    assert fig.get_size_inches().tolist() == [5, 4]  # the caller's figure is never resized


def test_plot_classes_sums_the_rarest_of_many_classes_into_other():
    result = fake_result()
    result.train_target = pd.Series([f"class {i}" for i in range(30)])
    ax = plot_classes(result)
    labels = ticks(ax.get_yticklabels())
    assert len(labels) == 20 and labels[-1] == "other (13 classes)"  # 32 classes
    assert sum(p.get_width() for p in ax.patches[:20]) == pytest.approx(1.0)  # labeled shares


def test_plot_classes_for_regression_compares_distributions():
    result = fake_result(task="regression")
    result.pseudo_labels["pseudo_label"] = np.linspace(0, 1, 8)
    result.train_target = pd.Series([0.1, 0.2, 0.3, 0.9])
    ax = plot_classes(result)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["labeled (4)", "pseudo-labels (4)"]
    assert ax.get_title().startswith("Target distribution")


def test_plot_metrics_draws_teacher_and_student_values_and_flags_leaks():
    ax = plot_metrics(fake_result())
    assert bar_widths(ax) == [0.8, 0.7, 0.85, 0.75]
    assert ticks(ax.get_yticklabels()) == ["accuracy", "f1_macro"]
    assert [t.get_text() for t in ax.texts] == ["0.800", "0.700", "0.850", "0.750"]
    assert ax.get_title() == "Teacher vs student on validation"
    assert ax.get_xlim() == (0.0, 1.0) and "higher is better" in ax.get_xlabel()
    assert len(ax.figure.axes) == 1  # one family of metrics: one Axes
    assert plot_metrics(fake_result(leaky=True)).get_title().startswith("LEAKY")


def test_plot_metrics_puts_losses_and_errors_on_their_own_axis():
    result = fake_result()
    result.metrics["log_loss"] = [0.6, 0.2]
    result.validation_index = pd.RangeIndex(36)
    ax = plot_metrics(result)
    scores, loss = ax.figure.axes
    assert scores is ax and ticks(ax.get_yticklabels()) == ["accuracy", "f1_macro"]
    assert ticks(loss.get_yticklabels()) == ["log_loss"] and bar_widths(loss) == [0.6, 0.2]
    assert loss.get_xlabel() == "log-loss on validation (lower is better)"
    assert ax.get_title() == "Teacher vs student on 36 validation rows"
    result.metrics["log_loss"] = np.nan  # a model without predict_proba: no empty axis
    assert len(plot_metrics(result).figure.axes) == 1


def test_plot_metrics_splits_the_given_axes_slot_and_leaves_the_others_alone():
    fig, grid = plt.subplots(2, 2, figsize=(9, 6))
    result = fake_result()
    result.metrics["log_loss"] = [0.6, 0.2]
    ax = plot_metrics(result, ax=grid[0, 1])
    assert ax is grid[0, 1] and len(fig.axes) == 5
    new = fig.axes[-1]
    assert ticks(new.get_yticklabels()) == ["log_loss"]
    top, bottom = ax.get_position(), new.get_position()
    assert bottom.y1 < top.y0 and top.x0 == pytest.approx(bottom.x0)  # below, same column
    assert bottom.y0 > grid[1, 1].get_position().y1  # still inside its own slot


def test_plot_rounds_draws_selected_rows_and_scores_per_round():
    ax = plot_rounds(fake_result(leaky=True))
    assert bar_heights(ax) == [4, 2]
    scores = [other for other in ax.figure.axes if other is not ax][0]
    assert scores.get_lines()[0].get_ydata().tolist() == [0.83, 0.85]
    assert [t.get_text() for t in scores.get_legend().get_texts()] == ["accuracy"]
    assert ax.get_legend() is None  # one legend per scale, never two on one Axes
    assert ax.get_title().startswith("LEAKY")


def test_plot_rounds_for_one_round_says_so_instead_of_drawing_a_chart():
    result = fake_result()
    result.history = result.history.iloc[:1]
    ax = plot_rounds(result)
    assert ax.figure.axes == [ax] and not ax.axison
    assert not ax.patches and not ax.lines and ax.get_legend() is None
    assert ax.texts[0].get_text() == ("One round: 4 of 8 unlabeled rows selected.\n"
                                      "Student accuracy on validation: 0.830 (teacher 0.800).\n"
                                      "Stopped after round 1 of 2: round 2 selected no new rows.")
    result.config["rounds"] = 1
    assert plot_rounds(result).texts[0].get_text().endswith("needs rounds=2 or more.")


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
    assert ticks(plot_metrics(result).get_yticklabels()) == ["accuracy", "balanced_accuracy", "f1_macro"]


def test_importing_the_package_modules_does_not_load_matplotlib():
    code = ("import sys, pseudolabel_magic.render.plots, pseudolabel_magic.render.diagrams, "
            "pseudolabel_magic.leakage.checks, pseudolabel_magic.leakage.code; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
