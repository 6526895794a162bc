"""The first screen of each of the app's modes (the title, the story), shown already styled.

Textual treats a mode's first screen as new to the app's stylesheet: it restyles the whole app
when the screen is shown (parsing every stylesheet twice more, though nothing has changed),
restyles every widget of the screen again when its size classes (``-narrow``, ``-tall``, ...)
arrive with the first resize, and once more when the screen is first resumed. A
:class:`ModeScreen` is made styled by the stylesheet as it is, with the size classes of the
terminal, and skips the restyle of its first resume: its widgets were styled as they were
mounted, a moment before. A theme changed since still reaches it: that restyles the app anew.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.screen import Screen


class ModeScreen(Screen[None]):
    """A screen that a mode of the app starts with."""

    def __init__(self) -> None:
        super().__init__()
        app = self.app
        self._css_update_count = app._css_update_count
        width, height = app.size
        # The classes Textual's own resize handler would give it (the app's breakpoints).
        for size, points in (
            (width, app.HORIZONTAL_BREAKPOINTS or []),
            (height, app.VERTICAL_BREAKPOINTS or []),
        ):
            self.add_class(*self._get_breakpoint_classes(size, points), update=False)
        self._resumed = False

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.ScreenResume) and not self._resumed:
            self._resumed = True
            message.refresh_styles = False
        return super().post_message(message)
