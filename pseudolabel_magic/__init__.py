"""pseudolabel_magic: pseudo-label (teacher/student) learning as one notebook cell or panel.

``import pseudolabel_magic as pl`` is cheap: pandas, scikit-learn and friends load on
first use of ``pl.run`` and the other entry points, so ``%load_ext`` stays fast.
"""

from __future__ import annotations

from importlib import import_module

from .errors import PseudoLabelError

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY = {
    "run": "engine",
    "PseudoLabelResult": "result",
    "ProgressEvent": "steps",
    "FitRecord": "fitlog",
    "EvalRecord": "fitlog",
    "check_leakage": "leakage",
    "LeakageReport": "leakage",
    "check_code": "codecheck",
    "CodeReport": "codecheck",
    "Diagram": "diagrams",
    "flow_diagram": "diagrams",
    "leakage_diagram": "diagrams",
    "panel": "panel_app",
    "PseudoLabelPanel": "panel_app",
    "compare": "comparison",
    "ComparisonResult": "comparison",
    "PseudoLabelClassifier": "sklearn_api",
    "PseudoLabelRegressor": "sklearn_api",
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
    from .magic import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):
    from .magic import unload_ipython_extension as unload

    unload(ipython)
