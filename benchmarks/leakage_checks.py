"""Time the default leakage checks on 1,000,000 rows x 20 columns.

The budget is under 1 second: the checks run before every fit, so they must stay cheap
next to the fits themselves. Besides wall time the script prints the process's CPU time,
which a machine busy with other jobs inflates far less (the checks are single-threaded numpy
and pandas). Run from the repository root:

    python benchmarks/leakage_checks.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd


def make_frame(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """20 mixed columns: 8 float, 6 int, 3 category, 3 string, plus a binary target."""
    rng = np.random.default_rng(seed)
    cols = {}
    for j in range(8):
        values = rng.normal(size=n_rows)
        values[rng.random(n_rows) < 0.01] = np.nan
        cols[f"f{j}"] = values
    for j in range(6):
        cols[f"i{j}"] = rng.integers(0, 10_000, size=n_rows)
    for j in range(3):
        cols[f"c{j}"] = pd.Categorical.from_codes(rng.integers(0, 50, n_rows),
                                                  categories=[f"cat{k}" for k in range(50)])
    words = np.array([f"word{k}" for k in range(1000)], dtype=object)
    for j in range(3):
        cols[f"s{j}"] = words[rng.integers(0, len(words), n_rows)]
    frame = pd.DataFrame(cols)
    frame["y"] = rng.integers(0, 2, size=n_rows)
    return frame


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from pseudolabel_magic.leakage.checks import check_leakage

    frame = make_frame(args.rows)
    n_train, n_val = int(args.rows * 0.2), int(args.rows * 0.1)
    train = frame.iloc[:n_train]
    validation = frame.iloc[n_train:n_train + n_val]
    unlabeled = frame.iloc[n_train + n_val:].drop(columns="y")
    times, cpu = [], []
    for _ in range(args.repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        report = check_leakage(train, validation, unlabeled, target="y")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    print(f"check_leakage on {args.rows:,} rows x 20 columns "
          f"(train {len(train):,}, validation {len(validation):,}, unlabeled {len(unlabeled):,}): "
          f"best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s "
          f"over {args.repeat} run(s) (CPU time best {min(cpu):.2f} s); ok={report.ok}")
    print("reproduce: python benchmarks/leakage_checks.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
