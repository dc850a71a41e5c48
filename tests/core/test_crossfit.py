"""Cross-fitting, the refit, and the verdict, on real tables (scikit-learn's bundled data)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import pseudolabel_magic as pl
from pseudolabel_magic.core.folds import fold_positions
from pseudolabel_magic.core.verdict import (
    Difference,
    headline_metric,
    paired_difference,
)
from pseudolabel_magic.errors import PseudoLabelError
from pseudolabel_magic.leakage.hashing import row_hashes


def lr():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def masked(frame, target, share, seed=0):
    """``frame`` with the target hidden on all but ``share`` of the rows (a copy)."""
    keep = np.random.default_rng(seed).random(len(frame)) < share
    out = frame.copy()
    out.loc[~keep, target] = np.nan
    return out, keep


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(as_frame=True).frame


@pytest.fixture(scope="module")
def cancer_cv(cancer):
    data, _ = masked(cancer, "target", 0.15)
    return data, pl.run(data, target="target", teacher=lr(), cv=5)


# -- the folds ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [dict(), dict(group_col="g"), dict(time_col="t")])
def test_folds_partition_the_labeled_rows(kw):
    wine = load_wine(as_frame=True).frame
    wine["g"] = np.arange(len(wine)) % 30
    wine["t"] = pd.date_range("2020-01-01", periods=len(wine), freq="D")[::-1]
    feats = [c for c in wine.columns if c not in ("target", "g", "t")]
    folds = fold_positions(wine, "target", "classification", cv=5, features=feats, **kw)
    assert len(folds) == 5
    scored = np.concatenate([test for _, test in folds])
    assert len(scored) == len(set(scored))  # no row scored twice
    for train, test in folds:
        assert not np.intersect1d(train, test).size
    if "time_col" in kw:  # forward in time: the earliest block only trains
        order = np.argsort(wine["t"].to_numpy())
        assert not np.isin(order[: len(wine) // 6], scored).any()
        for train, test in folds:
            assert wine["t"].iloc[train].max() < wine["t"].iloc[test].min()
    else:
        assert sorted(scored) == list(range(len(wine)))  # every row scored exactly once
    if "group_col" in kw:
        for train, test in folds:
            assert not set(wine["g"].iloc[train]) & set(wine["g"].iloc[test])


def test_identical_rows_stay_in_one_fold():
    wine = load_wine(as_frame=True).frame
    twice = pd.concat([wine, wine.iloc[:40]], ignore_index=True)  # 40 true duplicate rows
    feats = [c for c in wine.columns if c != "target"]
    h = row_hashes(twice, feats)
    for train, test in fold_positions(twice, "target", "classification", cv=5, features=feats):
        assert not np.isin(h[test], h[train]).any()


def test_a_splitter_is_used_as_given_and_a_bad_one_is_one_line(cancer):
    data, _ = masked(cancer, "target", 0.15)
    r = pl.run(data, target="target", teacher=lr(), cv=KFold(3, shuffle=True, random_state=1))
    assert r.config["folds"] == 3 and r.counts["n_scored"] == data["target"].notna().sum()
    with pytest.raises(PseudoLabelError, match="scores some labeled rows more than once"):
        pl.run(data, target="target", teacher=lr(), cv=ShuffleSplit(5, random_state=0))
    with pytest.raises(PseudoLabelError, match=r"cv=200 needs at least 200 labeled rows, got \d+"):
        pl.run(data, target="target", teacher=lr(), cv=200)
    with pytest.raises(PseudoLabelError, match="cannot go with a validation frame"):
        lab = data.dropna(subset=["target"])
        pl.run(lab.iloc[10:], data[data["target"].isna()], validation=lab.iloc[:10],
               target="target", teacher=lr(), cv=5)


# -- what each fold's fits saw -------------------------------------------------------------------
def test_no_fold_fit_saw_its_own_rows(cancer):
    """By index label and by content: the pool holds exact copies of 30 labeled rows."""
    data, keep = masked(cancer, "target", 0.15)
    labeled = data[keep]
    pool = pd.concat([data[~keep].drop(columns="target"),
                      labeled.drop(columns="target").iloc[:30].set_axis(
                          [f"copy{i}" for i in range(30)])])
    r = pl.run(labeled, pool, target="target", teacher=lr(), cv=5)
    feats = r.config["features"]
    pool_h = pd.Series(row_hashes(pool, feats), index=pool.index)
    lab_h = pd.Series(row_hashes(labeled, feats), index=labeled.index)
    scored = [e for e in r.eval_log if e.fold is not None]
    assert sorted({e.fold for e in scored}) == [1, 2, 3, 4, 5]
    for k in range(1, 6):
        held = next(e for e in scored if e.fold == k).index
        fits = [f for f in r.fit_log if f.fold == k]
        assert {f.role for f in fits} == {"teacher", "student"}
        for f in fits:
            assert not f.labeled_index.isin(held).any()  # by label
            reached = set(lab_h[f.labeled_index]) | set(pool_h[f.pseudo_index])
            assert not reached & set(lab_h[held])  # by content: no copy of a held-out row
    n_copies_kept_out = r.counts["n_kept_out"]
    assert r.leakage.ok and n_copies_kept_out > 0


def test_refit_fits_are_logged_and_make_the_predictions(cancer_cv):
    data, r = cancer_cv
    refits = [f for f in r.fit_log if f.refit]
    assert [f.role for f in refits] == ["teacher", "student"]
    assert all(f.fold is None for f in refits)
    labeled_index = data.index[data["target"].notna()]
    assert refits[0].labeled_index.equals(labeled_index)  # every label
    assert r.fit_log[-2:] == refits  # after every scoring fit
    pool = data[data["target"].isna()]
    np.testing.assert_array_equal(r.predictions["prediction"],
                                  r.student.predict(pool[r.config["features"]]))
    assert "refit on all" in r.verdict


def test_out_of_fold_scores_use_every_label(cancer_cv):
    data, r = cancer_cv
    n = int(data["target"].notna().sum())
    assert r.counts["n_scored"] == n == len(r.validation_index)
    assert sorted(r.validation_index) == sorted(data.index[data["target"].notna()])
    assert r.difference.where == "out-of-fold" and r.difference.n_rows == n
    assert "out-of-fold" in repr(r) and r.verdict in repr(r)
    assert len(r.folds) == 5 and all(f.leakage.ok for f in r.folds)


def test_refit_false_averages_the_fold_models(cancer):
    data, _ = masked(cancer, "target", 0.15)
    r = pl.run(data, target="target", teacher=lr(), cv=3, refit=False)
    assert not any(f.refit for f in r.fit_log)
    pool = data[data["target"].isna()][r.config["features"]]
    mean = np.mean([f.student.predict_proba(pool) for f in r.folds], axis=0)
    np.testing.assert_allclose(r.student.predict_proba(pool), mean, rtol=0, atol=1e-12)


def test_holdout_refit_scores_first_then_fits_every_label(cancer):
    data, _ = masked(cancer, "target", 0.15)
    plain = pl.run(data, target="target", teacher=lr())
    refit = pl.run(data, target="target", teacher=lr(), refit=True)
    pd.testing.assert_frame_equal(plain.metrics, refit.metrics)  # the same scoring run
    assert [f.refit for f in refit.fit_log] == [False, False, True, True]
    assert refit.fit_log[-1].n_rows == int(data["target"].notna().sum()) + int(data["target"].isna().sum())


def test_parallel_folds_give_the_same_result(cancer):
    data, _ = masked(cancer, "target", 0.15)
    one = pl.run(data, target="target", teacher=lr(), cv=4)
    two = pl.run(data, target="target", teacher=lr(), cv=4, n_jobs=2)
    pd.testing.assert_frame_equal(one.metrics, two.metrics)  # same fits, other processes
    pd.testing.assert_frame_equal(one.predictions, two.predictions)


def test_progress_reports_folds(cancer):
    data, _ = masked(cancer, "target", 0.15)
    events = []
    pl.run(data, target="target", teacher=lr(), cv=3, progress=events.append)
    assert {e.fold for e in events} >= {1, 2, 3, None}
    assert {e.folds for e in events if e.fold} == {3}


def test_auto_cross_fits_and_says_so(cancer):
    data, _ = masked(cancer, "target", 0.15)
    r = pl.run(data, target="target", teacher=lr(), select="auto")
    assert r.config["folds"] == 5 and r.config["refit"]
    assert any("out of fold" in note for note in r.notes)
    if r.guard_used:
        assert "no pseudo-labels: the predictions are the teacher's" in r.verdict


def test_regression_cross_fits(cancer):
    diabetes = load_diabetes(as_frame=True).frame
    data, _ = masked(diabetes, "target", 0.3)
    r = pl.run(data, target="target", teacher=Ridge(), cv=5)
    assert r.headline == "r2" and r.difference.metric == "r2"
    assert list(r.metrics.columns) == ["r2", "mae", "rmse"]


# -- the verdict ---------------------------------------------------------------------------------
def test_imbalanced_classes_make_balanced_accuracy_the_headline():
    y = pd.Series([0] * 1988 + [1] * 12)
    assert headline_metric("classification", y)[0] == "balanced_accuracy"
    assert headline_metric("classification", pd.Series([0, 1] * 50))[0] == "accuracy"
    assert headline_metric("classification", y, "f1_macro")[0] == "f1_macro"


def _simulated(seed, n=1500, p_teacher=0.80, p_student=0.85):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    wrong = (y + 1) % 3
    t = np.where(rng.random(n) < p_teacher, y, wrong)
    s = np.where(rng.random(n) < p_student, y, wrong)
    return y, t, s


def test_the_interval_covers_the_true_difference():
    """True accuracy difference 0.05 (independent errors, 1,500 rows): a 95% interval should
    cover it in about 95% of samples; 40 samples, at least 34 (binomial tail < 1%)."""
    covered = 0
    for seed in range(40):
        y, t, s = _simulated(seed)
        d = paired_difference("accuracy", y, t, s, teacher_score=(t == y).mean(),
                              student_score=(s == y).mean(), random_state=seed)
        covered += d.low <= 0.05 <= d.high
    assert covered >= 34


@pytest.mark.parametrize("p_student, outcome, words", [
    (0.90, "helped", "pseudo-labelling helped: +"),
    (0.80, "no difference", "no measurable difference"),
    (0.70, "hurt", "pseudo-labelling hurt: -"),
])
def test_verdict_wording(p_student, outcome, words):
    y, t, s = _simulated(1, p_student=p_student)
    d = paired_difference("accuracy", y, t, s, teacher_score=(t == y).mean(),
                          student_score=(s == y).mean(), where="out-of-fold")
    assert d.outcome == outcome
    assert d.sentence().startswith(words)
    assert "95% interval" in d.sentence() and "on 1,500 out-of-fold rows" in d.sentence()


def test_lower_is_better_metrics_flip_the_verdict():
    d = Difference("mae", teacher=1.0, student=0.8, difference=-0.2, low=-0.3, high=-0.1, n_rows=100)
    assert d.outcome == "helped" and "lower is better" in d.sentence()


def test_three_validation_rows_are_too_few_to_tell():
    wine = load_wine(as_frame=True).frame
    data, _ = masked(wine, "target", 0.1, seed=3)
    r = pl.run(data, target="target", teacher=lr(), val_size=3)
    assert r.difference.n_rows == 3
    assert "on 3 validation rows" in r.verdict and "too few rows to tell" in r.verdict
    assert r.difference.outcome == "no difference"


def test_parallel_folds_report_each_fold_from_the_notebook_process(cancer):
    """Worker processes cannot call a notebook's progress display: each fold's end is
    reported by the calling process as it arrives, and the bar only moves forward."""
    import threading

    data, _ = masked(cancer, "target", 0.15)
    lock = threading.Lock()  # a progress callback holding a lock cannot be pickled
    events = []

    def progress(event):
        with lock:
            events.append(event)

    pl.run(data, target="target", teacher=lr(), cv=3, n_jobs=2, progress=progress)
    done = [e.fold for e in events if e.fold and e.status == "done" and e.step == "student"]
    assert sorted(done) == [1, 2, 3]
    assert any(e.refit for e in events)
    fractions = [e.fraction for e in events if e.fold or e.refit]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_rechecking_the_whole_fit_log_does_not_cry_wolf(cancer):
    """Refit fits (every label, by design) and other folds' fits are not leaks of a fold."""
    data, _ = masked(cancer, "target", 0.15)
    for kw in (dict(cv=4), dict(refit=True)):
        r = pl.run(data, target="target", teacher=lr(), **kw)
        again = r.leakage.with_fit_log(r.fit_log, r.eval_log)
        assert again.ok and "no validation row reached any fit" in again.verdict


