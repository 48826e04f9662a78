"""Keyword options that several builders share, declared once.

``render_vis``, ``gradient_ascent`` and ``layer_atlas`` all take the same
optimization options (``steps``, ``size``, ``lr`` ...) and display options
(``keep_frames``, ``scale``, ``title``). Each option is declared here once, with
its default read from the spec schema's ``default`` keyword where the schema
has one; :func:`takes_options` adds the options to a builder's signature (so
``help()`` and Jupyter's tooltips list them with their defaults), fills in the
defaults, and rejects unknown keywords with a "did you mean". The values are
checked and turned into spec fields by one function each in ``optvis``.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ._spec import schema_default

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Option:
    """A keyword option: its name, default and one line of documentation."""

    name: str
    default: Any
    doc: str


OPTIMIZATION = (
    Option("steps", schema_default("Optimization", "steps"), "How many optimization steps to run."),
    Option(
        "size",
        None,
        "The image's size: an integer or (height, width); the model's input size when None.",
    ),
    Option(
        "param",
        schema_default("Optimization", "param"),
        "The image's parameterization: 'fourier' (a 1/f-scaled spectrum) or 'pixel'.",
    ),
    Option(
        "decorrelate",
        schema_default("Optimization", "decorrelate"),
        "Optimize colour images in a decorrelated colour space.",
    ),
    Option(
        "transforms",
        "auto",
        "Random changes before each step that make the result robust: 'auto' (Lucid's "
        "standard transforms for images of 64 pixels and more, a small preset below), "
        "'standard', 'small', 'none', or a list of transform dicts.",
    ),
    Option("lr", schema_default("Optimizer", "lr"), "The learning rate."),
    Option(
        "optimizer",
        schema_default("Optimization", "optimizer")["type"],
        "'adam' or 'sgd'.",
    ),
    Option(
        "seed",
        schema_default("Optimization", "seed"),
        "Seeds the initial image and the transforms: the same seed gives the same result.",
    ),
    Option("frame_every", None, "Keep a frame of the animation every this many steps."),
)

DISPLAY = (
    Option(
        "keep_frames",
        False,
        "Save the animation in the notebook (larger files); the setting decides when False.",
    ),
    Option(
        "scale",
        None,
        "Screen pixels per image pixel (pixelated); chosen from the image size when None.",
    ),
    Option("title", None, "A caption shown above the output."),
)


def takes_options(*groups: tuple[Option, ...]) -> Callable[[F], F]:
    """Gives a builder ``def f(..., **options)`` the options of ``groups``.

    The builder is called with every option present (the caller's value or the
    default) in ``options``; unknown keywords raise ``TypeError``.
    """
    options = [option for group in groups for option in group]
    names = [option.name for option in options]

    def decorate(builder: F) -> F:
        own = inspect.signature(builder)
        parameters = [
            p for p in own.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        known = names + [p.name for p in parameters]

        @functools.wraps(builder)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for name in kwargs:
                if name not in known:
                    close = difflib.get_close_matches(name, known, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise TypeError(
                        f"{builder.__name__}() got an unexpected keyword argument {name!r}{hint}"
                    )
            for option in options:
                kwargs.setdefault(option.name, option.default)
            return builder(*args, **kwargs)

        wrapper.__signature__ = own.replace(  # type: ignore[attr-defined]
            parameters=parameters
            + [
                inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default)
                for o in options
            ]
        )
        listing = "\n".join(
            f"``{o.name}`` (default ``{o.default!r}``)\n"
            + textwrap.indent(textwrap.fill(o.doc, 76), "    ")
            for o in options
        )
        wrapper.__doc__ = (inspect.cleandoc(builder.__doc__ or "")) + "\n\nOptions:\n\n" + listing
        return wrapper  # type: ignore[return-value]

    return decorate
