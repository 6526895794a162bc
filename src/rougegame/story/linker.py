"""Linking a story: merge declarations, resolve references across chapters, compile.

Input: the manifest and the chapter files, each parsed on its own and packed as a
:class:`ChapterFile` (its :class:`Chapter`, a :class:`Summary` of every name it refers to, and its
nodes pickled). Output: a ready :class:`Story`, or a :class:`StoryError` carrying every problem
found (file:line:column, node, message, hint).

Linking is fast because it reads summaries, not nodes: when every name a summary lists is
declared and every effect has the right type, the story is sound, and each chapter's nodes are
resolved and compiled only when play first reaches them (:func:`finish_nodes`). When a summary
shows something wrong, every node is read and checked one by one to say exactly what and where.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping
from typing import Protocol

from rougegame.records import Record
from rougegame.story import safepickle
from rougegame.story.expressions import (
    Ast,
    Compiled,
    ExprError,
    compile_expr,
    references,
    rewrite_refs,
    static_type,
)
from rougegame.story.model import (
    Chapter,
    CodexEntry,
    Effect,
    Manifest,
    Node,
    NodeTable,
    Story,
    Variable,
    pickles_as_arguments,
)
from rougegame.story.problems import Location, Problem, ProblemList, StoryError, did_you_mean
from rougegame.story.text import Segment, Template, compile_template, segment_refs

MAX_NODES = 500_000

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023


def resolve_node_ref(ref: str, chapter: str) -> str:
    return ref if "." in ref else f"{chapter}.{ref}"


# -- one chapter file on its own ----------------------------------------------------------------


@pickles_as_arguments
class Summary(Record):
    """Every name one chapter file's nodes refer to, and every effect's shape.

    Node references are resolved (``chapter.node``). This is all linking needs to know that the
    file fits the rest of the story.
    """

    __slots__ = ("var_refs", "node_refs", "codex_refs", "effects", "endings")

    var_refs: frozenset[str]
    node_refs: frozenset[str]
    codex_refs: frozenset[str]
    # (op, variable, value) of each different variable effect. Told apart by their source, never
    # by their ASTs: ("lit", 1) == ("lit", True), but `x = 1` and `x = true` are not the same.
    effects: tuple[tuple[str, str, Ast], ...]
    endings: tuple[tuple[str, str], ...]  # (ending id, node id), in order

    def __init__(
        self,
        var_refs: frozenset[str],
        node_refs: frozenset[str],
        codex_refs: frozenset[str],
        effects: tuple[tuple[str, str, Ast], ...],
        endings: tuple[tuple[str, str], ...],
    ) -> None:
        self.var_refs = var_refs
        self.node_refs = node_refs
        self.codex_refs = codex_refs
        self.effects = effects
        self.endings = endings


class NodeBytes(Protocol):
    """A chapter's nodes' bytes, read when first needed (see ``loader.LaterBytes``)."""

    def __call__(self) -> bytes | memoryview:
        """The bytes as they were cached (checked), or else as the chapter file gives them."""

    def reread(self) -> bytes:
        """The bytes from the chapter file itself."""


@pickles_as_arguments
class ChapterFile(Record):
    """One chapter file, parsed and checked on its own: what the cache keeps for it."""

    __slots__ = ("chapter", "summary", "blob")

    chapter: Chapter
    summary: Summary
    # The nodes, pickled: bytes, or (from the cache) what reads and checks them the first time
    # the chapter is needed.
    blob: bytes | memoryview | NodeBytes

    def __init__(
        self, chapter: Chapter, summary: Summary, blob: bytes | memoryview | NodeBytes
    ) -> None:
        self.chapter = chapter
        self.summary = summary
        self.blob = blob


def summarise(nodes: Iterable[Node]) -> Summary:
    var_refs: set[str] = set()
    node_refs: set[str] = set()
    codex_refs: set[str] = set()
    effects: dict[str, tuple[str, str, Ast]] = {}  # by source
    endings: list[tuple[str, str]] = []
    chapter = ""

    def expression(ast: Ast) -> None:
        for kind, name, _column in references(ast):
            if kind == "var":
                var_refs.add(name)
            elif kind == "node":
                node_refs.add(resolve_node_ref(name, chapter))
            else:
                codex_refs.add(name)

    def effect(eff: Effect) -> None:
        if eff.op == "unlock":
            codex_refs.add(eff.target)
            return
        var_refs.add(eff.target)
        if eff.value is not None:
            expression(eff.value)
            effects.setdefault(eff.source, (eff.op, eff.target, eff.value))

    def text(segments: list[Segment]) -> None:
        for kind, item, _offset in segment_refs(segments):
            if kind == "var":
                var_refs.add(item)
            else:
                expression(item)

    for node in nodes:
        chapter = node.chapter
        for eff in node.effects:
            effect(eff)
        text(node.segments)
        if node.ending is not None:
            endings.append((node.ending.id, node.id))
            text(node.ending.segments)
        for choice in node.choices:
            if choice.target:
                node_refs.add(resolve_node_ref(choice.target, chapter))
            if choice.condition is not None:
                expression(choice.condition)
            for eff in choice.effects:
                effect(eff)
            text(choice.segments)
    return Summary(
        frozenset(var_refs),
        frozenset(node_refs),
        frozenset(codex_refs),
        tuple(effects.values()),
        tuple(endings),
    )


def pack_chapter(chapter: Chapter, nodes: list[Node]) -> ChapterFile:
    """A parsed chapter file ready to cache: its summary, and its nodes as bytes."""
    return ChapterFile(chapter, summarise(nodes), pickle.dumps(nodes, pickle.HIGHEST_PROTOCOL))


def unpack_nodes(part: ChapterFile) -> list[Node]:
    return unpack_blob(part.blob)


def unpack_blob(blob: bytes | memoryview | NodeBytes) -> list[Node]:
    """A chapter's nodes from their pickled bytes (read back from its file if they are bad)."""
    if not callable(blob):
        nodes: list[Node] = safepickle.loads(blob)
        return nodes
    try:
        nodes = safepickle.loads(blob())
    except Exception:  # a cache entry that reads back wrong, or names what it may not
        nodes = safepickle.loads(blob.reread())
    return nodes


