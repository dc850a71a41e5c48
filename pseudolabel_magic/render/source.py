"""A run as plain pandas + scikit-learn code: ``result.to_code()`` and ``--explain``'s blocks.

:func:`to_code` writes a script that reproduces a run from ``result.config`` without
importing this plugin (same split, same fits, same selection, same predictions), so a
student can take the recipe out of the notebook magic and read or change every step: the
parts the emitters of :mod:`.sourcesplit` and :mod:`.sourcesteps` write, in order (steps
2-5 as one function under cross-fitting or refit), after ``# NOTE:`` lines for the settings
it cannot repeat exactly, the imports, and the helpers copied from the engine's own
functions the caller passes (the class balance, a forest's spread). :func:`step_code` gives
one step of the plain recipe (one round, one fold, no refinements) as a block that runs as
printed, which ``--explain`` shows with its sentence.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping

from ..steps import STEP_KEYS
from .sourcerecipe import Recipe, recipe_of
from .sourcesteps import EMITTERS, indent
from .sourcewriter import Writer

#: The parts of the script, in order: the five steps, then predicting (and the refit).
PARTS = (*STEP_KEYS, "predict")

#: The parts ``--explain`` shows under each step: the student's block also predicts.
NARRATED_PARTS = {key: (key,) for key in STEP_KEYS} | {"student": ("student", "predict")}


# -- the two ways out: the whole script, and one step as --explain prints it -----------------
def to_code(config: dict, names: dict | None = None, *, balance_classes: Callable | None = None,
            ensemble_spread: Callable | None = None) -> str:
    """Plain pandas + scikit-learn code that reproduces the run described by ``config``.

    Parameters
    ----------
    config : dict
        ``result.config`` of a finished run.
    names : dict, optional
        Maps labeled/unlabeled/validation to the notebook expressions that hold the
        frames; ``config["frame_names"]`` is used for the ones not given.
    balance_classes : function, optional
        The engine's class balance (``core.selection.balance_classes``), copied into the
        script when the run balanced the classes.
    ensemble_spread : function, optional
        The engine's forest spread (``core.scoring.ensemble_spread``), copied into the
        script when a regression run ranked its rows by confidence.

    Returns
    -------
    str
        The script: notes, imports, the copied helpers, then the steps.

    Raises
    ------
    ValueError
        When ``config`` has no teacher, or the run needs a helper that was not passed.
    """
    r = recipe_of(config, names, balance_classes=balance_classes, ensemble_spread=ensemble_spread)
    if r.teacher is None:
        raise ValueError("config has no teacher; pass result.config from a finished run")
    w = Writer()
    r.model_code(w, "teacher")  # the models' helpers come first in the script
    r.model_code(w, "student")
    parts = {key: EMITTERS[key](r, w) for key in PARTS}
    fitted = [line for key in ("teacher", "pseudo_label", "combine", "student") for line in parts[key]]
    out = [*parts["split"], *(_as_function(fitted) if r.wrapped else fitted), *parts["predict"]]
    head = [*_notes(config), "# Pseudo-labeling (teacher -> student) in plain pandas + scikit-learn.",
            "import numpy as np", "import pandas as pd", *w.import_lines()]
    if "labeled" not in r.names:
        head.insert(1, "# Before running, bind your frames: labeled = ..., unlabeled = ...")
    helpers = [src.rstrip() + "\n" for src in w.helpers.values()]
    return "\n".join(head) + "\n\n" + ("\n\n".join(helpers) + "\n\n" if helpers else "") + "\n".join(out) + "\n"


def step_code(recipe: Recipe, key: str) -> str:
    """One step of the plain recipe as ``--explain`` prints it, runnable after the ones before.

    Parameters
    ----------
    recipe : Recipe
        From :func:`recipe_of`; its plain version is written (one round, one fold, no
        calibration, balance, cap, weights, guard or refit: the sentence tells those).
    key : str
        A step of :data:`pseudolabel_magic.steps.STEP_KEYS`.

    Returns
    -------
    str
        The imports the block uses, then its lines.

    Raises
    ------
    KeyError
        For an unknown step.
    """
    plain, w = recipe.plain(), Writer()
    lines = [line for part in NARRATED_PARTS[key] for line in EMITTERS[part](plain, w)]
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines)
    modules = [f"import {module} as {alias}" for alias, module in (("np", "numpy"), ("pd", "pandas"))
               if f"{alias}." in text]
    helpers = [src.rstrip() for src in w.helpers.values()]
    return "\n".join([*modules, *w.import_lines(), *helpers, *lines])


# -- assembling -----------------------------------------------------------------------------
def _as_function(lines: list[str]) -> list[str]:
    """Steps 2-5 as ``fit_recipe(X_train, y_train)``: fitted per fold, then refitted."""
    return [("# 2-5. The recipe as a function: the scores fit it without the rows they score, "
             "the refit on every label"),
            "def fit_recipe(X_train, y_train):", *indent(lines), "    return teacher, student", ""]


def _notes(config: Mapping) -> list[str]:
    """``# NOTE:`` lines for the settings the script does not reproduce exactly."""
    notes = []
    oof = config.get("oof")
    if oof not in (None, False, 0):
        k = 5 if oof is True else int(oof)
        notes.append(f"# NOTE: oof={k} is not reproduced here; the run pseudo-labelled with the mean of "
                     f"{k} out-of-fold teachers, this code labels with one teacher, so its "
                     "pseudo-labels and predictions can differ.")
    if config.get("unlabeled_is_dask"):
        notes.append("# NOTE: unlabeled was a Dask DataFrame; this code is not the partition-wise run "
                     "(its default row cap, partial_fit students) and needs a pandas frame: "
                     "unlabeled = unlabeled.compute() if it fits in memory.")
    seed = config.get("random_state")
    if config.get("max_pseudo_rows") is not None and not isinstance(seed, numbers.Integral):
        notes.append(f"# NOTE: max_pseudo_rows with random_state={seed!r} is not reproduced here; the "
                     "run sampled the capped rows at random, pass an int random_state to repeat it.")
    if config.get("calibrate") and config.get("task") == "regression":
        notes.append("# NOTE: calibrate=True is for classification only and is not reproduced here.")
    return notes
