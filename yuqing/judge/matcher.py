"""Matching many schemes against items at once.

All terms of all schemes go into one Aho-Corasick automaton per field (ahocorasick-rs: exact,
no word boundaries — right for Chinese), each field of an item is scanned once, and only the
schemes with a term among the hits are evaluated. Rebuilding after a scheme changes is cheap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from ahocorasick_rs import AhoCorasick, MatchKind

from yuqing.judge.schemes import FIELDS, And, Node, Not, Or, Term, all_terms, positive_terms
from yuqing.text.normalise import normalise

Hits = dict[Term, list[tuple[int, int]]]


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


def evaluate(node: Node, hits: Hits) -> bool:
    if isinstance(node, Term):
        return node in hits
    if isinstance(node, Not):
        return not evaluate(node.node, hits)
    if isinstance(node, And):
        return all(evaluate(n, hits) for n in node.nodes)
    if isinstance(node, Or):
        return any(evaluate(n, hits) for n in node.nodes)
    return _near(_positions(node.left, hits), _positions(node.right, hits), node.distance)


def _positions(node: Node, hits: Hits) -> list[tuple[int, int]]:
    terms = [node] if isinstance(node, Term) else list(node.nodes)  # type: ignore[union-attr]
    return sorted(p for t in terms for p in hits.get(t, []))  # type: ignore[arg-type]


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
        by_field: dict[str, list[Term]] = defaultdict(list)
        self.triggers: dict[Term, list[int]] = defaultdict(list)
        for scheme_id, node in schemes.items():
            for term in all_terms(node):
                if term not in by_field[term.field]:
                    by_field[term.field].append(term)
            for term in positive_terms(node):
                self.triggers[term].append(scheme_id)
        self.fields: list[tuple[str, list[Term], AhoCorasick]] = [
            (f, terms, AhoCorasick([t.text for t in terms], matchkind=MatchKind.Standard))
            for f in FIELDS
            if (terms := by_field.get(f))
        ]

    def hits(self, item: MatchInput) -> Hits:
        found: Hits = defaultdict(list)
        for field, terms, automaton in self.fields:
            for index, start, end in automaton.find_matches_as_indexes(
                item.field(field), overlapping=True
            ):
                found[terms[index]].append((start, end))
        return found

    def match(self, item: MatchInput) -> list[SchemeMatch]:
        found = self.hits(item)
        candidates = sorted({s for term in found for s in self.triggers.get(term, [])})
        out = []
        for scheme_id in candidates:
            node = self.schemes[scheme_id]
            if evaluate(node, found):
                terms = sorted({t.text for t in positive_terms(node) if t in found})
                out.append(SchemeMatch(scheme_id, tuple(terms)))
        return out
