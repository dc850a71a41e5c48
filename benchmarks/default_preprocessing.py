"""The default model's preprocessing: skrub's TableVectorizer vs the hand-written one it replaced.

Run from the repository root::

    python benchmarks/default_preprocessing.py              # every data set, 5 seeds
    python benchmarks/default_preprocessing.py --quick      # wine and penguins, 1 seed
    python benchmarks/default_preprocessing.py --timing     # the preprocessing's own seconds

For each data set, label fraction (5%, 10%) and seed, a stratified fraction of the rows
keeps its labels (at least 3 per class) and the rest is the unlabeled pool; ``pl.run``
(select="all", val_size=0.2) pseudo-labels the pool and the score is the accuracy of
``result.predictions`` on the pool's hidden labels, with the run's wall time. Variants:

- ``hand-written``: the ColumnTransformer the default model used before (ordinal codes
  for text and categories, dates as seconds, numbers as they are), copied below;
- ``tv-all``: the cleaning step + a TableVectorizer over every column;
- ``default``: what ``pl.run`` now does (the TableVectorizer only on text, category and
  date columns; plain number columns skip it);
- ``default, old student``: the default preprocessing with the student a clone of the
  teacher (the rule before the student was sized for its own rows).

All variants share the estimator rule (RandomForest(200) below 2,000 rows, else
HistGradientBoosting) with the student sized for train + pool, except the last one.
Data sets: scikit-learn's breast_cancer, wine, digits; palmerpenguins (NaN, text);
"mixed", 6,000 generated rows holding every dtype a notebook frame holds, and
"mixed-plain", the same without what the hand-written preprocessing cannot take (inf,
object columns mixing numbers and text).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import pseudolabel_magic as pl  # noqa: E402
from pseudolabel_magic.core.models import SMALL_TRAIN_ROWS  # noqa: E402
from pseudolabel_magic.core.preprocessing import FeatureProfile, tabular_pipeline  # noqa: E402


# -- the hand-written preprocessing the TableVectorizer replaced (as it was) --------------
def _dates_to_numbers(frame):
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        values = pd.to_datetime(frame[col], utc=True).dt.tz_convert(None)
        out[col] = (values - pd.Timestamp(0)).dt.total_seconds()
    return out


def _to_float(frame):
    return frame.astype("float64")


def _to_text(frame):
    return frame.astype(object).where(frame.notna(), np.nan)


def hand_written(task, frame, features, n_train, seed):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

    kinds = {"numeric": [], "boolean": [], "datetime": [], "category": [], "ordinal": []}
    for col in features:
        dtype = frame[col].dtype
        if pd.api.types.is_bool_dtype(dtype):
            kinds["boolean"].append(col)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kinds["datetime"].append(col)
        elif pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
            kinds["numeric"].append(col)
        elif frame[col].nunique(dropna=True) <= 250:
            kinds["category"].append(col)
        else:
            kinds["ordinal"].append(col)

    def encoder():
        return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                              encoded_missing_value=np.nan)

    transformers, categorical = [], []
    for kind in ("category", "ordinal"):
        if kinds[kind]:
            transformers.append((kind, Pipeline([("text", FunctionTransformer(_to_text)),
                                                 ("code", encoder())]), kinds[kind]))
    categorical = list(range(len(kinds["category"])))
    if kinds["boolean"]:
        transformers.append(("boolean", FunctionTransformer(_to_float), kinds["boolean"]))
    if kinds["datetime"]:
        transformers.append(("datetime", FunctionTransformer(_dates_to_numbers), kinds["datetime"]))
    if kinds["numeric"]:
        transformers.append(("numeric", "passthrough", kinds["numeric"]))
    pre = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    if n_train < SMALL_TRAIN_ROWS:
        forest = RandomForestClassifier if task == "classification" else RandomForestRegressor
        model = forest(n_estimators=200, random_state=seed)
    else:
        boosting = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
        model = boosting(min_samples_leaf=int(max(1, min(20, n_train // 20))),
                         categorical_features=categorical or None, random_state=seed)
    return Pipeline([("preprocess", pre), ("model", model)])


def tv_all(task, frame, features, n_train, seed):
    from pseudolabel_magic.core.models import default_model

    model = default_model(task, frame, features, n_train, seed)[-1]
    return tabular_pipeline(model, list(features), n_features=len(features), random_state=seed)


# -- data ------------------------------------------------------------------------------
def mixed_table(n=6000, seed=0) -> pd.DataFrame:
    """Every dtype a notebook frame holds, each carrying part of the signal."""
    rng = np.random.default_rng(seed)
    city = rng.choice(["Paris", "Lyon", "Nice", "Lille", "Brest", "Metz", "Pau", "Albi"], n)
    codes = rng.integers(0, 120, n)
    when = pd.Timestamp("2024-01-01", tz="Europe/Paris") + pd.to_timedelta(rng.integers(0, 24 * 365, n), unit="h")
    amount = rng.gamma(2.0, 50.0, n)
    count = rng.poisson(3, n)
    flag = rng.random(n) < 0.4
    grade = rng.choice(["A", "B", "C", "D"], n)
    colour = rng.choice(["red", "blue", "green"], n)
    score = (0.02 * (amount - 100) + 0.6 * (count - 3) + 1.2 * flag
             + np.select([city == "Paris", city == "Nice", city == "Brest"], [1.5, -1.0, 0.8], 0.0)
             + np.where(codes % 3 == 0, 1.0, -0.5) + np.where((when.hour >= 8) & (when.hour < 18), 0.8, -0.8)
             + pd.Series(grade).map({"A": 1.0, "B": 0.3, "C": -0.3, "D": -1.0}).to_numpy()
             + np.where(colour == "red", 1.0, 0.0) + rng.normal(0, 1.0, n))
    missing = rng.random((7, n)) < 0.08
    frame = pd.DataFrame({
        "amount": pd.array(np.where(missing[0], np.nan, amount), dtype="Float64"),
        "count": pd.array(np.where(missing[1], None, count), dtype="Int64"),
        "flag": pd.array(np.where(missing[2], None, flag), dtype="boolean"),
        "city": pd.Series(np.where(missing[3], None, city), dtype="string[pyarrow]"),
        "code": pd.Series([c if c % 4 else f"A{c}" for c in codes], dtype=object),
        "when": pd.Series(when).mask(missing[4]),
        "grade": pd.Categorical(np.where(missing[5], None, grade)),
        "label_text": [f"item {i % 500} {c}" for i, c in enumerate(colour)],
        "size": pd.Series(np.where(missing[6], np.nan, rng.normal(size=n)), dtype="double[pyarrow]"),
        "ratio": np.where(rng.random(n) < 0.01, np.inf, rng.normal(size=n)),
    })
    frame["target"] = np.where(score > np.median(score), "yes", "no")
    return frame


def load(name: str) -> pd.DataFrame:
    from sklearn import datasets

    if name == "mixed":
        return mixed_table()
    if name == "mixed-plain":  # what the hand-written preprocessing takes: no inf, codes as
        frame = mixed_table()  # text, numbers and booleans as NumPy floats (NaN, not pd.NA)
        return frame.assign(
            code=frame["code"].astype(str), ratio=frame["ratio"].replace(np.inf, np.nan),
            amount=frame["amount"].astype("float64"), count=frame["count"].astype("float64"),
            flag=frame["flag"].astype("float64"), size=frame["size"].astype("float64"))
    if name == "wide":  # 1,000 number columns and two text columns
        rng = np.random.default_rng(0)
        frame = pd.DataFrame(rng.normal(size=(2000, 1000)), columns=[f"x{i}" for i in range(1000)])
        frame["city"] = rng.choice(["Paris", "Lyon", "Nice"], 2000)
        frame["grade"] = pd.Categorical(rng.choice(["A", "B"], 2000))
        frame["target"] = np.where(frame["x0"] + (frame["city"] == "Paris") > 0.5, "yes", "no")
        return frame
    if name == "penguins":
        import palmerpenguins

        frame = palmerpenguins.load_penguins().rename(columns={"species": "target"})
        return frame.dropna(subset=["target"])
    loader = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine,
              "digits": datasets.load_digits}[name]
    frame = loader(as_frame=True).frame
    features = [c for c in frame.columns if c != "target"]
    return frame.drop_duplicates(subset=features).reset_index(drop=True)


def labeled_positions(y: pd.Series, fraction: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    keep = []
    for rows in y.groupby(y).groups.values():
        rows = np.asarray(rows)
        k = max(3, round(fraction * len(rows)))
        keep.extend(rng.choice(rows, size=min(k, len(rows)), replace=False))
    return np.sort(np.asarray(keep))


def one_run(frame, fraction, seed, variant):
    features = [c for c in frame.columns if c != "target"]
    pos = labeled_positions(frame["target"], fraction, seed)
    labeled = frame.loc[pos]
    unlabeled = frame.drop(index=pos)
    truth = unlabeled.pop("target")
    n_train = len(labeled) - int(np.ceil(0.2 * len(labeled)))
    n_student = n_train + len(unlabeled)
    profile = FeatureProfile([labeled, unlabeled], features)
    if variant == "default":
        teacher = student = None
    else:
        make = {"hand-written": hand_written, "tv-all": tv_all}.get(variant)
        if variant == "default, old student":
            from pseudolabel_magic.core.models import default_model

            teacher = default_model("classification", labeled, features, n_train, seed, profile=profile)
            student = None
        else:
            teacher = make("classification", labeled, features, n_train, seed)
            student = make("classification", labeled, features, n_student, seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = pl.run(labeled, unlabeled, target="target", teacher=teacher, student=student,
                        random_state=seed)
    seconds = time.perf_counter() - start
    accuracy = float((result.predictions["prediction"].astype(str) == truth.astype(str)).mean())
    return accuracy, seconds


VARIANTS = ["hand-written", "tv-all", "default", "default, old student"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--datasets", default="breast_cancer,wine,digits,penguins,mixed,mixed-plain")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--timing", action="store_true", help="only time the preprocessing")
    args = parser.parse_args(argv)
    if args.timing:
        with threadpool_limits(1):
            table = preprocessing_times(["breast_cancer", "digits", "penguins", "mixed", "wide"])
        print(table.to_string())
        return table
    names = ["wine", "penguins"] if args.quick else args.datasets.split(",")
    seeds = range(1 if args.quick else args.seeds)
    rows = []
    with threadpool_limits(1):
        for name in names:
            frame = load(name)
            for fraction in (0.05, 0.10):
                for variant in VARIANTS:
                    if variant == "default, old student" and len(frame) < SMALL_TRAIN_ROWS:
                        continue  # the student is a forest either way
                    for seed in seeds:
                        try:
                            acc, sec = one_run(frame, fraction, seed, variant)
                        except Exception as err:  # the hand-written one cannot take every dtype
                            print(f"{name:14s} {fraction:.2f} {variant:22s} seed {seed}: failed: "
                                  f"{type(err).__name__}: {str(err).splitlines()[0][:120]}", flush=True)
                            acc = sec = np.nan
                        rows.append(dict(dataset=name, fraction=fraction, variant=variant,
                                         seed=seed, accuracy=acc, seconds=sec))
                        print(f"{name:14s} {fraction:.2f} {variant:22s} seed {seed}: "
                              f"accuracy {acc:.3f}  {sec:6.2f} s", flush=True)
    grouped = pd.DataFrame(rows).groupby(["dataset", "fraction", "variant"], sort=False)
    table = pd.DataFrame({"accuracy": grouped["accuracy"].mean(),
                          "median seconds": grouped["seconds"].median()}).round(3)
    print(table.to_string())
    if not args.quick:
        print(preprocessing_times(["breast_cancer", "digits", "penguins", "mixed", "wide"]).to_string())
    return table


def preprocessing_times(names, repeats=3) -> pd.DataFrame:
    """Seconds to fit the preprocessing alone and to transform the frame, best of ``repeats``."""
    from sklearn.ensemble import RandomForestClassifier

    from pseudolabel_magic.core.models import default_model

    rows = []
    for name in names:
        frame = load(name).drop(columns="target")
        features = list(frame.columns)
        builders = {
            "hand-written": lambda f=frame, c=features: hand_written("classification", f, c, 100, 0)[0],
            "tv-all": lambda c=features: tabular_pipeline(RandomForestClassifier(), c)[0],
            "default": lambda f=frame, c=features: default_model("classification", f, c, 100, 0)[0]}
        for variant, build in builders.items():
            fit = transform = np.inf
            for _ in range(repeats):
                try:
                    pre = build()
                    start = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        pre.fit_transform(frame)
                        middle = time.perf_counter()
                        pre.transform(frame)
                except Exception:  # the hand-written one cannot take every dtype
                    fit = transform = np.nan
                    break
                fit = min(fit, middle - start)
                transform = min(transform, time.perf_counter() - middle)
            rows.append(dict(dataset=f"{name} {frame.shape[0]}x{frame.shape[1]}", variant=variant,
                             fit_seconds=round(fit, 3), transform_seconds=round(transform, 3)))
    return pd.DataFrame(rows).set_index(["dataset", "variant"])


if __name__ == "__main__":
    main()
