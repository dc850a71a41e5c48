"""Planted leaks with exact counts, a clean control for every check, and index/dtype edge cases."""

import numpy as np
import pandas as pd
import pytest

from pseudolabel_magic.errors import PseudoLabelError
from pseudolabel_magic.leakage.checks import check_leakage
from pseudolabel_magic.leakage.fitlog import EvalRecord, FitRecord
from pseudolabel_magic.leakage.hashing import row_hashes

BEFORE = ["validation_index_in_train", "validation_index_in_unlabeled", "validation_rows_in_train",
          "validation_rows_in_unlabeled", "target_proxy", "conflicting_labels",
          "target_in_unlabeled", "labeled_duplicates"]
AFTER = ["teacher_fit_saw_validation", "student_fit_saw_validation",
         "preprocessing_fit_saw_validation", "metrics_on_true_labels"]


def frames(seed=0, n_train=40, n_val=20, n_unl=30):
    """Continuous features (no accidental duplicates), disjoint non-default index labels."""
    rng = np.random.default_rng(seed)

    def block(n, start, labeled=True):
        df = pd.DataFrame({
            "a": rng.normal(size=n),
            "b": rng.integers(0, 1_000_000, size=n),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], size=n)),
            "s": rng.choice(["red", "green", "blue"], size=n).astype(object),
        }, index=pd.RangeIndex(start, start + n))
        if labeled:
            df["y"] = rng.integers(0, 2, size=n)
        return df

    return block(n_train, 0), block(n_val, 100), block(n_unl, 1000, labeled=False)


def status(report, name):
    row = report.checks.set_index("check").loc[name]
    return row["status"], int(row["count"])


def fit_log(train, unl, teacher_labeled=None, student_pseudo=None):
    t_idx = train.index if teacher_labeled is None else teacher_labeled
    p_idx = unl.index if student_pseudo is None else student_pseudo
    return [FitRecord("teacher", 1, "LogisticRegression", len(t_idx), t_idx, unl.index[:0]),
            FitRecord("student", 1, "LogisticRegression", len(t_idx) + len(p_idx), train.index, p_idx)]


# -- clean controls -----------------------------------------------------------------------
def test_clean_split_passes_every_check_with_zero_counts():
    train, val, unl = frames()
    report = check_leakage(train, val, unl, target="y")
    assert report.ok
    assert list(report.checks.columns) == ["check", "status", "detail", "count"]
    assert report.checks["check"].tolist() == BEFORE
    assert set(report.checks["status"]) == {"pass"}
    assert report.checks["count"].sum() == 0
    after = report.with_fit_log(fit_log(train, unl), [EvalRecord("teacher", 1, val.index, val["y"])])
    assert after.checks["check"].tolist() == BEFORE + AFTER
    assert after.ok and set(after.checks["status"]) == {"pass"}
    assert report.checks["check"].tolist() == BEFORE  # with_fit_log returned a new report


def test_optional_checks_appear_only_when_their_column_is_declared():
    train, val, unl = frames()
    for df, start in ((train, 0), (val, 500), (unl, 900)):
        df["uid"] = np.arange(start, start + len(df))
        df["grp"] = [f"g{start}-{i % 4}" for i in range(len(df))]
        df["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(df)) + start, "D")
    report = check_leakage(train, val, unl, target="y", id_col="uid", group_col="grp", time_col="when")
    names = report.checks["check"].tolist()
    assert names[4:7] == ["shared_id", "shared_group", "time_order"]
    assert report.ok and report.checks["count"].sum() == 0
    assert "shared_id" not in check_leakage(train, val, unl, target="y").checks["check"].tolist()


# -- index overlap --------------------------------------------------------------------------
def test_validation_labels_reused_in_train_are_found_by_index():
    train, val, unl = frames()
    val.index = [f"patient-{i}" for i in range(20)]  # labels that identify rows
    train.index = list(val.index[:2]) + [f"patient-{i}" for i in range(100, 138)]
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "validation_index_in_train") == ("fail", 2)
    assert status(report, "validation_rows_in_train") == ("pass", 0)
    assert not report.ok
    ex = report.examples("validation_index_in_train")
    assert ex[["validation_index", "train_index"]].values.tolist() == [["patient-0", "patient-0"],
                                                                      ["patient-1", "patient-1"]]


