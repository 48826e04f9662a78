"""A Keras 3 model (Sequential or Functional, any backend) as a TensorFlow.js Layers model.

tfjs-layers reads Keras 2's serialization; Keras 3 writes another (``batch_shape``,
``DTypePolicy`` dicts, ``inbound_nodes`` as call arguments holding ``keras_history``). So each
layer is rewritten from its Keras 3 config into the tfjs form with only the keys whose meaning
tfjs shares, and its weights taken from ``get_weights()`` (the order tfjs reads). Layer names
are the model's own. A layer tfjs cannot compute with the same meaning (channels-first data,
Keras 3's ``hard_sigmoid``, a dilated depthwise convolution, which tfjs-layers computes
without its dilation, a shared layer called twice, a nested model) is collected, and all are
raised together as one :class:`ConversionError` naming each layer.

``Rescaling`` and ``Normalization`` become 1×1 depthwise convolutions (per-channel scale and
offset), so normalization stays part of the model and pictures are optimized as images.
"""

from __future__ import annotations

from typing import Any

from .convert import ConversionError
from .convert_graph import GraphBuilder

__all__ = ["keras_to_graph"]

# Keras 3 activation names → tfjs-layers'; a missing one has no tfjs equivalent.
_ACTIVATIONS = {
    "linear": "linear",
    "relu": "relu",
    "relu6": "relu6",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "gelu": "gelu",
    "silu": "swish",
    "swish": "swish",
    "softmax": "softmax",
    "elu": "elu",
    "selu": "selu",
    "softplus": "softplus",
    "softsign": "softsign",
    "mish": "mish",
}
_MERGES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}
_IDENTITY = {
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
}
_POOLS = {"MaxPooling2D", "AveragePooling2D"}
_GLOBAL_POOLS = {"GlobalAveragePooling2D", "GlobalMaxPooling2D"}


class _Unsupported(Exception):
    pass


