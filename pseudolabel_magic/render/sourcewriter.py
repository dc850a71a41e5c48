"""Python values and estimators as source text, with the imports and helpers they need.

Both the ``to_code`` script and the ``--explain`` code lines must name the user's models
the way they would write them: an estimator from its parameters (only those that differ
from the default, as scikit-learn's repr does), a class from its public module, and a
class or function defined by this package (the default model's small transformers, the
selection and confidence rules the script repeats) copied in as source, with the package
functions it calls, since the script must run without the plugin installed.
"""

from __future__ import annotations

import ast
import inspect
import math
import numbers
import textwrap
from collections.abc import Callable
from importlib import import_module
from typing import Any

_PACKAGE = __name__.split(".", 1)[0]  # the top-level package
#: Modules a script binds at its top (``import numpy as np``, ``import pandas as pd``).
_SCRIPT_MODULES = {"np": "numpy", "pd": "pandas"}


class Writer:
    """Turns values into source text, collecting the imports and helpers they need.

    ``imports`` maps a module to the names imported from it; ``helpers`` maps a name to
    the source that defines it (the script lists them in this order, before its steps).
    """

    def __init__(self):
        self.imports: dict[str, set] = {}
        self.helpers: dict[str, str] = {}
        self._copying: set[str] = set()

    def need(self, module: str, name: str) -> str:
        """Import ``name`` from ``module`` at the top of the code.

        Parameters
        ----------
        module : str
            A module path, such as ``"sklearn.base"``.
        name : str
            The name the code uses, such as ``"clone"``.

        Returns
        -------
        str
            ``name``, to write into the code.
        """
        self.imports.setdefault(module, set()).add(name)
        return name

    def value(self, v: Any) -> str:
        """Source text that builds ``v``: a literal, an estimator, an array or a named object.

        Parameters
        ----------
        v : object
            A setting's value: None, a number, a string, a list/tuple/dict of those, an
            estimator (unfitted, from its parameters), a NumPy array, a class or a function.

        Returns
        -------
        str
            The expression; anything else is written as its ``repr``.
        """
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
        """A class or function by name: imported from its public module, or copied in.

        Parameters
        ----------
        obj : type or function
            A class or function; one of this package is copied in as source (see
            :meth:`copy_function`), one of the notebook or the builtins is already in scope.

        Returns
        -------
        str
            The name the code uses.
        """
        name = obj.__name__
        module = getattr(obj, "__module__", "") or ""
        if module == "numpy" or module.startswith("numpy."):
            return f"np.{name}" if hasattr(import_module("numpy"), name) else name
        if module == _PACKAGE or module.startswith(_PACKAGE + "."):
            if not isinstance(obj, type):
                return self.copy_function(obj)
            for base in obj.__bases__:  # a class's bases come first: imported, or copied in
                if base is not object:
                    self.named(base)
            self.helpers[name] = inspect.getsource(obj)
            return name
        if module in ("__main__", "builtins") or not module:
            return name  # defined in the notebook (or a builtin): already in scope
        return self.need(_public_module(obj, module), name)

    def copy_function(self, func: Callable) -> str:
        """Copy a function of this package into the code, after what it needs.

        The functions it calls are copied first (or imported, when not the package's);
        a name bound to another name (``_step = final_step``) gets an assignment after the
        copy; ``np`` and ``pd`` are the script's own imports.

        Parameters
        ----------
        func : function
            A module-level function (its source is read with :func:`inspect.getsource`).

        Returns
        -------
        str
            The function's name in the code.

        Raises
        ------
        ValueError
            When the function uses a global the code cannot repeat (a module other than
            NumPy and pandas, or an object that is neither a function, a class nor a
            plain constant).
        """
        name = func.__name__
        if name in self.helpers or name in self._copying:
            return name
        self._copying.add(name)
        source = textwrap.dedent(inspect.getsource(func))
        for global_name, obj in _globals_used(func, source):
            self._copy_global(func, global_name, obj)
        self._copying.discard(name)
        self.helpers[name] = source
        return name

    def _copy_global(self, func: Callable, global_name: str, obj: Any) -> None:
        """Make one global that ``func`` reads exist in the code."""
        if inspect.ismodule(obj):
            if _SCRIPT_MODULES.get(global_name) != obj.__name__:
                raise ValueError(f"{func.__name__} uses the module {global_name!r}; the code "
                                 "imports only numpy as np and pandas as pd")
            return
        if inspect.isfunction(obj) or isinstance(obj, type):
            written = self.named(obj)
            if written != global_name:  # imported under another name
                self.helpers[global_name] = f"{global_name} = {written}\n"
            return
        if obj is None or isinstance(obj, (bool, numbers.Number, str, tuple)):
            self.helpers[global_name] = f"{global_name} = {self.value(obj)}\n"
            return
        raise ValueError(f"{func.__name__} uses {global_name!r} ({type(obj).__name__}), which "
                         "cannot be copied into the code")

    def estimator(self, est: Any) -> str:
        """``Class(param=value, ...)`` of an estimator, with the parameters changed from the default.

        Parameters
        ----------
        est : estimator
            Anything with ``get_params``; nested estimators are written the same way.

        Returns
        -------
        str
            The expression that builds an unfitted copy of ``est``.
        """
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
        """``from module import a, b`` lines of what the code needs, sorted.

        Returns
        -------
        list of str
            One line per module.
        """
        return [f"from {module} import {', '.join(sorted(names))}"
                for module, names in sorted(self.imports.items())]


def _globals_used(func: Callable, source: str) -> list[tuple[str, Any]]:
    """``(name, object)`` of the module globals ``func`` reads, in the order they appear."""
    local: set[str] = set()
    codes = [func.__code__]
    while codes:  # the function's own names and those of its comprehensions and lambdas
        code = codes.pop()
        local.update(code.co_varnames, code.co_cellvars)
        codes += [c for c in code.co_consts if inspect.iscode(c)]
    found: dict[str, Any] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            name = node.id
            if name not in local and name not in found and name in func.__globals__:
                found[name] = func.__globals__[name]
    return [(name, obj) for name, obj in found.items() if obj is not func]


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
    """Source text that builds ``est`` (unfitted), e.g. ``LogisticRegression(C=0.5)``.

    Parameters
    ----------
    est : estimator
        A scikit-learn estimator or Pipeline.

    Returns
    -------
    str
        The expression, without the imports it needs.
    """
    return Writer().value(est)