def test_numbered_frames_share_labels_by_chance_unless_their_rows_agree_too():
    """Two tables numbered 1..n (as R's data sets are) share labels, not rows."""
    train, val, unl = frames(n_unl=2000)
    train.index, val.index = pd.RangeIndex(1, 41), pd.RangeIndex(1, 21)
    unl.index = pd.RangeIndex(1, 2001)
    report = check_leakage(train, val, unl, target="y")
    assert report.ok and status(report, "validation_index_in_train") == ("pass", 0)
    assert not report.unlabeled_rows_like_validation().any()  # no honest pool row kept out
    # the validation rows pasted into train at their own labels: far more than chance
    pasted = pd.concat([train, val])
    report = check_leakage(pasted, val, unl, target="y")
    assert status(report, "validation_index_in_train") == ("fail", 20)


def test_validation_labels_in_unlabeled_are_kept_out_and_a_fresh_range_carries_no_identity():
    train, val, unl = frames()
    val.index = [f"row-{i}" for i in range(20)]  # labels that identify rows
    unl.index = list(val.index[:4]) + [f"pool-{i}" for i in range(4, 30)]
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "validation_index_in_unlabeled") == ("warn", 4)  # neutralised, not refused
    assert report.ok
    assert np.flatnonzero(report.unlabeled_rows_like_validation()).tolist() == [0, 1, 2, 3]
    # unlabeled read from its own file: labels 0..29 coincide with validation labels 0..19
    val.index, train.index = pd.RangeIndex(0, 20), pd.RangeIndex(100, 140)
    unl = unl.reset_index(drop=True)
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "validation_index_in_unlabeled") == ("pass", 0)
    assert not report.unlabeled_rows_like_validation().any()
    assert report.ok


def test_non_unique_and_string_index_labels_count_every_validation_row():
    train, val, unl = frames()
    val.index = ["k0", "k0", "k1"] + [f"v{i}" for i in range(17)]
    train.index = ["k0"] + [f"t{i}" for i in range(39)]
    unl.index = [("m", 1)] + [f"u{i}" for i in range(29)]  # mixed-type labels
    report = check_leakage(train, val, unl, target="y")
    # repeated labels ("k0" twice) identify nothing: only a label whose rows agree counts
    assert status(report, "validation_index_in_train") == ("pass", 0)
    assert status(report, "validation_index_in_unlabeled") == ("pass", 0)
    train.iloc[0, :] = val.iloc[0]
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "validation_index_in_train") == ("warn", 1)
    assert "carry no identity" in report.checks.set_index("check").loc["validation_index_in_train", "detail"]
    assert report.ok  # one identical row is within chance: judged by validation_rows_in_train


def test_multiindex_labels_and_content_examples():
    train, val, unl = frames()
    val.index = pd.MultiIndex.from_tuples([("v", i) for i in range(20)])
    train.index = pd.MultiIndex.from_tuples([("v", 0)] + [("t", i) for i in range(39)])
    copies = val.iloc[[4]].drop(columns="y")
    copies.index = pd.MultiIndex.from_tuples([("u", 99)])
    unl.index = pd.MultiIndex.from_tuples([("u", i) for i in range(30)])
    report = check_leakage(train, val, pd.concat([unl, copies]), target="y")
    assert status(report, "validation_index_in_train") == ("fail", 1)
    assert status(report, "validation_rows_in_unlabeled") == ("warn", 1)
    ex = report.examples("validation_rows_in_unlabeled")
    assert ex[["validation_index", "unlabeled_index"]].values.tolist() == [[("v", 4), ("u", 99)]]


def test_categorical_index_labels_compare_by_value():
    train, val, unl = frames()
    val.index = pd.CategoricalIndex([f"r{i}" for i in range(20)])
    train.index = pd.CategoricalIndex(["r3", "r4", "r5"] + [f"t{i}" for i in range(37)])
    assert status(check_leakage(train, val, unl, target="y"), "validation_index_in_train") == ("fail", 3)


