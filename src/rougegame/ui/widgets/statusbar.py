"""The status bar of the story screen: chapter, location, Nectar, the Nine, play time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from rougegame.engine.game import Game
from rougegame.ui.text import clock
from rougegame.ui.widgets.gauge import NectarGauge

NINE_GLYPHS = {
    "unknown": ("·", "dim"),
    "located": ("◆", "$warning bold"),
    "eliminated": ("×", "$error bold"),
    "spared": ("◇", "$accent bold"),
}


def nine_summary(statuses: list[str], compact: bool = False) -> Content:
    """``NINE ◆◆×······ 3/9 found · 1 resolved``; compact: ``NINE ◆◆×······ 3/9 ✓1``."""
    parts: list[str | tuple[str, str]] = [("NINE ", "bold")]
    for status in statuses:
        parts.append(NINE_GLYPHS.get(status, NINE_GLYPHS["unknown"]))
    found = sum(1 for s in statuses if s != "unknown")
    resolved = sum(1 for s in statuses if s in ("eliminated", "spared"))
    if compact:
        parts.append(f" {found}/{len(statuses)} ✓{resolved}")
    else:
        parts.append(f" {found}/{len(statuses)} found · {resolved} resolved")
    return Content.assemble(*parts)


class StatusBar(Horizontal):
    """One line at the top of the story screen."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        width: 1fr;
        background: $panel;
        padding: 0 1;
        & > Static { width: auto; height: 1; }
        & #where { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
        & #where-chapter { color: $primary; text-style: bold; }
        & NectarGauge { margin: 0 0 0 2; }
        & #nine { margin: 0 0 0 2; color: $foreground-muted; }
        & #clock { margin: 0 0 0 2; color: $secondary; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="where")
        yield NectarGauge(id="gauge")
        yield Static(id="nine")
        yield Static(id="clock")

    def __init__(self) -> None:
        super().__init__()
        self._game: Game | None = None

    def on_resize(self) -> None:
        if self._game is not None:
            self.show(self._game)

    def show(self, game: Game) -> None:
        self._game = game
        story = game.story
        chapter = story.chapters[game.node.chapter].title
        location = game.state.location
        where = Content.assemble(
            ("◆ ", "$primary"),
            (chapter.upper(), "$primary bold"),
            *((("  ·  ", "dim"), location) if location else ()),
        )
        self.query_one("#where", Static).update(where)
        gauge = self.query_one(NectarGauge)
        var = story.variables.get(story.gauge or "")
        value = game.state.vars.get(story.gauge or "")
        if (
            var is not None
            and var.minimum is not None
            and var.maximum is not None
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            gauge.display = True
            gauge.label = var.label or var.name
            gauge.minimum, gauge.maximum = var.minimum, var.maximum
            gauge.value = float(value)
            gauge.watch_value()
            gauge.refresh(layout=True)
        else:
            gauge.display = False
        nine = self.query_one("#nine", Static)
        statuses = [status for _id, _name, status in game.dossier()]
        nine.display = bool(statuses)
        if statuses:
            nine.tooltip = "The Immortal Nine: located / in the dossier, ✓ resolved"
            nine.update(nine_summary(statuses, compact=self.size.width < 128))
        self.tick(game)

    def tick(self, game: Game) -> None:
        self.query_one("#clock", Static).update(
            Content.assemble(("◷ ", "dim"), clock(game.play_time))
        )
