"""Grading criteria (定级标准): small boolean expressions over an event's metrics and flags.

    reads >= 3000 or comments >= 500 or mainstream_media >= 5
    central_media >= 1
    flag.casualties and negative_share >= 60%

`and` / `or` / `not` (also 且 / 或 / 非), parentheses, comparisons `>= > <= < == !=` (also ≥ ≤)
of a metric with a number (a trailing % divides by 100), and `flag.NAME`. Evaluating an
expression also returns the parts that made it true, so that every grade can name its reasons
("评论 523 ≥ 500"). Errors name the column.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

# Metric names, as the plan writes them, and how a reason shows them.
METRICS: dict[str, str] = {
    "items": "信息量",
    "replies": "评论转发条数",
    "sources": "来源数",
    "authors": "发布账号数",
    "mainstream_media": "主流媒体",
    "central_media": "中央媒体",
    "reads": "阅读",
    "comments": "评论",
    "reposts": "转发",
    "likes": "点赞",
    "negative_share": "负面占比",
    "heat": "热度",
    "growth": "增速(条/小时)",
}
FLAGS: dict[str, str] = {
    "casualties": "涉伤亡",
    "crowd": "涉群体聚集",
    "minors": "涉未成年人",
    "officials": "涉公职人员",
    "rumor": "涉谣言",
    "surge": "异常增长",
}
_OPS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    ">=": ("≥", operator.ge),
    "<=": ("≤", operator.le),
    ">": (">", operator.gt),
    "<": ("<", operator.lt),
    "==": ("=", operator.eq),
    "!=": ("≠", operator.ne),
}
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?%?)|(?P<op>>=|<=|==|!=|>|<|≥|≤)|(?P<paren>[()（）])"
    r"|(?P<word>flag\.[A-Za-z_]\w*|[A-Za-z_]\w*|且|或|非))"
)
_WORD_OPS = {"且": "and", "或": "or", "非": "not"}


class ExprError(ValueError):
    """A criterion that cannot be read; `column` is 1-based within the expression."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Compare:
    metric: str
    op: str
    value: float


@dataclass(frozen=True)
class Flag:
    name: str


@dataclass(frozen=True)
class Not:
    node: Expr


@dataclass(frozen=True)
class All:
    nodes: tuple[Expr, ...]


@dataclass(frozen=True)
class Any_:
    nodes: tuple[Expr, ...]


Expr = Compare | Flag | Not | All | Any_


def _number(value: float) -> str:
    return f"{value:g}"


def _show(metric: str, value: float) -> str:
    if metric == "negative_share":
        return f"{value * 100:.0f}%"
    return _number(round(value, 1))


def describe(node: Compare, value: float) -> str:
    """'评论 523 ≥ 500': the metric, its value and the threshold it was compared with."""
    symbol = _OPS[node.op][0]
    shown, threshold = _show(node.metric, value), _show(node.metric, node.value)
    return f"{METRICS[node.metric]} {shown} {symbol} {threshold}"


