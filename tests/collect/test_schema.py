from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from yuqing.collect.schema import MAX_TEXT, ItemIn, describe, unflatten


def test_full_item() -> None:
    item = ItemIn.model_validate(
        {
            "id": 4711,
            "source": "weibo",
            "url": "https://weibo.com/1/abc",
            "title": None,
            "text": " 某县医院 ",
            "author": {"name": "人民日报", "followers": "1200", "verified": True, "kind": "media"},
            "published_at": "2026年11月03日 10:21",
            "metrics": {"reads": 3000, "comments": "523"},
            "reply_to": "4700",
        }
    )
    assert item.id == "4711" and item.text == "某县医院"
    assert item.published_at == datetime(2026, 11, 3, 2, 21, tzinfo=UTC)
    assert item.metrics and item.metrics.values() == (3000, 523, 0, 0)
    assert item.author and item.author.followers == 1200


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"id": "1"}, "neither text nor title"),
        ({"text": "x" * (MAX_TEXT + 1)}, "text: too long: 50001 characters, at most 50000"),
        ({"text": "x", "metrics": {"reads": -1}}, "metrics.reads"),
        ({"text": "x", "published_at": "昨天"}, "published_at: unrecognised time"),
        ({"text": "x", "author": {"kind": "spy"}}, "author.kind"),
        ({"text": "x", "id": True}, "id"),
    ],
)
def test_bad_items_name_the_field(data: dict, where: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ItemIn.model_validate(data)
    assert where in describe(exc.value)


def test_flat_rows_are_nested() -> None:
    row = {
        "ID": "1",
        "Text": "t",
        "author_name": "a",
        "author.followers": "5",
        "reads": "7",
        "comments": "",
        "metrics.likes": 3,
        "extra": "ignored",
    }
    flat = unflatten(row)
    assert flat["author"] == {"name": "a", "followers": "5"}
    assert flat["metrics"] == {"reads": "7", "comments": "", "likes": 3}
    item = ItemIn.model_validate(flat)
    assert item.metrics and item.metrics.values() == (7, 0, 0, 3)
