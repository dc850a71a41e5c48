"""``%%pseudolabel``, ``%pseudolabel`` and ``%pseudolabel_panel``: thin front ends to the engine.

Input (flags + recipe-card body) -> one ``engine.run`` call -> the result as the cell's
value, with the notebook changed only after a run succeeds. This module owns the
``%config`` defaults, the namespace and the calls to the engine; declaring and reading the
line's flags is :mod:`.magicflags`'s job, reading the cell :mod:`pseudolabel_magic.recipe.parse`'s
and what is shown during a run :mod:`.display`'s. Nothing heavy is imported here: pandas
and scikit-learn load with the engine, on the first run.
"""

from __future__ import annotations

import logging
import sys
from functools import partial

from IPython.core.error import UsageError
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    line_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)
from traitlets import Bool, Float, Int, TraitError, Unicode, validate

from ..core.config import SELECT_RULES, SETTINGS
from ..core.validation import check_run_settings, check_setting
from ..errors import PseudoLabelError
from ..recipe.keys import KEYS, RUN_NAME
from ..recipe.parse import PseudoLabelCell
from .choices import STRATEGY_KEYS, frame_names, name_frames
from .display import Narrator, Progress, model_failure, show_report
from .magicflags import magic_flags, read_line

#: Select rules the engine knows (from :mod:`.params`: ``%config`` is checked without the engine).
SELECT_MODES = SELECT_RULES


