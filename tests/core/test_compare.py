"""compare(): every strategy on the same split, one tidy row each, and a plot."""

import numpy as np
import pytest
from estimators import AlwaysZero, ColumnProba, known_confidence_data

import pseudolabel_magic as pl
from pseudolabel_magic.core.compare import ComparisonResult, compare

STRATEGIES = {
    "five lines": dict(select="all"),
    "threshold 0.9": dict(select="threshold", threshold=0.9),
    "k-best 3": dict(select="k-best", k_best=3),
    "curriculum": dict(curriculum=[0.95, 0.85]),
}


def test_compare_runs_every_strategy_on_the_same_split():
    labeled, unlabeled, validation = known_confidence_data()
    c = compare(labeled, unlabeled, target="y", teacher=ColumnProba(), validation=validation,
                strategies=STRATEGIES, self_training=False)
    assert isinstance(c, ComparisonResult)
    assert list(c.table.index) == ["supervised", *STRATEGIES]
    assert {"accuracy", "n_pseudo", "rounds", "seconds"} <= set(c.table.columns)
    assert not {"error", "guard_used"} & set(c.table.columns)  # nothing to say: left out
    assert list(c["n_pseudo"]) == [0, 8, 4, 3, 5]
    assert c.table.loc["curriculum", "rounds"] == 2
    assert c.results["supervised"] is None
    splits = {tuple(r.train_index) for r in c.results.values() if r is not None}
    assert len(splits) == 1  # one split for all
    assert c.tie  # 2 validation rows: every strategy scores 1.0
    assert "cannot tell them apart" in repr(c) and "best" not in repr(c).splitlines()[0].lower()
    assert "<table" in c._repr_html_()


def test_compare_reports_the_guard_and_the_final_scores():
    labeled, unlabeled, validation = known_confidence_data()
    c = compare(labeled, unlabeled, target="y", teacher=ColumnProba(), student=AlwaysZero(),
                validation=validation, self_training=False,
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
    assert len(c) == 12 and c.table.loc["supervised", "n_pseudo"] == 0
    assert c.table.index[-1] == "SelfTrainingClassifier"
    assert c.table["accuracy"].between(0, 1).all()
    assert set(c.table["verdict"].dropna()) <= {"helped", "no difference", "hurt"}
    auto = c.results["auto"]  # "auto" on the same hold-out rows as the rest, not cross-fitted
    assert auto.config["cv"] is None and auto.validation_index.equals(c.results["five lines"].validation_index)
    ax = c.plot()
    assert len(ax.patches) == len(c)


def test_compare_rejects_per_strategy_settings_in_common():
    labeled, unlabeled, validation = known_confidence_data()
    with pytest.raises(pl.PseudoLabelError, match="compare sets threshold per strategy"):
        compare(labeled, unlabeled, target="y", threshold=0.9)


def test_a_tie_of_every_strategy_names_no_best():
    import pandas as pd

    table = pd.DataFrame({"accuracy": [1.0, 1.0, 1.0], "n_pseudo": [0, 5, 3]},
                         index=pd.Index(["supervised", "five lines", "auto"], name="strategy"))
    c = ComparisonResult(table=table, results={"supervised": None}, metric="accuracy")
    assert c.tie and c.best == "none (all tie)"
    assert "best = supervised" not in repr(c) and "cannot tell them apart" in repr(c)
    table.loc["auto", "accuracy"] = 0.9
    assert not c.tie and c.best == "supervised"


def test_self_training_baseline_is_scored_on_the_same_folds():
    """With cv, every row is scored out of fold; SelfTrainingClassifier gets the same folds,
    the same teacher and preprocessing, and the pool: checked against a by-hand loop."""
    from sklearn.base import clone
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.semi_supervised import SelfTrainingClassifier

    df = load_breast_cancer(as_frame=True).frame
    df.loc[np.random.default_rng(0).random(len(df)) > 0.15, "target"] = np.nan
    teacher = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    c = compare(df, target="target", teacher=teacher, cv=4,
                strategies={"five lines": dict(select="all")})
    assert list(c.table.index) == ["supervised", "five lines", "SelfTrainingClassifier"]
    assert "out-of-fold" in c.headline()
    lab, pool = df[df["target"].notna()], df[df["target"].isna()].drop(columns="target")
    X, y = lab.drop(columns="target"), lab["target"].astype(int)
    pred = np.empty(len(lab))
    for train, test in StratifiedKFold(4, shuffle=True, random_state=0).split(X, y):
        prep = clone(teacher[:-1]).fit(X.iloc[train])
        st = SelfTrainingClassifier(clone(teacher[-1])).fit(
            np.vstack([prep.transform(X.iloc[train]), prep.transform(pool)]),
            np.concatenate([y.iloc[train], -np.ones(len(pool), dtype=int)]))
        pred[test] = st.predict(prep.transform(X.iloc[test]))
    assert c.table.loc["SelfTrainingClassifier", "accuracy"] == accuracy_score(y, pred)
