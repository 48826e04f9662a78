"""Checks at the call, for the models whose ``model.json`` this package has.

For a bundled model (``fv.models.mnist_cnn()``), a wrong layer name, channel,
class or neuron position is reported when the Python call is made, not only once
the browser runs the spec. The messages are the front end's own
(``src/engine/errors.ts``); ``tests/fixtures/error-messages.json`` holds both
sides to the same texts. Models given by path or URL are checked by the front
end alone: Python does not read them.

Layer output shapes are inferred from the Keras topology of the model.json, for
the layers ``featureviz.convert`` writes. After a layer it cannot infer, shapes
are unknown and only layer names are checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ._assets import asset_candidates

#: The name objectives use for the model's input image.
INPUT = "input"

Shape = tuple[int, ...]


# The front end's messages (src/engine/errors.ts), word for word. --------


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        previous, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] != b[j - 1]))
            previous = saved
    return row[len(b)]


def closest_name(name: str, known: Sequence[str]) -> str | None:
    """The known name closest to ``name``, if close enough to be a typo (as closestName)."""
    best, best_distance = None, math.inf
    for candidate in known:
        distance = _edit_distance(name.lower(), candidate.lower())
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best if best_distance <= max(2, len(name) // 3) else None


def unknown_layer(layer: str, known: Sequence[str]) -> str:
    suggestion = closest_name(layer, known)
    hint = f' Did you mean "{suggestion}"?' if suggestion else ""
    return f'The model has no layer "{layer}".{hint} Its layers are: {", ".join(known)}.'


def _plural(noun: str) -> str:
    return f"{noun}es" if noun.endswith(("s", "x", "ch", "sh")) else f"{noun}s"


def channel_out_of_range(layer: str, channel: int, channels: int, what: str = "channel") -> str:
    return (
        f'Layer "{layer}" has {channels} {_plural(what)} (0 to {channels - 1}); '
        f"{what} {channel} is out of range."
    )


def position_out_of_range(layer: str, x: int, y: int, width: int, height: int) -> str:
    return (
        f'Position (x={x}, y={y}) is outside layer "{layer}", '
        f"whose outputs are {width} wide and {height} high."
    )


def batch_out_of_range(batch: int, size: int) -> str:
    return f"Batch index {batch} is out of range: the batch has {size} images (0 to {size - 1})."


MESSAGES = {
    "UnknownLayerError": unknown_layer,
    "ChannelOutOfRangeError": channel_out_of_range,
    "PositionOutOfRangeError": position_out_of_range,
}


# A model's layers and their output shapes, from its model.json. --------


@dataclass
class Topology:
    """Layer names in order, each layer's output shape (without the batch) or None."""

    input_shape: Shape
    layers: list[str]
    shapes: dict[str, Shape | None] = field(default_factory=dict)
    logits: str = ""

    def shape(self, layer: str) -> Shape | None:
        return self.input_shape if layer == INPUT else self.shapes.get(layer)


def _pair(value: Any, default: int) -> tuple[int, int]:
    if value is None:
        return default, default
    if isinstance(value, (list, tuple)):
        return int(value[0]), int(value[1] if len(value) > 1 else value[0])
    return int(value), int(value)


