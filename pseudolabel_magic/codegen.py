"""A run as plain pandas + scikit-learn code, and the one-line story of each step.

``to_code(config)`` writes a script that reproduces a run from ``result.config`` without
importing this plugin: same split, same fits, same selection, same predictions.
``explain_steps(config)`` gives ``--explain`` a sentence and a code line per step.

Estimators are written from their parameters (only those that differ from the default,
as scikit-learn's repr does); helper functions defined by this package (the default
model's small transformers) are copied in as source.
"""

from __future__ import annotations

import inspect
import math
import numbers
from importlib import import_module
from typing import Any

_PACKAGE = __name__.rsplit(".", 1)[0]


# ------------------------------------------------------------------ values as code
class _Writer:
    """Turns values into source text, collecting the imports and helpers they need."""

    def __init__(self):
        self.imports: dict[str, set] = {}
        self.helpers: dict[str, str] = {}

    def need(self, module: str, name: str) -> str:
        self.imports.setdefault(module, set()).add(name)
        return name

    def value(self, v: Any) -> str:
        if v is None or isinstance(v, (bool, str)):
            return repr(v)
        if isinstance(v, numbers.Integral):
            return repr(int(v))
        if isinstance(v, numbers.Real):
            f = float(v)
            if math.isnan(f):
                return "np.nan"
            if math.isinf(f):
                return "np.inf" if f > 0 else "-np.inf"
            return repr(f)
        if isinstance(v, list):
            return "[" + ", ".join(self.value(x) for x in v) + "]"
        if isinstance(v, tuple):
            inner = ", ".join(self.value(x) for x in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{self.value(k)}: {self.value(x)}" for k, x in v.items()) + "}"
        if hasattr(v, "get_params") and hasattr(v, "fit"):
            return self.estimator(v)
        if type(v).__module__ == "numpy" and hasattr(v, "tolist"):  # ndarray
            return f"np.array({self.value(v.tolist())})"
        if isinstance(v, type) or inspect.isfunction(v) or inspect.isbuiltin(v):
            return self.named(v)
        return repr(v)

    def named(self, obj: Any) -> str:
        """A class or function by name: imported from its public module, or copied in."""
        name = obj.__name__
        module = getattr(obj, "__module__", "") or ""
        if module == "numpy" or module.startswith("numpy."):
            return f"np.{name}" if hasattr(import_module("numpy"), name) else name
        if module == _PACKAGE or module.startswith(_PACKAGE + "."):
            self.helpers[name] = inspect.getsource(obj)
            return name
        if module in ("__main__", "builtins") or not module:
            return name  # defined in the notebook (or a builtin): already in scope
        return self.need(_public_module(obj, module), name)

    def estimator(self, est: Any) -> str:
        cls = type(est)
        name = self.named(cls)
        params = est.get_params(deep=False)
        try:
            signature = inspect.signature(cls.__init__).parameters
        except (TypeError, ValueError):
            signature = {}
        args = []
        for key, value in params.items():
            default = signature[key].default if key in signature else inspect.Parameter.empty
            if default is not inspect.Parameter.empty and _same(value, default):
                continue
            args.append(f"{key}={self.value(value)}")
        return f"{name}({', '.join(args)})"

    def import_lines(self) -> list[str]:
        return [f"from {module} import {', '.join(sorted(names))}"
                for module, names in sorted(self.imports.items())]


def _public_module(obj: Any, module: str) -> str:
    """``sklearn.ensemble`` for a class defined in ``sklearn.ensemble._forest``."""
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        candidate = ".".join(parts[:end])
        if end < len(parts) and parts[end].startswith("_") or end == len(parts):
            try:
                if getattr(import_module(candidate), obj.__name__, None) is obj:
                    return candidate
            except ImportError:
                pass
    return module


def _same(value: Any, default: Any) -> bool:
    if value is default:
        return True
    if isinstance(value, float) and isinstance(default, float) and math.isnan(value) and math.isnan(default):
        return True
    if type(value) is not type(default) and not (
        isinstance(value, numbers.Number) and isinstance(default, numbers.Number)
        and not isinstance(value, bool) and not isinstance(default, bool)
    ):
        return False
    try:
        return bool(value == default)
    except Exception:
        return False


