"""The gradient-ascent API builds specs the schema accepts, and rejects bad
arguments with messages that name the argument."""

from __future__ import annotations

import inspect

import jsonschema
import pytest

import featureviz as fv
from featureviz import objectives as O

NET = fv.models.mnist_cnn()


def spec_of(vis: fv.Visualization) -> dict:
    spec = vis._repr_mimebundle_()[fv.MIME_TYPE]
    jsonschema.validate(spec, fv.spec_schema())
    return spec


def test_channel_neuron_logit_and_layer_objectives():
    assert spec_of(fv.gradient_ascent(NET, "conv2d_1", channel=5))["objective"] == {
        "type": "channel",
        "layer": "conv2d_1",
        "channel": 5,
    }
    assert spec_of(fv.gradient_ascent(NET, "conv2d_1", neuron=3))["objective"] == {
        "type": "neuron",
        "layer": "conv2d_1",
        "channel": 3,
    }
    assert spec_of(fv.gradient_ascent(NET, "conv2d_1", neuron=(3, 4, 6)))["objective"] == {
        "type": "neuron",
        "layer": "conv2d_1",
        "channel": 3,
        "x": 4,
        "y": 6,
    }
    assert spec_of(fv.gradient_ascent(NET, logit=8))["objective"] == {"type": "logit", "index": 8}
    assert spec_of(fv.gradient_ascent(NET, "conv2d"))["objective"] == {
        "type": "layer",
        "layer": "conv2d",
    }


def test_a_row_of_logits_is_one_batched_run():
    spec = spec_of(fv.gradient_ascent(NET, logit=range(10), title="Canonical digits"))
    assert spec["optimization"]["batch"] == 10
    assert spec["objective"]["type"] == "sum"
    assert [t["index"] for t in spec["objective"]["terms"]] == list(range(10))
    assert [t["batch"] for t in spec["objective"]["terms"]] == list(range(10))
    assert spec["title"] == "Canonical digits"


def test_defaults_and_options():
    spec = spec_of(fv.gradient_ascent(NET, "conv2d_1", channel=1))
    assert spec["view"] == "gradient-ascent"
    assert spec["model"] == {"builtin": "mnist-cnn"}
    # Everything else is the preset's, resolved by the engine from the model.
    assert spec["optimization"] == {"seed": 0}
    spec = spec_of(
        fv.gradient_ascent(
            NET,
            "conv2d_1",
            channel=1,
            steps=64,
            size=32,
            param="pixel",
            transforms="small",
            lr=0.1,
            optimizer="sgd",
            seed=7,
            frame_every=2,
            keep_frames=True,
            scale=8,
        )
    )
    assert spec["optimization"] == {
        "param": "pixel",
        "optimizer": {"type": "sgd", "lr": 0.1},
        "steps": 64,
        "seed": 7,
        "size": [32, 32],
        "transforms": "small",
        "frameEvery": 2,
    }
    assert spec["display"] == {"keepFrames": True, "scale": 8}


def test_presets_start_images_reduce_and_crop():
    optimization = spec_of(
        fv.gradient_ascent(
            NET,
            "conv2d_1",
            channel=5,
            reduce="mean",
            preset="lucid",
            init="dataset-mean",
            crop="none",
            lr=0.1,
        )
    )
    assert optimization["objective"]["reduce"] == "mean"
    assert optimization["optimization"] == {
        "preset": "lucid",
        "init": "dataset-mean",
        "optimizer": {"lr": 0.1},
        "seed": 0,
        "crop": "none",
    }
    init = lambda value: spec_of(fv.gradient_ascent(NET, logit=3, init=value))[  # noqa: E731
        "optimization"
    ]["init"]
    assert init("blob") == "blob"
    assert init(0.05) == {"color": [0.05]}
    assert init((0.5,)) == {"color": [0.5]}
    import numpy as np

    digit = np.zeros((28, 28), np.uint8)
    digit[10:18, 13:15] = 255
    image = init(digit)
    assert image["shape"] == [28, 28, 1]
    assert image["values"][10 * 28 + 13] == 1.0 and image["values"][0] == 0.0
    assert spec_of(fv.layer_atlas(NET, "conv2d", reduce="centre"))["reduce"] == "centre"
    # The presets are the schema's data, listed in help().
    assert "'small': pixel parameterization" in fv.gradient_ascent.__doc__


def test_composed_objectives_follow_lucids_algebra():
    objective = O.channel("conv2d_1", 5) - 0.5 * O.channel("conv2d_1", 7)
    tree = objective.to_spec()
    assert tree == {
        "type": "sum",
        "terms": [
            {"type": "channel", "layer": "conv2d_1", "channel": 5},
            {
                "type": "scale",
                "factor": -0.5,
                "term": {"type": "channel", "layer": "conv2d_1", "channel": 7},
            },
        ],
    }
    assert (-O.deepdream("conv2d")).to_spec() == {
        "type": "scale",
        "factor": -1.0,
        "term": {"type": "layer", "layer": "conv2d"},
    }
    # A dict of weights: relative to the objective, applied by the engine.
    spec = spec_of(fv.render_vis(NET, objective, regularizers={"total_variation": 0.05, "l1": 0.2}))
    assert spec["objective"] == tree
    assert spec["optimization"]["regularizers"] == {"totalVariation": 0.05, "l1": 0.2}
    # Objectives: added to the objective as they are.
    spec = spec_of(fv.render_vis(NET, objective, regularizers=[-1e-3 * O.total_variation()]))
    assert spec["objective"]["terms"][2] == {
        "type": "scale",
        "factor": -1e-3,
        "term": {"type": "total-variation"},
    }
    assert "regularizers" not in spec["optimization"]
    every = (
        O.neuron("conv2d", 1, x=2, y=3, batch=0)
        + O.direction("conv2d", [0.1] * 32)
        + O.diversity("conv2d")
        + O.L2(epsilon=1e-4)
        + O.blur_input_each_step()
        + O.class_logit(3, layer="logits")
        + O.Objective.sum([O.layer("dense"), O.total_variation("conv2d", batch=1)])
    )
    spec_of(fv.render_vis(NET, every / 2, batch=2))