class _Finisher:
    """Resolves and compiles one chapter's nodes; each distinct AST object is done once.

    A chapter's repeated conditions and effects are one shared AST object each (the parser
    remembers what it parsed, and pickling keeps the sharing), so this is mostly lookups.
    """

    def __init__(self, chapter: str) -> None:
        self.chapter = chapter
        # Keyed by id; each entry keeps its AST, so that id cannot be reused meanwhile.
        self.resolved: dict[int, tuple[Ast, Ast]] = {}
        self.compiled: dict[int, tuple[Ast, Compiled]] = {}
        self.static: dict[str, Template] = {}

    def resolve_ref(self, kind: str, name: str) -> str:
        return resolve_node_ref(name, self.chapter) if kind == "node" else name

    def resolve(self, ast: Ast) -> Ast:
        found = self.resolved.get(id(ast))
        if found is not None:
            return found[1]
        resolved = rewrite_refs(ast, self.resolve_ref)
        self.resolved[id(ast)] = (ast, resolved)
        return resolved

    def compile(self, ast: Ast) -> Compiled:
        found = self.compiled.get(id(ast))
        if found is not None:
            return found[1]
        compiled = compile_expr(ast)
        self.compiled[id(ast)] = (ast, compiled)
        return compiled

    def segments(self, segments: list[Segment]) -> list[Segment]:
        for seg in segments:
            if seg[0] == "if":
                break
        else:
            return segments
        out: list[Segment] = []
        for seg in segments:
            if seg[0] == "if":
                out.append(
                    ("if", self.resolve(seg[1]), self.segments(seg[2]), self.segments(seg[3]))
                )
            else:
                out.append(seg)
        return out

    def template(self, segments: list[Segment]) -> Template:
        if len(segments) == 1 and segments[0][0] == "lit":  # plain text, often repeated
            text = segments[0][1]
            found = self.static.get(text)
            if found is None:
                found = self.static[text] = compile_template(segments, self.compile)
            return found
        return compile_template(self.segments(segments), self.compile)

    def effect(self, eff: Effect) -> None:
        if eff.op == "unlock" or eff.value is None:
            eff.compiled = None
            return
        eff.value = self.resolve(eff.value)
        eff.compiled = self.compile(eff.value)


