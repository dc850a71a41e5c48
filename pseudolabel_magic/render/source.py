"""A run as plain pandas + scikit-learn code: ``result.to_code()``.

``to_code(config)`` writes a script that reproduces a run from ``result.config`` without
importing this plugin (same split, same fits, same selection, same predictions), so a
student can take the recipe out of the notebook magic and read or change every step.
Values and estimators become source through :mod:`.sourcewriter`; settings the script
cannot repeat exactly are flagged with ``# NOTE:`` lines instead of silently differing.
"""

from __future__ import annotations

import numbers
from typing import Any

from .sourcewriter import _Writer


def _names(config: dict, names: dict | None) -> dict:
    given = dict(config.get("frame_names") or {})
    given.update(names or {})
    return given


def _n_val_code(val_size: Any) -> str:
    if isinstance(val_size, numbers.Integral):
        return repr(int(val_size))
    return f"int(np.ceil({float(val_size)!r} * len(labeled)))"


def to_code(config: dict, names: dict | None = None) -> str:
    """Plain pandas + scikit-learn code that reproduces the run described by ``config``.

    ``config`` is ``result.config``; ``names`` (or ``config["frame_names"]``) maps
    labeled/unlabeled/validation to the notebook expressions that hold the frames.
    """
    w = _Writer()
    names = _names(config, names)
    target = config["target"]
    features = list(config["features"]) if config.get("features") is not None else None
    task = config.get("task", "classification")
    select = config.get("select", "all")
    rounds = int(config.get("rounds", 1))
    seed = config.get("random_state", 0)
    weighted = bool(config.get("soft")) or float(config.get("pseudo_weight", 1.0)) != 1.0
    validation_given = bool(config.get("validation_given"))
    teacher = config.get("teacher")
    student = config.get("student")
    teacher_code = w.value(teacher) if teacher is not None else None
    student_code = w.value(student) if student is not None else teacher_code
    if teacher_code is None:
        raise ValueError("config has no teacher; pass result.config from a finished run")
    need_conf = task == "classification" or select != "all" or config.get("soft")
    calibrate = bool(config.get("calibrate")) and task == "classification"
    curriculum = config.get("curriculum")
    guard = bool(config.get("guard"))
    max_rows = config.get("max_pseudo_rows")
    notes = _notes(config)
    cv = config.get("folds") if config.get("cv") is not None else None
    refit = bool(config.get("refit"))
    recipe = cv is not None or refit  # the recipe becomes a function: fitted per fold, refit

    out: list[str] = []
    add = out.append
    add("# 1. Split labeled rows into train / validation (validation only scores, never fits)")
    if "labeled" in names:
        add(f"labeled = {names['labeled']}")
    else:
        add("# labeled = <your labeled DataFrame>")
    if "unlabeled" in names:
        add(f"unlabeled = {names['unlabeled']}")
    if validation_given:
        add(f"validation = {names.get('validation', 'validation')}")
    add(f"target = {target!r}")
    add(f"features = {w.value(features) if features is not None else '[c for c in labeled.columns if c != target]'}")
    # unknown sources (no names): a separate unlabeled frame unless the config says otherwise
    split_unlabeled = ("labeled" in names and "unlabeled" not in names) or (
        "labeled" not in names and config.get("unlabeled_given") is False)
    if split_unlabeled:
        add("unlabeled = labeled[labeled[target].isna()]  # rows without a label")
        add("labeled = labeled[labeled[target].notna()]")
    if validation_given:
        add("train = labeled")
    elif cv is not None:
        add("train = labeled  # the folds below split it; this names the rows the refit fits on")
    else:
        add(f"n_val = {_n_val_code(config.get('val_size', 0.2))}")
        if config.get("time_col") is not None:
            add(f"order = np.argsort(labeled[{config['time_col']!r}].to_numpy(), kind='stable')")
            add("train_pos, val_pos = order[: len(labeled) - n_val], order[len(labeled) - n_val:]  # validate on the latest rows")
        elif config.get("group_col") is not None:
            w.need("sklearn.model_selection", "GroupShuffleSplit")
            add(f"splitter = GroupShuffleSplit(n_splits=1, test_size={w.value(config.get('val_size', 0.2))}, random_state={seed!r})")
            add(f"train_pos, val_pos = next(splitter.split(np.arange(len(labeled)), groups=labeled[{config['group_col']!r}].to_numpy()))")
        else:
            w.need("sklearn.model_selection", "train_test_split")
            if task == "classification":
                add("counts = labeled[target].value_counts()  # stratify when every class can be on both sides")
                add("stratify = labeled[target].to_numpy() if counts.min() >= 2 and len(counts) <= n_val <= len(labeled) - len(counts) else None")
            else:
                add("stratify = None")
            add(f"train_pos, val_pos = train_test_split(np.arange(len(labeled)), test_size=n_val, random_state={seed!r}, stratify=stratify)")
        add("train, validation = labeled.iloc[np.sort(train_pos)], labeled.iloc[np.sort(val_pos)]")
    add("X_train, y_train = train[features], train[target]")
    if cv is None:
        add("X_val, y_val = validation[features], validation[target]")
    add("")

    headline = config.get("headline") or ("accuracy" if task == "classification" else "r2")
    metric, metric_kw = _METRIC_CODE.get(headline, _METRIC_CODE["accuracy" if task == "classification" else "r2"])
    w.need("sklearn.metrics", metric)
    w.need("sklearn.base", "clone")
    recipe_start = len(out)
    add("# 2. Fit the teacher on train only")
    add(f"teacher = clone({teacher_code}).fit(X_train, y_train)")
    if not recipe:
        add(f"print('teacher validation {headline}:', {metric}(y_val, teacher.predict(X_val){metric_kw}))")
    labeler = "teacher"
    if calibrate:
        w.need("sklearn.calibration", "CalibratedClassifierCV")
        add("# calibrate=True: the pseudo-labels come from a calibrated copy, also fitted on train only")
        add(f"labeler = CalibratedClassifierCV({teacher_code}, "
            "cv=min(3, int(y_train.value_counts().min()))).fit(X_train, y_train)")
        labeler = "labeler"
    add("")

    def score(model: str, frame: str, label: str, conf: str) -> list[str]:
        if task == "classification":
            return [f"proba = {model}.predict_proba({frame})",
                    f"{label} = {model}.classes_[proba.argmax(axis=1)]",
                    f"{conf} = proba.max(axis=1)"]
        lines = [f"{label} = {model}.predict({frame})"]
        if need_conf:
            w.helpers["forest_confidence"] = _FOREST_CONFIDENCE
            lines.append(f"{conf} = forest_confidence({model}, {frame}, y_train.std())")
        else:
            lines.append(f"{conf} = np.full(len({frame}), np.nan)")
        return lines

    def choose(conf: str, labels: str) -> list[str]:
        if select == "threshold" and curriculum is not None and rounds > 1:
            lines = [f"keep = {conf} >= thresholds[min(round_, len(thresholds)) - 1]  # this round's threshold"]
        elif select == "threshold":
            lines = [f"keep = {conf} >= {config['threshold']!r}  # confident rows only"]
        elif select == "k-best":
            lines = [f"keep = np.zeros(len({conf}), dtype=bool)",
                     f"keep[np.argsort(-np.nan_to_num({conf}, nan=-np.inf), kind='stable')[:{int(config['k_best'])}]] = True"]
        else:
            lines = [f"keep = np.ones(len({conf}), dtype=bool)  # every pseudo-label"]
        if config.get("balance") and task == "classification":
            w.helpers["balance_classes"] = _BALANCE
            lines.append(f"keep = balance_classes({labels}, {conf}, keep, y_train.value_counts(normalize=True)) if keep.any() else keep")
        return lines

    y_train_values = "y_train.to_numpy()"
    fit_kw = ""
    if weighted:
        fit_kw = ", sample_weight=weights"
        if hasattr(student, "steps"):
            fit_kw = f", {student.steps[-1][0]}__sample_weight=weights"

    def weights_lines(sel: str) -> list[str]:
        if not weighted:
            return []
        wexpr = f"np.full({sel}.sum(), {float(config.get('pseudo_weight', 1.0))!r})"
        if config.get("soft"):
            wexpr += f" * np.nan_to_num(confidence[{sel}], nan=1.0)"
        return [f"weights = np.concatenate([np.ones(len(X_train)), {wexpr}])"]

    def cap_lines(new: str, taken: str, round_: str) -> list[str]:
        """max_pseudo_rows: at most that many rows in all, sampled with the seed when more pass."""
        rng = (f"np.random.default_rng([{int(seed)}, {round_}])" if isinstance(seed, numbers.Integral)
               else "np.random.default_rng()")
        return [f"new = {new}",
                f"room = {int(max_rows)} - int({taken})  # max_pseudo_rows",
                "if len(new) > room:  # sampled with the seed, one generator per round",
                f"    new = np.sort({rng}.choice(new, size=max(room, 0), replace=False))"]

    X_unl = "unlabeled[features]"
    if rounds == 1:
        add("# 3. Pseudo-label the unlabeled rows with the teacher")
        out.extend(score(labeler, X_unl, "pseudo", "confidence"))
        out.extend(choose("confidence", "pseudo"))
        if max_rows is not None:
            out.extend(cap_lines("np.flatnonzero(keep)", "0", "1"))
            add("keep = np.zeros(len(keep), dtype=bool)")
            add("keep[new] = True")
        add("")
        add("# 4. Combine train + the selected pseudo-labelled rows")
        add("X_student = pd.concat([X_train, unlabeled[features][keep]], ignore_index=True)")
        add(f"y_student = np.concatenate([{y_train_values}, pseudo[keep]])")
        out.extend(weights_lines("keep"))
        add("")
        add("# 5. Fit the student, score it on the same validation rows, predict")
        add(f"student = clone({student_code}).fit(X_student, y_student{fit_kw})")
    else:
        add(f"# 3-5. {rounds} rounds: the teacher labels, the student learns; the student teaches the next round")
        add(f"model = {labeler}")
        if curriculum is not None and select == "threshold":
            add(f"thresholds = {w.value([float(t) for t in curriculum])}  # curriculum: one threshold per round, relaxing")
        add("selected = np.zeros(len(unlabeled), dtype=bool)")
        add("pseudo = np.empty(len(unlabeled), dtype=object)")
        add("confidence = np.full(len(unlabeled), np.nan)")
        add(f"for round_ in range(1, {rounds + 1}):")
        body = ["pool = np.flatnonzero(~selected)  # rows not pseudo-labelled yet",
                "if len(pool) == 0:",
                "    break"]
        if calibrate:
            cal_kw = ", sample_weight=weights" if weighted else ""
            body += ["if round_ > 1:  # calibrate=True: a calibrated copy of the last student labels",
                     (f"    model = CalibratedClassifierCV({student_code}, cv=min(3, int(pd.Series(y_student)"
                     f".value_counts().min()))).fit(X_student, y_student{cal_kw})")]
        body += score("model", "unlabeled[features].iloc[pool]", "labels", "conf")
        body += ["pseudo[pool], confidence[pool] = labels, conf"]
        body += choose("conf", "labels")
        if max_rows is not None:
            body += cap_lines("pool[keep]", "selected.sum()", "round_")
        else:
            body += ["new = pool[keep]"]
        body += ["if round_ > 1 and len(new) == 0:",
                 "    break  # nothing new: the last student stays",
                 "selected[new] = True",
                 "X_student = pd.concat([X_train, unlabeled[features][selected]], ignore_index=True)",
                 f"y_student = np.concatenate([{y_train_values}, pseudo[selected]])"]
        if task == "classification":
            body.append("y_student = y_student.astype(np.asarray(y_train).dtype) "
                        "if y_train.dtype.kind in 'iufb' else y_student")
        body += weights_lines("selected")
        body += [f"model = student = clone({student_code}).fit(X_student, y_student{fit_kw})"]
        out.extend("    " + line for line in body)
    final = "student"
    lower = headline in ("log_loss", "mae", "rmse")
    worse = ">=" if lower else "<="  # a tie keeps the teacher
    if recipe:
        body = out[recipe_start:]
        del out[recipe_start:]
        add("# 2-5. The recipe as a function: the scores fit it without the rows they score, "
            "the refit on every label")
        add("def fit_recipe(X_train, y_train):")
        out.extend(("    " + line) if line else "" for line in body)
        add("    return teacher, student")
        add("")
        if cv is not None:
            out.extend(_fold_lines(w, config, cv, seed, task))
            add(f"print('out-of-fold {headline}: teacher', {metric}(labeled_scored[target], oof['teacher']{metric_kw}), "
                f"'student', {metric}(labeled_scored[target], oof['student']{metric_kw}))")
            scores = (f"{metric}(labeled_scored[target], oof['student']{metric_kw}) {worse} "
                      f"{metric}(labeled_scored[target], oof['teacher']{metric_kw})")
        else:
            add("teacher, student = fit_recipe(X_train, y_train)")
            add(f"print('validation {headline}: teacher', {metric}(y_val, teacher.predict(X_val){metric_kw}), "
                f"'student', {metric}(y_val, student.predict(X_val){metric_kw}))")
            scores = (f"{metric}(y_val, student.predict(X_val){metric_kw}) {worse} "
                      f"{metric}(y_val, teacher.predict(X_val){metric_kw})")
        if guard:
            add("# guard=True: keep the teacher's predictions when the student scored worse")
            add(f"keep_teacher = {scores}")
        if refit:
            add("")
            add("# 6. Refit teacher and student on every labeled row (the scores above were taken before it)")
            add("teacher, student = fit_recipe(labeled[features], labeled[target])")
        elif cv is not None:
            w.helpers["FoldMean"] = _FOLD_MEAN
            add("# refit=False: the fold models together, as one model each")
            add("teacher, student = FoldMean(fold_models['teacher']), FoldMean(fold_models['student'])")
        if guard:
            add("final = teacher if keep_teacher else student")
            final = "final"
    else:
        add(f"print('student validation {headline}:', {metric}(y_val, student.predict(X_val){metric_kw}))")
        if guard:
            add("# guard=True: keep the teacher's predictions when the student does not score higher on validation")
            add(f"final = teacher if {metric}(y_val, student.predict(X_val){metric_kw}) {worse} "
                f"{metric}(y_val, teacher.predict(X_val){metric_kw}) else student")
            final = "final"
    out.extend(score(final, X_unl, "prediction", "prediction_confidence"))
    add("predictions = pd.DataFrame({'prediction': prediction, 'confidence': prediction_confidence}, index=unlabeled.index)")

    head = [*notes, "# Pseudo-labeling (teacher -> student) in plain pandas + scikit-learn.",
            "import numpy as np", "import pandas as pd", *w.import_lines()]
    if "labeled" not in names:
        head.insert(1, "# Before running, bind your frames: labeled = ..., unlabeled = ...")
    helpers = [src.rstrip() + "\n" for src in w.helpers.values()]
    return "\n".join(head) + "\n\n" + ("\n\n".join(helpers) + "\n\n" if helpers else "") + "\n".join(out) + "\n"


