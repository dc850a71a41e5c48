"""Advisory static checks of a notebook's executed code for two classic leaks.

The runtime checks in :mod:`pseudolabel_magic.leakage.checks` are authoritative for what the engine
fits; they cannot see what the user did *before* calling it. Two mistakes are common enough
(Yang et al., ASE 2022; scikit-learn's "Common pitfalls") to be worth a name-based look at
the cells, in execution order:

``fit_on_validation``
    ``fit``/``fit_transform``/``fit_resample``/``partial_fit`` called with the validation
    variable (or an expression built from it) as an argument.
``fit_before_split``
    a scaler, imputer, encoder, feature selector, decomposition, vectoriser or oversampler
    fit before the data was split, so its statistics include the validation rows. The split
    is the first ``train_test_split``, the first assignment to the validation variable, or
    the first ``pl.run`` / ``%%pseudolabel`` cell (the plugin splits inside the run); code
    that never splits gets no such warning, since there is no "before" to point at.

Names only, no data flow: findings are warnings to read, never errors.
"""

from __future__ import annotations

import ast
import html
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import pandas as pd

FIT_METHODS = frozenset({"fit", "fit_transform", "fit_resample", "partial_fit"})
#: class-name patterns of estimators whose fit learns statistics of the rows it sees
_PREPROCESSOR = re.compile(
    r"(Scaler|Imputer|Encoder|Normalizer|Transformer|Discretizer|Binarizer|Vectorizer|"
    r"^Select|^RFE|VarianceThreshold|^PCA$|PCA$|SVD$|^NMF$|^ICA$|FastICA|PolynomialFeatures|"
    r"Sampler$|^SMOTE|^ADASYN|^BorderlineSMOTE|^SVMSMOTE|^KMeansSMOTE)")
_SPLIT_FUNCS = frozenset({"train_test_split"})
_PLUGIN_NAMES = frozenset({"pl", "pseudolabel_magic"})
COLUMNS = ["cell", "line", "check", "code", "message"]


@dataclass(frozen=True)
class _Stmt:
    cell: int
    line: int
    code: str
    node: ast.stmt


_MAGIC_VALUE = re.compile(r"^(\s*[\w.,\[\]\s]+?=\s*)[%!].*$")
#: line magics whose argument is code that runs: ``%time model.fit(X_val)`` fits on X_val
_CODE_MAGICS = ("time", "timeit", "prun")
_LINE_MAGIC = re.compile(r"^(\s*)%(\w+)\s*(.*)$")


def _magic_code(args: str) -> str:
    """The code of ``%timeit -n 3 -o expr``: the options dropped."""
    words = args.split()
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if option in ("-n", "-r", "-p", "-l", "-s", "-T", "-D") and words:
            words.pop(0)
    return " ".join(words)


def _python_line(line: str) -> str:
    magic = _LINE_MAGIC.match(line)
    if magic and magic.group(2) in _CODE_MAGICS:
        return magic.group(1) + _magic_code(magic.group(3))
    if line.lstrip().startswith(("%", "!")) or line.rstrip().endswith("?"):
        return "#" + line  # a magic, a shell line, obj? help
    value = _MAGIC_VALUE.match(line)
    if value:  # x = %timeit -o model.fit(X) keeps its code; x = !ls becomes x = None
        rest = line[value.end(1):]
        magic = _LINE_MAGIC.match(rest)
        if magic and magic.group(2) in _CODE_MAGICS:
            return value.group(1) + _magic_code(magic.group(3))
        return value.group(1) + "None"
    return line


def _raw_cell(source: str) -> str:
    """A cell as typed, from IPython's ``In`` (which holds the translated cell): a cell magic
    ``get_ipython().run_cell_magic('time', '', body)`` becomes ``%%time`` + body, and a line
    ``get_ipython().run_line_magic('time', 'code')`` becomes ``%time code``."""
    if "get_ipython()" not in source:
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        call = tree.body[0].value
        if (isinstance(call, ast.Call) and _call_name(call.func) == "run_cell_magic"
                and len(call.args) == 3 and all(isinstance(a, ast.Constant) for a in call.args)):
            name, line, body = (a.value for a in call.args)
            return f"%%{name} {line}".rstrip() + "\n" + body
    lines = source.splitlines()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and _call_name(node.func) == "run_line_magic"
                and len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args)
                and node.lineno == node.end_lineno):
            text = lines[node.lineno - 1]
            call_text = text[node.col_offset:node.end_col_offset]
            magic = f"%{node.args[0].value} {node.args[1].value}".rstrip()
            lines[node.lineno - 1] = text.replace(call_text, magic, 1)
    return "\n".join(lines)


