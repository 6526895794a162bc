"""Linking a story: merge declarations, resolve references across chapters, compile.

Input: the manifest and the chapters parsed file by file. Output: a ready :class:`Story`, or a
:class:`StoryError` carrying every problem found (file:line:column, node, message, hint).
"""

from __future__ import annotations

from collections.abc import Iterable

from rougegame.story.expressions import (
    Ast,
    ExprError,
    compile_expr,
    references,
    rewrite_refs,
    static_type,
)
from rougegame.story.model import Chapter, CodexEntry, Effect, Manifest, Node, Story, Variable
from rougegame.story.problems import Location, Problem, ProblemList, StoryError, did_you_mean
from rougegame.story.text import Segment, compile_template, segment_refs

MAX_NODES = 500_000


def resolve_node_ref(ref: str, chapter: str) -> str:
    return ref if "." in ref else f"{chapter}.{ref}"


class _Linker:
    def __init__(self, manifest: Manifest, parts: list[tuple[Chapter, list[Node]]]) -> None:
        self.m = manifest
        self.parts = parts
        self.p = ProblemList(list(manifest.problems))
        self.variables: dict[str, Variable] = dict(manifest.variables)
        self.codex: dict[str, CodexEntry] = dict(manifest.codex)
        self.chapters: dict[str, Chapter] = {}
        self.nodes: dict[str, Node] = {}
        self.var_types: dict[str, type] = {}

    def merge(self) -> None:
        for chapter, nodes in self.parts:
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
            for node in nodes:
                self.nodes[node.id] = node
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

    def check_ref(self, kind: str, name: str, loc: Location, node: str | None) -> bool:
        if kind == "var":
            if name in self.variables:
                return True
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
        self.p.error(
            f"no codex entry `{name}`",
            loc,
            node=node,
            hint=did_you_mean(name, self.codex) or "declare it under `codex:`",
            code="missing-codex",
        )
        return False

    def expression(self, ast: Ast, loc: Location, node: str | None, chapter: str) -> Ast | None:
        ok = True
        for kind, name, column in references(ast):
            where = Location(loc.file, loc.line, loc.column + column - 1) if loc.line else loc
            ref = resolve_node_ref(name, chapter) if kind == "node" else name
            ok = self.check_ref(kind, ref, where, node) and ok
        if not ok:
            return None
        return rewrite_refs(ast, lambda k, n: resolve_node_ref(n, chapter) if k == "node" else n)

    def effect(self, eff: Effect, node: str, chapter: str) -> None:
        if eff.op == "unlock":
            if self.check_ref("codex", eff.target, eff.loc, node):
                eff.compiled = None
            return
        if not self.check_ref("var", eff.target, eff.loc, node):
            return
        assert eff.value is not None
        value = self.expression(eff.value, eff.loc, node, chapter)
        if value is None:
            return
        target_type = self.var_types[eff.target]
        got = static_type(value, self.var_types)
        if (
            eff.op in ("add", "sub")
            and target_type is not float
            and not (eff.op == "add" and target_type is str)
        ):
            self.p.error(
                f"`{eff.source}`: `{eff.target}` is not a number",
                eff.loc,
                node=node,
                hint="use `=` to set text or true/false",
                code="type",
            )
            return
        if got is not None and got is not target_type:
            names = {bool: "true/false", str: "text", float: "a number"}
            hint = None
            if target_type is str and value[0] == "var":
                hint = f'strings need quotes: `{eff.target} = "{value[1]}"`'
            self.p.error(
                f"`{eff.source}` gives {names[got]} to `{eff.target}`, which holds "
                f"{names[target_type]}",
                eff.loc,
                node=node,
                hint=hint,
                code="type",
            )
            return
        eff.value = value
        eff.compiled = compile_expr(value)

    def text(
        self, segments: list[Segment], loc: Location, source: str, node: str, chapter: str
    ) -> list[Segment] | None:
        """Check the names a passage uses; ``loc`` is where ``source`` starts in its file."""
        ok = True
        for kind, item, offset in segment_refs(segments):
            if kind == "var":
                ok = self.check_ref("var", item, loc.at_offset(source, offset), node) and ok
                continue
            for ref_kind, name, column in references(item):
                ref = resolve_node_ref(name, chapter) if ref_kind == "node" else name
                where = loc.at_offset(source, column - 1)
                ok = self.check_ref(ref_kind, ref, where, node) and ok
        if not ok:
            return None

        def fix(segs: list[Segment]) -> list[Segment]:
            out: list[Segment] = []
            for seg in segs:
                if seg[0] == "if":
                    cond = rewrite_refs(
                        seg[1], lambda k, n: resolve_node_ref(n, chapter) if k == "node" else n
                    )
                    out.append(("if", cond, fix(seg[2]), fix(seg[3])))
                else:
                    out.append(seg)
            return out

        return fix(segments)

    def nodes_pass(self) -> None:
        endings: dict[str, Node] = {}
        for node in self.nodes.values():
            for eff in node.effects:
                self.effect(eff, node.id, node.chapter)
            segs = self.text(node.segments, node.text_loc, node.text, node.id, node.chapter)
            if segs is not None:
                node.template = compile_template(segs, compile_expr)
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
                esegs = self.text(e.segments, eloc, e.epilogue, node.id, node.chapter)
                if esegs is not None:
                    e.template = compile_template(esegs, compile_expr)
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
                    self.p.error(
                        f"choice `{choice.text or choice.kind}` leads to `{choice.target}`"
                        ", which does not exist",
                        choice.target_loc,
                        node=node.id,
                        hint=hint,
                        code="missing-target",
                    )
                choice.target = target
                if choice.condition is not None:
                    assert choice.condition_loc is not None
                    cond = self.expression(
                        choice.condition, choice.condition_loc, node.id, node.chapter
                    )
                    if cond is not None:
                        choice.condition = cond
                        choice.check = compile_expr(cond)
                for eff in choice.effects:
                    self.effect(eff, node.id, node.chapter)
                cloc = choice.text_loc or choice.loc
                csegs = self.text(choice.segments, cloc, choice.text, node.id, node.chapter)
                if csegs is not None:
                    choice.template = compile_template(csegs, compile_expr)

    def manifest_pass(self) -> None:
        m = self.m
        if m.start and m.start not in self.nodes:
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
        self.nodes_pass()
        self.manifest_pass()
        if self.p.errors:
            raise StoryError(_sorted(self.p.items))
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
            nodes=self.nodes,
            content_hash=content_hash,
            root=root,
            files=files,
            warnings=[p for p in self.p.items if p.severity == "warning"],
        )


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    def key(p: object) -> tuple[str, int, int]:
        where = getattr(p, "where", None)
        if where is None:
            return ("", 0, 0)
        return (where.file, where.line, where.column)

    return sorted(problems, key=key)


def link(
    manifest: Manifest,
    parts: list[tuple[Chapter, list[Node]]],
    root: str,
    files: list[str],
    content_hash: str,
) -> Story:
    """Link parsed files into a playable story, or raise StoryError with every problem."""
    try:
        return _Linker(manifest, parts).run(root, files, content_hash)
    except ExprError as exc:  # pragma: no cover - parse errors are caught earlier
        raise StoryError([]) from exc