def test_layer_atlas():
    spec = spec_of(fv.layer_atlas(NET, "conv2d"))
    assert spec["view"] == "layer-atlas"
    assert spec["layer"] == "conv2d"
    assert "channels" not in spec
    assert spec_of(fv.layer_atlas(NET, "conv2d", channels=range(4)))["channels"] == [0, 1, 2, 3]
    assert spec_of(fv.layer_atlas(NET, "conv2d", channels=3))["channels"] == [3]


def test_model_paths():
    spec = spec_of(fv.gradient_ascent("models/net/model.json", "conv", channel=0))
    assert spec["model"] == {"url": "models/net/model.json"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, logit=2),
            "give only one of channel, neuron and logit",
        ),
        (lambda: fv.gradient_ascent(NET, channel=1), "layer is required"),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=-1),
            "channel must be an integer from 0",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel="5"),
            "channel must be an index or a list",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", neuron=(1, 2)),
            r"neuron must be a channel index or \(channel, x, y\)",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, steps=0),
            "steps must be an integer from 1 to 100000",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, param="fft"),
            "param must be 'fourier' or 'pixel'",
        ),
        (lambda: fv.gradient_ascent(NET, "conv2d", channel=1, lr=0), "lr must be a number above 0"),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, size=(28,)),
            r"size must be an integer or a \(height, width\)",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, transforms="heavy"),
            "transforms must be one of 'auto'",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, optimizer="rmsprop"),
            "optimizer must be 'adam' or 'sgd'",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, regularizers={"tv": 1}),
            "unknown regularizer 'tv'",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, decorrelate="yes"),
            "decorrelate must be True or False",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, preset="big"),
            "preset must be one of 'auto', 'small', 'lucid', 'plain'",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, init="grey"),
            "init must be one of 'auto', 'noise', 'dataset-mean', 'blob'",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, init=1.5),
            "init must be one of",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, reduce="max"),
            "reduce must be one of 'auto', 'mean', 'centre'",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", neuron=1, reduce="mean"),
            "reduce applies to channel= only",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, crop="box"),
            "crop must be 'auto' or 'none'",
        ),
        (
            lambda: fv.gradient_ascent(NET, "conv2d", channel=1, regularizers={"l1": -1}),
            "the weight of 'l1' must be a number from 0",
        ),
        (lambda: fv.gradient_ascent(NET, 5, channel=1), "layer must be a layer name"),
        (lambda: fv.gradient_ascent(42, "conv2d", channel=1), "model must be a featureviz Model"),
        (lambda: fv.render_vis(NET, "conv2d:5"), "objective must be built from fv.objectives"),
        (
            lambda: O.channel("conv2d", 1) * O.channel("conv2d", 2),
            "objectives multiply by numbers only",
        ),
        (lambda: O.direction("conv2d", []), "vector must have one entry per channel"),
        (lambda: fv.layer_atlas(NET, "conv2d", channels=[]), "channels must be an index or a list"),
    ],
)
def test_bad_arguments_name_the_argument(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


@pytest.mark.parametrize("builder", [fv.render_vis, fv.gradient_ascent, fv.layer_atlas])
def test_option_defaults_are_the_schemas(builder):
    optimization = fv.spec_schema()["definitions"]["Optimization"]["properties"]
    parameters = inspect.signature(builder).parameters
    for name in ("preset", "init", "seed", "crop"):
        assert parameters[name].default == optimization[name]["default"]
    # What the preset decides has no default of its own in the schema, nor here.
    for name, field in (
        ("steps", "steps"),
        ("param", "param"),
        ("decorrelate", "decorrelate"),
        ("optimizer", "optimizer"),
        ("transforms", "transforms"),
    ):
        assert parameters[name].default is None
        assert "default" not in optimization[field]
    assert parameters["lr"].default is None
    # Every option is keyword-only and documented in help().
    for name in ("steps", "size", "transforms", "frame_every", "keep_frames", "scale", "title"):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert f"``{name}``" in builder.__doc__


def test_unknown_keywords_name_the_closest_option():
    with pytest.raises(
        TypeError, match=r"unexpected keyword argument 'stpes'; did you mean 'steps'"
    ):
        fv.gradient_ascent(NET, "conv2d_1", channel=1, stpes=3)
    with pytest.raises(
        TypeError, match=r"layer_atlas\(\) got an unexpected keyword argument 'zzz'$"
    ):
        fv.layer_atlas(NET, "conv2d", zzz=1)
