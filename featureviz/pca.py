"""PCA of a layer's representation: every example of a dataset at its first principal components.

``fv.pca`` builds the spec; the browser runs the model over the data up to the
layer, streaming (the activations are recomputed on each pass, never stored),
computes the projection (exact for narrow layers, a seeded randomized solver
for wide ones), and draws a scatter plot coloured by label: hover a point for
its example, lasso points to select them. The coordinates, the explained
variance and the current selection come back to the kernel::

    out = fv.pca(net, "conv2d", data=fv.datasets.mnist())
    out                                   # shows the scatter
    res = await out.result()              # in a later cell
    res.coordinates, res.explained_variance_ratio, res.selection
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any

from . import datasets as ds
from ._checks import bundled_topology, check_layers
from ._options import DISPLAY, takes_options
from ._settings import check_int as _int
from ._spec import schema_bounds, schema_default
from .display import Visualization
from .objectives import _check_layer
from .optvis import _model, _spec
from .topk import _target

__all__ = ["Pca", "PcaResult", "pca"]

_COMPONENTS = schema_bounds("PcaSpec", "components")
_SEED = schema_bounds("PcaSpec", "seed")


@dataclass(frozen=True)
class PcaResult:
    """A PCA run as NumPy arrays.

    ``coordinates`` is N × components (each example on each component; signs
    as scikit-learn's ``svd_flip``: each component's largest entry positive),
    ``explained_variance`` and ``explained_variance_ratio`` are per component
    (as scikit-learn's ``PCA``), ``indices`` the dataset index of each row,
    ``labels`` each row's label (-1 without), ``selection`` the dataset
    indices selected with the lasso in the browser (the latest selection:
    ``await out.result()`` again after selecting). ``summary`` is the run's
    summary (solver, passes, backend, ...).
    """

    coordinates: Any
    explained_variance: Any
    explained_variance_ratio: Any
    indices: Any
    labels: Any
    selection: Any
    summary: dict[str, Any]


class Pca(Visualization):
    """A PCA scatter output; ``await out.result()`` gives a :class:`PcaResult`."""

    sends_result = True

    def _read_result(self, raw: dict[str, Any]) -> PcaResult:
        arrays = raw["arrays"]
        return PcaResult(
            coordinates=arrays["coordinates"],
            explained_variance=arrays["explained_variance"],
            explained_variance_ratio=arrays["explained_variance_ratio"],
            indices=arrays["indices"],
            labels=arrays["labels"],
            selection=arrays["selection"],
            summary=raw["summary"],
        )


def _dataset(data: Any) -> Any:
    if data is None:
        return ds.mnist()
    if isinstance(data, ds.Example):
        raise TypeError(
            "data must be a whole dataset, not one example (drop the [i]): "
            "PCA projects every example of it"
        )
    if isinstance(data, (ds.Dataset, ds.KernelDataset, ds.ServerDataset)):
        return data
    raise TypeError(
        "data must be a featureviz dataset: fv.datasets.mnist(), fv.datasets.from_numpy(x, y), "
        "fv.datasets.from_file('x.npy') or fv.datasets.from_folder('images/'), "
        f"not {type(data).__name__}"
    )


def _relabelled(data: Any, labels: Any) -> Any:
    """``data`` with ``labels`` (one per example), held in the kernel like from_numpy's."""
    import numpy as np

    raw = np.asarray(labels)
    count = len(data)
    if raw.ndim != 1 or raw.shape[0] != count:
        raise ValueError(
            f"labels must be one integer per example of data: {count} examples but "
            f"labels of shape {raw.shape}"
        )
    if isinstance(data, ds.KernelDataset):
        images = data.images
    elif isinstance(data, ds.Dataset):
        images, _ = data.load()
        images = images[:count]
    else:
        raise TypeError(
            "labels= works with fv.datasets.mnist() and fv.datasets.from_numpy(); "
            "for files on the server, keep the labels in the file"
        )
    return ds.from_numpy(images, raw)


def _limited(spec: dict[str, Any], limit: Any) -> dict[str, Any]:
    if limit is None:
        return spec
    if isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 1:
        raise ValueError(f"limit must be None (every example) or a positive int, not {limit!r}")
    return {**spec, "limit": min(int(limit), int(spec.get("limit", limit)))}


def _check_components(layer: str, components: int, model: Any) -> None:
    """For a bundled model: the layer exists and has at least ``components`` values."""
    name = _model(model).builtin
    topology = bundled_topology(name) if name is not None else None
    if topology is None:
        return
    check_layers([layer], topology)
    shape = topology.shapes.get(layer)
    if shape:
        width = 1
        for d in shape:
            width *= d
        if components > width:
            raise ValueError(
                f'Layer "{layer}" has {width} value{"" if width == 1 else "s"} per example: '
                f"at most {width} components, not {components}."
            )


@takes_options(tuple(o for o in DISPLAY if o.name != "keep_frames"))
def pca(
    model: Any,
    layer: str,
    *,
    data: Any = None,
    labels: Any = None,
    components: int = schema_default("PcaSpec", "components"),
    limit: int | None = None,
    seed: int = schema_default("PcaSpec", "seed"),
    channel: Any = None,
    neuron: Any = None,
    logit: Any = None,
    reduce: str = schema_default("ChannelTarget", "reduce"),
    **options: Any,
) -> Pca:
    """A scatter plot of ``data`` at ``layer`` on its first principal components.

    ``data`` is a dataset (:mod:`featureviz.datasets`; the bundled MNIST test
    digits when None); ``labels`` (one integer per example) colour the points
    instead of the dataset's own; ``limit`` keeps the first N examples.
    ``components`` principal components are computed (the plot shows the
    first two; ``.result()`` returns them all); ``seed`` seeds the randomized
    solver used for wide layers (more than 2,048 values per example), so the
    same seed gives the same projection. Each example's activation at the
    layer is flattened and centred, as scikit-learn's ``PCA`` does.

    ``channel``, ``neuron`` or ``logit`` (of ``layer``; as in
    :func:`featureviz.top_examples`) colours each example by that unit's value
    on a sequential scale instead of by label: where the examples that excite
    the unit sit in the layer's representation.
    """
    name = _check_layer(layer)
    count = _int(components, "components", *_COMPONENTS)
    _check_components(name, count, model)
    dataset = _dataset(data)
    if labels is not None:
        dataset = _relabelled(dataset, labels)
    body = {
        "layer": name,
        "data": _limited(dataset.to_spec(), limit),
        "components": count,
        "seed": _int(seed, "seed", *_SEED),
    }
    colored = (channel, neuron, logit) != (None, None, None)
    if colored or reduce != schema_default("ChannelTarget", "reduce"):
        body["colorBy"] = _target(layer, channel, neuron, logit, reduce)
    # The builders' shared model, title and display handling, as a result view.
    return Pca(_spec("pca", model, body, {**options, "keep_frames": False}).spec)
