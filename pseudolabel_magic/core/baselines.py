"""The baseline a user would otherwise pick: scikit-learn's ``SelfTrainingClassifier``.

:func:`self_training_scores` scores it on exactly the rows a finished run scored (the same
hold-out rows, or the same folds out of fold), with the run's own teacher as its base model
and the same preprocessing fitted on the same train rows, so its row in ``pl.compare`` is a
like-for-like comparison. The other baseline, the supervised model on the labeled rows, is
the run's teacher: with ``cv`` its out-of-fold scores are those of the model fitted on all
labels but the scored fold.

References
----------
Yarowsky, D. (1995). Unsupervised word sense disambiguation rivaling supervised methods.
*ACL* (self-training). scikit-learn's :class:`~sklearn.semi_supervised.SelfTrainingClassifier`.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from . import inputs
from .scoring import metric_scores


def _splits(result, labeled_rows, validation):
    """(train frame, scored frame) pairs: the run's folds or its hold-out split."""
    cfg = result.config
    target, task, features = cfg["target"], result.task, cfg["features"]
    if validation is not None:
        return [(labeled_rows, validation)]
    if cfg.get("cv") is not None:
        from .folds import fold_positions

        positions = fold_positions(labeled_rows, target, task, cv=cfg["cv"],
                                   group_col=cfg["group_col"], time_col=cfg["time_col"],
                                   random_state=cfg["random_state"], features=features)
    else:
        positions = [inputs.split_labeled(
            labeled_rows, target, task, val_size=cfg["val_size"], group_col=cfg["group_col"],
            time_col=cfg["time_col"], random_state=cfg["random_state"], features=features)]
    return [(labeled_rows.iloc[a], labeled_rows.iloc[b]) for a, b in positions]


def _stack(parts):
    from scipy import sparse

    if any(sparse.issparse(p) for p in parts):
        return sparse.vstack([sparse.csr_matrix(p) for p in parts]).tocsr()
    return np.vstack([np.asarray(p, dtype="float64") for p in parts])


def self_training_scores(result, labeled, unlabeled=None, validation=None) -> dict | None:
    """``SelfTrainingClassifier`` (its defaults) scored on the rows ``result`` scored.

    Parameters
    ----------
    result : PseudoLabelResult
        A finished classification run (its teacher, features, split or folds are reused).
    labeled, unlabeled, validation : pandas.DataFrame
        The frames that run got.

    Returns
    -------
    dict or None
        The run's metrics for the self-trained model plus ``seconds``; None for regression.
        A Pipeline teacher's preprocessing is fitted on each train part and the last step
        self-trains on the transformed rows, as the run's own fits see them.
    """
    if result.task != "classification":
        return None
    from sklearn.base import clone
    from sklearn.preprocessing import LabelEncoder
    from sklearn.semi_supervised import SelfTrainingClassifier

    cfg = result.config
    target, features = cfg["target"], cfg["features"]
    labeled_rows, pool = inputs.separate_unlabeled(labeled, unlabeled, target)
    template = cfg["teacher"]
    start = time.perf_counter()
    y_parts, pred_parts, proba_parts = [], [], []
    classes = np.sort(pd.unique(labeled_rows[target].to_numpy()))
    for train, scored in _splits(result, labeled_rows, validation):
        X_train, y_train = train[features], train[target]
        X_pool, X_scored = pool[features], scored[features]
        if hasattr(template, "steps") and len(template.steps) > 1:
            prep = clone(template[:-1]).fit(X_train, y_train)
            model = clone(template[-1])
            X_train, X_pool, X_scored = (prep.transform(X) for X in (X_train, X_pool, X_scored))
        else:  # fitted on an array below, so it predicts from one
            model = clone(template)
            X_train, X_pool, X_scored = (np.asarray(X) for X in (X_train, X_pool, X_scored))
        codes = LabelEncoder().fit(classes)
        y = np.concatenate([codes.transform(y_train.to_numpy()), np.full(len(pool), -1)])
        st = SelfTrainingClassifier(model).fit(_stack([X_train, X_pool]), y)
        pred = codes.inverse_transform(st.predict(X_scored))
        proba = np.zeros((len(scored), len(classes)))
        proba[:, st.classes_] = st.predict_proba(X_scored)
        y_parts.append(scored[target].to_numpy())
        pred_parts.append(pred)
        proba_parts.append(proba)
    y_all = np.concatenate(y_parts)
    out = metric_scores(y_all, np.concatenate(pred_parts), np.vstack(proba_parts), classes,
                        "classification")
    out["seconds"] = time.perf_counter() - start
    return out
