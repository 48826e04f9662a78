"""fv.pca: specs that validate, defaults from the schema, arguments checked at
the call with messages that name them (the engine's own for bundled models),
the result read from what the page sends; and the scikit-learn oracle behind
the engine's PCA tests (tests/python/pca_oracle.py): the committed fixture is
what it computes, and the oracle agrees with a NumPy SVD of the same data."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pytest

import featureviz as fv
from featureviz import _comm

NET = fv.models.mnist_cnn()


def validate(spec: dict) -> None:
    jsonschema.validate(spec, fv.spec_schema())


def test_builds_a_valid_spec_with_defaults_from_the_schema():
    spec = fv.pca(NET, "conv2d").spec
    validate(spec)
    schema = fv.spec_schema()["definitions"]["PcaSpec"]["properties"]
    assert spec["components"] == schema["components"]["default"] == 2
    assert spec["seed"] == schema["seed"]["default"] == 0
    assert spec["data"] == {"builtin": "mnist", "split": "test"}


def test_every_argument_reaches_the_spec():
    spec = fv.pca(
        NET, "dense", data=fv.datasets.mnist("all"), components=5, limit=3000, seed=7, title="t"
    ).spec
    validate(spec)
    assert spec["layer"] == "dense"
    assert spec["data"] == {"builtin": "mnist", "split": "all", "limit": 3000}
    assert (spec["components"], spec["seed"], spec["title"]) == (5, 7, "t")
    # A limit never raises a dataset's own.
    small = fv.pca(NET, "dense", data=fv.datasets.mnist(limit=100), limit=500).spec
    assert small["data"]["limit"] == 100


def test_labels_colour_the_points_through_kernel_arrays():
    images = np.zeros((6, 28, 28), np.uint8)
    out = fv.pca(NET, "dense", data=fv.datasets.from_numpy(images), labels=[0, 1, 2, 0, 1, 2])
    validate(out.spec)
    assert out.spec["data"]["labels"] is True
    digits = fv.pca(NET, "dense", data=fv.datasets.mnist(limit=10), labels=np.arange(10) % 3)
    assert digits.spec["data"]["shape"] == [10, 28, 28]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"layer": "conv9"}, ValueError, 'The model has no layer "conv9". Did you mean "conv2d"?'),
        (
            {"layer": "logits", "components": 12},
            ValueError,
            'Layer "logits" has 10 values per example: at most 10 components, not 12.',
        ),
        ({"layer": "dense", "components": 1}, ValueError, "components"),
        ({"layer": "dense", "components": 65}, ValueError, "components"),
        (
            {"layer": "dense", "labels": [1, 2, 3]},
            ValueError,
            "labels must be one integer per example of data: 2000 examples but labels of shape (3,)",
        ),
        ({"layer": "dense", "limit": 0}, ValueError, "limit must be None"),
        ({"layer": "dense", "seed": -1}, ValueError, "seed"),
        ({"layer": "dense", "data": fv.datasets.mnist()[3]}, TypeError, "not one example"),
        ({"layer": 5}, TypeError, "layer must be a layer name"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error) as raised:
        fv.pca(NET, **kwargs)
    assert message in str(raised.value)


def test_the_result_reads_what_the_page_sends():
    out = fv.pca(NET, "dense")
    assert out.sends_result
    raw = {
        "kind": "pca",
        "summary": {"solver": "exact"},
        "arrays": {
            "coordinates": np.zeros((3, 2), np.float32),
            "explained_variance": np.ones(2, np.float32),
            "explained_variance_ratio": np.full(2, 0.25, np.float32),
            "indices": np.arange(8000, 8003, dtype=np.int32),
            "labels": np.array([7, 2, 1], np.int32),
            "selection": np.array([8001], np.int32),
        },
    }
    _comm.slot(out.result_id).settle("done", raw)
    import asyncio

    result = asyncio.run(out.result())
    assert result.selection.tolist() == [8001]
    assert result.coordinates.shape == (3, 2)
    assert result.summary == {"solver": "exact"}


# --- the oracle -------------------------------------------------------------------------------


def test_the_committed_fixture_is_what_scikit_learn_computes():
    pytest.importorskip("sklearn")
    pytest.importorskip("torch")
    from pca_oracle import FIXTURE, compute

    saved = json.loads(FIXTURE.read_text(encoding="utf-8"))
    computed = compute()
    assert saved["count"] == computed["count"]
    for layer, values in computed["layers"].items():
        np.testing.assert_allclose(
            saved["layers"][layer]["explainedVarianceRatio"],
            values["explainedVarianceRatio"],
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            saved["layers"][layer]["coordinates"], values["coordinates"], atol=1e-4
        )


def test_the_oracle_agrees_with_an_svd_and_flips_signs_as_svd_flip():
    pytest.importorskip("sklearn")
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 30)) @ rng.standard_normal((30, 30))
    centred = x - x.mean(0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    pca = PCA(n_components=4, svd_solver="full").fit(x)
    np.testing.assert_allclose(pca.explained_variance_, s[:4] ** 2 / 199, rtol=1e-10)
    # The largest entry of each component is positive (the engine's rule).
    for axis in pca.components_:
        assert axis[np.argmax(np.abs(axis))] > 0
    np.testing.assert_allclose(np.abs(pca.components_), np.abs(vt[:4]), atol=1e-10)


def test_colours_by_a_unit_of_the_layer():
    net = fv.models.mnist_cnn()
    spec = fv.pca(net, "conv2d_1", channel=5).spec
    validate(spec)
    assert spec["colorBy"] == {
        "type": "channel",
        "layer": "conv2d_1",
        "channel": 5,
        "reduce": "max",
    }
    assert fv.pca(net, "dense", logit=3).spec["colorBy"] == {
        "type": "logit",
        "index": 3,
        "layer": "dense",
    }
    assert "colorBy" not in fv.pca(net, "conv2d_1").spec
    with pytest.raises(ValueError, match="give exactly one of channel, neuron and logit"):
        fv.pca(net, "conv2d_1", channel=1, logit=2)
