"""The charts of real runs read at 640 px: measured with matplotlib's own text extents.

Each figure is drawn (``fig.canvas.draw()``), then every visible title, axis label, tick
label, bar label, annotation and legend is measured in display pixels: all of them lie
inside the figure, and no two of them overlap (tick labels of one axis included).
"""

import struct

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import pseudolabel_magic as pl  # noqa: E402
from pseudolabel_magic.core.compare import ComparisonResult  # noqa: E402
from pseudolabel_magic.render import plots  # noqa: E402

CHARTS = ("plot_confidence", "plot_classes", "plot_metrics", "plot_rounds")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def frame_with_hidden_targets(loader, share_labeled, seed=0):
    """A bundled scikit-learn data set as one frame; most targets NaN (the unlabeled rows)."""
    df = loader(as_frame=True).frame
    df.loc[np.random.default_rng(seed).random(len(df)) > share_labeled, "target"] = np.nan
    return df


@pytest.fixture(scope="module")
def runs():
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

    wine = frame_with_hidden_targets(load_wine, 0.3)
    cancer = frame_with_hidden_targets(load_breast_cancer, 0.1)
    diabetes = frame_with_hidden_targets(load_diabetes, 0.3)
    return {
        "wine, one round": pl.run(wine, target="target", select="threshold", threshold=0.7),
        "wine, 3 rounds": pl.run(wine, target="target", select="threshold", threshold=0.7, rounds=3),
        "breast_cancer, all": pl.run(cancer, target="target"),
        "diabetes, 2 rounds": pl.run(diabetes, target="target", select="threshold", threshold=0.5,
                                     rounds=2),
    }


def in_view(labels, limits, coordinate):
    """The tick labels matplotlib draws: the locator also labels ticks beyond the limits."""
    low, high = sorted(limits)
    span = high - low
    return [t for t in labels if low - 1e-9 * span <= t.get_position()[coordinate] <= high + 1e-9 * span]


def measured(fig):
    """``[(what, bbox, group)]`` for every visible non-empty text and legend of ``fig``."""
    if not hasattr(fig.canvas, "get_renderer"):  # a pyplot-free Figure (the panel's)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    items = []
    for n, ax in enumerate(fig.axes):
        texts = [("title", ax.title), ("xlabel", ax.xaxis.label), ("ylabel", ax.yaxis.label)]
        if ax.axison:
            texts += [(f"x tick {n}", t) for t in in_view(ax.get_xticklabels(), ax.get_xlim(), 0)]
            texts += [(f"y tick {n}", t) for t in in_view(ax.get_yticklabels(), ax.get_ylim(), 1)]
        texts += [("text", t) for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            items.append(("legend", legend.get_window_extent(renderer), id(legend)))
            texts += [("legend text", t) for t in [legend.get_title(), *legend.get_texts()]]
        for what, text in texts:
            if text.get_visible() and text.get_text().strip():
                group = id(legend) if what == "legend text" else id(text)
                items.append((f"{what} {text.get_text()!r}", text.get_window_extent(renderer), group))
    return items


def assert_readable(fig):
    """Every text inside the figure; no two texts (or a text and a legend) overlap."""
    box = fig.bbox
    items = measured(fig)
    assert items
    for what, bbox, _ in items:
        assert (bbox.x0 >= box.x0 - 0.5 and bbox.x1 <= box.x1 + 0.5
                and bbox.y0 >= box.y0 - 0.5 and bbox.y1 <= box.y1 + 0.5), f"{what} leaves the figure"
    for i, (what, bbox, group) in enumerate(items):
        for other, obox, ogroup in items[i + 1:]:
            if group != ogroup:
                overlap = bbox.shrunk(1, 1).overlaps(obox) and bbox.overlaps(obox) and (
                    min(bbox.x1, obox.x1) - max(bbox.x0, obox.x0) > 0.5
                    and min(bbox.y1, obox.y1) - max(bbox.y0, obox.y0) > 0.5)
                assert not overlap, f"{what} overlaps {other}"


def chart_params():
    return [pytest.param(run, chart, id=f"{run}-{chart}") for run in
            ("wine, one round", "wine, 3 rounds", "breast_cancer, all", "diabetes, 2 rounds")
            for chart in CHARTS]


@pytest.mark.parametrize("run, chart", chart_params())
def test_each_chart_of_a_real_run_reads_in_its_own_640px_figure(runs, run, chart):
    ax = getattr(runs[run], chart)()
    fig = ax.figure
    assert fig.get_figwidth() * fig.dpi == plots.CSS_WIDTH == 640
    assert_readable(fig)


@pytest.mark.parametrize("run, chart", chart_params())
def test_each_chart_reads_in_the_panel_figure(runs, run, chart):
    fig = plots._draw_figure(getattr(runs[run], chart), height=3.4)  # what figure_png saves
    assert_readable(fig)


@pytest.mark.parametrize("chart", ["plot_confidence", "plot_classes"])
def test_single_axes_charts_read_in_a_small_tight_layout_figure(runs, chart):
    """The panel's first figures: 5 x 3.2 in at 90 dpi with tight_layout (the title was cut)."""
    fig = Figure(figsize=(5, 3.2), dpi=90)
    getattr(runs["wine, 3 rounds"], chart)(fig.subplots())
    fig.tight_layout()
    assert_readable(fig)


def axes_with_tick(fig, label):
    found = [ax for ax in fig.axes if label in [t.get_text() for t in ax.get_yticklabels()]]
    assert len(found) == 1, label
    return found[0]


def test_log_loss_never_shares_an_axis_with_accuracy(runs):
    result = runs["wine, one round"]
    fig = result.plot_metrics().figure
    scores, loss = axes_with_tick(fig, "accuracy"), axes_with_tick(fig, "log_loss")
    assert scores is not loss
    assert [t.get_text() for t in scores.get_yticklabels()] == ["accuracy", "balanced_accuracy", "f1_macro"]
    assert scores.get_xlim() == (0.0, 1.0) and "higher is better" in scores.get_xlabel()
    assert "lower is better" in loss.get_xlabel()
    widths = [round(p.get_width(), 9) for p in loss.patches]
    assert widths == [round(result.metrics.loc[r, "log_loss"], 9) for r in ("teacher", "student")]
    n_val = len(result.validation_index)
    assert scores.get_title() == f"Teacher vs student on {n_val} validation rows"


def test_regression_keeps_r2_apart_from_mae_and_rmse(runs):
    fig = runs["diabetes, 2 rounds"].plot_metrics().figure
    r2, errors = axes_with_tick(fig, "r2"), axes_with_tick(fig, "mae")
    assert r2 is not errors and axes_with_tick(fig, "rmse") is errors
    assert "lower is better" in errors.get_xlabel() and "higher is better" in r2.get_xlabel()
    rounds = runs["diabetes, 2 rounds"].plot_rounds().figure
    legends = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in rounds.axes[1:]]
    assert legends == [["r2"], ["mae", "rmse"]]