def test_a_fold_fit_that_saw_its_rows_is_caught(cancer):
    """The after-run check per fold is real: a forged record of fold 1 fitting on fold 1's
    scored rows fails it."""
    from dataclasses import replace

    data, _ = masked(cancer, "target", 0.15)
    r = pl.run(data, target="target", teacher=lr(), cv=4)
    held = next(e.index for e in r.eval_log if e.fold == 1)
    first = next(f for f in r.fit_log if f.fold == 1 and f.role == "student")
    forged = replace(first, labeled_index=first.labeled_index.append(held))
    assert not r.leakage.with_fit_log([*r.fit_log, forged], r.eval_log).ok


def test_parallel_folds_fit_their_models_on_one_core_each():
    """n_jobs runs the folds in parallel; the models inside take one core each, so two
    folds on two cores do not each start two-thread forests."""
    wine = load_wine(as_frame=True).frame
    data, _ = masked(wine, "target", 0.3)
    r = pl.run(data, target="target", cv=3, n_jobs=2)  # the default forest takes n_jobs
    assert [f.teacher[-1].n_jobs for f in r.folds] == [1, 1, 1]
    assert r.teacher[-1].n_jobs == 1
    serial = pl.run(data, target="target", cv=3, n_jobs=None)
    pd.testing.assert_frame_equal(serial.predictions, r.predictions)


