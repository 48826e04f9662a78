"""The Python package and the TypeScript front end agree on the spec."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

import featureviz as fv
from featureviz._spec import schema_path


def test_spec_version_matches_the_schema_the_front_end_reads():
    schema = fv.spec_schema()
    assert schema["definitions"]["SpecVersion"]["const"] == fv.SPEC_VERSION


def test_mime_type_is_built_the_same_way_in_typescript(root):
    mime_ts = (root / "src" / "spec" / "mime.ts").read_text()
    template = re.search(r"MIME_TYPE = `([^`]+)`", mime_ts).group(1)
    assert template.replace("${SPEC_VERSION}", str(fv.SPEC_VERSION)) == fv.MIME_TYPE
    assert fv.MIME_TYPE == "application/vnd.featureviz.v1+json"
    summary = re.search(r"SUMMARY_MIME_TYPE = `([^`]+)`", mime_ts).group(1)
    assert summary.replace("${SPEC_VERSION}", str(fv.SPEC_VERSION)) == fv.SUMMARY_MIME_TYPE


def test_python_and_npm_package_versions_agree(root):
    package = json.loads((root / "package.json").read_text())
    assert fv.__version__ == package["version"]


def test_schema_is_found_in_the_checkout_or_the_package():
    assert schema_path().name == "featureviz.v1.schema.json"


def test_labextension_path_points_at_the_built_extension():
    (entry,) = fv._jupyter_labextension_paths()
    assert entry == {"src": "labextension", "dest": "jupyterlab-featureviz"}


SPEC = {
    "view": "gradient-ascent",
    "model": {"builtin": "mnist-cnn"},
    "objective": {"type": "channel", "layer": "conv2d_1", "channel": 5},
}


def test_visualization_emits_our_mime_type_and_text():
    bundle = fv.Visualization(SPEC)._repr_mimebundle_()
    assert set(bundle) == {fv.MIME_TYPE, "text/plain"}
    assert bundle[fv.MIME_TYPE]["version"] == fv.SPEC_VERSION
    assert "gradient ascent of mnist-cnn" in bundle["text/plain"]
    jsonschema.validate(bundle[fv.MIME_TYPE], fv.spec_schema())


def test_visualization_copies_its_spec():
    spec = json.loads(json.dumps(SPEC))
    vis = fv.Visualization(spec)
    spec["objective"]["channel"] = 99
    assert vis.spec["objective"]["channel"] == 5
    vis.spec["objective"]["channel"] = 7
    assert vis._repr_mimebundle_()[fv.MIME_TYPE]["objective"]["channel"] == 5


def test_visualization_rejects_a_non_dict_with_a_clear_message():
    with pytest.raises(TypeError, match=r"spec must be a dict.*not list"):
        fv.Visualization([SPEC])


def test_schema_rejects_what_the_front_end_rejects():
    bad = dict(SPEC, objective={"type": "channel", "layer": "conv2d_1", "channel": -1})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(bad, version=1), fv.spec_schema())