def _python_source(source: str) -> str:
    """IPython syntax made parseable Python, keeping line numbers: magic and ``!shell`` lines
    are commented out (``%time`` and ``%timeit`` keep their code), ``x = !cmd`` becomes
    ``x = None``. A cell magic's body stays code, so a fit inside ``%%time`` is still read
    (IPython's own transformer would hide it in a string); a body that is not Python is
    skipped as a syntax error, and ``%%writefile``/``%%bash``-like cells are not code."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%") and not lines[0].lstrip()[2:].startswith(
            ("time", "timeit", "capture", "prun", "pseudolabel")):
        return ""  # %%writefile, %%bash, %%html ...: the body does not run as Python here
    return "\n".join(_python_line(line) for line in lines)


def _statements(sources: Sequence[str]) -> tuple[list[_Stmt], int | None]:
    """Top-level statements in execution order, and the first cell that is a %%pseudolabel run."""
    out, plugin_cell = [], None
    for cell, source in enumerate(sources):
        source = _raw_cell(source or "")
        if plugin_cell is None and source.lstrip().startswith(("%%pseudolabel", "%pseudolabel ")):
            plugin_cell = cell
        try:
            tree = ast.parse(_python_source(source))
        except SyntaxError:
            continue
        lines = source.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                if getattr(node, "body", None) is None:  # simple statements only
                    text = lines[node.lineno - 1].strip() if node.lineno <= len(lines) else ""
                    out.append(_Stmt(cell, node.lineno, text, node))
    out.sort(key=lambda s: (s.cell, s.line))
    return out, plugin_cell


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _targets(stmt: ast.stmt) -> set[str]:
    targets = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _is_split(stmt: _Stmt, validation: set[str]) -> bool:
    if _targets(stmt.node) & validation:
        return True
    for call in (n for n in ast.walk(stmt.node) if isinstance(n, ast.Call)):
        name = _call_name(call.func)
        if name in _SPLIT_FUNCS:
            return True
        if (name == "run" and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id in _PLUGIN_NAMES):
            return True
    return False


def _estimator_class(receiver: ast.expr, known: dict[str, str]) -> str:
    """Class name behind ``StandardScaler().fit`` or ``scaler.fit`` (via an earlier assignment)."""
    if isinstance(receiver, ast.Call):
        return _call_name(receiver.func)
    if isinstance(receiver, ast.Name):
        return known.get(receiver.id, "")
    return ""


def _remember_estimators(stmt: ast.stmt, known: dict[str, str]) -> None:
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                known[target.id] = _call_name(stmt.value.func)


def _fit_calls(stmt: ast.stmt):
    for call in ast.walk(stmt):
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr in FIT_METHODS):
            yield call


def _split_point(stmts: list[_Stmt], plugin_cell: int | None, validation: set[str]):
    """(cell, line) where the data is first split; None when the code never splits it."""
    points = [(s.cell, s.line) for s in stmts if _is_split(s, validation)]
    if plugin_cell is not None:
        points.append((plugin_cell, 0))
    return min(points) if points else None


def _finding(stmt: _Stmt, check: str, message: str) -> dict:
    return dict(cell=stmt.cell, line=stmt.line, check=check, code=stmt.code, message=message)


def _findings(sources: Sequence[str], validation: set[str]) -> list[dict]:
    stmts, plugin_cell = _statements(sources)
    split = _split_point(stmts, plugin_cell, validation)
    known: dict[str, str] = {}
    found = []
    for stmt in stmts:
        _remember_estimators(stmt.node, known)
        for call in _fit_calls(stmt.node):
            args = list(call.args) + [k.value for k in call.keywords]
            used = sorted(set().union(set(), *(_names_in(a) for a in args)) & validation)
            method = call.func.attr
            if used:
                found.append(_finding(stmt, "fit_on_validation", (
                    f"{method}() is given the validation variable {used[0]!r}: the model "
                    "learns from the rows meant to score it; fit on train only.")))
                continue
            cls = _estimator_class(call.func.value, known)
            preprocessor = method == "fit_resample" or bool(_PREPROCESSOR.search(cls))
            if preprocessor and split is not None and (stmt.cell, stmt.line) < split:
                found.append(_finding(stmt, "fit_before_split", (
                    f"{cls or 'an oversampler'}.{method}() runs before the data is split "
                    f"(In[{split[0]}]), so its statistics include the validation rows; split "
                    "first and fit it on train, or put it in a Pipeline.")))
    return found


class CodeReport:
    """Advisory findings, one per flagged call; renders as text and HTML, same content."""

    def __init__(self, findings: pd.DataFrame):
        self.findings = findings

    @property
    def ok(self) -> bool:
        return self.findings.empty

    def __len__(self) -> int:
        return len(self.findings)

    def _lines(self) -> list[str]:
        if self.findings.empty:
            return ["check_code (advisory): no suspicious fit found."]
        lines = [f"check_code (advisory): {len(self.findings)} warning(s)"]
        for row in self.findings.itertuples(index=False):
            lines.append(f"  ! In[{row.cell}] line {row.line} [{row.check}]: {row.code}")
            lines.append(f"      {row.message}")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        esc = html.escape
        if self.findings.empty:
            return f"<p>{esc(self._lines()[0])}</p>"
        rows = "".join(
            f"<tr><td>In[{row.cell}]</td><td>{row.line}</td><td>{esc(row.check)}</td>"
            f"<td><code>{esc(row.code)}</code></td><td>{esc(row.message)}</td></tr>"
            for row in self.findings.itertuples(index=False))
        return (f"<div><p><b>check_code</b> (advisory): {len(self.findings)} warning(s)</p><table>"
                "<thead><tr><th>cell</th><th>line</th><th>check</th><th>code</th><th>message</th>"
                f"</tr></thead><tbody>{rows}</tbody></table></div>")


def check_code(sources: Sequence[str] | str, validation_name: str | Iterable[str] = "validation"
               ) -> CodeReport:
    """Flag fits on the validation variable and preprocessing fit before the split.

    An advisory, name-based look at the notebook's executed code for two classic leaks
    [1]_ [2]_ (``fit_on_validation``, ``fit_before_split``; see the module docstring). It reads names,
    not data flow: a finding is a warning to read, never an error, and the runtime checks
    of :func:`pseudolabel_magic.check_leakage` stay authoritative for what ``pl.run`` fits.

    Parameters
    ----------
    sources : sequence of str or str
        The executed cells in order, like IPython's ``In`` (whose item 0 is an empty
        string, so a cell's position is its execution count); one string is one cell.
        IPython magics and ``!shell`` lines are allowed; a cell that does not parse is
        skipped.
    validation_name : str or iterable of str, default="validation"
        The variable holding the validation rows, or several names
        (``["X_val", "y_val"]``).

    Returns
    -------
    CodeReport
        ``findings`` is a DataFrame of shape (n_findings, 5) with columns ``cell``,
        ``line``, ``check``, ``code`` and ``message``; ``ok`` is True when it is empty.
        It displays as text and as HTML.

    Raises
    ------
    TypeError
        ``validation_name`` is neither a string nor an iterable of strings.

    See Also
    --------
    pseudolabel_magic.check_leakage : the runtime checks on the frames themselves.

    References
    ----------
    .. [1] S. Kaufman, S. Rosset, C. Perlich and O. Stitelman, "Leakage in Data Mining:
       Formulation, Detection, and Avoidance", ACM TKDD 6(4), 2012.
    .. [2] C. Yang, R. A. Brower-Sinning, G. Lewis and C. Kästner, "Data Leakage in
       Notebooks: Static Detection and Better Processes", ASE, 2022.

    Examples
    --------
    >>> from pseudolabel_magic import check_code
    >>> cells = ["",  # In[0] is empty, so In[1] is the first cell
    ...          "X, y = load_wine(return_X_y=True, as_frame=True)",
    ...          "X = StandardScaler().fit_transform(X)",
    ...          "X_train, X_val, y_train, y_val = train_test_split(X, y)",
    ...          "model.fit(X_val, y_val)"]
    >>> report = check_code(cells, validation_name=["X_val", "y_val"])
    >>> report.ok
    False
    >>> report.findings[["cell", "check"]].values.tolist()
    [[2, 'fit_before_split'], [4, 'fit_on_validation']]
    """
    if isinstance(sources, str):
        sources = [sources]
    names = {validation_name} if isinstance(validation_name, str) else set(validation_name)
    return CodeReport(pd.DataFrame(_findings(list(sources), names), columns=COLUMNS))
