"""Display objects: what a notebook cell returns to show a featureviz output."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

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

    def __init__(self, spec: Mapping[str, Any]):
        if not isinstance(spec, Mapping):
            raise TypeError(f"spec must be a dict describing the output, not {type(spec).__name__}")
        built = copy.deepcopy(dict(spec))
        built.setdefault("version", SPEC_VERSION)
        self._spec = built

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

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {
            MIME_TYPE: self.spec,
            "text/plain": (
                f"<{self._describe()}: shown by the jupyterlab-featureviz extension "
                "in JupyterLab or Jupyter Notebook 7>"
            ),
        }

    def __repr__(self) -> str:
        return f"<{self._describe()}>"
