"""Plain mode: ``rougegame play --plain`` plays a story as plain lines on stdin/stdout.

For screen readers, pipes and scripted runs: no colours, no cursor movement, no clearing, one
clear prompt per turn, numbered choices (disabled ones shown with their reason), emphasis
printed as plain words. It shares the engine, the saves folder and the slots with the Textual
game, autosaves after every choice, and end of input quits cleanly. When input is not a
terminal, each command read is echoed after the prompt, so a transcript reads like a session.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from rougegame.engine.game import ChoiceUnavailable, Game, LogEntry, StoryRuntimeError
from rougegame.engine.saves import AUTOSAVE, SaveError, SaveStore
from rougegame.story.model import Story
from rougegame.story.text import paragraphs, plain

PROMPT = "> "

HELP = """\
Type the number of a choice to take it. Other commands:
  look          show the passage and the choices again
  undo          take back the last choice
  history       list the passages and choices so far
  save NAME     save to a slot (letters, digits, spaces, - and _)
  load NAME     load a slot; `load` alone lists the slots
  saves         list the save slots
  codex         show the codex entries unlocked so far
  restart       start the story again from the beginning
  help          show this list
  quit          stop playing (the game is autosaved after every choice)"""


def _plain_text(text: str) -> str:
    return "\n\n".join(plain(p) for p in paragraphs(text))


class PlainSession:
    """One plain-mode session: a game, the saves folder, and the text streams."""

    def __init__(
        self, story: Story, saves: Path, stdin: TextIO, stdout: TextIO, game: Game
    ) -> None:
        self.story = story
        self.store = SaveStore(saves)
        self.stdin = stdin
        self.stdout = stdout
        self.echo = not _is_tty(stdin)
        self.game = game
        self.chapter: str | None = None
        self.location: str | None = None
        self.autosave_warned = False

    # -- output ----------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def show_entries(self, entries: list[LogEntry]) -> None:
        """Show what a choice led to: passages passed through, then the current passage."""
        current = self.game.state.node
        last = max((i for i, e in enumerate(entries) if e.kind == "passage"), default=-1)
        for i, entry in enumerate(entries):
            if i == last and entry.node_id == current:
                break
            if entry.kind == "passage":
                self.show_header(entry.node_id)
                self.say(_plain_text(entry.text))
                self.say()
            elif i == 0:
                self.say(f"You chose: {plain(entry.text)}")
                self.say()
            else:
                self.say(f"({plain(entry.text).strip('()')})")
                self.say()
        self.show_passage()

    def show_header(self, node_id: str) -> None:
        node = self.story.nodes[node_id]
        if node.chapter != self.chapter:
            self.chapter = node.chapter
            self.say(f"Chapter: {self.story.chapters[node.chapter].title}")
            self.say()
        if node.location is not None and node.location != self.location:
            self.location = node.location
            self.say(f"Location: {node.location}")
            self.say()
        if node.speaker:
            self.say(f"{node.speaker}:")

    def show_passage(self) -> None:
        game = self.game
        try:
            passage = game.passage()
        except StoryRuntimeError as exc:
            self.say(f"The story cannot show this passage: {exc}")
            return
        self.show_header(passage.node_id)
        for para in passage.paragraphs:
            self.say(plain(para))
            self.say()
        if passage.ending is not None:
            self.say(f"THE END: {passage.ending.title}")
            for para in passage.ending.epilogue:
                self.say()
                self.say(plain(para))
            self.say()
            self.say("The story is over. Type `restart`, `undo`, `load NAME` or `quit`.")
            return
        self.show_choices()

    def show_choices(self) -> None:
        try:
            views = self.game.choices()
        except StoryRuntimeError as exc:
            self.say(f"The story cannot offer choices here: {exc}")
            return
        if not any(v.enabled for v in views):
            for view in views:
                self.say(f"{view.number}. {plain(view.text)} (unavailable: {view.reason})")
            self.say(
                "There is no way on from here; this is a fault in the story. "
                "Type `undo`, `load NAME` or `quit`."
            )
            return
        self.say("Choices:")
        for view in views:
            line = f"{view.number}. {plain(view.text)}"
            if not view.enabled:
                line += f" (unavailable: {view.reason})"
            self.say(line)

    # -- commands --------------------------------------------------------------------------
    def choose(self, number: int) -> None:
        game = self.game
        if game.is_ending:
            self.say("The story is over. Type `restart`, `undo`, `load NAME` or `quit`.")
            return
        before = len(game.log)
        try:
            game.choose_number(number)
        except ChoiceUnavailable as exc:
            count = len(game.choices())
            if any(v.number == number for v in game.choices()):
                self.say(f"That choice is unavailable: {exc}")
            else:
                self.say(f"There is no choice {number}; type a number from 1 to {count}.")
            return
        except StoryRuntimeError as exc:
            self.say(f"The story hit a problem: {exc}. Your game is unchanged.")
            return
        self.say()
        self.autosave()
        self.show_entries(game.log[before:])

    def autosave(self) -> None:
        try:
            self.store.save(AUTOSAVE, self.game)
        except SaveError as exc:
            if not self.autosave_warned:
                self.say(f"(Autosave failed: {exc}. Play goes on; `save NAME` to try a slot.)")
                self.autosave_warned = True

    def save(self, name: str) -> None:
        if not name:
            self.say("Save to which slot? Type `save NAME`, for example `save before the gate`.")
            return
        try:
            self.store.save(name, self.game)
        except SaveError as exc:
            self.say(f"Not saved: {exc}")
            return
        self.say(f"Saved to slot `{name}`.")

    def load(self, name: str) -> None:
        if not name:
            self.list_slots()
            return
        try:
            loaded = self.store.load(name, self.story)
        except SaveError as exc:
            self.say(f"Not loaded: {exc}")
            return
        self.game = Game(self.story, loaded.state)
        self.chapter = self.location = None
        self.say(f"Loaded slot `{name}`.")
        for note in loaded.notes:
            self.say(note)
        self.say()
        self.show_passage()

    def list_slots(self) -> None:
        slots = self.store.slots()
        if not slots:
            self.say(f"There are no saves yet (in {self.store.root}).")
            return
        self.say("Save slots, newest first:")
        for info in slots:
            if info.ok:
                self.say(
                    f"  {info.name}: {info.chapter_title}, {info.node_title} "
                    f"(turn {info.turns}, saved {info.saved_at[:16].replace('T', ' ')})"
                )
            else:
                self.say(f"  {info.name}: unreadable ({info.problem})")

    def undo(self) -> None:
        if not self.game.undo():
            self.say("There is nothing to undo.")
            return
        self.say("Undone.")
        self.say()
        self.chapter = self.location = None
        self.show_passage()

    def history(self) -> None:
        if not self.game.log:
            self.say("Nothing has happened yet.")
            return
        self.say("So far:")
        for entry in self.game.log:
            if entry.kind == "passage":
                self.say(f"  {entry.title or entry.node_id}")
            else:
                self.say(f"    you chose: {plain(entry.text)}")

    def codex(self) -> None:
        unlocked = [self.story.codex[c] for c in self.game.state.unlocked if c in self.story.codex]
        if not unlocked:
            self.say("The codex is empty so far.")
            return
        for entry in unlocked:
            self.say(f"{entry.title} ({entry.section}): {_plain_text(entry.text)}")

    def restart(self) -> None:
        try:
            self.game = Game(self.story)
        except StoryRuntimeError as exc:
            self.say(f"The story cannot start again: {exc}")
            return
        self.chapter = self.location = None
        self.say("Starting again from the beginning.")
        self.say()
        self.show_entries(list(self.game.log))

    def handle(self, line: str) -> bool:
        """Run one command. False when the session should end."""
        word, _, rest = line.strip().partition(" ")
        command, rest = word.lower(), rest.strip()
        if not command:
            self.say("Type a choice number, or `help`.")
        elif command.isdigit():
            self.choose(int(command))
        elif command in ("quit", "exit", "q"):
            return False
        elif command in ("help", "?", "h"):
            self.say(HELP)
        elif command in ("look", "l"):
            self.chapter = self.location = None
            self.show_passage()
        elif command in ("undo", "u"):
            self.undo()
        elif command == "history":
            self.history()
        elif command == "save":
            self.save(rest)
        elif command == "load":
            self.load(rest)
        elif command in ("saves", "slots"):
            self.list_slots()
        elif command == "codex":
            self.codex()
        elif command == "restart":
            self.restart()
        else:
            self.say(f"Unknown command `{word}`. Type a choice number, or `help`.")
        return True

    def run(self, load: str | None = None) -> int:
        title = self.story.title + (f", by {self.story.author}" if self.story.author else "")
        self.say(title)
        self.say("Type a choice number and press Enter; type `help` for the other commands.")
        self.say()
        if load is not None:
            try:
                loaded = self.store.load(load, self.story)
            except SaveError as exc:
                self.stdout.flush()
                print(f"rougegame: cannot load `{load}`: {exc}", file=sys.stderr)
                return 1
            self.game = Game(self.story, loaded.state)
            for note in loaded.notes:
                self.say(note)
            self.show_passage()
        else:
            if self.store.exists(AUTOSAVE):
                self.say("(There is an autosave: type `load autosave` to continue it.)")
                self.say()
            self.show_entries(list(self.game.log))
        try:
            return self.loop()
        except (KeyboardInterrupt, Terminated) as exc:
            if self.game.state.turns:
                self.autosave()
            self.say()
            self.say("Interrupted. (The game was autosaved after your last choice.)")
            return 143 if isinstance(exc, Terminated) else 130

    def loop(self) -> int:
        while True:
            self.stdout.write(PROMPT)
            self.stdout.flush()
            line = self.stdin.readline()
            if not line:
                self.say()
                self.say("Goodbye.")
                return 0
            if self.echo:
                self.stdout.write(line if line.endswith("\n") else line + "\n")
            if not self.handle(line):
                self.say("Goodbye.")
                return 0


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Terminated(Exception):
    """Raised by the SIGTERM handler so that play stops through the normal clean-up."""


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise Terminated


def run_plain(
    story: Story,
    saves: Path,
    load: str | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Play ``story`` on stdin/stdout until the player quits or input ends.

    Returns 0, or 1 when the story cannot start or the slot cannot be loaded, or 130 on ctrl+c.
    """
    try:
        game = Game(story)
    except StoryRuntimeError as exc:
        print(f"rougegame: the story fails as it starts: {exc}", file=sys.stderr)
        return 1
    session = PlainSession(story, saves, stdin or sys.stdin, stdout or sys.stdout, game)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return session.run(load)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
