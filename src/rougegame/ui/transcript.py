"""A playthrough's history as a Markdown transcript (no Textual here)."""

from __future__ import annotations

import re
from datetime import datetime

from rougegame.engine.game import EndingView, Game, StoryRuntimeError
from rougegame.story.text import paragraphs, sanitize
from rougegame.ui.text import short_duration

_BLOCK_START = re.compile(r"^(\s{0,3})([#>+=|-]|\d+[.)])", re.MULTILINE)


def _escape_block(text: str) -> str:
    """Keep story lines that look like Markdown blocks (headings, quotes, lists) as prose."""
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), sanitize(text))


def epilogue(game: Game) -> EndingView | None:
    """The ending of the current passage; its raw text if the story fails to render it."""
    try:
        return game.passage().ending
    except StoryRuntimeError:
        ending = game.node.ending
        if ending is None:
            return None
        return EndingView(ending.id, ending.title, paragraphs(ending.epilogue))


def transcript_markdown(game: Game, when: datetime) -> str:
    """Every passage and choice of ``game`` so far, as Markdown."""
    story = game.story
    lines = [
        f"# {_escape_block(story.title)}",
        "",
        f"A transcript of a playthrough, exported {when.strftime('%Y-%m-%d %H:%M')}: "
        f"{game.state.turns} choices, {short_duration(game.play_time)} played.",
        "",
    ]
    chapter = None
    for entry in game.log:
        node = story.nodes.get(entry.node_id)
        if entry.kind == "choice":
            lines += [f"> **{_escape_block(entry.text)}**", ""]
            continue
        if node is not None and node.chapter != chapter:
            chapter = node.chapter
            lines += [f"## {_escape_block(story.chapters[chapter].title)}", ""]
        if node is not None and node.speaker:
            lines += [f"*{_escape_block(node.speaker)}:*", ""]
        lines += [_escape_block(entry.text), ""]
    if game.is_ending:
        ending = epilogue(game)
        if ending is not None:
            lines += [f"## The end: {_escape_block(ending.title)}", ""]
            lines += [_escape_block(p) + "\n" for p in ending.epilogue]
    return "\n".join(lines).rstrip() + "\n"
