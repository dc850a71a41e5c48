"""Named pseudo-label strategies: the set ``compare`` runs, and what ``select="auto"`` means.

Each strategy is a dict of :func:`pseudolabel_magic.run` keyword arguments. ``AUTO`` is the
strategy that ``benchmarks/quality.py`` found best and safest across data sets (see
``benchmarks/quality_results.md``); it always runs with the validation guard.
"""

from __future__ import annotations

#: What ``select="auto"`` runs (chosen from the benchmark table; the README explains why).
AUTO = dict(select="threshold", threshold=0.9, balance=True, guard=True)

#: The folds ``select="auto"`` cross-fits with when neither ``cv`` nor a validation frame is
#: given (fewer when a class has fewer labeled rows); it then refits on every label.
AUTO_CV = 5

#: The five-line recipe the tutorials teach: every unlabeled row, hard labels, one round.
FIVE_LINES = dict(select="all")


def default_strategies(n_unlabeled: int) -> dict:
    """The strategies ``compare`` runs by default, by display name."""
    k = max(1, int(round(0.1 * n_unlabeled)))
    return {
        "five lines": dict(FIVE_LINES),
        "threshold 0.9": dict(select="threshold", threshold=0.9),
        "k-best 10%": dict(select="k-best", k_best=k),
        "balanced 0.9": dict(select="threshold", threshold=0.9, balance=True),
        "soft": dict(select="all", soft=True),
        "3 rounds 0.9": dict(select="threshold", threshold=0.9, rounds=3),
        "curriculum .99>.9>.8": dict(select="threshold", curriculum=[0.99, 0.9, 0.8]),
        "calibrated 0.9": dict(select="threshold", threshold=0.9, calibrate=True),
        "oof 0.9": dict(select="threshold", threshold=0.9, oof=5),
        "auto": dict(select="auto"),
    }


def resolve_auto(settings: dict) -> dict:
    """Fill the settings ``select="auto"`` stands for; the user's non-default choices win.

    ``settings`` holds run's keyword arguments. Keys that ``AUTO`` lists are taken from it
    unless the user set them away from run's defaults (for example ``guard=False``).
    """
    defaults = dict(threshold=None, k_best=None, rounds=1, balance=False, soft=False,
                    calibrate=False, oof=False, guard=None, curriculum=None)
    out = dict(settings)
    out["select"] = AUTO["select"]
    for key, value in AUTO.items():
        if key == "select":
            continue
        if out.get(key, defaults.get(key)) == defaults.get(key):
            out[key] = value
    return out


def resolve_settings(**settings) -> dict:
    """Turn "auto" and ``curriculum`` into plain settings (already checked by
    :func:`pseudolabel_magic.core.config.check_run_settings`).

    Returns every setting plus ``auto`` (whether "auto" was asked for). A curriculum sets
    ``threshold`` to its first value and, when ``rounds`` was left at 1, ``rounds`` to its
    length; ``guard=None`` becomes True under "auto" and False otherwise.
    """
    auto = settings["select"] == "auto"
    if auto:
        settings = resolve_auto(settings)
    if settings["curriculum"] is not None:
        settings["select"] = "threshold"
        settings["curriculum"] = [float(t) for t in settings["curriculum"]]
        settings["threshold"] = settings["curriculum"][0]
        if settings["rounds"] == 1:
            settings["rounds"] = len(settings["curriculum"])
    settings["guard"] = bool(settings["guard"])
    if settings["oof"] is True:
        settings["oof"] = 5
    return {**settings, "auto": auto}
