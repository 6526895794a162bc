"""Checking one file's located YAML values and turning them into model objects.

Each file is handled on its own (so the result can be cached by content hash): the manifest
into a :class:`Manifest`, a chapter file into a :class:`Chapter` plus its nodes. Problems are
collected, never raised, so an author sees all of them at once.
"""

from __future__ import annotations

import re
from typing import Any

from rougegame.story.expressions import (
    MAX_NUMBER,
    MAX_STRING,
    ExprError,
    parse_effect,
    parse_expression,
)
from rougegame.story.model import (
    CHOICE_KINDS,
    CODEX_SECTIONS,
    Chapter,
    Choice,
    CodexEntry,
    DossierCard,
    Effect,
    Ending,
    Manifest,
    Node,
    Variable,
    spots,
)
from rougegame.story.problems import Location, ProblemList, did_you_mean
from rougegame.story.text import TextError, paragraphs, parse_text, sanitize
from rougegame.story.yamlsafe import Mapping, Sequence

ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*$")
STORY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FORMAT_VERSION = 1

MANIFEST_KEYS = {
    "format",
    "id",
    "title",
    "version",
    "author",
    "start",
    "variables",
    "codex",
    "dossier",
    "gauge",
    "chapters",
}
CHAPTER_KEYS = {"chapter", "title", "nodes", "variables", "codex"}
NODE_KEYS = {"text", "title", "speaker", "location", "effects", "choices", "ending"}
CHOICE_KEYS = {"text", "to", "if", "reason", "effects", "kind"}
ENDING_KEYS = {"id", "title", "epilogue"}
VARIABLE_KEYS = {"initial", "min", "max", "label"}
CODEX_KEYS = {"title", "text"}
DOSSIER_KEYS = {"id", "name", "variable", "codex"}

_TYPE_NAMES = {str: "text", int: "a number", float: "a number", bool: "true or false"}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


class _Checker:
    def __init__(self, problems: ProblemList, file: str) -> None:
        self.p = problems
        self.file = file

    def keys(self, m: Mapping, allowed: set[str], what: str, node: str | None = None) -> None:
        for key in m:
            if key not in allowed:
                self.p.error(
                    f"unknown key `{key}` in {what}",
                    m.key_locs.get(key, m.loc),
                    node=node,
                    hint=did_you_mean(key, allowed) or f"allowed: {', '.join(sorted(allowed))}",
                    code="unknown-key",
                )

    def mapping(
        self, value: Any, loc: Location, what: str, node: str | None = None
    ) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.p.error(
            f"{what} must be a mapping (key: value lines), not {_type_of(value)}",
            loc,
            node=node,
            code="type",
        )
        return None

    def text(
        self, m: Mapping, key: str, what: str, node: str | None = None, required: bool = True
    ) -> str | None:
        if key not in m:
            if required:
                self.p.error(f"{what} needs `{key}`", m.loc, node=node, code="missing-key")
            return None
        value = m[key]
        if isinstance(value, str):
            return sanitize(value)  # titles, names and places reach the screen as they are
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        hint = None
        if isinstance(value, bool):
            hint = "YAML reads yes/no/on/off/true/false as booleans: put the text in quotes"
        elif value is None:
            hint = "the value is empty; write the text after the colon"
        self.p.error(
            f"`{key}` in {what} must be text, not {_type_of(value)}",
            m.where(key),
            node=node,
            hint=hint,
            code="type",
        )
        return None