def finish_nodes(nodes: list[Node]) -> list[Node]:
    """Resolve the references of a linked story's nodes and compile them, in place."""
    finishers: dict[str, _Finisher] = {}
    for node in nodes:
        chapter = node.chapter
        finish = finishers.get(chapter)
        if finish is None:
            finish = finishers[chapter] = _Finisher(chapter)
        for eff in node.effects:
            finish.effect(eff)
        if node.static_paragraphs is None:  # prose that never varies was split when parsed
            node.template = finish.template(node.segments)
        if node.ending is not None:
            node.ending.template = finish.template(node.ending.segments)
        for choice in node.choices:
            target = choice.target
            if target and "." not in target:
                choice.target = f"{chapter}.{target}"
            if choice.condition is not None:
                choice.condition = finish.resolve(choice.condition)
                choice.check = finish.compile(choice.condition)
            for eff in choice.effects:
                finish.effect(eff)
            choice.template = finish.template(choice.segments)
    return nodes


def effect_type_problem(
    eff_op: str, target: str, value: Ast, source: str, var_types: dict[str, type]
) -> tuple[str, str | None] | None:
    """(message, hint) when an effect gives a variable the wrong kind of value, else None."""
    target_type = var_types[target]
    got = static_type(value, var_types)
    if (
        eff_op in ("add", "sub")
        and target_type is not float
        and not (eff_op == "add" and target_type is str)
    ):
        return f"`{source}`: `{target}` is not a number", "use `=` to set text or true/false"
    if got is not None and got is not target_type:
        names = {bool: "true/false", str: "text", float: "a number"}
        hint = None
        if target_type is str and value[0] == "var":
            hint = f'strings need quotes: `{target} = "{value[1]}"`'
        return (
            f"`{source}` gives {names[got]} to `{target}`, which holds {names[target_type]}",
            hint,
        )
    return None


# -- the whole story ----------------------------------------------------------------------------