# -- content overlap --------------------------------------------------------------------------
def test_three_validation_rows_copied_into_unlabeled_under_new_labels_are_found_by_content():
    train, val, unl = frames()
    copies = val.iloc[[2, 5, 7]].drop(columns="y")
    copies.index = [9001, 9002, 9003]
    copies["c"] = copies["c"].cat.set_categories(["z", "w", "y", "x"])  # other category set
    copies["s"] = copies["s"].astype("str")  # other string dtype
    unl = pd.concat([unl, copies])
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "validation_rows_in_unlabeled") == ("warn", 3)  # kept out, not refused
    assert status(report, "validation_index_in_unlabeled") == ("pass", 0)
    assert np.flatnonzero(report.unlabeled_rows_like_validation()).tolist() == [30, 31, 32]
    ex = report.examples("validation_rows_in_unlabeled")
    assert ex[["validation_index", "unlabeled_index"]].values.tolist() == [[102, 9001], [105, 9002], [107, 9003]]
    assert report.firewall.loc["unlabeled", "content"] == 3
    assert report.firewall.loc["unlabeled", "index"] == 0
    assert report.ok
    report.raise_if_failed()  # nothing failed: the copies are neutralised


def test_copies_in_train_match_even_with_a_different_label_and_id():
    train, val, unl = frames(n_unl=2000)  # a pool big enough to say 2 twins are not chance
    val["uid"], unl["uid"] = np.arange(20), np.arange(100, 2100)
    copies = val.iloc[[0, 1]].copy()
    copies.index, copies["y"], copies["uid"] = [500, 501], 1 - copies["y"], [900, 901]
    train = pd.concat([train.assign(uid=np.arange(200, 240)), copies])
    report = check_leakage(train, val, unl, target="y", id_col="uid")
    assert status(report, "validation_rows_in_train") == ("fail", 2)
    assert status(report, "shared_id") == ("pass", 0)


def test_nan_equals_nan_and_int_matches_float():
    train, val, unl = frames()
    val.loc[103, "a"] = np.nan
    val["c"] = val["c"].cat.add_categories(["q"])
    val.loc[104, "c"] = np.nan
    copies = val.loc[[103, 104]].drop(columns="y")
    copies.index = [7001, 7002]
    copies["b"] = copies["b"].astype(float)  # int column turned float in this frame
    near = val.loc[[105]].drop(columns="y").assign(a=0.0)  # differs only in one value
    near.index = [7003]
    unl = pd.concat([unl.assign(b=unl["b"].astype("Int64")), copies, near])
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "validation_rows_in_unlabeled") == ("warn", 2)


def test_row_hashes_ignore_category_sets_and_index():
    a = pd.DataFrame({"c": pd.Categorical(["x", None], categories=["x", "y"]), "n": [1, 2]})
    b = pd.DataFrame({"c": pd.Categorical(["x", None], categories=["q", "x"]), "n": [1.0, 2.0]},
                     index=[10, 11])
    c = pd.DataFrame({"c": ["x", np.nan], "n": pd.array([1, 2], dtype="Int64")})
    assert (row_hashes(a, ["c", "n"]) == row_hashes(b, ["c", "n"])).all()
    assert (row_hashes(a, ["c", "n"]) == row_hashes(c, ["c", "n"])).all()
    assert row_hashes(a, ["c", "n"])[0] != row_hashes(a, ["n", "c"])[0]


def test_datetimes_hash_by_instant_whatever_the_unit_or_zone():
    when = pd.Series(pd.to_datetime(["2024-01-01 10:00", "2024-06-01 12:30"]))
    a = pd.DataFrame({"t": when.astype("datetime64[s]")})
    b = pd.DataFrame({"t": when.astype("datetime64[ns]")})
    c = pd.DataFrame({"t": when.dt.tz_localize("UTC").dt.tz_convert("Europe/Paris")})
    assert (row_hashes(a, ["t"]) == row_hashes(b, ["t"])).all()
    assert (row_hashes(a, ["t"]) == row_hashes(c, ["t"])).all()