def _parse_effects(chk: _Checker, m: Mapping, key: str, node: str) -> list[Effect]:
    raw = m.get(key)
    if raw is None:
        return []
    items: list[tuple[Any, Location]]
    if isinstance(raw, str):
        items = [(raw, m.where(key))]
    elif isinstance(raw, Sequence):
        items = [(v, raw.where(i)) for i, v in enumerate(raw)]
    else:
        chk.p.error(
            f"`{key}` must be a list of effects",
            m.where(key),
            node=node,
            hint="write `effects: [trust += 1, unlock sara]`",
            code="type",
        )
        return []
    effects: list[Effect] = []
    for value, loc in items:
        if not isinstance(value, str):
            chk.p.error(
                f"an effect must be text like `x += 1`, not {_type_of(value)}",
                loc,
                node=node,
                code="type",
            )
            continue
        try:
            ast = parse_effect(value)
        except ExprError as exc:
            hint = exc.hint
            if hint is None and isinstance(raw, Sequence) and value.count("(") != value.count(")"):
                hint = "in a `[...]` list a comma starts a new effect: put this one in quotes"
            chk.p.error(
                f"bad effect `{value}`: {exc.message}",
                Location(loc.file, loc.line, loc.column + exc.column - 1),
                node=node,
                hint=hint,
                code="expression",
            )
            continue
        effects.append(Effect(ast.op, ast.target, ast.value, value, spots(loc)))
    return effects


def _segments(chk: _Checker, m: Mapping, key: str, text: str, node: str) -> list[Any]:
    try:
        return parse_text(text)
    except TextError as exc:
        chk.p.error(
            f"in `{key}`: {exc.message}",
            m.where(key).at_offset(text, exc.offset),
            node=node,
            hint=exc.hint,
            code="text",
        )
        return [("lit", text)]


def parse_variables(chk: _Checker, raw: Any, loc: Location) -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    m = chk.mapping(raw, loc, "`variables`")
    if m is None:
        return out
    for name, spec in m.items():
        where = m.key_locs[name]
        if not ID.match(name):
            chk.p.error(
                f"`{name}` is not a valid variable name",
                where,
                hint="letters, digits and _, starting with a letter",
                code="name",
            )
            continue
        if name in ("true", "false", "and", "or", "not", "unlock"):
            chk.p.error(f"`{name}` is a keyword and cannot be a variable", where, code="name")
            continue
        var = Variable(name, False, label=name.replace("_", " "), loc=where)
        if isinstance(spec, Mapping):
            chk.keys(spec, VARIABLE_KEYS, f"variable `{name}`")
            if "initial" not in spec:
                chk.p.error(
                    f"variable `{name}` needs `initial`",
                    where,
                    code="missing-key",
                    hint="write `{initial: 0}` or just the value",
                )
                continue
            initial = spec["initial"]
            for bound in ("min", "max"):
                if bound in spec:
                    value = spec[bound]
                    if isinstance(value, bool) or not isinstance(value, (int, float)):
                        chk.p.error(
                            f"`{bound}` of `{name}` must be a number",
                            spec.where(bound),
                            code="type",
                        )
                    elif not _in_range(value):
                        chk.p.error(
                            f"`{bound}` of `{name}` is outside ±10¹⁵",
                            spec.where(bound),
                            code="range",
                        )
                    elif bound == "min":
                        var.minimum = value
                    else:
                        var.maximum = value
            if "label" in spec:
                var.label = sanitize(str(spec["label"]))
            iloc = spec.where("initial")
        else:
            initial = spec
            iloc = m.where(name)
        if initial is None or isinstance(initial, (list, dict)):
            chk.p.error(
                f"variable `{name}` must start as a number, text or true/false, not "
                f"{_type_of(initial)}",
                iloc,
                code="type",
            )
            continue
        if (var.minimum is not None or var.maximum is not None) and (
            isinstance(initial, bool) or not isinstance(initial, (int, float))
        ):
            chk.p.error(
                f"`min`/`max` only make sense for numbers; `{name}` starts as {_type_of(initial)}",
                iloc,
                code="type",
            )
        if var.minimum is not None and var.maximum is not None and var.minimum > var.maximum:
            chk.p.error(f"`{name}` has min above max", iloc, code="range")
        if not _in_range(initial):
            chk.p.error(
                f"`{name}` starts outside the limits of the story language",
                iloc,
                hint=f"numbers stay within ±10¹⁵ and text within {MAX_STRING:,} characters",
                code="range",
            )
            initial = (
                initial[:MAX_STRING] if isinstance(initial, str) else 0
            )  # one problem, not more
        var.initial = initial
        out[name] = var
    return out


