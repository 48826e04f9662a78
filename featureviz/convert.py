"""Converts a PyTorch ``nn.Sequential`` into a TensorFlow.js Layers model.

The browser engine loads models in TensorFlow.js formats; this is how a PyTorch
model gets there (the bundled MNIST CNN is trained in PyTorch and exported with
it). The output is what ``tf.loadLayersModel`` reads: a ``model.json`` holding a
Keras ``Sequential`` config as tfjs-layers 4.22 serializes it, plus one binary
weight shard.

Only layers whose meaning is identical in both frameworks are supported: those
of the demo's CNN (Conv2d, ReLU, MaxPool2d, Dropout, Flatten, Linear) and those
of a MobileNet-v1 (depthwise Conv2d, BatchNorm2d, ReLU6, ZeroPad2d,
AdaptiveAvgPool2d(1)). Anything else raises :class:`ConversionError` naming the
layer, rather than exporting something that computes a different function.

Layout is the subtle part. PyTorch is channels-first (N, C, H, W); tfjs Layers is
channels-last (N, H, W, C). So conv kernels go from (out, in, h, w) to
(h, w, in, out), dense kernels from (out, in) to (in, out), and the first Linear
after a Flatten gets its input rows reordered, because flattening C, H, W and
flattening H, W, C visit the same values in different orders. A depthwise
kernel (C*m, 1, h, w) becomes (h, w, C, m): both frameworks number output
channel c*m + q as the q-th filter on input channel c, so only the axes move.
BatchNorm2d normalizes axis 1 in PyTorch and axis -1 (channels) in tfjs.

tfjs's GlobalAveragePooling2D returns (N, C) where PyTorch's
AdaptiveAvgPool2d(1) returns (N, C, 1, 1), so it must be followed by a Flatten;
and tfjs's Flatten refuses 2-D inputs, so a Flatten of something already flat
is written as the equivalent ``Reshape`` to (features,).

torch and numpy are imported inside the functions: ``featureviz`` itself
imports with the standard library only.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["ConversionError", "sequential_to_tfjs"]

MODEL_FILE = "model.json"
SHARD_FILE = "group1-shard1of1.bin"
#: The tfjs-layers version whose serialization this writes (and the engine bundles).
TFJS_LAYERS_VERSION = "4.22.0"

SUPPORTED = (
    "Conv2d (groups=1 or depthwise), ReLU, ReLU6, MaxPool2d, Dropout, Flatten, Linear, "
    "BatchNorm2d, ZeroPad2d and AdaptiveAvgPool2d(1)"
)
# tfjs-layers' own check for names (isValidTensorName), without "/": it would
# make "<layer>/kernel" ambiguous.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# What tfjs-layers writes for the layers it creates by default; loading
# ignores the initializers (the saved weights replace them), but keeping the
# config complete makes the file identical in shape to one tfjs saves itself.
_KERNEL_INIT = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1, "mode": "fan_avg", "distribution": "normal", "seed": None},
}
_BIAS_INIT = {"class_name": "Zeros", "config": {}}
_ZEROS = {"class_name": "Zeros", "config": {}}
_ONES = {"class_name": "Ones", "config": {}}


class ConversionError(ValueError):
    """The model cannot be expressed as a TensorFlow.js Layers model."""


def sequential_to_tfjs(
    model: Any,
    out_dir: str | Path,
    *,
    input_shape: Sequence[int],
    layer_names: Sequence[str] | None = None,
    quantize: str | None = None,
    model_name: str = "sequential",
    dataset_mean: Any = None,
) -> Path:
    """Writes ``model`` as a TensorFlow.js Layers model into ``out_dir``.

    ``input_shape`` is one example's shape as PyTorch sees it, without the batch:
    ``(C, H, W)`` for images, ``(features,)`` for flat inputs. ``layer_names``
    names the exported layers in order (a ReLU right after a Conv2d or Linear
    becomes that layer's ``activation`` and is not a layer of its own); by
    default they are Keras's automatic names (conv2d, conv2d_1, dense, ...).
    ``quantize="float16"`` stores the weights as IEEE half floats, halving the
    download; tfjs decodes them back to float32 when it loads the model.

    BatchNorm2d is exported as it computes in eval mode (its running
    statistics), whatever mode ``model`` is in; the model is not modified.

    ``dataset_mean``, an array of ``input_shape`` (``(C, H, W)``) with values in
    [0, 1], is the mean image of the training data: gradient ascent starts from
    it by default (``init="auto"``), which makes class pictures of small models
    read as examples of the class. It is stored in the model.json's
    ``userDefinedMetadata``.

    Returns the path of the written ``model.json``.
    """
    import numpy as np

    if quantize not in (None, "float16"):
        raise ValueError(f"quantize must be None or 'float16', not {quantize!r}")
    layers = _convert(model, _check_input_shape(input_shape))
    names = _layer_names(layers, layer_names)

    config_layers, manifest, chunks = [], [], []
    for layer, name in zip(layers, names):
        config = dict(layer["config"], name=name, trainable=True)
        config_layers.append({"class_name": layer["class_name"], "config": config})
        for suffix, array in layer["weights"]:
            array = np.ascontiguousarray(array, dtype=np.float32)
            entry: dict[str, Any] = {
                "name": f"{name}/{suffix}",
                "shape": list(array.shape),
                "dtype": "float32",
            }
            if quantize == "float16":
                with np.errstate(over="ignore"):  # reported just below, by name
                    half = array.astype("<f2")
                if not np.isfinite(half).all():
                    raise ConversionError(
                        f"{name}/{suffix} has values beyond float16's range (65504); "
                        "export it with quantize=None"
                    )
                # The form tfjs-core's io.decodeWeights reads: the tensor is float32,
                # its bytes are float16.
                entry["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
                chunks.append(half.tobytes())
            else:
                chunks.append(array.astype("<f4").tobytes())
            manifest.append(entry)

    import torch

    from . import __version__

    model_json = {
        "format": "layers-model",
        "generatedBy": f"PyTorch {torch.__version__}",
        "convertedBy": f"featureviz {__version__}",
        "modelTopology": {
            "class_name": "Sequential",
            "config": {"name": model_name, "layers": config_layers},
            "keras_version": f"tfjs-layers {TFJS_LAYERS_VERSION}",
            "backend": "tensor_flow.js",
        },
        "weightsManifest": [{"paths": [SHARD_FILE], "weights": manifest}],
    }
    if dataset_mean is not None:
        model_json["userDefinedMetadata"] = {
            "featureviz": {"datasetMean": _dataset_mean(dataset_mean, input_shape)}
        }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / SHARD_FILE).write_bytes(b"".join(chunks))
    path = out / MODEL_FILE
    path.write_text(json.dumps(model_json, indent=1) + "\n", encoding="utf-8")
    return path


def _dataset_mean(mean: Any, input_shape: Sequence[int]) -> dict[str, Any]:
    """A (C, H, W) mean image as the engine reads it: shape (H, W, C), values channels last."""
    import numpy as np

    array = np.asarray(mean, dtype=np.float64)
    if array.shape != tuple(input_shape) or array.ndim != 3:
        raise ValueError(
            f"dataset_mean must have the input's shape {tuple(input_shape)} (C, H, W), "
            f"not {array.shape}"
        )
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
        raise ValueError("dataset_mean must hold values in [0, 1]")
    channels_last = array.transpose(1, 2, 0)
    return {
        "shape": list(channels_last.shape),
        # Four decimals: below a 255th of a grey level.
        "values": [round(float(v), 4) for v in channels_last.ravel()],
    }


def _check_input_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    shape = tuple(input_shape) if isinstance(input_shape, (list, tuple)) else ()
    if len(shape) not in (1, 3) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape
    ):
        raise ValueError(
            "input_shape must be one example's shape without the batch, as PyTorch sees it: "
            f"(channels, height, width) or (features,), not {input_shape!r}"
        )
    return shape


def _leaves(module: Any) -> list[Any]:
    """The modules of a Sequential in order, nested Sequentials flattened."""
    import torch.nn as nn

    out = []
    for child in module.children():
        out.extend(_leaves(child) if isinstance(child, nn.Sequential) else [child])
    return out


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _convert(model: Any, input_shape: tuple[int, ...]) -> list[dict[str, Any]]:
    """The Keras layers for ``model``: class name, config (without name) and weights."""
    import torch
    import torch.nn as nn

    if not isinstance(model, nn.Sequential):
        raise TypeError(
            "sequential_to_tfjs needs a torch.nn.Sequential "
            f"(wrap the layers in nn.Sequential(...)), not {type(model).__name__}"
        )
    modules = _leaves(model)
    if not modules:
        raise ConversionError("the Sequential is empty: there is nothing to convert")

    # One example through the model gives every layer's input shape, which decides
    # padding equivalence and the Flatten reordering.
    param = next(model.parameters(), None)
    like = {"dtype": param.dtype, "device": param.device} if param is not None else {}
    x = torch.zeros((1, *input_shape), **like)
    layers: list[dict[str, Any]] = []
    perm = None  # the row order the next Linear needs after a Flatten of (C, H, W)
    pooled = None  # where the last AdaptiveAvgPool2d is, until the Flatten it needs
    # In training mode the probe below would update BatchNorm's running statistics
    # (no_grad does not stop that) and fail on a batch of one; eval mode is also
    # the function being exported.
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            for index, module in enumerate(modules):
                where = f"layer {index} ({type(module).__name__})"
                if pooled is not None and type(module) is not nn.Flatten:
                    raise ConversionError(
                        f"{pooled} must be followed by a Flatten, not {type(module).__name__}: "
                        "tfjs's GlobalAveragePooling2D already drops the 1x1 spatial axes"
                    )
                shape = tuple(x.shape)
                try:
                    x = module(x)
                except Exception as err:  # report which layer, then the cause
                    raise ConversionError(
                        f"{where} fails on input of shape {shape}: {err}"
                    ) from err
                perm, pooled = _convert_one(
                    module, modules, index, shape, tuple(x.shape), layers, perm, pooled, where
                )
    finally:
        for m, training in modes:
            m.training = training
    if pooled is not None:
        raise ConversionError(f"{pooled} must be followed by a Flatten")

    layers[0]["config"]["batch_input_shape"] = [None, *_channels_last(input_shape)]
    layers[0]["config"]["dtype"] = "float32"
    return layers


def _convert_one(
    module: Any,
    modules: list[Any],
    index: int,
    shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    layers: list[dict[str, Any]],
    perm: Any,
    pooled: str | None,
    where: str,
) -> tuple[Any, str | None]:
    """Appends ``module``'s Keras layer to ``layers``; returns the new (perm, pooled)."""
    import numpy as np
    import torch.nn as nn

    kind = type(module)
    if kind is nn.Conv2d:
        layers.append(_conv2d(module, shape, where))
    elif kind is nn.Linear:
        if len(shape) != 2:
            raise ConversionError(
                f"{where} gets a {len(shape)}-D input; put a Flatten before it "
                "(PyTorch applies Linear to the width axis, tfjs Dense to channels)"
            )
        kernel = module.weight.detach().cpu().double().numpy().T
        if perm is not None:
            kernel = kernel[perm]
            perm = None
        layers.append(_with_bias("Dense", module, kernel, {"units": module.out_features}))
    elif kind is nn.ReLU:
        last = layers[-1] if layers else None
        if (
            last is not None
            and last["module"] is modules[index - 1]
            and last["config"].get("activation") == "linear"
        ):
            last["config"]["activation"] = "relu"  # fused, as Keras would write it
        else:
            layers.append(_layer("Activation", module, {"activation": "relu"}))
    elif kind is nn.ReLU6:
        # Never fused: Keras's MobileNet keeps it a layer, so the output before
        # it (a BatchNormalization's) stays addressable by name.
        layers.append(_layer("ReLU", module, {"max_value": 6}))
    elif kind is nn.BatchNorm2d:
        layers.append(_batch_norm(module, where))
    elif kind is nn.ZeroPad2d:
        left, right, top, bottom = (int(p) for p in module.padding)
        if min(left, right, top, bottom) < 0:
            raise ConversionError(f"{where}: negative padding (cropping) is not supported")
        config = {"padding": [[top, bottom], [left, right]], "data_format": "channels_last"}
        layers.append(_layer("ZeroPadding2D", module, config))
    elif kind is nn.AdaptiveAvgPool2d:
        if module.output_size not in (1, (1, 1), [1, 1]):
            raise ConversionError(
                f"{where}: only AdaptiveAvgPool2d(1), a global average, is supported"
            )
        layers.append(_layer("GlobalAveragePooling2D", module, {"data_format": "channels_last"}))
        pooled = where
    elif kind is nn.MaxPool2d:
        layers.append(_max_pool(module, shape, out_shape, where))
    elif kind is nn.Dropout:
        config = {"rate": float(module.p), "noise_shape": None, "seed": None}
        layers.append(_layer("Dropout", module, config))
    elif kind is nn.Flatten:
        if module.start_dim != 1 or module.end_dim != -1:
            raise ConversionError(f"{where}: only Flatten(start_dim=1, end_dim=-1) is supported")
        if len(shape) not in (2, 4):
            raise ConversionError(f"{where}: only 2-D and 4-D inputs can be flattened")
        if pooled is not None or len(shape) == 2:
            # Already (N, features) in tfjs, where Flatten rejects 2-D inputs
            # (its inputSpec is minNDim 3) and Reshape computes the same identity.
            layers.append(_layer("Reshape", module, {"target_shape": [out_shape[1]]}))
            pooled = None
        else:
            _, c, h, w = shape
            # tfjs's flat (h, w, c) element is torch's flat (c, h, w) element.
            perm = np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0).ravel()
            layers.append(_layer("Flatten", module, {"data_format": "channels_last"}))
    else:
        raise ConversionError(
            f"cannot convert {where}: featureviz.convert supports {SUPPORTED} in an nn.Sequential"
        )
    return perm, pooled


