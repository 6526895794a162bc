"""Save slots on disk: atomic writes, checksums, validation, and saves from older stories.

A save is a JSON file ``<slot>.save.json`` in the saves folder. Writes go to a temporary file in
the same folder, are flushed to disk (fsync) and renamed over the old file, so a crash at any
moment leaves either the old save or the new one, never a torn file. Every save carries a
SHA-256 checksum of its content. Saves are untrusted input: reading one checks its size, JSON,
shape, checksum and story, and any problem becomes a :class:`SaveError` with a clear message; a
bad slot never affects the others. Files are opened without following symbolic links and only
when they are regular files, so a link or a pipe planted in the folder is refused, never followed
or waited on. Text that a save carries to the screen (titles, the location) is cleaned of control
characters. Temporary files left by a crash are swept away on a later save.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import stat
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rougegame.engine.game import Game, GameState
from rougegame.records import Record
from rougegame.story.expressions import MAX_NUMBER
from rougegame.story.model import Story
from rougegame.story.text import sanitize

SAVE_FORMAT = "rougegame-save"
SAVE_SCHEMA = 1
AUTOSAVE = "autosave"
QUICKSAVE = "quicksave"
SUFFIX = ".save.json"
MAX_SAVE_BYTES = 8 * 1024 * 1024

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023
MAX_SLOT_LEN = 64
MAX_PATH = 20_000  # choices a save may ask to replay to rebuild its history and undo
MAX_SHOWN = 200  # characters of a title or location a save may bring to the screen
STALE_TMP_SECONDS = 600.0  # a temporary file this old was left by a crash
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_SLOT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.,'()-]*$")


class SaveError(Exception):
    """A save that cannot be written or read; ``message`` is for the player."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


