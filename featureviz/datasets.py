"""Datasets to visualize with (docs/architecture.md, "Datasets and top examples").

- :func:`mnist`: the MNIST digits the extension ships;
- :func:`from_numpy`: NumPy arrays in the kernel, sent to the browser as binary
  buffers over the featureviz comm when an output needs them (never written
  into the notebook), and kept there by content hash;
- :func:`from_file`: an ``.npy`` file, or an array of an ``.npz`` file, on the
  Jupyter server, relative to the notebook's folder;
- :func:`from_folder`: a folder of PNG/JPEG images on the server, labelled by
  their subfolders.

Each names its data for the spec (``to_spec()`` gives the spec's ``DataRef``);
the browser reads it. Every dataset has ``len(ds)`` and ``ds[i]``, one
:class:`Example` (its image and label), which views that explain a single
input take. ``mnist().load()`` reads the digits in Python too.

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

from . import _comm
from ._assets import asset_candidates
from ._spec import schema_choices

__all__ = [
    "Dataset",
    "Example",
    "KernelDataset",
    "ServerDataset",
    "from_file",
    "from_folder",
    "from_numpy",
    "mnist",
    "mnist_folder",
]

_SPLITS = schema_choices("BuiltinDataRef", "split")
_MANIFEST = "mnist.json"


class _Indexable:
    """``len(ds)`` and ``ds[i]`` for every dataset; subclasses give ``_count`` and ``_item``."""

    def __len__(self) -> int:
        return self._count()

    def __getitem__(self, index: Any) -> Example:
        if isinstance(index, bool) or not isinstance(index, Integral):
            raise TypeError(f"an example is picked by an integer index, not {index!r}")
        count = len(self)
        i = int(index) + count if index < 0 else int(index)
        if not 0 <= i < count:
            raise IndexError(
                f"example {index} is out of range: {self!r} holds {count} examples "
                f"(0 to {count - 1})"
            )
        return Example(self, i)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def _count(self) -> int:
        raise NotImplementedError

    def _item(self, i: int) -> tuple[Any, Any]:
        raise NotImplementedError

    def to_spec(self) -> dict[str, Any]:
        raise NotImplementedError


class Example:
    """One example of a dataset: ``ds[i]``.

    Views that explain a single input (occlusion, saliency) take it as their
    input; its spec is the dataset's with ``index``. ``image`` and ``label``
    read it in Python.
    """

    def __init__(self, dataset: _Indexable, index: int):
        self._dataset = dataset
        self._index = index

    @property
    def dataset(self) -> _Indexable:
        return self._dataset

    @property
    def index(self) -> int:
        return self._index

    @property
    def image(self) -> Any:
        """The example's pixels as a NumPy array (H, W) or (H, W, C)."""
        return self._dataset._item(self._index)[0]

    @property
    def label(self) -> int | None:
        """Its label, or None for a dataset without labels."""
        return self._dataset._item(self._index)[1]

    def to_spec(self) -> dict[str, Any]:
        """The spec's DataRef for this one example."""
        spec = self._dataset.to_spec()
        spec.pop("limit", None)  # the index is within the split
        return {**spec, "index": self._index}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Example) and self.to_spec() == other.to_spec()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.to_spec().items())))

    def __repr__(self) -> str:
        return f"{self._dataset!r}[{self._index}]"


class Dataset(_Indexable):
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

    def _count(self) -> int:
        manifest = json.loads((mnist_folder() / _MANIFEST).read_text(encoding="utf-8"))
        start, stop = (
            (0, manifest["count"]) if self._split == "all" else manifest["splits"][self._split]
        )
        return min(stop - start, self._limit) if self._limit is not None else stop - start

    def _item(self, i: int) -> tuple[Any, Any]:
        images, labels = self.load()
        return images[i], int(labels[i])

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


# --- arrays from the kernel -------------------------------------------------------------------