#: The headline metric as scikit-learn code: (function, extra keyword arguments).
_METRIC_CODE = {
    "accuracy": ("accuracy_score", ""),
    "balanced_accuracy": ("balanced_accuracy_score", ""),
    "f1_macro": ("f1_score", ", average='macro'"),
    "r2": ("r2_score", ""),
    "mae": ("mean_absolute_error", ""),
    "rmse": ("root_mean_squared_error", ""),
}


def _fold_lines(w, config: dict, k: int, seed, task: str) -> list[str]:
    """Cross-fitting: each fold's rows scored by the recipe fitted without them."""
    classes = task == "classification"
    if config.get("time_col") is not None:
        w.need("sklearn.model_selection", "TimeSeriesSplit")
        order = f"np.argsort(labeled[{config['time_col']!r}].to_numpy(), kind='stable')"
        split = [f"order = {order}",
                 f"folds = [(order[a], order[b]) for a, b in TimeSeriesSplit(n_splits={k}).split(order)]"]
    elif config.get("group_col") is not None:
        kind = "StratifiedGroupKFold" if classes else "GroupKFold"
        w.need("sklearn.model_selection", kind)
        split = [(f"folds = {kind}({k}, shuffle=True, random_state={seed!r}).split("
                 f"labeled[features], labeled[target], groups=labeled[{config['group_col']!r}])")]
    else:
        kind = "StratifiedKFold" if classes else "KFold"
        w.need("sklearn.model_selection", kind)
        split = [f"folds = {kind}({k}, shuffle=True, random_state={seed!r}).split(labeled[features], labeled[target])"]
    return [
        f"# 1b. Cross-fit: {k} folds; each fold's rows are scored by a recipe fitted without them",
        "# (the run keeps identical rows in one fold, so with duplicate rows its folds can differ)",
        *split,
        ("oof = {'teacher': pd.Series(index=labeled.index, dtype=object), "
        "'student': pd.Series(index=labeled.index, dtype=object)}"),
        "fold_models = {'teacher': [], 'student': []}",
        "for train_pos, val_pos in folds:",
        "    fold_train, fold_val = labeled.iloc[np.sort(train_pos)], labeled.iloc[np.sort(val_pos)]",
        "    fold_teacher, fold_student = fit_recipe(fold_train[features], fold_train[target])",
        "    for role, model in (('teacher', fold_teacher), ('student', fold_student)):",
        "        oof[role].loc[fold_val.index] = model.predict(fold_val[features])",
        "        fold_models[role].append(model)",
        "scored = oof['teacher'].notna()  # rows a fold scored (all, unless folds follow time)",
        "oof = {role: pred[scored].to_numpy().astype(np.asarray(labeled[target]).dtype) for role, pred in oof.items()}",
        "labeled_scored = labeled[scored]",
    ]


