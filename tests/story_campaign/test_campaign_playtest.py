"""The shipped campaign (story/) is complete: every node and every ending can be reached, and no
path runs into a runtime error, a softlock or a trap.

The exhaustive search cannot cover a story this size, so the helper follows it with guided runs;
both are seeded, so a failure reproduces exactly. On failure the message is the full playtest
report: what was not reached, and the choice path to each problem.
"""

from __future__ import annotations

from rougegame.story.loader import shipped_story
from rougegame.tools.playtest import assert_story_complete


def test_every_node_and_ending_of_the_campaign_is_reachable() -> None:
    report = assert_story_complete(shipped_story(), budget=2_000, runs=1_500)
    assert report.endings, "the campaign has endings"
    assert all(stat.count > 0 for stat in report.endings.values())
