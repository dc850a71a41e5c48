"""The Dask path: an unlabeled ``dask.dataframe.DataFrame`` is scored partition by partition.

``pl.run(labeled, ddf, ...)`` lands here when ``unlabeled`` is a Dask frame. The labeled
rows stay pandas (they are small). Every pass over the unlabeled rows is a plain
``map_partitions`` of a pandas-in / pandas-out function on the user's scheduler: the
distributed ``Client`` if one is active (the teacher is scattered to the workers once),
otherwise the local scheduler. dask-ml is not used.

Passes over the data, and what comes back to the client:

1. leakage: one hash per row (the same :func:`hashing.row_hashes` as the in-memory
   checks), compared with the validation rows on the workers; back come the partition
   lengths, the index, and only the rows that could leak (normally none);
2. each round: :func:`scoring.score_frame` on every partition; back come the label and
   the confidence of every row (two small columns), and the client selects with the
   same :func:`selection.select_rows` as the in-memory path, so both paths pick the same
   rows for the same seed;
3. each round: the selected rows' features, at most ``max_pseudo_rows`` of them (default:
   what fits in a quarter of free memory, three copies counted), sampled with the seed
   when more are selected. A student with ``partial_fit`` instead gets train and then the
   selected rows one partition at a time, uncapped.

The final predictions stay lazy: ``result.predictions`` is a Dask DataFrame with the
original index and divisions; ``.compute()`` it (or write it to parquet) when you want it.
Its graph holds the fitted model itself (one node), not the scattered copy the rounds used,
so it still computes after the client is closed and the result pickles and deep-copies.
The client holds about 40 bytes per unlabeled row (index, label, confidence, round), the
``pseudo_labels`` table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError
from ..kinds import final_step
from .scoring import score_frame
from .workflow import Workflow

#: Share of the free memory the gathered pseudo-labelled rows may use by default.
MEMORY_SHARE = 0.25
#: Copies of the gathered rows alive at once while the student fits (pieces, stacked, fit copy).
COPIES = 3


# -- pandas-in / pandas-out functions the workers run ----------------------------------
def _score_partition(pdf, model, task, features, target_scale, chunk_rows):
    """score_frame on one partition (empty partitions give an empty frame)."""
    from .teachers import label_pool

    scores = score_frame(model, pdf, task, features=features, target_scale=target_scale,
                         chunk_rows=chunk_rows)
    return label_pool(model, scores, pdf, features, task, target_scale)


def _partition_hashes(pdf, columns):
    from ..leakage.hashing import row_hashes as pandas_row_hashes

    return pd.Series(pandas_row_hashes(pdf, columns), index=pdf.index, name="row_hash")


def _suspects(pdf, columns, val_hashes, val_index, keys, target):
    """The rows of one partition that could leak validation rows, plus its length and index.

    A row is suspect when its feature hash equals a validation row's, its index label is a
    validation label (unless the partition has a default RangeIndex, whose labels carry no
    identity), its id/group value is a validation one, or it has a target value.
    """
    n = len(pdf)
    if n == 0:
        return pdf.iloc[:0], 0, pdf.index, np.empty(0, np.int64), np.empty(0, np.uint64)
    from ..leakage.hashing import row_hashes as pandas_row_hashes

    hashes = pandas_row_hashes(pdf, columns)
    hit = np.isin(hashes, val_hashes)
    if not isinstance(pdf.index, pd.RangeIndex):
        hit |= np.asarray(pdf.index.isin(val_index))
    for col, values in keys.items():
        if col in pdf.columns:
            hit |= np.asarray(pdf[col].isin(values)) & pdf[col].notna().to_numpy()
    if target in pdf.columns:
        hit |= pdf[target].notna().to_numpy()
    # every row's hash goes back too (8 bytes a row): the pool's own duplicate rate is the
    # reference for how many twins of validation rows chance explains
    return pdf.iloc[np.flatnonzero(hit)], n, pdf.index, np.flatnonzero(hit), hashes


def _take(pdf, positions, features):
    """The selected rows of one partition (``positions`` None = all of them)."""
    part = pdf[features]
    return part if positions is None else part.iloc[positions]


def row_hashes(ddf, columns):
    """One uint64 per row over ``columns``, per partition: a lazy Dask Series with ddf's index.

    The same function as :func:`pseudolabel_magic.leakage.hashing.row_hashes` runs on every
    partition, so hashes of a Dask frame and of a pandas frame compare directly.
    """
    columns = list(columns)
    meta = pd.Series(np.empty(0, dtype=np.uint64), index=ddf._meta.index, name="row_hash")
    return ddf.map_partitions(_partition_hashes, columns, meta=meta)


# -- running tasks with progress ---------------------------------------------------------
def _active_client():
    """The distributed Client that ``.compute()`` would use now, else None (local scheduler)."""
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        client = default_client()
    except ValueError:  # no client: the local scheduler runs the graph
        return None
    from dask.base import get_scheduler

    # dask.config.set(scheduler="synchronous") etc. overrides an existing client
    return client if get_scheduler() == client.get else None


def _ship(obj, client):
    """Send a model once: scattered to every worker, or one node of the local graph."""
    import dask

    if client is not None:
        return client.scatter(obj, broadcast=True, hash=False)
    return dask.delayed(obj, pure=False, traverse=False)


def _compute_parts(tasks, client, on_done):
    """Compute a list of Delayed; ``on_done(n_done)`` after each one. Results keep their order."""
    import dask

    total = len(tasks)
    if total == 0:
        return []
    if client is not None:
        from distributed import as_completed

        futures = client.compute(tasks)
        order = {f.key: i for i, f in enumerate(futures)}
        results = [None] * total
        for done, (future, value) in enumerate(as_completed(futures, with_results=True), 1):
            results[order[future.key]] = value
            on_done(done)
        return results
    from dask.callbacks import Callback

    wanted = {t.key for t in tasks}
    done = [0]

    def posttask(key, result, dsk, state, worker_id):
        if key in wanted:
            done[0] += 1
            on_done(done[0])

    with Callback(posttask=posttask):
        return list(dask.compute(*tasks))


def default_max_rows(ddf, features) -> int:
    """Pseudo-labelled rows whose features fit ``COPIES`` times in ``MEMORY_SHARE`` of free memory."""
    from dask.dataframe.utils import meta_nonempty

    sample = meta_nonempty(ddf._meta)[list(features)]
    per_row = max(8.0, sample.memory_usage(deep=True, index=True).sum() / max(len(sample), 1))
    try:
        import psutil

        free = psutil.virtual_memory().available
    except ImportError:  # distributed depends on psutil; plain dask may not have it
        free = 4 * 2**30
    return max(1000, int(free * MEMORY_SHARE / (COPIES * per_row)))


class _StreamedRows:
    """The selected rows, left on the workers: ``partial_fit`` reads them a partition at a time."""

    def __init__(self, X_train, tasks, n_rows, client, workflow):
        self.X_train, self.tasks, self.n_rows = X_train, tasks, n_rows
        self.client, self.workflow = client, workflow

    def __len__(self):
        return len(self.X_train) + self.n_rows

    def pieces(self):
        import dask

        for i, task in enumerate(self.tasks, 1):
            piece = (self.client.compute(task).result() if self.client is not None
                     else dask.compute(task)[0])
            self.workflow._partitions(i, len(self.tasks), "student", "partial_fit")
            yield piece


class DaskWorkflow(Workflow):
    """The workflow with the unlabeled rows in a Dask DataFrame (see the module docstring)."""

    def _prepare(self, labeled, unlabeled, validation, teacher, student):
        from dask.dataframe.utils import meta_nonempty

        self.ddf = unlabeled
        self.client = _active_client()
        # the default student is sized for the rows it may get: about the pool (partitions
        # times the first one's rows: one partition read, not a pass), up to the row cap
        estimate = unlabeled.npartitions * len(unlabeled.partitions[0])
        cap = self.config.get("max_pseudo_rows") or default_max_rows(unlabeled, list(unlabeled.columns))
        self.n_unlabeled_hint = min(estimate, cap)
        # checks and the default model need only the columns: a 2-row stand-in gives them
        super()._prepare(labeled, meta_nonempty(unlabeled._meta), validation, teacher, student)
        self.unlabeled = unlabeled
        final = final_step(self.student_template)
        self.stream = (hasattr(final, "partial_fit") and not hasattr(self.student_template, "steps")
                       and not self.config.get("calibrate") and not self.config.get("oof"))

    def _partitions(self, done, total, step, detail):
        self.counts.update(partitions_done=done, partitions_total=total)
        self.emit(step, "running", f"{detail}: {done}/{total} partitions")

    def _check_leakage(self):
        import dask

        cfg = self.config
        columns = list(self.features)
        keys = {col: pd.unique(self.validation[col].dropna().to_numpy())
                for col in (cfg["id_col"], cfg["group_col"])
                if col is not None and col in self.ddf.columns}
        from ..leakage.hashing import row_hashes as pandas_row_hashes

        val_hashes = pandas_row_hashes(self.validation, columns)
        parts = self.ddf.to_delayed()
        tasks = [dask.delayed(_suspects, pure=True)(p, columns, val_hashes, self.validation.index, keys,
                                                       cfg["target"])
                 for p in parts]
        out = _compute_parts(tasks, self.client, lambda d: self._partitions(d, len(tasks), "split", "leakage hashes"))
        self.lengths = np.array([part[1] for part in out], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)])
        index = [part[2] for part in out]
        self.unlabeled_index = index[0].append(index[1:]) if len(index) > 1 else index[0]
        suspects = pd.concat([part[0] for part in out])
        self.suspect_positions = np.concatenate(
            [self.offsets[i] + part[3] for i, part in enumerate(out)]).astype(np.int64)
        self.pool_hashes = np.concatenate([part[4] for part in out])
        n_unl = int(self.lengths.sum())
        if n_unl == 0:
            raise PseudoLabelError(
                "the unlabeled set is empty; pass unlabeled=<DataFrame> or leave the target missing "
                "(NaN) on the rows to pseudo-label.")
        self.counts["n_unlabeled"] = n_unl
        cap = cfg.get("max_pseudo_rows")
        if cap is None and not self.stream:
            cap = default_max_rows(self.ddf, self.features)
        self.max_rows = cap
        # the checks see every row that could leak; the rest cannot change their verdict
        self.unlabeled = suspects
        try:
            return super()._check_leakage()
        finally:
            self.unlabeled = self.ddf
            self.pool_hashes = None  # only the checks need them

    def _blocked(self, report):
        """Pool rows kept out of every student, by global position (the checks saw suspects)."""
        among_suspects = report.unlabeled_rows_like_validation()
        if not among_suspects.any():
            return None
        blocked = np.zeros(self.counts["n_unlabeled"], dtype=bool)
        blocked[self.suspect_positions[among_suspects]] = True
        return blocked

    def _score_pool(self, model, pool_pos, target_scale):
        cfg = self.config
        shipped = _ship(model, self.client)
        meta = _score_partition(self.ddf._meta, model, self.task, self.features, target_scale,
                                cfg["chunk_rows"])
        scored = self.ddf.map_partitions(_score_partition, shipped, self.task, self.features,
                                         target_scale, cfg["chunk_rows"], meta=meta)
        tasks = scored.to_delayed()
        parts = _compute_parts(tasks, self.client,
                               lambda d: self._partitions(d, len(tasks), "pseudo_label", "scoring"))
        scores = pd.concat(parts, ignore_index=True)
        if len(pool_pos) != len(scores):
            scores = scores.iloc[pool_pos].reset_index(drop=True)
        return scores

    def _selected_tasks(self, sel_pos):
        import dask

        tasks = []
        parts = self.ddf.to_delayed()
        bounds = np.searchsorted(sel_pos, self.offsets)
        for i, part in enumerate(parts):
            local = sel_pos[bounds[i]:bounds[i + 1]] - self.offsets[i]
            if len(local) == 0:
                continue
            positions = None if len(local) == self.lengths[i] else local.astype(np.int64)
            tasks.append(dask.delayed(_take, pure=True)(part, positions, list(self.features)))
        return tasks

    def _student_rows(self, X_train, sel_pos):
        tasks = self._selected_tasks(sel_pos)
        if self.stream:
            return _StreamedRows(X_train, tasks, len(sel_pos), self.client, self)
        pieces = _compute_parts(tasks, self.client,
                                lambda d: self._partitions(d, len(tasks), "combine", "gathering"))
        X_student = pd.concat([X_train, *pieces], ignore_index=True)
        del pieces
        return X_student

    def fit_model(self, template, role, X, y, labeled_index, pseudo_index, weights=None):
        if not isinstance(X, _StreamedRows):
            return super().fit_model(template, role, X, y, labeled_index, pseudo_index, weights)
        from sklearn.base import clone

        from ..leakage.fitlog import FitRecord
        from .textnames import model_name, preprocessing_names

        model = clone(template)
        y = np.asarray(y)
        w = None if weights is None else np.asarray(weights)
        classes = np.unique(y) if self.task == "classification" else None
        n_lab = len(X.X_train)

        def feed(rows, start):
            kwargs = {"classes": classes} if classes is not None else {}
            if w is not None:
                kwargs["sample_weight"] = w[start:start + len(rows)]
            model.partial_fit(rows, y[start:start + len(rows)], **kwargs)

        try:
            with self._recording(role, "fit"):  # its warnings counted once, like any fit
                feed(X.X_train, 0)
                start = n_lab
                for piece in X.pieces():
                    if len(piece):
                        feed(piece, start)
                        start += len(piece)
        except Exception as err:  # the front ends name the fit that failed
            err.pseudolabel_role, err.pseudolabel_round = role, self.round
            raise
        self.fit_log.append(FitRecord(
            role=role, round=self.round, model=model_name(model) + " (partial_fit)", n_rows=len(X),
            labeled_index=labeled_index, pseudo_index=pseudo_index,
            weighted=weights is not None, preprocessing=preprocessing_names(model)))
        return model

    def _predict_final(self, model, target_scale):
        """The lazy predictions, with the fitted model itself as one node of their graph.

        The result keeps this frame, so its graph must not hold a client future (which dies
        with the client): the model is plain data in it, so ``result.predictions`` computes
        after the client is closed and the result pickles. One node rather than an argument
        of every partition's task: a distributed scheduler then sends and unpickles the model
        once per worker, not once per partition (half the time for 20-40 small partitions and
        a 200-tree forest on a LocalCluster). Dask cannot deep-copy that node, so
        ``PseudoLabelResult.__deepcopy__`` shares the graph instead.
        """
        import dask

        cfg = self.config
        meta = score_frame(model, self.ddf._meta, self.task, features=self.features)
        meta = pd.DataFrame({"prediction": meta["label"], "confidence": meta["confidence"]})
        node = dask.delayed(model, pure=False, traverse=False)
        return self.ddf.map_partitions(_final_partition, node, self.task, list(self.features),
                                       target_scale, cfg["chunk_rows"], meta=meta)


def _final_partition(pdf, model, task, features, target_scale, chunk_rows):
    out = score_frame(model, pdf, task, features=features, target_scale=target_scale,
                      chunk_rows=chunk_rows)
    return out.rename(columns={"label": "prediction"})
