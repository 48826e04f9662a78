"""The output spec: its version, MIME type and JSON Schema (docs/architecture.md, "One schema").

The schema file is the single source of truth, shared with the TypeScript
front end. It ships inside the wheel; in a source checkout it is read from
``src/spec``.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

#: The spec's major version. Must equal the schema's ``SpecVersion`` constant,
#: which the front end reads; a test checks both.
SPEC_VERSION = 1

#: The MIME type of a featureviz output.
MIME_TYPE = f"application/vnd.featureviz.v{SPEC_VERSION}+json"

#: The MIME type of the summary that a finished run writes back.
SUMMARY_MIME_TYPE = f"application/vnd.featureviz.summary.v{SPEC_VERSION}+json"

_SCHEMA_NAME = f"featureviz.v{SPEC_VERSION}.schema.json"


def schema_path() -> Path:
    """Where the spec's JSON Schema is: in the package, or the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (
        here / "schema" / _SCHEMA_NAME,
        here.parent / "src" / "spec" / _SCHEMA_NAME,
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{_SCHEMA_NAME} is missing from the featureviz package; reinstall jupyterlab-featureviz"
    )


@lru_cache(maxsize=1)
def spec_schema() -> dict[str, Any]:
    """The spec's JSON Schema, as a dict."""
    return json.loads(schema_path().read_text(encoding="utf-8"))


def schema_default(definition: str, field: str) -> Any:
    """The schema's ``default`` for a field of one of its definitions.

    The Python builders take their defaults from here, and the engine from the
    same keywords (``src/spec/defaults.generated.ts``), so the two cannot drift.
    """
    properties = spec_schema()["definitions"][definition]["properties"]
    if "default" not in properties.get(field, {}):
        raise KeyError(f"the spec schema states no default for {definition}.{field}")
    return copy.deepcopy(properties[field]["default"])


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:  # "#/definitions/Name"
        node = spec_schema()["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return node


def schema_property(definition: str, field: str) -> dict[str, Any]:
    """A field's schema (``$ref``s followed), e.g. to read its ``maxLength``."""
    return _resolve(spec_schema()["definitions"][definition]["properties"][field])


def _constants(node: dict[str, Any]) -> list[Any]:
    node = _resolve(node)
    if "const" in node:
        return [node["const"]]
    if "enum" in node:
        return list(node["enum"])
    return [c for option in node.get("oneOf", []) for c in _constants(option)]


def schema_choices(definition: str, field: str) -> tuple[Any, ...]:
    """The constant values the schema allows for a field (through ``oneOf``, ``enum``)."""
    return tuple(_constants(schema_property(definition, field)))


def definition_choices(definition: str) -> tuple[Any, ...]:
    """The constant values a whole definition allows (e.g. ``AttributionMethod``)."""
    return tuple(_constants(spec_schema()["definitions"][definition]))


def schema_bounds(definition: str, field: str) -> tuple[Any, Any]:
    """The schema's (minimum, maximum) for a number field, or for an array's items."""
    node = schema_property(definition, field)
    if node.get("type") == "array":
        node = _resolve(node["items"])
    return node.get("minimum"), node.get("maximum")