def _in_range(value: Any) -> bool:
    """Whether a variable's value is one the expression language can hold (not NaN, not inf)."""
    if isinstance(value, str):
        return len(value) <= MAX_STRING
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return -MAX_NUMBER <= value <= MAX_NUMBER  # False for NaN
    return True


def parse_codex(chk: _Checker, raw: Any, loc: Location) -> dict[str, CodexEntry]:
    out: dict[str, CodexEntry] = {}
    m = chk.mapping(raw, loc, "`codex`")
    if m is None:
        return out
    for section, entries in m.items():
        if section not in CODEX_SECTIONS:
            chk.p.error(
                f"unknown codex section `{section}`",
                m.key_locs[section],
                hint=did_you_mean(section, CODEX_SECTIONS) or "sections: characters, places, lore",
                code="unknown-key",
            )
            continue
        sm = chk.mapping(entries, m.where(section), f"codex section `{section}`")
        if sm is None:
            continue
        for entry_id, spec in sm.items():
            where = sm.key_locs[entry_id]
            if not ID.match(entry_id):
                chk.p.error(f"`{entry_id}` is not a valid codex id", where, code="name")
                continue
            em = chk.mapping(spec, sm.where(entry_id), f"codex entry `{entry_id}`")
            if em is None:
                continue
            chk.keys(em, CODEX_KEYS, f"codex entry `{entry_id}`")
            title = chk.text(em, "title", f"codex entry `{entry_id}`")
            text = chk.text(em, "text", f"codex entry `{entry_id}`")
            if entry_id in out:
                chk.p.error(f"codex id `{entry_id}` is used twice", where, code="duplicate")
            out[entry_id] = CodexEntry(entry_id, section, title or entry_id, text or "", where)
    return out


def parse_manifest(raw: Any, file: str) -> Manifest:
    problems = ProblemList()
    chk = _Checker(problems, file)
    root_loc = Location(file, 1, 1)
    m = chk.mapping(raw, root_loc, "the manifest")
    if m is None:
        m = Mapping(root_loc)
    chk.keys(m, MANIFEST_KEYS, "the manifest")
    fmt = m.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        problems.error(
            f"this is story format {fmt!r}; this version of rougegame reads format "
            f"{FORMAT_VERSION}",
            m.where("format"),
            hint="upgrade rougegame, or write `format: 1`",
            code="format",
        )
    story_id = chk.text(m, "id", "the manifest") or "story"
    if not STORY_ID.match(story_id):
        problems.error(
            f"story id `{story_id}` may only use letters, digits, `_`, `.` and `-`",
            m.where("id"),
            code="name",
        )
    title = chk.text(m, "title", "the manifest") or story_id
    version = chk.text(m, "version", "the manifest", required=False) or "0"
    author = chk.text(m, "author", "the manifest", required=False) or ""
    start = chk.text(m, "start", "the manifest") or ""
    variables = (
        parse_variables(chk, m["variables"], m.where("variables")) if "variables" in m else {}
    )
    codex = parse_codex(chk, m["codex"], m.where("codex")) if "codex" in m else {}
    dossier: list[DossierCard] = []
    if "dossier" in m:
        raw_d = m["dossier"]
        if not isinstance(raw_d, Sequence):
            problems.error("`dossier` must be a list of cards", m.where("dossier"), code="type")
        else:
            for i, card in enumerate(raw_d):
                cm = chk.mapping(card, raw_d.where(i), "a dossier card")
                if cm is None:
                    continue
                chk.keys(cm, DOSSIER_KEYS, "a dossier card")
                cid = chk.text(cm, "id", "a dossier card") or f"card{i}"
                dossier.append(
                    DossierCard(
                        cid,
                        chk.text(cm, "name", "a dossier card") or cid,
                        chk.text(cm, "variable", "a dossier card") or "",
                        chk.text(cm, "codex", "a dossier card", required=False),
                        raw_d.where(i),
                    )
                )
    gauge = chk.text(m, "gauge", "the manifest", required=False)
    return Manifest(
        story_id,
        title,
        version,
        author,
        start,
        m.where("start"),
        variables,
        codex,
        dossier,
        gauge,
        m.where("gauge") if gauge else None,
        file,
        problems.items,
    )


