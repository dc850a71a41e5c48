"""Engine overhead: ``pl.run`` against the same five lines written by hand, same models.

Both sides split labeled into train/validation, fit a teacher on train, pseudo-label the
200,000 unlabeled rows, fit a student on train + pseudo-labels, score both on validation
and predict the unlabeled rows. The engine additionally runs its leakage checks, keeps
confidences and writes its result tables; the ratio shows what that costs.

Run:  python benchmarks/overhead.py [--unlabeled 200000] [--repeats 3]
BLAS/OpenMP are pinned to one thread (threadpoolctl) on both sides.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import pseudolabel_magic as pl


def make_data(n_labeled: int, n_unlabeled: int, seed: int = 0):
    X, y = make_classification(n_samples=n_labeled + n_unlabeled, n_features=20, n_informative=10,
                               n_classes=4, random_state=seed)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(20)])
    frame["label"] = y
    labeled = frame.iloc[:n_labeled].reset_index(drop=True)
    unlabeled = frame.iloc[n_labeled:].drop(columns="label").reset_index(drop=True)
    return labeled, unlabeled


def five_lines(labeled, unlabeled, model):
    features = [c for c in labeled.columns if c != "label"]
    train, val = train_test_split(labeled, test_size=0.2, stratify=labeled["label"], random_state=0)
    teacher = clone(model).fit(train[features], train["label"])
    pseudo = teacher.predict(unlabeled[features])
    student = clone(model).fit(pd.concat([train[features], unlabeled[features]]),
                               np.concatenate([train["label"].to_numpy(), pseudo]))
    scores = (accuracy_score(val["label"], teacher.predict(val[features])),
              accuracy_score(val["label"], student.predict(val[features])))
    return student.predict(unlabeled[features]), scores


def engine(labeled, unlabeled, model):
    result = pl.run(labeled, unlabeled, target="label", teacher=model)
    return result.predictions["prediction"].to_numpy(), tuple(result.metrics["accuracy"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labeled", type=int, default=5000)
    parser.add_argument("--unlabeled", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    labeled, unlabeled = make_data(args.labeled, args.unlabeled)
    model = HistGradientBoostingClassifier(random_state=0)
    print(f"command: python benchmarks/overhead.py --labeled {args.labeled} "
          f"--unlabeled {args.unlabeled} --repeats {args.repeats}")
    print(f"model: {model!r}; threads: 1 (threadpoolctl); python {sys.version.split()[0]}")
    times = {"five lines": [], "pl.run": []}
    with threadpool_limits(1):
        engine(labeled.iloc[:500], unlabeled.iloc[:1000], model)  # warm imports
        for _ in range(args.repeats):  # interleaved, so machine load hits both alike
            for name, fn in (("five lines", five_lines), ("pl.run", engine)):
                start = time.perf_counter()
                predictions, scores = fn(labeled, unlabeled, model)
                times[name].append(time.perf_counter() - start)
                print(f"  {name:10s} {times[name][-1]:7.2f} s   validation accuracy "
                      f"teacher {scores[0]:.3f} student {scores[1]:.3f}", flush=True)
    hand, ours = statistics.median(times["five lines"]), statistics.median(times["pl.run"])
    print(f"median five lines: {hand:.2f} s; median pl.run: {ours:.2f} s; "
          f"ratio pl.run / five lines = {ours / hand:.3f} (overhead {100 * (ours / hand - 1):+.1f}%)")


if __name__ == "__main__":
    main()
