"""Steps 2-5 and the predictions as source: one emitter per part of the script.

Each emitter takes a :class:`~.sourcerecipe.Recipe` and a :class:`~.sourcewriter.Writer` (which
collects the imports and copied helpers) and returns its part's lines: the teacher, the
pseudo-labels (the selection rule, the class balance, the row cap; with rounds, the loop
starts there), the combined rows, the student, then the scores, the guard, the refit and
the final predictions. :data:`EMITTERS` maps every part of :data:`.source.PARTS`, step 1's
:func:`~.sourcesplit.emit_split` included, to its emitter.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

from .sourcerecipe import Recipe, comment, config_value
from .sourcesplit import emit_split, fold_split
from .sourcewriter import Writer

#: The headline metric as scikit-learn code: (function, extra keyword arguments).
_METRIC_CODE = {
    "accuracy": ("accuracy_score", ""),
    "balanced_accuracy": ("balanced_accuracy_score", ""),
    "f1_macro": ("f1_score", ", average='macro'"),
    "r2": ("r2_score", ""),
    "mae": ("mean_absolute_error", ""),
    "rmse": ("root_mean_squared_error", ""),
}

_X_UNLABELED = "unlabeled[features]"


# -- one emitter per part -------------------------------------------------------------------
def _teacher(r: Recipe, w: Writer) -> list[str]:
    """Step 2: fit the teacher on train (and, calibrated, the copy that labels)."""
    metric, kw = _metric(r, w)
    w.need("sklearn.base", "clone")
    teacher = r.model_code(w, "teacher")
    lines = [*comment(r, "# 2. Fit the teacher on train only"),
             f"teacher = clone({teacher}).fit(X_train, y_train)"]
    if not r.wrapped:
        lines.append(f"print('teacher validation {r.headline}:', {metric}(y_val, teacher.predict(X_val){kw}))")
    if r.calibrate:
        w.need("sklearn.calibration", "CalibratedClassifierCV")
        lines += ["# calibrate=True: the pseudo-labels come from a calibrated copy, also fitted on train only",
                  (f"labeler = CalibratedClassifierCV({teacher}, "
                   "cv=min(3, int(y_train.value_counts().min()))).fit(X_train, y_train)")]
    return lines + [""]


def _pseudo_label(r: Recipe, w: Writer) -> list[str]:
    """Step 3: label the unlabeled rows and keep some; with rounds, the loop starts here."""
    if r.narrated:
        return _narrated_pseudo_label(r)
    if r.rounds > 1:
        return _rounds_head(r, w) + indent(_round_pseudo_label(r, w))
    lines = ["# 3. Pseudo-label the unlabeled rows with the teacher",
             *_score(r, w, r.labeler, _X_UNLABELED, "pseudo", "confidence"),
             *_choose(r, w, "confidence", "pseudo")]
    if r.max_rows is not None:
        lines += [*_cap(r, "np.flatnonzero(keep)", "0", "1"),
                  "keep = np.zeros(len(keep), dtype=bool)", "keep[new] = True"]
    return lines + [""]


def _combine(r: Recipe, w: Writer) -> list[str]:
    """Step 4: train rows + the kept pseudo-labelled rows (in a round: all kept so far)."""
    if r.rounds == 1:
        return [*comment(r, "# 4. Combine train + the selected pseudo-labelled rows"),
                "X_student = pd.concat([X_train, unlabeled[features][keep]], ignore_index=True)",
                "y_student = np.concatenate([y_train.to_numpy(), pseudo[keep]])",
                *_weights(r, "keep"), ""]
    lines = ["X_student = pd.concat([X_train, unlabeled[features][selected]], ignore_index=True)",
             "y_student = np.concatenate([y_train.to_numpy(), pseudo[selected]])"]
    if r.task == "classification":
        lines.append("y_student = y_student.astype(np.asarray(y_train).dtype) "
                     "if y_train.dtype.kind in 'iufb' else y_student")
    return indent(lines + _weights(r, "selected"))


def _student(r: Recipe, w: Writer) -> list[str]:
    """Step 5: fit the student on the combined rows (in a round: it labels the next one)."""
    w.need("sklearn.base", "clone")
    fit = f"clone({r.model_code(w, 'student')}).fit(X_student, y_student{r.fit_kw})"
    if r.rounds > 1:
        return indent([f"model = student = {fit}"])
    return [*comment(r, "# 5. Fit the student, score it on the same validation rows, predict"),
            f"student = {fit}"]


def _predict(r: Recipe, w: Writer) -> list[str]:
    """Then: score teacher and student, keep the better under the guard, refit, predict."""
    lines = _scores_out_of_fold(r, w) if r.wrapped else _scores_on_validation(r, w)
    final = "final" if r.guard else "student"
    return [*lines, *_score(r, w, final, _X_UNLABELED, "prediction", "prediction_confidence"),
            ("predictions = pd.DataFrame({'prediction': prediction, 'confidence': prediction_confidence}, "
             "index=unlabeled.index)")]


EMITTERS: dict[str, Callable[[Recipe, Writer], list[str]]] = {
    "split": emit_split, "teacher": _teacher, "pseudo_label": _pseudo_label, "combine": _combine,
    "student": _student, "predict": _predict,
}


# -- step 3 ---------------------------------------------------------------------------------
def _narrated_pseudo_label(r: Recipe) -> list[str]:
    """The teacher's labels and the rule's ``keep``, written on the probabilities."""
    if r.task == "regression":
        return ["pseudo = teacher.predict(unlabeled[features])", "keep = np.ones(len(pseudo), dtype=bool)"]
    threshold, k_best = r.config.get("threshold"), r.config.get("k_best")
    lines = ["proba = teacher.predict_proba(unlabeled[features])",
             "pseudo = teacher.classes_[proba.argmax(axis=1)]"]
    if r.select == "threshold":
        return lines + [f"keep = proba.max(axis=1) >= {threshold!r}"]
    if r.select == "k-best":
        return lines + ["keep = np.zeros(len(proba), dtype=bool)",
                        f"keep[np.argsort(-proba.max(axis=1))[:{k_best!r}]] = True"]
    return lines + ["keep = np.ones(len(proba), dtype=bool)"]


def _rounds_head(r: Recipe, w: Writer) -> list[str]:
    lines = [f"# 3-5. {r.rounds} rounds: the teacher labels, the student learns; the student teaches the next round",
             f"model = {r.labeler}"]
    curriculum = r.config.get("curriculum")
    if curriculum is not None and r.select == "threshold":
        lines.append(f"thresholds = {w.value([float(t) for t in curriculum])}  # curriculum: one threshold per round, relaxing")
    return lines + ["selected = np.zeros(len(unlabeled), dtype=bool)",
                    "pseudo = np.empty(len(unlabeled), dtype=object)",
                    "confidence = np.full(len(unlabeled), np.nan)",
                    f"for round_ in range(1, {r.rounds + 1}):"]


def _round_pseudo_label(r: Recipe, w: Writer) -> list[str]:
    """One round's labels for the rows not pseudo-labelled yet, and the new rows kept."""
    body = ["pool = np.flatnonzero(~selected)  # rows not pseudo-labelled yet", "if len(pool) == 0:", "    break"]
    if r.calibrate:
        cal_kw = ", sample_weight=weights" if r.weighted else ""
        body += ["if round_ > 1:  # calibrate=True: a calibrated copy of the last student labels",
                 (f"    model = CalibratedClassifierCV({r.model_code(w, 'student')}, cv=min(3, int(pd.Series(y_student)"
                  f".value_counts().min()))).fit(X_student, y_student{cal_kw})")]
    body += [*_score(r, w, "model", "unlabeled[features].iloc[pool]", "labels", "conf"),
             "pseudo[pool], confidence[pool] = labels, conf", *_choose(r, w, "conf", "labels")]
    body += _cap(r, "pool[keep]", "selected.sum()", "round_") if r.max_rows is not None else ["new = pool[keep]"]
    return body + ["if round_ > 1 and len(new) == 0:", "    break  # nothing new: the last student stays",
                   "selected[new] = True"]


