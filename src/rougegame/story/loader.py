"""Finding and loading a story from disk: discovery, the per-file cache, and linking.

``load_story(path)`` accepts a story folder (``story.yaml`` plus ``chapters/*.yaml``), a
manifest file, a single-file story (a manifest with inline ``chapters:``), or one chapter file
inside a story folder. With no path it loads the story shipped with the game, found through
``importlib.resources`` so that it works from an installed wheel too.

Each file is parsed and checked on its own; the result is cached by the file's content hash in
the user's cache folder (never next to the story), so an unchanged file is never parsed twice.
The linked story is cached too, under a key made of every file's name and content hash, so a
warm load reads that one entry; a file's hash comes from the folder's file index
(``fileindex``) while the file is untouched. A cache entry that cannot be read is ignored and
rebuilt. Every key also covers the code that made the entry, so an entry from another version of
the game is never read.

Loading pauses Python's cyclic garbage collector: a large story is hundreds of thousands of
objects that live as long as the story, and the collector would walk them over and over while
they are made. After loading a large story (``FREEZE_NODES`` nodes or more, which a player plays
for hours) everything alive is frozen out of its sight (``gc.freeze``), so that the collections
during play only walk what play makes.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import re
import sys
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from rougegame.story import safepickle
from rougegame.story.fileindex import FileIndex
from rougegame.story.linker import ChapterFile, link, node_table, pack_chapter
from rougegame.story.model import Chapter, Manifest, Node, Story
from rougegame.story.problems import Location, Problem, StoryError

# Reading YAML (PyYAML, the parser, the checks) is only needed when a file is not in the cache;
# it is imported then, so that a game whose story is cached starts without it.
_PARSING_MODULES = ("expressions", "linker", "model", "parse", "problems", "text", "yamlsafe")


def load_yaml(data: bytes | str, file: str) -> tuple[Any, list[Problem]]:
    from rougegame.story.yamlsafe import load_yaml as load

    return load(data, file)


def parse_manifest(raw: Any, file: str) -> Manifest:
    from rougegame.story.parse import parse_manifest as parse

    return parse(raw, file)


def parse_chapter(raw: Any, file: str, fallback_id: str) -> tuple[Chapter, list[Node]]:
    from rougegame.story.parse import parse_chapter as parse

    return parse(raw, file, fallback_id)


MANIFEST = "story.yaml"
MAX_FILES = 2_000
CACHE_VERSION = "3"
FREEZE_NODES = 1_000  # stories this large freeze what is alive after loading (see above)
CACHE_LIMIT = 256 * 2**20  # bytes of cache kept; past this the least recently used entries go
_CHAPTER_ENTRY = "rougegame-chapter"
_STORY_ENTRY = "rougegame-story"
_ENTRY_NAME = re.compile(r"[0-9a-f]{40}\.pickle")
MEMORY_LIMIT = 128 * 2**20  # bytes of entries also kept in memory, for reloads in one process
_memo: OrderedDict[str, bytes] = OrderedDict()  # least recently used first
_memo_bytes = 0
_written: set[Path] = set()  # cache folders written to by the load in progress


def _code_shape() -> str:
    """A fingerprint of the code whose results are cached, so that other code's are never read."""
    from rougegame.records import field_names
    from rougegame.story import linker, model

    h = hashlib.sha256()
    for cls in (
        model.Variable,
        model.CodexEntry,
        model.DossierCard,
        model.Effect,
        model.Choice,
        model.Ending,
        model.Node,
        model.Chapter,
        model.Manifest,
        linker.Summary,
        linker.ChapterFile,
    ):
        h.update((cls.__name__ + ":" + ",".join(field_names(cls)) + ";").encode())
    here = Path(__file__).parent
    for name in _PARSING_MODULES:  # their source, read without importing them
        with contextlib.suppress(OSError):
            h.update((here / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]


_CODE_SHAPE = _code_shape()


def shipped_story() -> Path:
    """The folder of the story that ships with the game."""
    from importlib import resources

    packaged = resources.files("rougegame") / "_story"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "story"


def cache_dir() -> Path | None:
    setting = os.environ.get("ROUGEGAME_CACHE")
    if setting is not None:
        if setting.lower() in ("", "0", "off", "no"):
            return None
        folder = Path(setting)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "rougegame"
    return folder if _private(folder) else None


def _private(folder: Path) -> bool:
    """False for a cache folder that other users could write to (then no cache is used)."""
    try:
        info = folder.stat()
    except FileNotFoundError:
        return True  # it will be created, private to this user
    except OSError:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & 0o022


def _cache_key(kind: str, file: str, content: str) -> str:
    """The cache key of a file, from its content's hash and everything else its entry depends on."""
    h = hashlib.sha256()
    for part in (CACHE_VERSION, _CODE_SHAPE, sys.version.split()[0], kind, file, content):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _encode(value: Any) -> bytes:
    """A cache entry: a pickle, and for a chapter file its nodes' bytes after it, checksummed.

    Reading an entry unpickles only the head; the nodes are unpickled when play needs them.
    """
    if not isinstance(value, ChapterFile):
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    blob = value.blob() if callable(value.blob) else value.blob
    head = (_CHAPTER_ENTRY, value.chapter, value.summary, len(blob), zlib.crc32(blob))
    return pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL) + bytes(blob)