class KernelDataset(_Indexable):
    """NumPy arrays held in the kernel and sent to the browser when an output needs them.

    Make one with :func:`from_numpy`. The spec names the arrays by the SHA-256
    of their bytes; the browser fetches them once per page over the featureviz
    comm as binary buffers, so re-running the cell sends nothing again and the
    notebook never holds them.
    """

    def __init__(self, images: Any, labels: Any, key: str):
        self._images = images
        self._labels = labels
        self._key = key
        held = {"images": images} if labels is None else {"images": images, "labels": labels}
        _comm.hold_arrays(key, held)

    @property
    def key(self) -> str:
        """The content hash the arrays are held and cached under."""
        return self._key

    @property
    def images(self) -> Any:
        return self._images

    @property
    def labels(self) -> Any:
        return self._labels

    def to_spec(self) -> dict[str, Any]:
        return {
            "kernel": self._key,
            "shape": list(self._images.shape),
            "dtype": str(self._images.dtype),
            "labels": self._labels is not None,
        }

    def _count(self) -> int:
        return int(self._images.shape[0])

    def _item(self, i: int) -> tuple[Any, Any]:
        label = None if self._labels is None else int(self._labels[i])
        return self._images[i], label

    def __repr__(self) -> str:
        shape = "×".join(map(str, self._images.shape))
        labelled = ", labels" if self._labels is not None else ""
        return f"featureviz.datasets.from_numpy({shape} {self._images.dtype}{labelled})"


def from_numpy(images: Any, labels: Any = None) -> KernelDataset:
    """Images from the kernel: N×H×W (grey) or N×H×W×C (channels last) arrays.

    ``images`` are uint8 pixels (0-255, scaled to the model's input range) or
    floats (given to the model as they are: preprocess them as the model
    expects); ``labels`` are N integers. The arrays stay in the kernel; the
    browser fetches them as binary buffers when an output needs them, and keeps
    them for the page's life, so re-running a cell does not send them again.
    """
    import hashlib

    import numpy as np

    array = np.asarray(images)
    if array.dtype == np.uint8:
        pixels = np.ascontiguousarray(array)
    elif np.issubdtype(array.dtype, np.floating):
        pixels = np.ascontiguousarray(array, dtype=np.float32)
    else:
        raise TypeError(
            f"images must be uint8 pixels (0-255) or floats, not {array.dtype}: "
            "convert them with images.astype(np.uint8) or images.astype(np.float32)"
        )
    if pixels.ndim not in (3, 4):
        raise ValueError(
            "images must be N×H×W (grey) or N×H×W×C (channels last), "
            f"not an array of shape {pixels.shape}"
        )
    if pixels.shape[0] == 0:
        raise ValueError("images is empty: give at least one image")
    if min(pixels.shape[1:]) == 0:
        raise ValueError(f"images of shape {pixels.shape} hold no pixels")
    if pixels.dtype == np.float32:
        finite = np.isfinite(pixels.reshape(pixels.shape[0], -1)).all(axis=1)
        if not finite.all():
            first = int(np.argmin(finite))
            raise ValueError(
                f"images has NaN or infinite values (the first in image {first}): "
                "clean or drop them first"
            )
    ints = None
    if labels is not None:
        raw = np.asarray(labels)
        if raw.ndim != 1 or raw.shape[0] != pixels.shape[0]:
            raise ValueError(
                f"labels must be one integer per image: {pixels.shape[0]} images "
                f"but labels of shape {raw.shape}"
            )
        if not (np.issubdtype(raw.dtype, np.integer) or raw.dtype == np.bool_):
            raise TypeError(f"labels must be integers, not {raw.dtype}")
        if raw.size and (raw.min() < -(2**31) or raw.max() >= 2**31):
            raise ValueError("labels must fit in 32 bits")
        ints = np.ascontiguousarray(raw, dtype=np.int32)
    digest = hashlib.sha256()
    for name, array_ in (("images", pixels), ("labels", ints)):
        if array_ is not None:
            digest.update(f"{name}:{array_.dtype}:{array_.shape};".encode())
            digest.update(memoryview(array_).cast("B"))
    return KernelDataset(pixels, ints, digest.hexdigest())


