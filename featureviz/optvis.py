"""Gradient ascent (activation maximization), computed in the browser.

These functions build a spec and return a :class:`~featureviz.Visualization`;
a notebook cell that returns one shows a live animation of the optimization,
computed by the extension on the browser's GPU (or WebAssembly). The names
follow Lucid and Lucent::

    import featureviz as fv
    net = fv.models.mnist_cnn()
    fv.gradient_ascent(net, "conv2d_1", channel=5)
    fv.gradient_ascent(net, logit=range(10))          # a row of "canonical digits"
    fv.layer_atlas(net, "conv2d")
    O = fv.objectives
    fv.render_vis(net, O.channel("conv2d_1", 5) - 0.5 * O.channel("conv2d_1", 7))

Every setting has a default chosen by a named preset (``preset="auto"``: Lucid's
recipe for colour images of 64 pixels and more, ``"small"`` below), resolved by
the engine from the model: on small models a channel is shown by its centre
neuron, zoomed on its receptive field, and class pictures start from the
training data's mean image. For bundled models, layer names, channels, classes
and positions are checked at the call.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from . import objectives as obj
from ._checks import Topology, bundled_topology, check_atlas, check_image, check_objective
from ._options import DISPLAY, OPTIMIZATION, takes_options
from ._spec import schema_bounds, schema_choices
from .display import Visualization
from .models import Model

__all__ = ["gradient_ascent", "layer_atlas", "render_vis"]

_PARAMS = schema_choices("Optimization", "param")
#: "auto" (or None) leaves the transforms out of the spec: the preset decides.
_TRANSFORM_PRESETS = ("auto", *schema_choices("Optimization", "transforms"))
_PRESETS = schema_choices("Optimization", "preset")
_INITS = tuple(c for c in schema_choices("Optimization", "init"))
_CROPS = schema_choices("Optimization", "crop")
_OPTIMIZERS = schema_choices("Optimizer", "type")
_STEPS = schema_bounds("Optimization", "steps")
_SEED = schema_bounds("Optimization", "seed")
_BATCH = schema_bounds("Optimization", "batch")
_SIZE = schema_bounds("Optimization", "size")
_SCALE = schema_bounds("Display", "scale")
#: The regularizers= dict's names → the spec's Regularizers fields.
_REGULARIZERS = {"total_variation": "totalVariation", "l1": "l1", "l2": "l2", "blur": "blur"}
_REGULARIZER_MAX = schema_bounds("Regularizers", "l1")[1]
_COLOR_MAX = 4
_IMAGE_VALUES = 786432


def _model(model: Any) -> Model:
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        return Model(model)
    raise TypeError(
        "model must be a featureviz Model, e.g. fv.models.mnist_cnn() or "
        f"fv.Model('models/my_net/model.json'), not {type(model).__name__}"
    )


def _topology(model: Any) -> Topology | None:
    """A bundled model's layers, to check arguments at the call; None otherwise."""
    name = _model(model).builtin
    return bundled_topology(name) if name is not None else None


def _int(value: Any, argument: str, low: int, high: int) -> int:
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not integral or not low <= value <= high:
        raise ValueError(f"{argument} must be an integer from {low} to {high}, not {value!r}")
    return int(value)


def _size(size: Any) -> list[int] | None:
    if size is None:
        return None
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, Sequence) or isinstance(size, str) or len(size) != 2:
        raise ValueError(
            "size must be an integer or a (height, width) pair, "
            f"or None for the model's input size, not {size!r}"
        )
    return [_int(size[0], "size height", *_SIZE), _int(size[1], "size width", *_SIZE)]


def _transforms(transforms: Any) -> Any:
    if transforms is None:
        return None
    if isinstance(transforms, str):
        if transforms not in _TRANSFORM_PRESETS:
            raise ValueError(
                f"transforms must be one of {', '.join(map(repr, _TRANSFORM_PRESETS))} "
                f"or a list of transform dicts, not {transforms!r}"
            )
        return None if transforms == "auto" else transforms
    if isinstance(transforms, Sequence) and all(
        isinstance(t, Mapping) and isinstance(t.get("type"), str) for t in transforms
    ):
        return [dict(t) for t in transforms]
    raise TypeError(
        "transforms must be None, 'standard', 'small', 'none' or a list of dicts such as "
        f"{{'type': 'jitter', 'pixels': 2}}, not {transforms!r}"
    )


