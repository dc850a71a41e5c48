"""Python values and estimators as source text, with the imports and helpers they need.

Both the ``to_code`` script and the ``--explain`` code lines must name the user's models
the way they would write them: an estimator from its parameters (only those that differ
from the default, as scikit-learn's repr does), a class from its public module, and a
helper defined by this package (the default model's small transformers) copied in as
source, since the script must run without the plugin installed.
"""

from __future__ import annotations

import inspect
import math
import numbers
from importlib import import_module
from typing import Any

_PACKAGE = __name__.split(".", 1)[0]  # the top-level package


class _Writer:
    """Turns values into source text, collecting the imports and helpers they need."""

    def __init__(self):
        self.imports: dict[str, set] = {}
        self.helpers: dict[str, str] = {}

    def need(self, module: str, name: str) -> str:
        self.imports.setdefault(module, set()).add(name)
        return name

    def value(self, v: Any) -> str:
        if v is None or isinstance(v, (bool, str)):
            return repr(v)
        if isinstance(v, numbers.Integral):
            return repr(int(v))
        if isinstance(v, numbers.Real):
            f = float(v)
            if math.isnan(f):
                return "np.nan"
            if math.isinf(f):
                return "np.inf" if f > 0 else "-np.inf"
            return repr(f)
        if isinstance(v, list):
            return "[" + ", ".join(self.value(x) for x in v) + "]"
        if isinstance(v, tuple):
            inner = ", ".join(self.value(x) for x in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{self.value(k)}: {self.value(x)}" for k, x in v.items()) + "}"
        if hasattr(v, "get_params") and hasattr(v, "fit"):
            return self.estimator(v)
        if type(v).__module__ == "numpy" and hasattr(v, "tolist"):  # ndarray
            return f"np.array({self.value(v.tolist())})"
        if isinstance(v, type) or inspect.isfunction(v) or inspect.isbuiltin(v):
            return self.named(v)
        return repr(v)

    def named(self, obj: Any) -> str:
        """A class or function by name: imported from its public module, or copied in."""
        name = obj.__name__
        module = getattr(obj, "__module__", "") or ""
        if module == "numpy" or module.startswith("numpy."):
            return f"np.{name}" if hasattr(import_module("numpy"), name) else name
        if module == _PACKAGE or module.startswith(_PACKAGE + "."):
            if isinstance(obj, type):  # a class's bases come first: imported, or copied in
                for base in obj.__bases__:
                    if base is not object:
                        self.named(base)
            self.helpers[name] = inspect.getsource(obj)
            return name
        if module in ("__main__", "builtins") or not module:
            return name  # defined in the notebook (or a builtin): already in scope
        return self.need(_public_module(obj, module), name)

    def estimator(self, est: Any) -> str:
        cls = type(est)
        name = self.named(cls)
        params = est.get_params(deep=False)
        try:
            signature = inspect.signature(cls.__init__).parameters
        except (TypeError, ValueError):
            signature = {}
        args = []
        for key, value in params.items():
            default = signature[key].default if key in signature else inspect.Parameter.empty
            if default is not inspect.Parameter.empty and _same(value, default):
                continue
            args.append(f"{key}={self.value(value)}")
        return f"{name}({', '.join(args)})"

    def import_lines(self) -> list[str]:
        return [f"from {module} import {', '.join(sorted(names))}"
                for module, names in sorted(self.imports.items())]


#: The writer, for modules that name values as source (``--explain``'s code lines).
Writer = _Writer


def _public_module(obj: Any, module: str) -> str:
    """``sklearn.ensemble`` for a class defined in ``sklearn.ensemble._forest``."""
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        candidate = ".".join(parts[:end])
        if end < len(parts) and parts[end].startswith("_") or end == len(parts):
            try:
                if getattr(import_module(candidate), obj.__name__, None) is obj:
                    return candidate
            except ImportError:
                pass
    return module


def _same(value: Any, default: Any) -> bool:
    if value is default:
        return True
    if isinstance(value, float) and isinstance(default, float) and math.isnan(value) and math.isnan(default):
        return True
    if type(value) is not type(default) and not (
        isinstance(value, numbers.Number) and isinstance(default, numbers.Number)
        and not isinstance(value, bool) and not isinstance(default, bool)
    ):
        return False
    try:
        return bool(value == default)
    except Exception:  # noqa: BLE001 - a value that cannot compare is not the default
        return False


def estimator_code(est: Any) -> str:
    """Source text that builds ``est`` (unfitted), e.g. ``LogisticRegression(C=0.5)``."""
    return _Writer().value(est)
