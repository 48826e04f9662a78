"""featureviz: what does this neuron, channel or layer respond to?

Feature visualization for JupyterLab, computed in the browser with
TensorFlow.js. This package builds the outputs; the ``jupyterlab-featureviz``
extension it ships renders them.
"""

from __future__ import annotations

from . import attribution, datasets, models, objectives
from ._comm import NoFrontendError, RunFailedError, register_target
from ._spec import MIME_TYPE, SPEC_VERSION, SUMMARY_MIME_TYPE, spec_schema
from .attribution import Attribution, filters, occlusion, saliency
from .display import Visualization
from .models import Model
from .optvis import gradient_ascent, layer_atlas, render_vis
from .pca import Pca, PcaResult, pca
from .topk import TopExamples, TopExamplesResult, top_examples

# The page opens the featureviz comm to fetch kernel arrays and to send results
# back (docs/architecture.md, "The kernel bridge"): the target must exist first.
register_target()

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only in a checkout that was never built
    import warnings

    warnings.warn(
        "featureviz was not installed properly: run `pip install -e .` in the checkout",
        stacklevel=2,
    )
    __version__ = "dev"

__all__ = [
    "MIME_TYPE",
    "SPEC_VERSION",
    "SUMMARY_MIME_TYPE",
    "Attribution",
    "Model",
    "NoFrontendError",
    "Pca",
    "PcaResult",
    "RunFailedError",
    "TopExamples",
    "TopExamplesResult",
    "Visualization",
    "__version__",
    "attribution",
    "datasets",
    "filters",
    "gradient_ascent",
    "layer_atlas",
    "models",
    "objectives",
    "occlusion",
    "pca",
    "render_vis",
    "saliency",
    "spec_schema",
    "top_examples",
]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the prebuilt extension inside this package."""
    return [{"src": "labextension", "dest": "jupyterlab-featureviz"}]
