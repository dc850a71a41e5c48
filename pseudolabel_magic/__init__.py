"""pseudolabel_magic: pseudo-label (teacher/student) learning as one notebook cell or panel.

``import pseudolabel_magic as pl`` is cheap: pandas, scikit-learn and friends load on
first use of ``pl.run`` and the other entry points, so ``%load_ext`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .errors import PseudoLabelError

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time each name loads on first use
    # ruff: noqa: F401 -- re-exports, listed in __all__ through _LAZY
    from .core.compare import ComparisonResult, compare
    from .core.engine import run
    from .core.result import PseudoLabelResult
    from .leakage.checks import check_leakage
    from .leakage.code import CodeReport, check_code
    from .leakage.fitlog import EvalRecord, FitRecord
    from .leakage.report import LeakageReport
    from .notebook.panel import PseudoLabelPanel, panel
    from .render.diagrams import flow_diagram, leakage_diagram
    from .render.svg import Diagram
    from .sklearn import PseudoLabelClassifier, PseudoLabelRegressor
    from .steps import ProgressEvent

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY = {
    "run": "core.engine",
    "PseudoLabelResult": "core.result",
    "ProgressEvent": "steps",
    "FitRecord": "leakage.fitlog",
    "EvalRecord": "leakage.fitlog",
    "check_leakage": "leakage.checks",
    "LeakageReport": "leakage.report",
    "check_code": "leakage.code",
    "CodeReport": "leakage.code",
    "Diagram": "render.svg",
    "flow_diagram": "render.diagrams",
    "leakage_diagram": "render.diagrams",
    "panel": "notebook.panel",
    "PseudoLabelPanel": "notebook.panel",
    "compare": "core.compare",
    "ComparisonResult": "core.compare",
    "PseudoLabelClassifier": "sklearn",
    "PseudoLabelRegressor": "sklearn",
}

__all__ = ["PseudoLabelError", "load_ipython_extension", "unload_ipython_extension", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pseudolabel_magic' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(ipython):
    """``%load_ext pseudolabel_magic`` registers %%pseudolabel, %pseudolabel and %pseudolabel_panel."""
    from .notebook.magic import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):
    from .notebook.magic import unload_ipython_extension as unload

    unload(ipython)