def _score(r: Recipe, w: Writer, model: str, frame: str, label: str, conf: str) -> list[str]:
    """``label`` and ``conf`` of ``model`` on ``frame``: the class and its probability, or
    the prediction and how much a forest's trees agree on it."""
    if r.task == "classification":
        return [f"proba = {model}.predict_proba({frame})",
                f"{label} = {model}.classes_[proba.argmax(axis=1)]",
                f"{conf} = proba.max(axis=1)"]
    lines = [f"{label} = {model}.predict({frame})"]
    if r.forest_confidence:
        lines.append(f"{conf} = {_forest_confidence(r, w)}({model}, {frame}, y_train.std())")
    else:
        lines.append(f"{conf} = np.full(len({frame}), np.nan)")
    return lines


def _choose(r: Recipe, w: Writer, conf: str, labels: str) -> list[str]:
    """``keep``: the selection rule over ``conf`` (then the class balance over ``labels``)."""
    config = r.config
    if r.select == "threshold" and config.get("curriculum") is not None and r.rounds > 1:
        lines = [f"keep = {conf} >= thresholds[min(round_, len(thresholds)) - 1]  # this round's threshold"]
    elif r.select == "threshold":
        lines = [f"keep = {conf} >= {config['threshold']!r}  # confident rows only"]
    elif r.select == "k-best":
        lines = [f"keep = np.zeros(len({conf}), dtype=bool)",
                 f"keep[np.argsort(-np.nan_to_num({conf}, nan=-np.inf), kind='stable')[:{int(config['k_best'])}]] = True"]
    else:
        lines = [f"keep = np.ones(len({conf}), dtype=bool)  # every pseudo-label"]
    if r.balance:
        if r.balance_classes is None:
            raise ValueError("the run balanced the classes: pass balance_classes, the engine's function")
        balance = w.copy_function(r.balance_classes)
        lines.append(f"keep = {balance}({labels}, {conf}, keep, y_train.value_counts(normalize=True), "
                     "np.ones(len(keep), dtype=bool)) if keep.any() else keep")
    return lines