def _decode(data: bytes) -> Any:
    """The value of a cache entry kept in memory; raises on any damage it can see."""
    stream = io.BytesIO(data)
    value = safepickle.load(stream)
    if not (isinstance(value, tuple) and value[:1] == (_CHAPTER_ENTRY,)):
        return value
    _tag, chapter, summary, size, crc = value
    blob = memoryview(data)[stream.tell() :]
    if len(blob) != size or zlib.crc32(blob) != crc:
        raise ValueError("damaged cache entry")
    return ChapterFile(chapter, summary, blob)


class LaterBytes:
    """The nodes' bytes of a chapter's cache entry, read and checked when first needed.

    A warm load reads only the linked story's entry, or else the head of each file's entry (the
    chapter and its summary): the nodes of a large story are most of the cache, and a game
    reaches few of its chapters at a time. A load that has just written an entry keeps its
    nodes' bytes (``kept``) and says where they are, for the linked story's entry. When the
    bytes cannot be read back as they were written (the entry was removed or damaged since), the
    chapter file is read again instead, if it still holds what was loaded; if it has changed,
    the story has to be loaded again, which the StoryError raised says.
    """

    __slots__ = ("crc", "kept", "offset", "path", "reread", "size")

    def __init__(
        self,
        path: Path,
        offset: int,
        size: int,
        crc: int,
        reread: Callable[[], bytes],
        kept: memoryview | None = None,
    ) -> None:
        self.path, self.offset, self.size, self.crc = path, offset, size, crc
        self.reread = reread
        self.kept = kept  # the bytes themselves, when the entry was just written

    def __call__(self) -> bytes | memoryview:
        if self.kept is not None:
            return self.kept
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                data = f.read(self.size + 1)
        except OSError:
            data = b""
        if len(data) == self.size and zlib.crc32(data) == self.crc:
            return data
        return self.reread()


def _read_head(path: Path) -> tuple[Any, int] | None:
    """The head of an entry and where the rest of it starts, or None when there is none to use.

    An entry last touched a day or more ago is touched again, so that pruning (least recently
    used first) keeps what is in use.
    """
    try:
        with path.open("rb") as f:
            value = safepickle.load(f)
            offset = f.tell()
            info = os.fstat(f.fileno())
        if time.time() - info.st_mtime > 86_400:
            os.utime(path)
    except Exception:  # missing, unreadable or damaged: ignored and rebuilt
        return None
    if isinstance(value, tuple) and value[:1] == (_CHAPTER_ENTRY,):
        if len(value) != 5 or offset + value[3] != info.st_size:
            return None  # cut short or grown: rebuilt
    elif offset != info.st_size:
        return None
    return value, offset


