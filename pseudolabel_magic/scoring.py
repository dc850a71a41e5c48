"""Predicting with a confidence, and scoring on validation.

``score_frame`` is the one pandas-in / pandas-out function every path predicts through,
so the in-memory and the partitioned paths give the same pseudo-labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def has_proba(model) -> bool:
    """predict_proba exists and will work (a Pipeline proxies it to its last step)."""
    return hasattr(model, "predict_proba")


def _final_step(model):
    return model[-1] if hasattr(model, "steps") else model


def _transform(model, X):
    return model[:-1].transform(X) if hasattr(model, "steps") and len(model.steps) > 1 else X


def ensemble_spread(model, X) -> np.ndarray | None:
    """Std of the members' predictions for a fitted forest-like regressor, else None."""
    final = _final_step(model)
    members = getattr(final, "estimators_", None)
    if members is None or not isinstance(members, list) or not members:
        return None
    if getattr(final, "estimators_features_", None) is not None:  # Bagging with feature subsets
        return None
    Xt = np.asarray(_transform(model, X), dtype="float32")
    preds = np.stack([m.predict(Xt) for m in members])
    return preds.std(axis=0)


def score_frame(model, X: pd.DataFrame, task: str, *, features=None, target_scale: float = 1.0,
                chunk_rows: int = 200_000) -> pd.DataFrame:
    """Predictions and confidence for ``X``, indexed like it.

    Classification: confidence is the largest class probability (NaN without
    predict_proba). Regression: confidence is 1 / (1 + spread / target_scale), where spread
    is the disagreement (std) of an ensemble's members; NaN when the model has no members.
    Works in chunks (``features`` are taken per chunk, so the pool is never copied whole)
    and an empty frame gives an empty result (scikit-learn rejects 0-row input).
    """
    n = len(X)
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
    if n == 0:
        classes = getattr(model, "classes_", None)
        labels = np.asarray(classes)[:0] if classes is not None else np.empty(0)
        confidence = np.empty(0, dtype="float64")
    else:
        labels = np.concatenate(labels_parts)
        confidence = np.concatenate(conf_parts).astype("float64")
    return pd.DataFrame({"label": labels, "confidence": confidence}, index=X.index)


def validation_scores(model, X: pd.DataFrame, y: pd.Series, task: str) -> dict:
    """The metrics the result's table shows, computed on validation's true labels."""
    from sklearn import metrics

    if task == "classification":
        pred = model.predict(X)
        out = {
            "accuracy": metrics.accuracy_score(y, pred),
            "balanced_accuracy": metrics.balanced_accuracy_score(y, pred),
            "f1_macro": metrics.f1_score(y, pred, average="macro", zero_division=0),
        }
        if has_proba(model):
            classes = list(model.classes_)
            if set(pd.unique(y)) <= set(classes):
                proba = model.predict_proba(X)
                out["log_loss"] = metrics.log_loss(y, proba, labels=classes)
            else:
                out["log_loss"] = np.nan
        return {k: float(v) for k, v in out.items()}
    pred = model.predict(X)
    return {
        "r2": float(metrics.r2_score(y, pred)) if len(y) > 1 else np.nan,
        "mae": float(metrics.mean_absolute_error(y, pred)),
        "rmse": float(np.sqrt(metrics.mean_squared_error(y, pred))),
    }
