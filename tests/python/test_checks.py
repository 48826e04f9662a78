"""Arguments checked at the call for bundled models, with the front end's messages.

The expected texts come from tests/fixtures/error-messages.json, which the
engine's own test (src/engine/__tests__/error-messages.spec.ts) reads too.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import featureviz as fv
from featureviz import _checks
from featureviz import objectives as O

NET = fv.models.mnist_cnn()
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "error-messages.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["message"][:60] for c in CASES])
def test_messages_are_the_front_ends(case):
    assert _checks.MESSAGES[case["error"]](*case["args"]) == case["message"]


def test_the_bundled_models_layers_and_shapes():
    topology = _checks.bundled_topology("mnist-cnn")
    assert topology.layers == [
        "conv2d",
        "conv2d_1",
        "max_pooling2d",
        "dropout",
        "flatten",
        "dense",
        "logits",
    ]
    assert topology.input_shape == (28, 28, 1)
    assert topology.shapes == {
        "conv2d": (26, 26, 32),
        "conv2d_1": (24, 24, 64),
        "max_pooling2d": (12, 12, 64),
        "dropout": (12, 12, 64),
        "flatten": (9216,),
        "dense": (128,),
        "logits": (10,),
    }
    assert topology.logits == "logits"


def message(case_index: int) -> str:
    return CASES[case_index]["message"]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: fv.gradient_ascent(NET, "conv2d_2", channel=1), message(0)),
        (lambda: fv.layer_atlas(NET, "Logits"), message(1)),
        (lambda: fv.render_vis(NET, O.channel("fc7", 0)), message(2)),
        (lambda: fv.gradient_ascent(NET, "conv2d_1", channel=64), message(3)),
        (lambda: fv.layer_atlas(NET, "conv2d_1", channels=[3, 64]), message(3)),
        (lambda: fv.gradient_ascent(NET, logit=12), message(4)),
        (lambda: fv.gradient_ascent(NET, logit=[1, 12]), message(4)),
        (lambda: fv.gradient_ascent(NET, "conv2d_1", neuron=(1, 30, 2)), message(5)),
        (
            lambda: fv.render_vis(NET, O.channel("conv2d", 1, batch=2), batch=2),
            "Batch index 2 is out of range: the batch has 2 images (0 to 1).",
        ),
        (
            lambda: fv.render_vis(NET, O.direction("conv2d", [1.0, 2.0])),
            'The direction has 2 entries but layer "conv2d" has 32 channels.',
        ),
        (
            lambda: fv.render_vis(NET, O.channel("conv2d", 1) - O.total_variation("dense")),
            'Total variation needs a spatial layer; "dense" is not one.',
        ),
        (
            lambda: fv.gradient_ascent(NET, logit=1, init=np.zeros((28, 28, 3))),
            "The start image has 3 channels but the model takes 1.",
        ),
    ],
)
def test_mistakes_are_reported_at_the_call(call, expected):
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == expected


def test_right_calls_and_other_models_pass():
    fv.gradient_ascent(NET, "conv2d_1", channel=63)
    fv.gradient_ascent(NET, "max_pooling2d", neuron=(0, 11, 11))
    fv.gradient_ascent(NET, logit=range(10))
    fv.render_vis(NET, O.channel("conv2d", 1) - 0.05 * O.L1())
    fv.layer_atlas(NET, "dense", channels=[127])
    # A model by path is the front end's to check.
    fv.gradient_ascent("models/net/model.json", "nothing_like_it", channel=999)


def test_the_shipped_model_gives_its_dataset_mean():
    root = Path(__file__).resolve().parents[2]
    model_json = json.loads(
        (root / "assets" / "models" / "mnist-cnn" / "model.json").read_text(encoding="utf-8")
    )
    mean = model_json["userDefinedMetadata"]["featureviz"]["datasetMean"]
    assert mean["shape"] == [28, 28, 1]
    images, _ = fv.datasets.mnist("train").load(root / "assets" / "datasets" / "mnist")
    expected = images.astype(np.float64).mean(0) / 255
    assert np.abs(np.array(mean["values"]).reshape(28, 28) - expected).max() < 1e-4
