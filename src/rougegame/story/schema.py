"""The JSON Schema of the story format, generated from the loader's own key tables.

``rougegame schema`` prints it; editors that speak the yaml-language-server protocol use it for
completion and validation (see docs/story-format.md for the modeline).
"""

from __future__ import annotations

import json
from typing import Any

from rougegame.story.model import CHOICE_KINDS, CODEX_SECTIONS
from rougegame.story.parse import (
    CHAPTER_KEYS,
    CHOICE_KEYS,
    CODEX_KEYS,
    DOSSIER_KEYS,
    ENDING_KEYS,
    FORMAT_VERSION,
    MANIFEST_KEYS,
    NODE_KEYS,
    VARIABLE_KEYS,
)

ID_PATTERN = "^[A-Za-z][A-Za-z0-9_]*$"

DESCRIPTIONS: dict[str, str] = {
    "format": "The story format version (1).",
    "id": "A stable id; saves and the endings gallery remember it.",
    "title": "The title players see.",
    "version": "Your story's version, shown in save slots.",
    "author": "Who wrote it.",
    "start": "The first node, written chapter.node.",
    "variables": "Every variable the story uses, with its initial value.",
    "codex": "Entries players unlock: characters, places and lore.",
    "dossier": "Cards for the dossier screen, each driven by a text variable.",
    "gauge": "A number variable (with min and max) shown as a gauge.",
    "chapters": "Inline chapters (single-file stories only).",
    "chapter": "The chapter id; nodes elsewhere refer to this chapter's nodes as chapter.node.",
    "nodes": "The chapter's passages, by id.",
    "text": "The prose. {name} inserts a variable; {if cond: text}{else: text} is conditional.",
    "speaker": "Who speaks the passage.",
    "location": "Where it happens; carries over until changed.",
    "effects": "Effects: `x = e`, `x += e`, `x -= e`, `unlock id`.",
    "choices": "The options offered after the passage.",
    "ending": "Makes this node an ending (instead of choices).",
    "to": "The node the choice leads to: `node` in this chapter, or `chapter.node`.",
    "if": "A condition; when false the choice is hidden (or disabled with `reason`).",
    "reason": "Show the choice disabled with this reason when its condition fails.",
    "kind": "sticky (default), once (gone after it is taken) or fallback (taken automatically).",
    "epilogue": "The ending's closing text.",
    "initial": "The starting value: a number, text or true/false.",
    "min": "The smallest value effects may set.",
    "max": "The largest value effects may set.",
    "label": "The name players see.",
    "name": "The name on the card.",
    "variable": "The text variable holding unknown, located, eliminated or spared.",
}


def _props(keys: set[str], overrides: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key in sorted(keys):
        spec = dict(overrides.get(key, {"type": "string"}))
        if key in DESCRIPTIONS:
            spec.setdefault("description", DESCRIPTIONS[key])
        props[key] = spec
    return props


def build_schema() -> dict[str, Any]:
    scalar = {"type": ["string", "number", "boolean"]}
    effects = {
        "description": DESCRIPTIONS["effects"],
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    variable = {
        "oneOf": [
            scalar,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["initial"],
                "properties": _props(
                    VARIABLE_KEYS,
                    {"initial": scalar, "min": {"type": "number"}, "max": {"type": "number"}},
                ),
            },
        ]
    }
    codex_entry = {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "text"],
        "properties": _props(CODEX_KEYS, {}),
    }
    codex = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            s: {"type": "object", "additionalProperties": {"$ref": "#/$defs/codexEntry"}}
            for s in CODEX_SECTIONS
        },
    }
    choice = {
        "type": "object",
        "additionalProperties": False,
        "required": ["to"],
        "properties": _props(
            CHOICE_KEYS,
            {
                "if": {"type": ["string", "boolean"]},
                "effects": effects,
                "kind": {"enum": list(CHOICE_KINDS)},
            },
        ),
    }
    ending = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title"],
        "properties": _props(ENDING_KEYS, {}),
    }
    node = {
        "type": "object",
        "additionalProperties": False,
        "required": ["text"],
        "properties": _props(
            NODE_KEYS,
            {
                "effects": effects,
                "choices": {"type": "array", "items": {"$ref": "#/$defs/choice"}},
                "ending": {"$ref": "#/$defs/ending"},
            },
        ),
    }
    chapter = {
        "type": "object",
        "additionalProperties": False,
        "required": ["chapter", "title", "nodes"],
        "properties": _props(
            CHAPTER_KEYS,
            {
                "chapter": {"type": "string", "pattern": ID_PATTERN},
                "nodes": {
                    "type": "object",
                    "propertyNames": {"pattern": ID_PATTERN},
                    "additionalProperties": {"$ref": "#/$defs/node"},
                },
                "variables": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/variable"},
                },
                "codex": {"$ref": "#/$defs/codex"},
            },
        ),
    }
    dossier_card = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "variable"],
        "properties": _props(DOSSIER_KEYS, {}),
    }
    manifest = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "start"],
        "properties": _props(
            MANIFEST_KEYS,
            {
                "format": {"const": FORMAT_VERSION},
                "version": {"type": ["string", "number"]},
                "variables": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/variable"},
                },
                "codex": {"$ref": "#/$defs/codex"},
                "dossier": {"type": "array", "items": {"$ref": "#/$defs/dossierCard"}},
                "chapters": {"type": "array", "items": {"$ref": "#/$defs/chapter"}},
            },
        ),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://rougegame.invalid/schema/story-format-1.json",
        "title": "rougegame story file (format 1)",
        "description": "A story manifest (story.yaml) or a chapter file (chapters/*.yaml).",
        "anyOf": [{"$ref": "#/$defs/manifest"}, {"$ref": "#/$defs/chapter"}],
        "$defs": {
            "manifest": manifest,
            "chapter": chapter,
            "node": node,
            "choice": choice,
            "ending": ending,
            "variable": variable,
            "codex": codex,
            "codexEntry": codex_entry,
            "dossierCard": dossier_card,
        },
    }


def schema_json() -> str:
    return json.dumps(build_schema(), indent=2) + "\n"
