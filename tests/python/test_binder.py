"""Replays mybinder's build (binder/requirements.txt, then binder/postBuild)."""

from __future__ import annotations

import shutil

import pytest
from conftest import FreshVenv, clean_checkout

pytestmark = pytest.mark.slow


def test_binder_build_enables_the_extension(tmp_path, root):
    repo = clean_checkout(tmp_path / "repo")
    # repo2docker's image brings Python; Node comes from binder/requirements.txt.
    env = FreshVenv(tmp_path / "venv", with_node=False)
    env.run(
        env.python,
        "-m",
        "pip",
        "install",
        "-q",
        "-r",
        repo / "binder" / "requirements.txt",
        timeout=1200,
    )
    assert shutil.which("node", path=env.env["PATH"]) is not None
    env.run("/bin/bash", repo / "binder" / "postBuild", cwd=repo, timeout=1500)
    listing = env.run(env.bin / "jupyter", "labextension", "list")
    text = listing.stdout + listing.stderr
    line = next((x for x in text.splitlines() if "jupyterlab-featureviz" in x), text)
    assert "enabled" in line and "OK" in line, line
    assert (repo / "examples" / "walkthrough.ipynb").is_file()
