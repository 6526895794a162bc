"""``rougegame graph``: a map of the story as Mermaid ``stateDiagram-v2`` or Graphviz DOT.

Every node is a state and every choice an arrow labelled with its text, its condition (``[if
...]``) and its kind (``once``; fallbacks are dashed in DOT and labelled ``auto``). The start,
the endings, dead ends and nodes no path reaches are marked. With ``--chapter`` only that
chapter is drawn; arrows into and out of it end at small stand-ins for the other chapters'
nodes.

The emitter is our own. ``transitions``' ``GraphMachine`` (0.9.3, ``graph_engine="mermaid"``) was
tried first: with our dotted node ids its ``Class dock.quay s_active`` lines are read by Mermaid
as a stray state ``dock``, it labels arrows with trigger names (``c0``) and guard function names
rather than choice text and conditions, it escapes nothing in labels, and it cannot mark endings
or unreachable nodes; its DOT output needs the ``graphviz`` or ``pygraphviz`` package. The states
and arrows drawn here are exactly those :mod:`rougegame.engine.machine` gives the ``transitions``
machine: one state per node, one arrow per choice.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rougegame.story.model import Story

DEFAULT_WIDTH = 48


@dataclass
class MapNode:
    """A node as the story map draws it."""

    id: str
    title: str
    chapter: str
    start: bool = False
    ending: str | None = None  # the ending's title
    unreachable: bool = False
    dead_end: bool = False
    external: bool = False


@dataclass
class MapEdge:
    """A choice as the story map draws it: an arrow from one node to another."""

    source: str
    target: str
    text: str
    condition: str | None
    kind: str


@dataclass
class StoryMap:
    """The story as a graph of nodes and choices, ready to be written out."""

    title: str
    story_id: str
    nodes: dict[str, MapNode] = field(default_factory=dict)
    edges: list[MapEdge] = field(default_factory=list)
    chapters: dict[str, str] = field(default_factory=dict)  # id -> title, in story order


class GraphError(ValueError):
    """An unknown ``--chapter``."""


def build_map(story: Story, chapter: str | None = None) -> StoryMap:
    """The neutral map both emitters draw from."""
    from rougegame.story.problems import did_you_mean
    from rougegame.story.text import plain
    from rougegame.tools.lint import reachable

    if chapter is not None and chapter not in story.chapters:
        hint = did_you_mean(chapter, story.chapters)
        known = ", ".join(story.chapters)
        raise GraphError(f"no chapter `{chapter}`; " + (hint or f"the chapters are: {known}"))
    seen = reachable(story)
    smap = StoryMap(story.title, story.id)

    def inside(node_id: str) -> bool:
        return chapter is None or story.nodes[node_id].chapter == chapter

    def add(node_id: str, external: bool = False) -> None:
        if node_id in smap.nodes:
            return
        node = story.nodes[node_id]
        smap.nodes[node_id] = MapNode(
            node_id,
            node.title,
            node.chapter,
            start=node_id == story.start,
            ending=node.ending.title if node.ending is not None else None,
            unreachable=node_id not in seen,
            dead_end=node.ending is None and not node.choices,
            external=external,
        )
        smap.chapters.setdefault(node.chapter, story.chapters[node.chapter].title)

    for node in story.nodes.values():
        if inside(node.id):
            add(node.id)
    for node in story.nodes.values():
        for choice in node.choices:
            if not (inside(node.id) or inside(choice.target)):
                continue
            add(node.id, external=not inside(node.id))
            add(choice.target, external=not inside(choice.target))
            smap.edges.append(
                MapEdge(
                    node.id, choice.target, plain(choice.text), choice.condition_source, choice.kind
                )
            )
    return smap


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    if width and len(text) > width:
        return text[: width - 1].rstrip() + "…"
    return text


def edge_label(edge: MapEdge, width: int = DEFAULT_WIDTH) -> list[str]:
    """The lines of an arrow's label: text, condition, kind."""
    lines = []
    text = _shorten(edge.text, width)
    if edge.kind == "fallback":
        lines.append(f"auto: {text}" if text else "auto")
    elif text:
        lines.append(text)
    if edge.condition:
        lines.append(f"[if {_shorten(edge.condition, width)}]")
    if edge.kind == "once":
        lines.append("(once)")
    return lines


