"""Does pseudo-labelling beat the supervised model fitted on every label? A fair benchmark.

Run from the repository root::

    python benchmarks/quality.py            # the README table (about 20 min on a busy 2-core box)
    python benchmarks/quality.py --quick    # a smoke run in seconds (wine, LR, 1 seed)

Only the default run writes ``quality_results.md`` / ``.csv`` (the README's table); any other
selection (``--quick``, ``--serial``, ``--more``, fewer data sets ...) prints its tables and
writes files only when ``--out`` names one.

Protocol: for each data set and seed a stratified 30% test split that no method sees; of the
rest, a stratified ``fraction`` keeps its labels (at least 3 per class) and the other rows
are the unlabeled pool U, whose labels are hidden from every method and used only to score.
The **reference** is what a user would do instead of pseudo-labelling: the same model fitted
on every labeled row ("supervised all L"). Every method is scored on the test rows (and on
U) against that reference in the same configuration:

- "five lines": ``pl.run(select="all")``, hold-out (20% of the labels only score);
- "auto hold-out": ``select="threshold", threshold=0.9, balance=True, guard=True``, the old
  ``select="auto"`` on one hold-out split;
- "auto cv=5 refit": ``select="auto", cv=5, refit=True, n_jobs=-1`` (scores teacher and
  student out of fold; the refit of both on every label runs as one more parallel job next to
  the 5 folds; the guard then ships the refit teacher unless the student scored strictly
  higher out of fold, so a tie keeps the teacher);
- "SelfTraining": scikit-learn's ``SelfTrainingClassifier`` with its defaults (threshold
  0.75, max_iter 10) around the same model, on every labeled row plus U (y = -1).

A method the engine refuses or that crashes counts as the reference in that configuration
(what the user is left with) and is listed in the output. BLAS/OpenMP are pinned to one
thread (threadpoolctl) so timings mean the same on a busy box; ``n_jobs=-1`` runs the folds
(and the refit) in joblib worker processes, whose pool is started once before the timed runs.
The 1-, 5- and 15-minute load averages are read before and after the run and written down
with the wall time: the machine may be shared with other jobs.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality_data import accuracy, by_dataset, fmt, load_dataset, make_model, summarize  # noqa: E402

import pseudolabel_magic.core.engine as engine  # noqa: E402
from pseudolabel_magic.core.strategies import AUTO  # noqa: E402

HERE = Path(__file__).resolve().parent
TIE = 0.005  # |difference| up to half a point of accuracy counts as a tie
HARM = 0.01  # more than one point below the reference counts as harm
REFERENCE = "supervised all L"
CV_METHOD = "auto cv=5 refit"
MODEL_TEXT = {"lr": "`lr` = StandardScaler + LogisticRegression",
              "hgb": "`hgb` = HistGradientBoostingClassifier",
              "default": "`default` = the engine's default (RandomForest(200) below 2,000 rows)"}


def methods(n_unlabeled: int, serial: bool, more: bool) -> dict:
    """Engine methods: name -> pl.run keyword arguments."""
    out = {
        "five lines": dict(select="all"),
        "auto hold-out": dict(AUTO, cv=None),
        CV_METHOD: dict(select="auto", cv=5, refit=True, n_jobs=-1),
    }
    if serial:
        out[CV_METHOD + " n_jobs=1"] = dict(select="auto", cv=5, refit=True, n_jobs=None)
    if more:  # the older hold-out strategies, against the same reference
        k = max(1, int(round(0.1 * n_unlabeled)))
        out.update({
            "threshold 0.9": dict(select="threshold", threshold=0.9),
            "k-best 10%": dict(select="k-best", k_best=k),
            "soft + guard": dict(select="all", soft=True, guard=True),
            "oof 0.9 + guard": dict(select="threshold", threshold=0.9, oof=5, guard=True),
            "five lines cv=5 refit": dict(select="all", cv=5, refit=True, n_jobs=-1),
        })
    return out


def one_config(frame, name, kind, fraction, seed, serial=False, more=False):
    """Every method on one (data set, model, fraction, seed): a list of result rows."""
    from sklearn.base import clone
    from sklearn.model_selection import train_test_split
    from sklearn.semi_supervised import SelfTrainingClassifier

    features = [c for c in frame.columns if c != "target"]
    y_all = frame["target"]
    rest, test = train_test_split(frame, test_size=0.3, random_state=seed, stratify=y_all)
    n_lab = max(int(round(fraction * len(rest))), 3 * y_all.nunique())
    lab, unl = train_test_split(rest, train_size=n_lab, random_state=seed, stratify=rest["target"])
    X_test, y_test = test[features], test["target"]
    X_unl, y_unl = unl[features], unl["target"]
    unlabeled = unl.drop(columns="target")
    base = dict(dataset=name, model=kind, fraction=fraction, seed=seed, n_labeled=n_lab,
                n_unlabeled=len(unl), n_test=len(test))
    model = make_model(kind, seed, frame, features, n_lab)
    rows = []

    def add(method, pred_unl, pred_test, seconds, **extra):
        rows.append({**base, "method": method, "unlabeled_acc": accuracy(pred_unl, y_unl),
                     "test_acc": accuracy(pred_test, y_test), "seconds": seconds, **extra})

    start = time.perf_counter()
    full = clone(model).fit(lab[features], lab["target"])
    ref_unl, ref_test = full.predict(X_unl), full.predict(X_test)
    add(REFERENCE, ref_unl, ref_test, time.perf_counter() - start)

    for method, kwargs in methods(len(unl), serial, more).items():
        start = time.perf_counter()
        try:
            r = engine.run(lab, unlabeled, target="target", teacher=model, random_state=seed,
                           **kwargs)
        except Exception as err:  # noqa: BLE001 -- recorded, counted as the reference
            add(method, ref_unl, ref_test, time.perf_counter() - start,
                error=f"{type(err).__name__}: {err}")
            continue
        seconds = time.perf_counter() - start
        final = r.teacher if r.guard_used else r.student
        pred_unl = r.predictions["prediction"].reindex(unlabeled.index)
        add(method, pred_unl, final.predict(X_test), seconds, n_pseudo=r.n_selected,
            kept_teacher=bool(r.guard_used), verdict=r.verdict)
        if method == "five lines":  # its teacher: the same model on the train part only
            add("hold-out teacher (80% of L)", r.teacher.predict(X_unl), r.teacher.predict(X_test),
                r.timings.get("teacher", np.nan))

    # STC turns X into an array, so the default model's by-name ColumnTransformer cannot come
    # along; every feature here is numeric, where that step is a passthrough anyway.
    stc_model = model[-1] if kind == "default" else model
    X_st = pd.concat([lab[features], X_unl])
    y_st = np.concatenate([lab["target"].to_numpy(), np.full(len(X_unl), -1)])
    start = time.perf_counter()
    try:
        stc = SelfTrainingClassifier(clone(stc_model)).fit(X_st, y_st)
    except Exception as err:  # noqa: BLE001
        add("SelfTraining", ref_unl, ref_test, time.perf_counter() - start,
            error=f"{type(err).__name__}: {err}")
    else:
        seconds = time.perf_counter() - start
        add("SelfTraining", stc.predict(X_unl), stc.predict(X_test), seconds,
            n_pseudo=int((stc.labeled_iter_ > 0).sum()))
    return rows


def warm_pool():
    """Start joblib's worker processes (and their imports) once, before any timed run."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    lab = pd.DataFrame(rng.normal(size=(40, 3)), columns=list("abc"))
    lab["target"] = (lab["a"] > 0).astype(int)
    unl = pd.DataFrame(rng.normal(size=(40, 3)), columns=list("abc"))
    engine.run(lab, unl, target="target", teacher=LogisticRegression(), select="auto", cv=5,
               refit=True, n_jobs=-1)