@magics_class
class PseudoLabelMagic(Magics):
    """Pseudo-label magics; defaults are configurable with ``%config PseudoLabelMagic``.

    ``Magics.__init__`` appends the instance to ``shell.configurables``, so ``%config``
    sees these traits as soon as the extension is loaded.
    """

    select = Unicode("all", help="Default select rule when the cell has no 'select:' "
                                 "(all, threshold, k-best or auto).").tag(config=True)
    threshold = Float(None, allow_none=True,
                      help="Default confidence threshold in [0, 1] for select threshold."
                      ).tag(config=True)
    val_size = Float(0.2, help="Default fraction of labeled rows held out for validation, "
                               "in (0, 1).").tag(config=True)
    rounds = Int(1, help="Default number of teacher/student rounds (>= 1).").tag(config=True)
    random_state = Int(0, allow_none=True, help="Default seed of every run.").tag(config=True)
    show_diagram = Bool(True, help="Show the data-flow diagram with each result.").tag(config=True)
    show_progress = Bool(True, help="Show the current step while a run works (in a kernel)."
                         ).tag(config=True)

    # -- config validation: a bad %config is rejected at once ------------------------------
    def _load_config(self, cfg, section_names=None, traits=None):
        """Load config, rejecting (and forgetting) invalid values instead of failing.

        ``%config`` merges a value into the config every configurable shares even when we
        reject it; dropping it there keeps a later ``%reload_ext`` from tripping over it.
        """
        try:
            super()._load_config(cfg, section_names=section_names, traits=traits)
            return
        except TraitError:
            pass
        name = type(self).__name__
        problems = []
        for conf in (cfg, self.config):
            section = conf[name] if name in conf else {}
            for key in list(section):
                trait = self.traits(config=True).get(key)
                if trait is None:
                    continue
                try:
                    trait._validate(self, section[key])
                except TraitError as err:
                    del section[key]
                    if str(err) not in problems:
                        problems.append(str(err))
        super()._load_config(cfg, section_names=section_names, traits=traits)
        for problem in problems:
            logging.getLogger().error(problem)

    @validate("select")
    def _valid_select(self, proposal):
        return _valid_default("select", str(proposal["value"]).strip().lower().replace("_", "-"))

    @validate("threshold", "rounds", "random_state")
    def _valid_setting(self, proposal):
        return _valid_default(proposal["trait"].name, proposal["value"])

    @validate("val_size")
    def _valid_val_size(self, proposal):
        value = proposal["value"]
        if not 0 < value < 1:  # a Float trait holds a fraction, never a row count
            raise TraitError(f"PseudoLabelMagic.val_size={value!r} is not in (0, 1); "
                             "use a fraction such as 0.2.")
        return _valid_default("val_size", value)

    # -- the magic -----------------------------------------------------------------------
    @magic_flags
    # not @output_can_be_silenced: IPython would tokenize the recipe as Python after the run
    # (and show a TokenError traceback for "target: [x"); the trailing ';' is handled here
    @no_var_expand
    @needs_local_scope
    @line_cell_magic
    def pseudolabel(self, line: str, cell: str | None = None, local_ns=None):
        """Pseudo-label a DataFrame: teacher on labeled rows, student on labeled + pseudo-labels.

        The cell body is a recipe card, one ``key: value`` per line; ``#`` starts a comment.
        Keys that take objects (labeled, unlabeled, validation, teacher, student, threshold,
        k_best, rounds, pseudo_weight, val_size, seed, balance, soft, calibrate, oof, guard,
        curriculum, max_pseudo_rows, n_jobs, allow_leakage) are Python expressions in the
        notebook's namespace; keys that name columns (target, features as a comma list,
        group_col, time_col, id_col) are written as they are. labeled and target are
        required; unlabeled defaults to the labeled rows whose target is missing, and may be
        a Dask DataFrame (``predictions`` then stays lazy; --save-predictions stores it as
        is). The line form ``%pseudolabel`` takes the same keys as flags.

        select is all, threshold, k-best or auto (the benchmark's best strategy, run with
        the guard on). calibrate: true labels with a CalibratedClassifierCV fitted on train
        only; oof: 5 (or true) labels with the mean of 5 out-of-fold teachers; curriculum:
        [0.99, 0.9, 0.8] relaxes the threshold round by round; guard: true keeps the
        teacher's predictions when the student does not score higher on validation;
        max_pseudo_rows caps the pseudo-labelled rows; n_jobs is set on models that take it.

        ``--compare`` runs ``pl.compare`` instead of one run: the supervised teacher, the
        five-line recipe and the other strategies on the same split, shown as a table (the
        best row is picked on validation). The cell then gives the data, target and models
        only: compare sets select, threshold, k_best, rounds, balance, soft, calibrate, oof,
        guard and curriculum itself. ``--save NAME`` stores the ComparisonResult.

        The result shows as the cell's value (data-flow diagram, leakage verdict, teacher
        and student metrics) and lands in ``_``. Nothing is written to the notebook unless
        --save/--save-predictions ask for it (under two different names), and nothing at all
        when the run fails. A bad setting is one line naming the cell line and the fix, before
        any fit; a model that raises during the run is one line too ("the teacher's fit
        failed: ..."), and ``%tb`` or ``%debug`` then show that model's own traceback.
        Defaults come from ``%config PseudoLabelMagic`` (select, threshold, val_size, rounds,
        random_state, show_diagram, show_progress).

        Example::

            In [1]: %load_ext pseudolabel_magic

            In [2]: from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier

            In [3]: %%pseudolabel --save run
               ...: labeled: train_df
               ...: unlabeled: test_df
               ...: target: label
               ...: teacher: RandomForestClassifier(n_estimators=300, random_state=0)
               ...: student: HistGradientBoostingClassifier()
               ...: select: threshold
               ...: threshold: 0.9   # keep confident pseudo-labels only

            In [4]: run.predictions.head()

            In [5]: print(run.to_code())   # the same run in plain pandas + scikit-learn

            In [6]: %pseudolabel --labeled train_df --target label --rounds 3 --save-predictions preds;

            In [7]: %pseudolabel --compare --labeled train_df --unlabeled test_df --target label --save cmp
        """
        args, cell = read_line(self.pseudolabel.parser, line, cell)
        parsed, kwargs = self._read_cell(args, cell, local_ns)
        if args.compare:
            return self._compare(args, kwargs, parsed)
        result = self._run(args, kwargs, parsed)
        self._save(args, result)
        return None if args.quiet else result

    def _compare(self, args, kwargs: dict, parsed: PseudoLabelCell):
        """``--compare``: one ``pl.compare`` call with the recipe's common settings."""
        for key in STRATEGY_KEYS:
            if key in parsed.entries:
                raise UsageError(f"{parsed.entries[key].where}: --compare tries the strategies "
                                 f"itself, so it takes no {key}; remove it or drop --compare.")
        for flag, given in (("--save-predictions", args.save_predictions is not None),
                            ("--explain", args.explain)):
            if given:
                raise UsageError(f"{flag} does not go with --compare (a comparison is many runs); "
                                 "run the strategy you pick without --compare.")
        kwargs.setdefault("val_size", self.val_size)
        kwargs.setdefault("random_state", self.random_state)
        _check_settings(kwargs, parsed)
        from ..core.compare import compare  # pandas + scikit-learn load here

        # a progress hook that shows nothing: only to know the step a model failed in
        comparison = self._call_engine(partial(compare, **kwargs), Progress(show=False))
        names = _cell_frame_names(parsed)
        for result in comparison.results.values():  # let each run's to_code() name the frames
            name_frames(result, names)
        self._save(args, comparison)
        return None if args.quiet else comparison

    @line_magic
    def pseudolabel_panel(self, line: str = ""):
        """Open the pseudo-label panel: pick frames, target and models, run, see the cell."""
        from IPython.display import display

        from .panel import panel

        display(panel(self.shell.user_ns))

    # -- helpers -------------------------------------------------------------------------
    def _read_cell(self, args, cell: str | None, local_ns) -> tuple[PseudoLabelCell, dict]:
        """The recipe (body, then the line's key flags over it) and ``run``'s keyword arguments."""
        try:
            parsed = PseudoLabelCell.parse(cell)
            flags = {key: getattr(args, key) for key in KEYS if getattr(args, key) is not None}
            parsed = parsed.with_flags(flags)
            if local_ns is self.shell.user_ns:
                local_ns = None
            kwargs = parsed.resolve(self.shell.user_ns, local_ns,
                                    hidden=getattr(self.shell, "user_ns_hidden", {}))
        except PseudoLabelError as err:
            raise UsageError(str(err)) from None
        return parsed, kwargs

    def _apply_defaults(self, kwargs: dict) -> None:
        kwargs.setdefault("select", self.select)
        kwargs.setdefault("val_size", self.val_size)
        kwargs.setdefault("rounds", self.rounds)
        kwargs.setdefault("random_state", self.random_state)
        if self.threshold is not None:
            kwargs.setdefault("threshold", self.threshold)

    def _run(self, args, kwargs: dict, parsed: PseudoLabelCell):
        """One ``engine.run`` with the ``%config`` defaults; the result named and shown as set."""
        self._apply_defaults(kwargs)
        _check_settings(kwargs, parsed)
        from ..core import engine  # pandas + scikit-learn load here, on the first run

        names = _cell_frame_names(parsed)
        in_kernel = getattr(self.shell, "kernel", None) is not None
        progress = Progress(show=self.show_progress and in_kernel,
                            narrator=Narrator(kwargs, names) if args.explain else None)
        result = self._call_engine(partial(engine.run, **kwargs), progress, _in_cell_words)
        name_frames(result, names)  # let to_code() name the user's own frames
        if not self.show_diagram:
            result.show_diagram = False
        return result

    def _call_engine(self, call, progress: Progress, in_words=str):
        """``call(progress=progress)``; a refusal or a user's model failing becomes one line."""
        try:
            return call(progress=progress)
        except PseudoLabelError as err:
            report = getattr(err, "report", None)
            if report is not None:
                show_report(report)
            raise UsageError(in_words(str(err))) from None
        except Exception as err:
            self._raise_model_failure(err, progress)
            raise  # not the user's model: a bug of ours, shown with its traceback
        finally:
            progress.close()

    def _save(self, args, result) -> None:
        """Store what --save / --save-predictions name: the notebook changes only here, after
        a successful run, and all at once."""
        updates = {}
        if args.save is not None:
            updates[args.save] = result
        if args.save_predictions is not None:
            updates[args.save_predictions] = result.predictions
        self.shell.user_ns.update(updates)

    def _raise_model_failure(self, err: Exception, progress: Progress) -> None:
        """Raise one line when a user's model failed; return when the error is not one.

        The line ends "full traceback with %tb": after the cell, ``%tb`` and ``%debug`` are
        pointed at the model's own exception instead of this one-line UsageError.
        """
        message = model_failure(err, progress.last)
        if message is None:
            return
        usage = UsageError(message)
        events = getattr(self.shell, "events", None)
        if events is not None:
            def point_tb_at_the_model(*_):
                events.unregister("post_run_cell", point_tb_at_the_model)
                if getattr(sys, "last_value", None) is usage:  # the line was just shown
                    sys.last_type, sys.last_value = type(err), err
                    sys.last_traceback = err.__traceback__
                    if sys.version_info >= (3, 12):
                        sys.last_exc = err

            events.register("post_run_cell", point_tb_at_the_model)
        raise usage from err


