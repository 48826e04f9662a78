"""Models to visualize: a TensorFlow.js model.json, one the extension ships, or the user's own.

The browser engine loads and runs the model; Python only names it in the spec
(docs/architecture.md, "One schema"). So a :class:`Model` is a reference: ``to_spec()`` gives the
spec's ``ModelRef``. ``Model.from_torch`` and ``Model.from_keras`` convert a model object in the
kernel (``convert_torch.py``, ``convert_keras.py``) and hold its model.json and weights for the
page, which fetches them over the comm by content hash (docs/architecture.md, "The kernel bridge");
nothing is written to disk unless ``save()`` is called.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._spec import schema_choices, schema_property

__all__ = ["BUILTIN_MODELS", "Model", "mnist_cnn"]

#: Models that ship with the extension, by the name the spec uses.
BUILTIN_MODELS = schema_choices("BuiltinModelRef", "builtin")
_FORMATS = schema_choices("UrlModelRef", "format")
_MAX_URL = schema_property("UrlModelRef", "url")["maxLength"]


class Model:
    """A TensorFlow.js model for featureviz to run in the browser.

    ``path_or_url`` is a ``model.json``: a path relative to the notebook's folder
    (``"models/my_net/model.json"``), a path on the Jupyter server starting with
    ``/``, or an ``http(s)`` URL from an origin the settings allow. ``format`` is
    ``"layers"`` (tf.LayersModel) or ``"graph"`` (tf.GraphModel); ``None`` reads
    it from the file. To convert a PyTorch model, see :mod:`featureviz.convert`.
    """

    def __init__(self, path_or_url: str | os.PathLike[str], format: str | None = None):
        if isinstance(path_or_url, os.PathLike):
            path = os.fspath(path_or_url)
            # The server resolves paths with '/' whatever the kernel's OS.
            path_or_url = path.replace(os.sep, "/") if isinstance(path, str) else path
        if not isinstance(path_or_url, str):
            raise TypeError(
                "path_or_url must be a str or pathlib.Path naming a model.json "
                f"(a path relative to the notebook, or a URL), not {type(path_or_url).__name__}"
            )
        if not path_or_url.strip() or len(path_or_url) > _MAX_URL:
            raise ValueError(
                "path_or_url must name a model.json (a path relative to the notebook, or a URL) "
                f"of 1 to {_MAX_URL} characters, not {path_or_url[:80]!r}"
            )
        if format is not None and not isinstance(format, str):
            raise TypeError(
                "format must be None (read from the model.json), 'layers' or 'graph', "
                f"not {type(format).__name__}"
            )
        if format is not None and format not in _FORMATS:
            raise ValueError(
                "format must be None (read from the model.json), 'layers' or 'graph', "
                f"not {format!r}"
            )
        self._url: str | None = path_or_url
        self._format = format
        self._builtin: str | None = None
        self._converted: _Converted | None = None

    @classmethod
    def _bundled(cls, name: str) -> Model:
        model = cls.__new__(cls)
        model._url, model._format, model._builtin = None, None, name
        model._converted = None
        return model

    @classmethod
    def from_torch(
        cls,
        module: Any,
        input_shape: Sequence[int],
        *,
        mean: Any = None,
        std: Any = None,
        input_range: tuple[float, float] = (0, 1),
    ) -> Model:
        """A PyTorch ``nn.Module``, converted here and run in the browser.

        ``input_shape`` is one image's shape as PyTorch sees it, ``(channels, height, width)``.
        The module is traced with torch.fx and each operation becomes a TensorFlow.js layer
        named by its module path (``layer4.1.conv2``); a function call inside a module is
        named after that module (``layer1.0.add``), and a module called twice gets ``_1`` on
        its second use (``layer1.0.relu_1``). ``layer_names`` lists them all.

        ``mean`` and ``std`` (one number or one per channel) are the normalization the model
        expects: they become its first layer (``normalize``), so pictures are optimized as
        images with values in ``input_range``. The model is converted as it computes in eval
        mode (batch norm by its running statistics); it is not modified.

        Operations without an exact TensorFlow.js form raise one ``ConversionError`` that
        lists each of them with its module path. Nothing is sent until an output needs the
        model; the page keeps it by content hash, so showing it again sends nothing.
        """
        import torch

        from .convert_torch import torch_to_graph

        range_ = _input_range(input_range)
        graph, output = torch_to_graph(module, input_shape, mean=mean, std=std)
        return cls._from_graph(
            graph, output, f"PyTorch {torch.__version__}", type(module).__name__, range_
        )

    @classmethod
    def from_keras(cls, model: Any, *, input_range: tuple[float, float] = (0, 1)) -> Model:
        """A Keras 3 model (Sequential or Functional, any backend), run in the browser.

        Layer names are the model's own (``model.summary()`` lists them). Images are
        channels last, as Keras gives them; ``input_range`` is the range of the pixels the
        model expects (put any normalization in the model, e.g. a ``Rescaling`` layer).
        Layers without an exact TensorFlow.js form raise one ``ConversionError`` listing them.
        """
        import keras

        from .convert_keras import keras_to_graph

        range_ = _input_range(input_range)
        graph, output = keras_to_graph(model)
        return cls._from_graph(
            graph, output, f"Keras {keras.__version__}", str(getattr(model, "name", "")), range_
        )

    @classmethod
    def _from_graph(
        cls, graph: Any, output: str, generated_by: str, name: str, input_range: list[float]
    ) -> Model:
        from .convert_graph import content_key

        model_json, weights = graph.serialize(
            output, generated_by=generated_by, metadata={"inputRange": input_range}
        )
        model = cls.__new__(cls)
        model._url, model._format, model._builtin = None, "layers", None
        model._converted = _Converted(model_json, weights, content_key(model_json, weights), name)
        model._converted.hold()
        return model

    @property
    def layer_names(self) -> list[str]:
        """A converted model's layer names, in execution order (the input first)."""
        if self._converted is None:
            raise AttributeError(
                "layer_names is known for converted models (from_torch, from_keras)"
            )
        topology = self._converted.model_json["modelTopology"]["config"]
        return [layer["name"] for layer in topology["layers"]]

    def checked_layers(self) -> Any:
        """A converted model's layer names, for checks at the call (``_checks.Topology``;
        shapes unknown, so only names are checked); None for other models."""
        if self._converted is None:
            return None
        from ._checks import Topology

        layers = self._converted.model_json["modelTopology"]["config"]["layers"]
        names = [layer["name"] for layer in layers[1:]]
        shape = tuple(layers[0]["config"]["batch_input_shape"][1:])
        return Topology(shape, names, {name: None for name in names}, names[-1] if names else "")

    @property
    def weight_bytes(self) -> int | None:
        """A converted model's weight size in bytes (None for a model.json)."""
        return None if self._converted is None else len(self._converted.weights)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Writes a converted model as ``model.json`` and its weights into ``folder``.

        Returns the model.json's path; ``fv.Model(path)`` loads it from the server, and any
        TensorFlow.js program loads it with ``tf.loadLayersModel``.
        """
        if self._converted is None:
            raise TypeError("only a converted model (from_torch, from_keras) can be saved")
        from .convert_graph import write

        return write(folder, self._converted.model_json, self._converted.weights)

    @property
    def builtin(self) -> str | None:
        """The bundled model's name, or None for a model.json."""
        return self._builtin

    @property
    def url(self) -> str | None:
        """The model.json path or URL, or None for a bundled model."""
        return self._url

    @property
    def format(self) -> str | None:
        """'layers', 'graph', or None when the front end reads it from the file."""
        return self._format

    def to_spec(self) -> dict[str, Any]:
        """The spec's ModelRef for this model."""
        if self._builtin is not None:
            return {"builtin": self._builtin}
        if self._converted is not None:
            # Held again in case the page asks after a reset of the kernel's holdings.
            self._converted.hold()
            return self._converted.ref()
        spec: dict[str, Any] = {"url": self._url}
        if self._format is not None:
            spec["format"] = self._format
        return spec

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and self.to_spec() == other.to_spec()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.to_spec().items())))

    def __repr__(self) -> str:
        if self._converted is not None:
            mb = len(self._converted.weights) / 1e6
            return f"<featureviz.Model {self._converted.name!r} converted, {mb:.1f} MB of weights>"
        if self._builtin is not None:
            return f"<featureviz.Model builtin={self._builtin!r}>"
        fmt = f", format={self._format!r}" if self._format is not None else ""
        return f"featureviz.Model({self._url!r}{fmt})"


