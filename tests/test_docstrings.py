"""The public API's numpydoc docstrings: sections present, parameters in step with the
signatures (``run``'s with :data:`SETTINGS`), ``run`` fully annotated, examples that run.

Sections are read from the headers (a title underlined with dashes); when ``numpydoc`` is
installed its parser must also read every docstring without a warning.
"""

from __future__ import annotations

import dataclasses
import doctest
import inspect
import re
import typing
import warnings

import pytest

import pseudolabel_magic as pl
from pseudolabel_magic.core import compare as compare_module
from pseudolabel_magic.core import engine
from pseudolabel_magic.core.config import SETTINGS

FUNCTION_SECTIONS = {"Parameters", "Returns", "Raises", "References", "Examples"}
CLASS_SECTIONS = {"Attributes", "References", "Examples"}

#: public object -> sections its docstring must have
PUBLIC = {
    "run": FUNCTION_SECTIONS,
    "compare": FUNCTION_SECTIONS,
    "check_leakage": FUNCTION_SECTIONS,
    "check_code": FUNCTION_SECTIONS,
    "PseudoLabelResult": CLASS_SECTIONS,
    "LeakageReport": CLASS_SECTIONS | {"Parameters"},
    "PseudoLabelClassifier": CLASS_SECTIONS | {"Parameters"},
    "PseudoLabelRegressor": CLASS_SECTIONS | {"Parameters"},
}

#: (class, method) -> sections the method's docstring must have
METHODS = {
    ("PseudoLabelClassifier", "fit"): {"Parameters", "Returns", "Raises"},
    ("PseudoLabelClassifier", "predict"): {"Parameters", "Returns"},
    ("PseudoLabelClassifier", "predict_proba"): {"Parameters", "Returns"},
    ("PseudoLabelClassifier", "score"): {"Parameters", "Returns", "Raises"},
    ("PseudoLabelRegressor", "fit"): {"Parameters", "Returns", "Raises"},
    ("PseudoLabelRegressor", "score"): {"Parameters", "Returns", "Raises"},
    ("PseudoLabelResult", "summary"): {"Returns"},
    ("PseudoLabelResult", "diagram"): {"Parameters", "Returns"},
    ("PseudoLabelResult", "to_code"): {"Returns"},
    ("PseudoLabelResult", "plot_confidence"): {"Parameters", "Returns"},
    ("PseudoLabelResult", "plot_classes"): {"Parameters", "Returns"},
    ("PseudoLabelResult", "plot_metrics"): {"Parameters", "Returns"},
    ("PseudoLabelResult", "plot_rounds"): {"Parameters", "Returns"},
    ("LeakageReport", "examples"): {"Parameters", "Returns", "Raises"},
    ("LeakageReport", "raise_if_failed"): {"Raises"},
    ("LeakageReport", "unlabeled_rows_like_validation"): {"Returns"},
    ("LeakageReport", "with_fit_log"): {"Parameters", "Returns"},
    ("LeakageReport", "diagram"): {"Returns"},
}

#: the works a References section may cite; every public object cites at least one
WORKS = ("Pseudo-Label: The Simple and Efficient", "Pseudo-Labeling and Confirmation Bias",
         "Realistic Evaluation of Deep Semi-Supervised", "Leakage in ")


def _public(name):
    return getattr(pl, name)


def sections(doc: str) -> dict[str, list[str]]:
    """Section title -> its lines (dedented), read from numpydoc's underlined headers."""
    lines = inspect.cleandoc(doc).splitlines()
    out: dict[str, list[str]] = {"Summary": []}
    current, skip = "Summary", False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        below = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.strip() and below and set(below) == {"-"} and len(below) == len(line.strip()):
            current, skip = line.strip(), True
            assert current not in out, f"section {current!r} twice"
            out[current] = []
            continue
        out[current].append(line)
    return out