def test_explicit_features_limit_what_is_hashed():
    train, val, unl = frames()
    copies = val.iloc[:3].drop(columns="y").assign(s="other")
    copies.index = [8001, 8002, 8003]
    unl = pd.concat([unl, copies])
    assert status(check_leakage(train, val, unl, target="y"), "validation_rows_in_unlabeled")[1] == 0
    report = check_leakage(train, val, unl, target="y", features=["a", "b", "c", "y"])
    assert status(report, "validation_rows_in_unlabeled") == ("warn", 3)  # "y" is never hashed


# -- id, group, time ----------------------------------------------------------------------------
def test_shared_ids_are_counted_per_side_and_missing_ids_never_match():
    train, val, unl = frames()
    val["uid"] = [1, 2, 3, np.nan] + list(range(100, 116))
    train["uid"] = [1, 2, np.nan] + list(range(200, 237))
    unl["uid"] = [3] + list(range(300, 329))
    report = check_leakage(train, val, unl, target="y", id_col="uid")
    assert status(report, "shared_id") == ("fail", 3)
    assert report.firewall.loc["train", "id"] == 2
    assert report.firewall.loc["unlabeled", "id"] == 1
    assert report.key_columns == {"id": "uid"}
    train["uid"] = list(range(200, 240))  # now shared with the unlabeled set only
    report = check_leakage(train, val, unl, target="y", id_col="uid")
    assert status(report, "shared_id") == ("warn", 1)
    assert report.ok


def test_a_group_on_both_sides_counts_its_validation_rows():
    train, val, unl = frames()
    val["grp"] = ["g7"] * 4 + [f"v{i}" for i in range(16)]
    train["grp"] = ["g7"] + [f"t{i}" for i in range(39)]
    unl["grp"] = [f"u{i}" for i in range(30)]
    report = check_leakage(train, val, unl, target="y", group_col="grp")
    assert status(report, "shared_group") == ("fail", 4)
    val["grp"] = [f"v{i}" for i in range(20)]
    assert status(check_leakage(train, val, unl, target="y", group_col="grp"), "shared_group") == ("pass", 0)


def test_validation_rows_dated_before_the_latest_train_row():
    train, val, unl = frames()
    train["when"] = pd.date_range("2024-01-01", periods=40, freq="D")
    val["when"] = pd.date_range("2024-03-01", periods=20, freq="D")
    unl["when"] = pd.date_range("2024-06-01", periods=30, freq="D")
    assert status(check_leakage(train, val, unl, target="y", time_col="when"), "time_order") == ("pass", 0)
    val.loc[[100, 101], "when"] = pd.Timestamp("2024-01-15")
    val.loc[102, "when"] = pd.NaT
    report = check_leakage(train, val, unl, target="y", time_col="when")
    assert status(report, "time_order") == ("fail", 2)
    assert report.examples("time_order")["validation_index"].tolist() == [100, 101]


# -- labels ---------------------------------------------------------------------------------
def test_a_feature_equal_to_or_determining_the_target_warns():
    train, val, unl = frames()
    for df in (train, val):
        df["copy"] = df["y"]
        df["code"] = np.where(df["y"] == 1, "yes", "no")
    unl["copy"], unl["code"] = 0, "no"
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "target_proxy") == ("warn", 2)
    detail = report.checks.set_index("check").loc["target_proxy", "detail"]
    assert "'copy' equals the target" in detail and "'code' determines the target" in detail
    assert report.ok  # a warning does not stop the run


def test_unique_per_row_features_do_not_count_as_determining_the_target():
    train, val, unl = frames()
    for df in (train, val):
        df["row_id_like"] = np.arange(len(df)) + (0 if df is train else 1000)
    assert status(check_leakage(train, val, unl, target="y"), "target_proxy") == ("pass", 0)


def test_identical_features_with_different_labels_conflict():
    train, val, unl = frames()
    flipped = train.iloc[[0, 1]].copy()
    flipped["y"] = 1 - flipped["y"]
    flipped.index = [60, 61]
    same = train.iloc[[2]].copy()  # a plain duplicate, same label: not a conflict
    same.index = [62]
    report = check_leakage(pd.concat([train, flipped, same]), val, unl, target="y")
    assert status(report, "conflicting_labels") == ("warn", 4)
    assert len(report.examples("conflicting_labels")) == 4
    assert status(check_leakage(pd.concat([train, same]), val, unl, target="y"), "conflicting_labels") == ("pass", 0)


