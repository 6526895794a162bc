"""The title art: ROUGE in block letters over a skyline of Canal City and the red dust."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

WORDMARK = "\n".join(
    (
        "██▀▀█▄ ▄█▀▀█▄ ██  ██ ▄█▀▀▀▀ ██▀▀▀▀",
        "██▄▄█▀ ██  ██ ██  ██ ██ ▄▄▄ ██▄▄▄ ",
        "██  ██ ▀█▄▄█▀ ▀█▄▄█▀ ▀█▄▄██ ██▄▄▄▄",
    )
)

SUBTITLE = "R  E  D  S  T  A  R"

SKYLINE = """\
         ▄▄▄       ██             ▄▄▄▄
      ▄▄ ███  ████ ██  ▄▄▄▄▄▄  ██ ████  ▄
▄▄▄██▄██▄█████████▄██▄████████▄██▄███████▄▄█▄▄▄▄"""


class Logo(Vertical):
    """The wordmark, the subtitle and the horizon; each line is styled from the theme."""

    DEFAULT_CSS = """
    Logo {
        width: 48;  /* the skyline's width: the widest line */
        height: auto;
        & > Static { width: 100%; text-align: center; }
        & > #wordmark { color: $primary; text-style: bold; }
        & > #subtitle { color: $secondary; text-style: bold; margin: 1 0 0 0; }
        & > #skyline { color: $primary 40%; margin: 1 0 0 0; text-align: left; width: auto; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(WORDMARK, id="wordmark", markup=False)
        yield Static(SUBTITLE, id="subtitle", markup=False)
        yield Static(SKYLINE, id="skyline", markup=False)
