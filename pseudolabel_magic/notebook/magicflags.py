"""The ``%%pseudolabel`` line: the magic's flags, declared and read.

Every recipe key is also a ``--key`` flag (``--k-best`` for ``k_best``), next to the magic's
own ``--save``, ``--save-predictions``, ``--quiet``, ``--explain`` and ``--compare``;
:func:`magic_flags` declares them all on the magic method, and :func:`read_line` reads a line
with them: no flag given twice, an unknown flag named with a suggestion (never guessed from
an abbreviation), a trailing ';' (IPython's "show nothing") taken as ``--quiet``, and the two
``--save`` names checked to be two valid variable names. Nothing heavy is imported here.
"""

from __future__ import annotations

import argparse
import keyword
from typing import Any

from IPython.core import magic_arguments as ma
from IPython.core.error import UsageError

from ..errors import did_you_mean
from ..recipe import parse as cellparse
from ..recipe.keys import BOOL, KEYS


class Once(argparse.Action):
    """Store a flag's value, refusing the same flag twice on one line."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            raise argparse.ArgumentError(self, "is given twice; keep one.")
        setattr(namespace, self.dest, values)


def key_flags(func):
    """One ``--key`` flag per body key, in the body's order (``--k-best`` for ``k_best``)."""
    for spec in reversed(list(KEYS.values())):
        flag = "--" + spec.name.replace("_", "-")
        kwargs: dict[str, Any] = dict(dest=spec.name, action=Once, metavar=spec.metavar,
                                      help=spec.help, default=None)
        if spec.kind == BOOL:
            kwargs.update(nargs="?", const="true")
        func = ma.argument(flag, **kwargs)(func)
    return func


def magic_flags(func):
    """Every flag of the magic on ``func``: its own flags first, then one per recipe key
    (the stack of ``@magic_arguments`` decorators, applied from the innermost out)."""
    func = key_flags(func)
    func = ma.argument_group("recipe keys", "Every body key is also a flag; a flag wins over "
                             "the body.")(func)
    func = ma.argument("--compare", action="store_true",
                       help="run pl.compare: the supervised teacher, the five lines and the "
                            "other strategies on one split, as a table (--save stores the "
                            "ComparisonResult)")(func)
    func = ma.argument("--explain", action="store_true",
                       help="narrate each step: what it does and why, the diagram, the plain "
                            "code")(func)
    func = ma.argument("-q", "--quiet", action="store_true",
                       help="show nothing (a trailing ';' does the same)")(func)
    func = ma.argument("--save-predictions", metavar="NAME", action=Once, default=None,
                       help="store the predictions DataFrame in the notebook variable NAME")(func)
    func = ma.argument("-o", "--save", metavar="NAME", action=Once, default=None,
                       help="store the result object in the notebook variable NAME (and still "
                            "show it)")(func)
    return ma.magic_arguments()(func)


def read_line(parser: argparse.ArgumentParser, line: str,
              cell: str | None) -> tuple[argparse.Namespace, str | None]:
    """The line's flags (``quiet`` also set by a trailing ';') and the body without that ';'."""
    line, silenced = strip_semicolon(line)
    if cell is not None:
        cell, body_silenced = strip_semicolon(cell)
        silenced = silenced or body_silenced
    args = parse_flags(parser, line)
    args.quiet = args.quiet or silenced
    check_save_names(args)
    return args, cell


def parse_flags(parser: argparse.ArgumentParser, line: str) -> argparse.Namespace:
    """The flags of ``line``; an unknown flag or a stray word is one UsageError."""
    parser.allow_abbrev = False  # an unknown flag is reported, never guessed
    args, extra = parser.parse_known_args(cellparse.split_line(line))
    if extra:
        word = extra[0]
        if word.startswith("-"):
            options = [o for o in parser._option_string_actions if o.startswith("--")]
            name = word.split("=", 1)[0]
            hint = did_you_mean(name, options) or " See %pseudolabel? for the flags."
            raise UsageError(f"unknown flag {name!r}.{hint}")
        raise UsageError(f"unexpected {word!r} on the line; flags look like --target label "
                         "(see %pseudolabel? for the flags).")
    return args


def check_save_names(args: argparse.Namespace) -> None:
    """--save and --save-predictions name two valid, different variables."""
    for flag, name in (("--save", args.save), ("--save-predictions", args.save_predictions)):
        if name is not None and (not name.isidentifier() or keyword.iskeyword(name)):
            raise UsageError(f"{flag} {name!r} is not a valid variable name; "
                             "use letters, digits and '_' (for example --save run).")
    if args.save is not None and args.save == args.save_predictions:
        raise UsageError(f"--save and --save-predictions both name {args.save!r}, so the "
                         "predictions would overwrite the result; give them two names "
                         f"(for example --save {args.save} --save-predictions "
                         f"{args.save}_predictions).")



def strip_semicolon(text: str) -> tuple[str, bool]:
    """Remove a trailing ';' (IPython's "show nothing") from a line or a body's last line."""
    lines = text.rstrip().split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    if lines and lines[-1].rstrip().endswith(";"):
        lines[-1] = lines[-1].rstrip()[:-1]
        return "\n".join(lines), True
    return text, False

