"""The endings gallery: every ending of the story, found or still a mystery, across playthroughs."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rougegame.ui.text import local_time

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp


class GalleryScreen(ModalScreen[None]):
    """One row per ending; the ones not found yet keep their titles hidden."""

    CSS_PATH = "gallery.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,e", "close", "Close")]

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        endings = self.rouge.session.endings()
        found = sum(1 for e in endings if e[2] is not None)
        with Vertical(id="panel") as panel:
            panel.border_title = "Endings"
            panel.border_subtitle = f"{found} of {len(endings)} found"
            with VerticalScroll(id="list"):
                if not endings:
                    yield Static(Text("This story has no endings yet."), classes="ending -locked")
                for n, (_eid, title, first, times) in enumerate(endings, 1):
                    if first is None:
                        line = Content.assemble(
                            (f"{n:>2}  ", "$foreground-muted"),
                            ("◇  ", "$foreground-muted"),
                            ("? ? ?", "$foreground-muted bold"),
                            ("\n       Not found yet.", "$foreground-muted italic"),
                        )
                        yield Static(line, classes="ending -locked")
                    else:
                        reached = f"first reached {local_time(first)}"
                        if times > 1:
                            reached += f" · reached {times} times"
                        line = Content.assemble(
                            (f"{n:>2}  ", "$foreground-muted"),
                            ("◆  ", "$primary bold"),
                            (title, "bold"),
                            (f"\n       {reached}", "$foreground-muted italic"),
                        )
                        yield Static(line, classes="ending -found")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
