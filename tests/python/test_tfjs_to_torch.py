"""bench/reference/tfjs_to_torch.py: tfjs Layers model -> PyTorch Sequential.

Oracles: the trainer's PyTorch logits for the shipped MNIST model (a fixture
computed from the original PyTorch model, not from this converter), the
original PyTorch models that featureviz.convert wrote, and the NumPy reference
forward of the tfjs files.
"""

from __future__ import annotations

import json
import sys

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")
nn = torch.nn

from conftest import ROOT  # noqa: E402
from test_convert import CASES, channels_last, torch_forward  # noqa: E402
from tfjs_reference import forward  # noqa: E402

from featureviz.convert import sequential_to_tfjs  # noqa: E402
from featureviz.datasets import mnist  # noqa: E402

sys.path.insert(0, str(ROOT / "bench" / "reference"))
sys.path.insert(0, str(ROOT / "bench" / "models"))
import make_mobilenet  # noqa: E402
from tfjs_to_torch import UnsupportedLayer, tfjs_to_torch, truncate  # noqa: E402

MNIST = ROOT / "assets" / "models" / "mnist-cnn" / "model.json"
LOGITS = ROOT / "tests" / "fixtures" / "mnist-cnn" / "test-logits-float16-weights.f32"


def run(model, x):
    with torch.no_grad():
        return model(x).numpy()


def test_the_shipped_mnist_model_gives_the_trainers_logits():
    images, _ = mnist("test").load()
    x = torch.from_numpy(np.asarray(images, np.float32) / 255).unsqueeze(1)
    expected = np.fromfile(LOGITS, "<f4").reshape(len(x), 10)
    model = tfjs_to_torch(MNIST)
    assert model.tfjs_input_shape == (28, 28, 1)
    assert np.abs(run(model, x) - expected).max() < 1e-4


def test_mnist_layers_keep_their_names_and_the_relu_comes_after():
    model = tfjs_to_torch(MNIST)
    assert [name for name, _ in model.named_children()] == [
        "conv2d", "conv2d/activation", "conv2d_1", "conv2d_1/activation", "max_pooling2d",
        "dropout", "flatten", "dense", "dense/activation", "logits",
    ]  # fmt: skip
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    pre = run(truncate(model, "conv2d_1"), x)
    assert pre.shape == (3, 64, 24, 24) and (pre < 0).any()  # before the ReLU
    # The reference's conv2d_1 has its ReLU fused: it is the ReLU of ours.
    reference = forward(MNIST.parent, channels_last(x), until="conv2d_1")
    assert np.abs(np.maximum(pre, 0).transpose(0, 2, 3, 1) - reference).max() < 1e-5
    with pytest.raises(KeyError, match=r"no layer 'conv9'; the layers are conv2d, "):
        truncate(model, "conv9")


@pytest.mark.parametrize("quantize", [None, "float16"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_it_inverts_the_exporter(tmp_path, case, quantize):
    torch.manual_seed(4)
    original, shape, _ = case()
    sequential_to_tfjs(original, tmp_path, input_shape=shape, quantize=quantize)
    model = tfjs_to_torch(tmp_path / "model.json")
    x = torch.rand(4, *shape)
    expected = torch_forward(original, x, half=quantize == "float16")
    assert np.abs(run(model, x) - expected).max() < 1e-5
    assert not model.training


def test_asymmetric_same_padding_becomes_an_explicit_pad(tmp_path):
    # tfjs 'same' with stride 2 on an even size pads 0 before, 1 after: no
    # PyTorch padding= does that. The oracle is the NumPy reference.
    layer = {
        "class_name": "Conv2D",
        "config": {
            "name": "c", "filters": 2, "kernel_size": [3, 3], "strides": [2, 2],
            "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
            "activation": "linear", "use_bias": False, "batch_input_shape": [None, 8, 6, 1],
        },
    }  # fmt: skip
    kernel = np.random.RandomState(0).normal(size=(3, 3, 1, 2)).astype("<f4")
    write_model(tmp_path, [layer], [("c/kernel", kernel)])
    model = tfjs_to_torch(tmp_path / "model.json")
    assert isinstance(model.c[0], nn.ZeroPad2d) and model.c[0].padding == (0, 1, 0, 1)
    x = torch.rand(2, 1, 8, 6)
    expected = forward(tmp_path, channels_last(x))
    assert np.abs(run(model, x).transpose(0, 2, 3, 1) - expected).max() < 1e-5


def test_the_mobilenet_comes_back_as_it_was_built(tmp_path):
    built, _ = make_mobilenet.make(tmp_path)
    model = tfjs_to_torch(tmp_path / "model.json")
    ours, theirs = model.state_dict(), built.state_dict()
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        assert torch.equal(ours[key], value), key
    x = torch.rand(1, 3, 128, 128)
    with torch.no_grad():
        assert torch.equal(truncate(model, "conv_pw_7_bn")(x), truncate(built, "conv_pw_7_bn")(x))


def write_model(folder, layers, weights, quantization=None):
    entries, data = [], b""
    for name, array in weights:
        entry = {"name": name, "shape": list(array.shape), "dtype": "float32"}
        if quantization:
            entry["quantization"] = quantization
        entries.append(entry)
        data += array.tobytes()
    model = {
        "format": "layers-model",
        "modelTopology": {"class_name": "Sequential", "config": {"name": "s", "layers": layers}},
        "weightsManifest": [{"paths": ["w.bin"], "weights": entries}],
    }
    (folder / "model.json").write_text(json.dumps(model))
    (folder / "w.bin").write_bytes(data)


@pytest.mark.parametrize(
    ("layers", "weights", "quantization", "message"),
    [
        (
            [{"class_name": "Conv1D", "config": {"name": "a", "batch_input_shape": [None, 4, 4, 1]}}],
            [],
            None,
            r"layer 'a' \(Conv1D\): not supported",
        ),
        (
            [
                {
                    "class_name": "Dense",
                    "config": {"name": "d", "units": 1, "use_bias": False, "activation": "linear",
                               "batch_input_shape": [None, 2]},
                }
            ],
            [("d/kernel", np.zeros((2, 1), "<f4"))],
            {"dtype": "uint8", "scale": 1, "min": 0},
            r"d/kernel: uint8 quantization",
        ),
        (
            [
                {
                    "class_name": "Dense",
                    "config": {"name": "d", "units": 1, "use_bias": False, "activation": "elu",
                               "batch_input_shape": [None, 2]},
                }
            ],
            [("d/kernel", np.zeros((2, 1), "<f4"))],
            None,
            r"activation 'elu'",
        ),
    ],
)  # fmt: skip
def test_unsupported_models_raise(tmp_path, layers, weights, quantization, message):
    write_model(tmp_path, layers, weights, quantization)
    with pytest.raises(UnsupportedLayer, match=message):
        tfjs_to_torch(tmp_path / "model.json")