def test_a_handful_of_differing_rows_is_no_measurable_difference():
    """3 of 40 rows differ, all for the student: McNemar's p is 0.25, so no verdict may
    claim more; the exact interval contains zero and does not depend on the seed."""
    y = np.zeros(40, int)
    t, s = y.copy(), y.copy()
    t[:3] = 1
    seen = set()
    for seed in range(5):
        d = paired_difference("accuracy", y, t, s, teacher_score=37 / 40, student_score=1.0,
                              random_state=seed)
        assert d.outcome == "no difference" and d.low < 0 < d.high and d.p_value == 0.25
        seen.add((d.low, d.high))
    assert len(seen) == 1
    for metric in ("balanced_accuracy", "f1_macro"):  # bootstrapped, but McNemar must agree
        yy, tt, ss = np.r_[y, np.ones(10, int)], np.r_[t, np.ones(10, int)], np.r_[s, np.ones(10, int)]
        d = paired_difference(metric, yy, tt, ss, teacher_score=0.9, student_score=1.0)
        assert d.outcome == "no difference"


def test_rounding_noise_in_amounts_is_the_same_score():
    y = np.linspace(0, 100, 50)
    t = y + np.sin(y)
    s = t + 1e-13
    d = paired_difference("mae", y, t, s, teacher_score=np.abs(y - t).mean(),
                          student_score=np.abs(y - s).mean())
    assert d.low == d.high == d.difference == 0 and "scored the same mae" in d.sentence()


