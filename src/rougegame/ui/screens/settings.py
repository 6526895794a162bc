"""Settings: theme, typewriter text and its speed, confirm on quit, watching the story files.

Every change applies at once and is written to the settings file in the saves folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Select, Static, Switch

from rougegame.engine.profile import SETTINGS_FILE, TYPEWRITER_SPEEDS

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp


class SettingsScreen(ModalScreen[None]):
    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        app = self.rouge
        settings = app.settings
        themes = sorted(app.available_themes)
        speeds = [
            (f"{name.title()} ({cps} letters/s)", cps) for name, cps in TYPEWRITER_SPEEDS.items()
        ]
        if settings.typewriter_speed not in TYPEWRITER_SPEEDS.values():
            speeds.append(
                (f"Custom ({settings.typewriter_speed} letters/s)", settings.typewriter_speed)
            )
        with Vertical(id="panel") as panel:
            panel.border_title = "Settings"
            with VerticalScroll(id="rows"):
                with Horizontal(classes="setting"):
                    yield Label("Theme", classes="setting-label")
                    yield Select(
                        [(name, name) for name in themes],
                        value=app.theme,
                        allow_blank=False,
                        id="theme",
                    )
                with Horizontal(classes="setting"):
                    yield Label("Typewriter text", classes="setting-label")
                    yield Switch(settings.typewriter, id="typewriter")
                with Horizontal(classes="setting"):
                    yield Label("Typing speed", classes="setting-label")
                    yield Select(
                        speeds, value=settings.typewriter_speed, allow_blank=False, id="speed"
                    )
                with Horizontal(classes="setting"):
                    yield Label("Confirm before quitting", classes="setting-label")
                    yield Switch(settings.confirm_quit, id="confirm_quit")
                with Horizontal(classes="setting"):
                    yield Label("Reload the story when its files change", classes="setting-label")
                    yield Switch(settings.watch_story, id="watch_story")
                yield Static(
                    Text(
                        f"Saved to {app.session.root / SETTINGS_FILE}. Keys can be remapped "
                        'in its "keys" section, e.g. {"undo": "b"}; ? lists the key ids.'
                    ),
                    id="where",
                )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#theme", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        app = self.rouge
        value = event.value
        if event.select.id == "theme" and isinstance(value, str) and value != app.theme:
            app.theme = value  # the app saves theme changes, wherever they come from
        elif (
            event.select.id == "speed"
            and isinstance(value, int)
            and value != app.settings.typewriter_speed
        ):
            app.settings.typewriter_speed = value
            app.save_settings()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        app = self.rouge
        name = event.switch.id or ""
        if name not in ("typewriter", "confirm_quit", "watch_story"):
            return
        if getattr(app.settings, name) == event.value:
            return
        setattr(app.settings, name, event.value)
        if name == "watch_story":
            app.set_watching(event.value)
        app.save_settings()

    def action_close(self) -> None:
        self.dismiss(None)
