"""Safe YAML reading that remembers where every value came from.

Story files are untrusted. This module turns YAML text into plain Python values (mappings,
lists, strings, numbers, booleans, None) using only PyYAML's safe event parser (the C one when
present), never a constructor that can build Python objects. Along the way it:

- records the file:line:column of every mapping value and list item;
- refuses duplicate mapping keys (PyYAML would silently keep the last one);
- refuses language-specific tags such as ``!!python/object`` and merge keys;
- bounds alias expansion ("billion laughs"): what aliases repeat, counted in values and in
  characters, so a small file cannot make the loader build or walk a huge one;
- bounds nesting depth, file size and the digits of a number;
- refuses binary files and invalid UTF-8 with the position of the first bad byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from rougegame.story.model import location
from rougegame.story.problems import Location, Problem

try:  # pragma: no branch - depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_VALUES = 2_000_000
MAX_ALIAS_VALUES = 100_000  # values that aliases may repeat, in all, in one file
MAX_ALIAS_CHARS = 1_000_000  # characters of text that aliases may repeat, in all, in one file
MAX_NUMBER_DIGITS = 100

_TAG = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class Mapping(dict[str, Any]):
    """A mapping that remembers where it and each of its values start."""

    __slots__ = ("key_locs", "loc", "value_locs")

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Location] = {}
        self.value_locs: dict[str, Location] = {}

    def where(self, key: str) -> Location:
        return self.value_locs.get(key, self.loc)


class Sequence(list[Any]):
    """A list that remembers where it and each of its items start."""

    __slots__ = ("item_locs", "loc")

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc
        self.item_locs: list[Location] = []

    def where(self, index: int) -> Location:
        return self.item_locs[index] if 0 <= index < len(self.item_locs) else self.loc


class YamlProblem(Exception):
    """Raised inside this module; turned into a Problem by :func:`load_yaml`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _loc(file: str, mark: Any) -> Location:
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


def _content_loc(file: str, event: Any, text: str) -> Location:
    """Where a scalar's text starts: inside its quotes, or on the first line of a block.

    Positions inside a value (a name in a condition, a brace in a passage) are counted from
    here, so they land on the right line and column of the file.
    """
    mark = event.start_mark
    if event.style in ("'", '"'):
        return Location(file, mark.line + 1, mark.column + 2)
    if event.style in ("|", ">"):
        pos = text.find("\n", mark.index) + 1  # the line after the `|` or `>`
        if pos <= 0:
            return _loc(file, mark)
        line_start = pos
        while True:  # the first line with text in it gives the block's indentation
            line_start = pos
            while pos < len(text) and text[pos] == " ":
                pos += 1
            if pos >= len(text) or text[pos] not in "\r\n":
                break
            pos = text.find("\n", pos) + 1
            if pos <= 0:
                break
        return Location(file, mark.line + 2, pos - line_start + 1 if pos > 0 else 1)
    return _loc(file, mark)


