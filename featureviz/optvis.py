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
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from . import objectives as obj
from ._options import DISPLAY, OPTIMIZATION, takes_options
from ._spec import schema_bounds, schema_choices
from .display import Visualization
from .models import Model

__all__ = ["gradient_ascent", "layer_atlas", "render_vis"]

_PARAMS = schema_choices("Optimization", "param")
#: "auto" leaves the transforms out of the spec: the engine picks by image size.
_PRESETS = ("auto", *schema_choices("Optimization", "transforms"))
_OPTIMIZERS = schema_choices("Optimizer", "type")
_STEPS = schema_bounds("Optimization", "steps")
_SEED = schema_bounds("Optimization", "seed")
_BATCH = schema_bounds("Optimization", "batch")
_SIZE = schema_bounds("Optimization", "size")
_SCALE = schema_bounds("Display", "scale")
_REGULARIZERS = {
    "total_variation": obj.total_variation,
    "l1": obj.L1,
    "l2": obj.L2,
    "blur": obj.blur_input_each_step,
}


def _model(model: Any) -> Model:
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        return Model(model)
    raise TypeError(
        "model must be a featureviz Model, e.g. fv.models.mnist_cnn() or "
        f"fv.Model('models/my_net/model.json'), not {type(model).__name__}"
    )


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
    if isinstance(transforms, str):
        if transforms not in _PRESETS:
            raise ValueError(
                f"transforms must be one of {', '.join(map(repr, _PRESETS))} "
                f"or a list of transform dicts, not {transforms!r}"
            )
        return None if transforms == "auto" else transforms
    if isinstance(transforms, Sequence) and all(
        isinstance(t, Mapping) and isinstance(t.get("type"), str) for t in transforms
    ):
        return [dict(t) for t in transforms]
    raise TypeError(
        "transforms must be 'auto', 'standard', 'small', 'none' or a list of dicts such as "
        f"{{'type': 'jitter', 'pixels': 2}}, not {transforms!r}"
    )


def _regularizers(regularizers: Any) -> list[obj.Objective]:
    if regularizers is None:
        return []
    if isinstance(regularizers, Mapping):
        terms = []
        for name, weight in regularizers.items():
            if name not in _REGULARIZERS:
                raise ValueError(
                    f"unknown regularizer {name!r}: use {', '.join(map(repr, _REGULARIZERS))}, "
                    "each with its weight, e.g. {'total_variation': 1e-3}"
                )
            if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or weight < 0:
                raise ValueError(f"the weight of {name!r} must be a number >= 0, not {weight!r}")
            # Penalties are subtracted, as in Lucid: objective - weight * penalty.
            terms.append(-float(weight) * _REGULARIZERS[name]())
        return terms
    if isinstance(regularizers, obj.Objective):
        return [regularizers]
    if isinstance(regularizers, Iterable) and not isinstance(regularizers, (str, bytes)):
        items = list(regularizers)
        if all(isinstance(r, obj.Objective) for r in items):
            return items
    raise TypeError(
        "regularizers must be None, a dict of weights such as "
        "{'total_variation': 1e-3, 'l1': 1e-4}, or objectives to add "
        f"(e.g. [-1e-3 * fv.objectives.total_variation()]), not {regularizers!r}"
    )


def _optimization(options: dict[str, Any], batch: int | None = None) -> dict[str, Any]:
    """The spec's Optimization from the optimization options (see ``_options``)."""
    param, decorrelate, optimizer, lr = (
        options["param"],
        options["decorrelate"],
        options["optimizer"],
        options["lr"],
    )
    if param not in _PARAMS:
        raise ValueError(f"param must be 'fourier' or 'pixel', not {param!r}")
    if not isinstance(decorrelate, bool):
        raise TypeError(f"decorrelate must be True or False, not {decorrelate!r}")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', not {optimizer!r}")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr <= 100:
        raise ValueError(
            f"lr must be a number above 0 and at most 100 (Lucid uses 0.05), not {lr!r}"
        )
    spec: dict[str, Any] = {
        "param": param,
        "decorrelate": decorrelate,
        "optimizer": {"type": optimizer, "lr": float(lr)},
        "steps": _int(options["steps"], "steps", *_STEPS),
        "seed": _int(options["seed"], "seed", *_SEED),
    }
    shape = _size(options["size"])
    if shape is not None:
        spec["size"] = shape
    preset = _transforms(options["transforms"])
    if preset is not None:
        spec["transforms"] = preset
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
    full = obj.Objective.sum([objective, *_regularizers(regularizers)])
    body = {"objective": full.to_spec(), "optimization": _optimization(options, batch)}
    return _spec("gradient-ascent", model, body, options)


@takes_options(OPTIMIZATION, DISPLAY)
def gradient_ascent(
    model: Any,
    layer: str | None = None,
    channel: Any = None,
    neuron: Any = None,
    logit: Any = None,
    *,
    regularizers: Any = None,
    **options: Any,
) -> Visualization:
    """The input that most excites a unit, shown as it is optimized.

    Give exactly one of:

    - ``channel``: a channel of ``layer`` (its mean over positions);
    - ``neuron``: a channel at the centre of ``layer``, or ``(channel, x, y)``;
    - ``logit``: a class score before softmax (``layer`` defaults to the logits);

    or none of them for the whole layer (DeepDream). ``channel`` and ``logit``
    may be lists: each unit then gets its own image in one batched run, e.g.
    ``logit=range(10)`` draws ten "canonical digits". ``regularizers`` are
    those of :func:`render_vis`.
    """
    given = (("channel", channel), ("neuron", neuron), ("logit", logit))
    chosen = [name for name, value in given if value is not None]
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
                channel, "channel", lambda c, b: obj.channel(layer, c, batch=b)
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
def layer_atlas(model: Any, layer: str, channels: Any = None, **options: Any) -> Visualization:
    """A grid of every channel of a layer (or the chosen ``channels``).

    All channels are optimized together in one batched run: image i maximizes
    channel i. Click a cell to see its animation.
    """
    body: dict[str, Any] = {"layer": obj._check_layer(layer)}
    if channels is not None:
        chosen = _indices(channels, "channels")
        body["channels"] = chosen if isinstance(chosen, list) else [chosen]
    body["optimization"] = _optimization(options)
    return _spec("layer-atlas", model, body, options)