_FOLD_MEAN = '''class FoldMean:
    """The fold models as one: mean class probabilities (or mean predictions)."""

    def __init__(self, models):
        self.models = models
        self.classes_ = getattr(models[0], "classes_", None)

    def predict_proba(self, X):
        return np.mean([m.predict_proba(X) for m in self.models], axis=0)

    def predict(self, X):
        if self.classes_ is not None:
            return self.classes_[self.predict_proba(X).argmax(axis=1)]
        return np.mean([m.predict(X) for m in self.models], axis=0)
'''


def _notes(config: dict) -> list[str]:
    """``# NOTE:`` lines for the settings the script does not reproduce exactly."""
    notes = []
    oof = config.get("oof")
    if oof not in (None, False, 0):
        k = 5 if oof is True else int(oof)
        notes.append(f"# NOTE: oof={k} is not reproduced here; the run pseudo-labelled with the mean of "
                     f"{k} out-of-fold teachers, this code labels with one teacher, so its "
                     "pseudo-labels and predictions can differ.")
    if config.get("unlabeled_is_dask"):
        notes.append("# NOTE: unlabeled was a Dask DataFrame; this code is not the partition-wise run "
                     "(its default row cap, partial_fit students) and needs a pandas frame: "
                     "unlabeled = unlabeled.compute() if it fits in memory.")
    seed = config.get("random_state")
    if config.get("max_pseudo_rows") is not None and not isinstance(seed, numbers.Integral):
        notes.append(f"# NOTE: max_pseudo_rows with random_state={seed!r} is not reproduced here; the "
                     "run sampled the capped rows at random, pass an int random_state to repeat it.")
    if config.get("calibrate") and config.get("task") == "regression":
        notes.append("# NOTE: calibrate=True is for classification only and is not reproduced here.")
    return notes


