"""Objectives: what gradient ascent maximizes, with Lucid's names and algebra.

An objective is a small expression tree that the browser engine evaluates on
the model's activations. Objectives add, subtract and scale::

    import featureviz as fv
    obj = fv.objectives.channel("conv2d_1", 5) - 0.5 * fv.objectives.channel("conv2d_1", 7)
    obj = obj - 1e-3 * fv.objectives.total_variation()

``to_spec()`` gives the spec's JSON tree (the ``Objective`` definition of the
spec schema). Layer names, channels and positions are checked against the
model when a visualization is built for a bundled model, and by the front end
for any model; both list the real layers when one is wrong.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from ._spec import schema_choices

__all__ = [
    "L1",
    "L2",
    "Objective",
    "blur_input_each_step",
    "channel",
    "class_logit",
    "deepdream",
    "direction",
    "diversity",
    "layer",
    "logit",
    "neuron",
    "total_variation",
]


def _check_layer(name: Any, argument: str = "layer") -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise TypeError(
            f"{argument} must be a layer name such as 'conv2d_1' "
            f"(the model's summary lists them), not {name!r}"
        )
    return name


def _check_index(value: Any, argument: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        kind = "a non-negative integer" + (" or None" if optional else "")
        raise TypeError(f"{argument} must be {kind}, not {value!r}")
    return int(value)


_REDUCES = schema_choices("ChannelObjective", "reduce")


def _check_reduce(reduce: Any) -> str:
    if reduce not in _REDUCES:
        raise ValueError(
            f"reduce must be one of {', '.join(map(repr, _REDUCES))} or None, not {reduce!r}"
        )
    return str(reduce)


def _check_number(value: Any, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{argument} must be a number, not {value!r}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{argument} must be finite, not {value!r}")
    return number


class Objective:
    """A function of the model's activations to maximize.

    Build them with the functions of this module and combine them with ``+``,
    ``-``, ``*`` (by a number) and unary ``-``.
    """

    def __init__(self, tree: dict[str, Any], description: str):
        self._tree = tree
        self.description = description

    def to_spec(self) -> dict[str, Any]:
        """The spec's JSON tree for this objective."""
        return _copy(self._tree)

    # Lucid's algebra -----------------------------------------------------
    def __add__(self, other: Any) -> Objective:
        if not isinstance(other, Objective):
            return NotImplemented
        terms = [*_terms(self._tree), *_terms(other._tree)]
        return Objective({"type": "sum", "terms": terms}, f"{self} + {other}")

    def __sub__(self, other: Any) -> Objective:
        if not isinstance(other, Objective):
            return NotImplemented
        return self + (-1 * other)

    def __mul__(self, factor: Any) -> Objective:
        if isinstance(factor, Objective):
            raise TypeError(
                "objectives multiply by numbers only (e.g. 0.5 * objective); "
                "to combine two objectives, add them"
            )
        factor = _check_number(factor, "factor")
        term = self._tree
        if term["type"] == "scale":
            # Fold nested scales: 2 * (3 * o) is 6 * o.
            factor, term = factor * term["factor"], term["term"]
        tree = {"type": "scale", "factor": factor, "term": term}
        return Objective(tree, f"{factor:g}·{self}")

    __rmul__ = __mul__

    def __neg__(self) -> Objective:
        return -1 * self

    def __truediv__(self, divisor: Any) -> Objective:
        return self * (1 / _check_number(divisor, "divisor"))

    def __str__(self) -> str:
        return self.description

    def __repr__(self) -> str:
        return f"<featureviz objective {self.description}>"

    @staticmethod
    def sum(objectives: Iterable[Objective]) -> Objective:
        """The sum of several objectives."""
        items = list(objectives)
        if not items or not all(isinstance(o, Objective) for o in items):
            raise TypeError("Objective.sum needs one or more objectives")
        total = items[0]
        for item in items[1:]:
            total = total + item
        return total


