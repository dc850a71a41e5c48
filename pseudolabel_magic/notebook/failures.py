"""What the panel says and marks when a run fails, in the panel's own terms.

An engine message names ``run()``'s arguments (``val_size=``, ``pass unlabeled=<DataFrame>``);
:func:`in_panel_words` rewrites it in the words of the panel's controls. :func:`failed_box`
picks the box of the data-flow diagram a failure is about: the validation rows for a leakage
refusal, the failing step's box for a model that raised, else the frame the refusal's
sentence names. Plain text rules, no widgets: importing this module costs nothing.
"""

from __future__ import annotations

#: The box each step's own failure (a model raising) is drawn on.
_STEP_BOX = {"split": "labeled", "teacher": "teacher", "pseudo_label": "pseudo",
             "combine": "combine", "student": "student"}


def failed_box(message: str, step: str | None, leakage: bool = False,
               model_error: bool = False) -> str | None:
    """The diagram box a failure is about: the frame a refusal names, or the failing step's.

    A leakage refusal is about the validation rows; a model that raised, about its step; a
    refusal of the inputs, about the frame its sentence starts with.
    """
    if leakage:
        return "validation"
    text = message.lower()
    if not model_error:
        for words, box in (("the unlabeled", "unlabeled"), ("unlabeled", "unlabeled"),
                           ("too few labeled", "labeled"), ("the labeled", "labeled"),
                           ("target", "labeled"), ("the validation", "validation"),
                           ("teacher", "teacher"), ("student", "student")):
            if words in text:
                return box
    return _STEP_BOX.get(step)


def in_panel_words(message: str) -> str:
    """An engine message in the panel's words: its controls, not ``run()``'s arguments."""
    import re

    from ..leakage.report import OVERRIDE_HINT

    message = message.replace(
        OVERRIDE_HINT, "The panel runs only honest splits; to look at leaky scores anyway, copy "
        "the cell from the Code tab and add 'allow_leakage: true'.")
    for pattern, words in _PANEL_WORDS:
        message = re.sub(pattern, words, message)
    return message


#: (regular expression, the panel's words) for the API phrases engine messages use.
_PANEL_WORDS = (
    (r"pass unlabeled=<DataFrame> or leave the target missing",
     "choose an unlabeled frame, or a labeled frame whose target is missing"),
    (r"or pass unlabeled=None to use them as the unlabeled set",
     "or choose '(labeled rows with no target)' as unlabeled to use them as the unlabeled set"),
    (r"lower val_size, or pass validation=<DataFrame>",
     "lower the validation size, or choose a validation frame"),
    (r"pass (unlabeled|validation|labeled)=<DataFrame>", r"choose a \1 frame"),
    (r"pass features=\[\.\.\.\] without them",
     "untick 'all other columns as features' and choose the features without them"),
    (r"\bval_size=", "validation size "),
    (r"\brandom_state\b", "seed"),
    (r"\bk_best=", "k-best "),
)
