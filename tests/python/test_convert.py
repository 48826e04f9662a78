"""featureviz.convert: PyTorch Sequential -> TensorFlow.js Layers model.

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

from tfjs_reference import (  # noqa: E402
    forward,
    read_model,
    tfjs_available,
    tfjs_predict,
    tfjs_topology,
)

from featureviz.convert import ConversionError, sequential_to_tfjs  # noqa: E402


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


def randomize_batch_norms(model):
    """Running statistics and affine parameters far from the identity, as after training."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.normal_(0, 0.5)
                module.running_var.uniform_(0.3, 2.0)
                if module.affine:
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.normal_(0, 0.3)
    return model


def case_mobilenet_like():
    # A MobileNet-v1 in miniature: Keras's asymmetric pad before stride-2 convs,
    # bias-free convs, batch norm, ReLU6 as its own layer, depthwise convs (one
    # with multiplier 2 and a bias and a fused ReLU), global average pooling.
    model = nn.Sequential(
        nn.ZeroPad2d((0, 1, 0, 1)),
        nn.Conv2d(3, 8, 3, stride=2, bias=False),
        nn.BatchNorm2d(8, eps=1e-3),
        nn.ReLU6(),
        nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False),
        nn.BatchNorm2d(8, eps=1e-3),
        nn.ReLU6(),
        nn.Conv2d(8, 16, 1, bias=False),
        nn.BatchNorm2d(16),
        nn.ReLU6(),
        nn.ZeroPad2d((0, 1, 0, 1)),
        nn.Conv2d(16, 32, 3, stride=2, groups=16),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(1e-3),
        nn.Linear(32, 5),
    )
    return randomize_batch_norms(model), (3, 16, 16), ["valid", "same", "valid", "valid"]


def case_depthwise_asymmetric():
    # Depthwise multiplier 3 with TF 'same' padding on a non-square input, an
    # asymmetric pad whose four sides all differ, and a batch norm without affine.
    model = nn.Sequential(
        nn.Conv2d(2, 6, 3, stride=2, padding=1, groups=2, bias=False),
        nn.ZeroPad2d((1, 2, 0, 3)),
        nn.BatchNorm2d(6, affine=False),
        nn.ReLU(),
        nn.Conv2d(6, 6, (3, 1), groups=6),
        nn.Flatten(),
        nn.Linear(6 * 7 * 10, 4),
    )
    return randomize_batch_norms(model), (2, 11, 13), ["same", "valid"]


def case_flatten_flat():
    # A Flatten of something already flat: tfjs's Flatten rejects 2-D inputs.
    model = nn.Sequential(nn.Linear(6, 5), nn.Flatten(), nn.ReLU(), nn.Linear(5, 3))
    return model, (6,), []


CASES = [
    case_strided,
    case_padded_no_bias,
    case_stride2_valid_nested,
    case_mlp,
    case_mobilenet_like,
    case_depthwise_asymmetric,
    case_flatten_flat,
]


def channels_last(x):
    return x.permute(0, 2, 3, 1).numpy() if x.dim() == 4 else x.numpy()


def torch_forward(model, x, *, half=False):
    if half:
        model = copy.deepcopy(model)
        with torch.no_grad():
            # Batch norm's running statistics are exported, and rounded, too.
            for t in [*model.parameters(), *model.buffers()]:
                if t.is_floating_point():
                    t.copy_(t.half().float())
    model.eval()
    with torch.no_grad():
        return model(x).numpy()


