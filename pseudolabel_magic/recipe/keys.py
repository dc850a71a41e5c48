"""The vocabulary of a ``%%pseudolabel`` cell: every key, how its value is read, its help line.

Parsing the body, resolving values in the notebook, building the ``--key`` line flags and
writing the ``%pseudolabel?`` help all read this one table, so adding a key (or an alias)
happens here and nowhere else. It imports nothing heavy, so ``%load_ext`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import did_you_mean

#: How a key's value is read.
FRAME = "frame"  # an expression that must give a DataFrame
EXPR = "expr"  # any Python expression
BOOL = "bool"  # true/false/yes/no, or an expression giving a bool
COLUMN = "column"  # one column name, as written
COLUMNS = "columns"  # a comma list of column names (or a Python list expression)
WORD = "word"  # a bare word such as ``threshold``


@dataclass(frozen=True)
class KeySpec:
    """One key of the cell: how its value is read and the help line shown by ``%pseudolabel?``."""

    name: str
    kind: str
    help: str
    metavar: str = "VALUE"


#: Every key of the cell body, in the order the help text lists them.
KEYS: dict[str, KeySpec] = {
    spec.name: spec
    for spec in (
        KeySpec("labeled", FRAME, "DataFrame of rows with a known target", "DF"),
        KeySpec("unlabeled", FRAME, "DataFrame of rows to pseudo-label", "DF"),
        KeySpec("validation", FRAME, "held-out labeled DataFrame (else split from labeled)", "DF"),
        KeySpec("target", COLUMN, "name of the target column", "COLUMN"),
        KeySpec("task", WORD, "classification or regression (default: from the teacher, else "
                "guessed from the target; the result says which and why)", "TASK"),
        KeySpec("features", COLUMNS, "feature columns, comma separated (default: all others)", "COLS"),
        KeySpec("teacher", EXPR, "estimator expression for the teacher", "EXPR"),
        KeySpec("student", EXPR, "estimator expression for the student (default: like teacher)", "EXPR"),
        KeySpec("sample_weight", EXPR, "one weight per labeled row, e.g. train_df['w'] (rows "
                "without a target are ignored)", "EXPR"),
        KeySpec("select", WORD, "which pseudo-labels to keep: all, threshold, k-best or auto "
                "(the benchmark's best strategy, with the guard on)", "RULE"),
        KeySpec("threshold", EXPR, "minimum teacher confidence with select threshold", "P"),
        KeySpec("k_best", EXPR, "number of most confident rows per round with select k-best", "K"),
        KeySpec("rounds", EXPR, "teacher/student rounds (the student teaches the next round)", "N"),
        KeySpec("balance", BOOL, "keep the class balance of the labeled rows among pseudo-labels", "BOOL"),
        KeySpec("soft", BOOL, "weight pseudo-labels by teacher confidence", "BOOL"),
        KeySpec("pseudo_weight", EXPR, "sample weight of pseudo-labeled rows", "W"),
        KeySpec("calibrate", BOOL, "pseudo-label with a CalibratedClassifierCV fitted on train only", "BOOL"),
        KeySpec("oof", EXPR, "pseudo-label with the mean of k out-of-fold teachers (true = 5)", "K"),
        KeySpec("guard", BOOL, "keep the teacher's predictions unless the student scores higher on "
                "validation (default: on with select auto)", "BOOL"),
        KeySpec("curriculum", EXPR, "one threshold per round, relaxing, e.g. [0.99, 0.9, 0.8]", "LIST"),
        KeySpec("max_pseudo_rows", EXPR, "at most this many pseudo-labelled rows (sampled with the seed)", "N"),
        KeySpec("n_jobs", EXPR, "n_jobs set on the models that take it", "N"),
        KeySpec("val_size", EXPR, "fraction of labeled rows held out for validation", "FRAC"),
        KeySpec("cv", EXPR, "cross-fit: number of folds (or a splitter such as "
                "StratifiedKFold(5)); every labeled row scores once, out of fold", "K"),
        KeySpec("refit", BOOL, "after scoring, refit teacher and student on every labeled row "
                "(default: on with cv)", "BOOL"),
        KeySpec("scoring", WORD, "metric of the verdict and the guard, e.g. balanced_accuracy "
                "(default: accuracy, balanced accuracy when classes are imbalanced, r2)", "METRIC"),
        KeySpec("group_col", COLUMN, "column of groups kept on one side of the split", "COLUMN"),
        KeySpec("time_col", COLUMN, "column of times: validate on the latest rows", "COLUMN"),
        KeySpec("id_col", COLUMN, "column of row ids, checked for overlap between frames", "COLUMN"),
        KeySpec("seed", EXPR, "random seed (the engine's random_state)", "INT"),
        KeySpec("allow_leakage", BOOL, "run even when a leakage check fails", "BOOL"),
    )
}

#: The keys that name a frame (a notebook variable holding a DataFrame).
FRAME_ROLES = tuple(key for key, spec in KEYS.items() if spec.kind == FRAME)

#: Other spellings accepted for a key.
ALIASES = {"random_state": "seed"}

#: Keys a run cannot do without.
REQUIRED = ("labeled", "target")

#: Cell key -> keyword of ``pseudolabel_magic.core.engine.run``.
RUN_NAME = {name: name for name in KEYS} | {"seed": "random_state"}

#: EXPR keys that also take the words true/false (``oof: true`` means 5 folds).
BOOL_OR_EXPR = ("oof",)


def normalize_key(name: str) -> str:
    """``k-best``, ``K_Best`` and ``k_best`` are the same key; aliases map to their key."""
    key = name.strip().lower().replace("-", "_")
    return ALIASES.get(key, key)


def unknown_key_message(name: str, where: str) -> str:
    hint = did_you_mean(normalize_key(name), KEYS) or (
        " Keys are: " + ", ".join(KEYS) + "."
    )
    return f"{where}: unknown key {name!r}.{hint}"


def example(key: str) -> str:
    return {
        "labeled": "train_df",
        "unlabeled": "test_df",
        "validation": "val_df",
        "target": "label",
        "features": "a, b, c",
        "teacher": "LogisticRegression(max_iter=1000)",
        "student": "HistGradientBoostingClassifier()",
        "select": "threshold",
        "task": "regression",
        "sample_weight": "train_df['w']",
        "threshold": "0.9",
        "k_best": "100",
        "rounds": "3",
        "pseudo_weight": "0.5",
        "oof": "5",
        "curriculum": "[0.99, 0.9, 0.8]",
        "max_pseudo_rows": "10000",
        "n_jobs": "-1",
        "val_size": "0.2",
        "seed": "0",
    }.get(key, "true" if KEYS[key].kind == BOOL else "column_name")
