"""Small synthetic notebooks (lists like IPython's ``In``): expected hits and clean controls."""

from pseudolabel_magic.leakage.code import check_code

IMPORTS = ("import pandas as pd\n"
           "from sklearn.preprocessing import StandardScaler\n"
           "from sklearn.model_selection import train_test_split\n")


def flagged(report):
    return [(r.cell, r.line, r.check) for r in report.findings.itertuples(index=False)]


def test_fits_given_the_validation_variable_are_flagged_with_cell_and_line():
    cells = ["", IMPORTS,
             "train, valid = train_test_split(df)\nmodel.fit(valid[feats], valid['y'])",
             "X = scaler.fit_transform(valid)\nmodel.fit(X=pd.concat([train, valid]), y=y)",
             "%matplotlib inline\nfor seed in range(3):\n    smote.fit_resample(valid, y)"]
    report = check_code(cells, validation_name="valid")
    assert flagged(report) == [(2, 2, "fit_on_validation"), (3, 1, "fit_on_validation"),
                               (3, 2, "fit_on_validation"), (4, 3, "fit_on_validation")]
    assert not report.ok and len(report) == 4
    assert "'valid'" in report.findings["message"].iloc[0]
    assert report.findings["code"].iloc[0] == "model.fit(valid[feats], valid['y'])"


def test_clean_notebook_fits_on_train_and_only_scores_validation():
    cells = ["", IMPORTS,
             "train, valid = train_test_split(df)\nscaler = StandardScaler().fit(train)",
             "model.fit(scaler.transform(train), train['y'])\n"
             "print(model.score(scaler.transform(valid), valid['y']))\n"
             "valid_scores = []\nmodel.fit(train, valid_scores)"]
    report = check_code(cells, validation_name="valid")
    assert flagged(report) == [] and report.ok
    assert "no suspicious fit" in repr(report)


def test_several_validation_names():
    cells = ["X_tr, X_val, y_tr, y_val = train_test_split(X, y)", "model.fit(X_tr, y_val)"]
    assert flagged(check_code(cells, validation_name=["X_val", "y_val"])) == [(1, 1, "fit_on_validation")]
    assert flagged(check_code(cells, validation_name="X_val")) == []


def test_preprocessing_fit_before_the_split_is_flagged():
    cells = ["", IMPORTS,
             "scaler = StandardScaler()\ndf[num] = scaler.fit_transform(df[num])\n"
             "sel = SelectKBest(k=5).fit(df[num], df['y'])",
             "X_res, y_res = SMOTE().fit_resample(X, y)\nimp = SimpleImputer()",
             "imp.fit(df)\ntrain, valid = train_test_split(df)",
             "StandardScaler().fit(train)\nimp.fit_transform(train)"]
    report = check_code(cells, validation_name="valid")
    assert flagged(report) == [(2, 2, "fit_before_split"), (2, 3, "fit_before_split"),
                               (3, 1, "fit_before_split"), (4, 1, "fit_before_split")]
    messages = report.findings["message"].tolist()
    assert messages[0].startswith("StandardScaler.fit_transform() runs before the data is split (In[4])")
    assert messages[1].startswith("SelectKBest.fit()")
    assert messages[3].startswith("SimpleImputer.fit()")


def test_the_plugin_run_and_cell_magic_count_as_the_split():
    before_run = ["", "X = StandardScaler().fit_transform(labeled[cols])", "result = pl.run(labeled, unl, target='y')"]
    assert flagged(check_code(before_run)) == [(1, 1, "fit_before_split")]
    before_magic = ["", "OneHotEncoder().fit(labeled[['city']])", "%%pseudolabel labeled unl --target y\n"]
    assert flagged(check_code(before_magic)) == [(1, 1, "fit_before_split")]
    after_magic = ["", "%%pseudolabel labeled unl --target y\n", "OneHotEncoder().fit(labeled[['city']])"]
    assert flagged(check_code(after_magic)) == []


def test_no_split_in_the_code_means_no_before_split_warning_and_bad_cells_are_skipped():
    cells = ["", "StandardScaler().fit(df)", "this is not python (", "!ls -la"]
    assert flagged(check_code(cells)) == []
    assert flagged(check_code("model.fit(validation)")) == [(0, 1, "fit_on_validation")]


def test_text_and_html_reprs_escape_code():
    report = check_code(["", "valid = df.iloc[:5]\nm.fit(valid, '<b>x</b>')"], validation_name="valid")
    page = report._repr_html_()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "In[1] line 2" in repr(report)
    assert "In[1]" in page


def test_magics_are_read_without_ipython_and_cell_magic_bodies_stay_code():
    """A fit inside a ``%%time`` cell is still seen; ``x = !cmd`` and indented ``!pip`` lines
    do not hide the rest of their cell."""
    cells = ["", "%%time\nmodel.fit(validation, y_val)",
             "files = !ls\nfor m in models:\n    !echo fitting\n    m.fit(validation, y_val)"]
    assert [(c, kind) for c, _, kind in flagged(check_code(cells))] == [
        (1, "fit_on_validation"), (2, "fit_on_validation")]


def test_ipythons_in_list_is_read_as_the_cells_were_typed():
    """``In`` holds IPython's translation of each cell: magics become get_ipython() calls.
    Fits inside %%time, %time (also in a loop) and next to ``obj?`` are still found, the
    %%pseudolabel cell still counts as the split, and %%writefile bodies do not run."""
    cells = ["",
             "get_ipython().run_cell_magic('time', '', 'scaler = StandardScaler().fit(X_val)\\n')",
             "get_ipython().run_line_magic('time', 's2 = StandardScaler().fit(X_val)')",
             "for i in range(2):\n    get_ipython().run_line_magic('time', 'StandardScaler().fit(X_val)')",
             "StandardScaler().fit(X_val)\nget_ipython().run_line_magic('pinfo', 'StandardScaler')",
             "x = %timeit -o -n 1 model.fit(X_val, y_val)",
             "%%writefile helper.py\nmodel.fit(X_val, y_val)"]
    assert flagged(check_code(cells, validation_name="X_val")) == [
        (1, 2, "fit_on_validation"), (2, 1, "fit_on_validation"), (3, 2, "fit_on_validation"),
        (4, 1, "fit_on_validation"), (5, 1, "fit_on_validation")]
    split = ["", "OneHotEncoder().fit(labeled[['city']])",
             "get_ipython().run_cell_magic('pseudolabel', 'labeled unl --target y', '')"]
    assert flagged(check_code(split)) == [(1, 1, "fit_before_split")]
