"""The status bar of the story screen: chapter, location, Nectar, the Nine, play time.

It is one widget drawing one line: where the player is on the left, cut short with an ellipsis
when the line is too narrow, and the gauge, the Nine and the clock on the right.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from rougegame.engine.game import Game
from rougegame.ui.text import clock
from rougegame.ui.widgets.gauge import NectarGauge

NINE_GLYPHS = {
    "unknown": ("·", "dim"),
    "located": ("◆", "$warning bold"),
    "eliminated": ("×", "$error bold"),
    "spared": ("◇", "$accent bold"),
}
GAP = "  "  # between the parts on the right
COMPACT_BELOW = 128  # columns under which the Nine are summed up briefly


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


class StatusBar(Widget):
    """One line at the top of the story screen."""

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        width: 1fr;
        background: $panel;
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.where = Content()
        self.gauge: NectarGauge | None = None  # None when the story has no gauge to show
        self.nine: list[str] = []  # the statuses of the dossier's cards
        self.play_time = 0.0

    def show(self, game: Game) -> None:
        story = game.story
        chapter = story.chapters[game.node.chapter].title
        location = game.state.location
        self.where = Content.assemble(
            ("◆ ", "$primary"),
            (chapter.upper(), "$primary bold"),
            *((("  ·  ", "dim"), location) if location else ()),
        )
        var = story.variables.get(story.gauge or "")
        value = game.state.vars.get(story.gauge or "")
        if (
            var is not None
            and var.minimum is not None
            and var.maximum is not None
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            self.gauge = NectarGauge(var.label or var.name, var.minimum, var.maximum, value)
        else:
            self.gauge = None
        self.nine = [status for _id, _name, status in game.dossier()]
        self.tooltip = (
            "The Immortal Nine: located / in the dossier, ✓ resolved" if self.nine else None
        )
        self.tick(game)

    def tick(self, game: Game) -> None:
        self.play_time = game.play_time
        self.refresh()

    def render(self) -> Content:
        width = self.content_size.width
        right: list[Content] = []
        if self.gauge is not None:
            right.append(self.gauge.render())
        if self.nine:
            summary = nine_summary(self.nine, compact=self.size.width < COMPACT_BELOW)
            right.append(summary.stylize_before("$foreground-muted"))
        time = Content.assemble(("◷ ", "dim"), clock(self.play_time))
        right.append(time.stylize_before("$secondary"))
        tail = Content("").join(Content(GAP) + part for part in right)
        room = max(0, width - tail.cell_length)
        return self.where.truncate(room, ellipsis=True, pad=True) + tail