def _cap(r: Recipe, new: str, taken: str, round_: str) -> list[str]:
    """max_pseudo_rows: at most that many rows in all, sampled with the seed when more pass."""
    rng = (f"np.random.default_rng([{int(r.seed)}, {round_}])" if isinstance(r.seed, numbers.Integral)
           else "np.random.default_rng()")
    return [f"new = {new}",
            f"room = {int(r.max_rows)} - int({taken})  # max_pseudo_rows",
            "if len(new) > room:  # sampled with the seed, one generator per round",
            f"    new = np.sort({rng}.choice(new, size=max(room, 0), replace=False))"]


def _forest_confidence(r: Recipe, w: Writer) -> str:
    """The name of the script's ``forest_confidence`` helper, copied in with its spread."""
    if r.ensemble_spread is None:
        raise ValueError("the run ranked regression rows by confidence: pass ensemble_spread, "
                         "the engine's function")
    spread = w.copy_function(r.ensemble_spread)
    w.helpers["forest_confidence"] = _FOREST_CONFIDENCE.format(spread=spread)
    return "forest_confidence"


# -- step 4 ---------------------------------------------------------------------------------
def _weights(r: Recipe, kept: str) -> list[str]:
    if not r.weighted:
        return []
    weights = f"np.full({kept}.sum(), {float(config_value(r.config, 'pseudo_weight', 1.0))!r})"
    if r.config.get("soft"):
        weights += f" * np.nan_to_num(confidence[{kept}], nan=1.0)"
    return [f"weights = np.concatenate([np.ones(len(X_train)), {weights}])"]


