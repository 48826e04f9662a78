"""Datasets to visualize with: the MNIST digits the extension ships.

A :class:`Dataset` names data for the spec (``to_spec()`` gives the spec's
``DataRef``); the browser loads the same shipped files. ``load()`` reads them in
Python too, so a notebook can look at the digits that a view ranks.

The digits are written by ``training/pack_mnist.py``: 10,000 MNIST digits,
shuffled once with a fixed seed, as gzipped IDX files plus a manifest
(``mnist.json``) that gives the splits as index ranges. Because the order is
already random, ``limit=N`` takes the first N digits of the split.
"""

from __future__ import annotations

import gzip
import json
import struct
from numbers import Integral
from pathlib import Path
from typing import Any

from ._assets import asset_candidates
from ._spec import schema_choices

__all__ = ["Dataset", "mnist", "mnist_folder"]

_SPLITS = schema_choices("BuiltinDataRef", "split")
_MANIFEST = "mnist.json"


class Dataset:
    """A dataset that ships with the extension; make one with :func:`mnist`."""

    def __init__(self, builtin: str, split: str, limit: int | None):
        self._builtin = builtin
        self._split = split
        self._limit = limit

    @property
    def builtin(self) -> str:
        return self._builtin

    @property
    def split(self) -> str:
        return self._split

    @property
    def limit(self) -> int | None:
        return self._limit

    def to_spec(self) -> dict[str, Any]:
        """The spec's DataRef for this dataset."""
        spec: dict[str, Any] = {"builtin": self._builtin, "split": self._split}
        if self._limit is not None:
            spec["limit"] = self._limit
        return spec

    def load(self, folder: str | Path | None = None) -> tuple[Any, Any]:
        """The digits as NumPy arrays: images uint8 (N, 28, 28) and labels uint8 (N,).

        ``folder`` reads the files from there instead of the installed extension.
        """
        return _read_mnist(Path(folder) if folder is not None else mnist_folder(), self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dataset) and self.to_spec() == other.to_spec()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.to_spec().items())))

    def __repr__(self) -> str:
        limit = f", limit={self._limit}" if self._limit is not None else ""
        return f"featureviz.datasets.{self._builtin}(split={self._split!r}{limit})"


def mnist(split: str = "test", limit: int | None = None) -> Dataset:
    """The bundled MNIST digits: 28x28 grayscale, labels 0-9.

    ``split`` is ``"test"`` (the 2,000 digits the bundled model never saw in
    training), ``"train"`` (the 8,000 it was trained on) or ``"all"``; ``limit``
    keeps the first N digits of the split (a random sample: the order is shuffled).
    """
    if not isinstance(split, str) or split not in _SPLITS:
        raise ValueError(f"split must be 'test', 'train' or 'all', not {split!r}")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, Integral):
            raise TypeError(
                f"limit must be None (every digit) or a positive int, not {type(limit).__name__}"
            )
        if limit < 1:
            raise ValueError(f"limit must be None (every digit) or a positive int, not {limit}")
        limit = int(limit)  # NumPy integers too, as a plain int for JSON
    return Dataset("mnist", split, limit)


def _candidates() -> list[Path]:
    """Where the shipped digits may be, in the order they are searched."""
    return asset_candidates("datasets", "mnist")


def mnist_folder() -> Path:
    """The folder holding the shipped MNIST files (``mnist.json`` and the IDX files)."""
    candidates = _candidates()
    for folder in candidates:
        if (folder / _MANIFEST).is_file():
            return folder
    places = "\n  ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"the bundled MNIST digits ({_MANIFEST}) were not found in any of:\n  {places}\n"
        "Reinstall jupyterlab-featureviz; in a source checkout, run "
        "`python training/pack_mnist.py`."
    )


def read_idx(path: Path) -> Any:
    """An IDX file (gzipped or not) of unsigned bytes, as a NumPy uint8 array."""
    import numpy as np

    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[:3] != b"\0\0\x08":
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = data[4 + 4 * ndim :]
    if len(body) != int(np.prod(shape)):
        raise ValueError(f"{path}: {len(body)} bytes of data for shape {shape}")
    return np.frombuffer(body, np.uint8).reshape(shape).copy()


def _read_mnist(folder: Path, dataset: Dataset) -> tuple[Any, Any]:
    manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    images = read_idx(folder / manifest["images"])
    labels = read_idx(folder / manifest["labels"])
    if images.shape != (manifest["count"], 28, 28) or labels.shape != (manifest["count"],):
        raise ValueError(
            f"{folder}: images {images.shape} and labels {labels.shape} do not match "
            f"{_MANIFEST}'s count {manifest['count']}"
        )
    start, stop = (
        (0, manifest["count"]) if dataset.split == "all" else manifest["splits"][dataset.split]
    )
    if dataset.limit is not None:
        stop = min(stop, start + dataset.limit)
    return images[start:stop].copy(), labels[start:stop].copy()
