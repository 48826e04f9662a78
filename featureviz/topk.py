"""Top-activating examples: the inputs of a dataset that most (and least) excite a unit.

``fv.top_examples`` builds the spec; the browser runs one batched pass over
the data (truncated at the unit's layer), keeps the running top and bottom k,
and shows them with their values, labels, the model's predictions and, when
asked, the receptive-field patch that the unit's strongest position sees.
When the run finishes the browser sends the ranking back to the kernel::

    out = fv.top_examples(net, logit=8, data=fv.datasets.mnist(), k=16, bottom=True)
    out                                   # shows the grids
    res = await out.result()              # in a later cell (or after display(out))
    res.indices, res.values               # NumPy arrays, best first
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import datasets as ds
from ._options import DISPLAY, takes_options
from ._settings import check_int as _int
from ._spec import schema_bounds, schema_choices, schema_default
from .display import Visualization
from .objectives import _check_layer
from .optvis import _spec

__all__ = ["TopExamples", "TopExamplesResult", "top_examples"]

_K = schema_bounds("TopExamplesSpec", "k")
_REDUCE = schema_choices("ChannelTarget", "reduce")
_UNIT = (0, 2**31 - 1)


@dataclass(frozen=True)
class TopExamplesResult:
    """The ranking a top-examples run sent back, as NumPy arrays (best first).

    ``indices`` index the dataset (``data[i]``); ``labels`` are -1 where the
    dataset has none, ``predictions`` -1 for a model without class logits. The
    ``bottom_`` arrays are the least exciting examples (None unless
    ``bottom=True``). ``summary`` is the run's summary (count, backend, ...).
    """

    indices: Any
    values: Any
    labels: Any
    predictions: Any
    bottom_indices: Any
    bottom_values: Any
    bottom_labels: Any
    bottom_predictions: Any
    summary: dict[str, Any]


class TopExamples(Visualization):
    """A top-examples output; ``await out.result()`` gives a :class:`TopExamplesResult`."""

    sends_result = True

    def _read_result(self, raw: dict[str, Any]) -> TopExamplesResult:
        arrays = raw["arrays"]
        return TopExamplesResult(
            indices=arrays["indices"],
            values=arrays["values"],
            labels=arrays["labels"],
            predictions=arrays["predictions"],
            bottom_indices=arrays.get("bottom_indices"),
            bottom_values=arrays.get("bottom_values"),
            bottom_labels=arrays.get("bottom_labels"),
            bottom_predictions=arrays.get("bottom_predictions"),
            summary=raw["summary"],
        )


def _target(layer: Any, channel: Any, neuron: Any, logit: Any, reduce: Any) -> dict[str, Any]:
    units = (("channel", channel), ("neuron", neuron), ("logit", logit))
    given = [name for name, value in units if value is not None]
    if len(given) != 1:
        raise ValueError(
            "give exactly one of channel, neuron and logit"
            + (f", not {' and '.join(given)}" if given else "")
        )
    if reduce not in _REDUCE:
        raise ValueError(f"reduce must be 'max' or 'mean', not {reduce!r}")
    if channel is None and reduce != schema_default("ChannelTarget", "reduce"):
        raise ValueError("reduce applies to channel= only (a neuron or logit is one value)")
    if logit is not None:
        target = {"type": "logit", "index": _int(logit, "logit", *_UNIT)}
        if layer is not None:
            target["layer"] = _check_layer(layer)
        return target
    if layer is None:
        raise ValueError("layer is required (a layer name such as 'conv2d_1'), except with logit=")
    name = _check_layer(layer)
    if channel is not None:
        return {
            "type": "channel",
            "layer": name,
            "channel": _int(channel, "channel", *_UNIT),
            "reduce": reduce,
        }
    if isinstance(neuron, Sequence) and not isinstance(neuron, str):
        if len(neuron) != 3:
            raise ValueError(f"neuron must be a unit index or (channel, x, y), not {neuron!r}")
        return {
            "type": "neuron",
            "layer": name,
            "channel": _int(neuron[0], "neuron channel", *_UNIT),
            "x": _int(neuron[1], "neuron x", *_UNIT),
            "y": _int(neuron[2], "neuron y", *_UNIT),
        }
    return {"type": "neuron", "layer": name, "channel": _int(neuron, "neuron", *_UNIT)}


def _data(data: Any) -> dict[str, Any]:
    if data is None:
        return ds.mnist().to_spec()
    if isinstance(data, ds.Example):
        raise TypeError(
            "data must be a whole dataset, not one example (drop the [i]): "
            "top examples rank every example of it"
        )
    if isinstance(data, (ds.Dataset, ds.KernelDataset, ds.ServerDataset)):
        return data.to_spec()
    raise TypeError(
        "data must be a featureviz dataset: fv.datasets.mnist(), fv.datasets.from_numpy(x, y), "
        f"fv.datasets.from_file('x.npy') or fv.datasets.from_folder('images/'), "
        f"not {type(data).__name__}"
    )


def _flag(value: Any, argument: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{argument} must be True or False, not {value!r}")
    return value


@takes_options(tuple(o for o in DISPLAY if o.name != "keep_frames"))
def top_examples(
    model: Any,
    layer: str | None = None,
    channel: Any = None,
    neuron: Any = None,
    logit: Any = None,
    *,
    data: Any = None,
    k: int = schema_default("TopExamplesSpec", "k"),
    reduce: str = schema_default("ChannelTarget", "reduce"),
    bottom: bool = schema_default("TopExamplesSpec", "bottom"),
    patches: bool = schema_default("TopExamplesSpec", "patches"),
    histogram: bool = schema_default("TopExamplesSpec", "histogram"),
    **options: Any,
) -> TopExamples:
    """The k examples of ``data`` that most excite a unit (and with ``bottom``, least).

    Give exactly one of:

    - ``channel``: a channel of ``layer``, reduced over positions by
      ``reduce`` (``"max"``: its strongest position, ``"mean"``);
    - ``neuron``: a unit of a flat ``layer`` (e.g. a dense layer), or a
      ``(channel, x, y)`` position of a spatial one (its centre when only the
      channel is given);
    - ``logit``: a class score before softmax (``layer`` defaults to the
      model's logits).

    ``data`` is a dataset (:mod:`featureviz.datasets`; the bundled MNIST test
    digits when None). Each example is shown with its value, label and the
    model's prediction, sorted by value (ties by index); ``patches`` shows the
    input patch the unit's strongest position sees (its receptive field) and
    its box on the whole example; ``histogram`` also shows the histogram of
    the unit's value over every example of ``data`` (range, mean, the share
    of exact zeros), with the top-k threshold marked. The browser computes it in one batched pass;
    ``await out.result()`` returns the ranking as NumPy arrays.
    """
    body = {
        "target": _target(layer, channel, neuron, logit, reduce),
        "data": _data(data),
        "k": _int(k, "k", *_K),
        "bottom": _flag(bottom, "bottom"),
        "patches": _flag(patches, "patches"),
    }
    if histogram is not False:
        # Left out when off, so specs built before the option stay the same.
        body["histogram"] = _flag(histogram, "histogram")
    # The builders' shared model, title and display handling, as a result view.
    return TopExamples(_spec("top-examples", model, body, {**options, "keep_frames": False}).spec)
