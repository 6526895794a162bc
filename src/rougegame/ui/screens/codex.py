"""The codex (journal): characters, places and lore the player has unlocked.

Entries unlocked since the codex was last opened are marked new. Opened from the title screen,
it shows every entry ever unlocked in any playthrough of the story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from rougegame.story.model import CODEX_SECTIONS
from rougegame.ui.session import CodexItem
from rougegame.ui.text import literal

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp

SECTION_TITLES = {"characters": "Characters", "places": "Places", "lore": "Lore"}


class CodexScreen(ModalScreen[None]):
    """A list of entries by section beside the text of the highlighted one."""

    CSS_PATH = "codex.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,j", "close", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, CodexItem] = {}

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        story = self.rouge.story
        items = self.rouge.session.codex()
        self.by_id = {item.entry.id: item for item in items}
        with Vertical(id="panel") as panel:
            total = len(story.codex)
            panel.border_title = "Codex"
            panel.border_subtitle = f"{len(items)} of {total} entries"
            if not items:
                yield Static(
                    Text(
                        "Nothing here yet. People, places and secrets you come across "
                        "are written down here."
                    ),
                    id="nothing",
                )
            else:
                with Horizontal():
                    yield OptionList(*self._options(items), id="entries")
                    with VerticalScroll(id="detail"):
                        yield Static(id="entry-section")
                        yield Static(id="entry-title")
                        yield Static(id="entry-text")
        yield Footer()

    def _options(self, items: list[CodexItem]) -> list[Option | None]:
        options: list[Option | None] = []
        for section in CODEX_SECTIONS:
            members = [i for i in items if i.entry.section == section]
            if not members:
                continue
            if options:
                options.append(None)
            heading = Content.assemble((SECTION_TITLES[section].upper(), "bold $secondary"))
            options.append(Option(heading, id=f"section:{section}", disabled=True))
            for item in members:
                parts: list[str | tuple[str, str]] = [
                    ("● " if item.new else "  ", "$accent bold"),
                    item.entry.title,
                ]
                options.append(Option(Content.assemble(*parts), id=item.entry.id))
        return options

    def on_mount(self) -> None:
        if self.by_id:
            entries = self.query_one("#entries", OptionList)
            entries.focus()
            first = next(i for i, o in enumerate(entries.options) if not o.disabled)
            entries.highlighted = first
        warning = self.rouge.session.mark_codex_seen()
        if warning:
            self.rouge.say(warning, "error")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        item = self.by_id.get(event.option.id or "")
        if item is None:
            return
        entry = item.entry
        section = Content.assemble(
            (SECTION_TITLES.get(entry.section, entry.section).upper(), "$secondary"),
            ("   NEW", "$accent bold") if item.new else "",
        )
        self.query_one("#entry-section", Static).update(section)
        self.query_one("#entry-title", Static).update(literal(entry.title))
        text = self.query_one("#entry-text", Static)
        text.update(literal(entry.text))
        # Measure again once the dialog has its final size (the first layout can be narrower).
        self.call_after_refresh(text.refresh, layout=True)

    def action_close(self) -> None:
        self.dismiss(None)