def node_label(node: MapNode, width: int = DEFAULT_WIDTH) -> list[str]:
    lines = [_shorten(node.title, width), node.id]
    if node.ending is not None:
        lines.append(f"ENDING: {_shorten(node.ending, width)}")
    if node.dead_end:
        lines.append("DEAD END")
    if node.unreachable:
        lines.append("UNREACHABLE")
    return lines


# -- Mermaid ---------------------------------------------------------------------------------

_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    ";": "#59;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
}


def mermaid_text(text: str) -> str:
    """Text safe inside a Mermaid label: quotes and separators as Mermaid entity codes."""
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in " ".join(text.split()))


def mermaid_id(node_id: str, taken: dict[str, str]) -> str:
    """A Mermaid state id (letters, digits, _) for a node id; unique within ``taken``."""
    base = "".join(ch if ch.isalnum() else "_" for ch in node_id.replace(".", "__"))
    name, n = base, 1
    while name in taken.values():
        n += 1
        name = f"{base}_{n}"
    taken[node_id] = name
    return name


_MERMAID_CLASSES = {
    "ending": "fill:#d8f3dc,stroke:#2d6a4f,stroke-width:2px,color:#1b4332",
    "unreachable": "fill:#f1f3f5,stroke:#868e96,stroke-dasharray:5 5,color:#868e96",
    "deadend": "fill:#ffe3e3,stroke:#c92a2a,color:#c92a2a",
    "external": "fill:#ffffff,stroke:#adb5bd,stroke-dasharray:2 2,color:#495057",
}


def to_mermaid(smap: StoryMap, width: int = DEFAULT_WIDTH) -> str:
    ids: dict[str, str] = {}
    out = ["---", f"title: {json.dumps(smap.title, ensure_ascii=False)}", "---"]
    out += ["stateDiagram-v2", "    direction LR"]
    out += [f"    classDef {name} {style}" for name, style in _MERMAID_CLASSES.items()]
    out.append("")
    for node in smap.nodes.values():
        sid = mermaid_id(node.id, ids)
        if node.external:
            label = f"{node.id} ({smap.chapters.get(node.chapter, node.chapter)})"
        else:
            label = " · ".join(node_label(node, width))
        out.append(f'    state "{mermaid_text(label)}" as {sid}')
    out.append("")
    for node in smap.nodes.values():
        if node.start and not node.external:
            out.append(f"    [*] --> {ids[node.id]}")
    merged: dict[tuple[str, str], list[str]] = {}
    for edge in smap.edges:
        merged.setdefault((edge.source, edge.target), []).append(" ".join(edge_label(edge, width)))
    for (source, target), labels in merged.items():
        text = " | ".join(mermaid_text(label) for label in labels if label)
        arrow = f"    {ids[source]} --> {ids[target]}"
        out.append(f"{arrow}: {text}" if text else arrow)
    for node in smap.nodes.values():
        if node.ending is not None and not node.external:
            out.append(f"    {ids[node.id]} --> [*]")
    out.append("")
    for node in smap.nodes.values():
        sid = ids[node.id]
        if node.external:
            out.append(f"    class {sid} external")
        elif node.unreachable:
            out.append(f"    class {sid} unreachable")
        elif node.ending is not None:
            out.append(f"    class {sid} ending")
        elif node.dead_end:
            out.append(f"    class {sid} deadend")
    return "\n".join(out).rstrip() + "\n"


# -- Graphviz DOT ------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """A DOT double-quoted string."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + body.replace("\r", "").replace("\n", "\\n") + '"'


def _dot_lines(lines: list[str]) -> str:
    return dot_text("\n".join(lines))


