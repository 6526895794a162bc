"""Reading the compiled-story cache without trusting it to name arbitrary code.

The cache lives in the user's own cache folder and holds pickled model objects. A plain
``pickle.loads`` would call any function an entry names, so entries are read with an unpickler
that only resolves the model's own classes and helpers (and a few harmless builtins). An entry
naming anything else is treated as damaged, ignored and rebuilt.
"""

from __future__ import annotations

import io
import pickle
from typing import IO, Any

_MODULES = (
    "rougegame.story.model",
    "rougegame.story.linker",
    "rougegame.story.problems",
    "rougegame.story.text",
    "rougegame.story.expressions",
)
_BUILTINS = {"set", "frozenset", "bytearray", "slice"}


class UnsafeCacheEntry(pickle.UnpicklingError):
    """A cache entry that names something outside the model."""


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _BUILTINS:
            return super().find_class(module, name)
        if module in _MODULES and not name.startswith("__"):
            return super().find_class(module, name)
        raise UnsafeCacheEntry(f"cache entry refers to {module}.{name}")


def load(stream: IO[bytes]) -> Any:
    """Unpickle one value from ``stream``, resolving only the model's own names."""
    return _ModelUnpickler(stream).load()


def loads(data: bytes | memoryview) -> Any:
    return load(io.BytesIO(data))
