"""Settings and the endings gallery: round trips, and damaged files that never stop the game."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rougegame.engine import profile as prof
from rougegame.engine.profile import (
    PROFILE_FILE,
    SETTINGS_FILE,
    Profile,
    Settings,
    load_profile,
    load_settings,
    save_profile,
    save_settings,
)
from rougegame.engine.saves import SaveError


def test_missing_files_give_defaults_silently(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == (Settings(), None)
    profile, note = load_profile(tmp_path)
    assert note is None
    assert profile.endings == {} and profile.known("x") == set()


def test_settings_round_trip(tmp_path: Path) -> None:
    settings = Settings(
        theme="dusk", typewriter=False, typewriter_speed=160, watch_story=True, keys={"undo": "b"}
    )
    save_settings(tmp_path / "new", settings)
    assert load_settings(tmp_path / "new") == (settings, None)
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == [SETTINGS_FILE]


def test_invalid_settings_are_reset_and_named(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).write_text(
        json.dumps(
            {
                "theme": "",
                "typewriter": "yes",
                "typewriter_speed": 10**6,
                "confirm_quit": False,
                "keys": {"undo": "u", "quit": 5},
            }
        )
    )
    settings, note = load_settings(tmp_path)
    assert settings.theme == prof.DEFAULT_THEME
    assert settings.typewriter is True
    assert settings.typewriter_speed == prof.TYPEWRITER_SPEEDS["normal"]
    assert settings.confirm_quit is False
    assert settings.keys == {"undo": "u"}
    assert (
        note
        == "Some settings were invalid and reset: theme, typewriter, typewriter_speed, keys.quit."
    )
    (tmp_path / SETTINGS_FILE).write_text(json.dumps({"keys": [], "typewriter_speed": True}))
    assert load_settings(tmp_path)[1] == (
        "Some settings were invalid and reset: typewriter_speed, keys."
    )


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{", "settings.json is damaged"),
        (b"\xff\xfe", "settings.json is damaged"),
        (b"[1]", "settings.json is damaged"),
    ],
)
def test_unreadable_settings_fall_back_with_a_note(
    tmp_path: Path, content: bytes, why: str
) -> None:
    (tmp_path / SETTINGS_FILE).write_bytes(content)
    settings, note = load_settings(tmp_path)
    assert settings == Settings()
    assert note == f"The settings file could not be read ({why}); using defaults."


def test_an_oversized_or_unreadable_file(tmp_path: Path) -> None:
    with (tmp_path / PROFILE_FILE).open("wb") as f:
        f.truncate(prof.MAX_FILE_BYTES + 1)
    assert load_profile(tmp_path)[1] == (
        "The endings gallery could not be read (profile.json is too large); starting a fresh one."
    )
    (tmp_path / SETTINGS_FILE).mkdir()
    note = load_settings(tmp_path)[1]
    assert note is not None and "cannot read settings.json" in note


def test_the_gallery_records_endings_and_codex_entries(tmp_path: Path) -> None:
    profile = Profile()
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert profile.record_ending("tour", "through", "Through the Lock", when) is True
    assert profile.record_ending("tour", "through", "Through, renamed") is False
    record = profile.endings_for("tour")["through"]
    assert (record.title, record.first_reached, record.times) == (
        "Through, renamed",
        "2026-01-02T03:04:05+00:00",
        2,
    )
    assert profile.endings_for("other") == {}
    assert profile.learn("tour", ["keeper", "quay"]) is True
    assert profile.learn("tour", {"quay"}) is False
    assert profile.mark_seen("tour", ["keeper"]) is True
    assert profile.mark_seen("tour", ["keeper"]) is False
    assert (profile.known("tour"), profile.seen("tour")) == ({"keeper", "quay"}, {"keeper"})

    save_profile(tmp_path, profile)
    loaded, note = load_profile(tmp_path)
    assert note is None
    assert loaded == profile


def test_a_damaged_gallery_keeps_what_it_can(tmp_path: Path) -> None:
    (tmp_path / PROFILE_FILE).write_text(
        json.dumps(
            {
                "endings": {
                    "tour": {
                        "good": {"title": "Good", "first_reached": "2026", "times": 1},
                        "bad": {"title": "Bad", "first_reached": "2026", "times": 0},
                    },
                    "broken": [],
                },
                "codex_known": {"tour": ["a", 5]},
                "codex_seen": "nope",
            }
        )
    )
    profile, note = load_profile(tmp_path)
    assert note == "Part of the endings gallery was damaged and has been skipped."
    assert list(profile.endings_for("tour")) == ["good"]
    assert profile.known("tour") == {"a"}
    assert profile.seen("tour") == set()
    (tmp_path / PROFILE_FILE).write_text(json.dumps({"endings": [], "codex_known": {"t": "x"}}))
    profile, note = load_profile(tmp_path)
    assert note is not None and profile.endings == {}


def test_an_unwritable_folder_is_a_save_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SaveError, match="cannot create the folder"):
        save_settings(blocker / "sub", Settings())
    with pytest.raises(SaveError, match="cannot create the folder"):
        save_profile(blocker / "sub", Profile())
