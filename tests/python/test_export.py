"""featureviz.export: PyTorch Sequential -> TensorFlow.js Layers model.

The oracle is a NumPy forward pass written from the tfjs file format and
TensorFlow's layer semantics (tfjs_reference.py), checked against PyTorch's own
forward pass; where Node is installed, tfjs-layers itself loads the export too.
"""

from __future__ import annotations

import copy
import json

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")
nn = torch.nn

from tfjs_reference import forward, read_model, tfjs_available, tfjs_predict  # noqa: E402

from featureviz.export import ExportError, export_tfjs  # noqa: E402


def case_strided():
    # Stride 2 with padding 1 on an odd size is exactly TensorFlow's "same".
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3),
        nn.ReLU(),
        nn.Conv2d(8, 6, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.3),
        nn.Flatten(),
        nn.Linear(6 * 3 * 3, 16),
        nn.ReLU(),
        nn.Linear(16, 5),
    )
    return model, (3, 15, 15), ["valid", "same"]


def case_padded_no_bias():
    # Non-square input, a 5x5 "same" conv without bias, overlapping pool, ReLU not after a conv.
    model = nn.Sequential(
        nn.Conv2d(2, 4, 5, padding=2, bias=False),
        nn.MaxPool2d(3, stride=2),
        nn.ReLU(),
        nn.Conv2d(4, 5, 3, padding="same"),
        nn.Flatten(),
        nn.Dropout(),
        nn.ReLU(),
        nn.Linear(5 * 6 * 7, 3),
    )
    return model, (2, 13, 16), ["same", "same"]


def case_stride2_valid_nested():
    model = nn.Sequential(
        nn.Sequential(nn.Conv2d(1, 4, 4, stride=2), nn.ReLU()),
        nn.Conv2d(4, 3, (3, 2), stride=(1, 2)),
        nn.Flatten(),
        nn.Linear(3 * 6 * 3, 4),
    )
    return model, (1, 18, 14), ["valid", "valid"]


def case_mlp():
    model = nn.Sequential(nn.Linear(12, 7), nn.ReLU(), nn.Dropout(0.1), nn.Linear(7, 2))
    return model, (12,), []


CASES = [case_strided, case_padded_no_bias, case_stride2_valid_nested, case_mlp]


def channels_last(x):
    return x.permute(0, 2, 3, 1).numpy() if x.dim() == 4 else x.numpy()


def torch_forward(model, x, *, half=False):
    if half:
        model = copy.deepcopy(model)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float())
    model.eval()
    with torch.no_grad():
        return model(x).numpy()


