"""The shipped MNIST CNN (assets/models/mnist-cnn) and the script that trains it.

The model is read as the browser reads it (model.json + float16 shard) and run
by the NumPy reference in tfjs_reference.py on the held-out digits; the
fixtures were written by PyTorch at training time.
"""

from __future__ import annotations

import json
import sys

import pytest
from conftest import run
from tfjs_reference import forward, read_model, tfjs_available, tfjs_predict

import featureviz as fv

np = pytest.importorskip("numpy")

LAYERS = ["conv2d", "conv2d_1", "max_pooling2d", "dropout", "flatten", "dense", "logits"]


@pytest.fixture(scope="module")
def model_dir(root):
    return root / "assets" / "models" / "mnist-cnn"


@pytest.fixture(scope="module")
def fixtures(root):
    folder = root / "tests" / "fixtures" / "mnist-cnn"
    summary = json.loads((folder / "summary.json").read_text())
    logits = np.frombuffer((folder / "test-logits-float16-weights.f32").read_bytes(), "<f4")
    predictions = np.frombuffer((folder / "test-predictions-float32.u8").read_bytes(), np.uint8)
    return summary, logits.reshape(-1, 10), predictions


@pytest.fixture(scope="module")
def held_out():
    images, labels = fv.datasets.mnist("test").load()
    return images[..., None].astype(np.float64) / 255, labels


@pytest.fixture(scope="module")
def reference_logits(model_dir, held_out):
    return forward(model_dir, held_out[0])


def test_layers_are_named_as_documented(model_dir):
    model, weights, _ = read_model(model_dir)
    layers = model["modelTopology"]["config"]["layers"]
    assert [layer["config"]["name"] for layer in layers] == LAYERS
    assert [layer["class_name"] for layer in layers] == [
        "Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dense",
    ]  # fmt: skip
    assert layers[0]["config"]["batch_input_shape"] == [None, 28, 28, 1]
    assert [layers[i]["config"]["activation"] for i in (0, 1, 5, 6)] == [
        "relu", "relu", "relu", "linear",
    ]  # fmt: skip
    assert [layers[i]["config"]["filters"] for i in (0, 1)] == [32, 64]
    assert [layers[i]["config"]["units"] for i in (5, 6)] == [128, 10]
    assert {name: w.shape for name, w in weights.items()} == {
        "conv2d/kernel": (3, 3, 1, 32),
        "conv2d/bias": (32,),
        "conv2d_1/kernel": (3, 3, 32, 64),
        "conv2d_1/bias": (64,),
        "dense/kernel": (9216, 128),
        "dense/bias": (128,),
        "logits/kernel": (128, 10),
        "logits/bias": (10,),
    }


def test_weights_are_float16_and_fit_the_size_budget(model_dir):
    model, _, described = read_model(model_dir)
    files = sorted(p.name for p in model_dir.iterdir())
    assert files == ["group1-shard1of1.bin", "model.json"]
    assert described == (model_dir / "group1-shard1of1.bin").stat().st_size
    assert sum(p.stat().st_size for p in model_dir.iterdir()) < 3 * 1024 * 1024
    for entry in model["weightsManifest"][0]["weights"]:
        assert entry["quantization"] == {"dtype": "float16", "original_dtype": "float32"}
    text = (model_dir / "model.json").read_text()
    assert "http" not in text and "www." not in text


def test_held_out_accuracy(reference_logits, held_out, fixtures):
    summary, _, _ = fixtures
    accuracy = (reference_logits.argmax(1) == held_out[1]).mean()
    assert accuracy >= 0.975
    assert summary["split"] == "test" and summary["count"] == len(held_out[1]) == 2000
    assert abs(accuracy - summary["accuracy"]["float16"]) <= 0.0005  # one digit at most
    assert summary["accuracy"]["float32"] >= 0.975


def test_logits_equal_pytorchs_with_the_same_weights(reference_logits, fixtures):
    _, logits, _ = fixtures
    assert logits.shape == reference_logits.shape == (2000, 10)
    assert np.abs(reference_logits - logits).max() < 1e-4


def test_float16_rounding_barely_changes_predictions(reference_logits, fixtures):
    _, _, float32_predictions = fixtures
    assert (reference_logits.argmax(1) == float32_predictions).mean() >= 0.995


def test_fv_models_mnist_cnn_names_this_model():
    assert fv.models.mnist_cnn().to_spec() == {"builtin": "mnist-cnn"}


@pytest.mark.skipif(not tfjs_available(), reason="needs Node and node_modules (jlpm install)")
def test_tfjs_layers_loads_the_shipped_model(model_dir, held_out, fixtures, tmp_path):
    images = held_out[0][:64]
    names, logits = tfjs_predict(model_dir, images, tmp_path)
    assert names == LAYERS
    assert np.abs(logits - fixtures[1][:64]).max() < 1e-4


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_accuracy(root, tmp_path, fixtures):
    """About two minutes: the whole training run, into a temporary folder."""
    pytest.importorskip("torch")
    summary = fixtures[0]
    run(
        [
            sys.executable,
            root / "training" / "train_mnist_cnn.py",
            "--model-dir",
            tmp_path / "model",
            "--fixtures-dir",
            tmp_path / "fixtures",
            "--seed",
            summary["seed"],
        ],
        cwd=root,
        timeout=900,
    )
    again = json.loads((tmp_path / "fixtures" / "summary.json").read_text())
    for kind in ("float32", "float16"):
        assert abs(again["accuracy"][kind] - summary["accuracy"][kind]) <= 0.005, kind
    # The retrained export is a working model too.
    images, labels = fv.datasets.mnist("test", limit=500).load()
    logits = forward(tmp_path / "model", images[..., None] / 255.0)
    assert (logits.argmax(1) == labels).mean() >= 0.97
