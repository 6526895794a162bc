"""The content hashes of a story's files, trusted while the files are untouched, as git does.

A warm load needs the content hash of every story file: it is the key of the file's cache entry.
Reading and hashing every file is most of a warm load of a large story (eight megabytes for ten
thousand nodes), so the cache folder keeps, for each story folder, an index of each file's hash
and what ``stat`` said of the file when it was read: its size, inode, and modification and
change times in nanoseconds. While all four are unchanged, the file is taken to hold what was
hashed; any write changes the change time, which no program can set back.

Two cases could still fool it, and neither is recorded:

- A file read while it is being written: the index keeps the ``stat`` taken before reading, so a
  write during or after the read leaves the file's times newer than the index says, and the
  next load reads and hashes it again.
- A file written twice within one tick of a coarse file-system clock, the second time after it
  was hashed: its times would not move. So a file is only indexed once its times are
  ``SETTLED_NS`` in the past when it is read; a file just written is hashed on every load until
  then.

The index is a small JSON file. One that cannot be read, or that holds anything unexpected, is
ignored (every file is then read and hashed) and written again. Reading it touches it now and
then, so that the cache folder's pruning (least recently used first) keeps the ones in use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

INDEX_VERSION = 1
SETTLED_NS = 2_000_000_000  # how old a file's times must be for its hash to be indexed
TOUCH_AFTER_S = 86_400  # an index read this long after it was last touched is touched again

Stat = tuple[int, int, int, int]  # size, inode, mtime_ns, ctime_ns


def stat_of(info: os.stat_result) -> Stat:
    return (info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


class FileIndex:
    """The indexed hashes of one story folder's files, kept in a cache folder."""

    __slots__ = ("_changed", "_entries", "_path", "_seen")

    def __init__(self, path: Path, entries: dict[str, tuple[Stat, bytes]]) -> None:
        self._path = path
        self._entries = entries
        self._seen: set[str] = set()
        self._changed = False

    @classmethod
    def open(cls, cache: Path, root: Path) -> FileIndex:
        """The index of the story folder ``root`` kept in ``cache`` (empty if there is none)."""
        name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:32]
        path = cache / f"index-{name}.json"
        return cls(path, _read(path))

    def known(self, name: str, info: os.stat_result) -> bytes | None:
        """The content hash of file ``name`` if it is indexed and ``info`` shows it untouched."""
        self._seen.add(name)
        found = self._entries.get(name)
        if found is not None and found[0] == stat_of(info):
            return found[1]
        return None

    def record(self, name: str, info: os.stat_result, content: bytes) -> None:
        """Index the hash of file ``name``, read after ``stat`` gave ``info``, if it has settled."""
        self._seen.add(name)
        settled = time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > SETTLED_NS
        entry = (stat_of(info), content)
        if not settled:
            if self._entries.pop(name, None) is not None:
                self._changed = True
        elif self._entries.get(name) != entry:
            self._entries[name] = entry
            self._changed = True

    def forget(self, name: str) -> None:
        """Drop file ``name`` from the index: it is read and hashed on the next load."""
        if self._entries.pop(name, None) is not None:
            self._changed = True

    def save(self) -> None:
        """Write the index if it changed, leaving out files no longer in the story."""
        gone = self._entries.keys() - self._seen
        if not (self._changed or gone):
            return
        for name in gone:
            del self._entries[name]
        data = {
            "version": INDEX_VERSION,
            "files": {
                name: [*stat, content.hex()] for name, (stat, content) in self._entries.items()
            },
        }
        tmp = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):  # an index that cannot be written only costs speed
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            tmp.replace(self._path)
        self._changed = False


def _read(path: Path) -> dict[str, tuple[Stat, bytes]]:
    try:
        with path.open("rb") as f:
            raw = f.read()
            touched = os.fstat(f.fileno()).st_mtime
        if time.time() - touched > TOUCH_AFTER_S:  # in use: kept by the cache's pruning
            os.utime(path)
        data = json.loads(raw)
        if data["version"] != INDEX_VERSION:
            return {}
        entries: dict[str, tuple[Stat, bytes]] = {}
        for name, (size, ino, mtime, ctime, content) in data["files"].items():
            stat = (size, ino, mtime, ctime)
            if not (isinstance(name, str) and all(type(n) is int for n in stat)):
                return {}
            digest = bytes.fromhex(content)
            if len(digest) != 32:
                return {}
            entries[name] = (stat, digest)
        return entries
    except Exception:  # missing, unreadable or damaged: every file is hashed again
        return {}