def test_target_values_in_the_unlabeled_set_warn():
    train, val, unl = frames()
    unl["y"] = np.nan
    assert status(check_leakage(train, val, unl, target="y"), "target_in_unlabeled") == ("pass", 0)
    unl.loc[unl.index[:5], "y"] = 1
    report = check_leakage(train, val, unl, target="y")
    assert status(report, "target_in_unlabeled") == ("warn", 5)
    assert report.examples("target_in_unlabeled")["unlabeled_index"].tolist() == [1000, 1001, 1002, 1003, 1004]


# -- after the run -----------------------------------------------------------------------------
def test_fits_that_saw_validation_rows_fail_with_exact_counts():
    train, val, unl = frames()
    copies = val.iloc[[0, 1, 2]].drop(columns="y")
    copies.index = [9001, 9002, 9003]
    unl = pd.concat([unl, copies])
    report = check_leakage(train, val, unl, target="y")
    teacher_idx = train.index.append(val.index[:2])
    log = fit_log(train, unl, teacher_labeled=teacher_idx, student_pseudo=unl.index[[0, 30, 31, 32]])
    log.append(FitRecord("calibration", 1, "CalibratedClassifierCV", 1, val.index[[5]], unl.index[:0]))
    after = report.with_fit_log(log, [EvalRecord("teacher", 1, val.index, val["y"])])
    assert status(after, "teacher_fit_saw_validation") == ("fail", 2)
    assert status(after, "student_fit_saw_validation") == ("fail", 3)
    assert status(after, "preprocessing_fit_saw_validation") == ("fail", 1)
    assert status(after, "metrics_on_true_labels") == ("pass", 0)
    fw = after.firewall
    assert fw.loc["pseudo_labels", ["index", "content"]].tolist() == [0, 3]
    assert fw.loc["teacher_fit", ["index", "content"]].tolist() == [2, 0]
    assert fw.loc["student_fit", ["index", "content"]].tolist() == [0, 3]


def test_a_pipeline_fit_counts_as_a_preprocessing_fit():
    train, val, unl = frames()
    report = check_leakage(train, val, unl, target="y")
    idx = train.index.append(val.index[:3])
    log = [FitRecord("teacher", 1, "Pipeline", len(idx), idx, unl.index[:0],
                     preprocessing=("StandardScaler",))]
    after = report.with_fit_log(log, [EvalRecord("teacher", 1, val.index, val["y"])])
    assert status(after, "preprocessing_fit_saw_validation") == ("fail", 3)
    clean = [FitRecord("teacher", 1, "Pipeline", 40, train.index, unl.index[:0],
                       preprocessing=("StandardScaler",))]
    assert status(report.with_fit_log(clean, [EvalRecord("teacher", 1, val.index, val["y"])]),
                  "preprocessing_fit_saw_validation") == ("pass", 0)


def test_scores_against_pseudo_labels_or_other_rows_fail():
    train, val, unl = frames()
    report = check_leakage(train, val, unl, target="y")
    wrong = val["y"].copy()
    wrong.iloc[:4] = 1 - wrong.iloc[:4]
    other_rows = train["y"].iloc[:6]
    evals = [EvalRecord("teacher", 1, val.index, val["y"]),
             EvalRecord("student", 1, val.index, wrong),
             EvalRecord("student", 2, other_rows.index, other_rows)]
    after = report.with_fit_log(fit_log(train, unl), evals)
    assert status(after, "metrics_on_true_labels") == ("fail", 10)
    assert len(after.examples("metrics_on_true_labels")) == 5
    assert status(report.with_fit_log(fit_log(train, unl), []), "metrics_on_true_labels") == ("warn", 0)


# -- the report ---------------------------------------------------------------------------------
def test_examples_are_capped_at_five_and_unknown_checks_suggest_a_name():
    train, val, unl = frames()
    copies = val.iloc[:8].drop(columns="y")
    copies.index = range(5000, 5008)
    report = check_leakage(train, val, pd.concat([unl, copies]), target="y")
    assert status(report, "validation_rows_in_unlabeled") == ("warn", 8)
    assert len(report.examples("validation_rows_in_unlabeled")) == 5
    assert report.examples("validation_rows_in_train").empty
    with pytest.raises(PseudoLabelError, match="Did you mean 'validation_rows_in_train'"):
        report.examples("validation_row_in_train")


