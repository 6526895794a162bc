"""Help: every key of the game, generated from the key table with the player's remapping applied."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rougegame.ui.keys import CHOICE_KEYS, GAME, PLAYING, SAVES, SCREENS, all_keys, effective_key

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp

SECTIONS = (PLAYING, SAVES, SCREENS, GAME)
KEY_WIDTH = 16


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,f1", "close", "Close")]

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def _keys_text(self, keys: str) -> str:
        return " / ".join(self.rouge.get_key_display_for(k.strip()) for k in keys.split(","))

    def rows(self) -> list[tuple[str, list[Content]]]:
        keymap = self.rouge.keymap
        choice_ids = {k.id for k in CHOICE_KEYS}
        out: list[tuple[str, list[Content]]] = []
        for section in SECTIONS:
            lines: list[Content] = []
            if section == PLAYING:
                numbers = [effective_key(k, keymap) for k in CHOICE_KEYS]
                shown = "1-9" if numbers == [str(n) for n in range(1, 10)] else ",".join(numbers)
                lines.append(
                    self._line(shown, "Choose", "take the numbered choice", "choose_1…choose_9")
                )
                lines.append(
                    self._line("↑ ↓ enter", "Choose", "highlight a choice and take it", "")
                )
            for key in all_keys():
                if key.section != section or key.id in choice_ids:
                    continue
                keys = self._keys_text(effective_key(key, keymap))
                lines.append(self._line(keys, key.description, key.help, key.id))
            if section == GAME:
                palette = self.rouge.get_key_display_for("ctrl+p")
                lines.append(self._line(palette, "Commands", "every action by name", ""))
            out.append((section, lines))
        return out

    def _line(self, keys: str, name: str, help_text: str, key_id: str) -> Content:
        return Content.assemble(
            (f"{keys:<{KEY_WIDTH}}", "$accent bold"),
            (name, "bold"),
            (f" · {help_text}" if help_text else "", "$foreground-muted"),
            (f"  [{key_id}]" if key_id else "", "dim"),
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="panel") as panel:
            panel.border_title = "Keys"
            panel.border_subtitle = Content("ids in [brackets] can be remapped in settings.json")
            with VerticalScroll(id="keys"):
                for section, lines in self.rows():
                    yield Static(Content(section.upper()), classes="help-section")
                    yield Static(Content("\n").join(lines), classes="help-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#keys", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
