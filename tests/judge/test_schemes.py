import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yuqing.judge.matcher import MatchInput, SchemeSet, compiled
from yuqing.judge.schemes import And, Near, Not, Or, SchemeError, Term, from_lists, parse
from yuqing.text.normalise import normalise


def test_precedence_and_normalisation() -> None:
    assert parse("某县 + 医院 | 卫健委") == Or((And((Term("某县"), Term("医院"))), Term("卫健委")))
    assert parse("某縣 醫院") == And((Term("某县"), Term("医院")))  # traditional, implicit AND
    assert parse("（某县｜某镇）＋医院 －广告") == And(
        (Or((Term("某县"), Term("某镇"))), Term("医院"), Not(Term("广告")))
    )
    assert parse('"COVID-19 疫情"') == Term("covid-19 疫情")
    assert parse("COVID-19") == Term("covid-19")  # a hyphen inside a word is part of it


def test_near_and_fields() -> None:
    assert parse("医院 NEAR/5 收费") == Near(Term("医院"), Term("收费"), 5)
    assert parse("title:(通报 | 回应) author:县融媒 site:weibo") == And(
        (
            Or((Term("通报", "title"), Term("回应", "title"))),
            Term("县融媒", "author"),
            Term("weibo", "site"),
        )
    )


@pytest.mark.parametrize(
    ("expr", "column", "what"),
    [
        ("", 1, "empty"),
        ("医院 + (收费", 6, "unclosed parenthesis"),
        ("医院 + ", 6, "ends too early"),
        ("医院 )", 4, "unexpected ')'"),
        ('医院 + "乱收费', 6, "unclosed quote"),
        ("(医院 + 收费) NEAR/3 教育", 11, "NEAR needs words"),
        ("-广告", 1, "not negated"),
        ("医院 | + 收费", 6, "unexpected '+'"),
        ("()", 1, "empty parentheses"),
    ],
)
def test_errors_point_at_the_column(expr: str, column: int, what: str) -> None:
    with pytest.raises(SchemeError, match=re.escape(what)) as exc:
        parse(expr)
    assert exc.value.column == column


def _item(text: str, title: str = "", **kw: str) -> MatchInput:
    return MatchInput(title=normalise(title), text=normalise(text), **kw)


def test_simple_form_matches_with_terms_recorded() -> None:
    node = from_lists(["某县人民医院", "县医院"], ["某县"], ["收费", "乱收费"], ["招聘", "广告"])
    schemes = SchemeSet({1: node})
    hit = schemes.match(_item("某县县医院被曝乱收费，网友质疑"))
    assert [(m.scheme_id, m.terms) for m in hit] == [(1, ("乱收费", "县医院", "收费", "某县"))]
    assert schemes.match(_item("某县县医院招聘护士，收费标准公示")) == []  # excluded
    assert schemes.match(_item("县医院收费")) == []  # no region term
    assert schemes.match(_item("某縣縣醫院亂收費")) != []  # traditional text


def test_advanced_language_over_many_schemes() -> None:
    schemes = SchemeSet(
        {
            1: parse("医院 NEAR/4 收费"),
            2: parse("title:通报 + (教育局 | 学校) -招生"),
            3: parse("author:人民日报 | site:weibo.example"),
            4: parse("食堂 + 学生"),
        }
    )
    assert [m.scheme_id for m in schemes.match(_item("医院违规收费"))] == [1]
    assert [m.scheme_id for m in schemes.match(_item("医院一次检查多收了八百元的费用，收费"))] == []
    assert [m.scheme_id for m in schemes.match(_item("学校食堂问题", title="县教育局通报"))] == [2]
    assert schemes.match(_item("学校通报", title="招生简章")) == []  # title lacks 通报
    assert [m.scheme_id for m in schemes.match(_item("x", author="人民日报评论"))] == [3]
    assert [
        m.scheme_id
        for m in schemes.match(_item("x", source_key="rss", url="https://weibo.example/1"))
    ] == [3]
    both = schemes.match(_item("学生反映食堂问题，医院收费"))
    assert [m.scheme_id for m in both] == [1, 4]


def test_near_counts_the_gap_in_either_order() -> None:
    schemes = SchemeSet({1: parse("收费 NEAR/2 医院")})
    assert schemes.match(_item("医院乱收费"))  # 医院 ends where 乱 begins: gap 1
    assert schemes.match(_item("收费的医院"))
    assert not schemes.match(_item("收费标准公布了的医院"))


TERMS = [Term(w) for w in ("医院", "收费", "某县", "广告")] + [Term("通报", "title")]


def _meaning(node: object, hits: set[Term]) -> bool:
    """The language's definition, walked node by node: what the compiled test must agree with."""
    if isinstance(node, Term):
        return node in hits
    if isinstance(node, Not):
        return not _meaning(node.node, hits)
    if isinstance(node, And):
        return all(_meaning(n, hits) for n in node.nodes)
    assert isinstance(node, Or)
    return any(_meaning(n, hits) for n in node.nodes)


NODES = st.recursive(
    st.sampled_from(TERMS),
    lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=1, max_size=4).map(lambda ns: And(tuple(ns))),
        st.lists(inner, min_size=1, max_size=4).map(lambda ns: Or(tuple(ns))),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(NODES, st.sets(st.sampled_from(TERMS)))
def test_compiled_schemes_mean_what_the_language_says(node: object, hit: set[Term]) -> None:
    ids = {t: i for i, t in enumerate(TERMS)}
    hits = {ids[t]: [(0, len(t.text))] for t in hit}
    assert compiled(node, ids)(hits) == _meaning(node, hit)  # type: ignore[arg-type]
