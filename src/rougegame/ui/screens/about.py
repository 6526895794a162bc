"""About: what this game is, and credits for the anime it is a fan work of."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rougegame import __version__

ABOUT = (
    (
        "The game",
        "Rouge Redstar is an unofficial, non-commercial fan game: interactive fiction for the "
        "terminal, set in the world of the anime Metallic Rouge. It is not affiliated with or "
        "endorsed by the anime's makers or rights holders, and every line of its story was "
        "written for this game.",
    ),
    (
        "The anime",
        "Metallic Rouge is an original TV anime by Studio Bones, made for the studio's 25th "
        "anniversary. It first aired on 10 January 2024 on Fuji TV's +Ultra programming block, "
        "and Crunchyroll streamed it worldwide outside Asia.",
    ),
    (
        "Staff",
        "Directed by Motonobu Hori, with Yutaka Izubuchi as chief director, writer and mecha "
        "designer. Screenplay by Toshizo Nemoto; characters designed by Toshihiro Kawamoto; "
        "music by Taisei Iwasaki with Yuma Yamaguchi and Towa Tei. Opening theme: “Rouge” by "
        "Yu-Ka. Ending theme: “Scarlet” by DAZBEE.",
    ),
    (
        "Voices",
        "Yume Miyamoto (Rouge), Tomoyo Kurosawa (Naomi), Shunsuke Takeuchi (Jean), "
        "Yu Shimamura (Sara), Hiroyuki Yoshino (Jaron), Yui Ogura (Jill), Kenjiro Tsuda (Afdal), "
        "Chiaki Kobayashi (Noid 262), Atsushi Miyauchi (Ash), Kazuyuki Okitsu (Eden).",
    ),
    (
        "This program",
        f"rougegame {__version__}, by the rougegame contributors, under the MIT licence. "
        "Built with Textual and Rich. Stories are YAML files anyone can write: "
        "see docs/story-format.md.",
    ),
)


class AboutScreen(ModalScreen[None]):
    CSS_PATH = "about.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,a", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="panel") as panel:
            panel.border_title = "About"
            with VerticalScroll(id="text"):
                for heading, body in ABOUT:
                    yield Static(Content(heading.upper()), classes="about-heading")
                    yield Static(Content(body), classes="about-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#text", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
