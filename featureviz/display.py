"""Display objects: what a notebook cell returns to show a featureviz output.

A displayed output carries an id in its metadata (never in the spec, so a
saved result's spec hash does not change); the browser sends the finished
run's result back for that id over the featureviz comm (``_comm.py``), and
``await out.result()`` returns it.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import Mapping
from typing import Any

from . import _comm
from ._spec import MIME_TYPE, SPEC_VERSION

_VIEW_NAMES = {
    "gradient-ascent": "gradient ascent",
    "layer-atlas": "layer atlas",
    "top-examples": "top-activating examples",
    "pca": "PCA",
    "occlusion": "occlusion",
    "saliency": "saliency",
    "filters": "filters",
}


class Visualization:
    """A featureviz output, displayed by JupyterLab's featureviz renderer.

    ``spec`` is a spec dict (see ``featureviz.spec_schema()``); ``version`` is
    filled in when missing. The front end validates the spec and names any bad
    field inline. Higher-level functions such as ``fv.gradient_ascent`` build
    these for you.
    """

    #: Whether the browser sends this view's result back (see :meth:`result`).
    sends_result = False

    def __init__(self, spec: Mapping[str, Any]):
        if not isinstance(spec, Mapping):
            raise TypeError(f"spec must be a dict describing the output, not {type(spec).__name__}")
        built = copy.deepcopy(dict(spec))
        built.setdefault("version", SPEC_VERSION)
        self._spec = built
        self._result_id = uuid.uuid4().hex
        if self.sends_result:
            _comm.register_target()

    @property
    def result_id(self) -> str:
        """The id under which the browser sends this output's result back."""
        return self._result_id

    async def result(self, timeout: float | None = None, attach_timeout: float = 10.0) -> Any:
        """The finished run's result, as NumPy arrays, sent back by the browser.

        Use it with ``await`` in a notebook cell: ``res = await out.result()``.
        It waits for the browser to finish the run without blocking the
        kernel: the result arrives as a comm message that the kernel's message
        loop handles while the cell awaits. Never wait for it with a blocking
        loop (``time.sleep``, ``asyncio.run``, a thread join) in the cell that
        displays the output: the kernel would never handle the message, and
        the cell would hang.

        ``timeout`` (seconds) bounds the wait for the run; ``attach_timeout``
        how long to wait for a browser to attach after the output is shown.
        Raises ``NoFrontendError`` when no browser with the
        jupyterlab-featureviz extension is attached to this kernel,
        ``RunFailedError`` when the run failed or was cancelled, and
        ``TimeoutError`` when ``timeout`` passes. After a re-run in the
        browser it returns the newest result.
        """
        if not self.sends_result:
            raise NotImplementedError(
                f"the {self._describe()} sends no result back to the kernel in this version"
            )
        slot = _comm.slot(self._result_id)
        if slot.outcome is None and not _comm.in_kernel():
            raise _comm.NoFrontendError(
                "no browser can attach here: this Python is not a Jupyter kernel. Run it in a "
                "notebook in JupyterLab or Jupyter Notebook 7 with jupyterlab-featureviz installed"
            )
        if slot.outcome is None and not _comm.attached():
            # The page opens the comm when it shows the output: give it a moment.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + attach_timeout
            while not _comm.attached() and loop.time() < deadline:
                await asyncio.sleep(0.05)
            if not _comm.attached():
                raise _comm.NoFrontendError(
                    "no browser with the jupyterlab-featureviz extension is attached to this "
                    "kernel: display the output in JupyterLab or Jupyter Notebook 7 with the "
                    "extension installed (the browser computes the result and sends it back)"
                )
        raw = await asyncio.wait_for(slot.wait(), timeout)
        return self._read_result(raw)

    def _read_result(self, raw: dict[str, Any]) -> Any:
        """The result as this view's users get it (views override it)."""
        return raw

    @property
    def spec(self) -> dict[str, Any]:
        """A copy of the spec this output displays."""
        return copy.deepcopy(self._spec)

    def _describe(self) -> str:
        view = _VIEW_NAMES.get(str(self._spec.get("view")), str(self._spec.get("view")))
        model = self._spec.get("model")
        name = ""
        if isinstance(model, Mapping):
            name = str(model.get("builtin") or model.get("url") or "")
        return f"featureviz {view}" + (f" of {name}" if name else "")

    def _repr_mimebundle_(self, include=None, exclude=None) -> Any:
        """The MIME bundle; for views that send a result, with the output's id as metadata."""
        data = {
            MIME_TYPE: self.spec,
            "text/plain": (
                f"<{self._describe()}: shown by the jupyterlab-featureviz extension "
                "in JupyterLab or Jupyter Notebook 7>"
            ),
        }
        if not self.sends_result:
            return data
        return data, {MIME_TYPE: {"resultId": self._result_id}}

    def __repr__(self) -> str:
        return f"<{self._describe()}>"