class _Linker:
    def __init__(self, manifest: Manifest, parts: list[ChapterFile], partial: bool = False) -> None:
        self.partial = partial
        self.unchecked = 0
        self.m = manifest
        self.parts = parts
        self.p = ProblemList(list(manifest.problems))
        self.variables: dict[str, Variable] = dict(manifest.variables)
        self.codex: dict[str, CodexEntry] = dict(manifest.codex)
        self.chapters: dict[str, Chapter] = {}
        self.linked: list[ChapterFile] = []  # the parts whose chapter id was not taken already
        self.nodes: dict[str, str] = {}  # node id -> chapter id, in story order
        self.var_types: dict[str, type] = {}

    def merge(self) -> None:
        for part in self.parts:
            chapter = part.chapter
            self.p.items.extend(chapter.problems)
            if chapter.id in self.chapters:
                other = self.chapters[chapter.id]
                self.p.error(
                    f"chapter id `{chapter.id}` is also used by {other.file}",
                    chapter.loc,
                    hint="give each chapter file its own `chapter:` id",
                    code="duplicate",
                )
                continue
            self.chapters[chapter.id] = chapter
            self.linked.append(part)
            for name, var in chapter.variables.items():
                if name in self.variables:
                    self.p.error(
                        f"variable `{name}` is declared twice (also at {self.variables[name].loc})",
                        var.loc,
                        code="duplicate",
                        hint="declare each variable once, in the manifest or one chapter",
                    )
                else:
                    self.variables[name] = var
            for cid, entry in chapter.codex.items():
                if cid in self.codex:
                    self.p.error(
                        f"codex id `{cid}` is declared twice (also at {self.codex[cid].loc})",
                        entry.loc,
                        code="duplicate",
                    )
                else:
                    self.codex[cid] = entry
            self.nodes.update(dict.fromkeys(chapter.nodes, chapter.id))
        if len(self.nodes) > MAX_NODES:
            self.p.error(
                f"the story has {len(self.nodes)} nodes, over the limit of {MAX_NODES}",
                Location(self.m.file),
                code="too-large",
            )
        for name, var in self.variables.items():
            init = var.initial
            self.var_types[name] = (
                bool if isinstance(init, bool) else str if isinstance(init, str) else float
            )

    def summaries_pass(self) -> bool:
        """True when the summaries show that every node checks out (nothing is reported)."""
        endings: set[str] = set()
        variables, nodes, codex = self.variables, self.nodes, self.codex
        for part in self.linked:
            summary = part.summary
            if not (
                summary.var_refs <= variables.keys()
                and summary.node_refs <= nodes.keys()
                and summary.codex_refs <= codex.keys()
            ):
                return False
            for op, target, value in summary.effects:
                if effect_type_problem(op, target, value, "", self.var_types) is not None:
                    return False
            for ending_id, _node in summary.endings:
                if ending_id in endings:
                    return False
                endings.add(ending_id)
        return True

    def defer(self, node_id: str | None = None) -> bool:
        """In a partial link (some files could not be read), count instead of reporting a
        reference the missing files may satisfy: a node of a chapter that did not load, or any
        variable or codex entry."""
        if not self.partial:
            return False
        if node_id is not None:
            chapter = node_id.rsplit(".", 1)[0] if "." in node_id else ""
            if chapter in self.chapters:
                return False
        self.unchecked += 1
        return True

    def check_ref(self, kind: str, name: str, loc: Location, node: str | None) -> bool:
        if kind == "var":
            if name in self.variables:
                return True
            if self.defer():
                return False
            hint = did_you_mean(name, self.variables)
            if hint is None:
                hint = (
                    f'declare it under `variables:`, or if you meant the text "{name}", '
                    "put it in double quotes"
                )
            self.p.error(
                f"undeclared variable `{name}`", loc, node=node, hint=hint, code="undeclared"
            )
            return False
        if kind == "node":
            if name in self.nodes:
                return True
            if self.defer(name):
                return False
            self.p.error(
                f"no node `{name}`",
                loc,
                node=node,
                hint=did_you_mean(name, self.nodes),
                code="missing-node",
            )
            return False
        if name in self.codex:
            return True
        if self.defer():
            return False
        self.p.error(
            f"no codex entry `{name}`",
            loc,
            node=node,
            hint=did_you_mean(name, self.codex) or "declare it under `codex:`",
            code="missing-codex",
        )
        return False

    def expression(self, ast: Ast, loc: Location, node: str | None, chapter: str) -> bool:
        ok = True
        for kind, name, column in references(ast):
            where = Location(loc.file, loc.line, loc.column + column - 1) if loc.line else loc
            ref = resolve_node_ref(name, chapter) if kind == "node" else name
            ok = self.check_ref(kind, ref, where, node) and ok
        return ok

    def effect(self, eff: Effect, node: str, chapter: str) -> None:
        if eff.op == "unlock":
            self.check_ref("codex", eff.target, eff.loc, node)
            return
        if not self.check_ref("var", eff.target, eff.loc, node):
            return
        assert eff.value is not None
        if not self.expression(eff.value, eff.loc, node, chapter):
            return
        problem = effect_type_problem(eff.op, eff.target, eff.value, eff.source, self.var_types)
        if problem is not None:
            message, hint = problem
            self.p.error(message, eff.loc, node=node, hint=hint, code="type")

    def text(
        self, segments: list[Segment], loc: Location, source: str, node: str, chapter: str
    ) -> None:
        """Check the names a passage uses; ``loc`` is where ``source`` starts in its file."""
        for kind, item, offset in segment_refs(segments):
            if kind == "var":
                self.check_ref("var", item, loc.at_offset(source, offset), node)
                continue
            for ref_kind, name, column in references(item):
                ref = resolve_node_ref(name, chapter) if ref_kind == "node" else name
                where = loc.at_offset(source, column - 1)
                self.check_ref(ref_kind, ref, where, node)

    def nodes_pass(self) -> None:
        """Check every node, saying exactly what is wrong and where."""
        endings: dict[str, Node] = {}
        for part in self.linked:
            for node in unpack_nodes(part):
                self.check_node(node, endings)

    def check_node(self, node: Node, endings: dict[str, Node]) -> None:
        for eff in node.effects:
            self.effect(eff, node.id, node.chapter)
        self.text(node.segments, node.text_loc, node.text, node.id, node.chapter)
        if node.ending is not None:
            e = node.ending
            if e.id in endings:
                self.p.error(
                    f"ending id `{e.id}` is also used by node {endings[e.id].id}",
                    e.loc,
                    node=node.id,
                    hint="ending ids must be unique",
                    code="duplicate",
                )
            endings[e.id] = node
            eloc = e.epilogue_loc or e.loc
            self.text(e.segments, eloc, e.epilogue, node.id, node.chapter)
        for choice in node.choices:
            target = resolve_node_ref(choice.target, node.chapter) if choice.target else ""
            if target not in self.nodes and choice.target:  # no `to:` is reported already
                scope = target.rsplit(".", 1)[0] + "."  # the chapter the target names
                local = [n for n in self.nodes if n.startswith(scope)]
                hint = did_you_mean(target, local) or did_you_mean(target, self.nodes)
                if hint is None and "." not in choice.target:
                    hint = (
                        "nodes in other chapters are written `chapter.node`"
                        if choice.target
                        else None
                    )
                if not self.defer(target):
                    self.p.error(
                        f"choice `{choice.text or choice.kind}` leads to `{choice.target}`"
                        ", which does not exist",
                        choice.target_loc,
                        node=node.id,
                        hint=hint,
                        code="missing-target",
                    )
            if choice.condition is not None:
                assert choice.condition_loc is not None
                self.expression(choice.condition, choice.condition_loc, node.id, node.chapter)
            for eff in choice.effects:
                self.effect(eff, node.id, node.chapter)
            cloc = choice.text_loc or choice.loc
            self.text(choice.segments, cloc, choice.text, node.id, node.chapter)

    def manifest_pass(self) -> None:
        m = self.m
        if m.start and m.start not in self.nodes and not self.defer(m.start):
            self.p.error(
                f"the start node `{m.start}` does not exist",
                m.start_loc,
                hint=did_you_mean(m.start, self.nodes) or "write it as `chapter.node`",
                code="missing-node",
            )
        if not self.nodes:
            self.p.error(
                "the story has no nodes",
                Location(m.file),
                hint="add chapter files under chapters/",
                code="empty",
            )
        if m.gauge:
            var = self.variables.get(m.gauge)
            if var is None:
                self.check_ref("var", m.gauge, m.gauge_loc or Location(m.file), None)
            elif var.minimum is None or var.maximum is None:
                self.p.error(
                    f"the gauge `{m.gauge}` needs a number variable with min and max",
                    m.gauge_loc,
                    code="gauge",
                )
        for card in m.dossier:
            loc = card.loc or Location(m.file)
            var = self.variables.get(card.variable)
            if var is None:
                self.check_ref("var", card.variable, loc, None)
            elif not isinstance(var.initial, str):
                self.p.error(
                    f'dossier variable `{card.variable}` must hold text such as "unknown"',
                    loc,
                    code="type",
                )
            if card.codex:
                self.check_ref("codex", card.codex, loc, None)

    def run(self, root: str, files: list[str], content_hash: str) -> Story:
        self.merge()
        if self.p.errors or not self.summaries_pass():
            self.nodes_pass()
        self.manifest_pass()
        if self.unchecked:
            self.p.warning(
                f"{self.unchecked} reference(s) to nodes of other chapters, variables or codex "
                "entries were not checked, because a file could not be read",
                Location(self.m.file),
                hint="fix the unreadable file(s) and check again",
                code="unchecked",
            )
        if self.p.errors or self.partial:
            raise StoryError(_sorted(self.p.items))
        nodes = node_table(self.nodes, {part.chapter.id: part.blob for part in self.linked})
        return Story(
            id=self.m.id,
            title=self.m.title,
            version=self.m.version,
            author=self.m.author,
            start=self.m.start,
            variables=self.variables,
            codex=self.codex,
            dossier=self.m.dossier,
            gauge=self.m.gauge,
            chapters=self.chapters,
            nodes=nodes,
            content_hash=content_hash,
            root=root,
            files=files,
            warnings=[p for p in self.p.items if p.severity == "warning"],
            ending_nodes=[node for part in self.linked for _id, node in part.summary.endings],
        )


