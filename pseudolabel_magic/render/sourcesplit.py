"""Step 1 of the script as source: bind the frames, name the features, hold out validation.

:func:`emit_split` writes the lines that split the labeled rows the way the run split them
(the given validation frame; the latest rows by ``time_col``; whole groups by
``group_col``; else a seeded, stratified-when-possible split), and :func:`fold_split` the
cross-fitting folds, which the out-of-fold scores of :mod:`.sourcesteps` reuse. Narrated
for ``--explain``, the hold-out is one ``train_test_split`` call or the first fold.
"""

from __future__ import annotations

import numbers
from typing import Any

from .sourcerecipe import Recipe, comment
from .sourcewriter import Writer

#: Train and validation from the split's row positions.
TAKE_POSITIONS = "train, validation = labeled.iloc[np.sort(train_pos)], labeled.iloc[np.sort(val_pos)]"


def emit_split(r: Recipe, w: Writer) -> list[str]:
    """Step 1: bind the frames, name the features, hold out validation (narrated: a fold)."""
    lines = comment(r, "# 1. Split labeled rows into train / validation (validation only scores, never fits)")
    lines += _bind_frames(r)
    lines += [f"target = {r.config.get('target', 'target')!r}", f"features = {_features(r, w)}"]
    if r.splits_unlabeled:
        lines += ["unlabeled = labeled[labeled[target].isna()]  # rows without a label",
                  "labeled = labeled[labeled[target].notna()]"]
    lines += _hold_out(r, w)
    lines.append("X_train, y_train = train[features], train[target]")
    if r.cv is None or r.narrated:
        lines.append("X_val, y_val = validation[features], validation[target]")
    return lines + [""]


def _bind_frames(r: Recipe) -> list[str]:
    names = r.names
    if r.narrated:
        labeled = names.get("labeled", "labeled")
        lines = [f"labeled = {labeled}" if r.splits_unlabeled else
                 f"labeled, unlabeled = {labeled}, {names.get('unlabeled', 'unlabeled')}"]
    else:
        lines = [f"labeled = {names['labeled']}" if "labeled" in names else
                 "# labeled = <your labeled DataFrame>"]
        if "unlabeled" in names:
            lines.append(f"unlabeled = {names['unlabeled']}")
    if r.config.get("validation_given"):
        lines.append(f"validation = {names.get('validation', 'validation')}")
    return lines


def _features(r: Recipe, w: Writer) -> str:
    """The feature list; without one, every column but the target and the split columns."""
    config = r.config
    if config.get("features") is not None:
        return w.value(list(config["features"]))
    skip = [config[k] for k in ("group_col", "time_col", "id_col") if config.get(k) is not None]
    if not skip:
        return "[c for c in labeled.columns if c != target]"
    return f"[c for c in labeled.columns if c not in {w.value([config.get('target', 'target'), *skip])}]"


def _hold_out(r: Recipe, w: Writer) -> list[str]:
    """``train`` and ``validation``: as the run split them (narrated: one fold, or one call)."""
    config, seed, val_size = r.config, r.seed, r.config.get("val_size", 0.2)
    time_col, group_col = config.get("time_col"), config.get("group_col")
    if config.get("validation_given"):
        return ["train = labeled"]
    if r.cv is not None and not r.narrated:
        return ["train = labeled  # the folds below split it; this names the rows the refit fits on"]
    if r.cv is not None:
        return [*fold_split(r, w), "train_pos, val_pos = next(iter(folds))  # the first of the folds",
                TAKE_POSITIONS]
    if r.narrated and time_col is None and group_col is None:
        w.need("sklearn.model_selection", "train_test_split")
        stratify = "labeled[target]" if r.task == "classification" else "None"
        return [(f"train, validation = train_test_split(labeled, test_size={val_size!r}, "
                 f"random_state={seed!r}, stratify={stratify})")]
    lines = [f"n_val = {_n_val_code(val_size)}"]
    if time_col is not None:
        lines += [f"order = np.argsort(labeled[{time_col!r}].to_numpy(), kind='stable')",
                  ("train_pos, val_pos = order[: len(labeled) - n_val], order[len(labeled) - n_val:]"
                   "  # validate on the latest rows")]
    elif group_col is not None:
        w.need("sklearn.model_selection", "GroupShuffleSplit")
        lines += [(f"splitter = GroupShuffleSplit(n_splits=1, test_size={w.value(val_size)}, "
                   f"random_state={seed!r})"),
                  (f"train_pos, val_pos = next(splitter.split(np.arange(len(labeled)), "
                   f"groups=labeled[{group_col!r}].to_numpy()))")]
    else:
        w.need("sklearn.model_selection", "train_test_split")
        lines.append("# (the run keeps identical rows on one side and their twins in the pool out of the "
                     "student, so with duplicate rows its split can differ)")
        if r.task == "classification":
            lines += ["counts = labeled[target].value_counts()  # stratify when every class can be on both sides",
                      ("stratify = labeled[target].to_numpy() if counts.min() >= 2 and "
                       "len(counts) <= n_val <= len(labeled) - len(counts) else None")]
        else:
            lines.append("stratify = None")
        lines.append(f"train_pos, val_pos = train_test_split(np.arange(len(labeled)), test_size=n_val, "
                     f"random_state={seed!r}, stratify=stratify)")
    return lines + [TAKE_POSITIONS]


def fold_split(r: Recipe, w: Writer) -> list[str]:
    """``folds``: the cross-fitting folds, split as the run split them."""
    k, seed, config = r.cv, r.seed, r.config
    if config.get("time_col") is not None:
        w.need("sklearn.model_selection", "TimeSeriesSplit")
        return [f"order = np.argsort(labeled[{config['time_col']!r}].to_numpy(), kind='stable')",
                f"folds = [(order[a], order[b]) for a, b in TimeSeriesSplit(n_splits={k}).split(order)]"]
    if config.get("group_col") is not None:
        kind = "StratifiedGroupKFold" if r.task == "classification" else "GroupKFold"
        w.need("sklearn.model_selection", kind)
        return [(f"folds = {kind}({k}, shuffle=True, random_state={seed!r}).split("
                 f"labeled[features], labeled[target], groups=labeled[{config['group_col']!r}])")]
    kind = "StratifiedKFold" if r.task == "classification" else "KFold"
    w.need("sklearn.model_selection", kind)
    return [f"folds = {kind}({k}, shuffle=True, random_state={seed!r}).split(labeled[features], labeled[target])"]


def _n_val_code(val_size: Any) -> str:
    if isinstance(val_size, numbers.Integral) and not isinstance(val_size, bool):
        return repr(int(val_size))
    return f"int(np.ceil({float(val_size)!r} * len(labeled)))"