def _cache_get(key: str, folder: Path | None, reread: Callable[[], bytes]) -> Any | None:
    """The cached value of a file, or None. ``reread`` gives a chapter's nodes' bytes from the
    chapter file, for when its entry cannot give them back later (see :class:`LaterBytes`)."""
    data = _memo.get(key)
    if data is not None:
        try:
            value = _decode(data)
        except Exception:  # a damaged cache entry is ignored and rebuilt
            _memo.pop(key, None)
            return None
        _memo.move_to_end(key)
        return value
    if folder is None:
        return None
    path = folder / f"{key[:40]}.pickle"
    found = _read_head(path)
    if found is None:
        return None
    value, offset = found
    if not (isinstance(value, tuple) and value[:1] == (_CHAPTER_ENTRY,)):
        return value
    _tag, chapter, summary, size, crc = value
    return ChapterFile(chapter, summary, LaterBytes(path, offset, size, crc, reread))


def _remember(key: str, data: bytes) -> None:
    global _memo_bytes
    if key in _memo:
        _memo.move_to_end(key)
        return
    _memo[key] = data
    _memo_bytes += len(data)
    while _memo_bytes > MEMORY_LIMIT and len(_memo) > 1:
        _memo_bytes -= len(_memo.popitem(last=False)[1])


def _cache_put(key: str, value: Any, folder: Path | None) -> tuple[bytes, Path | None]:
    """Store an entry (in memory, and in the cache folder when there is one): its bytes, and
    the file they were written to."""
    data = _encode(value)
    _remember(key, data)
    written = _write_entry(folder, key, data) if folder is not None else None
    return data, written


def _write_entry(folder: Path, key: str, data: bytes) -> Path | None:
    path = folder / f"{key[:40]}.pickle"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key[:40]}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        return None  # a cache that cannot be written only costs speed
    _written.add(folder)
    return path


def _prune(folder: Path, limit: int) -> None:
    """Keep the cache folder under ``limit`` bytes, removing the least recently used entries
    (and file indexes: reading either touches it when it was last touched a day ago or more)."""
    entries: list[tuple[float, int, str]] = []
    total = 0
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                name = entry.name
                kept = name.endswith(".pickle") or (
                    name.startswith("index-") and name.endswith(".json")
                )
                if kept and entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    entries.append((info.st_mtime, info.st_size, entry.path))
                    total += info.st_size
    except OSError:
        return
    if total <= limit:
        return
    entries.sort()
    for _mtime, size, path in entries:
        if total <= limit * 3 // 4:
            break
        with contextlib.suppress(OSError):
            Path(path).unlink()
            total -= size


def clear_memory_cache() -> None:
    global _memo_bytes
    _memo.clear()
    _memo_bytes = 0


def _read(path: Path, display: str) -> bytes:
    try:
        if path.stat().st_size > 20 * 1024 * 1024:
            raise StoryError(
                [
                    Problem(
                        "file is over the 20 MiB limit",
                        Location(display),
                        hint="split it into more chapter files",
                        code="too-large",
                    )
                ]
            )
        return path.read_bytes()
    except OSError as exc:
        raise StoryError(
            [Problem(f"cannot read the file: {exc.strerror}", Location(display), code="io")]
        ) from None


class _IndexWrong(Exception):
    """The file index gave a hash that the file's content does not have."""


class _Source(NamedTuple):
    """A story file about to be loaded: what it is, where, and its content hash."""

    kind: str  # "manifest" or "chapter"
    path: Path
    display: str  # its name in messages
    content: bytes  # sha256 of its bytes
    data: bytes | None  # its bytes, when they had to be read to hash them


