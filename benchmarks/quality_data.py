"""Data sets, models and table helpers for ``benchmarks/quality.py``.

Every data set ships inside a pip wheel, so nothing is downloaded at run time:
scikit-learn ships digits, breast_cancer, wine (and iris); statsmodels ships "fair" (6,366
survey rows: did the respondent have an affair?) and "anes96" (944 respondents of the 1996
American National Election Study: voted Dole rather than Clinton?); palmerpenguins ships the
344 Palmer penguins (species from body measurements, island and sex).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DATASETS = ("breast_cancer", "wine", "digits", "fair", "anes96", "penguins")


def load_dataset(name: str) -> pd.DataFrame | None:
    """A frame of numeric features and an integer 'target' column, or None when not installed.

    Rows whose features repeat an earlier row are dropped: the engine's leakage check warns
    about (and may refuse) a validation row identical to a train row, and survey data such as
    "fair" has many exact repeats.
    """
    try:
        frame = _load(name)
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        return None
    features = [c for c in frame.columns if c != "target"]
    return frame.drop_duplicates(subset=features).reset_index(drop=True)


def _load(name: str) -> pd.DataFrame:
    if name in ("digits", "breast_cancer", "wine", "iris"):
        from sklearn import datasets

        frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
        frame.columns = [str(c) for c in frame.columns]
        return frame
    if name == "fair":
        from importlib.resources import files

        frame = pd.read_csv(files("statsmodels.datasets.fair") / "fair.csv")
        frame["target"] = (frame.pop("affairs") > 0).astype(int)
        return frame
    if name == "anes96":
        from statsmodels.datasets import anes96

        frame = anes96.load_pandas().data.drop(columns="logpopul")  # log of popul
        frame["target"] = frame.pop("vote").astype(int)
        return frame
    if name == "penguins":
        from palmerpenguins import load_penguins

        frame = load_penguins().dropna().reset_index(drop=True)
        species = frame.pop("species")
        frame = pd.get_dummies(frame, columns=["island", "sex"], dtype=int)
        frame["target"] = pd.Categorical(species).codes.astype(int)
        return frame
    raise ValueError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")


def make_model(kind: str, seed: int, frame=None, features=None, n_train=None):
    """The user's model: the same object goes to the reference, the engine and STC.

    ``random_state`` is set to the seed (the engine does the same to clones that leave it
    unset), so the reference and the engine's refit fit the same model on the same rows.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "lr":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    if kind == "hgb":
        return HistGradientBoostingClassifier(random_state=seed)
    if kind == "default":  # the engine's own default teacher for this many rows
        from pseudolabel_magic.core.models import default_model

        return default_model("classification", frame, features, n_train, seed)
    raise ValueError(f"unknown model {kind!r}; known: lr, hgb, default")


def accuracy(pred, truth) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(truth)))


# -- tables ------------------------------------------------------------------------------------
def fmt(frame: pd.DataFrame) -> str:
    """A Markdown table of already formatted cells."""
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    sep = "|" + "|".join("---:" if i else "---" for i in range(len(frame.columns))) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def summarize(runs: pd.DataFrame, reference: str, methods, tie: float, harm: float) -> pd.DataFrame:
    """One row per method: test-accuracy gain over ``reference`` in the same configuration."""
    keys = ["dataset", "model", "fraction", "seed"]
    ref = runs[runs["method"] == reference].set_index(keys)
    out = []
    for method in methods:
        part = runs[runs["method"] == method].set_index(keys)
        if part.empty:
            continue
        d = part["test_acc"] - ref["test_acc"].reindex(part.index)
        d_unl = part["unlabeled_acc"] - ref["unlabeled_acc"].reindex(part.index)
        failed = int(part["error"].notna().sum()) if "error" in part else 0
        out.append({
            "method": method,
            "test acc": f"{part['test_acc'].mean():.3f}",
            "mean gain (test)": f"{100 * d.mean():+.2f}",
            "gain on U": f"{100 * d_unl.mean():+.2f}",
            "win/tie/loss": f"{int((d > tie).sum())}/{int((d.abs() <= tie).sum())}/{int((d < -tie).sum())}",
            "harm rate": f"{(d < -harm).mean():.0%} ({int((d < -harm).sum())}/{len(d)})",
            "worst": f"{100 * d.min():+.1f}",
            "mean s": f"{part['seconds'].mean():.2f}",
            "failed": str(failed),
        })
    return pd.DataFrame(out)


def by_dataset(runs: pd.DataFrame, reference: str, methods) -> pd.DataFrame:
    """Mean test-accuracy gain (points) over the reference per data set, model and fraction."""
    keys = ["dataset", "model", "fraction", "seed"]
    ref = runs[runs["method"] == reference].set_index(keys)["test_acc"]
    cells = {}
    for method in methods:
        part = runs[runs["method"] == method].set_index(keys)["test_acc"]
        if not part.empty:
            cells[method] = 100 * (part - ref.reindex(part.index))
    table = pd.DataFrame(cells).groupby(level=["dataset", "model", "fraction"]).mean()
    n_lab = runs[runs["method"] == reference].groupby(["dataset", "model", "fraction"])["n_labeled"].mean()
    acc = ref.groupby(level=["dataset", "model", "fraction"]).mean()
    table = table.reset_index()
    table.insert(3, "labeled rows", [f"{n_lab.loc[k]:.0f}" for k in zip(table["dataset"], table["model"], table["fraction"])])
    table.insert(4, f"{reference} acc", [f"{acc.loc[k]:.3f}" for k in zip(table["dataset"], table["model"], table["fraction"])])
    table["fraction"] = table["fraction"].map(lambda v: f"{v:.0%}")
    for method in cells:
        table[method] = table[method].map(lambda v: f"{v:+.1f}")
    return table