def parse_chapter(raw: Any, file: str, fallback_id: str) -> tuple[Chapter, list[Node]]:
    problems = ProblemList()
    chk = _Checker(problems, file)
    root_loc = Location(file, 1, 1)
    m = chk.mapping(raw, root_loc, "a chapter file")
    if m is None:
        m = Mapping(root_loc)
    chk.keys(m, CHAPTER_KEYS, "a chapter file")
    chapter_id = chk.text(m, "chapter", "a chapter file") or fallback_id
    if not ID.match(chapter_id):
        problems.error(
            f"`{chapter_id}` is not a valid chapter id",
            m.where("chapter"),
            hint="letters, digits and _, starting with a letter",
            code="name",
        )
    title = chk.text(m, "title", "a chapter file") or chapter_id
    chapter = Chapter(chapter_id, title, file, [], m.where("chapter"))
    if "variables" in m:
        chapter.variables = parse_variables(chk, m["variables"], m.where("variables"))
    if "codex" in m:
        chapter.codex = parse_codex(chk, m["codex"], m.where("codex"))
    nodes: list[Node] = []
    raw_nodes = m.get("nodes")
    if raw_nodes is None:
        problems.error(
            "a chapter needs `nodes`",
            m.loc,
            code="missing-key",
            hint="add `nodes:` with at least one node",
        )
    else:
        nm = chk.mapping(raw_nodes, m.where("nodes"), "`nodes`")
        if nm is not None:
            for name, spec in nm.items():
                node = _parse_node(chk, chapter_id, name, spec, nm)
                if node is not None:
                    nodes.append(node)
                    chapter.nodes.append(node.id)
            if not nm:
                problems.error("this chapter has no nodes", m.where("nodes"), code="empty")
    chapter.problems = problems.items
    return chapter, nodes


