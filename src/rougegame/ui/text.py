"""Story text to rich ``Text``, and the small formatters the screens share.

Story prose is untrusted: it is split into styled runs by :func:`rougegame.story.text.spans`
(``*em*`` becomes italic, ``**strong**`` bold) and appended to ``Text`` objects as literal
characters, never parsed as markup, so ``[static]`` shows as ``[static]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text

from rougegame.story.text import sanitize, spans

STYLES = {"": "", "em": "italic", "strong": "bold"}


def styled(paragraph: str, base: str = "") -> Text:
    """One paragraph as a Text with emphasis and strong applied."""
    text = Text(style=base)
    for chunk, kind in spans(paragraph):
        text.append(sanitize(chunk), STYLES.get(kind, ""))
    return text


def prose(paragraphs: Iterable[str], base: str = "") -> Text:
    """Paragraphs separated by a blank line."""
    out = Text(style=base)
    for i, paragraph in enumerate(paragraphs):
        if i:
            out.append("\n\n")
        out.append_text(styled(paragraph))
    return out


def literal(value: str) -> Text:
    """Any text from a story or a file, shown exactly as written."""
    return Text(sanitize(value))


def clock(seconds: float) -> str:
    """Play time as H:MM:SS."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def short_duration(seconds: float) -> str:
    """Play time as `1h 05m`, `12m` or `40s`."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def local_time(iso: str) -> str:
    """An ISO 8601 timestamp as local `YYYY-MM-DD HH:MM`, or the input when it is not one."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return sanitize(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")
