"""The story's own small expression language: parse once at load time, evaluate many times.

Conditions (``nectar >= 2 and not met_sara``) and effects (``trust += 1``, ``unlock sara``) are
parsed into a tiny tuple AST, checked against the story's declarations, then compiled into plain
closures. Nothing here ever hands story text to Python's ``eval`` or ``exec``: the grammar has no
attribute access, no indexing and no calls except the few functions listed in ``FUNCTIONS``.
Arithmetic is bounded (numbers within ±10**15, strings within 10,000 characters).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from rougegame.records import FrozenRecord

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023

Value = bool | int | float | str
Ast = tuple[Any, ...]

MAX_NUMBER = 10**15
MAX_STRING = 10_000
MAX_SOURCE = 2_000
MAX_DEPTH = 40
MAX_OPERATORS = 100  # bounds the AST's depth, so nothing that walks it can recurse too far

FUNCTIONS: dict[str, tuple[int, str]] = {
    "visits": (1, "node"),
    "visited": (1, "node"),
    "unlocked": (1, "codex"),
    "min": (2, "value"),
    "max": (2, "value"),
}
KEYWORDS = {"and", "or", "not", "true", "false", "unlock"}


class ExprError(Exception):
    """A malformed expression, found when the story loads."""

    def __init__(self, message: str, column: int = 1, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.hint = hint


class ExprRuntimeError(Exception):
    """An expression that cannot be evaluated with the current values (e.g. division by zero)."""


class Env(Protocol):
    """What an expression can see while it runs."""

    @property
    def vars(self) -> dict[str, Value]: ...

    @property
    def visits(self) -> dict[str, int]: ...

    @property
    def unlocked(self) -> Mapping[str, Any]: ...


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?)
   |(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
   |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
   |(?P<op>==|!=|<=|>=|\+=|-=|&&|\|\||\*\*|[-+*/%<>()=,!])
    )""",
    re.VERBOSE,
)


# Control characters other than tab, newline and carriage return: never part of an expression,
# and refused so that an effect's source, quoted in an error, cannot drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_set = object.__setattr__


class Token(FrozenRecord):
    """One token of an expression, with the column it starts at (1-based)."""

    __slots__ = ("kind", "text", "column")

    kind: str
    text: str
    column: int

    def __init__(self, kind: str, text: str, column: int) -> None:
        _set(self, "kind", kind)
        _set(self, "text", text)
        _set(self, "column", column)


def tokenize(source: str, offset: int = 0) -> list[Token]:
    """Split ``source`` into tokens; columns are 1-based and shifted by ``offset``."""
    if len(source) > MAX_SOURCE:
        raise ExprError(f"expression longer than {MAX_SOURCE} characters")
    control = _CONTROL.search(source)
    if control is not None:
        raise ExprError(
            f"control character U+{ord(control.group()):04X} in an expression",
            control.start() + 1 + offset,
            "remove it; write text with ordinary characters",
        )
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            col = pos + len(source[pos:]) - len(source[pos:].lstrip()) + 1
            bad = source[col - 1]
            hint = None
            if bad == "[":
                hint = "there is no indexing in story expressions"
            elif bad == ".":
                hint = "there is no attribute access in story expressions"
            raise ExprError(f"unexpected character {bad!r}", col + offset, hint)
        kind = match.lastgroup or "op"
        text = match.group(kind)
        tokens.append(Token(kind, text, match.start(kind) + 1 + offset))
        pos = match.end()
    tokens.append(Token("end", "", len(source) + 1 + offset))
    return tokens


