"""Does pseudo-labelling beat the supervised teacher? A fair benchmark on real tabular data.

Run from the repository root::

    python benchmarks/quality.py                      # the README table (about 15 min, 1 core)
    python benchmarks/quality.py --quick              # a smoke run (wine, LR, 1 seed)

Protocol (shared notes, "Fair benchmark protocol"): for each data set and seed a stratified
30% test split that no method sees; of the rest, a stratified ``fraction`` keeps its labels
(at least 3 per class) and the other rows are the unlabeled pool U, whose true labels are
hidden from every method and used only to score. Engine strategies split their labeled rows
into train/validation (val_size=0.2) and never fit on validation; "supervised" is the
engine's teacher (fit on the same train part), "supervised all L" is the same model fit on
every labeled row (the stronger baseline), and SelfTrainingClassifier gets every labeled row
plus U (it has no validation set). "+guard" is the same run with the validation guard: the
teacher's predictions are kept when the student scored lower on validation.

BLAS/OpenMP are pinned to one thread (threadpoolctl) so timings mean the same on a busy box.
Data sets install offline with pip: scikit-learn ships digits, breast_cancer and wine;
statsmodels ships "fair" (6,366 survey rows: did the respondent have an affair?).
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
import pseudolabel_magic.engine as engine  # noqa: E402
from pseudolabel_magic.errors import PseudoLabelError  # noqa: E402
from pseudolabel_magic.strategies import AUTO  # noqa: E402

HERE = Path(__file__).resolve().parent
TIE = 0.005  # |difference| below half a point of accuracy counts as a tie
HARM = 0.01  # more than one point below supervised counts as harm


# -- data ------------------------------------------------------------------------------
def load_dataset(name: str) -> pd.DataFrame | None:
    """A frame with numeric features and a 'target' column, or None when not installed.

    Rows whose features repeat an earlier row are dropped: the engine's leakage check
    (rightly) refuses a validation row identical to a train row, and survey data such as
    "fair" has many exact repeats.
    """
    frame = _load(name)
    if frame is None:
        return None
    features = [c for c in frame.columns if c != "target"]
    return frame.drop_duplicates(subset=features).reset_index(drop=True)


def _load(name: str) -> pd.DataFrame | None:
    from sklearn import datasets

    if name in ("digits", "breast_cancer", "wine", "iris"):
        frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
        frame.columns = [str(c) for c in frame.columns]
        return frame
    if name == "fair":
        try:
            from importlib.resources import files

            path = files("statsmodels.datasets.fair") / "fair.csv"
            frame = pd.read_csv(path)
        except (ImportError, FileNotFoundError, ModuleNotFoundError):
            return None
        frame["target"] = (frame.pop("affairs") > 0).astype(int)
        return frame
    raise ValueError(f"unknown data set {name!r}")


def make_model(kind: str, n_train: int, frame, features, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "lr":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    if kind == "default":  # the engine's own default teacher for this many train rows
        from pseudolabel_magic.models import default_model

        return default_model("classification", frame, features, n_train, seed)
    raise ValueError(kind)


# -- strategies --------------------------------------------------------------------------
def strategies(n_unlabeled: int) -> dict:
    k = max(1, int(round(0.1 * n_unlabeled)))
    return {
        "five lines": dict(select="all"),
        "threshold 0.9": dict(select="threshold", threshold=0.9),
        "k-best 10%": dict(select="k-best", k_best=k),
        "balanced 0.9": dict(select="threshold", threshold=0.9, balance=True),
        "soft": dict(select="all", soft=True),
        "3 rounds 0.9": dict(select="threshold", threshold=0.9, rounds=3),
        "curriculum .99>.9>.8": dict(curriculum=[0.99, 0.9, 0.8]),
        "calibrated 0.9": dict(select="threshold", threshold=0.9, calibrate=True),
        "oof 0.9": dict(select="threshold", threshold=0.9, oof=5),
    }


def accuracy(pred, truth) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(truth)))


def one_config(frame, name, kind, fraction, seed, which):
    """Every method on one (data set, model, fraction, seed); a list of result rows."""
    from sklearn.base import clone
    from sklearn.model_selection import train_test_split
    from sklearn.semi_supervised import SelfTrainingClassifier

    features = [c for c in frame.columns if c != "target"]
    y_all = frame["target"]
    rest, test = train_test_split(frame, test_size=0.3, random_state=seed, stratify=y_all)
    n_classes = y_all.nunique()
    n_lab = max(int(round(fraction * len(rest))), 3 * n_classes)
    lab, unl = train_test_split(rest, train_size=n_lab, random_state=seed, stratify=rest["target"])
    X_test, y_test = test[features], test["target"]
    X_unl, y_unl = unl[features], unl["target"]
    unlabeled = unl.drop(columns="target")
    base = dict(dataset=name, model=kind, fraction=fraction, seed=seed, n_labeled=n_lab,
                n_unlabeled=len(unl))
    n_train_guess = n_lab - int(np.ceil(0.2 * n_lab))
    model = make_model(kind, n_train_guess, frame, features, seed)
    rows = []

    def add(method, pred_unl, pred_test, seconds, n_pseudo=np.nan, **extra):
        rows.append({**base, "method": method, "unlabeled_acc": accuracy(pred_unl, y_unl),
                     "test_acc": accuracy(pred_test, y_test), "n_pseudo": n_pseudo,
                     "seconds": seconds, **extra})

    # supervised on every labeled row (the stronger baseline: no validation held out)
    start = time.perf_counter()
    full = clone(model).fit(lab[features], lab["target"])
    add("supervised all L", full.predict(X_unl), full.predict(X_test), time.perf_counter() - start)

    teacher_done = False
    failed = []
    for method, kwargs in which(len(unl)).items():
        start = time.perf_counter()
        try:
            r = engine.run(lab, unlabeled, target="target", teacher=model, random_state=seed, **kwargs)
        except PseudoLabelError as err:  # e.g. calibration with one train row of a class
            failed.append((method, str(err)))
            continue
        seconds = time.perf_counter() - start
        if not teacher_done:  # the teacher is the same model on the same train rows in every run
            add("supervised", r.teacher.predict(X_unl), r.teacher.predict(X_test),
                r.timings.get("teacher", np.nan), n_pseudo=0)
            teacher_done = True
        val_t = r.metrics.loc["teacher", "accuracy"]
        val_s = r.metrics.loc["student", "accuracy"]
        stu_unl, stu_test = r.student.predict(X_unl), r.student.predict(X_test)
        add(method, stu_unl, stu_test, seconds, n_pseudo=r.n_selected, val_teacher=val_t,
            val_student=val_s, pseudo_acc=accuracy(r.pseudo_labels.loc[r.pseudo_labels["selected"], "pseudo_label"],
                                                   y_unl[r.pseudo_labels["selected"].to_numpy()])
            if r.n_selected else np.nan)
        keep_teacher = val_s < val_t  # the engine's guard rule, applied to the same run
        if keep_teacher:
            g_unl, g_test = r.teacher.predict(X_unl), r.teacher.predict(X_test)
        else:
            g_unl, g_test = stu_unl, stu_test
        add(method + " +guard", g_unl, g_test, seconds, n_pseudo=r.n_selected, guard_used=keep_teacher)

    for method, message in failed:  # the method could not run: the user keeps the teacher
        sup = next(row for row in rows if row["method"] == "supervised")
        for name in (method, method + " +guard"):
            rows.append({**sup, "method": name, "n_pseudo": 0, "error": message})
    # select="auto" itself, through the engine's guard (checks the post-hoc guard above)
    start = time.perf_counter()
    r = engine.run(lab, unlabeled, target="target", teacher=model, random_state=seed, select="auto")
    final = r.teacher if r.guard_used else r.student
    add("auto (engine)", r.predictions["prediction"], final.predict(X_test),
        time.perf_counter() - start, n_pseudo=r.n_selected, guard_used=r.guard_used)

    # scikit-learn's SelfTrainingClassifier, same base model, all labeled rows + U (y = -1)
    # STC turns X into an array, so the default model's by-name ColumnTransformer cannot come
    # along; every feature here is numeric, where that step is a passthrough anyway.
    stc_model = model[-1] if kind == "default" else model
    X_st = pd.concat([lab[features], X_unl])
    y_st = np.concatenate([lab["target"].to_numpy(), np.full(len(X_unl), -1)])
    for thr in (0.75, 0.9):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stc = SelfTrainingClassifier(clone(stc_model), threshold=thr).fit(X_st, y_st)
        add(f"SelfTraining {thr}", stc.predict(X_unl), stc.predict(X_test),
            time.perf_counter() - start, n_pseudo=int((stc.labeled_iter_ > 0).sum()))
    return rows


# -- report ------------------------------------------------------------------------------
def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    keys = ["dataset", "model", "fraction", "seed"]
    sup = runs[runs["method"] == "supervised"].set_index(keys)
    full = runs[runs["method"] == "supervised all L"].set_index(keys)
    out = []
    for method, part in runs.groupby("method", sort=False):
        part = part.set_index(keys)
        d_test = part["test_acc"] - sup["test_acc"].reindex(part.index)
        d_full = part["test_acc"] - full["test_acc"].reindex(part.index)
        d_unl = part["unlabeled_acc"] - sup["unlabeled_acc"].reindex(part.index)
        out.append({
            "method": method,
            "test acc": part["test_acc"].mean(),
            "Δ test vs supervised": d_test.mean(),
            "Δ test vs sup. all L": d_full.mean(),
            "Δ unlabeled vs supervised": d_unl.mean(),
            "win/tie/loss": f"{int((d_test > TIE).sum())}/{int((d_test.abs() <= TIE).sum())}/{int((d_test < -TIE).sum())}",
            "harm rate": float((d_test < -HARM).mean()),
            "worst Δ": d_test.min(),
            "pseudo rows": part["n_pseudo"].mean(),
            "seconds": part["seconds"].mean(),
        })
    return pd.DataFrame(out)


def fmt(frame: pd.DataFrame) -> str:
    def cell(v):
        if isinstance(v, float):
            return "" if np.isnan(v) else f"{v:+.3f}" if abs(v) < 1 and v != 0 and not float(v).is_integer() else f"{v:.3g}"
        return str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    sep = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def summary_table(runs: pd.DataFrame) -> str:
    s = summarize(runs)
    s["test acc"] = s["test acc"].map(lambda v: f"{v:.3f}")
    for col in ("Δ test vs supervised", "Δ test vs sup. all L", "Δ unlabeled vs supervised", "worst Δ"):
        s[col] = s[col].map(lambda v: f"{v:+.3f}")
    s["harm rate"] = s["harm rate"].map(lambda v: f"{v:.0%}")
    s["pseudo rows"] = s["pseudo rows"].map(lambda v: "" if np.isnan(v) else f"{v:.0f}")
    s["seconds"] = s["seconds"].map(lambda v: f"{v:.2f}")
    return fmt(s)


def detail_table(runs: pd.DataFrame, methods) -> str:
    pivot = (runs[runs["method"].isin(methods)]
             .pivot_table(index=["dataset", "model", "fraction", "n_labeled"], columns="method",
                          values="test_acc", aggfunc="mean")
             .reindex(columns=[m for m in methods if m in set(runs["method"])]))
    pivot = pivot.reset_index()
    pivot["n_labeled"] = pivot.groupby(["dataset", "model", "fraction"])["n_labeled"].transform("mean")
    pivot = pivot.drop_duplicates(["dataset", "model", "fraction"])
    pivot["fraction"] = pivot["fraction"].map(lambda v: f"{v:.0%}")
    pivot["n_labeled"] = pivot["n_labeled"].map(lambda v: f"{v:.0f}")
    for col in pivot.columns[4:]:
        pivot[col] = pivot[col].map(lambda v: f"{v:.3f}")
    return fmt(pivot)


def _failures(runs: pd.DataFrame) -> str:
    if "error" not in runs or runs["error"].isna().all():
        return "Every method ran in every configuration."
    bad = runs[runs["error"].notna() & ~runs["method"].str.endswith("+guard")]
    counts = bad.groupby("method").size()
    return ("Methods that refused to run count as the supervised teacher there (what a user "
            "would be left with): " + ", ".join(f"{m} in {n} configuration(s) ({bad[bad['method'] == m]['error'].iloc[0].split(';')[0]})"
                                                for m, n in counts.items()) + ".")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="breast_cancer,wine,digits,fair")
    parser.add_argument("--models", default="lr,default")
    parser.add_argument("--fractions", default="0.01,0.05,0.1")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--default-datasets", default="breast_cancer,wine",
                        help="data sets the (slow) default model runs on at every fraction")
    parser.add_argument("--default-extra", default="digits:0.05,fair:0.05",
                        help="more DATASET:FRACTION pairs for the default model (time budget)")
    parser.add_argument("--out", default=str(HERE / "quality_results.md"))
    parser.add_argument("--csv", default=None,
                        help="every run's row (default: the --out path with .csv)")
    parser.add_argument("--quick", action="store_true", help="wine, LR, 10%%, 1 seed")
    args = parser.parse_args(argv)
    if args.quick:
        args.datasets, args.models, args.fractions, args.seeds = "wine", "lr", "0.1", 1
        args.default_datasets, args.default_extra = "", ""
    command = "python benchmarks/quality.py " + " ".join(argv if argv is not None else sys.argv[1:])
    datasets = args.datasets.split(",")
    models = args.models.split(",")
    fractions = [float(f) for f in args.fractions.split(",")]
    seeds = list(range(args.seeds))
    plan = [(name, kind, f) for name in datasets for kind in models for f in fractions
            if kind != "default" or name in args.default_datasets.split(",")]
    for pair in filter(None, args.default_extra.split(",")):
        name, f = pair.split(":")
        if "default" in models and name in datasets:
            plan.append((name, "default", float(f)))
    settings = (f"datasets={datasets} models={models} fractions={fractions} seeds={seeds} "
                f"default model only on {args.default_datasets or 'none'} (+ {args.default_extra or 'none'}) "
                f"test=30% val_size=0.2 BLAS threads=1 (threadpoolctl) auto={AUTO}")
    print(command.strip(), "\n", settings, flush=True)
    started = time.perf_counter()
    rows, skipped = [], []
    with threadpool_limits(1):
        frames = {}
        for name, kind, fraction in plan:
            if name not in frames:
                frames[name] = load_dataset(name)
                if frames[name] is None:
                    skipped.append(name)
                    print(f"skip {name}: its package is not installed", flush=True)
            if frames[name] is None:
                continue
            for seed in seeds:
                t0 = time.perf_counter()
                rows.extend(one_config(frames[name], name, kind, fraction, seed, strategies))
                print(f"{name} {kind} {fraction:.0%} seed {seed}: {time.perf_counter() - t0:.1f}s",
                      flush=True)
    runs = pd.DataFrame(rows)
    wall = time.perf_counter() - started
    runs.to_csv(args.csv or Path(args.out).with_suffix(".csv"), index=False)
    order = ["supervised", "supervised all L", "five lines", "threshold 0.9", "balanced 0.9",
             "auto (engine)", "oof 0.9 +guard", "SelfTraining 0.75", "SelfTraining 0.9"]
    text = "\n".join([
        "# Pseudo-label quality benchmark", "",
        f"Command: `{command.strip()}` (wall time {wall / 60:.1f} min on a shared 2-core machine, "
        f"BLAS/OpenMP pinned to 1 thread with threadpoolctl).", "",
        f"Settings: {settings}." + (f" Skipped (not installed): {skipped}." if skipped else ""), "",
        f"Each configuration is one (data set, model, label fraction, seed): {len(runs.groupby(['dataset', 'model', 'fraction', 'seed']))} in all. "
        "Models: `lr` = StandardScaler + LogisticRegression, `default` = the engine's default "
        "(RandomForest(200) below 2,000 train rows). Δ are test-accuracy differences averaged "
        "over configurations; win/tie/loss and harm rate compare with `supervised` (the engine's "
        f"teacher on the same train rows): tie = within {TIE:.1%}, harm = more than {HARM:.0%} worse.", "",
        _failures(runs), "",
        "## Every method, all configurations", "", summary_table(runs), "",
        "## Test accuracy by data set, model and label fraction (mean over seeds)", "",
        detail_table(runs, order), "",
    ])
    Path(args.out).write_text(text)
    print(text)
    print(f"wall time {wall:.0f}s")


if __name__ == "__main__":
    main()
