"""Plain mode: play on stdin/stdout with numbered choices (extended by the author tooling)."""

from __future__ import annotations

from pathlib import Path

from rougegame.story.model import Story


def run_plain(story: Story, saves: Path, load: str | None = None) -> int:
    from rougegame.engine.game import Game
    from rougegame.story.text import plain

    game = Game(story)
    while True:
        passage = game.passage()
        for para in passage.paragraphs:
            print(plain(para) + "\n")
        if game.is_ending:
            return 0
        for view in game.choices():
            print(f"{view.number}. {view.text}")
        try:
            line = input("> ").strip()
        except EOFError:
            return 0
        if line.isdigit():
            game.choose_number(int(line))