def test_models_that_differ_only_where_both_are_wrong_score_the_same():
    y = np.array([0, 1, 2, 0, 1, 2])
    t = np.array([0, 1, 2, 1, 2, 0])  # the last three wrong
    s = np.array([0, 1, 2, 2, 0, 1])  # wrong on the same rows, with other labels
    d = paired_difference("accuracy", y, t, s, teacher_score=0.5, student_score=0.5)
    assert (d.difference, d.low, d.high, d.outcome) == (0.0, 0.0, 0.0, "no difference")


def test_the_estimate_is_inside_its_own_interval():
    y = np.zeros(80, int)
    t, s = y.copy(), y.copy()
    t[:12], s[:3] = 1, 1  # 9 rows only the student gets right
    d = paired_difference("accuracy", y, t, s, teacher_score=0.85, student_score=0.9625)
    assert d.low <= d.difference <= d.high and d.difference == 9 / 80
    assert "+11.2 points accuracy, 95% interval +3.7 to +11.2" in d.sentence()


def test_checks_of_the_labeled_rows_as_a_whole_are_counted_once():
    """Every fold sees the same labeled rows: their conflicting labels and repeats are one
    fact, not one per fold (the hold-out run counts the same rows)."""
    wine = load_wine(as_frame=True).frame
    lab = wine.sample(60, random_state=0)
    unl = wine.drop(index=lab.index, columns="target")
    flipped = lab.iloc[:3].assign(target=(lab["target"].iloc[:3] + 1) % 3)
    lab = pd.concat([lab, flipped], ignore_index=True)
    counts = {}
    for kw in (dict(cv=5), dict()):
        table = pl.run(lab, unl, target="target", teacher=lr(), **kw).leakage.checks.set_index("check")
        counts[bool(kw)] = table.loc[["conflicting_labels", "labeled_duplicates"], "count"].tolist()
    assert counts[True] == counts[False] == [6, 3]