def test_examples_survive_user_columns_named_like_the_label_columns():
    train, val, unl = frames()
    for df in (train, val, unl):
        df["validation_index"] = 0.5
    copies = val.iloc[:2].drop(columns="y")
    copies.index = [6001, 6002]
    report = check_leakage(train, val, pd.concat([unl, copies]), target="y")
    ex = report.examples("validation_rows_in_unlabeled")
    assert ex.iloc[:, :2].values.tolist() == [[100, 6001], [101, 6002]]


def test_text_and_html_put_failures_first_and_escape_user_strings():
    train, val, unl = frames(n_unl=2000)
    col = "<script>alert(1)</script>"
    for df in (train, val):
        df[col] = df["y"]
    unl[col] = 0
    copies = val.iloc[:2].copy()
    copies.index = [4242, 4243]
    report = check_leakage(pd.concat([train, copies]), val, unl, target="y")
    text = repr(report).splitlines()
    assert "FAIL" in text[1] and "validation_rows_in_train" in text[1]
    assert "WARN" in text[2] and "target_proxy" in text[2]
    page = report._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.index("validation_rows_in_train") < page.index("target_proxy") < page.index("conflicting_labels")


def test_missing_columns_raise_one_sentence_with_a_suggestion():
    train, val, unl = frames()
    with pytest.raises(PseudoLabelError, match="Did you mean 'y'"):
        check_leakage(train, val, unl, target="Y")
    with pytest.raises(PseudoLabelError, match="id_col 'uid'"):
        check_leakage(train, val, unl, target="y", id_col="uid")


def test_no_unlabeled_set_and_empty_validation():
    train, val, _ = frames()
    report = check_leakage(train, val, None, target="y")
    assert report.ok and status(report, "validation_rows_in_unlabeled") == ("pass", 0)
    empty = check_leakage(train, val.iloc[:0], None, target="y")
    assert empty.ok and empty.n_validation == 0
    assert empty.with_fit_log(fit_log(train, train.iloc[:0]), []).ok


# -- end to end through the engine ---------------------------------------------------------
def _numeric(df):
    return df.drop(columns=["c", "s"])


def _teacher():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


def test_run_stops_before_any_fit_on_a_planted_leak_unless_allowed():
    import pseudolabel_magic as pl

    train, val, unl = (_numeric(df) for df in frames(n_train=60, n_val=20, n_unl=1000))
    copies = val.iloc[[1, 3, 5]].copy()
    copies.index = [9001, 9002, 9003]
    train = pd.concat([train, copies])
    events = []
    with pytest.raises(PseudoLabelError, match=r"'validation_rows_in_train' failed \(3 rows\)"):
        pl.run(train, unl, target="y", validation=val, teacher=_teacher(), progress=events.append)
    assert not any(e.step == "teacher" for e in events)  # stopped before the teacher's fit

    result = pl.run(train, unl, target="y", validation=val, teacher=_teacher(),
                    allow_leakage=True)
    assert result.leaky
    assert status(result.leakage, "validation_rows_in_train") == ("fail", 3)
    # copies beyond chance are not excused after the run: both fits saw them
    assert status(result.leakage, "teacher_fit_saw_validation") == ("fail", 3)
    assert status(result.leakage, "student_fit_saw_validation") == ("fail", 3)
    assert status(result.leakage, "metrics_on_true_labels") == ("pass", 0)
    assert "LEAKY" in repr(result)
    # scored apart as well: 17 validation rows without a train twin, beside all 20
    assert result.n_validation_twins == 3 and len(result.metrics_without_twins) == 2


def test_pool_copies_of_validation_rows_never_reach_the_student():
    import pseudolabel_magic as pl

    train, val, unl = (_numeric(df) for df in frames(n_train=60, n_val=20, n_unl=40))
    copies = val.iloc[[1, 3, 5]].drop(columns="y")
    copies.index = [9001, 9002, 9003]
    result = pl.run(train, pd.concat([unl, copies]), target="y", validation=val, teacher=_teacher())
    assert not result.leaky and result.leakage.ok
    assert status(result.leakage, "validation_rows_in_unlabeled") == ("warn", 3)
    assert status(result.leakage, "student_fit_saw_validation") == ("pass", 0)
    assert not result.pseudo_labels.loc[[9001, 9002, 9003], "selected"].any()
    assert result.pseudo_labels["selected"].sum() == 40  # select="all": every other row


