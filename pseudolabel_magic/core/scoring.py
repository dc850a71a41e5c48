"""Predicting with a confidence, and scoring on validation.

``score_frame`` is the one pandas-in / pandas-out function every path predicts through,
so the in-memory and the partitioned paths give the same pseudo-labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..kinds import final_step


def has_proba(model) -> bool:
    """predict_proba exists and will work (a Pipeline proxies it to its last step)."""
    return hasattr(model, "predict_proba")


def _transform(model, X):
    return model[:-1].transform(X) if hasattr(model, "steps") and len(model.steps) > 1 else X


def ensemble_spread(model, X) -> np.ndarray | None:
    """Std of the members' predictions for a fitted forest-like regressor, else None."""
    final = final_step(model)
    members = getattr(final, "estimators_", None)
    if members is None or not isinstance(members, list) or not members:
        return None
    if getattr(final, "estimators_features_", None) is not None:  # Bagging with feature subsets
        return None
    Xt = np.asarray(_transform(model, X), dtype="float32")
    preds = np.stack([m.predict(Xt) for m in members])
    return preds.std(axis=0)


def score_frame(model, X: pd.DataFrame, task: str, *, features=None, target_scale: float = 1.0,
                chunk_rows: int = 200_000, on_chunk=None) -> pd.DataFrame:
    """Predictions and confidence for ``X``, indexed like it.

    Classification: confidence is the largest class probability (NaN without
    predict_proba). Regression: confidence is 1 / (1 + spread / target_scale), where spread
    is the disagreement (std) of an ensemble's members; NaN when the model has no members.
    Works in chunks (``features`` are taken per chunk, so the pool is never copied whole)
    and an empty frame gives an empty result (scikit-learn rejects 0-row input).
    ``on_chunk(done, total)`` is called after each chunk (progress).
    """
    n = len(X)
    n_chunks = -(-n // chunk_rows)
    labels_parts, conf_parts = [], []
    for start in range(0, n, chunk_rows):
        part = X.iloc[start:start + chunk_rows]
        if features is not None:
            part = part[features]
        if task == "classification" and has_proba(model):
            proba = model.predict_proba(part)
            best = proba.argmax(axis=1)
            labels_parts.append(np.asarray(model.classes_)[best])
            conf_parts.append(proba[np.arange(len(best)), best])
        else:
            labels_parts.append(np.asarray(model.predict(part)))
            spread = ensemble_spread(model, part) if task == "regression" else None
            if spread is None:
                conf_parts.append(np.full(len(part), np.nan))
            else:
                scale = target_scale if target_scale > 0 else 1.0
                conf_parts.append(1.0 / (1.0 + spread / scale))
        if on_chunk is not None:
            on_chunk(start // chunk_rows + 1, n_chunks)
    if n == 0:
        classes = getattr(model, "classes_", None)
        labels = np.asarray(classes)[:0] if classes is not None else np.empty(0)
        confidence = np.empty(0, dtype="float64")
    else:
        labels = np.concatenate(labels_parts)
        confidence = np.concatenate(conf_parts).astype("float64", copy=False)
    # copy=False: the two arrays become the frame's columns as they are (a dict would copy)
    return pd.DataFrame({"label": labels, "confidence": confidence}, index=X.index, copy=False)


def predict_scored(model, X: pd.DataFrame, task: str):
    """Predictions of the rows to score, and their class probabilities (None without them)."""
    pred = np.asarray(model.predict(X))
    proba = model.predict_proba(X) if task == "classification" and has_proba(model) else None
    return pred, proba


def metric_scores(y, pred, proba, classes, task: str, only=None) -> dict:
    """The metrics the result's table shows, from predictions of rows with true labels ``y``.

    ``proba`` has one column per entry of ``classes`` (log-loss is NaN when a true label is
    not among them, or without probabilities). ``only`` names the metrics to compute (each
    of scikit-learn's checks its input again: a cross-fitting fold needs one, not four).
    """
    from sklearn import metrics

    def want(name):
        return only is None or name in only

    out = {}
    if task == "classification":
        if want("accuracy"):
            out["accuracy"] = metrics.accuracy_score(y, pred)
        if want("balanced_accuracy"):
            out["balanced_accuracy"] = metrics.balanced_accuracy_score(y, pred)
        if want("f1_macro"):
            out["f1_macro"] = metrics.f1_score(y, pred, average="macro", zero_division=0)
        if proba is not None and want("log_loss"):
            classes = list(classes)
            known = set(pd.unique(np.asarray(y))) <= set(classes)
            out["log_loss"] = metrics.log_loss(y, proba, labels=classes) if known else np.nan
        return {k: float(v) for k, v in out.items()}
    if want("r2"):
        out["r2"] = float(metrics.r2_score(y, pred)) if len(y) > 1 else np.nan
    if want("mae"):
        out["mae"] = float(metrics.mean_absolute_error(y, pred))
    if want("rmse"):
        out["rmse"] = float(np.sqrt(metrics.mean_squared_error(y, pred)))
    return out


def validation_scores(model, X: pd.DataFrame, y: pd.Series, task: str) -> dict:
    """The metrics the result's table shows, computed on validation's true labels."""
    pred, proba = predict_scored(model, X, task)
    return metric_scores(y, pred, proba, getattr(model, "classes_", None), task)


# -- big pools on one machine: the student's rows, the row cap, n_jobs -------------------
def stack_rows(X_train: pd.DataFrame, unlabeled: pd.DataFrame, features, positions,
               chunk_rows: int = 200_000) -> pd.DataFrame:
    """``X_train`` on top of the ``positions`` rows of ``unlabeled`` (features only), RangeIndex.

    Each unlabeled row is copied once, a chunk at a time. When every feature is float of
    one dtype the rows go into one C-ordered array wrapped without a copy, which
    scikit-learn then fits on as is instead of converting the frame again.
    """
    features = list(features)
    col_pos = unlabeled.columns.get_indexer(features)
    dtypes = {*X_train.dtypes, *unlabeled.dtypes.iloc[col_pos]}
    if len(dtypes) != 1 or not (isinstance(dtype := dtypes.pop(), np.dtype) and dtype.kind == "f"):
        pieces = [unlabeled.iloc[positions[a:a + chunk_rows], col_pos]
                  for a in range(0, len(positions), chunk_rows)]
        return pd.concat([X_train, *pieces], ignore_index=True)
    n_train = len(X_train)
    out = np.empty((n_train + len(positions), len(features)), dtype=dtype)
    out[:n_train] = X_train.to_numpy(dtype=dtype)
    for a in range(0, len(positions), chunk_rows):
        chunk = positions[a:a + chunk_rows]
        out[n_train + a:n_train + a + len(chunk)] = unlabeled.iloc[chunk, col_pos].to_numpy(dtype=dtype)
    return pd.DataFrame(out, columns=features, copy=False)


def cap_rows(new_pos: np.ndarray, room, random_state, round_: int) -> np.ndarray:
    """At most ``room`` of the newly selected positions, sampled with the seed (sorted)."""
    if room is None or len(new_pos) <= room:
        return new_pos
    if random_state is None:
        rng = np.random.default_rng()
    elif isinstance(random_state, (int, np.integer)):
        rng = np.random.default_rng([int(random_state), round_])
    else:  # a RandomState, as scikit-learn accepts
        rng = np.random.default_rng(random_state.randint(2**31))
    return np.sort(rng.choice(new_pos, size=max(int(room), 0), replace=False))


#: estimators whose ``n_jobs`` is accepted but ignored with a FutureWarning (scikit-learn >= 1.8)
_N_JOBS_IGNORED = ("LogisticRegression",)


def with_n_jobs(model, n_jobs):
    """Set ``n_jobs`` on the model (a Pipeline's last step) when it has that parameter."""
    if n_jobs is None:
        return model
    final = final_step(model)
    if "n_jobs" in final.get_params(deep=False) and type(final).__name__ not in _N_JOBS_IGNORED:
        final.set_params(n_jobs=n_jobs)
    return model
