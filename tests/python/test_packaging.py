"""The wheel carries the prebuilt extension: it installs and works with no Node."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import FreshVenv, clean_checkout, run

pytestmark = pytest.mark.slow

WHEEL_LIMIT_MB = 10


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, python) -> Path:
    """Builds the wheel from a clean copy of the checkout, as a release would."""
    src = clean_checkout(tmp_path_factory.mktemp("checkout"))
    dist = tmp_path_factory.mktemp("dist")
    run([python, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, src], timeout=1200)
    (built,) = dist.glob("jupyterlab_featureviz-*.whl")
    return built


def test_wheel_contains_the_prebuilt_extension(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    share = (
        "jupyterlab_featureviz-0.1.0.data/data/share/jupyter/labextensions/jupyterlab-featureviz"
    )
    for required in (
        f"{share}/package.json",
        f"{share}/install.json",
        f"{share}/static/style.js",
        f"{share}/schemas/jupyterlab-featureviz/settings.json",
        "featureviz/__init__.py",
        "featureviz/schema/featureviz.v1.schema.json",
        # The bundled model, digits and WebAssembly binaries: no run-time download.
        f"{share}/static/assets/models/mnist-cnn/model.json",
        f"{share}/static/assets/models/mnist-cnn/group1-shard1of1.bin",
        f"{share}/static/assets/datasets/mnist/mnist.json",
        f"{share}/static/assets/datasets/mnist/mnist-images-idx3-ubyte.gz",
        f"{share}/static/assets/datasets/mnist/mnist-labels-idx1-ubyte.gz",
        f"{share}/static/assets/wasm/tfjs-backend-wasm-simd.wasm",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    assert any(n.startswith(f"{share}/static/remoteEntry.") for n in names)
    assert wheel.stat().st_size < WHEEL_LIMIT_MB * 1024 * 1024


def test_wheel_installs_and_runs_without_node(wheel, tmp_path):
    env = FreshVenv(tmp_path / "venv", with_node=False)
    assert shutil.which("node", path=env.env["PATH"]) is None
    env.run(
        env.python, "-m", "pip", "install", "-q", wheel, "jupyterlab>=4.2,<5", "numpy", timeout=1200
    )
    listing = env.run(env.bin / "jupyter", "labextension", "list")
    text = listing.stdout + listing.stderr
    line = next(
        (x for x in text.splitlines() if "jupyterlab-featureviz" in x),
        f"<jupyterlab-featureviz not listed>\n{text}",
    )
    assert "enabled" in line and "OK" in line, line
    assert "python, jupyterlab-featureviz" in line, line  # prebuilt, from the wheel
    imported = env.run(
        env.python, "-c", "import featureviz as fv; print(fv.__version__, fv.MIME_TYPE)"
    )
    assert imported.stdout.split() == ["0.1.0", "application/vnd.featureviz.v1+json"]
    # The schema ships in the wheel, not only in a checkout.
    env.run(env.python, "-c", "import featureviz as fv; assert fv.spec_schema()['$id']")
    # The digits ship in the wheel and load in Python without the checkout.
    loaded = env.run(
        env.python,
        "-c",
        "import featureviz as fv; x, y = fv.datasets.mnist('test').load(); print(x.shape, y.shape)",
    )
    assert loaded.stdout.strip() == "(2000, 28, 28) (2000,)"