def keras_to_graph(model: Any) -> tuple[GraphBuilder, str]:
    """``model`` as a tfjs functional graph; returns it and its output layer."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"from_keras needs a keras.Model, not {type(model).__name__}")
    if not model.built:
        raise ConversionError("the model is not built: give it an Input or call it once first")
    config = model.get_config()
    graph = GraphBuilder(model.name)
    renamed: dict[str, str] = {}
    unsupported: list[str] = []
    if isinstance(model, keras.Sequential):
        chain = _sequential_inbound(model, config)
    else:
        chain = None
    output = None
    for index, entry in enumerate(config["layers"]):
        name = entry["config"]["name"]
        try:
            inbound = chain[index] if chain is not None else _functional_inbound(entry)
            sources = [renamed[source] for source in inbound]
            layer = model.get_layer(name) if entry["class_name"] != "InputLayer" else None
            renamed[name] = _convert(graph, entry, layer, sources, name)
        except _Unsupported as problem:
            unsupported.append(f"{name} ({entry['class_name']}): {problem}")
            renamed[name] = ""  # a stand-in, so that the layers after it are still checked
        output = name
    if unsupported:
        listed = "\n".join(f"  - {line}" for line in unsupported)
        raise ConversionError(
            f"{len(unsupported)} layer(s) of this model have no TensorFlow.js Layers form that "
            f"featureviz can write:\n{listed}"
        )
    if chain is None:
        outputs = config["output_layers"]
        # Keras 3 writes one output as [name, 0, 0], several as a list of those.
        if outputs and isinstance(outputs[0], str):
            outputs = [outputs]
        if len(outputs) != 1:
            raise ConversionError("the model has several outputs; featureviz takes one")
        output = outputs[0][0]
    return graph, renamed[str(output)]


def _sequential_inbound(model: Any, config: dict[str, Any]) -> list[list[str]]:
    """Each layer of a Sequential reads the one before it; an InputLayer is made if none is."""
    layers = config["layers"]
    if not layers or layers[0]["class_name"] != "InputLayer":
        shape = model.inputs[0].shape
        layers.insert(
            0,
            {
                "class_name": "InputLayer",
                "config": {"name": "input_layer", "batch_shape": list(shape)},
            },
        )
    names = [entry["config"]["name"] for entry in layers]
    return [[]] + [[names[i - 1]] for i in range(1, len(names))]


def _functional_inbound(entry: dict[str, Any]) -> list[str]:
    nodes = entry.get("inbound_nodes") or []
    if entry["class_name"] == "InputLayer":
        return []
    if len(nodes) != 1:
        raise _Unsupported(f"called {len(nodes)} times (a shared layer); tfjs names one call")
    node = nodes[0]
    # mask=None and training= change nothing at inference.
    kwargs = {
        k: v for k, v in (node.get("kwargs") or {}).items() if v is not None and k != "training"
    }
    if kwargs:
        keys = ", ".join(sorted(kwargs))
        raise _Unsupported(f"called with keyword arguments ({keys})")
    sources: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = value["config"]["keras_history"]
            if history[1] != 0 or history[2] != 0:
                raise _Unsupported("reads a layer's second output or call")
            sources.append(history[0])
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            raise _Unsupported("called with a structure of tensors")

    collect(node.get("args", []))
    return sources


def _activation(config: dict[str, Any]) -> str:
    name = config.get("activation", "linear")
    if isinstance(name, dict):  # a serialized function object
        name = name.get("config", name.get("class_name"))
    if name not in _ACTIVATIONS:
        raise _Unsupported(f"activation {name!r} has no TensorFlow.js equivalent")
    return _ACTIVATIONS[name]


def _channels_last(config: dict[str, Any]) -> None:
    if config.get("data_format", "channels_last") != "channels_last":
        raise _Unsupported("data_format='channels_first' (tfjs runs channels last)")


def _convert(
    graph: GraphBuilder, entry: dict[str, Any], layer: Any, sources: list[str], name: str
) -> str:
    import numpy as np

    kind, config = entry["class_name"], entry["config"]
    weights = [np.asarray(w) for w in layer.get_weights()] if layer is not None else []
    if kind == "InputLayer":
        shape = config.get("batch_shape") or config.get("batch_input_shape")
        if shape is None or len(shape) != 4 or shape[3] is None:
            raise _Unsupported(f"input shape {shape}: featureviz takes images (N, H, W, C)")
        return graph.input(name, list(shape[1:]))
    if kind in _IDENTITY:
        return graph.add("Dropout", name, {"rate": 0.0, "noise_shape": None, "seed": None}, sources)
    if kind in _MERGES:
        return graph.add(kind, name, {}, sources)
    if kind == "Concatenate":
        return graph.add(kind, name, {"axis": config.get("axis", -1)}, sources)
    if kind == "Activation":
        activation = _activation(config)
        return graph.add(kind, name, {"activation": activation}, sources)
    if kind == "ReLU":
        if config.get("negative_slope", 0) or config.get("threshold", 0):
            raise _Unsupported("a ReLU with negative_slope or threshold")
        return graph.add(kind, name, {"max_value": config.get("max_value")}, sources)
    if kind == "LeakyReLU":
        alpha = config.get("negative_slope", config.get("alpha", 0.3))
        return graph.add(kind, name, {"alpha": alpha}, sources)
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        return _conv(graph, kind, config, weights, sources, name)
    if kind == "Dense":
        tf_config = {
            "units": config["units"],
            "activation": _activation(config),
            "use_bias": config.get("use_bias", True),
        }
        return graph.add(kind, name, tf_config, sources, _named(weights, ["kernel", "bias"]))
    if kind == "BatchNormalization":
        axis = config.get("axis", -1)
        if axis not in (-1, 3, [-1], [3]):
            raise _Unsupported(f"axis={axis} (only the channels, -1)")
        center, scale = config.get("center", True), config.get("scale", True)
        names = (["gamma"] if scale else []) + (["beta"] if center else [])
        tf_config = {
            "axis": -1,
            "momentum": config.get("momentum", 0.99),
            "epsilon": config.get("epsilon", 1e-3),
            "center": center,
            "scale": scale,
        }
        names += ["moving_mean", "moving_variance"]
        return graph.add(kind, name, tf_config, sources, _named(weights, names))
    if kind in _POOLS:
        _channels_last(config)
        tf_config = {
            "pool_size": list(config["pool_size"]),
            "strides": list(config.get("strides") or config["pool_size"]),
            "padding": config.get("padding", "valid"),
            "data_format": "channels_last",
        }
        return graph.add(kind, name, tf_config, sources)
    if kind in _GLOBAL_POOLS:
        _channels_last(config)
        pooled = graph.add(kind, name, {"data_format": "channels_last"}, sources)
        if not config.get("keepdims"):
            return pooled
        channels = layer.output.shape[-1]
        return graph.add(
            "Reshape", f"{name}.keepdims", {"target_shape": [1, 1, channels]}, [pooled]
        )
    if kind == "Flatten":
        _channels_last(config)
        return graph.add(kind, name, {"data_format": "channels_last"}, sources)
    if kind == "Reshape":
        return graph.add(kind, name, {"target_shape": list(config["target_shape"])}, sources)
    if kind == "Permute":
        return graph.add(kind, name, {"dims": list(config["dims"])}, sources)
    if kind in ("ZeroPadding2D", "Cropping2D", "UpSampling2D"):
        _channels_last(config)
        key = {"ZeroPadding2D": "padding", "Cropping2D": "cropping", "UpSampling2D": "size"}[kind]
        tf_config = {key: config[key], "data_format": "channels_last"}
        if kind == "UpSampling2D":
            tf_config["interpolation"] = config.get("interpolation", "nearest")
            if tf_config["interpolation"] not in ("nearest", "bilinear"):
                raise _Unsupported(f"interpolation={tf_config['interpolation']!r}")
        return graph.add(kind, name, tf_config, sources)
    if kind in ("Rescaling", "Normalization"):
        return _affine(graph, kind, config, layer, sources, name)
    if kind in ("Functional", "Sequential", "Model"):
        raise _Unsupported("a nested model (call its layers in the outer model instead)")
    raise _Unsupported("no TensorFlow.js layer computes it here")


def _named(weights: list[Any], names: list[str]) -> list[tuple[str, Any]]:
    return list(zip(names, weights))


def _conv(
    graph: GraphBuilder,
    kind: str,
    config: dict[str, Any],
    weights: list[Any],
    sources: list[str],
    name: str,
) -> str:
    import numpy as np

    _channels_last(config)
    base = {
        "kernel_size": list(config["kernel_size"]),
        "strides": list(config["strides"]),
        "padding": config["padding"],
        "data_format": "channels_last",
        "dilation_rate": list(config.get("dilation_rate", [1, 1])),
        "activation": _activation(config),
        "use_bias": config.get("use_bias", True),
    }
    if base["padding"] not in ("valid", "same"):
        raise _Unsupported(f"padding={base['padding']!r}")
    dilated = max(base["dilation_rate"]) > 1
    if dilated and max(base["strides"]) > 1:
        raise _Unsupported("both strides and dilation above 1 (tfjs refuses it)")
    bias = weights[-1:] if base["use_bias"] else []
    if kind == "SeparableConv2D":
        if dilated:
            raise _Unsupported("a dilated separable convolution (tfjs-layers drops the dilation)")
        tf_config = {
            **base,
            "filters": config["filters"],
            "depth_multiplier": config["depth_multiplier"],
        }
        names = ["depthwise_kernel", "pointwise_kernel", "bias"]
        return graph.add(kind, name, tf_config, sources, _named(weights, names))
    kernel = weights[0]
    if kind == "DepthwiseConv2D":
        if not dilated:
            tf_config = {**base, "depth_multiplier": config["depth_multiplier"]}
            named = [("depthwise_kernel", kernel), *_named(bias, ["bias"])]
            return graph.add(kind, name, tf_config, sources, named)
        # tfjs-layers' DepthwiseConv2D ignores dilation: the same as a block-diagonal Conv2D.
        kh, kw, c, m = kernel.shape
        full = np.zeros((kh, kw, c, c * m), kernel.dtype)
        for channel in range(c):
            full[:, :, channel, channel * m : (channel + 1) * m] = kernel[:, :, channel, :]
        kernel, filters = full, c * m
    else:
        filters = config["filters"]
        groups = config.get("groups", 1)
        if groups > 1:
            # Block-diagonal: group g's filters read only group g's channels.
            kh, kw, per_in, out = kernel.shape
            per_out = out // groups
            full = np.zeros((kh, kw, per_in * groups, out), kernel.dtype)
            for g in range(groups):
                full[:, :, g * per_in : (g + 1) * per_in, g * per_out : (g + 1) * per_out] = kernel[
                    :, :, :, g * per_out : (g + 1) * per_out
                ]
            kernel = full
    tf_config = {**base, "filters": filters}
    named = [("kernel", kernel), *_named(bias, ["bias"])]
    return graph.add("Conv2D", name, tf_config, sources, named)


def _affine(
    graph: GraphBuilder,
    kind: str,
    config: dict[str, Any],
    layer: Any,
    sources: list[str],
    name: str,
) -> str:
    """x * scale + offset per channel, as a 1×1 depthwise convolution."""
    import numpy as np

    from .convert import _depthwise_config

    channels = layer.input.shape[-1]
    if kind == "Rescaling":
        scale = np.broadcast_to(np.asarray(config["scale"], np.float64), (channels,))
        offset = np.broadcast_to(np.asarray(config["offset"], np.float64), (channels,))
    else:
        if config.get("invert"):
            raise _Unsupported("invert=True")
        axis = config.get("axis", -1)
        if axis not in (-1, 3, [-1], [3], (-1,), (3,)):
            raise _Unsupported(f"axis={axis} (only the channels, -1)")
        mean = np.asarray(layer.mean, np.float64).reshape(-1)
        variance = np.asarray(layer.variance, np.float64).reshape(-1)
        std = np.maximum(np.sqrt(variance), 1e-7)  # as Keras divides
        scale, offset = 1 / std, -mean / std
        scale = np.broadcast_to(scale, (channels,))
        offset = np.broadcast_to(offset, (channels,))
    config_tf = _depthwise_config((1, 1), (1, 1), "valid", (1, 1), 1, True)
    weights = [("depthwise_kernel", np.asarray(scale).reshape(1, 1, channels, 1)), ("bias", offset)]
    return graph.add("DepthwiseConv2D", name, config_tf, sources, weights)