def estimator_code(est: Any) -> str:
    """Source text that builds ``est`` (unfitted), e.g. ``LogisticRegression(C=0.5)``."""
    return _Writer().value(est)


# ------------------------------------------------------------------ the script
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
    add("X_val, y_val = validation[features], validation[target]")
    add("")

    metric = "accuracy_score" if task == "classification" else "r2_score"
    w.need("sklearn.metrics", metric)
    w.need("sklearn.base", "clone")
    add("# 2. Fit the teacher on train only")
    add(f"teacher = clone({teacher_code}).fit(X_train, y_train)")
    add(f"print('teacher validation {metric[:-6]}:', {metric}(y_val, teacher.predict(X_val)))")
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
                     f"    model = CalibratedClassifierCV({student_code}, cv=min(3, int(pd.Series(y_student)"
                     f".value_counts().min()))).fit(X_student, y_student{cal_kw})"]
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
    add(f"print('student validation {metric[:-6]}:', {metric}(y_val, student.predict(X_val)))")
    final = "student"
    if guard:
        add("# guard=True: keep the teacher's predictions when the student scores lower on validation")
        add(f"final = teacher if {metric}(y_val, student.predict(X_val)) < {metric}(y_val, teacher.predict(X_val)) else student")
        final = "final"
    out.extend(score(final, X_unl, "prediction", "prediction_confidence"))
    add("predictions = pd.DataFrame({'prediction': prediction, 'confidence': prediction_confidence}, index=unlabeled.index)")

    head = [*notes, "# Pseudo-labeling (teacher -> student) in plain pandas + scikit-learn.",
            "import numpy as np", "import pandas as pd", *w.import_lines()]
    if "labeled" not in names:
        head.insert(1, "# Before running, bind your frames: labeled = ..., unlabeled = ...")
    helpers = [src.rstrip() + "\n" for src in w.helpers.values()]
    return "\n".join(head) + "\n\n" + ("\n\n".join(helpers) + "\n\n" if helpers else "") + "\n".join(out) + "\n"


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


