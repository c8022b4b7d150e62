"""Matching many schemes against items at once.

All terms of all schemes go into one Aho-Corasick automaton per field (ahocorasick-rs: exact,
no word boundaries — right for Chinese), each field of an item is scanned once, and only the
schemes with a term among the hits are evaluated. Rebuilding after a scheme changes is cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ahocorasick_rs import AhoCorasick, MatchKind

from yuqing.judge.schemes import FIELDS, And, Node, Not, Or, Term, all_terms, positive_terms
from yuqing.text.normalise import normalise

Hits = dict[int, list[tuple[int, int]]]  # term number → where it occurs


@dataclass(frozen=True)
class MatchInput:
    """What matching reads of an item (already normalised title and text)."""

    title: str
    text: str
    author: str = ""
    source_key: str = ""
    url: str = ""

    def field(self, name: str) -> str:
        if name == "title":
            return self.title
        if name == "author":
            return normalise(self.author)
        if name == "site":
            host = urlsplit(self.url).hostname or "" if self.url else ""
            return f"{self.source_key.lower()} {host}"
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class SchemeMatch:
    scheme_id: int
    terms: tuple[str, ...]  # the positive terms found, for highlighting and explanation


Test = Callable[[Hits], bool]


def compiled(node: Node, ids: Mapping[Term, int]) -> Test:
    """The scheme as a function of an item's hits (keyed by term number), short-circuiting.
    Groups of plain terms — most of a scheme (主体词 OR …, 地域词 OR …, 排除词) — are one set
    operation on small integers each; walking the tree for every candidate scheme, hashing term
    objects, was the larger part of matching."""
    if isinstance(node, Term):
        term = ids[node]
        return lambda hits: term in hits
    if isinstance(node, Not):
        inner = compiled(node.node, ids)
        return lambda hits: not inner(hits)
    if isinstance(node, And | Or) and all(isinstance(n, Term) for n in node.nodes):
        terms = frozenset(ids[n] for n in node.nodes)  # type: ignore[index]
        if isinstance(node, And):
            return lambda hits: hits.keys() >= terms
        return lambda hits: not terms.isdisjoint(hits)
    if isinstance(node, And | Or):
        parts = [compiled(n, ids) for n in node.nodes]
        return _chain(parts, isinstance(node, And))
    left, right = _numbers(node.left, ids), _numbers(node.right, ids)
    distance = node.distance
    return lambda hits: _near(_positions(left, hits), _positions(right, hits), distance)


def _chain(parts: list[Test], conjunction: bool) -> Test:
    """`a and b and …` (or `a or b or …`) as nested closures: a generator under all()/any() for
    every candidate scheme cost more than the tests it ran."""
    test = parts[-1]
    for part in reversed(parts[:-1]):
        test = _and(part, test) if conjunction else _or(part, test)
    return test


def _and(first: Test, rest: Test) -> Test:
    return lambda hits: first(hits) and rest(hits)


def _or(first: Test, rest: Test) -> Test:
    return lambda hits: first(hits) or rest(hits)


def _numbers(node: Node, ids: Mapping[Term, int]) -> list[int]:
    terms = [node] if isinstance(node, Term) else list(node.nodes)  # type: ignore[union-attr]
    return [ids[t] for t in terms]  # type: ignore[index]


def _positions(terms: list[int], hits: Hits) -> list[tuple[int, int]]:
    return sorted(p for t in terms for p in hits.get(t, []))


def _near(left: list[tuple[int, int]], right: list[tuple[int, int]], distance: int) -> bool:
    """Some occurrence of each at most `distance` characters apart (the gap between them)."""
    return any(
        max(r_start - l_end, l_start - r_end, 0) <= distance
        for l_start, l_end in left
        for r_start, r_end in right
    )


class SchemeSet:
    """Compiled schemes, ready to match items."""

    def __init__(self, schemes: dict[int, Node]) -> None:
        self.schemes = schemes
        self.terms: list[Term] = []  # every term of every scheme, numbered by its place here
        ids: dict[Term, int] = {}
        self.positive: dict[int, frozenset[int]] = {}  # the terms a scheme is found by
        by_field: dict[str, list[int]] = defaultdict(list)
        triggers: dict[int, list[int]] = defaultdict(list)
        for scheme_id, node in schemes.items():
            for term in all_terms(node):
                if term not in ids:
                    ids[term] = len(self.terms)
                    self.terms.append(term)
                    by_field[term.field].append(ids[term])
            self.positive[scheme_id] = frozenset(ids[t] for t in positive_terms(node))
            for term in self.positive[scheme_id]:
                triggers[term].append(scheme_id)
        self.triggers = dict(triggers)
        self.tests = {i: compiled(node, ids) for i, node in schemes.items()}
        self.fields: list[tuple[str, list[int], AhoCorasick]] = [
            (
                f,
                numbers,
                AhoCorasick([self.terms[i].text for i in numbers], matchkind=MatchKind.Standard),
            )
            for f in FIELDS
            if (numbers := by_field.get(f))
        ]

    def hits(self, item: MatchInput) -> Hits:
        found: Hits = defaultdict(list)
        for field, numbers, automaton in self.fields:
            for index, start, end in automaton.find_matches_as_indexes(
                item.field(field), overlapping=True
            ):
                found[numbers[index]].append((start, end))
        return found

    def match(self, item: MatchInput) -> list[SchemeMatch]:
        found = self.hits(item)
        triggers = self.triggers
        candidates = sorted({s for t in found if t in triggers for s in triggers[t]})
        out = []
        for scheme_id in candidates:
            if self.tests[scheme_id](found):
                terms = sorted({self.terms[t].text for t in self.positive[scheme_id] if t in found})
                out.append(SchemeMatch(scheme_id, tuple(terms)))
        return out
