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

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import objectives as obj
from ._checks import Topology, bundled_topology, check_atlas, check_objective
from ._options import DISPLAY, OPTIMIZATION, takes_options
from ._settings import check_int
from ._settings import display as display_spec
from ._settings import optimization as optimization_spec
from ._settings import regularizers as regularizers_spec
from .display import Visualization
from .models import Model

__all__ = ["gradient_ascent", "layer_atlas", "render_vis"]


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
    """A bundled or converted model's layers, to check arguments at the call; None otherwise."""
    resolved = _model(model)
    name = resolved.builtin
    return bundled_topology(name) if name is not None else resolved.checked_layers()


def _spec(view: str, model: Any, body: dict[str, Any], options: dict[str, Any]) -> Visualization:
    spec: dict[str, Any] = {"view": view, "model": _model(model).to_spec(), **body}
    title = options["title"]
    display = display_spec(options)
    if title is not None:
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, not {type(title).__name__}")
        spec["title"] = title
    if display:
        spec["display"] = display
    return Visualization(spec)


def _indices(value: Any, argument: str) -> list[int] | int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return check_int(value, argument, 0, 2**31 - 1)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        items = list(value)
        if items and len(items) <= 1024:
            return [check_int(v, argument, 0, 2**31 - 1) for v in items]
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
    terms, weights = regularizers_spec(regularizers)
    full = obj.Objective.sum([objective, *terms]).to_spec()
    topology = _topology(model)
    optimization = optimization_spec(options, batch, weights, topology)
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
    terms, weights = regularizers_spec(regularizers)
    if terms:
        raise TypeError(
            "layer_atlas takes regularizers as a dict of weights, e.g. {'l1': 0.2}, not objectives"
        )
    topology = _topology(model)
    if topology is not None:
        check_atlas(body["layer"], body.get("channels"), topology)
    body["optimization"] = optimization_spec(options, None, weights, topology)
    return _spec("layer-atlas", model, body, options)
