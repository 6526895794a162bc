"""examples/tour is the small story that exercises every feature of the format: prove it does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rougegame.story.model import Story
from rougegame.story.text import Segment, spans


def segments_of(story: Story) -> Iterator[Segment]:
    def walk(segs: list[Segment] | tuple[Segment, ...]) -> Iterator[Segment]:
        for seg in segs:
            yield seg
            if seg[0] == "if":
                yield from walk(seg[2])
                yield from walk(seg[3])

    for node in story.nodes.values():
        yield from walk(node.segments)
        for choice in node.choices:
            yield from walk(choice.segments)
        if node.ending is not None:
            yield from walk(node.ending.segments)


def ast_tags(ast: Any) -> Iterator[str]:
    if isinstance(ast, tuple) and ast and isinstance(ast[0], str):
        yield ast[0] if ast[0] != "call" else f"call:{ast[1]}"
        for part in ast[1:]:
            if isinstance(part, tuple):
                if part and isinstance(part[0], tuple):  # a call's argument tuple
                    for arg in part:
                        yield from ast_tags(arg)
                else:
                    yield from ast_tags(part)


def test_the_tour_uses_every_construct(tour_story: Story) -> None:
    story = tour_story
    nodes = list(story.nodes.values())
    choices = [c for n in nodes for c in n.choices]
    effects = [e for n in nodes for e in n.effects] + [e for c in choices for e in c.effects]

    assert {c.kind for c in choices} == {"sticky", "once", "fallback"}
    assert any(c.reason for c in choices), "a choice shown disabled with a reason"
    assert any(c.condition is not None and not c.reason for c in choices), "a hidden choice"
    assert any(c.kind == "fallback" and not c.text for c in choices), "a fallback without text"
    assert {e.op for e in effects} == {"set", "add", "sub", "unlock"}
    assert any(n.effects for n in nodes), "effects on entering a node"
    assert any(c.effects for c in choices), "effects on a choice"

    tags = {t for c in choices if c.condition is not None for t in ast_tags(c.condition)}
    tags |= {t for seg in segments_of(story) if seg[0] == "if" for t in ast_tags(seg[1])}
    assert {"and", "not", "bin", "var", "lit", "call:visits", "call:unlocked"} <= tags

    segments = list(segments_of(story))
    assert any(seg[0] == "var" for seg in segments), "interpolation"
    assert any(seg[0] == "if" and seg[3] for seg in segments), "{if ...}{else ...}"
    assert any(seg[0] == "if" and not seg[3] for seg in segments), "{if ...} alone"
    styles = {style for n in nodes for para in n.text.split("\n\n") for _, style in spans(para)}
    assert {"em", "strong"} <= styles

    assert any(n.speaker for n in nodes) and any(n.location for n in nodes)
    assert any(n.title != n.name.replace("_", " ").capitalize() for n in nodes), "a title"
    assert len(story.chapters) >= 2
    assert any(c.target.split(".")[0] != n.chapter for n in nodes for c in n.choices), (
        "a choice across chapters"
    )
    assert any(ch.variables for ch in story.chapters.values()), "chapter variables"
    assert {e.section for e in story.codex.values()} == {"characters", "places", "lore"}

    assert story.endings and all(e.epilogue for e in story.endings)
    assert story.dossier and story.dossier[0].codex in story.codex
    assert story.gauge is not None
    gauge = story.variables[story.gauge]
    assert gauge.minimum is not None and gauge.maximum is not None
    kinds = {type(v.initial) for v in story.variables.values()}
    assert {int, str, bool} <= kinds
    assert any(v.label != v.name.replace("_", " ") for v in story.variables.values())


def test_the_tour_loads_without_warnings(tour_story: Story) -> None:
    assert tour_story.warnings == []
    assert tour_story.id == "feature-tour"
