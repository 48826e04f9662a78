"""bench/models/make_mobilenet.py: the benchmark's random MobileNet-v1 (alpha 0.5, 128 px).

The oracles are Keras's MobileNet architecture as arithmetic (names, strides,
filters, 'same' sizes, the parameter count), PyTorch's forward pass of the
model the script builds, and the NumPy reference forward (and, where Node is
installed, tfjs-layers itself) on the files it writes.
"""

from __future__ import annotations

import math
import sys

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from conftest import ROOT, run  # noqa: E402
from tfjs_reference import (  # noqa: E402
    forward,
    read_model,
    tfjs_available,
    tfjs_output_shapes,
    tfjs_predict,
)

sys.path.insert(0, str(ROOT / "bench" / "models"))
import make_mobilenet  # noqa: E402

# keras.applications.mobilenet: (pointwise filters at alpha 1, stride) per block.
KERAS_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]
KERAS_BLOCKS += [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
ALPHA = 0.5


def keras_layers():
    """(name, output shape (H, W, C)) of Keras's MobileNet(alpha=0.5) on 128 x 128 x 3."""
    size, channels = 128, 3
    out = [("conv1_pad", (size + 1, size + 1, channels))]
    size, channels = math.ceil(size / 2), int(32 * ALPHA)
    out += [(f"conv1{s}", (size, size, channels)) for s in ("", "_bn", "_relu")]
    for n, (filters, stride) in enumerate(KERAS_BLOCKS, start=1):
        if stride == 2:
            out.append((f"conv_pad_{n}", (size + 1, size + 1, channels)))
        size = math.ceil(size / stride)
        out += [(f"conv_dw_{n}{s}", (size, size, channels)) for s in ("", "_bn", "_relu")]
        channels = int(filters * ALPHA)
        out += [(f"conv_pw_{n}{s}", (size, size, channels)) for s in ("", "_bn", "_relu")]
    out += [("global_average_pooling2d", (channels,)), ("flatten", (channels,))]
    return [*out, ("dropout", (channels,)), ("logits", (1000,))]


def keras_parameter_count():
    """Weights (including batch norm's moving statistics) of Keras's model, by arithmetic."""
    c = int(32 * ALPHA)
    total = 3 * 3 * 3 * c + 4 * c
    for filters, _ in KERAS_BLOCKS:
        out = int(filters * ALPHA)
        total += 9 * c + 4 * c + c * out + 4 * out
        c = out
    return total + c * 1000 + 1000


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("mobilenet")
    model, sizes = make_mobilenet.make(out)
    return model, out, sizes


@pytest.fixture(scope="module")
def images():
    return torch.rand(2, 3, 128, 128, generator=torch.Generator().manual_seed(5))


def torch_upto(model, x, layer):
    with torch.no_grad():
        for name, module in model.named_children():
            x = module(x)
            if name == layer:
                return x.permute(0, 2, 3, 1).numpy() if x.dim() == 4 else x.numpy()
    raise KeyError(layer)


def assert_close(ours, expected, rel=1e-4):
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() <= rel * np.abs(expected).max()


def test_layer_names_and_output_shapes_are_kerass(made, images):
    _, folder, _ = made
    model, _, _ = read_model(folder)
    layers = model["modelTopology"]["config"]["layers"]
    expected = keras_layers()
    assert [layer["config"]["name"] for layer in layers] == [name for name, _ in expected]
    trace = []
    forward(folder, images[:1].permute(0, 2, 3, 1).numpy(), trace=trace)
    assert trace == expected
    kinds = {layer["config"]["name"]: layer["class_name"] for layer in layers}
    assert kinds["conv1_pad"] == "ZeroPadding2D" and kinds["conv_pad_12"] == "ZeroPadding2D"
    assert kinds["conv_dw_5"] == "DepthwiseConv2D" and kinds["conv_pw_5"] == "Conv2D"
    assert kinds["conv_pw_7_bn"] == "BatchNormalization" and kinds["conv_pw_7_relu"] == "ReLU"
    assert kinds["logits"] == "Dense"
    configs = {layer["config"]["name"]: layer["config"] for layer in layers}
    assert "batch_input_shape" not in configs["conv1"]
    assert configs["conv1_pad"]["batch_input_shape"] == [None, 128, 128, 3]
    assert all(c.get("use_bias") in (None, False) for n, c in configs.items() if n != "logits")
    assert all(c["max_value"] == 6 for n, c in configs.items() if n.endswith("_relu"))
    assert all(c["epsilon"] == pytest.approx(1e-3) for n, c in configs.items() if n.endswith("_bn"))
    assert configs["logits"]["activation"] == "linear"  # logits, no softmax


def test_conv_pw_7_bn_is_8_by_8_by_256(made, images):
    model, folder, _ = made
    assert torch_upto(model, images, "conv_pw_7_bn").shape == (2, 8, 8, 256)
    x = images.permute(0, 2, 3, 1).numpy()
    assert forward(folder, x, until="conv_pw_7_bn").shape == (2, 8, 8, 256)


@pytest.mark.parametrize("layer", ["conv_pw_7_bn", "logits"])
def test_torch_and_the_exported_files_agree(made, images, layer):
    model, folder, _ = made
    expected = torch_upto(model, images, layer)
    ours = forward(folder, images.permute(0, 2, 3, 1).numpy(), until=layer)
    assert_close(ours, expected)
    # Random weights but a live network: the two images differ, and no unit is constant.
    assert np.abs(ours[0] - ours[1]).max() > 1e-2 * np.abs(ours).max()


@pytest.mark.skipif(not tfjs_available(), reason="needs Node and node_modules (jlpm install)")
def test_tfjs_layers_loads_it_and_agrees(made, images, tmp_path):
    model, folder, _ = made
    x = images.permute(0, 2, 3, 1).numpy()
    for layer in ("conv_pw_7_bn", "logits"):
        _, ours = tfjs_predict(folder, x, tmp_path, output=layer)
        assert_close(ours, torch_upto(model, images, layer))
    assert tfjs_output_shapes(folder, x[:1], tmp_path) == keras_layers()


def test_weights_are_random_batch_norm_included(made):
    model, folder, _ = made
    _, weights, _ = read_model(folder)
    assert sum(w.size for w in weights.values()) == keras_parameter_count() == 1_342_536
    bns = [name[: -len("/moving_mean")] for name in weights if name.endswith("/moving_mean")]
    assert len(bns) == 27
    for bn in bns:
        variance = weights[f"{bn}/moving_variance"]
        assert (variance > 0).all()
        assert np.abs(variance - 1).max() > 0.2 and np.abs(weights[f"{bn}/moving_mean"]).max() > 0.2
        assert weights[f"{bn}/gamma"].std() > 0.1 and weights[f"{bn}/beta"].std() > 0.05
    assert all(not m.training for m in model.modules())


def test_files_are_float32_and_the_torch_state_matches(made):
    model, folder, sizes = made
    saved, _, described = read_model(folder)
    entries = saved["weightsManifest"][0]["weights"]
    assert all("quantization" not in e for e in entries)
    assert sizes["group1-shard1of1.bin"] == described == 4 * keras_parameter_count()
    state = torch.load(folder / "torch_state.pt", weights_only=True)
    fresh = make_mobilenet.build_model()
    fresh.load_state_dict(state)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert state["conv_dw_3.weight"].shape == (64, 1, 3, 3)  # depthwise, PyTorch's layout


def test_the_command_is_deterministic_and_reports_sizes(made, tmp_path, python):
    _, folder, sizes = made
    out = tmp_path / "again"
    result = run([python, ROOT / "bench" / "models" / "make_mobilenet.py", "--out", out])
    for name in ("model.json", "group1-shard1of1.bin", "torch_state.pt"):
        assert (out / name).read_bytes() == (folder / name).read_bytes(), name
        assert f"{out / name}: {sizes[name]:,} bytes" in result.stdout
    assert "1,342,536 weights" in result.stdout
    make_mobilenet.make(tmp_path / "seed1", seed=1)
    assert (tmp_path / "seed1" / "group1-shard1of1.bin").read_bytes() != (
        folder / "group1-shard1of1.bin"
    ).read_bytes()