_FOREST_CONFIDENCE = '''def forest_confidence(model, X, scale):
    """1 / (1 + spread / scale): how much a forest's trees agree on each row."""
    final = model[-1] if hasattr(model, "steps") else model
    members = getattr(final, "estimators_", None)
    if not isinstance(members, list) or not members:
        return np.full(len(X), np.nan)
    Xt = model[:-1].transform(X) if hasattr(model, "steps") and len(model.steps) > 1 else X
    spread = np.stack([m.predict(np.asarray(Xt, dtype="float32")) for m in members]).std(axis=0)
    return 1.0 / (1.0 + spread / (scale if scale > 0 else 1.0))
'''

_BALANCE = '''def balance_classes(labels, confidence, keep, prior):
    """Keep the most confident rows per class so the classes follow the train mix."""
    prior = prior[prior > 0] / prior[prior > 0].sum()
    available = pd.Series(labels[keep]).value_counts()
    shares = {c: prior[c] for c in prior.index if available.get(c, 0) > 0}
    out = np.zeros(len(labels), dtype=bool)
    if not shares:
        return out
    total = min(available[c] / share for c, share in shares.items())
    for cls, share in shares.items():
        quota = int(np.floor(total * share + 1e-9))
        rows = np.flatnonzero(keep & (labels == cls))
        order = np.argsort(-np.nan_to_num(confidence[rows], nan=-np.inf), kind="stable")
        out[rows[order[:quota]]] = True
    return out
'''