def parse(source: str) -> Expr:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    text = source.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            rest = text[pos:].lstrip()
            raise ExprError(f"unexpected {rest[:10]!r}", len(text) - len(rest) + 1)
        kind = m.lastgroup or ""
        value = m.group(kind)
        tokens.append((kind, value, m.start(kind) + 1))
        pos = m.end()
    parser = _Parser(tokens, len(text) + 1)
    node = parser.expr()
    if parser.i < len(tokens):
        raise ExprError(f"unexpected {tokens[parser.i][1]!r}", tokens[parser.i][2])
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]], end: int) -> None:
        self.tokens = tokens
        self.i = 0
        self.end = end

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _word(self, word: str) -> bool:
        t = self._peek()
        if t and t[0] == "word" and _WORD_OPS.get(t[1], t[1].lower()) == word:
            self.i += 1
            return True
        return False

    def expr(self) -> Expr:
        nodes = [self._and()]
        while self._word("or"):
            nodes.append(self._and())
        return nodes[0] if len(nodes) == 1 else Any_(tuple(nodes))

    def _and(self) -> Expr:
        nodes = [self._not()]
        while self._word("and"):
            nodes.append(self._not())
        return nodes[0] if len(nodes) == 1 else All(tuple(nodes))

    def _not(self) -> Expr:
        if self._word("not"):
            return Not(self._not())
        return self._atom()

    def _atom(self) -> Expr:
        t = self._peek()
        if t is None:
            raise ExprError("a metric, flag.NAME or ( is missing", self.end)
        kind, value, col = t
        self.i += 1
        if kind == "paren" and value in "(（":
            node = self.expr()
            close = self._peek()
            if close is None or close[0] != "paren" or close[1] not in ")）":
                raise ExprError("')' is missing", close[2] if close else self.end)
            self.i += 1
            return node
        if kind == "word" and value.startswith("flag."):
            name = value[5:]
            if name not in FLAGS:
                raise ExprError(f"unknown flag {name!r}; known: {', '.join(FLAGS)}", col + 5)
            return Flag(name)
        if kind == "word" and value in METRICS:
            op = self._peek()
            if op is None or op[0] != "op":
                raise ExprError(f"a comparison (>=, <, …) must follow {value}", col)
            self.i += 1
            num = self._peek()
            if num is None or num[0] != "num":
                raise ExprError("a number is missing", num[2] if num else self.end)
            self.i += 1
            number = float(num[1].rstrip("%")) / (100 if num[1].endswith("%") else 1)
            symbol = {"≥": ">=", "≤": "<="}.get(op[1], op[1])
            return Compare(value, symbol, number)
        if kind == "word":
            raise ExprError(f"unknown metric {value!r}; known: {', '.join(METRICS)}", col)
        raise ExprError(f"unexpected {value!r}", col)


def evaluate(
    node: Expr, metrics: Mapping[str, float], flags: frozenset[str] | set[str]
) -> tuple[bool, list[str]]:
    """Whether the expression holds, and the parts that make it hold (for the grade's reasons)."""
    if isinstance(node, Compare):
        value = float(metrics.get(node.metric, 0))
        ok = _OPS[node.op][1](value, node.value)
        return ok, [describe(node, value)] if ok else []
    if isinstance(node, Flag):
        ok = node.name in flags
        return ok, [FLAGS[node.name]] if ok else []
    if isinstance(node, Not):
        ok, _ = evaluate(node.node, metrics, flags)
        return not ok, []
    results = [evaluate(n, metrics, flags) for n in node.nodes]
    if isinstance(node, All):
        ok = all(r[0] for r in results)
        return ok, [reason for r in results for reason in r[1]] if ok else []
    reasons = [reason for r in results if r[0] for reason in r[1]]
    return any(r[0] for r in results), reasons


Test = Callable[[Mapping[str, float], "frozenset[str] | set[str]"], bool]


@cache
def holds(node: Expr) -> Test:
    """The expression as a function answering only whether it holds, short-circuiting: grading
    tries every criterion of every active event each round and most fail, so reasons are
    gathered (`evaluate`) only for the one that holds."""
    if isinstance(node, Compare):
        metric, test, value = node.metric, _OPS[node.op][1], node.value
        return lambda m, f: test(float(m.get(metric, 0)), value)
    if isinstance(node, Flag):
        name = node.name
        return lambda m, f: name in f
    if isinstance(node, Not):
        inner = holds(node.node)
        return lambda m, f: not inner(m, f)
    parts = tuple(holds(n) for n in node.nodes)
    if isinstance(node, All):
        return lambda m, f: all(p(m, f) for p in parts)
    return lambda m, f: any(p(m, f) for p in parts)


def metrics_used(node: Expr) -> set[str]:
    if isinstance(node, Compare):
        return {node.metric}
    if isinstance(node, Flag):
        return set()
    if isinstance(node, Not):
        return metrics_used(node.node)
    return set().union(*(metrics_used(n) for n in node.nodes))
