"""The attribution API (fv.occlusion, fv.saliency, fv.filters): the specs it builds
validate against the schema, inputs (a dataset's example, an array from the
kernel) and units are named as the engine expects, bad arguments fail with
messages naming them, and .result() gives the maps as NumPy arrays."""

from __future__ import annotations

import asyncio

import jsonschema
import numpy as np
import pytest

import featureviz as fv
from featureviz import _comm

NET = fv.models.mnist_cnn()
EIGHT = fv.datasets.mnist()[2]


def spec_of(vis: fv.Visualization) -> dict:
    bundle, metadata = vis._repr_mimebundle_()
    spec = bundle[fv.MIME_TYPE]
    jsonschema.validate(spec, fv.spec_schema())
    assert metadata[fv.MIME_TYPE]["resultId"] == vis.result_id
    return spec


def test_a_datasets_example_carries_its_label_and_names_itself():
    digits = fv.datasets.mnist()
    assert len(digits) == 2000 and len(fv.datasets.mnist("test", limit=5)) == 5
    images, labels = digits.load()
    assert EIGHT.label == labels[2] == 8
    assert (EIGHT.image == images[2]).all()
    assert EIGHT.to_spec() == {"builtin": "mnist", "split": "test", "index": 2}
    assert digits[-1].index == 1999
    assert fv.datasets.mnist("train", limit=3)[1].to_spec() == {
        "builtin": "mnist",
        "split": "train",
        "index": 1,
    }
    with pytest.raises(IndexError, match=r"example 2000 is out of range: .* holds 2000 examples"):
        digits[2000]
    with pytest.raises(TypeError, match="integer index"):
        digits["7"]


def test_occlusion_of_an_example_explains_its_label_by_default():
    spec = spec_of(fv.occlusion(NET, EIGHT))
    assert spec == {
        "version": 1,
        "view": "occlusion",
        "model": {"builtin": "mnist-cnn"},
        "data": {"builtin": "mnist", "split": "test", "index": 2},
        "target": {"type": "logit", "index": 8},
        "size": 7,
        "fill": 0.0,
    }
    spec = spec_of(fv.occlusion(NET, EIGHT, logit=3, size=4, stride=2, fill=0.5, title="An 8"))
    assert spec["target"] == {"type": "logit", "index": 3}
    assert (spec["size"], spec["stride"], spec["fill"], spec["title"]) == (4, 2, 0.5, "An 8")


def test_units_a_channel_a_neuron_or_a_logit_of_a_layer():
    assert spec_of(fv.saliency(NET, EIGHT, layer="conv2d_1", channel=5))["target"] == {
        "type": "channel",
        "layer": "conv2d_1",
        "channel": 5,
    }
    assert spec_of(fv.saliency(NET, EIGHT, layer="conv2d_1", channel=5, reduce="mean"))[
        "target"
    ] == {"type": "channel", "layer": "conv2d_1", "channel": 5, "reduce": "mean"}
    assert spec_of(fv.occlusion(NET, EIGHT, layer="conv2d", neuron=(3, 10, 12)))["target"] == {
        "type": "neuron",
        "layer": "conv2d",
        "channel": 3,
        "x": 10,
        "y": 12,
    }
    assert spec_of(fv.saliency(NET, EIGHT, logit=1, layer="logits"))["target"] == {
        "type": "logit",
        "index": 1,
        "layer": "logits",
    }


def test_saliency_methods_side_by_side_with_their_settings():
    spec = spec_of(
        fv.saliency(
            NET,
            EIGHT,
            method=["gradient", "smoothgrad", "integrated-gradients", "grad-cam"],
            samples=16,
            noise=0.2,
            steps=64,
            baseline=0.1,
            cam_layer="conv2d",
        )
    )
    assert spec["methods"] == ["gradient", "smoothgrad", "integrated-gradients", "grad-cam"]
    assert (spec["samples"], spec["noise"], spec["steps"], spec["baseline"]) == (16, 0.2, 64, 0.1)
    assert spec["camLayer"] == "conv2d"
    # Settings of methods not asked for stay out of the spec.
    assert "samples" not in spec_of(fv.saliency(NET, EIGHT, method="deconvnet"))