@pytest.mark.parametrize("quantize", [None, "float16"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_export_computes_what_torch_computes(tmp_path, case, quantize):
    torch.manual_seed(1)
    model, shape, paddings = case()
    export_tfjs(model, tmp_path, input_shape=shape, quantize=quantize)
    x = torch.rand(5, *shape)

    ours = forward(tmp_path, channels_last(x))
    if quantize is None:
        assert np.abs(ours - torch_forward(model, x)).max() < 1e-5
    else:
        assert np.abs(ours - torch_forward(model, x, half=True)).max() < 1e-4
        # ... and the rounding is real: float16 weights do not reproduce float32 exactly.
        assert np.abs(ours - torch_forward(model, x)).max() > 0

    topology, _, described = read_model(tmp_path)
    convs = [
        layer["config"]["padding"]
        for layer in topology["modelTopology"]["config"]["layers"]
        if layer["class_name"] == "Conv2D"
    ]
    assert convs == paddings
    assert described == (tmp_path / "group1-shard1of1.bin").stat().st_size


def test_model_json_is_a_tfjs_layers_sequential(tmp_path):
    model, shape, _ = case_strided()
    export_tfjs(model, tmp_path, input_shape=shape, quantize="float16")
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved["format"] == "layers-model"
    assert saved["generatedBy"].startswith("PyTorch ")
    assert saved["convertedBy"].startswith("featureviz ")
    topology = saved["modelTopology"]
    assert topology["keras_version"] == "tfjs-layers 4.22.0"
    assert topology["backend"] == "tensor_flow.js"
    assert topology["class_name"] == "Sequential"
    layers = topology["config"]["layers"]
    assert [layer["class_name"] for layer in layers] == [
        "Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dense",
    ]  # fmt: skip
    first = layers[0]["config"]
    assert first["batch_input_shape"] == [None, 15, 15, 3]
    assert first["filters"] == 8 and first["kernel_size"] == [3, 3]
    assert first["data_format"] == "channels_last" and first["activation"] == "relu"
    assert "batch_input_shape" not in layers[1]["config"]
    assert layers[1]["config"]["strides"] == [2, 2]
    assert layers[2]["config"]["pool_size"] == [2, 2]
    assert layers[3]["config"]["rate"] == pytest.approx(0.3)
    assert [layer["config"]["activation"] for layer in layers[5:]] == ["relu", "linear"]
    (group,) = saved["weightsManifest"]
    assert group["paths"] == ["group1-shard1of1.bin"]
    assert [w["name"] for w in group["weights"]] == [
        "conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias",
        "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
    ]  # fmt: skip
    assert group["weights"][0]["shape"] == [3, 3, 3, 8]  # HWIO
    assert group["weights"][4]["shape"] == [54, 16]  # [in, out]
    for entry in group["weights"]:
        assert entry["dtype"] == "float32"
        assert entry["quantization"] == {"dtype": "float16", "original_dtype": "float32"}


def test_float16_halves_the_shard(tmp_path):
    model, shape, _ = case_strided()
    export_tfjs(model, tmp_path / "f32", input_shape=shape)
    export_tfjs(model, tmp_path / "f16", input_shape=shape, quantize="float16")
    f32 = (tmp_path / "f32" / "group1-shard1of1.bin").stat().st_size
    f16 = (tmp_path / "f16" / "group1-shard1of1.bin").stat().st_size
    n = sum(p.numel() for p in model.parameters())
    assert (f32, f16) == (4 * n, 2 * n)
    assert "quantization" not in (tmp_path / "f32" / "model.json").read_text()


def test_relu_is_fused_only_right_after_conv_or_linear(tmp_path):
    model, shape, _ = case_padded_no_bias()
    export_tfjs(model, tmp_path, input_shape=shape)
    layers = json.loads((tmp_path / "model.json").read_text())["modelTopology"]["config"]["layers"]
    assert [(layer["class_name"], layer["config"]["name"]) for layer in layers] == [
        ("Conv2D", "conv2d"),
        ("MaxPooling2D", "max_pooling2d"),
        ("Activation", "activation"),
        ("Conv2D", "conv2d_1"),
        ("Flatten", "flatten"),
        ("Dropout", "dropout"),
        ("Activation", "activation_1"),
        ("Dense", "dense"),
    ]
    assert layers[0]["config"]["activation"] == "linear"
    assert layers[0]["config"]["use_bias"] is False


def test_layer_names_are_the_callers(tmp_path):
    model, shape, _ = case_stride2_valid_nested()
    names = ["first", "second", "flat", "out"]
    export_tfjs(model, tmp_path, input_shape=shape, layer_names=names)
    _, weights, _ = read_model(tmp_path)
    assert set(weights) == {
        "first/kernel", "first/bias", "second/kernel", "second/bias", "out/kernel", "out/bias",
    }  # fmt: skip
    x = torch.rand(2, *shape)
    assert np.abs(forward(tmp_path, channels_last(x)) - torch_forward(model, x)).max() < 1e-5


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["a", "b"], r"layer_names must be a list of 4 names.*Conv2D, Conv2D, Flatten, Dense"),
        (["a", "b", "c", "a"], r"layer_names must be unique"),
        (["a", "b/c", "d", "e"], r"'b/c' is not a valid layer name"),
        ("abcd", r"layer_names must be a list of 4 names"),
    ],
)
def test_bad_layer_names_are_rejected(tmp_path, names, message):
    model, shape, _ = case_stride2_valid_nested()
    with pytest.raises(ValueError, match=message):
        export_tfjs(model, tmp_path, input_shape=shape, layer_names=names)


