"""scripts/extract_github_schemas.py on small literal descriptions, and the committed data
file against the script's own lists (edit the lists, re-run the script)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import github_shapes

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "extract_github_schemas.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_github_schemas", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_references_are_kept_by_name_so_cycles_end(script: ModuleType) -> None:
    schemas = {
        "node": {
            "type": "object",
            "description": "dropped",
            "properties": {"next": {"$ref": "#/components/schemas/node"}},
            "required": ["next"],
        }
    }
    pruner = script.Pruner(schemas, "#/components/schemas/", openapi=True)
    assert pruner.prune({"$ref": "#/components/schemas/node"}) == {"$ref": "#/definitions/node"}
    assert pruner.definitions == {
        "node": {
            "type": "object",
            "properties": {"next": {"$ref": "#/definitions/node"}},
            "required": ["next"],
        }
    }


def test_openapi_nullable_is_said_the_draft_7_way(script: ModuleType) -> None:
    pruner = script.Pruner({"x": {"type": "object"}}, "#/components/schemas/", openapi=True)
    assert pruner.prune({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert pruner.prune({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert pruner.prune({"allOf": [{"$ref": "#/components/schemas/x"}], "nullable": True}) == {
        "anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/definitions/x"}]}]
    }


def test_an_operation_missing_from_the_description_stops_the_script(script: ModuleType) -> None:
    openapi = {"paths": {}, "components": {"schemas": {}, "responses": {}}}
    with pytest.raises(SystemExit, match="not in GitHub's description"):
        script.extract(openapi, {"definitions": {}})


def test_the_committed_data_holds_exactly_the_scripts_operations_and_events(
    script: ModuleType,
) -> None:
    data = json.loads(github_shapes.DATA.read_text(encoding="utf-8"))
    held = [(op["method"].lower(), op["path"]) for op in data["openapi"]["operations"]]
    assert held == list(script.OPERATIONS)
    events = {
        e: tuple(sorted(a for a in actions if a))
        for e, actions in data["webhooks"]["events"].items()
    }
    assert events == {e: tuple(sorted(a)) for e, a in script.EVENTS.items()}
