"""Story lint: warnings about a story that loads but may not play as the author meant."""

from __future__ import annotations

from collections import deque

from rougegame.story.model import Story
from rougegame.story.problems import Problem


def reachable(story: Story) -> set[str]:
    """Node ids reachable from the start in the graph (conditions ignored)."""
    seen = {story.start}
    queue = deque([story.start])
    while queue:
        node = story.nodes[queue.popleft()]
        for choice in node.choices:
            if choice.target in story.nodes and choice.target not in seen:
                seen.add(choice.target)
                queue.append(choice.target)
    return seen


def lint(story: Story) -> list[Problem]:
    problems: list[Problem] = []
    seen = reachable(story)
    for node in story.nodes.values():
        if node.id not in seen:
            problems.append(
                Problem(
                    "no path from the start reaches this node",
                    node.loc,
                    node.id,
                    "link to it from a choice, or remove it",
                    "warning",
                    "unreachable",
                )
            )
        if node.ending is None and not node.choices:
            problems.append(
                Problem(
                    "this node has no choices and is not an ending",
                    node.loc,
                    node.id,
                    "add choices, or an `ending:`",
                    "warning",
                    "dead-end",
                )
            )
    return problems
