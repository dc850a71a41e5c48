"""The package's folders are its architecture: imports point down only (read with ``ast``).

Layers, top to bottom: ``notebook`` > ``recipe`` > ``sklearn`` > ``core`` > ``leakage`` >
``render`` > the base modules (``errors``, ``steps``, ``kinds``). A module imports from its
own folder or a lower layer (imports inside functions count; ``if TYPE_CHECKING:`` blocks,
which never run, do not). No import cycles, no private name imported from another module,
and the engine's layers never import IPython, ipywidgets or traitlets.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pseudolabel_magic"
RANK = {"base": 0, "render": 1, "leakage": 2, "core": 3, "sklearn": 4, "recipe": 5, "notebook": 6,
        "__init__": 7}
BASE = {"errors", "steps", "kinds"}
FRONT_END_ONLY = ("IPython", "ipywidgets", "traitlets")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts:
        return "__init__"
    if parts[0] in BASE:
        return "base"
    return parts[0]


def runtime_nodes(tree):
    """Every node but those under ``if TYPE_CHECKING:``."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    return [n for n in ast.walk(tree) if id(n) not in skip]


def imports(module: str):
    """``[(imported module, [names], line)]`` of one module, package-internal ones resolved."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = []
    for node in runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            names = [a.name for a in node.names]
            for name in names:  # ``from . import x`` imports the module x
                if f"{target}.{name}" in MODULES:
                    out.append((f"{target}.{name}", [], node.lineno))
            out.append((target, names, node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
    return out


def internal_edges():
    edges = {}
    for module in MODULES:
        edges[module] = {(t, tuple(names), line) for t, names, line in imports(module)
                         if t in MODULES and t != module}
    return edges


def test_imports_point_down_the_layers_only():
    wrong = [f"{m}:{line} imports {t} ({layer(m)} -> {layer(t)})"
             for m, found in internal_edges().items() for t, _, line in found
             if layer(t) != layer(m) and RANK[layer(t)] > RANK[layer(m)] and layer(m) != "__init__"]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    graph = {m: {t for t, _, _ in found if t != "pseudolabel_magic"}
             for m, found in internal_edges().items()}
    cycles, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_no_private_name_is_imported_from_another_module():
    wrong = [f"{m}:{line} imports {name} from {t}"
             for m, found in internal_edges().items() for t, names, line in found
             for name in names if name.startswith("_") and f"{t}.{name}" not in MODULES]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("folder", ["core", "leakage", "render", "base"])
def test_the_engine_never_imports_the_notebook(folder):
    wrong = [f"{m}:{line} imports {t}" for m in MODULES if layer(m) == folder
             for t, _, line in imports(m) if t and t.split(".")[0] in FRONT_END_ONLY]
    assert not wrong, "\n".join(wrong)


def test_the_layout_checks_see_every_module():
    """The checks above are real: they find the modules of every folder and their imports."""
    layers = {layer(m) for m in MODULES}
    assert layers == set(RANK)
    assert ("pseudolabel_magic.core.config", ("SETTINGS",)) in {
        (t, names) for t, names, _ in internal_edges()["pseudolabel_magic.recipe.resolve"]}


def test_import_loads_nothing_heavy():
    """``import pseudolabel_magic`` (what ``%load_ext`` starts with) loads no pandas,
    scikit-learn, IPython or ipywidgets; its time is measured in benchmarks/import_time.py."""
    code = ("import sys, pseudolabel_magic as pl; pl.__version__; "
            "print(sorted(m for m in ('pandas', 'sklearn', 'IPython', 'ipywidgets', 'numpy', "
            "'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PACKAGE.parent)
    assert out.stdout.strip() == "[]"


def test_the_lazy_names_and_the_type_checking_block_agree():
    """``pl.run`` and friends load on first use; type checkers read the TYPE_CHECKING block.
    Both name the same object for every public name."""
    import importlib

    import pseudolabel_magic as pl

    tree = ast.parse(MODULES["pseudolabel_magic"].read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and getattr(n.test, "id", None) == "TYPE_CHECKING")
    typed = {a.name: node.module for node in block.body for a in node.names}
    lazy = {name: module for name, module in pl._LAZY.items()}
    assert set(typed) == set(lazy)
    for name, module in typed.items():
        defined = importlib.import_module(f"pseudolabel_magic.{module}")
        assert getattr(pl, name) is getattr(defined, name), name
        assert module == lazy[name], name  # the lazy table names the defining module too
