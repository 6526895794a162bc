"""The player's settings and profile: small JSON files in the saves folder.

``settings.json`` holds the preferences (theme, typewriter text, confirm on quit, watching the
story's files, remapped keys). ``profile.json`` holds what outlives a playthrough: the endings
reached (the gallery) and the codex entries ever unlocked and already read, per story.

Both are written atomically with :func:`rougegame.engine.saves.write_json`. Both are untrusted
input: a damaged or hand-edited file never stops the game; what can be read is kept, the rest falls
back to defaults, and the loader returns a note saying so for the player.
"""

from __future__ import annotations

import errno
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rougegame.engine.saves import SaveError, read_regular, write_json
from rougegame.records import Record

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023

SETTINGS_FILE = "settings.json"
PROFILE_FILE = "profile.json"
MAX_FILE_BYTES = 1024 * 1024
DEFAULT_THEME = "rouge-redstar"
TYPEWRITER_SPEEDS = {"slow": 30, "normal": 70, "fast": 160}
MIN_SPEED, MAX_SPEED = 5, 2000


class Settings(Record):
    """The player's preferences."""

    __slots__ = ("theme", "typewriter", "typewriter_speed", "confirm_quit", "watch_story", "keys")

    theme: str
    typewriter: bool
    typewriter_speed: int  # characters per second
    confirm_quit: bool
    watch_story: bool
    keys: dict[str, str]  # binding id -> keys, e.g. "b,ctrl+z"

    def __init__(
        self,
        theme: str = DEFAULT_THEME,
        typewriter: bool = True,
        typewriter_speed: int = TYPEWRITER_SPEEDS["normal"],
        confirm_quit: bool = True,
        watch_story: bool = False,
        keys: dict[str, str] | None = None,
    ) -> None:
        self.theme = theme
        self.typewriter = typewriter
        self.typewriter_speed = typewriter_speed
        self.confirm_quit = confirm_quit
        self.watch_story = watch_story
        self.keys = {} if keys is None else keys

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "typewriter": self.typewriter,
            "typewriter_speed": self.typewriter_speed,
            "confirm_quit": self.confirm_quit,
            "watch_story": self.watch_story,
            "keys": dict(self.keys),
        }


class EndingRecord(Record):
    """One ending in the gallery."""

    __slots__ = ("id", "title", "first_reached", "times")

    id: str
    title: str
    first_reached: str  # ISO 8601, UTC
    times: int

    def __init__(self, id: str, title: str, first_reached: str, times: int = 1) -> None:
        self.id = id
        self.title = title
        self.first_reached = first_reached
        self.times = times


class Profile(Record):
    """What the player has reached across playthroughs, per story id."""

    __slots__ = ("endings", "codex_known", "codex_seen")

    endings: dict[str, dict[str, EndingRecord]]
    codex_known: dict[str, set[str]]
    codex_seen: dict[str, set[str]]

    def __init__(
        self,
        endings: dict[str, dict[str, EndingRecord]] | None = None,
        codex_known: dict[str, set[str]] | None = None,
        codex_seen: dict[str, set[str]] | None = None,
    ) -> None:
        self.endings = {} if endings is None else endings
        self.codex_known = {} if codex_known is None else codex_known
        self.codex_seen = {} if codex_seen is None else codex_seen

    def endings_for(self, story_id: str) -> dict[str, EndingRecord]:
        return self.endings.get(story_id, {})

    def record_ending(
        self, story_id: str, ending_id: str, title: str, when: datetime | None = None
    ) -> bool:
        """Add a reached ending; True when it is new to the gallery."""
        found = self.endings.setdefault(story_id, {})
        record = found.get(ending_id)
        if record is not None:
            record.times += 1
            record.title = title
            return False
        stamp = (when or datetime.now(UTC)).isoformat(timespec="seconds")
        found[ending_id] = EndingRecord(ending_id, title, stamp)
        return True

    def learn(self, story_id: str, codex_ids: set[str] | list[str]) -> bool:
        """Remember codex entries as unlocked at least once; True when any is new."""
        known = self.codex_known.setdefault(story_id, set())
        before = len(known)
        known.update(codex_ids)
        return len(known) != before

    def mark_seen(self, story_id: str, codex_ids: set[str] | list[str]) -> bool:
        seen = self.codex_seen.setdefault(story_id, set())
        before = len(seen)
        seen.update(codex_ids)
        return len(seen) != before

    def seen(self, story_id: str) -> set[str]:
        return self.codex_seen.get(story_id, set())

    def known(self, story_id: str) -> set[str]:
        return self.codex_known.get(story_id, set())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "rougegame-profile",
            "schema": 1,
            "endings": {
                story: {
                    eid: {"title": r.title, "first_reached": r.first_reached, "times": r.times}
                    for eid, r in sorted(records.items())
                }
                for story, records in sorted(self.endings.items())
            },
            "codex_known": {s: sorted(ids) for s, ids in sorted(self.codex_known.items())},
            "codex_seen": {s: sorted(ids) for s, ids in sorted(self.codex_seen.items())},
        }


