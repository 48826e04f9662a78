"""The optimization and display options, checked and turned into spec fields.

``render_vis``, ``gradient_ascent`` and ``layer_atlas`` share these options
(declared in ``_options``); each one's values are checked here, with messages
that name the option, and written as the spec's ``Optimization`` and ``Display``.
Options left at None are left out: the engine's recipe decides them
(docs/architecture.md, "Recipes"). Choices and bounds come from the schema.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import objectives as obj
from ._checks import Topology, check_image
from ._spec import schema_bounds, schema_choices, schema_property

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
_COLOR_MAX = schema_property("ColorInit", "color")["maxItems"]
_IMAGE_VALUES = schema_property("ImageInit", "values")["maxItems"]


def check_int(value: Any, argument: str, low: int, high: int) -> int:
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
    return [check_int(size[0], "size height", *_SIZE), check_int(size[1], "size width", *_SIZE)]


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


def regularizers(regularizers: Any) -> tuple[list[obj.Objective], dict[str, float] | None]:
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


def optimization(
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
        spec["steps"] = check_int(options["steps"], "steps", *_STEPS)
    spec["seed"] = check_int(options["seed"], "seed", *_SEED)
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
        spec["batch"] = check_int(batch, "batch", *_BATCH)
    if options["frame_every"] is not None:
        spec["frameEvery"] = check_int(options["frame_every"], "frame_every", 1, _STEPS[1])
    return spec


def display(options: dict[str, Any]) -> dict[str, Any] | None:
    """The spec's Display from the display options (see ``_options``)."""
    display: dict[str, Any] = {}
    keep_frames, scale = options["keep_frames"], options["scale"]
    if not isinstance(keep_frames, bool):
        raise TypeError(f"keep_frames must be True or False, not {keep_frames!r}")
    if keep_frames:
        display["keepFrames"] = True
    if scale is not None:
        display["scale"] = check_int(scale, "scale", *_SCALE)
    return display or None
