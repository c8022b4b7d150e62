"""Monitoring schemes (监测方案): the expression language and the simple four-list form.

Language (full-width ＋｜－（）“” are accepted too):
    A + B       both                A B        both (a space is an AND)
    A | B       either              -A         not A
    ( … )       grouping            "a phrase" words with spaces or operators in them
    A NEAR/5 B  A and B at most 5 characters apart (either order)
    title:A  author:A  site:A       A in the title, the author's name, the source (key or host)
Precedence, tightest first: field scopes and -, NEAR, AND, OR. Errors name the column.

The simple form — subject terms AND (any region, if given) AND (any event, if given) AND NOT
(any exclude) — compiles to the same tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yuqing.text.normalise import normalise

FIELDS = ("text", "title", "author", "site")
_FULL_WIDTH = str.maketrans(
    {
        "＋": "+",
        "｜": "|",
        "－": "-",
        "（": "(",
        "）": ")",
        "“": '"',
        "”": '"',
        "＂": '"',
        "：": ":",
    }
)
_NEAR = re.compile(r"NEAR/(\d+)")
_FIELD = re.compile(r"(title|author|site):")
_STOP = set(' \t\r\n()+|"')


class SchemeError(ValueError):
    """A scheme expression that cannot be read; `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"第 {column} 列 / column {column}: {message}")
        self.column = column


@dataclass(frozen=True)
class Term:
    text: str  # normalised, as the matcher looks for it
    field: str = "text"


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Near:
    left: Node  # a Term or an Or of Terms
    right: Node
    distance: int


Node = Term | Not | And | Or | Near


@dataclass(frozen=True)
class _Tok:
    kind: str  # ( ) + | - near field word
    value: str
    col: int


def _tokens(source: str) -> list[_Tok]:
    text = source.translate(_FULL_WIDTH)
    out: list[_Tok] = []
    i = 0
    while i < len(text):
        c = text[i]
        col = i + 1
        if c.isspace():
            i += 1
        elif c in "()+|":
            out.append(_Tok(c, c, col))
            i += 1
        elif c == "-" and (
            not out
            or out[-1].kind in ("(", "+", "|", "-", "near", "field")
            or text[i - 1].isspace()
        ):
            out.append(_Tok("-", c, col))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise SchemeError("引号未闭合 / unclosed quote", col)
            if not text[i + 1 : end].strip():
                raise SchemeError("空的引号 / empty quotes", col)
            out.append(_Tok("word", text[i + 1 : end], col))
            i = end + 1
        elif m := _NEAR.match(text, i):
            out.append(_Tok("near", m.group(1), col))
            i = m.end()
        elif (m := _FIELD.match(text, i)) and (not out or out[-1].kind != "field"):
            out.append(_Tok("field", m.group(1), col))
            i = m.end()
        else:
            j = i
            while j < len(text) and text[j] not in _STOP:
                j += 1
            out.append(_Tok("word", text[i:j], col))
            i = j
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.toks = _tokens(source)
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def end_col(self) -> int:
        return len(self.source) + 1

    def parse(self) -> Node:
        if not self.toks:
            raise SchemeError("表达式为空 / the expression is empty", 1)
        node = self.or_()
        if (tok := self.peek()) is not None:
            raise SchemeError(f"多余的 {tok.value!r} / unexpected {tok.value!r}", tok.col)
        return node

    def or_(self) -> Node:
        nodes = [self.and_()]
        while (tok := self.peek()) is not None and tok.kind == "|":
            self.take()
            nodes.append(self.and_())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_(self) -> Node:
        nodes = [self.near()]
        while (tok := self.peek()) is not None and tok.kind not in ("|", ")"):
            if tok.kind == "+":
                self.take()
            nodes.append(self.near())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def near(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) is not None and tok.kind == "near":
            self.take()
            right = self.unary()
            for side, col in ((node, tok.col), (right, tok.col)):
                if not _words_only(side):
                    raise SchemeError(
                        "NEAR 两边只能是词或“词|词” / NEAR needs words (or "
                        "alternatives of words) on both sides",
                        col,
                    )
            node = Near(node, right, int(tok.value))
        return node

    def unary(self, field: str = "text") -> Node:
        tok = self.peek()
        if tok is None:
            raise SchemeError("表达式不完整 / the expression ends too early", self.end_col())
        if tok.kind == "-":
            self.take()
            return Not(self.unary(field))
        if tok.kind == "field":
            self.take()
            return self.unary(tok.value)
        return self.primary(field)

    def primary(self, field: str) -> Node:
        tok = self.take() if self.peek() is not None else None
        if tok is None:
            raise SchemeError("表达式不完整 / the expression ends too early", self.end_col())
        if tok.kind == "(":
            start = tok.col
            if (nxt := self.peek()) is not None and nxt.kind == ")":
                raise SchemeError("空括号 / empty parentheses", start)
            node = self.or_() if field == "text" else _scoped(self.or_(), field)
            close = self.peek()
            if close is None or close.kind != ")":
                raise SchemeError("括号未闭合 / unclosed parenthesis", start)
            self.take()
            return node
        if tok.kind == "word":
            norm = normalise(tok.value)
            if not norm:
                raise SchemeError(f"{tok.value!r} 不含可匹配的字符 / has nothing to match", tok.col)
            return Term(norm, field)
        raise SchemeError(f"此处不应出现 {tok.value!r} / unexpected {tok.value!r}", tok.col)


def _words_only(node: Node) -> bool:
    return isinstance(node, Term) or (
        isinstance(node, Or) and all(isinstance(n, Term) for n in node.nodes)
    )


def _scoped(node: Node, field: str) -> Node:
    """Apply a field scope to every term of a group."""
    if isinstance(node, Term):
        return Term(node.text, field)
    if isinstance(node, Not):
        return Not(_scoped(node.node, field))
    if isinstance(node, And):
        return And(tuple(_scoped(n, field) for n in node.nodes))
    if isinstance(node, Or):
        return Or(tuple(_scoped(n, field) for n in node.nodes))
    return Near(_scoped(node.left, field), _scoped(node.right, field), node.distance)


def positive_terms(node: Node, negated: bool = False) -> set[Term]:
    """Terms whose presence can make the expression true (not under a NOT)."""
    if isinstance(node, Term):
        return set() if negated else {node}
    if isinstance(node, Not):
        return positive_terms(node.node, not negated)
    if isinstance(node, Near):
        return positive_terms(node.left, negated) | positive_terms(node.right, negated)
    out: set[Term] = set()
    for n in node.nodes:
        out |= positive_terms(n, negated)
    return out


def all_terms(node: Node) -> set[Term]:
    if isinstance(node, Term):
        return {node}
    if isinstance(node, Not):
        return all_terms(node.node)
    if isinstance(node, Near):
        return all_terms(node.left) | all_terms(node.right)
    out: set[Term] = set()
    for n in node.nodes:
        out |= all_terms(n)
    return out


def parse(expression: str) -> Node:
    """The expression's tree, or SchemeError naming the column."""
    node = _Parser(expression).parse()
    if not positive_terms(node):
        raise SchemeError(
            "至少需要一个不带“-”的词 / a scheme needs at least one term that is not negated", 1
        )
    return node


def from_lists(
    subject: list[str],
    region: list[str] | None = None,
    event: list[str] | None = None,
    exclude: list[str] | None = None,
) -> Node:
    """The simple form: (any subject) AND (any region) AND (any event) AND NOT (any exclude)."""

    def any_of(words: list[str] | None) -> Node | None:
        terms = [Term(n) for n in dict.fromkeys(normalise(w) for w in words or []) if n]
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    parts = [any_of(subject), any_of(region), any_of(event)]
    if parts[0] is None:
        raise SchemeError("至少需要一个主体词 / give at least one subject term", 1)
    nodes = [p for p in parts if p is not None]
    if (ex := any_of(exclude)) is not None:
        nodes.append(Not(ex))
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))