def _hash_file(path: Path, display: str, index: FileIndex | None) -> tuple[bytes, bytes | None]:
    """(the file's content hash, its bytes if they had to be read to hash them).

    With an ``index``, a file it shows untouched since it was hashed is not read.
    """
    info: os.stat_result | None = None
    if index is not None:
        with contextlib.suppress(OSError):
            info = path.stat()  # before reading: a write after it makes the file look changed
            content = index.known(display, info)
            if content is not None:
                return content, None
    data = _read(path, display)
    content = hashlib.sha256(data).digest()
    if index is not None and info is not None:
        index.record(display, info, content)
    return content, data


def _rereader(
    kind: str, path: Path, display: str, content: bytes, folder: Path | None
) -> Callable[[], bytes]:
    """What gives a chapter's nodes' bytes from the chapter file, if it still holds what was
    loaded (for when its cache entry cannot give them back)."""

    def reread() -> bytes:
        again = _read(path, display)
        if hashlib.sha256(again).digest() != content:
            raise StoryError(
                [
                    Problem(
                        "the file has changed since the story was loaded",
                        Location(display),
                        hint="load the story again (ctrl+r in the game)",
                        code="changed",
                    )
                ]
            )
        blob = _parse_fresh(kind, path, display, again, content, folder).blob
        return bytes(blob() if callable(blob) else blob)

    return reread


def _parse_file(source: _Source, folder: Path | None) -> Any:
    """A Manifest or a ChapterFile, from the cache or parsed (its bytes read if need be)."""
    kind, path, display, content, data = source
    key = _cache_key(kind, display, content.hex())
    cached = _cache_get(key, folder, _rereader(kind, path, display, content, folder))
    if cached is not None:
        return cached
    if data is None:  # hashed through the index, but its entry is gone: read it and check
        data = _read(path, display)
        if hashlib.sha256(data).digest() != content:
            raise _IndexWrong(display)
    return _parse_fresh(kind, path, display, data, content, folder)


def _parse_fresh(
    kind: str, path: Path, display: str, data: bytes, content: bytes, folder: Path | None
) -> Any:
    """Parse a file's bytes and cache the result (a Manifest or a ChapterFile)."""
    raw, problems = load_yaml(data, display)
    if problems:
        raise StoryError(problems)
    result: Any
    if kind == "manifest":
        result = parse_manifest(raw, display)
    else:
        result = pack_chapter(*parse_chapter(raw, display, path.stem))
    entry, written = _cache_put(_cache_key(kind, display, content.hex()), result, folder)
    if isinstance(result, ChapterFile):  # keep one copy of the nodes' bytes: the entry's
        blob = result.blob
        assert not callable(blob)
        kept = memoryview(entry)[len(entry) - len(blob) :]
        result.blob = kept
        if written is not None:  # and say where they are, for the whole story's entry
            reread = _rereader(kind, path, display, content, folder)
            offset = len(entry) - len(kept)
            result.blob = LaterBytes(written, offset, len(kept), zlib.crc32(kept), reread, kept)
    return result


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def chapter_files(root: Path) -> list[Path]:
    folder = root / "chapters"
    try:
        with os.scandir(folder) as listing:  # tells files apart without a stat each
            names = sorted(
                entry.name
                for entry in listing
                if entry.name.endswith((".yaml", ".yml"))
                and not entry.name.startswith(".")
                and entry.is_file()
            )
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise StoryError(
            [Problem(f"cannot read the folder: {exc.strerror}", Location(str(folder)), code="io")]
        ) from None
    files = [folder / name for name in names]
    if len(files) > MAX_FILES:
        raise StoryError(
            [
                Problem(
                    f"more than {MAX_FILES} chapter files", Location(str(folder)), code="too-large"
                )
            ]
        )
    return files


