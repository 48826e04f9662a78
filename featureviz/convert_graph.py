"""A Keras functional graph as TensorFlow.js Layers reads it: the model.json and weight bytes.

The PyTorch and Keras converters (``convert_torch.py``, ``convert_keras.py``) both add
layers to one :class:`GraphBuilder`: each layer has a Keras class name, its config, the
layers it reads and its weights. ``serialize()`` gives what ``tf.loadLayersModel`` reads: a
``Model`` topology in the form tfjs-layers 4.22 writes (``inbound_nodes`` as
``[[[layer, 0, 0, {}], ...]]``) and one binary buffer holding every weight as little-endian
float32, in manifest order. The same pair goes to the page over the comm
(docs/architecture.md, "The kernel bridge") or into a folder (``write()``).

Layer names are the user's (``layer4.1.conv2``). tfjs-layers accepts letters, digits, ``_``,
``.``, ``-`` and ``/`` after a letter or digit; ``/`` would make ``<layer>/kernel``
ambiguous, so a name outside that set is made safe (``_`` for each other character, ``x``
before a leading ``_``) and a name used twice gets ``_1``, ``_2``: the rule fx uses for
repeated calls.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .convert import MODEL_FILE, SHARD_FILE, TFJS_LAYERS_VERSION, ConversionError

__all__ = ["GraphBuilder", "safe_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_name(name: str) -> str:
    """A tfjs-layers name for ``name``: itself when tfjs accepts it."""
    safe = _UNSAFE.sub("_", name) or "layer"
    return safe if safe[0].isalnum() else f"x{safe}"


class GraphBuilder:
    """Collects the layers of a functional model, in execution order."""

    def __init__(self, model_name: str = "model") -> None:
        self.model_name = safe_name(model_name)
        self.layers: list[dict[str, Any]] = []
        self.weights: list[tuple[str, Any]] = []
        self._names: set[str] = set()
        self._input: str | None = None

    def unique(self, name: str) -> str:
        """``name`` made safe and not yet taken (``name_1``, ``name_2`` ... after it)."""
        base = safe_name(name)
        candidate, n = base, 0
        while candidate in self._names:
            n += 1
            candidate = f"{base}_{n}"
        self._names.add(candidate)
        return candidate

    def input(self, name: str, shape: list[int]) -> str:
        """The model's input layer; ``shape`` is one example's, channels last."""
        if self._input is not None:
            raise ConversionError("the model has more than one input; featureviz takes one image")
        layer = self.unique(name)
        config = {
            "batch_input_shape": [None, *shape],
            "dtype": "float32",
            "sparse": False,
            "name": layer,
        }
        self.layers.append(
            {"class_name": "InputLayer", "config": config, "name": layer, "inbound_nodes": []}
        )
        self._input = layer
        return layer

    def add(
        self,
        class_name: str,
        name: str,
        config: dict[str, Any],
        inbound: list[str],
        weights: list[tuple[str, Any]] = (),  # type: ignore[assignment]
    ) -> str:
        """Adds a layer reading ``inbound`` (layer names); returns its (unique) name."""
        layer = self.unique(name)
        full = {**config, "name": layer, "trainable": True}
        self.layers.append(
            {
                "class_name": class_name,
                "config": full,
                "name": layer,
                "inbound_nodes": [[[source, 0, 0, {}] for source in inbound]],
            }
        )
        self.weights.extend((f"{layer}/{suffix}", array) for suffix, array in weights)
        return layer

    def serialize(
        self,
        output: str,
        *,
        generated_by: str,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        """The model.json (as a dict, its shard named ``SHARD_FILE``) and the weight bytes."""
        import numpy as np

        from . import __version__

        if self._input is None:
            raise ConversionError("the model has no input")
        manifest, chunks = [], []
        for name, array in self.weights:
            array = np.ascontiguousarray(array, dtype="<f4")
            if not np.isfinite(array).all():
                raise ConversionError(f"{name} holds NaN or infinite values")
            manifest.append({"name": name, "shape": list(array.shape), "dtype": "float32"})
            chunks.append(array.tobytes())
        model_json: dict[str, Any] = {
            "format": "layers-model",
            "generatedBy": generated_by,
            "convertedBy": f"featureviz {__version__}",
            "modelTopology": {
                "class_name": "Model",
                "config": {
                    "name": self.model_name,
                    "layers": self.layers,
                    "input_layers": [[self._input, 0, 0]],
                    "output_layers": [[output, 0, 0]],
                },
                "keras_version": f"tfjs-layers {TFJS_LAYERS_VERSION}",
                "backend": "tensor_flow.js",
            },
            "weightsManifest": [{"paths": [SHARD_FILE], "weights": manifest}],
        }
        if metadata:
            model_json["userDefinedMetadata"] = {"featureviz": metadata}
        return model_json, b"".join(chunks)


def model_json_bytes(model_json: dict[str, Any]) -> bytes:
    """The model.json as it is sent and saved: compact UTF-8 JSON."""
    return json.dumps(model_json, separators=(",", ":")).encode("utf-8")


def content_key(model_json: dict[str, Any], weights: bytes) -> str:
    """The SHA-256 of the model.json and weight bytes: the page caches the model by it."""
    digest = hashlib.sha256()
    digest.update(model_json_bytes(model_json))
    digest.update(b"\0")
    digest.update(weights)
    return digest.hexdigest()


def write(folder: str | Path, model_json: dict[str, Any], weights: bytes) -> Path:
    """Writes ``model.json`` and its shard into ``folder``; returns the model.json's path."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / SHARD_FILE).write_bytes(weights)
    path = out / MODEL_FILE
    path.write_text(json.dumps(model_json, indent=1) + "\n", encoding="utf-8")
    return path