def mnist_cnn() -> Model:
    """The bundled MNIST CNN (trained by ``training/train_mnist_cnn.py``).

    28x28x1 inputs in [0, 1]; layers ``conv2d`` (3x3, 32 channels, ReLU),
    ``conv2d_1`` (3x3, 64, ReLU), ``max_pooling2d``, ``dropout``, ``flatten``,
    ``dense`` (128, ReLU) and ``logits`` (10 digit classes, before softmax).
    """
    return Model._bundled("mnist-cnn")


class _Converted:
    """A converted model's model.json and weights, held in the kernel under their content key."""

    def __init__(self, model_json: dict[str, Any], weights: bytes, key: str, name: str):
        self.model_json, self.weights, self.key, self.name = model_json, weights, key, name

    def hold(self) -> None:
        import numpy as np

        from . import _comm
        from .convert_graph import model_json_bytes

        _comm.hold_arrays(
            self.key,
            {
                "model.json": np.frombuffer(model_json_bytes(self.model_json), np.uint8),
                "weights": np.frombuffer(self.weights, np.uint8),
            },
        )

    def ref(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"kernel": self.key, "weightBytes": len(self.weights)}
        if self.name:
            ref["name"] = self.name[:200]
        return ref


def _input_range(value: Any) -> list[float]:
    import math

    ok = (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, (int, float)) and math.isfinite(v) for v in value)
        and value[0] < value[1]
    )
    if not ok:
        raise ValueError(f"input_range must be (low, high) with low < high, not {value!r}")
    return [float(value[0]), float(value[1])]
