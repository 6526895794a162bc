"""The game session behind the screens: one story, its saves, its profile, the game in progress.

No Textual here: the app calls these methods and shows what they return. Everything a player can
cause (a damaged save, a full disk, a story that changed under a save) comes back as a
:class:`SaveError` or as notes to show, never as a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rougegame.engine.game import ChoiceUnavailable, Game, GameState, LogEntry, StoryRuntimeError
from rougegame.engine.profile import load_profile, save_profile
from rougegame.engine.saves import (
    AUTOSAVE,
    QUICKSAVE,
    SaveError,
    SaveStore,
    SlotInfo,
    atomic_write,
    restore,
)
from rougegame.records import FrozenRecord, Record
from rougegame.story.model import CodexEntry, Story
from rougegame.story.problems import StoryError

Clock = Callable[[], float]

_set = object.__setattr__


class Outcome(Record):
    """What happened after a choice, for the screens to show."""

    __slots__ = ("ending", "ending_id", "new_ending", "unlocked", "warnings")

    ending: bool
    ending_id: str | None
    new_ending: bool
    unlocked: list[str]  # titles of codex entries just unlocked
    warnings: list[str]

    def __init__(
        self,
        ending: bool = False,
        ending_id: str | None = None,
        new_ending: bool = False,
        unlocked: list[str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.ending = ending
        self.ending_id = ending_id
        self.new_ending = new_ending
        self.unlocked = [] if unlocked is None else unlocked
        self.warnings = [] if warnings is None else warnings


class CodexItem(FrozenRecord):
    """A codex entry as the codex screen lists it, with whether it is new."""

    __slots__ = ("entry", "new")

    entry: CodexEntry
    new: bool

    def __init__(self, entry: CodexEntry, new: bool) -> None:
        _set(self, "entry", entry)
        _set(self, "new", new)


def _number(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return 0.0


class Session:
    """A story and the player's progress in it."""

    def __init__(
        self, story: Story, saves_dir: Path | str | None, *, clock: Clock = time.monotonic
    ):
        self.story = story
        self.store = SaveStore(saves_dir)
        self.root = self.store.root
        self.clock = clock
        self.game: Game | None = None
        self.slot: str | None = None  # the slot last saved to or loaded from
        self.profile, note = load_profile(self.root)
        self.notes: list[str] = [note] if note else []

    # -- starting ---------------------------------------------------------------------------
    def new_game(self) -> Game:
        self.game = Game(self.story, clock=self.clock)
        self.slot = None
        self._learn()
        return self.game

    def continue_info(self) -> SlotInfo | None:
        """The autosave of this story, when there is a readable one (reads that file only)."""
        if not self.store.exists(AUTOSAVE):
            return None
        try:
            payload = self.store.read_payload(AUTOSAVE)
        except SaveError:
            return None
        if payload["story"].get("id") != self.story.id:
            return None
        return SlotInfo(
            AUTOSAVE,
            self.store.path_for(AUTOSAVE),
            saved_at=str(payload.get("saved_at", "")),
            chapter_title=str(payload.get("chapter_title", "")),
            node_title=str(payload.get("node_title", "")),
            play_time=_number(payload.get("play_time")),
            turns=int(_number(payload.get("turns"))),
            story_id=self.story.id,
        )

    def load(self, slot: str) -> list[str]:
        """Load a slot into the game; returns notes for the player. Raises SaveError."""
        loaded = self.store.load(slot, self.story)
        try:
            game = self._rebuild(loaded.state)
        except StoryError as exc:  # a chapter that could no longer be read from disk
            raise SaveError("; ".join(p.brief() for p in exc.problems)) from None
        self.game = game
        self.slot = None if slot in (AUTOSAVE, QUICKSAVE) else slot
        self._learn()
        return loaded.notes

    def _rebuild(self, state: GameState) -> Game:
        """A game at ``state``, with its history and undo rebuilt by replaying its path."""
        try:
            replayed = Game.replay(self.story, state.path, clock=self.clock)
        except (ChoiceUnavailable, StoryRuntimeError):
            replayed = None
        if replayed is not None and replayed.state.same_as(state):
            replayed.state.play_time = state.play_time
            return replayed
        return Game(self.story, state, clock=self.clock)

    # -- saving -----------------------------------------------------------------------------
    def save(self, slot: str) -> Path:
        game = self._require()
        path = self.store.save(slot, game)
        if slot not in (AUTOSAVE, QUICKSAVE):
            self.slot = slot
        return path

    def autosave(self) -> str | None:
        """Save to the autosave slot; the problem as a message when it fails."""
        if self.game is None:
            return None
        try:
            self.store.save(AUTOSAVE, self.game)
        except SaveError as exc:
            return f"Autosave failed: {exc}"
        return None

    def slots(self) -> list[SlotInfo]:
        return self.store.slots()

    def delete(self, slot: str) -> None:
        self.store.delete(slot)

    # -- playing ----------------------------------------------------------------------------
    def _require(self) -> Game:
        if self.game is None:
            raise SaveError("there is no game in progress")
        return self.game

    def choose(self, index: int) -> Outcome:
        """Take a choice, autosave, and record endings and codex entries in the profile.

        Raises ChoiceUnavailable or StoryRuntimeError with the game unchanged.
        """
        game = self._require()
        before = set(game.state.unlocked)
        game.choose(index)
        outcome = Outcome()
        outcome.unlocked = [
            self.story.codex[cid].title
            for cid in game.state.unlocked
            if cid not in before and cid in self.story.codex
        ]
        changed = self._learn(write=False)
        ending = game.node.ending
        if ending is not None:
            outcome.ending = True
            outcome.ending_id = ending.id
            outcome.new_ending = self.profile.record_ending(self.story.id, ending.id, ending.title)
            changed = True
        if changed:
            warning = self._write_profile()
            if warning:
                outcome.warnings.append(warning)
        warning = self.autosave()
        if warning:
            outcome.warnings.append(warning)
        return outcome

    def undo(self) -> tuple[bool, str | None]:
        """Undo the last choice and autosave there; (done, a warning)."""
        game = self._require()
        if not game.undo():
            return False, None
        return True, self.autosave()

    # -- the profile ------------------------------------------------------------------------
    def _learn(self, write: bool = True) -> bool:
        if self.game is None:
            return False
        changed = self.profile.learn(self.story.id, list(self.game.state.unlocked))
        if changed and write:
            self._write_profile()
        return changed

    def _write_profile(self) -> str | None:
        try:
            save_profile(self.root, self.profile)
        except SaveError as exc:
            return f"The endings gallery could not be saved: {exc}"
        return None

    def codex(self) -> list[CodexItem]:
        """The entries to show: unlocked in this game, or ever unlocked when none is running."""
        if self.game is not None:
            unlocked = set(self.game.state.unlocked)
        else:
            unlocked = self.profile.known(self.story.id)
        seen = self.profile.seen(self.story.id)
        return [
            CodexItem(entry, entry.id not in seen)
            for entry in self.story.codex.values()
            if entry.id in unlocked
        ]

    def mark_codex_seen(self) -> str | None:
        ids = [item.entry.id for item in self.codex()]
        if self.profile.mark_seen(self.story.id, ids):
            return self._write_profile()
        return None

    def endings(self) -> list[tuple[str, str, str | None, int]]:
        """Every ending of the story: (id, title or None when not found, first reached, times)."""
        found = self.profile.endings_for(self.story.id)
        out: list[tuple[str, str, str | None, int]] = []
        for ending in self.story.endings:
            record = found.get(ending.id)
            if record is None:
                out.append((ending.id, "", None, 0))
            else:
                out.append((ending.id, record.title, record.first_reached, record.times))
        return out

    # -- authoring --------------------------------------------------------------------------
    def reload(self, story: Story) -> list[str]:
        """Switch to a newly loaded version of the story, keeping the player's place.

        Raises SaveError when the new story cannot take over the game in progress.
        """
        if story.id != self.story.id:
            raise SaveError(
                f"the story's id changed from {self.story.id!r} to {story.id!r}",
                "a game in progress and its saves belong to one story id",
            )
        notes: list[str] = []
        if self.game is not None:
            old = self.game
            payload = self.store.payload("reload", old)
            loaded = restore(payload, story, "reload")
            notes.extend(n for n in loaded.notes if "another version" not in n)
            log = [e for e in old.log if e.node_id in story.nodes]
            game = Game(story, loaded.state, clock=self.clock, log=log)
            node = game.node
            try:
                text = "\n\n".join(game.passage().paragraphs)
            except StoryRuntimeError:  # shown as an error when the screen renders it
                text = node.text
            entry = LogEntry("passage", node.id, text, node.title)
            if not log or log[-1].node_id != node.id or loaded.moved:
                game.log.append(entry)
            else:
                game.log[-1] = entry
            self.game = game
        self.story = story
        return notes

    def export_transcript(self, when: datetime | None = None) -> Path:
        """Write the history as Markdown in the saves folder; returns the file. Raises SaveError."""
        from rougegame.ui.transcript import transcript_markdown

        game = self._require()
        moment = when or datetime.now(UTC).astimezone()
        self.store.ensure()
        path = self.root / f"transcript-{self.story.id}-{moment.strftime('%Y%m%d-%H%M%S')}.md"
        atomic_write(path, transcript_markdown(game, moment).encode())
        return path