@pytest.mark.parametrize(
    ("layers", "shape", "message"),
    [
        ([nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)], (1, 8, 8), r"layer 1 \(BatchNorm2d\).*supports"),
        ([nn.Flatten(), nn.Linear(64, 2), nn.Sigmoid()], (1, 8, 8), r"layer 2 \(Sigmoid\)"),
        ([nn.AvgPool2d(2)], (1, 8, 8), r"AvgPool2d.*Conv2d, ReLU, MaxPool2d, Dropout, Flatten"),
        ([nn.Conv2d(1, 2, 3, stride=2, padding=1)], (1, 8, 8), r"padding=\(1, 1\).*'same'"),
        ([nn.Conv2d(1, 2, 3, padding=2)], (1, 8, 8), r"padding=\(2, 2\)"),
        ([nn.Conv2d(2, 2, 3, groups=2)], (2, 8, 8), r"groups=1"),
        ([nn.Conv2d(1, 2, 3, dilation=2)], (1, 8, 8), r"dilation=1"),
        ([nn.Linear(8, 2)], (1, 8, 8), r"4-D input; put a Flatten before it"),
        ([nn.MaxPool2d(2, padding=1)], (1, 8, 8), r"padding=0"),
        ([nn.MaxPool2d(2, ceil_mode=True)], (1, 7, 7), r"ceil_mode"),
        ([nn.Flatten(0)], (1, 8, 8), r"Flatten\(start_dim=1, end_dim=-1\)"),
        ([nn.Flatten(), nn.MaxPool1d(2)], (1, 8, 8), r"MaxPool1d"),
        ([], (1, 8, 8), r"empty"),
    ],
)
def test_unsupported_layers_raise_a_clear_error(tmp_path, layers, shape, message):
    with pytest.raises(ExportError, match=message):
        export_tfjs(nn.Sequential(*layers), tmp_path, input_shape=shape)
    assert not (tmp_path / "model.json").exists()


def test_bad_arguments_are_rejected(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(TypeError, match=r"needs a torch.nn.Sequential.*not Linear"):
        export_tfjs(nn.Linear(3, 2), tmp_path, input_shape=(3,))
    with pytest.raises(ValueError, match=r"quantize must be None or 'float16', not 'int8'"):
        export_tfjs(model, tmp_path, input_shape=(3,), quantize="int8")
    with pytest.raises(ValueError, match=r"input_shape must be .*\(channels, height, width\)"):
        export_tfjs(model, tmp_path, input_shape=(1, 3, 3, 3))
    with pytest.raises(ValueError, match=r"input_shape"):
        export_tfjs(model, tmp_path, input_shape=3)
    with pytest.raises(ExportError, match=r"layer 0 \(Linear\) fails on input of shape \(1, 4\)"):
        export_tfjs(model, tmp_path, input_shape=(4,))


def test_float16_overflow_is_an_error(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2))
    with torch.no_grad():
        model[0].weight[0, 0] = 1e6
    with pytest.raises(ExportError, match=r"dense/kernel has values beyond float16's range"):
        export_tfjs(model, tmp_path, input_shape=(2,), quantize="float16")


@pytest.mark.skipif(not tfjs_available(), reason="needs Node and node_modules (jlpm install)")
def test_tfjs_layers_loads_the_export_and_agrees(tmp_path):
    torch.manual_seed(2)
    model, shape, _ = case_strided()
    export_tfjs(model, tmp_path / "model", input_shape=shape, quantize="float16")
    x = torch.rand(3, *shape)
    names, y = tfjs_predict(tmp_path / "model", channels_last(x), tmp_path)
    assert names == [
        "conv2d", "conv2d_1", "max_pooling2d", "dropout", "flatten", "dense", "dense_1",
    ]  # fmt: skip
    assert np.abs(y - torch_forward(model, x, half=True)).max() < 1e-4