# -- reading ------------------------------------------------------------------------------
def _read_json(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(mapping, None), (None, None) when there is no file, or (None, why it is unreadable)."""
    try:
        data = read_regular(path, MAX_FILE_BYTES)  # no links followed, no pipes waited on
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            return None, f"{path.name} is too large"
        return None, f"cannot read {path.name}: {exc.strerror or exc}"
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, f"{path.name} is damaged"
    if not isinstance(raw, dict):
        return None, f"{path.name} is damaged"
    return raw, None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def settings_from_dict(raw: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from a mapping; values of the wrong type keep their defaults and are named."""
    settings = Settings()
    bad: list[str] = []
    theme = raw.get("theme", settings.theme)
    if isinstance(theme, str) and 0 < len(theme) <= 100:
        settings.theme = theme
    else:
        bad.append("theme")
    for name in ("typewriter", "confirm_quit", "watch_story"):
        value = raw.get(name, getattr(settings, name))
        if isinstance(value, bool):
            setattr(settings, name, value)
        else:
            bad.append(name)
    speed = raw.get("typewriter_speed", settings.typewriter_speed)
    if _is_int(speed) and MIN_SPEED <= speed <= MAX_SPEED:
        settings.typewriter_speed = speed
    else:
        bad.append("typewriter_speed")
    keys = raw.get("keys", {})
    if isinstance(keys, dict):
        for binding_id, value in keys.items():
            if isinstance(binding_id, str) and isinstance(value, str) and 0 < len(value) <= 100:
                settings.keys[binding_id] = value
            else:
                bad.append(f"keys.{binding_id}")
    else:
        bad.append("keys")
    return settings, bad


def load_settings(folder: Path) -> tuple[Settings, str | None]:
    """The settings in ``folder``, and a note for the player when the file had problems."""
    path = folder / SETTINGS_FILE
    raw, problem = _read_json(path)
    if raw is None:
        if problem:
            return Settings(), f"The settings file could not be read ({problem}); using defaults."
        return Settings(), None
    settings, bad = settings_from_dict(raw)
    if bad:
        return settings, f"Some settings were invalid and reset: {', '.join(bad)}."
    return settings, None


def save_settings(folder: Path, settings: Settings) -> None:
    """Write the settings atomically; raises SaveError when the folder cannot be written."""
    _ensure(folder)
    write_json(folder / SETTINGS_FILE, settings.to_dict())


def profile_from_dict(raw: dict[str, Any]) -> tuple[Profile, bool]:
    """A profile from a mapping, skipping malformed records; True when something was skipped."""
    profile = Profile()
    skipped = False
    endings = raw.get("endings", {})
    if not isinstance(endings, dict):
        endings, skipped = {}, True
    for story, records in endings.items():
        if not isinstance(story, str) or not isinstance(records, dict):
            skipped = True
            continue
        for eid, rec in records.items():
            if (
                isinstance(eid, str)
                and isinstance(rec, dict)
                and isinstance(rec.get("title"), str)
                and isinstance(rec.get("first_reached"), str)
                and _is_int(rec.get("times"))
                and rec["times"] >= 1
            ):
                profile.endings.setdefault(story, {})[eid] = EndingRecord(
                    eid, rec["title"], rec["first_reached"], rec["times"]
                )
            else:
                skipped = True
    for key, target in (("codex_known", profile.codex_known), ("codex_seen", profile.codex_seen)):
        section = raw.get(key, {})
        if not isinstance(section, dict):
            skipped = True
            continue
        for story, ids in section.items():
            if isinstance(story, str) and isinstance(ids, list):
                target[story] = {i for i in ids if isinstance(i, str)}
                skipped = skipped or len(target[story]) != len(ids)
            else:
                skipped = True
    return profile, skipped


def load_profile(folder: Path) -> tuple[Profile, str | None]:
    """The profile in ``folder``, and a note for the player when the file had problems."""
    path = folder / PROFILE_FILE
    raw, problem = _read_json(path)
    if raw is None:
        if problem:
            return Profile(), (
                f"The endings gallery could not be read ({problem}); starting a fresh one."
            )
        return Profile(), None
    profile, skipped = profile_from_dict(raw)
    if skipped:
        return profile, "Part of the endings gallery was damaged and has been skipped."
    return profile, None


def save_profile(folder: Path, profile: Profile) -> None:
    """Write the profile atomically; raises SaveError when the folder cannot be written."""
    _ensure(folder)
    write_json(folder / PROFILE_FILE, profile.to_dict())


def _ensure(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SaveError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
