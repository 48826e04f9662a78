"""Shared fixtures for the Python tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(cmd, *, cwd=None, env=None, timeout=900) -> subprocess.CompletedProcess[str]:
    """Runs a command, failing the test with its output if it fails."""
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def clean_checkout(dest: Path) -> Path:
    """Copies the files git would check out (tracked and untracked-not-ignored) to dest."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            target = dest / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


class FreshVenv:
    """A new virtual environment, with a PATH that holds only it and the system's basics."""

    def __init__(self, path: Path, *, with_node: bool):
        venv.create(path, with_pip=True)
        self.path = path
        self.bin = path / "bin"
        dirs = [str(self.bin), "/usr/local/sbin", "/usr/sbin", "/sbin", "/bin", "/usr/bin"]
        if not with_node:
            node = shutil.which("node")
            # Keep the system directories, minus any that holds node.
            dirs = [d for d in dirs if not (Path(d) / "node").exists()]
            assert node is None or Path(node).parent.as_posix() not in dirs
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("VIRTUAL_ENV", "PYTHON", "NODE", "npm_", "JUPYTER"))
        }
        self.env["PATH"] = os.pathsep.join(dirs)
        self.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def run(self, *cmd, cwd=None, timeout=900) -> subprocess.CompletedProcess[str]:
        return run(list(cmd), cwd=cwd, env=self.env, timeout=timeout)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def python() -> str:
    return sys.executable