def _terms(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return list(tree["terms"]) if tree["type"] == "sum" else [tree]


def _copy(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _copy(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_copy(v) for v in tree]
    return tree


def _with_batch(tree: dict[str, Any], batch: Any) -> dict[str, Any]:
    index = _check_index(batch, "batch", optional=True)
    if index is not None:
        tree["batch"] = index
    return tree


def channel(
    layer: str, n_channel: int, batch: int | None = None, reduce: str | None = None
) -> Objective:
    """One channel: ``reduce="mean"`` its mean over all positions (Lucid's channel),
    ``"centre"`` its centre neuron; None (``"auto"``) lets the preset decide (on small
    models, the centre neuron where a unit sees at most half the image)."""
    tree: dict[str, Any] = {
        "type": "channel",
        "layer": _check_layer(layer),
        "channel": _check_index(n_channel, "n_channel"),
    }
    if reduce is not None:
        tree["reduce"] = _check_reduce(reduce)
    return Objective(_with_batch(tree, batch), f"Channel({layer}, {n_channel})")


def neuron(
    layer: str, n_channel: int, x: int | None = None, y: int | None = None, batch: int | None = None
) -> Objective:
    """One channel at one position: column x, row y (the centre by default)."""
    tree: dict[str, Any] = {
        "type": "neuron",
        "layer": _check_layer(layer),
        "channel": _check_index(n_channel, "n_channel"),
    }
    for name, value in (("x", x), ("y", y)):
        if value is not None:
            tree[name] = _check_index(value, name)
    return Objective(_with_batch(tree, batch), f"Neuron({layer}, {n_channel})")


def deepdream(layer: str, batch: int | None = None) -> Objective:
    """DeepDream: the mean of the squared activations of a whole layer."""
    tree = {"type": "layer", "layer": _check_layer(layer)}
    return Objective(_with_batch(tree, batch), f"DeepDream({layer})")


#: The spec calls a whole-layer objective "layer".
layer = deepdream


def class_logit(index: int, layer: str | None = None, batch: int | None = None) -> Objective:
    """A class score before softmax; the model's logits layer by default."""
    tree: dict[str, Any] = {"type": "logit", "index": _check_index(index, "index")}
    if layer is not None:
        tree["layer"] = _check_layer(layer)
    return Objective(_with_batch(tree, batch), f"ClassLogit({index})")


logit = class_logit


def direction(
    layer: str,
    vector: Sequence[float],
    x: int | None = None,
    y: int | None = None,
    batch: int | None = None,
) -> Objective:
    """The dot product of a layer's activations with a direction in channel space."""
    try:
        values = [_check_number(v, "vector entries") for v in vector]
    except TypeError:
        raise
    except Exception as error:  # a non-iterable, e.g. a scalar
        raise TypeError(f"vector must be a sequence of numbers, not {vector!r}") from error
    if not values:
        raise ValueError("vector must have one entry per channel of the layer, not be empty")
    tree: dict[str, Any] = {"type": "direction", "layer": _check_layer(layer), "vector": values}
    for name, value in (("x", x), ("y", y)):
        if value is not None:
            tree[name] = _check_index(value, name)
    return Objective(_with_batch(tree, batch), f"Direction({layer})")


def diversity(layer: str) -> Objective:
    """Lucid's diversity: how alike a batch's images look to a layer. Subtract it."""
    return Objective({"type": "diversity", "layer": _check_layer(layer)}, f"Diversity({layer})")


def _regularizer(kind: str, layer: str | None, batch: int | None, **extra: Any) -> dict[str, Any]:
    tree: dict[str, Any] = {"type": kind}
    if layer is not None and layer != "input":
        tree["layer"] = _check_layer(layer)
    tree.update({k: v for k, v in extra.items() if v is not None})
    return _with_batch(tree, batch)


def L1(layer: str = "input", constant: float = 0, batch: int | None = None) -> Objective:
    """Σ|x − constant| of the image (or a layer). A penalty: subtract it."""
    tree = _regularizer("l1", layer, batch, constant=_check_number(constant, "constant"))
    return Objective(tree, f"L1({layer})")


def L2(
    layer: str = "input", constant: float = 0, epsilon: float = 1e-6, batch: int | None = None
) -> Objective:
    """sqrt(ε + Σ(x − constant)²) of the image (or a layer). A penalty: subtract it."""
    eps = _check_number(epsilon, "epsilon")
    if eps <= 0:
        raise ValueError(f"epsilon must be positive, not {epsilon!r}")
    constant = _check_number(constant, "constant")
    tree = _regularizer("l2", layer, batch, constant=constant, epsilon=eps)
    return Objective(tree, f"L2({layer})")


def total_variation(layer: str = "input", batch: int | None = None) -> Objective:
    """The total variation of the image (or a layer). A penalty: subtract it."""
    return Objective(_regularizer("total-variation", layer, batch), f"TotalVariation({layer})")


def blur_input_each_step() -> Objective:
    """Subtracting k times this moves the image towards its 3×3 blur by k each step."""
    return Objective({"type": "blur-input-each-step"}, "BlurInputEachStep()")
