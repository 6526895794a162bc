"""The title screen: the wordmark over Canal City, and the main menu."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Center, Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from rougegame import __version__
from rougegame.ui.keys import APP_KEYS, TITLE_KEYS, GameKey, bindings, effective_key
from rougegame.ui.screens.mode import ModeScreen
from rougegame.ui.text import short_duration
from rougegame.ui.widgets.logo import Logo

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp

MENU_WIDTH = 40
# (action, label, key id)
MENU = (
    ("continue_game", "Continue", "continue"),
    ("new_game", "New game", "new_game"),
    ("load", "Load", "load"),
    ("endings", "Endings", "endings"),
    ("codex", "Codex", "codex"),
    ("settings", "Settings", "settings"),
    ("about", "About", "about"),
    ("quit_game", "Quit", "quit"),
)
_KEYS: dict[str, GameKey] = {k.id: k for k in (*TITLE_KEYS, *APP_KEYS)}


class TitleScreen(ModeScreen):
    """New game, Continue (when there is something to continue), Load, and the rest."""

    CSS_PATH = "title.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(bindings(TITLE_KEYS))
    AUTO_FOCUS = "#menu"

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="stack"):
            with Center():
                yield Logo()
            yield Static("CANAL CITY  ·  MARS  ·  2128", id="tagline", markup=False)
            yield Static(Content(self.rouge.story.title), id="story-title")
            with Center(id="menu-row"):
                yield OptionList(id="menu")
        yield Static(Content(f"An unofficial fan game  ·  rougegame {__version__}"), id="colophon")

    def on_screen_resume(self) -> None:
        self.build_menu()

    def on_mount(self) -> None:
        self.build_menu()

    def _label(self, label: str, key_id: str, detail: str = "") -> Content:
        key = _KEYS.get(key_id)
        shown = ""
        if key is not None:
            first = effective_key(key, self.rouge.keymap).split(",")[0]
            shown = key.key_display or self.rouge.get_key_display_for(first)
        room = MENU_WIDTH - 6 - len(shown)
        parts: list[str | tuple[str, str]] = [(f"{label:<{room}}", "bold"), (shown, "$accent")]
        if detail:
            parts.append((f"\n{detail[: MENU_WIDTH - 6]}", "$foreground-muted italic"))
        return Content.assemble(*parts)

    def build_menu(self) -> None:
        app = self.rouge
        self.query_one("#story-title", Static).update(Content(app.story.title))
        menu = self.query_one("#menu", OptionList)
        current = menu.highlighted_option.id if menu.highlighted_option else None
        options: list[Option] = []
        for action, label, key_id in MENU:
            detail = ""
            if action == "continue_game":
                game = app.session.game
                if game is not None:
                    label = "Resume"
                    node = game.node
                    detail = f"{app.story.chapters[node.chapter].title} · {node.title}"
                else:
                    info = app.session.continue_info()
                    if info is None:
                        continue
                    detail = (
                        f"{info.chapter_title} · {info.node_title} · "
                        f"{short_duration(info.play_time)}"
                    )
            options.append(Option(self._label(label, key_id, detail), id=action))
        menu.set_options(options)
        ids = [o.id for o in options]
        menu.highlighted = ids.index(current) if current in ids else 0

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            await self.app.run_action(f"app.{event.option.id}")
