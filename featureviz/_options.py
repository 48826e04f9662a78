"""Keyword options that several builders share, declared once.

``render_vis``, ``gradient_ascent`` and ``layer_atlas`` all take the same
optimization options (``preset``, ``steps``, ``init``, ``lr`` ...) and display
options (``keep_frames``, ``scale``, ``title``). Each option is declared here
once, with its default read from the spec schema's ``default`` keyword where
the schema has one (None where the preset decides: the engine resolves presets
from the model, docs/architecture.md "Recipes"); :func:`takes_options` adds the
options to a builder's signature (so ``help()`` and Jupyter's tooltips list them
with their defaults), fills in the defaults, and rejects unknown keywords with a
"did you mean". The values are checked and turned into spec fields by one
function each in ``optvis``.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ._spec import schema_choices, schema_default

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Option:
    """A keyword option: its name, default and one line of documentation."""

    name: str
    default: Any
    doc: str


def _preset_summary() -> str:
    """One line per preset, from the schema's Presets (the data the engine reads)."""
    lines = []
    for name in schema_choices("Optimization", "preset"):
        if name == "auto":
            continue
        recipe = schema_default("Presets", name)
        regularizers = ", ".join(f"{k} {v}" for k, v in recipe["regularizers"].items()) or "none"
        lines.append(
            f"{name!r}: {recipe['param']} parameterization, {recipe['steps']} steps, "
            f"lr {recipe['optimizer']['lr']}, start {recipe['init']!r}, "
            f"regularizers {regularizers}, channels reduced by {recipe['reduce']!r}."
        )
    return " ".join(lines)


OPTIMIZATION = (
    Option(
        "preset",
        schema_default("Optimization", "preset"),
        "A named recipe that fills in every option left at None: 'auto' (Lucid's for colour "
        "images of 64 pixels and more, 'small' otherwise), 'small', 'lucid' or 'plain'. "
        + _preset_summary(),
    ),
    Option("steps", None, "How many optimization steps to run; the preset's when None."),
    Option(
        "size",
        None,
        "The image's size: an integer or (height, width); the model's input size when None.",
    ),
    Option(
        "init",
        schema_default("Optimization", "init"),
        "The start image: 'auto' (the preset's: for 'small', dark for a unit zoomed on its "
        "receptive field, else the training data's mean image when the model has one, a "
        "centred blob when not), 'noise', 'dataset-mean', 'blob', a grey level or colour "
        "(a number, or one per channel, in [0, 1]), or an image array (H, W) or (H, W, C) "
        "with values in [0, 1] (uint8 arrays are divided by 255).",
    ),
    Option(
        "param",
        None,
        "The image's parameterization: 'fourier' (a 1/f-scaled spectrum) or 'pixel'; "
        "the preset's when None.",
    ),
    Option(
        "decorrelate",
        None,
        "Optimize colour images in a decorrelated colour space; the preset's when None.",
    ),
    Option(
        "transforms",
        None,
        "Random changes before each step that make the result robust: 'standard' (Lucid's), "
        "'small', 'none', or a list of transform dicts; the preset's when None (none when the "
        "result is zoomed on a receptive field).",
    ),
    Option("lr", None, "The learning rate; the preset's when None."),
    Option("optimizer", None, "'adam' or 'sgd'; the preset's when None."),
    Option(
        "seed",
        schema_default("Optimization", "seed"),
        "Seeds the initial image and the transforms: the same seed gives the same result.",
    ),
    Option(
        "crop",
        schema_default("Optimization", "crop"),
        "'auto' shows a unit read at one position zoomed on its receptive field when that is "
        "at most half the image; 'none' always shows the whole image.",
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