def validate_slot(name: str) -> str:
    """Return the slot name, or raise SaveError saying why it is refused."""
    if not isinstance(name, str) or not name.strip():
        raise SaveError("a slot needs a name")
    if len(name) > MAX_SLOT_LEN:
        raise SaveError(f"slot names are at most {MAX_SLOT_LEN} characters")
    if "/" in name or "\\" in name or ".." in name:
        raise SaveError(
            "slot names cannot contain `/`, `\\` or `..`",
            "use letters, digits, spaces, `-` and `_`",
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise SaveError("slot names cannot contain control characters")
    if not _SLOT.match(name):
        raise SaveError(
            f"`{name}` is not a valid slot name",
            "start with a letter or digit; use letters, digits, spaces, `-` and `_`",
        )
    return name


def default_saves_dir() -> Path:
    return Path(os.environ.get("ROUGEGAME_SAVES") or "saves")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform can open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new file, never half."""
    if path.is_symlink():
        raise SaveError(f"{path.name} is a symbolic link; refusing to write through it")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    created = False
    try:
        # O_EXCL: never open a file (or a link) that is already there under this name.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o644)
        created = True
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(path)
        _fsync_dir(path.parent)
    except OSError as exc:
        if created:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise SaveError(_describe_os_error(exc, path), "the previous file is untouched") from None
    _sweep_stale(path)


def _sweep_stale(path: Path) -> None:
    """Remove the temporary files of ``path`` that a killed writer left behind.

    Only files older than :data:`STALE_TMP_SECONDS` go: a younger one may belong to another
    process writing the same slot right now.
    """
    prefix = f".{path.name}."
    cutoff = time.time() - STALE_TMP_SECONDS
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                Path(entry.path).unlink()


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, refusing anything but a regular file of at most ``limit`` bytes.

    A symbolic link is not followed (OSError ELOOP); a folder, pipe or device is refused without
    being read or waited on (OSError EINVAL); a larger file is refused without being read
    (OSError EFBIG). A missing file raises FileNotFoundError.
    """
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > limit:
            raise OSError(errno.EFBIG, "file too large")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # it grew while being read
            raise OSError(errno.EFBIG, "file too large")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: could not write {path.name}"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"the saves folder is read-only: could not write {path.name}"
    return f"could not write {path.name}: {exc.strerror or exc}"


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as UTF-8 JSON, atomically; SaveError when it cannot be encoded."""
    try:
        data = (json.dumps(payload, indent=1, ensure_ascii=False) + "\n").encode()
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        raise SaveError(f"could not encode {path.name}", "the previous file is untouched") from None
    atomic_write(path, data)


def checksum(payload: dict[str, Any]) -> str:
    body = {k: v for k, v in payload.items() if k != "checksum"}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def state_to_dict(state: GameState) -> dict[str, Any]:
    return {
        "node": state.node,
        "vars": dict(state.vars),
        "visits": dict(state.visits),
        "once": sorted(state.once),
        "unlocked": dict(state.unlocked),
        "turns": state.turns,
        "play_time": round(state.play_time, 3),
        "path": [[n, i] for n, i in state.path],
        "location": state.location,
    }


class SlotInfo(Record):
    """What the save/load screen shows for one slot."""

    __slots__ = (
        "name",
        "path",
        "saved_at",
        "chapter_title",
        "node_title",
        "play_time",
        "turns",
        "story_id",
        "problem",
    )

    name: str
    path: Path
    saved_at: str
    chapter_title: str
    node_title: str
    play_time: float
    turns: int
    story_id: str
    problem: str | None

    def __init__(
        self,
        name: str,
        path: Path,
        saved_at: str = "",
        chapter_title: str = "",
        node_title: str = "",
        play_time: float = 0.0,
        turns: int = 0,
        story_id: str = "",
        problem: str | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.saved_at = saved_at
        self.chapter_title = chapter_title
        self.node_title = node_title
        self.play_time = play_time
        self.turns = turns
        self.story_id = story_id
        self.problem = problem

    @property
    def ok(self) -> bool:
        return self.problem is None


class LoadedSave(Record):
    """A save read back: the state to play from, and anything the player should be told."""

    __slots__ = ("state", "slot", "notes", "moved")

    state: GameState
    slot: str
    notes: list[str]
    moved: bool

    def __init__(
        self, state: GameState, slot: str, notes: list[str] | None = None, moved: bool = False
    ) -> None:
        self.state = state
        self.slot = slot
        self.notes = [] if notes is None else notes
        self.moved = moved


class SaveStore:
    """The saves folder: named slots plus the autosave and quicksave."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_saves_dir()

    def ensure(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SaveError(
                f"cannot create the saves folder {self.root}: {exc.strerror or exc}"
            ) from None
        if self.root.is_symlink() and not self.root.resolve().is_dir():
            raise SaveError("the saves folder is a broken link")

    def path_for(self, slot: str) -> Path:
        validate_slot(slot)
        path = self.root / f"{slot}{SUFFIX}"
        if path.is_symlink():
            raise SaveError(f"the slot `{slot}` is a symbolic link; refusing to follow it")
        resolved_root = self.root.resolve()
        if path.resolve().parent != resolved_root:
            raise SaveError(f"the slot `{slot}` points outside the saves folder")
        return path

    # -- writing --------------------------------------------------------------------------
    def payload(self, slot: str, game: Game) -> dict[str, Any]:
        game.commit_time()
        story = game.story
        node = game.node
        chapter = story.chapters[node.chapter]
        payload: dict[str, Any] = {
            "format": SAVE_FORMAT,
            "schema": SAVE_SCHEMA,
            "slot": slot,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "story": {"id": story.id, "version": story.version, "hash": story.content_hash},
            "chapter": chapter.id,
            "chapter_title": chapter.title,
            "node_title": node.title,
            "play_time": round(game.state.play_time, 3),
            "turns": game.state.turns,
            "state": state_to_dict(game.state),
        }
        payload["checksum"] = checksum(payload)
        return payload

    def save(self, slot: str, game: Game) -> Path:
        path = self.path_for(slot)
        self.ensure()
        write_json(path, self.payload(slot, game))
        return path

    # -- reading --------------------------------------------------------------------------
    def read_payload(self, slot: str) -> dict[str, Any]:
        path = self.path_for(slot)
        try:
            data = read_regular(path, MAX_SAVE_BYTES)
        except FileNotFoundError:
            raise SaveError(f"there is no save called `{slot}`") from None
        except OSError as exc:
            if exc.errno == errno.EFBIG:
                raise SaveError(f"the save `{slot}` is too large to be a save file") from None
            if exc.errno == errno.ELOOP:
                raise SaveError(
                    f"the slot `{slot}` is a symbolic link; refusing to follow it"
                ) from None
            raise SaveError(f"cannot read the save `{slot}`: {exc.strerror or exc}") from None
        return parse_payload(data, slot)

    def load(self, slot: str, story: Story) -> LoadedSave:
        return restore(self.read_payload(slot), story, slot)

    def exists(self, slot: str) -> bool:
        try:
            return self.path_for(slot).is_file()
        except SaveError:
            return False

    def delete(self, slot: str) -> None:
        path = self.path_for(slot)
        try:
            path.unlink()
        except FileNotFoundError:
            raise SaveError(f"there is no save called `{slot}`") from None
        except OSError as exc:
            raise SaveError(f"cannot delete `{slot}`: {exc.strerror or exc}") from None

    def slots(self) -> list[SlotInfo]:
        """Every slot in the folder, newest first; unreadable ones carry a problem."""
        if not self.root.is_dir():
            return []
        try:
            paths = sorted(self.root.iterdir())
        except OSError:
            return []
        found: list[SlotInfo] = []
        for path in paths:
            if not path.name.endswith(SUFFIX) or path.name.startswith("."):
                continue
            name = path.name[: -len(SUFFIX)]
            info = SlotInfo(_shown(name), path)
            try:
                payload = self.read_payload(name)
            except SaveError as exc:
                info.problem = exc.message
                with contextlib.suppress(OSError):
                    info.saved_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(
                        timespec="seconds"
                    )
            else:
                # The checksum only proves the file is as written, not that a hand-edited
                # field has the right type: show what fits and leave the rest blank.
                info.saved_at = _shown(_field(payload, "saved_at", str, ""))
                info.chapter_title = _shown(_field(payload, "chapter_title", str, ""))
                info.node_title = _shown(_field(payload, "node_title", str, ""))
                info.play_time = float(_field(payload, "play_time", (int, float), 0.0))
                if not 0 <= info.play_time < 10**9:  # also NaN and infinity
                    info.play_time = 0.0
                info.turns = int(_field(payload, "turns", int, 0))
                info.story_id = _shown(_field(payload["story"], "id", str, ""))
            found.append(info)
        found.sort(key=lambda s: s.saved_at, reverse=True)
        return found

    def latest(self, story_id: str | None = None) -> SlotInfo | None:
        for info in self.slots():
            if info.ok and (story_id is None or info.story_id == story_id):
                return info
        return None


def _shown(text: str) -> str:
    """Text from a save file made safe to show: no control characters, bounded length."""
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 1] + "…"
    return sanitize(text)


def _field(payload: dict[str, Any], key: str, kind: Any, default: Any) -> Any:
    """``payload[key]`` when it has the expected type (booleans are never numbers)."""
    value = payload.get(key, default)
    if isinstance(value, bool) or not isinstance(value, kind):
        return default
    return value


def parse_payload(data: bytes, slot: str) -> dict[str, Any]:
    """Bytes to a checked save payload, or SaveError. Never raises anything else."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError(
            f"the save `{slot}` is damaged (not text)",
            "it may have been corrupted on disk; other slots are unaffected",
        ) from None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise SaveError(
            f"the save `{slot}` is damaged or cut short",
            "it may have been corrupted on disk; other slots are unaffected",
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != SAVE_FORMAT:
        raise SaveError(f"`{slot}` is not a rougegame save file")
    schema = payload.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise SaveError(f"the save `{slot}` has no valid format version")
    if schema > SAVE_SCHEMA:
        raise SaveError(
            f"the save `{slot}` was made by a newer version of rougegame",
            "update the game to load it",
        )
    try:
        expected = checksum(payload)
    except (ValueError, RecursionError):  # a lone surrogate, or nesting no save has
        expected = None
    if expected is None or payload.get("checksum") != expected:
        raise SaveError(
            f"the save `{slot}` failed its checksum: it was changed or damaged",
            "other slots are unaffected",
        )
    story = payload.get("story")
    if not isinstance(story, dict) or not isinstance(payload.get("state"), dict):
        raise SaveError(f"the save `{slot}` is missing its story or state")
    return payload


def _expect(cond: bool, slot: str, what: str) -> None:
    if not cond:
        raise SaveError(f"the save `{slot}` is malformed: {what}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def restore(payload: dict[str, Any], story: Story, slot: str) -> LoadedSave:
    """Turn a checked payload into a GameState for ``story``, migrating when the story changed."""
    info = payload["story"]
    if info.get("id") != story.id:
        other = info.get("id")
        raise SaveError(
            f"the save `{slot}` belongs to another story ({_shown(repr(other)[:60])})",
            f"this is {story.id!r}",
        )
    raw = payload["state"]
    notes: list[str] = []
    node = raw.get("node")
    _expect(isinstance(node, str), slot, "no current node")
    values = raw.get("vars", {})
    _expect(isinstance(values, dict), slot, "variables are not a mapping")
    variables: dict[str, Any] = {}
    for name, var in story.variables.items():
        value = values.get(name, var.initial)
        same = (
            isinstance(value, bool) == isinstance(var.initial, bool)
            and isinstance(value, str) == isinstance(var.initial, str)
            and isinstance(value, (bool, int, float, str))
        )
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            same = same and abs(value) <= MAX_NUMBER  # also refuses NaN and infinity
        if not same:
            notes.append(f"`{name}` had a value of the wrong type and was reset")
            value = var.initial
        if isinstance(value, str) and len(value) > 10_000:
            value = var.initial
        variables[name] = var.clamp(value)
    visits_raw = raw.get("visits", {})
    _expect(isinstance(visits_raw, dict), slot, "visit counts are not a mapping")
    visits = {
        k: v for k, v in visits_raw.items() if k in story.nodes and _is_int(v) and 0 <= v < 10**9
    }
    once_raw = raw.get("once", [])
    _expect(isinstance(once_raw, list), slot, "once-only choices are not a list")
    once = {x for x in once_raw if isinstance(x, str) and x.split("#", 1)[0] in story.nodes}
    unlocked_raw = raw.get("unlocked", {})
    _expect(isinstance(unlocked_raw, dict), slot, "codex unlocks are not a mapping")
    unlocked = {k: (v if _is_int(v) else 0) for k, v in unlocked_raw.items() if k in story.codex}
    turns = raw.get("turns", 0)
    play_time = raw.get("play_time", 0.0)
    _expect(_is_int(turns) and turns >= 0, slot, "turns is not a whole number")
    _expect(
        isinstance(play_time, (int, float))
        and not isinstance(play_time, bool)
        and 0 <= play_time < 10**9,
        slot,
        "play time is not a number",
    )
    path_raw = raw.get("path", [])
    _expect(isinstance(path_raw, list), slot, "the choice path is not a list")
    path: list[tuple[str, int]] = []
    for item in path_raw:
        _expect(
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], str)
            and _is_int(item[1]),
            slot,
            "a step of the choice path is malformed",
        )
        path.append((item[0], item[1]))
    if len(path) > MAX_PATH:  # replaying it would freeze the game; the state itself is fine
        path = []
        notes.append("This save's history is too long to rebuild; undo starts afresh.")
    location = raw.get("location")
    location = _shown(location) if isinstance(location, str) else None
    moved = False
    if node not in story.nodes:
        chapter = payload.get("chapter")
        if isinstance(chapter, str) and chapter in story.chapters:
            fallback = story.first_node(chapter)
            where = f"the start of “{story.chapters[chapter].title}”"
        else:
            fallback = story.start
            where = "the start of the story"
        notes.insert(
            0,
            f"The passage this save was made at no longer exists in this version "
            f"of the story; you continue from {where}.",
        )
        node = fallback
        moved = True
    elif info.get("hash") != story.content_hash:
        notes.append(
            "This save was made with another version of the story; "
            "new variables start at their defaults."
        )
    state = GameState(
        node, variables, visits, once, unlocked, turns, float(play_time), path, location
    )
    return LoadedSave(state, slot, notes, moved)