def to_dot(smap: StoryMap, width: int = DEFAULT_WIDTH) -> str:
    out = [
        f"digraph {dot_text(smap.story_id)} {{",
        f"    graph [rankdir=LR, label={dot_text(smap.title)}, labelloc=t, fontsize=18,"
        ' fontname="Helvetica"];',
        '    node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica",'
        " fontsize=11];",
        '    edge [fontname="Helvetica", fontsize=9, color="#495057"];',
    ]
    if any(n.start and not n.external for n in smap.nodes.values()):
        out.append(
            '    "__start__" [shape=circle, style=filled, fillcolor="#212529", label="",'
            " width=0.2];"
        )
    for chapter, title in smap.chapters.items():
        members = [n for n in smap.nodes.values() if n.chapter == chapter]
        inner = [n for n in members if not n.external]
        if inner:
            out.append(f"    subgraph {dot_text('cluster_' + chapter)} {{")
            out.append(
                f"        label={dot_text(f'{title} ({chapter})')}; style=rounded;"
                ' color="#adb5bd"; fontname="Helvetica";'
            )
            out += [f"        {_dot_node(n, smap, width)}" for n in inner]
            out.append("    }")
        out += [f"    {_dot_node(n, smap, width)}" for n in members if n.external]
    for node in smap.nodes.values():
        if node.start and not node.external:
            out.append(f'    "__start__" -> {dot_text(node.id)};')
    for edge in smap.edges:
        attrs = [f"label={_dot_lines(edge_label(edge, width))}"]
        if edge.kind == "fallback":
            attrs.append("style=dashed")
        elif edge.kind == "once":
            attrs.append('color="#1971c2"')
        out.append(f"    {dot_text(edge.source)} -> {dot_text(edge.target)} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_node(node: MapNode, smap: StoryMap, width: int) -> str:
    if node.external:
        label = [node.id, smap.chapters.get(node.chapter, node.chapter)]
        attrs = ['style="dashed"', 'color="#adb5bd"', 'fontcolor="#495057"']
    else:
        label = node_label(node, width)
        attrs = []
        if node.ending is not None:
            attrs += ["peripheries=2", 'fillcolor="#d8f3dc"', 'color="#2d6a4f"']
        if node.dead_end:
            attrs += ['fillcolor="#ffe3e3"', 'color="#c92a2a"']
        if node.unreachable:
            attrs += ['style="rounded,dashed,filled"', 'fillcolor="#f1f3f5"', 'fontcolor="#868e96"']
    attrs.insert(0, f"label={_dot_lines(label)}")
    return f"{dot_text(node.id)} [{', '.join(attrs)}];"


# -- the command -----------------------------------------------------------------------------


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "graph",
        help="draw a map of the story (Mermaid or Graphviz DOT)",
        description="Print a map of the story: every node, every choice with its text and "
        "condition; the start, endings, dead ends and unreachable nodes marked.",
    )
    p.add_argument("path", nargs="?", help="a story folder or YAML file (default: shipped)")
    p.add_argument("--chapter", metavar="ID", help="draw only this chapter")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument(
        "--width",
        type=int,
        default=DEFAULT_WIDTH,
        metavar="N",
        help=f"shorten labels to N characters (default {DEFAULT_WIDTH}; 0 keeps them whole)",
    )
    p.set_defaults(handler=cmd_graph)


def cmd_graph(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rougegame.story.loader import load_story
    from rougegame.story.problems import StoryError, format_problems

    if args.width < 0:
        print("rougegame graph: --width must be 0 or more", file=sys.stderr)
        return 2
    try:
        story = load_story(args.path)
    except StoryError as exc:
        print("The story has problems and cannot be drawn:", file=sys.stderr)
        print(format_problems(exc.problems), file=sys.stderr)
        return 1
    try:
        smap = build_map(story, args.chapter)
    except GraphError as exc:
        print(f"rougegame graph: {exc}", file=sys.stderr)
        return 2
    text = to_dot(smap, args.width) if args.format == "dot" else to_mermaid(smap, args.width)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"rougegame graph: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"Wrote {args.out} ({len(smap.nodes)} nodes, {len(smap.edges)} arrows).")
        return 0
    sys.stdout.write(text)
    return 0
