"""Read a ``%%pseudolabel`` cell (body and line flags) into entries, each kept as written.

The body is a recipe card, one ``key: value`` per line split on the first colon (``#``
starts a comment, an expression may continue on the next lines while a bracket is open),
and the line is an argv whose flag values may hold spaces. Reading only finds each value
and where it came from, so a malformed card is reported by line before anything in the
notebook is evaluated; :mod:`.cellkeys` says which keys exist and :mod:`.cellresolve`
turns the texts into objects.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..errors import PseudoLabelError
from .keys import (
    BOOL,
    EXPR,
    FRAME,
    KEYS,
    REQUIRED,
    example,
    normalize_key,
    unknown_key_message,
)
from .resolve import resolve_entries


@dataclass(frozen=True)
class Entry:
    """One value of the cell as written, with where it came from (for error messages)."""

    key: str
    text: str
    line: int | None = None  # 1-based line of the body; None for a line flag
    source: str = "body"  # "body" or "flag"

    @property
    def where(self) -> str:
        if self.source == "flag":
            return f"flag --{self.key.replace('_', '-')}"
        return f"line {self.line} ({self.key})"


def strip_comment(text: str) -> str:
    """Drop a ``#`` comment that starts the text or follows whitespace, outside quotes."""
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].strip()
        i += 1
    return text.strip()


def _expression_status(text: str) -> tuple[str, str]:
    """Return (``"ok"`` | ``"open"``, text without its comments) using Python's tokenizer.

    ``"open"`` means a bracket or a triple-quoted string is still open at the end. Text the
    tokenizer cannot read is returned as it is: ``compile`` will report it precisely.
    """
    cuts: dict[int, int] = {}  # line number -> column where its comment starts
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                cuts[tok.start[0]] = tok.start[1]
    except tokenize.TokenError:
        return "open", text
    except SyntaxError:
        return "ok", text.strip()
    lines = text.split("\n")
    kept = [line[: cuts[n]].rstrip() if n in cuts else line for n, line in enumerate(lines, 1)]
    return "ok", "\n".join(kept).strip()


def split_line(line: str) -> list[str]:
    """Split a magic's line into argv, keeping each flag's value whole.

    Whitespace splits only outside quotes and brackets, and every word after a flag up to
    the next flag belongs to its value, as written: ``--teacher Foo(a=1, b="x y")`` and
    ``--features a, b, c`` each give one value. ``--key=value`` is accepted too.
    """
    argv: list[str] = []
    span: list[int] | None = None  # [start, end] of the current flag's value

    def flush():
        if span is not None:
            argv.append(line[span[0]:span[1]])

    for start, end in _words(line):
        word = line[start:end]
        if _is_flag(word):
            flush()
            span = None
            name, eq, _ = word.partition("=")
            argv.append(name if eq and name.startswith("--") else word)
            if eq and name.startswith("--"):
                span = [start + len(name) + 1, end]
        elif span is None:
            span = [start, end]
        else:
            span[1] = end
    flush()
    return argv


def _words(line: str) -> list[tuple[int, int]]:
    words, start, quote, depth = [], None, "", 0
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch.isspace() and depth == 0:
            if start is not None:
                words.append((start, i))
                start = None
            i += 1
            continue
        if start is None:
            start = i
        i += 1
    if start is not None:
        words.append((start, len(line)))
    return words


def _is_flag(word: str) -> bool:
    if len(word) < 2 or not word.startswith("-"):
        return False
    try:
        float(word)
    except ValueError:
        return word[1].isalpha() or word[1] == "-"
    return False


def _fail(message: str) -> PseudoLabelError:
    return PseudoLabelError(message)


@dataclass
class PseudoLabelCell:
    """The parsed cell: one :class:`Entry` per key, flags merged over the body."""

    entries: dict[str, Entry] = field(default_factory=dict)

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, body: str | None) -> "PseudoLabelCell":
        """Read the body line by line; raise :class:`PseudoLabelError` naming the line."""
        cell = cls()
        lines = (body or "").splitlines()
        i = 0
        while i < len(lines):
            number, raw = i + 1, lines[i]
            i += 1
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            name, colon, value = raw.partition(":")
            if not colon:
                raise _fail(
                    f"line {number}: expected 'key: value' but found {stripped!r}; "
                    "write the key, a colon, then the value (for example 'target: label')."
                )
            if not name.strip() or not name.strip().replace("_", "").replace("-", "").isalnum():
                raise _fail(
                    f"line {number}: {name.strip()!r} is not a key; "
                    "write the key, a colon, then the value (for example 'target: label')."
                )
            key = normalize_key(name)
            if key not in KEYS:
                raise _fail(unknown_key_message(name.strip(), f"line {number}"))
            spec = KEYS[key]
            if spec.kind in (EXPR, FRAME, BOOL):
                text = value
                status, cleaned = _expression_status(text)
                while status == "open" and i < len(lines):
                    text += "\n" + lines[i]
                    i += 1
                    status, cleaned = _expression_status(text)
                if status == "open":
                    raise _fail(
                        f"line {number} ({key}): a bracket or string opened here is never "
                        "closed; close it on this line or the lines below."
                    )
                text = cleaned
            else:
                text = strip_comment(value)
            if not text:
                raise _fail(
                    f"line {number} ({key}): the value is empty; write it after the colon "
                    f"(for example '{key}: {example(key)}')."
                )
            if key in cell.entries:
                first = cell.entries[key]
                raise _fail(
                    f"line {number}: key {key!r} is given twice (lines {first.line} and "
                    f"{number}); keep one of them."
                )
            cell.entries[key] = Entry(key, text, number, "body")
        return cell

    def with_flags(self, flags: Mapping[str, str]) -> "PseudoLabelCell":
        """A new cell where the line flags win over the body."""
        entries = dict(self.entries)
        for key, text in flags.items():
            key = normalize_key(key)
            if KEYS[key].kind in (EXPR, FRAME, BOOL):
                text = _expression_status(text)[1]
            else:
                text = strip_comment(text)
            entries[key] = Entry(key, text, None, "flag")
        return PseudoLabelCell(entries)

    def missing(self) -> list[str]:
        return [key for key in REQUIRED if key not in self.entries]

    def check_required(self) -> None:
        missing = self.missing()
        if missing:
            lines = " and ".join(f"'{key}: {example(key)}'" for key in missing)
            noun = "key" if len(missing) == 1 else "keys"
            raise _fail(
                f"missing required {noun} {', '.join(missing)}; add {lines} to the cell body "
                f"(or --{missing[0]} on the line)."
            )

    # ---------------------------------------------------------------- resolving
    def resolve(
        self,
        namespace: Mapping[str, Any],
        local_ns: Mapping[str, Any] | None = None,
        hidden: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Evaluate every value and return keyword arguments for ``engine.run``.

        ``namespace`` is the notebook's namespace (used as globals), ``local_ns`` optional
        locals, ``hidden`` names never suggested by "did you mean".
        """
        self.check_required()
        return resolve_entries(self.entries, namespace, local_ns, hidden)

