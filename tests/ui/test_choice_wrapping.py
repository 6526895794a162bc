"""Long choices wrap under their own text, not under their number."""

from __future__ import annotations

from textual.app import App, ComposeResult

from rougegame.engine.game import ChoiceView
from rougegame.ui.widgets.choices import ChoiceList, choice_prompt

LONG = "Tell Naomi everything you remember about the [crimson] fire in the lower docks tonight"


class ChoicesOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield ChoiceList(id="choices")


def lines_of(widget: ChoiceList) -> list[str]:
    return [
        "".join(segment.text for segment in strip)
        for strip in widget.render_lines(widget.region.reset_offset)
    ]


async def test_a_long_choice_wraps_under_its_text() -> None:
    app = ChoicesOnly()
    async with app.run_test(size=(40, 12)) as pilot:
        choices = app.query_one(ChoiceList)
        choices.show_choices(
            [
                ChoiceView(0, 1, LONG, True, None, "sticky"),
                ChoiceView(1, 2, "Wait.", False, "Not yet", "sticky"),
            ]
        )
        await pilot.pause()
        text = [line.rstrip() for line in lines_of(choices) if line.strip()]
        first = next(i for i, line in enumerate(text) if "1 ▸ Tell" in line)
        indent = text[first].index("Tell")
        wrapped = text[first + 1 : first + 3]
        assert all(line[:indent].strip() == "" and line[indent] != " " for line in wrapped)
        assert "[crimson]" in " ".join(text)  # shown as written, never read as markup
        assert any(line.lstrip().startswith("2 ▸ Wait.  — Not yet") for line in text)


async def test_a_list_too_narrow_to_indent_still_shows_every_letter() -> None:
    app = ChoicesOnly()
    async with app.run_test(size=(40, 12)) as pilot:
        choices = app.query_one(ChoiceList)
        choices.show_choices([ChoiceView(0, 1, "Go on.", True, None, "sticky")])
        await pilot.resize_terminal(6, 12)
        await pilot.pause()
        prompt = choice_prompt(ChoiceView(0, 1, "Go on.", True, None, "sticky"))
        assert prompt.plain == " 1 ▸ Go on." and prompt.indent == len(" 1 ▸ ")
        # The option's padding leaves 4 cells of the 6: less than the indent.
        assert choices.scrollable_content_region.width - 2 < prompt.indent
        shown = "".join(line.strip() for line in lines_of(choices))
        assert "Goon." in shown.replace(" ", "")