_BINARY = {
    "or": 1,
    "and": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_ALIASES = {"&&": ("and", "use `and`"), "||": ("or", "use `or`"), "!": ("not", "use `not`")}


class _Parser:
    def __init__(self, source: str, offset: int = 0) -> None:
        self.source = source
        self.tokens = tokenize(source, offset)
        self.pos = 0
        self.depth = 0
        self.operators = 0

    def count_operator(self, tok: Token) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise ExprError(
                f"expression has more than {MAX_OPERATORS} operators",
                tok.column,
                "split it into simpler conditions or effects",
            )

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.take()
        if tok.text != text:
            raise ExprError(f"expected `{text}` but found {_describe(tok)}", tok.column)
        return tok

    def expression(self, min_prec: int = 0) -> Ast:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("expression nested too deeply", self.peek().column)
        left = self.unary()
        while True:
            tok = self.peek()
            if tok.text in _ALIASES and tok.text != "!":
                raise ExprError(
                    f"`{tok.text}` is not an operator here", tok.column, _ALIASES[tok.text][1]
                )
            if tok.text == "=" and tok.kind == "op":
                raise ExprError("`=` assigns; to compare, write `==`", tok.column, "write `==`")
            if tok.text == "**":
                raise ExprError(
                    "there is no power operator `**`", tok.column, "multiply instead: `x * x`"
                )
            op = tok.text if (tok.kind == "op" or tok.text in ("and", "or")) else None
            prec = _BINARY.get(op) if op else None
            if prec is None or prec <= min_prec:
                break
            self.take()
            self.count_operator(tok)
            right = self.expression(prec)
            if op in ("and", "or"):
                left = (op, left, right)
            else:
                left = ("bin", op, left, right, tok.column)
        self.depth -= 1
        return left

    def unary(self) -> Ast:
        tok = self.peek()
        if tok.text == "not":
            self.take()
            self.count_operator(tok)
            return ("not", self.expression(3))
        if tok.text == "!":
            raise ExprError("`!` is not an operator here", tok.column, "use `not`")
        if tok.text == "-":
            self.take()
            self.count_operator(tok)
            return ("neg", self.unary(), tok.column)
        return self.primary()

    def primary(self) -> Ast:
        tok = self.take()
        if tok.kind == "num":
            value: float = float(tok.text) if "." in tok.text else int(tok.text)
            if abs(value) > MAX_NUMBER:
                raise ExprError(f"number {tok.text} is too large", tok.column)
            return ("lit", value)
        if tok.kind == "str":
            body = tok.text[1:-1]
            text = re.sub(r"\\(.)", r"\1", body)
            return ("lit", text)
        if tok.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if tok.kind == "name":
            if tok.text == "true":
                return ("lit", True)
            if tok.text == "false":
                return ("lit", False)
            if tok.text in KEYWORDS:
                raise ExprError(f"unexpected `{tok.text}`", tok.column)
            if self.peek().text == "(":
                return self.call(tok)
            if "." in tok.text and "_" in (tok.text.split(".")[1][:1] or "_"):
                raise ExprError("there is no attribute access in story expressions", tok.column)
            if "." in tok.text:
                raise ExprError(
                    f"`{tok.text}` looks like a node id, which only functions take",
                    tok.column,
                    f"did you mean `visits({tok.text})`?",
                )
            return ("var", tok.text, tok.column)
        raise ExprError(f"expected a value but found {_describe(tok)}", tok.column)

    def call(self, name: Token) -> Ast:
        if name.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExprError(
                f"unknown function `{name.text}`", name.column, f"the functions are: {known}"
            )
        arity, kind = FUNCTIONS[name.text]
        self.count_operator(name)
        self.expect("(")
        args: list[Ast] = []
        if kind in ("node", "codex"):
            arg = self.take()
            if arg.kind != "name" or arg.text in KEYWORDS:
                what = "a node id" if kind == "node" else "a codex id"
                raise ExprError(f"`{name.text}` takes {what}, found {_describe(arg)}", arg.column)
            args.append((kind, arg.text, arg.column))
        else:
            args.append(self.expression())
            while self.peek().text == ",":
                self.take()
                args.append(self.expression())
        self.expect(")")
        if len(args) != arity:
            raise ExprError(
                f"`{name.text}` takes {arity} argument(s), not {len(args)}", name.column
            )
        return ("call", name.text, tuple(args), name.column)


def _describe(tok: Token) -> str:
    return "the end of the expression" if tok.kind == "end" else f"`{tok.text}`"


def parse_expression(source: str, offset: int = 0) -> Ast:
    """Parse a condition or value. Raises :class:`ExprError` with a 1-based column.

    ``offset`` is where ``source`` starts in a longer text (an effect, a passage): every column,
    in the AST and in errors, is then counted from the start of that text. Stories repeat their
    conditions a great deal, so results are remembered (an AST is an immutable tuple).
    """
    return _parse_expression(source, offset)


@functools.lru_cache(maxsize=8192)
def _parse_expression(source: str, offset: int) -> Ast:
    parser = _Parser(source, offset)
    if parser.peek().kind == "end":
        raise ExprError("empty expression", offset + 1)
    ast = parser.expression()
    tok = parser.peek()
    if tok.kind != "end":
        raise ExprError(
            f"unexpected {_describe(tok)} after the expression",
            tok.column,
            "join conditions with `and` / `or`",
        )
    return ast


class EffectAst(FrozenRecord):
    """A parsed effect: ``set``/``add``/``sub`` a variable, or ``unlock`` a codex entry."""

    __slots__ = ("op", "target", "value", "column")

    op: str
    target: str
    value: Ast | None
    column: int

    def __init__(self, op: str, target: str, value: Ast | None, column: int) -> None:
        _set(self, "op", op)
        _set(self, "target", target)
        _set(self, "value", value)
        _set(self, "column", column)


_EFFECT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|=)(?!=)\s*(.*)$", re.S)
_UNLOCK = re.compile(r"\s*unlock\s+([A-Za-z_][A-Za-z0-9_]*)\s*$")