# -- predict: the scores, the guard, the refit ----------------------------------------------
def _scores_on_validation(r: Recipe, w: Writer) -> list[str]:
    metric, kw = _metric(r, w)
    lines = [f"print('student validation {r.headline}:', {metric}(y_val, student.predict(X_val){kw}))"]
    if r.guard:
        lines += ["# guard=True: keep the teacher's predictions when the student does not score higher on validation",
                  (f"final = teacher if {metric}(y_val, student.predict(X_val){kw}) {_worse(r)} "
                   f"{metric}(y_val, teacher.predict(X_val){kw}) else student")]
    return lines


def _scores_out_of_fold(r: Recipe, w: Writer) -> list[str]:
    """After ``fit_recipe``: the fold scores (or the validation ones), guard, then the refit."""
    metric, kw = _metric(r, w)
    if r.cv is not None:
        y, teacher, student = "labeled_scored[target]", "oof['teacher']", "oof['student']"
        lines = [*_fold_lines(r, w), (f"print('out-of-fold {r.headline}: teacher', {metric}({y}, {teacher}{kw}), "
                                      f"'student', {metric}({y}, {student}{kw}))")]
    else:
        y, teacher, student = "y_val", "teacher.predict(X_val)", "student.predict(X_val)"
        lines = ["teacher, student = fit_recipe(X_train, y_train)",
                 (f"print('validation {r.headline}: teacher', {metric}({y}, {teacher}{kw}), "
                  f"'student', {metric}({y}, {student}{kw}))")]
    if r.guard:
        lines += ["# guard=True: keep the teacher's predictions when the student scored worse",
                  f"keep_teacher = {metric}({y}, {student}{kw}) {_worse(r)} {metric}({y}, {teacher}{kw})"]
    if r.refit:
        lines += ["", "# 6. Refit teacher and student on every labeled row (the scores above were taken before it)",
                  "teacher, student = fit_recipe(labeled[features], labeled[target])"]
    elif r.cv is not None:
        w.helpers["FoldMean"] = _FOLD_MEAN
        lines += ["# refit=False: the fold models together, as one model each",
                  "teacher, student = FoldMean(fold_models['teacher']), FoldMean(fold_models['student'])"]
    if r.guard:
        lines.append("final = teacher if keep_teacher else student")
    return lines


def _fold_lines(r: Recipe, w: Writer) -> list[str]:
    """Cross-fitting: each fold's rows scored by the recipe fitted without them."""
    return [
        f"# 1b. Cross-fit: {r.cv} folds; each fold's rows are scored by a recipe fitted without them",
        "# (the run keeps identical rows in one fold, so with duplicate rows its folds can differ)",
        *fold_split(r, w),
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


def _metric(r: Recipe, w: Writer) -> tuple[str, str]:
    """The headline metric's scikit-learn function (imported) and its extra arguments."""
    default = "accuracy" if r.task == "classification" else "r2"
    metric, kw = _METRIC_CODE.get(r.headline, _METRIC_CODE[default])
    w.need("sklearn.metrics", metric)
    return metric, kw


def _worse(r: Recipe) -> str:
    """The comparison under which the student did not beat the teacher (a tie keeps the teacher)."""
    return ">=" if r.headline in ("log_loss", "mae", "rmse") else "<="


# -- text -----------------------------------------------------------------------------------
def indent(lines: list[str]) -> list[str]:
    """``lines`` one level (four spaces) deeper; blank lines stay blank."""
    return [("    " + line) if line else "" for line in lines]


#: The fold models of ``refit=False`` as one model (the run predicts with their mean).
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

#: A regression row's confidence from the spread the engine's function measures.
_FOREST_CONFIDENCE = '''def forest_confidence(model, X, scale):
    """1 / (1 + spread / scale): how much a forest's trees agree on each row."""
    spread = {spread}(model, X)
    if spread is None:
        return np.full(len(X), np.nan)
    return 1.0 / (1.0 + spread / (scale if scale > 0 else 1.0))
'''