def resolve_path(path: str | os.PathLike[str] | None) -> tuple[Path, Path | None]:
    """(story folder or single file, the chapter file to focus on if one was given)."""
    if path is None:
        return shipped_story(), None
    p = Path(path)
    if p.is_dir():
        return p, None
    if not p.exists():
        raise StoryError(
            [
                Problem(
                    "no such file or folder",
                    Location(str(p)),
                    code="io",
                    hint="give a story folder or a .yaml file",
                )
            ]
        )
    if p.name == MANIFEST and (p.parent / "chapters").is_dir():
        return p.parent, None
    folder = p.absolute().parent  # `chapters` even when the path is just `01_dock.yaml`
    if folder.name == "chapters" and (folder.parent / MANIFEST).is_file():
        return (p.parent.parent if p.parent.name == "chapters" else folder.parent), p
    return p, None


def load_story(path: str | os.PathLike[str] | None = None, *, use_cache: bool = True) -> Story:
    """Load, check and link a story. Raises StoryError carrying every problem found."""
    root, _focus = resolve_path(path)
    collecting = gc.isenabled()
    gc.disable()
    _written.clear()
    try:
        load = _load_single_file if root.is_file() else _load_folder
        story = load(root, use_cache)
        if collecting and len(story.nodes) >= FREEZE_NODES:
            gc.freeze()
        return story
    finally:
        if collecting:
            gc.enable()
        for folder in _written:
            _prune(folder, CACHE_LIMIT)
        _written.clear()


def _load_folder(root: Path, use_cache: bool) -> Story:
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise StoryError(
            [
                Problem(
                    f"no {MANIFEST} in this folder",
                    Location(str(root)),
                    hint="a story folder holds story.yaml and chapters/*.yaml; "
                    "`rougegame new DIR` writes one",
                    code="io",
                )
            ]
        )
    folder = cache_dir() if use_cache else None
    index = FileIndex.open(folder, root) if folder is not None else None
    while True:  # each time round, one file fewer is trusted to the index: it ends
        try:
            return _load_files(root, manifest_path, folder, index)
        except _IndexWrong as exc:  # a file changed without its stat showing it: hash it again
            assert index is not None
            index.forget(str(exc))


def _load_files(
    root: Path, manifest_path: Path, folder: Path | None, index: FileIndex | None
) -> Story:
    problems: list[Problem] = []
    sources: list[_Source] = []
    chapters = [("chapter", file) for file in chapter_files(root)]
    for kind, path in [("manifest", manifest_path), *chapters]:
        display = _display(path, root)
        try:
            content, data = _hash_file(path, display, index)
        except StoryError as exc:
            if kind == "manifest":
                raise
            problems.extend(exc.problems)
            continue
        sources.append(_Source(kind, path, display, content, data))
    if index is not None:
        index.save()
    digest = hashlib.sha256(sources[0].content)
    for source in sources[1:]:
        digest.update(source.path.name.encode() + b"\0" + source.content)
    files = [str(source.path) for source in sources]
    content_hash = digest.hexdigest()[:16]
    story_key = None
    if folder is not None and not problems:
        story_key = _story_key(root, sources)
        story = _cached_story(folder, story_key, sources, root, files, content_hash)
        if story is not None:
            return story
    manifest: Manifest = _parse_file(sources[0], folder)
    parts: list[ChapterFile] = []
    for source in sources[1:]:
        try:
            parts.append(_parse_file(source, folder))
        except StoryError as exc:
            problems.extend(exc.problems)
    if problems:
        # Report YAML-level problems together with what linking the rest finds, except for
        # references that the unreadable files may well have satisfied.
        try:
            link(manifest, parts, str(root), files, content_hash, partial=True)
        except StoryError as exc:
            problems.extend(exc.problems)
        raise StoryError(problems)
    story = link(manifest, parts, str(root), files, content_hash)
    if story_key is not None:
        assert folder is not None
        _cache_story(folder, story_key, story, parts)
    return story


# -- the whole story's cache entry --------------------------------------------------------------
# Once every file of a story has its own entry, the linked story is kept too, under a key made of
# every file's name and content hash: a warm load then reads one entry instead of every file's
# head, and links nothing. It holds what linking made (chapters, variables, codex, dossier, the
# node ids), and where each chapter's nodes are in that chapter's own entry.