@functools.lru_cache(maxsize=8192)
def parse_effect(source: str) -> EffectAst:
    """Parse ``x = e``, ``x += e``, ``x -= e`` or ``unlock ID`` (remembered, like expressions)."""
    if len(source) > MAX_SOURCE:
        raise ExprError(f"effect longer than {MAX_SOURCE} characters")
    unlock = _UNLOCK.match(source)
    if unlock:
        return EffectAst("unlock", unlock.group(1), None, unlock.start(1) + 1)
    match = _EFFECT.match(source)
    if not match:
        if source.strip().startswith("unlock"):
            raise ExprError("`unlock` takes one codex id", 1, "write `unlock sara`")
        raise ExprError(
            "an effect is `name = value`, `name += value`, `name -= value` or `unlock id`",
            1,
            "to compare, use a choice's `if:` instead",
        )
    name, op, rest = match.groups()
    if name in KEYWORDS:
        raise ExprError(f"`{name}` is a keyword, not a variable", match.start(1) + 1)
    value = parse_expression(rest, match.start(3))
    kind = {"=": "set", "+=": "add", "-=": "sub"}[op]
    return EffectAst(kind, name, value, match.start(1) + 1)


def references(ast: Ast) -> list[tuple[str, str, int]]:
    """Every (kind, name, column) an expression refers to: ``var``, ``node`` or ``codex``."""
    found: list[tuple[str, str, int]] = []

    def walk(node: Ast) -> None:
        tag = node[0]
        if tag == "var":
            found.append(("var", node[1], node[2]))
        elif tag in ("node", "codex"):
            found.append((tag, node[1], node[2]))
        elif tag == "bin":
            walk(node[2])
            walk(node[3])
        elif tag in ("and", "or"):
            walk(node[1])
            walk(node[2])
        elif tag in ("not", "neg"):
            walk(node[1])
        elif tag == "call":
            for arg in node[2]:
                walk(arg)

    walk(ast)
    return found


def rewrite_refs(ast: Ast, resolve: Callable[[str, str], str]) -> Ast:
    """Return the AST with node/codex references replaced by ``resolve(kind, name)``.

    Parts that do not change are returned as they are (the same objects), so an AST without
    references comes back unchanged and can still be shared.
    """
    tag = ast[0]
    if tag in ("node", "codex"):
        name = resolve(tag, ast[1])
        return ast if name == ast[1] else (tag, name, ast[2])
    if tag == "bin":
        left, right = rewrite_refs(ast[2], resolve), rewrite_refs(ast[3], resolve)
        if left is ast[2] and right is ast[3]:
            return ast
        return ("bin", ast[1], left, right, ast[4])
    if tag in ("and", "or"):
        left, right = rewrite_refs(ast[1], resolve), rewrite_refs(ast[2], resolve)
        return ast if left is ast[1] and right is ast[2] else (tag, left, right)
    if tag == "not":
        inner = rewrite_refs(ast[1], resolve)
        return ast if inner is ast[1] else ("not", inner)
    if tag == "neg":
        inner = rewrite_refs(ast[1], resolve)
        return ast if inner is ast[1] else ("neg", inner, ast[2])
    if tag == "call":
        args = tuple(rewrite_refs(a, resolve) for a in ast[2])
        if all(new is old for new, old in zip(args, ast[2], strict=True)):
            return ast
        return ("call", ast[1], args, ast[3])
    return ast


Compiled = Callable[[Env], Value]


def _check_number(value: Value) -> Value:
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (value > MAX_NUMBER or value < -MAX_NUMBER)
    ):
        raise ExprRuntimeError(f"number out of range (over {MAX_NUMBER:.0e})")
    return value


