"""Where the extension's static assets (bundled models and digits) are on this machine.

The wheel ships them inside the prebuilt labextension; Jupyter may also find the
extension in its labextensions folders; a source checkout has them in ``assets/``.
"""

from __future__ import annotations

from pathlib import Path

_EXTENSION = "jupyterlab-featureviz"


def asset_candidates(*parts: str) -> list[Path]:
    """The places ``assets/<parts...>`` may be, in the order they are searched."""
    here = Path(__file__).resolve().parent
    inside = Path("static", "assets", *parts)
    found = [here / "labextension" / inside]
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:  # a kernel without Jupyter installed: skip these places
        pass
    else:
        found += [Path(d) / _EXTENSION / inside for d in jupyter_path("labextensions")]
    found.append(here.parent / "assets" / Path(*parts))  # a source checkout
    return found
