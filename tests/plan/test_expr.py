import pytest
from hypothesis import given
from hypothesis import strategies as st

from yuqing.plan.expr import (
    FLAGS,
    All,
    Any_,
    Compare,
    Expr,
    ExprError,
    Flag,
    Not,
    evaluate,
    holds,
    parse,
)


def test_parses_the_plans_criteria() -> None:
    node = parse("reads >= 3000 or comments >= 500 or mainstream_media >= 5")
    assert node == Any_(
        (
            Compare("reads", ">=", 3000),
            Compare("comments", ">=", 500),
            Compare("mainstream_media", ">=", 5),
        )
    )
    assert parse("flag.casualties and not (items < 10)") == All(
        (Flag("casualties"), Not(Compare("items", "<", 10)))
    )


def test_chinese_operators_and_percent() -> None:
    node = parse("flag.minors 且 negative_share ≥ 60%")
    assert node == All((Flag("minors"), Compare("negative_share", ">=", 0.6)))
    assert parse("items > 1 或 非 flag.rumor") == Any_(
        (Compare("items", ">", 1), Not(Flag("rumor")))
    )


def test_evaluation_names_what_held() -> None:
    node = parse("reads >= 3000 or comments >= 500 or mainstream_media >= 5")
    ok, reasons = evaluate(node, {"reads": 120, "comments": 523, "mainstream_media": 3}, set())
    assert ok and reasons == ["评论 523 ≥ 500"]
    ok, reasons = evaluate(node, {"reads": 120, "comments": 20}, set())
    assert not ok and reasons == []
    ok, reasons = evaluate(
        parse("flag.casualties and negative_share >= 50%"), {"negative_share": 0.75}, {"casualties"}
    )
    assert ok and reasons == ["涉伤亡", "负面占比 75% ≥ 50%"]


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("reads >= 3000 or coments >= 500", 18, "unknown metric 'coments'"),
        ("reads >=", 9, "a number is missing"),
        ("(reads >= 1", 12, "')' is missing"),
        ("flag.fire", 6, "unknown flag 'fire'"),
        ("reads 3000", 1, "a comparison"),
        ("reads >= 1 comments >= 2", 12, "unexpected 'comments'"),
        ("reads >= 1 & items >= 2", 12, "unexpected"),
    ],
)
def test_errors_point_at_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(ExprError) as err:
        parse(text)
    assert err.value.column == column
    assert message in err.value.message


_leaf = st.one_of(
    st.builds(
        Compare,
        st.sampled_from(["comments", "reads", "negative_share"]),
        st.sampled_from([">=", "<=", ">", "<", "==", "!="]),
        st.sampled_from([0.0, 0.5, 10.0, 500.0]),
    ),
    st.builds(Flag, st.sampled_from(sorted(FLAGS))),
)
_expr = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(All, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Any_, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=8,
)


@given(
    _expr,
    st.fixed_dictionaries(
        {}, optional={"comments": st.sampled_from([0, 10, 500, 501]), "reads": st.just(0.5)}
    ),
    st.frozensets(st.sampled_from(sorted(FLAGS))),
)
def test_the_quick_test_agrees_with_evaluation(node: Expr, metrics: dict, flags: frozenset) -> None:
    """Grading asks `holds` first and gathers reasons only when it says yes."""
    assert holds(node)(metrics, flags) == evaluate(node, metrics, flags)[0]