def node_table(
    chapter_of: dict[str, str], blobs: Mapping[str, bytes | memoryview | NodeBytes]
) -> NodeTable:
    """A story's nodes (``chapter_of``: node id -> chapter id, in story order), each chapter's
    resolved and compiled from its pickled nodes, ``blobs[chapter id]``, when first needed."""
    waiting = dict(blobs)

    def load(chapter_id: str) -> list[Node]:
        return finish_nodes(unpack_blob(waiting.pop(chapter_id)))

    return NodeTable(chapter_of, load)


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    def key(p: object) -> tuple[str, int, int]:
        where = getattr(p, "where", None)
        if where is None:
            return ("", 0, 0)
        return (where.file, where.line, where.column)

    return sorted(problems, key=key)


def link(
    manifest: Manifest,
    parts: list[ChapterFile],
    root: str,
    files: list[str],
    content_hash: str,
    partial: bool = False,
) -> Story:
    """Link parsed files into a playable story, or raise StoryError with every problem.

    ``partial`` says some files could not be read: then the link only collects problems, and
    references those files may satisfy are counted rather than reported.
    """
    try:
        return _Linker(manifest, parts, partial).run(root, files, content_hash)
    except ExprError as exc:  # pragma: no cover - parse errors are caught earlier
        raise StoryError([]) from exc
