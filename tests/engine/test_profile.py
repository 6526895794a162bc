"""The settings and profile files: round trips, atomic writes, and damaged files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

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


def test_settings_round_trip(tmp_path: Path) -> None:
    settings = Settings(
        theme="nord",
        typewriter=False,
        typewriter_speed=160,
        confirm_quit=False,
        watch_story=True,
        keys={"undo": "b"},
    )
    save_settings(tmp_path / "new", settings)
    loaded, note = load_settings(tmp_path / "new")
    assert note is None
    assert loaded == settings
    assert not list((tmp_path / "new").glob(".*.tmp"))  # the temporary file was renamed away


def test_missing_settings_are_the_defaults_without_a_note(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == (Settings(), None)


@pytest.mark.parametrize("content", [b"{", b"\xff\xfe", b"[1, 2]", b"null", b'"text"'])
def test_damaged_settings_fall_back_to_defaults(tmp_path: Path, content: bytes) -> None:
    (tmp_path / SETTINGS_FILE).write_bytes(content)
    settings, note = load_settings(tmp_path)
    assert settings == Settings()
    assert note is not None and "defaults" in note


def test_invalid_values_are_reset_one_by_one(tmp_path: Path) -> None:
    raw = {
        "theme": 3,
        "typewriter": "yes",
        "typewriter_speed": 10**9,
        "confirm_quit": False,
        "keys": {"undo": "b", "save": 5},
    }
    (tmp_path / SETTINGS_FILE).write_text(json.dumps(raw))
    settings, note = load_settings(tmp_path)
    assert settings.confirm_quit is False
    assert settings.theme == Settings().theme
    assert settings.typewriter is True
    assert settings.typewriter_speed == Settings().typewriter_speed
    assert settings.keys == {"undo": "b"}
    assert note is not None
    for name in ("theme", "typewriter", "typewriter_speed", "keys.save"):
        assert name in note


def test_profile_records_endings_and_counts_repeats(tmp_path: Path) -> None:
    profile = Profile()
    when = datetime(2128, 1, 10, 21, 0, tzinfo=UTC)
    assert profile.record_ending("s", "dawn", "A Quiet Dawn", when) is True
    assert profile.record_ending("s", "dawn", "A Quiet Dawn") is False
    assert profile.record_ending("other", "dawn", "Elsewhere") is True
    assert profile.learn("s", ["a", "b"]) is True
    assert profile.learn("s", ["a"]) is False
    assert profile.mark_seen("s", ["a"]) is True
    save_profile(tmp_path, profile)
    loaded, note = load_profile(tmp_path)
    assert note is None
    record = loaded.endings_for("s")["dawn"]
    assert (record.title, record.times, record.first_reached) == (
        "A Quiet Dawn",
        2,
        "2128-01-10T21:00:00+00:00",
    )
    assert loaded.endings_for("other")["dawn"].title == "Elsewhere"
    assert loaded.known("s") == {"a", "b"}
    assert loaded.seen("s") == {"a"}
    assert loaded.endings_for("missing") == {}


def test_a_damaged_profile_keeps_what_it_can(tmp_path: Path) -> None:
    raw = {
        "endings": {
            "s": {
                "good": {"title": "Good", "first_reached": "2128-01-01T00:00:00+00:00", "times": 1},
                "bad": {"title": 7, "first_reached": "x", "times": 1},
            },
            "t": "not a mapping",
        },
        "codex_known": {"s": ["a", 3]},
        "codex_seen": [],
    }
    (tmp_path / PROFILE_FILE).write_text(json.dumps(raw))
    profile, note = load_profile(tmp_path)
    assert set(profile.endings_for("s")) == {"good"}
    assert profile.known("s") == {"a"}
    assert note is not None and "skipped" in note


def test_an_unreadable_profile_starts_fresh(tmp_path: Path) -> None:
    (tmp_path / PROFILE_FILE).write_text("{{{")
    profile, note = load_profile(tmp_path)
    assert profile == Profile()
    assert note is not None and "fresh" in note


def test_writing_into_a_file_instead_of_a_folder_is_a_save_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SaveError):
        save_settings(blocker / "sub", Settings())