def entry_names(section: list[str]) -> list[str]:
    """The names an Parameters/Attributes section documents (``a, b : type`` gives a, b)."""
    names = []
    for line in section:
        if line and not line[0].isspace():
            head = line.split(" : ", 1)[0]
            names += [n.strip() for n in head.split(",") if n.strip()]
    return names


def entries(section: list[str]) -> dict[str, str]:
    """Name -> its description on one line (whitespace collapsed)."""
    out, name = {}, None
    for line in section:
        if line and not line[0].isspace():
            name = line.split(" : ", 1)[0]
            out[name] = ""
        elif name is not None:
            out[name] = " ".join((out[name] + " " + line.strip()).split())
    return out


def _signature_names(func) -> list[str]:
    names = []
    for p in inspect.signature(func).parameters.values():
        if p.name == "self":
            continue
        names.append({p.VAR_KEYWORD: "**", p.VAR_POSITIONAL: "*"}.get(p.kind, "") + p.name)
    return names


# -- sections ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PUBLIC)
def test_public_objects_have_the_numpydoc_sections(name):
    found = sections(_public(name).__doc__)
    assert PUBLIC[name] <= set(found), f"{name} lacks {PUBLIC[name] - set(found)}"
    for title in PUBLIC[name]:
        assert "".join(found[title]).strip(), f"{name}: empty {title} section"
    references = "\n".join(found["References"])
    assert any(work in references for work in WORKS), name
    assert any(line.startswith(">>> ") for line in found["Examples"]), name


@pytest.mark.parametrize(("owner", "method"), METHODS)
def test_public_methods_have_their_sections(owner, method):
    found = sections(getattr(_public(owner), method).__doc__)
    assert METHODS[(owner, method)] <= set(found), (owner, method)


@pytest.mark.parametrize("owner", ["PseudoLabelResult", "LeakageReport"])
def test_every_public_method_and_property_has_a_docstring(owner):
    cls = _public(owner)
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, property) or inspect.isfunction(member):
            assert (member.__doc__ or "").strip(), f"{owner}.{name} has no docstring"


@pytest.mark.parametrize("name", ["run", "compare", "check_leakage", "check_code"])
def test_parameters_section_matches_the_signature(name):
    func = _public(name)
    documented = entry_names(sections(func.__doc__)["Parameters"])
    assert documented == _signature_names(func)


@pytest.mark.parametrize("name", ["LeakageReport", "PseudoLabelClassifier", "PseudoLabelRegressor"])
def test_class_parameters_match_init(name):
    cls = _public(name)
    documented = entry_names(sections(cls.__doc__)["Parameters"])
    assert documented == _signature_names(cls.__init__)


def test_result_attributes_cover_every_field():
    documented = set(entry_names(sections(pl.PseudoLabelResult.__doc__)["Attributes"]))
    fields = {f.name for f in dataclasses.fields(pl.PseudoLabelResult)}
    assert fields <= documented, fields - documented


# -- run: generated from SETTINGS, annotated -----------------------------------------------
def test_run_documents_every_setting_from_the_settings_table():
    """Every SETTINGS row is in run's Parameters: its help line, its rule, its default."""
    doc = pl.run.__doc__
    assert "%(parameters)s" not in doc
    params = sections(doc)["Parameters"]
    described = entries(params)
    heads = {line.split(" : ", 1)[0]: line for line in params if line and not line[0].isspace()}
    for name, setting in SETTINGS.items():
        assert name in described, name
        text = described[name].lower()
        assert " ".join(setting.help.split()).lower().rstrip(".") in text, name
        assert " ".join(setting.expected.split()).lower() in text, name
        if name != "target":  # the one setting without a default
            assert heads[name].endswith(f"default={setting.default!r}"), heads[name]
    assert set(described) == set(SETTINGS) | {"labeled", "unlabeled", "validation"}