# The fields of a Story that linking makes and the entry keeps; the rest are made as it is read.
_LINKED = frozenset(
    {"id", "title", "version", "author", "start", "variables", "codex", "dossier", "gauge"}
    | {"chapters", "warnings", "ending_nodes"}
)


def _story_key(root: Path, sources: list[_Source]) -> str:
    h = hashlib.sha256()
    for part in (CACHE_VERSION, _CODE_SHAPE, sys.version.split()[0], "story", str(root)):
        h.update(part.encode())
        h.update(b"\0")
    for source in sources:
        h.update(source.display.encode() + b"\0" + source.content)
    return h.hexdigest()


def _cache_story(folder: Path, key: str, story: Story, parts: list[ChapterFile]) -> None:
    """Keep the linked story, when every chapter's nodes are in a cache entry on disk."""
    places = []
    for i, part in enumerate(parts, start=1):
        blob = part.blob
        if not isinstance(blob, LaterBytes) or blob.path.parent != folder:
            return  # made or read here: the next load, reading the entries, keeps it
        places.append((part.chapter.id, i, blob.path.name, blob.offset, blob.size, blob.crc))
    fields = {name: getattr(story, name) for name in _LINKED}
    entry = (_STORY_ENTRY, fields, story.nodes.chapter_map(), places)
    _write_entry(folder, key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))


def _cached_story(
    folder: Path,
    key: str,
    sources: list[_Source],
    root: Path,
    files: list[str],
    content_hash: str,
) -> Story | None:
    found = _read_head(folder / f"{key[:40]}.pickle")
    if found is None:
        return None
    value = found[0]
    try:
        tag, fields, chapter_of, places = value
        if tag != _STORY_ENTRY or not isinstance(chapter_of, dict) or fields.keys() != _LINKED:
            return None
        blobs: dict[str, LaterBytes] = {}
        for chapter_id, i, name, offset, size, crc in places:
            source = sources[i]
            if source.kind != "chapter" or not _ENTRY_NAME.fullmatch(name):
                return None
            reread = _rereader(source.kind, source.path, source.display, source.content, folder)
            blobs[chapter_id] = LaterBytes(folder / name, offset, size, crc, reread)
        if blobs.keys() != fields["chapters"].keys():
            return None
    except (TypeError, ValueError, IndexError, AttributeError):  # not what was written: rebuilt
        return None
    return Story(
        **fields,
        nodes=node_table(chapter_of, blobs),
        content_hash=content_hash,
        root=str(root),
        files=files,
    )


def _load_single_file(path: Path, use_cache: bool) -> Story:
    from rougegame.story.yamlsafe import Mapping, Sequence

    display = str(path)
    data = _read(path, display)
    raw, problems = load_yaml(data, display)
    if problems:
        raise StoryError(problems)
    if isinstance(raw, Mapping) and "chapter" in raw and "format" not in raw:
        raise StoryError(
            [
                Problem(
                    "this is a chapter file outside a story folder",
                    Location(display, 1, 1),
                    hint="put it in DIR/chapters/ next to DIR/story.yaml, or check the folder",
                    code="io",
                )
            ]
        )
    if not isinstance(raw, Mapping):
        return link(parse_manifest(raw, display), [], str(path.parent), [display], "")
    inline = raw.pop("chapters", None)
    manifest: Manifest = parse_manifest(raw, display)
    parts: list[ChapterFile] = []
    if isinstance(inline, Sequence):
        for i, item in enumerate(inline):
            parts.append(pack_chapter(*parse_chapter(item, display, f"chapter{i + 1}")))
    elif inline is not None:
        manifest.problems.append(
            Problem("`chapters` must be a list of chapters", raw.where("format"), code="type")
        )
    digest = hashlib.sha256(data).hexdigest()[:16]
    return link(manifest, parts, str(path.parent), [display], digest)