def test_a_clean_run_passes_the_after_run_checks():
    import pseudolabel_magic as pl

    train, val, unl = (_numeric(df) for df in frames(n_train=60, n_val=20, n_unl=40))
    result = pl.run(train, unl, target="y", validation=val, teacher=_teacher())
    assert not result.leaky and result.leakage.ok and result.leakage.after_run
    assert result.leakage.checks["check"].tolist() == BEFORE + AFTER
    assert set(result.leakage.checks["status"]) == {"pass"}


def test_float32_copies_upcast_again_by_concat_are_still_copies():
    """A float32 copy that pd.concat turned back into float64 differs from the original in
    the last digits only: compared at float32 precision it is still a copy."""
    train, val, unl = frames(n_unl=2000)
    copies = val.iloc[:4].astype({"a": "float32"}).set_axis([800, 801, 802, 803])
    stacked = pd.concat([train, copies])
    assert stacked["a"].dtype == "float64" and (stacked["a"].iloc[-4:] != val["a"].iloc[:4].to_numpy()).all()
    report = check_leakage(stacked, val, unl, target="y")
    assert status(report, "validation_rows_in_train") == ("fail", 4)


def test_ids_and_groups_shared_only_with_the_pool_warn_before_and_after_the_run():
    train, val, unl = frames()
    val["grp"], train["grp"], unl["grp"] = "g-val", "g-train", "g-val"  # the pool shares a group
    report = check_leakage(train, val, unl, target="y", group_col="grp")
    assert status(report, "shared_group") == ("warn", 20)
    after = report.with_fit_log(fit_log(train, unl), [EvalRecord("teacher", 1, val.index, val["y"])])
    assert after.ok and status(after, "student_fit_saw_validation") == ("pass", 0)


def test_time_order_compares_zones_and_naive_times():
    train, val, unl = frames()
    train["when"] = pd.date_range("2024-01-01", periods=len(train), freq="D")  # naive (UTC)
    val["when"] = pd.date_range("2024-06-01", periods=len(val), freq="D", tz="Asia/Tokyo")
    unl["when"] = pd.Timestamp("2024-03-01")
    assert status(check_leakage(train, val, unl, target="y", time_col="when"), "time_order") == ("pass", 0)
    val["when"] = pd.date_range("2023-06-01", periods=len(val), freq="D", tz="Asia/Tokyo")
    assert status(check_leakage(train, val, unl, target="y", time_col="when"), "time_order") == ("fail", 20)


def test_oversampling_before_the_split_is_refused_even_when_the_pool_holds_every_row():
    """The pool of all rows holds validation's own rows: they must not count as natural twins."""
    from sklearn.model_selection import train_test_split

    train, val, unl = frames(n_train=150, n_val=50, n_unl=2000)
    labeled = pd.concat([train, val])
    oversampled = pd.concat([labeled, labeled.iloc[:60].set_axis(range(5000, 5060))])
    tr, va = train_test_split(oversampled, test_size=0.25, random_state=0)
    everything = pd.concat([unl, labeled.drop(columns="y")])
    report = check_leakage(tr, va, everything, target="y")
    n_twins = int(report.twins.loc["train", "rows"])
    assert n_twins > 5 and status(report, "validation_rows_in_train") == ("fail", n_twins)
    assert "the unlabeled pool contains the labeled rows" in \
        report.checks.set_index("check").loc["validation_rows_in_unlabeled", "detail"]


def test_a_missing_validation_frame_is_one_line():
    import pandas as pd

    import pseudolabel_magic as pl
    from pseudolabel_magic.errors import PseudoLabelError

    train = pd.DataFrame({"a": [1.0, 2.0], "y": [0, 1]})
    with pytest.raises(PseudoLabelError, match="needs the validation rows as a DataFrame, not NoneType"):
        pl.check_leakage(train, None, target="y")