def _window(size: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    if padding == "same":
        return math.ceil(size / stride)
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def _output_shape(kind: str, config: dict[str, Any], shape: Shape) -> Shape | None:
    """A Keras layer's output shape for an input of ``shape`` (no batch); None if unknown."""
    if kind in (
        "Activation",
        "ReLU",
        "LeakyReLU",
        "Softmax",
        "BatchNormalization",
        "Dropout",
        "SpatialDropout2D",
    ):
        return shape
    if kind == "Flatten":
        return (math.prod(shape),)
    if kind == "Dense":
        return (*shape[:-1], int(config["units"]))
    if kind == "Reshape":
        return tuple(int(d) for d in config["target_shape"])
    if len(shape) != 3:
        return None
    h, w, c = shape
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return (c,)
    if kind == "ZeroPadding2D":
        pad = config.get("padding", 1)
        rows, cols = (pad, pad) if not isinstance(pad, (list, tuple)) else pad
        top, bottom = _pair(rows, 0)
        left, right = _pair(cols, 0)
        return (h + top + bottom, w + left + right, c)
    conv = kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
    pool = kind in ("MaxPooling2D", "AveragePooling2D")
    if not conv and not pool:
        return None
    kernel = _pair(config.get("pool_size" if pool else "kernel_size"), 2 if pool else 1)
    strides = _pair(config.get("strides"), kernel[0] if pool else 1)
    dilation = (1, 1) if pool else _pair(config.get("dilation_rate"), 1)
    padding = config.get("padding", "valid")
    oh = _window(h, kernel[0], strides[0], dilation[0], padding)
    ow = _window(w, kernel[1], strides[1], dilation[1], padding)
    if kind == "DepthwiseConv2D":
        channels = c * int(config.get("depth_multiplier", 1))
    elif conv:
        channels = int(config["filters"])
    else:
        channels = c
    return (oh, ow, channels)


def topology_of(model_json: dict[str, Any]) -> Topology | None:
    """The layers of a Sequential Layers model.json; None for other kinds."""
    topology = model_json.get("modelTopology") or {}
    config = topology.get("model_config", topology)
    if config.get("class_name") != "Sequential":
        return None
    layers = config["config"]["layers"] if isinstance(config["config"], dict) else config["config"]
    first = layers[0]["config"] if layers else {}
    batch_shape = first.get("batch_input_shape")
    if layers and layers[0]["class_name"] == "InputLayer":
        batch_shape = first.get("batch_input_shape")
        layers = layers[1:]
    if not batch_shape or any(d is None for d in batch_shape[1:]):
        return None
    result = Topology(input_shape=tuple(batch_shape[1:]), layers=[])
    shape: Shape | None = result.input_shape
    for layer in layers:
        name = layer["config"]["name"]
        result.layers.append(name)
        shape = _output_shape(layer["class_name"], layer["config"], shape) if shape else None
        result.shapes[name] = shape
    last = layers[-1] if layers else None
    result.logits = result.layers[-1] if result.layers else ""
    if last and (
        last["class_name"] == "Softmax"
        or (last["class_name"] == "Activation" and last["config"].get("activation") == "softmax")
    ):
        result.logits = result.layers[-2]
    return result


@cache
def bundled_topology(name: str) -> Topology | None:
    """The layers of a bundled model, read from its shipped model.json; None if not found."""
    for folder in asset_candidates("models", name):
        path = folder / "model.json"
        if path.is_file():
            return topology_of(json.loads(path.read_text(encoding="utf-8")))
    return None


# Checks. ---------------------------------------------------------------


def _layers_read(tree: dict[str, Any], topology: Topology) -> list[str]:
    """The layers an objective tree reads, in order (its logits for a logit without a layer)."""
    kind = tree["type"]
    if kind == "sum":
        return [name for term in tree["terms"] for name in _layers_read(term, topology)]
    if kind == "scale":
        return _layers_read(tree["term"], topology)
    if kind == "logit":
        return [tree.get("layer", topology.logits)]
    if kind == "blur-input-each-step":
        return []
    return [tree.get("layer", INPUT)]


def _channels(topology: Topology, layer: str) -> int | None:
    shape = topology.shape(layer)
    return shape[-1] if shape else None


def _check_term(tree: dict[str, Any], topology: Topology, batch: int) -> None:
    kind = tree["type"]
    if kind == "sum":
        for term in tree["terms"]:
            _check_term(term, topology, batch)
        return
    if kind == "scale":
        _check_term(tree["term"], topology, batch)
        return
    layer = tree.get("layer", topology.logits if kind == "logit" else INPUT)
    channels = _channels(topology, layer)
    if kind in ("channel", "neuron", "logit") and channels is not None:
        index = tree["index"] if kind == "logit" else tree["channel"]
        if index >= channels:
            what = "class" if kind == "logit" else "channel"
            raise ValueError(channel_out_of_range(layer, index, channels, what))
    if kind == "direction" and channels is not None and len(tree["vector"]) != channels:
        raise ValueError(
            f'The direction has {len(tree["vector"])} entries but layer "{layer}" '
            f"has {channels} channels."
        )
    shape = topology.shape(layer)
    if kind == "neuron" and shape is not None and len(shape) == 3:
        h, w = shape[0], shape[1]
        row, col = tree.get("y", h // 2), tree.get("x", w // 2)
        if row >= h or col >= w:
            raise ValueError(position_out_of_range(layer, col, row, w, h))
    if kind == "total-variation" and shape is not None and len(shape) != 3:
        raise ValueError(f'Total variation needs a spatial layer; "{layer}" is not one.')
    index = tree.get("batch")
    if index is not None and index >= batch:
        raise ValueError(batch_out_of_range(index, batch))


def check_layers(layers: Sequence[str], topology: Topology) -> None:
    """Raises ValueError, with the front end's message, for the first unknown layer."""
    for layer in layers:
        if layer != INPUT and layer not in topology.layers:
            raise ValueError(unknown_layer(layer, topology.layers))


def check_objective(tree: dict[str, Any], topology: Topology, batch: int) -> None:
    """Checks an objective tree against a model, as the engine does before its first step."""
    check_layers(_layers_read(tree, topology), topology)
    _check_term(tree, topology, batch)


def check_atlas(layer: str, channels: Sequence[int] | None, topology: Topology) -> None:
    """Checks a layer atlas's layer and channels."""
    check_layers([layer], topology)
    count = _channels(topology, layer)
    for channel in channels or ():
        if count is not None and channel >= count:
            raise ValueError(channel_out_of_range(layer, channel, count))


def check_image(shape: Shape, topology: Topology, what: str) -> None:
    """Checks that a start image has the model's channels."""
    channels = topology.input_shape[-1]
    if shape[-1] != channels:
        raise ValueError(
            f"The {what} has {shape[-1]} channel{'' if shape[-1] == 1 else 's'} "
            f"but the model takes {channels}."
        )