def _regularizers(regularizers: Any) -> tuple[list[obj.Objective], dict[str, float] | None]:
    """(objective terms to add, the spec's scaled Regularizers or None for the preset's)."""
    if regularizers is None:
        return [], None
    if isinstance(regularizers, Mapping):
        weights = {}
        for name, weight in regularizers.items():
            if name not in _REGULARIZERS:
                raise ValueError(
                    f"unknown regularizer {name!r}: use {', '.join(map(repr, _REGULARIZERS))}, "
                    "each with its weight relative to the objective, e.g. {'l1': 0.2}"
                )
            if (
                isinstance(weight, bool)
                or not isinstance(weight, numbers.Real)
                or not 0 <= weight <= _REGULARIZER_MAX
            ):
                raise ValueError(
                    f"the weight of {name!r} must be a number from 0 to {_REGULARIZER_MAX}, "
                    f"not {weight!r}"
                )
            weights[_REGULARIZERS[name]] = float(weight)
        return [], weights
    if isinstance(regularizers, obj.Objective):
        return [regularizers], None
    if isinstance(regularizers, Iterable) and not isinstance(regularizers, (str, bytes)):
        items = list(regularizers)
        if all(isinstance(r, obj.Objective) for r in items):
            return items, None
    raise TypeError(
        "regularizers must be None (the preset's), a dict of weights relative to the "
        "objective such as {'total_variation': 0.05, 'l1': 0.2}, or objectives to add "
        f"(e.g. [-1e-3 * fv.objectives.total_variation()]), not {regularizers!r}"
    )


def _unit_interval(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= 1
    )


def _init(init: Any, topology: Topology | None) -> Any:
    """The spec's InitImage for the init= option; None for 'auto'."""
    if isinstance(init, str):
        if init not in _INITS:
            raise ValueError(
                f"init must be one of {', '.join(map(repr, _INITS))}, a grey level or colour "
                f"in [0, 1], or an image array, not {init!r}"
            )
        return None if init == "auto" else init
    if _unit_interval(init):
        return {"color": [float(init)]}
    if isinstance(init, (list, tuple)) and 1 <= len(init) <= _COLOR_MAX:
        if all(_unit_interval(v) for v in init):
            return {"color": [float(v) for v in init]}
    if hasattr(init, "shape") and hasattr(init, "dtype"):
        import numpy as np

        array = np.asarray(init)
        if array.dtype == np.uint8:
            array = array / 255
        array = array.astype(np.float64)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3 or array.size > _IMAGE_VALUES:
            raise ValueError(
                "an init image must be an array of shape (H, W) or (H, W, C) with at most "
                f"{_IMAGE_VALUES} values, not shape {tuple(np.shape(init))}"
            )
        if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
            raise ValueError("an init image must hold values in [0, 1] (or be uint8)")
        if topology is not None:
            check_image(array.shape, topology, "start image")
        return {"shape": list(array.shape), "values": [float(v) for v in array.ravel()]}
    raise TypeError(
        f"init must be one of {', '.join(map(repr, _INITS))}, a number in [0, 1] (a grey "
        "level), a tuple of one per channel (a colour), or a NumPy image array, "
        f"not {init!r}"
    )