def test_an_array_from_the_kernel_is_held_for_the_page_not_written_in_the_spec():
    _comm.reset()
    digit = EIGHT.image
    spec = spec_of(fv.saliency(NET, digit, label=8))
    key = spec["data"]["kernel"]
    assert spec["data"] == {
        "kernel": key,
        "shape": [1, 28, 28, 1],
        "dtype": "uint8",
        "labels": True,
        "index": 0,
    }
    assert spec["target"] == {"type": "logit", "index": 8}
    held = _comm._arrays[key]
    assert held["images"].shape == (1, 28, 28, 1) and held["images"].dtype == np.uint8
    assert held["labels"].tolist() == [8] and held["labels"].dtype == np.int32
    # The same data has the same key; floats are sent as float32.
    assert spec_of(fv.saliency(NET, digit[None, :, :, None], label=8))["data"]["kernel"] == key
    floats = spec_of(fv.occlusion(NET, digit / 255.0))
    assert "target" not in floats  # no label: the predicted class
    assert _comm._arrays[floats["data"]["kernel"]]["images"].dtype == np.float32
    assert len(str(spec)) < 400  # no pixels in the notebook


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: fv.occlusion(NET, "digit.png"), TypeError, "input must be an example"),
        (lambda: fv.occlusion(NET, np.zeros((2, 28, 28, 1))), ValueError, "one image"),
        (lambda: fv.occlusion(NET, np.zeros(28)), ValueError, r"not of shape \(28,\)"),
        (lambda: fv.occlusion(NET, np.full((4, 4), np.nan)), ValueError, "NaN"),
        (lambda: fv.occlusion(NET, np.zeros((4, 4), bool)), TypeError, "array of numbers"),
        (lambda: fv.occlusion(NET, EIGHT, label=3), ValueError, "carries its own label"),
        (lambda: fv.occlusion(NET, EIGHT, size=0), ValueError, "size must be an integer"),
        (lambda: fv.occlusion(NET, EIGHT, size=4, stride=5), ValueError, "stride must be"),
        (lambda: fv.occlusion(NET, EIGHT, logit=1, channel=2), ValueError, "only one of"),
        (lambda: fv.occlusion(NET, EIGHT, channel=2), ValueError, "needs layer="),
        (lambda: fv.occlusion(NET, EIGHT, reduce="max"), ValueError, "channel= only"),
        (lambda: fv.saliency(NET, EIGHT, method="lime"), ValueError, "unknown method 'lime'"),
        (lambda: fv.saliency(NET, EIGHT, method=[]), ValueError, "one or more"),
        (
            lambda: fv.saliency(NET, EIGHT, cam_layer="conv2d"),
            ValueError,
            "add 'grad-cam' to method=",
        ),
        (lambda: fv.saliency(NET, EIGHT, method="smoothgrad", noise=2), ValueError, "noise"),
        (lambda: fv.saliency(NET, EIGHT, scal=2), TypeError, "did you mean 'scale'"),
    ],
)
def test_bad_arguments_fail_naming_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_filters_of_the_first_or_a_named_convolution():
    assert spec_of(fv.filters(NET)) == {
        "version": 1,
        "view": "filters",
        "model": {"builtin": "mnist-cnn"},
    }
    assert spec_of(fv.filters(NET, "conv2d_1", scale=4))["display"] == {"scale": 4}


def test_the_result_gives_the_maps_as_arrays():
    out = fv.saliency(NET, EIGHT, method=["gradient", "integrated-gradients"])
    maps = {
        "input": np.zeros((28, 28, 1), np.float32),
        "gradient": np.ones((28, 28, 1), np.float32),
        "integrated-gradients": np.full((28, 28, 1), 2, np.float32),
    }
    summary = {"kind": "saliency", "unit": "logit 8", "methods": []}
    _comm.slot(out.result_id).settle(
        "done", {"kind": "saliency", "summary": summary, "arrays": maps}
    )
    result = asyncio.run(out.result())
    assert isinstance(result, fv.attribution.Maps)
    assert result.integrated_gradients is result["integrated-gradients"]
    assert result.gradient.shape == (28, 28, 1)
    assert result.summary["unit"] == "logit 8"
    with pytest.raises(AttributeError, match="the arrays are input, gradient"):
        _ = result.smoothgrad