# --- files on the Jupyter server --------------------------------------------------------------

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class ServerDataset(_Indexable):
    """Images in a file or folder on the Jupyter server; see :func:`from_file`, :func:`from_folder`.

    The browser reads them through the server's files, relative to the
    notebook's folder. ``len(ds)`` and ``ds[i]`` read the same path in the
    kernel, which Jupyter starts in the notebook's folder.
    """

    def __init__(
        self, path: str, key: str | None, labels: str | None, limit: int | None, folder: bool
    ):
        self._path = path
        self._key = key
        self._labels = labels
        self._limit = limit
        self._folder = folder

    @property
    def path(self) -> str:
        return self._path

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"path": self._path}
        if self._key is not None:
            spec["key"] = self._key
        if self._labels is not None:
            spec["labels"] = self._labels
        if self._limit is not None:
            spec["limit"] = self._limit
        return spec

    def _arrays(self) -> tuple[Any, Any]:
        import numpy as np

        path = Path(self._path)
        if not path.exists():
            raise FileNotFoundError(
                f"{self._path} is not in the kernel's folder ({Path.cwd()}); the browser reads it "
                "relative to the notebook"
            )
        if self._folder:
            files = _folder_images(path)
            return [f for f, _ in files], [label for _, label in files]
        if path.suffix == ".npz":
            archive = np.load(path)
            default = "images" if len(archive.files) > 1 else archive.files[0]
            images = archive[self._key or default]
            labels = archive[self._labels] if self._labels is not None else None
        else:
            images = np.load(path, mmap_mode="r")
            labels = np.load(self._labels) if self._labels is not None else None
        return images, labels

    def _count(self) -> int:
        images, _ = self._arrays()
        count = len(images)
        return min(count, self._limit) if self._limit is not None else count

    def _item(self, i: int) -> tuple[Any, Any]:
        images, labels = self._arrays()
        if self._folder:
            try:
                from PIL import Image  # only to look at a folder's example in Python
            except ImportError as error:
                raise ImportError(
                    "reading a folder's image in Python needs Pillow: pip install pillow "
                    "(the browser reads the folder without it)"
                ) from error

            names = sorted({label for label in labels if label is not None})
            label = labels[i]
            import numpy as np

            return (
                np.asarray(Image.open(images[i])),
                names.index(label) if label is not None else None,
            )
        return images[i], None if labels is None else int(labels[i])

    def __repr__(self) -> str:
        kind = "from_folder" if self._folder else "from_file"
        return f"featureviz.datasets.{kind}({self._path!r})"


def _folder_images(path: Path) -> list[tuple[Path, str | None]]:
    """A folder's images as the browser lists them: top level unlabelled, subfolders labelled."""
    found: list[tuple[str, Path, str | None]] = []
    for entry in path.iterdir():
        if entry.is_dir():
            for child in entry.iterdir():
                if child.is_file() and child.suffix.lower() in _IMAGE_SUFFIXES:
                    found.append((f"{entry.name}/{child.name}", child, entry.name))
        elif entry.suffix.lower() in _IMAGE_SUFFIXES:
            found.append((entry.name, entry, None))
    return [(file, label) for _, file, label in sorted(found)]


def _check_path(path: Any, argument: str) -> str:
    if isinstance(path, Path):
        path = path.as_posix()
    if not isinstance(path, str) or not path:
        raise TypeError(
            f"{argument} must be a path relative to the notebook's folder, not {path!r}"
        )
    if "://" in path or path.startswith("//"):
        raise ValueError(
            f"{argument} must be a path on the Jupyter server, relative to the notebook, not a URL"
        )
    return path


def _check_limit(limit: Any) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 1:
        raise ValueError(f"limit must be None (every example) or a positive int, not {limit!r}")
    return int(limit)


def from_file(
    path: str | Path, key: str | None = None, labels: str | None = None, limit: int | None = None
) -> ServerDataset:
    """Images in an ``.npy`` file, or the array ``key`` of an ``.npz`` file, on the server.

    ``path`` is relative to the notebook's folder. ``labels`` is the key of the
    labels in the same ``.npz``, or the path of an ``.npy`` of labels beside an
    ``.npy`` of images. Files over the "Largest dataset" setting are refused
    before download.
    """
    path = _check_path(path, "path")
    if not path.endswith((".npy", ".npz")):
        raise ValueError(
            f"path must name an .npy or .npz file, not {path!r} (for folders: from_folder)"
        )
    if key is not None and (not isinstance(key, str) or not path.endswith(".npz")):
        raise ValueError("key names an array of an .npz file: give it only with an .npz path")
    if labels is not None:
        if not isinstance(labels, str) or not labels:
            raise TypeError(f"labels must be a key (.npz) or a path (.npy), not {labels!r}")
        if path.endswith(".npy"):
            labels = _check_path(labels, "labels")
    return ServerDataset(path, key, labels, _check_limit(limit), folder=False)


def from_folder(path: str | Path, limit: int | None = None) -> ServerDataset:
    """A folder of PNG/JPEG images on the server, labelled by their subfolders' names.

    ``path`` is relative to the notebook's folder. Images are turned grey or
    kept in colour as the model takes them and resized to its input; a file
    that cannot be decoded is skipped, and the view says how many were.
    """
    path = _check_path(path, "path").rstrip("/") + "/"
    return ServerDataset(path, None, None, _check_limit(limit), folder=True)