def test_rounds_put_scores_and_log_loss_on_separate_axes(runs):
    result = runs["wine, 3 rounds"]
    ax = result.plot_rounds()
    bars, scores, loss = ax.figure.axes
    assert bars is ax and [p.get_height() for p in ax.patches] == result.history["n_selected"].tolist()
    assert [line.get_label() for line in scores.get_lines()] == ["accuracy", "balanced_accuracy", "f1_macro"]
    assert [line.get_label() for line in loss.get_lines()] == ["log_loss"]
    assert loss.get_legend().get_title().get_text() == "lower is better"
    assert loss.get_lines()[0].get_ydata().tolist() == result.history["student_log_loss"].tolist()


def test_a_one_round_run_draws_no_rounds_chart(runs):
    result = runs["wine, one round"]
    ax = result.plot_rounds()
    assert ax.figure.axes == [ax] and not ax.axison
    assert not ax.patches and not ax.lines and ax.get_legend() is None
    note = ax.texts[0].get_text()
    n = int(result.history["n_selected"].iloc[0])
    assert note.startswith(f"One round: {n} of {len(result.pseudo_labels)} unlabeled rows selected.")
    assert "needs rounds=2 or more" in note


def test_titles_carry_the_row_counts(runs):
    result = runs["breast_cancer, all"]
    n_unl, n_sel = len(result.pseudo_labels), result.n_selected
    flat = [getattr(result, chart)().get_title().replace("\n", " ") for chart in CHARTS[:3]]
    assert flat[0].startswith(f"Teacher confidence on {n_unl} unlabeled rows")
    assert f"{n_sel} selected pseudo-labels vs {len(result.train_target)} labeled train rows" in flat[1]
    assert flat[2] == f"Teacher vs student on {len(result.validation_index)} validation rows"


def test_figure_png_is_twice_as_sharp_and_leaves_pyplot_alone(runs):
    png = plots.figure_png(runs["wine, 3 rounds"].plot_metrics)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == plots.CSS_WIDTH * plots.PNG_SCALE == 1280
    assert height > 2.5 * plots.DPI * plots.PNG_SCALE  # two Axes: the chart chose its height
    assert plt.get_fignums() == []  # nothing for the inline backend to show later


def comparison(metric, values):
    names = ["supervised", "five lines", "threshold 0.9", "curriculum .99>.9>.8 with a long name"]
    table = pd.DataFrame({metric: values, "n_pseudo": [0, 90, 40, np.nan]},
                         index=pd.Index(names, name="strategy"))
    return ComparisonResult(table=table, results={"supervised": None}, metric=metric)


def test_comparison_bars_start_at_zero_and_say_which_way_is_better():
    ax = plots.plot_comparison(comparison("accuracy", [0.94, 0.94, 1.0, np.nan]))
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_xlabel() == "validation accuracy (higher is better)"
    assert [t.get_text() for t in ax.texts] == ["0.940", "0.940", "1.000", " n/a"]
    assert len(ax.patches) == 4
    assert_readable(ax.figure)
    loss = plots.plot_comparison(comparison("log_loss", [0.3, 0.25, 0.5, 0.2]))
    assert loss.get_xlabel() == "validation log_loss (lower is better)" and loss.get_xlim()[0] == 0
    assert_readable(loss.figure)
    assert_readable(plots._draw_figure(comparison("accuracy", [0.9, 0.8, 0.7, 0.6]).plot, 3.4))
