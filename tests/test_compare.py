"""compare(): every strategy on the same split, one tidy row each, and a plot."""

import numpy as np
import pytest
from test_engine import ColumnProba, known_confidence_data
from test_strategies import AlwaysZero

import pseudolabel_magic as pl
from pseudolabel_magic.comparison import ComparisonResult, compare

STRATEGIES = {
    "five lines": dict(select="all"),
    "threshold 0.9": dict(select="threshold", threshold=0.9),
    "k-best 3": dict(select="k-best", k_best=3),
    "curriculum": dict(curriculum=[0.95, 0.85]),
}


def test_compare_runs_every_strategy_on_the_same_split():
    labeled, unlabeled, validation = known_confidence_data()
    c = compare(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
                strategies=STRATEGIES)
    assert isinstance(c, ComparisonResult)
    assert list(c.table.index) == ["supervised", *STRATEGIES]
    assert {"accuracy", "n_pseudo", "rounds", "seconds", "guard_used"} <= set(c.table.columns)
    assert list(c["n_pseudo"]) == [0, 8, 4, 3, 5]
    assert c.table.loc["curriculum", "rounds"] == 2
    assert c.results["supervised"] is None
    splits = {tuple(r.train_index) for r in c.results.values() if r is not None}
    assert len(splits) == 1  # one split for all
    assert "this pick uses the validation score" in repr(c)
    assert "<table" in c._repr_html_()


def test_compare_reports_the_guard_and_the_final_scores():
    labeled, unlabeled, validation = known_confidence_data()
    c = compare(labeled, unlabeled, target="y", teacher=ColumnProba(), student=AlwaysZero(),
                validation=validation,
                strategies={"plain": dict(), "guarded": dict(guard=True)})
    assert c.table.loc["plain", "accuracy"] == 0.5
    assert c.table.loc["guarded", "accuracy"] == 1.0 and c.table.loc["guarded", "guard_used"]
    assert c.best == "supervised"


def test_compare_default_strategies_and_plot():
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    df = load_wine(as_frame=True).frame
    df.loc[np.random.default_rng(0).random(len(df)) > 0.5, "target"] = np.nan
    teacher = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    c = compare(df, target="target", teacher=teacher)
    assert len(c) == 11 and c.table.loc["supervised", "n_pseudo"] == 0
    assert c.table["accuracy"].between(0, 1).all()
    ax = c.plot()
    assert len(ax.patches) == len(c)


def test_compare_rejects_per_strategy_settings_in_common():
    labeled, unlabeled, validation = known_confidence_data()
    with pytest.raises(pl.PseudoLabelError, match="compare sets threshold per strategy"):
        compare(labeled, unlabeled, target="y", threshold=0.9)