#: Run keyword -> cell key (``random_state`` is written ``seed``).
_CELL_KEY = {run_name: key for key, run_name in RUN_NAME.items()}


def _cell_frame_names(parsed: PseudoLabelCell) -> dict[str, str]:
    """The frame-names dict of a cell: each frame role as the cell wrote it."""
    return frame_names({key: entry.text for key, entry in parsed.entries.items()})


def _check_settings(kwargs: dict, parsed: PseudoLabelCell) -> None:
    """The shared setting rules (:mod:`.params`), before any fit, naming the line at fault."""
    try:
        check_run_settings(**{name: value for name, value in kwargs.items() if name in SETTINGS})
    except PseudoLabelError as err:
        entry = parsed.entries.get(_CELL_KEY.get(getattr(err, "setting", None), ""))
        raise UsageError(f"{entry.where}: {err}" if entry is not None else str(err)) from None


def _valid_default(name: str, value):
    """A ``%config PseudoLabelMagic`` default, judged by the rules ``pl.run`` uses."""
    try:
        check_setting(name, value)
    except PseudoLabelError as err:
        raise TraitError(str(err).replace(f"{name}=", f"PseudoLabelMagic.{name}=", 1)) from None
    return value


def load_ipython_extension(ipython) -> None:
    """Register %%pseudolabel, %pseudolabel and %pseudolabel_panel."""
    ipython.register_magics(PseudoLabelMagic(ipython))


def unload_ipython_extension(ipython) -> None:
    manager = ipython.magics_manager
    for kind in ("line", "cell"):
        for name in ("pseudolabel", "pseudolabel_panel"):
            manager.magics[kind].pop(name, None)
    ipython.configurables[:] = [c for c in ipython.configurables
                                if not isinstance(c, PseudoLabelMagic)]


def _in_cell_words(message: str) -> str:
    """A refusal's override, as a cell writes it."""
    from ..leakage.report import OVERRIDE_HINT

    return message.replace(OVERRIDE_HINT, "To run anyway (scores marked leaky), add the line "
                           "'allow_leakage: true' or the flag --allow-leakage.")
