"""Write a synthetic story of a fixed shape, for benchmarks that compare story engines.

The shape (the same one is written for other engines, so the figures can be set side by side):

- 100 nodes per chapter file, ``chapters/c0000.yaml`` onwards;
- each node about 109 words of prose, in two paragraphs;
- two choices per node: the first guarded by ``nectar > 2`` leading to node i+1, the second
  setting ``x = 1`` and leading to node i+7 (indices mod N);
- variables ``nectar`` (initial 3) and ``x`` (initial 0).

The prose is pseudo-random but fixed by ``--seed``, so the same N always gives the same files.

    python benchmarks/gen_story.py --nodes 10000 --out /tmp/bench-story
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

NODES_PER_CHAPTER = 100
WORDS_PER_NODE = 109

_VOCABULARY = [
    "the",
    "canal",
    "light",
    "dust",
    "neon",
    "android",
    "nectar",
    "glass",
    "water",
    "red",
    "dome",
    "song",
    "steel",
    "rain",
    "pump",
    "lock",
    "barge",
    "shadow",
    "crimson",
    "signal",
    "rouge",
    "naomi",
    "city",
    "mars",
    "quiet",
    "under",
    "over",
    "through",
    "slowly",
    "old",
    "engine",
    "hum",
    "market",
    "tower",
    "bridge",
    "street",
    "window",
    "door",
    "voice",
    "cold",
    "warm",
    "night",
    "morning",
    "she",
    "they",
    "hold",
    "wait",
    "watch",
    "turn",
    "listen",
    "runs",
    "falls",
    "rises",
    "a",
    "of",
    "and",
    "in",
    "on",
    "with",
    "at",
    "far",
    "near",
]


def chapter_id(chapter: int) -> str:
    return f"c{chapter:04d}"


def node_name(index: int) -> str:
    return f"n{index}"


def _sentence(rnd: random.Random, words: int) -> str:
    picked = [rnd.choice(_VOCABULARY) for _ in range(words)]
    picked[0] = picked[0].capitalize()
    return " ".join(picked) + "."


def prose(rnd: random.Random, words: int = WORDS_PER_NODE) -> list[str]:
    """About ``words`` words of prose as two paragraphs, each a list of sentences."""
    sizes: list[int] = []
    left = words
    while left > 0:
        size = min(left, rnd.randint(8, 16))
        sizes.append(size)
        left -= size
    half = len(sizes) // 2
    first = " ".join(_sentence(rnd, n) for n in sizes[:half])
    second = " ".join(_sentence(rnd, n) for n in sizes[half:])
    return [first, second]


def _target(index: int, nodes: int, here: int) -> str:
    """A node reference as an author writes it: bare inside the chapter, else chapter.node."""
    chapter = index // NODES_PER_CHAPTER
    if chapter == here:
        return node_name(index)
    return f"{chapter_id(chapter)}.{node_name(index)}"


def chapter_text(chapter: int, nodes: int, rnd: random.Random) -> tuple[str, int]:
    """One chapter file's YAML, and how many words of prose it holds."""
    words = 0
    first = chapter * NODES_PER_CHAPTER
    last = min(first + NODES_PER_CHAPTER, nodes)
    out = [f"chapter: {chapter_id(chapter)}\ntitle: Chapter {chapter + 1}\nnodes:\n"]
    for i in range(first, last):
        paragraphs = prose(rnd)
        words += sum(len(p.split()) for p in paragraphs)
        out.append(f"  {node_name(i)}:\n    text: |\n")
        out.append(f"      {paragraphs[0]}\n\n      {paragraphs[1]}\n")
        out.append(
            "    choices:\n"
            "      - text: Go on.\n"
            f"        to: {_target((i + 1) % nodes, nodes, chapter)}\n"
            "        if: nectar > 2\n"
            "      - text: Take the long way round.\n"
            f"        to: {_target((i + 7) % nodes, nodes, chapter)}\n"
            "        effects: [x = 1]\n"
        )
    return "".join(out), words


MANIFEST = """\
format: 1
id: bench
title: Benchmark story
version: "1"
start: c0000.n0
variables:
  nectar: 3
  x: 0
"""


def generate(nodes: int, out: Path, seed: int = 1) -> int:
    """Write the story into ``out`` (replacing its chapters); return the number of words."""
    if nodes < 8:
        raise ValueError("the story needs at least 8 nodes (choices jump 7 ahead)")
    rnd = random.Random(seed)
    chapters_dir = out / "chapters"
    if chapters_dir.exists():
        shutil.rmtree(chapters_dir)
    chapters_dir.mkdir(parents=True)
    (out / "story.yaml").write_text(MANIFEST, encoding="utf-8")
    words = 0
    for chapter in range((nodes + NODES_PER_CHAPTER - 1) // NODES_PER_CHAPTER):
        text, count = chapter_text(chapter, nodes, rnd)
        words += count
        (chapters_dir / f"{chapter_id(chapter)}.yaml").write_text(text, encoding="utf-8")
    return words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, required=True, help="how many nodes (at least 8)")
    parser.add_argument("--out", type=Path, required=True, help="the story folder to write")
    parser.add_argument("--seed", type=int, default=1, help="seed for the prose (default 1)")
    args = parser.parse_args(argv)
    try:
        words = generate(args.nodes, args.out, args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {args.nodes:,} nodes, about {words:,} words of prose, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