def _is_number(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_name(value: Value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _arith(op: str, a: Value, b: Value) -> Value:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_STRING:
            raise ExprRuntimeError(f"string longer than {MAX_STRING} characters")
        return a + b
    if not (_is_number(a) and _is_number(b)):
        raise ExprRuntimeError(f"cannot use `{op}` on {_type_name(a)} and {_type_name(b)}")
    x: float = a  # type: ignore[assignment]
    y: float = b  # type: ignore[assignment]
    if op == "+":
        return _check_number(x + y)
    if op == "-":
        return _check_number(x - y)
    if op == "*":
        return _check_number(x * y)
    if y == 0:
        raise ExprRuntimeError("division by zero" if op == "/" else "modulo by zero")
    if op == "%":
        return _check_number(x % y)
    if isinstance(x, int) and isinstance(y, int) and x % y == 0:
        return x // y
    return _check_number(x / y)


def _compare(op: str, a: Value, b: Value) -> bool:
    same = (_is_number(a) and _is_number(b)) or type(a) is type(b)
    if op == "==":
        return same and a == b
    if op == "!=":
        return not (same and a == b)
    if not same or isinstance(a, bool):
        raise ExprRuntimeError(f"cannot order {_type_name(a)} and {_type_name(b)} with `{op}`")
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


def compile_expr(ast: Ast) -> Compiled:
    """Turn an AST (with references already resolved) into a closure over an Env."""
    tag = ast[0]
    if tag == "lit":
        value = ast[1]
        return lambda env: value
    if tag == "var":
        name = ast[1]

        def var(env: Env) -> Value:
            return env.vars[name]

        return var
    if tag == "and":
        left, right = compile_expr(ast[1]), compile_expr(ast[2])
        return lambda env: bool(left(env)) and bool(right(env))
    if tag == "or":
        left, right = compile_expr(ast[1]), compile_expr(ast[2])
        return lambda env: bool(left(env)) or bool(right(env))
    if tag == "not":
        inner = compile_expr(ast[1])
        return lambda env: not inner(env)
    if tag == "neg":
        inner = compile_expr(ast[1])

        def neg(env: Env) -> Value:
            value = inner(env)
            if not _is_number(value):
                raise ExprRuntimeError(f"cannot negate {_type_name(value)}")
            return -value  # type: ignore[operator]

        return neg
    if tag == "bin":
        op = ast[1]
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return _compile_comparison(op, ast[2], ast[3])
        left, right = compile_expr(ast[2]), compile_expr(ast[3])
        return lambda env: _arith(op, left(env), right(env))
    if tag == "call":
        name, args = ast[1], ast[2]
        if name in ("visits", "visited"):
            node_id = args[0][1]
            if name == "visits":
                return lambda env: env.visits.get(node_id, 0)
            return lambda env: env.visits.get(node_id, 0) > 0
        if name == "unlocked":
            codex_id = args[0][1]
            return lambda env: codex_id in env.unlocked
        a, b = compile_expr(args[0]), compile_expr(args[1])
        pick = min if name == "min" else max

        def minmax(env: Env) -> Value:
            x, y = a(env), b(env)
            if not (_is_number(x) and _is_number(y)):
                raise ExprRuntimeError(f"`{name}` takes numbers")
            return pick(x, y)

        return minmax
    raise ExprRuntimeError(f"unknown expression node {tag!r}")  # pragma: no cover


_NUMERIC = frozenset((int, float))
_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _compile_comparison(op: str, left_ast: Ast, right_ast: Ast) -> Compiled:
    """A comparison, with a fast path for the common cases and :func:`_compare` for the rest.

    Numbers compare directly and values of one type test equality directly; everything else
    (mixed types, booleans in an ordering) goes through ``_compare``, which knows the rules and
    the errors. ``variable OP number``, the commonest condition of all, is one closure.
    """
    if op in ("==", "!="):
        equal = op == "=="
        left, right = compile_expr(left_ast), compile_expr(right_ast)

        def equality(env: Env) -> bool:
            a, b = left(env), right(env)
            if type(a) is type(b):
                return (a == b) is equal
            return _compare(op, a, b)

        return equality
    order = _ORDERINGS[op]
    if left_ast[0] == "var" and right_ast[0] == "lit" and type(right_ast[1]) in _NUMERIC:
        name, number = left_ast[1], right_ast[1]

        def var_to_number(env: Env) -> bool:
            a = env.vars[name]
            if type(a) in _NUMERIC:
                return order(a, number)
            return _compare(op, a, number)

        return var_to_number
    left, right = compile_expr(left_ast), compile_expr(right_ast)

    def ordering(env: Env) -> bool:
        a, b = left(env), right(env)
        if type(a) in _NUMERIC and type(b) in _NUMERIC:
            return order(a, b)
        return _compare(op, a, b)

    return ordering


def static_type(ast: Ast, var_types: Mapping[str, type]) -> type | None:
    """The type an expression yields when it can be told without running it, else None."""
    tag = ast[0]
    if tag == "lit":
        value = ast[1]
        return bool if isinstance(value, bool) else str if isinstance(value, str) else float
    if tag == "var":
        found = var_types.get(ast[1])
        return float if found in (int, float) else found
    if tag in ("and", "or", "not"):
        return bool
    if tag == "call":
        return bool if ast[1] in ("visited", "unlocked") else float
    if tag == "neg":
        return float
    if tag == "bin":
        if ast[1] in ("==", "!=", "<", "<=", ">", ">="):
            return bool
        left = static_type(ast[2], var_types)
        if ast[1] == "+" and left is str:
            return str
        return float
    return None  # pragma: no cover
