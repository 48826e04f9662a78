"""Models to visualize: a TensorFlow.js model.json, or one the extension ships.

The browser engine loads and runs the model; Python only names it in the spec
(docs/architecture.md, "One schema"). So a :class:`Model` is a reference: ``to_spec()`` gives the
spec's ``ModelRef``.
"""

from __future__ import annotations

import os
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

    @classmethod
    def _bundled(cls, name: str) -> Model:
        model = cls.__new__(cls)
        model._url, model._format, model._builtin = None, None, name
        return model

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
        spec: dict[str, Any] = {"url": self._url}
        if self._format is not None:
            spec["format"] = self._format
        return spec

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and self.to_spec() == other.to_spec()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.to_spec().items())))

    def __repr__(self) -> str:
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