def test_folds_checked_with_shared_hashes_match_checks_made_from_scratch(cancer):
    """The labeled rows and the pool are hashed once for every fold: each fold's report is
    the one check_leakage makes from the fold's own frames (twins across folds included)."""
    data, _ = masked(cancer, "target", 0.15)
    labeled = data[data["target"].notna()]
    labeled = pd.concat([labeled, labeled.iloc[:5]], ignore_index=True)
    unlabeled = pd.concat([data[data["target"].isna()].drop(columns="target"),
                           labeled.iloc[5:8].drop(columns="target")], ignore_index=True)
    r = pl.run(labeled, unlabeled, target="target", teacher=lr(), cv=4)
    cols = ["check", "status", "count"]
    for fold in r.folds:
        train, val = labeled.loc[fold.train_index], labeled.loc[fold.validation_index]
        fresh = pl.check_leakage(train, val, unlabeled, target="target").checks[cols]
        mine = fold.leakage.checks[cols].iloc[:len(fresh)]
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), fresh.reset_index(drop=True))


@pytest.mark.parametrize("kw", [dict(), dict(calibrate=True, select="threshold", threshold=0.8)])
def test_a_kept_refit_teacher_predicts_the_pool_itself(cancer, kw):
    """When the guard keeps the refit teacher, the predictions are that teacher's own (taken
    from its pseudo-labelling pass, or predicted again when a calibrated labeler made them)."""
    from sklearn.dummy import DummyClassifier

    data, _ = masked(cancer, "target", 0.15)
    pool = data[data["target"].isna()].drop(columns="target")
    r = pl.run(data, target="target", teacher=lr(), student=DummyClassifier(), cv=3, guard=True, **kw)
    assert r.guard_used
    expected = r.teacher.predict(pool)
    assert (r.predictions["prediction"].to_numpy() == expected).all()
    np.testing.assert_allclose(r.predictions["confidence"].to_numpy(),
                               r.teacher.predict_proba(pool).max(axis=1), rtol=1e-12)


@pytest.mark.parametrize("kw", [dict(cv=3), dict(refit=True), dict()])
def test_a_models_warnings_point_at_the_users_run_line(kw):
    """Warnings of the fits are shown once, at the line that called pl.run (like any
    library warning), whether the run cross-fits, refits or holds out."""
    import inspect
    import warnings

    class Warns(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            warnings.warn("a warning from fit", UserWarning)
            return super().fit(X, y, sample_weight=sample_weight)

    wine = load_wine(as_frame=True).frame
    data, _ = masked(wine, "target", 0.4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        pl.run(data, target="target", teacher=Warns(max_iter=2000), **kw)
    mine = [w for w in caught if "a warning from fit" in str(w.message)]
    assert mine and {(w.filename, w.lineno) for w in mine} == {(__file__, line)}