@pytest.mark.parametrize("quantize", [None, "float16"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_conversion_computes_what_torch_computes(tmp_path, case, quantize):
    torch.manual_seed(1)
    model, shape, paddings = case()
    sequential_to_tfjs(model, tmp_path, input_shape=shape, quantize=quantize)
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
        if layer["class_name"] in ("Conv2D", "DepthwiseConv2D")
    ]
    assert convs == paddings
    assert described == (tmp_path / "group1-shard1of1.bin").stat().st_size


def test_model_json_is_a_tfjs_layers_sequential(tmp_path):
    model, shape, _ = case_strided()
    sequential_to_tfjs(model, tmp_path, input_shape=shape, quantize="float16")
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


def test_a_dataset_mean_is_written_channels_last(tmp_path):
    import numpy as np

    model, shape, _ = case_strided()  # (3, 15, 15)
    mean = np.random.default_rng(0).uniform(0, 1, shape)
    sequential_to_tfjs(model, tmp_path, input_shape=shape, dataset_mean=mean)
    saved = json.loads((tmp_path / "model.json").read_text())
    written = saved["userDefinedMetadata"]["featureviz"]["datasetMean"]
    assert written["shape"] == [15, 15, 3]
    values = np.array(written["values"]).reshape(15, 15, 3)
    assert np.abs(values - mean.transpose(1, 2, 0)).max() <= 5e-5
    sequential_to_tfjs(model, tmp_path / "none", input_shape=shape)
    assert "userDefinedMetadata" not in (tmp_path / "none" / "model.json").read_text()
    with pytest.raises(ValueError, match=r"dataset_mean must have the input's shape"):
        sequential_to_tfjs(model, tmp_path, input_shape=shape, dataset_mean=mean[0])
    with pytest.raises(ValueError, match=r"dataset_mean must hold values in \[0, 1\]"):
        sequential_to_tfjs(model, tmp_path, input_shape=shape, dataset_mean=mean * 2)


def test_float16_halves_the_shard(tmp_path):
    model, shape, _ = case_strided()
    sequential_to_tfjs(model, tmp_path / "f32", input_shape=shape)
    sequential_to_tfjs(model, tmp_path / "f16", input_shape=shape, quantize="float16")
    f32 = (tmp_path / "f32" / "group1-shard1of1.bin").stat().st_size
    f16 = (tmp_path / "f16" / "group1-shard1of1.bin").stat().st_size
    n = sum(p.numel() for p in model.parameters())
    assert (f32, f16) == (4 * n, 2 * n)
    assert "quantization" not in (tmp_path / "f32" / "model.json").read_text()


def test_relu_is_fused_only_right_after_conv_or_linear(tmp_path):
    model, shape, _ = case_padded_no_bias()
    sequential_to_tfjs(model, tmp_path, input_shape=shape)
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
    sequential_to_tfjs(model, tmp_path, input_shape=shape, layer_names=names)
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
        sequential_to_tfjs(model, tmp_path, input_shape=shape, layer_names=names)


@pytest.mark.parametrize(
    ("layers", "shape", "message"),
    [
        (
            [nn.Conv2d(1, 2, 3), nn.InstanceNorm2d(2)],
            (1, 8, 8),
            r"layer 1 \(InstanceNorm2d\).*supports",
        ),
        ([nn.Flatten(), nn.Linear(64, 2), nn.Sigmoid()], (1, 8, 8), r"layer 2 \(Sigmoid\)"),
        ([nn.AvgPool2d(2)], (1, 8, 8), r"AvgPool2d.*Conv2d \(groups=1 or depthwise\), ReLU, ReLU6"),
        ([nn.Hardtanh(0, 6)], (1, 8, 8), r"layer 0 \(Hardtanh\)"),
        ([nn.BatchNorm2d(1, track_running_stats=False)], (1, 8, 8), r"track_running_stats"),
        ([nn.ZeroPad2d((0, -1, 0, 0))], (1, 8, 8), r"negative padding"),
        ([nn.ConstantPad2d(1, 0.5)], (1, 8, 8), r"ConstantPad2d"),
        ([nn.AdaptiveAvgPool2d(2)], (1, 8, 8), r"only AdaptiveAvgPool2d\(1\)"),
        ([nn.AdaptiveAvgPool2d((1, None))], (1, 8, 8), r"only AdaptiveAvgPool2d\(1\)"),
        ([nn.AdaptiveMaxPool2d(1)], (1, 8, 8), r"AdaptiveMaxPool2d"),
        ([nn.AdaptiveAvgPool2d(1)], (1, 8, 8), r"must be followed by a Flatten"),
        (
            [nn.AdaptiveAvgPool2d(1), nn.Conv2d(1, 2, 1)],
            (1, 8, 8),
            r"layer 0 \(AdaptiveAvgPool2d\) must be followed by a Flatten, not Conv2d",
        ),
        ([nn.Conv2d(1, 2, 3, stride=2, padding=1)], (1, 8, 8), r"padding=\(1, 1\).*'same'"),
        ([nn.Conv2d(1, 2, 3, padding=2)], (1, 8, 8), r"padding=\(2, 2\)"),
        ([nn.Conv2d(4, 4, 3, groups=2)], (4, 8, 8), r"groups=1 or groups=in_channels"),
        ([nn.Conv2d(2, 2, 3, groups=2, dilation=2)], (2, 8, 8), r"dilation=1"),
        ([nn.Conv2d(2, 2, 3, groups=2, padding=1, stride=2)], (2, 8, 8), r"'same'"),
        ([nn.Conv2d(2, 2, 3, groups=2, padding_mode="reflect")], (2, 8, 8), r"padding_mode"),
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
    with pytest.raises(ConversionError, match=message):
        sequential_to_tfjs(nn.Sequential(*layers), tmp_path, input_shape=shape)
    assert not (tmp_path / "model.json").exists()


def test_bad_arguments_are_rejected(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(TypeError, match=r"needs a torch.nn.Sequential.*not Linear"):
        sequential_to_tfjs(nn.Linear(3, 2), tmp_path, input_shape=(3,))
    with pytest.raises(ValueError, match=r"quantize must be None or 'float16', not 'int8'"):
        sequential_to_tfjs(model, tmp_path, input_shape=(3,), quantize="int8")
    with pytest.raises(ValueError, match=r"input_shape must be .*\(channels, height, width\)"):
        sequential_to_tfjs(model, tmp_path, input_shape=(1, 3, 3, 3))
    with pytest.raises(ValueError, match=r"input_shape"):
        sequential_to_tfjs(model, tmp_path, input_shape=3)
    with pytest.raises(
        ConversionError, match=r"layer 0 \(Linear\) fails on input of shape \(1, 4\)"
    ):
        sequential_to_tfjs(model, tmp_path, input_shape=(4,))


def test_float16_overflow_is_an_error(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2))
    with torch.no_grad():
        model[0].weight[0, 0] = 1e6
    with pytest.raises(ConversionError, match=r"dense/kernel has values beyond float16's range"):
        sequential_to_tfjs(model, tmp_path, input_shape=(2,), quantize="float16")


@pytest.mark.skipif(not tfjs_available(), reason="needs Node and node_modules (jlpm install)")
def test_tfjs_layers_loads_the_export_and_agrees(tmp_path):
    torch.manual_seed(2)
    model, shape, _ = case_strided()
    sequential_to_tfjs(model, tmp_path / "model", input_shape=shape, quantize="float16")
    x = torch.rand(3, *shape)
    names, y = tfjs_predict(tmp_path / "model", channels_last(x), tmp_path)
    assert names == [
        "conv2d", "conv2d_1", "max_pooling2d", "dropout", "flatten", "dense", "dense_1",
    ]  # fmt: skip
    assert np.abs(y - torch_forward(model, x, half=True)).max() < 1e-4


@pytest.mark.skipif(not tfjs_available(), reason="needs Node and node_modules (jlpm install)")
@pytest.mark.parametrize(
    "case",
    [case_mobilenet_like, case_depthwise_asymmetric, case_flatten_flat],
    ids=lambda c: c.__name__,
)
def test_tfjs_layers_reads_the_new_layers_as_written(tmp_path, case):
    torch.manual_seed(3)
    model, shape, _ = case()
    sequential_to_tfjs(model, tmp_path / "model", input_shape=shape)
    x = torch.rand(2, *shape)
    _, y = tfjs_predict(tmp_path / "model", channels_last(x), tmp_path)
    expected = torch_forward(model, x)
    assert np.abs(y - expected).max() <= 1e-5 * max(1.0, np.abs(expected).max())

    # tfjs serializes back every config value it understood; a misspelt key or a
    # value it reads differently would come back changed or missing.
    ours = json.loads((tmp_path / "model" / "model.json").read_text())["modelTopology"]
    theirs = tfjs_topology(tmp_path / "model", channels_last(x), tmp_path)
    assert [layer["class_name"] for layer in theirs["config"]["layers"]] == [
        layer["class_name"] for layer in ours["config"]["layers"]
    ]
    for mine, read in zip(ours["config"]["layers"], theirs["config"]["layers"]):
        assert mine["config"] == read["config"], mine["class_name"]


def test_depthwise_kernel_keeps_torchs_channel_order(tmp_path):
    # Output channel c*m + q of a depthwise conv filters input channel c: a
    # one-hot input channel must light up exactly its m outputs, in both models.
    model = nn.Sequential(nn.Conv2d(3, 6, 1, groups=3, bias=False))
    with torch.no_grad():
        model[0].weight.copy_(torch.arange(1.0, 7.0).reshape(6, 1, 1, 1))
    sequential_to_tfjs(model, tmp_path, input_shape=(3, 2, 2))
    _, weights, _ = read_model(tmp_path)
    kernel = weights["depthwise_conv2d/depthwise_kernel"]
    assert kernel.shape == (1, 1, 3, 2)
    assert kernel[0, 0].tolist() == [[1, 2], [3, 4], [5, 6]]
    x = torch.zeros(1, 3, 2, 2)
    x[:, 1] = 1
    assert forward(tmp_path, channels_last(x))[0, 0, 0].tolist() == [0, 0, 3, 4, 0, 0]


def test_mobilenet_layers_serialize_like_keras(tmp_path):
    model, shape, _ = case_mobilenet_like()
    sequential_to_tfjs(model, tmp_path, input_shape=shape)
    saved = json.loads((tmp_path / "model.json").read_text())
    layers = saved["modelTopology"]["config"]["layers"]
    assert [(layer["class_name"], layer["config"]["name"]) for layer in layers] == [
        ("ZeroPadding2D", "zero_padding2d"),
        ("Conv2D", "conv2d"),
        ("BatchNormalization", "batch_normalization"),
        ("ReLU", "re_lu"),
        ("DepthwiseConv2D", "depthwise_conv2d"),
        ("BatchNormalization", "batch_normalization_1"),
        ("ReLU", "re_lu_1"),
        ("Conv2D", "conv2d_1"),
        ("BatchNormalization", "batch_normalization_2"),
        ("ReLU", "re_lu_2"),
        ("ZeroPadding2D", "zero_padding2d_1"),
        ("DepthwiseConv2D", "depthwise_conv2d_1"),
        ("GlobalAveragePooling2D", "global_average_pooling2d"),
        ("Reshape", "reshape"),
        ("Dropout", "dropout"),
        ("Dense", "dense"),
    ]
    config = [layer["config"] for layer in layers]
    assert config[0]["padding"] == [[0, 1], [0, 1]]
    assert config[0]["batch_input_shape"] == [None, 16, 16, 3]
    assert config[1]["use_bias"] is False and config[1]["activation"] == "linear"
    assert config[2]["axis"] == -1 and config[2]["epsilon"] == pytest.approx(1e-3)
    assert config[2]["momentum"] == pytest.approx(0.9)
    assert config[8]["epsilon"] == pytest.approx(1e-5)
    assert config[3]["max_value"] == 6
    assert config[4]["depth_multiplier"] == 1 and config[4]["padding"] == "same"
    assert config[11]["depth_multiplier"] == 2 and config[11]["strides"] == [2, 2]
    assert config[11]["padding"] == "valid" and config[11]["activation"] == "relu"
    assert config[11]["use_bias"] is True
    assert config[13]["target_shape"] == [32]
    shapes = {w["name"]: w["shape"] for w in saved["weightsManifest"][0]["weights"]}
    assert list(shapes)[:6] == [
        "conv2d/kernel",
        "batch_normalization/gamma",
        "batch_normalization/beta",
        "batch_normalization/moving_mean",
        "batch_normalization/moving_variance",
        "depthwise_conv2d/depthwise_kernel",
    ]
    assert shapes["depthwise_conv2d/depthwise_kernel"] == [3, 3, 8, 1]
    assert shapes["depthwise_conv2d_1/depthwise_kernel"] == [3, 3, 16, 2]
    assert shapes["depthwise_conv2d_1/bias"] == [32]
    assert "depthwise_conv2d/bias" not in shapes and "conv2d/bias" not in shapes


def test_batch_norm_without_affine_has_only_statistics(tmp_path):
    model, shape, _ = case_depthwise_asymmetric()
    sequential_to_tfjs(model, tmp_path, input_shape=shape)
    _, weights, _ = read_model(tmp_path)
    assert sorted(k for k in weights if k.startswith("batch_normalization/")) == [
        "batch_normalization/moving_mean",
        "batch_normalization/moving_variance",
    ]
    layers = json.loads((tmp_path / "model.json").read_text())["modelTopology"]["config"]
    bn = next(la for la in layers["layers"] if la["class_name"] == "BatchNormalization")
    assert bn["config"]["center"] is False and bn["config"]["scale"] is False


def test_conversion_leaves_a_training_model_as_it_was(tmp_path):
    # The exporter's probe must not update running statistics nor switch modes.
    model, shape, _ = case_mobilenet_like()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    sequential_to_tfjs(model, tmp_path, input_shape=shape)
    assert all(m.training for m in model.modules())
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    # ... and what it wrote is the eval-mode function.
    x = torch.rand(2, *shape)
    assert np.abs(forward(tmp_path, channels_last(x)) - torch_forward(model, x)).max() < 1e-5
