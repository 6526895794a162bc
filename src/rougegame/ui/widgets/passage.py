"""The current passage: a speaker line above the prose, optionally typed out letter by letter."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

FRAME_RATE = 30


class PassageView(Static):
    """Shows one passage. :meth:`show` with ``speed`` types it out; any key or click finishes.

    One widget draws the speaker's line (when there is one), a blank line, and the prose.
    """

    DEFAULT_CSS = """
    PassageView {
        height: auto;
    }
    """

    class Finished(Message):
        """The whole passage is on screen (typing ended or was skipped)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()
        self._content = Content()
        self._speaker = Content()
        self._shown = 0
        self._speed = 0.0
        self._timer: Timer | None = None

    @property
    def typing(self) -> bool:
        return self._timer is not None

    @property
    def text(self) -> Text:
        return self._text

    @property
    def speaker(self) -> str:
        """The speaker's line as shown, or "" when nobody speaks."""
        return self._speaker.plain.strip()

    def show(self, text: Text, speaker: str | None = None, speed: float = 0.0) -> None:
        """Show ``text``; ``speed`` in characters per second, 0 for all at once."""
        self._stop()
        self._speaker = (
            Content.styled(f"— {speaker.upper()} —", "$accent bold") + "\n\n"
            if speaker
            else Content()
        )
        self._text = text
        self._content = Content.from_rich_text(text)
        if speed <= 0 or not text.plain:
            self._shown = len(text.plain)
            self.update(self._speaker + self._content)
            self.post_message(self.Finished())
            return
        self._speed = speed
        self._shown = 0
        # Laid out in full from the start (drawn in the background colour), so the height and
        # the scroll position are right before the first letter appears.
        self.update(self._speaker + Content.styled(text.plain, "$background"))
        self._timer = self.set_interval(1 / FRAME_RATE, self._advance)

    def _advance(self) -> None:
        step = max(1, round(self._speed / FRAME_RATE))
        self._shown = min(len(self._text.plain), self._shown + step)
        if self._shown >= len(self._text.plain):
            self.finish()
            return
        full = self._content
        # Keep the layout steady: the rest of the passage is laid out, drawn in the background
        # colour until it is typed.
        partial = full[: self._shown] + Content.styled(full.plain[self._shown :], "$background")
        self.update(self._speaker + partial)

    def finish(self) -> None:
        """Show the whole passage now."""
        if self._timer is None:
            return
        self._stop()
        self._shown = len(self._text.plain)
        self.update(self._speaker + self._content)
        self.post_message(self.Finished())

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_click(self) -> None:
        self.finish()
