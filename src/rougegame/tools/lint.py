"""Story lint: warnings about a story that loads but may not play as the author meant.

``lint(story)`` looks at the story as a graph (conditions ignored) and at what its expressions
read and write. Every finding is a :class:`Problem` with severity "warning", the file:line:column
of the thing to fix and a hint. The checks, by ``code``:

- ``unreachable``: no chain of choices leads from the start to this node;
- ``unreachable-ending``: the same, for an ending (no path reaches it in the graph);
- ``dead-end``: a node that is not an ending and has no choices;
- ``no-way-out``: a reachable node from which no chain of choices leads to any ending;
- ``missing-target``: a choice to a node that does not exist (an error; the loader reports it
  first, so this only fires for stories built in code);
- ``unused-variable``, ``never-read``, ``never-written``: variables nothing reads or changes;
- ``never-unlocked``: codex entries no ``unlock`` effect opens (or only unreachable nodes do);
- ``duplicate-choice``: two choices with the same text in one node;
- ``long-passage``: prose longer than ``max_words``.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from rougegame.story.expressions import Ast, references
from rougegame.story.model import Effect, Node, Story
from rougegame.story.problems import Location, Problem
from rougegame.story.text import Segment, segment_refs

DEFAULT_MAX_WORDS = 400


def reachable(story: Story, start: str | None = None) -> set[str]:
    """Node ids reachable from the start (or ``start``) in the graph, conditions ignored."""
    first = start or story.start
    if first not in story.nodes:
        return set()
    seen = {first}
    queue = deque([first])
    while queue:
        node = story.nodes[queue.popleft()]
        for choice in node.choices:
            if choice.target in story.nodes and choice.target not in seen:
                seen.add(choice.target)
                queue.append(choice.target)
    return seen


def can_finish(story: Story) -> set[str]:
    """Node ids from which some chain of choices leads to an ending (conditions ignored)."""
    into: dict[str, list[str]] = defaultdict(list)
    for node in story.nodes.values():
        for choice in node.choices:
            into[choice.target].append(node.id)
    done = {n.id for n in story.nodes.values() if n.ending is not None}
    queue = deque(done)
    while queue:
        for source in into[queue.popleft()]:
            if source not in done:
                done.add(source)
                queue.append(source)
    return done


def _warn(code: str, message: str, where: Location | None, node: str | None, hint: str) -> Problem:
    return Problem(message, where, node, hint, "warning", code)


def _expressions(story: Story) -> Iterable[tuple[Ast, Node]]:
    """Every expression the story evaluates, with its node."""

    def from_segments(segments: list[Segment]) -> Iterable[Ast]:
        for kind, item, _offset in segment_refs(segments):
            yield ("var", item, 0) if kind == "var" else item

    for node in story.nodes.values():
        for ast in from_segments(node.segments):
            yield ast, node
        if node.ending is not None:
            for ast in from_segments(node.ending.segments):
                yield ast, node
        effects: list[Effect] = list(node.effects)
        for choice in node.choices:
            if choice.condition is not None:
                yield choice.condition, node
            for ast in from_segments(choice.segments):
                yield ast, node
            effects.extend(choice.effects)
        for eff in effects:
            if eff.value is not None:
                yield eff.value, node


def _effects(story: Story) -> Iterable[tuple[Effect, Node]]:
    for node in story.nodes.values():
        for eff in node.effects:
            yield eff, node
        for choice in node.choices:
            for eff in choice.effects:
                yield eff, node


def _graph_checks(story: Story, seen: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    finishing = can_finish(story) if story.endings else None
    for node in story.nodes.values():
        if node.id not in seen:
            if node.ending is not None:
                problems.append(
                    _warn(
                        "unreachable-ending",
                        f"no path from the start reaches the ending `{node.ending.id}`",
                        node.loc,
                        node.id,
                        "add a choice with `to: " + node.id + "` to a scene players reach",
                    )
                )
            else:
                problems.append(
                    _warn(
                        "unreachable",
                        "no path from the start reaches this node",
                        node.loc,
                        node.id,
                        f"add a choice with `to: {node.id}` to a scene players reach, "
                        "or delete the node",
                    )
                )
        if node.ending is None and not node.choices:
            problems.append(
                _warn(
                    "dead-end",
                    "this node has no choices and is not an ending: players get stuck here",
                    node.loc,
                    node.id,
                    "add `choices:`, or make it an ending with `ending: {id: ..., title: ...}`",
                )
            )
        elif finishing is not None and node.id in seen and node.id not in finishing:
            problems.append(
                _warn(
                    "no-way-out",
                    "no chain of choices leads from this node to any ending",
                    node.loc,
                    node.id,
                    "give the loop it belongs to a choice that leads on towards an ending",
                )
            )
        for choice in node.choices:
            if choice.target not in story.nodes:
                problems.append(
                    Problem(
                        f"choice `{choice.text or choice.kind}` leads to `{choice.target}`, "
                        "which does not exist",
                        choice.target_loc,
                        node.id,
                        "check the spelling; nodes in other chapters are written `chapter.node`",
                        "error",
                        "missing-target",
                    )
                )
    return problems


def _variable_checks(story: Story) -> list[Problem]:
    read: set[str] = set()
    for ast, _node in _expressions(story):
        read.update(name for kind, name, _col in references(ast) if kind == "var")
    dossier = {card.variable for card in story.dossier}
    read.update(dossier)
    if story.gauge:
        read.add(story.gauge)
    written = {eff.target for eff, _node in _effects(story) if eff.op != "unlock"}
    problems: list[Problem] = []
    for name, var in story.variables.items():
        if name not in read and name not in written:
            problems.append(
                _warn(
                    "unused-variable",
                    f"variable `{name}` is never used",
                    var.loc,
                    None,
                    "use it in an `if:`, an effect or `{" + name + "}` in text, or delete it",
                )
            )
        elif name not in read:
            problems.append(
                _warn(
                    "never-read",
                    f"variable `{name}` is changed but never read, so it makes no difference",
                    var.loc,
                    None,
                    f"test it in an `if:` (such as `if: {name} ...`) or show it with "
                    "`{" + name + "}`, or delete it",
                )
            )
        elif name not in written and name not in dossier:
            # A dossier card may wait for a later act to change: "unknown" is a real status.
            problems.append(
                _warn(
                    "never-written",
                    f"variable `{name}` is read but no effect ever changes it "
                    "(it keeps its initial value)",
                    var.loc,
                    None,
                    f"change it with an effect such as `{name} = ...`, or replace it by its value",
                )
            )
    return problems


def _codex_checks(story: Story, seen: set[str]) -> list[Problem]:
    sites: dict[str, list[str]] = defaultdict(list)
    for eff, node in _effects(story):
        if eff.op == "unlock":
            sites[eff.target].append(node.id)
    problems: list[Problem] = []
    for cid, entry in story.codex.items():
        where = sites.get(cid, [])
        if not where:
            problems.append(
                _warn(
                    "never-unlocked",
                    f"codex entry `{cid}` is never unlocked, so players never see it",
                    entry.loc,
                    None,
                    f"add `unlock {cid}` to the effects of a node or a choice",
                )
            )
        elif not any(n in seen for n in where):
            problems.append(
                _warn(
                    "never-unlocked",
                    f"codex entry `{cid}` is only unlocked in nodes no path reaches "
                    f"({', '.join(sorted(set(where)))})",
                    entry.loc,
                    None,
                    f"add `unlock {cid}` to a scene players reach",
                )
            )
    return problems


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _choice_checks(story: Story) -> list[Problem]:
    problems: list[Problem] = []
    for node in story.nodes.values():
        first: dict[str, int] = {}
        for choice in node.choices:
            if not choice.text or choice.kind == "fallback":
                continue
            key = _normal(choice.text)
            if key not in first:
                first[key] = choice.index
                continue
            other = node.choices[first[key]]
            exclusive = (
                choice.condition_source is not None
                and other.condition_source is not None
                and choice.condition_source != other.condition_source
            )
            hint = (
                "if their conditions never hold at the same time this is harmless; otherwise "
                "reword one"
                if exclusive
                else "players cannot tell them apart: reword one, or merge them"
            )
            problems.append(
                _warn(
                    "duplicate-choice",
                    f"choices {other.index + 1} and {choice.index + 1} both read "
                    f"“{choice.text.strip()}”",
                    choice.loc,
                    node.id,
                    hint,
                )
            )
    return problems


def _length_checks(story: Story, max_words: int) -> list[Problem]:
    problems: list[Problem] = []
    for node in story.nodes.values():
        if node.words > max_words:
            problems.append(
                _warn(
                    "long-passage",
                    f"the passage is {node.words} words long, over the limit of {max_words}",
                    node.text_loc,
                    node.id,
                    "split it into two nodes joined by a choice (`--max-words N` "
                    "changes the limit)",
                )
            )
    return problems


def _order(problem: Problem) -> tuple[str, int, int, str]:
    where = problem.where
    if where is None:
        return ("", 0, 0, problem.code)
    return (where.file, where.line, where.column, problem.code)


def lint(story: Story, max_words: int = DEFAULT_MAX_WORDS) -> list[Problem]:
    """Every warning about ``story``, in file and line order."""
    seen = reachable(story)
    problems = _graph_checks(story, seen)
    problems += _variable_checks(story)
    problems += _codex_checks(story, seen)
    problems += _choice_checks(story)
    problems += _length_checks(story, max_words)
    return sorted(problems, key=_order)
