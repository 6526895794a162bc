"""Every key of the game in one table: the bindings, the Help screen and the command palette.

Each :class:`GameKey` becomes a Textual ``Binding`` with an id, so players can remap it from the
``keys`` section of the settings file (``{"undo": "b,ctrl+z"}``). The Help screen and the command
palette read this same table, so they never disagree with what the keys really do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding

from rougegame.records import FrozenRecord

PLAYING = "Playing"
SAVES = "Saves"
SCREENS = "Screens"
GAME = "Game"

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023

_set = object.__setattr__


class GameKey(FrozenRecord):
    """A key of the game: its id (for remapping), default key, action, label and help text."""

    __slots__ = (
        "id",
        "key",
        "action",
        "description",
        "section",
        "help",
        "show",
        "palette",
        "key_display",
        "priority",
        "namespace",
    )

    id: str
    key: str  # one or more keys, comma-separated
    action: str  # an action of the app
    description: str  # short, for the footer and the palette
    section: str
    help: str  # one line for the Help screen and the palette
    show: bool  # in the footer
    palette: bool  # in the command palette
    key_display: str | None
    priority: bool
    namespace: str  # where the action lives: "app" or "screen"

    def __init__(
        self,
        id: str,
        key: str,
        action: str,
        description: str,
        section: str,
        help: str = "",
        show: bool = True,
        palette: bool = True,
        key_display: str | None = None,
        priority: bool = False,
        namespace: str = "app",
    ) -> None:
        _set(self, "id", id)
        _set(self, "key", key)
        _set(self, "action", action)
        _set(self, "description", description)
        _set(self, "section", section)
        _set(self, "help", help)
        _set(self, "show", show)
        _set(self, "palette", palette)
        _set(self, "key_display", key_display)
        _set(self, "priority", priority)
        _set(self, "namespace", namespace)

    def binding(self) -> Binding:
        return Binding(
            self.key,
            f"{self.namespace}.{self.action}",
            self.description,
            show=self.show,
            key_display=self.key_display,
            priority=self.priority,
            id=self.id,
        )


CHOICE_KEYS = tuple(
    GameKey(
        f"choose_{n}",
        str(n),
        f"choose({n})",
        f"Choice {n}",
        PLAYING,
        show=False,
        palette=False,
    )
    for n in range(1, 10)
)

LOAD = GameKey("load", "l", "load", "Load", SAVES, "Load a saved game")
CODEX = GameKey("codex", "j", "codex", "Codex", SCREENS, "The journal: people, places, lore")

# Keys of the story screen (they act on the game in progress).
STORY_KEYS: tuple[GameKey, ...] = (
    *CHOICE_KEYS,
    GameKey("undo", "u,ctrl+z", "undo", "Undo", PLAYING, "Take back the last choice"),
    GameKey("save", "s", "save", "Save", SAVES, "Save to a slot"),
    LOAD,
    GameKey(
        "quicksave", "f5", "quicksave", "Quicksave", SAVES, "Save to the quicksave slot", show=False
    ),
    GameKey(
        "quickload", "f9", "quickload", "Quickload", SAVES, "Load the quicksave slot", show=False
    ),
    CODEX,
    GameKey("dossier", "d", "dossier", "Dossier", SCREENS, "The Immortal Nine, card by card"),
    GameKey("history", "h", "history", "History", SCREENS, "Every passage and choice so far"),
    GameKey("title", "escape", "title", "Menu", GAME, "Back to the title screen", show=False),
    GameKey(
        "scroll_up",
        "pageup,shift+up",
        "scroll_story(-1)",
        "Scroll up",
        PLAYING,
        "Read back through the earlier passages",
        show=False,
        palette=False,
        namespace="screen",
    ),
    GameKey(
        "scroll_down",
        "pagedown,shift+down",
        "scroll_story(1)",
        "Scroll down",
        PLAYING,
        "Scroll towards the current passage",
        show=False,
        palette=False,
        namespace="screen",
    ),
)

# Keys that work everywhere.
APP_KEYS: tuple[GameKey, ...] = (
    GameKey("help", "question_mark,f1", "help", "Help", GAME, "Every key", key_display="?"),
    GameKey(
        "settings", "o", "settings", "Settings", GAME, "Theme, text speed, quitting", show=False
    ),
    GameKey(
        "reload",
        "ctrl+r",
        "reload",
        "Reload story",
        GAME,
        "Read the story files again, keeping your place",
        show=False,
    ),
    GameKey("quit", "q", "quit_game", "Quit", GAME, "Quit (your progress is autosaved)"),
    GameKey(
        "quit_now",
        "ctrl+c",
        "quit_now",
        "Quit now",
        GAME,
        "Autosave and quit at once",
        show=False,
        palette=False,
        priority=True,
    ),
)

# Keys of the title screen's menu.
TITLE_KEYS: tuple[GameKey, ...] = (
    GameKey("continue", "c", "continue_game", "Continue", GAME, "Continue from the autosave"),
    GameKey("new_game", "n", "new_game", "New game", GAME, "Start the story from the beginning"),
    GameKey("endings", "e", "endings", "Endings", SCREENS, "The endings you have found"),
    GameKey("about", "a", "about", "About", SCREENS, "Credits and the story behind the game"),
    LOAD,
    CODEX,
)


def all_keys() -> list[GameKey]:
    """Every key once, in the order the Help screen lists them."""
    seen: set[str] = set()
    out: list[GameKey] = []
    for key in (*STORY_KEYS, *TITLE_KEYS, *APP_KEYS):
        if key.id not in seen:
            seen.add(key.id)
            out.append(key)
    return out


def bindings(keys: Iterable[GameKey]) -> list[Binding]:
    return [k.binding() for k in keys]


def effective_key(game_key: GameKey, keymap: Mapping[str, str]) -> str:
    """The keys that trigger ``game_key`` once the player's remapping is applied."""
    return keymap.get(game_key.id, game_key.key)


def known_ids() -> set[str]:
    return {k.id for k in all_keys()}
