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
    "run": "core.engine",
    "PseudoLabelResult": "core.result",
    "ProgressEvent": "steps",
    "FitRecord": "leakage.fitlog",
    "EvalRecord": "leakage.fitlog",
    "check_leakage": "leakage.checks",
    "LeakageReport": "leakage.checks",
    "check_code": "leakage.code",
    "CodeReport": "leakage.code",
    "Diagram": "render.diagrams",
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
