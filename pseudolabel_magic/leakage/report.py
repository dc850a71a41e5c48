"""The leakage report: what the checks found, kept apart from the code that finds it.

A report outlives its checks: the result carries it, the after-run checks in
:mod:`pseudolabel_magic.leakage.fits` extend it from the engine's fit log, and the panel and
diagrams draw it. Both check modules build the same records (:mod:`.records`); the report's
text and HTML renderings live here; the checks themselves are described in
:mod:`pseudolabel_magic.leakage.checks`.
"""

from __future__ import annotations

import html
from dataclasses import replace

import numpy as np
import pandas as pd

from ..errors import PseudoLabelError, did_you_mean

STATUS_ORDER = {"fail": 0, "warn": 1, "pass": 2}
SYMBOL = {"fail": "\u2717", "warn": "!", "pass": "\u2713"}
#: rows of the firewall (sets that must not touch validation) and its columns (identity keys)
FIREWALL_ROWS = ("train", "unlabeled", "pseudo_labels", "teacher_fit", "student_fit")
FIREWALL_KEYS = ("index", "content", "id", "group")
#: the last sentence of a refusal; each front end says it in its own words
OVERRIDE_HINT = "To run anyway (scores marked leaky), pass allow_leakage=True."


class LeakageReport:
    """The outcome of every leakage check, renderable as a table, text, HTML and a diagram.

    Made by :func:`pseudolabel_magic.check_leakage` (and by ``pl.run``, as
    ``result.leakage``), never built by hand. Immutable: :meth:`with_fit_log` returns a new
    report, so the before-run report that stopped (or did not stop) the run stays
    available for comparison. Each check has a stable name, a status (``"pass"``,
    ``"warn"`` or ``"fail"``), a one-sentence detail and a count of rows (or features);
    the checks are listed in :mod:`pseudolabel_magic.leakage.checks`. On leakage in
    general, see [1]_.

    Parameters
    ----------
    checks : iterable of Check
        The checks' outcomes.
    evidence : Evidence
        What the after-run checks need: hashes and keys of the validation rows and of the
        train and pool rows that could leak, never whole frames.
    firewall : dict of str to dict
        Set (``FIREWALL_ROWS``) -> key (``FIREWALL_KEYS``) -> validation rows reached, or
        None when unknown.
    after_run : bool
        Whether the after-run checks (the engine's fit log) are in.
    fold : int, optional
        The cross-fitting fold whose validation rows this report guards.
    folds : sequence of LeakageReport, optional
        A cross-fitted run's report: each fold's own.

    Attributes
    ----------
    ok : bool
        No check failed.
    verdict : str
        One line: PASS, PASS with warnings, or FAIL and the first failed check.
    checks : pandas.DataFrame of shape (n_checks, 4)
        ``check``, ``status``, ``detail``, ``count``.
    firewall : pandas.DataFrame of shape (5, 4)
        Validation rows reached by each set through each key; NA = unknown.
    twins : pandas.DataFrame
        Twins of validation rows per set beside what chance explains.
    n_validation : int
        Validation rows guarded.
    after_run : bool
        Whether the after-run checks are in.
    fold : int or None
        The cross-fitting fold guarded (None: the run's validation rows).

    See Also
    --------
    pseudolabel_magic.check_leakage : makes a report from any frames.
    pseudolabel_magic.check_code : the advisory check of the notebook's code.

    References
    ----------
    .. [1] S. Kaufman, S. Rosset, C. Perlich and O. Stitelman, "Leakage in Data Mining:
       Formulation, Detection, and Avoidance", ACM TKDD 6(4), 2012.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.model_selection import train_test_split
    >>> from pseudolabel_magic import PseudoLabelError, check_leakage
    >>> wine = load_wine(as_frame=True).frame
    >>> train, validation = train_test_split(wine, test_size=0.25, random_state=0)
    >>> report = check_leakage(pd.concat([train, validation.head(5)]), validation,
    ...                        target="target")
    >>> report.checks.columns.tolist()
    ['check', 'status', 'detail', 'count']
    >>> report.verdict.startswith("FAIL: validation_index_in_train")
    True
    >>> report.examples("validation_index_in_train")["validation_index"].tolist() == (
    ...     validation.index[:5].tolist())
    True
    >>> try:
    ...     report.raise_if_failed()
    ... except PseudoLabelError as err:
    ...     print(str(err).split(":")[0])
    Leakage check 'validation_index_in_train' failed (5 rows)
    """

    def __init__(self, checks, evidence, firewall, after_run, *, fold=None, folds=()):
        self._checks = tuple(checks)
        self._evidence = evidence
        self._firewall = firewall
        self.after_run = after_run
        #: the cross-fitting fold whose validation rows this report guards (None: the run's)
        self.fold = fold
        self._folds = tuple(folds)  # a cross-fitted run's report: each fold's own

    # -- the model ------------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        """True when no check failed (warnings do not count)."""
        return not any(c.status == "fail" for c in self._checks)

    @property
    def checks(self) -> pd.DataFrame:
        """One row per check: ``check``, ``status``, ``detail``, ``count``."""
        return pd.DataFrame(
            [(c.name, c.status, c.detail, c.count) for c in self._checks],
            columns=["check", "status", "detail", "count"])

    @property
    def firewall(self) -> pd.DataFrame:
        """Validation rows reached by each set (rows) through each key (columns); NA = unknown."""
        frame = pd.DataFrame.from_dict(self._firewall, orient="index", dtype="Int64")
        return frame.reindex(index=list(FIREWALL_ROWS), columns=list(FIREWALL_KEYS))

    @property
    def key_columns(self) -> dict:
        """The declared id/group columns, by firewall key."""
        return dict(self._evidence.key_names)

    @property
    def n_validation(self) -> int:
        """How many validation rows the report guards."""
        return self._evidence.n_validation

    def _ordered(self):
        return sorted(self._checks, key=lambda c: STATUS_ORDER[c.status])

    @property
    def verdict(self) -> str:
        """One line: ``PASS``, ``PASS with n warning(s)``, or ``FAIL`` and the first failure."""
        failed = [c for c in self._ordered() if c.status == "fail"]
        warned = [c for c in self._checks if c.status == "warn"]
        if failed:
            more = f" (+{len(failed) - 1} more failed checks)" if len(failed) > 1 else ""
            return f"FAIL: {failed[0].name}: {failed[0].detail}{more}"
        names = ", ".join(c.name for c in warned)
        head = f"PASS with {len(warned)} warning(s) ({names})" if warned else "PASS"
        if self.after_run:
            return f"{head}: no validation row reached any fit."
        return f"{head}: nothing refused before the fits (the fits are checked after the run)."

    def examples(self, check: str) -> pd.DataFrame:
        """Up to 5 offending rows of ``check``, with index labels on both sides.

        Parameters
        ----------
        check : str
            A check's name, as in ``report.checks["check"]``.

        Returns
        -------
        pandas.DataFrame of shape (at most 5, n_columns)
            The rows, with ``validation_index`` (and the other set's index) first; empty
            when the check found nothing.

        Raises
        ------
        PseudoLabelError
            No check has that name (the message suggests the closest one).
        """
        by_name = {c.name: c for c in self._checks}
        if check not in by_name:
            raise PseudoLabelError(f"No leakage check named {check!r}.{did_you_mean(check, by_name)}")
        ex = by_name[check].examples
        return pd.DataFrame(columns=["validation_index"]) if ex is None else ex.copy()

    def raise_if_failed(self) -> None:
        """Stop the run with one sentence naming the first failed check and its count.

        Raises
        ------
        PseudoLabelError
            When a check failed; it ends with how to run anyway (``allow_leakage=True``).
        """
        failed = [c for c in self._checks if c.status == "fail"]
        if failed:
            c = failed[0]
            raise PseudoLabelError(
                f"Leakage check {c.name!r} failed ({c.count:,} rows): {c.detail} {OVERRIDE_HINT}")

    def unlabeled_rows_like_validation(self) -> np.ndarray:
        """Per unlabeled row (by position): identical to a validation row, or sharing an
        identity label with one. These rows are kept out of every student's fit.

        Returns
        -------
        ndarray of bool of shape (n_unlabeled,)
            True for a row kept out.
        """
        ev = self._evidence
        mask = np.zeros(ev.n_unlabeled, dtype=bool)
        mask[ev.unlabeled_positions] = True
        return mask

    @property
    def validation_twins_in_train(self) -> np.ndarray:
        """Per validation row: it has an identical train row (scored apart by pl.run)."""
        return np.asarray(self._evidence.train_twins, dtype=bool)

    @property
    def twins(self) -> pd.DataFrame:
        """Twins of validation rows per set: rows, distinct vectors, chance's expectation."""
        rows = {side: {k: v for k, v in info.items()} for side, info in self._evidence.twins.items()}
        return pd.DataFrame.from_dict(rows, orient="index")

    def with_fit_log(self, fit_log, eval_log=()) -> "LeakageReport":
        """A new report with the after-run checks on what reached each fit and score.

        Only the fits that had to miss these validation rows are checked: a fold's report
        reads that fold's records, and refit records (fitted on every label after the scores
        were taken, by design) are left out. A cross-fitted run's report checks each fold.

        Parameters
        ----------
        fit_log : sequence of FitRecord
            Every fit the engine made (``result.fit_log``).
        eval_log : sequence of EvalRecord, default=()
            Every scoring the engine made (``result.eval_log``).

        Returns
        -------
        LeakageReport
            This report's checks plus the after-run ones; ``after_run`` is True.
        """
        from .fits import fit_checks

        if self._folds:
            return combine_folds([f.with_fit_log(fit_log, eval_log) for f in self._folds])
        fits = [r for r in fit_log if not getattr(r, "refit", False)
                and getattr(r, "fold", None) == self.fold]
        evals = [r for r in eval_log if getattr(r, "fold", None) == self.fold]
        checks, firewall = fit_checks(self._evidence, fits, evals, self._firewall)
        return LeakageReport(self._checks + tuple(checks), self._evidence, firewall,
                             after_run=True, fold=self.fold)

    def diagram(self):
        """The firewall around the validation rows, as a diagram.

        Returns
        -------
        Diagram
            Inline SVG (``_repr_html_``) with a text version.
        """
        from ..render.diagrams import leakage_diagram

        return leakage_diagram(self)

    # -- renderers ------------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [f"LeakageReport: {self.verdict}"]
        for c in self._ordered():
            lines.append(f"  {SYMBOL[c.status]} {c.status.upper():4} {c.name} [{c.count:,}]: {c.detail}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{SYMBOL[c.status]} {c.status.upper()}</td><td><code>{esc(c.name)}</code></td>"
            f"<td>{c.count:,}</td><td>{esc(c.detail)}</td></tr>" for c in self._ordered())
        return (f"<div><p><b>LeakageReport</b>: {esc(self.verdict)}</p><table>"
                "<thead><tr><th>status</th><th>check</th><th>count</th><th>detail</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></div>")


