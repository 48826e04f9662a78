"""fv.models and fv.datasets: specs that validate, clear errors, digits that load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path, PurePosixPath

import jsonschema
import pytest

import featureviz as fv
from featureviz import datasets


def validate(instance, definition):
    schema = fv.spec_schema()
    jsonschema.validate(
        instance, {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    )


def test_package_exports():
    assert fv.Model is fv.models.Model
    assert callable(fv.models.mnist_cnn) and callable(fv.datasets.mnist)
    assert {"Model", "models", "datasets", "Visualization", "spec_schema"} <= set(fv.__all__)


def test_importing_featureviz_needs_only_the_standard_library():
    code = (
        "import sys, featureviz as fv; fv.datasets.mnist(); fv.models.mnist_cnn();"
        "import featureviz.convert;"
        "print(sorted(m for m in ('numpy', 'torch', 'jsonschema') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- models -----------------------------------------------------------------------------------


def test_mnist_cnn_spec():
    model = fv.models.mnist_cnn()
    assert model.to_spec() == {"builtin": "mnist-cnn"}
    assert model.builtin == "mnist-cnn" and model.url is None
    validate(model.to_spec(), "ModelRef")
    assert "mnist-cnn" in repr(model)
    assert model == fv.models.mnist_cnn()


@pytest.mark.parametrize(
    ("args", "spec"),
    [
        (("models/my_net/model.json",), {"url": "models/my_net/model.json"}),
        (("/files/net/model.json", "layers"), {"url": "/files/net/model.json", "format": "layers"}),
        (("web/model.json", "graph"), {"url": "web/model.json", "format": "graph"}),
        ((PurePosixPath("a") / "model.json",), {"url": "a/model.json"}),
        ((Path("b", "model.json"), None), {"url": "b/model.json"}),
    ],
)
def test_model_spec(args, spec):
    model = fv.Model(*args)
    assert model.to_spec() == spec
    validate(model.to_spec(), "ModelRef")
    assert eval(repr(model), {"featureviz": fv}) == model  # our own repr


def test_model_format_by_keyword():
    assert fv.Model("m.json", format="graph").format == "graph"


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((3,), TypeError, r"path_or_url must be a str or pathlib.Path .*model.json.*not int"),
        ((None,), TypeError, r"path_or_url must be .*not NoneType"),
        (("",), ValueError, r"path_or_url must name a model.json"),
        (("   ",), ValueError, r"path_or_url must name a model.json"),
        (("x" * 2049,), ValueError, r"of 1 to 2048 characters"),
        (("m.json", "keras"), ValueError, r"format must be None .*'layers' or 'graph', not 'ker"),
        (("m.json", 1), TypeError, r"format must be None .*'layers' or 'graph', not int"),
    ],
)
def test_model_rejects_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        fv.Model(*args)


# --- datasets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "spec"),
    [
        ({}, {"builtin": "mnist", "split": "test"}),
        ({"split": "train"}, {"builtin": "mnist", "split": "train"}),
        ({"split": "all", "limit": 5000}, {"builtin": "mnist", "split": "all", "limit": 5000}),
        ({"limit": 1}, {"builtin": "mnist", "split": "test", "limit": 1}),
    ],
)
def test_mnist_spec(kwargs, spec):
    data = fv.datasets.mnist(**kwargs)
    assert data.to_spec() == spec
    validate(data.to_spec(), "DataRef")
    assert data == fv.datasets.mnist(**kwargs)


def test_mnist_limit_accepts_numpy_integers():
    np = pytest.importorskip("numpy")
    spec = fv.datasets.mnist(limit=np.int64(7)).to_spec()
    assert spec["limit"] == 7 and type(spec["limit"]) is int
    json.dumps(spec)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"split": "validation"}, ValueError, r"split must be 'test', 'train' or 'all', not 'vali"),
        ({"split": None}, ValueError, r"split must be 'test', 'train' or 'all', not None"),
        ({"limit": 0}, ValueError, r"limit must be None \(every digit\) or a positive int, not 0"),
        ({"limit": -3}, ValueError, r"limit must be .* positive int, not -3"),
        ({"limit": 2.5}, TypeError, r"limit must be .* positive int, not float"),
        ({"limit": "10"}, TypeError, r"limit must be .* positive int, not str"),
        ({"limit": True}, TypeError, r"limit must be .* positive int, not bool"),
    ],
)
def test_mnist_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        fv.datasets.mnist(**kwargs)


@pytest.fixture(scope="module")
def np():
    return pytest.importorskip("numpy")


@pytest.mark.parametrize(
    ("split", "limit", "count"),
    [("test", None, 2000), ("train", None, 8000), ("all", None, 10000), ("test", 5, 5)],
)
def test_mnist_loads_the_split(np, split, limit, count):
    images, labels = fv.datasets.mnist(split, limit).load()
    assert images.shape == (count, 28, 28) and labels.shape == (count,)
    assert images.dtype == np.uint8 and labels.dtype == np.uint8
    assert labels.max() <= 9 and images.max() == 255


def test_splits_are_ranges_of_all(np):
    all_images, all_labels = fv.datasets.mnist("all").load()
    test_images, test_labels = fv.datasets.mnist("test").load()
    train_images, _ = fv.datasets.mnist("train", limit=100).load()
    assert np.array_equal(test_images, all_images[8000:])
    assert np.array_equal(test_labels, all_labels[8000:])
    assert np.array_equal(train_images, all_images[:100])


def test_limit_beyond_the_split_gives_the_whole_split():
    images, _ = fv.datasets.mnist("test", limit=5000).load()
    assert len(images) == 2000


def test_load_from_a_given_folder(root, tmp_path, np):
    source = root / "assets" / "datasets" / "mnist"
    for path in source.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    a = fv.datasets.mnist(limit=3).load(tmp_path)
    b = fv.datasets.mnist(limit=3).load()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_search_order(monkeypatch, tmp_path, root):
    jupyter_core_paths = pytest.importorskip("jupyter_core.paths")
    monkeypatch.setattr(jupyter_core_paths, "jupyter_path", lambda *p: [str(tmp_path / "a")])
    places = datasets._candidates()
    package = Path(datasets.__file__).resolve().parent
    assets = Path("static", "assets", "datasets", "mnist")
    assert places == [
        package / "labextension" / assets,
        tmp_path / "a" / "jupyterlab-featureviz" / assets,
        root / "assets" / "datasets" / "mnist",
    ]


def test_labextensions_folder_is_used_before_the_checkout(monkeypatch, tmp_path, root):
    jupyter_core_paths = pytest.importorskip("jupyter_core.paths")
    shared = tmp_path / "share" / "labextensions"
    target = shared / "jupyterlab-featureviz" / "static" / "assets" / "datasets" / "mnist"
    target.mkdir(parents=True)
    for path in (root / "assets" / "datasets" / "mnist").iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(jupyter_core_paths, "jupyter_path", lambda *p: [str(shared)])
    inside = Path(datasets.__file__).resolve().parent / "labextension" / "static" / "assets"
    # A build that copies the assets into the package wins over both.
    packaged = inside / "datasets" / "mnist"
    expected = packaged if (packaged / "mnist.json").is_file() else target
    assert datasets.mnist_folder() == expected


def test_without_jupyter_core_the_checkout_is_still_found(monkeypatch, root):
    monkeypatch.setitem(sys.modules, "jupyter_core.paths", None)  # import fails
    places = datasets._candidates()
    assert len(places) == 2 and places[-1] == root / "assets" / "datasets" / "mnist"


def test_missing_files_raise_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "_candidates", lambda: [tmp_path / "x", tmp_path / "y"])
    with pytest.raises(FileNotFoundError, match=r"(?s)mnist.json.*x.*y.*pack_mnist.py"):
        fv.datasets.mnist().load()


def test_read_idx_rejects_other_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"\0\0\x0d\x01\0\0\0\x01abcd")  # float IDX
    with pytest.raises(ValueError, match="not an IDX file of unsigned bytes"):
        datasets.read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(b"\0\0\x08\x01\0\0\0\x05abc")
    with pytest.raises(ValueError, match=r"3 bytes of data for shape \(5,\)"):
        datasets.read_idx(tmp_path / "short")