def _channels_last(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape


def _layer(class_name: str, module: Any, config: dict[str, Any]) -> dict[str, Any]:
    return {"class_name": class_name, "module": module, "config": config, "weights": []}


def _with_bias(class_name: str, module: Any, kernel: Any, config: dict[str, Any]) -> dict:
    use_bias = module.bias is not None
    layer = _layer(
        class_name,
        module,
        {
            **config,
            "activation": "linear",
            "use_bias": use_bias,
            "kernel_initializer": _KERNEL_INIT,
            "bias_initializer": _BIAS_INIT,
            "kernel_regularizer": None,
            "bias_regularizer": None,
            "activity_regularizer": None,
            "kernel_constraint": None,
            "bias_constraint": None,
        },
    )
    layer["weights"].append(("kernel", kernel))
    if use_bias:
        layer["weights"].append(("bias", module.bias.detach().cpu().double().numpy()))
    return layer


def _conv_padding(module: Any, size: int, axis: int) -> str | None:
    """'valid' or 'same' if PyTorch's padding on this axis equals TensorFlow's, else None."""
    k, s = module.kernel_size[axis], module.stride[axis]
    if module.padding == "valid":
        return "valid"
    if module.padding == "same":  # PyTorch allows it with stride 1 only, where it is TF's
        return "same"
    p = module.padding[axis]
    if p == 0:
        return "valid"
    # TensorFlow's "same": ceil(size / stride) outputs, the padding split with the
    # smaller half first. PyTorch pads p on both sides and drops what it cannot use.
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    torch_out = (size + 2 * p - k) // s + 1
    return "same" if p == total // 2 and torch_out == out else None


def _conv2d(module: Any, shape: tuple, where: str) -> dict[str, Any]:
    c = module.in_channels
    depthwise = module.groups == c and c > 1
    if not (module.groups == 1 or depthwise) or tuple(module.dilation) != (1, 1):
        raise ConversionError(
            f"{where}: only groups=1 or groups=in_channels (depthwise), and dilation=1, "
            f"are supported, not groups={module.groups} with {c} input channels"
        )
    if module.padding_mode != "zeros":
        raise ConversionError(f"{where}: only padding_mode='zeros' is supported")
    modes = {_conv_padding(module, shape[2], 0), _conv_padding(module, shape[3], 1)}
    if len(modes) != 1 or None in modes:
        raise ConversionError(
            f"{where}: padding={module.padding} on a {shape[2]}x{shape[3]} input is neither "
            "0 nor TensorFlow's 'same' padding for that size, so tfjs cannot express it; "
            "use padding=0 or padding='same'"
        )
    weight = module.weight.detach().cpu().double().numpy()
    config = {
        "kernel_size": list(module.kernel_size),
        "strides": list(module.stride),
        "padding": modes.pop(),
        "data_format": "channels_last",
        "dilation_rate": [1, 1],
    }
    if not depthwise:
        # (out, in, h, w) -> (h, w, in, out)
        config = {"filters": module.out_channels, **config}
        return _with_bias("Conv2D", module, weight.transpose(2, 3, 1, 0), config)
    m = module.out_channels // c
    kh, kw = module.kernel_size
    # (c*m + q, 1, h, w) -> (c, q, h, w) -> (h, w, c, q): torch's grouped output
    # order is tfjs's, so this is a reshape, not a shuffle of channels.
    kernel = weight.reshape(c, m, kh, kw).transpose(2, 3, 0, 1)
    use_bias = module.bias is not None
    depthwise_config = _depthwise_config(
        config["kernel_size"], config["strides"], config["padding"], (1, 1), m, use_bias
    )
    layer = _layer("DepthwiseConv2D", module, depthwise_config)
    layer["weights"].append(("depthwise_kernel", kernel))
    if use_bias:
        layer["weights"].append(("bias", module.bias.detach().cpu().double().numpy()))
    return layer


def _depthwise_config(k, s, padding, d, multiplier, use_bias) -> dict[str, Any]:
    """A DepthwiseConv2D's config as tfjs-layers writes it (kernel k, strides s, dilation d)."""
    return {
        "kernel_size": list(k),
        "strides": list(s),
        "padding": padding,
        "data_format": "channels_last",
        "dilation_rate": list(d),
        "activation": "linear",
        "use_bias": use_bias,
        "bias_initializer": _BIAS_INIT,
        "bias_regularizer": None,
        "activity_regularizer": None,
        "bias_constraint": None,
        "depth_multiplier": multiplier,
        "depthwise_initializer": _KERNEL_INIT,
        "depthwise_regularizer": None,
        "depthwise_constraint": None,
    }


def _batch_norm(module: Any, where: str) -> dict[str, Any]:
    if module.running_mean is None or module.running_var is None:
        raise ConversionError(
            f"{where}: BatchNorm2d(track_running_stats=False) normalizes with each batch's "
            "own statistics, which a tfjs BatchNormalization cannot do at inference"
        )
    affine = module.weight is not None
    # Keras's momentum weighs the old average, PyTorch's the new batch; it only
    # matters for training, and PyTorch's cumulative average (None) has no Keras form.
    momentum = 0.99 if module.momentum is None else 1 - float(module.momentum)
    layer = _layer(
        "BatchNormalization",
        module,
        {
            "axis": -1,
            "momentum": momentum,
            "epsilon": float(module.eps),
            "center": affine,
            "scale": affine,
            "beta_initializer": _ZEROS,
            "gamma_initializer": _ONES,
            "moving_mean_initializer": _ZEROS,
            "moving_variance_initializer": _ONES,
            "beta_regularizer": None,
            "gamma_regularizer": None,
            "beta_constraint": None,
            "gamma_constraint": None,
        },
    )

    def array(t: Any) -> Any:
        return t.detach().cpu().double().numpy()

    # The order in which tfjs's BatchNormalization.build adds them.
    if affine:
        layer["weights"] += [("gamma", array(module.weight)), ("beta", array(module.bias))]
    layer["weights"] += [
        ("moving_mean", array(module.running_mean)),
        ("moving_variance", array(module.running_var)),
    ]
    return layer


def _max_pool(module: Any, shape: tuple, out_shape: tuple, where: str) -> dict[str, Any]:
    k = _pair(module.kernel_size)
    s = _pair(module.stride if module.stride is not None else module.kernel_size)
    if _pair(module.padding) != (0, 0) or _pair(module.dilation) != (1, 1):
        raise ConversionError(f"{where}: only padding=0 and dilation=1 are supported")
    if module.return_indices:
        raise ConversionError(f"{where}: return_indices=True has no tfjs equivalent")
    valid = tuple((n - kk) // ss + 1 for n, kk, ss in zip(shape[2:], k, s))
    if valid != tuple(out_shape[2:]):  # ceil_mode=True adding a partial window
        raise ConversionError(
            f"{where}: ceil_mode=True changes the output size; use ceil_mode=False"
        )
    config = {
        "pool_size": list(k),
        "padding": "valid",
        "strides": list(s),
        "data_format": "channels_last",
    }
    return _layer("MaxPooling2D", module, config)


_AUTO_NAMES = {
    "Conv2D": "conv2d",
    "DepthwiseConv2D": "depthwise_conv2d",
    "Dense": "dense",
    "MaxPooling2D": "max_pooling2d",
    "Dropout": "dropout",
    "Flatten": "flatten",
    "Reshape": "reshape",
    "Activation": "activation",
    "ReLU": "re_lu",
    "BatchNormalization": "batch_normalization",
    "ZeroPadding2D": "zero_padding2d",
    "GlobalAveragePooling2D": "global_average_pooling2d",
}


def _layer_names(layers: list[dict[str, Any]], names: Sequence[str] | None) -> list[str]:
    if names is None:
        # Keras's automatic names: conv2d, conv2d_1, ..., per layer kind.
        seen: dict[str, int] = {}
        out = []
        for layer in layers:
            base = _AUTO_NAMES[layer["class_name"]]
            count = seen.get(base, 0)
            seen[base] = count + 1
            out.append(base if count == 0 else f"{base}_{count}")
        return out
    names = list(names) if isinstance(names, (list, tuple)) else names
    kinds = ", ".join(layer["class_name"] for layer in layers)
    if not isinstance(names, list) or len(names) != len(layers):
        raise ValueError(
            f"layer_names must be a list of {len(layers)} names, one per exported layer "
            f"({kinds}; a ReLU after a Conv2d or Linear is part of that layer), not {names!r}"
        )
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(
                f"layer_names: {name!r} is not a valid layer name; use letters, digits, "
                "'_', '.' and '-', starting with a letter or digit"
            )
    if len(set(names)) != len(names):
        raise ValueError(f"layer_names must be unique, not {names!r}")
    return names
