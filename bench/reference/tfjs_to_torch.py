"""Builds a PyTorch ``nn.Sequential`` from a TensorFlow.js Layers model.

The benchmark runs the very files the TensorFlow.js engine loads (model.json
and its weight shards, float32 or float16-quantized) in PyTorch, so that both
sides compute with the same weights. This inverts ``featureviz.convert``'s
layout changes and covers the layers it writes: Conv2D, DepthwiseConv2D,
Dense, BatchNormalization, ReLU, Activation, MaxPooling2D, ZeroPadding2D,
GlobalAveragePooling2D, Dropout, Flatten and Reshape to (features,).

The model takes channels-first input (N, C, H, W), like any PyTorch CNN;
``tfjs_input_shape`` holds the tfjs (H, W, C). Each tfjs layer is one child of
the Sequential under the layer's own name, so cutting the Sequential after a
child gives that layer's output (channels-first). A fused activation is a child
of its own, ``<layer>/activation``, right after the layer: so ``<layer>`` alone
is the output *before* the activation, what the engine optimizes (Lucid's
pre_relu). A Flatten's output is in PyTorch's (C, H, W) order, and the Dense
after it has its rows reordered to match, as in a model built in PyTorch.

Usage as a module (``sys.path`` must hold ``bench/reference``)::

    from tfjs_to_torch import tfjs_to_torch, truncate
    model = tfjs_to_torch("assets/models/mnist-cnn/model.json")
    upto = truncate(model, "conv2d_1")  # conv2d_1 before its ReLU

or from the command line, to print the layers it builds::

    python bench/reference/tfjs_to_torch.py assets/models/mnist-cnn/model.json
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["read_weights", "tfjs_to_torch", "truncate"]


class UnsupportedLayer(ValueError):
    """The model holds a layer (or a setting) that this converter does not build."""


def read_weights(model_json: dict[str, Any], folder: Path) -> dict[str, np.ndarray]:
    """The weights by name, as float32, decoded from the manifest's shards."""
    weights: dict[str, np.ndarray] = {}
    for group in model_json["weightsManifest"]:
        data = b"".join((folder / p).read_bytes() for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            if entry["dtype"] != "float32":
                raise UnsupportedLayer(f"{entry['name']}: dtype {entry['dtype']!r}")
            quantized = entry.get("quantization", {}).get("dtype")
            if quantized not in (None, "float16"):
                raise UnsupportedLayer(f"{entry['name']}: {quantized} quantization")
            dtype = np.dtype("<f2" if quantized == "float16" else "<f4")
            size = math.prod(entry["shape"]) * dtype.itemsize
            if offset + size > len(data):
                raise ValueError(f"{entry['name']}: the shards end before its bytes")
            values = np.frombuffer(data, dtype, count=size // dtype.itemsize, offset=offset)
            weights[entry["name"]] = values.astype(np.float32).reshape(entry["shape"])
            offset += size
        if offset != len(data):
            raise ValueError("the shards hold bytes the manifest does not describe")
    return weights


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same': ceil(size / stride) outputs, the smaller half of the padding first."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _activation(name: str, where: str) -> nn.Module | None:
    modules = {
        "linear": None,
        "relu": nn.ReLU(),
        "relu6": nn.ReLU6(),
        "sigmoid": nn.Sigmoid(),
        "tanh": nn.Tanh(),
        "softmax": nn.Softmax(dim=1),
    }
    if name not in modules:
        raise UnsupportedLayer(f"{where}: activation {name!r}")
    return modules[name]


def _tensor(array: np.ndarray) -> nn.Parameter:
    return nn.Parameter(torch.from_numpy(np.ascontiguousarray(array, np.float32)))


def _conv(kind: str, config: dict, take, shape: tuple[int, ...], where: str) -> nn.Module:
    """A Conv2D or DepthwiseConv2D, with TF 'same' padding made explicit where it is asymmetric."""
    if config.get("data_format", "channels_last") != "channels_last":
        raise UnsupportedLayer(f"{where}: data_format {config['data_format']!r}")
    if _pair(config.get("dilation_rate", 1)) != (1, 1):
        raise UnsupportedLayer(f"{where}: dilation_rate {config['dilation_rate']}")
    kh, kw = _pair(config["kernel_size"])
    stride = _pair(config.get("strides", 1))
    c = shape[1]
    if kind == "Conv2D":
        kernel = take("kernel")  # (h, w, in, out) -> (out, in, h, w)
        conv = nn.Conv2d(c, kernel.shape[3], (kh, kw), stride, bias=config["use_bias"])
        conv.weight = _tensor(kernel.transpose(3, 2, 0, 1))
    else:
        kernel = take("depthwise_kernel")  # (h, w, c, m) -> (c*m, 1, h, w), channel c*m + q
        m = kernel.shape[3]
        conv = nn.Conv2d(c, c * m, (kh, kw), stride, groups=c, bias=config["use_bias"])
        conv.weight = _tensor(kernel.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw))
    if config["use_bias"]:
        conv.bias = _tensor(take("bias"))
    if config["padding"] == "valid":
        return conv
    if config["padding"] != "same":
        raise UnsupportedLayer(f"{where}: padding {config['padding']!r}")
    (top, bottom), (left, right) = (
        _same_padding(shape[2], kh, stride[0]),
        _same_padding(shape[3], kw, stride[1]),
    )
    if top == bottom and left == right:
        conv.padding = (top, left)
        return conv
    return nn.Sequential(nn.ZeroPad2d((left, right, top, bottom)), conv)


def _batch_norm(config: dict, take, shape: tuple[int, ...], where: str) -> nn.Module:
    axis = config.get("axis", -1)
    axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
    if axis not in (-1, len(shape) - 1):  # the channels, in tfjs's channels-last layout
        raise UnsupportedLayer(f"{where}: axis {config['axis']}, not the channels (-1)")
    c = shape[1]
    cls = {4: nn.BatchNorm2d, 2: nn.BatchNorm1d}.get(len(shape))
    if cls is None:
        raise UnsupportedLayer(f"{where}: a {len(shape)}-D input")
    center, scale = config.get("center", True), config.get("scale", True)
    bn = cls(
        c,
        eps=config.get("epsilon", 1e-3),
        momentum=round(1 - config.get("momentum", 0.99), 12),  # PyTorch weighs the new batch
        affine=center or scale,
    )
    with torch.no_grad():
        if scale:
            bn.weight.copy_(torch.from_numpy(take("gamma")))
        if center:
            bn.bias.copy_(torch.from_numpy(take("beta")))
        bn.running_mean.copy_(torch.from_numpy(take("moving_mean")))
        bn.running_var.copy_(torch.from_numpy(take("moving_variance")))
    return bn


def _zero_padding(config: dict) -> nn.Module:
    p = config.get("padding", 1)
    if isinstance(p, int):
        (top, bottom), (left, right) = (p, p), (p, p)
    elif isinstance(p[0], int):
        (top, bottom), (left, right) = (p[0], p[0]), (p[1], p[1])
    else:
        (top, bottom), (left, right) = p
    return nn.ZeroPad2d((left, right, top, bottom))


def _topology(model_json: dict[str, Any]) -> tuple[list[dict], list | None]:
    topology = model_json["modelTopology"]
    topology = topology.get("model_config", topology)  # Keras-converted files nest it
    if topology["class_name"] != "Sequential":
        raise UnsupportedLayer(f"a {topology['class_name']} model; only Sequential is supported")
    config = topology["config"]
    layers = config["layers"] if isinstance(config, dict) else config
    shape = None
    if layers and layers[0]["class_name"] == "InputLayer":
        shape = layers[0]["config"]["batch_input_shape"]
        layers = layers[1:]
    elif layers:
        shape = layers[0]["config"].get("batch_input_shape")
    return layers, shape


def tfjs_to_torch(path: str | Path) -> nn.Sequential:
    """The tfjs Layers model at ``path`` (its model.json) as a PyTorch Sequential, in eval mode."""
    path = Path(path)
    model_json = json.loads(path.read_text(encoding="utf-8"))
    if model_json.get("format", "layers-model") != "layers-model":
        raise UnsupportedLayer(f"format {model_json['format']!r}; only layers-model")
    weights = read_weights(model_json, path.parent)
    layers, batch_input_shape = _topology(model_json)
    if batch_input_shape is None or len(batch_input_shape) not in (2, 4):
        raise UnsupportedLayer(f"input shape {batch_input_shape}: needs (H, W, C) or (features,)")
    if any(n is None for n in batch_input_shape[1:]):
        raise UnsupportedLayer(f"input shape {batch_input_shape}: sizes must be fixed")
    tfjs_shape = tuple(batch_input_shape[1:])
    # Channels-first, batch 1: built alongside, it gives each layer its input shape.
    x = torch.zeros(1, *(tfjs_shape[2:] + tfjs_shape[:2] if len(tfjs_shape) == 3 else tfjs_shape))
    used: set[str] = set()
    model = nn.Sequential()
    perm = None  # the row order the next Dense needs after a Flatten of (C, H, W)
    for layer in layers:
        kind, config = layer["class_name"], layer["config"]
        name = config["name"]
        where = f"layer {name!r} ({kind})"

        def take(suffix: str, name: str = name) -> np.ndarray:
            used.add(f"{name}/{suffix}")
            return weights[f"{name}/{suffix}"]

        shape = tuple(x.shape)
        activation = None
        if kind in ("Conv2D", "DepthwiseConv2D"):
            module = _conv(kind, config, take, shape, where)
            activation = _activation(config.get("activation", "linear"), where)
        elif kind == "Dense":
            if len(shape) != 2:
                raise UnsupportedLayer(f"{where}: a {len(shape)}-D input")
            kernel = take("kernel")  # (in, out)
            if perm is not None:
                kernel = kernel[perm]  # torch's flat (c, h, w) row is tfjs's (h, w, c) row
            module = nn.Linear(kernel.shape[0], kernel.shape[1], bias=config["use_bias"])
            module.weight = _tensor(kernel.T)
            if config["use_bias"]:
                module.bias = _tensor(take("bias"))
            activation = _activation(config.get("activation", "linear"), where)
            perm = None
        elif kind == "BatchNormalization":
            module = _batch_norm(config, take, shape, where)
        elif kind == "ReLU":
            if config.get("negative_slope", 0) or config.get("threshold", 0):
                raise UnsupportedLayer(f"{where}: negative_slope or threshold")
            top = config.get("max_value")
            module = nn.ReLU() if top is None else nn.ReLU6() if top == 6 else nn.Hardtanh(0, top)
        elif kind == "Activation":
            module = _activation(config["activation"], where) or nn.Identity()
        elif kind == "MaxPooling2D":
            if config.get("padding", "valid") != "valid":
                raise UnsupportedLayer(f"{where}: padding {config['padding']!r}")
            pool = _pair(config.get("pool_size", 2))
            module = nn.MaxPool2d(pool, _pair(config.get("strides") or pool))
        elif kind == "ZeroPadding2D":
            module = _zero_padding(config)
        elif kind == "GlobalAveragePooling2D":
            if config.get("keepdims"):
                raise UnsupportedLayer(f"{where}: keepdims")
            module = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        elif kind == "Dropout":
            module = nn.Dropout(config["rate"])
        elif kind == "Flatten":
            module = nn.Flatten()
            if len(shape) == 4:
                _, c, h, w = shape
                perm = np.arange(h * w * c).reshape(h, w, c).transpose(2, 0, 1).ravel()
        elif kind == "Reshape":
            # What the exporter writes for a Flatten of a (N, features) tensor.
            if len(shape) != 2 or list(config["target_shape"]) != [shape[1]]:
                raise UnsupportedLayer(f"{where}: only a reshape of (N, F) to (F,) is supported")
            module = nn.Flatten()
        else:
            raise UnsupportedLayer(f"{where}: not supported")
        if "." in name or name in dict(model.named_children()):
            raise UnsupportedLayer(f"{where}: PyTorch needs unique child names without '.'")
        model.add_module(name, module)
        if activation is not None:
            model.add_module(f"{name}/activation", activation)
        # Eval mode, or the probe would update batch norm's running statistics.
        model.eval()
        with torch.no_grad():
            x = module(x)
            x = activation(x) if activation is not None else x
    if used != set(weights):
        raise ValueError(f"weights that no layer uses: {sorted(set(weights) - used)}")
    model.tfjs_input_shape = tfjs_shape
    return model.eval()


def truncate(model: nn.Sequential, layer: str) -> nn.Sequential:
    """The children of ``model`` up to and including the one named ``layer``."""
    names = [name for name, _ in model.named_children()]
    if layer not in names:
        raise KeyError(f"no layer {layer!r}; the layers are {', '.join(names)}")
    out = nn.Sequential()
    for name, module in model.named_children():
        out.add_module(name, module)
        if name == layer:
            break
    out.tfjs_input_shape = getattr(model, "tfjs_input_shape", None)
    return out.eval()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python bench/reference/tfjs_to_torch.py MODEL_JSON", file=sys.stderr)
        return 2
    model = tfjs_to_torch(args[0])
    print(model)
    x = torch.zeros(1, *(model.tfjs_input_shape[2:] + model.tfjs_input_shape[:2]))
    with torch.no_grad():
        for name, module in model.named_children():
            x = module(x)
            print(f"{name}: {tuple(x.shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
