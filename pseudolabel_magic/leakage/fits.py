"""After-run leakage checks: what reached each fit and each score, from the engine's logs.

The engine writes a :class:`~pseudolabel_magic.leakage.fitlog.FitRecord` for every fit and an
:class:`~pseudolabel_magic.leakage.fitlog.EvalRecord` for every score; these checks intersect them
with the validation rows (by index label, content hash, id and group), which is the proof a
data-only check cannot give. :meth:`LeakageReport.with_fit_log` is the way in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .labels import N_EXAMPLES, isin, pct
from .records import Check, Evidence

_FIT_CHECKS = (("teacher_fit_saw_validation", "teacher", "the teacher's fit"),
               ("student_fit_saw_validation", "student", "the student's fit"),
               ("preprocessing_fit_saw_validation", "preprocessing",
                "a preprocessing or helper fit"))


def _union(indexes) -> pd.Index:
    indexes = [pd.Index(i) for i in indexes if i is not None and len(i)]
    return indexes[0].append(indexes[1:]).unique() if indexes else pd.Index([])


def _reached(ev: Evidence, labeled: pd.Index, pseudo: pd.Index) -> dict:
    """Boolean masks over validation rows reached by fits on these rows, per identity key.

    Labels count only where they are identities (not shared with a set whose labels carry
    no identity, where a fit-log label may mean that set's own row); by content, a
    validation row whose identical train row chance explains (scored apart) is not counted
    again for reaching the teacher through that twin. Pool twins are kept out of every
    student's fit, so any pool row with a validation row's content counts.
    """
    th, uh = ev.train_hashes, ev.unlabeled_hashes
    n = len(ev.validation_index)
    none = np.zeros(n, bool)
    by_label = (isin(ev.validation_index, labeled) & ~ev.ambiguous_labels.get("train", none)) | \
        (isin(ev.validation_index, pseudo) & ~ev.ambiguous_labels.get("unlabeled", none))
    twins = np.asarray(ev.train_twins, dtype=bool)
    twins = twins if len(twins) == n and ev.twins_explained else np.zeros(n, bool)
    val_h = pd.Index(ev.validation_hashes)
    by_train = np.asarray(val_h.isin(th[isin(th.index, labeled)].to_numpy())) & ~twins
    by_pool = np.asarray(val_h.isin(uh[isin(uh.index, pseudo)].to_numpy()))
    masks = {"index": by_label, "content": by_train | by_pool}
    for kind, (val_k, train_k, _) in ev.keys.items():
        # an id or group shared with the pool only warns before the run (the student sees
        # those rows' features and pseudo-labels, never validation's labels): not counted here
        fit_k = train_k[isin(train_k.index, labeled)].dropna()
        masks[kind] = isin(val_k, fit_k) & val_k.notna().to_numpy()
    return masks


def _in_bucket(record, bucket: str) -> bool:
    if bucket in ("teacher", "student"):
        return record.role == bucket
    return record.role not in ("teacher", "student") or bool(record.preprocessing)


def _fit_check(ev: Evidence, name: str, bucket: str, what: str, records) -> tuple[Check, dict]:
    labeled = _union(r.labeled_index for r in records)
    pseudo = _union(r.pseudo_index for r in records)
    masks = _reached(ev, labeled, pseudo)
    hit = np.logical_or.reduce(list(masks.values())) if ev.n_validation else np.zeros(0, bool)
    n = int(hit.sum())
    how = ", ".join(f"{k} {int(m.sum()):,}" for k, m in masks.items())
    detail = (f"{pct(n, ev.n_validation)} reached {what} ({len(records)} fit(s); by {how}); "
              "rule: validation rows must never be fit.")
    ex = None
    if n:
        pos = np.flatnonzero(hit)[:N_EXAMPLES]
        ex = pd.DataFrame({"validation_index": list(ev.validation_index[pos])})
        for k, m in masks.items():
            ex[f"by_{k}"] = m[pos]
    counts = {k: int(m.sum()) for k, m in masks.items()}
    return Check(name, "fail" if n else "pass", detail, n, ex), counts


def _metrics_check(ev: Evidence, eval_log) -> Check:
    name = "metrics_on_true_labels"
    if not eval_log:
        status = "warn" if ev.n_validation else "pass"
        return Check(name, status, "No scoring was recorded, so none can be verified; "
                      "rule: scores must use validation's true labels.", 0)
    truth = ev.validation_target[~ev.validation_target.index.duplicated()]
    bad_total, rows_total, examples = 0, 0, []
    for rec in eval_log:
        idx = pd.Index(rec.index)
        got = pd.Series(np.asarray(rec.y_true, dtype=object))
        if idx.equals(ev.validation_index):
            want = pd.Series(ev.validation_target.to_numpy(dtype=object))
        else:
            want = pd.Series(truth.reindex(idx).to_numpy(dtype=object))
        same = got.eq(want) | (got.isna() & want.isna())
        bad = ~same.to_numpy(dtype=bool) | ~isin(idx, ev.validation_index)
        bad_total += int(bad.sum())
        rows_total += len(idx)
        for p in np.flatnonzero(bad)[:N_EXAMPLES - len(examples)]:
            examples.append({"role": rec.role, "round": rec.round, "index": idx[p],
                             "y_used": got.iloc[p], "y_true": want.iloc[p]})
    detail = (f"{bad_total:,} of {rows_total:,} scored rows across {len(eval_log)} scoring(s) were "
              "not validation rows with their true labels; rule: scores use validation's true "
              "labels only (never pseudo-labels).")
    ex = pd.DataFrame(examples) if examples else None
    return Check(name, "fail" if bad_total else "pass", detail, bad_total, ex)


def fit_checks(ev: Evidence, fit_log, eval_log, firewall) -> tuple[list, dict]:
    firewall = {row: dict(keys) for row, keys in firewall.items()}
    checks = []
    for name, bucket, what in _FIT_CHECKS:
        records = [r for r in fit_log if _in_bucket(r, bucket)]
        check, counts = _fit_check(ev, name, bucket, what, records)
        checks.append(check)
        if bucket in ("teacher", "student"):
            firewall[f"{bucket}_fit"].update(counts)
    pseudo = _union(r.pseudo_index for r in fit_log)
    firewall["pseudo_labels"].update(
        {k: int(m.sum()) for k, m in _reached(ev, pd.Index([]), pseudo).items()})
    ambiguous = ev.ambiguous_labels.get("unlabeled", np.zeros(ev.n_validation, bool))
    firewall["pseudo_labels"]["index"] = int((isin(ev.validation_index, pseudo) & ~ambiguous).sum())
    checks.append(_metrics_check(ev, eval_log))
    return checks, firewall