def time_ratios(runs: pd.DataFrame, cv_method: str) -> pd.DataFrame:
    """cv=5 seconds over another method's seconds: median per configuration, and of totals."""
    keys = ["dataset", "model", "fraction", "seed"]
    cv = runs[runs["method"] == cv_method].set_index(keys)["seconds"]
    out = []
    for other in ("auto hold-out", "five lines", "SelfTraining", REFERENCE,
                  CV_METHOD + " n_jobs=1"):
        sec = runs[runs["method"] == other].set_index(keys)["seconds"]
        if sec.empty or other == cv_method:
            continue
        ratio = cv / sec.reindex(cv.index)
        out.append({"cv=5 refit n_jobs=-1 vs": other,
                    "median ratio per config": f"{ratio.median():.2f}x",
                    "ratio of total seconds": f"{cv.sum() / sec.reindex(cv.index).sum():.2f}x",
                    "configs where cv is slower": f"{int((ratio > 1).sum())}/{len(ratio)}",
                    "worst ratio": f"{ratio.max():.2f}x",
                    "total s (other)": f"{sec.reindex(cv.index).sum():.1f}",
                    "total s (cv)": f"{cv.sum():.1f}"})
    return pd.DataFrame(out)


def _load(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _workers() -> int:
    from joblib import effective_n_jobs

    return effective_n_jobs(-1)


def _guard_text(runs: pd.DataFrame) -> str:
    """How often the cv run's guard kept the refit teacher, and what that gave (measured)."""
    keys = ["dataset", "model", "fraction", "seed"]
    cv = runs[runs["method"] == CV_METHOD].set_index(keys)
    if cv.empty:
        return ""
    ref = runs[runs["method"] == REFERENCE].set_index(keys).reindex(cv.index)
    kept = cv["kept_teacher"].fillna(False).astype(bool)
    d = cv["test_acc"] - ref["test_acc"]
    same = (cv["test_acc"] == ref["test_acc"]) & (cv["unlabeled_acc"] == ref["unlabeled_acc"])
    harmed = d < -HARM
    return (f"`{CV_METHOD}` kept the refit teacher (guard: the student did not score strictly "
            f"higher out of fold) in {int(kept.sum())} of {len(cv)} configurations and shipped "
            f"the refit student in {int((~kept).sum())}. Where it kept the teacher, its test and "
            f"pool accuracy equal the reference's in {int((same & kept).sum())} of "
            f"{int(kept.sum())}. Of its {int(harmed.sum())} harmed configurations (> "
            f"{HARM * 100:.0f} point below the reference), {int((harmed & ~kept).sum())} shipped "
            f"the student and {int((harmed & kept).sum())} the teacher.")


def _failures(runs: pd.DataFrame) -> str:
    if "error" not in runs or runs["error"].isna().all():
        return "Every method ran in every configuration (no engine refusal or crash)."
    bad = runs[runs["error"].notna()]
    lines = ["Methods that refused or crashed count as the reference there (what a user would be "
             "left with):", ""]
    for _, row in bad.iterrows():
        lines.append(f"- {row['method']} on {row['dataset']} {row['model']} {row['fraction']:.0%} "
                     f"seed {row['seed']}: {str(row['error']).splitlines()[0][:300]}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="breast_cancer,wine,digits,fair,anes96,penguins")
    parser.add_argument("--models", default="lr,default", help="lr, default, hgb (comma list)")
    parser.add_argument("--fractions", default="0.02,0.1")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--serial", action="store_true",
                        help="also time cv=5 refit with n_jobs=1 (the same predictions)")
    parser.add_argument("--more", action="store_true",
                        help="also the older hold-out strategies, against the same reference")
    parser.add_argument("--out", default=None,
                        help="Markdown file to write (default: quality_results.md for the "
                             "default run only; other runs print without writing)")
    parser.add_argument("--csv", default=None, help="every run's row (default: --out with .csv)")
    parser.add_argument("--quick", action="store_true", help="wine, LR, 10%%, 1 seed (seconds)")
    args = parser.parse_args(argv)
    default_run = all(getattr(args, k) == parser.get_default(k) for k in
                      ("datasets", "models", "fractions", "seeds", "serial", "more", "quick"))
    if args.out is None and default_run:
        args.out = str(HERE / "quality_results.md")
    if args.quick:
        args.datasets, args.models, args.fractions, args.seeds = "wine", "lr", "0.1", 1
    command = " ".join(["python benchmarks/quality.py", *(argv if argv is not None else sys.argv[1:])])
    datasets, models = args.datasets.split(","), args.models.split(",")
    fractions = [float(f) for f in args.fractions.split(",")]
    seeds = list(range(args.seeds))
    settings = (f"datasets={datasets} models={models} fractions={fractions} seeds={seeds} "
                f"test=30% hold-out val_size=0.2 BLAS/OpenMP threads=1 (threadpoolctl)")
    print(command, "\n", settings, flush=True)
    warnings.simplefilter("ignore")  # the engine's and scikit-learn's warnings, in every fit
    load_before = os.getloadavg()
    print(f"load average before: {_load(load_before)}", flush=True)
    started = time.perf_counter()
    rows, skipped = [], []
    with threadpool_limits(1):
        t0 = time.perf_counter()
        warm_pool()
        print(f"joblib pool started in {time.perf_counter() - t0:.1f}s (not timed)", flush=True)
        for name in datasets:
            frame = load_dataset(name)
            if frame is None:
                skipped.append(name)
                print(f"skip {name}: its package is not installed", flush=True)
                continue
            for kind in models:
                for fraction in fractions:
                    for seed in seeds:
                        t0 = time.perf_counter()
                        rows.extend(one_config(frame, name, kind, fraction, seed, args.serial,
                                               args.more))
                        print(f"{name} {kind} {fraction:.0%} seed {seed}: "
                              f"{time.perf_counter() - t0:.1f}s", flush=True)
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    runs = pd.DataFrame(rows)
    csv_path = args.csv or (Path(args.out).with_suffix(".csv") if args.out else None)
    if csv_path:
        runs.to_csv(csv_path, index=False)
    order = [REFERENCE, "hold-out teacher (80% of L)",
             *methods(100, args.serial, args.more), "SelfTraining"]
    n_configs = len(runs.groupby(["dataset", "model", "fraction", "seed"]))
    text = "\n".join([
        "# Pseudo-label quality benchmark: against the supervised model on every label", "",
        f"Command: `{command}` (wall time {wall / 60:.1f} min on a {os.cpu_count()}-core machine "
        "shared with other jobs; load average (1, 5, 15 min) "
        f"{_load(load_before)} before the run and {_load(load_after)} after it; BLAS/OpenMP "
        "pinned to 1 thread with threadpoolctl; `n_jobs=-1` runs the 5 folds and the refit in "
        f"{_workers()} joblib worker processes, started once before the timed runs).", "",
        f"Settings: {settings}." + (f" Skipped (not installed): {skipped}." if skipped else ""), "",
        f"{n_configs} configurations (data set x model x label fraction x seed). Models: "
        + ", ".join(MODEL_TEXT[m] for m in models) + ". The reference is **the same model "
        f"fitted on every labeled row** (`{REFERENCE}`); `hold-out teacher (80% of L)` is the "
        "five-lines run's teacher, fitted on the labels the hold-out split keeps for training "
        "(the cost of holding out validation). Gains are test-accuracy differences from the reference in points "
        "(\"gain on U\": on the unlabeled pool's hidden labels), averaged over configurations; "
        f"tie = within {TIE * 100:.1f} points, harm = more than {HARM * 100:.0f} point worse, "
        "worst = the lowest single difference. Seconds are per configuration (one `pl.run` or "
        "`fit`).", "",
        _guard_text(runs), "",
        _failures(runs), "",
        "## Every method against the reference", "",
        fmt(summarize(runs, REFERENCE, order, TIE, HARM)), "",
        "## Time: cv=5 refit with n_jobs=-1 against the others", "",
        fmt(time_ratios(runs, CV_METHOD)), "",
        "## Mean gain over the reference (points of test accuracy) by data set, model and fraction", "",
        fmt(by_dataset(runs, REFERENCE, [m for m in order if m != REFERENCE])), "",
    ])
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    print(f"wall time {wall:.0f}s")


if __name__ == "__main__":
    main()