def decode(data: bytes, file: str) -> str:
    """Bytes to text, refusing oversized, binary and non-UTF-8 input with a clear problem."""
    if len(data) > MAX_FILE_BYTES:
        raise YamlProblem(
            Problem(
                f"file is {len(data) / 1e6:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MiB limit",
                Location(file),
                hint="split the story into more chapter files",
                code="too-large",
            )
        )
    if b"\x00" in data[:8192] or b"\x00" in data:
        offset = data.index(b"\x00")
        raise YamlProblem(
            Problem(
                "this looks like a binary file, not YAML text",
                _offset_location(data, offset, file),
                hint="story files are UTF-8 text",
                code="binary",
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(
            Problem(
                f"invalid UTF-8 (byte 0x{data[exc.start]:02x})",
                _offset_location(data, exc.start, file),
                hint="save the file as UTF-8",
                code="encoding",
            )
        ) from None
    return text.removeprefix("\ufeff")


def _offset_location(data: bytes, offset: int, file: str) -> Location:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return Location(file, line, offset - start + 1)


def load_yaml(data: bytes | str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into located plain values, or return the problems found."""
    try:
        text = decode(data, file) if isinstance(data, bytes) else data
        return _build(text, file), []
    except YamlProblem as exc:
        return None, [exc.problem]


def _scalar(event: Any, file: str) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if event.implicit[0]:
            tag = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, (True, False)
            )
        else:
            tag = _TAG + "str"
    if tag == _TAG + "str":
        return event.value
    kind = tag[len(_TAG) :] if tag.startswith(_TAG) else None
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    if kind == "null":
        return None
    if kind == "bool":
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if kind in ("int", "float"):
        if len(event.value) > MAX_NUMBER_DIGITS:
            raise YamlProblem(
                Problem(
                    f"a number of {len(event.value)} characters is too long",
                    _loc(file, event.start_mark),
                    hint="story numbers stay within ±10¹⁵; quote the value if it is text",
                    code="yaml-number",
                )
            )
        if kind == "int":
            return _CONSTRUCTOR.construct_yaml_int(node)
        return _CONSTRUCTOR.construct_yaml_float(node)
    if kind == "timestamp":
        return event.value
    if kind == "merge":
        raise YamlProblem(
            Problem(
                "merge keys (<<) are not supported",
                _loc(file, event.start_mark),
                hint="write the keys out, or repeat the values",
                code="yaml-merge",
            )
        )
    raise YamlProblem(
        Problem(
            f"the tag {tag} is not allowed in a story file",
            _loc(file, event.start_mark),
            hint="story files use plain YAML: strings, numbers, booleans, lists and mappings",
            code="yaml-tag",
        )
    )


def _check_tag(event: Any, file: str, expected: str) -> None:
    tag = event.tag
    if tag is not None and tag != "!" and tag != _TAG + expected:
        raise YamlProblem(
            Problem(
                f"the tag {tag} is not allowed in a story file",
                _loc(file, event.start_mark),
                hint="story files use plain YAML: strings, numbers, booleans, lists and mappings",
                code="yaml-tag",
            )
        )


class _Frame:
    """An open mapping or list: its container, the pending key, its size so far, its anchor."""

    __slots__ = ("anchor", "chars", "container", "is_map", "key", "key_loc", "size")

    def __init__(self, container: Mapping | Sequence, anchor: str | None) -> None:
        self.container: Any = container
        self.is_map = isinstance(container, Mapping)
        self.key: str | None = None
        self.key_loc: Location | None = None
        self.size = 1  # the values it holds once expanded, itself included
        self.chars = 0  # the characters of text it holds once expanded
        self.anchor = anchor


# Plain scalars repeat a great deal (keys, small numbers, common conditions): remember what each
# one resolves to. Only the plain-value kinds are remembered; anything refused is never cached.
_PLAIN_CACHE: dict[str, tuple[Any, str | None]] = {}
_PLAIN_CACHE_LIMIT = 50_000
_PLAIN_KINDS = frozenset(("str", "null", "bool", "int", "float", "timestamp"))
_MISSING: tuple[Any, str | None] = (None, None)
_NO_ANCHOR: tuple[Any, int, int] = (None, 0, 0)


def _plain(event: Any, file: str) -> tuple[Any, str | None]:
    """A plain (unquoted, untagged) scalar: (value, the key text when it is not a string)."""
    text = event.value
    found = _PLAIN_CACHE.get(text, _MISSING)
    if found is not _MISSING:
        return found
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    value = _scalar(event, file)
    result = (value, None if isinstance(value, str) else text)
    if tag.startswith(_TAG) and tag[len(_TAG) :] in _PLAIN_KINDS:
        if len(_PLAIN_CACHE) >= _PLAIN_CACHE_LIMIT:
            _PLAIN_CACHE.clear()
        _PLAIN_CACHE[text] = result
    return result


def _alias_bomb(loc: Location, what: str) -> YamlProblem:
    return YamlProblem(
        Problem(
            f"aliases repeat too much of this file (over {what})",
            loc,
            hint="write the repeated part out, or share less through anchors (&) and aliases (*)",
            code="yaml-bomb",
        )
    )


def _bomb(loc: Location) -> YamlProblem:
    return YamlProblem(
        Problem(
            "the document expands to too many values (an alias bomb?)",
            loc,
            hint="anchors and aliases may not multiply the file this much",
            code="yaml-bomb",
        )
    )


def _build(text: str, file: str) -> Any:
    """Turn the parser's events into located values, enforcing every limit on the way.

    One flat loop, because it runs for every value of every file: it dispatches on the event's
    class, resolves plain scalars through a cache and attaches each value to the open frame.
    """
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, values, characters)
    expanded = 0
    aliased_values = 0
    aliased_chars = 0
    root: Any = None
    documents = 0
    scalar_event = yaml.ScalarEvent
    mapping_start = yaml.MappingStartEvent
    sequence_start = yaml.SequenceStartEvent
    mapping_end = yaml.MappingEndEvent
    sequence_end = yaml.SequenceEndEvent
    alias_event = yaml.AliasEvent
    document_start = yaml.DocumentStartEvent
    new_location = location
    plain_cache = _PLAIN_CACHE
    frame: _Frame | None = None  # the innermost open container, stack[-1]

    try:
        events: Iterator[Any] = yaml.parse(text, Loader=_Loader)
        for event in events:
            cls = event.__class__
            value: Any
            size = 1
            chars = 0
            key_text: str | None = None
            if cls is scalar_event:
                style = event.style
                if style == "" or style is None:
                    mark = event.start_mark
                    loc = new_location(file, mark.line + 1, mark.column + 1)
                    if event.tag is None and event.implicit[0]:
                        value, key_text = plain_cache.get(event.value) or _plain(event, file)
                    else:
                        value = _scalar(event, file)
                        if not isinstance(value, str) and (value is not None or event.implicit[0]):
                            key_text = event.value
                else:
                    loc = _content_loc(file, event, text)
                    value = _scalar(event, file)
                    if not isinstance(value, str) and (value is not None or event.implicit[0]):
                        key_text = event.value
                chars = len(event.value)
                if event.anchor:
                    anchors[event.anchor] = (value, 1, chars)
            elif cls is mapping_start or cls is sequence_start:
                mark = event.start_mark
                loc = new_location(file, mark.line + 1, mark.column + 1)
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(
                        Problem(
                            f"nesting deeper than {MAX_DEPTH} levels",
                            loc,
                            hint="story files are shallow: chapters, nodes, choices",
                            code="yaml-depth",
                        )
                    )
                if cls is mapping_start:
                    _check_tag(event, file, "map")
                    opened: Mapping | Sequence = Mapping(loc)
                else:
                    _check_tag(event, file, "seq")
                    opened = Sequence(loc)
                frame = _Frame(opened, event.anchor or None)
                stack.append(frame)
                if frame.anchor:
                    anchors[frame.anchor] = (opened, -1, 0)
                continue
            elif cls is mapping_end or cls is sequence_end:
                done = stack.pop()
                value = done.container
                loc = value.loc
                size = done.size
                chars = done.chars
                if done.anchor and anchors.get(done.anchor, _NO_ANCHOR)[0] is value:
                    anchors[done.anchor] = (value, size, chars)
                frame = stack[-1] if stack else None
                expanded -= size - 1  # its values were counted as they came
            elif cls is alias_event:
                mark = event.start_mark
                loc = new_location(file, mark.line + 1, mark.column + 1)
                if event.anchor not in anchors:
                    raise YamlProblem(
                        Problem(f"unknown alias *{event.anchor}", loc, code="yaml-alias")
                    )
                value, size, chars = anchors[event.anchor]
                if size < 0:
                    raise YamlProblem(
                        Problem(
                            "an alias may not refer to its own enclosing value",
                            loc,
                            code="yaml-alias",
                        )
                    )
                aliased_values += size
                aliased_chars += chars
                if aliased_values > MAX_ALIAS_VALUES:
                    raise _alias_bomb(loc, f"{MAX_ALIAS_VALUES:,} values")
                if aliased_chars > MAX_ALIAS_CHARS:
                    raise _alias_bomb(loc, f"{MAX_ALIAS_CHARS:,} characters")
            else:
                if cls is document_start:
                    documents += 1
                    if documents > 1:
                        raise YamlProblem(
                            Problem(
                                "more than one YAML document in this file",
                                _loc(file, event.start_mark),
                                hint="remove the `---` separator: one file holds one document",
                                code="yaml-documents",
                            )
                        )
                continue

            # Attach the value to the innermost open container.
            expanded += size
            if expanded > MAX_EXPANDED_VALUES:
                raise _bomb(loc)
            if frame is None:
                root = value
                continue
            frame.size += size
            frame.chars += chars
            container = frame.container
            if not frame.is_map:
                container.append(value)
                container.item_locs.append(loc)
                continue
            key = frame.key
            if key is None:
                if isinstance(value, (Mapping, Sequence)):
                    raise YamlProblem(
                        Problem(
                            "a mapping key must be a plain value, not a list or mapping",
                            loc,
                            code="yaml-key",
                        )
                    )
                key = key_text if key_text is not None else str(value)
                if key in container:
                    first = container.key_locs[key]
                    raise YamlProblem(
                        Problem(
                            f"duplicate key `{key}` (first defined at line {first.line})",
                            loc,
                            hint="YAML keeps only the last of two equal keys; rename one of them",
                            code="duplicate-key",
                        )
                    )
                frame.key = key
                frame.key_loc = loc
                continue
            container[key] = value
            container.key_locs[key] = frame.key_loc or loc
            container.value_locs[key] = loc
            frame.key = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        at = mark.index if mark is not None else -1
        if 0 <= at < len(text) and text[at] == "\t" and "tab" not in what:
            what += " (a tab)"  # the C parser does not say which character it found
        raise YamlProblem(
            Problem(
                f"YAML syntax: {what}{context}",
                _loc(file, mark),
                hint=_syntax_hint(what),
                code="yaml-syntax",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(f"YAML: {exc}", Location(file), code="yaml-syntax")) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise YamlProblem(Problem("nesting too deep", Location(file), code="yaml-depth")) from None
    return root


def _syntax_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return 'a value containing ": " must be quoted, or written as a block with `|`'
    if "found character '\\t'" in problem or "tab" in problem:
        return "YAML indents with spaces, never tabs"
    if "could not find expected ':'" in problem:
        return "each key needs a colon after it; check the indentation of the line above"
    if "found undefined alias" in problem:
        return "an alias (*name) needs an anchor (&name) above it"
    return "check the indentation and quoting around this position"