# ------------------------------------------------------------------ --explain
def explain_steps(config: dict) -> list[tuple[str, str, str]]:
    """``(step_key, sentence, code_line)`` for each of the five steps, for ``--explain``.

    Works before a run (``config`` built from the cell: estimators may be None for the
    default model) and after one (``result.config``).
    """
    if str(config.get("select")) == "auto":  # before a run: say what "auto" stands for
        from .strategies import resolve_auto

        config = resolve_auto(config)
    curriculum = config.get("curriculum")
    if curriculum:
        config = {**config, "select": "threshold", "threshold": float(list(curriculum)[0])}
    names = _names(config, None)
    labeled = names.get("labeled", "labeled")
    unlabeled = names.get("unlabeled", "unlabeled")
    target = config.get("target", "target")
    val_size = config.get("val_size", 0.2)
    seed = config.get("random_state", 0)
    select = str(config.get("select", "all"))
    task = config.get("task")
    w = _Writer()
    teacher = config.get("teacher")
    student = config.get("student")
    teacher_code = w.value(teacher) if teacher is not None else "default_model"
    student_code = w.value(student) if student is not None else teacher_code
    feats = "features"

    if config.get("validation_given"):
        split = ("Use the validation frame you passed only to score the models: rows that never "
                 "train anything give honest scores.")
        split_code = f"train, validation = {labeled}, {names.get('validation', 'validation')}"
    elif config.get("time_col") is not None:
        split = (f"Hold out the latest {_share(val_size)} of the labeled rows by "
                 f"{config['time_col']!r} as validation: the past must not be scored on rows it "
                 "trained with, and the future must never train the past.")
        split_code = (f"train, validation = {labeled}.sort_values({config['time_col']!r})"
                      f".iloc[:-n_val], {labeled}.sort_values({config['time_col']!r}).iloc[-n_val:]")
    elif config.get("group_col") is not None:
        split = (f"Hold out {_share(val_size)} of the groups in {config['group_col']!r} as "
                 "validation, so no group is on both sides and the score is honest.")
        split_code = (f"train_pos, val_pos = next(GroupShuffleSplit(test_size={val_size!r}, "
                      f"random_state={seed!r}).split({labeled}, groups={labeled}[{config['group_col']!r}]))")
    else:
        split = (f"Hold out {_share(val_size)} of the labeled rows as validation: they only score "
                 "the teacher and the student, never train them, so the scores stay honest.")
        split_code = (f"train, validation = train_test_split({labeled}, test_size={val_size!r}, "
                      f"random_state={seed!r}, stratify={labeled}[{target!r}])")

    teacher_sentence = ("Fit the teacher on the train rows only, with the labels we trust"
                        + (" (the default model: gradient-boosted trees that take raw columns)."
                           if teacher is None else "."))
    if select == "threshold":
        rule = (f"keep only rows whose confidence is at least {config.get('threshold')!r}: "
                "unsure guesses would teach the student mistakes")
        keep = f"keep = proba.max(axis=1) >= {config.get('threshold')!r}"
        if curriculum:
            rule += (f", relaxing round by round along the curriculum "
                     f"{[float(t) for t in curriculum]!r}")
    elif select == "k-best":
        rule = (f"keep the {config.get('k_best')!r} most confident rows of each round: "
                "a fixed budget of the teacher's surest guesses")
        keep = f"keep = np.argsort(-proba.max(axis=1))[:{config.get('k_best')!r}]"
    else:
        rule = "keep all of them, sure or not: the simplest recipe, and a baseline to beat"
        keep = "keep = np.ones(len(proba), dtype=bool)"
    if task == "regression":
        pseudo_code = f"pseudo = teacher.predict({unlabeled}[{feats}])"
    else:
        pseudo_code = (f"proba = teacher.predict_proba({unlabeled}[{feats}]); "
                       f"pseudo = teacher.classes_[proba.argmax(axis=1)]; {keep}")
    pseudo_sentence = ("The teacher predicts the unlabeled rows; its guesses become "
                       f"pseudo-labels, and we {rule}.")
    if config.get("calibrate"):
        pseudo_sentence += (" The confidences come from a calibrated copy of the teacher "
                            "(CalibratedClassifierCV), fitted on the train rows only.")
    if config.get("oof") not in (None, False, 0):
        pseudo_sentence += (" Out-of-fold: several teachers, each fitted on part of the train "
                            "rows, label together (their mean).")
    if config.get("balance"):
        pseudo_sentence += " The kept rows follow the class mix of the train rows."
    combine = ("Stack the train rows and the kept pseudo-labelled rows into one training set "
               "for the student; validation rows stay out.")
    if config.get("soft") or float(config.get("pseudo_weight", 1.0) or 1.0) != 1.0:
        combine += " Pseudo-labelled rows get a smaller sample weight than real labels."
    combine_code = (f"X_student = pd.concat([train[{feats}], {unlabeled}[{feats}][keep]]); "
                    f"y_student = np.concatenate([train[{target!r}], pseudo[keep]])")
    student_sentence = ("Fit the student on the combined rows, score it on the same validation "
                        "rows as the teacher, and predict every unlabeled row.")
    if int(config.get("rounds", 1) or 1) > 1:
        student_sentence += " With more rounds, this student becomes the next teacher."
    if config.get("guard"):
        student_sentence += (" Guard: if the student scores lower than the teacher on "
                             "validation, the teacher's predictions are kept.")
    student_code_line = (f"student = clone({student_code}).fit(X_student, y_student); "
                         f"student.score(validation[{feats}], validation[{target!r}])")
    return [
        ("split", split, split_code),
        ("teacher", teacher_sentence,
         f"teacher = clone({teacher_code}).fit(train[{feats}], train[{target!r}])"),
        ("pseudo_label", pseudo_sentence, pseudo_code),
        ("combine", combine, combine_code),
        ("student", student_sentence, student_code_line),
    ]


def _share(val_size: Any) -> str:
    if isinstance(val_size, numbers.Integral) and not isinstance(val_size, bool):
        return f"{int(val_size)} rows"
    try:
        return f"{float(val_size):.0%}"
    except (TypeError, ValueError):
        return str(val_size)
