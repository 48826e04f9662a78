"""Which part of this input makes the unit fire? Attribution lenses, computed in the browser.

These functions build a spec and return an :class:`Attribution`; the
extension computes the maps in the browser (docs/architecture.md,
"Attribution") and draws them beside the input::

    import featureviz as fv
    net = fv.models.mnist_cnn()
    eight = fv.datasets.mnist()[2]                # carries its label (8)
    fv.occlusion(net, eight, size=7)              # percentage change per position
    fv.saliency(net, eight, method=["gradient", "smoothgrad", "integrated-gradients"])
    fv.filters(net)                               # the first layer's kernels
    res = await fv.saliency(net, eight).result()  # the maps as NumPy arrays

``input`` is an example of a bundled dataset or an array from the kernel
((H, W), (H, W, C) or (1, H, W, C); uint8 pixels are scaled to the model's
input range, floats are given to the model as they are). The array is sent to
the browser over the featureviz comm when the output needs it, never stored
in the notebook. The unit is ``logit=``, or ``layer=`` with ``channel=`` or
``neuron=``; by default the example's label, else the predicted class.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._options import Option, takes_options
from ._settings import check_int as _int  # the same checks as the other builders
from ._spec import definition_choices, schema_bounds, schema_choices, schema_default
from .datasets import Example, from_numpy
from .display import Visualization
from .models import Model
from .optvis import _model

__all__ = ["Attribution", "Maps", "filters", "occlusion", "saliency"]

METHODS = definition_choices("AttributionMethod")
_REDUCE = schema_choices("ChannelTarget", "reduce")
_SIZE = schema_bounds("OcclusionSpec", "size")
_SAMPLES = schema_bounds("SaliencySpec", "samples")
_STEPS = schema_bounds("SaliencySpec", "steps")
_SEED = schema_bounds("SaliencySpec", "seed")
_NOISE = schema_bounds("SaliencySpec", "noise")
_SCALE = schema_bounds("Display", "scale")

STILL = (
    Option(
        "scale",
        None,
        "Screen pixels per input pixel (pixelated); chosen from the input size when None.",
    ),
    Option("title", None, "A caption shown above the output."),
)


class Maps(dict):
    """The arrays of a finished run, by name (``res["gradient"]`` or ``res.gradient``).

    ``summary`` holds what the browser reported (the unit's value, the label
    and prediction, Integrated Gradients' completeness check ...).
    """

    def __init__(self, arrays: Mapping[str, Any], summary: Mapping[str, Any]):
        super().__init__(arrays)
        self.summary = dict(summary)

    def __getattr__(self, name: str) -> Any:
        key = name.replace("_", "-")
        if key in self:
            return self[key]
        raise AttributeError(f"no array {name!r}; the arrays are {', '.join(self)}")


class Attribution(Visualization):
    """An attribution output; ``await out.result()`` returns its :class:`Maps`."""

    sends_result = True

    def _read_result(self, raw: dict[str, Any]) -> Maps:
        return Maps(raw.get("arrays") or {}, raw.get("summary") or {})


def _number(value: Any, argument: str, low: float | None = None, high: float | None = None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise ValueError(f"{argument} must be a number, not {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{argument} must be from {low} to {high}, not {value!r}")
    return float(value)


def _layer(layer: Any) -> str:
    if not isinstance(layer, str) or not layer.strip() or len(layer) > 200:
        raise TypeError(
            f"layer must be a layer name such as 'conv2d_1' (the model's summary lists them), "
            f"not {layer!r}"
        )
    return layer


def _input(value: Any, label: Any) -> tuple[dict[str, Any], int | None]:
    """The spec's DataRef for the input, and its label when known."""
    if isinstance(value, Example):
        if label is not None:
            raise ValueError("label= is for arrays; an example carries its own label")
        return value.to_spec(), value.label
    if isinstance(value, (str, bytes, Mapping)) or value is None:
        raise TypeError(
            "input must be an example such as fv.datasets.mnist()[7], or an image array "
            f"(H, W), (H, W, C) or (1, H, W, C), not {type(value).__name__}"
        )
    import numpy as np

    array = np.asarray(value)
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(f"input must be an array of numbers, not of {array.dtype}")
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or min(array.shape) < 1:
        raise ValueError(
            "input must be one image: an array (H, W), (H, W, C) or (1, H, W, C) with C last, "
            f"not of shape {np.asarray(value).shape}"
        )
    if array.dtype != np.uint8:
        array = array.astype(np.float32)
        if not np.isfinite(array).all():
            raise ValueError("input holds NaN or infinite values")
    labels = None
    if label is not None:
        labels = np.asarray([_int(label, "label", *_INDEX)], np.int32)
    held = from_numpy(array[None], labels)
    return {**held.to_spec(), "index": 0}, None if labels is None else int(labels[0])


_INDEX = (0, 2**31 - 1)


def _target(
    logit: Any, layer: Any, channel: Any, neuron: Any, reduce: Any, label: int | None
) -> dict[str, Any] | None:
    """The spec's UnitTarget; None for the predicted class."""
    units = (("logit", logit), ("channel", channel), ("neuron", neuron))
    given = [name for name, value in units if value is not None]
    if len(given) > 1:
        raise ValueError(f"give only one of logit, channel and neuron, not {' and '.join(given)}")
    if reduce is not None and channel is None:
        raise ValueError("reduce= applies to channel= only")
    if (channel is not None or neuron is not None) and layer is None:
        raise ValueError(f"{given[0]}= needs layer=, a layer name such as 'conv2d_1'")
    if channel is not None:
        target = {"type": "channel", "layer": _layer(layer)}
        target["channel"] = _int(channel, "channel", *_INDEX)
        if reduce is not None:
            if reduce not in _REDUCE:
                choices = " or ".join(map(repr, _REDUCE))
                raise ValueError(f"reduce must be {choices}, not {reduce!r}")
            target["reduce"] = reduce
        return target
    if neuron is not None:
        target = {"type": "neuron", "layer": _layer(layer)}
        if isinstance(neuron, Sequence) and not isinstance(neuron, str):
            if len(neuron) != 3:
                raise ValueError(
                    f"neuron must be a channel index or (channel, x, y), not {neuron!r}"
                )
            c, x, y = (_int(v, "neuron", *_INDEX) for v in neuron)
            return {**target, "channel": c, "x": x, "y": y}
        return {**target, "channel": _int(neuron, "neuron", *_INDEX)}
    index = label if logit is None else _int(logit, "logit", *_INDEX)
    if index is None:
        if layer is not None:
            raise ValueError("layer= needs logit=, channel= or neuron=")
        return None
    target = {"type": "logit", "index": index}
    if layer is not None:
        target["layer"] = _layer(layer)
    return target


def _build(view: str, model: Any, body: dict[str, Any], options: dict[str, Any]) -> Attribution:
    spec: dict[str, Any] = {"view": view, "model": _model(model).to_spec(), **body}
    title, scale = options["title"], options["scale"]
    if title is not None:
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, not {type(title).__name__}")
        spec["title"] = title
    if scale is not None:
        spec["display"] = {"scale": _int(scale, "scale", *_SCALE)}
    return Attribution(spec)


def _one_input(
    model: Any, input: Any, label: Any, unit: tuple[Any, Any, Any, Any, Any]
) -> tuple[dict[str, Any], Model]:
    data, known = _input(input, label)
    body: dict[str, Any] = {"data": data}
    target = _target(*unit, known)
    if target is not None:
        body["target"] = target
    return body, _model(model)


@takes_options(STILL)
def occlusion(
    model: Any,
    input: Any,
    logit: Any = None,
    *,
    layer: str | None = None,
    channel: Any = None,
    neuron: Any = None,
    reduce: str | None = None,
    size: int = schema_default("OcclusionSpec", "size"),
    stride: int | None = None,
    fill: float = schema_default("OcclusionSpec", "fill"),
    label: int | None = None,
    **options: Any,
) -> Attribution:
    """How much the unit changes when each part of the input is covered.

    Zeiler and Fergus's occlusion: a ``size`` × ``size`` square of ``fill``
    (in the model's input range) slides over the input ``stride`` pixels at a
    time (``size`` by default: squares side by side); the figure writes the
    unit's percentage change on each position, and draws each pixel's mean
    drop (Captum's Occlusion). ``label`` names an array's class.
    """
    body, net = _one_input(model, input, label, (logit, layer, channel, neuron, reduce))
    body["size"] = _int(size, "size", *_SIZE)
    if stride is not None:
        body["stride"] = _int(stride, "stride", 1, body["size"])
    body["fill"] = _number(fill, "fill")
    return _build("occlusion", net, body, options)


def _methods(method: Any) -> list[str]:
    items = [method] if isinstance(method, str) else method
    if not isinstance(items, Iterable):
        raise TypeError(f"method must be a method name or a list of them, not {method!r}")
    items = list(items)
    for m in items:
        if m not in METHODS:
            raise ValueError(f"unknown method {m!r}: use {', '.join(map(repr, METHODS))}")
    if not items or len(set(items)) != len(items):
        raise ValueError(f"method must name one or more different methods, not {method!r}")
    return items


@takes_options(STILL)
def saliency(
    model: Any,
    input: Any,
    logit: Any = None,
    *,
    method: Any = "gradient",
    layer: str | None = None,
    channel: Any = None,
    neuron: Any = None,
    reduce: str | None = None,
    noise: float = schema_default("SaliencySpec", "noise"),
    samples: int = schema_default("SaliencySpec", "samples"),
    seed: int = schema_default("SaliencySpec", "seed"),
    steps: int = schema_default("SaliencySpec", "steps"),
    baseline: float = schema_default("SaliencySpec", "baseline"),
    cam_layer: str | None = None,
    label: int | None = None,
    **options: Any,
) -> Attribution:
    """Which pixels the unit is sensitive to, by one or several methods side by side.

    ``method`` is one of, or a list of: ``"gradient"`` (the unit's gradient
    with respect to the input), ``"smoothgrad"`` (its mean over ``samples``
    noisy copies, the noise's deviation ``noise`` times the input's range),
    ``"integrated-gradients"`` (``steps`` steps from a ``baseline`` input,
    with the completeness check: the attributions sum to f(x) - f(baseline)),
    ``"guided-backprop"``, ``"deconvnet"`` and ``"grad-cam"`` (at
    ``cam_layer``, the last convolution by default). ``label`` names an
    array's class.
    """
    body, net = _one_input(model, input, label, (logit, layer, channel, neuron, reduce))
    methods = _methods(method)
    body["methods"] = methods
    if "smoothgrad" in methods:
        body["noise"] = _number(noise, "noise", *_NOISE)
        body["samples"] = _int(samples, "samples", *_SAMPLES)
        body["seed"] = _int(seed, "seed", *_SEED)
    if "integrated-gradients" in methods:
        body["steps"] = _int(steps, "steps", *_STEPS)
        body["baseline"] = _number(baseline, "baseline")
    if cam_layer is not None:
        if "grad-cam" not in methods:
            raise ValueError("cam_layer= is Grad-CAM's layer: add 'grad-cam' to method=")
        body["camLayer"] = _layer(cam_layer)
    return _build("saliency", net, body, options)


@takes_options(STILL)
def filters(model: Any, layer: str | None = None, **options: Any) -> Attribution:
    """The kernels of a convolution layer as images (the first convolution by default).

    A layer that reads the input is drawn one image per filter; a deeper one
    one strip per filter, a cell per input channel. ``await out.result()``
    returns the kernel as ``weights`` (height, width, inputs, filters).
    """
    body = {} if layer is None else {"layer": _layer(layer)}
    return _build("filters", model, body, options)
