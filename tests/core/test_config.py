"""RunConfig is the one source of every run setting: the other places that name settings
(``run``'s signature, the meta-estimators, the cell keys, the magic's ``%config`` traits)
are checked against it here, so none can drift."""

import inspect
from dataclasses import FrozenInstanceError, fields

import pytest

import pseudolabel_magic as pl
from pseudolabel_magic.core.config import SETTINGS, RunConfig
from pseudolabel_magic.core.validation import run_config
from pseudolabel_magic.errors import PseudoLabelError

FRAMES = ("labeled", "unlabeled", "validation")
DEFAULTS = {f.name: f.default for f in fields(RunConfig)}


def test_runconfig_is_the_settings_table_as_a_typed_frozen_object():
    assert list(DEFAULTS) == list(SETTINGS)
    for f in fields(RunConfig):
        assert f.metadata["setting"] is SETTINGS[f.name]
        assert f.default == SETTINGS[f.name].default, f.name
        assert f.type and f.type != "Any", f.name  # every field is annotated with a real type
    config = RunConfig(target="y", rounds=3)
    with pytest.raises(FrozenInstanceError):
        config.rounds = 4
    assert config.as_dict()["rounds"] == 3 and list(config.as_dict()) == list(SETTINGS)


def test_run_config_checks_before_it_builds():
    assert run_config(target="y", select="threshold", threshold=0.9).threshold == 0.9
    with pytest.raises(PseudoLabelError, match=r"threshold=1.5 is outside \[0, 1\]"):
        run_config(target="y", select="threshold", threshold=1.5)


def test_runs_signature_is_the_frames_then_runconfig():
    params = inspect.signature(pl.run).parameters
    names = [n for n in params if n not in FRAMES]
    assert names == list(DEFAULTS)
    assert params["target"].default is inspect.Parameter.empty  # the one setting run requires
    for name in names[1:]:
        assert params[name].default == DEFAULTS[name], name
    for name in names:
        assert params[name].annotation is not inspect.Parameter.empty, name


@pytest.mark.parametrize("estimator", [pl.PseudoLabelClassifier, pl.PseudoLabelRegressor])
def test_the_meta_estimators_parameters_are_runconfig_fields(estimator):
    """Every parameter but ``estimator`` (the teacher) is a setting of the same name and
    default; the meta-estimators' own defaults may only differ where they say why."""
    params = inspect.signature(estimator.__init__).parameters
    for name, p in params.items():
        if name in ("self", "estimator"):
            continue
        assert name in DEFAULTS, name
        assert p.default == DEFAULTS[name], name


def test_every_cell_key_is_a_frame_or_a_runconfig_field():
    from pseudolabel_magic.recipe.keys import KEYS, RUN_NAME

    settings = {RUN_NAME[k] for k in KEYS if k not in FRAMES}
    assert settings <= set(DEFAULTS)
    # what a cell cannot set, on purpose: a callback and the chunk size are Python-only
    assert set(DEFAULTS) - settings == {"progress", "chunk_rows"}


def test_the_magics_config_defaults_are_the_run_defaults():
    from pseudolabel_magic.notebook.magic import PseudoLabelMagic

    traits = PseudoLabelMagic.class_traits(config=True)
    shared = [name for name in traits if name in DEFAULTS]
    assert shared  # select, threshold, val_size, rounds, random_state
    for name in shared:
        assert traits[name].default_value == DEFAULTS[name], name
    assert set(traits) - set(shared) <= {"show_diagram", "show_progress"}  # display only
