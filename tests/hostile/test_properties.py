"""Property-based tests of what takes hostile input: every string either parses or is refused
with the module's own error — never another exception, never a hang."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.heavy import SLOW, examples
from yuqing.collect.schema import ItemIn
from yuqing.judge.schemes import SchemeError
from yuqing.judge.schemes import parse as parse_scheme
from yuqing.plan.expr import parse as parse_criteria
from yuqing.plan.loader import PlanError, load_plan
from yuqing.plan.versions import templates
from yuqing.text.times import BadTime, parse_source_time, parse_time

# Characters that matter to the languages, plus any text at all.
SCHEME_ALPHABET = st.sampled_from(list('+|-()"" :/NEAR0123456789 title:author:site:医院县学校'))
CRITERIA_ALPHABET = st.sampled_from(list("()<>=!≥≤ 0123456789.%andornot且或非flag.itemscomments"))
TEXT = st.one_of(st.text(max_size=80), st.text(SCHEME_ALPHABET, max_size=60))


@settings(max_examples=examples(400), deadline=None, derandomize=not SLOW)
@given(TEXT)
def test_the_scheme_language_parses_or_says_where(source: str) -> None:
    try:
        parse_scheme(source)
    except SchemeError as exc:
        assert str(exc)  # the message names what and where


@settings(max_examples=examples(400), deadline=None, derandomize=not SLOW)
@given(st.one_of(st.text(max_size=60), st.text(CRITERIA_ALPHABET, max_size=60)))
def test_plan_criteria_parse_or_say_where(source: str) -> None:
    try:
        parse_criteria(source)
    except ValueError as exc:
        assert str(exc)


@settings(max_examples=examples(400), deadline=None, derandomize=not SLOW)
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True), st.none()))
def test_times_parse_or_are_refused(value: object) -> None:
    now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    for parser in (lambda v: parse_time(v), lambda v: parse_source_time(v, now)):
        try:
            parsed = parser(value)
        except BadTime:
            continue
        assert parsed.tzinfo is not None


@settings(max_examples=examples(150), deadline=None, derandomize=not SLOW)
@given(st.integers(min_value=0, max_value=2000), st.text(max_size=30))
def test_a_damaged_plan_file_is_refused_with_its_place(cut: int, junk: str) -> None:
    text = templates()["county-four-level"]
    damaged = text[:cut] + junk + text[cut + len(junk) :]
    try:
        load_plan(damaged)
    except PlanError as exc:
        assert exc.problems and all(p.line >= 0 for p in exc.problems)


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["id", "text", "title", "url", "author", "published_at", "metrics", "reply_to", "source"]
)


@settings(max_examples=examples(400), deadline=None, derandomize=not SLOW)
@given(st.dictionaries(FIELDS, JSONISH, max_size=6))
def test_an_item_is_valid_or_refused_field_by_field(data: dict[str, object]) -> None:
    try:
        item = ItemIn.model_validate(data)
    except ValidationError as exc:
        assert exc.errors()  # each refused field is named
        return
    assert "\x00" not in (item.text or "")


def test_a_control_character_in_a_plan_is_named_with_its_place() -> None:
    try:
        load_plan("name: 预案\nlevels:\x1f []\n")
    except PlanError as exc:
        [problem] = exc.problems
        assert (problem.line, problem.column) == (2, 8) and "U+001F" in problem.message
    else:
        raise AssertionError("accepted a control character")