def _parse_node(
    chk: _Checker, chapter_id: str, name: str, spec: Any, nodes: Mapping
) -> Node | None:
    where = nodes.key_locs[name]
    full = f"{chapter_id}.{name}"
    if not ID.match(name):
        chk.p.error(
            f"`{name}` is not a valid node id",
            where,
            node=full,
            hint="letters, digits and _, starting with a letter",
            code="name",
        )
        return None
    m = chk.mapping(spec, nodes.where(name), f"node `{name}`", node=full)
    if m is None:
        return None
    chk.keys(m, NODE_KEYS, f"node `{name}`", node=full)
    text = chk.text(m, "text", f"node `{name}`", node=full) or ""
    segments = _segments(chk, m, "text", text, full)
    effects = _parse_effects(chk, m, "effects", full)
    choices: list[Choice] = []
    if "choices" in m:
        raw = m["choices"]
        if not isinstance(raw, Sequence):
            chk.p.error(
                "`choices` must be a list",
                m.where("choices"),
                node=full,
                hint="start each choice with `- text:`",
                code="type",
            )
        else:
            for i, item in enumerate(raw):
                choice = _parse_choice(chk, full, i, item, raw.where(i))
                if choice is not None:
                    choices.append(choice)
    ending: Ending | None = None
    if "ending" in m:
        em = chk.mapping(m["ending"], m.where("ending"), "`ending`", node=full)
        if em is not None:
            chk.keys(em, ENDING_KEYS, "`ending`", node=full)
            eid = chk.text(em, "id", "`ending`", node=full) or name
            etitle = chk.text(em, "title", "`ending`", node=full) or eid
            epilogue = chk.text(em, "epilogue", "`ending`", node=full, required=False) or ""
            ending = Ending(
                eid,
                etitle,
                epilogue,
                _segments(chk, em, "epilogue", epilogue, full),
                spots(m.where("ending"), em.where("epilogue")),
            )
        if "choices" in m:
            chk.p.error(
                "a node has either `choices` or an `ending`, not both",
                m.where("ending"),
                node=full,
                hint="move the choices to another node",
                code="ending-choices",
            )
    words = len(text.split())
    static = None
    if all(seg[0] == "lit" for seg in segments):  # prose that never varies: split it once, here
        static = paragraphs("".join([seg[1] for seg in segments]))
    return Node(
        id=full,
        chapter=chapter_id,
        name=name,
        title=chk.text(m, "title", f"node `{name}`", node=full, required=False)
        or name.replace("_", " ").capitalize(),
        speaker=chk.text(m, "speaker", f"node `{name}`", node=full, required=False),
        location=chk.text(m, "location", f"node `{name}`", node=full, required=False),
        text=text,
        segments=segments,
        effects=effects,
        choices=choices,
        ending=ending,
        spots=spots(where, m.where("text")),
        words=words,
        static_paragraphs=static,
    )


def _parse_choice(chk: _Checker, node: str, index: int, item: Any, loc: Location) -> Choice | None:
    m = chk.mapping(item, loc, "a choice", node=node)
    if m is None:
        return None
    chk.keys(m, CHOICE_KEYS, "a choice", node=node)
    text = chk.text(m, "text", "a choice", node=node, required=False)
    kind = chk.text(m, "kind", "a choice", node=node, required=False) or "sticky"
    if kind not in CHOICE_KINDS:
        chk.p.error(
            f"unknown choice kind `{kind}`",
            m.where("kind"),
            node=node,
            hint=did_you_mean(kind, CHOICE_KINDS) or "kinds: sticky, once, fallback",
            code="kind",
        )
        kind = "sticky"
    if text is None:
        if kind != "fallback" and "text" not in m:  # a `text` of the wrong type is reported
            chk.p.error(
                "a choice needs `text`",
                m.loc,
                node=node,
                code="missing-key",
                hint="only `kind: fallback` choices may leave out their text",
            )
        text = ""
    target = chk.text(m, "to", "a choice", node=node) or ""
    if not target and isinstance(m.get("to"), str):
        chk.p.error(
            "`to` is empty", m.where("to"), node=node, hint="name the node it leads to", code="type"
        )
    condition = None
    cond_src = None
    if "if" in m:
        raw = m["if"]
        cond_src = raw if isinstance(raw, str) else ("true" if raw is True else "false")
        if not isinstance(raw, (str, bool)):
            chk.p.error(
                "`if` must be a condition like `trust >= 3`", m.where("if"), node=node, code="type"
            )
        else:
            try:
                condition = parse_expression(cond_src)
            except ExprError as exc:
                cl = m.where("if")
                chk.p.error(
                    f"bad condition `{cond_src}`: {exc.message}",
                    Location(cl.file, cl.line, cl.column + exc.column - 1),
                    node=node,
                    hint=exc.hint,
                    code="expression",
                )
    reason = chk.text(m, "reason", "a choice", node=node, required=False)
    return Choice(
        index=index,
        text=text,
        segments=_segments(chk, m, "text", text, node) if text else [],
        target=target,
        condition=condition,
        condition_source=cond_src,
        reason=reason,
        effects=_parse_effects(chk, m, "effects", node),
        kind=kind,
        spots=spots(loc, m.where("to"), m.where("if") if "if" in m else None, m.where("text")),
    )
