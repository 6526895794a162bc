"""Deterministic mutators for the fuzz tests: bytes in, mutated bytes out, driven by a seed."""

from __future__ import annotations

import random
from collections.abc import Callable

# Pieces that tend to reach the interesting corners of YAML, the story format and JSON.
TOKENS = [
    b"&a ",
    b"*a",
    b"<<: *a",
    b"!!python/object/apply:os.system ['echo owned']",
    b"!!binary aGk=",
    b"!tag ",
    b"%YAML 1.1\n---\n",
    b"\n---\n",
    b"\n...\n",
    b"? ",
    b": ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"{{",
    b"}}",
    b"{if ",
    b"{else: ",
    b"{n}",
    b'"',
    b"'",
    b"\\",
    b"|\n",
    b">-\n",
    b"#",
    b"\t",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xae",
    b'"\\e[31m"',
    b'"\\ud800"',
    b"9" * 400,
    b".nan",
    b"-.inf",
    b"1e999",
    b"null",
    b"true",
    b"~",
    b" / 0",
    b" ** 9 ** 9",
    b".__class__",
    b"visits(",
    b"unlock ",
    b"kind: fallback",
    b"to: nowhere",
    b"ending: {id: x, title: X}",
    b"NaN",
    b"[" * 50,
    b'{"a":' * 30,
    b'"checksum": "0"',
    b'"schema": 99',
]

Mutator = Callable[[random.Random, bytes], bytes]


def flip_bit(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return b"\x01"
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]


def delete_slice(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 64) :]


def duplicate_slice(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    piece = data[i : i + rng.randint(1, 200)]
    j = rng.randrange(len(data) + 1)
    return data[:j] + piece * rng.randint(1, 4) + data[j:]


def insert_token(rng: random.Random, data: bytes) -> bytes:
    j = rng.randrange(len(data) + 1)
    return data[:j] + rng.choice(TOKENS) + data[j:]


def replace_with_token(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return rng.choice(TOKENS)
    i = rng.randrange(len(data))
    return data[:i] + rng.choice(TOKENS) + data[i + rng.randint(1, 16) :]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    if len(lines) < 2:
        return data
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def reindent(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    lines[i] = b" " * rng.randint(0, 12) + lines[i].lstrip(b" ")
    return b"\n".join(lines)


def random_bytes(rng: random.Random, data: bytes) -> bytes:
    return rng.randbytes(rng.randint(0, 300))


MUTATORS: list[Mutator] = [
    flip_bit,
    delete_slice,
    duplicate_slice,
    insert_token,
    replace_with_token,
    truncate,
    swap_lines,
    reindent,
    random_bytes,
]


def mutate(rng: random.Random, data: bytes, rounds: int | None = None) -> bytes:
    """``data`` after one to four random mutations."""
    for _ in range(rounds if rounds is not None else rng.randint(1, 4)):
        data = rng.choice(MUTATORS)(rng, data)
    return data