def test_run_parameters_carry_types_and_shapes():
    heads = {line.split(" : ", 1)[0]: line.split(" : ", 1)[1]
             for line in sections(pl.run.__doc__)["Parameters"] if line and not line[0].isspace()}
    assert heads["labeled"] == "pandas.DataFrame of shape (n_labeled, n_columns)"
    assert heads["sample_weight"].startswith("array-like of shape (n_labeled,)")
    assert heads["select"].startswith("{'all', 'threshold', 'k-best', 'auto'}")
    typing_words = re.compile(r"\[|\bpd\.|\bnp\.|\bdd\.|Literal|Sequence|Hashable")
    for name, kind in heads.items():  # typing spellings are all translated
        assert not typing_words.search(kind), (name, kind)


def test_every_parameter_of_run_is_annotated():
    signature = inspect.signature(pl.run)
    missing = [p.name for p in signature.parameters.values()
               if p.annotation is inspect.Parameter.empty]
    assert not missing
    assert signature.return_annotation is not inspect.Signature.empty


def test_run_annotations_resolve():
    """The annotations name real types (the heavy ones are imported for type checkers only)."""
    pytest.importorskip("dask.dataframe")
    import dask.dataframe as dd
    import numpy as np
    import pandas as pd
    from numpy.typing import ArrayLike
    from sklearn.base import BaseEstimator
    from sklearn.model_selection import BaseCrossValidator, BaseShuffleSplit

    from pseudolabel_magic.steps import ProgressEvent

    namespace = {**vars(engine), "dd": dd, "np": np, "pd": pd, "ArrayLike": ArrayLike,
                 "BaseEstimator": BaseEstimator, "BaseCrossValidator": BaseCrossValidator,
                 "BaseShuffleSplit": BaseShuffleSplit, "ProgressEvent": ProgressEvent}
    hints = typing.get_type_hints(pl.run, globalns=namespace)
    assert set(hints) == set(inspect.signature(pl.run).parameters) | {"return"}
    assert hints["return"] is pl.PseudoLabelResult


# -- length of the entry points ------------------------------------------------------------
@pytest.mark.parametrize("module", [engine, compare_module])
def test_functions_stay_short(module):
    for name, func in vars(module).items():
        if inspect.isfunction(func) and func.__module__ == module.__name__:
            assert len(inspect.getsourcelines(func)[0]) <= 60, name


def test_engine_uses_the_shared_dask_check():
    source = inspect.getsource(engine)
    assert "is_dask_frame" in source and "_is_dask(" not in source


# -- examples run --------------------------------------------------------------------------
def _doctests():
    finder = doctest.DocTestFinder(recurse=False)
    objects = [(name, _public(name)) for name in PUBLIC]
    objects += [(f"{owner}.{method}", getattr(_public(owner), method)) for owner, method in METHODS]
    for name, obj in objects:
        for test in finder.find(obj, name, globs={}):
            if test.examples:
                yield pytest.param(test, id=name)


@pytest.mark.parametrize("test", list(_doctests()))
def test_examples_run(test, tmp_path, monkeypatch):
    import builtins

    monkeypatch.chdir(tmp_path)  # nothing an example writes lands in the repository
    # doctest shows values with sys.__displayhook__, which sets builtins._; IPython then
    # stops setting ``_`` in a shell's namespace: undo it after the example
    monkeypatch.setattr(builtins, "_", None, raising=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an example's output is its printed values
        runner.run(test, out=lambda text: pytest.fail(text, pytrace=False))
    assert runner.failures == 0


# -- numpydoc's own parser (a test dependency) ----------------------------------------------
@pytest.mark.parametrize("name", PUBLIC)
def test_numpydoc_reads_the_docstrings(name):
    from numpydoc import docscrape
    obj = _public(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = (docscrape.ClassDoc(obj) if inspect.isclass(obj)
               else docscrape.FunctionDoc(obj))
    for title in PUBLIC[name]:
        assert doc[title], (name, title)