#: checks of the labeled rows (and the pool) as a whole: the same in every fold, never summed
WHOLE_LABELED = frozenset({"target_proxy", "conflicting_labels", "target_in_unlabeled",
                           "labeled_duplicates"})


def combine_folds(reports) -> LeakageReport:
    """One report for a cross-fitted run: each check at its worst status, counts summed.

    Every fold's report was checked before any fit and extended with that fold's own fit
    log, so a fold's validation rows are checked against exactly the fits that had to miss
    them. Each check names the folds where it had its worst status, sums their counts, and
    quotes the first such fold's own detail; the firewall counts are summed over folds.
    """
    by_name: dict = {}
    for k, report in enumerate(reports, 1):
        for c in report._checks:
            by_name.setdefault(c.name, []).append((k, c))
    worst: dict = {}
    n = len(reports)
    for name, found in by_name.items():
        status = min((c.status for _, c in found), key=STATUS_ORDER.__getitem__)
        hits = [(k, c) for k, c in found if c.status == status]
        folds = ", ".join(str(k) for k, _ in hits)
        where = (f"all {n} folds" if len(hits) == n else
                 f"fold{'s' if len(hits) > 1 else ''} {folds} of {n}")
        first = hits[0][1]
        if name in WHOLE_LABELED:  # one fact about every labeled row, seen by each fold
            worst[name] = replace(first, detail=f"{where}: {first.detail}",
                                  count=max(c.count for _, c in hits))
            continue
        detail = (f"{where} (counts summed; fold {hits[0][0]} says: {first.detail})"
                  if len(hits) > 1 else f"{where}: {first.detail}")
        worst[name] = replace(first, detail=detail, count=sum(c.count for _, c in hits))
    firewall: dict = {}
    for report in reports:
        for row, cells in report._firewall.items():
            into = firewall.setdefault(row, {})
            for key, value in cells.items():
                known = value is not None and not pd.isna(value)
                if key not in into:
                    into[key] = value if known else None
                elif known and into[key] is not None:
                    into[key] += value
                else:
                    into[key] = None
    evidence = replace(reports[0]._evidence,
                       n_validation=sum(r.n_validation for r in reports))
    return LeakageReport(worst.values(), evidence, firewall,
                         after_run=all(r.after_run for r in reports), folds=reports)