def _optimization(
    options: dict[str, Any],
    batch: int | None = None,
    regularizers: dict[str, float] | None = None,
    topology: Topology | None = None,
) -> dict[str, Any]:
    """The spec's Optimization from the optimization options (see ``_options``).

    Options left at None are left out: the preset decides them in the engine.
    """
    spec: dict[str, Any] = {}
    preset = options["preset"]
    if preset not in _PRESETS:
        raise ValueError(f"preset must be one of {', '.join(map(repr, _PRESETS))}, not {preset!r}")
    if preset != "auto":
        spec["preset"] = preset
    param, decorrelate, optimizer, lr = (
        options["param"],
        options["decorrelate"],
        options["optimizer"],
        options["lr"],
    )
    if param is not None:
        if param not in _PARAMS:
            raise ValueError(f"param must be 'fourier' or 'pixel', not {param!r}")
        spec["param"] = param
    if decorrelate is not None:
        if not isinstance(decorrelate, bool):
            raise TypeError(f"decorrelate must be True or False, not {decorrelate!r}")
        spec["decorrelate"] = decorrelate
    init = _init(options["init"], topology)
    if init is not None:
        spec["init"] = init
    if regularizers is not None:
        spec["regularizers"] = regularizers
    if optimizer is not None or lr is not None:
        spec["optimizer"] = {}
        if optimizer is not None:
            if optimizer not in _OPTIMIZERS:
                raise ValueError(f"optimizer must be 'adam' or 'sgd', not {optimizer!r}")
            spec["optimizer"]["type"] = optimizer
        if lr is not None:
            if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr <= 100:
                raise ValueError(
                    f"lr must be a number above 0 and at most 100 (Lucid uses 0.05), not {lr!r}"
                )
            spec["optimizer"]["lr"] = float(lr)
    if options["steps"] is not None:
        spec["steps"] = _int(options["steps"], "steps", *_STEPS)
    spec["seed"] = _int(options["seed"], "seed", *_SEED)
    shape = _size(options["size"])
    if shape is not None:
        spec["size"] = shape
    transforms = _transforms(options["transforms"])
    if transforms is not None:
        spec["transforms"] = transforms
    crop = options["crop"]
    if crop not in _CROPS:
        raise ValueError(f"crop must be 'auto' or 'none', not {crop!r}")
    if crop != "auto":
        spec["crop"] = crop
    if batch is not None:
        spec["batch"] = _int(batch, "batch", *_BATCH)
    if options["frame_every"] is not None:
        spec["frameEvery"] = _int(options["frame_every"], "frame_every", 1, _STEPS[1])
    return spec


def _display(options: dict[str, Any]) -> dict[str, Any] | None:
    """The spec's Display from the display options (see ``_options``)."""
    display: dict[str, Any] = {}
    keep_frames, scale = options["keep_frames"], options["scale"]
    if not isinstance(keep_frames, bool):
        raise TypeError(f"keep_frames must be True or False, not {keep_frames!r}")
    if keep_frames:
        display["keepFrames"] = True
    if scale is not None:
        display["scale"] = _int(scale, "scale", *_SCALE)
    return display or None


def _spec(view: str, model: Any, body: dict[str, Any], options: dict[str, Any]) -> Visualization:
    spec: dict[str, Any] = {"view": view, "model": _model(model).to_spec(), **body}
    title = options["title"]
    display = _display(options)
    if title is not None:
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, not {type(title).__name__}")
        spec["title"] = title
    if display:
        spec["display"] = display
    return Visualization(spec)


def _indices(value: Any, argument: str) -> list[int] | int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return _int(value, argument, 0, 2**31 - 1)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        items = list(value)
        if items and len(items) <= 1024:
            return [_int(v, argument, 0, 2**31 - 1) for v in items]
    raise TypeError(
        f"{argument} must be an index or a list of indices (at most 1024), not {value!r}"
    )


def _units(
    value: Any, argument: str, make: Callable[[int, int | None], obj.Objective]
) -> tuple[obj.Objective, int | None]:
    """One unit's objective, or for a list of units one image each: (objective, batch)."""
    target = _indices(value, argument)
    if isinstance(target, list):
        return obj.Objective.sum(make(u, b) for b, u in enumerate(target)), len(target)
    return make(target, None), None


@takes_options(OPTIMIZATION, DISPLAY)
def render_vis(
    model: Any,
    objective: obj.Objective,
    *,
    regularizers: Any = None,
    batch: int | None = None,
    **options: Any,
) -> Visualization:
    """Optimizes an input so that ``objective`` grows, and shows it as it goes.

    Lucid's ``render_vis``: ``objective`` is built from
    :mod:`featureviz.objectives`. ``regularizers`` subtracts penalties, e.g.
    ``{"total_variation": 1e-3}``; ``batch`` optimizes several images at once
    (objectives with ``batch=i`` act on image i).
    """
    if not isinstance(objective, obj.Objective):
        raise TypeError(
            "objective must be built from fv.objectives, "
            f"e.g. fv.objectives.channel('conv2d_1', 5), not {type(objective).__name__}"
        )
    terms, weights = _regularizers(regularizers)
    full = obj.Objective.sum([objective, *terms]).to_spec()
    topology = _topology(model)
    optimization = _optimization(options, batch, weights, topology)
    if topology is not None:
        check_objective(full, topology, optimization.get("batch", 1))
    body = {"objective": full, "optimization": optimization}
    return _spec("gradient-ascent", model, body, options)


