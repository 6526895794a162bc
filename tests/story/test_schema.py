"""The JSON Schema is generated from the loader's own tables, so the two cannot drift apart."""

from __future__ import annotations

import json
from typing import Any

from rougegame.story import parse
from rougegame.story.model import CHOICE_KINDS, CODEX_SECTIONS
from rougegame.story.schema import build_schema, schema_json


def props(schema: dict[str, Any], name: str) -> set[str]:
    return set(schema["$defs"][name]["properties"])


def test_the_schema_is_json_with_definitions() -> None:
    schema = json.loads(schema_json())
    assert schema == build_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"manifest", "chapter", "node", "choice", "ending", "variable", "codex"} <= set(
        schema["$defs"]
    )
    assert schema["anyOf"] == [{"$ref": "#/$defs/manifest"}, {"$ref": "#/$defs/chapter"}]


def test_the_schema_allows_exactly_the_keys_the_loader_reads() -> None:
    schema = build_schema()
    assert props(schema, "manifest") == parse.MANIFEST_KEYS
    assert props(schema, "chapter") == parse.CHAPTER_KEYS
    assert props(schema, "node") == parse.NODE_KEYS
    assert props(schema, "choice") == parse.CHOICE_KEYS
    assert props(schema, "ending") == parse.ENDING_KEYS
    assert props(schema, "codexEntry") == parse.CODEX_KEYS
    assert props(schema, "dossierCard") == parse.DOSSIER_KEYS
    assert set(schema["$defs"]["codex"]["properties"]) == set(CODEX_SECTIONS)
    kinds = schema["$defs"]["choice"]["properties"]["kind"]["enum"]
    assert kinds == list(CHOICE_KINDS)
    for name in ("manifest", "chapter", "node", "choice", "ending", "codexEntry"):
        assert schema["$defs"][name]["additionalProperties"] is False


def test_every_property_is_described_for_editors() -> None:
    schema = build_schema()
    for name in ("manifest", "chapter", "node", "choice", "ending", "dossierCard"):
        for key, spec in schema["$defs"][name]["properties"].items():
            assert spec.get("description"), f"{name}.{key} has no description"