@takes_options(OPTIMIZATION, DISPLAY)
def gradient_ascent(
    model: Any,
    layer: str | None = None,
    channel: Any = None,
    neuron: Any = None,
    logit: Any = None,
    *,
    reduce: str | None = None,
    regularizers: Any = None,
    **options: Any,
) -> Visualization:
    """The input that most excites a unit, shown as it is optimized.

    Give exactly one of:

    - ``channel``: a channel of ``layer``: by default (``reduce=None``) as the
      preset decides, which on small models is the neuron at the centre before
      its ReLU, shown zoomed on its receptive field; ``reduce="mean"`` is its
      mean over positions (Lucid's channel), ``reduce="centre"`` the centre neuron;
    - ``neuron``: a channel at the centre of ``layer``, or ``(channel, x, y)``;
    - ``logit``: a class score before softmax (``layer`` defaults to the logits);

    or none of them for the whole layer (DeepDream). ``channel`` and ``logit``
    may be lists: each unit then gets its own image in one batched run, e.g.
    ``logit=range(10)`` draws ten "canonical digits". ``regularizers`` are
    those of :func:`render_vis`.
    """
    given = (("channel", channel), ("neuron", neuron), ("logit", logit))
    chosen = [name for name, value in given if value is not None]
    if reduce is not None and channel is None:
        raise ValueError("reduce applies to channel= only")
    if len(chosen) > 1:
        raise ValueError(f"give only one of channel, neuron and logit, not {' and '.join(chosen)}")
    batch = None
    if logit is not None:
        objective, batch = _units(logit, "logit", lambda i, b: obj.class_logit(i, layer, batch=b))
    else:
        if layer is None:
            raise ValueError(
                "layer is required (a layer name such as 'conv2d_1'), except with logit="
            )
        if channel is not None:
            objective, batch = _units(
                channel, "channel", lambda c, b: obj.channel(layer, c, batch=b, reduce=reduce)
            )
        elif neuron is not None:
            if isinstance(neuron, Sequence) and not isinstance(neuron, str):
                if len(neuron) != 3:
                    raise ValueError(
                        f"neuron must be a channel index or (channel, x, y), not {neuron!r}"
                    )
                objective = obj.neuron(layer, neuron[0], neuron[1], neuron[2])
            else:
                objective = obj.neuron(layer, neuron)
        else:
            objective = obj.deepdream(layer)
    return render_vis(model, objective, regularizers=regularizers, batch=batch, **options)


@takes_options(OPTIMIZATION, DISPLAY)
def layer_atlas(
    model: Any,
    layer: str,
    channels: Any = None,
    *,
    reduce: str | None = None,
    regularizers: Any = None,
    **options: Any,
) -> Visualization:
    """A grid of every channel of a layer (or the chosen ``channels``).

    All channels are optimized together in one batched run: image i maximizes
    channel i, by default as the preset decides (on small models the centre
    neuron, zoomed on its receptive field; ``reduce="mean"`` for the mean over
    positions). Units that barely respond are labelled. Click a cell to see its
    animation. ``regularizers`` is a dict of weights relative to each channel's
    objective, e.g. ``{"l1": 0.2}``.
    """
    body: dict[str, Any] = {"layer": obj._check_layer(layer)}
    if channels is not None:
        chosen = _indices(channels, "channels")
        body["channels"] = chosen if isinstance(chosen, list) else [chosen]
    if reduce is not None:
        body["reduce"] = obj._check_reduce(reduce)
    terms, weights = _regularizers(regularizers)
    if terms:
        raise TypeError(
            "layer_atlas takes regularizers as a dict of weights, e.g. {'l1': 0.2}, not objectives"
        )
    topology = _topology(model)
    if topology is not None:
        check_atlas(body["layer"], body.get("channels"), topology)
    body["optimization"] = _optimization(options, None, weights, topology)
    return _spec("layer-atlas", model, body, options)
